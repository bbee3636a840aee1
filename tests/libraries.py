"""Skip markers for tests that need an NVIDIA library (a wheel of an optional extra)."""

from __future__ import annotations

import pytest


def library_error(load, errors=(Exception,)) -> str | None:
    """None if ``load()`` finds the library, else the message of the error (one of ``errors``;
    others propagate)."""
    try:
        load()
    except errors as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def needs(name: str, load, errors=(Exception,)):
    """A ``skipif`` marker for tests that need library ``name`` (found when ``load()`` succeeds)."""
    error = library_error(load, errors)
    return pytest.mark.skipif(error is not None, reason=f"needs the {name} library: {error}")
