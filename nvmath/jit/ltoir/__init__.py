"""LTO-IR artifacts: raw LTO-IR with its symbol, kind, types, target and producer versions.

:class:`LTOIR` is a :class:`bytes` subclass, so it can be used wherever raw LTO-IR bytes are;
:func:`save` and :func:`load` keep it in one self-describing file.
"""

from .artifact import LTOIR, IncompatibleArtifactError
from .fileformat import ArtifactFormatError, dumps, load, loads, save

__all__ = ["LTOIR", "IncompatibleArtifactError", "ArtifactFormatError", "save", "load", "dumps", "loads"]
