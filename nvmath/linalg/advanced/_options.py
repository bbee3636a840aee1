"""Options, preferences, epilogs and qualifiers of matrix multiplication."""

from __future__ import annotations

import dataclasses
import enum
import logging
import numbers
import re

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
    "MatmulEpilogPreferences",
    "MatmulQuantizationScales",
    "MatmulReductionScheme",
    "MatmulInnerShape",
    "MatmulNumericalImplFlags",
    "AlgorithmCapabilities",
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
    DEFAULT        ``D`` as it is: no epilog (as ``epilog=None``)
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

    DEFAULT = 1
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
    """Options of a matrix multiplication (nvmath-python's fields, names and defaults).

    Attributes
    ----------
    inplace : bool
        Write the result into ``c`` (``c := alpha * a @ b + beta * c``) and return ``c`` itself.
        ``c`` is required, must have the result's full shape (no broadcast along the batch or
        the columns) and gives the result its dtype (``result_type`` is then ignored, with a
        warning). Default False.
    compute_type : int or str, optional
        cuBLASLt compute type (``MatmulComputeType``, its value or its name, e.g.
        ``"COMPUTE_32F_FAST_TF32"``); default chosen from the operand types. The CPU computes
        in the operands' precision whatever it is (it is still checked).
    scale_type : int or str, optional
        The type of ``alpha`` and ``beta``: ``nvmath.CudaDataType`` ``CUDA_R_16F``,
        ``CUDA_R_32F``, ``CUDA_R_64F``, ``CUDA_C_32F`` or ``CUDA_C_64F`` (or the same values of
        ``nvmath.bindings.cublasLt.DataType``, or their names); default the one that goes with
        the compute type.
    result_type : nvmath.CudaDataType, str or dtype, optional
        The result's type: an ``nvmath.CudaDataType`` (``CUDA_R_8F_E4M3``...), or a dtype
        (``"float8_e4m3fn"``, ``torch.float16``...). Default: the type of ``c`` when given,
        else the operands' own type; FP8 operands therefore give an FP8 result (of ``a``'s
        format), which needs ``quantization_scales["d"]``. Other result types are for FP8
        operands only (cuBLASLt's FP8 table: bf16, fp16, fp32 or FP8 results).
    result_amax : bool
        Also return ``aux["result_amax"]``: a float32 scalar, the largest magnitude of the
        result before its ``d`` scale and its rounding to FP8 (what the next ``d`` scale is
        computed from). FP8 results only. Default False.
    block_scaling : bool
        Per-block (MXFP8) scales instead of per-tensor ones. Needs FP8 operands and a GPU of
        compute capability 10.0 or newer (Blackwell): refused elsewhere, at construction.
        Default False.
    sm_count_target : int
        The number of SMs cuBLASLt should plan for (0: all of them). Default 0.
    fast_accumulation : bool
        FP8 fast accumulation (cuBLASLt's ``FAST_ACCUM``: fewer promotions of partial sums to
        full fp32; faster, less accurate). Default False.
    device_id : int
        The GPU that runs a product of host operands with CUDA execution when ``execution``
        names none. Default 0.
    handle : int, optional
        A cuBLASLt handle (``cublasLtHandle_t``) to use; nvmath then never destroys it.
        Default: one made (and released) by each :class:`Matmul`.
    logger : logging.Logger, optional
        Default the ``nvmath.linalg.advanced`` module logger.
    memory_limit : int, float or str
        The most workspace memory cuBLASLt may use: bytes (an int, or a float above 1), a
        fraction of the device memory (a float in [0, 1]), a string with a unit (``"50 MB"``,
        ``"0.5 GiB"``: B, kB, MB, GB are powers of 1000, kiB, MiB, GiB of 1024) or a percentage
        (``"80%"``, the default).
    blocking : True or "auto"
        ``"auto"`` (default): return at once for device operands; True: wait for the result.
    allocator : nvmath.memory.BaseCUDAMemoryManager or BaseCUDAMemoryManagerAsync, optional
        Where results and workspace come from; default the operands' package's pool.
    """

    inplace: bool = False
    compute_type: object = None
    scale_type: object = None
    result_type: object = None
    result_amax: bool = False
    block_scaling: bool = False
    sm_count_target: int | None = 0
    fast_accumulation: bool | None = False
    device_id: int | None = 0
    handle: int | None = None
    logger: logging.Logger | None = None
    memory_limit: object = "80%"
    blocking: object = "auto"
    allocator: object = None

    def __post_init__(self):
        # Checked here, whether the matmul runs on the GPU or the CPU (which ignores the cuBLASLt
        # types but must not accept what the GPU would refuse).
        self.inplace = check_bool(self.inplace, "inplace")
        if self.compute_type is not None:
            self.compute_type = check_enum(self.compute_type, lt.ComputeType, "compute_type")
        if self.scale_type is not None:
            self.scale_type = check_enum(self.scale_type, lt.DataType, "scale_type", members=SCALE_TYPES)
        if self.result_type is not None:
            self.result_type = result_dtype_name(self.result_type, "result_type")
        self.result_amax = check_bool(self.result_amax, "result_amax")
        self.block_scaling = check_bool(self.block_scaling, "block_scaling")
        self.sm_count_target = as_int_at_least(
            0 if self.sm_count_target is None else self.sm_count_target,
            0,
            "sm_count_target",
            "a non-negative int (0: all SMs)",
        )
        self.fast_accumulation = check_bool(
            False if self.fast_accumulation is None else self.fast_accumulation, "fast_accumulation"
        )
        self.device_id = as_int_at_least(
            0 if self.device_id is None else self.device_id, 0, "device_id", "a GPU ordinal"
        )
        if self.handle is not None:
            self.handle = as_int_at_least(self.handle, 1, "handle", "a cublasLtHandle_t (a non-zero int) or None")
        check_logger(self.logger)
        check_blocking(self.blocking)
        check_allocator(self.allocator)
        self.memory_limit = check_memory_limit("80%" if self.memory_limit is None else self.memory_limit)


_MEMORY_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}
_MEMORY_RE = re.compile(
    r"^\s*(?P<value>[+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(?:(?P<pct>%)|(?P<unit>[kmg]i?)?b)\s*$", re.I
)
_MEMORY_ACCEPTED = (
    "a number of bytes (an int, or a float above 1), a fraction of the device memory (a float in [0, 1]), "
    "a size with a unit such as '50 MB' or '0.5 GiB', or a percentage such as '80%'"
)


def check_memory_limit(limit):
    """``limit`` if it is a valid ``memory_limit`` (an int or float is returned as is, a string
    stripped), else :class:`ValueError` naming the forms accepted."""
    if isinstance(limit, numbers.Real) and not isinstance(limit, (bool, np.bool_)):
        if limit >= 0 and limit == limit and limit != float("inf"):
            return int(limit) if isinstance(limit, numbers.Integral) else float(limit)
    elif isinstance(limit, str):
        found = _MEMORY_RE.match(limit)
        if found and (not found.group("pct") or 0 <= float(found.group("value")) <= 100):
            return limit.strip()
    raise ValueError(f"memory_limit={limit!r} is not supported; accepted: {_MEMORY_ACCEPTED}")


def memory_limit_bytes(limit, total: int) -> int:
    """A checked ``memory_limit`` in bytes, for a device of ``total`` bytes."""
    if isinstance(limit, str):
        found = _MEMORY_RE.match(limit)
        value = float(found.group("value"))
        if found.group("pct"):
            return int(total * value / 100)
        return int(value * _MEMORY_UNITS[(found.group("unit") or "").lower()])
    if isinstance(limit, float) and limit <= 1:
        return int(total * limit)
    return int(limit)


#: ``cudaDataType`` value -> dtype name, for the result types given as ``nvmath.CudaDataType``.
_CUDA_DATA_TYPE_NAMES = {
    lt.DataType.R_16F: "float16",
    lt.DataType.R_16BF: "bfloat16",
    lt.DataType.R_32F: "float32",
    lt.DataType.R_64F: "float64",
    lt.DataType.C_32F: "complex64",
    lt.DataType.C_64F: "complex128",
    lt.DataType.R_8F_E4M3: "float8_e4m3fn",
    lt.DataType.R_8F_E5M2: "float8_e5m2",
    lt.DataType.R_8U: "uint8",
}


def result_dtype_name(value, name):
    """A result or auxiliary type given as a ``cudaDataType`` (an ``nvmath.CudaDataType`` or
    ``cublasLt.DataType`` member, or its int value) or as a dtype: the dtype's NumPy name."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        found = _CUDA_DATA_TYPE_NAMES.get(int(value))
        if found is None and int(value) == 33:  # CUDA_R_4F_E2M1
            raise ValueError(
                f"{name}={value!r} (CUDA_R_4F_E2M1, NVFP4) needs block scaling on a GPU of compute capability 10.0 "
                "or newer (Blackwell), which is not implemented here yet"
            )
        if found is None:
            listed = ", ".join(f"{lt.DataType(v).name} ({int(v)})" for v in _CUDA_DATA_TYPE_NAMES)
            raise ValueError(f"{name}={value!r} is not supported; accepted: a dtype, or a cudaDataType among {listed}")
        return found
    from nvmath._internal.tensor import dtype_name

    return dtype_name(value, name)


@dataclasses.dataclass
class MatmulEpilogPreferences:
    """Preferences about an epilog's auxiliary output (``MatmulPlanPreferences.epilog``).

    Attributes
    ----------
    aux_type : nvmath.CudaDataType, str or dtype, optional
        The type of a ``GELU_AUX``/``GELU_AUX_BIAS`` auxiliary output: default the result's
        type (``c``'s for an FP8 result). An FP8 type (``CUDA_R_8F_E4M3``, ``CUDA_R_8F_E5M2``)
        is for FP8 operands, and needs the epilog input ``"aux_quantization_scale"`` (the
        scale the auxiliary output is multiplied by before its rounding to FP8).
    aux_amax : bool
        Also return ``aux["<name>_amax"]`` (e.g. ``"gelu_aux_amax"``), the largest magnitude of
        the auxiliary output before its scale: FP8 ``aux_type`` only. Default False.
    """

    aux_type: object = None
    aux_amax: bool = False

    def __post_init__(self):
        if self.aux_type is not None:
            self.aux_type = result_dtype_name(self.aux_type, "aux_type")
        self.aux_amax = check_bool(self.aux_amax, "aux_amax")


#: cuBLASLt's split-K reduction schemes (``MatmulPlanPreferences.reduction_scheme_mask``,
#: ``Algorithm.reduction_scheme``).
MatmulReductionScheme = lt.ReductionScheme
#: cuBLASLt's MMA inner shapes (``Algorithm.inner_shape``).
MatmulInnerShape = lt.MatmulInnerShape


class MatmulNumericalImplFlags(enum.IntFlag):
    """cuBLASLt's numerical implementation bits (``cublasLtNumericalImplFlags_t``), combined with
    ``|`` for ``MatmulPlanPreferences.numerical_impl_mask``: the kind of instructions
    (``OP_TYPE_*``), the accumulator type (``ACCUMULATOR_*``) and the input type
    (``INPUT_TYPE_*``) an algorithm may use."""

    OP_TYPE_FMA = 1
    OP_TYPE_TENSOR_HMMA = 2
    OP_TYPE_TENSOR_IMMA = 4
    OP_TYPE_TENSOR_DMMA = 8
    OP_TYPE_TENSOR_MASK = 0xFE
    OP_TYPE_MASK = 0xFF
    ACCUMULATOR_16F = 1 << 8
    ACCUMULATOR_32F = 2 << 8
    ACCUMULATOR_64F = 4 << 8
    ACCUMULATOR_32I = 8 << 8
    ACCUMULATOR_TYPE_MASK = 0xFF << 8
    INPUT_TYPE_16F = 1 << 16
    INPUT_TYPE_16BF = 2 << 16
    INPUT_TYPE_TF32 = 4 << 16
    INPUT_TYPE_32F = 8 << 16
    INPUT_TYPE_64F = 0x10 << 16
    INPUT_TYPE_8I = 0x20 << 16
    INPUT_TYPE_8F_E4M3 = 0x40 << 16
    INPUT_TYPE_8F_E5M2 = 0x80 << 16
    INPUT_TYPE_MASK = 0xFF << 16
    GAUSSIAN = 1 << 32
    ALL = (1 << 64) - 1


@dataclasses.dataclass
class MatmulPlanPreferences:
    """What the algorithm search may return (cuBLASLt matmul preferences).

    Attributes
    ----------
    reduction_scheme_mask : int, optional
        Allowed split-K reduction schemes (:class:`MatmulReductionScheme` bits); default
        ``MatmulReductionScheme.MASK``, all of them (None: cuBLASLt's default, the same).
    max_waves_count : float
        Skip algorithms whose waves count is larger; 0 for no limit.
    numerical_impl_mask : int, optional
        Allowed numerical implementations (:class:`MatmulNumericalImplFlags` bits); default
        ``MatmulNumericalImplFlags.ALL`` (None: cuBLASLt's default, the same).
    limit : int
        The most algorithms :meth:`Matmul.plan` returns (and :meth:`Matmul.autotune` times).
    epilog : MatmulEpilogPreferences or dict, optional
        The type of an epilog's auxiliary output, and its amax.
    """

    reduction_scheme_mask: int | None = MatmulReductionScheme.MASK
    max_waves_count: float | None = 0.0
    numerical_impl_mask: int | None = MatmulNumericalImplFlags.ALL
    limit: int = 8
    epilog: object = None

    def __post_init__(self):
        self.limit = as_int_at_least(8 if self.limit is None else self.limit, 1, "limit", "a positive int")
        for name in ("reduction_scheme_mask", "numerical_impl_mask"):
            value = getattr(self, name)
            if value is not None:
                checked = as_int_at_least(value, 0, name, "a non-negative int (a bit mask) or None")
                setattr(self, name, value if isinstance(value, enum.Enum) else checked)  # flags stay flags
        self.max_waves_count = check_number(
            0.0 if self.max_waves_count is None else self.max_waves_count,
            "max_waves_count",
            minimum=0,
            accepted="a real number >= 0 (0 for no limit)",
        )
        from nvmath._internal.options import check_options

        self.epilog = check_options(self.epilog, MatmulEpilogPreferences, "preferences.epilog")


@dataclasses.dataclass
class MatmulQuantizationScales:
    """The per-tensor scales of an FP8 matmul (``quantization_scales=``; a dict with the same
    keys works too): ``D = d * (alpha * (a * A) @ (b * B) + beta * C)``.

    Each is a real number, or a float32 array of one element (shape ``()`` or ``(1,)``) of the
    operands' package and device, read at every execution (so it may be updated in place).

    Attributes
    ----------
    a, b : number or array, optional
        Dequantization scales of the FP8 operands; 1 when left out.
    c : number or array, optional
        Not supported: ``c`` is never FP8 (bf16, fp16 or fp32), and is added unscaled.
    d : number or array, optional
        The quantization scale of an FP8 result (required for one, refused for others).
    """

    a: object = None
    b: object = None
    c: object = None
    d: object = None


def _capability_fields():
    return [(attr.name.lower(), object, dataclasses.field(default=None)) for attr in lt.MatmulAlgoCapAttribute]


AlgorithmCapabilities = dataclasses.make_dataclass(
    "AlgorithmCapabilities", _capability_fields(), namespace={"__module__": __name__}
)
AlgorithmCapabilities.__doc__ = """What a cuBLASLt algorithm supports (``Algorithm.capabilities``): one field per
``cublasLt.MatmulAlgoCapAttribute``, lower-cased (``splitk_support``, ``reduction_scheme_mask``,
``cta_swizzling_support``, ``tile_ids``, ``stages_ids``, ``custom_option_max``, ``epilogue_mask``...);
None where this cuBLASLt does not report it. ``tile_ids`` and ``stages_ids`` are tuples of shapes
as ``Algorithm.tile`` and ``Algorithm.stages`` take them (``(128, 64)``, ``(64, "AUTO")``)."""


def _capabilities_str(self):
    names = [f.name for f in dataclasses.fields(self)]
    width = max(map(len, names))
    lines = ["Algorithm capabilities (see cublasLt.MatmulAlgoCapAttribute):"]
    lines += [f"    {n:<{width}} = {getattr(self, n)}" for n in names]
    return "\n".join(lines) + "\n"


AlgorithmCapabilities.__str__ = _capabilities_str
