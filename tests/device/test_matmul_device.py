"""nvmath.device.Matmul (cuBLASDx through libmathdx): bad input everywhere; traits, code and a
kernel linked to a cubin where libmathdx can generate cuBLASDx code; values on the GPU."""

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

import nvmath.device  # noqa: E402
from nvmath.device import Matmul  # noqa: E402
from nvmath.device.cublasdx import SharedStorageCalc  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cufftdxGetVersion)  # the "dx" extra


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(size=(32, 32), precision="single", data_type="real"), "size=\\(32, 32\\)"),
        (dict(size=(32, 32, 0), precision="single", data_type="real"), "positive ints"),
        (dict(size=(32, 32, 32), precision="quad", data_type="real"), "precision='quad'"),
        (dict(size=(32, 32, 32), precision="single", data_type="integer"), "data_type='integer'.*'real', 'complex'"),
        (
            dict(size=(32, 32, 32), precision="single", data_type="real", block_size=64, block_dim=(64, 1, 1)),
            "block_size or block_dim",
        ),
        (dict(size=(32, 32, 32), precision="single", data_type="real", execution="Thread"), "execution='Thread'"),
        (
            dict(size=(256, 256, 128), precision="double", data_type="real"),
            r"needs 524288 bytes of shared memory for A and B.*sm_90 has at most 232448",
        ),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Matmul(sm=(9, 0), **kwargs)


def _matmul(*args, **kwargs):
    """Matmul(...), or an expected failure where libmathdx cannot generate cuBLASDx code here
    (libmathdx 0.4 compiles cuBLASDx with the NVRTC of CUDA 13.0 only)."""
    try:
        return Matmul(*args, **kwargs)
    except RuntimeError as e:
        pytest.xfail(str(e).splitlines()[0])


@pytest.fixture(scope="module")
def gemm():
    return _matmul((32, 32, 32), "single", "real", sm=(9, 0))


@needs_library
def test_traits_and_layout(gemm):

    assert gemm.a_dim == (32, 32) and gemm.b_dim == (32, 32) and gemm.c_dim == (32, 32)
    assert gemm.arrangement == ("row_major", "col_major", "col_major")
    assert all(ld >= 32 for ld in gemm.leading_dimension)
    assert gemm.a_size == 32 * gemm.leading_dimension[0]
    assert gemm.get_shared_storage_size() == 4 * (gemm.a_size + gemm.b_size + gemm.c_size)
    assert gemm.a_value_type is gemm.c_value_type is np.float32 and gemm.max_threads_per_block >= gemm.block_dim[0]
    with pytest.warns(DeprecationWarning):
        assert gemm.value_type is np.float32
    assert bytes(gemm.ltoir)[:4] == b"\xedCN\x7f" and gemm.symbol.startswith("cublasdx")
    # execute checks in the kernel that A, B and C span what the layout needs.
    assert gemm._extern("smem").min_bytes == {
        1: (4 * gemm.a_size, "a"),
        2: (4 * gemm.b_size, "b"),
        4: (4 * gemm.c_size, "c"),
    }


def _kernel(mm, dtype=None):
    from numba import cuda, types

    dtype = dtype or types.float32
    m, n, k = mm.size
    lda, ldb, ldc = mm.leading_dimension
    a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size
    threads = mm.block_dim[0] * mm.block_dim[1] * mm.block_dim[2]

    def gemm_kernel(a, b, c, alpha, beta):
        smem = cuda.shared.array(0, dtype=dtype)
        sa = smem[0:a_size]
        sb = smem[a_size : a_size + b_size]
        sc = smem[a_size + b_size : a_size + b_size + c_size]
        t = cuda.threadIdx.x
        for idx in range(t, m * k, threads):  # A row-major
            sa[(idx // k) * lda + idx % k] = a[idx // k, idx % k]
        for idx in range(t, k * n, threads):  # B column-major
            sb[(idx % n) * ldb + idx // n] = b[idx // n, idx % n]
        for idx in range(t, m * n, threads):  # C column-major
            sc[(idx % n) * ldc + idx // n] = c[idx // n, idx % n]
        cuda.syncthreads()
        mm.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for idx in range(t, m * n, threads):
            c[idx // n, idx % n] = sc[(idx % n) * ldc + idx // n]

    return gemm_kernel


def _bf16_kernel(mm):
    """A kernel for bf16 A and B (uint16 bit patterns) and a float C; returns it and the dynamic
    shared memory it needs (C starts 16-byte aligned after A and B)."""
    from numba import cuda, types

    m, n, k = mm.size
    lda, ldb, ldc = mm.leading_dimension
    a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size
    c_start = -(-(a_size + b_size) * 2 // 16) * 4  # in floats
    threads = mm.block_dim[0] * mm.block_dim[1] * mm.block_dim[2]

    def gemm_kernel(a, b, c, alpha, beta):
        bits = cuda.shared.array(0, dtype=types.uint16)
        floats = cuda.shared.array(0, dtype=types.float32)  # the same dynamic buffer
        sa = bits[0:a_size]
        sb = bits[a_size : a_size + b_size]
        sc = floats[c_start : c_start + c_size]
        t = cuda.threadIdx.x
        for idx in range(t, m * k, threads):
            sa[(idx // k) * lda + idx % k] = a[idx // k, idx % k]
        for idx in range(t, k * n, threads):
            sb[(idx % n) * ldb + idx // n] = b[idx // n, idx % n]
        for idx in range(t, m * n, threads):
            sc[(idx % n) * ldc + idx // n] = c[idx // n, idx % n]
        cuda.syncthreads()
        mm.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for idx in range(t, m * n, threads):
            c[idx // n, idx % n] = sc[(idx % n) * ldc + idx // n]

    return gemm_kernel, (c_start + c_size) * 4


def _complex_pairs_kernel(mm):
    """A kernel for complex half or bf16 A and B given as interleaved (re, im) pairs, and C as
    pairs too (half) or complex64 (bf16); returns it and the dynamic shared memory it needs."""
    from numba import cuda

    m, n, k = mm.size
    lda, ldb, ldc = mm.leading_dimension
    a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size
    from numba import types

    # complex half and bf16 as interleaved (re, im) pairs of their storage type
    ab_type = types.float16 if mm.precision.a is np.float16 else types.uint16
    c_pairs = mm.precision.c is np.float16
    c_type = ab_type if c_pairs else types.complex64
    c_item = 4 if c_pairs else 8  # bytes per complex C
    c_start_bytes = -(-(a_size + b_size) * 4 // 16) * 16
    c_start = c_start_bytes // (c_item // 2 if c_pairs else c_item)
    threads = mm.block_dim[0] * mm.block_dim[1] * mm.block_dim[2]

    def gemm_kernel(a, b, c, alpha, beta):
        ab = cuda.shared.array(0, dtype=ab_type)
        cs = cuda.shared.array(0, dtype=c_type)  # the same dynamic buffer
        t = cuda.threadIdx.x
        for idx in range(t, m * k, threads):  # A row-major
            r, col = idx // k, idx % k
            ab[2 * (r * lda + col)] = a[r, 2 * col]
            ab[2 * (r * lda + col) + 1] = a[r, 2 * col + 1]
        for idx in range(t, k * n, threads):  # B column-major
            r, col = idx // n, idx % n
            ab[2 * (a_size + col * ldb + r)] = b[r, 2 * col]
            ab[2 * (a_size + col * ldb + r) + 1] = b[r, 2 * col + 1]
        for idx in range(t, m * n, threads):  # C column-major
            r, col = idx // n, idx % n
            if c_pairs:
                cs[c_start + 2 * (col * ldc + r)] = c[r, 2 * col]
                cs[c_start + 2 * (col * ldc + r) + 1] = c[r, 2 * col + 1]
            else:
                cs[c_start + col * ldc + r] = c[r, col]
        cuda.syncthreads()
        mm.execute(
            alpha,
            ab[0 : 2 * a_size],
            ab[2 * a_size : 2 * (a_size + b_size)],
            beta,
            cs[c_start : c_start + (2 if c_pairs else 1) * c_size],
        )
        cuda.syncthreads()
        for idx in range(t, m * n, threads):
            r, col = idx // n, idx % n
            if c_pairs:
                c[r, 2 * col] = cs[c_start + 2 * (col * ldc + r)]
                c[r, 2 * col + 1] = cs[c_start + 2 * (col * ldc + r) + 1]
            else:
                c[r, col] = cs[c_start + col * ldc + r]

    return gemm_kernel, c_start_bytes + c_size * c_item


@needs_library
def test_complex_half_and_bfloat16_are_interleaved_pairs():
    from numba import cuda, types

    from nvmath.jit import link

    for precision, c_numba in (("half", types.float16), ("bfloat16", types.complex64)):
        mm = _matmul((16, 8, 12), precision, "complex", sm=(9, 0))
        pair = types.float16 if precision == "half" else types.uint16
        if precision == "half":
            assert mm.a_value_type == mm.b_value_type == mm.c_value_type == nvmath.device.complex32
        else:
            assert mm.a_value_type is mm.b_value_type is np.uint16 and mm.c_value_type == nvmath.device.complex64
        want = SharedStorageCalc()
        for align, count, item in zip(
            mm.alignment, (mm.a_size, mm.b_size, mm.c_size), (4, 4, 4 if precision == "half" else 8)
        ):
            want.add(align, item, count)
        assert mm.get_shared_storage_size() == want.get()
        c_arg = types.Array(c_numba, 2, "C")
        scalar = types.complex128
        sig = (types.Array(pair, 2, "C"),) * 2 + (c_arg, scalar, scalar)
        codes, _ = cuda.compile_all(
            _complex_pairs_kernel(mm)[0], sig, device=False, cc=(9, 0), output="ltoir", abi="numba"
        )
        inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
        assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


@needs_library
def test_kernel_links_to_a_cubin_without_a_gpu(gemm):
    from numba import cuda, types

    from nvmath.jit import link

    sig = (types.float32[:, ::1],) * 3 + (types.float32, types.float32)
    codes, _ = cuda.compile_all(_kernel(gemm), sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    from tests.device.link_inputs import code_count, link_inputs

    inputs = link_inputs(codes)
    assert code_count(codes) == 2
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


@pytest.mark.gpu
@needs_library
def test_values_on_the_gpu():
    from numba import cuda

    mm = _matmul((32, 16, 24), "single", "real")
    kernel = nvmath.device.jit(_kernel(mm))
    rng = np.random.default_rng()
    a = rng.standard_normal((32, 24)).astype(np.float32)
    b = rng.standard_normal((24, 16)).astype(np.float32)
    c = rng.standard_normal((32, 16)).astype(np.float32)
    d = cuda.to_device(c)
    kernel[1, mm.block_dim, 0, mm.get_shared_storage_size()](cuda.to_device(a), cuda.to_device(b), d, 1.5, -0.5)
    want = 1.5 * a.astype(np.float64) @ b - 0.5 * c
    assert np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want) < 1e-5


def _to_bf16_bits(x):
    """float32 → bfloat16 bit patterns (round to nearest even), as uint16."""
    u = np.ascontiguousarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def _from_bf16_bits(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def test_bfloat16_bit_helpers_round_to_nearest_even():
    # Halfway cases go to the even mantissa: 1 + 2**-8 down to 1, 1 + 3 * 2**-8 up to 1 + 2**-6.
    x = np.array([1.0, -2.5, 1 + 2**-8, 1 + 3 * 2**-8], np.float32)
    assert list(_from_bf16_bits(_to_bf16_bits(x))) == [1.0, -2.5, 1.0, 1 + 2**-6]


@needs_library
def test_bfloat16_matrices_are_uint16_bit_patterns():
    from numba import cuda, types

    from nvmath.jit import link

    mm = _matmul((16, 8, 32), "bfloat16", "real", sm=(9, 0))
    assert mm.a_value_type is mm.b_value_type is np.uint16 and mm.c_value_type is np.float32
    assert mm.get_shared_storage_size() >= 2 * (mm.a_size + mm.b_size) + 4 * mm.c_size
    sig = (types.uint16[:, ::1],) * 2 + (types.float32[:, ::1], types.float32, types.float32)
    codes, _ = cuda.compile_all(_bf16_kernel(mm)[0], sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"
    # float32 shared arrays are not bf16 ones: a typing error that says what is needed.
    from numba.core.errors import TypingError

    with pytest.raises(TypingError, match="takes arrays of uint16 or int16 there"):
        cuda.compile_all(
            _kernel(mm, types.float32),
            (types.float32[:, ::1],) * 3 + (types.float32, types.float32),
            device=False,
            cc=(9, 0),
            output="ltoir",
            abi="numba",
        )


@pytest.mark.gpu
@needs_library
@pytest.mark.parametrize("precision", ["half", "bfloat16"])
def test_complex_half_and_bfloat16_values_on_the_gpu(precision):
    from numba import cuda

    mm = _matmul((16, 8, 12), precision, "complex")
    body, shared = _complex_pairs_kernel(mm)
    kernel = nvmath.device.jit(body)
    rng = np.random.default_rng()

    def rand(shape):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)

    def pairs(z):  # complex → interleaved (re, im) in the precision's storage
        floats = z.view(np.float32)
        return floats.astype(np.float16) if precision == "half" else _to_bf16_bits(floats)

    def values(p):  # and back, as complex128
        f = p.astype(np.float64) if precision == "half" else _from_bf16_bits(p).astype(np.float64)
        return f[..., 0::2] + 1j * f[..., 1::2]

    a, b, c = pairs(rand((16, 12))), pairs(rand((12, 8))), rand((16, 8))
    alpha, beta = 1.5 - 0.25j, -0.5 + 1j
    if precision == "half":
        c_dev = cuda.to_device(pairs(c))
        c_ref = values(pairs(c))
    else:
        c_dev = cuda.to_device(c)
        c_ref = c.astype(np.complex128)
    kernel[1, mm.block_dim, 0, shared](cuda.to_device(a), cuda.to_device(b), c_dev, alpha, beta)
    want = alpha * values(a) @ values(b) + beta * c_ref
    got = values(c_dev.copy_to_host()) if precision == "half" else c_dev.copy_to_host()
    # half: products and sums in half; bf16: exact products of bf16 values summed in float.
    tol = 1e-2 if precision == "half" else 1e-5
    assert np.linalg.norm(got - want) / np.linalg.norm(want) < tol


@pytest.mark.gpu
@needs_library
def test_bfloat16_values_on_the_gpu():
    from numba import cuda

    mm = _matmul((16, 8, 12), "bfloat16", "real")
    body, shared = _bf16_kernel(mm)
    kernel = nvmath.device.jit(body)
    rng = np.random.default_rng()
    a, b = (_to_bf16_bits(rng.standard_normal(s)) for s in ((16, 12), (12, 8)))
    c = rng.standard_normal((16, 8)).astype(np.float32)
    d = cuda.to_device(c)
    kernel[1, mm.block_dim, 0, shared](cuda.to_device(a), cuda.to_device(b), d, 1.5, -0.5)
    fa, fb = (_from_bf16_bits(v).astype(np.float64) for v in (a, b))
    want = 1.5 * fa @ fb - 0.5 * c
    # Exact bf16 products accumulated in float: float32 accuracy.
    assert np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want) < 1e-5


@pytest.mark.gpu
@needs_library
@pytest.mark.parametrize(
    "precision, data_type", [("half", "real"), ("double", "real"), ("single", "complex"), ("double", "complex")]
)
def test_values_on_the_gpu_each_precision(precision, data_type):
    from numba import cuda, types

    mm = _matmul((16, 8, 12), precision, data_type)
    np_type = {
        ("half", "real"): np.float16,
        ("double", "real"): np.float64,
        ("single", "complex"): np.complex64,
        ("double", "complex"): np.complex128,
    }[(precision, data_type)]
    kernel = nvmath.device.jit(_kernel(mm, getattr(types, np.dtype(np_type).name)))
    rng = np.random.default_rng()

    def rand(shape):
        v = rng.standard_normal(shape)
        return (v + 1j * rng.standard_normal(shape) if data_type == "complex" else v).astype(np_type)

    a, b, c = rand((16, 12)), rand((12, 8)), rand((16, 8))
    alpha, beta = (1.5, -0.5) if data_type == "real" else (1.5 - 0.25j, -0.5 + 1j)
    d = cuda.to_device(c)
    kernel[1, mm.block_dim, 0, mm.get_shared_storage_size()](
        cuda.to_device(a), cuda.to_device(b), d, np_type(alpha), np_type(beta)
    )
    want = alpha * a.astype(np.complex128) @ b + beta * c
    tol = {"half": 1e-2, "single": 1e-5, "double": 1e-12}[precision]
    assert np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want) < tol
