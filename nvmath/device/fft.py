"""This project's older module name for :mod:`nvmath.device.cufftdx`: the same objects.

The module is also callable, as nvmath-python's deprecated ``nvmath.device.fft(**kwargs)``
function is (``nvmath.device.fft`` names this module here, the function there).
"""

from __future__ import annotations

import sys
import types as _pytypes

from .cufftdx import FFT, compile_fft_execute
from .cufftdx import fft as _fft_function

__all__ = ["FFT", "compile_fft_execute"]


class _CallableModule(_pytypes.ModuleType):
    def __call__(self, *args, **kwargs):
        """``nvmath.device.fft(size=..., precision=..., ...)``: an :class:`FFT` (deprecated)."""
        return _fft_function(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
