# Child process of benchmarks/cusolverdx_batched.py: batched small Cholesky and LU (factorize,
# then solve) in one measuring process, with either nvmath's cuSOLVERDx in a Numba kernel or
# PyTorch's batched linear algebra.
#
#     NVMATH_EXPECT_DIR=DIR python3 _cusolverdx_child.py nvmath '{"n": 32, ...}'
#     python3 _cusolverdx_child.py torch '{"n": 32, ...}'
#
# The nvmath mode uses only names that this project and nvmath-python (the peer) share
# (nvmath.device.CholeskySolver, LUSolver, LUPivotSolver, nvmath.device.cusolverdx.Solver), so
# the same kernels run against either: the parent sets PYTHONPATH, and this checks that the
# `nvmath` imported comes from NVMATH_EXPECT_DIR. It is copied into an empty temporary folder
# and run from there. The last line of stdout is one JSON object prefixed with "@@child ".
#
# Operands in global memory are stored column-major per problem: an array (batch, cols, rows)
# in C order holds A[b] transposed, so that a block's loads are coalesced and its writes to
# shared memory (column-major, cuSOLVERDx's default) contiguous; PyTorch gets the same memory
# as (batch, rows, cols) tensors with column-major strides, the layout its solvers work in.
import functools
import json
import os
import statistics
import sys
import time
import traceback

import numpy as np

KINDS = ("cholesky", "lu_no_pivot", "lu_pivot")
OPS = ("factor", "factor_solve")
FACTOR_FUNCTION = {"cholesky": "potrf", "lu_no_pivot": "getrf_no_pivot", "lu_pivot": "getrf_partial_pivot"}
POOL = 256  # distinct problems, repeated over the batch; the first and last POOL are checked


def _error(e: BaseException) -> str:
    traceback.print_exc()
    return f"{type(e).__name__}: {e}"[-1500:]


def problems(kind: str, n: int, k: int, seed: int):
    """POOL float64 problems (A, B) of one kind: symmetric positive definite (cholesky),
    diagonally dominant (lu_no_pivot) or plain Gaussian, which needs pivoting (lu_pivot)."""
    rng = np.random.default_rng(seed + KINDS.index(kind))
    m = rng.standard_normal((POOL, n, n))
    if kind == "cholesky":
        a = m @ m.transpose(0, 2, 1) / n + np.eye(n)
    elif kind == "lu_no_pivot":
        a = m.copy()
        idx = np.arange(n)
        a[:, idx, idx] = np.abs(m).sum(axis=2) + 1.0
    else:
        a = m
    return a, rng.standard_normal((POOL, n, k))


def column_major_batch(x: np.ndarray, batch: int, dtype) -> np.ndarray:
    """``x`` (POOL, rows, cols) repeated to ``batch`` problems, as (batch, cols, rows) in C order."""
    t = np.ascontiguousarray(x.transpose(0, 2, 1), dtype=dtype)
    reps = -(-batch // POOL)
    return np.ascontiguousarray(np.broadcast_to(t, (reps, *t.shape)).reshape(-1, *t.shape[1:])[:batch])


def check(kind, a, b, f, x, ipiv, info, precision) -> dict:
    """Residuals, in float64, of the factors ``f`` and solutions ``x`` (or None) of problems
    ``a``, ``b`` (all (count, rows, cols)): ||L L^T - A|| / ||A|| (Cholesky, lower),
    ||L U - P A|| / ||A|| (LU), ||A X - B|| / (||A|| ||X|| + ||B||); the largest of each."""
    n = a.shape[1]
    f = f.astype(np.float64)
    if kind == "cholesky":
        low = np.tril(f)
        rec, pa = low @ low.transpose(0, 2, 1), a
    else:
        low = np.tril(f, -1) + np.eye(n)
        rec, pa = low @ np.triu(f), a.copy()
        if ipiv is not None:  # LAPACK's convention: row i swapped with row ipiv[i] - 1, in order
            for p in range(pa.shape[0]):
                for i, q in enumerate(ipiv[p]):
                    if q - 1 != i:
                        pa[p, [i, q - 1]] = pa[p, [q - 1, i]]
    norm_a = np.linalg.norm(a, axis=(1, 2))
    out = {
        "factor_residual": float(np.max(np.linalg.norm(rec - pa, axis=(1, 2)) / norm_a)),
        "info_nonzero": int(np.count_nonzero(info)),
    }
    if x is not None:
        x = x.astype(np.float64)
        r = np.linalg.norm(a @ x - b, axis=(1, 2)) / (
            norm_a * np.linalg.norm(x, axis=(1, 2)) + np.linalg.norm(b, axis=(1, 2))
        )
        out["solve_residual"] = float(np.max(r))
    tol = 20 * n * float(np.finfo(precision).eps)
    out["tolerance"] = tol
    worst = max(out["factor_residual"], out.get("solve_residual", 0.0))
    out["verified"] = bool(out["info_nonzero"] == 0 and np.isfinite(worst) and worst <= tol)
    return out


def subset_rows(batch: int) -> np.ndarray:
    """Indices of the problems checked: the first POOL and the last POOL of the batch."""
    return np.unique(np.concatenate([np.arange(min(POOL, batch)), np.arange(max(0, batch - POOL), batch)]))


def pick(array, batch: int) -> np.ndarray:
    """The problems ``subset_rows(batch)`` of a device array, copied to the host (only those)."""
    if batch <= 2 * POOL:
        return array[:batch].copy_to_host()
    return np.concatenate([array[:POOL].copy_to_host(), array[batch - POOL : batch].copy_to_host()])


# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _copies():
    """The device functions that move problems between global and shared memory."""
    from numba import cuda

    @cuda.jit(device=True, forceinline=True)
    def load(src, dst, first, rows, cols, s0, s1, s2, count, tid, nthreads):
        # src (batch, cols, rows) holds each problem transposed; dst is strided over (b, row, col).
        per = rows * cols
        for idx in range(tid, count * per, nthreads):
            bb = idx // per
            r = idx - bb * per
            j = r // rows
            i = r - j * rows
            dst[bb * s0 + i * s1 + j * s2] = src[first + bb, j, i]

    @cuda.jit(device=True, forceinline=True)
    def store(src, dst, first, rows, cols, s0, s1, s2, count, tid, nthreads):
        per = rows * cols
        for idx in range(tid, count * per, nthreads):
            bb = idx // per
            r = idx - bb * per
            j = r // rows
            i = r - j * rows
            dst[first + bb, j, i] = src[bb * s0 + i * s1 + j * s2]

    return load, store


def solver(cfg: dict, kind: str, precision):
    """The face, with the batches per block and block shape cuSOLVERDx suggests for the
    factorization (or those given), the same for both of its functions."""
    import nvmath.device as dev
    from nvmath.device.cusolverdx import Solver

    n, k, sm = cfg["n"], cfg["nrhs"], cfg.get("sm")
    hint = Solver(
        FACTOR_FUNCTION[kind],
        (n, n, k),
        precision,
        "Block",
        fill_mode="lower" if kind == "cholesky" else None,
        batches_per_block="suggested" if cfg.get("bpb") is None else int(cfg["bpb"]),
        block_dim="suggested" if cfg.get("block_dim") is None else (int(cfg["block_dim"]), 1, 1),
        sm=sm,
    )
    common = dict(
        size=(n, n, k),
        precision=precision,
        execution="Block",
        batches_per_block=int(hint.batches_per_block),
        block_dim=tuple(int(d) for d in hint.block_dim),
        sm=sm,
    )
    if kind == "cholesky":
        return dev.CholeskySolver(fill_mode="lower", **common)
    if kind == "lu_no_pivot":
        return dev.LUSolver(**common)
    return dev.LUPivotSolver(**common)


def kernel(kind: str, op: str, s, n: int, k: int):
    """One Numba kernel: each block loads batches_per_block problems into shared memory,
    factorizes them (and solves), and writes the factors (and solutions) back."""
    from numba import cuda

    load, store = _copies()
    bpb = int(s.batches_per_block)
    bdx, bdy, bdz = (int(d) for d in tuple(s.block_dim))
    nthreads = bdx * bdy * bdz
    n_a, n_b = int(s.a_size()), int(s.b_size())
    a0, a1, a2 = (int(v) for v in s.a_strides())
    b0, b1, b2 = (int(v) for v in s.b_strides())
    vt = s.value_type
    n_ipiv = int(s.ipiv_size) if kind == "lu_pivot" else 1
    pivot, solve = kind == "lu_pivot", op == "factor_solve"

    if not pivot and not solve:

        @cuda.jit
        def f(a, b, fa, x, ipiv, info):
            sa = cuda.shared.array(n_a, dtype=vt)
            tid = cuda.threadIdx.x + (cuda.threadIdx.y + cuda.threadIdx.z * bdy) * bdx
            first = cuda.blockIdx.x * bpb
            load(a, sa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            cuda.syncthreads()
            s.factorize(sa, info[first:])
            cuda.syncthreads()
            store(sa, fa, first, n, n, a0, a1, a2, bpb, tid, nthreads)

    elif not pivot:

        @cuda.jit
        def f(a, b, fa, x, ipiv, info):
            sa = cuda.shared.array(n_a, dtype=vt)
            sb = cuda.shared.array(n_b, dtype=vt)
            tid = cuda.threadIdx.x + (cuda.threadIdx.y + cuda.threadIdx.z * bdy) * bdx
            first = cuda.blockIdx.x * bpb
            load(a, sa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            load(b, sb, first, n, k, b0, b1, b2, bpb, tid, nthreads)
            cuda.syncthreads()
            s.factorize(sa, info[first:])
            cuda.syncthreads()
            s.solve(sa, sb)
            cuda.syncthreads()
            store(sa, fa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            store(sb, x, first, n, k, b0, b1, b2, bpb, tid, nthreads)

    elif not solve:

        @cuda.jit
        def f(a, b, fa, x, ipiv, info):
            sa = cuda.shared.array(n_a, dtype=vt)
            sp = cuda.shared.array(n_ipiv, dtype=np.int32)
            tid = cuda.threadIdx.x + (cuda.threadIdx.y + cuda.threadIdx.z * bdy) * bdx
            first = cuda.blockIdx.x * bpb
            load(a, sa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            cuda.syncthreads()
            s.factorize(sa, sp, info[first:])
            cuda.syncthreads()
            store(sa, fa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            for idx in range(tid, bpb * n, nthreads):
                ipiv[first + idx // n, idx % n] = sp[idx]

    else:

        @cuda.jit
        def f(a, b, fa, x, ipiv, info):
            sa = cuda.shared.array(n_a, dtype=vt)
            sb = cuda.shared.array(n_b, dtype=vt)
            sp = cuda.shared.array(n_ipiv, dtype=np.int32)
            tid = cuda.threadIdx.x + (cuda.threadIdx.y + cuda.threadIdx.z * bdy) * bdx
            first = cuda.blockIdx.x * bpb
            load(a, sa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            load(b, sb, first, n, k, b0, b1, b2, bpb, tid, nthreads)
            cuda.syncthreads()
            s.factorize(sa, sp, info[first:])
            cuda.syncthreads()
            s.solve(sa, sp, sb)
            cuda.syncthreads()
            store(sa, fa, first, n, n, a0, a1, a2, bpb, tid, nthreads)
            store(sb, x, first, n, k, b0, b1, b2, bpb, tid, nthreads)
            for idx in range(tid, bpb * n, nthreads):
                ipiv[first + idx // n, idx % n] = sp[idx]

    return f, (bdx, bdy, bdz)


def run_nvmath(cfg: dict) -> dict:
    t0 = time.perf_counter()
    import nvmath

    path = os.path.realpath(nvmath.__file__)
    expect = os.environ.get("NVMATH_EXPECT_DIR")
    if expect and not path.startswith(os.path.realpath(expect) + os.sep):
        raise RuntimeError(f"imported nvmath from {path}, not from {os.path.realpath(expect)}")
    from numba import cuda

    res = {"nvmath_file": path, "nvmath_version": str(getattr(nvmath, "__version__", "?")), "cases": {}, "errors": {}}
    res["device"] = cuda.get_current_device().name
    res["device"] = res["device"].decode() if isinstance(res["device"], bytes) else str(res["device"])
    res["import_s"] = time.perf_counter() - t0
    n, k = cfg["n"], cfg["nrhs"]

    def time_ms(launch):
        for _ in range(cfg["warmup"]):
            launch()
        cuda.synchronize()
        times = []
        for _ in range(cfg["repeat"]):
            start, stop = cuda.event(), cuda.event()
            start.record()
            launch()
            stop.record()
            stop.synchronize()
            times.append(cuda.event_elapsed_time(start, stop))
        return statistics.median(times), times

    for prec_name in cfg["precisions"]:
        precision = np.dtype(prec_name).type
        for kind in cfg["kinds"]:
            a64, b64 = problems(kind, n, k, cfg["seed"])
            a_in, b_in = a64.astype(precision).astype(np.float64), b64.astype(precision).astype(np.float64)
            try:
                s = solver(cfg, kind, precision)
                kernels = {op: kernel(kind, op, s, n, k) for op in cfg["ops"]}
            except Exception as e:
                res["errors"][f"{kind}/{prec_name}"] = _error(e)
                continue
            bpb = int(s.batches_per_block)
            config = {
                "batches_per_block": bpb,
                "block_dim": [int(d) for d in tuple(s.block_dim)],
                "lda": int(s.lda),
                "ldb": int(s.ldb),
            }
            for batch in cfg["batches"]:
                blocks = -(-batch // bpb)
                padded = blocks * bpb
                try:
                    a_d = cuda.to_device(column_major_batch(a64, padded, precision))
                    b_d = cuda.to_device(column_major_batch(b64, padded, precision))
                    fa_d = cuda.device_array_like(a_d)
                    x_d = cuda.device_array_like(b_d)
                    ipiv_d = cuda.device_array((padded, n), dtype=np.int32)
                    info_d = cuda.device_array(padded, dtype=np.int32)
                except Exception as e:
                    res["errors"][f"{kind}/{prec_name}/{batch}"] = _error(e)
                    continue
                rows = subset_rows(batch)
                for op, (f, block) in kernels.items():
                    key = f"{kind}/{op}/{prec_name}/{batch}"

                    def launch(f=f, block=block, arrays=(a_d, b_d, fa_d, x_d, ipiv_d, info_d)):
                        f[blocks, block](*arrays)

                    try:
                        t = time.perf_counter()
                        launch()
                        cuda.synchronize()
                        first_launch = time.perf_counter() - t
                        fa = pick(fa_d, batch).transpose(0, 2, 1)
                        x = pick(x_d, batch).transpose(0, 2, 1) if op == "factor_solve" else None
                        ipiv = pick(ipiv_d, batch) if kind == "lu_pivot" else None
                        info = pick(info_d, batch)
                        pool = rows % POOL
                        case = {"config": config, "padded_batch": padded, "first_launch_s": first_launch}
                        case.update(check(kind, a_in[pool], b_in[pool], fa, x, ipiv, info, precision))
                        if case["verified"]:
                            case["ms"], case["times_ms"] = time_ms(launch)
                        else:
                            res["errors"][key] = f"wrong results, not timed: {json.dumps(case)}"
                        res["cases"][key] = case
                    except Exception as e:
                        res["errors"][key] = _error(e)
                del a_d, b_d, fa_d, x_d, ipiv_d, info_d
    return res


# --------------------------------------------------------------------------------------------
def run_torch(cfg: dict) -> dict:
    import torch

    res = {"torch_version": torch.__version__, "device": torch.cuda.get_device_name(), "cases": {}, "errors": {}}
    n, k = cfg["n"], cfg["nrhs"]

    def ops(kind, op, a, b):
        """The PyTorch calls, the _ex forms that check nothing on the host (no synchronization),
        as the kernels leave info on the device."""
        if kind == "cholesky":
            low, info = torch.linalg.cholesky_ex(a)
            x = torch.cholesky_solve(b, low) if op == "factor_solve" else None
            return low, x, None, info
        lu, piv, info = torch.linalg.lu_factor_ex(a, pivot=kind == "lu_pivot")
        x = torch.linalg.lu_solve(lu, piv, b) if op == "factor_solve" else None
        return lu, x, piv, info

    def time_ms(fn):
        for _ in range(cfg["warmup"]):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(cfg["repeat"]):
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop))
        return statistics.median(times), times

    for prec_name in cfg["precisions"]:
        precision = np.dtype(prec_name).type
        for kind in cfg["kinds"]:
            a64, b64 = problems(kind, n, k, cfg["seed"])
            a_in, b_in = a64.astype(precision).astype(np.float64), b64.astype(precision).astype(np.float64)
            for batch in cfg["batches"]:
                # The same memory as the kernels read, seen as column-major (batch, rows, cols).
                a = torch.from_numpy(column_major_batch(a64, batch, precision)).cuda().transpose(-2, -1)
                b = torch.from_numpy(column_major_batch(b64, batch, precision)).cuda().transpose(-2, -1)
                rows = torch.from_numpy(subset_rows(batch)).cuda()
                for op in cfg["ops"]:
                    key = f"{kind}/{op}/{prec_name}/{batch}"
                    try:
                        t = time.perf_counter()
                        f, x, piv, info = ops(kind, op, a, b)
                        torch.cuda.synchronize()
                        first_launch = time.perf_counter() - t
                        pool = subset_rows(batch) % POOL
                        case = {"first_launch_s": first_launch, "strides": list(a.stride())}
                        case.update(
                            check(
                                kind,
                                a_in[pool],
                                b_in[pool],
                                f[rows].cpu().numpy(),
                                None if x is None else x[rows].cpu().numpy(),
                                None if piv is None or kind != "lu_pivot" else piv[rows].cpu().numpy(),
                                info[rows].cpu().numpy(),
                                precision,
                            )
                        )
                        del f, x, piv, info
                        if case["verified"]:
                            case["ms"], case["times_ms"] = time_ms(
                                lambda kind=kind, op=op, a=a, b=b: ops(kind, op, a, b)
                            )
                        else:
                            res["errors"][key] = f"wrong results, not timed: {json.dumps(case)}"
                        res["cases"][key] = case
                    except Exception as e:
                        res["errors"][key] = _error(e)
                del a, b
                torch.cuda.empty_cache()
    return res


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("nvmath", "torch"):
        print("usage: python3 _cusolverdx_child.py {nvmath|torch} CONFIG_JSON", file=sys.stderr)
        return 2
    cfg = json.loads(sys.argv[2])
    try:
        res = run_nvmath(cfg) if sys.argv[1] == "nvmath" else run_torch(cfg)
        status = 0
    except BaseException as e:
        res, status = {"error": _error(e)}, 1
    print("@@child " + json.dumps(res), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
