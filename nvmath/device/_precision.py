"""Precision spellings of the device APIs, in one place: NumPy types (nvmath-python's) and
names (this project's older ones) both name a libmathdx precision.

No Numba, no libmathdx: a face can import it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["normalize_precision", "mathdx_precision", "PRECISION_NAMES"]

# NumPy type -> libmathdx CommondxPrecision member name.
_MATHDX = {np.float16: "F16", np.float32: "F32", np.float64: "F64"}

#: Names accepted for each precision (this project's spellings), beside the NumPy types.
PRECISION_NAMES = {
    "half": np.float16,
    "single": np.float32,
    "double": np.float64,
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
}


def _accepted() -> str:
    return "numpy.float16, numpy.float32, numpy.float64, " + ", ".join(repr(k) for k in PRECISION_NAMES)


def normalize_precision(precision, name: str = "precision", *, allowed=(np.float16, np.float32, np.float64)):
    """The NumPy scalar type that ``precision`` names.

    Parameters
    ----------
    precision : numpy type, numpy.dtype or str
        ``np.float32``, ``np.dtype("float32")``, ``"single"``, ``"float32"``...
    name : str
        The caller's parameter name, for messages.
    allowed : tuple of numpy types
        The precisions the caller supports.

    Raises
    ------
    ValueError
        Naming the parameter, the value and the accepted spellings.
    """
    found = None
    if isinstance(precision, str):
        found = PRECISION_NAMES.get(precision.strip().lower())
    elif isinstance(precision, type) and issubclass(precision, np.generic):
        found = precision
    elif isinstance(precision, np.dtype):
        found = precision.type
    if found not in allowed:
        raise ValueError(f"{name}={precision!r} is not supported; accepted: {_accepted()}")
    return found


def mathdx_precision(precision) -> str:
    """The libmathdx ``CommondxPrecision`` member name (``"F32"``...) of a precision."""
    return _MATHDX[normalize_precision(precision)]
