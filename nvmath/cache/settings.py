"""Cache settings: where the cache lives, whether it is used, and how large it may grow.

Settings come from three places, the first one set winning:

1. :func:`configure` (from Python);
2. the environment: ``NVMATH_CACHE_DIR``, ``NVMATH_CACHE``, ``NVMATH_CACHE_MAX_BYTES``;
3. the defaults: the user cache directory (``~/.cache/nvmath`` on Linux), enabled, 1 GiB.

The process-wide cache (:func:`nvmath.cache.get_cache`) reads them when it is first used and again
after every :func:`configure` call; changing the environment of a running process has no effect
until then.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from pathlib import Path

from nvmath._internal.environment import FALSE_WORDS, TRUE_WORDS

from ._diagnostics import warn_once

__all__ = [
    "CacheSettings",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MEMORY_BYTES",
    "ENV_DIR",
    "ENV_ENABLED",
    "ENV_MAX_BYTES",
    "configure",
    "default_directory",
    "get_settings",
    "parse_size",
    "user_cache_root",
]

ENV_DIR = "NVMATH_CACHE_DIR"
ENV_ENABLED = "NVMATH_CACHE"
ENV_MAX_BYTES = "NVMATH_CACHE_MAX_BYTES"

DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB on disk
DEFAULT_MEMORY_BYTES = 64 << 20  # 64 MiB in the in-process LRU

# The words of every on/off switch of nvmath's environment.
_TRUE, _FALSE = TRUE_WORDS, FALSE_WORDS
_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d*)?)\s*([kmgt]?)(?:i?b)?\s*\Z", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


@dataclasses.dataclass(frozen=True)
class CacheSettings:
    """The resolved settings of the cache.

    Attributes
    ----------
    directory : pathlib.Path
        Root of the persistent store. Entries live under ``directory / "v1"``.
    enabled : bool
        ``False`` turns the cache off: lookups always miss and nothing is stored, in memory or on
        disk.
    max_bytes : int
        Size cap of the persistent store; least recently used entries are evicted beyond it.
    memory_bytes : int
        Size cap of the in-process LRU in front of the store (0 disables it).
    explicit_directory : bool
        ``True`` when the user chose the directory (``NVMATH_CACHE_DIR`` or
        ``configure(directory=...)``). For information only: wherever the path comes from, a
        directory that others could change is refused (see :mod:`nvmath.cache.store`).
    """

    directory: Path
    enabled: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    explicit_directory: bool = False


_lock = threading.Lock()
_overrides: dict[str, object] = {}
_generation = 0


def user_cache_root() -> Path:
    """Return the user's cache directory that holds every application's cache (``~/.cache``)."""
    import platformdirs  # only needed when no directory is given

    return Path(platformdirs.user_cache_dir())


def default_directory() -> Path:
    """Return the default cache directory, ``platformdirs.user_cache_dir("nvmath")``."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("nvmath", appauthor=False))


def parse_size(text: str | int) -> int:
    """Parse a byte count such as ``"1073741824"``, ``"512M"``, ``"1.5GiB"`` or ``"64 KiB"``.

    Suffixes K, M, G and T (optionally followed by ``B`` or ``iB``) are powers of 1024.

    Raises
    ------
    ValueError
        If *text* is not a non-negative size.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"a size must be non-negative, got {text}")
        return text
    match = _SIZE_RE.match(str(text))
    if match is None:
        raise ValueError(
            f"cannot read {text!r} as a size in bytes; expected an integer, optionally followed "
            "by K, M, G or T (powers of 1024), for example '1073741824' or '512M'"
        )
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[unit.lower()])


def _env_enabled() -> bool:
    raw = os.environ.get(ENV_ENABLED)
    if raw is None or raw.strip() == "":
        return True
    value = raw.strip().lower()
    if value in _FALSE:
        return False
    if value not in _TRUE:
        warn_once(
            f"env-enabled:{raw}",
            f"ignoring {ENV_ENABLED}={raw!r}: expected one of 0/1, false/true, no/yes, off/on; the cache stays enabled",
        )
    return True


def _env_max_bytes() -> int:
    raw = os.environ.get(ENV_MAX_BYTES)
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_BYTES
    try:
        value = parse_size(raw)
        if value <= 0:
            raise ValueError("the cap must be positive")
    except ValueError as error:
        warn_once(
            f"env-max-bytes:{raw}",
            f"ignoring {ENV_MAX_BYTES}={raw!r} ({error}); using the default of {DEFAULT_MAX_BYTES} bytes",
        )
        return DEFAULT_MAX_BYTES
    return value


def _env_directory() -> Path | None:
    raw = os.environ.get(ENV_DIR)
    if raw is None or raw.strip() == "":
        return None
    return _normalize_directory(raw)


def _normalize_directory(directory: str | os.PathLike) -> Path:
    return Path(os.path.abspath(os.path.expanduser(os.fspath(directory))))


def get_settings() -> CacheSettings:
    """Return the settings in force now (values from :func:`configure`, else the environment).

    Returns
    -------
    CacheSettings
        A frozen snapshot; later changes do not alter it.
    """
    with _lock:
        overrides = dict(_overrides)
    if "directory" in overrides:
        directory, explicit = overrides["directory"], True
    else:
        env_dir = _env_directory()
        directory, explicit = (env_dir, True) if env_dir is not None else (default_directory(), False)
    return CacheSettings(
        directory=directory,
        enabled=overrides["enabled"] if "enabled" in overrides else _env_enabled(),
        max_bytes=overrides["max_bytes"] if "max_bytes" in overrides else _env_max_bytes(),
        memory_bytes=overrides.get("memory_bytes", DEFAULT_MEMORY_BYTES),
        explicit_directory=explicit,
    )


def configure(
    directory: str | os.PathLike | None = None,
    enabled: bool | None = None,
    max_bytes: int | None = None,
    *,
    memory_bytes: int | None = None,
    reset: bool = False,
) -> CacheSettings:
    """Change the cache settings of this process.

    Arguments left as ``None`` keep their current value. Every call, even one without arguments,
    drops the process-wide cache object, so that the next :func:`nvmath.cache.get_cache` builds a
    new one from the settings (and re-reads the environment for values not set here).

    Parameters
    ----------
    directory : str or os.PathLike, optional
        Root of the persistent store. Like any other, it is refused (memory only, one warning) if
        someone other than you or root could change it: writable by group or others, owned by
        another user, or below such a directory.
    enabled : bool, optional
        ``False`` turns the cache off (no lookups, nothing stored, in memory or on disk).
    max_bytes : int, optional
        Size cap of the persistent store in bytes; must be positive.
    memory_bytes : int, optional
        Size cap of the in-process LRU in bytes; 0 disables it.
    reset : bool, default False
        Forget every value set by earlier calls before applying these, returning to the
        environment and the defaults.

    Returns
    -------
    CacheSettings
        The settings now in force.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or an invalid value; nothing is changed then.
    """
    updates: dict[str, object] = {}
    if directory is not None:
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be a str or os.PathLike, got {type(directory).__name__}")
        if os.fspath(directory) == "":
            raise ValueError("directory must not be empty")
        updates["directory"] = _normalize_directory(directory)
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled must be a bool, got {type(enabled).__name__} ({enabled!r})")
        updates["enabled"] = enabled
    if max_bytes is not None:
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
            raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
        updates["max_bytes"] = max_bytes
    if memory_bytes is not None:
        if not isinstance(memory_bytes, int) or isinstance(memory_bytes, bool) or memory_bytes < 0:
            raise ValueError(f"memory_bytes must be a non-negative int, got {memory_bytes!r}")
        updates["memory_bytes"] = memory_bytes

    global _generation
    with _lock:
        if reset:
            _overrides.clear()
        _overrides.update(updates)
        _generation += 1
    return get_settings()


def generation() -> int:
    """Return a counter that :func:`configure` increments (the process-wide cache compares it)."""
    return _generation
