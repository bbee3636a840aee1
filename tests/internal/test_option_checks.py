"""The shared checks of option values: one message, "name=value is not supported; accepted: ..."."""

import enum
import logging

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvmath._internal.options import (
    check_allocator,
    check_blocking,
    check_bool,
    check_choice,
    check_enum,
    check_logger,
    check_number,
)


class Color(enum.IntEnum):
    RED = 1
    GREEN = 2


def test_check_enum_takes_members_names_and_values():
    assert check_enum(Color.RED, Color, "color") is Color.RED
    assert check_enum("green", Color, "color") is Color.GREEN
    assert check_enum(" RED ", Color, "color") is Color.RED
    assert check_enum(2, Color, "color") is Color.GREEN
    assert check_enum(np.int8(1), Color, "color") is Color.RED


@pytest.mark.parametrize("value", ["blue", 3, True, np.True_, 1.0, None, [1], Color])
def test_check_enum_refuses_everything_else(value):
    with pytest.raises(ValueError) as info:
        check_enum(value, Color, "color")
    assert str(info.value) == (
        f"color={value!r} is not supported; accepted: a Color member, its name or its value: 'RED' (1), 'GREEN' (2)"
    )


def test_check_enum_members_limit_the_choice():
    with pytest.raises(ValueError, match=r"color='red' is not supported; accepted: .*'GREEN' \(2\)$"):
        check_enum("red", Color, "color", members=[Color.GREEN])


def test_check_choice_ignore_case_returns_the_choice():
    assert check_choice("c2r", ("C2C", "C2R"), "fft_type", ignore_case=True) == "C2R"
    with pytest.raises(ValueError, match=r"fft_type='c2r' is not supported; accepted: 'C2C', 'C2R'"):
        check_choice("c2r", ("C2C", "C2R"), "fft_type")


def test_numpy_bools_are_bools_and_nothing_else_is():
    assert check_bool(np.False_, "inplace") is False and check_bool(True, "inplace") is True
    assert check_blocking(np.True_) and check_blocking("auto") == "auto"
    for value in (1, 0, "True", None, np.array([True])):
        with pytest.raises(ValueError, match=r"inplace=.* is not supported; accepted: True, False"):
            check_bool(value, "inplace")
    with pytest.raises(ValueError, match=r"blocking=1 is not supported; accepted: True, 'auto'"):
        check_blocking(1)


@given(st.one_of(st.floats(), st.integers(), st.booleans(), st.text(max_size=3), st.none()))
def test_check_number(value):
    real = isinstance(value, (int, float)) and not isinstance(value, bool)
    if real and value == value and value >= 0:
        assert check_number(value, "x", minimum=0) == float(value)
    else:
        with pytest.raises(ValueError, match=r"^x=.* is not supported; accepted: a real number$"):
            check_number(value, "x", minimum=0)


def test_loggers_and_allocators():
    adapter = logging.LoggerAdapter(logging.getLogger("t"), {})
    assert check_logger(None) is None and check_logger(adapter) is adapter

    class DuckLogger:
        def __getattr__(self, name):
            return lambda *a, **k: None

    duck = DuckLogger()
    assert check_logger(duck) is duck
    with pytest.raises(ValueError, match=r"logger=print is not supported|logger=<built-in function print>"):
        check_logger(print)

    class Pool:
        def memalloc(self, size, stream):
            return None

    pool = Pool()
    assert check_allocator(pool) is pool
    with pytest.raises(ValueError, match=r"allocator='pool' is not supported; accepted: an nvmath.memory"):
        check_allocator("pool")
