"""cuBLASLt matmul with a fused epilog against PyTorch; CPU-side cost of execute; FP8 vs bf16.

    python benchmarks/matmul_gpu.py [--out results] [--size 8192]

1. bf16 N x N x N with RELU_BIAS: TFLOP/s against PyTorch's plain ``a @ b`` and its
   ``relu(a @ b + bias)``.
2. 64 x 64 x 64 fp32 and bf16: CPU-side cost of one ``Matmul.execute`` against PyTorch's
   ``a @ b``, alternating in 15 rounds of 500 calls; ``rounds_ratio_execute_cpu_over_torch``
   (and ``_bf16``): the median over rounds of ours / PyTorch's (<= 1: nvmath costs no more).
   On the default stream the hot path replays a CUDA graph of its cuBLASLt call once a result
   address repeats; ``nvmath_execute_no_graphs_cpu_us`` is the same call without them.
3. FP8 e4m3 N x N x N (bf16 result) against bf16.
Medians of CUDA-event timings after warm-up, in one run, the contenders in turn over --rounds
rounds; ``rounds_ratio_*``: the median over rounds of each round's throughput ratio (>= 1: nvmath
at least as fast as PyTorch). The algorithms autotuning chose are recorded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import alternating_cpu_cost_us, bar_chart, torch_time_ms, write

_ALGORITHM_PROPERTIES = (
    "algorithm_id",
    "tile",
    "stages",
    "split_k",
    "reduction_scheme",
    "cta_swizzling",
    "cluster_shape",
)


def _plain(value):
    """A JSON-able form of an algorithm property (enums by name)."""
    if hasattr(value, "name"):
        return value.name
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--size", type=int, default=8192)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)

    import torch

    import nvmath
    from nvmath.linalg.advanced import Matmul

    n = args.size
    flops = 2.0 * n**3
    res = {"device": torch.cuda.get_device_name(), "size": n}
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    bias = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    relu_bias = Matmul(a, b)
    relu_bias.plan(epilog="RELU_BIAS", epilog_inputs={"bias": bias})
    relu_bias.autotune()  # the default: 10 interleaved rounds
    got = relu_bias.execute()
    want = torch.relu(a.float() @ b.float() + bias.float()[:, None])
    res["relu_bias_rel_error"] = float((got.float() - want).norm() / want.norm())
    plain = Matmul(a, b)
    plain.plan()
    plain.autotune()
    contenders = {
        "torch_matmul": lambda: a @ b,
        "torch_relu_bias": lambda: torch.relu(a @ b + bias[:, None]),
        "nvmath_relu_bias": relu_bias.execute,
        "nvmath_matmul": plain.execute,
    }
    # A GPU this busy heats up and clocks down as a run goes on: measure the contenders in turn,
    # several rounds, and keep each one's median over the rounds (no one is always measured first).
    rounds = {key: [] for key in contenders}
    for r in range(args.rounds):
        order = list(contenders) if r % 2 == 0 else list(reversed(contenders))
        for key in order:
            rounds[key].append(torch_time_ms(contenders[key], warmup=3, repeat=10))
    for key, times in rounds.items():
        res[f"{key}_ms"] = statistics.median(times)
        res[f"{key}_ms_rounds"] = times
    # Throughput ratios (>= 1: nvmath at least as fast), each round's pair measured side by side,
    # then the median over the rounds: the clock's drift cancels within a round.
    for name, mine, theirs in (
        ("rounds_ratio_plain_over_torch", "nvmath_matmul", "torch_matmul"),
        ("rounds_ratio_relu_bias_over_torch_matmul", "nvmath_relu_bias", "torch_matmul"),
        ("rounds_ratio_relu_bias_over_torch_relu_bias", "nvmath_relu_bias", "torch_relu_bias"),
    ):
        res[name] = statistics.median(t / m for m, t in zip(rounds[mine], rounds[theirs]))
    # What the autotuning chose, so that a difference can be traced to an algorithm.
    for key, mm in (("plain", plain), ("relu_bias", relu_bias)):
        algo = mm.algorithms[0]
        res[f"nvmath_{key}_algorithm"] = {name: _plain(getattr(algo, name, None)) for name in _ALGORITHM_PROPERTIES}
    relu_bias.free()
    plain.free()
    for key in ("torch_matmul", "torch_relu_bias", "nvmath_relu_bias", "nvmath_matmul"):
        res[f"{key}_tflops"] = flops / (res[f"{key}_ms"] * 1e-3) / 1e12
    res["ratio_nvmath_relu_bias_over_torch_matmul"] = res["nvmath_relu_bias_tflops"] / res["torch_matmul_tflops"]
    res["ratio_torch_relu_bias_over_torch_matmul"] = res["torch_relu_bias_tflops"] / res["torch_matmul_tflops"]

    # CPU-side cost of execute on a small problem, alternating with PyTorch's a @ b (the host's
    # clock drifts within a run: a figure measured apart can differ by 20%).
    for dtype, suffix in ((torch.float32, ""), (torch.bfloat16, "_bf16")):
        sa, sb = torch.randn(64, 64, device="cuda", dtype=dtype), torch.randn(64, 64, device="cuda", dtype=dtype)
        # "nvmath_no_graphs": the hot path without the CUDA graphs it replays on the default
        # stream (NVMATH_CALL_GRAPHS=0 when the plan is made), the cuBLASLt call every time.
        os.environ["NVMATH_CALL_GRAPHS"] = "0"
        try:
            plain_mm = Matmul(sa, sb)
            plain_mm.plan()
        finally:
            del os.environ["NVMATH_CALL_GRAPHS"]
        with Matmul(sa, sb) as mm, plain_mm:
            mm.plan()
            cost = alternating_cpu_cost_us(
                {"nvmath": mm.execute, "torch": lambda sa=sa, sb=sb: sa @ sb, "nvmath_no_graphs": plain_mm.execute},
                torch.cuda.synchronize,
            )
            res[f"nvmath_execute_graphs{suffix}"] = len(mm._backend._fast.graphs)
        res[f"nvmath_execute_no_graphs_cpu_us{suffix}"] = cost["median"]["nvmath_no_graphs"]
        res[f"nvmath_execute_cpu_us{suffix}"] = cost["median"]["nvmath"]
        res[f"torch_matmul_cpu_us{suffix}"] = cost["median"]["torch"]
        res[f"execute_cpu_us_rounds{suffix}"] = cost["rounds"]
        res[f"rounds_ratio_execute_cpu_over_torch{suffix}"] = statistics.median(
            o / t for o, t in zip(cost["rounds"]["nvmath"], cost["rounds"]["torch"])
        )

    # FP8 against bf16.
    try:
        a8, b8 = a.to(torch.float8_e4m3fn), b.to(torch.float8_e4m3fn)
        # A bf16 result (an FP8 one would need a d scale): the per-tensor scales of a and b are 1.
        bf16 = {"result_type": nvmath.CudaDataType.CUDA_R_16BF}
        with Matmul(a8, b8, options=bf16, quantization_scales={"a": 1.0, "b": 1.0}) as mm:
            mm.plan()
            res["nvmath_fp8_ms"] = torch_time_ms(mm.execute)
        res["nvmath_fp8_tflops"] = flops / (res["nvmath_fp8_ms"] * 1e-3) / 1e12
        res["fp8_speedup_over_nvmath_bf16"] = res["nvmath_matmul_ms"] / res["nvmath_fp8_ms"]
    except Exception as e:  # reported, the rest still stands
        res["fp8_error"] = f"{type(e).__name__}: {e}"

    write(args.out, "matmul_gpu", res)
    labels = ["PyTorch a@b", "PyTorch relu(a@b+bias)", "nvmath RELU_BIAS", "nvmath a@b", "nvmath FP8"]
    keys = [
        "torch_matmul_tflops",
        "torch_relu_bias_tflops",
        "nvmath_relu_bias_tflops",
        "nvmath_matmul_tflops",
        "nvmath_fp8_tflops",
    ]
    pairs = [(lab, res[k]) for lab, k in zip(labels, keys) if k in res]
    bar_chart(
        os.path.join(args.out, "matmul_gpu.png"),
        f"bf16 {n}^3 ({res['device']})",
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        "TFLOP/s",
    )
    for k, v in res.items():
        print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
