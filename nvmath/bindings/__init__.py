"""Thin 1:1 ``ctypes`` bindings of NVIDIA math libraries (cuFFT, cuBLAS, cuBLASLt, cuRAND, libmathdx).

Each submodule binds one C library with the library's own function names and argument order;
importing one loads nothing: the library is found with ``cuda.pathfinder`` on the first call.
"""

from __future__ import annotations

import importlib

_SUBMODULES = frozenset({"cufft", "cublas", "cublasLt", "curand", "mathdx"})

__all__ = sorted(_SUBMODULES)


def __getattr__(name: str):
    # Lazy submodules keep `import nvmath.bindings` free of any library lookup.
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
