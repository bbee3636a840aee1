"""Where the CPU time of one ``execute`` call goes: FFT (CuPy, 8 x 256 complex64) and Matmul
(PyTorch and CuPy, 64 x 64 x 64 fp32), each part timed alone over 1000 calls.

    python benchmarks/execute_overhead.py [--out results]

Parts: the library call alone into a preallocated result (the floor nvmath cannot go under),
the result allocation alone (several ways), the current-stream and current-device lookups,
and the peers' own calls (``cupy.fft.fft``, ``a @ b``, ``torch.mm(out=)``).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import cpu_cost_us, write


def _us(fn, sync):
    return round(cpu_cost_us(fn, sync)[0], 2)


def fft_parts(res: dict) -> None:
    import cupy as cp
    import numpy as np

    import nvmath
    from nvmath._internal import streams as _streams

    rng = np.random.default_rng(0)
    small = cp.asarray((rng.standard_normal((8, 256)) + 1j * rng.standard_normal((8, 256))).astype(np.complex64))
    sync = cp.cuda.get_current_stream().synchronize
    out = cp.empty_like(small)
    with nvmath.fft.FFT(small, axes=[1]) as f:
        f.plan()
        b = f._backend
        handle, exec_, in_ptr, out_ptr = b.handle, b._exec, small.data.ptr, out.data.ptr
        res["fft_execute"] = _us(f.execute, sync)
        res["fft_raw_cufftXtExec"] = _us(lambda: exec_(handle, in_ptr, out_ptr, -1), sync)
        from nvmath.bindings import cufft

        typed = cufft._lib.unchecked("cufftExecC2C")
        res["fft_raw_cufftExecC2C"] = _us(lambda: typed(handle, in_ptr, out_ptr, -1), sync)
        res["fft_fast_output"] = _us(b._fast, sync)
    stream = _streams.current_stream_getter("cupy", 0)
    res["cupy_current_stream"] = _us(stream, sync)
    res["cupy_get_device"] = _us(_streams.current_device_getter("cupy"), sync)
    alloc, nd = cp.cuda.alloc, cp.ndarray
    res["cupy_ndarray_memptr_strides"] = _us(
        lambda: nd((8, 256), np.complex64, memptr=alloc(16384), strides=(2048, 8)), sync
    )
    res["cupy_ndarray_plain"] = _us(lambda: nd((8, 256), np.complex64), sync)
    res["cupy_empty"] = _us(lambda: cp.empty((8, 256), np.complex64), sync)
    res["cupy_fft_fft"] = _us(lambda: cp.fft.fft(small, axis=1), sync)


def matmul_parts(res: dict) -> None:
    import torch

    from nvmath._internal import streams as _streams
    from nvmath.linalg.advanced import Matmul

    sync = torch.cuda.synchronize
    sa, sb = torch.randn(64, 64, device="cuda"), torch.randn(64, 64, device="cuda")
    d = torch.empty(64, 64, device="cuda")
    with Matmul(sa, sb) as mm:
        mm.plan()
        res["matmul_execute_torch"] = _us(mm.execute, sync)
        b = mm._backend
        import ctypes

        from nvmath.bindings import cublasLt as lt

        raw = lt._lib.function("cublasLtMatmul")
        first, second = (b.dev["b"], b.dev["a"]) if b.swap else (b.dev["a"], b.dev["b"])
        algo = ctypes.byref(getattr(b.algorithms[0], "algo", b.algorithms[0]))
        args = (
            b.handle,
            b.desc,
            b._alpha.ctypes.data,
            first.data_ptr,
            b.layouts[0],
            second.data_ptr,
            b.layouts[1],
            b._beta.ctypes.data,
            d.data_ptr(),
            b.layouts[2],
            d.data_ptr(),
            b.layouts[3],
            algo,
            b.workspace.ptr if b.workspace is not None else None,
            b.worksize,
            torch.cuda.current_stream().cuda_stream,
        )
        res["matmul_raw_cublasLtMatmul"] = _us(lambda: raw(*args), sync)
    stream = _streams.current_stream_getter("torch", 0)
    res["torch_current_stream"] = _us(stream, sync)
    res["torch_get_device"] = _us(_streams.current_device_getter("torch"), sync)
    dev = torch.device("cuda", 0)
    res["torch_empty_strided"] = _us(
        lambda: torch.empty_strided((64, 64), (64, 1), dtype=torch.float32, device=dev), sync
    )
    res["torch_empty"] = _us(lambda: torch.empty((64, 64), dtype=torch.float32, device=dev), sync)
    res["torch_a_at_b"] = _us(lambda: sa @ sb, sync)
    res["torch_mm_out"] = _us(lambda: torch.mm(sa, sb, out=d), sync)
    try:
        import cupy as cp

        ca, cb = cp.asarray(sa), cp.asarray(sb)
        with Matmul(ca, cb) as mm:
            mm.plan()
            res["matmul_execute_cupy"] = _us(mm.execute, cp.cuda.get_current_stream().synchronize)
        res["cupy_matmul"] = _us(lambda: ca @ cb, cp.cuda.get_current_stream().synchronize)
    except ImportError:
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    args = parser.parse_args(argv)
    res: dict = {"unit": "microseconds per call (median of 5 loops of 1000 calls)"}
    try:
        import cupy as cp

        res["device"] = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
        fft_parts(res)
    except ImportError:
        pass
    try:
        matmul_parts(res)
    except ImportError:
        pass
    for key, value in res.items():
        print(f"{key:32s} {value}")
    write(args.out, "execute_overhead", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
