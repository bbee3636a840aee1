"""CallGraphs' bookkeeping, against a stand-in for cuda.bindings' runtime (no GPU needed): a
key is captured the second time it is seen, replays launch its graph, failures turn the object
off and leave the caller's call, close() destroys what was made."""

import logging

import pytest

from nvmath._internal.graphs import CallGraphs, graphs_enabled


class FakeRuntime:
    """The runtime calls CallGraphs makes, recorded; ``fail`` names one to fail (error 1)."""

    class cudaStreamCaptureMode:
        cudaStreamCaptureModeThreadLocal = 1

    cudaStreamNonBlocking = 1

    def __init__(self, fail=None):
        self.fail = fail
        self.calls = []
        self.capturing = None
        self.next_handle = 100

    def _result(self, name, *values):
        self.calls.append(name)
        return (1 if self.fail == name else 0, *values)

    def cudaStream_t(self, handle):
        return ("stream", handle)

    def cudaStreamCreateWithFlags(self, flags):
        self.next_handle += 1
        return self._result("cudaStreamCreateWithFlags", self.next_handle)

    def cudaStreamBeginCapture(self, stream, mode):
        self.capturing = stream
        return self._result("cudaStreamBeginCapture")

    def cudaStreamEndCapture(self, stream):
        self.capturing = None
        return self._result("cudaStreamEndCapture", ("graph", stream))

    def cudaGraphInstantiate(self, graph, flags):
        self.next_handle += 1
        return self._result("cudaGraphInstantiate", ("exec", self.next_handle))

    def cudaGraphLaunch(self, graph, stream):
        assert stream == ("stream", 0), "graphs run on the legacy default stream only"
        return self._result("cudaGraphLaunch")

    def cudaGraphDestroy(self, graph):
        return self._result("cudaGraphDestroy")

    def cudaGraphExecDestroy(self, graph):
        return self._result("cudaGraphExecDestroy")

    def cudaStreamDestroy(self, stream):
        return self._result("cudaStreamDestroy")

    def cudaGetErrorName(self, err):
        return 0, b"cudaErrorFake"


@pytest.fixture
def runtime(monkeypatch):
    import cuda.bindings

    fake = FakeRuntime()
    monkeypatch.setattr(cuda.bindings, "runtime", fake, raising=False)
    monkeypatch.setitem(__import__("sys").modules, "cuda.bindings.runtime", fake)
    monkeypatch.delenv("NVMATH_CALL_GRAPHS", raising=False)
    return fake


def _graphs(capacity=4):
    return CallGraphs("fakeCall", logging.getLogger("test.graphs"), capacity=capacity)


def test_a_key_is_captured_the_second_time_it_is_seen(runtime):
    g = _graphs()
    captured = []

    def call(stream):
        captured.append(stream)
        assert runtime.capturing == stream, "the call is made while its stream captures"
        return 0

    assert not g.replay((1, 2))
    g.note((1, 2), call)  # first sighting: remembered only
    assert captured == [] and len(g) == 0 and not g.replay((1, 2))
    g.note((1, 2), call)  # second: captured on a stream of its own, not the default one
    assert len(captured) == 1 and captured[0] != 0 and len(g) == 1
    assert g.replay((1, 2))
    assert not g.replay((3, 2)), "another address has no graph"
    assert runtime.calls.count("cudaGraphLaunch") == 1
    g.note((1, 2), call)  # already captured: nothing more
    assert len(captured) == 1


def test_capacity_and_remembered_keys_are_bounded(runtime):
    g = _graphs(capacity=2)
    for key in range(20):  # never twice: nothing captured, at most 8 keys remembered
        g.note(key, lambda s: 0)
    assert len(g) == 0 and len(g._seen) == 8
    for key in (100, 101, 102):
        g.note(key, lambda s: 0)
        g.note(key, lambda s: 0)
    assert len(g) == 2, "past capacity a new key is not captured"
    assert g.replay(100) and g.replay(101) and not g.replay(102)


@pytest.mark.parametrize(
    "failing", ["cudaStreamCreateWithFlags", "cudaStreamBeginCapture", "cudaStreamEndCapture", "cudaGraphInstantiate"]
)
def test_a_failed_capture_turns_graphs_off(runtime, failing, caplog):
    runtime.fail = failing
    g = _graphs()
    g.note(1, lambda s: 0)
    with caplog.at_level(logging.INFO, logger="test.graphs"):
        g.note(1, lambda s: 0)
    assert not g.enabled and len(g) == 0 and not g.replay(1)
    assert failing in caplog.text and "CUDA graphs off" in caplog.text
    runtime.fail = None
    g.note(2, lambda s: 0)
    g.note(2, lambda s: 0)
    assert len(g) == 0, "once off, nothing more is captured"


def test_a_call_failing_in_capture_turns_graphs_off_and_its_graph_is_destroyed(runtime, caplog):
    g = _graphs()
    g.note(1, lambda s: 7)
    with caplog.at_level(logging.INFO, logger="test.graphs"):
        g.note(1, lambda s: 7)
    assert not g.enabled and "status 7" in caplog.text
    assert runtime.calls.count("cudaGraphDestroy") == 1 and "cudaGraphInstantiate" not in runtime.calls


def test_a_call_raising_in_capture_ends_the_capture(runtime):
    g = _graphs()

    def call(stream):
        raise RuntimeError("boom")

    g.note(1, call)
    with pytest.raises(RuntimeError, match="boom"):
        g.note(1, call)
    assert runtime.capturing is None, "the stream's capture was ended"


def test_a_failed_launch_turns_graphs_off_and_the_caller_calls(runtime):
    g = _graphs()
    g.note(1, lambda s: 0)
    g.note(1, lambda s: 0)
    runtime.fail = "cudaGraphLaunch"
    assert not g.replay(1) and not g.enabled


def test_close_destroys_graphs_and_the_stream_once(runtime):
    g = _graphs()
    for key in (1, 2):
        g.note(key, lambda s: 0)
        g.note(key, lambda s: 0)
    g.close()
    assert runtime.calls.count("cudaGraphExecDestroy") == 2 and runtime.calls.count("cudaStreamDestroy") == 1
    g.close()
    assert runtime.calls.count("cudaStreamDestroy") == 1
    assert not g.replay(1) and not g.enabled


def test_a_never_used_object_touches_no_cuda(runtime):
    g = _graphs()
    g.note(1, lambda s: 0)
    g.close()
    assert runtime.calls == []


@pytest.mark.parametrize("value, enabled", [("0", False), ("off", False), ("False", False), ("1", True), ("", True)])
def test_the_environment_switch(monkeypatch, runtime, value, enabled):
    monkeypatch.setenv("NVMATH_CALL_GRAPHS", value)
    assert graphs_enabled() is enabled
    g = _graphs()
    g.note(1, lambda s: 0)
    g.note(1, lambda s: 0)
    assert len(g) == (1 if enabled else 0)


def test_bad_capacity():
    with pytest.raises(ValueError, match="capacity=0"):
        CallGraphs("x", logging.getLogger("x"), capacity=0)


def test_threads_sharing_the_object(runtime):
    import threading

    g = _graphs(capacity=3)
    errors = []

    def work(seed):
        try:
            for i in range(400):
                key = (seed * 7 + i) % 11
                if not g.replay(key):
                    g.note(key, lambda s: 0)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(g) == 3 and len(g._seen) <= 12
    assert runtime.calls.count("cudaGraphInstantiate") == 3, "each key captured once"
