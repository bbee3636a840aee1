"""What the binding modules share to check their arguments before a C call.

How a value is shown in an error message, the one message for an argument refused
(:func:`refused`: "name=value is not supported; accepted: ..."), what counts as an integer
argument, and the range and name of a C integer type.
"""

from __future__ import annotations

import ctypes
import numbers


def shown(value) -> str:
    """``repr(value)`` cut to 60 characters, for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def refused(what: str, value, accepted: str, error: type[Exception] = TypeError) -> Exception:
    """The exception for argument ``what`` refused: ``what=value is not supported; accepted:
    ...``, the value shown by :func:`shown` (raise it; ``error`` is its type)."""
    return error(f"{what}={shown(value)} is not supported; accepted: {accepted}")


def is_int(value) -> bool:
    """An integer (Python's or NumPy's) and not a bool: what an integer C argument takes."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def c_range(ctype) -> tuple[int, int]:
    """The smallest and largest value of the C integer type ``ctype`` (``ctypes.c_int``...)."""
    bits = 8 * ctypes.sizeof(ctype)
    if ctype(-1).value == -1:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def c_type_name(ctype) -> str:
    """``int32_t``, ``uint64_t``...: the C integer type ``ctype`` by width and sign."""
    signed = ctype(-1).value == -1
    return f"{'' if signed else 'u'}int{8 * ctypes.sizeof(ctype)}_t"
