"""The first CPU FFT with an epilog in a fresh process, cold cache against warm, and what the
user_info bounds check costs.

    python benchmarks/fft_cpu_callback_warm.py [--runs 5] [--out results] [--no-bounds]

Fresh processes (subprocess): the first ``nvmath.fft.fft`` of a (256, 4096) complex64 host
array, with and without the epilog ``value * user_info[offset % 4096]``, with an empty cache
directory (cold) and with the one a previous process filled (warm); NVMATH_CACHE_DIR points
at temporary directories. Imports of numpy and nvmath happen before the timer; what the first
call imports (scipy.fft, llvmlite, Numba) is inside it. Medians over ``--runs`` processes each.

In this process: the row-by-row epilog pass alone and the whole FFT + epilog, with the
bounds-checked user_info and with a plain pointer (as on the GPU), for float32 and for record
user_info.
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
from _common import available_cpus, write

CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import nvmath

    def scale_by_column(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 4096]

    rng = np.random.default_rng()
    x = (rng.standard_normal((256, 4096)) + 1j * rng.standard_normal((256, 4096))).astype(np.complex64)
    filt = rng.standard_normal(4096).astype(np.float32)
    with_epilog = sys.argv[1] == "epilog"
    t = time.perf_counter()
    if with_epilog:
        y = nvmath.fft.fft(x, axes=[-1], epilog=dict(function=scale_by_column, data=filt))
    else:
        y = nvmath.fft.fft(x, axes=[-1])
    seconds = time.perf_counter() - t
    want = np.fft.fft(x, axis=-1) * (filt if with_epilog else 1)
    error = float(np.linalg.norm(y - want) / np.linalg.norm(want))
    print(json.dumps({"s": seconds, "rel_error": error, "numba_imported": "numba" in sys.modules}))
""")


def _child(variant: str, cache_dir: str, pycache: str) -> dict:
    # Compiled bytecode as an installed package has it (in a private folder: the checkout stays clean).
    env = dict(os.environ, NVMATH_CACHE_DIR=cache_dir, PYTHONPYCACHEPREFIX=pycache)
    for name in ("NVMATH_CACHE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, variant], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if out.returncode:
        raise RuntimeError(f"child {variant} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_processes(runs: int) -> dict:
    samples = {k: [] for k in ("plain cold", "plain warm", "epilog cold", "epilog warm")}
    numba = {}
    with tempfile.TemporaryDirectory(prefix="nvmath-bench-") as root:
        pycache = os.path.join(root, "pycache")
        _child("epilog", os.path.join(root, "warmup"), pycache)  # bytecode and file system caches
        warm = os.path.join(root, "warm")
        _child("epilog", warm, pycache)  # fills the warm cache
        _child("plain", warm, pycache)
        for r in range(runs):  # interleaved, so that drifts of the machine's load hit all alike
            for variant in ("plain", "epilog"):
                cold = _child(variant, os.path.join(root, f"cold-{variant}-{r}"), pycache)
                hot = _child(variant, warm, pycache)
                samples[f"{variant} cold"].append(cold["s"])
                samples[f"{variant} warm"].append(hot["s"])
                numba[f"{variant} cold"] = cold["numba_imported"]
                numba[f"{variant} warm"] = hot["numba_imported"]
                assert cold["rel_error"] < 1e-5 and hot["rel_error"] < 1e-5, (cold, hot)
    medians = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "median_s": medians,
        "samples_s": samples,
        "numba_imported": numba,
        "epilog_warm_minus_plain_warm_s": medians["epilog warm"] - medians["plain warm"],
        "epilog_cold_minus_plain_cold_s": medians["epilog cold"] - medians["plain cold"],
    }


def _epilog_scalar(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def _epilog_record(data_out, offset, value, user_info, unused):
    p = user_info[offset % 4096]
    data_out[offset] = value * p.gain + p.bias


def _interleaved_ms(fns: dict, repeat: int) -> dict:
    """Median ms of each function, timed in turns (so that the machine's load hits all alike)."""
    import time

    for fn in fns.values():
        for _ in range(3):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) * 1e3)
    return {name: statistics.median(v) for name, v in times.items()}


def bounds_check_cost(threads: int, repeat: int = 200) -> dict:
    """The epilog pass and the whole FFT + epilog, checked against unchecked user_info."""
    import numpy as np

    import nvmath
    from nvmath.fft._cpu_callbacks import CpuPass, epilog_pass, get_pass
    from nvmath.fft._cpu_compile import compile_pass

    rng = np.random.default_rng()
    x = (rng.standard_normal((256, 4096)) + 1j * rng.standard_normal((256, 4096))).astype(np.complex64)
    y = np.fft.fft(x, axis=-1).astype(np.complex64)
    z = np.empty_like(y)
    record = np.dtype([("gain", np.float32), ("bias", np.float32)], align=True)
    infos = {"float32": rng.standard_normal(4096).astype(np.float32), "record": np.zeros(4096, record)}
    infos["record"]["gain"] = rng.standard_normal(4096)
    infos["record"]["bias"] = rng.standard_normal(4096)
    funcs = {"float32": _epilog_scalar, "record": _epilog_record}
    result = {}
    execution = nvmath.fft.ExecutionCPU(num_threads=threads)
    for name, info in infos.items():
        func = funcs[name]
        # The row-by-row passes, which plans of this dense layout run (see faster_pass): the
        # checked one only flags a bad index, so that it vectorizes.
        raw = compile_pass("epilog", func, "complex64", info.dtype, bounds_check=False, row_length=4096)
        passes = {
            "checked": get_pass("epilog", func, "complex64", info.dtype, row_length=4096),
            "unchecked": CpuPass("epilog", "complex64", "unchecked", raw.address, raw, row_length=4096, records=False),
        }
        ffts = {label: nvmath.fft.FFT(x, axes=[-1], execution=execution) for label in passes}
        alone, whole = {}, {}  # the pass alone (its data in cache), and within the transform
        for label, cpass in passes.items():
            for t in sorted({1, threads}):
                alone[f"pass_{t}_threads_{label}_ms"] = lambda cpass=cpass, t=t: epilog_pass(
                    cpass, y, z.ctypes.data, (4096, 1), 0, info, t
                )
            f = ffts[label]
            f.plan(epilog=dict(function=func, data=info))
            f._backend.callbacks["epilog"] = (cpass, info)  # the same plan, either pass
            whole[f"fft_epilog_{label}_ms"] = f.execute
        row = {**_interleaved_ms(alone, repeat), **_interleaved_ms(whole, repeat // 2)}
        for f in ffts.values():
            f.free()
        for key in [k for k in row if k.endswith("_checked_ms")]:
            base = key.removesuffix("_checked_ms")
            row[f"{base}_check_cost"] = row[key] / row[f"{base}_unchecked_ms"] - 1
        result[name] = row
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--threads", type=int, default=available_cpus())
    parser.add_argument("--no-bounds", action="store_true", help="skip the bounds check measurement")
    args = parser.parse_args(argv)

    res = {"shape": [256, 4096], "dtype": "complex64", "cpu_count": os.cpu_count(), "runs": args.runs}
    res["first_fft"] = fresh_processes(args.runs)
    print(f"first nvmath.fft.fft in a fresh process, median of {args.runs} (s):")
    print(f"  {'':8} {'cold cache':>11} {'warm cache':>11}")
    for variant in ("plain", "epilog"):
        m = res["first_fft"]["median_s"]
        print(f"  {variant:8} {m[variant + ' cold']:11.3f} {m[variant + ' warm']:11.3f}")
    print(f"  epilog - plain, warm: {res['first_fft']['epilog_warm_minus_plain_warm_s']:+.3f} s")
    print(f"  Numba imported: {res['first_fft']['numba_imported']}")
    if not args.no_bounds:
        res["bounds_check"] = bounds_check_cost(args.threads)
        print(f"user_info bounds check, {args.threads} threads (median ms; cost = checked / unchecked - 1):")
        for name, row in res["bounds_check"].items():
            for base in sorted({k.rsplit("_", 2)[0] for k in row if k.endswith("_checked_ms")}):
                print(
                    f"  {name:8} {base:24} checked {row[base + '_checked_ms']:7.3f}  unchecked "
                    f"{row[base + '_unchecked_ms']:7.3f}  cost {row[base + '_check_cost']:+.1%}"
                )
    path = write(args.out, "fft_cpu_callback_warm", res)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
