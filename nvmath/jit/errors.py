"""Exceptions of the JIT layer, and the condensing of Numba's long typing errors."""

from __future__ import annotations

import re

__all__ = ["CompileError", "CallbackSignatureError", "condense_numba_error"]


class CompileError(TypeError):
    """A Python device function could not be compiled for the requested signature.

    The message names the function, the expected signature and the problem; the full
    Numba error stays available as ``__cause__``.
    """


class CallbackSignatureError(TypeError):
    """A function's parameters do not match the signature its consumer calls it with."""


_NOISE = (
    "- Resolution failure",
    "- Of which",
    "During: resolving callee",
    "Rejected as the implementation",
    "This error may have been caused",
    "For more information about typing errors",
    "raised from",
)


def condense_numba_error(exc: BaseException, max_lines: int = 6) -> str:
    """Shrink a Numba error to the lines a user needs: what failed, with which types, where.

    Numba's typing errors go on to list every overload it tried (often 60 lines); those are
    dropped. The full error stays available as the ``__cause__`` of nvmath's exception.
    """
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # Numba colours its messages
    kept: list[str] = []
    locations: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if re.match(r"There are \d+ candidate implementations", line):
            break
        if not line or set(line) <= set("^~-= "):
            continue
        if line.startswith("File ") and ", line " in line:
            if line not in locations:
                locations.append(line)
            continue
        if any(line.startswith(n) for n in _NOISE):
            continue
        line = line.removeprefix(">>>").strip()
        if line not in kept:
            kept.append(line)
    summary = kept[:max_lines]
    if len(kept) > max_lines:
        summary.append("...")
    if locations:
        summary.append(locations[-1])
    return "\n  ".join(summary)


def describe_location(func) -> str:
    """Where a function is defined, as ``File "...", line N``, or ``""``."""
    code = getattr(getattr(func, "py_func", func), "__code__", None)
    return f'File "{code.co_filename}", line {code.co_firstlineno}' if code else ""
