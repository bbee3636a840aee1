"""How much of the fused epilog's cost is the filter's load (diagnostic): the per-column filter
epilog of benchmarks/fft_gpu.py written in CUDA C++ with different loads and stores, against a
copy, in one process.

    python tools/probe_epilog_loads.py
"""

import os
import sys

import cupy as cp
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
from _common import gpu_time_ms

import nvmath
from nvmath.fft import DeviceCallable
from nvmath.jit import compile_cpp

# cuFFT declares the callback with C++ linkage: no extern "C".
HEAD = "__device__ void cb(void* out, unsigned long long offset, float2 v, void* info, void* sh)"
BODIES = {
    "generic": "float w = ((const float*)info)[offset & 4095]; ((float2*)out)[offset] = make_float2(v.x * w, v.y * w);",
    "ldg": "float w = __ldg(((const float*)info) + (offset & 4095)); ((float2*)out)[offset] = make_float2(v.x * w, v.y * w);",
    "ldg_stcs": "float w = __ldg(((const float*)info) + (offset & 4095)); __stcs(((float2*)out) + offset, make_float2(v.x * w, v.y * w));",
    "evict_last": (
        "float w; const float* p = ((const float*)info) + (offset & 4095);"
        'asm("ld.global.nc.L1::evict_last.f32 %0, [%1];" : "=f"(w) : "l"(p));'
        "((float2*)out)[offset] = make_float2(v.x * w, v.y * w);"
    ),
    "global_store": (
        "float w = __ldg(((const float*)info) + (offset & 4095)); float2* q = ((float2*)out) + offset;"
        'asm volatile("st.global.v2.f32 [%0], {%1, %2};" :: "l"(q), "f"(v.x * w), "f"(v.y * w) : "memory");'
    ),
    "const_only": "((float2*)out)[offset] = make_float2(v.x * 0.5f, v.y * 0.5f);",
}

rng = np.random.default_rng(0)
x = cp.asarray((rng.standard_normal((16384, 4096)) + 1j * rng.standard_normal((16384, 4096))).astype(np.complex64))
filt = cp.asarray(rng.standard_normal(4096).astype(np.float32))
y = cp.empty_like(x)
want = cp.fft.fft(x, axis=1) * filt
copy = gpu_time_ms(lambda: y.__setitem__(Ellipsis, x))
print(f"copy {copy:.4f} ms")
for name, body in BODIES.items():
    ltoir = compile_cpp(HEAD + "{" + body + "}", compute_capability="sm_90")
    with nvmath.fft.FFT(x, axes=[1]) as f:
        f.plan(epilog=DeviceCallable(ltoir=ltoir, symbol="cb", data=filt))
        got = f.execute()
        err = float(cp.linalg.norm(got - want) / cp.linalg.norm(want)) if name != "const_only" else 0.0
        del got
        t = gpu_time_ms(f.execute)
    print(f"{name:14s} {t:.4f} ms  {t / copy:.3f}x copy  rel error {err:.1e}", flush=True)
copy = gpu_time_ms(lambda: y.__setitem__(Ellipsis, x))
print(f"copy again {copy:.4f} ms")
