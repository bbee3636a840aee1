"""The fused cuFFTDx kernel of nvmath.fft without a GPU: the option, what it takes, its
candidates and generated source, kernels compiled and linked for sm_90, and the choice
between it and cuFFT (with a fake timer and a record in a temporary directory)."""

import ast
import dataclasses
import json
import logging

import numpy as np
import pytest

from nvmath.fft import FFTDirection, FFTOptions
from nvmath.fft import _fused as F
from nvmath.fft import _fused_select as S
from nvmath.fft.fft import _Spec


def _spec(shape, dtype="complex64", axes=(-1,), strides=None, **options):
    if strides is None:
        strides = tuple(int(s) for s in np.empty(shape, dtype=np.dtype(dtype)).strides)
        strides = tuple(s // np.dtype(dtype).itemsize for s in strides)
    return _Spec(dtype, shape, strides, axes, FFTOptions(**options))


# -- the option --------------------------------------------------------------------------------------
def test_option_default_and_spellings():
    assert FFTOptions().fused_kernel == "auto"
    assert FFTOptions(fused_kernel="CUFFTDX").fused_kernel == "cufftdx"
    assert FFTOptions(fused_kernel="cufft").fused_kernel == "cufft"
    assert FFTOptions(**{"fused_kernel": "Auto"}).fused_kernel == "auto"


@pytest.mark.parametrize("bad", ["cufftx", "", None, 1, True])
def test_option_refuses_other_values(bad):
    with pytest.raises(ValueError, match=r"fused_kernel=.*accepted: 'auto', 'cufftdx', 'cufft'"):
        FFTOptions(fused_kernel=bad)


def test_option_keeps_the_other_fields_positionally():
    # The new field comes last: positional construction of the existing ones is unchanged.
    o = FFTOptions("C2C", False, "even", "natural")
    assert (o.fft_type, o.inplace, o.last_axis_parity, o.result_layout, o.fused_kernel) == (
        "C2C",
        False,
        "even",
        "natural",
        "auto",
    )


# -- what the kernel takes ---------------------------------------------------------------------------
def test_supported_problem():
    spec = _spec((16, 4096))
    assert F.unsupported_reason(spec) is None
    p = F.problem_of(spec, FFTDirection.INVERSE)
    assert p == F.Problem(4096, "complex64", 4096, 4096, "inverse")
    assert F.problem_of(_spec((3, 5, 64), "complex128"), FFTDirection.FORWARD) == F.Problem(
        64, "complex128", 64, 64, "forward"
    )


def test_strided_rows_keep_their_distance():
    # Every other row of a (32, 4096) array, and the first 1000 columns of rows of 4096.
    spec = _spec((16, 4096), strides=(8192, 1))
    assert F.unsupported_reason(spec) is None
    assert F.problem_of(spec, FFTDirection.FORWARD).in_dist == 8192
    spec = _spec((8, 1000), strides=(4096, 1))
    assert F.unsupported_reason(spec) is None
    assert F.problem_of(spec, FFTDirection.FORWARD).in_dist == 4096


def test_real_and_strided_problems_are_supported():
    # R2C: n reals in, n // 2 + 1 complex out; C2R the mirror (its input is a private copy).
    r2c = _spec((8, 64), "float32")
    assert F.unsupported_reason(r2c) is None
    p = F.problem_of(r2c, FFTDirection.FORWARD)
    assert p == F.Problem(64, "complex64", 64, 33, "forward", "R2C", 1, 1)
    assert (p.in_element, p.out_element, p.in_count, p.out_count) == ("float32", "complex64", 64, 33)
    c2r = _spec((8, 33), "complex128", fft_type="C2R", last_axis_parity="odd")
    assert F.unsupported_reason(c2r) is None
    p = F.problem_of(c2r, FFTDirection.INVERSE)
    assert p == F.Problem(65, "complex128", 33, 65, "inverse", "C2R", 1, 1)
    assert (p.in_element, p.out_element, p.in_count, p.out_count) == ("complex128", "float64", 33, 65)
    assert "C2R complex128 -> float64 of size 65" in p.describe()
    # Over axis 0 of a C-ordered (64, 8) array: elements 8 apart, rows 1 apart; the result in
    # the "optimized" layout has rows of unit stride, in the "natural" one the input's layout.
    p = F.problem_of(_spec((64, 8), axes=(0,)), FFTDirection.FORWARD)
    assert (p.in_stride, p.in_dist, p.out_stride, p.out_dist) == (8, 1, 1, 64)
    assert "elements 8 -> 1 apart" in p.describe()
    p = F.problem_of(_spec((64, 8), axes=(0,), result_layout="natural"), FFTDirection.FORWARD)
    assert (p.in_stride, p.in_dist, p.out_stride, p.out_dist) == (8, 1, 8, 1)
    # A non-contiguous view: every other element of rows 128 apart.
    p = F.problem_of(_spec((16, 64), strides=(128, 2)), FFTDirection.FORWARD)
    assert (p.in_stride, p.in_dist, p.out_stride, p.out_dist) == (2, 128, 1, 64)
    p = F.problem_of(_spec((64, 8), "float64", axes=(0,)), FFTDirection.FORWARD)
    assert (p.fft_type, p.dtype, p.in_stride, p.in_dist, p.out_dist) == ("R2C", "complex128", 8, 1, 33)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: _spec((8, 64), "float16"), r"single and double precision .*, not float16"),
        (lambda: _spec((8, 64, 64), axes=(-2, -1)), "1-D transforms only, not 2-D"),
        (lambda: _spec((8, 64, 64), "float32", axes=(-2, -1)), "1-D transforms only, not 2-D"),
        (lambda: _spec((8, 64), "complex32", strides=(64, 1)), r"single and double precision .*, not complex32"),
    ],
)
def test_unsupported_problems_say_why(make, reason):
    import re

    assert re.search(reason, F.unsupported_reason(make()))


def test_layouts_never_share_a_kernel_or_a_record():
    base = F.Problem(4096, "complex64", 4096, 4096, "forward")
    assert base == F.Problem(4096, "complex64", 4096, 4096, "forward", "C2C", 1, 1)  # the defaults
    others = [
        dataclasses.replace(base, fft_type="R2C", out_dist=2049),
        dataclasses.replace(base, fft_type="R2C"),
        dataclasses.replace(base, in_stride=2),
        dataclasses.replace(base, out_stride=2),
        dataclasses.replace(base, in_stride=2, out_stride=2),
        dataclasses.replace(base, in_dist=1, out_dist=1, in_stride=4096, out_stride=4096),
    ]
    problems = [base, *others]
    assert len(set(problems)) == len(problems)
    keys = {S.record_key("Fake H200", q, 64, None, "epilog:x:abc") for q in problems}
    assert len(keys) == len(problems)
    assert len({q.describe() for q in problems}) == len(problems)
    # Strided and real problems never take the staged kernel.
    staged = F.Knobs(16, 2, True)
    assert F.can_stage(base, staged, "in", False)
    for q in others:
        assert not F.can_stage(q, staged, "in", False) and not F.can_stage(q, staged, "out", False)


def test_forced_choice_of_an_unsupported_problem_raises_and_auto_logs(caplog):
    with pytest.raises(
        ValueError, match="fused_kernel='cufftdx' cannot run this transform: it computes 1-D .*accepted: 1-D C2C, R2C"
    ):
        S._unsupported("cufftdx", "it computes 1-D transforms only, not 2-D")
    with caplog.at_level(logging.DEBUG, logger="nvmath.fft"):
        assert S._unsupported("auto", "a reason") is None
    assert any(r.levelno == logging.DEBUG and "a reason" in r.getMessage() for r in caplog.records)


def test_knob_labels():
    for k in (F.Knobs(16, 2), F.Knobs(32, 1, True), F.Knobs(16, 1, max_registers=48), F.Knobs(8, 2, True, 64)):
        assert F.Knobs.from_label(k.label()) == k
    assert F.Knobs(16, 2, True).label() == "ept16_fpb2_staged"
    assert F.Knobs(16, 1, True, 48).label() == "ept16_fpb1_staged_r48"
    for bad in (
        "ept16",
        "fpb2_ept16",
        "ept16_fpb2_x",
        "eptx_fpb2",
        "cufft",
        "ept16_fpb1_r0",
        "ept16_fpb1_rx",
        "ept16_fpb1_r+48",
        "ept16_fpb1_r48_staged",
        "ept16_fpb1_staged_r48_r48",
    ):
        with pytest.raises(ValueError, match="not a fused-kernel label"):
            F.Knobs.from_label(bad)


# -- candidates (cuFFTDx through libmathdx, no GPU) ----------------------------------------------------
mathdx = pytest.importorskip("nvmath.bindings.mathdx")
from tests.libraries import needs  # noqa: E402

needs_mathdx = needs("libmathdx", mathdx.cufftdxGetVersion)


@needs_mathdx
def test_candidates_for_the_goal_problem():
    p = F.Problem(4096, "complex64", 4096, 4096, "forward")
    c = F.candidates(p, (9, 0), has_prolog=False, has_epilog=True, limit=3)
    assert len(c) == 3 and not any(k.staged for k in c)
    # cuFFTDx's first pair, then the one-FFT blocks of 256 threads (what the H200 liked) and of
    # the first pair's width; register-capped variants only after cuFFTDx's other pairs.
    assert c[1] == F.Knobs(16, 1)
    assert c[2] == F.Knobs(c[0].elements_per_thread, 1) or c[0].elements_per_thread == 16
    every = F.candidates(p, (9, 0), has_prolog=False, has_epilog=True, limit=20)
    capped = [k for k in every if k.max_registers]
    assert [k.max_registers for k in capped] == [64, 48] and all(k.elements_per_thread == 16 for k in capped)
    assert every.index(capped[0]) > max(every.index(k) for k in every if not k.max_registers and not k.staged)
    assert F.candidates(p, (9, 0), has_prolog=False, has_epilog=True, limit=9)[-1].staged  # staged: last
    for k in c:
        assert (4096 // k.elements_per_thread) * k.ffts_per_block <= 1024
    # Callbacks on both sides, or complex128: nothing to stage.
    both = F.candidates(p, (9, 0), has_prolog=True, has_epilog=True, limit=3)
    assert not any(k.staged for k in both)
    double = F.candidates(
        F.Problem(4096, "complex128", 4096, 4096, "forward"), "sm_90", has_prolog=False, has_epilog=False
    )
    assert not any(k.staged for k in double)
    assert F.candidates(p, (9, 0), has_prolog=False, has_epilog=False, limit=1) == c[:1]


@needs_mathdx
def test_candidates_of_a_size_cufftdx_lacks_raise():
    with pytest.raises(ValueError):
        F.candidates(F.Problem(65536, "complex64", 65536, 65536, "forward"), (9, 0), has_prolog=False, has_epilog=False)


def test_staging_needs_even_rows_and_no_callback():
    p = F.Problem(4096, "complex64", 4096, 4097, "forward")
    k = F.Knobs(16, 2, True)
    assert F.can_stage(p, k, "in", False) and not F.can_stage(p, k, "in", True)
    assert not F.can_stage(p, k, "out", False)  # odd output distance: rows not 16-byte aligned
    assert not F.can_stage(p, F.Knobs(16, 2), "in", False)
    assert not F.can_stage(F.Problem(4096, "complex128", 4096, 4096, "forward"), k, "in", False)


# -- the generated source ----------------------------------------------------------------------------
def _shape(**kw):
    base = dict(
        size=4096,
        ept=16,
        stride=256,
        fpb=2,
        storage=16,
        in_dist=4096,
        out_dist=4096,
        prolog=False,
        epilog=True,
        stage_in=True,
        stage_out=False,
    )
    base.update(kw)
    return F._Shape(**base)


def test_source_is_unrolled_and_coalesced():
    src = F.kernel_source(_shape())
    ast.parse(src)
    assert "for " not in src  # every loop unrolled
    # Epilog on every element, each warp on consecutive elements (tx + i * 256).
    assert [f"_epilog(dst, ob + {i * 256}, td[{i}], out_info)" in src for i in range(16)] == [True] * 16
    # Staged load: 8 chunks of two elements per thread, then the strided elements from shared memory.
    assert src.count("_load2(src, pb + ") == 8 and "td[15] = smem[sr + 3840]" in src
    assert src.count("cuda.syncthreads()") == 2 and "if flags & 1:" in src
    assert "_store2" not in src and "_prolog" not in src


def test_source_with_prolog_and_staged_store():
    src = F.kernel_source(_shape(prolog=True, epilog=False, stage_in=False, stage_out=True))
    ast.parse(src)
    assert src.count("_prolog(src, ib + ") == 16 and "_load2" not in src
    assert src.count("_store2(dst, pb + ") == 8 and "if flags & 2:" in src and "_store(dst, ob + 0, td[0])" in src


def test_source_guards_elements_beyond_the_row():
    src = F.kernel_source(_shape(size=12, ept=4, stride=4, fpb=1, storage=4, stage_in=False))
    ast.parse(src)
    # Elements 0..2 of threads 0..3 lie in the row; element 3 (indices 12..15) does not.
    assert "if tx + 12 < 12:" in src and "if tx + 8 < 12" not in src


def test_unit_stride_c2c_source_is_unchanged_by_the_new_fields():
    src = F.kernel_source(_shape(stage_in=False, prolog=True))
    assert src == F.kernel_source(_shape(stage_in=False, prolog=True, fft_type="C2C", in_stride=1, out_stride=1))
    assert "    ib = row * 4096 + tx\n" in src and "    ob = row * 4096 + tx\n" in src
    assert "_pack" not in src and "rzero" not in src and ".real" not in src


def _real_shape(fft_type, **kw):
    # 64 points, 8 threads of 8 elements: the complex side has 33 elements, in registers 0..4.
    base = dict(size=64, ept=8, stride=8, fpb=1, storage=8, stage_in=False, prolog=True, epilog=True)
    base.update(kw)
    in_dist, out_dist = (64, 33) if fft_type == "R2C" else (33, 64)
    return _shape(in_dist=in_dist, out_dist=out_dist, fft_type=fft_type, **base)


def test_r2c_source_packs_reals_and_stores_half_the_spectrum():
    src = F.kernel_source(_real_shape("R2C"))
    ast.parse(src)
    assert "for " not in src
    # Real element x + 8 i at offset ib + 8 i, two to a register; zero where no thread loads one.
    assert all(f"r{i} = _prolog(src, ib + {8 * i}, in_info)" in src for i in range(8))
    assert src.count("= rzero") == 8
    assert all(f"td[{m}] = _pack(r{2 * m}, r{2 * m + 1})" in src for m in range(4))
    # Complex element x + 8 i (i <= 4; the last only for x == 0) through the epilog.
    assert all(f"_epilog(dst, ob + {8 * i}, td[{i}], out_info)" in src for i in range(5))
    assert "td[5]" not in src and "if tx + 32 < 33:" in src and src.count("if tx") == 1


def test_r2c_source_with_odd_elements_per_thread_pads_with_zero():
    src = F.kernel_source(_real_shape("R2C", size=15, ept=5, stride=3, storage=5, prolog=False, epilog=False))
    ast.parse(src)
    assert "r5 = rzero" in src and "td[2] = _pack(r4, r5)" in src and "r5 = _load" not in src
    assert "r0 = _load(src, ib + 0)" in src and "_store(dst, ob + 6, td[2])" in src
    assert "td[3]" not in src  # 8 complex values: registers 0..2 of 3 threads


def test_c2r_source_loads_half_the_spectrum_and_stores_reals():
    src = F.kernel_source(_real_shape("C2R"))
    ast.parse(src)
    assert all(f"td[{i}] = _prolog(src, ib + {8 * i}, in_info)" in src for i in range(5))
    assert "td[5] =" not in src and "if tx + 32 < 33:" in src
    for i in range(8):
        assert f"_epilog(dst, ob + {8 * i}, td[{i // 2}].{'imag' if i % 2 else 'real'}, out_info)" in src
    assert "_pack" not in src and src.count("if tx") == 1


def test_strided_source_scales_the_element_offsets():
    src = F.kernel_source(
        _shape(
            size=64,
            ept=8,
            stride=8,
            storage=8,
            in_dist=1,
            out_dist=64,
            in_stride=16,
            out_stride=3,
            stage_in=False,
            prolog=True,
        )
    )
    ast.parse(src)
    assert "    ib = row * 1 + tx * 16\n" in src and "    ob = row * 64 + tx * 3\n" in src
    assert all(f"td[{i}] = _prolog(src, ib + {128 * i}, in_info)" in src for i in range(8))
    assert all(f"_epilog(dst, ob + {24 * i}, td[{i}], out_info)" in src for i in range(8))
    src = F.kernel_source(_real_shape("R2C", in_stride=5, out_stride=2))
    assert "r3 = _prolog(src, ib + 120, in_info)" in src and "_epilog(dst, ob + 64, td[4], out_info)" in src


# -- kernels compiled and linked for sm_90 without a GPU ------------------------------------------------
def _scale_by_column(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 4096]


def _twice(data_in, offset, user_info, unused):
    return data_in[offset] * 2.0


@pytest.fixture(scope="module")
def callbacks():
    from nvmath.fft.callbacks import compile_epilog, compile_prolog

    out = {}
    for dtype in ("complex64", "complex128"):
        e = compile_epilog(_scale_by_column, dtype, dtype, compute_capability="sm_90")
        p = compile_prolog(_twice, dtype, "float32", compute_capability="sm_90")
        out[dtype] = (F.Callback("prolog", p.symbol, bytes(p)), F.Callback("epilog", e.symbol, bytes(e)))
    return out


def _ptx(kernel):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(
        kernel.dispatcher.py_func, kernel.signature(), device=False, abi="numba", output="ltoir", cc=(9, 0, "a")
    )
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    return link(inputs, compute_capability="sm_90a", output="ptx").decode()


@needs_mathdx
def test_epilog_kernel_links_to_a_cubin_and_is_cached(callbacks):
    from nvmath.device.kernel_cache import KernelCache, entry_names, precompile

    _, epilog = callbacks["complex64"]
    p = F.Problem(4096, "complex64", 4096, 4096, "forward")
    k = F.FusedKernel(p, F.Knobs(16, 2, True), None, epilog, (9, 0))
    assert k.block == (256, 2, 1) and k.shape.stage_in and not k.shape.stage_out
    assert k.shared_memory >= 2 * 4096 * 8
    info = precompile(k.dispatcher, k.signature(), "sm_90")
    assert info["target"] == "sm_90a" and info["cubin_bytes"] > 0
    # The same kernel built again (another process would) has the same cache key; another
    # epilog, another key.
    again = F.FusedKernel(p, F.Knobs(16, 2, True), None, epilog, (9, 0))
    key = KernelCache(k.dispatcher).key(k.signature(), (9, 0, "a"))
    assert key is not None and KernelCache(again.dispatcher).key(again.signature(), (9, 0, "a")) == key
    other = F.Callback("epilog", epilog.symbol, epilog.code + b"")
    assert other.identity == epilog.identity
    prolog, _ = callbacks["complex64"]
    with_prolog = F.FusedKernel(p, F.Knobs(16, 2, True), prolog, epilog, (9, 0))
    assert KernelCache(with_prolog.dispatcher).key(with_prolog.signature(), (9, 0, "a")) != key
    assert entry_names  # used by precompile to check the single entry


@needs_mathdx
def test_register_capped_kernel_links_under_its_own_key(callbacks):
    from nvmath.device.kernel_cache import KernelCache, precompile

    _, epilog = callbacks["complex64"]
    p = F.Problem(4096, "complex64", 4096, 4096, "forward")
    plain = F.FusedKernel(p, F.Knobs(16, 1), None, epilog, (9, 0))
    capped = F.FusedKernel(p, F.Knobs(16, 1, max_registers=48), None, epilog, (9, 0))
    assert capped.dispatcher.targetoptions["max_registers"] == 48
    assert plain.dispatcher.targetoptions.get("max_registers") is None
    cc = (9, 0, "a")
    assert KernelCache(capped.dispatcher).key(capped.signature(), cc) != KernelCache(plain.dispatcher).key(
        plain.signature(), cc
    )
    info = precompile(capped.dispatcher, capped.signature(), "sm_90")  # -maxrregcount=48 at the link
    assert info["cubin_bytes"] > 0


@needs_mathdx
def test_callbacks_are_inlined_with_vector_accesses(callbacks):
    prolog, epilog = callbacks["complex64"]
    p = F.Problem(4096, "complex64", 4096, 4096, "forward")
    k = F.FusedKernel(p, F.Knobs(32, 2), prolog, epilog, (9, 0))
    ptx = _ptx(k)
    entry = ptx[ptx.index(".entry") :]
    assert prolog.symbol not in entry and epilog.symbol not in entry  # inlined: no call left
    assert "ld.global.v2.f32" in entry and "st.global.v2.f32" in entry
    assert "ld.global.f32" not in entry and "st.global.f32" not in entry  # no element split in two


@needs_mathdx
def test_double_precision_kernel_links(callbacks):
    from nvmath.device.kernel_cache import precompile

    prolog, epilog = callbacks["complex128"]
    p = F.Problem(1024, "complex128", 1024, 1024, "inverse")
    knobs = F.candidates(p, (9, 0), has_prolog=True, has_epilog=True)[0]
    k = F.FusedKernel(p, knobs, prolog, epilog, (9, 0))
    assert not (k.shape.stage_in or k.shape.stage_out)
    assert precompile(k.dispatcher, k.signature(), "sm_90")["cubin_bytes"] > 0


@needs_mathdx
def test_unstaged_kernel_with_no_callbacks_stores_directly():
    p = F.Problem(256, "complex64", 300, 256, "forward")
    first = F.candidates(p, (9, 0), has_prolog=False, has_epilog=False)[0]
    assert not first.staged
    k = F.FusedKernel(p, first, None, None, (9, 0))
    ptx = _ptx(k)
    entry = ptx[ptx.index(".entry") :]
    assert "ld.global.v2.f32" in entry and "st.global.v2.f32" in entry
    assert k.flags(256, 512) == 0  # nothing staged


def _halve(data_in, offset, user_info, unused):
    return data_in[offset] * 0.5


def _real_times_weight(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 256]


def _store_times_weight(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 129]


def _store_real_plus_one(data_out, offset, value, user_info, unused):
    data_out[offset] = value + 1.0


@pytest.fixture(scope="module")
def real_callbacks():
    """cuFFT's R2C and C2R callbacks: prologs and epilogs of the real and the complex side."""
    from nvmath.fft.callbacks import compile_epilog, compile_prolog

    def cb(kind, func, element, info="float32"):
        compile = compile_prolog if kind == "prolog" else compile_epilog
        art = compile(func, element, info, compute_capability="sm_90")
        return F.Callback(kind, art.symbol, bytes(art))

    return {
        "R2C-complex64": (cb("prolog", _real_times_weight, "float32"), cb("epilog", _store_times_weight, "complex64")),
        "R2C-complex128": (None, cb("epilog", _store_times_weight, "complex128", "float64")),
        "C2R-complex64": (cb("prolog", _halve, "complex64"), cb("epilog", _store_real_plus_one, "float32")),
        "C2R-complex128": (cb("prolog", _halve, "complex128"), None),
    }


def _entry_ptx(kernel):
    ptx = _ptx(kernel)
    return ptx[ptx.index(".entry") :]


@needs_mathdx
def test_r2c_kernel_with_prolog_epilog_and_user_info_links(real_callbacks):
    from nvmath.device.kernel_cache import precompile

    prolog, epilog = real_callbacks["R2C-complex64"]
    p = F.Problem(256, "complex64", 256, 129, "forward", "R2C")
    knobs = F.candidates(p, (9, 0), has_prolog=True, has_epilog=True, limit=9)
    assert knobs and not any(k.staged for k in knobs)
    k = F.FusedKernel(p, knobs[0], prolog, epilog, (9, 0))
    assert k.fft.fft_type == "r2c" and not (k.shape.stage_in or k.shape.stage_out)
    entry = _entry_ptx(k)
    assert prolog.symbol not in entry and epilog.symbol not in entry  # inlined
    assert "ld.global.f32" in entry  # the reals (and user_info), one at a time
    assert "st.global.v2.f32" in entry and "st.global.f32" not in entry  # complex values, whole
    assert precompile(k.dispatcher, k.signature(), "sm_90")["cubin_bytes"] > 0
    assert "R2C float32 -> complex64 of size 256" in k.describe()


@needs_mathdx
def test_c2r_kernel_with_prolog_and_epilog_links(real_callbacks):
    from nvmath.device.kernel_cache import precompile

    prolog, epilog = real_callbacks["C2R-complex64"]
    p = F.Problem(256, "complex64", 129, 256, "inverse", "C2R")
    k = F.FusedKernel(p, F.candidates(p, (9, 0), has_prolog=True, has_epilog=True)[0], prolog, epilog, (9, 0))
    assert k.fft.fft_type == "c2r"
    entry = _entry_ptx(k)
    assert prolog.symbol not in entry and epilog.symbol not in entry
    assert "ld.global.v2.f32" in entry and "st.global.f32" in entry and "st.global.v2.f32" not in entry
    assert precompile(k.dispatcher, k.signature(), "sm_90")["cubin_bytes"] > 0


@needs_mathdx
@pytest.mark.parametrize("fft_type, size", [("R2C", 255), ("C2R", 250)])
def test_double_precision_real_kernels_with_one_callback_link(real_callbacks, fft_type, size):
    from nvmath.device.kernel_cache import precompile

    prolog, epilog = real_callbacks[f"{fft_type}-complex128"]
    half = size // 2 + 1
    dists = (size, half) if fft_type == "R2C" else (half, size)
    direction = "forward" if fft_type == "R2C" else "inverse"
    p = F.Problem(size, "complex128", *dists, direction, fft_type)
    knobs = F.candidates(p, (9, 0), has_prolog=prolog is not None, has_epilog=epilog is not None)[0]
    k = F.FusedKernel(p, knobs, prolog, epilog, (9, 0))
    assert precompile(k.dispatcher, k.signature(), "sm_90")["cubin_bytes"] > 0


@needs_mathdx
def test_strided_c2c_kernel_links_and_is_never_staged(callbacks):
    from nvmath.device.kernel_cache import KernelCache, precompile

    prolog, epilog = callbacks["complex64"]
    # Over axis 0 of a C-ordered (256, batch) array, into rows of unit stride.
    p = F.Problem(256, "complex64", 1, 256, "forward", "C2C", in_stride=64, out_stride=1)
    knobs = F.candidates(p, (9, 0), has_prolog=False, has_epilog=False, limit=9)
    assert not any(k.staged for k in knobs)
    staged = F.Knobs(knobs[0].elements_per_thread, knobs[0].ffts_per_block, True)
    k = F.FusedKernel(p, staged, prolog, epilog, (9, 0))
    assert not (k.shape.stage_in or k.shape.stage_out) and k.flags(1024, 2048) == 0
    assert "ib = row * 1 + tx * 64" in k.source
    assert precompile(k.dispatcher, k.signature(), "sm_90")["cubin_bytes"] > 0
    # The same kernel over rows of unit stride is another kernel.
    unit = F.FusedKernel(dataclasses.replace(p, in_dist=256, in_stride=1), staged, prolog, epilog, (9, 0))
    assert KernelCache(unit.dispatcher).key(unit.signature(), (9, 0, "a")) != KernelCache(k.dispatcher).key(
        k.signature(), (9, 0, "a")
    )


def test_staging_flags_follow_the_addresses():
    k = object.__new__(F.FusedKernel)
    k.shape = _shape(stage_in=True, stage_out=True)
    assert k.flags(1024, 2048) == 3
    assert k.flags(1032, 2048) == 2  # a source that is not 16-byte aligned is read element-wise
    assert k.flags(1024, 2056) == 1


# -- the choice --------------------------------------------------------------------------------------
class _FakeTimer:
    """Returns each contender's time from a table; records the order of the runs."""

    def __init__(self, times):
        self.times, self.order = times, []

    def __call__(self, run):
        self.order.append(run.name)
        return self.times[run.name]


def _run(name):
    def run():
        pass

    run.name = name
    return run


def test_choose_takes_the_fastest_median_and_alternates():
    timer = _FakeTimer({"cufft": 1.0, "ept16_fpb2": 0.8, "ept32_fpb2": 0.9})
    contenders = {n: _run(n) for n in ("cufft", "ept16_fpb2", "ept32_fpb2")}
    best, times = S.choose(contenders, timer, rounds=3)
    assert best == "ept16_fpb2" and times == {"cufft": 1.0, "ept16_fpb2": 0.8, "ept32_fpb2": 0.9}
    assert timer.order[:3] == ["cufft", "ept16_fpb2", "ept32_fpb2"]
    assert timer.order[3:6] == ["ept16_fpb2", "ept32_fpb2", "cufft"]  # rotated in the next round


def test_choose_uses_medians_and_breaks_ties_by_order():
    samples = {"cufft": iter([1.0, 9.0, 1.0]), "fused": iter([0.5, 1.0, 1.0])}
    best, times = S.choose({n: _run(n) for n in samples}, lambda run: next(samples[run.name]), rounds=3)
    assert best == "cufft" and times == {"cufft": 1.0, "fused": 1.0}
    with pytest.raises(ValueError, match="at least one contender"):
        S.choose({}, lambda run: 0.0)


@pytest.fixture
def record(tmp_path, monkeypatch):
    path = tmp_path / "choices.json"
    monkeypatch.setattr(S, "record_path", lambda: str(path))
    monkeypatch.setattr(S, "_choices", {})
    monkeypatch.setattr(S, "_device_name", lambda device_id: "Fake H200")
    return path


def test_record_round_trip_and_bad_files(record, monkeypatch):
    p = F.Problem(4096, "complex64", 4096, 4096, "forward")
    key = S.record_key("Fake H200", p, 16384, None, "epilog:x:abc")
    assert key == S.record_key("Fake H200", p, 16384, None, "epilog:x:abc")
    assert key != S.record_key("Other GPU", p, 16384, None, "epilog:x:abc")
    assert key != S.record_key("Fake H200", p, 8192, None, "epilog:x:abc")
    assert S.load_choice(key) is None
    S.store_choice(key, {"choice": "ept16_fpb2_staged", "times_ms": {"cufft": 1.0}})
    on_disk = json.loads(record.read_text())
    assert on_disk["entries"][key]["choice"] == "ept16_fpb2_staged"
    monkeypatch.setattr(S, "_choices", {})  # a new process
    assert S.load_choice(key)["choice"] == "ept16_fpb2_staged"
    # A damaged file or a bad entry is no choice, never an error.
    monkeypatch.setattr(S, "_choices", {})
    record.write_text("{not json")
    assert S.load_choice(key) is None
    record.write_text(json.dumps({"schema": S._RECORD_SCHEMA, "entries": {key: {"choice": "fastest"}}}))
    assert S.load_choice(key) is None
    # A record of the schema before problems had a type and strides is rejected, not misread.
    record.write_text(json.dumps({"schema": 1, "entries": {key: {"choice": "ept16_fpb2"}}}))
    assert S._RECORD_SCHEMA > 1 and S.load_choice(key) is None
    S.store_choice(key, {"choice": "cufft"})  # rewrites the damaged file
    monkeypatch.setattr(S, "_choices", {})
    assert S.load_choice(key)["choice"] == "cufft"


class _FakeBackend:
    def __init__(self, spec):
        self.spec, self.handle, self.device_operand, self.device_id = spec, 1, object(), 0


def _fused_execution(spec, mode="auto"):
    from nvmath.jit.arch import Target

    return S.FusedExecution(spec, FFTDirection.FORWARD, {}, Target(9, 0), 0, mode)


def test_auto_times_once_then_uses_the_record(record, monkeypatch, caplog):
    spec = _spec((64, 4096))
    built, timed = [], []
    monkeypatch.setattr(S, "_build", lambda fused, knobs, strict: built.append(knobs) or True)
    monkeypatch.setattr(
        F, "candidates", lambda *a, **k: [F.Knobs(16, 2), F.Knobs(16, 2, True), F.Knobs(32, 2)][: k.get("limit", 3)]
    )

    def fake_time(backend, fused, knobs_list, stream):
        timed.append([k.label() for k in knobs_list])
        return "ept16_fpb2_staged", {"cufft": 0.30, "ept16_fpb2": 0.29, "ept16_fpb2_staged": 0.27, "ept32_fpb2": 0.31}

    monkeypatch.setattr(S, "_time", fake_time)
    fused = _fused_execution(spec)
    assert fused.needs_cufft and fused.recorded is None
    with caplog.at_level(logging.INFO, logger="nvmath.fft"):
        chosen = S.finish(_FakeBackend(spec), fused, stream=None)
    assert chosen is fused and fused.knobs == F.Knobs(16, 2, True)
    assert timed == [["ept16_fpb2", "ept16_fpb2_staged", "ept32_fpb2"]]
    assert any("ept16_fpb2_staged chosen" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    # A later plan (here or in another process) takes the record without timing or cuFFT.
    monkeypatch.setattr(S, "_choices", {})
    again = _fused_execution(spec)
    assert not again.needs_cufft and again.recorded["choice"] == "ept16_fpb2_staged"
    monkeypatch.setattr(S, "_time", lambda *a: pytest.fail("timed again"))
    assert S.finish(_FakeBackend(spec), again, stream=None).knobs == F.Knobs(16, 2, True)


def test_auto_remembers_when_cufft_wins(record, monkeypatch, caplog):
    spec = _spec((64, 1024))
    monkeypatch.setattr(S, "_build", lambda fused, knobs, strict: True)
    monkeypatch.setattr(F, "candidates", lambda *a, **k: [F.Knobs(16, 1)])
    monkeypatch.setattr(S, "_time", lambda *a: ("cufft", {"cufft": 0.1, "ept16_fpb1": 0.2}))
    with caplog.at_level(logging.INFO, logger="nvmath.fft"):
        assert S.finish(_FakeBackend(spec), _fused_execution(spec), stream=None) is None
    assert any("cuFFT chosen" in r.getMessage() for r in caplog.records)
    again = _fused_execution(spec)
    assert again.needs_cufft and again.recorded["choice"] == "cufft"
    monkeypatch.setattr(S, "_time", lambda *a: pytest.fail("timed again"))
    assert S.finish(_FakeBackend(spec), again, stream=None) is None
    # Forced, the fused kernel runs it all the same (without a cuFFT plan).
    forced = _fused_execution(spec, mode="cufftdx")
    assert not forced.needs_cufft
    assert S.finish(_FakeBackend(spec), forced, stream=None).knobs == F.Knobs(16, 1)


def test_auto_without_a_buildable_kernel_keeps_cufft(record, monkeypatch):
    spec = _spec((64, 4096))
    monkeypatch.setattr(S, "_build", lambda fused, knobs, strict: False)
    monkeypatch.setattr(F, "candidates", lambda *a, **k: [F.Knobs(16, 2)])
    monkeypatch.setattr(S, "_time", lambda *a: pytest.fail("nothing to time"))
    assert S.finish(_FakeBackend(spec), _fused_execution(spec), stream=None) is None


def test_build_failures_are_logged_in_auto_and_raised_when_forced(caplog):
    class Broken:
        def kernel(self, knobs):
            raise RuntimeError("link failed")

    with caplog.at_level(logging.DEBUG, logger="nvmath.fft"):
        assert S._build(Broken(), F.Knobs(16, 2), strict=False) is False
    assert any(r.levelno == logging.WARNING and "link failed" in r.getMessage() for r in caplog.records)
    with pytest.raises(RuntimeError, match="link failed"):
        S._build(Broken(), F.Knobs(16, 2), strict=True)
