"""nvmath-python's ``nvmath.device.cublasdx_numba``: the Numba typing of :class:`Matmul`
objects (importing this module imports Numba)."""

from ._cublasdx_numba import MatmulType

__all__ = ["MatmulType"]
