"""Where a failed device-side array check leaves its message without a system call.

A kernel that calls ``vprintf`` or ``__assertfail`` anywhere, even on a path never taken, pays
for it at every synchronization and the launch after it (on an H100, 2026-12-07: the warm-up's
``stream.synchronize()`` 16 us longer and the next launch about 60 us longer than the same
kernel's with a bare ``trap``, which matched nvmath-python's unchecked kernel). So the default
report (``"record"``) writes its message into page-locked host memory mapped into the device,
then traps; the host reads it back: :func:`array_check_failure`, and a log record at exit.
The record is a page of the process's own memory, registered with CUDA (never freed with a
context), so reading it never faults.

The kernel finds the buffer through a device global, ``__nvmath_array_check_record`` (a
pointer, defined by a small LTO-IR file linked into every kernel with the checks, which carries
the module set-up callback that fills it: numba-cuda's ``LinkableCode(setup_callback=...)``).
The first failing thread claims the message through a second device global (an atomic
compare-and-swap in device memory: atomics on mapped host memory are not portable), writes it,
fences at system scope and marks it complete; the others wait for that (bounded), then all
trap. A launch on a device whose module was never set up (numba-cuda sets up only the module
of the device a kernel was compiled or loaded on) still traps, without a message.

Layout of the record (``RECORD_BYTES``): ``u32`` state (``COMPLETE`` once written), ``u32``
unused, ``i64`` bytes the short array holds, then the message, NUL-terminated, with ``%lld``
where those bytes go.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import mmap
import struct
import threading

__all__ = ["array_check_failure"]

logger = logging.getLogger("nvmath.device")

RECORD_SYMBOL = "__nvmath_array_check_record"
CLAIM_SYMBOL = "__nvmath_array_check_claim"
#: The device globals of a checked kernel's module that the host touches (it writes the record's
#: pointer at module set-up): a link that drops the globals the host never touches keeps these.
HOST_SYMBOLS = (RECORD_SYMBOL, CLAIM_SYMBOL)
RECORD_BYTES = 512
TEXT_OFFSET = 16
#: The longest message a record holds (the rest is cut), its NUL excluded.
TEXT_LIMIT = RECORD_BYTES - TEXT_OFFSET - 8
COMPLETE = 2
#: Checks of the claim's completion a losing thread makes before it traps anyway.
WAIT_LIMIT = 1 << 20

# Defines the two globals (NVRTC compiles it to LTO-IR once a process: LTO-IR of an older
# target links into a newer one's).
DEFINITIONS_CPP = f"""extern "C" {{
__device__ unsigned long long* {RECORD_SYMBOL};
__device__ unsigned int {CLAIM_SYMBOL};
}}
"""
DEFINITIONS_TARGET = "75"

_lock = threading.Lock()
_buffer: list = []  # [host address, the page] once allocated
_definitions: list = []


def definitions():
    """The linkable code (LTO-IR) that defines the record's globals, with the module set-up
    callback that points them at the host record: one object a process, linked into every
    kernel with the checks."""
    with _lock:
        if not _definitions:
            from numba.cuda import LTOIR

            from nvmath.jit import compile_cpp

            name = "nvmath_array_check_record"
            target = DEFINITIONS_TARGET
            code = compile_cpp(DEFINITIONS_CPP, compute_capability=target, output="ltoir", name=name + ".cu")
            _definitions.append(LTOIR(code, name=name + ".ltoir", setup_callback=setup_module))
        return _definitions[0]


def _host_address() -> int:
    """The address of the process's record: a page of this process's own memory (never freed,
    so the host reads it safely whatever became of the CUDA contexts), zeroed."""
    with _lock:
        if not _buffer:
            page = mmap.mmap(-1, mmap.PAGESIZE)
            _buffer.append(ctypes.addressof(ctypes.c_char.from_buffer(page)))
            _buffer.append(page)  # kept alive
            atexit.register(_report_at_exit)
        return _buffer[0]


def _device_address() -> int:
    """The record's address in the current context: its page registered (page-locked, mapped,
    portable to every context) the first time, and again in a context created after the one
    that registered it was destroyed."""
    from cuda.bindings import driver as cu

    address = _host_address()
    err, device_pointer = cu.cuMemHostGetDevicePointer(address, 0)
    if err != cu.CUresult.CUDA_SUCCESS:
        flags = cu.CU_MEMHOSTREGISTER_PORTABLE | cu.CU_MEMHOSTREGISTER_DEVICEMAP
        (err,) = cu.cuMemHostRegister(address, mmap.PAGESIZE, flags)
        _check(err, "cuMemHostRegister")
        err, device_pointer = cu.cuMemHostGetDevicePointer(address, 0)
        _check(err, "cuMemHostGetDevicePointer")
    return int(device_pointer)


def _check(err, what):
    from cuda.bindings import driver as cu

    if err != cu.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"nvmath.device: {what} failed while setting up the array checks' record: {err!r}")


def setup_module(object_code) -> None:
    """numba-cuda's module set-up callback: point the loaded module's record global at the
    process's record (its device address in the current context)."""
    from cuda.bindings import driver as cu

    err, address, size = cu.cuLibraryGetGlobal(object_code.handle, RECORD_SYMBOL.encode())
    if err != cu.CUresult.CUDA_SUCCESS or size != 8:
        logger.debug("no array check record in module %s (%r)", object_code, err)
        return
    try:
        _point_at_record(address)
    except RuntimeError as e:
        # The kernel still checks and traps; only the message is lost.
        logger.warning("%s: a failed array check will stop the kernel without saying why", e)


def _point_at_record(address) -> None:
    from cuda.bindings import driver as cu

    value = ctypes.c_uint64(_device_address())
    # On a stream of its own that waits for no other (cuMemcpyHtoD would wait for the work
    # queued on blocking streams): the module may load while the user's work runs.
    err, stream = cu.cuStreamCreate(int(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
    _check(err, "cuStreamCreate")
    try:
        (err,) = cu.cuMemcpyHtoDAsync(address, ctypes.addressof(value), 8, stream)
        _check(err, "cuMemcpyHtoDAsync")
        (err,) = cu.cuStreamSynchronize(stream)
        _check(err, "cuStreamSynchronize")
    finally:
        cu.cuStreamDestroy(stream)


def format_record(raw: bytes) -> str | None:
    """The message a record's bytes hold, or None where none was completed."""
    state, _, held = struct.unpack_from("<IIq", raw)
    if state != COMPLETE:
        return None
    text = bytes(raw[TEXT_OFFSET:]).split(b"\0", 1)[0].decode("utf-8", "replace")
    return "nvmath.device: " + text.replace("%lld", str(held))


def record_text(owner: str, index: int, name: str, need: int) -> bytes:
    """The message of a short argument as a record holds it (``%lld``: the bytes it holds),
    cut to :data:`TEXT_LIMIT` bytes."""
    text = f"{owner}: argument {index} ({name}) holds %lld bytes, but needs at least {need}".encode()
    return text[:TEXT_LIMIT]


def array_check_failure() -> str | None:
    """The message of the device-side array check that stopped a kernel of this process, or
    None.

    A kernel whose array is shorter than a device function needs (``Matmul.execute``'s
    shared-memory operands, ``make_tensor``'s array...) fails its launch: the error surfaces
    at the next synchronization as numba-cuda's ``CudaAPIError`` (the context is unusable from
    then on, as after any trap). The message says which argument, the bytes it holds and the
    bytes it needs; it is also logged (``nvmath.device``, error) when the process exits.

    Returns
    -------
    str or None
        ``"nvmath.device: Matmul.execute: argument 4 (c) holds 8188 bytes, but needs at least
        8192"``, or None if no check failed (or the report is not ``"record"``: see
        ``NVMATH_DEVICE_ARRAY_CHECK_REPORT``).
    """
    if not _buffer:
        return None
    return format_record(ctypes.string_at(_buffer[0], RECORD_BYTES))


def _report_at_exit() -> None:
    message = array_check_failure()
    if message:
        logger.error("%s", message)
