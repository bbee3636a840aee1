"""What the libmathdx-backed device objects share: LTO-IR from a descriptor, and the cache of a
descriptor's traits and code.

Reading a trait or finalizing code makes libmathdx compile (tens of milliseconds to seconds), so
both are cached together under the descriptor's components: a process that finds them needs
neither libmathdx nor NVRTC.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re

__all__ = [
    "libmathdx_version",
    "cached",
    "cached_traits",
    "descriptor",
    "store",
    "finalize_ltoir",
    "refusal",
    "target_sm",
    "NVRTC_OPTIONS",
]

logger = logging.getLogger(__name__)

#: What libmathdx passes to NVRTC for every device function (``CommondxOption.EXTRA_NVRTC_ARGS``).
#: ``-gen-opt-lto`` runs NVVM's optimizer on the library's code before it is written as LTO-IR.
#: Without it the LTO-IR is unoptimized, and the link-time optimizer, which inlines it into the
#: kernel's loop, leaves loop-invariant work there: cuBLASDx's tests of ``alpha`` and ``beta``
#: stayed in the loop of ``Matmul.execute`` (32x32x64 complex half: 287 SASS instructions per
#: iteration instead of 251, some 2% slower on an H200). Part of the LTO-IR's cache key.
NVRTC_OPTIONS = ("-gen-opt-lto",)


def _ltoir_key(components: dict):
    from nvmath import cache as _cache

    return _cache.CacheKey("ltoir", {**components, "nvrtc_options": " ".join(NVRTC_OPTIONS)})


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
    ltoir = cache.get(_ltoir_key(components))
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
    cache.put(_ltoir_key(components), ltoir, meta=meta)
    cache.put(_cache.CacheKey("traits", components), json.dumps(traits).encode())


@contextlib.contextmanager
def descriptor(dx, prefix: str, library: str, operators, what: str):
    """A libmathdx descriptor of ``prefix``'s API (``"cublasdx"``, ``"cufftdx"``) with
    ``operators`` set (``(operator, value, name)`` each; a value an int or a list of ints),
    destroyed on exit. An operator the library refuses is a :class:`ValueError` that names it,
    ``library`` (its display name) and ``what`` the descriptor describes."""
    handle = getattr(dx, prefix + "CreateDescriptor")()
    set_one, set_many = getattr(dx, prefix + "SetOperatorInt64"), getattr(dx, prefix + "SetOperatorInt64s")
    try:
        for operator, value, name in operators:
            try:
                if isinstance(value, list):
                    set_many(handle, operator, len(value), value)
                else:
                    set_one(handle, operator, int(value))
            except dx.MathDxError as e:
                raise ValueError(f"{library} does not support {name} for {what}: {e}") from None
        yield handle
    finally:
        getattr(dx, prefix + "DestroyDescriptor")(handle)


_STATIC_ASSERTION = re.compile(r'static assertion failed with "((?:[^"\\]|\\.)*)"')


def _unsupported_by_libmathdx_class():
    from nvmath.bindings.mathdx import LibMathDxError

    class UnsupportedByLibMathDx(ValueError, LibMathDxError):
        """A description libmathdx refuses: a ValueError here, and the ``LibMathDxError`` (of
        :mod:`nvmath.bindings.mathdx`) nvmath-python raises for it, so that code written for
        either catches it. ``status`` is libmathdx's (``COMMONDX_INVALID_VALUE`` where this
        project refused before asking)."""

        def __init__(self, message: str, status: int = 1):
            Exception.__init__(self, message)
            self.status = status

        def __reduce__(self):
            return type(self), (str(self), int(self.status))

    UnsupportedByLibMathDx.__module__ = __name__
    UnsupportedByLibMathDx.__qualname__ = "UnsupportedByLibMathDx"
    return UnsupportedByLibMathDx


def __getattr__(name):
    # Made on first use: its base class lives in the binding, which importing a device face
    # must not load (nor Numba).
    if name == "UnsupportedByLibMathDx":
        cls = globals()[name] = _unsupported_by_libmathdx_class()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def refusal(error: Exception, library: str, what: str) -> ValueError | None:
    """A clear :class:`ValueError` for a libmathdx compilation error that is the library's own
    refusal of a description (its ``static_assert`` messages, in order, each once), or None
    for any other error.

    Some combinations pass every operator and trait query and fail only when libmathdx
    compiles the code (an odd real FFT with the packed layout, more than 1024 threads a
    block): the user gets the library's reasons, not the compiler's log, which is logged at
    DEBUG level.
    """
    detail = getattr(error, "detail", None) or ""
    reasons: list[str] = []
    for match in _STATIC_ASSERTION.finditer(detail):
        text = match.group(1).strip()
        if text and text not in reasons:
            reasons.append(text)
    if not reasons:
        return None
    logger.debug("%s refused %s; the compiler's log:\n%s", library, what, detail)
    unsupported = __getattr__("UnsupportedByLibMathDx")
    return unsupported(f"{library} does not support {what}: " + "; ".join(reasons), int(error.status))


def target_sm(dx, target) -> list[int]:
    """``target`` as libmathdx's SM operator and code option take it: ``[900]`` for sm_90,
    ``[900, ARCH_SPECIFIC]`` for sm_90a, ``[1000, FAMILY_SPECIFIC]`` for sm_100f."""
    sm = [target.major * 100 + target.minor * 10]
    modifier = {"a": dx.CommondxArchModifier.ARCH_SPECIFIC, "f": dx.CommondxArchModifier.FAMILY_SPECIFIC}
    if target.suffix in modifier:
        sm.append(int(modifier[target.suffix]))
    return sm


def finalize_ltoir(dx, finalize, handle: int, target, info: dict | None = None) -> bytes:
    """The LTO-IR of descriptor ``handle``: ``finalize(code, handle)`` (``cufftdxFinalizeCode``...)
    into a code object for ``target``, compiled with :data:`NVRTC_OPTIONS`. ``info``, when given,
    receives ``"isa"``: the PTX ISA version of the code as libmathdx encodes it (``12080`` for
    12.8), or 0 when unknown."""
    code = dx.commondxCreateCode()
    try:
        # LTO-IR is the default container (libmathdx 0.4 refuses the container option).
        sm = target_sm(dx, target)
        dx.commondxSetCodeOptionInt64s(code, dx.CommondxOption.TARGET_SM, len(sm), sm)
        dx.commondxSetCodeOptionStrs(code, dx.CommondxOption.EXTRA_NVRTC_ARGS, len(NVRTC_OPTIONS), list(NVRTC_OPTIONS))
        finalize(code, handle)
        if info is not None:
            try:
                info["isa"] = int(dx.commondxGetCodeOptionInt64(code, dx.CommondxOption.CODE_ISA))
            except dx.MathDxError:
                info["isa"] = 0
        return dx.commondxGetCodeLTOIR(code, dx.commondxGetCodeLTOIRSize(code))
    finally:
        dx.commondxDestroyCode(code)
