"""The examples are user stories: each must run."""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parent.parent / "examples").rglob("*.py"))


# What each example prints when it got to its end.
MARKERS = {
    "fft_callback.py": "relative error vs NumPy",
    "fft_convolution.py": "cuFFTDx 512-point FFT",
    "gemm.py": "cuBLASDx",
    "monte_carlo_pi.py": "Philox4_32_10",
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path):
    if path.parent.name == "device":
        try:  # the device examples need libmathdx (the "dx" extra)
            from nvmath.bindings import mathdx

            mathdx.cufftdxGetVersion()
        except Exception as e:
            pytest.skip(f"libmathdx is not available: {e}")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert MARKERS[path.name] in done.stdout
