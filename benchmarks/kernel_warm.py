"""First launch of a Numba kernel that links LTO-IR device code, in fresh processes: cold cache,
then warm, including imports; nvmath.device.jit, plain numba.cuda.jit (with and without
NVMATH_PLAIN_KERNEL_CACHE=1) and, when installed, nvmath-python, in the same run.

    python benchmarks/kernel_warm.py [--runs 3] [--out results] [--peer-dir /tmp/peer]
    python benchmarks/kernel_warm.py --cpu-split     # no GPU: where a plain kernel's compile goes

The kernel calls cuFFTDx (a 512-point complex64 block FFT) when nvmath.device.FFT is
available, else an NVRTC-compiled device function (nvmath.device.jit only).

Each run uses a new cache directory: the cold process fills it (cuFFTDx code, and the linked
cubin where the kernel is cached), the warm process reads it. A plain numba.cuda.jit kernel
without the hook is warm only in its cuFFTDx code: it compiles and links in every process.
nvmath-python (the peer, benchmarks/peer_nvmath_python.py's child) keeps nothing across
processes, so each of its runs is one fresh process.

--cpu-split runs, in fresh processes with nvmath's cache warm for the cuFFTDx code, what a plain
kernel's first launch compiles (numba typing and lowering, NVVM, nvJitLink LTO for sm_90a),
then the cache lookup that replaces it; the GPU-side module load is not included.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _common import bar_chart, write  # noqa: E402

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

CUFFTDX_CHILD = os.path.join(HERE, "_kernel_warm_cufftdx_child.py")

# name: (child mode, extra environment, whether the warm process must hit nvmath's kernel cache)
VARIANTS = {
    "nvmath.device.jit": ("jit", {}, True),
    "numba.cuda.jit": ("plain", {"NVMATH_PLAIN_KERNEL_CACHE": "0"}, False),
    "numba.cuda.jit + NVMATH_PLAIN_KERNEL_CACHE=1": ("plain", {"NVMATH_PLAIN_KERNEL_CACHE": "1"}, True),
}


def run(child, cache_dir: str, mode: str = "", env_extra=None) -> dict:
    """Run a child (a script path, or source for ``-c``) with nvmath's cache in cache_dir; its
    last line, parsed."""
    env = dict(os.environ, NVMATH_CACHE_DIR=cache_dir, **(env_extra or {}))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # later processes reuse .pyc files, as users' do
    argv = [sys.executable, child, mode] if os.path.isfile(child) else [sys.executable, "-c", child]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{mode or 'child'} exited with {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cufftdx_available() -> bool:
    if not os.path.exists(CUFFTDX_CHILD):
        return False
    try:
        import nvmath.device

        return hasattr(nvmath.device, "FFT")
    except ImportError:
        return False


def measure_variants(runs: int, names) -> dict:
    """Cold then warm first launch of each variant, ``runs`` times, each pair in a new cache."""
    cufftdx = cufftdx_available()
    out = {}
    for name in names:
        mode, env_extra, must_hit = VARIANTS[name]
        if not cufftdx and mode != "jit":
            continue  # the NVRTC fallback kernel exists as nvmath.device.jit only
        child = CUFFTDX_CHILD if cufftdx else EXTERN_CHILD
        cold, warm, phases, kind = [], [], [], None
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="nvmath-kernel-cache-") as d:
                c = run(child, d, mode, env_extra)
                w = run(child, d, mode, env_extra)
            kind = c["kind"]
            assert c["hits"] == 0 and w["hits"] == (1 if must_hit else 0), (name, c, w)
            cold.append(c["s"])
            warm.append(w["s"])
            if "phases_s" in w:
                phases.append(w["phases_s"])
        out[name] = {
            "kernel": kind,
            "cold_s": statistics.median(cold),
            "warm_s": statistics.median(warm),
            "cold_runs_s": cold,
            "warm_runs_s": warm,
            "warm_phases_s": phases,
        }
    return out


def measure_peer(runs: int, peer_dir: str, site_dir: str) -> dict | None:
    """nvmath-python's numba.cuda.jit cuFFTDx kernel, first launch in fresh processes."""
    import peer_nvmath_python as peer

    peer_dir = os.path.abspath(peer_dir)
    version = peer.find_peer(peer_dir)
    if version is None:
        print(f"kernel_warm: no nvmath-python in {peer_dir}: no peer measurement")
        return None
    site_dir = os.path.abspath(site_dir) if site_dir else ""
    times, errors = [], []
    for own in (True, False):  # the peer's libmathdx first, as peer_nvmath_python.py does
        env = peer.child_env(peer_dir, site_dir, own_libmathdx=own)
        times, errors = [], []
        for _ in range(runs):
            r = peer.run_child("kernel", env, 300.0)
            if "error" in r:
                errors.append(r["error"])
                break
            times.append(r["s"])
        if times and not errors:
            break
    if not times:
        return {"peer_version": version, "error": errors[-1] if errors else "no run"}
    return {"peer_version": version, "s": statistics.median(times), "runs_s": times}


def cpu_split(runs: int) -> dict:
    """What a plain kernel's first launch compiles, by phase, with the cuFFTDx code cached; then
    the lookup that replaces it (fresh processes, no GPU)."""
    splits, hits = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="nvmath-kernel-cache-") as d:
            run(CUFFTDX_CHILD, d, "cpu-split")  # fills the cache with the cuFFTDx code (and the cubin)
            splits.append(run(CUFFTDX_CHILD, d, "cpu-split"))  # cuFFTDx code warm: compile + link only
            hit = run(CUFFTDX_CHILD, d, "cpu-hit")
            assert hit["found"] and hit["hits"] == 1, hit
            hits.append(hit)

    def median_phases(items):
        keys = items[0]["phases_s"]
        return {k: statistics.median(i["phases_s"][k] for i in items) for k in keys}

    return {
        "benchmark": "plain numba.cuda.jit cuFFTDx kernel, fresh process, no GPU: compile split vs cache hit",
        "kernel": splits[0]["kind"],
        "target": "sm_90a",
        "compile_s": statistics.median(s["s"] for s in splits),
        "compile_phases_s": median_phases(splits),
        "hit_s": statistics.median(h["s"] for h in hits),
        "hit_phases_s": median_phases(hits),
        "bytes": splits[0]["bytes"],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--peer-dir", default=os.environ.get("NVMATH_PEER_DIR", "/tmp/peer"))
    parser.add_argument("--site-dir", default="/tmp/site", help="host wheels for the peer's child; skipped if absent")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help="comma-separated subset of " + ", ".join(VARIANTS)
    )
    parser.add_argument("--cpu-split", action="store_true", help="no GPU: split a plain kernel's compile by phase")
    args = parser.parse_args(argv)

    if args.cpu_split:
        res = cpu_split(args.runs)
        write(args.out, "kernel_warm_cpu_split", res)
        print("plain numba.cuda.jit cuFFTDx kernel, fresh process, cuFFTDx code cached, no GPU (sm_90a):")
        print("  compile + link: " + ", ".join(f"{k} {v:.3f} s" for k, v in res["compile_phases_s"].items()))
        print("  cache hit:      " + ", ".join(f"{k} {v:.3f} s" for k, v in res["hit_phases_s"].items()))
        return 0

    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"--variants: {unknown} not supported; accepted: {', '.join(VARIANTS)}")
    variants = measure_variants(args.runs, names)
    peer = measure_peer(args.runs, args.peer_dir, args.site_dir)
    main_variant = variants.get("nvmath.device.jit") or next(iter(variants.values()))
    res = {
        "benchmark": "first launch of a kernel linking LTO-IR, fresh process, imports included",
        "kernel": main_variant["kernel"],
        # nvmath.device.jit's numbers under the keys peer_nvmath_python.py compares
        "cold_s": main_variant["cold_s"],
        "warm_s": main_variant["warm_s"],
        "cold_runs_s": main_variant["cold_runs_s"],
        "warm_runs_s": main_variant["warm_runs_s"],
        "warm_phases_s": main_variant["warm_phases_s"],
        "variants": variants,
        "nvmath_python": peer,
    }
    res["cold_over_warm"] = res["cold_s"] / res["warm_s"]
    if peer and "s" in peer:
        res["warm_over_nvmath_python"] = {name: v["warm_s"] / peer["s"] for name, v in variants.items()}
    write(args.out, "kernel_warm", res)
    labels, values = [], []
    for name, v in variants.items():
        labels += [f"{name}\ncold", f"{name}\nwarm"]
        values += [v["cold_s"], v["warm_s"]]
    if peer and "s" in peer:
        labels.append(f"nvmath-python {peer['peer_version']}")
        values.append(peer["s"])
    bar_chart(
        os.path.join(args.out, "kernel_warm.png"),
        f"first kernel launch, fresh process ({res['kernel']})",
        labels,
        values,
        "seconds",
    )
    for name, v in variants.items():
        print(
            f"first launch ({v['kernel']}), fresh process, {name}: cold {v['cold_s']:.2f} s, warm {v['warm_s']:.2f} s"
        )
        for phases in v["warm_phases_s"]:
            print("  warm run: " + ", ".join(f"{k} {t:.3f} s" for k, t in phases.items()))
    if peer and "s" in peer:
        print(f"nvmath-python {peer['peer_version']}, numba.cuda.jit: {peer['s']:.2f} s")
    elif peer:
        print(f"nvmath-python: {peer.get('error')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
