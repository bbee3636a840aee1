"""Versions of the tools that produce and consume LTO-IR.

LTO-IR is only readable by an nvJitLink at least as new as the libNVVM that wrote it, so each
artifact records its producers, and each cache key names them. Nothing here imports Numba.
"""

from __future__ import annotations

import functools
import os
import re
import sys

__all__ = [
    "package_version",
    "toolchain_identity",
    "libnvvm_release",
    "nvjitlink_version",
    "producer_versions",
    "parse_release",
]

_RELEASE = re.compile(rb"Cuda compilation tools, release (\d+)\.(\d+)")

# The smallest NVVM IR module libNVVM accepts; its PTX header names the CUDA release.
_PROBE_IR = (
    b'target triple = "nvptx64-nvidia-cuda"\n'
    b'target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-'
    b'i128:128:128-f32:32:32-f64:64:64-v16:16:16-v32:32:32-v64:64:64-v128:128:128-n16:32:64"\n'
    b"!nvvmir.version = !{!0}\n!0 = !{i32 2, i32 0, i32 3, i32 2}\n"
)


_DIST_INFO = re.compile(r"^([A-Za-z0-9_.]+)-([^-]+)\.(?:dist|egg)-info$")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _installed_versions() -> dict[str, str]:
    # Reading dist-info folder names is ~20x cheaper than importlib.metadata, and a cache hit
    # computes its key from these versions in every new process.
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith("-info"):
                m = _DIST_INFO.match(name)
                if m:
                    found.setdefault(_normalize(m.group(1)), m.group(2))
    return found


def package_version(name: str) -> str:
    """The installed version of distribution ``name`` (first on ``sys.path``), or ``"absent"``."""
    return _installed_versions().get(_normalize(name), "absent")


@functools.cache
def toolchain_identity() -> dict[str, str]:
    """What decides the LTO-IR a compile produces, computed without loading any library.

    Used in cache keys: the versions of the compiler packages and, where libNVVM does not come
    from a wheel, the CUDA toolkit it is taken from.
    """
    ident = {
        name: package_version(name)
        for name in ("numba", "numba-cuda", "llvmlite", "nvidia-nvvm", "nvidia-nvjitlink", "cuda-bindings")
    }
    for var in ("CUDA_HOME", "CUDA_PATH", "NUMBA_CUDA_NVVM", "NUMBA_FORCE_CUDA_CC"):
        if os.environ.get(var):
            ident[f"env.{var}"] = os.environ[var]
    if ident["nvidia-nvvm"] == "absent":
        home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"
        lib = os.path.join(home, "nvvm", "lib64", "libnvvm.so")
        try:
            st = os.stat(lib)
            ident["libnvvm"] = f"{os.path.realpath(lib)}|{st.st_size}|{st.st_mtime_ns}"
        except OSError:
            ident["libnvvm"] = "unknown"
    return ident


def parse_release(text: str) -> tuple[int, int]:
    """``"13.5"`` → ``(13, 5)``."""
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


@functools.cache
def libnvvm_release() -> str:
    """The CUDA release of the libNVVM in use (e.g. ``"13.5"``), read from the PTX it writes."""
    from cuda.bindings import nvvm

    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, _PROBE_IR, len(_PROBE_IR), "nvmath_version_probe")
        nvvm.compile_program(prog, 0, [])
        size = nvvm.get_compiled_result_size(prog)
        buf = bytearray(size)
        nvvm.get_compiled_result(prog, buf)
    finally:
        nvvm.destroy_program(prog)
    m = _RELEASE.search(bytes(buf))
    if not m:  # pragma: no cover - every libNVVM release writes this header
        return "unknown"
    return f"{int(m.group(1))}.{int(m.group(2))}"


@functools.cache
def nvjitlink_version() -> str:
    """The version of the nvJitLink in use, e.g. ``"13.0"``."""
    from cuda.bindings import nvjitlink

    major, minor = nvjitlink.version()
    return f"{major}.{minor}"


def producer_versions() -> dict[str, str]:
    """The producers recorded in an artifact made now by Numba and libNVVM."""
    from nvmath import __version__

    return {
        "nvmath": __version__,
        "numba": package_version("numba"),
        "numba-cuda": package_version("numba-cuda"),
        "llvmlite": package_version("llvmlite"),
        "libnvvm": libnvvm_release(),
    }
