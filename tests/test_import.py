"""`import nvmath` (and its subpackages, until a compile is needed) stays light."""

import subprocess
import sys


def test_import_loads_no_heavy_packages():
    code = (
        "import sys, nvmath, nvmath.fft, nvmath.jit, nvmath.jit.ltoir\n"
        "heavy = [m for m in ('numba', 'cupy', 'torch', 'llvmlite') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_and_lazy_attributes():
    import nvmath

    assert nvmath.__version__ and "fft" in dir(nvmath)
    assert nvmath.jit.ltoir.LTOIR.__name__ == "LTOIR"
