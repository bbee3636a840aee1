"""The on/off switches of nvmath's environment: one spelling, one warning for a bad value."""

import logging

import pytest

from nvmath._internal import environment


@pytest.mark.parametrize("default", [True, False])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        (" TRUE ", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
    ],
)
def test_words_turn_a_switch_on_or_off_whatever_its_default(monkeypatch, default, value, expected):
    monkeypatch.setenv("NVMATH_TEST_SWITCH", value)
    assert environment.flag("NVMATH_TEST_SWITCH", default) is expected


@pytest.mark.parametrize("default", [True, False])
def test_unset_or_empty_is_the_default(monkeypatch, default):
    monkeypatch.delenv("NVMATH_TEST_SWITCH", raising=False)
    assert environment.flag("NVMATH_TEST_SWITCH", default) is default
    monkeypatch.setenv("NVMATH_TEST_SWITCH", "  ")
    assert environment.flag("NVMATH_TEST_SWITCH", default) is default


def test_another_value_keeps_the_default_with_one_warning_naming_it(monkeypatch, caplog):
    monkeypatch.setattr(environment, "_WARNED", set())
    monkeypatch.setenv("NVMATH_TEST_SWITCH", "sometimes")
    log = logging.getLogger("nvmath.test")
    with caplog.at_level(logging.WARNING, logger="nvmath.test"):
        assert environment.flag("NVMATH_TEST_SWITCH", True, logger=log, what="the widgets") is True
        assert environment.flag("NVMATH_TEST_SWITCH", True, logger=log, what="the widgets") is True
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [
        "NVMATH_TEST_SWITCH='sometimes' is not supported; accepted: 1 or 0 (true/false, yes/no, on/off); "
        "the widgets stay on"
    ]
    monkeypatch.setenv("NVMATH_TEST_SWITCH", "seldom")
    with caplog.at_level(logging.WARNING, logger="nvmath.test"):
        assert environment.flag("NVMATH_TEST_SWITCH", False, logger=log) is False
    assert caplog.records[-1].getMessage().endswith("; it stays off")


MODES = ("print", "assert", "trap")


def test_choice_takes_a_named_value_is_taken_in_any_case_and_spacing(monkeypatch):
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "  ASSERT ")
    assert environment.choice("NVMATH_TEST_CHOICE", MODES, "print") == "assert"
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "")
    assert environment.choice("NVMATH_TEST_CHOICE", MODES, "print") == "print"


def test_choice_keeps_the_default_and_warns_once_naming_what_is_accepted(monkeypatch, caplog):
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "shout-once")
    log = logging.getLogger("nvmath.test")
    with caplog.at_level("WARNING", logger="nvmath.test"):
        assert environment.choice("NVMATH_TEST_CHOICE", MODES, "trap", logger=log) == "trap"
        assert environment.choice("NVMATH_TEST_CHOICE", MODES, "trap", logger=log) == "trap"
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["NVMATH_TEST_CHOICE='shout-once' is not supported; accepted: print, assert, trap; trap stays"]
