"""Exceptions of the JIT layer, and the condensing of Numba's long typing errors."""

from __future__ import annotations

import re

__all__ = ["CompileError", "CallbackSignatureError", "condense_numba_error", "describe_location", "unknown_field_error"]


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


def _record_fields(exc: BaseException):
    """The field names of the record type whose lookup raised ``exc``, read from the innermost
    frame of its traceback that has a ``self`` with ``fields`` (Numba's ``Record.typeof``)."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        fields = getattr(owner, "fields", None)
        if isinstance(fields, dict) and all(isinstance(k, str) for k in fields):
            found = list(fields)
        tb = tb.tb_next
    return found


def unknown_field_error(exc: BaseException, func, what: str, user_info_dtype=None) -> CompileError | None:
    """A :class:`CompileError` for a record field that does not exist, or None for other errors.

    Numba reports ``user_info[i].c`` on a record without a field ``c`` as a bare
    ``KeyError: 'c'`` while typing. This names ``what`` (the callback), the field, where the
    function reads it, and the fields the record has.

    Parameters
    ----------
    exc : BaseException
        The error raised while compiling.
    func : callable
        The Python function being compiled.
    what : str
        How to name it: ``"the epilog scale"``.
    user_info_dtype : numpy.dtype, optional
        The dtype of ``user_info``, whose fields are listed when the traceback does not tell
        which record was looked up.
    """
    if not isinstance(exc, KeyError) or len(exc.args) != 1 or not isinstance(exc.args[0], str):
        return None
    field = exc.args[0]
    fields = _record_fields(exc)
    if fields is None:
        names = getattr(user_info_dtype, "names", None)
        if not names or field in names:
            return None
        fields = list(names)
    py = getattr(func, "py_func", func)
    where = describe_location(py)
    lines = _attribute_lines(py, field)
    if lines and where:
        where = re.sub(r"line \d+", f"line {lines[0]}", where)
    return CompileError(
        f"cannot compile {what}: it uses the field {field!r} of a user_info record, which has no such "
        f"field; its fields are: {', '.join(fields)}" + (f"\n  in {where}" if where else "")
    )


def _attribute_lines(func, name: str) -> list[int]:
    """The source lines where ``func`` reads or writes an attribute ``name``."""
    import dis

    code = getattr(func, "__code__", None)
    if code is None:
        return []
    lines = []
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_ATTR", "STORE_ATTR", "LOAD_METHOD") and ins.argval == name:
            line = ins.positions.lineno if ins.positions else None
            if line is not None and line not in lines:
                lines.append(line)
    return lines
