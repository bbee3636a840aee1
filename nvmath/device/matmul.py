"""This project's older module name for cuBLASDx block GEMMs: the same objects as
:mod:`nvmath.device.cublasdx`.

The module is also callable, as nvmath-python's deprecated ``nvmath.device.matmul(**kwargs)``
function is (``nvmath.device.matmul`` names this module here, the function there: a package
attribute cannot be both, and importing the module would replace the function).
"""

from __future__ import annotations

import sys
import types as _pytypes

from .cublasdx import Matmul, max_shared_memory_per_block
from .cublasdx import matmul as _matmul_function

__all__ = ["Matmul", "max_shared_memory_per_block"]


class _CallableModule(_pytypes.ModuleType):
    def __call__(self, *args, **kwargs):
        """``nvmath.device.matmul(size=..., precision=..., ...)``: a :class:`Matmul` (deprecated)."""
        return _matmul_function(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
