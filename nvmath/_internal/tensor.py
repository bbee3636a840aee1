"""Operand adapters: one view of NumPy, CuPy and PyTorch (CPU or CUDA) arrays.

:func:`wrap_operand` returns a :class:`TensorHolder` (:class:`NumpyHolder`, :class:`CupyHolder`
or :class:`TorchHolder`) exposing the layout in one vocabulary (strides in *elements*, dtypes as
NumPy names) and the few operations the host APIs need: allocating outputs in the operand's
package (:meth:`TensorHolder.empty`), copying a host operand to the GPU
(:meth:`TensorHolder.to_device`), bringing a result back (:meth:`TensorHolder.to_host`,
:meth:`TensorHolder.to`), and copying between holders (:meth:`TensorHolder.copy_from`).

Rules kept here:

* No implicit copies within a memory space, no type promotion: ``to_device`` of a device operand
  on its own device and ``to_host`` of a host operand return the holder itself; copies require
  equal shapes and dtypes.
* Every copy between memory spaces (or devices) is logged at INFO with its size and direction.
* Copies are queued on the given stream; whatever returns host data synchronizes it first.
* CuPy and PyTorch are imported only when an object of theirs is seen, or when NumPy operands
  need a device array (CuPy if installed, else PyTorch, see
  :func:`nvmath._internal.streams.device_package`).
"""

from __future__ import annotations

import math
import operator
import sys

import numpy as np

from nvmath._internal import streams as _streams
from nvmath._internal.log import get_logger
from nvmath._internal.validate import as_int_at_least

__all__ = [
    "TensorHolder",
    "NumpyHolder",
    "CupyHolder",
    "TorchHolder",
    "wrap_operand",
    "dtype_name",
    "SAME_DEVICE",
    "ACCEPTED_OPERANDS",
    "dense_strides_like",
    "c_strides",
]

#: What :func:`wrap_operand` accepts, for messages.
ACCEPTED_OPERANDS = "a numpy.ndarray, a cupy.ndarray, or a torch.Tensor (on the CPU or a CUDA device)"

_INSTALL_HINT = "pip install nvmath-fusion[cupy]"

# Names of dtypes that NumPy knows only through ml_dtypes (or not at all).
_EXTRA_DTYPES = frozenset(
    {
        "bfloat16",
        "complex32",
        "float8_e4m3fn",
        "float8_e5m2",
        "float8_e4m3fnuz",
        "float8_e5m2fnuz",
        "float8_e8m0fnu",
        "float4_e2m1fn_x2",
    }
)


class _SameDevice:
    def __repr__(self):
        return "SAME_DEVICE"


#: Default of ``empty(device_id=...)``: the device (or host) of the holder it is called on.
SAME_DEVICE = _SameDevice()


# --------------------------------------------------------------------------------------------
# dtypes


def dtype_name(dtype, name: str = "dtype") -> str:
    """The NumPy-style name of ``dtype`` (a name, a NumPy/CuPy dtype or type, a torch dtype)."""
    if isinstance(dtype, str):
        if dtype in _EXTRA_DTYPES:
            return dtype
        try:
            return np.dtype(dtype).name
        except TypeError:
            pass
    elif type(dtype).__module__ == "torch" and type(dtype).__name__ == "dtype":
        return str(dtype).rsplit(".", 1)[-1]
    else:
        try:
            return np.dtype(dtype).name
        except TypeError:
            pass
    raise TypeError(
        f"{name}={dtype!r} is not a dtype; accepted: a NumPy dtype name such as "
        f"'complex64' (or 'bfloat16'), a NumPy/CuPy dtype, or a torch.dtype"
    )


def _numpy_dtype(name: str):
    try:
        return np.dtype(name)
    except TypeError:
        pass
    if name in _EXTRA_DTYPES and _streams.is_installed("ml_dtypes"):
        import ml_dtypes

        if hasattr(ml_dtypes, name):
            return np.dtype(getattr(ml_dtypes, name))
    raise TypeError(f"dtype={name!r} has no NumPy (or CuPy) equivalent; use PyTorch tensors for it")


def _torch_dtype(name: str):
    import torch

    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype={name!r} has no torch equivalent")
    return dtype


# --------------------------------------------------------------------------------------------
# layouts (strides in elements)


def c_strides(shape) -> tuple:
    """C-contiguous strides, in elements."""
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def dense_strides_like(shape, strides) -> tuple:
    """Dense, positive strides keeping the axis order of ``strides`` (NumPy's ``order='K'``).

    A dense layout with positive strides is returned unchanged (on its axes of extent > 1); a
    C-contiguous one stays C-contiguous.
    """
    order = sorted(range(len(shape)), key=lambda i: (-abs(strides[i]), i))  # outermost first
    return contiguous_strides(shape, order)


def contiguous_strides(shape, order) -> tuple:
    """Strides (elements) of a dense array whose axes are laid out from ``order[0]``
    (outermost) to ``order[-1]`` (innermost)."""
    result = [0] * len(shape)
    acc = 1
    for i in reversed(order):
        result[i] = acc
        acc *= max(shape[i], 1)
    return tuple(result)


def _extent(shape, strides):
    """(offset of element [0,...,0] from the lowest element, number of elements spanned)."""
    if any(n == 0 for n in shape):
        return 0, 0
    low = sum(s * (n - 1) for n, s in zip(shape, strides) if s < 0)
    high = sum(s * (n - 1) for n, s in zip(shape, strides) if s > 0)
    return -low, high - low + 1


def _is_dense(shape, strides) -> bool:
    """Whether the elements fill their span exactly once (any axis order, any stride signs)."""
    if any(n == 0 for n in shape):
        return True
    acc = 1
    for s, n in sorted((abs(s), n) for n, s in zip(shape, strides) if n > 1):
        if s != acc:
            return False
        acc *= n
    return True


def _same_mapping(shape, a, b) -> bool:
    return all(x == y for n, x, y in zip(shape, a, b) if n > 1)


def _check_shape(shape, name="shape") -> tuple:
    items = shape if isinstance(shape, (tuple, list)) else (shape,)
    dims = []
    for n in items:
        try:
            value = None if isinstance(n, bool) else operator.index(n)
        except TypeError:
            value = None
        if value is None or value < 0:
            raise ValueError(f"{name}={shape!r} is not supported; accepted: a tuple of non-negative ints")
        dims.append(int(value))
    return tuple(dims)


def _check_strides(strides, shape, name="strides"):
    if strides is None:
        return None
    try:
        result = tuple(operator.index(s) for s in strides)
    except TypeError:
        result = None
    if result is None or len(result) != len(shape):
        raise ValueError(
            f"{name}={strides!r} is not supported for shape {shape}; accepted: None "
            f"(C order) or a tuple of {len(shape)} ints (in elements)"
        )
    return result


# --------------------------------------------------------------------------------------------
# holders


class TensorHolder:
    """A NumPy, CuPy or PyTorch array, seen through one interface.

    Attributes
    ----------
    tensor : the wrapped array (the user's object, never copied)
    name : str, the parameter name used in messages and logs
    package : ``"numpy"``, ``"cupy"`` or ``"torch"``
    device : ``"cpu"`` or ``"cuda"``
    device_id : int, or None for host memory
    dtype : str, the NumPy name of the element type (``"complex64"``, ``"bfloat16"``, ...)
    shape : tuple of int
    strides : tuple of int, in elements (negative for reversed NumPy/CuPy views, zero for
        broadcast axes)
    itemsize : int, bytes per element
    data_ptr : int, address of element ``[0, ..., 0]``
    """

    package: str = ""
    #: package of the host array a device result comes back as, by default
    host_package: str = ""

    def __init__(self, tensor, name: str = "operand"):
        self.tensor = tensor
        self.name = name
        self._read_layout()

    def _read_layout(self):  # pragma: no cover - overridden
        raise NotImplementedError

    # -- derived properties ------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of data (``size * itemsize``; a view's span may be larger)."""
        return self.size * self.itemsize

    @property
    def is_host(self) -> bool:
        return self.device == "cpu"

    @property
    def device_package(self) -> str | None:
        """The package of device arrays for this operand (see ``streams.device_package``)."""
        return _streams.device_package(self.package)

    def is_dense(self) -> bool:
        """Whether the elements fill their memory span exactly (any axis order or sign)."""
        return _is_dense(self.shape, self.strides)

    def is_c_contiguous(self) -> bool:
        return _same_mapping(self.shape, self.strides, c_strides(self.shape))

    def layout_key(self) -> tuple:
        """``(package, device, device_id, dtype, shape, strides)``: equal keys mean an operand can
        replace another (``reset_operand``) without re-planning."""
        return (self.package, self.device, self.device_id, self.dtype, self.shape, self.strides)

    def same_layout(self, other) -> bool:
        """Whether ``other`` (a holder or an array) has the same :meth:`layout_key`."""
        if not isinstance(other, TensorHolder):
            other = wrap_operand(other, "other")
        return self.layout_key() == other.layout_key()

    def _where(self) -> str:
        return f"the host ({self.package})" if self.is_host else f"device {self.device_id} ({self.package})"

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.name}: {self.dtype}{list(self.shape)}, "
            f"strides={self.strides}, {self._where()})"
        )

    # -- package-specific hooks ----------------------------------------------------------------

    @classmethod
    def _allocate(cls, shape, dtype, strides, device_id, stream, allocator, name):
        raise NotImplementedError  # pragma: no cover

    @classmethod
    def _native_copy(cls, dst, src, stream):
        """Strided copy between two holders of this package in the same memory space."""
        raise NotImplementedError  # pragma: no cover

    # -- allocation ----------------------------------------------------------------------------

    def empty(
        self, shape, dtype=None, *, strides=None, device_id=SAME_DEVICE, stream=None, allocator=None
    ) -> TensorHolder:
        """A new, uninitialized array of this holder's package.

        Parameters
        ----------
        shape : tuple of int
        dtype : dtype name, NumPy/CuPy/torch dtype, or None for this holder's dtype
        strides : tuple of int in elements, or None for C order. Negative and zero strides are
            allowed where the package allows them (not in PyTorch).
        device_id : int, None for host memory, or SAME_DEVICE (default) for this holder's
        stream : the stream to allocate on (device only): a StreamHolder or anything
            ``streams.get_stream`` accepts; None for the package's current stream
        allocator : a ``nvmath.memory.BaseCUDAMemoryManager`` to take device memory from
            instead of the package's pool (the memory is freed when the array is collected)
        """
        if device_id is SAME_DEVICE:
            device_id = self.device_id
        shape = _check_shape(shape)
        dtype = self.dtype if dtype is None else dtype_name(dtype)
        strides = _check_strides(strides, shape)
        if device_id is not None:
            device_id = _check_device_id(device_id)
            if self.package not in _DEVICE_HOLDERS:
                raise ValueError(
                    f"device_id={device_id!r}: {self.package} arrays live in host "
                    f"memory; accepted: None (use to_device() for a device copy)"
                )
            stream = _streams.get_stream(stream, package=self.package, device_id=device_id)
        else:
            stream = None
        return type(self)._allocate(shape, dtype, strides, device_id, stream, allocator, self.name)

    # -- copies --------------------------------------------------------------------------------

    def to_device(
        self, device_id: int, stream=None, *, package: str | None = None, logger=None, allocator=None
    ) -> TensorHolder:
        """This operand on GPU ``device_id``: the holder itself if it is already there, else a
        copy (logged at INFO), queued on ``stream``.

        The device array is of ``package`` (default: the operand's device package: CuPy for
        CuPy, PyTorch for PyTorch, and for NumPy CuPy if installed, else PyTorch). It is dense,
        with the axis order of the operand (NumPy's ``order='K'``).
        """
        device_id = _check_device_id(device_id)
        target = package or self.device_package
        if target is None:
            raise RuntimeError(
                f"{self.name}: running on the GPU with {self.package} operands needs "
                f"CuPy or a CUDA build of PyTorch for device arrays, and neither is "
                f"installed; install one ({_INSTALL_HINT})"
            )
        if target not in _DEVICE_HOLDERS:
            raise ValueError(f"package={target!r} is not supported for device arrays; accepted: 'cupy', 'torch'")
        if not self.is_host and self.device_id == device_id:
            if target != self.package:
                raise TypeError(
                    f"{self.name} is a {self.package} array on device {device_id}; "
                    f"converting it to {target} is not supported"
                )
            return self
        stream = _streams.get_stream(stream, package=target, device_id=device_id)
        cls = _DEVICE_HOLDERS[target]
        dst = cls._allocate(
            self.shape,
            self.dtype,
            dense_strides_like(self.shape, self.strides),
            device_id,
            stream,
            allocator,
            self.name,
        )
        _log_copy(logger, dst, self, stream)
        _copy(dst, self, stream)
        return dst

    def to_host(self, stream=None, *, package: str | None = None, logger=None) -> TensorHolder:
        """This array in host memory, as ``package`` (default: NumPy for CuPy, PyTorch for
        PyTorch); the host holder itself when it already is one of ``package``.

        A device array is copied (logged at INFO) on ``stream``, which is synchronized before
        returning.
        """
        package = package or self.host_package
        if package not in _HOST_HOLDERS:
            raise ValueError(f"package={package!r} is not supported for host arrays; accepted: 'numpy', 'torch'")
        if self.is_host:
            if package == self.package:
                return self
            return _host_view(self, package)
        stream = _streams.get_stream(stream, package=self.package, device_id=self.device_id)
        dst = _HOST_HOLDERS[package]._allocate(
            self.shape, self.dtype, dense_strides_like(self.shape, self.strides), None, None, None, self.name
        )
        _log_copy(logger, dst, self, stream)
        _copy(dst, self, stream)
        _streams.synchronize(stream)
        return dst

    def to(self, package: str, device_id: int | None = None, stream=None, *, logger=None) -> TensorHolder:
        """This array as ``package`` on ``device_id`` (None: host memory), copying only across
        memory spaces. ``result.to(operand.package, operand.device_id, stream)`` brings a
        device result back to the operand's package and memory space."""
        if device_id is None:
            return self.to_host(stream, package=package, logger=logger)
        return self.to_device(device_id, stream, package=package, logger=logger)

    def copy_from(self, other, stream=None, *, logger=None) -> None:
        """Copy the values of ``other`` (a holder or array of the same shape and dtype, in any
        package and memory space) into this array, on ``stream``.

        Copies between memory spaces are logged at INFO; a copy into host memory synchronizes
        the stream before returning.
        """
        if not isinstance(other, TensorHolder):
            other = wrap_operand(other, "other")
        _check_compatible(self, other)
        device_side = self if not self.is_host else (other if not other.is_host else None)
        if device_side is not None:
            stream = _streams.get_stream(stream, package=device_side.package, device_id=device_side.device_id)
        else:
            stream = None
        if self.is_host != other.is_host or self.device_id != other.device_id:
            _log_copy(logger, self, other, stream)
        _copy(self, other, stream)
        if self.is_host and not other.is_host:
            _streams.synchronize(stream)


def _check_device_id(device_id, name="device_id") -> int:
    return as_int_at_least(device_id, 0, name, "a non-negative int (a GPU ordinal)")


def _check_compatible(dst: TensorHolder, src: TensorHolder):
    if dst.shape != src.shape:
        raise ValueError(
            f"cannot copy {src.name} of shape {src.shape} into {dst.name} of shape "
            f"{dst.shape}; the shapes must be equal"
        )
    if dst.dtype != src.dtype:
        raise TypeError(
            f"cannot copy {src.name} of dtype {src.dtype} into {dst.name} of dtype "
            f"{dst.dtype}; the dtypes must be equal (no implicit type conversion)"
        )


def _log_copy(logger, dst: TensorHolder, src: TensorHolder, stream):
    logger = get_logger(logger)
    on = f" on stream {stream.handle:#x}" if stream is not None else ""
    logger.info(
        "%s: copying %d bytes (%s%s) from %s to %s%s.",
        src.name,
        src.nbytes,
        src.dtype,
        list(src.shape),
        src._where(),
        dst._where(),
        on,
    )


def _lowest_ptr(h: TensorHolder) -> int:
    offset, _ = _extent(h.shape, h.strides)
    return h.data_ptr - offset * h.itemsize


def _memcpy(dst: TensorHolder, src: TensorHolder, stream):
    runtime = _streams._runtime()
    with _streams.device_context(stream.device_id):
        _streams.check_cuda(
            runtime.cudaMemcpyAsync(
                _lowest_ptr(dst), _lowest_ptr(src), src.nbytes, runtime.cudaMemcpyKind.cudaMemcpyDefault, stream.handle
            ),
            f"cudaMemcpyAsync of {src.nbytes} bytes",
        )


def _temp(like: TensorHolder, strides, stream) -> TensorHolder:
    """A scratch array in ``like``'s package and memory space, with ``strides``."""
    return type(like)._allocate(
        like.shape,
        like.dtype,
        strides,
        like.device_id,
        None if like.is_host else _streams.get_stream(stream, package=like.package, device_id=like.device_id),
        None,
        like.name,
    )


def _copy(dst: TensorHolder, src: TensorHolder, stream):
    """Copy ``src`` into ``dst`` (same shape and dtype), queued on ``stream`` where on a device."""
    _check_compatible(dst, src)
    if src.size == 0:
        return
    if dst.is_host and src.is_host:
        if dst.package == src.package:
            type(dst)._native_copy(dst, src, None)
        else:
            np.copyto(_host_view(dst, "numpy").tensor, _host_view(src, "numpy").tensor, casting="no")
        return
    if dst.device_id == src.device_id:  # same device
        if dst.package != src.package:
            raise TypeError(
                f"copying {src.name} ({src.package}) into a {dst.package} array on the same device is not supported"
            )
        type(dst)._native_copy(dst, src, _streams.get_stream(stream, package=dst.package, device_id=dst.device_id))
        return
    # Across memory spaces: one cudaMemcpyAsync between identical dense layouts, staging
    # through a scratch array (in the space where a strided copy is possible) otherwise.
    dense_dst, dense_src = dst.is_dense(), src.is_dense()
    if dense_dst and dense_src and _same_mapping(dst.shape, dst.strides, src.strides):
        _memcpy(dst, src, stream)
    elif src.is_host:  # host -> device
        if dense_dst:
            staged = _temp(src, dst.strides, stream)  # on the host, in dst's layout
            _copy(staged, src, stream)
            _memcpy(dst, staged, stream)
        else:
            staged = _temp(dst, dense_strides_like(dst.shape, dst.strides), stream)
            _copy(staged, src, stream)
            _copy(dst, staged, stream)
    elif dst.is_host:  # device -> host
        if dense_src:
            staged = _temp(dst, src.strides, stream)  # on the host, in src's layout
            _memcpy(staged, src, stream)
            _streams.synchronize(stream)
            _copy(dst, staged, stream)
        else:
            staged = _temp(src, dense_strides_like(src.shape, src.strides), stream)
            _copy(staged, src, stream)
            _copy(dst, staged, stream)
    elif dense_src:  # device -> another device
        staged = _temp(dst, src.strides, stream)  # on dst's device, in src's layout
        _memcpy(staged, src, stream)
        _copy(dst, staged, stream)
    else:
        raise ValueError(
            f"copying the non-contiguous {src.name} from device {src.device_id} to "
            f"device {dst.device_id} is not supported; make it contiguous on its "
            f"device first"
        )


def _host_view(h: TensorHolder, package: str) -> TensorHolder:
    """A host holder of ``package`` sharing ``h``'s memory (NumPy <-> PyTorch CPU, no copy)."""
    if h.package == package:
        return h
    if package == "numpy" and h.package == "torch":
        try:
            array = h.tensor.detach().numpy()
        except TypeError as e:
            raise TypeError(f"{h.name}: a torch tensor of dtype {h.dtype} has no NumPy view ({e})") from e
        return NumpyHolder(array, h.name)
    if package == "torch" and h.package == "numpy":
        import torch

        if any(s < 0 for s in h.strides):
            raise ValueError(f"{h.name}: a NumPy array with negative strides has no torch view")
        return TorchHolder(torch.from_numpy(h.tensor), h.name)
    raise ValueError(f"package={package!r} is not supported for host arrays; accepted: 'numpy', 'torch'")


def _user_memory(allocator, nbytes, package, device_id, stream):
    from nvmath.memory import allocate_workspace

    return allocate_workspace(nbytes, package=package, device_id=device_id, stream=stream, allocator=allocator)


class NumpyHolder(TensorHolder):
    """A ``numpy.ndarray`` (host memory)."""

    package = "numpy"
    host_package = "numpy"

    def _read_layout(self):
        a = self.tensor
        if not a.dtype.isnative:
            raise ValueError(
                f"{self.name} has the non-native byte order of dtype {a.dtype.str!r}; "
                f"accepted: native byte order (convert with "
                f"a.astype(a.dtype.newbyteorder('=')))"
            )
        self.device, self.device_id = "cpu", None
        self.dtype = _dtype_name(a.dtype)
        self.shape = tuple(a.shape)
        self.itemsize = a.dtype.itemsize
        self.strides = _element_strides(a.strides, self.itemsize, self.name)
        self.data_ptr = a.__array_interface__["data"][0]

    @classmethod
    def _allocate(cls, shape, dtype, strides, device_id, stream, allocator, name):
        if device_id is not None:
            raise ValueError(
                f"device_id={device_id!r}: NumPy arrays live in host memory; accepted: "
                f"None (use to_device() for a device copy)"
            )
        dt = _numpy_dtype(dtype)
        if strides is None:
            return cls(np.empty(shape, dt), name)
        offset, span = _extent(shape, strides)
        buffer = np.empty(span, dt)
        array = np.ndarray(
            shape, dt, buffer=buffer, offset=offset * dt.itemsize, strides=tuple(s * dt.itemsize for s in strides)
        )
        return cls(array, name)

    @classmethod
    def _native_copy(cls, dst, src, stream):
        np.copyto(dst.tensor, src.tensor, casting="no")


_DTYPE_NAMES: dict = {}


def _dtype_name(dtype) -> str:
    """``dtype.name``, remembered: NumPy computes it in Python on every access (4 us of a
    stateless CPU FFT's 50 us of overhead)."""
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = dtype.name
        if len(_DTYPE_NAMES) < 256:  # structured dtypes are many; the common ones are few
            _DTYPE_NAMES[dtype] = name
    return name


def _element_strides(byte_strides, itemsize, name) -> tuple:
    if itemsize == 0:
        return tuple(0 for _ in byte_strides)
    if any(s % itemsize for s in byte_strides):
        raise ValueError(
            f"{name} has strides {tuple(byte_strides)} bytes, not multiples of its "
            f"itemsize {itemsize}; accepted: strides in whole elements"
        )
    return tuple(s // itemsize for s in byte_strides)


class CupyHolder(TensorHolder):
    """A ``cupy.ndarray`` (device memory)."""

    package = "cupy"
    host_package = "numpy"

    def _read_layout(self):
        a = self.tensor
        self.device, self.device_id = "cuda", int(a.device.id)
        self.dtype = a.dtype.name
        self.shape = tuple(a.shape)
        self.itemsize = a.dtype.itemsize
        self.strides = _element_strides(a.strides, self.itemsize, self.name)
        self.data_ptr = int(a.data.ptr)

    @classmethod
    def _allocate(cls, shape, dtype, strides, device_id, stream, allocator, name):
        import cupy

        if device_id is None:
            raise ValueError(
                "device_id=None: CuPy arrays live in device memory; accepted: a GPU "
                "ordinal (use to_host() for a host copy)"
            )
        dt = _numpy_dtype(dtype)
        if strides is None and allocator is None:
            with _streams.stream_context(stream):
                return cls(cupy.empty(shape, dt), name)
        strides = c_strides(shape) if strides is None else strides
        offset, span = _extent(shape, strides)
        nbytes = span * dt.itemsize
        with _streams.stream_context(stream):
            if allocator is None or nbytes == 0:
                memptr = cupy.cuda.alloc(nbytes)
            else:
                pointer = _user_memory(allocator, nbytes, "cupy", device_id, stream)
                memory = cupy.cuda.UnownedMemory(pointer.ptr, nbytes, pointer, device_id)
                memptr = cupy.cuda.MemoryPointer(memory, 0)
            array = cupy.ndarray(
                shape, dt, memptr=memptr + offset * dt.itemsize, strides=tuple(s * dt.itemsize for s in strides)
            )
        return cls(array, name)

    @classmethod
    def _native_copy(cls, dst, src, stream):
        import cupy

        with _streams.stream_context(stream):
            cupy.copyto(dst.tensor, src.tensor, casting="no")


class _CudaBuffer:
    """Raw device bytes exposed through ``__cuda_array_interface__`` (owner kept alive)."""

    def __init__(self, ptr: int, nbytes: int, owner):
        self.owner = owner
        self.__cuda_array_interface__ = {
            "shape": (nbytes,),
            "typestr": "|u1",
            "data": (ptr, False),
            "strides": None,
            "version": 3,
        }


class TorchHolder(TensorHolder):
    """A ``torch.Tensor`` on the CPU or a CUDA device (strided layout)."""

    package = "torch"
    host_package = "torch"

    def _read_layout(self):
        import torch

        t = self.tensor
        if t.layout != torch.strided:
            raise ValueError(f"{self.name} has layout {t.layout}; accepted: torch.strided (dense) tensors")
        if t.device.type not in ("cpu", "cuda"):
            raise ValueError(f"{self.name} is on device {t.device}; accepted: 'cpu' or 'cuda' tensors")
        if t.is_conj() or t.is_neg():
            bit = "conjugate" if t.is_conj() else "negative"
            raise ValueError(
                f"{self.name} has its lazy {bit} bit set, so its memory does not hold "
                f"its values; accepted: a materialized tensor (call "
                f"{self.name}.resolve_conj() / .resolve_neg() first)"
            )
        self.device = t.device.type
        self.device_id = None if self.device == "cpu" else int(t.device.index or 0)
        self.dtype = str(t.dtype).rsplit(".", 1)[-1]
        self.shape = tuple(t.shape)
        self.strides = tuple(t.stride())
        self.itemsize = t.element_size()
        self.data_ptr = int(t.data_ptr())

    @classmethod
    def _allocate(cls, shape, dtype, strides, device_id, stream, allocator, name):
        import torch

        dt = _torch_dtype(dtype)
        strides = c_strides(shape) if strides is None else strides
        if any(s < 0 for s in strides):
            raise ValueError(
                f"strides={strides!r}: torch tensors cannot have negative strides; accepted: non-negative strides"
            )
        if device_id is None:
            return cls(torch.empty_strided(shape, strides, dtype=dt, device="cpu"), name)
        device = torch.device("cuda", device_id)
        _, span = _extent(shape, strides)
        itemsize = getattr(dt, "itemsize", None) or torch.empty((), dtype=dt).element_size()
        nbytes = span * itemsize
        with _streams.stream_context(stream):
            if allocator is None or nbytes == 0:
                tensor = torch.empty_strided(shape, strides, dtype=dt, device=device)
            else:
                pointer = _user_memory(allocator, nbytes, "torch", device_id, stream)
                raw = torch.as_tensor(_CudaBuffer(pointer.ptr, nbytes, pointer), device=device)
                tensor = raw.view(dt).as_strided(shape, strides, 0)
        return cls(tensor, name)

    @classmethod
    def _native_copy(cls, dst, src, stream):
        if stream is None:
            dst.tensor.copy_(src.tensor)
            return
        with _streams.stream_context(stream):
            dst.tensor.copy_(src.tensor, non_blocking=True)


_HOST_HOLDERS = {"numpy": NumpyHolder, "torch": TorchHolder}
_DEVICE_HOLDERS = {"cupy": CupyHolder, "torch": TorchHolder}


def _package_module(obj, package: str):
    """The module ``package`` if ``obj`` may be one of its arrays (imported only then)."""
    module = sys.modules.get(package)
    if module is None and (type(obj).__module__ or "").split(".")[0].startswith(package):
        import importlib

        module = importlib.import_module(package)
    return module


def wrap_operand(obj, name: str = "operand") -> TensorHolder:
    """A :class:`TensorHolder` for ``obj`` (a holder is returned as is).

    Raises
    ------
    TypeError
        If ``obj`` is not a ``numpy.ndarray``, ``cupy.ndarray`` or ``torch.Tensor``.
    ValueError
        For arrays of these packages that cannot be used as they are (non-native byte order,
        sparse or lazily conjugated torch tensors, devices other than CPU/CUDA).
    """
    if isinstance(obj, TensorHolder):
        return obj
    if isinstance(obj, np.ndarray):
        return NumpyHolder(obj, name)
    cupy = _package_module(obj, "cupy")
    if cupy is not None and isinstance(obj, cupy.ndarray):
        return CupyHolder(obj, name)
    torch = _package_module(obj, "torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        return TorchHolder(obj, name)
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
    if isinstance(obj, (list, tuple, int, float, complex, np.generic)):
        hint = " (convert it first, for example with numpy.asarray)"
    else:
        hint = ""
    raise TypeError(f"{name} of type {kind} is not supported; accepted: {ACCEPTED_OPERANDS}{hint}")


#: Results up to this size get fast_result_allocator's prototype (PyTorch): it holds that much.
_PROTOTYPE_MAX_BYTES = 64 << 10


def fast_result_allocator(package: str, device_id: int, shape, dtype: str, strides):
    """For per-call hot paths: a function of no arguments that allocates a ``package`` array
    of ``shape``/``dtype``/``strides`` (elements, non-negative) from the package's own pool on
    its current stream, and returns ``(stream handle, array, data pointer)``; or None when
    ``device_id`` is not the current device (the caller then takes its general path).

    Returns None (instead of a function) for packages without a device pool. For a PyTorch
    result of at most ``_PROTOTYPE_MAX_BYTES`` with dense strides, the function holds one
    array of the result's size (its prototype) for as long as it lives.
    """
    shape, strides = tuple(shape), tuple(strides)
    if package not in ("cupy", "torch"):
        return None
    get_device = _streams.current_device_getter(package)
    stream_handle = _streams.current_stream_getter(package, device_id)
    if package == "cupy":
        import cupy

        np_dtype = cupy.dtype(dtype)
        byte_strides = tuple(s * np_dtype.itemsize for s in strides)
        span = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if all(shape) else 1
        nbytes = max(1, span * np_dtype.itemsize)
        alloc, ndarray = cupy.cuda.alloc, cupy.ndarray
        contiguous = strides == c_strides(shape)

        def allocate():
            if get_device() != device_id:
                return None
            # ndarray(shape, dtype) allocates in C (about half the cost of passing memptr and strides).
            result = (
                ndarray(shape, np_dtype)
                if contiguous
                else ndarray(shape, np_dtype, memptr=alloc(nbytes), strides=byte_strides)
            )
            return stream_handle(), result, result.data.ptr

        return allocate
    import torch

    # A method of an empty tensor of the result's dtype and device: PyTorch parses no dtype or
    # device argument for it.
    prototype = torch.empty(0, dtype=_torch_dtype(dtype), device=torch.device("cuda", device_id))
    new_empty_strided = prototype.new_empty_strided
    itemsize = prototype.element_size()
    span = 1 + sum((n - 1) * s for n, s in zip(shape, strides)) if all(shape) else 0
    if 0 < span * itemsize <= _PROTOTYPE_MAX_BYTES:
        # Small results, where the CPU cost matters: torch.empty_like of a kept result-shaped
        # prototype parses no shape or strides either (2.2 against 2.6 us on the H200 host,
        # benchmarks/matmul_execute_alloc.py). It keeps the prototype's strides only where they
        # are dense: checked once here.
        like = new_empty_strided(shape, strides)
        empty_like = torch.empty_like
        if tuple(empty_like(like).stride()) == strides:

            def allocate_like():
                if get_device() != device_id:
                    return None
                result = empty_like(like)
                return stream_handle(), result, result.data_ptr()

            return allocate_like

    def allocate():
        if get_device() != device_id:
            return None
        result = new_empty_strided(shape, strides)
        return stream_handle(), result, result.data_ptr()

    return allocate


_SAME_OPERAND_ATTRS = ("package", "device_id", "dtype", "shape", "strides")


def check_same_operand(
    new: TensorHolder, old: TensorHolder, *, what: str, owner: str, attrs=_SAME_OPERAND_ATTRS
) -> None:
    """Refuse ``new`` unless it matches ``old`` in package, device, dtype, shape and strides
    (what a planned operation was specified for); ``attrs`` names a subset to compare, for
    owners that check the layout themselves."""
    for attr in attrs:
        if getattr(new, attr) != getattr(old, attr):
            raise ValueError(
                f"{what}'s {attr} is {getattr(new, attr)!r} but this {owner} was specified for "
                f"{getattr(old, attr)!r}; create a new {owner} for it"
            )
