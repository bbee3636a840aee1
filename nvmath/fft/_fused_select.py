"""Which kernel runs a GPU FFT: a cuFFT plan or nvmath's fused cuFFTDx kernel.

``FFTOptions.fused_kernel`` decides:

- ``"cufft"``: always cuFFT (prolog and epilog as LTO callbacks);
- ``"cufftdx"``: the fused kernel (:mod:`nvmath.fft._fused`); ValueError where it cannot run
  the transform;
- ``"auto"``: for a plan with a prolog or an epilog (cuFFT alone is left as it is), where the
  fused kernel can run the transform, the first plan of a problem
  times cuFFT and a few fused kernels (:func:`nvmath.fft._fused.candidates`) on the operand
  itself, writing into a scratch result (and, in place, reading a scratch copy), so the
  user's data is untouched. The fastest is remembered in the process and in a small JSON
  record in nvmath's cache directory (``fft_fused_choices.json``), keyed by the device's name,
  the problem (size, precision, transform type, row distances and element strides, direction,
  batch) and the identity of the
  prolog and epilog (their LTO-IR, not their ``data``); later plans, in this process or
  another, take the recorded choice without timing. The choice is logged at INFO on
  ``nvmath.fft``; why a transform is left to cuFFT, at DEBUG.

Timings are medians of CUDA-event timed runs, the contenders alternating in rounds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import statistics
import tempfile
import threading

from . import _fused

__all__ = ["FusedExecution", "prepare", "choose", "record_key", "load_choice", "store_choice", "RECORD_FILE"]

logger = logging.getLogger("nvmath.fft")

#: The record of choices, in nvmath's cache directory.
RECORD_FILE = "fft_fused_choices.json"
#: 2: problems with a transform type and element strides (records of schema 1 are ignored).
_RECORD_SCHEMA = 2
_RECORD_MAX_BYTES = 4 << 20
#: Timed runs of each contender (after warm-up), and how many fused candidates "auto" times.
TIMED_RUNS = 5
WARMUP_RUNS = 2
AUTO_CANDIDATES = 3

_choices: dict = {}
_lock = threading.Lock()


# -- the record ------------------------------------------------------------------------------------
def record_key(device_name: str, problem: _fused.Problem, batch: int, prolog_id, epilog_id) -> str:
    """The record's key of one choice: a hash of everything that decides it."""
    from nvmath import __version__

    text = json.dumps(
        {
            "schema": _RECORD_SCHEMA,
            "device": device_name,
            "problem": dataclasses.asdict(problem),
            "batch": int(batch),
            "prolog": prolog_id,
            "epilog": epilog_id,
            "nvmath": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def record_path():
    """The record's file, or None when nvmath's cache is disabled or has no directory."""
    try:
        from nvmath import cache

        store = cache.get_cache()
        if not store.enabled or store.location is None:
            return None
        return os.path.join(os.fspath(store.location), RECORD_FILE)
    except Exception as e:  # the record is an optimization: never fail a plan for it
        logger.debug("no record of fused-kernel choices: %s", e)
        return None


def _read_record(path) -> dict:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return {}
    try:
        with os.fdopen(fd, "rb") as f:
            data = f.read(_RECORD_MAX_BYTES + 1)
        if len(data) > _RECORD_MAX_BYTES:
            return {}
        record = json.loads(data)
    except (OSError, ValueError) as e:
        logger.debug("ignoring the record of fused-kernel choices %s: %s", path, e)
        return {}
    entries = record.get("entries") if isinstance(record, dict) and record.get("schema") == _RECORD_SCHEMA else None
    return entries if isinstance(entries, dict) else {}


def _valid_entry(entry) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("choice"), str):
        return False
    if entry["choice"] == "cufft":
        return True
    try:
        _fused.Knobs.from_label(entry["choice"])
    except ValueError:
        return False
    return True


def load_choice(key: str):
    """The recorded choice for ``key`` (a dict with ``choice``: ``"cufft"`` or a knobs label),
    from this process, else from the record file; None if there is none."""
    with _lock:
        entry = _choices.get(key)
        if entry is not None:
            return entry
        path = record_path()
        if path is None:
            return None
        entry = _read_record(path).get(key)
        if not _valid_entry(entry):
            return None
        _choices[key] = entry
        return entry


def store_choice(key: str, entry: dict) -> None:
    """Remember ``entry`` for ``key`` in this process and in the record file (rewritten
    whole, through a temporary file and a rename; a failure to write is logged, not raised)."""
    with _lock:
        _choices[key] = entry
        path = record_path()
        if path is None:
            return
        entries = _read_record(path)
        entries[key] = entry
        text = json.dumps({"schema": _RECORD_SCHEMA, "entries": entries}, sort_keys=True, indent=1)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".fft_fused_", dir=directory)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(text)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as e:
            logger.debug("could not write the record of fused-kernel choices %s: %s", path, e)


# -- timing ----------------------------------------------------------------------------------------
def choose(contenders: dict, timer, *, rounds: int = TIMED_RUNS) -> tuple[str, dict]:
    """The fastest of ``contenders`` (name → function queuing one run) and the median time of
    each, timed by ``timer(run) -> milliseconds`` in alternating rounds (the order of the
    contenders rotates each round, so none is always first after another)."""
    if not contenders:
        raise ValueError("choose() needs at least one contender")
    names = list(contenders)
    samples: dict = {name: [] for name in names}
    for r in range(max(1, rounds)):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(float(timer(contenders[name])))
    times = {name: statistics.median(values) for name, values in samples.items()}
    best = min(names, key=lambda n: (times[n], names.index(n)))
    return best, times


def event_timer(stream_handle: int):
    """``timer(run) -> ms``: one run of ``run()`` on the stream, timed with CUDA events."""
    from nvmath._internal.streams import _runtime, check_cuda

    runtime = _runtime()

    def timer(run) -> float:
        start = check_cuda(runtime.cudaEventCreate(), "cudaEventCreate")
        stop = check_cuda(runtime.cudaEventCreate(), "cudaEventCreate")
        try:
            check_cuda(runtime.cudaEventRecord(start, stream_handle), "cudaEventRecord")
            run()
            check_cuda(runtime.cudaEventRecord(stop, stream_handle), "cudaEventRecord")
            check_cuda(runtime.cudaEventSynchronize(stop), "cudaEventSynchronize")
            return float(check_cuda(runtime.cudaEventElapsedTime(start, stop), "cudaEventElapsedTime"))
        finally:
            runtime.cudaEventDestroy(start)
            runtime.cudaEventDestroy(stop)

    return timer


def _device_name(device_id: int) -> str:
    from nvmath._internal.streams import _runtime, check_cuda

    props = check_cuda(_runtime().cudaGetDeviceProperties(device_id), "cudaGetDeviceProperties")
    name = props.name
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).split(b"\0", 1)[0].decode(errors="replace")
    return str(name)


# -- the fused execution of one plan ---------------------------------------------------------------
class FusedExecution:
    """The fused kernel behind one planned FFT: its callbacks, knobs and kernels (one per
    direction, built when first needed).

    Attributes
    ----------
    knobs : nvmath.fft._fused.Knobs or None
        None until chosen.
    mode : {"auto", "cufftdx"}
    needs_cufft : bool
        Whether the cuFFT plan must be made too (to time it, or because cuFFT was recorded as
        the faster).
    """

    def __init__(self, spec, direction, callbacks: dict, target, device_id: int, mode: str):
        self.spec = spec
        self.direction = direction
        self.target = target
        self.device_id = device_id
        self.mode = mode
        self.problem = _fused.problem_of(spec, direction)
        self.batch = spec.batch
        self.prolog = self._callback("prolog", callbacks.get("prolog"))
        self.epilog = self._callback("epilog", callbacks.get("epilog"))
        self.in_info = callbacks["prolog"][2] if "prolog" in callbacks else 0
        self.out_info = callbacks["epilog"][2] if "epilog" in callbacks else 0
        self.knobs = None
        self._kernels: dict = {}
        self.key = record_key(
            _device_name(device_id),
            self.problem,
            self.batch,
            None if self.prolog is None else self.prolog.identity,
            None if self.epilog is None else self.epilog.identity,
        )
        self.recorded = load_choice(self.key)
        self.needs_cufft = mode == "auto" and (self.recorded is None or self.recorded["choice"] == "cufft")

    @staticmethod
    def _callback(kind, resolved):
        if resolved is None:
            return None
        symbol, code, _data_ptr = resolved
        return _fused.Callback(kind, symbol, bytes(code))

    def candidates(self, limit: int) -> list:
        return _fused.candidates(
            self.problem,
            self.target,
            has_prolog=self.prolog is not None,
            has_epilog=self.epilog is not None,
            limit=limit,
        )

    def kernel(self, knobs, direction=None):
        """The prepared kernel of ``knobs`` in ``direction`` (default: the planned one)."""
        problem = self.problem
        if direction is not None:
            name = "forward" if int(direction) < 0 else "inverse"
            if name != problem.direction:
                problem = dataclasses.replace(problem, direction=name)
        key = (knobs, problem.direction)
        kernel = self._kernels.get(key)
        if kernel is None:
            kernel = _fused.get_kernel(problem, knobs, self.prolog, self.epilog, self.target)
            kernel.prepare()
            self._kernels[key] = kernel
        return kernel

    def launch(self, src: int, dst: int, direction, stream_handle: int) -> None:
        """Queue the transform of the planned batch from ``src`` to ``dst``."""
        self.kernel(self.knobs, direction).launch(src, dst, self.in_info, self.out_info, self.batch, stream_handle)


def prepare(backend, callbacks: dict, direction, mode: str):
    """The :class:`FusedExecution` of a plan about to be made, or None where cuFFT runs it.

    ``callbacks`` maps ``"prolog"``/``"epilog"`` to ``(symbol, LTO-IR, user_info address)``.

    Raises
    ------
    ValueError
        With ``mode="cufftdx"``, where the fused kernel cannot run the transform.
    """
    spec = backend.spec
    if mode == "auto" and not callbacks:
        # Without a callback cuFFT runs at about a copy's speed: nothing to win, a compile to lose.
        return None
    why = _fused.unsupported_reason(spec)
    if why is None and direction is None:
        why = "no direction was given"
    if why is not None:
        return _unsupported(mode, why)
    from nvmath.jit import device_target

    try:
        fused = FusedExecution(spec, direction, callbacks, device_target(backend.device_id), backend.device_id, mode)
        if fused.recorded is None or fused.recorded["choice"] == "cufft":
            fused.candidates(1)  # cuFFTDx knows the size (raises ValueError otherwise)
    except ValueError as e:
        return _unsupported(mode, str(e))
    return fused


def _unsupported(mode: str, why: str):
    if mode == "cufftdx":
        raise ValueError(
            f"fused_kernel='cufftdx' cannot run this transform: {why}; accepted: 1-D C2C, R2C and C2R "
            "transforms in single or double precision (complex64, complex128, float32, float64), of a size "
            "cuFFTDx supports (use fused_kernel='auto' or 'cufft')"
        )
    logger.debug("FFT: cuFFT runs this transform; the fused cuFFTDx kernel does not, as %s", why)
    return None


def finish(backend, fused: FusedExecution, stream):
    """Choose the kernel once the cuFFT plan (if any) is made: returns ``fused`` with its knobs
    set where the fused kernel runs the transform, else None.

    Raises
    ------
    ValueError, nvmath.jit.LinkError...
        With ``mode="cufftdx"``, where the kernel cannot be built.
    """
    recorded = fused.recorded
    if recorded is not None:
        if recorded["choice"] == "cufft" and fused.mode == "auto":
            logger.info("FFT: cuFFT runs %s (batch %d): recorded as the faster", fused.problem.describe(), fused.batch)
            return None
        if recorded["choice"] != "cufft":
            knobs = _fused.Knobs.from_label(recorded["choice"])
            if _build(fused, knobs, strict=fused.mode == "cufftdx"):
                fused.knobs = knobs
                logger.info(
                    "FFT: the fused cuFFTDx kernel %s runs %s (batch %d): recorded as the faster",
                    knobs.label(),
                    fused.problem.describe(),
                    fused.batch,
                )
                return fused
    if fused.mode == "cufftdx":
        knobs = fused.candidates(1)[0]
        _build(fused, knobs, strict=True)
        fused.knobs = knobs
        logger.info(
            "FFT: the fused cuFFTDx kernel %s runs %s (batch %d): fused_kernel='cufftdx'",
            knobs.label(),
            fused.problem.describe(),
            fused.batch,
        )
        return fused
    if backend.handle is None or backend.device_operand is None:
        logger.debug("FFT: cuFFT runs this transform: there is no operand to time the fused kernel with")
        return None
    built = [k for k in fused.candidates(AUTO_CANDIDATES) if _build(fused, k, strict=False)]
    if not built:
        return None
    best, times = _time(backend, fused, built, stream)
    text = ", ".join(f"{name} {ms:.4f} ms" for name, ms in sorted(times.items(), key=lambda item: item[1]))
    store_choice(
        fused.key,
        {"choice": best, "times_ms": times, "problem": fused.problem.describe(), "batch": fused.batch},
    )
    if best == "cufft":
        logger.info("FFT: cuFFT chosen for %s (batch %d) by timing: %s", fused.problem.describe(), fused.batch, text)
        return None
    fused.knobs = _fused.Knobs.from_label(best)
    logger.info(
        "FFT: the fused cuFFTDx kernel %s chosen for %s (batch %d) by timing: %s",
        best,
        fused.problem.describe(),
        fused.batch,
        text,
    )
    return fused


def _build(fused: FusedExecution, knobs, *, strict: bool) -> bool:
    try:
        fused.kernel(knobs)
    except Exception as e:
        if strict:
            raise
        level = logging.DEBUG if isinstance(e, ValueError) else logging.WARNING
        logger.log(level, "FFT: the fused cuFFTDx kernel %s is not used: %s: %s", knobs.label(), type(e).__name__, e)
        return False
    return True


def _time(backend, fused: FusedExecution, knobs_list, stream):
    """Median times of cuFFT and of each kernel on the operand, into scratch buffers."""
    from nvmath._internal import streams as _streams
    from nvmath.bindings import cufft

    spec = backend.spec
    src = backend.device_operand
    alloc = backend.allocator
    scratch_in = None
    if spec.inplace or spec.copy_input:
        scratch_in = src.empty(spec.in_shape, spec.in_dtype, strides=spec.in_strides, stream=stream, allocator=alloc)
        scratch_in.copy_from(src, stream)
        in_ptr = scratch_in.data_ptr
    else:
        in_ptr = src.data_ptr
    if spec.inplace:
        out = scratch_in
    else:
        out = src.empty(spec.out_shape, spec.out_dtype, strides=spec.out_strides, stream=stream, allocator=alloc)
    out_ptr, handle, sign = out.data_ptr, backend.handle, int(fused.direction)
    backend._ensure_workspace(stream)

    def run_cufft():
        cufft.cufftXtExec(handle, in_ptr, out_ptr, sign)

    contenders = {"cufft": run_cufft}
    for knobs in knobs_list:
        kernel = fused.kernel(knobs)
        contenders[knobs.label()] = functools.partial(
            kernel.launch, in_ptr, out_ptr, fused.in_info, fused.out_info, fused.batch, stream.handle
        )
    with _streams.device_context(backend.device_id):
        cufft.cufftSetStream(handle, stream.handle)
        backend._plan_stream = stream.handle
        for run in contenders.values():
            for _ in range(WARMUP_RUNS):
                run()
        result = choose(contenders, event_timer(stream.handle))
        _streams.synchronize(stream)  # the scratch buffers go back to the pool after the runs
    del scratch_in, out
    return result
