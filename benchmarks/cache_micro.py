"""Micro-benchmarks of the cache's hit path: fingerprint, key, get (memory, disk), put.

Everything runs on the CPU in one process, on a temporary cache directory. Each figure is the
median over several repeats of a timed loop.

    python benchmarks/cache_micro.py [--repeats 7] [--out results]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import textwrap
import time

import numpy as np

from nvmath.cache import ArtifactCache, CacheKey, fingerprint_function

CALLBACK = textwrap.dedent(
    """
    def helper(x):
        return math.sin(x) * SCALE

    def callback(data_in, offset, info, shared):
        return helper(data_in[offset]) + TABLE[offset % 16] + np.float32(1)
    """
)


def _define():
    namespace = {"__name__": "bench", "math": math, "np": np, "SCALE": 2.5, "TABLE": np.arange(16, dtype=np.float32)}
    exec(CALLBACK, namespace)
    return namespace["callback"]


def timed(function, number: int, repeats: int) -> float:
    """Median seconds per call of *function* over *repeats* loops of *number* calls."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def measure(repeats: int) -> dict:
    callback = _define()
    components = {f"component{i}": f"value-{i}" * 4 for i in range(15)}
    key = CacheKey("ltoir", components)
    results = {
        # A new function object from new source each time: code analysis included.
        "fingerprint_cold_us": timed(lambda: fingerprint_function(_define()), 50, repeats),
        "fingerprint_warm_us": timed(lambda: fingerprint_function(callback), 2000, repeats),
        "cache_key_15_components_us": timed(lambda: CacheKey("ltoir", components), 2000, repeats),
    }
    with tempfile.TemporaryDirectory(prefix="nvmath-cache-bench-") as directory:
        writer = ArtifactCache(directory)
        for size in (10_000, 1_000_000):
            sized = CacheKey("ltoir", {**components, "size": str(size)})
            payload = os.urandom(size)
            writer.put(sized, payload)
            reader = ArtifactCache(directory, memory_bytes=0)
            label = f"{size // 1000}KB"
            results[f"get_disk_hit_{label}_us"] = timed(lambda: reader.get(sized), 200, repeats)
            results[f"put_{label}_us"] = timed(lambda: writer.put(sized, payload), 20, repeats)
        writer.put(key, os.urandom(10_000))
        results["get_memory_hit_10KB_us"] = timed(lambda: writer.get(key), 2000, repeats)
        absent = CacheKey("ltoir", {"absent": "yes"})
        results["get_miss_us"] = timed(lambda: writer.get(absent), 2000, repeats)
    return {name: value * 1e6 for name, value in results.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", help="directory for cache_micro.json")
    args = parser.parse_args(argv)
    results = measure(args.repeats)
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:10.1f}")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        record = {
            "benchmark": "nvmath.cache hit path",
            "python": sys.version.split()[0],
            "unit": "microseconds",
            "results": results,
        }
        with open(os.path.join(args.out, "cache_micro.json"), "w") as stream:
            json.dump(record, stream, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
