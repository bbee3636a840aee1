"""The cache's logger and its one warning category.

Every module of :mod:`nvmath.cache` logs through the logger named ``"nvmath.cache"``, so one
``logging.getLogger("nvmath.cache").setLevel(logging.DEBUG)`` shows every hit, miss and its reason.
"""

from __future__ import annotations

import logging
import threading
import warnings

__all__ = ["CacheWarning", "logger", "warn_once"]

logger = logging.getLogger("nvmath.cache")


class CacheWarning(UserWarning):
    """A problem that made the cache fall back to a safer mode (for example, memory only).

    The cache never raises for such problems: compilation goes on, only slower. Filter this
    category with :mod:`warnings` to silence them.
    """


_warned: set[str] = set()
_warned_lock = threading.Lock()


def warn_once(key: str, message: str, *, stacklevel: int = 3) -> bool:
    """Warn (and log) *message* the first time *key* is seen in this process.

    Returns ``True`` when the warning was emitted, ``False`` when it had been already.
    """
    with _warned_lock:
        if key in _warned:
            return False
        _warned.add(key)
    logger.warning(message)
    warnings.warn(message, CacheWarning, stacklevel=stacklevel)
    return True
