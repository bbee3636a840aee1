"""nvmath-python's nvmath.fft names as its users write them (CPU execution): the direction
keyword of the function forms, FFT.release_operand and reset_operand_unchecked,
UnsupportedLayoutError, and the top-level memory names."""

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT, FFTDirection
from tests.fft.cases import assert_close, random, reference


@pytest.mark.parametrize("direction", ["inverse", FFTDirection.INVERSE, 1])
def test_fft_takes_a_direction(direction):
    x = random((6, 16), "complex64")
    y = nvmath.fft.fft(x, axes=[-1], direction=direction)
    assert_close(y, reference(x, [1], "C2C", "inverse"), "complex64")


@pytest.mark.parametrize("direction", ["forward", FFTDirection.FORWARD, -1])
def test_ifft_takes_a_direction(direction):
    x = random((5, 8), "complex128")
    y = nvmath.fft.ifft(x, axes=[0], direction=direction)
    assert_close(y, reference(x, [0], "C2C"), "complex128")


def test_the_default_directions_are_unchanged():
    x = random((4, 32), "complex64")
    assert_close(nvmath.fft.fft(x), reference(x, [0, 1], "C2C"), "complex64")
    assert_close(nvmath.fft.ifft(x), reference(x, [0, 1], "C2C", "inverse"), "complex64")


def test_a_bad_direction_is_refused_naming_it():
    x = random((8,), "complex64")
    with pytest.raises(ValueError, match="direction"):
        nvmath.fft.fft(x, direction="sideways")
    with pytest.raises(ValueError, match="expects a complex operand"):  # as nvmath-python: use rfft
        nvmath.fft.fft(random((8,), "float32"), direction="inverse")


def test_release_operand_then_reset():
    x = random((4, 64), "complex64")
    with FFT(x, axes=[-1]) as f:
        f.plan()
        first = f.execute()
        f.release_operand()
        with pytest.raises(RuntimeError):
            f.execute()
        x2 = random((4, 64), "complex64")
        f.reset_operand_unchecked(x2)
        second = f.execute(direction=FFTDirection.FORWARD)
    assert_close(first, reference(x, [1], "C2C"), "complex64")
    assert_close(second, reference(x2, [1], "C2C"), "complex64")


def test_reset_operand_unchecked_still_refuses_a_mismatch():
    # A mismatched operand would be read out of bounds: the check is cheap and stays.
    with FFT(random((4, 64), "complex64"), axes=[-1]) as f:
        f.plan()
        with pytest.raises(ValueError):
            f.reset_operand_unchecked(random((4, 32), "complex64"))
        assert f.execute().shape == (4, 64)


def test_unsupported_layout_error_carries_the_permutation():
    err = nvmath.fft.UnsupportedLayoutError("axes are not contiguous", (1, 0, 2), (1,))
    assert isinstance(err, Exception) and str(err) == "axes are not contiguous"
    assert (err.message, err.permutation, err.axes) == ("axes are not contiguous", (1, 0, 2), (1,))
    # nvmath copies such layouts instead of raising: a transform over a non-contiguous middle
    # axis gives NumPy's result.
    x = np.ascontiguousarray(random((3, 5, 4), "complex64").transpose(1, 0, 2))[:, ::2, :]
    assert_close(nvmath.fft.fft(x, axes=[0, 2]), reference(x, [0, 2], "C2C"), "complex64")


def test_top_level_memory_names():
    from nvmath.memory import BaseCUDAMemoryManager, MemoryPointer

    assert nvmath.BaseCUDAMemoryManager is BaseCUDAMemoryManager
    assert nvmath.MemoryPointer is MemoryPointer
    assert {"BaseCUDAMemoryManager", "MemoryPointer"} <= set(nvmath.__all__) & set(dir(nvmath))


def test_compile_helpers_take_nvmath_pythons_keywords():
    def scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value * 2

    art = nvmath.fft.compile_epilog(
        function=scale,
        element_dtype="complex64",
        user_info_dtype="float32",
        name="my_store",
        representation="ltoir",
        compute_capability="90",
    )
    assert isinstance(art, bytes) and art.symbol == "my_store" and len(art) > 0
    with pytest.raises(ValueError, match=r"representation='ptx' is not supported; accepted: 'ltoir'"):
        nvmath.fft.compile_epilog(scale, "complex64", "float32", representation="ptx", compute_capability="90")
    with pytest.raises(ValueError, match="both name the exported symbol"):
        nvmath.fft.compile_epilog(scale, "complex64", "float32", name="a", symbol="b", compute_capability="90")
