"""The FFT API: the stateful :class:`FFT` and the stateless ``fft``/``ifft``/``rfft``/``irfft``.

Phases: the constructor checks the problem (operand, axes, options, execution) and fixes the
layouts; :meth:`FFT.plan` makes the cuFFT plan and attaches the prolog and epilog;
:meth:`FFT.execute` runs it as often as needed; :meth:`FFT.free` (or leaving a ``with`` block)
releases it.

Transforms are unnormalized, as in cuFFT: ``ifft(fft(x))`` is ``x`` times the product of the
transformed lengths (NumPy's ``ifft`` divides by it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.log import get_logger
from nvmath._internal.options import check_execution, check_options
from nvmath._internal.stateful import Stateful
from nvmath._internal.streams import require_cuda
from nvmath._internal.tensor import check_same_operand, dense_strides_like, wrap_operand

from . import _layout
from .options import DeviceCallable, FFTDirection, FFTOptions

__all__ = ["FFT", "fft", "ifft", "rfft", "irfft"]

_COMPLEX = {"complex64": "float32", "complex128": "float64"}
_REAL = {"float32": "complex64", "float64": "complex128"}


class _Spec:
    """What the constructor decided: types, axes, shapes and layouts (no GPU state)."""

    def __init__(self, dtype, shape, strides, axes, options: FFTOptions):
        fft_type = options.fft_type or ("C2C" if dtype in _COMPLEX else "R2C" if dtype in _REAL else None)
        accepted = {"C2C": _COMPLEX, "R2C": _REAL, "C2R": _COMPLEX}
        if fft_type is None or dtype not in accepted[fft_type]:
            if fft_type is None:
                raise TypeError(
                    f"operand has dtype {dtype}; an FFT accepts complex64, complex128 "
                    "(C2C, C2R) or float32, float64 (R2C)"
                )
            raise TypeError(
                f"operand has dtype {dtype}, which fft_type={fft_type!r} does not accept; "
                f"{fft_type} accepts {', '.join(accepted[fft_type])}"
            )
        if options.inplace and fft_type != "C2C":
            raise ValueError(f"inplace=True is supported for C2C transforms only, not {fft_type}")
        self.fft_type = fft_type
        self.in_dtype = dtype
        self.out_dtype = {"C2C": dtype, "R2C": _REAL.get(dtype), "C2R": _COMPLEX.get(dtype)}[fft_type]
        # The precision of the transform: the complex type involved.
        self.complex_dtype = dtype if dtype in _COMPLEX else _REAL[dtype]
        self.axes = _layout.normalize_axes(axes, len(shape))
        self.lengths, self.out_shape = _layout.transform_shapes(shape, self.axes, fft_type, options.last_axis_parity)
        self.in_shape = tuple(shape)
        self.inplace = options.inplace
        in_embed = _layout.embed(self.in_shape, strides, self.axes, fft_type)
        # cuFFT overwrites the input of a C2R transform: it gets a private copy.
        self.copy_input = in_embed is None or fft_type == "C2R"
        self.in_strides = tuple(strides)
        if self.inplace:
            if self.copy_input:
                raise ValueError(
                    "inplace=True needs an operand whose layout cuFFT can address "
                    f"(shape {self.in_shape}, strides {tuple(strides)} over axes "
                    f"{self.axes} cannot be); pass inplace=False"
                )
            out_strides, out_embed = self.in_strides, in_embed
        else:
            if self.copy_input:
                in_embed = self._copy_layout()
            out_strides = _layout.result_strides(
                self.out_shape, self.in_strides, self.axes, fft_type, options.result_layout
            )
            out_embed = _layout.embed(self.out_shape, out_strides, self.axes, fft_type)
            if out_embed is None or out_embed[:2] != in_embed[:2]:
                # Both sides of one plan must enumerate the batches and the transform axes alike;
                # where the operand's own layout and the result's do not, both use the copy's.
                if not self.copy_input:
                    self.copy_input = True
                    in_embed = self._copy_layout()
                out_strides = _layout.result_strides(self.out_shape, self.in_strides, self.axes, fft_type, "optimized")
                out_embed = _layout.embed(self.out_shape, out_strides, self.axes, fft_type)
        self.out_strides = out_strides
        self.order, self.batch, self.in_embed = in_embed
        self.out_embed = out_embed[2]
        self.n = tuple(
            self.in_shape[a] if fft_type != "C2R" or a != self.axes[-1] else self.out_shape[a] for a in self.order
        )

    def _copy_layout(self):
        """Make the input a private copy in the "optimized" layout, which cuFFT always addresses."""
        self.in_strides = _layout.result_strides(self.in_shape, self.in_strides, self.axes, self.fft_type, "optimized")
        return _layout.embed(self.in_shape, self.in_strides, self.axes, self.fft_type)

    def default_direction(self) -> FFTDirection:
        return FFTDirection.INVERSE if self.fft_type == "C2R" else FFTDirection.FORWARD

    def check_direction(self, direction) -> FFTDirection:
        if direction is None:
            return self.default_direction()
        direction = FFTDirection.coerce(direction)
        if self.fft_type == "R2C" and direction != FFTDirection.FORWARD:
            raise ValueError("direction='inverse' is not possible for an R2C transform; use fft_type='C2R'")
        if self.fft_type == "C2R" and direction != FFTDirection.INVERSE:
            raise ValueError("direction='forward' is not possible for a C2R transform; use fft_type='R2C'")
        return direction


def _spec_for(holder, execution, axes, options):
    # A host operand run on the GPU is copied densely, keeping its axis order: plan for that copy.
    strides = holder.strides
    if holder.is_host and isinstance(execution, ExecutionCUDA):
        strides = dense_strides_like(holder.shape, holder.strides)
    return _Spec(holder.dtype, holder.shape, strides, axes, options)


def _writeable(holder) -> bool:
    # NumPy views can be read-only (np.broadcast_to, writeable=False); other packages' cannot.
    flags = getattr(holder.tensor, "flags", None)
    return bool(getattr(flags, "writeable", True))


def _freeze_key_part(callable_spec):
    """A hashable identity of a prolog/epilog for plan keys."""
    if callable_spec is None:
        return None
    cb = DeviceCallable.coerce(callable_spec, "callback")
    if cb.function is not None:
        from nvmath.cache import UnhashableCapture, fingerprint_function

        try:
            code = fingerprint_function(cb.function)
        except UnhashableCapture:
            code = f"id:{id(cb.function)}"
    elif isinstance(cb.ltoir, (str, os.PathLike)):
        code = f"path:{os.fspath(cb.ltoir)}"
    else:
        code = "sha256:" + hashlib.sha256(bytes(cb.ltoir)[: cb.size]).hexdigest()
    data = cb.data if isinstance(cb.data, int) or cb.data is None else f"array@{wrap_operand(cb.data, 'data').data_ptr}"
    return (code, data)


class FFT(Stateful):
    """A stateful FFT: specify once, plan once, execute many times.

    Parameters
    ----------
    operand : numpy.ndarray, cupy.ndarray or torch.Tensor
        complex64/complex128 for C2C and C2R, float32/float64 for R2C. Strided and
        non-contiguous layouts are given to cuFFT as they are where its advanced layout can
        express them, else copied once per execution (logged).
    axes : sequence of int, optional
        The 1 to 3 distinct axes to transform, ints or NumPy integers in ``[-ndim, ndim)``
        (default the last ``min(ndim, 3)``); the others are batched. For R2C and C2R the last
        of ``axes`` is the halved one. Anything else raises TypeError (not ints: floats, bools,
        strings...) or ValueError (empty, repeated, out of range, more than 3).
    options : FFTOptions or dict, optional
    execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
        Default: where the operand lives (host operands run on the CPU). A host operand with
        ``execution="cuda"`` is copied to the GPU and the result back (logged).
    stream : optional
        A CuPy or PyTorch stream, an object with ``__cuda_stream__``, or a raw handle; default
        the operand package's current stream.

    Examples
    --------
    >>> with nvmath.fft.FFT(x, axes=[-1]) as f:                      # doctest: +SKIP
    ...     f.plan(epilog=dict(function=scale, data=filt))
    ...     y = f.execute()
    """

    def __init__(self, operand, /, *, axes=None, options=None, execution=None, stream=None):
        self.options = check_options(options, FFTOptions, "options")
        self.logger = get_logger(self.options.logger)
        holder = wrap_operand(operand, "operand")
        execution = check_execution(execution, default=None)
        if execution is None:
            execution = ExecutionCPU() if holder.is_host else ExecutionCUDA()
        if isinstance(execution, ExecutionCPU) and not holder.is_host:
            raise ValueError(
                f"execution='cpu' cannot take a {holder.package} operand on GPU "
                f"{holder.device_id}: nvmath does not copy it implicitly; move it to the host "
                "first, or use execution='cuda'"
            )
        self.execution = execution
        self._spec = _spec_for(holder, execution, axes, self.options)
        if self.options.inplace and not _writeable(holder):
            raise ValueError(
                f"inplace=True needs a writeable operand, but this {holder.package} operand is read-only "
                "(a broadcast view, or writeable=False); pass inplace=False, or a writeable copy"
            )
        self._operand = holder
        self._freed = False
        self._plan = None
        self._hot = None  # execute() with no arguments, where the backend has a hot path
        if isinstance(execution, ExecutionCUDA):
            if holder.is_host:  # a device operand proves its GPU; a host one needs one found (once)
                require_cuda(execution.device_id)
            from ._cuda import CudaBackend

            self._backend = CudaBackend(self, holder, execution, stream)
        else:
            from ._cpu import CpuBackend

            self._backend = CpuBackend(self, holder, execution)
        s = self._spec
        self.logger.info(
            "FFT %s %s over axes %s of %s %s (%s, %s execution): batch %d, lengths %s",
            s.fft_type,
            s.in_dtype,
            s.axes,
            holder.package,
            s.in_shape,
            "in place" if s.inplace else "out of place",
            execution.name,
            s.batch,
            s.n,
        )

    # -- introspection ---------------------------------------------------------------------------
    def get_input_layout(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(shape, strides)`` (elements) of the data the transform reads: what a prolog's
        ``offset`` indexes."""
        return self._spec.in_shape, self._spec.in_strides

    def get_output_layout(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(shape, strides)`` (elements) of the result: what an epilog's ``offset`` indexes."""
        return self._spec.out_shape, self._spec.out_strides

    @staticmethod
    def create_key(operand, *, axes=None, options=None, execution=None, prolog=None, epilog=None):
        """A hashable key of everything that decides a plan, for users' own plan caches.

        Two problems with equal keys can share one planned :class:`FFT` (through
        :meth:`reset_operand`).
        """
        options = check_options(options, FFTOptions, "options")
        holder = wrap_operand(operand, "operand")
        execution = check_execution(execution, default=None) or (ExecutionCPU() if holder.is_host else ExecutionCUDA())
        spec = _spec_for(holder, execution, axes, options)
        return (
            holder.package,
            holder.device_id,
            holder.dtype,
            tuple(holder.shape),
            tuple(holder.strides),
            spec.axes,
            spec.fft_type,
            options.inplace,
            options.last_axis_parity,
            options.result_layout,
            execution.name,
            tuple(sorted(dataclasses.asdict(execution).items())),
            _freeze_key_part(prolog),
            _freeze_key_part(epilog),
        )

    def get_key(self, *, prolog=None, epilog=None):
        """:meth:`create_key` for this object's operand, axes, options and execution."""
        self._check_alive()
        return FFT.create_key(
            self._operand.tensor,
            axes=self._spec.axes,
            options=self.options,
            execution=self.execution,
            prolog=prolog,
            epilog=epilog,
        )

    # -- phases ----------------------------------------------------------------------------------
    def plan(self, *, prolog=None, epilog=None, stream=None, direction=None):
        """Make the plan, attaching a prolog (load) and an epilog (store) callback.

        Parameters
        ----------
        prolog, epilog : DeviceCallable, dict, LTO-IR, artifact path or Python function, optional
            ``prolog(data_in, offset, user_info, unused) -> value`` and
            ``epilog(data_out, offset, value, user_info, unused)``; Python functions are
            compiled for this plan's element types and device (through the cache). ``offset``
            indexes the layouts of :meth:`get_input_layout` / :meth:`get_output_layout`.
        stream : optional
        direction : optional
            The direction :meth:`execute` uses by default.

        Notes
        -----
        Planning again replaces the plan only once the new one is complete: if it fails (a
        callback that does not compile, bad ``user_info``...), the previous plan stays and
        :meth:`execute` still runs it.
        """
        self._check_alive()
        default = self._spec.check_direction(direction)
        prolog = DeviceCallable.coerce(prolog, "prolog")
        epilog = DeviceCallable.coerce(epilog, "epilog")
        # The backend makes the new plan completely before it releases the old one: when
        # planning fails, the previous plan stays in place and executable.
        self._backend.plan(prolog, epilog, stream)
        self._plan = default
        self._hot = self._backend.hot_path(default)
        return self

    def execute(self, direction=None, stream=None, release_workspace=False):
        """Run the planned transform and return the result, in the operand's package.

        Parameters
        ----------
        direction : "forward", "inverse" or FFTDirection, optional
            For C2C; default the one given to :meth:`plan` (forward unless C2R).
        stream : optional
        release_workspace : bool
            Give the work area back to the memory pool after this execution.
        """
        hot = self._hot
        if hot is not None and direction is None and stream is None and not release_workspace:
            result = hot()
            if result is not None:
                return result
        if self._plan is None:
            self._check_alive()
            raise RuntimeError("execute() was called before plan(): call plan() first")
        direction = self._plan if direction is None else self._spec.check_direction(direction)
        return self._backend.execute(direction, stream, release_workspace)

    def reset_operand(self, operand=None, *, stream=None):
        """Use a new operand of the same package, device, dtype, shape and strides.

        ``operand=None`` drops the reference to the current one (execute then needs a new
        one).
        """
        self._check_alive()
        if operand is None:
            self._hot = None
            self._backend.reset(None, stream)
            self._operand = None
            return
        holder = wrap_operand(operand, "operand")
        old = self._operand or self._backend.template
        check_same_operand(holder, old, what="reset_operand: the new operand", owner="FFT")
        self._hot = None
        self._backend.reset(holder, stream)
        self._operand = holder
        if self._plan is not None:
            self._hot = self._backend.hot_path(self._plan)

    def release_operand(self):
        """Drop the references to the operand (and to copies made of it), so that its memory can
        be freed while the plan is kept; :meth:`reset_operand` gives the next one."""
        self.reset_operand(None)
        self.logger.info("FFT: the operand was released")

    def reset_operand_unchecked(self, operand, *, stream=None):
        """:meth:`reset_operand` for an operand the caller knows to match the planned one.

        nvmath-python skips its checks here; this implementation keeps them (they compare a
        few tuples), so a mismatched operand is still refused rather than read out of bounds.
        """
        self.reset_operand(operand, stream=stream)

    def _release(self):
        # The plan and its work area (Stateful.free calls this once).
        self._hot = None
        try:
            if self._plan is not None:
                self._backend.destroy_plan()
        finally:
            self._plan = None
            self._operand = None
            self.logger.debug("FFT freed")


def _one_shot(operand, axes, options, execution, prolog, epilog, stream, direction, fft_type, name):
    options = check_options(options, FFTOptions, "options")
    if fft_type is not None:
        if options.fft_type not in (None, fft_type):
            raise ValueError(
                f"{name}() computes a {fft_type} transform; options.fft_type={options.fft_type!r} contradicts it"
            )
        options = dataclasses.replace(options, fft_type=fft_type)
    with FFT(operand, axes=axes, options=options, execution=execution, stream=stream) as f:
        f.plan(prolog=prolog, epilog=epilog, stream=stream, direction=direction)
        return f.execute(direction=direction, stream=stream)


# The stateless functions document their parameters in full (help() shows them), from one
# text: only the operand, the result and a note differ between them.
_ONE_SHOT_DOC = """{summary}

Parameters
----------
operand : numpy.ndarray, cupy.ndarray or torch.Tensor
    {operand} Any strides: layouts cuFFT's advanced layout can express are used as they
    are, others are copied once (logged).
axes : sequence of int, optional
    The 1 to 3 distinct axes to transform, ints or NumPy integers in ``[-ndim, ndim)``;
    default the last ``min(ndim, 3)``. The other axes are batched.{axes_note}{direction}
options : FFTOptions or dict, optional
    ``inplace``, ``last_axis_parity``, ``result_layout``, ``logger``, ``blocking``,
    ``allocator`` (see :class:`FFTOptions`).
execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
    Where the transform runs; default where the operand lives (host operands on the CPU,
    through ``scipy.fft``). A host operand with ``execution="cuda"`` is copied to the GPU and
    its result back (logged).
prolog, epilog : callable, dict, DeviceCallable or LTO-IR, optional
    Python functions ``prolog(data_in, offset, user_info, unused) -> value`` and
    ``epilog(data_out, offset, value, user_info, unused)``, run on each element as it is
    loaded and stored: fused into cuFFT's kernel on the GPU, compiled by Numba on the CPU,
    both through nvmath's cache. ``dict(function=f, data=array)`` passes a contiguous array
    on the operand's device as ``user_info``; on the GPU, compiled LTO-IR may be given instead
    of a function (:class:`DeviceCallable`).
stream : optional
    A CuPy or PyTorch stream, an object with ``__cuda_stream__``, or a raw handle; default the
    operand package's current stream.

Returns
-------
numpy.ndarray, cupy.ndarray or torch.Tensor
    {returns} Of the operand's package and on its device. Unnormalized, as cuFFT:
    ``ifft(fft(x)) == x * prod(lengths)``.

Raises
------
TypeError
    An operand of a package or dtype this transform does not take, or ``axes`` that are not
    integers.
ValueError
    Axes that are empty, repeated or out of range; options or callbacks that do not fit.

Notes
-----
The plan is made for this call and released after it; :class:`FFT` plans once for many
executions.
"""


_DIRECTION_DOC = """
direction : "forward", "inverse", FFTDirection or -1/1, optional
    For C2C; default {default}."""


def _one_shot_doc(summary, operand, returns, axes_note="", direction=None):
    def document(function):
        function.__doc__ = _ONE_SHOT_DOC.format(
            summary=summary,
            operand=operand,
            returns=returns,
            axes_note=axes_note,
            direction=_DIRECTION_DOC.format(default=direction) if direction else "",
        )
        return function

    return document


_HALVED = " The last of ``axes`` is the halved one."


@_one_shot_doc(
    "Forward FFT: C2C for a complex operand, R2C for a real one.",
    "complex64 or complex128 (C2C), float32 or float64 (R2C).",
    "Complex, of the operand's precision; for R2C the last of ``axes`` has ``n // 2 + 1`` elements.",
    direction="forward",
)
def fft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    direction = FFTDirection.FORWARD if direction is None else direction
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, direction, None, "fft")


@_one_shot_doc(
    "Inverse C2C FFT of a complex operand.",
    "complex64 or complex128.",
    "Complex, of the operand's dtype and shape.",
    direction="inverse",
)
def ifft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    holder = wrap_operand(operand, "operand")
    if holder.dtype not in _COMPLEX:
        raise TypeError(f"ifft needs a complex operand (complex64, complex128), got {holder.dtype}")
    direction = FFTDirection.INVERSE if direction is None else direction
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, direction, "C2C", "ifft")


@_one_shot_doc(
    "Forward R2C FFT of a real operand.",
    "float32 or float64.",
    "Complex, of the operand's precision; the last of ``axes`` has ``n // 2 + 1`` elements.",
    _HALVED,
)
def rfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, FFTDirection.FORWARD, "R2C", "rfft")


@_one_shot_doc(
    "Inverse C2R FFT of a complex operand, Hermitian-symmetric along the last of ``axes``.",
    "complex64 or complex128.",
    "Real, of the operand's precision; the last of ``axes`` has ``2 * (m - 1)`` elements, or "
    "``2 * (m - 1) + 1`` with ``options={'last_axis_parity': 'odd'}``.",
    _HALVED,
)
def irfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, FFTDirection.INVERSE, "C2R", "irfft")
