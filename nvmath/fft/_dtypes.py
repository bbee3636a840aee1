"""The element types FFTs take, in one table: precisions, their complex/real twins, cuFFT's codes.

Nothing here imports a GPU library: the ``cudaDataType`` codes are written out (they are part
of CUDA's ABI) so that plan keys can be made on machines without CUDA.
"""

from __future__ import annotations

__all__ = [
    "COMPLEX_TO_REAL",
    "REAL_TO_COMPLEX",
    "HALF",
    "CPU_DTYPES",
    "CUDA_DATA_TYPE",
    "CUDA_DATA_TYPE_NAME",
    "is_power_of_two",
]

#: complex dtype -> the real dtype of the same precision (C2R results, R2C operands).
COMPLEX_TO_REAL = {"complex32": "float16", "complex64": "float32", "complex128": "float64"}

#: real dtype -> the complex dtype of the same precision.
REAL_TO_COMPLEX = {real: cplx for cplx, real in COMPLEX_TO_REAL.items()}

#: Half precision: cuFFT only (powers-of-two lengths, no callbacks); PyTorch alone has complex32.
HALF = frozenset({"float16", "complex32"})

#: What the CPU execution space (scipy.fft) transforms.
CPU_DTYPES = ("float32", "float64", "complex64", "complex128")

#: dtype name -> ``cudaDataType`` (CUDA_R_16F = 2, CUDA_C_16F = 6, CUDA_R_32F = 0, ...).
CUDA_DATA_TYPE = {
    "float16": 2,
    "complex32": 6,
    "float32": 0,
    "complex64": 4,
    "float64": 1,
    "complex128": 5,
}

#: ``cudaDataType`` -> dtype name (for messages).
CUDA_DATA_TYPE_NAME = {code: name for name, code in CUDA_DATA_TYPE.items()}


def is_power_of_two(n: int) -> bool:
    """Whether ``n`` is 1, 2, 4, 8, ... (the lengths cuFFT transforms in half precision)."""
    return n >= 1 and n & (n - 1) == 0
