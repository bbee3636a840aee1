"""The general entry point: a Python device function → LTO-IR with a chosen C prototype.

Every compile goes through :mod:`nvmath.cache`: the key is made of the function's
fingerprint, its types and prototype, the target, the options and the toolchain, and a hit
returns the stored LTO-IR without importing Numba.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import warnings

# The cache is imported with the compiler (it loads no Numba): a warm compile is then one
# fingerprint, one key and one file read.
from nvmath import cache as _cache

from . import ltoir
from .arch import check_target, resolve_target
from .cabi import CSignature, check_symbol
from .ltoir import LTOIR
from .typespec import VOID, default_ctype, type_key
from .versions import toolchain_identity

__all__ = ["compile_device_function", "CacheBypassWarning"]

logger = logging.getLogger("nvmath.jit")

# Bump when the generated wrapper changes, so entries made by older code are not reused.
_WRAPPER_ABI = "nvmath-cwrapper-2"  # 2: aligned pointers, bounded offsets, IR fast-math flags


class CacheBypassWarning(RuntimeWarning):
    """A function captures something that cannot be hashed deterministically, so its
    compiled code is not cached (it is still compiled)."""


def _check_flag(value, name: str) -> bool:
    """``value`` as a bool if it is one (Python or NumPy); a string such as ``"no"`` is refused."""
    numpy = sys.modules.get("numpy")  # a NumPy bool exists only once NumPy is imported
    if isinstance(value, bool) or (numpy is not None and isinstance(value, numpy.bool_)):
        return bool(value)
    raise TypeError(f"{name}={value!r} is not supported; accepted: True or False")


def _cache_enabled() -> bool:
    return _cache.get_cache().enabled


def _fingerprint(func):
    """The function's cache fingerprint, or ``None`` with a warning when it has none."""
    try:
        return _cache.fingerprint_function(func)
    except _cache.UnhashableCapture as e:
        name = getattr(func, "__qualname__", repr(func))
        message = f"{name} is compiled without the persistent cache: {e}"
        logger.warning(message)
        warnings.warn(message, CacheBypassWarning, stacklevel=4)
        return None


def compile_device_function(
    func,
    arg_types,
    return_type,
    *,
    symbol: str | None = None,
    c_signature=None,
    compute_capability=None,
    fastmath: bool = False,
    kind: str = "device_function",
    element_type=None,
    user_info_type=None,
    describe: str | None = None,
    cache: bool = True,
    cxx_alias: bool = False,
    aligned=None,
    max_values=None,
) -> LTOIR:
    """Compile a Python function to LTO-IR that exports ``symbol`` with an exact C prototype.

    Parameters
    ----------
    func : callable
        A Python function (or a ``numba.cuda.jit(device=True)`` dispatcher) that Numba can
        compile for the GPU. Globals and closure variables are frozen in as constants.
    arg_types : sequence
        The types the function sees: Numba types (``types.CPointer(types.complex64)``...) or
        NumPy dtypes for scalars, :func:`nvmath.jit.pointer` for pointers.
    return_type :
        The return type, ``numba.types.void`` (or ``None``) for none; the function's result
        is converted to it.
    symbol : str, optional
        The exported name, a C identifier; default ``nvmath_<kind>_<function name>_<hash>``,
        unique per function, types and target.
    c_signature : CSignature or (return, [args]), optional
        The C prototype callers use, in C type names (``"void*"``, ``"unsigned long long"``,
        ``"float2"``...). By default each type maps to its natural C type (pointers to
        ``void*``, complex values to ``float2``/``double2``).
    compute_capability : optional
        The target (``"sm_90"``, ``(9, 0)``...); default the current device's, else an error.
        It must be one the installed libNVVM and nvJitLink know
        (:func:`nvmath.jit.arch.supported_targets`).
    fastmath : bool
        LLVM's fast-math flags on every floating-point operation (no NaN, no infinity, no
        signed zero, reassociation, contraction: a complex times a real becomes two
        multiplies), kept in the LTO-IR whoever links it; and numba-cuda's fast math
        (approximate intrinsics, flushing denormals where NVVM makes the final code).
    kind : str
        Recorded in the artifact: ``"device_function"``, ``"prolog"``, ``"epilog"``...
    element_type, user_info_type : optional
        Recorded in the artifact (FFT callbacks).
    describe : str, optional
        How errors name the function and its expected signature.
    cache : bool
        Use the persistent cache (:mod:`nvmath.cache`).
    cxx_alias : bool
        Also export the function under the C++ (Itanium) name of ``symbol`` with this
        prototype (:meth:`CSignature.cxx_mangled_name`), for callers that declare it without
        ``extern "C"``. cuFFT declares LTO callbacks that way.
    aligned : dict, optional
        ``{parameter index: bytes}``, a promise the callers make: those pointer parameters
        are aligned to that many bytes (a power of two), so the code may load and store
        through them with vector instructions (a ``float2`` as one 8-byte access). Calling
        the function with a less aligned pointer is undefined behaviour.
    max_values : dict, optional
        ``{parameter index: bound}``, another promise: those integer parameters never exceed
        ``bound`` (a power of two minus one; ``2**63 - 1`` for cuFFT's 64-bit unsigned
        offsets), so arithmetic on them needs no care for larger values.

    Returns
    -------
    LTOIR
        The LTO-IR, a ``bytes`` object with metadata.

    Raises
    ------
    TypeError
        If ``fastmath``, ``cxx_alias`` or ``cache`` is not a bool, or ``symbol`` not a str.
    ValueError
        If ``symbol`` is not a C identifier, or ``compute_capability`` not a target the
        installed toolchain knows (the message lists those it does).
    NoTargetError
        If no ``compute_capability`` is given and there is no CUDA device.
    CompileError
        If Numba cannot compile ``func`` for these types.
    """
    if not callable(func):
        raise TypeError(f"func must be a Python function, got {type(func).__name__}: {func!r}")
    fastmath = _check_flag(fastmath, "fastmath")
    cxx_alias = _check_flag(cxx_alias, "cxx_alias")
    cache = _check_flag(cache, "cache")
    if symbol is not None:
        check_symbol(symbol)
    # The toolchain is asked whether it knows the target on a miss only: a hit loads neither
    # libNVVM nor nvJitLink, and an entry exists only for a target that compiled.
    target = resolve_target(compute_capability, check=False)
    arg_types = tuple(arg_types)
    if return_type is None:
        return_type = VOID
    if isinstance(c_signature, CSignature):
        csig = c_signature
    elif c_signature is not None:
        csig = CSignature.parse(*c_signature)
    else:
        csig = CSignature.parse(
            default_ctype(return_type),
            [default_ctype(t) for t in arg_types],
        )
    if len(csig.arg_types) != len(arg_types):
        raise ValueError(f"c_signature {csig} has {len(csig.arg_types)} parameters but arg_types has {len(arg_types)}")
    # The default symbol must be a C identifier too: "<lambda>" becomes "_lambda_".
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{kind}_{getattr(func, '__name__', 'function')}")

    components = {
        "abi": _WRAPPER_ABI,
        "kind": kind,
        "arg_types": json.dumps([type_key(t) for t in arg_types]),
        "return_type": type_key(return_type),
        "c_signature": str(csig),
        "target": target.sm,
        "options": f"fastmath={fastmath}",
        "element_type": str(element_type),
        "user_info_type": str(user_info_type),
        "cxx_alias": str(cxx_alias),
        "aligned": json.dumps(sorted((int(i), int(a)) for i, a in (aligned or {}).items())),
        "max_values": json.dumps(sorted((int(i), int(b)) for i, b in (max_values or {}).items())),
        **{f"toolchain.{k}": v for k, v in toolchain_identity().items()},
    }
    from nvmath import __version__

    components["toolchain.nvmath"] = __version__
    fingerprint = _fingerprint(func) if cache and _cache_enabled() else None
    key = None
    if fingerprint is not None:
        CacheKey, get_cache = _cache.CacheKey, _cache.get_cache
        components["function"] = fingerprint
        components["symbol"] = symbol or ""  # "" is never a valid symbol: it stands for the default
        components["artifact_format"] = str(ltoir.fileformat.FORMAT_VERSION)
        key = CacheKey("ltoir", components)
        if symbol is None:
            symbol = f"nvmath_{name}_{key.digest[:12]}"
        hit = get_cache().get(key)
        if hit is not None:
            try:
                artifact = ltoir.loads(hit, source=f"cache entry {key.digest[:16]}")
            except ltoir.ArtifactFormatError as e:  # the store checked its hash: a foreign payload
                logger.warning("ignoring cache entry for %s: %s", symbol, e)
            else:
                logger.debug("cache hit for %s (%s)", symbol, key.digest[:16])
                return artifact
        logger.debug("cache miss for %s (%s)", symbol, key.digest[:16])
    elif symbol is None:
        import hashlib

        symbol = f"nvmath_{name}_{hashlib.sha256(json.dumps(components, sort_keys=True).encode()).hexdigest()[:12]}"

    check_target(target, spec=compute_capability)

    from . import _numba_backend as backend
    from .versions import producer_versions

    start = time.perf_counter()
    nb_args = [backend.as_numba_type(t) for t in arg_types]
    nb_ret = backend.as_numba_type(return_type)
    aliases = (csig.cxx_mangled_name(symbol),) if cxx_alias else ()
    code = backend.compile_ltoir(
        func,
        nb_args,
        nb_ret,
        csig,
        symbol,
        target,
        fastmath=fastmath,
        describe=describe,
        aliases=aliases,
        aligned=aligned,
        max_values=max_values,
    )
    producers = producer_versions()
    artifact = LTOIR(
        code,
        symbol=symbol,
        kind=kind,
        target=target.sm,
        c_signature=str(csig),
        element_type=element_type,
        user_info_type=user_info_type,
        producers=producers,
    )
    logger.info(
        "compiled %s (%s %s) for %s in %.0f ms", symbol, kind, csig, target, (time.perf_counter() - start) * 1e3
    )
    if key is not None:
        # The payload is the artifact file itself, so a hit restores the metadata too.
        get_cache().put(key, ltoir.dumps(artifact), meta={"symbol": symbol, "kind": kind})
    return artifact
