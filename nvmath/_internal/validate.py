"""Small argument checks shared by the host APIs: one place, one message format."""

from __future__ import annotations

import operator

__all__ = ["ArgumentTypeError", "DtypeError", "as_int_at_least"]


class DtypeError(TypeError, ValueError):
    """An operand, input or scalar of a type the operation does not take: a TypeError (what it
    is) and a ValueError (what nvmath-python raises for it), so that code written for either
    catches it."""


class ArgumentTypeError(TypeError, ValueError):
    """An argument of a type the parameter does not take, where nvmath-python raises a
    ValueError: a TypeError and a ValueError, so that code written for either catches it."""


def as_int_at_least(value, minimum: int, name: str, accepted: str) -> int:
    """``value`` as an int (``operator.index``; bools refused) if it is at least ``minimum``.

    Raises
    ------
    ValueError
        ``"{name}={value!r} is not supported; accepted: {accepted}"`` otherwise.
    """
    if not isinstance(value, bool):
        try:
            number = operator.index(value)
        except TypeError:
            pass
        else:
            if number >= minimum:
                return int(number)
    raise ValueError(f"{name}={value!r} is not supported; accepted: {accepted}")
