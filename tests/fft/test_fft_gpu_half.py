"""Half precision on the GPU (cuFFT's CUDA_C_16F / CUDA_R_16F): complex32 (``torch.chalf``) and
float16 PyTorch operands against NumPy complex128 references of the same (rounded) values, the
power-of-two rule, estimate_workspace_size, and keys shared by rearranged batch axes."""

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT
from tests.fft.cases import random, reference

pytestmark = [pytest.mark.gpu, pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")]

HALF_TOL = 1e-2  # relative L2 error (fp16/bf16, docs/ARCHITECTURE.md)


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch without CUDA")
    return torch


def assert_close_half(got, want):
    got = np.asarray(got, dtype=np.complex128 if np.iscomplexobj(want) else np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.linalg.norm(got - want) / np.linalg.norm(want)
    assert err <= HALF_TOL, f"relative L2 error {err:.3e} > {HALF_TOL}"


def _host(torch, t):
    """A torch half tensor's values as NumPy (complex64/float32: exact for half values)."""
    wide = t.to(torch.complex64) if t.dtype == torch.complex32 else t.to(torch.float32)
    return wide.cpu().numpy()


def _chalf(torch, shape, device="cuda"):
    return torch.from_numpy(random(shape, "complex64")).to(device).to(torch.complex32)


def _half(torch, shape, device="cuda"):
    return torch.from_numpy(random(shape, "float32")).to(device).to(torch.float16)


C2C_PROBLEMS = [((16, 16, 16), (0, 1)), ((8, 64), (1,)), ((4, 32, 8), (1, 2)), ((128,), (0,))]


@pytest.mark.parametrize("shape, axes", C2C_PROBLEMS)
def test_complex32_c2c(torch, shape, axes):
    x = _chalf(torch, shape)
    values = _host(torch, x)
    y = nvmath.fft.fft(x, axes=axes)
    assert isinstance(y, torch.Tensor) and y.dtype == torch.complex32 and y.is_cuda and y.shape == x.shape
    assert_close_half(_host(torch, y), reference(values, list(axes), "C2C"))
    back = nvmath.fft.ifft(x, axes=axes)
    assert_close_half(_host(torch, back), reference(values, list(axes), "C2C", "inverse"))


def test_complex32_stateful_and_inplace(torch):
    x = _chalf(torch, (8, 32))
    values = _host(torch, x)
    with FFT(x, axes=[1]) as f:
        f.plan()
        assert_close_half(_host(torch, f.execute()), reference(values, [1], "C2C"))
        assert_close_half(_host(torch, f.execute(direction="inverse")), reference(values, [1], "C2C", "inverse"))
    inplace = x.clone()
    out = nvmath.fft.fft(inplace, axes=[1], options={"inplace": True})
    assert out is inplace
    assert_close_half(_host(torch, inplace), reference(values, [1], "C2C"))


@pytest.mark.parametrize("shape, axes", [((8, 64), (1,)), ((4, 16, 32), (1, 2)), ((32, 4), (0,))])
def test_float16_r2c_and_complex32_c2r(torch, shape, axes):
    x = _half(torch, shape)
    values = _host(torch, x)
    y = nvmath.fft.rfft(x, axes=axes)
    assert y.dtype == torch.complex32 and y.is_cuda
    assert_close_half(_host(torch, y), reference(values, list(axes), "R2C"))
    spectrum = _host(torch, y)
    before = spectrum.copy()
    back = nvmath.fft.irfft(y, axes=axes)
    assert back.dtype == torch.float16 and back.shape == x.shape
    assert_close_half(_host(torch, back), reference(spectrum, list(axes), "C2R"))
    np.testing.assert_array_equal(_host(torch, y), before)  # C2R did not overwrite its operand


def test_float16_r2c_of_a_strided_operand_is_copied(torch):
    x = _half(torch, (8, 128))[:, ::2]  # stride 2 on the real side: cuFFT takes none in half precision
    y = nvmath.fft.rfft(x, axes=[1])
    assert_close_half(_host(torch, y), reference(_host(torch, x), [1], "R2C"))


def test_complex32_host_operand_runs_on_the_gpu(torch):
    x = _chalf(torch, (4, 64), device="cpu")
    y = nvmath.fft.fft(x, axes=[1], execution="cuda")
    assert y.device.type == "cpu" and y.dtype == torch.complex32
    assert_close_half(_host(torch, y), reference(_host(torch, x), [1], "C2C"))


@pytest.mark.parametrize("shape, axes", [((4, 48), [1]), ((6, 8), [0, 1]), ((3, 100), [1])])
def test_half_precision_lengths_must_be_powers_of_two(torch, shape, axes):
    with pytest.raises(ValueError, match="power-of-two lengths"):
        nvmath.fft.fft(_chalf(torch, shape), axes=axes)
    with pytest.raises(ValueError, match="power-of-two lengths"):
        nvmath.fft.rfft(_half(torch, shape), axes=axes)


def test_half_precision_refuses_callbacks(torch):
    def scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    with pytest.raises(ValueError, match="no callbacks for float16/complex32"):
        nvmath.fft.fft(_chalf(torch, (4, 16)), axes=[1], epilog=scale)


# -- estimate_workspace_size -----------------------------------------------------------------------


def test_estimate_workspace_size_is_positive_where_a_work_area_is_needed(torch):
    from nvmath.bindings import cufft

    # A large prime length: Bluestein's algorithm, with a work area (cuFFT 12 does small primes,
    # 1009 included, in kernels that need none).
    x = torch.randn(2, 1_000_003, dtype=torch.complex64, device="cuda")
    key = FFT.create_key(x, axes=[1])
    estimate = nvmath.fft.estimate_workspace_size(key)
    assert isinstance(estimate, int) and estimate > 0
    handle = cufft.create()
    try:
        refined = nvmath.fft.estimate_workspace_size(key, technique="refined", handle=handle)
    finally:
        cufft.destroy(handle)
    assert refined > 0
    with FFT(x, axes=[1]) as f:
        f.plan()
        assert f._backend.worksize > 0  # the plan of that key does need one
    half_key = FFT.create_key(_chalf(torch, (16, 1024)), axes=[1])
    with pytest.raises(ValueError, match="half precision"):
        nvmath.fft.estimate_workspace_size(half_key)
    handle = cufft.create()
    try:
        assert nvmath.fft.estimate_workspace_size(half_key, technique="refined", handle=handle) >= 0
    finally:
        cufft.destroy(handle)


# -- keys of rearranged batch axes (nvmath-python's example14) -------------------------------------


def test_rearranged_batch_axes_share_a_key_and_a_plan_on_the_gpu(torch):
    a = torch.randn(2, 3, 64, dtype=torch.complex128, device="cuda")
    b = torch.randn(3, 2, 64, dtype=torch.complex128, device="cuda")
    key = FFT.create_key(a, axes=(2,))
    assert key == FFT.create_key(b, axes=(2,)) and key[2] == ("cuda", 0)
    with FFT(a, axes=(2,)) as f:
        f.plan()
        ra = f.execute()
        f.release_operand()
        f.reset_operand(b)
        rb = f.execute()
        rb_again = f.execute(direction="forward")  # the general path too
    torch.cuda.synchronize()
    assert rb.shape == (3, 2, 64) and rb_again.shape == (3, 2, 64)
    np.testing.assert_allclose(ra.cpu().numpy(), np.fft.fft(a.cpu().numpy(), axis=2), rtol=1e-10, atol=1e-10)
    for got in (rb, rb_again):
        np.testing.assert_allclose(got.cpu().numpy(), np.fft.fft(b.cpu().numpy(), axis=2), rtol=1e-10, atol=1e-10)


def test_rearranged_batch_axes_with_a_host_operand_on_the_gpu(torch):
    a = torch.randn(2, 3, 32, dtype=torch.complex64)
    b = torch.randn(3, 2, 32, dtype=torch.complex64)
    with FFT(a, axes=[2], execution="cuda") as f:
        f.plan()
        f.execute()
        f.reset_operand(b)
        rb = f.execute()
    assert rb.device.type == "cpu" and rb.shape == (3, 2, 32)
    np.testing.assert_allclose(rb.numpy(), np.fft.fft(b.numpy(), axis=2), rtol=1e-4, atol=1e-4)
