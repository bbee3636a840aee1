"""Validation and coercion of user options, in one place.

Every message names the parameter (or field), the value given, and what is accepted.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import numbers

import numpy as np

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.log import _LOGGER_METHODS
from nvmath._internal.validate import ArgumentTypeError

__all__ = [
    "check_options",
    "check_choice",
    "check_enum",
    "check_bool",
    "check_number",
    "check_logger",
    "check_blocking",
    "check_allocator",
    "check_execution",
    "EXECUTION_SPACES",
]

#: Execution space name → its dataclass.
EXECUTION_SPACES = {"cuda": ExecutionCUDA, "cpu": ExecutionCPU}


def _init_fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.init]


def _from_dict(value: dict, cls, name: str, *, ignore=()):
    accepted = _init_fields(cls)
    bad = [k for k in value if k not in accepted and k not in ignore]
    if bad:
        raise TypeError(
            f"{name}: unknown field(s) {', '.join(map(repr, bad))} for {cls.__name__}; "
            f"accepted fields: {', '.join(accepted) if accepted else '(none)'}"
        )
    return cls(**{k: v for k, v in value.items() if k not in ignore})


def check_options(value, cls, name: str = "options"):
    """Return an instance of the dataclass ``cls`` from ``value``.

    ``value`` may be an instance of ``cls`` (returned as is), a dict of its fields (unknown keys
    raise :class:`TypeError` listing the accepted fields; checking the values is left to
    ``cls.__post_init__``), or ``None`` for the defaults.
    """
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    if isinstance(value, dict):
        return _from_dict(value, cls, name)
    raise TypeError(
        f"{name}={value!r} (of type {type(value).__name__}) is not supported; "
        f"accepted: a {cls.__name__} object, a dict of its fields "
        f"({', '.join(_init_fields(cls))}), or None for the defaults"
    )


def _same_choice(value, choice) -> bool:
    # True == 1 in Python; a bool must not pass for an int choice, nor an int for a bool one.
    if isinstance(value, (bool, np.bool_)) != isinstance(choice, (bool, np.bool_)):
        return False
    try:
        return bool(value == choice)
    except Exception:
        return False


def check_choice(value, accepted, name: str, *, ignore_case: bool = False):
    """Return the choice of ``accepted`` that ``value`` is, else raise :class:`ValueError`.

    With ``ignore_case``, a string matches a string choice whatever its case, and the choice's
    own spelling is returned. The message reads ``"name=value is not supported; accepted: a, b, c"``.
    """
    accepted = tuple(accepted)
    for choice in accepted:
        if _same_choice(value, choice):
            return choice if ignore_case else value
        if ignore_case and isinstance(value, str) and isinstance(choice, str) and value.upper() == choice.upper():
            return choice
    raise ValueError(f"{name}={value!r} is not supported; accepted: {', '.join(map(repr, accepted))}")


def check_enum(value, enum_cls: type[enum.Enum], name: str, *, members=None):
    """Return the member of ``enum_cls`` that ``value`` names: a member, its value (an int,
    never a bool) or its name (any case). ``members`` limits the accepted ones.

    Raises :class:`ValueError` ``"name=value is not supported; accepted: NAME (value), ..."``.
    """
    allowed = tuple(enum_cls) if members is None else tuple(members)
    found = None
    if isinstance(value, enum_cls):
        found = value
    elif isinstance(value, str):
        found = enum_cls.__members__.get(value.strip().upper())
    elif isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        try:
            found = enum_cls(int(value))
        except ValueError:
            found = None
    if found is not None and found in allowed:
        return found
    listed = ", ".join(f"{m.name!r} ({m.value})" for m in allowed)
    raise ValueError(
        f"{name}={value!r} is not supported; accepted: a {enum_cls.__name__} member, its name or its value: {listed}"
    )


def check_bool(value, name: str) -> bool:
    """``value`` as a bool (Python or NumPy bools only), else :class:`ValueError`."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name}={value!r} is not supported; accepted: True, False")


def check_number(value, name: str, *, minimum=None, accepted: str = "a real number") -> float:
    """``value`` as a float if it is a real number (not a bool, not NaN) at least ``minimum``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        number = float(value)
        if number == number and (minimum is None or number >= minimum):
            return number
    raise ValueError(f"{name}={value!r} is not supported; accepted: {accepted}")


def check_logger(value, name: str = "logger"):
    """``value`` if it is None, a :class:`logging.Logger` or ``LoggerAdapter``, or an object with
    their methods (what :func:`nvmath._internal.log.get_logger` takes)."""
    if value is None or isinstance(value, (logging.Logger, logging.LoggerAdapter)):
        return value
    if all(callable(getattr(value, m, None)) for m in _LOGGER_METHODS):
        return value
    raise ValueError(
        f"{name}={value!r} is not supported; accepted: a logging.Logger, a logging.LoggerAdapter, "
        "or None (the 'nvmath' logger)"
    )


def check_blocking(value, name: str = "blocking"):
    """``value`` if it is True or ``"auto"``."""
    return check_choice(value, (True, "auto"), name)


def check_allocator(value, name: str = "allocator"):
    """``value`` if it is None or has a ``memalloc`` or ``memalloc_async`` method (an
    ``nvmath.memory.BaseCUDAMemoryManager`` or ``BaseCUDAMemoryManagerAsync``)."""
    if value is None or callable(getattr(value, "memalloc", None)) or callable(getattr(value, "memalloc_async", None)):
        return value
    raise ValueError(
        f"{name}={value!r} is not supported; accepted: an nvmath.memory.BaseCUDAMemoryManager "
        "(an object with a memalloc(size, stream) method), a BaseCUDAMemoryManagerAsync (with "
        "memalloc_async(size, stream)), or None (the operand package's pool)"
    )


def check_execution(
    execution, name: str = "execution", *, default: str | None = "cuda", operand_space: str | None = None
):
    """Return an :class:`ExecutionCUDA` or :class:`ExecutionCPU` from ``execution``.

    Accepted: an instance of either class (returned as is); ``"cuda"`` or ``"cpu"`` (any case);
    a dict of that class's fields with a ``"name"`` key (``"cuda"``/``"cpu"``), e.g.
    ``{"name": "cuda", "device_id": 1}``, or without one where ``operand_space`` says where the
    operands live (as nvmath-python: ``{"num_threads": 4}`` for host operands is the CPU); or
    ``None``, which gives the default-constructed space named by ``default`` (``None`` is
    returned as is when ``default`` is None, so that the caller can choose from the operands).
    Another type raises :class:`~nvmath._internal.validate.ArgumentTypeError` (a TypeError and
    nvmath-python's ValueError).
    """
    if execution is None:
        if default is None:
            return None
        return EXECUTION_SPACES[default]()
    if isinstance(execution, (ExecutionCUDA, ExecutionCPU)):
        return execution
    spaces = ", ".join(map(repr, EXECUTION_SPACES))
    if isinstance(execution, str):
        key = execution.lower()
        if key not in EXECUTION_SPACES:
            raise ValueError(
                f"{name}={execution!r} is not supported; accepted: {spaces}, an "
                f"ExecutionCUDA or ExecutionCPU object, or a dict with a 'name' key"
            )
        return EXECUTION_SPACES[key]()
    if isinstance(execution, dict):
        space = execution.get("name", operand_space)
        if not isinstance(space, str) or space.lower() not in EXECUTION_SPACES:
            raise ValueError(f"{name}={execution!r}: the dict needs a 'name' key, one of {spaces}; got name={space!r}")
        return _from_dict(execution, EXECUTION_SPACES[space.lower()], name, ignore=("name",))
    raise ArgumentTypeError(
        f"{name}={execution!r} (of type {type(execution).__name__}) is not supported; "
        f"accepted: {spaces}, an ExecutionCUDA or ExecutionCPU object, a dict with a "
        f"'name' key, or None"
    )
