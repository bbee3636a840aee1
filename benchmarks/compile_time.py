"""Compile time of one FFT epilog in fresh processes: cold cache, then warm cache.

Each measurement is a new Python process (as a user's program would be) that imports nvmath
and numpy, then times one ``compile_epilog`` call. A cold run uses an empty cache directory;
warm runs reuse the directory the cold run filled. Reports medians, the warm/cold ratio, and
whether the warm call imported Numba.

    python benchmarks/compile_time.py [--runs 5] [--arch sm_90] [--out results]
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
from _common import pyplot

CHILD = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    import nvmath.fft
    t1 = time.perf_counter()

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 4096]

    t2 = time.perf_counter()
    art = nvmath.fft.compile_epilog(epilog, "complex64", "float32", compute_capability=sys.argv[1])
    t3 = time.perf_counter()
    print(json.dumps({"import_s": t1 - t0, "compile_s": t3 - t2, "size": len(art),
                      "numba_imported": "numba" in sys.modules}))
""")


def run_child(arch: str, cache_dir: str, enabled: bool = True) -> dict:
    env = dict(os.environ, NVMATH_CACHE_DIR=cache_dir, NVMATH_CACHE="1" if enabled else "0")
    # Measure what an installed package costs: with its bytecode cached, as pip leaves it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, arch], capture_output=True, text=True, env=env, check=True, timeout=600
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(arch: str, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="nvmath-bench-cache-") as cache_dir:
        run_child(arch, cache_dir)  # writes the bytecode of nvmath and its imports
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="nvmath-bench-cache-") as cache_dir:
            cold.append(run_child(arch, cache_dir))
            warm.append(run_child(arch, cache_dir))
            warm.append(run_child(arch, cache_dir))
    cold_s = statistics.median(r["compile_s"] for r in cold)
    warm_s = statistics.median(r["compile_s"] for r in warm)
    return {
        "benchmark": "compile_epilog in a fresh process",
        "arch": arch,
        "runs": runs,
        "cold_compile_s": cold_s,
        "warm_compile_s": warm_s,
        "cold_over_warm": cold_s / warm_s,
        "warm_imports_numba": any(r["numba_imported"] for r in warm),
        "cold_runs_s": [r["compile_s"] for r in cold],
        "warm_runs_s": [r["compile_s"] for r in warm],
        "import_nvmath_numpy_s": statistics.median(r["import_s"] for r in warm),
    }


def plot(result: dict, path: str) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(5, 3.2))
    values = [result["cold_compile_s"] * 1e3, result["warm_compile_s"] * 1e3]
    bars = ax.bar(["cold cache", "warm cache"], values, color=["#999999", "#76b900"])
    ax.set_yscale("log")
    ax.set_ylabel("compile_epilog, ms (log)")
    ax.set_title(f"One epilog, fresh process ({result['arch']})")
    for bar, v in zip(bars, values):
        ax.annotate(f"{v:.1f} ms", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    args = parser.parse_args(argv)
    result = measure(args.arch, args.runs)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "compile_time.json"), "w") as f:
        json.dump(result, f, indent=2)
    plot(result, os.path.join(args.out, "compile_time.png"))
    print(
        f"compile_epilog, fresh process, {args.arch}: cold {result['cold_compile_s'] * 1e3:.1f} ms, "
        f"warm {result['warm_compile_s'] * 1e3:.2f} ms ({result['cold_over_warm']:.0f}x), "
        f"warm imports numba: {result['warm_imports_numba']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
