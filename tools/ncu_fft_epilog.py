"""The fused-epilog FFT of benchmarks/fft_gpu.py under Nsight Compute: one launch each of the
FFT without callback, with a store-only epilog and with the filter epilog.

    ncu --section SpeedOfLight --section Occupancy --section LaunchStats python tools/ncu_fft_epilog.py
"""

import cupy as cp
import numpy as np

import nvmath


def store_only(data_out, offset, value, user_info, unused):
    data_out[offset] = value


def scale_by_column(data_out, offset, value, user_info, unused):
    w = user_info[offset % 4096]
    data_out[offset] = complex(value.real * w, value.imag * w)


rng = np.random.default_rng(0)
x = cp.asarray((rng.standard_normal((16384, 4096)) + 1j * rng.standard_normal((16384, 4096))).astype(np.complex64))
filt = cp.asarray(rng.standard_normal(4096).astype(np.float32))
for epilog in (None, dict(function=store_only, data=filt), dict(function=scale_by_column, data=filt)):
    with nvmath.fft.FFT(x, axes=[1]) as f:
        f.plan(epilog=epilog)
        f.execute()
        cp.cuda.runtime.deviceSynchronize()
