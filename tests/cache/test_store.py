"""ArtifactCache: round trips, bad entries, eviction, degraded directories, settings."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import struct
import subprocess
import sys
import threading
import time
import warnings
import zlib

import pytest

from nvmath.cache import (
    ArtifactCache,
    CacheKey,
    CacheWarning,
    configure,
    get_cache,
    get_settings,
)
from nvmath.cache.entry import ENTRY_SCHEMA, MAGIC, encode_entry
from nvmath.cache.settings import DEFAULT_MAX_BYTES, parse_size

from .conftest import run_python, subprocess_env


def key(name: str = "k", tier: str = "ltoir") -> CacheKey:
    return CacheKey(tier, {"function": name, "target": "sm_90"})


def entry_files(directory) -> list:
    return sorted(p for p in directory.rglob("*.nvc") if not p.name.startswith("."))


def temp_files(directory) -> list:
    return sorted(directory.rglob(".tmp-*"))


def disk_only(directory, **options) -> ArtifactCache:
    """A cache without the in-memory LRU, so every lookup reads the directory."""
    return ArtifactCache(directory, memory_bytes=0, **options)


# ---------------------------------------------------------------------------------------------
# Round trips


def test_miss_then_hit(cache_dir):
    cache = get_cache()
    assert cache.location == cache_dir
    assert cache.get(key()) is None
    cache.put(key(), b"payload", meta={"symbol": "cb", "kind": "load"})
    assert cache.get(key()) == b"payload"
    stats = cache.stats
    assert (stats.misses, stats.hits, stats.memory_hits, stats.writes) == (1, 1, 1, 1)
    assert len(entry_files(cache_dir)) == 1
    (path,) = entry_files(cache_dir)
    assert path.parent.name == key().digest[:2] and path.name == key().digest + ".nvc"
    assert path.parent.parent.name == "ltoir" and path.parent.parent.parent.name == "v1"


def test_disk_hit_in_another_cache_object(cache_dir):
    get_cache().put(key(), b"x" * 10_000)
    other = disk_only(cache_dir)
    assert other.get(key()) == b"x" * 10_000
    assert other.stats.disk_hits == 1 and other.stats.memory_hits == 0
    assert other.get(key("other")) is None


def test_hit_in_a_fresh_process(cache_dir):
    payload = bytes(range(256)) * 4
    get_cache().put(key("fresh"), payload)
    code = (
        "import sys\n"
        "from nvmath.cache import CacheKey, get_cache\n"
        "hit = get_cache().get(CacheKey('ltoir', {'function': 'fresh', 'target': 'sm_90'}))\n"
        "print(hit.hex() if hit is not None else 'MISS')\n"
        "print(sorted(m for m in ('numba', 'cupy', 'torch') if m in sys.modules))\n"
    )
    out = run_python(code, env=subprocess_env(NVMATH_CACHE_DIR=str(cache_dir))).splitlines()
    assert out == [payload.hex(), "[]"]


def test_tiers_are_separate(cache_dir):
    cache = disk_only(cache_dir)
    cache.put(key("a", "ltoir"), b"lto")
    cache.put(key("a", "cubin"), b"cubin")
    assert cache.get(key("a", "ltoir")) == b"lto" and cache.get(key("a", "cubin")) == b"cubin"
    assert {entry.tier for entry in cache.entries()} == {"ltoir", "cubin"}


def test_put_validates_its_arguments(cache_dir):
    cache = get_cache()
    with pytest.raises(TypeError, match="key must be a CacheKey"):
        cache.put("k", b"x")
    with pytest.raises(TypeError, match="payload must be bytes"):
        cache.put(key(), "text")
    with pytest.raises(TypeError, match="meta must map str to str"):
        cache.put(key(), b"x", meta={"size": 3})
    cache.put(key(), bytearray(b"ok"))
    assert cache.get(key()) == b"ok"


def test_entries_describe_the_key_and_meta(cache_dir):
    cache = get_cache()
    cache.put(key(), b"abc", meta={"symbol": "cb"})
    (info,) = list(cache.entries())
    assert info.digest == key().digest and info.tier == "ltoir" and info.valid
    assert dict(info.components) == {"function": "k", "target": "sm_90"}
    assert dict(info.meta) == {"symbol": "cb"}
    assert info.size == cache.size_bytes() > 3
    assert abs(info.last_used - time.time()) < 60 and info.created is not None


def test_memory_lru_is_bounded(tmp_path):
    cache = ArtifactCache(None, memory_bytes=1000)
    for index in range(5):
        cache.put(key(str(index)), bytes(300))
    assert cache.get(key("4")) is not None
    assert cache.get(key("0")) is None  # evicted from memory, and there is no disk
    cache.put(key("big"), bytes(5000))  # larger than the LRU: not kept, not an error
    assert cache.get(key("big")) is None


# ---------------------------------------------------------------------------------------------
# Bad entries are misses and heal on the next put


def _corrupt_and_check(cache_dir, damage):
    writer = disk_only(cache_dir)
    writer.put(key(), b"0123456789" * 100)
    (path,) = entry_files(cache_dir)
    damage(path)
    reader = disk_only(cache_dir)
    assert reader.get(key()) is None
    assert reader.stats.invalid == 1 and reader.stats.misses == 1
    reader.put(key(), b"0123456789" * 100)
    assert reader.get(key()) == b"0123456789" * 100
    assert len(entry_files(cache_dir)) == 1 and not temp_files(cache_dir)


def test_truncated_entry_heals(cache_dir):
    _corrupt_and_check(cache_dir, lambda path: os.truncate(path, path.stat().st_size - 10))


def test_entry_truncated_inside_its_header_heals(cache_dir):
    _corrupt_and_check(cache_dir, lambda path: os.truncate(path, 30))


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_bit_flip_in_payload_heals(cache_dir):
    _corrupt_and_check(cache_dir, lambda path: _flip(path, -5))


def test_bit_flip_in_header_heals(cache_dir):
    _corrupt_and_check(cache_dir, lambda path: _flip(path, 40))


def test_bad_magic_and_other_schema_are_misses(cache_dir):
    _corrupt_and_check(cache_dir, lambda path: _flip(path, 0))
    _corrupt_and_check(cache_dir, lambda path: _flip(path, 9))  # the schema number


def test_foreign_entry_is_a_miss(cache_dir):
    cache = disk_only(cache_dir)
    cache.put(key("a"), b"payload of a")
    (source,) = entry_files(cache_dir)
    target = cache_dir / "v1" / "ltoir" / key("b").digest[:2] / (key("b").digest + ".nvc")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes())
    assert cache.get(key("b")) is None
    assert cache.stats.invalid == 1
    assert cache.get(key("a")) == b"payload of a"
    problems = [entry.problem for entry in cache.entries() if not entry.valid]
    assert len(problems) == 1 and "foreign" in problems[0]


def entry_path(directory, each: CacheKey):
    return directory / "v1" / each.tier / each.digest[:2] / (each.digest + ".nvc")


def forge(header: dict, payload: bytes) -> bytes:
    """An entry with *header* and valid checksums, as someone with write access could make."""
    header_bytes = json.dumps(header).encode()
    prefix = struct.pack(">8sHII", MAGIC, ENTRY_SCHEMA, len(header_bytes), zlib.crc32(header_bytes))
    return prefix + header_bytes + payload


def test_garbage_entry_is_a_miss_with_a_log_record(cache_dir, caplog):
    path = entry_path(cache_dir, key())
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_bytes(os.urandom(5000))
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    cache = disk_only(cache_dir)
    assert cache.get(key()) is None and cache.stats.invalid == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.INFO and "invalid cache entry" in r.getMessage()]
    assert str(path) in record.getMessage()


def test_deeply_nested_header_is_a_miss_not_an_exception(cache_dir, caplog):
    # Valid magic and CRC around a JSON header that makes the parser recurse too deep.
    path = entry_path(cache_dir, key())
    path.parent.mkdir(mode=0o700, parents=True)
    header_bytes = b"[" * 200_000
    prefix = struct.pack(">8sHII", MAGIC, ENTRY_SCHEMA, len(header_bytes), zlib.crc32(header_bytes))
    path.write_bytes(prefix + header_bytes)
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    cache = disk_only(cache_dir)
    assert cache.get(key()) is None and cache.stats.invalid == 1
    (entry,) = list(cache.entries())
    assert not entry.valid
    assert any("invalid cache entry" in r.getMessage() for r in caplog.records)


def test_entry_whose_header_names_another_key_is_a_miss(cache_dir, caplog):
    cache = disk_only(cache_dir)
    cache.put(key("a"), b"code of a")
    path = entry_path(cache_dir, key("a"))
    header = json.loads(path.read_bytes()[struct.calcsize(">8sHII") : -len(b"code of a")])
    for field, value in (("key", {"function": "other", "target": "sm_90"}), ("tier", "cubin")):
        path.write_bytes(forge({**header, field: value}, b"code of a"))
        caplog.clear()
        caplog.set_level(logging.INFO, logger="nvmath.cache")
        assert cache.get(key("a")) is None
        assert any("not the key asked for" in r.getMessage() for r in caplog.records), field
    assert cache.stats.invalid == 2


def test_symlinked_entry_is_a_miss(cache_dir, tmp_path):
    cache = disk_only(cache_dir)
    cache.put(key("a"), b"code of a")
    path = entry_path(cache_dir, key("a"))
    planted = tmp_path / "planted.nvc"  # a valid entry, elsewhere
    planted.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(planted)
    assert cache.get(key("a")) is None and cache.stats.invalid == 1
    (entry,) = list(cache.entries())
    assert not entry.valid and "symbolic link" in entry.problem
    cache.put(key("a"), b"code of a")  # replaces the link, not its target
    assert not path.is_symlink() and planted.read_bytes() != path.read_bytes()


def _child_get(directory, each: CacheKey) -> list[str]:
    """get() and entries() in a child limited to 1 GiB of memory and 30 s, which must finish."""
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from nvmath.cache import ArtifactCache, CacheKey\n"
        f"cache = ArtifactCache({str(directory)!r}, memory_bytes=0)\n"
        f"print(cache.get(CacheKey({each.tier!r}, {dict(each.components)!r})))\n"
        "print([entry.valid for entry in cache.entries()], cache.stats.invalid)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading the entry hung")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_fifo_entry_is_a_miss_and_does_not_hang(cache_dir):
    path = entry_path(cache_dir, key())
    path.parent.mkdir(mode=0o700, parents=True)
    os.mkfifo(path, 0o600)
    assert _child_get(cache_dir, key()) == ["None", "[False] 1"]


def test_entry_linked_to_dev_zero_is_a_miss(cache_dir):
    path = entry_path(cache_dir, key())
    path.parent.mkdir(mode=0o700, parents=True)
    path.symlink_to("/dev/zero")
    assert _child_get(cache_dir, key()) == ["None", "[False] 1"]


def test_entry_larger_than_the_cap_is_not_read(cache_dir, caplog):
    disk_only(cache_dir).put(key(), os.urandom(50_000))
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    small = disk_only(cache_dir, max_bytes=10_000)
    assert small.get(key()) is None and small.stats.invalid == 1
    assert any("larger than" in r.getMessage() for r in caplog.records)


def test_entry_writable_by_others_is_a_miss(cache_dir):
    cache = disk_only(cache_dir)
    cache.put(key(), b"x")
    os.chmod(entry_path(cache_dir, key()), 0o666)
    assert cache.get(key()) is None and cache.stats.invalid == 1


# ---------------------------------------------------------------------------------------------
# Eviction


def _age(cache_dir, digest: str, seconds_ago: float) -> None:
    (path,) = [p for p in entry_files(cache_dir) if p.stem == digest]
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))


def test_eviction_keeps_recently_used_entries(cache_dir):
    payload = bytes(1000)
    writer = disk_only(cache_dir)
    writer.put(key("probe"), payload)
    entry_size = writer.size_bytes()
    cap = entry_size * 10
    cache = disk_only(cache_dir, max_bytes=cap)
    writer.clear()
    for index in range(8):
        cache.put(key(f"old{index}"), payload)
        _age(cache_dir, key(f"old{index}").digest, 1000 - index)  # old0 is the oldest
    assert cache.get(key("old0")) == payload  # a hit makes old0 the most recently used
    for index in range(4):
        cache.put(key(f"new{index}"), payload)
    remaining = {entry.digest for entry in cache.entries()}
    assert cache.size_bytes() <= cap
    assert key("old0").digest in remaining
    assert key("old1").digest not in remaining and key("old2").digest not in remaining
    assert all(key(f"new{index}").digest in remaining for index in range(4))
    assert cache.stats.evicted >= 2


def test_prune_to_a_size(cache_dir):
    cache = disk_only(cache_dir)
    for index in range(6):
        cache.put(key(str(index)), bytes(2000))
        _age(cache_dir, key(str(index)).digest, 100 - index)
    sizes = {entry.digest: entry.size for entry in cache.entries()}
    newest = sum(sizes[key(str(i)).digest] for i in (3, 4, 5))
    result = cache.prune(max_bytes=newest)
    assert result.removed == 3 and result.remaining_bytes == cache.size_bytes()
    assert {entry.digest for entry in cache.entries()} == {key(str(i)).digest for i in (3, 4, 5)}
    assert cache.prune(0).remaining_bytes == 0 and not entry_files(cache_dir)


def _hold_lock(cache_dir):
    """Take the size lock as another process would; return its descriptor."""
    fd = os.open(cache_dir / "v1" / ".evict.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _release_lock(fd) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def test_a_writer_waits_while_another_process_holds_the_size_lock(cache_dir):
    cache = disk_only(cache_dir, max_bytes=3000)
    cache.put(key("first"), bytes(1000))
    fd = _hold_lock(cache_dir)
    releaser = threading.Timer(0.3, _release_lock, (fd,))
    releaser.start()
    start = time.perf_counter()
    for index in range(5):
        cache.put(key(str(index)), bytes(1000))
    releaser.join()
    assert time.perf_counter() - start >= 0.25  # the first put waited for the lock
    assert cache.stats.writes == 6 and cache.size_bytes() <= 3000
    assert cache.get(key("4")) == bytes(1000)


def test_a_writer_gives_up_on_a_stuck_lock_and_keeps_the_entry_in_memory(cache_dir, monkeypatch, caplog):
    from nvmath.cache import store

    monkeypatch.setattr(store, "_LOCK_TIMEOUT", 0.2)
    cache = ArtifactCache(cache_dir, max_bytes=3000)
    cache.put(key("first"), bytes(1000))
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    fd = _hold_lock(cache_dir)
    try:
        cache.put(key("second"), bytes(1000))
    finally:
        _release_lock(fd)
    assert len(entry_files(cache_dir)) == 1 and cache.stats.writes == 1
    assert cache.get(key("second")) == bytes(1000)  # from memory
    assert any("not stored on disk" in r.getMessage() for r in caplog.records)


def test_an_entry_larger_than_the_cap_is_not_stored_and_the_cache_is_kept(cache_dir, caplog):
    cache = disk_only(cache_dir, max_bytes=20_000)
    for index in range(3):
        cache.put(key(str(index)), os.urandom(4000))
    before = {path.name for path in entry_files(cache_dir)}
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    cache.put(key("huge"), os.urandom(30_000))
    assert {path.name for path in entry_files(cache_dir)} == before
    assert cache.get(key("huge")) is None and cache.stats.evicted == 0
    assert any("larger than the cache's cap" in r.getMessage() for r in caplog.records)


def _plant_temp(cache_dir, name: str, size: int, seconds_ago: float = 0.0):
    shard = cache_dir / "v1" / "ltoir" / "00"
    shard.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = shard / name
    path.write_bytes(os.urandom(size))
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))
    return path


def test_stale_temporary_files_are_removed_by_prune(cache_dir):
    cache = disk_only(cache_dir)
    cache.put(key(), b"x")
    # A writer killed 20 minutes ago, and one writing now.
    stale = _plant_temp(cache_dir, ".tmp-crashed", 5000, seconds_ago=1200)
    fresh = _plant_temp(cache_dir, ".tmp-writing", 3000)
    (entry,) = entry_files(cache_dir)
    assert cache.size_bytes() == entry.stat().st_size + 8000  # temporary files count against the cap
    result = cache.prune()
    assert not stale.exists() and fresh.exists()
    assert result.remaining_bytes == cache.size_bytes() == entry.stat().st_size + 3000
    assert cache.get(key()) == b"x"


def test_stale_temporary_files_count_against_the_cap(cache_dir):
    disk_only(cache_dir).put(key("a"), os.urandom(2000))
    stale = _plant_temp(cache_dir, ".tmp-crashed", 9000, seconds_ago=1200)  # a writer killed earlier
    cache = disk_only(cache_dir, max_bytes=12_000)  # a new process: its first write counts the directory
    cache.put(key("b"), os.urandom(2000))  # 2 entries + the leftover pass the cap: the leftover goes
    assert not stale.exists()
    assert cache.get(key("a")) is not None and cache.get(key("b")) is not None
    assert cache.size_bytes() <= 12_000


def _symlink_a_shard(cache_dir, tmp_path):
    """Turn the shard of key("victim") into a link to a directory outside the cache."""
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = [outside / "precious.nvc", outside / ".tmp-precious", outside / "notes.txt"]
    for victim in victims:
        victim.write_bytes(b"not the cache's")
    shard = entry_path(cache_dir, key("victim")).parent
    shard.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shard.symlink_to(outside, target_is_directory=True)
    return shard, victims


@pytest.mark.parametrize("action", ["clear", "prune"])
def test_clear_and_prune_never_act_outside_the_cache(cache_dir, tmp_path, action):
    cache = disk_only(cache_dir)
    cache.put(key("a"), b"a")  # the directory is checked now; the link appears afterwards
    shard, victims = _symlink_a_shard(cache_dir, tmp_path)
    tier_link = cache_dir / "v1" / "other"
    tier_link.symlink_to(tmp_path / "outside", target_is_directory=True)
    result = cache.clear() if action == "clear" else cache.prune(0)
    assert all(victim.read_bytes() == b"not the cache's" for victim in victims)
    assert result.removed == 1 and not entry_files(cache_dir)
    if action == "clear":  # the links themselves go, so that the directory is usable again
        assert not shard.is_symlink() and not tier_link.is_symlink()


# ---------------------------------------------------------------------------------------------
# Disabled, degraded and refused directories


def test_disabled_by_environment(cache_dir, monkeypatch):
    monkeypatch.setenv("NVMATH_CACHE", "0")
    configure()
    cache = get_cache()
    assert not cache.enabled and cache.storage == "disabled"
    cache.put(key(), b"x")
    assert cache.get(key()) is None and cache.stats.misses == 1
    assert not cache_dir.exists()


def test_disabled_by_configure(cache_dir):
    configure(enabled=False)
    get_cache().put(key(), b"x")
    assert get_cache().get(key()) is None
    assert not cache_dir.exists()
    configure(enabled=True)
    get_cache().put(key(), b"x")
    assert get_cache().get(key()) == b"x" and entry_files(cache_dir)


def test_uncreatable_directory_degrades_to_memory_with_one_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("NVMATH_CACHE_DIR", str(blocker / "cache"))
    configure()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = get_cache()
        cache.put(key(), b"kept in memory")
        assert cache.get(key()) == b"kept in memory"
        cache.put(key("2"), b"more")
        assert cache.get(key("3")) is None
        configure()  # a new cache object for the same directory does not warn again
        get_cache().put(key(), b"again")
    relevant = [w for w in caught if issubclass(w.category, CacheWarning)]
    assert len(relevant) == 1 and "cannot create the nvmath cache directory" in str(relevant[0].message)
    assert cache.storage == "memory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_serves_hits_but_does_not_write(cache_dir):
    disk_only(cache_dir).put(key("old"), b"old")
    os.chmod(cache_dir / "v1", 0o500)
    try:
        with pytest.warns(CacheWarning, match="not writable"):
            cache = get_cache()
            assert cache.get(key("old")) == b"old"
        cache.put(key("new"), b"new")
        assert cache.get(key("new")) == b"new"  # from memory
        assert len(entry_files(cache_dir)) == 1
    finally:
        os.chmod(cache_dir / "v1", 0o700)


def test_unwritable_directory_serves_hits_but_does_not_write(cache_dir, monkeypatch):
    # The same path as above for root, who ignores permissions: os.access decides the mode.
    disk_only(cache_dir).put(key("old"), b"old")
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if str(path).startswith(str(cache_dir)) and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    with pytest.warns(CacheWarning, match="not writable"):
        cache = get_cache()
        assert cache.get(key("old")) == b"old"
    assert cache.storage == "read-only"
    cache.put(key("new"), b"new")
    assert cache.get(key("new")) == b"new"  # from memory
    assert len(entry_files(cache_dir)) == 1 and cache.stats.writes == 0


def test_write_failure_switches_to_read_only_with_one_warning(cache_dir, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    disk_only(cache_dir).put(key("old"), b"old")
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    cache = get_cache()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache.put(key("a"), b"a")
        cache.put(key("b"), b"b")
    assert len([w for w in caught if issubclass(w.category, CacheWarning)]) == 1
    assert cache.storage == "read-only"
    assert cache.get(key("a")) == b"a" and cache.get(key("old")) == b"old"
    assert len(entry_files(cache_dir)) == 1 and not temp_files(cache_dir)


def test_group_writable_default_directory_is_refused(tmp_path):
    xdg = tmp_path / "xdg-cache"
    os.chmod(xdg, 0o777)
    settings = get_settings()
    assert settings.directory == xdg / "nvmath" and not settings.explicit_directory
    with pytest.warns(CacheWarning, match="writable by group or others"):
        cache = get_cache()
        cache.put(key(), b"x")
    assert cache.storage == "memory" and cache.get(key()) == b"x"
    assert not entry_files(xdg)


def _cache_from(source: str, directory, monkeypatch) -> ArtifactCache:
    """The cache for *directory*, its path given by the environment, configure() or an argument."""
    if source == "environment":
        monkeypatch.setenv("NVMATH_CACHE_DIR", str(directory))
        configure()
        return get_cache()
    if source == "configure":
        configure(directory=directory)
        return get_cache()
    return ArtifactCache(directory)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o775, 0o702], ids=["world", "group", "group-only", "others-only"])
@pytest.mark.parametrize("source", ["environment", "configure", "argument"])
def test_a_directory_others_can_write_is_refused(tmp_path, monkeypatch, caplog, source, mode):
    directory = tmp_path / "shared-cache"
    victim = key("victim")
    disk_only(directory).put(victim, b"genuine code")
    # Someone else could write there: they replace the entry by their own, checksums recomputed.
    (path,) = entry_files(directory)
    path.write_bytes(encode_entry(victim, b"planted code"))
    os.chmod(directory, mode)
    caplog.set_level(logging.WARNING, logger="nvmath.cache")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = _cache_from(source, directory, monkeypatch)
        assert cache.get(victim) is None
        cache.put(key("new"), b"new")
        assert cache.get(key("new")) == b"new"  # from memory
        _cache_from(source, directory, monkeypatch).get(victim)  # another cache object: no second warning
    relevant = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    assert len(relevant) == 1 and "writable by group or others" in relevant[0], relevant
    assert f"refusing the nvmath cache directory {directory}" in relevant[0]
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == relevant
    assert cache.storage == "memory" and len(entry_files(directory)) == 1


def test_a_directory_below_one_others_can_write_is_refused(tmp_path):
    parent = tmp_path / "shared"
    parent.mkdir()
    os.chmod(parent, 0o777)  # anyone could rename our directory away and put theirs in its place
    with pytest.warns(CacheWarning, match=f"{parent} is writable by group or others"):
        cache = ArtifactCache(parent / "cache")
        cache.put(key(), b"x")
    assert cache.storage == "memory" and not entry_files(parent)


def test_a_sticky_parent_such_as_tmp_is_accepted(tmp_path):
    parent = tmp_path / "sticky"
    parent.mkdir()
    os.chmod(parent, 0o1777)  # others cannot rename or remove what they do not own
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        cache = ArtifactCache(parent / "cache")
        cache.put(key(), b"x")
    assert cache.storage == "disk" and len(entry_files(parent)) == 1


def test_a_shard_directory_others_can_write_is_refused(cache_dir):
    disk_only(cache_dir).put(key(), b"x")
    (path,) = entry_files(cache_dir)
    os.chmod(path.parent, 0o777)
    with pytest.warns(CacheWarning, match=f"{path.parent} is writable by group or others"):
        cache = disk_only(cache_dir)
        assert cache.get(key()) is None
    assert cache.storage == "memory"


def test_a_symlinked_shard_is_refused(cache_dir, tmp_path):
    disk_only(cache_dir).put(key(), b"x")
    (path,) = entry_files(cache_dir)
    elsewhere = tmp_path / "elsewhere"
    path.parent.rename(elsewhere)
    path.parent.symlink_to(elsewhere)
    with pytest.warns(CacheWarning, match=f"{path.parent} is a symbolic link"):
        cache = disk_only(cache_dir)
        assert cache.get(key()) is None
    assert cache.storage == "memory"


def test_a_symlinked_cache_directory_is_followed(tmp_path):
    real = tmp_path / "real-cache"
    link = tmp_path / "link-cache"
    link.symlink_to(real, target_is_directory=True)
    real.mkdir(mode=0o700)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        ArtifactCache(link).put(key(), b"x")
        assert disk_only(link).get(key()) == b"x"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")
@pytest.mark.parametrize("source", ["default", "argument"])
def test_a_directory_owned_by_another_user_is_refused(tmp_path, source):
    directory = tmp_path / "xdg-cache" / "nvmath"
    directory.mkdir(mode=0o700)
    os.chown(directory, 12345, 12345)
    with pytest.warns(CacheWarning, match="owned by user id 12345"):
        cache = get_cache() if source == "default" else ArtifactCache(directory)
        assert cache.storage == "memory"


def test_created_directories_are_private(cache_dir):
    get_cache().put(key(), b"x")
    for path in [cache_dir, *[p for p in cache_dir.rglob("*") if p.is_dir()]]:
        assert path.stat().st_mode & 0o777 == 0o700, path
    (entry,) = entry_files(cache_dir)
    assert entry.stat().st_mode & 0o077 == 0


# ---------------------------------------------------------------------------------------------
# Settings


def test_settings_defaults_and_environment(tmp_path, monkeypatch):
    settings = get_settings()
    assert settings.enabled and settings.max_bytes == DEFAULT_MAX_BYTES
    assert settings.directory == tmp_path / "xdg-cache" / "nvmath"
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", "2G")
    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path / "mine"))
    settings = get_settings()
    assert settings.max_bytes == 2 << 30 and settings.directory == tmp_path / "mine"
    assert settings.explicit_directory


def test_configure_overrides_environment_and_reset_restores_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", "1000")
    first = get_cache()
    assert first.max_bytes == 1000
    configure(directory=tmp_path / "mine", max_bytes=5000)
    second = get_cache()
    assert second is not first and second.max_bytes == 5000 and second.location == tmp_path / "mine"
    assert get_cache() is second
    configure(reset=True)
    assert get_cache().max_bytes == 1000 and get_cache().location == tmp_path / "xdg-cache" / "nvmath"


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"max_bytes": 0}, ValueError),
        ({"max_bytes": "1G"}, ValueError),
        ({"enabled": "no"}, TypeError),
        ({"directory": 3}, TypeError),
        ({"memory_bytes": -1}, ValueError),
    ],
)
def test_configure_rejects_bad_values(arguments, error):
    before = get_settings()
    with pytest.raises(error):
        configure(**arguments)
    assert get_settings() == before


def test_bad_environment_values_warn_and_use_defaults(monkeypatch):
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", "lots")
    monkeypatch.setenv("NVMATH_CACHE", "perhaps")
    with pytest.warns(CacheWarning) as record:
        settings = get_settings()
    assert settings.max_bytes == DEFAULT_MAX_BYTES and settings.enabled
    messages = " ".join(str(w.message) for w in record)
    assert "NVMATH_CACHE_MAX_BYTES='lots'" in messages and "NVMATH_CACHE='perhaps'" in messages


@pytest.mark.parametrize(
    "text, expected",
    [("1024", 1024), ("1K", 1024), ("1.5M", 3 << 19), ("2GiB", 2 << 30), ("3 mb", 3 << 20), (7, 7)],
)
def test_parse_size(text, expected):
    assert parse_size(text) == expected


def test_parse_size_rejects_nonsense():
    with pytest.raises(ValueError, match="cannot read 'ten' as a size"):
        parse_size("ten")


# ---------------------------------------------------------------------------------------------
# Cost


def test_warm_disk_hit_is_cheap(cache_dir):
    disk_only(cache_dir).put(key(), os.urandom(10_000))
    reader = disk_only(cache_dir)
    reader.get(key())
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(100):
            assert reader.get(key()) is not None
        samples.append((time.perf_counter() - start) / 100)
    median = sorted(samples)[2]
    assert median < 1e-3, f"a warm 10 KB disk hit took {median * 1e6:.0f} us"


# ---------------------------------------------------------------------------------------------
# Logging


def test_miss_is_logged_with_every_key_component(cache_dir, caplog):
    caplog.set_level(logging.DEBUG, logger="nvmath.cache")
    long_value = "y" * 200
    get_cache().get(CacheKey("ltoir", {"function": "abc", "ltoir_inputs": long_value}))
    (record,) = [r for r in caplog.records if r.getMessage().startswith("miss ")]
    message = record.getMessage()
    assert record.name == "nvmath.cache" and "not on disk" in message
    assert "function = abc" in message and "ltoir_inputs = <200 chars, sha256 " in message


def test_bad_entry_is_logged_with_its_reason(cache_dir, caplog):
    disk_only(cache_dir).put(key(), b"payload")
    (path,) = entry_files(cache_dir)
    _flip(path, -1)
    caplog.set_level(logging.INFO, logger="nvmath.cache")
    assert disk_only(cache_dir).get(key()) is None
    assert any("payload checksum mismatch" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
