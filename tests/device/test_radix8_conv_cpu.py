"""The radix-8 convolution kernel of ``benchmarks/fft_conv_device.py`` without a GPU: its result
in Numba's CUDA simulator against NumPy, and the PTX it compiles to (whole-element exchanges, 8
barriers, 8-byte global accesses, no local memory)."""

import collections
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCHMARKS = os.path.join(ROOT, "benchmarks")

SIMULATED = """
import sys
sys.path.insert(0, {benchmarks!r})
import numpy as np
from numba import cuda
import _radix8_conv as R

fpb, batch = {fpb}, {batch}
ns = R.namespace()
exec(compile(R.kernel_source(fpb), "<radix8>", "exec"), ns)
conv = cuda.jit(ns["conv"])
rng = np.random.default_rng({seed})
x = (rng.standard_normal((batch, 512)) + 1j * rng.standard_normal((batch, 512))).astype(np.complex64)
filt = (rng.standard_normal(512) + 1j * rng.standard_normal(512)).astype(np.complex64)
want = np.fft.ifft(np.fft.fft(x.astype(np.complex128), axis=1) * filt, axis=1)
data = cuda.to_device(x.reshape(-1).copy())
conv[(batch + fpb - 1) // fpb, (64, fpb)](data, cuda.to_device(filt / np.float32(512)), batch)
got = data.copy_to_host().reshape(batch, 512)
print(float(np.linalg.norm(got - want) / np.linalg.norm(want)))
"""


@pytest.mark.parametrize("fpb, batch, seed", [(2, 5, 0), (4, 3, 1), (1, 2, 2)])
def test_radix8_convolution_matches_numpy_in_the_cuda_simulator(fpb, batch, seed):
    # A batch that leaves the last block part empty: its threads take part in the barriers.
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    code = SIMULATED.format(benchmarks=BENCHMARKS, fpb=fpb, batch=batch, seed=seed)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert float(out.stdout.strip().splitlines()[-1]) < 2e-6


def test_radix8_kernel_ptx_exchanges_whole_elements_with_eight_barriers():
    pytest.importorskip("numba.cuda")
    from numba import cuda, types

    sys.path.insert(0, BENCHMARKS)
    try:
        import fft_conv_device as bench

        variant = next(v for v in bench.GRID if v.label() == "ept8_fpb2_radix8")
        conv, shape, ept, fpb = bench.make(variant)
    finally:
        sys.path.remove(BENCHMARKS)
    assert (shape.block_dim, shape.shared_memory_size, ept, fpb) == ((64, 2, 1), 0, 8, 2)
    array = types.Array(types.complex64, 1, "C")
    ptx, _ = cuda.compile_ptx(conv.py_func, (array, array, types.int64), cc=(9, 0))
    ops = collections.Counter(re.findall(r"\b((?:ld|st)\.(?:shared|global|local)(?:\.v2)?\.f32|bar\.sync)\b", ptx))
    # Four exchanges of 8 elements, each element its two floats (ptxas pairs them: LDS.64/STS.64).
    assert ops["st.shared.f32"] == ops["ld.shared.f32"] == 4 * 8 * 2
    assert ops["bar.sync"] == 8  # cuFFTDx's 512-point FFT at 16 elements a thread: 16 a FFT
    # Data in (8) and out (8) and the filter (8), each element one 8-byte access.
    assert (ops["ld.global.v2.f32"], ops["st.global.v2.f32"], ops["ld.global.f32"]) == (16, 8, 0)
    assert not any(k.startswith(("ld.local", "st.local")) for k in ops)
