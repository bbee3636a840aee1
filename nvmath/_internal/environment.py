"""On/off switches read from the environment, all spelled and reported the same way."""

from __future__ import annotations

import logging
import os

__all__ = ["flag", "choice", "TRUE_WORDS", "FALSE_WORDS"]

#: What turns a switch on or off (compared in lower case, spaces stripped).
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})

_WARNED: set = set()


def flag(name: str, default: bool, *, logger: logging.Logger | None = None, what: str = "") -> bool:
    """The switch ``name`` of the environment: ``default`` where it is unset or empty.

    A value that is neither on (``1``, ``true``, ``yes``, ``on``) nor off (``0``, ``false``,
    ``no``, ``off``) keeps ``default`` and is logged once as a warning on ``logger`` (nvmath's
    own by default), saying what stays as it was: ``what`` (for example ``"the checks"``)."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    if value and (name, value) not in _WARNED:
        _WARNED.add((name, value))  # once a value, not at every call that reads the switch
        state = "on" if default else "off"
        (logger or logging.getLogger("nvmath")).warning(
            "%s=%r is not supported; accepted: 1 or 0 (true/false, yes/no, on/off); %s %s",
            name,
            raw,
            what or "it stays",
            f"stay {state}" if what else state,
        )
    return default


def choice(name: str, choices: tuple, default: str, *, logger: logging.Logger | None = None, what: str = "") -> str:
    """The setting ``name`` of the environment, one of ``choices`` (compared in lower case, spaces
    stripped): ``default`` where it is unset or empty. Another value keeps ``default`` and is
    logged once as a warning on ``logger`` (nvmath's own by default), naming the accepted
    values and what stays as it was: ``what`` (for example ``"the checks print"``)."""
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in choices:
        return value
    if value and (name, value) not in _WARNED:
        _WARNED.add((name, value))
        (logger or logging.getLogger("nvmath")).warning(
            "%s=%r is not supported; accepted: %s; %s",
            name,
            raw,
            ", ".join(choices),
            what or f"{default} stays",
        )
    return default
