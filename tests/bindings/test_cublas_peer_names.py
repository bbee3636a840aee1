"""nvmath.bindings.cublas under nvmath-python 1.0.1's names: all 515 functions are there and
public, with nvmath-python's argument names and returned outputs; the enums hold the CUDA 13
header values; ``check_status`` and ``cuBLASError(status)``; every argument is checked before C
is called, with a TypeError or ValueError naming it (fuzzed); the generator reads a header
snippet as expected and reproduces the committed table from a header of the same version. On a
GPU: sgemm, dgemm_64, zaxpy, ddot, gemm_ex and sgemm_strided_batched agree with NumPy."""

import ctypes
import importlib.util
import inspect
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvmath.bindings import _cublas_prototypes, cublas
from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary
from tests.libraries import needs

needs_library = needs("cuBLAS", cublas._lib.cdll, (LibraryNotFoundError,))
ROOT = Path(__file__).resolve().parents[2]

# nvmath-python 1.0.1's nvmath.bindings.cublas functions (its cublas.pyi).
PEER_FUNCTIONS = """
asum_ex asum_ex_64 axpy_ex axpy_ex_64 caxpy caxpy_64 ccopy ccopy_64 cdgmm cdgmm_64 cdotc cdotc_64 cdotu
cdotu_64 cgbmv cgbmv_64 cgeam cgeam_64 cgels_batched cgemm cgemm3m cgemm3m_64 cgemm3m_batched
cgemm3m_batched_64 cgemm3m_ex cgemm3m_ex_64 cgemm3m_strided_batched cgemm3m_strided_batched_64 cgemm_64
cgemm_batched cgemm_batched_64 cgemm_ex cgemm_ex_64 cgemm_strided_batched cgemm_strided_batched_64 cgemv
cgemv_64 cgemv_batched cgemv_batched_64 cgemv_strided_batched cgemv_strided_batched_64 cgeqrf_batched cgerc
cgerc_64 cgeru cgeru_64 cgetrf_batched cgetri_batched cgetrs_batched chbmv chbmv_64 check_status chemm
chemm_64 chemv chemv_64 cher cher2 cher2_64 cher2k cher2k_64 cher_64 cherk cherk3m_ex cherk3m_ex_64 cherk_64
cherk_ex cherk_ex_64 cherkx cherkx_64 chpmv chpmv_64 chpr chpr2 chpr2_64 chpr_64 cmatinv_batched copy_ex
copy_ex_64 create crot crot_64 crotg cscal cscal_64 csrot csrot_64 csscal csscal_64 cswap cswap_64 csymm
csymm_64 csymv csymv_64 csyr csyr2 csyr2_64 csyr2k csyr2k_64 csyr_64 csyrk csyrk3m_ex csyrk3m_ex_64 csyrk_64
csyrk_ex csyrk_ex_64 csyrkx csyrkx_64 ctbmv ctbmv_64 ctbsv ctbsv_64 ctpmv ctpmv_64 ctpsv ctpsv_64 ctpttr ctrmm
ctrmm_64 ctrmv ctrmv_64 ctrsm ctrsm_64 ctrsm_batched ctrsm_batched_64 ctrsv ctrsv_64 ctrttp dasum dasum_64
daxpy daxpy_64 dcopy dcopy_64 ddgmm ddgmm_64 ddot ddot_64 destroy dgbmv dgbmv_64 dgeam dgeam_64 dgels_batched
dgemm dgemm_64 dgemm_batched dgemm_batched_64 dgemm_grouped_batched dgemm_grouped_batched_64
dgemm_strided_batched dgemm_strided_batched_64 dgemv dgemv_64 dgemv_batched dgemv_batched_64
dgemv_strided_batched dgemv_strided_batched_64 dgeqrf_batched dger dger_64 dgetrf_batched dgetri_batched
dgetrs_batched dmatinv_batched dnrm2 dnrm2_64 dot_ex dot_ex_64 dotc_ex dotc_ex_64 drot drot_64 drotg drotm
drotm_64 drotmg dsbmv dsbmv_64 dscal dscal_64 dspmv dspmv_64 dspr dspr2 dspr2_64 dspr_64 dswap dswap_64 dsymm
dsymm_64 dsymv dsymv_64 dsyr dsyr2 dsyr2_64 dsyr2k dsyr2k_64 dsyr_64 dsyrk dsyrk_64 dsyrkx dsyrkx_64 dtbmv
dtbmv_64 dtbsv dtbsv_64 dtpmv dtpmv_64 dtpsv dtpsv_64 dtpttr dtrmm dtrmm_64 dtrmv dtrmv_64 dtrsm dtrsm_64
dtrsm_batched dtrsm_batched_64 dtrsv dtrsv_64 dtrttp dzasum dzasum_64 dznrm2 dznrm2_64 gemm_batched_ex
gemm_batched_ex_64 gemm_ex gemm_ex_64 gemm_grouped_batched_ex gemm_grouped_batched_ex_64
gemm_strided_batched_ex gemm_strided_batched_ex_64 get_atomics_mode get_cudart_version
get_emulation_special_values_support get_emulation_strategy
get_fixed_point_emulation_mantissa_bit_count_pointer get_fixed_point_emulation_mantissa_bit_offset
get_fixed_point_emulation_mantissa_control get_fixed_point_emulation_max_mantissa_bit_count get_math_mode
get_matrix get_matrix_64 get_matrix_async get_matrix_async_64 get_pointer_mode get_property
get_sm_count_target get_status_name get_status_string get_stream get_vector get_vector_64 get_vector_async
get_vector_async_64 get_version iamax_ex iamax_ex_64 iamin_ex iamin_ex_64 icamax icamax_64 icamin icamin_64
idamax idamax_64 idamin idamin_64 isamax isamax_64 isamin isamin_64 izamax izamax_64 izamin izamin_64
logger_configure nrm2_ex nrm2ex_64 rot_ex rot_ex_64 rotg_ex rotm_ex rotm_ex_64 rotmg_ex sasum sasum_64 saxpy
saxpy_64 scal_ex scal_ex_64 scasum scasum_64 scnrm2 scnrm2_64 scopy scopy_64 sdgmm sdgmm_64 sdot sdot_64
set_atomics_mode set_emulation_special_values_support set_emulation_strategy
set_fixed_point_emulation_mantissa_bit_count_pointer set_fixed_point_emulation_mantissa_bit_offset
set_fixed_point_emulation_mantissa_control set_fixed_point_emulation_max_mantissa_bit_count set_math_mode
set_matrix set_matrix_64 set_matrix_async set_matrix_async_64 set_pointer_mode set_sm_count_target set_stream
set_vector set_vector_64 set_vector_async set_vector_async_64 set_workspace sgbmv sgbmv_64 sgeam sgeam_64
sgels_batched sgemm sgemm_64 sgemm_batched sgemm_batched_64 sgemm_ex sgemm_ex_64 sgemm_grouped_batched
sgemm_grouped_batched_64 sgemm_strided_batched sgemm_strided_batched_64 sgemv sgemv_64 sgemv_batched
sgemv_batched_64 sgemv_strided_batched sgemv_strided_batched_64 sgeqrf_batched sger sger_64 sgetrf_batched
sgetri_batched sgetrs_batched smatinv_batched snrm2 snrm2_64 srot srot_64 srotg srotm srotm_64 srotmg ssbmv
ssbmv_64 sscal sscal_64 sspmv sspmv_64 sspr sspr2 sspr2_64 sspr_64 sswap sswap_64 ssymm ssymm_64 ssymv
ssymv_64 ssyr ssyr2 ssyr2_64 ssyr2k ssyr2k_64 ssyr_64 ssyrk ssyrk_64 ssyrkx ssyrkx_64 stbmv stbmv_64 stbsv
stbsv_64 stpmv stpmv_64 stpsv stpsv_64 stpttr strmm strmm_64 strmv strmv_64 strsm strsm_64 strsm_batched
strsm_batched_64 strsv strsv_64 strttp swap_ex swap_ex_64 uint8gemm_bias zaxpy zaxpy_64 zcopy zcopy_64 zdgmm
zdgmm_64 zdotc zdotc_64 zdotu zdotu_64 zdrot zdrot_64 zdscal zdscal_64 zgbmv zgbmv_64 zgeam zgeam_64
zgels_batched zgemm zgemm3m zgemm3m_64 zgemm_64 zgemm_batched zgemm_batched_64 zgemm_strided_batched
zgemm_strided_batched_64 zgemv zgemv_64 zgemv_batched zgemv_batched_64 zgemv_strided_batched
zgemv_strided_batched_64 zgeqrf_batched zgerc zgerc_64 zgeru zgeru_64 zgetrf_batched zgetri_batched
zgetrs_batched zhbmv zhbmv_64 zhemm zhemm_64 zhemv zhemv_64 zher zher2 zher2_64 zher2k zher2k_64 zher_64 zherk
zherk_64 zherkx zherkx_64 zhpmv zhpmv_64 zhpr zhpr2 zhpr2_64 zhpr_64 zmatinv_batched zrot zrot_64 zrotg zscal
zscal_64 zswap zswap_64 zsymm zsymm_64 zsymv zsymv_64 zsyr zsyr2 zsyr2_64 zsyr2k zsyr2k_64 zsyr_64 zsyrk
zsyrk_64 zsyrkx zsyrkx_64 ztbmv ztbmv_64 ztbsv ztbsv_64 ztpmv ztpmv_64 ztpsv ztpsv_64 ztpttr ztrmm ztrmm_64
ztrmv ztrmv_64 ztrsm ztrsm_64 ztrsm_batched ztrsm_batched_64 ztrsv ztrsv_64 ztrttp
""".split()

# nvmath-python 1.0.1's enum classes and their members (aliases included).
PEER_ENUMS = {
    "AtomicsMode": "ALLOWED NOT_ALLOWED",
    "ComputeType": "COMPUTE_16F COMPUTE_16F_PEDANTIC COMPUTE_32F COMPUTE_32F_EMULATED_16BFX9 COMPUTE_32F_FAST_16BF "
    "COMPUTE_32F_FAST_16F COMPUTE_32F_FAST_TF32 COMPUTE_32F_PEDANTIC COMPUTE_32I COMPUTE_32I_PEDANTIC COMPUTE_64F "
    "COMPUTE_64F_EMULATED_FIXEDPOINT COMPUTE_64F_PEDANTIC",
    "DiagType": "NON_UNIT UNIT",
    "EmulationStrategy": "DEFAULT EAGER PERFORMANT",
    "FillMode": "FULL LOWER UPPER",
    "GemmAlgo": " ".join(
        [f"ALGO{i}" for i in range(24)]
        + [f"ALGO{i}_TENSOR_OP" for i in range(16)]
        + ["AUTOTUNE", "DEFAULT", "DEFAULT_TENSOR_OP", "DFALT", "DFALT_TENSOR_OP"]
    ),
    "Math": "DEFAULT_MATH DISALLOW_REDUCED_PRECISION_REDUCTION FP32_EMULATED_BF16X9_MATH "
    "FP64_EMULATED_FIXEDPOINT_MATH PEDANTIC_MATH TENSOR_OP_MATH TF32_TENSOR_OP_MATH",
    "Operation": "C CONJG HERMITAN N T",
    "PointerMode": "DEVICE HOST",
    "SideMode": "LEFT RIGHT",
    "Status": "ALLOC_FAILED ARCH_MISMATCH EXECUTION_FAILED INTERNAL_ERROR INVALID_VALUE LICENSE_ERROR "
    "MAPPING_ERROR NOT_INITIALIZED NOT_SUPPORTED SUCCESS",
}

# Each enum class: its C type and the prefixes its C member names drop.
C_ENUMS = {
    "Status": ("cublasStatus_t", ("CUBLAS_STATUS_",)),
    "FillMode": ("cublasFillMode_t", ("CUBLAS_FILL_MODE_",)),
    "DiagType": ("cublasDiagType_t", ("CUBLAS_DIAG_",)),
    "SideMode": ("cublasSideMode_t", ("CUBLAS_SIDE_",)),
    "Operation": ("cublasOperation_t", ("CUBLAS_OP_",)),
    "PointerMode": ("cublasPointerMode_t", ("CUBLAS_POINTER_MODE_",)),
    "AtomicsMode": ("cublasAtomicsMode_t", ("CUBLAS_ATOMICS_",)),
    "GemmAlgo": ("cublasGemmAlgo_t", ("CUBLAS_GEMM_",)),
    "Math": ("cublasMath_t", ("CUBLAS_MATH_", "CUBLAS_")),
    "ComputeType": ("cublasComputeType_t", ("CUBLAS_",)),
    "EmulationStrategy": ("cublasEmulationStrategy_t", ("CUBLAS_EMULATION_STRATEGY_",)),
}

# A sample of nvmath-python's signatures: the arguments, in order (outputs it returns are absent).
PEER_SIGNATURES = {
    "create": "",
    "get_version": "handle",
    "get_property": "type",
    "get_cudart_version": "",
    "set_stream": "handle stream_id",
    "set_workspace": "handle workspace workspace_size_in_bytes",
    "logger_configure": "log_is_on log_to_std_out log_to_std_err log_file_name",
    "set_vector": "n elem_size x incx device_ptr incy",
    "get_matrix_async_64": "rows cols elem_size a lda b ldb stream",
    "sgemm": "handle transa transb m n k alpha a lda b ldb beta c ldc",
    "dgemm_64": "handle transa transb m n k alpha a lda b ldb beta c ldc",
    "sgemm_strided_batched": "handle transa transb m n k alpha a lda stride_a b ldb stride_b beta c ldc stride_c "
    "batch_count",
    "gemm_ex": "handle transa transb m n k alpha a atype lda b btype ldb beta c ctype ldc compute_type algo",
    "zaxpy": "handle n alpha x incx y incy",
    "ddot": "handle n x incx y incy result",
    "asum_ex": "handle n x x_type incx result result_type executiontype",
    "nrm2ex_64": "handle n x x_type incx result result_type execution_type",
    "rotmg_ex": "handle d1 d1type d2 d2type x1 x1type y1 y1type param param_type executiontype",
    "sgemm_grouped_batched": "handle transa_array transb_array m_array n_array k_array alpha_array aarray "
    "lda_array barray ldb_array beta_array carray ldc_array group_count group_size",
    "sgels_batched": "handle trans m n nrhs aarray lda carray ldc info dev_info_array batch_size",
    "sgetrs_batched": "handle trans n nrhs aarray lda dev_ipiv barray ldb info batch_size",
    "smatinv_batched": "handle n a lda ainv lda_inv info batch_size",
    "uint8gemm_bias": "handle transa transb transc m n k a a_bias lda b b_bias ldb c c_bias ldc c_mult c_shift",
    "set_fixed_point_emulation_mantissa_bit_count_pointer": "handle mantissa_bit_count",
    "get_fixed_point_emulation_mantissa_bit_count_pointer": "handle",
}


def test_every_nvmath_python_function_is_here_and_public():
    assert len(PEER_FUNCTIONS) == 515
    missing = [name for name in PEER_FUNCTIONS if not callable(getattr(cublas, name, None))]
    assert missing == []
    assert set(PEER_FUNCTIONS) <= set(cublas.__all__)
    assert set(PEER_FUNCTIONS) <= set(dir(cublas))
    assert all(getattr(cublas, name).__name__ == name for name in PEER_FUNCTIONS)
    # The table holds exactly those functions (check_status is written by hand).
    assert sorted(cublas._ROWS) == sorted(set(PEER_FUNCTIONS) - {"check_status"})
    assert {"cuBLASError", *PEER_ENUMS} <= set(cublas.__all__)


def test_star_import_gives_the_functions():
    names = {}
    exec("from nvmath.bindings.cublas import *", names)
    assert names["sgemm_strided_batched"] is cublas.sgemm_strided_batched
    assert names["cuBLASError"] is cublas.cuBLASError


def test_signatures_are_nvmath_pythons():
    for name, arguments in PEER_SIGNATURES.items():
        function = getattr(cublas, name)
        assert list(inspect.signature(function).parameters) == arguments.split(), name


def test_functions_say_which_c_function_they_call():
    doc = cublas.sgemm.__doc__
    assert "``cublasSgemm`` (exported as ``cublasSgemm_v2``)" in doc
    assert "Device memory: a, b, c." in doc and "pointer mode says: alpha, beta." in doc
    assert "Returns ``version``" in cublas.get_version.__doc__
    assert "Host arrays" in cublas.dgemm_grouped_batched.__doc__
    assert "Host memory: x." in cublas.set_vector.__doc__
    assert "cuBLASError" not in cublas.get_status_name.__doc__


def test_our_c_names_are_the_same_functions():
    assert cublas.cublasSgemm is cublas.sgemm
    assert cublas.cublasZgemmStridedBatched is cublas.zgemm_strided_batched
    assert cublas.typed_function("trmm", "complex64") is cublas.ctrmm
    assert cublas.cublasCreate is cublas.create and cublas.cublasSetStream is cublas.set_stream
    assert cublas.TYPED_FUNCTIONS["cublasDgemm"] == ("cublasDgemm_v2", "gemm")


def test_enum_classes_and_members_are_nvmath_pythons():
    for name, members in PEER_ENUMS.items():
        assert set(getattr(cublas, name).__members__) == set(members.split()), name


def test_enum_values_are_the_headers():
    table = {}
    for line in _cublas_prototypes.ENUMS:
        ctype, *members = line.split()
        table[ctype] = dict(member.split("=") for member in members)
    for name, (ctype, prefixes) in C_ENUMS.items():
        expected = {}
        for member, value in table[ctype].items():
            prefix = next(p for p in prefixes if member.startswith(p))
            expected[member.removeprefix(prefix)] = int(value)
        got = {member: int(value) for member, value in getattr(cublas, name).__members__.items()}
        assert got == expected, name
    # A few values, independent of the table.
    assert cublas.GemmAlgo.DEFAULT == cublas.GemmAlgo.DFALT == -1 and cublas.GemmAlgo.AUTOTUNE == 999
    assert cublas.GemmAlgo.ALGO15_TENSOR_OP == 115 and cublas.Math.DISALLOW_REDUCED_PRECISION_REDUCTION == 16
    assert cublas.Math.FP64_EMULATED_FIXEDPOINT_MATH == 8 and cublas.AtomicsMode.ALLOWED == 1
    assert cublas.EmulationStrategy.EAGER == 2 and cublas.ComputeType.COMPUTE_64F_EMULATED_FIXEDPOINT == 79


def test_check_status_and_the_error_class():
    assert cublas.check_status(0) is None
    with pytest.raises(cublas.cuBLASError, match=r"^CUBLAS_STATUS_INVALID_VALUE \(7\)$") as info:
        cublas.check_status(7)
    assert info.value.status == cublas.Status.INVALID_VALUE and info.value.function is None
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is cublas.cuBLASError and copy.status == 7 and str(copy) == str(info.value)
    named = cublas.cuBLASError("cublasSgemm_v2", 13)
    assert str(named) == "cublasSgemm_v2 failed: CUBLAS_STATUS_EXECUTION_FAILED (13)"
    assert pickle.loads(pickle.dumps(named)).function == "cublasSgemm_v2"
    assert cublas.cuBLASError(99).status == 99 and "unknown" in str(cublas.cuBLASError(99))
    with pytest.raises(TypeError, match=r"check_status\(\): status='7' \(str\) is not accepted"):
        cublas.check_status("7")
    with pytest.raises(TypeError, match="status=True"):
        cublas.check_status(True)
    with pytest.raises(TypeError, match="cuBLASError takes"):
        cublas.cuBLASError()


# -- argument checks (no library needed: every one fails before C is called) --------------------

_ARGS = dict(handle=1, transa=0, transb=0, m=2, n=2, k=2, alpha=0, a=0, lda=2, b=0, ldb=2, beta=0, c=0, ldc=2)


def test_int_arguments_are_range_checked():
    with pytest.raises(
        ValueError, match=r"sgemm\(\): m=2147483648 \(int\) is not accepted; m takes an int that fits a 32-bit C int"
    ):
        cublas.sgemm(**{**_ARGS, "m": 2**31})
    with pytest.raises(ValueError, match=r"dgemm_64\(\): m=9223372036854775808 .* 64-bit"):
        cublas.dgemm_64(**{**_ARGS, "m": 2**63})
    with pytest.raises(ValueError, match=r"workspace_size_in_bytes=-1 .*size_t"):
        cublas.set_workspace(1, 0, -1)
    with pytest.raises(TypeError, match=r"lda=2.0 \(float\) is not accepted"):
        cublas.sgemm(**{**_ARGS, "lda": 2.0})
    with pytest.raises(TypeError, match=r"transa='N' \(str\) is not accepted; transa takes an int .* enum member"):
        cublas.sgemm(**{**_ARGS, "transa": "N"})
    with pytest.raises(TypeError, match="ldc=True"):
        cublas.sgemm(**{**_ARGS, "ldc": True})


def test_pointer_arguments_take_ints_and_scalars_also_ctypes_objects():
    with pytest.raises(TypeError, match=r"handle='h' \(str\) is not accepted; handle takes an int: a cuBLAS handle"):
        cublas.sgemm(**{**_ARGS, "handle": "h"})
    with pytest.raises(TypeError, match=r"a=1.5 \(float\) is not accepted; a takes an int: a device address"):
        cublas.sgemm(**{**_ARGS, "a": 1.5})
    with pytest.raises(ValueError, match=r"c=18446744073709551616 .* device address"):
        cublas.sgemm(**{**_ARGS, "c": 2**64})
    with pytest.raises(TypeError, match=r"alpha=1.0 \(float\) is not accepted; alpha takes the address of the value"):
        cublas.sgemm(**{**_ARGS, "alpha": 1.0})
    with pytest.raises(TypeError, match=r"beta=c_void_p\(16\) is a pointer object; pass the address it holds"):
        cublas.sgemm(**{**_ARGS, "beta": ctypes.c_void_p(16)})
    with pytest.raises(TypeError, match=r"stream_id=<object .* takes an int: a cudaStream_t"):
        cublas.set_stream(1, object())
    with pytest.raises(TypeError, match=r"log_file_name=7 \(int\) is not accepted; .* a str \(a file name\)"):
        cublas.logger_configure(0, 0, 0, 7)


def test_host_arrays_take_sequences_or_addresses_and_one_element_per_group():
    grouped = dict(
        handle=1, transa_array=[0], transb_array=[0], m_array=[2], n_array=[2], k_array=[2], alpha_array=[1.0],
        aarray=0, lda_array=[2], barray=0, ldb_array=[2], beta_array=[0.0], carray=0, ldc_array=[2], group_count=1,
        group_size=[1],
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"sgemm_grouped_batched\(\): transa_array has 1 element; group_count=2 needs one per group"
    ):
        cublas.sgemm_grouped_batched(**{**grouped, "group_count": 2})
    with pytest.raises(TypeError, match=r"m_array\[1\]='2' \(str\) is not accepted; m_array\[1\] takes 32-bit ints"):
        cublas.sgemm_grouped_batched(**{**grouped, "m_array": [2, "2"]})
    with pytest.raises(ValueError, match=r"lda_array\[0\]=2147483648"):
        cublas.sgemm_grouped_batched(**{**grouped, "lda_array": [2**31]})
    with pytest.raises(TypeError, match=r"alpha_array\[0\]=None .* real numbers \(float32\)"):
        cublas.sgemm_grouped_batched(**{**grouped, "alpha_array": [None]})
    with pytest.raises(
        TypeError,
        match=r"group_size='1' \(str\) is not accepted; group_size takes a sequence of 32-bit ints, or the int address",
    ):
        cublas.sgemm_grouped_batched(**{**grouped, "group_size": "1"})
    with pytest.raises(ValueError, match=r"m_array\[0\]=9223372036854775808 .* 64-bit ints"):
        cublas.dgemm_grouped_batched_64(**{**grouped, "m_array": [2**63]})


def test_arguments_bind_by_position_or_keyword():
    with pytest.raises(
        TypeError, match=r"sgemm\(\) takes 14 arguments \(handle, transa, .*, ldc\), got 2: transb is missing"
    ):
        cublas.sgemm(1, 0)
    with pytest.raises(TypeError, match=r"takes 14 arguments .*, got 15$"):
        cublas.sgemm(*_ARGS.values(), 0)
    with pytest.raises(TypeError, match="alpha0 is not one of them"):
        cublas.sgemm(**_ARGS, alpha0=1)
    with pytest.raises(TypeError, match="handle is given twice"):
        cublas.sgemm(1, **_ARGS)
    # All by keyword, in any order: the last one is checked, so all were bound.
    with pytest.raises(TypeError, match=r"sgemm\(\): ldc='x'"):
        cublas.sgemm(**dict(reversed(list({**_ARGS, "ldc": "x"}.items()))))
    with pytest.raises(TypeError, match=r"create\(\) takes 0 arguments \(\), got 1"):
        cublas.create(1)
    with pytest.raises(TypeError, match=r"get_version\(\) takes 1 argument \(handle\)"):
        cublas.get_version()


def test_numpy_integers_are_ints():
    args = {**_ARGS, "m": np.int32(2), "lda": np.uint8(2), "a": np.uint64(2**63)}
    with pytest.raises(TypeError, match=r"ldc=\S*2\.0\S* \(float64\) is not accepted"):
        cublas.sgemm(**{**args, "ldc": np.float64(2)})


def test_calls_name_the_package_when_the_library_is_missing(monkeypatch):
    bogus = NvidiaLibrary("nvmath-test-no-cublas", display_name="cuBLAS", package="nvidia-cublas", extra="cu13")
    monkeypatch.setattr(cublas, "_lib", bogus)
    with pytest.raises(LibraryNotFoundError, match=r"cuBLAS .*pip install nvidia-cublas"):
        cublas.ddot(1, 3, 0, 1, 0, 1, 0)


@needs_library
def test_a_function_the_library_lacks_raises_function_not_found():
    missing = cublas._make_function("no_such", "cublasNoSuchFunction_v9", "", [("handle", "h")])
    with pytest.raises(FunctionNotFoundError, match="cublasNoSuchFunction_v9 is not available") as info:
        missing(1)
    assert info.value.function == "cublasNoSuchFunction_v9"


@needs_library
def test_library_functions_without_a_gpu():
    assert cublas.get_property(cublas.LibraryProperty.MAJOR_VERSION) >= 13
    assert cublas.get_status_name(7) == "CUBLAS_STATUS_INVALID_VALUE"
    assert isinstance(cublas.get_status_string(7), str) and cublas.get_cudart_version() > 0
    lacking = [symbol for symbol in cublas._BY_SYMBOL if not cublas._lib.has(symbol)]
    version = tuple(cublas.get_property(p) for p in cublas.LibraryProperty)
    table = tuple(int(p) for p in _cublas_prototypes.VERSION.split("."))
    if version >= table:
        assert lacking == []
    for symbol in lacking:  # an older cuBLAS: calling such a function says so
        name = cublas._BY_SYMBOL[symbol]
        arguments = inspect.signature(getattr(cublas, name)).parameters
        with pytest.raises(FunctionNotFoundError):
            getattr(cublas, name)(*[None if _kind(name, a) in "htpsmc" else 0 for a in arguments])


# -- fuzz: a bad argument anywhere is a clear Python error, never a call into C -----------------


def _kinds(name: str) -> dict[str, str]:
    _, _, _, arguments = cublas._parse_row(cublas._ROWS[name])
    return {argument: kind for argument, kind in arguments if not kind.startswith(">")}


def _kind(name: str, argument: str) -> str:
    return _kinds(name)[argument]


_TEXT = st.text(max_size=4)
_FLOATS = st.floats(allow_nan=False)
_BAD = {
    "int": st.one_of(_FLOATS, _TEXT, st.none(), st.booleans(), st.integers(min_value=2**31), st.integers(max_value=-(2**31) - 1), st.lists(st.integers(), max_size=2)),
    "int64": st.one_of(_FLOATS, _TEXT, st.none(), st.booleans(), st.integers(min_value=2**63), st.integers(max_value=-(2**63) - 1)),
    "size": st.one_of(_FLOATS, _TEXT, st.none(), st.integers(max_value=-1), st.integers(min_value=2**64)),
    "address": st.one_of(_FLOATS, _TEXT, st.booleans(), st.integers(min_value=2**64), st.integers(max_value=-(2**63) - 1), st.lists(st.integers(), max_size=2), st.builds(ctypes.c_void_p, st.integers(0, 2**32)), st.builds(object)),
    "text": st.one_of(st.integers(), _FLOATS, st.lists(st.integers(), max_size=2)),
    "ints": st.one_of(_FLOATS, _TEXT, st.none(), st.lists(st.one_of(_FLOATS, _TEXT, st.none(), st.integers(min_value=2**63)), min_size=1, max_size=3)),
    "reals": st.one_of(_FLOATS, _TEXT, st.none(), st.lists(st.one_of(_TEXT, st.none(), st.booleans()), min_size=1, max_size=3)),
}  # fmt: skip
_BAD_BY_KIND = {
    **dict.fromkeys("ie", "int"), "l": "int64", "z": "size", **dict.fromkeys("htpsm", "address"), "c": "text",
    **dict.fromkeys("IEL", "ints"), **dict.fromkeys("FD", "reals"),
}  # fmt: skip
_GOOD_BY_KIND = {**dict.fromkeys("ielz", 0), **dict.fromkeys("htpsmc"), **dict.fromkeys("IELFD", ())}
_FUNCTIONS = sorted(set(PEER_FUNCTIONS) - {"check_status", "create", "get_cudart_version"})


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_fuzzed_bad_arguments_raise_a_clear_error(data):
    name = data.draw(st.sampled_from(_FUNCTIONS), label="function")
    kinds = _kinds(name)
    bad = data.draw(st.sampled_from(sorted(kinds)), label="argument")
    value = data.draw(_BAD[_BAD_BY_KIND[kinds[bad]]], label="value")
    arguments = {argument: _GOOD_BY_KIND[kind] for argument, kind in kinds.items()}
    arguments[bad] = value
    by_keyword = data.draw(st.booleans(), label="by keyword")
    function = getattr(cublas, name)
    with pytest.raises((TypeError, ValueError)) as info:
        function(**arguments) if by_keyword else function(*arguments.values())
    message = str(info.value)
    assert message.startswith(f"{name}(): {bad}"), message
    assert "is not accepted" in message or "pointer object" in message, message


# -- the generator ----------------------------------------------------------------------------------


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cublas_prototypes", ROOT / "tools" / "gen_cublas_prototypes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


HEADER = """
#define CUBLAS_VER_MAJOR 13
#define CUBLAS_VER_MINOR 4
#define CUBLAS_VER_PATCH 1
typedef enum {
  CUBLAS_OP_N = 0,
  CUBLAS_OP_T = 1,  /* transposed */
  CUBLAS_OP_HERMITAN = 2, // a synonym
} cublasOperation_t;
typedef enum { CUBLAS_GEMM_DEFAULT = -1, CUBLAS_GEMM_AUTOTUNE = 999 } cublasGemmAlgo_t;
typedef struct cublasContext* cublasHandle_t;
cublasStatus_t CUBLASWINAPI cublasCreate_v2(cublasHandle_t* handle);
cublasStatus_t CUBLASWINAPI cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* streamId);
cublasStatus_t CUBLASWINAPI cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode);
const char* CUBLASWINAPI cublasGetStatusName(cublasStatus_t status);
size_t CUBLASWINAPI cublasGetCudartVersion(void);
void CUBLASWINAPI cublasXerbla(const char* srName, int info);
cublasStatus_t CUBLASWINAPI cublasSetLoggerCallback(cublasLogCallback userCallback);
cublasStatus_t CUBLASWINAPI cublasGetVector(int n, int elemSize, const void* x, int incx, void* y, int incy);
#if defined(SOMETHING)
cublasStatus_t CUBLASWINAPI
cublasDdot_v2_64(cublasHandle_t handle, int64_t n, const double* x, int64_t incx, const double* y,
                 int64_t incy, double* result);
#endif
cublasStatus_t CUBLASWINAPI cublasSgemmStridedBatched(cublasHandle_t handle,
                                                      cublasOperation_t transa,
                                                      const float* alpha, /* host or device pointer */
                                                      const float* A,
                                                      long long int strideA,
                                                      int batchCount);
cublasStatus_t CUBLASWINAPI cublasHgemm(cublasHandle_t handle, const __half* alpha, __half* C);
cublasStatus_t CUBLASWINAPI cublasSrotg_v2(cublasHandle_t handle, float* a, float* b, float* c, float* s);
cublasStatus_t CUBLASWINAPI cublasRotmgEx(cublasHandle_t handle, void* d1, cudaDataType d1Type, void* y1);
cublasStatus_t CUBLASWINAPI cublasNrm2Ex(cublasHandle_t handle, int n, const void* x, cudaDataType xType);
cublasStatus_t CUBLASWINAPI cublasNrm2Ex_64(cublasHandle_t handle, int64_t n, const void* x, cudaDataType xType);
cublasStatus_t CUBLASWINAPI cublasSgelsBatched(cublasHandle_t handle, float* const Aarray[], int* info,
                                               int* devInfoArray, size_t size);
cublasStatus_t CUBLASWINAPI cublasSgemmGroupedBatched(cublasHandle_t handle,
                                                      const cublasOperation_t transa_array[],
                                                      const int64_t m_array[],
                                                      const float alpha_array[],
                                                      const float* const Aarray[],
                                                      int group_count,
                                                      const int group_size[]);
cublasStatus_t CUBLASWINAPI cublasLoggerConfigure(int logIsOn, const char* logFileName);
"""

V2_HEADER = """
#define cublasCreate cublasCreate_v2
#define cublasGetStream cublasGetStream_v2
#define cublasDdot_64 cublasDdot_v2_64
#define cublasSrotg cublasSrotg_v2
"""

EXPECTED_ROWS = [
    "create cublasCreate_v2: handle:>p",
    "get_stream cublasGetStream_v2: handle:h stream_id:>p",
    "get_math_mode cublasGetMathMode: handle:h mode:>i",
    "get_status_name cublasGetStatusName -> str: status:e",
    "get_cudart_version cublasGetCudartVersion -> size_t:",
    "get_vector cublasGetVector: n:i elem_size:i x:p incx:i y:m incy:i",
    "ddot_64 cublasDdot_v2_64: handle:h n:l x:p incx:l y:p incy:l result:s",
    "sgemm_strided_batched cublasSgemmStridedBatched: handle:h transa:e alpha:s a:p stride_a:l batch_count:i",
    "srotg cublasSrotg_v2: handle:h a:s b:s c:s s:s",
    "rotmg_ex cublasRotmgEx: handle:h d1:s d1type:e y1:s",
    "nrm2_ex cublasNrm2Ex: handle:h n:i x:p x_type:e",
    "nrm2ex_64 cublasNrm2Ex_64: handle:h n:l x:p x_type:e",
    "sgels_batched cublasSgelsBatched: handle:h aarray:p info:m dev_info_array:p size:z",
    "sgemm_grouped_batched cublasSgemmGroupedBatched: handle:h transa_array:E m_array:L alpha_array:F aarray:p "
    "group_count:i group_size:I",
    "logger_configure cublasLoggerConfigure: log_is_on:i log_file_name:c",
]


def test_the_generator_reads_a_header():
    gen = _generator()
    enums = gen.parse_enums(HEADER)
    assert enums == {
        "cublasOperation_t": [("CUBLAS_OP_N", 0), ("CUBLAS_OP_T", 1), ("CUBLAS_OP_HERMITAN", 2)],
        "cublasGemmAlgo_t": [("CUBLAS_GEMM_DEFAULT", -1), ("CUBLAS_GEMM_AUTOTUNE", 999)],
    }
    enums.update(cublasMath_t=[], cublasStatus_t=[])  # enums of the real header the snippet uses
    rows, skipped = gen.rows(gen.parse_prototypes(HEADER), gen.parse_aliases(V2_HEADER), enums)
    assert rows == EXPECTED_ROWS
    assert skipped == ["cublasXerbla", "cublasSetLoggerCallback", "cublasHgemm"]
    assert gen.header_version(HEADER) == "13.4.1"
    text = gen.render(rows, skipped, enums, "13.4.1")
    namespace = {}
    exec(compile(text, "table", "exec"), namespace)
    assert list(namespace["FUNCTIONS"]) == rows and namespace["VERSION"] == "13.4.1"
    assert namespace["ENUMS"][1] == "cublasGemmAlgo_t CUBLAS_GEMM_DEFAULT=-1 CUBLAS_GEMM_AUTOTUNE=999"


def test_the_generator_refuses_what_it_does_not_know():
    gen = _generator()
    strange = "cublasStatus_t CUBLASWINAPI cublasFoo(cublasHandle_t handle, someStruct_t value);"
    with pytest.raises(ValueError, match="no kind for the C type 'someStruct_t'"):
        gen.rows(gen.parse_prototypes(strange), {}, {})


def test_the_committed_table_is_what_the_generator_writes():
    gen = _generator()
    include = Path(os.environ["NVMATH_CUBLAS_INCLUDE"]) if "NVMATH_CUBLAS_INCLUDE" in os.environ else None
    include = include or gen.default_include_dir()
    if include is None or not (include / "cublas_api.h").is_file():
        pytest.skip("no cuBLAS headers (pip install nvidia-cublas, or set NVMATH_CUBLAS_INCLUDE)")
    text = gen.generate(include)
    if gen.header_version((include / "cublas_api.h").read_text()) == _cublas_prototypes.VERSION:
        assert text == Path(_cublas_prototypes.__file__).read_text()
        return
    # Headers of another cuBLAS: the functions both know are written the same way.
    namespace = {}
    exec(compile(text, "table", "exec"), namespace)
    theirs = {row.split(" ", 1)[0]: row for row in namespace["FUNCTIONS"]}
    ours = {row.split(" ", 1)[0]: row for row in _cublas_prototypes.FUNCTIONS}
    assert [theirs[name] for name in theirs.keys() & ours.keys()] == [
        ours[name] for name in theirs.keys() & ours.keys()
    ]
    assert len(theirs.keys() & ours.keys()) > 400


# -- on a GPU: results against NumPy ----------------------------------------------------------------


@pytest.fixture(scope="module")
def gpu():
    """(cupy, a cuBLAS handle on cupy's current stream)."""
    cp = pytest.importorskip("cupy")
    handle = cublas.create()
    cublas.set_stream(handle, cp.cuda.get_current_stream().ptr)
    yield cp, handle
    cublas.destroy(handle)


def _assert_close(got, want, rtol):
    assert np.linalg.norm(got - want) <= rtol * np.linalg.norm(want)


@pytest.mark.gpu
def test_handle_getters_return_values(gpu):
    cp, h = gpu
    assert cublas.get_stream(h) == cp.cuda.get_current_stream().ptr
    assert cublas.get_pointer_mode(h) == cublas.PointerMode.HOST
    assert cublas.get_version(h) >= 130000
    cublas.set_math_mode(h, cublas.Math.PEDANTIC_MATH)
    assert cublas.get_math_mode(h) == cublas.Math.PEDANTIC_MATH
    cublas.set_math_mode(h, cublas.Math.DEFAULT_MATH)
    assert cublas.get_atomics_mode(h) in (0, 1)


@pytest.mark.gpu
@pytest.mark.parametrize("name, dtype, rtol", [("sgemm", np.float32, 1e-5), ("dgemm_64", np.float64, 1e-12)])
def test_gemm(gpu, name, dtype, rtol):
    cp, h = gpu
    if name.endswith("_64") and not cublas._lib.has("cublasDgemm_v2_64"):
        pytest.skip("this cuBLAS has no 64-bit-integer API")
    rng = np.random.default_rng(1)
    m, n, k = 7, 5, 3
    a, b, c = (rng.standard_normal(shape).astype(dtype) for shape in ((k, m), (k, n), (m, n)))
    da, db, dc = (cp.asarray(x, order="F") for x in (a, b, c))
    alpha, beta = np.array([1.5], dtype), np.array([0.5], dtype)
    gemm = getattr(cublas, name)
    gemm(h, cublas.Operation.T, cublas.Operation.N, m, n, k, alpha.ctypes.data, da.data.ptr, k, db.data.ptr, k,
         beta.ctypes.data, dc.data.ptr, m)  # fmt: skip
    _assert_close(cp.asnumpy(dc), 1.5 * a.T.astype(np.float64) @ b + 0.5 * c, rtol)


@pytest.mark.gpu
def test_zaxpy(gpu):
    cp, h = gpu
    rng = np.random.default_rng(2)
    x = rng.standard_normal(9) + 1j * rng.standard_normal(9)
    y = rng.standard_normal(9) + 1j * rng.standard_normal(9)
    dx, dy = cp.asarray(x), cp.asarray(y)
    alpha = np.array([2 - 0.5j])
    cublas.zaxpy(h, 9, alpha.ctypes.data, dx.data.ptr, 1, dy.data.ptr, 1)
    _assert_close(cp.asnumpy(dy), alpha[0] * x + y, 1e-14)


@pytest.mark.gpu
def test_ddot_writes_its_result_to_a_host_address(gpu):
    cp, h = gpu
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(100), rng.standard_normal(50)
    dx, dy = cp.asarray(x), cp.asarray(y)
    result = np.zeros(1)
    cublas.ddot(h, 50, dx.data.ptr, 2, dy.data.ptr, 1, result.ctypes.data)  # host pointer mode: synchronous
    assert result[0] == pytest.approx(x[::2] @ y, rel=1e-12)


@pytest.mark.gpu
def test_gemm_ex_single_precision(gpu):
    cp, h = gpu
    rng = np.random.default_rng(4)
    m, n, k = 6, 4, 5
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    da, db = cp.asarray(a, order="F"), cp.asarray(b, order="F")
    dc = cp.zeros((m, n), np.float32, order="F")
    one, zero = np.ones(1, np.float32), np.zeros(1, np.float32)
    r_32f = 0  # cudaDataType CUDA_R_32F
    cublas.gemm_ex(
        handle=h, transa=cublas.Operation.N, transb=cublas.Operation.N, m=m, n=n, k=k, alpha=one.ctypes.data,
        a=da.data.ptr, atype=r_32f, lda=m, b=db.data.ptr, btype=r_32f, ldb=k, beta=zero.ctypes.data,
        c=dc.data.ptr, ctype=r_32f, ldc=m, compute_type=cublas.ComputeType.COMPUTE_32F_PEDANTIC,
        algo=cublas.GemmAlgo.DEFAULT,
    )  # fmt: skip
    _assert_close(cp.asnumpy(dc), a.astype(np.float64) @ b, 1e-5)


@pytest.mark.gpu
def test_sgemm_strided_batched(gpu):
    cp, h = gpu
    rng = np.random.default_rng(5)
    batch, m, n, k = 4, 5, 3, 6
    a = rng.standard_normal((batch, m, k)).astype(np.float32)
    b = rng.standard_normal((batch, k, n)).astype(np.float32)
    # Each matrix column-major: batch item i is a[i].T in C order.
    da = cp.asarray(np.ascontiguousarray(a.transpose(0, 2, 1)))
    db = cp.asarray(np.ascontiguousarray(b.transpose(0, 2, 1)))
    dc = cp.zeros((batch, n, m), np.float32)
    alpha, beta = ctypes.c_float(1.0), ctypes.c_float(0.0)  # ctypes objects are taken by address too
    cublas.sgemm_strided_batched(
        h, 0, 0, m, n, k, alpha, da.data.ptr, m, m * k, db.data.ptr, k, k * n, beta, dc.data.ptr, m, m * n, batch
    )
    got = cp.asnumpy(dc).transpose(0, 2, 1)
    _assert_close(got, a.astype(np.float64) @ b, 1e-5)
