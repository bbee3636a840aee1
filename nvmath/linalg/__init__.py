"""Linear algebra: :mod:`nvmath.linalg.advanced` (cuBLASLt matrix multiplication with epilogs)."""

from . import advanced

__all__ = ["advanced"]
