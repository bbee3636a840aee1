"""benchmarks/matmul_vs_peer.py's summary of rounds (no GPU, no nvmath-python needed)."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import matmul_vs_peer  # noqa: E402


def side(matmul, relu_bias, torch_after, torch_first=None):
    return {
        "matmul_ms": matmul,
        "relu_bias_ms": relu_bias,
        "torch_matmul_ms": torch_after,
        "torch_matmul_first_ms": torch_first if torch_first is not None else torch_after,
    }


def test_a_process_that_met_a_slower_gpu_is_told_apart_from_a_slower_matmul():
    # Ours 5% slower than theirs in every round, but so is PyTorch in our processes: the same
    # Matmul once each side is taken over PyTorch in its own process.
    rounds = [{"ours": side(1.05 * t, 1.05, 1.05 * t), "peer": side(t, 1.0, t)} for t in (1.4, 1.5, 1.6)]
    got = matmul_vs_peer.summarize(rounds)
    assert got["rounds_ratio_plain_over_peer"] == pytest.approx(1.05)
    assert got["rounds_ratio_torch_after_over_peer"] == pytest.approx(1.05)
    assert got["rounds_ratio_plain_over_peer_each_over_torch"] == pytest.approx(1.0)
    assert got["ours_rounds_ratio_plain_over_torch"] == pytest.approx(1.0)


def test_rounds_where_a_side_measured_nothing_are_left_out():
    rounds = [
        {"ours": side(1.0, 2.0, 1.0), "peer": side(2.0, 2.0, 1.0)},
        {"ours": {"matmul_ms": 1.0}, "peer": side(1.0, 1.0, 1.0)},  # ours lost its PyTorch figures
    ]
    got = matmul_vs_peer.summarize(rounds)
    assert got["rounds_ratios_plain_over_peer"] == [0.5, 1.0]
    assert got["rounds_ratio_plain_over_peer_each_over_torch"] == 0.5  # only the first round
    assert got["rounds_ratio_relu_bias_over_peer_each_over_torch"] == 1.0
