"""A failed FFT.plan() leaves the previous plan in place and executable."""

import numpy as np
import pytest

from nvmath.fft import FFT
from nvmath.jit import CompileError
from tests.fft.cases import assert_close, random, reference


def double(data_out, offset, value, user_info, unused):
    data_out[offset] = value * 2


def broken(data_out, offset, value, user_info, unused):
    data_out[offset] = value * "not a number"  # does not compile


def scale(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 16]


@pytest.mark.parametrize(
    "bad_plan, error",
    [
        (dict(epilog=broken), CompileError),  # fails to compile
        (dict(epilog=dict(function=scale, data=np.ones(16, np.float16))), TypeError),  # refused user_info
        (dict(epilog=dict(function=scale)), ValueError),  # reads user_info, no data
        (dict(prolog=lambda data_in, offset: data_in[offset]), TypeError),  # wrong arity
        (dict(epilog=double, direction="sideways"), ValueError),
    ],
    ids=["compile", "dtype", "no-data", "arity", "direction"],
)
def test_cpu_failed_plan_keeps_the_previous_one(bad_plan, error):
    # Before: plan() destroyed the working plan first; execute() then said "call plan() first".
    x = random((4, 16), "complex64")
    want = reference(x, (1,), "C2C") * 2
    with FFT(x, axes=[1]) as f:
        f.plan(epilog=double)
        assert_close(f.execute(), want, "complex64")
        with pytest.raises(error):
            f.plan(**bad_plan)
        assert_close(f.execute(), want, "complex64")
        x2 = random((4, 16), "complex64")
        f.reset_operand(x2)
        assert_close(f.execute(), reference(x2, (1,), "C2C") * 2, "complex64")
        # And a later plan still replaces it.
        g = np.random.default_rng().standard_normal(16).astype(np.float32)
        f.plan(epilog=dict(function=scale, data=g))
        assert_close(f.execute(), reference(x2, (1,), "C2C") * g, "complex64")


def test_cpu_failed_first_plan_leaves_nothing_planned():
    with FFT(random((2, 8), "complex64"), axes=[1]) as f:
        with pytest.raises(CompileError):
            f.plan(epilog=broken)
        with pytest.raises(RuntimeError, match="before plan"):
            f.execute()


def test_cpu_failed_plan_with_prolog_and_epilog_keeps_both_old_callbacks():
    rng = np.random.default_rng()
    x = random((3, 16), "complex128", rng)
    w = rng.standard_normal(16)

    def window(data_in, offset, user_info, unused):
        return data_in[offset] * user_info[offset % 16]

    want = reference(x * w, (1,), "C2C") * 2
    with FFT(x, axes=[1]) as f:
        f.plan(prolog=dict(function=window, data=w), epilog=double)
        with pytest.raises(CompileError):
            f.plan(prolog=dict(function=window, data=w), epilog=broken)  # the prolog alone would plan
        assert_close(f.execute(), want, "complex128")


@pytest.mark.gpu
def test_gpu_failed_plan_keeps_the_previous_one():
    cp = pytest.importorskip("cupy")
    x = random((4, 16), "complex64")
    want = reference(x, (1,), "C2C") * 2
    with FFT(cp.asarray(x), axes=[1]) as f:
        f.plan(epilog=double)
        assert_close(cp.asnumpy(f.execute()), want, "complex64")
        with pytest.raises(CompileError):
            f.plan(epilog=broken)
        assert_close(cp.asnumpy(f.execute()), want, "complex64")  # the hot path
        assert_close(cp.asnumpy(f.execute(direction="forward")), want, "complex64")  # the general one
