"""Compute capabilities: parsing, formatting, finding the current device's, and checking that
the installed toolchain knows them.

A target is never guessed: it is given explicitly, or read from the current CUDA device,
or the caller gets an error that says how to pass one. A target that the installed libNVVM or
nvJitLink does not know is refused with the list of those they do know (:func:`supported_targets`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import operator
import re

__all__ = [
    "Target",
    "parse_target",
    "current_device_target",
    "device_target",
    "resolve_target",
    "check_target",
    "supported_targets",
    "NoTargetError",
]

logger = logging.getLogger("nvmath.jit")

_SPEC = re.compile(r"^(?:sm_|compute_|lto_)?(\d+)(\d)([af]?)$")
_SUFFIXES = ("", "a", "f")
# Majors probed to list the supported targets (only for error messages): generous, since a
# refused probe costs microseconds.
_MAX_PROBED_MAJOR = 31


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

    def __post_init__(self):
        for name in ("major", "minor"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Target {name}={value!r} is not supported; accepted: an int")
        if self.major < 1:
            raise ValueError(f"Target major={self.major!r} is not supported; accepted: an int >= 1")
        if not 0 <= self.minor <= 9:
            raise ValueError(f"Target minor={self.minor!r} is not supported; accepted: an int from 0 to 9")
        if self.suffix not in _SUFFIXES:
            raise ValueError(f"Target suffix={self.suffix!r} is not supported; accepted: '', 'a' or 'f'")

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

    def kernel_target(self) -> Target:
        """The target numba-cuda links kernels for on a device of this compute capability: the
        architecture-specific one from 9.0 on (``sm_90a``), this one before 9.0 or when it
        already has a suffix."""
        if self.major >= 9 and not self.suffix:
            return Target(self.major, self.minor, "a")
        return self

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


def _as_int(value):
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # int and NumPy integers, never floats
    except TypeError:
        return None


def parse_target(spec, *, keyword: str = "compute_capability") -> Target:
    """Parse a compute capability given in any of the usual spellings.

    Only the spelling is checked; :func:`resolve_target` also checks that the installed
    toolchain knows the target.

    Parameters
    ----------
    spec : Target, str, int or tuple
        ``"sm_90"``, ``"sm_90a"``, ``"90"``, ``"9.0"``, ``90``, ``(9, 0)`` or a :class:`Target`.
    keyword : str
        The name of the caller's parameter, used in error messages (``"sm"`` for the device
        APIs).

    Raises
    ------
    ValueError
        If ``spec`` is not a compute capability, with the accepted spellings.
    """
    if isinstance(spec, Target):
        return spec
    text = None
    if isinstance(spec, tuple) and len(spec) == 2:
        major, minor = (_as_int(v) for v in spec)
        if major is not None and minor is not None and major >= 1 and 0 <= minor <= 9:
            return Target(major, minor)
    elif _as_int(spec) is not None:
        text = str(_as_int(spec))
    elif isinstance(spec, str):
        text = spec.strip().lower()
        dotted = re.match(r"^(\d+)\.(\d)([af]?)$", text)
        if dotted and int(dotted.group(1)) >= 1:
            return Target(int(dotted.group(1)), int(dotted.group(2)), dotted.group(3))
    if text is not None:
        m = _SPEC.match(text)
        if m and int(m.group(1)) >= 1:
            return Target(int(m.group(1)), int(m.group(2)), m.group(3))
    raise ValueError(
        f"{keyword}={spec!r} is not a compute capability; pass one as 'sm_90', 'sm_90a', '9.0', 90 or (9, 0)"
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


def resolve_target(compute_capability=None, *, keyword: str = "compute_capability", check: bool = True) -> Target:
    """The target to compile for: the explicit one, else the current device's.

    Parameters
    ----------
    compute_capability : optional
        Any spelling :func:`parse_target` accepts, or None for the current device's.
    keyword : str
        The name of the caller's parameter, used in error messages (``"sm"`` for the device
        APIs).
    check : bool
        Check that the installed libNVVM and nvJitLink know the target (:func:`check_target`).
        Callers that look in a cache first may pass False and check on a miss.

    Raises
    ------
    ValueError
        If ``compute_capability`` is not a compute capability, or not one the installed
        toolchain supports (the message lists those it does).
    NoTargetError
        If ``compute_capability`` is None and no CUDA device is available.
    """
    if compute_capability is not None:
        target = parse_target(compute_capability, keyword=keyword)
    else:
        target = current_device_target()
        if target is None:
            raise NoTargetError(
                f"no {keyword} was given and no CUDA device was found to take it from; "
                f"pass one explicitly, e.g. {keyword}='sm_90' for an H100"
            )
    if check:
        check_target(target, keyword=keyword, spec=compute_capability)
    return target


# ----------------------------------------------------------------------------- toolchain support
#
# Neither libNVVM nor nvJitLink lists the architectures it knows, but each refuses an unknown
# one at once: libNVVM when verifying a tiny module with -arch=compute_XX, nvJitLink when
# creating a linker with -arch=sm_XX. A probe costs microseconds once the library is loaded
# (loading both costs some 20 ms); results are cached for the process. A warm
# compile_device_function (a cache hit) checks nothing, so it loads neither library (nor Numba).


@functools.cache
def _nvvm_knows(target: Target) -> bool | None:
    """Whether libNVVM accepts ``target``; None when libNVVM cannot be loaded."""
    try:
        from cuda.bindings import nvvm

        from .versions import _PROBE_IR

        program = nvvm.create_program()
    except Exception as e:  # no libNVVM here: nothing to ask
        logger.debug("cannot load libNVVM to check targets: %s", e)
        return None
    try:
        nvvm.add_module_to_program(program, _PROBE_IR, len(_PROBE_IR), "nvmath_target_probe")
        try:
            nvvm.verify_program(program, 1, [f"-arch=compute_{target.major}{target.minor}{target.suffix}"])
        except nvvm.nvvmError:  # NVVM_ERROR_INVALID_OPTION: an architecture it does not know
            return False
    finally:
        nvvm.destroy_program(program)
    return True


@functools.cache
def _nvjitlink_knows(target: Target) -> bool | None:
    """Whether nvJitLink accepts ``target``; None when nvJitLink cannot be loaded."""
    try:
        from cuda.bindings import nvjitlink

        nvjitlink.version()
    except Exception as e:
        logger.debug("cannot load nvJitLink to check targets: %s", e)
        return None
    try:
        handle = nvjitlink.create(1, [f"-arch={target.sm}"])
    except nvjitlink.nvJitLinkError:  # ERROR_UNRECOGNIZED_ARCH or ERROR_UNSUPPORTED_ARCH
        return False
    nvjitlink.destroy(handle)
    return True


_TOOLS = {"libNVVM": _nvvm_knows, "nvJitLink": _nvjitlink_knows}


def _refused_by(target: Target) -> tuple[str, ...]:
    """The installed tools that do not know ``target`` (empty when all that load accept it)."""
    return tuple(name for name, knows in _TOOLS.items() if knows(target) is False)


@functools.cache
def supported_targets() -> tuple[Target, ...]:
    """The targets that both the installed libNVVM and nvJitLink accept, in order.

    Portable targets (``sm_90``), architecture-specific ones (``sm_90a``) and family ones
    (``sm_100f``). Computed once per process, by asking each library (no GPU needed).
    """
    found = []
    for major in range(1, _MAX_PROBED_MAJOR + 1):
        for minor in range(10):
            if _refused_by(Target(major, minor)):
                continue
            found.append(Target(major, minor))
            found.extend(Target(major, minor, s) for s in _SUFFIXES[1:] if not _refused_by(Target(major, minor, s)))
    return tuple(found)


def _tool_versions() -> dict[str, str]:
    from . import versions

    found = {}
    for name, get in (
        ("libNVVM", lambda: f"from CUDA {versions.libnvvm_release()}"),
        ("nvJitLink", versions.nvjitlink_version),
    ):
        try:
            found[name] = get()
        except Exception:
            found[name] = "version unknown"
    return found


def check_target(target: Target, *, keyword: str = "compute_capability", spec=None) -> Target:
    """Return ``target`` if the installed libNVVM and nvJitLink both know it; else raise.

    Parameters
    ----------
    target : Target
    keyword : str
        The name of the caller's parameter, for the message.
    spec : optional
        What the caller passed (None when the target is the current device's).

    Raises
    ------
    ValueError
        Naming the parameter, the value, the tool that refused it and the supported targets.
    """
    refused = _refused_by(target)
    if not refused:
        return target
    tools = _tool_versions()
    by = " and ".join(f"{name} ({tools[name]})" for name in refused)
    accepted = ", ".join(t.sm for t in supported_targets()) or "none"
    if spec is None:
        raise ValueError(
            f"the current CUDA device's compute capability {target.major}.{target.minor} ({target}) is not "
            f"supported by the installed {by}; upgrade the toolkit (nvidia-nvvm, nvidia-nvjitlink) or pass "
            f"{keyword}= one of: {accepted}"
        )
    raise ValueError(f"{keyword}={spec!r} is not supported by the installed {by}; accepted: {accepted}")
