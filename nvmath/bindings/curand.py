"""Thin 1:1 ``ctypes`` bindings of cuRAND's host API (``libcurand``; the ``nvidia-curand`` wheel).

Functions keep their C names and argument order; handles and device or host pointers are Python
ints; output parameters are returned instead of passed. Every status other than
``CURAND_STATUS_SUCCESS`` raises :class:`cuRANDError`. Arguments are checked before the call:
a wrong type raises ``TypeError``, a value outside what the C parameter (or its enum) holds
raises ``ValueError``; both name the parameter.

nvmath-python's names are here too, 1:1: ``create_generator``, ``generate_uniform``,
``set_pseudo_random_generator_seed``... (the C name in snake_case, same arguments),
:func:`check_status` and :class:`Method`. Where the C function has no output parameter the
snake_case name is the C-named function itself; :func:`create_poisson_distribution` writes the
new handle to an address, as nvmath-python's does.

Beside them, nvmath-python's helpers for the Sobol' device generators:
:func:`get_direction_vectors32`, :func:`get_direction_vectors64`,
:func:`get_scramble_constants32`, :func:`get_scramble_constants64` return read-only NumPy views
of cuRAND's tables (``(n, 32)``/``(n, 64)`` direction vectors, ``(n,)`` scramble constants for
``n`` dimensions).

Importing this module loads nothing: the library is found with ``cuda.pathfinder`` on the
first call.

Example
-------
>>> g = create_generator_host(RngType.PSEUDO_PHILOX4_32_10)  # doctest: +SKIP
>>> set_pseudo_random_generator_seed(g, 1234)                 # doctest: +SKIP
>>> out = numpy.empty(16, numpy.float32)                      # doctest: +SKIP
>>> generate_uniform(g, out.ctypes.data, out.size)            # doctest: +SKIP
>>> destroy_generator(g)                                      # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import numbers
import operator
from ctypes import POINTER, c_double, c_float, c_int, c_size_t, c_uint, c_ulonglong, c_void_p

from ._args import shown
from ._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary, StatusError

__all__ = [
    "cuRANDError",
    "LibraryNotFoundError",
    "FunctionNotFoundError",
    "Status",
    "RngType",
    "Ordering",
    "DirectionVectorSet",
    "Method",
    # C names
    "curandCreateGenerator",
    "curandCreateGeneratorHost",
    "curandDestroyGenerator",
    "curandGetVersion",
    "curandGetProperty",
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
    "curandGenerateLogNormal",
    "curandGenerateLogNormalDouble",
    "curandCreatePoissonDistribution",
    "curandDestroyDistribution",
    "curandGeneratePoisson",
    "curandGeneratePoissonMethod",
    "curandGenerateBinomial",
    "curandGenerateBinomialMethod",
    "curandGenerateSeeds",
    "curandGetDirectionVectors32",
    "curandGetDirectionVectors64",
    "curandGetScrambleConstants32",
    "curandGetScrambleConstants64",
    # nvmath-python's names
    "check_status",
    "create_generator",
    "create_generator_host",
    "destroy_generator",
    "get_version",
    "get_property",
    "set_stream",
    "set_pseudo_random_generator_seed",
    "set_generator_offset",
    "set_generator_ordering",
    "set_quasi_random_generator_dimensions",
    "generate",
    "generate_long_long",
    "generate_uniform",
    "generate_uniform_double",
    "generate_normal",
    "generate_normal_double",
    "generate_log_normal",
    "generate_log_normal_double",
    "create_poisson_distribution",
    "destroy_distribution",
    "generate_poisson",
    "generate_poisson_method",
    "generate_binomial",
    "generate_binomial_method",
    "generate_seeds",
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


class Method(enum.IntEnum):
    """``curandMethod_t``: the algorithm behind a discrete distribution, for
    :func:`generate_poisson_method` and :func:`generate_binomial_method` (``CURAND_`` becomes
    ``METHOD_``, as nvmath-python spells it). Which ones a generator accepts is cuRAND's
    business: the others fail with ``CURAND_STATUS_OUT_OF_RANGE``."""

    METHOD_CHOOSE_BEST = 0
    METHOD_ITR = 1
    METHOD_KNUTH = 2
    METHOD_HITR = 3
    METHOD_M1 = 4
    METHOD_M2 = 5
    METHOD_BINARY_SEARCH = 6
    METHOD_DISCRETE_GAUSS = 7
    METHOD_REJECTION = 8
    METHOD_DEVICE_API = 9
    METHOD_FAST_REJECTION = 10
    METHOD_3RD = 11
    METHOD_DEFINITION = 12
    METHOD_POISSON = 13


class cuRANDError(StatusError):
    """A cuRAND status other than ``CURAND_STATUS_SUCCESS``.

    Raised by every function of this module as ``cuRANDError(function, status)``; it can also be
    made as nvmath-python makes it, ``cuRANDError(status)`` (then ``function`` is None).

    Attributes
    ----------
    function : str or None
        The C function that failed.
    status : Status or int
        The status (a plain int if this binding does not know it).
    """

    status_type = Status
    status_prefix = "CURAND_STATUS_"
    unknown = "unknown curandStatus_t"

    def __init__(self, *args, status=None):
        if status is not None:
            args = (*args, status)
        if len(args) == 2:
            function, status = args
            super().__init__(function, _int(status, "status", -(2**31), 2**31, _STATUS_TEXT))
            return
        if len(args) != 1:
            raise TypeError(f"cuRANDError takes (status) or (function, status), got {len(args)} arguments")
        status = _int(args[0], "status", -(2**31), 2**31, _STATUS_TEXT)
        Exception.__init__(self, f"{self.status_name(status)} ({status})")
        self.function = None
        try:
            self.status = Status(status)
        except ValueError:
            self.status = status

    def __reduce__(self):
        if self.function is None:
            return type(self), (int(self.status),)
        return super().__reduce__()


def _check(function: str, status: int) -> int:
    if status != Status.SUCCESS:
        raise cuRANDError(function, status)
    return status


def check_status(status: int) -> None:
    """Raise :class:`cuRANDError` if ``status`` is not ``CURAND_STATUS_SUCCESS``.

    Parameters
    ----------
    status : int
        A ``curandStatus_t`` (:class:`Status`), as a C call returns it.

    Raises
    ------
    cuRANDError
        Carrying ``status`` (``function`` is None).
    """
    if _int(status, "status", -(2**31), 2**31, _STATUS_TEXT) != Status.SUCCESS:
        raise cuRANDError(status)


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
    "curandGetProperty": [c_int, POINTER(c_int)],
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
    "curandGenerateLogNormal": [_P, _P, c_size_t, c_float, c_float],
    "curandGenerateLogNormalDouble": [_P, _P, c_size_t, c_double, c_double],
    "curandCreatePoissonDistribution": [c_double, POINTER(_P)],
    "curandDestroyDistribution": [_P],
    "curandGeneratePoisson": [_P, _P, c_size_t, c_double],
    "curandGeneratePoissonMethod": [_P, _P, c_size_t, c_double, c_int],
    "curandGenerateBinomial": [_P, _P, c_size_t, c_uint, c_double],
    "curandGenerateBinomialMethod": [_P, _P, c_size_t, c_uint, c_double, c_int],
    "curandGenerateSeeds": [_P],
    "curandGetDirectionVectors32": [POINTER(_P), c_int],
    "curandGetDirectionVectors64": [POINTER(_P), c_int],
    "curandGetScrambleConstants32": [POINTER(_P)],
    "curandGetScrambleConstants64": [POINTER(_P)],
}.items():
    _lib.declare(_name, c_int, _argtypes)


# -- argument checks ---------------------------------------------------------------------------
#
# ctypes would truncate, wrap or refuse with its own words; these checks say which parameter,
# what it got and what it takes, before anything reaches C. Addresses are trusted as in C
# (only 0, where C would write through it, is refused).

_STATUS_TEXT = "an int (a Status)"
_ADDRESS_TEXT = "an address, an int in [0, 2**64)"
_SIZE_TEXT = "an int in [0, 2**64)"


def _int(value, name: str, low: int, high: int, accepted: str) -> int:
    """``value`` as a Python int in ``[low, high)``; bools, floats and buffers are refused."""
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r} is not supported; accepted: {accepted}")
    try:
        number = operator.index(value)
    except TypeError:
        hint = " (for a NumPy array, pass array.ctypes.data)" if hasattr(value, "ctypes") else ""
        raise TypeError(f"{name}={shown(value)} is not supported; accepted: {accepted}{hint}") from None
    if not low <= number < high:
        raise ValueError(f"{name}={number} is not supported; accepted: {accepted}")
    return number


def _address(value, name: str, *, nonzero: bool = False) -> int:
    address = _int(value, name, 0, 2**64, _ADDRESS_TEXT)
    if nonzero and address == 0:
        raise ValueError(f"{name}=0 is not supported; accepted: a nonzero address (cuRAND writes there)")
    return address


def _size(value, name: str) -> int:
    return _int(value, name, 0, 2**64, _SIZE_TEXT)


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={shown(value)} is not supported; accepted: a real number (int or float)")
    return float(value)


def _member(kind: type[enum.IntEnum], value, name: str):
    """``value`` as a member of ``kind`` (the members are listed only when it is not one)."""
    try:
        return kind(_int(value, name, -(2**31), 2**31, f"a member of {kind.__name__}"))
    except ValueError:
        accepted = ", ".join(f"{m.name} ({m.value})" for m in kind)
        number = operator.index(value)
        raise ValueError(
            f"{name}={number} is not supported; accepted: a member of {kind.__name__}: {accepted}"
        ) from None


_PROPERTY_TEXT = "a libraryPropertyType: MAJOR_VERSION (0), MINOR_VERSION (1), PATCH_LEVEL (2)"


# -- generators --------------------------------------------------------------------------------


# Handles of the host generators this process created and has not destroyed: libcurand 10.4.0
# with a GPU present crashes (SIGSEGV) when curandGeneratePoissonMethod gets a host generator
# and CURAND_3RD (an H100 host, 2026-12-07; a device generator draws), so that pair is refused
# before the call. A set of ints: adding and discarding are atomic under the GIL.
_host_generators: set[int] = set()
# The methods refused with a host generator (see ``_host_generators``).
_HOST_GENERATOR_CRASHING_METHODS = frozenset({Method.METHOD_3RD})


def _handle_out(c_name: str, *args) -> int:
    handle = _P()
    _lib.function(c_name)(ctypes.byref(handle), *args)
    return handle.value or 0


def curandCreateGenerator(rng_type: int) -> int:
    """``curandCreateGenerator``: a generator that writes device memory (needs a GPU).

    Parameters
    ----------
    rng_type : RngType
        The generator's algorithm.

    Returns
    -------
    int
        The generator's handle; free it with :func:`curandDestroyGenerator`.
    """
    return _handle_out("curandCreateGenerator", _member(RngType, rng_type, "rng_type"))


def curandCreateGeneratorHost(rng_type: int) -> int:
    """``curandCreateGeneratorHost``: a generator that runs on the CPU and writes host memory.

    Parameters
    ----------
    rng_type : RngType
        The generator's algorithm.

    Returns
    -------
    int
        The generator's handle; free it with :func:`curandDestroyGenerator`.
    """
    handle = _handle_out("curandCreateGeneratorHost", _member(RngType, rng_type, "rng_type"))
    _host_generators.add(handle)
    return handle


def curandDestroyGenerator(generator: int) -> None:
    """``curandDestroyGenerator``: free a generator and what it holds.

    Parameters
    ----------
    generator : int
        A handle from :func:`curandCreateGenerator` or :func:`curandCreateGeneratorHost`.
    """
    generator = _address(generator, "generator")
    _lib.function("curandDestroyGenerator")(generator)
    _host_generators.discard(generator)


def curandGetVersion() -> int:
    """``curandGetVersion``: the loaded library's version.

    Returns
    -------
    int
        ``major * 1000 + minor * 100 + patch`` (10405 for cuRAND 10.4.5).
    """
    v = c_int()
    _lib.function("curandGetVersion")(ctypes.byref(v))
    return v.value


def curandGetProperty(type: int) -> int:
    """``curandGetProperty``: one part of the loaded library's version.

    Parameters
    ----------
    type : int
        ``libraryPropertyType``: 0 for the major version, 1 the minor, 2 the patch level.

    Returns
    -------
    int
        That number.
    """
    value = c_int()
    _lib.function("curandGetProperty")(_int(type, "type", 0, 3, _PROPERTY_TEXT), ctypes.byref(value))
    return value.value


def curandSetStream(generator: int, stream: int) -> None:
    """``curandSetStream``: the CUDA stream a device generator's kernels run on.

    Parameters
    ----------
    generator : int
        The generator's handle.
    stream : int
        A ``cudaStream_t`` as an int; 0 for the default stream.
    """
    _lib.function("curandSetStream")(_address(generator, "generator"), _address(stream, "stream"))


def curandSetPseudoRandomGeneratorSeed(generator: int, seed: int) -> None:
    """``curandSetPseudoRandomGeneratorSeed``: the seed of a pseudorandom generator.

    Parameters
    ----------
    generator : int
        The generator's handle.
    seed : int
        In ``[0, 2**64)``.
    """
    _lib.function("curandSetPseudoRandomGeneratorSeed")(
        _address(generator, "generator"), _int(seed, "seed", 0, 2**64, _SIZE_TEXT)
    )


def curandSetGeneratorOffset(generator: int, offset: int) -> None:
    """``curandSetGeneratorOffset``: start the sequence ``offset`` values in.

    Parameters
    ----------
    generator : int
        The generator's handle.
    offset : int
        In ``[0, 2**64)``.
    """
    _lib.function("curandSetGeneratorOffset")(
        _address(generator, "generator"), _int(offset, "offset", 0, 2**64, _SIZE_TEXT)
    )


def curandSetGeneratorOrdering(generator: int, order: int) -> None:
    """``curandSetGeneratorOrdering``: how results are laid out in memory.

    Parameters
    ----------
    generator : int
        The generator's handle.
    order : Ordering
        Which orderings a generator takes is cuRAND's business (``CURAND_STATUS_OUT_OF_RANGE``
        for the others).
    """
    _lib.function("curandSetGeneratorOrdering")(_address(generator, "generator"), _member(Ordering, order, "order"))


def curandSetQuasiRandomGeneratorDimensions(generator: int, num_dimensions: int) -> None:
    """``curandSetQuasiRandomGeneratorDimensions``: the dimensions of a quasirandom generator.

    Parameters
    ----------
    generator : int
        The generator's handle.
    num_dimensions : int
        cuRAND takes 1 to 20,000; the results come dimension after dimension.
    """
    _lib.function("curandSetQuasiRandomGeneratorDimensions")(
        _address(generator, "generator"), _int(num_dimensions, "num_dimensions", 0, 2**32, "an int in [0, 2**32)")
    )


def curandGenerateSeeds(generator: int) -> None:
    """``curandGenerateSeeds``: set the generator's starting state now rather than on the first
    generation.

    Parameters
    ----------
    generator : int
        The generator's handle.
    """
    _lib.function("curandGenerateSeeds")(_address(generator, "generator"))


# -- generation --------------------------------------------------------------------------------


def _generate(c_name: str, generator, output_ptr, count, count_name: str, *params) -> None:
    generator = _address(generator, "generator")
    count = _size(count, count_name)
    where = _address(output_ptr, "output_ptr", nonzero=count > 0)
    _lib.function(c_name)(generator, where, count, *params)


def curandGenerate(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerate``: raw 32-bit values (a 64-bit Sobol' generator refuses).

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``num`` uint32 go: device memory for a device generator, host memory for a host
        one (``array.ctypes.data`` for a NumPy array).
    num : int
        How many; a multiple of the dimensions for a quasirandom generator.
    """
    _generate("curandGenerate", generator, output_ptr, num, "num")


def curandGenerateLongLong(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateLongLong``: raw 64-bit values, from 64-bit Sobol' generators only.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``num`` uint64 go (device or host memory, as the generator).
    num : int
        How many; a multiple of the dimensions.
    """
    _generate("curandGenerateLongLong", generator, output_ptr, num, "num")


def curandGenerateUniform(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateUniform``: float32 uniform on (0, 1].

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``num`` float32 go (device or host memory, as the generator).
    num : int
        How many.
    """
    _generate("curandGenerateUniform", generator, output_ptr, num, "num")


def curandGenerateUniformDouble(generator: int, output_ptr: int, num: int) -> None:
    """``curandGenerateUniformDouble``: float64 uniform on (0, 1].

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``num`` float64 go (device or host memory, as the generator).
    num : int
        How many.
    """
    _generate("curandGenerateUniformDouble", generator, output_ptr, num, "num")


def curandGenerateNormal(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateNormal``: float32 from the normal distribution.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``n`` float32 go (device or host memory, as the generator).
    n : int
        How many; pseudorandom generators make pairs, so cuRAND wants it even.
    mean, stddev : float
        The distribution's mean and standard deviation.
    """
    _generate("curandGenerateNormal", generator, output_ptr, n, "n", _real(mean, "mean"), _real(stddev, "stddev"))


def curandGenerateNormalDouble(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateNormalDouble``: float64 from the normal distribution.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``n`` float64 go (device or host memory, as the generator).
    n : int
        How many; even for pseudorandom generators.
    mean, stddev : float
        The distribution's mean and standard deviation.
    """
    _generate("curandGenerateNormalDouble", generator, output_ptr, n, "n", _real(mean, "mean"), _real(stddev, "stddev"))


def curandGenerateLogNormal(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateLogNormal``: float32 whose logarithm is normally distributed.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``n`` float32 go (device or host memory, as the generator).
    n : int
        How many; even for pseudorandom generators.
    mean, stddev : float
        The mean and standard deviation of the logarithm.
    """
    _generate("curandGenerateLogNormal", generator, output_ptr, n, "n", _real(mean, "mean"), _real(stddev, "stddev"))


def curandGenerateLogNormalDouble(generator: int, output_ptr: int, n: int, mean: float, stddev: float) -> None:
    """``curandGenerateLogNormalDouble``: float64 whose logarithm is normally distributed.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``n`` float64 go (device or host memory, as the generator).
    n : int
        How many; even for pseudorandom generators.
    mean, stddev : float
        The mean and standard deviation of the logarithm.
    """
    _generate(
        "curandGenerateLogNormalDouble", generator, output_ptr, n, "n", _real(mean, "mean"), _real(stddev, "stddev")
    )


def curandGeneratePoisson(generator: int, output_ptr: int, n: int, lambda_: float) -> None:
    """``curandGeneratePoisson``: uint32 from the Poisson distribution.

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``n`` uint32 go (device or host memory, as the generator).
    n : int
        How many.
    lambda_ : float
        The mean; cuRAND takes ``0 < lambda_ <= 400000`` (``CURAND_STATUS_OUT_OF_RANGE`` else).
    """
    _generate("curandGeneratePoisson", generator, output_ptr, n, "n", _real(lambda_, "lambda_"))


def curandGeneratePoissonMethod(generator: int, output_ptr: int, n: int, lambda_: float, method: int) -> None:
    """``curandGeneratePoissonMethod``: :func:`curandGeneratePoisson` with a chosen algorithm
    (cuRAND's header marks it internal).

    Parameters
    ----------
    generator, output_ptr, n, lambda_
        As :func:`curandGeneratePoisson`.
    method : Method
        The algorithm; ``METHOD_CHOOSE_BEST`` lets cuRAND pick. Which ones a generator takes
        differs between builds and machines (libcurand 10.4.0 on an H100 host drew with
        ``METHOD_DEVICE_API`` only on a host generator, and with it and ``METHOD_3RD`` on a
        device generator; the others gave ``CURAND_STATUS_INTERNAL_ERROR``).

    Raises
    ------
    ValueError
        For ``METHOD_3RD`` with a host generator, on which that libcurand crashes the process.
    """
    _generate(
        "curandGeneratePoissonMethod",
        generator,
        output_ptr,
        n,
        "n",
        _real(lambda_, "lambda_"),
        _method_for(generator, method),
    )


def _method_for(generator, method) -> Method:
    """``method`` as a :class:`Method`, refused where cuRAND would crash on it: with a host
    generator, the methods in ``_HOST_GENERATOR_CRASHING_METHODS``."""
    method = _member(Method, method, "method")
    if method in _HOST_GENERATOR_CRASHING_METHODS and _address(generator, "generator") in _host_generators:
        accepted = ", ".join(m.name for m in Method if m not in _HOST_GENERATOR_CRASHING_METHODS)
        raise ValueError(
            f"method={method.name} is not supported with a host generator (libcurand 10.4.0 crashes on it); "
            f"accepted: {accepted} (which of them a host generator draws with is cuRAND's choice), "
            f"or a device generator (curandCreateGenerator)"
        )
    return method


def _binomial(c_name: str, generator, output_ptr, num, n, p, *method) -> None:
    trials = _int(n, "n", 0, 2**32, "an int in [0, 2**32)")
    try:
        _generate(c_name, generator, output_ptr, num, "num", trials, _real(p, "p"), *method)
    except FunctionNotFoundError:
        raise _lib.missing(c_name, needs="curand.h declares it, but this libcurand does not export it") from None


def curandGenerateBinomial(generator: int, output_ptr: int, num: int, n: int, p: float) -> None:
    """``curandGenerateBinomial``: uint32 from the binomial distribution.

    curand.h declares it, but libcurand 10.4 (CUDA 13) exports no such symbol: the call then
    raises :class:`FunctionNotFoundError` (after checking the arguments).

    Parameters
    ----------
    generator : int
        The generator's handle.
    output_ptr : int
        Where ``num`` uint32 go (device or host memory, as the generator).
    num : int
        How many.
    n : int
        Trials per value, in ``[0, 2**32)``.
    p : float
        The probability of success of one trial.
    """
    _binomial("curandGenerateBinomial", generator, output_ptr, num, n, p)


def curandGenerateBinomialMethod(generator: int, output_ptr: int, num: int, n: int, p: float, method: int) -> None:
    """``curandGenerateBinomialMethod``: :func:`curandGenerateBinomial` with a chosen algorithm
    (internal in cuRAND's header; not exported by libcurand 10.4 either).

    Parameters
    ----------
    generator, output_ptr, num, n, p
        As :func:`curandGenerateBinomial`.
    method : Method
        The algorithm; ``METHOD_3RD`` is refused with a host generator, as by
        :func:`curandGeneratePoissonMethod`.
    """
    _binomial("curandGenerateBinomialMethod", generator, output_ptr, num, n, p, _method_for(generator, method))


# -- discrete distributions (for the device API) -----------------------------------------------


def curandCreatePoissonDistribution(lambda_: float) -> int:
    """``curandCreatePoissonDistribution``: a Poisson histogram in device memory, for the device
    API's ``curand_discrete`` (needs a GPU).

    Parameters
    ----------
    lambda_ : float
        The mean.

    Returns
    -------
    int
        The distribution's handle (``curandDiscreteDistribution_t``); free it with
        :func:`curandDestroyDistribution`.
    """
    # The only creator whose handle is C's last argument, not its first.
    handle = _P()
    _lib.function("curandCreatePoissonDistribution")(_real(lambda_, "lambda_"), ctypes.byref(handle))
    return handle.value or 0


def curandDestroyDistribution(discrete_distribution: int) -> None:
    """``curandDestroyDistribution``: free a histogram made by
    :func:`curandCreatePoissonDistribution`.

    Parameters
    ----------
    discrete_distribution : int
        The distribution's handle.
    """
    _lib.function("curandDestroyDistribution")(_address(discrete_distribution, "discrete_distribution"))


# -- Sobol' tables -----------------------------------------------------------------------------


def _table_out(c_name: str, *args) -> int:
    pointer = _P()
    _lib.function(c_name)(ctypes.byref(pointer), *args)
    return pointer.value or 0


def curandGetDirectionVectors32(set_: int) -> int:
    """``curandGetDirectionVectors32``: where cuRAND keeps a set of 32-bit direction vectors.

    Parameters
    ----------
    set_ : DirectionVectorSet
        One of the 32-bit sets.

    Returns
    -------
    int
        The host address of the table (32 uint32 per dimension).
    """
    return _table_out("curandGetDirectionVectors32", _member(DirectionVectorSet, set_, "set_"))


def curandGetDirectionVectors64(set_: int) -> int:
    """``curandGetDirectionVectors64``: where cuRAND keeps a set of 64-bit direction vectors.

    Parameters
    ----------
    set_ : DirectionVectorSet
        One of the 64-bit sets.

    Returns
    -------
    int
        The host address of the table (64 uint64 per dimension).
    """
    return _table_out("curandGetDirectionVectors64", _member(DirectionVectorSet, set_, "set_"))


def curandGetScrambleConstants32() -> int:
    """``curandGetScrambleConstants32``: where cuRAND keeps the 32-bit scramble constants.

    Returns
    -------
    int
        The host address of the table (one uint32 per dimension).
    """
    return _table_out("curandGetScrambleConstants32")


def curandGetScrambleConstants64() -> int:
    """``curandGetScrambleConstants64``: where cuRAND keeps the 64-bit scramble constants.

    Returns
    -------
    int
        The host address of the table (one uint64 per dimension).
    """
    return _table_out("curandGetScrambleConstants64")


# -- nvmath-python's names ---------------------------------------------------------------------
#
# nvmath-python's ``nvmath.bindings.curand`` spells each C function in snake_case, with the C
# arguments in C order and outputs returned. Where that is what the C-named function above does,
# the snake_case name is that function. ``create_poisson_distribution`` differs: it writes the
# handle to the address it is given, as nvmath-python's does.

create_generator = curandCreateGenerator
create_generator_host = curandCreateGeneratorHost
destroy_generator = curandDestroyGenerator
get_version = curandGetVersion
get_property = curandGetProperty
set_stream = curandSetStream
set_pseudo_random_generator_seed = curandSetPseudoRandomGeneratorSeed
set_generator_offset = curandSetGeneratorOffset
set_generator_ordering = curandSetGeneratorOrdering
set_quasi_random_generator_dimensions = curandSetQuasiRandomGeneratorDimensions
generate = curandGenerate
generate_long_long = curandGenerateLongLong
generate_uniform = curandGenerateUniform
generate_uniform_double = curandGenerateUniformDouble
generate_normal = curandGenerateNormal
generate_normal_double = curandGenerateNormalDouble
generate_log_normal = curandGenerateLogNormal
generate_log_normal_double = curandGenerateLogNormalDouble
destroy_distribution = curandDestroyDistribution
generate_poisson = curandGeneratePoisson
generate_poisson_method = curandGeneratePoissonMethod
generate_binomial = curandGenerateBinomial
generate_binomial_method = curandGenerateBinomialMethod
generate_seeds = curandGenerateSeeds


def create_poisson_distribution(lambda_: float, discrete_distribution: int) -> None:
    """Make a Poisson histogram in device memory and write its handle to
    ``discrete_distribution`` (``curandCreatePoissonDistribution``; needs a GPU).

    Parameters
    ----------
    lambda_ : float
        The mean.
    discrete_distribution : int
        The address of a ``curandDiscreteDistribution_t`` (8 bytes) that receives the handle,
        e.g. ``ctypes.addressof(ctypes.c_void_p())``. Free the handle with
        :func:`destroy_distribution`.
    """
    lam = _real(lambda_, "lambda_")
    where = _address(discrete_distribution, "discrete_distribution", nonzero=True)
    _lib.function("curandCreatePoissonDistribution")(lam, ctypes.cast(where, POINTER(_P)))


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
