"""CPU prolog/epilog passes persist in nvmath.cache: a later process loads the machine code
without importing Numba (and without typing or compiling anything)."""

import json
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nvmath
from nvmath.fft import _cpu_callbacks
from tests.fft.cases import assert_close, random, reference

CHILD = textwrap.dedent("""
    import json, logging, math, sys
    import numpy as np
    import nvmath

    def scale_by_column(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 64]

    def with_gamma(data_in, offset, user_info, unused):  # calls one of Numba's C helpers
        return data_in[offset] * math.gamma(1.0 + (offset % 4))

    records = []
    handler = logging.Handler()
    handler.emit = lambda r: records.append(r.getMessage())
    logging.getLogger("nvmath").addHandler(handler)
    logging.getLogger("nvmath").setLevel(logging.INFO)

    rng = np.random.default_rng()
    x = (rng.standard_normal((8, 64)) + 1j * rng.standard_normal((8, 64))).astype(np.complex64)
    g = rng.standard_normal(64).astype(np.float32)
    if sys.argv[1] == "epilog":
        y = nvmath.fft.fft(x, axes=[1], epilog=dict(function=scale_by_column, data=g))
        want = np.fft.fft(x, axis=1) * g
    else:
        y = nvmath.fft.fft(x, axes=[1], prolog=with_gamma)
        want = np.fft.fft(x * np.array([math.gamma(1.0 + (i % 4)) for i in range(x.size)]).reshape(x.shape), axis=1)
    error = float(np.linalg.norm(y - want) / np.linalg.norm(want))
    print(json.dumps({"error": error, "numba": "numba" in sys.modules, "log": records}))
""")


def _run(tmp_path, which="epilog"):
    env = dict(os.environ, NVMATH_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("NVMATH_CACHE", None)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, which], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_later_process_loads_the_pass_without_numba(tmp_path):
    # Before: every process imported Numba and compiled the pass again (~1 s on 2 cores).
    cold = _run(tmp_path)
    assert cold["error"] < 1e-5 and cold["numba"]
    assert any("compiled the CPU epilog pass of the epilog scale_by_column" in m for m in cold["log"])
    warm = _run(tmp_path)
    assert warm["error"] < 1e-5
    assert not warm["numba"], warm["log"]
    assert any("loaded the CPU epilog pass of the epilog scale_by_column from the cache" in m for m in warm["log"])
    listing = subprocess.run(
        [sys.executable, "-m", "nvmath.cache", "--dir", str(tmp_path / "cache"), "list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "cpu" in listing and "kind=cpu-epilog" in listing and "name=scale_by_column" in listing


def test_a_pass_calling_numba_helpers_loads_too(tmp_path):
    cold = _run(tmp_path, "prolog")
    warm = _run(tmp_path, "prolog")
    assert cold["error"] < 1e-5 and warm["error"] < 1e-5
    assert any("loaded the CPU prolog pass" in m for m in warm["log"]), warm["log"]


def _scale(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset % 16]


def test_key_names_the_host_cpu_types_and_versions():
    key = _cpu_callbacks._cache_key("epilog", "fp", "complex64", np.dtype(np.float32))
    c = key.components
    triple, cpu, features = _cpu_callbacks.host_cpu()
    assert key.tier == "cpu"
    assert c["cpu.name"] == cpu and c["cpu.features"] == features and c["target"] == triple
    assert c["function"] == "fp" and c["kind"] == "epilog" and c["element_type"] == "complex64"
    assert {"toolchain.numba", "toolchain.llvmlite", "toolchain.nvmath"} <= set(c)
    other = _cpu_callbacks._cache_key("epilog", "fp", "complex64", np.dtype(np.float64))
    assert _cpu_callbacks._cache_key("epilog", "fp", "complex64", np.dtype(np.float32), 4096).digest != key.digest
    assert other.digest != key.digest


@pytest.mark.parametrize(
    "payload",
    [
        b"not an object file",
        _cpu_callbacks._MAGIC + b'{"abi": "nvmath-cpu-pass-1", "symbol": "f"}\n\x7fELF\x02\x01\x01',  # truncated
        _cpu_callbacks._MAGIC + b"[1, 2]\n\x7fELF",
    ],
    ids=["foreign", "truncated", "bad-header"],
)
def test_a_bad_entry_is_a_miss_and_is_replaced(payload, caplog):
    from nvmath.cache import fingerprint_function, get_cache

    factor = len(payload)  # a function of its own for each case

    def offset_scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value * (factor + offset % 3)

    # Row length 9: the dense result's last extent, compiled into the pass (and in its key).
    key = _cpu_callbacks._cache_key(
        "epilog", fingerprint_function(offset_scale), "complex128", np.dtype("complex128"), 9
    )
    get_cache().put(key, payload)
    x = random((2, 9), "complex128")
    with caplog.at_level(logging.INFO, logger="nvmath"):
        got = nvmath.fft.fft(x, axes=[1], epilog=offset_scale)
    want = reference(x, (1,), "C2C") * (factor + np.arange(x.size).reshape(x.shape) % 3)
    assert_close(got, want, "complex128")
    assert any("ignoring cache entry" in r.getMessage() for r in caplog.records)
    assert get_cache().get(key).startswith(_cpu_callbacks._MAGIC)


def test_unhashable_capture_is_compiled_without_the_cache(caplog):
    class Tagged(float):  # instance attributes are not hashed: no deterministic fingerprint
        pass

    factor = Tagged(3.0)
    factor.tag = "three"

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * factor

    x = random((2, 8), "complex64")
    with caplog.at_level(logging.INFO, logger="nvmath"):
        got = nvmath.fft.fft(x, axes=[1], epilog=epilog)
    assert_close(got, reference(x, (1,), "C2C") * 3, "complex64")
    assert any("without the persistent cache" in r.getMessage() for r in caplog.records)


def test_equal_functions_share_one_pass_in_a_process():
    a = _cpu_callbacks.get_pass("epilog", _scale, "complex64", np.float32)
    b = _cpu_callbacks.get_pass("epilog", _scale, "complex64", np.float32)
    c = _cpu_callbacks.get_pass("epilog", _scale, "complex64", np.float64)
    assert a is b and c is not a
