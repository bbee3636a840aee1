"""Fixtures of the device tests."""

import os
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "benchmarks")


@pytest.fixture(scope="module")
def bench():
    """``benchmarks/fft_conv_device.py`` as a module (its folder on ``sys.path`` meanwhile)."""
    sys.path.insert(0, BENCHMARKS)
    try:
        import fft_conv_device

        yield fft_conv_device
    finally:
        sys.path.remove(BENCHMARKS)
