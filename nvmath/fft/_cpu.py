"""The CPU side of :class:`~nvmath.fft.FFT`: ``scipy.fft`` with Numba-compiled callbacks.

The layouts, offsets, normalization and results are those of the GPU path: an input that
cuFFT could not address directly is copied to the same layout the GPU path uses, and the
result has the GPU path's strides, so a callback sees the same offsets on both.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import weakref
from types import FunctionType

import numpy as np

from nvmath._internal.execution import ExecutionCPU
from nvmath._internal.tensor import c_strides, wrap_operand

from ._cpu_callbacks import (
    SUPPORTED_USER_INFO,
    array_address,
    cpu_count,
    epilog_pass,
    faster_pass,
    get_pass,
    prolog_pass,
    unsupported_user_info,
)
from .options import FFTDirection

__all__ = ["CpuBackend", "StatelessPlans", "stateless_plans"]


def _as_numpy(holder) -> np.ndarray:
    t = holder.tensor
    if holder.package == "torch":
        return t.numpy()  # a view: torch CPU tensors share their memory with NumPy
    return t


def _strided_empty(shape, dtype, strides) -> np.ndarray:
    """An uninitialized array with the given element strides (non-negative)."""
    if tuple(strides) == c_strides(shape):
        return np.empty(shape, dtype)
    itemsize = np.dtype(dtype).itemsize
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if all(shape) else 0
    base = np.empty(max(extent, 1), dtype)
    return np.lib.stride_tricks.as_strided(base, shape=shape, strides=[s * itemsize for s in strides])


_signatures_checked: dict = {}  # (kind, code object): signatures found right


def _check_signature_once(check, func, kind) -> None:
    """``check(func, kind)``, remembered by code object for plain functions: a stateless call
    plans every time, and ``inspect.signature`` was a tenth of its cost on small arrays."""
    target = getattr(func, "py_func", func)
    code = getattr(target, "__code__", None)
    plain = code is not None and not hasattr(target, "__wrapped__") and not hasattr(target, "__signature__")
    if plain and (kind, code) in _signatures_checked:
        return
    check(func, kind)
    if plain and len(_signatures_checked) < 1024:
        _signatures_checked[(kind, code)] = True


class CpuBackend:
    """scipy.fft execution of one :class:`~nvmath.fft.FFT` on host operands."""

    def __init__(self, owner, holder, execution):
        self.owner = owner
        self.spec = owner._spec
        self.logger = owner.logger
        self.threads = execution.num_threads
        self.template = holder
        self.operand = holder
        self.callbacks = {}
        self.info_dtypes = {}
        # The callbacks' functions while an operand is attached (they name a bad user_info
        # index; not kept by detached plans, which hold functions weakly).
        self.functions = {}
        # Whether the epilog may store into the array of its values (see execute_whole).
        self.epilog_in_place = True

    def reset(self, holder, stream, spec=None):
        """Take ``holder`` as the operand (None: release it); ``spec``, when given, is the new
        operand's (same plan arguments, other batch shape or strides)."""
        self.operand = holder
        if holder is not None:
            self.template = holder
        if spec is not None:
            self.spec = spec

    def _callback(self, kind, cb, stores_own=True):
        """Check a prolog/epilog and its user_info, and compile (or load) its pass."""
        from .callbacks import check_callback_signature, describe_callback

        if cb.function is None:
            raise ValueError(
                f"the {kind} was given as LTO-IR, which is GPU code; with execution='cpu' pass "
                "the Python function instead: DeviceCallable(function=f, data=...) or just f"
            )
        _check_signature_once(check_callback_signature, cb.function, kind)
        element = self.spec.in_dtype if kind == "prolog" else self.spec.out_dtype
        info = self._user_info(kind, cb, element, describe_callback(cb.function, kind))

        shape, strides = (
            (self.spec.in_shape, self.spec.in_strides)
            if kind == "prolog"
            else (self.spec.out_shape, self.spec.out_strides)
        )
        # The element-by-element pass, which records a bad user_info index; on a dense layout
        # also the row-by-row pass that LLVM can vectorize (it only flags a bad index, which
        # the first pass then names): whichever a trial finds faster.
        cpass = get_pass(kind, cb.function, element, info.dtype, self.logger, record=True)
        if len(shape) and shape[-1] > 1 and tuple(strides) == c_strides(shape):
            rows = get_pass(kind, cb.function, element, info.dtype, self.logger, shape[-1])
            in_place = kind == "epilog" and not self.spec.inplace and stores_own
            cpass = faster_pass([rows, cpass], shape, info, self.logger, in_place=in_place)
        return cpass, info

    def _user_info(self, kind, cb, element, what) -> np.ndarray:
        """The C-contiguous host array the callback's user_info indexes (bounds-checked)."""
        from .callbacks import reads_user_info, user_info_copy_reason

        data = cb.data
        if data is None:
            if reads_user_info(cb.function, kind):
                raise ValueError(
                    f"{what} reads user_info, but {kind}.data is None: give the array it indexes, "
                    f"{kind}=dict(function=..., data=array) with a NumPy array or a CPU tensor"
                )
            return np.empty(0, element)
        if isinstance(data, int) and not isinstance(data, bool):
            raise TypeError(
                f"{kind}.data={data!r} is an int, which only GPU execution takes (a device pointer); "
                "with execution='cpu' user_info must be a host array: a NumPy array or a CPU tensor"
            )
        if type(data) is np.ndarray and data.flags.c_contiguous and unsupported_user_info(data.dtype) is None:
            return data  # what the general path below gives for it, without its cost
        holder = wrap_operand(data, f"{kind}.data")
        if not holder.is_host:
            raise ValueError(
                f"{kind}.data is on GPU {holder.device_id}, but the FFT runs on the CPU; "
                "give user_info as a NumPy array or CPU tensor"
            )
        try:
            array = _as_numpy(holder)
        except (TypeError, RuntimeError) as e:  # torch dtypes NumPy lacks (bfloat16), tensors needing grad
            raise TypeError(
                f"{kind}.data of dtype {holder.dtype} cannot be read on the CPU ({e}); accepted user_info "
                f"dtypes: {SUPPORTED_USER_INFO}"
            ) from e
        why = unsupported_user_info(array.dtype)
        if why is not None:
            raise TypeError(
                f"{kind}.data has dtype {array.dtype}, which CPU callbacks cannot read ({why}); accepted "
                f"user_info dtypes: {SUPPORTED_USER_INFO}"
            )
        if not array.flags.c_contiguous:
            self.logger.warning("%s.data is copied: %s", kind, user_info_copy_reason(holder.strides))
            array = np.ascontiguousarray(array)
        return array

    def plan(self, prolog, epilog, stream):
        # Everything is checked and compiled before the plan changes: a failure leaves the
        # previous plan in place.
        from .callbacks import stores_only_at_offset

        # Whether the epilog may store into the array of its values (see execute_whole).
        stores_own = epilog is None or epilog.function is None or stores_only_at_offset(epilog.function)
        callbacks = {}
        for kind, cb in (("prolog", prolog), ("epilog", epilog)):
            if cb is not None:
                callbacks[kind] = self._callback(kind, cb, stores_own)
        self.callbacks = callbacks
        self.functions = {"prolog": getattr(prolog, "function", None), "epilog": getattr(epilog, "function", None)}
        self.info_dtypes = {kind: info.dtype for kind, (_, info) in callbacks.items()}
        self.epilog_in_place = stores_own
        if not stores_own:
            self.logger.info(
                "%s may store elements other than data_out[offset]: its results go to an array apart "
                "from the values it reads",
                self.callbacks["epilog"][0].what,
            )
        self.logger.info(
            "CPU FFT planned with scipy.fft (%s threads)%s",
            self.threads or "all",
            f", callbacks: {', '.join(self.callbacks)}" if self.callbacks else "",
        )

    def detach(self):
        """Drop the operand and the user_info arrays (a plan kept between stateless calls
        holds no reference to the caller's arrays); :meth:`attach` gives the next ones."""
        self.operand = self.template = None
        self.callbacks = {kind: (cpass, None) for kind, (cpass, _) in self.callbacks.items()}
        self.functions = {}

    def attach(self, holder, prolog, epilog):
        """Take ``holder`` as the operand and the user_info of ``prolog``/``epilog`` (the same
        functions, and user_info of the same types, as those planned): what a stateless call
        that reuses a plan must redo. False where the user_info needs another pass."""
        callbacks = {}
        for kind, cb in (("prolog", prolog), ("epilog", epilog)):
            if cb is None:
                continue
            cpass, _ = self.callbacks[kind]
            element = self.spec.in_dtype if kind == "prolog" else self.spec.out_dtype
            info = self._user_info(kind, cb, element, cpass.what)
            if info.dtype != self.info_dtypes.get(kind):
                return False
            callbacks[kind] = (cpass, info)
        self.callbacks = callbacks
        self.functions = {"prolog": getattr(prolog, "function", None), "epilog": getattr(epilog, "function", None)}
        self.operand = holder
        self.template = holder
        return True

    def hot_path(self, direction):
        """No separate hot path on the CPU: :meth:`execute` is the only one."""
        return None

    def destroy_plan(self):
        self.callbacks = {}
        self.functions = {}

    def execute(self, direction, stream, release_workspace):
        spec = self.spec
        if self.operand is None:
            raise RuntimeError(
                "the operand was released by reset_operand(None); give a new one with reset_operand(operand)"
            )
        out = execute_plan(
            spec, self.threads, self.callbacks, self.functions, self.epilog_in_place, _as_numpy(self.operand), direction
        )
        if spec.inplace:
            return self.operand.tensor
        if self.operand.package == "torch":
            import torch

            return torch.from_numpy(out)
        return out


# -- execution, shared by plans and the stateless fast path ---------------------------------------


#: Elements a scipy.fft worker gets at least. Below this a second worker costs more than it
#: saves: pocketfft wakes its threads on every call (2-core host, complex64 rows of 64:
#: 1.7 against 15 us on (8, 64), 10 against 51 us on (64, 64)). From 64K to 512K elements
#: (complex64, complex128 and float32 R2C rows of 1024 and 4096; 60 alternating calls each)
#: the best of two workers beat the best of one by 1.3-1.9x from 64K or 128K on, their
#: medians only from 256K-512K on (that host's second core is not always free). 64K keeps
#: every worker on the transforms of a million elements or more of benchmarks/fft_cpu.py on
#: the 16-core host, where no measurement says fewer would do better.
_MIN_FFT_ELEMENTS_PER_WORKER = 1 << 16


def fft_workers(threads, elements: int) -> int:
    """scipy.fft's workers for a transform of ``elements`` (the larger of input and output):
    up to ``threads`` (None: every CPU the process may use), one per
    ``_MIN_FFT_ELEMENTS_PER_WORKER`` elements."""
    return max(1, min(threads or cpu_count(), elements // _MIN_FFT_ELEMENTS_PER_WORKER))


def transform(spec, threads, x, direction):
    """``scipy.fft`` of ``x`` as ``spec`` says, on up to ``threads`` workers (None: every CPU
    the process may use; fewer on small transforms, see :func:`fft_workers`)."""
    import scipy.fft as sfft

    workers = fft_workers(threads, max(x.size, math.prod(spec.out_shape)))
    axes = spec.axes
    # Unnormalized in both directions, as cuFFT: norm="forward" leaves the inverse unscaled
    # (and would scale the forward one, which is why forward uses the default).
    if len(axes) == 1:  # the 1-D functions: a little less work per call than the n-D ones
        axis = axes[0]
        if spec.fft_type == "R2C":
            return sfft.rfft(x, axis=axis, workers=workers)
        if spec.fft_type == "C2R":
            return sfft.irfft(x, n=spec.out_shape[axis], axis=axis, norm="forward", workers=workers)
        if int(direction) < 0:
            return sfft.fft(x, axis=axis, workers=workers)
        return sfft.ifft(x, axis=axis, norm="forward", workers=workers)
    if spec.fft_type == "R2C":
        return sfft.rfftn(x, axes=axes, workers=workers)
    if spec.fft_type == "C2R":
        lengths = [spec.out_shape[a] for a in axes]
        return sfft.irfftn(x, s=lengths, axes=axes, norm="forward", workers=workers)
    if int(direction) < 0:
        return sfft.fftn(x, axes=axes, workers=workers)
    return sfft.ifftn(x, axes=axes, norm="forward", workers=workers)


def execute_plan(spec, threads, callbacks, functions, epilog_in_place, x, direction) -> np.ndarray:
    """The result of a planned transform of the NumPy array ``x``: ``callbacks`` maps "prolog"
    and "epilog" to ``(pass, user_info array)``, ``functions`` to the Python functions (which
    name a bad user_info index); ``epilog_in_place``: the epilog stores only at its offset."""
    # The GPU path copies inputs cuFFT cannot address or would overwrite (C2R); scipy.fft
    # reads any strides and keeps its input, so here only a prolog needs the copy (its
    # offsets are those of the copy's layout).
    if spec.copy_input and "prolog" in callbacks:
        source = _strided_empty(spec.in_shape, spec.in_dtype, spec.in_strides)
        np.copyto(source, x)
    else:
        source = x
    return execute_whole(spec, threads, callbacks, functions, epilog_in_place, source, x, direction)


def execute_whole(spec, threads, callbacks, functions, epilog_in_place, source, x, direction):
    """Prolog, FFT and epilog, each one parallel pass over the whole array.

    Running them block by block instead was measured slower twice. On the H100 host, blocks
    sized for the cache: the per-block Python work serializes on the GIL, and 8 MiB results
    fit its L3 anyway. On the 2-core host (issue 17), one block a thread (pocketfft with
    one thread into the result, then the epilog, with no wait between the two), with or
    without the threads sharing epilog chunks, against this path: 0-16% slower on
    (256, 4096) and (4096, 1024) complex64, (64, 65536) complex128 and (512, 4096) float32
    R2C, in 4 of 6 interleaved runs; blocks of 16 rows made pocketfft itself 12% slower,
    and the callback pass, compute-bound, was no faster on data in cache. Once more on the
    2-core host (2026-12-05), pocketfft writing each block's rows straight into the result
    (its private ``out=``) and the pass following on the rows still in cache, blocks of
    256 KiB to 4 MiB, two threads: 1.15-1.7x this path's time on the four shapes above, worst
    on rows of 65536 (one row a block: pocketfft vectorizes across rows)."""
    prolog = callbacks.get("prolog")
    if prolog is not None:
        cpass, info = prolog
        loaded = np.empty(spec.in_shape, spec.in_dtype)
        prolog_pass(
            cpass,
            array_address(source),
            spec.in_shape,
            spec.in_strides,
            0,
            info,
            loaded,
            threads,
            functions.get("prolog"),
        )
        source = loaded
    y = transform(spec, threads, source, direction)
    if y.dtype != np.dtype(spec.out_dtype):  # pragma: no cover - scipy keeps single precision
        raise AssertionError(f"scipy.fft returned {y.dtype} for {spec.out_dtype}")
    epilog = callbacks.get("epilog")
    itemsize = y.itemsize
    if (
        not spec.inplace
        and y.strides == tuple(s * itemsize for s in spec.out_strides)
        and (epilog is None or epilog_in_place)
    ):
        # scipy already wrote the layout the GPU path gives: the result, and the buffer an
        # epilog that stores each element at its own offset writes into (each element is
        # read before its own write; an epilog that may store elsewhere gets a new array).
        out = y
    elif spec.inplace:
        out = x
    else:
        out = _strided_empty(spec.out_shape, spec.out_dtype, spec.out_strides)
    if epilog is not None:
        cpass, info = epilog
        address = None if out is y and y.flags.c_contiguous else array_address(out)
        epilog_pass(cpass, y, address, spec.out_strides, 0, info, threads, functions.get("epilog"))
    elif out is not y:
        np.copyto(out, y)
    return out


# -- plans reused by the stateless functions ------------------------------------------------------


def _callback_key(cb):
    """``(id of the function, its type, user_info's type and dtype)``: what decides the compiled
    pass of a prolog/epilog, with the function itself to check that the id still names it."""
    if cb is None:
        return None, None
    if cb.function is None:  # LTO-IR: the planning path raises its error
        raise TypeError("LTO-IR")
    data = cb.data
    return (id(cb.function), type(data), getattr(data, "dtype", None)), cb.function


_field_names: dict = {}


def _options_key(options) -> tuple:
    names = _field_names.get(type(options))
    if names is None:  # dataclasses.fields() on every call was a tenth of a small call's cost
        names = _field_names[type(options)] = tuple(f.name for f in dataclasses.fields(options))
    return tuple(getattr(options, name) for name in names)


class StatelessPlans:
    """Planned CPU :class:`~nvmath.fft.FFT` objects that ``nvmath.fft.fft()`` and its siblings
    reuse, so that a repeated stateless call costs what :meth:`FFT.execute` costs.

    A CPU plan holds no resources beyond its compiled callbacks (scipy.fft plans for itself),
    so reusing one changes nothing the caller can see: the entry is keyed by everything the
    plan depends on (the operand's package, dtype, shape, strides and writeability, the axes,
    every option, the number of threads, the direction, and the identity of the prolog and
    epilog functions and the types of their user_info), and it holds no reference to the
    caller's arrays between calls (user_info is taken anew on every call). A plan is checked
    out while it runs, so concurrent calls never share one; one whose execution raised is
    dropped. The functions are held weakly: an entry of a function that was collected is
    never hit (its id may name another function).

    A call of NumPy arrays with default options that repeats an earlier one takes a faster
    way (:meth:`fast_key`, :meth:`fast_run`): keyed by its raw arguments, it runs what the
    earlier call's plan fixed (read-only, so concurrent calls share it) with no plan object,
    no wrapping and no coercion; anything else, or a check that fails (another function of
    the same id, user_info that is not C-contiguous), takes the planning path. Measured on
    the 2-core host: 19 against 42 µs a call of (2, 64) complex64 with an epilog (FFT.execute
    15 µs), and 60 µs less on (256, 4096) complex64, where the planning path ran cold.

    Parameters
    ----------
    maxsize : int
        Plans kept, least recently used dropped first.
    """

    def __init__(self, maxsize: int = 16):
        import cachetools

        self._plans = cachetools.LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()
        self._fast: dict = {}  # fast_key -> _FastPlan
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self._lock:
            plans = list(self._plans.values())
            self._plans.clear()
            self._fast.clear()
        for fft, _ in plans:
            fft.free()

    def __len__(self) -> int:
        return len(self._plans)

    def key(self, holder, axes, options, execution, prolog, epilog, direction):
        """The key of a call, or None where it cannot be reused (unhashable options or axes,
        LTO-IR callbacks)."""
        try:
            prolog_key, prolog_fn = _callback_key(prolog)
            epilog_key, epilog_fn = _callback_key(epilog)
            flags = getattr(holder.tensor, "flags", None)
            key = (
                holder.package,
                holder.dtype,
                holder.shape,
                holder.strides,
                bool(getattr(flags, "writeable", True)),
                # Typed: axes=[False] equals axes=[0], but only the latter is valid.
                None if axes is None else tuple((type(a), a) for a in axes),
                _options_key(options),
                execution.num_threads,
                int(direction),
                prolog_key,
                epilog_key,
            )
            hash(key)
        except TypeError:
            return None, None
        return key, (prolog_fn, epilog_fn)

    def run(self, key, functions, holder, prolog, epilog, direction, make, fast=None):
        """Execute the plan of ``key`` on ``holder`` (made by ``make()`` and planned, on a miss);
        ``fast``, the call's :meth:`fast_key`, is then remembered for :meth:`fast_run`."""
        logger = None
        with self._lock:
            entry = self._plans.pop(key, None)
        fft = refs = None
        if entry is not None:
            fft, refs = entry
            try:
                same = all(ref() is fn for ref, fn in zip(refs, functions) if ref is not None)
                if not (same and fft._backend.attach(holder, prolog, epilog)):
                    fft.free()
                    fft = None
            except BaseException:  # bad user_info: the error a new plan would raise
                fft.free()
                raise
        if fft is None:
            self.misses += 1
            refs = None
            fft = make()
            logger = fft.logger
        else:
            self.hits += 1
            fft._operand = holder
            logger = fft.logger
            if logger.isEnabledFor(10):
                logger.debug("stateless FFT: reusing the plan of an earlier call with the same key")
        try:
            result = fft.execute(direction=direction)
        except BaseException:
            fft.free()
            raise
        if refs is None:  # a hit keeps the references it checked
            refs = tuple(None if fn is None else weakref.ref(fn) for fn in functions)
        if fast is not None:
            self._remember(fast, fft, refs, direction)
        fft._operand = None
        fft._backend.detach()
        with self._lock:
            if key not in self._plans:
                self._plans[key] = (fft, refs)
                fft = None
        if fft is not None:
            fft.free()
        return result

    # -- the fast path: a repeated call of NumPy arrays and default options -------------------

    #: Entries the fast path keeps (all are dropped when it is full: a working set is small).
    fast_maxsize = 64

    def fast_key(self, name, operand, axes, direction, options, execution, prolog, epilog, stream):
        """A key of the raw arguments of a stateless call that :meth:`fast_run` may take, or
        None: a NumPy operand or a CPU PyTorch tensor that NumPy can view (no autograd, no
        lazy conjugation), no options or stream, ``execution`` None, ``"cpu"`` or an ExecutionCPU,
        ``axes`` None or ints, each callback None, a plain function or ``dict(function=...,
        data=...)``. It holds what decides the plan (as :meth:`key` does) without wrapping
        the operand or coercing anything: with the operand's data in no cache after a large
        transform, that work took 60 µs of a 2 ms call (the 2-core host)."""
        if options is not None or stream is not None:
            return None
        if type(operand) is np.ndarray:
            package, array = "numpy", operand
        else:
            array = torch_cpu_view(operand)
            if array is None:
                return None
            package = "torch"
        if execution is None or (type(execution) is str and execution.lower() == "cpu"):
            threads = None  # a NumPy operand's default is the CPU
        elif type(execution) is ExecutionCPU:
            threads = execution.num_threads
        else:
            return None
        if axes is not None:
            if type(axes) not in (list, tuple) or any(type(a) is not int for a in axes):
                return None
            axes = tuple(axes)
        if direction is not None and type(direction) not in (int, str, FFTDirection):
            return None
        callbacks = []
        for cb in (prolog, epilog):
            if cb is None:
                callbacks.append(None)
                continue
            function, data = _fast_callback(cb)
            if type(function) is not FunctionType:
                return None
            callbacks.append((id(function), type(data), getattr(data, "dtype", None)))
        flags = array.flags
        return (
            name,
            package,
            array.dtype,
            array.shape,
            array.strides,
            flags.writeable,
            axes,
            threads,
            direction,
            *callbacks,
        )

    def fast_run(self, key, operand, prolog, epilog):
        """The result of the call of ``key`` (:meth:`fast_key`) through the plan an earlier
        equal call left, or None where there is none (the caller takes the planning path)."""
        entry = self._fast.get(key)
        if entry is None:
            return None
        if key[1] == "numpy":
            return entry.run(self, operand, prolog, epilog)
        result = entry.run(self, operand.numpy(), prolog, epilog)
        if result is None:
            return None
        import torch

        return torch.from_numpy(result)  # the planning path's result: a tensor sharing it

    def _remember(self, fast, fft, refs, direction):
        backend = fft._backend
        if not isinstance(backend, CpuBackend) or backend.spec.inplace:
            return
        entry = _FastPlan(backend, refs, direction, fft.logger)
        with self._lock:
            if len(self._fast) >= self.fast_maxsize:
                self._fast.clear()
            self._fast[fast] = entry


def torch_cpu_view(value) -> np.ndarray | None:
    """A NumPy view of ``value`` where it is a plain CPU ``torch.Tensor`` that NumPy can view
    without a copy (no autograd, no lazy conjugation or negation, a NumPy dtype), else None.
    Recognized by its type's name: torch is not imported for it."""
    typ = type(value)
    if typ.__name__ != "Tensor" or typ.__module__ != "torch":
        return None
    if value.requires_grad or value.device.type != "cpu":
        return None
    try:
        return value.numpy()
    except (TypeError, RuntimeError):  # bfloat16, conjugate or negative views
        return None


def _fast_callback(cb):
    """``(function, data)`` of a callback as :meth:`StatelessPlans.fast_key` takes it; a
    function of None where it does not."""
    if type(cb) is dict:
        if len(cb) > 2 or not cb.keys() <= {"function", "data"}:
            return None, None
        return cb.get("function"), cb.get("data")
    return cb, None


class _FastPlan:
    """What running a remembered stateless CPU call takes, fixed when its plan was made:
    read only (concurrent calls share it), holding the callbacks' functions weakly."""

    __slots__ = (
        "spec",
        "threads",
        "passes",
        "info_dtypes",
        "empty_info",
        "epilog_in_place",
        "refs",
        "direction",
        "logger",
    )

    def __init__(self, backend, refs, direction, logger):
        self.spec = backend.spec
        self.threads = backend.threads
        self.passes = {kind: cpass for kind, (cpass, _) in backend.callbacks.items()}
        self.info_dtypes = dict(backend.info_dtypes)
        element = {"prolog": self.spec.in_dtype, "epilog": self.spec.out_dtype}
        self.empty_info = {kind: np.empty(0, element[kind]) for kind in self.passes}
        self.epilog_in_place = backend.epilog_in_place
        self.refs = refs
        self.direction = direction
        self.logger = logger

    def run(self, plans, operand, prolog, epilog):
        callbacks = {}
        functions = {}
        for kind, cb, ref in (("prolog", prolog, self.refs[0]), ("epilog", epilog, self.refs[1])):
            if cb is None:
                continue
            function, data = _fast_callback(cb)
            if ref is None or ref() is not function:
                return None
            if data is None:
                info = self.empty_info[kind]
            else:
                info = data if type(data) is np.ndarray else torch_cpu_view(data)
                if info is None or not info.flags.c_contiguous or info.dtype != self.info_dtypes[kind]:
                    return None  # a copy, with its warning, or an error: the planning path says which
            callbacks[kind] = (self.passes[kind], info)
            functions[kind] = function
        plans.hits += 1
        if self.logger.isEnabledFor(10):
            self.logger.debug("stateless FFT: the plan of an earlier call with the same arguments, directly")
        return execute_plan(
            self.spec, self.threads, callbacks, functions, self.epilog_in_place, operand, self.direction
        )


#: The process's stateless-call plans (``nvmath.fft.fft()`` etc. with CPU execution).
stateless_plans = StatelessPlans()
