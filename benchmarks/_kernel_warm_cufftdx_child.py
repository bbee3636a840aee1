# Child process of benchmarks/kernel_warm.py: first launch of a kernel calling cuFFTDx.
import json
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
from numba import cuda, types  # noqa: E402

import nvmath.device  # noqa: E402

fft = nvmath.device.FFT(512, "single", "c2c", "Block")
storage, ept, stride, size = fft.storage_size, fft.elements_per_thread, fft.stride, fft.size


@nvmath.device.jit
def kernel(data):
    thread_data = cuda.local.array(storage, dtype=types.complex64)
    smem = cuda.shared.array(0, dtype=types.uint8)
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
assert abs(d.copy_to_host()[0, 0] - 512) < 1e-3
print(json.dumps({"s": t1 - t0, "hits": kernel.nvmath_cache.hits, "kind": "cuFFTDx 512 c2c Block"}))
