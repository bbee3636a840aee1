"""CPU FFT with a fused epilog against scipy.fft (all workers) + in-place multiply, and NumPy.

    python benchmarks/fft_cpu.py [--out results] [--threads N] [--rounds 40] [--shapes 256x4096:c64 ...]

For each shape, an FFT over the last axis whose epilog multiplies by a per-column filter
``w`` of the output's row length (``data_out[offset] = value * user_info[offset % m]``):

- ``nvmath_fft_epilog_ms``: ``nvmath.fft.fft`` (``rfft`` for R2C), stateless, with the epilog
  and ``ExecutionCPU(num_threads=N)``: everything a one-off call costs;
- ``nvmath_execute_epilog_ms``: ``FFT.execute()`` of a planned stateful object;
- ``scipy_fft_multiply_ms``: ``y = scipy.fft.fft(x, workers=N); y *= w``;
- ``numpy_fft_multiply_ms``: ``y = numpy.fft.fft(x); y *= w``;
- ``scipy_fft_ms``: ``scipy.fft.fft(x, workers=N)`` alone.

The variants are timed in alternating rounds after a warm-up (so that drifts of the machine's
load hit them alike), in a new random order every round (seeded: so that each variant follows
each other one alike, since what ran before costs the next call); the figures are medians.
``ratio_nvmath_over_scipy_multiply`` is the stateless call over scipy + multiply
(``ratio_execute_over_scipy_multiply``: the stateful one).
N defaults to all cores. Results go to ``<out>/fft_cpu.json`` and ``<out>/fft_cpu.png``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import available_cpus, bar_chart, write

#: (rows, row length, dtype code): c64/c128 complex C2C, f32/f64 real R2C.
DEFAULT_SHAPES = ("256x4096:c64", "4096x1024:c64", "64x65536:c128", "512x4096:f32")
_DTYPES = {"c64": "complex64", "c128": "complex128", "f32": "float32", "f64": "float64"}


def parse_shape(text: str):
    """``"256x4096:c64"`` -> ``((256, 4096), "complex64")``."""
    dims, _, code = text.partition(":")
    if code not in _DTYPES:
        raise argparse.ArgumentTypeError(f"shape {text!r}: dtype code {code!r} is not one of {sorted(_DTYPES)}")
    try:
        shape = tuple(int(d) for d in dims.split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"shape {text!r}: expected ROWSxCOLS:dtype, e.g. 256x4096:c64") from None
    return shape, _DTYPES[code]


def make_filter_epilog(m: int):
    """The epilog ``value * user_info[offset % m]`` (m: the output's row length)."""

    def filter_epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % m]

    return filter_epilog


def alternating_ms(fns: dict, *, warmup: int, rounds: int) -> tuple[dict, dict]:
    """Median ms of each function and all samples, timed in alternating rounds after warm-up."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in fns}
    order = list(fns.items())
    shuffle = random.Random(0).shuffle
    for _ in range(rounds):
        # A new order every round, so that each variant follows each other one alike: what ran
        # before costs the next one (on (256, 4096) complex64, ~0.2 ms after scipy.fft alone,
        # ~0.5 ms after NumPy's cache-evicting FFT), and a rotation of one order kept the same
        # predecessor for every variant in most rounds.
        shuffle(order)
        for name, fn in order:
            t = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - t) * 1e3)
    return {name: statistics.median(v) for name, v in samples.items()}, samples


def bench_shape(shape, dtype: str, threads: int, rounds: int, warmup: int, seed: int = 0) -> dict:
    import numpy as np
    import scipy.fft

    import nvmath

    rng = np.random.default_rng(seed)
    real = np.dtype(dtype).kind == "f"
    if real:
        x = rng.standard_normal(shape).astype(dtype)
        out_dtype = np.result_type(dtype, np.complex64)
    else:
        x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
        out_dtype = np.dtype(dtype)
    m = shape[-1] // 2 + 1 if real else shape[-1]
    w = (rng.standard_normal(m) + 1j * rng.standard_normal(m)).astype(out_dtype)
    epilog = dict(function=make_filter_epilog(m), data=w)
    execution = nvmath.fft.ExecutionCPU(num_threads=threads)
    nv_fft = nvmath.fft.rfft if real else nvmath.fft.fft
    sp_fft = scipy.fft.rfft if real else scipy.fft.fft
    np_fft = np.fft.rfft if real else np.fft.fft

    def nvmath_stateless():
        return nv_fft(x, axes=[-1], epilog=epilog, execution=execution)

    def scipy_multiply():
        y = sp_fft(x, axis=-1, workers=threads)
        y *= w
        return y

    def numpy_multiply():
        y = np_fft(x, axis=-1)
        y *= w
        return y

    want = sp_fft(x.astype(np.result_type(x.dtype, np.float64)), axis=-1) * w
    got = nvmath_stateless()
    row = {
        "shape": list(shape),
        "dtype": dtype,
        "fft_type": "R2C" if real else "C2C",
        "threads": threads,
        "rel_error": float(np.linalg.norm(got - want) / np.linalg.norm(want)),
    }
    with nvmath.fft.FFT(x, axes=[-1], execution=execution) as f:
        f.plan(epilog=epilog)
        row["rel_error_execute"] = float(np.linalg.norm(f.execute() - want) / np.linalg.norm(want))
        fns = {
            "nvmath_fft_epilog_ms": nvmath_stateless,
            "nvmath_execute_epilog_ms": f.execute,
            "scipy_fft_multiply_ms": scipy_multiply,
            "numpy_fft_multiply_ms": numpy_multiply,
            "scipy_fft_ms": lambda: sp_fft(x, axis=-1, workers=threads),
        }
        medians, samples = alternating_ms(fns, warmup=warmup, rounds=rounds)
    row.update(medians)
    row["ratio_nvmath_over_scipy_multiply"] = medians["nvmath_fft_epilog_ms"] / medians["scipy_fft_multiply_ms"]
    row["ratio_execute_over_scipy_multiply"] = medians["nvmath_execute_epilog_ms"] / medians["scipy_fft_multiply_ms"]
    row["ratio_numpy_multiply_over_scipy_multiply"] = (
        medians["numpy_fft_multiply_ms"] / medians["scipy_fft_multiply_ms"]
    )
    # Per-round ratios, to see the spread the machine's load gave.
    per_round = [a / b for a, b in zip(samples["nvmath_fft_epilog_ms"], samples["scipy_fft_multiply_ms"])]
    row["ratio_per_round_quartiles"] = statistics.quantiles(per_round, n=4) if len(per_round) > 1 else per_round
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--threads", type=int, default=available_cpus())
    parser.add_argument("--rounds", type=int, default=40, help="alternating timed rounds per shape")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--shapes", nargs="+", type=parse_shape, default=[parse_shape(s) for s in DEFAULT_SHAPES])
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads={args.threads}: give 1 or more")

    import nvmath

    res = {
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "rounds": args.rounds,
        "nvmath_file": nvmath.__file__,
        "epilog": "data_out[offset] = value * user_info[offset % m]",
        "shapes": [],
    }
    labels, values = [], []
    for shape, dtype in args.shapes:
        row = bench_shape(shape, dtype, args.threads, args.rounds, args.warmup)
        res["shapes"].append(row)
        name = f"{'x'.join(map(str, shape))} {dtype}"
        print(
            f"{name:24} nvmath fft {row['nvmath_fft_epilog_ms']:8.3f}  execute {row['nvmath_execute_epilog_ms']:8.3f}  "
            f"scipy+mul {row['scipy_fft_multiply_ms']:8.3f}  numpy+mul {row['numpy_fft_multiply_ms']:8.3f}  "
            f"scipy {row['scipy_fft_ms']:8.3f} ms  ratio {row['ratio_nvmath_over_scipy_multiply']:.3f} "
            f"(execute {row['ratio_execute_over_scipy_multiply']:.3f})  err {row['rel_error']:.1e}",
            flush=True,
        )
        for label, key in (
            ("nvmath fft", "ratio_nvmath_over_scipy_multiply"),
            ("nvmath execute", "ratio_execute_over_scipy_multiply"),
            ("numpy+mul", "ratio_numpy_multiply_over_scipy_multiply"),
        ):
            labels.append(f"{name} {label}")
            values.append(row[key])
    path = write(args.out, "fft_cpu", res)
    bar_chart(
        os.path.join(args.out, "fft_cpu.png"),
        f"CPU FFT + filter epilog, {args.threads} threads: time / (scipy.fft + in-place multiply)",
        labels,
        values,
        "ratio (median, lower is better)",
        reference=1.0,
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
