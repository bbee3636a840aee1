"""Helpers for :mod:`nvmath.linalg.advanced`: :mod:`~nvmath.linalg.advanced.helpers.matmul`
(block scales for MXFP8 and NVFP4 matmuls, FP4 packing). Importing them loads no PyTorch."""

from . import matmul

__all__ = ["matmul"]
