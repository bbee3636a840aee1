"""MemoryPointer and the allocator protocol, with fake allocators (no GPU needed)."""

import contextlib
import gc

import pytest

import nvmath.memory as memory
from nvmath._internal import streams
from nvmath._internal.streams import StreamHolder
from nvmath.memory import BaseCUDAMemoryManager, MemoryPointer, allocate_workspace

STREAM = StreamHolder(0x10, None, "cuda", 0)


@pytest.fixture
def no_cuda(monkeypatch):
    """Fake allocators need no device: skip the device switch around memalloc, and use raw
    stream handles (no CuPy/PyTorch stream objects)."""
    monkeypatch.setattr(streams, "device_context", lambda device_id: contextlib.nullcontext())
    monkeypatch.setattr(streams, "device_package", lambda package: None)


class FakeAllocator(BaseCUDAMemoryManager):
    def __init__(self):
        self.calls, self.freed = [], []

    def memalloc(self, size, stream):
        self.calls.append((size, stream))
        ptr = 0x1000 * (len(self.calls))
        return MemoryPointer(ptr, size, lambda: self.freed.append(ptr), device_id=0)


def test_free_runs_finalizer_once():
    freed = []
    p = MemoryPointer(0x1000, 64, lambda: freed.append(1), device_id=0)
    assert not p.freed and p.ptr == 0x1000 and p.device_ptr == 0x1000 and p.size == 64
    p.free()
    assert freed == [1] and p.freed
    with pytest.raises(RuntimeError, match="already been freed"):  # as nvmath-python's
        p.free()
    assert freed == [1]
    q = MemoryPointer(0x2000, 64, None, device_id=0)  # no finalizer: free is always allowed
    q.free()
    q.free()
    assert q.freed
    with MemoryPointer(0x3000, 8, lambda: freed.append(3), device_id=0) as r:
        r.free()  # freed inside the block: leaving it does not free again
    assert freed == [1, 3]


def test_context_manager_and_gc_free():
    freed = []
    with MemoryPointer(1, 8, lambda: freed.append("with"), device_id=0) as p:
        assert not p.freed
    assert freed == ["with"]
    p = MemoryPointer(2, 8, lambda: freed.append("gc"), device_id=0)
    del p
    gc.collect()
    assert freed == ["with", "gc"]


def test_owner_kept_alive_until_free():
    class Owner:
        pass

    import weakref

    owner = Owner()
    ref = weakref.ref(owner)
    p = MemoryPointer(3, 8, device_id=0, owner=owner)
    del owner
    gc.collect()
    assert ref() is not None
    p.free()
    gc.collect()
    assert ref() is None


def test_bad_finalizer():
    with pytest.raises(TypeError, match="finalizer"):
        MemoryPointer(1, 8, finalizer=3)


def test_base_manager_is_abstract():
    with pytest.raises(TypeError):
        BaseCUDAMemoryManager()


def test_allocate_workspace_with_user_allocator(no_cuda):
    alloc = FakeAllocator()
    p = allocate_workspace(256, package="numpy", device_id=0, stream=STREAM, allocator=alloc)
    assert alloc.calls == [(256, STREAM)]
    assert p.ptr == 0x1000 and p.size == 256
    p.free()
    with pytest.raises(RuntimeError, match="already been freed"):
        p.free()
    assert alloc.freed == [0x1000]


def test_allocate_workspace_zero_size_allocates_nothing():
    alloc = FakeAllocator()
    p = allocate_workspace(0, package="numpy", device_id=0, stream=STREAM, allocator=alloc)
    assert p.ptr == 0 and p.size == 0 and alloc.calls == []


def test_emm_style_allocator_duck_typed(no_cuda):
    """A Numba-EMM-like instance: memalloc(size) without stream, returning its own pointer."""
    events = []

    class ForeignPointer:
        def __init__(self, size):
            self.device_pointer_value, self.size = 0x7000, size

        def free(self):
            events.append("free")

    class EMMLike:
        def memalloc(self, size):
            events.append(("alloc", size))
            return ForeignPointer(size)

    p = allocate_workspace(100, package="cupy", device_id=0, stream=STREAM, allocator=EMMLike())
    assert p.ptr == 0x7000 and events == [("alloc", 100)]
    p.free()
    with pytest.raises(RuntimeError, match="already been freed"):
        p.free()
    assert events == [("alloc", 100), "free"]


def test_allocator_errors(no_cuda):
    with pytest.raises(TypeError, match=r"allocator=.*BaseCUDAMemoryManager"):
        allocate_workspace(8, package="numpy", device_id=0, stream=STREAM, allocator=object())

    class Small(BaseCUDAMemoryManager):
        def memalloc(self, size, stream):
            return MemoryPointer(0x10, size - 1)

    with pytest.raises(ValueError, match="returned 7 bytes"):
        allocate_workspace(8, package="numpy", device_id=0, stream=STREAM, allocator=Small())

    class NoPtr(BaseCUDAMemoryManager):
        def memalloc(self, size, stream):
            return "nothing"

    with pytest.raises(TypeError, match="no device address"):
        allocate_workspace(8, package="numpy", device_id=0, stream=STREAM, allocator=NoPtr())


@pytest.mark.parametrize(
    "size, device_id, match", [(-1, 0, "size=-1"), (8, -2, "device_id=-2"), (True, 0, "size=True")]
)
def test_allocate_workspace_argument_errors(size, device_id, match):
    with pytest.raises(ValueError, match=match):
        allocate_workspace(size, package="numpy", device_id=device_id, stream=STREAM)


def test_no_pool_for_numpy(monkeypatch):
    monkeypatch.setattr(streams, "device_package", lambda package: None)
    with pytest.raises(RuntimeError, match=r"nvmath-fusion\[cupy\]"):
        allocate_workspace(8, package="numpy", device_id=0, stream=STREAM)


def test_public_names():
    for name in (
        "BaseCUDAMemoryManager",
        "MemoryPointer",
        "CupyMemoryManager",
        "TorchMemoryManager",
        "allocate_workspace",
    ):
        assert name in memory.__all__ and hasattr(memory, name)


class FakeAsyncAllocator(memory.BaseCUDAMemoryManagerAsync):
    def __init__(self):
        self.calls = []

    def memalloc_async(self, size, stream):
        self.calls.append((size, stream))
        return MemoryPointer(0x2000, size)


def test_async_allocator_gets_a_cuda_core_stream_of_the_operations_stream(no_cuda):
    from cuda.core import Stream

    alloc = FakeAsyncAllocator()
    p = allocate_workspace(64, package="numpy", device_id=0, stream=STREAM, allocator=alloc)
    assert p.ptr == 0x2000 and p.size == 64
    ((size, stream),) = alloc.calls
    assert size == 64 and isinstance(stream, Stream) and int(stream.handle) == STREAM.handle


def test_allocator_with_both_methods_is_called_asynchronously(no_cuda):
    class Both:
        def __init__(self):
            self.used = []

        def memalloc(self, size, stream):
            self.used.append("memalloc")
            return MemoryPointer(0x3000, size)

        def memalloc_async(self, size, stream):
            self.used.append("memalloc_async")
            return MemoryPointer(0x4000, size)

    both = Both()
    assert allocate_workspace(8, package="numpy", device_id=0, stream=STREAM, allocator=both).ptr == 0x4000
    assert both.used == ["memalloc_async"]


def test_async_allocator_is_accepted_by_the_options_and_named_top_level():
    import nvmath
    from nvmath.fft import FFTOptions
    from nvmath.linalg.advanced import MatmulOptions

    alloc = FakeAsyncAllocator()
    assert FFTOptions(allocator=alloc).allocator is alloc
    assert MatmulOptions(allocator=alloc).allocator is alloc
    assert nvmath.BaseCUDAMemoryManagerAsync is memory.BaseCUDAMemoryManagerAsync
    assert "BaseCUDAMemoryManagerAsync" in memory.__all__
    with pytest.raises(TypeError):
        memory.BaseCUDAMemoryManagerAsync()  # abstract
    with pytest.raises(ValueError, match=r"memalloc_async"):
        FFTOptions(allocator=object())


def test_memory_pointer_takes_nvmath_pythons_arguments_in_its_order():
    freed = []
    p = MemoryPointer(0x5000, 32, lambda: freed.append("positional"))
    assert (p.device_ptr, p.ptr, p.size, p.device_id) == (0x5000, 0x5000, 32, None)
    p.free()
    q = MemoryPointer(device_ptr=0x6000, size=16, finalizer=lambda: freed.append("keywords"))
    q.free()
    assert freed == ["positional", "keywords"]
    with pytest.raises(TypeError, match="finalizer=7 is not callable"):
        MemoryPointer(0x7000, 8, 7)  # an int where nvmath-python takes the finalizer
