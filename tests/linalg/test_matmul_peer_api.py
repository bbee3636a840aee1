"""nvmath-python's matmul API on the CPU: MatmulOptions fields, in-place results, broadcast c,
FP8 defaults and epilogs, scale resets, release/reset_unchecked, Algorithm tables."""

import pickle

import numpy as np
import pytest

import nvmath
from nvmath.bindings import cublasLt as lt
from nvmath.linalg.advanced import (
    Algorithm,
    AlgorithmCapabilities,
    Matmul,
    MatmulEpilogPreferences,
    MatmulNumericalImplFlags,
    MatmulOptions,
    MatmulPlanPreferences,
    MatmulQuantizationScales,
    matmul,
)
from nvmath.linalg.advanced._options import memory_limit_bytes


def rand(shape, dtype="float64", rng=None):
    return (rng or np.random.default_rng()).standard_normal(shape).astype(dtype)


def rel_err(got, want):
    got = np.asarray(got, dtype=np.float64)
    return np.linalg.norm(got - want) / np.linalg.norm(want)


# -- options -------------------------------------------------------------------------------------


def test_options_have_the_peer_fields_and_defaults():
    o = MatmulOptions()
    assert (o.inplace, o.result_amax, o.block_scaling, o.sm_count_target, o.fast_accumulation) == (
        False,
        False,
        False,
        0,
        False,
    )
    assert (o.device_id, o.handle, o.memory_limit, o.blocking, o.allocator) == (0, None, "80%", "auto", None)
    none = MatmulOptions(sm_count_target=None, fast_accumulation=None, device_id=None, memory_limit=None)
    assert (none.sm_count_target, none.fast_accumulation, none.device_id, none.memory_limit) == (0, False, 0, "80%")


@pytest.mark.parametrize(
    "value, name",
    [
        (nvmath.CudaDataType.CUDA_R_8F_E4M3, "float8_e4m3fn"),
        (nvmath.CudaDataType.CUDA_R_32F, "float32"),
        (lt.DataType.R_16BF, "bfloat16"),
        (29, "float8_e5m2"),
        ("float16", "float16"),
    ],
)
def test_result_type_takes_cuda_data_types_and_dtypes(value, name):
    assert MatmulOptions(result_type=value).result_type == name


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("inplace", "yes", "inplace='yes'"),
        ("sm_count_target", -1, "sm_count_target=-1"),
        ("fast_accumulation", 2, "fast_accumulation=2"),
        ("block_scaling", None, "block_scaling=None"),
        ("device_id", -2, "device_id=-2"),
        ("handle", 0, "handle=0"),
        ("memory_limit", "80 apples", "memory_limit='80 apples'"),
        ("memory_limit", "120%", "memory_limit='120%'"),
        ("result_type", nvmath.CudaDataType.CUDA_R_8I, "result_type="),
    ],
)
def test_bad_option_values_are_named(field, value, message):
    with pytest.raises(ValueError, match=message):
        MatmulOptions(**{field: value})


def test_memory_limit_forms():
    assert memory_limit_bytes("80%", 1000) == 800
    assert memory_limit_bytes("50 MB", 0) == 50_000_000
    assert memory_limit_bytes("0.5GiB", 0) == 1 << 29
    assert memory_limit_bytes("2 kiB", 0) == 2048
    assert memory_limit_bytes(0.25, 1000) == 250
    assert memory_limit_bytes(4096, 1000) == 4096


def test_plan_preferences_take_epilog_preferences_and_flags():
    prefs = MatmulPlanPreferences(
        epilog={"aux_type": nvmath.CudaDataType.CUDA_R_8F_E4M3, "aux_amax": True},
        numerical_impl_mask=MatmulNumericalImplFlags.OP_TYPE_FMA | MatmulNumericalImplFlags.ACCUMULATOR_32F,
        limit=None,
    )
    assert prefs.epilog == MatmulEpilogPreferences(aux_type="float8_e4m3fn", aux_amax=True)
    assert prefs.numerical_impl_mask == 0x201 and prefs.limit == 8
    with pytest.raises(ValueError, match="aux_amax"):
        MatmulEpilogPreferences(aux_amax="no")


def test_plan_preferences_default_to_every_scheme_and_implementation_as_nvmath_python():
    from nvmath.linalg.advanced import MatmulReductionScheme

    prefs = MatmulPlanPreferences()
    assert prefs.reduction_scheme_mask is MatmulReductionScheme.MASK
    assert prefs.numerical_impl_mask is MatmulNumericalImplFlags.ALL
    assert MatmulPlanPreferences(reduction_scheme_mask=None, numerical_impl_mask=None).numerical_impl_mask is None
    assert MatmulPlanPreferences(reduction_scheme_mask=3).reduction_scheme_mask == 3


def test_block_scaling_is_refused_with_its_requirement():
    a, b = rand((32, 32), "float32"), rand((32, 32), "float32")
    with pytest.raises(ValueError, match="block_scaling=True applies to FP8"):
        Matmul(a, b, options={"block_scaling": True})
    torch = pytest.importorskip("torch")
    fa = torch.randn(32, 32).to(torch.float8_e4m3fn)
    with pytest.raises(ValueError, match=r"compute capability 10.0 or newer \(Blackwell\)"):
        Matmul(fa, fa.T, quantization_scales={"d": 1.0}, options={"block_scaling": True})


# -- in place ------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["C", "F"])
def test_inplace_numpy_writes_into_c_and_returns_it(order):
    rng = np.random.default_rng()
    a, b = rand((3, 12, 9), rng=rng), rand((3, 9, 7), rng=rng)
    c = np.asarray(rand((3, 12, 7), rng=rng), order=order)
    c0 = c.copy()
    result = matmul(a, b, c, alpha=0.5, beta=1.5, options={"inplace": True})
    assert result is c
    assert rel_err(c, 0.5 * a @ b + 1.5 * c0) <= 1e-12


def test_inplace_stateful_reset_keeps_c_as_the_last_result():
    rng = np.random.default_rng()
    a1, b1, c1 = rand((2, 10, 6), rng=rng), rand((2, 6, 8), rng=rng), rand((2, 10, 8), rng=rng)
    c1_in = c1.copy()
    with Matmul(a1, b1, c=c1, beta=1.0, options={"inplace": True}) as mm:
        mm.plan()
        r1 = mm.execute()
        assert r1 is c1 and rel_err(r1, a1 @ b1 + c1_in) <= 1e-12
        a2, b2, c2 = rand((2, 10, 6), rng=rng), rand((2, 6, 8), rng=rng), rand((2, 10, 8), rng=rng)
        c2_in = c2.copy()
        mm.reset_operands(a=a2, b=b2, c=c2)
        r2 = mm.execute()
        assert r2 is c2 and rel_err(r2, a2 @ b2 + c2_in) <= 1e-12
        want2 = r2.copy()
        mm.reset_operands(a=2 * a1, b=2 * b1)
        r3 = mm.execute()
        assert r3 is c2 and rel_err(r3, 4 * a1 @ b1 + want2) <= 1e-12


def test_inplace_torch_cpu():
    torch = pytest.importorskip("torch")
    a, b, c = torch.randn(5, 4, dtype=torch.float64), torch.randn(4, 6, dtype=torch.float64), torch.randn(5, 6)
    c = c.double()
    want = (a @ b + 2 * c).numpy()
    assert matmul(a, b, c, beta=2.0, options={"inplace": True}) is c
    assert rel_err(c.numpy(), want) <= 1e-12


@pytest.mark.parametrize(
    "a_shape, b_shape, c_shape, message",
    [
        ((4, 3), (3, 5), (4, 1), r"full shape \(4, 5\)"),
        ((2, 4, 3), (3, 5), (4, 5), r"full shape \(2, 4, 5\)"),
        ((3,), (3, 5), (5,), "matrix operands"),
    ],
)
def test_inplace_refuses_broadcast_c(a_shape, b_shape, c_shape, message):
    with pytest.raises(ValueError, match=message):
        Matmul(rand(a_shape), rand(b_shape), rand(c_shape), options={"inplace": True})
    with pytest.raises(ValueError, match="needs c"):
        Matmul(rand((4, 3)), rand((3, 5)), options={"inplace": True})


def test_inplace_ignores_result_type_with_a_warning(caplog):
    a, b, c = rand((4, 3)), rand((3, 5)), rand((4, 5))
    with caplog.at_level("WARNING"):
        assert matmul(a, b, c, options={"inplace": True, "result_type": "float32"}) is c
    assert "ignored" in caplog.text


# -- c broadcast along the columns -------------------------------------------------------------


@pytest.mark.parametrize("a_shape, c_shape", [((6, 5), (6, 1)), ((4, 6, 5), (6, 1)), ((4, 6, 5), (4, 6, 1))])
def test_c_broadcast_over_columns(a_shape, c_shape):
    rng = np.random.default_rng()
    a, b, c = rand(a_shape, rng=rng), rand((5, 7), rng=rng), rand(c_shape, rng=rng)
    d = matmul(a, b, c, beta=1.2)
    assert d.shape == (*a_shape[:-1], 7)
    assert rel_err(d, a @ b + 1.2 * c) <= 1e-12


# -- FP8 -------------------------------------------------------------------------------------------


def _fp8(torch, shape, dtype="float8_e4m3fn"):
    return (torch.randn(shape) * 2).to(getattr(torch, dtype))


def _f64(t):
    return t.to(dtype=__import__("torch").float64).numpy()


def test_fp8_default_result_is_fp8_of_a_and_needs_d():
    torch = pytest.importorskip("torch")
    a, b = _fp8(torch, (32, 16), "float8_e5m2"), _fp8(torch, (16, 32)).T.contiguous().T
    with pytest.raises(ValueError, match=r"quantization_scales\['d'\] is required"):
        matmul(a, b)
    d = matmul(a, b, quantization_scales={"a": 1, "b": 1, "d": 0.5})
    assert d.dtype == torch.float8_e5m2
    want = 0.5 * _f64(a) @ _f64(b)
    assert rel_err(_f64(d), np.clip(want, -57344, 57344)) <= 0.13


def test_fp8_default_result_with_c_is_c_type():
    torch = pytest.importorskip("torch")
    a, b, c = _fp8(torch, (32, 16)), _fp8(torch, (16, 32)), torch.randn(32, 32, dtype=torch.float16)
    d = matmul(a, b, c, beta=1.0, quantization_scales=MatmulQuantizationScales(a=2.0, b=1.0))
    assert d.dtype == torch.float16
    assert rel_err(_f64(d), 2 * _f64(a) @ _f64(b) + _f64(c)) <= 1e-2


def test_fp8_result_with_relu_and_cuda_data_type():
    torch = pytest.importorskip("torch")
    a, b = _fp8(torch, (32, 16)), _fp8(torch, (16, 32))
    d = matmul(
        a,
        b,
        epilog="RELU",
        quantization_scales={"a": 1, "b": 1, "d": 0.25},
        options={"result_type": nvmath.CudaDataType.CUDA_R_8F_E4M3},
    )
    assert d.dtype == torch.float8_e4m3fn and bool((d.float() >= 0).all())
    want = np.maximum(0.25 * _f64(a) @ _f64(b), 0)
    assert rel_err(_f64(d), want) <= 0.07


def test_fp8_gelu_aux_of_fp8_type_with_scale_and_amax():
    torch = pytest.importorskip("torch")
    from nvmath.linalg.advanced._cpu import gelu

    a, b = _fp8(torch, (32, 16)), _fp8(torch, (16, 32))
    result, aux = matmul(
        a,
        b,
        epilog="GELU_AUX",
        epilog_inputs={"aux_quantization_scale": 0.5},
        preferences={"epilog": {"aux_type": nvmath.CudaDataType.CUDA_R_8F_E4M3, "aux_amax": True}},
        quantization_scales={"a": 1, "b": 1, "d": 1},
    )
    assert set(aux) == {"gelu_aux", "gelu_aux_amax"}
    pre = _f64(a) @ _f64(b)
    assert aux["gelu_aux"].dtype == torch.float8_e4m3fn
    assert rel_err(_f64(aux["gelu_aux"]), 0.5 * pre) <= 0.07
    assert abs(float(aux["gelu_aux_amax"]) - np.abs(pre).max()) <= 1e-3 * np.abs(pre).max()
    assert rel_err(_f64(result), np.clip(gelu(pre), -448, 448)) <= 0.07
    with pytest.raises(ValueError, match="aux_quantization_scale'] is required"):
        matmul(a, b, epilog="GELU_AUX", preferences={"epilog": {"aux_type": "float8_e4m3fn"}},
               quantization_scales={"d": 1})  # fmt: skip


def test_fp8_reset_operands_changes_scales():
    torch = pytest.importorskip("torch")
    a, b = _fp8(torch, (16, 32)), _fp8(torch, (32, 16))
    opts = {"result_type": nvmath.CudaDataType.CUDA_R_32F}
    with Matmul(a, b, quantization_scales={"a": 3, "b": 2}, options=opts) as mm:
        mm.plan()
        base = _f64(a) @ _f64(b)
        assert rel_err(mm.execute().numpy(), 6 * base) <= 1e-5
        new_a = _fp8(torch, (16, 32))
        mm.reset_operands(a=new_a, quantization_scales={"a": 0.5})
        assert rel_err(mm.execute().numpy(), 1.0 * _f64(new_a) @ _f64(b)) <= 1e-5
        with pytest.raises(ValueError, match=r"quantization_scales\['d'\] applies to an FP8 result"):
            mm.reset_operands(quantization_scales={"d": 2.0})


# -- release / unchecked reset ---------------------------------------------------------------------


def test_release_operands_drops_references_and_needs_a_reset():
    import gc
    import weakref

    torch = pytest.importorskip("torch")
    a, b = torch.randn(8, 5, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)
    bias = torch.randn(8, dtype=torch.float64)
    mm = Matmul(a, b)
    mm.plan(epilog="BIAS", epilog_inputs={"bias": bias})
    refs = [weakref.ref(t) for t in (a, b, bias)]
    mm.release_operands()
    del a, b, bias
    gc.collect()
    assert all(r() is None for r in refs)
    with pytest.raises(RuntimeError, match="release_operands"):
        mm.execute()
    a2, b2, bias2 = torch.randn(8, 5, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64), torch.randn(8)
    bias2 = bias2.double()
    with pytest.raises(ValueError, match="missing: epilog_inputs"):
        mm.reset_operands(a=a2, b=b2)
    mm.reset_operands(a=a2, b=b2, epilog_inputs={"bias": bias2})
    want = (a2 @ b2).numpy() + bias2.numpy()[:, None]
    assert rel_err(mm.execute().numpy(), want) <= 1e-12
    mm.free()


def test_reset_operands_unchecked_keeps_the_layout_check():
    rng = np.random.default_rng()
    a, b = rand((6, 5), rng=rng), rand((5, 4), rng=rng)
    with Matmul(a, b) as mm:
        mm.plan()
        a2, b2 = rand((6, 5), rng=rng), rand((5, 4), rng=rng)
        mm.reset_operands_unchecked(a=a2, b=b2, alpha=2.0)
        assert rel_err(mm.execute(), 2 * a2 @ b2) <= 1e-12
        with pytest.raises(ValueError, match="strides"):
            mm.reset_operands_unchecked(a=np.asfortranarray(a2))
        with pytest.raises(ValueError, match="shape"):
            mm.reset_operands_unchecked(b=rand((5, 3)))
        mm.release_operands()
        with pytest.raises(ValueError, match="missing: b"):
            mm.reset_operands_unchecked(a=a2)


# -- Algorithm (no GPU: the tables and the object's plumbing) ------------------------------------


def test_algorithm_shape_tables_and_pickle():
    from nvmath.linalg.advanced import _algorithm as A

    assert A._TILE_MEMBER[(128, 128)] == lt.MatmulTile.TILE_128x128 == 20
    assert A._STAGES_MEMBER[(64, "AUTO")] == lt.MatmulStages.STAGES_64xAUTO == 35
    assert A._CLUSTER_MEMBER[(2, 1, 1)] == lt.ClusterShape.SHAPE_2x1x1 == 3
    assert A._CLUSTER_MEMBER["AUTO"] == 0 and A._TILE_MEMBER["UNDEFINED"] == 0
    result = lt.MatmulHeuristicResult()
    result.workspaceSize = 1234
    algo = Algorithm(result)
    back = pickle.loads(pickle.dumps(algo))
    assert back == algo and back.workspace_size == 1234 and not back.modified
    with pytest.raises(TypeError, match="MatmulHeuristicResult"):
        Algorithm(object())
    with pytest.raises(ValueError, match=r"tile=\(3, 3\) is not supported"):
        algo.tile = (3, 3)
    with pytest.raises(ValueError, match="split_k=-1"):
        algo.split_k = -1
    fields = {f for f in AlgorithmCapabilities.__dataclass_fields__}
    assert {"splitk_support", "tile_ids", "stages_ids", "custom_option_max", "cta_swizzling_support"} <= fields
    assert "tile_ids" in str(AlgorithmCapabilities())


def test_an_algorithm_in_a_log_line_names_its_configuration_or_its_bytes():
    from nvmath.linalg.advanced._cuda import brief

    result = lt.MatmulHeuristicResult()
    result.workspaceSize = 99
    text = brief(Algorithm(result))
    # With cuBLASLt loadable the configuration is read; without it, the description's bytes.
    assert text.startswith("id 0 tile") or ("Algorithm(" in text and "workspace_size=99" in text), text
    from nvmath.linalg.advanced._cuda import _Described

    assert str(_Described([Algorithm(result)] * 2)) == f"{text}; {text}"  # described when written


def test_cpu_plan_takes_algorithms_argument_type_check():
    a, b = rand((4, 3)), rand((3, 2))
    with Matmul(a, b) as mm, pytest.raises(TypeError, match="algorithms="):
        mm.plan(algorithms=[1, 2])


def test_nvfp4_operands_and_results_are_refused_naming_blackwell():
    torch = pytest.importorskip("torch")
    if not hasattr(torch, "float4_e2m1fn_x2"):
        pytest.skip("this torch has no float4_e2m1fn_x2")
    a = torch.zeros(128, 64, dtype=torch.uint8).view(torch.float4_e2m1fn_x2)
    with pytest.raises(TypeError, match=r"float4_e2m1fn_x2 \(NVFP4.*compute capability 10.0 or newer \(Blackwell\)"):
        nvmath.linalg.advanced.matmul(a, a.T)
    with pytest.raises(ValueError, match=r"CUDA_R_4F_E2M1, NVFP4\) needs block scaling.*Blackwell"):
        nvmath.linalg.advanced.MatmulOptions(result_type=nvmath.CudaDataType.CUDA_R_4F_E2M1)
