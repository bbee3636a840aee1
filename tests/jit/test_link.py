"""nvmath.jit.link and compile_cpp: nvJitLink and NVRTC without a GPU."""

import pytest

from nvmath.jit import LinkError, NVRTCError, compile_cpp, link
from nvmath.jit.link import detect_input_kind

ARCH = "sm_90"
KERNEL = 'extern "C" __global__ void k(float* x) { x[threadIdx.x] *= 2.0f; }'


def test_detect_kinds():
    assert detect_input_kind(compile_cpp(KERNEL, compute_capability=ARCH)) == "ltoir"
    assert detect_input_kind(compile_cpp(KERNEL, compute_capability=ARCH, output="ptx")) == "ptx"
    assert detect_input_kind(compile_cpp(KERNEL, compute_capability=ARCH, output="cubin")) == "cubin"
    with pytest.raises(ValueError, match="kind"):
        detect_input_kind(b"garbage!")


def test_link_ptx_and_cubin_inputs():
    ptx = compile_cpp(KERNEL, compute_capability=ARCH, output="ptx")
    cubin = link([ptx], compute_capability=ARCH)
    assert cubin[:4] == b"\x7fELF"
    assert link([("ptx", ptx)], compute_capability=ARCH, lto=False)[:4] == b"\x7fELF"


def test_undefined_symbol_reports_the_log():
    caller = compile_cpp(
        'extern "C" __device__ float missing_fn(float);\n'
        'extern "C" __global__ void k(float* x) { x[0] = missing_fn(x[0]); }',
        compute_capability=ARCH,
    )
    with pytest.raises(LinkError, match="missing_fn"):
        link([caller], compute_capability=ARCH)


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty"):
        link([], compute_capability=ARCH)
    with pytest.raises(ValueError, match="output='sass'"):
        link([b"x"], compute_capability=ARCH, output="sass")
    with pytest.raises(ValueError, match="inputs\\[0\\] has kind 'elf'"):
        link([("elf", b"x")], compute_capability=ARCH)


def test_nvrtc_error_has_the_log():
    with pytest.raises(NVRTCError, match="undeclared_thing"):
        compile_cpp('extern "C" __global__ void k() { undeclared_thing(); }', compute_capability=ARCH)
