"""Thin 1:1 ``ctypes`` bindings of cuFFT (``libcufft``; CUDA 13: the ``nvidia-cufft`` 12.x wheel).

Functions keep their C names and argument order. Handles, device pointers, streams and sizes
are Python ints; array arguments (``n``, ``inembed``, ``onembed``, ``whichGPUs``...) are
sequences of ints, the int address of the caller's array, or None (NULL); output parameters
are returned instead of passed. Every status other than ``CUFFT_SUCCESS`` raises
:class:`cuFFTError`.

nvmath-python's snake_case names (``make_plan_many``, ``xt_set_gpus``, ``check_status``...)
are here too, at the end of the module, with its argument names and its output conventions
(``plan1d`` and friends write the new handle to an address the caller gives).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the
first call.

Example
-------
>>> plan = cufftCreate()                                             # doctest: +SKIP
>>> cufftMakePlanMany64(plan, 1, [256], None, 1, 256, None, 1, 256, Type.C2C, 8)  # doctest: +SKIP
>>> cufftExecC2C(plan, x.data.ptr, y.data.ptr, Direction.FORWARD)    # doctest: +SKIP
>>> cufftDestroy(plan)                                               # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import operator
from collections.abc import Mapping, Set
from ctypes import POINTER, c_char_p, c_int, c_longlong, c_size_t, c_void_p

from ._args import is_int, refused, shown
from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    # errors
    "cuFFTError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    # enums
    "Result",
    "Type",
    "Direction",
    "XtCallbackType",
    "LibraryProperty",
    "DataType",
    "Property",
    "Compatibility",
    "LibFormat",
    "XtSubFormat",
    "XtCopyType",
    "XtQueryType",
    "XtWorkAreaPolicy",
    # functions
    "cufftCreate",
    "cufftDestroy",
    "cufftMakePlanMany64",
    "cufftGetSizeMany64",
    "cufftXtMakePlanMany",
    "cufftXtGetSizeMany",
    "cufftEstimateMany",
    "cufftGetSize",
    "cufftSetAutoAllocation",
    "cufftSetWorkArea",
    "cufftSetStream",
    "cufftExecC2C",
    "cufftExecR2C",
    "cufftExecC2R",
    "cufftExecZ2Z",
    "cufftExecD2Z",
    "cufftExecZ2D",
    "cufftXtExec",
    "cufftXtSetJITCallback",
    "cufftXtClearCallback",
    "cufftXtSetCallbackSharedSize",
    "cufftGetVersion",
    "cufftGetProperty",
    "cufftSetPlanPropertyInt64",
    "cufftGetPlanPropertyInt64",
    "cufftResetPlanProperty",
    "cufftPlan1d",
    "cufftPlan2d",
    "cufftPlan3d",
    "cufftPlanMany",
    "cufftMakePlan1d",
    "cufftMakePlan2d",
    "cufftMakePlan3d",
    "cufftMakePlanMany",
    "cufftEstimate1d",
    "cufftEstimate2d",
    "cufftEstimate3d",
    "cufftGetSize1d",
    "cufftGetSize2d",
    "cufftGetSize3d",
    "cufftGetSizeMany",
    "cufftXtSetGPUs",
    "cufftXtMalloc",
    "cufftXtMemcpy",
    "cufftXtFree",
    "cufftXtSetWorkArea",
    "cufftXtSetWorkAreaPolicy",
    "cufftXtSetSubformatDefault",
    "cufftXtQueryPlan",
    "cufftXtExecDescriptor",
    "cufftXtExecDescriptorC2C",
    "cufftXtExecDescriptorR2C",
    "cufftXtExecDescriptorC2R",
    "cufftXtExecDescriptorZ2Z",
    "cufftXtExecDescriptorD2Z",
    "cufftXtExecDescriptorZ2D",
]


# -- enums ---------------------------------------------------------------------------------


class Result(enum.IntEnum):
    """``cufftResult`` (``CUFFT_`` prefix dropped)."""

    SUCCESS = 0x0
    INVALID_PLAN = 0x1
    ALLOC_FAILED = 0x2
    INVALID_TYPE = 0x3
    INVALID_VALUE = 0x4
    INTERNAL_ERROR = 0x5
    EXEC_FAILED = 0x6
    SETUP_FAILED = 0x7
    INVALID_SIZE = 0x8
    UNALIGNED_DATA = 0x9
    # 0xA, 0xC and 0xF left the CUDA 13 header; cuFFT 11 can still return them.
    INCOMPLETE_PARAMETER_LIST = 0xA
    INVALID_DEVICE = 0xB
    PARSE_ERROR = 0xC
    NO_WORKSPACE = 0xD
    NOT_IMPLEMENTED = 0xE
    LICENSE_ERROR = 0xF
    NOT_SUPPORTED = 0x10
    MISSING_DEPENDENCY = 0x11
    NVRTC_FAILURE = 0x12
    NVJITLINK_FAILURE = 0x13
    NVSHMEM_FAILURE = 0x14


class Type(enum.IntEnum):
    """``cufftType``: the transform's input and output types."""

    R2C = 0x2A
    C2R = 0x2C
    C2C = 0x29
    D2Z = 0x6A
    Z2D = 0x6C
    Z2Z = 0x69


class Direction(enum.IntEnum):
    """``CUFFT_FORWARD`` / ``CUFFT_INVERSE``."""

    FORWARD = -1
    INVERSE = 1


class XtCallbackType(enum.IntEnum):
    """``cufftXtCallbackType`` (``CUFFT_CB_`` prefix dropped)."""

    LD_COMPLEX = 0x0
    LD_COMPLEX_DOUBLE = 0x1
    LD_REAL = 0x2
    LD_REAL_DOUBLE = 0x3
    ST_COMPLEX = 0x4
    ST_COMPLEX_DOUBLE = 0x5
    ST_REAL = 0x6
    ST_REAL_DOUBLE = 0x7
    UNDEFINED = 0x8


class LibraryProperty(enum.IntEnum):
    """``libraryPropertyType``, for :func:`cufftGetProperty`."""

    MAJOR_VERSION = 0
    MINOR_VERSION = 1
    PATCH_LEVEL = 2


class DataType(enum.IntEnum):
    """The ``cudaDataType`` values cuFFT's Xt planning functions accept (``CUDA_`` dropped)."""

    R_16F = 2
    C_16F = 6
    R_16BF = 14
    C_16BF = 15
    R_32F = 0
    C_32F = 4
    R_64F = 1
    C_64F = 5


class Property(enum.IntEnum):
    """``cufftProperty`` (``NVFFT_PLAN_PROPERTY_`` dropped), for the plan-property functions."""

    INT64_PATIENT_JIT = 0x1
    INT64_MAX_NUM_HOST_THREADS = 0x2
    INT64_BLUESTEIN_ONLY = 0x3
    INT64_DISABLE_FMA = 0x4
    # nvmath-python's names (``NVFFT_PLAN_PROPERTY_INT64_`` dropped): aliases of the above.
    PATIENT_JIT = 0x1
    MAX_NUM_HOST_THREADS = 0x2
    BLUESTEIN_ONLY = 0x3
    DISABLE_FMA = 0x4


class Compatibility(enum.IntEnum):
    """``cufftCompatibility`` (``CUFFT_COMPATIBILITY_`` dropped); FFTW_PADDING is the default."""

    FFTW_PADDING = 0x01


class LibFormat(enum.IntEnum):
    """``libFormat`` of ``cudalibxt.h`` (``LIB_FORMAT_`` dropped): who reads a ``cudaLibXtDesc``."""

    CUFFT = 0x0
    UNDEFINED = 0x1


class XtSubFormat(enum.IntEnum):
    """``cufftXtSubFormat`` (``CUFFT_XT_`` or ``CUFFT_`` dropped): the data order of a
    multi-GPU descriptor, for :func:`cufftXtMalloc` and :func:`cufftXtSetSubformatDefault`."""

    FORMAT_INPUT = 0x00
    FORMAT_OUTPUT = 0x01
    FORMAT_INPLACE = 0x02
    FORMAT_INPLACE_SHUFFLED = 0x03
    FORMAT_1D_INPUT_SHUFFLED = 0x04
    FORMAT_DISTRIBUTED_INPUT = 0x05
    FORMAT_DISTRIBUTED_OUTPUT = 0x06
    FORMAT_UNDEFINED = 0x07


class XtCopyType(enum.IntEnum):
    """``cufftXtCopyType`` (``CUFFT_COPY_`` dropped), for :func:`cufftXtMemcpy`."""

    HOST_TO_DEVICE = 0x00
    DEVICE_TO_HOST = 0x01
    DEVICE_TO_DEVICE = 0x02
    UNDEFINED = 0x03


class XtQueryType(enum.IntEnum):
    """``cufftXtQueryType`` (``CUFFT_`` dropped), for :func:`cufftXtQueryPlan`."""

    QUERY_1D_FACTORS = 0x00
    QUERY_UNDEFINED = 0x01


class XtWorkAreaPolicy(enum.IntEnum):
    """``cufftXtWorkAreaPolicy`` (``CUFFT_WORKAREA_`` dropped), for
    :func:`cufftXtSetWorkAreaPolicy`."""

    MINIMAL = 0
    USER = 1
    PERFORMANCE = 2


class _Xt1dFactors(ctypes.Structure):
    """``cufftXt1dFactors``, what :func:`cufftXtQueryPlan` writes for ``QUERY_1D_FACTORS``."""

    _fields_ = [
        *((name, c_longlong) for name in ("size", "stringCount", "stringLength", "substringLength")),
        *((name, c_longlong) for name in ("factor1", "factor2", "stringMask", "substringMask")),
        *((name, c_longlong) for name in ("factor1Mask", "factor2Mask")),
        *((name, c_int) for name in ("stringShift", "substringShift", "factor1Shift", "factor2Shift")),
    ]


# The bytes cufftXtQueryPlan writes for each query type.
_QUERY_SIZES = {XtQueryType.QUERY_1D_FACTORS: ctypes.sizeof(_Xt1dFactors)}


# -- errors ----------------------------------------------------------------------------------


class cuFFTError(StatusError):
    """A cuFFT function returned a status other than ``CUFFT_SUCCESS`` (``status``: a
    :class:`Result`, or a plain int if this binding does not know it).

    Made as ``cuFFTError(function, status)`` by this module's calls, or as nvmath-python
    makes it, ``cuFFTError(status)`` (then ``function`` is None).
    """

    status_type = Result
    status_prefix = "CUFFT_"
    unknown = "unknown cufftResult"

    def __init__(self, *args):
        if len(args) == 2:
            super().__init__(*args)
            return
        if len(args) != 1:
            raise TypeError(f"cuFFTError takes (status) or (function, status), got {len(args)} arguments")
        status = args[0]
        Exception.__init__(self, f"{self.status_name(int(status))} ({int(status)})")
        try:
            status = Result(status)
        except ValueError:
            pass
        self.function = None
        self.status = status

    def __reduce__(self):
        if self.function is None:
            return type(self), (int(self.status),)
        return super().__reduce__()


def _check(function: str, status: int) -> int:
    if status != Result.SUCCESS:
        raise cuFFTError(function, status)
    return status


def _version_text() -> str:
    return _format_version(cufftGetVersion())


def _format_version(version: int) -> str:
    # CUFFT_VERSION is major * 1000 + minor * 100 + patch (12500 is 12.5.0).
    return f"{version // 1000}.{version % 1000 // 100}.{version % 100}"


_lib = NvidiaLibrary(
    "cufft", display_name="cuFFT", package="nvidia-cufft", extra="cu13", check=_check, version=_version_text
)


def _call(c_name: str, *args) -> None:
    """Call the C function ``c_name``; its arguments, converted first, are checked before the
    library is loaded."""
    _lib.function(c_name)(*args)


# -- argument conversion ---------------------------------------------------------------------


def _pointer(value, what: str):
    """An int address (or None for NULL) for a ``void*`` argument."""
    if value is None:
        return None
    accepted = "an int address (e.g. cupy_array.data.ptr) or None"
    if isinstance(value, bool):
        raise refused(what, value, accepted)
    try:
        return operator.index(value)
    except TypeError:
        raise refused(what, value, accepted) from None


def _address(value, what: str, accepted: str) -> int:
    """A non-NULL address given as an int."""
    if not is_int(value):
        raise refused(what, value, accepted)
    if not 0 < value < 2**64:
        raise ValueError(f"{what}={int(value)} is not an address; accepted: {accepted}")
    return int(value)


# The C name and range of each array element type.
_ELEMENTS = {
    c_int: ("int", -(2**31), 2**31 - 1),
    c_longlong: ("long long", -(2**63), 2**63 - 1),
    c_size_t: ("size_t", 0, 2**64 - 1),
    c_void_p: ("pointer", 0, 2**64 - 1),
}
# Iterable, but never an array of ints as meant here.
_NOT_SEQUENCES = (str, bytes, bytearray, memoryview, Mapping, Set)


def _array(ctype, values, rank, what: str, *, nullable: bool = True, count_name: str = "rank"):
    """A ``ctype*`` argument, as nvmath-python takes one: a C array, a pointer, or None (NULL).

    ``values`` is a sequence of ints (copied into a C array), an int (the address of the
    caller's array; 0 is NULL) or None (NULL). cuFFT reads exactly ``rank`` elements, so a
    sequence of any other length is refused; ``rank=None`` takes any length (an empty
    sequence is NULL). ``c_void_p`` elements may be None (NULL). Elements must fit the C type.
    """
    if rank is not None and (not is_int(rank) or rank < 0):
        raise ValueError(f"{count_name}={shown(rank)} is not supported; accepted: an int >= 0")
    size = "" if rank is None else f" ({count_name}={rank} of them)"
    accepted = f"a sequence of ints{size}, the int address of such an array" + (", or None" if nullable else "")
    if values is None or (is_int(values) and values == 0):
        if nullable:
            return None
        if values is None:
            raise TypeError(f"{what} is required: {accepted}")
        raise ValueError(f"{what}=0 is a NULL address, but {what} is required: {accepted}")
    if is_int(values):
        return ctypes.cast(c_void_p(_address(values, what, accepted)), POINTER(ctype))
    try:
        if isinstance(values, _NOT_SEQUENCES) or not hasattr(values, "__getitem__"):
            raise TypeError
        count = len(values)
    except TypeError:
        raise TypeError(f"{what}={shown(values)} is not supported; accepted: {accepted}") from None
    if rank is not None and count != rank:
        raise ValueError(f"{what} has {count} elements; {count_name}={rank} needs {rank} (got {shown(values)})")
    cname, low, high = _ELEMENTS[ctype]
    items = []
    for i, value in enumerate(values):
        if value is None and ctype is c_void_p:
            items.append(None)
            continue
        if not is_int(value):
            raise TypeError(f"{what}[{i}]={shown(value)} is not an int; {what} accepts {accepted}")
        if not low <= value <= high:
            raise ValueError(f"{what}[{i}]={int(value)} does not fit a C {cname} ({low} to {high})")
        items.append(int(value))
    return (ctype * count)(*items) if count else None


def _int64_array(values, rank: int, what: str, *, nullable: bool = True):
    return _array(c_longlong, values, rank, what, nullable=nullable)


def _caller_info_array(caller_info):
    """``void**`` for cuFFT's callback ``caller_info``: a host array of device pointers, one
    per GPU; NULL for None or 0."""
    if caller_info is None:
        return None
    if isinstance(caller_info, (list, tuple)):
        pointers = [_pointer(p, "caller_info[i]") or 0 for p in caller_info]
    else:
        pointers = [_pointer(caller_info, "caller_info")]
        if pointers == [0]:
            return None
    return (c_void_p * len(pointers))(*pointers)


# -- prototypes ------------------------------------------------------------------------------

_int_p = POINTER(c_int)
_ll_p = POINTER(c_longlong)
_size_p = POINTER(c_size_t)

_PLAN_MANY64 = [
    c_int,
    c_int,
    _ll_p,
    _ll_p,
    c_longlong,
    c_longlong,
    _ll_p,
    c_longlong,
    c_longlong,
    c_int,
    c_longlong,
    _size_p,
]
# Note the C order: workSize comes before executiontype.
_XT_PLAN_MANY = [
    c_int,
    c_int,
    _ll_p,
    _ll_p,
    c_longlong,
    c_longlong,
    c_int,
    _ll_p,
    c_longlong,
    c_longlong,
    c_int,
    c_longlong,
    _size_p,
    c_int,
]

# cufftMakePlanMany and cufftGetSizeMany: 32-bit sizes.
_PLAN_MANY32 = [c_int, c_int, _int_p, _int_p, c_int, c_int, _int_p, c_int, c_int, c_int, c_int, _size_p]
_void_pp = POINTER(c_void_p)
_EXEC_DESCRIPTOR = [c_int, c_void_p, c_void_p]

for _name, _argtypes in {
    "cufftCreate": [_int_p],
    "cufftDestroy": [c_int],
    "cufftMakePlanMany64": _PLAN_MANY64,
    "cufftGetSizeMany64": _PLAN_MANY64,
    "cufftXtMakePlanMany": _XT_PLAN_MANY,
    "cufftXtGetSizeMany": _XT_PLAN_MANY,
    "cufftEstimateMany": [c_int, _int_p, _int_p, c_int, c_int, _int_p, c_int, c_int, c_int, c_int, _size_p],
    "cufftGetSize": [c_int, _size_p],
    "cufftSetAutoAllocation": [c_int, c_int],
    "cufftSetWorkArea": [c_int, c_void_p],
    "cufftSetStream": [c_int, c_void_p],
    "cufftExecC2C": [c_int, c_void_p, c_void_p, c_int],
    "cufftExecZ2Z": [c_int, c_void_p, c_void_p, c_int],
    "cufftExecR2C": [c_int, c_void_p, c_void_p],
    "cufftExecC2R": [c_int, c_void_p, c_void_p],
    "cufftExecD2Z": [c_int, c_void_p, c_void_p],
    "cufftExecZ2D": [c_int, c_void_p, c_void_p],
    "cufftXtExec": [c_int, c_void_p, c_void_p, c_int],
    "cufftXtSetJITCallback": [c_int, c_char_p, c_void_p, c_size_t, c_int, POINTER(c_void_p)],
    "cufftXtClearCallback": [c_int, c_int],
    "cufftXtSetCallbackSharedSize": [c_int, c_int, c_size_t],
    "cufftGetVersion": [_int_p],
    "cufftGetProperty": [c_int, _int_p],
    "cufftSetPlanPropertyInt64": [c_int, c_int, c_longlong],
    "cufftGetPlanPropertyInt64": [c_int, c_int, _ll_p],
    "cufftResetPlanProperty": [c_int, c_int],
    "cufftPlan1d": [_int_p, c_int, c_int, c_int],
    "cufftPlan2d": [_int_p, c_int, c_int, c_int],
    "cufftPlan3d": [_int_p, c_int, c_int, c_int, c_int],
    "cufftPlanMany": [_int_p, c_int, _int_p, _int_p, c_int, c_int, _int_p, c_int, c_int, c_int, c_int],
    "cufftMakePlan1d": [c_int, c_int, c_int, c_int, _size_p],
    "cufftMakePlan2d": [c_int, c_int, c_int, c_int, _size_p],
    "cufftMakePlan3d": [c_int, c_int, c_int, c_int, c_int, _size_p],
    "cufftMakePlanMany": _PLAN_MANY32,
    "cufftGetSizeMany": _PLAN_MANY32,
    "cufftEstimate1d": [c_int, c_int, c_int, _size_p],
    "cufftEstimate2d": [c_int, c_int, c_int, _size_p],
    "cufftEstimate3d": [c_int, c_int, c_int, c_int, _size_p],
    "cufftGetSize1d": [c_int, c_int, c_int, c_int, _size_p],
    "cufftGetSize2d": [c_int, c_int, c_int, c_int, _size_p],
    "cufftGetSize3d": [c_int, c_int, c_int, c_int, c_int, _size_p],
    "cufftXtSetGPUs": [c_int, c_int, _int_p],
    "cufftXtMalloc": [c_int, _void_pp, c_int],
    "cufftXtMemcpy": [c_int, c_void_p, c_void_p, c_int],
    "cufftXtFree": [c_void_p],
    "cufftXtSetWorkArea": [c_int, _void_pp],
    "cufftXtSetWorkAreaPolicy": [c_int, c_int, _size_p],
    "cufftXtSetSubformatDefault": [c_int, c_int, c_int],
    "cufftXtQueryPlan": [c_int, c_void_p, c_int],
    "cufftXtExecDescriptor": [*_EXEC_DESCRIPTOR, c_int],
    "cufftXtExecDescriptorC2C": [*_EXEC_DESCRIPTOR, c_int],
    "cufftXtExecDescriptorZ2Z": [*_EXEC_DESCRIPTOR, c_int],
    "cufftXtExecDescriptorR2C": _EXEC_DESCRIPTOR,
    "cufftXtExecDescriptorC2R": _EXEC_DESCRIPTOR,
    "cufftXtExecDescriptorD2Z": _EXEC_DESCRIPTOR,
    "cufftXtExecDescriptorZ2D": _EXEC_DESCRIPTOR,
}.items():
    _lib.declare(_name, c_int, _argtypes)
del _name, _argtypes

# Objects cuFFT may read after cufftXtSetJITCallback returns (the LTO-IR is linked when the
# plan is made), kept alive until cufftDestroy(plan).
_keepalive: dict[int, list] = {}


# -- plans -----------------------------------------------------------------------------------


def cufftCreate() -> int:
    """``cufftCreate``: a new, empty plan handle."""
    handle = c_int()
    _lib.function("cufftCreate")(ctypes.byref(handle))
    return handle.value


def cufftDestroy(plan: int) -> None:
    """``cufftDestroy``: free the plan and its resources."""
    _lib.function("cufftDestroy")(plan)
    _keepalive.pop(plan, None)


def _plan_many64(c_name, plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch) -> int:
    work_size = c_size_t()
    _call(
        c_name,
        plan,
        rank,
        _int64_array(n, rank, "n", nullable=False),
        _int64_array(inembed, rank, "inembed"),
        istride,
        idist,
        _int64_array(onembed, rank, "onembed"),
        ostride,
        odist,
        type,
        batch,
        ctypes.byref(work_size),
    )
    return work_size.value


def cufftMakePlanMany64(
    plan: int, rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> int:
    """``cufftMakePlanMany64``: make a batched plan with 64-bit sizes.

    Parameters
    ----------
    n : sequence of int
        The ``rank`` transform sizes.
    inembed, onembed : sequence of int or None
        Storage dimensions (``rank`` each), or None for the default layout.
    type : Type

    Returns
    -------
    int
        The work area size in bytes.
    """
    return _plan_many64(
        "cufftMakePlanMany64", plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch
    )


def cufftGetSizeMany64(
    plan: int, rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> int:
    """``cufftGetSizeMany64``: the work area a :func:`cufftMakePlanMany64` plan would need.

    Arguments as for :func:`cufftMakePlanMany64`; returns the size in bytes.
    """
    return _plan_many64(
        "cufftGetSizeMany64", plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch
    )


def _xt_plan_many(
    c_name, plan, rank, n, inembed, istride, idist, inputtype, onembed, ostride, odist, outputtype, batch, executiontype
) -> int:
    work_size = c_size_t()
    _call(
        c_name,
        plan,
        rank,
        _int64_array(n, rank, "n", nullable=False),
        _int64_array(inembed, rank, "inembed"),
        istride,
        idist,
        inputtype,
        _int64_array(onembed, rank, "onembed"),
        ostride,
        odist,
        outputtype,
        batch,
        ctypes.byref(work_size),
        executiontype,
    )
    return work_size.value


def cufftXtMakePlanMany(
    plan: int,
    rank: int,
    n,
    inembed,
    istride: int,
    idist: int,
    inputtype: int,
    onembed,
    ostride: int,
    odist: int,
    outputtype: int,
    batch: int,
    executiontype: int,
) -> int:
    """``cufftXtMakePlanMany``: make a batched plan from ``cudaDataType`` s.

    The C function's ``workSize`` output (between ``batch`` and ``executiontype``) is
    returned instead.

    Parameters
    ----------
    n, inembed, onembed
        As for :func:`cufftMakePlanMany64`.
    inputtype, outputtype, executiontype : DataType

    Returns
    -------
    int
        The work area size in bytes.
    """
    return _xt_plan_many(
        "cufftXtMakePlanMany",
        plan,
        rank,
        n,
        inembed,
        istride,
        idist,
        inputtype,
        onembed,
        ostride,
        odist,
        outputtype,
        batch,
        executiontype,
    )


def cufftXtGetSizeMany(
    plan: int,
    rank: int,
    n,
    inembed,
    istride: int,
    idist: int,
    inputtype: int,
    onembed,
    ostride: int,
    odist: int,
    outputtype: int,
    batch: int,
    executiontype: int,
) -> int:
    """``cufftXtGetSizeMany``: the work area a :func:`cufftXtMakePlanMany` plan would need.

    Arguments as for :func:`cufftXtMakePlanMany`; returns the size in bytes.
    """
    return _xt_plan_many(
        "cufftXtGetSizeMany",
        plan,
        rank,
        n,
        inembed,
        istride,
        idist,
        inputtype,
        onembed,
        ostride,
        odist,
        outputtype,
        batch,
        executiontype,
    )


def cufftEstimateMany(
    rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> int:
    """``cufftEstimateMany``: a (32-bit sizes) estimate of the work area size, in bytes."""
    work_size = c_size_t()
    _call(
        "cufftEstimateMany",
        rank,
        _array(c_int, n, rank, "n", nullable=False),
        _array(c_int, inembed, rank, "inembed"),
        istride,
        idist,
        _array(c_int, onembed, rank, "onembed"),
        ostride,
        odist,
        type,
        batch,
        ctypes.byref(work_size),
    )
    return work_size.value


def cufftGetSize(plan: int) -> int:
    """``cufftGetSize``: the made plan's work area size, in bytes."""
    work_size = c_size_t()
    _lib.function("cufftGetSize")(plan, ctypes.byref(work_size))
    return work_size.value


def cufftSetAutoAllocation(plan: int, autoAllocate: int) -> None:
    """``cufftSetAutoAllocation``: 0 to have the caller provide the work area (call before
    making the plan)."""
    _lib.function("cufftSetAutoAllocation")(plan, autoAllocate)


def cufftSetWorkArea(plan: int, workArea: int) -> None:
    """``cufftSetWorkArea``: the device pointer of the caller's work area."""
    _lib.function("cufftSetWorkArea")(plan, _pointer(workArea, "workArea"))


def cufftSetStream(plan: int, stream: int) -> None:
    """``cufftSetStream``: the ``cudaStream_t`` (an int; 0 or None for the default stream)."""
    _lib.function("cufftSetStream")(plan, _pointer(stream, "stream"))


# -- execution -------------------------------------------------------------------------------


def _exec(c_name, plan, idata, odata, *direction):
    _lib.function(c_name)(plan, _pointer(idata, "idata"), _pointer(odata, "odata"), *direction)


def cufftExecC2C(plan: int, idata: int, odata: int, direction: int) -> None:
    """``cufftExecC2C``: complex64 to complex64; ``direction`` is a :class:`Direction`."""
    _exec("cufftExecC2C", plan, idata, odata, direction)


def cufftExecZ2Z(plan: int, idata: int, odata: int, direction: int) -> None:
    """``cufftExecZ2Z``: complex128 to complex128; ``direction`` is a :class:`Direction`."""
    _exec("cufftExecZ2Z", plan, idata, odata, direction)


def cufftExecR2C(plan: int, idata: int, odata: int) -> None:
    """``cufftExecR2C``: float32 to complex64 (forward)."""
    _exec("cufftExecR2C", plan, idata, odata)


def cufftExecC2R(plan: int, idata: int, odata: int) -> None:
    """``cufftExecC2R``: complex64 to float32 (inverse)."""
    _exec("cufftExecC2R", plan, idata, odata)


def cufftExecD2Z(plan: int, idata: int, odata: int) -> None:
    """``cufftExecD2Z``: float64 to complex128 (forward)."""
    _exec("cufftExecD2Z", plan, idata, odata)


def cufftExecZ2D(plan: int, idata: int, odata: int) -> None:
    """``cufftExecZ2D``: complex128 to float64 (inverse)."""
    _exec("cufftExecZ2D", plan, idata, odata)


def cufftXtExec(plan: int, input: int, output: int, direction: int) -> None:
    """``cufftXtExec``: execute any plan; ``direction`` is a :class:`Direction`."""
    _lib.function("cufftXtExec")(plan, _pointer(input, "input"), _pointer(output, "output"), direction)


# -- callbacks -------------------------------------------------------------------------------

_JIT_NEEDS = "LTO callbacks need cuFFT >= 11.3 (CUDA 12.6 Update 2)"


def _jit_callback_function():
    # The symbol depends on the version, not on what is exported: cuFFT 11.3-11.4 (CUDA
    # 12.6U2-12.9) export the 6-argument function as __cufftXtSetJITCallback_12_7 (their header
    # maps the name to it) but also a cufftXtSetJITCallback with the LTO EA's 5 arguments (no
    # symbol name), which must never be called with 6. cuFFT 12 exports only the 6-argument one
    # under its own name.
    version = cufftGetVersion()
    if version >= 12000:
        symbol = "cufftXtSetJITCallback"
    elif version >= 11300:
        symbol = "__cufftXtSetJITCallback_12_7"
    else:
        raise _lib.missing("cufftXtSetJITCallback", needs=_JIT_NEEDS)
    try:
        return _lib.function("cufftXtSetJITCallback", symbol)
    except FunctionNotFoundError:
        raise _lib.missing("cufftXtSetJITCallback", symbol, needs=_JIT_NEEDS) from None


def cufftXtSetJITCallback(plan: int, symbol_name: str, lto, callback_type: int, caller_info=None) -> None:
    """``cufftXtSetJITCallback``: attach an LTO-IR load or store callback to a plan.

    Call after :func:`cufftCreate` and before making the plan. The C arguments
    ``lto_callback_fatbin`` and ``lto_callback_fatbin_size`` both come from ``lto``.

    Parameters
    ----------
    symbol_name : str
        The callback's (unmangled) name in the LTO-IR.
    lto : bytes-like
        The LTO-IR (or a fatbin holding it), e.g. an ``nvmath.jit`` ``LTOIR``.
    callback_type : XtCallbackType
    caller_info : int, sequence of int, or None
        The device pointer the callback receives as ``callerInfo``. cuFFT takes a host
        array of device pointers, one per GPU: an int is passed as a one-element array, a
        sequence as is, and None or 0 as NULL.

    Raises
    ------
    FunctionNotFoundError
        The loaded cuFFT is older than 11.3 (CUDA 12.6 Update 2).
    """
    fn = _jit_callback_function()
    name = symbol_name.encode() if isinstance(symbol_name, str) else bytes(symbol_name)
    # bytes (and subclasses) are passed without a copy; other buffers are copied once.
    data = lto if isinstance(lto, bytes) else bytes(memoryview(lto))
    info = _caller_info_array(caller_info)
    fn(plan, name, data, len(data), callback_type, info)
    _keepalive.setdefault(plan, []).extend((name, data, info))


def cufftXtClearCallback(plan: int, cbType: int) -> None:
    """``cufftXtClearCallback``: remove the plan's callback of type ``cbType``."""
    _lib.function("cufftXtClearCallback")(plan, cbType)


def cufftXtSetCallbackSharedSize(plan: int, cbType: int, sharedSize: int) -> None:
    """``cufftXtSetCallbackSharedSize``: the shared memory, in bytes, the callback needs.

    cuFFT 12.0 and 12.5 crash (segmentation fault, also from C) when this is called on a plan
    given an LTO callback by :func:`cufftXtSetJITCallback` and not yet made.
    """
    _lib.function("cufftXtSetCallbackSharedSize")(plan, cbType, sharedSize)


# -- versions and plan properties -----------------------------------------------------------


def cufftGetVersion() -> int:
    """``cufftGetVersion``: e.g. 12500 for cuFFT 12.5.0."""
    version = c_int()
    _lib.function("cufftGetVersion")(ctypes.byref(version))
    return version.value


def cufftGetProperty(type: int) -> int:
    """``cufftGetProperty``: the library's major, minor or patch number (a
    :class:`LibraryProperty`)."""
    value = c_int()
    _lib.function("cufftGetProperty")(type, ctypes.byref(value))
    return value.value


def cufftSetPlanPropertyInt64(plan: int, property: int, inputValueInt: int) -> None:
    """``cufftSetPlanPropertyInt64``: set a :class:`Property` (before making the plan)."""
    _lib.function("cufftSetPlanPropertyInt64")(plan, property, inputValueInt)


def cufftGetPlanPropertyInt64(plan: int, property: int) -> int:
    """``cufftGetPlanPropertyInt64``: a :class:`Property`'s value."""
    value = c_longlong()
    _lib.function("cufftGetPlanPropertyInt64")(plan, property, ctypes.byref(value))
    return value.value


def cufftResetPlanProperty(plan: int, property: int) -> None:
    """``cufftResetPlanProperty``: restore a :class:`Property`'s default."""
    _lib.function("cufftResetPlanProperty")(plan, property)


# -- plans of 1, 2 or 3 dimensions and 32-bit batched plans ----------------------------------


def _new_plan(c_name: str, *args) -> int:
    handle = c_int()
    _call(c_name, ctypes.byref(handle), *args)
    return handle.value


def _work_size(c_name: str, *args) -> int:
    """Call ``c_name(*args, size_t* workSize)``; the size in bytes."""
    work_size = c_size_t()
    _call(c_name, *args, ctypes.byref(work_size))
    return work_size.value


def _arrays32(rank, n, inembed, onembed):
    """``int*`` arrays ``n``, ``inembed`` and ``onembed`` (32-bit sizes)."""
    return (
        _array(c_int, n, rank, "n", nullable=False),
        _array(c_int, inembed, rank, "inembed"),
        _array(c_int, onembed, rank, "onembed"),
    )


def cufftPlan1d(nx: int, type: int, batch: int) -> int:
    """``cufftPlan1d``: create and make a 1-D plan; returns the new handle."""
    return _new_plan("cufftPlan1d", nx, type, batch)


def cufftPlan2d(nx: int, ny: int, type: int) -> int:
    """``cufftPlan2d``: create and make a 2-D plan; returns the new handle."""
    return _new_plan("cufftPlan2d", nx, ny, type)


def cufftPlan3d(nx: int, ny: int, nz: int, type: int) -> int:
    """``cufftPlan3d``: create and make a 3-D plan; returns the new handle."""
    return _new_plan("cufftPlan3d", nx, ny, nz, type)


def cufftPlanMany(
    rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> int:
    """``cufftPlanMany``: create and make a batched plan (32-bit sizes); returns the new handle.

    ``n``, ``inembed`` and ``onembed`` as for :func:`cufftMakePlanMany`.
    """
    n, inembed, onembed = _arrays32(rank, n, inembed, onembed)
    return _new_plan("cufftPlanMany", rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch)


def cufftMakePlan1d(plan: int, nx: int, type: int, batch: int) -> int:
    """``cufftMakePlan1d``: make a created plan 1-D; returns the work area size in bytes."""
    return _work_size("cufftMakePlan1d", plan, nx, type, batch)


def cufftMakePlan2d(plan: int, nx: int, ny: int, type: int) -> int:
    """``cufftMakePlan2d``: make a created plan 2-D; returns the work area size in bytes."""
    return _work_size("cufftMakePlan2d", plan, nx, ny, type)


def cufftMakePlan3d(plan: int, nx: int, ny: int, nz: int, type: int) -> int:
    """``cufftMakePlan3d``: make a created plan 3-D; returns the work area size in bytes."""
    return _work_size("cufftMakePlan3d", plan, nx, ny, nz, type)


def cufftMakePlanMany(
    plan: int, rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> int:
    """``cufftMakePlanMany``: make a batched plan with 32-bit sizes.

    Parameters
    ----------
    n : sequence of int, or int
        The ``rank`` transform sizes, or the address of a C ``int`` array of them.
    inembed, onembed : sequence of int, int, or None
        Storage dimensions (``rank`` each, or an address), or None (or 0) for the default layout.

    Returns
    -------
    int
        The work area size in bytes.
    """
    n, inembed, onembed = _arrays32(rank, n, inembed, onembed)
    return _work_size("cufftMakePlanMany", plan, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch)


def cufftGetSizeMany(
    handle: int,
    rank: int,
    n,
    inembed,
    istride: int,
    idist: int,
    onembed,
    ostride: int,
    odist: int,
    type: int,
    batch: int,
) -> int:
    """``cufftGetSizeMany``: the work area a :func:`cufftMakePlanMany` plan would need, in bytes."""
    n, inembed, onembed = _arrays32(rank, n, inembed, onembed)
    return _work_size(
        "cufftGetSizeMany", handle, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch
    )


def cufftEstimate1d(nx: int, type: int, batch: int) -> int:
    """``cufftEstimate1d``: an estimate of a 1-D plan's work area size, in bytes."""
    return _work_size("cufftEstimate1d", nx, type, batch)


def cufftEstimate2d(nx: int, ny: int, type: int) -> int:
    """``cufftEstimate2d``: an estimate of a 2-D plan's work area size, in bytes."""
    return _work_size("cufftEstimate2d", nx, ny, type)


def cufftEstimate3d(nx: int, ny: int, nz: int, type: int) -> int:
    """``cufftEstimate3d``: an estimate of a 3-D plan's work area size, in bytes."""
    return _work_size("cufftEstimate3d", nx, ny, nz, type)


def cufftGetSize1d(handle: int, nx: int, type: int, batch: int) -> int:
    """``cufftGetSize1d``: the work area a 1-D plan would need, in bytes (closer than the estimate)."""
    return _work_size("cufftGetSize1d", handle, nx, type, batch)


def cufftGetSize2d(handle: int, nx: int, ny: int, type: int) -> int:
    """``cufftGetSize2d``: the work area a 2-D plan would need, in bytes."""
    return _work_size("cufftGetSize2d", handle, nx, ny, type)


def cufftGetSize3d(handle: int, nx: int, ny: int, nz: int, type: int) -> int:
    """``cufftGetSize3d``: the work area a 3-D plan would need, in bytes."""
    return _work_size("cufftGetSize3d", handle, nx, ny, nz, type)


# -- several GPUs: descriptors and work areas ------------------------------------------------


def cufftXtSetGPUs(handle: int, nGPUs: int, whichGPUs) -> None:
    """``cufftXtSetGPUs``: the GPUs a created plan runs on (before making it).

    ``whichGPUs`` is a sequence of ``nGPUs`` device ordinals, or the address of a C ``int``
    array of them.
    """
    _call(
        "cufftXtSetGPUs",
        handle,
        nGPUs,
        _array(c_int, whichGPUs, nGPUs, "whichGPUs", nullable=False, count_name="nGPUs"),
    )


def cufftXtMalloc(plan: int, format: int) -> int:
    """``cufftXtMalloc``: allocate data for the plan's GPUs in ``format`` (an
    :class:`XtSubFormat`); returns the address of the new ``cudaLibXtDesc``."""
    descriptor = c_void_p()
    _call("cufftXtMalloc", plan, ctypes.byref(descriptor), format)
    return descriptor.value or 0


def cufftXtFree(descriptor: int) -> None:
    """``cufftXtFree``: free a :func:`cufftXtMalloc` descriptor and its data."""
    _call("cufftXtFree", _pointer(descriptor, "descriptor"))


def cufftXtMemcpy(plan: int, dstPointer: int, srcPointer: int, type: int) -> None:
    """``cufftXtMemcpy``: copy between host memory and a descriptor, or between two
    descriptors, as ``type`` (an :class:`XtCopyType`) says; both are int addresses."""
    _call("cufftXtMemcpy", plan, _pointer(dstPointer, "dstPointer"), _pointer(srcPointer, "srcPointer"), type)


def cufftXtSetWorkArea(plan: int, workArea) -> None:
    """``cufftXtSetWorkArea``: the caller's work areas, one device pointer per GPU of the plan
    (a sequence of ints, or the address of a C ``void*`` array)."""
    _call("cufftXtSetWorkArea", plan, _array(c_void_p, workArea, None, "workArea"))


def cufftXtSetWorkAreaPolicy(plan: int, policy: int, workSize=None) -> None:
    """``cufftXtSetWorkAreaPolicy``: how much work area to trade for speed (an
    :class:`XtWorkAreaPolicy`); ``workSize``, which cuFFT reserves for later use, is None
    (NULL), a sequence of sizes or the address of a C ``size_t`` array."""
    _call("cufftXtSetWorkAreaPolicy", plan, policy, _array(c_size_t, workSize, None, "workSize"))


def cufftXtSetSubformatDefault(plan: int, subformatForward: int, subformatInverse: int) -> None:
    """``cufftXtSetSubformatDefault``: the :class:`XtSubFormat` a plan expects its input in,
    for forward and for inverse transforms."""
    _call("cufftXtSetSubformatDefault", plan, subformatForward, subformatInverse)


def _out_buffer(value, size: int, what: str):
    """``(void*, keep)`` for memory the C function writes ``size`` bytes to: an int address,
    or a writable, C-contiguous buffer (bytearray, NumPy array, ctypes object) of at least
    ``size`` bytes; ``keep`` must stay alive for the call."""
    accepted = f"an int address or a writable buffer of at least {size} bytes"
    if is_int(value):
        return _address(value, what, accepted), None
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError(f"{what}={shown(value)} is not supported; accepted: {accepted}") from None
    if view.readonly or not view.c_contiguous:
        problem = "read-only" if view.readonly else "non-contiguous"
        raise TypeError(f"{what} is a {problem} {type(value).__name__}; accepted: {accepted}")
    if view.nbytes < size:
        raise ValueError(f"{what} holds {view.nbytes} bytes; accepted: {accepted}")
    keep = (ctypes.c_char * view.nbytes).from_buffer(view.cast("B"))
    return ctypes.addressof(keep), keep


def cufftXtQueryPlan(plan: int, queryStruct, queryType: int) -> None:
    """``cufftXtQueryPlan``: fill ``queryStruct`` with what ``queryType`` (an
    :class:`XtQueryType`) asks of a made plan.

    ``queryStruct`` is the address of the C struct (``cufftXt1dFactors``, 96 bytes, for
    ``QUERY_1D_FACTORS``) or a writable buffer at least that large.
    """
    size = _QUERY_SIZES.get(queryType, 0) if is_int(queryType) else 0
    address, keep = _out_buffer(queryStruct, size, "queryStruct")
    _call("cufftXtQueryPlan", plan, address, queryType)


def _exec_descriptor(c_name, plan, input, output, *direction):
    _call(c_name, plan, _pointer(input, "input"), _pointer(output, "output"), *direction)


def cufftXtExecDescriptor(plan: int, input: int, output: int, direction: int) -> None:
    """``cufftXtExecDescriptor``: execute any plan on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptor", plan, input, output, direction)


def cufftXtExecDescriptorC2C(plan: int, input: int, output: int, direction: int) -> None:
    """``cufftXtExecDescriptorC2C``: complex64 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorC2C", plan, input, output, direction)


def cufftXtExecDescriptorZ2Z(plan: int, input: int, output: int, direction: int) -> None:
    """``cufftXtExecDescriptorZ2Z``: complex128 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorZ2Z", plan, input, output, direction)


def cufftXtExecDescriptorR2C(plan: int, input: int, output: int) -> None:
    """``cufftXtExecDescriptorR2C``: float32 to complex64 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorR2C", plan, input, output)


def cufftXtExecDescriptorC2R(plan: int, input: int, output: int) -> None:
    """``cufftXtExecDescriptorC2R``: complex64 to float32 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorC2R", plan, input, output)


def cufftXtExecDescriptorD2Z(plan: int, input: int, output: int) -> None:
    """``cufftXtExecDescriptorD2Z``: float64 to complex128 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorD2Z", plan, input, output)


def cufftXtExecDescriptorZ2D(plan: int, input: int, output: int) -> None:
    """``cufftXtExecDescriptorZ2D``: complex128 to float64 on ``cudaLibXtDesc`` addresses."""
    _exec_descriptor("cufftXtExecDescriptorZ2D", plan, input, output)


# -- nvmath-python's names ---------------------------------------------------------------------
#
# nvmath-python's ``nvmath.bindings.cufft`` names each C function in snake_case, with the C
# arguments in C order and snake_case argument names. Where the arguments and the result are
# those of the function above (names included), the snake_case name is that same function;
# otherwise it is a thin wrapper: other argument names, or nvmath-python's conventions
# (``plan1d`` ... write the new handle to the caller's address; ``xt_set_jit_callback`` takes
# the callback's size and a ``caller_info`` array or its address, as the C function does).
# Code written for nvmath-python (for instance a handle for
# nvmath.fft.estimate_workspace_size(..., technique="refined")) runs unchanged.


def check_status(status: int) -> None:
    """Raise :class:`cuFFTError` if ``status`` (a :class:`Result`) is not ``CUFFT_SUCCESS``."""
    if not is_int(status):
        raise TypeError(f"status={shown(status)} is not supported; accepted: an int (a Result)")
    if status != Result.SUCCESS:
        raise cuFFTError(int(status))


# the same functions
create = cufftCreate
destroy = cufftDestroy
estimate1d = cufftEstimate1d
estimate2d = cufftEstimate2d
estimate3d = cufftEstimate3d
estimate_many = cufftEstimateMany
make_plan1d = cufftMakePlan1d
make_plan2d = cufftMakePlan2d
make_plan3d = cufftMakePlan3d
make_plan_many = cufftMakePlanMany
make_plan_many64 = cufftMakePlanMany64
get_size1d = cufftGetSize1d
get_size2d = cufftGetSize2d
get_size3d = cufftGetSize3d
get_size_many = cufftGetSizeMany
get_size_many64 = cufftGetSizeMany64
xt_make_plan_many = cufftXtMakePlanMany
xt_get_size_many = cufftXtGetSizeMany
set_stream = cufftSetStream
exec_c2c = cufftExecC2C
exec_r2c = cufftExecR2C
exec_c2r = cufftExecC2R
exec_z2z = cufftExecZ2Z
exec_d2z = cufftExecD2Z
exec_z2d = cufftExecZ2D
xt_exec = cufftXtExec
xt_exec_descriptor = cufftXtExecDescriptor
xt_exec_descriptor_c2c = cufftXtExecDescriptorC2C
xt_exec_descriptor_r2c = cufftXtExecDescriptorR2C
xt_exec_descriptor_c2r = cufftXtExecDescriptorC2R
xt_exec_descriptor_z2z = cufftXtExecDescriptorZ2Z
xt_exec_descriptor_d2z = cufftXtExecDescriptorD2Z
xt_exec_descriptor_z2d = cufftXtExecDescriptorZ2D
xt_malloc = cufftXtMalloc
xt_free = cufftXtFree
get_version = cufftGetVersion
get_property = cufftGetProperty
get_plan_property_int64 = cufftGetPlanPropertyInt64
reset_plan_property = cufftResetPlanProperty


# other argument names


def get_size(handle: int) -> int:
    """``cufftGetSize``: the made plan's work area size, in bytes."""
    return cufftGetSize(handle)


def set_auto_allocation(plan: int, auto_allocate: int) -> None:
    """``cufftSetAutoAllocation``: 0 to provide the work area yourself (before making the plan)."""
    cufftSetAutoAllocation(plan, auto_allocate)


def set_work_area(plan: int, work_area: int) -> None:
    """``cufftSetWorkArea``: the device pointer of the caller's work area."""
    cufftSetWorkArea(plan, work_area)


def set_plan_property_int64(plan: int, property: int, input_value_int: int) -> None:
    """``cufftSetPlanPropertyInt64``: set a :class:`Property` (before making the plan)."""
    cufftSetPlanPropertyInt64(plan, property, input_value_int)


def xt_clear_callback(plan: int, cb_type: int) -> None:
    """``cufftXtClearCallback``: remove the plan's callback of type ``cb_type``."""
    cufftXtClearCallback(plan, cb_type)


def xt_set_callback_shared_size(plan: int, cb_type: int, shared_size: int) -> None:
    """``cufftXtSetCallbackSharedSize``: the shared memory, in bytes, the callback needs."""
    cufftXtSetCallbackSharedSize(plan, cb_type, shared_size)


def xt_set_gpus(handle: int, n_gpus: int, which_gpus) -> None:
    """``cufftXtSetGPUs``: ``which_gpus`` is a sequence of ``n_gpus`` device ordinals, or the
    address of a C ``int`` array of them."""
    _call(
        "cufftXtSetGPUs",
        handle,
        n_gpus,
        _array(c_int, which_gpus, n_gpus, "which_gpus", nullable=False, count_name="n_gpus"),
    )


def xt_memcpy(plan: int, dst_pointer: int, src_pointer: int, type: int) -> None:
    """``cufftXtMemcpy``: copy as ``type`` (an :class:`XtCopyType`) says; int addresses."""
    _call("cufftXtMemcpy", plan, _pointer(dst_pointer, "dst_pointer"), _pointer(src_pointer, "src_pointer"), type)


def xt_query_plan(plan: int, query_struct, query_type: int) -> None:
    """``cufftXtQueryPlan``: fill the struct at ``query_struct`` (an address, or a writable
    buffer) with what ``query_type`` (an :class:`XtQueryType`) asks."""
    size = _QUERY_SIZES.get(query_type, 0) if is_int(query_type) else 0
    address, _keep = _out_buffer(query_struct, size, "query_struct")
    _call("cufftXtQueryPlan", plan, address, query_type)


def xt_set_subformat_default(plan: int, subformat_forward: int, subformat_inverse: int) -> None:
    """``cufftXtSetSubformatDefault``: the input :class:`XtSubFormat` of forward and of
    inverse transforms."""
    cufftXtSetSubformatDefault(plan, subformat_forward, subformat_inverse)


def xt_set_work_area(plan: int, work_area) -> None:
    """``cufftXtSetWorkArea``: ``work_area`` is the address of a C array of device pointers,
    one per GPU (or such a sequence)."""
    _call("cufftXtSetWorkArea", plan, _array(c_void_p, work_area, None, "work_area"))


def xt_set_work_area_policy(plan: int, policy: int, work_size) -> None:
    """``cufftXtSetWorkAreaPolicy``: ``work_size`` is the address of a C ``size_t`` array (0
    for NULL, as cuFFT expects today), a sequence of sizes, or None."""
    _call("cufftXtSetWorkAreaPolicy", plan, policy, _array(c_size_t, work_size, None, "work_size"))


# the new handle written to the caller's address


def _handle_at(plan):
    """``cufftHandle*``: the caller's address to write the new handle (a C ``int``) to."""
    accepted = "the int address of a cufftHandle (a C int), e.g. ctypes.addressof(ctypes.c_int())"
    return ctypes.cast(c_void_p(_address(plan, "plan", accepted)), _int_p)


def plan1d(plan: int, nx: int, type: int, batch: int) -> None:
    """``cufftPlan1d``: create and make a 1-D plan, its handle written to the address ``plan``."""
    _call("cufftPlan1d", _handle_at(plan), nx, type, batch)


def plan2d(plan: int, nx: int, ny: int, type: int) -> None:
    """``cufftPlan2d``: create and make a 2-D plan, its handle written to the address ``plan``."""
    _call("cufftPlan2d", _handle_at(plan), nx, ny, type)


def plan3d(plan: int, nx: int, ny: int, nz: int, type: int) -> None:
    """``cufftPlan3d``: create and make a 3-D plan, its handle written to the address ``plan``."""
    _call("cufftPlan3d", _handle_at(plan), nx, ny, nz, type)


def plan_many(
    plan: int, rank: int, n, inembed, istride: int, idist: int, onembed, ostride: int, odist: int, type: int, batch: int
) -> None:
    """``cufftPlanMany``: create and make a batched plan (32-bit sizes), its handle written to
    the address ``plan``; ``n``, ``inembed``, ``onembed`` as for :func:`make_plan_many`."""
    handle = _handle_at(plan)
    n, inembed, onembed = _arrays32(rank, n, inembed, onembed)
    _call("cufftPlanMany", handle, rank, n, inembed, istride, idist, onembed, ostride, odist, type, batch)


# LTO callbacks, as nvmath-python passes them


def _symbol_name(value):
    """``const char*``: an int address of a NUL-terminated name (0: NULL, cuFFT then takes the
    LTO-IR's only function), or the name as str or bytes."""
    if is_int(value):
        if value == 0:
            return None
        return ctypes.cast(c_void_p(_address(value, "lto_callback_symbol_name", "")), c_char_p)
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bytes):
        return value
    raise TypeError(
        f"lto_callback_symbol_name={shown(value)} is not supported; accepted: the int address of a "
        "NUL-terminated name (0 for NULL), or the name as str or bytes"
    )


def _fatbin(value, size, what: str):
    """``const void*``: an int address, or the bytes of a buffer holding at least ``size``."""
    if not is_int(size) or size < 0:
        raise ValueError(f"lto_callback_fatbin_size={shown(size)} is not supported; accepted: an int >= 0")
    if is_int(value):
        return int(value) or None
    try:
        data = value if isinstance(value, bytes) else bytes(memoryview(value).cast("B"))
    except (TypeError, ValueError):
        raise TypeError(
            f"{what}={shown(value)} is not supported; accepted: an int address or a bytes-like object"
        ) from None
    if len(data) < size:
        raise ValueError(f"{what} holds {len(data)} bytes, fewer than lto_callback_fatbin_size={size}")
    return data


def xt_set_jit_callback(
    plan: int, lto_callback_symbol_name, lto_callback_fatbin, lto_callback_fatbin_size: int, type: int, caller_info
) -> None:
    """``cufftXtSetJITCallback``: attach an LTO-IR callback (after :func:`create`, before
    making the plan).

    Parameters
    ----------
    lto_callback_symbol_name : int, str or bytes
        The address of the NUL-terminated symbol name, 0 for NULL (cuFFT takes the LTO-IR's
        only function), or the name itself.
    lto_callback_fatbin : int or bytes-like
        The LTO-IR: its address, or a bytes-like object (copied).
    lto_callback_fatbin_size : int
        Its size in bytes.
    type : XtCallbackType
    caller_info : sequence of int, int, or None
        One device pointer per GPU (None elements are NULL), or the address of a C array of
        them; 0 or None is NULL.

    Raises
    ------
    FunctionNotFoundError
        The loaded cuFFT is older than 11.3 (CUDA 12.6 Update 2).
    """
    name = _symbol_name(lto_callback_symbol_name)
    data = _fatbin(lto_callback_fatbin, lto_callback_fatbin_size, "lto_callback_fatbin")
    info = _array(c_void_p, caller_info, None, "caller_info")
    fn = _jit_callback_function()
    fn(plan, name, data, lto_callback_fatbin_size, type, info)
    # cuFFT reads them when the plan is made: kept until destroy(plan).
    _keepalive.setdefault(plan, []).extend(x for x in (name, data, info) if x is not None)


__all__ += [
    "check_status",
    "create",
    "destroy",
    "estimate1d",
    "estimate2d",
    "estimate3d",
    "estimate_many",
    "make_plan1d",
    "make_plan2d",
    "make_plan3d",
    "make_plan_many",
    "make_plan_many64",
    "get_size",
    "get_size1d",
    "get_size2d",
    "get_size3d",
    "get_size_many",
    "get_size_many64",
    "plan1d",
    "plan2d",
    "plan3d",
    "plan_many",
    "set_auto_allocation",
    "set_work_area",
    "set_stream",
    "exec_c2c",
    "exec_r2c",
    "exec_c2r",
    "exec_z2z",
    "exec_d2z",
    "exec_z2d",
    "get_version",
    "get_property",
    "set_plan_property_int64",
    "get_plan_property_int64",
    "reset_plan_property",
    "xt_make_plan_many",
    "xt_get_size_many",
    "xt_exec",
    "xt_exec_descriptor",
    "xt_exec_descriptor_c2c",
    "xt_exec_descriptor_r2c",
    "xt_exec_descriptor_c2r",
    "xt_exec_descriptor_z2z",
    "xt_exec_descriptor_d2z",
    "xt_exec_descriptor_z2d",
    "xt_malloc",
    "xt_free",
    "xt_memcpy",
    "xt_query_plan",
    "xt_set_gpus",
    "xt_set_subformat_default",
    "xt_set_work_area",
    "xt_set_work_area_policy",
    "xt_set_jit_callback",
    "xt_clear_callback",
    "xt_set_callback_shared_size",
]
