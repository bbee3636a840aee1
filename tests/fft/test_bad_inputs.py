"""nvmath.fft refuses bad input with a clear error, and runs the odd layouts it used to fail on.

Axes are ints or NumPy integers only (floats, bools, strings, sets... are refused with a
TypeError naming ``axes``, the value and what is accepted); empty, repeated or out-of-range axes
are ValueErrors. Layouts with axes of length 1 (whose strides NumPy sets freely) and empty
batches run and match NumPy.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nvmath
from nvmath.fft import FFT
from tests.fft.cases import assert_close, random, reference


def strided(shape, strides, dtype, rng=None):
    """A view of fresh random data with the given shape and element strides (any signs)."""
    itemsize = np.dtype(dtype).itemsize
    low = sum(min(0, (n - 1) * s) for n, s in zip(shape, strides))
    high = sum(max(0, (n - 1) * s) for n, s in zip(shape, strides))
    base = random((high - low + 1,), dtype, rng)
    return np.lib.stride_tricks.as_strided(
        base[-low:], shape=shape, strides=[s * itemsize for s in strides], writeable=False
    )


# -- axes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "axes, shown",
    [
        ([0.7], "axis 0.7 (of type float)"),  # used to transform axis 0
        ([1.0], "axis 1.0 (of type float)"),
        ("10", "axes='10' (of type str)"),  # used to transform axes 1 and 0
        (b"\x00", "of type bytes"),
        ([True], "axis True (of type bool)"),
        ([np.True_], "(of type bool"),
        ([None], "axis None (of type NoneType)"),
        ([[0]], "axis [0] (of type list)"),
        ({0, 1}, "(of type set)"),
        ({0: 1}, "(of type dict)"),
        (1, "axes=1 (of type int)"),
        (np.array([[0, 1]]), "not one-dimensional"),
        (np.array(1), "not one-dimensional"),
        ([np.float64(1)], "(of type float64)"),
    ],
)
def test_axes_of_the_wrong_type_are_refused(axes, shown):
    x = random((3, 4, 5), "complex64")
    with pytest.raises(TypeError) as info:
        nvmath.fft.fft(x, axes=axes)
    message = str(info.value)
    assert "axes=" in message and shown in message
    assert "accepted: a sequence" in message and "distinct ints in [-3, 2]" in message


@pytest.mark.parametrize(
    "axes, shown",
    [
        ([], "is empty"),
        ((), "is empty"),
        ([0, 0], "repeats an axis"),
        ([1, -2], "repeats an axis"),  # the same axis, spelled twice
        ([3], "axis 3 is out of range for an operand of 3 dimensions (accepted: -3 to 2)"),
        ([-4], "axis -4 is out of range"),
        ([np.int64(7)], "axis 7 is out of range"),
    ],
)
def test_axes_of_the_wrong_value_are_refused(axes, shown):
    x = random((3, 4, 5), "complex64")
    with pytest.raises(ValueError) as info:
        nvmath.fft.fft(x, axes=axes)
    assert "axes=" in str(info.value) and shown in str(info.value)


def test_more_than_three_axes_names_the_limit_and_what_is_accepted():
    with pytest.raises(ValueError, match=r"axes=\[0, 1, 2, 3\] has 4 axes.*at most 3.*accepted: a sequence"):
        nvmath.fft.fft(random((2, 2, 2, 2), "complex64"), axes=[0, 1, 2, 3])


@pytest.mark.parametrize(
    "axes",
    [[np.int64(1)], (np.int32(-1), np.uint8(0)), np.array([2, 0]), range(1, 3), [np.intp(0), 2]],
)
def test_numpy_integers_ranges_and_arrays_are_axes(axes):
    x = random((3, 4, 5), "complex128")
    plain = [int(a) % 3 for a in axes]
    assert_close(nvmath.fft.fft(x, axes=axes), reference(x, plain, "C2C"), "complex128")
    with FFT(x, axes=axes) as f:
        assert f._spec.axes == tuple(plain) and all(type(a) is int for a in f._spec.axes)


_JUNK = st.one_of(
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=2),
    st.none(),
    st.just(np.True_),
    st.lists(st.integers(-4, 4), max_size=2),
)
_AXIS = st.one_of(st.integers(-5, 5), st.integers(-5, 5).map(np.int64), st.integers(0, 5).map(np.uint16), _JUNK)


@settings(max_examples=100, deadline=None)
@given(st.lists(_AXIS, max_size=4))
def test_any_axes_work_as_their_ints_or_are_refused_clearly(axes):
    """Whatever the items, the call transforms exactly the axes their ints name (as NumPy), or
    raises TypeError (not an int) / ValueError (empty, repeated, out of range, more than 3)."""
    x = random((2, 3, 4), "complex128")
    ints = [a for a in axes if isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))]
    try:
        y = nvmath.fft.fft(x, axes=axes)
    except (TypeError, ValueError) as e:
        message = str(e)
        assert message.startswith(f"axes={axes!r}") and "accepted" in message, message
        if len(ints) == len(axes):  # all ints: only a bad value may be refused
            assert isinstance(e, ValueError)
            normal = [int(a) % 3 for a in ints if -3 <= a < 3]
            assert not ints or len(normal) < len(ints) or len(set(normal)) < len(normal) or len(ints) > 3
        else:
            assert isinstance(e, TypeError)
        return
    assert len(ints) == len(axes) and 1 <= len(axes) <= 3
    assert_close(y, reference(x, [int(a) % 3 for a in axes], "C2C"), "complex128")


# -- layouts with axes of length 1 ------------------------------------------------------------


def test_issue_irfft_of_a_copied_operand_with_a_length_1_axis():
    """Used to raise "TypeError: cannot unpack non-iterable NoneType object"."""
    base = random((5, 3, 3, 2), "complex64")
    x = base[:, :, ::-1, :1]
    y = nvmath.fft.irfft(x, axes=[3, 0, 2])
    assert y.shape == (5, 3, 4, 1) and y.dtype == np.float32
    # numpy.fft.irfftn is normalized by the product of the lengths; nvmath is not.
    want = np.fft.irfftn(x.astype(np.complex128), axes=[3, 0, 2]) * (1 * 5 * 4)
    assert_close(y, want, "complex64")


@pytest.mark.parametrize(
    "kind, dtype, shape, strides, axes, options",
    [
        # Found by the layout fuzz: each raised TypeError (unpacking None) or AssertionError.
        ("ifft", "complex64", (5, 4, 5, 1), (80, 20, 4, 2), [3, 1, 2], {}),
        ("fft", "complex128", (1, 1, 1, 2), (8, 4, 16, 2), [1, 2], {"result_layout": "natural"}),
        ("fft", "complex64", (1, 1, 1), (2, 2, 1), [2, 1], {"result_layout": "natural"}),
        ("rfft", "float32", (3, 1, 4), (4, -12, 1), [1, 2], {}),
        ("irfft", "complex128", (4, 1, 3, 1), (3, 0, 1, 0), [0, 3, 2], {"last_axis_parity": "odd"}),
        ("fft", "complex64", (1, 6, 1), (6, 1, 6), [0, 2], {"inplace": True}),
    ],
)
def test_length_1_axes_with_any_strides(kind, dtype, shape, strides, axes, options):
    x = strided(shape, strides, dtype)
    if options.get("inplace"):
        x = x.copy()
        x = np.lib.stride_tricks.as_strided(x, strides=[s * x.itemsize for s in strides], writeable=True)
    before = x.copy()
    fft_type = {"fft": "C2C", "ifft": "C2C", "rfft": "R2C", "irfft": "C2R"}[kind]
    want = reference(before, axes, fft_type, "inverse" if kind == "ifft" else "forward",
                     options.get("last_axis_parity", "even"))  # fmt: skip
    y = getattr(nvmath.fft, kind)(x, axes=axes, options=options)
    assert_close(y, want, dtype)


@pytest.mark.parametrize("shape, axes", [((2, 0, 1), [2]), ((0, 4), [1]), ((3, 0, 4), [2, 0])])
def test_empty_batches_give_empty_results(shape, axes):
    x = np.zeros(shape, np.complex64)
    y = nvmath.fft.fft(x, axes=axes)
    assert y.shape == np.fft.fftn(x, axes=axes).shape and y.dtype == np.complex64


def test_an_empty_transformed_axis_is_refused():
    with pytest.raises(ValueError, match="axis 1 has length 0: nothing to transform"):
        nvmath.fft.fft(np.zeros((3, 0), np.complex64), axes=[1])


def test_inplace_on_a_read_only_operand_is_refused_before_anything_runs():
    x = random((4, 8), "complex64")
    x.flags.writeable = False
    with pytest.raises(ValueError, match="inplace=True needs a writeable operand"):
        nvmath.fft.fft(x, options={"inplace": True})
    broadcast = np.broadcast_to(random((1, 8), "complex64"), (1, 8))
    with pytest.raises(ValueError, match="needs a writeable operand"):
        nvmath.fft.fft(broadcast, axes=[1], options={"inplace": True})
