"""PyTorch CPU tensors through the operand adapters."""

import numpy as np
import pytest

from nvmath._internal.tensor import NumpyHolder, TorchHolder, wrap_operand

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.zeros(3, 4, dtype=torch.complex64),
        lambda: torch.zeros(3, 4).T,
        lambda: torch.arange(60.0).reshape(3, 4, 5)[:, 1:3, ::2],
        lambda: torch.zeros(3).expand(4, 3),
        lambda: torch.zeros(()),
        lambda: torch.zeros(0, 5),
        lambda: torch.arange(10.0)[3:],
    ],
    ids=["c", "transposed", "sliced", "expanded", "0d", "empty", "offset"],
)
def test_torch_cpu_holder_layout(make):
    t = make()
    h = wrap_operand(t, "t")
    assert isinstance(h, TorchHolder)
    assert h.package == "torch" and h.device == "cpu" and h.device_id is None and h.is_host
    assert h.tensor is t
    assert h.shape == tuple(t.shape) and h.strides == tuple(t.stride()) and h.size == t.numel()
    assert h.itemsize == t.element_size()
    assert h.data_ptr == t.data_ptr()


@pytest.mark.parametrize(
    "dtype, name",
    [
        (torch.complex64, "complex64"),
        (torch.complex128, "complex128"),
        (torch.float16, "float16"),
        (torch.bfloat16, "bfloat16"),
        (torch.float32, "float32"),
        (torch.float64, "float64"),
        (torch.int32, "int32"),
        (torch.bool, "bool"),
    ],
)
def test_torch_dtype_names(dtype, name):
    assert wrap_operand(torch.zeros(2, dtype=dtype)).dtype == name


def test_torch_lazy_conj_and_sparse_rejected():
    with pytest.raises(ValueError, match="resolve_conj"):
        wrap_operand(torch.zeros(3, dtype=torch.complex64).conj(), "a")
    with pytest.raises(ValueError, match="layout"):
        wrap_operand(torch.zeros(3, 3).to_sparse(), "a")
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        wrap_operand(torch.zeros(3, device="meta"), "a")


def test_torch_empty_on_host_with_strides():
    h = wrap_operand(torch.zeros(1))
    e = h.empty((3, 4), torch.bfloat16, strides=(1, 3))
    assert isinstance(e, TorchHolder) and e.is_host
    assert e.tensor.dtype == torch.bfloat16 and e.tensor.stride() == (1, 3) and e.strides == (1, 3)
    e2 = h.empty((2, 3), "complex64", device_id=None)
    assert e2.tensor.is_contiguous() and e2.dtype == "complex64"
    with pytest.raises(ValueError, match="negative strides"):
        h.empty((3,), "float32", strides=(-1,))


def test_torch_cpu_to_numpy_view_and_copies():
    t = torch.arange(12, dtype=torch.float32).reshape(3, 4).T
    h = wrap_operand(t)
    n = h.to_host(package="numpy")
    assert isinstance(n, NumpyHolder) and np.shares_memory(n.tensor, t.numpy())  # no copy
    dst = wrap_operand(torch.zeros(4, 3))
    dst.copy_from(np.arange(12, dtype=np.float32).reshape(4, 3))
    assert torch.equal(dst.tensor, torch.arange(12, dtype=torch.float32).reshape(4, 3))
    out = wrap_operand(np.zeros((4, 3), np.float32))
    out.copy_from(h)
    np.testing.assert_array_equal(out.tensor, t.numpy())


def test_torch_same_layout():
    a = wrap_operand(torch.zeros(3, 4))
    assert a.same_layout(torch.ones(3, 4))
    assert not a.same_layout(torch.ones(4, 3).T)
    assert not a.same_layout(np.ones((3, 4), np.float32))  # other package
