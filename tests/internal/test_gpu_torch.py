"""On the GPU, with PyTorch: holders, allocation on streams, CPU <-> CUDA copies, streams, pools."""

import gc
import logging

import numpy as np
import pytest

from nvmath._internal import streams
from nvmath._internal.streams import get_stream
from nvmath._internal.tensor import NumpyHolder, TorchHolder, wrap_operand
from nvmath.memory import BaseCUDAMemoryManager, MemoryPointer, TorchMemoryManager, allocate_workspace

pytestmark = pytest.mark.gpu


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch without CUDA")
    return torch


def test_torch_cuda_holder_layout(torch):
    t = torch.arange(60.0, device="cuda").reshape(3, 4, 5).to(torch.complex64)
    for view in (t, t.transpose(0, 2), t[:, 1:3, ::2], t[1]):
        h = wrap_operand(view, "t")
        assert isinstance(h, TorchHolder)
        assert h.device == "cuda" and h.device_id == 0 and not h.is_host
        assert h.strides == tuple(view.stride()) and h.data_ptr == view.data_ptr()
        assert h.dtype == "complex64" and h.shape == tuple(view.shape)
    assert wrap_operand(torch.zeros(2, dtype=torch.bfloat16, device="cuda")).dtype == "bfloat16"


def test_torch_empty_with_strides_on_stream(torch):
    h = wrap_operand(torch.zeros(1, device="cuda"))
    s = torch.cuda.Stream()
    before = torch.cuda.current_stream().cuda_stream
    e = h.empty((3, 4), torch.complex64, strides=(1, 3), stream=s)
    assert isinstance(e, TorchHolder) and e.tensor.is_cuda and e.tensor.stride() == (1, 3)
    assert e.tensor.dtype == torch.complex64 and e.device_id == 0
    assert torch.cuda.current_stream().cuda_stream == before
    e2 = h.empty((5,), "bfloat16", stream=s.cuda_stream)
    assert e2.tensor.dtype == torch.bfloat16


def test_torch_cpu_to_cuda_and_back(torch, caplog):
    t = torch.randn(6, 8, dtype=torch.complex64).T[:, ::2]  # strided, non-dense
    h = wrap_operand(t, "t")
    s = torch.cuda.Stream()
    with caplog.at_level(logging.INFO, logger="nvmath"):
        d = h.to_device(0, s)
        assert isinstance(d, TorchHolder) and d.tensor.is_cuda and d.is_dense()
        back = d.to_host(s)
    assert isinstance(back, TorchHolder) and back.tensor.device.type == "cpu"
    assert torch.equal(back.tensor, t)
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("from the host (torch) to device 0 (torch)" in m for m in messages)
    assert any("from device 0 (torch) to the host (torch)" in m for m in messages)


def test_torch_bfloat16_round_trip(torch):
    t = torch.randn(4, 5).to(torch.bfloat16)
    back = wrap_operand(t).to_device(0).to_host()
    assert torch.equal(back.tensor, t)


def test_numpy_through_torch_when_no_cupy(torch, monkeypatch, caplog):
    monkeypatch.setattr(streams, "is_installed", lambda name: name == "torch")
    a = np.random.default_rng(1).standard_normal((5, 6))[::-1]
    h = wrap_operand(a, "a")
    with caplog.at_level(logging.INFO, logger="nvmath"):
        d = h.to_device(0)
        assert isinstance(d, TorchHolder) and d.tensor.is_cuda
        back = d.to(h.package, h.device_id)
    assert isinstance(back, NumpyHolder)
    np.testing.assert_array_equal(back.tensor, a)
    assert sum("copying" in r.getMessage() for r in caplog.records) == 2


def test_get_stream_none_is_current(torch):
    assert get_stream(None, package="torch", device_id=0).handle == torch.cuda.current_stream(0).cuda_stream
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        got = get_stream(None, package="torch", device_id=0)
        assert got.handle == s.cuda_stream and got.obj == s


def test_raw_and_foreign_streams_for_torch(torch):
    s = torch.cuda.Stream()
    raw = get_stream(s.cuda_stream, package="torch", device_id=0)
    assert raw.handle == s.cuda_stream and raw.obj.cuda_stream == s.cuda_stream
    cp = pytest.importorskip("cupy")
    cs = cp.cuda.Stream()
    foreign = get_stream(cs, package="torch", device_id=0)
    assert foreign.handle == cs.ptr and foreign.obj.cuda_stream == cs.ptr


def test_workspace_from_torch_pool(torch):
    before = torch.cuda.memory_allocated(0)
    p = allocate_workspace(1 << 20, package="torch", device_id=0, stream=torch.cuda.Stream())
    assert p.ptr != 0 and torch.cuda.memory_allocated(0) >= before + (1 << 20)
    p.free()
    assert torch.cuda.memory_allocated(0) == before
    q = TorchMemoryManager(0).memalloc(512, None)
    assert isinstance(q, MemoryPointer) and q.ptr != 0
    q.free()
    assert torch.cuda.memory_allocated(0) == before


class CountingAllocator(BaseCUDAMemoryManager):
    def __init__(self):
        self.live = {}

    def memalloc(self, size, stream):
        from cuda.bindings import runtime

        err, ptr = runtime.cudaMalloc(size)
        assert err == runtime.cudaError_t.cudaSuccess
        self.live[int(ptr)] = size

        def free():
            runtime.cudaFree(ptr)
            del self.live[int(ptr)]

        return MemoryPointer(int(ptr), size, free, device_id=0)


def test_torch_arrays_from_user_allocator(torch):
    alloc = CountingAllocator()
    s = torch.cuda.Stream()
    h = wrap_operand(torch.zeros(1, device="cuda"))
    e = h.empty((4, 3), "bfloat16", strides=(1, 4), stream=s, allocator=alloc)
    assert list(alloc.live.values()) == [24]
    assert e.tensor.dtype == torch.bfloat16 and e.tensor.stride() == (1, 4)
    assert e.data_ptr in alloc.live
    t = e.tensor
    del e
    gc.collect()
    assert len(alloc.live) == 1  # the tensor keeps the allocation alive
    with torch.cuda.stream(s):
        t.fill_(2)
    s.synchronize()
    assert float(t.float().sum()) == 24.0
    del t
    gc.collect()
    assert alloc.live == {}


@pytest.mark.parametrize(
    "shape, strides",
    [
        ((64, 64), (64, 1)),  # row-major: small, through the kept prototype
        ((64, 48), (1, 64)),  # column-major
        ((3, 8, 5), (40, 1, 8)),  # batched, each matrix column-major
        ((8, 5), (1, 16)),  # padded leading dimension: not dense, no prototype
        ((512, 512), (1, 512)),  # larger than the prototype's limit
    ],
)
def test_fast_result_allocator_gives_the_strides_asked_for(torch, shape, strides):
    from nvmath._internal.tensor import fast_result_allocator

    allocate = fast_result_allocator("torch", 0, shape, "float32", strides)
    results = [allocate() for _ in range(3)]
    stream = torch.cuda.current_stream().cuda_stream
    pointers = set()
    for handle, result, pointer in results:
        assert tuple(result.shape) == shape and tuple(result.stride()) == strides
        assert result.dtype == torch.float32 and result.device == torch.device("cuda", 0)
        assert pointer == result.data_ptr() and handle == stream
        pointers.add(pointer)
        result.fill_(1.0)  # every element addressable
    assert len(pointers) == 3  # a new array each call, never the prototype
