"""Shared plumbing of the host APIs (``nvmath.fft``, ``nvmath.linalg``); no public API here.

* :mod:`nvmath._internal.tensor`: operand adapters for NumPy, CuPy and PyTorch (CPU or CUDA).
* :mod:`nvmath._internal.streams`: CUDA streams of those packages, or raw ``cudaStream_t``.
* :mod:`nvmath._internal.options`: coercion and validation of options and choices.
* :mod:`nvmath._internal.execution`: the execution spaces ``ExecutionCUDA`` / ``ExecutionCPU``.
* :mod:`nvmath._internal.log`: the ``nvmath`` logger and a timing helper.

Importing any of these loads only the standard library and NumPy; CuPy and PyTorch are imported
when an object of theirs is seen (or, for NumPy operands run on a GPU, when a device array is
needed), Numba never.
"""
