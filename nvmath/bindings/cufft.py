"""Thin 1:1 ``ctypes`` bindings of cuFFT (``libcufft``; CUDA 13: the ``nvidia-cufft`` 12.x wheel).

Functions keep their C names and argument order. Handles, device pointers, streams and sizes
are Python ints; array arguments (``n``, ``inembed``, ``onembed``) are sequences of ints or
None (NULL); output parameters are returned instead of passed. Every status other than
``CUFFT_SUCCESS`` raises :class:`cuFFTError`.

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
from ctypes import POINTER, c_char_p, c_int, c_longlong, c_size_t, c_void_p

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


# -- errors ----------------------------------------------------------------------------------


class cuFFTError(StatusError):
    """A cuFFT function returned a status other than ``CUFFT_SUCCESS`` (``status``: a
    :class:`Result`, or a plain int if this binding does not know it)."""

    status_type = Result
    status_prefix = "CUFFT_"
    unknown = "unknown cufftResult"


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


# -- argument conversion ---------------------------------------------------------------------


def _pointer(value, what: str):
    """An int address (or None for NULL) for a ``void*`` argument."""
    if value is None:
        return None
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{what} must be an int address (e.g. cupy_array.data.ptr) or None, got {type(value).__name__}"
        ) from None


def _array(ctype, values, rank: int, what: str, *, nullable: bool = True):
    """A C array of ``rank`` elements from a sequence of ints, or None for NULL.

    cuFFT reads exactly ``rank`` elements, so any other length is refused.
    """
    if values is None:
        if nullable:
            return None
        raise TypeError(f"{what} is required: a sequence of {rank} ints")
    try:
        items = [operator.index(v) for v in values]
    except TypeError:
        raise TypeError(f"{what} must be a sequence of ints or None, got {values!r}") from None
    if len(items) != rank:
        raise ValueError(f"{what} has {len(items)} elements; rank={rank} needs {rank}")
    return (ctype * rank)(*items)


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
    _lib.function(c_name)(
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
    _lib.function(c_name)(
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
    _lib.function("cufftEstimateMany")(
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


# -- nvmath-python's snake_case names (the same functions) ------------------------------------
# Code written for nvmath.bindings.cufft (for instance a handle for
# nvmath.fft.estimate_workspace_size(..., technique="refined")) runs unchanged.
create = cufftCreate
destroy = cufftDestroy
xt_make_plan_many = cufftXtMakePlanMany
xt_get_size_many = cufftXtGetSizeMany
estimate_many = cufftEstimateMany
get_size = cufftGetSize
set_work_area = cufftSetWorkArea
set_auto_allocation = cufftSetAutoAllocation
set_stream = cufftSetStream
xt_exec = cufftXtExec
get_version = cufftGetVersion
get_property = cufftGetProperty

__all__ += [
    "create",
    "destroy",
    "xt_make_plan_many",
    "xt_get_size_many",
    "estimate_many",
    "get_size",
    "set_work_area",
    "set_auto_allocation",
    "set_stream",
    "xt_exec",
    "get_version",
    "get_property",
]
