"""Cache keys: named string components, hashed into one content address.

A key is a tier (``"ltoir"``, ``"cubin"``) plus a mapping of named components chosen by the
producer, for example::

    CacheKey("ltoir", {
        "function": fingerprint_function(func),
        "signature": "float32(float32)",
        "target": "sm_90",
        "numba-cuda": "0.30.4",
    })

The digest covers the tier, every name and every value; the components travel with the entry (its
header) and can be logged, so a miss can be explained.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["CacheKey", "KEY_SCHEMA"]

#: Version of the key encoding; changing it changes every digest.
KEY_SCHEMA = 1

_TIER_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
_U64 = struct.Struct(">Q")
_SHORT_VALUE = 64  # longer values are shown by a short hash in logs


def _encode(text: str) -> bytes:
    # Length-prefixed, so that {"a": "bc"} and {"ab": "c"} encode differently.
    data = text.encode("utf-8", "surrogatepass")
    return _U64.pack(len(data)) + data


class CacheKey:
    """The content address of one cache entry.

    Parameters
    ----------
    tier : str
        The kind of artifact, ``"ltoir"`` or ``"cubin"`` (any short lowercase identifier is
        accepted; it names a directory of the store).
    components : Mapping[str, str]
        Everything that determines the artifact, by name. Names and values must be strings, so
        that the caller decides how each value is spelled. Order does not matter.

    Attributes
    ----------
    tier : str
        The tier given.
    components : Mapping[str, str]
        A read-only copy of the components, sorted by name.
    digest : str
        SHA-256 (hex) of a canonical, length-prefixed encoding of the key schema, the tier and
        the sorted components.

    Raises
    ------
    TypeError
        If a name or value is not a ``str``.
    ValueError
        If the tier is not a short lowercase identifier, or a name is empty.

    Notes
    -----
    Keys compare equal, and hash alike, when their digests are equal.
    """

    __slots__ = ("_tier", "_components", "_digest")

    def __init__(self, tier: str, components: Mapping[str, str]):
        if not isinstance(tier, str) or not _TIER_RE.match(tier):
            raise ValueError(f"tier must be a short lowercase identifier such as 'ltoir' or 'cubin', got {tier!r}")
        if not isinstance(components, Mapping):
            raise TypeError(f"components must be a mapping of str to str, got {type(components).__name__}")
        items = []
        for name, value in components.items():
            if not isinstance(name, str) or not name:
                raise (ValueError if isinstance(name, str) else TypeError)(
                    f"component names must be non-empty strings, got {name!r}"
                )
            if not isinstance(value, str):
                raise TypeError(
                    f"component {name!r} must be a str, got {type(value).__name__} ({value!r}); "
                    "convert it explicitly (for example with str()) so the key's spelling is yours"
                )
            items.append((name, value))
        items.sort()
        parts = [b"nvmath.cache.key", _U64.pack(KEY_SCHEMA), _encode(tier), _U64.pack(len(items))]
        for name, value in items:
            parts.append(_encode(name))
            parts.append(_encode(value))
        self._tier = tier
        self._components = MappingProxyType(dict(items))
        self._digest = hashlib.sha256(b"".join(parts)).hexdigest()

    @property
    def tier(self) -> str:
        """The tier (``"ltoir"``, ``"cubin"``, ...)."""
        return self._tier

    @property
    def components(self) -> Mapping[str, str]:
        """The named components, sorted by name (read-only)."""
        return self._components

    @property
    def digest(self) -> str:
        """The hex SHA-256 content address of the key."""
        return self._digest

    def describe(self) -> str:
        """Return a multi-line description for logs: the tier, the digest and every component.

        Values longer than 64 characters are shown by their length and a short SHA-256.
        """
        lines = [f"{self._tier} key {self._digest}"]
        for name, value in self._components.items():
            if len(value) > _SHORT_VALUE:
                short = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
                value = f"<{len(value)} chars, sha256 {short}>"
            lines.append(f"  {name} = {value}")
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CacheKey):
            return NotImplemented
        return self._digest == other._digest

    def __hash__(self) -> int:
        return hash(self._digest)

    def __repr__(self) -> str:
        return f"CacheKey({self._tier!r}, digest={self._digest[:16]}..., components={len(self._components)})"
