"""A persistent, content-addressed store for compiled artifacts (LTO-IR, cubins).

The cache knows nothing about what the bytes mean. A producer builds a :class:`CacheKey` from
everything that determines its artifact, looks it up, and stores what it compiled on a miss::

    from nvmath.cache import CacheKey, UnhashableCapture, fingerprint_function, get_cache

    try:
        key = CacheKey("ltoir", {"function": fingerprint_function(func), "target": "sm_90", ...})
    except UnhashableCapture as why:
        key = None  # compile without the cache, and log why.reason
    payload = get_cache().get(key) if key else None
    if payload is None:
        payload = compile(...)
        if key:
            get_cache().put(key, payload, meta={"symbol": name})

Where the cache lives and whether it is used: :func:`configure`, or the environment variables
``NVMATH_CACHE_DIR``, ``NVMATH_CACHE=0`` and ``NVMATH_CACHE_MAX_BYTES`` (see
:mod:`nvmath.cache.settings`). The cache holds code, so a directory that someone other than you (or
root) could change is refused, with one warning, wherever its path comes from (see
:mod:`nvmath.cache.store`). ``python -m nvmath.cache info|list|clear|prune`` inspects and
maintains it. Everything is logged to the ``"nvmath.cache"`` logger.

Importing this package imports neither Numba, CuPy nor PyTorch, and neither does a cache hit.
"""

from ._diagnostics import CacheWarning
from .fingerprint import UnhashableCapture, fingerprint_function
from .keys import CacheKey
from .settings import CacheSettings, configure, get_settings
from .store import ArtifactCache, CacheStats, EntryInfo, RemovalResult, get_cache

__all__ = [
    "ArtifactCache",
    "CacheKey",
    "CacheSettings",
    "CacheStats",
    "CacheWarning",
    "EntryInfo",
    "RemovalResult",
    "UnhashableCapture",
    "configure",
    "fingerprint_function",
    "get_cache",
    "get_settings",
]
