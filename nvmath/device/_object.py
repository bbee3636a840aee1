"""Device objects (an FFT, a GEMM) as Numba sees them inside kernels.

A device object is a module-like value: a kernel that captures ``fft`` can call
``fft.execute(...)`` (an intrinsic that calls the LTO-IR function) and read its traits, and
traits that are sizes are compile-time constants, so that
``cuda.local.array(fft.storage_size, dtype=fft.value_type)`` works as it does with plain
globals. Numba types a module's attributes one by one; nvmath registers a literal-int type for
the trait values.
"""

from __future__ import annotations

import abc
import types as _pytypes

__all__ = ["DeviceObject", "ConstInt"]


class ConstInt(int):
    """An int that Numba types as a literal (a compile-time constant) inside kernels."""

    def __repr__(self):
        return repr(int(self))


_registered = False


def _register_numba_types():
    global _registered
    if _registered:
        return
    from numba import types
    from numba.cuda.typing.typeof import typeof_impl

    @typeof_impl.register(ConstInt)
    def _typeof_const_int(value, context):
        return types.IntegerLiteral(int(value))

    _registered = True


class DeviceObject(_pytypes.ModuleType, metaclass=abc.ABCMeta):
    """Base of nvmath's device objects: module-like, so kernels can capture them.

    Device objects with a Numba type of their own (:class:`nvmath.device.FFT`) are registered as
    virtual subclasses (``DeviceObject.register``), so that checks of "a device object with a
    target" (``.sm``) cover them too."""

    def __init__(self, name: str, fingerprint: str):
        super().__init__(name)
        self._fingerprint = fingerprint
        _register_numba_types()

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this object: its descriptor and code.
        return self._fingerprint

    def __repr__(self):
        return f"<{type(self).__name__} {self.__name__}>"
