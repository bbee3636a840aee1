# Child process of benchmarks/kernel_warm.py: first launch of a kernel calling cuFFTDx, in a fresh
# process, imports included.
#
#     python _kernel_warm_cufftdx_child.py {jit|plain}   on a GPU: nvmath.device.jit or plain numba.cuda.jit
#     python _kernel_warm_cufftdx_child.py cpu-split      no GPU: compile + link for sm_90a, by phase
#     python _kernel_warm_cufftdx_child.py cpu-hit        no GPU: the same kernel from nvmath's cache
#
# Plain numba.cuda.jit kernels use nvmath's cache when the parent sets NVMATH_PLAIN_KERNEL_CACHE=1.
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
from numba import cuda, types  # noqa: E402

import nvmath.device  # noqa: E402

MODE = sys.argv[1] if len(sys.argv) > 1 else "jit"
CPU = MODE.startswith("cpu")
SM = (9, 0)  # the CPU modes build for an H200 (sm_90a)

t_import = time.perf_counter()
fft = nvmath.device.FFT(512, "single", "c2c", "Block", sm=SM if CPU else None)
t_fft = time.perf_counter()
storage, ept, stride, size = fft.storage_size, fft.elements_per_thread, fft.stride, fft.size


def body(data):
    thread_data = cuda.local.array(storage, dtype=types.complex64)
    smem = cuda.shared.array(0, dtype=types.uint8)
    b = cuda.blockIdx.x
    t = cuda.threadIdx.x
    for i in range(ept):
        thread_data[i] = data[b, t + i * stride]
    fft.execute(thread_data, smem)
    for i in range(ept):
        data[b, t + i * stride] = thread_data[i]


kernel = nvmath.device.jit(body) if MODE == "jit" else cuda.jit(body)
KIND = "cuFFTDx 512 c2c Block"


def gpu():
    x = np.ones((64, 512), np.complex64)
    d = cuda.to_device(x)
    t_context = time.perf_counter()
    kernel[64, fft.block_dim, 0, fft.shared_memory_size](d)
    cuda.synchronize()
    t1 = time.perf_counter()
    assert abs(d.copy_to_host()[0, 0] - 512) < 1e-3
    cache = getattr(kernel, "nvmath_cache", None)  # plain kernels: only with the hook on
    # Where the time goes: imports, the descriptor (traits, code from the cache), the CUDA context and
    # the first copy, then the kernel's first launch (cache lookup, module load, run; or compile).
    phases = {
        "imports": t_import - t0,
        "descriptor": t_fft - t_import,
        "context_and_copy": t_context - t_fft,
        "first_launch": t1 - t_context,
    }
    return {
        "s": t1 - t0,
        "hits": cache.hits if cache is not None else 0,
        "nvmath_cache": cache is not None,
        "kind": KIND,
        "phases_s": phases,
    }


SIG = (types.complex64[:, ::1],)


def cpu_split():
    """What a plain kernel's first launch compiles, without a GPU: numba (typing, lowering,
    NVVM to LTO-IR), then nvJitLink's LTO with the cuFFTDx LTO-IR; the cubin is stored in
    nvmath's cache for cpu-hit."""
    from numba.cuda.cudadrv import nvvm

    from nvmath.device.kernel_cache import KernelCache, entry_names, launch_target
    from nvmath.jit import link

    nvvm_s = [0.0]
    compile_ir = nvvm.compile_ir

    def timed(*args, **kwargs):  # measurement only: how much of numba's compile is NVVM
        start = time.perf_counter()
        try:
            return compile_ir(*args, **kwargs)
        finally:
            nvvm_s[0] += time.perf_counter() - start

    nvvm.compile_ir = timed
    cc = launch_target(SM)
    t1 = time.perf_counter()
    codes, _ = cuda.compile_all(body, SIG, device=False, abi="numba", output="ltoir", cc=cc)
    t2 = time.perf_counter()
    nvvm.compile_ir = compile_ir
    inputs = [c if isinstance(c, (bytes, bytearray)) else bytes(c.data) for c in codes]
    cubin = link(inputs, compute_capability=f"sm_{cc[0]}{cc[1]}{cc[2]}")
    t3 = time.perf_counter()
    from numba.cuda.cudadrv import driver

    entry = entry_names(cubin)[0]
    container = "cuda.core" if hasattr(driver, "ObjectCode") else "bytes"
    meta = {"entry_name": entry, "cooperative": False, "container": container, "lineinfo": False}
    meta.update(shared_memory_carveout=None, launch_config_sensitive=False)
    KernelCache(kernel).store(SIG, cc, cubin, meta)
    phases = {
        "imports": t_import - t0,
        "descriptor": t_fft - t_import,
        "numba_typing_lowering": (t2 - t1) - nvvm_s[0],
        "nvvm": nvvm_s[0],
        "nvjitlink_lto": t3 - t2,
    }
    sizes = {"kernel_ltoir": len(inputs[0]), "linked_ltoir": sum(len(c) for c in inputs[1:]), "cubin": len(cubin)}
    return {"s": t3 - t0, "kind": KIND, "phases_s": phases, "bytes": sizes}


def cpu_hit():
    """The kernel of cpu_split from nvmath's cache: what a warm first launch does before the
    module load (which needs the GPU)."""
    from nvmath.device.kernel_cache import KernelCache, launch_target

    cache = KernelCache(kernel)
    t1 = time.perf_counter()
    found = cache.load(SIG, launch_target(SM))
    t2 = time.perf_counter()
    phases = {"imports": t_import - t0, "descriptor": t_fft - t_import, "cache_lookup_and_rebuild": t2 - t1}
    return {"s": t2 - t0, "kind": KIND, "hits": cache.hits, "found": found is not None, "phases_s": phases}


print(json.dumps({"cpu-split": cpu_split, "cpu-hit": cpu_hit}.get(MODE, gpu)()))
