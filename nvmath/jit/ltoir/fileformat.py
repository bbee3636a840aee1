"""One self-describing file per artifact: magic, format version, checksum, JSON header, payload.

Layout (format 2, little-endian)::

    prefix   8s magic b"NVMLTOIR", u16 format version, u32 header length
    digest   32 bytes: SHA-256 of the prefix, the header and the payload
    header   UTF-8 JSON object: the artifact's metadata and ``payload_size``
    payload  the raw LTO-IR

Nothing in a file is ever executed or unpickled. The checksum covers the metadata as well as the
code, so a damaged file is refused rather than loaded with a changed symbol or target; every
header field is type-checked (a file may have been crafted), and sizes are bounded, so a file
that is not what :func:`dumps` writes raises :class:`ArtifactFormatError` naming the file and
what is wrong, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import tempfile

from ..arch import parse_target
from ..cabi import check_symbol
from .artifact import LTOIR

__all__ = [
    "save",
    "load",
    "dumps",
    "loads",
    "ArtifactFormatError",
    "MAGIC",
    "FORMAT_VERSION",
    "MAX_HEADER_BYTES",
    "MAX_PAYLOAD_BYTES",
]

MAGIC = b"NVMLTOIR"
FORMAT_VERSION = 2  # 2: a SHA-256 of the whole file after the prefix (1: of the payload only)
_PREFIX = struct.Struct("<8sHI")  # magic, format version, header length
_DIGEST_SIZE = 32
#: Bounds on what a file may declare (a header is a few hundred bytes, LTO-IR rarely megabytes).
MAX_HEADER_BYTES = 1 << 20
MAX_PAYLOAD_BYTES = 1 << 30

# Header fields and the JSON types they must have (exactly what dumps writes).
_STR, _OPT_STR = "a string", "a string or null"
_FIELDS = {
    "symbol": _STR,
    "kind": _STR,
    "target": _STR,
    "c_signature": _STR,
    "element_type": _OPT_STR,
    "user_info_type": _OPT_STR,
    "producers": "an object of strings",
    "payload_size": "a non-negative integer",
}


class ArtifactFormatError(ValueError):
    """A file is not an nvmath LTO-IR artifact, or is damaged."""


def dumps(artifact: LTOIR) -> bytes:
    """Serialize an artifact to the bytes of an artifact file."""
    header = dict(artifact.metadata, payload_size=len(artifact))
    blob = json.dumps(header, sort_keys=True).encode()
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(blob))
    payload = bytes(artifact)
    return prefix + hashlib.sha256(prefix + blob + payload).digest() + blob + payload


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_header(blob: bytes):
    """The header as a dict, or the reason it is not one."""
    try:
        header = json.loads(blob.decode("utf-8"))
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, f"its header is not JSON ({type(e).__name__}: {str(e)[:80]})"
    if not isinstance(header, dict):
        return None, f"its header is not a JSON object (got {type(header).__name__})"
    return header, None


def _field_problem(name, value) -> str | None:
    """What is wrong with a header field, or None."""
    kind = _FIELDS[name]
    if kind == _STR:
        ok = isinstance(value, str)
    elif kind == _OPT_STR:
        ok = value is None or isinstance(value, str)
    elif name == "producers":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    else:  # payload_size; bool is an int to Python but never what dumps writes
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not ok:
        return f"{name}={_short(value)} is not {kind}"
    try:
        if name == "symbol":
            check_symbol(value)
        elif name == "target":
            parse_target(value, keyword="target")
    except ValueError as e:
        return str(e).split(";")[0]
    return None


def loads(data, *, source: str = "<bytes>") -> LTOIR:
    """Parse the bytes of an artifact file.

    Parameters
    ----------
    data : bytes-like
        What :func:`dumps` returned (or a file's contents).
    source : str
        How messages name the data (a path).

    Raises
    ------
    ArtifactFormatError
        If ``data`` is not an artifact, is damaged or declares impossible sizes; the message
        names ``source`` and what is wrong.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    head = _PREFIX.size + _DIGEST_SIZE
    if len(data) < head:
        raise ArtifactFormatError(f"{source} is too short to be an nvmath LTO-IR artifact ({len(data)} bytes)")
    magic, version, header_size = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise ArtifactFormatError(f"{source} is not an nvmath LTO-IR artifact (bad magic {magic!r})")
    if version != FORMAT_VERSION:
        raise ArtifactFormatError(
            f"{source} has artifact format {version}; this nvmath reads format {FORMAT_VERSION}: "
            "recompile it with this version of nvmath"
        )
    if header_size > MAX_HEADER_BYTES:
        raise ArtifactFormatError(
            f"{source} declares a {header_size}-byte header, more than the {MAX_HEADER_BYTES} bytes a header may have"
        )
    if head + header_size > len(data):
        raise ArtifactFormatError(
            f"{source} is truncated: its header declares {header_size} bytes, {len(data) - head} follow the prefix"
        )
    blob, payload = data[head : head + header_size], data[head + header_size :]
    header, problem = _parse_header(blob)

    # Sizes first (a truncated file says so), then the checksum, then the fields.
    size = header.get("payload_size") if header is not None else None
    if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
        if size > MAX_PAYLOAD_BYTES:
            raise ArtifactFormatError(
                f"{source} declares payload_size={size}, more than the {MAX_PAYLOAD_BYTES} bytes an artifact may hold"
            )
        if len(payload) < size:
            raise ArtifactFormatError(f"{source} is truncated: {len(payload)} of payload_size={size} payload bytes")
        if len(payload) > size:
            raise ArtifactFormatError(
                f"{source} has {len(payload) - size} bytes after its payload (payload_size={size}): "
                "it is damaged or not one artifact"
            )
    if hashlib.sha256(data[: _PREFIX.size] + blob + payload).digest() != data[_PREFIX.size : head]:
        raise ArtifactFormatError(f"{source} is corrupted: its contents do not match its SHA-256 checksum")
    if problem is None:
        missing = [name for name in _FIELDS if name not in header]
        unexpected = sorted(set(header) - set(_FIELDS))
        if missing:
            problem = f"it lacks {', '.join(missing)}"
        elif unexpected:
            problem = f"unexpected field(s) {', '.join(_short(n) for n in unexpected)}"
        else:
            problem = next(filter(None, (_field_problem(n, header[n]) for n in _FIELDS)), None)
    if problem is not None:
        raise ArtifactFormatError(f"{source} has a damaged header: {problem}")
    del header["payload_size"]
    try:
        return LTOIR(payload, **header)
    except (TypeError, ValueError) as e:  # not expected after the checks above; still never another error
        raise ArtifactFormatError(f"{source} has a damaged header: {e}") from e


def save(artifact: LTOIR, path) -> None:
    """Write ``artifact`` to ``path`` atomically (a reader never sees a partial file)."""
    if not isinstance(artifact, LTOIR):
        raise TypeError(f"artifact must be an nvmath.jit.ltoir.LTOIR, got {type(artifact).__name__}")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".ltoir")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(dumps(artifact))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def load(path, *, compute_capability=None, check: bool = True) -> LTOIR:
    """Read an artifact file written by :func:`save` or ``python -m nvmath.jit compile``.

    Parameters
    ----------
    path : str or os.PathLike
    compute_capability : optional
        The device the artifact is meant for; when given, its target is checked against it.
    check : bool
        Check that the installed nvJitLink can read the artifact (and the device run it).

    Raises
    ------
    OSError
        If the file cannot be read (``FileNotFoundError`` when it does not exist).
    ArtifactFormatError
        If the file is not an artifact, is damaged or is larger than any artifact.
    IncompatibleArtifactError
        If the artifact cannot be used here (the message says what to do).
    """
    path = os.fspath(path)
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ArtifactFormatError(f"{path} is not a regular file, so not an nvmath LTO-IR artifact")
    limit = _PREFIX.size + _DIGEST_SIZE + MAX_HEADER_BYTES + MAX_PAYLOAD_BYTES
    with open(path, "rb") as f:
        data = f.read(limit + 1)  # bounded: the file may have grown since stat
    if len(data) > limit:
        raise ArtifactFormatError(
            f"{path} is {max(info.st_size, len(data))} bytes, more than an artifact may have ({limit})"
        )
    artifact = loads(data, source=path)
    if check:
        artifact.check_compatible(compute_capability)
    return artifact
