"""nvmath.linalg (generic matmul) on the CPU: every qualifier against dense NumPy references on
fresh random data, errors, and the GPU path's layout logic (orientation, ops, fill modes, copies,
batches) run against a column-major cuBLAS emulator written here with NumPy."""

import contextlib
import ctypes
import logging
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvmath
from nvmath.linalg import (
    DiagonalMatrixQualifier,
    DiagType,
    FillMode,
    GeneralMatrixQualifier,
    HermitianMatrixQualifier,
    InvalidMatmulState,
    Matmul,
    MatmulOptions,
    SymmetricMatrixQualifier,
    TriangularMatrixQualifier,
    matmul,
    matrix_qualifiers_dtype,
)

DTYPES = ["float32", "float64", "complex64", "complex128"]
TOL = {"float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}


def rand(shape, dtype, rng):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def assert_close(got, want, dtype):
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.linalg.norm((got.astype(np.complex128) - want).ravel()) / max(np.linalg.norm(want.ravel()), 1e-300)
    assert err <= TOL[dtype] * 10, err


def qualifiers(qa=None, qb=None, qc=None):
    q = np.full(3 if qc is not None else 2, GeneralMatrixQualifier.create(), dtype=matrix_qualifiers_dtype)
    if qa is not None:
        q[0] = qa
    if qb is not None:
        q[1] = qb
    if qc is not None:
        q[2] = qc
    return q


# -- dense references (what each qualifier means), written from the definitions --------------


def dense(x, q):
    """The matrix an operand with qualifier record ``q`` stands for, in complex128/float64."""
    kind = str(q["abbreviation"])
    x = np.asarray(x).astype(np.complex128)
    lower = int(q["uplo"]) == FillMode.LOWER
    if kind == "dg":
        v = x[::-1] if int(q["incx"]) == -1 else x
        out = np.diag(v)
    elif kind in ("sy", "he", "tr"):
        n = x.shape[-1]
        i, j = np.indices((n, n))
        stored = (i >= j) if lower else (i <= j)
        out = np.where(stored, x, 0)
        if kind == "sy":
            out = out + np.swapaxes(np.where(i != j, out, 0), -1, -2)
        elif kind == "he":
            strict = np.where(i != j, out, 0)
            out = strict + np.conj(np.swapaxes(strict, -1, -2)) + np.where(i == j, out.real, 0)
        elif int(q["diag"]) == DiagType.UNIT:
            out = np.where(i == j, 1, out)
    else:
        out = x
    return np.conj(out) if bool(q["conjugate"]) else out


def reference(a, b, c, alpha, beta, q):
    x, y = dense(a, q[0]), dense(b, q[1])
    vec_a = x.ndim == 1
    vec_b = y.ndim == 1
    r = np.matmul(x, y) * (1 if alpha is None else alpha)
    if c is not None:
        r = r + beta * c
    del vec_a, vec_b
    return r


def finish(r, dtype):
    return r if np.dtype(dtype).kind == "c" else r.real


STRUCTURES = [
    ("sy", FillMode.LOWER, DiagType.NON_UNIT),
    ("sy", FillMode.UPPER, DiagType.NON_UNIT),
    ("he", FillMode.LOWER, DiagType.NON_UNIT),
    ("he", FillMode.UPPER, DiagType.NON_UNIT),
    ("tr", FillMode.LOWER, DiagType.NON_UNIT),
    ("tr", FillMode.UPPER, DiagType.NON_UNIT),
    ("tr", FillMode.LOWER, DiagType.UNIT),
    ("tr", FillMode.UPPER, DiagType.UNIT),
]


def make(kind, uplo=FillMode.LOWER, diag=DiagType.NON_UNIT, conjugate=False, incx=1):
    if kind == "ge":
        return GeneralMatrixQualifier.create(conjugate=conjugate)
    if kind == "dg":
        return DiagonalMatrixQualifier.create(conjugate=conjugate, incx=incx)
    if kind == "sy":
        return SymmetricMatrixQualifier.create(conjugate=conjugate, uplo=uplo)
    if kind == "he":
        return HermitianMatrixQualifier.create(conjugate=conjugate, uplo=uplo)
    return TriangularMatrixQualifier.create(conjugate=conjugate, uplo=uplo, diag=diag)


# -- qualifiers --------------------------------------------------------------------------------


def test_qualifier_records_match_the_peer_layout():
    assert matrix_qualifiers_dtype.names == ("abbreviation", "conjugate", "uplo", "diag", "incx")
    assert GeneralMatrixQualifier.create().item() == ("ge", False, 2, 0, 0)
    assert DiagonalMatrixQualifier.create(conjugate=True).item() == ("dg", True, 2, 0, 1)
    assert SymmetricMatrixQualifier.create().item() == ("sy", False, 0, 0, 0)
    assert HermitianMatrixQualifier.create(uplo=FillMode.UPPER).item() == ("he", False, 1, 0, 0)
    assert TriangularMatrixQualifier.create(diag=DiagType.UNIT).item() == ("tr", False, 0, 1, 0)
    assert (FillMode.LOWER, FillMode.UPPER, FillMode.FULL) == (0, 1, 2)
    assert (DiagType.NON_UNIT, DiagType.UNIT) == (0, 1)
    assert TriangularMatrixQualifier.is_valid(TriangularMatrixQualifier.create())
    assert not TriangularMatrixQualifier.is_valid(GeneralMatrixQualifier.create())
    assert "uplo=UPPER" in TriangularMatrixQualifier.to_string(TriangularMatrixQualifier.create(uplo=FillMode.UPPER))


def test_qualifier_constructors_refuse_bad_values():
    with pytest.raises(ValueError, match="incx=2"):
        DiagonalMatrixQualifier.create(incx=2)
    with pytest.raises(ValueError, match="uplo"):
        SymmetricMatrixQualifier.create(uplo=FillMode.FULL)
    with pytest.raises(ValueError, match="diag"):
        TriangularMatrixQualifier.create(diag=5)
    with pytest.raises(ValueError, match="conjugate"):
        GeneralMatrixQualifier.create(conjugate="yes")
    with pytest.raises(RuntimeError, match="create"):
        GeneralMatrixQualifier()


def test_public_names():
    for name in (
        "matmul",
        "Matmul",
        "MatmulOptions",
        "ExecutionCUDA",
        "ExecutionCPU",
        "matrix_qualifiers_dtype",
        "MatrixQualifier",
        "FillMode",
        "DiagType",
        "SideMode",
        "ComputeType",
        "InvalidMatmulState",
    ):
        assert hasattr(nvmath.linalg, name), name
    assert nvmath.linalg.matmul is nvmath.linalg.generic.matmul
    assert nvmath.linalg.advanced.matrix_qualifiers_dtype != matrix_qualifiers_dtype
    assert nvmath.linalg.ComputeType.COMPUTE_32F == 68


# -- CPU results ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_general_with_alpha_beta_c(dtype):
    rng = np.random.default_rng()
    a, b, c = rand((7, 5), dtype, rng), rand((5, 6), dtype, rng), rand((7, 6), dtype, rng)
    alpha, beta = (0.5 - 0.25j, 1.5 + 0.5j) if dtype.startswith("complex") else (0.5, 1.5)
    r = matmul(a, b, c, alpha=alpha, beta=beta)
    assert_close(r, finish(alpha * a.astype(np.complex128) @ b + beta * c, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("structure", STRUCTURES, ids=lambda s: f"{s[0]}-{s[1].name}-{s[2].name}")
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("conjugate", [False, True])
def test_structured_operands(dtype, structure, side, conjugate):
    rng = np.random.default_rng()
    kind, uplo, diag = structure
    q = make(kind, uplo, diag, conjugate)
    if side == "a":
        a, b = rand((3, 6, 6), dtype, rng), rand((6, 4), dtype, rng)
        qs = qualifiers(qa=q)
    else:
        a, b = rand((5, 6), dtype, rng), rand((2, 1, 6, 6), dtype, rng)
        qs = qualifiers(qb=q)
    c = rand(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1]), dtype, rng)
    beta = 0.75
    r = matmul(a, b, c, alpha=2.0, beta=beta, qualifiers=np.append(qs, GeneralMatrixQualifier.create()))
    want = reference(a, b, c, 2.0, beta, np.append(qs, GeneralMatrixQualifier.create()))
    if not dtype.startswith("complex"):
        # Real operands: conjugation is a no-op and Hermitian means symmetric.
        want = want.real
    assert_close(r, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("incx", [1, -1])
@pytest.mark.parametrize("conjugate", [False, True])
def test_diagonal_operands(dtype, side, incx, conjugate):
    rng = np.random.default_rng()
    q = make("dg", conjugate=conjugate, incx=incx)
    if side == "a":
        a, b = rand((6,), dtype, rng), rand((4, 6, 3), dtype, rng)
        qs = qualifiers(qa=q)
    else:
        a, b = rand((2, 5, 6), dtype, rng), rand((6,), dtype, rng)
        qs = qualifiers(qb=q)
    r = matmul(a, b, alpha=-1.5, qualifiers=qs)
    want = reference(a, b, None, -1.5, 0, qs)
    assert_close(r, finish(want, dtype), dtype)


def test_unit_diagonal_and_other_triangle_are_not_read():
    rng = np.random.default_rng()
    a = rand((5, 5), "float64", rng)
    b = rand((5, 3), "float64", rng)
    poisoned = a.copy()
    poisoned[np.triu_indices(5)] = np.nan  # the upper triangle and the diagonal
    q = qualifiers(qa=TriangularMatrixQualifier.create(uplo=FillMode.LOWER, diag=DiagType.UNIT))
    r = matmul(poisoned, b, qualifiers=q)
    want = (np.tril(a, -1) + np.eye(5)) @ b
    assert np.all(np.isfinite(r))
    assert_close(r, want, "float64")


def test_torch_cpu_operands_and_lazy_conjugation():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a, b = rand((4, 3), "complex64", rng), rand((3, 5), "complex64", rng)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    r = matmul(ta.conj(), tb)
    assert isinstance(r, torch.Tensor) and r.dtype == torch.complex64
    assert_close(r.numpy(), np.conj(a).astype(np.complex128) @ b, "complex64")
    # A conjugate qualifier on a lazily conjugated tensor cancels out.
    r2 = matmul(ta.conj(), tb, qualifiers=qualifiers(qa=GeneralMatrixQualifier.create(conjugate=True)))
    assert_close(r2.numpy(), a.astype(np.complex128) @ b, "complex64")


def test_vectors_follow_numpy_matmul():
    rng = np.random.default_rng()
    a, b, m = rand((4,), "float64", rng), rand((4,), "float64", rng), rand((3, 4, 5), "float64", rng)
    assert_close(matmul(a, b), np.asarray(a @ b), "float64")
    assert_close(matmul(a, m), a @ m, "float64")
    t = rand((4, 4), "float64", rng)
    r = matmul(a, t, qualifiers=qualifiers(qb=TriangularMatrixQualifier.create(uplo=FillMode.UPPER)))
    assert_close(r, a @ np.triu(t), "float64")


def test_inplace_writes_c_and_returns_it():
    rng = np.random.default_rng()
    a, b, c = rand((3, 4), "float32", rng), rand((4, 2), "float32", rng), rand((3, 2), "float32", rng)
    c0 = c.copy()
    r = matmul(a, b, c, beta=2.0, options=MatmulOptions(inplace=True))
    assert r is c
    assert_close(c, a.astype(np.float64) @ b + 2 * c0, "float32")


def test_stateful_reset_release_and_free():
    rng = np.random.default_rng()
    a, b = rand((3, 4), "float64", rng), rand((4, 5), "float64", rng)
    c = rand((3, 5), "float64", rng)
    mm = Matmul(a, b, c, alpha=1.0, beta=1.0)
    with pytest.raises(RuntimeError, match="plan"):
        mm.execute()
    mm.plan()
    assert_close(mm.execute(), a @ b + c, "float64")
    a2 = rand((3, 4), "float64", rng)
    mm.reset_operands(a=a2, alpha=3.0, beta=0.5)
    assert_close(mm.execute(), 3 * a2 @ b + 0.5 * c, "float64")
    with pytest.raises(ValueError, match="shape"):
        mm.reset_operands(a=rand((4, 4), "float64", rng))
    assert_close(mm.execute(), 3 * a2 @ b + 0.5 * c, "float64")  # unchanged by the refused reset
    mm.release_operands()
    with pytest.raises(ValueError, match="released"):
        mm.execute()
    with pytest.raises(ValueError, match="missing: b, c"):
        mm.reset_operands(a=a)
    mm.reset_operands(a=a, b=b, c=c)
    assert_close(mm.execute(), 3 * a @ b + 0.5 * c, "float64")
    mm.free()
    with pytest.raises(InvalidMatmulState):
        mm.execute()
    mm.free()  # twice is harmless


def test_logging(caplog):
    rng = np.random.default_rng()
    logger = logging.getLogger("test_generic_user")
    with caplog.at_level(logging.INFO, logger="test_generic_user"):
        matmul(rand((2, 3), "float64", rng), rand((3, 2), "float64", rng), options={"logger": logger})
    assert any("Matmul (generic)" in r.message for r in caplog.records)


# -- errors ---------------------------------------------------------------------------------------


def test_errors_name_the_parameter_and_value():
    rng = np.random.default_rng()
    a, b = rand((3, 4), "float32", rng), rand((4, 5), "float32", rng)
    with pytest.raises(ValueError, match=r"qualifier is tr\(.*square"):
        matmul(a, b, qualifiers=qualifiers(qa=TriangularMatrixQualifier.create()))
    with pytest.raises(ValueError, match=r"sy\(.*square"):
        matmul(a, b, qualifiers=qualifiers(qb=SymmetricMatrixQualifier.create()))
    bad = qualifiers()
    bad[0]["uplo"] = FillMode.LOWER
    with pytest.raises(ValueError, match=r"qualifiers\[0\].*uplo=LOWER.*general.*FillMode.FULL"):
        matmul(a, b, qualifiers=bad)
    bad = qualifiers()
    bad[1]["abbreviation"] = "xx"
    with pytest.raises(ValueError, match="abbreviation='xx'"):
        matmul(a, b, qualifiers=bad)
    with pytest.raises(ValueError, match="1-D"):
        matmul(a, b, qualifiers=qualifiers(qb=DiagonalMatrixQualifier.create()))
    with pytest.raises(ValueError, match="at most one"):
        s = rand((4, 4), "float32", rng)
        matmul(
            s,
            s,
            qualifiers=qualifiers(qa=SymmetricMatrixQualifier.create(), qb=TriangularMatrixQualifier.create()),
        )
    with pytest.raises(TypeError, match="matrix_qualifiers_dtype"):
        matmul(a, b, qualifiers=[1, 2])
    with pytest.raises(ValueError, match="records"):
        matmul(a, b, qualifiers=np.full(1, GeneralMatrixQualifier.create(), dtype=matrix_qualifiers_dtype))
    with pytest.raises(ValueError, match="dtype"):
        matmul(a, b.astype(np.float64))
    with pytest.raises(ValueError, match="int32"):
        matmul(a.astype(np.int32), b.astype(np.int32))
    with pytest.raises(ValueError, match="inner dimensions"):
        matmul(a, a)
    with pytest.raises(ValueError, match="beta"):
        matmul(a, b, rand((3, 5), "float32", rng))
    with pytest.raises(ValueError, match="shape"):
        matmul(a, b, rand((5, 3), "float32", rng), beta=1)
    with pytest.raises(ValueError, match="alpha=.*real number"):
        matmul(a, b, alpha=1j)
    with pytest.raises(ValueError, match="inplace"):
        matmul(a, b, options={"inplace": True})
    with pytest.raises(TypeError, match="unknown field"):
        matmul(a, b, options={"bogus": 1})
    with pytest.raises(ValueError, match="blocking"):
        MatmulOptions(blocking=False)
    with pytest.raises(ValueError, match="operand c"):
        matmul(
            a,
            b,
            rand((3, 5), "float32", rng),
            beta=1.0,
            qualifiers=qualifiers(qc=TriangularMatrixQualifier.create()),
        )
    with pytest.raises(ValueError, match="conjugate"):
        matmul(
            a,
            b,
            rand((3, 5), "float32", rng),
            beta=1.0,
            qualifiers=qualifiers(qc=GeneralMatrixQualifier.create(conjugate=True)),
        )
    with pytest.raises(ValueError, match="do not broadcast"):
        matmul(rand((2, 3, 4), "float32", rng), rand((3, 4, 5), "float32", rng))
    with pytest.raises(TypeError, match="not supported"):
        matmul([[1.0]], b)


def test_beta_without_c_is_ignored_with_a_warning(caplog):
    rng = np.random.default_rng()
    a, b = rand((2, 3), "float64", rng), rand((3, 2), "float64", rng)
    with caplog.at_level(logging.WARNING, logger="nvmath"):
        r = matmul(a, b, beta=5.0)
    assert_close(r, a @ b, "float64")
    assert any("beta" in rec.message for rec in caplog.records)


# -- fuzz: shapes and qualifiers on the CPU ------------------------------------------------------

KINDS = ["ge", "dg", "sy", "he", "tr"]


@st.composite
def problems(draw):
    dtype = draw(st.sampled_from(DTYPES))
    kind = draw(st.sampled_from(KINDS))
    side = draw(st.sampled_from("ab"))
    m, n, k = (draw(st.integers(1, 6)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,), (1, 3)]))
    q = make(
        kind,
        uplo=draw(st.sampled_from([FillMode.LOWER, FillMode.UPPER])),
        diag=draw(st.sampled_from([DiagType.NON_UNIT, DiagType.UNIT])),
        conjugate=draw(st.booleans()),
        incx=draw(st.sampled_from([1, -1])),
    )
    other_conj = draw(st.booleans())
    a_order = draw(st.sampled_from("CF"))
    b_order = draw(st.sampled_from("CF"))
    with_c = draw(st.booleans())
    return dtype, kind, side, m, n, k, batch, q, other_conj, a_order, b_order, with_c


def build(problem, rng):
    dtype, kind, side, m, n, k, batch, q, other_conj, a_order, b_order, with_c = problem
    if side == "a":
        a_shape = (k,) if kind == "dg" else (*batch, k, k) if kind != "ge" else (*batch, m, k)
        b_shape = (*batch[:1], k, n)
        m = m if kind == "ge" else k
    else:
        a_shape = (*batch[:1], m, k)
        b_shape = (k,) if kind == "dg" else (*batch, k, k) if kind != "ge" else (*batch, k, n)
        n = n if kind == "ge" else k
    a = np.asarray(rand(a_shape, dtype, rng), order=a_order)
    b = np.asarray(rand(b_shape, dtype, rng), order=b_order)
    qs = qualifiers(
        qa=q if side == "a" else GeneralMatrixQualifier.create(conjugate=other_conj),
        qb=q if side == "b" else GeneralMatrixQualifier.create(conjugate=other_conj),
        qc=GeneralMatrixQualifier.create(),
    )
    full_batch = np.broadcast_shapes(a_shape[:-2] if len(a_shape) > 1 else (), b_shape[:-2] if len(b_shape) > 1 else ())
    c = rand((*full_batch, m, n), dtype, rng) if with_c else None
    return a, b, c, qs if with_c else qs[:2]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_fuzz_cpu_against_dense_reference(problem):
    rng = np.random.default_rng()
    a, b, c, qs = build(problem, rng)
    dtype = problem[0]
    alpha, beta = 1.25, -0.5
    r = matmul(a, b, c, alpha=alpha, beta=beta if c is not None else None, qualifiers=qs)
    full = qs if len(qs) == 3 else np.append(qs, GeneralMatrixQualifier.create())
    want = reference(a, b, c, alpha, beta, full)
    assert_close(r, finish(want, dtype), dtype)


# -- the GPU path's logic, against a NumPy emulation of cuBLAS (column-major, raw pointers) ---------


def _matrix_at(ptr, dtype, rows, cols, ld):
    """A writable NumPy view of a column-major rows x cols matrix at address ``ptr``."""
    dt = np.dtype(dtype)
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), dt)
    span = (rows - 1) + (cols - 1) * ld + 1
    buf = (ctypes.c_char * (span * dt.itemsize)).from_address(ptr)
    flat = np.frombuffer(buf, dtype=dt)
    return np.lib.stride_tricks.as_strided(flat, shape=(rows, cols), strides=(dt.itemsize, ld * dt.itemsize))


def _scalar_at(ptr, dtype):
    return np.frombuffer((ctypes.c_char * np.dtype(dtype).itemsize).from_address(ptr), dtype=dtype)[0]


def _op(x, op):
    return x if op == 0 else x.T if op == 1 else np.conj(x.T)


def _from_triangle(a, uplo, kind, unit=False):
    n = a.shape[0]
    i, j = np.indices((n, n))
    stored = (i >= j) if uplo == 0 else (i <= j)
    t = np.where(stored, a, 0)
    if kind == "tr":
        return np.where(i == j, 1, t) if unit else t
    strict = np.where(i != j, t, 0)
    if kind == "sy":
        return t + strict.T
    return strict + np.conj(strict.T) + np.where(i == j, t.real, 0)


class FakeCublas:
    """cuBLAS's semantics on host memory (what its documentation says each call computes)."""

    PointerMode = types.SimpleNamespace(HOST=0)

    def __init__(self):
        self.calls = []

    def cublasCreate(self):
        return 1

    def cublasSetPointerMode(self, handle, mode):
        pass

    def cublasSetStream(self, handle, stream):
        pass

    def cublasDestroy(self, handle):
        pass

    def typed_function(self, family, dtype):
        def call(*args):
            self.calls.append(family)
            getattr(self, family)(dtype, *args[1:])

        return call

    def gemm(self, dt, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc):
        a = _matrix_at(A, dt, *((m, k) if ta == 0 else (k, m)), lda)
        b = _matrix_at(B, dt, *((k, n) if tb == 0 else (n, k)), ldb)
        c = _matrix_at(C, dt, m, n, ldc)
        beta = _scalar_at(beta, dt)
        prod = _scalar_at(alpha, dt) * (_op(a, ta) @ _op(b, tb))
        c[...] = prod if beta == 0 else prod + beta * c

    def gemmStridedBatched(self, dt, ta, tb, m, n, k, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, count):
        item = np.dtype(dt).itemsize
        for i in range(count):
            self.gemm(
                dt, ta, tb, m, n, k, alpha, A + i * sA * item, lda, B + i * sB * item, ldb, beta, C + i * sC * item, ldc
            )

    def _sym(self, kind, dt, side, uplo, m, n, alpha, A, lda, B, ldb, beta, C, ldc):
        na = m if side == 0 else n
        s = _from_triangle(_matrix_at(A, dt, na, na, lda), uplo, kind)
        b = _matrix_at(B, dt, m, n, ldb)
        c = _matrix_at(C, dt, m, n, ldc)
        prod = _scalar_at(alpha, dt) * (s @ b if side == 0 else b @ s)
        beta = _scalar_at(beta, dt)
        c[...] = prod if beta == 0 else prod + beta * c

    def symm(self, dt, *args):
        self._sym("sy", dt, *args)

    def hemm(self, dt, *args):
        self._sym("he", dt, *args)

    def trmm(self, dt, side, uplo, trans, diag, m, n, alpha, A, lda, B, ldb, C, ldc):
        na = m if side == 0 else n
        t = _op(_from_triangle(_matrix_at(A, dt, na, na, lda), uplo, "tr", diag == 1), trans)
        b = _matrix_at(B, dt, m, n, ldb).copy()
        _matrix_at(C, dt, m, n, ldc)[...] = _scalar_at(alpha, dt) * (t @ b if side == 0 else b @ t)

    def dgmm(self, dt, mode, m, n, A, lda, x, incx, C, ldc):
        count = m if mode == 0 else n
        span = (count - 1) * abs(incx) + 1
        xs = _matrix_at(x, dt, span, 1, span)[:, 0]
        vec = np.array(
            [xs[j * incx] if incx >= 0 else xs[(count - 1) * abs(incx) - j * abs(incx)] for j in range(count)]
        )
        a = _matrix_at(A, dt, m, n, lda).copy()
        _matrix_at(C, dt, m, n, ldc)[...] = vec[:, None] * a if mode == 0 else a * vec[None, :]

    def geam(self, dt, ta, tb, m, n, alpha, A, lda, beta, B, ldb, C, ldc):
        a = _matrix_at(A, dt, *((m, n) if ta == 0 else (n, m)), lda).copy()
        b = _matrix_at(B, dt, *((m, n) if tb == 0 else (n, m)), ldb).copy()
        _matrix_at(C, dt, m, n, ldc)[...] = _scalar_at(alpha, dt) * _op(a, ta) + _scalar_at(beta, dt) * _op(b, tb)

    def scal(self, dt, n, alpha, x, incx):
        v = _matrix_at(x, dt, 1, n, incx)
        v[...] = _scalar_at(alpha, dt) * v


@contextlib.contextmanager
def emulated_backend(monkeypatch):
    """CudaGeneric with host "device" arrays and the cuBLAS emulator."""
    from nvmath.linalg.generic import _cuda

    fake = FakeCublas()
    monkeypatch.setattr(_cuda, "cublas", fake)
    monkeypatch.setattr(_cuda._streams, "device_context", lambda device_id: contextlib.nullcontext())
    monkeypatch.setattr(_cuda._streams, "stream_context", lambda stream: contextlib.nullcontext())
    yield fake


def run_emulated(a, b, c, alpha, beta, qs, monkeypatch):
    from nvmath.linalg.generic._cuda import CudaGeneric

    with emulated_backend(monkeypatch) as fake:
        mm = Matmul(a, b, c, alpha=alpha, beta=beta, qualifiers=qs, execution="cpu")
        backend = object.__new__(CudaGeneric)
        backend.owner, backend.p, backend.logger, backend.options = mm, mm._problem, mm.logger, mm.options
        backend.package, backend.host, backend.device_id = "numpy", False, 0
        backend.stream = types.SimpleNamespace(handle=0)
        backend.dev = {k: v for k, v in mm._operands.items() if v is not None}
        backend.handle = None
        backend._stream = lambda stream: types.SimpleNamespace(handle=0)
        backend.plan(None)
        result = backend.execute(None)
        return result, backend, fake


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("orders", ["CC", "FF", "CF", "FC"])
def test_emulated_gemm_orientations(dtype, orders, monkeypatch):
    rng = np.random.default_rng()
    a = np.asarray(rand((3, 5, 4), dtype, rng), order=orders[0])
    b = np.asarray(rand((4, 6), dtype, rng), order=orders[1])
    c = rand((3, 5, 6), dtype, rng)
    for conj in (False, True):
        qs = qualifiers(qa=GeneralMatrixQualifier.create(conjugate=conj), qc=GeneralMatrixQualifier.create())
        r, backend, fake = run_emulated(a, b, c, 0.5, 2.0, qs, monkeypatch)
        assert_close(r, finish(reference(a, b, c, 0.5, 2.0, qs), dtype), dtype)
    assert set(fake.calls) <= {"gemm", "gemmStridedBatched"}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(problem=problems())
def test_fuzz_emulated_cublas_path(monkeypatch, problem):
    rng = np.random.default_rng()
    a, b, c, qs = build(problem, rng)
    dtype = problem[0]
    alpha, beta = 1.25, -0.5
    r, backend, fake = run_emulated(a, b, c, alpha, beta if c is not None else None, qs, monkeypatch)
    full = qs if len(qs) == 3 else np.append(qs, GeneralMatrixQualifier.create())
    want = reference(a, b, c, alpha, beta, full)
    assert_close(r, finish(want, dtype), dtype)
    kind = problem[1]
    expected = {"ge": "gemm", "dg": "dgmm", "sy": "symm", "tr": "trmm"}.get(kind)
    if kind == "he":
        expected = "hemm" if dtype.startswith("complex") else "symm"
    assert expected in fake.calls or "gemmStridedBatched" in fake.calls


def test_emulated_row_major_inputs_need_no_copy(monkeypatch, caplog):
    rng = np.random.default_rng()
    for kind in ("sy", "he", "tr", "ge"):
        a = rand((6, 6), "complex128", rng)
        b = rand((6, 4), "complex128", rng)
        qs = qualifiers(qa=make(kind, FillMode.UPPER))
        with caplog.at_level(logging.INFO, logger="nvmath"):
            caplog.clear()
            r, backend, fake = run_emulated(a, b, None, 1.0, None, qs, monkeypatch)
        assert backend.swap and all(o.copy is None for o in backend.operands), kind
        assert not any("copied at every execution" in rec.message for rec in caplog.records)
        assert_close(r, reference(a, b, None, 1.0, 0, np.append(qs, GeneralMatrixQualifier.create())), "complex128")


def test_emulated_fortran_diagonal_example_takes_the_direct_orientation(monkeypatch):
    # nvmath-python's example02_diag_qualifiers: a Fortran-ordered a times a diagonal b.
    rng = np.random.default_rng()
    a = np.asarray(rand((12, 7), "float32", rng), order="F")
    b = rand((7,), "float32", rng)
    qs = qualifiers(qb=DiagonalMatrixQualifier.create())
    r, backend, fake = run_emulated(a, b, None, None, None, qs, monkeypatch)
    assert not backend.swap and all(o.copy is None for o in backend.operands)
    assert fake.calls == ["dgmm"]
    assert_close(r, a.astype(np.float64) @ np.diag(b), "float32")


def test_emulated_batched_gemm_is_one_strided_call(monkeypatch):
    rng = np.random.default_rng()
    a, b = rand((8, 5, 4), "float64", rng), rand((4, 3), "float64", rng)
    r, backend, fake = run_emulated(a, b, None, None, None, None, monkeypatch)
    assert fake.calls == ["gemmStridedBatched"]
    assert_close(r, a @ b, "float64")


def test_emulated_sliced_operand(monkeypatch):
    # nvmath-python's example08_sliced_cupy: rows of a taken with a step.
    rng = np.random.default_rng()
    a = rand((4, 8), "float64", rng)[::2]
    b = rand((8, 6), "float64", rng)
    r, backend, fake = run_emulated(a, b, None, None, None, None, monkeypatch)
    assert all(o.copy is None for o in backend.operands)
    assert_close(r, a @ b, "float64")


# -- the result's layout, as nvmath-python lays it out ---------------------------------------------


def _element_strides(x):
    x = np.asarray(x)
    return tuple(s // x.itemsize for s in x.strides)


@pytest.mark.parametrize(
    "orders, c_order, expected",
    [
        ("CC", None, "C"),  # both row-major: row-major
        ("FF", None, "F"),
        ("CF", None, "F"),  # any column-major operand: column-major
        ("FC", None, "F"),
        ("CC", "F", "F"),  # c given: c's order
        ("FF", "C", "C"),
    ],
)
def test_the_result_is_laid_out_as_nvmath_pythons(orders, c_order, expected, monkeypatch):
    rng = np.random.default_rng()
    a = np.asarray(rand((5, 4), "float64", rng), order=orders[0])
    b = np.asarray(rand((4, 6), "float64", rng), order=orders[1])
    c = None if c_order is None else np.asarray(rand((5, 6), "float64", rng), order=c_order)
    beta = None if c is None else 0.5
    want = reference(a, b, c, 2.0, beta, qualifiers(qc=GeneralMatrixQualifier.create()))
    strides = {"C": (6, 1), "F": (1, 5)}[expected]
    r = matmul(a, b, c, alpha=2.0, beta=beta, execution="cpu")
    assert _element_strides(r) == strides
    assert_close(r, want, "float64")
    # The GPU path's planning (here with the cuBLAS emulator) gives the same layout.
    qs = qualifiers(qc=GeneralMatrixQualifier.create()) if c is not None else None
    r, backend, fake = run_emulated(a, b, c, 2.0, beta, qs, monkeypatch)
    assert _element_strides(r) == strides and backend.swap == (expected == "C")
    assert_close(r, want, "float64")


def test_the_result_batch_follows_the_batch_order_of_a(monkeypatch):
    rng = np.random.default_rng()
    a = np.asfortranarray(rand((3, 2, 5, 4), "complex64", rng))  # batch axes laid out innermost first
    b = rand((4, 6), "complex64", rng)
    r = matmul(a, b, execution="cpu")
    # nvmath-python's layout: batch axis 0 innermost of the batch, each 5 x 6 matrix column-major.
    assert _element_strides(r) == (30, 90, 1, 5)
    assert_close(r, a.astype(np.complex128) @ b, "complex64")
    r, backend, fake = run_emulated(a, b, None, None, None, None, monkeypatch)
    assert _element_strides(r) == (30, 90, 1, 5)
    assert_close(r, a.astype(np.complex128) @ b, "complex64")


def test_torch_results_keep_the_layout():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    a = torch.from_numpy(np.asfortranarray(rand((5, 4), "float32", rng)))
    b = torch.from_numpy(rand((4, 3), "float32", rng))
    r = matmul(a, b, execution="cpu")
    assert isinstance(r, torch.Tensor) and r.stride() == (1, 5)
    assert_close(r.numpy(), a.numpy().astype(np.float64) @ b.numpy(), "float32")


def test_two_structured_operands_are_not_implemented_as_in_nvmath_python():
    rng = np.random.default_rng()
    a, b = rand((4, 4), "float64", rng), rand((4, 4), "float64", rng)
    qs = qualifiers(qa=make("sy"), qb=make("tr"))
    for kind in (NotImplementedError, ValueError):  # nvmath-python's type, and this project's before
        with pytest.raises(kind, match=r"at most one of a and b structured"):
            matmul(a, b, qualifiers=qs, execution="cpu")
