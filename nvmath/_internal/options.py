"""Validation and coercion of user options, in one place.

Every message names the parameter (or field), the value given, and what is accepted.
"""

from __future__ import annotations

import dataclasses

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA

__all__ = ["check_options", "check_choice", "check_execution", "EXECUTION_SPACES"]

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
    if isinstance(value, bool) != isinstance(choice, bool):
        return False
    try:
        return bool(value == choice)
    except Exception:
        return False


def check_choice(value, accepted, name: str):
    """Return ``value`` if it is one of ``accepted``, else raise :class:`ValueError`.

    The message reads ``"name=value is not supported; accepted: a, b, c"``.
    """
    accepted = tuple(accepted)
    for choice in accepted:
        if _same_choice(value, choice):
            return value
    raise ValueError(f"{name}={value!r} is not supported; accepted: {', '.join(map(repr, accepted))}")


def check_execution(execution, name: str = "execution", *, default: str | None = "cuda"):
    """Return an :class:`ExecutionCUDA` or :class:`ExecutionCPU` from ``execution``.

    Accepted: an instance of either class (returned as is); ``"cuda"`` or ``"cpu"`` (any case);
    a dict with a ``"name"`` key (``"cuda"``/``"cpu"``) and the fields of that class, e.g.
    ``{"name": "cuda", "device_id": 1}``; or ``None``, which gives the default-constructed space
    named by ``default`` (``None`` is returned as is when ``default`` is None, so that the caller
    can choose from the operands).
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
        space = execution.get("name")
        if not isinstance(space, str) or space.lower() not in EXECUTION_SPACES:
            raise ValueError(f"{name}={execution!r}: the dict needs a 'name' key, one of {spaces}; got name={space!r}")
        return _from_dict(execution, EXECUTION_SPACES[space.lower()], name, ignore=("name",))
    raise TypeError(
        f"{name}={execution!r} (of type {type(execution).__name__}) is not supported; "
        f"accepted: {spaces}, an ExecutionCUDA or ExecutionCPU object, a dict with a "
        f"'name' key, or None"
    )
