"""python -m nvmath.cache info|list|clear|prune."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from nvmath.cache import ArtifactCache, CacheKey, CacheWarning, get_cache
from nvmath.cache.__main__ import main

from .conftest import subprocess_env


def key(name: str) -> CacheKey:
    return CacheKey("ltoir", {"function": name})


def fill(count: int, size: int = 1000) -> list[CacheKey]:
    keys = [key(str(index)) for index in range(count)]
    for index, each in enumerate(keys):
        get_cache().put(each, bytes(size), meta={"symbol": f"sym{index}", "kind": "load"})
    return keys


def test_info(cache_dir, capsys):
    keys = fill(3)
    get_cache().get(keys[0])
    get_cache().get(key("absent"))
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"location:     {cache_dir}" in out
    assert "enabled:      yes" in out and "storage:      disk" in out
    assert "entries:      3\n" in out
    assert "cap:          1.0 GiB (1073741824 bytes)" in out
    assert "this process: 1 hits (1 memory, 0 disk), 1 misses, 3 writes" in out


def test_list(cache_dir, capsys):
    keys = fill(2)
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["DIGEST", "TIER", "SIZE", "LAST", "USED", "META"]
    rows = lines[1:-1]
    assert len(rows) == 2 and lines[-1].startswith("2 entries,")
    for index, each in enumerate(keys):
        (row,) = [line for line in rows if line.startswith(each.digest[:16])]
        assert " ltoir " in row and f"symbol=sym{index} kind=load" in row


def test_list_marks_invalid_entries(cache_dir, capsys):
    (each,) = fill(1)
    (path,) = cache_dir.rglob("*.nvc")
    path.write_bytes(b"garbage")
    assert main(["list"]) == 0
    assert "INVALID: truncated" in capsys.readouterr().out


def test_clear(cache_dir, capsys):
    keys = fill(3)
    assert main(["clear"]) == 0
    assert "removed 3 entries" in capsys.readouterr().out
    assert not list(cache_dir.rglob("*.nvc"))
    assert get_cache().get(keys[0]) is None  # the in-memory copies are gone too


def test_prune(cache_dir, capsys):
    keys = fill(4)
    for age, each in enumerate(keys):  # keys[0] most recently used
        (path,) = cache_dir.rglob(each.digest + ".nvc")
        os.utime(path, (time.time() - 100 * age,) * 2)
    size = max(p.stat().st_size for p in cache_dir.rglob("*.nvc"))
    assert main(["prune", "--max-bytes", str(2 * size)]) == 0
    assert "removed 2 entries" in capsys.readouterr().out
    left = {p.stem for p in cache_dir.rglob("*.nvc")}
    assert left == {keys[0].digest, keys[1].digest}


def test_prune_to_the_configured_cap(cache_dir, monkeypatch, capsys):
    fill(3)
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", "1")
    from nvmath.cache import configure

    configure()
    assert main(["prune"]) == 0
    assert "removed 3 entries" in capsys.readouterr().out


def test_dir_option_and_usage_errors(tmp_path, capsys):
    other = ArtifactCache(tmp_path / "other")
    other.put(key("x"), b"x")
    assert main(["--dir", str(tmp_path / "other"), "list"]) == 0
    assert key("x").digest[:16] in capsys.readouterr().out
    assert main(["prune", "--max-bytes", "lots"]) == 2
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_runs_as_a_module(cache_dir):
    fill(1)
    done = subprocess.run(
        [sys.executable, "-m", "nvmath.cache", "info"],
        env=subprocess_env(NVMATH_CACHE_DIR=str(cache_dir)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "entries:      1" in done.stdout


def test_clear_and_prune_with_a_symlinked_shard_delete_nothing_outside(cache_dir, tmp_path):
    fill(2)
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = [outside / "precious.nvc", outside / ".tmp-precious"]
    for victim in victims:
        victim.write_bytes(b"not the cache's")
        os.utime(victim, (time.time() - 7200,) * 2)
    (entry,) = list(cache_dir.rglob("*.nvc"))[:1]
    (entry.parent.parent / "zz").symlink_to(outside, target_is_directory=True)
    for command in (["clear"], ["prune", "--max-bytes", "0"]):
        done = subprocess.run(
            [sys.executable, "-m", "nvmath.cache", *command],
            env=subprocess_env(NVMATH_CACHE_DIR=str(cache_dir)),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1 and "is a symbolic link" in done.stderr, done
        assert all(victim.read_bytes() == b"not the cache's" for victim in victims)


def test_world_writable_directory_is_refused_by_the_cli(cache_dir, capsys):
    fill(1)
    os.chmod(cache_dir, 0o777)
    with pytest.warns(CacheWarning, match="refusing the nvmath cache directory"):
        assert main(["--dir", str(cache_dir), "clear"]) == 1
    assert "writable by group or others" in capsys.readouterr().err
    assert len(list(cache_dir.rglob("*.nvc"))) == 1


def test_help_states_the_trust_rule(capsys):
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "writable by group or others" in out and "never follow symbolic links" in out
