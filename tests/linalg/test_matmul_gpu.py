"""nvmath.linalg.advanced on the GPU (cuBLASLt): against float64 references and against the
CPU path (which defines every epilog's semantics), on fresh random data."""

import numpy as np
import pytest

from nvmath.linalg.advanced import Matmul, MatmulEpilog, matmul

pytestmark = pytest.mark.gpu

TOL = {"float16": 1e-2, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-12, "complex64": 1e-5,
       "complex128": 1e-12}


def _cp():
    return pytest.importorskip("cupy")


def rand(shape, dtype, rng=None):
    rng = rng or np.random.default_rng()
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def assert_close(got, want, dtype):
    got = np.asarray(got).astype(np.complex128 if np.iscomplexobj(got) else np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)
    assert err <= TOL[dtype], err


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("layouts", ["CC", "FF", "CF", "FC"])
def test_types_and_layouts(dtype, layouts):
    cp = _cp()
    a, b, c = rand((33, 20), dtype), rand((20, 17), dtype), rand((33, 17), dtype)
    da = cp.asarray(a, order=layouts[0])
    db = cp.asarray(b, order=layouts[1])
    d = matmul(da, db, cp.asarray(c), alpha=0.5, beta=1.5)
    assert isinstance(d, cp.ndarray) and d.dtype == np.dtype(dtype)
    want = 0.5 * a.astype(np.complex128) @ b + 1.5 * c
    assert_close(cp.asnumpy(d), want if np.dtype(dtype).kind == "c" else want.real, dtype)


def test_batched_and_broadcast():
    cp = _cp()
    a, b = rand((4, 3, 16, 8), "float32"), rand((8, 12), "float32")
    assert_close(cp.asnumpy(matmul(cp.asarray(a), cp.asarray(b))), a.astype(np.float64) @ b, "float32")
    a2, b2 = rand((16, 8), "float64"), rand((5, 8, 12), "float64")
    assert_close(cp.asnumpy(matmul(cp.asarray(a2), cp.asarray(b2))), a2 @ b2, "float64")


@pytest.mark.parametrize("epilog", ["RELU", "GELU", "BIAS", "RELU_BIAS", "GELU_BIAS", "RELU_AUX", "RELU_AUX_BIAS",
                                    "GELU_AUX", "GELU_AUX_BIAS", "BGRADA", "BGRADB"])
def test_forward_epilogs_match_the_cpu_path(epilog):
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((2, 40, 24), "float32", rng), rand((24, 36), "float32", rng)
    inputs = {"bias": rand((40,), "float32", rng)} if "BIAS" in epilog else None
    cpu = matmul(a, b, epilog=epilog, epilog_inputs=inputs)
    gpu = matmul(cp.asarray(a), cp.asarray(b), epilog=epilog,
                 epilog_inputs={k: cp.asarray(v) for k, v in inputs.items()} if inputs else None)
    if isinstance(cpu, tuple):
        (cpu, cpu_aux), (gpu, gpu_aux) = cpu, gpu
        assert set(cpu_aux) == set(gpu_aux)
        for name in cpu_aux:
            if name == "relu_aux":  # the bits of the 40 rows; the padding up to 128 is unspecified
                from nvmath.linalg.advanced._cpu import unpack_relu_mask

                assert np.array_equal(unpack_relu_mask(cp.asnumpy(gpu_aux[name]), 40), unpack_relu_mask(cpu_aux[name], 40))
            else:
                assert_close(cp.asnumpy(gpu_aux[name]), cpu_aux[name].astype(np.float64), "float32")
    assert_close(cp.asnumpy(gpu), cpu.astype(np.float64), "float32")


@pytest.mark.parametrize("epilog, aux_name", [("DRELU", "relu_aux"), ("DRELU_BGRAD", "relu_aux"),
                                              ("DGELU", "gelu_aux"), ("DGELU_BGRAD", "gelu_aux")])
def test_backward_epilogs_match_the_cpu_path(epilog, aux_name):
    cp = _cp()
    rng = np.random.default_rng()
    fa, fb = rand((40, 24), "float32", rng), rand((24, 36), "float32", rng)
    forward = "RELU_AUX" if aux_name == "relu_aux" else "GELU_AUX"
    _, aux = matmul(cp.asarray(fa), cp.asarray(fb), epilog=forward)
    g, gb = rand((40, 16), "float32", rng), rand((16, 36), "float32", rng)
    gpu = matmul(cp.asarray(g), cp.asarray(gb), epilog=epilog, epilog_inputs={aux_name: aux[aux_name]})
    cpu = matmul(g, gb, epilog=epilog, epilog_inputs={aux_name: cp.asnumpy(aux[aux_name])})
    if isinstance(cpu, tuple):
        (cpu, cpu_aux), (gpu, gpu_aux) = cpu, gpu
        for name in cpu_aux:
            assert_close(cp.asnumpy(gpu_aux[name]), cpu_aux[name].astype(np.float64), "float32")
    assert_close(cp.asnumpy(gpu), cpu.astype(np.float64), "float32")


def test_torch_bf16_and_numpy_on_the_gpu():
    torch = pytest.importorskip("torch")
    a, b = torch.randn(64, 32, dtype=torch.bfloat16, device="cuda"), torch.randn(32, 48, dtype=torch.bfloat16,
                                                                                   device="cuda")
    bias = torch.randn(64, dtype=torch.bfloat16, device="cuda")
    d = matmul(a, b, epilog="RELU_BIAS", epilog_inputs={"bias": bias})
    assert isinstance(d, torch.Tensor) and d.is_cuda and d.dtype == torch.bfloat16
    want = np.maximum(a.double().cpu().numpy() @ b.double().cpu().numpy() + bias.double().cpu().numpy()[:, None], 0)
    assert_close(d.double().cpu().numpy(), want, "bfloat16")
    x, y = rand((20, 10), "float64"), rand((10, 5), "float64")
    r = matmul(x, y, execution="cuda")
    assert isinstance(r, np.ndarray)
    assert_close(r, x @ y, "float64")


def test_plan_autotune_reset_and_streams():
    cp = _cp()
    a, b = rand((128, 64), "float32"), rand((64, 96), "float32")
    s = cp.cuda.Stream(non_blocking=True)
    with Matmul(cp.asarray(a), cp.asarray(b), stream=s) as mm:
        algos = mm.plan(preferences={"limit": 4})
        assert 1 <= len(algos) <= 4
        mm.autotune(iterations=3, prune=2)
        assert len(mm.algorithms) <= 2
        d = mm.execute(stream=s)
        s.synchronize()
        assert_close(cp.asnumpy(d), a.astype(np.float64) @ b, "float32")
        a2 = rand((128, 64), "float32")
        mm.reset_operands(a=cp.asarray(a2), alpha=2.0)
        d2 = mm.execute(algorithm=mm.algorithms[-1], release_workspace=True)
        assert_close(cp.asnumpy(d2), 2 * a2.astype(np.float64) @ b, "float32")


def test_fp8_on_hopper():
    torch = pytest.importorskip("torch")
    from nvmath.jit import current_device_target

    if current_device_target().cc < (8, 9):
        pytest.skip("FP8 needs compute capability 8.9+")
    a = torch.randn(64, 128, device="cuda").to(torch.float8_e4m3fn)
    b = torch.randn(128, 32, device="cuda").to(torch.float8_e4m3fn)
    d, aux = matmul(a, b, quantization_scales={"a": 0.5, "b": 2.0}, options={"result_amax": True})
    assert d.dtype == torch.bfloat16
    want = (0.5 * a.float().cpu().numpy()) @ (2.0 * b.float().cpu().numpy())
    assert_close(d.double().cpu().numpy(), want.astype(np.float64), "bfloat16")
    assert abs(float(aux["result_amax"]) - np.abs(want).max()) <= 2e-2 * np.abs(want).max()


def test_fp8_refused_on_devices_without_fp8(monkeypatch):
    torch = pytest.importorskip("torch")
    from nvmath.jit import Target

    monkeypatch.setattr("nvmath.jit.device_target", lambda device_id: Target(8, 0))
    a = torch.zeros(16, 16, device="cuda").to(torch.float8_e4m3fn)
    with pytest.raises(RuntimeError, match="FP8 matmul needs compute capability 8.9 or newer.*has 8.0"):
        matmul(a, a)
