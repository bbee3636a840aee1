"""Records as user_info in the CPU passes that only flag a bad index: read whole with one
masked load (``nvmath.fft._cpu_compile.ReadOnlyRecord``), their fields taken out of it. Every
record layout gives what the recording pass (record references) gives, on fresh random data;
a callback that writes a record, or passes it on, is compiled with references instead."""

import logging

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nvmath.fft import _cpu_callbacks
from nvmath.fft._cpu_compile import compile_pass
from tests.fft.cases import random

ROW = 8


def _random_records(dtype, n, rng):
    out = np.zeros(n, dtype)
    for name in dtype.names:
        field = dtype.fields[name][0]
        if field.kind == "b":
            out[name] = rng.integers(0, 2, n).astype(bool)
        elif field.kind in "iu":
            info = np.iinfo(field)
            out[name] = rng.integers(max(info.min, -100), min(info.max, 100) + 1, n)
        elif field.kind == "c":
            out[name] = rng.standard_normal(n) + 1j * rng.standard_normal(n)
        else:
            out[name] = rng.standard_normal(n)
    return out


def _run(cpass, y, info, threads=2):
    out = np.zeros_like(y)
    _cpu_callbacks.epilog_pass(cpass, y, out.ctypes.data, (y.shape[1], 1), 0, info, threads)
    return out


def _gain_bias(data_out, offset, value, user_info, unused):
    r = user_info[offset % 8]
    data_out[offset] = value * r.gain + r["bias"]


def _every_field(data_out, offset, value, user_info, unused):
    r = user_info[offset % 8]
    data_out[offset] = value * (r.a + 2 * r.b) + r.c


def _complex_field(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 8].w


def _bool_field(data_out, offset, value, user_info, unused):
    r = user_info[offset % 8]
    data_out[offset] = value * (r.k + r.s) if r.on else value


RECORDS = {
    "two float32, aligned": (_gain_bias, np.dtype([("gain", np.float32), ("bias", np.float32)], align=True)),
    "packed, 4 bytes": (_every_field, np.dtype([("a", np.uint8), ("b", np.int16), ("c", np.int8)], align=False)),
    "int8 fields, 3 bytes": (_every_field, np.dtype([("a", np.int8), ("b", np.uint8), ("c", np.int8)])),
    "complex64": (_complex_field, np.dtype([("w", np.complex64)])),
    "bool and ints": (_bool_field, np.dtype([("on", np.bool_), ("k", np.int8), ("s", np.int16)], align=True)),
}


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_read_only_records_give_the_references_results(case):
    func, dtype = RECORDS[case]
    rng = np.random.default_rng()
    info = _random_records(dtype, ROW, rng)
    y = random((6, ROW), "complex128", rng)
    flagging = _cpu_callbacks.get_pass("epilog", func, "complex128", dtype, row_length=ROW)
    recording = _cpu_callbacks.get_pass("epilog", func, "complex128", dtype, row_length=ROW, record=True)
    compiled = compile_pass("epilog", func, "complex128", dtype, record_bad_index=False, row_length=ROW)
    # Read whole where the record has 1, 2, 4 or 8 bytes; through references otherwise.
    assert compiled.record_references is None
    np.testing.assert_allclose(_run(flagging, y, info), _run(recording, y, info), rtol=1e-6)


def test_a_bad_record_index_is_still_named():
    func, dtype = RECORDS["two float32, aligned"]
    info = _random_records(dtype, 5, np.random.default_rng())  # offset % 8 reaches 7
    y = random((4, ROW), "complex64", np.random.default_rng())
    cpass = _cpu_callbacks.get_pass("epilog", func, "complex64", dtype, row_length=ROW)
    with pytest.raises(IndexError, match=r"user_info\[5\], outside the 5 elements"):
        _cpu_callbacks.epilog_pass(cpass, y, np.zeros_like(y).ctypes.data, (ROW, 1), 0, info, 1, func)


def _writes_a_record(data_out, offset, value, user_info, unused):
    r = user_info[offset % 8]
    r.count += 1
    data_out[offset] = value * r.gain


def test_a_callback_that_writes_its_records_gets_references(caplog):
    dtype = np.dtype([("gain", np.float32), ("count", np.int32)], align=True)
    compiled = compile_pass("epilog", _writes_a_record, "complex64", dtype, record_bad_index=False, row_length=ROW)
    assert compiled.record_references  # typing with read-only records failed: references instead
    info = _random_records(dtype, ROW, np.random.default_rng())
    info["count"] = 0
    y = random((3, ROW), "complex64", np.random.default_rng())
    with caplog.at_level(logging.INFO, logger="nvmath"):
        cpass = _cpu_callbacks.get_pass(
            "epilog", _writes_a_record, "complex64", dtype, logging.getLogger("nvmath"), row_length=ROW
        )
    out = _run(cpass, y, info, threads=1)
    np.testing.assert_allclose(out, y * info["gain"], rtol=1e-6)
    np.testing.assert_array_equal(info["count"], 3)  # each column's record, once per row
    assert "references to user_info's records" in caplog.text


def test_records_of_other_sizes_are_read_through_references():
    dtype = np.dtype([("gain", np.float64), ("bias", np.float64)])  # 16 bytes

    def epilog(data_out, offset, value, user_info, unused):
        r = user_info[offset % 8]
        data_out[offset] = value * r.gain + r.bias

    compiled = compile_pass("epilog", epilog, "complex128", dtype, record_bad_index=False, row_length=ROW)
    assert compiled.record_references is None  # never tried
    info = _random_records(dtype, ROW, np.random.default_rng())
    y = random((3, ROW), "complex128", np.random.default_rng())
    cpass = _cpu_callbacks.get_pass("epilog", epilog, "complex128", dtype, row_length=ROW)
    np.testing.assert_allclose(_run(cpass, y, info), y * info["gain"] + info["bias"], rtol=1e-13)


_FIELD_TYPES = [
    "int8",
    "uint8",
    "bool",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "float32",
    "int64",
    "float64",
    "complex64",
]


def _summing_epilog(dtype):
    """An epilog that adds every field of user_info's record (complex ones as two parts)."""
    terms = []
    for name in dtype.names:
        kind = dtype.fields[name][0].kind
        if kind == "c":
            terms.append(f"(r.{name}.real + 3 * r.{name}.imag)")
        elif kind == "b":
            terms.append(f"(1.0 if r.{name} else 0.0)")
        else:
            terms.append(f"float(r.{name})")
    source = (
        "def epilog(data_out, offset, value, user_info, unused):\n"
        "    r = user_info[offset % 8]\n"
        f"    data_out[offset] = value + {' + '.join(f'{k + 1} * {t}' for k, t in enumerate(terms))}\n"
    )
    namespace = {}
    exec(source, namespace)
    return namespace["epilog"]


@settings(max_examples=15, deadline=None)
@given(
    fields=st.lists(st.sampled_from(_FIELD_TYPES), min_size=1, max_size=4),
    aligned=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_fuzz_record_layouts_against_numpy(fields, aligned, seed):
    # Any layout of 1 to 8 bytes: each field taken out of the record's bytes at its offset.
    dtype = np.dtype([(f"f{k}", t) for k, t in enumerate(fields)], align=aligned)
    assume(dtype.itemsize in (1, 2, 4, 8))
    rng = np.random.default_rng(seed)
    info = _random_records(dtype, ROW, rng)
    y = random((3, ROW), "complex128", rng)
    func = _summing_epilog(dtype)
    compiled = compile_pass("epilog", func, "complex128", dtype, record_bad_index=False, row_length=ROW)
    assert compiled.record_references is None
    cpass = _cpu_callbacks.get_pass("epilog", func, "complex128", dtype, row_length=ROW)
    want = y.copy()
    for k, name in enumerate(dtype.names):
        column = info[name]
        term = column.real + 3 * column.imag if column.dtype.kind == "c" else column.astype(np.float64)
        want = want + (k + 1) * term
    np.testing.assert_allclose(_run(cpass, y, info), want, rtol=1e-6, atol=1e-6)


def _prolog_gain_bias(data_in, offset, user_info, unused):
    r = user_info[offset % 8]
    return data_in[offset] * r.gain + r.bias


def test_a_prolog_reads_its_records_whole_too():
    dtype = np.dtype([("gain", np.float32), ("bias", np.float32)], align=True)
    rng = np.random.default_rng()
    info = _random_records(dtype, ROW, rng)
    x = random((5, ROW), "complex128", rng)
    compiled = compile_pass("prolog", _prolog_gain_bias, "complex128", dtype, record_bad_index=False, row_length=ROW)
    assert compiled.record_references is None
    cpass = _cpu_callbacks.get_pass("prolog", _prolog_gain_bias, "complex128", dtype, row_length=ROW)
    loaded = np.zeros_like(x)
    _cpu_callbacks.prolog_pass(cpass, x.ctypes.data, x.shape, (ROW, 1), 0, info, loaded, 2)
    np.testing.assert_allclose(loaded, x * info["gain"] + info["bias"], rtol=1e-6)
