"""nvmath: NVIDIA math libraries from Python, with user Python code fused into them.

Importing :mod:`nvmath` is cheap: it loads neither Numba, CuPy nor PyTorch. The subpackages
(:mod:`nvmath.fft`, :mod:`nvmath.jit`, :mod:`nvmath.cache`, ...) are imported on first
attribute access, and their heavy dependencies only when a function needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = frozenset({"bindings", "cache", "device", "fft", "jit", "linalg", "memory"})

# Top-level names of nvmath-python's API, each from the module that defines it (loaded on first use).
_NAMES = {
    "BaseCUDAMemoryManager": "memory",
    "BaseCUDAMemoryManagerAsync": "memory",
    "MemoryPointer": "memory",
    "CudaDataType": "_internal.cuda_types",
    "ComputeType": "_internal.cuda_types",
    "LibraryPropertyType": "_internal.cuda_types",
}

__all__ = ["__version__", *sorted(_SUBPACKAGES), *sorted(_NAMES)]


def __getattr__(name: str):
    # Lazy subpackages and names keep `import nvmath` light.
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nvmath' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBPACKAGES | set(_NAMES))
