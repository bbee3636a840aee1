"""The shared layer imports only the standard library, NumPy and cuda-bindings-free code."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "nvmath._internal.tensor",
        "nvmath._internal.streams",
        "nvmath._internal.options",
        "nvmath._internal.execution",
        "nvmath._internal.log",
        "nvmath.memory",
    ],
)
def test_import_is_light(module):
    code = (
        f"import sys, {module}\n"
        "heavy = [m for m in ('numba', 'cupy', 'torch', 'llvmlite', 'scipy', 'cuda.bindings.runtime')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_wrapping_numpy_does_not_import_torch_or_cupy():
    code = (
        "import sys, numpy as np\n"
        "from nvmath._internal.tensor import wrap_operand\n"
        "h = wrap_operand(np.zeros((3, 4)))\n"
        "h.empty((2, 2), 'complex64', strides=(1, 2)).copy_from(np.ones((2, 2), np.complex64))\n"
        "try:\n    wrap_operand([1])\nexcept TypeError:\n    pass\n"
        "print(','.join(m for m in ('numba', 'cupy', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
