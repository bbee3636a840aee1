"""Lazy loading of an NVIDIA shared library and its C functions, for ctypes bindings.

A binding module describes its library once, at import, without loading anything::

    _lib = NvidiaLibrary("cufft", display_name="cuFFT", package="nvidia-cufft", extra="cu13",
                         check=_check, version=_version_text)
    _lib.declare("cufftCreate", ctypes.c_int, [ctypes.POINTER(ctypes.c_int)])

and calls ``_lib.function("cufftCreate")(...)``: the first call finds the library with
``cuda.pathfinder``, and each function is resolved, typed and given its status check once.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence

__all__ = ["NvidiaLibrary", "LibraryNotFoundError", "FunctionNotFoundError"]

_DISTRIBUTION = "nvmath-fusion"


class LibraryNotFoundError(RuntimeError):
    """An NVIDIA library could not be found or loaded.

    Attributes
    ----------
    library : str
        The ``cuda.pathfinder`` name, e.g. ``"cufft"``.
    package : str
        The pip package that provides it.
    """

    def __init__(self, message: str, *, library: str, package: str):
        super().__init__(message)
        self.library = library
        self.package = package


class FunctionNotFoundError(NotImplementedError):
    """The loaded library lacks a C function (it is older, or newer, than the binding).

    Attributes
    ----------
    function : str
        The C name.
    library_version : str or None
        The loaded library's version, where the binding can tell it.
    """

    def __init__(self, message: str, *, function: str, library_version: str | None = None):
        super().__init__(message)
        self.function = function
        self.library_version = library_version


class NvidiaLibrary:
    """One NVIDIA shared library, loaded on first use.

    Parameters
    ----------
    name : str
        The name ``cuda.pathfinder.load_nvidia_dynamic_lib`` knows it by (``"cufft"``,
        ``"cublasLt"``, ``"mathdx"``).
    display_name : str
        The name used in messages (``"cuFFT"``).
    package : str
        The pip package that provides it (``"nvidia-cufft"``).
    extra : str, optional
        The extra of this project that installs it (``"cu13"``).
    check : callable, optional
        ``check(c_name, status)``, called after every call of a declared function; it raises
        on error and its return value is the call's. Without it, the raw return value.
    version : callable, optional
        ``version() -> str``, the loaded library's version, for messages about missing
        functions. Called only once the library is loaded; errors in it are ignored.
    private : (soname, wheel directories, dependencies), optional
        Load it with ``RTLD_LOCAL``, so that its symbols stay out of the process's global
        scope: for libraries that export what they link statically (libmathdx 0.4 exports a
        whole libstdc++; loaded globally, libraries loaded later, PyTorch's among them, bind to
        it and crash). It is looked for as ``<site-packages>/<wheel directory>/<soname>``, then
        by the system's search; ``cuda.pathfinder`` loads its dependencies (by their names).
    """

    def __init__(
        self,
        name: str,
        *,
        display_name: str,
        package: str,
        extra: str | None = None,
        check: Callable[[str, int], object] | None = None,
        version: Callable[[], str] | None = None,
        private: tuple | None = None,
    ):
        self.name = name
        self.private = private
        self.display_name = display_name
        self.package = package
        self.extra = extra
        self._check = check
        self._version = version
        self._prototypes: dict[str, tuple[object, tuple]] = {}
        self._functions: dict[tuple[str, str], ctypes._CFuncPtr] = {}
        self._cdll: ctypes.CDLL | None = None
        self._path: str | None = None
        # Loading may run from several threads at once; it must happen once.
        self._lock = threading.Lock()

    def __repr__(self):
        state = f"loaded from {self._path!r}" if self._cdll is not None else "not loaded"
        return f"<NvidiaLibrary {self.name!r} ({state})>"

    # -- declaring (no loading) ---------------------------------------------------------

    def declare(self, c_name: str, restype, argtypes: Sequence) -> None:
        """Record the C prototype of ``c_name``; nothing is loaded."""
        self._prototypes[c_name] = (restype, tuple(argtypes))

    # -- loading -------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """Whether the library has been loaded (by this object)."""
        return self._cdll is not None

    @property
    def path(self) -> str | None:
        """The absolute path of the loaded library (loads it)."""
        self.cdll()
        return self._path

    def install_hint(self) -> str:
        """How to install the library, for messages."""
        hint = f"`pip install {self.package}`"
        if self.extra:
            hint += f" (or `pip install {_DISTRIBUTION}[{self.extra}]`)"
        return hint

    def cdll(self) -> ctypes.CDLL:
        """The loaded library, found with ``cuda.pathfinder`` on the first call.

        Raises
        ------
        LibraryNotFoundError
            Naming the library, the package that provides it and the underlying error.
        """
        if self._cdll is not None:
            return self._cdll
        with self._lock:
            if self._cdll is None:
                self._cdll, self._path = self._load()
        return self._cdll

    def _load(self) -> tuple[ctypes.CDLL, str | None]:
        if self.private:
            return self._load_private()
        try:
            from cuda.pathfinder import load_nvidia_dynamic_lib

            loaded = load_nvidia_dynamic_lib(self.name)
            path = loaded.abs_path
            # Reuse pathfinder's handle (never closed: pathfinder caches it process-wide).
            return ctypes.CDLL(path or self.name, handle=loaded._handle_uint), path
        except Exception as exc:
            raise self._not_loaded(exc) from exc

    def _load_private(self) -> tuple[ctypes.CDLL, str | None]:
        # Found as cuda.pathfinder finds wheel libraries (site-packages' nvidia/cu*/lib), else by
        # the loader's own search; its dependencies are loaded through cuda.pathfinder.
        import sys

        soname, wheel_dirs, dependencies = self.private
        try:
            from cuda.pathfinder import load_nvidia_dynamic_lib

            for dependency in dependencies:
                load_nvidia_dynamic_lib(dependency)
            candidates = [os.path.join(entry, sub, soname) for entry in sys.path if entry for sub in wheel_dirs]
            path = next((c for c in candidates if os.path.isfile(c)), None)
            return ctypes.CDLL(path or soname, mode=os.RTLD_NOW | os.RTLD_LOCAL), path
        except Exception as exc:
            raise self._not_loaded(exc) from exc

    def _not_loaded(self, exc: Exception) -> LibraryNotFoundError:
        return LibraryNotFoundError(
            f"{self.display_name} (library {self.name!r}) could not be loaded: "
            f"{type(exc).__name__}: {exc}. It is provided by the pip package "
            f"{self.package!r}: install it with {self.install_hint()}.",
            library=self.name,
            package=self.package,
        )

    def version_text(self) -> str | None:
        """The loaded library's version as the binding tells it, or None."""
        if self._version is None:
            return None
        try:
            return self._version()
        except Exception:
            return None

    # -- functions -----------------------------------------------------------------------

    def has(self, symbol: str) -> bool:
        """Whether the loaded library exports ``symbol`` (loads the library)."""
        try:
            getattr(self.cdll(), symbol)
        except AttributeError:
            return False
        return True

    def function(self, c_name: str, symbol: str | None = None):
        """The declared function ``c_name``, typed and checked, resolved once.

        Parameters
        ----------
        c_name : str
            The declared C name; errors name it.
        symbol : str, optional
            The exported symbol to bind, when it differs from ``c_name`` (a versioned alias).

        Raises
        ------
        LibraryNotFoundError
            The library cannot be loaded.
        FunctionNotFoundError
            The library lacks the symbol.
        """
        symbol = symbol or c_name
        key = (c_name, symbol)
        fn = self._functions.get(key)
        if fn is not None:
            return fn
        cdll = self.cdll()
        restype, argtypes = self._prototypes[c_name]
        try:
            # A new function object each time, so aliases never share argtypes or errcheck.
            fn = cdll[symbol]
        except AttributeError:
            raise self.missing(c_name, symbol) from None
        fn.restype = restype
        fn.argtypes = argtypes
        if self._check is not None:
            check = self._check
            fn.errcheck = lambda status, _func, _args: check(c_name, status)
        self._functions[key] = fn
        return fn

    def unchecked(self, c_name: str):
        """The declared function ``c_name`` without status checking, for per-call hot paths: it
        returns the status, which the caller hands to :meth:`check` when it is not 0 (saves a
        Python call per call)."""
        key = (c_name, "\0unchecked")
        fn = self._functions.get(key)
        if fn is None:
            checked = self.function(c_name)  # resolves (or reports) the symbol
            fn = self.cdll()[checked.__name__]  # a new function object: no errcheck
            fn.restype, fn.argtypes = checked.restype, checked.argtypes
            self._functions[key] = fn
        return fn

    def unchecked_addresses(self, c_name: str):
        """:meth:`unchecked`, with every typed-pointer parameter (``POINTER(T)``) declared
        ``void*``: the caller passes addresses as ints (``ctypes.addressof``). For the hottest
        paths only: ctypes' check of a ``byref()`` argument against ``POINTER(T)`` cost about
        0.4 µs of a 16-argument call (1.4 µs in all, measured on the 2-core host)."""
        key = (c_name, "\0addresses")
        fn = self._functions.get(key)
        if fn is None:
            plain = self.unchecked(c_name)
            argtypes = [
                ctypes.c_void_p if isinstance(t, type) and issubclass(t, ctypes._Pointer) else t for t in plain.argtypes
            ]
            address = ctypes.cast(plain, ctypes.c_void_p).value
            fn = ctypes.CFUNCTYPE(plain.restype, *argtypes)(address)
            fn._nvmath_owner = plain  # keeps the library's function object alive
            self._functions[key] = fn
        return fn

    def check(self, c_name: str, status: int) -> None:
        """Raise the library's exception for a non-zero ``status`` of ``c_name``."""
        if status and self._check is not None:
            self._check(c_name, status)

    def missing(self, c_name: str, symbol: str | None = None, *, needs: str | None = None) -> FunctionNotFoundError:
        """The error for a function the loaded library lacks (not raised here)."""
        version = self.version_text()
        found = f"{self.display_name} {version}" if version else self.display_name
        where = f" ({self._path})" if self._path else ""
        what = c_name if symbol in (None, c_name) else f"{c_name} (symbol {symbol})"
        message = f"{what} is not available in the loaded {found}{where}"
        message += f"; {needs}" if needs else ""
        message += f". Install a newer one with {self.install_hint()}."
        return FunctionNotFoundError(message, function=c_name, library_version=version)


class StatusError(Exception):
    """A C function of a bound library returned a failure status; each binding subclasses it.

    Subclasses set ``status_type`` (the library's status enum), ``status_prefix`` (what its C
    names start with) and ``unknown`` (the C type's name, for a status the enum lacks), and may
    override :meth:`status_name` (to ask the library itself).

    Attributes
    ----------
    function : str
        The C function's name.
    status : enum member or int
        The status (a plain int if the binding does not know it).
    """

    status_type: type = int
    status_prefix = ""
    unknown = "unknown status"

    def __init__(self, function: str, status: int):
        name = self.status_name(int(status))
        try:
            status = self.status_type(status)
        except ValueError:
            pass
        super().__init__(f"{function} failed: {name} ({int(status)})")
        self.function = function
        self.status = status

    @classmethod
    def status_name(cls, status: int) -> str:
        """The C name of ``status`` from the binding's enum."""
        try:
            return f"{cls.status_prefix}{cls.status_type(status).name}"
        except ValueError:
            return cls.unknown

    def __reduce__(self):
        return type(self), (self.function, int(self.status))
