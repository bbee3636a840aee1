"""How a kernel that nvmath's kernel cache serves is compiled and linked when the cache misses.

numba-cuda (0.30, with nvJitLink) compiles a kernel's own code to LTO-IR and links it with the
LTO-IR of the device functions it calls (libmathdx's, nvmath's). nvJitLink keeps every global
of that LTO-IR unless told which ones the host touches, and libmathdx's code defines thousands
that no function uses. Linked that way, the chained-GEMM kernel of nvmath-python's example is a
1.74 MB cubin. On an H100 (2026-12-08, ``tools/probe_module_load.py``,
``docs/results/h100/module_load.json``) it took 48 ms to load and 35 ms to unload. The same
code linked with the unused globals dropped is 48 KB and took 0.41 ms and 0.04 ms.

So, when the cache misses, a kernel it serves is compiled as its dispatcher would compile it,
and numba-cuda's linker links it with one more option: ``-variables-used=`` names the globals
the host touches (the array checks' record). That option is passed only where every input of
the link is LTO-IR and no linked code has module callbacks other than the record's (see
:func:`~nvmath.device.kernel_cache.unused_globals_link_options`). A link with PTX among its
inputs can lose what the PTX uses (a test link lost the kernel itself), so it stays as
numba-cuda links it. ``NVMATH_DEVICE_KERNEL_LINK=numba`` keeps numba-cuda's own compile and
link.

This reaches into numba-cuda's private ``_Kernel`` and ``_Linker`` (release 0.30). On a release
where they are missing, the miss takes numba-cuda's own path.
"""

from __future__ import annotations

import logging
import threading

from nvmath._internal.environment import choice

__all__ = ["KERNEL_LINKS", "kernel_link", "supported", "compile_kernel", "link_library", "has_foreign_module_callbacks"]

logger = logging.getLogger("nvmath.device")

#: How a cache miss links a kernel (``NVMATH_DEVICE_KERNEL_LINK``): ``"nvmath"``, the unused
#: globals dropped (the default); ``"numba"``, as numba-cuda does.
KERNEL_LINKS = ("nvmath", "numba")
ENVIRONMENT_VARIABLE = "NVMATH_DEVICE_KERNEL_LINK"

_lock = threading.Lock()
_linker_classes: list = []


def kernel_link() -> str:
    """How this process links the kernels the cache serves: one of :data:`KERNEL_LINKS`."""
    return choice(ENVIRONMENT_VARIABLE, KERNEL_LINKS, "nvmath", logger=logger, what="nvmath's link stays")


def supported() -> bool:
    """Whether the installed numba-cuda has the private pieces this link uses."""
    try:
        from numba.cuda import dispatcher
        from numba.cuda.codegen import CUDACodeLibrary
        from numba.cuda.cudadrv import driver
    except ImportError:
        return False
    return (
        hasattr(dispatcher, "_Kernel")
        and hasattr(driver, "_Linker")
        and hasattr(driver._Linker, "_get_linker_options")
        and hasattr(CUDACodeLibrary, "_link_all")
    )


def _linker_class():
    # Made once numba-cuda is imported (nvmath.device imports no Numba of its own accord).
    with _lock:
        if not _linker_classes:
            from numba.cuda.cudadrv import driver

            from ._array_check_record import HOST_SYMBOLS

            class UnusedGlobalsLinker(driver._Linker):
                """numba-cuda's linker, dropping the globals no device code uses where every
                input is LTO-IR (nvJitLink sees every use then)."""

                def _get_linker_options(self, ptx):
                    options = super()._get_linker_options(ptx)
                    codes = getattr(self, "_object_codes", None) or ()
                    if codes and all(getattr(c, "code_type", None) == "ltoir" for c in codes):
                        options.variables_used = list(HOST_SYMBOLS)
                        self.dropped_unused_globals = True
                    return options

            _linker_classes.append(UnusedGlobalsLinker)
        return _linker_classes[0]


def has_foreign_module_callbacks(library) -> bool:
    """Whether a code library's linked code has module callbacks other than the array checks'
    record (numba-cuda's ``setup_callback``/``teardown_callback``): a kernel rebuilt from its
    cubin would lack them, and through them the host may touch the module's globals."""
    from ._array_check_record import setup_module

    setups = getattr(library, "_setup_functions", None) or ()
    return bool([f for f in setups if f is not setup_module] or getattr(library, "_teardown_functions", None))


def _host_touches_globals(library) -> bool:
    """Whether linked code may have globals the host reads or writes: module callbacks other
    than the record's, or numba-cuda's NRT."""
    if has_foreign_module_callbacks(library):
        return True
    return any(getattr(item, "nrt", False) for item in getattr(library, "_linking_files", ()))


def link_library(library, cc):
    """Link a compiled kernel's code library for target ``cc`` (``(major, minor, suffix)``) and
    keep the cubin where numba-cuda looks for it, so the kernel's launch links nothing.

    Dropping the unused globals applies to a library compiled with ``lto=True`` (its own code
    LTO-IR) whose code leaves the host no globals to touch; any other library is linked as
    numba-cuda links it.

    Returns
    -------
    tuple
        The cubin (as numba-cuda keeps it) and whether the unused globals were dropped.
    """
    whole_ltoir = getattr(library, "_lto", False) and not getattr(library, "needs_cudadevrt", False)
    if not whole_ltoir or _host_touches_globals(library):
        return library.get_cubin(cc=cc), False
    linker = _linker_class()(max_registers=library._max_registers, cc=cc, lto=True)
    library._link_all(linker, cc, ignore_nonlto=False)
    cubin = linker.complete()
    library._cubin_cache[cc] = cubin
    library._linkerinfo_cache[cc] = linker.info_log
    return cubin, bool(getattr(linker, "dropped_unused_globals", False))


def compile_kernel(dispatcher, argtypes, cc):
    """The kernel of ``dispatcher`` (a numba-cuda kernel dispatcher) for ``argtypes``, compiled as
    the dispatcher would compile it (its code as LTO-IR, numba-cuda's default where nvJitLink is
    there) and linked by :func:`link_library` for ``cc``. Its module is not loaded (the launch,
    or ``bind()``, loads it).

    Returns
    -------
    tuple
        The kernel (numba-cuda's ``_Kernel``) and whether the unused globals were dropped.
    """
    from numba.cuda.dispatcher import _Kernel

    kernel = _Kernel(dispatcher.py_func, tuple(argtypes), **dispatcher.targetoptions)
    _, dropped = link_library(kernel._codelibrary, cc)
    return kernel, dropped
