"""The generic matmul on the GPU (cuBLAS trmm and symm) against PyTorch and nvmath-python.

    python benchmarks/linalg_generic.py [--out results] [--size 4096] [--peer-dir /tmp/peer] [--site-dir /tmp/site]

For float32 and float64 N x N (default 4096), PyTorch operands on GPU 0:

* trmm: ``nvmath.linalg.Matmul(a, b, qualifiers=[general, TriangularMatrixQualifier(LOWER)])``
  against PyTorch's ``a @ torch.tril(b)`` (the triangle made dense each call, as a user would) and
  ``a @ b_tril`` (the triangle made dense once: a plain GEMM);
* symm: ``Matmul(a, b, qualifiers=[SymmetricMatrixQualifier(LOWER), general])`` against
  ``a_sym @ b`` (dense symmetric, plain GEMM).

Each contender is timed with CUDA events (median of 20 after 3 warm-ups), in alternating order
over 4 rounds, keeping the median of the rounds. nvmath-python (when installed in --peer-dir, see
benchmarks/peer_nvmath_python.py) runs the same stateful calls in a process of its own (it has the
same import name). Writes OUT/linalg_generic.json and OUT/linalg_generic.png.
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _common import bar_chart, torch_time_ms, write  # noqa: E402

NAME = "linalg_generic"

# The peer's child: stdlib + torch + the peer's nvmath only; prints one JSON line.
_CHILD = r"""
import json, os, statistics, sys
from _common import torch_time_ms
import numpy as np
import torch
import nvmath
peer_dir = os.path.realpath(os.environ["NVMATH_PEER_DIR"])
assert os.path.realpath(nvmath.__file__).startswith(peer_dir + os.sep), nvmath.__file__
n = int(sys.argv[1])
L = nvmath.linalg
res = {"peer_version": str(getattr(nvmath, "__version__", "?"))}
for dtype in ("float32", "float64"):
    tdt = getattr(torch, dtype)
    a = torch.randn(n, n, device="cuda", dtype=tdt)
    b = torch.randn(n, n, device="cuda", dtype=tdt)
    for kind in ("trmm", "symm"):
        q = np.full(2, L.GeneralMatrixQualifier.create(), dtype=L.matrix_qualifiers_dtype)
        if kind == "trmm":
            q[1] = L.TriangularMatrixQualifier.create(uplo=L.FillMode.LOWER)
        else:
            q[0] = L.SymmetricMatrixQualifier.create(uplo=L.FillMode.LOWER)
        try:
            mm = L.Matmul(a, b, qualifiers=q)
            mm.plan()
            times = [torch_time_ms(mm.execute, warmup=3, repeat=20) for _ in range(4)]
            res[f"{kind}_{dtype}_ms"] = statistics.median(times)
            mm.free()
        except Exception as e:
            res[f"{kind}_{dtype}_error"] = f"{type(e).__name__}: {e}"
print(json.dumps(res))
"""


def run_peer(args) -> dict:
    from peer_nvmath_python import child_env, find_peer

    version = find_peer(args.peer_dir)
    if version is None:
        return {"skipped": f"nvmath-python is not installed in {args.peer_dir}"}
    env = child_env(args.peer_dir, args.site_dir, own_libmathdx=True)
    with tempfile.TemporaryDirectory(prefix="nvmath-peer-") as cwd:
        with open(os.path.join(cwd, "child.py"), "w") as f:
            f.write(_CHILD)
        shutil.copyfile(os.path.join(HERE, "_common.py"), os.path.join(cwd, "_common.py"))
        done = subprocess.run(
            [sys.executable, "child.py", str(args.size)], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
    for line in reversed(done.stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": f"peer child exited with {done.returncode}: {done.stderr[-1500:]}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--peer-dir", default="/tmp/peer")
    parser.add_argument("--site-dir", default="/tmp/site")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    import nvmath.linalg as L

    n = args.size
    res = {"device": torch.cuda.get_device_name(), "size": n}
    labels, values = [], []
    for dtype in ("float32", "float64"):
        tdt = getattr(torch, dtype)
        a = torch.randn(n, n, device="cuda", dtype=tdt)
        b = torch.randn(n, n, device="cuda", dtype=tdt)
        b_tril = torch.tril(b)
        a_sym = torch.tril(a) + torch.tril(a, -1).T
        q_tr = np.full(2, L.GeneralMatrixQualifier.create(), dtype=L.matrix_qualifiers_dtype)
        q_tr[1] = L.TriangularMatrixQualifier.create(uplo=L.FillMode.LOWER)
        q_sy = np.full(2, L.GeneralMatrixQualifier.create(), dtype=L.matrix_qualifiers_dtype)
        q_sy[0] = L.SymmetricMatrixQualifier.create(uplo=L.FillMode.LOWER)
        trmm = L.Matmul(a, b, qualifiers=q_tr)
        trmm.plan()
        symm = L.Matmul(a, b, qualifiers=q_sy)
        symm.plan()
        # Correctness first (relative to float64 products).
        for key, got, want in (
            ("trmm", trmm.execute(), a.double() @ b_tril.double()),
            ("symm", symm.execute(), a_sym.double() @ b.double()),
        ):
            res[f"{key}_{dtype}_rel_error"] = float((got.double() - want).norm() / want.norm())
        contenders = {
            f"nvmath_trmm_{dtype}": trmm.execute,
            f"torch_tril_matmul_{dtype}": lambda: a @ torch.tril(b),
            f"torch_dense_matmul_{dtype}": lambda: a @ b_tril,
            f"nvmath_symm_{dtype}": symm.execute,
            f"torch_sym_matmul_{dtype}": lambda: a_sym @ b,
        }
        rounds = {key: [] for key in contenders}
        for r in range(4):
            order = list(contenders) if r % 2 == 0 else list(reversed(contenders))
            for key in order:
                rounds[key].append(torch_time_ms(contenders[key], warmup=3, repeat=20))
        for key, times in rounds.items():
            res[f"{key}_ms"] = statistics.median(times)
            res[f"{key}_ms_rounds"] = times
            labels.append(key.replace(f"_{dtype}", f"\n{dtype}"))
            values.append(res[f"{key}_ms"])
        trmm.free()
        symm.free()
        contenders = rounds = None
        torch.cuda.empty_cache()
    peer = run_peer(args)
    res["peer"] = peer
    for dtype in ("float32", "float64"):
        for kind in ("trmm", "symm"):
            key = f"{kind}_{dtype}_ms"
            if key in peer:
                res[f"ratio_nvmath_over_peer_{kind}_{dtype}"] = peer[key] / res[f"nvmath_{kind}_{dtype}_ms"]
                labels.append(f"peer_{kind}\n{dtype}")
                values.append(peer[key])
    path = write(args.out, NAME, res)
    bar_chart(os.path.join(args.out, NAME + ".png"), f"generic matmul {n}^3 on {res['device']}", labels, values, "ms")
    for key in sorted(res):
        if key.endswith("_ms") or key.startswith("ratio") or key.endswith("rel_error"):
            print(f"{key}: {res[key]:.4g}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
