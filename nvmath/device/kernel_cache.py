"""Warm Numba kernels across processes: linked cubins kept in :mod:`nvmath.cache`.

numba-cuda will not disk-cache a kernel that links external code, so a kernel calling cuFFTDx
or any LTO-IR device function is typed, lowered, compiled and linked again in every process.
:func:`jit` is ``numba.cuda.jit`` with a cache of its own plugged into the dispatcher (the
same ``load_overload``/``save_overload`` protocol as Numba's cache): the linked cubin of each
specialization is stored under a key made of the kernel's code and captures (nvmath's
fingerprint, which covers every captured device function and its LTO-IR), the argument types,
the target and the toolchain; a later process with the same key loads the cubin and skips
typing, lowering, code generation and linking.

Plain ``numba.cuda.jit`` kernels get the same cache through an opt-in hook
(:func:`nvmath.device.enable_plain_kernel_cache`, ``NVMATH_PLAIN_KERNEL_CACHE=1``), and
:func:`precompile` fills the cache for a target without a GPU.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import struct

from nvmath import cache as _cache
from nvmath.jit.versions import toolchain_identity

__all__ = ["jit", "KernelCache", "precompile"]

logger = logging.getLogger("nvmath.device")

_MAGIC = b"NVMKRNL1"
_PREFIX = struct.Struct("<8sI")
# Bump when what is stored (or how it is rebuilt) changes. kernel-3: kernels compiled on a miss
# are linked without the unused globals (nvmath.device._kernel_link).
_SCHEMA = "kernel-3"


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
    """The cache a kernel's dispatcher consults before compiling a specialization.

    It speaks Numba's cache protocol (``load_overload``/``save_overload``, as
    ``numba.cuda.jit(cache=True)``'s cache does), so :func:`jit` installs one in each dispatcher,
    and :func:`nvmath.device.enable_plain_kernel_cache` in plain ``numba.cuda.jit`` dispatchers.
    :meth:`load` and :meth:`store` take the target explicitly and need no GPU.

    Parameters
    ----------
    dispatcher : numba.cuda dispatcher
        The kernel (an object with ``py_func`` and ``targetoptions``).

    Attributes
    ----------
    hits, misses : int
        Lookups of this process that found, or did not find, a linked cubin.
    """

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self._enabled = True
        self._fingerprint = None
        self._link_digest = None
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

    def key(self, argtypes, cc, link=None):
        """The cache key of the specialization for ``argtypes`` on compute capability ``cc``,
        or None (with a logged reason) when the kernel cannot be fingerprinted. ``link``: how
        the kernel is linked (one of ``nvmath.device._kernel_link.KERNEL_LINKS``), by default
        as this process links the kernels it compiles."""
        if self._fingerprint is None:
            try:
                self._fingerprint = _cache.fingerprint_function(self.dispatcher.py_func)
                self._link_digest = _link_digest(self.dispatcher.targetoptions.get("link"))
            except (_cache.UnhashableCapture, OSError) as e:
                logger.warning("kernel %s is not cached across processes: %s", self.dispatcher.py_func.__qualname__, e)
                self._fingerprint = False
        if not self._fingerprint:
            return None
        options = {k: _option_text(k, v) for k, v in sorted(self.dispatcher.targetoptions.items()) if k != "link"}
        components = {
            "schema": _SCHEMA,
            "function": self._fingerprint,
            "link": self._link_digest,
            "argtypes": json.dumps([str(t) for t in argtypes]),
            "target": f"sm_{cc[0]}{cc[1]}{cc[2] if len(cc) > 2 else ''}",
            "options": json.dumps(options, sort_keys=True),
            "kernel-link": link or _kernel_link_mode(),
            **{f"toolchain.{k}": v for k, v in toolchain_identity().items()},
        }
        from nvmath import __version__
        from nvmath.jit.versions import package_version

        from ._mathdx_code import NVRTC_OPTIONS

        components["toolchain.nvmath"] = __version__
        components["toolchain.nvidia-libmathdx-cu13"] = package_version("nvidia-libmathdx-cu13")
        # How the libmathdx code a kernel links was generated: a cubin linked with LTO-IR
        # generated otherwise is stale.
        components["toolchain.libmathdx-nvrtc"] = " ".join(NVRTC_OPTIONS)
        # Kernels compiled without the array-length checks are other code.
        from ._extern import array_check_report, array_checks_enabled

        components["array-checks"] = str(array_checks_enabled())
        components["array-check-report"] = array_check_report()
        return _cache.CacheKey("cubin", components)

    @staticmethod
    def _target():
        from numba.cuda.cudadrv import devices

        cc = devices.get_context().device.compute_capability
        return launch_target(cc)

    def load(self, argtypes, cc, link=None):
        """The kernel for ``argtypes`` on target ``cc`` (``(major, minor, suffix)``) rebuilt
        from a cached cubin, without compiling anything, or None (counted as a miss).

        Needs no GPU: the kernel's module is loaded at its first launch."""
        argtypes = tuple(argtypes)
        if not self._enabled:
            return None
        key = self.key(argtypes, cc, link)
        if key is None:
            return None
        payload = _cache.get_cache().get(key)
        if payload is None:
            self.misses += 1
            logger.debug("kernel cache miss for %s%s", self.dispatcher.py_func.__qualname__, argtypes)
            return None
        try:
            meta, cubin = decode_kernel(payload)
            kernel = _rebuild(meta, cubin, argtypes, cc, extensions=self.dispatcher.targetoptions.get("extensions"))
        except (ValueError, KeyError) as e:
            logger.info("ignoring a kernel cache entry: %s", e)
            self.misses += 1
            return None
        self.hits += 1
        logger.info(
            "kernel %s%s loaded from the cache (%d bytes of cubin)",
            self.dispatcher.py_func.__qualname__,
            tuple(str(t) for t in argtypes),
            len(cubin),
        )
        return kernel

    def store(self, argtypes, cc, cubin: bytes, meta: dict, link=None) -> None:
        """Keep the linked ``cubin`` of the specialization for ``argtypes`` on target ``cc``;
        ``meta`` holds what :meth:`load` needs to rebuild the kernel (``entry_name``...)."""
        if not self._enabled:
            return
        key = self.key(tuple(argtypes), cc, link)
        if key is None:
            return
        meta = {**meta, "cc": list(cc)}
        _cache.get_cache().put(
            key, encode_kernel(meta, bytes(cubin)), meta={"kind": "kernel", "symbol": meta["entry_name"][:80]}
        )

    def load_overload(self, sig, target_context):
        cc = self._target()
        check_device_objects(self.dispatcher.py_func, cc[:2])  # before compiling, or loading, anything
        if not self._enabled:
            return None
        from numba.core import sigutils

        argtypes, _ = sigutils.normalize_signature(sig)
        kernel = self.load(argtypes, cc)
        if kernel is None:
            kernel = self._compile_on_miss(argtypes, cc)
            if kernel is not None:
                _count_as_compiled(self.dispatcher, sig)
            return kernel
        if kernel._codelibrary._setup_functions:
            from numba import cuda

            # numba-cuda sets a module up only when it binds a kernel it compiled: a loaded one
            # with a set-up callback binds here (its module loads now rather than at launch),
            # where a device is there to load it on.
            if cuda.is_available():
                kernel.bind()
        return kernel

    def save_overload(self, sig, kernel):
        if not self._enabled:
            return
        from numba.core import sigutils

        argtypes, _ = sigutils.normalize_signature(sig)
        self._save(argtypes, kernel, self._target())

    def _compile_on_miss(self, argtypes, cc):
        """On a miss, the kernel compiled as its dispatcher would and linked without the unused globals
        (:mod:`nvmath.device._kernel_link`), stored, its module loaded; or None, where numba-cuda
        compiles it its own way (``NVMATH_DEVICE_KERNEL_LINK=numba``, debug kernels, a kernel
        that cannot be fingerprinted, a dispatcher that may not compile, a numba-cuda without
        the pieces this needs). numba-cuda counts what this returns as a hit of its cache."""
        from . import _kernel_link

        dispatcher = self.dispatcher
        if (
            _kernel_link.kernel_link() != "nvmath"
            or dispatcher.targetoptions.get("debug")
            or not getattr(dispatcher, "_can_compile", True)
            or self.key(argtypes, cc) is None
            or not _kernel_link.supported()
        ):
            return None
        kernel, dropped = _kernel_link.compile_kernel(dispatcher, argtypes, cc)
        kernel.bind()  # as numba-cuda does after compiling: the module loads (and is set up) here
        logger.info(
            "kernel %s%s compiled and linked%s",
            dispatcher.py_func.__qualname__,
            tuple(str(t) for t in argtypes),
            ", unused globals dropped" if dropped else "",
        )
        self._save(argtypes, kernel, cc)
        return kernel

    def _save(self, argtypes, kernel, cc):
        if getattr(kernel, "debug", False):
            return  # debug kernels carry exception state that is rebuilt only by compiling
        if getattr(kernel, "launch_config_sensitive", False):
            # Its code depends on the launch configuration, which the key does not hold.
            logger.info("kernel %s is not cached: it is launch-configuration sensitive", kernel.entry_name[:80])
            return
        library = kernel._codelibrary
        from ._kernel_link import has_foreign_module_callbacks

        if has_foreign_module_callbacks(library):
            # Linked code with module set-up callbacks (NRT...): a rebuilt kernel would lack them.
            logger.info("kernel %s is not cached: its linked code has module callbacks", kernel.entry_name[:80])
            return
        image = library.get_cubin(cc=cc)
        # numba-cuda keeps a cuda.core ObjectCode (older releases: bytes); the cache keeps bytes.
        cubin = image.code if hasattr(image, "code") else bytes(image)
        meta = {
            "entry_name": kernel.entry_name,
            "cooperative": bool(kernel.cooperative),
            "container": "cuda.core" if hasattr(image, "code") else "bytes",
            "lineinfo": bool(kernel.lineinfo),
            "shared_memory_carveout": kernel.shared_memory_carveout,
            "launch_config_sensitive": False,
            # The device-side array checks' record, set up when the module loads (the one
            # callback a rebuilt kernel gets back).
            "array_check_record": bool(getattr(library, "_setup_functions", None)),
        }
        self.store(argtypes, cc, cubin, meta)


def _count_as_compiled(dispatcher, sig) -> None:
    """numba-cuda counts what ``load_overload`` returns as a hit of its cache (``kernel.stats``):
    a kernel compiled there counts as a miss instead (the dispatcher adds the hit after this)."""
    hits, misses = getattr(dispatcher, "_cache_hits", None), getattr(dispatcher, "_cache_misses", None)
    if hits is not None and misses is not None:
        hits[sig] -= 1
        misses[sig] += 1


def _kernel_link_mode() -> str:
    from ._kernel_link import kernel_link

    return kernel_link()


def launch_target(cc) -> tuple:
    """The target numba-cuda links a kernel for on a device of compute capability ``cc``:
    ``(major, minor, "a")`` from 9.0 on (architecture-specific), else ``(major, minor, "")``."""
    from nvmath.jit.arch import Target

    target = Target(int(cc[0]), int(cc[1])).kernel_target()
    return (target.major, target.minor, target.suffix)


def _option_text(name, value) -> str:
    # Extensions are launch-time argument adapters: their types (and an nvmath fingerprint where
    # they have one) identify them; their repr would hold an address that differs in each process.
    if name == "extensions" and isinstance(value, (list, tuple)):
        parts = []
        for ext in value:
            method = getattr(type(ext), "__nvmath_fingerprint__", None)
            parts.append(f"{type(ext).__module__}.{type(ext).__qualname__}" + (f":{method(ext)}" if method else ""))
        return repr(parts)
    return repr(value)


def _link_item_bytes(item) -> bytes:
    if isinstance(item, (str, os.PathLike)):
        with open(item, "rb") as f:
            return f.read()
    data = getattr(item, "data", None)
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise OSError(f"cannot read the code of link item {item!r}")


def _link_digest(link) -> str:
    """SHA-256 over the contents of the kernel's ``link=`` items (files by content, so that code
    written to a new temporary file in each process still hits)."""
    h = hashlib.sha256()
    for item in link or ():
        data = _link_item_bytes(item)
        h.update(len(data).to_bytes(8, "little") + hashlib.sha256(data).digest())
    return h.hexdigest()


def check_device_objects(py_func, device_cc) -> None:
    """Refuse a kernel that captures a device object (FFT, Matmul, random generator) generated
    for a target that cannot run on compute capability ``device_cc``, naming both.

    Raises
    ------
    ValueError
        Naming the object, its target, the device's and how to make a fitting one.
    """
    from nvmath.jit.arch import Target

    from ._object import DeviceObject

    code = py_func.__code__
    candidates = [py_func.__globals__.get(name) for name in code.co_names]
    candidates += [cell.cell_contents for cell in (py_func.__closure__ or ()) if _filled(cell)]
    for obj in candidates:
        target = getattr(obj, "sm", None) if isinstance(obj, DeviceObject) else None
        if target is not None and not isinstance(target, Target):
            # Matmul.sm and FFT.sm are ComputeCapability (major, minor, arch), as nvmath-python's
            target = Target(target.major, target.minor, target.arch)
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


def _rebuild(meta, cubin, argtypes, cc, extensions=None):
    """A numba-cuda kernel object around a cached cubin (what Numba's own cache does with its
    pickled state, without the LLVM IR). ``extensions``: the dispatcher's launch-time argument
    adapters (``numba.cuda.jit(extensions=...)``), which the kernel applies at each launch."""
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
    if meta.get("array_check_record"):
        from ._array_check_record import setup_module

        library._setup_functions.append(setup_module)
    return _Kernel._rebuild(
        cooperative=meta["cooperative"],
        name=meta["entry_name"],
        signature=typing.signature(types.void, *argtypes),
        codelibrary=library,
        debug=False,
        lineinfo=meta["lineinfo"],
        call_helper=None,
        extensions=list(extensions or []),
        shared_memory_carveout=meta["shared_memory_carveout"],
        launch_config_sensitive=meta["launch_config_sensitive"],
    )


def entry_names(cubin: bytes) -> list[str]:
    """The kernels (entry functions) a cubin defines: ELF function symbols marked
    ``STO_CUDA_ENTRY``.

    Raises
    ------
    ValueError
        If ``cubin`` is not a 64-bit little-endian ELF image.
    """
    return [name for name, kind, other in cubin_symbols(cubin) if kind == 2 and other & _STO_CUDA_ENTRY]


def cubin_symbols(cubin: bytes) -> list[tuple[str, int, int]]:
    """``(name, type, other)`` of each symbol in a cubin's symbol tables (``type``: the ELF
    ``STT_`` value, 1 an object, 2 a function; ``other``: ``st_other``, CUDA's flags).

    Raises
    ------
    ValueError
        If ``cubin`` is not a 64-bit little-endian ELF image.
    """
    data = bytes(cubin)
    if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF cubin")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2 or not entsize:  # SHT_SYMTAB
            continue
        strtab = sections[link][4]
        for j in range(size // entsize):
            st_name, st_info, st_other = struct.unpack_from("<IBB", data, offset + j * entsize)
            start = strtab + st_name
            symbols.append((data[start : data.index(b"\0", start)].decode(), st_info & 0xF, st_other))
    return symbols


_STO_CUDA_ENTRY = 0x10


@contextlib.contextmanager
def device_functions_compiled_for(cc):
    """Compile the device functions (``numba.cuda.jit(device=True)``) that kernels call for
    compute capability ``cc`` (``(major, minor)``) within the block, whatever the GPU, or
    without one.

    numba-cuda compiles a device function for the current device's compute capability and
    keeps one overload an argument-type tuple: without a GPU it cannot compile a kernel that
    calls one (its driver is needed to ask the device), and with a GPU of another compute
    capability the kernel would link the device's code (which fails where the device is newer
    than ``cc``). Where the current device is not of ``cc``, the block sees a device of ``cc``
    in numba-cuda's dispatcher module, and each device function's overloads are set aside and
    put back after it, so that the ones compiled in it, for ``cc``, are not used elsewhere.
    Holds numba's compiler lock.
    """
    from numba.core.compiler_lock import global_compiler_lock

    from nvmath.jit.arch import current_device_target

    cc = (int(cc[0]), int(cc[1]))
    device = current_device_target()
    if device is not None and (device.major, device.minor) == cc:
        yield
        return
    import gc
    import types as pytypes

    from numba.cuda import dispatcher as numba_dispatcher

    with global_compiler_lock:
        # type(obj), not isinstance: the latter reads obj.__class__, which some objects answer
        # with a warning (torch's deprecated aliases).
        dispatcher_class = numba_dispatcher.CUDADispatcher
        device_functions = [
            obj
            for obj in gc.get_objects()
            if issubclass(type(obj), dispatcher_class) and obj.targetoptions.get("device")
        ]
        stashed = [(d, dict(d.overloads)) for d in device_functions]
        for d, _ in stashed:
            d.overloads.clear()
        current = numba_dispatcher.get_current_device
        numba_dispatcher.get_current_device = lambda: pytypes.SimpleNamespace(compute_capability=cc)
        try:
            yield
        finally:
            numba_dispatcher.get_current_device = current
            for d, overloads in stashed:
                d.overloads.clear()
                d.overloads.update(overloads)


def precompile(kernel, signature, compute_capability) -> dict:
    """Compile and link a kernel for a target into nvmath's cache, without a GPU.

    A later process whose device has that compute capability launches the kernel from the
    cache (no typing, lowering, NVVM or nvJitLink): the kernel is an :func:`nvmath.device.jit`
    kernel, or a plain ``numba.cuda.jit`` kernel while
    :func:`nvmath.device.enable_plain_kernel_cache` is on. Useful to warm the cache where the
    code is built (a container image, CI) rather than where it runs.

    Parameters
    ----------
    kernel : numba.cuda dispatcher
        From ``numba.cuda.jit`` or :func:`nvmath.device.jit` (not a device function).
    signature : tuple of Numba types, or a signature string
        The argument types, as the launch will type them (``(types.complex64[:, ::1],)``).
    compute_capability : tuple, str or Target
        The device's compute capability (``(9, 0)``, ``"sm_90"``); kernels are linked for its
        architecture-specific target (``sm_90a``) from 9.0 on, as numba-cuda does.

    Returns
    -------
    dict
        ``entry_name``, ``target`` and the cubin's size in ``cubin_bytes``.

    Raises
    ------
    TypeError
        If ``kernel`` is not a kernel dispatcher, or is a device function.
    ValueError
        If ``kernel`` has ``debug=True`` (such kernels are never cached), cannot be
        fingerprinted, or captures device code generated for another target.
    nvmath.jit.LinkError
        If nvJitLink fails (for example a kernel using grid synchronization, which needs
        ``cudadevrt``).
    """
    from numba import cuda
    from numba.core import sigutils

    from nvmath.jit import link
    from nvmath.jit.arch import parse_target
    from nvmath.jit.link import detect_input_kind

    py_func = getattr(kernel, "py_func", None)
    options = getattr(kernel, "targetoptions", None)
    if py_func is None or not isinstance(options, dict):
        raise TypeError(f"kernel={kernel!r} is not supported; accepted: a numba.cuda.jit or nvmath.device.jit kernel")
    if options.get("device"):
        raise TypeError(f"kernel={py_func.__qualname__} is a device function; accepted: a kernel")
    if options.get("debug"):
        raise ValueError(f"kernel={py_func.__qualname__} has debug=True: debug kernels are not cached")
    target = parse_target(compute_capability)
    cc = launch_target(target.cc)
    check_device_objects(py_func, target.cc)
    argtypes, _ = sigutils.normalize_signature(signature)
    cache = getattr(kernel, "nvmath_cache", None) or KernelCache(kernel)
    if cache.key(argtypes, cc, "nvmath") is None:
        raise ValueError(f"kernel={py_func.__qualname__} cannot be fingerprinted, so it cannot be cached (see the log)")
    with device_functions_compiled_for(target.cc):
        codes, _ = cuda.compile_all(
            py_func,
            tuple(argtypes),
            device=False,
            abi="numba",
            output="ltoir",
            cc=cc,
            fastmath=bool(options.get("fastmath", False)),
            lineinfo=bool(options.get("lineinfo", False)),
            opt=options.get("opt", True),
            launch_bounds=options.get("launch_bounds"),
        )
    inputs = [c if isinstance(c, (bytes, bytearray)) else _link_item_bytes(c) for c in codes]
    inputs += [_link_item_bytes(item) for item in options.get("link") or ()]
    extra = []
    if all(detect_input_kind(data) == "ltoir" for data in inputs):
        # nvJitLink sees every use of a global only where all the code is LTO-IR.
        extra += unused_globals_link_options([*codes, *(options.get("link") or ())])
    if options.get("max_registers"):
        extra.append(f"-maxrregcount={int(options['max_registers'])}")
    if options.get("lineinfo"):
        extra.append("-lineinfo")
    sm = f"sm_{cc[0]}{cc[1]}{cc[2]}"
    cubin = link(inputs, compute_capability=sm, options=extra)
    entries = entry_names(cubin)
    if len(entries) != 1:
        raise ValueError(f"linked cubin of {py_func.__qualname__} has {len(entries)} entry points, expected 1")
    from numba.cuda.cudadrv import driver

    from ._array_check_record import setup_module

    meta = {
        "entry_name": entries[0],
        "cooperative": False,
        # The form numba-cuda's own linker returns: a cuda.core ObjectCode where it uses cuda.core.
        "container": "cuda.core" if hasattr(driver, "ObjectCode") else "bytes",
        "lineinfo": bool(options.get("lineinfo", False)),
        "shared_memory_carveout": _carveout(options.get("shared_memory_carveout")),
        "launch_config_sensitive": False,
        "array_check_record": any(getattr(c, "setup_callback", None) is setup_module for c in codes),
    }
    cache.store(argtypes, cc, cubin, meta, link="nvmath")
    logger.info("kernel %s%s precompiled for %s", py_func.__qualname__, tuple(str(t) for t in argtypes), sm)
    return {"entry_name": entries[0], "target": sm, "cubin_bytes": len(cubin)}


def unused_globals_link_options(items) -> tuple[str, ...]:
    """nvJitLink options that drop the device globals no device code references, for a kernel
    linked from ``items`` (what ``numba.cuda.compile_all`` returned, and the kernel's ``link``
    files), or ``()`` where some item may have globals that the host touches.

    libmathdx's LTO-IR defines thousands of globals its functions never use (libcu++'s tag
    constants, ``.nv.global.init`` tables), and a link keeps every one unless told which globals
    the host touches: the chained-GEMM example's kernel links into 1.76 MB (8,850 symbols)
    against 67 KB with the same SASS (sm_90, read offline). The host touches the globals of a
    module only through module callbacks (numba-cuda's ``setup_callback``/``teardown_callback``,
    or its NRT): code with callbacks other than the array checks' record keeps them all.
    """
    from ._array_check_record import HOST_SYMBOLS, setup_module

    for item in items:
        callbacks = [getattr(item, name, None) for name in ("setup_callback", "teardown_callback")]
        if [c for c in callbacks if c is not None and c is not setup_module] or getattr(item, "nrt", False):
            return ()
    return (f"-variables-used={','.join(HOST_SYMBOLS)}",)


def _carveout(value):
    # As numba-cuda's kernels hold it: None, or a percentage (-1: the driver's default).
    if value is None or isinstance(value, int):
        return value
    return {"default": -1, "maxl1": 0, "maxshared": 100}[str(value).lower()]


def install(dispatcher) -> KernelCache:
    """Make ``dispatcher`` (a ``numba.cuda.jit`` kernel) look up and keep its linked cubins in
    nvmath's cache; returns its :class:`KernelCache` (also its ``nvmath_cache`` attribute)."""
    cache = getattr(dispatcher, "nvmath_cache", None)
    if isinstance(cache, KernelCache) and dispatcher._cache is cache:
        return cache
    cache = KernelCache(dispatcher)
    dispatcher._cache = cache  # numba's cache protocol: load_overload/save_overload
    dispatcher.nvmath_cache = cache
    return cache


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

    Notes
    -----
    On a miss the kernel is compiled as ``numba.cuda.jit`` compiles it, then linked without the
    device globals that no code uses (libmathdx's code defines thousands): its module loads in
    well under a millisecond where numba-cuda's link of the same kernel took 48 ms on an H100.
    ``NVMATH_DEVICE_KERNEL_LINK=numba`` keeps numba-cuda's own link.
    """
    if "cache" in options:
        raise TypeError("nvmath.device.jit caches kernels itself; remove cache=")
    if options.get("device"):
        raise TypeError("nvmath.device.jit is for kernels; use numba.cuda.jit(device=True) for device functions")
    from numba import cuda

    def decorate(f):
        dispatcher = cuda.jit(**options)(f)
        install(dispatcher)
        return dispatcher

    return decorate(func) if func is not None else decorate


# NVMATH_PLAIN_KERNEL_CACHE=1 gives plain numba.cuda.jit kernels this cache too; read when
# nvmath.device is imported, before any kernel compiles (Numba is imported only then).
if os.environ.get("NVMATH_PLAIN_KERNEL_CACHE", "").strip():
    from ._plain_kernels import enable_from_environment as _enable_from_environment

    _enable_from_environment()
