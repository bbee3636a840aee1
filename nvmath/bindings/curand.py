"""Thin 1:1 ``ctypes`` bindings of cuRAND's host API (``libcurand``; the ``nvidia-curand`` wheel).

Functions keep their C names and argument order; handles and device or host pointers are Python
ints; output parameters are returned instead of passed. Every status other than
``CURAND_STATUS_SUCCESS`` raises :class:`cuRANDError`.

Beside them, nvmath-python's helpers for the Sobol' device generators:
:func:`get_direction_vectors32`, :func:`get_direction_vectors64`,
:func:`get_scramble_constants32`, :func:`get_scramble_constants64` return read-only NumPy views
of cuRAND's tables (``(n, 32)``/``(n, 64)`` direction vectors, ``(n,)`` scramble constants for
``n`` dimensions).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the
first call.

Example
-------
>>> g = curandCreateGeneratorHost(RngType.PSEUDO_PHILOX4_32_10)  # doctest: +SKIP
>>> curandSetPseudoRandomGeneratorSeed(g, 1234)                   # doctest: +SKIP
>>> out = numpy.empty(16, numpy.uint32)                           # doctest: +SKIP
>>> curandGenerate(g, out.ctypes.data, out.size)                  # doctest: +SKIP
>>> curandDestroyGenerator(g)                                     # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import operator
from ctypes import POINTER, c_double, c_float, c_int, c_size_t, c_uint, c_ulonglong, c_void_p

from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    "cuRANDError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    "Status",
    "RngType",
    "Ordering",
    "DirectionVectorSet",
    "curandCreateGenerator",
    "curandCreateGeneratorHost",
    "curandDestroyGenerator",
    "curandGetVersion",
    "curandSetStream",
    "curandSetPseudoRandomGeneratorSeed",
    "curandSetGeneratorOffset",
    "curandSetGeneratorOrdering",
    "curandSetQuasiRandomGeneratorDimensions",
    "curandGenerate",
    "curandGenerateLongLong",
    "curandGenerateUniform",
    "curandGenerateUniformDouble",
    "curandGenerateNormal",
    "curandGenerateNormalDouble",
    "curandGetDirectionVectors32",
    "curandGetDirectionVectors64",
    "curandGetScrambleConstants32",
    "curandGetScrambleConstants64",
    "get_direction_vectors32",
    "get_direction_vectors64",
    "get_scramble_constants32",
    "get_scramble_constants64",
]


class Status(enum.IntEnum):
    """``curandStatus_t`` (``CURAND_STATUS_`` dropped)."""

    SUCCESS = 0
    VERSION_MISMATCH = 100
    NOT_INITIALIZED = 101
    ALLOCATION_FAILED = 102
    TYPE_ERROR = 103
    OUT_OF_RANGE = 104
    LENGTH_NOT_MULTIPLE = 105
    DOUBLE_PRECISION_REQUIRED = 106
    LAUNCH_FAILURE = 201
    PREEXISTING_FAILURE = 202
    INITIALIZATION_FAILED = 203
    ARCH_MISMATCH = 204
    INTERNAL_ERROR = 999


class RngType(enum.IntEnum):
    """``curandRngType_t`` (``CURAND_RNG_`` dropped)."""

    TEST = 0
    PSEUDO_DEFAULT = 100
    PSEUDO_XORWOW = 101
    PSEUDO_MRG32K3A = 121
    PSEUDO_MTGP32 = 141
    PSEUDO_MT19937 = 142
    PSEUDO_PHILOX4_32_10 = 161
    QUASI_DEFAULT = 200
    QUASI_SOBOL32 = 201
    QUASI_SCRAMBLED_SOBOL32 = 202
    QUASI_SOBOL64 = 203
    QUASI_SCRAMBLED_SOBOL64 = 204


class Ordering(enum.IntEnum):
    """``curandOrdering_t`` (``CURAND_ORDERING_`` dropped)."""

    PSEUDO_BEST = 100
    PSEUDO_DEFAULT = 101
    PSEUDO_SEEDED = 102
    PSEUDO_LEGACY = 103
    PSEUDO_DYNAMIC = 104
    QUASI_DEFAULT = 201


class DirectionVectorSet(enum.IntEnum):
    """``curandDirectionVectorSet_t`` (``CURAND_`` dropped): Joe and Kuo's direction numbers
    for 21201 dimensions (as cuRAND ships them), plain or for scrambled Sobol'."""

    DIRECTION_VECTORS_32_JOEKUO6 = 101
    SCRAMBLED_DIRECTION_VECTORS_32_JOEKUO6 = 102
    DIRECTION_VECTORS_64_JOEKUO6 = 103
    SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6 = 104


class cuRANDError(StatusError):
    """A cuRAND function returned a status other than ``CURAND_STATUS_SUCCESS`` (``status``: a
    :class:`Status`, or a plain int if this binding does not know it)."""

    status_type = Status
    status_prefix = "CURAND_STATUS_"
    unknown = "unknown curandStatus_t"


def _check(function: str, status: int) -> int:
    if status != Status.SUCCESS:
        raise cuRANDError(function, status)
    return status


def _version_text() -> str:
    v = curandGetVersion()  # major * 1000 + minor * 100 + patch
    return f"{v // 1000}.{v % 1000 // 100}.{v % 100}"


_lib = NvidiaLibrary(
    "curand", display_name="cuRAND", package="nvidia-curand", extra="cu13", check=_check, version=_version_text
)

_P = c_void_p
for _name, _argtypes in {
    "curandCreateGenerator": [POINTER(_P), c_int],
    "curandCreateGeneratorHost": [POINTER(_P), c_int],
    "curandDestroyGenerator": [_P],
    "curandGetVersion": [POINTER(c_int)],
    "curandSetStream": [_P, _P],
    "curandSetPseudoRandomGeneratorSeed": [_P, c_ulonglong],
    "curandSetGeneratorOffset": [_P, c_ulonglong],
    "curandSetGeneratorOrdering": [_P, c_int],
    "curandSetQuasiRandomGeneratorDimensions": [_P, c_uint],
    "curandGenerate": [_P, _P, c_size_t],
    "curandGenerateLongLong": [_P, _P, c_size_t],
    "curandGenerateUniform": [_P, _P, c_size_t],
    "curandGenerateUniformDouble": [_P, _P, c_size_t],
    "curandGenerateNormal": [_P, _P, c_size_t, c_float, c_float],
    "curandGenerateNormalDouble": [_P, _P, c_size_t, c_double, c_double],
    "curandGetDirectionVectors32": [POINTER(_P), c_int],
    "curandGetDirectionVectors64": [POINTER(_P), c_int],
    "curandGetScrambleConstants32": [POINTER(_P)],
    "curandGetScrambleConstants64": [POINTER(_P)],
}.items():
    _lib.declare(_name, c_int, _argtypes)


def _address(value, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an int address, got {type(value).__name__}") from None


def _handle_out(c_name: str, *args) -> int:
    handle = _P()
    _lib.function(c_name)(ctypes.byref(handle), *args)
    return handle.value or 0


def curandCreateGenerator(rng_type: int) -> int:
    """``curandCreateGenerator``: a generator writing device memory; returns its handle."""
    return _handle_out("curandCreateGenerator", int(rng_type))


def curandCreateGeneratorHost(rng_type: int) -> int:
    """``curandCreateGeneratorHost``: a generator writing host memory; returns its handle."""
    return _handle_out("curandCreateGeneratorHost", int(rng_type))


def curandDestroyGenerator(generator: int) -> None:
    """``curandDestroyGenerator``."""
    _lib.function("curandDestroyGenerator")(_address(generator, "generator"))


def curandGetVersion() -> int:
    """``curandGetVersion``: major * 1000 + minor * 100 + patch."""
    v = c_int()
    _lib.function("curandGetVersion")(ctypes.byref(v))
    return v.value


def curandSetStream(generator: int, stream: int) -> None:
    """``curandSetStream``."""
    _lib.function("curandSetStream")(_address(generator, "generator"), _address(stream, "stream"))


def curandSetPseudoRandomGeneratorSeed(generator: int, seed: int) -> None:
    """``curandSetPseudoRandomGeneratorSeed``."""
    _lib.function("curandSetPseudoRandomGeneratorSeed")(_address(generator, "generator"), seed)


def curandSetGeneratorOffset(generator: int, offset: int) -> None:
    """``curandSetGeneratorOffset``."""
    _lib.function("curandSetGeneratorOffset")(_address(generator, "generator"), offset)


def curandSetGeneratorOrdering(generator: int, order: int) -> None:
    """``curandSetGeneratorOrdering``."""
    _lib.function("curandSetGeneratorOrdering")(_address(generator, "generator"), int(order))


def curandSetQuasiRandomGeneratorDimensions(generator: int, num_dimensions: int) -> None:
    """``curandSetQuasiRandomGeneratorDimensions``."""
    _lib.function("curandSetQuasiRandomGeneratorDimensions")(_address(generator, "generator"), num_dimensions)


def _generate(c_name: str, generator, output_ptr, num, *params) -> None:
    _lib.function(c_name)(_address(generator, "generator"), _address(output_ptr, "output_ptr"), num, *params)


def curandGenerate(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerate``: ``num`` 32-bit values at ``output_ptr``."""
    _generate("curandGenerate", generator, output_ptr, num)


def curandGenerateLongLong(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateLongLong``: ``num`` 64-bit values (64-bit Sobol' generators)."""
    _generate("curandGenerateLongLong", generator, output_ptr, num)


def curandGenerateUniform(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateUniform``: ``num`` float32 in (0, 1]."""
    _generate("curandGenerateUniform", generator, output_ptr, num)


def curandGenerateUniformDouble(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateUniformDouble``: ``num`` float64 in (0, 1]."""
    _generate("curandGenerateUniformDouble", generator, output_ptr, num)


def curandGenerateNormal(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateNormal``."""
    _generate("curandGenerateNormal", generator, output_ptr, n, mean, stddev)


def curandGenerateNormalDouble(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateNormalDouble``."""
    _generate("curandGenerateNormalDouble", generator, output_ptr, n, mean, stddev)


def _table_out(c_name: str, *args) -> int:
    pointer = _P()
    _lib.function(c_name)(ctypes.byref(pointer), *args)
    return pointer.value or 0


def curandGetDirectionVectors32(set_: int) -> int:
    """``curandGetDirectionVectors32``: the host address of the set's 32-bit table."""
    return _table_out("curandGetDirectionVectors32", int(set_))


def curandGetDirectionVectors64(set_: int) -> int:
    """``curandGetDirectionVectors64``: the host address of the set's 64-bit table."""
    return _table_out("curandGetDirectionVectors64", int(set_))


def curandGetScrambleConstants32() -> int:
    """``curandGetScrambleConstants32``: the host address of the 32-bit scramble constants."""
    return _table_out("curandGetScrambleConstants32")


def curandGetScrambleConstants64() -> int:
    """``curandGetScrambleConstants64``: the host address of the 64-bit scramble constants."""
    return _table_out("curandGetScrambleConstants64")


# -- nvmath-python's helpers --------------------------------------------------------------------

_MAX_DIMENSIONS = 20000  # cuRAND's tables hold 20,000 dimensions (its documented maximum)
_SETS32 = (DirectionVectorSet.DIRECTION_VECTORS_32_JOEKUO6, DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_32_JOEKUO6)
_SETS64 = (DirectionVectorSet.DIRECTION_VECTORS_64_JOEKUO6, DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6)


def _dimensions(size) -> int:
    try:
        n = operator.index(size)
    except TypeError:
        raise TypeError(f"size={size!r} is not supported; accepted: an int in [0, {_MAX_DIMENSIONS}]") from None
    if not 0 <= n <= _MAX_DIMENSIONS:
        raise ValueError(f"size={n} is not supported; accepted: an int in [0, {_MAX_DIMENSIONS}] (dimensions)")
    return n


def _view(address: int, dtype, shape):
    import numpy as np

    count = int(np.prod(shape))
    if count == 0:
        return np.empty(shape, dtype)
    buffer = (ctypes.c_char * (count * np.dtype(dtype).itemsize)).from_address(address)
    array = np.frombuffer(buffer, dtype=dtype).reshape(shape)
    array.flags.writeable = False  # cuRAND's own tables: never written through
    return array


def _set_of(set_, accepted) -> DirectionVectorSet:
    try:
        value = DirectionVectorSet(set_)
    except ValueError:
        value = None
    if value not in accepted:
        names = ", ".join(s.name for s in accepted)
        raise ValueError(f"set_={set_!r} is not supported; accepted: {names}")
    return value


def get_direction_vectors32(set_, size):
    """Direction vectors for 32-bit Sobol' generators, one row of 32 per dimension.

    Parameters
    ----------
    set_ : DirectionVectorSet
        ``DIRECTION_VECTORS_32_JOEKUO6`` or ``SCRAMBLED_DIRECTION_VECTORS_32_JOEKUO6``.
    size : int
        The number of dimensions (at most 20,000).

    Returns
    -------
    numpy.ndarray
        A read-only ``(size, 32)`` uint32 view of cuRAND's table.
    """
    set_, n = _set_of(set_, _SETS32), _dimensions(size)
    import numpy as np

    return _view(curandGetDirectionVectors32(set_), np.uint32, (n, 32))


def get_direction_vectors64(set_, size):
    """Direction vectors for 64-bit Sobol' generators, one row of 64 per dimension.

    Parameters
    ----------
    set_ : DirectionVectorSet
        ``DIRECTION_VECTORS_64_JOEKUO6`` or ``SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6``.
    size : int
        The number of dimensions (at most 20,000).

    Returns
    -------
    numpy.ndarray
        A read-only ``(size, 64)`` uint64 view of cuRAND's table.
    """
    set_, n = _set_of(set_, _SETS64), _dimensions(size)
    import numpy as np

    return _view(curandGetDirectionVectors64(set_), np.uint64, (n, 64))


def get_scramble_constants32(size):
    """Scramble constants for 32-bit scrambled Sobol' generators, one per dimension.

    Parameters
    ----------
    size : int
        The number of dimensions (at most 20,000).

    Returns
    -------
    numpy.ndarray
        A read-only ``(size,)`` uint32 view of cuRAND's table.
    """
    n = _dimensions(size)
    import numpy as np

    return _view(curandGetScrambleConstants32(), np.uint32, (n,))


def get_scramble_constants64(size):
    """Scramble constants for 64-bit scrambled Sobol' generators, one per dimension.

    Parameters
    ----------
    size : int
        The number of dimensions (at most 20,000).

    Returns
    -------
    numpy.ndarray
        A read-only ``(size,)`` uint64 view of cuRAND's table.
    """
    n = _dimensions(size)
    import numpy as np

    return _view(curandGetScrambleConstants64(), np.uint64, (n,))
