"""nvmath-python's cuBLASDx performance examples, unmodified, against this checkout and nvmath-python.

    python benchmarks/cublasdx_examples_perf.py [--out results] [--rounds 3]
        [--examples-dir .peer-examples/examples/device] [--peer-dir /tmp/peer] [--site-dir /tmp/site]

The examples (from nvmath-python v0.9.0's ``examples/device``) time their kernels themselves with
CUDA events, after a launch of their own that compiles, and print the figures:

* ``cublasdx_single_gemm_performance.py``: one block, 32x32x64 complex fp16 GEMM repeated in the
  kernel; ``Avg time [ms]`` of one GEMM, ``Performance [GFLOPS]``.
* ``cublasdx_single_gemm_tensor_performance.py``: the same with the tensor API, 64^3 real fp16.
* ``cublasdx_device_gemm_performance.py``: 8192^3 fp32 GEMM from 256x128x16 tiles, double-buffered
  shared memory; ``Avg time [ms]`` and cuBLASLt's in the same process.
* ``cublasdx_device_gemm_performance_pipeline.py``: 8192^3 fp16 -> fp32 with cuBLASDx's device
  pipeline; ``Avg time [ms]`` and cuBLASLt's.
* ``cublasdx_fused_gemm_performance.py``: two chained 32^3 complex fp32 GEMMs in one block;
  ``cuBLASDx average time [ms]``.

Each example runs in fresh processes, once with PYTHONPATH=SITE_DIR:<this checkout> ("ours") and
once with PYTHONPATH=PEER_DIR:SITE_DIR ("peer", nvmath-python installed with pip --target, its
libmathdx first on LD_LIBRARY_PATH as in peer_nvmath_python.py). A small wrapper
(_cublasdx_example_child.py) checks which ``nvmath`` the process imports before it runs the
example as ``__main__``. Each contender and example has its own NVMATH_CACHE_DIR; one warm-up
process each comes first and is not counted, then ``--rounds`` rounds alternate ours and peer
(ours first in even rounds, peer first in odd ones); when a whole round no longer fits the
``--budget``, the rounds go on with the examples that fit, shortest first (nvmath-python
compiles in every process: its slow examples would otherwise cap the quick ones, whose
figures vary most, at one round). Reported: the median over rounds of every
printed figure, the process wall time (warm caches: imports, compilation or cache loads, data
preparation, the example's own checks), the ratio ours / peer of each median, and the median of
the time's ratios within each round (ours over the peer's process of the same round). For the
chained-GEMM example, whose figure is a mean over host launches, each run also carries the
child's ``launch_detail``: the launches' spread and their order, the ``kernel[...]``
configurations' cost and the garbage collections from the first launch to the last (set
NVMATH_CHILD_GC_FREEZE=1 to freeze the collector's generations before the first launch).
Every process runs on the CPUs next to the GPU (``--pin gpu-local``, the default, where they are
not all the CPUs; ``--pin none``: anywhere; ``--pin 2-5``: on those CPUs, the same for every
contender, where the GPU's side is the whole machine, as in a virtual machine).
``--ours-variant NAME:VAR=VALUE,...`` (repeatable) adds a contender ``ours:NAME``: this checkout
with those environment variables, in the same rounds (with its own cache and warm-up), its
within-round ratios over the peer reported beside ours'.
``--pin-one`` runs each round's processes, every contender's, on one CPU of ``--pin``'s, the
next CPU the next round: on the H200 a process kept its CPU for life, and a process launched at
about 50 or 85 us for life, on whichever CPU was slow at the time.
``--gap S`` leaves the machine idle S seconds before each timed process, whoever it is: on the
H200 the slow launches came in spells that span processes, and a process that launches seconds
after the previous one exits (this project's) met them more often than one that compiles first.

Writes OUT/cublasdx_examples_perf.json and OUT/cublasdx_examples_perf.png. Without the examples
folder or without nvmath-python in PEER_DIR, prints why and exits 0.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _common import pyplot  # noqa: E402
from peer_nvmath_python import child_env, find_peer, peer_libmathdx_dir  # noqa: E402

NAME = "cublasdx_examples_perf"
CHILD = os.path.join(HERE, "_cublasdx_example_child.py")
EXAMPLES = (
    "cublasdx_single_gemm_performance",
    "cublasdx_single_gemm_tensor_performance",
    "cublasdx_device_gemm_performance",
    "cublasdx_device_gemm_performance_pipeline",
    "cublasdx_fused_gemm_performance",
)
_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)"
# (key, pattern, unit, which way is better): the figures the examples print, one per line.
FIGURES = (
    ("time_ms", r"^Avg time \[ms\]:\s*" + _NUMBER, "ms", "lower"),
    ("time_ms", r"^cuBLASDx average time \[ms\]\s*=\s*" + _NUMBER, "ms", "lower"),
    ("gflops", r"^Performance \[GFLOPS\]:\s*" + _NUMBER, "GFLOP/s", "higher"),
    ("cublaslt_ms", r"^Avg time cublaslt \[ms\]:\s*" + _NUMBER, "ms", "lower"),
    ("dx_over_cublaslt", r"^Numba cuBLASDx / cuBLASLt timinig = " + _NUMBER, "x", "lower"),
    ("error", r"^Error:\s*" + _NUMBER, "", None),
    ("pipeline_depth", r"^Pipeline depth:\s*" + _NUMBER, "", None),
)
UNITS = {key: (unit, better) for key, _, unit, better in FIGURES}
UNITS["wall_s"] = ("s", "lower")
# Where a figure is a mean over host launches, the child also times the launches and the kernel
# alone (_cublasdx_example_child.py, NVMATH_CHILD_LAUNCH_PROBE).
PROBED = ("cublasdx_fused_gemm_performance",)
UNITS["host_launch_us"] = ("us", "lower")
UNITS["kernel_alone_us"] = ("us", "lower")
UNITS["tflops"] = ("TFLOP/s", "higher")
CONTENDERS = {"ours": "nvmath-fusion (this checkout)", "peer": "nvmath-python"}


def parse(stdout: str) -> dict:
    """The figures an example printed (the first of each), as floats; TFLOP/s from ``m, n, k``
    and the time where the example prints no GFLOP/s of its own."""
    found = {}
    for key, pattern, _, _ in FIGURES:
        if key in found:
            continue
        m = re.search(pattern, stdout, flags=re.MULTILINE)
        if m:
            found[key] = float(m.group(1))
    mnk = re.search(r"^m, n, k:\s*(\d+),\s*(\d+),\s*(\d+)", stdout, flags=re.MULTILINE)
    if mnk and "gflops" not in found and found.get("time_ms", 0) > 0:
        m, n, k = (int(g) for g in mnk.groups())
        found["tflops"] = 2.0 * m * n * k / (found["time_ms"] * 1e-3) / 1e12
    return found


def _cpu_list(text: str) -> set:
    """CPUs of a Linux CPU list (``"0-7,16-23"``)."""
    cpus = set()
    for part in text.strip().split(","):
        if part:
            first, _, last = part.partition("-")
            cpus.update(range(int(first), int(last or first) + 1))
    return cpus


def gpu_local_cpus(bus_id: str | None = None) -> set | None:
    """The CPUs next to GPU 0 (its PCI device's ``local_cpulist`` in sysfs), or None where they
    are all the CPUs this process may use or cannot be told (no nvidia-smi, no sysfs).

    On the H200 host of 2026-12-07 a process's host launches of the chained-GEMM example took
    55-60 us or 91-108 us, one or the other for its whole life, in both projects: pinned to
    the GPU's side of the machine, every process runs as the fast ones did (if that is the
    cause; the children record their CPU and NUMA node to tell)."""
    if bus_id is None:
        try:
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=pci.bus_id", "--format=csv,noheader", "-i", "0"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        bus_id = out.stdout.strip()
    if not bus_id:
        return None
    domain, _, rest = bus_id.lower().partition(":")
    path = f"/sys/bus/pci/devices/{domain[-4:]}:{rest}/local_cpulist"
    try:
        with open(path) as f:
            cpus = _cpu_list(f.read())
    except (OSError, ValueError):
        return None
    allowed = os.sched_getaffinity(0)
    cpus &= allowed
    return cpus if cpus and cpus != allowed else None


def pin_cpus(pin: str) -> set | None:
    """The CPUs ``--pin`` names: ``gpu-local`` (see :func:`gpu_local_cpus`), ``none`` (None: any)
    or a Linux CPU list, which must name only CPUs this process may use."""
    if pin == "gpu-local":
        return gpu_local_cpus()
    if pin == "none":
        return None
    try:
        cpus = _cpu_list(pin)
    except ValueError:
        cpus = set()
    allowed = os.sched_getaffinity(0)
    if not cpus or not cpus <= allowed:
        raise ValueError(
            f"--pin={pin!r} is not supported; accepted: gpu-local, none or a list of the CPUs this process "
            f"may use ({','.join(map(str, sorted(allowed)))}), such as 2-5"
        )
    return cpus


def run_example(path: str, env: dict, expect_dir: str, timeout: float, cpus: set | None = None) -> dict:
    """One fresh process running the example through the wrapper (on ``cpus`` when given);
    the parsed figures, or an error."""
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nvmath-dx-example-") as cwd:
        script = os.path.join(cwd, os.path.basename(CHILD))
        shutil.copyfile(CHILD, script)
        try:
            done = subprocess.run(
                [sys.executable, script, path],
                cwd=cwd,
                env={**env, "NVMATH_EXPECT_DIR": expect_dir},
                capture_output=True,
                text=True,
                timeout=max(1.0, timeout),
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            )
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return {"error": f"timed out after {timeout:.0f} s", "stderr_tail": err[-1500:]}
    wall = time.perf_counter() - t
    report = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("@@child "):
            try:
                report = json.loads(line[len("@@child ") :])
            except json.JSONDecodeError:
                pass
            break
    result = {"figures": parse(done.stdout), "process_wall_s": wall}
    for k in ("nvmath_file", "nvmath_version", "wall_s", "import_s", "probe_error", "launch_detail"):
        if k in report:
            result[k] = report[k]
    for k in ("host_launch_us", "kernel_alone_us"):
        if k in report:
            result["figures"][k] = report[k]
    if done.returncode != 0 or "error" in report:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        result["error"] = (
            report.get("error") or f"exited with {done.returncode}: {(lines or ['(no stderr)'])[-1][-600:]}"
        )
        result["stderr_tail"] = "\n".join(lines[-15:])[-2500:]
    elif "time_ms" not in result["figures"]:
        result["error"] = "the example printed no time this benchmark can parse"
        result["stdout_tail"] = done.stdout[-1500:]
    return result


def median_figures(runs: list) -> dict:
    keys = sorted({k for r in runs for k in r["figures"]})
    out = {k: statistics.median(r["figures"][k] for r in runs if k in r["figures"]) for k in keys}
    out["wall_s"] = statistics.median(r["process_wall_s"] for r in runs)
    return out


def launch_summary(runs: list) -> dict:
    """Medians over the runs of where a launch-bound mean goes: the launches' mean over their
    median, the configurations' mean, and the collections from the first launch to the last (count, time)."""
    rows = [r["launch_detail"] for r in runs if r.get("launch_detail", {}).get("launches")]
    if not rows:
        return {}

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def gc_total(d, key):
        return sum(g[key] for g in d.get("gc_during_launches", {}).values())

    return {
        "runs": len(rows),
        "launch_mean_minus_median_us": med(
            d["launch_mean_us"] - sorted(d["launch_us_in_order"])[len(d["launch_us_in_order"]) // 2]
            for d in rows
            if d.get("launch_us_in_order")
        ),
        # The first timed launch (after the warm-up's synchronization) over the median launch.
        "first_timed_over_median_us": med(
            d["launch_us_in_order"][0] - sorted(d["launch_us_in_order"])[len(d["launch_us_in_order"]) // 2]
            for d in rows
            if d.get("launch_us_in_order")
        ),
        "configure_mean_us": med(d.get("configure_mean_us") for d in rows),
        # What the first timed launch and the synchronization before it met (the probe's
        # first_launches and syncs_after_launch; absent from older results).
        "first_timed_minflt": med(
            d["first_launches"][1].get("minflt") for d in rows if len(d.get("first_launches", [])) > 1
        ),
        "first_timed_switches": med(
            d["first_launches"][1].get("nvcsw", 0) + d["first_launches"][1].get("nivcsw", 0)
            for d in rows
            if len(d.get("first_launches", [])) > 1
        ),
        "warmup_sync_us": med(d["syncs_after_launch"][0][1] for d in rows if d.get("syncs_after_launch")),
        "warmup_sync_switches": med(
            d["syncs_after_launch"][0][2]["nvcsw"] + d["syncs_after_launch"][0][2]["nivcsw"]
            for d in rows
            if d.get("syncs_after_launch") and len(d["syncs_after_launch"][0]) > 2
        ),
        "gc_collections": med(gc_total(d, "count") for d in rows),
        "gc_us": med(gc_total(d, "total_us") for d in rows),
    }


#: A process whose median host launch exceeds the fastest process's of its example by this
#: factor drew the slow launch mode (on the H200 about 85 against 50 us a launch, for life).
SLOW_MODE_FACTOR = 1.3


def launch_modes(runs_by_who: dict) -> dict:
    """Which processes of each contender drew the slow launch mode, and what set them apart:
    per contender, the processes in each mode, the example's figure (``time_ms``) over the
    processes of each mode, and the pure-Python loop each process timed before importing CUDA
    (``python_loop_us``; absent from older results). ``fast_time_ms_ratio``: ours over the
    peer, each over its fast-mode processes. Empty without host-launch figures."""
    every_run = [r for runs in runs_by_who.values() for r in runs]
    launches = [r["figures"]["host_launch_us"] for r in every_run if r["figures"].get("host_launch_us")]
    if not launches:
        return {}
    limit = SLOW_MODE_FACTOR * min(launches)

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    out = {"slow_above_us": limit}
    for who, runs in runs_by_who.items():
        probed = [r for r in runs if r["figures"].get("host_launch_us")]
        modes = {"fast": [r for r in probed if r["figures"]["host_launch_us"] <= limit]}
        modes["slow"] = [r for r in probed if r["figures"]["host_launch_us"] > limit]
        row = {}
        for mode, rows in modes.items():
            loops = [r.get("launch_detail", {}).get("python_loop_us") or {} for r in rows]
            row[mode] = {
                "processes": len(rows),
                "time_ms": med(r["figures"].get("time_ms") for r in rows),
                "python_loop_start_us": med(lp.get("start") for lp in loops),
                "python_loop_end_us": med(lp.get("end") for lp in loops),
            }
        out[who] = row
    fast_ours, fast_peer = (out.get(w, {}).get("fast", {}).get("time_ms") for w in ("ours", "peer"))
    if fast_ours and fast_peer:
        out["fast_time_ms_ratio"] = fast_ours / fast_peer
    return out


def paired_ratios(ours: list, peer: list, key: str = "time_ms") -> list:
    """Ours over the peer for every round where both ran and printed ``key``, in round order."""
    by_round = {r["round"]: r["figures"][key] for r in peer if key in r["figures"] and r["figures"][key]}
    return [r["figures"][key] / by_round[r["round"]] for r in ours if key in r["figures"] and r["round"] in by_round]


def chart_rows(examples: dict) -> list:
    """One row per example with a ``time_ms`` ratio: ``(label, ratio, ours_ms, peer_ms, paired)``.

    ``ratio`` is the median of the within-round ratios where the rounds were paired (``paired``
    true), else the ratio of the medians: the same figure the table leads with.
    """
    rows = []
    for stem, e in examples.items():
        if "time_ms" not in e.get("ratio_ours_over_peer", {}):
            continue
        paired = "paired_ratio_median_time_ms" in e
        ratio = e["paired_ratio_median_time_ms"] if paired else e["ratio_ours_over_peer"]["time_ms"]
        rows.append(
            (
                stem.replace("cublasdx_", ""),
                ratio,
                e["ours"]["median"]["time_ms"],
                e["peer"]["median"]["time_ms"],
                paired,
            )
        )
    return rows


def time_axis_is_log(times) -> bool:
    """A log axis only where the times span more than a decade; else bars from 0 keep their lengths honest."""
    times = [t for t in times if t and t > 0]
    return bool(times) and max(times) / min(times) > 10.0


def chart_title(peer_version) -> str:
    return f"cuBLASDx examples: ours vs nvmath-python {peer_version}"


def chart(path: str, examples: dict, title: str) -> bool:
    """Draw the chart at ``path``; False where there is nothing to draw or no matplotlib (said)."""
    rows = chart_rows(examples)
    if not rows:
        return False
    plt = pyplot()
    if plt is None:
        return False
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 0.6 * len(rows) + 2.0))
    labels = [r[0] + (" (paired)" if r[4] else "") for r in rows]
    ys = range(len(rows))
    ratios = [r[1] for r in rows]
    bars = ax1.barh(ys, ratios, color=["#76b900" if v <= 1.0 else "#999999" for v in ratios])
    ax1.set_yticks(list(ys))
    ax1.set_yticklabels(labels, fontsize=8)
    ax1.invert_yaxis()
    ax1.axvline(1.0, color="k", lw=0.8, ls="--")
    for bar, v in zip(bars, ratios):
        ax1.annotate(f" {v:.3g}x", (v, bar.get_y() + bar.get_height() / 2), va="center", fontsize=8)
    ax1.set_xlim(0, max(max(ratios), 1.0) * 1.25)
    ax1.set_xlabel(
        "kernel time ours / nvmath-python (< 1: ours faster);\n(paired): median of within-round ratios, "
        "else ratio of medians",
        fontsize=9,
    )
    h = 0.38
    ours = [r[2] for r in rows]
    peer = [r[3] for r in rows]
    ax2.barh([y - h / 2 for y in ys], ours, height=h, color="#76b900", label=CONTENDERS["ours"])
    ax2.barh([y + h / 2 for y in ys], peer, height=h, color="#999999", label=CONTENDERS["peer"])
    ax2.set_yticks(list(ys))
    ax2.set_yticklabels([r[0] for r in rows], fontsize=8)
    ax2.invert_yaxis()
    if time_axis_is_log(ours + peer):
        ax2.set_xscale("log")
    else:
        ax2.set_xlim(0, max(ours + peer) * 1.15)
    ax2.set_xlabel("median kernel time as printed by the example [ms]", fontsize=9)
    ax2.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def replot(json_path: str, parser: argparse.ArgumentParser) -> int:
    """Draw ``json_path``'s chart beside it (``.png`` for ``.json``); no process runs."""
    try:
        with open(json_path) as f:
            res = json.load(f)
        examples = res["examples"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        parser.error(
            f"--replot={json_path!r} is not supported: {type(e).__name__}: {e}; accepted: a JSON this script wrote"
        )
    png = os.path.splitext(json_path)[0] + ".png"
    if not chart(png, examples, chart_title(res.get("peer_version", "?"))):
        print(f"{NAME}: no chart for {json_path} (no time_ms ratio in it, or no matplotlib)", file=sys.stderr)
        return 1
    print(f"wrote {png}")
    return 0


def parse_variants(texts) -> dict:
    """``["NAME:VAR=VALUE,VAR=VALUE", ...]`` as ``{"ours:NAME": {VAR: VALUE}}``, in order.

    Raises
    ------
    ValueError
        If a variant has no name, a repeated name, or a setting without ``=``.
    """
    variants = {}
    for part in filter(None, (p.strip() for p in texts or ())):
        name, sep, settings = part.partition(":")
        name = name.strip()
        if not sep or not name or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ValueError(f"variant {part!r}: expected NAME:VAR=VALUE,... with NAME of letters, digits, _ . -")
        env = {}
        for item in filter(None, (i.strip() for i in settings.split(","))):
            var, eq, value = item.partition("=")
            if not eq or not var.strip():
                raise ValueError(f"variant {name!r}: setting {item!r} is not VAR=VALUE")
            env[var.strip()] = value
        if f"ours:{name}" in variants:
            raise ValueError(f"variant {name!r} is given twice")
        variants[f"ours:{name}"] = env
    return variants


def fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (int, float)) else "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--rounds", type=int, default=3, help="timed processes per example and contender")
    parser.add_argument(
        "--examples-dir",
        default=os.path.join(REPO, ".peer-examples", "examples", "device"),
        help="nvmath-python's examples/device folder",
    )
    parser.add_argument("--peer-dir", default=os.environ.get("NVMATH_PEER_DIR", "/tmp/peer"))
    parser.add_argument("--site-dir", default="/tmp/site", help="host wheels (numba, libmathdx...); skipped if absent")
    parser.add_argument("--only", default=",".join(EXAMPLES), help="comma-separated subset of the examples (stems)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for one process")
    parser.add_argument(
        "--budget", type=float, default=250.0, help="seconds for all the processes together (rounds are dropped to fit)"
    )
    parser.add_argument(
        "--ours-variant",
        action="append",
        default=[],
        help="NAME:VAR=VALUE,... (repeatable): a contender ours:NAME, this checkout with those environment variables",
    )
    parser.add_argument(
        "--pin-one",
        action="store_true",
        help="each round on one CPU of --pin's (the next CPU the next round), the same for every contender",
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=0.0,
        help="seconds the machine stays idle before each timed process, the same for every contender",
    )
    parser.add_argument(
        "--pin",
        default="gpu-local",
        help="gpu-local: every process on the CPUs next to the GPU (where they are not all the CPUs); "
        "none: anywhere; a Linux CPU list (2-5,8): on those CPUs",
    )
    parser.add_argument(
        "--replot",
        metavar="JSON",
        help="draw the chart of a JSON this script wrote (beside it, .png for .json) and run nothing",
    )
    args = parser.parse_args(argv)
    if args.replot:
        return replot(args.replot, parser)
    try:
        variants = parse_variants(args.ours_variant)
    except ValueError as e:
        parser.error(f"--ours-variant is not supported: {e}")
    try:
        cpus = pin_cpus(args.pin)
    except ValueError as e:
        parser.error(str(e))
    if args.pin_one and not cpus:
        parser.error(f"--pin-one needs --pin to name CPUs (--pin={args.pin!r} names none)")
    contenders = ["ours", *variants, "peer"]
    if args.rounds < 1:
        parser.error(f"--rounds={args.rounds} is not supported; accepted: an integer >= 1")
    if not 0 <= args.gap <= 60:
        parser.error(f"--gap={args.gap} is not supported; accepted: seconds from 0 to 60")
    only = [s.strip().removesuffix(".py") for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in EXAMPLES]
    if unknown:
        parser.error(f"--only={','.join(unknown)} is not supported; accepted: " + ", ".join(EXAMPLES))

    examples_dir = os.path.abspath(args.examples_dir)
    paths = {stem: os.path.join(examples_dir, stem + ".py") for stem in only}
    missing = [p for p in paths.values() if not os.path.isfile(p)]
    if not os.path.isdir(examples_dir) or len(missing) == len(paths):
        print(f"{NAME}: skipped: no nvmath-python device examples in {examples_dir} (--examples-dir)")
        return 0
    peer_dir = os.path.abspath(args.peer_dir)
    version = find_peer(peer_dir)
    if version is None:
        print(
            f"{NAME}: skipped: no nvmath-python in {peer_dir} "
            f"(python3 -m pip install --no-deps --target {peer_dir} .peer-whl/*.whl)"
        )
        return 0
    site_dir = os.path.abspath(args.site_dir) if args.site_dir and os.path.isdir(args.site_dir) else ""
    deadline = time.monotonic() + args.budget

    caches = tempfile.mkdtemp(prefix="nvmath-dx-examples-caches-")
    ours_env = dict(os.environ)
    ours_env["PYTHONPATH"] = os.pathsep.join(p for p in (site_dir, REPO) if p)
    ours_env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs = {}  # (stem, contender) -> environment
    expect = {"ours": os.path.join(REPO, "nvmath"), "peer": os.path.join(peer_dir, "nvmath")}
    expect.update({who: expect["ours"] for who in variants})

    res = {
        "benchmark": "nvmath-python v0.9.0 cuBLASDx performance examples, unmodified, ours vs nvmath-python",
        "examples_dir": examples_dir,
        "peer_version": version,
        "peer_dir": peer_dir,
        "peer_libmathdx_dir": peer_libmathdx_dir(peer_dir),
        "pythonpath": {
            "ours": ours_env["PYTHONPATH"],
            "peer": child_env(peer_dir, site_dir, own_libmathdx=True)["PYTHONPATH"],
        },
        "rounds_asked": args.rounds,
        "ours_variants": variants,
        "cpus": sorted(cpus) if cpus else f"any ({args.pin})",
        "gap_s": args.gap,
        "pin_one": args.pin_one,
        "method": "each example times its kernels itself (CUDA events, after a launch that compiles); one fresh "
        "process per run; one warm-up process per example and contender first (not counted, fills its "
        "NVMATH_CACHE_DIR); then rounds alternating ours and peer; medians over rounds. wall_s: the whole "
        "process (imports, compilation or cache loads, data, the example's checks).",
        "units": {k: {"unit": u, "better": b} for k, (u, b) in UNITS.items()},
        "examples": {},
        "errors": {},
    }
    for stem, path in paths.items():
        if not os.path.isfile(path):
            res["errors"][stem] = f"not found: {path}"

    def remaining() -> float:
        return deadline - time.monotonic()

    def env_for(stem: str, who: str, *, own_libmathdx: bool = True) -> dict:
        base = ours_env if who != "peer" else child_env(peer_dir, site_dir, own_libmathdx=own_libmathdx)
        cache = os.path.join(caches, f"{who.replace(':', '-')}-{stem}")
        os.makedirs(cache, exist_ok=True)
        probe = {"NVMATH_CHILD_LAUNCH_PROBE": "1"} if stem in PROBED else {}
        return {**base, **variants.get(who, {}), "NVMATH_CACHE_DIR": cache, **probe}

    runs = {(stem, who): [] for stem in paths for who in contenders}
    walls = {}
    failed = {}  # (stem, who) -> error of the warm-up: not run again
    stems = [s for s in paths if os.path.isfile(paths[s])]
    print(f"{NAME}: nvmath-python {version} from {peer_dir}; examples from {examples_dir}", flush=True)

    # Warm-up: one uncounted process per example and contender, all at once (each compiles into
    # a cache of its own; the figures of these processes are not counted, so they may share the GPU).
    def warm_up(stem: str, who: str):
        if remaining() < 15:
            return stem, who, None, {"error": "skipped: out of time budget before the warm-up"}
        env = env_for(stem, who)
        r = run_example(paths[stem], env, expect[who], min(args.timeout, remaining()), cpus=cpus)
        if "error" in r and who == "peer" and peer_libmathdx_dir(peer_dir):
            # nvmath-python may not run with the libmathdx beside it: try the host's, and say so.
            print(
                f"{NAME}: {stem} (peer) failed with the peer's libmathdx ({r['error'][:200]}); "
                "retrying with the host's",
                flush=True,
            )
            env = env_for(stem, who, own_libmathdx=False)
            r = run_example(paths[stem], env, expect[who], min(args.timeout, remaining()), cpus=cpus)
            r["libmathdx"] = "host's"
        return stem, who, env, r

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(stems) * len(contenders))) as pool:
        done = list(pool.map(lambda t: warm_up(*t), [(stem, who) for stem in stems for who in contenders]))
    for stem, who, env, r in done:
        if env is not None:
            envs[(stem, who)] = env
        walls[(stem, who)] = r["process_wall_s"] if "process_wall_s" in r else args.timeout
        label = f"{stem} [{who}] warm-up"
        if "error" in r:
            failed[(stem, who)] = r["error"]
            print(
                f"{NAME}: {label} failed: {r['error']}\n{r.get('stderr_tail', r.get('stdout_tail', ''))}",
                flush=True,
            )
        else:
            print(f"{NAME}: {label}: {fmt(r['figures'].get('time_ms'))} ms, {r['process_wall_s']:.1f} s", flush=True)
        res["examples"].setdefault(stem, {}).setdefault(who, {})["warmup"] = r

    # Timed rounds, alternating the contenders' order.
    rounds_done = 0
    for rnd in range(args.rounds):
        order = contenders if rnd % 2 == 0 else contenders[::-1]
        todo = [(stem, who) for stem in stems for who in order if (stem, who) not in failed]
        round_cpus = {sorted(cpus)[rnd % len(cpus)]} if args.pin_one else cpus
        if not todo:
            break
        need = sum(walls.get(t, 0.0) + args.gap for t in todo) * 1.15 + 5
        if rnd > 0 and remaining() < need:
            # A round of the examples that still fit, shortest first (both contenders of an
            # example or neither): the quick ones, whose figures vary most, get more rounds.
            def cost(stem, todo=todo):
                return sum(walls.get(t, 0.0) + args.gap for t in todo if t[0] == stem) * 1.15

            pairs = sorted({stem for stem, _ in todo}, key=cost)
            budget, kept = remaining() - 5, set()
            for stem in pairs:
                if cost(stem) <= budget:
                    kept.add(stem)
                    budget -= cost(stem)
            todo = [t for t in todo if t[0] in kept]
            if not todo:
                res["errors"]["rounds"] = (
                    f"stopped after {rounds_done} round(s): out of time budget ({need:.0f} s needed)"
                )
                print(f"{NAME}: {res['errors']['rounds']}", flush=True)
                break
            skipped = sorted(set(pairs) - kept)
            res.setdefault("short_rounds", []).append({"round": rnd + 1, "left_out": skipped})
            print(f"{NAME}: round {rnd + 1} without {', '.join(skipped)} (out of time budget)", flush=True)
        for stem, who in todo:
            if remaining() < 5 + args.gap:
                break
            time.sleep(args.gap)
            r = run_example(
                paths[stem], envs[(stem, who)], expect[who], min(args.timeout, remaining()), cpus=round_cpus
            )
            if "error" in r:
                res["examples"][stem][who].setdefault("errors", []).append(r["error"])
                print(f"{NAME}: {stem} [{who}] round {rnd + 1} failed: {r['error']}", flush=True)
                continue
            walls[(stem, who)] = r["process_wall_s"]
            r["round"] = rnd + 1
            r["cpus"] = sorted(round_cpus) if round_cpus else None
            runs[(stem, who)].append(r)
            print(
                f"{NAME}: {stem} [{who}] round {rnd + 1}: {fmt(r['figures'].get('time_ms'))} ms, "
                f"{r['process_wall_s']:.1f} s",
                flush=True,
            )
        rounds_done += 1
    res["rounds_done"] = rounds_done

    for stem in stems:
        e = res["examples"].setdefault(stem, {})
        for who in contenders:
            c = e.setdefault(who, {})
            c["runs"] = [
                {k: r[k] for k in ("round", "cpus", "figures", "process_wall_s", "launch_detail") if k in r}
                for r in runs[(stem, who)]
            ]
            if any("launch_detail" in r for r in runs[(stem, who)]):
                c["launch_summary"] = launch_summary(runs[(stem, who)])
            if (stem, who) in failed:
                c["error"] = failed[(stem, who)]
            if runs[(stem, who)]:
                c["median"] = median_figures(runs[(stem, who)])
                first = runs[(stem, who)][0]
                c["nvmath_file"], c["nvmath_version"] = first.get("nvmath_file"), first.get("nvmath_version")
        mo, mp = e["ours"].get("median"), e["peer"].get("median")
        if mo and mp:
            e["ratio_ours_over_peer"] = {
                k: mo[k] / mp[k] for k in mo if k in mp and UNITS.get(k, ("", None))[1] and mp[k] not in (0, 0.0)
            }
        modes = launch_modes({who: runs[(stem, who)] for who in contenders})
        if modes:
            e["launch_modes"] = modes
        paired = paired_ratios(runs[(stem, "ours")], runs[(stem, "peer")])
        if paired:
            # Ours over the peer within each round (processes run back to back): the host's
            # drift over a call cancels out of these, not out of the ratio of the medians.
            e["paired_ratios_time_ms"] = paired
            e["paired_ratio_median_time_ms"] = statistics.median(paired)
        for who in variants:
            paired = paired_ratios(runs[(stem, who)], runs[(stem, "peer")])
            if paired:
                e[who]["paired_ratios_time_ms"] = paired
                e[who]["paired_ratio_median_time_ms"] = statistics.median(paired)
        # Keep the JSON small: the warm-up's figures and errors only.
        for who in contenders:
            w = e[who].get("warmup")
            if w:
                e[who]["warmup"] = {k: w[k] for k in ("figures", "process_wall_s", "error", "libmathdx") if k in w}

    os.makedirs(args.out, exist_ok=True)
    json_path = os.path.join(args.out, f"{NAME}.json")
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
    try:
        chart(
            os.path.join(args.out, f"{NAME}.png"),
            res["examples"],
            chart_title(version),
        )
    except Exception as e:  # the numbers are written; a chart is not worth failing for
        print(f"{NAME}: no chart: {type(e).__name__}: {e}", file=sys.stderr)

    print(f"cuBLASDx examples, medians of {rounds_done} round(s); ratio = ours / nvmath-python {version}")
    print(f"  {'example':<44} {'figure':<16} {'ours':>10} {'peer':>10} {'ratio':>7}")
    for stem, e in res["examples"].items():
        mo, mp = e.get("ours", {}).get("median", {}), e.get("peer", {}).get("median", {})
        for k in sorted(set(mo) | set(mp)):
            ratio = e.get("ratio_ours_over_peer", {}).get(k)
            unit, better = UNITS.get(k, ("", None))
            note = f"  ({better} is better)" if better and ratio is not None else ""
            label = f"{k} [{unit}]" if unit else k
            print(f"  {stem:<44} {label:<16} {fmt(mo.get(k)):>10} {fmt(mp.get(k)):>10} {fmt(ratio):>7}{note}")
        if "paired_ratio_median_time_ms" in e:
            n = len(e["paired_ratios_time_ms"])
            print(
                f"  {stem:<44} {'time, paired':<16} {'':>10} {'':>10} {fmt(e['paired_ratio_median_time_ms']):>7}"
                f"  (median of {n} within-round ratios)"
            )
        for who in variants:
            if "paired_ratio_median_time_ms" in e.get(who, {}):
                v = e[who]
                print(
                    f"  {stem:<44} {'time, paired':<16} {fmt(v.get('median', {}).get('time_ms')):>10} {'':>10} "
                    f"{fmt(v['paired_ratio_median_time_ms']):>7}  ({who} over the peer, median of "
                    f"{len(v['paired_ratios_time_ms'])} within-round ratios)"
                )
        for who in contenders:
            ls = e.get(who, {}).get("launch_summary")
            if ls:
                print(f"  {stem:<44} {who} launches: " + ", ".join(f"{k} {fmt(v)}" for k, v in ls.items()))
        modes = e.get("launch_modes")
        if modes:
            for who in contenders:
                if who in modes:
                    print(
                        f"  {stem:<44} {who} launch modes (slow above {fmt(modes['slow_above_us'])} us): "
                        + "; ".join(
                            f"{mode} {m['processes']} (time_ms {fmt(m['time_ms'])}, python loop "
                            f"{fmt(m['python_loop_start_us'])} / {fmt(m['python_loop_end_us'])} us)"
                            for mode, m in modes[who].items()
                        )
                    )
            if "fast_time_ms_ratio" in modes:
                print(f"  {stem:<44} {'time, fast mode':<16} {'':>10} {'':>10} {fmt(modes['fast_time_ms_ratio']):>7}")
        for who in contenders:
            if e.get(who, {}).get("error"):
                print(f"  {stem:<44} {who} failed: {e[who]['error'][-300:]}")
    for k, v in res["errors"].items():
        print(f"error: {k}: {v}")
    print(f"wrote {json_path}")
    shutil.rmtree(caches, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
