"""Shapes, axes and memory layouts of FFTs, in cuFFT's advanced-layout terms.

cuFFT describes a batched transform by ``n[rank]`` (transform lengths, slowest first),
``inembed``/``istride``/``idist`` for the input and the same for the output, and a batch count.
An operand's layout can be given to cuFFT without a copy when its transformed axes chain
(each one's stride is a whole multiple of the next one's) and its other axes collapse into a
single batch dimension with one distance. Nothing here touches a GPU.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Iterable

import numpy as np

from nvmath._internal.tensor import contiguous_strides

__all__ = [
    "UnsupportedLayoutError",
    "Layout",
    "Embedding",
    "normalize_axes",
    "transform_shapes",
    "embed",
    "contiguous_strides",
    "result_strides",
]


class UnsupportedLayoutError(Exception):
    """A layout the transform cannot take as it is.

    nvmath copies such operands (and logs it) rather than raising, so code written for
    nvmath-python, which raises this error and suggests an axis permutation, runs its normal
    branch here. The class exists so that such code can name it.

    Parameters
    ----------
    message : str
    permutation : sequence of int
        The permutation of the operand's axes that gives a layout the library takes; the same
        permutation, applied to the result, restores the operand's axis order.
    axes : sequence of int
        The transformed axes in the permuted operand.
    """

    def __init__(self, message, permutation, axes):
        super().__init__(message)
        self.message, self.permutation, self.axes = message, permutation, axes

    def __str__(self):
        return self.message


@dataclasses.dataclass(frozen=True)
class Layout:
    """An operand's shape and strides, in elements (what ``get_input_layout`` reports)."""

    shape: tuple[int, ...]
    strides: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Embedding:
    """One side (input or output) of a cuFFT plan: ``nembed``, ``stride``, ``dist``."""

    nembed: tuple[int, ...]
    stride: int
    dist: int


def normalize_axes(axes, ndim: int, name: str = "axes") -> tuple[int, ...]:
    """Axes as non-negative ints: by default every axis of an operand of at most 3; no repeats.

    Each axis is an int or a NumPy integer in ``[-ndim, ndim)``; floats, bools, strings and
    other objects are refused (:class:`TypeError`), as are empty, repeated or out-of-range
    axes, more than 3, and ``None`` for an operand of more than 3 dimensions (:class:`ValueError`,
    as nvmath-python: which 3 of its axes to transform is the caller's to say). Every message
    names ``axes``, the value and what is accepted.
    """
    if ndim == 0:
        raise ValueError("the operand is 0-dimensional: an FFT needs at least one axis")
    accepted = (
        f"a sequence (list, tuple, range or 1-D integer array) of 1 to {min(ndim, 3)} distinct ints "
        f"in [{-ndim}, {ndim - 1}]" + (", or None (every axis)" if ndim <= 3 else "")
    )
    if axes is None:
        if ndim > 3:
            raise ValueError(
                f"{name}=None transforms every axis, but the operand is {ndim}-D and cuFFT transforms at most 3 "
                f"at once: name the axes to transform, for instance {name}={tuple(range(ndim - 3, ndim))}; "
                f"accepted: {accepted}"
            )
        return tuple(range(ndim))
    # A str or bytes is a sequence of characters, and a set or dict has no order: refuse them
    # rather than transform the axes their items happen to name.
    if isinstance(axes, (str, bytes, bytearray, set, frozenset, dict)) or not isinstance(axes, Iterable):
        raise TypeError(f"{name}={axes!r} (of type {type(axes).__name__}) is not supported; accepted: {accepted}")
    if getattr(axes, "ndim", 1) != 1:
        raise TypeError(f"{name}={axes!r} is not one-dimensional; accepted: {accepted}")
    ints = []
    for a in axes:  # all types first: a TypeError for any item that is not an int
        index = None
        if not isinstance(a, (bool, np.bool_)):
            try:
                index = operator.index(a)  # ints and NumPy integers; never floats or strings
            except TypeError:
                pass
        if index is None:
            raise TypeError(
                f"{name}={axes!r}: axis {a!r} (of type {type(a).__name__}) is not an int; accepted: {accepted}"
            )
        ints.append(index)
    out = []
    for index in ints:
        if not -ndim <= index < ndim:
            raise ValueError(
                f"{name}={axes!r}: axis {index} is out of range for an operand of {ndim} dimensions "
                f"(accepted: {-ndim} to {ndim - 1})"
            )
        out.append(index % ndim)
    if not out:
        raise ValueError(f"{name}={axes!r} is empty; accepted: {accepted}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={axes!r} repeats an axis (each axis may be transformed once); accepted: {accepted}")
    if len(out) > 3:
        raise ValueError(
            f"{name}={axes!r} has {len(out)} axes, but cuFFT transforms at most 3 at once; accepted: {accepted}"
        )
    return tuple(out)


def transform_shapes(shape, axes, fft_type: str, last_axis_parity: str = "even"):
    """The transform lengths (in ``axes`` order) and the result's shape.

    For R2C the last of ``axes`` shrinks to ``n // 2 + 1``; for C2R it grows to
    ``2 * (m - 1)`` (even parity) or ``2 * (m - 1) + 1`` (odd).
    """
    shape = tuple(shape)
    last = axes[-1]
    out = list(shape)
    lengths = [shape[a] for a in axes]
    if fft_type == "R2C":
        out[last] = shape[last] // 2 + 1
    elif fft_type == "C2R":
        m = shape[last]
        n = 2 * (m - 1) + (1 if last_axis_parity == "odd" else 0)
        if n < 1:
            raise ValueError(
                f"a C2R transform of length {m} along axis {last} with last_axis_parity="
                f"{last_axis_parity!r} has an empty result; its input needs at least "
                f"{1 if last_axis_parity == 'odd' else 2} elements on that axis"
            )
        out[last] = n
        lengths[-1] = n
    for a, length in zip(axes, lengths):
        if length < 1:
            raise ValueError(f"axis {a} has length {length}: nothing to transform")
    return tuple(lengths), tuple(out)


def _transform_order(axes, shape, strides, fft_type):
    """cuFFT's dimension order: slowest first; for R2C/C2R the halved axis stays innermost.

    Axes of length 1 come first, in the order of ``axes``: their stride addresses nothing (NumPy
    gives them any value, often one equal to another axis's), so it must not decide the order,
    which must be the same for the input and the result whatever their strides.
    """

    def key(a):
        return (shape[a] != 1, -abs(strides[a]) if shape[a] != 1 else 0, axes.index(a))

    if fft_type == "C2C":
        return tuple(sorted(axes, key=key))
    return (*sorted(axes[:-1], key=key), axes[-1])


def _chain_strides(shape, strides, order):
    """The strides cuFFT is given for the transformed axes in ``order``: the operand's, except
    that an axis of length 1 gets the one that chains (the next inner axis's stride times its
    length; 1 for the innermost), its own being never used to address an element."""
    chained = [0] * len(order)
    inner = None
    for k in reversed(range(len(order))):
        a = order[k]
        if shape[a] != 1:
            chained[k] = strides[a]
        elif inner is None:
            chained[k] = 1
        else:
            chained[k] = chained[k + 1] * shape[inner]
        inner = a
    return chained


def embed(shape, strides, axes, fft_type) -> tuple[tuple[int, ...], int, Embedding] | None:
    """Express ``(shape, strides)`` as a cuFFT layout, or None when it cannot be.

    Transform element ``(i_0, ..., i_r)`` of batch ``b`` is at
    ``b * dist + ((i_0 * nembed[1] + i_1) * nembed[2] + ...) * stride``, as in cuFFT's advanced
    layout; ``b`` counts the batch axes (those of length > 1) in decreasing stride order.

    Returns
    -------
    (order, batch, embedding)
        ``order`` is the transformed axes slowest first (the order of ``n``), ``batch`` the
        number of transforms.
    """
    order = _transform_order(axes, shape, strides, fft_type)
    t_strides = _chain_strides(shape, strides, order)
    if any(s <= 0 for s in t_strides):
        return None
    nembed = [shape[order[0]]]
    for k in range(1, len(order)):
        ratio, rem = divmod(t_strides[k - 1], t_strides[k])
        if rem or ratio < shape[order[k]]:
            return None
        nembed.append(ratio)
    batch_axes = [a for a in range(len(shape)) if a not in axes and shape[a] != 1]
    batch = math.prod(shape[a] for a in batch_axes)
    if not batch_axes:
        dist = t_strides[0] * shape[order[0]]
    else:
        chain = sorted(batch_axes, key=lambda a: -strides[a])
        if any(strides[a] <= 0 for a in chain):
            return None
        for outer, inner in zip(chain, chain[1:]):
            # max(): an empty batch axis (nothing to address) chains as contiguous_strides makes it.
            if strides[outer] != strides[inner] * max(shape[inner], 1):
                return None
        dist = strides[chain[-1]]
    return order, batch, Embedding(tuple(nembed), t_strides[-1], dist)


def result_strides(shape, in_strides, axes, fft_type, result_layout: str):
    """Strides of the result array nvmath allocates.

    "optimized": batch axes outermost (in the operand's memory order), transformed axes
    innermost in cuFFT's order. "natural": the operand's axis order; it falls back to
    "optimized" if cuFFT could not write that layout.
    """
    batch_axes = [a for a in range(len(shape)) if a not in axes]
    by_stride = sorted(range(len(shape)), key=lambda a: (-abs(in_strides[a]), a))
    if result_layout == "natural":
        strides = contiguous_strides(shape, by_stride)
        if embed(shape, strides, axes, fft_type) is not None:
            return strides
    outer = [a for a in by_stride if a in batch_axes]
    inner = list(_transform_order(axes, shape, in_strides, fft_type))
    return contiguous_strides(shape, outer + inner)
