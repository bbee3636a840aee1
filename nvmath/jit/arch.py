"""Compute capabilities: parsing, formatting, and finding the current device's.

A target is never guessed: it is given explicitly, or read from the current CUDA device,
or the caller gets an error that says how to pass one.
"""

from __future__ import annotations

import dataclasses
import re

__all__ = ["Target", "parse_target", "current_device_target", "device_target", "resolve_target", "NoTargetError"]

_SPEC = re.compile(r"^(?:sm_|compute_|lto_)?(\d+)(\d)([af]?)$")


class NoTargetError(RuntimeError):
    """No compute capability was given and no CUDA device could be queried for one."""


@dataclasses.dataclass(frozen=True, order=True)
class Target:
    """A GPU architecture to compile for.

    Parameters
    ----------
    major, minor : int
        The compute capability, e.g. ``9, 0`` for an H100.
    suffix : str
        ``""`` for the portable target, ``"a"`` for the architecture-specific one (``sm_90a``
        runs only on compute capability 9.0), ``"f"`` for the family-specific one.
    """

    major: int
    minor: int
    suffix: str = ""

    @property
    def cc(self) -> tuple[int, int]:
        """The compute capability as a ``(major, minor)`` tuple."""
        return (self.major, self.minor)

    @property
    def sm(self) -> str:
        """The name nvJitLink and NVRTC use, e.g. ``"sm_90"`` or ``"sm_90a"``."""
        return f"sm_{self.major}{self.minor}{self.suffix}"

    def __str__(self) -> str:
        return self.sm

    def runs_on(self, device_cc: tuple[int, int]) -> bool:
        """Whether code compiled for this target can be linked for and run on ``device_cc``.

        Portable LTO-IR runs on the same or a newer compute capability; ``a`` targets run
        only on exactly their compute capability, ``f`` targets on the same major version.
        """
        device_cc = tuple(device_cc)
        if self.suffix == "a":
            return device_cc == self.cc
        if self.suffix == "f":
            return device_cc[0] == self.major and device_cc >= self.cc
        return device_cc >= self.cc


def parse_target(spec) -> Target:
    """Parse a compute capability given in any of the usual spellings.

    Parameters
    ----------
    spec : Target, str, int or tuple
        ``"sm_90"``, ``"sm_90a"``, ``"90"``, ``"9.0"``, ``90``, ``(9, 0)`` or a :class:`Target`.

    Raises
    ------
    ValueError
        If ``spec`` is not a compute capability, with the accepted spellings.
    """
    if isinstance(spec, Target):
        return spec
    text = None
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, int) for v in spec):
        major, minor = spec
        if major >= 1 and 0 <= minor <= 9:
            return Target(major, minor)
    elif isinstance(spec, int) and not isinstance(spec, bool):
        text = str(spec)
    elif isinstance(spec, str):
        text = spec.strip().lower()
        dotted = re.match(r"^(\d+)\.(\d)([af]?)$", text)
        if dotted:
            return Target(int(dotted.group(1)), int(dotted.group(2)), dotted.group(3))
    if text is not None:
        m = _SPEC.match(text)
        if m and int(m.group(1)) >= 1:
            return Target(int(m.group(1)), int(m.group(2)), m.group(3))
    raise ValueError(
        f"compute_capability={spec!r} is not a compute capability; pass one as 'sm_90', 'sm_90a', '9.0', 90 or (9, 0)"
    )


def device_target(device_id: int) -> Target:
    """The compute capability of CUDA device ``device_id``.

    Raises
    ------
    NoTargetError
        If the device cannot be queried.
    """
    from cuda.bindings import runtime

    attr = runtime.cudaDeviceAttr
    err1, major = runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMajor, device_id)
    err2, minor = runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMinor, device_id)
    if err1 != runtime.cudaError_t.cudaSuccess or err2 != runtime.cudaError_t.cudaSuccess:
        raise NoTargetError(f"cannot read the compute capability of CUDA device {device_id}: {err1 or err2}")
    return Target(int(major), int(minor))


def current_device_target() -> Target | None:
    """The compute capability of the current CUDA device, or ``None`` when there is none.

    Uses the CUDA runtime's notion of the current device (``cudaGetDevice``), so it follows
    ``cupy.cuda.Device(...).use()``, ``torch.cuda.set_device`` and ``numba.cuda.select_device``.
    """
    try:
        from cuda.bindings import runtime
    except ImportError:  # pragma: no cover - cuda-bindings is a required dependency
        return None
    try:
        err, device = runtime.cudaGetDevice()
        if err != runtime.cudaError_t.cudaSuccess:
            return None
        attr = runtime.cudaDeviceAttr
        err1, major = runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMajor, device)
        err2, minor = runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMinor, device)
    except Exception:  # no driver at all: the loader raises rather than returning a status
        return None
    if err1 != runtime.cudaError_t.cudaSuccess or err2 != runtime.cudaError_t.cudaSuccess:
        return None
    return Target(int(major), int(minor))


def resolve_target(compute_capability=None) -> Target:
    """The target to compile for: the explicit one, else the current device's.

    Raises
    ------
    NoTargetError
        If ``compute_capability`` is None and no CUDA device is available.
    """
    if compute_capability is not None:
        return parse_target(compute_capability)
    target = current_device_target()
    if target is None:
        raise NoTargetError(
            "no compute_capability was given and no CUDA device was found to take it from; "
            "pass one explicitly, e.g. compute_capability='sm_90' for an H100"
        )
    return target
