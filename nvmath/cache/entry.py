"""The on-disk format of one cache entry: self-describing bytes, never pickle.

Layout (all integers big-endian)::

    magic          8 bytes   b"NVMCACHE"
    schema         u16       ENTRY_SCHEMA
    header_length  u32
    header_crc32   u32       zlib.crc32 of the header bytes
    header         JSON      {"digest", "tier", "key", "meta", "payload_size",
                              "payload_sha256", "created", "schema"}
    payload        bytes

Decoding checks, in order: the magic, the schema, that the header is complete and its CRC
matches, that it is a JSON object with the expected fields, that its digest is the one asked for
(a foreign entry), that the payload has the recorded length (a truncated entry), and that its
SHA-256 matches (a flipped bit). Any failure raises :class:`InvalidEntry`; nothing is executed.
"""

from __future__ import annotations

import hashlib
import json
import struct
import time
import zlib
from collections.abc import Mapping
from typing import BinaryIO

from .keys import CacheKey

__all__ = ["ENTRY_SCHEMA", "MAGIC", "InvalidEntry", "decode_entry", "encode_entry", "read_header"]

MAGIC = b"NVMCACHE"
ENTRY_SCHEMA = 1
_PREFIX = struct.Struct(">8sHII")
_MAX_HEADER = 1 << 24  # a header beyond 16 MiB is corruption, not metadata

_FIELDS = {
    "digest": str,
    "tier": str,
    "key": dict,
    "meta": dict,
    "payload_size": int,
    "payload_sha256": str,
}


class InvalidEntry(Exception):
    """An entry that cannot be used; the message says why. The cache treats it as a miss."""


def encode_entry(key: CacheKey, payload: bytes, meta: Mapping[str, str] | None = None) -> bytes:
    """Serialize *payload* with a header describing *key* and *meta*.

    Parameters
    ----------
    key : CacheKey
        The key the entry answers; its tier, digest and components go into the header.
    payload : bytes
        The artifact.
    meta : Mapping[str, str], optional
        Free-form descriptive fields (symbol, kind, producer versions) shown by
        ``python -m nvmath.cache list``; they do not take part in lookups.

    Returns
    -------
    bytes
        The complete entry.
    """
    header = {
        "schema": ENTRY_SCHEMA,
        "digest": key.digest,
        "tier": key.tier,
        "key": dict(key.components),
        "meta": dict(meta or {}),
        "payload_size": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "created": time.time(),
    }
    header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")
    prefix = _PREFIX.pack(MAGIC, ENTRY_SCHEMA, len(header_bytes), zlib.crc32(header_bytes))
    return b"".join((prefix, header_bytes, payload))


def _parse_header(data: bytes, available: int) -> tuple[dict, int]:
    """Parse the prefix and header from *data*; return the header and the payload offset."""
    if len(data) < _PREFIX.size:
        raise InvalidEntry(f"truncated: {len(data)} bytes, shorter than the {_PREFIX.size}-byte prefix")
    magic, schema, header_length, header_crc = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise InvalidEntry("not an nvmath cache entry (bad magic)")
    if schema != ENTRY_SCHEMA:
        raise InvalidEntry(f"entry schema {schema}, this version reads schema {ENTRY_SCHEMA}")
    end = _PREFIX.size + header_length
    if header_length > _MAX_HEADER or end > available:
        raise InvalidEntry(f"truncated header ({header_length} bytes announced)")
    header_bytes = data[_PREFIX.size : end]
    if len(header_bytes) != header_length:
        raise InvalidEntry(f"truncated header ({header_length} bytes announced)")
    if zlib.crc32(header_bytes) != header_crc:
        raise InvalidEntry("header checksum mismatch (corrupted header)")
    try:
        header = json.loads(header_bytes)
    except ValueError as error:
        raise InvalidEntry(f"header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise InvalidEntry("header is not a JSON object")
    for field, kind in _FIELDS.items():
        if not isinstance(header.get(field), kind):
            raise InvalidEntry(f"header field {field!r} is missing or not a {kind.__name__}")
    return header, end


def decode_entry(data: bytes, digest: str) -> tuple[dict, bytes]:
    """Check an entry read from disk and return its header and payload.

    Parameters
    ----------
    data : bytes
        The whole file.
    digest : str
        The digest of the key being looked up.

    Returns
    -------
    header : dict
        The parsed JSON header.
    payload : bytes
        The verified payload.

    Raises
    ------
    InvalidEntry
        If any check fails (see the module documentation).
    """
    header, offset = _parse_header(data, len(data))
    if header["digest"] != digest:
        raise InvalidEntry(f"foreign entry: it belongs to key {header['digest'][:16]}...")
    payload = data[offset:]
    expected = header["payload_size"]
    if len(payload) != expected:
        raise InvalidEntry(f"payload is {len(payload)} bytes, the header records {expected} (truncated or padded)")
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise InvalidEntry("payload checksum mismatch (corrupted payload)")
    return header, payload


def read_header(stream: BinaryIO, size: int) -> dict:
    """Read and check only the header of an entry (for listing), without reading the payload.

    Parameters
    ----------
    stream : binary file
        Positioned at the start of the entry.
    size : int
        The size of the file, to detect a truncated header.

    Raises
    ------
    InvalidEntry
        If the prefix or the header is invalid.
    """
    prefix = stream.read(_PREFIX.size)
    if len(prefix) == _PREFIX.size:
        header_length = _PREFIX.unpack(prefix)[2]
        if header_length <= _MAX_HEADER:
            prefix += stream.read(header_length)
    header, _ = _parse_header(prefix, size)
    return header
