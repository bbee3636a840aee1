"""cuSOLVERDx faces without a GPU: validation, traits, layouts, kernels compiled and linked."""

import numpy as np
import pytest

pytest.importorskip("nvmath.bindings.mathdx")

from nvmath.device import cusolverdx as cs

SM = (9, 0)


def _chol(**kw):
    args = dict(size=(16, 16, 2), precision=np.float64, execution="Block", fill_mode="lower", sm=SM)
    return cs.CholeskySolver(**{**args, **kw})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(function="potrf", size=(8, 8), precision=np.float32, execution="Block", sm=SM), "fill_mode is required"),
        (
            dict(function="geqrf", size=(8, 8), precision=np.float32, execution="Block", sm=SM, fill_mode="lower"),
            "fill_mode='lower' is not supported for function='geqrf'",
        ),
        (
            dict(
                function="trsm",
                size=(8, 8),
                precision=np.float32,
                execution="Block",
                sm=SM,
                fill_mode="lower",
                diag="unit",
            ),
            "side is required",
        ),
        (
            dict(function="potrf", size=(8, 8), precision=np.float16, execution="Block", sm=SM, fill_mode="lower"),
            "precision=",
        ),
        (
            dict(function="potrf", size=(8, 8), precision=np.float32, execution="Thread", sm=SM, fill_mode="lower"),
            "execution='Thread'",
        ),
        (
            dict(
                function="potrf",
                size=(8, 8),
                precision=np.float32,
                execution="Block",
                sm=SM,
                fill_mode="lower",
                arrangement=("col_major", "diagonal"),
            ),
            "arrangement[1]",
        ),
        (
            dict(
                function="potrf",
                size=(8, 8),
                precision=np.float32,
                execution="Block",
                sm=SM,
                fill_mode="lower",
                leading_dimensions=(4, 8),
            ),
            "lda must be at least 8",
        ),
        (
            dict(function="potrf", size=(8, 6), precision=np.float32, execution="Block", sm=SM, fill_mode="lower"),
            "must be square",
        ),
        (
            dict(
                function="getrf_no_pivot",
                size=(8, 8),
                precision=np.float32,
                execution="Block",
                sm=SM,
                transpose_mode="transposed",
            ),
            "accepted: 'non_transposed'",
        ),
        (
            dict(function="potrf", size=(512, 512), precision=np.float64, execution="Block", sm=SM, fill_mode="lower"),
            "bytes of shared memory",
        ),
        (
            dict(
                function="potrf",
                size=(8, 8),
                precision=np.float32,
                execution="Block",
                sm=SM,
                fill_mode="lower",
                batches_per_block=0,
            ),
            "batches_per_block=0",
        ),
        (
            dict(function="potrf", size=(8, 8), precision=np.float32, execution="Block", sm=SM, fill_mode="middle"),
            "fill_mode='middle'",
        ),
        (dict(function="gemm", size=(8, 8), precision=np.float32, execution="Block", sm=SM), "function='gemm'"),
    ],
)
def test_bad_input_is_refused_at_construction(kwargs, message):
    with pytest.raises(ValueError) as e:
        cs.Solver(**kwargs)
    assert message in str(e.value)


def test_faces_refuse_missing_modes():
    with pytest.raises(ValueError, match="fill_mode is required for CholeskySolver"):
        cs.CholeskySolver((8, 8), np.float32, "Block", None, sm=SM)
    with pytest.raises(ValueError, match="diag is required for TriangularSolver"):
        cs.TriangularSolver((8, 8), np.float32, "Block", "left", "lower", None, sm=SM)
    with pytest.raises(ValueError, match="arrangement="):
        cs.QRFactorize((8, 8), np.float32, "Block", sm=SM, arrangement=("col_major", "col_major"))


def test_cholesky_traits_and_layout():
    s = _chol(arrangement=("row_major", "col_major"), leading_dimensions=(17, 20), block_dim=(64,))
    assert (s.m, s.n, s.k) == (16, 16, 2)
    assert s.lda == 17 and s.ldb == 20 and s.block_dim == (64, 1, 1) and s.block_size == 64
    assert s.a_shape == (1, 16, 16) and s.b_shape == (1, 16, 2)
    assert s.a_strides() == (17 * 16, 17, 1) and s.b_strides() == (20 * 2, 1, 20)
    assert s.a_strides(lda=19) == (19 * 16, 19, 1)
    assert s.a_size() == 17 * 16 and s.b_size(ldb=16) == 32
    assert s.info_type is np.int32 and s.info_shape == (1,) and s.value_type is np.float64
    with pytest.raises(RuntimeError, match="device function"):
        s.factorize(None, None)


def test_defaults_and_suggestions():
    s = cs.Solver(
        "geqrf",
        (8, 4),
        np.float32,
        "Block",
        sm=SM,
        batches_per_block="suggested",
        block_dim="suggested",
        data_type="complex",
    )
    assert s.batches_per_block >= 1 and len(s.block_dim) == 3 and s.block_size >= 1
    assert s.leading_dimensions == (8, 0) and repr(s.value_type) == "complex64"
    q = cs.QRFactorize((8, 4), np.float32, "Block", sm=SM, arrangement="row_major", batches_per_block=3)
    assert q.lda == 4 and q.a_strides() == (32, 4, 1) and q.tau_shape == (3, 4) and q.a_size() == 96
    ls = cs.LeastSquaresSolver((8, 4, 2), np.float64, "Block", sm=SM)
    assert ls.ldb == 8 and ls.bx_strides() == (16, 1, 8) and ls.b_shape == (1, 8, 2) and ls.x_shape == (1, 4, 2)
    mq = cs.QRMultiply((8, 6, 4), np.float64, "Block", "left", sm=SM)
    assert mq.a_shape == (1, 8, 4) and mq.c_shape == (1, 8, 6) and mq.c_strides() == (48, 1, 8)
    lu = cs.LUSolver((8, 6), np.float64, "Block", sm=SM)
    assert lu._solve is None  # M != N: no solve


def test_prototypes():
    from nvmath.device import _cusolverdx_engine as eng

    s = cs.Solver("getrs_partial_pivot", (8, 8, 2), np.float32, "Block", sm=SM, data_type="complex")
    assert eng.prototype(s._spec, "compiled_leading_dim") == (("a", "ipiv", "b"), ("float2*", "int32*", "float2*"))
    assert eng.prototype(s._spec, "runtime_leading_dim")[1] == ("float2*", "uint32*", "int32*", "float2*", "uint32*")


def test_ltoir_and_fatbin_generation():
    from nvmath.device.common_cuda import CodeType, ComputeCapability

    s = cs.Solver("potrf", (8, 8), np.float32, "Block", sm=SM, fill_mode="upper")
    code, symbol = cs.compile_solver_execute(s, CodeType("lto", ComputeCapability(9, 0)), "runtime_leading_dim")
    assert symbol.startswith("cusolverdx") and len(code.data) > 100
    from nvmath.device import _cusolverdx_engine as eng

    assert eng.universal_fatbin()[:4] == b"\x50\xed\x55\xba"


def _link(kernel, sig):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=SM, output="ltoir", abi="numba")
    kinds = {"Fatbin": "fatbin", "LTOIR": "ltoir"}
    inputs = [c if isinstance(c, (bytes, bytearray)) else (kinds[type(c).__name__], bytes(c.data)) for c in codes]
    assert any(k == "fatbin" for k, _ in [i for i in inputs if isinstance(i, tuple)])
    return link(inputs, compute_capability="sm_90")


def test_cholesky_kernel_links_with_compile_time_and_runtime_leading_dimensions():
    from numba import cuda, types

    s = _chol(data_type="complex")
    n_a, n_b = s.a_size(), s.b_size()

    def kernel(a, info, lda):
        sa = cuda.shared.array(n_a, dtype=s.value_type)
        sb = cuda.shared.array(n_b, dtype=s.value_type)
        st = s.a_strides(lda=lda)
        a[0, 0, 0] = st[0] + s.a_strides()[2] + s.a_shape[1] + s.lda
        s.factorize(sa, info)
        s.factorize(sa, info, lda=lda)
        s.solve(sa, sb)
        s.solve(sa, sb, lda=lda, ldb=lda)

    cubin = _link(kernel, (types.complex128[:, :, ::1], types.int32[::1], types.int64))
    assert cubin[:4] == b"\x7fELF"


@pytest.mark.parametrize(
    "make, call",
    [
        (lambda: cs.LUPivotSolver((8, 8, 1), np.float32, "Block", sm=SM), "pivot"),
        (lambda: cs.QRFactorize((8, 4), np.float32, "Block", sm=SM, data_type="complex"), "qr"),
        (lambda: cs.QRMultiply((8, 4, 4), np.float64, "Block", "left", sm=SM), "unmqr"),
        (lambda: cs.TriangularSolver((8, 4), np.float64, "Block", "left", "upper", "non_unit", sm=SM), "trsm"),
        (lambda: cs.LeastSquaresSolver((8, 4, 1), np.float32, "Block", sm=SM), "gels"),
    ],
)
def test_each_face_links(make, call):
    from numba import cuda, types

    s = make()
    vt = s.value_type
    nb = 256

    if call == "pivot":

        def kernel(x, ip, info):
            a = cuda.shared.array(nb, dtype=vt)
            b = cuda.shared.array(nb, dtype=vt)
            s.factorize(a, ip, info)
            s.solve(a, ip, b)
    elif call == "qr":

        def kernel(x, ip, info):
            a = cuda.shared.array(nb, dtype=vt)
            t = cuda.shared.array(nb, dtype=vt)
            s.factorize(a, t)
    elif call == "unmqr":

        def kernel(x, ip, info):
            a = cuda.shared.array(nb, dtype=vt)
            t = cuda.shared.array(nb, dtype=vt)
            s.multiply(a, t, a, lda=8, ldc=8)
    elif call == "trsm":

        def kernel(x, ip, info):
            a = cuda.shared.array(nb, dtype=vt)
            s.solve(a, a)
    else:

        def kernel(x, ip, info):
            a = cuda.shared.array(nb, dtype=vt)
            t = cuda.shared.array(nb, dtype=vt)
            s.solve(a, t, a)

    assert _link(kernel, (types.float32[::1], types.int32[::1], types.int32[::1]))[:4] == b"\x7fELF"


def test_wrong_arguments_are_typing_errors():
    from numba import cuda, types
    from numba.core.errors import TypingError

    s = _chol()

    def wrong_dtype(x, info):
        s.factorize(x, info)

    def half_lds(x, info):
        s.solve(x, x, lda=16)

    for kernel, message in ((wrong_dtype, "array of float64 is required"), (half_lds, "ldb missing")):
        with pytest.raises(TypingError, match=message):
            cuda.compile_all(
                kernel, (types.float32[::1], types.int32[::1]), device=False, cc=SM, output="ltoir", abi="numba"
            )
