"""Options, directions and callables of the FFT API."""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import logging
import os
import warnings

from nvmath._internal.options import check_allocator, check_blocking, check_bool, check_choice, check_logger
from nvmath._internal.validate import as_int_at_least

__all__ = ["FFTOptions", "FFTDirection", "DeviceCallable"]

_FFT_TYPES = ("C2C", "R2C", "C2R")
_FUSED_KERNELS = ("auto", "cufftdx", "cufft")


class FFTDirection(enum.IntEnum):
    """The direction of a complex-to-complex transform (cuFFT's sign of the exponent)."""

    FORWARD = -1
    INVERSE = 1

    @classmethod
    def coerce(cls, value, name: str = "direction") -> FFTDirection:
        """Accept an FFTDirection, -1/1, or "forward"/"inverse" (any case)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().upper()
            if key in cls.__members__:
                return cls[key]
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        raise ValueError(
            f"{name}={value!r} is not supported; accepted: 'forward', 'inverse', "
            "FFTDirection.FORWARD (-1), FFTDirection.INVERSE (1)"
        )


@dataclasses.dataclass
class FFTOptions:
    """Options of an FFT.

    Attributes
    ----------
    fft_type : {"C2C", "R2C", "C2R"}, optional
        The transform type; by default deduced from the operand's dtype (complex → C2C,
        real → R2C). ``irfft`` asks for C2R.
    inplace : bool
        Overwrite the operand with the result (C2C only). Default False.
    last_axis_parity : {"even", "odd"}
        For C2R: whether the real result's last transformed axis has ``2 * (n - 1)`` (even)
        or ``2 * (n - 1) + 1`` (odd) elements, ``n`` being the complex input's length.
    result_layout : {"natural", "optimized"}
        "natural": the result's axes are ordered in memory as the operand's are;
        "optimized": the layout cuFFT writes fastest (transformed axes innermost).
    device_id : int, optional
        Deprecated (as in nvmath-python since 0.2): the GPU for host operands; give
        ``execution=ExecutionCUDA(device_id=...)`` instead. Setting it warns
        (:class:`DeprecationWarning`); it is used where ``execution`` names no device, and
        refused with CPU execution or when ``execution.device_id`` says otherwise.
    logger : logging.Logger, optional
        Where to log; default ``logging.getLogger("nvmath")``.
    blocking : True or "auto"
        "auto" (default) returns as soon as the work is queued for device operands; host
        operands always block. True always waits for the result.
    allocator : nvmath.memory.BaseCUDAMemoryManager or BaseCUDAMemoryManagerAsync, optional
        Where work areas and results come from; default the operand package's memory pool.
    fused_kernel : {"auto", "cufftdx", "cufft"}
        GPU execution only (this project's addition; nvmath-python has no such field). Which
        kernel runs the transform with its prolog and epilog: "cufft" a cuFFT plan (callbacks
        as LTO callbacks); "cufftdx" one kernel of nvmath's own that loads each batch row
        (calling the prolog), transforms it with cuFFTDx and stores it (calling the epilog),
        for 1-D C2C, R2C and C2R transforms in single or double precision, rows of any
        element stride, of a size cuFFTDx supports (ValueError otherwise); "auto" (default)
        times both when a problem is first planned, remembers the faster (in the process and
        in nvmath's cache directory) and logs the choice; problems the fused kernel does not
        take use cuFFT.
    """

    fft_type: str | None = None
    inplace: bool = False
    last_axis_parity: str = "even"
    result_layout: str = "optimized"
    device_id: int | None = None
    logger: logging.Logger | None = None
    blocking: object = "auto"
    allocator: object = None
    fused_kernel: str = "auto"

    def __post_init__(self):
        # None: deduced from the operand's dtype.
        self.fft_type = check_choice(self.fft_type, (*_FFT_TYPES, None), "fft_type", ignore_case=True)
        self.inplace = check_bool(self.inplace, "inplace")
        self.last_axis_parity = check_choice(self.last_axis_parity, ("even", "odd"), "last_axis_parity")
        self.result_layout = check_choice(self.result_layout, ("natural", "optimized"), "result_layout")
        if self.device_id is not None:
            self.device_id = as_int_at_least(self.device_id, 0, "FFTOptions.device_id", "a non-negative int or None")
            warnings.warn(
                "FFTOptions.device_id is deprecated; pass execution=ExecutionCUDA(device_id=...) instead",
                DeprecationWarning,
                stacklevel=3,
            )
        check_logger(self.logger)
        check_blocking(self.blocking)
        check_allocator(self.allocator)
        self.fused_kernel = check_choice(self.fused_kernel, _FUSED_KERNELS, "fused_kernel", ignore_case=True)


@dataclasses.dataclass
class DeviceCallable:
    """A prolog or epilog: compiled LTO-IR, or a Python function nvmath compiles at plan time.

    Attributes
    ----------
    ltoir : bytes, nvmath.jit.ltoir.LTOIR, str, os.PathLike or int, optional
        Compiled LTO-IR: raw bytes, an artifact, the path of an artifact file, or (as in
        nvmath-python) the host address of the bytes as an int, with ``size``.
    size : int, optional
        Number of bytes of ``ltoir`` to use; default all of it (required with an address).
    data : int or array, optional
        The callback's ``user_info``: a device pointer, or an array on the operand's device
        (kept alive while the plan lives).
    function : callable, optional
        A Python ``prolog(data_in, offset, user_info, unused)`` or
        ``epilog(data_out, offset, value, user_info, unused)``, compiled at plan time for the
        plan's element type and device (through nvmath's cache). Give either ``ltoir`` or
        ``function``.
    symbol : str, optional
        The callback's name in raw LTO-IR bytes (an :class:`~nvmath.jit.ltoir.LTOIR` knows its
        own).
    """

    ltoir: object = None
    size: int | None = None
    data: object = None
    function: object = None
    symbol: str | None = None

    def __post_init__(self):
        if (self.ltoir is None) == (self.function is None):
            raise ValueError(
                "a DeviceCallable needs exactly one of ltoir= (compiled LTO-IR, an "
                "artifact or its file) and function= (a Python function)"
            )
        if self.function is not None and not callable(self.function):
            raise ValueError(f"function={self.function!r} is not callable")
        address = isinstance(self.ltoir, int) and not isinstance(self.ltoir, bool)
        if (
            self.ltoir is not None
            and not address
            and not isinstance(self.ltoir, (bytes, bytearray, memoryview, str, os.PathLike))
        ):
            raise ValueError(
                f"ltoir={type(self.ltoir).__name__} is not supported; accepted: bytes, "
                "nvmath.jit.ltoir.LTOIR, the path of an artifact file, or the address of the bytes (int) with size"
            )
        if self.size is not None and (not isinstance(self.size, int) or isinstance(self.size, bool) or self.size <= 0):
            raise ValueError(f"size={self.size!r} must be a positive int")
        if address and (self.size is None or self.ltoir <= 0):
            raise ValueError(
                f"ltoir={self.ltoir:#x} is an address: give size= (the number of bytes of LTO-IR there), "
                "or pass the bytes themselves"
            )

    def code(self):
        """The LTO-IR to use: ``ltoir`` itself (an artifact or a path stays as it is), cut to
        ``size`` bytes where given; an address is read into ``bytes`` here."""
        if isinstance(self.ltoir, int) and not isinstance(self.ltoir, bool):
            return ctypes.string_at(self.ltoir, self.size)
        return self.ltoir

    @classmethod
    def coerce(cls, value, name: str) -> DeviceCallable | None:
        """Accept a DeviceCallable, a dict of its fields, LTO-IR (bytes, artifact, path) or a
        plain Python function."""
        if value is None or isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {f.name for f in dataclasses.fields(cls)}
            if unknown:
                raise TypeError(
                    f"{name} has unknown fields {sorted(unknown)}; accepted: ltoir, size, data, function, symbol"
                )
            return cls(**value)
        if isinstance(value, (bytes, bytearray, memoryview, str, os.PathLike)):
            return cls(ltoir=value)
        if callable(value):
            return cls(function=value)
        raise TypeError(
            f"{name}={value!r} is not supported; accepted: a DeviceCallable, a dict of its "
            "fields, LTO-IR bytes, an nvmath.jit.ltoir.LTOIR, an artifact path, or a Python function"
        )
