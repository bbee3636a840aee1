"""Thin 1:1 ``ctypes`` bindings of cuBLAS (``libcublas.so.13``; the ``nvidia-cublas`` 13.x wheel).

The whole cuBLAS C API that nvmath-python's ``nvmath.bindings.cublas`` binds is here under the
same names: each C function in snake_case (``cublasSgemm`` is :func:`sgemm`, ``cublasSgemm_64``
:func:`sgemm_64`, ``cublasGemmStridedBatchedEx`` :func:`gemm_strided_batched_ex`), taking the C
arguments in C order. Handles, streams and addresses (device memory, host memory, scalars) are
Python ints; the getters (:func:`create`, :func:`get_version`, :func:`get_stream`, ...) return
what C writes to their last argument. Every status other than ``CUBLAS_STATUS_SUCCESS`` raises
:class:`cuBLASError`; :func:`check_status` does the same for a status in hand.

One engine builds those functions from ``_cublas_prototypes.py``, a table generated from the
CUDA 13 headers by ``tools/gen_cublas_prototypes.py``: each argument's kind there decides how it
is checked (a clear ``TypeError`` or ``ValueError`` naming the argument, before anything is
loaded) and how it is passed. A function the loaded library lacks raises
:class:`FunctionNotFoundError` when called.

The names this module had before stay, as the same objects: the C names of the level-3 subset
that :mod:`nvmath.linalg.generic` uses (``cublasSgemm``, ``cublasCreate``...), with
:func:`typed_function` to pick one by family and dtype. ``alpha``, ``beta`` and the other
scalar addresses also take a ctypes object such as ``ctypes.c_double(2.0)`` (its address).

cuBLAS has no strided-batched form of ``symm``, ``hemm``, ``trmm``, ``dgmm`` or ``geam``: batches
of those are a loop of calls (see :mod:`nvmath.linalg.generic`).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the first
call. Without a GPU (or driver) the library loads, but :func:`create` fails with
``CUBLAS_STATUS_NOT_INITIALIZED``.

Example
-------
>>> handle = create()                                                           # doctest: +SKIP
>>> set_stream(handle, stream_handle)                                            # doctest: +SKIP
>>> one, zero = np.ones(1), np.zeros(1)                                          # doctest: +SKIP
>>> dgemm(handle, Operation.N, Operation.N, m, n, k, one.ctypes.data, a, m, b, k,
...       zero.ctypes.data, c, m)                                                # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import inspect
import numbers
import os
from ctypes import c_char_p, c_int, c_longlong, c_size_t, c_void_p

from . import _cublas_prototypes
from ._args import c_range, shown
from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    # errors
    "cuBLASError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    "check_status",
    # enums
    "Status",
    "Operation",
    "FillMode",
    "DiagType",
    "SideMode",
    "PointerMode",
    "AtomicsMode",
    "GemmAlgo",
    "Math",
    "ComputeType",
    "EmulationStrategy",
    "LibraryProperty",
    # our C-named context functions
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
    # our tables of the level-3 subset
    "TYPE_LETTERS",
    "TYPED_FUNCTIONS",
    "typed_function",
    "raw_function",
    "check_typed_status",
]  # + nvmath-python's functions, added where they are built

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
    """``cublasPointerMode_t`` (``CUBLAS_POINTER_MODE_`` dropped): where alpha, beta and results are."""

    HOST = 0
    DEVICE = 1


class AtomicsMode(enum.IntEnum):
    """``cublasAtomicsMode_t`` (``CUBLAS_ATOMICS_`` dropped): whether routines that have a faster
    form using atomics (symv, hemv...) may use it, at the price of run-to-run reproducibility."""

    NOT_ALLOWED = 0
    ALLOWED = 1


class GemmAlgo(enum.IntEnum):
    """``cublasGemmAlgo_t`` (``CUBLAS_GEMM_`` dropped): the ``algo`` of :func:`gemm_ex` and its
    batched forms. Since CUDA 11 only ``DEFAULT`` (or ``AUTOTUNE``) matters; the numbered
    algorithms are accepted and ignored."""

    DFALT = -1
    DEFAULT = -1
    ALGO0 = 0
    ALGO1 = 1
    ALGO2 = 2
    ALGO3 = 3
    ALGO4 = 4
    ALGO5 = 5
    ALGO6 = 6
    ALGO7 = 7
    ALGO8 = 8
    ALGO9 = 9
    ALGO10 = 10
    ALGO11 = 11
    ALGO12 = 12
    ALGO13 = 13
    ALGO14 = 14
    ALGO15 = 15
    ALGO16 = 16
    ALGO17 = 17
    ALGO18 = 18
    ALGO19 = 19
    ALGO20 = 20
    ALGO21 = 21
    ALGO22 = 22
    ALGO23 = 23
    DEFAULT_TENSOR_OP = 99
    DFALT_TENSOR_OP = 99
    ALGO0_TENSOR_OP = 100
    ALGO1_TENSOR_OP = 101
    ALGO2_TENSOR_OP = 102
    ALGO3_TENSOR_OP = 103
    ALGO4_TENSOR_OP = 104
    ALGO5_TENSOR_OP = 105
    ALGO6_TENSOR_OP = 106
    ALGO7_TENSOR_OP = 107
    ALGO8_TENSOR_OP = 108
    ALGO9_TENSOR_OP = 109
    ALGO10_TENSOR_OP = 110
    ALGO11_TENSOR_OP = 111
    ALGO12_TENSOR_OP = 112
    ALGO13_TENSOR_OP = 113
    ALGO14_TENSOR_OP = 114
    ALGO15_TENSOR_OP = 115
    AUTOTUNE = 999  # try the candidates on the first call; the choice is kept in the handle


class Math(enum.IntEnum):
    """``cublasMath_t`` (``CUBLAS_`` dropped, and ``CUBLAS_MATH_`` from the last): the handle's
    math mode, :func:`set_math_mode`. ``DISALLOW_REDUCED_PRECISION_REDUCTION`` is a flag to
    OR with one of the others."""

    DEFAULT_MATH = 0
    TENSOR_OP_MATH = 1  # deprecated by cuBLAS
    PEDANTIC_MATH = 2
    TF32_TENSOR_OP_MATH = 3
    FP32_EMULATED_BF16X9_MATH = 4
    FP64_EMULATED_FIXEDPOINT_MATH = 8
    DISALLOW_REDUCED_PRECISION_REDUCTION = 16


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


class EmulationStrategy(enum.IntEnum):
    """``cublasEmulationStrategy_t`` (``CUBLAS_EMULATION_STRATEGY_`` dropped): when the emulated
    algorithms of :class:`Math` and :class:`ComputeType` are used (``DEFAULT``: as the
    ``CUBLAS_EMULATION_STRATEGY`` environment variable says, else ``PERFORMANT``)."""

    DEFAULT = 0
    PERFORMANT = 1  # where emulation is faster
    EAGER = 2  # wherever it is possible


class LibraryProperty(enum.IntEnum):
    """``libraryPropertyType``, for :func:`get_property`."""

    MAJOR_VERSION = 0
    MINOR_VERSION = 1
    PATCH_LEVEL = 2


# -- errors ----------------------------------------------------------------------------------


class cuBLASError(StatusError):
    """A cuBLAS status other than ``CUBLAS_STATUS_SUCCESS``.

    Made as nvmath-python makes it, ``cuBLASError(status)``, or with the C function's name,
    ``cuBLASError(function, status)``, as this module raises it.

    Attributes
    ----------
    status : Status or int
        The status (a plain int if this binding does not know it).
    function : str or None
        The C function that returned it, where known.
    """

    status_type = Status
    status_prefix = "CUBLAS_STATUS_"
    unknown = "unknown cublasStatus_t"

    def __init__(self, *args):
        if len(args) == 1:
            function, status = None, args[0]
        elif len(args) == 2:
            function, status = args
        else:
            raise TypeError(f"cuBLASError takes (status) or (function, status), got {len(args)} arguments")
        super().__init__(function or "cuBLAS", status)
        self.function = function
        if function is None:
            self.args = (f"{self.status_name(int(status))} ({int(status)})",)

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


def check_status(status: int) -> None:
    """Raise :class:`cuBLASError` if ``status`` (a ``cublasStatus_t``) is not
    ``CUBLAS_STATUS_SUCCESS``.

    Raises
    ------
    TypeError
        ``status`` is not an int.
    """
    try:
        status = _convert_int(status, "status")
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"check_status(): {exc}") from None
    if status != Status.SUCCESS:
        raise cuBLASError(status)


def _check(function: str, status):
    if function in _UNCHECKED:
        return status
    if status != Status.SUCCESS:
        raise cuBLASError(function, status)
    return status


def _version_text() -> str:
    parts = (LibraryProperty.MAJOR_VERSION, LibraryProperty.MINOR_VERSION, LibraryProperty.PATCH_LEVEL)
    return ".".join(str(cublasGetProperty(part)) for part in parts)


_lib = NvidiaLibrary(
    "cublas", display_name="cuBLAS", package="nvidia-cublas", extra="cu13", check=_check, version=_version_text
)

# -- argument kinds ----------------------------------------------------------------------------
#
# Each kind code of the table (see _cublas_prototypes) has a ctypes type and a converter
# ``convert(value, name) -> C value`` that raises TypeError or ValueError naming the argument,
# its value and what it takes. Range checks matter: ctypes would silently wrap an int too large
# for a C int.

_INT32 = c_range(c_int)
_INT64 = c_range(c_longlong)
_SIZE_T = c_range(c_size_t)
_ADDRESS = (-(2**63), 2**64 - 1)  # intptr_t, or an unsigned address
_CDATA = (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes.Array)
_POINTER_CODES = frozenset("PzZ")  # c_void_p, c_char_p, c_wchar_p: their value is an address


def _refuse(name: str, value, accepted: str, error=TypeError):
    return error(f"{name}={shown(value)} ({type(value).__name__}) is not accepted; {name} takes {accepted}")


def _integer(value, name: str, bounds, accepted: str) -> int:
    if type(value) is not int:  # the common case skips the slower ABC check
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise _refuse(name, value, accepted)
        value = int(value)
    if not bounds[0] <= value <= bounds[1]:
        raise _refuse(name, value, accepted, ValueError)
    return value


_ACCEPT_INT = "an int that fits a 32-bit C int (-2**31 to 2**31 - 1)"
_ACCEPT_ENUM = "an int that fits a 32-bit C int: an enum member (Operation.N, ...) or its value"
_ACCEPT_INT64 = "an int that fits a 64-bit C int64_t"
_ACCEPT_SIZE = "an int from 0 to 2**64 - 1 (size_t)"
_ACCEPT_HANDLE = "an int: a cuBLAS handle from create()"
_ACCEPT_STREAM = "an int: a cudaStream_t such as cupy_stream.ptr (0: the legacy default stream)"
_ACCEPT_DEVICE = "an int: a device address such as cupy_array.data.ptr (0 or None: NULL)"
_ACCEPT_HOST = "an int host address such as numpy_array.ctypes.data, or a ctypes object (0 or None: NULL)"
_ACCEPT_SCALAR = (
    "the address of the value as an int (host memory such as numpy_array.ctypes.data in "
    "PointerMode.HOST, device memory in PointerMode.DEVICE), or a ctypes object such as ctypes.c_float(1.0)"
)


def _convert_int(value, name: str) -> int:
    return _integer(value, name, _INT32, _ACCEPT_INT)


def _convert_enum(value, name: str) -> int:
    return _integer(value, name, _INT32, _ACCEPT_ENUM)


def _convert_int64(value, name: str) -> int:
    return _integer(value, name, _INT64, _ACCEPT_INT64)


def _convert_size(value, name: str) -> int:
    return _integer(value, name, _SIZE_T, _ACCEPT_SIZE)


def _address(value, name: str, accepted: str):
    """An int address for ctypes' ``void*`` (None stays NULL)."""
    if value is None:
        return None
    return _integer(value, name, _ADDRESS, accepted) & _SIZE_T[1] or None


def _convert_handle(value, name: str):
    return _address(value, name, _ACCEPT_HANDLE)


def _convert_stream(value, name: str):
    return _address(value, name, _ACCEPT_STREAM)


def _convert_device(value, name: str):
    return _address(value, name, _ACCEPT_DEVICE)


def _ctypes_address(value, name: str, accepted: str):
    """The address of a ctypes object, refusing those whose value is itself an address (a
    ``c_void_p`` or a ctypes pointer: pass its ``.value``), which would be taken by mistake."""
    if isinstance(value, ctypes._Pointer) or getattr(type(value), "_type_", None) in _POINTER_CODES:
        raise TypeError(
            f"{name}={shown(value)} is a pointer object; pass the address it holds as an int "
            f"(ctypes.cast(p, ctypes.c_void_p).value); {name} takes {accepted}"
        )
    return ctypes.addressof(value)


def _convert_scalar(value, name: str):
    if isinstance(value, _CDATA):
        return _ctypes_address(value, name, _ACCEPT_SCALAR)
    return _address(value, name, _ACCEPT_SCALAR)


def _convert_host(value, name: str):
    if isinstance(value, _CDATA):
        return _ctypes_address(value, name, _ACCEPT_HOST)
    return _address(value, name, _ACCEPT_HOST)


def _convert_text(value, name: str):
    if value is None:
        return None
    if isinstance(value, (str, bytes, os.PathLike)):
        return os.fsencode(value)
    raise _refuse(name, value, "a str (a file name), bytes, a path or None")


def _array_converter(ctype, what: str, bounds=None):
    """A converter for a host array argument (``const int m_array[]``...): an int address, or a
    sequence (list, tuple, NumPy array) copied into a C array for the call."""
    accepted = f"a sequence of {what}, or the int address of such an array in host memory"

    def convert(value, name: str):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return _address(value, name, accepted)
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not hasattr(value, "__iter__"):
            raise _refuse(name, value, accepted)
        items = list(value)
        for i, item in enumerate(items):
            if bounds is not None:
                items[i] = _integer(item, f"{name}[{i}]", bounds, what)
            elif isinstance(item, bool) or not isinstance(item, numbers.Real):
                raise _refuse(f"{name}[{i}]", item, what)
        return (ctype * len(items))(*items)

    return convert


#: Kind code -> (ctypes type of the parameter, converter).
_KINDS = {
    "h": (c_void_p, _convert_handle),
    "t": (c_void_p, _convert_stream),
    "e": (c_int, _convert_enum),
    "i": (c_int, _convert_int),
    "l": (c_longlong, _convert_int64),
    "z": (c_size_t, _convert_size),
    "p": (c_void_p, _convert_device),
    "m": (c_void_p, _convert_host),
    "s": (c_void_p, _convert_scalar),
    "c": (c_char_p, _convert_text),
    "I": (c_void_p, _array_converter(c_int, "32-bit ints", _INT32)),
    "E": (c_void_p, _array_converter(c_int, "Operation values (32-bit ints)", _INT32)),
    "L": (c_void_p, _array_converter(c_longlong, "64-bit ints", _INT64)),
    "F": (c_void_p, _array_converter(ctypes.c_float, "real numbers (float32)")),
    "D": (c_void_p, _array_converter(ctypes.c_double, "real numbers (float64)")),
}
#: Outputs the Python function returns: the C type written, and how its value is returned.
_OUTPUTS = {">i": (c_int, lambda out: out.value), ">p": (c_void_p, lambda out: out.value or 0)}
#: C return types other than cublasStatus_t.
_RESULTS = {
    "": (c_int, lambda value: None),
    "str": (c_char_p, lambda value: (value or b"").decode()),
    "size_t": (c_size_t, int),
}
_ARRAYS = frozenset("IELFD")

# -- the engine: one Python function per row of the table ------------------------------------


def _parse_row(row: str):
    """``(python name, symbol, result, [(argument, kind), ...])`` of a table row."""
    head, _, arguments = row.partition(":")
    python_name, symbol, *result = head.split()
    return python_name, symbol, result[-1] if result else "", [tuple(a.split(":")) for a in arguments.split()]


def _public_name(symbol: str) -> str:
    """The name C code calls ``symbol`` by (``cublasSgemm_v2`` -> ``cublasSgemm``)."""
    return symbol.replace("_v2", "")


def _bind_arguments(python_name: str, names: tuple, args: tuple, kwargs: dict) -> tuple:
    """``args`` and ``kwargs`` as the positional values of ``names``."""
    count = len(names)
    usage = f"{python_name}() takes {count} argument{'s' * (count != 1)} ({', '.join(names)})"
    if len(args) > count:
        raise TypeError(f"{usage}, got {len(args) + len(kwargs)}")
    values = list(args)
    for name in names[len(args) :]:
        if name not in kwargs:
            raise TypeError(f"{usage}, got {len(args) + len(kwargs)}: {name} is missing")
        values.append(kwargs.pop(name))
    if kwargs:
        extra = next(iter(kwargs))
        problem = "given twice" if extra in names else "not one of them"
        raise TypeError(f"{usage}; {extra} is {problem}")
    return tuple(values)


_DOC_GROUPS = (
    ("p", "Device memory: "),
    ("s", "Scalars in host or device memory, as the handle's pointer mode says: "),
    ("m", "Host memory: "),
    ("array", "Host arrays (a sequence, or an int address): "),
)
_DOC_RETURNS = {
    "": "Returns None.",
    "str": "Returns the C string as a str.",
    "size_t": "Returns the C function's result, an int.",
}
_DOC_RAISES = (
    "FunctionNotFoundError where the loaded cuBLAS lacks the function, and TypeError or\n"
    "ValueError, naming the argument, for a value its C type cannot take."
)


def _docstring(symbol: str, result: str, arguments) -> str:
    """One paragraph: the C function, where its pointers point, what it returns and raises
    (a sentence a line: no wrapping to pay for at import)."""
    public = _public_name(symbol)
    exported = "" if public == symbol else f" (exported as ``{symbol}``)"
    lines = [f"Call cuBLAS's ``{public}``{exported}, with its arguments in C order."]
    by_kind: dict[str, list[str]] = {}
    for name, kind in arguments:
        by_kind.setdefault("array" if kind in _ARRAYS else kind, []).append(name)
    lines += [f"{title}{', '.join(by_kind[kind])}." for kind, title in _DOC_GROUPS if kind in by_kind]
    if by_kind.keys() & set("htpsm"):
        lines.append("Handles, streams and addresses are ints.")
    output = next((name for name, kind in arguments if kind in _OUTPUTS), None)
    lines.append(f"Returns ``{output}``, which C writes to its last argument." if output else _DOC_RETURNS[result])
    status = "" if result else "cuBLASError for a status other than CUBLAS_STATUS_SUCCESS,\n"
    lines.append(f"Raises {status}{_DOC_RAISES}")
    return "\n".join(lines)


#: Parameters by name, shared by the signatures (they are immutable; ~150 names for ~5000 uses).
_PARAMETERS: dict[str, inspect.Parameter] = {}


def _signature(names) -> inspect.Signature:
    parameters = []
    for name in names:
        parameter = _PARAMETERS.get(name)
        if parameter is None:
            parameter = _PARAMETERS[name] = inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        parameters.append(parameter)
    return inspect.Signature(parameters)


def _make_function(python_name: str, symbol: str, result: str, arguments):
    """The Python function of one table row: it converts and checks every argument, then calls
    the C function (resolved by ``_lib`` on the first call)."""
    inputs = [(name, *_KINDS[kind]) for name, kind in arguments if kind not in _OUTPUTS]
    names = tuple(name for name, _, _ in inputs)
    converters = tuple(convert for _, _, convert in inputs)
    count = len(names)
    output = next((_OUTPUTS[kind] for _, kind in arguments if kind in _OUTPUTS), None)
    restype, finish = _RESULTS[result]
    groups = names.index("group_count") if any(k in _ARRAYS for _, k in arguments) else None
    argtypes = [ctype for _, ctype, _ in inputs] + ([c_void_p] if output else [])
    _lib.declare(symbol, restype, argtypes)

    def function(*args, **kwargs):
        if kwargs or len(args) != count:
            args = _bind_arguments(python_name, names, args, kwargs)
        try:
            values = [convert(value, name) for convert, value, name in zip(converters, args, names)]
            if groups is not None:
                _check_groups(values, names, groups)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{python_name}(): {exc}") from None
        if output is None:
            return finish(_lib.function(symbol)(*values))
        out = output[0]()
        _lib.function(symbol)(*values, ctypes.addressof(out))
        return output[1](out)

    function.__name__ = function.__qualname__ = python_name
    function.__module__ = __name__
    function.__doc__ = _docstring(symbol, result, arguments)
    function.__signature__ = _signature(names)
    return function


def _check_groups(values: list, names: tuple, groups: int) -> None:
    """For the grouped-batched gemms: each host array given as a sequence has one element per group."""
    group_count = values[groups]
    for value, name in zip(values, names):
        if isinstance(value, ctypes.Array) and len(value) < group_count:
            count = len(value)
            raise ValueError(
                f"{name} has {count} element{'s' * (count != 1)}; group_count={group_count} needs one per group"
            )


# The functions are built on first use (module __getattr__): building all ~500 at import, with
# their docstrings and signatures, took about 14 ms here, for functions most programs never
# call. The 39 that our own names need are built at import. dir() and __all__ list them all.

#: nvmath-python's name -> its table row, and exported symbol -> that name.
_ROWS: dict[str, str] = {row[: row.index(" ")]: row for row in _cublas_prototypes.FUNCTIONS}
_BY_SYMBOL: dict[str, str] = {row.split(" ", 2)[1].rstrip(":"): name for name, row in _ROWS.items()}
#: Symbols whose result is not a cublasStatus_t (no status check).
_UNCHECKED = frozenset(row.split(" ", 2)[1] for row in _ROWS.values() if " -> " in row[: row.index(":")])
__all__ += _ROWS


def _function(name: str):
    """nvmath-python's function ``name``, built on first use (the same object afterwards)."""
    function = globals().get(name)
    if function is None:
        function = globals().setdefault(name, _make_function(*_parse_row(_ROWS[name])))
    return function


def __getattr__(name: str):
    if name in _ROWS:
        return _function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ROWS))


# -- our names: the C names of the context functions and of the level-3 subset ----------------

cublasCreate = _function("create")
cublasDestroy = _function("destroy")
cublasGetVersion = _function("get_version")
cublasGetProperty = _function("get_property")
cublasGetStatusName = _function("get_status_name")
cublasGetStatusString = _function("get_status_string")
cublasSetStream = _function("set_stream")
cublasGetStream = _function("get_stream")
cublasSetPointerMode = _function("set_pointer_mode")


def cublasGetPointerMode(handle: int) -> PointerMode:
    """``get_pointer_mode`` as a :class:`PointerMode`."""
    return PointerMode(_function("get_pointer_mode")(handle))


#: The BLAS type letters and the NumPy dtype each stands for.
TYPE_LETTERS = {"S": "float32", "D": "float64", "C": "complex64", "Z": "complex128"}

# Typed families: (C symbol pattern, letters, what it computes).
_FAMILIES = {
    "gemm": (
        "cublas{t}gemm_v2",
        "SDCZ",
        "C = alpha * op(A) @ op(B) + beta * C (op(A) m x k, op(B) k x n, C m x n; column-major)",
    ),
    "gemmStridedBatched": (
        "cublas{t}gemmStridedBatched",
        "SDCZ",
        "batch_count gemms, the i-th on A + i * stride_a, B + i * stride_b, C + i * stride_c (elements)",
    ),
    "symm": (
        "cublas{t}symm_v2",
        "SDCZ",
        "C = alpha * A @ B + beta * C (side LEFT) or alpha * B @ A + beta * C (RIGHT), A symmetric "
        "and read from its uplo triangle, B and C m x n",
    ),
    "hemm": (
        "cublas{t}hemm_v2",
        "CZ",
        "as symm, A Hermitian (read from its uplo triangle; the imaginary parts of its diagonal are taken as zero)",
    ),
    "trmm": (
        "cublas{t}trmm_v2",
        "SDCZ",
        "C = alpha * op(A) @ B (side LEFT) or alpha * B @ op(A) (RIGHT), A triangular (its uplo "
        "triangle; ones on the diagonal with diag UNIT); out of place: C may differ from B",
    ),
    "dgmm": (
        "cublas{t}dgmm",
        "SDCZ",
        "C = A @ diag(x) (mode RIGHT) or diag(x) @ A (LEFT), A and C m x n; a negative incx reads x backwards",
    ),
    "geam": (
        "cublas{t}geam",
        "SDCZ",
        "C = alpha * op(A) + beta * op(B), C m x n (in place with C == A: transa N and ldc == lda)",
    ),
    "scal": ("cublas{t}scal_v2", "SDCZ", "x = alpha * x (n elements, stride incx)"),
}

#: Our C name (``cublasSgemm``) -> (C symbol, family), for the level-3 subset; each is the same
#: object as nvmath-python's name (``cublas.cublasSgemm is cublas.sgemm``).
TYPED_FUNCTIONS: dict[str, tuple[str, str]] = {}
for _family, (_pattern, _letters, _what) in _FAMILIES.items():
    for _t in _letters:
        _symbol = _pattern.format(t=_t)
        _typed = _function(_BY_SYMBOL[_symbol])
        _typed.__doc__ += f"\n\n{_what}."
        globals()[f"cublas{_t}{_family}"] = _typed
        TYPED_FUNCTIONS[f"cublas{_t}{_family}"] = (_symbol, _family)
        __all__.append(f"cublas{_t}{_family}")
del _family, _pattern, _letters, _what, _t, _symbol, _typed


def typed_function(family: str, dtype: str):
    """The bound function of ``family`` (``"gemm"``, ``"symm"``, ...) for operands of ``dtype``
    (a NumPy name: ``"float32"``, ``"float64"``, ``"complex64"``, ``"complex128"``).

    Raises
    ------
    ValueError
        For a family or dtype cuBLAS has no such function for (``hemm`` is complex only).
    """
    return globals()[_typed_name(family, dtype)]


def _typed_name(family: str, dtype: str) -> str:
    """Our C name (``cublasDgemm``) of ``family`` for ``dtype``; ValueError if there is none."""
    letters = {v: k for k, v in TYPE_LETTERS.items()}
    if dtype not in letters:
        raise ValueError(f"dtype={dtype!r} is not supported by cuBLAS level-3; accepted: {', '.join(letters)}")
    name = f"cublas{letters[dtype]}{family}"
    if name not in TYPED_FUNCTIONS:
        families = sorted({f for _, f in TYPED_FUNCTIONS.values()})
        raise ValueError(
            f"cuBLAS has no {family!r} for {dtype}; families bound here: {', '.join(families)} (hemm: complex only)"
        )
    return name


def raw_function(family: str, dtype: str):
    """The unchecked ctypes function behind :func:`typed_function` (for per-call hot paths: the
    caller converts the arguments and hands a non-zero status to :func:`check_typed_status`)."""
    return _lib.unchecked(TYPED_FUNCTIONS[_typed_name(family, dtype)][0])


def check_typed_status(family: str, dtype: str, status: int) -> None:
    """Raise :class:`cuBLASError`, naming the C function, for a non-zero ``status`` of a
    :func:`raw_function` call (nvmath-python's :func:`check_status` takes the status alone)."""
    if status:
        _lib.check(TYPED_FUNCTIONS[_typed_name(family, dtype)][0], status)
