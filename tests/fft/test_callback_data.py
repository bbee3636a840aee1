"""Prolog/epilog user_info and error reporting: what the callback may index, and how a bad
callback is reported, on the CPU path (and the GPU compile path, which needs no GPU).

Cases that used to read a bad address run in a fresh interpreter, so that a crash fails the
test rather than the test run.
"""

import logging
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nvmath
from nvmath.fft import FFT
from nvmath.jit import CallbackSignatureError, CompileError
from tests.fft.cases import assert_close, random, reference


def run_isolated(body: str) -> str:
    """Run ``body`` (after a common prelude) in a fresh interpreter; its stdout. A crash fails."""
    prelude = textwrap.dedent("""
        import numpy as np
        import nvmath
        rng = np.random.default_rng()
        x = (rng.standard_normal((4, 16)) + 1j * rng.standard_normal((4, 16))).astype(np.complex64)
    """)
    out = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(body)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, f"exit status {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    return out.stdout


def test_int_data_is_refused_on_the_cpu():
    # Before: the int was used as a host address (a crash, or garbage read).
    out = run_isolated("""
        def epilog(data_out, offset, value, user_info, unused):
            data_out[offset] = value * user_info[offset % 16]
        try:
            nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=0x7F0000001000))
        except TypeError as e:
            print("refused:", e)
    """)
    assert "refused: epilog.data=139637976731648 is an int" in out
    assert "NumPy array or a CPU tensor" in out


def test_reading_user_info_without_data_is_refused_on_the_cpu():
    # Before: user_info was a NULL pointer (a crash).
    out = run_isolated("""
        def prolog(data_in, offset, user_info, unused):
            return data_in[offset] * user_info[0]
        try:
            nvmath.fft.fft(x, axes=[1], prolog=prolog)
        except ValueError as e:
            print("refused:", e)
    """)
    assert "refused: the prolog prolog reads user_info, but prolog.data is None" in out


def test_callback_that_ignores_user_info_needs_no_data():
    x = random((3, 16), "complex64")

    def negate(data_out, offset, value, user_info, unused):
        data_out[offset] = -value

    assert_close(nvmath.fft.fft(x, axes=[1], epilog=negate), -reference(x, (1,), "C2C"), "complex64")


@pytest.mark.parametrize(
    "expression, index",
    [
        ("user_info[offset + 1000000]", None),  # far past the end
        ("user_info[16]", "16"),  # one past the end
        ("user_info[-1]", "-1"),  # before the start (a pointer has no negative wraparound)
    ],
)
def test_reads_outside_user_info_raise_index_error(expression, index):
    # Before: the pass read whatever lay there (garbage, or a crash).
    out = run_isolated(f"""
        def epilog(data_out, offset, value, user_info, unused):
            data_out[offset] = value * {expression}
        g = np.ones(16, np.float32)
        try:
            nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=g))
        except IndexError as e:
            print("raised:", e)
    """)
    assert "raised: the epilog epilog indexed user_info[" in out
    assert "outside the 16 elements of its data (float32); valid indices are 0 to 15" in out
    if index is not None:
        assert f"user_info[{index}]" in out


def test_writes_outside_user_info_raise_and_touch_nothing():
    out = run_isolated("""
        def prolog(data_in, offset, user_info, unused):
            user_info[offset + 8] = 1.0  # 8 past the end for the last 8 offsets
            return data_in[offset]
        backing = np.zeros(80, np.float32)
        seen = backing[:64]  # the 16 floats after it must stay zero
        try:
            nvmath.fft.fft(x, axes=[1], prolog=dict(function=prolog, data=seen))
        except IndexError as e:
            print("raised:", e)
        print("after:", int(np.count_nonzero(backing[64:])), int(np.count_nonzero(seen)))
    """)
    assert "raised: the prolog prolog indexed user_info[64]" in out
    assert "after: 0 56" in out


def test_record_index_outside_user_info_raises():
    out = run_isolated("""
        rec = np.dtype([("gain", np.float32), ("bias", np.float32)], align=True)
        def epilog(data_out, offset, value, user_info, unused):
            p = user_info[offset]
            data_out[offset] = value * p.gain + p.bias
        try:
            nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=np.ones(60, rec)))
        except IndexError as e:
            print("raised:", e)
    """)
    assert "raised: the epilog epilog indexed user_info[60], outside the 60 elements" in out


def test_out_of_bounds_is_reported_from_any_chunk():
    # 4 threads, 4 chunks: the bad index is in the last one.
    x = random((1 << 10, 1 << 10), "complex64")
    g = np.ones(x.size - 1, np.float32)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset]

    with FFT(x, axes=[1], execution=nvmath.fft.ExecutionCPU(num_threads=4)) as f:
        f.plan(epilog=dict(function=epilog, data=g))
        with pytest.raises(IndexError, match=rf"user_info\[{x.size - 1}\], outside the {x.size - 1} elements"):
            f.execute()


@pytest.mark.parametrize(
    "make",
    [
        lambda w: np.repeat(w, 2)[::2],  # strided
        lambda w: w[::-1].copy()[::-1],  # reversed
        lambda w: np.asfortranarray(w.reshape(4, 4)),  # 2-D, column-major: indexed in C order
    ],
    ids=["strided", "reversed", "fortran"],
)
def test_non_contiguous_data_is_copied_once_and_logged(make, caplog):
    # Before: the array was read as if it were contiguous (silently wrong values).
    rng = np.random.default_rng()
    w = rng.standard_normal(16).astype(np.float32)
    data = make(w)
    assert not data.flags.c_contiguous
    x = random((5, 16), "complex64", rng)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 16]

    with caplog.at_level(logging.WARNING, logger="nvmath"):
        got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=data))
    assert_close(got, reference(x, (1,), "C2C") * w[None, :], "complex64")
    assert any("epilog.data is copied" in r.getMessage() and "C-contiguous" in r.getMessage() for r in caplog.records)


def test_torch_cpu_tensor_as_user_info():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng()
    w = rng.standard_normal(32).astype(np.float32)
    x = random((3, 16), "complex64", rng)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 16]

    strided = torch.from_numpy(w)[::2]  # non-contiguous too
    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=strided))
    assert_close(got, reference(x, (1,), "C2C") * w[::2][None, :], "complex64")


# -- errors: one check for both paths ------------------------------------------------------------


def test_wrong_arity_gives_the_same_error_on_cpu_and_gpu_paths():
    # Before: the CPU path gave Numba's "Cannot bind ..." dump from its inlining pass.
    def epilog(data_out, offset, value, user_info):
        data_out[offset] = value

    x = random((2, 8), "complex64")
    with pytest.raises(CallbackSignatureError) as cpu:
        nvmath.fft.fft(x, axes=[1], epilog=epilog)
    with pytest.raises(CallbackSignatureError) as gpu:
        nvmath.fft.compile_epilog(epilog, "complex64", "float32", compute_capability="sm_90")
    assert str(cpu.value) == str(gpu.value)
    assert "epilog(data_out, offset, value, user_info, unused)" in str(cpu.value)


def test_wrong_arity_is_found_before_compiling(monkeypatch):
    from nvmath.fft import _cpu_callbacks

    def boom(*args, **kwargs):
        raise AssertionError("compiled")

    monkeypatch.setattr(_cpu_callbacks, "get_pass", boom)

    def prolog(data_in, offset):
        return data_in[offset]

    with pytest.raises(CallbackSignatureError, match="exactly 4 positional parameters"):
        nvmath.fft.fft(random((2, 8), "complex64"), axes=[1], prolog=prolog)


REC = np.dtype([("a", np.float32), ("b", np.float32)])


def misspelled(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0].c


def _check_field_error(error):
    msg = str(error)
    assert "the epilog misspelled" in msg and "'c'" in msg and "its fields are: a, b" in msg
    assert "test_callback_data.py" in msg


def test_record_field_typo_is_a_compile_error_on_the_cpu():
    # Before: a bare KeyError: 'c' from Numba's typing.
    with pytest.raises(CompileError) as info:
        nvmath.fft.fft(random((2, 8), "complex64"), axes=[1], epilog=dict(function=misspelled, data=np.ones(2, REC)))
    _check_field_error(info.value)


def test_record_field_typo_is_a_compile_error_on_the_gpu_compile_path():
    with pytest.raises(CompileError) as info:
        nvmath.fft.compile_epilog(misspelled, "complex64", REC, compute_capability="sm_90")
    _check_field_error(info.value)


def test_nested_record_field_typo_names_the_inner_fields():
    outer = np.dtype([("inner", REC), ("scale", np.float32)])

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0].inner.z

    with pytest.raises(CompileError, match=r"field 'z' .* its fields are: a, b"):
        nvmath.fft.fft(random((2, 8), "complex64"), axes=[1], epilog=dict(function=epilog, data=np.ones(1, outer)))


@pytest.mark.parametrize("dtype", ["float16", np.dtype([("h", np.float16), ("f", np.float32)])], ids=str)
def test_float16_user_info_is_refused_at_plan_time_on_the_cpu(dtype):
    # Before: NotImplementedError: float16 from Numba's data model.
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    with pytest.raises(TypeError) as info:
        nvmath.fft.fft(random((2, 8), "complex64"), axes=[1], epilog=dict(function=epilog, data=np.ones(8, dtype)))
    msg = str(info.value)
    assert "epilog.data has dtype" in msg and "float16" in msg
    assert "accepted user_info dtypes: bool, int8" in msg and "float32, float64, complex64, complex128" in msg


@pytest.mark.parametrize("dtype", ["int16", "uint64", "bool", "complex128"])
def test_other_scalar_user_info_dtypes_work_on_the_cpu(dtype):
    rng = np.random.default_rng()
    x = random((3, 8), "complex128", rng)
    w = (rng.standard_normal(8) * 4).astype(dtype)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 8]

    got = nvmath.fft.fft(x, axes=[1], epilog=dict(function=epilog, data=w))
    assert_close(got, reference(x, (1,), "C2C") * w.astype(np.complex128)[None, :], "complex128")


def test_reads_user_info_from_bytecode():
    from nvmath.fft.callbacks import reads_user_info

    def reads(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0]

    def ignores(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    def captures(data_out, offset, value, user_info, unused):
        f = lambda: user_info[0]
        data_out[offset] = value * f()

    def prolog(data_in, offset, info, unused):
        return data_in[offset] * info[0]

    assert reads_user_info(reads, "epilog")
    assert not reads_user_info(ignores, "epilog")
    assert reads_user_info(captures, "epilog")
    assert reads_user_info(prolog, "prolog")


# -- GPU ------------------------------------------------------------------------------------------


def _cupy():
    return pytest.importorskip("cupy")


@pytest.mark.gpu
def test_gpu_non_contiguous_data_is_copied_once(caplog):
    cp = _cupy()
    rng = np.random.default_rng()
    w = rng.standard_normal(32).astype(np.float32)
    x = random((4, 16), "complex64", rng)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 16]

    with caplog.at_level(logging.WARNING, logger="nvmath"):
        got = nvmath.fft.fft(cp.asarray(x), axes=[1], epilog=dict(function=epilog, data=cp.asarray(w)[::2]))
    assert_close(cp.asnumpy(got), reference(x, (1,), "C2C") * w[::2][None, :], "complex64")
    assert any("epilog.data is copied" in r.getMessage() for r in caplog.records)


@pytest.mark.gpu
def test_gpu_reading_user_info_without_data_is_refused():
    cp = _cupy()

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0]

    with pytest.raises(ValueError, match="reads user_info, but epilog.data is None"):
        nvmath.fft.fft(cp.ones((2, 8), cp.complex64), axes=[1], epilog=epilog)
