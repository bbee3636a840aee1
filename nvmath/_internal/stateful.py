"""The lifecycle shared by the stateful host APIs (``FFT``, ``Matmul``): free once, use as a
context manager, refuse use after free."""

from __future__ import annotations

__all__ = ["Stateful"]


class Stateful:
    """Mixin: subclasses set ``self._freed = False`` and implement :meth:`_release`.

    ``_freed_error`` is the exception a use after :meth:`free` raises (nvmath-python's
    ``InvalidFFTState`` or ``InvalidMatmulState``; a :class:`RuntimeError` in this project).
    """

    _freed = False
    _freed_error: type[Exception] = RuntimeError

    def _release(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def free(self):
        """Release the object's resources; it cannot be used afterwards (freeing twice is harmless)."""
        if self._freed:
            return
        try:
            self._release()
        finally:
            self._freed = True

    def __enter__(self):
        self._check_alive()
        return self

    def __exit__(self, *exc):
        self.free()

    def _check_alive(self):
        if self._freed:
            name = type(self).__name__
            raise self._freed_error(
                f"The {name} object cannot be used after its resources are freed (free()); create a new one"
            )
