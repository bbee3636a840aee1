"""A block GEMM in a Numba kernel with cuBLASDx: C = alpha * A @ B + beta * C in shared memory.

- With a GPU: runs one block and checks against NumPy.
- Without a GPU: generates the cuBLASDx code for sm_90, compiles the kernel and links it.
libmathdx 0.4 generates cuBLASDx code with the NVRTC of CUDA 13.0 only; with another NVRTC the
example prints why it cannot run.

    python examples/device/gemm.py
"""

import numpy as np
from numba import cuda, types

import nvmath.device
from nvmath.jit import current_device_target, link, parse_target

target = current_device_target() or parse_target("sm_90")
try:
    mm = nvmath.device.Matmul((32, 16, 24), "single", "real", sm=target)
except RuntimeError as e:
    print(f"cuBLASDx code generation is not available here: {str(e).splitlines()[0]}")
    raise SystemExit(0) from None
print(
    f"cuBLASDx 32x16x24 GEMM for {target}: block_dim {mm.block_dim}, leading dimensions "
    f"{mm.leading_dimension}, arrangement {mm.arrangement}, {mm.shared_memory_size} bytes of shared memory"
)

m, n, k = mm.size
lda, ldb, ldc = mm.leading_dimension
a_size, b_size, c_size = mm.a_size, mm.b_size, mm.c_size
threads = mm.block_dim[0] * mm.block_dim[1] * mm.block_dim[2]


def gemm(a, b, c, alpha, beta):
    smem = cuda.shared.array(0, dtype=types.float32)
    sa, sb = smem[0:a_size], smem[a_size : a_size + b_size]
    sc = smem[a_size + b_size : a_size + b_size + c_size]
    t = cuda.threadIdx.x
    for i in range(t, m * k, threads):  # A row-major, B and C column-major (cuBLASDx's default)
        sa[(i // k) * lda + i % k] = a[i // k, i % k]
    for i in range(t, k * n, threads):
        sb[(i % n) * ldb + i // n] = b[i // n, i % n]
    for i in range(t, m * n, threads):
        sc[(i % n) * ldc + i // n] = c[i // n, i % n]
    cuda.syncthreads()
    mm.execute(alpha, sa, sb, beta, sc)
    cuda.syncthreads()
    for i in range(t, m * n, threads):
        c[i // n, i % n] = sc[(i % n) * ldc + i // n]


if current_device_target() is None:
    sig = (types.float32[:, ::1],) * 3 + (types.float32, types.float32)
    codes, _ = cuda.compile_all(gemm, sig, device=False, cc=target.cc, output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    print(
        f"no GPU found: kernel and cuBLASDx function linked into a {len(link(inputs, compute_capability=target))}"
        "-byte cubin"
    )
else:
    rng = np.random.default_rng()
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((m, k), (k, n), (m, n)))
    d = cuda.to_device(c)
    nvmath.device.jit(gemm)[1, mm.block_dim, 0, mm.shared_memory_size](
        cuda.to_device(a), cuda.to_device(b), d, 2.0, 0.5
    )
    want = 2.0 * a.astype(np.float64) @ b + 0.5 * c
    err = np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want)
    print(f"GPU: relative error vs NumPy {err:.1e}")
    assert err < 1e-5
