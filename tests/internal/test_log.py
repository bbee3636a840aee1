"""The nvmath logger and the timing helper."""

import logging

import pytest

from nvmath._internal.log import get_logger, timed


def test_get_logger():
    assert get_logger() is logging.getLogger("nvmath")
    mine = logging.getLogger("user")
    assert get_logger(mine) is mine
    adapter = logging.LoggerAdapter(mine, {})
    assert get_logger(adapter) is adapter
    with pytest.raises(TypeError, match=r"options.logger=.*is not a logger"):
        get_logger("nvmath")


def test_timed_logs_at_debug(caplog):
    logger = logging.getLogger("nvmath.test")
    with caplog.at_level(logging.DEBUG, logger="nvmath.test"):
        with timed(logger, "planning %s", "fft"):
            pass
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage().startswith("planning fft took ") and record.getMessage().endswith(" ms")


def test_timed_logs_failure_and_reraises(caplog):
    logger = logging.getLogger("nvmath.test")
    with caplog.at_level(logging.DEBUG, logger="nvmath.test"):
        with pytest.raises(KeyError):
            with timed(logger, "execute"):
                raise KeyError("x")
    assert "execute failed after" in caplog.records[0].getMessage()


def test_timed_silent_when_disabled(caplog):
    logger = logging.getLogger("nvmath.quiet")
    with caplog.at_level(logging.INFO, logger="nvmath.quiet"):
        with timed(logger, "quiet"):
            pass
    assert caplog.records == []
