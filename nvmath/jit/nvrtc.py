"""CUDA C++ → LTO-IR, PTX or cubin with NVRTC (no GPU needed)."""

from __future__ import annotations

import functools

from .arch import resolve_target

__all__ = ["compile_cpp", "NVRTCError"]


class NVRTCError(RuntimeError):
    """NVRTC failed to compile; the message holds its log."""


@functools.cache
def _cuda_include_dirs() -> tuple[str, ...]:
    try:
        from cuda.pathfinder import locate_nvidia_header_directory

        located = locate_nvidia_header_directory("cudart")
        return (located.abs_path,) if located is not None else ()
    except Exception:
        return ()


def _check(result, what):
    from cuda.bindings import nvrtc

    err = result[0]
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise NVRTCError(f"{what} failed: {nvrtc.nvrtcGetErrorString(err)[1].decode()}")
    return result[1:] if len(result) > 2 else (result[1] if len(result) == 2 else None)


def compile_cpp(
    source: str,
    *,
    compute_capability=None,
    output: str = "ltoir",
    name: str = "nvmath_source.cu",
    options=(),
    include_dirs=(),
) -> bytes:
    """Compile CUDA C++ source with NVRTC.

    Parameters
    ----------
    source : str
    compute_capability : optional
        Default: the current device's.
    output : {"ltoir", "ptx", "cubin"}
        LTO-IR (``-dlto``) is what nvJitLink links with other LTO-IR.
    name : str
        The source's name in messages.
    options, include_dirs : iterable of str
        Extra NVRTC options and include directories (the CUDA runtime headers are added when
        found).

    Raises
    ------
    NVRTCError
        With the compiler's log.
    """
    from cuda.bindings import nvrtc

    if output not in ("ltoir", "ptx", "cubin"):
        raise ValueError(f"output={output!r} is not supported; use 'ltoir', 'ptx' or 'cubin'")
    target = resolve_target(compute_capability)
    arch = f"-arch={target.sm}" if output != "ptx" else f"-arch=compute_{target.major}{target.minor}{target.suffix}"
    opts = [arch, "-rdc=true", "-std=c++17"]
    if output == "ltoir":
        opts.append("-dlto")
    opts += [f"-I{d}" for d in (*include_dirs, *_cuda_include_dirs())]
    opts += list(options)
    prog = _check(nvrtc.nvrtcCreateProgram(source.encode(), name.encode(), 0, [], []), "nvrtcCreateProgram")
    try:
        encoded = [o.encode() for o in opts]
        (err,) = nvrtc.nvrtcCompileProgram(prog, len(encoded), encoded)
        log_size = _check(nvrtc.nvrtcGetProgramLogSize(prog), "nvrtcGetProgramLogSize")
        # Buffers NVRTC writes into are bytearrays: writing into a bytes object corrupts it, and
        # `b" " * 1` is Python's shared one-byte singleton (an empty log is one NUL byte).
        log = bytearray(log_size)
        nvrtc.nvrtcGetProgramLog(prog, log)
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            raise NVRTCError(
                f"NVRTC could not compile {name} for {target}:\n{bytes(log).rstrip(bytes(1)).decode(errors='replace')}"
            )
        getters = {
            "ltoir": (nvrtc.nvrtcGetLTOIRSize, nvrtc.nvrtcGetLTOIR),
            "ptx": (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX),
            "cubin": (nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN),
        }[output]
        size = _check(getters[0](prog), getters[0].__name__)
        buf = bytearray(size)
        getters[1](prog, buf)
        return bytes(buf).rstrip(b"\x00") if output == "ptx" else bytes(buf)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)
