"""benchmarks/fft_conv_profile.py reads Nsight Compute's CSV report (no GPU needed for that)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import fft_conv_profile  # noqa: E402

REPORT = """==PROF== Connected to process 123
==PROF== Profiling "conv": 0%....50%....100% - 9 passes
"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","Section Name","Metric Name","Metric Unit","Metric Value"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","GPU Speed Of Light Throughput","Duration","usecond","765.31"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","Command line profiler metrics","dram__bytes_read.sum","byte","1,073,741,824"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","Command line profiler metrics","smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio","","3.25"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","Command line profiler metrics","smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio","","0.5"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","Command line profiler metrics","smsp__average_warps_issue_stalled_wait_per_issue_active.ratio","","1.75"
"0","123","python3","127.0.0.1","_ZN6cudapy4convE","1","7","(64, 1, 1)","(131072, 1, 1)","0","9.0","Launch Statistics","Function Cache Configuration","","CachePreferNone"
"""


def test_the_report_gives_every_metric_with_its_unit_and_numbers_as_numbers():
    metrics = fft_conv_profile.parse_csv(REPORT)
    assert metrics["Duration"] == [765.31, "usecond"]
    assert metrics["dram__bytes_read.sum"] == [1073741824, "byte"]  # thousands separators read
    assert metrics["Function Cache Configuration"] == ["CachePreferNone", ""]
    assert fft_conv_profile.parse_csv("==PROF== no kernel matched\n") == {}


def test_stall_reasons_come_largest_first():
    got = fft_conv_profile.stalls(fft_conv_profile.parse_csv(REPORT))
    assert list(got) == ["long_scoreboard", "wait", "mio_throttle"]
    assert got["long_scoreboard"] == 3.25


def test_without_ncu_it_skips(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fft_conv_profile.shutil, "which", lambda name: None)
    monkeypatch.setattr(fft_conv_profile.os.path, "exists", lambda p: False)
    assert fft_conv_profile.main(["--out", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out
