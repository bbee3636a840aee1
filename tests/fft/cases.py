"""Shared problem generators and references for the FFT tests (CPU and GPU)."""

import numpy as np

TOL = {"complex64": 1e-5, "float32": 1e-5, "complex128": 1e-12, "float64": 1e-12}


def random(shape, dtype, rng=None):
    rng = rng or np.random.default_rng()
    dtype = np.dtype(dtype)
    x = rng.standard_normal(shape)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def reference(x, axes, fft_type, direction="forward", last_axis_parity="even"):
    """float64/complex128 reference, unnormalized in both directions (cuFFT's convention)."""
    x = np.asarray(x)
    wide = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
    if fft_type == "R2C":
        return np.fft.rfftn(wide, axes=axes)
    if fft_type == "C2R":
        m = x.shape[axes[-1]]
        n = 2 * (m - 1) + (1 if last_axis_parity == "odd" else 0)
        s = [x.shape[a] for a in axes[:-1]] + [n]
        return np.fft.irfftn(wide, s=s, axes=axes, norm="forward")
    if direction == "forward":
        return np.fft.fftn(wide, axes=axes)
    return np.fft.ifftn(wide, axes=axes, norm="forward")


def assert_close(got, want, dtype):
    got = np.asarray(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)
    assert err <= TOL[np.dtype(dtype).name], f"relative L2 error {err:.3e} > {TOL[np.dtype(dtype).name]}"


# (shape, axes) covering 1-, 2- and 3-D transforms, odd and even sizes, batches on either side.
PROBLEMS = [
    ((64,), (0,)),
    ((7, 45), (1,)),
    ((6, 33), (0,)),
    ((5, 12, 9), (1, 2)),
    ((16, 15, 4), (0, 1)),
    ((3, 8, 6, 5), (1, 2, 3)),
    ((9, 10, 11), (0, 2)),
]
