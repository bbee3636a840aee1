"""nvmath.fft on the CPU (ExecutionCPU): every FFT type, dtype, layout, and the callbacks."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nvmath
from nvmath.fft import FFT, FFTOptions
from tests.fft.cases import PROBLEMS, assert_close, random, reference

C2C = ["complex64", "complex128"]
REAL = ["float32", "float64"]


@pytest.mark.parametrize("dtype", C2C)
@pytest.mark.parametrize("shape, axes", PROBLEMS)
def test_c2c_forward_and_inverse(dtype, shape, axes):
    x = random(shape, dtype)
    y = nvmath.fft.fft(x, axes=axes)
    assert isinstance(y, np.ndarray) and y.dtype == x.dtype
    assert_close(y, reference(x, axes, "C2C"), dtype)
    z = nvmath.fft.ifft(x, axes=axes)
    assert_close(z, reference(x, axes, "C2C", "inverse"), dtype)


@pytest.mark.parametrize("dtype", REAL)
@pytest.mark.parametrize("shape, axes", PROBLEMS)
def test_r2c_and_c2r(dtype, shape, axes):
    x = random(shape, dtype)
    y = nvmath.fft.rfft(x, axes=axes)
    assert y.dtype == np.result_type(dtype, np.complex64)
    assert_close(y, reference(x, axes, "R2C"), dtype)
    for parity in ("even", "odd"):
        back = nvmath.fft.irfft(y, axes=axes, options={"last_axis_parity": parity})
        assert back.dtype == x.dtype
        assert_close(back, reference(y, axes, "C2R", last_axis_parity=parity), dtype)
    # The round trip restores x times the number of points (unnormalized transforms).
    if x.shape[axes[-1]] % 2 == 0:
        n = np.prod([x.shape[a] for a in axes])
        assert_close(nvmath.fft.irfft(y, axes=axes) / n, x.astype(np.float64), dtype)


@pytest.mark.parametrize("shape", [(7,), (6, 5), (2, 3, 4)])
def test_default_axes_are_every_axis(shape):
    x = random(shape, "complex128")
    assert_close(nvmath.fft.fft(x), reference(x, tuple(range(len(shape))), "C2C"), "complex128")


@pytest.mark.parametrize("function", ["fft", "ifft", "rfft", "irfft"])
def test_default_axes_of_a_4d_operand_are_refused(function):
    # nvmath-python refuses too: which 3 of the 4 axes to transform is the caller's to say.
    x = random((2, 3, 4, 5), "float64" if function == "rfft" else "complex128")
    with pytest.raises(ValueError, match=r"axes=None .* 4-D .* axes=\(1, 2, 3\)"):
        getattr(nvmath.fft, function)(x)


def test_a_4d_operand_transforms_the_axes_it_names():
    x = random((2, 3, 4, 5), "complex128")
    assert_close(nvmath.fft.fft(x, axes=(1, 2, 3)), reference(x, (1, 2, 3), "C2C"), "complex128")
    assert_close(nvmath.fft.fft(x, axes=(0, 2)), reference(x, (0, 2), "C2C"), "complex128")


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[:, ::2],  # strided
        lambda a: a.transpose(1, 0, 2),  # permuted
        lambda a: a[::-1],  # negative stride: copied once
        lambda a: np.asfortranarray(a),
    ],
)
def test_strided_inputs(make):
    base = random((6, 10, 12), "complex64")
    x = make(base)
    for axes in [(2,), (0, 1), (1, 2)]:
        assert_close(nvmath.fft.fft(x, axes=axes), reference(x, axes, "C2C"), "complex64")


def test_inplace_c2c_overwrites_the_operand():
    x = random((4, 16), "complex128")
    want = reference(x, (1,), "C2C")
    out = nvmath.fft.fft(x, axes=[1], options={"inplace": True})
    assert out is x
    assert_close(x, want, "complex128")


def test_stateful_execute_reset_and_directions():
    x = random((8, 32), "complex64")
    with FFT(x, axes=[1]) as f:
        f.plan()
        assert_close(f.execute(), reference(x, (1,), "C2C"), "complex64")
        assert_close(f.execute(direction="inverse"), reference(x, (1,), "C2C", "inverse"), "complex64")
        x2 = random((8, 32), "complex64")
        f.reset_operand(x2)
        assert_close(f.execute(), reference(x2, (1,), "C2C"), "complex64")


def test_torch_cpu_tensors_come_back_as_torch():
    torch = pytest.importorskip("torch")
    x = random((4, 10), "complex64")
    t = torch.from_numpy(x)
    y = nvmath.fft.fft(t, axes=[1])
    assert isinstance(y, torch.Tensor) and y.device.type == "cpu" and y.dtype == torch.complex64
    assert_close(y.numpy(), reference(x, (1,), "C2C"), "complex64")
    r = torch.from_numpy(random((3, 8), "float64"))
    assert_close(nvmath.fft.rfft(r).numpy(), reference(r.numpy(), (0, 1), "R2C"), "float64")


def test_result_layout_natural_keeps_the_operand_axis_order():
    x = np.asfortranarray(random((8, 6, 4), "complex64"))
    with FFT(x, axes=[0], options=FFTOptions(result_layout="natural")) as f:
        shape, strides = f.get_output_layout()
        assert strides == (1, 8, 48)
        f.plan()
        y = f.execute()
        assert y.strides == tuple(s * 8 for s in strides)
        assert_close(y, reference(x, (0,), "C2C"), "complex64")


# -- callbacks ----------------------------------------------------------------------------------


def scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 16]


def window(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 16]


@pytest.mark.parametrize("dtype", C2C + REAL)
def test_prolog_and_epilog_all_element_types(dtype):
    rng = np.random.default_rng()
    x = random((5, 16), dtype, rng)
    real = np.dtype(dtype).kind == "f"
    w = rng.standard_normal(16).astype(dtype if real else np.dtype(dtype).type(0).real.dtype)
    fn = nvmath.fft.rfft if real else nvmath.fft.fft
    y = fn(x, axes=[1], prolog=dict(function=window, data=w))
    fft_type = "R2C" if real else "C2C"
    assert_close(y, reference(x * w, (1,), fft_type), dtype)
    # An epilog of the output type: complex for both.
    out_dtype = np.result_type(dtype, np.complex64)
    g = rng.standard_normal(16).astype(np.dtype(out_dtype).type(0).real.dtype)
    z = nvmath.fft.fft(random((5, 16), out_dtype, rng), axes=[1])  # any complex data
    with FFT(z, axes=[1]) as f:
        f.plan(epilog={"function": scale_by_column, "data": g})
        assert f.get_output_layout() == ((5, 16), (16, 1))  # so offset % 16 is the column
        got = f.execute()
    want = reference(z, (1,), "C2C") * g[None, :]
    assert_close(got, want, out_dtype)


def test_c2r_epilog_on_real_output():
    def clip(data_out, offset, value, user_info, unused):
        data_out[offset] = min(value, user_info[0])

    y = random((4, 9), "complex128")
    limit = np.array([3.0])
    got = nvmath.fft.irfft(y, axes=[1], epilog=dict(function=clip, data=limit))
    assert_close(got, np.minimum(reference(y, (1,), "C2R"), 3.0), "float64")


def test_struct_user_info():
    params = np.zeros(1, np.dtype([("gain", np.float32), ("bias", np.float32)], align=True))
    params["gain"], params["bias"] = 2.5, -1.0

    def affine(data_out, offset, value, user_info, unused):
        p = user_info[0]
        data_out[offset] = value * p.gain + p.bias

    x = random((3, 12), "complex64")
    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=affine, data=params))
    assert_close(got, reference(x, (1,), "C2C") * 2.5 - 1.0, "complex64")


def test_offsets_follow_the_reported_layouts():
    # A prolog that records the offsets it is called with sees every offset of the input layout.
    x = random((6, 10), "complex64")[:, ::2]  # strided: offsets are not 0..n-1

    def mark(data_in, offset, user_info, unused):
        user_info[offset] = 1.0
        return data_in[offset]

    with FFT(x, axes=[1]) as f:
        shape, strides = f.get_input_layout()
        seen = np.zeros(1 + sum((n - 1) * s for n, s in zip(shape, strides)), np.float32)
        f.plan(prolog=dict(function=mark, data=seen))
        got = f.execute()
    expected = {sum(i * s for i, s in zip(idx, strides)) for idx in np.ndindex(*shape)}
    assert set(np.flatnonzero(seen)) == expected
    assert_close(got, reference(x, (1,), "C2C"), "complex64")


def test_plain_function_as_epilog_uses_element_type_user_info():
    x = random((2, 8), "complex128")

    def double(data_out, offset, value, user_info, unused):
        data_out[offset] = value * 2

    assert_close(nvmath.fft.fft(x, axes=[1], epilog=double), reference(x, (1,), "C2C") * 2, "complex128")


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


@pytest.mark.parametrize(
    "shape, axes, fft_type, threads",
    [
        ((4096, 64), (1,), "C2C", 4),  # strided input, in chunks on several threads
        ((4, 6, 10), (0, 2), "C2C", 3),  # the batch axis in the middle
        ((8, 16), (0, 1), "C2C", 2),  # no batch axis
        ((37, 33), (1,), "R2C", 4),
        ((37, 17), (1,), "C2R", 4),
        ((5, 40, 3), (1,), "C2C", 1),  # one thread
    ],
)
def test_offset_dependent_callbacks_across_layouts_and_threads(shape, axes, fft_type, threads):
    rng = np.random.default_rng()
    dtype = "float64" if fft_type == "R2C" else "complex128"
    x = random(shape, dtype, rng)
    if shape == (4096, 64):
        x = random((4096, 128), dtype, rng)[:, ::2]  # strided input
    w, g = rng.standard_normal(7), rng.standard_normal(5)
    options = {"fft_type": fft_type}
    with FFT(x, axes=axes, options=options, execution=nvmath.fft.ExecutionCPU(num_threads=threads)) as f:
        in_shape, in_strides = f.get_input_layout()
        out_shape, out_strides = f.get_output_layout()
        f.plan(prolog=dict(function=by_offset_in, data=w), epilog=dict(function=by_offset_out, data=g))
        got = f.execute()
    loaded = x * w[_offsets(in_shape, in_strides) % 7]
    want = reference(loaded, axes, fft_type)
    want = want * g[_offsets(out_shape, out_strides) % 5]
    assert_close(got, want, dtype if fft_type != "C2R" else "float64")


# -- stateless calls reuse CPU plans (issue 17) --------------------------------------------------


def _scale_by_info(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 8]


@pytest.fixture
def plans():
    from nvmath.fft._cpu import stateless_plans

    stateless_plans.clear()
    yield stateless_plans
    stateless_plans.clear()


def test_stateless_calls_reuse_the_plan_with_fresh_operands_and_user_info(plans):
    rng = np.random.default_rng()
    hits = plans.hits
    for _ in range(4):
        x = random((6, 8), "complex64", rng)
        g = rng.standard_normal(8).astype(np.complex64)  # a new user_info array every call
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g))
        assert_close(got, reference(x, (1,), "C2C") * g, "complex64")
    assert plans.hits - hits == 3 and len(plans) == 1
    # user_info changed in place between calls is read anew.
    g[:] = 2
    assert_close(
        nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g)),
        reference(x, (1,), "C2C") * 2,
        "complex64",
    )


def test_stateless_plans_differ_by_direction_options_and_threads(plans):
    x = random((4, 8), "complex128")
    want = reference(x, (1,), "C2C")
    for _ in range(2):
        assert_close(nvmath.fft.fft(x, axes=[1]), want, "complex128")
        assert_close(nvmath.fft.ifft(x, axes=[1]), reference(x, (1,), "C2C", "inverse"), "complex128")
        assert_close(nvmath.fft.fft(x, axes=[1], execution=nvmath.fft.ExecutionCPU(num_threads=1)), want, "complex128")
        assert_close(nvmath.fft.fft(x, axes=[0]), reference(x, (0,), "C2C"), "complex128")
        y = x.copy()
        assert nvmath.fft.fft(y, axes=[1], options={"inplace": True}) is y
        assert_close(y, want, "complex128")
    assert len(plans) == 5


def test_stateless_plans_hold_no_caller_arrays(plans):
    import gc
    import weakref

    x = random((4, 8), "complex64")
    g = np.ones(8, np.complex64)
    refs = [weakref.ref(x), weakref.ref(g)]
    nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g))
    del x, g
    gc.collect()
    assert all(r() is None for r in refs)


def test_stateless_plan_of_a_collected_function_is_not_reused(plans):
    import gc

    x = random((3, 8), "complex128")
    want = reference(x, (1,), "C2C")

    def make(k):
        def scale(data_out, offset, value, user_info, unused):
            data_out[offset] = value * k

        return scale

    for k in range(1, 5):  # closures that often get the id of the previous, collected one
        scale = make(k)
        assert_close(nvmath.fft.fft(x, axes=[1], epilog=scale), want * k, "complex128")
        del scale
        gc.collect()


def test_stateless_plan_dropped_after_an_error(plans):
    x = random((4, 8), "complex128")
    with pytest.raises(IndexError, match="user_info"):
        nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=np.ones(3)))
    assert len(plans) == 0
    g = np.arange(8.0)
    assert_close(
        nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g)),
        reference(x, (1,), "C2C") * g,
        "complex128",
    )
    # Other user_info types need another pass: the plan is made anew, the result still right.
    g32 = np.arange(8.0, dtype=np.float32)
    assert_close(
        nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g32)),
        reference(x, (1,), "C2C") * g32,
        "complex128",
    )
    # A read-only operand is refused in place, as without a plan to reuse.
    ro = x.copy()
    nvmath.fft.fft(ro, axes=[1], options={"inplace": True})
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nvmath.fft.fft(ro, axes=[1], options={"inplace": True})


def test_stateless_calls_from_threads(plans):
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng()
    xs = [random((16, 32), "complex64", rng) for _ in range(24)]
    gs = [rng.standard_normal(8).astype(np.complex64) for _ in xs]

    def one(k):
        return nvmath.fft.fft(xs[k], axes=[1], epilog=dict(function=_scale_by_info, data=gs[k]))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(len(xs))))
    for x, g, got in zip(xs, gs, results):
        assert_close(got, reference(x, (1,), "C2C") * np.tile(g, 4), "complex64")


def test_stateless_plan_keys_tell_bools_from_axes(plans):
    x = random((2, 4), "complex128")
    assert_close(nvmath.fft.fft(x, axes=[0]), reference(x, (0,), "C2C"), "complex128")
    with pytest.raises(TypeError, match="axes"):
        nvmath.fft.fft(x, axes=[False])  # equal to [0] as a key, but refused


@pytest.fixture
def planning_calls(plans, monkeypatch):
    """The calls that took the planning path (``StatelessPlans.run``) rather than the fast one."""
    calls = []
    run = plans.run

    def spy(*args, **kwargs):
        calls.append(args[0])
        return run(*args, **kwargs)

    monkeypatch.setattr(plans, "run", spy)
    return calls


def _by_column_in(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 8]


@pytest.mark.parametrize("function", ["fft", "ifft", "rfft", "irfft"])
def test_repeated_stateless_calls_take_the_fast_path_with_fresh_arrays(function, planning_calls, plans):
    rng = np.random.default_rng()
    real_in = function == "rfft"
    hits = plans.hits
    for _ in range(4):
        x = random((5, 8), "float64" if real_in else "complex128", rng)
        w = rng.standard_normal(8)
        g = rng.standard_normal(8)
        prolog = dict(function=_by_column_in, data=w)
        epilog = dict(function=_scale_by_info, data=g)
        got = getattr(nvmath.fft, function)(x, axes=[1], prolog=prolog, epilog=epilog)
        fft_type = {"rfft": "R2C", "irfft": "C2R"}.get(function, "C2C")
        want = reference(x * w, (1,), fft_type, "inverse" if function == "ifft" else "forward")
        want = want * g[np.arange(want.size).reshape(want.shape) % 8]  # offsets of the C-order result
        assert_close(got, want, "complex128")
    assert len(planning_calls) == 1  # the first call planned; the others went straight through
    assert plans.hits - hits == 3


def test_calls_the_fast_path_does_not_take_still_give_the_planned_result(planning_calls, caplog):
    import logging

    rng = np.random.default_rng()
    x = random((4, 8), "complex128", rng)
    g = rng.standard_normal(16)
    want = reference(x, (1,), "C2C") * g[:8]
    epilog = dict(function=_scale_by_info, data=g[:8].copy())
    assert_close(nvmath.fft.fft(x, axes=[1], epilog=epilog), want, "complex128")
    assert len(planning_calls) == 1
    # Strided user_info is copied, with its warning, by the planning path.
    with caplog.at_level(logging.WARNING, logger="nvmath"):
        strided = np.repeat(g[:8], 2)[::2]
        assert_close(
            nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=strided)), want, "complex128"
        )
    assert "copied" in caplog.text and len(planning_calls) == 2
    # Options, NumPy-integer axes and another dtype all plan (or reuse through the planning path).
    assert_close(nvmath.fft.fft(x, axes=[1], options={"result_layout": "natural"}, epilog=epilog), want, "complex128")
    assert_close(nvmath.fft.fft(x, axes=(np.int64(1),), epilog=epilog), want, "complex128")
    x32 = x.astype(np.complex64)
    assert_close(nvmath.fft.fft(x32, axes=[1], epilog=epilog), reference(x32, (1,), "C2C") * g[:8], "complex64")
    assert len(planning_calls) == 5
    # The same function with user_info of another dtype is another plan.
    g32 = g[:8].astype(np.float32)
    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g32))
    assert_close(got, reference(x, (1,), "C2C") * g32, "complex128")
    assert len(planning_calls) == 6


def test_the_fast_path_names_a_bad_user_info_index(planning_calls):
    x = random((4, 8), "complex128")
    nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=np.ones(8)))
    with pytest.raises(IndexError, match=r"user_info\[5\], outside the 5 elements"):
        nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=np.ones(5)))
    assert len(planning_calls) == 1  # raised by the fast path itself


def test_clearing_the_stateless_plans_clears_the_fast_path(planning_calls, plans):
    x = random((2, 8), "complex128")
    for _ in range(2):
        nvmath.fft.fft(x, axes=[1])
    plans.clear()
    nvmath.fft.fft(x, axes=[1])
    assert len(planning_calls) == 2


def _scale_in(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[0]


def _scale_out(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    dims=st.lists(st.integers(1, 7), min_size=1, max_size=3),
    function=st.sampled_from(["fft", "ifft", "rfft", "irfft"]),
    double=st.booleans(),
    view=st.sampled_from(["contiguous", "transposed", "sliced"]),
    callbacks=st.sampled_from([(False, False), (True, False), (False, True), (True, True)]),
    threads=st.sampled_from([None, 1, 3]),
    data=st.data(),
)
def test_fuzz_repeated_stateless_calls_against_numpy(dims, function, double, view, callbacks, threads, data, plans):
    # The same call three times with fresh data of one layout: the first plans, the others take
    # the fast path; every result is NumPy's.
    ndim = len(dims)
    axes = sorted(data.draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=min(ndim, 3))))
    real_in = function == "rfft"
    dtype = ("float64" if double else "float32") if real_in else ("complex128" if double else "complex64")
    shape = list(dims)
    if function == "irfft" and shape[axes[-1]] < 2:
        shape[axes[-1]] = 2
    fft_type = {"rfft": "R2C", "irfft": "C2R"}.get(function, "C2C")
    execution = nvmath.fft.ExecutionCPU(num_threads=threads)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    plans.clear()  # the fixture clears once for all examples
    hits = plans.hits
    for _ in range(3):
        if view == "transposed":
            x = random(tuple(reversed(shape)), dtype, rng).T
        elif view == "sliced":
            x = random(tuple(shape[:-1]) + (2 * shape[-1],), dtype, rng)[..., ::2]
        else:
            x = random(tuple(shape), dtype, rng)
        w, g = rng.standard_normal(1) + 1.5, rng.standard_normal(1) + 1.5
        prolog = dict(function=_scale_in, data=w) if callbacks[0] else None
        epilog = dict(function=_scale_out, data=g) if callbacks[1] else None
        got = getattr(nvmath.fft, function)(x, axes=axes, execution=execution, prolog=prolog, epilog=epilog)
        want = reference(x, tuple(axes), fft_type, "inverse" if function == "ifft" else "forward")
        want = want * (w[0] if callbacks[0] else 1) * (g[0] if callbacks[1] else 1)
        assert_close(got, want, "complex128" if double else "complex64")
    assert plans.hits - hits == 2


def test_default_threads_are_the_cpus_the_process_may_run_on(monkeypatch):
    from nvmath.fft import _cpu_callbacks

    seen = []
    monkeypatch.setattr(
        _cpu_callbacks.os, "sched_getaffinity", lambda pid: seen.append(pid) or {0, 2, 5}, raising=False
    )
    monkeypatch.setattr(_cpu_callbacks.os, "cpu_count", lambda: 64)
    _cpu_callbacks.cpu_count.cache_clear()
    try:
        assert _cpu_callbacks.cpu_count() == 3 and seen == [0]
        assert _cpu_callbacks.cpu_count() == 3 and seen == [0]  # read once

        def no_affinity(pid):
            raise AttributeError("sched_getaffinity")

        monkeypatch.setattr(_cpu_callbacks.os, "sched_getaffinity", no_affinity, raising=False)
        _cpu_callbacks.cpu_count.cache_clear()
        assert _cpu_callbacks.cpu_count() == 64
    finally:
        monkeypatch.undo()
        _cpu_callbacks.cpu_count.cache_clear()


def test_small_transforms_take_one_scipy_worker_large_ones_up_to_the_threads(monkeypatch):
    from nvmath.fft import _cpu

    per = _cpu._MIN_FFT_ELEMENTS_PER_WORKER
    monkeypatch.setattr(_cpu, "cpu_count", lambda: 16)
    assert _cpu.fft_workers(None, 8 * 64) == 1
    assert _cpu.fft_workers(None, 2 * per - 1) == 1
    assert _cpu.fft_workers(None, 3 * per) == 3
    assert _cpu.fft_workers(None, 1 << 30) == 16
    assert _cpu.fft_workers(4, 1 << 30) == 4  # the threads asked for are the most used
    assert _cpu.fft_workers(4, 64) == 1


def test_small_transform_results_do_not_depend_on_the_threads():
    rng = np.random.default_rng(3)
    x = random((3, 96), "complex64", rng)
    w = random((96,), "complex64", rng)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 96]

    want = reference(x, [1], "C2C") * w
    for threads in (None, 1, 3):
        got = nvmath.fft.fft(
            x, axes=[-1], epilog=dict(function=epilog, data=w), execution=nvmath.fft.ExecutionCPU(num_threads=threads)
        )
        assert_close(got, want, "complex64")


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(12, dtype=np.float32),
        lambda: np.arange(12, dtype=np.complex64).reshape(3, 4)[:, ::2],  # not contiguous
        lambda: np.zeros(0, np.float64),
        lambda: np.zeros(5, np.dtype([("gain", np.float32), ("bias", np.float64)])),
        lambda: np.frombuffer(bytes(16), np.float32),  # read-only
    ],
)
def test_array_address_is_the_arrays_data_address(make):
    from nvmath.fft._cpu_callbacks import array_address

    a = make()
    assert array_address(a) == a.ctypes.data


@pytest.mark.parametrize("execution", ["cpu", "CPU", None])
def test_execution_given_as_the_string_cpu_takes_the_fast_path_too(execution, planning_calls, plans):
    rng = np.random.default_rng(7)
    hits = plans.hits
    for _ in range(3):
        x = random((4, 8), "complex64", rng)
        g = rng.standard_normal(8).astype(np.float32)
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g), execution=execution)
        want = reference(x, (1,), "C2C") * g[np.arange(32).reshape(4, 8) % 8]
        assert_close(got, want, "complex64")
    assert len(planning_calls) == 1 and plans.hits - hits == 2


def test_repeated_stateless_calls_of_cpu_tensors_take_the_fast_path(planning_calls, plans):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    hits = plans.hits
    for _ in range(3):
        x = torch.from_numpy(random((5, 8), "complex64", rng))
        g = torch.from_numpy(rng.standard_normal(8).astype(np.float32))
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g))
        assert isinstance(got, torch.Tensor) and got.dtype == torch.complex64
        want = reference(x.numpy(), (1,), "C2C") * g.numpy()[np.arange(40).reshape(5, 8) % 8]
        assert_close(got.numpy(), want, "complex64")
    assert len(planning_calls) == 1 and plans.hits - hits == 2
    # NumPy operands of the same layout do not share the tensors' entry: their results are arrays.
    got = nvmath.fft.fft(x.numpy(), axes=[1], epilog=dict(function=_scale_by_info, data=g.numpy()))
    assert type(got) is np.ndarray and len(planning_calls) == 2
    # user_info of another type is another key (its first call plans), and still a tensor result.
    for _ in range(2):
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=_scale_by_info, data=g.numpy()))
        assert isinstance(got, torch.Tensor)
    assert len(planning_calls) == 3


def test_tensors_numpy_cannot_view_take_the_planning_path(planning_calls, plans):
    torch = pytest.importorskip("torch")
    from nvmath.fft._cpu import torch_cpu_view

    x = torch.from_numpy(random((4, 8), "complex64", np.random.default_rng(12)))
    assert torch_cpu_view(x) is not None and torch_cpu_view(x.numpy()) is None
    assert torch_cpu_view(x.conj()) is None  # a lazy conjugate
    assert torch_cpu_view(torch.zeros(3, requires_grad=True)) is None
    assert torch_cpu_view(torch.zeros(3, dtype=torch.bfloat16)) is None
    for _ in range(2):  # no fast key: each call goes the planning way, which says what to do
        with pytest.raises(ValueError, match="lazy conjugate bit"):
            nvmath.fft.fft(x.conj(), axes=[1])
    assert len(planning_calls) == 0  # refused before planning


@pytest.mark.parametrize(
    "shape, axes, order",
    [
        ((7, 6), (0,), "C"),
        ((7, 6), (1,), "F"),
        ((7, 6, 5), (0,), "C"),
        ((7, 6, 5), (0, 1), "C"),
        ((6, 5, 4), (1, 0), "F"),
    ],
)
def test_a_natural_c2r_result_keeps_the_operands_axis_order(shape, axes, order):
    # As nvmath-python: the private copy C2R makes of its input is laid out in the operand's
    # order too, so that cuFFT writes the result in it (before, it came out "optimized").
    rng = np.random.default_rng()
    last = axes[-1]
    signal = rng.standard_normal(shape[:last] + (2 * (shape[last] - 1),) + shape[last + 1 :])
    x = np.fft.rfftn(signal, axes=axes)
    x = np.asfortranarray(x) if order == "F" else np.ascontiguousarray(x)
    r = nvmath.fft.irfft(x, axes=axes, execution="cpu", options={"result_layout": "natural"})
    assert r.flags.f_contiguous if order == "F" else r.flags.c_contiguous
    assert_close(r, reference(x, axes, "C2R"), "float64")
    # The GPU path's plan (made here without a GPU): the copy and the result in one axis order.
    from nvmath._internal.tensor import contiguous_strides
    from nvmath.fft.fft import _Spec

    strides = tuple(s // x.itemsize for s in x.strides)
    spec = _Spec("complex128", x.shape, strides, axes, FFTOptions(fft_type="C2R", result_layout="natural"))
    axis_order = sorted(range(len(shape)), key=lambda a: -strides[a])
    assert spec.copy_input
    assert spec.in_strides == contiguous_strides(x.shape, axis_order)
    assert spec.out_strides == contiguous_strides(r.shape, axis_order)
