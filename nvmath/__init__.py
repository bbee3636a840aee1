"""nvmath: NVIDIA math libraries from Python, with user Python code fused into them.

Importing :mod:`nvmath` is cheap: it loads neither Numba, CuPy nor PyTorch. The subpackages
(:mod:`nvmath.fft`, :mod:`nvmath.jit`, :mod:`nvmath.cache`, ...) are imported on first
attribute access, and their heavy dependencies only when a function needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = frozenset({"bindings", "cache", "device", "fft", "jit", "linalg", "memory"})

__all__ = ["__version__", *sorted(_SUBPACKAGES)]


def __getattr__(name: str):
    # Lazy subpackages keep `import nvmath` light.
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nvmath' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBPACKAGES)
