"""The GPU side of :class:`~nvmath.fft.FFT`: cuFFT plans, LTO callbacks, work areas, execution."""

from __future__ import annotations

import os

from nvmath._internal import streams as _streams
from nvmath._internal.tensor import dense_strides_like, fast_result_allocator, wrap_operand
from nvmath.bindings import cufft
from nvmath.memory import allocate_workspace

from ._dtypes import HALF
from .callbacks import (
    check_callback_signature,
    compile_epilog,
    compile_prolog,
    describe_callback,
    reads_user_info,
    user_info_alignment,
    user_info_copy_reason,
)

__all__ = ["CudaBackend", "LTO_CALLBACK_MIN_CUFFT"]

#: cuFFT 11.3 (CUDA 12.6 Update 2) introduced LTO callbacks (cufftXtSetJITCallback).
LTO_CALLBACK_MIN_CUFFT = 11300

_CALLBACK_TYPES = {
    ("prolog", "complex64"): cufft.XtCallbackType.LD_COMPLEX,
    ("prolog", "complex128"): cufft.XtCallbackType.LD_COMPLEX_DOUBLE,
    ("prolog", "float32"): cufft.XtCallbackType.LD_REAL,
    ("prolog", "float64"): cufft.XtCallbackType.LD_REAL_DOUBLE,
    ("epilog", "complex64"): cufft.XtCallbackType.ST_COMPLEX,
    ("epilog", "complex128"): cufft.XtCallbackType.ST_COMPLEX_DOUBLE,
    ("epilog", "float32"): cufft.XtCallbackType.ST_REAL,
    ("epilog", "float64"): cufft.XtCallbackType.ST_REAL_DOUBLE,
}


def _format_cufft_version(v: int) -> str:
    return f"{v // 1000}.{v % 1000 // 100}.{v % 100}"


def _toolchain_report() -> str:
    from nvmath.jit.versions import nvjitlink_version

    try:
        found = _format_cufft_version(cufft.cufftGetVersion())
    except Exception as e:  # pragma: no cover - reported, not raised
        found = f"unavailable ({e})"
    try:
        linker = nvjitlink_version()
    except Exception as e:  # pragma: no cover
        linker = f"unavailable ({e})"
    return (
        f"found cuFFT {found} and nvJitLink {linker}; LTO callbacks need cuFFT >= 11.3 (CUDA 12.6 "
        "Update 2) and an nvJitLink at least as new as cuFFT: pip install -U nvidia-cufft nvidia-nvjitlink. "
        "cuFFT declares the callback with C++ linkage: LTO-IR made elsewhere must define the symbol without "
        'extern "C" (nvmath\'s compiled callbacks export both names)'
    )


class CudaBackend:
    """cuFFT execution of one :class:`~nvmath.fft.FFT` (built by its constructor)."""

    def __init__(self, owner, holder, execution, stream):
        self.owner = owner
        self.spec = owner._spec
        self.logger = owner.logger
        self.allocator = owner.options.allocator
        if holder.is_host:
            device_id = execution.host_operand_device  # as nvmath-python: GPU 0 unless named
        else:
            device_id = holder.device_id
            if execution.device_id is not None and execution.device_id != device_id:
                raise ValueError(
                    f"the operand is on GPU {device_id} but execution.device_id="
                    f"{execution.device_id}; nvmath does not copy between GPUs implicitly"
                )
        self.device_id = device_id
        self.package = holder.package
        self.stream = _streams.get_stream(stream, package=holder.package, device_id=device_id)
        self.template = holder
        self.host_operand = holder.is_host
        self.device_operand = self._to_device(holder, self.stream)
        if self.host_operand:
            # Later calls run on the stream current then, not necessarily this one (host
            # operands' calls block anyway): the copy is complete before they are queued.
            _streams.synchronize(self.stream)
        self.handle = None
        self.workspace = None
        self.worksize = 0
        self._fast = None
        self._fused = None  # the fused cuFFTDx kernel's execution, where it runs the plan
        self._keepalive = []

    # -- operands --------------------------------------------------------------------------------
    def _to_device(self, holder, stream):
        if not holder.is_host:
            return holder
        return holder.to_device(self.device_id, stream, logger=self.logger, allocator=self.allocator)

    def reset(self, holder, stream, spec=None):
        """Take ``holder`` as the operand (None: release it); ``spec``, when given, is the new
        operand's (same plan arguments, other batch shape or strides)."""
        if holder is None:
            self.device_operand = None
            return
        s = self._stream(stream)  # None: the package's current stream, as in nvmath-python
        current = self.device_operand
        if (
            holder.is_host
            and current is not None
            and current.shape == holder.shape
            and current.strides == dense_strides_like(holder.shape, holder.strides)
        ):
            current.copy_from(holder, s, logger=self.logger)
        else:
            self.device_operand = self._to_device(holder, s)
        self.template = holder
        if spec is not None and spec is not self.spec:
            self.spec = spec
            if self.handle is not None or self._fused is not None:
                self._fast = self._fast_output()

    def _stream(self, stream):
        """The stream of a call: the one given, else the package's current stream at this call
        (as nvmath-python; the constructor's stream orders only the constructor's copies)."""
        return _streams.get_stream(stream, package=self.package, device_id=self.device_id)

    # -- planning --------------------------------------------------------------------------------
    def _resolve_callback(self, kind, cb, keep, stream):
        """A prolog/epilog checked and compiled: ``(symbol, LTO-IR bytes, user_info address)``;
        what it needs alive goes to ``keep``."""
        from nvmath.jit import device_target
        from nvmath.jit import ltoir as ltoir_mod

        element = self.spec.in_dtype if kind == "prolog" else self.spec.out_dtype
        if element in HALF or self.spec.complex_dtype in HALF:
            raise ValueError(
                f"a {kind} was given for a half-precision ({self.spec.in_dtype}) FFT, but cuFFT has no "
                "callbacks for float16/complex32 data; accepted element types: float32, float64, "
                "complex64, complex128 (cast the operand, or apply the function separately)"
            )
        target = device_target(self.device_id)
        if cb.function is not None:
            check_callback_signature(cb.function, kind)  # as on the CPU, before anything else
            if cb.data is None and reads_user_info(cb.function, kind):
                raise ValueError(
                    f"{describe_callback(cb.function, kind)} reads user_info, but {kind}.data is None: "
                    f"give what it indexes, {kind}=dict(function=..., data=array or device pointer)"
                )
        data_ptr = 0
        info_dtype = element
        if cb.data is not None:
            if isinstance(cb.data, int) and not isinstance(cb.data, bool):
                data_ptr = cb.data
            else:
                data = wrap_operand(cb.data, f"{kind}.data")
                if data.is_host or data.device_id != self.device_id:
                    where = "host memory" if data.is_host else f"GPU {data.device_id}"
                    raise ValueError(
                        f"{kind}.data is in {where}, but the FFT runs on GPU {self.device_id}; "
                        "user_info must be a device pointer or an array on the operand's device"
                    )
                if not data.is_c_contiguous():
                    # A pointer is all cuFFT passes on: the callback would read the array as if
                    # it were contiguous. It reads a contiguous copy instead.
                    self.logger.warning("%s.data is copied: %s", kind, user_info_copy_reason(data.strides))
                    copy = data.empty(data.shape, stream=stream, allocator=self.allocator)
                    copy.copy_from(data, stream)
                    _streams.synchronize(stream)  # executions may run on other streams
                    data = copy
                data_ptr, info_dtype = data.data_ptr, data.dtype
                keep.append(data)
        if cb.function is not None:
            compile_ = compile_prolog if kind == "prolog" else compile_epilog
            art = compile_(cb.function, element, info_dtype, compute_capability=target)
        else:
            art = cb.code()
            if isinstance(art, (str, os.PathLike)):
                art = ltoir_mod.load(art, compute_capability=target)
            if isinstance(art, ltoir_mod.LTOIR):
                if art.kind in ("prolog", "epilog") and art.kind != kind:
                    raise ValueError(
                        f"{kind}= was given an artifact compiled as an {art.kind}; compile it with compile_{kind}"
                    )
                if art.element_type is not None and art.element_type != element:
                    verb = "loads" if kind == "prolog" else "stores"
                    raise ValueError(
                        f"the {kind} was compiled for element type {art.element_type}, but this "
                        f"{self.spec.fft_type} plan {verb} {element}; compile it with "
                        f"element_dtype={element!r}"
                    )
                art.check_compatible(target)
        symbol = getattr(art, "symbol", None) or cb.symbol
        if not symbol:
            raise ValueError(
                f"{kind}: raw LTO-IR bytes need the callback's symbol name: pass "
                "DeviceCallable(ltoir=..., symbol='name'), or an nvmath.jit.ltoir.LTOIR"
            )
        info_type = getattr(art, "user_info_type", None)
        if data_ptr and info_type is not None and data_ptr % user_info_alignment(info_type):
            raise ValueError(
                f"{kind}.data points to {data_ptr:#x}, which is not {user_info_alignment(info_type)}-byte "
                f"aligned; the {kind} was compiled for user_info of {info_type}, whose elements "
                "must be aligned to their C type (give an array that starts on an element)"
            )
        code = bytes(art)[: cb.size] if cb.size else bytes(art)
        return symbol, code, data_ptr

    def _callback(self, handle, kind, resolved):
        """Attach a resolved prolog/epilog (:meth:`_resolve_callback`) to ``handle``."""
        symbol, code, data_ptr = resolved
        element = self.spec.in_dtype if kind == "prolog" else self.spec.out_dtype
        try:
            cufft.cufftXtSetJITCallback(handle, symbol, code, _CALLBACK_TYPES[(kind, element)], data_ptr)
        except cufft.FunctionNotFoundError:
            raise RuntimeError(f"this cuFFT cannot use LTO callbacks: {_toolchain_report()}") from None
        self.logger.info("attached %s %s (%d bytes of LTO-IR, user_info at %#x)", kind, symbol, len(code), data_ptr)

    def plan(self, prolog, epilog, stream, direction=None):
        spec = self.spec
        s = self._stream(stream)  # None: the package's current stream, as in nvmath-python
        keep = []
        with _streams.device_context(self.device_id):
            callbacks = {
                kind: self._resolve_callback(kind, cb, keep, s)
                for kind, cb in (("prolog", prolog), ("epilog", epilog))
                if cb is not None
            }
            # FFTOptions.fused_kernel: nvmath's fused cuFFTDx kernel where it can (and, with
            # "auto", where it is faster: nvmath.fft._fused_select), else cuFFT.
            fused = None
            if self.owner.options.fused_kernel != "cufft":
                from . import _fused_select

                fused = _fused_select.prepare(self, callbacks, direction, self.owner.options.fused_kernel)
            if fused is not None and not fused.needs_cufft:
                chosen = _fused_select.finish(self, fused, s)  # no cuFFT plan: it runs alone
                if chosen is not None:
                    self.destroy_plan()  # the new plan is complete: release the previous one
                    self.worksize = 0
                    self._keepalive, self._fused = keep, chosen
                    self._fast = self._fast_output()
                    self.logger.info("%s", chosen.kernel(chosen.knobs).describe())
                    return
                fused = None
            handle = cufft.cufftCreate()
            try:
                cufft.cufftSetAutoAllocation(handle, 0)
                for kind, resolved in callbacks.items():
                    self._callback(handle, kind, resolved)
                try:
                    # The arguments the plan key holds (FFT.create_key), so equal keys mean equal plans.
                    worksize = cufft.cufftXtMakePlanMany(handle, *spec.plan_args())
                except cufft.cuFFTError as e:
                    if prolog is not None or epilog is not None:
                        raise RuntimeError(
                            f"cuFFT could not make a plan with the callbacks ({e}); {_toolchain_report()}"
                        ) from e
                    raise
            except BaseException:
                cufft.cufftDestroy(handle)  # the previous plan, if any, stays as it was
                raise
        # The new plan is complete: only now release the previous one (and its work area).
        self.destroy_plan()
        self.handle, self.worksize = handle, worksize
        self._keepalive = keep
        self._fast = self._fast_output()
        self._plan_stream = None  # the stream last given to the plan
        # Hot path: unchecked functions returning the status (one Python call less each).
        self._set_stream = cufft._lib.unchecked("cufftSetStream")
        self._exec = cufft._lib.unchecked("cufftXtExec")
        self.logger.info(
            "cuFFT plan: n=%s, in embed %s stride %d dist %d, out embed %s stride %d dist %d, "
            "batch %d, work area %d bytes",
            spec.n,
            spec.in_embed.nembed,
            spec.in_embed.stride,
            spec.in_embed.dist,
            spec.out_embed.nembed,
            spec.out_embed.stride,
            spec.out_embed.dist,
            spec.batch,
            worksize,
        )
        self._ensure_workspace(s)
        if fused is not None:
            try:
                fused = _fused_select.finish(self, fused, s)
            except Exception as e:  # "auto" only: timing failed, cuFFT runs it
                self.logger.warning(
                    "FFT: the fused cuFFTDx kernel was not timed (%s: %s); cuFFT runs it", type(e).__name__, e
                )
                fused = None
            if fused is not None:  # the fused kernel runs it: the cuFFT plan is not needed
                self._release_cufft_plan()
                self._fused = fused
                self.logger.info("%s", fused.kernel(fused.knobs).describe())

    def _release_cufft_plan(self):
        """Destroy the cuFFT plan and its work area only (the callbacks' data stays)."""
        if self.handle is not None:
            with _streams.device_context(self.device_id):
                cufft.cufftDestroy(self.handle)
        self.handle, self.worksize = None, 0
        if self.workspace is not None:
            self.workspace.free()
            self.workspace = None

    def _ensure_workspace(self, stream):
        if self.workspace is None and self.worksize:
            self.workspace = allocate_workspace(
                self.worksize, package=self.package, device_id=self.device_id, stream=stream, allocator=self.allocator
            )
            cufft.cufftSetWorkArea(self.handle, self.workspace.ptr)

    def destroy_plan(self):
        self._fused = None
        try:
            if self.handle is not None:
                with _streams.device_context(self.device_id):
                    cufft.cufftDestroy(self.handle)
        finally:
            self.handle = None
            if self.workspace is not None:
                self.workspace.free()
                self.workspace = None
            self._keepalive.clear()

    # -- execution -------------------------------------------------------------------------------
    def _fast_output(self):
        """For the common case (a device operand, out of place, no copy, the package's own pool,
        its current stream and device), a function returning ``(stream handle, result, pointer)``
        with the least Python work; None where the general path is needed."""
        spec = self.spec
        if self.host_operand or spec.copy_input or spec.inplace or self.allocator is not None:
            return None
        return fast_result_allocator(self.package, self.device_id, spec.out_shape, spec.out_dtype, spec.out_strides)

    def hot_path(self, direction):
        """For ``FFT.execute()`` with no arguments: a function of none that runs the planned
        transform in ``direction`` with the least Python work and returns the result, or None
        when the general path must run (another current device, a released work area); None
        instead of a function where the general path is always needed (host operands, copies,
        in place, blocking, a user allocator)."""
        allocate = self._fast
        if allocate is None or self.device_operand is None or self.owner.options.blocking is True:
            return None
        if self._fused is not None:
            return self._fused_hot_path(allocate, direction)
        handle, run, set_stream, check = self.handle, self._exec, self._set_stream, cufft._lib.check
        in_ptr, worksize, sign, backend = self.device_operand.data_ptr, self.worksize, int(direction), self

        def hot():
            if worksize and backend.workspace is None:
                return None
            made = allocate()
            if made is None:
                return None
            stream, result, out_ptr = made
            if stream != backend._plan_stream:  # the plan keeps its stream: set when it changes
                status = set_stream(handle, stream)
                if status:
                    check("cufftSetStream", status)
                backend._plan_stream = stream
            status = run(handle, in_ptr, out_ptr, sign)
            if status:
                check("cufftXtExec", status)
            return result

        return hot

    def _fused_hot_path(self, allocate, direction):
        launch, in_ptr = self._fused.launch, self.device_operand.data_ptr

        def hot():
            made = allocate()
            if made is None:
                return None
            stream, result, out_ptr = made
            launch(in_ptr, out_ptr, direction, stream)
            return result

        return hot

    def execute(self, direction, stream, release_workspace):
        # The general path; FFT.execute() with no arguments takes hot_path()'s function.
        spec = self.spec
        src = self.device_operand
        if src is None:
            raise RuntimeError(
                "the operand was released by reset_operand(None); give a new one with reset_operand(operand)"
            )
        s = self._stream(stream)
        if spec.copy_input:
            buf = src.empty(spec.in_shape, spec.in_dtype, strides=spec.in_strides, stream=s, allocator=self.allocator)
            buf.copy_from(src, s)
            in_ptr = buf.data_ptr
        else:
            buf = None
            in_ptr = src.data_ptr
        if spec.inplace:
            out = src
        else:
            out = src.empty(
                spec.out_shape, spec.out_dtype, strides=spec.out_strides, stream=s, allocator=self.allocator
            )
        self._ensure_workspace(s)
        with _streams.device_context(self.device_id):
            if self._fused is not None:
                self._fused.launch(in_ptr, out.data_ptr, direction, s.handle)
            else:
                cufft.cufftSetStream(self.handle, s.handle)
                self._plan_stream = s.handle
                cufft.cufftXtExec(self.handle, in_ptr, out.data_ptr, int(direction))
        del buf  # stream-ordered pools: safe to give back once the work is queued
        if release_workspace and self.workspace is not None:
            self.workspace.free()
            self.workspace = None
        if self.host_operand:
            if spec.inplace:
                self.template.copy_from(out, s, logger=self.logger)
                return self.template.tensor
            return out.to(self.template.package, None, s, logger=self.logger).tensor
        if self.owner.options.blocking is True:
            _streams.synchronize(s)
        return out.tensor
