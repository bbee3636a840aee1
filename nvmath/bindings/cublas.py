"""Thin 1:1 ``ctypes`` bindings of cuBLAS (``libcublas.so.13``; the ``nvidia-cublas`` 13.x wheel).

Only what the generic matrix multiplication (:mod:`nvmath.linalg.generic`) needs is bound: the
handle and its stream and pointer mode, and the level-3 products ``gemm``,
``gemmStridedBatched``, ``symm``, ``hemm``, ``trmm``, with the BLAS-like extensions ``dgmm``
(diagonal times general) and ``geam`` (sum of two matrices), and the level-1 ``scal``, for the
four BLAS types ``S`` (float32), ``D`` (float64), ``C`` (complex64) and ``Z`` (complex128).

Functions keep the C header's public names and argument order (``cublasSgemm``,
``cublasCreate``...); where the header maps a name to a ``_v2`` symbol (``cublasSgemm`` is
``cublasSgemm_v2``), the ``_v2`` symbol is bound. Handles, device pointers and streams are Python
ints; output parameters are returned instead of passed. ``alpha`` and ``beta`` are the addresses
of scalars of the function's type: host addresses (an int such as ``numpy_array.ctypes.data``, or
a ctypes object such as ``ctypes.c_double(2.0)``) in the default ``PointerMode.HOST``. Every status
other than ``CUBLAS_STATUS_SUCCESS`` raises :class:`cuBLASError`.

cuBLAS has no strided-batched form of ``symm``, ``hemm``, ``trmm``, ``dgmm`` or ``geam``: batches
of those are a loop of calls (see :mod:`nvmath.linalg.generic`).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the first
call. Without a GPU (or driver) the library loads, but :func:`cublasCreate` fails with
``CUBLAS_STATUS_NOT_INITIALIZED``.

Example
-------
>>> handle = cublasCreate()                                                     # doctest: +SKIP
>>> cublasSetStream(handle, stream_handle)                                       # doctest: +SKIP
>>> one, zero = ctypes.c_double(1), ctypes.c_double(0)                           # doctest: +SKIP
>>> cublasDgemm(handle, Operation.N, Operation.N, m, n, k, one, A, m, B, k, zero, C, m)  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import numbers
from ctypes import POINTER, c_char_p, c_int, c_longlong, c_void_p

from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    # errors
    "cuBLASError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    # enums
    "Status",
    "Operation",
    "FillMode",
    "DiagType",
    "SideMode",
    "PointerMode",
    "ComputeType",
    "LibraryProperty",
    # context
    "cublasCreate",
    "cublasDestroy",
    "cublasGetVersion",
    "cublasGetProperty",
    "cublasGetStatusName",
    "cublasGetStatusString",
    "cublasSetStream",
    "cublasGetStream",
    "cublasSetPointerMode",
    "cublasGetPointerMode",
    # tables
    "TYPE_LETTERS",
    "TYPED_FUNCTIONS",
    "typed_function",
    "raw_function",
    "check_status",
]

# -- enums (values from the CUDA 13 cublas_api.h and library_types.h) ------------------------


class Status(enum.IntEnum):
    """``cublasStatus_t`` (``CUBLAS_STATUS_`` prefix dropped)."""

    SUCCESS = 0
    NOT_INITIALIZED = 1
    ALLOC_FAILED = 3
    INVALID_VALUE = 7
    ARCH_MISMATCH = 8
    MAPPING_ERROR = 11
    EXECUTION_FAILED = 13
    INTERNAL_ERROR = 14
    NOT_SUPPORTED = 15
    LICENSE_ERROR = 16


class Operation(enum.IntEnum):
    """``cublasOperation_t`` (``CUBLAS_OP_`` dropped): none, transpose, conjugate transpose."""

    N = 0
    T = 1
    C = 2
    HERMITAN = 2  # synonym of C in the header
    CONJG = 3  # "placeholder - not supported in the current release"


class FillMode(enum.IntEnum):
    """``cublasFillMode_t`` (``CUBLAS_FILL_MODE_`` dropped): which triangle of a symmetric,
    Hermitian or triangular matrix holds its values (``FULL``: the whole matrix)."""

    LOWER = 0
    UPPER = 1
    FULL = 2


class DiagType(enum.IntEnum):
    """``cublasDiagType_t`` (``CUBLAS_DIAG_`` dropped): whether a triangular matrix's diagonal
    is read (``NON_UNIT``) or taken as ones (``UNIT``)."""

    NON_UNIT = 0
    UNIT = 1


class SideMode(enum.IntEnum):
    """``cublasSideMode_t`` (``CUBLAS_SIDE_`` dropped): whether the structured matrix multiplies
    from the left or from the right."""

    LEFT = 0
    RIGHT = 1


class PointerMode(enum.IntEnum):
    """``cublasPointerMode_t`` (``CUBLAS_POINTER_MODE_`` dropped): where alpha and beta are."""

    HOST = 0
    DEVICE = 1


class ComputeType(enum.IntEnum):
    """``cublasComputeType_t`` (``CUBLAS_`` prefix dropped)."""

    COMPUTE_16F = 64
    COMPUTE_16F_PEDANTIC = 65
    COMPUTE_32F = 68
    COMPUTE_32F_PEDANTIC = 69
    COMPUTE_32F_FAST_16F = 74
    COMPUTE_32F_FAST_16BF = 75
    COMPUTE_32F_FAST_TF32 = 77
    COMPUTE_32F_EMULATED_16BFX9 = 78
    COMPUTE_64F = 70
    COMPUTE_64F_PEDANTIC = 71
    COMPUTE_64F_EMULATED_FIXEDPOINT = 79
    COMPUTE_32I = 72
    COMPUTE_32I_PEDANTIC = 73


class LibraryProperty(enum.IntEnum):
    """``libraryPropertyType``, for :func:`cublasGetProperty`."""

    MAJOR_VERSION = 0
    MINOR_VERSION = 1
    PATCH_LEVEL = 2


# -- errors ----------------------------------------------------------------------------------


class cuBLASError(StatusError):
    """A cuBLAS function returned a status other than ``CUBLAS_STATUS_SUCCESS`` (``status``: a
    :class:`Status`, or a plain int if this binding does not know it)."""

    status_type = Status
    status_prefix = "CUBLAS_STATUS_"
    unknown = "unknown cublasStatus_t"

    @classmethod
    def status_name(cls, status: int) -> str:
        """``CUBLAS_STATUS_...``: from the library when it is loaded, else from :class:`Status`."""
        if _lib.loaded:
            try:
                name = cublasGetStatusName(status)
            except Exception:
                name = ""
            if name.startswith("CUBLAS_STATUS_"):
                return name
        return super().status_name(status)


_UNCHECKED = frozenset({"cublasGetStatusName", "cublasGetStatusString"})


def _check(function: str, status):
    if function in _UNCHECKED:
        return status
    if status != Status.SUCCESS:
        raise cuBLASError(function, status)
    return status


def _version_text() -> str:
    version = cublasGetProperty(LibraryProperty.MAJOR_VERSION), cublasGetProperty(LibraryProperty.MINOR_VERSION)
    return f"{version[0]}.{version[1]}.{cublasGetProperty(LibraryProperty.PATCH_LEVEL)}"


_lib = NvidiaLibrary(
    "cublas", display_name="cuBLAS", package="nvidia-cublas", extra="cu13", check=_check, version=_version_text
)

# -- argument conversion ---------------------------------------------------------------------

_CDATA = (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes.Array)
_INT_MAX = 2**31 - 1


def _pointer(value, what: str):
    """An int address (or None for NULL) for a handle, stream or device pointer argument."""
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(
            f"{what} must be an int (a handle, or an address such as cupy_array.data.ptr) or None, "
            f"got {type(value).__name__}"
        )
    return int(value)


def _scalar_pointer(value, what: str):
    """``alpha`` / ``beta``: an int address, or a ctypes object (its address)."""
    if isinstance(value, _CDATA):
        return ctypes.addressof(value)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(
            f"{what} must be the address of the scalar (an int: with the default PointerMode.HOST "
            f"a host address such as numpy_array.ctypes.data) or a ctypes object such as "
            f"ctypes.c_float(1.0), got {type(value).__name__}"
        )
    return int(value)


def _int(value, what: str) -> int:
    """A dimension, leading dimension, increment or count: an int that fits a C ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    value = int(value)
    if not -_INT_MAX - 1 <= value <= _INT_MAX:
        raise ValueError(f"{what}={value} does not fit the 32-bit int of the cuBLAS API")
    return value


def _long(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    return int(value)


# -- prototypes ------------------------------------------------------------------------------

_P, _I, _L = c_void_p, c_int, c_longlong

for _name, _restype, _argtypes in [
    ("cublasCreate_v2", c_int, [POINTER(c_void_p)]),
    ("cublasDestroy_v2", c_int, [_P]),
    ("cublasGetVersion_v2", c_int, [_P, POINTER(c_int)]),
    ("cublasGetProperty", c_int, [c_int, POINTER(c_int)]),
    ("cublasGetStatusName", c_char_p, [c_int]),
    ("cublasGetStatusString", c_char_p, [c_int]),
    ("cublasSetStream_v2", c_int, [_P, _P]),
    ("cublasGetStream_v2", c_int, [_P, POINTER(c_void_p)]),
    ("cublasSetPointerMode_v2", c_int, [_P, c_int]),
    ("cublasGetPointerMode_v2", c_int, [_P, POINTER(c_int)]),
]:
    _lib.declare(_name, _restype, _argtypes)

#: The BLAS type letters and the NumPy dtype each stands for.
TYPE_LETTERS = {"S": "float32", "D": "float64", "C": "complex64", "Z": "complex128"}

# Typed families: (family, C symbol pattern, argument names and kinds, letters, what it computes).
# Kinds: h handle, e enum, i int, l long long, s scalar pointer, p device pointer.
_FAMILIES = {
    "gemm": (
        "cublas{t}gemm_v2",
        "handle:h transa:e transb:e m:i n:i k:i alpha:s A:p lda:i B:p ldb:i beta:s C:p ldc:i",
        "SDCZ",
        "C = alpha * op(A) @ op(B) + beta * C (op(A) m x k, op(B) k x n, C m x n; column-major)",
    ),
    "gemmStridedBatched": (
        "cublas{t}gemmStridedBatched",
        "handle:h transa:e transb:e m:i n:i k:i alpha:s A:p lda:i strideA:l B:p ldb:i strideB:l "
        "beta:s C:p ldc:i strideC:l batchCount:i",
        "SDCZ",
        "batchCount gemms, the i-th on A + i * strideA, B + i * strideB, C + i * strideC (elements)",
    ),
    "symm": (
        "cublas{t}symm_v2",
        "handle:h side:e uplo:e m:i n:i alpha:s A:p lda:i B:p ldb:i beta:s C:p ldc:i",
        "SDCZ",
        "C = alpha * A @ B + beta * C (side LEFT) or alpha * B @ A + beta * C (RIGHT), A symmetric "
        "and read from its uplo triangle, B and C m x n",
    ),
    "hemm": (
        "cublas{t}hemm_v2",
        "handle:h side:e uplo:e m:i n:i alpha:s A:p lda:i B:p ldb:i beta:s C:p ldc:i",
        "CZ",
        "as symm, A Hermitian (read from its uplo triangle; the imaginary parts of its diagonal are taken as zero)",
    ),
    "trmm": (
        "cublas{t}trmm_v2",
        "handle:h side:e uplo:e trans:e diag:e m:i n:i alpha:s A:p lda:i B:p ldb:i C:p ldc:i",
        "SDCZ",
        "C = alpha * op(A) @ B (side LEFT) or alpha * B @ op(A) (RIGHT), A triangular (its uplo "
        "triangle; ones on the diagonal with diag UNIT); out of place: C may differ from B",
    ),
    "dgmm": (
        "cublas{t}dgmm",
        "handle:h mode:e m:i n:i A:p lda:i x:p incx:i C:p ldc:i",
        "SDCZ",
        "C = A @ diag(x) (mode RIGHT) or diag(x) @ A (LEFT), A and C m x n; a negative incx reads x backwards",
    ),
    "geam": (
        "cublas{t}geam",
        "handle:h transa:e transb:e m:i n:i alpha:s A:p lda:i beta:s B:p ldb:i C:p ldc:i",
        "SDCZ",
        "C = alpha * op(A) + beta * op(B), C m x n (in place with C == A: transa N and ldc == lda)",
    ),
    "scal": (
        "cublas{t}scal_v2",
        "handle:h n:i alpha:s x:p incx:i",
        "SDCZ",
        "x = alpha * x (n elements, stride incx)",
    ),
}

_CTYPES = {"h": _P, "e": _I, "i": _I, "l": _L, "s": _P, "p": _P}


def _parse(signature: str):
    return [tuple(item.split(":")) for item in signature.split()]


#: Python name (``cublasSgemm``) → (C symbol, family), for every typed function bound here.
TYPED_FUNCTIONS: dict[str, tuple[str, str]] = {}


def _make_typed(py_name: str, symbol: str, family: str, args, letter: str, what: str):
    names = [n for n, _ in args]
    kinds = [k for _, k in args]
    converters = {
        "h": _pointer,
        "p": _pointer,
        "s": _scalar_pointer,
        "e": _int,
        "i": _int,
        "l": _long,
    }

    def function(*values):
        if len(values) != len(names):
            raise TypeError(f"{py_name}() takes {len(names)} arguments ({', '.join(names)}), got {len(values)}")
        converted = [converters[k](v, n) for v, n, k in zip(values, names, kinds)]
        _lib.function(symbol)(*converted)

    function.__name__ = function.__qualname__ = py_name
    function.__signature__ = _signature(names)
    function.__doc__ = (
        f"``{symbol}`` ({TYPE_LETTERS[letter]}): {what}.\n\n"
        f"Arguments, in the C order: {', '.join(names)}. Device pointers, the handle and the stream are "
        f"ints; alpha and beta are host addresses of {TYPE_LETTERS[letter]} scalars (or ctypes objects) "
        f"in PointerMode.HOST.\n\nRaises\n------\ncuBLASError\n    For a status other than "
        f"CUBLAS_STATUS_SUCCESS."
    )
    return function


def _signature(names):
    import inspect

    return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_ONLY) for n in names])


for _family, (_pattern, _signature_text, _letters, _what) in _FAMILIES.items():
    _args = _parse(_signature_text)
    for _t in _letters:
        _symbol = _pattern.format(t=_t)
        _py_name = f"cublas{_t}{_family}"
        _lib.declare(_symbol, c_int, [_CTYPES[k] for _, k in _args])
        globals()[_py_name] = _make_typed(_py_name, _symbol, _family, _args, _t, _what)
        TYPED_FUNCTIONS[_py_name] = (_symbol, _family)
        __all__.append(_py_name)
del _family, _pattern, _signature_text, _letters, _what, _args, _t, _symbol, _py_name, _name, _restype, _argtypes


def typed_function(family: str, dtype: str):
    """The bound function of ``family`` (``"gemm"``, ``"symm"``, ...) for operands of ``dtype``
    (a NumPy name: ``"float32"``, ``"float64"``, ``"complex64"``, ``"complex128"``).

    Raises
    ------
    ValueError
        For a family or dtype cuBLAS has no such function for (``hemm`` is complex only).
    """
    letters = {v: k for k, v in TYPE_LETTERS.items()}
    if dtype not in letters:
        raise ValueError(f"dtype={dtype!r} is not supported by cuBLAS level-3; accepted: {', '.join(letters)}")
    name = f"cublas{letters[dtype]}{family}"
    if name not in TYPED_FUNCTIONS:
        families = sorted({f for _, f in TYPED_FUNCTIONS.values()})
        raise ValueError(
            f"cuBLAS has no {family!r} for {dtype}; families bound here: {', '.join(families)} (hemm: complex only)"
        )
    return globals()[name]


def raw_function(family: str, dtype: str):
    """The unchecked ctypes function behind :func:`typed_function` (for per-call hot paths: the
    caller converts the arguments and hands a non-zero status to :func:`check_status`)."""
    name = typed_function(family, dtype).__name__
    return _lib.unchecked(TYPED_FUNCTIONS[name][0])


def check_status(family: str, dtype: str, status: int) -> None:
    """Raise :class:`cuBLASError` for a non-zero ``status`` of a :func:`raw_function` call."""
    if status:
        name = typed_function(family, dtype).__name__
        _lib.check(TYPED_FUNCTIONS[name][0], status)


# -- context and library information ---------------------------------------------------------


def cublasCreate() -> int:
    """``cublasCreate_v2``: a new cuBLAS handle on the current device (needs a GPU: without one,
    ``CUBLAS_STATUS_NOT_INITIALIZED``). Its pointer mode is ``HOST`` and its stream the legacy
    default stream."""
    handle = c_void_p()
    _lib.function("cublasCreate_v2")(ctypes.byref(handle))
    return handle.value or 0


def cublasDestroy(handle: int) -> None:
    """``cublasDestroy_v2``: release a handle (it synchronizes the device)."""
    handle = _pointer(handle, "handle")
    _lib.function("cublasDestroy_v2")(handle)


def cublasGetVersion(handle: int) -> int:
    """``cublasGetVersion_v2``: the library's version, ``major * 10000 + minor * 100 + patch``."""
    handle, value = _pointer(handle, "handle"), c_int()
    _lib.function("cublasGetVersion_v2")(handle, ctypes.byref(value))
    return value.value


def cublasGetProperty(type: int) -> int:
    """``cublasGetProperty``: one part of the library's version (:class:`LibraryProperty`);
    works without a GPU."""
    type, value = _int(type, "type"), c_int()
    _lib.function("cublasGetProperty")(type, ctypes.byref(value))
    return value.value


def cublasGetStatusName(status: int) -> str:
    """``cublasGetStatusName``: ``"CUBLAS_STATUS_..."`` for a status value."""
    status = _int(status, "status")
    return (_lib.function("cublasGetStatusName")(status) or b"").decode()


def cublasGetStatusString(status: int) -> str:
    """``cublasGetStatusString``: a description of a status value."""
    status = _int(status, "status")
    return (_lib.function("cublasGetStatusString")(status) or b"").decode()


def cublasSetStream(handle: int, streamId: int) -> None:
    """``cublasSetStream_v2``: the stream the handle's later calls are queued on (0: legacy default)."""
    handle, streamId = _pointer(handle, "handle"), _pointer(streamId, "streamId")
    _lib.function("cublasSetStream_v2")(handle, streamId)


def cublasGetStream(handle: int) -> int:
    """``cublasGetStream_v2``: the handle's stream."""
    handle, value = _pointer(handle, "handle"), c_void_p()
    _lib.function("cublasGetStream_v2")(handle, ctypes.byref(value))
    return value.value or 0


def cublasSetPointerMode(handle: int, mode: int) -> None:
    """``cublasSetPointerMode_v2``: whether alpha and beta are host or device addresses
    (:class:`PointerMode`)."""
    handle, mode = _pointer(handle, "handle"), _int(mode, "mode")
    _lib.function("cublasSetPointerMode_v2")(handle, mode)


def cublasGetPointerMode(handle: int) -> PointerMode:
    """``cublasGetPointerMode_v2``: the handle's :class:`PointerMode`."""
    handle, value = _pointer(handle, "handle"), c_int()
    _lib.function("cublasGetPointerMode_v2")(handle, ctypes.byref(value))
    return PointerMode(value.value)
