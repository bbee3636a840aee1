"""CPU FFT with a fused epilog against scipy.fft + NumPy multiply and torch.fft + multiply.

    python benchmarks/fft_cpu.py [--out results] [--threads N]

complex64 (256, 4096), FFT over the last axis, epilog multiplying by a per-column filter.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, cpu_time_ms, write


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)

    import numpy as np
    import scipy.fft

    import nvmath

    rng = np.random.default_rng(0)
    shape = (256, 4096)
    x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    filt = rng.standard_normal(shape[1]).astype(np.float32)
    n = args.threads
    res = {"shape": shape, "threads": n, "cpu_count": os.cpu_count()}
    execution = nvmath.fft.ExecutionCPU(num_threads=n)
    with nvmath.fft.FFT(x, axes=[1], execution=execution) as f:
        f.plan(epilog=dict(function=scale_by_column, data=filt))
        res["nvmath_fft_epilog_ms"] = cpu_time_ms(f.execute, warmup=5, repeat=40)
        got = f.execute()
    want = scipy.fft.fft(x, axis=1) * filt
    res["rel_error"] = float(np.linalg.norm(got - want) / np.linalg.norm(want))
    with nvmath.fft.FFT(x, axes=[1], execution=execution) as f:
        f.plan()
        res["nvmath_fft_ms"] = cpu_time_ms(f.execute, warmup=5, repeat=40)
    for t in (4, 8):
        if t < n:
            with nvmath.fft.FFT(x, axes=[1], execution=nvmath.fft.ExecutionCPU(num_threads=t)) as f:
                f.plan(epilog=dict(function=scale_by_column, data=filt))
                res[f"nvmath_fft_epilog_{t}_threads_ms"] = cpu_time_ms(f.execute, warmup=5, repeat=40)
    # The epilog pass alone (from an FFT result into another buffer, in chunks over the
    # threads), by thread count, against NumPy's multiply into a buffer: what fusing saves.
    from nvmath.fft import _cpu_callbacks

    y = scipy.fft.fft(x, axis=1)
    z = np.empty_like(y)
    cpass = _cpu_callbacks.get_pass("epilog", scale_by_column, "complex64", filt.dtype)
    for t in sorted({1, 2, 4, 8, n}):
        if t <= n:
            res[f"epilog_pass_ms_{t}_threads"] = cpu_time_ms(
                lambda: _cpu_callbacks.epilog_pass(cpass, y, z.__array_interface__["data"][0], (4096, 1), 0, filt, t),
                warmup=3,
                repeat=30,
            )
    res["numpy_multiply_ms"] = cpu_time_ms(lambda: np.multiply(y, filt, out=z), warmup=3, repeat=30)
    res["scipy_fft_multiply_ms"] = cpu_time_ms(lambda: scipy.fft.fft(x, axis=1, workers=n) * filt, warmup=5, repeat=40)
    res["scipy_fft_ms"] = cpu_time_ms(lambda: scipy.fft.fft(x, axis=1, workers=n), warmup=5, repeat=40)
    try:
        import torch

        torch.set_num_threads(n)
        tx, tf = torch.from_numpy(x), torch.from_numpy(filt)
        res["torch_fft_multiply_ms"] = cpu_time_ms(lambda: torch.fft.fft(tx, dim=1) * tf, warmup=5, repeat=40)
    except ImportError:
        pass
    res["ratio_vs_scipy_multiply"] = res["nvmath_fft_epilog_ms"] / res["scipy_fft_multiply_ms"]
    if "torch_fft_multiply_ms" in res:
        res["ratio_vs_torch_multiply"] = res["nvmath_fft_epilog_ms"] / res["torch_fft_multiply_ms"]
    write(args.out, "fft_cpu", res)
    labels = ["nvmath FFT+epilog", "scipy FFT, multiply", "torch FFT, multiply", "nvmath FFT", "scipy FFT"]
    keys = ["nvmath_fft_epilog_ms", "scipy_fft_multiply_ms", "torch_fft_multiply_ms", "nvmath_fft_ms", "scipy_fft_ms"]
    pairs = [(lab, res[k]) for lab, k in zip(labels, keys) if k in res]
    bar_chart(
        os.path.join(args.out, "fft_cpu.png"),
        f"CPU complex64 {shape}, {n} threads",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        "ms (median)",
    )
    for k, v in res.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
