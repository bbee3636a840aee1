"""benchmarks/fft_cpu_scaling.py runs end to end on a small shape (the device session runs it
on the 16-core host, where a failure would cost a device call)."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_scaling_benchmark_writes_every_part_for_every_thread_count(tmp_path):
    script = os.path.join(ROOT, "benchmarks", "fft_cpu_scaling.py")
    args = ["--shapes", "8x64:c64", "6x30:f32", "--rounds", "2", "--warmup", "1", "--threads", "3"]
    done = subprocess.run(
        [sys.executable, script, *args, "--out", str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "fft_cpu_scaling.json").read_text())
    assert result["threads"] == [1, 2, 3]
    assert set(result["host"]["compute_speedup"]) == set(result["host"]["copy_gb_per_s"]) == {"1", "2", "3"}
    assert [row["fft_type"] for row in result["shapes"]] == ["C2C", "R2C"]
    for row in result["shapes"]:
        for key in ("scipy_fft_ms", "epilog_pass_ms", "execute_ms"):
            assert set(row[key]) == {"1", "2", "3"} and all(v > 0 for v in row[key].values())
        assert row["multiply_ms"] > 0 and row["best_pass_threads"] in (1, 2, 3)
