"""nvmath-python's matmul API on the GPU (cuBLASLt): in-place results, broadcast c, FP8
defaults, scales and epilogs, Algorithm properties and manual tuning, release/reset_unchecked.
References: float64 NumPy on fresh random data."""

import gc
import weakref

import numpy as np
import pytest

import nvmath
from nvmath.bindings import cublasLt as lt
from nvmath.linalg.advanced import Algorithm, AlgorithmCapabilities, Matmul, MatmulEpilog, matmul

pytestmark = pytest.mark.gpu

FP8_TOL = {"float8_e4m3fn": 0.07, "float8_e5m2": 0.13}


def _cp():
    return pytest.importorskip("cupy")


def rel_err(got, want):
    got = np.asarray(got, dtype=np.float64)
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def rand(shape, dtype="float64", rng=None):
    return (rng or np.random.default_rng()).standard_normal(shape).astype(dtype)


# -- in place ------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_inplace_cupy_writes_into_c(order, dtype, tol):
    cp = _cp()
    a, b, c = rand((123, 79), dtype), rand((79, 45), dtype), rand((123, 45), dtype)
    dc = cp.asarray(c, order=order)
    result = matmul(cp.asarray(a), cp.asarray(b), c=dc, alpha=0.5, beta=1.5, options={"inplace": True})
    assert result is dc
    assert rel_err(cp.asnumpy(dc), 0.5 * a.astype(np.float64) @ b + 1.5 * c) <= tol


def test_inplace_batched_column_major_c_with_bias_epilog():
    cp = _cp()
    rng = np.random.default_rng()
    a, b, bias = rand((3, 40, 30), rng=rng), rand((3, 30, 50), rng=rng), rand((40, 1), rng=rng)
    c = rand((3, 50, 40), rng=rng).transpose(0, 2, 1)
    dc = cp.asarray(rand((3, 50, 40), rng=rng)).transpose(0, 2, 1)
    dc[...] = cp.asarray(c)
    with Matmul(cp.asarray(a), cp.asarray(b), c=dc, beta=1.0, options={"inplace": True}) as mm:
        mm.plan(epilog=MatmulEpilog.BIAS, epilog_inputs={"bias": cp.asarray(bias)})
        result = mm.execute()
        assert result is dc
        cp.cuda.get_current_stream().synchronize()
    assert rel_err(cp.asnumpy(dc), a @ b + c + bias) <= 1e-12


def test_inplace_numpy_on_the_gpu_with_reset_and_a_kept_c():
    rng = np.random.default_rng()
    a1, b1, c1 = rand((3, 20, 17), rng=rng), rand((3, 17, 25), rng=rng), rand((3, 20, 25), rng=rng)
    c1_in = c1.copy()
    with Matmul(a1, b1, c=c1, beta=1.0, execution="cuda", options={"inplace": True}) as mm:
        mm.plan()
        r1 = mm.execute()
        assert r1 is c1 and rel_err(r1, a1 @ b1 + c1_in) <= 1e-12
        a2, b2, c2 = rand((3, 20, 17), rng=rng), rand((3, 17, 25), rng=rng), rand((3, 20, 25), rng=rng)
        c2_in = c2.copy()
        mm.reset_operands(a=a2, b=b2, c=c2)
        r2 = mm.execute()
        assert r2 is c2 and rel_err(r2, a2 @ b2 + c2_in) <= 1e-12
        want2 = r2.copy()
        mm.reset_operands(a=2 * a1, b=2 * b1)  # c not reset: it holds the last result
        r3 = mm.execute()
        assert r3 is c2 and rel_err(r3, 4 * a1 @ b1 + want2) <= 1e-12


def test_inplace_autotune_leaves_c_alone():
    cp = _cp()
    a, b, c = rand((256, 128)), rand((128, 192)), rand((256, 192))
    dc = cp.asarray(c)
    with Matmul(cp.asarray(a), cp.asarray(b), c=dc, beta=1.0, options={"inplace": True}) as mm:
        mm.plan()
        mm.autotune(iterations=2)
        cp.cuda.get_current_stream().synchronize()
        assert np.array_equal(cp.asnumpy(dc), c)
        assert mm.execute() is dc
        assert rel_err(cp.asnumpy(dc), a @ b + c) <= 1e-12


def test_inplace_c_in_a_layout_cublaslt_cannot_write():
    cp = _cp()
    a, b = rand((30, 20)), rand((20, 40))
    big = cp.asarray(rand((30, 80)))
    dc = big[:, ::2]  # column stride 2: computed apart, then copied into c
    c = cp.asnumpy(dc)
    assert matmul(cp.asarray(a), cp.asarray(b), dc, beta=2.0, options={"inplace": True}) is dc
    assert rel_err(cp.asnumpy(dc), a @ b + 2 * c) <= 1e-12


# -- c broadcast along the columns ---------------------------------------------------------------


@pytest.mark.parametrize("a_shape, c_shape", [((64, 48), (64, 1)), ((8, 64, 48), (64, 1)), ((8, 64, 48), (8, 64, 1))])
def test_c_broadcast_over_columns_cupy(a_shape, c_shape):
    cp = _cp()
    rng = np.random.default_rng()
    a, b, c = rand(a_shape, rng=rng), rand((48, 56), rng=rng), rand(c_shape, rng=rng)
    d = matmul(cp.asarray(a), cp.asarray(b), cp.asarray(c), beta=1.2)
    assert d.shape == (*a_shape[:-1], 56)
    assert rel_err(cp.asnumpy(d), a @ b + 1.2 * c) <= 1e-12


def test_c_broadcast_over_columns_torch_and_stateful():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a, b, c = rand((4, 32, 16), "float32", rng), rand((16, 24), "float32", rng), rand((32, 1), "float32", rng)
    ta, tb, tc = (torch.from_numpy(x).cuda() for x in (a, b, c))
    with Matmul(ta, tb, tc, beta=0.5) as mm:
        mm.plan()
        d = mm.execute()
        assert rel_err(d.cpu().numpy(), a.astype(np.float64) @ b + 0.5 * c) <= 1e-5
        c2 = rand((32, 1), "float32", rng)
        mm.reset_operands(c=torch.from_numpy(c2).cuda())
        assert rel_err(mm.execute().cpu().numpy(), a.astype(np.float64) @ b + 0.5 * c2) <= 1e-5


# -- FP8 -------------------------------------------------------------------------------------------


def _torch_fp8():
    torch = pytest.importorskip("torch")
    from nvmath.jit import current_device_target

    if current_device_target().cc < (8, 9):
        pytest.skip("FP8 needs compute capability 8.9+")
    return torch


def _fp8(torch, shape, dtype="float8_e4m3fn", rng=None, scale=1.0):
    x = (rng or np.random.default_rng()).standard_normal(shape).astype(np.float32) * scale
    return torch.from_numpy(x).cuda().to(getattr(torch, dtype))


def _f64(t):
    return t.double().cpu().numpy()


@pytest.mark.parametrize("a_type, b_type", [("float8_e4m3fn", "float8_e4m3fn"), ("float8_e5m2", "float8_e4m3fn")])
def test_fp8_default_result_is_a_type(a_type, b_type):
    torch = _torch_fp8()
    a, b = _fp8(torch, (64, 48), a_type), _fp8(torch, (32, 48), b_type).T
    want = _f64(a) @ _f64(b)
    sd = 100.0 / np.abs(want).max()
    d = matmul(a, b, quantization_scales={"a": 1, "b": 1, "d": sd})
    assert d.dtype == getattr(torch, a_type) and d.shape == (64, 32)
    assert rel_err(_f64(d) / sd, want) <= FP8_TOL[a_type]


def test_fp8_result_type_as_cuda_data_type():
    torch = _torch_fp8()
    a, b = _fp8(torch, (64, 48), "float8_e5m2"), _fp8(torch, (32, 48)).T
    want = _f64(a) @ _f64(b)
    for kind, dtype, tol in (
        # Hopper's FP8 tensor cores accumulate with fewer bits than fp32 (2e-4 seen on an H100).
        (nvmath.CudaDataType.CUDA_R_32F, torch.float32, 1e-3),
        (nvmath.CudaDataType.CUDA_R_16F, torch.float16, 1e-2),
    ):
        d = matmul(a, b, quantization_scales={"a": 1, "b": 1}, options={"result_type": kind})
        assert d.dtype == dtype and rel_err(_f64(d), want) <= tol


def test_fp8_relu_epilog_with_fp8_result_and_fast_accumulation():
    torch = _torch_fp8()
    a, b = _fp8(torch, (64, 48), scale=3), _fp8(torch, (32, 48), scale=3).T
    pre = _f64(a) @ _f64(b)
    sd = 0.1
    for options in ({}, {"fast_accumulation": True, "sm_count_target": 8}):
        d = matmul(a, b, epilog="RELU", quantization_scales={"a": 1, "b": 1, "d": sd}, options=options)
        assert d.dtype == torch.float8_e4m3fn and bool((d.float() >= 0).all())
        assert rel_err(_f64(d), np.clip(np.maximum(sd * pre, 0), 0, 448)) <= FP8_TOL["float8_e4m3fn"]


def test_fp8_fp16_c_fp8_result_amax_and_a_device_d_scale_updated_in_place():
    torch = _torch_fp8()
    rng = np.random.default_rng()
    a, b = _fp8(torch, (128, 64), rng=rng, scale=4), _fp8(torch, (96, 64), rng=rng, scale=4).T
    c = torch.from_numpy(rng.standard_normal((128, 96)).astype(np.float32) * 10).cuda().half()
    dscale = torch.ones((1,), dtype=torch.float32, device="cuda")
    options = {"result_type": nvmath.CudaDataType.CUDA_R_8F_E4M3, "result_amax": True}
    want = _f64(a) @ _f64(b) + _f64(c)
    with Matmul(a, b, c=c, beta=1, quantization_scales={"a": 1, "b": 1, "d": dscale}, options=options) as mm:
        mm.plan()
        d, aux = mm.execute()
        amax = float(aux["result_amax"])
        assert abs(amax - np.abs(want).max()) <= 2e-3 * np.abs(want).max()
        dscale[:] = 448 / amax
        d2, _ = mm.execute()
        assert d2.dtype == torch.float8_e4m3fn
        assert rel_err(_f64(d2) * amax / 448, want) <= FP8_TOL["float8_e4m3fn"]


def test_fp8_reset_operands_with_new_scales():
    torch = _torch_fp8()
    a, b = _fp8(torch, (128, 32), "float8_e5m2"), _fp8(torch, (256, 32)).T
    opts = {"result_type": nvmath.CudaDataType.CUDA_R_32F}
    with Matmul(a, b, quantization_scales={"a": 3, "b": 2}, options=opts) as mm:
        mm.plan()
        assert rel_err(_f64(mm.execute()), 6 * _f64(a) @ _f64(b)) <= 1e-3
        new_a = _fp8(torch, (128, 32), "float8_e5m2")
        mm.reset_operands(a=new_a, quantization_scales={"a": 0.5})
        assert rel_err(_f64(mm.execute()), 1.0 * _f64(new_a) @ _f64(b)) <= 1e-3


def test_fp8_gelu_aux_of_fp8_type_with_its_scale_and_amax():
    torch = _torch_fp8()
    from nvmath.linalg.advanced._cpu import gelu

    a, b = _fp8(torch, (64, 64)), _fp8(torch, (64, 64)).T
    result, aux = matmul(
        a,
        b,
        epilog=MatmulEpilog.GELU_AUX,
        epilog_inputs={"aux_quantization_scale": 0.1},
        preferences={"epilog": {"aux_type": nvmath.CudaDataType.CUDA_R_8F_E4M3, "aux_amax": True}},
        quantization_scales={"a": 1, "b": 1, "d": 1},
    )
    assert set(aux) == {"gelu_aux", "gelu_aux_amax"}
    pre = _f64(a) @ _f64(b)
    assert aux["gelu_aux"].dtype == torch.float8_e4m3fn and aux["gelu_aux"].shape == (64, 64)
    assert rel_err(_f64(aux["gelu_aux"]), 0.1 * pre) <= FP8_TOL["float8_e4m3fn"]
    assert abs(float(aux["gelu_aux_amax"]) - np.abs(pre).max()) <= 2e-3 * np.abs(pre).max()
    assert rel_err(_f64(result), gelu(pre)) <= FP8_TOL["float8_e4m3fn"]


# -- Algorithm -------------------------------------------------------------------------------------

_PROPERTIES = (
    "tile",
    "stages",
    "split_k",
    "reduction_scheme",
    "cta_swizzling",
    "custom_option",
    "inner_shape",
    "cluster_shape",
)


def test_algorithm_properties_round_trip_and_capabilities():
    cp = _cp()
    a, b = rand((512, 256)), rand((256, 384))
    with Matmul(cp.asarray(a), cp.asarray(b)) as mm:
        algorithms = mm.plan()
        assert algorithms and all(isinstance(x, Algorithm) for x in algorithms)
        best = algorithms[0]
        caps = best.capabilities
        assert isinstance(caps, AlgorithmCapabilities)
        assert isinstance(caps.tile_ids, tuple) and isinstance(best.algorithm_id, int)
        if caps.tile_ids:
            assert best.tile in caps.tile_ids or best.tile == "UNDEFINED"
        for name in _PROPERTIES:
            value = getattr(best, name)
            setattr(best, name, value)
            assert getattr(best, name) == value, name
        assert not best.modified
        best.tile = best.tile  # example 15
        assert rel_err(cp.asnumpy(mm.execute()), a @ b) <= 1e-12


def test_manually_configured_algorithm_executes_correctly():
    cp = _cp()
    a, b = rand((256, 4096), "float32"), rand((4096, 64), "float32")
    want = a.astype(np.float64) @ b
    with Matmul(cp.asarray(a), cp.asarray(b)) as mm:
        mm.plan(preferences={"limit": 16})
        for algo in mm.algorithms:
            caps = algo.capabilities
            if not caps.splitk_support:
                continue
            saved = bytes(algo.algorithm)
            algo.split_k = 4
            schemes = [s for s in (1, 2, 4) if (caps.reduction_scheme_mask or 0) & s]
            if schemes:
                algo.reduction_scheme = schemes[0]
            assert algo.modified
            try:
                d = mm.execute(algorithm=algo)
            except lt.cuBLASLtError:  # this configuration does not fit: try another algorithm
                algo.algorithm = lt.MatmulHeuristicResult.from_buffer_copy(saved)
                continue
            assert algo.split_k == 4 and not algo.modified
            assert rel_err(cp.asnumpy(d), want) <= 1e-5
            return
    pytest.skip("no planned algorithm accepted split_k=4 on this GPU")


def test_algorithms_pickle_into_another_plan():
    import pickle

    cp = _cp()
    a, b = cp.asarray(rand((128, 64))), cp.asarray(rand((64, 96)))
    with Matmul(a, b) as mm:
        mm.plan()
        saved = pickle.dumps(mm.algorithms)
    with Matmul(a, b) as mm:
        mm.plan(algorithms=pickle.loads(saved))
        assert rel_err(cp.asnumpy(mm.execute()), cp.asnumpy(a) @ cp.asnumpy(b)) <= 1e-12


# -- release / unchecked reset / options.handle --------------------------------------------------------


def test_release_operands_and_reset_unchecked_on_the_gpu():
    torch = pytest.importorskip("torch")
    a, b = torch.randn(64, 32, device="cuda", dtype=torch.float64), torch.randn(32, 48, device="cuda").double()
    bias = torch.randn(64, device="cuda", dtype=torch.float64)
    mm = Matmul(a, b)
    mm.plan(epilog="RELU_BIAS", epilog_inputs={"bias": bias})
    mm.execute()
    refs = [weakref.ref(t) for t in (a, b, bias)]
    mm.release_operands()
    del a, b, bias
    gc.collect()
    assert all(r() is None for r in refs), "Matmul kept a reference to a released operand"
    with pytest.raises(RuntimeError, match="release_operands"):
        mm.execute()
    a2, b2 = torch.randn(64, 32, device="cuda").double(), torch.randn(32, 48, device="cuda").double()
    bias2 = torch.randn(64, device="cuda").double()
    mm.reset_operands_unchecked(a=a2, b=b2, epilog_inputs={"bias": bias2})
    want = np.maximum(_f64(a2) @ _f64(b2) + _f64(bias2)[:, None], 0)
    assert rel_err(_f64(mm.execute()), want) <= 1e-12
    a3 = torch.randn(64, 32, device="cuda").double()
    mm.reset_operands_unchecked(a=a3, alpha=2.0)
    want = np.maximum(2 * _f64(a3) @ _f64(b2) + _f64(bias2)[:, None], 0)
    assert rel_err(_f64(mm.execute()), want) <= 1e-12
    with pytest.raises(ValueError, match="strides"):
        mm.reset_operands_unchecked(a=a3.T.contiguous().T)
    mm.free()


def test_user_handle_is_used_and_not_destroyed():
    cp = _cp()
    handle = lt.cublasLtCreate()
    try:
        a, b = rand((40, 30)), rand((30, 20))
        for _ in range(2):
            with Matmul(cp.asarray(a), cp.asarray(b), options={"handle": handle}) as mm:
                mm.plan()
                assert rel_err(cp.asnumpy(mm.execute()), a @ b) <= 1e-12
    finally:
        lt.cublasLtDestroy(handle)


def test_memory_limit_with_units():
    cp = _cp()
    a, b = rand((64, 64)), rand((64, 64))
    d = matmul(cp.asarray(a), cp.asarray(b), options={"memory_limit": "1 MiB"})
    assert rel_err(cp.asnumpy(d), a @ b) <= 1e-12


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_applicable_algorithm_ids_are_cublaslts_for_the_types(dtype):
    cp = _cp()
    torch = pytest.importorskip("torch") if dtype == "bfloat16" else None
    if torch is not None:
        a = torch.randn(64, 32, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(32, 16, device="cuda", dtype=torch.bfloat16)
    else:
        a, b = cp.asarray(rand((64, 32), dtype)), cp.asarray(rand((32, 16), dtype))
    with Matmul(a, b) as mm:
        ids = mm.applicable_algorithm_ids(limit=4)
        assert 1 <= len(ids) <= 4 and all(isinstance(i, int) and i >= 0 for i in ids)
        assert len(set(ids)) == len(ids)
        mm.plan()
        # The planned algorithms' ids are among those cuBLASLt lists for these types.
        every = set(mm.applicable_algorithm_ids(limit=512))
        assert {alg.algorithm_id for alg in mm.algorithms} <= every


def test_stateless_matmul_runs_the_algorithm_it_is_given():
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((96, 64), "float32", rng), rand((64, 80), "float32", rng)
    with Matmul(cp.asarray(a), cp.asarray(b)) as mm:
        algorithms = mm.plan()
    for algorithm in algorithms[:3]:
        got = matmul(cp.asarray(a), cp.asarray(b), algorithm=algorithm)
        assert rel_err(cp.asnumpy(got), a.astype(np.float64) @ b) < 1e-5


def test_autotune_can_release_the_workspace():
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((256, 128), "float32", rng), rand((128, 192), "float32", rng)
    with Matmul(cp.asarray(a), cp.asarray(b)) as mm:
        mm.plan()
        mm.autotune(iterations=2, release_workspace=True)
        assert mm._backend.workspace is None
        got = mm.execute()  # allocates it again where the algorithm needs one
        assert rel_err(cp.asnumpy(got), a.astype(np.float64) @ b) < 1e-5
