"""Main job: an FFT whose output passes through a Python epilog, fused into the transform.

The epilog multiplies each output element by a per-column filter held in ``user_info``.

- With a GPU: the epilog is compiled to LTO-IR for the device and cuFFT links it into its
  kernel; the result is checked against NumPy on fresh random data. (Where the installed cuFFT
  cannot link LTO callbacks, the reason is printed and the compiled epilog is run by a kernel
  that calls it as cuFFT's store stage does.)
- Without a GPU: the same epilog runs on the CPU (scipy.fft plus one Numba-compiled pass), and
  the LTO-IR for an H100 (sm_90) is compiled and shown with its PTX signature.

Run it twice: the second run takes the LTO-IR from nvmath's persistent cache.

    python examples/fft_callback.py
"""

import re
import time

import numpy as np

import nvmath
from nvmath.jit import compile_cpp, current_device_target, link


def epilog(data_out, offset, value, user_info, unused):
    # offset indexes the (batch, n) output; user_info holds one filter value per column.
    data_out[offset] = value * user_info[offset % 4096]


STORE_KERNEL = """
extern "C" __device__ void {sym}(void*, unsigned long long, float2, void*, void*);
extern "C" __global__ void store(const float2* y, float2* out, void* info, unsigned long long n) {{
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) {sym}(out, i, y[i], info, nullptr);
}}
"""


def check(got, want, where):
    err = np.linalg.norm(got - want) / np.linalg.norm(want)
    print(f"{where}: relative error vs NumPy {err:.2e}")
    assert err < 1e-5


def main():
    rng = np.random.default_rng()
    batch, n = 512, 4096
    x = (rng.standard_normal((batch, n)) + 1j * rng.standard_normal((batch, n))).astype(np.complex64)
    filt = rng.standard_normal(n).astype(np.float32)
    want = np.fft.fft(x, axis=-1) * filt

    target = current_device_target()
    arch = target or "sm_90"
    start = time.perf_counter()
    art = nvmath.fft.compile_epilog(epilog, "complex64", "float32", compute_capability=arch)
    print(f"compile_epilog: {(time.perf_counter() - start) * 1e3:.1f} ms -> {art!r}")
    print(f"  producers: {dict(art.producers)}")

    if target is None:
        start = time.perf_counter()
        y = nvmath.fft.fft(x, axes=[-1], epilog=dict(function=epilog, data=filt))
        print(
            f"no GPU found: FFT + epilog on the CPU in {(time.perf_counter() - start) * 1e3:.0f} ms "
            "(first call includes compiling the epilog for the CPU)"
        )
        check(y, want, "CPU")
        ptx = link(
            [art, compile_cpp(STORE_KERNEL.format(sym=art.symbol), compute_capability=arch)],
            compute_capability=arch,
            output="ptx",
            optimization_level=0,
        ).decode()
        sig = re.search(r"\.func\s+" + art.symbol + r"\s*\([^)]*\)", ptx).group(0)
        print(f"LTO-IR for {arch}: the callback's PTX signature is")
        print("  " + " ".join(sig.split()))
        return

    import cupy as cp

    d_x, d_filt = cp.asarray(x), cp.asarray(filt)
    try:
        y = nvmath.fft.fft(d_x, axes=[-1], epilog=dict(function=epilog, data=d_filt))
        check(cp.asnumpy(y), want, f"GPU {target}, epilog fused into cuFFT")
        return
    except RuntimeError as e:
        print(f"cuFFT could not fuse the epilog here: {e}")
    y = cp.fft.fft(d_x, axis=-1)
    out = cp.empty_like(y)
    module = cp.cuda.function.Module()
    module.load(
        link(
            [art, compile_cpp(STORE_KERNEL.format(sym=art.symbol), compute_capability=target)],
            compute_capability=target,
        )
    )
    module.get_function("store")(((y.size + 255) // 256,), (256,), (y, out, d_filt, np.uint64(y.size)))
    check(cp.asnumpy(out), want, f"GPU {target}, epilog run by a store kernel after cuFFT")


if __name__ == "__main__":
    main()
