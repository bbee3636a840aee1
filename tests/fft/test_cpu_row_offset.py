"""The offset a row-by-row CPU pass gives a callback (``nvmath.fft._cpu_row_offset``): every
use of it gives what the plain uint64 offset gives, ``offset % row_length`` and
``offset // row_length`` without a division, and a callback whose use of it does not type
still compiles (with the plain offset). Compared element for element with the flat pass, on
fresh random data, and through the public API against NumPy."""

import logging

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nvmath
from nvmath.fft import _cpu_callbacks
from tests.fft.cases import assert_close, random

ROW = 6  # the row length the row passes are compiled for in the forms below

# Epilog bodies that use the offset in every way a callback might.
FORMS = {
    "column": "data_out[offset] = value * user_info[offset % 6]",
    "another modulus": "data_out[offset] = value * user_info[offset % 5]",
    "row": "data_out[offset] = value * (offset // 6)",
    "another divisor": "data_out[offset] = value * (offset // 4)",
    "unsigned modulus": "data_out[offset] = value * user_info[offset % np.uint64(6)]",
    "negative modulus": "data_out[offset] = value * (offset % -6)",
    "arithmetic": "data_out[offset] = value * (offset * 3 + 1 - 2)",
    "true division": "data_out[offset] = value * (offset / 6)",
    "power": "data_out[offset] = value * (offset ** 2)",
    "bits": "data_out[offset] = value * ((offset & 7) ^ (offset >> 1) | 1)",
    "negation": "data_out[offset] = value * (-offset)",
    "comparison": "data_out[offset] = value if offset < 17 else value * 2",
    "equality": "data_out[offset] = value * (offset == 7)",
    "int": "data_out[offset] = value * int(offset)",
    "float": "data_out[offset] = value * float(offset)",
    "divmod": "q, r = divmod(offset, 6)\n    data_out[offset] = value * (q * 10 + r)",
    "augmented": "o = offset\n    o += 3\n    o %= 6\n    data_out[offset] = value * o",
    "unified": "o = offset\n    if value.real > 0:\n        o = o + 1\n    data_out[offset] = value * o",
    "loop bound": "s = 0\n    for i in range(offset % 3):\n        s += i\n    data_out[offset] = value * s",
    "divisor": "data_out[offset] = value * (7 % (offset + 1))",
    "numpy scalar": "data_out[offset] = value * np.int64(offset)",  # not typed: the plain offset
    "min and max": "data_out[offset] = value * (max(offset, 7) - min(offset, 3))",  # likewise
}
PLAIN = {"numpy scalar", "min and max"}


def _epilog(body):
    namespace = {"np": np}
    exec(f"def epilog(data_out, offset, value, user_info, unused):\n    {body}\n", namespace)
    return namespace["epilog"]


def _run_epilog(cpass, y, info, threads=1):
    out = np.zeros_like(y)
    _cpu_callbacks.epilog_pass(cpass, y, out.ctypes.data, (y.shape[1], 1), 0, info, threads)
    return out


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_use_of_the_offset_gives_the_flat_passes_result(form):
    rng = np.random.default_rng()
    y = random((5, ROW), "complex128", rng)
    info = rng.standard_normal(8)
    func = _epilog(FORMS[form])
    flat = _cpu_callbacks.get_pass("epilog", func, "complex128", info.dtype)
    rows = _cpu_callbacks.get_pass("epilog", func, "complex128", info.dtype, row_length=ROW)
    assert rows.row_length == ROW and flat.row_length is None
    np.testing.assert_array_equal(_run_epilog(rows, y, info), _run_epilog(flat, y, info))


def test_uses_that_do_not_type_compile_with_the_plain_offset_and_say_so(caplog):
    from nvmath.fft._cpu_compile import compile_pass

    info = np.dtype("float64")
    for form, body in FORMS.items():
        compiled = compile_pass("epilog", _epilog(body), "complex128", info, row_length=ROW)
        if form in PLAIN:
            assert compiled.plain_offsets and "nopython" in compiled.plain_offsets, form
        else:
            assert compiled.plain_offsets is None, form
    func = _epilog("data_out[offset] = value * np.int32(offset)")  # a body no other test compiles
    with caplog.at_level(logging.INFO, logger="nvmath"):
        _cpu_callbacks.get_pass("epilog", func, "complex128", info, logging.getLogger("nvmath"), row_length=ROW)
    assert "gives it plain uint64 offsets" in caplog.text


def test_a_callback_that_does_not_compile_names_itself_not_the_row_offset():
    from nvmath.jit.errors import CompileError

    func = _epilog("data_out[offset] = value * undefined_name")
    with pytest.raises(CompileError) as e:
        _cpu_callbacks.get_pass("epilog", func, "complex128", np.dtype("float64"), row_length=ROW)
    assert "row_offset" not in str(e.value)
    assert "epilog" in str(e.value)


def test_the_row_length_as_a_runtime_divisor_still_gives_the_column():
    # user_info[0] holds the row length: the divisor is not a constant, the comparison with
    # the compiled row length is made at run time.
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % user_info[0] + 1]

    rng = np.random.default_rng()
    y = random((9, ROW), "complex128", rng)
    info = np.concatenate([[ROW], rng.integers(-9, 9, ROW)]).astype(np.int64)
    for divisor in (ROW, ROW - 1):  # the compiled length, and another
        info[0] = divisor
        rows = _cpu_callbacks.get_pass("epilog", epilog, "complex128", info.dtype, row_length=ROW)
        got = _run_epilog(rows, y, info)
        offsets = np.arange(y.size).reshape(y.shape)
        np.testing.assert_array_equal(got, y * info[offsets % divisor + 1])


def _prolog_column(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[offset % 6] + offset // 6


def test_a_prolog_sees_the_column_and_the_row():
    rng = np.random.default_rng()
    x = random((7, ROW), "complex128", rng)
    w = rng.standard_normal(ROW)
    rows = _cpu_callbacks.get_pass("prolog", _prolog_column, "complex128", w.dtype, row_length=ROW)
    loaded = np.zeros_like(x)
    _cpu_callbacks.prolog_pass(rows, x.ctypes.data, x.shape, (ROW, 1), 0, w, loaded, 2)
    np.testing.assert_allclose(loaded, x * w + np.arange(7)[:, None], rtol=1e-15)


@pytest.mark.parametrize("threads", [1, 2])
def test_r2c_filter_over_rows_of_odd_length_against_numpy(threads, caplog):
    # The case this exists for: an R2C result's rows of n // 2 + 1, filtered by column and
    # scaled by row; the trial may pick either pass, the result is NumPy's either way.
    rng = np.random.default_rng()
    n = 4096
    m = n // 2 + 1
    x = random((48, n), "float32", rng)
    w = (rng.standard_normal(m) + 1j * rng.standard_normal(m)).astype(np.complex64)

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % m] * (1 + offset // m)

    with caplog.at_level(logging.INFO, logger="nvmath"):
        got = nvmath.fft.rfft(
            x, axes=[-1], epilog=dict(function=epilog, data=w), execution=nvmath.fft.ExecutionCPU(num_threads=threads)
        )
    want = np.fft.rfft(x.astype(np.float64), axis=-1) * w * (1 + np.arange(48))[:, None]
    assert_close(got, want, "complex64")
    assert "plain uint64 offsets" not in caplog.text


@settings(max_examples=20, deadline=None)
@given(
    row=st.integers(1, 40),
    rows=st.integers(1, 9),
    divisor=st.integers(-45, 45).filter(lambda d: d != 0),
    scale=st.integers(-3, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_fuzz_modulus_and_quotient_against_the_flat_pass(row, rows, divisor, scale, seed):
    # Any row length and any divisor (the row length among them when they meet), signed.
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * (offset % divisor + scale * (offset // divisor) + user_info[offset % row])

    rng = np.random.default_rng(seed)
    y = random((rows, row), "complex128", rng)
    info = rng.standard_normal(row)
    flat = _cpu_callbacks.get_pass("epilog", epilog, "complex128", info.dtype)
    passes = _cpu_callbacks.get_pass("epilog", epilog, "complex128", info.dtype, row_length=row if row > 1 else None)
    offsets = np.arange(y.size).reshape(y.shape)
    want = y * (offsets % divisor + scale * (offsets // divisor) + info[offsets % row])
    for cpass in (flat, passes):
        np.testing.assert_allclose(_run_epilog(cpass, y, info), want, rtol=1e-13)
