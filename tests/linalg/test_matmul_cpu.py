"""nvmath.linalg.advanced on the CPU: every epilog against float64 references, layouts,
batching, and bad input."""

import logging
import math

import numpy as np
import pytest

from nvmath.linalg.advanced import Matmul, MatmulEpilog, MatmulOptions, matmul, matrix_qualifiers_dtype
from nvmath.linalg.advanced._cpu import pack_relu_mask, unpack_relu_mask

TOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}


def rand(shape, dtype, rng=None):
    rng = rng or np.random.default_rng()
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def assert_close(got, want, dtype):
    got = np.asarray(got, dtype=np.complex128 if np.iscomplexobj(got) else np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)
    assert err <= TOL[np.dtype(dtype).name], err


def gelu64(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def test_fp16_operands_with_fp32_c_give_an_fp32_result():
    """As cuBLASLt (and nvmath-python): c's type is the result's where cuBLASLt computes it from
    the operands (fp32 from fp16 or bf16); result_type may ask for it without c."""
    rng = np.random.default_rng(5)
    a, b, c = rand((24, 16), "float16", rng), rand((16, 20), "float16", rng), rand((24, 20), "float32", rng)
    d = matmul(a, b, c, alpha=1.5, beta=-0.5)
    assert d.dtype == np.float32
    assert_close(d, 1.5 * (a.astype(np.float64) @ b.astype(np.float64)) - 0.5 * c, "float32")
    assert matmul(a, b, options={"result_type": "float32"}).dtype == np.float32
    assert matmul(a, b).dtype == np.float16
    with pytest.raises(TypeError, match="result_type='float64' is not supported with float16 operands; accepted: "):
        matmul(a, b, options={"result_type": "float64"})
    with pytest.raises(TypeError, match="c has dtype float64 but the result is float32"):
        matmul(a.astype(np.float32), b.astype(np.float32), c.astype(np.float64))


@pytest.mark.parametrize("epilog", [MatmulEpilog.DEFAULT, 1, "DEFAULT"])
def test_the_default_epilog_is_no_epilog(epilog):
    rng = np.random.default_rng(9)
    a, b = rand((6, 5), "float32", rng), rand((5, 4), "float32", rng)
    assert_close(matmul(a, b, epilog=epilog), a.astype(np.float64) @ b, "float32")
    with Matmul(a, b) as mm:
        mm.plan(epilog=epilog)
        assert_close(mm.execute(), a.astype(np.float64) @ b, "float32")
    with pytest.raises(ValueError, match=r"epilog_inputs \['bias'\] were given without an epilog"):
        matmul(a, b, epilog=epilog, epilog_inputs={"bias": rand((6,), "float32", rng)})


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "complex128"])
def test_plain_with_alpha_beta_c(dtype):
    a, b, c = rand((7, 5), dtype), rand((5, 9), dtype), rand((7, 9), dtype)
    d = matmul(a, b, c, alpha=0.5, beta=2.0)
    assert d.dtype == np.dtype(dtype)
    assert_close(d, 0.5 * a.astype(np.complex128) @ b + 2.0 * c.astype(np.complex128), dtype)


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((4, 3, 5), (5, 2)),  # batched a, broadcast b
        ((3, 5), (6, 5, 2)),  # broadcast a
        ((2, 1, 3, 5), (4, 5, 2)),  # broadcast both
        ((5,), (5, 2)),  # vector a
        ((3, 5), (5,)),  # vector b
        ((5,), (5,)),  # dot
    ],
)
def test_batches_and_vectors_follow_numpy(a_shape, b_shape):
    a, b = rand(a_shape, "float64"), rand(b_shape, "float64")
    assert_close(matmul(a, b), np.matmul(a, b), "float64")


@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided"])
def test_layouts(layout):
    base_a, base_b = rand((12, 10), "float64"), rand((10, 8), "float64")
    make = {
        "C": lambda x: x,
        "F": np.asfortranarray,
        "transposed": lambda x: np.ascontiguousarray(x.T).T,
        "strided": lambda x: np.repeat(x, 2, axis=1)[:, ::2],
    }[layout]
    a, b = make(base_a), make(base_b)
    assert_close(matmul(a, b), base_a @ base_b, "float64")


def test_conjugate_qualifiers():
    a, b = rand((4, 6), "complex128"), rand((6, 3), "complex128")
    q = np.zeros(3, matrix_qualifiers_dtype)
    q["is_conjugate"] = [True, False, False]
    assert_close(matmul(a, b, qualifiers=q), a.conj() @ b, "complex128")
    q["is_conjugate"] = [False, True, False]
    assert_close(matmul(a, b, qualifiers=q), a @ b.conj(), "complex128")


@pytest.mark.parametrize("epilog", ["RELU", "BIAS", "RELU_BIAS", "GELU", "GELU_BIAS"])
def test_pointwise_epilogs(epilog):
    rng = np.random.default_rng()
    a, b = rand((2, 9, 6), "float32", rng), rand((6, 5), "float32", rng)
    bias = rand((9,), "float32", rng)
    inputs = {"bias": bias} if "BIAS" in epilog else None
    d = matmul(a, b, epilog=epilog, epilog_inputs=inputs)
    x = a.astype(np.float64) @ b + (bias[:, None] if inputs else 0)
    want = np.maximum(x, 0) if "RELU" in epilog else gelu64(x) if "GELU" in epilog else x
    assert_close(d, want, "float32")


def test_relu_aux_round_trip_and_backward():
    rng = np.random.default_rng()
    a, b, bias = rand((9, 6), "float64", rng), rand((6, 5), "float64", rng), rand((9, 1), "float64", rng)
    d, aux = matmul(a, b, epilog=MatmulEpilog.RELU_AUX_BIAS, epilog_inputs={"bias": bias})
    x = a @ b + bias
    assert_close(d, np.maximum(x, 0), "float64")
    mask = aux["relu_aux"]
    assert mask.dtype == np.uint8 and mask.shape == (16, 5)  # 9 rows rounded up to 128 bits
    assert mask.strides == (1, 16)  # column-major, as cuBLASLt writes it
    assert np.array_equal(unpack_relu_mask(mask, 9), x > 0)
    # Backward: DRELU multiplies by the mask; DRELU_BGRAD also sums the rows.
    g, gb = rand((9, 4), "float64", rng), rand((4, 5), "float64", rng)
    dx, aux2 = matmul(g, gb, epilog="DRELU_BGRAD", epilog_inputs={"relu_aux": mask})
    assert_close(dx, (g @ gb) * (x > 0), "float64")
    assert_close(aux2["drelu_bgrad"], ((g @ gb) * (x > 0)).sum(axis=1), "float64")


def test_gelu_aux_and_dgelu():
    rng = np.random.default_rng()
    a, b = rand((8, 6), "float64", rng), rand((6, 7), "float64", rng)
    d, aux = matmul(a, b, epilog="GELU_AUX")
    assert_close(aux["gelu_aux"], a @ b, "float64")
    assert_close(d, gelu64(a @ b), "float64")
    g = rand((8, 3), "float64", rng), rand((3, 7), "float64", rng)
    dx, aux2 = matmul(*g, epilog="DGELU_BGRAD", epilog_inputs={"gelu_aux": aux["gelu_aux"]})
    h = 1e-6
    deriv = (gelu64(a @ b + h) - gelu64(a @ b - h)) / (2 * h)  # independent of nvmath's formula
    want = (g[0] @ g[1]) * deriv
    assert np.linalg.norm(dx - want) / np.linalg.norm(want) < 1e-8
    assert np.allclose(aux2["dgelu_bgrad"], want.sum(axis=1), rtol=1e-7)


def test_bias_gradients():
    rng = np.random.default_rng()
    a, b = rand((5, 6), "float64", rng), rand((6, 4), "float64", rng)
    d, aux = matmul(a, b, epilog="BGRADA")
    assert_close(d, a @ b, "float64")
    assert_close(aux["bgrada"], a.sum(axis=1), "float64")
    d, aux = matmul(a, b, epilog="BGRADB")
    assert_close(aux["bgradb"], b.sum(axis=0), "float64")


def test_pack_relu_mask_bit_order():
    positive = np.zeros((130, 2), bool)
    positive[0, 0] = positive[9, 0] = positive[129, 1] = True
    mask = pack_relu_mask(positive)
    assert mask.shape == (32, 2)
    assert mask[0, 0] == 1 and mask[1, 0] == 2 and mask[16, 1] == 2 and mask.sum() == 5


def test_torch_cpu_operands_and_half_types():
    torch = pytest.importorskip("torch")
    a, b = torch.randn(6, 8, dtype=torch.bfloat16), torch.randn(8, 3, dtype=torch.bfloat16)
    d = matmul(a, b)
    assert isinstance(d, torch.Tensor) and d.dtype == torch.bfloat16
    want = a.double().numpy() @ b.double().numpy()
    assert np.linalg.norm(d.double().numpy() - want) / np.linalg.norm(want) < 1e-2


def test_fp8_scales_and_amax_on_torch_cpu():
    torch = pytest.importorskip("torch")
    a = torch.randn(16, 32).to(torch.float8_e4m3fn)
    b = torch.randn(32, 8).to(torch.float8_e4m3fn)
    opts = {"result_amax": True, "result_type": "bfloat16"}  # an FP8 result is the default
    d, aux = matmul(a, b, quantization_scales={"a": 2.0, "b": 0.25}, options=opts)
    assert d.dtype == torch.bfloat16
    want = (2.0 * a.float().numpy()) @ (0.25 * b.float().numpy())
    assert np.linalg.norm(d.float().numpy() - want) / np.linalg.norm(want) < 1e-2
    assert abs(float(aux["result_amax"]) - np.abs(want).max()) <= 1e-2 * np.abs(want).max()


def test_stateful_reset_operands():
    a, b = rand((4, 5), "float64"), rand((5, 3), "float64")
    with Matmul(a, b) as mm:
        mm.plan()
        assert_close(mm.execute(), a @ b, "float64")
        a2 = rand((4, 5), "float64")
        mm.reset_operands(a=a2, alpha=3.0)
        assert_close(mm.execute(), 3.0 * a2 @ b, "float64")
        with pytest.raises(ValueError, match="new a's shape"):
            mm.reset_operands(a=rand((4, 6), "float64"))
        assert_close(mm.execute(), 3.0 * a2 @ b, "float64")  # unchanged after the refusal


# -- bad input ------------------------------------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"a has shape \(4, 5\) and b has shape \(6, 3\).*\(5\).*\(6\)"):
        matmul(rand((4, 5), "float32"), rand((6, 3), "float32"))


def test_batch_mismatch():
    with pytest.raises(ValueError, match="do not broadcast.*a batch shape \\(3,\\).*b batch shape \\(4,\\)"):
        matmul(rand((3, 4, 5), "float32"), rand((4, 5, 2), "float32"))


def test_dtype_combination_lists_supported():
    with pytest.raises(TypeError, match="float32 and b has dtype float64.*does not promote"):
        matmul(rand((2, 2), "float32"), rand((2, 2), "float64"))
    with pytest.raises(TypeError, match="int32; supported: float16, bfloat16"):
        matmul(np.ones((2, 2), np.int32), np.ones((2, 2), np.int32))
    with pytest.raises(TypeError, match="c has dtype float32 but the result is float64"):
        matmul(rand((2, 2), "float64"), rand((2, 2), "float64"), rand((2, 2), "float32"))


def test_c_shape():
    with pytest.raises(ValueError, match=r"c has shape \(3, 3\).*\(2, 4\)"):
        matmul(rand((2, 5), "float32"), rand((5, 4), "float32"), rand((3, 3), "float32"))


@pytest.mark.parametrize(
    "epilog, inputs, message",
    [
        ("BIAS", None, "missing \\['bias'\\]"),
        ("RELU", {"bias": np.zeros(4, np.float32)}, "unexpected \\['bias'\\]"),
        ("BIAS", {"bias": np.zeros(5, np.float32)}, "bias'\\] has shape \\(5,\\).*\\(4,\\)"),
        ("BIAS", {"bias": np.zeros(4, np.float64)}, "bias'\\] has dtype float64.*float32"),
        ("DRELU", {"relu_aux": np.zeros((4, 3), np.uint8)}, "relu_aux'\\] has shape \\(4, 3\\).*\\(16, 3\\)"),
        ("NOPE", None, "epilog='NOPE' is not supported"),
    ],
)
def test_epilog_input_errors(epilog, inputs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        matmul(rand((4, 5), "float32"), rand((5, 3), "float32"), epilog=epilog, epilog_inputs=inputs)


def test_epilogs_need_real_types():
    with pytest.raises(TypeError, match="RELU is supported for real results"):
        matmul(rand((2, 2), "complex64"), rand((2, 2), "complex64"), epilog="RELU")


def test_execute_before_plan_and_after_free():
    mm = Matmul(rand((2, 3), "float32"), rand((3, 2), "float32"))
    with pytest.raises(RuntimeError, match="before plan"):
        mm.execute()
    mm.plan()
    mm.free()
    from nvmath.linalg.advanced.matmul import InvalidMatmulState  # nvmath-python's type, not exported

    with pytest.raises(InvalidMatmulState, match="freed"):
        mm.execute()
    with pytest.raises(RuntimeError, match="freed"):
        mm.plan()


def test_mixed_packages_and_options():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="one package and on one device"):
        matmul(rand((2, 2), "float32"), torch.ones(2, 2))
    with pytest.raises(ValueError, match="memory_limit='lots'"):
        matmul(rand((2, 2), "float32"), rand((2, 2), "float32"), options={"memory_limit": "lots"})
    with pytest.raises(ValueError, match="quantization_scales apply to FP8"):
        matmul(rand((2, 2), "float32"), rand((2, 2), "float32"), quantization_scales={"a": 1.0})


# -- c with vector operands (NumPy's a @ b + c) -----------------------------------------------------


@pytest.mark.parametrize(
    "a_shape, b_shape, c_shape",
    [
        ((5,), (5, 3), (3,)),  # row vector a: c is a vector of the result's length
        ((4, 5), (5,), (4,)),  # column vector b
        ((5,), (5,), ()),  # dot product: c is a scalar
        ((5,), (5,), (3,)),  # ... or a batch of scalars
        ((2, 4, 5), (5,), (2, 4)),  # batched a, vector b
        ((2, 4, 5), (5,), (4,)),  # c broadcast over the batch
        ((2, 4, 5), (5,), (1, 4)),
        ((5,), (2, 5, 3), (2, 3)),  # vector a, batched b
        ((5,), (2, 5, 3), (3,)),
        ((5,), (5, 3), (2, 3)),  # c alone brings a batch
    ],
)
def test_c_with_vector_operands_follows_numpy(a_shape, b_shape, c_shape):
    rng = np.random.default_rng()
    a, b, c = rand(a_shape, "float64", rng), rand(b_shape, "float64", rng), rand(c_shape, "float64", rng)
    d = matmul(a, b, c, alpha=0.5, beta=-1.5)
    assert_close(d, 0.5 * np.matmul(a, b) - 1.5 * c, "float64")


@pytest.mark.parametrize("dtype", ["float32", "complex64"])
def test_c_with_vector_operands_strided_and_typed(dtype):
    rng = np.random.default_rng()
    a, b = rand((6,), dtype, rng), rand((6, 4), dtype, rng)
    c = rand((8,), dtype, rng)[::2]  # a strided vector
    d = matmul(a, b, c)
    assert d.dtype == np.dtype(dtype) and d.shape == (4,)
    assert_close(d, a.astype(np.complex128) @ b + c, dtype)


def test_c_with_vector_operands_and_an_epilog():
    rng = np.random.default_rng()
    a, b, c = rand((5, 6), "float32", rng), rand((6,), "float32", rng), rand((5,), "float32", rng)
    bias = rand((5,), "float32", rng)
    d = matmul(a, b, c, epilog="RELU_BIAS", epilog_inputs={"bias": bias})
    assert_close(d, np.maximum(a.astype(np.float64) @ b + c + bias, 0), "float32")


@pytest.mark.parametrize(
    "a_shape, b_shape, c_shape, message",
    [
        (
            (5,),
            (5, 3),
            (4,),
            r"c has shape \(4,\), but a \(5,\) @ b \(5, 3\) has vectors of shape \(3,\) "
            r"\(a 1-D a drops the row axis, as in NumPy\): c must be \(3,\) or batched \(\.\.\., 3\)",
        ),
        ((5,), (5, 3), (1, 3, 1), r"c has shape \(1, 3, 1\).*c must be \(3,\)"),
        ((4, 5), (5,), (3,), r"c has shape \(3,\).*has vectors of shape \(4,\) \(a 1-D b drops the column axis"),
        ((4, 5), (5,), (4, 1), r"c has shape \(4, 1\).*c must be \(4,\) or batched \(\.\.\., 4\)"),
        ((4, 5), (5, 3), (3,), r"c has shape \(3,\).*has matrices of shape \(4, 3\): c must be \(4, 3\)"),
        ((2, 4, 5), (5,), (3, 4), r"do not broadcast: a batch shape \(2,\), b batch shape \(\), c batch shape \(3,\)"),
    ],
)
def test_c_with_vector_operands_bad_shapes(a_shape, b_shape, c_shape, message):
    with pytest.raises(ValueError, match=message):
        matmul(rand(a_shape, "float32"), rand(b_shape, "float32"), rand(c_shape, "float32"))


def test_c_with_vector_operands_reset_keeps_state_on_refusal():
    rng = np.random.default_rng()
    a, b, c = rand((2, 4, 5), "float64", rng), rand((5,), "float64", rng), rand((2, 4), "float64", rng)
    with Matmul(a, b, c, beta=2.0) as mm:
        mm.plan()
        assert_close(mm.execute(), a @ b + 2 * c, "float64")
        c2 = rand((2, 4), "float64", rng)
        mm.reset_operands(c=c2)
        assert_close(mm.execute(), a @ b + 2 * c2, "float64")
        with pytest.raises(ValueError, match="new c's shape"):
            mm.reset_operands(c=rand((4,), "float64", rng))
        with pytest.raises(ValueError, match="new c's dtype"):
            mm.reset_operands(a=rand((2, 4, 5), "float64", rng), c=rand((2, 4), "float32", rng))
        assert_close(mm.execute(), a @ b + 2 * c2, "float64")  # neither a nor c changed


# -- FP8 results -----------------------------------------------------------------------------------

# Relative L2 error of a dequantized FP8 result against float64 (3 and 2 mantissa bits: 2^-4 and
# 2^-3 at worst per element, about half of that on average).
FP8_TOL = {"float8_e4m3fn": 0.07, "float8_e5m2": 0.13}
FP8_MAX = {"float8_e4m3fn": 448.0, "float8_e5m2": 57344.0}


def _fp8(torch, shape, dtype, rng):
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32)).to(getattr(torch, dtype))


def _f64(t):
    return t.double().numpy()


@pytest.mark.parametrize(
    "a_type, b_type, d_type, c_type",
    [
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", None),
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", "bfloat16"),
        ("float8_e4m3fn", "float8_e4m3fn", "float8_e4m3fn", "float16"),
        ("float8_e4m3fn", "float8_e5m2", "float8_e5m2", "bfloat16"),
        ("float8_e5m2", "float8_e4m3fn", "float8_e5m2", "float16"),
        ("float8_e5m2", "float8_e4m3fn", "float8_e4m3fn", None),
    ],
)
def test_fp8_results_against_float64(a_type, b_type, d_type, c_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a, b = _fp8(torch, (2, 32, 64), a_type, rng), _fp8(torch, (64, 48), b_type, rng)
    c = (
        torch.from_numpy(rng.standard_normal((32, 48)).astype(np.float32)).to(getattr(torch, c_type))
        if c_type
        else None
    )
    sa, sb, sd = 0.5, 1.5, 8.0
    d, aux = matmul(
        a,
        b,
        c,
        alpha=0.75,
        beta=-2.0 if c_type else None,
        quantization_scales={"a": sa, "b": sb, "d": sd},
        options={"result_type": d_type, "result_amax": True},
    )
    assert d.dtype == getattr(torch, d_type) and d.shape == (2, 32, 48)
    want = 0.75 * (sa * _f64(a)) @ (sb * _f64(b)) + (-2.0 * _f64(c) if c_type else 0)
    err = np.linalg.norm(_f64(d) / sd - want) / np.linalg.norm(want)
    assert err <= FP8_TOL[d_type], err
    # amax: the largest magnitude before the d scale and before the rounding to FP8.
    amax = aux["result_amax"]
    assert amax.dtype == torch.float32 and amax.shape == ()
    assert abs(float(amax) - np.abs(want).max()) <= 1e-5 * np.abs(want).max()


def test_fp8_result_saturates_instead_of_overflowing():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    for d_type, b_type in (("float8_e4m3fn", "float8_e4m3fn"), ("float8_e5m2", "float8_e5m2")):
        a, b = _fp8(torch, (16, 32), "float8_e4m3fn", rng), _fp8(torch, (32, 16), b_type, rng)  # E5M2 D: E5M2 b
        want = _f64(a) @ _f64(b)
        sd = 4 * FP8_MAX[d_type] / np.abs(want).max()  # the largest values land far beyond the format
        d = matmul(a, b, quantization_scales={"d": sd}, options={"result_type": d_type})
        got = _f64(d)
        assert np.isfinite(got).all()
        big = np.abs(want * sd) > 2 * FP8_MAX[d_type]
        assert big.any() and np.array_equal(got[big], np.sign(want[big]) * FP8_MAX[d_type])


def test_fp8_result_with_array_scales_read_at_every_execute():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a, b = _fp8(torch, (16, 32), "float8_e4m3fn", rng), _fp8(torch, (32, 16), "float8_e4m3fn", rng)
    sa, sd = torch.tensor(0.5), torch.tensor([4.0])  # shape () and (1,), float32
    want = (0.5 * _f64(a)) @ _f64(b)
    with Matmul(a, b, quantization_scales={"a": sa, "d": sd}, options={"result_type": "float8_e4m3fn"}) as mm:
        mm.plan()
        d = mm.execute()
        assert np.linalg.norm(_f64(d) / 4 - want) / np.linalg.norm(want) <= FP8_TOL["float8_e4m3fn"]
        sa.fill_(0.25)  # in place: the next execute sees it
        sd.fill_(16.0)
        d = mm.execute()
        assert np.linalg.norm(_f64(d) / 16 - want / 2) / np.linalg.norm(want / 2) <= FP8_TOL["float8_e4m3fn"]


def test_fp8_bf16_result_with_fp16_and_fp32_results():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a, b = _fp8(torch, (16, 32), "float8_e4m3fn", rng), _fp8(torch, (32, 8), "float8_e5m2", rng)
    for d_type in ("float16", "float32"):
        c = torch.from_numpy(rng.standard_normal((16, 8)).astype(np.float32)).to(getattr(torch, d_type))
        d = matmul(a, b, c, beta=0.5, quantization_scales={"a": 2.0}, options={"result_type": d_type})
        assert d.dtype == getattr(torch, d_type)
        want = (2 * _f64(a)) @ _f64(b) + 0.5 * _f64(c)
        assert np.linalg.norm(_f64(d) - want) / np.linalg.norm(want) < 1e-2
    # cuBLASLt's FP8 kernels with an fp32 result take a bf16 bias.
    bias = torch.from_numpy(rng.standard_normal(16).astype(np.float32)).to(torch.bfloat16)
    d = matmul(a, b, epilog="BIAS", epilog_inputs={"bias": bias}, options={"result_type": "float32"})
    want = _f64(a) @ _f64(b) + _f64(bias)[:, None]
    assert np.linalg.norm(_f64(d) - want) / np.linalg.norm(want) < 1e-5
    with pytest.raises(
        TypeError,
        match=r"bias'\] has dtype float32; it must be cuBLASLt's type for FP8 operands "
        r"with a float32 result, bfloat16",
    ):
        matmul(a, b, epilog="BIAS", epilog_inputs={"bias": bias.float()}, options={"result_type": "float32"})


def _fp8_operands(torch, a_type="float8_e4m3fn", b_type="float8_e4m3fn"):
    return torch.zeros(16, 16).to(getattr(torch, a_type)), torch.zeros(16, 16).to(getattr(torch, b_type))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"options": {"result_type": "float8_e4m3fn"}},
            ValueError,
            r"quantization_scales\['d'\] is required for the FP8 result \(float8_e4m3fn\).*scale_d \* \(alpha \* scale_a "
            r"\* scale_b \* a @ b \+ beta \* c\); give a float or a one-element float32 array",
        ),
        (
            {"options": {"result_type": "float8_e4m3fn"}, "quantization_scales": {"a": 2.0}},
            ValueError,
            r"quantization_scales\['d'\] is required",
        ),
        (
            {"options": {"result_type": "float8_e4m3fn"}, "quantization_scales": {"d": None}},
            ValueError,
            r"quantization_scales\['d'\] is required",
        ),
        (
            {"quantization_scales": {"d": 2.0}, "options": {"result_type": "bfloat16"}},
            ValueError,
            r"quantization_scales\['d'\] applies to an FP8 result; the result is bfloat16",
        ),
        (
            {"quantization_scales": {"c": 2.0}},
            ValueError,
            r"quantization_scales\['c'\] is not supported: with FP8 operands, c is float16",
        ),
        (
            {"quantization_scales": {"e": 2.0}},
            TypeError,
            r"quantization_scales has keys \['e'\]; accepted: 'a', 'b', 'd'",
        ),
        ({"quantization_scales": [2.0]}, TypeError, r"quantization_scales must be a dict"),
        (
            {"quantization_scales": {"a": "2", "d": 1.0}},
            TypeError,
            r"quantization_scales\['a'\]='2' is not supported; accepted: a real number, or a float32 array of one element",
        ),
        (
            {"quantization_scales": {"a": True, "d": 1.0}},
            TypeError,
            r"quantization_scales\['a'\]=True is not supported",
        ),
        (
            {"options": {"result_type": "float8_e5m2"}, "quantization_scales": {"d": 1.0}},
            TypeError,
            r"result_type='float8_e5m2' is not supported for FP8 operands float8_e4m3fn and float8_e4m3fn; accepted: "
            r"bfloat16, float16, float32, float8_e4m3fn",
        ),
        (
            {"options": {"result_type": "float64"}},
            TypeError,
            r"result_type='float64' is not supported for FP8 operands",
        ),
        (
            {"options": {"result_type": "float8_e4m3fn"}, "quantization_scales": {"d": 1.0}, "epilog": "BGRADA"},
            TypeError,
            r"epilog BGRADA is not supported with an FP8 result \(float8_e4m3fn\); accepted: RELU, RELU_AUX, BIAS",
        ),
    ],
)
def test_fp8_result_errors(kwargs, error, message):
    torch = pytest.importorskip("torch")
    a, b = _fp8_operands(torch)
    with pytest.raises(error, match=message):
        matmul(a, b, **kwargs)


def test_fp8_type_table_errors():
    torch = pytest.importorskip("torch")
    a, b = _fp8_operands(torch, "float8_e5m2", "float8_e5m2")
    with pytest.raises(
        TypeError,
        match=r"a has dtype float8_e5m2 and b has dtype float8_e5m2: cuBLASLt multiplies "
        r"the FP8 pairs float8_e4m3fn x float8_e4m3fn, float8_e4m3fn x float8_e5m2, "
        r"float8_e5m2 x float8_e4m3fn only",
    ):
        matmul(a, b)
    a, b = _fp8_operands(torch)
    for c_dtype in (torch.float32, torch.float8_e4m3fn):
        with pytest.raises(
            TypeError,
            match=r"c has dtype float(32|8_e4m3fn); with FP8 operands float8_e4m3fn and "
            r"float8_e4m3fn and an FP8 result float8_e4m3fn, cuBLASLt takes c of "
            r"dtype float16 or bfloat16",
        ):
            matmul(
                a,
                b,
                torch.zeros(16, 16, dtype=c_dtype),
                quantization_scales={"d": 1.0},
                options={"result_type": "float8_e4m3fn"},
            )
    with pytest.raises(TypeError, match=r"c has dtype float16 but the result is bfloat16"):
        matmul(a, b, torch.zeros(16, 16, dtype=torch.float16), options={"result_type": "bfloat16"})


def test_fp8_array_scale_errors():
    torch = pytest.importorskip("torch")
    a, b = _fp8_operands(torch)
    opts = {"result_type": "float8_e4m3fn"}
    with pytest.raises(
        TypeError,
        match=r"quantization_scales\['d'\] has dtype float64 and shape \(\); an array scale "
        r"must be float32 with one element, of shape \(\) or \(1,\)",
    ):
        matmul(a, b, quantization_scales={"d": torch.tensor(1.0, dtype=torch.float64)}, options=opts)
    with pytest.raises(TypeError, match=r"quantization_scales\['d'\] has dtype float32 and shape \(2,\)"):
        matmul(a, b, quantization_scales={"d": torch.ones(2)}, options=opts)
    with pytest.raises(TypeError, match=r"quantization_scales\['d'\] has dtype float32 and shape \(1, 1\)"):
        matmul(a, b, quantization_scales={"d": torch.ones(1, 1)}, options=opts)
    with pytest.raises(
        ValueError,
        match=r"quantization_scales\['d'\] is a numpy array on the host; it must be where "
        r"the operands are \(torch",
    ):
        matmul(a, b, quantization_scales={"d": np.ones(1, np.float32)}, options=opts)


def test_result_amax_needs_fp8_operands():
    with pytest.raises(ValueError, match=r"options.result_amax=True applies to FP8 operands only; these are float32"):
        matmul(rand((2, 2), "float32"), rand((2, 2), "float32"), options={"result_amax": True})


# -- the layouts the GPU path gives cuBLASLt for c, checked on the host ------------------------------


def _c_layout_of(a, b, c, swap):
    """Run CudaMatmul's C-layout logic on host arrays; returns (layout, the c it describes)."""
    from nvmath._internal.tensor import wrap_operand
    from nvmath.linalg.advanced._cuda import CudaMatmul
    from nvmath.linalg.advanced._problem import Problem

    ha, hb, hc = (wrap_operand(x, n) for x, n in ((a, "a"), (b, "b"), (c, "c")))
    cm = CudaMatmul.__new__(CudaMatmul)
    cm.p = Problem(ha, hb, hc, None, None, None, None)
    cm.swap, cm.dev, cm.stream, cm._copied = swap, {"c": hc}, None, set()
    cm.options = MatmulOptions()
    cm.logger = logging.getLogger("test")
    cm._layout = lambda dtype, rows, cols, ld, bstride: (dtype, rows, cols, ld, bstride)
    return cm._c_layout(), cm.dev["c"].tensor, cm.p


def _read_as_cublaslt(layout, memory, p, swap):
    """The (batch, m, n) matrices cuBLASLt reads through ``layout`` (column-major, batch stride)."""
    _, rows, cols, ld, bstride = layout
    base = (
        np.lib.stride_tricks.as_strided(memory, shape=(memory.size * 4,), strides=(memory.itemsize,), writeable=False)
        if memory.ndim
        else memory.reshape(1)
    )
    out = np.empty((p.batch, rows, cols), memory.dtype)
    for i in range(p.batch):
        for r in range(rows):
            for col in range(cols):
                out[i, r, col] = base[i * bstride + r + col * ld]
    out = np.swapaxes(out, -1, -2) if swap else out  # swapped: cuBLASLt reads C^T
    return out.reshape(*p.batch_shape, p.m, p.n)


@pytest.mark.parametrize("swap", [True, False])
@pytest.mark.parametrize(
    "a_shape, b_shape, c_make",
    [
        ((5,), (5, 3), lambda r: r((3,))),
        ((5,), (5, 3), lambda r: r((6,))[::2]),  # strided: copied once
        ((4, 5), (5,), lambda r: r((4,))),
        ((4, 5), (5,), lambda r: r((8,))[::2]),
        ((5,), (5,), lambda r: r(())),
        ((5,), (5,), lambda r: r((3,))),
        ((2, 4, 5), (5,), lambda r: r((2, 4))),
        ((2, 4, 5), (5,), lambda r: r((4,))),  # broadcast over the batch: batch stride 0
        ((5,), (2, 5, 3), lambda r: r((2, 3))),
        ((5,), (2, 5, 3), lambda r: np.asfortranarray(r((2, 3)))),
        ((1, 5), (5, 3), lambda r: r((1, 3))),  # a one-row matrix c, either orientation
        ((4, 5), (5, 1), lambda r: r((4, 1))),
        ((4, 5), (5, 3), lambda r: r((4, 3))),
        ((4, 5), (5, 3), lambda r: np.asfortranarray(r((4, 3)))),
        ((2, 4, 5), (5, 3), lambda r: r((2, 3, 4)).transpose(0, 2, 1)),
    ],
)
def test_gpu_c_layouts_address_c(a_shape, b_shape, c_make, swap):
    rng = np.random.default_rng()
    c = c_make(lambda shape: rand(shape, "float32", rng))
    layout, memory, p = _c_layout_of(rand(a_shape, "float32"), rand(b_shape, "float32"), c, swap)
    assert layout[0] == "float32"
    want = np.broadcast_to(np.asarray(c).reshape(p.c_shape), (*p.batch_shape, p.m, p.n))
    assert np.array_equal(_read_as_cublaslt(layout, memory, p, swap), want)
    if not (p.m == 1 or p.n == 1):
        rows = p.n if swap else p.m
        assert layout[3] >= rows  # a valid leading dimension


def test_gpu_c_layout_refuses_a_partly_broadcast_batch():
    with pytest.raises(
        ValueError,
        match=r"c has batch shape \(2, 1\), which broadcasts against the batch \(2, 3\) "
        r"along some axes only",
    ):
        _c_layout_of(rand((2, 3, 4, 5), "float32"), rand((5, 3), "float32"), rand((2, 1, 4, 3), "float32"), True)


def test_gpu_fp8_result_c_pointer_and_type():
    """With an FP8 D and no c, cuBLASLt gets a float16 C (as in nvmath-python) that is neither NULL nor D (it reads none)."""
    torch = pytest.importorskip("torch")
    from nvmath._internal.tensor import wrap_operand
    from nvmath.linalg.advanced._cuda import CudaMatmul
    from nvmath.linalg.advanced._problem import Problem

    a, b = (wrap_operand(x) for x in _fp8_operands(torch))
    cm = CudaMatmul.__new__(CudaMatmul)
    cm.p = Problem(a, b, None, None, None, None, "float8_e4m3fn")
    cm.dev = {"a": a, "b": b}
    assert cm.p.c_dtype == "float16" and cm._c_ptr(12345) == a.data_ptr
    cm.p = Problem(a, b, None, None, None, None, "bfloat16")
    assert cm.p.c_dtype == "bfloat16" and cm._c_ptr(12345) == 12345  # bf16 D: C is D (beta is 0)
    assert Problem(a, b, None, None, None, None, None).result_dtype == "float8_e4m3fn"  # the default


# -- options and scalars are checked whether the matmul runs on the CPU or the GPU -----------------


@pytest.mark.parametrize(
    "options, message",
    [
        ({"compute_type": "bogus"}, r"compute_type='bogus' is not supported; accepted: .*'COMPUTE_32F' \(68\)"),
        ({"compute_type": 12345}, r"compute_type=12345 is not supported; accepted: .*'COMPUTE_64F' \(70\)"),
        ({"compute_type": True}, r"compute_type=True is not supported"),
        ({"compute_type": 68.0}, r"compute_type=68.0 is not supported"),
        ({"scale_type": "R_8I"}, r"scale_type='R_8I' is not supported; accepted: .*'R_32F' \(0\).*'C_64F' \(5\)"),
        ({"scale_type": [0]}, r"scale_type=\[0\] is not supported"),
        ({"result_amax": "yes"}, r"result_amax='yes' is not supported; accepted: True, False"),
        ({"blocking": False}, r"blocking=False is not supported; accepted: True, 'auto'"),
        ({"logger": "nvmath"}, r"logger='nvmath' is not supported; accepted: a logging.Logger"),
        ({"allocator": 3}, r"allocator=3 is not supported; accepted: an nvmath.memory.BaseCUDAMemoryManager"),
        ({"memory_limit": True}, r"memory_limit=True is not supported"),
        ({"memory_limit": -1}, r"memory_limit=-1 is not supported"),
    ],
)
def test_bad_matmul_options_are_refused_on_the_cpu(options, message):
    a, b = rand((3, 4), "float32"), rand((4, 2), "float32")
    with pytest.raises(ValueError, match=message):
        matmul(a, b, options=options)
    with pytest.raises(ValueError, match=message):
        MatmulOptions(**options)


def test_good_compute_and_scale_types_by_name_value_or_member():
    from nvmath.bindings.cublasLt import ComputeType, DataType

    assert MatmulOptions(compute_type="compute_32f_fast_tf32").compute_type is ComputeType.COMPUTE_32F_FAST_TF32
    assert MatmulOptions(compute_type=70).compute_type is ComputeType.COMPUTE_64F
    assert MatmulOptions(compute_type=np.int32(68)).compute_type is ComputeType.COMPUTE_32F
    assert MatmulOptions(scale_type="C_64F").scale_type is DataType.C_64F
    assert MatmulOptions(scale_type=DataType.R_32F).scale_type is DataType.R_32F
    # On the CPU they are accepted, logged, and the product is the operands' precision's.
    a, b = rand((3, 4), "float64"), rand((4, 2), "float64")
    assert_close(matmul(a, b, options={"compute_type": "COMPUTE_64F", "scale_type": "R_64F"}), a @ b, "float64")


def test_gpu_compute_and_scale_types_follow_the_options():
    from nvmath.bindings.cublasLt import ComputeType, DataType
    from nvmath.linalg.advanced._cuda import _compute_and_scale

    assert _compute_and_scale("float32", None, None) == (ComputeType.COMPUTE_32F, "float32")
    assert _compute_and_scale("float16", ComputeType.COMPUTE_16F, None) == (ComputeType.COMPUTE_16F, "float16")
    assert _compute_and_scale("complex128", ComputeType.COMPUTE_64F, None) == (ComputeType.COMPUTE_64F, "complex128")
    fast = ComputeType.COMPUTE_32F_FAST_TF32
    assert _compute_and_scale("complex64", fast, None) == (fast, "complex64")
    assert _compute_and_scale("float16", None, DataType.R_16F) == (ComputeType.COMPUTE_32F, "float16")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"alpha": np.complex64(1 + 1j)}, TypeError, r"alpha=np.complex64\(1\+1j\) is complex but the operands are"),
        ({"alpha": np.True_}, TypeError, r"alpha=np.True_ is not supported; accepted: a real or complex number"),
        ({"alpha": "2"}, TypeError, r"alpha='2' is not supported"),
        ({"epilog": "bogus"}, ValueError, r"epilog='bogus' is not supported; accepted: .*'RELU' \(2\)"),
        ({"epilog": 2.0}, ValueError, r"epilog=2.0 is not supported"),
        (
            {"epilog": "BIAS", "epilog_inputs": [1]},
            TypeError,
            r"epilog_inputs=\[1\] \(of type list\).*accepted: a dict",
        ),
        ({"preferences": {"limit": True}}, ValueError, r"limit=True is not supported; accepted: a positive int"),
        ({"preferences": {"max_waves_count": "x"}}, ValueError, r"max_waves_count='x' is not supported"),
        ({"preferences": {"reduction_scheme_mask": -1}}, ValueError, r"reduction_scheme_mask=-1 is not supported"),
    ],
)
def test_bad_scalars_epilogs_and_preferences(kwargs, error, message):
    with pytest.raises(error, match=message):
        matmul(rand((3, 4), "float32"), rand((4, 2), "float32"), **kwargs)


def test_reset_operands_refuses_beta_without_c_and_complex_alpha_for_real_operands():
    a, b = rand((3, 4), "float64"), rand((4, 2), "float64")
    with Matmul(a, b) as mm:
        mm.plan()
        with pytest.raises(ValueError, match=r"beta=2.0 was given, but this Matmul has no c"):
            mm.reset_operands(beta=2.0)
        with pytest.raises(TypeError, match="is complex but the operands are float64"):
            mm.reset_operands(alpha=np.complex128(1j))
        assert_close(mm.execute(), a @ b, "float64")  # nothing changed


def test_autotune_arguments():
    with Matmul(rand((3, 4), "float32"), rand((4, 2), "float32")) as mm:
        mm.plan()
        with pytest.raises(ValueError, match="iterations=True is not supported; accepted: a positive int"):
            mm.autotune(iterations=True)
        with pytest.raises(ValueError, match="prune=0 is not supported"):
            mm.autotune(prune=0)
        mm.autotune(iterations=np.int64(2))  # nothing to tune on the CPU


def test_autotune_of_a_plan_with_one_algorithm_times_nothing(caplog):
    from nvmath.bindings import cublasLt as lt
    from nvmath.linalg.advanced import Algorithm
    from nvmath.linalg.advanced._cuda import CudaMatmul

    class Workspace:
        freed = False

        def free(self):
            self.freed = True

    backend = CudaMatmul.__new__(CudaMatmul)  # no GPU: only what autotune reads before timing
    only = Algorithm(lt.MatmulHeuristicResult())
    backend.algorithms, backend.workspace = [only], Workspace()
    backend.logger = logging.getLogger("nvmath.test")
    workspace = backend.workspace
    with caplog.at_level(logging.INFO, logger="nvmath.test"):
        backend.autotune(5, None, None, release_workspace=True)  # would need a GPU to time anything
    assert backend.algorithms == [only] and workspace.freed and backend.workspace is None
    assert "skipped, the plan has one algorithm" in caplog.text


@pytest.mark.parametrize("count, iterations", [(1, 1), (3, 10), (8, 5)])
def test_autotune_interleaves_the_algorithms_in_shuffled_rounds(count, iterations):
    from nvmath.linalg.advanced._cuda import autotune_schedule

    rounds = autotune_schedule(count, iterations)
    assert len(rounds) == iterations
    assert all(sorted(r) == list(range(count)) for r in rounds)  # every algorithm once a round
    assert rounds == autotune_schedule(count, iterations)  # reproducible
    if count > 2 and iterations > 2:
        # Not one algorithm's runs back to back: no algorithm holds one place in every round.
        assert len({tuple(r) for r in rounds}) > 1
        assert all(len({r[place] for r in rounds}) > 1 for place in range(count))


@pytest.mark.gpu
@pytest.mark.parametrize(
    "dtype, options, tol",
    [
        ("float32", {"compute_type": "COMPUTE_32F_FAST_TF32"}, 1e-2),
        ("float64", {"compute_type": 70, "scale_type": "R_64F"}, 1e-12),
        ("complex64", {"scale_type": "C_32F"}, 1e-5),
        ("complex128", {"compute_type": "COMPUTE_64F"}, 1e-12),
        ("float16", {"compute_type": "COMPUTE_16F"}, 1e-2),  # scale type R_16F, chosen to go with it
        ("float16", {"compute_type": "COMPUTE_32F", "scale_type": "R_32F"}, 1e-2),
    ],
)
def test_gpu_compute_and_scale_types(dtype, options, tol):
    a, b, c = rand((8, 16), dtype), rand((16, 4), dtype), rand((8, 4), dtype)
    d = matmul(a, b, c, alpha=0.5, beta=0.25, options=options, execution="cuda")
    want = 0.5 * a.astype(np.complex128) @ b + 0.25 * c
    err = np.linalg.norm(np.asarray(d, np.complex128) - want) / np.linalg.norm(want)
    assert d.dtype == np.dtype(dtype) and err <= tol, err


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((1,), (1,)),
        ((3,), (3,)),
        ((1, 1), (1, 1)),
        ((2, 3), (3,)),
        ((3,), (3, 2)),
        ((1, 3), (3, 1)),
        ((2, 5, 3), (3, 4)),
    ],
)
def test_gpu_alpha_zero_gives_c(dtype, a_shape, b_shape):
    """alpha=0, beta=1: D is c. cuBLASLt used to leave D unwritten (BLAS's quick return)."""
    a, b = rand(a_shape, dtype), rand(b_shape, dtype)
    c = np.asarray(rand(np.matmul(a, b).shape, dtype))  # 0-d for a dot product
    d = matmul(a, b, c, alpha=0.0, execution="cuda")
    assert_close(d, c.astype(np.complex128), dtype)
    with Matmul(a, b, c, execution="cuda") as mm:  # and after reset_operands(alpha=0)
        mm.plan()
        assert_close(mm.execute(), a.astype(np.complex128) @ b + c, dtype)
        mm.reset_operands(alpha=0.0)
        assert_close(mm.execute(), c.astype(np.complex128), dtype)


def test_applicable_algorithm_ids_is_a_gpu_question():
    a, b = rand((4, 3), "float32"), rand((3, 5), "float32")
    with Matmul(a, b) as mm:
        with pytest.raises(ValueError, match="limit"):
            mm.applicable_algorithm_ids(limit=0)
        with pytest.raises(RuntimeError, match="runs on the CPU"):
            mm.applicable_algorithm_ids()


def test_stateless_matmul_leaves_the_callers_preferences_alone():
    from nvmath.linalg.advanced import MatmulPlanPreferences

    a, b = rand((4, 3), "float64"), rand((3, 5), "float64")
    preferences = MatmulPlanPreferences(limit=5)
    assert_close(matmul(a, b, preferences=preferences, algorithm=None), a @ b, "float64")
    assert preferences.limit == 5
    assert_close(matmul(a, b, preferences={"limit": 3}), a @ b, "float64")
    with pytest.raises(ValueError, match="limit"):
        matmul(a, b, preferences={"limit": 0})


def test_type_errors_are_also_the_value_errors_nvmath_python_raises():
    a32, b64 = np.ones((3, 4), np.float32), np.ones((4, 5), np.float64)
    for kind in (TypeError, ValueError):
        with pytest.raises(kind, match="matmul does not promote types"):
            matmul(a32, b64)
        with pytest.raises(kind, match="is complex but the operands are float32"):
            matmul(a32, b64.astype(np.float32), alpha=1j)
        with pytest.raises(kind, match="c has dtype float64 but the result is float32"):
            matmul(a32, b64.astype(np.float32), np.ones((3, 5)), beta=1.0)


def test_host_operands_run_on_the_cpu_where_no_gpu_is_found(caplog):
    """The conftest makes CPU tests see no GPU (the CI machine's case): the default for host
    operands is then the CPU, said in the log; device operands would still ask for the GPU."""
    from nvmath.linalg import ExecutionCPU

    rng = np.random.default_rng()
    a, b = rand((5, 7), "float64", rng), rand((7, 3), "float64", rng)
    with caplog.at_level(logging.INFO, logger="nvmath"), Matmul(a, b) as mm:
        assert isinstance(mm.execution, ExecutionCPU)
        mm.plan()
        assert_close(mm.execute(), a @ b, "float64")
    assert "no CUDA GPU was found" in caplog.text


def test_gpu_found_answers_without_raising():
    """gpu_found() agrees with the test session's own probe and never raises."""
    from nvmath._internal import streams
    from tests.conftest import HAS_GPU

    streams._gpu_found = None  # ask again (the conftest's fixture restores its value after)
    assert streams.gpu_found() is HAS_GPU
    assert streams.gpu_found() is HAS_GPU  # the kept answer


def test_host_operands_stay_on_the_cpu_without_a_device_array_package(monkeypatch, caplog):
    """A GPU, but neither CuPy nor a CUDA PyTorch to hold the operands there: the CPU, logged."""
    from nvmath._internal import streams
    from nvmath.linalg import ExecutionCPU

    monkeypatch.setattr(streams, "_gpu_found", True)
    monkeypatch.setattr(streams, "device_package", lambda package: None)
    rng = np.random.default_rng()
    a, b = rand((4, 6), "float32", rng), rand((6, 2), "float32", rng)
    with caplog.at_level(logging.INFO, logger="nvmath"), Matmul(a, b) as mm:
        assert isinstance(mm.execution, ExecutionCPU)
        mm.plan()
        assert_close(mm.execute(), a.astype(np.float64) @ b, "float32")
    assert "neither CuPy nor a CUDA build of PyTorch" in caplog.text


def test_the_workspace_limit_is_memory_limit_itself():
    """cuBLASLt's heuristic gets options.memory_limit as its workspace limit, as in nvmath-python
    (no lower cap: a cap changed the candidates it returned)."""
    from nvmath.linalg.advanced._cuda import CudaMatmul

    backend = CudaMatmul.__new__(CudaMatmul)
    backend.options = MatmulOptions(memory_limit=3 << 30)  # bytes: no device query needed
    assert backend._workspace_limit() == 3 << 30


def test_an_epilog_plan_asks_16_bytes_more_workspace(monkeypatch):
    from nvmath.linalg.advanced import _cuda

    asked = []
    monkeypatch.setattr(_cuda, "allocate_workspace", lambda size, **kw: asked.append(size) or object())

    class Found:
        workspace_size = 1000

    for epilog, want in ((None, 1000), (MatmulEpilog.RELU_BIAS, 1016)):
        backend = _cuda.CudaMatmul.__new__(_cuda.CudaMatmul)
        backend.algorithms, backend.workspace, backend.epilog = [Found()], None, epilog
        backend.package, backend.device_id, backend.options = "numpy", 0, MatmulOptions()
        backend._ensure_workspace(None)
        assert asked[-1] == want and backend.worksize == want
