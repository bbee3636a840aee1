"""On the GPU, with CuPy: holders, allocation on streams, host <-> device copies, streams, pools."""

import gc
import logging

import numpy as np
import pytest

import nvmath
from nvmath._internal import streams
from nvmath._internal.streams import get_stream, stream_context, stream_wait, synchronize
from nvmath._internal.tensor import CupyHolder, NumpyHolder, wrap_operand
from nvmath.memory import BaseCUDAMemoryManager, CupyMemoryManager, MemoryPointer, allocate_workspace

pytestmark = pytest.mark.gpu


@pytest.fixture
def cp():
    return pytest.importorskip("cupy")


def _random(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


HOST_VIEWS = {
    "c": lambda a: a,
    "transposed": lambda a: a.T,
    "reversed": lambda a: a[::-1],
    "strided": lambda a: a[:, ::2],
    "neg-strided": lambda a: a[::-2, 1::3],
    "0d": lambda a: a[0, 0, ...],
    "empty": lambda a: a[:0],
}


def test_cupy_holder_layout(cp):
    a = cp.arange(60, dtype=cp.complex64).reshape(3, 4, 5)
    for view in (a, a.T, a[::-1, :, ::2], a[1:, 2]):
        h = wrap_operand(view, "x")
        assert isinstance(h, CupyHolder)
        assert h.package == "cupy" and h.device == "cuda" and h.device_id == 0 and not h.is_host
        assert h.shape == view.shape and h.dtype == "complex64" and h.itemsize == 8
        assert h.strides == tuple(s // 8 for s in view.strides)
        assert h.data_ptr == view.data.ptr
    assert wrap_operand(a[::-1]).strides == (-20, 5, 1)


def test_cupy_empty_with_strides_on_stream(cp):
    h = wrap_operand(cp.zeros(1, cp.float32))
    s = cp.cuda.Stream(non_blocking=True)
    before = cp.cuda.get_current_stream()
    pool = cp.get_default_memory_pool()
    used = pool.used_bytes()
    e = h.empty((3, 4), "complex64", strides=(1, 3), stream=s)
    assert isinstance(e, CupyHolder) and e.strides == (1, 3) and e.tensor.strides == (8, 24)
    assert e.dtype == "complex64" and e.device_id == 0
    assert pool.used_bytes() > used  # from CuPy's pool
    assert cp.cuda.get_current_stream() == before  # the user's current stream is kept
    n = h.empty((4, 3), "float64", strides=(-3, 1), stream=s)
    assert n.strides == (-3, 1)
    with s:
        n.tensor[...] = cp.arange(12.0).reshape(4, 3)
    s.synchronize()
    np.testing.assert_array_equal(cp.asnumpy(n.tensor), np.arange(12.0).reshape(4, 3))
    d = h.empty((2, 5), "complex128", stream=s)
    assert d.tensor.flags.c_contiguous and d.dtype == "complex128"


@pytest.mark.parametrize("view", list(HOST_VIEWS))
def test_numpy_round_trip_through_cupy(cp, caplog, view):
    a = HOST_VIEWS[view](_random((6, 8, 2), np.complex64))
    h = wrap_operand(a, "a")
    s = cp.cuda.Stream(non_blocking=True)
    stream = get_stream(s, package="numpy", device_id=0)
    assert stream.package == "cupy" and stream.handle == s.ptr
    with caplog.at_level(logging.INFO, logger="nvmath"):
        d = h.to_device(0, stream)
        assert isinstance(d, CupyHolder) and d.shape == a.shape and d.is_dense()
        s.synchronize()  # the copy is queued on s, a non-blocking stream asnumpy does not wait for
        np.testing.assert_array_equal(cp.asnumpy(d.tensor), a)
        back = d.to_host(stream)
    assert isinstance(back, NumpyHolder) and isinstance(back.tensor, np.ndarray)
    np.testing.assert_array_equal(back.tensor, a)
    copies = [r for r in caplog.records if r.levelno == logging.INFO and "copying" in r.getMessage()]
    assert len(copies) == 2
    assert "from the host (numpy) to device 0 (cupy)" in copies[0].getMessage()
    assert f"{a.nbytes} bytes" in copies[0].getMessage()
    assert "from device 0 (cupy) to the host (numpy)" in copies[1].getMessage()


def test_to_device_keeps_axis_order(cp):
    a = _random((5, 7), np.float64).T
    d = wrap_operand(a).to_device(0)
    assert d.strides == (1, 7)  # Fortran stays Fortran, no relayout


def test_device_operand_is_not_copied(cp, caplog):
    x = cp.arange(10.0)
    h = wrap_operand(x)
    with caplog.at_level(logging.INFO, logger="nvmath"):
        assert h.to_device(0) is h
    assert not caplog.records


@pytest.mark.parametrize("view", ["c", "reversed", "strided"])
def test_cupy_to_host_of_views(cp, view):
    base = cp.arange(6 * 8 * 2, dtype=cp.float32).reshape(6, 8, 2)
    x = HOST_VIEWS[view](base)
    back = wrap_operand(x).to_host()
    np.testing.assert_array_equal(back.tensor, cp.asnumpy(x))


def test_copy_from_host_into_device_and_back(cp):
    s = cp.cuda.Stream(non_blocking=True)
    dev = wrap_operand(cp.zeros((4, 6), cp.complex128), "buffer")
    src = _random((6, 4), np.complex128).T  # other layout than dev
    dev.copy_from(src, s)
    s.synchronize()
    np.testing.assert_array_equal(cp.asnumpy(dev.tensor), src)
    host = wrap_operand(np.zeros((4, 6), np.complex128)[:, ::-1])
    host.copy_from(dev, s)
    np.testing.assert_array_equal(host.tensor, src)
    with pytest.raises(TypeError, match="dtype"):
        dev.copy_from(src.astype(np.complex64))


def test_get_stream_none_is_current(cp):
    s = get_stream(None, package="cupy", device_id=0)
    assert s.handle == cp.cuda.get_current_stream().ptr and s.package == "cupy"
    other = cp.cuda.Stream()
    with other:
        assert get_stream(None, package="cupy", device_id=0).handle == other.ptr
        assert get_stream(None, package="numpy", device_id=0).handle == other.ptr


def test_raw_int_stream(cp):
    other = cp.cuda.Stream(non_blocking=True)
    s = get_stream(other.ptr, package="cupy", device_id=0)
    assert s.handle == other.ptr and isinstance(s.obj, cp.cuda.ExternalStream)
    with stream_context(s):
        assert cp.cuda.get_current_stream().ptr == other.ptr
    a = _random((64, 3), np.float32)
    d = wrap_operand(a).to_device(0, other.ptr)
    np.testing.assert_array_equal(d.to_host(other.ptr).tensor, a)
    synchronize(s)


def test_cuda_core_stream(cp):
    try:
        from cuda.core import Device
    except ImportError:
        from cuda.core.experimental import Device
    dev = Device(0)
    dev.set_current()
    core = dev.create_stream()
    s = get_stream(core, package="cupy", device_id=0)
    assert s.handle == int(core.handle)
    assert s.obj.ptr == s.handle


def test_stream_wait(cp):
    a, b = cp.cuda.Stream(non_blocking=True), cp.cuda.Stream(non_blocking=True)
    sa, sb = (get_stream(x, package="cupy", device_id=0) for x in (a, b))
    x = cp.zeros(1 << 22, cp.float32)
    with a:
        for _ in range(20):
            x += 1
    stream_wait(sb, sa)
    with b:
        y = x.sum()
    b.synchronize()
    assert float(y) == 20.0 * x.size


def test_stream_of_other_device_rejected(cp):
    if cp.cuda.runtime.getDeviceCount() < 2:
        with pytest.raises(ValueError, match="belongs to device 0"):
            get_stream(cp.cuda.Stream(), package="cupy", device_id=1)
        return
    with cp.cuda.Device(1):
        s1 = cp.cuda.Stream()
    with pytest.raises(ValueError, match="belongs to device 1"):
        get_stream(s1, package="cupy", device_id=0)


def test_workspace_from_cupy_pool(cp):
    pool = cp.get_default_memory_pool()
    used = pool.used_bytes()
    p = allocate_workspace(1 << 20, package="cupy", device_id=0, stream=None)
    assert p.ptr != 0 and p.size == 1 << 20 and pool.used_bytes() >= used + (1 << 20)
    p.free()
    assert pool.used_bytes() == used
    q = allocate_workspace(4096, package="numpy", device_id=0, stream=cp.cuda.Stream())
    assert pool.used_bytes() >= used + 4096
    q.free()
    assert isinstance(CupyMemoryManager(0).memalloc(256, None), MemoryPointer)


class CountingAllocator(BaseCUDAMemoryManager):
    """A user allocator on top of cudaMalloc, counting what it holds."""

    def __init__(self):
        self.live, self.streams = {}, []

    def memalloc(self, size, stream):
        from cuda.bindings import runtime

        self.streams.append(stream.handle)
        err, ptr = runtime.cudaMalloc(size)
        assert err == runtime.cudaError_t.cudaSuccess
        self.live[int(ptr)] = size

        def free():
            runtime.cudaFree(ptr)
            del self.live[int(ptr)]

        return MemoryPointer(int(ptr), size, free, device_id=streams.current_device_id())


def test_workspace_and_arrays_from_user_allocator(cp):
    alloc = CountingAllocator()
    s = cp.cuda.Stream()
    p = allocate_workspace(1000, package="cupy", device_id=0, stream=s, allocator=alloc)
    assert alloc.live == {p.ptr: 1000} and alloc.streams == [s.ptr]
    p.free()
    assert alloc.live == {}
    e = wrap_operand(cp.zeros(1)).empty((8, 4), "float64", strides=(1, 8), stream=s, allocator=alloc)
    assert len(alloc.live) == 1 and e.strides == (1, 8)
    view = e.tensor[2:]
    del e
    gc.collect()
    assert len(alloc.live) == 1  # the view keeps the allocation
    with s:
        view[...] = 3.0
    s.synchronize()
    assert float(view.sum()) == 3.0 * view.size
    del view
    gc.collect()
    assert alloc.live == {}


class StreamOrderedAllocator(nvmath.memory.BaseCUDAMemoryManagerAsync):
    """A user allocator on cudaMallocAsync, ordered on the stream it is given (a cuda.core.Stream)."""

    def __init__(self):
        self.live, self.streams = {}, []

    def memalloc_async(self, size, stream):
        from cuda.bindings import runtime

        handle = int(stream.handle)
        self.streams.append(handle)
        err, ptr = runtime.cudaMallocAsync(size, handle)
        assert err == runtime.cudaError_t.cudaSuccess
        self.live[int(ptr)] = size

        def free():
            runtime.cudaFreeAsync(ptr, handle)
            del self.live[int(ptr)]

        return MemoryPointer(int(ptr), size, free, device_id=streams.current_device_id())


def test_fft_results_and_work_areas_from_a_stream_ordered_allocator(cp):
    alloc = StreamOrderedAllocator()
    s = cp.cuda.Stream()
    x = cp.asarray(np.random.default_rng(5).standard_normal((64, 48)) + 1j, dtype=cp.complex64)
    with s:
        got = nvmath.fft.fft(x, axes=[1], options={"allocator": alloc})
    s.synchronize()
    assert alloc.streams and set(alloc.streams) == {s.ptr}
    want = np.fft.fft(cp.asnumpy(x).astype(np.complex128), axis=1)
    assert np.linalg.norm(cp.asnumpy(got) - want) / np.linalg.norm(want) < 1e-5
    del got
    gc.collect()
    assert alloc.live == {}
