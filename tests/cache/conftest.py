"""Fixtures of the cache tests: the user's real cache is never touched.

Every test runs with ``NVMATH_CACHE*`` variables removed and ``XDG_CACHE_HOME`` pointing into its
own temporary directory, so even the default location is private to the test.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from nvmath.cache import configure
from nvmath.cache.settings import ENV_DIR, ENV_ENABLED, ENV_MAX_BYTES

#: The repository root, for subprocesses that import nvmath.
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    for name in (ENV_DIR, ENV_ENABLED, ENV_MAX_BYTES):
        monkeypatch.delenv(name, raising=False)
    xdg = tmp_path / "xdg-cache"
    xdg.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    configure(reset=True)
    yield
    configure(reset=True)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """Point the process-wide cache at a fresh directory through ``NVMATH_CACHE_DIR``."""
    directory = tmp_path / "nvmath-cache"
    monkeypatch.setenv(ENV_DIR, str(directory))
    configure()
    return directory


def subprocess_env(**extra: str) -> dict[str, str]:
    """An environment for a child Python that imports this checkout of nvmath."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NVMATH_CACHE")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def run_python(code: str, *, env: dict[str, str], cwd: Path | None = None) -> str:
    """Run *code* in a fresh interpreter and return its stdout; fail the test on error."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stderr}"
    return done.stdout
