"""Warm plain ``numba.cuda.jit`` kernels: an opt-in hook that gives them nvmath's kernel cache.

A kernel written with plain ``@numba.cuda.jit`` that calls nvmath's device functions links
LTO-IR, and numba-cuda neither caches such a kernel on disk nor offers a public way for an
extension to supply a compiled kernel before it compiles: numba-cuda 0.30.4 refuses to pickle
a code library with linking files, in-memory ``numba.cuda.LTOIR`` objects included
(``numba/cuda/codegen.py:488-496``), and its dispatcher consults only its private ``_cache``
before compiling (``numba/cuda/dispatcher.py:2114``). So this hook is a patch of a private
numba-cuda method, and therefore:

- off by default: on after :func:`enable_plain_kernel_cache`, or when the environment variable
  ``NVMATH_PLAIN_KERNEL_CACHE=1`` is set (read when ``nvmath.device`` is imported);
- versioned: it installs only on the numba-cuda releases it was tested with
  (:data:`TESTED_NUMBA_CUDA`), and refuses others with a message;
- narrow: it wraps ``CUDADispatcher.compile`` so that, before a kernel's first compile, a kernel
  that links external code (it reaches an nvmath device object or module, or has ``link=``)
  gets the same :class:`~nvmath.device.KernelCache` as :func:`nvmath.device.jit` kernels;
  every other kernel, device functions, and kernels with a cache of their own are left as they
  are. :func:`disable_plain_kernel_cache` puts the original method back.
"""

from __future__ import annotations

import logging
import threading
import types as _pytypes

from nvmath._internal.environment import flag

__all__ = [
    "enable_plain_kernel_cache",
    "disable_plain_kernel_cache",
    "plain_kernel_cache_enabled",
    "links_external_code",
    "TESTED_NUMBA_CUDA",
]

logger = logging.getLogger("nvmath.device")

#: numba-cuda releases (major, minor) whose ``CUDADispatcher.compile`` and ``_cache`` protocol the
#: hook was checked against.
TESTED_NUMBA_CUDA = ((0, 30),)

ENVIRONMENT_VARIABLE = "NVMATH_PLAIN_KERNEL_CACHE"

_lock = threading.Lock()
_original = None  # CUDADispatcher.compile before the hook, while the hook is on
_MARK = "_nvmath_plain_kernel_hook"
_CHECKED = "_nvmath_plain_kernel_checked"


def _numba_cuda_release() -> tuple[int, int] | None:
    from nvmath.jit.versions import package_version

    text = package_version("numba-cuda")
    try:
        major, minor = (int(part) for part in text.split(".")[:2])
    except ValueError:
        return None
    return (major, minor)


def plain_kernel_cache_enabled() -> bool:
    """Whether plain ``numba.cuda.jit`` kernels that link external code use nvmath's cache."""
    return _original is not None


def enable_plain_kernel_cache() -> None:
    """Give plain ``numba.cuda.jit`` kernels that link external code nvmath's kernel cache.

    After this call, the first compile of such a kernel in a process first looks for its linked
    cubin in :mod:`nvmath.cache` (as :func:`nvmath.device.jit` does); a hit skips typing,
    lowering, NVVM and nvJitLink, a miss compiles as usual and stores the cubin. A kernel links
    external code when it, or a device function it calls, reads an nvmath device object
    (:class:`~nvmath.device.FFT`, :class:`~nvmath.device.Matmul`, an extern function) or an
    ``nvmath.device`` module, or when it has ``link=``. ``numba.cuda.jit(cache=True)`` kernels
    of that kind, which numba-cuda cannot store, use nvmath's cache as well. Kernels compiled
    before the call are not affected. Setting ``NVMATH_PLAIN_KERNEL_CACHE=1`` does the same.

    This patches ``numba.cuda.dispatcher.CUDADispatcher.compile`` (numba-cuda offers no public
    hook for it), so it is off by default and refused on numba-cuda releases it was not tested
    with. Calling it again does nothing.

    Raises
    ------
    RuntimeError
        If the installed numba-cuda is not one of :data:`TESTED_NUMBA_CUDA`, or its dispatcher
        lacks what the hook relies on; nothing is changed then.
    """
    global _original
    with _lock:
        if _original is not None:
            return
        release = _numba_cuda_release()
        if release not in TESTED_NUMBA_CUDA:
            tested = ", ".join(f"{a}.{b}" for a, b in TESTED_NUMBA_CUDA)
            raise RuntimeError(
                f"enable_plain_kernel_cache: numba-cuda {release} is not supported; accepted: numba-cuda {tested} "
                "(use nvmath.device.jit instead of numba.cuda.jit to cache kernels on any release)"
            )
        from numba.cuda.dispatcher import CUDADispatcher

        original = CUDADispatcher.__dict__.get("compile")
        if not callable(original) or "_cache" not in CUDADispatcher.__init__.__code__.co_names:
            raise RuntimeError(
                "enable_plain_kernel_cache: this numba-cuda's CUDADispatcher has no compile() method or _cache "
                "attribute; use nvmath.device.jit instead"
            )
        compile_with_nvmath_cache = _make_hook(original)
        CUDADispatcher.compile = compile_with_nvmath_cache
        _original = original
    logger.info("plain numba.cuda.jit kernels that link external code now use nvmath's kernel cache")


def disable_plain_kernel_cache() -> None:
    """Undo :func:`enable_plain_kernel_cache`: new kernels compile as numba-cuda does.

    Kernels that already have nvmath's cache keep it. Does nothing when the hook is off. If
    another library wrapped ``CUDADispatcher.compile`` after nvmath, the hook cannot be taken
    out from under it: a warning says so and the hook stays (inactive for new kernels).
    """
    global _original
    with _lock:
        if _original is None:
            return
        from numba.cuda.dispatcher import CUDADispatcher

        current = CUDADispatcher.__dict__.get("compile")
        if getattr(current, _MARK, False):
            CUDADispatcher.compile = _original
        else:
            logger.warning(
                "disable_plain_kernel_cache: CUDADispatcher.compile was wrapped again after nvmath's hook; "
                "the hook stays installed but no longer gives new kernels nvmath's cache"
            )
        _original = None


def enable_from_environment() -> None:
    """Turn the hook on when ``NVMATH_PLAIN_KERNEL_CACHE`` is ``1`` (``true``, ``yes``, ``on``);
    a numba-cuda release that is not supported gives one warning instead of an error."""
    if not flag(ENVIRONMENT_VARIABLE, False, logger=logger, what="the hook") or _original is not None:
        return
    try:
        enable_plain_kernel_cache()
    except RuntimeError as e:
        logger.warning("%s=1 ignored: %s", ENVIRONMENT_VARIABLE, e)


def _make_hook(original):
    import functools

    from numba.cuda.core.compiler_lock import global_compiler_lock

    @functools.wraps(original)
    def compile(self, sig):
        # Decide once per dispatcher, before its first compile (the wrapped method returns kernels
        # compiled earlier without looking at the cache), under the lock compiles take.
        if _original is not None and not self.__dict__.get(_CHECKED, False):
            with global_compiler_lock:
                if not self.__dict__.get(_CHECKED, False):
                    self.__dict__[_CHECKED] = True
                    try:
                        _adopt(self)
                    except Exception as e:  # the hook never stands between a kernel and its compile
                        logger.warning("kernel %s compiles without nvmath's cache: %s", self.py_func.__qualname__, e)
        return original(self, sig)

    setattr(compile, _MARK, True)
    return compile


def _adopt(dispatcher) -> bool:
    """Install nvmath's kernel cache in ``dispatcher`` if it is a kernel that links external code
    and has numba's null cache or numba's own disk cache; whether it did."""
    from numba.cuda.core.caching import NullCache
    from numba.cuda.dispatcher import CUDACache

    from .kernel_cache import KernelCache, install

    options = getattr(dispatcher, "targetoptions", {}) or {}
    if options.get("device") or options.get("debug"):
        return False
    current = getattr(dispatcher, "_cache", None)
    if isinstance(current, KernelCache) or type(current) not in (NullCache, CUDACache):
        return False
    if not links_external_code(dispatcher):
        return False
    install(dispatcher)
    logger.info(
        "kernel %s links external code: nvmath's kernel cache replaces numba-cuda's %s",
        dispatcher.py_func.__qualname__,
        "disk cache, which cannot store it" if isinstance(current, CUDACache) else "in-process compile",
    )
    return True


def links_external_code(kernel) -> bool:
    """Whether a ``numba.cuda.jit`` kernel links code that numba-cuda cannot cache: it has
    ``link=``, or it or a device function it calls reads an nvmath device object or an
    ``nvmath.device`` module. Reads globals and closures only; compiles nothing.

    Parameters
    ----------
    kernel : numba.cuda dispatcher or function
    """
    seen: set[int] = set()
    return _reaches_device_code(kernel, seen)


def _reaches_device_code(value, seen: set[int]) -> bool:
    from ._object import DeviceObject

    if id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, DeviceObject):
        return True
    if isinstance(value, _pytypes.ModuleType):
        return value.__name__ == "nvmath.device" or value.__name__.startswith("nvmath.device.")
    if isinstance(value, _pytypes.FunctionType):
        return _function_reaches(value, seen)
    if getattr(value, "nvmath_function", None) is not None:  # an extern function's call intrinsic
        return True
    if type(value).__module__.startswith("numba"):
        py_func = getattr(value, "py_func", None)  # a dispatcher (kernel or device function)
        options = getattr(value, "targetoptions", None)
        if isinstance(options, dict) and options.get("link"):
            return True
        if isinstance(py_func, _pytypes.FunctionType):
            return _function_reaches(py_func, seen)
        return False
    return type(value).__module__.startswith("nvmath.device")


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, _pytypes.CodeType):
            names |= _code_names(const)
    return names


def _function_reaches(func, seen: set[int]) -> bool:
    names = _code_names(func.__code__)
    values = [func.__globals__[name] for name in names if name in func.__globals__]
    for cell in func.__closure__ or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    for value in values:
        if isinstance(value, _pytypes.ModuleType) and value.__name__ == "nvmath":
            if "device" in names:  # nvmath.device.<...> read through the top-level package
                return True
            continue
        if _reaches_device_code(value, seen):
            return True
    return False
