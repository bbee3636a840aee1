"""Fused FFT convolution in one Numba kernel (cuFFTDx) against CuPy's FFT, multiply, IFFT.

    python benchmarks/fft_conv_device.py [--out results]

A batch of size-512 complex64 signals (1 GiB): forward FFT, multiply by a filter, inverse
FFT, all in registers and shared memory, against ``cupy.fft.ifft(cupy.fft.fft(x) * f)``.
Medians of CUDA-event timings after warm-up.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, gpu_time_ms, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--gib", type=float, default=1.0)
    args = parser.parse_args(argv)

    import cupy as cp
    import numpy as np
    from numba import cuda, types

    import nvmath.device

    size = 512
    fwd = nvmath.device.FFT(size, "single", "c2c", "Block", direction="forward", ffts_per_block="suggested")
    inv = nvmath.device.FFT(
        size,
        "single",
        "c2c",
        "Block",
        direction="inverse",
        ffts_per_block=fwd.ffts_per_block,
        elements_per_thread=fwd.elements_per_thread,
    )
    storage, ept, stride, fpb = fwd.storage_size, fwd.elements_per_thread, fwd.stride, fwd.ffts_per_block

    @nvmath.device.jit
    def conv(data, filt):
        thread_data = cuda.local.array(storage, dtype=types.complex64)
        smem = cuda.shared.array(0, dtype=types.uint8)
        signal = cuda.blockIdx.x * fpb + cuda.threadIdx.y
        t = cuda.threadIdx.x
        valid = signal < data.shape[0]
        for i in range(ept):
            if valid:
                thread_data[i] = data[signal, t + i * stride]
        fwd.execute(thread_data, smem)
        for i in range(ept):
            thread_data[i] = thread_data[i] * filt[t + i * stride]
        inv.execute(thread_data, smem)
        for i in range(ept):
            if valid:
                data[signal, t + i * stride] = thread_data[i]

    batch = int(args.gib * (1 << 30) / (size * 8))
    rng = np.random.default_rng(0)
    x = cp.asarray((rng.standard_normal((batch, size)) + 1j * rng.standard_normal((batch, size))).astype(np.complex64))
    filt = (rng.standard_normal(size) + 1j * rng.standard_normal(size)).astype(np.complex64)
    d_filt = cp.asarray(filt / size)  # the kernel's transforms are unnormalized; CuPy's ifft divides by n
    grid = (batch + fpb - 1) // fpb
    work = x.copy()
    launch = conv[grid, fwd.block_dim, 0, fwd.shared_memory_size]  # the legacy default stream, as CuPy's
    launch(work, d_filt)
    want = cp.fft.ifft(cp.fft.fft(x[:64], axis=1) * cp.asarray(filt), axis=1)
    err = float(cp.linalg.norm(work[:64] - want) / cp.linalg.norm(want))
    res = {
        "device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(),
        "batch": batch,
        "size": size,
        "ffts_per_block": int(fpb),
        "rel_error": err,
    }
    res["nvmath_fused_ms"] = gpu_time_ms(lambda: launch(work, d_filt), warmup=3, repeat=20)
    f = cp.asarray(filt)
    res["cupy_unfused_ms"] = gpu_time_ms(lambda: cp.fft.ifft(cp.fft.fft(x, axis=1) * f, axis=1), warmup=3, repeat=20)
    res["speedup"] = res["cupy_unfused_ms"] / res["nvmath_fused_ms"]
    write(args.out, "fft_conv_device", res)
    bar_chart(
        os.path.join(args.out, "fft_conv_device.png"),
        f"FFT convolution, {batch} x {size} complex64",
        ["nvmath fused kernel", "CuPy fft, multiply, ifft"],
        [res["nvmath_fused_ms"], res["cupy_unfused_ms"]],
        "ms",
    )
    for k, v in res.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
