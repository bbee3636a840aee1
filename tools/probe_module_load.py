"""What the device globals that libmathdx's code leaves in a cubin cost when the cubin loads.

The chained-GEMM kernel of nvmath-python's ``cublasdx_fused_gemm_performance.py`` (two
32x32x32 complex64 GEMMs on slices of dynamic shared memory) is linked three ways for this
GPU: as numba-cuda links it at its first launch (every global kept), with nvJitLink as
nvmath's links did before (the same), and as they do now (``-variables-used``: only the
array checks' record kept). Each is then loaded, its kernel fetched (which makes a lazy load
happen) and unloaded, in alternating order, and the medians are written as JSON.

    python tools/probe_module_load.py [--rounds 40] [--out results/module_load.json]
    python tools/probe_module_load.py --chart module_load.png --from-json module_load.json  # no GPU

Needs a GPU, libmathdx and numba-cuda (the ``dx`` extra).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time


def _kernel_source():
    import numpy as np
    from numba import cuda, types

    from nvmath.device import Matmul

    kw = dict(precision=np.float32, data_type="complex", arrangement=("col_major",) * 3, block_size=512)
    mm1, mm2 = Matmul(size=(32, 32, 32), **kw), Matmul(size=(32, 32, 32), **kw)
    a_size, c_size, d_size = mm1.a_size, mm1.c_size, mm2.b_size

    def kernel(alpha1, a, b, beta1, c, alpha2, d, beta2, f, output):
        smem = cuda.shared.array(shape=(0,), dtype=mm1.a_value_type)
        smem_c, smem_a, smem_b = smem[0:], smem[c_size:], smem[c_size + a_size :]
        smem_d, smem_f = smem[c_size:], smem[c_size + d_size :]
        t, n = cuda.threadIdx.x, cuda.blockDim.x
        for i in range(t, a_size, n):
            smem_a[i] = a[i % 32, i // 32]
            smem_b[i] = b[i % 32, i // 32]
            smem_c[i] = c[i % 32, i // 32]
        cuda.syncthreads()
        mm1.execute(alpha1, smem_a, smem_b, beta1, smem_c)
        cuda.syncthreads()
        for i in range(t, a_size, n):
            smem_d[i] = d[i % 32, i // 32]
            smem_f[i] = f[i % 32, i // 32]
        cuda.syncthreads()
        mm2.execute(alpha2, smem_c, smem_d, beta2, smem_f)
        cuda.syncthreads()
        for i in range(t, a_size, n):
            output[i % 32, i // 32] = smem_f[i]

    arr = types.Array(types.complex64, 2, "F")
    sig = (types.complex128, arr, arr, types.complex128, arr, types.complex128, arr, types.complex128, arr, arr)
    return kernel, sig


def _cubins(cc, numba_link: bool = True) -> dict:
    """``{variant: (cubin, entry name)}`` for the target of compute capability ``cc``."""
    from numba import cuda

    from nvmath.device.kernel_cache import entry_names, launch_target, unused_globals_link_options
    from nvmath.jit import link

    kernel, sig = _kernel_source()
    cc = launch_target(cc)
    sm = f"sm_{cc[0]}{cc[1]}{cc[2]}"
    cubins = {}
    if numba_link:  # what a plain numba.cuda.jit kernel loads (needs a GPU)
        image = cuda.jit(kernel).compile(sig)._codelibrary.get_cubin(cc=cc)
        cubins["numba_link"] = image.code if hasattr(image, "code") else bytes(image)
    codes, _ = cuda.compile_all(kernel, sig, device=False, abi="numba", output="ltoir", cc=cc)
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    cubins["all_globals"] = link(inputs, compute_capability=sm)
    cubins["unused_dropped"] = link(inputs, compute_capability=sm, options=unused_globals_link_options(codes))
    return {name: (cubin, entry_names(cubin)[0]) for name, cubin in cubins.items()}


def _check(result, what):
    err = result[0]
    if int(err) != 0:
        raise RuntimeError(f"{what}: {err!r}")
    return result[1:] if len(result) > 2 else result[1]


def _time_load(cubin: bytes, entry: str) -> tuple[float, float]:
    """Microseconds to load the cubin and get its kernel as a function (the load completes
    there under lazy loading), then to unload it."""
    from cuda.bindings import driver as cu

    t0 = time.perf_counter_ns()
    module = _check(cu.cuModuleLoadData(cubin), "cuModuleLoadData")
    function = _check(cu.cuModuleGetFunction(module, entry.encode()), "cuModuleGetFunction")
    _check(cu.cuFuncGetAttribute(cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS, function), "cuFuncGetAttribute")
    t1 = time.perf_counter_ns()
    (err,) = cu.cuModuleUnload(module)
    t2 = time.perf_counter_ns()
    if int(err) != 0:
        raise RuntimeError(f"cuModuleUnload: {err!r}")
    return (t1 - t0) / 1e3, (t2 - t1) / 1e3


def chart(result: dict, path: str) -> None:
    """Load and unload medians of each variant, on a log scale, with the cubins' sizes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["variants"])
    loads = [result["variants"][n]["load_and_get_function_us_median"] / 1e3 for n in names]
    unloads = [result["variants"][n]["unload_us_median"] / 1e3 for n in names]
    labels = [f"{n}\n{result['variants'][n]['cubin_bytes'] / 1024:,.0f} KiB" for n in names]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    x = range(len(names))
    for offset, values, what, color in (
        (-0.2, loads, "load + get function", "#76b900"),
        (0.2, unloads, "unload", "#999999"),
    ):
        bars = ax.bar([i + offset for i in x], values, width=0.4, label=what, color=color)
        for bar, v in zip(bars, values):
            ax.annotate(f"{v:.3g}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x), labels, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("ms (median)")
    ax.set_title(f"The chained-GEMM kernel's module, {result['device']} ({result['rounds']} rounds)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--out", default=None, help="write the JSON here as well as to stdout")
    parser.add_argument("--chart", default=None, help="draw the medians into this PNG")
    parser.add_argument("--from-json", default=None, help="chart this JSON (an earlier run's) without a GPU")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.from_json) as f:
            result = json.load(f)
        chart(result, args.chart or args.from_json.removesuffix(".json") + ".png")
        return 0

    from numba import cuda

    device = cuda.get_current_device()
    cubins = _cubins(device.compute_capability)
    names = list(cubins)
    for name in names:  # one untimed load each: the driver's first-use costs
        _time_load(*cubins[name])
    loads = {name: [] for name in names}
    unloads = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            load, unload = _time_load(*cubins[name])
            loads[name].append(load)
            unloads[name].append(unload)
    result = {
        "device": device.name.decode() if isinstance(device.name, bytes) else str(device.name),
        "rounds": args.rounds,
        "variants": {
            name: {
                "cubin_bytes": len(cubins[name][0]),
                "load_and_get_function_us_median": round(statistics.median(loads[name]), 2),
                "unload_us_median": round(statistics.median(unloads[name]), 2),
                "load_and_get_function_us": [round(v, 2) for v in loads[name]],
            }
            for name in names
        },
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.chart:
        chart(result, args.chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
