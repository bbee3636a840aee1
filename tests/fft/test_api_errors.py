"""Options, keys, layouts and bad input of nvmath.fft: everything that needs no GPU."""

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT, DeviceCallable, FFTDirection, FFTOptions, _layout
from tests.fft.cases import random


def test_options_validation_names_field_value_and_accepted():
    with pytest.raises(ValueError, match=r"fft_type='Z2Z'.*'C2C', 'R2C', 'C2R'"):
        FFTOptions(fft_type="Z2Z")
    with pytest.raises(ValueError, match=r"last_axis_parity='neither'.*'even', 'odd'"):
        FFTOptions(last_axis_parity="neither")
    with pytest.raises(ValueError, match=r"result_layout='row'"):
        FFTOptions(result_layout="row")
    with pytest.raises(ValueError, match=r"blocking=False"):
        FFTOptions(blocking=False)
    with pytest.raises(TypeError, match="unknown"):
        nvmath.fft.fft(random((4,), "complex64"), options={"fft_kind": "C2C"})
    assert FFTOptions(fft_type="c2r").fft_type == "C2R"


def test_direction_coercion():
    assert FFTDirection.coerce("Inverse") is FFTDirection.INVERSE
    assert FFTDirection.coerce(-1) is FFTDirection.FORWARD
    with pytest.raises(ValueError, match="direction=2"):
        FFTDirection.coerce(2)


def test_device_callable_forms():
    f = lambda d, o, u, x: d[o]
    assert DeviceCallable.coerce(f, "prolog").function is f
    assert DeviceCallable.coerce({"function": f, "data": 0}, "prolog").data == 0
    assert DeviceCallable.coerce(b"\xedCN\x7f", "prolog").ltoir == b"\xedCN\x7f"
    with pytest.raises(ValueError, match="exactly one of ltoir"):
        DeviceCallable(ltoir=b"x", function=f)
    with pytest.raises(TypeError, match="unknown fields \\['fn'\\]"):
        DeviceCallable.coerce({"fn": f}, "epilog")
    with pytest.raises(TypeError, match="epilog=42"):
        DeviceCallable.coerce(42, "epilog")


@pytest.mark.parametrize(
    "axes, message",
    [
        ([3], "axis 3 is out of range.*-3 to 2"),
        ([0, 0], "repeats an axis"),
        ([], "empty"),
    ],
)
def test_bad_axes(axes, message):
    with pytest.raises(ValueError, match=message):
        FFT(random((2, 3, 4), "complex64"), axes=axes)


def test_more_than_three_axes():
    with pytest.raises(ValueError, match="at most 3"):
        FFT(random((2, 2, 2, 2), "complex64"), axes=[0, 1, 2, 3])


@pytest.mark.parametrize(
    "dtype, options, message",
    [
        ("int32", None, "dtype int32"),
        ("float32", {"fft_type": "C2C"}, "fft_type='C2C' does not accept.*complex64, complex128"),
        ("complex64", {"fft_type": "R2C"}, "R2C accepts float16, float32, float64"),
        ("float64", {"fft_type": "C2R"}, "C2R accepts complex32, complex64, complex128"),
        ("bool", None, "dtype bool"),
    ],
)
def test_wrong_dtype_for_fft_type(dtype, options, message):
    x = np.zeros((4, 4), dtype)
    with pytest.raises(TypeError, match=message):
        FFT(x, options=options)


def test_inplace_only_for_c2c():
    with pytest.raises(ValueError, match="inplace=True is supported for C2C"):
        FFT(random((4, 8), "float32"), options={"inplace": True})


def test_execute_before_plan_and_use_after_free():
    f = FFT(random((4, 8), "complex64"))
    with pytest.raises(RuntimeError, match="before plan"):
        f.execute()
    f.plan()
    f.free()
    from nvmath.fft.fft import InvalidFFTState  # nvmath-python's type, not exported (as there)

    for call in (f.execute, f.plan, lambda: f.reset_operand(random((4, 8), "complex64"))):
        with pytest.raises(InvalidFFTState, match="freed"):
            call()
    assert issubclass(InvalidFFTState, RuntimeError)
    f.free()  # freeing twice is harmless


@pytest.mark.parametrize(
    "new, attr",
    [
        (lambda: random((4, 9), "complex64"), "shape"),
        (lambda: random((4, 8), "complex128"), "dtype"),
        (lambda: random((8, 4), "complex64").T, "strides"),
    ],
)
def test_reset_operand_mismatch_keeps_the_object_usable(new, attr):
    x = random((4, 8), "complex64")
    with FFT(x, axes=[1]) as f:
        f.plan()
        with pytest.raises(ValueError, match=f"new operand's {attr}"):
            f.reset_operand(new())
        assert np.allclose(f.execute(), np.fft.fft(x, axis=1), atol=1e-4)


def test_reset_operand_package_mismatch():
    torch = pytest.importorskip("torch")
    x = random((4, 8), "complex64")
    with FFT(x) as f:
        with pytest.raises(ValueError, match="package"):
            f.reset_operand(torch.from_numpy(x.copy()))


def test_direction_not_possible_for_real_transforms():
    with FFT(random((4, 8), "float32")) as f:
        with pytest.raises(ValueError, match="not possible for an R2C"):
            f.plan(direction="inverse")


def test_lto_ir_on_the_cpu_says_to_pass_the_function():
    x = random((4, 8), "complex64")
    with pytest.raises(ValueError, match="GPU code.*pass the Python function"):
        nvmath.fft.fft(x, epilog=DeviceCallable(ltoir=b"\xedCN\x7f...", symbol="cb"))


def test_device_operand_with_cpu_execution_is_an_error():
    cp = pytest.importorskip("cupy")
    from tests.conftest import HAS_GPU

    if not HAS_GPU:
        pytest.skip("needs a GPU array")
    with pytest.raises(ValueError, match="execution='cpu' cannot take a cupy operand"):
        FFT(cp.zeros((4, 4), cp.complex64), execution="cpu")


def test_keys():
    x = random((4, 8), "complex64")
    k1 = FFT.create_key(x, axes=[1])
    assert k1 == FFT.create_key(random((4, 8), "complex64"), axes=[-1])
    assert k1 != FFT.create_key(x, axes=[0])
    assert k1 != FFT.create_key(x[:, ::2].copy(), axes=[1])
    # Keys hold the plan's arguments: result layouts that differ give different keys.
    assert FFT.create_key(x, axes=[0]) != FFT.create_key(x, axes=[0], options={"result_layout": "natural"})

    def cb(d, o, v, u, x_):
        d[o] = v

    assert k1 != FFT.create_key(x, axes=[1], epilog=cb)
    with FFT(x, axes=[1]) as f:
        assert f.get_key() == k1 and hash(f.get_key(epilog=cb)) == hash(FFT.create_key(x, axes=[1], epilog=cb))
    # On the GPU, a host operand goes to GPU 0 unless a device is named (as in nvmath-python),
    # whichever device is current: the key says so.
    assert FFT.create_key(x, axes=[1], execution="cuda")[-1] == ("cuda", 0)
    assert FFT.create_key(x, axes=[1], execution={"name": "cuda", "device_id": 1})[-1] == ("cuda", 1)
    with pytest.warns(DeprecationWarning, match="FFTOptions.device_id"):
        assert FFT.create_key(x, axes=[1], options={"device_id": 2}, execution="cuda")[-1] == ("cuda", 2)


def test_layout_embedding():
    assert _layout.embed((4, 8, 16), (128, 16, 1), (1, 2), "C2C")[1:] == (4, _layout.Embedding((8, 16), 1, 128))
    # Transform the outer axis of a C-ordered array: batch is innermost (dist 1).
    order, batch, emb = _layout.embed((4, 8, 16), (128, 16, 1), (0,), "C2C")
    assert (order, batch, emb) == ((0,), 128, _layout.Embedding((4,), 128, 1))
    # Batch axes that do not chain cannot be one batch dimension.
    assert _layout.embed((4, 8, 16), (256, 16, 1), (1,), "C2C") is None
    # The halved axis of an R2C must be innermost.
    assert _layout.embed((4, 8, 16), (128, 16, 1), (2, 1), "R2C") is None
    assert _layout.transform_shapes((4, 9), (0, 1), "C2R", "odd") == ((4, 17), (4, 17))
    assert _layout.transform_shapes((4, 9), (0, 1), "R2C") == ((4, 9), (4, 5))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"fft_type": 3}, r"fft_type=3 is not supported; accepted: 'C2C', 'R2C', 'C2R', None"),
        ({"inplace": 1}, r"inplace=1 is not supported; accepted: True, False"),
        ({"inplace": "yes"}, r"inplace='yes' is not supported; accepted: True, False"),
        ({"last_axis_parity": ["odd"]}, r"last_axis_parity=\['odd'\] is not supported; accepted: 'even', 'odd'"),
        ({"result_layout": None}, r"result_layout=None is not supported; accepted: 'natural', 'optimized'"),
        ({"blocking": np.array([1, 2])}, r"blocking=array\(\[1, 2\]\) is not supported; accepted: True, 'auto'"),
        ({"logger": "nvmath"}, r"logger='nvmath' is not supported; accepted: a logging.Logger"),
        ({"allocator": object()}, r"allocator=<object.*> is not supported; accepted: an nvmath.memory"),
    ],
)
def test_every_option_is_checked_with_one_message(options, message):
    with pytest.raises(ValueError, match=message):
        FFTOptions(**options)
    with pytest.raises(ValueError, match=message):
        nvmath.fft.fft(random((4,), "complex64"), options=options)


def test_option_values_that_are_accepted():
    import logging

    assert FFTOptions(inplace=np.True_).inplace is True
    assert FFTOptions(fft_type="r2c").fft_type == "R2C"
    adapter = logging.LoggerAdapter(logging.getLogger("x"), {})
    assert FFTOptions(logger=adapter).logger is adapter


@pytest.mark.parametrize(
    "name, dtype, kinds, match",
    [
        ("fft", "float32", (ValueError, TypeError), r"fft\(\) expects a complex operand .*found float32"),
        ("ifft", "float64", (ValueError, TypeError), r"ifft\(\) expects a complex operand .*found float64"),
        ("irfft", "float32", (ValueError, TypeError), r"irfft\(\) expects a complex operand .*use rfft\(\) first"),
        ("rfft", "complex64", (RuntimeError, TypeError), r"rfft\(\) expects a real operand .*use fft\(\)"),
    ],
)
def test_operands_of_the_wrong_kind_raise_what_nvmath_python_raises(name, dtype, kinds, match):
    # nvmath-python raises ValueError for a real operand of fft/ifft/irfft and RuntimeError for a
    # complex one of rfft; the errors here are those and TypeError too.
    x = np.ones((4, 8), dtype)
    for kind in kinds:
        with pytest.raises(kind, match=match):
            getattr(nvmath.fft, name)(x, execution="cpu")


def test_an_operand_dtype_an_fft_does_not_take_is_a_type_and_a_value_error():
    for kind in (TypeError, ValueError):
        with pytest.raises(kind, match="operand has dtype int32; an FFT accepts"):
            FFT(np.ones(8, np.int32), execution="cpu")
        with pytest.raises(kind, match="which fft_type='C2R' does not accept"):
            FFT(np.ones(8, np.float32), options={"fft_type": "C2R"}, execution="cpu")
