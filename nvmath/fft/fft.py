"""The FFT API: the stateful :class:`FFT` and the stateless ``fft``/``ifft``/``rfft``/``irfft``.

Phases: the constructor checks the problem (operand, axes, options, execution) and fixes the
layouts; :meth:`FFT.plan` makes the cuFFT plan and attaches the prolog and epilog;
:meth:`FFT.execute` runs it as often as needed; :meth:`FFT.free` (or leaving a ``with`` block)
releases it.

Transforms are unnormalized, as in cuFFT: ``ifft(fft(x))`` is ``x`` times the product of the
transformed lengths (NumPy's ``ifft`` divides by it).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
import os

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.log import get_logger
from nvmath._internal.options import check_choice, check_execution, check_options
from nvmath._internal.stateful import Stateful
from nvmath._internal.streams import require_cuda
from nvmath._internal.tensor import check_same_operand, dense_strides_like, wrap_operand
from nvmath._internal.validate import DtypeError

from . import _layout
from ._cpu import stateless_plans
from ._dtypes import COMPLEX_TO_REAL, CPU_DTYPES, CUDA_DATA_TYPE, HALF, REAL_TO_COMPLEX, is_power_of_two
from .options import DeviceCallable, FFTDirection, FFTOptions

__all__ = ["FFT", "fft", "ifft", "rfft", "irfft", "estimate_workspace_size"]

_COMPLEX = COMPLEX_TO_REAL
_REAL = REAL_TO_COMPLEX
_ACCEPTED_DTYPES = (
    "complex64, complex128 (C2C, C2R) or float32, float64 (R2C); on the GPU also complex32 (PyTorch) and float16"
)


class _Spec:
    """What the constructor decided: types, axes, shapes and layouts (no GPU state)."""

    def __init__(self, dtype, shape, strides, axes, options: FFTOptions):
        fft_type = options.fft_type or ("C2C" if dtype in _COMPLEX else "R2C" if dtype in _REAL else None)
        accepted = {"C2C": _COMPLEX, "R2C": _REAL, "C2R": _COMPLEX}
        if fft_type is None or dtype not in accepted[fft_type]:
            if fft_type is None:
                raise DtypeError(f"operand has dtype {dtype}; an FFT accepts {_ACCEPTED_DTYPES}")
            raise DtypeError(
                f"operand has dtype {dtype}, which fft_type={fft_type!r} does not accept; "
                f"{fft_type} accepts {', '.join(accepted[fft_type])}"
            )
        if options.inplace and fft_type != "C2C":
            raise ValueError(f"inplace=True is supported for C2C transforms only, not {fft_type}")
        self.fft_type = fft_type
        half = dtype in HALF
        self.in_dtype = dtype
        self.out_dtype = {"C2C": dtype, "R2C": _REAL.get(dtype), "C2R": _COMPLEX.get(dtype)}[fft_type]
        # The precision of the transform: the complex type involved.
        self.complex_dtype = dtype if dtype in _COMPLEX else _REAL[dtype]
        self.axes = _layout.normalize_axes(axes, len(shape))
        self.lengths, self.out_shape = _layout.transform_shapes(shape, self.axes, fft_type, options.last_axis_parity)
        self.in_shape = tuple(shape)
        self.inplace = options.inplace
        in_embed = _layout.embed(self.in_shape, strides, self.axes, fft_type)
        # cuFFT overwrites the input of a C2R transform: it gets a private copy. In half precision
        # cuFFT takes no stride on the real side of R2C/C2R: such an input is copied too.
        self.copy_input = (
            in_embed is None or fft_type == "C2R" or (half and fft_type == "R2C" and in_embed[2].stride != 1)
        )
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
                # A "natural" result keeps the operand's axis order: so does the private copy
                # (C2R's always), since both sides of a plan must be laid out alike.
                in_embed = self._copy_layout(strides if options.result_layout == "natural" else None)
            out_strides = _layout.result_strides(
                self.out_shape, self.in_strides, self.axes, fft_type, options.result_layout
            )
            out_embed = _layout.embed(self.out_shape, out_strides, self.axes, fft_type)
            if (
                out_embed is None
                or out_embed[:2] != in_embed[:2]
                or (half and fft_type == "C2R" and out_embed[2].stride != 1)
            ):
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

    def plan_args(self) -> tuple:
        """The arguments of ``cufftXtMakePlanMany`` after the handle: ``(rank, n, inembed,
        istride, idist, inputtype, onembed, ostride, odist, outputtype, batch, executiontype)``,
        the types as ``cudaDataType`` codes. The plan key holds them: equal arguments, one plan."""
        istride, ostride = self.in_embed.stride, self.out_embed.stride
        if self.fft_type == "C2C" and self.in_dtype in HALF and math.prod(self.n) == 1:
            # One-element samples: the stride addresses nothing, and half-precision C2C plans
            # of some cuFFT versions fail (or misbehave) with one other than 1.
            istride = ostride = 1
        return (
            len(self.n),
            tuple(self.n),
            tuple(self.in_embed.nembed),
            istride,
            self.in_embed.dist,
            CUDA_DATA_TYPE[self.in_dtype],
            tuple(self.out_embed.nembed),
            ostride,
            self.out_embed.dist,
            CUDA_DATA_TYPE[self.out_dtype],
            self.batch,
            CUDA_DATA_TYPE[self.complex_dtype],
        )

    def _copy_layout(self, natural_from=None):
        """Make the input a private copy: dense in the axis order of ``natural_from`` (the
        operand's strides) where given and cuFFT addresses that, else in the "optimized" layout,
        which it always addresses."""
        if natural_from is not None:
            dense = _layout.result_strides(self.in_shape, natural_from, self.axes, self.fft_type, "natural")
            embedded = _layout.embed(self.in_shape, dense, self.axes, self.fft_type)
            if embedded is not None:
                self.in_strides = dense
                return embedded
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
    spec = _Spec(holder.dtype, holder.shape, strides, axes, options)
    if spec.complex_dtype in HALF:
        _check_half(spec, holder, execution)
    return spec


def _check_half(spec, holder, execution):
    """What cuFFT requires of half-precision transforms, and what the packages can hold."""
    if isinstance(execution, ExecutionCPU):
        # A TypeError as in nvmath-python (NumPy holds no complex32), and a ValueError as before.
        raise DtypeError(
            f"execution='cpu' does not take a {spec.in_dtype} operand: the CPU FFT supports "
            f"{', '.join(CPU_DTYPES)}; use execution='cuda' (cuFFT has half precision), or cast the operand"
        )
    for dtype in (spec.in_dtype, spec.out_dtype):
        if dtype == "complex32" and holder.package != "torch":
            raise TypeError(
                f"the {spec.fft_type} FFT of this {holder.package} {spec.in_dtype} operand has a complex32 "
                f"result, which {holder.package} cannot hold; accepted: PyTorch tensors for half precision, "
                "or a float32 operand"
            )
    bad = [n for n in spec.n if not is_power_of_two(n)]
    if bad:
        raise ValueError(
            f"half-precision ({spec.in_dtype}) FFTs need power-of-two lengths (a cuFFT restriction), but "
            f"the transform lengths over axes {spec.axes} are {spec.n}; accepted: 1, 2, 4, 8, ... on each "
            "transformed axis (pad the operand, or cast it to complex64/float32)"
        )


def _resolve_execution(options, execution, holder):
    """The execution space: ``execution`` coerced (default: where the operand lives), with the
    deprecated ``options.device_id`` folded in."""
    execution = check_execution(execution, default=None, operand_space="cpu" if holder.is_host else "cuda")
    if execution is None:
        execution = ExecutionCPU() if holder.is_host else ExecutionCUDA()
    device_id = options.device_id
    if device_id is not None:
        if isinstance(execution, ExecutionCPU):
            raise ValueError(
                f"FFTOptions.device_id={device_id} names a GPU, but the execution is on the CPU; "
                "pass execution=ExecutionCUDA(device_id=...) (and leave FFTOptions.device_id unset)"
            )
        if execution.device_id is None:
            execution = dataclasses.replace(execution, device_id=device_id)
        elif execution.device_id != device_id:
            raise ValueError(
                f"FFTOptions.device_id={device_id} contradicts execution.device_id={execution.device_id}; "
                "give the device in execution only"
            )
    return execution


def _execution_key(execution, holder) -> tuple:
    """``(name, *fields)`` of the execution space; on the GPU, the device the plan is made on."""
    if isinstance(execution, ExecutionCUDA):
        if not holder.is_host:
            return ("cuda", holder.device_id)
        return ("cuda", execution.host_operand_device)
    return ("cpu", execution.num_threads)


def _make_key(spec, execution_key, prolog, epilog) -> tuple:
    callables = None
    if prolog is not None or epilog is not None:
        callables = (_freeze_key_part(prolog), _freeze_key_part(epilog))
    return (spec.plan_args(), callables, execution_key)


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
        code = "sha256:" + hashlib.sha256(bytes(cb.code())[: cb.size]).hexdigest()
    data = cb.data if isinstance(cb.data, int) or cb.data is None else f"array@{wrap_operand(cb.data, 'data').data_ptr}"
    return (code, data)


class InvalidFFTState(RuntimeError):
    """An :class:`FFT` was used after :meth:`FFT.free` (nvmath-python's name; not exported there either)."""


class FFT(Stateful):
    """A stateful FFT: specify once, plan once, execute many times.

    Parameters
    ----------
    operand : numpy.ndarray, cupy.ndarray or torch.Tensor
        complex64/complex128 for C2C and C2R, float32/float64 for R2C; with CUDA execution also
        half precision (complex32, i.e. ``torch.chalf``, and float16), whose transform lengths
        cuFFT limits to powers of two and which takes no callbacks. Strided and non-contiguous
        layouts are given to cuFFT as they are where its advanced layout can express them, else
        copied once per execution (logged).
    axes : sequence of int, optional
        The 1 to 3 distinct axes to transform, ints or NumPy integers in ``[-ndim, ndim)``
        (default every axis; an operand of more than 3 dimensions must name them); the others
        are batched. For R2C and C2R the last of ``axes`` is the halved one. Anything else
        raises TypeError (not ints: floats, bools, strings...) or ValueError (empty, repeated,
        out of range, more than 3).
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

    _freed_error = InvalidFFTState

    def __init__(self, operand, /, *, axes=None, options=None, execution=None, stream=None):
        self.options = check_options(options, FFTOptions, "options")
        self.logger = get_logger(self.options.logger)
        holder = wrap_operand(operand, "operand")
        execution = _resolve_execution(self.options, execution, holder)
        if isinstance(execution, ExecutionCPU) and not holder.is_host:
            raise ValueError(
                f"execution='cpu' cannot take a {holder.package} operand on GPU "
                f"{holder.device_id}: nvmath does not copy it implicitly; move it to the host "
                "first, or use execution='cuda'"
            )
        self.execution = execution
        self._spec = _spec_for(holder, execution, axes, self.options)
        self._execution_key = _execution_key(execution, holder)
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

        Parameters
        ----------
        operand, axes, options, execution, prolog, epilog
            As for :class:`FFT` and :meth:`plan`.

        Returns
        -------
        tuple
            ``(plan_args, callables, execution)``, as nvmath-python's: ``plan_args`` the 12
            arguments of ``cufftXtMakePlanMany`` after the handle (rank, n, inembed, istride,
            idist, input type, onembed, ostride, odist, output type, batch, execution type;
            types as ``cudaDataType`` codes), ``callables`` None or an identity of the prolog
            and the epilog (a hash of their code, and their data), ``execution`` ``("cuda",
            device_id)`` or ``("cpu", num_threads)``.

        Notes
        -----
        Operands whose batch axes are arranged differently can share a key (``(2, 3, 64)`` and
        ``(3, 2, 64)`` over the last axis are both 6 transforms of 64 one after another): an
        :class:`FFT` planned for one takes the other through :meth:`reset_operand`, and its
        result has the new operand's shape. The key holds no package and no stream: add them
        where a cache mixes packages or uses stream-ordered memory. :func:`estimate_workspace_size`
        reads a key.
        """
        options = check_options(options, FFTOptions, "options")
        holder = wrap_operand(operand, "operand")
        execution = _resolve_execution(options, execution, holder)
        spec = _spec_for(holder, execution, axes, options)
        return _make_key(spec, _execution_key(execution, holder), prolog, epilog)

    def get_key(self, *, prolog=None, epilog=None):
        """:meth:`create_key` for this object's current operand, axes, options and execution."""
        self._check_alive()
        return _make_key(self._spec, self._execution_key, prolog, epilog)

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
            Default: the operand package's current stream at this call, as in nvmath-python.
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
        if isinstance(self.execution, ExecutionCUDA):  # the fused kernel is built for the direction
            self._backend.plan(prolog, epilog, stream, direction=default)
        else:
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
            Default: the operand package's current stream at this call, as in nvmath-python.
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
        """Use a new operand in place of the current one, keeping the plan.

        The new operand must be of the same package, device and dtype, and have the same
        plan key (:meth:`create_key`): usually the same shape and strides, but operands whose
        batch axes are arranged differently may share one (the result then has the new
        operand's shape). ``operand=None`` drops the reference to the current one, as
        :meth:`release_operand` does (execute then needs a new one). A host operand is copied
        to the GPU on ``stream``, by default the package's current stream at this call.

        Raises
        ------
        ValueError
            An operand of another package, device or dtype, or one whose plan would differ
            (the message names what differs); the FFT keeps its current operand.
        """
        self._check_alive()
        if operand is None:
            self._hot = None
            self._backend.reset(None, stream)
            self._operand = None
            return
        holder = wrap_operand(operand, "operand")
        old = self._operand or self._backend.template
        check_same_operand(holder, old, what="reset_operand: the new operand", owner="FFT", attrs=_SAME_OPERAND)
        spec = self._spec
        if holder.shape != old.shape or holder.strides != old.strides:
            spec = self._respec(holder)
        self._hot = None
        self._backend.reset(holder, stream, spec)
        self._spec = spec
        self._operand = holder
        if self._plan is not None:
            self._hot = self._backend.hot_path(self._plan)

    def _respec(self, holder):
        """The spec of a new operand of another shape or strides, if the plan fits it."""
        old = self._spec
        options = self.options
        try:
            spec = _spec_for(holder, self.execution, old.axes, options)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"reset_operand: the new operand (shape {holder.shape}, strides {holder.strides}) does not fit "
                f"this FFT over axes {old.axes}: {e}"
            ) from e
        if spec.plan_args() != old.plan_args():
            planned = self._backend.template
            if holder.shape == planned.shape:
                what = f"strides are {holder.strides}"
            elif holder.strides == planned.strides:
                what = f"shape is {holder.shape}"
            else:
                what = f"shape and strides are {holder.shape} and {holder.strides}"
            raise ValueError(
                f"reset_operand: the new operand's {what}, which needs another plan than this FFT's (its operand "
                f"has shape {planned.shape}, strides {planned.strides}): plan arguments {spec.plan_args()} instead "
                f"of {old.plan_args()}; create a new FFT for it (equal FFT.create_key keys share a plan)"
            )
        self.logger.info(
            "FFT: reset to an operand of shape %s and strides %s (same plan); the result has shape %s",
            holder.shape,
            holder.strides,
            spec.out_shape,
        )
        return spec

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


_SAME_OPERAND = ("package", "device_id", "dtype")

# (input, output) cudaDataType codes -> the cufftType cufftEstimateMany takes (32/64-bit only).
_ESTIMATE_TYPES = {
    (4, 4): 0x29,  # C2C
    (0, 4): 0x2A,  # R2C
    (4, 0): 0x2C,  # C2R
    (5, 5): 0x69,  # Z2Z
    (1, 5): 0x6A,  # D2Z
    (5, 1): 0x6C,  # Z2D
}


def estimate_workspace_size(key, *, technique="default", handle=None) -> int:
    """The work area, in bytes, that a plan of ``key`` needs, without making the plan.

    Parameters
    ----------
    key : tuple
        A key from :meth:`FFT.create_key` or :meth:`FFT.get_key`.
    technique : {"default", "refined"}
        "default": ``cufftEstimateMany``, which needs no handle (not for half precision).
        "refined": ``cufftXtGetSizeMany`` on ``handle``, which accounts for the handle's
        settings (for a fresh handle, the same size as "default").
    handle : int, optional
        A cuFFT handle (``nvmath.bindings.cufft.cufftCreate()``, or ``create()``) on the
        key's device; required by "refined", ignored otherwise.

    Returns
    -------
    int
        The size in bytes; 0 for CPU execution (no work area is managed there) and for plans
        that need none. Callbacks in the key are not accounted for (cuFFT's estimates do not).

    Raises
    ------
    ValueError
        An unknown ``technique``, a key that is not one of :meth:`FFT.create_key`, "refined"
        without a handle, or "default" for a half-precision key.
    """
    technique = check_choice(technique, ("default", "refined"), "technique")
    accepted = "a key made by FFT.create_key() or FFT.get_key()"
    if not isinstance(key, tuple) or len(key) != 3:
        raise ValueError(f"key={key!r} is not supported; accepted: {accepted}")
    plan_args, _, execution = key
    if not isinstance(plan_args, tuple) or len(plan_args) != 12:
        raise ValueError(f"key={key!r}: its first item is not the 12 plan arguments; accepted: {accepted}")
    if not isinstance(execution, tuple) or not execution or execution[0] not in ("cuda", "cpu"):
        raise ValueError(f"key={key!r}: its last item is not an execution space; accepted: {accepted}")
    if execution[0] == "cpu":
        return 0
    from nvmath.bindings import cufft

    device_id = execution[1] if len(execution) > 1 and execution[1] is not None else None
    if technique == "refined":
        if handle is None:
            raise ValueError("technique='refined' needs handle= (a cuFFT handle on the key's device)")
        return cufft.cufftXtGetSizeMany(handle, *plan_args)
    rank, n, inembed, istride, idist, in_type, onembed, ostride, odist, out_type, batch, _ = plan_args
    cufft_type = _ESTIMATE_TYPES.get((in_type, out_type))
    if cufft_type is None:
        from ._dtypes import CUDA_DATA_TYPE_NAME

        types = f"{CUDA_DATA_TYPE_NAME.get(in_type, in_type)} to {CUDA_DATA_TYPE_NAME.get(out_type, out_type)}"
        raise ValueError(
            f"technique='default' (cufftEstimateMany) cannot estimate a {types} plan (half precision); "
            "use technique='refined' with a handle"
        )
    with _device_context(device_id):
        return cufft.cufftEstimateMany(rank, n, inembed, istride, idist, onembed, ostride, odist, cufft_type, batch)


def _device_context(device_id):
    import contextlib

    if device_id is None:
        return contextlib.nullcontext()
    from nvmath._internal import streams

    return streams.device_context(device_id)


_default_options: FFTOptions | None = None


def _defaults() -> FFTOptions:
    """One FFTOptions() for the stateless calls given no options: made, and checked, once (the
    calls never change it; a plan they make keeps it as it would keep the user's)."""
    global _default_options
    if _default_options is None:
        _default_options = FFTOptions()
    return _default_options


def _fast(name, operand, axes, direction, options, execution, prolog, epilog, stream):
    """``(result, key)`` of a stateless call through the CPU fast path (see
    ``StatelessPlans.fast_key``): the result None where the call must plan (the key, when not
    None, then tells the planning path to remember the call)."""
    key = stateless_plans.fast_key(name, operand, axes, direction, options, execution, prolog, epilog, stream)
    if key is None:
        return None, None
    return stateless_plans.fast_run(key, operand, prolog, epilog), key


def _one_shot(
    operand, axes, options, execution, prolog, epilog, stream, direction, fft_type, name, holder=None, fast=None
):
    options = _defaults() if options is None else check_options(options, FFTOptions, "options")
    if fft_type is not None:
        # irfft() sets C2R whatever options.fft_type says, as nvmath-python's does (on a copy
        # here: the caller's options are left as they were); rfft() refuses a contradiction.
        if options.fft_type not in (None, fft_type) and fft_type != "C2R":
            raise ValueError(
                f"{name}() computes a {fft_type} transform; options.fft_type={options.fft_type!r} contradicts it"
            )
        options = copy.copy(options)  # fft_type is valid; replace() would warn about device_id again
        options.fft_type = fft_type
    holder = holder or wrap_operand(operand, "operand")
    resolved = _resolve_execution(options, execution, holder)
    if isinstance(resolved, ExecutionCPU) and holder.is_host:
        # On the CPU a plan holds nothing but compiled callbacks: equal calls reuse one (see
        # nvmath.fft._cpu.StatelessPlans), so that a repeated call costs what FFT.execute costs.
        try:
            prolog_cb = DeviceCallable.coerce(prolog, "prolog")
            epilog_cb = DeviceCallable.coerce(epilog, "epilog")
            direction = FFTDirection.coerce(direction)
        except (TypeError, ValueError):  # raised below, in the order FFT checks its arguments
            key = None
        else:
            key, functions = stateless_plans.key(holder, axes, options, resolved, prolog_cb, epilog_cb, direction)
        if key is not None:

            def make():
                f = FFT(operand, axes=axes, options=options, execution=resolved, stream=stream)
                try:
                    f.plan(prolog=prolog_cb, epilog=epilog_cb, stream=stream, direction=direction)
                except BaseException:
                    f.free()
                    raise
                return f

            return stateless_plans.run(key, functions, holder, prolog_cb, epilog_cb, direction, make, fast)
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
    default every axis (an operand of more than 3 dimensions must name them). The other axes
    are batched.{axes_note}{direction}
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
    Axes that are empty, repeated or out of range; options or callbacks that do not fit; a
    real operand for ``fft``/``ifft``; half precision on the CPU or with lengths that are not
    powers of two.

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


class _ComplexOperandExpected(DtypeError):
    """A real operand given to fft(), ifft() or irfft(): a ValueError as nvmath-python raises,
    and a TypeError (what it is)."""


class _RealOperandExpected(RuntimeError, TypeError):
    """A complex operand given to rfft(): a RuntimeError as nvmath-python raises, and a
    TypeError (what it is)."""


def _require_complex(operand, name):
    # As nvmath-python: fft and ifft are C2C (C2R with options.fft_type="C2R"), irfft C2R; rfft
    # takes real operands.
    holder = wrap_operand(operand, "operand")
    if holder.dtype not in _COMPLEX:
        use = "rfft() for a real-to-complex FFT" if name != "irfft" else "rfft() first"
        raise _ComplexOperandExpected(
            f"{name}() expects a complex operand (complex32, complex64, complex128), found {holder.dtype}; "
            f"use {use}, or cast the operand to the complex dtype of its precision"
        )
    return holder


def _require_real(operand, name):
    holder = wrap_operand(operand, "operand")
    if holder.dtype in _COMPLEX:
        raise _RealOperandExpected(
            f"{name}() expects a real operand (float16, float32, float64), found {holder.dtype}; "
            "use fft() for a complex operand"
        )
    return holder


@_one_shot_doc(
    "Forward C2C FFT of a complex operand (as nvmath-python: a real operand is refused, use rfft).",
    "complex64 or complex128; complex32 (``torch.chalf``) on the GPU, power-of-two lengths.",
    "Complex, of the operand's dtype and shape.",
    direction="forward",
)
def fft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    result, fast = _fast("fft", operand, axes, direction, options, execution, prolog, epilog, stream)
    if result is not None:
        return result
    holder = _require_complex(operand, "fft")
    direction = FFTDirection.FORWARD if direction is None else direction
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, direction, None, "fft", holder, fast)


@_one_shot_doc(
    "Inverse C2C FFT of a complex operand (a real operand is refused).",
    "complex64 or complex128; complex32 (``torch.chalf``) on the GPU, power-of-two lengths.",
    "Complex, of the operand's dtype and shape.",
    direction="inverse",
)
def ifft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    result, fast = _fast("ifft", operand, axes, direction, options, execution, prolog, epilog, stream)
    if result is not None:
        return result
    holder = _require_complex(operand, "ifft")
    direction = FFTDirection.INVERSE if direction is None else direction
    # options.fft_type="C2R" makes it a C2R transform, as in nvmath-python; else C2C.
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, direction, None, "ifft", holder, fast)


@_one_shot_doc(
    "Forward R2C FFT of a real operand.",
    "float32 or float64; float16 on the GPU (power-of-two lengths, PyTorch for the complex32 result).",
    "Complex, of the operand's precision; the last of ``axes`` has ``n // 2 + 1`` elements.",
    _HALVED,
)
def rfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    result, fast = _fast("rfft", operand, axes, None, options, execution, prolog, epilog, stream)
    if result is not None:
        return result
    holder = _require_real(operand, "rfft")
    forward = FFTDirection.FORWARD
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, forward, "R2C", "rfft", holder, fast)


@_one_shot_doc(
    "Inverse C2R FFT of a complex operand, Hermitian-symmetric along the last of ``axes``.",
    "complex64 or complex128; complex32 (``torch.chalf``) on the GPU, power-of-two lengths.",
    "Real, of the operand's precision; the last of ``axes`` has ``2 * (m - 1)`` elements, or "
    "``2 * (m - 1) + 1`` with ``options={'last_axis_parity': 'odd'}``.",
    _HALVED,
)
def irfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    result, fast = _fast("irfft", operand, axes, None, options, execution, prolog, epilog, stream)
    if result is not None:
        return result
    holder = _require_complex(operand, "irfft")
    inverse = FFTDirection.INVERSE
    return _one_shot(operand, axes, options, execution, prolog, epilog, stream, inverse, "C2R", "irfft", holder, fast)
