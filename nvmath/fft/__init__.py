"""Fast Fourier transforms on cuFFT (and on the CPU), with Python prolog/epilog callbacks fused in.

- :func:`fft`, :func:`ifft`, :func:`rfft`, :func:`irfft`: one-off transforms.
- :class:`FFT`: plan once, execute many times; :meth:`FFT.create_key` and
  :func:`estimate_workspace_size` for users' own plan caches.
- :func:`compile_prolog`, :func:`compile_epilog`: Python callbacks → LTO-IR ahead of time.

Importing the package loads neither Numba, cuFFT nor any array library.
"""

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA

from ._layout import UnsupportedLayoutError
from .callbacks import CALLBACK_ELEMENT_TYPES, callback_signature, compile_epilog, compile_prolog
from .fft import FFT, estimate_workspace_size, fft, ifft, irfft, rfft
from .options import DeviceCallable, FFTDirection, FFTOptions

__all__ = [
    "FFT",
    "fft",
    "ifft",
    "rfft",
    "irfft",
    "estimate_workspace_size",
    "FFTOptions",
    "FFTDirection",
    "DeviceCallable",
    "ExecutionCUDA",
    "ExecutionCPU",
    "compile_prolog",
    "compile_epilog",
    "callback_signature",
    "CALLBACK_ELEMENT_TYPES",
    "UnsupportedLayoutError",
]
