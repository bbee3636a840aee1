"""One 32x32x32 complex64 cuBLASDx GEMM on shared memory, ``C = alpha A B + beta C``, written as
nvmath-python's examples write kernels: the CPU and GPU tests of the kernel cache's link share it."""

import numpy as np


def gemm_kernel(decorator, sm=None):
    """The kernel (decorated by ``decorator``: ``numba.cuda.jit`` or ``nvmath.device.jit``), its
    argument types and its ``Matmul``; ``sm``: the Matmul's target (None: the current device).

    Launch it with one block of ``mm.block_dim`` and ``3 * mm.a_size * 8`` bytes of dynamic
    shared memory: ``kernel[1, mm.block_dim, 0, 3 * mm.a_size * 8](alpha, a, b, beta, c)``.
    """
    from numba import cuda, types

    from nvmath.device import Matmul

    mm = Matmul(size=(32, 32, 32), precision=np.float32, data_type="complex", arrangement=("col_major",) * 3, sm=sm)
    a_size, value_type = mm.a_size, mm.a_value_type

    @decorator
    def kernel(alpha, a, b, beta, c):
        smem = cuda.shared.array(shape=(0,), dtype=value_type)
        for i in range(cuda.threadIdx.x, a_size, cuda.blockDim.x):
            smem[i] = a[i % 32, i // 32]
            smem[a_size + i] = b[i % 32, i // 32]
            smem[2 * a_size + i] = c[i % 32, i // 32]
        cuda.syncthreads()
        mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[2 * a_size :])
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, a_size, cuda.blockDim.x):
            c[i % 32, i // 32] = smem[2 * a_size + i]

    arr = types.Array(types.complex64, 2, "F")
    return kernel, (types.complex128, arr, arr, types.complex128, arr), mm
