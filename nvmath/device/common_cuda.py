"""Compute capabilities, code kinds and launch dimensions of the device APIs (nvmath-python's
``nvmath.device.common_cuda``).

No Numba, no libmathdx: the current device is read through the CUDA runtime only when asked.
"""

from __future__ import annotations

__all__ = [
    "current_device_lto",
    "current_device_sm",
    "ComputeCapability",
    "CodeType",
    "ISAVersion",
    "Code",
    "Dim3",
    "MAX_SUPPORTED_CC",
]

import logging
from collections import namedtuple
from typing import NamedTuple

logger = logging.getLogger("nvmath.device")


class Code(namedtuple("Code", ("code_type", "isa_version", "data"))):
    """Generated device code: its :class:`CodeType`, its :class:`ISAVersion` and its bytes.

    Attributes
    ----------
    code_type : CodeType
    isa_version : ISAVersion
    data : bytes
        LTO-IR.
    """

    __slots__ = ()


class CodeType(namedtuple("CodeType", ("kind", "cc"))):
    """A kind of code (``"lto"``) for a compute capability.

    Attributes
    ----------
    kind : str
        ``"lto"``: LTO-IR, linked by nvJitLink.
    cc : ComputeCapability
    """

    __slots__ = ()


class ComputeCapability(NamedTuple):
    """A GPU compute capability: ``ComputeCapability(9, 0)`` for an H100 or H200.

    Attributes
    ----------
    major, minor : int
    arch : str
        ``""`` (portable code), ``"a"`` (this exact architecture) or ``"f"`` (its family).
    """

    major: int
    minor: int
    arch: str = ""

    @property
    def integer(self) -> int:
        """``major * 100 + minor * 10`` (900 for 9.0), as libmathdx encodes it."""
        return self.major * 100 + self.minor * 10

    def __str__(self):
        return f"{self.major}.{self.minor}{self.arch}"


#: The oldest compute capability the device APIs generate code for.
MIN_SUPPORTED_CC = ComputeCapability(7, 0)
#: The newest compute capability the device APIs are known to generate code for.
MAX_SUPPORTED_CC = ComputeCapability(12, 1)


class Dim3(namedtuple("Dim3", ("x", "y", "z"), defaults=(1, 1, 1))):
    """Grid or block dimensions, as CUDA's ``dim3``: ``Dim3(128, 2)`` is ``(128, 2, 1)``.

    Attributes
    ----------
    x, y, z : int
        Default 1.
    """

    __slots__ = ()


class ISAVersion(NamedTuple):
    """The PTX ISA version of generated code (12.8 for CUDA 12.8).

    Attributes
    ----------
    major, minor : int
    """

    major: int
    minor: int

    @classmethod
    def from_integer(cls, isa: int) -> ISAVersion:
        """From the encoding libmathdx reports (``12080`` for 12.8)."""
        return cls(isa // 1000, (isa % 1000) // 10)


def get_current_device_cc() -> ComputeCapability:
    """The compute capability of the current CUDA device (``cudaGetDevice``'s; device 0 when no
    context is current), with ``arch="a"`` from 9.0 on, as nvmath-python reports it.

    Raises
    ------
    nvmath.jit.arch.NoTargetError
        If no CUDA device can be queried.
    """
    from nvmath.jit.arch import NoTargetError, current_device_target

    target = current_device_target()
    if target is None:
        raise NoTargetError("no CUDA device was found to read a compute capability from; pass sm= explicitly")
    cc = ComputeCapability(target.major, target.minor, "a" if (target.major, target.minor) >= (9, 0) else "")
    logger.debug("current device compute capability: %s", cc)
    return cc


def get_default_code_type() -> CodeType:
    """``CodeType("lto", get_current_device_cc())``.

    Raises
    ------
    ValueError
        If no CUDA device can be queried (pass a code type explicitly).
    """
    from nvmath.jit.arch import NoTargetError

    try:
        return CodeType("lto", get_current_device_cc())
    except NoTargetError as e:
        raise ValueError(f"cannot read the current GPU's compute capability ({e}); pass code_type explicitly") from e


def current_device_lto() -> CodeType:
    """The code type for link-time optimization on the current device (``CodeType("lto", cc)``).

    Returns
    -------
    CodeType
    """
    return get_default_code_type()


def current_device_sm() -> ComputeCapability:
    """The compute capability of the current device, to pass as ``sm=`` to the device APIs.

    Returns
    -------
    ComputeCapability
    """
    return get_current_device_cc()
