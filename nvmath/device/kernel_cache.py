"""Warm Numba kernels across processes: linked cubins kept in :mod:`nvmath.cache`.

numba-cuda will not disk-cache a kernel that links external code, so a kernel calling cuFFTDx
or any LTO-IR device function is typed, lowered, compiled and linked again in every process.
:func:`jit` is ``numba.cuda.jit`` with a cache of its own plugged into the dispatcher (the
same ``load_overload``/``save_overload`` protocol as Numba's cache): the linked cubin of each
specialization is stored under a key made of the kernel's code and captures (nvmath's
fingerprint, which covers every captured device function and its LTO-IR), the argument types,
the target and the toolchain; a later process with the same key loads the cubin and skips
typing, lowering, code generation and linking.
"""

from __future__ import annotations

import json
import logging
import struct

from nvmath import cache as _cache
from nvmath.jit.versions import toolchain_identity

__all__ = ["jit", "KernelCache"]

logger = logging.getLogger("nvmath.device")

_MAGIC = b"NVMKRNL1"
_PREFIX = struct.Struct("<8sI")
# Bump when what is stored (or how it is rebuilt) changes.
_SCHEMA = "kernel-1"


def encode_kernel(meta: dict, cubin: bytes) -> bytes:
    """The cache payload of a kernel: magic, JSON metadata, cubin."""
    header = json.dumps(meta, sort_keys=True).encode()
    return _PREFIX.pack(_MAGIC, len(header)) + header + bytes(cubin)


def decode_kernel(payload: bytes) -> tuple[dict, bytes]:
    """Inverse of :func:`encode_kernel`; raises ValueError on a foreign payload."""
    if len(payload) < _PREFIX.size:
        raise ValueError("kernel cache payload is too short")
    magic, size = _PREFIX.unpack_from(payload)
    if magic != _MAGIC:
        raise ValueError(f"not a kernel cache payload (magic {magic!r})")
    start = _PREFIX.size
    return json.loads(payload[start : start + size]), payload[start + size :]


class KernelCache:
    """The cache a :func:`jit` dispatcher consults before compiling a specialization."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self._enabled = True
        self._fingerprint = None
        self.hits = 0
        self.misses = 0

    # Numba's cache protocol ------------------------------------------------------------------
    def enable(self):
        self._enabled = True

    def disable(self):
        self._enabled = False

    def flush(self):
        pass

    @property
    def cache_path(self):
        return _cache.get_cache().location

    def key(self, argtypes, cc):
        """The cache key of the specialization for ``argtypes`` on compute capability ``cc``,
        or None (with a logged reason) when the kernel cannot be fingerprinted."""
        if self._fingerprint is None:
            try:
                self._fingerprint = _cache.fingerprint_function(self.dispatcher.py_func)
            except _cache.UnhashableCapture as e:
                logger.warning("kernel %s is not cached across processes: %s", self.dispatcher.py_func.__qualname__, e)
                self._fingerprint = False
        if not self._fingerprint:
            return None
        options = {k: repr(v) for k, v in sorted(self.dispatcher.targetoptions.items()) if k != "link"}
        components = {
            "schema": _SCHEMA,
            "function": self._fingerprint,
            "argtypes": json.dumps([str(t) for t in argtypes]),
            "target": f"sm_{cc[0]}{cc[1]}{cc[2] if len(cc) > 2 else ''}",
            "options": json.dumps(options, sort_keys=True),
            **{f"toolchain.{k}": v for k, v in toolchain_identity().items()},
        }
        from nvmath import __version__
        from nvmath.jit.versions import package_version

        components["toolchain.nvmath"] = __version__
        components["toolchain.nvidia-libmathdx-cu13"] = package_version("nvidia-libmathdx-cu13")
        return _cache.CacheKey("cubin", components)

    @staticmethod
    def _target():
        from numba.cuda.cudadrv import devices

        cc = devices.get_context().device.compute_capability
        # numba-cuda links for the architecture-specific target on sm_90 and newer.
        return (cc[0], cc[1], "a" if cc >= (9, 0) else "")

    def load_overload(self, sig, target_context):
        cc = self._target()
        check_device_objects(self.dispatcher.py_func, cc[:2])  # before compiling, or loading, anything
        if not self._enabled:
            return None
        from numba.core import sigutils

        argtypes, _ = sigutils.normalize_signature(sig)
        key = self.key(argtypes, cc)
        if key is None:
            return None
        payload = _cache.get_cache().get(key)
        if payload is None:
            self.misses += 1
            logger.debug("kernel cache miss for %s%s", self.dispatcher.py_func.__qualname__, argtypes)
            return None
        try:
            meta, cubin = decode_kernel(payload)
            kernel = _rebuild(meta, cubin, argtypes, cc)
        except (ValueError, KeyError) as e:
            logger.info("ignoring a kernel cache entry: %s", e)
            return None
        self.hits += 1
        logger.info(
            "kernel %s%s loaded from the cache (%d bytes of cubin)",
            self.dispatcher.py_func.__qualname__,
            tuple(str(t) for t in argtypes),
            len(cubin),
        )
        return kernel

    def save_overload(self, sig, kernel):
        if not self._enabled:
            return
        from numba.core import sigutils

        argtypes, _ = sigutils.normalize_signature(sig)
        cc = self._target()
        key = self.key(argtypes, cc)
        if key is None:
            return
        if getattr(kernel, "debug", False):
            return  # debug kernels carry exception state that is rebuilt only by compiling
        image = kernel._codelibrary.get_cubin(cc=cc)
        # numba-cuda keeps a cuda.core ObjectCode (older releases: bytes); the cache keeps bytes.
        cubin = image.code if hasattr(image, "code") else bytes(image)
        meta = {
            "entry_name": kernel.entry_name,
            "cooperative": bool(kernel.cooperative),
            "container": "cuda.core" if hasattr(image, "code") else "bytes",
            "cc": list(cc),
            "lineinfo": bool(kernel.lineinfo),
            "shared_memory_carveout": kernel.shared_memory_carveout,
            "launch_config_sensitive": bool(getattr(kernel, "launch_config_sensitive", False)),
        }
        _cache.get_cache().put(
            key, encode_kernel(meta, cubin), meta={"kind": "kernel", "symbol": kernel.entry_name[:80]}
        )


def check_device_objects(py_func, device_cc) -> None:
    """Refuse a kernel that captures a device object (FFT, Matmul, random generator) generated
    for a target that cannot run on compute capability ``device_cc``, naming both.

    Raises
    ------
    ValueError
        Naming the object, its target, the device's and how to make a fitting one.
    """
    from ._object import DeviceObject

    code = py_func.__code__
    candidates = [py_func.__globals__.get(name) for name in code.co_names]
    candidates += [cell.cell_contents for cell in (py_func.__closure__ or ()) if _filled(cell)]
    for obj in candidates:
        target = getattr(obj, "sm", None) if isinstance(obj, DeviceObject) else None
        if target is not None and not target.runs_on(device_cc):
            raise ValueError(
                f"kernel {py_func.__qualname__} uses {obj!r}, generated for {target}, which cannot run on this "
                f"device (sm_{device_cc[0]}{device_cc[1]}): create it with sm=None (the current device) or "
                f"sm={tuple(device_cc)!r}"
            )


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - reading an empty cell raises
    except ValueError:  # an empty cell
        return False
    return True


def _rebuild(meta, cubin, argtypes, cc):
    """A numba-cuda kernel object around a cached cubin (what Numba's own cache does with its
    pickled state, without the LLVM IR)."""
    from numba.core import types, typing
    from numba.cuda.codegen import CUDACodeLibrary
    from numba.cuda.dispatcher import _Kernel

    if tuple(meta["cc"]) != tuple(cc):
        raise ValueError(f"entry is for {meta['cc']}, the device is {cc}")
    if meta.get("container") == "cuda.core":
        from cuda.core import ObjectCode

        cubin = ObjectCode.from_cubin(bytes(cubin), name=meta["entry_name"])
    library = CUDACodeLibrary._rebuild(
        None,
        meta["entry_name"],
        meta["entry_name"],
        llvm_strs=[],
        ptx_cache={},
        cubin_cache={tuple(cc): cubin},
        linkerinfo_cache={},
        max_registers=None,
        nvvm_options={},
        needs_cudadevrt=False,
        nrt=False,
        use_cooperative=meta["cooperative"],
        lto=False,
    )
    return _Kernel._rebuild(
        cooperative=meta["cooperative"],
        name=meta["entry_name"],
        signature=typing.signature(types.void, *argtypes),
        codelibrary=library,
        debug=False,
        lineinfo=meta["lineinfo"],
        call_helper=None,
        extensions=[],
        shared_memory_carveout=meta["shared_memory_carveout"],
        launch_config_sensitive=meta["launch_config_sensitive"],
    )


def jit(func=None, **options):
    """``numba.cuda.jit`` whose compiled kernels persist in nvmath's cache across processes.

    Parameters
    ----------
    func : callable, optional
        The kernel (used as ``@nvmath.device.jit`` or ``@nvmath.device.jit(...)``).
    **options
        Options of ``numba.cuda.jit`` (``fastmath``, ``lineinfo``, ``max_registers``...).
        ``cache=`` is not accepted: this is the cache.

    Returns
    -------
    numba.cuda dispatcher
        Launched as usual: ``kernel[grid, block, stream, shared_mem](*args)``; its
        ``nvmath_cache`` attribute counts this process's hits and misses.
    """
    if "cache" in options:
        raise TypeError("nvmath.device.jit caches kernels itself; remove cache=")
    if options.get("device"):
        raise TypeError("nvmath.device.jit is for kernels; use numba.cuda.jit(device=True) for device functions")
    from numba import cuda

    def decorate(f):
        dispatcher = cuda.jit(**options)(f)
        dispatcher._cache = KernelCache(dispatcher)  # numba's cache protocol: load_overload/save_overload
        dispatcher.nvmath_cache = dispatcher._cache
        return dispatcher

    return decorate(func) if func is not None else decorate
