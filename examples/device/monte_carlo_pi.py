"""Monte Carlo estimate of pi in a Numba kernel, drawing with cuRAND's Philox4_32_10 generator.

Each thread keeps its generator state in registers (``rng.local_state()``), starts its own
subsequence (``rng.init(seed, thread, 0, state)``), and draws four uniforms a call.

- With a GPU: 2**28 points; prints the estimate and its error (about 1e-4).
- Without a GPU: generates the cuRANDDx code for sm_90, compiles the kernel and links it.

    python examples/device/monte_carlo_pi.py
"""

import math

import numpy as np
from numba import cuda, types

import nvmath.device
from nvmath.device import random
from nvmath.jit import current_device_target, link, parse_target

target = current_device_target() or parse_target("sm_90")
rng = random.Philox4_32_10(sm=target)
print(f"cuRAND Philox4_32_10 for {target}: {rng.state_size}-byte state")


def count_inside(hits, seed, draws):
    i = cuda.grid(1)
    if i >= hits.shape[0]:
        return
    state = rng.local_state()
    rng.init(seed, i, 0, state)
    inside = 0
    for _ in range(draws):
        x0, y0, x1, y1 = rng.uniform4(state)  # two points a call
        inside += (x0 * x0 + y0 * y0 <= 1.0) + (x1 * x1 + y1 * y1 <= 1.0)
    hits[i] = inside


if current_device_target() is None:
    codes, _ = cuda.compile_all(
        count_inside,
        (types.uint32[::1], types.uint64, types.int32),
        device=False,
        cc=target.cc,
        output="ltoir",
        abi="numba",
    )
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    print(
        f"no GPU found: kernel and cuRANDDx functions linked into a {len(link(inputs, compute_capability=target))}"
        "-byte cubin"
    )
else:
    threads, draws = 1 << 18, 512
    hits = cuda.device_array(threads, np.uint32)
    nvmath.device.jit(count_inside)[threads // 256, 256](hits, np.uint64(20261127), draws)
    points = threads * draws * 2
    estimate = 4.0 * hits.copy_to_host().sum(dtype=np.float64) / points
    print(f"GPU: pi estimated from {points} points: {estimate:.6f} (error {abs(estimate - math.pi):.1e})")
    assert abs(estimate - math.pi) < 6 * 4 * math.sqrt(math.pi / 4 * (1 - math.pi / 4) / points)
