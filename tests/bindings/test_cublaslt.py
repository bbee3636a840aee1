"""nvmath.bindings.cublasLt: enums, attribute tables, errors and argument conversion on any
machine; descriptors, layouts, preferences and their attributes without a GPU where the library
is installed; GEMMs (checked against NumPy on fresh random data) on a GPU."""

import ctypes
import pickle
import struct
import subprocess
import sys

import numpy as np
import pytest

from nvmath.bindings import cublasLt as lt
from nvmath.bindings._loader import LibraryNotFoundError, NvidiaLibrary
from tests.conftest import HAS_GPU
from tests.libraries import needs

A = lt.MatmulDescAttribute
L = lt.MatrixLayoutAttribute
P = lt.MatmulPreferenceAttribute
CAP = lt.MatmulAlgoCapAttribute
CFG = lt.MatmulAlgoConfigAttribute


needs_library = needs("cuBLASLt", lt._lib.cdll, (LibraryNotFoundError,))


# -- enums (values from the CUDA 13 cublas_api.h, cublasLt.h and library_types.h) ------------


def test_status_values():
    assert {s.name: s.value for s in lt.Status} == {
        "SUCCESS": 0,
        "NOT_INITIALIZED": 1,
        "ALLOC_FAILED": 3,
        "INVALID_VALUE": 7,
        "ARCH_MISMATCH": 8,
        "MAPPING_ERROR": 11,
        "EXECUTION_FAILED": 13,
        "INTERNAL_ERROR": 14,
        "NOT_SUPPORTED": 15,
        "LICENSE_ERROR": 16,
    }


def test_compute_type_values():
    assert {c.name: c.value for c in lt.ComputeType} == {
        "COMPUTE_16F": 64,
        "COMPUTE_16F_PEDANTIC": 65,
        "COMPUTE_32F": 68,
        "COMPUTE_32F_PEDANTIC": 69,
        "COMPUTE_32F_FAST_16F": 74,
        "COMPUTE_32F_FAST_16BF": 75,
        "COMPUTE_32F_FAST_TF32": 77,
        "COMPUTE_32F_EMULATED_16BFX9": 78,
        "COMPUTE_64F": 70,
        "COMPUTE_64F_PEDANTIC": 71,
        "COMPUTE_64F_EMULATED_FIXEDPOINT": 79,
        "COMPUTE_32I": 72,
        "COMPUTE_32I_PEDANTIC": 73,
    }


def test_data_type_values():
    assert {d.name: d.value for d in lt.DataType} == {
        "R_16F": 2,
        "C_16F": 6,
        "R_16BF": 14,
        "C_16BF": 15,
        "R_32F": 0,
        "C_32F": 4,
        "R_64F": 1,
        "C_64F": 5,
        "R_4I": 16,
        "C_4I": 17,
        "R_4U": 18,
        "C_4U": 19,
        "R_8I": 3,
        "C_8I": 7,
        "R_8U": 8,
        "C_8U": 9,
        "R_16I": 20,
        "C_16I": 21,
        "R_16U": 22,
        "C_16U": 23,
        "R_32I": 10,
        "C_32I": 11,
        "R_32U": 12,
        "C_32U": 13,
        "R_64I": 24,
        "C_64I": 25,
        "R_64U": 26,
        "C_64U": 27,
        "R_8F_E4M3": 28,
        "R_8F_E5M2": 29,
        "R_8F_UE8M0": 30,
        "R_6F_E2M3": 31,
        "R_6F_E3M2": 32,
        "R_4F_E2M1": 33,
        "R_8F_UE5M3": 34,
    }
    assert lt.DataType.R_8F_UE4M3 is lt.DataType.R_8F_E4M3  # an alias in the header


def test_small_enum_values():
    assert {o.name: o.value for o in lt.Operation} == {"N": 0, "T": 1, "C": 2, "CONJG": 3}
    assert lt.Operation.HERMITAN is lt.Operation.C
    assert {o.name: o.value for o in lt.Order} == {"COL": 0, "ROW": 1, "COL32": 2, "COL4_4R2_8C": 3, "COL32_2R_4R4": 4}
    assert {p.name: p.value for p in lt.PointerMode} == {
        "HOST": 0,
        "DEVICE": 1,
        "DEVICE_VECTOR": 2,
        "ALPHA_DEVICE_VECTOR_BETA_ZERO": 3,
        "ALPHA_DEVICE_VECTOR_BETA_HOST": 4,
    }
    assert [m.value for m in lt.PointerModeMask] == [1, 2, 4, 8, 16]
    assert {r.name: r.value for r in lt.ReductionScheme} == {
        "NONE": 0,
        "INPLACE": 1,
        "COMPUTE_TYPE": 2,
        "OUTPUT_TYPE": 4,
        "MASK": 7,
    }
    assert {f.name: f.value for f in lt.FillMode} == {"LOWER": 0, "UPPER": 1, "FULL": 2}
    assert {b.name: b.value for b in lt.BatchMode} == {"STRIDED": 0, "POINTER_ARRAY": 1, "GROUPED": 2}
    assert {s.name: s.value for s in lt.MatmulSearch} == {"BEST_FIT": 0, "LIMITED_BY_ALGO_ID": 1}
    assert [s.value for s in lt.MatmulInnerShape] == [0, 1, 2, 3, 4]
    assert {s.name: s.value for s in lt.MatmulMatrixScale} == {
        "SCALAR_32F": 0,
        "VEC16_UE4M3": 1,
        "VEC32_UE8M0": 2,
        "OUTER_VEC_32F": 3,
        "VEC128_32F": 4,
        "BLK128x128_32F": 5,
        "PER_BATCH_SCALAR_32F": 6,
        "VEC128_MN_K4_UE8M0": 12,
        "VEC32_MN_K4_UE8M0": 13,
    }
    assert list(lt.LibraryProperty) == [0, 1, 2]


def test_epilogue_values():
    assert {e.name: e.value for e in lt.Epilogue} == {
        "DEFAULT": 1,
        "RELU": 2,
        "RELU_AUX": 130,
        "BIAS": 4,
        "RELU_BIAS": 6,
        "RELU_AUX_BIAS": 134,
        "DRELU": 136,
        "DRELU_BGRAD": 152,
        "GELU": 32,
        "GELU_AUX": 160,
        "GELU_BIAS": 36,
        "GELU_AUX_BIAS": 164,
        "DGELU": 192,
        "DGELU_BGRAD": 208,
        "BGRADA": 256,
        "BGRADB": 512,
    }
    E = lt.Epilogue
    assert E.RELU_AUX_BIAS == E.RELU_AUX | E.BIAS and E.DGELU_BGRAD == E.DGELU | 16


# C types as the CUDA 13 header's comments give them ("i32": int32_t, "u64": uint64_t,
# "ptr": a pointer, "f32": float). The three GROUPED_* preferences say uint32_t in the header,
# but cuBLASLt 13.10 stores 8 bytes (checked below with the library).
DESC_TYPES = {
    "COMPUTE_TYPE": ("i32", 0),
    "SCALE_TYPE": ("i32", 1),
    "POINTER_MODE": ("i32", 2),
    "TRANSA": ("i32", 3),
    "TRANSB": ("i32", 4),
    "TRANSC": ("i32", 5),
    "FILL_MODE": ("i32", 6),
    "EPILOGUE": ("u32", 7),
    "BIAS_POINTER": ("ptr", 8),
    "BIAS_BATCH_STRIDE": ("i64", 10),
    "EPILOGUE_AUX_POINTER": ("ptr", 11),
    "EPILOGUE_AUX_LD": ("i64", 12),
    "EPILOGUE_AUX_BATCH_STRIDE": ("i64", 13),
    "ALPHA_VECTOR_BATCH_STRIDE": ("i64", 14),
    "SM_COUNT_TARGET": ("i32", 15),
    "A_SCALE_POINTER": ("ptr", 17),
    "B_SCALE_POINTER": ("ptr", 18),
    "C_SCALE_POINTER": ("ptr", 19),
    "D_SCALE_POINTER": ("ptr", 20),
    "AMAX_D_POINTER": ("ptr", 21),
    "EPILOGUE_AUX_DATA_TYPE": ("i32", 22),
    "EPILOGUE_AUX_SCALE_POINTER": ("ptr", 23),
    "EPILOGUE_AUX_AMAX_POINTER": ("ptr", 24),
    "FAST_ACCUM": ("i8", 25),
    "BIAS_DATA_TYPE": ("i32", 26),
    "A_SCALE_MODE": ("i32", 31),
    "B_SCALE_MODE": ("i32", 32),
    "C_SCALE_MODE": ("i32", 33),
    "D_SCALE_MODE": ("i32", 34),
    "EPILOGUE_AUX_SCALE_MODE": ("i32", 35),
    "D_OUT_SCALE_POINTER": ("ptr", 36),
    "D_OUT_SCALE_MODE": ("i32", 37),
    "EMULATION_DESCRIPTOR": ("ptr", 38),
    "ALPHA_BATCH_STRIDE": ("i64", 39),
    "BETA_BATCH_STRIDE": ("i64", 40),
    "BATCH_INVARIANCE_FLAGS": ("i32", 41),
}
LAYOUT_TYPES = {
    "TYPE": ("u32", 0),
    "ORDER": ("i32", 1),
    "ROWS": ("u64", 2),
    "COLS": ("u64", 3),
    "LD": ("i64", 4),
    "BATCH_COUNT": ("i32", 5),
    "STRIDED_BATCH_OFFSET": ("i64", 6),
    "PLANE_OFFSET": ("i64", 7),
    "BATCH_MODE": ("u32", 8),
    "GROUPED_ROWS_ARRAY": ("ptr", 9),
    "GROUPED_COLS_ARRAY": ("ptr", 10),
    "GROUPED_LD_ARRAY": ("ptr", 11),
    "GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH": ("i32", 12),
    "GROUPED_LD_ARRAY_INTEGER_WIDTH": ("i32", 13),
}
PREFERENCE_TYPES = {
    "SEARCH_MODE": ("u32", 0),
    "MAX_WORKSPACE_BYTES": ("u64", 1),
    "REDUCTION_SCHEME_MASK": ("u32", 3),
    "MIN_ALIGNMENT_A_BYTES": ("u32", 5),
    "MIN_ALIGNMENT_B_BYTES": ("u32", 6),
    "MIN_ALIGNMENT_C_BYTES": ("u32", 7),
    "MIN_ALIGNMENT_D_BYTES": ("u32", 8),
    "MAX_WAVES_COUNT": ("f32", 9),
    "IMPL_MASK": ("u64", 12),
    "GROUPED_AVERAGE_REDUCTION_DIM": ("u64", 13),
    "GROUPED_DESC_D_AVERAGE_ROWS": ("u64", 14),
    "GROUPED_DESC_D_AVERAGE_COLS": ("u64", 15),
}
CAP_TYPES = {
    "SPLITK_SUPPORT": ("i32", 0),
    "REDUCTION_SCHEME_MASK": ("u32", 1),
    "CTA_SWIZZLING_SUPPORT": ("u32", 2),
    "STRIDED_BATCH_SUPPORT": ("i32", 3),
    "OUT_OF_PLACE_RESULT_SUPPORT": ("i32", 4),
    "UPLO_SUPPORT": ("i32", 5),
    "TILE_IDS": ("u32", 6),
    "CUSTOM_OPTION_MAX": ("i32", 7),
    "CUSTOM_MEMORY_ORDER": ("i32", 10),
    "POINTER_MODE_MASK": ("u32", 11),
    "EPILOGUE_MASK": ("u32", 12),
    "STAGES_IDS": ("u32", 13),
    "LD_NEGATIVE": ("i32", 14),
    "NUMERICAL_IMPL_FLAGS": ("u64", 15),
    "MIN_ALIGNMENT_A_BYTES": ("u32", 16),
    "MIN_ALIGNMENT_B_BYTES": ("u32", 17),
    "MIN_ALIGNMENT_C_BYTES": ("u32", 18),
    "MIN_ALIGNMENT_D_BYTES": ("u32", 19),
    "POINTER_ARRAY_BATCH_SUPPORT": ("i32", 21),
    "FLOATING_POINT_EMULATION_SUPPORT": ("i32", 22),
    "POINTER_ARRAY_GROUPED_SUPPORT": ("i32", 23),
}
CONFIG_TYPES = {
    "ID": ("i32", 0),
    "TILE_ID": ("u32", 1),
    "SPLITK_NUM": ("i32", 2),
    "REDUCTION_SCHEME": ("u32", 3),
    "CTA_SWIZZLING": ("u32", 4),
    "CUSTOM_OPTION": ("u32", 5),
    "STAGES_ID": ("u32", 6),
    "INNER_SHAPE_ID": ("u16", 7),
    "CLUSTER_SHAPE_ID": ("u16", 8),
}

FAMILIES = [
    (lt.MatmulDescAttribute, lt.MATMUL_DESC_ATTRIBUTE_TYPES, DESC_TYPES),
    (lt.MatrixLayoutAttribute, lt.MATRIX_LAYOUT_ATTRIBUTE_TYPES, LAYOUT_TYPES),
    (lt.MatmulPreferenceAttribute, lt.MATMUL_PREFERENCE_ATTRIBUTE_TYPES, PREFERENCE_TYPES),
    (lt.MatmulAlgoCapAttribute, lt.MATMUL_ALGO_CAP_ATTRIBUTE_TYPES, CAP_TYPES),
    (lt.MatmulAlgoConfigAttribute, lt.MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES, CONFIG_TYPES),
]


def _type_code(ctype):
    if ctype is ctypes.c_void_p:
        return "ptr"
    if ctype is ctypes.c_float:
        return "f32"
    signed = ctype(-1).value == -1
    return f"{'i' if signed else 'u'}{8 * ctypes.sizeof(ctype)}"


@pytest.mark.parametrize("enum_cls, table, expected", FAMILIES, ids=[f[0].__name__ for f in FAMILIES])
def test_attribute_enums_and_type_tables(enum_cls, table, expected):
    # Enum values as in the header, and a C type for every attribute bound, nothing else.
    assert {a.name: a.value for a in enum_cls} == {name: v for name, (_, v) in expected.items()}
    assert set(table) == set(enum_cls)
    assert {a.name: _type_code(t) for a, t in table.items()} == {name: code for name, (code, _) in expected.items()}


def test_cap_array_attributes():
    assert lt.MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES == {CAP.TILE_IDS, CAP.STAGES_IDS}


def test_structure_sizes_and_offsets():
    # cublasLtMatmulAlgo_t is uint64_t data[8]; the heuristic result is
    # {algo; size_t workspaceSize; cublasStatus_t state; float wavesCount; int reserved[4]}.
    assert ctypes.sizeof(lt.MatmulAlgo) == 64
    R = lt.MatmulHeuristicResult
    assert ctypes.sizeof(R) == 96
    assert (R.algo.offset, R.workspaceSize.offset, R.state.offset, R.wavesCount.offset, R.reserved.offset) == (
        0,
        64,
        72,
        76,
        80,
    )


def test_heuristic_result_fields_and_algo_serialization():
    result = lt.MatmulHeuristicResult()
    result.workspaceSize, result.state, result.wavesCount = 1 << 33, 15, 0.5
    result.algo.data[3] = 0xDEADBEEF
    assert (result.workspace_size, result.waves_count) == (1 << 33, 0.5)
    assert "NOT_SUPPORTED" in repr(result) and "8589934592" in repr(result)
    data = bytes(result.algo)
    assert len(data) == 64 and struct.unpack_from("<Q", data, 24)[0] == 0xDEADBEEF
    copy = lt.MatmulAlgo.from_buffer_copy(data)
    assert bytes(copy) == data and copy.data[3] == 0xDEADBEEF


# -- import, errors, argument conversion -------------------------------------------------------


def test_import_loads_no_library_and_no_heavy_package():
    code = (
        "import sys, nvmath.bindings.cublasLt as c\n"
        "heavy = [m for m in ('numba', 'cupy', 'torch', 'cuda.pathfinder') if m in sys.modules]\n"
        "maps = open('/proc/self/maps').read() if sys.platform.startswith('linux') else ''\n"
        "print(','.join(heavy), c._lib.loaded, 'libcublasLt' in maps)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"], out.stdout


def test_error_message_status_and_function():
    err = lt.cuBLASLtError("cublasLtMatmul", 15)
    assert str(err) == "cublasLtMatmul failed: CUBLAS_STATUS_NOT_SUPPORTED (15)"
    assert err.status is lt.Status.NOT_SUPPORTED and err.function == "cublasLtMatmul"


def test_error_with_a_status_this_binding_does_not_know():
    err = lt.cuBLASLtError("cublasLtMatmul", 42)
    assert err.status == 42 and not isinstance(err.status, lt.Status)
    assert str(err) == "cublasLtMatmul failed: unknown cublasStatus_t (42)"


def test_error_message_without_the_library(monkeypatch):
    # Not loaded: the name comes from the enum, and nothing is loaded to format it.
    bogus = NvidiaLibrary("nvmath-test-no-cublaslt", display_name="cuBLASLt", package="nvidia-cublas")
    monkeypatch.setattr(lt, "_lib", bogus)
    err = lt.cuBLASLtError("cublasLtMatrixLayoutCreate", 3)
    assert str(err) == "cublasLtMatrixLayoutCreate failed: CUBLAS_STATUS_ALLOC_FAILED (3)"
    assert not bogus.loaded


def test_error_pickles():
    err = pickle.loads(pickle.dumps(lt.cuBLASLtError("cublasLtMatmulAlgoGetHeuristic", 7)))
    assert (err.function, err.status, str(err)) == (
        "cublasLtMatmulAlgoGetHeuristic",
        lt.Status.INVALID_VALUE,
        "cublasLtMatmulAlgoGetHeuristic failed: CUBLAS_STATUS_INVALID_VALUE (7)",
    )


def test_check_raises_except_for_functions_that_return_no_status():
    assert lt._check("cublasLtCreate", 0) == 0
    with pytest.raises(lt.cuBLASLtError, match=r"^cublasLtCreate failed: CUBLAS_STATUS_NOT_INITIALIZED \(1\)$"):
        lt._check("cublasLtCreate", 1)
    # size_t and const char* results are returned as they are.
    assert lt._check("cublasLtGetVersion", 131000) == 131000
    assert lt._check("cublasLtGetStatusName", b"CUBLAS_STATUS_SUCCESS") == b"CUBLAS_STATUS_SUCCESS"


def test_version_formatting():
    assert lt._format_version(131000) == "13.10.0"
    assert lt._format_version(130002) == "13.0.2"
    assert lt._format_version(120903) == "12.9.3"


def test_calls_name_the_package_when_the_library_is_missing(monkeypatch):
    bogus = NvidiaLibrary(
        "nvmath-test-no-cublaslt", display_name="cuBLASLt", package="nvidia-cublas", extra="cu13", check=lt._check
    )
    monkeypatch.setattr(lt, "_lib", bogus)
    with pytest.raises(LibraryNotFoundError, match=r"cuBLASLt .*pip install nvidia-cublas.*nvmath-fusion\[cu13\]"):
        lt.cublasLtGetVersion()
    with pytest.raises(LibraryNotFoundError):
        lt.cublasLtMatmulDescCreate(lt.ComputeType.COMPUTE_32F, lt.DataType.R_32F)


def test_the_real_loader_names_the_cublas_package():
    assert (lt._lib.name, lt._lib.package, lt._lib.extra) == ("cublasLt", "nvidia-cublas", "cu13")


def test_pointer_conversion():
    assert lt._pointer(None, "x") is None
    assert lt._pointer(0x7F00_0000_1000, "x") == 0x7F00_0000_1000
    assert lt._pointer(np.uint64(2**63 + 16), "x") == 2**63 + 16
    for bad in (b"abc", 1.0, np.array(5), True):
        with pytest.raises(TypeError, match=r"A=.* is not supported; accepted: an int \(a handle"):
            lt._pointer(bad, "A")


def test_scalar_pointer_conversion():
    one = ctypes.c_float(1.0)
    assert lt._scalar_pointer(one, "alpha") == ctypes.addressof(one)
    host = np.ones(1, np.float32)
    assert lt._scalar_pointer(host.ctypes.data, "alpha") == host.ctypes.data
    assert lt._scalar_pointer(None, "beta") is None
    # A value is not an address: refused with a hint.
    with pytest.raises(
        TypeError, match=r"alpha=.* is not supported; accepted: the address of the scalar.*ctypes.c_float"
    ):
        lt._scalar_pointer(1.0, "alpha")
    with pytest.raises(TypeError, match=r"beta=.* is not supported; accepted: the address of the scalar"):
        lt._scalar_pointer(np.float32(0), "beta")


def test_algo_conversion():
    algo = lt.MatmulAlgo()
    ref = lt._algo(algo, "algo", nullable=True)
    assert ctypes.cast(ref, ctypes.c_void_p).value == ctypes.addressof(algo)
    assert lt._algo(None, "algo", nullable=True) is None
    with pytest.raises(TypeError, match=r"algo=None is not supported; accepted: a MatmulAlgo$"):
        lt._algo(None, "algo", nullable=False)
    with pytest.raises(TypeError, match=r"use result.algo"):
        lt._algo(lt.MatmulHeuristicResult(), "algo", nullable=True)


def test_buffer_conversion():
    arg, size = lt._buffer(b"\x01\0\0\0", None, "buf", writable=False)
    assert (arg, size) == (b"\x01\0\0\0", 4)
    value = ctypes.c_int64(7)
    assert lt._buffer(value, None, "buf", writable=True) == (ctypes.addressof(value), 8)
    target = bytearray(8)
    arg, size = lt._buffer(target, None, "buf", writable=True)
    assert size == 8
    ctypes.memmove(arg, b"\xff" * 8, 8)  # writes reach the caller's buffer
    assert target == b"\xff" * 8
    array = np.zeros(3, np.int32)
    assert lt._buffer(array, 4, "buf", writable=True)[1] == 4
    assert lt._buffer(None, 0, "buf", writable=True) == (None, 0)
    assert lt._buffer(0x1000, 8, "buf", writable=True) == (0x1000, 8)
    with pytest.raises(TypeError, match="sizeInBytes is required"):
        lt._buffer(0x1000, None, "buf", writable=True)
    with pytest.raises(ValueError, match=r"sizeInBytes=16 is larger than buf \(8 bytes\)"):
        lt._buffer(bytearray(8), 16, "buf", writable=True)
    with pytest.raises(
        TypeError, match=r"buf=.* is not supported; accepted: a writable buffer \(this one is read-only\)"
    ):
        lt._buffer(b"1234", None, "buf", writable=True)
    with pytest.raises(ValueError, match="C-contiguous"):
        lt._buffer(np.zeros((4, 4), np.int32)[:, 0], None, "buf", writable=True)
    with pytest.raises(TypeError, match=r"buf=.* is not supported; accepted: a buffer"):
        lt._buffer(3.5, None, "buf", writable=False)


def test_typed_values_are_range_checked_before_any_call(monkeypatch):
    # A library that cannot load: every failure below must come before a C call.
    monkeypatch.setattr(
        lt, "_lib", NvidiaLibrary("nvmath-test-no-cublaslt", display_name="cuBLASLt", package="nvidia-cublas")
    )
    with pytest.raises(OverflowError, match=r"TRANSA is a int32_t: 2147483648 is out of range"):
        lt.matmul_desc_set(1, A.TRANSA, 2**31)
    with pytest.raises(OverflowError, match=r"ROWS is a uint64_t: -1"):
        lt.matrix_layout_set(1, L.ROWS, -1)
    with pytest.raises(OverflowError, match="EPILOGUE is a uint32_t"):
        lt.matmul_desc_set(1, A.EPILOGUE, 2**32)
    with pytest.raises(OverflowError, match="FAST_ACCUM is a int8_t"):
        lt.matmul_desc_set(1, A.FAST_ACCUM, 128)
    with pytest.raises(OverflowError, match="INNER_SHAPE_ID is a uint16_t"):
        lt.matmul_algo_config_set(lt.MatmulAlgo(), CFG.INNER_SHAPE_ID, 65536)
    with pytest.raises(TypeError, match=r"LD=4.0 is not supported; accepted: an int \(the attribute is an integer\)"):
        lt.matrix_layout_set(1, L.LD, 4.0)
    with pytest.raises(TypeError, match=r"MAX_WAVES_COUNT=.* is not supported; accepted: a real number"):
        lt.matmul_preference_set(1, P.MAX_WAVES_COUNT, "1")
    with pytest.raises(TypeError, match=r"BIAS_POINTER=.* is not supported; accepted: an int \(a handle"):
        lt.matmul_desc_set(1, A.BIAS_POINTER, b"not an address")
    with pytest.raises(ValueError, match="99 is not a MatmulDescAttribute"):
        lt.matmul_desc_set(1, 99, 0)
    with pytest.raises(ValueError, match="is not a MatrixLayoutAttribute"):
        lt.matrix_layout_get(1, 9999)
    # In range: the call is reached, and the library is missing.
    with pytest.raises(LibraryNotFoundError):
        lt.matrix_layout_set(1, L.ROWS, 2**64 - 1)


# -- with the library, no GPU needed ---------------------------------------------------------


@needs_library
def test_version_and_properties_agree():
    version = lt.cublasLtGetVersion()
    major, minor, patch = (lt.cublasLtGetProperty(p) for p in lt.LibraryProperty)
    assert version == major * 10000 + minor * 100 + patch
    assert major >= 13
    assert lt._lib.version_text() == f"{major}.{minor}.{patch}"
    assert lt.cublasLtGetCudartVersion() >= 13000
    assert lt._lib.path and "cublasLt" in lt._lib.path


@needs_library
def test_status_names_and_strings_from_the_library():
    for status in lt.Status:
        assert lt.cublasLtGetStatusName(status) == f"CUBLAS_STATUS_{status.name}"
        assert lt.cublasLtGetStatusString(status)
    assert lt.cublasLtGetStatusString(lt.Status.NOT_SUPPORTED) != lt.cublasLtGetStatusString(lt.Status.SUCCESS)
    # Unknown values: the library's "unrecognized status" is not used as a name.
    assert not lt.cublasLtGetStatusName(42).startswith("CUBLAS_STATUS_")
    assert str(lt.cuBLASLtError("f", 42)) == "f failed: unknown cublasStatus_t (42)"


@needs_library
@pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
def test_create_without_a_gpu_raises_not_initialized():
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.cublasLtDestroy(lt.cublasLtCreate())
    assert (info.value.function, info.value.status) == ("cublasLtCreate", lt.Status.NOT_INITIALIZED)


@pytest.fixture
def owned():
    """Descriptors, layouts and preferences to destroy after the test: (destroy, handle)."""
    objects = []
    yield objects
    for destroy, handle in reversed(objects):
        destroy(handle)


def _desc(owned, compute=lt.ComputeType.COMPUTE_32F, scale=lt.DataType.R_32F, **attrs):
    desc = lt.cublasLtMatmulDescCreate(compute, scale)
    owned.append((lt.cublasLtMatmulDescDestroy, desc))
    for name, value in attrs.items():
        lt.matmul_desc_set(desc, A[name], value)
    return desc


def _layout(owned, dtype, rows, cols, ld, **attrs):
    layout = lt.cublasLtMatrixLayoutCreate(dtype, rows, cols, ld)
    owned.append((lt.cublasLtMatrixLayoutDestroy, layout))
    for name, value in attrs.items():
        lt.matrix_layout_set(layout, L[name], value)
    return layout


def _preference(owned, **attrs):
    pref = lt.cublasLtMatmulPreferenceCreate()
    owned.append((lt.cublasLtMatmulPreferenceDestroy, pref))
    for name, value in attrs.items():
        lt.matmul_preference_set(pref, P[name], value)
    return pref


@needs_library
def test_descriptor_layout_and_preference_defaults_without_a_gpu(owned):
    desc = _desc(owned, lt.ComputeType.COMPUTE_32F_FAST_TF32, lt.DataType.R_32F)
    assert isinstance(desc, int) and desc != 0
    assert lt.matmul_desc_get(desc, A.COMPUTE_TYPE) is lt.ComputeType.COMPUTE_32F_FAST_TF32
    assert lt.matmul_desc_get(desc, A.SCALE_TYPE) is lt.DataType.R_32F
    assert lt.matmul_desc_get(desc, A.TRANSA) is lt.Operation.N
    assert lt.matmul_desc_get(desc, A.EPILOGUE) is lt.Epilogue.DEFAULT
    assert lt.matmul_desc_get(desc, A.POINTER_MODE) is lt.PointerMode.HOST
    assert lt.matmul_desc_get(desc, A.FILL_MODE) is lt.FillMode.FULL
    assert lt.matmul_desc_get(desc, A.BIAS_POINTER) == 0
    assert lt.matmul_desc_get(desc, A.BIAS_DATA_TYPE) == -1  # unset: not a DataType
    layout = _layout(owned, lt.DataType.R_16BF, 3, 5, 7)
    assert lt.matrix_layout_get(layout, L.TYPE) is lt.DataType.R_16BF
    assert lt.matrix_layout_get(layout, L.ORDER) is lt.Order.COL
    assert [lt.matrix_layout_get(layout, a) for a in (L.ROWS, L.COLS, L.LD, L.BATCH_COUNT)] == [3, 5, 7, 1]
    pref = _preference(owned)
    assert lt.matmul_preference_get(pref, P.MAX_WORKSPACE_BYTES) == 0
    assert lt.matmul_preference_get(pref, P.IMPL_MASK) == 2**64 - 1
    assert lt.matmul_preference_get(pref, P.REDUCTION_SCHEME_MASK) == lt.ReductionScheme.MASK
    assert lt.matmul_preference_get(pref, P.MIN_ALIGNMENT_A_BYTES) == 256


@needs_library
def test_layout_create_takes_64_bit_rows_cols_and_ld(owned):
    rows, cols, ld = 2**33 + 1, 2**32 + 3, 2**40
    layout = _layout(owned, lt.DataType.R_32F, rows, cols, ld)
    assert (
        lt.matrix_layout_get(layout, L.ROWS),
        lt.matrix_layout_get(layout, L.COLS),
        lt.matrix_layout_get(layout, L.LD),
    ) == (rows, cols, ld)


# Attributes of the CUDA 12 headers, which every cuBLASLt 13 has; later ones may be missing
# from an older cuBLASLt 13 (CUBLAS_STATUS_INVALID_VALUE).
_CORE = {
    lt.MatmulDescAttribute: 26,
    lt.MatrixLayoutAttribute: 7,
    lt.MatmulPreferenceAttribute: 12,
    lt.MatmulAlgoConfigAttribute: 8,
    lt.MatmulAlgoCapAttribute: 19,
}


def _sizes_from_library(getter, obj, enum_cls, table):
    """``{attr: (bytes cuBLASLt stores, bytes of the table's type)}``; skips later attributes
    an older library lacks."""
    sizes = {}
    for attr, ctype in table.items():
        try:
            needed = getter(obj, attr, None, 0)
        except lt.cuBLASLtError as exc:
            if attr > _CORE[enum_cls] and exc.status == lt.Status.INVALID_VALUE:
                continue
            raise
        sizes[attr] = (needed, ctypes.sizeof(ctype))
    return sizes


@needs_library
def test_attribute_sizes_match_what_cublaslt_stores(owned):
    # With sizeInBytes=0, cuBLASLt reports each attribute's size: the tables must agree.
    cases = [
        (lt.cublasLtMatmulDescGetAttribute, _desc(owned), lt.MatmulDescAttribute, lt.MATMUL_DESC_ATTRIBUTE_TYPES),
        (
            lt.cublasLtMatrixLayoutGetAttribute,
            _layout(owned, lt.DataType.R_32F, 4, 4, 4),
            lt.MatrixLayoutAttribute,
            lt.MATRIX_LAYOUT_ATTRIBUTE_TYPES,
        ),
        (
            lt.cublasLtMatmulPreferenceGetAttribute,
            _preference(owned),
            lt.MatmulPreferenceAttribute,
            lt.MATMUL_PREFERENCE_ATTRIBUTE_TYPES,
        ),
        # Configuration attributes can be read from a zeroed algo, without a GPU.
        (
            lt.cublasLtMatmulAlgoConfigGetAttribute,
            lt.MatmulAlgo(),
            lt.MatmulAlgoConfigAttribute,
            lt.MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES,
        ),
    ]
    for getter, obj, enum_cls, table in cases:
        sizes = _sizes_from_library(getter, obj, enum_cls, table)
        assert {a for a in table if a <= _CORE[enum_cls]} <= set(sizes)
        mismatched = {a.name: s for a, s in sizes.items() if s[0] != s[1]}
        assert not mismatched, f"{enum_cls.__name__}: (stored, bound) sizes differ: {mismatched}"


def _extremes(ctype):
    if ctype is ctypes.c_void_p:
        return [0xFFFF_FFFF_FFFF_F000, 0]
    if ctype is ctypes.c_float:
        return [2.5, -0.125]
    bits = 8 * ctypes.sizeof(ctype)
    if ctype(-1).value == -1:
        return [(1 << (bits - 1)) - 1, -(1 << (bits - 1))]
    return [(1 << bits) - 1, 0]


@needs_library
def test_typed_round_trips_of_every_attribute(owned):
    # cuBLASLt checks only the size when setting: the extremes of each C type round-trip.
    cases = [
        (lt.matmul_desc_set, lt.matmul_desc_get, _desc(owned), lt.MATMUL_DESC_ATTRIBUTE_TYPES),
        (
            lt.matrix_layout_set,
            lt.matrix_layout_get,
            _layout(owned, lt.DataType.R_32F, 4, 4, 4),
            lt.MATRIX_LAYOUT_ATTRIBUTE_TYPES,
        ),
        (lt.matmul_preference_set, lt.matmul_preference_get, _preference(owned), lt.MATMUL_PREFERENCE_ATTRIBUTE_TYPES),
    ]
    checked = 0
    for setter, getter, obj, table in cases:
        enum_cls = type(next(iter(table)))
        for attr, ctype in table.items():
            for value in _extremes(ctype):
                try:
                    setter(obj, attr, value)
                except lt.cuBLASLtError as exc:  # an attribute a older cuBLASLt 13 lacks
                    assert attr > _CORE[enum_cls] and exc.status == lt.Status.INVALID_VALUE
                    break
                assert getter(obj, attr) == value, (attr, value)
                checked += 1
    assert checked >= 2 * (25 + 8 + 9)  # at least the CUDA 12 attributes


@needs_library
def test_typed_setters_reach_the_c_structures(owned):
    desc = _desc(
        owned,
        TRANSA=lt.Operation.T,
        EPILOGUE=lt.Epilogue.RELU_BIAS,
        BIAS_POINTER=0x7F00_0000_0100,
        EPILOGUE_AUX_LD=2**40,
    )
    # Read back through the 1:1 functions, with plain buffers.
    trans = np.zeros(1, np.int32)
    assert lt.cublasLtMatmulDescGetAttribute(desc, A.TRANSA, trans) == 4 and trans[0] == 1
    bias = bytearray(8)
    assert lt.cublasLtMatmulDescGetAttribute(desc, A.BIAS_POINTER, bias) == 8
    assert struct.unpack("<Q", bias)[0] == 0x7F00_0000_0100
    aux_ld = ctypes.c_int64()
    lt.cublasLtMatmulDescGetAttribute(desc, A.EPILOGUE_AUX_LD, aux_ld)
    assert aux_ld.value == 2**40
    assert lt.matmul_desc_get(desc, A.EPILOGUE) is lt.Epilogue.RELU_BIAS


@needs_library
def test_one_to_one_set_and_get_with_buffers(owned):
    layout = _layout(owned, lt.DataType.R_32F, 8, 8, 8)
    lt.cublasLtMatrixLayoutSetAttribute(layout, L.ORDER, struct.pack("<i", lt.Order.ROW))
    lt.cublasLtMatrixLayoutSetAttribute(layout, L.STRIDED_BATCH_OFFSET, np.array([2**35], np.int64))
    assert lt.matrix_layout_get(layout, L.ORDER) is lt.Order.ROW
    assert lt.matrix_layout_get(layout, L.STRIDED_BATCH_OFFSET) == 2**35
    # An address and an explicit size.
    value = ctypes.c_int32(6)
    lt.cublasLtMatrixLayoutSetAttribute(layout, L.BATCH_COUNT, ctypes.addressof(value), 4)
    out = ctypes.c_int32()
    assert lt.cublasLtMatrixLayoutGetAttribute(layout, L.BATCH_COUNT, ctypes.addressof(out), 4) == 4
    assert out.value == 6
    pref = _preference(owned)
    lt.cublasLtMatmulPreferenceSetAttribute(pref, P.MAX_WORKSPACE_BYTES, ctypes.c_uint64(1 << 33))
    assert lt.matmul_preference_get(pref, P.MAX_WORKSPACE_BYTES) == 1 << 33
    assert lt.cublasLtMatmulPreferenceGetAttribute(pref, P.MAX_WAVES_COUNT, None, 0) == 4


@needs_library
def test_wrong_attribute_size_is_an_invalid_value_error(owned):
    desc = _desc(owned)
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.cublasLtMatmulDescSetAttribute(desc, A.TRANSA, ctypes.c_int64(1))  # int32_t attribute
    assert (info.value.function, info.value.status) == ("cublasLtMatmulDescSetAttribute", lt.Status.INVALID_VALUE)
    assert str(info.value) == "cublasLtMatmulDescSetAttribute failed: CUBLAS_STATUS_INVALID_VALUE (7)"
    with pytest.raises(lt.cuBLASLtError, match="cublasLtMatmulDescGetAttribute failed"):
        lt.cublasLtMatmulDescGetAttribute(desc, A.TRANSA, ctypes.c_int8())


@needs_library
def test_algo_config_without_a_gpu():
    algo = lt.MatmulAlgo()
    lt.matmul_algo_config_set(algo, CFG.SPLITK_NUM, 4)
    lt.matmul_algo_config_set(algo, CFG.CLUSTER_SHAPE_ID, 65535)
    assert lt.matmul_algo_config_get(algo, CFG.SPLITK_NUM) == 4
    assert lt.matmul_algo_config_get(algo, CFG.CLUSTER_SHAPE_ID) == 65535
    assert bytes(algo) != bytes(64)  # the structure itself changed
    restored = lt.MatmulAlgo.from_buffer_copy(bytes(algo))
    assert lt.matmul_algo_config_get(restored, CFG.SPLITK_NUM) == 4
    # The id is read-only (set by cublasLtMatmulAlgoInit).
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.matmul_algo_config_set(algo, CFG.ID, 1)
    assert info.value.status == lt.Status.INVALID_VALUE
    # Capabilities need an algo initialized by cuBLASLt.
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.matmul_algo_cap_get(lt.MatmulAlgo(), CAP.SPLITK_SUPPORT)
    assert info.value.function == "cublasLtMatmulAlgoCapGetAttribute"


@needs_library
def test_calls_with_a_null_handle_raise_not_initialized(owned):
    desc = _desc(owned)
    layout = _layout(owned, lt.DataType.R_32F, 4, 4, 4)
    pref = _preference(owned)
    one, zero = ctypes.c_float(1), ctypes.c_float(0)
    calls = {
        "cublasLtMatmulAlgoGetHeuristic": lambda: lt.cublasLtMatmulAlgoGetHeuristic(
            0, desc, layout, layout, layout, layout, pref, 4
        ),
        "cublasLtMatmul": lambda: lt.cublasLtMatmul(
            None, desc, one, 0, layout, 0, layout, zero, 0, layout, 0, layout, None, 0, 0, 0
        ),
        "cublasLtMatmulAlgoCheck": lambda: lt.cublasLtMatmulAlgoCheck(
            0, desc, layout, layout, layout, layout, lt.MatmulAlgo()
        ),
        "cublasLtMatmulAlgoGetIds": lambda: lt.cublasLtMatmulAlgoGetIds(
            0, lt.ComputeType.COMPUTE_32F, *[lt.DataType.R_32F] * 5, 8
        ),
        "cublasLtMatmulAlgoInit": lambda: lt.cublasLtMatmulAlgoInit(
            0, lt.ComputeType.COMPUTE_32F, *[lt.DataType.R_32F] * 5, 0
        ),
    }
    for name, call in calls.items():
        with pytest.raises(lt.cuBLASLtError) as info:
            call()
        assert (info.value.function, info.value.status) == (name, lt.Status.NOT_INITIALIZED)


# -- on a GPU --------------------------------------------------------------------------------

WORKSPACE = 32 << 20


def gpu(test):
    """A GPU test, which also needs the library."""
    return pytest.mark.gpu(needs_library(test))


def _rel_err(got, want):
    return np.linalg.norm(np.asarray(got, np.float64) - want) / np.linalg.norm(want)


@pytest.fixture
def handle(cp):
    cp.cuda.Device().use()  # a current context first
    h = lt.cublasLtCreate()
    yield h
    lt.cublasLtDestroy(h)


def _heuristic(handle, desc, a, b, c, d, owned, count=8):
    pref = _preference(owned, MAX_WORKSPACE_BYTES=WORKSPACE)
    results = lt.cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, c, d, pref, count)
    assert 1 <= len(results) <= count
    assert all(isinstance(r, lt.MatmulHeuristicResult) for r in results)
    assert results[0].state == lt.Status.SUCCESS
    assert 0 <= results[0].workspace_size <= WORKSPACE
    return results


def _matmul(cp, handle, desc, alpha, a_ptr, a, b_ptr, b, beta, c_ptr, c, d_ptr, d, owned, stream=0, algo=None):
    best = _heuristic(handle, desc, a, b, c, d, owned)[0]
    workspace = cp.empty(max(best.workspace_size, 1), dtype=cp.uint8)
    lt.cublasLtMatmul(
        handle,
        desc,
        alpha,
        a_ptr,
        a,
        b_ptr,
        b,
        beta,
        c_ptr,
        c,
        d_ptr,
        d,
        best.algo if algo is None else algo,
        workspace.data.ptr,
        best.workspace_size,
        stream,
    )
    return best


@gpu
def test_sgemm_row_major_with_order_row(cp, handle, owned):
    rng = np.random.default_rng()
    m, k, n = 96, 64, 80
    A_ = rng.standard_normal((m, k)).astype(np.float32)
    B_ = rng.standard_normal((k, n)).astype(np.float32)
    d_A, d_B = cp.asarray(A_), cp.asarray(B_)
    d_D = cp.empty((m, n), dtype=cp.float32)
    row = lt.Order.ROW
    a = _layout(owned, lt.DataType.R_32F, m, k, k, ORDER=row)
    b = _layout(owned, lt.DataType.R_32F, k, n, n, ORDER=row)
    d = _layout(owned, lt.DataType.R_32F, m, n, n, ORDER=row)
    assert lt.matrix_layout_get(d, L.ORDER) is row
    desc = _desc(owned)
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    _matmul(cp, handle, desc, one, d_A.data.ptr, a, d_B.data.ptr, b, zero, d_D.data.ptr, d, d_D.data.ptr, d, owned)
    want = A_.astype(np.float64) @ B_.astype(np.float64)
    assert _rel_err(cp.asnumpy(d_D), want) <= 1e-5


@gpu
def test_relu_bias_epilogue_and_transa(cp, handle, owned):
    # Column-major: D (m x n) = relu(op(A) @ B + bias), op(A) = A^T of a stored k x m matrix.
    rng = np.random.default_rng()
    m, k, n = 64, 48, 72
    A_ = rng.standard_normal((m, k)).astype(np.float32)
    B_ = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal(m).astype(np.float32)
    d_At = cp.asarray(A_)  # row-major m x k is column-major k x m: A^T stored
    d_B = cp.asfortranarray(cp.asarray(B_))
    d_bias = cp.asarray(bias)
    d_D = cp.empty((m, n), dtype=cp.float32, order="F")
    a = _layout(owned, lt.DataType.R_32F, k, m, k)
    b = _layout(owned, lt.DataType.R_32F, k, n, k)
    d = _layout(owned, lt.DataType.R_32F, m, n, m)
    desc = _desc(owned, TRANSA=lt.Operation.T, EPILOGUE=lt.Epilogue.RELU_BIAS, BIAS_POINTER=d_bias.data.ptr)
    assert lt.matmul_desc_get(desc, A.BIAS_POINTER) == d_bias.data.ptr
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    _matmul(cp, handle, desc, one, d_At.data.ptr, a, d_B.data.ptr, b, zero, d_D.data.ptr, d, d_D.data.ptr, d, owned)
    before = A_.astype(np.float64) @ B_.astype(np.float64) + bias.astype(np.float64)[:, None]
    want = np.maximum(before, 0.0)
    got = cp.asnumpy(d_D)
    assert _rel_err(got, want) <= 1e-5
    negative = before < -1e-3
    assert negative.any() and np.all(got[negative] == 0.0)  # the ReLU ran


@gpu
def test_hgemm_fp16_inputs_and_output(cp, handle, owned):
    # Row-major through the transposition trick: D^T = B^T A^T, all column-major.
    rng = np.random.default_rng()
    m, k, n = 128, 96, 64
    A_ = rng.standard_normal((m, k)).astype(np.float16)
    B_ = rng.standard_normal((k, n)).astype(np.float16)
    d_A, d_B = cp.asarray(A_), cp.asarray(B_)
    d_D = cp.empty((m, n), dtype=cp.float16)
    h = lt.DataType.R_16F
    bt = _layout(owned, h, n, k, n)
    at = _layout(owned, h, k, m, k)
    dt = _layout(owned, h, n, m, n)
    desc = _desc(owned, lt.ComputeType.COMPUTE_32F, lt.DataType.R_32F)
    # Host scalars as int addresses.
    alpha, beta = np.array([1.0], np.float32), np.array([0.0], np.float32)
    _matmul(
        cp,
        handle,
        desc,
        alpha.ctypes.data,
        d_B.data.ptr,
        bt,
        d_A.data.ptr,
        at,
        beta.ctypes.data,
        d_D.data.ptr,
        dt,
        d_D.data.ptr,
        dt,
        owned,
    )
    want = A_.astype(np.float64) @ B_.astype(np.float64)
    assert _rel_err(cp.asnumpy(d_D), want) <= 1e-2


@gpu
def test_strided_batched_with_alpha_beta_on_a_stream(cp, handle, owned):
    rng = np.random.default_rng()
    batch, m, k, n = 3, 40, 24, 56
    A_ = rng.standard_normal((batch, m, k)).astype(np.float32)
    B_ = rng.standard_normal((batch, k, n)).astype(np.float32)
    C_ = rng.standard_normal((batch, m, n)).astype(np.float32)
    stream = cp.cuda.Stream(non_blocking=True)
    with stream:
        d_A, d_B, d_C = cp.asarray(A_), cp.asarray(B_), cp.asarray(C_)
        d_D = cp.empty((batch, m, n), dtype=cp.float32)
    f32 = lt.DataType.R_32F
    bt = _layout(owned, f32, n, k, n, BATCH_COUNT=batch, STRIDED_BATCH_OFFSET=k * n)
    at = _layout(owned, f32, k, m, k, BATCH_COUNT=batch, STRIDED_BATCH_OFFSET=m * k)
    ct = _layout(owned, f32, n, m, n, BATCH_COUNT=batch, STRIDED_BATCH_OFFSET=m * n)
    assert lt.matrix_layout_get(ct, L.BATCH_COUNT) == batch
    desc = _desc(owned)
    alpha, beta = ctypes.c_float(0.5), ctypes.c_float(2.0)
    _matmul(
        cp,
        handle,
        desc,
        alpha,
        d_B.data.ptr,
        bt,
        d_A.data.ptr,
        at,
        beta,
        d_C.data.ptr,
        ct,
        d_D.data.ptr,
        ct,
        owned,
        stream=stream.ptr,
    )
    stream.synchronize()
    want = 0.5 * np.matmul(A_.astype(np.float64), B_.astype(np.float64)) + 2.0 * C_
    assert _rel_err(cp.asnumpy(d_D), want) <= 1e-5
    assert np.array_equal(cp.asnumpy(d_C), C_)  # C is only read


@gpu
def test_incompatible_layouts_raise(cp, handle, owned):
    m, k, n = 32, 16, 24
    f32 = lt.DataType.R_32F
    a = _layout(owned, f32, m, k, m)
    b = _layout(owned, f32, k + 8, n, k + 8)  # inner dimensions differ
    d = _layout(owned, f32, m, n, m)
    desc = _desc(owned)
    pref = _preference(owned, MAX_WORKSPACE_BYTES=WORKSPACE)
    d_A = cp.zeros((k, m), cp.float32)
    d_B = cp.zeros((n, k + 8), cp.float32)
    d_D = cp.zeros((n, m), cp.float32)
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    with pytest.raises(lt.cuBLASLtError) as info:
        results = lt.cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, d, d, pref, 1)
        lt.cublasLtMatmul(
            handle,
            desc,
            one,
            d_A.data.ptr,
            a,
            d_B.data.ptr,
            b,
            zero,
            d_D.data.ptr,
            d,
            d_D.data.ptr,
            d,
            results[0].algo if results else None,
            0,
            0,
            0,
        )
    cp.cuda.Device().synchronize()
    err = info.value
    assert err.function in ("cublasLtMatmulAlgoGetHeuristic", "cublasLtMatmul")
    assert err.status in (lt.Status.INVALID_VALUE, lt.Status.NOT_SUPPORTED)
    assert str(err).startswith(f"{err.function} failed: CUBLAS_STATUS_")


@gpu
def test_algo_ids_init_check_caps_and_a_serialized_algo(cp, handle, owned):
    rng = np.random.default_rng()
    m, k, n = 64, 32, 48
    f32 = lt.DataType.R_32F
    c32 = lt.ComputeType.COMPUTE_32F
    a = _layout(owned, f32, m, k, m)
    b = _layout(owned, f32, k, n, k)
    d = _layout(owned, f32, m, n, m)
    desc = _desc(owned)
    best = _heuristic(handle, desc, a, b, d, d, owned)[0]

    ids = lt.cublasLtMatmulAlgoGetIds(handle, c32, f32, f32, f32, f32, f32, 4096)
    assert ids and all(isinstance(i, int) for i in ids)
    assert lt.matmul_algo_config_get(best.algo, CFG.ID) in ids
    algo = lt.cublasLtMatmulAlgoInit(handle, c32, f32, f32, f32, f32, f32, ids[0])
    assert isinstance(algo, lt.MatmulAlgo) and lt.matmul_algo_config_get(algo, CFG.ID) == ids[0]

    check = lt.cublasLtMatmulAlgoCheck(handle, desc, a, b, d, d, best.algo)
    assert isinstance(check, lt.MatmulHeuristicResult) and check.waves_count > 0

    # Every capability the library has is the size of the table's type (arrays: a multiple).
    sizes = _sizes_from_library(
        lt.cublasLtMatmulAlgoCapGetAttribute, best.algo, lt.MatmulAlgoCapAttribute, lt.MATMUL_ALGO_CAP_ATTRIBUTE_TYPES
    )
    assert {c for c in CAP if c <= _CORE[lt.MatmulAlgoCapAttribute]} <= set(sizes)
    for cap, (stored, bound) in sizes.items():
        if cap in lt.MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES:
            assert stored % bound == 0, cap
        else:
            assert stored == bound, cap
    tiles = lt.matmul_algo_cap_get(best.algo, CAP.TILE_IDS)
    assert isinstance(tiles, list) and len(tiles) >= 1
    assert lt.matmul_algo_cap_get(best.algo, CAP.MIN_ALIGNMENT_A_BYTES) >= 4
    assert lt.matmul_algo_cap_get(best.algo, CAP.POINTER_MODE_MASK) & lt.PointerModeMask.HOST

    # The algo is plain data: a copy from its bytes runs the same matmul.
    restored = lt.MatmulAlgo.from_buffer_copy(bytes(best.algo))
    A_ = rng.standard_normal((m, k)).astype(np.float32)
    B_ = rng.standard_normal((k, n)).astype(np.float32)
    d_A = cp.asfortranarray(cp.asarray(A_))
    d_B = cp.asfortranarray(cp.asarray(B_))
    d_D = cp.empty((m, n), cp.float32, order="F")
    one, zero = ctypes.c_float(1.0), ctypes.c_float(0.0)
    _matmul(
        cp,
        handle,
        desc,
        one,
        d_A.data.ptr,
        a,
        d_B.data.ptr,
        b,
        zero,
        d_D.data.ptr,
        d,
        d_D.data.ptr,
        d,
        owned,
        algo=restored,
    )
    assert _rel_err(cp.asnumpy(d_D), A_.astype(np.float64) @ B_.astype(np.float64)) <= 1e-5
