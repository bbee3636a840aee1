"""Device memory for temporary buffers (workspaces): the allocator protocol and pool adapters.

By default the host APIs take temporary device memory from the memory pool of the package their
operands belong to (CuPy's or PyTorch's; for NumPy operands CuPy's if installed, else PyTorch's),
so that nvmath never competes with the user's pool. A user may pass ``options.allocator``: any
object implementing :class:`BaseCUDAMemoryManager` (``memalloc(size, stream)``) or
:class:`BaseCUDAMemoryManagerAsync` (``memalloc_async(size, stream)``, given a
``cuda.core.Stream``).

The protocol is close to Numba's External Memory Management (EMM) plugin interface: an existing
EMM *instance* (whose ``memalloc(size)`` takes no stream) works by duck typing.

Importing this module loads neither CuPy nor PyTorch.
"""

from __future__ import annotations

import abc
import inspect
import weakref

from nvmath._internal import streams as _streams
from nvmath._internal.validate import as_int_at_least

__all__ = [
    "BaseCUDAMemoryManager",
    "BaseCUDAMemoryManagerAsync",
    "MemoryPointer",
    "CupyMemoryManager",
    "TorchMemoryManager",
    "allocate_workspace",
]


def _release(finalizer, owner):
    # ``owner`` is an argument only to keep it alive until the pointer is freed.
    if finalizer is not None:
        finalizer()


class MemoryPointer:
    """A device allocation: its address, size and device, and how to free it.

    Parameters
    ----------
    device_ptr : int
        The device address (also :attr:`ptr`).
    size : int
        The size in bytes.
    finalizer : callable or None
        Called with no arguments to free the memory, at most once: by :meth:`free`, at the end
        of a ``with`` block, or when the pointer is garbage-collected, whichever comes first.
        The first three parameters are nvmath-python's, in its order.
    device_id : int or None
        The device the memory is on.
    owner : object, optional
        An object kept alive until the memory is freed (for example the allocating package's
        own pointer object, whose release returns the memory to its pool).

    Freeing a pointer made with a finalizer twice raises :class:`RuntimeError`, as
    nvmath-python's does; without one, :meth:`free` may be called any number of times. Memory
    still held at interpreter exit is left to the CUDA driver.
    """

    __slots__ = ("ptr", "size", "device_id", "_final", "_has_finalizer", "__weakref__")

    def __init__(self, device_ptr: int, size: int, finalizer=None, *, device_id: int | None = None, owner=None):
        self.ptr = int(device_ptr)
        self.size = int(size)
        self.device_id = device_id
        if finalizer is not None and not callable(finalizer):
            raise TypeError(f"finalizer={finalizer!r} is not callable; accepted: a callable with no arguments, or None")
        self._final = weakref.finalize(self, _release, finalizer, owner)
        self._final.atexit = False
        self._has_finalizer = finalizer is not None

    @property
    def device_ptr(self) -> int:
        """Alias of :attr:`ptr` (the name nvmath-python's ``MemoryPointer`` uses)."""
        return self.ptr

    @property
    def freed(self) -> bool:
        """Whether the memory has been freed."""
        return not self._final.alive

    def free(self) -> None:
        """Free the memory now: the finalizer runs, once.

        Raises
        ------
        RuntimeError
            If the pointer has a finalizer and was already freed (a second ``free`` of the same
            buffer is a bug of its owner; nvmath-python raises the same).
        """
        if not self._final.alive and self._has_finalizer:
            raise RuntimeError(f"The buffer has already been freed ({self!r}).")
        self._final()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._final()  # a no-op where the block already freed it

    def __int__(self):
        return self.ptr

    def __repr__(self):
        state = "freed" if self.freed else "live"
        return f"MemoryPointer(ptr={self.ptr:#x}, size={self.size}, device_id={self.device_id}, {state})"


class BaseCUDAMemoryManager(abc.ABC):
    """The protocol of a user-supplied device memory allocator (``options.allocator``).

    Implement :meth:`memalloc`. nvmath calls it with the device to allocate on made current,
    and frees the memory (through the returned pointer's finalizer) once it no longer needs it,
    after the work that uses it has been queued on ``stream``: an allocator that reuses memory
    must order reuse after the work on that stream (stream-ordered pools do).
    """

    @abc.abstractmethod
    def memalloc(self, size: int, stream) -> MemoryPointer:
        """Allocate ``size`` bytes of device memory on the current device.

        Parameters
        ----------
        size : int
            Bytes to allocate (> 0).
        stream : nvmath._internal.streams.StreamHolder
            The stream the memory will be used on: ``stream.handle`` is the ``cudaStream_t``,
            ``stream.obj`` the CuPy/PyTorch stream object when there is one; it also implements
            ``__cuda_stream__``.

        Returns
        -------
        MemoryPointer
            Or any object with an int ``ptr`` (or ``device_ptr``, or Numba's
            ``device_pointer_value``) attribute, which is then kept alive until the memory is
            no longer needed, and whose ``free()`` method, if any, is called once then.
        """


class BaseCUDAMemoryManagerAsync(abc.ABC):
    """The protocol of a user-supplied allocator that allocates on a stream (``options.allocator``),
    as nvmath-python's: a pool such as ``cuda.core``'s memory resources plugs in directly.

    Implement :meth:`memalloc_async`. nvmath calls it with the device to allocate on made
    current, and frees the memory (through the returned pointer's finalizer) once it no longer
    needs it, after the work that uses it has been queued on ``stream``. An allocator with both
    methods is called through this one.
    """

    @abc.abstractmethod
    def memalloc_async(self, size: int, stream) -> MemoryPointer:
        """Allocate ``size`` bytes of device memory on the current device, ordered on ``stream``.

        Parameters
        ----------
        size : int
            Bytes to allocate (> 0).
        stream : cuda.core.Stream
            The stream the memory will be used on (a ``cuda.core`` object wrapping the
            operation's stream, valid for the call).

        Returns
        -------
        MemoryPointer
            Or any object with an int ``ptr`` (or ``device_ptr``, or Numba's
            ``device_pointer_value``) attribute, as for :meth:`BaseCUDAMemoryManager.memalloc`.
        """


def _allocates(allocator) -> bool:
    """Whether ``allocator`` has a method nvmath allocates through (``memalloc_async``, ``memalloc``)."""
    return callable(getattr(allocator, "memalloc_async", None)) or callable(getattr(allocator, "memalloc", None))


def _core_stream(stream):
    """``stream`` (a StreamHolder) as the ``cuda.core.Stream`` that ``memalloc_async`` takes."""
    try:
        from cuda.core import Stream
    except ImportError:  # cuda-core before 1.0
        try:
            from cuda.core.experimental import Stream
        except ImportError:  # pragma: no cover - cuda-core comes with numba-cuda
            return stream
    return Stream.from_handle(int(stream.handle))


def _check_device_id(device_id, name="device_id") -> int:
    return as_int_at_least(device_id, 0, name, "a non-negative int")


def _check_size(size) -> int:
    return as_int_at_least(size, 0, "size", "a non-negative int (bytes)")


class CupyMemoryManager(BaseCUDAMemoryManager):
    """Memory from CuPy's current allocator (by default its device memory pool) on ``device_id``.

    The allocation is made with ``stream`` current, so CuPy's pool orders its reuse on it.
    """

    def __init__(self, device_id: int):
        self.device_id = _check_device_id(device_id)

    def memalloc(self, size: int, stream) -> MemoryPointer:
        import cupy

        stream = _streams.get_stream(stream, package="cupy", device_id=self.device_id)
        with _streams.stream_context(stream):
            mem = cupy.cuda.alloc(size)
        # Dropping ``mem`` (the owner) returns the block to CuPy's pool.
        return MemoryPointer(mem.ptr, size, device_id=self.device_id, owner=mem)

    def __repr__(self):
        return f"CupyMemoryManager(device_id={self.device_id})"


class TorchMemoryManager(BaseCUDAMemoryManager):
    """Memory from PyTorch's CUDA caching allocator on ``device_id``, for ``stream``."""

    def __init__(self, device_id: int):
        self.device_id = _check_device_id(device_id)

    def memalloc(self, size: int, stream) -> MemoryPointer:
        import torch

        stream = _streams.get_stream(stream, package="torch", device_id=self.device_id)
        with _streams.stream_context(stream):
            ptr = torch.cuda.caching_allocator_alloc(size, self.device_id, stream.obj)
        delete = torch.cuda.caching_allocator_delete
        return MemoryPointer(ptr, size, lambda: delete(ptr), device_id=self.device_id)

    def __repr__(self):
        return f"TorchMemoryManager(device_id={self.device_id})"


_POOLS = {"cupy": CupyMemoryManager, "torch": TorchMemoryManager}


def _takes_stream(memalloc) -> bool:
    try:
        params = list(inspect.signature(memalloc).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _as_memory_pointer(result, size: int, device_id: int, allocator) -> MemoryPointer:
    if isinstance(result, MemoryPointer):
        ptr, have = result.ptr, result.size
        pointer = result
    else:
        ptr = None
        for attr in ("ptr", "device_ptr", "device_pointer_value"):
            value = getattr(result, attr, None)
            if value is not None and not callable(value):
                ptr = int(value)
                break
        if ptr is None:
            raise TypeError(
                f"allocator={allocator!r}: memalloc({size}) returned {result!r}, which "
                f"has no device address; accepted: a nvmath.memory.MemoryPointer or "
                f"an object with an int 'ptr' attribute"
            )
        have = getattr(result, "size", size)
        free = getattr(result, "free", None)
        pointer = MemoryPointer(
            ptr,
            have if isinstance(have, int) else size,
            free if callable(free) else None,
            device_id=device_id,
            owner=result,
        )
    if isinstance(have, int) and have < size:
        raise ValueError(f"allocator={allocator!r}: memalloc({size}) returned {have} bytes")
    if ptr == 0:
        raise RuntimeError(f"allocator={allocator!r}: memalloc({size}) returned a null pointer")
    return pointer


def allocate_workspace(size: int, *, package: str, device_id: int, stream=None, allocator=None) -> MemoryPointer:
    """Allocate ``size`` bytes of device memory on ``device_id`` for work on ``stream``.

    Parameters
    ----------
    size : int
        Bytes (0 gives a null pointer, with nothing allocated).
    package : str
        The operand package (``"numpy"``, ``"cupy"``, ``"torch"``): without ``allocator``, the
        memory comes from its pool (CuPy's, or PyTorch's caching allocator; for NumPy operands
        CuPy's if installed, else PyTorch's).
    device_id : int
        The device.
    stream
        A :class:`~nvmath._internal.streams.StreamHolder`, or anything
        :func:`~nvmath._internal.streams.get_stream` accepts (None: the current stream).
    allocator : BaseCUDAMemoryManager, optional
        The user's allocator; any object with a ``memalloc`` method (``memalloc(size, stream)``,
        or Numba EMM's ``memalloc(size)``) is accepted.

    Returns
    -------
    MemoryPointer
        Free it with ``free()`` (or a ``with`` block) after the work using it has been queued on
        the stream; it is also freed when garbage-collected.
    """
    size = _check_size(size)
    device_id = _check_device_id(device_id)
    if allocator is not None and not _allocates(allocator):
        raise TypeError(
            f"allocator={allocator!r} (of type {type(allocator).__name__}) is not "
            f"supported; accepted: a nvmath.memory.BaseCUDAMemoryManager (an object "
            f"with a memalloc(size, stream) method), a BaseCUDAMemoryManagerAsync (with "
            f"memalloc_async(size, stream)), or None for the operand package's memory pool"
        )
    if size == 0:
        return MemoryPointer(0, 0, device_id=device_id)
    stream = _streams.get_stream(stream, package=package, device_id=device_id)
    if allocator is None:
        pool = _streams.device_package(package)
        if pool is None:
            raise RuntimeError(
                f"Device memory for {package} operands comes from CuPy's or "
                f"PyTorch's memory pool, and neither is installed: install one "
                f"(pip install nvmath-fusion[cupy]) or pass options.allocator"
            )
        allocator = _POOLS[pool](device_id)
        return allocator.memalloc(size, stream)
    with _streams.device_context(device_id):
        if callable(getattr(allocator, "memalloc_async", None)):
            result = allocator.memalloc_async(size, _core_stream(stream))
        elif _takes_stream(allocator.memalloc):
            result = allocator.memalloc(size, stream)
        else:
            result = allocator.memalloc(size)
    return _as_memory_pointer(result, size, device_id, allocator)
