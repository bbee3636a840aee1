"""cuFFT with a fused epilog against a copy, CuPy and PyTorch; CPU-side cost of execute.

    python benchmarks/fft_gpu.py [--out results]

1. complex64 (16384, 4096), FFT over the last axis, epilog multiplying by a per-column
   filter (float32) in user_info; ratios to a device-to-device copy of the same array, and to
   CuPy / PyTorch doing FFT then multiply. Written ``value * w``, Numba promotes the real
   ``w`` to complex (4 multiplies, 2 adds); ``complex(value.real * w, value.imag * w)`` takes
   2 multiplies ("real_multiply"). Other variants: ``& 4095`` for ``% 4096`` ("mask"),
   fastmath, and cuFFT's patient JIT on and off. Floors: an epilog that only stores
   ("store_only") and one that multiplies by a constant ("constant").
2. The same FFT without callbacks against ``cupy.fft.fft``.
3. (8, 256) complex64: CPU-side cost of one ``FFT.execute`` over 1000 calls, and of
   ``cupy.fft.fft``.
Medians of CUDA-event timings after warm-up, all in one run; the ratios of the goals also in
alternating rounds ("rounds_ratio_*": the median over 7 rounds of the ratio within a round).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, cpu_cost_us, gpu_time_ms, torch_time_ms, write


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def scale_by_column_mask(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset & 4095]


def scale_by_column_real(data_out, offset, value, user_info, unused):
    # Each part times the real filter: 2 multiplies where complex * real promotes to 4 and 2 adds.
    w = user_info[offset % 4096]
    data_out[offset] = complex(value.real * w, value.imag * w)


def store_only(data_out, offset, value, user_info, unused):
    # The floor of any epilog: cuFFT's callback kernel, storing what it computed.
    data_out[offset] = value


def scale_by_constant(data_out, offset, value, user_info, unused):
    # The multiply without the filter's load.
    data_out[offset] = complex(value.real * 0.5, value.imag * 0.5)


def _with_patient_jit(cufft, value):
    """cuFFT's NVFFT_PLAN_PROPERTY_INT64_PATIENT_JIT set on plans made while this is active."""
    original = cufft.cufftXtMakePlanMany

    def make(handle, *args):
        cufft.cufftSetPlanPropertyInt64(handle, cufft.Property.INT64_PATIENT_JIT, value)
        return original(handle, *args)

    class _Patch:
        def __enter__(self):
            cufft.cufftXtMakePlanMany = make

        def __exit__(self, *exc):
            cufft.cufftXtMakePlanMany = original

    return _Patch()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    args = parser.parse_args(argv)

    import cupy as cp
    import numpy as np

    import nvmath

    rng = np.random.default_rng(0)
    shape = (16384, 4096)
    x = cp.asarray((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64))
    filt = cp.asarray(rng.standard_normal(shape[1]).astype(np.float32))
    y = cp.empty_like(x)

    res = {"device": cp.cuda.runtime.getDeviceProperties(0)["name"].decode(), "shape": shape}
    res["copy_ms"] = gpu_time_ms(lambda: y.__setitem__(Ellipsis, x))

    try:
        with nvmath.fft.FFT(x, axes=[1]) as f:
            f.plan(epilog=dict(function=scale_by_column, data=filt))
            res["nvmath_fft_epilog_ms"] = gpu_time_ms(f.execute)
            got = f.execute()
            want = cp.fft.fft(x, axis=1) * filt
            res["epilog_rel_error"] = float(cp.linalg.norm(got - want) / cp.linalg.norm(want))
            del got, want
    except RuntimeError as e:  # reported, so that the rest of the run still measures
        res["epilog_error"] = str(e)
        print(f"fused epilog failed: {e}", file=sys.stderr)
    # What the epilog's cost depends on: the index arithmetic, and cuFFT's patient JIT.
    from nvmath.bindings import cufft

    fast = nvmath.fft.compile_epilog(scale_by_column, "complex64", "float32", fastmath=True)
    variants = [
        ("store_only", store_only, None),
        ("constant", scale_by_constant, None),
        ("mask", scale_by_column_mask, None),
        ("real_multiply", scale_by_column_real, None),
        ("fastmath", fast, None),
        ("patient_jit", scale_by_column, 1),
        ("no_patient_jit", scale_by_column, 0),
    ]
    for name, fn, patient in variants:
        try:
            with _with_patient_jit(cufft, patient) if patient is not None else contextlib.nullcontext():
                with nvmath.fft.FFT(x, axes=[1]) as f:
                    t = time.perf_counter()
                    given = dict(function=fn, data=filt) if callable(fn) else dict(ltoir=fn, data=filt)
                    f.plan(epilog=given)
                    res[f"nvmath_fft_epilog_{name}_plan_s"] = time.perf_counter() - t
                    res[f"nvmath_fft_epilog_{name}_ms"] = gpu_time_ms(f.execute)
        except Exception as e:
            res[f"nvmath_fft_epilog_{name}_error"] = f"{type(e).__name__}: {e}"
    with nvmath.fft.FFT(x, axes=[1]) as f:
        f.plan()
        res["nvmath_fft_ms"] = gpu_time_ms(f.execute)
    res["cupy_fft_ms"] = gpu_time_ms(lambda: cp.fft.fft(x, axis=1))
    res["cupy_fft_multiply_ms"] = gpu_time_ms(lambda: cp.fft.fft(x, axis=1) * filt)
    try:
        import torch

        tx = torch.as_tensor(x, device="cuda")
        tf = torch.as_tensor(filt, device="cuda")
        torch.cuda.synchronize()
        # torch runs on its own current stream: time it with torch's events.
        res["torch_fft_multiply_ms"] = torch_time_ms(lambda: torch.fft.fft(tx, dim=1) * tf, repeat=30)
    except ImportError:
        pass

    # The goals' ratios once more, in alternating rounds: the copy alone measured 0.366-0.378 ms
    # between runs, and clocks drift within one. Each round times every contender once (in a
    # rotated order); a ratio is the median over rounds of the ratio within a round.
    plans = {}
    try:
        for name, fn in (
            ("epilog", scale_by_column),
            ("real_multiply", scale_by_column_real),
            ("fastmath", fast),
            ("store_only", store_only),
            ("nvmath_fft", None),
        ):
            plans[name] = f = nvmath.fft.FFT(x, axes=[1])
            given = None if fn is None else dict(function=fn, data=filt) if callable(fn) else dict(ltoir=fn, data=filt)
            f.plan(epilog=given)
        contenders = {
            "copy": lambda: y.__setitem__(Ellipsis, x),
            "cupy_fft": lambda: cp.fft.fft(x, axis=1),
            **{name: f.execute for name, f in plans.items()},
        }
        order = list(contenders)
        rounds = {name: [] for name in order}
        for r in range(7):
            for name in order[r % len(order) :] + order[: r % len(order)]:
                rounds[name].append(gpu_time_ms(contenders[name], warmup=2, repeat=15))
        res["rounds_ms"] = rounds

        def ratio(a, b):
            return statistics.median(ta / tb for ta, tb in zip(rounds[a], rounds[b]))

        for name in ("epilog", "real_multiply", "fastmath", "store_only", "nvmath_fft"):
            res[f"rounds_ratio_{name}_over_copy"] = ratio(name, "copy")
        res["rounds_ratio_nvmath_fft_over_cupy_fft"] = ratio("nvmath_fft", "cupy_fft")
    except Exception as e:
        res["rounds_error"] = f"{type(e).__name__}: {e}"
    finally:
        for f in plans.values():
            f.free()

    c = res["copy_ms"]
    if "nvmath_fft_epilog_ms" in res:
        res["ratio_nvmath_epilog_over_copy"] = res["nvmath_fft_epilog_ms"] / c
    for name in ("store_only", "constant", "real_multiply", "mask", "fastmath"):
        if f"nvmath_fft_epilog_{name}_ms" in res:
            res[f"ratio_nvmath_epilog_{name}_over_copy"] = res[f"nvmath_fft_epilog_{name}_ms"] / c
    res["ratio_cupy_fft_multiply_over_copy"] = res["cupy_fft_multiply_ms"] / c
    if "torch_fft_multiply_ms" in res:
        res["ratio_torch_fft_multiply_over_copy"] = res["torch_fft_multiply_ms"] / c
    res["ratio_nvmath_fft_over_cupy_fft"] = res["nvmath_fft_ms"] / res["cupy_fft_ms"]

    # CPU-side cost of execute on a small problem.
    small = cp.asarray((rng.standard_normal((8, 256)) + 1j * rng.standard_normal((8, 256))).astype(np.complex64))
    sync = cp.cuda.get_current_stream().synchronize
    # Loops of the two alternate: the host's CPU speed drifts within a run (seen: CuPy 20 -> 13 us).
    with nvmath.fft.FFT(small, axes=[1]) as f:
        f.plan()
        ours, theirs = [], []
        for _ in range(5):
            ours += cpu_cost_us(f.execute, sync, loops=1)[1]
            theirs += cpu_cost_us(lambda: cp.fft.fft(small, axis=1), sync, loops=1)[1]
    res["nvmath_execute_cpu_us"], res["nvmath_execute_cpu_us_loops"] = statistics.median(ours), ours
    res["cupy_fft_cpu_us"], res["cupy_fft_cpu_us_loops"] = statistics.median(theirs), theirs
    res["ratio_nvmath_execute_over_cupy_fft_cpu"] = statistics.median(a / b for a, b in zip(ours, theirs))

    write(args.out, "fft_gpu", res)
    labels = [
        "copy",
        "nvmath FFT+epilog",
        "nvmath FFT+epilog, 2 multiplies",
        "CuPy FFT, multiply",
        "PyTorch FFT, multiply",
        "nvmath FFT",
        "CuPy FFT",
    ]
    keys = [
        "copy_ms",
        "nvmath_fft_epilog_ms",
        "nvmath_fft_epilog_real_multiply_ms",
        "cupy_fft_multiply_ms",
        "torch_fft_multiply_ms",
        "nvmath_fft_ms",
        "cupy_fft_ms",
    ]
    pairs = [(lab, res[k] / c) for lab, k in zip(labels, keys) if k in res]
    bar_chart(
        os.path.join(args.out, "fft_gpu.png"),
        f"complex64 {shape}, last axis ({res['device']})",
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
