"""The artifact store: an in-memory LRU in front of a directory of content-addressed entries.

Layout under the cache directory::

    <directory>/v1/<tier>/<digest[:2]>/<digest>.nvc     one entry (format: nvmath.cache.entry)
    <directory>/v1/<tier>/<digest[:2]>/.tmp-*           an entry being written (or left by a killed writer)
    <directory>/v1/.evict.lock                          the size lock; holds the running total in bytes

Trust: the cache holds code that this process runs (LTO-IR, cubins, machine code), so whoever can
change it can run code as you. A directory is used only if you (or root) alone can change it: the
directory, the directories of its layout (``v1``, tiers, shards) and every directory above it are
owned by you or root and not writable by group or others (a directory above it may be writable by
others when it has the sticky bit, as ``/tmp`` has), and no directory of the layout is a symbolic
link. The same rule applies wherever the path comes from (``NVMATH_CACHE_DIR``, :func:`configure`,
an argument, the default). Directories the cache creates are mode 0700, entries 0600. An entry is
opened without following links and without blocking, and used only if it is a regular file owned
by you or root, writable by nobody else, and no larger than the cap; at most that many bytes are
read, whatever its header says. Maintenance (:meth:`ArtifactCache.clear`, :meth:`ArtifactCache.prune`,
eviction) walks the tree without following links and removes at most a link itself, never what it
points to.

Concurrency: a writer first reserves the entry's size under the size lock (``flock`` on
``.evict.lock``, which records the running total): if the total would pass the cap, it evicts the
least recently used entries first, so that concurrent writers keep the directory within the cap.
Then, without the lock, it writes a temporary file in the entry's own directory and renames it over
the entry with :func:`os.replace`, which is atomic; a reader therefore sees a complete old entry, a
complete new one, or none, and takes no lock. Processes writing the same key write the same bytes
(content addressing), so the last rename wins harmlessly. Each process recounts the directory at
its first write and every 64 writes, which corrects the running total for files that others added
or removed without it. Temporary files count against the cap; those untouched for 10 minutes were
left by killed writers and are removed by eviction and :meth:`ArtifactCache.prune`.

Failure policy: the cache never makes a caller fail. An unusable directory (cannot be created, not
writable, or untrusted as above) turns the cache into a memory-only (or read-only) one with a single
:class:`~nvmath.cache.CacheWarning`, also logged; a bad entry (not a regular file, truncated,
corrupted, foreign, larger than the cap, or not parsing as the key asked for) is a miss, logged with
its reason, and is replaced by the next ``put``. An entry larger than the cap is not stored on disk,
and a writer that cannot take the size lock within 10 seconds keeps its entry in memory; both are
logged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import logging
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import cachetools

from . import settings as _settings
from ._diagnostics import logger, warn_once
from .entry import InvalidEntry, encode_entry, read_entry, read_header
from .keys import CacheKey

try:
    import fcntl
except ImportError:  # Windows: eviction runs without the lock, which only costs duplicated work
    fcntl = None

__all__ = ["ArtifactCache", "CacheStats", "EntryInfo", "RemovalResult", "get_cache", "LAYOUT"]

#: Name of the layout directory; a new entry format or layout gets a new one.
LAYOUT = "v1"
_SUFFIX = ".nvc"
_TEMP_PREFIX = ".tmp-"
_LOCK_NAME = ".evict.lock"
_EVICT_TO = 0.9  # evict down to 90% of the cap, so that the next puts do not evict again
_RESCAN_EVERY = 64  # writes between two counts of the directory (others may add or remove files)
_STALE_TEMP_SECONDS = 600.0  # a temporary file untouched this long was left by a killed writer
_LOCK_TIMEOUT = 10.0  # seconds a writer waits for the size lock before keeping its entry in memory
_POSIX = os.name != "nt"  # ownership and permission bits mean something
_OPEN_ENTRY = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a link is not an entry
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_OPEN_LOCK = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_LINK_ERRNOS = frozenset({errno.ELOOP, errno.EMLINK})  # O_NOFOLLOW met a link (EMLINK on BSDs)
_NO_WRITE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


@dataclasses.dataclass(frozen=True)
class CacheStats:
    """Counters of one :class:`ArtifactCache` in this process.

    Attributes
    ----------
    hits, misses : int
        Lookups answered, and not answered.
    memory_hits, disk_hits : int
        Hits served by the in-process LRU, and by the directory.
    writes : int
        Entries written to disk.
    invalid : int
        Entries found on disk but unusable (not a regular file, truncated, corrupted, foreign,
        other schema, larger than the cap).
    evicted : int
        Entries removed by eviction or :meth:`ArtifactCache.prune`.
    """

    hits: int = 0
    misses: int = 0
    memory_hits: int = 0
    disk_hits: int = 0
    writes: int = 0
    invalid: int = 0
    evicted: int = 0


@dataclasses.dataclass(frozen=True)
class EntryInfo:
    """Description of one entry on disk, as listed by :meth:`ArtifactCache.entries`.

    Attributes
    ----------
    digest : str
        The key digest (the file name).
    tier : str
        The tier directory it is stored in.
    size : int
        Size of the file in bytes (header included).
    last_used : float
        Time of the last write or disk hit (the file's modification time), in seconds since the
        epoch. Eviction removes the smallest first.
    created : float or None
        When the entry was written, from its header.
    components : Mapping[str, str]
        The full key, from the header.
    meta : Mapping[str, str]
        The producer's descriptive fields (symbol, kind, versions...).
    path : pathlib.Path
        The file.
    problem : str or None
        Why the entry's header is unusable, or ``None``. The payload is not verified when
        listing.
    """

    digest: str
    tier: str
    size: int
    last_used: float
    created: float | None
    components: Mapping[str, str]
    meta: Mapping[str, str]
    path: Path
    problem: str | None = None

    @property
    def valid(self) -> bool:
        """Whether the header could be read and belongs to this digest."""
        return self.problem is None


@dataclasses.dataclass(frozen=True)
class RemovalResult:
    """What :meth:`ArtifactCache.clear` or :meth:`ArtifactCache.prune` removed.

    Attributes
    ----------
    removed : int
        Number of entries deleted.
    freed_bytes : int
        Their total size.
    remaining_bytes : int
        Total size of the files left, entries and temporary files (what the cap is compared to).
    """

    removed: int
    freed_bytes: int
    remaining_bytes: int


class _Counters:
    __slots__ = tuple(field.name for field in dataclasses.fields(CacheStats))

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, 0)


class ArtifactCache:
    """A persistent, content-addressed store of artifacts (bytes), with an in-memory LRU.

    Most code uses the process-wide instance from :func:`get_cache`; construct one directly for a
    store of your own.

    Parameters
    ----------
    directory : str or os.PathLike or None
        Root of the persistent store; ``None`` keeps artifacts in memory only. Created (mode
        0700) on first use.
    enabled : bool, default True
        ``False`` makes :meth:`get` always miss and :meth:`put` store nothing, in memory or on
        disk. The maintenance methods (:meth:`entries`, :meth:`clear`, :meth:`prune`, ...) still
        act on the directory when it exists.
    max_bytes : int, default 1 GiB
        Size cap of the directory, temporary files included. When a ``put`` would take the total
        beyond it, the least recently used entries are removed first, until the total is at most
        90% of the cap; concurrent writers in other processes keep to it too. An entry larger than
        the cap is not stored on disk, and one found on disk is not read.
    memory_bytes : int, default 64 MiB
        Size cap of the in-process LRU; 0 disables it.
    check_permissions : bool, default True
        Refuse the directory (and use memory only, with one warning) unless only you or root can
        change it (see the module documentation). :func:`get_cache` always checks, wherever the
        path came from. ``False`` skips the check, for a directory whose safety is ensured
        otherwise; never pass it for a path that comes from users or the environment.

    Notes
    -----
    Thread-safe, and safe for processes sharing the directory. Lookups and stores never raise
    for problems of the directory or of an entry; they log them (logger ``"nvmath.cache"``) and
    carry on without the disk.
    """

    def __init__(
        self,
        directory: str | os.PathLike | None = None,
        *,
        enabled: bool = True,
        max_bytes: int = _settings.DEFAULT_MAX_BYTES,
        memory_bytes: int = _settings.DEFAULT_MEMORY_BYTES,
        check_permissions: bool = True,
    ):
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0:
            raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}")
        if not isinstance(memory_bytes, int) or isinstance(memory_bytes, bool) or memory_bytes < 0:
            raise ValueError(f"memory_bytes must be a non-negative int, got {memory_bytes!r}")
        self._directory = None if directory is None else Path(os.path.abspath(os.fspath(directory)))
        self._root = None if directory is None else os.path.join(self._directory, LAYOUT)
        self._enabled = bool(enabled)
        self._max_bytes = max_bytes
        self._memory_bytes = memory_bytes
        self._memory = cachetools.LRUCache(maxsize=memory_bytes, getsizeof=len) if memory_bytes else None
        self._check_permissions = bool(check_permissions)
        self._lock = threading.Lock()
        self._counters = _Counters()
        self._state: str | None = None  # "disk", "read-only" or "memory", once checked
        self._problem: str | None = None
        self._writes_since_scan: int | None = None  # None: this process has not counted the directory

    @classmethod
    def from_settings(cls, settings: _settings.CacheSettings) -> ArtifactCache:
        """Build a cache from :class:`~nvmath.cache.settings.CacheSettings`."""
        return cls(
            settings.directory,
            enabled=settings.enabled,
            max_bytes=settings.max_bytes,
            memory_bytes=settings.memory_bytes,
            check_permissions=True,  # one rule, wherever the path came from
        )

    # ----------------------------------------------------------------------------------------
    # Properties

    @property
    def location(self) -> Path | None:
        """The cache directory (entries live in its ``v1`` subdirectory), or ``None``."""
        return self._directory

    @property
    def enabled(self) -> bool:
        """Whether lookups and stores are performed at all."""
        return self._enabled

    @property
    def max_bytes(self) -> int:
        """The size cap of the directory, in bytes."""
        return self._max_bytes

    @property
    def storage(self) -> str:
        """Where artifacts go: ``"disk"``, ``"read-only"`` (disk hits, no disk writes),
        ``"memory"`` or ``"disabled"``. Checks the directory on first access."""
        if not self._enabled:
            return "disabled"
        return self._open()

    @property
    def problem(self) -> str | None:
        """Why the directory is not fully used (see :attr:`storage`), or ``None``."""
        if self._enabled:
            self._open()
        return self._problem

    @property
    def stats(self) -> CacheStats:
        """A snapshot of this cache's counters in this process."""
        with self._lock:
            return CacheStats(**{name: getattr(self._counters, name) for name in _Counters.__slots__})

    def __repr__(self) -> str:
        where = "memory" if self._directory is None else str(self._directory)
        return f"ArtifactCache({where!r}, enabled={self._enabled}, max_bytes={self._max_bytes})"

    # ----------------------------------------------------------------------------------------
    # Lookups and stores

    def get(self, key: CacheKey) -> bytes | None:
        """Return the payload stored under *key*, or ``None`` on a miss.

        A disk hit refreshes the entry's modification time (its LRU position) and copies the
        payload into the in-memory LRU. A missing entry is a miss, and so is a bad one: not a
        regular file, larger than the cap, truncated, corrupted, or not parsing as what *key*
        asked for. The reason is logged at DEBUG (INFO for a bad entry); nothing is raised.

        Parameters
        ----------
        key : CacheKey
            The key to look up.

        Returns
        -------
        bytes or None
        """
        if not self._enabled:
            self._count("misses")
            return None
        digest = key.digest
        memory = self._memory
        if memory is not None:
            with self._lock:
                payload = memory.get(digest)
                if payload is not None:
                    self._counters.hits += 1
                    self._counters.memory_hits += 1
            if payload is not None:
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug("hit (memory) %s %s", key.tier, digest[:16])
                return payload
        state = self._state or self._open()
        if state == "memory":
            reason = "not in memory" + (f" (memory-only cache: {self._problem})" if self._problem else "")
        else:
            payload, reason = self._read(key)
            if payload is not None:
                with self._lock:
                    self._counters.hits += 1
                    self._counters.disk_hits += 1
                    if memory is not None and len(payload) <= self._memory_bytes:
                        memory[digest] = payload
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug("hit (disk) %s %s (%d bytes)", key.tier, digest[:16], len(payload))
                return payload
        self._count("misses")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("miss %s %s: %s\n%s", key.tier, digest[:16], reason, key.describe())
        return None

    def put(self, key: CacheKey, payload: bytes, *, meta: Mapping[str, str] | None = None) -> None:
        """Store *payload* under *key*, in memory and (when possible) on disk.

        Parameters
        ----------
        key : CacheKey
            The key; its components are recorded in the entry's header.
        payload : bytes
            The artifact (``bytearray`` and ``memoryview`` are copied to ``bytes``).
        meta : Mapping[str, str], optional
            Descriptive fields recorded in the header and shown by ``python -m nvmath.cache
            list`` (for example ``{"symbol": ..., "kind": ...}``). They play no part in lookups.

        Raises
        ------
        TypeError
            If *key* is not a :class:`CacheKey`, *payload* is not bytes-like, or *meta* is not a
            mapping of strings to strings. Problems of the directory are logged, never raised.

        Notes
        -----
        The disk write first reserves its size under the cache's size lock, evicting least
        recently used entries if the directory would pass the cap. An entry larger than the cap is
        not written, and neither is one whose writer waited 10 seconds for the lock; both stay in
        memory and are logged at INFO.
        """
        if not isinstance(key, CacheKey):
            raise TypeError(f"key must be a CacheKey, got {type(key).__name__}")
        if isinstance(payload, (bytearray, memoryview)):
            payload = bytes(payload)
        elif not isinstance(payload, bytes):
            raise TypeError(f"payload must be bytes, got {type(payload).__name__}")
        meta = _check_meta(meta)
        if not self._enabled:
            return
        digest = key.digest
        if self._memory is not None and len(payload) <= self._memory_bytes:
            with self._lock:
                self._memory[digest] = payload
        if (self._state or self._open()) != "disk":
            return
        data = encode_entry(key, payload, meta)
        if len(data) > self._max_bytes:
            # Storing it would mean evicting everything else, and it would still not fit.
            logger.info(
                "not storing %s %s on disk: its entry of %d bytes is larger than the cache's cap of %d bytes "
                "(it is kept in memory)",
                key.tier,
                digest[:16],
                len(data),
                self._max_bytes,
            )
            return
        path = self._write(key, data)
        if path is None:
            return
        self._count("writes")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("stored %s %s (%d bytes) in %s", key.tier, digest[:16], len(payload), path)

    # ----------------------------------------------------------------------------------------
    # Maintenance

    def entries(self) -> Iterator[EntryInfo]:
        """Yield a description of every entry on disk (headers only; payloads are not read).

        Yields
        ------
        EntryInfo
        """
        root = self._maintenance_root()
        if root is None:
            return
        for kind, path, size, mtime in _scan(root):
            if kind == "special" and _is_entry_name(root, path):
                header, problem = {}, f"not a regular file ({_node_kind(path)})"
            elif kind != "entry":
                continue
            else:
                header, problem = {}, None
                try:
                    with _open_entry(path, None) as stream:
                        header = read_header(stream, size)
                except FileNotFoundError:
                    continue  # removed meanwhile
                except (OSError, InvalidEntry) as error:
                    problem = str(error)
                except Exception as error:  # listing reports a bad entry, it does not fail on it
                    problem = f"{type(error).__name__}: {error}"
            digest = os.path.basename(path)[: -len(_SUFFIX)]
            tier = os.path.basename(os.path.dirname(os.path.dirname(path)))
            if header and header.get("digest") != digest:
                problem = f"foreign entry: its header names key {str(header.get('digest'))[:16]}..."
            created = header.get("created")
            yield EntryInfo(
                digest=digest,
                tier=tier,
                size=size,
                last_used=mtime,
                created=created if isinstance(created, (int, float)) else None,
                components=MappingProxyType(dict(header.get("key") or {})),
                meta=MappingProxyType(dict(header.get("meta") or {})),
                path=Path(path),
                problem=problem,
            )

    def size_bytes(self) -> int:
        """Return the total size of the files on disk, entries and temporary files, in bytes.

        This is the total that the cap applies to.
        """
        root = self._maintenance_root()
        if root is None:
            return 0
        return _total(root)

    def clear(self) -> RemovalResult:
        """Remove every entry and temporary file from disk and empty the in-memory LRU.

        Nothing outside the cache directory is touched: a symbolic link found in it is removed
        itself, never followed.

        Returns
        -------
        RemovalResult
        """
        with self._lock:
            if self._memory is not None:
                self._memory.clear()
        root = self._maintenance_root()
        if root is None:
            return RemovalResult(0, 0, 0)
        removed = freed = remaining = 0
        with _size_lock(os.path.join(root, _LOCK_NAME), None) as (ledger, held):
            for kind, path, size, _ in _scan(root):
                try:
                    os.unlink(path)  # never follows a link: removes the link itself
                except FileNotFoundError:
                    continue
                except OSError as error:
                    logger.info("cannot remove %s: %s", path, error.strerror)
                    remaining += size
                    continue
                if kind == "entry":
                    removed += 1
                    freed += size
            if held:
                _write_total(ledger, remaining)
        logger.info("cleared %d entries (%d bytes) from %s", removed, freed, root)
        return RemovalResult(removed, freed, remaining)

    def prune(self, max_bytes: int | None = None) -> RemovalResult:
        """Remove least recently used entries until the total is at most *max_bytes*.

        Waits for an eviction running in another process to finish first. Temporary files left
        by killed writers (untouched for 10 minutes) are removed too; younger ones belong to live
        writers and count against *max_bytes*. Nothing outside the cache directory is touched.

        Parameters
        ----------
        max_bytes : int, optional
            The size to prune to; defaults to the cache's cap.

        Returns
        -------
        RemovalResult
        """
        if max_bytes is None:
            max_bytes = self._max_bytes
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
            raise ValueError(f"max_bytes must be a non-negative int, got {max_bytes!r}")
        root = self._maintenance_root()
        if root is None:
            return RemovalResult(0, 0, 0)
        with _size_lock(os.path.join(root, _LOCK_NAME), None) as (ledger, held):
            result = self._evict_locked(root, max_bytes, max_bytes)
            if held:
                _write_total(ledger, result.remaining_bytes)
        return result

    # ----------------------------------------------------------------------------------------
    # Internals

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self._counters, name, getattr(self._counters, name) + 1)

    def _open(self) -> str:
        """Check the directory once, choosing the storage mode; warn once if it is degraded."""
        state = self._state
        if state is not None:
            return state
        with self._lock:
            if self._state is None:
                self._state, self._problem = self._check_directory()
                if self._problem is not None:
                    warn_once(f"{self._state}:{self._directory}", self._problem, stacklevel=4)
                logger.debug("cache storage: %s at %s", self._state, self._directory)
            return self._state

    def _check_directory(self) -> tuple[str, str | None]:
        if self._directory is None:
            return "memory", None
        directory, root = self._directory, self._root
        cannot_write = None
        try:
            _make_private_dirs(root)
        except OSError as error:
            if not (os.path.isdir(root) and os.access(root, os.R_OK | os.X_OK)):
                return "memory", (
                    f"cannot create the nvmath cache directory {directory} ({error.strerror or error}); "
                    f"compiled artifacts are kept in memory only. Set {_settings.ENV_DIR} to a "
                    "writable directory to keep them across processes"
                )
            cannot_write = error.strerror
        if self._check_permissions:
            problem = _untrusted(directory, root)
            if problem is not None:  # a read-only directory too: reading it is what would run the code
                return "memory", (
                    f"refusing the nvmath cache directory {directory}: {problem}. The cache holds code "
                    "that this process runs, so only you (or root) may be able to change it; compiled "
                    "artifacts are kept in memory only. Fix the permissions (chmod go-w), remove the link, "
                    f"or set {_settings.ENV_DIR} to a directory that only you can write to"
                )
        else:
            logger.debug("permissions of the cache directory %s not checked (check_permissions=False)", directory)
        if cannot_write is not None:
            return "read-only", (
                f"the nvmath cache directory {directory} cannot be written ({cannot_write}); "
                "cached artifacts are read from it, new ones are kept in memory only"
            )
        if not os.access(root, os.W_OK | os.X_OK):
            return "read-only", (
                f"the nvmath cache directory {directory} is not writable; cached artifacts are "
                "read from it, new ones are kept in memory only"
            )
        return "disk", None

    def _maintenance_root(self) -> str | None:
        if self._directory is None or not os.path.isdir(self._root):
            return None  # nothing stored: do not create the directory just to list it
        if self._state is None:
            self._open()
        return self._root if self._state in ("disk", "read-only") else None

    def _entry_path(self, tier: str, digest: str) -> str:
        return os.path.join(self._root, tier, digest[:2], digest + _SUFFIX)

    def _read(self, key: CacheKey) -> tuple[bytes | None, str]:
        path = self._entry_path(key.tier, key.digest)
        try:
            with _open_entry(path, self._max_bytes) as stream:
                _, payload = read_entry(stream, key, self._max_bytes)
                _touch(stream.fileno(), path)  # the modification time is the LRU clock
        except FileNotFoundError:
            return None, "not on disk"
        except InvalidEntry as error:
            problem = str(error)
        except OSError as error:
            return None, f"cannot read {path} ({error.strerror or error})"
        except Exception as error:  # whatever the bytes are, a lookup must not fail: a miss
            problem = f"{type(error).__name__}: {error}"
        else:
            return payload, "disk"
        self._count("invalid")
        logger.info("ignoring invalid cache entry %s: %s; the next store replaces it", path, problem)
        return None, f"invalid entry ({problem})"

    def _write(self, key: CacheKey, data: bytes) -> str | None:
        shard = os.path.join(self._root, key.tier, key.digest[:2])
        final = os.path.join(shard, key.digest + _SUFFIX)
        try:
            reserved = self._reserve(shard, len(data))
            if reserved is None:
                return None
            fd, temp = reserved
            try:
                with open(fd, "wb") as stream:  # the lock is not held while writing
                    stream.write(data)
                os.replace(temp, final)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError as error:
            self._write_failed(final, error)
            return None
        return final

    def _write_failed(self, path: str, error: OSError) -> None:
        if error.errno == errno.ENOENT:
            # The directory was removed under us (clear() in another process): skip this one.
            logger.debug("cache entry %s not written: %s", path, error)
        elif error.errno in _NO_WRITE_ERRNOS:
            with self._lock:
                self._state = "read-only"
                self._problem = (
                    f"cannot write to the nvmath cache directory {self._directory} "
                    f"({error.strerror}); new artifacts are kept in memory only"
                )
            warn_once(f"read-only:{self._directory}", self._problem, stacklevel=5)
        elif error.errno in _FULL_ERRNOS:
            warn_once(
                f"full:{self._directory}",
                f"no space left for the nvmath cache in {self._directory} ({error.strerror}); "
                "entries that do not fit are kept in memory only",
                stacklevel=5,
            )
        else:
            warn_once(
                f"write:{self._directory}:{error.errno}",
                f"cannot write nvmath cache entry {path} ({error}); it is kept in memory only",
                stacklevel=5,
            )

    def _reserve(self, shard: str, size: int) -> tuple[int, str] | None:
        """Under the size lock, count *size* bytes against the cap, evicting least recently used
        entries first if the total would pass it, and create the temporary file of the entry at
        that size in *shard*, so that any count from now on includes it.

        Returns its descriptor and path, or ``None`` (logged) when the lock is busy or cannot be
        had. Raises OSError if the file cannot be created.
        """
        root = self._root
        if not os.path.isdir(root):  # removed under us (rm -rf): start a new tree
            with contextlib.suppress(OSError):
                _make_private_dirs(root)
        lock_path = os.path.join(root, _LOCK_NAME)
        with _size_lock(lock_path, _LOCK_TIMEOUT) as (ledger, held):
            if ledger is None:
                logger.info(
                    "cannot open the cache's size lock %s; entry not stored on disk (kept in memory)", lock_path
                )
                return None
            if not held:
                logger.info(
                    "another process held the cache's size lock %s for %.0f s; entry not stored on disk "
                    "(kept in memory)",
                    lock_path,
                    _LOCK_TIMEOUT,
                )
                return None
            with self._lock:
                count = self._writes_since_scan
            total = None if count is None or count >= _RESCAN_EVERY else _read_total(ledger)
            counted = total is None
            if counted:
                total = _total(root)
            cap = self._max_bytes
            if total + size > cap:
                result = self._evict_locked(root, cap - size, max(0, int(cap * _EVICT_TO) - size))
                total, counted = result.remaining_bytes, True
            try:
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=shard)
            except FileNotFoundError:  # first entry of this shard, or the tree was removed
                _make_private_dirs(shard)
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=shard)
            try:
                os.ftruncate(fd, size)  # the reservation: a count made while we write sees it whole
            except OSError:
                os.close(fd)
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
            _write_total(ledger, total + size)
        with self._lock:
            self._writes_since_scan = 1 if counted else (self._writes_since_scan or 0) + 1
        return fd, temp

    def _evict_locked(self, root: str, limit: int, target: int) -> RemovalResult:
        """Count the directory; if the total passes *limit*, remove least recently used entries
        until it is at most *target*. Stale temporary files go first. Called under the size lock."""
        now = time.time()
        entries = []
        total = stale = 0
        for kind, path, size, mtime in _scan(root):
            if kind == "entry":
                entries.append((mtime, path, size))
            elif kind == "temp" and now - mtime > _STALE_TEMP_SECONDS:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    continue
                except OSError:
                    pass
                else:
                    stale += 1
                    continue
            elif kind != "temp":
                continue
            total += size
        if stale:
            logger.info("removed %d temporary files left by killed writers from %s", stale, root)
        removed = freed = 0
        if total > limit:
            entries.sort()  # least recently used first
            for _, path, size in entries:
                if total <= target:
                    break
                try:
                    os.unlink(path)
                except FileNotFoundError:  # another process removed it
                    total -= size
                    continue
                except OSError as error:
                    logger.debug("cannot evict %s: %s", path, error.strerror)
                    continue
                removed += 1
                freed += size
                total -= size
        with self._lock:
            self._counters.evicted += removed
        if removed:
            logger.info(
                "evicted %d least recently used entries (%d bytes) from %s; %d bytes remain",
                removed,
                freed,
                root,
                total,
            )
        return RemovalResult(removed, freed, total)


def _check_meta(meta: Mapping[str, str] | None) -> dict[str, str]:
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise TypeError(f"meta must be a mapping of str to str, got {type(meta).__name__}")
    for name, value in meta.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"meta must map str to str; entry {name!r}: {value!r} is not")
    return dict(meta)


def _make_private_dirs(path: str) -> None:
    """Create *path* and missing parents, each with mode 0700 (``os.makedirs`` applies the
    mode to the leaf only)."""
    missing = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise


def _directory_problem(path, st: os.stat_result, uid: int, *, above: bool) -> str | None:
    """Why the directory *path* (with status *st*) lets someone else change the cache, or ``None``.

    *above*: a directory above the cache, which may be writable by others if it is sticky.
    """
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    if st.st_uid != uid and st.st_uid != 0:
        return f"{path} is owned by user id {st.st_uid}, not by you ({uid}) or root"
    if st.st_mode & 0o022 and not (above and st.st_mode & stat.S_ISVTX):
        return f"{path} is writable by group or others (mode {stat.filemode(st.st_mode)})"
    return None


def _untrusted(directory: Path, root: str) -> str | None:
    """Why someone other than you or root could change the cache at *directory* (layout
    directory *root*), or ``None``. The rule is stated in the module documentation."""
    if not _POSIX:  # POSIX permission bits do not apply
        return None
    uid = os.geteuid()
    real = Path(os.path.realpath(directory))
    # Above it: the real parents, and the directories that hold a link on the way to it
    # (~/.cache -> /data/me/cache puts ~ on the way). Nearest first.
    above = dict.fromkeys([*real.parents, *(Path(os.path.realpath(parent)) for parent in directory.parents)])
    checks = [(real, False), *((parent, True) for parent in above)]
    for path, is_above in checks:
        try:
            st = os.stat(path)
        except OSError as error:
            return f"{path} cannot be checked ({error.strerror})"
        problem = _directory_problem(path, st, uid, above=is_above)
        if problem is not None:
            return problem
    # Below it: the layout directory, tiers and shards, none of them a link. Files are checked
    # when they are opened.
    pending = [(root, 0)]
    while pending:
        path, depth = pending.pop()
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            return f"{path} cannot be checked ({error.strerror})"
        problem = _directory_problem(path, st, uid, above=False)
        if problem is not None:
            return problem
        if depth < 2:
            try:
                children = list(os.scandir(path))
            except OSError as error:
                return f"{path} cannot be listed ({error.strerror})"
            for child in children:
                if child.name.startswith(".") and depth == 0:
                    continue  # the size lock; opened without following links
                if child.is_symlink() or child.is_dir(follow_symlinks=False):
                    pending.append((child.path, depth + 1))
    return None


def _scan(root: str) -> Iterator[tuple[str, str, int, float]]:
    """Yield ``(kind, path, size, mtime)`` for what lies under *root*, never following a link.

    Kinds: ``"entry"`` (a regular ``*.nvc`` file), ``"temp"`` (a regular temporary file) and
    ``"special"`` (a symbolic link, or another node that is neither a regular file nor a
    directory, where a tier, a shard, an entry or a temporary file would be; size 0). Anything
    that vanishes meanwhile is skipped.
    """
    try:
        tiers = [item for item in os.scandir(root) if not item.name.startswith(".")]
    except OSError:
        return
    for tier in tiers:
        if tier.is_symlink():
            yield "special", tier.path, 0, 0.0
            continue
        if not tier.is_dir(follow_symlinks=False):
            continue
        try:
            shards = list(os.scandir(tier.path))
        except OSError:
            continue
        for shard in shards:
            if shard.is_symlink():
                yield "special", shard.path, 0, 0.0
                continue
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                files = list(os.scandir(shard.path))
            except OSError:
                continue
            for item in files:
                name = item.name
                if name.startswith(_TEMP_PREFIX):
                    kind = "temp"
                elif name.endswith(_SUFFIX) and not name.startswith("."):
                    kind = "entry"
                else:
                    continue
                try:
                    st = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield kind, item.path, st.st_size, st.st_mtime
                elif not stat.S_ISDIR(st.st_mode):
                    yield "special", item.path, 0, st.st_mtime


def _total(root: str) -> int:
    """The bytes under *root* that count against the cap: entries and temporary files."""
    return sum(size for kind, _, size, _ in _scan(root) if kind != "special")


def _is_entry_name(root: str, path: str) -> bool:
    """Whether *path* (from :func:`_scan`) is where an entry would be: ``<tier>/<shard>/*.nvc``."""
    return path.endswith(_SUFFIX) and os.path.relpath(path, root).count(os.sep) == 2


def _node_kind(path: str) -> str:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "gone"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return f"mode {stat.filemode(mode)}"


def _open_entry(path: str, max_bytes: int | None) -> io.BufferedReader:
    """Open the entry at *path* for reading, without following a link or blocking on a FIFO.

    Raises
    ------
    FileNotFoundError
        If there is no entry.
    InvalidEntry
        If it is not a regular file owned by you or root and writable by nobody else, or it is
        larger than *max_bytes* (``None``: any size).
    OSError
        If it cannot be opened.
    """
    try:
        fd = os.open(path, _OPEN_ENTRY)
    except OSError as error:
        if error.errno in _LINK_ERRNOS:
            raise InvalidEntry("it is a symbolic link") from None
        if error.errno == errno.ENXIO:  # a socket
            raise InvalidEntry("it is not a regular file") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidEntry(f"it is not a regular file ({_node_kind(path)})")
        if _POSIX:
            uid = os.geteuid()
            if st.st_uid != uid and st.st_uid != 0:
                raise InvalidEntry(f"it is owned by user id {st.st_uid}, not by you ({uid}) or root")
            if st.st_mode & 0o022:
                raise InvalidEntry(f"it is writable by group or others (mode {stat.filemode(st.st_mode)})")
        if max_bytes is not None and st.st_size > max_bytes:
            raise InvalidEntry(f"it is {st.st_size} bytes, larger than the cache's cap of {max_bytes} bytes")
        return open(fd, "rb")  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


def _touch(fd: int, path: str) -> None:
    """Set the entry's modification time to now, through its descriptor where possible."""
    try:
        if os.utime in os.supports_fd:
            os.utime(fd)
        else:
            os.utime(path)
    except OSError:
        pass  # a read-only cache: its order does not matter


@contextlib.contextmanager
def _size_lock(path: str, timeout: float | None) -> Iterator[tuple[int | None, bool]]:
    """Open the size lock *path* (created 0600, never through a link) and hold ``flock`` on it.

    Yields ``(fd, held)``. *fd* is ``None`` if the file cannot be opened (a read-only directory:
    removals go on without the lock, and fail per file). *held* is ``False`` when another process
    held the lock for *timeout* seconds (``None``: wait as long as it takes).
    """
    try:
        fd = os.open(path, _OPEN_LOCK, 0o600)
    except OSError as error:
        logger.debug("cannot open the size lock %s: %s", path, error.strerror)
        yield None, False
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            logger.debug("the size lock %s is not a regular file", path)
            yield None, False
            return
        held = _flock(fd, timeout)
        try:
            yield fd, held
        finally:
            if held and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _flock(fd: int, timeout: float | None) -> bool:
    if fcntl is None:
        return True
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(delay)
        delay = min(delay * 2, 0.01)


def _read_total(fd: int) -> int | None:
    """The running total recorded in the size lock, or ``None`` if there is none."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32)
    except OSError:
        return None
    try:
        total = int(text)
    except ValueError:
        return None
    return total if total >= 0 else None


def _write_total(fd: int | None, total: int) -> None:
    if fd is None:
        return
    data = b"%d\n" % total
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)
        os.ftruncate(fd, len(data))
    except OSError as error:
        logger.debug("cannot record the cache's size: %s", error.strerror)


# --------------------------------------------------------------------------------------------
# The process-wide cache.

_global_cache: ArtifactCache | None = None
_global_generation = -1
_global_lock = threading.Lock()


def get_cache() -> ArtifactCache:
    """Return the process-wide cache, built from :func:`nvmath.cache.get_settings`.

    It is built on first use and rebuilt after :func:`nvmath.cache.configure`; both read the
    environment (``NVMATH_CACHE_DIR``, ``NVMATH_CACHE``, ``NVMATH_CACHE_MAX_BYTES``).

    Returns
    -------
    ArtifactCache
    """
    global _global_cache, _global_generation
    generation = _settings.generation()
    cache = _global_cache
    if cache is not None and _global_generation == generation:
        return cache
    with _global_lock:
        if _global_cache is None or _global_generation != generation:
            _global_cache = ArtifactCache.from_settings(_settings.get_settings())
            _global_generation = generation
            logger.debug("cache: %r", _global_cache)
        return _global_cache


def _after_fork_in_child() -> None:
    # A lock held by another thread at fork time would never be released in the child.
    global _global_lock
    _global_lock = threading.Lock()
    if _global_cache is not None:
        _global_cache._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
