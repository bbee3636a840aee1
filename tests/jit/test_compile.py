"""compile_prolog/compile_epilog and the general entry point, on the CPU (no GPU needed)."""

import math
import struct

import numpy as np
import pytest

from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import CSignature, compile_cpp, compile_device_function, link, parse_target, pointer
from tests.jit.callers import caller_kernel

ARCH = "sm_90"
SCALE = 3.5  # a global the callback reads: frozen into the code


def _ptx_with_caller(artifact, t="float2", load=None, store=None):
    caller = compile_cpp(caller_kernel(t, load, store), compute_capability=ARCH)
    return link([artifact, caller], compute_capability=ARCH, output="ptx").decode()


def _hex(x):
    """PTX spellings of x as a float and as a double."""
    return "0f" + struct.pack(">f", x).hex().upper(), "0d" + struct.pack(">d", x).hex().upper()


def test_globals_and_closures_are_frozen_as_constants():
    shift = 1.25

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * SCALE + shift

    art = compile_epilog(epilog, "float32", "float32", compute_capability=ARCH)
    ptx = _ptx_with_caller(art, "float", store=art.symbol)
    for constant in (SCALE, shift):
        assert any(h in ptx for h in _hex(constant)), constant


def test_struct_user_info_from_structured_dtype_and_numba_record():
    from numba import from_dtype

    dtype = np.dtype([("scale", np.float64), ("count", np.int32)], align=True)

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * user_info[0].scale + user_info[0].count

    for info in (dtype, from_dtype(dtype)):
        art = compile_prolog(prolog, "complex128", info, compute_capability=ARCH)
        assert "scale" in art.user_info_type
        assert _ptx_with_caller(art, "double2", load=art.symbol)


def test_user_info_indexed_by_offset():
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 4096]

    art = compile_epilog(epilog, "complex64", "float32", compute_capability=ARCH)
    assert art.user_info_type == "float32"


@pytest.mark.parametrize("arch", ["sm_80", "sm_90a", (8, 9), 90, "10.0"])
def test_targets(arch):
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    art = compile_prolog(prolog, "float64", "float64", compute_capability=arch)
    assert art.target == parse_target(arch).sm


def test_math_functions_and_fastmath():
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = math.exp(value) / user_info[0]

    plain = compile_epilog(epilog, "float32", "float32", compute_capability=ARCH)
    fast = compile_epilog(epilog, "float32", "float32", compute_capability=ARCH, fastmath=True)
    assert plain.symbol != fast.symbol and bytes(plain) != bytes(fast)


def test_explicit_symbol():
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    art = compile_prolog(prolog, "complex64", "complex64", compute_capability=ARCH, symbol="my_load")
    assert art.symbol == "my_load"
    assert (
        ".func"
        in link(
            [art, compile_cpp(caller_kernel("float2", "my_load", None), compute_capability=ARCH)],
            compute_capability=ARCH,
            output="ptx",
            optimization_level=0,
        ).decode()
    )


def test_general_entry_point_with_default_c_signature():
    def axpy(a, x, y, i):
        y[i] = a * x[i] + y[i]

    art = compile_device_function(
        axpy, ["float64", pointer("float64"), pointer("float64"), "int64"], None, symbol="axpy", compute_capability=ARCH
    )
    assert art.c_signature == "void(double, void*, void*, long long)"
    caller = compile_cpp(
        'extern "C" __device__ void axpy(double, void*, void*, long long);\n'
        'extern "C" __global__ void k(double* x, double* y) { axpy(2.0, x, y, threadIdx.x); }',
        compute_capability=ARCH,
    )
    ptx = link([art, caller], compute_capability=ARCH, output="ptx").decode()
    assert "fma.rn.f64" in ptx and "call" not in ptx


def test_general_entry_point_with_numba_types_and_typed_c_pointers():
    from numba import types

    def cplx(z, p):
        return z * p[0]

    sig = CSignature.parse("float2", ["float2", "float*"])
    art = compile_device_function(
        cplx,
        [types.complex64, types.CPointer(types.float32)],
        types.complex64,
        symbol="cplx",
        c_signature=sig,
        compute_capability=ARCH,
    )
    caller = compile_cpp(
        'extern "C" __device__ float2 cplx(float2, float*);\n'
        'extern "C" __global__ void k(float2* z, float* p) { z[0] = cplx(z[0], p); }',
        compute_capability=ARCH,
    )
    ptx = link([art, caller], compute_capability=ARCH, output="ptx").decode()
    assert "call" not in ptx


def test_dispatcher_device_function_is_accepted():
    from numba import cuda

    @cuda.jit(device=True)
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * 2

    art = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH)
    assert art.kind == "prolog" and "prolog" in art.symbol


def test_compile_cpp_leaves_python_byte_singletons_intact():
    # A successful compile has a one-byte log ("\0"); it was once read into `b" " * 1`, which
    # is Python's shared b" " object: every later " ".encode() in the process gave b"\0"
    # (PyTorch's operator schemas then failed to parse when it was imported afterwards).
    compile_cpp('extern "C" __device__ float plus_one(float x) { return x + 1; }', compute_capability=ARCH)
    compile_cpp(
        'extern "C" __device__ float plus_two(float x) { return x + 2; }', compute_capability=ARCH, output="ptx"
    )
    assert b" " == b"\x20"
    assert bytes([32])[0] == 32
    assert bytes([0]) == b"\x00"
