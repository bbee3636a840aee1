"""Small helpers that nvmath-python keeps under ``nvmath._utils`` and its examples import.

Only what those examples use lives here (the NVRTC version). Importing this module loads no
CUDA library: NVRTC is reached on the first call.
"""

from __future__ import annotations

import functools
import re

__all__ = ["get_nvrtc_version", "get_nvrtc_build_id"]

# A kernel whose PTX holds the compiler's build number as an immediate operand.
_BUILD_PROBE = """
extern "C" __global__ void nvmath_build_probe(int* out) { *out = __CUDACC_VER_BUILD__; }
"""


@functools.cache
def get_nvrtc_build_id() -> int:
    """The build number of NVRTC (``__CUDACC_VER_BUILD__``), read from a compiled probe kernel.

    Raises
    ------
    RuntimeError
        NVRTC is missing or fails to compile the probe.
    """
    from nvmath.jit.nvrtc import compile_cpp

    try:
        ptx = compile_cpp(_BUILD_PROBE, compute_capability="75", output="ptx", name="nvmath_build_probe.cu")
    except ImportError as e:
        raise RuntimeError(f"NVRTC is not available: {e}") from e
    found = re.search(rb"mov\.(?:u32|b32|s32)\s+%\w+,\s*(\d+)", ptx)
    if found is None:
        raise RuntimeError("the NVRTC build number was not found in the probe kernel's PTX")
    return int(found.group(1))


def get_nvrtc_version() -> tuple[int, int, int]:
    """NVRTC's version as ``(major, minor, build)``, e.g. ``(13, 0, 88)``.

    Raises
    ------
    RuntimeError
        NVRTC is missing or reports an error.
    """
    try:
        from cuda.bindings import nvrtc
    except ImportError as e:
        raise RuntimeError(f"NVRTC is not available (cuda-bindings is not installed): {e}") from e
    err, major, minor = nvrtc.nvrtcVersion()
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise RuntimeError(f"nvrtcVersion failed: {err}")
    return int(major), int(minor), get_nvrtc_build_id()
