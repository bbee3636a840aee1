"""FFT prologs and epilogs on the CPU: the same Python functions as on the GPU, compiled with
Numba for the CPU and applied in one parallel pass over the data.

The pass runs in chunks on a thread pool of nvmath's own (the compiled loops release the GIL),
not in Numba's parallel loops: an OpenMP pool keeps its threads spinning after each parallel
region, and they then take the cores from scipy.fft's workers in the next transform (measured:
the pass plus the following FFT took 1.5x as long).

What a pass costs: the callback is compiled into a scalar loop (LLVM's cost model does not
vectorize loads at computed offsets such as ``user_info[offset % 4096]``; a plain Numba loop
that it does vectorize was no faster), about 4 cycles an element for ``value *
user_info[offset % 4096]`` on complex64: 1.5-2x NumPy's broadcast multiply on one thread, so
the pass pays off only where it runs on more threads than the multiply it replaces.
Measured again for issue 17 (LLVM 22, Zen 3, one thread, data in cache, NumPy's multiply
0.45 ms): cutting the dense loop into segments that end at rows and at 1024 elements (each
segment's values first copied to a local buffer, so that in-place output does not defeat
LLVM's alias checks) lets LLVM vectorize ``user_info[offset % 4096]`` with contiguous loads,
0.62 ms without the bounds check; with it (an OR-reduced flag and masked loads, complex
user_info loaded as one integer so the phi is scalar) the loop vectorizes but builds the
index vector lane by lane, 1.13 ms, no faster than this scalar loop (1.06 ms). The check is
what stands between the pass and NumPy's speed.
Later in issue 17 (same host, in place): a row-by-row pass with the row length compiled in,
each row segment's values copied to a local buffer and a check that only flags a bad index
(an OR reduction) with masked loads of user_info vectorizes: 0.76 ms against 1.12 ms for the
scalar pass (NumPy 0.69 ms), 3.15 against 4.06 ms on (4096, 1024); but where the index does
not fold to a contiguous one it is slower (rows of 2049: 2.57 against 1.59 ms; complex128 rows
of 65536: 12.6 against 6.0 ms), so a plan keeps the faster of the two by a trial
(:func:`faster_pass`), and a flagged bad index is named by the recording pass. Since the row
pass gives the callback a :class:`~nvmath.fft._cpu_row_offset.RowOffset`, ``offset % m`` is the
column on rows of any length ``m``: on an R2C result's rows of 2049 the row pass took 0.083 ms
against the scalar pass's 0.35 ms in the trial (127 rows, one thread, 2-core Zen 4 host).

The callback sees what it sees on the GPU: typed pointers to the data and to ``user_info``,
and the element ``offset`` in the layout the transform reads (prolog) or writes (epilog).
``user_info[i]`` is bounds-checked against the array given as ``data``: an index outside it
raises :class:`IndexError` after the pass (it reads zeros and writes nothing meanwhile). What
the check costs, measured on the row-by-row pass that plans run ((256, 4096) complex64, epilog
``value * user_info[offset % 4096]``, 2-core Zen 4 host, ``benchmarks/fft_cpu_callback_warm.py``):
for float32 user_info 23% of the pass alone on two threads (0.28 against 0.23 ms), 3% of FFT
plus epilog; for records of two float32 (``value * r.gain + r.bias``), read whole with one
masked load (:class:`~nvmath.fft._cpu_compile.ReadOnlyRecord`), 5% of the pass alone and 3% of
FFT plus epilog, where record references (a select of the record's address, which kept the
loads scalar) cost 2.6x the pass alone and 21% of FFT plus epilog.

Persistence: a compiled pass is machine code with a C entry point (see
:mod:`nvmath.fft._cpu_compile`); its relocatable object goes to :mod:`nvmath.cache` (tier
``"cpu"``), keyed by the callback's fingerprint, the kind, the element and user_info types,
the host CPU (name and features: the code is specific to it), the platform and the versions
of Numba, llvmlite and nvmath. A hit loads the object with llvmlite's JIT linker and calls it
through ctypes, which releases the GIL: no Numba import, no typing, no LLVM compile. A
callback that cannot be fingerprinted is compiled in every process (logged).
"""

from __future__ import annotations

import ctypes
import functools
import json
import logging
import os
import struct
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from nvmath._internal.tensor import c_strides

from .callbacks import describe_callback

__all__ = ["CpuPass", "get_pass", "prolog_pass", "epilog_pass", "SUPPORTED_USER_INFO"]

#: Bump when the generated pass changes (arguments, semantics): entries of older code are not reused.
_PASS_ABI = "nvmath-cpu-pass-7"
_MAGIC = b"nvmath-cpu-pass\n"

#: user_info element kinds the CPU path compiles (Numba's CPU target has no float16).
SUPPORTED_USER_INFO = (
    "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, complex64, "
    "complex128, and structured dtypes (records) of these"
)
_SCALARS = frozenset(
    np.dtype(t)
    for t in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
)

# The C prototype of a pass (see nvmath.fft._cpu_compile).
_P, _I = ctypes.c_void_p, ctypes.c_int64
_PROTOTYPE = ctypes.CFUNCTYPE(_I, _P, _P, _P, _I, _P, _P, _I, _I, _I, _I, _I, _P)

_lock = threading.Lock()  # compiles and loads, one at a time
_pool_lock = threading.Lock()
_passes: dict = {}


def unsupported_user_info(dtype) -> str | None:
    """Why the CPU path cannot take user_info of ``dtype`` (None: it can)."""
    dtype = np.dtype(dtype)
    if dtype.names is None:
        if dtype.subdtype is not None:
            return unsupported_user_info(dtype.subdtype[0])
        return None if dtype in _SCALARS else f"{dtype} is not supported"
    for name in dtype.names:
        why = unsupported_user_info(dtype.fields[name][0])
        if why is not None:
            return f"field {name!r}: {why}"
    return None


class CpuPass:
    """A compiled prolog or epilog pass, callable from any thread.

    Attributes
    ----------
    kind : str
        ``"prolog"`` or ``"epilog"``.
    element : numpy.dtype
        The data's element type.
    what : str
        How messages name the callback (``"the epilog scale"``).
    """

    def __init__(self, kind, element, what, address, keep, row_length=None, records=True):
        self.kind = kind
        self.row_length = row_length  # compiled in (see compile_pass); chunks end at whole rows
        self.element = np.dtype(element)
        self.what = what
        self.function = _PROTOTYPE(address)
        self._keep = keep  # the code's owner (and, for id() keys, the function)
        # False: an index outside user_info is only flagged (see get_pass).
        self.records = records


# -- compile or load -----------------------------------------------------------------------------


def _dtype_key(dtype: np.dtype) -> str:
    return f"{dtype.descr}|{dtype.itemsize}|{dtype.isalignedstruct}"


@functools.cache
def _llvm():
    import llvmlite.binding as ll

    ll.initialize_native_target()
    ll.initialize_native_asmprinter()
    return ll


@functools.cache
def host_cpu() -> tuple[str, str, str]:
    """``(triple, CPU name, CPU features)`` of this host, as LLVM sees them."""
    ll = _llvm()
    try:
        features = ll.get_host_cpu_features().flatten()
    except RuntimeError:  # not available on every platform
        features = ""
    return ll.get_process_triple(), ll.get_host_cpu_name(), features


def _cache_key(kind, fingerprint, element, info_dtype, row_length=None, record=False):
    from nvmath import __version__
    from nvmath.cache import CacheKey
    from nvmath.jit.versions import package_version

    triple, cpu, features = host_cpu()
    components = {
        "abi": _PASS_ABI,
        "kind": kind,
        "function": fingerprint,
        "element_type": element,
        "user_info_type": _dtype_key(info_dtype),
        "row_length": str(int(row_length or 0)),
        "bounds_check": "record" if record else "flag",
        "target": triple,
        "cpu.name": cpu,
        "cpu.features": features,
        "toolchain.numba": package_version("numba"),
        "toolchain.llvmlite": package_version("llvmlite"),
        "toolchain.nvmath": __version__,
        # NUMBA_OPT, NUMBA_CPU_NAME, NUMBA_ENABLE_AVX... change the code Numba makes.
        **{f"env.{k}": v for k, v in os.environ.items() if k.startswith("NUMBA_")},
    }
    return CacheKey("cpu", components)


def _encode(symbol: str, object_code: bytes) -> bytes:
    header = json.dumps({"abi": _PASS_ABI, "symbol": symbol}).encode()
    return _MAGIC + header + b"\n" + object_code


def _decode(payload: bytes):
    """``(symbol, undefined symbols, object)`` of a stored pass; ValueError if it is not one."""
    if not payload.startswith(_MAGIC):
        raise ValueError("not a CPU pass")
    header, _, code = payload[len(_MAGIC) :].partition(b"\n")
    meta = json.loads(header)
    if not isinstance(meta, dict) or meta.get("abi") != _PASS_ABI or not isinstance(meta.get("symbol"), str):
        raise ValueError("a CPU pass of another format")
    undefined = elf_undefined_symbols(code)
    if undefined is None:
        raise ValueError("its object is not a 64-bit ELF object")
    return meta["symbol"], undefined, code


_ELF_SYMTAB = 2


def elf_undefined_symbols(code: bytes) -> tuple[str, ...] | None:
    """The symbols a 64-bit little-endian ELF object needs from elsewhere (libm's ``expf``,
    Numba's ``numba_gamma``...), or None where ``code`` is not such an object.

    Read from the object itself, not from the LLVM module: code generation adds calls of its
    own (``llvm.exp.f32`` becomes ``expf``), and loading an object that needs a symbol nobody
    defines aborts the process.
    """
    try:
        if code[:4] != b"\x7fELF" or code[4] != 2 or code[5] != 1:
            return None
        (shoff,) = struct.unpack_from("<Q", code, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", code, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", code, shoff + i * shentsize) for i in range(shnum)]
        names = set()
        for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
            if kind != _ELF_SYMTAB or not entsize:
                continue
            strings = sections[link][4]
            for at in range(offset, offset + size, entsize):
                st_name, _st_info, _st_other, st_shndx = struct.unpack_from("<IBBH", code, at)
                if st_shndx == 0 and st_name:  # SHN_UNDEF
                    end = code.index(b"\0", strings + st_name)
                    names.add(code[strings + st_name : end].decode())
        return tuple(sorted(names))
    except (struct.error, IndexError, ValueError):  # truncated or malformed
        return None


def _numba_symbols():
    """Register Numba's C helpers (numba_gamma, numba_cpowf...) with LLVM: what its CPU target does
    when it starts. Only objects that call them pay for importing Numba."""
    from numba.core.registry import cpu_target

    cpu_target.target_context  # noqa: B018 - creating the context installs the symbols


def _load(symbol, undefined, code, logger):
    """Load a pass's object into this process: ``(address, engine)``, or None."""
    ll = _llvm()
    engine = ll.create_mcjit_compiler(ll.parse_assembly(""), _target_machine())
    # An unresolved symbol would abort the process in finalize_object(): check them first
    # (creating the engine made the process's own symbols, libm's among them, visible).
    missing = [s for s in undefined if not ll.address_of_symbol(s)]
    if missing:
        _numba_symbols()
        missing = [s for s in missing if not ll.address_of_symbol(s)]
        if missing:
            logger.info("cached CPU pass %s needs symbols this process lacks (%s): recompiling", symbol, missing)
            return None
    engine.add_object_file(ll.ObjectFileRef.from_data(code))
    engine.finalize_object()
    address = engine.get_function_address(symbol)
    if not address:
        logger.info("cached CPU pass does not define %s: recompiling", symbol)
        return None
    return address, engine


@functools.cache
def _target_machine():
    return _llvm().Target.from_default_triple().create_target_machine()


def get_pass(
    kind: str,
    func,
    element,
    info_dtype,
    logger: logging.Logger | None = None,
    row_length: int | None = None,
    *,
    record: bool = False,
) -> CpuPass:
    """The compiled ``kind`` pass of ``func`` for ``element`` data and ``info_dtype`` user_info:
    from this process's memory, else from :mod:`nvmath.cache`, else compiled (and stored).
    ``row_length``: the dense layout's last extent, compiled in (see
    :func:`nvmath.fft._cpu_compile.compile_pass`); None for strided layouts. ``record``: the
    pass records the first index outside user_info (its loop stays scalar); the default one
    only flags it (the passes run it again with the recording one, given the function).

    Raises
    ------
    CompileError
        Where the callback does not compile for these types.
    """
    from nvmath.cache import UnhashableCapture, fingerprint_function, get_cache

    logger = logger or logging.getLogger("nvmath")
    element = np.dtype(element).name
    info_dtype = np.dtype(info_dtype)
    try:
        fingerprint = fingerprint_function(func)
    except UnhashableCapture as e:
        fingerprint = None
        logger.info(
            "%s is compiled for the CPU without the persistent cache: %s", describe_callback(func, kind), e.reason
        )
    row_length = int(row_length) if row_length and row_length > 1 else None
    memo = (kind, fingerprint or ("id", id(func)), element, _dtype_key(info_dtype), row_length, record)
    with _lock:
        found = _passes.get(memo)
        if found is not None:
            return found
        what = describe_callback(func, kind)  # after the hit: a stateless call plans every time
        cache = get_cache()
        key = (
            _cache_key(kind, fingerprint, element, info_dtype, row_length, record)
            if fingerprint and cache.enabled
            else None
        )
        loaded = None
        if key is not None:
            payload = cache.get(key)
            if payload is not None:
                try:
                    loaded = _load(*_decode(payload), logger)
                except ValueError as e:
                    logger.info("ignoring cache entry %s for %s: %s", key.digest[:16], what, e)
                if loaded is not None:
                    logger.info("loaded the CPU %s pass of %s from the cache (%s)", kind, what, key.digest[:16])
        if loaded is None:
            loaded = _compile(kind, func, element, info_dtype, key, cache, what, logger, row_length, record)
        address, owner = loaded
        keep = (owner, func if fingerprint is None else None)
        found = CpuPass(kind, element, what, address, keep, row_length, record)
        _passes[memo] = found
    return found


def _compile(kind, func, element, info_dtype, key, cache, what, logger, row_length=None, record=False):
    import time

    from ._cpu_compile import compile_pass  # Numba: only here

    start = time.perf_counter()
    symbol = f"nvmath_cpu_{kind}_{key.digest[:16]}" if key is not None else None
    compiled = compile_pass(kind, func, element, info_dtype, symbol, record_bad_index=record, row_length=row_length)
    logger.info("compiled the CPU %s pass of %s in %.0f ms", kind, what, (time.perf_counter() - start) * 1e3)
    if compiled.plain_offsets:
        logger.info(
            "the row-by-row CPU %s pass of %s gives it plain uint64 offsets (offset %% row length is "
            "computed, not known): %s",
            kind,
            what,
            compiled.plain_offsets.splitlines()[0],
        )
    if compiled.record_references:
        logger.info(
            "the CPU %s pass of %s gives it references to user_info's records (their loads do not vectorize): %s",
            kind,
            what,
            compiled.record_references.splitlines()[0],
        )
    if key is not None and elf_undefined_symbols(compiled.object_code) is None:
        logger.info("the CPU %s pass of %s is not persisted: its object is not a 64-bit ELF one", kind, what)
    elif key is not None:
        name = getattr(getattr(func, "py_func", func), "__qualname__", "")
        cache.put(
            key,
            _encode(compiled.symbol, compiled.object_code),
            meta={"symbol": compiled.symbol, "kind": f"cpu-{kind}", "name": name},
        )
    return compiled.address, compiled


# -- run -----------------------------------------------------------------------------------------


@functools.cache
def cpu_count() -> int:
    """The logical CPUs this process may run on (its affinity: a ``taskset`` or a container's
    cpuset leaves fewer than the host has), read once: ``os.cpu_count()`` reads /sys every
    call (6 us on the 2-core host, twice a CPU FFT call)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # no affinity on this platform (Windows, macOS)
        return os.cpu_count() or 1


_from_buffer, _addressof = ctypes.c_char.from_buffer, ctypes.addressof


def array_address(a: np.ndarray) -> int:
    """The address of ``a``'s data: through a ctypes view of its buffer where ``a`` is writable,
    C-contiguous and not empty (0.4 us), else ``a.ctypes.data`` (1.0 us; 2-core host). A small
    transform takes two or three a call."""
    flags = a.flags
    if flags.writeable and flags.c_contiguous and a.nbytes:
        try:
            return _addressof(_from_buffer(a))
        except (TypeError, ValueError, BufferError):  # a dtype NumPy exports no buffer of
            pass
    return a.ctypes.data


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
# Elements per thread at least: below this a thread costs more than it saves. Measured with
# benchmarks/fft_cpu_scaling.py (the filter epilog's pass, in place): on the 2-core host,
# 256K complex64 elements took 0.134 ms on one thread against 0.189 ms on two, 1M 0.71
# against 0.54 ms; on the 16-core H100 host (2026-12-05; docs/results/h100/
# fft_cpu_scaling.json), whose compute scaled to 3.3x on 4 threads and no further and whose
# copy bandwidth stopped at 8 threads (59 GB/s), the fastest pass over 1M elements (complex64
# rows of 4096, float32 R2C rows of 2049) ran on 4 threads (0.72 against 0.97 ms on 16), over
# 4M (complex64 and complex128) on 8: 256K elements a thread.
_MIN_CHUNK = 1 << 18
_Bad1 = ctypes.c_int64 * 1


def _run_chunked(cpass: CpuPass, size: int, threads: int | None, args, info: np.ndarray, function=None) -> None:
    """The pass over ``[0, size)`` in up to ``threads`` chunks, in parallel (the first chunk on
    the calling thread); raises what the callback did wrong (``function``, the callback: to
    name the bad index where ``cpass`` only flagged it)."""
    global _pool, _pool_size
    threads = threads or cpu_count()
    chunks = min(threads, size // _MIN_CHUNK)
    run = cpass.function
    if chunks <= 1:
        chunks, bounds = 1, (0, size)
        bad = _Bad1()  # the first bad index (a ctypes array: cheaper than NumPy's)
        statuses = [run(*args, 0, size, _addressof(bad))]
    else:
        bounds = [size * k // chunks for k in range(chunks + 1)]
        rows = cpass.row_length
        if rows and size // chunks >= 8 * rows:  # whole rows a chunk: the row loop
            bounds = [b - b % rows for b in bounds[:-1]] + [size]
        bad = (ctypes.c_int64 * chunks)()  # each chunk's first bad index
        bad_at = _addressof(bad)
        with _pool_lock:
            if _pool is None or _pool_size < threads - 1:
                _pool_size = max(threads - 1, cpu_count())
                _pool = ThreadPoolExecutor(max_workers=_pool_size, thread_name_prefix="nvmath-fft-cpu")
            pool = _pool
        futures = [pool.submit(run, *args, bounds[k], bounds[k + 1], bad_at + 8 * k) for k in range(1, chunks)]
        try:
            first = run(*args, bounds[0], bounds[1], bad_at)
        finally:
            rest = [f.result() for f in futures]
        statuses = [first, *rest]
    if not any(statuses):
        return
    bad_at = _addressof(bad)
    for k, status in enumerate(statuses):
        if status == 1:
            index = int(bad[k]) if cpass.records else None
            if index is None and function is not None:
                # The pass only flagged it: the chunk again, through the pass that records the
                # index (the result is not kept: the call raises). None where the index depends
                # on values this first pass changed (in-place epilogs) and no longer goes out.
                recording = get_pass(cpass.kind, function, cpass.element, info.dtype, record=True)
                if recording.function(*args, bounds[k], bounds[k + 1], bad_at + 8 * k) == 1:
                    index = int(bad[k])
            n = info.size
            valid = f"valid indices are 0 to {n - 1}" if n else "it has no elements"
            indexed = "indexed user_info" + (f"[{index}]" if index is not None else " at an index")
            raise IndexError(
                f"{cpass.what} {indexed}, outside the {n} elements of its data ({describe_dtype(info.dtype)}); {valid}"
            )
        if status:
            raise RuntimeError(f"{cpass.what} raised an exception, which callbacks cannot do (status {status})")


#: Elements (whole rows, at least one) that a trial of passes runs over.
_TRIAL_ELEMENTS = 1 << 18
#: Above this, user_info is not copied for a trial: the plan keeps the element-by-element pass.
_TRIAL_MAX_INFO_BYTES = 64 << 20


def faster_pass(
    candidates, shape, info: np.ndarray, logger: logging.Logger | None = None, *, in_place: bool = True
) -> CpuPass:
    """The faster of ``candidates`` (passes of one callback, of one kind and types) for a dense
    layout of ``shape``, timed on one thread over the first rows (up to ``_TRIAL_ELEMENTS``
    elements) of scratch arrays of the whole ``shape`` (a callback may index any element of
    the real ones) and a copy of user_info, so that the trial has no effect the caller can see;
    the best of three alternating runs each. ``in_place``: an epilog that will store into the
    array of its values (as it does where scipy's result has the layout asked for), which the
    trial then does too: LLVM's loops take their vector form only where the two do not overlap.
    The last candidate is the one kept without a trial, where user_info is larger than
    ``_TRIAL_MAX_INFO_BYTES``.

    Which pass wins depends on the callback: the row-by-row pass that vectorizes is faster
    where its user_info indices become contiguous (``offset % 4096`` on rows of 4096: 0.76 ms
    against 1.12 ms for the scalar pass, (256, 4096) complex64 on one thread of the 2-core
    host; ``offset % m`` on rows of any length ``m``, through the RowOffset) and slower where
    they do not (before the RowOffset, ``offset % 2049`` on rows of 2049: 2.57 ms against
    1.59 ms), which no rule about the callback predicts."""
    import time

    if info.nbytes > _TRIAL_MAX_INFO_BYTES:
        if logger is not None:
            logger.info(
                "CPU %s pass of %s: element by element, untried (user_info of %d bytes is not copied for a trial)",
                candidates[-1].kind,
                candidates[-1].what,
                info.nbytes,
            )
        return candidates[-1]
    shape = tuple(int(n) for n in shape)
    row = shape[-1] if shape else 1
    size = int(np.prod(shape, dtype=np.int64))
    count = min(size, max(row, _TRIAL_ELEMENTS - _TRIAL_ELEMENTS % max(row, 1)))  # whole rows
    element = candidates[0].element
    # Pages that are never touched cost no memory; the trial's part is written before timing.
    values = np.empty(size, element)
    values[:count] = 0
    scratch = np.empty(size, element)
    scratch[:count] = 0
    info_copy = np.array(info, copy=True, order="C")
    shape_, strides_, _ = _layout(shape, c_strides(shape))
    bad = np.zeros(1, np.int64)
    calls = []
    for cpass in candidates:
        if cpass.kind == "prolog":  # reads data (zeros), fills out (scratch)
            data, out = values.ctypes.data, scratch.ctypes.data
        else:  # stores values (zeros) through the callback into data (scratch, or values)
            data, out = (values if in_place else scratch).ctypes.data, values.ctypes.data
        args = (data, out, info_copy.ctypes.data, info_copy.size, shape_.ctypes.data, strides_.ctypes.data)
        calls.append((cpass.function, (*args, len(shape), 1, 0, 0, count, bad.ctypes.data)))
    timings = [float("inf")] * len(candidates)
    for _ in range(3):  # alternating, best of three each: the host's load hits them alike
        for k, (function, args) in enumerate(calls):
            start = time.perf_counter()
            function(*args)
            timings[k] = min(timings[k], time.perf_counter() - start)
    chosen = min(range(len(candidates)), key=timings.__getitem__)
    if logger is not None:
        logger.info(
            "CPU %s pass of %s: %s (trial on %d rows of %d: %s ms)",
            candidates[chosen].kind,
            candidates[chosen].what,
            "row by row, vectorizable" if candidates[chosen].row_length else "element by element",
            count // max(row, 1),
            row,
            " against ".join(f"{t * 1e3:.3f}" for t in [timings[chosen]] + timings[:chosen] + timings[chosen + 1 :]),
        )
    return candidates[chosen]


def describe_dtype(dtype) -> str:
    """A user_info dtype as messages name it."""
    dtype = np.dtype(dtype)
    return str(dtype) if dtype.names is None else f"records {dtype}"


def _layout(shape, strides):
    """(shape, strides, dense) as the passes take them; dense: offsets are C-order positions."""
    return (np.asarray(shape, np.int64), np.asarray(strides, np.int64), tuple(strides) == c_strides(shape))


@functools.lru_cache(maxsize=256)
def _layout_arguments(shape: tuple, strides: tuple) -> tuple:
    """``(shape address, strides address, ndim, dense)``: the layout arguments of a pass, made
    once per layout (the arrays live in this cache's entry; a plan's calls all hit it).
    Making them on every call was a quarter of a small transform's overhead."""
    shape_, strides_, dense = _layout(shape, strides)
    shape_.flags.writeable = strides_.flags.writeable = False
    return (shape_.ctypes.data, strides_.ctypes.data, shape_.size, int(dense), (shape_, strides_))


def prolog_pass(
    cpass: CpuPass,
    data_address: int,
    shape,
    strides,
    base: int,
    info: np.ndarray,
    out: np.ndarray,
    threads: int | None,
    function=None,
):
    """``out.flat[i] = func(data, base + offset_i, info, NULL)`` for every element of a block of
    ``shape``, in parallel; ``offset_i`` is element ``i``'s (C order) offset in the ``strides``
    layout, ``data`` the array at ``data_address`` and ``base`` the block's offset in it.
    ``info`` is the C-contiguous user_info array; ``out`` a C-contiguous array of the element type;
    ``function``, the callback, names an index outside user_info that ``cpass`` only flagged."""
    if out.dtype != cpass.element or not out.flags.c_contiguous:  # pragma: no cover - internal misuse
        raise AssertionError(f"prolog output of {out.dtype}, contiguous={out.flags.c_contiguous}")
    shape_at, strides_at, ndim, dense, _ = _layout_arguments(tuple(shape), tuple(strides))
    out_address, info_address = array_address(out), array_address(info)
    args = (data_address, out_address, info_address, info.size, shape_at, strides_at, ndim, dense, int(base))
    _run_chunked(cpass, out.size, threads, args, info, function)


def epilog_pass(
    cpass: CpuPass,
    values: np.ndarray,
    data_address: int,
    strides,
    base: int,
    info: np.ndarray,
    threads: int | None,
    function=None,
):
    """``func(data, base + offset_i, values.flat[i], info, NULL)`` for every element of
    ``values``, in parallel; ``offset_i`` is element ``i``'s offset in the ``strides`` layout
    (``values``' shape), ``data`` the array at ``data_address`` (None: ``values`` itself, which
    must then be C-contiguous), ``base`` the block's offset; ``function``, the callback, names
    an index outside user_info that ``cpass`` only flagged."""
    flat = np.ascontiguousarray(values)
    if flat.dtype != cpass.element or (data_address is None and flat is not values):  # pragma: no cover
        raise AssertionError(f"epilog values of {flat.dtype} for a pass of {cpass.element} (or not in place)")
    shape_at, strides_at, ndim, dense, _ = _layout_arguments(values.shape, tuple(strides))
    values_address = array_address(flat)  # taken once where data is values
    data_address = values_address if data_address is None else data_address
    args = (data_address, values_address, array_address(info), info.size, shape_at, strides_at, ndim, dense, int(base))
    _run_chunked(cpass, flat.size, threads, args, info, function)
