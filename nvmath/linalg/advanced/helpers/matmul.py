"""Helpers for block-scaled (MXFP8, NVFP4) matrix multiplication with PyTorch tensors.

cuBLASLt's block-scaled matmuls (compute capability 10.0 or newer) take, beside each narrow
operand, one scale factor per block of consecutive elements along the contracted dimension:

- **MXFP8**: ``float8_e4m3fn`` / ``float8_e5m2`` operands, one ``UE8M0`` scale (a ``uint8``
  biased exponent ``e``, worth ``2**(e - 127)``) per 32 elements;
- **NVFP4**: ``float4_e2m1fn_x2`` operands (two E2M1 values per byte), one ``float8_e4m3fn``
  (UE4M3) scale per 16 elements.

The scales are passed as a flat tensor in cuBLAS's tiled (128x4, interleaved) layout. These
helpers create, reorder, look up, expand and apply such scales, and quantize to / unpack from
FP4. They only need PyTorch (CPU or CUDA tensors; results stay on the input's device, with the
same bits on both); the matmuls that consume them need a Blackwell GPU. PyTorch is imported on
first use.
"""

from __future__ import annotations

import enum
import logging
import math
import numbers
import warnings
from typing import TYPE_CHECKING, Literal, NamedTuple

from . import _scale_layout

if TYPE_CHECKING:
    import torch

__all__ = [
    "BlockScalingFormat",
    "create_mxfp8_scale",
    "invert_mxfp8_scale",
    "get_mxfp8_scale_offset",
    "apply_mxfp8_scale",
    "unpack_fp4",
    "quantize_to_fp4",
    "get_block_scale_offset",
    "to_block_scale",
    "expand_block_scale",
]

_logger = logging.getLogger("nvmath.linalg.advanced.helpers")


class BlockScalingFormat(str, enum.Enum):
    """Block scaling format of a narrow-precision operand.

    Given as ``block_scaling_format`` to :func:`get_block_scale_offset`, :func:`to_block_scale`
    and :func:`expand_block_scale`, which also accept the member's name as a string
    (``"NVFP4"``, ``"MXFP8"``, any case).

    Attributes
    ----------
    NVFP4
        FP4 E2M1 operands, one ``float8_e4m3fn`` scale per 16 elements.
    MXFP8
        FP8 (E4M3 or E5M2) operands, one UE8M0 (``uint8`` exponent) scale per 32 elements.
    """

    NVFP4 = "NVFP4"
    MXFP8 = "MXFP8"


class _Format(NamedTuple):
    block: int  # elements sharing one scale
    operand_dtypes: tuple[str, ...]  # operand dtypes that imply this format
    scale_dtypes: tuple[str, ...]  # accepted dtypes of the scale tensors


_FORMATS = {
    BlockScalingFormat.NVFP4: _Format(16, ("float4_e2m1fn_x2",), ("float8_e4m3fn", "uint8")),
    BlockScalingFormat.MXFP8: _Format(32, ("float8_e4m3fn", "float8_e5m2"), ("uint8",)),
}

# UE8M0: a scale byte e means 2**(e - _UE8M0_BIAS).
_UE8M0_BIAS = 127
_FLOAT64_BIAS = 1023
_FLOAT64_MANTISSA_BITS = 52
_MX_BLOCK = _FORMATS[BlockScalingFormat.MXFP8].block

# FP4 E2M1: bit 3 is the sign, bits 2-1 the exponent (bias 1), bit 0 the mantissa.
_FP4_SIGN = 0x8
# Magnitudes of the codes 0..7, and the midpoints between neighbours: a magnitude goes to the code
# of the first midpoint not below it, so a tie goes to the smaller magnitude, and anything above 5
# (infinities and NaN included) to 6, the largest.
_FP4_MAGNITUDES = tuple(
    (code & 1) * 0.5 if code < 2 else 2.0 ** ((code >> 1) - 1) * (1 + (code & 1) / 2) for code in range(8)
)
_FP4_MIDPOINTS = tuple((lo + hi) / 2 for lo, hi in zip(_FP4_MAGNITUDES, _FP4_MAGNITUDES[1:], strict=False))

_OUTPUT_FLOATS = ("float16", "float32", "float64")


# --------------------------------------------------------------------------------------------
# small checks


def _torch():
    import torch

    return torch


def _dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _package_of(value) -> str:
    return type(value).__module__.split(".")[0]


def _require_tensor(value, name: str, where: str, error=TypeError):
    torch = _torch()
    if not isinstance(value, torch.Tensor):
        raise error(
            f"{where}: {name} must be a torch.Tensor; got an object of type {type(value).__name__} "
            f"(package {_package_of(value)!r}); only PyTorch tensors (CPU or CUDA) are supported"
        )
    return value


def _require_fp4_dtype(where: str):
    torch = _torch()
    if not hasattr(torch, "float4_e2m1fn_x2"):
        raise RuntimeError(
            f"{where} needs torch.float4_e2m1fn_x2 (PyTorch 2.8 or newer); PyTorch {torch.__version__} lacks it"
        )
    return torch.float4_e2m1fn_x2


def _check_axis_choice(axis, where: str):
    if isinstance(axis, bool) or axis not in (-1, -2):
        raise ValueError(f"{where}: axis={axis!r} is not supported; accepted: -1, -2")


def _check_format(value) -> BlockScalingFormat:
    if isinstance(value, BlockScalingFormat):
        return value
    if isinstance(value, str):
        member = BlockScalingFormat.__members__.get(value.strip().upper())
        if member is not None:
            return member
    accepted = ", ".join(f"BlockScalingFormat.{m.name} (or {m.value!r})" for m in BlockScalingFormat)
    raise ValueError(f"block_scaling_format={value!r} is not supported; accepted: {accepted}")


def _same_device(a, b, names: str, where: str):
    if a.device != b.device:
        raise ValueError(f"{where}: {names} must be on the same device; got {a.device} and {b.device}")


# --------------------------------------------------------------------------------------------
# the operand's shape and blocked axis


class _Layout(NamedTuple):
    """An operand's logical shape (FP4 unpacked) and how its scales are laid out."""

    shape: tuple[int, ...]
    axis: int  # blocked axis: -1 (rows are blocked, as A) or -2 (columns are blocked, as B)
    fmt: BlockScalingFormat
    block: int

    @property
    def batch(self) -> int:
        return math.prod(self.shape[:-2])

    @property
    def outer(self) -> int:
        return self.shape[-1 if self.axis == -2 else -2]

    @property
    def inner_blocks(self) -> int:
        return self.shape[self.axis] // self.block

    @property
    def scales_2d(self) -> tuple[int, int]:
        """Shape of one sample's matrix of scales (rows, columns) as the operand is laid out."""
        return (self.outer, self.inner_blocks) if self.axis == -1 else (self.inner_blocks, self.outer)

    @property
    def num_scales(self) -> int:
        return math.prod(self.shape) // self.block


def _normalize_axis(axis, ndim: int, where: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or not -ndim <= axis < ndim:
        raise ValueError(f"{where}: axis={axis!r} is not supported; accepted: -1 or -2 (or {ndim - 1}, {ndim - 2})")
    axis = int(axis) - ndim if axis >= 0 else int(axis)
    if axis not in (-1, -2):
        raise ValueError(f"{where}: axis={axis!r} must name one of the last two dimensions of the operand (-1 or -2)")
    return axis


def _resolve(operand_or_shape, axis, block_scaling_format, where: str) -> _Layout:
    """Check the operand (or its shape), the axis and the format together; return the layout."""
    torch = _torch()
    fmt = _check_format(block_scaling_format)
    props = _FORMATS[fmt]
    if isinstance(operand_or_shape, torch.Tensor):
        operand = operand_or_shape
        shape = tuple(operand.shape)
        if len(shape) < 2:
            raise ValueError(f"{where}: the operand must have at least 2 dimensions; got shape {shape}")
        strides = operand.stride()
        inferred = -1 if strides[-2] > strides[-1] else -2
        if axis is None:
            axis = inferred
            _logger.debug("%s: blocked axis %d inferred from the operand's strides %s", where, axis, strides)
        else:
            axis = _normalize_axis(axis, len(shape), where)
            if axis != inferred:
                layout = "row-major" if inferred == -1 else "column-major"
                raise ValueError(
                    f"{where}: axis={axis} does not match the {layout} operand (strides {strides}); "
                    f"its blocked axis is {inferred}"
                )
        dtype = _dtype_name(operand.dtype)
        if dtype == "float4_e2m1fn_x2":
            logical = list(shape)
            logical[axis] *= 2  # two FP4 values per byte, packed along the blocked axis
            shape = tuple(logical)
        implied = [f for f, p in _FORMATS.items() if dtype in p.operand_dtypes]
        if implied and fmt not in implied:
            raise ValueError(
                f"{where}: block_scaling_format={fmt.value!r} does not fit an operand of dtype {dtype}; "
                f"accepted: {', '.join(repr(f.value) for f in implied)}"
            )
    elif isinstance(operand_or_shape, (tuple, list)):
        shape = operand_or_shape
        if not all(isinstance(e, numbers.Integral) and not isinstance(e, bool) for e in shape):
            raise ValueError(f"{where}: the operand shape must be a tuple of ints; got {shape!r}")
        shape = tuple(int(e) for e in shape)
        if len(shape) < 2:
            raise ValueError(f"{where}: the operand shape must have at least 2 dimensions; got {shape}")
        if axis is None:
            raise ValueError(
                f"{where}: axis (-1 or -2, the blocked dimension) is required when an operand shape is given"
            )
        axis = _normalize_axis(axis, len(shape), where)
    else:
        raise TypeError(
            f"{where}: operand_or_shape must be a torch.Tensor or a tuple of ints; "
            f"got {type(operand_or_shape).__name__}"
        )
    if any(e <= 0 for e in shape):
        raise ValueError(f"{where}: the operand shape must have positive extents; got {shape}")
    unblocked = -1 if axis == -2 else -2
    if shape[unblocked] % _scale_layout.TILE_OUTER:
        raise ValueError(
            f"{where}: the operand extent along axis {unblocked} must be a multiple of "
            f"{_scale_layout.TILE_OUTER} (cuBLASLt's scale tiles are {_scale_layout.TILE_OUTER}x"
            f"{_scale_layout.TILE_INNER}); got shape {shape}"
        )
    per_tile_row = _scale_layout.TILE_INNER * props.block
    if shape[axis] % per_tile_row:
        raise ValueError(
            f"{where}: the operand extent along the blocked axis {axis} must be a multiple of {per_tile_row} "
            f"({_scale_layout.TILE_INNER} blocks of {props.block} elements per {fmt.value} scale tile row); "
            f"got shape {shape}"
        )
    return _Layout(shape, axis, fmt, props.block)


def _check_scale_dtype(tensor, layout: _Layout, name: str, where: str):
    dtype = _dtype_name(tensor.dtype)
    accepted = _FORMATS[layout.fmt].scale_dtypes
    if dtype not in accepted:
        raise TypeError(
            f"{where}: {layout.fmt.value} {name} must have dtype "
            f"{' or '.join('torch.' + d for d in accepted)}; got torch.{dtype}"
        )


def _tiled_view(flat, layout: _Layout):
    """A 6-D view of the flat (contiguous) scales whose C-order reshape to
    ``(batch, *layout.scales_2d)`` is the logical matrix of scales of every sample."""
    tiles_outer = layout.outer // _scale_layout.TILE_OUTER
    tiles_inner = layout.inner_blocks // _scale_layout.TILE_INNER
    groups = _scale_layout.TILE_OUTER // 32
    # Memory order: sample, tile row, tile column, lane b (32), group a (4), block i (4).
    tiles = flat.view(layout.batch, tiles_outer, tiles_inner, 32, groups, _scale_layout.TILE_INNER)
    if layout.axis == -1:
        # rows: outer = (tile row, a, b); columns: blocks = (tile column, i)
        return tiles.permute(0, 1, 4, 3, 2, 5)
    # rows: blocks = (tile column, i); columns: outer = (tile row, a, b)
    return tiles.permute(0, 2, 5, 1, 4, 3)


# --------------------------------------------------------------------------------------------
# MXFP8


def _check_mx_scales(mx_scales, where: str):
    torch = _torch()
    _require_tensor(mx_scales, "mx_scales", where, error=ValueError)
    if mx_scales.dtype != torch.uint8:
        raise ValueError(
            f"{where}: mx_scales must have dtype torch.uint8 (UE8M0 biased exponents); got {mx_scales.dtype}"
        )
    return mx_scales


def create_mxfp8_scale(x, exponent, stream=None):
    """Create MXFP8 block scales that scale the whole tensor ``x`` by ``2**exponent``.

    .. note:: Experimental.

    Parameters
    ----------
    x : torch.Tensor
        The operand the scales are for (any dtype; usually ``float8_e4m3fn`` or
        ``float8_e5m2``). Its number of elements must be a multiple of 32.
    exponent : int
        An integer in ``[-127, 128]``; every block is scaled by ``2**exponent``.
    stream : optional
        For a CUDA ``x``, the stream to fill the scales on: a ``torch.cuda.Stream``, a
        ``cupy.cuda.Stream``, an object with ``__cuda_stream__`` or an ``int`` handle. ``None``
        (default) is PyTorch's current stream on ``x``'s device. Ignored for CPU tensors.

    Returns
    -------
    torch.Tensor
        A 1-D ``uint8`` tensor of ``x.numel() // 32`` UE8M0 scales (all ``exponent + 127``), on
        ``x``'s device, in cuBLAS's tiled layout (with one value everywhere, any order is).

    Raises
    ------
    ValueError
        If ``x`` is not a torch.Tensor, its size is not a multiple of 32, or ``exponent`` is not
        an integer in range.
    """
    where = "create_mxfp8_scale"
    torch = _torch()
    _require_tensor(x, "x", where, error=ValueError)
    if isinstance(exponent, bool) or not isinstance(exponent, numbers.Integral) or not -127 <= exponent <= 128:
        raise ValueError(f"{where}: exponent={exponent!r} is not supported; accepted: an integer in [-127, 128]")
    if x.numel() % _MX_BLOCK:
        raise ValueError(
            f"{where}: x has {x.numel()} elements (shape {tuple(x.shape)}), "
            f"not a multiple of the MXFP8 block size {_MX_BLOCK}"
        )
    count = x.numel() // _MX_BLOCK
    value = int(exponent) + _UE8M0_BIAS
    if x.device.type != "cuda":
        return torch.full((count,), value, dtype=torch.uint8, device=x.device)
    from nvmath._internal.streams import get_stream, stream_context

    holder = get_stream(stream, package="torch", device_id=x.device.index)
    with stream_context(holder):
        return torch.full((count,), value, dtype=torch.uint8, device=x.device)


def invert_mxfp8_scale(mx_scales):
    """The reciprocals of MXFP8 (UE8M0) scales.

    .. note:: Experimental.

    Parameters
    ----------
    mx_scales : torch.Tensor
        ``uint8`` UE8M0 scales (any shape, any layout): ``e`` means ``2**(e - 127)``.

    Returns
    -------
    torch.Tensor
        A new tensor of the same shape and device where ``e`` became ``254 - e`` (the
        exponent negated). ``255`` (``2**128``) has no reciprocal in UE8M0 and becomes ``0``
        (``2**-127``), as ``254`` does. ``mx_scales`` is not modified.

    Raises
    ------
    ValueError
        If ``mx_scales`` is not a torch.Tensor of dtype ``uint8``.
    """
    mx_scales = _check_mx_scales(mx_scales, "invert_mxfp8_scale")
    top = 2 * _UE8M0_BIAS  # 254: the negation of exponent e - 127 is (254 - e) - 127
    return top - mx_scales.clamp(max=top)


def _ue8m0_to_float64(exponents):
    torch = _torch()
    # float64, whose normal range holds 2**-127 .. 2**128 (float32's does not); built from the bits
    # (biased exponent field e - 127 + 1023, zero mantissa) so that every device gives them exactly.
    bits = (exponents.to(torch.int64) + (_FLOAT64_BIAS - _UE8M0_BIAS)) << _FLOAT64_MANTISSA_BITS
    return bits.view(torch.float64)


def _narrowest_float(values):
    """The narrowest of float16/32/64 that holds every nonzero ``values`` as a normal number."""
    torch = _torch()
    magnitudes = values[values != 0].abs()
    if magnitudes.numel() == 0:
        return torch.float16
    low, high = magnitudes.min().item(), magnitudes.max().item()  # NaN propagates: float64
    for dtype in (torch.float16, torch.float32):
        info = torch.finfo(dtype)
        if high <= info.max and low >= info.tiny:
            return dtype
    return torch.float64


def _to_output_dtype(values64, output_dtype, where: str):
    torch = _torch()
    narrowest = _narrowest_float(values64)
    if output_dtype == "smallest":
        return values64.to(narrowest)
    order = (torch.float16, torch.float32, torch.float64)
    if order.index(output_dtype) < order.index(narrowest):
        raise ValueError(
            f"{where}: output_dtype={output_dtype} would overflow or underflow the result; "
            f"it needs at least {narrowest}"
        )
    return values64.to(output_dtype)


def _check_output_dtype(output_dtype, extra: tuple, where: str):
    torch = _torch()
    accepted = extra + tuple(getattr(torch, name) for name in _OUTPUT_FLOATS)
    if isinstance(output_dtype, str):
        if output_dtype == "smallest":
            return output_dtype
    elif output_dtype in accepted:
        return output_dtype
    raise TypeError(
        f"{where}: output_dtype={output_dtype!r} is not supported; accepted: 'smallest', "
        f"{', '.join(str(d) for d in accepted)}"
    )


def apply_mxfp8_scale(x, scales_1d, output_dtype: Literal["smallest"] | torch.dtype = "smallest"):
    """Multiply ``x`` by its MXFP8 block scales (dequantize).

    .. note:: Experimental. Meant for checking results, not for speed: it works in float64 on
       the whole tensor. To get a wide result from a matmul, ask for it with
       :attr:`~nvmath.linalg.advanced.MatmulOptions.result_type` instead.

    Parameters
    ----------
    x : torch.Tensor
        The scaled tensor (for example an FP8 matmul result), at least 2-D, whose last two
        extents fit the 128x4 scale tiles. Its blocked axis is read from its layout: rows
        (``axis=-1``) if row-major, columns (``axis=-2``) if column-major.
    scales_1d : torch.Tensor
        Its UE8M0 scales (``uint8``), 1-D, contiguous, in cuBLAS's tiled layout (as a matmul's
        ``"d_out_scale"``), on ``x``'s device.
    output_dtype : {"smallest"} or torch.dtype
        ``torch.float16``, ``torch.float32`` or ``torch.float64``; ``"smallest"`` (default):
        the narrowest of them that holds the result.

    Returns
    -------
    torch.Tensor
        ``x * 2**(scale - 127)`` blockwise, computed in float64, then cast to the chosen dtype.

    Raises
    ------
    TypeError
        For a bad ``output_dtype`` or scale dtype, or non-tensor arguments.
    ValueError
        If the result would overflow or underflow ``output_dtype``, if the shapes do not fit,
        or if ``x`` and ``scales_1d`` are on different devices.
    """
    where = "apply_mxfp8_scale"
    torch = _torch()
    output_dtype = _check_output_dtype(output_dtype, (), where)
    _require_tensor(x, "x", where)
    _require_tensor(scales_1d, "scales_1d", where)
    _same_device(x, scales_1d, "x and scales_1d", where)
    layout = _resolve(x, None, BlockScalingFormat.MXFP8, where)
    expanded = _expand(scales_1d, layout, None, where)
    values = x.to(torch.float64) * _ue8m0_to_float64(expanded)
    return _to_output_dtype(values, output_dtype, where)


def get_mxfp8_scale_offset(operand_or_shape, index, axis: Literal[-1, -2] | None = None):
    """Offset, in the flat tiled MXFP8 scales, of the scale applied to ``operand[index]``.

    .. deprecated:: 0.9.0
        Use :func:`get_block_scale_offset`, which takes block (not element) indices.

    Parameters
    ----------
    operand_or_shape : torch.Tensor or tuple of int
        The operand, or its shape (then ``axis`` is required).
    index : tuple of int or of integer tensors
        An *element* index of the operand (one entry per dimension).
    axis : {-1, -2}, optional
        The blocked dimension; read from the operand's layout when omitted.

    Returns
    -------
    int or torch.Tensor
        The offset(s).
    """
    warnings.warn(
        "get_mxfp8_scale_offset is deprecated; use get_block_scale_offset (with block indices) instead",
        DeprecationWarning,
        stacklevel=2,
    )
    where = "get_mxfp8_scale_offset"
    layout = _resolve(operand_or_shape, axis, BlockScalingFormat.MXFP8, where)
    return _offset(layout, index, where, element_index=True)


# --------------------------------------------------------------------------------------------
# offsets, to_block_scale, expand_block_scale


def _offset(layout: _Layout, index, where: str, *, element_index: bool):
    try:
        index = tuple(index)
    except TypeError:
        raise TypeError(f"{where}: index must be a tuple of ints or of integer tensors; got {index!r}") from None
    ndim = len(layout.shape)
    if len(index) != ndim:
        raise ValueError(f"{where}: index {index!r} has {len(index)} entries; the operand has {ndim} dimensions")
    extents = list(layout.shape)
    if not element_index:
        extents[layout.axis] = layout.inner_blocks
    for k, (i, extent) in enumerate(zip(index, extents, strict=True)):
        if isinstance(i, bool):
            raise TypeError(f"{where}: index[{k}]={i!r} is not an integer")
        if isinstance(i, numbers.Integral) and not 0 <= i < extent:
            what = "block index" if (k - ndim == layout.axis and not element_index) else "index"
            raise IndexError(f"{where}: {what} index[{k}]={i} is out of range [0, {extent})")
    block_index = index[layout.axis]
    if element_index:
        block_index = block_index // layout.block
    outer_index = index[-1 if layout.axis == -2 else -2]
    batch_index = 0
    for i, extent in zip(index[:-2], layout.shape[:-2], strict=True):
        batch_index = batch_index * extent + i
    return _scale_layout.scale_offset(outer_index, block_index, layout.outer, layout.inner_blocks, batch_index)


def get_block_scale_offset(
    index,
    operand_or_shape,
    block_scaling_format: BlockScalingFormat | str,
    *,
    axis: Literal[-1, -2] | None = None,
):
    """Offset of one block's scale factor in the flat, tiled scales that cuBLASLt reads.

    .. note:: Experimental.

    cuBLASLt keeps the scales in tiles of 128 (along the unblocked dimension) x 4 (blocks
    along the blocked one), interleaved within each tile (see the cuBLAS documentation, "1D
    Block Scaling Factors Layout"); this maps a block index of the operand to its place.

    Parameters
    ----------
    index : tuple of int or of integer tensors
        One entry per operand dimension; along the blocked axis, the *block* index (element
        index // block size, 32 for MXFP8 and 16 for NVFP4). For ``a`` of shape ``(M, K)``
        blocked along rows, the scale of ``a[y, x]`` is at index ``(y, x // 16)`` (NVFP4).
        Tensors (broadcast together, as from :func:`torch.meshgrid`) give a tensor of offsets.
    operand_or_shape : torch.Tensor or tuple of int
        The operand the scales apply to, or its logical shape (FP4 unpacked).
    block_scaling_format : BlockScalingFormat or str
        ``BlockScalingFormat.NVFP4`` / ``"NVFP4"`` or ``BlockScalingFormat.MXFP8`` / ``"MXFP8"``;
        it must fit the operand's dtype when an operand is given.
    axis : {-1, -2}, optional
        The blocked dimension: ``-1`` for A (rows are blocked), ``-2`` for B (columns).
        Required with a shape; read from the operand's layout (row- or column-major) otherwise.

    Returns
    -------
    int or torch.Tensor
        The offset(s) into the flat scale tensor.

    Raises
    ------
    ValueError
        For shapes that do not fit whole tiles (the extent along the unblocked axis must be a
        multiple of 128, along the blocked axis one of 4 blocks), a wrong axis or format.
    IndexError
        For an integer index out of range.

    Examples
    --------
    With ``a`` of shape (128, 128) (NVFP4, blocked along rows), the block of ``a[5, 32:48]`` is
    ``(5, 2)``, at offset 82; the one of ``a[5, 80:96]`` is ``(5, 5)``, at offset 593.
    """
    where = "get_block_scale_offset"
    layout = _resolve(operand_or_shape, axis, block_scaling_format, where)
    return _offset(layout, index, where, element_index=False)


def to_block_scale(
    scale_tensor,
    operand_or_shape,
    block_scaling_format: BlockScalingFormat | str,
    *,
    axis: Literal[-1, -2] | None = None,
    out=None,
):
    """Copy an N-D tensor of block scales into the flat tiled layout that cuBLASLt reads.

    .. note:: Experimental.

    Parameters
    ----------
    scale_tensor : torch.Tensor
        The scales as a matrix per sample: shape ``(..., M, K // block)`` for an operand of
        shape ``(..., M, K)`` blocked along rows (A), ``(..., K // block, N)`` for one of shape
        ``(..., K, N)`` blocked along columns (B); ``scale_tensor[..., i, j]`` scales
        ``a[..., i, j*block:(j+1)*block]`` (resp. ``b[..., i*block:(i+1)*block, j]``). Leading
        dimensions may be arranged freely as long as the number of elements matches. Dtype:
        NVFP4, ``float8_e4m3fn`` or ``uint8`` (its bits); MXFP8, ``uint8`` (UE8M0).
    operand_or_shape : torch.Tensor or tuple of int
        The operand the scales apply to, or its logical shape (FP4 unpacked).
    block_scaling_format : BlockScalingFormat or str
        ``"NVFP4"`` (16 elements per block) or ``"MXFP8"`` (32).
    axis : {-1, -2}, optional
        The blocked dimension; required with a shape, else read from the operand's layout.
    out : torch.Tensor, optional
        A contiguous 1-D tensor of the same dtype and device as ``scale_tensor`` with as many
        elements, to write into; by default a new one.

    Returns
    -------
    torch.Tensor
        ``out``: the scales in cuBLAS's tiled layout (not a plain flattening).

    Raises
    ------
    TypeError
        If ``scale_tensor`` is not a tensor or has a dtype the format does not accept.
    ValueError
        If the shapes do not fit, or ``out`` does not fit (shape, dtype, device, contiguity).
    """
    where = "to_block_scale"
    torch = _torch()
    _require_tensor(scale_tensor, "scale_tensor", where)
    layout = _resolve(operand_or_shape, axis, block_scaling_format, where)
    _check_scale_dtype(scale_tensor, layout, "scale_tensor", where)
    if scale_tensor.numel() != layout.num_scales or tuple(scale_tensor.shape[-2:]) != layout.scales_2d:
        expected = (*layout.shape[:-2], *layout.scales_2d)
        raise ValueError(
            f"{where}: for an operand of shape {layout.shape} ({layout.fmt.value}, blocked along axis "
            f"{layout.axis}), scale_tensor must have shape {expected} ({layout.num_scales} scales); "
            f"got {tuple(scale_tensor.shape)}"
        )
    if out is None:
        out = torch.empty(layout.num_scales, dtype=scale_tensor.dtype, device=scale_tensor.device)
    else:
        _require_tensor(out, "out", where)
        if out.ndim != 1 or out.shape[0] != layout.num_scales:
            raise ValueError(
                f"{where}: out must be a 1-D tensor of {layout.num_scales} elements; got shape {tuple(out.shape)}"
            )
        if out.dtype != scale_tensor.dtype:
            raise ValueError(f"{where}: out must have scale_tensor's dtype {scale_tensor.dtype}; got {out.dtype}")
        _same_device(out, scale_tensor, "out and scale_tensor", where)
        if not out.is_contiguous():
            raise ValueError(f"{where}: out must be contiguous; got stride {out.stride()}")
    target = _tiled_view(out, layout)
    target.copy_(scale_tensor.reshape(target.shape))
    return out


def _expand(scales_1d, layout: _Layout, device, where: str):
    """The uint8 bits of the scales, one per operand element: shape ``layout.shape``, row-major."""
    torch = _torch()
    _require_tensor(scales_1d, "scales_1d", where)
    if scales_1d.ndim != 1:
        raise ValueError(f"{where}: scales_1d must be 1-D; got shape {tuple(scales_1d.shape)}")
    if scales_1d.numel() > 1 and scales_1d.stride(0) != 1:
        raise ValueError(f"{where}: scales_1d must be contiguous; got stride {scales_1d.stride()}")
    _check_scale_dtype(scales_1d, layout, "scales_1d", where)
    if scales_1d.numel() != layout.num_scales:
        raise ValueError(
            f"{where}: for an operand of shape {layout.shape} ({layout.fmt.value}, {layout.block} elements "
            f"per scale), scales_1d must have {layout.num_scales} elements; got {scales_1d.numel()}"
        )
    if device is not None:
        if device not in ("cuda", "cpu"):
            raise ValueError(f"{where}: device={device!r} is not supported; accepted: 'cuda', 'cpu', None")
        scales_1d = scales_1d.to(device)
    tiles = _tiled_view(scales_1d.view(torch.uint8), layout)
    # Repeat each scale over its block: a new axis of `block` beside the blocks' axis i.
    where_block = 6 if layout.axis == -1 else 3
    sizes = list(tiles.shape)
    sizes.insert(where_block, layout.block)
    return tiles.unsqueeze(where_block).expand(sizes).reshape(layout.shape)


def expand_block_scale(
    scales_1d,
    operand_or_shape,
    block_scaling_format: BlockScalingFormat | str,
    *,
    axis: Literal[-1, -2] | None = None,
    output_dtype: Literal["smallest"] | torch.dtype = "smallest",
    device: Literal["cuda", "cpu"] | None = None,
):
    """Expand flat tiled block scales to one scale per operand element.

    .. note:: Experimental.

    The inverse of :func:`to_block_scale`, broadcast over each block: useful to dequantize a
    block-scaled matmul result (``"d_out_scale"``) by an elementwise product.

    Parameters
    ----------
    scales_1d : torch.Tensor
        1-D contiguous scales in cuBLAS's tiled layout, ``operand.numel() // block`` of them.
        Dtype: NVFP4, ``float8_e4m3fn`` or ``uint8`` (its bits); MXFP8, ``uint8`` (UE8M0).
    operand_or_shape : torch.Tensor or tuple of int
        The operand, or its logical shape (FP4 unpacked); the result has this shape.
    block_scaling_format : BlockScalingFormat or str
        ``"NVFP4"`` or ``"MXFP8"``.
    axis : {-1, -2}, optional
        The blocked dimension; required with a shape, else read from the operand's layout.
    output_dtype : {"smallest"} or torch.dtype
        NVFP4: ``torch.float8_e4m3fn`` (the default, ``"smallest"``), ``float16``, ``float32``
        or ``float64``. MXFP8: ``torch.uint8`` (the default: the UE8M0 exponents themselves),
        or ``float16``/``float32``/``float64`` (the values ``2**(e - 127)``; a dtype that cannot
        hold them raises :class:`ValueError`).
    device : {"cuda", "cpu"}, optional
        Where to put the result; by default ``scales_1d``'s device.

    Returns
    -------
    torch.Tensor
        Row-major, of the operand's logical shape: element ``[..., i, j]`` holds the scale of
        the block that operand element belongs to.

    Raises
    ------
    TypeError
        For a bad scale dtype or ``output_dtype``.
    ValueError
        If the shapes do not fit, or the values do not fit ``output_dtype``.
    """
    where = "expand_block_scale"
    torch = _torch()
    layout = _resolve(operand_or_shape, axis, block_scaling_format, where)
    if layout.fmt is BlockScalingFormat.NVFP4:
        output_dtype = _check_output_dtype(output_dtype, (torch.float8_e4m3fn,), where)
        expanded = _expand(scales_1d, layout, device, where).view(torch.float8_e4m3fn)
        if output_dtype in ("smallest", torch.float8_e4m3fn):
            return expanded
        return expanded.to(output_dtype)  # exact: every E4M3 value is a float16 value
    output_dtype = _check_output_dtype(output_dtype, (torch.uint8,), where)
    expanded = _expand(scales_1d, layout, device, where)
    if output_dtype in ("smallest", torch.uint8):
        return expanded
    return _to_output_dtype(_ue8m0_to_float64(expanded), output_dtype, where)


# --------------------------------------------------------------------------------------------
# FP4 E2M1


def _check_fp4_axis(tensor, axis, where: str):
    _check_axis_choice(axis, where)
    if tensor.ndim < 1:
        raise ValueError(f"{where}: the tensor must have at least 1 dimension; got a 0-D tensor")
    if tensor.ndim == 1 and axis != -1:
        raise ValueError(f"{where}: axis={axis} needs at least 2 dimensions; a 1-D tensor takes axis=-1")


def quantize_to_fp4(x, axis: Literal[-1, -2]):
    """Round float32 values to FP4 (E2M1) and pack them two per byte (``torch.float4_e2m1fn_x2``).

    .. note:: Experimental. A reference quantizer, not tuned for speed; no scaling is applied
       (divide by the block scales first; see :func:`to_block_scale`).

    Each value becomes the nearest of 0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6; a value exactly
    halfway between two goes to the smaller magnitude (so 0.75 -> 0.5, 1.75 -> 1.5, 3.5 -> 3;
    not ties-to-even); magnitudes above 6, infinities and NaN saturate to ±6. The sign is kept,
    also for -0.0 and values that round to zero (they give -0). Two neighbours along ``axis``
    share a byte: the one with the even index in the low nibble (bits 0-3), the odd one in the
    high nibble.

    Parameters
    ----------
    x : torch.Tensor
        float32, 1-D or more (CPU or CUDA).
    axis : {-1, -2}
        The axis to pack along, whose extent must be even. ``-1``: shape ``(..., Q)`` ->
        ``(..., Q // 2)``, row-major (as an A operand). ``-2``: ``(..., P, Q)`` ->
        ``(..., P // 2, Q)``, column-major in each matrix (as a B operand).

    Returns
    -------
    torch.Tensor
        Of dtype ``torch.float4_e2m1fn_x2``, on ``x``'s device.

    Raises
    ------
    TypeError
        If ``x`` is not a torch.Tensor.
    ValueError
        For a dtype other than float32, a bad axis or an odd extent along it.
    """
    where = "quantize_to_fp4"
    torch = _torch()
    _require_tensor(x, "x", where)
    fp4 = _require_fp4_dtype(where)
    if x.dtype != torch.float32:
        raise ValueError(f"{where}: x must have dtype torch.float32; got {x.dtype}")
    _check_fp4_axis(x, axis, where)
    if x.shape[axis] % 2:
        raise ValueError(
            f"{where}: the extent along axis {axis} must be even to pack pairs; got shape {tuple(x.shape)}"
        )
    midpoints = torch.tensor(_FP4_MIDPOINTS, dtype=torch.float32, device=x.device)
    # Index of the first midpoint >= |x|: ties stay low; past the last one (and NaN) -> 7.
    codes = torch.bucketize(x.abs().contiguous(), midpoints, out_int32=True).to(torch.uint8)
    codes |= torch.signbit(x).to(torch.uint8) * _FP4_SIGN
    if axis == -1:
        packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).contiguous()
        return packed.view(fp4)
    packed = codes[..., 0::2, :] | (codes[..., 1::2, :] << 4)
    # Column-major within each matrix: lay the transpose out contiguously, then transpose back.
    return packed.mT.contiguous().view(fp4).mT


def unpack_fp4(fp4_tensor, axis: Literal[-1, -2]):
    """Decode a ``torch.float4_e2m1fn_x2`` tensor to float32, doubling the extent along ``axis``.

    .. note:: Experimental. The inverse of :func:`quantize_to_fp4` (exact: every FP4 value is a
       float32 value).

    Parameters
    ----------
    fp4_tensor : torch.Tensor
        Packed FP4 values (two per byte: the even index in the low nibble), 1-D or more.
    axis : {-1, -2}
        The axis the values were packed along. ``-1``: ``(..., Q)`` -> ``(..., 2 * Q)``,
        row-major. ``-2``: ``(..., P, Q)`` -> ``(..., 2 * P, Q)``, column-major in each matrix.

    Returns
    -------
    torch.Tensor
        float32, on the input's device.

    Raises
    ------
    TypeError
        If ``fp4_tensor`` is not a torch.Tensor.
    ValueError
        For another dtype or a bad axis.
    """
    where = "unpack_fp4"
    torch = _torch()
    _require_tensor(fp4_tensor, "fp4_tensor", where)
    fp4 = _require_fp4_dtype(where)
    if fp4_tensor.ndim < 1:
        raise ValueError(f"{where}: fp4_tensor must have at least 1 dimension; got a 0-D tensor")
    if fp4_tensor.dtype != fp4:
        raise ValueError(f"{where}: fp4_tensor must have dtype torch.float4_e2m1fn_x2; got {fp4_tensor.dtype}")
    _check_fp4_axis(fp4_tensor, axis, where)
    table = torch.tensor(
        _FP4_MAGNITUDES + tuple(-m for m in _FP4_MAGNITUDES), dtype=torch.float32, device=fp4_tensor.device
    )
    pairs = fp4_tensor.view(torch.uint8)
    if axis == -2:
        pairs = pairs.mT  # pack axis last; transposed back at the end
    low, high = table[(pairs & 0xF).long()], table[(pairs >> 4).long()]
    values = torch.stack((low, high), dim=-1).reshape(*pairs.shape[:-1], 2 * pairs.shape[-1])
    return values if axis == -1 else values.mT
