"""nvmath.fft on the CPU (ExecutionCPU): every FFT type, dtype, layout, and the callbacks."""

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT, FFTOptions
from tests.fft.cases import PROBLEMS, assert_close, random, reference

C2C = ["complex64", "complex128"]
REAL = ["float32", "float64"]


@pytest.mark.parametrize("dtype", C2C)
@pytest.mark.parametrize("shape, axes", PROBLEMS)
def test_c2c_forward_and_inverse(dtype, shape, axes):
    x = random(shape, dtype)
    y = nvmath.fft.fft(x, axes=axes)
    assert isinstance(y, np.ndarray) and y.dtype == x.dtype
    assert_close(y, reference(x, axes, "C2C"), dtype)
    z = nvmath.fft.ifft(x, axes=axes)
    assert_close(z, reference(x, axes, "C2C", "inverse"), dtype)


@pytest.mark.parametrize("dtype", REAL)
@pytest.mark.parametrize("shape, axes", PROBLEMS)
def test_r2c_and_c2r(dtype, shape, axes):
    x = random(shape, dtype)
    y = nvmath.fft.rfft(x, axes=axes)
    assert y.dtype == np.result_type(dtype, np.complex64)
    assert_close(y, reference(x, axes, "R2C"), dtype)
    for parity in ("even", "odd"):
        back = nvmath.fft.irfft(y, axes=axes, options={"last_axis_parity": parity})
        assert back.dtype == x.dtype
        assert_close(back, reference(y, axes, "C2R", last_axis_parity=parity), dtype)
    # The round trip restores x times the number of points (unnormalized transforms).
    if x.shape[axes[-1]] % 2 == 0:
        n = np.prod([x.shape[a] for a in axes])
        assert_close(nvmath.fft.irfft(y, axes=axes) / n, x.astype(np.float64), dtype)


def test_default_axes_are_the_last_three():
    x = random((2, 3, 4, 5), "complex128")
    assert_close(nvmath.fft.fft(x), reference(x, (1, 2, 3), "C2C"), "complex128")


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[:, ::2],  # strided
        lambda a: a.transpose(1, 0, 2),  # permuted
        lambda a: a[::-1],  # negative stride: copied once
        lambda a: np.asfortranarray(a),
    ],
)
def test_strided_inputs(make):
    base = random((6, 10, 12), "complex64")
    x = make(base)
    for axes in [(2,), (0, 1), (1, 2)]:
        assert_close(nvmath.fft.fft(x, axes=axes), reference(x, axes, "C2C"), "complex64")


def test_inplace_c2c_overwrites_the_operand():
    x = random((4, 16), "complex128")
    want = reference(x, (1,), "C2C")
    out = nvmath.fft.fft(x, axes=[1], options={"inplace": True})
    assert out is x
    assert_close(x, want, "complex128")


def test_stateful_execute_reset_and_directions():
    x = random((8, 32), "complex64")
    with FFT(x, axes=[1]) as f:
        f.plan()
        assert_close(f.execute(), reference(x, (1,), "C2C"), "complex64")
        assert_close(f.execute(direction="inverse"), reference(x, (1,), "C2C", "inverse"), "complex64")
        x2 = random((8, 32), "complex64")
        f.reset_operand(x2)
        assert_close(f.execute(), reference(x2, (1,), "C2C"), "complex64")


def test_torch_cpu_tensors_come_back_as_torch():
    torch = pytest.importorskip("torch")
    x = random((4, 10), "complex64")
    t = torch.from_numpy(x)
    y = nvmath.fft.fft(t, axes=[1])
    assert isinstance(y, torch.Tensor) and y.device.type == "cpu" and y.dtype == torch.complex64
    assert_close(y.numpy(), reference(x, (1,), "C2C"), "complex64")
    r = torch.from_numpy(random((3, 8), "float64"))
    assert_close(nvmath.fft.rfft(r).numpy(), reference(r.numpy(), (0, 1), "R2C"), "float64")


def test_result_layout_natural_keeps_the_operand_axis_order():
    x = np.asfortranarray(random((8, 6, 4), "complex64"))
    with FFT(x, axes=[0], options=FFTOptions(result_layout="natural")) as f:
        shape, strides = f.get_output_layout()
        assert strides == (1, 8, 48)
        f.plan()
        y = f.execute()
        assert y.strides == tuple(s * 8 for s in strides)
        assert_close(y, reference(x, (0,), "C2C"), "complex64")


# -- callbacks ----------------------------------------------------------------------------------


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 16]


def window(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 16]


@pytest.mark.parametrize("dtype", C2C + REAL)
def test_prolog_and_epilog_all_element_types(dtype):
    rng = np.random.default_rng()
    x = random((5, 16), dtype, rng)
    real = np.dtype(dtype).kind == "f"
    w = rng.standard_normal(16).astype(dtype if real else np.dtype(dtype).type(0).real.dtype)
    fn = nvmath.fft.rfft if real else nvmath.fft.fft
    y = fn(x, axes=[1], prolog=dict(function=window, data=w))
    fft_type = "R2C" if real else "C2C"
    assert_close(y, reference(x * w, (1,), fft_type), dtype)
    # An epilog of the output type: complex for both.
    out_dtype = np.result_type(dtype, np.complex64)
    g = rng.standard_normal(16).astype(np.dtype(out_dtype).type(0).real.dtype)
    z = nvmath.fft.fft(random((5, 16), out_dtype, rng), axes=[1])  # any complex data
    with FFT(z, axes=[1]) as f:
        f.plan(epilog={"function": scale_by_column, "data": g})
        assert f.get_output_layout() == ((5, 16), (16, 1))  # so offset % 16 is the column
        got = f.execute()
    want = reference(z, (1,), "C2C") * g[None, :]
    assert_close(got, want, out_dtype)


def test_c2r_epilog_on_real_output():
    def clip(data_out, offset, value, user_info, unused):
        data_out[offset] = min(value, user_info[0])

    y = random((4, 9), "complex128")
    limit = np.array([3.0])
    got = nvmath.fft.irfft(y, axes=[1], epilog=dict(function=clip, data=limit))
    assert_close(got, np.minimum(reference(y, (1,), "C2R"), 3.0), "float64")


def test_struct_user_info():
    params = np.zeros(1, np.dtype([("gain", np.float32), ("bias", np.float32)], align=True))
    params["gain"], params["bias"] = 2.5, -1.0

    def affine(data_out, offset, value, user_info, unused):
        p = user_info[0]
        data_out[offset] = value * p.gain + p.bias

    x = random((3, 12), "complex64")
    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=affine, data=params))
    assert_close(got, reference(x, (1,), "C2C") * 2.5 - 1.0, "complex64")


def test_offsets_follow_the_reported_layouts():
    # A prolog that records the offsets it is called with sees every offset of the input layout.
    x = random((6, 10), "complex64")[:, ::2]  # strided: offsets are not 0..n-1

    def mark(data_in, offset, user_info, unused):
        user_info[offset] = 1.0
        return data_in[offset]

    with FFT(x, axes=[1]) as f:
        shape, strides = f.get_input_layout()
        seen = np.zeros(1 + sum((n - 1) * s for n, s in zip(shape, strides)), np.float32)
        f.plan(prolog=dict(function=mark, data=seen))
        got = f.execute()
    expected = {sum(i * s for i, s in zip(idx, strides)) for idx in np.ndindex(*shape)}
    assert set(np.flatnonzero(seen)) == expected
    assert_close(got, reference(x, (1,), "C2C"), "complex64")


def test_plain_function_as_epilog_uses_element_type_user_info():
    x = random((2, 8), "complex128")

    def double(data_out, offset, value, user_info, unused):
        data_out[offset] = value * 2

    assert_close(nvmath.fft.fft(x, axes=[1], epilog=double), reference(x, (1,), "C2C") * 2, "complex128")


def _offsets(shape, strides):
    """Each element's offset in a layout, as an array of ``shape``."""
    return sum(
        np.arange(n).reshape([-1 if a == i else 1 for a in range(len(shape))]) * s
        for i, (n, s) in enumerate(zip(shape, strides))
    )


def by_offset_in(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 7]


def by_offset_out(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 5]


@pytest.mark.parametrize(
    "shape, axes, fft_type, threads",
    [
        ((4096, 64), (1,), "C2C", 4),  # strided input, in chunks on several threads
        ((4, 6, 10), (0, 2), "C2C", 3),  # the batch axis in the middle
        ((8, 16), (0, 1), "C2C", 2),  # no batch axis
        ((37, 33), (1,), "R2C", 4),
        ((37, 17), (1,), "C2R", 4),
        ((5, 40, 3), (1,), "C2C", 1),  # one thread
    ],
)
def test_offset_dependent_callbacks_across_layouts_and_threads(shape, axes, fft_type, threads):
    rng = np.random.default_rng()
    dtype = "float64" if fft_type == "R2C" else "complex128"
    x = random(shape, dtype, rng)
    if shape == (4096, 64):
        x = random((4096, 128), dtype, rng)[:, ::2]  # strided input
    w, g = rng.standard_normal(7), rng.standard_normal(5)
    options = {"fft_type": fft_type}
    with FFT(x, axes=axes, options=options, execution=nvmath.fft.ExecutionCPU(num_threads=threads)) as f:
        in_shape, in_strides = f.get_input_layout()
        out_shape, out_strides = f.get_output_layout()
        f.plan(prolog=dict(function=by_offset_in, data=w), epilog=dict(function=by_offset_out, data=g))
        got = f.execute()
    loaded = x * w[_offsets(in_shape, in_strides) % 7]
    want = reference(loaded, axes, fft_type)
    want = want * g[_offsets(out_shape, out_strides) % 5]
    assert_close(got, want, dtype if fft_type != "C2R" else "float64")
