"""Compile Python functions to LTO-IR with an exact C ABI, and link device code.

- :func:`compile_device_function`: a Python function → :class:`~nvmath.jit.ltoir.LTOIR`
  exporting a chosen symbol with a chosen C prototype (:class:`CSignature`).
- :func:`link`: LTO-IR, PTX, cubin and fatbin → cubin or PTX, with nvJitLink.
- :func:`compile_cpp`: CUDA C++ → LTO-IR, PTX or cubin, with NVRTC.
- :func:`compile_file`: ahead-of-time compilation of ``path/to/file.py:func`` (also
  ``python -m nvmath.jit compile``).

None of these needs a GPU when ``compute_capability`` is given. Importing this package does
not import Numba; compiling does.
"""

from .arch import (NoTargetError, Target, current_device_target, device_target, parse_target,
                   resolve_target)
from .cabi import CSignature, CType, ctype
from .compiler import CacheBypassWarning, compile_device_function
from .errors import CallbackSignatureError, CompileError
from .link import LinkError, link
from .nvrtc import NVRTCError, compile_cpp
from .typespec import Pointer, pointer
from . import ltoir

__all__ = [
    "compile_device_function", "link", "compile_cpp", "compile_file", "pointer", "Pointer",
    "CSignature", "CType", "ctype", "Target", "parse_target", "resolve_target",
    "current_device_target", "device_target", "NoTargetError", "CompileError", "CallbackSignatureError",
    "LinkError", "NVRTCError", "CacheBypassWarning", "ltoir",
]


def __getattr__(name):
    if name == "compile_file":
        from .aot import compile_file

        return compile_file
    raise AttributeError(f"module 'nvmath.jit' has no attribute {name!r}")
