"""compile_prolog/compile_epilog and the general entry point go through the cache."""

import json
import textwrap

import pytest

from nvmath.cache import get_cache
from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import CacheBypassWarning, compile_device_function, pointer, versions
from tests.cache.conftest import run_python, subprocess_env

ARCH = "sm_90"
GAIN = 2.0


def epilog(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0] * GAIN


def _counts():
    s = get_cache().stats
    return s.hits, s.misses


def test_miss_then_hit_returns_the_same_artifact(cache_dir):
    first = compile_epilog(epilog, "complex64", "float32", compute_capability=ARCH)
    hits, misses = _counts()
    assert (hits, misses) == (0, 1)
    second = compile_epilog(epilog, "complex64", "float32", compute_capability=ARCH)
    assert _counts() == (1, 1)
    assert bytes(second) == bytes(first) and second.metadata == first.metadata
    assert second.producers["libnvvm"] == first.producers["libnvvm"]


CHILD = textwrap.dedent("""
    import json, sys, time
    import nvmath.fft
    from nvmath.cache import get_cache

    GAIN = 2.0

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0] * GAIN

    start = time.perf_counter()
    art = nvmath.fft.compile_epilog(epilog, "complex64", "float32", compute_capability="sm_90")
    print(json.dumps({"s": time.perf_counter() - start, "numba": "numba" in sys.modules,
                      "hits": get_cache().stats.hits, "symbol": art.symbol, "size": len(art)}))
""")


def test_hit_in_a_fresh_process_imports_no_numba(cache_dir):
    env = subprocess_env(NVMATH_CACHE_DIR=str(cache_dir))
    cold = json.loads(run_python(CHILD, env=env, cwd=cache_dir.parent))
    assert cold["numba"] and cold["hits"] == 0
    for seed in ("0", "12345"):  # and the key does not depend on PYTHONHASHSEED
        warm = json.loads(run_python(CHILD, env=dict(env, PYTHONHASHSEED=seed), cwd=cache_dir.parent))
        assert warm["hits"] == 1 and not warm["numba"]
        assert warm["symbol"] == cold["symbol"] and warm["size"] == cold["size"]


@pytest.mark.parametrize("change", ["element", "user_info", "target", "fastmath", "producer", "kind"])
def test_key_sensitivity(cache_dir, change, monkeypatch):
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    def compile_it(element="complex64", info="float32", arch=ARCH, fastmath=False, kind="prolog"):
        if kind == "prolog":
            return compile_prolog(prolog, element, info, compute_capability=arch, fastmath=fastmath)
        return compile_epilog(epilog, element, info, compute_capability=arch, fastmath=fastmath)

    base = compile_it()
    variants = {
        "element": dict(element="complex128"),
        "user_info": dict(info="float64"),
        "target": dict(arch="sm_90a"),
        "fastmath": dict(fastmath=True),
        "kind": dict(kind="epilog"),
    }
    if change == "producer":
        ident = dict(versions.toolchain_identity())
        ident["numba-cuda"] = "9.9.9"
        monkeypatch.setattr("nvmath.jit.compiler.toolchain_identity", lambda: ident)
        other = compile_it()
    else:
        other = compile_it(**variants[change])
    assert _counts() == (0, 2)  # the second compile missed
    assert other.symbol != base.symbol


def test_unhashable_capture_bypasses_with_a_warning(cache_dir):
    class Opaque:  # identity is its address: cannot be hashed deterministically
        value = 1.0

    handle = Opaque()

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * handle.value

    with pytest.warns(CacheBypassWarning, match="handle"):
        try:
            compile_prolog(prolog, "float32", "float32", compute_capability=ARCH)
        except Exception:
            pass  # whether Numba can compile the capture is not what this test checks
    assert _counts() == (0, 0)  # neither looked up nor stored


def test_unhashable_capture_still_compiles(cache_dir, monkeypatch):
    from nvmath.cache import UnhashableCapture

    def refuse(func):
        raise UnhashableCapture(f"global 'stream' of function {func.__name__!r} is a device object")

    monkeypatch.setattr("nvmath.cache.fingerprint_function", refuse)

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * GAIN

    with pytest.warns(CacheBypassWarning, match="without the persistent cache.*'stream'"):
        art = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH)
    assert len(art) > 0 and art.kind == "prolog"
    assert get_cache().stats.writes == 0 and _counts() == (0, 0)


def test_cache_false_and_disabled_cache_compile_without_storing(cache_dir):
    from nvmath.cache import configure

    def f(x):
        return x + 1

    compile_device_function(f, ["float32"], "float32", compute_capability=ARCH, cache=False)
    assert get_cache().stats.writes == 0
    configure(enabled=False)
    compile_epilog(epilog, "float64", "float64", compute_capability=ARCH)
    assert get_cache().stats.writes == 0 and not list(cache_dir.rglob("*.nvc"))


def test_general_entry_point_is_cached(cache_dir):
    def axpy(a, x, i):
        x[i] = a * x[i]

    types_ = ["float64", pointer("float64"), "int64"]
    one = compile_device_function(axpy, types_, None, symbol="axpy", compute_capability=ARCH)
    two = compile_device_function(axpy, types_, None, symbol="axpy", compute_capability=ARCH)
    assert _counts() == (1, 1) and one == two and two.symbol == "axpy"
