"""nvmath.bindings.cufft: enums, errors and argument conversion on any machine; the library's
version without a GPU where it is installed; plans and transforms (checked against NumPy on
fresh random data) on a GPU."""

import ctypes
import subprocess
import sys

import numpy as np
import pytest

from nvmath.bindings import cufft
from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary
from tests.conftest import HAS_GPU
from tests.libraries import needs

needs_library = needs("cuFFT", cufft._lib.cdll, (LibraryNotFoundError,))


# -- enums (values from the CUDA 13 cufft.h, cufftXt.h and library_types.h) ------------------


def test_type_and_direction_values():
    assert {t.name: t.value for t in cufft.Type} == {
        "R2C": 0x2A,
        "C2R": 0x2C,
        "C2C": 0x29,
        "D2Z": 0x6A,
        "Z2D": 0x6C,
        "Z2Z": 0x69,
    }
    assert (cufft.Direction.FORWARD, cufft.Direction.INVERSE) == (-1, 1)


def test_result_values():
    expected = {
        "SUCCESS": 0,
        "INVALID_PLAN": 1,
        "ALLOC_FAILED": 2,
        "INVALID_TYPE": 3,
        "INVALID_VALUE": 4,
        "INTERNAL_ERROR": 5,
        "EXEC_FAILED": 6,
        "SETUP_FAILED": 7,
        "INVALID_SIZE": 8,
        "UNALIGNED_DATA": 9,
        "INCOMPLETE_PARAMETER_LIST": 10,
        "INVALID_DEVICE": 11,
        "PARSE_ERROR": 12,
        "NO_WORKSPACE": 13,
        "NOT_IMPLEMENTED": 14,
        "LICENSE_ERROR": 15,
        "NOT_SUPPORTED": 16,
        "MISSING_DEPENDENCY": 17,
        "NVRTC_FAILURE": 18,
        "NVJITLINK_FAILURE": 19,
        "NVSHMEM_FAILURE": 20,
    }
    assert {r.name: r.value for r in cufft.Result} == expected


def test_callback_type_values():
    names = [
        "LD_COMPLEX",
        "LD_COMPLEX_DOUBLE",
        "LD_REAL",
        "LD_REAL_DOUBLE",
        "ST_COMPLEX",
        "ST_COMPLEX_DOUBLE",
        "ST_REAL",
        "ST_REAL_DOUBLE",
        "UNDEFINED",
    ]
    assert [c.name for c in cufft.XtCallbackType] == names
    assert [c.value for c in cufft.XtCallbackType] == list(range(9))


def test_data_type_library_property_and_plan_property_values():
    assert {d.name: d.value for d in cufft.DataType} == {
        "R_16F": 2,
        "C_16F": 6,
        "R_16BF": 14,
        "C_16BF": 15,
        "R_32F": 0,
        "C_32F": 4,
        "R_64F": 1,
        "C_64F": 5,
    }
    assert list(cufft.LibraryProperty) == [0, 1, 2]
    assert cufft.LibraryProperty.PATCH_LEVEL.name == "PATCH_LEVEL"
    assert {p.name: p.value for p in cufft.Property} == {
        "INT64_PATIENT_JIT": 1,
        "INT64_MAX_NUM_HOST_THREADS": 2,
        "INT64_BLUESTEIN_ONLY": 3,
        "INT64_DISABLE_FMA": 4,
    }


# -- import, errors, argument conversion -------------------------------------------------------


def test_import_loads_no_library_and_no_heavy_package():
    code = (
        "import sys, nvmath.bindings, nvmath.bindings.cufft as c\n"
        "heavy = [m for m in ('numba', 'cupy', 'torch', 'cuda.pathfinder') if m in sys.modules]\n"
        "maps = open('/proc/self/maps').read() if sys.platform.startswith('linux') else ''\n"
        "print(','.join(heavy), c._lib.loaded, 'libcufft' in maps)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"], out.stdout


def test_bindings_package_lists_cufft_lazily():
    import nvmath.bindings

    assert "cufft" in dir(nvmath.bindings) and nvmath.bindings.cufft is cufft
    with pytest.raises(AttributeError):
        nvmath.bindings.no_such_library  # noqa: B018


def test_error_message_status_and_function():
    err = cufft.cuFFTError("cufftMakePlanMany64", 8)
    assert str(err) == "cufftMakePlanMany64 failed: CUFFT_INVALID_SIZE (8)"
    assert err.status is cufft.Result.INVALID_SIZE and err.function == "cufftMakePlanMany64"
    assert isinstance(err, Exception)


def test_error_with_a_status_this_binding_does_not_know():
    err = cufft.cuFFTError("cufftExecC2C", 77)
    assert err.status == 77 and not isinstance(err.status, cufft.Result)
    assert str(err) == "cufftExecC2C failed: unknown cufftResult (77)"


def test_error_pickles():
    import pickle

    err = pickle.loads(pickle.dumps(cufft.cuFFTError("cufftXtExec", 6)))
    assert (err.function, err.status, str(err)) == (
        "cufftXtExec",
        cufft.Result.EXEC_FAILED,
        "cufftXtExec failed: CUFFT_EXEC_FAILED (6)",
    )


def test_check_passes_success_and_raises_otherwise():
    assert cufft._check("cufftCreate", 0) == 0
    with pytest.raises(cufft.cuFFTError, match=r"^cufftCreate failed: CUFFT_INTERNAL_ERROR \(5\)$"):
        cufft._check("cufftCreate", 5)


def test_int64_array_conversion():
    arr = cufft._int64_array((8, np.int64(256)), 2, "n")
    assert isinstance(arr, ctypes.Array) and arr._type_ is ctypes.c_longlong
    assert list(arr) == [8, 256]
    assert list(cufft._int64_array([2**40], 1, "n")) == [2**40]  # 64-bit, not truncated
    assert cufft._int64_array(None, 3, "inembed") is None
    with pytest.raises(TypeError, match="n is required"):
        cufft._int64_array(None, 1, "n", nullable=False)
    with pytest.raises(ValueError, match="onembed has 1 elements; rank=2 needs 2"):
        cufft._int64_array([4], 2, "onembed")
    with pytest.raises(TypeError, match="sequence of ints"):
        cufft._int64_array([1.5], 1, "n")


def test_pointer_conversion():
    assert cufft._pointer(None, "x") is None
    assert cufft._pointer(0x7F00_0000_1000, "x") == 0x7F00_0000_1000
    assert cufft._pointer(np.uint64(16), "x") == 16
    # bytes would silently become a host pointer to their buffer: refused.
    with pytest.raises(TypeError, match=r"idata=.* is not supported; accepted: an int address"):
        cufft._pointer(b"abc", "idata")


def test_caller_info_is_a_host_array_of_device_pointers():
    assert cufft._caller_info_array(None) is None
    assert cufft._caller_info_array(0) is None
    one = cufft._caller_info_array(0xDEAD0000)
    assert one._type_ is ctypes.c_void_p and len(one) == 1 and one[0] == 0xDEAD0000
    several = cufft._caller_info_array([0x1000, 0x2000])
    assert [several[0], several[1]] == [0x1000, 0x2000]
    # What cuFFT receives: a void** whose first element is the device pointer.
    as_void_pp = ctypes.cast(one, ctypes.POINTER(ctypes.c_void_p))
    assert as_void_pp[0] == 0xDEAD0000


def test_version_formatting():
    assert cufft._format_version(12500) == "12.5.0"
    assert cufft._format_version(11300) == "11.3.0"
    assert cufft._format_version(10902) == "10.9.2"


def test_calls_name_the_package_when_the_library_is_missing(monkeypatch):
    bogus = NvidiaLibrary(
        "nvmath-test-no-cufft", display_name="cuFFT", package="nvidia-cufft", extra="cu13", check=cufft._check
    )
    monkeypatch.setattr(cufft, "_lib", bogus)
    with pytest.raises(LibraryNotFoundError, match=r"pip install nvidia-cufft.*nvmath-fusion\[cu13\]"):
        cufft.cufftGetVersion()
    with pytest.raises(LibraryNotFoundError):
        cufft.cufftCreate()


def test_jit_callback_on_cufft_before_11_3_says_what_is_needed(monkeypatch):
    # Without loading anything: the version decides, and is named.
    monkeypatch.setattr(cufft, "cufftGetVersion", lambda: 11200)
    with pytest.raises(FunctionNotFoundError) as info:
        cufft.cufftXtSetJITCallback(1, "cb", b"\0", cufft.XtCallbackType.ST_COMPLEX, None)
    message = str(info.value)
    assert "cuFFT >= 11.3 (CUDA 12.6 Update 2)" in message
    assert "cuFFT 11.2.0" in message and "cufftXtSetJITCallback" in message
    assert info.value.library_version == "11.2.0" and isinstance(info.value, NotImplementedError)


# -- with the library, no GPU needed ---------------------------------------------------------


@needs_library
def test_version_and_properties_agree():
    version = cufft.cufftGetVersion()
    major, minor, patch = (cufft.cufftGetProperty(p) for p in cufft.LibraryProperty)
    assert version == major * 1000 + minor * 100 + patch
    assert major >= 11
    assert cufft._lib.version_text() == f"{major}.{minor}.{patch}"
    assert cufft._lib.path and "cufft" in cufft._lib.path


@needs_library
@pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
def test_create_without_a_gpu_raises_a_cufft_error():
    # cuFFT loads without a driver, but a plan needs one: CUFFT_INTERNAL_ERROR here.
    with pytest.raises(cufft.cuFFTError) as info:
        plan = cufft.cufftCreate()
        cufft.cufftDestroy(plan)
    assert info.value.function == "cufftCreate"
    assert info.value.status != cufft.Result.SUCCESS


@needs_library
def test_calls_on_an_invalid_plan_raise_with_the_c_name():
    bad = 987654  # never a handle cuFFT gave out
    with pytest.raises(cufft.cuFFTError) as info:
        cufft.cufftXtSetJITCallback(bad, "cb", b"\0" * 16, cufft.XtCallbackType.ST_COMPLEX, 0)
    assert (info.value.function, info.value.status) == ("cufftXtSetJITCallback", cufft.Result.INVALID_PLAN)
    with pytest.raises(cufft.cuFFTError, match=r"^cufftGetSize failed: CUFFT_INVALID_PLAN \(1\)$"):
        cufft.cufftGetSize(bad)


@needs_library
def test_array_arguments_are_checked_before_the_call():
    with pytest.raises(ValueError, match="n has 2 elements; rank=1 needs 1"):
        cufft.cufftMakePlanMany64(0, 1, [8, 8], None, 1, 8, None, 1, 8, cufft.Type.C2C, 1)
    with pytest.raises(TypeError, match="n is required"):
        cufft.cufftXtMakePlanMany(
            0, 1, None, None, 1, 8, cufft.DataType.C_32F, None, 1, 8, cufft.DataType.C_32F, 1, cufft.DataType.C_32F
        )


@needs_library
def test_jit_callback_on_cufft_11_3_uses_the_versioned_symbol(monkeypatch):
    # cuFFT 11.3-11.4 export __cufftXtSetJITCallback_12_7; the CUDA 13 library does not, so
    # the error names the symbol looked for.
    monkeypatch.setattr(cufft, "cufftGetVersion", lambda: 11400)
    with pytest.raises(FunctionNotFoundError, match="__cufftXtSetJITCallback_12_7") as info:
        cufft.cufftXtSetJITCallback(1, "cb", b"\0", cufft.XtCallbackType.ST_COMPLEX, None)
    assert "cuFFT 11.4.0" in str(info.value)


@needs_library
def test_missing_function_of_the_loaded_cufft():
    lib = NvidiaLibrary(
        "cufft", display_name="cuFFT", package="nvidia-cufft", extra="cu13", version=cufft._version_text
    )
    lib.declare("cufftNvmathNoSuchFunction", ctypes.c_int, [])
    with pytest.raises(FunctionNotFoundError) as info:
        lib.function("cufftNvmathNoSuchFunction")
    assert f"cuFFT {cufft._version_text()}" in str(info.value)
    assert info.value.function == "cufftNvmathNoSuchFunction"


# -- on a GPU --------------------------------------------------------------------------------

BATCH, N = 8, 256


def gpu(test):
    """A GPU test, which also needs the library."""
    return pytest.mark.gpu(needs_library(test))


def _rel_err(got, want):
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def _complex(rng, shape, dtype=np.complex64):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.fixture
def plan():
    handle = cufft.cufftCreate()
    yield handle
    cufft.cufftDestroy(handle)


def _c2c_plan64(plan):
    return cufft.cufftMakePlanMany64(plan, 1, [N], None, 1, N, None, 1, N, cufft.Type.C2C, BATCH)


@gpu
def test_make_plan_many64_and_exec_c2c(cp, plan):
    x = _complex(np.random.default_rng(), (BATCH, N))
    work = _c2c_plan64(plan)
    assert isinstance(work, int) and work == cufft.cufftGetSize(plan)
    d_x = cp.asarray(x)
    d_y = cp.empty_like(d_x)
    cufft.cufftExecC2C(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1)) <= 1e-5
    # In place, inverse: cuFFT does not normalize.
    cufft.cufftExecC2C(plan, d_y.data.ptr, d_y.data.ptr, cufft.Direction.INVERSE)
    assert _rel_err(cp.asnumpy(d_y) / N, x) <= 1e-5


@gpu
def test_xt_make_plan_many_and_xt_exec(cp, plan):
    x = _complex(np.random.default_rng(), (BATCH, N))
    c32 = cufft.DataType.C_32F
    estimate = cufft.cufftXtGetSizeMany(plan, 1, [N], [N], 1, N, c32, [N], 1, N, c32, BATCH, c32)
    work = cufft.cufftXtMakePlanMany(plan, 1, [N], [N], 1, N, c32, [N], 1, N, c32, BATCH, c32)
    assert estimate >= 0 and work == cufft.cufftGetSize(plan)
    d_x = cp.asarray(x)
    d_y = cp.empty_like(d_x)
    cufft.cufftXtExec(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1)) <= 1e-5


@gpu
def test_exec_on_a_stream(cp, plan):
    x = _complex(np.random.default_rng(), (BATCH, N))
    stream = cp.cuda.Stream(non_blocking=True)
    _c2c_plan64(plan)
    cufft.cufftSetStream(plan, stream.ptr)
    with stream:
        d_x = cp.asarray(x)
        d_y = cp.empty_like(d_x)
    cufft.cufftExecC2C(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    stream.synchronize()
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1)) <= 1e-5


@gpu
def test_caller_provided_work_area(cp, plan):
    x = _complex(np.random.default_rng(), (BATCH, 4099))  # a prime length: needs a work area
    n = x.shape[-1]
    cufft.cufftSetAutoAllocation(plan, 0)
    needed = cufft.cufftGetSizeMany64(plan, 1, [n], None, 1, n, None, 1, n, cufft.Type.C2C, BATCH)
    work = cufft.cufftMakePlanMany64(plan, 1, [n], None, 1, n, None, 1, n, cufft.Type.C2C, BATCH)
    assert work > 0 and needed >= 0
    area = cp.empty(work, dtype=cp.uint8)
    cufft.cufftSetWorkArea(plan, area.data.ptr)
    d_x = cp.asarray(x)
    d_y = cp.empty_like(d_x)
    cufft.cufftExecC2C(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1)) <= 1e-5


@gpu
def test_r2c(cp, plan):
    x = np.random.default_rng().standard_normal((BATCH, N)).astype(np.float32)
    cufft.cufftMakePlanMany64(plan, 1, [N], None, 1, N, None, 1, N // 2 + 1, cufft.Type.R2C, BATCH)
    d_x = cp.asarray(x)
    d_y = cp.empty((BATCH, N // 2 + 1), dtype=cp.complex64)
    cufft.cufftExecR2C(plan, d_x.data.ptr, d_y.data.ptr)
    assert _rel_err(cp.asnumpy(d_y), np.fft.rfft(x, axis=-1)) <= 1e-5


@gpu
def test_d2z_and_z2d(cp):
    x = np.random.default_rng().standard_normal((BATCH, N))
    forward, inverse = cufft.cufftCreate(), cufft.cufftCreate()
    try:
        cufft.cufftMakePlanMany64(forward, 1, [N], None, 1, N, None, 1, N // 2 + 1, cufft.Type.D2Z, BATCH)
        cufft.cufftMakePlanMany64(inverse, 1, [N], None, 1, N // 2 + 1, None, 1, N, cufft.Type.Z2D, BATCH)
        d_x = cp.asarray(x)
        d_f = cp.empty((BATCH, N // 2 + 1), dtype=cp.complex128)
        cufft.cufftExecD2Z(forward, d_x.data.ptr, d_f.data.ptr)
        assert _rel_err(cp.asnumpy(d_f), np.fft.rfft(x, axis=-1)) <= 1e-12
        d_back = cp.empty_like(d_x)
        cufft.cufftExecZ2D(inverse, d_f.data.ptr, d_back.data.ptr)  # may overwrite d_f
        assert _rel_err(cp.asnumpy(d_back) / N, x) <= 1e-12
    finally:
        cufft.cufftDestroy(forward)
        cufft.cufftDestroy(inverse)


@gpu
def test_z2z(cp, plan):
    x = _complex(np.random.default_rng(), (BATCH, N), np.complex128)
    cufft.cufftMakePlanMany64(plan, 1, [N], None, 1, N, None, 1, N, cufft.Type.Z2Z, BATCH)
    d_x = cp.asarray(x)
    cufft.cufftExecZ2Z(plan, d_x.data.ptr, d_x.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_x), np.fft.fft(x, axis=-1)) <= 1e-12


@gpu
def test_invalid_size_raises(plan):
    with pytest.raises(cufft.cuFFTError) as info:
        cufft.cufftMakePlanMany64(plan, 1, [0], None, 1, 1, None, 1, 1, cufft.Type.C2C, 1)
    assert info.value.function == "cufftMakePlanMany64"
    assert info.value.status in (cufft.Result.INVALID_SIZE, cufft.Result.INVALID_VALUE)
    assert str(info.value).startswith("cufftMakePlanMany64 failed: CUFFT_INVALID_")


@gpu
def test_destroyed_plan_is_invalid(cp):
    handle = cufft.cufftCreate()
    _c2c_plan64(handle)
    cufft.cufftDestroy(handle)
    d_x = cp.zeros((BATCH, N), dtype=cp.complex64)
    with pytest.raises(cufft.cuFFTError) as info:
        cufft.cufftExecC2C(handle, d_x.data.ptr, d_x.data.ptr, cufft.Direction.FORWARD)
    assert info.value.status == cufft.Result.INVALID_PLAN


@gpu
def test_plan_properties(plan):
    prop = cufft.Property.INT64_PATIENT_JIT
    cufft.cufftSetPlanPropertyInt64(plan, prop, 1)
    assert cufft.cufftGetPlanPropertyInt64(plan, prop) == 1
    cufft.cufftResetPlanProperty(plan, prop)
    assert cufft.cufftGetPlanPropertyInt64(plan, prop) == 0


def _make_plan_with_lto_callback(plan):
    """Make the C2C plan that links the callback in; an xfail where cuFFT cannot link here.

    On the lent H100 image (driver 580.159, cuFFT 12.0 and 12.5) cufftMakePlan* fails after any
    cufftXtSetJITCallback, even from C with an nvcc-built fatbin and NULL caller_info:
    not something this binding can cause, so it is reported rather than hidden or failed.
    """
    try:
        return _c2c_plan64(plan)
    except cufft.cuFFTError as exc:
        if exc.status in (cufft.Result.INTERNAL_ERROR, cufft.Result.NVJITLINK_FAILURE):
            pytest.xfail(f"cuFFT {cufft._version_text()} could not JIT-link an LTO callback on this machine ({exc})")
        raise


@gpu
def test_jit_callback_inputs_are_kept_until_destroy(cp):
    from nvmath.jit import compile_cpp, current_device_target

    lto = compile_cpp(
        _STORE_CALLBACK.replace("FFT_N", str(N)), compute_capability=current_device_target(), output="ltoir"
    )
    handle = cufft.cufftCreate()
    try:
        cufft.cufftXtSetJITCallback(handle, "scale_store", memoryview(lto), cufft.XtCallbackType.ST_COMPLEX, 0x1000)
        kept = cufft._keepalive[handle]
        # cuFFT reads the name, the LTO-IR and the pointer array when the plan is made.
        assert b"scale_store" in kept and bytes(lto) in kept
        assert any(isinstance(k, ctypes.Array) and k[0] == 0x1000 for k in kept)
    finally:
        cufft.cufftDestroy(handle)
    assert handle not in cufft._keepalive


_STORE_CALLBACK = """
__device__ void scale_store(void* dataOut, unsigned long long offset, float2 element,
                                       void* callerInfo, void* sharedPointer) {
    const float* filt = (const float*)callerInfo;
    float f = filt[offset % FFT_N];
    ((float2*)dataOut)[offset] = make_float2(element.x * f, element.y * f);
}
"""


@gpu
def test_jit_store_callback_with_caller_info(cp, plan):
    from nvmath.jit import compile_cpp, current_device_target

    rng = np.random.default_rng()
    x = _complex(rng, (BATCH, N))
    filt = rng.standard_normal(N).astype(np.float32)
    lto = compile_cpp(
        _STORE_CALLBACK.replace("FFT_N", str(N)), compute_capability=current_device_target(), output="ltoir"
    )
    d_filt = cp.asarray(filt)
    # A bytearray: any bytes-like LTO-IR is accepted.
    cufft.cufftXtSetJITCallback(plan, "scale_store", bytearray(lto), cufft.XtCallbackType.ST_COMPLEX, d_filt.data.ptr)
    _make_plan_with_lto_callback(plan)
    d_x = cp.asarray(x)
    d_y = cp.empty_like(d_x)
    cufft.cufftExecC2C(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1) * filt) <= 1e-5


@gpu
def test_jit_load_callback_compiled_from_python(cp, plan):
    from nvmath.fft import compile_prolog

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * user_info[offset % 256]

    rng = np.random.default_rng()
    x = _complex(rng, (BATCH, N))
    window = rng.standard_normal(N).astype(np.float32)
    art = compile_prolog(prolog, "complex64", "float32")  # an LTOIR: a bytes subclass
    d_window = cp.asarray(window)
    cufft.cufftXtSetJITCallback(plan, art.symbol, art, cufft.XtCallbackType.LD_COMPLEX, [d_window.data.ptr])
    _make_plan_with_lto_callback(plan)
    d_x = cp.asarray(x)
    d_y = cp.empty_like(d_x)
    cufft.cufftXtExec(plan, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x * window, axis=-1)) <= 1e-5
