"""FFT prologs and epilogs on the CPU: the same Python functions as on the GPU, compiled with
Numba for the CPU and applied in one parallel pass over the data.

The pass runs in chunks on a thread pool of nvmath's own (the compiled loops release the GIL),
not in Numba's parallel loops: an OpenMP pool keeps its threads spinning after each parallel
region, and they then take the cores from scipy.fft's workers in the next transform (measured:
the pass plus the following FFT took 1.5x as long).

The callback sees what it sees on the GPU: typed pointers to the data and to ``user_info``,
and the element ``offset`` in the layout the transform reads (prolog) or writes (epilog).
"""

from __future__ import annotations

import operator
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit, types
from numba.core.registry import cpu_target
from numba.extending import intrinsic, lower_builtin

from nvmath._internal.tensor import c_strides
from nvmath.jit._numba_backend import as_numba_type
from nvmath.jit.errors import CompileError, condense_numba_error, describe_location

__all__ = ["prolog_pass", "epilog_pass"]

_lock = threading.Lock()
_passes: dict = {}
_record_pointers: set = set()


@intrinsic
def _as_pointer(typingctx, address, pointer_type):
    """An address (int) as a typed pointer: the callback indexes it as cuFFT's would be."""
    target = pointer_type.instance_type

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(target))

    return target(address, pointer_type), codegen


def _support_record_pointer(ptr_type):
    # As on the GPU (see nvmath.jit._numba_backend): p[i] on a record pointer must give a
    # reference to the record, which Numba's generic CPointer lowering does not.
    if not isinstance(ptr_type.dtype, types.Record) or ptr_type in _record_pointers:
        return

    @lower_builtin(operator.getitem, ptr_type, types.Integer)
    def _getitem(context, builder, sig, args):
        return builder.gep(args[0], [args[1]])

    _record_pointers.add(ptr_type)
    cpu_target.target_context.refresh()


# Offsets are below 2**63: masking says so to LLVM (a no-op on the value), so that Python's
# floor modulo of the uint64 offset compiles to unsigned arithmetic, as on the GPU.
_OFFSET_MASK = 2**63 - 1


@njit
def _offset(index, shape, strides):
    """The offset, in the layout ``strides``, of the element at C-order position ``index``."""
    rest = index
    off = 0
    for d in range(shape.size - 1, -1, -1):
        q = rest // shape[d]
        off += (rest - q * shape[d]) * strides[d]
        rest = q
    return off


def _compile_user(func, kind):
    py = getattr(func, "py_func", func)
    try:
        return njit(py, inline="always")
    except Exception as e:  # pragma: no cover - njit is lazy; errors surface at the first call
        raise CompileError(f"cannot compile the {kind} {py.__qualname__} for the CPU: {e}") from e


def _key(func, kind, *types_):
    try:
        from nvmath.cache import UnhashableCapture, fingerprint_function

        ident = fingerprint_function(func)
    except UnhashableCapture:
        ident = ("id", id(func))
    return (kind, ident, *types_)


def _make_prolog_pass(user, elem_ptr, info_ptr):
    void = types.voidptr

    @njit(nogil=True)
    def run(in_addr, info_addr, shape, strides, out, dense, base, start, stop):
        data = _as_pointer(in_addr, elem_ptr)
        info = _as_pointer(info_addr, info_ptr)
        unused = _as_pointer(0, void)
        if dense:
            for i in range(start, stop):
                out[i] = user(data, np.uint64((base + i) & _OFFSET_MASK), info, unused)
        else:
            for i in range(start, stop):
                out[i] = user(data, np.uint64((base + _offset(i, shape, strides)) & _OFFSET_MASK), info, unused)

    return run


def _make_epilog_pass(user, elem_ptr, info_ptr):
    void = types.voidptr

    @njit(nogil=True)
    def run(out_addr, info_addr, shape, strides, values, dense, base, start, stop):
        data = _as_pointer(out_addr, elem_ptr)
        info = _as_pointer(info_addr, info_ptr)
        unused = _as_pointer(0, void)
        if dense:
            for i in range(start, stop):
                user(data, np.uint64((base + i) & _OFFSET_MASK), values[i], info, unused)
        else:
            for i in range(start, stop):
                user(data, np.uint64((base + _offset(i, shape, strides)) & _OFFSET_MASK), values[i], info, unused)

    return run


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
# Elements per thread at least: below this a thread costs more than it saves (on the H100
# host a 1M-element epilog pass took 0.69 ms on 8 threads, 0.87 ms on 16).
_MIN_CHUNK = 1 << 17


def _run_chunked(run, size: int, threads: int | None, *args) -> None:
    """``run(*args, start, stop)`` over ``[0, size)`` in up to ``threads`` chunks, in parallel;
    the first chunk on the calling thread (where a first call compiles, and errors surface)."""
    global _pool
    threads = max(1, threads or os.cpu_count() or 1)
    chunks = max(1, min(threads, size // _MIN_CHUNK))
    bounds = [size * k // chunks for k in range(chunks + 1)]
    if chunks == 1:
        run(*args, 0, size)
        return
    if not run.signatures:  # compile (and type-check) once, here, before the workers call it
        run(*args, bounds[0], bounds[1])
        first_done = True
    else:
        first_done = False
    global _pool_size
    with _lock:
        if _pool is None or _pool_size < threads - 1:
            _pool_size = max(threads - 1, os.cpu_count() or 1)
            _pool = ThreadPoolExecutor(max_workers=_pool_size, thread_name_prefix="nvmath-fft-cpu")
        pool = _pool
    futures = [pool.submit(run, *args, bounds[k], bounds[k + 1]) for k in range(1, chunks)]
    try:
        if not first_done:
            run(*args, bounds[0], bounds[1])
    finally:
        for f in futures:
            f.result()


def _get_pass(kind, func, element, info_dtype):
    key = _key(func, kind, element, str(np.dtype(info_dtype).descr))
    with _lock:
        compiled = _passes.get(key)
        if compiled is None:
            elem_ptr = types.CPointer(as_numba_type(element))
            info_ptr = types.CPointer(as_numba_type(np.dtype(info_dtype)))
            _support_record_pointer(info_ptr)
            user = _compile_user(func, kind)
            maker = _make_prolog_pass if kind == "prolog" else _make_epilog_pass
            compiled = (maker(user, elem_ptr, info_ptr), func)  # keep func alive for id() keys
            _passes[key] = compiled
    return compiled[0]


def _call(kind, func, run, size, threads, *args):
    try:
        _run_chunked(run, size, threads, *args)
    except (numba.core.errors.TypingError, numba.core.errors.LoweringError) as e:
        expected = (
            "prolog(data_in, offset, user_info, unused)"
            if kind == "prolog"
            else "epilog(data_out, offset, value, user_info, unused)"
        )
        py = getattr(func, "py_func", func)
        raise CompileError(
            f"cannot compile the {kind} {py.__qualname__} (expected {expected}) for the CPU:\n  "
            f"{condense_numba_error(e)}\n  in the function defined at {describe_location(py)}"
        ) from e


def prolog_pass(
    func,
    data_address: int,
    shape,
    strides,
    base: int,
    info_address: int,
    info_dtype,
    element,
    out: np.ndarray,
    threads: int | None,
):
    """``out.flat[i] = func(data, base + offset_i, info, NULL)`` for every element of a block of
    ``shape``, in parallel; ``offset_i`` is element ``i``'s (C order) offset in the ``strides``
    layout, ``data`` the array at ``data_address`` and ``base`` the block's offset in it."""
    run = _get_pass("prolog", func, np.dtype(element).name, info_dtype)
    flat = out.reshape(-1)
    shape_, strides_, dense = _layout(shape, strides)
    _call("prolog", func, run, flat.size, threads, data_address, info_address, shape_, strides_, flat, dense, int(base))


def epilog_pass(
    func,
    values: np.ndarray,
    data_address: int,
    strides,
    base: int,
    info_address: int,
    info_dtype,
    element,
    threads: int | None,
):
    """``func(data, base + offset_i, values.flat[i], info, NULL)`` for every element of
    ``values``, in parallel; ``offset_i`` is element ``i``'s offset in the ``strides`` layout
    (``values``' shape), ``data`` the array at ``data_address``, ``base`` the block's offset."""
    run = _get_pass("epilog", func, np.dtype(element).name, info_dtype)
    flat = np.ascontiguousarray(values).reshape(-1)
    shape_, strides_, dense = _layout(values.shape, strides)
    _call("epilog", func, run, flat.size, threads, data_address, info_address, shape_, strides_, flat, dense, int(base))


def _layout(shape, strides):
    """(shape, strides, dense) as the passes take them; dense: offsets are C-order positions."""
    return (np.asarray(shape, np.int64), np.asarray(strides, np.int64), tuple(strides) == c_strides(shape))
