"""The "vec_as" form of ``benchmarks/fft_conv_device.py`` without a GPU: each thread's share of a
group's asynchronous copies, and the PTX the kernel compiles to (16-byte ``cp.async`` copies into
shared memory past cuFFTDx's, one wait a round, the stage read back 8 bytes at a time)."""

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
from numba import cuda, types
import fft_conv_device as B

n_ept, n_fpb, batch, blocks = {n_ept}, {n_fpb}, {batch}, {blocks}
stride = B.SIZE // n_ept


class Scale:
    # Stands in for a cuFFTDx transform: each element times a constant (the simulator cannot run
    # cuFFTDx's LTO-IR); what is checked is where the elements come from and go.
    def __init__(self, factor):
        self.factor = factor

    def execute(self, td, smem):
        for i in range(n_ept):
            td[i] = td[i] * self.factor


def copy16(dst, i, src, j, k):  # synchronous in the simulator: the barriers order the rest
    dst[i + k : i + k + 2] = src[j + k : j + k + 2]


def load(a, i, k):
    return a[i + k]


def store(a, i, k, v):
    a[i + k] = v


fft_shared = 4224  # cuFFTDx's (16, 2) figure: the stage starts past it
src = B._async_staged_source(n_ept, n_ept, stride, n_fpb).replace("U(OFF)", f"U({{B.staging_offset(fft_shared)}})")
ns = dict(cuda=cuda, types=types, U=np.uint64, fwd=Scale(2), inv=Scale(3), LD=load, ST=store, LDF=load,
          CPA=copy16, CPC=lambda: None, CPW=lambda: None)
exec(compile(src, "<vec_as>", "exec"), ns)
conv = cuda.jit(ns["conv"])
rng = np.random.default_rng({seed})
x = (rng.standard_normal((batch, B.SIZE)) + 1j * rng.standard_normal((batch, B.SIZE))).astype(np.complex64)
filt = (rng.standard_normal(B.SIZE) + 1j * rng.standard_normal(B.SIZE)).astype(np.complex64)
data = cuda.to_device(x.reshape(-1).copy())
conv[blocks, (B.SIZE // n_ept, n_fpb), 0, B.staged_shared_bytes(fft_shared, n_fpb)](data, cuda.to_device(filt), batch)
got = data.copy_to_host().reshape(batch, B.SIZE)
want = 6 * x * filt
print(float(np.abs(got - want).max() / np.abs(want).max()))
"""


@pytest.mark.parametrize(
    "n_ept, n_fpb, batch, blocks, seed",
    [
        (16, 2, 7, 2, 0),  # groups of two, the last one signal short; each block takes two groups
        (32, 2, 4, 3, 1),  # a block with no group at all
        (16, 1, 3, 1, 2),  # one block does every group
    ],
)
def test_every_signal_comes_through_the_stage_to_its_place_in_the_cuda_simulator(n_ept, n_fpb, batch, blocks, seed):
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}
    code = SIMULATED.format(benchmarks=BENCHMARKS, n_ept=n_ept, n_fpb=n_fpb, batch=batch, blocks=blocks, seed=seed)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert float(out.stdout.strip().splitlines()[-1]) < 1e-6


@pytest.mark.parametrize("n_ept, n_fpb", [(16, 2), (16, 1), (32, 2), (8, 4)])
def test_the_threads_of_a_block_copy_every_chunk_of_a_group_once(bench, n_ept, n_fpb):
    src = bench._async_staged_source(n_ept, n_ept, bench.SIZE // n_ept, n_fpb)
    threads = (bench.SIZE // n_ept) * n_fpb
    # The chunk offsets each thread copies in the prologue, read from the generated source.
    # Thread lin's first element is 2 lin; each copy adds its constant (elements, 2 a chunk).
    offsets = [int(k) for k in re.findall(r"CPA\(stage, s0, data, e0, (\d+)\)", src.split("CPC()")[0])]
    copied = collections.Counter(lin + k // 2 for lin in range(threads) for k in offsets)
    assert sorted(copied) == list(range(n_fpb * bench.SIZE // 2)) and set(copied.values()) == {1}
    # Before any thread reads the stage its copies are waited for and the block meets; before
    # the next group's copies the block meets again (every thread has read its elements).
    loop = src.split("while group < groups:")[1]
    assert loop.index("CPW()") < loop.index("cuda.syncthreads()") < loop.index("LD(stage")
    assert loop.index("LD(stage") < loop.rindex("cuda.syncthreads()") < loop.index("CPA(")


def test_the_staged_kernel_copies_asynchronously_past_cufftdx_shared_memory(bench):
    pytest.importorskip("numba.cuda")
    from numba import cuda, types

    variant = next(v for v in bench.GRID if v.label() == "ept16_fpb2_vec_as_grid16")
    conv, shape, ept, fpb = bench.make(variant, sm=(9, 0))
    fwd, _ = bench.make_ffts(16, 2, (9, 0))
    assert (tuple(shape.block_dim), ept, fpb) == ((32, 2, 1), 16, 2)
    stage_bytes = 8 * bench.staging_offset(fwd.shared_memory_size)
    assert stage_bytes % 16 == 0 and stage_bytes >= fwd.shared_memory_size
    assert shape.shared_memory_size == stage_bytes + 2 * bench.SIZE * 8
    array = types.Array(types.complex64, 1, "C")
    ptx, _ = cuda.compile_ptx(conv.py_func, (array, array, types.int64), cc=(9, 0))
    # 8 copies a thread for the first group and 8 in the loop (2 x 512 x 8 bytes over 64 threads).
    copies = re.findall(r"cp\.async\.cg\.shared\.global \[s\+(\d+)\], \[g\+(\d+)\], 16;", ptx)
    assert len(copies) == 16 and all(a == b for a, b in copies)
    assert sorted({int(a) for a, _ in copies}) == [16 * 64 * k for k in range(8)]  # a chunk apart per thread
    assert len(re.findall(r"cp\.async\.commit_group;", ptx)) == 2
    assert len(re.findall(r"cp\.async\.wait_group 0;", ptx)) == 1
    # The 16 elements read back from the stage, each one 8-byte shared load.
    assert len(re.findall(r"ld\.shared\.v2\.f32", ptx)) == 16
