"""CUDA graphs of one repeated library call, for per-call hot paths.

A library call costs the CPU more than replaying a graph of it: cuBLASLt's ``cublasLtMatmul``
took about 10 µs of a 64^3 ``Matmul.execute`` on the H200 host, where a graph launch takes a
few. A hot path that makes the same call again and again, with only a few addresses changing
among a few values (a caching allocator hands the next result the block the last one freed),
captures the call once per set of addresses and replays it from then on.

What keeps a replay the same as the call:

- The caller keys a graph by every address that may change between its calls. All else the
  call reads when it is made (host scalars, descriptors, the operands' addresses) must stay as
  it was for this object's lifetime: the caller drops the object (:meth:`CallGraphs.close`)
  when any of it changes.
- Graphs run only on the legacy default stream (handle 0): no stream capture can include it, so
  a replay never lands in a capture of the user's (where a graph launch is not allowed) and the
  capture here never meets one on that stream.
- A key is captured the second time it is seen: results the caller keeps never come back to the
  same address, and never pay for a capture.
- Any failure turns the object off (logged once); the caller goes on making its call.

``NVMATH_CALL_GRAPHS=0`` in the environment turns them off for the process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable

from .environment import flag

__all__ = ["CallGraphs", "LEGACY_STREAM", "graphs_enabled"]

#: The legacy default stream's handle: graphs run only there (see the module's docstring).
LEGACY_STREAM = 0


def graphs_enabled() -> bool:
    """False where ``NVMATH_CALL_GRAPHS`` is set to ``0`` (or ``false``, ``no``, ``off``)."""
    return flag("NVMATH_CALL_GRAPHS", True, logger=logging.getLogger("nvmath.linalg"), what="graphs")


class CallGraphs:
    """Executable graphs of one library call, by key (the addresses that change between calls).

    Parameters
    ----------
    what : str
        The call, for log messages (e.g. ``"cublasLtMatmul"``).
    logger : logging.Logger
        Where captures and failures are logged (DEBUG and INFO).
    capacity : int
        Graphs kept at most; a new key past it is not captured. Keys remembered: 4x as many.
    """

    def __init__(self, what: str, logger: logging.Logger, *, capacity: int = 4):
        if capacity < 1:
            raise ValueError(f"capacity={capacity!r}; accepted: an int of at least 1")
        self.what = what
        self.logger = logger
        self.capacity = capacity
        self.enabled = graphs_enabled()
        self._graphs: dict[Hashable, object] = {}
        self._seen: dict[Hashable, None] = {}  # insertion-ordered: the oldest goes first
        self._stream = None  # the capture stream, made on first use
        self._legacy = None  # cudaStream_t(0), made once: cuda.bindings converts it fastest
        self._launch = None  # cudaGraphLaunch, set with the capture stream
        self._lock = threading.Lock()  # one capture at a time (the capture stream is shared)

    def __len__(self) -> int:
        return len(self._graphs)

    def replay(self, key: Hashable) -> bool:
        """Launch the graph of ``key`` on the legacy default stream; False where there is none
        (or its launch failed, which turns this object off): the caller then makes its call."""
        graph = self._graphs.get(key)
        if graph is None:
            return False
        (err,) = self._launch(graph, self._legacy)
        if err:
            self._disable(f"cudaGraphLaunch failed ({_name(err)})")
            return False
        return True

    def note(self, key: Hashable, call: Callable[[int], int]) -> None:
        """After the caller made its call for ``key`` on the legacy default stream: remember the
        key, and where it is seen the second time, capture ``call(stream handle)`` (it returns
        the library's status, 0 for success) into a graph for :meth:`replay`."""
        if not self.enabled or key in self._graphs:
            return
        with self._lock:  # the bookkeeping too: threads may share the object
            if not self.enabled or key in self._graphs:
                return
            if key not in self._seen:
                self._seen[key] = None
                if len(self._seen) > 4 * self.capacity:
                    del self._seen[next(iter(self._seen))]
                return
            if len(self._graphs) >= self.capacity:
                return
            graph = self._capture(call)
            if graph is not None:
                self._graphs[key] = graph
                self.logger.debug(
                    "%s: captured into a CUDA graph for addresses %s (%d graphs)", self.what, key, len(self._graphs)
                )

    def _capture(self, call):
        from cuda.bindings import runtime

        if self._stream is None:
            err, stream = runtime.cudaStreamCreateWithFlags(runtime.cudaStreamNonBlocking)
            if err:
                return self._disable(f"cudaStreamCreateWithFlags failed ({_name(err)})")
            self._stream, self._legacy = stream, runtime.cudaStream_t(LEGACY_STREAM)
            self._launch = runtime.cudaGraphLaunch  # looked up once: replay() is per call
        mode = runtime.cudaStreamCaptureMode.cudaStreamCaptureModeThreadLocal
        (err,) = runtime.cudaStreamBeginCapture(self._stream, mode)
        if err:
            return self._disable(f"cudaStreamBeginCapture failed ({_name(err)})")
        try:
            status = call(int(self._stream))
        finally:
            err, graph = runtime.cudaStreamEndCapture(self._stream)
        if status or err:
            if not err:
                runtime.cudaGraphDestroy(graph)
            why = f"status {status}" if status else f"cudaStreamEndCapture failed ({_name(err)})"
            return self._disable(f"the captured {self.what} failed ({why})")
        try:
            err, executable = runtime.cudaGraphInstantiate(graph, 0)
        finally:
            runtime.cudaGraphDestroy(graph)
        if err:
            return self._disable(f"cudaGraphInstantiate failed ({_name(err)})")
        return executable

    def _disable(self, why: str) -> None:
        if self.enabled:
            self.logger.info("%s: CUDA graphs off for this object: %s", self.what, why)
        self.enabled = False
        return None

    def close(self) -> None:
        """Destroy the graphs (a graph still running finishes first: CUDA frees it after) and
        the capture stream. Idempotent."""
        graphs, self._graphs, self._seen = self._graphs, {}, {}
        self.enabled = False
        if not graphs and self._stream is None:
            return
        from cuda.bindings import runtime

        for graph in graphs.values():
            runtime.cudaGraphExecDestroy(graph)
        if self._stream is not None:
            runtime.cudaStreamDestroy(self._stream)
            self._stream = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # at interpreter exit CUDA may be gone already
            pass


def _name(err) -> str:
    try:
        from cuda.bindings import runtime

        name = runtime.cudaGetErrorName(err)[1]
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # only for a message
        return str(err)
