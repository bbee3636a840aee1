"""nvmath.bindings._args: the checks every binding module builds its argument errors on."""

import ctypes

import numpy as np
import pytest

from nvmath.bindings._args import c_range, c_type_name, is_int, shown


@pytest.mark.parametrize(
    "ctype, low, high, name",
    [
        (ctypes.c_int, -(2**31), 2**31 - 1, "int32_t"),
        (ctypes.c_uint, 0, 2**32 - 1, "uint32_t"),
        (ctypes.c_longlong, -(2**63), 2**63 - 1, "int64_t"),
        (ctypes.c_size_t, 0, 2**64 - 1, "uint64_t"),
        (ctypes.c_int8, -128, 127, "int8_t"),
    ],
)
def test_c_range_and_name(ctype, low, high, name):
    assert c_range(ctype) == (low, high)
    assert c_type_name(ctype) == name


@pytest.mark.parametrize("value", [0, -3, 2**70, np.int32(5), np.uint64(2**63)])
def test_integers_are_ints(value):
    assert is_int(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), 1.0, np.float32(2), "1", None, np.zeros(1, np.int64), 1j])
def test_bools_floats_strings_and_arrays_are_not(value):
    assert not is_int(value)


def test_shown_cuts_long_reprs():
    assert shown([1, 2]) == "[1, 2]"
    long = shown(list(range(100)))
    assert len(long) == 60 and long.endswith("...") and long.startswith("[0, 1, 2")
