"""What changes the CPU cost of FFT.execute within one process (diagnostic).

python tools/probe_execute_cost.py
"""

import gc
import os
import sys

import cupy as cp
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
from _common import cpu_cost_us

import nvmath

rng = np.random.default_rng(0)
small = cp.asarray((rng.standard_normal((8, 256)) + 1j * rng.standard_normal((8, 256))).astype(np.complex64))
sync = cp.cuda.get_current_stream().synchronize
f = nvmath.fft.FFT(small, axes=[1])
f.plan()


def report(stage):
    us, loops = cpu_cost_us(f.execute, sync)
    cu, _ = cpu_cost_us(lambda: cp.fft.fft(small, axis=1), sync)
    print(
        f"{stage:40s} FFT.execute {us:6.2f} us  cupy.fft.fft {cu:6.2f} us  "
        f"loops {[round(x, 1) for x in loops]}  gc objects {len(gc.get_objects())}",
        flush=True,
    )


report("fresh process")
report("again")
big = [cp.empty((16384, 4096), cp.complex64) for _ in range(3)]
del big
report("after 3 x 512 MiB allocated and freed")
import torch  # noqa: E402

report("after import torch")
torch.ones(1, device="cuda")
torch.cuda.synchronize()
report("after torch's CUDA context")
gc.freeze()
report("after gc.freeze()")
gc.disable()
report("gc disabled")
gc.enable()
report("gc enabled again")
