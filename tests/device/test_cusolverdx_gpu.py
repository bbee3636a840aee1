"""cuSOLVERDx device functions on the GPU, against NumPy (factorizations by reconstruction,
solves by residual)."""

import numpy as np
import pytest

pytest.importorskip("nvmath.bindings.mathdx")

from numba import cuda

from nvmath.device import cusolverdx as cs

pytestmark = pytest.mark.gpu

CASES = [(p, d) for p in (np.float32, np.float64) for d in ("real", "complex")]
TOL = {np.float32: 1e-4, np.float64: 1e-10}


def _random(shape, precision, data_type, rng):
    x = rng.standard_normal(shape).astype(precision)
    if data_type == "complex":
        x = x + 1j * rng.standard_normal(shape).astype(precision)
    return x


def _rel(x, ref):
    return np.linalg.norm(x - ref) / np.linalg.norm(ref)


def _copy_in(src, dst, rows, cols, ld, batches):
    # global (batch, rows, cols) -> shared column-major with leading dimension ld

    tid = cuda.threadIdx.x
    for idx in range(tid, batches * rows * cols, cuda.blockDim.x):
        b = idx // (rows * cols)
        r = idx % (rows * cols)
        i, j = r % rows, r // rows
        dst[b * ld * cols + i + j * ld] = src[b, i, j]


def _copy_out(src, dst, rows, cols, ld, batches):

    tid = cuda.threadIdx.x
    for idx in range(tid, batches * rows * cols, cuda.blockDim.x):
        b = idx // (rows * cols)
        r = idx % (rows * cols)
        i, j = r % rows, r // rows
        dst[b, i, j] = src[b * ld * cols + i + j * ld]


def _device_copies():

    return cuda.jit(device=True, forceinline=True)(_copy_in), cuda.jit(device=True, forceinline=True)(_copy_out)


@pytest.mark.parametrize("precision, data_type", CASES)
@pytest.mark.parametrize("fill_mode", ["lower", "upper"])
def test_cholesky_factorize_and_solve(precision, data_type, fill_mode):

    rng = np.random.default_rng(1)
    n, k, bpb = 12, 3, 2
    s = cs.CholeskySolver((n, n, k), precision, "Block", fill_mode, data_type=data_type, batches_per_block=bpb)
    cin, cout = _device_copies()
    na, nb, lda, ldb = s.a_size(), s.b_size(), s.lda, s.ldb

    @cuda.jit
    def kernel(a, b, info):
        sa = cuda.shared.array(na, dtype=s.value_type)
        sb = cuda.shared.array(nb, dtype=s.value_type)
        cin(a, sa, n, n, lda, bpb)
        cin(b, sb, n, k, ldb, bpb)
        cuda.syncthreads()
        s.factorize(sa, info)
        cuda.syncthreads()
        s.solve(sa, sb)
        cuda.syncthreads()
        cout(sa, a, n, n, lda, bpb)
        cout(sb, b, n, k, ldb, bpb)

    m = _random((bpb, n, n), precision, data_type, rng)
    a = (m @ np.conj(np.swapaxes(m, 1, 2)) + n * np.eye(n)).astype(m.dtype)
    b = _random((bpb, n, k), precision, data_type, rng)
    a_d, b_d, info_d = cuda.to_device(a), cuda.to_device(b), cuda.device_array(bpb, np.int32)
    kernel[1, s.block_dim](a_d, b_d, info_d)
    f, x, info = a_d.copy_to_host(), b_d.copy_to_host(), info_d.copy_to_host()
    assert (info == 0).all()
    for i in range(bpb):
        if fill_mode == "lower":
            low = np.tril(f[i])
            assert _rel(low @ np.conj(low.T), a[i]) < TOL[precision]
        else:
            up = np.triu(f[i])
            assert _rel(np.conj(up.T) @ up, a[i]) < TOL[precision]
        assert _rel(a[i] @ x[i], b[i]) < TOL[precision]


@pytest.mark.parametrize("precision, data_type", CASES)
def test_lu_pivot_factorize_and_solve_runtime_ld(precision, data_type):

    rng = np.random.default_rng(2)
    n, k = 10, 2
    s = cs.LUPivotSolver((n, n, k), precision, "Block", data_type=data_type)
    cin, cout = _device_copies()
    ld = n + 3
    na, nb = s.a_size(lda=ld), s.b_size(ldb=ld)

    @cuda.jit
    def kernel(a, b, ipiv, info, ldr):
        sa = cuda.shared.array(na, dtype=s.value_type)
        sb = cuda.shared.array(nb, dtype=s.value_type)
        sp = cuda.shared.array(n, dtype=np.int32)
        cin(a, sa, n, n, ldr, 1)
        cin(b, sb, n, k, ldr, 1)
        cuda.syncthreads()
        s.factorize(sa, sp, info, lda=ldr)
        cuda.syncthreads()
        s.solve(sa, sp, sb, lda=ldr, ldb=ldr)
        cuda.syncthreads()
        cout(sa, a, n, n, ldr, 1)
        cout(sb, b, n, k, ldr, 1)
        for i in range(cuda.threadIdx.x, n, cuda.blockDim.x):
            ipiv[i] = sp[i]

    a = _random((1, n, n), precision, data_type, rng)
    b = _random((1, n, k), precision, data_type, rng)
    a_d, b_d = cuda.to_device(a), cuda.to_device(b)
    ipiv_d, info_d = cuda.device_array(n, np.int32), cuda.device_array(1, np.int32)
    kernel[1, s.block_dim](a_d, b_d, ipiv_d, info_d, ld)
    f, x, ipiv = a_d.copy_to_host()[0], b_d.copy_to_host()[0], ipiv_d.copy_to_host()
    assert info_d.copy_to_host()[0] == 0
    lower, upper = np.tril(f, -1) + np.eye(n), np.triu(f)
    pa = a[0].copy()
    for i, p in enumerate(ipiv):  # LAPACK: row i swapped with row p - 1, in order
        pa[[i, p - 1]] = pa[[p - 1, i]]
    assert _rel(lower @ upper, pa) < TOL[precision]
    assert _rel(a[0] @ x, b[0]) < 10 * TOL[precision]


@pytest.mark.parametrize("precision, data_type", CASES)
def test_qr_factorize_r_matches_numpy(precision, data_type):

    rng = np.random.default_rng(3)
    m, n = 12, 7
    s = cs.QRFactorize((m, n), precision, "Block", data_type=data_type)
    cin, cout = _device_copies()
    na, lda = s.a_size(), s.lda

    @cuda.jit
    def kernel(a, tau):
        sa = cuda.shared.array(na, dtype=s.value_type)
        st = cuda.shared.array(n, dtype=s.value_type)
        cin(a, sa, m, n, lda, 1)
        cuda.syncthreads()
        s.factorize(sa, st)
        cuda.syncthreads()
        cout(sa, a, m, n, lda, 1)
        for i in range(cuda.threadIdx.x, n, cuda.blockDim.x):
            tau[i] = st[i]

    a = _random((1, m, n), precision, data_type, rng)
    a_d, tau_d = cuda.to_device(a), cuda.device_array(n, a.dtype)
    kernel[1, s.block_dim](a_d, tau_d)
    f, tau = a_d.copy_to_host()[0], tau_d.copy_to_host()
    # Q from the reflections H(i) = I - tau_i v v^H
    q = np.eye(m, dtype=a.dtype)
    for i in range(n):
        v = np.zeros(m, a.dtype)
        v[i] = 1
        v[i + 1 :] = f[i + 1 :, i]
        q = q @ (np.eye(m, dtype=a.dtype) - tau[i] * np.outer(v, np.conj(v)))
    r = np.triu(f)
    assert _rel(q @ r, a[0]) < TOL[precision]


@pytest.mark.parametrize("precision, data_type", CASES)
@pytest.mark.parametrize("side", ["left", "right"])
def test_triangular_solve(precision, data_type, side):

    rng = np.random.default_rng(4)
    m, n = 9, 6
    s = cs.TriangularSolver((m, n), precision, "Block", side, "lower", "non_unit", data_type=data_type)
    d = m if side == "left" else n
    cin, cout = _device_copies()
    na, nb, lda, ldb = s.a_size(), s.b_size(), s.lda, s.ldb

    @cuda.jit
    def kernel(a, b):
        sa = cuda.shared.array(na, dtype=s.value_type)
        sb = cuda.shared.array(nb, dtype=s.value_type)
        cin(a, sa, d, d, lda, 1)
        cin(b, sb, m, n, ldb, 1)
        cuda.syncthreads()
        s.solve(sa, sb)
        cuda.syncthreads()
        cout(sb, b, m, n, ldb, 1)

    a = np.tril(_random((1, d, d), precision, data_type, rng)) + 4 * np.eye(d, dtype=precision)
    b = _random((1, m, n), precision, data_type, rng)
    b_d = cuda.to_device(b)
    kernel[1, s.block_dim](cuda.to_device(a), b_d)
    x = b_d.copy_to_host()[0]
    got = a[0] @ x if side == "left" else x @ a[0]
    assert _rel(got, b[0]) < TOL[precision]


@pytest.mark.parametrize("precision, data_type", CASES)
def test_least_squares(precision, data_type):

    rng = np.random.default_rng(5)
    m, n, k = 12, 5, 2
    s = cs.LeastSquaresSolver((m, n, k), precision, "Block", data_type=data_type)
    cin, cout = _device_copies()
    na, nbx, lda, ldb = s.a_size(), s.bx_size(), s.lda, s.ldb

    @cuda.jit
    def kernel(a, b):
        sa = cuda.shared.array(na, dtype=s.value_type)
        sb = cuda.shared.array(nbx, dtype=s.value_type)
        st = cuda.shared.array(n, dtype=s.value_type)
        cin(a, sa, m, n, lda, 1)
        cin(b, sb, m, k, ldb, 1)
        cuda.syncthreads()
        s.solve(sa, st, sb)
        cuda.syncthreads()
        cout(sb, b, m, k, ldb, 1)

    a = _random((1, m, n), precision, data_type, rng)
    b = _random((1, m, k), precision, data_type, rng)
    b_d = cuda.to_device(b)
    kernel[1, s.block_dim](cuda.to_device(a), b_d)
    x = b_d.copy_to_host()[0, :n]
    ref = np.linalg.lstsq(a[0].astype(np.complex128), b[0].astype(np.complex128), rcond=None)[0]
    assert _rel(x, ref) < 10 * TOL[precision]


# ------------------------------------------------------------------ nvmath-python's examples' cases


def _strided_copies():
    """Device copies between global (batch, rows, cols) and shared memory laid out by strides
    over (batch, row, col), as the examples' load/store_from_shared_strided helpers do."""

    def load(src, dst, shape, strides):
        for idx in range(cuda.threadIdx.x, shape[0] * shape[1] * shape[2], cuda.blockDim.x):
            col = idx % shape[2]
            row = (idx // shape[2]) % shape[1]
            batch = idx // (shape[1] * shape[2])
            dst[batch * strides[0] + row * strides[1] + col * strides[2]] = src[batch, row, col]

    def store(src, dst, shape, strides):
        for idx in range(cuda.threadIdx.x, shape[0] * shape[1] * shape[2], cuda.blockDim.x):
            col = idx % shape[2]
            row = (idx // shape[2]) % shape[1]
            batch = idx // (shape[1] * shape[2])
            dst[batch, row, col] = src[batch * strides[0] + row * strides[1] + col * strides[2]]

    jit = cuda.jit(device=True, forceinline=True)
    return jit(load), jit(store)


@pytest.mark.parametrize("precision, data_type", [(np.float64, "complex"), (np.float32, "real")])
def test_gesv_partial_pivot_batched_suggested_padded_ld(precision, data_type):
    """cusolverdx_samples_gesv_batched_partial_pivot.py: 3x3 systems, lda = ldb = 4 > M,
    batches_per_block='suggested' (cuSOLVERDx suggests more for getrf than for getrs), 64
    threads, several blocks; against numpy.linalg.solve and by LU reconstruction."""
    rng = np.random.default_rng(6)
    s = cs.LUPivotSolver(
        size=(3, 3),
        precision=precision,
        data_type=data_type,
        arrangement=("col_major", "col_major"),
        transpose_mode="non_transposed",
        leading_dimensions=(4, 4),
        execution="Block",
        batches_per_block="suggested",
        block_dim=(64,),
    )
    assert s._solve.batches_per_block == s.batches_per_block
    blocks, bpb = 8, s.batches_per_block
    count = blocks * bpb
    n_a, n_b, n_ipiv = s.a_size(), s.b_size(), s.ipiv_size
    load, store = _strided_copies()

    @cuda.jit
    def kernel(a, b, info, ipiv):
        smem_a = cuda.shared.array(n_a, dtype=s.value_type)
        smem_b = cuda.shared.array(n_b, dtype=s.value_type)
        smem_ipiv = cuda.shared.array(n_ipiv, dtype=np.int32)
        base = cuda.blockIdx.x * s.batches_per_block
        load(a[base:], smem_a, s.a_shape, s.a_strides())
        load(b[base:], smem_b, s.b_shape, s.b_strides())
        cuda.syncthreads()
        s.factorize(smem_a, smem_ipiv, info[base:])
        cuda.syncthreads()
        s.solve(smem_a, smem_ipiv, smem_b)
        cuda.syncthreads()
        store(smem_a, a[base:], s.a_shape, s.a_strides())
        store(smem_b, b[base:], s.b_shape, s.b_strides())
        for i in range(cuda.threadIdx.x, n_ipiv, cuda.blockDim.x):
            ipiv[base + i // s.ipiv_shape[1], i % s.ipiv_shape[1]] = smem_ipiv[i]

    a = _random((count, 3, 3), precision, data_type, rng)
    b = _random((count, 3, 1), precision, data_type, rng)
    a_d, b_d = cuda.to_device(a), cuda.to_device(b)
    info_d = cuda.device_array(count, dtype=s.info_type)
    ipiv_d = cuda.device_array((count, 3), dtype=s.ipiv_type)
    kernel[blocks, s.block_dim](a_d, b_d, info_d, ipiv_d)
    f, x, info, ipiv = a_d.copy_to_host(), b_d.copy_to_host(), info_d.copy_to_host(), ipiv_d.copy_to_host()
    assert (info == 0).all()
    assert ((ipiv >= 1) & (ipiv <= 3)).all()  # 1-based, LAPACK's convention
    ref = np.linalg.solve(a.astype(np.complex128), b.astype(np.complex128))
    worst = max(_rel(x[i], ref[i]) for i in range(count))
    assert worst < 100 * TOL[precision], worst  # every batch of every block solved
    for i in (0, bpb - 1, bpb, count - 1):
        pa = a[i].copy()
        for r, p in enumerate(ipiv[i]):
            pa[[r, p - 1]] = pa[[p - 1, r]]
        assert _rel((np.tril(f[i], -1) + np.eye(3)) @ np.triu(f[i]), pa) < 10 * TOL[precision]


def test_potrf_potrs_solvers_with_b_sized_by_potrf():
    """cusolverdx_api_comparison.py's device-API half: B's shared array is sized by the potrf
    Solver (``solver0.ldb * solver0.k``), 27x27 complex double, 27 right-hand sides."""
    rng = np.random.default_rng(7)
    m = k = 27
    kw = dict(precision=np.float64, execution="Block", size=(m, m, k), fill_mode="lower", data_type="complex")
    solver0 = cs.Solver(function="potrf", block_dim=(64, 1, 1), **kw)
    solver1 = cs.Solver(function="potrs", block_dim=(64, 1, 1), **kw)
    n_a, n_b = solver0.lda * solver0.n, solver0.ldb * solver0.k
    lda, ldb = solver0.lda, solver0.ldb
    assert n_b == m * k
    cin, cout = _device_copies()

    @cuda.jit
    def kernel(a, b, info):
        a_s = cuda.shared.array(n_a, dtype=solver0.value_type)
        b_s = cuda.shared.array(n_b, dtype=solver0.value_type)
        cin(a, a_s, m, m, lda, 1)
        cuda.syncthreads()
        solver0.execute(a_s, info)
        cuda.syncthreads()
        if info[0] != 0:
            return
        cin(b, b_s, m, k, ldb, 1)
        cuda.syncthreads()
        solver1.execute(a_s, b_s)
        cuda.syncthreads()
        cout(b_s, b, m, k, ldb, 1)

    g = _random((1, m, m), np.float64, "complex", rng)
    a = g @ np.conj(np.swapaxes(g, 1, 2)) + m * np.eye(m)
    b = _random((1, m, k), np.float64, "complex", rng)
    b_d, info_d = cuda.to_device(b), cuda.device_array(solver0.batches_per_block, dtype=solver0.info_type)
    kernel[1, solver0.block_dim](cuda.to_device(a), b_d, info_d)
    cuda.synchronize()
    assert info_d.copy_to_host()[0] == 0
    assert _rel(b_d.copy_to_host()[0], np.linalg.solve(a[0], b[0])) < 1e-10
