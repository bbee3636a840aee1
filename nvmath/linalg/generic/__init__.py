"""Generic matrix multiplication: ``alpha * op(a) @ op(b) + beta * c`` with structured operands.

Each operand may be general, diagonal, symmetric, Hermitian or triangular (and conjugated), as its
qualifier (:data:`matrix_qualifiers_dtype`, made by the ``*MatrixQualifier.create()`` methods)
says. cuBLAS ``gemm``/``symm``/``hemm``/``trmm``/``dgmm`` on the GPU; NumPy on the CPU.

- :func:`matmul`: one call.
- :class:`Matmul`: plan once, execute many times.
"""

from nvmath.bindings.cublas import ComputeType

from ._qualifiers import (
    DiagonalMatrixQualifier,
    GeneralMatrixQualifier,
    HermitianMatrixQualifier,
    MatrixQualifier,
    SymmetricMatrixQualifier,
    TriangularMatrixQualifier,
    matrix_qualifiers_dtype,
)
from .matmulmod import (
    DiagType,
    ExecutionCPU,
    ExecutionCUDA,
    FillMode,
    InvalidMatmulState,
    Matmul,
    MatmulOptions,
    SideMode,
    matmul,
)

__all__ = [
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
