"""nvmath.device.cublasdx.Matmul with nvmath-python's keywords, without a GPU: argument checks,
traits, shared storage sizes, and kernels (as nvmath-python's examples write them) compiled and
linked into cubins."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

import nvmath.device  # noqa: E402
from nvmath.device import cublasdx, cublasdx_backend  # noqa: E402
from nvmath.device.common_cuda import ComputeCapability, Dim3  # noqa: E402
from nvmath.device.cublasdx import MAX_ALIGNMENT, Matmul, SharedStorageCalc  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cublasdxGetVersion)

ARR = ("row_major", "col_major", "col_major")


def _matmul(*args, **kwargs):
    """Matmul(...), or an expected failure where libmathdx cannot generate cuBLASDx code here."""
    kwargs.setdefault("sm", ComputeCapability(9, 0))
    try:
        return Matmul(*args, **kwargs)
    except RuntimeError as e:
        pytest.xfail(str(e).splitlines()[0])


def _link(kernel, sig):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    from tests.device.link_inputs import code_count, link_inputs

    assert code_count(codes) == 2  # the kernel and the cuBLASDx function
    return link(link_inputs(codes), compute_capability="sm_90")


# ------------------------------------------------------------------ no libmathdx needed


def test_one_object_behind_every_module_name():
    assert nvmath.device.Matmul is cublasdx.Matmul is nvmath.device.matmul.Matmul
    assert cublasdx_backend.MAX_ALIGNMENT == MAX_ALIGNMENT == (16, 16, 16)


def test_importing_the_face_imports_neither_numba_nor_libmathdx():
    code = (
        "import sys, nvmath.device.cublasdx, nvmath.device.cublasdx_backend; "
        "print(sorted(m for m in ('numba', 'nvmath.bindings.mathdx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2, 4, 8, 16]), st.integers(1, 8), st.integers(1, 1000)), max_size=5))
def test_shared_storage_calc_aligns_each_matrix(items):
    calc = SharedStorageCalc()
    offset = 0
    for align, item, count in items:
        calc.add(align, item, count)
        start = -(-offset // align) * align
        assert start % align == 0 and start - offset < align
        offset = start + item * count
    assert calc.get() == offset


def test_shared_storage_calc_rejects_bad_input():
    calc = SharedStorageCalc()
    calc.add(16, 40)
    assert calc.get() == 40
    with pytest.raises(ValueError, match="positive"):
        calc.add(0, 4)
    with pytest.raises(ValueError, match="3 arguments|got 1 arguments"):
        calc.add(16)
    assert calc.get() == 40  # unchanged by the refused calls


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(precision=np.complex64), "precision=<class 'numpy.complex64'> is not supported"),
        (dict(precision=(np.float16, np.float32)), r"precision=\(.*is not supported"),
        (dict(precision=(np.float16, np.float16, "quad")), "precision.c='quad'"),
        (dict(data_type="complex", precision=np.int8), "use floating types"),
        (dict(arrangement=("row_major", "diagonal", "col_major")), "arrangement.b='diagonal'"),
        (dict(arrangement=("row_major",)), "arrangement=.*3-tuple"),
        (dict(leading_dimension=(32, 0, 32)), "leading_dimension="),
        (dict(block_dim=(64, 32, 1)), "at most 1024 threads"),
        (dict(block_size=64, block_dim=(64, 1, 1)), "block_size or block_dim"),
        (dict(alignment=(2, 4, 4)), "alignment.a=2.*multiple of the element size \\(4 bytes\\)"),
        (dict(alignment=(32, 4, 4)), "alignment.a=32"),
        (dict(execution="Thread"), "execution='Thread'"),
        (dict(function="TRSM"), "function='TRSM'"),
        (dict(static_block_dim="yes"), "static_block_dim='yes'"),
        (dict(size=(256, 256, 128), precision=np.float64), "needs 524288 bytes of shared memory for A and B"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, error):
    args = dict(size=(32, 16, 8), precision=np.float32, data_type="real", sm=(9, 0))
    args.update(kwargs)
    with pytest.raises(ValueError, match=error):
        Matmul(**args)


def test_transpose_mode_is_deprecated_and_exclusive_with_arrangement():
    with pytest.warns(DeprecationWarning, match="transpose_mode"), pytest.raises(ValueError, match="not both"):
        Matmul(
            (8, 8, 8), np.float32, "real", sm=(9, 0), transpose_mode=("non_transposed", "transposed"), arrangement=ARR
        )
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="transpose_mode.b='sideways'"):
        Matmul((8, 8, 8), np.float32, "real", sm=(9, 0), transpose_mode=("transposed", "sideways"))


def test_host_calls_of_device_functions_fail_clearly():
    mm = Matmul.__new__(Matmul)
    with pytest.raises(RuntimeError, match="inside numba.cuda.jit kernels"):
        mm.execute(1.0, None, None, 0.0, None)
    with pytest.raises(RuntimeError, match="inside numba.cuda.jit kernels"):
        mm(1.0, None, None, 0.0, None)


# ------------------------------------------------------------------ traits (libmathdx)


@needs_library
@pytest.mark.parametrize(
    ("device", "expected"), [((9, 0), ComputeCapability(9, 0, "a")), ((8, 0), ComputeCapability(8, 0))]
)
def test_default_sm_is_the_kernels_target(monkeypatch, device, expected):
    # As nvmath-python: architecture-specific from 9.0 on, the target numba-cuda links kernels for.
    from nvmath.jit import arch
    from nvmath.jit.arch import Target

    monkeypatch.setattr(arch, "current_device_target", lambda: Target(*device))
    mm = Matmul((16, 16, 16), np.float32, "real", execution="Block", block_size=128)
    assert mm.sm == expected
    assert Matmul((16, 16, 16), np.float32, "real", execution="Block", block_size=128, sm=(9, 0)).sm == (9, 0, "")


@needs_library
def test_traits_as_nvmath_python_reports_them():
    mm = _matmul((32, 16, 64), np.float32, "real", arrangement=ARR, execution="Block", block_size=256)
    assert mm.size == (32, 16, 64) and mm.data_type == "real" and mm.execution == "Block"
    assert mm.precision == (np.float32,) * 3 and mm.sm == ComputeCapability(9, 0)
    assert mm.block_dim == Dim3(256, 1, 1) and isinstance(mm.block_dim, Dim3)
    assert mm.block_size == mm.max_threads_per_block == 256
    assert mm.a_dim == (32, 64) and mm.b_dim == (64, 16) and mm.c_dim == (32, 16)
    assert mm.leading_dimension == (64, 64, 32)  # the smallest for the arrangement
    assert (mm.a_size, mm.b_size, mm.c_size) == (32 * 64, 16 * 64, 16 * 32)
    assert mm.arrangement == ARR and mm.alignment == (4, 4, 4)
    assert mm.a_value_type is mm.b_value_type is mm.c_value_type is np.float32
    assert mm.get_shared_storage_size() == 4 * (32 * 64 + 64 * 16 + 32 * 16)
    assert mm.get_shared_storage_size_ab() == 4 * (32 * 64 + 64 * 16)
    # with other leading dimensions: A row-major (32 rows), B and C column-major (16 columns)
    assert mm.get_shared_storage_size(70, 65, 33) == 4 * (32 * 70 + 16 * 65 + 16 * 33)
    assert mm.get_shared_storage_size_ab(70, 65) == 4 * (32 * 70 + 16 * 65)
    with pytest.raises(ValueError, match="3 leading dimensions"):
        mm.get_shared_storage_size(70, 65)
    with pytest.warns(DeprecationWarning):
        assert mm.shared_memory_size == mm.get_shared_storage_size()
    assert list(mm.valid("block_dim"))[0][0].x > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mm.a_value_type, mm.block_dim, mm.leading_dimension  # noqa: B018 (no deprecation here)


@needs_library
def test_mixed_precision_and_explicit_leading_dimensions():
    mm = _matmul(
        (30, 31, 33), (np.float16, np.float16, np.float32), "real", arrangement=ARR, leading_dimension=(34, 33, 31)
    )
    assert mm.precision == (np.float16, np.float16, np.float32)
    assert mm.a_value_type is np.float16 and mm.c_value_type is np.float32
    assert mm.leading_dimension == (34, 33, 31)
    assert (mm.a_size, mm.b_size, mm.c_size) == (30 * 34, 31 * 33, 31 * 31)
    calc = SharedStorageCalc()
    for align, item, count in zip(mm.alignment, (2, 2, 4), (mm.a_size, mm.b_size, mm.c_size)):
        calc.add(align, item, count)
    assert mm.get_shared_storage_size() == calc.get()


@needs_library
def test_transpose_mode_dims_and_sizes():
    with pytest.warns(DeprecationWarning):
        mm = _matmul((32, 16, 64), np.float32, "real", transpose_mode=("non_transposed", "transposed"), block_size=256)
    # A is m x k, B given as n x k (transposed); both stored column-major
    assert mm.a_dim == (32, 64) and mm.b_dim == (16, 64)
    assert mm.a_size == mm.leading_dimension.a * 64 and mm.b_size == mm.leading_dimension.b * 64
    with pytest.warns(DeprecationWarning):
        assert mm.transpose_mode == ("non_transposed", "transposed")


@needs_library
def test_complex_half_value_types():
    mm = _matmul((16, 8, 12), np.float16, "complex", arrangement=ARR)
    assert mm.a_value_type == mm.c_value_type == nvmath.device.complex32
    assert mm.alignment[0] % 4 == 0
    assert mm.get_shared_storage_size() >= 4 * (mm.a_size + mm.b_size + mm.c_size)


# ------------------------------------------------------------------ kernels linked without a GPU


@needs_library
def test_example_style_kernel_links():
    """As cublasdx_simple_gemm_fp32.py: 2-D shared arrays shaped by the traits; and mm(...)."""
    from numba import cuda, types

    mm = _matmul((32, 16, 64), np.float32, "real", arrangement=ARR, execution="Block", block_size=256)

    def f(a, b, c, alpha, beta, output):
        smem_a = cuda.shared.array(shape=mm.a_dim, dtype=mm.a_value_type)
        smem_b = cuda.shared.array(shape=mm.b_dim[::-1], dtype=mm.b_value_type)
        smem_c = cuda.shared.array(shape=mm.c_dim[::-1], dtype=mm.c_value_type)
        lda, ldb, ldc = mm.leading_dimension
        if cuda.threadIdx.x == 0:
            smem_a[0, 0] = a[0, 0] + lda
            smem_b[0, 0] = b[0, 0] + ldb
            smem_c[0, 0] = c[0, 0] + ldc + mm.a_size + mm.max_threads_per_block
        cuda.syncthreads()
        mm.execute(alpha, smem_a, smem_b, beta, smem_c)
        mm(alpha, smem_a, smem_b, beta, smem_c)
        cuda.syncthreads()
        # alignment is (4, 4, 4): a tuple of equal constants (a UniTuple in Numba)
        output[0, 0] = smem_c[0, 0] + mm.alignment[1]

    sig = (types.float32[:, ::1],) * 3 + (types.float64, types.float64, types.float32[:, ::1])
    assert _link(f, sig)[:4] == b"\x7fELF"


@needs_library
def test_runtime_leading_dimensions_kernel_links():
    """As cublasdx_simple_gemm_leading_dimensions.py: execute(alpha, a, lda, b, ldb, beta, c, ldc)."""
    from numba import cuda, types

    mm = _matmul((30, 31, 33), np.float64, "real", arrangement=ARR, block_dim=Dim3(16, 16, 1))
    a_size, b_size = mm.a_size, mm.b_size

    def f(alpha, lda, ldb, beta, ldc, output):
        smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        mm.execute(alpha, smem[0:], lda, smem[a_size:], ldb, beta, smem[a_size + b_size :], ldc)
        output[0] = smem[0]

    sig = (types.float64, types.int64, types.int32, types.float64, types.int64, types.float64[::1])
    assert _link(f, sig)[:4] == b"\x7fELF"


@needs_library
def test_complex_half_kernel_takes_complex32_arrays():
    """As cublasdx_simple_gemm_cfp16.py: complex64 data stored into complex32 shared arrays."""
    from numba import cuda, types

    mm = _matmul((16, 8, 12), np.float16, "complex", arrangement=ARR)
    a_size, b_size = mm.a_size, mm.b_size

    def f(a, alpha, beta, output):
        smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        smem[cuda.threadIdx.x] = a[cuda.threadIdx.x]
        cuda.syncthreads()
        mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[a_size + b_size :])
        output[0] = smem[0]

    sig = (types.complex64[::1], types.complex128, types.complex128, types.complex64[::1])
    assert _link(f, sig)[:4] == b"\x7fELF"


@needs_library
def test_typing_errors_say_what_is_needed():
    from numba import cuda, types
    from numba.core.errors import TypingError

    mm = _matmul((32, 16, 64), np.float32, "real", arrangement=ARR, execution="Block", block_size=256)

    def wrong_type(out):
        s = cuda.shared.array(shape=mm.a_dim, dtype=types.float64)
        mm.execute(1.0, s, s, 0.0, s)
        out[0] = s[0, 0]

    def wrong_count(out):
        s = cuda.shared.array(shape=mm.a_dim, dtype=mm.a_value_type)
        mm.execute(1.0, s, s, s)
        out[0] = s[0, 0]

    with pytest.raises(TypingError, match=r"argument 1 \(a\) is an array of float64.*arrays of float32"):
        cuda.compile_all(wrong_type, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")
    with pytest.raises(TypingError, match="takes \\(alpha, a, b, beta, c\\)"):
        cuda.compile_all(wrong_count, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")


@needs_library
def test_named_tuple_traits_in_kernels():
    """cublasdx_gemm_fft_fp16.py reads ``mm.leading_dimension.a`` in its kernel: the named traits
    keep their field names there (and their values, as on the host)."""
    from numba import cuda, types

    mm = _matmul(
        (30, 31, 33), np.float64, "real", arrangement=ARR, leading_dimension=(35, 36, 37), block_dim=Dim3(16, 2, 1)
    )
    assert mm.leading_dimension == (35, 36, 37) and mm.block_dim == (16, 2, 1)

    def f(out):
        ld = mm.leading_dimension
        lda, ldc = mm.leading_dimension.a, mm.leading_dimension.c
        out[0] = lda
        out[1] = ld.b
        out[2] = ldc
        out[3] = mm.block_dim.x * 100 + mm.block_dim.y * 10 + mm.block_dim.z
        out[4] = mm.alignment.b
        a, b, c = mm.leading_dimension  # still unpacks as a tuple
        out[5] = a + b + c + mm.leading_dimension[1]

    ptx, _ = cuda.compile(f, (types.int64[::1],), device=False, cc=(9, 0), output="ptx", abi="numba")
    for value in (35, 36, 37, 1621, mm.alignment.b, 35 + 36 + 37 + 36):
        assert f"{value};" in ptx, value  # folded to constants


@needs_library
def test_gemm_fft_fp16_example_kernel_links():
    """cublasdx_gemm_fft_fp16.py's kernel (its load/store helpers inlined): a cuFFTDx FFT and a
    complex-half GEMM sharing dynamic shared memory, leading dimensions read by field."""
    from numba import cuda, types

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
        sm=ComputeCapability(9, 0),
    )
    mm = _matmul(
        (m, n, k),
        np.float16,
        "complex",
        arrangement=("col_major", "col_major", "col_major"),
        execution="Block",
        block_size=fft.block_dim.x,
    )
    assert mm.leading_dimension == (m, k, m) and mm.block_dim == fft.block_dim

    def kernel(a, b, c, alpha, beta, output):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        fft_shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        mm_shared_mem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        smem_a = mm_shared_mem[0:]
        smem_b = mm_shared_mem[mm.a_size :]
        smem_c = mm_shared_mem[mm.a_size + mm.b_size :]
        lda, ldc = mm.leading_dimension.a, mm.leading_dimension.c
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
            smem_b[index + ldc] = float16x2(v.y, v.w)
            index += fft.stride
        for i in range(cuda.threadIdx.x, m * k, cuda.blockDim.x):
            smem_a[(i % k) * lda + i // k] = float16x2(a[i // k, 2 * (i % k)], a[i // k, 2 * (i % k) + 1])
        cuda.syncthreads()
        mm.execute(alpha, smem_a, smem_b, beta, smem_c)
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, m * n, cuda.blockDim.x):
            v = smem_c[(i % n) * ldc + i // n]
            output[i // n, 2 * (i % n)] = v.x
            output[i // n, 2 * (i % n) + 1] = v.y

    f16 = types.float16[:, ::1]
    codes, _ = cuda.compile_all(
        kernel,
        (f16, f16, f16, types.complex128, types.complex128, f16),
        device=False,
        cc=(9, 0),
        output="ltoir",
        abi="numba",
    )
    from nvmath.jit import link
    from tests.device.link_inputs import code_count, link_inputs

    inputs = link_inputs(codes)
    assert code_count(codes) == 3  # the kernel, the FFT, the GEMM
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


def test_nvmath_device_exports_the_cublasdx_names_nvmath_python_does():
    # nvmath-python re-exports cuBLASDx's enums, pipelines and Accumulator at nvmath.device
    # (and the deprecated callable nvmath.device.fft); code that imports them from there runs.
    import nvmath.device
    from nvmath.device import cublasdx

    for name in (
        "TransposeMode",
        "Arrangement",
        "Precision",
        "LeadingDimension",
        "Alignment",
        "Accumulator",
        "DevicePipeline",
        "TilePipeline",
        "SharedStorageCalc",
    ):
        assert getattr(nvmath.device, name) is getattr(cublasdx, name), name
        assert name in nvmath.device.__all__ and name in cublasdx.__all__, name
    # The deprecated functions are modules of this project's older names, callable.
    for name in ("fft", "matmul"):
        assert callable(getattr(nvmath.device, name)) and name in nvmath.device.__all__
    with pytest.warns(DeprecationWarning, match="Matmul"):
        mm = nvmath.device.matmul(size=(8, 8, 8), precision=np.float32, data_type="real", execution="Block", sm=(9, 0))
    assert isinstance(mm, nvmath.device.Matmul) and mm.size == (8, 8, 8)


def test_host_accumulators_say_their_methods_are_kernel_only():
    mm = Matmul((16, 16, 16), np.float32, "real", sm=(9, 0), block_size=64)
    for make, suggested in ((mm.suggest_accumulator, True), (mm.get_accumulator, False)):
        acc = make()
        assert isinstance(acc, nvmath.device.Accumulator) and acc.MM is mm and acc.suggested is suggested
        for method in ("get_results", "partition_and_store", "clear", "axpby", "make_partition_and_copy"):
            with pytest.raises(RuntimeError, match="only inside a numba.cuda.jit kernel"):
                getattr(acc, method)()


@needs_library
def test_a_kernel_linked_without_unused_globals_keeps_the_array_checks_record():
    """cublasdx_fused_gemm_performance.py's kernel shape (two GEMMs on slices of dynamic shared
    memory: the length checks and their record are linked): dropping the globals no device code
    uses (libmathdx's) shrinks the cubin and keeps the entry point and the record's globals."""
    from numba import cuda, types

    from nvmath.device._array_check_record import HOST_SYMBOLS
    from nvmath.device.kernel_cache import cubin_symbols, entry_names, unused_globals_link_options
    from nvmath.jit import link
    from tests.device.link_inputs import link_inputs

    mm = _matmul((32, 32, 32), np.float32, "complex", arrangement=("col_major",) * 3, block_size=128)
    a_size, c_size = mm.a_size, mm.c_size

    def kernel(alpha, beta, out):
        smem = cuda.shared.array(shape=(0,), dtype=mm.a_value_type)
        smem_c, smem_a, smem_b = smem[0:], smem[c_size:], smem[c_size + a_size :]
        for i in range(cuda.threadIdx.x, c_size, cuda.blockDim.x):
            smem_a[i] = smem_b[i] = smem_c[i] = out[i]
        cuda.syncthreads()
        mm.execute(alpha, smem_a, smem_b, beta, smem_c)
        cuda.syncthreads()
        mm.execute(alpha, smem_c, smem_b, beta, smem_a)
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, c_size, cuda.blockDim.x):
            out[i] = smem_a[i]

    sig = (types.complex128, types.complex128, types.complex64[::1])
    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    options = unused_globals_link_options(codes)
    assert options and options[0].startswith("-variables-used=")
    full = link(link_inputs(codes), compute_capability="sm_90")
    slim = link(link_inputs(codes), compute_capability="sm_90", options=options)
    assert entry_names(slim) == entry_names(full)
    names = {name for name, _, _ in cubin_symbols(slim)}
    assert set(HOST_SYMBOLS) <= names  # the checks' record, which the host points at its memory
    assert set(HOST_SYMBOLS) <= {name for name, _, _ in cubin_symbols(full)}
    assert len(slim) * 5 < len(full), (len(slim), len(full))
    assert len(cubin_symbols(slim)) * 20 < len(cubin_symbols(full))
