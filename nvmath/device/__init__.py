"""Device APIs: functions for ``numba.cuda.jit`` kernels, and kernels warm in every process.

- :func:`jit`: ``numba.cuda.jit`` whose linked cubins persist in :mod:`nvmath.cache`.
- :func:`extern_function`: call an LTO-IR device function (from NVRTC, libmathdx, ...) from a
  kernel with its exact C prototype; the LTO-IR is linked automatically.

Importing this package does not import Numba.
"""

from ._extern import ExternFunction, extern_function
from .kernel_cache import KernelCache, jit

__all__ = ["jit", "extern_function", "ExternFunction", "KernelCache"]
