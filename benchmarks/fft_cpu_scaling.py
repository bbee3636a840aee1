"""Where a CPU FFT with an epilog spends its time as threads are added: the parts of
``benchmarks/fft_cpu.py`` timed apart, on 1, 2, 4... threads.

    python benchmarks/fft_cpu_scaling.py [--out results] [--rounds 20] [--shapes 512x4096:f32 ...]

What the host gives first (``host``): its CPU count, the CPUs this process may run on
(affinity), its cgroup's CPU quota where one is set, a compute-only test (NumPy's ``sin``
over arrays that stay in cache, one per thread, on threads of nvmath's kind): how many times
one thread's throughput ``t`` threads reach (a quota or a shared host shows up as scaling
that stops before the CPU count), and the memory bandwidth of a 256 MiB copy on ``t``
threads (``copy_gb_per_s``): where it does not grow with threads, a pass over data out of
cache costs what its bytes cost, on any number of threads.

Then, for each shape (the filter epilog of ``fft_cpu.py``, ``value * user_info[offset % m]``):

- ``scipy_fft_ms[t]``: ``scipy.fft`` with ``workers=t``;
- ``multiply_ms``: NumPy's in-place ``y *= w`` (one thread), what the epilog replaces;
- ``epilog_pass_ms[t]``: the plan's compiled epilog pass alone, in place over the FFT's
  result, on ``t`` threads (the pass ``FFT.execute`` runs after ``scipy.fft``);
- ``execute_ms[t]``: ``FFT.execute`` with ``ExecutionCPU(num_threads=t)``, everything.

All of a shape's variants are timed in alternating rounds, in a new order each round, after a
warm-up; the figures are medians. Results go to ``<out>/fft_cpu_scaling.json`` and a chart of
the pass's and scipy's speed-up over one thread (``fft_cpu_scaling.png``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import available_cpus, pyplot, write
from fft_cpu import DEFAULT_SHAPES, alternating_ms, make_filter_epilog, parse_shape


def thread_counts(limit: int) -> list[int]:
    """1, 2, 4... up to ``limit``, and ``limit`` itself."""
    counts, t = [], 1
    while t < limit:
        counts.append(t)
        t *= 2
    return counts + [limit]


def cgroup_cpu_quota() -> float | None:
    """CPUs the cgroup's quota allows (cgroup v2 ``cpu.max``, else v1), None where none is set."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError):
        return None


def compute_scaling(counts: list[int], seconds: float = 0.2) -> dict:
    """Throughput of ``np.sin`` over 32 KiB arrays (in cache) on ``t`` threads, over one
    thread's: how many cores the host really gives this process."""
    import numpy as np

    def work(stop, done, index):
        x = np.linspace(0, 1, 4096)
        y = np.empty_like(x)
        n = 0
        while not stop.is_set():
            np.sin(x, out=y)
            n += 1
        done[index] = n

    rates = {}
    for t in counts:
        stop, done = threading.Event(), [0] * t
        workers = [threading.Thread(target=work, args=(stop, done, i)) for i in range(t)]
        for w in workers:
            w.start()
        time.sleep(seconds)
        stop.set()
        for w in workers:
            w.join()
        rates[t] = sum(done) / seconds
    return {str(t): rates[t] / rates[1] for t in counts}


def copy_bandwidth(counts: list[int], nbytes: int = 256 << 20, repeat: int = 5) -> dict:
    """GB/s (bytes read plus written) of ``np.copyto`` between two ``nbytes`` arrays, cut in
    ``t`` parts copied on ``t`` threads at once (NumPy releases the GIL): whether the host's
    memory, not its cores, bounds a pass over data out of cache."""
    import numpy as np

    src = np.ones(nbytes // 8)
    dst = np.zeros_like(src)
    rates = {}
    for t in counts:
        bounds = [src.size * k // t for k in range(t + 1)]
        parts = [(dst[a:b], src[a:b]) for a, b in zip(bounds, bounds[1:])]
        best = float("inf")
        for _ in range(repeat):
            workers = [threading.Thread(target=np.copyto, args=part) for part in parts[1:]]
            start = time.perf_counter()
            for w in workers:
                w.start()
            np.copyto(*parts[0])
            for w in workers:
                w.join()
            best = min(best, time.perf_counter() - start)
        rates[str(t)] = 2 * nbytes / best / 1e9
    return rates


def host_info(counts: list[int]) -> dict:
    info = {
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cgroup_cpu_quota": cgroup_cpu_quota(),
        "compute_speedup": compute_scaling(counts),
        "copy_gb_per_s": copy_bandwidth(counts),
    }
    try:
        info["loadavg"] = list(os.getloadavg())
    except OSError:
        pass
    return info


def bench_shape(shape, dtype: str, counts: list[int], rounds: int, warmup: int, seed: int = 0) -> dict:
    import numpy as np
    import scipy.fft

    import nvmath
    from nvmath.fft._cpu_callbacks import epilog_pass

    rng = np.random.default_rng(seed)
    real = np.dtype(dtype).kind == "f"
    if real:
        x = rng.standard_normal(shape).astype(dtype)
    else:
        x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    sp_fft = scipy.fft.rfft if real else scipy.fft.fft
    y0 = sp_fft(x, axis=-1)
    m = y0.shape[-1]
    # Of modulus 1: the timed passes multiply the same array again and again, and must not
    # take it to infinities (whose arithmetic may cost otherwise).
    w = np.exp(2j * np.pi * rng.random(m)).astype(y0.dtype)
    epilog = dict(function=make_filter_epilog(m), data=w)
    want = y0 * w

    fns, planned = {}, []
    for t in counts:
        fns[f"scipy_fft_ms[{t}]"] = lambda t=t: sp_fft(x, axis=-1, workers=t)
        f = nvmath.fft.FFT(x, axes=[-1], execution=nvmath.fft.ExecutionCPU(num_threads=t))
        f.plan(epilog=epilog)
        planned.append(f)
        got = f.execute()
        error = float(np.linalg.norm(got - want) / np.linalg.norm(want))
        if not error < 1e-5:
            raise AssertionError(f"{shape} {dtype}: FFT.execute on {t} threads is off by {error:.2e}")
        fns[f"execute_ms[{t}]"] = f.execute
    cpass, info = planned[0]._backend.callbacks["epilog"]
    y = y0.copy()
    strides = tuple(s // y.itemsize for s in y.strides)
    for t in counts:
        # In place over a result, as after scipy.fft (the values change every call; what the
        # pass costs does not).
        fns[f"epilog_pass_ms[{t}]"] = lambda t=t: epilog_pass(cpass, y, None, strides, 0, info, t)

    def multiply():
        np.multiply(y, w, out=y)

    fns["multiply_ms"] = multiply
    medians, _ = alternating_ms(fns, warmup=warmup, rounds=rounds)
    for f in planned:
        f.free()
    row = {"shape": list(shape), "dtype": dtype, "fft_type": "R2C" if real else "C2C", "multiply_ms": None}
    for key in ("scipy_fft_ms", "epilog_pass_ms", "execute_ms"):
        row[key] = {str(t): medians[f"{key}[{t}]"] for t in counts}
    row["multiply_ms"] = medians["multiply_ms"]
    top = str(counts[-1])
    row["scipy_plus_multiply_ms"] = row["scipy_fft_ms"][top] + row["multiply_ms"]
    row["ratio_execute_over_scipy_multiply"] = row["execute_ms"][top] / row["scipy_plus_multiply_ms"]
    row["best_pass_threads"] = int(min(row["epilog_pass_ms"], key=row["epilog_pass_ms"].get))
    return row


def chart(path: str, rows: list[dict], counts: list[int]) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for row in rows:
        name = f"{'x'.join(map(str, row['shape']))} {row['dtype']}"
        for key, style in (("epilog_pass_ms", "-o"), ("scipy_fft_ms", "--s")):
            one = row[key]["1"]
            ax.plot(counts, [one / row[key][str(t)] for t in counts], style, label=f"{name} {key[:-3]}")
    ax.plot(counts, counts, ":", color="gray", label="linear")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("threads")
    ax.set_ylabel("speed-up over one thread (median)")
    ax.set_title("CPU FFT and its epilog pass, by threads")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--threads", type=int, default=available_cpus(), help="the most threads tried")
    parser.add_argument("--rounds", type=int, default=20, help="alternating timed rounds per shape")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", type=parse_shape, default=[parse_shape(s) for s in DEFAULT_SHAPES])
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads={args.threads}: give 1 or more")
    counts = thread_counts(args.threads)
    res = {"host": host_info(counts), "threads": counts, "rounds": args.rounds, "shapes": []}
    print("host:", res["host"], flush=True)
    for shape, dtype in args.shapes:
        row = bench_shape(shape, dtype, counts, args.rounds, args.warmup)
        res["shapes"].append(row)
        name = f"{'x'.join(map(str, shape))} {dtype}"
        fmt = lambda d: " ".join(f"{t}:{v:.3f}" for t, v in d.items())
        print(f"{name}: multiply {row['multiply_ms']:.3f} ms (1 thread)", flush=True)
        for key in ("scipy_fft_ms", "epilog_pass_ms", "execute_ms"):
            print(f"  {key:15} {fmt(row[key])}", flush=True)
        print(
            f"  execute / (scipy + multiply) at {counts[-1]} threads: {row['ratio_execute_over_scipy_multiply']:.3f}; "
            f"fastest pass on {row['best_pass_threads']} threads",
            flush=True,
        )
    path = write(args.out, "fft_cpu_scaling", res)
    chart(os.path.join(args.out, "fft_cpu_scaling.png"), res["shapes"], counts)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
