"""Types of a device function's parameters, as users give them, without importing Numba.

A type is a Numba type, a NumPy dtype (or its name; structured dtypes are records), or
:func:`pointer` of one of those. Keys and default C types are computed here without Numba,
so a cache hit never needs it; the backend turns them into Numba types when compiling.
"""

from __future__ import annotations

import dataclasses

from .cabi import ctype

__all__ = ["Pointer", "pointer", "type_key", "default_ctype", "VOID"]

VOID = "void"


@dataclasses.dataclass(frozen=True)
class Pointer:
    """A pointer to ``pointee`` (``None``: ``void*``), as the Python function sees it."""

    pointee: object = None

    def __str__(self) -> str:
        return "void*" if self.pointee is None else f"{type_key(self.pointee)}*"


def pointer(pointee=None) -> Pointer:
    """A typed pointer parameter: ``pointer("complex64")``, ``pointer(record_dtype)``,
    ``pointer()`` for ``void*``."""
    return Pointer(pointee)


def _is_numba(spec) -> bool:
    return type(spec).__module__.startswith("numba")


def type_key(spec) -> str:
    """Stable text for a type (for cache keys and metadata)."""
    if spec is None or spec == VOID:
        return VOID
    if isinstance(spec, Pointer):
        return f"pointer({'void' if spec.pointee is None else type_key(spec.pointee)})"
    if _is_numba(spec):
        return f"numba:{spec}"
    import numpy as np

    dtype = np.dtype(spec)
    if dtype.fields:
        return f"dtype:{dtype.descr}|itemsize={dtype.itemsize}|align={dtype.alignment}"
    return dtype.name


def default_ctype(spec):
    """The C type through which CUDA C++ passes a value of ``spec``."""
    if spec is None or spec == VOID:
        return ctype("void")
    if isinstance(spec, Pointer):
        return ctype("void*")
    if _is_numba(spec):
        from numba import types

        if isinstance(spec, (types.CPointer, types.RawPointer)):
            return ctype("void*")
        if spec in (types.void, types.none):
            return ctype("void")
        if isinstance(spec, types.Integer):
            return ctype(f"{'int' if spec.signed else 'uint'}{spec.bitwidth}")
        if isinstance(spec, types.Float):
            return ctype("float" if spec.bitwidth == 32 else "double")
        if isinstance(spec, types.Complex):
            return ctype("float2" if spec.bitwidth == 64 else "double2")
        raise TypeError(
            f"a value of Numba type {spec} has no C type here; pass it by pointer or give c_signature explicitly"
        )
    import numpy as np

    dtype = np.dtype(spec)
    names = {"f4": "float", "f8": "double", "c8": "float2", "c16": "double2"}
    key = f"{dtype.kind}{dtype.itemsize}"
    if key in names:
        return ctype(names[key])
    if dtype.kind in "iu":
        return ctype(f"{'int' if dtype.kind == 'i' else 'uint'}{dtype.itemsize * 8}")
    raise TypeError(f"a value of dtype {dtype} has no C type here; pass it by pointer or give c_signature explicitly")
