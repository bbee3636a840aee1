"""nvmath.linalg (generic matmul) on the GPU through cuBLAS, with CuPy, PyTorch and host operands:
every qualifier against dense NumPy references on fresh random data (the references are those of
test_generic_cpu.py, which also checks the same layout logic against a cuBLAS emulator)."""

import numpy as np
import pytest

from nvmath.linalg import (
    DiagType,
    FillMode,
    GeneralMatrixQualifier,
    Matmul,
    MatmulOptions,
    TriangularMatrixQualifier,
    matmul,
)
from tests.linalg.test_generic_cpu import (
    DTYPES,
    STRUCTURES,
    assert_close,
    finish,
    make,
    qualifiers,
    rand,
    reference,
)

pytestmark = pytest.mark.gpu


def _cp():
    return pytest.importorskip("cupy")


def _torch():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch has no CUDA")
    return torch


def to_device(package, x, order="C"):
    if package == "cupy":
        return _cp().asarray(x, order=order)
    torch = _torch()
    t = torch.from_numpy(np.ascontiguousarray(x)).cuda()
    return t if order == "C" or t.ndim < 2 else t.transpose(-1, -2).contiguous().transpose(-1, -2)


def to_host(x):
    if type(x).__module__.startswith("cupy"):
        return _cp().asnumpy(x)
    if type(x).__module__.startswith("torch"):
        return x.cpu().numpy()
    return np.asarray(x)


@pytest.mark.parametrize("package", ["cupy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("orders", ["CC", "FC", "CF", "FF"])
def test_general(package, dtype, orders):
    rng = np.random.default_rng()
    a, b, c = rand((3, 9, 5), dtype, rng), rand((5, 7), dtype, rng), rand((3, 9, 7), dtype, rng)
    r = matmul(
        to_device(package, a, orders[0]), to_device(package, b, orders[1]), to_device(package, c), alpha=0.5, beta=1.5
    )
    assert type(r).__module__.split(".")[0] == package
    assert_close(to_host(r), finish(0.5 * a.astype(np.complex128) @ b + 1.5 * c, dtype), dtype)


@pytest.mark.parametrize("package", ["cupy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("structure", STRUCTURES, ids=lambda s: f"{s[0]}-{s[1].name}-{s[2].name}")
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("conjugate", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
def test_structured(package, dtype, structure, side, conjugate, order):
    rng = np.random.default_rng()
    kind, uplo, diag = structure
    q = make(kind, uplo, diag, conjugate)
    if side == "a":
        a, b = rand((2, 8, 8), dtype, rng), rand((8, 5), dtype, rng)
        qs = qualifiers(qa=q, qc=GeneralMatrixQualifier.create())
    else:
        a, b = rand((2, 6, 8), dtype, rng), rand((8, 8), dtype, rng)
        qs = qualifiers(qb=q, qc=GeneralMatrixQualifier.create())
    c = rand((2, a.shape[-2], b.shape[-1]), dtype, rng)
    r = matmul(
        to_device(package, a, order),
        to_device(package, b, order),
        to_device(package, c),
        alpha=1.5,
        beta=-0.5,
        qualifiers=qs,
    )
    assert_close(to_host(r), finish(reference(a, b, c, 1.5, -0.5, qs), dtype), dtype)


@pytest.mark.parametrize("package", ["cupy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("incx", [1, -1])
@pytest.mark.parametrize("conjugate", [False, True])
def test_diagonal(package, dtype, side, incx, conjugate):
    rng = np.random.default_rng()
    q = make("dg", conjugate=conjugate, incx=incx)
    if side == "a":
        a, b = rand((6,), dtype, rng), rand((3, 6, 4), dtype, rng)
        qs = qualifiers(qa=q)
    else:
        a, b = rand((5, 6), dtype, rng), rand((6,), dtype, rng)
        qs = qualifiers(qb=q)
    r = matmul(to_device(package, a), to_device(package, b), alpha=2.0, qualifiers=qs)
    assert_close(to_host(r), finish(reference(a, b, None, 2.0, 0, qs), dtype), dtype)
    if side == "b":  # with c: dgmm, then one geam for alpha and beta * c
        c = rand((5, 6), dtype, rng)
        qs3 = np.append(qs, GeneralMatrixQualifier.create())
        r = matmul(
            to_device(package, a, "F"),
            to_device(package, b),
            to_device(package, c),
            alpha=2.0,
            beta=0.25,
            qualifiers=qs3,
        )
        assert_close(to_host(r), finish(reference(a, b, c, 2.0, 0.25, qs3), dtype), dtype)


@pytest.mark.parametrize("package", ["numpy", "torch"])
def test_host_operands_run_on_the_gpu(package):
    rng = np.random.default_rng()
    a, t = rand((7, 6), "float32", rng), rand((6, 6), "float32", rng)
    qs = qualifiers(qb=TriangularMatrixQualifier.create(uplo=FillMode.UPPER, diag=DiagType.UNIT))
    if package == "torch":
        torch = pytest.importorskip("torch")
        r = matmul(torch.from_numpy(a), torch.from_numpy(t), qualifiers=qs, execution="cuda")
        assert isinstance(r, torch.Tensor) and r.device.type == "cpu"
        r = r.numpy()
    else:
        r = matmul(a, t, qualifiers=qs, execution={"name": "cuda", "device_id": 0})
        assert isinstance(r, np.ndarray)
    assert_close(r, (a.astype(np.float64) @ (np.triu(t, 1) + np.eye(6))), "float32")


def test_torch_lazy_conjugate_and_batched_broadcast():
    torch = _torch()
    rng = np.random.default_rng()
    a, b = rand((4, 5, 3), "complex128", rng), rand((3, 6), "complex128", rng)
    ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
    r = matmul(ta.conj(), tb)
    assert_close(r.cpu().numpy(), np.conj(a) @ b, "complex128")


def test_stateful_inplace_update_reset_and_stream():
    cp = _cp()
    rng = np.random.default_rng()
    a, b = rand((9, 4), "float64", rng), rand((4, 8), "float64", rng)
    da, db = cp.asarray(a), cp.asarray(b)
    s = cp.cuda.Stream()
    with Matmul(da, db, qualifiers=None, stream=s) as mm:
        mm.plan(stream=s)
        r1 = mm.execute(stream=s)
        s.synchronize()
        assert_close(cp.asnumpy(r1), a @ b, "float64")
        a2 = rand((9, 4), "float64", rng)
        da[:] = cp.asarray(a2)  # seen by the next execute (no copy was taken)
        assert_close(cp.asnumpy(mm.execute()), a2 @ b, "float64")
        b3 = rand((4, 8), "float64", rng)
        mm.reset_operands(b=cp.asarray(b3), alpha=2.0)
        assert_close(cp.asnumpy(mm.execute()), 2 * a2 @ b3, "float64")


def test_inplace_option_and_blocking():
    cp = _cp()
    rng = np.random.default_rng()
    a, b, c = rand((5, 4), "complex64", rng), rand((4, 3), "complex64", rng), rand((5, 3), "complex64", rng)
    dc = cp.asarray(c)
    r = matmul(cp.asarray(a), cp.asarray(b), dc, beta=1j, options=MatmulOptions(inplace=True, blocking=True))
    assert r is dc
    assert_close(cp.asnumpy(dc), a.astype(np.complex128) @ b + 1j * c, "complex64")


def test_host_operands_stateful_reset():
    rng = np.random.default_rng()
    a, b = rand((2, 3), "float64", rng), rand((3, 4), "float64", rng)
    with Matmul(a, b, execution="cuda") as mm:
        mm.plan()
        assert_close(mm.execute(), a @ b, "float64")
        a2, b2 = rand((2, 3), "float64", rng), rand((3, 4), "float64", rng)
        mm.reset_operands(a=a2, b=b2)
        assert_close(mm.execute(), a2 @ b2, "float64")
        mm.release_operands()
        mm.reset_operands(a=a, b=b)
        assert_close(mm.execute(), a @ b, "float64")


def test_sliced_and_vector_operands():
    cp = _cp()
    rng = np.random.default_rng()
    a = rand((8, 8), "float64", rng)
    b = rand((8, 6), "float64", rng)
    x = rand((8,), "float64", rng)
    assert_close(cp.asnumpy(matmul(cp.asarray(a)[::2], cp.asarray(b))), a[::2] @ b, "float64")
    assert_close(cp.asnumpy(matmul(cp.asarray(x), cp.asarray(b))), x @ b, "float64")
    assert_close(cp.asnumpy(matmul(cp.asarray(a), cp.asarray(x))), a @ x, "float64")
    assert_close(np.asarray(cp.asnumpy(matmul(cp.asarray(x), cp.asarray(x)))), np.asarray(x @ x), "float64")


def test_cpu_and_gpu_paths_agree_on_a_large_triangular_product():
    cp = _cp()
    rng = np.random.default_rng()
    a, t = rand((300, 257), "float64", rng), rand((257, 257), "float64", rng)
    qs = qualifiers(qb=TriangularMatrixQualifier.create(uplo=FillMode.LOWER))
    gpu = cp.asnumpy(matmul(cp.asarray(a), cp.asarray(t), qualifiers=qs))
    cpu = matmul(a, t, qualifiers=qs)
    assert_close(gpu, cpu.astype(np.complex128).real, "float64")
