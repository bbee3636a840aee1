"""Timing helpers shared by the benchmarks: CUDA-event medians, JSON and charts."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time


def gpu_time_ms(fn, *, warmup: int = 5, repeat: int = 30) -> float:
    """Median of CUDA-event timings of ``fn()`` on CuPy's current stream, after warm-up."""
    import cupy as cp

    for _ in range(warmup):
        fn()
    cp.cuda.get_current_stream().synchronize()
    times = []
    for _ in range(repeat):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop))
    return statistics.median(times)


def torch_time_ms(fn, *, warmup: int = 5, repeat: int = 20) -> float:
    """Median of CUDA-event timings of ``fn()`` on PyTorch's current stream, after warm-up."""
    import torch

    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def cpu_time_ms(fn, *, warmup: int = 2, repeat: int = 10) -> float:
    """Median wall time of ``fn()`` in ms, after warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def cpu_cost_us(fn, synchronize, *, calls: int = 1000, loops: int = 5) -> tuple[float, list]:
    """CPU-side cost of one ``fn()`` call in microseconds: the median over ``loops`` loops of
    ``calls`` back-to-back calls (the device synchronized before each loop), and every loop's."""
    for _ in range(100):
        fn()
    synchronize()
    per_loop = []
    for _ in range(loops):
        synchronize()
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        per_loop.append((time.perf_counter() - t) / calls * 1e6)
    synchronize()
    return statistics.median(per_loop), per_loop


def alternating_cpu_cost_us(contenders: dict, synchronize, *, rounds: int = 15, calls: int = 500) -> dict:
    """CPU-side cost in microseconds of one call of each ``contenders`` function, measured in
    ``rounds`` rounds that each time every contender once (``calls`` back-to-back calls, after
    a synchronization) in a rotated order, so that drifts of the host's clock hit all alike.

    Returns ``{"median": {name: us}, "rounds": {name: [us per round]}}``."""
    names = list(contenders)
    for fn in contenders.values():
        for _ in range(100):
            fn()
    per_round = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn = contenders[name]
            synchronize()
            t = time.perf_counter()
            for _ in range(calls):
                fn()
            per_round[name].append((time.perf_counter() - t) / calls * 1e6)
    synchronize()
    return {"median": {n: statistics.median(v) for n, v in per_round.items()}, "rounds": per_round}


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity), what nvmath's CPU paths use by default."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def write(out_dir: str, name: str, result: dict) -> str:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{name}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    return path


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display), or None (said on stderr) without it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart", file=sys.stderr)
        return None
    return plt


def bar_chart(path: str, title: str, labels, values, ylabel: str, reference: float | None = None) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(labels)), 3.4))
    bars = ax.bar(labels, values, color=["#76b900" if "nvmath" in lab else "#999999" for lab in labels])
    if reference is not None:
        ax.axhline(reference, color="k", lw=0.8, ls="--")
    for bar, v in zip(bars, values):
        ax.annotate(f"{v:.3g}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
