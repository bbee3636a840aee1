"""The ``nvmath`` logger and a timing helper.

The host APIs log through the standard :mod:`logging` module: to ``options.logger`` when the user
gives one, else to the logger named ``"nvmath"`` (configure it, or the root logger, to see the
messages).
"""

from __future__ import annotations

import contextlib
import logging
import time

__all__ = ["LOGGER_NAME", "get_logger", "timed"]

#: Name of the module logger.
LOGGER_NAME = "nvmath"

_LOGGER_METHODS = ("debug", "info", "warning", "error", "log", "isEnabledFor")


def get_logger(options_logger=None, name: str = "options.logger"):
    """The logger to use: ``options_logger`` if given, else ``logging.getLogger("nvmath")``.

    ``options_logger`` may be a :class:`logging.Logger`, a :class:`logging.LoggerAdapter`, or any
    object with the methods of one (``debug``, ``info``, ``warning``, ``error``, ``log``,
    ``isEnabledFor``).
    """
    if options_logger is None:
        return logging.getLogger(LOGGER_NAME)
    if isinstance(options_logger, (logging.Logger, logging.LoggerAdapter)):
        return options_logger
    missing = [m for m in _LOGGER_METHODS if not callable(getattr(options_logger, m, None))]
    if missing:
        raise TypeError(
            f"{name}={options_logger!r} is not a logger (it lacks {', '.join(missing)}); "
            f"accepted: a logging.Logger, a logging.LoggerAdapter, or None for the "
            f"{LOGGER_NAME!r} logger"
        )
    return options_logger


@contextlib.contextmanager
def timed(logger, message: str, *args, level: int = logging.DEBUG):
    """Log ``message % args`` with the elapsed wall-clock time in ms when the block ends.

    It measures host time: for asynchronous GPU work, synchronize inside the block to time it.
    A block that raises is logged as failed, and the exception propagates.
    """
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        if logger.isEnabledFor(level):
            logger.log(level, message + " failed after %.3f ms", *args, (time.perf_counter() - start) * 1e3)
        raise
    if logger.isEnabledFor(level):
        logger.log(level, message + " took %.3f ms", *args, (time.perf_counter() - start) * 1e3)
