"""One self-describing file per artifact: magic, format version, JSON header, payload.

Nothing in a file is ever executed or unpickled; the header is JSON and the payload's length
and SHA-256 are checked before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile

from .artifact import LTOIR

__all__ = ["save", "load", "dumps", "loads", "ArtifactFormatError", "MAGIC", "FORMAT_VERSION"]

MAGIC = b"NVMLTOIR"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<8sHI")  # magic, format version, header length


class ArtifactFormatError(ValueError):
    """A file is not an nvmath LTO-IR artifact, or is damaged."""


def dumps(artifact: LTOIR) -> bytes:
    """Serialize an artifact to the bytes of an artifact file."""
    header = dict(artifact.metadata, payload_size=len(artifact), payload_sha256=artifact.sha256)
    blob = json.dumps(header, sort_keys=True).encode()
    return _PREFIX.pack(MAGIC, FORMAT_VERSION, len(blob)) + blob + bytes(artifact)


def loads(data: bytes, *, source: str = "<bytes>") -> LTOIR:
    """Parse the bytes of an artifact file; raise :class:`ArtifactFormatError` if damaged."""
    if len(data) < _PREFIX.size:
        raise ArtifactFormatError(f"{source} is too short to be an nvmath LTO-IR artifact")
    magic, version, header_size = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise ArtifactFormatError(f"{source} is not an nvmath LTO-IR artifact (bad magic {magic!r})")
    if version != FORMAT_VERSION:
        raise ArtifactFormatError(
            f"{source} has artifact format {version}; this nvmath reads format {FORMAT_VERSION}: "
            "recompile it with this version of nvmath"
        )
    start = _PREFIX.size
    try:
        header = json.loads(data[start : start + header_size])
        size, digest = header.pop("payload_size"), header.pop("payload_sha256")
    except (ValueError, KeyError) as e:
        raise ArtifactFormatError(f"{source} has a damaged header: {e}") from e
    payload = data[start + header_size :]
    if len(payload) != size:
        raise ArtifactFormatError(f"{source} is truncated: {len(payload)} of {size} payload bytes")
    if hashlib.sha256(payload).hexdigest() != digest:
        raise ArtifactFormatError(f"{source} is corrupted: its payload does not match its SHA-256")
    return LTOIR(payload, **header)


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
    ArtifactFormatError
        If the file is not an artifact or is damaged.
    IncompatibleArtifactError
        If the artifact cannot be used here (the message says what to do).
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        artifact = loads(f.read(), source=path)
    if check:
        artifact.check_compatible(compute_capability)
    return artifact
