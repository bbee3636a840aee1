"""Thin 1:1 ``ctypes`` bindings of cuBLASLt (``libcublasLt.so.13``; the ``nvidia-cublas`` 13.x wheel).

Functions keep their C names and argument order. Handles, descriptors, device pointers and
streams are Python ints; output parameters are returned instead of passed. Every status other
than ``CUBLAS_STATUS_SUCCESS`` raises :class:`cuBLASLtError`.

The ``*SetAttribute`` / ``*GetAttribute`` functions are bound 1:1 (a buffer and its size); the
typed helpers :func:`matmul_desc_set` / :func:`matmul_desc_get`, :func:`matrix_layout_set` /
:func:`matrix_layout_get`, :func:`matmul_preference_set` / :func:`matmul_preference_get`,
:func:`matmul_algo_config_set` / :func:`matmul_algo_config_get` and :func:`matmul_algo_cap_get`
know each attribute's C type (the ``*_ATTRIBUTE_TYPES`` tables). cuBLASLt copies an attribute's
value when it is set, so nothing is kept alive: a pointer attribute (``BIAS_POINTER``...) stores
the address only, and the memory it points to must stay valid until the matmuls that use it
have run.

Every C function also has nvmath-python's snake_case name (``matmul_desc_create``,
``matmul_algo_get_heuristic``, ``matmul``...), with its parameter names, so code written for
nvmath-python's ``nvmath.bindings.cublasLt`` runs unchanged. Those faces pass the caller's
memory as C does: buffers, output structs and output counts are addresses (or objects that own
the memory), filled in place, and such a function returns None. ``MatmulAlgo(size)`` and
``MatmulHeuristicResult(size)`` make nvmath-python's NumPy-backed struct arrays,
:func:`check_status` raises :class:`cuBLASLtError` for a status, and the
``get_*_attribute_dtype`` helpers give each attribute's NumPy type. Enum members that the CUDA
13 header dropped but nvmath-python keeps are members that iteration does not list.

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the
first call. Without a GPU (or driver) the library loads, and descriptors, layouts and
preferences can be created and configured, but :func:`cublasLtCreate` fails with
``CUBLAS_STATUS_NOT_INITIALIZED``.

Example
-------
>>> handle = cublasLtCreate()                                                   # doctest: +SKIP
>>> desc = cublasLtMatmulDescCreate(ComputeType.COMPUTE_32F, DataType.R_32F)    # doctest: +SKIP
>>> a = cublasLtMatrixLayoutCreate(DataType.R_32F, m, k, m)  # column-major      # doctest: +SKIP
>>> ...
>>> results = cublasLtMatmulAlgoGetHeuristic(handle, desc, a, b, c, c, pref, 1)  # doctest: +SKIP
>>> one, zero = ctypes.c_float(1), ctypes.c_float(0)                            # doctest: +SKIP
>>> cublasLtMatmul(handle, desc, one, A.data.ptr, a, B.data.ptr, b, zero, C.data.ptr, c,
...                C.data.ptr, c, results[0].algo, 0, 0, 0)                     # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import numbers
import os
from ctypes import (
    POINTER,
    c_char_p,
    c_float,
    c_int,
    c_int8,
    c_int32,
    c_int64,
    c_size_t,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)

import numpy as np

from ._args import c_range, c_type_name, refused
from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    # errors
    "cuBLASLtError",
    "check_status",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    # enums
    "Status",
    "ComputeType",
    "DataType",
    "LibraryProperty",
    "Operation",
    "FillMode",
    "Order",
    "BatchMode",
    "PointerMode",
    "PointerModeMask",
    "Epilogue",
    "ReductionScheme",
    "MatmulSearch",
    "MatmulInnerShape",
    "MatmulMatrixScale",
    "MatmulDescAttribute",
    "MatrixLayoutAttribute",
    "MatmulPreferenceAttribute",
    "MatmulAlgoCapAttribute",
    "MatmulAlgoConfigAttribute",
    "MatmulTile",
    "MatmulStages",
    "ClusterShape",
    "MatrixTransformDescAttribute",
    "EmulationDescAttribute",
    "IntegerWidth",
    # structures
    "MatmulAlgo",
    "MatmulHeuristicResult",
    "matmul_algo_dtype",
    "matmul_heuristic_result_dtype",
    # attribute tables
    "MATMUL_DESC_ATTRIBUTE_TYPES",
    "MATRIX_LAYOUT_ATTRIBUTE_TYPES",
    "MATMUL_PREFERENCE_ATTRIBUTE_TYPES",
    "MATMUL_ALGO_CAP_ATTRIBUTE_TYPES",
    "MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES",
    "MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES",
    # functions
    "cublasLtCreate",
    "cublasLtDestroy",
    "cublasLtGetVersion",
    "cublasLtGetCudartVersion",
    "cublasLtGetProperty",
    "cublasLtGetStatusName",
    "cublasLtGetStatusString",
    "cublasLtMatmulDescCreate",
    "cublasLtMatmulDescDestroy",
    "cublasLtMatmulDescSetAttribute",
    "cublasLtMatmulDescGetAttribute",
    "cublasLtMatrixLayoutCreate",
    "cublasLtMatrixLayoutDestroy",
    "cublasLtMatrixLayoutSetAttribute",
    "cublasLtMatrixLayoutGetAttribute",
    "cublasLtMatmulPreferenceCreate",
    "cublasLtMatmulPreferenceDestroy",
    "cublasLtMatmulPreferenceSetAttribute",
    "cublasLtMatmulPreferenceGetAttribute",
    "cublasLtMatmulAlgoGetHeuristic",
    "cublasLtMatmul",
    "cublasLtMatmulAlgoGetIds",
    "cublasLtMatmulAlgoInit",
    "cublasLtMatmulAlgoCheck",
    "cublasLtMatmulAlgoCapGetAttribute",
    "cublasLtMatmulAlgoConfigSetAttribute",
    "cublasLtMatmulAlgoConfigGetAttribute",
    "cublasLtMatrixTransform",
    "cublasLtMatrixTransformDescCreate",
    "cublasLtMatrixTransformDescDestroy",
    "cublasLtMatrixTransformDescSetAttribute",
    "cublasLtMatrixTransformDescGetAttribute",
    "cublasLtGroupedMatrixLayoutCreate",
    "cublasLtEmulationDescCreate",
    "cublasLtEmulationDescDestroy",
    "cublasLtEmulationDescSetAttribute",
    "cublasLtEmulationDescGetAttribute",
    "cublasLtLoggerOpenFile",
    "cublasLtLoggerSetLevel",
    "cublasLtLoggerSetMask",
    "cublasLtLoggerForceDisable",
    "cublasLtHeuristicsCacheGetCapacity",
    "cublasLtHeuristicsCacheSetCapacity",
    "cublasLtDisableCpuInstructionsSetMask",
    # nvmath-python's names (snake_case, caller-owned outputs)
    "create",
    "destroy",
    "get_version",
    "get_cudart_version",
    "get_property",
    "get_status_name",
    "get_status_string",
    "matmul_desc_create",
    "matmul_desc_destroy",
    "matmul_desc_set_attribute",
    "matmul_desc_get_attribute",
    "matrix_layout_create",
    "matrix_layout_destroy",
    "matrix_layout_set_attribute",
    "matrix_layout_get_attribute",
    "grouped_matrix_layout_create",
    "matrix_transform_desc_create",
    "matrix_transform_desc_destroy",
    "matrix_transform_desc_set_attribute",
    "matrix_transform_desc_get_attribute",
    "matrix_transform",
    "matmul_preference_create",
    "matmul_preference_destroy",
    "matmul_preference_set_attribute",
    "matmul_preference_get_attribute",
    "emulation_desc_create",
    "emulation_desc_destroy",
    "emulation_desc_set_attribute",
    "emulation_desc_get_attribute",
    "matmul_algo_get_heuristic",
    "matmul_algo_get_ids",
    "matmul_algo_init",
    "matmul_algo_check",
    "matmul_algo_cap_get_attribute",
    "matmul_algo_config_set_attribute",
    "matmul_algo_config_get_attribute",
    "matmul",
    "logger_open_file",
    "logger_set_level",
    "logger_set_mask",
    "logger_force_disable",
    "heuristics_cache_get_capacity",
    "heuristics_cache_set_capacity",
    "disable_cpu_instructions_set_mask",
    "get_matmul_desc_attribute_dtype",
    "get_matrix_layout_attribute_dtype",
    "get_matmul_preference_attribute_dtype",
    "get_matmul_algo_cap_attribute_dtype",
    "get_matmul_algo_config_attribute_dtype",
    "get_matrix_transform_desc_attribute_dtype",
    "get_emulation_desc_attribute_dtype",
    # typed attribute helpers
    "matmul_desc_set",
    "matmul_desc_get",
    "matrix_layout_set",
    "matrix_layout_get",
    "matmul_preference_set",
    "matmul_preference_get",
    "matmul_algo_config_set",
    "matmul_algo_config_get",
    "matmul_algo_cap_get",
]


# -- enums (values from the CUDA 13 cublas_api.h, cublasLt.h and library_types.h) -----------


class Status(enum.IntEnum):
    """``cublasStatus_t`` (``CUBLAS_STATUS_`` prefix dropped)."""

    SUCCESS = 0
    NOT_INITIALIZED = 1
    ALLOC_FAILED = 3
    INVALID_VALUE = 7
    ARCH_MISMATCH = 8
    MAPPING_ERROR = 11
    EXECUTION_FAILED = 13
    INTERNAL_ERROR = 14
    NOT_SUPPORTED = 15
    LICENSE_ERROR = 16


class ComputeType(enum.IntEnum):
    """``cublasComputeType_t`` (``CUBLAS_`` prefix dropped)."""

    COMPUTE_16F = 64
    COMPUTE_16F_PEDANTIC = 65
    COMPUTE_32F = 68
    COMPUTE_32F_PEDANTIC = 69
    COMPUTE_32F_FAST_16F = 74
    COMPUTE_32F_FAST_16BF = 75
    COMPUTE_32F_FAST_TF32 = 77
    COMPUTE_32F_EMULATED_16BFX9 = 78  # CUDA 13 (cuBLAS 13.0 Update 1): emulated FP32 via BF16x9
    COMPUTE_64F = 70
    COMPUTE_64F_PEDANTIC = 71
    COMPUTE_64F_EMULATED_FIXEDPOINT = 79  # CUDA 13: emulated FP64 via fixed point (Ozaki)
    COMPUTE_32I = 72
    COMPUTE_32I_PEDANTIC = 73


class DataType(enum.IntEnum):
    """``cudaDataType`` (``CUDA_`` prefix dropped)."""

    R_16F = 2
    C_16F = 6
    R_16BF = 14
    C_16BF = 15
    R_32F = 0
    C_32F = 4
    R_64F = 1
    C_64F = 5
    R_4I = 16
    C_4I = 17
    R_4U = 18
    C_4U = 19
    R_8I = 3
    C_8I = 7
    R_8U = 8
    C_8U = 9
    R_16I = 20
    C_16I = 21
    R_16U = 22
    C_16U = 23
    R_32I = 10
    C_32I = 11
    R_32U = 12
    C_32U = 13
    R_64I = 24
    C_64I = 25
    R_64U = 26
    C_64U = 27
    R_8F_E4M3 = 28
    R_8F_UE4M3 = 28  # an alias of R_8F_E4M3 in the header
    R_8F_E5M2 = 29
    R_8F_UE8M0 = 30
    R_6F_E2M3 = 31
    R_6F_E3M2 = 32
    R_4F_E2M1 = 33
    R_8F_UE5M3 = 34


class LibraryProperty(enum.IntEnum):
    """``libraryPropertyType``, for :func:`cublasLtGetProperty`."""

    MAJOR_VERSION = 0
    MINOR_VERSION = 1
    PATCH_LEVEL = 2


class Operation(enum.IntEnum):
    """``cublasOperation_t`` (``CUBLAS_OP_`` dropped): ``TRANSA`` / ``TRANSB`` / ``TRANSC``."""

    N = 0
    T = 1
    C = 2
    HERMITAN = 2  # synonym of C in the header
    CONJG = 3  # "placeholder - not supported in the current release"


class FillMode(enum.IntEnum):
    """``cublasFillMode_t`` (``CUBLAS_FILL_MODE_`` dropped), for ``MatmulDescAttribute.FILL_MODE``."""

    LOWER = 0
    UPPER = 1
    FULL = 2


class Order(enum.IntEnum):
    """``cublasLtOrder_t`` (``CUBLASLT_ORDER_`` dropped)."""

    COL = 0
    ROW = 1
    COL32 = 2
    COL4_4R2_8C = 3
    COL32_2R_4R4 = 4


class BatchMode(enum.IntEnum):
    """``cublasLtBatchMode_t`` (``CUBLASLT_BATCH_MODE_`` dropped)."""

    STRIDED = 0
    POINTER_ARRAY = 1
    GROUPED = 2  # experimental


class PointerMode(enum.IntEnum):
    """``cublasLtPointerMode_t`` (``CUBLASLT_POINTER_MODE_`` dropped): where alpha and beta are."""

    HOST = 0
    DEVICE = 1
    DEVICE_VECTOR = 2
    ALPHA_DEVICE_VECTOR_BETA_ZERO = 3
    ALPHA_DEVICE_VECTOR_BETA_HOST = 4


class PointerModeMask(enum.IntFlag):
    """``cublasLtPointerModeMask_t`` (``CUBLASLT_POINTER_MODE_MASK_`` dropped), for
    ``MatmulAlgoCapAttribute.POINTER_MODE_MASK``."""

    HOST = 1
    DEVICE = 2
    DEVICE_VECTOR = 4
    ALPHA_DEVICE_VECTOR_BETA_ZERO = 8
    ALPHA_DEVICE_VECTOR_BETA_HOST = 16
    NO_FILTERING = 0  # the preference value "any pointer mode"; as a zero flag, never iterated


class Epilogue(enum.IntEnum):
    """``cublasLtEpilogue_t`` (``CUBLASLT_EPILOGUE_`` dropped)."""

    DEFAULT = 1
    RELU = 2
    RELU_AUX = 2 | 128
    BIAS = 4
    RELU_BIAS = 2 | 4
    RELU_AUX_BIAS = 2 | 128 | 4
    DRELU = 8 | 128
    DRELU_BGRAD = 8 | 128 | 16
    GELU = 32
    GELU_AUX = 32 | 128
    GELU_BIAS = 32 | 4
    GELU_AUX_BIAS = 32 | 128 | 4
    DGELU = 64 | 128
    DGELU_BGRAD = 64 | 128 | 16
    BGRADA = 256
    BGRADB = 512


class ReductionScheme(enum.IntEnum):
    """``cublasLtReductionScheme_t`` (``CUBLASLT_REDUCTION_SCHEME_`` dropped): split-K reduction."""

    NONE = 0
    INPLACE = 1
    COMPUTE_TYPE = 2
    OUTPUT_TYPE = 4
    MASK = 0x7


class MatmulSearch(enum.IntEnum):
    """``cublasLtMatmulSearch_t`` (``CUBLASLT_SEARCH_`` dropped).

    The header's reserved values 2-9 are the unlisted members ``RESERVED_02`` ... ``RESERVED_09``
    (see :func:`_add_unlisted_members`).
    """

    BEST_FIT = 0
    LIMITED_BY_ALGO_ID = 1


class MatmulInnerShape(enum.IntEnum):
    """``cublasLtMatmulInnerShape_t`` (``CUBLASLT_MATMUL_INNER_SHAPE_`` dropped)."""

    UNDEFINED = 0
    MMA884 = 1
    MMA1684 = 2
    MMA1688 = 3
    MMA16816 = 4


class MatmulMatrixScale(enum.IntEnum):
    """``cublasLtMatmulMatrixScale_t`` (``CUBLASLT_MATMUL_MATRIX_SCALE_`` dropped), for the
    ``*_SCALE_MODE`` attributes."""

    SCALAR_32F = 0
    VEC16_UE4M3 = 1
    VEC32_UE8M0 = 2
    OUTER_VEC_32F = 3
    VEC128_32F = 4
    BLK128x128_32F = 5
    PER_BATCH_SCALAR_32F = 6  # experimental
    VEC128_MN_K4_UE8M0 = 12
    VEC32_MN_K4_UE8M0 = 13


class MatmulDescAttribute(enum.IntEnum):
    """``cublasLtMatmulDescAttributes_t`` (``CUBLASLT_MATMUL_DESC_`` dropped).

    The C type of each is in :data:`MATMUL_DESC_ATTRIBUTE_TYPES`. 9, 16 and 27-30 are not in
    the CUDA 13 header (27-30, the ``ATOMIC_SYNC_*`` attributes of CUDA 12, were removed).
    """

    COMPUTE_TYPE = 0
    SCALE_TYPE = 1
    POINTER_MODE = 2
    TRANSA = 3
    TRANSB = 4
    TRANSC = 5
    FILL_MODE = 6
    EPILOGUE = 7
    BIAS_POINTER = 8
    BIAS_BATCH_STRIDE = 10
    EPILOGUE_AUX_POINTER = 11
    EPILOGUE_AUX_LD = 12
    EPILOGUE_AUX_BATCH_STRIDE = 13
    ALPHA_VECTOR_BATCH_STRIDE = 14
    SM_COUNT_TARGET = 15
    A_SCALE_POINTER = 17
    B_SCALE_POINTER = 18
    C_SCALE_POINTER = 19
    D_SCALE_POINTER = 20
    AMAX_D_POINTER = 21
    EPILOGUE_AUX_DATA_TYPE = 22
    EPILOGUE_AUX_SCALE_POINTER = 23
    EPILOGUE_AUX_AMAX_POINTER = 24
    FAST_ACCUM = 25
    BIAS_DATA_TYPE = 26
    A_SCALE_MODE = 31
    B_SCALE_MODE = 32
    C_SCALE_MODE = 33
    D_SCALE_MODE = 34
    EPILOGUE_AUX_SCALE_MODE = 35
    D_OUT_SCALE_POINTER = 36
    D_OUT_SCALE_MODE = 37
    EMULATION_DESCRIPTOR = 38
    ALPHA_BATCH_STRIDE = 39  # experimental
    BETA_BATCH_STRIDE = 40  # experimental
    BATCH_INVARIANCE_FLAGS = 41  # experimental


class MatrixLayoutAttribute(enum.IntEnum):
    """``cublasLtMatrixLayoutAttribute_t`` (``CUBLASLT_MATRIX_LAYOUT_`` dropped; the
    experimental ``CUBLASLT_GROUPED_MATRIX_LAYOUT_X`` are ``GROUPED_X``)."""

    TYPE = 0
    ORDER = 1
    ROWS = 2
    COLS = 3
    LD = 4
    BATCH_COUNT = 5
    STRIDED_BATCH_OFFSET = 6
    PLANE_OFFSET = 7
    BATCH_MODE = 8
    GROUPED_ROWS_ARRAY = 9
    GROUPED_COLS_ARRAY = 10
    GROUPED_LD_ARRAY = 11
    GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH = 12
    GROUPED_LD_ARRAY_INTEGER_WIDTH = 13


class MatmulPreferenceAttribute(enum.IntEnum):
    """``cublasLtMatmulPreferenceAttributes_t`` (``CUBLASLT_MATMUL_PREF_`` dropped)."""

    SEARCH_MODE = 0
    MAX_WORKSPACE_BYTES = 1
    REDUCTION_SCHEME_MASK = 3
    MIN_ALIGNMENT_A_BYTES = 5
    MIN_ALIGNMENT_B_BYTES = 6
    MIN_ALIGNMENT_C_BYTES = 7
    MIN_ALIGNMENT_D_BYTES = 8
    MAX_WAVES_COUNT = 9
    IMPL_MASK = 12
    GROUPED_AVERAGE_REDUCTION_DIM = 13  # experimental
    GROUPED_DESC_D_AVERAGE_ROWS = 14  # experimental
    GROUPED_DESC_D_AVERAGE_COLS = 15  # experimental
    # CUDA 11's SM_COUNT_TARGET had the value 13 that GROUPED_AVERAGE_REDUCTION_DIM now has:
    # nvmath-python keeps the name, so it is an alias here too.
    SM_COUNT_TARGET = 13


class MatmulAlgoCapAttribute(enum.IntEnum):
    """``cublasLtMatmulAlgoCapAttributes_t`` (``CUBLASLT_ALGO_CAP_`` dropped)."""

    SPLITK_SUPPORT = 0
    REDUCTION_SCHEME_MASK = 1
    CTA_SWIZZLING_SUPPORT = 2
    STRIDED_BATCH_SUPPORT = 3
    OUT_OF_PLACE_RESULT_SUPPORT = 4
    UPLO_SUPPORT = 5
    TILE_IDS = 6
    CUSTOM_OPTION_MAX = 7
    CUSTOM_MEMORY_ORDER = 10
    POINTER_MODE_MASK = 11
    EPILOGUE_MASK = 12
    STAGES_IDS = 13
    LD_NEGATIVE = 14
    NUMERICAL_IMPL_FLAGS = 15
    MIN_ALIGNMENT_A_BYTES = 16
    MIN_ALIGNMENT_B_BYTES = 17
    MIN_ALIGNMENT_C_BYTES = 18
    MIN_ALIGNMENT_D_BYTES = 19
    POINTER_ARRAY_BATCH_SUPPORT = 21
    FLOATING_POINT_EMULATION_SUPPORT = 22
    POINTER_ARRAY_GROUPED_SUPPORT = 23


class MatmulAlgoConfigAttribute(enum.IntEnum):
    """``cublasLtMatmulAlgoConfigAttributes_t`` (``CUBLASLT_ALGO_CONFIG_`` dropped)."""

    ID = 0
    TILE_ID = 1
    SPLITK_NUM = 2
    REDUCTION_SCHEME = 3
    CTA_SWIZZLING = 4
    CUSTOM_OPTION = 5
    STAGES_ID = 6
    INNER_SHAPE_ID = 7
    CLUSTER_SHAPE_ID = 8


# ``cublasLtMatmulTile_t``: CUBLASLT_MATMUL_TILE_<rows>x<cols>, numbered 1, 2, ... in this order
# (0 is UNDEFINED); the header numbers them consecutively.
_TILE_SHAPES = """
8x8 8x16 16x8 8x32 16x16 32x8 8x64 16x32 32x16 64x8 32x32 32x64 64x32 32x128 64x64 128x32 64x128 128x64 64x256
128x128 256x64 64x512 128x256 256x128 512x64 64x96 96x64 96x128 128x160 160x128 192x128 128x192 128x96 32x256
256x32 8x128 8x192 8x256 8x320 8x384 8x448 8x512 8x576 8x640 8x704 8x768 16x64 16x128 16x192 16x256 16x320
16x384 16x448 16x512 16x576 16x640 16x704 16x768 24x64 24x128 24x192 24x256 24x320 24x384 24x448 24x512 24x576
24x640 24x704 24x768 32x192 32x320 32x384 32x448 32x512 32x576 32x640 32x704 32x768 40x64 40x128 40x192 40x256
40x320 40x384 40x448 40x512 40x576 40x640 40x704 40x768 48x64 48x128 48x192 48x256 48x320 48x384 48x448 48x512
48x576 48x640 48x704 48x768 56x64 56x128 56x192 56x256 56x320 56x384 56x448 56x512 56x576 56x640 56x704 56x768
64x192 64x320 64x384 64x448 64x576 64x640 64x704 64x768 72x64 72x128 72x192 72x256 72x320 72x384 72x448 72x512
72x576 72x640 80x64 80x128 80x192 80x256 80x320 80x384 80x448 80x512 80x576 88x64 88x128 88x192 88x256 88x320
88x384 88x448 88x512 96x192 96x256 96x320 96x384 96x448 96x512 104x64 104x128 104x192 104x256 104x320 104x384
104x448 112x64 112x128 112x192 112x256 112x320 112x384 120x64 120x128 120x192 120x256 120x320 120x384 128x320
128x384 136x64 136x128 136x192 136x256 136x320 144x64 144x128 144x192 144x256 144x320 152x64 152x128 152x192
152x256 152x320 160x64 160x192 160x256 168x64 168x128 168x192 168x256 176x64 176x128 176x192 176x256 184x64
184x128 184x192 184x256 192x64 192x192 192x256 200x64 200x128 200x192 208x64 208x128 208x192 216x64 216x128
216x192 224x64 224x128 224x192 232x64 232x128 232x192 240x64 240x128 240x192 248x64 248x128 248x192 256x192
264x64 264x128 272x64 272x128 280x64 280x128 288x64 288x128 296x64 296x128 304x64 304x128 312x64 312x128
320x64 320x128 328x64 328x128 336x64 336x128 344x64 344x128 352x64 352x128 360x64 360x128 368x64 368x128
376x64 376x128 384x64 384x128 392x64 400x64 408x64 416x64 424x64 432x64 440x64 448x64 456x64 464x64 472x64
480x64 488x64 496x64 504x64 520x64 528x64 536x64 544x64 552x64 560x64 568x64 576x64 584x64 592x64 600x64
608x64 616x64 624x64 632x64 640x64 648x64 656x64 664x64 672x64 680x64 688x64 696x64 704x64 712x64 720x64
728x64 736x64 744x64 752x64 760x64 768x64 64x16 64x24 64x40 64x48 64x56 64x72 64x80 64x88 64x104 64x112 64x120
64x136 64x144 64x152 64x160 64x168 64x176 64x184 64x200 64x208 64x216 64x224 64x232 64x240 64x248 64x264
64x272 64x280 64x288 64x296 64x304 64x312 64x328 64x336 64x344 64x352 64x360 64x368 64x376 64x392 64x400
64x408 64x416 64x424 64x432 64x440 64x456 64x464 64x472 64x480 64x488 64x496 64x504 64x520 64x528 64x536
64x544 64x552 64x560 64x568 64x584 64x592 64x600 64x608 64x616 64x624 64x632 64x648 64x656 64x664 64x672
64x680 64x688 64x696 64x712 64x720 64x728 64x736 64x744 64x752 64x760 128x8 128x16 128x24 128x40 128x48 128x56
128x72 128x80 128x88 128x104 128x112 128x120 128x136 128x144 128x152 128x168 128x176 128x184 128x200 128x208
128x216 128x224 128x232 128x240 128x248 128x264 128x272 128x280 128x288 128x296 128x304 128x312 128x328
128x336 128x344 128x352 128x360 128x368 128x376 128x392 128x400 128x408 128x416 128x424 128x432 128x440
128x448 128x456 128x464 128x472 128x480 128x488 128x496 128x504 128x512 192x8 192x16 192x24 192x32 192x40
192x48 192x56 192x72 192x80 192x88 192x96 192x104 192x112 192x120 192x136 192x144 192x152 192x160 192x168
192x176 192x184 192x200 192x208 192x216 192x224 192x232 192x240 192x248 192x264 192x272 192x280 192x288
192x296 192x304 192x312 192x320 192x328 192x336 256x8 256x16 256x24 256x40 256x48 256x56 256x72 256x80 256x88
256x96 256x104 256x112 256x120 256x136 256x144 256x152 256x160 256x168 256x176 256x184 256x200 256x208 256x216
256x224 256x232 256x240 256x248 256x256 320x8 320x16 320x24 320x32 320x40 320x48 320x56 320x72 320x80 320x88
320x96 320x104 320x112 320x120 320x136 320x144 320x152 320x160 320x168 320x176 320x184 320x192 320x200 384x8
384x16 384x24 384x32 384x40 384x48 384x56 384x72 384x80 384x88 384x96 384x104 384x112 384x120 384x136 384x144
384x152 384x160 384x168 448x8 448x16 448x24 448x32 448x40 448x48 448x56 448x72 448x80 448x88 448x96 448x104
448x112 448x120 448x128 448x136 448x144 512x8 512x16 512x24 512x32 512x40 512x48 512x56 512x72 512x80 512x88
512x96 512x104 512x112 512x120 512x128 576x8 576x16 576x24 576x32 576x40 576x48 576x56 576x72 576x80 576x88
576x96 576x104 576x112 640x8 640x16 640x24 640x32 640x40 640x48 640x56 640x72 640x80 640x88 640x96 704x8
704x16 704x24 704x32 704x40 704x48 704x56 704x72 704x80 704x88 768x8 768x16 768x24 768x32 768x40 768x48 768x56
768x72 768x80 256x512 256x1024 512x512 512x1024
"""

MatmulTile = enum.IntEnum(
    "MatmulTile",
    [("TILE_UNDEFINED", 0)] + [(f"TILE_{shape}", i) for i, shape in enumerate(_TILE_SHAPES.split(), 1)],
    module=__name__,
)
MatmulTile.__doc__ = """``cublasLtMatmulTile_t`` (``CUBLASLT_MATMUL_`` dropped): ``TILE_<rows>x<cols>``, for
``MatmulAlgoConfigAttribute.TILE_ID`` and ``MatmulAlgoCapAttribute.TILE_IDS``."""


class MatmulStages(enum.IntEnum):
    """``cublasLtMatmulStages_t`` (``CUBLASLT_MATMUL_`` dropped): ``STAGES_<size>x<count>``, for
    ``MatmulAlgoConfigAttribute.STAGES_ID`` and ``MatmulAlgoCapAttribute.STAGES_IDS``."""

    STAGES_UNDEFINED = 0
    STAGES_16x1 = 1
    STAGES_16x2 = 2
    STAGES_16x3 = 3
    STAGES_16x4 = 4
    STAGES_16x5 = 5
    STAGES_16x6 = 6
    STAGES_32x1 = 7
    STAGES_32x2 = 8
    STAGES_32x3 = 9
    STAGES_32x4 = 10
    STAGES_32x5 = 11
    STAGES_32x6 = 12
    STAGES_64x1 = 13
    STAGES_64x2 = 14
    STAGES_64x3 = 15
    STAGES_64x4 = 16
    STAGES_64x5 = 17
    STAGES_64x6 = 18
    STAGES_128x1 = 19
    STAGES_128x2 = 20
    STAGES_128x3 = 21
    STAGES_128x4 = 22
    STAGES_128x5 = 23
    STAGES_128x6 = 24
    STAGES_32x10 = 25
    STAGES_8x4 = 26
    STAGES_16x10 = 27
    STAGES_8x5 = 28
    STAGES_16x80 = 29
    STAGES_64x80 = 30
    STAGES_8x3 = 31
    STAGES_8xAUTO = 32
    STAGES_16xAUTO = 33
    STAGES_32xAUTO = 34
    STAGES_64xAUTO = 35
    STAGES_128xAUTO = 36
    STAGES_256xAUTO = 37
    STAGES_768xAUTO = 38


class ClusterShape(enum.IntEnum):
    """``cublasLtClusterShape_t`` (``CUBLASLT_CLUSTER_`` dropped): ``SHAPE_<x>x<y>x<z>``, for
    ``MatmulAlgoConfigAttribute.CLUSTER_SHAPE_ID`` (thread block clusters, Hopper and newer)."""

    SHAPE_AUTO = 0
    SHAPE_1x1x1 = 2
    SHAPE_2x1x1 = 3
    SHAPE_4x1x1 = 4
    SHAPE_1x2x1 = 5
    SHAPE_2x2x1 = 6
    SHAPE_4x2x1 = 7
    SHAPE_1x4x1 = 8
    SHAPE_2x4x1 = 9
    SHAPE_4x4x1 = 10
    SHAPE_8x1x1 = 11
    SHAPE_1x8x1 = 12
    SHAPE_8x2x1 = 13
    SHAPE_2x8x1 = 14
    SHAPE_16x1x1 = 15
    SHAPE_1x16x1 = 16
    SHAPE_3x1x1 = 17
    SHAPE_5x1x1 = 18
    SHAPE_6x1x1 = 19
    SHAPE_7x1x1 = 20
    SHAPE_9x1x1 = 21
    SHAPE_10x1x1 = 22
    SHAPE_11x1x1 = 23
    SHAPE_12x1x1 = 24
    SHAPE_13x1x1 = 25
    SHAPE_14x1x1 = 26
    SHAPE_15x1x1 = 27
    SHAPE_3x2x1 = 28
    SHAPE_5x2x1 = 29
    SHAPE_6x2x1 = 30
    SHAPE_7x2x1 = 31
    SHAPE_1x3x1 = 32
    SHAPE_2x3x1 = 33
    SHAPE_3x3x1 = 34
    SHAPE_4x3x1 = 35
    SHAPE_5x3x1 = 36
    SHAPE_3x4x1 = 37
    SHAPE_1x5x1 = 38
    SHAPE_2x5x1 = 39
    SHAPE_3x5x1 = 40
    SHAPE_1x6x1 = 41
    SHAPE_2x6x1 = 42
    SHAPE_1x7x1 = 43
    SHAPE_2x7x1 = 44
    SHAPE_1x9x1 = 45
    SHAPE_1x10x1 = 46
    SHAPE_1x11x1 = 47
    SHAPE_1x12x1 = 48
    SHAPE_1x13x1 = 49
    SHAPE_1x14x1 = 50
    SHAPE_1x15x1 = 51


class MatrixTransformDescAttribute(enum.IntEnum):
    """``cublasLtMatrixTransformDescAttributes_t`` (``CUBLASLT_MATRIX_TRANSFORM_DESC_`` dropped),
    for :func:`cublasLtMatrixTransformDescSetAttribute`; every one is an ``int32_t``."""

    SCALE_TYPE = 0  # a DataType
    POINTER_MODE = 1  # a PointerMode
    TRANSA = 2  # an Operation
    TRANSB = 3  # an Operation


class EmulationDescAttribute(enum.IntEnum):
    """``cublasLtEmulationDescAttributes_t`` (``CUBLASLT_EMULATION_DESC_`` dropped): floating-point
    emulation settings, for :func:`cublasLtEmulationDescSetAttribute` (an emulation descriptor
    takes effect through ``MatmulDescAttribute.EMULATION_DESCRIPTOR``)."""

    STRATEGY = 0
    SPECIAL_VALUES_SUPPORT = 1
    FIXEDPOINT_MANTISSA_CONTROL = 2
    FIXEDPOINT_MAX_MANTISSA_BIT_COUNT = 3
    FIXEDPOINT_MANTISSA_BIT_OFFSET = 4
    FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER = 5  # a device int32_t* (-1 written when not emulated)


class IntegerWidth(enum.IntEnum):
    """``cublasLtIntegerWidth_t`` (``CUBLASLT_INTEGER_`` dropped): the element width of the
    grouped layouts' shape arrays (``MatrixLayoutAttribute.GROUPED_*_INTEGER_WIDTH``)."""

    WIDTH_32 = 0
    WIDTH_64 = 1


def _add_unlisted_members(enum_cls: type[enum.IntEnum], members: dict[str, int]) -> None:
    """Give ``enum_cls`` members that the CUDA 13 header no longer has, without listing them.

    nvmath-python's enums were generated from every header since CUDA 11, so they keep values
    later headers removed (cuBLASLt 13 answers them with ``CUBLAS_STATUS_INVALID_VALUE``). Each
    is a true member: ``enum_cls.NAME``, ``enum_cls(value)``, ``enum_cls["NAME"]``, ``repr`` and
    pickling work. Like an alias, it is left out of iteration and ``len()``, so a loop over the
    attributes (querying every capability, say) sees only what this cuBLASLt has.
    """
    for name, value in members.items():
        if name in enum_cls.__members__ or value in enum_cls._value2member_map_:
            raise ValueError(f"{enum_cls.__name__}.{name}={value} is already a member or value")
        member = int.__new__(enum_cls, value)
        member._name_ = name
        member._value_ = value
        member._sort_order_ = len(enum_cls._member_map_)
        type.__setattr__(enum_cls, name, member)
        enum_cls._member_map_[name] = member
        enum_cls._value2member_map_[value] = member


# Removed after CUDA 12 (see _add_unlisted_members); the values are those of the older headers.
_add_unlisted_members(
    MatmulDescAttribute,
    {
        "ATOMIC_SYNC_NUM_CHUNKS_D_ROWS": 27,
        "ATOMIC_SYNC_NUM_CHUNKS_D_COLS": 28,
        "ATOMIC_SYNC_IN_COUNTERS_POINTER": 29,
        "ATOMIC_SYNC_OUT_COUNTERS_POINTER": 30,
    },
)
_add_unlisted_members(
    MatmulPreferenceAttribute,
    {"MATH_MODE_MASK": 2, "GAUSSIAN_MODE_MASK": 4, "POINTER_MODE_MASK": 10, "EPILOGUE_MASK": 11},
)
_add_unlisted_members(MatmulAlgoCapAttribute, {"MATHMODE_IMPL": 8, "GAUSSIAN_IMPL": 9, "ATOMIC_SYNC": 20})
_add_unlisted_members(MatmulSearch, {f"RESERVED_{v:02d}": v for v in range(2, 10)})


# -- attribute tables: the C type of each attribute (from the header's comments) ------------

_PTR = c_void_p

# attribute -> (ctypes type, enum class the typed getters return, or None)
_DESC = {
    MatmulDescAttribute.COMPUTE_TYPE: (c_int32, ComputeType),
    MatmulDescAttribute.SCALE_TYPE: (c_int32, DataType),
    MatmulDescAttribute.POINTER_MODE: (c_int32, PointerMode),
    MatmulDescAttribute.TRANSA: (c_int32, Operation),
    MatmulDescAttribute.TRANSB: (c_int32, Operation),
    MatmulDescAttribute.TRANSC: (c_int32, Operation),
    MatmulDescAttribute.FILL_MODE: (c_int32, FillMode),
    MatmulDescAttribute.EPILOGUE: (c_uint32, Epilogue),
    MatmulDescAttribute.BIAS_POINTER: (_PTR, None),
    MatmulDescAttribute.BIAS_BATCH_STRIDE: (c_int64, None),
    MatmulDescAttribute.EPILOGUE_AUX_POINTER: (_PTR, None),
    MatmulDescAttribute.EPILOGUE_AUX_LD: (c_int64, None),
    MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE: (c_int64, None),
    MatmulDescAttribute.ALPHA_VECTOR_BATCH_STRIDE: (c_int64, None),
    MatmulDescAttribute.SM_COUNT_TARGET: (c_int32, None),
    MatmulDescAttribute.A_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.B_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.C_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.D_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.AMAX_D_POINTER: (_PTR, None),
    MatmulDescAttribute.EPILOGUE_AUX_DATA_TYPE: (c_int32, DataType),  # default -1: unset
    MatmulDescAttribute.EPILOGUE_AUX_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.EPILOGUE_AUX_AMAX_POINTER: (_PTR, None),
    MatmulDescAttribute.FAST_ACCUM: (c_int8, None),
    MatmulDescAttribute.BIAS_DATA_TYPE: (c_int32, DataType),  # default -1: unset
    MatmulDescAttribute.A_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.B_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.C_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.D_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.EPILOGUE_AUX_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.D_OUT_SCALE_POINTER: (_PTR, None),
    MatmulDescAttribute.D_OUT_SCALE_MODE: (c_int32, MatmulMatrixScale),
    MatmulDescAttribute.EMULATION_DESCRIPTOR: (_PTR, None),  # a cublasLtEmulationDesc_t
    MatmulDescAttribute.ALPHA_BATCH_STRIDE: (c_int64, None),
    MatmulDescAttribute.BETA_BATCH_STRIDE: (c_int64, None),
    MatmulDescAttribute.BATCH_INVARIANCE_FLAGS: (c_int32, None),  # a C enum
}

_LAYOUT = {
    MatrixLayoutAttribute.TYPE: (c_uint32, DataType),
    MatrixLayoutAttribute.ORDER: (c_int32, Order),
    MatrixLayoutAttribute.ROWS: (c_uint64, None),
    MatrixLayoutAttribute.COLS: (c_uint64, None),
    MatrixLayoutAttribute.LD: (c_int64, None),
    MatrixLayoutAttribute.BATCH_COUNT: (c_int32, None),
    MatrixLayoutAttribute.STRIDED_BATCH_OFFSET: (c_int64, None),
    MatrixLayoutAttribute.PLANE_OFFSET: (c_int64, None),
    MatrixLayoutAttribute.BATCH_MODE: (c_uint32, BatchMode),
    MatrixLayoutAttribute.GROUPED_ROWS_ARRAY: (_PTR, None),
    MatrixLayoutAttribute.GROUPED_COLS_ARRAY: (_PTR, None),
    MatrixLayoutAttribute.GROUPED_LD_ARRAY: (_PTR, None),
    MatrixLayoutAttribute.GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH: (c_int32, None),
    MatrixLayoutAttribute.GROUPED_LD_ARRAY_INTEGER_WIDTH: (c_int32, None),
}

_PREFERENCE = {
    MatmulPreferenceAttribute.SEARCH_MODE: (c_uint32, MatmulSearch),
    MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES: (c_uint64, None),
    MatmulPreferenceAttribute.REDUCTION_SCHEME_MASK: (c_uint32, None),
    MatmulPreferenceAttribute.MIN_ALIGNMENT_A_BYTES: (c_uint32, None),
    MatmulPreferenceAttribute.MIN_ALIGNMENT_B_BYTES: (c_uint32, None),
    MatmulPreferenceAttribute.MIN_ALIGNMENT_C_BYTES: (c_uint32, None),
    MatmulPreferenceAttribute.MIN_ALIGNMENT_D_BYTES: (c_uint32, None),
    MatmulPreferenceAttribute.MAX_WAVES_COUNT: (c_float, None),
    MatmulPreferenceAttribute.IMPL_MASK: (c_uint64, None),
    # The header says uint32_t for these three, but cuBLASLt 13.10 stores (and checks for)
    # 8 bytes: a 4-byte value is refused with CUBLAS_STATUS_INVALID_VALUE.
    MatmulPreferenceAttribute.GROUPED_AVERAGE_REDUCTION_DIM: (c_uint64, None),
    MatmulPreferenceAttribute.GROUPED_DESC_D_AVERAGE_ROWS: (c_uint64, None),
    MatmulPreferenceAttribute.GROUPED_DESC_D_AVERAGE_COLS: (c_uint64, None),
}

_CAP = {
    MatmulAlgoCapAttribute.SPLITK_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.REDUCTION_SCHEME_MASK: (c_uint32, None),
    MatmulAlgoCapAttribute.CTA_SWIZZLING_SUPPORT: (c_uint32, None),
    MatmulAlgoCapAttribute.STRIDED_BATCH_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.OUT_OF_PLACE_RESULT_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.UPLO_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.TILE_IDS: (c_uint32, None),  # an array
    MatmulAlgoCapAttribute.CUSTOM_OPTION_MAX: (c_int32, None),
    MatmulAlgoCapAttribute.CUSTOM_MEMORY_ORDER: (c_int32, None),
    MatmulAlgoCapAttribute.POINTER_MODE_MASK: (c_uint32, PointerModeMask),
    MatmulAlgoCapAttribute.EPILOGUE_MASK: (c_uint32, None),
    MatmulAlgoCapAttribute.STAGES_IDS: (c_uint32, None),  # an array
    MatmulAlgoCapAttribute.LD_NEGATIVE: (c_int32, None),
    MatmulAlgoCapAttribute.NUMERICAL_IMPL_FLAGS: (c_uint64, None),
    MatmulAlgoCapAttribute.MIN_ALIGNMENT_A_BYTES: (c_uint32, None),
    MatmulAlgoCapAttribute.MIN_ALIGNMENT_B_BYTES: (c_uint32, None),
    MatmulAlgoCapAttribute.MIN_ALIGNMENT_C_BYTES: (c_uint32, None),
    MatmulAlgoCapAttribute.MIN_ALIGNMENT_D_BYTES: (c_uint32, None),
    MatmulAlgoCapAttribute.POINTER_ARRAY_BATCH_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.FLOATING_POINT_EMULATION_SUPPORT: (c_int32, None),
    MatmulAlgoCapAttribute.POINTER_ARRAY_GROUPED_SUPPORT: (c_int32, None),
}

_CONFIG = {
    MatmulAlgoConfigAttribute.ID: (c_int32, None),  # read-only: set by cublasLtMatmulAlgoInit
    MatmulAlgoConfigAttribute.TILE_ID: (c_uint32, None),
    MatmulAlgoConfigAttribute.SPLITK_NUM: (c_int32, None),
    MatmulAlgoConfigAttribute.REDUCTION_SCHEME: (c_uint32, ReductionScheme),
    MatmulAlgoConfigAttribute.CTA_SWIZZLING: (c_uint32, None),
    MatmulAlgoConfigAttribute.CUSTOM_OPTION: (c_uint32, None),
    MatmulAlgoConfigAttribute.STAGES_ID: (c_uint32, None),
    MatmulAlgoConfigAttribute.INNER_SHAPE_ID: (c_uint16, MatmulInnerShape),
    MatmulAlgoConfigAttribute.CLUSTER_SHAPE_ID: (c_uint16, None),
}

#: ``MatmulDescAttribute`` -> its C type (a ``ctypes`` type; ``c_void_p`` for pointers).
MATMUL_DESC_ATTRIBUTE_TYPES = {attr: spec[0] for attr, spec in _DESC.items()}
#: ``MatrixLayoutAttribute`` -> its C type.
MATRIX_LAYOUT_ATTRIBUTE_TYPES = {attr: spec[0] for attr, spec in _LAYOUT.items()}
#: ``MatmulPreferenceAttribute`` -> its C type.
MATMUL_PREFERENCE_ATTRIBUTE_TYPES = {attr: spec[0] for attr, spec in _PREFERENCE.items()}
#: ``MatmulAlgoCapAttribute`` -> its C type (the element type for the array attributes).
MATMUL_ALGO_CAP_ATTRIBUTE_TYPES = {attr: spec[0] for attr, spec in _CAP.items()}
#: The capability attributes whose value is an array (of :data:`MATMUL_ALGO_CAP_ATTRIBUTE_TYPES`).
MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES = frozenset({MatmulAlgoCapAttribute.TILE_IDS, MatmulAlgoCapAttribute.STAGES_IDS})
#: ``MatmulAlgoConfigAttribute`` -> its C type.
MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES = {attr: spec[0] for attr, spec in _CONFIG.items()}


# -- structures ------------------------------------------------------------------------------
#
# Two faces of each C structure. The ctypes classes below are this module's: one struct each,
# passed by reference to the C-name functions. nvmath-python's classes of the same names are
# NumPy-backed arrays of structs; calling ``MatmulAlgo(size)`` or ``MatmulHeuristicResult(size)``
# with an int (which no ctypes field accepts) makes such an array, and ``from_ptr`` /
# ``from_data`` wrap existing memory. The snake_case functions take either face, or an address.

#: nvmath-python's NumPy dtype of ``cublasLtMatmulAlgo_t``: one field, ``data_`` (8 ``uint64``).
matmul_algo_dtype = np.dtype([("data_", np.uint64, (8,))], align=True)

#: nvmath-python's NumPy dtype of ``cublasLtMatmulHeuristicResult_t`` (the C fields, snake_case).
matmul_heuristic_result_dtype = np.dtype(
    [
        ("algo", matmul_algo_dtype),
        ("workspace_size", np.uint64),
        ("state", np.int32),
        ("waves_count", np.float32),
        ("reserved", np.int32, (4,)),
    ],
    align=True,
)


def _array_size(args: tuple, kwargs: dict):
    """The ``size`` of nvmath-python's ``Struct(size)`` / ``Struct(size=n)``, or None."""
    if len(args) == 1 and not kwargs and isinstance(args[0], numbers.Integral) and not isinstance(args[0], bool):
        return args[0]
    if not args and set(kwargs) == {"size"}:
        return kwargs["size"]
    return None


class _StructFace:
    """What the ctypes structures share with nvmath-python's classes of the same name."""

    __slots__ = ()
    _array: type  # the NumPy-backed array class, set below

    def __new__(cls, *args, **kwargs):
        size = _array_size(args, kwargs)
        if size is not None:
            return cls._array(size)
        return super().__new__(cls, *args, **kwargs)

    @property
    def ptr(self) -> int:
        """The struct's address."""
        return ctypes.addressof(self)

    def __int__(self) -> int:
        return ctypes.addressof(self)

    @classmethod
    def from_ptr(cls, ptr: int, size: int = 1, readonly: bool = False):
        """nvmath-python's view of ``size`` structs at address ``ptr`` (a NumPy-backed array)."""
        return cls._array.from_ptr(ptr, size, readonly)

    @classmethod
    def from_data(cls, data):
        """nvmath-python's view of a 1-D NumPy array of this structure's dtype."""
        return cls._array.from_data(data)


class MatmulAlgo(_StructFace, ctypes.Structure):
    """``cublasLtMatmulAlgo_t``: the semi-opaque, 64-byte algorithm descriptor (``uint64_t
    data[8]``).

    It is plain data: ``bytes(algo)`` serializes it and ``MatmulAlgo.from_buffer_copy(data)``
    restores it, for use with the same cuBLASLt version. ``algo.ptr`` is its address.
    ``MatmulAlgo(size)`` is nvmath-python's form: an array of ``size`` structs (of
    :data:`matmul_algo_dtype`) with ``ptr``, ``len()``, indexing and ``data_``.
    """

    _fields_ = [("data", c_uint64 * 8)]

    @property
    def data_(self) -> np.ndarray:
        """The 8 ``uint64`` words, as a NumPy view of this struct (nvmath-python's field name)."""
        return np.ctypeslib.as_array(self.data)

    def __repr__(self):
        return f"MatmulAlgo({bytes(self).hex()})"


class MatmulHeuristicResult(_StructFace, ctypes.Structure):
    """``cublasLtMatmulHeuristicResult_t`` (96 bytes).

    The fields keep their C names (``algo``, ``workspaceSize``, ``state``, ``wavesCount``,
    ``reserved``); ``workspace_size`` and ``waves_count`` are the same values.
    ``MatmulHeuristicResult(size)`` is nvmath-python's form: an array of ``size`` structs (of
    :data:`matmul_heuristic_result_dtype`) to pass, by its ``ptr``, to
    :func:`matmul_algo_get_heuristic`.
    """

    _fields_ = [
        ("algo", MatmulAlgo),
        ("workspaceSize", c_size_t),
        ("state", c_int),
        ("wavesCount", c_float),
        ("reserved", c_int * 4),
    ]

    @property
    def workspace_size(self) -> int:
        """The workspace, in bytes, the algorithm needs."""
        return self.workspaceSize

    @property
    def waves_count(self) -> float:
        """The device utilization estimate (1.0: one full wave)."""
        return self.wavesCount

    def __repr__(self):
        try:
            state = f"CUBLAS_STATUS_{Status(self.state).name}"
        except ValueError:
            state = str(self.state)
        return (
            f"MatmulHeuristicResult(workspace_size={self.workspaceSize}, state={state}, "
            f"waves_count={self.wavesCount:g})"
        )


class _StructArray:
    """nvmath-python's struct classes: ``size`` C structs in a NumPy record array.

    Indexing with an int gives a one-struct array viewing the same memory, a slice a shorter
    array, a field name (``"algo"``, ``"workspace_size"``...) that field's NumPy array;
    assignment stores records, arrays of the same class or this module's ctypes structs.
    """

    __slots__ = ("_data",)
    _dtype: np.dtype
    _struct: type

    def __init__(self, size: int = 1):
        size = _integer(size, "size", c_int64)
        if size < 0:
            raise ValueError(f"size={size} is not supported; accepted: a number of structs >= 0")
        self._data = np.zeros(size, dtype=self._dtype).view(np.recarray)

    @classmethod
    def _wrap(cls, data: np.ndarray):
        obj = cls.__new__(cls)
        obj._data = data.view(np.recarray)
        return obj

    @classmethod
    def from_data(cls, data):
        """A view of ``data``, a 1-D NumPy array of the struct's dtype."""
        name = cls._struct.__name__
        if not isinstance(data, np.ndarray):
            raise refused("data", data, f"a 1-D NumPy array of {name} records")
        if data.ndim != 1 or data.dtype != cls._dtype:
            raise ValueError(
                f"data (shape {data.shape}, dtype {data.dtype}) is not supported; accepted: a 1-D array "
                f"of the {name} dtype"
            )
        return cls._wrap(data)

    @classmethod
    def from_ptr(cls, ptr: int, size: int = 1, readonly: bool = False):
        """A view of ``size`` structs at address ``ptr`` (the memory stays the caller's)."""
        ptr = _integer(ptr, "ptr", c_uint64)
        if ptr == 0:
            raise ValueError("ptr=0 is not supported; accepted: the address of the structs (not NULL)")
        size = _integer(size, "size", c_int64)
        if size < 0:
            raise ValueError(f"size={size} is not supported; accepted: a number of structs >= 0")
        raw = (ctypes.c_char * (size * cls._dtype.itemsize)).from_address(ptr)
        data = np.frombuffer(raw, dtype=cls._dtype, count=size)
        if readonly:
            data.flags.writeable = False
        return cls._wrap(data)

    @property
    def ptr(self) -> int:
        """The address of the first struct."""
        return self._data.ctypes.data

    def __int__(self) -> int:
        if len(self._data) != 1:
            raise TypeError(f"int() needs a single struct, this array has {len(self._data)}: use .ptr")
        return self._data.ctypes.data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self):
        return (self[i] for i in range(len(self._data)))

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return len(self) == len(other) and self._data.tobytes() == other._data.tobytes()

    __hash__ = None

    def __getitem__(self, key):
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            n = len(self._data)
            if not -n <= key < n:
                raise IndexError(f"index {int(key)} is out of range for {n} structs")
            i = int(key) % n
            return self._wrap(self._data[i : i + 1])
        out = self._data[key]
        if isinstance(out, np.ndarray) and out.ndim == 1 and out.dtype == self._dtype:
            return self._wrap(out)
        return out

    def __setitem__(self, key, value):
        if isinstance(value, self._struct):
            value = np.frombuffer(bytes(value), dtype=self._dtype)[0]
        elif isinstance(value, _StructArray):
            value = value._data
        self._data[key] = value

    def _scalar_field(self, name: str, kind: type):
        values = self._data[name]
        return kind(values[0]) if len(values) == 1 else values

    def __repr__(self):
        return f"<{__name__}.{self._struct.__name__} array of {len(self._data)}>"


class _MatmulAlgoArray(_StructArray):
    """What ``MatmulAlgo(size)`` makes: ``size`` algorithms of :data:`matmul_algo_dtype`."""

    __slots__ = ()
    _dtype = matmul_algo_dtype
    _struct = MatmulAlgo

    @property
    def data_(self) -> np.ndarray:
        """The ``uint64`` words, ``(size, 8)``."""
        return self._data["data_"]

    @data_.setter
    def data_(self, value):
        self._data["data_"] = value


class _MatmulHeuristicResultArray(_StructArray):
    """What ``MatmulHeuristicResult(size)`` makes: ``size`` results of
    :data:`matmul_heuristic_result_dtype`, as :func:`matmul_algo_get_heuristic` fills them."""

    __slots__ = ()
    _dtype = matmul_heuristic_result_dtype
    _struct = MatmulHeuristicResult

    @property
    def algo(self) -> np.ndarray:
        """The ``algo`` records (``matmul_algo_dtype``)."""
        return self._data.algo

    @algo.setter
    def algo(self, value):
        self._data.algo = value

    @property
    def workspace_size(self):
        """The workspace bytes: an int for one struct, else an array."""
        return self._scalar_field("workspace_size", int)

    @workspace_size.setter
    def workspace_size(self, value):
        self._data.workspace_size = value

    @property
    def state(self):
        """The ``cublasStatus_t`` of each result: an int for one struct, else an array."""
        return self._scalar_field("state", int)

    @state.setter
    def state(self, value):
        self._data.state = value

    @property
    def waves_count(self):
        """The waves count: a float for one struct, else an array."""
        return self._scalar_field("waves_count", float)

    @waves_count.setter
    def waves_count(self, value):
        self._data.waves_count = value


MatmulAlgo._array = _MatmulAlgoArray
MatmulHeuristicResult._array = _MatmulHeuristicResultArray


# -- errors ----------------------------------------------------------------------------------


class cuBLASLtError(StatusError):
    """A cuBLASLt function returned a status other than ``CUBLAS_STATUS_SUCCESS`` (``status``: a
    :class:`Status`, or a plain int if this binding does not know it).

    This module's functions raise ``cuBLASLtError(function, status)``, ``function`` being the C
    name. nvmath-python's form ``cuBLASLtError(status)`` (what :func:`check_status` raises) is
    accepted too; its ``function`` is None.
    """

    status_type = Status
    status_prefix = "CUBLAS_STATUS_"
    unknown = "unknown cublasStatus_t"

    def __init__(self, *args, **kwargs):
        function, status = _error_arguments(args, kwargs)
        if function is not None:
            super().__init__(function, status)
            return
        name = self.status_name(status)
        try:
            status = Status(status)
        except ValueError:
            pass
        Exception.__init__(self, f"{name} ({int(status)})")
        self.function = None
        self.status = status

    def __reduce__(self):
        if self.function is None:
            return type(self), (int(self.status),)
        return super().__reduce__()

    @classmethod
    def status_name(cls, status: int) -> str:
        """``CUBLAS_STATUS_...``: from the library when it is loaded, else from :class:`Status`."""
        if _lib.loaded:
            try:
                name = cublasLtGetStatusName(status)
            except Exception:
                name = ""
            if name.startswith("CUBLAS_STATUS_"):
                return name
        return super().status_name(status)


def _error_arguments(args: tuple, kwargs: dict) -> tuple[str | None, int]:
    """``(function, status)`` from ``cuBLASLtError(status)`` or ``cuBLASLtError(function, status)``."""
    names = ("function", "status") if len(args) + len(kwargs) == 2 else ("status",)
    if len(args) > len(names) or set(kwargs) - set(names[len(args) :]) or len(args) + len(kwargs) != len(names):
        raise TypeError("cuBLASLtError takes (status) or (function, status)")
    given = dict(zip(names, args), **kwargs)
    function = given.get("function")
    if function is not None and not isinstance(function, str):
        raise refused("function", function, "the C function's name (a str)")
    return function, _integer(given["status"], "status", c_int)


def check_status(status: int) -> None:
    """Raise :class:`cuBLASLtError` unless ``status`` is ``CUBLAS_STATUS_SUCCESS`` (0).

    nvmath-python's helper for a ``cublasStatus_t`` obtained elsewhere; the error's
    ``function`` is None.

    Parameters
    ----------
    status : int
        A ``cublasStatus_t`` (:class:`Status`).

    Raises
    ------
    cuBLASLtError
        With ``.status`` the :class:`Status` (or the int, if unknown).
    TypeError
        If ``status`` is not an int.
    """
    status = _integer(status, "status", c_int)
    if status != Status.SUCCESS:
        raise cuBLASLtError(status)


# The few functions that return something other than a cublasStatus_t.
_UNCHECKED = frozenset(
    {
        "cublasLtGetVersion",
        "cublasLtGetCudartVersion",
        "cublasLtGetStatusName",
        "cublasLtGetStatusString",
        "cublasLtDisableCpuInstructionsSetMask",
    }
)


def _check(function: str, status):
    if function in _UNCHECKED:
        return status
    if status != Status.SUCCESS:
        raise cuBLASLtError(function, status)
    return status


def _version_text() -> str:
    return _format_version(cublasLtGetVersion())


def _format_version(version: int) -> str:
    # CUBLAS_VERSION is major * 10000 + minor * 100 + patch (131000 is 13.10.0).
    return f"{version // 10000}.{version % 10000 // 100}.{version % 100}"


_lib = NvidiaLibrary(
    "cublasLt", display_name="cuBLASLt", package="nvidia-cublas", extra="cu13", check=_check, version=_version_text
)


# -- argument conversion ---------------------------------------------------------------------

_CDATA = (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes.Array)


def _integer(value, what: str, ctype=c_int) -> int:
    """``value`` as a Python int that the C integer type ``ctype`` holds (enums are ``int``)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise refused(what, value, f"an int ({c_type_name(ctype)})")
    value = int(value)
    low, high = c_range(ctype)
    if not low <= value <= high:
        raise ValueError(f"{what}={value} is not supported; accepted: an int in [{low}, {high}] ({c_type_name(ctype)})")
    return value


def _pointer(value, what: str):
    """An int address (or None for NULL) for a handle or ``void*`` argument."""
    if value is None:
        return None
    # Only integers: a 0-d NumPy int array has __index__ too, and would pass its value.
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise refused(what, value, "an int (a handle, or an address such as cupy_array.data.ptr) or None")
    return int(value)


def _scalar_pointer(value, what: str):
    """``alpha`` / ``beta``: an int address, None, or a ctypes object (its address)."""
    if isinstance(value, _CDATA):
        return ctypes.addressof(value)
    if value is not None and not isinstance(value, numbers.Integral):
        accepted = (
            "the address of the scalar (an int: with the default POINTER_MODE_HOST a host address "
            "such as numpy_array.ctypes.data) or a ctypes object such as ctypes.c_float(1.0)"
        )
        raise refused(what, value, accepted)
    return _pointer(value, what)


def _algo(value, what: str, *, nullable: bool):
    """``const cublasLtMatmulAlgo_t*``: a :class:`MatmulAlgo` by reference, or NULL."""
    if value is None and nullable:
        return None
    if isinstance(value, MatmulAlgo):
        return ctypes.byref(value)
    if isinstance(value, _MatmulAlgoArray) and len(value) == 1:
        return ctypes.cast(value.ptr, _algo_p)
    hint = " (use result.algo)" if isinstance(value, MatmulHeuristicResult) else ""
    accepted = "a MatmulAlgo or None" if nullable else "a MatmulAlgo"
    raise refused(what, value, accepted + hint)


def _buffer(buf, size, what: str, *, writable: bool, size_what: str = "sizeInBytes"):
    """``(void* argument, size)`` for an attribute buffer.

    ``buf`` is None (NULL), an int address (``size`` is then required), a ctypes object, or
    any contiguous buffer (bytes, bytearray, NumPy array...; written to only if writable). The
    returned argument keeps any temporary alive for the duration of the call. ``size_what``
    names the size parameter in messages.
    """
    if buf is None:
        return None, 0 if size is None else int(size)
    if isinstance(buf, numbers.Integral) and not isinstance(buf, bool):
        if size is None:
            raise TypeError(f"{size_what} is required when {what} is an address")
        return int(buf), int(size)
    if isinstance(buf, _CDATA):
        arg, capacity = ctypes.addressof(buf), ctypes.sizeof(buf)
    else:
        try:
            view = memoryview(buf)
        except TypeError:
            raise refused(what, buf, "a buffer (bytes-like or ctypes object), an int address or None") from None
        if not view.c_contiguous:
            raise refused(what, buf, "a C-contiguous buffer", ValueError)
        capacity = view.nbytes
        if view.readonly:
            if writable:
                raise refused(what, buf, "a writable buffer (this one is read-only)")
            arg = view.tobytes()  # bytes are passed as a pointer to their data
        else:
            arg = (ctypes.c_char * capacity).from_buffer(view.cast("B")) if capacity else None
    if size is None:
        size = capacity
    elif size > capacity:
        raise ValueError(f"{size_what}={size} is larger than {what} ({capacity} bytes)")
    return arg, int(size)


# -- prototypes ------------------------------------------------------------------------------

_int_p = POINTER(c_int)
_size_p = POINTER(c_size_t)
_handle_p = POINTER(c_void_p)
_algo_p = POINTER(MatmulAlgo)
_result_p = POINTER(MatmulHeuristicResult)
_ENUMS6 = [c_int] * 6  # computeType, scaleType, Atype, Btype, Ctype, Dtype
_DESCS6 = [c_void_p] * 6  # lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc

for _name, _restype, _argtypes in [
    ("cublasLtCreate", c_int, [_handle_p]),
    ("cublasLtDestroy", c_int, [c_void_p]),
    ("cublasLtGetStatusName", c_char_p, [c_int]),
    ("cublasLtGetStatusString", c_char_p, [c_int]),
    ("cublasLtGetVersion", c_size_t, []),
    ("cublasLtGetCudartVersion", c_size_t, []),
    ("cublasLtGetProperty", c_int, [c_int, _int_p]),
    ("cublasLtMatmulDescCreate", c_int, [_handle_p, c_int, c_int]),
    ("cublasLtMatmulDescDestroy", c_int, [c_void_p]),
    ("cublasLtMatmulDescSetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t]),
    ("cublasLtMatmulDescGetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t, _size_p]),
    # rows and cols are uint64_t, ld is int64_t.
    ("cublasLtMatrixLayoutCreate", c_int, [_handle_p, c_int, c_uint64, c_uint64, c_int64]),
    ("cublasLtMatrixLayoutDestroy", c_int, [c_void_p]),
    ("cublasLtMatrixLayoutSetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t]),
    ("cublasLtMatrixLayoutGetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t, _size_p]),
    ("cublasLtMatmulPreferenceCreate", c_int, [_handle_p]),
    ("cublasLtMatmulPreferenceDestroy", c_int, [c_void_p]),
    ("cublasLtMatmulPreferenceSetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t]),
    ("cublasLtMatmulPreferenceGetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t, _size_p]),
    ("cublasLtMatmulAlgoGetHeuristic", c_int, [*_DESCS6, c_void_p, c_int, _result_p, _int_p]),
    (
        "cublasLtMatmul",
        c_int,
        [
            c_void_p,
            c_void_p,  # lightHandle, computeDesc
            c_void_p,
            c_void_p,
            c_void_p,  # alpha, A, Adesc
            c_void_p,
            c_void_p,  # B, Bdesc
            c_void_p,
            c_void_p,
            c_void_p,  # beta, C, Cdesc
            c_void_p,
            c_void_p,  # D, Ddesc
            _algo_p,
            c_void_p,
            c_size_t,  # algo, workspace, workspaceSizeInBytes
            c_void_p,
        ],
    ),  # stream
    ("cublasLtMatmulAlgoGetIds", c_int, [c_void_p, *_ENUMS6, c_int, _int_p, _int_p]),
    ("cublasLtMatmulAlgoInit", c_int, [c_void_p, *_ENUMS6, c_int, _algo_p]),
    ("cublasLtMatmulAlgoCheck", c_int, [*_DESCS6, _algo_p, _result_p]),
    ("cublasLtMatmulAlgoCapGetAttribute", c_int, [_algo_p, c_int, c_void_p, c_size_t, _size_p]),
    ("cublasLtMatmulAlgoConfigSetAttribute", c_int, [_algo_p, c_int, c_void_p, c_size_t]),
    ("cublasLtMatmulAlgoConfigGetAttribute", c_int, [_algo_p, c_int, c_void_p, c_size_t, _size_p]),
    # handle, transformDesc, alpha, A, Adesc, beta, B, Bdesc, C, Cdesc, stream
    ("cublasLtMatrixTransform", c_int, [c_void_p] * 11),
    ("cublasLtMatrixTransformDescCreate", c_int, [_handle_p, c_int]),
    ("cublasLtMatrixTransformDescDestroy", c_int, [c_void_p]),
    ("cublasLtMatrixTransformDescSetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t]),
    ("cublasLtMatrixTransformDescGetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t, _size_p]),
    # matLayout, type, groupCount, rows_array, cols_array, ld_array
    ("cublasLtGroupedMatrixLayoutCreate", c_int, [_handle_p, c_int, c_int, c_void_p, c_void_p, c_void_p]),
    ("cublasLtEmulationDescCreate", c_int, [_handle_p]),
    ("cublasLtEmulationDescDestroy", c_int, [c_void_p]),
    ("cublasLtEmulationDescSetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t]),
    ("cublasLtEmulationDescGetAttribute", c_int, [c_void_p, c_int, c_void_p, c_size_t, _size_p]),
    ("cublasLtLoggerOpenFile", c_int, [c_char_p]),
    ("cublasLtLoggerSetLevel", c_int, [c_int]),
    ("cublasLtLoggerSetMask", c_int, [c_int]),
    ("cublasLtLoggerForceDisable", c_int, []),
    ("cublasLtHeuristicsCacheGetCapacity", c_int, [_size_p]),
    ("cublasLtHeuristicsCacheSetCapacity", c_int, [c_size_t]),
    ("cublasLtDisableCpuInstructionsSetMask", c_uint32, [c_uint32]),  # returns the previous mask
]:
    _lib.declare(_name, _restype, _argtypes)
del _name, _restype, _argtypes


def _call(c_name: str, *args):
    """Call the C function ``c_name`` with arguments already converted and checked (so a bad
    argument is reported before the library is looked for)."""
    return _lib.function(c_name)(*args)


def _create(c_name: str, *args) -> int:
    handle = c_void_p()
    _lib.function(c_name)(ctypes.byref(handle), *args)
    return handle.value or 0


# -- context and library information ---------------------------------------------------------


def cublasLtCreate() -> int:
    """``cublasLtCreate``: a new cuBLASLt handle (needs a GPU: without one,
    ``CUBLAS_STATUS_NOT_INITIALIZED``)."""
    return _create("cublasLtCreate")


def cublasLtDestroy(lightHandle: int) -> None:
    """``cublasLtDestroy``."""
    _lib.function("cublasLtDestroy")(_pointer(lightHandle, "lightHandle"))


def cublasLtGetVersion() -> int:
    """``cublasLtGetVersion``: ``CUBLAS_VERSION``, major * 10000 + minor * 100 + patch."""
    return _lib.function("cublasLtGetVersion")()


def cublasLtGetCudartVersion() -> int:
    """``cublasLtGetCudartVersion``: the CUDA runtime version cuBLASLt was built with (13000)."""
    return _lib.function("cublasLtGetCudartVersion")()


def cublasLtGetProperty(type: int) -> int:
    """``cublasLtGetProperty``: the major, minor or patch number (a :class:`LibraryProperty`)."""
    value = c_int()
    _call("cublasLtGetProperty", _integer(type, "type"), ctypes.byref(value))
    return value.value


def cublasLtGetStatusName(status: int) -> str:
    """``cublasLtGetStatusName``: e.g. ``"CUBLAS_STATUS_NOT_SUPPORTED"`` (``"unrecognized
    status"`` for a value cuBLASLt does not know)."""
    return (_call("cublasLtGetStatusName", _integer(status, "status")) or b"").decode()


def cublasLtGetStatusString(status: int) -> str:
    """``cublasLtGetStatusString``: the status's description."""
    return (_call("cublasLtGetStatusString", _integer(status, "status")) or b"").decode()


# -- matmul descriptors ----------------------------------------------------------------------


def cublasLtMatmulDescCreate(computeType: int, scaleType: int) -> int:
    """``cublasLtMatmulDescCreate``: a new matmul descriptor (no GPU needed).

    Parameters
    ----------
    computeType : ComputeType
    scaleType : DataType
        The type of alpha and beta.
    """
    return _create("cublasLtMatmulDescCreate", computeType, scaleType)


def cublasLtMatmulDescDestroy(matmulDesc: int) -> None:
    """``cublasLtMatmulDescDestroy``."""
    _lib.function("cublasLtMatmulDescDestroy")(_pointer(matmulDesc, "matmulDesc"))


def cublasLtMatmulDescSetAttribute(matmulDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtMatmulDescSetAttribute``: set ``attr`` from the bytes of ``buf``.

    ``buf`` is a bytes-like or ctypes object (``sizeInBytes`` defaults to its size) or an int
    address (``sizeInBytes`` required). cuBLASLt checks that the size matches the attribute's
    and copies the value. See :func:`matmul_desc_set` for the typed form.
    """
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _lib.function("cublasLtMatmulDescSetAttribute")(_pointer(matmulDesc, "matmulDesc"), attr, arg, size)


def cublasLtMatmulDescGetAttribute(matmulDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatmulDescGetAttribute``: write ``attr``'s value into ``buf``.

    ``buf`` is a writable buffer or ctypes object (``sizeInBytes`` defaults to its size), an
    int address, or None with ``sizeInBytes=0`` to ask for the size.

    Returns
    -------
    int
        ``sizeWritten``: the bytes written, or the bytes needed when ``sizeInBytes`` is 0.
    """
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _lib.function("cublasLtMatmulDescGetAttribute")(
        _pointer(matmulDesc, "matmulDesc"), attr, arg, size, ctypes.byref(written)
    )
    return written.value


# -- matrix layouts --------------------------------------------------------------------------


def cublasLtMatrixLayoutCreate(type: int, rows: int, cols: int, ld: int) -> int:
    """``cublasLtMatrixLayoutCreate``: a new (column-major by default) layout; no GPU needed.

    Parameters
    ----------
    type : DataType
    rows, cols : int
        ``uint64_t``.
    ld : int
        The leading dimension in elements, ``int64_t``.
    """
    return _create(
        "cublasLtMatrixLayoutCreate",
        _integer(type, "type"),
        _integer(rows, "rows", c_uint64),
        _integer(cols, "cols", c_uint64),
        _integer(ld, "ld", c_int64),
    )


def cublasLtMatrixLayoutDestroy(matLayout: int) -> None:
    """``cublasLtMatrixLayoutDestroy``."""
    _lib.function("cublasLtMatrixLayoutDestroy")(_pointer(matLayout, "matLayout"))


def cublasLtMatrixLayoutSetAttribute(matLayout: int, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtMatrixLayoutSetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescSetAttribute`. Typed form: :func:`matrix_layout_set`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _lib.function("cublasLtMatrixLayoutSetAttribute")(_pointer(matLayout, "matLayout"), attr, arg, size)


def cublasLtMatrixLayoutGetAttribute(matLayout: int, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatrixLayoutGetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _lib.function("cublasLtMatrixLayoutGetAttribute")(
        _pointer(matLayout, "matLayout"), attr, arg, size, ctypes.byref(written)
    )
    return written.value


# -- preferences -----------------------------------------------------------------------------


def cublasLtMatmulPreferenceCreate() -> int:
    """``cublasLtMatmulPreferenceCreate``: new heuristic search preferences (no GPU needed).

    The default ``MAX_WORKSPACE_BYTES`` is 0: no algorithm that needs a workspace is returned.
    """
    return _create("cublasLtMatmulPreferenceCreate")


def cublasLtMatmulPreferenceDestroy(pref: int) -> None:
    """``cublasLtMatmulPreferenceDestroy``."""
    _lib.function("cublasLtMatmulPreferenceDestroy")(_pointer(pref, "pref"))


def cublasLtMatmulPreferenceSetAttribute(pref: int, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtMatmulPreferenceSetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescSetAttribute`. Typed form: :func:`matmul_preference_set`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _lib.function("cublasLtMatmulPreferenceSetAttribute")(_pointer(pref, "pref"), attr, arg, size)


def cublasLtMatmulPreferenceGetAttribute(pref: int, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatmulPreferenceGetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _lib.function("cublasLtMatmulPreferenceGetAttribute")(
        _pointer(pref, "pref"), attr, arg, size, ctypes.byref(written)
    )
    return written.value


# -- algorithm selection and matmul ----------------------------------------------------------


def _descs(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc):
    return (
        _pointer(lightHandle, "lightHandle"),
        _pointer(operationDesc, "operationDesc"),
        _pointer(Adesc, "Adesc"),
        _pointer(Bdesc, "Bdesc"),
        _pointer(Cdesc, "Cdesc"),
        _pointer(Ddesc, "Ddesc"),
    )


def cublasLtMatmulAlgoGetHeuristic(
    lightHandle: int,
    operationDesc: int,
    Adesc: int,
    Bdesc: int,
    Cdesc: int,
    Ddesc: int,
    preference: int,
    requestedAlgoCount: int,
) -> list[MatmulHeuristicResult]:
    """``cublasLtMatmulAlgoGetHeuristic``: up to ``requestedAlgoCount`` algorithms, best first.

    The C arguments ``heuristicResultsArray`` and ``returnAlgoCount`` are replaced by the
    returned list, of ``returnAlgoCount`` :class:`MatmulHeuristicResult` (``.algo``,
    ``.workspace_size``, ``.state``, ``.waves_count``). cuBLASLt raises ``NOT_SUPPORTED`` when
    no algorithm fits.
    """
    results = (MatmulHeuristicResult * max(int(requestedAlgoCount), 0))()
    count = c_int()
    _lib.function("cublasLtMatmulAlgoGetHeuristic")(
        *_descs(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc),
        _pointer(preference, "preference"),
        requestedAlgoCount,
        results,
        ctypes.byref(count),
    )
    return [results[i] for i in range(min(count.value, len(results)))]


def cublasLtMatmul(
    lightHandle: int,
    computeDesc: int,
    alpha,
    A: int,
    Adesc: int,
    B: int,
    Bdesc: int,
    beta,
    C: int,
    Cdesc: int,
    D: int,
    Ddesc: int,
    algo: MatmulAlgo | None,
    workspace: int,
    workspaceSizeInBytes: int,
    stream: int,
) -> None:
    """``cublasLtMatmul``: ``D = alpha * op(A) @ op(B) + beta * C``, enqueued on ``stream``.

    Parameters
    ----------
    alpha, beta
        Addresses of scalars of the descriptor's scale type. With the default
        ``PointerMode.HOST`` they are HOST addresses, read before the call returns: an int
        (e.g. ``numpy_array.ctypes.data``) or a ctypes object such as ``ctypes.c_float(1.0)``
        (its address is passed). With ``PointerMode.DEVICE`` they are device addresses (ints).
    A, B, C, D : int
        Device pointers (``C`` may equal ``D``).
    Adesc, Bdesc, Cdesc, Ddesc : int
        Matrix layouts.
    algo : MatmulAlgo or None
        E.g. ``cublasLtMatmulAlgoGetHeuristic(...)[0].algo``; None (NULL) lets cuBLASLt run
        its own heuristic query.
    workspace : int
        A device pointer (0 or None for none) of ``workspaceSizeInBytes`` bytes.
    stream : int
        The ``cudaStream_t`` (0 or None for the default stream).
    """
    _lib.function("cublasLtMatmul")(
        _pointer(lightHandle, "lightHandle"),
        _pointer(computeDesc, "computeDesc"),
        _scalar_pointer(alpha, "alpha"),
        _pointer(A, "A"),
        _pointer(Adesc, "Adesc"),
        _pointer(B, "B"),
        _pointer(Bdesc, "Bdesc"),
        _scalar_pointer(beta, "beta"),
        _pointer(C, "C"),
        _pointer(Cdesc, "Cdesc"),
        _pointer(D, "D"),
        _pointer(Ddesc, "Ddesc"),
        _algo(algo, "algo", nullable=True),
        _pointer(workspace, "workspace"),
        workspaceSizeInBytes,
        _pointer(stream, "stream"),
    )


def cublasLtMatmulAlgoGetIds(
    lightHandle: int,
    computeType: int,
    scaleType: int,
    Atype: int,
    Btype: int,
    Ctype: int,
    Dtype: int,
    requestedAlgoCount: int,
) -> list[int]:
    """``cublasLtMatmulAlgoGetIds``: the ids (at most ``requestedAlgoCount``) of the
    algorithms that may run for these types; ``algoIdsArray`` and ``returnAlgoCount`` are
    replaced by the returned list."""
    ids = (c_int * max(int(requestedAlgoCount), 0))()
    count = c_int()
    _lib.function("cublasLtMatmulAlgoGetIds")(
        _pointer(lightHandle, "lightHandle"),
        computeType,
        scaleType,
        Atype,
        Btype,
        Ctype,
        Dtype,
        requestedAlgoCount,
        ids,
        ctypes.byref(count),
    )
    return list(ids[: min(count.value, len(ids))])


def cublasLtMatmulAlgoInit(
    lightHandle: int, computeType: int, scaleType: int, Atype: int, Btype: int, Ctype: int, Dtype: int, algoId: int
) -> MatmulAlgo:
    """``cublasLtMatmulAlgoInit``: a new :class:`MatmulAlgo` for ``algoId`` (its ``algo``
    output is returned)."""
    algo = MatmulAlgo()
    _lib.function("cublasLtMatmulAlgoInit")(
        _pointer(lightHandle, "lightHandle"),
        computeType,
        scaleType,
        Atype,
        Btype,
        Ctype,
        Dtype,
        algoId,
        ctypes.byref(algo),
    )
    return algo


def cublasLtMatmulAlgoCheck(
    lightHandle: int, operationDesc: int, Adesc: int, Bdesc: int, Cdesc: int, Ddesc: int, algo: MatmulAlgo
) -> MatmulHeuristicResult:
    """``cublasLtMatmulAlgoCheck``: whether ``algo`` supports this matmul on the current
    device; its ``result`` output (workspace size, waves count; ``.algo`` not filled in) is
    returned."""
    result = MatmulHeuristicResult()
    _lib.function("cublasLtMatmulAlgoCheck")(
        *_descs(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc),
        _algo(algo, "algo", nullable=False),
        ctypes.byref(result),
    )
    return result


def cublasLtMatmulAlgoCapGetAttribute(algo: MatmulAlgo, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatmulAlgoCapGetAttribute`` (an initialized ``algo`` is needed); ``buf`` as
    for :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``. Typed form:
    :func:`matmul_algo_cap_get`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _lib.function("cublasLtMatmulAlgoCapGetAttribute")(
        _algo(algo, "algo", nullable=False), attr, arg, size, ctypes.byref(written)
    )
    return written.value


def cublasLtMatmulAlgoConfigSetAttribute(algo: MatmulAlgo, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtMatmulAlgoConfigSetAttribute``: changes ``algo`` in place; ``buf`` as for
    :func:`cublasLtMatmulDescSetAttribute`. Typed form: :func:`matmul_algo_config_set`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _lib.function("cublasLtMatmulAlgoConfigSetAttribute")(_algo(algo, "algo", nullable=False), attr, arg, size)


def cublasLtMatmulAlgoConfigGetAttribute(algo: MatmulAlgo, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatmulAlgoConfigGetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _lib.function("cublasLtMatmulAlgoConfigGetAttribute")(
        _algo(algo, "algo", nullable=False), attr, arg, size, ctypes.byref(written)
    )
    return written.value


# -- matrix transforms -----------------------------------------------------------------------


def cublasLtMatrixTransformDescCreate(scaleType: int) -> int:
    """``cublasLtMatrixTransformDescCreate``: a new matrix transform descriptor (no GPU needed).

    Parameters
    ----------
    scaleType : DataType
        The type of alpha and beta (and of the arithmetic).
    """
    return _create("cublasLtMatrixTransformDescCreate", _integer(scaleType, "scaleType"))


def cublasLtMatrixTransformDescDestroy(transformDesc: int) -> None:
    """``cublasLtMatrixTransformDescDestroy``."""
    _call("cublasLtMatrixTransformDescDestroy", _pointer(transformDesc, "transformDesc"))


def cublasLtMatrixTransformDescSetAttribute(transformDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtMatrixTransformDescSetAttribute`` (a :class:`MatrixTransformDescAttribute`, all
    ``int32_t``); ``buf`` as for :func:`cublasLtMatmulDescSetAttribute`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _call(
        "cublasLtMatrixTransformDescSetAttribute",
        _pointer(transformDesc, "transformDesc"),
        _integer(attr, "attr"),
        arg,
        size,
    )


def cublasLtMatrixTransformDescGetAttribute(transformDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtMatrixTransformDescGetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _call(
        "cublasLtMatrixTransformDescGetAttribute",
        _pointer(transformDesc, "transformDesc"),
        _integer(attr, "attr"),
        arg,
        size,
        ctypes.byref(written),
    )
    return written.value


def cublasLtMatrixTransform(
    lightHandle: int,
    transformDesc: int,
    alpha,
    A: int,
    Adesc: int,
    beta,
    B: int,
    Bdesc: int,
    C: int,
    Cdesc: int,
    stream: int,
) -> None:
    """``cublasLtMatrixTransform``: ``C = alpha * op(A) + beta * op(B)``, enqueued on ``stream``.

    It also converts between layouts (``Order``) and types. ``alpha`` and ``beta`` are as for
    :func:`cublasLtMatmul` (host addresses or ctypes objects with the default pointer mode);
    ``A``, ``B``, ``C`` are device pointers; ``B`` may be 0 (None) when ``beta`` is zero.
    """
    _call(
        "cublasLtMatrixTransform",
        _pointer(lightHandle, "lightHandle"),
        _pointer(transformDesc, "transformDesc"),
        _scalar_pointer(alpha, "alpha"),
        _pointer(A, "A"),
        _pointer(Adesc, "Adesc"),
        _scalar_pointer(beta, "beta"),
        _pointer(B, "B"),
        _pointer(Bdesc, "Bdesc"),
        _pointer(C, "C"),
        _pointer(Cdesc, "Cdesc"),
        _pointer(stream, "stream"),
    )


# -- grouped layouts and emulation descriptors (experimental in CUDA 13) ----------------------


def cublasLtGroupedMatrixLayoutCreate(type: int, groupCount: int, rows_array, cols_array, ld_array) -> int:
    """``cublasLtGroupedMatrixLayoutCreate``: a layout for ``groupCount`` matrices of different
    shapes (``BatchMode.GROUPED``).

    Parameters
    ----------
    type : DataType
    groupCount : int
    rows_array, cols_array, ld_array : int
        Device addresses of the per-group rows, columns and leading dimensions (32-bit integers
        unless the ``GROUPED_*_INTEGER_WIDTH`` attributes say 64); read when the matmul runs.
    """
    return _create(
        "cublasLtGroupedMatrixLayoutCreate",
        _integer(type, "type"),
        _integer(groupCount, "groupCount"),
        _pointer(rows_array, "rows_array"),
        _pointer(cols_array, "cols_array"),
        _pointer(ld_array, "ld_array"),
    )


def cublasLtEmulationDescCreate() -> int:
    """``cublasLtEmulationDescCreate``: a new floating-point emulation descriptor, to attach with
    ``MatmulDescAttribute.EMULATION_DESCRIPTOR`` (no GPU needed)."""
    return _create("cublasLtEmulationDescCreate")


def cublasLtEmulationDescDestroy(emulationDesc: int) -> None:
    """``cublasLtEmulationDescDestroy``."""
    _call("cublasLtEmulationDescDestroy", _pointer(emulationDesc, "emulationDesc"))


def cublasLtEmulationDescSetAttribute(emulationDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> None:
    """``cublasLtEmulationDescSetAttribute`` (an :class:`EmulationDescAttribute`); ``buf`` as for
    :func:`cublasLtMatmulDescSetAttribute`."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=False)
    _call(
        "cublasLtEmulationDescSetAttribute", _pointer(emulationDesc, "emulationDesc"), _integer(attr, "attr"), arg, size
    )


def cublasLtEmulationDescGetAttribute(emulationDesc: int, attr: int, buf, sizeInBytes: int | None = None) -> int:
    """``cublasLtEmulationDescGetAttribute``; ``buf`` as for
    :func:`cublasLtMatmulDescGetAttribute`; returns ``sizeWritten``."""
    arg, size = _buffer(buf, sizeInBytes, "buf", writable=True)
    written = c_size_t()
    _call(
        "cublasLtEmulationDescGetAttribute",
        _pointer(emulationDesc, "emulationDesc"),
        _integer(attr, "attr"),
        arg,
        size,
        ctypes.byref(written),
    )
    return written.value


# -- logging, the heuristics cache and CPU instructions --------------------------------------


def cublasLtLoggerOpenFile(logFile) -> None:
    """``cublasLtLoggerOpenFile``: log to the file ``logFile`` (a path: ``str``, ``bytes`` or
    ``os.PathLike``), created if missing. Experimental in cuBLASLt."""
    if isinstance(logFile, os.PathLike):
        logFile = os.fspath(logFile)
    if isinstance(logFile, str):
        logFile = os.fsencode(logFile)
    if not isinstance(logFile, bytes):
        raise refused("logFile", logFile, "a path (str, bytes or os.PathLike)")
    if b"\0" in logFile:
        raise refused("logFile", logFile, "a path without NUL characters", ValueError)
    _call("cublasLtLoggerOpenFile", logFile)


def cublasLtLoggerSetLevel(level: int) -> None:
    """``cublasLtLoggerSetLevel``: 0 off, 1 errors, 2 performance trace, 3 performance hints,
    4 heuristics trace, 5 API trace (cuBLASLt refuses others: ``INVALID_VALUE``)."""
    _call("cublasLtLoggerSetLevel", _integer(level, "level"))


def cublasLtLoggerSetMask(mask: int) -> None:
    """``cublasLtLoggerSetMask``: an OR of 1 errors, 2 performance trace, 4 performance hints,
    8 heuristics trace, 16 API trace (0: off)."""
    _call("cublasLtLoggerSetMask", _integer(mask, "mask"))


def cublasLtLoggerForceDisable() -> None:
    """``cublasLtLoggerForceDisable``: turn logging off for the rest of the process."""
    _call("cublasLtLoggerForceDisable")


def cublasLtHeuristicsCacheGetCapacity() -> int:
    """``cublasLtHeuristicsCacheGetCapacity``: how many heuristic results cuBLASLt caches."""
    capacity = c_size_t()
    _call("cublasLtHeuristicsCacheGetCapacity", ctypes.byref(capacity))
    return capacity.value


def cublasLtHeuristicsCacheSetCapacity(capacity: int) -> None:
    """``cublasLtHeuristicsCacheSetCapacity``: resize the heuristics cache (0 disables it)."""
    _call("cublasLtHeuristicsCacheSetCapacity", _integer(capacity, "capacity", c_size_t))


def cublasLtDisableCpuInstructionsSetMask(mask: int) -> int:
    """``cublasLtDisableCpuInstructionsSetMask``: forbid the CPU instruction sets in ``mask``
    (``0x1``: x86-64 AVX-512) in cuBLASLt's host code; returns the previous mask.

    cublasLt.h declares it, but cuBLASLt 13.10's library does not export it: there it raises
    :class:`FunctionNotFoundError`. The ``CUBLASLT_DISABLE_CPU_INSTRUCTIONS_MASK`` environment
    variable, set before cuBLASLt loads, does the same.
    """
    mask = _integer(mask, "mask", c_uint32)
    c_name = "cublasLtDisableCpuInstructionsSetMask"
    if not _lib.has(c_name):
        raise _lib.missing(
            c_name,
            needs="cublasLt.h declares it but this library does not export it; set "
            "CUBLASLT_DISABLE_CPU_INSTRUCTIONS_MASK in the environment before cuBLASLt loads instead",
        )
    return _call(c_name, mask)


# -- typed attribute helpers -----------------------------------------------------------------


def _spec(table, enum_cls, attr):
    try:
        attr = enum_cls(attr)
    except ValueError:
        raise ValueError(
            f"{attr!r} is not a {enum_cls.__name__} this binding knows the type of; "
            f"use the C function with a buffer instead"
        ) from None
    spec = table.get(attr)
    if spec is None:  # one of the unlisted members: not in the CUDA 13 header
        raise ValueError(
            f"{enum_cls.__name__}.{attr.name} ({int(attr)}) is not in the CUDA 13 header, and "
            f"cuBLASLt 13 refuses it; this binding has no type for it"
        )
    return attr, spec


def _c_value(ctype, value, attr):
    """``value`` as a ``ctype`` instance, refusing what the C type cannot hold."""
    if ctype is c_void_p:
        return c_void_p(_pointer(value, attr.name) or 0)
    if ctype is c_float:
        if not isinstance(value, numbers.Real):
            raise refused(attr.name, value, "a real number (the attribute is a float)")
        return c_float(float(value))
    if not isinstance(value, numbers.Integral):
        raise refused(attr.name, value, "an int (the attribute is an integer)")
    value = int(value)
    bits = 8 * ctypes.sizeof(ctype)
    signed = ctype(-1).value == -1
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not low <= value <= high:
        kind = f"{'' if signed else 'u'}int{bits}_t"
        raise OverflowError(f"{attr.name} is a {kind}: {value} is out of range [{low}, {high}]")
    return ctype(value)


def _py_value(ctype, enum_cls, raw):
    if ctype is c_void_p:
        return raw.value or 0
    value = raw.value
    if enum_cls is not None:
        try:
            return enum_cls(value)
        except ValueError:
            pass
    return value


def _typed_set(setter, table, enum_cls, obj, attr, value):
    attr, (ctype, _) = _spec(table, enum_cls, attr)
    setter(obj, attr, _c_value(ctype, value, attr))


def _typed_get(getter, table, enum_cls, obj, attr):
    attr, (ctype, value_enum) = _spec(table, enum_cls, attr)
    raw = ctype()
    getter(obj, attr, raw)
    return _py_value(ctype, value_enum, raw)


def matmul_desc_set(desc: int, attr: MatmulDescAttribute, value) -> None:
    """Set a matmul descriptor attribute from a Python value of its C type.

    ``value`` is an int for the integer attributes (range-checked against the C type), an int
    address (or None for NULL) for the pointer attributes. cuBLASLt copies the value: nothing
    is kept alive, and the memory a pointer attribute points to is the caller's.
    """
    _typed_set(cublasLtMatmulDescSetAttribute, _DESC, MatmulDescAttribute, desc, attr, value)


def matmul_desc_get(desc: int, attr: MatmulDescAttribute):
    """A matmul descriptor attribute's value: an int (an enum member where the attribute is
    one of this module's enums and the value is known), an int address for pointers (0 for
    NULL)."""
    return _typed_get(cublasLtMatmulDescGetAttribute, _DESC, MatmulDescAttribute, desc, attr)


def matrix_layout_set(layout: int, attr: MatrixLayoutAttribute, value) -> None:
    """Set a matrix layout attribute (see :func:`matmul_desc_set`)."""
    _typed_set(cublasLtMatrixLayoutSetAttribute, _LAYOUT, MatrixLayoutAttribute, layout, attr, value)


def matrix_layout_get(layout: int, attr: MatrixLayoutAttribute):
    """A matrix layout attribute's value (see :func:`matmul_desc_get`)."""
    return _typed_get(cublasLtMatrixLayoutGetAttribute, _LAYOUT, MatrixLayoutAttribute, layout, attr)


def matmul_preference_set(pref: int, attr: MatmulPreferenceAttribute, value) -> None:
    """Set a preference attribute (``MAX_WAVES_COUNT`` is a float; see
    :func:`matmul_desc_set`)."""
    _typed_set(cublasLtMatmulPreferenceSetAttribute, _PREFERENCE, MatmulPreferenceAttribute, pref, attr, value)


def matmul_preference_get(pref: int, attr: MatmulPreferenceAttribute):
    """A preference attribute's value (see :func:`matmul_desc_get`)."""
    return _typed_get(cublasLtMatmulPreferenceGetAttribute, _PREFERENCE, MatmulPreferenceAttribute, pref, attr)


def matmul_algo_config_set(algo: MatmulAlgo, attr: MatmulAlgoConfigAttribute, value) -> None:
    """Set an algorithm configuration attribute; changes ``algo`` in place."""
    _typed_set(cublasLtMatmulAlgoConfigSetAttribute, _CONFIG, MatmulAlgoConfigAttribute, algo, attr, value)


def matmul_algo_config_get(algo: MatmulAlgo, attr: MatmulAlgoConfigAttribute):
    """An algorithm configuration attribute's value."""
    return _typed_get(cublasLtMatmulAlgoConfigGetAttribute, _CONFIG, MatmulAlgoConfigAttribute, algo, attr)


def matmul_algo_cap_get(algo: MatmulAlgo, attr: MatmulAlgoCapAttribute):
    """An algorithm capability: an int, or a list of ints for
    :data:`MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES` (``TILE_IDS``, ``STAGES_IDS``)."""
    attr, (ctype, value_enum) = _spec(_CAP, MatmulAlgoCapAttribute, attr)
    if attr not in MATMUL_ALGO_CAP_ARRAY_ATTRIBUTES:
        raw = ctype()
        cublasLtMatmulAlgoCapGetAttribute(algo, attr, raw)
        return _py_value(ctype, value_enum, raw)
    needed = cublasLtMatmulAlgoCapGetAttribute(algo, attr, None, 0)
    items = (ctype * (needed // ctypes.sizeof(ctype)))()
    if not len(items):
        return []
    written = cublasLtMatmulAlgoCapGetAttribute(algo, attr, items)
    return list(items[: written // ctypes.sizeof(ctype)])


# -- nvmath-python's names -------------------------------------------------------------------
#
# nvmath-python's ``nvmath.bindings.cublasLt`` names each C function in snake_case, with the C
# arguments in C order and snake_case parameter names, as C passes them: a buffer, an output
# struct or an output count is the caller's memory, given by address (``intptr_t``), and the
# function returns None. Those names are faces of the functions above: where nothing differs
# (no argument, or the same names and semantics) the face is the same function object; the
# others check their arguments under their own names and make the same ctypes call.
#
# Where nvmath-python takes an address, an int is trusted, as in C. For convenience the caller
# may instead pass what owns the memory: a writable buffer (bytearray, NumPy array, ctypes
# object) for ``buf`` and the ``size_written`` / ``return_algo_count`` outputs, and for structs
# a ctypes struct, nvmath-python's ``MatmulAlgo(size)`` / ``MatmulHeuristicResult(size)`` arrays
# or a NumPy array of their dtype; those are checked against the sizes passed.


def _as_pointer(ptype, address):
    """A typed pointer argument for an int address (None or 0: NULL)."""
    return ctypes.cast(address, ptype) if address else None


def _out_address(value, what: str, min_bytes: int):
    """``(address or None, keep-alive)`` of memory C writes ``min_bytes`` into."""
    if value is None:
        return None, None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return _integer(value, what, c_uint64) or None, None
    arg, capacity = _buffer(value, None, what, writable=True)
    if capacity < min_bytes:
        raise ValueError(
            f"{what} has {capacity} bytes; accepted: an address, or a writable buffer of at least {min_bytes} bytes"
        )
    return (arg if isinstance(arg, int) else ctypes.addressof(arg)), (arg, value)


def _struct_address(value, what: str, struct: type, count: int, *, writable: bool):
    """``(address or None, keep-alive)`` of ``count`` C structs of type ``struct``."""
    if value is None:
        return None, None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return _integer(value, what, c_uint64) or None, None
    name = struct.__name__
    if isinstance(value, struct) or (isinstance(value, ctypes.Array) and value._type_ is struct):
        address, nbytes = ctypes.addressof(value), ctypes.sizeof(value)
        writeable = True
    elif isinstance(value, _StructArray) and value._struct is struct:
        address, nbytes, writeable = value.ptr, value._data.nbytes, value._data.flags.writeable
    elif isinstance(value, np.ndarray) and value.dtype == struct._array._dtype:
        if count > 1 and not value.flags.c_contiguous:  # one struct: only the first is read
            raise refused(what, value, f"a C-contiguous array of {count} {name} structs", ValueError)
        address, nbytes, writeable = value.ctypes.data, value.nbytes, value.flags.writeable
    else:
        wrapped = isinstance(value, (MatmulHeuristicResult, _MatmulHeuristicResultArray))
        hint = " (pass its .algo, or an address)" if struct is MatmulAlgo and wrapped else ""
        raise refused(what, value, f"an address (int), a {name}, {name}(size) or a NumPy array of its dtype{hint}")
    if writable and not writeable:
        raise TypeError(f"{what} is read-only, and cuBLASLt writes it")
    if nbytes < count * ctypes.sizeof(struct):
        raise ValueError(f"{what} holds {nbytes // ctypes.sizeof(struct)} {name} structs; {count} are needed")
    return address or None, value


def _set_attribute(c_name: str, obj, attr, buf, size_in_bytes) -> None:
    size = _integer(size_in_bytes, "size_in_bytes", c_size_t)
    if isinstance(buf, numbers.Integral) and not isinstance(buf, bool):
        buf = _integer(buf, "buf", c_uint64)
    arg, size = _buffer(buf, size, "buf", writable=False, size_what="size_in_bytes")
    _call(c_name, obj, _integer(attr, "attr"), arg, size)


def _get_attribute(c_name: str, obj, attr, buf, size_in_bytes, size_written) -> None:
    size = _integer(size_in_bytes, "size_in_bytes", c_size_t)
    if isinstance(buf, numbers.Integral) and not isinstance(buf, bool):
        buf = _integer(buf, "buf", c_uint64)
    arg, size = _buffer(buf, size, "buf", writable=True, size_what="size_in_bytes")
    written, keep = _out_address(size_written, "size_written", ctypes.sizeof(c_size_t))
    _call(c_name, obj, _integer(attr, "attr"), arg, size, _as_pointer(_size_p, written))
    del keep


def _algo_pointer(algo, what: str = "algo", *, writable: bool = False):
    address, keep = _struct_address(algo, what, MatmulAlgo, 1, writable=writable)
    return _as_pointer(_algo_p, address), keep


# context and library information
create = cublasLtCreate
get_version = cublasLtGetVersion
get_cudart_version = cublasLtGetCudartVersion
get_property = cublasLtGetProperty
get_status_name = cublasLtGetStatusName
get_status_string = cublasLtGetStatusString


def destroy(light_handle: int) -> None:
    """``cublasLtDestroy``: release the handle from :func:`create`."""
    cublasLtDestroy(_pointer(light_handle, "light_handle"))


# matmul descriptors
def matmul_desc_create(compute_type: int, scale_type: int) -> int:
    """``cublasLtMatmulDescCreate``: a new matmul descriptor (returned).

    Parameters
    ----------
    compute_type : ComputeType
    scale_type : DataType
        The type of alpha and beta.
    """
    return cublasLtMatmulDescCreate(_integer(compute_type, "compute_type"), _integer(scale_type, "scale_type"))


def matmul_desc_destroy(matmul_desc: int) -> None:
    """``cublasLtMatmulDescDestroy``."""
    cublasLtMatmulDescDestroy(_pointer(matmul_desc, "matmul_desc"))


def matmul_desc_set_attribute(matmul_desc: int, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtMatmulDescSetAttribute``: set ``attr`` from the ``size_in_bytes`` bytes at ``buf``.

    Parameters
    ----------
    matmul_desc : int
    attr : MatmulDescAttribute
    buf : int or buffer
        The value's address, or a buffer holding it (its type:
        :func:`get_matmul_desc_attribute_dtype`).
    size_in_bytes : int
        The value's size; cuBLASLt checks it against the attribute's.
    """
    _set_attribute("cublasLtMatmulDescSetAttribute", _pointer(matmul_desc, "matmul_desc"), attr, buf, size_in_bytes)


def matmul_desc_get_attribute(matmul_desc: int, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatmulDescGetAttribute``: write ``attr``'s value into ``buf``.

    Parameters
    ----------
    matmul_desc : int
    attr : MatmulDescAttribute
    buf : int or writable buffer
        Where the value goes (0 with ``size_in_bytes=0`` to ask for the size).
    size_in_bytes : int
    size_written : int or writable buffer
        The address of a ``size_t`` that receives the bytes written (or needed), or a buffer
        of at least 8 bytes such as ``numpy.zeros(1, numpy.uint64)``.
    """
    obj = _pointer(matmul_desc, "matmul_desc")
    _get_attribute("cublasLtMatmulDescGetAttribute", obj, attr, buf, size_in_bytes, size_written)


# matrix layouts
matrix_layout_create = cublasLtMatrixLayoutCreate


def matrix_layout_destroy(mat_layout: int) -> None:
    """``cublasLtMatrixLayoutDestroy``."""
    cublasLtMatrixLayoutDestroy(_pointer(mat_layout, "mat_layout"))


def matrix_layout_set_attribute(mat_layout: int, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtMatrixLayoutSetAttribute`` (a :class:`MatrixLayoutAttribute`); the arguments
    are as for :func:`matmul_desc_set_attribute`."""
    _set_attribute("cublasLtMatrixLayoutSetAttribute", _pointer(mat_layout, "mat_layout"), attr, buf, size_in_bytes)


def matrix_layout_get_attribute(mat_layout: int, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatrixLayoutGetAttribute``; the arguments are as for
    :func:`matmul_desc_get_attribute`."""
    obj = _pointer(mat_layout, "mat_layout")
    _get_attribute("cublasLtMatrixLayoutGetAttribute", obj, attr, buf, size_in_bytes, size_written)


def grouped_matrix_layout_create(type: int, group_count: int, rows_array: int, cols_array: int, ld_array: int) -> int:
    """``cublasLtGroupedMatrixLayoutCreate``: a new grouped layout (returned); experimental.

    Parameters
    ----------
    type : DataType
    group_count : int
    rows_array, cols_array, ld_array : int
        Device addresses of the per-group shapes (see :func:`cublasLtGroupedMatrixLayoutCreate`).
    """
    return cublasLtGroupedMatrixLayoutCreate(
        _integer(type, "type"),
        _integer(group_count, "group_count"),
        _pointer(rows_array, "rows_array"),
        _pointer(cols_array, "cols_array"),
        _pointer(ld_array, "ld_array"),
    )


# matrix transforms
def matrix_transform_desc_create(scale_type: int) -> int:
    """``cublasLtMatrixTransformDescCreate``: a new transform descriptor (returned); ``scale_type``
    is a :class:`DataType`."""
    return cublasLtMatrixTransformDescCreate(_integer(scale_type, "scale_type"))


def matrix_transform_desc_destroy(transform_desc: int) -> None:
    """``cublasLtMatrixTransformDescDestroy``."""
    cublasLtMatrixTransformDescDestroy(_pointer(transform_desc, "transform_desc"))


def matrix_transform_desc_set_attribute(transform_desc: int, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtMatrixTransformDescSetAttribute`` (a :class:`MatrixTransformDescAttribute`); the
    arguments are as for :func:`matmul_desc_set_attribute`."""
    obj = _pointer(transform_desc, "transform_desc")
    _set_attribute("cublasLtMatrixTransformDescSetAttribute", obj, attr, buf, size_in_bytes)


def matrix_transform_desc_get_attribute(transform_desc: int, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatrixTransformDescGetAttribute``; the arguments are as for
    :func:`matmul_desc_get_attribute`."""
    obj = _pointer(transform_desc, "transform_desc")
    _get_attribute("cublasLtMatrixTransformDescGetAttribute", obj, attr, buf, size_in_bytes, size_written)


def matrix_transform(
    light_handle: int,
    transform_desc: int,
    alpha,
    a: int,
    adesc: int,
    beta,
    b: int,
    bdesc: int,
    c: int,
    cdesc: int,
    stream: int,
) -> None:
    """``cublasLtMatrixTransform``: ``C = alpha * op(A) + beta * op(B)`` on ``stream``.

    ``alpha`` and ``beta`` are scalar addresses (host ones with the default pointer mode; a
    ctypes object such as ``ctypes.c_float(1.0)`` is taken by address); ``a``, ``b``, ``c`` are
    device pointers and ``adesc``, ``bdesc``, ``cdesc`` their layouts.
    """
    _call(
        "cublasLtMatrixTransform",
        _pointer(light_handle, "light_handle"),
        _pointer(transform_desc, "transform_desc"),
        _scalar_pointer(alpha, "alpha"),
        _pointer(a, "a"),
        _pointer(adesc, "adesc"),
        _scalar_pointer(beta, "beta"),
        _pointer(b, "b"),
        _pointer(bdesc, "bdesc"),
        _pointer(c, "c"),
        _pointer(cdesc, "cdesc"),
        _pointer(stream, "stream"),
    )


# preferences
matmul_preference_create = cublasLtMatmulPreferenceCreate
matmul_preference_destroy = cublasLtMatmulPreferenceDestroy


def matmul_preference_set_attribute(pref: int, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtMatmulPreferenceSetAttribute`` (a :class:`MatmulPreferenceAttribute`); the
    arguments are as for :func:`matmul_desc_set_attribute`."""
    _set_attribute("cublasLtMatmulPreferenceSetAttribute", _pointer(pref, "pref"), attr, buf, size_in_bytes)


def matmul_preference_get_attribute(pref: int, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatmulPreferenceGetAttribute``; the arguments are as for
    :func:`matmul_desc_get_attribute`."""
    _get_attribute(
        "cublasLtMatmulPreferenceGetAttribute", _pointer(pref, "pref"), attr, buf, size_in_bytes, size_written
    )


# emulation descriptors
emulation_desc_create = cublasLtEmulationDescCreate


def emulation_desc_destroy(emulation_desc: int) -> None:
    """``cublasLtEmulationDescDestroy``."""
    cublasLtEmulationDescDestroy(_pointer(emulation_desc, "emulation_desc"))


def emulation_desc_set_attribute(emulation_desc: int, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtEmulationDescSetAttribute`` (an :class:`EmulationDescAttribute`); the arguments
    are as for :func:`matmul_desc_set_attribute`."""
    obj = _pointer(emulation_desc, "emulation_desc")
    _set_attribute("cublasLtEmulationDescSetAttribute", obj, attr, buf, size_in_bytes)


def emulation_desc_get_attribute(emulation_desc: int, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtEmulationDescGetAttribute``; the arguments are as for
    :func:`matmul_desc_get_attribute`."""
    obj = _pointer(emulation_desc, "emulation_desc")
    _get_attribute("cublasLtEmulationDescGetAttribute", obj, attr, buf, size_in_bytes, size_written)


# algorithm selection and matmul
def _peer_descs(light_handle, operation_desc, adesc, bdesc, cdesc, ddesc):
    return (
        _pointer(light_handle, "light_handle"),
        _pointer(operation_desc, "operation_desc"),
        _pointer(adesc, "adesc"),
        _pointer(bdesc, "bdesc"),
        _pointer(cdesc, "cdesc"),
        _pointer(ddesc, "ddesc"),
    )


def matmul_algo_get_heuristic(
    light_handle: int,
    operation_desc: int,
    adesc: int,
    bdesc: int,
    cdesc: int,
    ddesc: int,
    preference: int,
    requested_algo_count: int,
    heuristic_results_array,
    return_algo_count,
) -> None:
    """``cublasLtMatmulAlgoGetHeuristic``: fill the caller's results, best first.

    Parameters
    ----------
    light_handle, operation_desc, adesc, bdesc, cdesc, ddesc, preference : int
    requested_algo_count : int
        At most this many results are written.
    heuristic_results_array
        Room for ``requested_algo_count`` results: an address, or ``MatmulHeuristicResult(n)``
        (nvmath-python's array), a ctypes array of :class:`MatmulHeuristicResult`, or a NumPy
        array of :data:`matmul_heuristic_result_dtype`.
    return_algo_count
        Receives the number of results (a C ``int``): an address, or a writable buffer of at
        least 4 bytes such as ``numpy.zeros(1, numpy.int32)``.
    """
    count = _integer(requested_algo_count, "requested_algo_count")
    if count < 0:
        raise ValueError(f"requested_algo_count={count} is not supported; accepted: an int >= 0")
    results, keep_results = _struct_address(
        heuristic_results_array, "heuristic_results_array", MatmulHeuristicResult, count, writable=True
    )
    returned, keep_count = _out_address(return_algo_count, "return_algo_count", ctypes.sizeof(c_int))
    _call(
        "cublasLtMatmulAlgoGetHeuristic",
        *_peer_descs(light_handle, operation_desc, adesc, bdesc, cdesc, ddesc),
        _pointer(preference, "preference"),
        count,
        _as_pointer(_result_p, results),
        _as_pointer(_int_p, returned),
    )
    del keep_results, keep_count


def matmul_algo_get_ids(
    light_handle: int,
    compute_type: int,
    scale_type: int,
    atype: int,
    btype: int,
    ctype: int,
    dtype: int,
    requested_algo_count: int,
) -> tuple[int, ...]:
    """``cublasLtMatmulAlgoGetIds``: the ids (at most ``requested_algo_count``) of the
    algorithms that may run for these types, as a tuple.

    Parameters
    ----------
    light_handle : int
    compute_type : ComputeType
    scale_type, atype, btype, ctype, dtype : DataType
    requested_algo_count : int
    """
    count = _integer(requested_algo_count, "requested_algo_count")
    if count < 0:
        raise ValueError(f"requested_algo_count={count} is not supported; accepted: an int >= 0")
    types = [
        _integer(value, name)
        for value, name in (
            (compute_type, "compute_type"),
            (scale_type, "scale_type"),
            (atype, "atype"),
            (btype, "btype"),
            (ctype, "ctype"),
            (dtype, "dtype"),
        )
    ]
    return tuple(cublasLtMatmulAlgoGetIds(_pointer(light_handle, "light_handle"), *types, count))


def matmul_algo_init(
    light_handle: int,
    compute_type: int,
    scale_type: int,
    atype: int,
    btype: int,
    ctype: int,
    dtype: int,
    algo_id: int,
    algo,
) -> None:
    """``cublasLtMatmulAlgoInit``: initialize the caller's ``algo`` for ``algo_id``.

    ``algo`` is an address, a :class:`MatmulAlgo`, ``MatmulAlgo(1)`` or a NumPy array of
    :data:`matmul_algo_dtype`; the other arguments are as for :func:`matmul_algo_get_ids`.
    """
    pointer, keep = _algo_pointer(algo, writable=True)
    _call(
        "cublasLtMatmulAlgoInit",
        _pointer(light_handle, "light_handle"),
        _integer(compute_type, "compute_type"),
        _integer(scale_type, "scale_type"),
        _integer(atype, "atype"),
        _integer(btype, "btype"),
        _integer(ctype, "ctype"),
        _integer(dtype, "dtype"),
        _integer(algo_id, "algo_id"),
        pointer,
    )
    del keep


def matmul_algo_check(
    light_handle: int,
    operation_desc: int,
    adesc: int,
    bdesc: int,
    cdesc: int,
    ddesc: int,
    algo,
    result,
) -> None:
    """``cublasLtMatmulAlgoCheck``: whether ``algo`` runs this matmul on the current device; the
    workspace size and waves count go to the caller's ``result`` (an address, a
    :class:`MatmulHeuristicResult` or ``MatmulHeuristicResult(1)``). Unsupported: raises."""
    algo_pointer, keep_algo = _algo_pointer(algo)
    address, keep_result = _struct_address(result, "result", MatmulHeuristicResult, 1, writable=True)
    _call(
        "cublasLtMatmulAlgoCheck",
        *_peer_descs(light_handle, operation_desc, adesc, bdesc, cdesc, ddesc),
        algo_pointer,
        _as_pointer(_result_p, address),
    )
    del keep_algo, keep_result


def matmul_algo_cap_get_attribute(algo, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatmulAlgoCapGetAttribute`` (a :class:`MatmulAlgoCapAttribute`) of an initialized
    ``algo`` (an address or a struct, as for :func:`matmul_algo_init`); the other arguments are
    as for :func:`matmul_desc_get_attribute`. ``TILE_IDS`` and ``STAGES_IDS`` are arrays: ask
    for the size with ``buf=0, size_in_bytes=0`` first."""
    pointer, keep = _algo_pointer(algo)
    _get_attribute("cublasLtMatmulAlgoCapGetAttribute", pointer, attr, buf, size_in_bytes, size_written)
    del keep


def matmul_algo_config_set_attribute(algo, attr: int, buf, size_in_bytes: int) -> None:
    """``cublasLtMatmulAlgoConfigSetAttribute``: change the caller's ``algo`` in place (a
    :class:`MatmulAlgoConfigAttribute`); arguments as for :func:`matmul_desc_set_attribute`."""
    pointer, keep = _algo_pointer(algo, writable=True)
    _set_attribute("cublasLtMatmulAlgoConfigSetAttribute", pointer, attr, buf, size_in_bytes)
    del keep


def matmul_algo_config_get_attribute(algo, attr: int, buf, size_in_bytes: int, size_written) -> None:
    """``cublasLtMatmulAlgoConfigGetAttribute``; arguments as for
    :func:`matmul_algo_cap_get_attribute`."""
    pointer, keep = _algo_pointer(algo)
    _get_attribute("cublasLtMatmulAlgoConfigGetAttribute", pointer, attr, buf, size_in_bytes, size_written)
    del keep


def matmul(
    light_handle: int,
    compute_desc: int,
    alpha,
    a: int,
    adesc: int,
    b: int,
    bdesc: int,
    beta,
    c: int,
    cdesc: int,
    d: int,
    ddesc: int,
    algo,
    workspace: int,
    workspace_size_in_bytes: int,
    stream: int,
) -> None:
    """``cublasLtMatmul``: ``D = alpha * op(A) @ op(B) + beta * C``, enqueued on ``stream``.

    Parameters
    ----------
    alpha, beta
        Scalar addresses (host ones with the default ``PointerMode.HOST``, read before the call
        returns), or ctypes objects such as ``ctypes.c_float(1.0)``.
    a, b, c, d : int
        Device pointers (``c`` may equal ``d``); ``adesc``... are their layouts.
    algo
        The algorithm: an address (0: let cuBLASLt choose), a :class:`MatmulAlgo`,
        ``MatmulAlgo(1)`` or a NumPy array of :data:`matmul_algo_dtype`.
    workspace : int
        A device pointer to ``workspace_size_in_bytes`` bytes (0 for none).
    stream : int
        The ``cudaStream_t`` (0: the default stream).
    """
    algo_pointer, keep = _algo_pointer(algo)
    _call(
        "cublasLtMatmul",
        _pointer(light_handle, "light_handle"),
        _pointer(compute_desc, "compute_desc"),
        _scalar_pointer(alpha, "alpha"),
        _pointer(a, "a"),
        _pointer(adesc, "adesc"),
        _pointer(b, "b"),
        _pointer(bdesc, "bdesc"),
        _scalar_pointer(beta, "beta"),
        _pointer(c, "c"),
        _pointer(cdesc, "cdesc"),
        _pointer(d, "d"),
        _pointer(ddesc, "ddesc"),
        algo_pointer,
        _pointer(workspace, "workspace"),
        _integer(workspace_size_in_bytes, "workspace_size_in_bytes", c_size_t),
        _pointer(stream, "stream"),
    )
    del keep


# logging, the heuristics cache, CPU instructions
logger_set_level = cublasLtLoggerSetLevel
logger_set_mask = cublasLtLoggerSetMask
logger_force_disable = cublasLtLoggerForceDisable
heuristics_cache_get_capacity = cublasLtHeuristicsCacheGetCapacity
heuristics_cache_set_capacity = cublasLtHeuristicsCacheSetCapacity


def logger_open_file(log_file) -> None:
    """``cublasLtLoggerOpenFile``: log to the file at path ``log_file`` (a ``str`` or
    ``os.PathLike``), created if missing."""
    if not isinstance(log_file, (str, os.PathLike)):
        raise refused("log_file", log_file, "a path (str or os.PathLike)")
    cublasLtLoggerOpenFile(log_file)


def disable_cpu_instructions_set_mask(mask: int) -> None:
    """``cublasLtDisableCpuInstructionsSetMask``: forbid the CPU instruction sets in ``mask``
    (``0x1``: AVX-512). Returns None; :func:`cublasLtDisableCpuInstructionsSetMask` returns the
    previous mask. cuBLASLt 13.10 does not export it (:class:`FunctionNotFoundError`)."""
    cublasLtDisableCpuInstructionsSetMask(mask)


# -- attribute dtypes (nvmath-python's helpers; no C counterpart) ---------------------------

_NUMPY_TYPES = {
    c_int8: np.int8,
    c_int32: np.int32,
    c_int64: np.int64,
    c_uint16: np.uint16,
    c_uint32: np.uint32,
    c_uint64: np.uint64,
    c_float: np.float32,
    c_void_p: np.intp,
}

_TRANSFORM = dict.fromkeys(MatrixTransformDescAttribute, c_int32)
_EMULATION = {
    EmulationDescAttribute.STRATEGY: c_int32,
    EmulationDescAttribute.SPECIAL_VALUES_SUPPORT: c_int32,
    EmulationDescAttribute.FIXEDPOINT_MANTISSA_CONTROL: c_int32,
    EmulationDescAttribute.FIXEDPOINT_MAX_MANTISSA_BIT_COUNT: c_int32,
    EmulationDescAttribute.FIXEDPOINT_MANTISSA_BIT_OFFSET: c_int32,
    EmulationDescAttribute.FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER: _PTR,
}
# The unlisted members with a type in the CUDA 12 headers (the preference ones had none left).
_REMOVED_TYPES = {
    MatmulDescAttribute.ATOMIC_SYNC_NUM_CHUNKS_D_ROWS: c_int32,
    MatmulDescAttribute.ATOMIC_SYNC_NUM_CHUNKS_D_COLS: c_int32,
    MatmulDescAttribute.ATOMIC_SYNC_IN_COUNTERS_POINTER: _PTR,
    MatmulDescAttribute.ATOMIC_SYNC_OUT_COUNTERS_POINTER: _PTR,
    MatmulAlgoCapAttribute.MATHMODE_IMPL: c_int32,
    MatmulAlgoCapAttribute.GAUSSIAN_IMPL: c_int32,
    MatmulAlgoCapAttribute.ATOMIC_SYNC: c_int32,
}


def _attribute_dtype(enum_cls, table: dict, attr):
    value = _integer(attr, "attr")
    try:
        member = enum_cls(value)
    except ValueError:
        accepted = ", ".join(f"{m.name} ({m.value})" for m in enum_cls)
        raise ValueError(f"attr={value} is not a {enum_cls.__name__}; accepted: {accepted}") from None
    ctype = table.get(member) or _REMOVED_TYPES.get(member)
    if ctype is None:
        raise ValueError(
            f"{enum_cls.__name__}.{member.name} ({value}) was removed from cuBLASLt (it is not in the "
            f"CUDA 13 header) and has no type; accepted: the listed {enum_cls.__name__} members"
        )
    return _NUMPY_TYPES[ctype]


def get_matmul_desc_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatmulDescAttribute`'s value (``numpy.int32``,
    ``numpy.intp`` for pointers...), to size the buffers of :func:`matmul_desc_set_attribute`
    and :func:`matmul_desc_get_attribute`: ``numpy.zeros(1, dtype)``, ``dtype().itemsize``.

    Raises
    ------
    TypeError
        If ``attr`` is not an int.
    ValueError
        If ``attr`` is not a member.
    """
    return _attribute_dtype(MatmulDescAttribute, MATMUL_DESC_ATTRIBUTE_TYPES, attr)


def get_matrix_layout_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatrixLayoutAttribute`'s value (see
    :func:`get_matmul_desc_attribute_dtype`)."""
    return _attribute_dtype(MatrixLayoutAttribute, MATRIX_LAYOUT_ATTRIBUTE_TYPES, attr)


def get_matmul_preference_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatmulPreferenceAttribute`'s value (see
    :func:`get_matmul_desc_attribute_dtype`). The members cuBLASLt removed (``MATH_MODE_MASK``,
    ``GAUSSIAN_MODE_MASK``, ``POINTER_MODE_MASK``, ``EPILOGUE_MASK``) raise ValueError; the old
    name ``SM_COUNT_TARGET`` is ``GROUPED_AVERAGE_REDUCTION_DIM`` now (``numpy.uint64``)."""
    return _attribute_dtype(MatmulPreferenceAttribute, MATMUL_PREFERENCE_ATTRIBUTE_TYPES, attr)


def get_matmul_algo_cap_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatmulAlgoCapAttribute`'s value; for ``TILE_IDS`` and
    ``STAGES_IDS``, arrays, the element type (see :func:`get_matmul_desc_attribute_dtype`)."""
    return _attribute_dtype(MatmulAlgoCapAttribute, MATMUL_ALGO_CAP_ATTRIBUTE_TYPES, attr)


def get_matmul_algo_config_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatmulAlgoConfigAttribute`'s value (see
    :func:`get_matmul_desc_attribute_dtype`)."""
    return _attribute_dtype(MatmulAlgoConfigAttribute, MATMUL_ALGO_CONFIG_ATTRIBUTE_TYPES, attr)


def get_matrix_transform_desc_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of a :class:`MatrixTransformDescAttribute`'s value: ``numpy.int32`` for
    all (see :func:`get_matmul_desc_attribute_dtype`)."""
    return _attribute_dtype(MatrixTransformDescAttribute, _TRANSFORM, attr)


def get_emulation_desc_attribute_dtype(attr: int) -> type[np.generic]:
    """The NumPy type of an :class:`EmulationDescAttribute`'s value (``numpy.int32``;
    ``numpy.intp`` for ``FIXEDPOINT_MANTISSA_BIT_COUNT_POINTER``, a device address)."""
    return _attribute_dtype(EmulationDescAttribute, _EMULATION, attr)
