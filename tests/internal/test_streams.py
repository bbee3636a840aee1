"""Stream arguments on the CPU (no stream is touched): accepted kinds and errors."""

import pytest

from nvmath._internal import streams
from nvmath._internal.streams import StreamHolder, get_stream


@pytest.fixture
def raw(monkeypatch):
    """NumPy operands with no device package: raw handles only (no CUDA call is needed)."""
    monkeypatch.setattr(streams, "device_package", lambda package: None)


def test_raw_int_handle(raw):
    s = get_stream(0x1234, package="numpy", device_id=0)
    assert s.handle == 0x1234 and s.obj is None and s.package == "cuda" and s.device_id == 0


def test_cuda_stream_protocol(raw):
    class CoreStream:  # what cuda.core's Stream looks like
        def __cuda_stream__(self):
            return (0, 0xABC)

    s = get_stream(CoreStream(), package="numpy", device_id=1)
    assert s.handle == 0xABC and s.device_id == 1


def test_protocol_device_mismatch(raw):
    class Device:
        device_id = 3

    class CoreStream:
        device = Device()

        def __cuda_stream__(self):
            return (0, 0xABC)

    with pytest.raises(ValueError, match="belongs to device 3"):
        get_stream(CoreStream(), package="numpy", device_id=0)


def test_stream_holder_passes_through(raw):
    h = StreamHolder(7, None, "cuda", 0)
    assert get_stream(h, package="numpy", device_id=0) is h
    with pytest.raises(ValueError, match="belongs to device 0"):
        get_stream(h, package="numpy", device_id=1)


def test_stream_holder_protocol_and_equality():
    h = StreamHolder(7, None, "cuda", 0)
    assert h.__cuda_stream__() == (0, 7) and int(h) == 7
    assert h == StreamHolder(7, object(), "cupy", 0) and h != StreamHolder(8, None, "cuda", 0)


@pytest.mark.parametrize("bad", ["stream", 1.5, True, [0], object()])
def test_unsupported_streams(raw, bad):
    with pytest.raises(TypeError) as info:
        get_stream(bad, package="numpy", device_id=0)
    message = str(info.value)
    assert message.startswith("stream=") and "cupy.cuda.Stream" in message
    assert "torch.cuda.Stream" in message and "__cuda_stream__" in message and "int" in message


def test_negative_handle(raw):
    with pytest.raises(ValueError, match="non-negative"):
        get_stream(-1, package="numpy", device_id=0)


def test_unknown_package():
    with pytest.raises(ValueError, match="package='jax'"):
        get_stream(None, package="jax", device_id=0)


def test_device_package_choice(monkeypatch):
    assert streams.device_package("cupy") == "cupy" and streams.device_package("torch") == "torch"
    monkeypatch.setattr(streams, "is_installed", lambda name: name == "cupy")
    assert streams.device_package("numpy") == "cupy"
    monkeypatch.setattr(streams, "is_installed", lambda name: False)
    assert streams.device_package("numpy") is None
    monkeypatch.setattr(streams, "is_installed", lambda name: name == "torch")
    monkeypatch.setattr(streams, "_torch_has_cuda", lambda: True)
    assert streams.device_package("numpy") == "torch"


def test_fast_getters_refuse_packages_without_streams():
    import pytest

    from nvmath._internal.streams import current_device_getter, current_stream_getter

    with pytest.raises(ValueError, match="package='numpy' has no current stream"):
        current_stream_getter("numpy", 0)
    with pytest.raises(ValueError, match="package='numpy' has no current device"):
        current_device_getter("numpy")
