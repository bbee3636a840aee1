"""Batched 32x32 Cholesky and LU, factorize and solve, with cuSOLVERDx in a Numba kernel, against PyTorch.

    python benchmarks/cusolverdx_batched.py [--out results] [--batches 10000,100000]
        [--precisions float32,float64] [--rounds 3] [--peer-dir /tmp/peer] [--site-dir /tmp/site]

Problems: ``batch`` N x N systems (N = 32, one right-hand side by default) of three kinds, the
same data for every contender: symmetric positive definite (``cholesky``: potrf, then potrs),
diagonally dominant (``lu_no_pivot``: getrf and getrs without pivoting) and Gaussian
(``lu_pivot``: with partial pivoting). Operations: ``factor`` (the factorization alone) and
``factor_solve`` (factorization, then the solve, one kernel for cuSOLVERDx). Operands live in
global memory column-major per problem; every output is written out of place, so repeated calls
do the same work.

Contenders, each in processes of its own (benchmarks/_cusolverdx_child.py):

* ``ours``: this checkout's ``nvmath.device.CholeskySolver`` / ``LUSolver`` / ``LUPivotSolver``
  in one ``numba.cuda.jit`` kernel per case (PYTHONPATH=SITE_DIR:<this checkout>); each block
  loads ``batches_per_block`` problems into shared memory (as cuSOLVERDx suggests for the
  factorization, or ``--bpb``), factorizes, solves and writes the results back.
* ``peer``: the same kernel code with nvmath-python's cuSOLVERDx (PYTHONPATH=PEER_DIR:SITE_DIR,
  its libmathdx first on LD_LIBRARY_PATH as in peer_nvmath_python.py); skipped, with a note,
  when nvmath-python is not installed in PEER_DIR.
* ``torch``: ``torch.linalg.cholesky_ex`` + ``torch.cholesky_solve``;
  ``torch.linalg.lu_factor_ex(pivot=False / True)`` + ``torch.linalg.lu_solve``, batched, on the
  same memory seen as column-major tensors.

Before timing, every case is checked on the first and last 256 problems, in float64:
||L L^T - A|| / ||A|| or ||L U - P A|| / ||A||, and ||A X - B|| / (||A|| ||X|| + ||B||), all below
20 N eps, and info == 0; a case that fails is reported and not timed. Timing: median of
``--repeat`` CUDA-event times after ``--warmup`` calls, in each process; ``--rounds`` rounds run
the contenders in turn (the order rotating each round), and the figure reported is the median
over rounds. Each nvmath contender has its own NVMATH_CACHE_DIR (the first round compiles).

Writes OUT/cusolverdx_batched.json (per case and contender the median, the per-round figures,
residuals, cuSOLVERDx configuration; ratios ours / peer and ours / torch) and
OUT/cusolverdx_batched.png.
"""

from __future__ import annotations

import argparse
import json
import os
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

NAME = "cusolverdx_batched"
CHILD = os.path.join(HERE, "_cusolverdx_child.py")
KINDS = ("cholesky", "lu_no_pivot", "lu_pivot")
OPS = ("factor", "factor_solve")
PRECISIONS = ("float32", "float64")
LABELS = {"ours": "nvmath-fusion (this checkout)", "peer": "nvmath-python", "torch": "PyTorch"}
COLORS = {"ours": "#76b900", "peer": "#999999", "torch": "#ee4c2c"}


def run_child(mode: str, cfg: dict, env: dict, timeout: float) -> dict:
    """_cusolverdx_child.py MODE in a fresh process from an empty temporary folder: its report,
    or {"error": ...}."""
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nvmath-cusolverdx-") as cwd:
        script = os.path.join(cwd, os.path.basename(CHILD))
        shutil.copyfile(CHILD, script)
        try:
            done = subprocess.run(
                [sys.executable, script, mode, json.dumps(cfg)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=max(1.0, timeout),
            )
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return {"error": f"timed out after {timeout:.0f} s", "stderr_tail": err[-2000:]}
    report = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("@@child "):
            try:
                report = json.loads(line[len("@@child ") :])
            except json.JSONDecodeError:
                pass
            break
    lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
    if report is None or done.returncode != 0:
        report = report or {}
        report["error"] = (
            report.get("error") or f"exited with {done.returncode}: {(lines or ['(no stderr)'])[-1][-600:]}"
        )
        report["stderr_tail"] = "\n".join(lines[-20:])[-3000:]
    elif report.get("errors"):
        report["stderr_tail"] = "\n".join(lines[-40:])[-4000:]
    report["process_wall_s"] = time.perf_counter() - t
    return report


def chart(path: str, cases: dict, title: str) -> None:
    keys = [k for k, c in cases.items() if any("ms" in c.get(w, {}) for w in LABELS)]
    if not keys:
        return
    plt = pyplot()
    if plt is None:
        return
    who = [w for w in LABELS if any("ms" in cases[k].get(w, {}) for k in keys)]
    h = 0.8 / len(who)
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(keys) * max(1, len(who) / 2) + 1.8))
    for i, w in enumerate(who):
        ys = [y - 0.4 + h * (i + 0.5) for y in range(len(keys))]
        vals = [cases[k].get(w, {}).get("ms", 0.0) for k in keys]
        ax.barh(ys, vals, height=h, color=COLORS[w], label=LABELS[w])
        for y, v in zip(ys, vals):
            if v:
                ax.annotate(f" {v:.3g}", (v, y), va="center", fontsize=6)
    ax.set_yticks(list(range(len(keys))))
    ax.set_yticklabels([k.replace("/", " ") for k in keys], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("median GPU time [ms] (lower is better)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (int, float)) else "-"


def _list(text: str, accepted, name: str, parser) -> list:
    items = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in items if s not in accepted]
    if bad or not items:
        parser.error(f"{name}={text!r} is not supported; accepted: a comma-separated subset of " + ", ".join(accepted))
    return items


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--n", type=int, default=32, help="matrix size N")
    parser.add_argument("--nrhs", type=int, default=1, help="right-hand sides K of the solve")
    parser.add_argument("--batches", default="10000,100000", help="comma-separated batch sizes")
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--bpb", type=int, default=None, help="batches per block (default: cuSOLVERDx's suggestion)")
    parser.add_argument("--block-dim", type=int, default=None, help="threads per block (default: suggested)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peer-dir", default=os.environ.get("NVMATH_PEER_DIR", "/tmp/peer"))
    parser.add_argument("--site-dir", default="/tmp/site", help="host wheels (numba, libmathdx...); skipped if absent")
    parser.add_argument("--no-peer", action="store_true", help="leave nvmath-python out")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--timeout", type=float, default=400.0, help="seconds for one process")
    parser.add_argument(
        "--budget", type=float, default=250.0, help="seconds for all the processes together (rounds are dropped to fit)"
    )
    args = parser.parse_args(argv)
    for name in ("n", "nrhs", "rounds", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}={getattr(args, name)} is not supported; accepted: an integer >= 1")
    try:
        batches = [int(s) for s in args.batches.split(",") if s.strip()]
    except ValueError:
        batches = []
    if not batches or min(batches) < 1:
        parser.error(f"--batches={args.batches!r} is not supported; accepted: comma-separated integers >= 1")
    cfg = {
        "n": args.n,
        "nrhs": args.nrhs,
        "batches": batches,
        "precisions": _list(args.precisions, PRECISIONS, "--precisions", parser),
        "kinds": _list(args.kinds, KINDS, "--kinds", parser),
        "ops": _list(args.ops, OPS, "--ops", parser),
        "warmup": args.warmup,
        "repeat": args.repeat,
        "bpb": args.bpb,
        "block_dim": args.block_dim,
        "seed": args.seed,
    }

    site_dir = os.path.abspath(args.site_dir) if args.site_dir and os.path.isdir(args.site_dir) else ""
    peer_dir = os.path.abspath(args.peer_dir)
    version = None if args.no_peer else find_peer(peer_dir)
    caches = tempfile.mkdtemp(prefix="nvmath-cusolverdx-caches-")
    ours_env = dict(os.environ)
    ours_env["PYTHONPATH"] = os.pathsep.join(p for p in (site_dir, REPO) if p)
    ours_env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs = {
        "ours": {
            **ours_env,
            "NVMATH_CACHE_DIR": os.path.join(caches, "ours"),
            "NVMATH_EXPECT_DIR": os.path.join(REPO, "nvmath"),
        }
    }
    notes = []
    if version is not None:
        envs["peer"] = {
            **child_env(peer_dir, site_dir, own_libmathdx=True),
            "NVMATH_CACHE_DIR": os.path.join(caches, "peer"),
            "NVMATH_EXPECT_DIR": os.path.join(peer_dir, "nvmath"),
        }
    elif not args.no_peer:
        notes.append(f"no nvmath-python in {peer_dir}: the peer is left out")
        print(f"{NAME}: no nvmath-python in {peer_dir}: measuring this checkout and PyTorch only", flush=True)
    if not args.no_torch:
        envs["torch"] = dict(ours_env)
    contenders = list(envs)

    res = {
        "benchmark": "batched small Cholesky / LU (factorize, solve): cuSOLVERDx in a Numba kernel vs PyTorch",
        "config": cfg,
        "contenders": {w: LABELS[w] for w in contenders},
        "peer_version": version,
        "peer_dir": peer_dir if version else None,
        "peer_libmathdx_dir": peer_libmathdx_dir(peer_dir) if version else None,
        "pythonpath": {w: envs[w].get("PYTHONPATH") for w in contenders},
        "method": "per process: every case checked (first and last 256 problems, float64 residuals < 20 N eps, "
        "info == 0), then median of `repeat` CUDA-event times after `warmup` calls; rounds rotate the "
        "contenders' order; reported ms = median over rounds of the per-process medians",
        "rounds": [],
        "cases": {},
        "errors": {},
        "notes": notes,
    }
    deadline = time.monotonic() + args.budget
    walls = {}
    rounds_done = 0
    for rnd in range(args.rounds):
        order = contenders[rnd % len(contenders) :] + contenders[: rnd % len(contenders)]
        need = sum(walls.get(w, 0.0) for w in order) * 1.15 + 5
        if rnd > 0 and deadline - time.monotonic() < need:
            res["errors"]["rounds"] = f"stopped after {rounds_done} round(s): out of time budget ({need:.0f} s needed)"
            print(f"{NAME}: {res['errors']['rounds']}", flush=True)
            break
        done = {}
        for w in order:
            left = deadline - time.monotonic()
            if left < 10:
                res["errors"][f"{w}/round{rnd + 1}"] = "skipped: out of time budget"
                continue
            mode = "torch" if w == "torch" else "nvmath"
            r = run_child(mode, cfg, envs[w], min(args.timeout, left))
            if "error" in r and w == "peer" and rnd == 0 and peer_libmathdx_dir(peer_dir):
                # nvmath-python may not run with the libmathdx beside it: try the host's, and say so.
                print(f"{NAME}: peer failed with its own libmathdx ({r['error'][:300]}); retrying with the host's")
                envs["peer"] = {**envs["peer"], **child_env(peer_dir, site_dir, own_libmathdx=False)}
                notes.append("nvmath-python ran with the host's libmathdx (its own failed)")
                r = run_child(mode, cfg, envs[w], min(args.timeout, deadline - time.monotonic()))
            walls[w] = r["process_wall_s"]
            done[w] = r
            if "error" in r:
                res["errors"][f"{w}/round{rnd + 1}"] = r["error"]
                print(f"{NAME}: {w} round {rnd + 1} failed: {r['error']}\n{r.get('stderr_tail', '')}", flush=True)
            else:
                for key, err in (r.get("errors") or {}).items():
                    res["errors"].setdefault(f"{w}/{key}", err)
                    print(f"{NAME}: {w} {key}: {err[-400:]}", flush=True)
                if r.get("errors"):
                    print(r.get("stderr_tail", ""), flush=True)
                print(
                    f"{NAME}: {w} round {rnd + 1}: {len([c for c in r['cases'].values() if 'ms' in c])} cases timed, "
                    f"{r['process_wall_s']:.1f} s",
                    flush=True,
                )
        res["rounds"].append(
            {
                w: {k: v for k, v in r.items() if k not in ("cases", "stderr_tail")}
                | {"ms": {key: c.get("ms") for key, c in r.get("cases", {}).items()}}
                for w, r in done.items()
            }
        )
        rounds_done += 1
        for w, r in done.items():
            for key, c in r.get("cases", {}).items():
                entry = res["cases"].setdefault(key, {}).setdefault(w, {"rounds_ms": []})
                if "ms" in c:
                    entry["rounds_ms"].append(c["ms"])
                # The residuals and the configuration of the first round that measured the case.
                if "residuals" not in entry:
                    entry["residuals"] = {
                        k: c[k]
                        for k in ("factor_residual", "solve_residual", "tolerance", "verified", "info_nonzero")
                        if k in c
                    }
                    for k in ("config", "padded_batch", "strides"):
                        if k in c:
                            entry[k] = c[k]
                entry.setdefault("first_launch_s", []).append(c.get("first_launch_s"))
            for k in ("device", "nvmath_file", "nvmath_version", "torch_version"):
                if r.get(k):
                    res.setdefault("versions", {}).setdefault(w, {})[k] = r[k]
    res["rounds_done"] = rounds_done

    for key, case in res["cases"].items():
        for entry in case.values():
            if entry["rounds_ms"]:
                entry["ms"] = statistics.median(entry["rounds_ms"])
                batch = int(key.rsplit("/", 1)[1])
                entry["problems_per_s"] = batch / (entry["ms"] * 1e-3)
        ratios = {}
        for a, b in (("ours", "peer"), ("ours", "torch"), ("peer", "torch")):
            if "ms" in case.get(a, {}) and case.get(b, {}).get("ms"):
                ratios[f"{a}_over_{b}"] = case[a]["ms"] / case[b]["ms"]
        case["ratios"] = ratios

    os.makedirs(args.out, exist_ok=True)
    json_path = os.path.join(args.out, f"{NAME}.json")
    with open(json_path, "w") as f:
        json.dump(res, f, indent=2)
    device = next((v.get("device") for v in res.get("versions", {}).values() if v.get("device")), "?")
    try:
        chart(
            os.path.join(args.out, f"{NAME}.png"),
            res["cases"],
            f"batched {args.n}x{args.n} Cholesky / LU, {args.nrhs} rhs, cuSOLVERDx (Numba) vs PyTorch ({device})",
        )
    except Exception as e:  # the numbers are written; a chart is not worth failing for
        print(f"{NAME}: no chart: {type(e).__name__}: {e}", file=sys.stderr)

    print(f"batched {args.n}x{args.n}, {args.nrhs} rhs, medians of {rounds_done} round(s) [ms] on {device}")
    head = "".join(f"{w:>10}" for w in contenders)
    print(f"  {'case':<40}{head}   ours/peer  ours/torch")
    for key, case in res["cases"].items():
        cols = "".join(f"{fmt(case.get(w, {}).get('ms')):>10}" for w in contenders)
        r = case["ratios"]
        print(f"  {key:<40}{cols}   {fmt(r.get('ours_over_peer')):>9}  {fmt(r.get('ours_over_torch')):>10}")
    for note in notes:
        print("note:", note)
    for k, v in res["errors"].items():
        print(f"error: {k}: {str(v)[-400:]}")
    print(f"wrote {json_path}")
    shutil.rmtree(caches, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
