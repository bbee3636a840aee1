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

from nvmath._internal.tensor import contiguous_strides

__all__ = ["Layout", "Embedding", "normalize_axes", "transform_shapes", "embed", "contiguous_strides", "result_strides"]


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
    """Axes as non-negative ints: default the last ``min(ndim, 3)``; at most 3, no repeats."""
    if ndim == 0:
        raise ValueError("the operand is 0-dimensional: an FFT needs at least one axis")
    if axes is None:
        return tuple(range(max(ndim - 3, 0), ndim))
    try:
        axes = tuple(int(a) for a in axes)
    except TypeError:
        raise TypeError(f"{name}={axes!r} must be a sequence of ints") from None
    if not axes:
        raise ValueError(f"{name}={axes!r} is empty: give 1 to 3 axes to transform")
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name}={axes!r}: axis {a} is out of range for an operand of {ndim} dimensions "
                f"(accepted: {-ndim} to {ndim - 1})"
            )
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={axes!r} repeats an axis; each axis may be transformed once")
    if len(out) > 3:
        raise ValueError(f"{name}={axes!r} has {len(out)} axes; cuFFT transforms at most 3 at once")
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


def _transform_order(axes, strides, fft_type):
    """cuFFT's dimension order: slowest first; for R2C/C2R the halved axis stays innermost."""
    if fft_type == "C2C":
        return tuple(sorted(axes, key=lambda a: (-abs(strides[a]), axes.index(a))))
    head = sorted(axes[:-1], key=lambda a: (-abs(strides[a]), axes.index(a)))
    return (*head, axes[-1])


def embed(shape, strides, axes, fft_type) -> tuple[tuple[int, ...], int, Embedding] | None:
    """Express ``(shape, strides)`` as a cuFFT layout, or None when it cannot be.

    Returns
    -------
    (order, batch, embedding)
        ``order`` is the transformed axes slowest first (the order of ``n``), ``batch`` the
        number of transforms.
    """
    order = _transform_order(axes, strides, fft_type)
    t_strides = [strides[a] for a in order]
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
            if strides[outer] != strides[inner] * shape[inner]:
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
    inner = list(_transform_order(axes, in_strides, fft_type))
    return contiguous_strides(shape, outer + inner)
