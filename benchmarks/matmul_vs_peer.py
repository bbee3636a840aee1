"""bf16 matmul, this checkout against nvmath-python, in alternating processes.

    python benchmarks/matmul_vs_peer.py [--out results] [--rounds 4] [--peer-dir /tmp/peer]

Both projects import as ``nvmath``, so they never share a process: each round runs
benchmarks/_peer_child.py's ``matmul`` measurement once against this checkout and once against
nvmath-python (the order alternating round by round, so that neither always meets the cooler
GPU), each in a fresh process from an empty folder. A child plans and autotunes (the default
10 iterations) bf16 N^3 with RELU_BIAS and without an epilog, takes the median of 20 CUDA-event timings after
5 warm-up calls, then PyTorch's ``a @ b`` the same way, and the CPU-side cost of one
``Matmul.execute`` (fp32 64^3) and of PyTorch's ``a @ b``.

Writes OUT/matmul_vs_peer.json: every round's figures and ``rounds_ratio_*``, the median over
rounds of ours / nvmath-python's time (<= 1: this checkout at least as fast), and
``rounds_ratio_*_over_torch`` from the same processes. Without the peer in --peer-dir it prints
a skip line and exits 0.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, write
from peer_nvmath_python import add_peer_arguments, child_env, find_peer, run_child

NAME = "matmul_vs_peer"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (child key, name in the result): times, lower is better.
METRICS = (
    ("matmul_ms", "plain"),
    ("relu_bias_ms", "relu_bias"),
    ("matmul_execute_cpu_us", "execute_cpu"),
    # PyTorch's a @ b in either side's process, before and after its Matmuls: near 1 where the
    # two processes met the GPU alike (the same kernel, so any gap is the GPU's state).
    ("torch_matmul_first_ms", "torch_first"),
    ("torch_matmul_ms", "torch_after"),
)


def our_env(peer_env: dict, site_dir: str) -> dict:
    """The peer child's environment pointed at this checkout instead of nvmath-python."""
    env = dict(peer_env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, site_dir) if p and os.path.isdir(p))
    env["NVMATH_PEER_DIR"] = ROOT
    env["NVMATH_EXPECT_VERSION"] = ""
    return env


def _chosen(side: dict, key: str) -> str:
    """The algorithm a side's autotuning put first: id, tile and cluster shape."""
    algos = side.get(key) or [{}]
    a = algos[0]
    return f"id {a.get('algorithm_id')} tile {a.get('tile')} cluster {a.get('cluster_shape')} of {len(algos)}"


def summarize(rounds: list) -> dict:
    """Per metric, the median over the rounds where both sides measured it of ours / theirs."""
    out = {}
    for key, name in METRICS:
        ratios = [
            r["ours"][key] / r["peer"][key]
            for r in rounds
            if isinstance(r["ours"].get(key), (int, float)) and isinstance(r["peer"].get(key), (int, float))
        ]
        if ratios:
            out[f"rounds_ratio_{name}_over_peer"] = statistics.median(ratios)
            out[f"rounds_ratios_{name}_over_peer"] = ratios
    for side in ("ours", "peer"):
        for key, torch_key, name in (
            ("matmul_ms", "torch_matmul_ms", "plain"),
            ("relu_bias_ms", "torch_matmul_ms", "relu_bias"),
            ("matmul_execute_cpu_us", "torch_matmul_cpu_us", "execute_cpu"),
        ):
            ratios = [
                r[side][key] / r[side][torch_key]
                for r in rounds
                if isinstance(r[side].get(key), (int, float)) and isinstance(r[side].get(torch_key), (int, float))
            ]
            if ratios:
                out[f"{side}_rounds_ratio_{name}_over_torch"] = statistics.median(ratios)
    # Each side against PyTorch in its own process, then ours over theirs, per round: what is
    # left of ours / theirs once the GPU state each process met (PyTorch's time there) is
    # taken out.
    for key, name in (("matmul_ms", "plain"), ("relu_bias_ms", "relu_bias")):
        ratios = [
            (r["ours"][key] / r["ours"]["torch_matmul_ms"]) / (r["peer"][key] / r["peer"]["torch_matmul_ms"])
            for r in rounds
            if all(isinstance(r[s].get(k), (int, float)) for s in ("ours", "peer") for k in (key, "torch_matmul_ms"))
        ]
        if ratios:
            out[f"rounds_ratio_{name}_over_peer_each_over_torch"] = statistics.median(ratios)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_peer_arguments(parser, timeout=120.0, budget=300.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)

    peer_dir = os.path.abspath(args.peer_dir)
    version = find_peer(peer_dir)
    if version is None:
        print(f"{NAME}: skipped: no nvmath-python in {peer_dir}")
        return 0
    site_dir = os.path.abspath(args.site_dir) if args.site_dir else ""
    envs = {"peer": child_env(peer_dir, site_dir, own_libmathdx=True)}
    envs["ours"] = our_env(envs["peer"], site_dir)
    deadline = time.monotonic() + args.budget
    rounds, errors = [], []
    for i in range(args.rounds):
        order = ("ours", "peer") if i % 2 == 0 else ("peer", "ours")
        got = {}
        for side in order:
            left = min(args.timeout, deadline - time.monotonic())
            if left < 20:
                break
            got[side] = run_child("matmul", envs[side], left)
            if "error" in got[side] or got[side].get("errors"):
                errors.append(
                    {"round": i, "side": side, "error": got[side].get("error"), "errors": got[side].get("errors")}
                )
        if len(got) < 2:
            break
        rounds.append({"order": list(order), **got})
        print(
            f"{NAME}: round {i}: "
            + ", ".join(
                f"{s} plain {got[s].get('matmul_ms', float('nan')):.4f} ms ({_chosen(got[s], 'matmul_algorithms')}), "
                f"relu_bias {got[s].get('relu_bias_ms', float('nan')):.4f} ms "
                f"({_chosen(got[s], 'relu_bias_algorithms')})"
                for s in order
            ),
            flush=True,
        )
    res = {
        "benchmark": NAME,
        "peer": "nvmath-python",
        "peer_version": version,
        "device": next((r[s].get("device") for r in rounds for s in ("ours", "peer") if r[s].get("device")), None),
        "size": next((r["ours"].get("size") for r in rounds if r["ours"].get("size")), None),
        "method": "alternating processes; in each: plan, autotune() (10 iterations), median of 20 CUDA-event "
        "times after 5 warm-up calls, each timing after the GPU idled 0.5 s; PyTorch a @ b likewise in the same "
        "process, before the Matmuls "
        "(torch_first) and after them (torch_after); CPU cost: 1000 calls",
        "rounds": rounds,
        "errors": errors,
        **summarize(rounds),
    }
    path = write(args.out, NAME, res)
    for k, v in res.items():
        if k.startswith(("rounds_ratio_", "ours_rounds", "peer_rounds")):
            print(f"{NAME}: {k} = {v:.4f}")
    labels = [
        k
        for k in (
            "rounds_ratio_plain_over_peer",
            "rounds_ratio_relu_bias_over_peer",
            "rounds_ratio_execute_cpu_over_peer",
            "rounds_ratio_plain_over_peer_each_over_torch",
            "rounds_ratio_relu_bias_over_peer_each_over_torch",
        )
        if k in res
    ]
    if labels:
        bar_chart(
            os.path.join(args.out, NAME + ".png"),
            f"nvmath-fusion / nvmath-python {version}, alternating processes ({res['device']})",
            [k[len("rounds_ratio_") :].replace("_over_peer", "") for k in labels],
            [res[k] for k in labels],
            "time ratio (<= 1: nvmath-fusion no slower)",
            reference=1.0,
        )
    print(f"{NAME}: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
