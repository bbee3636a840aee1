"""nvmath.linalg.advanced.helpers.matmul: block scales (MXFP8, NVFP4) and FP4 packing.

References are independent of the code under test: the E2M1 and UE8M0 bit formulas, the
128x4 tile layout written out from the cuBLAS documentation ("1D Block Scaling Factors
Layout"), and float64 arithmetic in NumPy.
"""

import inspect
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
if not hasattr(torch, "float4_e2m1fn_x2"):
    pytest.skip("needs torch.float4_e2m1fn_x2 (PyTorch 2.8+)", allow_module_level=True)

from nvmath.linalg.advanced.helpers import _scale_layout  # noqa: E402
from nvmath.linalg.advanced.helpers import matmul as H  # noqa: E402

FP4 = torch.float4_e2m1fn_x2
BLOCK = {"NVFP4": 16, "MXFP8": 32}


# ----------------------------------------------------------------------------- references


def e2m1_value(code: int) -> float:
    """OCP MX spec: 1 sign bit, 2 exponent bits (bias 1), 1 mantissa bit; exponent 0 is subnormal."""
    sign = -1.0 if code & 8 else 1.0
    exp, man = (code >> 1) & 3, code & 1
    mag = man * 0.5 if exp == 0 else 2.0 ** (exp - 1) * (1 + man / 2)
    return math.copysign(mag, sign)


def fp4_reference_codes(values: np.ndarray) -> np.ndarray:
    """Nearest E2M1 code, ties to the smaller magnitude, saturating; NaN -> max magnitude."""
    mags = np.array([e2m1_value(c) for c in range(8)])
    out = np.empty(values.shape, dtype=np.uint8)
    for pos, v in np.ndenumerate(values):
        a = abs(float(v))
        if math.isnan(a):
            code = 7
        else:
            dist = np.abs(mags - a)
            code = int(np.flatnonzero(dist == dist.min())[0])  # first = smaller magnitude on a tie
        out[pos] = code | (8 if math.copysign(1.0, float(v)) < 0 else 0)
    return out


def doc_offset(outer_idx, block_idx, outer, inner_blocks):
    """cuBLAS doc: scales padded to 128 x 4 tiles, tiles stored along the blocked dimension
    first; in a tile, the scale of (row r, block c) at (r % 32) * 16 + (r // 32) * 4 + c."""
    tiles_across = -(-inner_blocks // 4)
    tile_row, tile_col = outer_idx // 128, block_idx // 4
    r, c = outer_idx % 128, block_idx % 4
    return (tile_row * tiles_across + tile_col) * 512 + (r % 32) * 16 + (r // 32) * 4 + c


def brute_force_layout(scales_2d: np.ndarray) -> np.ndarray:
    """Write the (outer, inner_blocks) scale matrix tile by tile, byte by byte (padding = 0)."""
    outer, inner = scales_2d.shape
    rows, cols = -(-outer // 128) * 128, -(-inner // 4) * 4
    flat = []
    for tile_row in range(rows // 128):
        for tile_col in range(cols // 4):
            for lane in range(32):
                for group in range(4):
                    for c in range(4):
                        r, k = tile_row * 128 + group * 32 + lane, tile_col * 4 + c
                        flat.append(scales_2d[r, k] if r < outer and k < inner else 0)
    return np.array(flat, dtype=scales_2d.dtype)


def random_bytes(shape, rng, low=0, high=256):
    return torch.from_numpy(rng.integers(low, high, size=shape, dtype=np.uint8))


def random_e4m3(shape, rng):
    # positive finite E4M3 values (no NaN 0x7F/0xFF)
    return torch.from_numpy(rng.integers(0, 0x7F, size=shape, dtype=np.uint8)).view(torch.float8_e4m3fn)


def operand_shape(batch, outer, inner_blocks, block, axis):
    return tuple(batch) + ((outer, inner_blocks * block) if axis == -1 else (inner_blocks * block, outer))


def scale_matrix_shape(batch, outer, inner_blocks, axis):
    return tuple(batch) + ((outer, inner_blocks) if axis == -1 else (inner_blocks, outer))


# ----------------------------------------------------------------------------- FP4 E2M1


def test_every_fp4_byte_decodes_and_reencodes_exactly():
    packed = torch.arange(256, dtype=torch.uint8).view(FP4)
    values = H.unpack_fp4(packed, axis=-1)
    assert values.dtype == torch.float32 and values.shape == (512,)
    expected = [e2m1_value(code) for byte in range(256) for code in (byte & 0xF, byte >> 4)]
    got = values.tolist()
    assert got == expected
    assert [math.copysign(1, v) for v in got] == [math.copysign(1, v) for v in expected]  # -0 kept
    again = H.quantize_to_fp4(values, axis=-1)
    assert torch.equal(again.view(torch.uint8), torch.arange(256, dtype=torch.uint8))


def test_fp4_nibble_order_low_first():
    packed = H.quantize_to_fp4(torch.tensor([1.0, -6.0, 0.5, 3.0]), axis=-1).view(torch.uint8)
    # 1.0 = 0b0010, -6.0 = 0b1111, 0.5 = 0b0001, 3.0 = 0b0101; even index in bits 0-3
    assert packed.tolist() == [0xF2, 0x51]


def test_fp4_rounding_ties_saturation_nan_and_signed_zero():
    specials = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 0.7500001, 3.4999998, 6.0, 6.5, 1e30]
    specials += [float("inf"), float("nan"), 0.0, 1e-30, 0.2499999]
    values = torch.tensor(specials + [-v for v in specials], dtype=torch.float32)
    got = H.quantize_to_fp4(values, axis=-1)
    decoded = H.unpack_fp4(got, axis=-1)
    expect = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 1.0, 3.0, 6.0, 6.0, 6.0, 6.0, 6.0, 0.0, 0.0, 0.0]
    expect += [-v for v in expect]
    assert decoded.tolist() == expect
    assert torch.equal(torch.signbit(decoded), torch.signbit(values))


@pytest.mark.parametrize("seed", range(3))
def test_fp4_quantize_matches_nearest_reference(seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((4, 6, 64)) * rng.choice([0.3, 2.0, 5.0])).astype(np.float32)
    codes = H.quantize_to_fp4(torch.from_numpy(x), axis=-1).view(torch.uint8).numpy()
    ref = fp4_reference_codes(x)
    np.testing.assert_array_equal(codes & 0xF, ref[..., 0::2])
    np.testing.assert_array_equal(codes >> 4, ref[..., 1::2])


@pytest.mark.parametrize("shape", [(8,), (6, 10), (3, 4, 8)])
def test_fp4_pack_rows(shape):
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32) * 3)
    packed = H.quantize_to_fp4(x, axis=-1)
    assert packed.dtype == FP4 and packed.shape == (*shape[:-1], shape[-1] // 2)
    assert packed.is_contiguous()
    back = H.unpack_fp4(packed, axis=-1)
    assert back.shape == x.shape and back.is_contiguous()
    ref = np.vectorize(e2m1_value)(fp4_reference_codes(x.numpy())).astype(np.float32)
    np.testing.assert_array_equal(back.numpy(), ref)


@pytest.mark.parametrize("shape", [(4, 6), (2, 8, 3), (2, 2, 6, 5)])
def test_fp4_pack_columns_gives_column_major(shape):
    rng = np.random.default_rng(2)
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32) * 3)
    packed = H.quantize_to_fp4(x, axis=-2)
    p, q = shape[-2] // 2, shape[-1]
    assert packed.shape == (*shape[:-2], p, q)
    assert packed.stride()[-2:] == (1, p)
    if len(shape) > 2:
        assert packed.stride()[-3] == p * q
    codes = packed.view(torch.uint8)
    ref = fp4_reference_codes(x.numpy())
    np.testing.assert_array_equal(codes.numpy() & 0xF, ref[..., 0::2, :])
    np.testing.assert_array_equal(codes.numpy() >> 4, ref[..., 1::2, :])
    back = H.unpack_fp4(packed, axis=-2)
    assert back.shape == x.shape and back.stride()[-2:] == (1, shape[-2])
    np.testing.assert_array_equal(back.numpy(), np.vectorize(e2m1_value)(ref).astype(np.float32))


def test_fp4_quantize_non_contiguous_input_gives_row_major():
    rng = np.random.default_rng(3)
    x = torch.from_numpy(rng.standard_normal((16, 8)).astype(np.float32)).T  # column-major (8, 16)
    packed = H.quantize_to_fp4(x, axis=-1)
    assert packed.is_contiguous()
    assert torch.equal(packed.view(torch.uint8), H.quantize_to_fp4(x.contiguous(), axis=-1).view(torch.uint8))


# ----------------------------------------------------------------------------- UE8M0


def test_create_mxfp8_scale_every_exponent():
    x = torch.zeros(128, 128, dtype=torch.float8_e4m3fn)
    for exponent in range(-127, 129):
        s = H.create_mxfp8_scale(x, exponent)
        assert s.dtype == torch.uint8 and s.shape == (x.numel() // 32,)
        assert bool((s == exponent + 127).all())
        value = H.expand_block_scale(s, x, "MXFP8", output_dtype=torch.float64)
        assert bool((value == math.ldexp(1.0, exponent)).all())


def test_invert_mxfp8_scale_every_byte():
    b = torch.arange(256, dtype=torch.uint8)
    snapshot = b.clone()
    inv = H.invert_mxfp8_scale(b)
    assert torch.equal(b, snapshot)  # input untouched
    for e, i in zip(range(256), inv.tolist(), strict=True):
        if e <= 254:
            assert math.ldexp(1.0, e - 127) * math.ldexp(1.0, i - 127) == 1.0
        else:
            assert i == 0
    nd = random_bytes((4, 3, 5), np.random.default_rng(0), 1, 255)
    assert torch.equal(H.invert_mxfp8_scale(nd), 254 - nd)


# ----------------------------------------------------------------------------- layout


@pytest.mark.parametrize("outer,inner_blocks", [(128, 4), (256, 8), (100, 3), (129, 5), (1, 1), (300, 10)])
def test_layout_engine_matches_doc_and_brute_force(outer, inner_blocks):
    rng = np.random.default_rng(outer * 7 + inner_blocks)
    scales = rng.integers(1, 256, size=(outer, inner_blocks), dtype=np.uint8)
    flat = brute_force_layout(scales)
    assert flat.size == _scale_layout.scale_count(outer, inner_blocks)
    r, c = np.meshgrid(np.arange(outer), np.arange(inner_blocks), indexing="ij")
    offsets = _scale_layout.scale_offset(r, c, outer, inner_blocks)
    np.testing.assert_array_equal(offsets, doc_offset(r, c, outer, inner_blocks))
    np.testing.assert_array_equal(flat[offsets], scales)
    assert len(set(offsets.ravel().tolist())) == outer * inner_blocks  # no two scales share a byte


@pytest.mark.parametrize("fmt", ["NVFP4", "MXFP8"])
@pytest.mark.parametrize("axis", [-1, -2])
@pytest.mark.parametrize("outer,inner_blocks,batch", [(128, 4, ()), (256, 12, ()), (384, 8, (3,)), (128, 4, (2, 3))])
def test_to_block_scale_and_offsets_against_doc(fmt, axis, outer, inner_blocks, batch):
    rng = np.random.default_rng(outer + inner_blocks + len(batch))
    shape = operand_shape(batch, outer, inner_blocks, BLOCK[fmt], axis)
    sshape = scale_matrix_shape(batch, outer, inner_blocks, axis)
    scales = random_e4m3(sshape, rng) if fmt == "NVFP4" else random_bytes(sshape, rng)
    flat = H.to_block_scale(scales, shape, fmt, axis=axis)
    assert flat.shape == (scales.numel(),) and flat.dtype == scales.dtype
    flat_np, sc_np = flat.view(torch.uint8).numpy(), scales.view(torch.uint8).numpy()
    per_sample = outer * inner_blocks
    for b in range(math.prod(batch)):
        sample = sc_np.reshape(-1, *sshape[-2:])[b]
        mat = sample if axis == -1 else sample.T  # (outer, inner_blocks)
        np.testing.assert_array_equal(flat_np[b * per_sample : (b + 1) * per_sample], brute_force_layout(mat))
    # offsets of every block, as tensors and as ints
    idx = torch.meshgrid(*[torch.arange(e) for e in sshape], indexing="ij")
    off = H.get_block_scale_offset(idx, shape, fmt, axis=axis)
    assert torch.equal(flat[off].view(torch.uint8), scales.view(torch.uint8))
    rng_idx = [int(rng.integers(0, e)) for e in sshape]
    o = H.get_block_scale_offset(tuple(rng_idx), shape, fmt, axis=axis)
    outer_i = rng_idx[-2] if axis == -1 else rng_idx[-1]
    block_i = rng_idx[-1] if axis == -1 else rng_idx[-2]
    batch_i = int(np.ravel_multi_index(rng_idx[:-2], batch)) if batch else 0
    assert isinstance(o, int)
    assert o == batch_i * per_sample + doc_offset(outer_i, block_i, outer, inner_blocks)


def test_peer_documented_offsets_and_operand_inference():
    a = H.quantize_to_fp4(torch.ones(128, 128), axis=-1)  # logical (128, 128), NVFP4
    assert H.get_block_scale_offset((5, 2), a, H.BlockScalingFormat.NVFP4) == 82
    assert H.get_block_scale_offset((5, 5), a, "nvfp4") == 593
    assert H.get_block_scale_offset((5, 2), (128, 128), "NVFP4", axis=-1) == 82
    b = H.quantize_to_fp4(torch.ones(128, 256), axis=-2)  # logical (K=128, N=256), column-major
    assert H.get_block_scale_offset((2, 32), b, "NVFP4") == H.get_block_scale_offset(
        (2, 32), (128, 256), "NVFP4", axis=0
    )
    b8 = torch.ones(256, 256, dtype=torch.float8_e4m3fn).T
    assert H.get_block_scale_offset((0, 1), b8, "MXFP8") == doc_offset(1, 0, 256, 8)


@pytest.mark.parametrize("fmt", ["NVFP4", "MXFP8"])
@pytest.mark.parametrize("axis", [-1, -2])
def test_expand_block_scale_is_gather_by_offset(fmt, axis):
    rng = np.random.default_rng(5)
    batch, outer, inner_blocks, blk = (2,), 256, 8, BLOCK[fmt]
    shape = operand_shape(batch, outer, inner_blocks, blk, axis)
    flat = random_e4m3(math.prod(shape) // blk, rng) if fmt == "NVFP4" else random_bytes(math.prod(shape) // blk, rng)
    expanded = H.expand_block_scale(flat, shape, fmt, axis=axis)
    assert expanded.shape == shape and expanded.is_contiguous()
    assert expanded.dtype == (torch.float8_e4m3fn if fmt == "NVFP4" else torch.uint8)
    idx = [torch.arange(e) for e in shape]
    idx[axis] = idx[axis] // blk
    off = H.get_block_scale_offset(torch.meshgrid(*idx, indexing="ij"), shape, fmt, axis=axis)
    assert torch.equal(expanded.view(torch.uint8), flat.view(torch.uint8)[off])
    # and to_block_scale inverts it (one representative per block)
    sl = [slice(None)] * len(shape)
    sl[axis] = slice(None, None, blk)
    assert torch.equal(
        H.to_block_scale(expanded[tuple(sl)].contiguous(), shape, fmt, axis=axis).view(torch.uint8),
        flat.view(torch.uint8),
    )


def test_expand_block_scale_output_dtypes():
    rng = np.random.default_rng(6)
    shape = (128, 128)
    e4m3 = random_e4m3(128 * 8, rng)
    as_half = H.expand_block_scale(e4m3, shape, "NVFP4", axis=-1, output_dtype=torch.float16)
    assert as_half.dtype == torch.float16
    assert torch.equal(as_half.double(), H.expand_block_scale(e4m3.view(torch.uint8), shape, "NVFP4", axis=-1).double())
    ue = random_bytes(128 * 4, rng, 120, 135)
    f = H.expand_block_scale(ue, shape, "MXFP8", axis=-1, output_dtype="smallest")
    assert f.dtype == torch.uint8
    f16 = H.expand_block_scale(ue, shape, "MXFP8", axis=-1, output_dtype=torch.float16)
    ref = np.ldexp(1.0, H.expand_block_scale(ue, shape, "MXFP8", axis=-1).numpy().astype(np.int64) - 127)
    np.testing.assert_array_equal(f16.numpy().astype(np.float64), ref)
    extreme = torch.full((128 * 4,), 0, dtype=torch.uint8)  # 2**-127: float64 only
    with pytest.raises(ValueError, match="at least torch.float64"):
        H.expand_block_scale(extreme, shape, "MXFP8", axis=-1, output_dtype=torch.float32)


# ----------------------------------------------------------------------------- apply


@pytest.mark.parametrize("column_major", [False, True])
def test_apply_mxfp8_scale_against_float64(column_major):
    rng = np.random.default_rng(7)
    m, k = 256, 128
    x = torch.from_numpy(rng.standard_normal((m, k)).astype(np.float32) * 8).to(torch.float8_e4m3fn)
    if column_major:
        x = x.T.contiguous().T  # (m, k), blocked along columns
    exps = rng.integers(110, 145, size=(m, k // 32) if not column_major else (m // 32, k), dtype=np.uint8)
    flat = H.to_block_scale(torch.from_numpy(exps), x, "MXFP8")
    got = H.apply_mxfp8_scale(x, flat, output_dtype=torch.float64)
    rep = np.repeat(exps, 32, axis=1 if not column_major else 0).astype(np.int64)
    ref = x.to(torch.float64).numpy() * np.ldexp(1.0, rep - 127)
    np.testing.assert_array_equal(got.numpy(), ref)
    small = H.apply_mxfp8_scale(x, flat)
    assert small.dtype == torch.float32  # 2**-17 * tiny fp8 values fall below float16's normals
    np.testing.assert_array_equal(small.double().numpy(), ref)


def test_apply_mxfp8_scale_picks_float16_when_it_fits_and_refuses_narrow():
    x = torch.full((128, 128), 2.0).to(torch.float8_e4m3fn)
    one = H.create_mxfp8_scale(x, 0)
    assert H.apply_mxfp8_scale(x, one).dtype == torch.float16
    big = H.create_mxfp8_scale(x, 100)
    assert H.apply_mxfp8_scale(x, big).dtype == torch.float32
    with pytest.raises(ValueError, match="overflow or underflow"):
        H.apply_mxfp8_scale(x, big, output_dtype=torch.float16)


# ----------------------------------------------------------------------------- hypothesis


@settings(max_examples=40, deadline=None)
@given(
    fmt=st.sampled_from(["NVFP4", "MXFP8"]),
    axis=st.sampled_from([-1, -2]),
    tiles_outer=st.integers(1, 3),
    tiles_inner=st.integers(1, 3),
    batch=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 2**32 - 1),
)
def test_fuzz_round_trip_and_offsets(fmt, axis, tiles_outer, tiles_inner, batch, seed):
    rng = np.random.default_rng(seed)
    outer, inner = 128 * tiles_outer, 4 * tiles_inner
    shape = operand_shape(batch, outer, inner, BLOCK[fmt], axis)
    sshape = scale_matrix_shape(batch, outer, inner, axis)
    scales = random_bytes(sshape, rng)
    flat = H.to_block_scale(scales, shape, fmt, axis=axis)
    expanded = H.expand_block_scale(flat, shape, fmt, axis=axis, output_dtype="smallest").view(torch.uint8)
    sl = [slice(None)] * len(shape)
    sl[axis] = slice(None, None, BLOCK[fmt])
    assert torch.equal(expanded[tuple(sl)], scales)
    pick = tuple(int(rng.integers(0, e)) for e in sshape)
    assert flat[H.get_block_scale_offset(pick, shape, fmt, axis=axis)] == scales[pick]


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    axis=st.sampled_from([-1, -2]),
    scale=st.sampled_from([0.1, 1.0, 4.0, 100.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_fuzz_fp4_round_trip(shape, axis, scale, seed):
    if len(shape) == 1:
        axis = -1
    shape[axis] *= 2
    x = torch.from_numpy((np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32))
    packed = H.quantize_to_fp4(x, axis=axis)
    once = H.unpack_fp4(packed, axis=axis)
    ref = np.vectorize(e2m1_value, otypes=[np.float32])(fp4_reference_codes(x.numpy()))
    np.testing.assert_array_equal(once.numpy(), ref)
    twice = H.unpack_fp4(H.quantize_to_fp4(once, axis=axis), axis=axis)
    assert torch.equal(twice, once) and torch.equal(torch.signbit(twice), torch.signbit(once))


# ----------------------------------------------------------------------------- bad input


def test_bad_dtypes():
    with pytest.raises(ValueError, match="float32"):
        H.quantize_to_fp4(torch.ones(4, dtype=torch.float64), axis=-1)
    with pytest.raises(ValueError, match="float4_e2m1fn_x2"):
        H.unpack_fp4(torch.ones(4, dtype=torch.uint8), axis=-1)
    with pytest.raises(ValueError, match="uint8"):
        H.invert_mxfp8_scale(torch.ones(4, dtype=torch.int32))
    with pytest.raises(TypeError, match="torch.uint8"):
        H.to_block_scale(torch.ones(128, 4), (128, 128), "MXFP8", axis=-1)
    with pytest.raises(TypeError, match="float8_e4m3fn or torch.uint8"):
        H.expand_block_scale(torch.ones(128 * 8), (128, 128), "NVFP4", axis=-1)
    with pytest.raises(ValueError, match="does not fit an operand of dtype float4_e2m1fn_x2"):
        H.get_block_scale_offset((0, 0), torch.ones(128, 64, dtype=torch.uint8).view(FP4), "MXFP8")
    with pytest.raises(ValueError, match="does not fit an operand of dtype float8_e4m3fn"):
        H.get_block_scale_offset((0, 0), torch.ones(128, 128, dtype=torch.float8_e4m3fn), "NVFP4")
    x = torch.ones(128, 128, dtype=torch.float8_e4m3fn)
    for bad in (torch.float8_e4m3fn, "float16", torch.int8):
        with pytest.raises(TypeError, match="output_dtype"):
            H.apply_mxfp8_scale(x, H.create_mxfp8_scale(x, 0), output_dtype=bad)


def test_not_tensors():
    with pytest.raises(ValueError, match="torch.Tensor.*numpy"):
        H.create_mxfp8_scale(np.ones((128, 32)), 0)
    with pytest.raises(ValueError, match="torch.Tensor"):
        H.invert_mxfp8_scale(np.ones(4, dtype=np.uint8))
    with pytest.raises(TypeError, match="torch.Tensor"):
        H.quantize_to_fp4(np.ones(4, dtype=np.float32), axis=-1)
    with pytest.raises(TypeError, match="torch.Tensor"):
        H.to_block_scale(np.ones((128, 4), dtype=np.uint8), (128, 128), "MXFP8", axis=-1)
    with pytest.raises(TypeError, match="operand_or_shape"):
        H.get_block_scale_offset((0, 0), np.ones((128, 128)), "MXFP8")


def test_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="even"):
        H.quantize_to_fp4(torch.ones(3, 5), axis=-1)
    with pytest.raises(ValueError, match="even"):
        H.quantize_to_fp4(torch.ones(3, 4), axis=-2)
    with pytest.raises(ValueError, match="1-D tensor takes axis=-1"):
        H.quantize_to_fp4(torch.ones(4), axis=-2)
    with pytest.raises(ValueError, match="not a multiple of the MXFP8 block size 32"):
        H.create_mxfp8_scale(torch.ones(5, 7), 0)
    with pytest.raises(ValueError, match="multiple of 128"):
        H.get_block_scale_offset((0, 0), (100, 128), "NVFP4", axis=-1)
    with pytest.raises(ValueError, match="multiple of 64"):
        H.get_block_scale_offset((0, 0), (128, 48), "NVFP4", axis=-1)
    with pytest.raises(ValueError, match="multiple of 128"):
        H.to_block_scale(torch.ones(4, 129, dtype=torch.uint8), (128, 129), "MXFP8", axis=-2)
    with pytest.raises(ValueError, match="must have shape"):
        H.to_block_scale(torch.ones(128, 8, dtype=torch.uint8), (128, 128), "MXFP8", axis=-1)
    with pytest.raises(ValueError, match="512 elements"):
        H.expand_block_scale(torch.ones(100, dtype=torch.uint8), (128, 128), "MXFP8", axis=-1)
    with pytest.raises(ValueError, match="1-D"):
        H.expand_block_scale(torch.ones(128, 4, dtype=torch.uint8), (128, 128), "MXFP8", axis=-1)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        H.get_block_scale_offset((0,), (128,), "MXFP8", axis=-1)


def test_bad_axis_format_index_exponent():
    with pytest.raises(ValueError, match="axis.*required"):
        H.get_block_scale_offset((0, 0), (128, 128), "NVFP4")
    with pytest.raises(ValueError, match="does not match the row-major operand"):
        H.get_block_scale_offset((0, 0), torch.ones(128, 128, dtype=torch.float8_e4m3fn), "MXFP8", axis=-2)
    with pytest.raises(ValueError, match="axis=5"):
        H.get_block_scale_offset((0, 0), (128, 128), "NVFP4", axis=5)
    with pytest.raises(ValueError, match="axis=0"):
        H.quantize_to_fp4(torch.ones(4, 4), axis=0)
    with pytest.raises(ValueError, match="block_scaling_format='FP8'.*NVFP4"):
        H.get_block_scale_offset((0, 0), (128, 128), "FP8", axis=-1)
    with pytest.raises(ValueError, match="3 entries"):
        H.get_block_scale_offset((0, 0, 0), (128, 128), "NVFP4", axis=-1)
    with pytest.raises(IndexError, match=r"index\[1\]=8"):
        H.get_block_scale_offset((0, 8), (128, 128), "NVFP4", axis=-1)
    with pytest.raises(IndexError, match=r"index\[0\]=-1"):
        H.get_block_scale_offset((-1, 0), (128, 128), "NVFP4", axis=-1)
    x = torch.ones(128, 32, dtype=torch.float8_e4m3fn)
    for bad in (-128, 129, 1.5, True, "3"):
        with pytest.raises(ValueError, match="exponent"):
            H.create_mxfp8_scale(x, bad)
    with pytest.raises(ValueError, match="device='gpu'"):
        H.expand_block_scale(torch.ones(512, dtype=torch.uint8), (128, 128), "MXFP8", axis=-1, device="gpu")


def test_device_mismatch():
    x = torch.ones(128, 128, dtype=torch.float8_e4m3fn)
    scales_elsewhere = torch.empty(512, dtype=torch.uint8, device="meta")
    with pytest.raises(ValueError, match="same device"):
        H.apply_mxfp8_scale(x, scales_elsewhere)
    out_elsewhere = torch.empty(512, dtype=torch.uint8, device="meta")
    with pytest.raises(ValueError, match="same device"):
        H.to_block_scale(torch.ones(128, 4, dtype=torch.uint8), (128, 128), "MXFP8", axis=-1, out=out_elsewhere)


def test_out_checks_leave_out_untouched():
    s = torch.ones(128, 4, dtype=torch.uint8)
    for bad in (
        torch.zeros(511, dtype=torch.uint8),
        torch.zeros(512, dtype=torch.int8),
        torch.zeros(1024, dtype=torch.uint8)[::2],
        torch.zeros(2, 256, dtype=torch.uint8),
    ):
        before = bad.clone()
        with pytest.raises(ValueError, match="out"):
            H.to_block_scale(s, (128, 128), "MXFP8", axis=-1, out=bad)
        assert torch.equal(bad, before)
    out = torch.zeros(512, dtype=torch.uint8)
    assert H.to_block_scale(s * 3, (128, 128), "MXFP8", axis=-1, out=out) is out and bool((out == 3).all())


def test_deprecated_element_offset():
    shape = (256, 128)
    with pytest.warns(DeprecationWarning, match="get_block_scale_offset"):
        o = H.get_mxfp8_scale_offset(shape, (130, 70), axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert o == H.get_block_scale_offset((130, 70 // 32), shape, "MXFP8", axis=-1)


def test_public_names_and_light_import():
    assert set(H.__all__) == {
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
    }
    assert H.BlockScalingFormat("NVFP4") is H.BlockScalingFormat.NVFP4 and H.BlockScalingFormat.MXFP8 == "MXFP8"
    code = "import sys, nvmath.linalg.advanced.helpers.matmul\nprint('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ----------------------------------------------------------------------------- GPU: same bits


def assert_same_bits(cpu, gpu):
    assert gpu.is_cuda and gpu.shape == cpu.shape and gpu.dtype == cpu.dtype and gpu.stride() == cpu.stride()
    g = gpu.cpu()
    if cpu.dtype.itemsize == 1:
        assert torch.equal(g.view(torch.uint8), cpu.view(torch.uint8))
    else:
        assert torch.equal(g, cpu) or torch.equal(torch.nan_to_num(g), torch.nan_to_num(cpu))


@pytest.mark.gpu
@pytest.mark.parametrize("axis", [-1, -2])
def test_gpu_fp4_same_bits(axis):
    rng = np.random.default_rng(11)
    x = torch.from_numpy((rng.standard_normal((3, 64, 48)) * 3).astype(np.float32))
    x[0, 0, :8] = torch.tensor([0.25, 0.75, 1.75, 3.5, float("nan"), -float("inf"), -0.0, 7.0])
    packed = H.quantize_to_fp4(x, axis=axis)
    packed_gpu = H.quantize_to_fp4(x.cuda(), axis=axis)
    assert_same_bits(packed, packed_gpu)
    assert_same_bits(H.unpack_fp4(packed, axis=axis), H.unpack_fp4(packed_gpu, axis=axis))
    every = torch.arange(256, dtype=torch.uint8).view(FP4)
    assert_same_bits(H.unpack_fp4(every, axis=-1), H.unpack_fp4(every.cuda(), axis=-1))


@pytest.mark.gpu
@pytest.mark.parametrize("fmt", ["NVFP4", "MXFP8"])
@pytest.mark.parametrize("axis", [-1, -2])
def test_gpu_layout_same_bits(fmt, axis):
    rng = np.random.default_rng(12)
    batch, outer, inner = (2,), 256, 8
    shape = operand_shape(batch, outer, inner, BLOCK[fmt], axis)
    sshape = scale_matrix_shape(batch, outer, inner, axis)
    scales = random_e4m3(sshape, rng) if fmt == "NVFP4" else random_bytes(sshape, rng, 100, 150)
    flat = H.to_block_scale(scales, shape, fmt, axis=axis)
    flat_gpu = H.to_block_scale(scales.cuda(), shape, fmt, axis=axis)
    assert_same_bits(flat, flat_gpu)
    out = torch.empty_like(flat_gpu)
    assert H.to_block_scale(scales.cuda(), shape, fmt, axis=axis, out=out) is out
    assert_same_bits(flat, out)
    for od in ("smallest", torch.float32, torch.float64):
        assert_same_bits(
            H.expand_block_scale(flat, shape, fmt, axis=axis, output_dtype=od),
            H.expand_block_scale(flat_gpu, shape, fmt, axis=axis, output_dtype=od),
        )
    moved = H.expand_block_scale(flat, shape, fmt, axis=axis, device="cuda")
    assert_same_bits(H.expand_block_scale(flat, shape, fmt, axis=axis), moved)
    idx = [torch.arange(e) for e in sshape]
    off = H.get_block_scale_offset(torch.meshgrid(*idx, indexing="ij"), shape, fmt, axis=axis)
    idx_gpu = [i.cuda() for i in idx]
    off_gpu = H.get_block_scale_offset(torch.meshgrid(*idx_gpu, indexing="ij"), shape, fmt, axis=axis)
    assert off_gpu.is_cuda and torch.equal(off_gpu.cpu(), off)


@pytest.mark.gpu
def test_gpu_mxfp8_helpers_same_bits():
    rng = np.random.default_rng(13)
    x = torch.from_numpy((rng.standard_normal((256, 128)) * 8).astype(np.float32)).to(torch.float8_e4m3fn)
    x_gpu = x.cuda()
    assert_same_bits(H.create_mxfp8_scale(x, -3), H.create_mxfp8_scale(x_gpu, -3))
    stream = torch.cuda.Stream()
    on_stream = H.create_mxfp8_scale(x_gpu, 7, stream=stream)
    stream.synchronize()
    assert on_stream.is_cuda and bool((on_stream == 134).all())
    scales = random_bytes(x.numel() // 32, rng, 100, 150)
    assert_same_bits(H.invert_mxfp8_scale(scales), H.invert_mxfp8_scale(scales.cuda()))
    for od in ("smallest", torch.float32, torch.float64):
        assert_same_bits(H.apply_mxfp8_scale(x, scales, od), H.apply_mxfp8_scale(x_gpu, scales.cuda(), od))
    with pytest.raises(ValueError, match="same device"):
        H.apply_mxfp8_scale(x_gpu, scales)


@pytest.mark.parametrize("name", [n for n in H.__all__ if n != "BlockScalingFormat"])
def test_every_parameter_is_documented(name):
    function = getattr(H, name)
    doc = inspect.getdoc(function)
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc
    documented = doc.split("Parameters\n----------")[1].split("Returns\n-------")[0]
    for parameter in inspect.signature(function).parameters:
        assert any(line.split(" : ")[0] == parameter for line in documented.splitlines()), parameter
