"""Operand adapters on the CPU: NumPy and PyTorch (CPU) holders, host allocation, errors."""

import numpy as np
import pytest

from nvmath._internal.tensor import (
    NumpyHolder,
    c_strides,
    dense_strides_like,
    dtype_name,
    wrap_operand,
)


def _np_element_strides(a):
    return tuple(s // a.itemsize for s in a.strides)


# -- NumPy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.zeros((3, 4), np.complex64),
        lambda: np.zeros((3, 4), np.float64).T,
        lambda: np.arange(60, dtype=np.float32).reshape(3, 4, 5)[:, 1:3, ::2],
        lambda: np.arange(12, dtype=np.int16)[::-1],
        lambda: np.arange(24.0).reshape(4, 6)[::-2, ::3],
        lambda: np.broadcast_to(np.arange(3.0), (4, 3)),
        lambda: np.zeros((), np.float32),
        lambda: np.zeros((0, 5), np.complex128),
    ],
    ids=["c", "transposed", "sliced", "reversed", "neg-2d", "broadcast", "0d", "empty"],
)
def test_numpy_holder_layout(make):
    a = make()
    h = wrap_operand(a, "x")
    assert isinstance(h, NumpyHolder)
    assert h.package == "numpy" and h.device == "cpu" and h.device_id is None and h.is_host
    assert h.tensor is a and h.name == "x"
    assert h.shape == a.shape and h.size == a.size and h.itemsize == a.itemsize
    assert h.strides == _np_element_strides(a)
    assert h.dtype == a.dtype.name
    assert h.data_ptr == a.ctypes.data


def test_numpy_strides_are_elements_and_negative():
    a = np.arange(24.0).reshape(4, 6)
    assert wrap_operand(a.T).strides == (1, 6)
    assert wrap_operand(a[::-1, ::2]).strides == (-6, 2)
    assert wrap_operand(a[::-1, ::2]).data_ptr == a[3:].ctypes.data  # element [0, 0] is a[3, 0]


def test_numpy_dtype_names():
    for dt in ("float16", "float32", "float64", "complex64", "complex128", "int8", "uint64", "bool"):
        assert wrap_operand(np.zeros(2, dt)).dtype == dt


def test_numpy_non_native_byte_order_rejected():
    a = np.zeros(3, dtype=np.dtype(np.float64).newbyteorder())
    with pytest.raises(ValueError, match="byte order"):
        wrap_operand(a, "x")


def test_numpy_strides_not_multiple_of_itemsize_rejected():
    rec = np.zeros(4, dtype=[("a", np.float32), ("b", np.int8)])
    with pytest.raises(ValueError, match="itemsize"):
        wrap_operand(rec["a"], "x")


def test_layout_key_and_same_layout():
    a = np.zeros((3, 4), np.float32)
    h = wrap_operand(a)
    assert h.layout_key() == ("numpy", "cpu", None, "float32", (3, 4), (4, 1))
    assert h.same_layout(np.ones((3, 4), np.float32))
    assert not h.same_layout(np.ones((4, 3), np.float32).T)  # same shape, other strides
    assert not h.same_layout(np.ones((3, 4), np.float64))
    assert not h.same_layout(wrap_operand(np.ones((3, 5), np.float32)))


def test_wrap_returns_holder_unchanged():
    h = wrap_operand(np.zeros(3))
    assert wrap_operand(h) is h


def test_is_dense():
    a = np.zeros((4, 6))
    assert wrap_operand(a).is_dense() and wrap_operand(a.T).is_dense()
    assert wrap_operand(a[::-1]).is_dense()
    assert not wrap_operand(a[:, ::2]).is_dense()
    assert not wrap_operand(np.broadcast_to(np.zeros(3), (2, 3))).is_dense()


# -- host allocation ----------------------------------------------------------------------


def test_numpy_empty_default_is_c_contiguous():
    h = wrap_operand(np.zeros(3, np.float32))
    e = h.empty((2, 3, 4), "complex64")
    assert isinstance(e, NumpyHolder) and e.tensor.flags.c_contiguous
    assert e.dtype == "complex64" and e.shape == (2, 3, 4) and e.strides == (12, 4, 1)
    assert h.empty((5,)).dtype == "float32"  # dtype None: the holder's


@pytest.mark.parametrize(
    "shape, strides",
    [
        ((3, 4), (1, 3)),  # Fortran
        ((3, 4), (8, 2)),  # padded
        ((3, 4), (-4, 1)),  # reversed rows
        ((2, 3), (0, 1)),  # broadcast
        ((0, 4), (4, 1)),
        ((), ()),
    ],
)
def test_numpy_empty_with_strides(shape, strides):
    e = wrap_operand(np.zeros(1)).empty(shape, np.complex128, strides=strides)
    assert e.shape == shape and e.strides == strides and e.dtype == "complex128"
    e.tensor[...] = 1 + 2j  # the whole view is writable memory
    assert np.all(e.tensor == 1 + 2j)


def test_numpy_empty_on_device_rejected():
    with pytest.raises(ValueError, match="host memory"):
        wrap_operand(np.zeros(3)).empty((3,), "float32", device_id=0)


def test_empty_bad_arguments():
    h = wrap_operand(np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        h.empty((3, -1), "float32")
    with pytest.raises(ValueError, match="strides"):
        h.empty((3, 4), "float32", strides=(1,))
    with pytest.raises(TypeError, match="dtype"):
        h.empty((3,), "not-a-dtype")
    with pytest.raises(ValueError, match="device_id"):
        h.to_device(-1)


def test_to_host_of_host_operand_is_no_copy():
    h = wrap_operand(np.zeros(3))
    assert h.to_host() is h
    assert h.to("numpy") is h


def test_host_copy_from_needs_equal_shape_and_dtype():
    dst = wrap_operand(np.zeros((2, 3), np.float32), "dst")
    with pytest.raises(ValueError, match="shape"):
        dst.copy_from(np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="no implicit type conversion"):
        dst.copy_from(np.zeros((2, 3), np.float64))
    src = np.arange(6, dtype=np.float32).reshape(3, 2).T
    dst.copy_from(src)
    np.testing.assert_array_equal(dst.tensor, src)


# -- helpers ------------------------------------------------------------------------------


def test_stride_helpers():
    assert c_strides((2, 3, 4)) == (12, 4, 1)
    assert c_strides(()) == ()
    assert dense_strides_like((3, 4), (1, 3)) == (1, 3)  # F stays F
    assert dense_strides_like((3, 4), (-8, 2)) == (4, 1)  # K order, positive, dense
    assert dense_strides_like((2, 3, 4), (1, 2, 6)) == (1, 2, 6)
    assert dense_strides_like((3, 1, 4), (4, 1, 1)) == (4, 4, 1)


def test_dtype_name():
    assert dtype_name("complex64") == "complex64"
    assert dtype_name(np.float32) == "float32"
    assert dtype_name(np.dtype("c16")) == "complex128"
    assert dtype_name("bfloat16") == "bfloat16"
    with pytest.raises(TypeError, match="dtype="):
        dtype_name(object())


# -- unsupported operands -----------------------------------------------------------------


class DataFrame:  # looks like pandas to the dispatcher
    __module__ = "pandas.core.frame"


@pytest.mark.parametrize(
    "obj, kind",
    [
        ([1, 2, 3], "builtins.list"),
        (DataFrame(), "pandas.core.frame.DataFrame"),
        (3.0, "builtins.float"),
        (np.float64(1.0), "numpy.float64"),
    ],
)
def test_unsupported_operands(obj, kind):
    with pytest.raises(TypeError) as info:
        wrap_operand(obj, "operand_b")
    message = str(info.value)
    assert "operand_b" in message and kind in message
    assert "numpy.ndarray" in message and "cupy.ndarray" in message and "torch.Tensor" in message


def test_to_device_without_device_package(monkeypatch):
    from nvmath._internal import streams

    monkeypatch.setattr(streams, "device_package", lambda package: None)
    with pytest.raises(RuntimeError, match=r"pip install nvmath-fusion\[cupy\]"):
        wrap_operand(np.zeros(3), "a").to_device(0)
