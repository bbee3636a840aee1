"""Fuzzed keywords of the libmathdx-backed constructors (``FFT``, cuSOLVERDx's ``Solver``), without
a GPU: any combination either builds an object whose traits agree with what was asked, or is
refused with a ValueError or TypeError that names what was wrong in a line or two (never a
compiler's log or another exception type)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from nvmath.device import FFT, _cusolverdx_engine  # noqa: E402
from nvmath.device import cusolverdx as cs  # noqa: E402
from tests.libraries import needs  # noqa: E402

pytestmark = needs("libmathdx", mathdx.cufftdxGetVersion)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TARGETS = [(9, 0), (8, 0), "sm_90a", (10, 0), (12, 0)]


def _assert_clear(error: Exception, names, libraries):
    message = str(error)
    # A ValueError or TypeError (a library's refusal is also nvmath-python's type for it); a raw
    # binding error (MathDxError) or anything else is not a clear refusal.
    assert isinstance(error, (ValueError, TypeError)), repr(error)
    assert len(message) < 600, message
    assert ".hpp" not in message and "static_assert" not in message and "error:" not in message, message
    assert any(f"{n}{c}" in message for n in names for c in "=[: ") or any(
        message.startswith(f"{lib} does not support") for lib in libraries
    ), message


# ----------------------------------------------------------------------------- cuFFTDx

FFT_NAMES = (
    "size",
    "precision",
    "fft_type",
    "execution",
    "sm",
    "direction",
    "ffts_per_block",
    "elements_per_thread",
    "real_fft_options",
)


def _mostly(valid, invalid, weight=4):
    """One of ``valid`` (``weight`` times as likely as each of ``invalid``); None leaves it out."""
    return st.sampled_from(list(valid) * weight + list(invalid))


def _keywords(required: dict, optional: dict) -> dict:
    """``required`` as drawn (None included), with the ``optional`` ones drawn as None left out."""
    return {**required, **{k: v for k, v in optional.items() if v is not None}}


@st.composite
def fft_arguments(draw):
    sizes = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 7, 12, 100, 127, 243, 1000, 16384]
    return _keywords(
        dict(
            size=draw(_mostly(sizes, [0, 1, -2, 2.5, "64", True, None, np.int32(96)], 2)),
            precision=draw(_mostly([np.float16, np.float32, np.float64, "single", "double"], [np.complex64, "quad"])),
            fft_type=draw(_mostly(["c2c", "r2c", "c2r"], ["C2C"])),
            execution=draw(_mostly(["Block", "Block", "Thread"], ["block"])),
            sm=draw(st.sampled_from(TARGETS)),
        ),
        dict(
            direction=draw(_mostly([None, None, "forward", "inverse"], ["backward"])),
            ffts_per_block=draw(_mostly([None, None, None, 1, 2, 4, "suggested"], [3, 64, 0, -1, 1.5], 2)),
            elements_per_thread=draw(_mostly([None, None, None, 2, 4, 8, 16, "suggested"], [3, 32, 0], 2)),
            real_fft_options=draw(
                _mostly(
                    [None, None, {}, {"complex_layout": "packed"}, {"complex_layout": "full", "real_mode": "folded"}],
                    [{"complex_layout": "diagonal"}, {"layout": "packed"}, "packed"],
                    2,
                )
            ),
        ),
    )


@SETTINGS
@given(kwargs=fft_arguments())
def test_fft_keywords_build_a_consistent_fft_or_are_refused_clearly(kwargs):
    try:
        fft = FFT(**kwargs)
    except (ValueError, TypeError) as e:
        _assert_clear(e, FFT_NAMES, ("cuFFTDx",))
        event("refused")
        return
    event("built")
    assert fft.size == int(kwargs["size"]) >= 2
    assert fft.fft_type == kwargs["fft_type"] and fft.execution == kwargs["execution"]
    assert fft.direction == kwargs.get("direction", "inverse" if fft.fft_type == "c2r" else "forward")
    assert fft.storage_size >= fft.elements_per_thread >= 1
    if fft.execution == "Block":
        x, y, z = fft.block_dim
        assert 1 <= x * y * z <= 1024
        assert fft.ffts_per_block >= 1 and fft.shared_memory_size >= 0
        if isinstance(kwargs.get("elements_per_thread"), int):
            assert fft.elements_per_thread == kwargs["elements_per_thread"]
    else:
        assert fft.block_dim is None and fft.ffts_per_block is None


# ----------------------------------------------------------------------------- cuSOLVERDx

SOLVER_NAMES = (
    "function",
    "size",
    "precision",
    "execution",
    "sm",
    "arrangement",
    "transpose_mode",
    "side",
    "diag",
    "fill_mode",
    "batches_per_block",
    "data_type",
    "leading_dimensions",
    "block_dim",
    "job",
    "lda",
    "ldb",
)
FUNCTIONS = [
    "potrf",
    "potrs",
    "posv",
    "getrf_no_pivot",
    "getrs_no_pivot",
    "gesv_no_pivot",
    "getrf_partial_pivot",
    "getrs_partial_pivot",
    "gesv_partial_pivot",
    "geqrf",
    "unmqr",
    "ungqr",
    "gelqf",
    "unmlq",
    "unglq",
    "trsm",
    "gels",
    "gtsv_no_pivot",
    "heev",
    "gemm",
]


@st.composite
def solver_arguments(draw):
    dim = _mostly([1, 2, 4, 7, 8, 16, 17, 32, 33, 64], [0, -4, 300])
    size = draw(st.one_of(st.lists(dim, min_size=1, max_size=3).map(tuple), st.sampled_from([(), 8, "8x8", None])))
    return _keywords(
        dict(
            function=draw(_mostly(FUNCTIONS, ["gemm", "potri"], 1)),
            size=size,
            precision=draw(_mostly([np.float32, np.float64, "single", "double"], [np.float16])),
            execution=draw(_mostly(["Block"], ["Thread"])),
            sm=draw(st.sampled_from(TARGETS)),
        ),
        dict(
            arrangement=draw(
                _mostly([None, ("col_major",), ("row_major", "col_major")], [("row_major",) * 3, "col_major"], 2)
            ),
            transpose_mode=draw(_mostly([None, None, "non_transposed", "transposed", "conj_transposed"], ["t"])),
            side=draw(_mostly([None, "left", "right"], ["up"])),
            diag=draw(_mostly([None, "unit", "non_unit"], [1])),
            fill_mode=draw(_mostly([None, "lower", "upper"], ["both"])),
            batches_per_block=draw(_mostly([None, None, 1, 2, "suggested"], [0, -1, 1.5, True], 2)),
            data_type=draw(_mostly([None, "real", "complex"], ["quaternion"])),
            leading_dimensions=draw(_mostly([None, None, None, (64,), (64, 64)], [(1, 1), (8, 8, 8), 8, (-1, 8)], 2)),
            block_dim=draw(
                _mostly([None, None, None, "suggested", (32,), (64, 1, 1)], [(0,), (2048,), (1, 1, 1, 1)], 2)
            ),
            job=draw(_mostly([None, "no_vectors", "overwrite_vectors"], ["all"])),
        ),
    )


@SETTINGS
@given(kwargs=solver_arguments())
def test_solver_keywords_build_a_consistent_solver_or_are_refused_clearly(kwargs):
    try:
        solver = cs.Solver(**kwargs)
    except (ValueError, TypeError) as e:
        _assert_clear(e, SOLVER_NAMES, ("cuSOLVERDx",))
        event("refused")
        return
    event("built")
    assert solver.function == kwargs["function"]
    m, n, k = solver.size
    assert min(m, n, k) >= 1
    x, y, z = solver.block_dim
    assert 1 <= x * y * z <= 1024
    assert solver.batches_per_block >= 1 and solver.workspace_size >= 0
    given_ld = kwargs.get("leading_dimensions")
    if isinstance(given_ld, tuple):
        assert (solver.lda, solver.ldb)[: len(given_ld)] == given_ld
    # Each operand's leading dimension spans its extent in its arrangement.
    shapes = _cusolverdx_engine.operand_shapes(solver.function, solver.size, solver.side)
    for ld, operand, arrangement in zip((solver.lda, solver.ldb), "ab", solver.arrangement):
        if operand in shapes:
            rows, cols = shapes[operand]
            assert ld >= (rows if arrangement == "col_major" else cols) >= 1
