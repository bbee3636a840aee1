"""Property-based tests of nvmath.linalg.advanced.matmul against numpy.matmul in float64.

Random M, N, K (1 included), vectors, batch shapes that broadcast, row-major, column-major,
transposed, strided and reversed operands, every dtype the CPU path takes, and optional
alpha, beta and c (batch-broadcast too). Valid problems must match; nothing may raise.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvmath.linalg.advanced import Matmul, matmul

TOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}
DTYPES = sorted(TOL)
# alpha and beta: 0 or of a size every scale type holds (tiny values underflow in fp16/fp32).
SCALARS = st.floats(-2, 2).filter(lambda v: v == 0 or abs(v) > 1e-3)
FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _values(shape, dtype, rng):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


@st.composite
def operands(draw, shape, dtype, rng):
    """Fresh random data of ``shape`` in a random layout."""
    layout = draw(st.sampled_from(["C", "F", "transposed", "strided", "reversed"] if len(shape) >= 2 else ["C", "strided", "reversed"]))  # fmt: skip
    x = _values(shape, dtype, rng)
    if not shape:
        return np.asarray(x)  # a 0-d c (vector @ vector)
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "transposed":  # the matrix axes swapped in memory (each matrix column-major)
        return np.ascontiguousarray(np.swapaxes(x, -1, -2)).swapaxes(-1, -2)
    if layout == "strided":
        big = np.zeros(tuple(2 * n for n in shape), dtype)
        view = big[tuple(slice(None, None, 2) for _ in shape)]
        view[...] = x
        return view
    if layout == "reversed":
        flip = tuple(slice(None, None, -1) for _ in shape)
        return np.ascontiguousarray(x[flip])[flip]
    return x


@st.composite
def problems(draw, dtypes=tuple(DTYPES), min_size=1):
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m, n, k = (draw(st.integers(min_size, 6)) for _ in range(3))
    batch = draw(st.lists(st.integers(1, 3), max_size=2))

    def batch_of_operand():
        # A suffix of the batch, some extents 1: NumPy broadcasting.
        own = batch[draw(st.integers(0, len(batch))) :]
        return [1 if draw(st.booleans()) else e for e in own]

    a_shape = (k,) if draw(st.integers(0, 9)) == 0 else (*batch_of_operand(), m, k)
    b_shape = (k,) if draw(st.integers(0, 9)) == 0 else (*batch_of_operand(), k, n)
    a = draw(operands(a_shape, dtype, rng))
    b = draw(operands(b_shape, dtype, rng))
    result_shape = np.matmul(np.zeros(a_shape), np.zeros(b_shape)).shape
    kwargs = {}
    if draw(st.booleans()):
        alpha = draw(SCALARS)
        if np.dtype(dtype).kind == "c" and draw(st.booleans()):
            alpha = complex(alpha, draw(SCALARS))
        kwargs["alpha"] = alpha
    if draw(st.booleans()):
        inner = result_shape[len(result_shape) - (2 - (a.ndim == 1) - (b.ndim == 1)) :]
        batch_part = result_shape[: len(result_shape) - len(inner)]
        c_batch = batch_part[draw(st.integers(0, len(batch_part))) :]
        kwargs["c"] = draw(operands((*c_batch, *inner), dtype, rng))
        if draw(st.booleans()):
            kwargs["beta"] = draw(SCALARS)
    return a, b, kwargs


def _reference(a, b, kwargs):
    wide = np.complex128 if np.iscomplexobj(a) else np.float64
    d = kwargs.get("alpha", 1.0) * np.matmul(a.astype(wide), b.astype(wide))
    if "c" in kwargs:
        d = d + kwargs.get("beta", 1.0) * kwargs["c"].astype(wide)
    return d


def _check(result, a, b, kwargs):
    want = _reference(a, b, kwargs)
    got = np.asarray(result)
    assert got.shape == want.shape and got.dtype == a.dtype
    got = got.astype(want.dtype)
    err = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300)
    assert err <= TOL[a.dtype.name], f"relative L2 error {err:.3e} > {TOL[a.dtype.name]}"


@settings(max_examples=100, **FUZZ)
@given(problems())
def test_random_matmuls_match_numpy_on_the_cpu(problem):
    a, b, kwargs = problem
    before = [x.copy() for x in (a, b, kwargs.get("c")) if x is not None]
    _check(matmul(a, b, **kwargs), a, b, kwargs)
    # The operands are left as they were.
    for x, y in zip([x for x in (a, b, kwargs.get("c")) if x is not None], before):
        np.testing.assert_array_equal(x, y)


def _same_layout(x, values):
    """A new array with ``x``'s shape, dtype and strides (any signs), holding ``values``."""
    itemsize = x.itemsize
    low = sum(min(0, (n - 1) * s) for n, s in zip(x.shape, x.strides)) // itemsize
    high = sum(max(0, (n - 1) * s) for n, s in zip(x.shape, x.strides)) // itemsize
    base = np.empty(high - low + 1, x.dtype)
    y = np.lib.stride_tricks.as_strided(base[-low:], shape=x.shape, strides=x.strides)
    y[...] = values
    return y


@settings(max_examples=30, **FUZZ)
@given(problems(dtypes=("float64", "complex128")), st.integers(0, 2**32 - 1))
def test_stateful_reset_operands_match_numpy(problem, seed):
    a, b, kwargs = problem
    rng = np.random.default_rng(seed)
    with Matmul(a, b, **kwargs) as mm:
        mm.plan()
        _check(mm.execute(), a, b, kwargs)
        a2 = _same_layout(a, _values(a.shape, a.dtype, rng))
        b2 = _same_layout(b, _values(b.shape, b.dtype, rng))
        mm.reset_operands(a=a2, b=b2)
        _check(mm.execute(), a2, b2, kwargs)


def _batch_of(x, matrix_axes):
    return tuple(x.shape[: max(x.ndim - matrix_axes, 0)])


def _partly_broadcast(a, b, kwargs):
    """Whether an operand's batch broadcasts along some batch axes but not all: cuBLASLt takes
    one stride across the batch, and the GPU path refuses it (a documented ValueError)."""
    c = kwargs.get("c")
    inner_c = 2 - (a.ndim == 1) - (b.ndim == 1)
    batches = [_batch_of(a, 2), _batch_of(b, 2)] + ([_batch_of(c, inner_c)] if c is not None else [])
    full = np.broadcast_shapes(*batches)
    for own in batches:
        own = (1,) * (len(full) - len(own)) + own
        if any(e > 1 for e in own) and any(e == 1 and t > 1 for e, t in zip(own, full)):
            return True
    return False


@pytest.mark.gpu
@settings(max_examples=60, **FUZZ)
@given(problems())
def test_random_matmuls_match_numpy_on_the_gpu(problem):
    a, b, kwargs = problem
    if _partly_broadcast(a, b, kwargs):
        with pytest.raises(ValueError, match="broadcasts against the batch .* along some axes only"):
            matmul(a, b, **kwargs, execution="cuda")
        return
    _check(matmul(a, b, **kwargs, execution="cuda"), a, b, kwargs)
