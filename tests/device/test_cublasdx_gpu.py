"""nvmath.device.cublasdx.Matmul on the GPU, against NumPy: every precision and data type, the
peer's keywords (arrangement, transpose_mode, leading dimensions static and at run time, 2-D
block dims), kernels written as nvmath-python's examples write them."""

import warnings

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from nvmath.device import Dim3, Matmul  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cublasdxGetVersion)
pytestmark = [pytest.mark.gpu, needs_library]

ARR = ("row_major", "col_major", "col_major")
TOL = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}


def _rand(rng, shape, precision, data_type):
    x = rng.standard_normal(shape)
    if data_type == "complex":
        x = x + 1j * rng.standard_normal(shape)
        # complex half: values representable in half, carried as complex64
        x = x.astype(np.complex64) if precision in (np.float16, np.float32) else x
        if precision is np.float16:
            x = x.real.astype(np.float16).astype(np.float32) + 1j * x.imag.astype(np.float16).astype(np.float32)
        return x.astype(np.complex64 if precision in (np.float16, np.float32) else np.complex128)
    return x.astype(precision)


def _gemm_kernel(mm, arrangement):
    """Loads A, B, C (2-D device arrays) into shared memory as laid out by the arrangement and
    leading dimensions, runs execute, stores C."""
    from numba import cuda

    (m, k), (_, n) = mm.a_dim, mm.b_dim
    lda, ldb, ldc = mm.leading_dimension
    a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size
    ra, rb, rc = (x == "row_major" for x in arrangement)
    threads = mm.block_size

    @cuda.jit
    def kernel(a, b, c, alpha, beta, out):
        smem_a = cuda.shared.array(shape=a_size, dtype=mm.a_value_type)
        smem_b = cuda.shared.array(shape=b_size, dtype=mm.b_value_type)
        smem_c = cuda.shared.array(shape=c_size, dtype=mm.c_value_type)
        t = cuda.threadIdx.x + cuda.threadIdx.y * cuda.blockDim.x
        for i in range(t, m * k, threads):
            r, q = i // k, i % k
            smem_a[r * lda + q if ra else q * lda + r] = a[r, q]
        for i in range(t, k * n, threads):
            r, q = i // n, i % n
            smem_b[r * ldb + q if rb else q * ldb + r] = b[r, q]
        for i in range(t, m * n, threads):
            r, q = i // n, i % n
            smem_c[r * ldc + q if rc else q * ldc + r] = c[r, q]
        cuda.syncthreads()
        mm.execute(alpha, smem_a, smem_b, beta, smem_c)
        cuda.syncthreads()
        for i in range(t, m * n, threads):
            r, q = i // n, i % n
            out[r, q] = smem_c[r * ldc + q if rc else q * ldc + r]

    return kernel


def _run(mm, arrangement, precisions, data_type, alpha, beta, rng):
    from numba import cuda

    a = _rand(rng, mm.a_dim, precisions[0], data_type)
    b = _rand(rng, mm.b_dim, precisions[1], data_type)
    c = _rand(rng, mm.c_dim, precisions[2], data_type)
    out = cuda.device_array_like(c)
    _gemm_kernel(mm, arrangement)[1, mm.block_dim](
        cuda.to_device(a), cuda.to_device(b), cuda.to_device(c), alpha, beta, out
    )
    cuda.synchronize()
    wide = np.complex128 if data_type == "complex" else np.float64
    want = alpha * (a.astype(wide) @ b.astype(wide)) + beta * c.astype(wide)
    got = out.copy_to_host()
    return np.linalg.norm(got - want) / np.linalg.norm(want)


@pytest.mark.parametrize("data_type", ["real", "complex"])
@pytest.mark.parametrize("precision", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("arrangement", [ARR, ("col_major", "row_major", "row_major")])
def test_every_precision_and_data_type(precision, data_type, arrangement):
    mm = Matmul(size=(32, 16, 24), precision=precision, data_type=data_type, arrangement=arrangement, block_size=128)
    alpha, beta = (1.5, -0.5) if data_type == "real" else (1.5 - 0.25j, -0.5 + 1j)
    err = _run(mm, arrangement, (precision,) * 3, data_type, alpha, beta, np.random.default_rng())
    assert err < TOL[precision]


def test_mixed_precision():
    mm = Matmul(size=(32, 16, 64), precision=(np.float16, np.float16, np.float32), data_type="real", arrangement=ARR)
    err = _run(mm, ARR, (np.float16, np.float16, np.float32), "real", 2.0, 5.0, np.random.default_rng())
    assert err < 1e-3


def test_suggested_leading_dimension_and_2d_block():
    mm = Matmul(
        size=(30, 31, 33),
        precision=np.float64,
        data_type="real",
        arrangement=ARR,
        block_dim=Dim3(16, 16, 1),
        leading_dimension="suggested",
    )
    assert mm.block_dim == (16, 16, 1)
    err = _run(mm, ARR, (np.float64,) * 3, "real", 1.0, 2.0, np.random.default_rng())
    assert err < 1e-12


def test_runtime_leading_dimensions():
    from numba import cuda

    m, n, k = 30, 31, 33
    lda, ldb, ldc = 34, 33, 31
    mm = Matmul(size=(m, n, k), precision=np.float64, data_type="real", arrangement=ARR, block_dim=Dim3(16, 16, 1))
    a_size = m * lda
    b_size = n * ldb
    c_size = n * ldc

    @cuda.jit
    def kernel(a, b, c, alpha, beta, out, lda, ldb, ldc):
        smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        sa, sb, sc = smem[0:], smem[a_size:], smem[a_size + b_size :]
        t = cuda.threadIdx.x + cuda.threadIdx.y * cuda.blockDim.x
        for i in range(t, m * k, 256):
            sa[(i // k) * lda + i % k] = a[i // k, i % k]
        for i in range(t, k * n, 256):
            sb[(i % n) * ldb + i // n] = b[i // n, i % n]
        for i in range(t, m * n, 256):
            sc[(i % n) * ldc + i // n] = c[i // n, i % n]
        cuda.syncthreads()
        mm.execute(alpha, sa, lda, sb, ldb, beta, sc, ldc)
        cuda.syncthreads()
        for i in range(t, m * n, 256):
            out[i // n, i % n] = sc[(i % n) * ldc + i // n]

    rng = np.random.default_rng()
    a, b, c = (rng.standard_normal(s) for s in ((m, k), (k, n), (m, n)))
    out = cuda.device_array_like(c)
    shared = 8 * (a_size + b_size + c_size)
    kernel[1, mm.block_dim, 0, shared](
        cuda.to_device(a), cuda.to_device(b), cuda.to_device(c), 1.0, 2.0, out, lda, ldb, ldc
    )
    want = a @ b + 2.0 * c
    assert np.linalg.norm(out.copy_to_host() - want) / np.linalg.norm(want) < 1e-12


def test_transpose_mode_and_deprecated_call():
    from numba import cuda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        mm = Matmul(
            size=(32, 16, 64),
            precision=np.float32,
            data_type="real",
            transpose_mode=("non_transposed", "transposed"),
            block_size=256,
        )

    @cuda.jit
    def kernel(a, b, c, alpha, beta, out):
        # column-major arrays of a_dim, b_dim, c_dim: row-major arrays of the flipped shapes
        sa = cuda.shared.array(shape=mm.a_dim[::-1], dtype=mm.a_value_type)
        sb = cuda.shared.array(shape=mm.b_dim[::-1], dtype=mm.b_value_type)
        sc = cuda.shared.array(shape=mm.c_dim[::-1], dtype=mm.c_value_type)
        t = cuda.threadIdx.x
        for i in range(t, 32 * 64, 256):
            sa[i % 64, i // 64] = a[i // 64, i % 64]
        for i in range(t, 16 * 64, 256):
            sb[i % 64, i // 64] = b[i // 64, i % 64]
        for i in range(t, 32 * 16, 256):
            sc[i % 16, i // 16] = c[i // 16, i % 16]
        cuda.syncthreads()
        mm(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for i in range(t, 32 * 16, 256):
            out[i // 16, i % 16] = sc[i % 16, i // 16]

    rng = np.random.default_rng()
    a = rng.standard_normal(mm.a_dim).astype(np.float32)
    b = rng.standard_normal(mm.b_dim).astype(np.float32)
    c = rng.standard_normal(mm.c_dim).astype(np.float32)
    out = cuda.device_array_like(c)
    kernel[1, mm.block_dim](cuda.to_device(a), cuda.to_device(b), cuda.to_device(c), 2.0, 5.0, out)
    want = 2.0 * (a.astype(np.float64) @ b.T) + 5.0 * c
    assert np.linalg.norm(out.copy_to_host() - want) / np.linalg.norm(want) < 1e-5


def test_gemm_fft_fp16_example():
    """cublasdx_gemm_fft_fp16.py: B's two columns through a cuFFTDx FFT (float16x4: two
    batches interleaved), then C = alpha A @ B + beta C in complex half, one block, dynamic
    shared memory, leading dimensions read in the kernel as ``mm.leading_dimension.a``."""
    from numba import cuda

    from nvmath.device import FFT, float16x2, float16x4

    m, n, k = 64, 2, 64
    fft = FFT(
        fft_type="c2c",
        size=k,
        precision=np.float16,
        direction="forward",
        elements_per_thread=2,
        ffts_per_block=n,
        execution="Block",
    )
    mm = Matmul(
        size=(m, n, k),
        precision=np.float16,
        data_type="complex",
        arrangement=("col_major", "col_major", "col_major"),
        execution="Block",
        block_size=fft.block_dim.x,
    )
    smem_size = max(mm.get_shared_storage_size(), fft.shared_memory_size)

    @cuda.jit
    def kernel(a, b, c, alpha, beta, output):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        fft_shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        mm_shared_mem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        smem_a = mm_shared_mem[0:]
        smem_b = mm_shared_mem[mm.a_size :]
        smem_c = mm_shared_mem[mm.a_size + mm.b_size :]
        lda, ldb, ldc = mm.leading_dimension.a, mm.leading_dimension.b, mm.leading_dimension.c
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            thread_data[i] = float16x4(b[index, 0], b[index, 2], b[index, 1], b[index, 3])
            index += fft.stride
        fft.execute(thread_data, fft_shared_mem)
        cuda.syncthreads()
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            v = thread_data[i]
            smem_b[index] = float16x2(v.x, v.z)
            smem_b[index + ldb] = float16x2(v.y, v.w)
            index += fft.stride
        for i in range(cuda.threadIdx.x, m * k, cuda.blockDim.x):
            row, col = i // k, i % k
            smem_a[col * lda + row] = float16x2(a[row, 2 * col], a[row, 2 * col + 1])
        for i in range(cuda.threadIdx.x, m * n, cuda.blockDim.x):
            row, col = i // n, i % n
            smem_c[col * ldc + row] = float16x2(c[row, 2 * col], c[row, 2 * col + 1])
        cuda.syncthreads()
        mm.execute(alpha, smem_a, smem_b, beta, smem_c)
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, m * n, cuda.blockDim.x):
            row, col = i // n, i % n
            v = smem_c[col * ldc + row]
            output[row, 2 * col] = v.x
            output[row, 2 * col + 1] = v.y

    def to_pairs(x):
        out = np.empty((*x.shape[:-1], 2 * x.shape[-1]), np.float16)
        out[..., 0::2], out[..., 1::2] = x.real, x.imag
        return out

    rng = np.random.default_rng(8)
    a, b, c = (_rand(rng, shape, np.float16, "complex") for shape in ((m, k), (k, n), (m, n)))
    a_d, b_d, c_d = (cuda.to_device(to_pairs(x)) for x in (a, b, c))
    o_d = cuda.to_device(np.zeros((m, 2 * n), np.float16))
    alpha, beta = 2.0 + 0j, 3.0 + 0j
    kernel[1, fft.block_dim, 0, smem_size](a_d, b_d, c_d, alpha, beta, o_d)
    cuda.synchronize()
    o = o_d.copy_to_host().astype(np.float32)
    got = o[:, 0::2] + 1j * o[:, 1::2]
    ref = alpha * (a.astype(np.complex128) @ np.fft.fft(b.astype(np.complex128), axis=0)) + beta * c
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < 1e-2


def test_padded_leading_dimensions_read_by_field():
    """Leading dimensions above the minimum, read in the kernel by field name."""
    from numba import cuda

    m, n, k = 20, 12, 16
    mm = Matmul(
        size=(m, n, k),
        precision=np.float32,
        data_type="real",
        arrangement=("col_major", "col_major", "col_major"),
        leading_dimension=(m + 3, k + 1, m + 5),
        block_size=64,
    )
    a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size

    @cuda.jit
    def kernel(a, b, c, alpha, beta, out):
        sa = cuda.shared.array(shape=a_size, dtype=mm.a_value_type)
        sb = cuda.shared.array(shape=b_size, dtype=mm.b_value_type)
        sc = cuda.shared.array(shape=c_size, dtype=mm.c_value_type)
        ld = mm.leading_dimension
        t = cuda.threadIdx.x
        for i in range(t, m * k, cuda.blockDim.x):
            sa[(i % k) * ld.a + i // k] = a[i // k, i % k]
        for i in range(t, k * n, cuda.blockDim.x):
            sb[(i % n) * ld.b + i // n] = b[i // n, i % n]
        for i in range(t, m * n, cuda.blockDim.x):
            sc[(i % n) * ld.c + i // n] = c[i // n, i % n]
        cuda.syncthreads()
        mm.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for i in range(t, m * n, cuda.blockDim.x):
            out[i // n, i % n] = sc[(i % n) * mm.leading_dimension.c + i // n]

    rng = np.random.default_rng(9)
    a, b, c = (_rand(rng, s, np.float32, "real") for s in ((m, k), (k, n), (m, n)))
    out = cuda.device_array_like(c)
    kernel[1, mm.block_dim](cuda.to_device(a), cuda.to_device(b), cuda.to_device(c), 1.5, -0.5, out)
    ref = 1.5 * (a.astype(np.float64) @ b) - 0.5 * c
    assert np.linalg.norm(out.copy_to_host() - ref) / np.linalg.norm(ref) < TOL[np.float32]


_SHORT_C = """
        import numpy as np
        from numba import cuda
        from nvmath.device import Matmul
        mm = Matmul(size=(16, 16, 16), precision=np.float32, data_type="real",
                    arrangement=("col_major",) * 3, execution="Block", block_size=64)
        a_size, b_size = mm.a_size, mm.b_size

        @cuda.jit
        def kernel(alpha, beta):
            smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
            mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[a_size + b_size:])

        nbytes = (mm.a_size + mm.b_size + mm.c_size - 1) * 4
        kernel[1, mm.block_dim, 0, nbytes](1.0, 0.0)
        cuda.synchronize()
        """


@pytest.mark.parametrize("report", ["record", "print"])
def test_a_short_c_fails_the_launch_naming_c_alone(tmp_path, report):
    # The chained-GEMM layout of nvmath-python's examples, with dynamic shared memory one
    # element short for C: the launch fails, and the message names C, not A or B (record: the
    # default, logged at exit; print: printed by the kernel).
    import re

    from tests.device.child import run_failing_script

    out = run_failing_script(tmp_path, _SHORT_C, {"NVMATH_DEVICE_ARRAY_CHECK_REPORT": report})
    m = re.search(r"Matmul.execute: argument 4 \(c\) holds (\d+) bytes, but needs at least (\d+)", out)
    assert m and int(m.group(2)) - int(m.group(1)) == 4, out
    assert "argument 1 (a)" not in out and "argument 2 (b)" not in out, out


_SHORT_C_READ_BACK = """
        import sys
        import numpy as np
        import nvmath.device
        from numba import cuda
        from nvmath.device import Matmul
        mm = Matmul(size=(16, 16, 16), precision=np.float32, data_type="real",
                    arrangement=("col_major",) * 3, execution="Block", block_size=64)
        a_size, b_size = mm.a_size, mm.b_size

        @nvmath.device.jit
        def kernel(alpha, beta):
            smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
            mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[a_size + b_size:])

        if sys.argv[1:] == ["precompile"]:
            from numba import types
            nvmath.device.precompile(kernel, (types.float64, types.float64), cuda.get_current_device().compute_capability)
        assert nvmath.device.array_check_failure() is None
        nbytes = (mm.a_size + mm.b_size + mm.c_size - 1) * 4
        kernel[1, mm.block_dim, 0, nbytes](1.0, 0.0)
        try:
            cuda.synchronize()
        except Exception as e:
            print("raised", type(e).__name__, e)
            print("read back:", nvmath.device.array_check_failure())
            print("from the cache:", kernel.nvmath_cache.hits)
            sys.exit(3)
        """


def test_the_record_is_read_back_after_the_failure_from_a_compiled_or_a_cached_kernel(tmp_path):
    # The default report: no system call in the kernel; the host reads the message back, in
    # the process that compiled the kernel and in one that loaded it from the kernel cache
    # (whose module set-up must then still point the record at host memory).
    import re

    from tests.device.child import run_failing_script

    env = {"NVMATH_CACHE_DIR": str(tmp_path / "cache"), "NVMATH_DEVICE_ARRAY_CHECK_REPORT": "record"}
    for hits in (0, 1):
        out = run_failing_script(tmp_path, _SHORT_C_READ_BACK, env)
        assert "raised CudaAPIError" in out, out
        m = re.search(
            r"read back: nvmath.device: Matmul.execute: argument 4 \(c\) holds (\d+) bytes, but needs at least (\d+)",
            out,
        )
        assert m and int(m.group(2)) - int(m.group(1)) == 4, out
        assert f"from the cache: {hits}" in out, out
        assert "vprintf" not in out and "Assertion" not in out, out


def test_the_record_is_read_back_from_a_precompiled_kernel(tmp_path):
    # precompile links without the globals no device code uses (libmathdx's), keeping the
    # record's, which the module set-up points at host memory.
    import re

    from tests.device.child import run_failing_script

    env = {"NVMATH_CACHE_DIR": str(tmp_path / "cache"), "NVMATH_DEVICE_ARRAY_CHECK_REPORT": "record"}
    out = run_failing_script(tmp_path, _SHORT_C_READ_BACK, env, args=["precompile"])
    assert "raised CudaAPIError" in out, out
    assert re.search(r"read back: nvmath.device: Matmul.execute: argument 4 \(c\) holds \d+ bytes", out), out
    assert "from the cache: 1" in out, out


def test_the_assert_report_names_c_alone_without_its_size(tmp_path):
    from tests.device.child import run_failing_script

    out = run_failing_script(tmp_path, _SHORT_C, {"NVMATH_DEVICE_ARRAY_CHECK_REPORT": "assert"})
    assert "too short for Matmul.execute: argument 4 (c) needs at least" in out, out
    assert "holds" not in out and "argument 1 (a)" not in out and "argument 2 (b)" not in out, out


def test_the_trap_report_still_fails_the_launch(tmp_path):
    from tests.device.child import run_failing_script

    out = run_failing_script(tmp_path, _SHORT_C, {"NVMATH_DEVICE_ARRAY_CHECK_REPORT": "trap"})
    assert "CUDA_ERROR" in out or "CudaAPIError" in out, out
    assert "too short" not in out, out
