"""Command line: ``python -m nvmath.cache info|list|clear|prune [--max-bytes N]``.

``info``
    Location, state, size, entry count, cap, and this process's hit and miss counts.
``list``
    One line per entry, most recently used first: digest, tier, size, last use, and the
    producer's descriptive fields (symbol, kind, ...).
``clear``
    Remove every entry and temporary file.
``prune [--max-bytes N]``
    Remove least recently used entries until the cache fits its cap, or *N* bytes, and temporary
    files left by killed writers (untouched for 10 minutes).

``--dir DIR`` (before the command) acts on another directory than the configured one.

The cache holds code that nvmath runs, so a directory that is writable by group or others, owned by
another user, below such a directory, or with a symbolic link among its tier and shard directories
is refused, wherever its path comes from: the commands other than ``info`` then exit with status 1
and say why. ``clear`` and ``prune`` act only inside the cache directory and never follow symbolic
links (a link found there is removed itself by ``clear``).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence

from .settings import ENV_DIR, ENV_ENABLED, ENV_MAX_BYTES, get_settings, parse_size
from .store import ArtifactCache, get_cache

__all__ = ["main"]

_META_FIRST = ("symbol", "kind", "name")


def format_bytes(size: int) -> str:
    """Return *size* in human units (powers of 1024), for example ``"1.5 MiB"``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _format_time(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _format_meta(meta) -> str:
    names = [name for name in _META_FIRST if name in meta]
    names += sorted(name for name in meta if name not in _META_FIRST)
    return " ".join(f"{name}={meta[name]}" for name in names)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nvmath.cache",
        description="Inspect and maintain the nvmath artifact cache.",
        epilog=f"Environment: {ENV_DIR} (location), {ENV_ENABLED}=0 (disable), "
        f"{ENV_MAX_BYTES} (size cap, for example 2G). The cache holds code, so a directory that is "
        "writable by group or others or owned by another user (or below such a directory) is refused: "
        "commands other than info exit with status 1. clear and prune act only inside the cache "
        "directory and never follow symbolic links.",
    )
    parser.add_argument("--dir", metavar="DIR", help="act on this cache directory instead of the configured one")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("info", help="show location, size, entry count, cap and this process's counters")
    commands.add_parser("list", help="list entries, most recently used first")
    commands.add_parser("clear", help="remove every entry and temporary file")
    prune = commands.add_parser(
        "prune",
        help="evict least recently used entries down to the cap, and temporary files left by killed writers",
    )
    prune.add_argument(
        "--max-bytes",
        metavar="N",
        type=_size_argument,
        help="prune down to N bytes instead of the cap (suffixes K, M, G, T allowed)",
    )
    return parser


def _size_argument(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _info(cache: ArtifactCache, out) -> int:
    entries = list(cache.entries())
    size = sum(entry.size for entry in entries)
    invalid = sum(not entry.valid for entry in entries)
    storage = cache.storage
    if cache.problem:
        storage += f" ({cache.problem})"
    stats = cache.stats
    print(f"location:     {cache.location}", file=out)
    print(f"enabled:      {'yes' if cache.enabled else 'no'}", file=out)
    print(f"storage:      {storage}", file=out)
    print(f"entries:      {len(entries)}" + (f" ({invalid} invalid)" if invalid else ""), file=out)
    print(f"size:         {format_bytes(size)} ({size} bytes)", file=out)
    print(f"cap:          {format_bytes(cache.max_bytes)} ({cache.max_bytes} bytes)", file=out)
    print(
        f"this process: {stats.hits} hits ({stats.memory_hits} memory, {stats.disk_hits} disk), "
        f"{stats.misses} misses, {stats.writes} writes",
        file=out,
    )
    return 0


def _list(cache: ArtifactCache, out) -> int:
    entries = sorted(cache.entries(), key=lambda entry: entry.last_used, reverse=True)
    if not entries:
        print(f"no entries in {cache.location}", file=out)
        return 0
    print(f"{'DIGEST':<16}  {'TIER':<6}  {'SIZE':>10}  {'LAST USED':<19}  META", file=out)
    for entry in entries:
        detail = _format_meta(entry.meta) if entry.valid else f"INVALID: {entry.problem}"
        print(
            f"{entry.digest[:16]:<16}  {entry.tier:<6}  {format_bytes(entry.size):>10}  "
            f"{_format_time(entry.last_used):<19}  {detail}",
            file=out,
        )
    total = sum(entry.size for entry in entries)
    print(f"{_plural(len(entries), 'entry', 'entries')}, {format_bytes(total)}", file=out)
    return 0


def _clear(cache: ArtifactCache, out) -> int:
    result = cache.clear()
    removed = _plural(result.removed, "entry", "entries")
    print(f"removed {removed} ({format_bytes(result.freed_bytes)}) from {cache.location}", file=out)
    return 0


def _prune(cache: ArtifactCache, out, max_bytes: int | None) -> int:
    limit = cache.max_bytes if max_bytes is None else max_bytes
    result = cache.prune(limit)
    print(
        f"removed {_plural(result.removed, 'entry', 'entries')} ({format_bytes(result.freed_bytes)}); "
        f"{format_bytes(result.remaining_bytes)} remain (limit {format_bytes(limit)})",
        file=out,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``) and return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments, for example ``["prune", "--max-bytes", "512M"]``.

    Returns
    -------
    int
        0 on success, 1 if the cache directory cannot be used, 2 for a usage error.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on errors and --help; report it as a status
        return int(exit_.code or 0)
    out = sys.stdout
    if args.dir is not None:
        cache = ArtifactCache(args.dir, max_bytes=get_settings().max_bytes, memory_bytes=0)
    else:
        cache = get_cache()
    if args.command == "info":
        return _info(cache, out)
    if cache.location is not None and cache.storage == "memory" and cache.problem:
        print(f"the cache directory is not in use: {cache.problem}", file=sys.stderr)
        return 1
    if args.command == "list":
        return _list(cache, out)
    if args.command == "clear":
        return _clear(cache, out)
    return _prune(cache, out, args.max_bytes)


if __name__ == "__main__":
    sys.exit(main())
