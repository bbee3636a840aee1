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
SHA-256 matches (a flipped bit). :func:`read_entry` also checks that the header's tier and key are
those of the key asked for, and reads no more than a given number of bytes, whatever the header
announces. Any failure raises :class:`InvalidEntry`, never another exception; nothing is executed.
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

__all__ = ["ENTRY_SCHEMA", "MAGIC", "InvalidEntry", "decode_entry", "encode_entry", "read_entry", "read_header"]

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
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than the parser goes
        raise InvalidEntry(f"header is not valid JSON ({type(error).__name__}: {str(error)[:80]})") from None
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
    _check_digest(header, digest)
    payload = data[offset:]
    _check_payload(header, payload)
    return header, payload


def _check_digest(header: dict, digest: str) -> None:
    if header["digest"] != digest:
        raise InvalidEntry(f"foreign entry: it belongs to key {header['digest'][:16]}...")


def _check_payload(header: dict, payload: bytes) -> None:
    expected = header["payload_size"]
    if len(payload) != expected:
        raise InvalidEntry(f"payload is {len(payload)} bytes, the header records {expected} (truncated or padded)")
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise InvalidEntry("payload checksum mismatch (corrupted payload)")


def read_entry(stream: BinaryIO, key: CacheKey, max_bytes: int) -> tuple[dict, bytes]:
    """Read an entry from *stream*, check that it answers *key*, and return its header and payload.

    Unlike :func:`decode_entry`, it reads no more than *max_bytes* bytes (plus one, to notice
    padding), whatever the header announces, and it checks the header's tier and key as well as
    its digest.

    Parameters
    ----------
    stream : binary file
        Positioned at the start of the entry (a buffered reader, whose ``read(n)`` returns fewer
        than *n* bytes only at the end of the file).
    key : CacheKey
        The key being looked up.
    max_bytes : int
        The largest entry accepted, header included.

    Returns
    -------
    header : dict
        The parsed JSON header.
    payload : bytes
        The verified payload.

    Raises
    ------
    InvalidEntry
        If the entry is larger than *max_bytes*, or any check fails.
    OSError
        If reading fails.
    """
    data = stream.read(_PREFIX.size)
    if len(data) == _PREFIX.size:
        header_length = _PREFIX.unpack(data)[2]
        if _PREFIX.size + header_length > max_bytes:
            raise InvalidEntry(f"header of {header_length} bytes is larger than the limit of {max_bytes} bytes")
        data += stream.read(header_length)
    header, offset = _parse_header(data, len(data))
    _check_digest(header, key.digest)
    if header["tier"] != key.tier or header["key"] != dict(key.components):
        raise InvalidEntry(f"its header describes {header['tier']!r} key {header['key']!r}, not the key asked for")
    expected = header["payload_size"]
    if expected < 0 or offset + expected > max_bytes:
        raise InvalidEntry(
            f"the header records a payload of {expected} bytes; entries larger than {max_bytes} bytes are not read"
        )
    payload = stream.read(expected + 1)
    _check_payload(header, payload)
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
