"""nvmath-python's nvmath.fft surface, second part (no GPU needed): plan keys of the peer's form
(rearranged batch axes share one), estimate_workspace_size, every FFTOptions field, half
precision's rules, fft/ifft on real operands, DeviceCallable addresses, nvmath._utils."""

import ctypes
import dataclasses
import subprocess
import sys
import warnings

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT, DeviceCallable, ExecutionCPU, ExecutionCUDA, FFTOptions
from tests.fft.cases import assert_close, random, reference

PEER_FFT_NAMES = {
    "FFT",
    "fft",
    "ifft",
    "rfft",
    "irfft",
    "UnsupportedLayoutError",
    "estimate_workspace_size",
    "FFTDirection",
    "FFTOptions",
    "DeviceCallable",
    "ExecutionCUDA",
    "ExecutionCPU",
    "compile_prolog",
    "compile_epilog",
}


def test_every_peer_name_is_exported():
    assert PEER_FFT_NAMES <= set(nvmath.fft.__all__)
    assert all(hasattr(nvmath.fft, name) for name in PEER_FFT_NAMES)


# -- options -------------------------------------------------------------------------------------


def test_fft_options_fields_and_defaults_are_the_peers():
    fields = [(f.name, f.default) for f in dataclasses.fields(FFTOptions)]
    assert fields == [
        ("fft_type", None),
        ("inplace", False),
        ("last_axis_parity", "even"),
        ("result_layout", "optimized"),
        ("device_id", None),
        ("logger", None),
        ("blocking", "auto"),
        ("allocator", None),
        ("fused_kernel", "auto"),  # this project's addition, after the peer's fields
    ]
    assert ExecutionCUDA().device_id is None and ExecutionCPU().num_threads is None
    assert ExecutionCPU(num_threads=3).num_threads == 3
    with pytest.raises(ValueError, match="num_threads"):
        ExecutionCPU(num_threads=0)


def test_options_device_id_is_deprecated_and_folded_into_the_execution():
    x = random((4, 8), "complex64")
    with pytest.warns(DeprecationWarning, match="device_id"):
        options = FFTOptions(device_id=2)
    assert nvmath.fft.FFT.create_key(x, options=options, execution="cuda")[2] == ("cuda", 2)
    with pytest.raises(ValueError, match="contradicts execution.device_id"):
        FFT.create_key(x, options=options, execution=ExecutionCUDA(device_id=1))
    with pytest.raises(ValueError, match="execution is on the CPU"):
        FFT(x, options=options)  # a host operand runs on the CPU by default
    with pytest.raises(ValueError, match="device_id"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            FFTOptions(device_id=-1)


def test_one_shot_functions_do_not_warn_twice():
    x = random((8,), "complex64")
    with pytest.warns(DeprecationWarning) as seen:
        options = FFTOptions(device_id=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(ValueError, match="execution is on the CPU"):
            nvmath.fft.ifft(x, options=options)
    assert len(seen) == 1


# -- fft / ifft take complex operands only (as nvmath-python) --------------------------------------


@pytest.mark.parametrize("function", [nvmath.fft.fft, nvmath.fft.ifft])
def test_fft_and_ifft_refuse_real_operands(function):
    with pytest.raises(ValueError, match=r"expects a complex operand.*found float64.*rfft"):
        function(random((4, 8), "float64"))


def test_ifft_with_fft_type_c2r_is_an_irfft():
    x = nvmath.fft.rfft(random((3, 16), "float64"), axes=[1])
    got = nvmath.fft.ifft(x, axes=[1], options={"fft_type": "C2R"})
    assert got.dtype == np.float64
    assert_close(got, reference(x, [1], "C2R"), "float64")


# -- keys, rearranged batch axes and reset_operand -----------------------------------------------


def test_key_has_the_peers_form():
    x = random((2, 3, 64), "complex128")
    plan_args, callables, execution = FFT.create_key(x, axes=(2,))
    assert plan_args == (1, (64,), (64,), 1, 64, 5, (64,), 1, 64, 5, 6, 5)
    assert callables is None and execution == ("cpu", None)
    key = FFT.create_key(x, axes=(2,), execution=ExecutionCPU(num_threads=2))
    assert key[2] == ("cpu", 2)
    hash(key)


@pytest.mark.parametrize(
    "a_shape, b_shape, axes",
    [((2, 3, 64), (3, 2, 64), (2,)), ((6, 4, 5), (2, 12, 5), (2,)), ((32, 2, 3), (32, 3, 2), (0,))],
)
def test_rearranged_batch_axes_share_a_key_and_a_plan(a_shape, b_shape, axes):
    a, b = random(a_shape, "complex128"), random(b_shape, "complex128")
    assert FFT.create_key(a, axes=axes) == FFT.create_key(b, axes=axes)
    with FFT(a, axes=axes) as f:
        f.plan()
        got_a = f.execute()
        f.reset_operand(b)
        assert f.get_key() == FFT.create_key(b, axes=axes)
        assert f.get_input_layout()[0] == b_shape
        got_b = f.execute()
        f.release_operand()
        f.reset_operand(a)
        again = f.execute()
    assert_close(got_a, reference(a, list(axes), "C2C"), "complex128")
    assert got_b.shape == b_shape
    assert_close(got_b, reference(b, list(axes), "C2C"), "complex128")
    assert_close(again, reference(a, list(axes), "C2C"), "complex128")


def test_rearranged_batch_axes_r2c():
    a, b = random((2, 3, 32), "float32"), random((3, 2, 32), "float32")
    with FFT(a, axes=[2]) as f:
        f.plan()
        f.reset_operand(b)
        got = f.execute()
    assert got.shape == (3, 2, 17)
    assert_close(got, reference(b, [2], "R2C"), "float32")


def test_reset_to_an_operand_needing_another_plan_is_refused_and_the_fft_keeps_working():
    a = random((2, 3, 64), "complex64")
    with FFT(a, axes=[2]) as f:
        f.plan()
        for other in (random((3, 3, 64), "complex64"), random((2, 3, 32), "complex64")):
            assert FFT.create_key(other, axes=[2]) != f.get_key()
            with pytest.raises(ValueError, match="new operand's shape"):
                f.reset_operand(other)
        assert_close(f.execute(), reference(a, [2], "C2C"), "complex64")


def test_callables_are_part_of_the_key():
    x = random((4, 8), "complex64")

    def scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value * 2

    plain = FFT.create_key(x, axes=[1])
    with_epilog = FFT.create_key(x, axes=[1], epilog=scale)
    assert plain[0] == with_epilog[0] and plain[1] is None and with_epilog[1][0] is None
    assert with_epilog[1][1] is not None


# -- estimate_workspace_size ------------------------------------------------------------------------


def test_estimate_workspace_size_is_zero_on_the_cpu():
    assert nvmath.fft.estimate_workspace_size(FFT.create_key(random((4, 1009), "complex64"))) == 0


@pytest.mark.parametrize(
    "key, technique, message",
    [
        ("not a key", "default", "key="),
        ((1, 2, 3), "default", "12 plan arguments"),
        (((0,) * 12, None, ("gpu",)), "default", "execution space"),
        (((0,) * 12, None, ("cpu", None)), "best", "technique='best'"),
    ],
)
def test_estimate_workspace_size_refuses_what_is_not_a_key(key, technique, message):
    with pytest.raises(ValueError, match=message):
        nvmath.fft.estimate_workspace_size(key, technique=technique)


def test_estimate_workspace_size_needs_a_handle_for_refined():
    key = FFT.create_key(random((4, 64), "complex64"), execution="cuda")
    with pytest.raises(ValueError, match="handle"):
        nvmath.fft.estimate_workspace_size(key, technique="refined")


# -- half precision ------------------------------------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


def _chalf(torch, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "ComplexHalf support is experimental"
        return torch.from_numpy(random(shape, "complex64")).to(torch.complex32)


def test_half_precision_is_refused_on_the_cpu():
    torch = _torch()
    with pytest.raises(ValueError, match=r"execution='cpu' does not take a complex32 operand"):
        nvmath.fft.fft(_chalf(torch, (4, 16)))
    with pytest.raises(ValueError, match=r"execution='cpu' does not take a float16 operand"):
        nvmath.fft.rfft(random((4, 16), "float16"))
    # nvmath-python raises a TypeError here (NumPy cannot hold the complex32 result): so does this.
    with pytest.raises(TypeError, match=r"execution='cpu' does not take a float16 operand"):
        nvmath.fft.rfft(random((4, 16), "float16"), execution="cpu")


def test_numpy_cannot_hold_a_complex32_result():
    with pytest.raises(TypeError, match="complex32 result"):
        FFT.create_key(random((4, 16), "float16"), execution="cuda")


@pytest.mark.parametrize(
    "shape, axes, fft_type", [((4, 48), [1], "C2C"), ((6, 8), [0, 1], "C2C"), ((4, 24), [1], "R2C")]
)
def test_half_precision_needs_power_of_two_lengths(shape, axes, fft_type):
    torch = _torch()
    x = _chalf(torch, shape) if fft_type == "C2C" else torch.from_numpy(random(shape, "float16"))
    with pytest.raises(ValueError, match="power-of-two lengths"):
        FFT(x, axes=axes, execution="cuda")


def test_half_precision_keys():
    torch = _torch()
    key = FFT.create_key(_chalf(torch, (4, 16)), axes=[1], execution="cuda")
    assert key[0] == (1, (16,), (16,), 1, 16, 6, (16,), 1, 16, 6, 4, 6)
    real = torch.from_numpy(random((4, 32), "float16"))
    args = FFT.create_key(real, axes=[1], execution="cuda")[0]
    assert (args[5], args[9], args[11]) == (2, 6, 6)  # input, output and execution types
    with pytest.raises(ValueError, match="half precision"):
        nvmath.fft.estimate_workspace_size(key)


def test_half_precision_real_side_has_unit_stride():
    # cuFFT takes no stride on the real side of half-precision R2C/C2R: such layouts are copied.
    torch = _torch()
    strided = torch.from_numpy(random((8, 64), "float16"))[:, ::2]
    assert FFT.create_key(strided, axes=[1], execution="cuda")[0][3] == 1
    spectrum = _chalf(torch, (17, 8)).T  # the halved axis is not the innermost in memory
    key = FFT.create_key(spectrum, axes=[1], execution="cuda", options={"fft_type": "C2R", "result_layout": "natural"})
    assert key[0][7] == 1


def test_one_element_half_c2c_has_unit_strides():
    torch = _torch()
    x = _chalf(torch, (1, 6))
    args = FFT.create_key(x, axes=[0], execution="cuda")[0]
    assert (args[3], args[7]) == (1, 1)  # istride, ostride (the stride of a length-1 axis addresses nothing)


# -- DeviceCallable with an address --------------------------------------------------------------


def test_device_callable_takes_an_address_with_a_size():
    code = b"\x01\x02\x03LTO-IR bytes"
    buffer = ctypes.create_string_buffer(code, len(code))
    cb = DeviceCallable(ltoir=ctypes.addressof(buffer), size=len(code), symbol="f")
    assert cb.code() == code
    with pytest.raises(ValueError, match="size="):
        DeviceCallable(ltoir=ctypes.addressof(buffer))
    with pytest.raises(ValueError, match="GPU code"):
        nvmath.fft.fft(random((4,), "complex64"), epilog=cb)  # LTO-IR has no CPU meaning


# -- nvmath._utils ---------------------------------------------------------------------------------


def test_utils_import_is_light():
    code = "import sys, nvmath._utils; print(sorted(m for m in sys.modules if m.split('.')[0] in ('cuda', 'numba')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_get_nvrtc_version():
    pytest.importorskip("cuda.bindings.nvrtc")
    from nvmath._utils import get_nvrtc_version

    major, minor, build = get_nvrtc_version()
    assert major >= 12 and 0 <= minor < 100 and build > 0


def test_cufft_bindings_have_the_peers_snake_case_names():
    from nvmath.bindings import cufft

    assert cufft.create is cufft.cufftCreate and cufft.destroy is cufft.cufftDestroy
    assert cufft.xt_get_size_many is cufft.cufftXtGetSizeMany and cufft.estimate_many is cufft.cufftEstimateMany
    assert {"create", "destroy", "xt_get_size_many", "estimate_many"} <= set(cufft.__all__)


def test_irfft_sets_c2r_whatever_options_say():
    # nvmath-python's irfft() sets fft_type='C2R' over what options carry (an FFTOptions made
    # for rfft, say); this one does too, without changing the caller's options object.
    rng = np.random.default_rng()
    signal = rng.standard_normal((4, 10))
    x = np.fft.rfftn(signal)
    options = nvmath.fft.FFTOptions(fft_type="R2C")
    y = nvmath.fft.irfft(x, options=options, execution="cpu")
    np.testing.assert_allclose(y / signal.size, signal, rtol=1e-10, atol=1e-12)
    assert options.fft_type == "R2C"
    with pytest.raises(ValueError, match=r"rfft\(\) computes a R2C transform; options.fft_type='C2C'"):
        nvmath.fft.rfft(signal, options={"fft_type": "C2C"}, execution="cpu")
