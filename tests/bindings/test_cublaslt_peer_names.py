"""nvmath.bindings.cublasLt under nvmath-python 1.0.1's names: every name is there with the
peer's parameter names; outputs go to caller memory (addresses, NumPy arrays, ctypes objects,
the NumPy-backed MatmulAlgo(size) / MatmulHeuristicResult(size)); bad arguments are refused by
name before any library call; check_status raises cuBLASLtError; the attribute-dtype helpers
give NumPy types. Descriptor round trips need the library (no GPU); the GEMMs need a GPU."""

import ctypes
import inspect
import math
import pickle

import numpy as np
import pytest

from nvmath.bindings import cublasLt as lt
from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError
from tests.conftest import HAS_GPU
from tests.libraries import needs

A = lt.MatmulDescAttribute
L = lt.MatrixLayoutAttribute
P = lt.MatmulPreferenceAttribute
CAP = lt.MatmulAlgoCapAttribute
CFG = lt.MatmulAlgoConfigAttribute

needs_library = needs("cuBLASLt", lt._lib.cdll, (LibraryNotFoundError,))

# nvmath-python 1.0.1's nvmath.bindings.cublasLt functions and their parameters, in order.
PEER_FUNCTIONS = {
    "check_status": "status",
    "create": "",
    "destroy": "light_handle",
    "disable_cpu_instructions_set_mask": "mask",
    "emulation_desc_create": "",
    "emulation_desc_destroy": "emulation_desc",
    "emulation_desc_get_attribute": "emulation_desc attr buf size_in_bytes size_written",
    "emulation_desc_set_attribute": "emulation_desc attr buf size_in_bytes",
    "get_cudart_version": "",
    "get_emulation_desc_attribute_dtype": "attr",
    "get_matmul_algo_cap_attribute_dtype": "attr",
    "get_matmul_algo_config_attribute_dtype": "attr",
    "get_matmul_desc_attribute_dtype": "attr",
    "get_matmul_preference_attribute_dtype": "attr",
    "get_matrix_layout_attribute_dtype": "attr",
    "get_matrix_transform_desc_attribute_dtype": "attr",
    "get_property": "type",
    "get_status_name": "status",
    "get_status_string": "status",
    "get_version": "",
    "grouped_matrix_layout_create": "type group_count rows_array cols_array ld_array",
    "heuristics_cache_get_capacity": "",
    "heuristics_cache_set_capacity": "capacity",
    "logger_force_disable": "",
    "logger_open_file": "log_file",
    "logger_set_level": "level",
    "logger_set_mask": "mask",
    "matmul": "light_handle compute_desc alpha a adesc b bdesc beta c cdesc d ddesc algo workspace "
    "workspace_size_in_bytes stream",
    "matmul_algo_cap_get_attribute": "algo attr buf size_in_bytes size_written",
    "matmul_algo_check": "light_handle operation_desc adesc bdesc cdesc ddesc algo result",
    "matmul_algo_config_get_attribute": "algo attr buf size_in_bytes size_written",
    "matmul_algo_config_set_attribute": "algo attr buf size_in_bytes",
    "matmul_algo_get_heuristic": "light_handle operation_desc adesc bdesc cdesc ddesc preference "
    "requested_algo_count heuristic_results_array return_algo_count",
    "matmul_algo_get_ids": "light_handle compute_type scale_type atype btype ctype dtype requested_algo_count",
    "matmul_algo_init": "light_handle compute_type scale_type atype btype ctype dtype algo_id algo",
    "matmul_desc_create": "compute_type scale_type",
    "matmul_desc_destroy": "matmul_desc",
    "matmul_desc_get_attribute": "matmul_desc attr buf size_in_bytes size_written",
    "matmul_desc_set_attribute": "matmul_desc attr buf size_in_bytes",
    "matmul_preference_create": "",
    "matmul_preference_destroy": "pref",
    "matmul_preference_get_attribute": "pref attr buf size_in_bytes size_written",
    "matmul_preference_set_attribute": "pref attr buf size_in_bytes",
    "matrix_layout_create": "type rows cols ld",
    "matrix_layout_destroy": "mat_layout",
    "matrix_layout_get_attribute": "mat_layout attr buf size_in_bytes size_written",
    "matrix_layout_set_attribute": "mat_layout attr buf size_in_bytes",
    "matrix_transform": "light_handle transform_desc alpha a adesc beta b bdesc c cdesc stream",
    "matrix_transform_desc_create": "scale_type",
    "matrix_transform_desc_destroy": "transform_desc",
    "matrix_transform_desc_get_attribute": "transform_desc attr buf size_in_bytes size_written",
    "matrix_transform_desc_set_attribute": "transform_desc attr buf size_in_bytes",
}
PEER_DTYPES = ["matmul_algo_dtype", "matmul_heuristic_result_dtype"]
PEER_CLASSES = """
BatchMode ClusterShape EmulationDescAttribute Epilogue IntegerWidth MatmulAlgo MatmulAlgoCapAttribute
MatmulAlgoConfigAttribute MatmulDescAttribute MatmulHeuristicResult MatmulInnerShape MatmulMatrixScale
MatmulPreferenceAttribute MatmulSearch MatmulStages MatmulTile MatrixLayoutAttribute
MatrixTransformDescAttribute Order PointerMode PointerModeMask ReductionScheme cuBLASLtError
""".split()

# The peer's members of its enums (MatmulTile, MatmulStages and ClusterShape: counts below).
PEER_MEMBERS = {
    "BatchMode": "GROUPED POINTER_ARRAY STRIDED",
    "EmulationDescAttribute": "FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER FIXEDPOINT_MANTISSA_BIT_OFFSET "
    "FIXEDPOINT_MANTISSA_CONTROL FIXEDPOINT_MAX_MANTISSA_BIT_COUNT SPECIAL_VALUES_SUPPORT STRATEGY",
    "Epilogue": "BGRADA BGRADB BIAS DEFAULT DGELU DGELU_BGRAD DRELU DRELU_BGRAD GELU GELU_AUX GELU_AUX_BIAS "
    "GELU_BIAS RELU RELU_AUX RELU_AUX_BIAS RELU_BIAS",
    "IntegerWidth": "WIDTH_32 WIDTH_64",
    "MatmulAlgoCapAttribute": "ATOMIC_SYNC CTA_SWIZZLING_SUPPORT CUSTOM_MEMORY_ORDER CUSTOM_OPTION_MAX "
    "EPILOGUE_MASK FLOATING_POINT_EMULATION_SUPPORT GAUSSIAN_IMPL LD_NEGATIVE MATHMODE_IMPL MIN_ALIGNMENT_A_BYTES "
    "MIN_ALIGNMENT_B_BYTES MIN_ALIGNMENT_C_BYTES MIN_ALIGNMENT_D_BYTES NUMERICAL_IMPL_FLAGS "
    "OUT_OF_PLACE_RESULT_SUPPORT POINTER_ARRAY_BATCH_SUPPORT POINTER_ARRAY_GROUPED_SUPPORT POINTER_MODE_MASK "
    "REDUCTION_SCHEME_MASK SPLITK_SUPPORT STAGES_IDS STRIDED_BATCH_SUPPORT TILE_IDS UPLO_SUPPORT",
    "MatmulAlgoConfigAttribute": "CLUSTER_SHAPE_ID CTA_SWIZZLING CUSTOM_OPTION ID INNER_SHAPE_ID "
    "REDUCTION_SCHEME SPLITK_NUM STAGES_ID TILE_ID",
    "MatmulDescAttribute": "ALPHA_BATCH_STRIDE ALPHA_VECTOR_BATCH_STRIDE AMAX_D_POINTER "
    "ATOMIC_SYNC_IN_COUNTERS_POINTER ATOMIC_SYNC_NUM_CHUNKS_D_COLS ATOMIC_SYNC_NUM_CHUNKS_D_ROWS "
    "ATOMIC_SYNC_OUT_COUNTERS_POINTER A_SCALE_MODE A_SCALE_POINTER BETA_BATCH_STRIDE BIAS_BATCH_STRIDE "
    "BIAS_DATA_TYPE BIAS_POINTER B_SCALE_MODE B_SCALE_POINTER COMPUTE_TYPE C_SCALE_MODE C_SCALE_POINTER "
    "D_OUT_SCALE_MODE D_OUT_SCALE_POINTER D_SCALE_MODE D_SCALE_POINTER EMULATION_DESCRIPTOR EPILOGUE "
    "EPILOGUE_AUX_AMAX_POINTER EPILOGUE_AUX_BATCH_STRIDE EPILOGUE_AUX_DATA_TYPE EPILOGUE_AUX_LD "
    "EPILOGUE_AUX_POINTER EPILOGUE_AUX_SCALE_MODE EPILOGUE_AUX_SCALE_POINTER FAST_ACCUM FILL_MODE "
    "POINTER_MODE SCALE_TYPE SM_COUNT_TARGET TRANSA TRANSB TRANSC",
    "MatmulInnerShape": "MMA16816 MMA1684 MMA1688 MMA884 UNDEFINED",
    "MatmulMatrixScale": "BLK128x128_32F OUTER_VEC_32F PER_BATCH_SCALAR_32F SCALAR_32F VEC128_32F "
    "VEC16_UE4M3 VEC32_UE8M0",
    "MatmulPreferenceAttribute": "EPILOGUE_MASK GAUSSIAN_MODE_MASK GROUPED_AVERAGE_REDUCTION_DIM "
    "GROUPED_DESC_D_AVERAGE_COLS GROUPED_DESC_D_AVERAGE_ROWS IMPL_MASK MATH_MODE_MASK MAX_WAVES_COUNT "
    "MAX_WORKSPACE_BYTES MIN_ALIGNMENT_A_BYTES MIN_ALIGNMENT_B_BYTES MIN_ALIGNMENT_C_BYTES "
    "MIN_ALIGNMENT_D_BYTES POINTER_MODE_MASK REDUCTION_SCHEME_MASK SEARCH_MODE SM_COUNT_TARGET",
    "MatmulSearch": "BEST_FIT LIMITED_BY_ALGO_ID RESERVED_02 RESERVED_03 RESERVED_04 RESERVED_05 "
    "RESERVED_06 RESERVED_07 RESERVED_08 RESERVED_09",
    "MatrixLayoutAttribute": "BATCH_COUNT BATCH_MODE COLS GROUPED_COLS_ARRAY GROUPED_LD_ARRAY "
    "GROUPED_LD_ARRAY_INTEGER_WIDTH GROUPED_ROWS_ARRAY GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH LD ORDER "
    "PLANE_OFFSET ROWS STRIDED_BATCH_OFFSET TYPE",
    "MatrixTransformDescAttribute": "POINTER_MODE SCALE_TYPE TRANSA TRANSB",
    "Order": "COL COL32 COL32_2R_4R4 COL4_4R2_8C ROW",
    "PointerMode": "ALPHA_DEVICE_VECTOR_BETA_HOST ALPHA_DEVICE_VECTOR_BETA_ZERO DEVICE DEVICE_VECTOR HOST",
    "PointerModeMask": "ALPHA_DEVICE_VECTOR_BETA_HOST ALPHA_DEVICE_VECTOR_BETA_ZERO DEVICE DEVICE_VECTOR HOST "
    "NO_FILTERING",
    "ReductionScheme": "COMPUTE_TYPE INPLACE MASK NONE OUTPUT_TYPE",
}

# Values kept from older headers (CUDA 12's cublasLt.h and before), unlisted here.
UNLISTED = {
    lt.MatmulDescAttribute: {
        "ATOMIC_SYNC_NUM_CHUNKS_D_ROWS": 27,
        "ATOMIC_SYNC_NUM_CHUNKS_D_COLS": 28,
        "ATOMIC_SYNC_IN_COUNTERS_POINTER": 29,
        "ATOMIC_SYNC_OUT_COUNTERS_POINTER": 30,
    },
    lt.MatmulPreferenceAttribute: {
        "MATH_MODE_MASK": 2,
        "GAUSSIAN_MODE_MASK": 4,
        "POINTER_MODE_MASK": 10,
        "EPILOGUE_MASK": 11,
    },
    lt.MatmulAlgoCapAttribute: {"MATHMODE_IMPL": 8, "GAUSSIAN_IMPL": 9, "ATOMIC_SYNC": 20},
    lt.MatmulSearch: {f"RESERVED_{v:02d}": v for v in range(2, 10)},
}


# -- names -----------------------------------------------------------------------------------


def test_every_nvmath_python_name_is_here_and_public():
    names = [*PEER_FUNCTIONS, *PEER_DTYPES, *PEER_CLASSES]
    assert len(names) == 77 and len(set(names)) == 77
    assert [n for n in names if not hasattr(lt, n)] == []
    assert set(names) <= set(lt.__all__)
    assert all(callable(getattr(lt, n)) for n in PEER_FUNCTIONS)
    assert all(isinstance(getattr(lt, n), type) for n in PEER_CLASSES)
    assert all(isinstance(getattr(lt, n), np.dtype) for n in PEER_DTYPES)
    assert issubclass(lt.cuBLASLtError, Exception)


@pytest.mark.parametrize("name", sorted(PEER_FUNCTIONS))
def test_parameter_names_and_order_are_nvmath_pythons(name):
    assert list(inspect.signature(getattr(lt, name)).parameters) == PEER_FUNCTIONS[name].split()


@pytest.mark.parametrize("name", sorted(PEER_FUNCTIONS))
def test_every_peer_function_has_a_docstring(name):
    assert (getattr(lt, name).__doc__ or "").strip()


def test_faces_without_a_difference_are_the_c_functions():
    same = {
        "create": "cublasLtCreate",
        "get_version": "cublasLtGetVersion",
        "get_cudart_version": "cublasLtGetCudartVersion",
        "get_property": "cublasLtGetProperty",
        "get_status_name": "cublasLtGetStatusName",
        "get_status_string": "cublasLtGetStatusString",
        "matrix_layout_create": "cublasLtMatrixLayoutCreate",
        "matmul_preference_create": "cublasLtMatmulPreferenceCreate",
        "matmul_preference_destroy": "cublasLtMatmulPreferenceDestroy",
        "emulation_desc_create": "cublasLtEmulationDescCreate",
        "logger_set_level": "cublasLtLoggerSetLevel",
        "logger_set_mask": "cublasLtLoggerSetMask",
        "logger_force_disable": "cublasLtLoggerForceDisable",
        "heuristics_cache_get_capacity": "cublasLtHeuristicsCacheGetCapacity",
        "heuristics_cache_set_capacity": "cublasLtHeuristicsCacheSetCapacity",
    }
    for peer, c_name in same.items():
        assert getattr(lt, peer) is getattr(lt, c_name), peer
        assert c_name in lt.__all__


# -- enums -----------------------------------------------------------------------------------


@pytest.mark.parametrize("enum_name", sorted(PEER_MEMBERS))
def test_every_peer_enum_member_is_here(enum_name):
    enum_cls = getattr(lt, enum_name)
    for member in PEER_MEMBERS[enum_name].split():
        assert isinstance(getattr(enum_cls, member), enum_cls), member
        assert enum_cls[member] is getattr(enum_cls, member)


def test_large_enums_have_the_peer_member_counts():
    assert len(lt.MatmulTile) == 635 and lt.MatmulTile.TILE_512x1024 == 634 and lt.MatmulTile.TILE_UNDEFINED == 0
    assert len(lt.MatmulStages) == 39 and lt.MatmulStages.STAGES_768xAUTO == 38
    assert len(lt.ClusterShape) == 51 and lt.ClusterShape.SHAPE_1x15x1 == 51


def test_new_enum_values_are_the_headers():
    # cublasLt.h (CUDA 13): cublasLtMatrixTransformDescAttributes_t counts from 0 in this order.
    assert [(m.name, m.value) for m in lt.MatrixTransformDescAttribute] == [
        ("SCALE_TYPE", 0),
        ("POINTER_MODE", 1),
        ("TRANSA", 2),
        ("TRANSB", 3),
    ]
    assert {m.name: m.value for m in lt.EmulationDescAttribute} == {
        "STRATEGY": 0,
        "SPECIAL_VALUES_SUPPORT": 1,
        "FIXEDPOINT_MANTISSA_CONTROL": 2,
        "FIXEDPOINT_MAX_MANTISSA_BIT_COUNT": 3,
        "FIXEDPOINT_MANTISSA_BIT_OFFSET": 4,
        "FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER": 5,
    }
    assert {m.name: m.value for m in lt.IntegerWidth} == {"WIDTH_32": 0, "WIDTH_64": 1}
    assert lt.PointerModeMask.NO_FILTERING == 0
    # CUDA 11's SM_COUNT_TARGET preference shares 13 with GROUPED_AVERAGE_REDUCTION_DIM.
    assert lt.MatmulPreferenceAttribute.SM_COUNT_TARGET is lt.MatmulPreferenceAttribute.GROUPED_AVERAGE_REDUCTION_DIM
    assert lt.MatmulDescAttribute.SM_COUNT_TARGET == 15


@pytest.mark.parametrize("enum_cls", list(UNLISTED), ids=lambda c: c.__name__)
def test_members_the_cuda_13_header_dropped_are_members_that_are_not_listed(enum_cls):
    listed = list(enum_cls)
    for name, value in UNLISTED[enum_cls].items():
        member = getattr(enum_cls, name)
        assert isinstance(member, enum_cls) and member == value and member.name == name
        assert enum_cls(value) is member and enum_cls[name] is member
        assert pickle.loads(pickle.dumps(member)) is member
        assert repr(member) == f"<{enum_cls.__name__}.{name}: {value}>"
        assert member not in listed and value not in [m.value for m in listed]
    assert len(enum_cls) == len(listed)


def test_typed_helpers_refuse_unlisted_members():
    with pytest.raises(ValueError, match="ATOMIC_SYNC_NUM_CHUNKS_D_ROWS .27. is not in the CUDA 13 header"):
        lt.matmul_desc_set(0, A.ATOMIC_SYNC_NUM_CHUNKS_D_ROWS, 1)
    with pytest.raises(ValueError, match="MATH_MODE_MASK"):
        lt.matmul_preference_get(0, P.MATH_MODE_MASK)


# -- errors ----------------------------------------------------------------------------------


def test_check_status_raises_the_error_class_with_the_status():
    assert lt.check_status(0) is None
    assert lt.check_status(lt.Status.SUCCESS) is None
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.check_status(15)
    err = info.value
    assert err.status is lt.Status.NOT_SUPPORTED and err.function is None
    assert str(err) == "CUBLAS_STATUS_NOT_SUPPORTED (15)"
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.check_status(np.int32(7))
    assert info.value.status is lt.Status.INVALID_VALUE
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.check_status(42)
    assert info.value.status == 42 and not isinstance(info.value.status, lt.Status)
    assert "unknown cublasStatus_t (42)" in str(info.value)


@pytest.mark.parametrize("bad", ["7", 7.0, None, True])
def test_check_status_wants_an_int(bad):
    with pytest.raises(TypeError, match=r"status=.* is not supported; accepted: an int \(int32_t\)"):
        lt.check_status(bad)


def test_error_takes_nvmath_pythons_form_and_ours():
    peer = lt.cuBLASLtError(3)
    assert (peer.function, peer.status, str(peer)) == (None, lt.Status.ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED (3)")
    assert lt.cuBLASLtError(status=3).status is lt.Status.ALLOC_FAILED
    ours = lt.cuBLASLtError("cublasLtMatmul", 14)
    assert (ours.function, ours.status) == ("cublasLtMatmul", lt.Status.INTERNAL_ERROR)
    assert str(ours) == "cublasLtMatmul failed: CUBLAS_STATUS_INTERNAL_ERROR (14)"
    for err in (peer, ours):
        copy = pickle.loads(pickle.dumps(err))
        assert (type(copy), copy.function, copy.status, str(copy)) == (type(err), err.function, err.status, str(err))
    with pytest.raises(TypeError, match=r"\(status\) or \(function, status\)"):
        lt.cuBLASLtError()
    with pytest.raises(TypeError, match=r"function=1 is not supported; accepted: the C function's name"):
        lt.cuBLASLtError(1, 2)


# -- attribute dtypes ------------------------------------------------------------------------

DTYPES = {
    lt.get_matmul_desc_attribute_dtype: {
        A.COMPUTE_TYPE: np.int32,
        A.SCALE_TYPE: np.int32,
        A.EPILOGUE: np.uint32,
        A.BIAS_POINTER: np.intp,
        A.BIAS_BATCH_STRIDE: np.int64,
        A.FAST_ACCUM: np.int8,
        A.EMULATION_DESCRIPTOR: np.intp,
        A.ATOMIC_SYNC_NUM_CHUNKS_D_ROWS: np.int32,
        A.ATOMIC_SYNC_IN_COUNTERS_POINTER: np.intp,
    },
    lt.get_matrix_layout_attribute_dtype: {
        L.TYPE: np.uint32,
        L.ORDER: np.int32,
        L.ROWS: np.uint64,
        L.LD: np.int64,
        L.BATCH_COUNT: np.int32,
        L.GROUPED_ROWS_ARRAY: np.intp,
    },
    lt.get_matmul_preference_attribute_dtype: {
        P.SEARCH_MODE: np.uint32,
        P.MAX_WORKSPACE_BYTES: np.uint64,
        P.MAX_WAVES_COUNT: np.float32,
        P.IMPL_MASK: np.uint64,
        P.SM_COUNT_TARGET: np.uint64,  # = GROUPED_AVERAGE_REDUCTION_DIM
    },
    lt.get_matmul_algo_cap_attribute_dtype: {
        CAP.SPLITK_SUPPORT: np.int32,
        CAP.TILE_IDS: np.uint32,
        CAP.NUMERICAL_IMPL_FLAGS: np.uint64,
        CAP.ATOMIC_SYNC: np.int32,
        CAP.MATHMODE_IMPL: np.int32,
    },
    lt.get_matmul_algo_config_attribute_dtype: {
        CFG.ID: np.int32,
        CFG.TILE_ID: np.uint32,
        CFG.INNER_SHAPE_ID: np.uint16,
    },
    lt.get_matrix_transform_desc_attribute_dtype: dict.fromkeys(lt.MatrixTransformDescAttribute, np.int32),
    lt.get_emulation_desc_attribute_dtype: {
        lt.EmulationDescAttribute.STRATEGY: np.int32,
        lt.EmulationDescAttribute.FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER: np.intp,
    },
}


@pytest.mark.parametrize("helper", list(DTYPES), ids=lambda f: f.__name__)
def test_attribute_dtypes(helper):
    for attr, expected in DTYPES[helper].items():
        assert helper(attr) is expected, attr
        assert helper(int(attr)) is expected  # a plain int, as nvmath-python takes
        assert np.zeros(1, helper(attr)).itemsize == helper(attr)().itemsize


@pytest.mark.parametrize(
    "helper, table",
    [
        (lt.get_matmul_desc_attribute_dtype, lt.MATMUL_DESC_ATTRIBUTE_TYPES),
        (lt.get_matrix_layout_attribute_dtype, lt.MATRIX_LAYOUT_ATTRIBUTE_TYPES),
        (lt.get_matmul_preference_attribute_dtype, lt.MATMUL_PREFERENCE_ATTRIBUTE_TYPES),
        (lt.get_matmul_algo_cap_attribute_dtype, lt.MATMUL_ALGO_CAP_ATTRIBUTE_TYPES),
        (lt.get_matmul_algo_config_attribute_dtype, lt.MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_attribute_dtypes_agree_with_the_c_type_tables(helper, table):
    for attr, ctype in table.items():
        dtype = np.dtype(helper(attr))
        assert dtype.itemsize == ctypes.sizeof(ctype), attr
        if ctype is ctypes.c_float:
            assert dtype.kind == "f"
        elif ctype is not ctypes.c_void_p:
            assert (dtype.kind == "i") == (ctype(-1).value == -1), attr


def test_attribute_dtype_errors():
    with pytest.raises(ValueError, match=r"attr=99 is not a MatmulDescAttribute; accepted: COMPUTE_TYPE \(0\)"):
        lt.get_matmul_desc_attribute_dtype(99)
    with pytest.raises(TypeError, match=r"attr=.* is not supported; accepted: an int \(int32_t\)"):
        lt.get_matrix_layout_attribute_dtype("ROWS")
    for removed in ("MATH_MODE_MASK", "GAUSSIAN_MODE_MASK", "POINTER_MODE_MASK", "EPILOGUE_MASK"):
        with pytest.raises(ValueError, match=f"{removed} .* was removed from cuBLASLt"):
            lt.get_matmul_preference_attribute_dtype(P[removed])


# -- structs ---------------------------------------------------------------------------------


def test_struct_dtypes_have_the_c_layout():
    assert lt.matmul_algo_dtype.itemsize == ctypes.sizeof(lt.MatmulAlgo) == 64
    assert lt.matmul_algo_dtype.names == ("data_",)
    dt = lt.matmul_heuristic_result_dtype
    assert dt.itemsize == ctypes.sizeof(lt.MatmulHeuristicResult) == 96
    assert dt.names == ("algo", "workspace_size", "state", "waves_count", "reserved")
    C = lt.MatmulHeuristicResult
    assert dt.fields["workspace_size"][1] == C.workspaceSize.offset
    assert dt.fields["state"][1] == C.state.offset and dt.fields["waves_count"][1] == C.wavesCount.offset


def test_struct_classes_make_nvmath_pythons_arrays_from_a_size():
    results = lt.MatmulHeuristicResult(4)
    assert len(results) == 4 and results.ptr == results._data.ctypes.data
    assert repr(results) == "<nvmath.bindings.cublasLt.MatmulHeuristicResult array of 4>"
    assert len(lt.MatmulHeuristicResult(size=2)) == 2 and len(lt.MatmulAlgo(3)) == 3
    one = results[1]
    assert len(one) == 1 and one.ptr == results.ptr + 96 and int(one) == one.ptr
    assert (one.workspace_size, one.state, one.waves_count) == (0, 0, 0.0)
    one.workspace_size = 1 << 20
    assert results.workspace_size.tolist() == [0, 1 << 20, 0, 0]  # a view
    assert results[-3] == one and results[0] != one
    assert len(results[1:3]) == 2 and results[1:3].ptr == one.ptr
    assert results["state"].shape == (4,) and results[0]["algo"].dtype == lt.matmul_algo_dtype
    with pytest.raises(IndexError, match="index 4 is out of range for 4 structs"):
        results[4]
    with pytest.raises(TypeError, match="use .ptr"):
        int(results)
    assert [len(r) for r in results] == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="size=-1"):
        lt.MatmulAlgo(-1)


def test_ctypes_structs_are_unchanged_and_interoperate():
    algo = lt.MatmulAlgo()
    assert isinstance(algo, lt.MatmulAlgo) and ctypes.sizeof(algo) == 64
    assert algo.ptr == ctypes.addressof(algo) == int(algo)
    algo.data[3] = 77
    assert algo.data_.tolist() == [0, 0, 0, 77, 0, 0, 0, 0]
    result = lt.MatmulHeuristicResult()
    result.algo.data[0], result.workspaceSize, result.wavesCount = 5, 4096, 1.5
    assert pickle.loads(pickle.dumps(result)).workspace_size == 4096
    array = lt.MatmulHeuristicResult(2)
    array[1] = result  # a ctypes struct stores as a record
    assert (array[1].workspace_size, array[1].waves_count, int(array[1]["algo"]["data_"][0, 0])) == (4096, 1.5, 5)
    view = lt.MatmulHeuristicResult.from_ptr(ctypes.addressof(result))
    assert view.workspace_size == 4096
    view.state = 13
    assert result.state == 13  # the same memory
    frozen = lt.MatmulHeuristicResult.from_ptr(ctypes.addressof(result), readonly=True)
    with pytest.raises(ValueError):
        frozen.state = 1
    data = np.zeros(3, lt.matmul_algo_dtype)
    assert lt.MatmulAlgo.from_data(data).ptr == data.ctypes.data
    with pytest.raises(ValueError, match="1-D array of the MatmulAlgo dtype"):
        lt.MatmulAlgo.from_data(np.zeros(3, np.uint64))
    with pytest.raises(TypeError, match=r"data=.* is not supported; accepted: a 1-D NumPy array of MatmulAlgo records"):
        lt.MatmulAlgo.from_data([0] * 8)
    with pytest.raises(ValueError, match="ptr=0"):
        lt.MatmulAlgo.from_ptr(0)


# -- argument checks (before any library call: none of these needs cuBLASLt) ------------------


def test_bad_handles_and_enums_name_the_parameter():
    with pytest.raises(TypeError, match=r"light_handle=.* is not supported; accepted: an int \(a handle"):
        lt.destroy("handle")
    with pytest.raises(TypeError, match=r"matmul_desc=.* is not supported; accepted: an int \(a handle"):
        lt.matmul_desc_destroy(1.5)
    with pytest.raises(TypeError, match=r"compute_type='x' is not supported; accepted: an int \(int32_t\)"):
        lt.matmul_desc_create("x", 0)
    with pytest.raises(ValueError, match=r"scale_type=4294967296 is not supported; accepted: an int in"):
        lt.matmul_desc_create(68, 1 << 32)
    with pytest.raises(ValueError, match=r"rows=-1 is not supported; accepted: an int in \[0, "):
        lt.matrix_layout_create(0, -1, 2, 2)
    with pytest.raises(TypeError, match=r"type=.* is not supported; accepted: an int"):
        lt.get_property("MAJOR_VERSION")
    with pytest.raises(TypeError, match=r"group_count=.* is not supported; accepted: an int"):
        lt.grouped_matrix_layout_create(0, None, 0, 0, 0)
    with pytest.raises(TypeError, match=r"scale_type=.* is not supported; accepted: an int"):
        lt.matrix_transform_desc_create(np.float32)
    with pytest.raises(TypeError, match=r"mask=.* is not supported; accepted: an int"):
        lt.disable_cpu_instructions_set_mask(True)
    with pytest.raises(ValueError, match="capacity=-1"):
        lt.heuristics_cache_set_capacity(-1)
    with pytest.raises(TypeError, match=r"log_file=.* is not supported; accepted: a path"):
        lt.logger_open_file(3)
    with pytest.raises(ValueError, match="requested_algo_count=-1"):
        lt.matmul_algo_get_ids(0, 68, 0, 0, 0, 0, 0, -1)
    with pytest.raises(TypeError, match=r"atype=.* is not supported; accepted: an int"):
        lt.matmul_algo_get_ids(0, 68, 0, "f32", 0, 0, 0, 4)


def test_bad_attribute_buffers_are_refused():
    with pytest.raises(TypeError, match=r"attr=.* is not supported; accepted: an int \(int32_t\)"):
        lt.matmul_desc_set_attribute(0, "TRANSA", bytes(4), 4)
    with pytest.raises(ValueError, match="size_in_bytes=-4 is not supported"):
        lt.matmul_desc_set_attribute(0, A.TRANSA, 0, -4)
    with pytest.raises(ValueError, match=r"size_in_bytes=8 is larger than buf \(4 bytes\)"):
        lt.matrix_layout_set_attribute(0, L.ROWS, np.zeros(1, np.int32), 8)
    with pytest.raises(
        TypeError, match=r"buf=.* is not supported; accepted: a writable buffer \(this one is read-only\)"
    ):
        lt.matmul_preference_get_attribute(0, P.SEARCH_MODE, bytes(4), 4, np.zeros(1, np.uint64))
    with pytest.raises(ValueError, match="size_written has 4 bytes; accepted: an address, or a writable buffer"):
        lt.matmul_desc_get_attribute(0, A.TRANSA, bytearray(4), 4, np.zeros(1, np.int32))
    with pytest.raises(TypeError, match=r"buf=.* is not supported; accepted: a buffer"):
        lt.emulation_desc_set_attribute(0, 0, "0", 1)
    with pytest.raises(ValueError, match="buf=-1 is not supported"):
        lt.matrix_transform_desc_set_attribute(0, 0, -1, 4)


def test_bad_structs_and_counts_are_refused():
    descs = (0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="heuristic_results_array holds 2 MatmulHeuristicResult structs; 4 are needed"):
        lt.matmul_algo_get_heuristic(*descs, 0, 4, lt.MatmulHeuristicResult(2), np.zeros(1, np.int32))
    with pytest.raises(TypeError, match=r"heuristic_results_array=.* is not supported; accepted: an address"):
        lt.matmul_algo_get_heuristic(*descs, 0, 1, lt.MatmulAlgo(1), np.zeros(1, np.int32))
    with pytest.raises(ValueError, match="return_algo_count has 0 bytes"):
        lt.matmul_algo_get_heuristic(*descs, 0, 1, lt.MatmulHeuristicResult(1), bytearray())
    with pytest.raises(ValueError, match="requested_algo_count=-2"):
        lt.matmul_algo_get_heuristic(*descs, 0, -2, 0, 0)
    with pytest.raises(TypeError, match=r"algo=.* is not supported; accepted: an address .*\(pass its .algo"):
        lt.matmul(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, lt.MatmulHeuristicResult(), 0, 0, 0)
    with pytest.raises(TypeError, match="algo is read-only, and cuBLASLt writes it"):
        frozen = lt.MatmulAlgo.from_ptr(ctypes.addressof(lt.MatmulAlgo()), readonly=True)
        lt.matmul_algo_init(0, 68, 0, 0, 0, 0, 0, 0, frozen)
    with pytest.raises(TypeError, match=r"result=.* is not supported; accepted: an address"):
        lt.matmul_algo_check(*descs, 0, [0] * 24)
    with pytest.raises(ValueError, match="workspace_size_in_bytes=-1"):
        lt.matmul(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0)
    with pytest.raises(TypeError, match=r"alpha=.* is not supported; accepted: the address of the scalar"):
        lt.matrix_transform(0, 0, 1.0, 0, 0, 0, 0, 0, 0, 0, 0)


# -- with the library (no GPU needed) --------------------------------------------------------


@pytest.fixture
def owned():
    """(destroy, handle) pairs to release after the test."""
    objects = []
    yield objects
    for destroy, handle in reversed(objects):
        destroy(handle)


@needs_library
def test_version_and_status_names_through_the_peer_faces():
    assert lt.get_version() == lt.cublasLtGetVersion() >= 130000
    major = lt.get_property(lt.LibraryProperty.MAJOR_VERSION)
    assert major == lt.get_version() // 10000
    assert lt.get_status_name(15) == "CUBLAS_STATUS_NOT_SUPPORTED"
    assert lt.get_status_string(15)


@needs_library
def test_descriptor_attributes_round_trip_through_caller_memory(owned):
    desc = lt.matmul_desc_create(lt.ComputeType.COMPUTE_32F, lt.DataType.R_32F)
    owned.append((lt.matmul_desc_destroy, desc))
    dtype = lt.get_matmul_desc_attribute_dtype(A.TRANSA)
    value = np.array([lt.Operation.T], dtype)
    lt.matmul_desc_set_attribute(desc, A.TRANSA, value.ctypes.data, value.nbytes)  # an address
    out, written = np.zeros(1, dtype), np.zeros(1, np.uint64)
    assert lt.matmul_desc_get_attribute(desc, A.TRANSA, out.ctypes.data, out.nbytes, written.ctypes.data) is None
    assert (out[0], written[0]) == (lt.Operation.T, 4)
    assert lt.matmul_desc_get(desc, A.TRANSA) is lt.Operation.T  # the typed helper agrees

    # The size query: buf 0 and size 0; size_written as a ctypes size_t.
    needed = ctypes.c_size_t()
    lt.matmul_desc_get_attribute(desc, A.BIAS_POINTER, 0, 0, needed)
    assert needed.value == np.dtype(lt.get_matmul_desc_attribute_dtype(A.BIAS_POINTER)).itemsize == 8

    # Buffers instead of addresses; a ctypes object as buf.
    epilogue = np.array([lt.Epilogue.RELU], lt.get_matmul_desc_attribute_dtype(A.EPILOGUE))
    lt.matmul_desc_set_attribute(desc, A.EPILOGUE, epilogue, epilogue.nbytes)
    got = ctypes.c_uint32()
    lt.matmul_desc_get_attribute(desc, A.EPILOGUE, got, 4, written)
    assert got.value == lt.Epilogue.RELU

    # cuBLASLt checks the size: the error is ours, with the C name.
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.matmul_desc_set_attribute(desc, A.TRANSA, value.ctypes.data, 2)
    assert (info.value.function, info.value.status) == ("cublasLtMatmulDescSetAttribute", lt.Status.INVALID_VALUE)


@needs_library
def test_layouts_preferences_transforms_and_emulation_through_the_peer_faces(owned):
    layout = lt.matrix_layout_create(lt.DataType.R_16BF, 3, 5, 7)
    owned.append((lt.matrix_layout_destroy, layout))
    written = np.zeros(1, np.uint64)
    for attr, expected in ((L.ROWS, 3), (L.COLS, 5), (L.LD, 7), (L.TYPE, lt.DataType.R_16BF), (L.BATCH_COUNT, 1)):
        out = np.zeros(1, lt.get_matrix_layout_attribute_dtype(attr))
        lt.matrix_layout_get_attribute(layout, attr, out, out.nbytes, written)
        assert out[0] == expected and written[0] == out.nbytes, attr
    order = np.array([lt.Order.ROW], lt.get_matrix_layout_attribute_dtype(L.ORDER))
    lt.matrix_layout_set_attribute(layout, L.ORDER, order.ctypes.data, order.nbytes)
    assert lt.matrix_layout_get(layout, L.ORDER) is lt.Order.ROW

    pref = lt.matmul_preference_create()
    owned.append((lt.matmul_preference_destroy, pref))
    limit = np.array([1 << 22], lt.get_matmul_preference_attribute_dtype(P.MAX_WORKSPACE_BYTES))
    lt.matmul_preference_set_attribute(pref, P.MAX_WORKSPACE_BYTES, limit.ctypes.data, limit.nbytes)
    waves = np.zeros(1, lt.get_matmul_preference_attribute_dtype(P.MAX_WAVES_COUNT))
    lt.matmul_preference_get_attribute(pref, P.MAX_WAVES_COUNT, waves, waves.nbytes, written)
    assert lt.matmul_preference_get(pref, P.MAX_WORKSPACE_BYTES) == 1 << 22 and waves[0] == 0.0

    transform = lt.matrix_transform_desc_create(lt.DataType.R_32F)
    owned.append((lt.matrix_transform_desc_destroy, transform))
    T = lt.MatrixTransformDescAttribute
    trans = np.array([lt.Operation.T], lt.get_matrix_transform_desc_attribute_dtype(T.TRANSA))
    lt.matrix_transform_desc_set_attribute(transform, T.TRANSA, trans.ctypes.data, trans.nbytes)
    for attr, expected in ((T.SCALE_TYPE, lt.DataType.R_32F), (T.TRANSA, lt.Operation.T), (T.TRANSB, 0)):
        out = np.zeros(1, lt.get_matrix_transform_desc_attribute_dtype(attr))
        lt.matrix_transform_desc_get_attribute(transform, attr, out.ctypes.data, out.nbytes, written.ctypes.data)
        assert out[0] == expected, attr
    assert lt.cublasLtMatrixTransformDescGetAttribute(transform, T.POINTER_MODE, ctypes.c_int32()) == 4

    emulation = lt.emulation_desc_create()
    owned.append((lt.emulation_desc_destroy, emulation))
    E = lt.EmulationDescAttribute
    special = np.zeros(1, lt.get_emulation_desc_attribute_dtype(E.SPECIAL_VALUES_SUPPORT))
    lt.emulation_desc_get_attribute(emulation, E.SPECIAL_VALUES_SUPPORT, special, special.nbytes, written)
    assert special[0] == 0xFFFF  # the header's default
    offset = np.array([-3], lt.get_emulation_desc_attribute_dtype(E.FIXEDPOINT_MANTISSA_BIT_OFFSET))
    lt.emulation_desc_set_attribute(emulation, E.FIXEDPOINT_MANTISSA_BIT_OFFSET, offset, offset.nbytes)
    out = np.zeros(1, np.int32)
    lt.emulation_desc_get_attribute(emulation, E.FIXEDPOINT_MANTISSA_BIT_OFFSET, out, 4, written)
    assert out[0] == -3
    pointer = np.zeros(1, lt.get_emulation_desc_attribute_dtype(E.FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER))
    lt.emulation_desc_get_attribute(emulation, E.FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER, 0, 0, written)
    assert written[0] == pointer.nbytes == 8

    # The emulation descriptor attaches to a matmul descriptor by address.
    desc = lt.matmul_desc_create(lt.ComputeType.COMPUTE_64F_EMULATED_FIXEDPOINT, lt.DataType.R_64F)
    owned.append((lt.matmul_desc_destroy, desc))
    address = np.array([emulation], lt.get_matmul_desc_attribute_dtype(A.EMULATION_DESCRIPTOR))
    lt.matmul_desc_set_attribute(desc, A.EMULATION_DESCRIPTOR, address, address.nbytes)
    assert lt.matmul_desc_get(desc, A.EMULATION_DESCRIPTOR) == emulation

    # cuBLASLt 13.1 (the GPU host's) lacks grouped layouts; the error then names the function.
    if not lt._lib.has("cublasLtGroupedMatrixLayoutCreate"):
        with pytest.raises(FunctionNotFoundError, match="cublasLtGroupedMatrixLayoutCreate is not available"):
            lt.grouped_matrix_layout_create(lt.DataType.R_32F, 2, 0, 0, 0)
        return
    grouped = lt.grouped_matrix_layout_create(lt.DataType.R_32F, 2, 0, 0, 0)
    owned.append((lt.matrix_layout_destroy, grouped))
    assert lt.matrix_layout_get(grouped, L.BATCH_MODE) is lt.BatchMode.GROUPED


@needs_library
def test_algo_config_through_every_kind_of_algo():
    splitk = np.array([4], lt.get_matmul_algo_config_attribute_dtype(CFG.SPLITK_NUM))
    written = np.zeros(1, np.uint64)
    results = lt.MatmulHeuristicResult(2)
    kinds = (lt.MatmulAlgo(), lt.MatmulAlgo(1), np.zeros(1, lt.matmul_algo_dtype), results["algo"])
    for algo in kinds:  # the last: the algos of two results, strided; the first is the one used
        lt.matmul_algo_config_set_attribute(algo, CFG.SPLITK_NUM, splitk, splitk.nbytes)
        out = np.zeros(1, np.int32)
        address = algo.ctypes.data if isinstance(algo, np.ndarray) else algo.ptr
        lt.matmul_algo_config_get_attribute(address, CFG.SPLITK_NUM, out.ctypes.data, 4, written.ctypes.data)
        assert (out[0], written[0]) == (4, 4), type(algo)
    algo = lt.MatmulAlgo(1)
    lt.matmul_algo_config_set_attribute(algo.ptr, CFG.SPLITK_NUM, splitk.ctypes.data, 4)
    as_ctypes = lt.MatmulAlgo.from_buffer_copy(algo._data.tobytes())
    assert lt.matmul_algo_config_get(as_ctypes, CFG.SPLITK_NUM) == 4  # the same bytes either way
    with pytest.raises(lt.cuBLASLtError) as info:  # an uninitialized algo has no capabilities
        lt.matmul_algo_cap_get_attribute(algo, CAP.SPLITK_SUPPORT, np.zeros(1, np.int32), 4, written)
    assert info.value.function == "cublasLtMatmulAlgoCapGetAttribute"


@needs_library
def test_process_settings_heuristics_cache_logging_and_cpu_mask(tmp_path):
    capacity = lt.heuristics_cache_get_capacity()
    try:
        lt.heuristics_cache_set_capacity(256)
        assert lt.heuristics_cache_get_capacity() == 256
        lt.heuristics_cache_set_capacity(123)
        assert 123 <= lt.heuristics_cache_get_capacity() <= 256  # rounded up (13.10: to 128)
    finally:
        lt.heuristics_cache_set_capacity(capacity)

    log = tmp_path / "cublaslt.log"
    lt.logger_open_file(log)  # os.PathLike
    lt.logger_set_mask(16)  # API trace
    try:
        lt.matmul_preference_destroy(lt.matmul_preference_create())
    finally:
        lt.logger_set_mask(0)
        lt.logger_set_level(0)
    assert "cublasLtMatmulPreferenceCreate" in log.read_text()
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.logger_set_level(9)
    assert info.value.status == lt.Status.INVALID_VALUE

    if lt._lib.has("cublasLtDisableCpuInstructionsSetMask"):
        previous = lt.cublasLtDisableCpuInstructionsSetMask(0)
        assert lt.disable_cpu_instructions_set_mask(previous) is None
    else:  # cuBLASLt 13.10 declares it but does not export it
        with pytest.raises(FunctionNotFoundError, match="CUBLASLT_DISABLE_CPU_INSTRUCTIONS_MASK"):
            lt.disable_cpu_instructions_set_mask(0)


@needs_library
@pytest.mark.skipif(HAS_GPU, reason="checks the behaviour without a GPU")
def test_create_without_a_gpu_raises_with_the_c_name():
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.destroy(lt.create())
    assert (info.value.function, info.value.status) == ("cublasLtCreate", lt.Status.NOT_INITIALIZED)


@needs_library
def test_null_handles_raise_not_initialized(owned):
    desc = lt.matmul_desc_create(lt.ComputeType.COMPUTE_32F, lt.DataType.R_32F)
    owned.append((lt.matmul_desc_destroy, desc))
    layout = lt.matrix_layout_create(lt.DataType.R_32F, 4, 4, 4)
    owned.append((lt.matrix_layout_destroy, layout))
    pref = lt.matmul_preference_create()
    owned.append((lt.matmul_preference_destroy, pref))
    results, count = lt.MatmulHeuristicResult(2), np.zeros(1, np.int32)
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.matmul_algo_get_heuristic(0, desc, layout, layout, layout, layout, pref, 2, results, count)
    assert (info.value.function, info.value.status) == ("cublasLtMatmulAlgoGetHeuristic", lt.Status.NOT_INITIALIZED)
    f32 = lt.DataType.R_32F
    with pytest.raises(lt.cuBLASLtError) as info:
        lt.matmul_algo_get_ids(0, lt.ComputeType.COMPUTE_32F, f32, f32, f32, f32, f32, 8)
    assert info.value.status == lt.Status.NOT_INITIALIZED


# -- on a GPU --------------------------------------------------------------------------------

WORKSPACE = 32 << 20


def gpu(test):
    """A GPU test, which also needs the library."""
    return pytest.mark.gpu(needs_library(test))


@pytest.fixture
def handle(cp):
    cp.cuda.Device().use()  # a current context first
    h = lt.create()
    yield h
    lt.destroy(h)


def _rel_err(got, want):
    return np.linalg.norm(np.asarray(got, np.float64) - want) / np.linalg.norm(want)


def _tolerance(unit_roundoff, k):
    """A norm-wise bound for a length-k dot product rounded at ``unit_roundoff``, with margin."""
    return 10 * math.sqrt(k) * unit_roundoff


def _set(setter, obj, attr, dtype_of, value):
    buf = np.array([value], dtype_of(attr))
    setter(obj, attr, buf.ctypes.data, buf.nbytes)


def _best_algorithms(handle, desc, a, b, c, d, owned, count=4):
    """nvmath-python's planning: a MatmulHeuristicResult(count) filled through its address."""
    pref = lt.matmul_preference_create()
    owned.append((lt.matmul_preference_destroy, pref))
    _set(
        lt.matmul_preference_set_attribute,
        pref,
        P.MAX_WORKSPACE_BYTES,
        lt.get_matmul_preference_attribute_dtype,
        WORKSPACE,
    )
    results, found = lt.MatmulHeuristicResult(count), np.zeros(1, np.int32)
    lt.matmul_algo_get_heuristic(handle, desc, a, b, c, d, pref, count, results.ptr, found.ctypes.data)
    assert 1 <= found[0] <= count
    results = results[: int(found[0])]
    assert results[0].state == lt.Status.SUCCESS and 0 <= results[0].workspace_size <= WORKSPACE
    return results


# (NumPy type, compute type, scale type, unit roundoff of the arithmetic)
PRECISIONS = {
    "fp32": (np.float32, lt.ComputeType.COMPUTE_32F, lt.DataType.R_32F, 2.0**-24),
    "tf32": (np.float32, lt.ComputeType.COMPUTE_32F_FAST_TF32, lt.DataType.R_32F, 2.0**-11),
    "fp64": (np.float64, lt.ComputeType.COMPUTE_64F, lt.DataType.R_64F, 2.0**-53),
}


@gpu
@pytest.mark.parametrize("precision", sorted(PRECISIONS))
def test_gemm_through_nvmath_pythons_names(cp, handle, owned, precision):
    # D = alpha * A @ B + beta * C, column-major, with A given row-major (TRANSA = T).
    np_type, compute, scale, unit = PRECISIONS[precision]
    rng = np.random.default_rng()
    m, k, n = 96, 64, 80
    A_ = rng.standard_normal((m, k)).astype(np_type)
    B_ = rng.standard_normal((k, n)).astype(np_type)
    C_ = rng.standard_normal((m, n)).astype(np_type)
    d_A = cp.asarray(A_)  # row-major m x k: column-major k x m, A^T
    d_B = cp.asfortranarray(cp.asarray(B_))
    d_C = cp.asfortranarray(cp.asarray(C_))
    d_D = cp.empty((m, n), dtype=np_type, order="F")

    desc = lt.matmul_desc_create(compute, scale)
    owned.append((lt.matmul_desc_destroy, desc))
    _set(lt.matmul_desc_set_attribute, desc, A.TRANSA, lt.get_matmul_desc_attribute_dtype, lt.Operation.T)
    layouts = {}
    for name, rows, cols in (("a", k, m), ("b", k, n), ("c", m, n)):
        layouts[name] = lt.matrix_layout_create(scale, rows, cols, rows)
        owned.append((lt.matrix_layout_destroy, layouts[name]))
    a, b, c = layouts["a"], layouts["b"], layouts["c"]

    results = _best_algorithms(handle, desc, a, b, c, c, owned)
    best = results[0]
    workspace = cp.empty(max(best.workspace_size, 1), dtype=cp.uint8)
    alpha, beta = np.array([0.75], np_type), np.array([-0.5], np_type)
    stream = cp.cuda.Stream(non_blocking=True)
    cp.cuda.Device().synchronize()  # the inputs are on the null stream
    lt.matmul(
        handle,
        desc,
        alpha.ctypes.data,
        d_A.data.ptr,
        a,
        d_B.data.ptr,
        b,
        beta.ctypes.data,
        d_C.data.ptr,
        c,
        d_D.data.ptr,
        c,
        best["algo"].ctypes.data,
        workspace.data.ptr,
        best.workspace_size,
        stream.ptr,
    )
    stream.synchronize()
    want = 0.75 * (A_.astype(np.float64) @ B_.astype(np.float64)) - 0.5 * C_.astype(np.float64)
    assert _rel_err(cp.asnumpy(d_D), want) <= _tolerance(unit, k)
    assert np.array_equal(cp.asnumpy(d_C), C_)  # C is only read


@gpu
def test_algo_ids_init_check_and_capabilities_through_caller_memory(cp, handle, owned):
    f32, c32 = lt.DataType.R_32F, lt.ComputeType.COMPUTE_32F
    m, k, n = 64, 32, 48
    desc = lt.matmul_desc_create(c32, f32)
    owned.append((lt.matmul_desc_destroy, desc))
    a, b, d = (lt.matrix_layout_create(f32, r, c, r) for r, c in ((m, k), (k, n), (m, n)))
    owned.extend((lt.matrix_layout_destroy, x) for x in (a, b, d))
    best = _best_algorithms(handle, desc, a, b, d, d, owned)[0]
    best_algo = best["algo"]  # a NumPy record of matmul_algo_dtype

    ids = lt.matmul_algo_get_ids(handle, c32, f32, f32, f32, f32, f32, 4096)
    assert isinstance(ids, tuple) and ids and all(isinstance(i, int) for i in ids)
    written = np.zeros(1, np.uint64)
    best_id = np.zeros(1, lt.get_matmul_algo_config_attribute_dtype(CFG.ID))
    lt.matmul_algo_config_get_attribute(best_algo.ctypes.data, CFG.ID, best_id, best_id.nbytes, written)
    assert int(best_id[0]) in ids and written[0] == 4

    algo = lt.MatmulAlgo(1)
    lt.matmul_algo_init(handle, c32, f32, f32, f32, f32, f32, ids[0], algo.ptr)
    got = np.zeros(1, np.int32)
    lt.matmul_algo_config_get_attribute(algo, CFG.ID, got.ctypes.data, 4, written.ctypes.data)
    assert got[0] == ids[0]

    check = lt.MatmulHeuristicResult(1)
    lt.matmul_algo_check(handle, desc, a, b, d, d, best_algo.ctypes.data, check.ptr)
    assert check.waves_count > 0 and check.workspace_size >= 0
    as_struct = lt.MatmulHeuristicResult()  # objects instead of addresses
    lt.matmul_algo_check(handle, desc, a, b, d, d, best_algo, as_struct)
    assert as_struct.waves_count == check.waves_count

    # Array capabilities: the size first, then the values; the typed helper agrees.
    dtype = lt.get_matmul_algo_cap_attribute_dtype(CAP.TILE_IDS)
    lt.matmul_algo_cap_get_attribute(best_algo.ctypes.data, CAP.TILE_IDS, 0, 0, written.ctypes.data)
    tiles = np.zeros(int(written[0]) // np.dtype(dtype).itemsize, dtype)
    assert len(tiles) >= 1
    lt.matmul_algo_cap_get_attribute(best_algo.ctypes.data, CAP.TILE_IDS, tiles, tiles.nbytes, written)
    as_ctypes = lt.MatmulAlgo.from_buffer_copy(best_algo.tobytes())
    assert tiles.tolist() == lt.matmul_algo_cap_get(as_ctypes, CAP.TILE_IDS)
    mask = np.zeros(1, lt.get_matmul_algo_cap_attribute_dtype(CAP.POINTER_MODE_MASK))
    lt.matmul_algo_cap_get_attribute(as_ctypes, CAP.POINTER_MODE_MASK, mask, mask.nbytes, written)
    assert mask[0] & lt.PointerModeMask.HOST


@gpu
def test_matrix_transform_through_nvmath_pythons_names(cp, handle, owned):
    # C (column-major m x n) = alpha * op(A) + beta * B, A given row-major m x n (TRANSA = T).
    rng = np.random.default_rng()
    m, n = 48, 72
    A_ = rng.standard_normal((m, n)).astype(np.float32)
    B_ = rng.standard_normal((m, n)).astype(np.float32)
    d_A = cp.asarray(A_)
    d_B = cp.asfortranarray(cp.asarray(B_))
    d_C = cp.empty((m, n), dtype=cp.float32, order="F")
    f32 = lt.DataType.R_32F
    transform = lt.matrix_transform_desc_create(f32)
    owned.append((lt.matrix_transform_desc_destroy, transform))
    T = lt.MatrixTransformDescAttribute
    _set(lt.matrix_transform_desc_set_attribute, transform, T.TRANSA, lt.get_matrix_transform_desc_attribute_dtype, 1)
    a = lt.matrix_layout_create(f32, n, m, n)
    bc = lt.matrix_layout_create(f32, m, n, m)
    owned.extend([(lt.matrix_layout_destroy, a), (lt.matrix_layout_destroy, bc)])
    alpha, beta = ctypes.c_float(2.0), ctypes.c_float(0.25)
    cp.cuda.Device().synchronize()
    lt.matrix_transform(handle, transform, alpha, d_A.data.ptr, a, beta, d_B.data.ptr, bc, d_C.data.ptr, bc, 0)
    cp.cuda.Device().synchronize()
    want = 2.0 * A_.astype(np.float64) + 0.25 * B_.astype(np.float64)
    assert _rel_err(cp.asnumpy(d_C), want) <= _tolerance(2.0**-24, 2)
