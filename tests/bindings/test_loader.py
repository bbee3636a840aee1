"""The generic lazy loader of NVIDIA libraries (no GPU, and no library, needed)."""

import ctypes
import threading

import pytest

from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary

BOGUS = "nvmath-test-no-such-library"


def _bogus(**kwargs):
    return NvidiaLibrary(BOGUS, display_name="cuFFT", package="nvidia-cufft", **kwargs)


def _load_libc(monkeypatch, abs_path=None, calls=None):
    """cuda.pathfinder "loads" this process's libc (``calls`` records the names asked for)."""
    import cuda.pathfinder as pathfinder

    class Loaded:
        _handle_uint = ctypes.CDLL(None)._handle

    Loaded.abs_path = abs_path

    def load(name):
        if calls is not None:
            calls.append(name)
        return Loaded()

    monkeypatch.setattr(pathfinder, "load_nvidia_dynamic_lib", load)


def test_declaring_loads_nothing():
    lib = _bogus(extra="cu13")
    lib.declare("cufftCreate", ctypes.c_int, [ctypes.POINTER(ctypes.c_int)])
    assert not lib.loaded
    assert "not loaded" in repr(lib)


def test_not_found_names_library_package_extra_and_cause():
    lib = _bogus(extra="cu13")
    with pytest.raises(LibraryNotFoundError) as info:
        lib.cdll()
    err = info.value
    message = str(err)
    assert "cuFFT" in message and repr(BOGUS) in message
    assert "`pip install nvidia-cufft`" in message
    assert "`pip install nvmath-fusion[cu13]`" in message
    # The underlying error from cuda.pathfinder is kept, and named in the message.
    assert err.__cause__ is not None and type(err.__cause__).__name__ in message
    assert str(err.__cause__) in message
    assert (err.library, err.package) == (BOGUS, "nvidia-cufft")
    assert not lib.loaded


def test_not_found_without_extra_gives_only_the_package():
    with pytest.raises(LibraryNotFoundError) as info:
        _bogus().function("anything")
    assert "`pip install nvidia-cufft`" in str(info.value)
    assert "nvmath-fusion[" not in str(info.value)


def test_a_known_library_that_pathfinder_cannot_find(monkeypatch):
    import cuda.pathfinder as pathfinder

    def not_found(name):
        raise pathfinder.DynamicLibNotFoundError(f"no {name} anywhere (simulated)")

    monkeypatch.setattr(pathfinder, "load_nvidia_dynamic_lib", not_found)
    lib = NvidiaLibrary("cufft", display_name="cuFFT", package="nvidia-cufft", extra="cu13")
    with pytest.raises(LibraryNotFoundError, match=r"no cufft anywhere \(simulated\).*pip install nvidia-cufft"):
        lib.cdll()


def test_the_library_is_loaded_once_across_threads(monkeypatch):
    calls = []
    _load_libc(monkeypatch, calls=calls)
    lib = NvidiaLibrary("c", display_name="libc", package="glibc")
    lib.declare("abs", ctypes.c_int, [ctypes.c_int])
    threads = [threading.Thread(target=lambda: lib.function("abs")(-3)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["c"]
    assert lib.function("abs")(-7) == 7
    assert lib.function("abs") is lib.function("abs")  # resolved and typed once


def test_check_sees_the_declared_name_and_replaces_the_result(monkeypatch):
    _load_libc(monkeypatch)
    seen = []

    def check(name, status):
        seen.append((name, status))
        return "checked"

    lib = NvidiaLibrary("c", display_name="libc", package="glibc", check=check)
    lib.declare("my_abs", ctypes.c_int, [ctypes.c_int])
    assert lib.function("my_abs", "abs")(-5) == "checked"
    assert seen == [("my_abs", 5)]


def test_missing_function_names_symbol_and_version(monkeypatch):
    _load_libc(monkeypatch, abs_path="/opt/fake/libc.so")
    lib = NvidiaLibrary("c", display_name="libfoo", package="nvidia-foo", extra="cu13", version=lambda: "9.8.7")
    lib.declare("fooNew", ctypes.c_int, [])
    assert not lib.has("nvmath_no_such_symbol") and lib.has("abs")
    with pytest.raises(FunctionNotFoundError) as info:
        lib.function("fooNew")
    err = info.value
    assert isinstance(err, NotImplementedError)
    assert (err.function, err.library_version) == ("fooNew", "9.8.7")
    assert "fooNew" in str(err) and "libfoo 9.8.7" in str(err) and "/opt/fake/libc.so" in str(err)
    assert "pip install nvidia-foo" in str(err)


def test_a_failing_version_callback_does_not_hide_the_missing_function(monkeypatch):
    def broken():
        raise RuntimeError("no version")

    _load_libc(monkeypatch)
    lib = NvidiaLibrary("c", display_name="libfoo", package="nvidia-foo", version=broken)
    lib.declare("fooNew", ctypes.c_int, [])
    with pytest.raises(FunctionNotFoundError, match="fooNew is not available in the loaded libfoo") as info:
        lib.function("fooNew")
    assert info.value.library_version is None


def test_unchecked_addresses_takes_plain_addresses_and_skips_the_check(monkeypatch):
    _load_libc(monkeypatch)
    seen = []
    lib = NvidiaLibrary("c", display_name="libc", package="glibc", check=lambda name, status: seen.append(status))
    lib.declare("strlen", ctypes.c_size_t, [ctypes.POINTER(ctypes.c_char)])
    text = ctypes.create_string_buffer(b"nvmath")
    fast = lib.unchecked_addresses("strlen")
    assert fast(ctypes.addressof(text)) == 6  # an int address where the declaration wants POINTER(c_char)
    assert lib.unchecked_addresses("strlen") is fast
    assert seen == []  # no status check on this path
    with pytest.raises(ctypes.ArgumentError):  # the declared function still wants the typed pointer
        lib.unchecked("strlen")(ctypes.addressof(text))
