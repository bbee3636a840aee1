"""nvmath.linalg.advanced on the CPU: every epilog against float64 references, layouts,
batching, and bad input."""

import math

import numpy as np
import pytest

from nvmath.linalg.advanced import Matmul, MatmulEpilog, matmul, matrix_qualifiers_dtype
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


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "complex128"])
def test_plain_with_alpha_beta_c(dtype):
    a, b, c = rand((7, 5), dtype), rand((5, 9), dtype), rand((7, 9), dtype)
    d = matmul(a, b, c, alpha=0.5, beta=2.0)
    assert d.dtype == np.dtype(dtype)
    assert_close(d, 0.5 * a.astype(np.complex128) @ b + 2.0 * c.astype(np.complex128), dtype)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((4, 3, 5), (5, 2)),        # batched a, broadcast b
    ((3, 5), (6, 5, 2)),        # broadcast a
    ((2, 1, 3, 5), (4, 5, 2)),  # broadcast both
    ((5,), (5, 2)),             # vector a
    ((3, 5), (5,)),             # vector b
    ((5,), (5,)),               # dot
])
def test_batches_and_vectors_follow_numpy(a_shape, b_shape):
    a, b = rand(a_shape, "float64"), rand(b_shape, "float64")
    assert_close(matmul(a, b), np.matmul(a, b), "float64")


@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided"])
def test_layouts(layout):
    base_a, base_b = rand((12, 10), "float64"), rand((10, 8), "float64")
    make = {"C": lambda x: x, "F": np.asfortranarray, "transposed": lambda x: np.ascontiguousarray(x.T).T,
            "strided": lambda x: np.repeat(x, 2, axis=1)[:, ::2]}[layout]
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
    d, aux = matmul(a, b, quantization_scales={"a": 2.0, "b": 0.25}, options={"result_amax": True})
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


@pytest.mark.parametrize("epilog, inputs, message", [
    ("BIAS", None, "missing \\['bias'\\]"),
    ("RELU", {"bias": np.zeros(4, np.float32)}, "unexpected \\['bias'\\]"),
    ("BIAS", {"bias": np.zeros(5, np.float32)}, "bias'\\] has shape \\(5,\\).*\\(4,\\)"),
    ("BIAS", {"bias": np.zeros(4, np.float64)}, "bias'\\] has dtype float64.*float32"),
    ("DRELU", {"relu_aux": np.zeros((4, 3), np.uint8)}, "relu_aux'\\] has shape \\(4, 3\\).*\\(16, 3\\)"),
    ("NOPE", None, "epilog='NOPE' is not supported"),
])
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
    with pytest.raises(RuntimeError, match="freed"):
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
