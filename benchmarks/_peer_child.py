# Child process of benchmarks/peer_nvmath_python.py: measures nvmath-python (the peer) with its
# public API, the same way as this project's benchmarks measure nvmath-fusion.
#
#     PYTHONPATH=/tmp/peer:/tmp/site python3 _peer_child.py {fft|matmul|kernel}
#
# It is copied into an empty temporary folder and run from there, so that the only `nvmath` it
# can import is the peer's; it checks that before it reports anything. The last line of stdout
# is one JSON object. Nothing here may import this project's code.
import json
import time

t0 = time.perf_counter()  # kernel mode: the clock starts before the imports, as in kernel_warm's child

import os  # noqa: E402  (os and sys are loaded at start-up anyway; the rest is imported where used)
import sys  # noqa: E402


def _error(e: BaseException) -> str:
    """The error as one string for the JSON; the traceback goes to stderr."""
    import traceback

    traceback.print_exc()
    return f"{type(e).__name__}: {e}"


def check_peer() -> dict:
    """The imported nvmath must come from NVMATH_PEER_DIR and, unless NVMATH_EXPECT_VERSION says
    otherwise (benchmarks/matmul_vs_peer.py runs this file against this checkout too, with ""), be
    nvmath-python 1.0."""
    import nvmath

    peer_dir = os.path.realpath(os.environ["NVMATH_PEER_DIR"])
    expect = os.environ.get("NVMATH_EXPECT_VERSION", "1.0")
    path = os.path.realpath(nvmath.__file__)
    version = str(getattr(nvmath, "__version__", "?"))
    if not path.startswith(peer_dir + os.sep):
        raise RuntimeError(f"imported nvmath from {path}, not from the expected folder {peer_dir}")
    if not version.startswith(expect):
        raise RuntimeError(f"imported nvmath {version} from {path}: expected version {expect}*")
    return {"peer_version": version, "peer_file": path}


# The timing helpers are this project's benchmarks' own: _common.py is copied beside this file
# (it imports nothing of the project), so nvmath-python is measured exactly as nvmath-fusion.
from _common import cpu_cost_us, gpu_time_ms, torch_time_ms  # noqa: E402


# --------------------------------------------------------------------------------------------
def run_fft() -> dict:
    """As benchmarks/fft_gpu.py: C2C complex64 (16384, 4096) over the last axis, CuPy operand,
    stateful FFT planned once; CPU-side cost of execute for (8, 256)."""
    import cupy as cp
    import numpy as np

    import nvmath

    res = check_peer()
    errors = {}
    res["device"] = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    rng = np.random.default_rng(0)
    shape = (16384, 4096)
    res["shape"] = list(shape)
    try:
        x = cp.asarray((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64))
        with nvmath.fft.FFT(x, axes=[1]) as f:
            f.plan()
            res["fft_ms"] = gpu_time_ms(f.execute)
            got = f.execute()  # checked against CuPy, so that a wrong transform is not timed unnoticed
            want = cp.fft.fft(x, axis=1)
            res["fft_rel_error"] = float(cp.linalg.norm(got - want) / cp.linalg.norm(want))
            del got, want
        res["cupy_fft_ms"] = gpu_time_ms(lambda: cp.fft.fft(x, axis=1))
    except Exception as e:  # reported; the rest still measures
        errors["fft_gpu"] = _error(e)
    try:
        small = cp.asarray((rng.standard_normal((8, 256)) + 1j * rng.standard_normal((8, 256))).astype(np.complex64))
        sync = cp.cuda.get_current_stream().synchronize
        with nvmath.fft.FFT(small, axes=[1]) as f:
            f.plan()
            res["fft_execute_cpu_us"], res["fft_execute_cpu_us_loops"] = cpu_cost_us(f.execute, sync)
    except Exception as e:
        errors["fft_execute_cpu"] = _error(e)
    res["errors"] = errors
    return res


def describe_algorithms(algorithms) -> list:
    """The candidates after autotuning, fastest first: the configuration each side chose."""
    out = []
    for algo in algorithms:
        entry = {}
        for name in ("algorithm_id", "tile", "stages", "split_k", "reduction_scheme", "cluster_shape"):
            try:
                value = getattr(algo, name)
            except Exception as e:  # a property one side lacks
                value = f"<{type(e).__name__}>"
            entry[name] = value if isinstance(value, (int, float, str, type(None))) else str(value)
        out.append(entry)
    return out


def cooled(timer, fn) -> float:
    """``timer(fn)`` after the GPU idled ``NVMATH_PEER_COOLDOWN_S`` seconds (default 0.5): each
    timing starts from the same GPU state whatever ran before it in the process (the two sides'
    autotuning keeps the GPU busy differently: nvmath-python flushes L2 with a host copy)."""
    import torch

    torch.cuda.synchronize()
    time.sleep(float(os.environ.get("NVMATH_PEER_COOLDOWN_S", "0.5")))
    return timer(fn)


def run_matmul() -> dict:
    """As benchmarks/matmul_gpu.py: bf16 N^3 with RELU_BIAS (bias of length M, bf16), planned,
    autotuned (the default 10 iterations), PyTorch operands; CPU-side cost of execute for fp32 64^3."""
    import torch

    from nvmath.linalg.advanced import Matmul, MatmulEpilog

    res = check_peer()
    errors = {}
    n = int(os.environ.get("NVMATH_PEER_MATMUL_SIZE", "8192"))
    flops = 2.0 * n**3
    res["device"] = torch.cuda.get_device_name()
    res["size"] = n
    try:
        a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
        bias = torch.randn(n, device="cuda", dtype=torch.bfloat16)
        # PyTorch before either side's Matmul runs: the GPU state this process met, so that a
        # difference of the processes' clocks shows apart from a difference of the Matmuls.
        res["torch_matmul_first_ms"] = cooled(torch_time_ms, lambda x=a, y=b: x @ y)
        try:
            with Matmul(a, b) as mm:
                mm.plan(epilog=MatmulEpilog.RELU_BIAS, epilog_inputs={"bias": bias})
                mm.autotune()  # the default: 10 rounds on either side
                res["relu_bias_algorithms"] = describe_algorithms(mm.algorithms)
                res["relu_bias_ms"] = cooled(torch_time_ms, mm.execute)
                res["relu_bias_tflops"] = flops / (res["relu_bias_ms"] * 1e-3) / 1e12
                got = mm.execute()
                want = torch.relu(a.float() @ b.float() + bias.float()[:, None])
                res["relu_bias_rel_error"] = float((got.float() - want).norm() / want.norm())
                del got, want
        except Exception as e:
            errors["matmul_relu_bias"] = _error(e)
        try:
            with Matmul(a, b) as mm:
                mm.plan()
                mm.autotune()  # the default: 10 rounds on either side
                res["matmul_algorithms"] = describe_algorithms(mm.algorithms)
                res["matmul_ms"] = cooled(torch_time_ms, mm.execute)
                res["matmul_tflops"] = flops / (res["matmul_ms"] * 1e-3) / 1e12
            # PyTorch in the same process, right after: the GPU's clock as the contender's.
            res["torch_matmul_ms"] = cooled(torch_time_ms, lambda x=a, y=b: x @ y)
        except Exception as e:
            errors["matmul_plain"] = _error(e)
        del a, b, bias
        torch.cuda.empty_cache()
    except Exception as e:
        errors["matmul_operands"] = _error(e)
    try:
        sa, sb = torch.randn(64, 64, device="cuda"), torch.randn(64, 64, device="cuda")
        with Matmul(sa, sb) as mm:
            mm.plan()
            res["matmul_execute_cpu_us"], res["matmul_execute_cpu_us_loops"] = cpu_cost_us(
                mm.execute, torch.cuda.synchronize
            )
        res["torch_matmul_cpu_us"], _ = cpu_cost_us(lambda: sa @ sb, torch.cuda.synchronize)
    except Exception as e:
        errors["matmul_execute_cpu"] = _error(e)
    res["errors"] = errors
    return res


def run_kernel() -> dict:
    """As benchmarks/_kernel_warm_cufftdx_child.py: first launch of a numba.cuda.jit kernel calling
    a cuFFTDx 512-point c2c single-precision Block forward FFT, fresh process, imports included."""
    import numpy as np
    from numba import cuda

    from nvmath.device import FFT

    # ffts_per_block=1 as nvmath-fusion's default gives for this FFT (storage 8, 8 elements per
    # thread, stride 64, block (64, 1, 1), 4096 bytes of shared memory): one FFT per block.
    fft = FFT(size=512, precision=np.float32, fft_type="c2c", execution="Block", direction="forward", ffts_per_block=1)
    storage, ept, stride, value_type = fft.storage_size, fft.elements_per_thread, fft.stride, fft.value_type

    @cuda.jit
    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=value_type)
        smem = cuda.shared.array(0, dtype=value_type)  # the peer types shared memory as value_type
        b = cuda.blockIdx.x
        t = cuda.threadIdx.x
        for i in range(ept):
            thread_data[i] = data[b, t + i * stride]
        fft.execute(thread_data, smem)
        for i in range(ept):
            data[b, t + i * stride] = thread_data[i]

    x = np.ones((64, 512), np.complex64)
    d = cuda.to_device(x)
    kernel[64, fft.block_dim, 0, fft.shared_memory_size](d)
    cuda.synchronize()
    t1 = time.perf_counter()
    out = d.copy_to_host()
    res = check_peer()
    res["s"] = t1 - t0
    res["kind"] = "cuFFTDx 512 c2c Block"
    res["max_abs_error"] = float(np.abs(out - np.fft.fft(x, axis=1)).max())
    if abs(out[0, 0] - 512) >= 1e-3:
        raise AssertionError(f"wrong FFT result: out[0, 0] = {out[0, 0]}, expected 512")
    name = cuda.get_current_device().name
    res["device"] = name.decode() if isinstance(name, bytes) else str(name)
    res["block_dim"] = list(fft.block_dim)
    res["traits"] = {
        "storage_size": storage,
        "elements_per_thread": ept,
        "stride": stride,
        "ffts_per_block": fft.ffts_per_block,
        "shared_memory_size": fft.shared_memory_size,
    }
    try:
        from nvmath.bindings import mathdx

        res["libmathdx"] = ".".join(str(v) for v in mathdx.get_version_ex())
    except Exception as e:
        res["libmathdx"] = _error(e)
    return res


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    runs = {"fft": run_fft, "matmul": run_matmul, "kernel": run_kernel}
    if mode not in runs:
        print(f"usage: {sys.argv[0]} {{{'|'.join(runs)}}}", file=sys.stderr)
        return 2
    res = runs[mode]()
    sys.stdout.flush()
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
