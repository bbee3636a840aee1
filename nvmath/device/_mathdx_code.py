"""What the libmathdx-backed device objects share: LTO-IR from a descriptor, and the cache of a
descriptor's traits and code.

Reading a trait or finalizing code makes libmathdx compile (tens of milliseconds to seconds), so
both are cached together under the descriptor's components: a process that finds them needs
neither libmathdx nor NVRTC.
"""

from __future__ import annotations

import json

__all__ = ["libmathdx_version", "cached", "cached_traits", "store", "finalize_ltoir"]


def libmathdx_version() -> str:
    """The installed libmathdx, from its wheel's metadata (no library load), else the library's."""
    from nvmath.jit.versions import package_version

    version = package_version("nvidia-libmathdx-cu13")
    if version == "absent":
        from nvmath.bindings import mathdx as dx

        version = ".".join(map(str, dx.mathdxGetVersionEx()))
    return version


def cached(components: dict) -> tuple[dict, bytes] | None:
    """The traits and LTO-IR stored for a descriptor, or None."""
    from nvmath import cache as _cache

    cache = _cache.get_cache()
    traits = cache.get(_cache.CacheKey("traits", components))
    ltoir = cache.get(_cache.CacheKey("ltoir", components))
    if traits is None or ltoir is None:
        return None
    return json.loads(traits), ltoir


def cached_traits(memo: dict, memo_key, components: dict, marker: str, compute) -> dict:
    """A descriptor's traits from the process (``memo[memo_key]``), else nvmath's cache (a JSON
    object under ``components`` that has the key ``marker``; anything else there is ignored),
    else ``compute()`` (libmathdx), then kept in both."""
    found = memo.get(memo_key)
    if found is not None:
        return found
    from nvmath import cache as _cache

    key = _cache.CacheKey("traits", components)
    cache = _cache.get_cache()
    raw = cache.get(key)
    if raw is not None:
        try:
            result = json.loads(raw)
        except ValueError:
            result = None
        if isinstance(result, dict) and marker in result:
            memo[memo_key] = result
            return result
    result = compute()
    cache.put(key, json.dumps(result).encode())
    memo[memo_key] = result
    return result


def store(components: dict, traits: dict, ltoir: bytes, **meta: str) -> None:
    """Keep a descriptor's traits (JSON-able) and LTO-IR for later processes."""
    from nvmath import cache as _cache

    cache = _cache.get_cache()
    cache.put(_cache.CacheKey("ltoir", components), ltoir, meta=meta)
    cache.put(_cache.CacheKey("traits", components), json.dumps(traits).encode())


def finalize_ltoir(dx, finalize, handle: int, target, info: dict | None = None) -> bytes:
    """The LTO-IR of descriptor ``handle``: ``finalize(code, handle)`` (``cufftdxFinalizeCode``...)
    into a code object for ``target``. ``info``, when given, receives ``"isa"``: the PTX ISA
    version of the code as libmathdx encodes it (``12080`` for 12.8), or 0 when unknown."""
    code = dx.commondxCreateCode()
    try:
        # LTO-IR is the default container (libmathdx 0.4 refuses the container option).
        dx.commondxSetCodeOptionInt64(code, dx.CommondxOption.TARGET_SM, target.major * 100 + target.minor * 10)
        finalize(code, handle)
        if info is not None:
            try:
                info["isa"] = int(dx.commondxGetCodeOptionInt64(code, dx.CommondxOption.CODE_ISA))
            except dx.MathDxError:
                info["isa"] = 0
        return dx.commondx_get_code_ltoir(code)
    finally:
        dx.commondxDestroyCode(code)
