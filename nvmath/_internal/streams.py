"""CUDA streams of the operand packages, or raw ``cudaStream_t`` handles.

A :class:`StreamHolder` carries the raw handle (for the NVIDIA libraries) and the stream object
of the package that allocates and copies on the device (CuPy or PyTorch), so that the same stream
serves both. :func:`get_stream` builds one from whatever the user passed as ``stream=``.

For NumPy operands run on a GPU, the device package is CuPy if it is installed, else PyTorch
(a CUDA build), else none: raw handles and ``cuda.bindings`` only (:func:`device_package`).

Nothing here imports CuPy or PyTorch at import time; ``cuda.bindings`` is imported on first use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import logging
import operator
import sys
import warnings

__all__ = [
    "StreamHolder",
    "get_stream",
    "stream_context",
    "synchronize",
    "stream_wait",
    "device_context",
    "current_device_id",
    "device_package",
    "is_installed",
    "check_cuda",
    "require_cuda",
    "RAW",
    "current_stream_getter",
    "current_device_getter",
]

#: ``StreamHolder.package`` of a stream with no package object (raw handle, ``cuda.bindings``).
RAW = "cuda"

_OPERAND_PACKAGES = ("numpy", "cupy", "torch")

_ACCEPTED_STREAMS = (
    "None (the current stream of the operand's package), a cupy.cuda.Stream, a "
    "torch.cuda.Stream, a cuda.core Stream or any object with __cuda_stream__, "
    "or an int cudaStream_t handle"
)


# --------------------------------------------------------------------------------------------
# packages


def is_installed(package: str) -> bool:
    """Whether ``package`` can be imported (without importing it, unless it already is)."""
    if package in sys.modules:
        return True
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def _torch_has_cuda() -> bool:
    if not is_installed("torch"):
        return False
    import torch

    return torch.version.cuda is not None


def device_package(package: str) -> str | None:
    """The package whose device arrays, streams and memory pool serve operands of ``package``.

    ``"cupy"`` → ``"cupy"``; ``"torch"`` → ``"torch"``; ``"numpy"`` → ``"cupy"`` if CuPy is
    installed, else ``"torch"`` if a CUDA build of PyTorch is, else ``None``.
    """
    if package in ("cupy", "torch"):
        return package
    if package == "numpy":
        if is_installed("cupy"):
            return "cupy"
        if _torch_has_cuda():
            return "torch"
        return None
    raise ValueError(f"package={package!r} is not supported; accepted: {', '.join(map(repr, _OPERAND_PACKAGES))}")


# --------------------------------------------------------------------------------------------
# the CUDA runtime


def _runtime():
    from cuda.bindings import runtime

    return runtime


#: cudaError_t values that mean "no usable GPU or driver" rather than a failed call:
#: InitializationError, StubLibrary, InsufficientDriver, NoDevice, SystemDriverMismatch.
_NO_GPU_ERRORS = frozenset({3, 34, 35, 100, 803})

_NO_GPU_HINT = (
    "no usable CUDA GPU or driver was found (an NVIDIA GPU and a driver at least as new as the CUDA "
    "runtime are needed); run host operands with execution='cpu'"
)


def _error_message(err, what: str) -> str:
    runtime = _runtime()
    name = runtime.cudaGetErrorName(err)[1]
    name = name.decode() if isinstance(name, bytes) else str(name)
    if int(err) in _NO_GPU_ERRORS:
        return f"{_NO_GPU_HINT} ({what} failed: {name} ({int(err)}))"
    return f"{what} failed: {name} ({int(err)})"


def check_cuda(result, what: str):
    """Raise :class:`RuntimeError` if a ``cuda.bindings.runtime`` call failed; else return its
    values (``None``, one value, or a tuple). Errors that mean there is no usable GPU or driver
    say so (only here, where the error is handled: successful calls pay nothing for it)."""
    err, *values = result
    if err:  # cudaSuccess is 0
        raise RuntimeError(_error_message(err, what))
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


_device_count: int | None = None


def require_cuda(device_id: int | None = None, what: str = "execution='cuda'") -> int:
    """Check that a CUDA GPU (``device_id``, where given) can be used; return the number of GPUs.

    The count is asked of the CUDA runtime once per process (a successful answer is kept), so
    that calls on the GPU path cost nothing after the first.

    Raises
    ------
    RuntimeError
        No CUDA GPU or driver was found (or ``cuda-bindings`` is not installed).
    ValueError
        ``device_id`` is not the ordinal of one of the GPUs found.
    """
    global _device_count
    count = _device_count
    if count is None:
        try:
            runtime = _runtime()
        except ImportError as e:
            raise RuntimeError(
                f"{what} needs cuda-bindings, which could not be imported ({e}); "
                "pip install nvmath-fusion[cu13], or use execution='cpu' for host operands"
            ) from None
        err, found = runtime.cudaGetDeviceCount()
        if err or found < 1:
            detail = _error_message(err, "cudaGetDeviceCount") if err else f"{_NO_GPU_HINT} (0 GPUs)"
            raise RuntimeError(f"{what}: {detail}")
        count = _device_count = int(found)
    if device_id is not None and not 0 <= device_id < count:
        raise ValueError(
            f"device_id={device_id!r} is not supported: {count} CUDA GPU(s) found; accepted: 0 to {count - 1}"
        )
    return count


_gpu_found: bool | None = None


def gpu_found() -> bool:
    """Whether a usable CUDA GPU is present (asked once per process; never raises).

    Decides where work goes when nothing names a place for it, as nvmath-python's advanced
    ``Matmul`` does with host operands (copied to a GPU): on a machine without one, such work
    runs on the CPU instead.
    """
    global _gpu_found
    found = _gpu_found
    if found is None:
        try:
            require_cuda()
            found = True
        except Exception as e:  # a probe: no driver, no cuda-bindings, or a runtime that fails
            logging.getLogger("nvmath").debug("no usable CUDA GPU: %s", e)
            found = False
        _gpu_found = found
    return found


def current_device_id() -> int:
    """The CUDA runtime's current device (shared by CuPy, PyTorch and Numba)."""
    return int(check_cuda(_runtime().cudaGetDevice(), "cudaGetDevice"))


@contextlib.contextmanager
def device_context(device_id: int):
    """Make ``device_id`` the current CUDA device in the block, restoring the previous one."""
    runtime = _runtime()
    previous = current_device_id()
    if previous == device_id:
        yield
        return
    check_cuda(runtime.cudaSetDevice(device_id), f"cudaSetDevice({device_id})")
    try:
        yield
    finally:
        check_cuda(runtime.cudaSetDevice(previous), f"cudaSetDevice({previous})")


# --------------------------------------------------------------------------------------------
# streams


@dataclasses.dataclass(frozen=True, eq=False)
class StreamHolder:
    """A CUDA stream: its raw handle and, where a device package serves it, that package's object.

    Attributes
    ----------
    handle : int
        The ``cudaStream_t`` (0 is the legacy default stream, 2 the per-thread default stream).
    obj : object or None
        The stream object of ``package`` (``cupy.cuda.Stream``/``ExternalStream`` or
        ``torch.cuda.Stream``/``ExternalStream``); None when ``package`` is ``"cuda"``.
    package : str
        ``"cupy"``, ``"torch"``, or ``"cuda"`` (raw handle, no package object).
    device_id : int
        The device the stream belongs to.

    The object also speaks the CUDA stream protocol (``__cuda_stream__``), so it can be passed
    to ``cuda.core`` and to other libraries that accept one.
    """

    handle: int
    obj: object
    package: str
    device_id: int

    def __cuda_stream__(self):
        return (0, self.handle)

    def __int__(self):
        return self.handle

    def __eq__(self, other):
        if not isinstance(other, StreamHolder):
            return NotImplemented
        return self.handle == other.handle and self.device_id == other.device_id

    def __hash__(self):
        return hash((self.handle, self.device_id))

    def __repr__(self):
        return f"StreamHolder(handle={self.handle:#x}, package={self.package!r}, device_id={self.device_id})"


def _package_stream(package: str, handle: int, device_id: int):
    """A stream object of ``package`` for an existing handle (not owned: the user keeps it)."""
    if package == "cupy":
        import cupy

        # ExternalStream is deprecated in CuPy 14 in favour of Stream.from_external, which reads
        # the device from the current context; ExternalStream never destroys the stream and
        # records its device, in CuPy 13 and 14 alike.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return cupy.cuda.ExternalStream(handle, device_id)
    if package == "torch":
        import torch

        if hasattr(torch.cuda, "get_stream_from_external"):
            return torch.cuda.get_stream_from_external(handle, device_id)
        return torch.cuda.ExternalStream(handle, device=torch.device("cuda", device_id))
    return None


def _current_stream(package: str, device_id: int):
    if package == "cupy":
        import cupy

        s = cupy.cuda.get_current_stream(device_id)
        return int(s.ptr), s
    if package == "torch":
        import torch

        s = torch.cuda.current_stream(device_id)
        return int(s.cuda_stream), s
    return 0, None


def _inspect_stream(stream, name: str):
    """(handle, device_id or None, is_cupy, is_torch) of a user stream; TypeError if unknown."""
    module = type(stream).__module__ or ""
    if module.startswith("cupy") and hasattr(stream, "ptr"):
        device = getattr(stream, "device_id", -1)
        return int(stream.ptr), (device if device is not None and device >= 0 else None), True, False
    if module.startswith("torch") and hasattr(stream, "cuda_stream"):
        device = getattr(getattr(stream, "device", None), "index", None)
        if device is None:
            device = getattr(stream, "device_index", None)
        return int(stream.cuda_stream), device, False, True
    protocol = getattr(type(stream), "__cuda_stream__", None)
    if protocol is not None:
        try:
            version, handle = stream.__cuda_stream__()
        except Exception as e:
            raise TypeError(
                f"{name}={stream!r}: its __cuda_stream__() failed ({e}); accepted: {_ACCEPTED_STREAMS}"
            ) from e
        device = None
        dev = getattr(stream, "device", None)  # cuda.core: Stream.device is a Device
        for attr in ("device_id", "index"):
            value = getattr(dev, attr, None)
            if isinstance(value, int):
                device = value
                break
        return int(handle), device, False, False
    if not isinstance(stream, bool):
        try:
            handle = operator.index(stream)
        except TypeError:
            pass
        else:
            if handle < 0:
                raise ValueError(f"{name}={stream!r} is not a valid cudaStream_t handle; accepted: a non-negative int")
            return int(handle), None, False, False
    raise TypeError(
        f"{name}={stream!r} (of type {module}.{type(stream).__qualname__}) is not "
        f"supported; accepted: {_ACCEPTED_STREAMS}"
    )


def get_stream(stream=None, *, package: str, device_id: int | None, name: str = "stream"):
    """The :class:`StreamHolder` to run on, for operands of ``package`` on ``device_id``.

    Parameters
    ----------
    stream
        ``None``: the current stream of the device package on that device
        (``cupy.cuda.get_current_stream(device_id)``, ``torch.cuda.current_stream(device_id)``;
        for NumPy operands CuPy's if installed, else PyTorch's, else the legacy default stream
        0). Otherwise a ``cupy.cuda.Stream``, a ``torch.cuda.Stream``, a ``cuda.core`` Stream or
        any object with ``__cuda_stream__``, a raw ``int`` handle, or a :class:`StreamHolder`.
        A stream of another package than the device package is wrapped (not copied, not owned)
        in a stream object of the device package.
    package
        The operand package: ``"numpy"``, ``"cupy"`` or ``"torch"``.
    device_id
        The device to run on; ``None`` means the current CUDA device.

    Raises
    ------
    TypeError
        For a ``stream`` of an unsupported kind.
    ValueError
        For a stream known to belong to another device, or a negative handle.
    """
    pkg = device_package(package) or RAW
    if device_id is None:
        device_id = current_device_id()
    if stream is None:
        handle, obj = _current_stream(pkg, device_id)
        return StreamHolder(handle, obj, pkg, device_id)
    if isinstance(stream, StreamHolder):
        if stream.device_id != device_id:
            raise ValueError(
                f"{name}={stream!r} belongs to device {stream.device_id}, but the operation runs on device {device_id}"
            )
        if stream.package == pkg or pkg == RAW:
            return stream
        return StreamHolder(stream.handle, _package_stream(pkg, stream.handle, device_id), pkg, device_id)
    handle, stream_device, is_cupy, is_torch = _inspect_stream(stream, name)
    if stream_device is not None and stream_device != device_id:
        raise ValueError(
            f"{name}={stream!r} belongs to device {stream_device}, but the operation "
            f"runs on device {device_id}; accepted: a stream of device {device_id}"
        )
    if (pkg == "cupy" and is_cupy) or (pkg == "torch" and is_torch):
        obj = stream
    else:
        obj = _package_stream(pkg, handle, device_id)
    return StreamHolder(handle, obj, pkg, device_id)


@contextlib.contextmanager
def stream_context(holder: StreamHolder):
    """Make ``holder``'s device and stream current for its package within the block.

    CuPy: ``with cupy.cuda.Device(id), stream``; PyTorch: ``with torch.cuda.device(id),
    torch.cuda.stream(stream)``; raw: the device only (the CUDA runtime has no current stream).
    The previous device and stream are restored on exit.
    """
    if holder.package == "cupy":
        import cupy

        with cupy.cuda.Device(holder.device_id), holder.obj:
            yield holder
    elif holder.package == "torch":
        import torch

        with torch.cuda.device(holder.device_id), torch.cuda.stream(holder.obj):
            yield holder
    else:
        with device_context(holder.device_id):
            yield holder


def synchronize(holder: StreamHolder) -> None:
    """Block the host until all work queued on the stream is done."""
    with device_context(holder.device_id):
        check_cuda(_runtime().cudaStreamSynchronize(holder.handle), f"cudaStreamSynchronize({holder.handle:#x})")


def stream_wait(waiter: StreamHolder, signaller: StreamHolder) -> None:
    """Make future work on ``waiter`` wait for the work queued so far on ``signaller``.

    Does nothing when both are the same stream. Neither stream is blocked on the host.
    """
    if waiter.handle == signaller.handle and waiter.device_id == signaller.device_id:
        return
    runtime = _runtime()
    with device_context(signaller.device_id):
        event = check_cuda(runtime.cudaEventCreateWithFlags(runtime.cudaEventDisableTiming), "cudaEventCreateWithFlags")
        try:
            check_cuda(runtime.cudaEventRecord(event, signaller.handle), "cudaEventRecord")
            with device_context(waiter.device_id):
                check_cuda(runtime.cudaStreamWaitEvent(waiter.handle, event, 0), "cudaStreamWaitEvent")
        finally:
            check_cuda(runtime.cudaEventDestroy(event), "cudaEventDestroy")


def current_stream_getter(package: str, device_id: int):
    """A function of no arguments returning ``package``'s current stream handle on
    ``device_id``, as cheaply as the package allows (for per-call hot paths)."""
    if package == "cupy":
        import cupy

        get = cupy.cuda.get_current_stream
        return lambda: get().ptr
    if package == "torch":
        import torch

        raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)  # what Triton uses: no Stream object
        if raw is not None:
            return lambda: raw(device_id)
        current, device = torch.cuda.current_stream, torch.device("cuda", device_id)
        return lambda: current(device).cuda_stream
    raise ValueError(f"package={package!r} has no current stream; accepted: 'cupy', 'torch'")


def current_device_getter(package: str):
    """A function of no arguments returning ``package``'s current device ordinal, cheaply."""
    if package == "cupy":
        import cupy

        return cupy.cuda.runtime.getDevice
    if package == "torch":
        import torch

        return getattr(torch._C, "_cuda_getDevice", None) or torch.cuda.current_device
    raise ValueError(f"package={package!r} has no current device; accepted: 'cupy', 'torch'")
