"""Fast Fourier transforms, with Python prolog/epilog callbacks fused into cuFFT.

This release provides the callback compilers :func:`compile_prolog` and
:func:`compile_epilog`; importing the package loads neither Numba nor any GPU library.
"""

from .callbacks import CALLBACK_ELEMENT_TYPES, callback_signature, compile_epilog, compile_prolog

__all__ = ["compile_prolog", "compile_epilog", "callback_signature", "CALLBACK_ELEMENT_TYPES"]
