"""Value types of the device APIs, as the host sees them (nvmath-python's ``nvmath.device.types``).

A device function's values are complex numbers or short vectors of halves. NumPy has complex64
and complex128 but no complex half, and its structured dtypes are less aligned than the device
types, so each is named here by an object that knows both sides:

- :class:`Complex` (:data:`complex32`, :data:`complex64`, :data:`complex128`) and
  :class:`Vector` (:data:`half2`, :data:`half4`): ``dtype`` is the host dtype (with a warning
  when it is less aligned than the device type); inside ``numba.cuda.jit`` kernels the object
  is a Numba type, usable as ``cuda.local.array(n, dtype=fft.value_type)``.
- :data:`np_float16x2`, :data:`np_float16x4`: host dtypes of half pairs and quadruples.

Importing this module does not import Numba.
"""

from __future__ import annotations

__all__ = [
    "Complex",
    "Vector",
    "complex32",
    "complex64",
    "complex128",
    "half2",
    "half4",
    "np_float16x2",
    "np_float16x4",
    "REAL_NP_TYPES",
    "INT_NP_TYPES",
]

import warnings

import numpy as np

#: Host dtype of a pair of halves (``x``, ``y``), e.g. one complex half.
np_float16x2 = np.dtype([("x", np.float16), ("y", np.float16)], align=True)
#: Host dtype of four halves (``x``, ``y``, ``z``, ``w``).
np_float16x4 = np.dtype([("x", np.float16), ("y", np.float16), ("z", np.float16), ("w", np.float16)], align=True)

#: The real precisions of the device APIs.
REAL_NP_TYPES: list = [np.float16, np.float32, np.float64]
#: The integer types of the device APIs.
INT_NP_TYPES: list = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]

_UNDERALIGNED = (
    "{what}: the host dtype {dtype} is less aligned than the device type ({align} bytes); device "
    "allocations are aligned far beyond that, so device arrays work, but a host buffer cast to the "
    "device type may not"
)


def _deprecated_make(owner):
    """``owner._numba_type.make``, with the DeprecationWarning nvmath-python gives for it."""
    numba_type = owner._numba_type
    warnings.warn(
        f"{owner!r}.make is deprecated (a Numba fallback that nvmath-python will remove); use the "
        f"Numba type's own constructor: nvmath.device.{numba_type.name}_type.make",
        DeprecationWarning,
        stacklevel=3,
    )
    return numba_type.make


class Complex:
    """A complex type of the device APIs, for host and device code.

    Parameters
    ----------
    real_dtype : numpy type
        The precision of the real and imaginary parts: ``np.float16``, ``np.float32`` or
        ``np.float64``.

    Notes
    -----
    Inside kernels, as in nvmath-python, ``complex64`` and ``complex128`` are
    :data:`nvmath.device.float32x2_type` and :data:`nvmath.device.float64x2_type`, laid out as
    CUDA's ``float2`` and ``double2``: one aligned access an element (Numba's ``complex64`` takes
    two). They convert to and from Numba's complex types both ways, their arithmetic is complex
    arithmetic, and they have ``real``, ``imag`` and ``conjugate()`` (and ``x``, ``y``): code
    written for arrays of Numba's complex types reads them unchanged. ``complex32`` is
    :data:`nvmath.device.float16x2_type` (fields ``x``, ``y``).
    """

    __slots__ = ("_real_dtype",)

    def __init__(self, real_dtype):
        real_dtype = np.dtype(real_dtype).type
        if real_dtype not in REAL_NP_TYPES:
            raise ValueError(
                f"real_dtype={real_dtype!r} is not supported; accepted: numpy.float16, numpy.float32, numpy.float64"
            )
        self._real_dtype = real_dtype

    @property
    def real_dtype(self):
        """The NumPy type of the real and imaginary parts."""
        return self._real_dtype

    @property
    def dtype(self) -> np.dtype:
        """The host dtype: ``np_float16x2``, ``complex64`` or ``complex128``.

        Warns (``UserWarning``) that the host dtype is less aligned than the device type.
        """
        host = {np.float16: np_float16x2, np.float32: np.dtype(np.complex64), np.float64: np.dtype(np.complex128)}[
            self._real_dtype
        ]
        warnings.warn(
            _UNDERALIGNED.format(what=repr(self), dtype=host, align=2 * np.dtype(self._real_dtype).itemsize),
            UserWarning,
            stacklevel=2,
        )
        return host

    @property
    def _numba_type(self):
        from . import vector_types_numba as v

        return {np.float16: v.float16x2_type, np.float32: v.float32x2_type, np.float64: v.float64x2_type}[
            self._real_dtype
        ]

    @property
    def make(self):
        """The kernel-side constructor of this type (``complex64.make(re, im)``), as the Numba
        type's ``make`` (deprecated, as in nvmath-python: use that, e.g. ``float32x2_type.make``)."""
        return _deprecated_make(self)

    def __eq__(self, other):
        return isinstance(other, Complex) and other._real_dtype is self._real_dtype

    def __hash__(self):
        return hash(("Complex", self._real_dtype))

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this type (MM.a_value_type...).
        return f"nvmath.device.types.Complex:{np.dtype(self._real_dtype).name}"

    def __repr__(self):
        return f"complex{2 * 8 * np.dtype(self._real_dtype).itemsize}"


class Vector:
    """A vector of halves of the device APIs (``__half2``, a pair of ``__half2``), for host and
    device code.

    Parameters
    ----------
    real_dtype : numpy type
        ``np.float16`` (the only one supported).
    size : {2, 4}
        The number of halves.
    """

    __slots__ = ("_real_dtype", "_size")

    def __init__(self, real_dtype, size):
        if size not in (2, 4):
            raise ValueError(f"size={size!r} is not supported; accepted: 2, 4")
        if np.dtype(real_dtype).type is not np.float16:
            raise ValueError(f"real_dtype={real_dtype!r} is not supported; accepted: numpy.float16")
        self._real_dtype = np.float16
        self._size = size

    @property
    def real_dtype(self):
        """The NumPy type of the elements."""
        return self._real_dtype

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._size

    @property
    def dtype(self) -> np.dtype:
        """The host dtype (:data:`np_float16x2` or :data:`np_float16x4`).

        Warns (``UserWarning``) that the host dtype is less aligned than the device type.
        """
        host = np_float16x2 if self._size == 2 else np_float16x4
        warnings.warn(
            _UNDERALIGNED.format(what=repr(self), dtype=host, align=2 * self._size), UserWarning, stacklevel=2
        )
        return host

    @property
    def _numba_type(self):
        from . import vector_types_numba as v

        return v.float16x2_type if self._size == 2 else v.float16x4_type

    @property
    def make(self):
        """The kernel-side constructor of this type (``half2.make(a, b)``), as the Numba type's
        ``make`` (deprecated, as in nvmath-python: use that, e.g. ``float16x2_type.make``)."""
        return _deprecated_make(self)

    def __eq__(self, other):
        return isinstance(other, Vector) and other._size == self._size

    def __hash__(self):
        return hash(("Vector", self._size))

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this type (half2...).
        return f"nvmath.device.types.Vector:float16x{self._size}"

    def __repr__(self):
        return f"half{self._size}"


#: Complex half: two halves; inside kernels :data:`nvmath.device.float16x2_type`.
complex32 = Complex(np.float16)
#: Complex single precision.
complex64 = Complex(np.float32)
#: Complex double precision.
complex128 = Complex(np.float64)
#: Two halves (``__half2``).
half2 = Vector(np.float16, 2)
#: Four halves (two ``__half2``: the real parts of two values, then their imaginary parts).
half4 = Vector(np.float16, 4)
