"""The fused cuFFTDx kernel behind nvmath.fft.FFT on the GPU, against NumPy: prolog,
epilog, both, user_info, strided and padded rows, in place, both directions; R2C and C2R
with every callback form; rows of another element stride than 1 (over axis 0, non-contiguous
views); the automatic choice (logged and recorded) and both forced choices.

References are computed in float64 from the same (rounded) inputs; a callback's ``offset`` is
applied through the plan's own layouts (``get_input_layout``/``get_output_layout``), as cuFFT
defines it."""

import json
import logging

import numpy as np
import pytest

pytestmark = pytest.mark.gpu

cp = pytest.importorskip("cupy")
mathdx = pytest.importorskip("nvmath.bindings.mathdx")

import nvmath  # noqa: E402
from nvmath.fft import _fused_select  # noqa: E402


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.complex128), np.asarray(b, dtype=np.complex128)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


_TOL = {"complex64": 1e-5, "complex128": 1e-12}


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def twice(data_in, offset, user_info, unused):
    return data_in[offset] * 2.0


def times_row_weight(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset // 512]


def conj_store(data_out, offset, value, user_info, unused):
    data_out[offset] = value.conjugate()


@pytest.fixture(autouse=True)
def fresh_choices(monkeypatch, tmp_path):
    # Each test chooses afresh, with its own record file.
    monkeypatch.setattr(_fused_select, "_choices", {})
    monkeypatch.setattr(_fused_select, "record_path", lambda: str(tmp_path / "choices.json"))


def _plan(x, mode, **plan):
    f = nvmath.fft.FFT(x, axes=[-1], options={"fused_kernel": mode})
    f.plan(**plan)
    return f


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("mode", ["cufftdx", "cufft", "auto"])
def test_epilog_with_user_info(dtype, mode):
    x = _data((64, 4096), dtype)
    w = _data(4096, dtype, seed=1)
    with _plan(cp.asarray(x), mode, epilog={"function": scale_by_column, "data": cp.asarray(w)}) as f:
        assert (f._backend._fused is not None) == (mode == "cufftdx") or mode == "auto"
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.fft.fft(x, axis=-1) * w) < _TOL[dtype]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_prolog_forward_and_inverse(dtype):
    x = _data((32, 1024), dtype)
    with _plan(cp.asarray(x), "cufftdx", prolog=twice) as f:
        assert f._backend._fused is not None and f._backend.handle is None
        fwd = cp.asnumpy(f.execute())
        inv = cp.asnumpy(f.execute(direction="inverse"))  # the other direction, built when first needed
    assert _rel(fwd, np.fft.fft(2 * x, axis=-1)) < _TOL[dtype]
    assert _rel(inv, np.fft.ifft(2 * x, axis=-1) * 1024) < _TOL[dtype]


def test_prolog_and_epilog_with_two_user_infos():
    x = _data((8, 512), "complex64")
    rows = np.linspace(0.5, 2.0, 8).astype(np.float32)
    with _plan(
        cp.asarray(x), "cufftdx", prolog={"function": times_row_weight, "data": cp.asarray(rows)}, epilog=conj_store
    ) as f:
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.conj(np.fft.fft(x * rows[:, None], axis=-1))) < 1e-5


def test_no_callbacks_and_a_partial_last_block():
    # 7 rows: blocks of several FFTs leave some threads without a row.
    x = _data((7, 256), "complex64")
    with _plan(cp.asarray(x), "cufftdx") as f:
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.fft.fft(x, axis=-1)) < 1e-5


def _use_staged(f):
    """Run the staged variant of the kernel chosen for ``f`` (built when first launched)."""
    from nvmath.fft import _fused as F

    fused = f._backend._fused
    fused.knobs = F.Knobs(fused.knobs.elements_per_thread, fused.knobs.ffts_per_block, True)
    f._hot = f._backend.hot_path(f._plan)


@pytest.mark.parametrize("staged", [False, True])
@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[::2],  # every other row
        lambda a: a[:, :1024],  # the first 1024 of 4096 columns: rows 4096 apart
        lambda a: a[:, 1:1025],  # the same, one element in: rows not 16-byte aligned (no staging)
    ],
)
def test_strided_batch_layouts(make, staged):
    base = cp.asarray(_data((16, 4096), "complex64"))
    x = make(base)
    w = cp.asarray(_data(4096, "complex64", seed=2))
    with _plan(x, "cufftdx", epilog={"function": scale_by_column, "data": w}) as f:
        if staged:
            _use_staged(f)
        y = cp.asnumpy(f.execute())
        _, out_strides = f.get_output_layout()
    xs = cp.asnumpy(x)
    # The epilog's offset indexes the result's layout: user_info[offset % 4096] by result offset.
    offsets = np.arange(xs.shape[0])[:, None] * out_strides[0] + np.arange(xs.shape[1])[None, :] * out_strides[1]
    assert _rel(y, np.fft.fft(xs, axis=-1) * cp.asnumpy(w)[offsets % 4096]) < 1e-5


def test_staged_kernel_in_place():
    x = cp.asarray(_data((16, 4096), "complex64"))
    ref = np.fft.fft(cp.asnumpy(x), axis=-1)
    f = nvmath.fft.FFT(x, axes=[-1], options={"fused_kernel": "cufftdx", "inplace": True})
    f.plan()
    _use_staged(f)
    y = f.execute()
    assert y.data.ptr == x.data.ptr
    assert _rel(cp.asnumpy(x), ref) < 1e-5
    f.free()


def test_reset_operand_and_host_operand():
    x1, x2 = _data((8, 4096), "complex64", 1), _data((8, 4096), "complex64", 2)
    w = cp.asarray(_data(4096, "complex64", seed=3))
    with _plan(cp.asarray(x1), "cufftdx", epilog={"function": scale_by_column, "data": w}) as f:
        f.reset_operand(cp.asarray(x2))
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.fft.fft(x2, axis=-1) * cp.asnumpy(w)) < 1e-5
    # A NumPy operand run on the GPU: copied there and back.
    y = nvmath.fft.fft(x1, axes=[-1], execution="cuda", options={"fused_kernel": "cufftdx"})
    assert isinstance(y, np.ndarray) and _rel(y, np.fft.fft(x1, axis=-1)) < 1e-5


def test_auto_times_logs_and_records_then_reuses(tmp_path, caplog):
    x = cp.asarray(_data((1024, 4096), "complex64"))
    w = cp.asarray(_data(4096, "complex64", seed=4))
    before = cp.asnumpy(x)
    with caplog.at_level(logging.INFO, logger="nvmath.fft"):
        with _plan(x, "auto", epilog={"function": scale_by_column, "data": w}) as f:
            y = cp.asnumpy(f.execute())
    assert np.array_equal(cp.asnumpy(x), before)  # timing never touched the operand
    assert _rel(y, np.fft.fft(before, axis=-1) * cp.asnumpy(w)) < 1e-5
    chosen = [r.getMessage() for r in caplog.records if "by timing" in r.getMessage()]
    assert len(chosen) == 1 and "cufft" in chosen[0]
    record = json.loads((tmp_path / "choices.json").read_text())
    (entry,) = record["entries"].values()
    assert "cufft" in entry["times_ms"] and len(entry["times_ms"]) >= 2
    # A second plan (a new process: the in-process memo cleared) reads the record, times nothing.
    _fused_select._choices.clear()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="nvmath.fft"):
        with _plan(x, "auto", epilog={"function": scale_by_column, "data": w}) as f:
            y2 = cp.asnumpy(f.execute())
            assert (f._backend._fused is not None) == (entry["choice"] != "cufft")
    assert any("recorded as the faster" in r.getMessage() for r in caplog.records)
    assert not any("by timing" in r.getMessage() for r in caplog.records)
    assert _rel(y2, y) < 1e-6


def test_unsupported_transforms_use_cufft_in_auto_and_raise_when_forced(caplog):
    x = cp.asarray(_data((8, 64, 64), "complex64"))
    with caplog.at_level(logging.DEBUG, logger="nvmath.fft"):
        with nvmath.fft.FFT(x, axes=[-2, -1]) as f:
            f.plan(epilog=conj_store)  # "auto" considers the fused kernel only with a callback
            assert f._backend._fused is None and f._backend.handle is not None
            y = cp.asnumpy(f.execute())
    assert _rel(y, np.conj(np.fft.fft2(cp.asnumpy(x)))) < 1e-5
    assert any("1-D transforms only" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)
    with pytest.raises(ValueError, match="fused_kernel='cufftdx' cannot run this transform"):
        nvmath.fft.fft(x, axes=[-2, -1], options={"fused_kernel": "cufftdx"})
    torch = pytest.importorskip("torch")  # (CuPy has no complex32 for a half-precision R2C's result)
    half = torch.ones((4, 64), dtype=torch.float16, device="cuda")
    with pytest.raises(ValueError, match="single and double precision"):
        nvmath.fft.rfft(half, options={"fused_kernel": "cufftdx"})


def test_forced_cufft_never_builds_the_fused_kernel():
    x = cp.asarray(_data((8, 256), "complex64"))
    with _plan(x, "cufft", epilog=conj_store) as f:
        assert f._backend._fused is None and f._backend.handle is not None
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.conj(np.fft.fft(cp.asnumpy(x), axis=-1))) < 1e-5


def test_auto_leaves_a_plan_without_callbacks_to_cufft():
    x = cp.asarray(_data((8, 4096), "complex64"))
    with nvmath.fft.FFT(x, axes=[-1]) as f:
        f.plan()
        assert f._backend._fused is None and f._backend.handle is not None
        y = cp.asnumpy(f.execute())
    assert _rel(y, np.fft.fft(cp.asnumpy(x), axis=-1)) < 1e-5


# -- R2C and C2R, rows of any element stride ------------------------------------------------------------
_RTOL = {"float32": 1e-5, "float64": 1e-12, "complex64": 1e-5, "complex128": 1e-12}
_COMPLEX_OF = {"float32": "complex64", "float64": "complex128"}


def weight_in(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 64]


def weight_out(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 64]


def _offsets(layout):
    """The element offset of every element of a ``(shape, strides)`` layout."""
    shape, strides = layout
    return sum(i * s for i, s in zip(np.indices(shape), strides))


def _weights(dtype, seed):
    return np.random.default_rng(seed).uniform(0.5, 1.5, 64).astype(dtype)


def _callbacks(form, real):
    """The plan's callbacks for ``form`` and the NumPy functions of (array, its offsets) that
    apply them (None where absent)."""
    w_in, w_out = _weights(real, 11), _weights(real, 12)
    prolog = epilog = pro = epi = None
    if form == "prolog":
        prolog, pro = twice, lambda a, off: a * 2
    if form in ("epilog", "both"):
        epilog = {"function": weight_out, "data": cp.asarray(w_out)}
        epi = lambda a, off: a * w_out[off % 64]
    if form == "both":
        prolog = {"function": weight_in, "data": cp.asarray(w_in)}
        pro = lambda a, off: a * w_in[off % 64]
    return {"prolog": prolog, "epilog": epilog}, pro, epi


def _run(x, mode, plan, axes=(-1,), **options):
    """Plan and execute ``x`` with ``fused_kernel=mode``: (result on the host, the FFT's input and
    output layouts, the fused execution or None)."""
    with nvmath.fft.FFT(x, axes=list(axes), options={"fused_kernel": mode, **options}) as f:
        f.plan(**{k: v for k, v in plan.items() if v is not None})
        fused = f._backend._fused
        if mode == "cufftdx":
            assert fused is not None and f._backend.handle is None
        y = cp.asnumpy(f.execute())
        return y, f.get_input_layout(), f.get_output_layout(), fused


def _expected(x, transform, pro, epi, layouts):
    a = np.asarray(x, dtype=np.complex128 if np.iscomplexobj(x) else np.float64)
    if pro is not None:
        a = pro(a, _offsets(layouts[0]))
    y = transform(a)
    return y if epi is None else epi(y, _offsets(layouts[1]))


_REAL_CASES = [("float32", "prolog"), ("float32", "epilog"), ("float32", "both"), ("float64", "both")]


@pytest.mark.parametrize("real, form", _REAL_CASES)
def test_r2c_with_callbacks(real, form):
    x = np.random.default_rng(1).standard_normal((24, 512)).astype(real)
    plan, pro, epi = _callbacks(form, real)
    y, *layouts, fused = _run(cp.asarray(x), "cufftdx", plan)
    assert fused.problem.fft_type == "R2C" and y.dtype == _COMPLEX_OF[real] and y.shape == (24, 257)
    ref = _expected(x, lambda a: np.fft.rfft(a, axis=-1), pro, epi, layouts)
    assert _rel(y, ref) < _RTOL[real]


def _hermitian(batch, n, real, seed=2):
    """C2R input: the spectrum of real data (imaginary parts of the real bins exactly 0)."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal((batch, n)), axis=-1)
    spectrum[:, 0] = spectrum[:, 0].real
    if n % 2 == 0:
        spectrum[:, -1] = spectrum[:, -1].real
    return spectrum.astype(_COMPLEX_OF[real])


@pytest.mark.parametrize("real, form", _REAL_CASES)
def test_c2r_with_callbacks(real, form):
    x = _hermitian(24, 512, real)
    plan, pro, epi = _callbacks(form, real)
    y, *layouts, fused = _run(cp.asarray(x), "cufftdx", plan, fft_type="C2R")
    assert fused.problem.fft_type == "C2R" and y.dtype == real and y.shape == (24, 512)
    # cuFFT's C2R is unnormalized: n times NumPy's irfft. Real weights keep the spectrum Hermitian.
    ref = _expected(x, lambda a: np.fft.irfft(a, n=512, axis=-1) * 512, pro, epi, layouts)
    assert _rel(y, ref) < _RTOL[real]


@pytest.mark.parametrize(
    "dtype, layout", [("complex64", "optimized"), ("complex64", "natural"), ("complex128", "optimized")]
)
def test_c2c_over_axis_0_with_prolog_and_epilog(dtype, layout):
    # A C-ordered (512, 48) array transformed over axis 0: elements 48 apart, rows 1 apart.
    x = _data((512, 48), dtype, seed=5)
    plan, pro, epi = _callbacks("both", "float32" if dtype == "complex64" else "float64")
    y, *layouts, fused = _run(cp.asarray(x), "cufftdx", plan, axes=(0,), result_layout=layout)
    assert (fused.problem.in_stride, fused.problem.in_dist) == (48, 1)
    if layout == "natural":
        assert (fused.problem.out_stride, fused.problem.out_dist) == (48, 1)
    ref = _expected(x, lambda a: np.fft.fft(a, axis=0), pro, epi, layouts)
    assert _rel(y, ref) < _RTOL[dtype]


def test_c2c_of_a_non_contiguous_view_with_prolog_and_epilog():
    host = _data((16, 2048), "complex64", seed=6)
    base = cp.asarray(host)
    x = base[:, ::2]  # rows 2048 apart, elements 2 apart
    plan, pro, epi = _callbacks("both", "float32")
    y, *layouts, fused = _run(x, "cufftdx", plan)
    assert (fused.problem.in_stride, fused.problem.in_dist) == (2, 2048)
    ref = _expected(cp.asnumpy(x), lambda a: np.fft.fft(a, axis=-1), pro, epi, layouts)
    assert _rel(y, ref) < 1e-5
    assert np.array_equal(cp.asnumpy(base), host)  # the operand (and what lies between) is untouched


def test_r2c_over_axis_0_with_prolog_and_epilog():
    x = np.random.default_rng(7).standard_normal((512, 40)).astype(np.float32)
    plan, pro, epi = _callbacks("both", "float32")
    y, *layouts, fused = _run(cp.asarray(x), "cufftdx", plan, axes=(0,))
    assert fused.problem.fft_type == "R2C" and fused.problem.in_stride == 40 and y.shape == (257, 40)
    ref = _expected(x, lambda a: np.fft.rfft(a, axis=0), pro, epi, layouts)
    assert _rel(y, ref) < 1e-5


def _auto_case(case):
    """(operand, real type of the callbacks' user_info, axes, options, NumPy transform)."""
    if case == "R2C":
        x = np.random.default_rng(1).standard_normal((24, 512)).astype(np.float32)
        return x, "float32", (-1,), {}, lambda a: np.fft.rfft(a, axis=-1)
    if case == "C2R":
        x = _hermitian(24, 512, "float32")
        return x, "float32", (-1,), {"fft_type": "C2R"}, lambda a: np.fft.irfft(a, n=512, axis=-1) * 512
    x = _data((512, 48), "complex64", seed=5)
    return x, "float32", (0,), {}, lambda a: np.fft.fft(a, axis=0)


@pytest.mark.parametrize("case", ["R2C", "C2R", "C2C over axis 0"])
def test_auto_picks_either_and_is_right(case, tmp_path, caplog):
    # The same problems and callbacks as the forced tests above (their kernels are reused).
    x, real, axes, options, transform = _auto_case(case)
    plan, pro, epi = _callbacks("both", real)
    with caplog.at_level(logging.INFO, logger="nvmath.fft"):
        y, *layouts, fused = _run(cp.asarray(x), "auto", plan, axes=axes, **options)
    assert _rel(y, _expected(x, transform, pro, epi, layouts)) < 1e-5
    chosen = [r.getMessage() for r in caplog.records if "by timing" in r.getMessage()]
    assert len(chosen) == 1
    (entry,) = json.loads((tmp_path / "choices.json").read_text())["entries"].values()
    assert (fused is None) == (entry["choice"] == "cufft") and "cufft" in entry["times_ms"]
    assert case.split()[0] in entry["problem"]
