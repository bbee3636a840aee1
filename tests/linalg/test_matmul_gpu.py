"""nvmath.linalg.advanced on the GPU (cuBLASLt): against float64 references and against the
CPU path (which defines every epilog's semantics), on fresh random data."""

import numpy as np
import pytest

from nvmath.linalg.advanced import Matmul, matmul

pytestmark = pytest.mark.gpu

TOL = {"float16": 1e-2, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}


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


@pytest.mark.parametrize(
    "epilog",
    [
        "RELU",
        "GELU",
        "BIAS",
        "RELU_BIAS",
        "GELU_BIAS",
        "RELU_AUX",
        "RELU_AUX_BIAS",
        "GELU_AUX",
        "GELU_AUX_BIAS",
        "BGRADA",
        "BGRADB",
    ],
)
def test_forward_epilogs_match_the_cpu_path(epilog):
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((2, 40, 24), "float32", rng), rand((24, 36), "float32", rng)
    inputs = {"bias": rand((40,), "float32", rng)} if "BIAS" in epilog else None
    cpu = matmul(a, b, epilog=epilog, epilog_inputs=inputs)
    gpu = matmul(
        cp.asarray(a),
        cp.asarray(b),
        epilog=epilog,
        epilog_inputs={k: cp.asarray(v) for k, v in inputs.items()} if inputs else None,
    )
    if isinstance(cpu, tuple):
        (cpu, cpu_aux), (gpu, gpu_aux) = cpu, gpu
        assert set(cpu_aux) == set(gpu_aux)
        for name in cpu_aux:
            if name == "relu_aux":  # the bits of the 40 rows; the padding up to 128 is unspecified
                from nvmath.linalg.advanced._cpu import unpack_relu_mask

                assert np.array_equal(
                    unpack_relu_mask(cp.asnumpy(gpu_aux[name]), 40), unpack_relu_mask(cpu_aux[name], 40)
                )
            else:
                assert_close(cp.asnumpy(gpu_aux[name]), cpu_aux[name].astype(np.float64), "float32")
    assert_close(cp.asnumpy(gpu), cpu.astype(np.float64), "float32")


@pytest.mark.parametrize(
    "epilog, aux_name",
    [("DRELU", "relu_aux"), ("DRELU_BGRAD", "relu_aux"), ("DGELU", "gelu_aux"), ("DGELU_BGRAD", "gelu_aux")],
)
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
    a, b = (
        torch.randn(64, 32, dtype=torch.bfloat16, device="cuda"),
        torch.randn(32, 48, dtype=torch.bfloat16, device="cuda"),
    )
    bias = torch.randn(64, dtype=torch.bfloat16, device="cuda")
    d = matmul(a, b, epilog="RELU_BIAS", epilog_inputs={"bias": bias})
    assert isinstance(d, torch.Tensor) and d.is_cuda and d.dtype == torch.bfloat16
    want = np.maximum(a.double().cpu().numpy() @ b.double().cpu().numpy() + bias.double().cpu().numpy()[:, None], 0)
    assert_close(d.double().cpu().numpy(), want, "bfloat16")
    x, y = rand((20, 10), "float64"), rand((10, 5), "float64")
    r = matmul(x, y, execution="cuda")
    assert isinstance(r, np.ndarray)
    assert_close(r, x @ y, "float64")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_operands_with_fp32_c_give_an_fp32_result(dtype):
    torch = pytest.importorskip("torch")
    half = getattr(torch, dtype)
    a = torch.randn(96, 64, dtype=half, device="cuda")
    b = torch.randn(64, 80, dtype=half, device="cuda")
    c = torch.randn(96, 80, dtype=torch.float32, device="cuda")
    d = matmul(a, b, c, alpha=1.5, beta=-0.5)
    assert d.dtype == torch.float32
    want = 1.5 * (a.double() @ b.double()) - 0.5 * c.double()
    assert_close(d.double().cpu().numpy(), want.cpu().numpy(), "float32" if dtype == "float16" else "bfloat16")


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
        # No stream: CuPy's current one, as in nvmath-python (not the constructor's s), also on
        # the general path (an algorithm given); asnumpy reads on that stream, after the result.
        # (On the constructor's non-blocking s this read zeros on an H100, 2026-12-05.)
        d2 = mm.execute(algorithm=mm.algorithms[-1], release_workspace=True)
        assert_close(cp.asnumpy(d2), 2 * a2.astype(np.float64) @ b, "float32")


def test_execute_hot_path_follows_the_objects_state():
    # Matmul.execute() with no arguments goes straight to the backend's hot path: it must see
    # every change of state (a new plan, released and given operands, a changed algorithm, free).
    torch = pytest.importorskip("torch")
    a, b = torch.randn(64, 48, device="cuda"), torch.randn(48, 32, device="cuda")
    ref = a.double() @ b.double()
    mm = Matmul(a, b)
    mm.plan()
    assert mm._backend._fast is not None
    assert_close(mm.execute().cpu().numpy(), ref.cpu().numpy(), "float32")
    mm.plan(epilog="RELU")
    assert_close(mm.execute().cpu().numpy(), ref.clamp(min=0).cpu().numpy(), "float32")
    mm.release_operands()
    with pytest.raises(RuntimeError, match="release_operands"):
        mm.execute()
    a2 = torch.randn(64, 48, device="cuda")
    mm.reset_operands(a=a2, b=b)
    assert_close(mm.execute().cpu().numpy(), (a2.double() @ b.double()).clamp(min=0).cpu().numpy(), "float32")
    best = mm.algorithms[0]
    if best.capabilities.splitk_support:
        best.split_k = 2 if best.split_k != 2 else 1  # changed in place: the checked general path runs it
        assert best.modified
        want = (a2.double() @ b.double()).clamp(min=0).cpu().numpy()
        assert_close(mm.execute().cpu().numpy(), want, "float32")
    mm.free()
    assert mm._backend._fast is None
    with pytest.raises(RuntimeError, match="freed"):
        mm.execute()


@pytest.mark.parametrize("package", ["torch", "cupy"])
def test_repeated_execute_on_the_default_stream_replays_a_graph(package, monkeypatch):
    # Calls of the hot path on the default stream whose result lands at an address seen before
    # replay a CUDA graph of the cuBLASLt call (nvmath._internal.graphs): every result must be
    # what the call gives, kept results too, and the graphs must follow alpha, beta and operand
    # changes (each makes a new hot path).
    monkeypatch.delenv("NVMATH_CALL_GRAPHS", raising=False)
    if package == "torch":
        torch = pytest.importorskip("torch")
        if torch.cuda.current_stream().cuda_stream != 0:
            pytest.skip("the current stream is not the default one")
        to_dev, to_np = (lambda x: torch.from_numpy(x).cuda()), (lambda t: t.cpu().numpy())
    else:
        cp = _cp()
        if cp.cuda.get_current_stream().ptr != 0:
            pytest.skip("the current stream is not the default one")
        to_dev, to_np = cp.asarray, cp.asnumpy
    rng = np.random.default_rng()
    a, b, c = rand((64, 64), "float32", rng), rand((64, 64), "float32", rng), rand((64, 64), "float32", rng)
    with Matmul(to_dev(a), to_dev(b), c=to_dev(c), alpha=1.5, beta=0.5) as mm:
        mm.plan()
        graphs = mm._backend._fast.graphs
        want = 1.5 * a.astype(np.float64) @ b + 0.5 * c
        for _ in range(6):  # each result dropped: the allocator hands its block to a later one
            assert_close(to_np(mm.execute()), want, "float32")
        assert len(graphs) >= 1, "no graph was captured for repeated result addresses"
        kept = [mm.execute() for _ in range(4)]  # kept: new addresses, the plain call
        for d in kept:
            assert_close(to_np(d), want, "float32")
        del kept
        a2 = rand((64, 64), "float32", rng)
        mm.reset_operands(a=to_dev(a2), alpha=-2.0, beta=3.0)
        assert not graphs.enabled, "the old hot path's graphs were closed"
        want2 = -2.0 * a2.astype(np.float64) @ b + 3.0 * c
        for _ in range(6):
            assert_close(to_np(mm.execute()), want2, "float32")
        assert len(mm._backend._fast.graphs) >= 1


def test_graphs_off_by_the_environment(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setenv("NVMATH_CALL_GRAPHS", "0")
    a, b = torch.randn(64, 64, device="cuda"), torch.randn(64, 64, device="cuda")
    with Matmul(a, b) as mm:
        mm.plan()
        for _ in range(4):
            assert_close(mm.execute().cpu().numpy(), (a.double() @ b.double()).cpu().numpy(), "float32")
        assert len(mm._backend._fast.graphs) == 0


def test_fp8_on_hopper():
    torch = pytest.importorskip("torch")
    from nvmath.jit import current_device_target

    if current_device_target().cc < (8, 9):
        pytest.skip("FP8 needs compute capability 8.9+")
    a = torch.randn(64, 128, device="cuda").to(torch.float8_e4m3fn)
    b = torch.randn(128, 32, device="cuda").to(torch.float8_e4m3fn)
    d, aux = matmul(
        a, b, quantization_scales={"a": 0.5, "b": 2.0}, options={"result_amax": True, "result_type": "bfloat16"}
    )
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
        matmul(a, a, quantization_scales={"d": 1.0})


# -- c with vector operands -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "a_shape, b_shape, c_shape",
    [
        ((40,), (40, 24), (24,)),  # row vector a: c of the result's length
        ((32, 40), (40,), (32,)),  # column vector b
        ((40,), (40,), ()),  # dot product, scalar c
        ((40,), (40,), (3,)),  # a batch of scalars from c
        ((2, 32, 40), (40,), (2, 32)),
        ((2, 32, 40), (40,), (32,)),  # c broadcast over the batch (batch stride 0)
        ((40,), (3, 40, 24), (3, 24)),
        ((40,), (3, 40, 24), (24,)),
    ],
)
def test_c_with_vector_operands(dtype, a_shape, b_shape, c_shape):
    cp = _cp()
    rng = np.random.default_rng()
    a, b, c = rand(a_shape, dtype, rng), rand(b_shape, dtype, rng), rand(c_shape, dtype, rng)
    d = matmul(cp.asarray(a), cp.asarray(b), cp.asarray(c), alpha=0.5, beta=-1.5)
    want = 0.5 * np.matmul(a.astype(np.float64), b) - 1.5 * c  # NumPy's shape: vector axes dropped
    assert isinstance(d, cp.ndarray) and d.shape == want.shape
    assert_close(cp.asnumpy(d), want, dtype)
    # The CPU path defines the semantics: both agree.
    assert_close(cp.asnumpy(d), matmul(a, b, c, alpha=0.5, beta=-1.5).astype(np.float64), dtype)


def test_c_with_vector_operands_strided_epilog_and_host_operands():
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((48,), "float32", rng), rand((48, 40), "float32", rng)
    c_base = rand((80,), "float32", rng)
    c = c_base[::2]
    d = matmul(cp.asarray(a), cp.asarray(b), cp.asarray(c_base)[::2])  # strided c: copied once at plan time
    assert_close(cp.asnumpy(d), a.astype(np.float64) @ b + c, "float32")
    # An epilog keeps the result column-major (no transposed problem): c follows.
    g, v = rand((40, 48), "float32", rng), rand((48,), "float32", rng)
    cg, bias = rand((40,), "float32", rng), rand((40,), "float32", rng)
    d = matmul(
        cp.asarray(g), cp.asarray(v), cp.asarray(cg), epilog="RELU_BIAS", epilog_inputs={"bias": cp.asarray(bias)}
    )
    assert_close(cp.asnumpy(d), np.maximum(g.astype(np.float64) @ v + cg + bias, 0), "float32")
    # Host operands on the GPU: the result comes back to NumPy.
    r = matmul(a, b, c, execution="cuda")
    assert isinstance(r, np.ndarray) and r.shape == (40,)
    assert_close(r, a.astype(np.float64) @ b + c, "float32")


def test_reset_c_that_was_copied_at_plan_time():
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((40,), "float64", rng), rand((2, 40, 32), "float64", rng)
    c1, c2 = rand((2, 64), "float64", rng), rand((2, 64), "float64", rng)
    # With a row vector a the result is read row-major: c's elements must be contiguous, so a
    # strided c is planned from a copy, and a new c must be copied into it, not swapped in.
    with Matmul(cp.asarray(a), cp.asarray(b), cp.asarray(c1)[:, ::2]) as mm:
        mm.plan()
        assert_close(cp.asnumpy(mm.execute()), a @ b + c1[:, ::2], "float64")
        mm.reset_operands(c=cp.asarray(c2)[:, ::2])  # copied into the planned layout again
        assert_close(cp.asnumpy(mm.execute()), a @ b + c2[:, ::2], "float64")


# -- FP8 results ----------------------------------------------------------------------------------

# Relative L2 error of a dequantized FP8 result against float64 (3 and 2 mantissa bits).
FP8_TOL = {"float8_e4m3fn": 0.07, "float8_e5m2": 0.13}
FP8_MAX = {"float8_e4m3fn": 448.0, "float8_e5m2": 57344.0}
FP8_STEP = {"float8_e4m3fn": (2.0**-3, 2.0**-9), "float8_e5m2": (2.0**-2, 2.0**-16)}  # (relative, smallest)


def _torch_fp8():
    torch = pytest.importorskip("torch")
    from nvmath.jit import current_device_target

    if current_device_target().cc < (8, 9):
        pytest.skip("FP8 needs compute capability 8.9+")
    return torch


def _fp8(torch, shape, dtype, rng):
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).cuda().to(getattr(torch, dtype))


def _f64(t):
    return t.double().cpu().numpy()


@pytest.mark.parametrize(
    "a_type, b_type, d_type, c_type",
    [
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", None),
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", "bfloat16"),
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", "float16"),
        ("float8_e4m3fn", "float8_e5m2", "float8_e5m2", None),
        ("float8_e4m3fn", "float8_e5m2", "float8_e5m2", "bfloat16"),
        ("float8_e5m2", "float8_e4m3fn", "float8_e5m2", "float16"),
        ("float8_e5m2", "float8_e4m3fn", "float8_e4m3fn", "bfloat16"),
    ],
)
def test_fp8_results(a_type, b_type, d_type, c_type):
    torch = _torch_fp8()
    rng = np.random.default_rng()
    a, b = _fp8(torch, (64, 128), a_type, rng), _fp8(torch, (128, 32), b_type, rng)
    c = (
        torch.from_numpy(rng.standard_normal((64, 32)).astype(np.float32)).cuda().to(getattr(torch, c_type))
        if c_type
        else None
    )
    sa, sb, alpha, beta = 0.5, 1.5, 0.75, (-2.0 if c_type else None)
    want = alpha * (sa * _f64(a)) @ (sb * _f64(b)) + (beta * _f64(c) if c_type else 0)
    sd = 200.0 / np.abs(want).max()  # the largest magnitudes near 200: moderate for both formats
    scales = {
        "a": sa,
        "b": torch.tensor(sb, dtype=torch.float32, device="cuda"),  # device scales: () and (1,)
        "d": torch.tensor([sd], dtype=torch.float32, device="cuda"),
    }
    d, aux = matmul(
        a,
        b,
        c,
        alpha=alpha,
        beta=beta,
        quantization_scales=scales,
        options={"result_type": d_type, "result_amax": True},
    )
    assert d.is_cuda and d.dtype == getattr(torch, d_type) and d.shape == (64, 32)
    err = np.linalg.norm(_f64(d) / sd - want) / np.linalg.norm(want)
    assert err <= FP8_TOL[d_type], err
    # amax: cuBLASLt's AMAX_D, the largest |x| before the d scale (and before the rounding to FP8).
    amax = aux["result_amax"]
    assert amax.is_cuda and amax.dtype == torch.float32 and amax.shape == ()
    # Hopper's FP8 tensor cores accumulate with fewer bits than fp32: 2e-4 relative was seen on an H100.
    assert abs(float(amax) - np.abs(want).max()) <= 1e-3 * np.abs(want).max(), (float(amax), np.abs(want).max())
    # The CPU path (same inputs) agrees element by element.
    cpu_scales = {"a": sa, "b": sb, "d": float(np.float32(sd))}
    dc, auxc = matmul(
        a.cpu(),
        b.cpu(),
        c.cpu() if c_type else None,
        alpha=alpha,
        beta=beta,
        quantization_scales=cpu_scales,
        options={"result_type": d_type, "result_amax": True},
    )
    g, h = _f64(d), _f64(dc)
    rel, smallest = FP8_STEP[d_type]
    # Hopper's FP8 tensor cores accumulate with fewer bits than fp32 (2e-4 of the largest value
    # was seen): an error relative to the largest magnitude, which moves small, cancelled values
    # by more than their own FP8 step. Every element agrees within a step plus that error.
    step = rel * np.maximum(np.abs(g), np.abs(h)) + smallest
    accumulation = 2e-3 * np.abs(h).max()
    worst = np.unravel_index(np.argmax(np.abs(g - h) - step), g.shape)
    assert (np.abs(g - h) <= step + accumulation).all(), (g[worst], h[worst], step[worst], accumulation)
    assert np.mean(np.abs(g - h) <= step) >= 0.95
    assert abs(float(amax) - float(auxc["result_amax"])) <= 1e-3 * float(auxc["result_amax"])


def test_fp8_result_batched_autotuned_fast_path_and_in_place_scales():
    torch = _torch_fp8()
    rng = np.random.default_rng()
    a, b = _fp8(torch, (3, 64, 128), "float8_e4m3fn", rng), _fp8(torch, (3, 128, 48), "float8_e4m3fn", rng)
    c = torch.from_numpy(rng.standard_normal((3, 64, 48)).astype(np.float32)).cuda().to(torch.float16)
    want = _f64(a) @ _f64(b) + 0.5 * _f64(c)
    sd = torch.tensor(100.0 / np.abs(want).max(), dtype=torch.float32, device="cuda")
    with Matmul(a, b, c, beta=0.5, quantization_scales={"d": sd}, options={"result_type": "float8_e4m3fn"}) as mm:
        mm.plan()
        mm.autotune(iterations=2)
        for _ in range(2):  # the fast path after autotune (no amax, device scales)
            d = mm.execute()
            assert np.linalg.norm(_f64(d) / float(sd) - want) / np.linalg.norm(want) <= FP8_TOL["float8_e4m3fn"]
        sd.mul_(0.5)  # in place: cuBLASLt reads the scale at every call
        d = mm.execute()
        assert np.linalg.norm(_f64(d) / float(sd) - want) / np.linalg.norm(want) <= FP8_TOL["float8_e4m3fn"]


def test_fp8_result_saturates_like_the_cpu_path():
    """Semantics check: values beyond the format's largest finite value become +-max on both paths
    (the CPU path saturates, as the GPU's cvt.satfinite conversions do); not NaN or inf."""
    torch = _torch_fp8()
    rng = np.random.default_rng()
    a, b = _fp8(torch, (32, 64), "float8_e4m3fn", rng), _fp8(torch, (64, 32), "float8_e4m3fn", rng)
    want = _f64(a) @ _f64(b)
    sd = 4 * FP8_MAX["float8_e4m3fn"] / np.abs(want).max()
    d = matmul(a, b, quantization_scales={"d": sd}, options={"result_type": "float8_e4m3fn"})
    g = _f64(d)
    assert np.isfinite(g).all(), "cuBLASLt's FP8 result overflowed to NaN; the CPU path saturates"
    big = np.abs(want * sd) > 2 * FP8_MAX["float8_e4m3fn"]
    assert big.any() and np.array_equal(g[big], np.sign(want[big]) * FP8_MAX["float8_e4m3fn"])


def test_fp8_result_refused_on_devices_without_fp8(monkeypatch):
    torch = pytest.importorskip("torch")
    from nvmath.jit import Target

    monkeypatch.setattr("nvmath.jit.device_target", lambda device_id: Target(8, 0))
    a = torch.zeros(16, 16, device="cuda").to(torch.float8_e4m3fn)
    with pytest.raises(
        RuntimeError,
        match=r"FP8 matmul needs compute capability 8.9 or newer \(Ada, Hopper\) for FP8 "
        r"operands \(float8_e4m3fn\) and the float8_e4m3fn result; GPU \d+ has 8.0",
    ):
        matmul(a, a, quantization_scales={"d": 1.0}, options={"result_type": "float8_e4m3fn"})


def test_fp8_scale_must_be_on_the_operands_device():
    torch = _torch_fp8()
    a = torch.zeros(16, 16, device="cuda").to(torch.float8_e4m3fn)
    with pytest.raises(
        ValueError,
        match=r"quantization_scales\['d'\] is a torch array on the host; it must be where "
        r"the operands are",
    ):
        matmul(a, a, quantization_scales={"d": torch.ones(1)}, options={"result_type": "float8_e4m3fn"})


def test_host_operands_go_to_the_gpu_by_default(caplog):
    """As in nvmath-python: NumPy operands without ``execution`` are multiplied by cuBLASLt
    (copied to GPU 0 and back, both logged), with GPU semantics such as TF32 compute."""
    import logging

    from nvmath.linalg import ExecutionCUDA

    rng = np.random.default_rng()
    a, b = rand((64, 96), "float32", rng), rand((96, 48), "float32", rng)
    with caplog.at_level(logging.INFO, logger="nvmath"), Matmul(a, b) as mm:
        assert isinstance(mm.execution, ExecutionCUDA)
        algorithms = mm.plan()
        assert len(algorithms) >= 1
        d = mm.execute()
    assert isinstance(d, np.ndarray) and d.dtype == np.float32
    assert_close(d, a.astype(np.float64) @ b, "float32")
    assert "copying" in caplog.text
    # TF32 compute, a cuBLASLt option (the CPU path only logs it), is taken: TF32's accuracy.
    with caplog.at_level(logging.INFO, logger="nvmath"):
        caplog.clear()
        d = matmul(a, b, options={"compute_type": "COMPUTE_32F_FAST_TF32"})
    assert "applies to cuBLASLt" not in caplog.text
    err = np.linalg.norm(d - a.astype(np.float64) @ b) / np.linalg.norm(a.astype(np.float64) @ b)
    assert err < 1e-2, err
