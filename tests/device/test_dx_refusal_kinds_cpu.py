"""What the device APIs raise for a description the library refuses: a ValueError here, and
also what nvmath-python raises for it (its ``LibMathDxError`` for cuBLASDx and cuFFTDx, a
``RuntimeError`` for cuSOLVERDx), so that code written for either catches it."""

import pickle

import numpy as np
import pytest

from nvmath.bindings.mathdx import LibMathDxError

pytest.importorskip("numba")

SM = 90


def _libmathdx():
    try:
        from nvmath.bindings import mathdx

        mathdx.cufftdxGetVersion()
    except Exception as e:
        pytest.skip(f"libmathdx is not available: {e}")


def test_a_gemm_cublasdx_refuses_is_a_libmathdx_error_too():
    _libmathdx()
    from nvmath.device import Matmul

    with pytest.raises(ValueError, match="cuBLASDx does not support this GEMM") as info:
        Matmul(
            size=(16, 32, 8),
            precision=np.float32,
            data_type="real",
            arrangement=("col_major", "row_major", "col_major"),
            leading_dimension=(20, 16, 16),  # B is 8 x 32 row-major: ldb must be at least 32
            sm=SM,
        )
    assert isinstance(info.value, LibMathDxError) and int(info.value.status) != 0
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is type(info.value) and str(again) == str(info.value)


def test_an_fft_cufftdx_refuses_is_a_libmathdx_error_too():
    _libmathdx()
    from nvmath.device import FFT

    with pytest.raises(LibMathDxError, match="cuFFTDx does not support this FFT") as info:
        FFT(
            size=2,
            precision=np.float32,
            fft_type="c2c",
            execution="Block",
            direction="inverse",
            ffts_per_block=3,
            elements_per_thread=4,
            sm=SM,
        )
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "make",
    [
        lambda cs: cs.LUSolver(
            size=(16, 16), precision=np.float64, execution="Block", leading_dimensions=(15, 16), sm=SM
        ),
        lambda cs: cs.CholeskySolver(size=(16, 32), precision=np.float32, execution="Block", fill_mode="lower", sm=SM),
        lambda cs: cs.LeastSquaresSolver(
            size=(16, 16), precision=np.float64, execution="Block", transpose_mode="conj_transposed", sm=SM
        ),
    ],
    ids=["lda-too-small", "cholesky-not-square", "conj-transposed-real"],
)
def test_a_solver_cusolverdx_refuses_is_a_runtime_error_too(make):
    _libmathdx()
    from nvmath.device import cusolverdx as cs

    with pytest.raises(RuntimeError) as info:
        make(cs)
    assert isinstance(info.value, ValueError)
