"""Main job: compile a Python FFT epilog to LTO-IR and use it.

The epilog multiplies each FFT output element by a per-column filter held in ``user_info``.

- With a GPU: it is compiled for the current device, linked into a kernel that calls it as
  cuFFT's store stage does, run on fresh random data and compared with NumPy.
- Without a GPU: it is compiled for sm_90 (an H100) and the artifact is shown: symbol, C
  prototype, size, producers, and the PTX signature nvJitLink gives it.

Run twice: the second run takes the LTO-IR from nvmath's persistent cache.

    python examples/fft_callback.py
"""

import re
import time

import numpy as np

import nvmath
from nvmath.jit import compile_cpp, current_device_target, link


def epilog(data_out, offset, value, user_info, unused):
    # offset is the element index in the (batch, n) output; user_info holds one filter value per column.
    data_out[offset] = value * user_info[offset % 4096]


CALLER = """
extern "C" __device__ void {sym}(void*, unsigned long long, float2, void*, void*);
extern "C" __global__ void store(const float2* y, float2* out, void* info, unsigned long long n) {{
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) {sym}(out, i, y[i], info, nullptr);
}}
"""


def main():
    target = current_device_target()
    arch = target or "sm_90"
    start = time.perf_counter()
    art = nvmath.fft.compile_epilog(epilog, "complex64", "float32", compute_capability=arch)
    print(f"compile_epilog: {(time.perf_counter() - start) * 1e3:.1f} ms -> {art!r}")
    print(f"  producers: {dict(art.producers)}")

    if target is None:
        ptx = link([art, compile_cpp(CALLER.format(sym=art.symbol), compute_capability=arch)],
                   compute_capability=arch, output="ptx", optimization_level=0).decode()
        sig = re.search(r"\.func\s+" + art.symbol + r"\s*\([^)]*\)", ptx).group(0)
        print("no GPU found: compiled for", arch, "- the PTX signature of the callback is:")
        print("  " + " ".join(sig.split()))
        return

    import cupy as cp

    rng = np.random.default_rng()
    batch, n = 512, 4096
    x = (rng.standard_normal((batch, n)) + 1j * rng.standard_normal((batch, n))).astype(np.complex64)
    filt = rng.standard_normal(n).astype(np.float32)
    y = cp.fft.fft(cp.asarray(x), axis=-1)
    out = cp.empty_like(y)
    module = cp.cuda.function.Module()
    module.load(link([art, compile_cpp(CALLER.format(sym=art.symbol), compute_capability=target)],
                     compute_capability=target))
    kernel = module.get_function("store")
    kernel(((y.size + 255) // 256,), (256,), (y, out, cp.asarray(filt), np.uint64(y.size)))
    want = np.fft.fft(x, axis=-1) * filt
    err = np.linalg.norm(cp.asnumpy(out) - want) / np.linalg.norm(want)
    print(f"GPU {target}: FFT output stored through the compiled epilog; relative error vs NumPy {err:.2e}")
    assert err < 1e-5


if __name__ == "__main__":
    main()
