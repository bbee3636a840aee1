"""Processes sharing a cache directory: no lock for writers, no partial reads."""

from __future__ import annotations

import multiprocessing
import os

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
