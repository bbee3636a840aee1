"""CPU callbacks after issue 17: the dense pass loop over one affine offset sequence, chunked
passes on several threads, operands read without a copy where no prolog needs one, and the
shortcuts of a stateless call. Results against NumPy on fresh random data, for every callback
form, layout and FFT type, with the passes cut into as many chunks as threads even for small
arrays (so that chunk boundaries fall inside rows, blocks and odd sizes).

(The file is named for the blocked execution that issue 17 evaluated and measured slower than
these passes; see ``nvmath.fft._cpu.execute_whole``.)"""

import contextlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvmath
from nvmath.fft import FFT, _cpu, _cpu_callbacks
from nvmath.fft.callbacks import CallbackSignatureError
from tests.fft.cases import assert_close, random, reference


@contextlib.contextmanager
def chunked():
    """Every pass cut into as many chunks as threads, whatever its size; records the chunk counts."""
    counts = []
    run = _cpu_callbacks._run_chunked

    def spy(cpass, size, threads, args, info, function=None):
        counts.append(max(1, min(threads or 1, size)))
        return run(cpass, size, threads, args, info, function)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_cpu_callbacks, "_MIN_CHUNK", 1)
        mp.setattr(_cpu_callbacks, "_run_chunked", spy)
        yield counts


def _offsets(shape, strides):
    """Each element's offset in a layout, as an array of ``shape``."""
    return sum(
        np.arange(n).reshape([-1 if a == i else 1 for a in range(len(shape))]) * s
        for i, (n, s) in enumerate(zip(shape, strides))
    )


def by_offset_in(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 7]


def by_offset_out(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 5]


def _run(x, axes, fft_type, threads, prolog, epilog, rng, options=None):
    """(result, want) of an FFT with offset-dependent callbacks (either may be off)."""
    w = rng.standard_normal(7)
    g = rng.standard_normal(5)
    options = {"fft_type": fft_type, **(options or {})}
    with FFT(x, axes=axes, options=options, execution=nvmath.fft.ExecutionCPU(num_threads=threads)) as f:
        in_shape, in_strides = f.get_input_layout()
        out_shape, out_strides = f.get_output_layout()
        f.plan(
            prolog=dict(function=by_offset_in, data=w) if prolog else None,
            epilog=dict(function=by_offset_out, data=g) if epilog else None,
        )
        got = f.execute()
    loaded = x * w[_offsets(in_shape, in_strides) % 7] if prolog else x
    want = reference(loaded, axes, fft_type, last_axis_parity=options.get("last_axis_parity", "even"))
    if epilog:
        want = want * g[_offsets(out_shape, out_strides) % 5]
    return got, want


def _precision(dtype):
    return "complex64" if np.dtype(dtype).name in ("complex64", "float32") else "complex128"


CASES = [
    # shape, axes, fft_type, dtype, threads
    ((37, 33), (1,), "C2C", "complex64", 2),  # odd sizes: chunk bounds inside rows
    ((37, 33), (1,), "C2C", "complex128", 3),
    ((40, 16), (0,), "C2C", "complex128", 2),  # batch axis last
    ((4, 6, 10), (0, 2), "C2C", "complex128", 3),  # the batch axis in the middle
    ((3, 5, 6, 4), (1, 3), "C2C", "complex64", 2),  # two batch axes
    ((8, 16), (0, 1), "C2C", "complex128", 4),  # no batch axis
    ((37, 33), (1,), "R2C", "float64", 2),
    ((21, 16), (1,), "R2C", "float32", 3),
    ((9, 5, 12), (1, 2), "R2C", "float64", 2),
    ((37, 17), (1,), "C2R", "complex128", 2),
    ((11, 4, 9), (1, 2), "C2R", "complex128", 3),
]


@pytest.mark.parametrize("shape, axes, fft_type, dtype, threads", CASES)
@pytest.mark.parametrize("prolog, epilog", [(True, False), (False, True), (True, True)])
def test_chunked_passes_match_numpy(shape, axes, fft_type, dtype, threads, prolog, epilog):
    rng = np.random.default_rng()
    x = random(shape, dtype, rng)
    with chunked() as counts:
        got, want = _run(x, axes, fft_type, threads, prolog, epilog, rng)
    assert counts and all(c == threads for c in counts), counts
    assert_close(got, want, _precision(dtype))


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[:, ::2],  # strided
        lambda a: a.transpose(1, 0, 2),  # permuted
        lambda a: a[::-1],  # negative stride (copied for the GPU layout)
        lambda a: np.asfortranarray(a),
        lambda a: a[1:, 2:, 1:],  # offset view
    ],
    ids=["strided", "permuted", "negative", "fortran", "offset"],
)
@pytest.mark.parametrize("axes", [(2,), (1,), (0, 2)])
@pytest.mark.parametrize("prolog", [True, False])
def test_strided_operands(make, axes, prolog):
    rng = np.random.default_rng()
    x = make(random((9, 14, 12), "complex128", rng))
    kept = x.copy()
    with chunked():
        got, want = _run(x, axes, "C2C", 3, prolog, True, rng)
    assert_close(got, want, "complex128")
    np.testing.assert_array_equal(x, kept)  # read in place where no prolog needs a copy, never written


def test_c2r_odd_parity():
    rng = np.random.default_rng()
    x = random((13, 9), "complex128", rng)
    with chunked():
        got, want = _run(x, (1,), "C2R", 2, True, True, rng, options={"last_axis_parity": "odd"})
    assert got.shape == (13, 17)
    assert_close(got, want, "float64")


@pytest.mark.parametrize("threads", [1, 2])
def test_c2r_with_epilog_leaves_the_operand_alone(threads):
    # Without a prolog the CPU path gives scipy.fft the operand itself (no copy): it must stay intact.
    rng = np.random.default_rng()
    y = random((16, 9), "complex128", rng)
    kept = y.copy()
    g = rng.standard_normal(5)
    with chunked():
        got = nvmath.fft.irfft(
            y,
            axes=[1],
            epilog=dict(function=by_offset_out, data=g),
            execution=nvmath.fft.ExecutionCPU(num_threads=threads),
        )
    np.testing.assert_array_equal(y, kept)
    want = reference(kept, (1,), "C2R")
    assert_close(got, want * g[_offsets(want.shape, (want.shape[1], 1)) % 5], "float64")


@pytest.mark.parametrize("direction", ["forward", "inverse"])
def test_both_directions(direction):
    rng = np.random.default_rng()
    x = random((24, 20), "complex64", rng)
    g = rng.standard_normal(20).astype(np.float32)

    def column_gain(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 20]

    with chunked(), FFT(x, axes=[1], execution=nvmath.fft.ExecutionCPU(num_threads=2)) as f:
        f.plan(epilog=dict(function=column_gain, data=g))
        got = f.execute(direction=direction)
    assert_close(got, reference(x, (1,), "C2C", direction) * g, "complex64")


def test_dense_pass_at_a_base_offset():
    # The dense loop counts from (base + start): a pass over a block that starts inside the data.
    rng = np.random.default_rng()
    y = random((6, 32), "complex128", rng)
    out = np.zeros(y.size + 40, np.complex128)
    g = rng.standard_normal(5)
    cpass = _cpu_callbacks.get_pass("epilog", by_offset_out, "complex128", g.dtype)
    with chunked():
        _cpu_callbacks.epilog_pass(cpass, y, out.ctypes.data, (32, 1), 40, g, 3)
    offsets = 40 + np.arange(y.size)
    np.testing.assert_allclose(out[40:], y.ravel() * g[offsets % 5], rtol=1e-15)
    assert not out[:40].any()


def test_record_user_info():
    rng = np.random.default_rng()
    params = np.zeros(6, np.dtype([("gain", np.float64), ("bias", np.float64)], align=True))
    params["gain"] = rng.standard_normal(6)
    params["bias"] = rng.standard_normal(6)

    def affine(data_out, offset, value, user_info, unused):
        p = user_info[offset % 6]
        data_out[offset] = value * p.gain + p.bias

    x = random((10, 6), "complex128", rng)
    with chunked():
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=affine, data=params))
    want = reference(x, (1,), "C2C") * params["gain"] + params["bias"]
    assert_close(got, want, "complex128")


def test_epilog_writes_reach_the_users_array():
    # A C-contiguous NumPy user_info is used as given (no copy): the callback's writes reach it.
    rng = np.random.default_rng()
    x = random((12, 8), "complex128", rng)
    seen = np.zeros(x.size)

    def record_abs(data_out, offset, value, user_info, unused):
        user_info[offset] = abs(value)
        data_out[offset] = value

    with chunked():
        got = nvmath.fft.fft(
            x, axes=[1], epilog=dict(function=record_abs, data=seen), execution=nvmath.fft.ExecutionCPU(num_threads=3)
        )
    want = reference(x, (1,), "C2C")
    assert_close(got, want, "complex128")
    np.testing.assert_allclose(seen, np.abs(want).ravel(), rtol=1e-12)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_out_of_bounds_user_info_names_the_first_bad_index(threads):
    x = random((16, 10), "complex128")
    info = np.ones(95)  # offsets 95..159 are outside: the first bad one is 95

    def by_offset(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset]

    with chunked(), pytest.raises(IndexError, match=r"user_info\[95\], outside the 95 elements"):
        nvmath.fft.fft(
            x,
            axes=[1],
            epilog=dict(function=by_offset, data=info),
            execution=nvmath.fft.ExecutionCPU(num_threads=threads),
        )


def test_prolog_error_reported_before_the_epilog_runs():
    x = random((8, 4), "complex128")

    def read_far(data_in, offset, user_info, unused):
        return data_in[offset] * user_info[offset + 100]

    def write_far(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset + 200]

    small = np.ones(3)
    with chunked(), pytest.raises(IndexError, match=r"prolog .*user_info\[100\]"):
        nvmath.fft.fft(
            x, axes=[1], prolog=dict(function=read_far, data=small), epilog=dict(function=write_far, data=small)
        )


def test_signature_check_remembered_only_for_correct_signatures():
    x = random((4, 8), "complex128")

    def good(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    def bad(data_out, offset, value, user_info):
        data_out[offset] = value

    for _ in range(2):  # a wrong signature raises every time
        with pytest.raises(CallbackSignatureError, match="must take exactly 5"):
            nvmath.fft.fft(x, axes=[1], epilog=bad)
        assert_close(nvmath.fft.fft(x, axes=[1], epilog=good), reference(x, (1,), "C2C"), "complex128")
    assert ("epilog", good.__code__) in _cpu._signatures_checked
    assert ("epilog", bad.__code__) not in _cpu._signatures_checked


def test_non_contiguous_user_info_is_still_copied(caplog):
    rng = np.random.default_rng()
    x = random((4, 5), "complex128", rng)
    g = rng.standard_normal(10)[::2]  # strided: copied, with a warning
    with caplog.at_level("WARNING", logger="nvmath"):
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=by_offset_out, data=g))
    assert "epilog.data is copied" in caplog.text
    assert_close(got, reference(x, (1,), "C2C") * g[np.arange(x.size).reshape(4, 5) % 5], "complex128")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dims=st.lists(st.integers(1, 9), min_size=2, max_size=3),
    fft_type=st.sampled_from(["C2C", "R2C", "C2R"]),
    double=st.booleans(),
    threads=st.integers(1, 3),
    which=st.sampled_from([(True, False), (False, True), (True, True)]),
    data=st.data(),
)
def test_fuzz_against_numpy(dims, fft_type, double, threads, which, data):
    ndim = len(dims)
    axes = sorted(data.draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim - 1)))
    permuted = data.draw(st.booleans())
    if permuted:  # a view with axis 0 moved last: the transform's axis i is the array's axis i + 1
        axes = sorted((a - 1) % ndim for a in axes)
    # C2R needs two elements on its last axis (even parity): in the array as transformed
    last = (axes[-1] + 1) % ndim if permuted else axes[-1]
    if fft_type == "C2R" and dims[last] < 2:
        dims[last] = 2
    if fft_type == "R2C":
        dtype = "float64" if double else "float32"
    else:
        dtype = "complex128" if double else "complex64"
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = random(tuple(dims), dtype, rng)
    if permuted:
        x = np.moveaxis(x, 0, -1)
    with chunked():
        got, want = _run(x, axes, fft_type, threads, *which, rng)
    assert_close(got, want, _precision(dtype))


@pytest.mark.parametrize("row_length", [32, 7, 1000])
@pytest.mark.parametrize("threads", [1, 3])
def test_row_by_row_passes_give_the_flat_passes_results(row_length, threads):
    # A pass compiled with a row length loops row by row over chunks of whole rows; chunks that
    # are not (a row longer than a chunk, or than the data) take the flat loop. Same results.
    rng = np.random.default_rng()
    y = random((64, 32), "complex128", rng)
    g = rng.standard_normal(5)
    w = rng.standard_normal(7)
    offsets = np.arange(y.size)
    for row in (None, row_length):
        epilog = _cpu_callbacks.get_pass("epilog", by_offset_out, "complex128", g.dtype, row_length=row)
        prolog = _cpu_callbacks.get_pass("prolog", by_offset_in, "complex128", w.dtype, row_length=row)
        assert epilog.row_length == row and prolog.row_length == row
        out = np.zeros_like(y)
        loaded = np.zeros_like(y)
        with chunked():
            _cpu_callbacks.epilog_pass(epilog, y, out.ctypes.data, (32, 1), 0, g, threads)
            _cpu_callbacks.prolog_pass(prolog, y.ctypes.data, y.shape, (32, 1), 0, w, loaded, threads)
        np.testing.assert_allclose(out.ravel(), y.ravel() * g[offsets % 5], rtol=1e-15)
        np.testing.assert_allclose(loaded.ravel(), y.ravel() * w[offsets % 7], rtol=1e-15)


@pytest.mark.parametrize("row_length", [32, 7, 1000])
@pytest.mark.parametrize("threads", [1, 3])
def test_in_place_row_passes_give_the_flat_passes_results(row_length, threads):
    # In place (the epilog's values are the array it writes), whole-row chunks read each value
    # through the pointer the callback stores to (no copy): each element still sees its own
    # value, and an index outside user_info is still flagged and named.
    rng = np.random.default_rng()
    y = random((64, 32), "complex64", rng)
    g = rng.standard_normal(5).astype(np.float32)
    offsets = np.arange(y.size)
    want = y.ravel() * g[offsets % 5]
    for row in (None, row_length):
        epilog = _cpu_callbacks.get_pass("epilog", by_offset_out, "complex64", g.dtype, row_length=row)
        inplace = y.copy()
        with chunked():
            _cpu_callbacks.epilog_pass(epilog, inplace, inplace.ctypes.data, (32, 1), 0, g, threads)
        np.testing.assert_allclose(inplace.ravel(), want, rtol=1e-6)
    short = g[:4]  # offset % 5 == 4 is outside
    epilog = _cpu_callbacks.get_pass("epilog", by_offset_out, "complex64", g.dtype, row_length=row_length)
    inplace = y.copy()
    with chunked(), pytest.raises(IndexError, match=r"outside the 4 elements"):
        _cpu_callbacks.epilog_pass(epilog, inplace, inplace.ctypes.data, (32, 1), 0, short, threads, by_offset_out)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_flagging_pass_names_the_bad_index_through_the_recording_pass(threads):
    # The pass that runs only flags an index outside user_info (so that it vectorizes); given
    # the callback, the chunk runs again through the pass that records the index.
    y = random((64, 8), "complex64", np.random.default_rng())
    g = np.ones(5, np.float32)

    def past_the_end(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 8]

    cpass = _cpu_callbacks.get_pass("epilog", past_the_end, "complex64", g.dtype, row_length=8)
    assert not cpass.records
    recording = _cpu_callbacks.get_pass("epilog", past_the_end, "complex64", g.dtype, row_length=8, record=True)
    assert recording.records and recording is not cpass
    out = np.zeros_like(y)
    with chunked(), pytest.raises(IndexError, match=r"user_info\[5\], outside the 5 elements"):
        _cpu_callbacks.epilog_pass(cpass, y, out.ctypes.data, (8, 1), 0, g, threads, past_the_end)
    with chunked(), pytest.raises(IndexError, match=r"user_info at an index, outside the 5 elements"):
        _cpu_callbacks.epilog_pass(cpass, y, out.ctypes.data, (8, 1), 0, g, threads)  # no function: no index
    with chunked(), pytest.raises(IndexError, match=r"user_info\[5\]"):
        _cpu_callbacks.epilog_pass(recording, y, out.ctypes.data, (8, 1), 0, g, threads)
    # In bounds the passes agree with NumPy, reads of zeros never needed.
    ok = np.arange(8, dtype=np.float32) + 1
    for p in (cpass, recording):
        _cpu_callbacks.epilog_pass(p, y, out.ctypes.data, (8, 1), 0, ok, threads)
        np.testing.assert_allclose(out, y * ok, rtol=1e-6)


def test_the_pass_trial_touches_nothing_of_the_callers_and_logs_its_choice(caplog):
    import logging

    rng = np.random.default_rng()
    seen = rng.standard_normal(16 * 12)
    kept = seen.copy()

    def record_abs(data_out, offset, value, user_info, unused):  # writes user_info too
        user_info[offset] = abs(value) + 1.0
        data_out[offset] = value

    flat = _cpu_callbacks.get_pass("epilog", record_abs, "complex128", seen.dtype, record=True)
    rows = _cpu_callbacks.get_pass("epilog", record_abs, "complex128", seen.dtype, row_length=12)
    with caplog.at_level(logging.INFO, logger="nvmath"):
        chosen = _cpu_callbacks.faster_pass([rows, flat], (16, 12), seen, logging.getLogger("nvmath"))
    assert chosen is rows or chosen is flat
    np.testing.assert_array_equal(seen, kept)  # the trial wrote a copy
    assert any("trial on 16 rows of 12" in r.getMessage() for r in caplog.records)
    # The plan's pass, whichever won, gives NumPy's results and fills user_info once.
    x = random((16, 12), "complex128", rng)
    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=record_abs, data=seen))
    want = reference(x, (1,), "C2C")
    assert_close(got, want, "complex128")
    np.testing.assert_allclose(seen, np.abs(want).ravel() + 1.0, rtol=1e-12)


def test_stateless_calls_share_one_default_options_object_and_leave_it_as_it_was():
    import dataclasses
    import sys

    fft_module = sys.modules["nvmath.fft.fft"]
    rng = np.random.default_rng()
    nvmath.fft.fft(random((4, 8), "complex64", rng), axes=[1])
    defaults = fft_module._defaults()
    before = dataclasses.asdict(defaults)
    nvmath.fft.rfft(rng.standard_normal((4, 8)), axes=[1])  # sets fft_type on a copy
    nvmath.fft.irfft(random((4, 5), "complex128", rng), axes=[1])
    nvmath.fft.fft(random((4, 8), "complex64", rng), axes=[1])
    assert fft_module._defaults() is defaults and dataclasses.asdict(defaults) == before
    assert defaults.fft_type is None


@pytest.mark.parametrize("shape", [(4, 16), (600, 512)])  # the second is larger than a trial
def test_the_pass_trial_gives_callbacks_arrays_of_the_real_size(shape):
    # The trial runs the first rows only, but a callback may address any element of the real
    # arrays (here it stores the result reversed): the scratch arrays must be that large.
    rng = np.random.default_rng()
    x = random(shape, "complex64", rng)
    n = x.size
    unit = np.ones(1, np.float32)

    def reversed_store(data_out, offset, value, user_info, unused):
        data_out[n - 1 - offset] = value * user_info[0]

    def mirrored_load(data_in, offset, user_info, unused):
        return data_in[n - 1 - offset] * user_info[0]

    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=reversed_store, data=unit))
    want = reference(x, (1,), "C2C")
    np.testing.assert_allclose(got.ravel()[::-1], want.ravel(), rtol=1e-4, atol=1e-4 * np.abs(want).max())
    got = nvmath.fft.fft(x, axes=[1], prolog=dict(function=mirrored_load, data=unit))
    want = reference(x.ravel()[::-1].reshape(shape), (1,), "C2C")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_a_large_user_info_skips_the_trial(monkeypatch, caplog):
    import logging

    monkeypatch.setattr(_cpu_callbacks, "_TRIAL_MAX_INFO_BYTES", 16)
    w = np.ones(64, np.float32)  # 256 bytes

    def column_gain(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 64]

    x = random((8, 64), "complex64", np.random.default_rng())
    with caplog.at_level(logging.INFO, logger="nvmath"):
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=column_gain, data=w))
    assert_close(got, reference(x, (1,), "C2C"), "complex64")
    assert any("untried" in r.getMessage() for r in caplog.records)


def _own(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4]


def _branches(data_out, offset, value, user_info, unused):
    if offset > 3:
        data_out[offset] = value
    else:
        data_out[offset] = 2 * value + data_out[offset]


def _elsewhere(data_out, offset, value, user_info, unused):
    data_out[100 - offset] = value


def _through_a_local(data_out, offset, value, user_info, unused):
    o = offset + 1
    data_out[o] = value


def _offset_changed(data_out, offset, value, user_info, unused):
    offset = offset + 1
    data_out[offset] = value


def _aliased(data_out, offset, value, user_info, unused):
    x = data_out
    x[offset] = value


@pytest.mark.parametrize(
    "func, own",
    [
        (_own, True),
        (_branches, True),
        (_elsewhere, False),
        (_through_a_local, False),
        (_offset_changed, False),
        (_aliased, False),
    ],
)
def test_stores_only_at_offset_reads_the_bytecode_conservatively(func, own):
    from nvmath.fft.callbacks import stores_only_at_offset

    assert stores_only_at_offset(func) is own
