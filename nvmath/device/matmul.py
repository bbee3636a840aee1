"""This project's older module name for cuBLASDx block GEMMs: the same objects as
:mod:`nvmath.device.cublasdx`."""

from .cublasdx import Matmul, max_shared_memory_per_block

__all__ = ["Matmul", "max_shared_memory_per_block"]
