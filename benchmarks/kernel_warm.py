"""First launch of a Numba kernel that links LTO-IR device code, in fresh processes: cold cache,
then warm (nvmath.device.jit), including imports.

    python benchmarks/kernel_warm.py [--runs 3] [--out results]

The kernel calls cuFFTDx (a 512-point complex64 block FFT) when nvmath.device.FFT is
available, else an NVRTC-compiled device function.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, write

EXTERN_CHILD = textwrap.dedent("""
    import json, time
    t0 = time.perf_counter()
    import numpy as np
    from numba import cuda
    import nvmath.device
    from nvmath.jit import compile_cpp, current_device_target

    SRC = 'extern "C" __device__ void saxpy(float* y, const float* x, float a, int i) { y[i] = a * x[i] + y[i]; }'
    saxpy = nvmath.device.extern_function("saxpy", ("void", ["float*", "float*", "float", "int"]),
                                          compile_cpp(SRC, compute_capability=current_device_target()))
    @nvmath.device.jit
    def kernel(y, x, a):
        i = cuda.grid(1)
        if i < y.size:
            saxpy.call(y, x, a, i)

    x = np.ones(1 << 20, np.float32)
    dx, dy = cuda.to_device(x), cuda.to_device(x)
    kernel[(x.size + 255) // 256, 256](dy, dx, np.float32(2.0))
    cuda.synchronize()
    t1 = time.perf_counter()
    print(json.dumps({"s": t1 - t0, "hits": kernel.nvmath_cache.hits, "kind": "extern"}))
""")


def run(child: str, cache_dir: str) -> dict:
    env = dict(os.environ, NVMATH_CACHE_DIR=cache_dir)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, env=env, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_source() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "_kernel_warm_cufftdx_child.py")
    if os.path.exists(path):
        try:
            import nvmath.device

            if hasattr(nvmath.device, "FFT"):
                return open(path).read()
        except ImportError:
            pass
    return EXTERN_CHILD


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    args = parser.parse_args(argv)
    child = child_source()
    cold, warm, warm_phases = [], [], []
    kind = None
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="nvmath-kernel-cache-") as d:
            c = run(child, d)
            w = run(child, d)
            kind = c["kind"]
            assert c["hits"] == 0 and w["hits"] == 1, (c, w)
            cold.append(c["s"])
            warm.append(w["s"])
            if "phases_s" in w:
                warm_phases.append(w["phases_s"])
    res = {
        "benchmark": "first launch of a kernel linking LTO-IR, fresh process, imports included",
        "kernel": kind,
        "cold_s": statistics.median(cold),
        "warm_s": statistics.median(warm),
        "cold_runs_s": cold,
        "warm_runs_s": warm,
        "warm_phases_s": warm_phases,
    }
    res["cold_over_warm"] = res["cold_s"] / res["warm_s"]
    write(args.out, "kernel_warm", res)
    bar_chart(
        os.path.join(args.out, "kernel_warm.png"),
        f"first kernel launch, fresh process ({kind})",
        ["cold cache", "nvmath warm cache"],
        [res["cold_s"], res["warm_s"]],
        "seconds",
    )
    print(
        f"first launch ({kind}), fresh process: cold {res['cold_s']:.2f} s, warm {res['warm_s']:.2f} s "
        f"({res['cold_over_warm']:.1f}x)"
    )
    for phases in warm_phases:
        print("  warm run: " + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
