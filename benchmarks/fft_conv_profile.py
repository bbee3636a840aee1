"""Where the device convolution's time goes: Nsight Compute figures of its kernel forms.

    python benchmarks/fft_conv_profile.py [--out results] [--only ept16_fpb2_vec,ept32_fpb2_vec]

For each form of benchmarks/fft_conv_device.py named in ``--only``, that benchmark runs once
(one round) under ``ncu --clock-control none`` (the GPU at the clocks it runs at, as in the
timed rounds), which profiles one launch of the form's kernel after three: its duration, DRAM
and SM throughput against their peaks, the issue slots used, achieved occupancy, shared-memory
wavefronts and bank conflicts, and the cycles a warp stalls per issued instruction, by reason.
Where the kernel moves the array at the copy's bandwidth the DRAM figure is near the copy's;
where it does not, the stall reasons say why (``long_scoreboard``: waiting on global memory,
too few loads in flight; ``short_scoreboard``/``mio_throttle``: shared memory;
``math_pipe_throttle``/``not_selected``: the instruction rate).

Writes ``<out>/fft_conv_profile.json`` (every metric of every form, with units) and
``<out>/fft_conv_profile.png`` (the stall reasons per form). Without ``ncu`` on the PATH it
prints a skip line and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import pyplot, write

NAME = "fft_conv_profile"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FORMS = "ept16_fpb2_vec,ept32_fpb2_vec,ept16_fpb2_vec_hf_grid8,ept16_fpb2_vec_pf_grid8"
SECTIONS = ("SpeedOfLight", "Occupancy", "LaunchStats", "SchedulerStats", "WarpStateStats", "MemoryWorkloadAnalysis")
METRICS = (
    "device__attribute_display_name",
    "regex:smsp__average_warps_issue_stalled_.*_per_issue_active\\.ratio",
    "smsp__issue_active.avg.pct_of_peak_sustained_active",
    "smsp__inst_executed.sum",
    "dram__bytes_read.sum",
    "dram__bytes_write.sum",
    "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum",
    "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum",
    "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum",
)
# The figures printed per form (the JSON has all): (metric name, short label). The sections'
# metrics come under the names ncu's details page shows; those of --metrics under their own.
SUMMARY = (
    ("Duration", "time"),
    ("DRAM Throughput", "dram"),
    ("Compute (SM) Throughput", "sm"),
    ("smsp__issue_active.avg.pct_of_peak_sustained_active", "issue"),
    ("Achieved Occupancy", "occupancy"),
    ("Registers Per Thread", "regs"),
)
STALL_PREFIX = "smsp__average_warps_issue_stalled_"
STALL_SUFFIX = "_per_issue_active.ratio"


def number(text: str):
    """An ncu CSV value as a number where it is one ('1,234.5' -> 1234.5), else the text."""
    cleaned = text.replace(",", "").strip()
    try:
        return int(cleaned)
    except ValueError:
        try:
            return float(cleaned)
        except ValueError:
            return text.strip()


def parse_csv(text: str) -> dict:
    """ncu's ``--csv`` report (``--page details`` and raw metrics alike): {metric: [value, unit]}
    of the one profiled launch. Lines before the header (ncu's own messages) are skipped."""
    start = text.find('"ID"')
    if start < 0:
        return {}
    out = {}
    for row in csv.DictReader(io.StringIO(text[start:])):
        name = row.get("Metric Name")
        if name:
            out[name] = [number(row.get("Metric Value", "")), row.get("Metric Unit", "")]
    return out


def stalls(metrics: dict) -> dict:
    """Cycles a warp stalled per issued instruction, by reason, largest first."""
    got = {
        name[len(STALL_PREFIX) : -len(STALL_SUFFIX)]: value
        for name, (value, _) in metrics.items()
        if name.startswith(STALL_PREFIX) and name.endswith(STALL_SUFFIX) and isinstance(value, (int, float))
    }
    return dict(sorted(got.items(), key=lambda kv: -kv[1]))


def profile(ncu: str, form: str, gib: float, timeout: float) -> dict:
    """One run of fft_conv_device.py for ``form`` under ncu; its kernel's metrics."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "ncu.csv")
        command = [ncu, "--clock-control", "none", "--kernel-name", "regex:conv", "--launch-skip", "3"]
        command += ["--launch-count", "1", "--csv", "--page", "details", "--log-file", log]
        for section in SECTIONS:
            command += ["--section", section]
        command += ["--metrics", ",".join(METRICS)]
        command += [sys.executable, os.path.join(HERE, "fft_conv_device.py"), "--out", tmp, "--rounds", "1"]
        command += ["--gib", str(gib), "--only", form]
        t0 = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        report = ""
        if os.path.exists(log):
            with open(log) as f:
                report = f.read()
        metrics = parse_csv(report)
        out = {"metrics": metrics, "wall_s": round(time.perf_counter() - t0, 1)}
        if run.returncode != 0 or not metrics:
            out["error"] = f"rc {run.returncode}: " + (run.stderr or report)[-2000:]
        return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--only", default=DEFAULT_FORMS, help="comma-separated forms of fft_conv_device.py")
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds for one form's profiled run")
    args = parser.parse_args(argv)
    ncu = shutil.which("ncu") or next((p for p in ("/usr/local/cuda/bin/ncu",) if os.path.exists(p)), None)
    if ncu is None:
        print(f"{NAME}: skipped: ncu (Nsight Compute) is not on the PATH")
        return 0
    res = {"benchmark": NAME, "ncu": ncu, "gib": args.gib, "forms": {}}
    status = 0
    for form in [f for f in args.only.split(",") if f]:
        try:
            got = profile(ncu, form, args.gib, args.timeout)
        except subprocess.TimeoutExpired:
            got = {"error": f"timed out after {args.timeout} s", "metrics": {}}
        got["stalls"] = stalls(got["metrics"])
        res["forms"][form] = got
        m = got["metrics"]
        if "error" in got:
            status = 1
            print(f"{NAME}: {form}: {got['error']}", flush=True)
            continue
        figures = ", ".join(f"{label} {' '.join(str(x) for x in m.get(name, ['?']))}" for name, label in SUMMARY)
        top = ", ".join(f"{k} {v:.2f}" for k, v in list(got["stalls"].items())[:5])
        print(f"{NAME}: {form}: {figures}; stalls a warp per instruction: {top}", flush=True)
        res.setdefault("device", m.get("device__attribute_display_name", [None])[0])
    write(args.out, NAME, res)
    chart(os.path.join(args.out, f"{NAME}.png"), res)
    return status


def chart(path: str, res: dict) -> None:
    """Stacked bars: a form's stall cycles per issued instruction, by reason (the top six)."""
    plt = pyplot()
    forms = {k: v["stalls"] for k, v in res["forms"].items() if v.get("stalls")}
    if plt is None or not forms:
        return
    totals = {}
    for s in forms.values():
        for reason, value in s.items():
            totals[reason] = totals.get(reason, 0.0) + value
    reasons = sorted(totals, key=lambda r: -totals[r])[:6]
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(forms)), 3.6))
    bottom = [0.0] * len(forms)
    for reason in reasons:
        values = [s.get(reason, 0.0) for s in forms.values()]
        ax.bar(list(forms), values, bottom=bottom, label=reason)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("stall cycles per issued instruction")
    ax.set_title(f"device FFT convolution under ncu ({res.get('device') or 'GPU'})", fontsize=10)
    ax.legend(fontsize=7)
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
