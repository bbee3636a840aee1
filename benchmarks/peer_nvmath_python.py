"""nvmath-python 1.0 (the peer), measured in processes of its own like nvmath-fusion's benchmarks.

    python benchmarks/peer_nvmath_python.py [--out results] [--peer-dir /tmp/peer] [--site-dir /tmp/site]

nvmath-python has the same import name (`nvmath`) as this project, so it never runs beside it:
each measurement is a child process (benchmarks/_peer_child.py, copied into an empty temporary
folder and run from there) with PYTHONPATH=PEER_DIR:SITE_DIR only, and the child checks that the
`nvmath` it imported is nvmath-python 1.0 from PEER_DIR. Install the peer there first, e.g.

    python3 -m pip install --no-deps --target /tmp/peer nvmath-python==1.0.0 nvidia-libmathdx-cu13==0.3.2.6

(tools/gpu-check.sh does this from .peer-whl). Without it, this prints a skip line and exits 0.

Measured, with the peer's public API and the same method as this project's benchmarks:
1. fft: C2C complex64 (16384, 4096), last axis, CuPy operand, `nvmath.fft.FFT` planned once:
   median of CUDA-event times of `execute()` (as fft_gpu.py); CPU-side cost of one `execute()`
   for (8, 256) over 1000 calls (as fft_gpu.py).
2. matmul: bf16 8192^3 with RELU_BIAS (bias of length M), PyTorch operands, planned and
   autotuned (as matmul_gpu.py): TFLOP/s; CPU-side cost of one `Matmul.execute()` for fp32 64^3.
3. kernel: first launch of a `numba.cuda.jit` kernel calling a cuFFTDx 512-point c2c Block FFT in
   a fresh process, imports included (as kernel_warm.py), in --kernel-runs fresh processes.

Writes OUT/peer_nvmath_python.json. Where this run's own results are in OUT (fft_gpu.json,
matmul_gpu.json, kernel_warm.json), adds the ratios nvmath-fusion / nvmath-python of the matching
metrics, prints them and draws OUT/peer_nvmath_python.png.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import pyplot

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = os.path.join(HERE, "_peer_child.py")
NAME = "peer_nvmath_python"


def find_peer(peer_dir: str) -> str | None:
    """The version of the nvmath-python installed (pip --target) in peer_dir, or None."""
    if not os.path.isfile(os.path.join(peer_dir, "nvmath", "__init__.py")):
        return None
    infos = sorted(glob.glob(os.path.join(peer_dir, "nvmath_python-*.dist-info")))
    if not infos:
        return None
    return os.path.basename(infos[-1])[len("nvmath_python-") : -len(".dist-info")]


def peer_libmathdx_dir(peer_dir: str) -> str | None:
    """The folder of the libmathdx wheel installed beside the peer (nvmath-python 1.0 asks for
    libmathdx < 0.4, while this project and /tmp/site carry 0.4), or None."""
    d = os.path.join(peer_dir, "nvidia", "cu13", "lib")
    return d if os.path.isfile(os.path.join(d, "libmathdx.so.0")) else None


def child_env(peer_dir: str, site_dir: str, *, own_libmathdx: bool) -> dict:
    env = dict(os.environ)
    # Only the peer and the host's extra wheels: never this repository.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (peer_dir, site_dir) if p and os.path.isdir(p))
    env["NVMATH_PEER_DIR"] = peer_dir
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as kernel_warm.py: later processes reuse .pyc files
    lib = peer_libmathdx_dir(peer_dir)
    if own_libmathdx and lib:
        # cuda.pathfinder searches site-packages, then the system loader: LD_LIBRARY_PATH first.
        old = env.get("LD_LIBRARY_PATH")
        env["LD_LIBRARY_PATH"] = lib + (os.pathsep + old if old else "")
    return env


def run_child(mode: str, env: dict, timeout: float) -> dict:
    """Run _peer_child.py MODE from an empty temporary folder; its last JSON line, or an error."""
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nvmath-peer-") as cwd:
        script = os.path.join(cwd, "_peer_child.py")
        shutil.copyfile(CHILD, script)
        # The timing helpers travel with it: _common.py imports nothing of this project.
        shutil.copyfile(os.path.join(HERE, "_common.py"), os.path.join(cwd, "_common.py"))
        try:
            done = subprocess.run(
                [sys.executable, script, mode],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=max(1.0, timeout),
            )
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            print(
                f"{NAME}: {mode} child timed out after {timeout:.0f} s; its stderr ends:\n{err[-2000:]}",
                file=sys.stderr,
                flush=True,
            )
            return {"error": f"{mode} child timed out after {timeout:.0f} s", "stderr_tail": err[-2000:]}
    wall = time.perf_counter() - t
    result = None
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                result = json.loads(line)
                break
            except json.JSONDecodeError:
                pass
    if done.returncode != 0 or result is None:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        print(f"{NAME}: {mode} child exited with {done.returncode}; its stderr ends:", file=sys.stderr)
        print("\n".join(lines[-25:]), file=sys.stderr, flush=True)
        last = lines[-1].strip() if lines else "(no stderr)"
        return {
            "error": f"{mode} child exited with {done.returncode}: {last[-600:]}",
            "stderr_tail": "\n".join(lines[-12:])[-2000:],
        }
    result["process_wall_s"] = wall
    if result.get("errors"):
        # Tracebacks of the measurements that failed, for the log.
        print(done.stderr[-3000:], file=sys.stderr)
    return result


def latest(out_dir: str, stem: str) -> dict | None:
    """This run's own results: OUT/STEM.json, else the first OUT/STEM*.json."""
    exact = os.path.join(out_dir, stem + ".json")
    paths = [exact] if os.path.isfile(exact) else sorted(glob.glob(os.path.join(out_dir, stem + "*.json")))
    for p in paths:
        try:
            with open(p) as f:
                data = json.load(f)
            data["_file"] = os.path.basename(p)
            return data
        except (OSError, ValueError):
            continue
    return None


# (key, label, our file, our key, peer key, unit): all times, lower is better.
COMPARISONS = [
    ("fft_gpu_ms", "C2C complex64 (16384, 4096) last axis, GPU time", "fft_gpu", "nvmath_fft_ms", "fft_ms", "ms"),
    (
        "fft_execute_cpu_us",
        "FFT.execute CPU cost, (8, 256), 1000 calls",
        "fft_gpu",
        "nvmath_execute_cpu_us",
        "fft_execute_cpu_us",
        "us",
    ),
    (
        "matmul_relu_bias_ms",
        "bf16 8192^3 RELU_BIAS, GPU time",
        "matmul_gpu",
        "nvmath_relu_bias_ms",
        "relu_bias_ms",
        "ms",
    ),
    ("matmul_ms", "bf16 8192^3 no epilog, GPU time", "matmul_gpu", "nvmath_matmul_ms", "matmul_ms", "ms"),
    (
        "matmul_execute_cpu_us",
        "Matmul.execute CPU cost, fp32 64^3, 1000 calls",
        "matmul_gpu",
        "nvmath_execute_cpu_us",
        "matmul_execute_cpu_us",
        "us",
    ),
    (
        "kernel_first_launch_warm_s",
        "cuFFTDx kernel first launch, fresh process (nvmath warm cache)",
        "kernel_warm",
        "warm_s",
        "kernel_first_launch_s",
        "s",
    ),
    (
        "kernel_first_launch_cold_s",
        "cuFFTDx kernel first launch, fresh process (nvmath cold cache)",
        "kernel_warm",
        "cold_s",
        "kernel_first_launch_s",
        "s",
    ),
]


def compare(res: dict, out_dir: str) -> dict:
    ours = {stem: latest(out_dir, stem) for stem in ("fft_gpu", "matmul_gpu", "kernel_warm")}
    ratios, notes = {}, []
    for key, label, stem, our_key, peer_key, unit in COMPARISONS:
        mine = ours.get(stem)
        if mine is None or not isinstance(mine.get(our_key), (int, float)):
            continue
        if not isinstance(res.get(peer_key), (int, float)) or res[peer_key] <= 0:
            continue
        if stem == "kernel_warm" and "cuFFTDx" not in str(mine.get("kernel", "")):
            notes.append(f"{mine['_file']}: kernel {mine.get('kernel')!r} is not the cuFFTDx kernel: no ratio")
            continue
        ratios[key] = {
            "label": label,
            "unit": unit,
            "nvmath_fusion": mine[our_key],
            "nvmath_python": res[peer_key],
            "ratio": mine[our_key] / res[peer_key],
            "better": "lower",
            "source": mine["_file"],
        }
    mm = ours.get("matmul_gpu")
    if mm and isinstance(mm.get("nvmath_relu_bias_tflops"), (int, float)) and res.get("relu_bias_tflops"):
        ratios["matmul_relu_bias_tflops"] = {
            "label": "bf16 8192^3 RELU_BIAS, throughput",
            "unit": "TFLOP/s",
            "nvmath_fusion": mm["nvmath_relu_bias_tflops"],
            "nvmath_python": res["relu_bias_tflops"],
            "ratio": mm["nvmath_relu_bias_tflops"] / res["relu_bias_tflops"],
            "better": "higher",
            "source": mm["_file"],
        }
    for stem in ("fft_gpu", "matmul_gpu"):
        mine = ours.get(stem)
        if mine and mine.get("device") and res.get("device") and mine["device"] != res["device"]:
            notes.append(f"{mine['_file']} was measured on {mine['device']!r}, the peer on {res['device']!r}")
    if stem_sizes_differ(ours.get("matmul_gpu"), res):
        notes.append(f"matmul sizes differ: {ours['matmul_gpu'].get('size')} vs {res.get('matmul_size')}")
    return {"ratios": ratios, "notes": notes, "sources": {stem: (d or {}).get("_file") for stem, d in ours.items()}}


def stem_sizes_differ(mine: dict | None, res: dict) -> bool:
    return bool(mine and mine.get("size") and res.get("matmul_size") and mine["size"] != res["matmul_size"])


def chart(path: str, ratios: dict, device: str, version: str) -> None:
    items = [(v["label"], v["ratio"]) for v in ratios.values() if v["better"] == "lower"]
    if not items:
        return
    plt = pyplot()
    if plt is None:
        return
    labels, values = [i[0] for i in items], [i[1] for i in items]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(items) + 1.6))
    colors = ["#76b900" if v <= 1.0 else "#999999" for v in values]
    bars = ax.barh(range(len(items)), values, color=colors)
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1.0, color="k", lw=0.8, ls="--")
    for bar, v in zip(bars, values):
        ax.annotate(f" {v:.3g}x", (v, bar.get_y() + bar.get_height() / 2), va="center", fontsize=8)
    ax.set_xlim(0, max(values) * 1.2)
    ax.set_xlabel("time of nvmath-fusion / time of nvmath-python (< 1: nvmath-fusion faster)", fontsize=9)
    ax.set_title(f"nvmath-fusion vs nvmath-python {version} ({device})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (int, float)) else "-"


def add_peer_arguments(parser, *, timeout: float, budget: float) -> None:
    """The options of a benchmark that runs the peer's children: --out, --peer-dir, --site-dir,
    --timeout (one child) and --budget (all of them)."""
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--peer-dir", default=os.environ.get("NVMATH_PEER_DIR", "/tmp/peer"))
    parser.add_argument("--site-dir", default="/tmp/site", help="host wheels (numpy, libmathdx...); skipped if absent")
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds for one child process")
    parser.add_argument("--budget", type=float, default=budget, help="seconds for all the children together")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_peer_arguments(parser, timeout=240.0, budget=540.0)
    parser.add_argument("--kernel-runs", type=int, default=2)
    parser.add_argument("--only", default="fft,matmul,kernel", help="comma-separated subset of fft,matmul,kernel")
    args = parser.parse_args(argv)

    peer_dir = os.path.abspath(args.peer_dir)
    version = find_peer(peer_dir)
    if version is None:
        print(
            f"{NAME}: skipped: no nvmath-python in {peer_dir} "
            f"(python3 -m pip install --no-deps --target {peer_dir} .peer-whl/*.whl)"
        )
        return 0
    site_dir = os.path.abspath(args.site_dir) if args.site_dir else ""
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    deadline = time.monotonic() + args.budget

    def remaining() -> float:
        return min(args.timeout, deadline - time.monotonic())

    res = {
        "benchmark": "nvmath-python (peer) in processes of its own, measured as nvmath-fusion's benchmarks",
        "peer": "nvmath-python",
        "peer_version": version,
        "peer_dir": peer_dir,
        "child_pythonpath": child_env(peer_dir, site_dir, own_libmathdx=True)["PYTHONPATH"],
        "peer_libmathdx_dir": peer_libmathdx_dir(peer_dir),
        "methods": {
            "fft_ms": "median of 30 CUDA-event times of FFT.execute() after 5 warm-up calls (fft_gpu.py)",
            "execute_cpu_us": "100 warm-up calls, synchronize, one loop of 1000 calls: seconds * 1e3 = us per "
            "call (fft_gpu.py, matmul_gpu.py); *_loops: that loop and 4 more",
            "relu_bias_ms": "plan, autotune() (10 iterations), median of 20 CUDA-event times after 5 warm-up calls "
            "(matmul_gpu.py)",
            "kernel_first_launch_s": "from the child's first line (after interpreter start-up, before its "
            "imports) to the first launch synchronized, fresh process "
            "(kernel_warm.py); kernel_process_wall_runs_s: the whole process",
        },
        "errors": {},
    }
    errors = res["errors"]
    env = child_env(peer_dir, site_dir, own_libmathdx=True)
    print(f"{NAME}: nvmath-python {version} from {peer_dir}, PYTHONPATH={env['PYTHONPATH']}", flush=True)

    def take(prefix: str, child: dict, keys: dict) -> None:
        """Copy child[key] to res[keys[key]]; record the child's errors."""
        if "error" in child:
            errors[prefix] = child["error"]
            if child.get("stderr_tail"):
                res.setdefault("stderr_tails", {})[prefix] = child["stderr_tail"]
            return
        for k in ("device", "peer_file"):
            if child.get(k):
                res.setdefault(k, child[k])
        if child.get("peer_version"):
            res.setdefault("peer_imported_version", child["peer_version"])
        for k, name in keys.items():
            if k in child:
                res[name] = child[k]
        for k, v in (child.get("errors") or {}).items():
            errors[k] = v
            print(f"{NAME}: {k} failed: {v}", file=sys.stderr, flush=True)

    if "fft" in only:
        if remaining() > 10:
            take(
                "fft",
                run_child("fft", env, remaining()),
                {
                    k: k
                    for k in (
                        "fft_ms",
                        "fft_rel_error",
                        "cupy_fft_ms",
                        "fft_execute_cpu_us",
                        "fft_execute_cpu_us_loops",
                    )
                }
                | {"shape": "fft_shape", "process_wall_s": "fft_process_wall_s"},
            )
        else:
            errors["fft"] = "skipped: out of time budget"
    if "matmul" in only:
        if remaining() > 10:
            take(
                "matmul",
                run_child("matmul", env, remaining()),
                {
                    k: k
                    for k in (
                        "relu_bias_ms",
                        "relu_bias_tflops",
                        "relu_bias_rel_error",
                        "matmul_ms",
                        "matmul_tflops",
                        "matmul_execute_cpu_us",
                        "matmul_execute_cpu_us_loops",
                    )
                }
                | {"size": "matmul_size", "process_wall_s": "matmul_process_wall_s"},
            )
        else:
            errors["matmul"] = "skipped: out of time budget"
    if "kernel" in only:
        # Byte-compile the peer once, so that the first timed process does not pay for writing
        # .pyc files that later ones read (nvmath-fusion's benchmarks run with a compiled tree).
        try:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", os.path.join(peer_dir, "nvmath")],
                env=env,
                capture_output=True,
                timeout=max(1.0, remaining()),
            )
        except (OSError, subprocess.SubprocessError) as e:
            print(f"{NAME}: compileall of the peer failed ({e}); going on", file=sys.stderr)
        runs, attempts = [], []
        kernel_env, own = env, True
        for i in range(max(1, args.kernel_runs)):
            if remaining() <= 10:
                errors["kernel"] = f"skipped after {len(runs)} run(s): out of time budget"
                break
            c = run_child("kernel", kernel_env, remaining())
            if "error" in c and own and peer_libmathdx_dir(peer_dir):
                # nvmath-python 1.0 asks for libmathdx < 0.4; if the one beside it fails, try the
                # host's (0.4 in /tmp/site), and say so.
                attempts.append({"libmathdx": "peer's", "error": c["error"]})
                print(
                    f"{NAME}: kernel with the peer's libmathdx failed ({c['error'][:300]}); retrying with the host's",
                    file=sys.stderr,
                    flush=True,
                )
                kernel_env, own = child_env(peer_dir, site_dir, own_libmathdx=False), False
                c = run_child("kernel", kernel_env, remaining())
            if "error" in c:
                attempts.append({"libmathdx": "peer's" if own else "host's", "error": c["error"]})
                errors["kernel"] = c["error"]
                print(f"{NAME}: kernel run {i + 1} failed: {c['error']}", file=sys.stderr, flush=True)
                break
            runs.append(c)
        if attempts:
            res["kernel_failed_attempts"] = attempts
        if runs:
            res["kernel"] = runs[0].get("kind")
            res["kernel_first_launch_runs_s"] = [r["s"] for r in runs]
            res["kernel_first_launch_s"] = statistics.median(res["kernel_first_launch_runs_s"])
            res["kernel_process_wall_runs_s"] = [r.get("process_wall_s") for r in runs]
            res["kernel_max_abs_error"] = max(r.get("max_abs_error", 0.0) for r in runs)
            res["kernel_libmathdx"] = runs[0].get("libmathdx")
            res["kernel_traits"] = runs[0].get("traits")
            take("kernel", {k: v for k, v in runs[0].items() if k in ("device", "peer_file", "peer_version")}, {})

    cmp = compare(res, args.out)
    res["ratios_nvmath_fusion_over_nvmath_python"] = cmp["ratios"]
    res["our_results"] = cmp["sources"]
    if cmp["notes"]:
        res["notes"] = cmp["notes"]

    json_path = os.path.join(args.out, f"{NAME}.json")
    os.makedirs(args.out, exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
    if cmp["ratios"]:
        try:
            chart(os.path.join(args.out, f"{NAME}.png"), cmp["ratios"], res.get("device", "?"), version)
        except Exception as e:  # the numbers are written; a chart is not worth failing for
            print(f"{NAME}: no chart: {type(e).__name__}: {e}", file=sys.stderr)

    # The table.
    print(f"nvmath-python {version} (peer) on {res.get('device', '?')}")
    rows = [
        ("C2C complex64 (16384, 4096), last axis, GPU", "ms", res.get("fft_ms")),
        ("  cupy.fft.fft in the same process", "ms", res.get("cupy_fft_ms")),
        ("FFT.execute CPU cost, (8, 256)", "us", res.get("fft_execute_cpu_us")),
        ("bf16 8192^3 RELU_BIAS", "TFLOP/s", res.get("relu_bias_tflops")),
        ("bf16 8192^3 no epilog", "TFLOP/s", res.get("matmul_tflops")),
        ("Matmul.execute CPU cost, fp32 64^3", "us", res.get("matmul_execute_cpu_us")),
        ("cuFFTDx kernel first launch, fresh process", "s", res.get("kernel_first_launch_s")),
    ]
    for label, unit, v in rows:
        print(f"  {label:<48} {fmt(v):>10} {unit}")
    if cmp["ratios"]:
        print("nvmath-fusion / nvmath-python:")
        print(f"  {'metric':<66} {'fusion':>9} {'python':>9} {'ratio':>7}")
        for r in cmp["ratios"].values():
            better = "lower is better" if r["better"] == "lower" else "higher is better"
            print(
                f"  {r['label'] + ' [' + r['unit'] + ']':<66} {fmt(r['nvmath_fusion']):>9} "
                f"{fmt(r['nvmath_python']):>9} {r['ratio']:>6.3g}x  ({better})"
            )
    else:
        print("no results of nvmath-fusion from this run in", args.out, "(fft_gpu, matmul_gpu, kernel_warm): no ratios")
    for note in cmp["notes"]:
        print("note:", note)
    for k, v in errors.items():
        print(f"error: {k}: {v[-400:]}")
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
