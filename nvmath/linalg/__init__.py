"""Linear algebra.

- The generic API (this package's own names, from :mod:`nvmath.linalg.generic`):
  :func:`matmul` / :class:`Matmul` for ``alpha * op(a) @ op(b) + beta * c`` with general,
  diagonal, symmetric, Hermitian or triangular operands (cuBLAS on the GPU, NumPy on the CPU).
- :mod:`nvmath.linalg.advanced`: cuBLASLt matrix multiplication with fused epilogs.

Importing it loads neither CuPy nor PyTorch, and no CUDA library.
"""

from . import advanced, generic
from .generic import (
    ComputeType,
    DiagonalMatrixQualifier,
    DiagType,
    ExecutionCPU,
    ExecutionCUDA,
    FillMode,
    GeneralMatrixQualifier,
    HermitianMatrixQualifier,
    InvalidMatmulState,
    Matmul,
    MatmulOptions,
    MatrixQualifier,
    SideMode,
    SymmetricMatrixQualifier,
    TriangularMatrixQualifier,
    matmul,
    matrix_qualifiers_dtype,
)

__all__ = [
    "advanced",
    "generic",
    "ComputeType",
    "DiagonalMatrixQualifier",
    "DiagType",
    "ExecutionCPU",
    "ExecutionCUDA",
    "FillMode",
    "GeneralMatrixQualifier",
    "HermitianMatrixQualifier",
    "InvalidMatmulState",
    "matmul",
    "Matmul",
    "MatmulOptions",
    "MatrixQualifier",
    "matrix_qualifiers_dtype",
    "SideMode",
    "SymmetricMatrixQualifier",
    "TriangularMatrixQualifier",
]
