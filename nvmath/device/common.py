"""cuBLASDx's tensor API in ``numba.cuda.jit`` kernels (nvmath-python's ``nvmath.device.common``).

A tensor pairs a buffer (a global, shared or local array) with a :class:`Layout` that a
:class:`~nvmath.device.Matmul` gives (``MM.get_layout_gmem_a()``, ``MM.suggest_layout_smem_a()``,
``MM.suggest_layout_rmem_c()``...). Kernels make tensors with :func:`make_tensor` and move,
clear and combine them with :func:`copy`, :func:`copy_wait`, :func:`copy_fragment`,
:func:`clear` and :func:`axpby`; ``MM.execute(a, b, c)`` multiplies them. The functions below
are what kernels call: on the host they only raise. Importing this module imports no Numba.
"""

from __future__ import annotations

__all__ = [
    "make_tensor",
    "make_fragment_like",
    "OpaqueTensor",
    "Layout",
    "axpby",
    "copy",
    "copy_fragment",
    "clear",
    "copy_wait",
]


def _kernel_only(name: str):
    raise RuntimeError(f"{name} can be called only inside a numba.cuda.jit kernel")


class Layout:
    """The layout of a cuBLASDx tensor: how its elements lie in its buffer.

    Made by :class:`~nvmath.device.Matmul` methods (``get_layout_smem_a()``...), never
    directly. Usable on the host and, as compile-time constants, in kernels.

    Attributes
    ----------
    size : int
        Elements of the tensor (the product of its shape).
    cosize : int
        Elements its buffer must hold (padding and swizzling included).
    alignment : int
        Bytes the buffer must be aligned on.
    storage_bytes : int
        Bytes of the buffer.
    dtype
        The element type (a NumPy type).
    """

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Layout objects are made by Matmul methods (get_layout_smem_a()...), not directly")


class OpaqueTensor:
    """A buffer seen through a :class:`Layout`; exists only in kernels (see :func:`make_tensor`).

    Attributes
    ----------
    layout : Layout
    """

    def __init__(self, *args, **kwargs):
        _kernel_only("OpaqueTensor")


def make_tensor(array, layout: Layout) -> OpaqueTensor:
    """A tensor over ``array`` with ``layout`` (in kernels only).

    Parameters
    ----------
    array : device array
        Global, shared or local memory spanning at least ``layout.cosize`` elements. An array
        of another element type than the layout's makes a tensor of that type with the same
        layout (as :func:`make_fragment_like`).
    layout : Layout

    Returns
    -------
    OpaqueTensor
    """
    _kernel_only("make_tensor")


def make_fragment_like(tensor: OpaqueTensor, dtype) -> OpaqueTensor:
    """A new register tensor with ``tensor``'s layout and elements of ``dtype`` (in kernels only).

    Parameters
    ----------
    tensor : OpaqueTensor
        A register (``rmem``) tensor.
    dtype : NumPy type
    """
    _kernel_only("make_fragment_like")


def axpby(alpha, x_tensor: OpaqueTensor, beta, y_tensor: OpaqueTensor) -> None:
    """``y = alpha * x + beta * y`` on register tensors of one layout (in kernels only).

    Parameters
    ----------
    alpha, beta : numbers
        Converted to the element types of ``x_tensor`` and ``y_tensor``.
    x_tensor, y_tensor : OpaqueTensor
    """
    _kernel_only("axpby")


def copy(src: OpaqueTensor, dst: OpaqueTensor, alignment=None) -> None:
    """Copy ``src`` to ``dst`` with all threads of the block, asynchronously where it can (in
    kernels only); :func:`copy_wait` waits for it.

    Parameters
    ----------
    src, dst : OpaqueTensor
        Global and shared memory tensors of the same matrix (A, B or C).
    alignment : int, optional
        Bytes both buffers are aligned on (1, 2, 4, 8 or 16), a compile-time constant: wider
        aligned copies are faster.
    """
    _kernel_only("copy")


def copy_fragment(src: OpaqueTensor, dst: OpaqueTensor, alignment=None) -> None:
    """Copy between a register tensor and a global or shared memory tensor of C: each thread
    moves its own elements (in kernels only).

    Parameters
    ----------
    src, dst : OpaqueTensor
    alignment : int, optional
        As for :func:`copy`.
    """
    _kernel_only("copy_fragment")


def clear(arr: OpaqueTensor) -> None:
    """Set every element of register tensor ``arr`` to zero (in kernels only)."""
    _kernel_only("clear")


def copy_wait() -> None:
    """Wait until the block's earlier :func:`copy` calls are complete and visible to all its
    threads (in kernels only)."""
    _kernel_only("copy_wait")
