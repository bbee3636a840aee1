"""Processes sharing a cache directory: no lock for writers, no partial reads."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import time

import pytest

from nvmath.cache import ArtifactCache, CacheKey
from nvmath.cache.entry import InvalidEntry, decode_entry

WRITERS = 16
ROUNDS = 20

if "fork" not in multiprocessing.get_all_start_methods():
    pytest.skip("needs the fork start method", allow_module_level=True)

# Forked children inherit the test's state; nothing needs pickling.
fork = multiprocessing.get_context("fork")


def round_key(index: int) -> CacheKey:
    return CacheKey("ltoir", {"function": f"round-{index}", "target": "sm_90"})


def round_payload(index: int) -> bytes:
    # Large enough that writes take a while and overlap; identical for every writer of a round.
    return bytes([index]) * (64 * 1024) + index.to_bytes(4, "big")


def _writer(directory: str, barrier, failures) -> None:
    try:
        cache = ArtifactCache(directory, memory_bytes=0)
        for index in range(ROUNDS):
            barrier.wait(timeout=60)  # every writer puts the same key at the same moment
            cache.put(round_key(index), round_payload(index))
        if cache.stats.writes != ROUNDS:
            failures.put(f"pid {os.getpid()}: {cache.stats.writes} of {ROUNDS} writes succeeded")
    except BaseException as error:  # report, do not hang the barrier silently
        failures.put(f"pid {os.getpid()}: {error!r}")
        barrier.abort()


def test_concurrent_writers_of_the_same_key(tmp_path):
    directory = str(tmp_path / "shared")
    barrier = fork.Barrier(WRITERS)
    failures = fork.Queue()
    processes = [fork.Process(target=_writer, args=(directory, barrier, failures)) for _ in range(WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert not problems, problems
    assert [process.exitcode for process in processes] == [0] * WRITERS

    reader = ArtifactCache(directory, memory_bytes=0)
    entries = list(reader.entries())
    assert len(entries) == ROUNDS and all(entry.valid for entry in entries)
    for index in range(ROUNDS):
        assert reader.get(round_key(index)) == round_payload(index)
    assert reader.stats.invalid == 0
    assert not list((tmp_path / "shared").rglob(".tmp-*"))


def _rewriter(directory: str, start, stop_after: int) -> None:
    cache = ArtifactCache(directory, memory_bytes=0)
    payload = round_payload(7) * 16  # about 1 MiB
    start.wait(timeout=60)
    for _ in range(stop_after):
        cache.put(round_key(7), payload)


def test_readers_never_see_a_partial_entry(tmp_path):
    directory = str(tmp_path / "shared")
    payload = round_payload(7) * 16
    key = round_key(7)
    ArtifactCache(directory, memory_bytes=0).put(key, payload)
    path = os.path.join(directory, "v1", "ltoir", key.digest[:2], key.digest + ".nvc")

    start = fork.Event()
    writers = [fork.Process(target=_rewriter, args=(directory, start, 40)) for _ in range(4)]
    for writer in writers:
        writer.start()
    reader = ArtifactCache(directory, memory_bytes=0)
    start.set()
    hits = partial = reads = 0
    while any(writer.is_alive() for writer in writers) or reads < 50:
        result = reader.get(key)
        if result is not None:
            assert result == payload
            hits += 1
        with open(path, "rb") as stream:  # the raw file, as any reader would see it
            data = stream.read()
        try:
            decode_entry(data, key.digest)
        except InvalidEntry:
            partial += 1
        reads += 1
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0
    assert partial == 0 and reader.stats.invalid == 0
    assert hits == reads  # the entry always existed, complete
    assert not list((tmp_path / "shared").rglob(".tmp-*"))


CAP_WRITERS = 8
CAP_PUTS = 40
CAP = 256 * 1024


def _files_total(directory: str) -> int:
    """Bytes of every file under the layout directory (entries and temporary files), as du counts."""
    total = 0
    for folder, _, names in os.walk(os.path.join(directory, "v1")):
        for name in names:
            if name == ".evict.lock":
                continue
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                pass  # evicted meanwhile
    return total


def _capped_writer(directory: str, index: int, barrier, failures) -> None:
    try:
        cache = ArtifactCache(directory, memory_bytes=0, max_bytes=CAP)
        barrier.wait(timeout=60)
        for number in range(CAP_PUTS):
            # Distinct keys of 8-24 KiB: every put adds to the directory.
            payload = os.urandom(8 * 1024 * (1 + (index + number) % 3))
            cache.put(CacheKey("ltoir", {"writer": str(index), "number": str(number)}), payload)
    except BaseException as error:
        failures.put(f"pid {os.getpid()}: {error!r}")
        barrier.abort()


def _total_at_rest(directory: str, lock_fd: int) -> int:
    """The total while no writer holds the size lock. Writers add files (at their full size) only
    under it; outside it the total can only shrink (renames, writes into those files, removals),
    so the largest of these samples is the largest total there was. A walk without the lock would
    race evictions and count files that never coexisted."""
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    try:
        return _files_total(directory)
    finally:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)


def test_concurrent_writers_keep_the_size_cap(tmp_path):
    directory = str(tmp_path / "shared")
    ArtifactCache(directory, memory_bytes=0).put(round_key(0), b"x")  # create the tree
    barrier = fork.Barrier(CAP_WRITERS)
    failures = fork.Queue()
    processes = [
        fork.Process(target=_capped_writer, args=(directory, index, barrier, failures)) for index in range(CAP_WRITERS)
    ]
    for process in processes:
        process.start()
    lock_fd = os.open(os.path.join(directory, "v1", ".evict.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    largest = samples = 0
    try:
        while any(process.is_alive() for process in processes):
            largest = max(largest, _total_at_rest(directory, lock_fd))
            samples += 1
            time.sleep(0.002)  # let the writers, who poll for the lock, have it
    finally:
        os.close(lock_fd)
    for process in processes:
        process.join(timeout=120)
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert not problems, problems
    assert [process.exitcode for process in processes] == [0] * CAP_WRITERS
    final = _files_total(directory)
    written = CAP_WRITERS * CAP_PUTS * 16 * 1024
    assert written > 10 * CAP  # the writers did have to evict
    assert samples > 10
    assert largest <= 1.25 * CAP, f"{largest / CAP:.2f}x the cap while they wrote"
    assert final <= CAP, f"{final / CAP:.2f}x the cap after the writers finished"
    assert final >= CAP // 2  # eviction kept the cache filled, it did not empty it
