"""nvmath._internal.environment.choice: a setting among named values, unknown values refused once."""

import logging

from nvmath._internal.environment import choice

MODES = ("print", "assert", "trap")


def test_a_named_value_is_taken_in_any_case_and_spacing(monkeypatch):
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "  ASSERT ")
    assert choice("NVMATH_TEST_CHOICE", MODES, "print") == "assert"
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "")
    assert choice("NVMATH_TEST_CHOICE", MODES, "print") == "print"


def test_an_unknown_value_keeps_the_default_and_warns_once_naming_what_is_accepted(monkeypatch, caplog):
    monkeypatch.setenv("NVMATH_TEST_CHOICE", "shout-once")
    log = logging.getLogger("nvmath.test")
    with caplog.at_level("WARNING", logger="nvmath.test"):
        assert choice("NVMATH_TEST_CHOICE", MODES, "trap", logger=log) == "trap"
        assert choice("NVMATH_TEST_CHOICE", MODES, "trap", logger=log) == "trap"
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == ["NVMATH_TEST_CHOICE='shout-once' is not supported; accepted: print, assert, trap; trap stays"]
