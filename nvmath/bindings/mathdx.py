"""Thin 1:1 ``ctypes`` bindings of libmathdx (``libmathdx.so.0``; the ``nvidia-libmathdx-cu13``
0.4.2 wheel: cuFFTDx 1.7, cuBLASDx 0.7, cuRANDDx 0.2, cuSOLVERDx 0.5, nvCOMPDx 0.1).

libmathdx generates device functions from descriptors at run time (NVRTC inside), with no
GPU: create a descriptor, set its operators, read its traits, finalize it into a code
object, read the code's LTO-IR and link it (nvJitLink) with a kernel that calls the function
by its symbol name.

Every C function has two faces with the same engine:

- **nvmath-python's names** (``cufftdx_create_descriptor``, ``cublasdx_get_trait_str``,
  ``commondx_get_code_ltoir``...): snake_case, the C arguments in C order, as nvmath-python's
  ``nvmath.bindings.mathdx`` has them, so its users' code runs unchanged. An output array or
  string is the caller's buffer, as in C: a ``bytearray``, a writable NumPy array, a list
  (filled in place) or an int address; the function fills it and returns None, and a buffer
  smaller than the size passed is refused. An input array is a sequence of at least
  ``count`` elements or an int address.
- **The C names** (``cufftdxCreateDescriptor``, ``cublasdxGetTraitStr``...): output
  parameters are returned instead of passed (``cublasdxGetTraitStr(h, trait, size)`` returns
  the ``str``).

Descriptors, code objects, tensors, pipelines and device functions are Python ints (``long
long`` handles). A C ``(count, array)`` input pair stays two arguments. Every status other
than ``COMMONDX_SUCCESS`` raises :class:`MathDxError` (a :class:`LibMathDxError`, the type
nvmath-python raises), which names the function and carries libmathdx's own error text (the
NVRTC log of a ``COMPILATION_ERROR``) when the library has one. The ``*ToStr`` functions
return ``str``. Enums are :class:`enum.IntEnum` s named after their C typedef
(``cufftdxTraitType`` → :class:`CufftdxTraitType`) with the C prefix dropped
(``CUFFTDX_TRAIT_SYMBOL_NAME`` → ``CufftdxTraitType.SYMBOL_NAME``); a few members the 0.4
headers dropped are kept under nvmath-python's names (libmathdx refuses them).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the
first call (which also loads the NVRTC it needs).

Generated device functions
--------------------------
All are ``extern "C" __device__`` functions returning ``void``; every argument is a 64-bit
generic pointer (PTX ``.param .b64``), none is passed by value. The symbol is the descriptor's
``SYMBOL_NAME`` trait (``cufftdx_execute_<hash>``, ``cublasdx_execute_<hash>``), or the name
set with ``*SetOptionStr(handle, CommondxOption.SYMBOL_NAME, name)``; read it after setting
the operators. A block-execution function must be called by every thread of the block.

- cuFFTDx, ``CufftdxApi.LMEM``, block execution::

      void f(value_type* rmem, void* smem);

  ``rmem``: the thread's ``STORAGE_SIZE`` values (thread-local); element ``i`` of thread
  ``t`` is FFT element ``t + i * STRIDE``. ``smem``: ``SHARED_MEMORY_SIZE`` bytes of shared
  memory (a generic pointer to it). Thread execution: ``void f(value_type* rmem)``.
- cuFFTDx, ``CufftdxApi.SMEM``: ``void f(value_type* smem)``, the data in shared memory.
- cuBLASDx, ``CublasdxApi.SMEM``::

      void f(value_type_c* alpha, value_type_a* a, value_type_b* b, value_type_c* beta,
             value_type_c* c);    // C = alpha * A @ B + beta * C

  ``a``, ``b``, ``c`` point to shared memory in the ``ARRANGEMENT`` / ``LEADING_DIMENSION``
  of the traits; ``alpha`` and ``beta`` point to one scalar each (any memory).
- cuBLASDx, ``CublasdxApi.SMEM_DYNAMIC_LD``::

      void f(value_type_c* alpha, value_type_a* a, unsigned* lda, value_type_b* b,
             unsigned* ldb, value_type_c* beta, value_type_c* c, unsigned* ldc);

  (the header's text shows ``alpha`` by value; the generated code takes a pointer.)

``value_type`` is the ``VALUE_TYPE`` trait: ``C_32F`` is ``float2`` (8-byte aligned), ``R_32F``
``float``. cuSOLVERDx, cuRANDDx and nvCOMPDx prototypes are in the ``cusolverdxFunction_t``,
``curanddxDeviceFunctionType_t`` and ``nvcompdxDirection_t`` documentation of their headers.

Known issues (seen with libmathdx 0.4.1)
---------------------------------------
- It was built with CUDA 13.0 and compiles with whatever NVRTC is loaded. With NVRTC 13.5
  (``nvidia-cuda-nvrtc`` 13.5), cuBLASDx code generation fails (``COMPILATION_ERROR``: CuTe
  includes ``cccl/cuda/std/__tuple_dir/structured_bindings.h``, which CCCL 13.5 no longer
  has); with NVRTC 13.0 it works. cuFFTDx works with both.
- ``cublasdxGetTraitInt64(h, CublasdxTraitType.BLOCK_SIZE)`` raises ``INTERNAL_ERROR`` (use
  ``MAX_THREADS_PER_BLOCK`` or the product of ``BLOCK_DIM``); there is no cuBLASDx shared
  memory size trait.
- A descriptor cuFFTDx does not support (``cufftdxIsSupported`` is 0) fails at its first
  trait query with ``INTERNAL_ERROR``, not when the operator is set.

Example
-------
>>> h = cufftdx_create_descriptor()                                             # doctest: +SKIP
>>> cufftdx_set_operator_int64(h, CufftdxOperatorType.SIZE, 512)                # doctest: +SKIP
>>> ...  # DIRECTION, TYPE, PRECISION, SM, EXECUTION, API
>>> size = cufftdx_get_trait_str_size(h, CufftdxTraitType.SYMBOL_NAME)          # doctest: +SKIP
>>> name = bytearray(size)                                                      # doctest: +SKIP
>>> cufftdx_get_trait_str(h, CufftdxTraitType.SYMBOL_NAME, size, name)          # doctest: +SKIP
>>> code = commondx_create_code()                                               # doctest: +SKIP
>>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)         # doctest: +SKIP
>>> cufftdx_finalize_code(code, h)                                              # doctest: +SKIP
>>> ltoir = bytearray(commondx_get_code_ltoir_size(code))                       # doctest: +SKIP
>>> commondx_get_code_ltoir(code, len(ltoir), ltoir)                            # doctest: +SKIP
>>> commondx_destroy_code(code); cufftdx_destroy_descriptor(h)                  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import numbers
from ctypes import POINTER, c_char_p, c_int, c_longlong, c_size_t, c_void_p

from ._args import is_int, refused
from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary

__all__ = [
    # errors
    "MathDxError",
    "LibMathDxError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    # constants
    "HEADER_VERSION",
    "LIBMATHDX_RUNTIME",
    "LIBMATHDX_NONE",
    "LIBMATHDX_MAX_PIPELINE_DEPTH",
    # enums
    "CommondxValueType",
    "CommondxStatusType",
    "CommondxPrecision",
    "CommondxArchModifier",
    "CommondxOption",
    "CommondxExecution",
    "CommondxCodeType",
    "CommondxCodeContainer",
    "CommondxFunctionAbi",
    "CufftdxDeviceFunctionType",
    "CufftdxThreadLayout",
    "CufftdxThreadLinearization",
    "CufftdxTransposition",
    "CublasdxDiag",
    "CublasdxFillMode",
    "CublasdxSide",
    "CublasdxInputStreaming",
    "CublasdxStaticBlockDim",
    "CublasdxWithPipeline",
    "NvcompdxBlockWarpCompleteness",
    "CufftdxApi",
    "CufftdxType",
    "CufftdxDirection",
    "CufftdxComplexLayout",
    "CufftdxRealMode",
    "CufftdxCodeType",
    "CufftdxOperatorType",
    "CufftdxKnobType",
    "CufftdxTraitType",
    "CublasdxApi",
    "CublasdxDevicePipelineType",
    "CublasdxTilePipelineType",
    "CublasdxBlockSizeStrategy",
    "CublasdxType",
    "CublasdxMemorySpace",
    "CublasdxTransposeMode",
    "CublasdxArrangement",
    "CublasdxFunction",
    "CublasdxOperatorType",
    "CublasdxTraitType",
    "CublasdxTensorType",
    "CublasdxTensorOption",
    "CublasdxTensorTrait",
    "CublasdxPipelineTrait",
    "CublasdxDeviceFunctionTrait",
    "CublasdxDeviceFunctionOption",
    "CublasdxDeviceFunctionType",
    "CuranddxDistribution",
    "CuranddxNormalMethod",
    "CuranddxGenerateMethod",
    "CuranddxGenerator",
    "CuranddxOperatorType",
    "CuranddxDeviceFunctionType",
    "CuranddxTraitType",
    "CusolverdxApi",
    "CusolverdxType",
    "CusolverdxFunction",
    "CusolverdxArrangement",
    "CusolverdxTransposeMode",
    "CusolverdxFillMode",
    "CusolverdxSide",
    "CusolverdxDiag",
    "CusolverdxJob",
    "CusolverdxOperatorType",
    "CusolverdxTraitType",
    "NvcompdxAlgorithm",
    "NvcompdxDirection",
    "NvcompdxOperatorType",
    "NvcompdxTraitType",
    # functions (C names)
    "mathdxGetVersion",
    "mathdxGetVersionEx",
    "mathdxGetPackageVersion",
    "mathdxGetCommit",
    "commondxCreateCode",
    "commondxSetCodeOptionInt64",
    "commondxSetCodeOptionInt64s",
    "commondxSetCodeOptionStr",
    "commondxSetCodeOptionStrs",
    "commondxGetCodeOptionInt64",
    "commondxGetCodeOptionsInt64s",
    "commondxGetCodeLTOIRSize",
    "commondxGetCodeLTOIR",
    "commondxGetCodePTXSize",
    "commondxGetCodePTX",
    "commondxGetCodeNumLTOIRs",
    "commondxGetCodeLTOIRSizes",
    "commondxGetCodeLTOIRs",
    "commondxDestroyCode",
    "commondxGetLastErrorStrSize",
    "commondxGetLastErrorStr",
    "commondxStatusToStr",
    "commondxPrecisionToStr",
    "commondxValueTypeToStr",
    "commondxOptionToStr",
    "commondxExecutionToStr",
    "commondxCodeContainerToStr",
    "commondxCodeTypeToStr",
    "commondxArchModifierToStr",
    "cufftdxGetVersion",
    "cufftdxCreateDescriptor",
    "cufftdxSetOptionStr",
    "cufftdxSetOptionStrs",
    "cufftdxIsSupported",
    "cufftdxGetKnobInt64Size",
    "cufftdxGetKnobInt64s",
    "cufftdxSetOperatorInt64",
    "cufftdxSetOperatorInt64s",
    "cufftdxGetLTOIRSize",
    "cufftdxGetLTOIR",
    "cufftdxGetTraitStrSize",
    "cufftdxGetTraitStr",
    "cufftdxGetTraitInt64",
    "cufftdxGetTraitInt64s",
    "cufftdxGetTraitCommondxDataType",
    "cufftdxFinalizeCode",
    "cufftdxFinalizeCodes",
    "cufftdxDestroyDescriptor",
    "cufftdxOperatorTypeToStr",
    "cufftdxTraitTypeToStr",
    "cufftdxApiToStr",
    "cufftdxTypeToStr",
    "cufftdxDirectionToStr",
    "cufftdxComplexLayoutToStr",
    "cufftdxRealModeToStr",
    "cufftdxKnobTypeToStr",
    "cufftdxCodeTypeToStr",
    "cublasdxGetVersion",
    "cublasdxCreateDescriptor",
    "cublasdxSetOptionStr",
    "cublasdxSetOptionStrs",
    "cublasdxSetOperatorInt64",
    "cublasdxSetOperatorInt64s",
    "cublasdxGetLTOIRSize",
    "cublasdxGetLTOIR",
    "cublasdxGetTraitStrSize",
    "cublasdxGetTraitStr",
    "cublasdxGetTraitInt64",
    "cublasdxGetTraitInt64s",
    "cublasdxGetTraitCommondxDataTypes",
    "cublasdxFinalizeCode",
    "cublasdxFinalizeCodes",
    "cublasdxGetUniversalFATBINSize",
    "cublasdxGetUniversalFATBIN",
    "cublasdxDestroyDescriptor",
    "cublasdxCreateTensor",
    "cublasdxCreateTensorStrided",
    "cublasdxMakeTensorLike",
    "cublasdxDestroyTensor",
    "cublasdxDestroyPipeline",
    "cublasdxCreateDevicePipeline",
    "cublasdxCreateTilePipeline",
    "cublasdxSetTensorOptionInt64",
    "cublasdxSetTensorOptionStr",
    "cublasdxSetPipelineOptionStr",
    "cublasdxSetTensorOptionStrs",
    "cublasdxSetPipelineOptionStrs",
    "cublasdxFinalizeTensors",
    "cublasdxFinalizePipelines",
    "cublasdxFinalize",
    "cublasdxGetTensorTraitInt64",
    "cublasdxGetPipelineTraitInt64",
    "cublasdxGetPipelineTraitInt64s",
    "cublasdxGetTensorTraitStrSize",
    "cublasdxGetPipelineTraitStrSize",
    "cublasdxGetTensorTraitStr",
    "cublasdxGetPipelineTraitStr",
    "cublasdxCreateDeviceFunction",
    "cublasdxDestroyDeviceFunction",
    "cublasdxCreateDeviceFunctionWithPipelines",
    "cublasdxFinalizeDeviceFunctions",
    "cublasdxGetDeviceFunctionTraitStrSize",
    "cublasdxGetDeviceFunctionTraitStr",
    "cublasdxSetDeviceFunctionOptionInt64",
    "cublasdxSetDeviceFunctionOptionStr",
    "cublasdxOperatorTypeToStr",
    "cublasdxTraitTypeToStr",
    "cublasdxApiToStr",
    "cublasdxTypeToStr",
    "cublasdxTransposeModeToStr",
    "cublasdxArrangementToStr",
    "cublasdxFunctionToStr",
    "cublasdxTensorTypeToStr",
    "cublasdxBlockSizeStrategyToStr",
    "cublasdxDevicePipelineTypeToStr",
    "cublasdxTilePipelineTypeToStr",
    "cublasdxTensorOptionToStr",
    "cublasdxTensorTraitToStr",
    "cublasdxPipelineTraitToStr",
    "cublasdxDeviceFunctionTraitToStr",
    "cublasdxDeviceFunctionOptionToStr",
    "cublasdxDeviceFunctionTypeToStr",
    "cublasdxMemorySpaceToStr",
    "curanddxGetVersion",
    "curanddxCreateDescriptor",
    "curanddxSetOptionStr",
    "curanddxSetOptionStrs",
    "curanddxSetOperatorInt64",
    "curanddxGetTraitStrSize",
    "curanddxGetTraitStr",
    "curanddxGetTraitInt64",
    "curanddxFinalizeCode",
    "curanddxFinalizeCodes",
    "curanddxDestroyDescriptor",
    "curanddxOperatorTypeToStr",
    "curanddxDistributionToStr",
    "curanddxGeneratorToStr",
    "curanddxGenerateMethodToStr",
    "curanddxNormalMethodToStr",
    "curanddxTraitTypeToStr",
    "cusolverdxGetVersion",
    "cusolverdxCreateDescriptor",
    "cusolverdxSetOptionStr",
    "cusolverdxSetOptionStrs",
    "cusolverdxSetOperatorInt64",
    "cusolverdxSetOperatorInt64s",
    "cusolverdxGetLTOIRSize",
    "cusolverdxGetLTOIR",
    "cusolverdxGetUniversalFATBINSize",
    "cusolverdxGetUniversalFATBIN",
    "cusolverdxGetTraitStrSize",
    "cusolverdxGetTraitStr",
    "cusolverdxGetTraitInt64",
    "cusolverdxGetTraitInt64s",
    "cusolverdxFinalizeCode",
    "cusolverdxFinalizeCodes",
    "cusolverdxDestroyDescriptor",
    "cusolverdxOperatorTypeToStr",
    "cusolverdxTraitTypeToStr",
    "cusolverdxDiagToStr",
    "cusolverdxSideToStr",
    "cusolverdxApiToStr",
    "cusolverdxTypeToStr",
    "cusolverdxFunctionToStr",
    "cusolverdxArrangementToStr",
    "cusolverdxFillModeToStr",
    "cusolverdxTransposeModeToStr",
    "cusolverdxJobToStr",
    "nvcompdxGetVersion",
    "nvcompdxCreateDescriptor",
    "nvcompdxSetOperatorInt64",
    "nvcompdxSetOperatorInt64s",
    "nvcompdxSetOptionStr",
    "nvcompdxSetOptionStrs",
    "nvcompdxGetTraitInt64",
    "nvcompdxGetTraitInt64s",
    "nvcompdxGetTraitStrSize",
    "nvcompdxGetTraitStr",
    "nvcompdxGetLTOIRSize",
    "nvcompdxGetLTOIR",
    "nvcompdxGetUniversalFATBINSize",
    "nvcompdxGetUniversalFATBIN",
    "nvcompdxFinalizeCode",
    "nvcompdxFinalizeCodes",
    "nvcompdxDestroyDescriptor",
    "nvcompdxOperatorTypeToStr",
    "nvcompdxTraitTypeToStr",
    "nvcompdxAlgorithmToStr",
    "nvcompdxDirectionToStr",
    # nvmath-python's names
    "check_status",
    "commondx_create_code",
    "commondx_destroy_code",
    "commondx_get_code_ltoir",
    "commondx_get_code_ltoir_size",
    "commondx_get_code_ltoir_sizes",
    "commondx_get_code_ltoirs",
    "commondx_get_code_num_ltoirs",
    "commondx_get_code_option_int64",
    "commondx_get_code_options_int64s",
    "commondx_get_code_ptx",
    "commondx_get_code_ptx_size",
    "commondx_set_code_option_int64",
    "commondx_set_code_option_int64s",
    "commondx_set_code_option_str",
    "commondx_status_to_str",
    "cublasdx_create_descriptor",
    "cublasdx_create_device_function",
    "cublasdx_create_device_function_with_pipelines",
    "cublasdx_create_device_pipeline",
    "cublasdx_create_tensor",
    "cublasdx_create_tensor_strided",
    "cublasdx_create_tile_pipeline",
    "cublasdx_destroy_descriptor",
    "cublasdx_destroy_device_function",
    "cublasdx_destroy_pipeline",
    "cublasdx_destroy_tensor",
    "cublasdx_finalize",
    "cublasdx_finalize_code",
    "cublasdx_finalize_codes",
    "cublasdx_finalize_device_functions",
    "cublasdx_finalize_pipelines",
    "cublasdx_finalize_tensors",
    "cublasdx_get_device_function_trait_str",
    "cublasdx_get_device_function_trait_str_size",
    "cublasdx_get_ltoir",
    "cublasdx_get_ltoir_size",
    "cublasdx_get_pipeline_trait_int64",
    "cublasdx_get_pipeline_trait_int64s",
    "cublasdx_get_pipeline_trait_str",
    "cublasdx_get_pipeline_trait_str_size",
    "cublasdx_get_tensor_trait_int64",
    "cublasdx_get_tensor_trait_str",
    "cublasdx_get_tensor_trait_str_size",
    "cublasdx_get_trait_int64",
    "cublasdx_get_trait_int64s",
    "cublasdx_get_trait_str",
    "cublasdx_get_trait_str_size",
    "cublasdx_get_universal_fatbin",
    "cublasdx_get_universal_fatbin_size",
    "cublasdx_make_tensor_like",
    "cublasdx_operator_type_to_str",
    "cublasdx_set_operator_int64",
    "cublasdx_set_operator_int64s",
    "cublasdx_set_option_str",
    "cublasdx_set_tensor_option_int64",
    "cublasdx_trait_type_to_str",
    "cufftdx_create_descriptor",
    "cufftdx_destroy_descriptor",
    "cufftdx_finalize_code",
    "cufftdx_finalize_codes",
    "cufftdx_get_knob_int64s",
    "cufftdx_get_knob_int64size",
    "cufftdx_get_ltoir",
    "cufftdx_get_ltoir_size",
    "cufftdx_get_trait_commondx_data_type",
    "cufftdx_get_trait_int64",
    "cufftdx_get_trait_int64s",
    "cufftdx_get_trait_str",
    "cufftdx_get_trait_str_size",
    "cufftdx_operator_type_to_str",
    "cufftdx_set_operator_int64",
    "cufftdx_set_operator_int64s",
    "cufftdx_set_option_str",
    "cufftdx_trait_type_to_str",
    "curanddx_create_descriptor",
    "curanddx_destroy_descriptor",
    "curanddx_distribution_to_str",
    "curanddx_finalize_code",
    "curanddx_finalize_codes",
    "curanddx_generate_method_to_str",
    "curanddx_generator_to_str",
    "curanddx_get_trait_int64",
    "curanddx_get_trait_str",
    "curanddx_get_trait_str_size",
    "curanddx_get_version",
    "curanddx_normal_method_to_str",
    "curanddx_operator_type_to_str",
    "curanddx_set_operator_doubles",
    "curanddx_set_operator_int64",
    "curanddx_set_option_str",
    "curanddx_trait_type_to_str",
    "cusolverdx_create_descriptor",
    "cusolverdx_destroy_descriptor",
    "cusolverdx_finalize_code",
    "cusolverdx_finalize_codes",
    "cusolverdx_get_ltoir",
    "cusolverdx_get_ltoir_size",
    "cusolverdx_get_trait_int64",
    "cusolverdx_get_trait_int64s",
    "cusolverdx_get_trait_str",
    "cusolverdx_get_trait_str_size",
    "cusolverdx_get_universal_fatbin",
    "cusolverdx_get_universal_fatbin_size",
    "cusolverdx_operator_type_to_str",
    "cusolverdx_set_operator_int64",
    "cusolverdx_set_operator_int64s",
    "cusolverdx_set_option_str",
    "cusolverdx_trait_type_to_str",
    "get_version",
    "get_version_ex",
]


# -- enums (values from the libmathdx 0.4.2 headers) ---------------------------------------

# libcommondx.h


class CommondxValueType(enum.IntEnum):
    """``commondxValueType`` (``COMMONDX_`` dropped): the value types (complex ones are over-
    aligned on their size: ``C_32F`` is a ``float2``).
    """

    R_8F_E5M2 = 0
    C_8F_E5M2 = 1
    R_8F_E4M3 = 2
    C_8F_E4M3 = 3
    R_16BF = 4
    C_16BF = 5
    R_16F2 = 6
    R_16F = 7
    C_16F = 8
    C_16F2 = 9
    R_32TF = 10
    C_32TF = 11
    R_32F = 12
    C_32F = 13
    R_64F = 14
    C_64F = 15
    R_8I = 16
    C_8I = 17
    R_16I = 18
    C_16I = 19
    R_32I = 20
    C_32I = 21
    R_64I = 22
    C_64I = 23
    R_8UI = 24
    C_8UI = 25
    R_16UI = 26
    C_16UI = 27
    R_32UI = 28
    C_32UI = 29
    R_64UI = 30
    C_64UI = 31


class CommondxStatusType(enum.IntEnum):
    """``commondxStatusType`` (``COMMONDX_`` dropped): the status every function returns; any other
    than ``SUCCESS`` raises :class:`MathDxError`.
    """

    SUCCESS = 0
    INVALID_VALUE = 1
    INTERNAL_ERROR = 2
    COMPILATION_ERROR = 3
    CUFFT_ERROR = 4
    FILE_ERROR = 5


class CommondxPrecision(enum.IntEnum):
    """``commondxPrecision`` (``COMMONDX_PRECISION_`` dropped): precisions, for the ``PRECISION``
    operators.
    """

    F8_E5M2 = 0
    F8_E4M3 = 1
    BF16 = 2
    F16 = 3
    TF32 = 4
    F32 = 5
    F64 = 6
    I8 = 7
    I16 = 8
    I32 = 9
    I64 = 10
    UI8 = 11
    UI16 = 12
    UI32 = 13
    UI64 = 14


class CommondxArchModifier(enum.IntEnum):
    """``commondxArchModifier`` (``COMMONDX_ARCH_MODIFIER_`` dropped): the feature set of
    ``CommondxOption.TARGET_SM`` given as a pair (``900, ARCH_SPECIFIC`` is sm_90a).
    """

    GENERIC = 0
    ARCH_SPECIFIC = 1
    FAMILY_SPECIFIC = 2


class CommondxOption(enum.IntEnum):
    """``commondxOption`` (``COMMONDX_OPTION_`` dropped): code options
    (:func:`commondxSetCodeOptionInt64`) and descriptor C-string options (``*SetOptionStr``).
    """

    SYMBOL_NAME = 0
    TARGET_SM = 1
    CODE_CONTAINER = 2
    CODE_ISA = 3
    EXTRA_NVRTC_ARGS = 4
    TARGET_CODE = 5


class CommondxExecution(enum.IntEnum):
    """``commondxExecution`` (``COMMONDX_EXECUTION_`` dropped): execution modes, for the
    ``EXECUTION`` operators.
    """

    THREAD = 0
    BLOCK = 1
    WARP = 2


class CommondxCodeType(enum.IntEnum):
    """``commondxCodeType`` (``COMMONDX_CODE_TYPE_`` dropped): what code to generate
    (``CommondxOption.TARGET_CODE``).
    """

    LTO = 0
    PTX = 1


class CommondxCodeContainer(enum.IntEnum):
    """``commondxCodeContainer`` (``COMMONDX_CODE_CONTAINER_`` dropped): the code container
    (``CommondxOption.CODE_CONTAINER``).
    """

    LTOIR = 0
    FATBIN = 1
    PTX = 2


class CommondxFunctionAbi(enum.IntEnum):
    """``commondxFunctionAbi`` (``COMMONDX_FUNCTION_ABI_`` dropped): function ABI of generated code (native, or tile for cuTile kernels)."""

    NATIVE = 0
    TILE = 1


# libcufftdx.h


class CufftdxApi(enum.IntEnum):
    """``cufftdxApi`` (``CUFFTDX_API_`` dropped): cuFFTDx device function API; it decides the
    generated function's C prototype (see the module docstring).
    """

    LMEM = 0
    SMEM = 1


class CufftdxType(enum.IntEnum):
    """``cufftdxType`` (``CUFFTDX_TYPE_`` dropped): cuFFTDx transform type."""

    C2C = 0
    R2C = 1
    C2R = 2


class CufftdxDirection(enum.IntEnum):
    """``cufftdxDirection`` (``CUFFTDX_DIRECTION_`` dropped): cuFFTDx direction."""

    FORWARD = 0
    INVERSE = 1


class CufftdxComplexLayout(enum.IntEnum):
    """``cufftdxComplexLayout`` (``CUFFTDX_COMPLEX_LAYOUT_`` dropped): cuFFTDx complex layout of
    real FFTs (first value of ``REAL_FFT_OPTIONS``).
    """

    NATURAL = 0
    PACKED = 1
    FULL = 2


class CufftdxRealMode(enum.IntEnum):
    """``cufftdxRealMode`` (``CUFFTDX_REAL_MODE_`` dropped): cuFFTDx real mode of real FFTs (second
    value of ``REAL_FFT_OPTIONS``).
    """

    NORMAL = 0
    FOLDED = 1


class CufftdxCodeType(enum.IntEnum):
    """``cufftdxCodeType`` (``CUFFTDX_CODE_TYPE_`` dropped): cuFFTDx implementation kind
    (``CufftdxOperatorType.CODE_TYPE``).
    """

    PTX = 0
    LTOIR = 1


class CufftdxOperatorType(enum.IntEnum):
    """``cufftdxOperatorType`` (``CUFFTDX_OPERATOR_`` dropped): cuFFTDx operators
    (:func:`cufftdxSetOperatorInt64` / :func:`cufftdxSetOperatorInt64s`).
    """

    SIZE = 0
    DIRECTION = 1
    TYPE = 2
    PRECISION = 3
    SM = 4
    EXECUTION = 5
    FFTS_PER_BLOCK = 6
    ELEMENTS_PER_THREAD = 7
    BLOCK_DIM = 8
    REAL_FFT_OPTIONS = 9
    API = 10
    CODE_TYPE = 11
    FUNCTION_ABI = 12
    THREAD_LINEARIZATION = 13
    TRANSPOSITION = 14
    THREAD_LAYOUT = 15
    DEVICE_FUNCTION = 16


class CufftdxKnobType(enum.IntEnum):
    """``cufftdxKnobType`` (``CUFFTDX_KNOB_`` dropped): cuFFTDx knobs
    (:func:`cufftdxGetKnobInt64s`).
    """

    ELEMENTS_PER_THREAD = 0
    FFTS_PER_BLOCK = 1
    TRANSPOSITION = 2


class CufftdxTraitType(enum.IntEnum):
    """``cufftdxTraitType`` (``CUFFTDX_TRAIT_`` dropped): cuFFTDx traits
    (:func:`cufftdxGetTraitInt64`, ``...Int64s``, ``...Str``, ``...CommondxDataType``).
    """

    VALUE_TYPE = 0
    INPUT_TYPE = 1
    OUTPUT_TYPE = 2
    IMPLICIT_TYPE_BATCHING = 3
    ELEMENTS_PER_THREAD = 4
    STORAGE_SIZE = 5
    STRIDE = 6
    BLOCK_DIM = 7
    SHARED_MEMORY_SIZE = 8
    FFTS_PER_BLOCK = 9
    SYMBOL_NAME = 10
    INPUT_LENGTH = 11
    OUTPUT_LENGTH = 12
    INPUT_ELEMENTS_PER_THREAD = 13
    OUTPUT_ELEMENTS_PER_THREAD = 14
    SUGGESTED_FFTS_PER_BLOCK = 15
    SYMBOL_EXECUTE_NAME = 16
    SYMBOL_FFT_ID_NAME = 17
    SYMBOL_BATCH_ID_NAME = 18
    SYMBOL_IS_THREAD_ACTIVE_NAME = 19


class CufftdxDeviceFunctionType(enum.IntFlag):
    """``cufftdxDeviceFunctionType`` (``CUFFTDX_DEVICE_FUNCTION_`` dropped): cuFFTDx device functions to generate (bit flags)."""

    EXECUTE = 1
    FFT_ID = 2
    BATCH_ID = 4
    IS_THREAD_ACTIVE = 8


class CufftdxThreadLayout(enum.IntEnum):
    """``cufftdxThreadLayout`` (``CUFFTDX_THREAD_LAYOUT_`` dropped): cuFFTDx thread layout of the register data."""

    REGULAR = 0
    TRANSPOSED = 1


class CufftdxThreadLinearization(enum.IntEnum):
    """``cufftdxThreadLinearization`` (``CUFFTDX_THREAD_LINEARIZATION_`` dropped): cuFFTDx thread linearization switch."""

    DISABLED = 0
    ENABLED = 1


class CufftdxTransposition(enum.IntEnum):
    """``cufftdxTransposition`` (``CUFFTDX_TRANSPOSITION_`` dropped): cuFFTDx transposition of the register data."""

    ANY = 0
    NONE = 1
    BY_COMPONENT = 2
    BY_COMPLEX = 3
    BY_COMPONENT_PADDED = 4


# libcublasdx.h


class CublasdxApi(enum.IntEnum):
    """``cublasdxApi`` (``CUBLASDX_API_`` dropped): cuBLASDx device function API; it decides the
    generated function's C prototype (see the module docstring).
    """

    SMEM = 0
    SMEM_DYNAMIC_LD = 1
    TENSORS = 2


class CublasdxDevicePipelineType(enum.IntEnum):
    """``cublasdxDevicePipelineType`` (``CUBLASDX_DEVICE_PIPELINE_`` dropped): cuBLASDx device
    pipeline kind.
    """

    SUGGESTED = 0


class CublasdxTilePipelineType(enum.IntEnum):
    """``cublasdxTilePipelineType`` (``CUBLASDX_TILE_PIPELINE_`` dropped): cuBLASDx tile pipeline
    kind.
    """

    DEFAULT = 0
    PIPELINE_DEFAULT = 0  # nvmath-python's name for DEFAULT


class CublasdxBlockSizeStrategy(enum.IntEnum):
    """``cublasdxBlockSizeStrategy`` (``CUBLASDX_BLOCK_SIZE_STRATEGY_`` dropped): cuBLASDx block
    size strategy of pipelines.
    """

    HEURISTIC = 0
    FIXED = 1


class CublasdxType(enum.IntEnum):
    """``cublasdxType`` (``CUBLASDX_TYPE_`` dropped): cuBLASDx real or complex."""

    REAL = 0
    COMPLEX = 1


class CublasdxMemorySpace(enum.IntEnum):
    """``cublasdxMemorySpace`` (``CUBLASDX_MEMORY_SPACE_`` dropped): cuBLASDx memory space of a
    strided tensor.
    """

    RMEM = 0
    SMEM = 1
    GMEM = 2
    ANY = 3


class CublasdxTransposeMode(enum.IntEnum):
    """``cublasdxTransposeMode`` (``CUBLASDX_TRANSPOSE_MODE_`` dropped): cuBLASDx transpose mode
    (deprecated in cuBLASDx; use arrangements).
    """

    NON_TRANSPOSED = 0
    TRANSPOSED = 1
    CONJ_TRANSPOSED = 2


class CublasdxArrangement(enum.IntEnum):
    """``cublasdxArrangement`` (``CUBLASDX_ARRANGEMENT_`` dropped): cuBLASDx data arrangement."""

    COL_MAJOR = 0
    ROW_MAJOR = 1


class CublasdxFunction(enum.IntEnum):
    """``cublasdxFunction`` (``CUBLASDX_FUNCTION_`` dropped): cuBLASDx BLAS function."""

    MM = 0
    TRSM = 1


class CublasdxOperatorType(enum.IntEnum):
    """``cublasdxOperatorType`` (``CUBLASDX_OPERATOR_`` dropped): cuBLASDx operators
    (:func:`cublasdxSetOperatorInt64` / :func:`cublasdxSetOperatorInt64s`).
    """

    FUNCTION = 0
    SIZE = 1
    TYPE = 2
    PRECISION = 3
    SM = 4
    EXECUTION = 5
    BLOCK_DIM = 6
    LEADING_DIMENSION = 7
    TRANSPOSE_MODE = 8
    API = 9
    ARRANGEMENT = 10
    ALIGNMENT = 11
    STATIC_BLOCK_DIM = 12
    ENABLE_INPUT_STREAMING = 13
    WITH_PIPELINE = 14
    SIDE = 15
    FILL_MODE = 16
    DIAG = 17


class CublasdxTraitType(enum.IntEnum):
    """``cublasdxTraitType`` (``CUBLASDX_TRAIT_`` dropped): cuBLASDx traits
    (:func:`cublasdxGetTraitInt64`, ``...Int64s``, ``...Str``, ``...CommondxDataTypes``).
    """

    VALUE_TYPE = 0
    SIZE = 1
    BLOCK_SIZE = 2
    BLOCK_DIM = 3
    LEADING_DIMENSION = 4
    SYMBOL_NAME = 5
    ARRANGEMENT = 6
    ALIGNMENT = 7
    SUGGESTED_LEADING_DIMENSION = 8
    SUGGESTED_BLOCK_DIM = 9
    MAX_THREADS_PER_BLOCK = 10


class CublasdxTensorType(enum.IntEnum):
    """``cublasdxTensorType`` (``CUBLASDX_TENSOR_`` dropped): cuBLASDx opaque tensor types
    (:func:`cublasdxCreateTensor`).
    """

    SMEM_A = 0
    SMEM_B = 1
    SMEM_C = 2
    SUGGESTED_SMEM_A = 3
    SUGGESTED_SMEM_B = 4
    SUGGESTED_SMEM_C = 5
    SUGGESTED_RMEM_C = 6
    GMEM_A = 7
    GMEM_B = 8
    GMEM_C = 9
    SUGGESTED_ACCUMULATOR_C = 10
    RMEM_C = 11
    ACCUMULATOR_C = 12


class CublasdxTensorOption(enum.IntEnum):
    """``cublasdxTensorOption`` (``CUBLASDX_TENSOR_OPTION_`` dropped): cuBLASDx tensor options."""

    ALIGNMENT_BYTES = 0


class CublasdxTensorTrait(enum.IntEnum):
    """``cublasdxTensorTrait`` (``CUBLASDX_TENSOR_TRAIT_`` dropped): cuBLASDx tensor traits (value
    3 is not used).
    """

    STORAGE_BYTES = 0
    ALIGNMENT_BYTES = 1
    UID = 2
    OPAQUE_NAME = 4
    LOGICAL_SIZE = 5
    MEMORY_SPACE = 6


class CublasdxPipelineTrait(enum.IntEnum):
    """``cublasdxPipelineTrait`` (``CUBLASDX_PIPELINE_TRAIT_`` dropped): pipeline traits."""

    STORAGE_BYTES = 0
    STORAGE_ALIGNMENT_BYTES = 1
    BUFFER_SIZE = 2
    BUFFER_ALIGNMENT_BYTES = 3
    OPAQUE_NAME = 4
    BLOCK_DIM = 5


class CublasdxDeviceFunctionTrait(enum.IntEnum):
    """``cublasdxDeviceFunctionTrait`` (``CUBLASDX_DEVICE_FUNCTION_TRAIT_`` dropped): cuBLASDx
    device function traits (the only value is 1).
    """

    SYMBOL = 1


class CublasdxDeviceFunctionOption(enum.IntEnum):
    """``cublasdxDeviceFunctionOption`` (``CUBLASDX_DEVICE_FUNCTION_OPTION_`` dropped): cuBLASDx
    device function options.
    """

    SYMBOL_NAME = 0
    COPY_ALIGNMENT = 1
    CALLBACK = 2
    NUM_THREADS = 3


class CublasdxDeviceFunctionType(enum.IntEnum):
    """``cublasdxDeviceFunctionType`` (``CUBLASDX_DEVICE_FUNCTION_`` dropped): cuBLASDx device
    functions of the tensor API (:func:`cublasdxCreateDeviceFunction`).
    """

    EXECUTE = 0
    COPY = 1
    COPY_WAIT = 2
    CLEAR = 3
    AXPBY = 4
    MAP_IDX2CRD = 5
    MAP_IDX2CRD_PARTITIONER = 6
    MAP_CRD2IDX = 7
    IS_THREAD_ACTIVE = 8
    IS_PREDICATED = 9
    IS_INDEX_IN_BOUNDS = 10
    CREATE = 11
    DESTROY = 12
    RESET = 13
    EPILOGUE = 14
    FINISH_ACCUMULATION = 15


class CublasdxDiag(enum.IntEnum):
    """``cublasdxDiag`` (``CUBLASDX_DIAG_`` dropped): cuBLASDx TRSM diagonal (unit or not)."""

    UNIT = 0
    NON_UNIT = 1


class CublasdxFillMode(enum.IntEnum):
    """``cublasdxFillMode`` (``CUBLASDX_FILL_MODE_`` dropped): cuBLASDx TRSM fill mode (upper or lower triangle)."""

    UPPER = 0
    LOWER = 1


class CublasdxSide(enum.IntEnum):
    """``cublasdxSide`` (``CUBLASDX_SIDE_`` dropped): cuBLASDx TRSM side of the triangular operand."""

    LEFT = 0
    RIGHT = 1


class CublasdxInputStreaming(enum.IntEnum):
    """``cublasdxInputStreaming`` (``CUBLASDX_INPUT_STREAMING_`` dropped): cuBLASDx input streaming switch (``ENABLE_INPUT_STREAMING``)."""

    DISABLED = 0
    ENABLED = 1


class CublasdxStaticBlockDim(enum.IntEnum):
    """``cublasdxStaticBlockDim`` (``CUBLASDX_STATIC_BLOCK_DIM_`` dropped): cuBLASDx static block dimension switch (``STATIC_BLOCK_DIM``)."""

    DISABLED = 0
    ENABLED = 1


class CublasdxWithPipeline(enum.IntEnum):
    """``cublasdxWithPipeline`` (``CUBLASDX_WITH_PIPELINE_`` dropped): cuBLASDx pipeline switch (``WITH_PIPELINE``)."""

    DISABLED = 0
    ENABLED = 1


# libcuranddx.h


class CuranddxDistribution(enum.IntEnum):
    """``curanddxDistribution`` (``CURANDDX_DISTRIBUTION_`` dropped): cuRANDDx distributions."""

    UNIFORM_BITS = 0
    UNIFORM = 1
    NORMAL = 2
    LOG_NORMAL = 3
    POISSON = 4


class CuranddxNormalMethod(enum.IntEnum):
    """``curanddxNormalMethod`` (``CURANDDX_NORMAL_METHOD_`` dropped): cuRANDDx normal distribution
    method.
    """

    ICDF = 0
    BOX_MULLER = 1


class CuranddxGenerateMethod(enum.IntEnum):
    """``curanddxGenerateMethod`` (``CURANDDX_GENERATE_METHOD_`` dropped): cuRANDDx generation
    method (values per call).
    """

    SINGLE = 0
    PAIR = 1
    QUAD = 2


class CuranddxGenerator(enum.IntEnum):
    """``curanddxGenerator`` (``CURANDDX_GENERATOR_`` dropped): cuRANDDx generators."""

    XORWOW = 0
    MRG32K3A = 1
    PHILOX4_32 = 2
    PCG = 3
    SOBOL32 = 4
    SCRAMBLED_SOBOL32 = 5
    SOBOL64 = 6
    SCRAMBLED_SOBOL64 = 7


class CuranddxOperatorType(enum.IntEnum):
    """``curanddxOperatorType`` (``CURANDDX_OPERATOR_`` dropped): cuRANDDx operators
    (:func:`curanddxSetOperatorInt64`).
    """

    GENERATOR = 0
    PHILOX_ROUNDS = 1
    SM = 2
    EXECUTION = 3
    DISTRIBUTION = 4
    OUTPUT_TYPE = 5
    GENERATE_METHOD = 6
    NORMAL_METHOD = 7
    DEVICE_FUNCTIONS = 8
    # nvmath-python's name for an operator removed in libmathdx 0.3.2 (0.4 refuses it).
    DISTRIBUTION_PARAMETERS = 9


class CuranddxDeviceFunctionType(enum.IntFlag):
    """``curanddxDeviceFunctionType`` (``CURANDDX_DEVICE_FUNCTION_`` dropped): cuRANDDx device
    functions: bit flags, or'ed into ``CuranddxOperatorType.DEVICE_FUNCTIONS``.
    """

    GENERATE = 1 << 1
    INIT_STATE = 1 << 2
    DESTROY_STATE = 1 << 3
    SKIP_OFFSET = 1 << 4
    SKIP_SUBSEQUENCE = 1 << 5
    SKIP_SEQUENCE = 1 << 6


class CuranddxTraitType(enum.IntEnum):
    """``curanddxTraitType`` (``CURANDDX_TRAIT_`` dropped): cuRANDDx traits."""

    SYMBOL_GENERATE_NAME = 0
    SYMBOL_INIT_STATE_NAME = 1
    SYMBOL_DESTROY_STATE_NAME = 2
    SYMBOL_SKIP_OFFSET_NAME = 3
    SYMBOL_SKIP_SUBSEQUENCE_NAME = 4
    SYMBOL_SKIP_SEQUENCE_NAME = 5
    STATE_SIZE = 6
    STATE_ALIGNMENT = 7


# libcusolverdx.h


class CusolverdxApi(enum.IntEnum):
    """``cusolverdxApi`` (``CUSOLVERDX_API_`` dropped): cuSOLVERDx device function API."""

    SMEM = 0
    SMEM_DYNAMIC_LD = 1


class CusolverdxType(enum.IntEnum):
    """``cusolverdxType`` (``CUSOLVERDX_TYPE_`` dropped): cuSOLVERDx real or complex."""

    REAL = 0
    COMPLEX = 1


class CusolverdxFunction(enum.IntEnum):
    """``cusolverdxFunction`` (``CUSOLVERDX_FUNCTION_`` dropped): cuSOLVERDx functions (each has
    its own device prototype: see the header).
    """

    GETRF_NO_PIVOT = 0
    GETRS_NO_PIVOT = 1
    POTRF = 2
    POTRS = 3
    TRSM = 4
    GETRF_PARTIAL_PIVOT = 5
    GETRS_PARTIAL_PIVOT = 6
    GEQRF = 7
    UNMQR = 8
    GELQF = 9
    UNMLQ = 10
    POSV = 11
    GESV_NO_PIVOT = 12
    GESV_PARTIAL_PIVOT = 13
    GELS = 14
    UNGQR = 15
    UNGLQ = 16
    GTSV_NO_PIVOT = 17
    HTEV = 18
    HEEV = 19
    MODIFIED_LU = 20
    BDSVD = 21
    GESVD = 22
    HEGST = 23
    HEGV = 24


class CusolverdxArrangement(enum.IntEnum):
    """``cusolverdxArrangement`` (``CUSOLVERDX_ARRANGEMENT_`` dropped): cuSOLVERDx data
    arrangement.
    """

    COL_MAJOR = 0
    ROW_MAJOR = 1


class CusolverdxTransposeMode(enum.IntEnum):
    """``cusolverdxTransposeMode`` (``CUSOLVERDX_TRANSPOSE_MODE_`` dropped): cuSOLVERDx transpose
    mode.
    """

    NON_TRANSPOSED = 0
    TRANSPOSED = 1
    CONJ_TRANSPOSED = 2


class CusolverdxFillMode(enum.IntEnum):
    """``cusolverdxFillMode`` (``CUSOLVERDX_FILL_MODE_`` dropped): cuSOLVERDx fill mode."""

    UPPER = 0
    LOWER = 1


class CusolverdxSide(enum.IntEnum):
    """``cusolverdxSide`` (``CUSOLVERDX_SIDE_`` dropped): cuSOLVERDx side."""

    LEFT = 0
    RIGHT = 1


class CusolverdxDiag(enum.IntEnum):
    """``cusolverdxDiag`` (``CUSOLVERDX_DIAG_`` dropped): cuSOLVERDx diagonal kind."""

    UNIT = 0
    NON_UNIT = 1


class CusolverdxJob(enum.IntEnum):
    """``cusolverdxJob`` (``CUSOLVERDX_JOB_`` dropped): cuSOLVERDx eigenvector job."""

    NO_VECTORS = 0
    ALL_VECTORS = 1
    MULTIPLY_VECTORS = 2
    OVERWRITE_VECTORS = 3
    SOME_VECTORS = 4


class CusolverdxOperatorType(enum.IntEnum):
    """``cusolverdxOperatorType`` (``CUSOLVERDX_OPERATOR_`` dropped): cuSOLVERDx operators."""

    SIZE = 0
    TYPE = 1
    PRECISION = 2
    SM = 3
    EXECUTION = 4
    BLOCK_DIM = 5
    API = 6
    FUNCTION = 7
    ARRANGEMENT = 8
    FILL_MODE = 9
    SIDE = 10
    DIAG = 11
    TRANSPOSE_MODE = 12
    LEADING_DIMENSION = 13
    BATCHES_PER_BLOCK = 14
    JOB = 15
    FUNCTION_ABI = 16
    EIG_TYPE = 17


class CusolverdxTraitType(enum.IntEnum):
    """``cusolverdxTraitType`` (``CUSOLVERDX_TRAIT_`` dropped): cuSOLVERDx traits (values as in the
    header, not contiguous).
    """

    SYMBOL_NAME = 2
    BLOCK_DIM = 3
    SUGGESTED_BLOCK_DIM = 5
    SUGGESTED_BATCHES_PER_BLOCK = 6
    WORKSPACE_SIZE = 12
    # nvmath-python's names for traits the 0.4 headers no longer declare; libmathdx 0.4
    # answers them with INTERNAL_ERROR.
    SHARED_MEMORY_SIZE = 1
    SUGGESTED_LEADING_DIMENSION = 4
    ARRANGEMENT = 7
    BATCHES_PER_BLOCK = 8
    TYPE = 9
    LEADING_DIMENSION = 10
    VALUE_TYPE = 11


# libnvcompdx.h


class NvcompdxAlgorithm(enum.IntEnum):
    """``nvcompdxAlgorithm`` (``NVCOMPDX_ALGORITHM_`` dropped): nvCOMPDx algorithms."""

    LZ4 = 0
    ANS = 1


class NvcompdxDirection(enum.IntEnum):
    """``nvcompdxDirection`` (``NVCOMPDX_DIRECTION_`` dropped): nvCOMPDx direction."""

    COMPRESS = 0
    DECOMPRESS = 1


class NvcompdxOperatorType(enum.IntEnum):
    """``nvcompdxOperatorType`` (``NVCOMPDX_OPERATOR_`` dropped): nvCOMPDx operators."""

    ALGORITHM = 0
    DIRECTION = 1
    DATATYPE = 2
    MAX_UNCOMP_CHUNK_SIZE = 3
    SM = 4
    EXECUTION = 5
    BLOCK_DIM = 6
    BLOCK_WARP = 7
    FUNCTION_ABI = 8


class NvcompdxTraitType(enum.IntEnum):
    """``nvcompdxTraitType`` (``NVCOMPDX_TRAIT_`` dropped): nvCOMPDx traits."""

    SHMEM_SIZE_GROUP = 0
    TMP_SIZE_GROUP = 1
    MAX_COMP_CHUNK_SIZE = 2
    SHMEM_ALIGNMENT = 3
    TMP_ALIGNMENT = 4
    INPUT_ALIGNMENT = 5
    OUTPUT_ALIGNMENT = 6
    BLOCK_DIM = 7
    SYMBOL_NAME = 8
    BLOCK_WARP = 9


class NvcompdxBlockWarpCompleteness(enum.IntEnum):
    """``nvcompdxBlockWarpCompleteness`` (``NVCOMPDX_BLOCK_WARP_`` dropped): nvCOMPDx block warp completeness."""

    INCOMPLETE = 0
    COMPLETE = 1


# Members kept for nvmath-python's names that the installed headers no longer declare.
_NOT_IN_HEADERS = {
    CusolverdxTraitType: {
        "SHARED_MEMORY_SIZE",
        "SUGGESTED_LEADING_DIMENSION",
        "ARRANGEMENT",
        "BATCHES_PER_BLOCK",
        "TYPE",
        "LEADING_DIMENSION",
        "VALUE_TYPE",
    },
    CuranddxOperatorType: {"DISTRIBUTION_PARAMETERS"},
}

_C_PREFIX = {
    NvcompdxBlockWarpCompleteness: "NVCOMPDX_BLOCK_WARP_",
    CublasdxWithPipeline: "CUBLASDX_WITH_PIPELINE_",
    CublasdxStaticBlockDim: "CUBLASDX_STATIC_BLOCK_DIM_",
    CublasdxInputStreaming: "CUBLASDX_INPUT_STREAMING_",
    CublasdxSide: "CUBLASDX_SIDE_",
    CublasdxFillMode: "CUBLASDX_FILL_MODE_",
    CublasdxDiag: "CUBLASDX_DIAG_",
    CufftdxTransposition: "CUFFTDX_TRANSPOSITION_",
    CufftdxThreadLinearization: "CUFFTDX_THREAD_LINEARIZATION_",
    CufftdxThreadLayout: "CUFFTDX_THREAD_LAYOUT_",
    CufftdxDeviceFunctionType: "CUFFTDX_DEVICE_FUNCTION_",
    CommondxFunctionAbi: "COMMONDX_FUNCTION_ABI_",
    CommondxValueType: "COMMONDX_",
    CommondxStatusType: "COMMONDX_",
    CommondxPrecision: "COMMONDX_PRECISION_",
    CommondxArchModifier: "COMMONDX_ARCH_MODIFIER_",
    CommondxOption: "COMMONDX_OPTION_",
    CommondxExecution: "COMMONDX_EXECUTION_",
    CommondxCodeType: "COMMONDX_CODE_TYPE_",
    CommondxCodeContainer: "COMMONDX_CODE_CONTAINER_",
    CufftdxApi: "CUFFTDX_API_",
    CufftdxType: "CUFFTDX_TYPE_",
    CufftdxDirection: "CUFFTDX_DIRECTION_",
    CufftdxComplexLayout: "CUFFTDX_COMPLEX_LAYOUT_",
    CufftdxRealMode: "CUFFTDX_REAL_MODE_",
    CufftdxCodeType: "CUFFTDX_CODE_TYPE_",
    CufftdxOperatorType: "CUFFTDX_OPERATOR_",
    CufftdxKnobType: "CUFFTDX_KNOB_",
    CufftdxTraitType: "CUFFTDX_TRAIT_",
    CublasdxApi: "CUBLASDX_API_",
    CublasdxDevicePipelineType: "CUBLASDX_DEVICE_PIPELINE_",
    CublasdxTilePipelineType: "CUBLASDX_TILE_PIPELINE_",
    CublasdxBlockSizeStrategy: "CUBLASDX_BLOCK_SIZE_STRATEGY_",
    CublasdxType: "CUBLASDX_TYPE_",
    CublasdxMemorySpace: "CUBLASDX_MEMORY_SPACE_",
    CublasdxTransposeMode: "CUBLASDX_TRANSPOSE_MODE_",
    CublasdxArrangement: "CUBLASDX_ARRANGEMENT_",
    CublasdxFunction: "CUBLASDX_FUNCTION_",
    CublasdxOperatorType: "CUBLASDX_OPERATOR_",
    CublasdxTraitType: "CUBLASDX_TRAIT_",
    CublasdxTensorType: "CUBLASDX_TENSOR_",
    CublasdxTensorOption: "CUBLASDX_TENSOR_OPTION_",
    CublasdxTensorTrait: "CUBLASDX_TENSOR_TRAIT_",
    CublasdxPipelineTrait: "CUBLASDX_PIPELINE_TRAIT_",
    CublasdxDeviceFunctionTrait: "CUBLASDX_DEVICE_FUNCTION_TRAIT_",
    CublasdxDeviceFunctionOption: "CUBLASDX_DEVICE_FUNCTION_OPTION_",
    CublasdxDeviceFunctionType: "CUBLASDX_DEVICE_FUNCTION_",
    CuranddxDistribution: "CURANDDX_DISTRIBUTION_",
    CuranddxNormalMethod: "CURANDDX_NORMAL_METHOD_",
    CuranddxGenerateMethod: "CURANDDX_GENERATE_METHOD_",
    CuranddxGenerator: "CURANDDX_GENERATOR_",
    CuranddxOperatorType: "CURANDDX_OPERATOR_",
    CuranddxDeviceFunctionType: "CURANDDX_DEVICE_FUNCTION_",
    CuranddxTraitType: "CURANDDX_TRAIT_",
    CusolverdxApi: "CUSOLVERDX_API_",
    CusolverdxType: "CUSOLVERDX_TYPE_",
    CusolverdxFunction: "CUSOLVERDX_FUNCTION_",
    CusolverdxArrangement: "CUSOLVERDX_ARRANGEMENT_",
    CusolverdxTransposeMode: "CUSOLVERDX_TRANSPOSE_MODE_",
    CusolverdxFillMode: "CUSOLVERDX_FILL_MODE_",
    CusolverdxSide: "CUSOLVERDX_SIDE_",
    CusolverdxDiag: "CUSOLVERDX_DIAG_",
    CusolverdxJob: "CUSOLVERDX_JOB_",
    CusolverdxOperatorType: "CUSOLVERDX_OPERATOR_",
    CusolverdxTraitType: "CUSOLVERDX_TRAIT_",
    NvcompdxAlgorithm: "NVCOMPDX_ALGORITHM_",
    NvcompdxDirection: "NVCOMPDX_DIRECTION_",
    NvcompdxOperatorType: "NVCOMPDX_OPERATOR_",
    NvcompdxTraitType: "NVCOMPDX_TRAIT_",
}

# -- constants (libmathdx.h, libcublasdx.h) --------------------------------------------------

#: The header version these bindings were written from (``LIBMATHDX_VER_MAJOR/MINOR/PATCH``).
HEADER_VERSION = (0, 4, 2)
#: ``LIBMATHDX_RUNTIME`` (``LLONG_MIN``): a shape or stride given at run time
#: (:func:`cublasdxCreateTensorStrided`).
LIBMATHDX_RUNTIME = -(1 << 63)
#: ``LIBMATHDX_NONE`` (``LLONG_MIN``): "no descriptor", where a cuBLASDx function accepts it.
LIBMATHDX_NONE = -(1 << 63)
#: ``LIBMATHDX_MAX_PIPELINE_DEPTH`` (0): the deepest pipeline shared memory allows.
LIBMATHDX_MAX_PIPELINE_DEPTH = 0


# -- errors ----------------------------------------------------------------------------------

# The longest part of libmathdx's error text kept in an exception's message (all of it stays
# in .detail): an NVRTC log can be long.
_MAX_DETAIL_IN_MESSAGE = 20000


def _status_name(status: int) -> str:
    try:
        return f"COMMONDX_{CommondxStatusType(status).name}"
    except ValueError:
        return "unknown commondxStatusType"


class LibMathDxError(Exception):
    """A libmathdx status other than success (nvmath-python's error type).

    Every status error this module raises is one: :class:`MathDxError` derives from it and
    adds the C function's name and libmathdx's own text.

    Parameters
    ----------
    status : int
        The :class:`CommondxStatusType`.
    """

    def __init__(self, status: int):
        super().__init__(f"{_status_name(status)} ({int(status)})")
        try:
            status = CommondxStatusType(status)
        except ValueError:
            pass
        self.status = status

    def __reduce__(self):
        return type(self), (int(self.status),)


class MathDxError(LibMathDxError):
    """A libmathdx function returned a status other than ``COMMONDX_SUCCESS``.

    Attributes
    ----------
    function : str
        The C function's name.
    status : CommondxStatusType or int
        The status (a plain int if this binding does not know it).
    detail : str or None
        libmathdx's own description of this error (``commondxGetLastErrorStr``: the NVRTC
        log of a ``COMPILATION_ERROR``), when it has one. It is appended to the message.
    """

    def __init__(self, function: str, status: int, detail: str | None = None):
        name = _status_name(status)
        try:
            status = CommondxStatusType(status)
        except ValueError:
            pass
        message = f"{function} failed: {name} ({int(status)})"
        if detail:
            text = detail
            if len(detail) > _MAX_DETAIL_IN_MESSAGE:
                text = detail[:_MAX_DETAIL_IN_MESSAGE] + f"\n... ({len(detail)} characters in all: see .detail)"
            message += f"\n{text}"
        Exception.__init__(self, message)
        self.function = function
        self.status = status
        self.detail = detail

    def __reduce__(self):
        return type(self), (self.function, int(self.status), self.detail)


def _last_error_detail(status: int) -> str | None:
    """libmathdx's text for the error ``status`` this thread just got, or None.

    ``commondxGetLastErrorStr`` keeps the thread's last recorded error (only compilation
    errors are recorded, and they are not cleared): the text is used only if it was recorded
    with this same status. Unchecked calls: this runs inside the status check.
    """
    try:
        size_fn = _raw("commondxGetLastErrorStrSize")
        text_fn = _raw("commondxGetLastErrorStr")
        size = c_size_t()
        if size_fn(ctypes.byref(size)) != CommondxStatusType.SUCCESS or size.value == 0:
            return None
        code = c_int()
        buf = ctypes.create_string_buffer(size.value)
        if text_fn(ctypes.byref(code), size, buf) != CommondxStatusType.SUCCESS:
            return None
        if code.value != status:
            return None
        return buf.value.decode(errors="replace").strip() or None
    except Exception:
        return None


# The functions that return something other than a commondxStatusType: the *ToStr functions.
_UNCHECKED: frozenset[str]  # set after the prototypes


def _check(function: str, status):
    if function in _UNCHECKED:
        return status
    if status != CommondxStatusType.SUCCESS:
        raise MathDxError(function, status, _last_error_detail(status))
    return status


def _version_text() -> str:
    return ".".join(str(v) for v in mathdxGetVersionEx())


# Private: libmathdx 0.4 exports the libstdc++ it links statically (see NvidiaLibrary).
_lib = NvidiaLibrary(
    "mathdx",
    display_name="libmathdx",
    package="nvidia-libmathdx-cu13",
    extra="dx",
    check=_check,
    version=_version_text,
    private=("libmathdx.so.0", ("nvidia/cu13/lib", "nvidia/cu12/lib"), ("nvrtc",)),
)

# Unchecked function objects for the error path (never the ones _lib.function hands out).
_raw_functions: dict[str, ctypes._CFuncPtr] = {}


def _raw(c_name: str):
    fn = _raw_functions.get(c_name)
    if fn is None:
        restype, argtypes = _lib._prototypes[c_name]
        fn = _lib.cdll()[c_name]  # a new function object: no errcheck
        fn.restype, fn.argtypes = restype, argtypes
        _raw_functions[c_name] = fn
    return fn


# -- argument conversion ---------------------------------------------------------------------


def _integer(value, what: str) -> int:
    """An int for a handle or ``long long`` argument; refuses floats, bools and buffers."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise refused(what, value, "an int")
    return int(value)


def _nonnegative(value, what: str) -> int:
    """An int >= 0 (a count or a size)."""
    value = _integer(value, what)
    if value < 0:
        raise refused(what, value, "an int >= 0", ValueError)
    return value


def _count(count, values, what: str) -> int:
    """``count``, checked against a sequence that must hold at least that many elements (C
    reads the first ``count``; nvmath-python's callers pass longer lists)."""
    count = _nonnegative(count, "count")
    if len(values) < count:
        raise ValueError(f"{what} has {len(values)} elements; count={count} needs at least {count}")
    return count


def _ints(values, what: str) -> list[int]:
    if isinstance(values, (str, bytes)):
        raise refused(what, values, "a sequence of ints")
    try:
        values = list(values)
    except TypeError:
        raise refused(what, values, "a sequence of ints") from None
    return [_integer(v, f"{what}[{i}]") for i, v in enumerate(values)]


def _address_array(ctype, address, count, what: str):
    """``(count, ctype*)`` for an input array given by its address, as C takes it: the
    caller vouches for ``count`` readable elements there."""
    count = _nonnegative(count, "count")
    return count, ctypes.cast(c_void_p(int(address) or None), POINTER(ctype))


def _int64_array(values, count, what: str):
    """``(count, long long[count])`` from a sequence of ints (NULL when empty), or from an
    int: the address of the caller's array."""
    if is_int(values):
        return _address_array(c_longlong, values, count, what)
    items = _ints(values, what)
    count = _count(count, items, what)
    return count, ((c_longlong * count)(*items[:count]) if count else None)


def _int_array(values, count, what: str):
    """``(count, int[count])`` for an array of enums (``cufftdxKnobType*``), or the address
    of the caller's array."""
    if is_int(values):
        return _address_array(c_int, values, count, what)
    items = _ints(values, what)
    count = _count(count, items, what)
    return count, ((c_int * count)(*items[:count]) if count else None)


def _writable_bytes(buffer, what: str) -> memoryview:
    """A flat byte view of a writable, C-contiguous buffer (bytearray, NumPy array...)."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise refused(
            what, buffer, "an int (an address) or a writable buffer such as a bytearray or a NumPy array"
        ) from None
    if view.readonly:
        raise refused(what, buffer, "a writable buffer (this one is read-only): a bytearray or a writable array")
    if not view.c_contiguous:
        raise refused(what, buffer, "a C-contiguous buffer", ValueError)
    return view.cast("B")


def _out_bytes(buffer, size, what: str):
    """``(size, void*)`` for ``size`` bytes the C function fills: an int address, or a
    writable buffer of at least ``size`` bytes (kept alive by the returned pointer's
    ``_objects``)."""
    size = _nonnegative(size, "size")
    if is_int(buffer):
        return size, c_void_p(int(buffer) or None)
    view = _writable_bytes(buffer, what)
    if view.nbytes < size:
        raise ValueError(f"{what} has {view.nbytes} bytes; size={size} needs at least {size}")
    if view.nbytes == 0:
        return size, c_void_p()
    return size, ctypes.cast((ctypes.c_char * view.nbytes).from_buffer(view), c_void_p)


_INTEGER_FORMATS = {1: "bBc", 8: "qQlLnN"}


def _out_array(ctype, array, count, what: str):
    """``(count, ctype*, finish)`` for ``count`` integers the C function fills.

    ``array`` may be an int (the address of the caller's array), a writable buffer of
    8-byte integers or raw bytes (a NumPy ``int64`` array), or a list, which ``finish()``
    fills in place after the call.
    """
    count = _nonnegative(count, "count")
    width = ctypes.sizeof(ctype)
    if is_int(array):
        return count, ctypes.cast(c_void_p(int(array) or None), POINTER(ctype)), lambda: None
    if isinstance(array, list):
        if len(array) < count:
            raise ValueError(f"{what} has {len(array)} elements; count={count} needs at least {count}")
        out = (ctype * count)()

        def finish():
            array[:count] = list(out)

        return count, (out if count else None), finish
    try:
        view = memoryview(array)
    except TypeError:
        view = None
    if view is None or view.format.lstrip("@=<>!") not in _INTEGER_FORMATS.get(view.itemsize, ""):
        accepted = (
            f"an int (an address), a list, or a writable buffer of {width}-byte integers such as a NumPy int64 array"
        )
        raise refused(what, array, accepted)
    raw = _writable_bytes(array, what)
    if raw.nbytes < count * width:
        raise ValueError(f"{what} has {raw.nbytes} bytes; count={count} needs at least {count * width}")
    if count == 0:
        return 0, None, lambda: None
    return count, (ctype * count).from_buffer(raw), lambda: None


def _encode(value, what: str) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    elif not isinstance(value, bytes):
        raise refused(what, value, "a str or bytes")
    if b"\0" in value:
        raise refused(what, value, "a string without NUL characters", ValueError)
    return value


def _str_array(values, count, what: str):
    """``(count, const char*[count])``; the array holds the bytes objects alive."""
    if isinstance(values, (str, bytes)):
        raise refused(what, values, "a sequence of strings (not a single string)")
    items = [_encode(v, f"{what}[{i}]") for i, v in enumerate(values)]
    count = _count(count, items, what)
    return count, ((c_char_p * count)(*items[:count]) if count else None)


def _as_enum(enum_cls, value):
    try:
        return enum_cls(value)
    except ValueError:
        return value


# -- prototypes (from libmathdx.h and the headers it includes, 0.4.2) ------------------------

_ll = c_longlong  # long long int, and every handle type (commondxCode, cufftdxDescriptor...)
_ll_p = POINTER(c_longlong)
_int_p = POINTER(c_int)  # int*, and enum* (cufftdxKnobType*, commondxValueType*...)
_size_p = POINTER(c_size_t)
_str_p = POINTER(c_char_p)  # const char**
_void_pp = POINTER(c_void_p)

# (C name, restype, argtypes); enums are c_int, *ToStr functions return const char*.
_PROTOTYPES = [
    # libmathdx.h
    ("mathdxGetVersion", c_int, [_int_p]),
    ("mathdxGetVersionEx", c_int, [_int_p, _int_p, _int_p]),
    ("mathdxGetPackageVersion", c_int, [_int_p, _int_p, _int_p]),
    ("mathdxGetCommit", c_int, [_str_p]),
    # libcommondx.h
    ("commondxCreateCode", c_int, [_ll_p]),
    ("commondxSetCodeOptionInt64", c_int, [_ll, c_int, _ll]),
    ("commondxSetCodeOptionInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("commondxSetCodeOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("commondxSetCodeOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("commondxGetCodeOptionInt64", c_int, [_ll, c_int, _ll_p]),
    ("commondxGetCodeOptionsInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("commondxGetCodeLTOIRSize", c_int, [_ll, _size_p]),
    ("commondxGetCodeLTOIR", c_int, [_ll, c_size_t, c_void_p]),
    ("commondxGetCodePTXSize", c_int, [_ll, _size_p]),
    ("commondxGetCodePTX", c_int, [_ll, c_size_t, c_void_p]),
    ("commondxGetCodeNumLTOIRs", c_int, [_ll, _size_p]),
    ("commondxGetCodeLTOIRSizes", c_int, [_ll, c_size_t, _size_p]),
    ("commondxGetCodeLTOIRs", c_int, [_ll, c_size_t, _void_pp]),
    ("commondxDestroyCode", c_int, [_ll]),
    ("commondxStatusToStr", c_char_p, [c_int]),
    ("commondxPrecisionToStr", c_char_p, [c_int]),
    ("commondxValueTypeToStr", c_char_p, [c_int]),
    ("commondxOptionToStr", c_char_p, [c_int]),
    ("commondxExecutionToStr", c_char_p, [c_int]),
    ("commondxCodeContainerToStr", c_char_p, [c_int]),
    ("commondxCodeTypeToStr", c_char_p, [c_int]),
    ("commondxArchModifierToStr", c_char_p, [c_int]),
    ("commondxGetLastErrorStrSize", c_int, [_size_p]),
    ("commondxGetLastErrorStr", c_int, [_int_p, c_size_t, c_char_p]),
    # libcufftdx.h
    ("cufftdxGetVersion", c_int, [_int_p, _int_p, _int_p]),
    ("cufftdxCreateDescriptor", c_int, [_ll_p]),
    ("cufftdxSetOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cufftdxSetOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("cufftdxIsSupported", c_int, [_ll, _int_p]),
    ("cufftdxGetKnobInt64Size", c_int, [_ll, c_size_t, _int_p, _size_p]),
    ("cufftdxGetKnobInt64s", c_int, [_ll, c_size_t, _int_p, c_size_t, _ll_p]),
    ("cufftdxSetOperatorInt64", c_int, [_ll, c_int, _ll]),
    ("cufftdxSetOperatorInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cufftdxGetLTOIRSize", c_int, [_ll, _size_p]),
    ("cufftdxGetLTOIR", c_int, [_ll, c_size_t, c_void_p]),
    ("cufftdxGetTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cufftdxGetTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cufftdxGetTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("cufftdxGetTraitInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cufftdxGetTraitCommondxDataType", c_int, [_ll, c_int, _int_p]),
    ("cufftdxFinalizeCode", c_int, [_ll, _ll]),
    ("cufftdxFinalizeCodes", c_int, [_ll, c_size_t, _ll_p]),
    ("cufftdxDestroyDescriptor", c_int, [_ll]),
    ("cufftdxOperatorTypeToStr", c_char_p, [c_int]),
    ("cufftdxTraitTypeToStr", c_char_p, [c_int]),
    ("cufftdxApiToStr", c_char_p, [c_int]),
    ("cufftdxTypeToStr", c_char_p, [c_int]),
    ("cufftdxDirectionToStr", c_char_p, [c_int]),
    ("cufftdxComplexLayoutToStr", c_char_p, [c_int]),
    ("cufftdxRealModeToStr", c_char_p, [c_int]),
    ("cufftdxKnobTypeToStr", c_char_p, [c_int]),
    ("cufftdxCodeTypeToStr", c_char_p, [c_int]),
    # libcublasdx.h
    ("cublasdxGetVersion", c_int, [_int_p, _int_p, _int_p]),
    ("cublasdxCreateDescriptor", c_int, [_ll_p]),
    ("cublasdxSetOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cublasdxSetOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("cublasdxSetOperatorInt64", c_int, [_ll, c_int, _ll]),
    ("cublasdxSetOperatorInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cublasdxCreateTensor", c_int, [_ll, c_int, _ll_p]),
    ("cublasdxCreateTensorStrided", c_int, [c_int, c_int, c_void_p, _ll, _ll_p, _ll_p, _ll_p]),
    ("cublasdxMakeTensorLike", c_int, [_ll, c_int, _ll_p]),
    ("cublasdxDestroyTensor", c_int, [_ll]),
    ("cublasdxDestroyPipeline", c_int, [_ll]),
    ("cublasdxCreateDevicePipeline", c_int, [_ll, c_int, _ll, c_int, _ll, _ll, _ll_p]),
    ("cublasdxCreateTilePipeline", c_int, [_ll, c_int, _ll, _ll_p]),
    ("cublasdxSetTensorOptionInt64", c_int, [_ll, c_int, _ll]),
    ("cublasdxSetTensorOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cublasdxSetPipelineOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cublasdxSetTensorOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("cublasdxSetPipelineOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("cublasdxFinalizeTensors", c_int, [c_size_t, _ll_p]),
    ("cublasdxFinalizePipelines", c_int, [c_size_t, _ll_p]),
    ("cublasdxFinalize", c_int, [c_size_t, _ll_p, c_size_t, _ll_p]),
    ("cublasdxGetTensorTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("cublasdxGetPipelineTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("cublasdxGetPipelineTraitInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cublasdxGetTensorTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cublasdxGetPipelineTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cublasdxGetTensorTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cublasdxGetPipelineTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cublasdxCreateDeviceFunction", c_int, [_ll, c_int, c_size_t, _ll_p, _ll_p]),
    ("cublasdxDestroyDeviceFunction", c_int, [_ll]),
    ("cublasdxCreateDeviceFunctionWithPipelines", c_int, [_ll, c_int, c_size_t, _ll_p, c_size_t, _ll_p, _ll_p]),
    ("cublasdxFinalizeDeviceFunctions", c_int, [_ll, c_size_t, _ll_p]),
    ("cublasdxGetDeviceFunctionTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cublasdxGetDeviceFunctionTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cublasdxSetDeviceFunctionOptionInt64", c_int, [_ll, c_int, _ll]),
    ("cublasdxSetDeviceFunctionOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cublasdxGetLTOIRSize", c_int, [_ll, _size_p]),
    ("cublasdxGetLTOIR", c_int, [_ll, c_size_t, c_void_p]),
    ("cublasdxGetTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cublasdxGetTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cublasdxGetTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("cublasdxGetTraitInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cublasdxGetTraitCommondxDataTypes", c_int, [_ll, c_int, c_size_t, _int_p]),
    ("cublasdxOperatorTypeToStr", c_char_p, [c_int]),
    ("cublasdxTraitTypeToStr", c_char_p, [c_int]),
    ("cublasdxFinalizeCode", c_int, [_ll, _ll]),
    ("cublasdxFinalizeCodes", c_int, [_ll, c_size_t, _ll_p]),
    ("cublasdxGetUniversalFATBINSize", c_int, [_ll, _size_p]),
    ("cublasdxGetUniversalFATBIN", c_int, [_ll, c_size_t, c_void_p]),
    ("cublasdxDestroyDescriptor", c_int, [_ll]),
    ("cublasdxApiToStr", c_char_p, [c_int]),
    ("cublasdxTypeToStr", c_char_p, [c_int]),
    ("cublasdxTransposeModeToStr", c_char_p, [c_int]),
    ("cublasdxArrangementToStr", c_char_p, [c_int]),
    ("cublasdxFunctionToStr", c_char_p, [c_int]),
    ("cublasdxTensorTypeToStr", c_char_p, [c_int]),
    ("cublasdxBlockSizeStrategyToStr", c_char_p, [c_int]),
    ("cublasdxDevicePipelineTypeToStr", c_char_p, [c_int]),
    ("cublasdxTilePipelineTypeToStr", c_char_p, [c_int]),
    ("cublasdxTensorOptionToStr", c_char_p, [c_int]),
    ("cublasdxTensorTraitToStr", c_char_p, [c_int]),
    ("cublasdxPipelineTraitToStr", c_char_p, [c_int]),
    ("cublasdxDeviceFunctionTraitToStr", c_char_p, [c_int]),
    ("cublasdxDeviceFunctionOptionToStr", c_char_p, [c_int]),
    ("cublasdxDeviceFunctionTypeToStr", c_char_p, [c_int]),
    ("cublasdxMemorySpaceToStr", c_char_p, [c_int]),
    # libcuranddx.h
    ("curanddxGetVersion", c_int, [_int_p, _int_p, _int_p]),
    ("curanddxCreateDescriptor", c_int, [_ll_p]),
    ("curanddxSetOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("curanddxSetOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("curanddxSetOperatorInt64", c_int, [_ll, c_int, _ll]),
    ("curanddxGetTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("curanddxGetTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("curanddxGetTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("curanddxFinalizeCode", c_int, [_ll, _ll]),
    ("curanddxFinalizeCodes", c_int, [_ll, c_size_t, _ll_p]),
    ("curanddxDestroyDescriptor", c_int, [_ll]),
    ("curanddxOperatorTypeToStr", c_char_p, [c_int]),
    ("curanddxDistributionToStr", c_char_p, [c_int]),
    ("curanddxGeneratorToStr", c_char_p, [c_int]),
    ("curanddxGenerateMethodToStr", c_char_p, [c_int]),
    ("curanddxNormalMethodToStr", c_char_p, [c_int]),
    ("curanddxTraitTypeToStr", c_char_p, [c_int]),
    # libcusolverdx.h
    ("cusolverdxGetVersion", c_int, [_int_p, _int_p, _int_p]),
    ("cusolverdxCreateDescriptor", c_int, [_ll_p]),
    ("cusolverdxSetOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("cusolverdxSetOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("cusolverdxSetOperatorInt64", c_int, [_ll, c_int, _ll]),
    ("cusolverdxSetOperatorInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cusolverdxGetLTOIRSize", c_int, [_ll, _size_p]),
    ("cusolverdxGetLTOIR", c_int, [_ll, c_size_t, c_void_p]),
    ("cusolverdxGetUniversalFATBINSize", c_int, [_ll, _size_p]),
    ("cusolverdxGetUniversalFATBIN", c_int, [_ll, c_size_t, c_void_p]),
    ("cusolverdxGetTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("cusolverdxGetTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("cusolverdxGetTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("cusolverdxGetTraitInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("cusolverdxFinalizeCode", c_int, [_ll, _ll]),
    ("cusolverdxFinalizeCodes", c_int, [_ll, c_size_t, _ll_p]),
    ("cusolverdxDestroyDescriptor", c_int, [_ll]),
    ("cusolverdxOperatorTypeToStr", c_char_p, [c_int]),
    ("cusolverdxTraitTypeToStr", c_char_p, [c_int]),
    ("cusolverdxDiagToStr", c_char_p, [c_int]),
    ("cusolverdxSideToStr", c_char_p, [c_int]),
    ("cusolverdxApiToStr", c_char_p, [c_int]),
    ("cusolverdxTypeToStr", c_char_p, [c_int]),
    ("cusolverdxFunctionToStr", c_char_p, [c_int]),
    ("cusolverdxArrangementToStr", c_char_p, [c_int]),
    ("cusolverdxFillModeToStr", c_char_p, [c_int]),
    ("cusolverdxTransposeModeToStr", c_char_p, [c_int]),
    ("cusolverdxJobToStr", c_char_p, [c_int]),
    # libnvcompdx.h
    ("nvcompdxGetVersion", c_int, [_int_p, _int_p, _int_p]),
    ("nvcompdxCreateDescriptor", c_int, [_ll_p]),
    ("nvcompdxSetOperatorInt64", c_int, [_ll, c_int, _ll]),
    ("nvcompdxSetOperatorInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("nvcompdxSetOptionStr", c_int, [_ll, c_int, c_char_p]),
    ("nvcompdxSetOptionStrs", c_int, [_ll, c_int, c_size_t, _str_p]),
    ("nvcompdxGetTraitInt64", c_int, [_ll, c_int, _ll_p]),
    ("nvcompdxGetTraitInt64s", c_int, [_ll, c_int, c_size_t, _ll_p]),
    ("nvcompdxGetTraitStrSize", c_int, [_ll, c_int, _size_p]),
    ("nvcompdxGetTraitStr", c_int, [_ll, c_int, c_size_t, c_char_p]),
    ("nvcompdxGetLTOIRSize", c_int, [_ll, _size_p]),
    ("nvcompdxGetLTOIR", c_int, [_ll, c_size_t, c_void_p]),
    ("nvcompdxGetUniversalFATBINSize", c_int, [_ll, _size_p]),
    ("nvcompdxGetUniversalFATBIN", c_int, [_ll, c_size_t, c_void_p]),
    ("nvcompdxFinalizeCode", c_int, [_ll, _ll]),
    ("nvcompdxFinalizeCodes", c_int, [_ll, c_size_t, _ll_p]),
    ("nvcompdxDestroyDescriptor", c_int, [_ll]),
    ("nvcompdxOperatorTypeToStr", c_char_p, [c_int]),
    ("nvcompdxTraitTypeToStr", c_char_p, [c_int]),
    ("nvcompdxAlgorithmToStr", c_char_p, [c_int]),
    ("nvcompdxDirectionToStr", c_char_p, [c_int]),
]

for _name, _restype, _argtypes in _PROTOTYPES:
    _lib.declare(_name, _restype, _argtypes)
del _name, _restype, _argtypes

_UNCHECKED = frozenset(name for name, restype, _ in _PROTOTYPES if restype is c_char_p)


# -- shared call patterns --------------------------------------------------------------------


def _create(c_name: str, *args) -> int:
    handle = c_longlong()
    _lib.function(c_name)(*args, ctypes.byref(handle))
    return handle.value


def _triple(c_name: str) -> tuple[int, int, int]:
    a, b, c = c_int(), c_int(), c_int()
    _lib.function(c_name)(ctypes.byref(a), ctypes.byref(b), ctypes.byref(c))
    return a.value, b.value, c.value


def _get_int64(c_name: str, obj, key) -> int:
    value = c_longlong()
    _lib.function(c_name)(_integer(obj, "handle"), key, ctypes.byref(value))
    return value.value


def _get_int64s(c_name: str, obj, key, count) -> list[int]:
    count = _nonnegative(count, "count")
    values = (c_longlong * count)()
    _lib.function(c_name)(_integer(obj, "handle"), key, count, values if count else None)
    return list(values)


def _get_size(c_name: str, *args) -> int:
    size = c_size_t()
    _lib.function(c_name)(*args, ctypes.byref(size))
    return size.value


def _get_str(c_name: str, obj, key, size) -> str:
    size = _integer(size, "size")
    buf = ctypes.create_string_buffer(max(size, 1))
    _lib.function(c_name)(_integer(obj, "handle"), key, size, buf)
    return buf.value.decode()


def _get_bytes(c_name: str, obj, size) -> bytes:
    size = _integer(size, "size")
    buf = ctypes.create_string_buffer(max(size, 1))
    _lib.function(c_name)(_integer(obj, "handle"), size, buf)
    return buf.raw[:size]


def _set_int64(c_name: str, obj, key, value) -> None:
    _lib.function(c_name)(_integer(obj, "handle"), key, _integer(value, "value"))


def _set_int64s(c_name: str, obj, key, count, array) -> None:
    count, values = _int64_array(array, count, "array")
    _lib.function(c_name)(_integer(obj, "handle"), key, count, values)


def _set_str(c_name: str, obj, key, value) -> None:
    _lib.function(c_name)(_integer(obj, "handle"), key, _encode(value, "value"))


def _set_strs(c_name: str, obj, key, count, values) -> None:
    count, items = _str_array(values, count, "values")
    _lib.function(c_name)(_integer(obj, "handle"), key, count, items)


def _to_str(c_name: str, value) -> str:
    text = _lib.function(c_name)(_integer(value, "value"))
    return (text or b"").decode()


# -- libmathdx.h: versions ---------------------------------------------------------------


def mathdxGetVersion() -> int:
    """``mathdxGetVersion``: 1000 * major + 100 * minor + patch (401 for 0.4.1)."""
    version = c_int()
    _lib.function("mathdxGetVersion")(ctypes.byref(version))
    return version.value


def mathdxGetVersionEx() -> tuple[int, int, int]:
    """``mathdxGetVersionEx``: ``(major, minor, patch)`` of libmathdx."""
    return _triple("mathdxGetVersionEx")


def mathdxGetPackageVersion() -> tuple[int, int, int]:
    """``mathdxGetPackageVersion``: the MathDx package calver ``(year, month, patch)``."""
    return _triple("mathdxGetPackageVersion")


def mathdxGetCommit() -> str:
    """``mathdxGetCommit``: the libmathdx source commit hash."""
    commit = c_char_p()
    _lib.function("mathdxGetCommit")(ctypes.byref(commit))
    return (commit.value or b"").decode()


# -- libcommondx.h: code objects -----------------------------------------------------------


def commondxCreateCode() -> int:
    """``commondxCreateCode``: a new, empty code handle (fill it with ``*FinalizeCode``)."""
    return _create("commondxCreateCode")


def commondxSetCodeOptionInt64(code: int, option: int, value: int) -> None:
    """``commondxSetCodeOptionInt64``: set an integer :class:`CommondxOption`: ``TARGET_SM``
    (900 for sm_90) or ``TARGET_CODE`` (a :class:`CommondxCodeType`; ``PTX`` for PTX).

    libmathdx 0.4.1 answers ``CODE_CONTAINER`` and ``CODE_ISA`` with ``INTERNAL_ERROR``:
    the container is LTO-IR unless ``TARGET_CODE`` is ``PTX``.
    """
    _set_int64("commondxSetCodeOptionInt64", code, option, value)


def commondxSetCodeOptionInt64s(code: int, option: int, count: int, values) -> None:
    """``commondxSetCodeOptionInt64s``: set an array option, e.g. ``TARGET_SM`` to ``[900,
    CommondxArchModifier.ARCH_SPECIFIC]``; ``len(values)`` must equal ``count``."""
    _set_int64s("commondxSetCodeOptionInt64s", code, option, count, values)


def commondxSetCodeOptionStr(code: int, option: int, value) -> None:
    """``commondxSetCodeOptionStr``: set a C-string option (``str`` or ``bytes``)."""
    _set_str("commondxSetCodeOptionStr", code, option, value)


def commondxSetCodeOptionStrs(code: int, option: int, count: int, values) -> None:
    """``commondxSetCodeOptionStrs``: set ``count`` C-strings (e.g. ``EXTRA_NVRTC_ARGS``)."""
    _set_strs("commondxSetCodeOptionStrs", code, option, count, values)


def commondxGetCodeOptionInt64(code: int, option: int) -> int:
    """``commondxGetCodeOptionInt64``: an integer option's value. libmathdx 0.4.1 answers
    ``CODE_CONTAINER``, ``CODE_ISA`` (13050: NVRTC 13.5's LTO-IR) and ``TARGET_CODE`` once the
    code is finalized, ``INVALID_VALUE`` otherwise."""
    return _get_int64("commondxGetCodeOptionInt64", code, option)


def commondxGetCodeOptionsInt64s(code: int, option: int, size: int) -> list[int]:
    """``commondxGetCodeOptionsInt64s``: an option's value for each of the ``size`` LTO-IR
    chunks (``size`` from :func:`commondxGetCodeNumLTOIRs`)."""
    return _get_int64s("commondxGetCodeOptionsInt64s", code, option, size)


def commondxGetCodeLTOIRSize(code: int) -> int:
    """``commondxGetCodeLTOIRSize``: the LTO-IR's size in bytes."""
    return _get_size("commondxGetCodeLTOIRSize", _integer(code, "code"))


def commondxGetCodeLTOIR(code: int, size: int) -> bytes:
    """``commondxGetCodeLTOIR``: the LTO-IR (``size`` bytes, from
    :func:`commondxGetCodeLTOIRSize`; see :func:`commondx_get_code_ltoir`)."""
    return _get_bytes("commondxGetCodeLTOIR", code, size)


def commondxGetCodePTXSize(code: int) -> int:
    """``commondxGetCodePTXSize``: the PTX's size in bytes, with the terminating NUL."""
    return _get_size("commondxGetCodePTXSize", _integer(code, "code"))


def commondxGetCodePTX(code: int, size: int) -> str:
    """``commondxGetCodePTX``: the PTX text (``size`` from :func:`commondxGetCodePTXSize`).

    Set ``CommondxOption.TARGET_CODE`` to ``CommondxCodeType.PTX`` before finalizing to get
    PTX (it shows a generated function's real parameters).
    """
    return _get_bytes("commondxGetCodePTX", code, size).rstrip(b"\0").decode()


def commondxGetCodeNumLTOIRs(code: int) -> int:
    """``commondxGetCodeNumLTOIRs``: the number of LTO-IR chunks in the code."""
    return _get_size("commondxGetCodeNumLTOIRs", _integer(code, "code"))


def commondxGetCodeLTOIRSizes(code: int, size: int) -> list[int]:
    """``commondxGetCodeLTOIRSizes``: the size in bytes of each of the ``size`` chunks."""
    size = _integer(size, "size")
    out = (c_size_t * size)()
    _lib.function("commondxGetCodeLTOIRSizes")(_integer(code, "code"), size, out if size else None)
    return list(out)


def commondxGetCodeLTOIRs(code: int, size: int) -> list[bytes]:
    """``commondxGetCodeLTOIRs``: the ``size`` LTO-IR chunks.

    The C function fills caller buffers sized by :func:`commondxGetCodeLTOIRSizes`; that
    query is made here to allocate them. See :func:`commondx_get_code_ltoirs`.
    """
    size = _integer(size, "size")
    sizes = commondxGetCodeLTOIRSizes(code, size)
    buffers = [ctypes.create_string_buffer(max(n, 1)) for n in sizes]
    pointers = (c_void_p * size)(*[ctypes.addressof(b) for b in buffers])
    _lib.function("commondxGetCodeLTOIRs")(_integer(code, "code"), size, pointers if size else None)
    return [b.raw[:n] for b, n in zip(buffers, sizes)]


def commondxDestroyCode(code: int) -> None:
    """``commondxDestroyCode``."""
    _lib.function("commondxDestroyCode")(_integer(code, "code"))


def commondxGetLastErrorStrSize() -> int:
    """``commondxGetLastErrorStrSize``: the size, with the NUL, of this thread's last error
    text; raises ``INVALID_VALUE`` when there is none."""
    return _get_size("commondxGetLastErrorStrSize")


def commondxGetLastErrorStr(size: int) -> tuple[CommondxStatusType | int, str]:
    """``commondxGetLastErrorStr``: ``(code, text)`` of this thread's last recorded error
    (libmathdx 0.4 records compilation errors only). :class:`MathDxError` already carries it
    as ``.detail``."""
    size = _integer(size, "size")
    code = c_int()
    buf = ctypes.create_string_buffer(max(size, 1))
    _lib.function("commondxGetLastErrorStr")(ctypes.byref(code), size, buf)
    return _as_enum(CommondxStatusType, code.value), buf.value.decode(errors="replace")


def commondxStatusToStr(status: int) -> str:
    """``commondxStatusToStr``: the status's description."""
    return _to_str("commondxStatusToStr", status)


def commondxPrecisionToStr(precision: int) -> str:
    """``commondxPrecisionToStr``."""
    return _to_str("commondxPrecisionToStr", precision)


def commondxValueTypeToStr(value_type: int) -> str:
    """``commondxValueTypeToStr``."""
    return _to_str("commondxValueTypeToStr", value_type)


def commondxOptionToStr(option: int) -> str:
    """``commondxOptionToStr``."""
    return _to_str("commondxOptionToStr", option)


def commondxExecutionToStr(execution: int) -> str:
    """``commondxExecutionToStr``."""
    return _to_str("commondxExecutionToStr", execution)


def commondxCodeContainerToStr(container: int) -> str:
    """``commondxCodeContainerToStr``."""
    return _to_str("commondxCodeContainerToStr", container)


def commondxCodeTypeToStr(code: int) -> str:
    """``commondxCodeTypeToStr``."""
    return _to_str("commondxCodeTypeToStr", code)


def commondxArchModifierToStr(modifier: int) -> str:
    """``commondxArchModifierToStr``."""
    return _to_str("commondxArchModifierToStr", modifier)


# -- libcufftdx.h ------------------------------------------------------------------------------


def cufftdxGetVersion() -> tuple[int, int, int]:
    """``cufftdxGetVersion``: ``(major, minor, patch)`` of the bundled cuFFTDx."""
    return _triple("cufftdxGetVersion")


def cufftdxCreateDescriptor() -> int:
    """``cufftdxCreateDescriptor``: a new cuFFTDx descriptor (``using FFT = ...``)."""
    return _create("cufftdxCreateDescriptor")


def cufftdxSetOptionStr(handle: int, opt: int, value) -> None:
    """``cufftdxSetOptionStr``: set a C-string :class:`CommondxOption` (``SYMBOL_NAME``,
    ``EXTRA_NVRTC_ARGS``)."""
    _set_str("cufftdxSetOptionStr", handle, opt, value)


def cufftdxSetOptionStrs(handle: int, opt: int, count: int, values) -> None:
    """``cufftdxSetOptionStrs``: set ``count`` C-strings."""
    _set_strs("cufftdxSetOptionStrs", handle, opt, count, values)


def cufftdxIsSupported(handle: int) -> int:
    """``cufftdxIsSupported``: non-zero when the descriptor has an implementation."""
    value = c_int()
    _lib.function("cufftdxIsSupported")(_integer(handle, "handle"), ctypes.byref(value))
    return value.value


def cufftdxGetKnobInt64Size(handle: int, num_knobs: int, knobs_ptr) -> int:
    """``cufftdxGetKnobInt64Size``: how many values :func:`cufftdxGetKnobInt64s` returns for
    the ``num_knobs`` :class:`CufftdxKnobType` s in ``knobs_ptr``.

    The header calls it "the number of distinct sets of knobs"; libmathdx 0.4.1 returns the
    number of values, sets × ``num_knobs`` (10 for 5 sets of 2 knobs), and
    :func:`cufftdxGetKnobInt64s` wants exactly that ``size``.
    """
    num_knobs, knobs = _int_array(knobs_ptr, num_knobs, "knobs_ptr")
    size = c_size_t()
    _lib.function("cufftdxGetKnobInt64Size")(_integer(handle, "handle"), num_knobs, knobs, ctypes.byref(size))
    return size.value


def cufftdxGetKnobInt64s(handle: int, num_knobs: int, knobs_ptr, size: int) -> list[int]:
    """``cufftdxGetKnobInt64s``: ``size`` knob values, set after set, each set one value per
    knob in ``knobs_ptr`` order (``size`` from :func:`cufftdxGetKnobInt64Size`; see
    :func:`cufftdx_get_knobs` for the grouped form)."""
    num_knobs, knobs = _int_array(knobs_ptr, num_knobs, "knobs_ptr")
    size = _integer(size, "size")
    values = (c_longlong * size)()
    _lib.function("cufftdxGetKnobInt64s")(_integer(handle, "handle"), num_knobs, knobs, size, values if size else None)
    return list(values)


def cufftdxSetOperatorInt64(handle: int, op: int, value: int) -> None:
    """``cufftdxSetOperatorInt64``: set an integer :class:`CufftdxOperatorType` (``SIZE``,
    ``DIRECTION``, ``TYPE``, ``PRECISION``, ``SM`` as 900, ``EXECUTION``, ``API``...)."""
    _set_int64("cufftdxSetOperatorInt64", handle, op, value)


def cufftdxSetOperatorInt64s(handle: int, op: int, count: int, array) -> None:
    """``cufftdxSetOperatorInt64s``: set an array operator (``BLOCK_DIM``: 3 values,
    ``REAL_FFT_OPTIONS``: 2); ``len(array)`` must equal ``count``."""
    _set_int64s("cufftdxSetOperatorInt64s", handle, op, count, array)


def cufftdxGetLTOIRSize(handle: int) -> int:
    """``cufftdxGetLTOIRSize``: the size of the descriptor's LTO-IR (cuFFTDx's LTO database
    code, ``CufftdxCodeType.LTOIR``)."""
    return _get_size("cufftdxGetLTOIRSize", _integer(handle, "handle"))


def cufftdxGetLTOIR(handle: int, size: int) -> bytes:
    """``cufftdxGetLTOIR``: the descriptor's LTO-IR (``size`` bytes)."""
    return _get_bytes("cufftdxGetLTOIR", handle, size)


def cufftdxGetTraitStrSize(handle: int, trait: int) -> int:
    """``cufftdxGetTraitStrSize``: the size, with the NUL, of a C-string trait."""
    return _get_size("cufftdxGetTraitStrSize", _integer(handle, "handle"), trait)


def cufftdxGetTraitStr(handle: int, trait: int, size: int) -> str:
    """``cufftdxGetTraitStr``: a C-string trait (``SYMBOL_NAME``); ``size`` from
    :func:`cufftdxGetTraitStrSize` (see :func:`cufftdx_get_trait_str`)."""
    return _get_str("cufftdxGetTraitStr", handle, trait, size)


def cufftdxGetTraitInt64(handle: int, trait: int) -> int:
    """``cufftdxGetTraitInt64``: an integer :class:`CufftdxTraitType`."""
    return _get_int64("cufftdxGetTraitInt64", handle, trait)


def cufftdxGetTraitInt64s(handle: int, trait: int, count: int) -> list[int]:
    """``cufftdxGetTraitInt64s``: an array trait of ``count`` values (``BLOCK_DIM``: 3)."""
    return _get_int64s("cufftdxGetTraitInt64s", handle, trait, count)


def cufftdxGetTraitCommondxDataType(handle: int, trait: int) -> CommondxValueType | int:
    """``cufftdxGetTraitCommondxDataType``: a value-type trait (``VALUE_TYPE``,
    ``INPUT_TYPE``, ``OUTPUT_TYPE``) as a :class:`CommondxValueType`."""
    value = c_int()
    _lib.function("cufftdxGetTraitCommondxDataType")(_integer(handle, "handle"), trait, ctypes.byref(value))
    return _as_enum(CommondxValueType, value.value)


def cufftdxFinalizeCode(code: int, handle: int) -> None:
    """``cufftdxFinalizeCode``: generate the descriptor's code into ``code`` (NVRTC runs here:
    seconds)."""
    _lib.function("cufftdxFinalizeCode")(_integer(code, "code"), _integer(handle, "handle"))


def cufftdxFinalizeCodes(code: int, count: int, handles) -> None:
    """``cufftdxFinalizeCodes``: generate the code of ``count`` cuFFTDx descriptors into one code
    handle; ``handles`` is a sequence of ``count`` descriptors (or an int address)."""
    count, array = _handles(handles, count, "handles")
    _lib.function("cufftdxFinalizeCodes")(_integer(code, "code"), count, array)


def cufftdxDestroyDescriptor(handle: int) -> None:
    """``cufftdxDestroyDescriptor``."""
    _lib.function("cufftdxDestroyDescriptor")(_integer(handle, "handle"))


def cufftdxOperatorTypeToStr(op: int) -> str:
    """``cufftdxOperatorTypeToStr``."""
    return _to_str("cufftdxOperatorTypeToStr", op)


def cufftdxTraitTypeToStr(op: int) -> str:
    """``cufftdxTraitTypeToStr``."""
    return _to_str("cufftdxTraitTypeToStr", op)


def cufftdxApiToStr(api: int) -> str:
    """``cufftdxApiToStr``."""
    return _to_str("cufftdxApiToStr", api)


def cufftdxTypeToStr(type: int) -> str:
    """``cufftdxTypeToStr``."""
    return _to_str("cufftdxTypeToStr", type)


def cufftdxDirectionToStr(direction: int) -> str:
    """``cufftdxDirectionToStr``."""
    return _to_str("cufftdxDirectionToStr", direction)


def cufftdxComplexLayoutToStr(layout: int) -> str:
    """``cufftdxComplexLayoutToStr``."""
    return _to_str("cufftdxComplexLayoutToStr", layout)


def cufftdxRealModeToStr(mode: int) -> str:
    """``cufftdxRealModeToStr``."""
    return _to_str("cufftdxRealModeToStr", mode)


def cufftdxKnobTypeToStr(knob: int) -> str:
    """``cufftdxKnobTypeToStr``."""
    return _to_str("cufftdxKnobTypeToStr", knob)


def cufftdxCodeTypeToStr(code_type: int) -> str:
    """``cufftdxCodeTypeToStr``."""
    return _to_str("cufftdxCodeTypeToStr", code_type)


# -- libcublasdx.h: descriptors ----------------------------------------------------------------


def cublasdxGetVersion() -> tuple[int, int, int]:
    """``cublasdxGetVersion``: ``(major, minor, patch)`` of the bundled cuBLASDx."""
    return _triple("cublasdxGetVersion")


def cublasdxCreateDescriptor() -> int:
    """``cublasdxCreateDescriptor``: a new cuBLASDx descriptor (``using GEMM = ...``)."""
    return _create("cublasdxCreateDescriptor")


def cublasdxSetOptionStr(handle: int, option: int, value) -> None:
    """``cublasdxSetOptionStr``: set a C-string :class:`CommondxOption`."""
    _set_str("cublasdxSetOptionStr", handle, option, value)


def cublasdxSetOptionStrs(handle: int, option: int, count: int, values) -> None:
    """``cublasdxSetOptionStrs``: set ``count`` C-strings."""
    _set_strs("cublasdxSetOptionStrs", handle, option, count, values)


def cublasdxSetOperatorInt64(handle: int, op: int, value: int) -> None:
    """``cublasdxSetOperatorInt64``: set an integer :class:`CublasdxOperatorType`
    (``FUNCTION``, ``TYPE``, ``SM`` as 900, ``EXECUTION``, ``API``...)."""
    _set_int64("cublasdxSetOperatorInt64", handle, op, value)


def cublasdxSetOperatorInt64s(handle: int, op: int, count: int, array) -> None:
    """``cublasdxSetOperatorInt64s``: set an array operator (``SIZE``: M, N, K;
    ``PRECISION``: A, B, C; ``BLOCK_DIM``, ``LEADING_DIMENSION``, ``ARRANGEMENT``,
    ``ALIGNMENT``: 3 values; ``TRANSPOSE_MODE``: 2)."""
    _set_int64s("cublasdxSetOperatorInt64s", handle, op, count, array)


def cublasdxGetLTOIRSize(handle: int) -> int:
    """``cublasdxGetLTOIRSize``: the size of the descriptor's LTO-IR."""
    return _get_size("cublasdxGetLTOIRSize", _integer(handle, "handle"))


def cublasdxGetLTOIR(handle: int, size: int) -> bytes:
    """``cublasdxGetLTOIR``: the descriptor's LTO-IR (``size`` bytes)."""
    return _get_bytes("cublasdxGetLTOIR", handle, size)


def cublasdxGetTraitStrSize(handle: int, trait: int) -> int:
    """``cublasdxGetTraitStrSize``: the size, with the NUL, of a C-string trait."""
    return _get_size("cublasdxGetTraitStrSize", _integer(handle, "handle"), trait)


def cublasdxGetTraitStr(handle: int, trait: int, size: int) -> str:
    """``cublasdxGetTraitStr``: a C-string trait (``SYMBOL_NAME``); see
    :func:`cublasdx_get_trait_str`."""
    return _get_str("cublasdxGetTraitStr", handle, trait, size)


def cublasdxGetTraitInt64(handle: int, trait: int) -> int:
    """``cublasdxGetTraitInt64``: an integer :class:`CublasdxTraitType`
    (``MAX_THREADS_PER_BLOCK``; libmathdx 0.4.1 answers ``BLOCK_SIZE`` with
    ``INTERNAL_ERROR``)."""
    return _get_int64("cublasdxGetTraitInt64", handle, trait)


def cublasdxGetTraitInt64s(handle: int, trait: int, count: int) -> list[int]:
    """``cublasdxGetTraitInt64s``: an array trait of ``count`` values (``SIZE``,
    ``BLOCK_DIM``, ``LEADING_DIMENSION``, ``ARRANGEMENT``, ``ALIGNMENT``: 3)."""
    return _get_int64s("cublasdxGetTraitInt64s", handle, trait, count)


def cublasdxGetTraitCommondxDataTypes(handle: int, trait: int, count: int) -> list[CommondxValueType | int]:
    """``cublasdxGetTraitCommondxDataTypes``: ``count`` value types (``VALUE_TYPE``: A, B,
    C) as :class:`CommondxValueType` s."""
    count = _integer(count, "count")
    values = (c_int * count)()
    _lib.function("cublasdxGetTraitCommondxDataTypes")(
        _integer(handle, "handle"), trait, count, values if count else None
    )
    return [_as_enum(CommondxValueType, v) for v in values]


def cublasdxFinalizeCode(code: int, handle: int) -> None:
    """``cublasdxFinalizeCode``: generate the descriptor's code into ``code`` (NVRTC runs
    here: seconds)."""
    _lib.function("cublasdxFinalizeCode")(_integer(code, "code"), _integer(handle, "handle"))


def cublasdxFinalizeCodes(code: int, count: int, handles) -> None:
    """``cublasdxFinalizeCodes``: generate the code of ``count`` cuBLASDx descriptors into one code
    handle; ``handles`` is a sequence of ``count`` descriptors (or an int address)."""
    count, array = _handles(handles, count, "handles")
    _lib.function("cublasdxFinalizeCodes")(_integer(code, "code"), count, array)


def cublasdxGetUniversalFATBINSize(handle: int) -> int:
    """``cublasdxGetUniversalFATBINSize``: the size of the universal fatbin cuBLASDx code links
    with (only TRSM references it)."""
    return _get_size("cublasdxGetUniversalFATBINSize", _integer(handle, "handle"))


def cublasdxGetUniversalFATBIN(handle: int, fatbin_size: int) -> bytes:
    """``cublasdxGetUniversalFATBIN``: the universal fatbin (``fatbin_size`` bytes)."""
    return _get_bytes("cublasdxGetUniversalFATBIN", handle, fatbin_size)


def cublasdxDestroyDescriptor(handle: int) -> None:
    """``cublasdxDestroyDescriptor``."""
    _lib.function("cublasdxDestroyDescriptor")(_integer(handle, "handle"))


# -- libcublasdx.h: tensors, pipelines and device functions (CublasdxApi.TENSORS) ------------


def _handles(values, count, what: str):
    return _int64_array(values, count, what)


def cublasdxCreateTensor(handle: int, tensor_type: int) -> int:
    """``cublasdxCreateTensor``: a tensor handle of a :class:`CublasdxTensorType`."""
    return _create("cublasdxCreateTensor", _integer(handle, "handle"), tensor_type)


def cublasdxCreateTensorStrided(memory_space: int, value_type: int, ptr, rank: int, shape, stride) -> int:
    """``cublasdxCreateTensorStrided``: a tensor handle for a ``rank``-dimensional strided
    tensor; ``shape`` and ``stride`` are ``rank`` ints each (:data:`LIBMATHDX_RUNTIME` for a
    run-time value). ``ptr`` must be None (NULL) in libmathdx 0.4."""
    rank = _integer(rank, "rank")
    _, shape_arr = _int64_array(shape, rank, "shape")
    _, stride_arr = _int64_array(stride, rank, "stride")
    ptr = None if ptr is None else _integer(ptr, "ptr")
    return _create("cublasdxCreateTensorStrided", memory_space, value_type, ptr, rank, shape_arr, stride_arr)


def cublasdxMakeTensorLike(input: int, value_type: int) -> int:
    """``cublasdxMakeTensorLike``: a tensor with ``input``'s layout and another value type."""
    return _create("cublasdxMakeTensorLike", _integer(input, "input"), value_type)


def cublasdxDestroyTensor(tensor: int) -> None:
    """``cublasdxDestroyTensor``."""
    _lib.function("cublasdxDestroyTensor")(_integer(tensor, "tensor"))


def cublasdxDestroyPipeline(pipeline: int) -> None:
    """``cublasdxDestroyPipeline``."""
    _lib.function("cublasdxDestroyPipeline")(_integer(pipeline, "pipeline"))


def cublasdxCreateDevicePipeline(
    handle: int, device_pipeline_type: int, pipeline_depth: int, block_size_strategy: int, tensor_a: int, tensor_b: int
) -> int:
    """``cublasdxCreateDevicePipeline``: a device pipeline handle (``pipeline_depth``
    :data:`LIBMATHDX_MAX_PIPELINE_DEPTH` for the deepest)."""
    return _create(
        "cublasdxCreateDevicePipeline",
        _integer(handle, "handle"),
        device_pipeline_type,
        _integer(pipeline_depth, "pipeline_depth"),
        block_size_strategy,
        _integer(tensor_a, "tensor_a"),
        _integer(tensor_b, "tensor_b"),
    )


def cublasdxCreateTilePipeline(handle: int, tile_pipeline_type: int, device_pipeline: int) -> int:
    """``cublasdxCreateTilePipeline``: a tile pipeline handle of a device pipeline."""
    return _create(
        "cublasdxCreateTilePipeline",
        _integer(handle, "handle"),
        tile_pipeline_type,
        _integer(device_pipeline, "device_pipeline"),
    )


def cublasdxSetTensorOptionInt64(tensor: int, option: int, value: int) -> None:
    """``cublasdxSetTensorOptionInt64``: set a :class:`CublasdxTensorOption` (before
    finalizing the tensor)."""
    _set_int64("cublasdxSetTensorOptionInt64", tensor, option, value)


def cublasdxSetTensorOptionStr(tensor: int, option: int, value) -> None:
    """``cublasdxSetTensorOptionStr``: set a C-string :class:`CommondxOption` on a tensor."""
    _set_str("cublasdxSetTensorOptionStr", tensor, option, value)


def cublasdxSetPipelineOptionStr(pipeline: int, option: int, value) -> None:
    """``cublasdxSetPipelineOptionStr``: set a C-string :class:`CommondxOption` on a
    pipeline."""
    _set_str("cublasdxSetPipelineOptionStr", pipeline, option, value)


def cublasdxSetTensorOptionStrs(tensor: int, option: int, count: int, values) -> None:
    """``cublasdxSetTensorOptionStrs``: set ``count`` C-strings on a tensor."""
    _set_strs("cublasdxSetTensorOptionStrs", tensor, option, count, values)


def cublasdxSetPipelineOptionStrs(pipeline: int, option: int, count: int, values) -> None:
    """``cublasdxSetPipelineOptionStrs``: set ``count`` C-strings on a pipeline."""
    _set_strs("cublasdxSetPipelineOptionStrs", pipeline, option, count, values)


def cublasdxFinalizeTensors(count: int, array) -> None:
    """``cublasdxFinalizeTensors``: finalize ``count`` tensors (needed before their traits)."""
    count, arr = _handles(array, count, "array")
    _lib.function("cublasdxFinalizeTensors")(count, arr)


def cublasdxFinalizePipelines(count: int, array) -> None:
    """``cublasdxFinalizePipelines``: finalize ``count`` pipelines."""
    count, arr = _handles(array, count, "array")
    _lib.function("cublasdxFinalizePipelines")(count, arr)


def cublasdxFinalize(countTensors: int, tensors, countPipelines: int, pipelines) -> None:
    """``cublasdxFinalize``: finalize tensors and pipelines together."""
    count_t, tensors_arr = _handles(tensors, countTensors, "tensors")
    count_p, pipelines_arr = _handles(pipelines, countPipelines, "pipelines")
    _lib.function("cublasdxFinalize")(count_t, tensors_arr, count_p, pipelines_arr)


def cublasdxGetTensorTraitInt64(tensor: int, trait: int) -> int:
    """``cublasdxGetTensorTraitInt64``: an integer :class:`CublasdxTensorTrait` of a
    finalized tensor."""
    return _get_int64("cublasdxGetTensorTraitInt64", tensor, trait)


def cublasdxGetPipelineTraitInt64(pipeline: int, trait: int) -> int:
    """``cublasdxGetPipelineTraitInt64``: an integer :class:`CublasdxPipelineTrait`."""
    return _get_int64("cublasdxGetPipelineTraitInt64", pipeline, trait)


def cublasdxGetPipelineTraitInt64s(pipeline: int, trait: int, count: int) -> list[int]:
    """``cublasdxGetPipelineTraitInt64s``: an array pipeline trait (``BLOCK_DIM``: 3)."""
    return _get_int64s("cublasdxGetPipelineTraitInt64s", pipeline, trait, count)


def cublasdxGetTensorTraitStrSize(tensor: int, trait: int) -> int:
    """``cublasdxGetTensorTraitStrSize``: the size, with the NUL, of a C-string tensor trait."""
    return _get_size("cublasdxGetTensorTraitStrSize", _integer(tensor, "tensor"), trait)


def cublasdxGetPipelineTraitStrSize(pipeline: int, trait: int) -> int:
    """``cublasdxGetPipelineTraitStrSize``: the size, with the NUL, of a C-string pipeline
    trait."""
    return _get_size("cublasdxGetPipelineTraitStrSize", _integer(pipeline, "pipeline"), trait)


def cublasdxGetTensorTraitStr(tensor: int, trait: int, size: int) -> str:
    """``cublasdxGetTensorTraitStr``: a C-string tensor trait (``OPAQUE_NAME``: the C type
    name of the tensor struct in the device functions)."""
    return _get_str("cublasdxGetTensorTraitStr", tensor, trait, size)


def cublasdxGetPipelineTraitStr(pipeline: int, trait: int, size: int) -> str:
    """``cublasdxGetPipelineTraitStr``: a C-string pipeline trait (``OPAQUE_NAME``)."""
    return _get_str("cublasdxGetPipelineTraitStr", pipeline, trait, size)


def cublasdxCreateDeviceFunction(handle: int, device_function_type: int, count: int, array) -> int:
    """``cublasdxCreateDeviceFunction``: a device function of a
    :class:`CublasdxDeviceFunctionType` on ``count`` tensors (``handle`` may be
    :data:`LIBMATHDX_NONE` where the header allows)."""
    count, arr = _handles(array, count, "array")
    return _create("cublasdxCreateDeviceFunction", _integer(handle, "handle"), device_function_type, count, arr)


def cublasdxDestroyDeviceFunction(device_function: int) -> None:
    """``cublasdxDestroyDeviceFunction``."""
    _lib.function("cublasdxDestroyDeviceFunction")(_integer(device_function, "device_function"))


def cublasdxCreateDeviceFunctionWithPipelines(
    handle: int, device_function_type: int, tensor_count: int, tensors, pipeline_count: int, pipelines
) -> int:
    """``cublasdxCreateDeviceFunctionWithPipelines``: a device function on tensors and
    pipelines."""
    tensor_count, tensors_arr = _handles(tensors, tensor_count, "tensors")
    pipeline_count, pipelines_arr = _handles(pipelines, pipeline_count, "pipelines")
    return _create(
        "cublasdxCreateDeviceFunctionWithPipelines",
        _integer(handle, "handle"),
        device_function_type,
        tensor_count,
        tensors_arr,
        pipeline_count,
        pipelines_arr,
    )


def cublasdxFinalizeDeviceFunctions(code: int, count: int, array) -> None:
    """``cublasdxFinalizeDeviceFunctions``: generate ``count`` device functions into
    ``code``."""
    count, arr = _handles(array, count, "array")
    _lib.function("cublasdxFinalizeDeviceFunctions")(_integer(code, "code"), count, arr)


def cublasdxGetDeviceFunctionTraitStrSize(device_function: int, trait: int) -> int:
    """``cublasdxGetDeviceFunctionTraitStrSize``: the size, with the NUL, of a C-string
    :class:`CublasdxDeviceFunctionTrait`."""
    return _get_size("cublasdxGetDeviceFunctionTraitStrSize", _integer(device_function, "device_function"), trait)


def cublasdxGetDeviceFunctionTraitStr(device_function: int, trait: int, size: int) -> str:
    """``cublasdxGetDeviceFunctionTraitStr``: a C-string device function trait
    (``SYMBOL``)."""
    return _get_str("cublasdxGetDeviceFunctionTraitStr", device_function, trait, size)


def cublasdxSetDeviceFunctionOptionInt64(function: int, option: int, opt: int) -> None:
    """``cublasdxSetDeviceFunctionOptionInt64``: set an integer
    :class:`CublasdxDeviceFunctionOption`."""
    _set_int64("cublasdxSetDeviceFunctionOptionInt64", function, option, opt)


def cublasdxSetDeviceFunctionOptionStr(function: int, option: int, opt) -> None:
    """``cublasdxSetDeviceFunctionOptionStr``: set a C-string
    :class:`CublasdxDeviceFunctionOption` (``SYMBOL_NAME``, ``CALLBACK``)."""
    _set_str("cublasdxSetDeviceFunctionOptionStr", function, option, opt)


def cublasdxOperatorTypeToStr(op: int) -> str:
    """``cublasdxOperatorTypeToStr``."""
    return _to_str("cublasdxOperatorTypeToStr", op)


def cublasdxTraitTypeToStr(trait: int) -> str:
    """``cublasdxTraitTypeToStr``."""
    return _to_str("cublasdxTraitTypeToStr", trait)


def cublasdxApiToStr(api: int) -> str:
    """``cublasdxApiToStr``."""
    return _to_str("cublasdxApiToStr", api)


def cublasdxTypeToStr(type: int) -> str:
    """``cublasdxTypeToStr``."""
    return _to_str("cublasdxTypeToStr", type)


def cublasdxTransposeModeToStr(mode: int) -> str:
    """``cublasdxTransposeModeToStr``."""
    return _to_str("cublasdxTransposeModeToStr", mode)


def cublasdxArrangementToStr(arrangement: int) -> str:
    """``cublasdxArrangementToStr``."""
    return _to_str("cublasdxArrangementToStr", arrangement)


def cublasdxFunctionToStr(function: int) -> str:
    """``cublasdxFunctionToStr``."""
    return _to_str("cublasdxFunctionToStr", function)


def cublasdxTensorTypeToStr(type: int) -> str:
    """``cublasdxTensorTypeToStr``."""
    return _to_str("cublasdxTensorTypeToStr", type)


def cublasdxBlockSizeStrategyToStr(strategy: int) -> str:
    """``cublasdxBlockSizeStrategyToStr``."""
    return _to_str("cublasdxBlockSizeStrategyToStr", strategy)


def cublasdxDevicePipelineTypeToStr(type: int) -> str:
    """``cublasdxDevicePipelineTypeToStr``."""
    return _to_str("cublasdxDevicePipelineTypeToStr", type)


def cublasdxTilePipelineTypeToStr(type: int) -> str:
    """``cublasdxTilePipelineTypeToStr``."""
    return _to_str("cublasdxTilePipelineTypeToStr", type)


def cublasdxTensorOptionToStr(option: int) -> str:
    """``cublasdxTensorOptionToStr``."""
    return _to_str("cublasdxTensorOptionToStr", option)


def cublasdxTensorTraitToStr(trait: int) -> str:
    """``cublasdxTensorTraitToStr``."""
    return _to_str("cublasdxTensorTraitToStr", trait)


def cublasdxPipelineTraitToStr(trait: int) -> str:
    """``cublasdxPipelineTraitToStr``."""
    return _to_str("cublasdxPipelineTraitToStr", trait)


def cublasdxDeviceFunctionTraitToStr(trait: int) -> str:
    """``cublasdxDeviceFunctionTraitToStr``."""
    return _to_str("cublasdxDeviceFunctionTraitToStr", trait)


def cublasdxDeviceFunctionOptionToStr(option: int) -> str:
    """``cublasdxDeviceFunctionOptionToStr``."""
    return _to_str("cublasdxDeviceFunctionOptionToStr", option)


def cublasdxDeviceFunctionTypeToStr(type: int) -> str:
    """``cublasdxDeviceFunctionTypeToStr``."""
    return _to_str("cublasdxDeviceFunctionTypeToStr", type)


def cublasdxMemorySpaceToStr(memory_space: int) -> str:
    """``cublasdxMemorySpaceToStr``."""
    return _to_str("cublasdxMemorySpaceToStr", memory_space)


# -- libcuranddx.h -----------------------------------------------------------------------------


def curanddxGetVersion() -> tuple[int, int, int]:
    """``curanddxGetVersion``: ``(major, minor, patch)`` of the bundled cuRANDDx."""
    return _triple("curanddxGetVersion")


def curanddxCreateDescriptor() -> int:
    """``curanddxCreateDescriptor``: a new cuRANDDx descriptor."""
    return _create("curanddxCreateDescriptor")


def curanddxSetOptionStr(handle: int, opt: int, value) -> None:
    """``curanddxSetOptionStr``: set a C-string :class:`CommondxOption`."""
    _set_str("curanddxSetOptionStr", handle, opt, value)


def curanddxSetOptionStrs(handle: int, opt: int, count: int, values) -> None:
    """``curanddxSetOptionStrs``: set ``count`` C-strings."""
    _set_strs("curanddxSetOptionStrs", handle, opt, count, values)


def curanddxSetOperatorInt64(handle: int, op: int, value: int) -> None:
    """``curanddxSetOperatorInt64``: set a :class:`CuranddxOperatorType` (``DEVICE_FUNCTIONS``
    takes or'ed :class:`CuranddxDeviceFunctionType` flags)."""
    _set_int64("curanddxSetOperatorInt64", handle, op, value)


def curanddxGetTraitStrSize(handle: int, trait: int) -> int:
    """``curanddxGetTraitStrSize``: the size, with the NUL, of a C-string trait."""
    return _get_size("curanddxGetTraitStrSize", _integer(handle, "handle"), trait)


def curanddxGetTraitStr(handle: int, trait: int, size: int) -> str:
    """``curanddxGetTraitStr``: a C-string trait (the ``SYMBOL_*_NAME`` s)."""
    return _get_str("curanddxGetTraitStr", handle, trait, size)


def curanddxGetTraitInt64(handle: int, trait: int) -> int:
    """``curanddxGetTraitInt64``: an integer trait (``STATE_SIZE``, ``STATE_ALIGNMENT``)."""
    return _get_int64("curanddxGetTraitInt64", handle, trait)


def curanddxFinalizeCode(code: int, handle: int) -> None:
    """``curanddxFinalizeCode``: generate the descriptor's device functions into ``code``."""
    _lib.function("curanddxFinalizeCode")(_integer(code, "code"), _integer(handle, "handle"))


def curanddxFinalizeCodes(code: int, count: int, handles) -> None:
    """``curanddxFinalizeCodes``: generate the code of ``count`` cuRANDDx descriptors into one code
    handle; ``handles`` is a sequence of ``count`` descriptors (or an int address)."""
    count, array = _handles(handles, count, "handles")
    _lib.function("curanddxFinalizeCodes")(_integer(code, "code"), count, array)


def curanddxDestroyDescriptor(handle: int) -> None:
    """``curanddxDestroyDescriptor``."""
    _lib.function("curanddxDestroyDescriptor")(_integer(handle, "handle"))


def curanddxOperatorTypeToStr(op: int) -> str:
    """``curanddxOperatorTypeToStr``."""
    return _to_str("curanddxOperatorTypeToStr", op)


def curanddxDistributionToStr(dist: int) -> str:
    """``curanddxDistributionToStr``."""
    return _to_str("curanddxDistributionToStr", dist)


def curanddxGeneratorToStr(generator: int) -> str:
    """``curanddxGeneratorToStr``."""
    return _to_str("curanddxGeneratorToStr", generator)


def curanddxGenerateMethodToStr(generate_method: int) -> str:
    """``curanddxGenerateMethodToStr``."""
    return _to_str("curanddxGenerateMethodToStr", generate_method)


def curanddxNormalMethodToStr(normal_method: int) -> str:
    """``curanddxNormalMethodToStr``."""
    return _to_str("curanddxNormalMethodToStr", normal_method)


def curanddxTraitTypeToStr(trait: int) -> str:
    """``curanddxTraitTypeToStr``."""
    return _to_str("curanddxTraitTypeToStr", trait)


# -- libcusolverdx.h ---------------------------------------------------------------------------


def cusolverdxGetVersion() -> tuple[int, int, int]:
    """``cusolverdxGetVersion``: ``(major, minor, patch)`` of the bundled cuSOLVERDx."""
    return _triple("cusolverdxGetVersion")


def cusolverdxCreateDescriptor() -> int:
    """``cusolverdxCreateDescriptor``: a new cuSOLVERDx descriptor (``using SOLVER = ...``)."""
    return _create("cusolverdxCreateDescriptor")


def cusolverdxSetOptionStr(handle: int, opt: int, value) -> None:
    """``cusolverdxSetOptionStr``: set a C-string :class:`CommondxOption`."""
    _set_str("cusolverdxSetOptionStr", handle, opt, value)


def cusolverdxSetOptionStrs(handle: int, opt: int, count: int, values) -> None:
    """``cusolverdxSetOptionStrs``: set ``count`` C-strings."""
    _set_strs("cusolverdxSetOptionStrs", handle, opt, count, values)


def cusolverdxSetOperatorInt64(handle: int, op: int, value: int) -> None:
    """``cusolverdxSetOperatorInt64``: set an integer :class:`CusolverdxOperatorType`."""
    _set_int64("cusolverdxSetOperatorInt64", handle, op, value)


def cusolverdxSetOperatorInt64s(handle: int, op: int, count: int, array) -> None:
    """``cusolverdxSetOperatorInt64s``: set an array operator (``SIZE``: 1 to 3 values,
    ``BLOCK_DIM``: 3...)."""
    _set_int64s("cusolverdxSetOperatorInt64s", handle, op, count, array)


def cusolverdxGetLTOIRSize(handle: int) -> int:
    """``cusolverdxGetLTOIRSize``: the size of the descriptor's LTO-IR."""
    return _get_size("cusolverdxGetLTOIRSize", _integer(handle, "handle"))


def cusolverdxGetLTOIR(handle: int, size: int) -> bytes:
    """``cusolverdxGetLTOIR``: the descriptor's LTO-IR (``size`` bytes)."""
    return _get_bytes("cusolverdxGetLTOIR", handle, size)


def cusolverdxGetUniversalFATBINSize(handle: int) -> int:
    """``cusolverdxGetUniversalFATBINSize``: the size of cuSOLVERDx's universal fatbin (to
    link with the generated code)."""
    return _get_size("cusolverdxGetUniversalFATBINSize", _integer(handle, "handle"))


def cusolverdxGetUniversalFATBIN(handle: int, fatbin_size: int) -> bytes:
    """``cusolverdxGetUniversalFATBIN``: the universal fatbin (``fatbin_size`` bytes)."""
    return _get_bytes("cusolverdxGetUniversalFATBIN", handle, fatbin_size)


def cusolverdxGetTraitStrSize(handle: int, trait: int) -> int:
    """``cusolverdxGetTraitStrSize``: the size, with the NUL, of a C-string trait."""
    return _get_size("cusolverdxGetTraitStrSize", _integer(handle, "handle"), trait)


def cusolverdxGetTraitStr(handle: int, trait: int, size: int) -> str:
    """``cusolverdxGetTraitStr``: a C-string trait (``SYMBOL_NAME``)."""
    return _get_str("cusolverdxGetTraitStr", handle, trait, size)


def cusolverdxGetTraitInt64(handle: int, trait: int) -> int:
    """``cusolverdxGetTraitInt64``: an integer :class:`CusolverdxTraitType`."""
    return _get_int64("cusolverdxGetTraitInt64", handle, trait)


def cusolverdxGetTraitInt64s(handle: int, trait: int, count: int) -> list[int]:
    """``cusolverdxGetTraitInt64s``: an array trait of ``count`` values."""
    return _get_int64s("cusolverdxGetTraitInt64s", handle, trait, count)


def cusolverdxFinalizeCode(code: int, handle: int) -> None:
    """``cusolverdxFinalizeCode``: generate the descriptor's code into ``code``."""
    _lib.function("cusolverdxFinalizeCode")(_integer(code, "code"), _integer(handle, "handle"))


def cusolverdxFinalizeCodes(code: int, count: int, handles) -> None:
    """``cusolverdxFinalizeCodes``: generate the code of ``count`` cuSOLVERDx descriptors into one code
    handle; ``handles`` is a sequence of ``count`` descriptors (or an int address)."""
    count, array = _handles(handles, count, "handles")
    _lib.function("cusolverdxFinalizeCodes")(_integer(code, "code"), count, array)


def cusolverdxDestroyDescriptor(handle: int) -> None:
    """``cusolverdxDestroyDescriptor``."""
    _lib.function("cusolverdxDestroyDescriptor")(_integer(handle, "handle"))


def cusolverdxOperatorTypeToStr(op: int) -> str:
    """``cusolverdxOperatorTypeToStr``."""
    return _to_str("cusolverdxOperatorTypeToStr", op)


def cusolverdxTraitTypeToStr(trait: int) -> str:
    """``cusolverdxTraitTypeToStr``."""
    return _to_str("cusolverdxTraitTypeToStr", trait)


def cusolverdxDiagToStr(diag: int) -> str:
    """``cusolverdxDiagToStr``."""
    return _to_str("cusolverdxDiagToStr", diag)


def cusolverdxSideToStr(side: int) -> str:
    """``cusolverdxSideToStr``."""
    return _to_str("cusolverdxSideToStr", side)


def cusolverdxApiToStr(api: int) -> str:
    """``cusolverdxApiToStr``."""
    return _to_str("cusolverdxApiToStr", api)


def cusolverdxTypeToStr(type: int) -> str:
    """``cusolverdxTypeToStr``."""
    return _to_str("cusolverdxTypeToStr", type)


def cusolverdxFunctionToStr(function: int) -> str:
    """``cusolverdxFunctionToStr``."""
    return _to_str("cusolverdxFunctionToStr", function)


def cusolverdxArrangementToStr(arrangement: int) -> str:
    """``cusolverdxArrangementToStr``."""
    return _to_str("cusolverdxArrangementToStr", arrangement)


def cusolverdxFillModeToStr(mode: int) -> str:
    """``cusolverdxFillModeToStr``."""
    return _to_str("cusolverdxFillModeToStr", mode)


def cusolverdxTransposeModeToStr(transpose_mode: int) -> str:
    """``cusolverdxTransposeModeToStr``."""
    return _to_str("cusolverdxTransposeModeToStr", transpose_mode)


def cusolverdxJobToStr(job: int) -> str:
    """``cusolverdxJobToStr``."""
    return _to_str("cusolverdxJobToStr", job)


# -- libnvcompdx.h -----------------------------------------------------------------------------


def nvcompdxGetVersion() -> tuple[int, int, int]:
    """``nvcompdxGetVersion``: ``(major, minor, patch)`` of the bundled nvCOMPDx."""
    return _triple("nvcompdxGetVersion")


def nvcompdxCreateDescriptor() -> int:
    """``nvcompdxCreateDescriptor``: a new nvCOMPDx descriptor."""
    return _create("nvcompdxCreateDescriptor")


def nvcompdxSetOperatorInt64(handle: int, op: int, value: int) -> None:
    """``nvcompdxSetOperatorInt64``: set an integer :class:`NvcompdxOperatorType`."""
    _set_int64("nvcompdxSetOperatorInt64", handle, op, value)


def nvcompdxSetOperatorInt64s(handle: int, op: int, count: int, array) -> None:
    """``nvcompdxSetOperatorInt64s``: set an array operator (``BLOCK_DIM``: 3,
    ``BLOCK_WARP``: 2)."""
    _set_int64s("nvcompdxSetOperatorInt64s", handle, op, count, array)


def nvcompdxSetOptionStr(handle: int, opt: int, value) -> None:
    """``nvcompdxSetOptionStr``: set a C-string :class:`CommondxOption`."""
    _set_str("nvcompdxSetOptionStr", handle, opt, value)


def nvcompdxSetOptionStrs(handle: int, opt: int, count: int, values) -> None:
    """``nvcompdxSetOptionStrs``: set ``count`` C-strings."""
    _set_strs("nvcompdxSetOptionStrs", handle, opt, count, values)


def nvcompdxGetTraitInt64(handle: int, trait: int) -> int:
    """``nvcompdxGetTraitInt64``: an integer :class:`NvcompdxTraitType`."""
    return _get_int64("nvcompdxGetTraitInt64", handle, trait)


def nvcompdxGetTraitInt64s(handle: int, trait: int, count: int) -> list[int]:
    """``nvcompdxGetTraitInt64s``: an array trait of ``count`` values."""
    return _get_int64s("nvcompdxGetTraitInt64s", handle, trait, count)


def nvcompdxGetTraitStrSize(handle: int, trait: int) -> int:
    """``nvcompdxGetTraitStrSize``: the size, with the NUL, of a C-string trait."""
    return _get_size("nvcompdxGetTraitStrSize", _integer(handle, "handle"), trait)


def nvcompdxGetTraitStr(handle: int, trait: int, size: int) -> str:
    """``nvcompdxGetTraitStr``: a C-string trait (``SYMBOL_NAME``)."""
    return _get_str("nvcompdxGetTraitStr", handle, trait, size)


def nvcompdxGetLTOIRSize(handle: int) -> int:
    """``nvcompdxGetLTOIRSize``: the size of the descriptor's LTO-IR."""
    return _get_size("nvcompdxGetLTOIRSize", _integer(handle, "handle"))


def nvcompdxGetLTOIR(handle: int, size: int) -> bytes:
    """``nvcompdxGetLTOIR``: the descriptor's LTO-IR (``size`` bytes)."""
    return _get_bytes("nvcompdxGetLTOIR", handle, size)


def nvcompdxGetUniversalFATBINSize(handle: int) -> int:
    """``nvcompdxGetUniversalFATBINSize``: the size of nvCOMPDx's universal fatbin."""
    return _get_size("nvcompdxGetUniversalFATBINSize", _integer(handle, "handle"))


def nvcompdxGetUniversalFATBIN(handle: int, fatbin_size: int) -> bytes:
    """``nvcompdxGetUniversalFATBIN``: the universal fatbin (``fatbin_size`` bytes)."""
    return _get_bytes("nvcompdxGetUniversalFATBIN", handle, fatbin_size)


def nvcompdxFinalizeCode(code: int, handle: int) -> None:
    """``nvcompdxFinalizeCode``: generate the descriptor's code into ``code``."""
    _lib.function("nvcompdxFinalizeCode")(_integer(code, "code"), _integer(handle, "handle"))


def nvcompdxFinalizeCodes(code: int, count: int, handles) -> None:
    """``nvcompdxFinalizeCodes``: generate the code of ``count`` nvCOMPDx descriptors into one code
    handle; ``handles`` is a sequence of ``count`` descriptors (or an int address)."""
    count, array = _handles(handles, count, "handles")
    _lib.function("nvcompdxFinalizeCodes")(_integer(code, "code"), count, array)


def nvcompdxDestroyDescriptor(handle: int) -> None:
    """``nvcompdxDestroyDescriptor``."""
    _lib.function("nvcompdxDestroyDescriptor")(_integer(handle, "handle"))


def nvcompdxOperatorTypeToStr(op: int) -> str:
    """``nvcompdxOperatorTypeToStr``."""
    return _to_str("nvcompdxOperatorTypeToStr", op)


def nvcompdxTraitTypeToStr(trait: int) -> str:
    """``nvcompdxTraitTypeToStr``."""
    return _to_str("nvcompdxTraitTypeToStr", trait)


def nvcompdxAlgorithmToStr(algo: int) -> str:
    """``nvcompdxAlgorithmToStr``."""
    return _to_str("nvcompdxAlgorithmToStr", algo)


def nvcompdxDirectionToStr(dir: int) -> str:
    """``nvcompdxDirectionToStr``."""
    return _to_str("nvcompdxDirectionToStr", dir)


# -- nvmath-python's names -------------------------------------------------------------------
#
# nvmath-python's ``nvmath.bindings.mathdx`` names each C function in snake_case with the C
# arguments in C order; output arrays and strings are caller buffers, as in C. Those names are
# faces of the functions above: where the C function has no output parameter, the face is
# the same function; the others fill the caller's buffer and return None.


def check_status(status: int) -> None:
    """Raise :class:`LibMathDxError` if ``status`` is not ``COMMONDX_SUCCESS``.

    Parameters
    ----------
    status : int
        A :class:`CommondxStatusType`.
    """
    if _integer(status, "status") != CommondxStatusType.SUCCESS:
        raise LibMathDxError(status)


def _into(c_name: str, position: int, pointer):
    """``pointer`` as the C function's parameter ``position`` is typed."""
    return ctypes.cast(pointer, _lib._prototypes[c_name][1][position]) if pointer is not None else None


def _fill_bytes(c_name: str, leading: tuple, size, buffer, what: str) -> None:
    """``c_name(*leading, size, buffer)``: C fills ``size`` bytes of the caller's buffer."""
    size, pointer = _out_bytes(buffer, size, what)
    _lib.function(c_name)(*leading, size, _into(c_name, len(leading) + 1, pointer))


def _fill_int64s(c_name: str, obj, key, count, array) -> None:
    """``c_name(obj, key, count, array)``: C fills ``count`` integers of the caller's array."""
    count, pointer, finish = _out_array(c_longlong, array, count, "array")
    _lib.function(c_name)(_integer(obj, "handle"), key, count, pointer)
    finish()


# versions
get_version = mathdxGetVersion
get_version_ex = mathdxGetVersionEx
curanddx_get_version = curanddxGetVersion

# code handles
commondx_create_code = commondxCreateCode
commondx_set_code_option_int64 = commondxSetCodeOptionInt64
commondx_set_code_option_int64s = commondxSetCodeOptionInt64s
commondx_set_code_option_str = commondxSetCodeOptionStr
commondx_get_code_option_int64 = commondxGetCodeOptionInt64
commondx_get_code_ltoir_size = commondxGetCodeLTOIRSize
commondx_get_code_num_ltoirs = commondxGetCodeNumLTOIRs
commondx_get_code_ptx_size = commondxGetCodePTXSize
commondx_destroy_code = commondxDestroyCode
commondx_status_to_str = commondxStatusToStr


def commondx_get_code_options_int64s(code: int, option: int, size: int, array) -> None:
    """``commondxGetCodeOptionsInt64s``: fill ``array`` with the option's ``size`` values, one
    per LTO-IR chunk (``array``: an address, a list, or a NumPy ``int64`` array)."""
    _fill_int64s("commondxGetCodeOptionsInt64s", _integer(code, "code"), option, size, array)


def commondx_get_code_ltoir(code: int, size: int, out) -> None:
    """``commondxGetCodeLTOIR``: fill ``out`` (a ``bytearray`` of ``size`` bytes, or an
    address) with the code's LTO-IR; ``size`` from :func:`commondx_get_code_ltoir_size`."""
    _fill_bytes("commondxGetCodeLTOIR", (_integer(code, "code"),), size, out, "out")


def commondx_get_code_ptx(code: int, size: int, out) -> None:
    """``commondxGetCodePTX``: fill ``out`` with the code's PTX and its NUL; ``size`` from
    :func:`commondx_get_code_ptx_size`."""
    _fill_bytes("commondxGetCodePTX", (_integer(code, "code"),), size, out, "out")


def commondx_get_code_ltoir_sizes(code: int, size: int, out) -> None:
    """``commondxGetCodeLTOIRSizes``: fill ``out`` with the byte size of each of the ``size``
    LTO-IR chunks (``size`` from :func:`commondx_get_code_num_ltoirs`)."""
    size, pointer, finish = _out_array(c_size_t, out, size, "out")
    _lib.function("commondxGetCodeLTOIRSizes")(_integer(code, "code"), size, pointer)
    finish()


def commondx_get_code_ltoirs(code: int, size: int, out) -> None:
    """``commondxGetCodeLTOIRs``: copy the ``size`` LTO-IR chunks into the caller's buffers.

    ``out`` is the address of an array of ``size`` pointers, or a sequence of ``size``
    addresses or writable buffers; chunk ``i`` needs ``sizes[i]`` bytes
    (:func:`commondx_get_code_ltoir_sizes`). Buffers are checked against those sizes.
    """
    code = _integer(code, "code")
    if is_int(out):
        size, pointers = _address_array(c_void_p, out, size, "out")
        _lib.function("commondxGetCodeLTOIRs")(code, size, pointers)
        return
    if isinstance(out, (str, bytes)):
        raise refused("out", out, "an address, or a sequence of addresses or buffers (not a single string)")
    items = list(out)
    size = _count(size, items, "out")
    needed = commondxGetCodeLTOIRSizes(code, size) if any(not is_int(b) for b in items) else []
    addresses = []
    keep = []
    for i, item in enumerate(items):
        if is_int(item):
            addresses.append(int(item) or None)
            continue
        _, pointer = _out_bytes(item, needed[i], f"out[{i}]")
        keep.append(pointer)
        addresses.append(pointer.value)
    pointers = (c_void_p * size)(*addresses) if size else None
    _lib.function("commondxGetCodeLTOIRs")(code, size, pointers)


# cuBLASDx descriptors
cublasdx_create_descriptor = cublasdxCreateDescriptor
cublasdx_set_option_str = cublasdxSetOptionStr
cublasdx_set_operator_int64 = cublasdxSetOperatorInt64
cublasdx_set_operator_int64s = cublasdxSetOperatorInt64s
cublasdx_get_ltoir_size = cublasdxGetLTOIRSize
cublasdx_get_universal_fatbin_size = cublasdxGetUniversalFATBINSize
cublasdx_get_trait_str_size = cublasdxGetTraitStrSize
cublasdx_get_trait_int64 = cublasdxGetTraitInt64
cublasdx_operator_type_to_str = cublasdxOperatorTypeToStr
cublasdx_trait_type_to_str = cublasdxTraitTypeToStr
cublasdx_finalize_code = cublasdxFinalizeCode
cublasdx_finalize_codes = cublasdxFinalizeCodes
cublasdx_destroy_descriptor = cublasdxDestroyDescriptor

# cuBLASDx tensors, pipelines and device functions
cublasdx_create_tensor = cublasdxCreateTensor
cublasdx_create_tensor_strided = cublasdxCreateTensorStrided
cublasdx_make_tensor_like = cublasdxMakeTensorLike
cublasdx_destroy_tensor = cublasdxDestroyTensor
cublasdx_destroy_pipeline = cublasdxDestroyPipeline
cublasdx_create_device_pipeline = cublasdxCreateDevicePipeline
cublasdx_create_tile_pipeline = cublasdxCreateTilePipeline
cublasdx_set_tensor_option_int64 = cublasdxSetTensorOptionInt64
cublasdx_finalize_tensors = cublasdxFinalizeTensors
cublasdx_finalize_pipelines = cublasdxFinalizePipelines
cublasdx_finalize = cublasdxFinalize
cublasdx_get_tensor_trait_int64 = cublasdxGetTensorTraitInt64
cublasdx_get_pipeline_trait_int64 = cublasdxGetPipelineTraitInt64
cublasdx_get_tensor_trait_str_size = cublasdxGetTensorTraitStrSize
cublasdx_get_pipeline_trait_str_size = cublasdxGetPipelineTraitStrSize
cublasdx_create_device_function = cublasdxCreateDeviceFunction
cublasdx_destroy_device_function = cublasdxDestroyDeviceFunction
cublasdx_create_device_function_with_pipelines = cublasdxCreateDeviceFunctionWithPipelines
cublasdx_finalize_device_functions = cublasdxFinalizeDeviceFunctions
cublasdx_get_device_function_trait_str_size = cublasdxGetDeviceFunctionTraitStrSize


def cublasdx_get_ltoir(handle: int, size: int, lto) -> None:
    """``cublasdxGetLTOIR``: fill ``lto`` (``size`` bytes) with the descriptor's LTO-IR."""
    _fill_bytes("cublasdxGetLTOIR", (_integer(handle, "handle"),), size, lto, "lto")


def cublasdx_get_universal_fatbin(handle: int, fatbin_size: int, fatbin) -> None:
    """``cublasdxGetUniversalFATBIN``: fill ``fatbin`` (``fatbin_size`` bytes)."""
    _fill_bytes("cublasdxGetUniversalFATBIN", (_integer(handle, "handle"),), fatbin_size, fatbin, "fatbin")


def cublasdx_get_trait_str(handle: int, trait: int, size: int, value) -> None:
    """``cublasdxGetTraitStr``: fill ``value`` (``size`` bytes, the NUL included) with a
    C-string trait; ``size`` from :func:`cublasdx_get_trait_str_size`."""
    _fill_bytes("cublasdxGetTraitStr", (_integer(handle, "handle"), trait), size, value, "value")


def cublasdx_get_trait_int64s(handle: int, trait: int, count: int, array) -> None:
    """``cublasdxGetTraitInt64s``: fill ``array`` with an array trait's ``count`` values."""
    _fill_int64s("cublasdxGetTraitInt64s", handle, trait, count, array)


def cublasdx_get_tensor_trait_str(tensor: int, trait: int, size: int, value) -> None:
    """``cublasdxGetTensorTraitStr``: fill ``value`` with a C-string tensor trait."""
    _fill_bytes("cublasdxGetTensorTraitStr", (_integer(tensor, "tensor"), trait), size, value, "value")


def cublasdx_get_pipeline_trait_str(pipeline: int, trait: int, size: int, value) -> None:
    """``cublasdxGetPipelineTraitStr``: fill ``value`` with a C-string pipeline trait."""
    _fill_bytes("cublasdxGetPipelineTraitStr", (_integer(pipeline, "pipeline"), trait), size, value, "value")


def cublasdx_get_pipeline_trait_int64s(pipeline: int, trait: int, count: int, array) -> None:
    """``cublasdxGetPipelineTraitInt64s``: fill ``array`` with a pipeline trait's ``count``
    values (``BLOCK_DIM``: 3)."""
    _fill_int64s("cublasdxGetPipelineTraitInt64s", pipeline, trait, count, array)


def cublasdx_get_device_function_trait_str(device_function: int, trait: int, size: int, value) -> None:
    """``cublasdxGetDeviceFunctionTraitStr``: fill ``value`` with a C-string trait of a device
    function (``SYMBOL``)."""
    leading = (_integer(device_function, "device_function"), trait)
    _fill_bytes("cublasdxGetDeviceFunctionTraitStr", leading, size, value, "value")


# cuFFTDx
cufftdx_create_descriptor = cufftdxCreateDescriptor
cufftdx_set_option_str = cufftdxSetOptionStr
cufftdx_get_knob_int64size = cufftdxGetKnobInt64Size
cufftdx_set_operator_int64 = cufftdxSetOperatorInt64
cufftdx_set_operator_int64s = cufftdxSetOperatorInt64s
cufftdx_get_ltoir_size = cufftdxGetLTOIRSize
cufftdx_get_trait_str_size = cufftdxGetTraitStrSize
cufftdx_get_trait_int64 = cufftdxGetTraitInt64
cufftdx_get_trait_commondx_data_type = cufftdxGetTraitCommondxDataType
cufftdx_finalize_code = cufftdxFinalizeCode
cufftdx_finalize_codes = cufftdxFinalizeCodes
cufftdx_destroy_descriptor = cufftdxDestroyDescriptor
cufftdx_operator_type_to_str = cufftdxOperatorTypeToStr
cufftdx_trait_type_to_str = cufftdxTraitTypeToStr


def cufftdx_get_knob_int64s(handle: int, num_knobs: int, knobs_ptr, size: int, values) -> None:
    """``cufftdxGetKnobInt64s``: fill ``values`` with ``size`` knob values, set after set
    (``size`` from :func:`cufftdx_get_knob_int64size`)."""
    num_knobs, knobs = _int_array(knobs_ptr, num_knobs, "knobs_ptr")
    size, pointer, finish = _out_array(c_longlong, values, size, "values")
    _lib.function("cufftdxGetKnobInt64s")(_integer(handle, "handle"), num_knobs, knobs, size, pointer)
    finish()


def cufftdx_get_ltoir(handle: int, size: int, lto) -> None:
    """``cufftdxGetLTOIR``: fill ``lto`` (``size`` bytes) with the descriptor's LTO-IR."""
    _fill_bytes("cufftdxGetLTOIR", (_integer(handle, "handle"),), size, lto, "lto")


def cufftdx_get_trait_str(handle: int, trait: int, size: int, value) -> None:
    """``cufftdxGetTraitStr``: fill ``value`` (``size`` bytes, the NUL included) with a
    C-string trait; ``size`` from :func:`cufftdx_get_trait_str_size`."""
    _fill_bytes("cufftdxGetTraitStr", (_integer(handle, "handle"), trait), size, value, "value")


def cufftdx_get_trait_int64s(handle: int, trait: int, count: int, array) -> None:
    """``cufftdxGetTraitInt64s``: fill ``array`` with an array trait's ``count`` values."""
    _fill_int64s("cufftdxGetTraitInt64s", handle, trait, count, array)


# cuSOLVERDx
cusolverdx_create_descriptor = cusolverdxCreateDescriptor
cusolverdx_set_option_str = cusolverdxSetOptionStr
cusolverdx_set_operator_int64 = cusolverdxSetOperatorInt64
cusolverdx_set_operator_int64s = cusolverdxSetOperatorInt64s
cusolverdx_get_ltoir_size = cusolverdxGetLTOIRSize
cusolverdx_get_universal_fatbin_size = cusolverdxGetUniversalFATBINSize
cusolverdx_get_trait_str_size = cusolverdxGetTraitStrSize
cusolverdx_get_trait_int64 = cusolverdxGetTraitInt64
cusolverdx_finalize_code = cusolverdxFinalizeCode
cusolverdx_finalize_codes = cusolverdxFinalizeCodes
cusolverdx_destroy_descriptor = cusolverdxDestroyDescriptor
cusolverdx_operator_type_to_str = cusolverdxOperatorTypeToStr
cusolverdx_trait_type_to_str = cusolverdxTraitTypeToStr


def cusolverdx_get_ltoir(handle: int, size: int, lto) -> None:
    """``cusolverdxGetLTOIR``: fill ``lto`` (``size`` bytes) with the descriptor's LTO-IR."""
    _fill_bytes("cusolverdxGetLTOIR", (_integer(handle, "handle"),), size, lto, "lto")


def cusolverdx_get_universal_fatbin(handle: int, fatbin_size: int, fatbin) -> None:
    """``cusolverdxGetUniversalFATBIN``: fill ``fatbin`` (``fatbin_size`` bytes) with the
    fatbin cuSOLVERDx code links with."""
    _fill_bytes("cusolverdxGetUniversalFATBIN", (_integer(handle, "handle"),), fatbin_size, fatbin, "fatbin")


def cusolverdx_get_trait_str(handle: int, trait: int, size: int, value) -> None:
    """``cusolverdxGetTraitStr``: fill ``value`` (``size`` bytes, the NUL included) with a
    C-string trait."""
    _fill_bytes("cusolverdxGetTraitStr", (_integer(handle, "handle"), trait), size, value, "value")


def cusolverdx_get_trait_int64s(handle: int, trait: int, count: int, values) -> None:
    """``cusolverdxGetTraitInt64s``: fill ``values`` with an array trait's ``count`` values."""
    _fill_int64s("cusolverdxGetTraitInt64s", handle, trait, count, values)


# cuRANDDx
curanddx_create_descriptor = curanddxCreateDescriptor
curanddx_set_option_str = curanddxSetOptionStr
curanddx_set_operator_int64 = curanddxSetOperatorInt64
curanddx_get_trait_str_size = curanddxGetTraitStrSize
curanddx_get_trait_int64 = curanddxGetTraitInt64
curanddx_finalize_code = curanddxFinalizeCode
curanddx_finalize_codes = curanddxFinalizeCodes
curanddx_destroy_descriptor = curanddxDestroyDescriptor
curanddx_operator_type_to_str = curanddxOperatorTypeToStr
curanddx_distribution_to_str = curanddxDistributionToStr
curanddx_generator_to_str = curanddxGeneratorToStr
curanddx_generate_method_to_str = curanddxGenerateMethodToStr
curanddx_normal_method_to_str = curanddxNormalMethodToStr
curanddx_trait_type_to_str = curanddxTraitTypeToStr


def curanddx_get_trait_str(handle: int, trait: int, size: int, value) -> None:
    """``curanddxGetTraitStr``: fill ``value`` (``size`` bytes, the NUL included) with a
    C-string trait (a generated function's symbol)."""
    _fill_bytes("curanddxGetTraitStr", (_integer(handle, "handle"), trait), size, value, "value")


def curanddx_set_operator_doubles(handle: int, op: int, count: int, values) -> None:
    """``curanddxSetOperatorDoubles``: removed in libmathdx 0.3.2; always raises.

    Raises
    ------
    FunctionNotFoundError
        libmathdx 0.4 has no such function: distribution parameters are arguments of the
        generated functions.
    """
    version = _version_text()
    raise FunctionNotFoundError(
        f"curanddxSetOperatorDoubles is not in libmathdx {version} (removed in 0.3.2): "
        "pass the distribution parameters to the generated functions instead",
        function="curanddxSetOperatorDoubles",
        library_version=version,
    )
