"""A fused FFT convolution in one Numba kernel: cuFFTDx forward FFT, multiply by a filter,
inverse FFT, for a batch of 512-point signals, with the kernel warm in every later process.

- With a GPU: runs the kernel and checks it against NumPy. Run it twice: the second process
  takes the cuFFTDx code and the linked kernel from nvmath's cache.
- Without a GPU: generates the cuFFTDx code for sm_90, compiles the kernel and links it into a
  cubin, and prints the FFT's traits.

    python examples/device/fft_convolution.py
"""

import time

import numpy as np
from numba import cuda, types

import nvmath.device
from nvmath.jit import current_device_target, link, parse_target

SIZE = 512
target = current_device_target() or parse_target("sm_90")
start = time.perf_counter()
fwd = nvmath.device.FFT(SIZE, "single", "c2c", "Block", direction="forward", sm=target)
inv = nvmath.device.FFT(
    SIZE, "single", "c2c", "Block", direction="inverse", sm=target, elements_per_thread=fwd.elements_per_thread
)
storage, ept, stride = fwd.storage_size, fwd.elements_per_thread, fwd.stride
print(
    f"cuFFTDx {SIZE}-point FFT for {target}: block_dim {fwd.block_dim}, {ept} elements per "
    f"thread, {fwd.shared_memory_size} bytes of shared memory ({time.perf_counter() - start:.1f} s)"
)


def convolve(data, filt):
    thread_data = cuda.local.array(storage, dtype=types.complex64)
    smem = cuda.shared.array(0, dtype=types.uint8)
    b, t = cuda.blockIdx.x, cuda.threadIdx.x
    for i in range(ept):
        thread_data[i] = data[b, t + i * stride]
    fwd.execute(thread_data, smem)
    for i in range(ept):
        thread_data[i] = thread_data[i] * filt[t + i * stride]
    inv.execute(thread_data, smem)
    for i in range(ept):
        data[b, t + i * stride] = thread_data[i] / SIZE


if current_device_target() is None:
    codes, _ = cuda.compile_all(
        convolve,
        (types.complex64[:, ::1], types.complex64[::1]),
        device=False,
        cc=target.cc,
        output="ltoir",
        abi="numba",
    )
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    cubin = link(inputs, compute_capability=target)
    print(f"no GPU found: the kernel and {len(inputs) - 1} cuFFTDx functions linked into a {len(cubin)}-byte cubin")
else:
    kernel = nvmath.device.jit(convolve)
    rng = np.random.default_rng()
    x = (rng.standard_normal((1024, SIZE)) + 1j * rng.standard_normal((1024, SIZE))).astype(np.complex64)
    f = (rng.standard_normal(SIZE) + 1j * rng.standard_normal(SIZE)).astype(np.complex64)
    d = cuda.to_device(x)
    start = time.perf_counter()
    kernel[x.shape[0], fwd.block_dim, 0, fwd.shared_memory_size](d, cuda.to_device(f))
    cuda.synchronize()
    got = d.copy_to_host()
    want = np.fft.ifft(np.fft.fft(x, axis=1) * f, axis=1)
    err = np.linalg.norm(got - want) / np.linalg.norm(want)
    print(
        f"first launch {time.perf_counter() - start:.2f} s (kernel cache: {kernel.nvmath_cache.hits} hit, "
        f"{kernel.nvmath_cache.misses} miss); relative error vs NumPy {err:.1e}"
    )
    assert err < 1e-5
