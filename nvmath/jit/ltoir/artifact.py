"""The LTO-IR artifact: raw LTO-IR bytes that carry what is needed to use them correctly."""

from __future__ import annotations

import hashlib
import types as _pytypes

from ..arch import _nvjitlink_knows, parse_target
from ..versions import nvjitlink_version, parse_release

__all__ = ["LTOIR", "IncompatibleArtifactError"]


class IncompatibleArtifactError(RuntimeError):
    """An artifact cannot be used here: its producer is newer than the installed nvJitLink,
    or the device cannot run its target. The message says what to do."""


class LTOIR(bytes):
    """LTO-IR produced by nvmath, with its metadata.

    An ``LTOIR`` *is* a :class:`bytes` object holding the raw LTO-IR, so code written for
    plain bytes (``len``, ``bytes(a)``, passing it to cuFFT or nvJitLink) keeps working.

    Attributes
    ----------
    symbol : str
        The exported function's name (the name to give ``cufftXtSetJITCallback``).
    kind : str
        What the function is for: ``"prolog"``, ``"epilog"`` (cuFFT load/store callbacks) or
        ``"device_function"``.
    target : str
        The architecture it was compiled for, e.g. ``"sm_90"``.
    c_signature : str
        The C prototype of ``symbol``.
    element_type, user_info_type : str or None
        For FFT callbacks: the data element type and the type ``user_info`` points to.
    producers : Mapping[str, str]
        Versions of nvmath, Numba, numba-cuda, llvmlite and libNVVM (its CUDA release).
    """

    symbol: str
    kind: str
    target: str
    c_signature: str
    element_type: str | None
    user_info_type: str | None
    producers: _pytypes.MappingProxyType

    def __new__(
        cls,
        data,
        *,
        symbol: str,
        kind: str = "device_function",
        target: str,
        c_signature: str = "",
        element_type: str | None = None,
        user_info_type: str | None = None,
        producers=None,
    ):
        obj = super().__new__(cls, data)
        obj.symbol = str(symbol)
        obj.kind = str(kind)
        obj.target = str(parse_target(target, keyword="target"))
        obj.c_signature = str(c_signature)
        obj.element_type = None if element_type is None else str(element_type)
        obj.user_info_type = None if user_info_type is None else str(user_info_type)
        obj.producers = _pytypes.MappingProxyType(dict(producers or {}))
        return obj

    @property
    def metadata(self) -> dict:
        """The metadata as a plain dictionary (what a saved file's header holds)."""
        return {
            "symbol": self.symbol,
            "kind": self.kind,
            "target": self.target,
            "c_signature": self.c_signature,
            "element_type": self.element_type,
            "user_info_type": self.user_info_type,
            "producers": dict(self.producers),
        }

    @property
    def sha256(self) -> str:
        """SHA-256 of the raw LTO-IR."""
        return hashlib.sha256(self).hexdigest()

    def check_compatible(self, compute_capability=None, *, nvjitlink: str | None = None) -> None:
        """Raise :class:`IncompatibleArtifactError` unless this machine can link and run it.

        Parameters
        ----------
        compute_capability : optional
            The device it will run on; when None, only the toolchain is checked.
        nvjitlink : str, optional
            The nvJitLink version to check against (default: the installed one).
        """
        produced = self.producers.get("libnvvm")
        linker = nvjitlink or nvjitlink_version()
        if produced and produced != "unknown" and parse_release(produced) > parse_release(linker):
            raise IncompatibleArtifactError(
                f"LTO-IR {self.symbol!r} was produced by libNVVM from CUDA {produced}, but the "
                f"installed nvJitLink is {linker}: nvJitLink must be at least as new as the "
                f"producer. Upgrade nvJitLink (pip install -U 'nvidia-nvjitlink>={produced}') or "
                "recompile the artifact on this machine."
            )
        target = parse_target(self.target)
        if nvjitlink is None and _nvjitlink_knows(target) is False:
            raise IncompatibleArtifactError(
                f"LTO-IR {self.symbol!r} targets {target}, which the installed nvJitLink {linker} does not "
                f"know: upgrade nvJitLink (pip install -U nvidia-nvjitlink) or recompile it for a target it knows."
            )
        if compute_capability is not None:
            device = parse_target(compute_capability)
            if not target.runs_on(device.cc):
                raise IncompatibleArtifactError(
                    f"LTO-IR {self.symbol!r} targets {target}, which a device of compute "
                    f"capability {device.major}.{device.minor} cannot run; recompile it with "
                    f"compute_capability='{device.sm}' (or an older portable target)."
                )

    def __repr__(self) -> str:
        return (
            f"LTOIR(symbol={self.symbol!r}, kind={self.kind!r}, target={self.target!r}, "
            f"c_signature={self.c_signature!r}, {len(self)} bytes)"
        )

    def __reduce__(self):
        # Pickling (e.g. to send to worker processes) keeps the metadata.
        return (_rebuild, (bytes(self), self.metadata))


def _rebuild(data, metadata):
    return LTOIR(data, **metadata)
