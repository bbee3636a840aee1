"""Matrix multiplication with fused epilogs (cuBLASLt on the GPU, NumPy on the CPU).

- :func:`matmul`: one call.
- :class:`Matmul`: plan (and autotune) once, execute many times; :class:`Algorithm` to inspect
  and tune the planned algorithms by hand.
"""

from ._algorithm import Algorithm
from ._options import (
    EPILOG_INPUTS,
    EPILOG_OUTPUTS,
    AlgorithmCapabilities,
    MatmulComputeType,
    MatmulEpilog,
    MatmulEpilogPreferences,
    MatmulInnerShape,
    MatmulNumericalImplFlags,
    MatmulOptions,
    MatmulPlanPreferences,
    MatmulQuantizationScales,
    MatmulReductionScheme,
    matrix_qualifiers_dtype,
)
from .matmul import Matmul, matmul

__all__ = [
    "matmul",
    "Matmul",
    "Algorithm",
    "AlgorithmCapabilities",
    "MatmulOptions",
    "MatmulPlanPreferences",
    "MatmulEpilogPreferences",
    "MatmulQuantizationScales",
    "MatmulEpilog",
    "MatmulComputeType",
    "MatmulInnerShape",
    "MatmulNumericalImplFlags",
    "MatmulReductionScheme",
    "matrix_qualifiers_dtype",
    "EPILOG_INPUTS",
    "EPILOG_OUTPUTS",
]


def __getattr__(name):
    # ``nvmath.linalg.advanced.helpers`` (narrow-precision helpers) loads on first use: it needs PyTorch.
    if name == "helpers":
        import importlib

        return importlib.import_module(f"{__name__}.helpers")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
