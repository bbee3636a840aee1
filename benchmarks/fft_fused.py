"""The fused cuFFTDx kernel behind nvmath.fft.FFT against a copy, cuFFT and CuPy.

    python benchmarks/fft_fused.py [--out results] [--shape 16384 4096]

complex64 (16384, 4096) by default, FFT over the last axis, epilog ``value *
user_info[offset % 4096]`` (a float32 per-column filter, as in ``fft_gpu.py``). Contenders,
timed in alternating rounds (each round times every contender once, in a rotated order; CUDA
events, medians after warm-up):

- ``copy``: ``cupy.copyto`` of the array (512 MiB at the default shape), the floor;
- ``cufft``: nvmath's FFT without callbacks (cuFFT);
- ``cufft_lto_epilog``: the epilog as a cuFFT LTO callback (``fused_kernel="cufft"``);
- ``fused_epilog``: the epilog in nvmath's fused cuFFTDx kernel (``fused_kernel="cufftdx"``,
  the first candidate's knobs), and ``fused_epilog_<knobs>`` for every candidate;
- ``fused_epilog_real``: the same with ``complex(value.real * w, value.imag * w)``;
- ``default_epilog``: the epilog with default options (``fused_kernel="auto"``: the kernel the
  plan chose by timing, afresh); its ratio is also written as ``rounds_ratio_fused_over_copy``;
- ``cupy_fft_multiply``: ``cupy.fft.fft`` then the multiply.

JSON (``fft_fused.json``) with the medians, ``rounds_ms`` and ``rounds_ratio_<name>_over_copy``
(the median over rounds of the ratio within a round), the automatic choice made for the
problem and its timings, errors against NumPy-equivalent CuPy results; a PNG chart.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, gpu_time_ms, write


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def scale_by_column_real(data_out, offset, value, user_info, unused):
    w = user_info[offset % 4096]
    data_out[offset] = complex(value.real * w, value.imag * w)


def registers(kernel) -> int | None:
    """Registers a thread of the compiled fused ``kernel`` uses (None where numba does not say)."""
    try:
        kernel.prepare()
        return int(kernel.dispatcher.compile(kernel.signature())._codelibrary.get_cufunc().attrs.regs)
    except Exception:
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--shape", type=int, nargs=2, default=(16384, 4096), metavar=("BATCH", "N"))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)

    import cupy as cp
    import numpy as np

    import nvmath
    from nvmath.fft import _fused, _fused_select

    logging.basicConfig(level=logging.WARNING)
    batch, n = args.shape
    if n != 4096:
        raise SystemExit("the epilog indexes user_info[offset % 4096]: use N = 4096")
    rng = np.random.default_rng(0)
    x = cp.asarray((rng.standard_normal((batch, n)) + 1j * rng.standard_normal((batch, n))).astype(np.complex64))
    filt = cp.asarray(rng.standard_normal(n).astype(np.float32))
    y = cp.empty_like(x)
    want = cp.fft.fft(x, axis=1) * filt

    res = {
        "device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(),
        "shape": [batch, n],
        "bytes": int(x.nbytes),
    }
    plans, contenders = {}, {"copy": lambda: cp.copyto(y, x)}

    def add_plan(name, mode, epilog, knobs=None):
        t = time.perf_counter()
        f = nvmath.fft.FFT(x, axes=[1], options={"fused_kernel": mode})
        f.plan(epilog=None if epilog is None else {"function": epilog, "data": filt})
        if knobs is not None:
            f._backend._fused.knobs = knobs
            f._backend._fused.kernel(knobs)  # compiled (or loaded) before timing
            f._hot = f._backend.hot_path(f._plan)
        res[f"{name}_plan_s"] = time.perf_counter() - t
        if epilog is not None:
            got = f.execute()
            res[f"{name}_rel_error"] = float(cp.linalg.norm(got - want) / cp.linalg.norm(want))
            del got
        plans[name] = f
        contenders[name] = f.execute

    for name, mode, epilog in (
        ("cufft", "cufft", None),
        ("cufft_lto_epilog", "cufft", scale_by_column),
        ("fused_epilog", "cufftdx", scale_by_column),
        ("fused_epilog_real", "cufftdx", scale_by_column_real),
    ):
        try:
            add_plan(name, mode, epilog)
        except Exception as e:  # reported; the rest still measures
            res[f"{name}_error"] = f"{type(e).__name__}: {e}"
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
    # Every candidate's knobs, with the plain epilog.
    if "fused_epilog" in plans:
        fused = plans["fused_epilog"]._backend._fused
        for knobs in fused.candidates(8):
            name = f"fused_epilog_{knobs.label()}"
            try:
                add_plan(name, "cufftdx", scale_by_column, knobs)
                res[f"{name}_registers"] = registers(fused.kernel(knobs))
            except Exception as e:
                res[f"{name}_error"] = f"{type(e).__name__}: {e}"
        res["fused_epilog_kernel"] = fused.kernel(fused.knobs).describe()
    # The default path (fused_kernel="auto"), chosen afresh (no record) as a user's first plan
    # would choose it, then measured in the rounds like the others.
    saved = _fused_select.record_path
    _fused_select.record_path = lambda: None
    _fused_select._choices.clear()
    try:
        t = time.perf_counter()
        f = nvmath.fft.FFT(x, axes=[1])
        f.plan(epilog={"function": scale_by_column, "data": filt})
        res["auto_plan_s"] = time.perf_counter() - t
        fused = f._backend._fused
        res["auto_choice"] = "cufft" if fused is None else fused.knobs.label()
        got = f.execute()
        res["default_epilog_rel_error"] = float(cp.linalg.norm(got - want) / cp.linalg.norm(want))
        del got
        plans["default_epilog"] = f
        contenders["default_epilog"] = f.execute
        (entry,) = _fused_select._choices.values()
        res["auto_times_ms"] = entry.get("times_ms")
    except Exception as e:
        res["auto_error"] = f"{type(e).__name__}: {e}"
    finally:
        _fused_select.record_path = saved
    contenders["cupy_fft_multiply"] = lambda: cp.fft.fft(x, axis=1) * filt

    for name, fn in contenders.items():
        res[f"{name}_ms"] = gpu_time_ms(fn)
    order = list(contenders)
    rounds = {name: [] for name in order}
    for r in range(args.rounds):
        for name in order[r % len(order) :] + order[: r % len(order)]:
            rounds[name].append(gpu_time_ms(contenders[name], warmup=2, repeat=15))
    res["rounds_ms"] = rounds
    for name in order[1:]:
        res[f"rounds_ratio_{name}_over_copy"] = statistics.median(a / b for a, b in zip(rounds[name], rounds["copy"]))
    if "rounds_ratio_default_epilog_over_copy" in res:
        # The figure: the README's filter epilog on the default path.
        res["rounds_ratio_fused_over_copy"] = res["rounds_ratio_default_epilog_over_copy"]

    for f in plans.values():
        f.free()
    res["fused_module"] = _fused.__name__

    write(args.out, "fft_fused", res)
    labels = {
        "cufft": "nvmath FFT (cuFFT)",
        "cufft_lto_epilog": "cuFFT + LTO epilog",
        "default_epilog": "nvmath epilog, default options",
        "fused_epilog": "nvmath fused epilog",
        "fused_epilog_real": "nvmath fused epilog, 2 multiplies",
        "cupy_fft_multiply": "CuPy FFT, multiply",
    }
    pairs = [
        (lab, res[f"rounds_ratio_{k}_over_copy"]) for k, lab in labels.items() if f"rounds_ratio_{k}_over_copy" in res
    ]
    bar_chart(
        os.path.join(args.out, "fft_fused.png"),
        f"complex64 {tuple(args.shape)}, last axis, epilog x filter ({res['device']})",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        "time / device copy",
        reference=1.0,
    )
    for k, v in res.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
