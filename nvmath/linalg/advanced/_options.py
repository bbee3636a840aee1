"""Options, preferences, epilogs and qualifiers of matrix multiplication."""

from __future__ import annotations

import dataclasses
import enum
import logging
import numbers

import numpy as np

from nvmath._internal.options import (
    check_allocator,
    check_blocking,
    check_bool,
    check_enum,
    check_logger,
    check_number,
)
from nvmath._internal.validate import as_int_at_least
from nvmath.bindings import cublasLt as lt

__all__ = [
    "MatmulOptions",
    "MatmulPlanPreferences",
    "MatmulEpilog",
    "MatmulComputeType",
    "matrix_qualifiers_dtype",
    "EPILOG_INPUTS",
    "EPILOG_OUTPUTS",
]


class MatmulEpilog(enum.IntEnum):
    """Epilogs fused into the matrix multiplication (cuBLASLt's ``cublasLtEpilogue_t`` values).

    ``D = alpha * op(A) @ op(B) + beta * C`` is computed first; then, with ``bias`` a vector of
    one value per row of D:

    ============== ==================================================================
    RELU           ``max(D, 0)``
    RELU_AUX       ``max(D, 0)``, and ``relu_aux``: the bit mask ``D > 0``
    BIAS           ``D + bias``
    RELU_BIAS      ``max(D + bias, 0)``
    RELU_AUX_BIAS  ``max(D + bias, 0)`` and ``relu_aux``
    GELU           ``gelu(D)`` (tanh approximation)
    GELU_AUX       ``gelu(D)`` and ``gelu_aux``: ``D`` before the GELU
    GELU_BIAS      ``gelu(D + bias)``
    GELU_AUX_BIAS  ``gelu(D + bias)`` and ``gelu_aux``
    DRELU          ``D * mask``, the mask given as input ``relu_aux``
    DRELU_BGRAD    as DRELU, and ``drelu_bgrad``: the row sums of the result
    DGELU          ``D * gelu'(gelu_aux)``, ``gelu_aux`` given as input
    DGELU_BGRAD    as DGELU, and ``dgelu_bgrad``: the row sums of the result
    BGRADA         ``D``, and ``bgrada``: the row sums of ``op(A)`` (one per row of D)
    BGRADB         ``D``, and ``bgradb``: the column sums of ``op(B)`` (one per column of D)
    ============== ==================================================================
    """

    RELU = 2
    RELU_AUX = 2 | 128
    BIAS = 4
    RELU_BIAS = 2 | 4
    RELU_AUX_BIAS = 2 | 4 | 128
    DRELU = 8 | 128
    DRELU_BGRAD = 8 | 16 | 128
    GELU = 32
    GELU_AUX = 32 | 128
    GELU_BIAS = 32 | 4
    GELU_AUX_BIAS = 32 | 4 | 128
    DGELU = 64 | 128
    DGELU_BGRAD = 64 | 16 | 128
    BGRADA = 256
    BGRADB = 512


_E = MatmulEpilog
#: Inputs each epilog needs (names of ``epilog_inputs``).
EPILOG_INPUTS = {
    _E.BIAS: ("bias",),
    _E.RELU_BIAS: ("bias",),
    _E.RELU_AUX_BIAS: ("bias",),
    _E.GELU_BIAS: ("bias",),
    _E.GELU_AUX_BIAS: ("bias",),
    _E.DRELU: ("relu_aux",),
    _E.DRELU_BGRAD: ("relu_aux",),
    _E.DGELU: ("gelu_aux",),
    _E.DGELU_BGRAD: ("gelu_aux",),
}
#: Auxiliary outputs each epilog returns (keys of the result's dict).
EPILOG_OUTPUTS = {
    _E.RELU_AUX: ("relu_aux",),
    _E.RELU_AUX_BIAS: ("relu_aux",),
    _E.GELU_AUX: ("gelu_aux",),
    _E.GELU_AUX_BIAS: ("gelu_aux",),
    _E.DRELU_BGRAD: ("drelu_bgrad",),
    _E.DGELU_BGRAD: ("dgelu_bgrad",),
    _E.BGRADA: ("bgrada",),
    _E.BGRADB: ("bgradb",),
}

#: cuBLAS's compute types (``cublasComputeType_t``), as ``MatmulOptions.compute_type`` takes them.
MatmulComputeType = lt.ComputeType

#: The types ``alpha`` and ``beta`` may have (``MatmulOptions.scale_type``), by the NumPy name of each.
SCALE_TYPES = {
    lt.DataType.R_16F: "float16",
    lt.DataType.R_32F: "float32",
    lt.DataType.R_64F: "float64",
    lt.DataType.C_32F: "complex64",
    lt.DataType.C_64F: "complex128",
}

#: One record per operand (a, b, c): ``is_conjugate`` asks for the conjugate of a complex operand.
matrix_qualifiers_dtype = np.dtype([("is_conjugate", np.bool_)])


@dataclasses.dataclass
class MatmulOptions:
    """Options of a matrix multiplication.

    Attributes
    ----------
    compute_type : int or str, optional
        cuBLASLt compute type (``nvmath.bindings.cublasLt.ComputeType``, its value or its name,
        e.g. ``"COMPUTE_32F_FAST_TF32"``); default chosen from the operand types. The CPU
        computes in the operands' precision whatever it is (it is still checked).
    scale_type : int or str, optional
        The type of ``alpha`` and ``beta``: ``cudaDataType`` ``R_16F``, ``R_32F``, ``R_64F``,
        ``C_32F`` or ``C_64F`` (``nvmath.bindings.cublasLt.DataType``, its value or its name);
        default the one that goes with the compute type.
    result_type : str or dtype, optional
        The result's dtype; default the operands'. FP8 operands follow cuBLASLt's FP8 table:
        ``"bfloat16"`` (the default), ``"float16"``, ``"float32"`` or ``"float8_e4m3fn"``, and
        also ``"float8_e5m2"`` when one operand is E5M2 (E5M2 x E5M2 is not supported). An FP8
        result needs ``quantization_scales["d"]``, and a ``c`` of dtype bf16 or fp16.
    logger : logging.Logger, optional
    blocking : True or "auto"
    allocator : nvmath.memory.BaseCUDAMemoryManager, optional
    memory_limit : int or str
        The most workspace memory to use: bytes, or a percentage of the device memory such as
        ``"80%"``.
    result_amax : bool
        FP8 operands only: also return ``aux["result_amax"]``, a float32 scalar: the largest
        magnitude of the result (what the next quantization scale is computed from). For an
        FP8 result it is taken before the ``d`` scale and the rounding to FP8, by cuBLASLt in
        the same kernel (``AMAX_D``); for other results it is one reduction more.
    """

    compute_type: object = None
    scale_type: object = None
    result_type: object = None
    logger: logging.Logger | None = None
    blocking: object = "auto"
    allocator: object = None
    memory_limit: object = "80%"
    result_amax: bool = False

    def __post_init__(self):
        # Checked here, whether the matmul runs on the GPU or the CPU (which ignores the cuBLASLt
        # types but must not accept what the GPU would refuse).
        if self.compute_type is not None:
            self.compute_type = check_enum(self.compute_type, lt.ComputeType, "compute_type")
        if self.scale_type is not None:
            self.scale_type = check_enum(self.scale_type, lt.DataType, "scale_type", members=SCALE_TYPES)
        if self.result_type is not None:
            self.result_type = _dtype_name(self.result_type, "result_type")
        check_logger(self.logger)
        check_blocking(self.blocking)
        check_allocator(self.allocator)
        limit = self.memory_limit
        ok = (isinstance(limit, numbers.Integral) and not isinstance(limit, (bool, np.bool_)) and limit >= 0) or (
            isinstance(limit, str) and limit.endswith("%") and _is_percentage(limit[:-1])
        )
        if not ok:
            raise ValueError(
                f"memory_limit={limit!r} is not supported; accepted: a number of bytes (int) or "
                "a percentage of the device memory such as '80%'"
            )
        self.memory_limit = limit if isinstance(limit, str) else int(limit)
        self.result_amax = check_bool(self.result_amax, "result_amax")


def _is_percentage(text):
    try:
        return 0 <= float(text) <= 100
    except ValueError:
        return False


def _dtype_name(value, name):
    from nvmath._internal.tensor import dtype_name

    return dtype_name(value, name)


@dataclasses.dataclass
class MatmulPlanPreferences:
    """What the algorithm search may return (cuBLASLt matmul preferences).

    Attributes
    ----------
    limit : int
        The most algorithms :meth:`Matmul.plan` returns (and :meth:`Matmul.autotune` times).
    reduction_scheme_mask : int, optional
        Allowed split-K reduction schemes (``cublasLtReductionScheme_t`` bits).
    max_waves_count : float
        Skip algorithms whose waves count is larger; 0 for no limit.
    numerical_impl_mask : int, optional
        Allowed numerical implementations (``cublasLtNumericalImplFlags_t`` bits).
    """

    limit: int = 8
    reduction_scheme_mask: int | None = None
    max_waves_count: float = 0.0
    numerical_impl_mask: int | None = None

    def __post_init__(self):
        self.limit = as_int_at_least(self.limit, 1, "limit", "a positive int")
        for name in ("reduction_scheme_mask", "numerical_impl_mask"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, as_int_at_least(value, 0, name, "a non-negative int (a bit mask) or None"))
        self.max_waves_count = check_number(
            self.max_waves_count, "max_waves_count", minimum=0, accepted="a real number >= 0 (0 for no limit)"
        )
