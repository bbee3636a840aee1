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


# ------------------------------------------------------------------ what nvmath-python's examples rely on


def _header_prototypes():
    """{function: (SMEM kinds, SMEM_DYNAMIC_LD kinds)} read from libcusolverdx.h's comments
    (kinds: "v" value_type*, "r" precision_type*, "i" int*, "u" unsigned* leading dimension)."""
    import pathlib
    import re
    import sys

    found = [
        p
        for root in sys.path
        if root
        for p in pathlib.Path(root).glob("nvidia/*/include/libcusolverdx.h")
        if p.is_file()
    ]
    if not found:
        pytest.skip("libcusolverdx.h is not installed")
    text = found[0].read_text()

    def kinds(sig):
        out = []
        for param in sig[sig.index("(") + 1 : sig.rindex(")")].split(","):
            ctype = param.strip().rsplit(" ", 1)[0].replace("const ", "").strip()
            out.append({"value_type*": "v", "precision_type*": "r", "int*": "i", "status_type*": "i"}.get(ctype, "u"))
            if out[-1] == "u":
                assert ctype in ("unsigned*", "unsigned int*"), ctype
        return tuple(out)

    result = {}
    for match in re.finditer(r"CUSOLVERDX_FUNCTION_(\w+) = \d+,", text):
        comment = re.sub(r"\n\s*\*\s?", " ", text[text.rindex("/**", 0, match.start()) : match.start()])
        dyn = comment.index("CUSOLVERDX_API_SMEM_DYNAMIC_LD")
        smem = re.search(r"CUSOLVERDX_API_SMEM\b(?!_)", comment).start()
        smem_sig, dyn_sig = (re.search(r"`(void \([^`]*\))`", comment[at:]).group(1) for at in (smem, dyn))
        result[match.group(1).lower()] = (kinds(smem_sig), kinds(dyn_sig))
    return result


@pytest.mark.parametrize("function", sorted(set(cs._engine.FUNCTIONS) - {"heev"}))
def test_prototypes_match_the_header(function):
    """The argument kinds and order every device call passes are libmathdx's C prototypes
    (both APIs): a pointer where the header has one, leading dimensions as unsigned*."""
    from nvmath.device import _cusolverdx_engine as eng

    header = _header_prototypes()[function]
    kind = {"float2*": "v", "float*": "r", "int32*": "i", "uint32*": "u"}
    for api, want in zip(("compiled_leading_dim", "runtime_leading_dim"), header):
        spec = eng.SolverSpec(
            function=function,
            size=(8, 8, 2),
            precision=np.float32,
            data_type="complex",
            execution="Block",
            target=None,
            arrangement=("col_major", "col_major"),
            leading_dimensions=(8, 8),
            batches_per_block=1,
        )
        assert tuple(kind[c] for c in eng.prototype(spec, api)[1]) == want, (function, api)


def test_heev_prototype_matches_the_header_native_abi():
    from nvmath.device import _cusolverdx_engine as eng

    smem, dyn = _header_prototypes()["heev"]
    params = eng._PARAMETERS["heev"]
    assert tuple(k for _, k in params) == dyn
    assert tuple(k for _, k in params if k != "u") == smem


def test_two_function_faces_share_batches_block_dim_and_leading_dimensions():
    """cusolverdx_samples_gesv_batched_partial_pivot.py: with batches_per_block='suggested',
    cuSOLVERDx suggests 64 for getrf but 32 for getrs (3x3 complex double, sm_90); the face's
    solve must still run on the 64 batches its factorize ran on."""
    kw = dict(
        size=(3, 3),
        precision=np.float64,
        data_type="complex",
        arrangement=("col_major", "col_major"),
        transpose_mode="non_transposed",
        leading_dimensions=(4, 4),
        execution="Block",
        batches_per_block="suggested",
        block_dim=(64,),
        sm=SM,
    )
    s = cs.LUPivotSolver(**kw)
    alone = cs.Solver("getrs_partial_pivot", **{k: v for k, v in kw.items()})
    f, v = s._factorize, s._solve
    assert s.batches_per_block == f.batches_per_block == v.batches_per_block > 1
    assert f.block_dim == v.block_dim == (64, 1, 1) and f.leading_dimensions == v.leading_dimensions == (4, 4)
    assert s.a_strides() == (12, 1, 4) and s.b_strides() == (4, 1, 4) and s.ipiv_shape == (s.batches_per_block, 3)
    # the trap the face avoids (if a later libmathdx suggests the same for both, nothing to avoid)
    if alone.batches_per_block != f.batches_per_block:
        assert v.batches_per_block != alone.batches_per_block
    for face in (
        cs.LUSolver((5, 5, 2), np.float32, "Block", sm=SM, batches_per_block="suggested"),
        cs.CholeskySolver((6, 6, 3), np.float64, "Block", "upper", sm=SM, batches_per_block="suggested"),
        cs.LUPivotSolver((7, 7, 1), np.float64, "Block", sm=SM, data_type="complex"),
    ):
        a, b = face._factorize, face._solve
        assert (a.batches_per_block, a.block_dim, a.leading_dimensions) == (
            b.batches_per_block,
            b.block_dim,
            b.leading_dimensions,
        )
        assert face.batches_per_block == a.batches_per_block and face.block_dim == a.block_dim


@pytest.mark.parametrize(
    "function, arrangement, size, ldb",
    [
        ("potrf", ("col_major", "col_major"), (27, 27, 27), 27),
        ("getrf_no_pivot", ("col_major", "row_major"), (6, 6, 3), 3),
        ("getrf_partial_pivot", ("row_major", "col_major"), (5, 5, 2), 5),
        ("geqrf", ("col_major", "col_major"), (8, 4, 1), 0),
    ],
)
def test_factorizations_report_the_ldb_of_their_solve(function, arrangement, size, ldb):
    """cusolverdx_api_comparison.py sizes B by the potrf Solver (``solver0.ldb * solver0.k``):
    ldb was 0 there, B a zero-size shared array, and potrs wrote 11 KiB past the block's
    shared memory (CUDA_ERROR_ILLEGAL_ADDRESS)."""
    kw = {"fill_mode": "lower"} if function == "potrf" else {}
    s = cs.Solver(function, size, np.float64, "Block", sm=SM, arrangement=arrangement, data_type="complex", **kw)
    assert s.ldb == ldb and s.leading_dimensions[1] == ldb
    lda = max(size) + 2
    given = cs.Solver(
        function, size, np.float64, "Block", sm=SM, arrangement=arrangement, leading_dimensions=(lda,), **kw
    )
    assert given.lda == lda and given.ldb == ldb


def test_lu_face_b_layout_by_default():
    s = cs.LUPivotSolver((5, 5, 2), np.float32, "Block", sm=SM, batches_per_block=3)
    assert s.ldb == 5 and s.b_strides() == (10, 1, 5) and s.b_size() == 30
    r = cs.LUSolver((5, 5, 2), np.float32, "Block", sm=SM, arrangement=("col_major", "row_major"))
    assert r.ldb == 2 and r.b_strides() == (10, 2, 1) and r.b_size() == 10


def test_api_comparison_device_api_kernel_links():
    """cusolverdx_api_comparison.py's device-API kernel: potrf and potrs Solvers, B sized by
    the potrf one."""
    from numba import cuda, types

    kw = dict(precision=np.float64, execution="Block", size=(27, 27, 27), fill_mode="lower", data_type="complex")
    solver0 = cs.Solver(function="potrf", block_dim=(64, 1, 1), sm=SM, **kw)
    solver1 = cs.Solver(function="potrs", block_dim=(64, 1, 1), sm=SM, **kw)
    n_a, n_b = solver0.lda * solver0.n, solver0.ldb * solver0.k
    assert n_a == n_b == 27 * 27 and (solver1.lda, solver1.ldb) == (solver0.lda, solver0.ldb)
    m, k, lda, ldb = solver0.m, solver0.k, solver0.lda, solver0.ldb

    def kernel(a, b, info):
        a_s = cuda.shared.array(n_a, dtype=solver0.value_type)
        b_s = cuda.shared.array(n_b, dtype=solver0.value_type)
        for i in range(cuda.threadIdx.x, m * m, cuda.blockDim.x):
            a_s[(i % m) * lda + i // m] = a[0, i // m, i % m]
        cuda.syncthreads()
        solver0.execute(a_s, info)
        cuda.syncthreads()
        if info[0] != 0:
            return
        for i in range(cuda.threadIdx.x, m * k, cuda.blockDim.x):
            b_s[(i % k) * ldb + i // k] = b[0, i // k, i % k]
        cuda.syncthreads()
        solver1.execute(a_s, b_s)
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, m * k, cuda.blockDim.x):
            b[0, i // k, i % k] = b_s[(i % k) * ldb + i // k]

    c3 = types.complex128[:, :, ::1]
    assert _link(kernel, (c3, c3, types.int32[::1]))[:4] == b"\x7fELF"


def test_gesv_example_kernel_links():
    """cusolverdx_samples_gesv_batched_partial_pivot.py's kernel: batches per block > 1,
    lda > M, info and ipiv sliced per block."""
    from numba import cuda, types

    s = cs.LUPivotSolver(
        size=(3, 3),
        precision=np.float64,
        data_type="complex",
        leading_dimensions=(4, 4),
        execution="Block",
        batches_per_block="suggested",
        block_dim=(64,),
        sm=SM,
    )
    n_a, n_b, n_ipiv = s.a_size(), s.b_size(), s.ipiv_size

    def kernel(a, b, info, ipiv):
        smem_a = cuda.shared.array(n_a, dtype=s.value_type)
        smem_b = cuda.shared.array(n_b, dtype=s.value_type)
        smem_ipiv = cuda.shared.array(n_ipiv, dtype=np.int32)
        base = cuda.blockIdx.x * s.batches_per_block
        st = s.a_strides()
        smem_a[st[0] + st[1] + st[2]] = a[base, 0, 0]
        smem_b[s.b_strides()[0]] = b[base, 0, 0]
        cuda.syncthreads()
        s.factorize(smem_a, smem_ipiv, info[base:])
        cuda.syncthreads()
        s.solve(smem_a, smem_ipiv, smem_b)
        cuda.syncthreads()
        b[base, 0, 0] = smem_b[0]
        ipiv[base, 0] = smem_ipiv[s.ipiv_strides[0]]

    c3 = types.complex128[:, :, ::1]
    assert _link(kernel, (c3, c3, types.int32[::1], types.int32[:, ::1]))[:4] == b"\x7fELF"
