"""Matrix multiplication with fused epilogs (cuBLASLt on the GPU, NumPy on the CPU).

- :func:`matmul`: one call.
- :class:`Matmul`: plan (and autotune) once, execute many times.
"""

from ._options import (
    EPILOG_INPUTS,
    EPILOG_OUTPUTS,
    MatmulComputeType,
    MatmulEpilog,
    MatmulOptions,
    MatmulPlanPreferences,
    matrix_qualifiers_dtype,
)
from .matmul import Matmul, matmul

__all__ = [
    "matmul",
    "Matmul",
    "MatmulOptions",
    "MatmulPlanPreferences",
    "MatmulEpilog",
    "MatmulComputeType",
    "matrix_qualifiers_dtype",
    "EPILOG_INPUTS",
    "EPILOG_OUTPUTS",
]
