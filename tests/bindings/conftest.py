"""Fixtures the binding tests share."""

import pytest


@pytest.fixture
def cp():
    """CuPy, for device arrays in the GPU tests (the test skips where it is not installed)."""
    return pytest.importorskip("cupy")
