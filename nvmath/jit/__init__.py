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

# Names → the submodule defining them, imported on first use: nvmath.device needs only the C
# ABI vocabulary, and a warm kernel's process should not pay for the compiler's imports.
_EXPORTS = {
    "NoTargetError": "arch",
    "Target": "arch",
    "current_device_target": "arch",
    "device_target": "arch",
    "parse_target": "arch",
    "resolve_target": "arch",
    "CSignature": "cabi",
    "CType": "cabi",
    "ctype": "cabi",
    "CacheBypassWarning": "compiler",
    "compile_device_function": "compiler",
    "CallbackSignatureError": "errors",
    "CompileError": "errors",
    "LinkError": "link",
    "link": "link",
    "NVRTCError": "nvrtc",
    "compile_cpp": "nvrtc",
    "Pointer": "typespec",
    "pointer": "typespec",
    "compile_file": "aot",
}

__all__ = [
    "compile_device_function",
    "link",
    "compile_cpp",
    "compile_file",
    "pointer",
    "Pointer",
    "CSignature",
    "CType",
    "ctype",
    "Target",
    "parse_target",
    "resolve_target",
    "current_device_target",
    "device_target",
    "NoTargetError",
    "CompileError",
    "CallbackSignatureError",
    "LinkError",
    "NVRTCError",
    "CacheBypassWarning",
    "ltoir",
]


def __getattr__(name):
    import importlib

    if name == "ltoir":
        return importlib.import_module(".ltoir", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nvmath.jit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
