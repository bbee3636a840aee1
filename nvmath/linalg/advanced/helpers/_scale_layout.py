"""Where cuBLASLt keeps each block scale factor: the 128x4 tiled layout, in plain integers.

A block-scaled operand (MXFP8: one scale per 32 consecutive elements, NVFP4: one per 16) has,
along its *blocked* dimension (the contracted one, K), ``inner_blocks = K // block`` blocks, and
``outer`` rows or columns along the other dimension. cuBLASLt reads the ``outer x inner_blocks``
matrix of scales in tiles of 128 (outer) x 4 (inner) scales, each tile 512 contiguous bytes,
tiles ordered inner-fastest. Inside a tile, the 128 outer indices are split as
``outer = 32 * a + b`` (``a`` in 0..3, ``b`` in 0..31) and the scale of (``a``, ``b``, inner
block ``i``) sits at byte ``16 * b + 4 * a + i``. When ``outer`` is not a multiple of 128 or
``inner_blocks`` not one of 4, the matrix is padded up to whole tiles.

Batched operands keep one such matrix per batch sample, one after the other.

Everything here works on Python ints and, elementwise, on integer tensors (``//`` and ``%``);
nothing imports PyTorch or NumPy.
"""

from __future__ import annotations

__all__ = [
    "TILE_OUTER",
    "TILE_INNER",
    "TILE_BYTES",
    "padded_extents",
    "scale_count",
    "scale_offset",
]

#: Scales along the unblocked dimension in one tile.
TILE_OUTER = 128
#: Scales (blocks) along the blocked dimension in one tile.
TILE_INNER = 4
#: Scales in one tile.
TILE_BYTES = TILE_OUTER * TILE_INNER

# The 128 outer indices of a tile are split into TILE_OUTER // _LANES groups of _LANES.
_LANES = 32


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def padded_extents(outer: int, inner_blocks: int) -> tuple[int, int]:
    """``(outer, inner_blocks)`` rounded up to whole 128x4 tiles."""
    return _round_up(outer, TILE_OUTER), _round_up(inner_blocks, TILE_INNER)


def scale_count(outer: int, inner_blocks: int, batch: int = 1) -> int:
    """Number of scale factors cuBLASLt reads for ``batch`` matrices of ``outer x inner_blocks`` scales
    (padding included)."""
    rows, cols = padded_extents(outer, inner_blocks)
    return batch * rows * cols


def scale_offset(outer_index, block_index, outer: int, inner_blocks: int, batch_index=0):
    """Offset of the scale of block ``block_index`` (along the blocked dimension) of row or column
    ``outer_index`` (along the other one), in sample ``batch_index``.

    The indices may be ints or integer tensors (broadcast together); ``outer`` and
    ``inner_blocks`` are the unpadded extents of one sample's scale matrix.
    """
    rows, cols = padded_extents(outer, inner_blocks)
    tiles_per_row = cols // TILE_INNER
    tile = (outer_index // TILE_OUTER) * tiles_per_row + block_index // TILE_INNER
    lane = outer_index % _LANES
    group = (outer_index // _LANES) % (TILE_OUTER // _LANES)
    within = lane * (TILE_INNER * TILE_OUTER // _LANES) + group * TILE_INNER + block_index % TILE_INNER
    return batch_index * (rows * cols) + tile * TILE_BYTES + within
