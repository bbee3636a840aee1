"""The artifact store: an in-memory LRU in front of a directory of content-addressed entries.

Layout under the cache directory::

    <directory>/v1/<tier>/<digest[:2]>/<digest>.nvc     one entry (format: nvmath.cache.entry)
    <directory>/v1/.evict.lock                          held only while evicting

Concurrency: a writer writes a temporary file in the entry's own directory and renames it over the
entry with :func:`os.replace`, which is atomic; a reader therefore sees a complete old entry, a
complete new one, or none. Processes writing the same key write the same bytes (content
addressing), so the last rename wins harmlessly. Only eviction takes a lock, and it tolerates
entries vanishing under it.

Failure policy: the cache never makes a caller fail. An unusable directory (cannot be created, not
writable, or writable by other users when it is the default one) turns the cache into a
memory-only one with a single :class:`~nvmath.cache.CacheWarning`; a bad entry is a miss, logged
with its reason, and is replaced by the next ``put``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
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
from .entry import InvalidEntry, decode_entry, encode_entry, read_header
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
_RESCAN_EVERY = 64  # puts between two scans of the directory size (other processes write too)
_STALE_TEMP_SECONDS = 3600.0  # temporary files older than this were left by a crashed writer
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
        Entries found on disk but unusable (truncated, corrupted, foreign, other schema).
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
        Total size of the entries left.
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
        Size cap of the directory. When a ``put`` takes the total beyond it, the least recently
        used entries are removed until the total is at most 90% of the cap.
    memory_bytes : int, default 64 MiB
        Size cap of the in-process LRU; 0 disables it.
    check_permissions : bool, default False
        Refuse the directory (and use memory only, with one warning) if it, or a parent up to the
        user cache directory, is writable by group or others or owned by another user.
        :func:`get_cache` sets it for the default directory only: a directory the user named is
        trusted.

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
        check_permissions: bool = False,
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
        self._check_permissions = check_permissions
        self._lock = threading.Lock()
        self._counters = _Counters()
        self._state: str | None = None  # "disk", "read-only" or "memory", once checked
        self._problem: str | None = None
        self._estimate: int | None = None  # bytes on disk, as last scanned plus our writes
        self._puts_since_scan = 0

    @classmethod
    def from_settings(cls, settings: _settings.CacheSettings) -> ArtifactCache:
        """Build a cache from :class:`~nvmath.cache.settings.CacheSettings`."""
        return cls(
            settings.directory,
            enabled=settings.enabled,
            max_bytes=settings.max_bytes,
            memory_bytes=settings.memory_bytes,
            check_permissions=not settings.explicit_directory,
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
        payload into the in-memory LRU. A missing, truncated, corrupted or foreign entry is a
        miss; the reason is logged at DEBUG (INFO for a bad entry).

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
        path = self._write(key, data)
        if path is None:
            return
        self._count("writes")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("stored %s %s (%d bytes) in %s", key.tier, digest[:16], len(payload), path)
        self._after_write(len(data))

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
            if kind != "entry":
                continue
            digest = os.path.basename(path)[: -len(_SUFFIX)]
            tier = os.path.basename(os.path.dirname(os.path.dirname(path)))
            header, problem = {}, None
            try:
                with open(path, "rb") as stream:
                    header = read_header(stream, size)
            except FileNotFoundError:
                continue  # removed meanwhile
            except (OSError, InvalidEntry) as error:
                problem = str(error)
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
        """Return the total size of the entries on disk, in bytes."""
        root = self._maintenance_root()
        if root is None:
            return 0
        return sum(size for kind, _, size, _ in _scan(root) if kind == "entry")

    def clear(self) -> RemovalResult:
        """Remove every entry (and temporary file) from disk and empty the in-memory LRU.

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
        for kind, path, size, _ in _scan(root):
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as error:
                logger.info("cannot remove %s: %s", path, error.strerror)
                remaining += size if kind == "entry" else 0
                continue
            if kind == "entry":
                removed += 1
                freed += size
        with self._lock:
            self._estimate = remaining
        logger.info("cleared %d entries (%d bytes) from %s", removed, freed, root)
        return RemovalResult(removed, freed, remaining)

    def prune(self, max_bytes: int | None = None) -> RemovalResult:
        """Remove least recently used entries until the total is at most *max_bytes*.

        Waits for an eviction running in another process to finish first. Temporary files left
        by crashed writers (older than an hour) are removed too.

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
        result = self._evict(root, max_bytes, blocking=True)
        assert result is not None  # a blocking eviction always runs
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
        try:
            _make_private_dirs(root)
        except OSError as error:
            if os.path.isdir(root) and os.access(root, os.R_OK | os.X_OK):
                return "read-only", (
                    f"the nvmath cache directory {directory} cannot be written ({error.strerror}); "
                    "cached artifacts are read from it, new ones are kept in memory only"
                )
            return "memory", (
                f"cannot create the nvmath cache directory {directory} ({error.strerror or error}); "
                f"compiled artifacts are kept in memory only. Set {_settings.ENV_DIR} to a "
                "writable directory to keep them across processes"
            )
        if self._check_permissions:
            problem = _insecure(self._directory)
            if problem is not None:
                return "memory", (
                    f"refusing the nvmath cache directory {directory}: {problem}, so another user "
                    "could plant artifacts that would run on your GPU. Compiled artifacts are kept "
                    f"in memory only. Fix the permissions (chmod go-w), or set {_settings.ENV_DIR} "
                    "to a directory you trust"
                )
        else:
            logger.debug("cache directory %s was chosen explicitly; permissions not checked", directory)
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
            with open(path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            return None, "not on disk"
        except OSError as error:
            return None, f"cannot read {path} ({error.strerror})"
        try:
            _, payload = decode_entry(data, key.digest)
        except InvalidEntry as error:
            self._count("invalid")
            logger.info("ignoring invalid cache entry %s: %s; the next store replaces it", path, error)
            return None, f"invalid entry ({error})"
        try:
            os.utime(path)  # the modification time is the LRU clock
        except OSError:
            pass  # a read-only cache: its order does not matter
        return payload, "disk"

    def _write(self, key: CacheKey, data: bytes) -> str | None:
        shard = os.path.join(self._root, key.tier, key.digest[:2])
        final = os.path.join(shard, key.digest + _SUFFIX)
        try:
            try:
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=shard)
            except FileNotFoundError:  # first entry of this shard, or the tree was removed
                _make_private_dirs(shard)
                fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=shard)
            try:
                with open(fd, "wb") as stream:
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

    def _after_write(self, size: int) -> None:
        # Knowing the directory's size needs a scan, so scan only at the first write of the
        # process, every _RESCAN_EVERY writes, and when our running estimate passes the cap.
        with self._lock:
            self._puts_since_scan += 1
            if self._estimate is not None:
                self._estimate += size
            if not (
                self._estimate is None or self._puts_since_scan >= _RESCAN_EVERY or self._estimate > self._max_bytes
            ):
                return
            self._puts_since_scan = 0
        total = sum(size for kind, _, size, _ in _scan(self._root) if kind == "entry")
        if total > self._max_bytes:
            result = self._evict(self._root, int(self._max_bytes * _EVICT_TO), blocking=False)
            if result is not None:
                total = result.remaining_bytes
        with self._lock:
            self._estimate = total

    def _evict(self, root: str, target: int, *, blocking: bool) -> RemovalResult | None:
        with _eviction_lock(os.path.join(root, _LOCK_NAME), blocking) as locked:
            if not locked:
                logger.debug("another process is evicting from %s; skipped", root)
                return None
            now = time.time()
            entries = []
            for kind, path, size, mtime in _scan(root):
                if kind == "entry":
                    entries.append((mtime, path, size))
                elif now - mtime > _STALE_TEMP_SECONDS:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
            entries.sort()  # least recently used first
            total = sum(size for _, _, size in entries)
            removed = freed = 0
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


def _insecure(directory: Path) -> str | None:
    """Why *directory* (or a parent up to the user cache root) is unsafe to trust, or ``None``."""
    if os.name == "nt":  # POSIX permission bits do not apply
        return None
    try:
        stop = _settings.user_cache_root()
    except Exception:
        stop = None
    chain = [directory]
    if stop is not None and stop in directory.parents:
        chain.extend(parent for parent in directory.parents if stop in parent.parents or parent == stop)
    uid = os.getuid()
    for path in chain:
        try:
            st = os.stat(path)
        except OSError:
            continue
        if st.st_uid != uid:
            return f"{path} is owned by user id {st.st_uid}, not by you ({uid})"
        if st.st_mode & 0o022:
            return f"{path} is writable by group or others (mode {stat.filemode(st.st_mode)})"
    return None


def _scan(root: str) -> Iterator[tuple[str, str, int, float]]:
    """Yield ``(kind, path, size, mtime)`` for entries (kind ``"entry"``) and temporary files
    (kind ``"temp"``) under *root*, skipping anything that vanishes meanwhile."""
    try:
        tiers = [item for item in os.scandir(root) if item.is_dir() and not item.name.startswith(".")]
    except OSError:
        return
    for tier in tiers:
        try:
            shards = [item for item in os.scandir(tier.path) if item.is_dir()]
        except OSError:
            continue
        for shard in shards:
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
                    st = item.stat()
                except OSError:
                    continue
                yield kind, item.path, st.st_size, st.st_mtime


@contextlib.contextmanager
def _eviction_lock(path: str, blocking: bool) -> Iterator[bool]:
    """Hold ``flock`` on *path*; yield ``False`` if another process holds it and not blocking."""
    if fcntl is None:
        yield True
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        logger.debug("cannot open the eviction lock %s: %s", path, error.strerror)
        yield blocking  # a read-only directory: pruning will fail per file, harmlessly
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            acquired = False
        else:
            acquired = True
        try:
            yield acquired
        finally:
            if acquired:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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
