"""nvmath.jit refuses bad input early, with the right exception and a message that says what
is accepted: targets the toolchain does not know, non-bool fastmath, bad symbols, damaged or
crafted artifact files, and the AOT command line's errors."""

import functools
import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import NoTargetError, compile_device_function, ltoir, parse_target, resolve_target
from nvmath.jit.__main__ import main
from nvmath.jit.arch import Target, supported_targets
from nvmath.jit.ltoir import fileformat
from tests.conftest import HAS_GPU

ARCH = "sm_90"


def prolog(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[0]


def epilog(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0]


# ----------------------------------------------------------------------------- targets


@pytest.mark.parametrize("spec", ["999.9", (12, 9), "sm_1000", "sm_101", "sm_129", Target(12, 9), "sm_80a", "sm_90f"])
def test_targets_the_toolchain_does_not_know_are_refused(spec):
    with pytest.raises(ValueError) as info:
        resolve_target(spec)
    msg = str(info.value)
    assert f"compute_capability={spec!r}" in msg
    assert "libNVVM" in msg or "nvJitLink" in msg
    assert "sm_90" in msg and "sm_90a" in msg  # the accepted targets are listed


@pytest.mark.parametrize("spec", ["999.9", (12, 9), "sm_1000"])
def test_compile_refuses_unknown_targets(spec):
    with pytest.raises(ValueError, match=r"compute_capability=.*not supported by the installed"):
        compile_prolog(prolog, "float32", "float32", compute_capability=spec)


def test_link_and_nvrtc_refuse_unknown_targets():
    from nvmath.jit import compile_cpp, link

    with pytest.raises(ValueError, match="compute_capability='sm_129'"):
        compile_cpp("__device__ int f() { return 1; }", compute_capability="sm_129")
    with pytest.raises(ValueError, match="compute_capability='sm_129'"):
        link([b"// ptx\n.version 8.0\n"], compute_capability="sm_129")


@pytest.mark.parametrize("spec", ["sm_90", "sm_90a", "sm_100f", "10.0a", (8, 9), 120, "7.5"])
def test_targets_the_toolchain_knows_are_accepted(spec):
    target = resolve_target(spec)
    assert target == parse_target(spec) and target in supported_targets()


def test_supported_targets_are_what_libnvvm_and_nvjitlink_accept():
    found = supported_targets()
    names = [t.sm for t in found]
    assert list(found) == sorted(found) and len(set(found)) == len(found)
    assert {"sm_80", "sm_90", "sm_90a"} <= set(names)
    assert all(t.suffix != "a" or Target(t.major, t.minor) in found for t in found)
    assert "sm_1000" not in names and "sm_129" not in names


@pytest.mark.parametrize("spec", [(True, 0), (9, 10), (9, -1), (0, 5), "sm_9x", "", None, 9.0, [9, 0]])
def test_target_spellings_that_are_not_compute_capabilities(spec):
    with pytest.raises(ValueError, match=r"^compute_capability=.*pass one as"):
        parse_target(spec)


def test_numpy_integers_are_accepted_in_tuples():
    assert parse_target((np.int64(9), np.int32(0))) == Target(9, 0)


def test_target_fields_are_checked():
    with pytest.raises(ValueError, match="suffix"):
        Target(9, 0, "x")
    with pytest.raises(ValueError, match="minor"):
        Target(9, 12)
    with pytest.raises(TypeError, match="major"):
        Target("9", 0)


def test_a_device_the_toolchain_does_not_know_is_refused(monkeypatch):
    from nvmath.jit import arch

    monkeypatch.setattr(arch, "current_device_target", lambda: Target(12, 9))
    with pytest.raises(ValueError, match=r"current CUDA device's compute capability 12.9 \(sm_129\).*sm= one of"):
        resolve_target(None, keyword="sm")
    assert resolve_target(None, check=False) == Target(12, 9)


def test_a_tool_that_cannot_be_loaded_is_not_asked(monkeypatch):
    from nvmath.jit import arch

    monkeypatch.setattr(arch, "_TOOLS", {"libNVVM": lambda target: None, "nvJitLink": arch._nvjitlink_knows})
    # A private cache of the list, so that the session's is not computed without libNVVM.
    monkeypatch.setattr(arch, "supported_targets", functools.cache(arch.supported_targets.__wrapped__))
    assert resolve_target("sm_80a") == Target(8, 0, "a")  # nvJitLink alone knows it
    with pytest.raises(ValueError, match=r"installed nvJitLink \(\d+\.\d+\); accepted"):
        resolve_target("sm_129")


def test_keyword_names_the_parameter_in_messages():
    with pytest.raises(ValueError, match=r"^sm='gpu9'"):
        parse_target("gpu9", keyword="sm")
    with pytest.raises(ValueError, match=r"^sm='sm_129'"):
        resolve_target("sm_129", keyword="sm")


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present: its compute capability is used")
def test_no_target_error_names_the_keyword():
    with pytest.raises(NoTargetError) as info:
        resolve_target(None, keyword="sm")
    assert "sm=" in str(info.value) and "compute_capability" not in str(info.value)


def _device_objects(sm):
    from nvmath.device.fft import FFT
    from nvmath.device.matmul import Matmul
    from nvmath.device.random import Philox4_32_10

    return [
        lambda: FFT(64, "single", "c2c", "Block", sm=sm),
        lambda: FFT.valid(64, "single", "c2c", "Block", sm=sm),
        lambda: Matmul((16, 16, 16), "single", "real", sm=sm),
        lambda: Philox4_32_10(sm=sm),
    ]


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present: its compute capability is used")
def test_device_api_errors_name_sm_when_there_is_no_gpu():
    for make in _device_objects(None):
        with pytest.raises(NoTargetError) as info:
            make()
        assert "sm=" in str(info.value) and "compute_capability" not in str(info.value)


def test_device_api_refuses_unknown_targets_naming_sm():
    for make in _device_objects("sm_129"):
        with pytest.raises(ValueError, match=r"^sm='sm_129' is not supported"):
            make()
    for make in _device_objects("gpu9"):
        with pytest.raises(ValueError, match=r"^sm='gpu9'"):
            make()


def test_a_warm_hit_does_not_probe_the_toolchain(tmp_path):
    # The target check runs on a miss only: a hit loads neither Numba, libNVVM nor nvJitLink.
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {os.getcwd()!r})
        from tests.jit.test_input_validation import prolog
        from nvmath.fft import compile_prolog
        art = compile_prolog(prolog, "float32", "float32", compute_capability="sm_90")
        loaded = [m for m in ("numba", "cuda.bindings.nvvm", "cuda.bindings.nvjitlink") if m in sys.modules]
        print(art.symbol, loaded)
    """)
    env = dict(os.environ, NVMATH_CACHE_DIR=str(tmp_path / "cache"))
    cold = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert cold.returncode == 0, cold.stderr
    warm = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.split()[0] == cold.stdout.split()[0] and warm.stdout.strip().endswith("[]")


# ----------------------------------------------------------------------------- fastmath


@pytest.mark.parametrize("bad", ["no", "False", 0, 1, None, 1.0, [True]])
def test_fastmath_must_be_a_bool(bad):
    for compile_ in (
        lambda: compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, fastmath=bad),
        lambda: compile_epilog(epilog, "float32", "float32", compute_capability=ARCH, fastmath=bad),
        lambda: compile_device_function(lambda x: x, ["float32"], "float32", compute_capability=ARCH, fastmath=bad),
    ):
        with pytest.raises(TypeError) as info:
            compile_()
        msg = str(info.value)
        assert f"fastmath={bad!r}" in msg and "True or False" in msg


def test_fastmath_accepts_numpy_bool():
    a = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, fastmath=np.bool_(True))
    b = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, fastmath=True)
    c = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, fastmath=np.False_)
    assert a.symbol == b.symbol and bytes(a) == bytes(b) and c.symbol != a.symbol


# ----------------------------------------------------------------------------- symbol


@pytest.mark.parametrize("bad", ["", "1abc", "my load", "a-b", "a.b", "a\x00b", "fn()", "é"])
def test_symbol_must_be_a_c_identifier(bad):
    # Warm the cache for this function first: an invalid symbol must not come back as a hit.
    compile_prolog(prolog, "float32", "float32", compute_capability=ARCH)
    with pytest.raises(ValueError) as info:
        compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, symbol=bad)
    assert f"symbol={bad!r}" in str(info.value) and "C identifier" in str(info.value)


def test_symbol_must_be_a_str():
    with pytest.raises(TypeError, match="symbol=b'abc'"):
        compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, symbol=b"abc")


def test_different_symbols_never_share_a_cache_entry():
    a = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, symbol="load_a")
    b = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, symbol="load_b")
    default = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH)
    assert (a.symbol, b.symbol) == ("load_a", "load_b") and default.symbol.startswith("nvmath_prolog_prolog_")
    assert len({bytes(a), bytes(b), bytes(default)}) == 3
    again = compile_prolog(prolog, "float32", "float32", compute_capability=ARCH, symbol="load_a")
    assert again.symbol == "load_a" and bytes(again) == bytes(a)


# ----------------------------------------------------------------------------- artifact files


def _artifact(rng=None, size=64):
    rng = rng or np.random.default_rng(0)
    return ltoir.LTOIR(
        rng.integers(0, 256, size, dtype=np.uint8).tobytes(),
        symbol="nvmath_epilog_scale",
        kind="epilog",
        target="sm_90",
        c_signature="void(void*, unsigned long long, float2, void*, void*)",
        element_type="complex64",
        user_info_type="float32",
        producers={"nvmath": "0.1", "libnvvm": "13.0"},
    )


def _same(a, b):
    return bytes(a) == bytes(b) and a.metadata == b.metadata


def _craft(header, payload: bytes) -> bytes:
    """A file with a chosen header, written the way the format says (so only the header is bad)."""
    blob = json.dumps(header).encode()
    prefix = struct.pack("<8sHI", fileformat.MAGIC, fileformat.FORMAT_VERSION, len(blob))
    digest = hashlib.sha256(prefix + blob + payload).digest()
    return prefix + digest + blob + payload


def _good_header(art):
    return dict(art.metadata, payload_size=len(art))


def test_dumps_loads_round_trip():
    art = _artifact()
    assert _same(ltoir.loads(ltoir.dumps(art)), art)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h: [1, 2], "header is not a JSON object"),
        (lambda h: "text", "header is not a JSON object"),
        (lambda h: {**h, "symbol": 7}, "symbol"),
        (lambda h: {**h, "symbol": ""}, "symbol"),
        (lambda h: {**h, "symbol": "not an identifier"}, "symbol"),
        (lambda h: {**h, "kind": None}, "kind"),
        (lambda h: {**h, "target": 90}, "target"),
        (lambda h: {**h, "target": "sm_zz"}, "target"),
        (lambda h: {**h, "producers": ["numba"]}, "producers"),
        (lambda h: {**h, "producers": {"numba": 1}}, "producers"),
        (lambda h: {**h, "element_type": 3}, "element_type"),
        (lambda h: {**h, "c_signature": None}, "c_signature"),
        (lambda h: {**h, "payload_size": "64"}, "payload_size"),
        (lambda h: {**h, "payload_size": True}, "payload_size"),
        (lambda h: {**h, "payload_size": -1}, "payload_size"),
        (lambda h: {**h, "payload_size": 2**62}, "payload_size"),
        (lambda h: {**h, "payload_size": 63}, "payload"),
        (lambda h: {**h, "extra": 1}, "extra"),
        (lambda h: {k: v for k, v in h.items() if k != "target"}, "target"),
    ],
)
def test_crafted_headers_are_refused_with_the_format_error(change, message, tmp_path):
    art = _artifact()
    path = tmp_path / "crafted.ltoir"
    path.write_bytes(_craft(change(_good_header(art)), bytes(art)))
    with pytest.raises(ltoir.ArtifactFormatError) as info:
        ltoir.load(path, check=False)
    assert str(path) in str(info.value) and message in str(info.value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda good: good[:10], "too short"),
        (lambda good: b"XXXXXXXX" + good[8:], "not an nvmath LTO-IR artifact"),
        (lambda good: good[:8] + struct.pack("<H", 99) + good[10:], "format 99"),
        (lambda good: good[:10] + struct.pack("<I", 0xFFFFFFFF) + good[14:], "header"),
        (lambda good: good[:10] + struct.pack("<I", len(good)) + good[14:], "header"),
        (lambda good: good[:-5], "truncated"),
        (lambda good: good + b"tail", "payload"),
        (lambda good: good[:-1] + bytes([good[-1] ^ 1]), "checksum"),
        (lambda good: good[:60] + bytes([good[60] ^ 1]) + good[61:], ""),
        (lambda good: b"", "too short"),
    ],
)
def test_damaged_files_are_refused_with_the_format_error(make, message, tmp_path):
    path = tmp_path / "damaged.ltoir"
    path.write_bytes(make(ltoir.dumps(_artifact())))
    with pytest.raises(ltoir.ArtifactFormatError) as info:
        ltoir.load(path, check=False)
    assert str(path) in str(info.value) and message in str(info.value)


def test_bad_json_with_a_valid_checksum(tmp_path):
    payload = bytes(_artifact())
    for blob in (b"{not json", b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000, b'{"a": 1e999999}'):
        prefix = struct.pack("<8sHI", fileformat.MAGIC, fileformat.FORMAT_VERSION, len(blob))
        data = prefix + hashlib.sha256(prefix + blob + payload).digest() + blob + payload
        with pytest.raises(ltoir.ArtifactFormatError, match="header"):
            ltoir.loads(data, source="crafted.ltoir")


def test_huge_files_are_not_read(tmp_path, monkeypatch):
    from nvmath.jit.ltoir import fileformat

    path = tmp_path / "big.ltoir"
    data = ltoir.dumps(_artifact(size=64))
    path.write_bytes(data)
    monkeypatch.setattr(fileformat, "MAX_PAYLOAD_BYTES", 32)
    with pytest.raises(ltoir.ArtifactFormatError, match=r"declares payload_size=64, more than the 32 bytes"):
        ltoir.load(path, check=False)
    monkeypatch.setattr(fileformat, "MAX_HEADER_BYTES", 16)
    with pytest.raises(ltoir.ArtifactFormatError, match=rf"big.ltoir is {len(data)} bytes, more than an artifact"):
        ltoir.load(path, check=False)
    with pytest.raises(ltoir.ArtifactFormatError, match=r"-byte header, more than the 16 bytes"):
        ltoir.loads(data, source="big.ltoir")


def test_a_directory_is_not_an_artifact(tmp_path):
    with pytest.raises(ltoir.ArtifactFormatError, match="not a regular file"):
        ltoir.load(tmp_path, check=False)


def test_an_unknown_target_in_an_artifact_is_incompatible(tmp_path):
    art = ltoir.LTOIR(bytes(_artifact()), **dict(_artifact().metadata, target="sm_129"))
    path = tmp_path / "future.ltoir"
    ltoir.save(art, path)
    assert ltoir.load(path, check=False).target == "sm_129"
    with pytest.raises(ltoir.IncompatibleArtifactError, match="sm_129.*nvJitLink"):
        ltoir.load(path)


_GOOD = ltoir.dumps(_artifact(size=40))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(0, len(_GOOD) - 1), st.integers(1, 255)), max_size=4),
    cut=st.one_of(st.none(), st.integers(0, len(_GOOD))),
    extra=st.binary(max_size=3),
)
def test_fuzzed_files_raise_the_format_error_or_load_equal_data(flips, cut, extra):
    data = bytearray(_GOOD)
    for at, mask in flips:
        data[at] ^= mask
    data = bytes(data if cut is None else data[:cut]) + extra
    try:
        loaded = ltoir.loads(data, source="fuzzed.ltoir")
    except ltoir.ArtifactFormatError as e:
        assert "fuzzed.ltoir" in str(e)
    else:
        assert _same(loaded, ltoir.loads(_GOOD))


# ----------------------------------------------------------------------------- command line

SOURCE = textwrap.dedent("""
    def scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0]

    def typo(data_out, offset, value, user_info, unused):
        data_out[offset] = value * undefined_name
""")


def _cli(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k != "NVMATH_DEBUG"}
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "nvmath.jit", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=full_env)


def _compile_args(spec, out, *more):
    return ["compile", spec, "--kind", "epilog", "--element-type", "complex64", "-o", out, *more]


@pytest.mark.parametrize(
    "contents, message",
    [
        (lambda good: good[:-3], "truncated"),
        (lambda good: _craft({"symbol": 1}, b""), "header"),
        (lambda good: _craft([1], b""), "header"),
        (lambda good: b"hello", "too short"),
    ],
)
def test_cli_inspect_bad_files_prints_one_line(tmp_path, contents, message):
    path = tmp_path / "bad.ltoir"
    path.write_bytes(contents(ltoir.dumps(_artifact())))
    done = _cli("inspect", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert done.stderr.startswith("python -m nvmath.jit inspect: error: ") and message in done.stderr
    assert str(path) in done.stderr and not done.stdout


@pytest.mark.parametrize(
    "spec, more, message",
    [
        ("FILE:scale", ["--arch", "sm_999"], "--arch='sm_999' is not supported"),
        ("FILE:scale", ["--arch", "sm_90", "--symbol", "bad symbol"], "symbol='bad symbol'"),
        ("BROKEN:scale", ["--arch", "sm_90"], "SyntaxError"),
        ("RAISES:scale", ["--arch", "sm_90"], "ZeroDivisionError"),
        ("FILE:typo", ["--arch", "sm_90"], "undefined_name"),
        ("FILE:missing", ["--arch", "sm_90"], "no function 'missing'"),
    ],
)
def test_cli_compile_errors_have_no_traceback(tmp_path, spec, more, message):
    files = {"FILE": SOURCE, "BROKEN": "def scale(:\n", "RAISES": "x = 1 / 0\n"}
    for name, text in files.items():
        (tmp_path / f"{name.lower()}.py").write_text(text)
        spec = spec.replace(f"{name}:", f"{tmp_path / (name.lower() + '.py')}:")
    out = tmp_path / "out.ltoir"
    done = _cli(*_compile_args(spec, out, *more))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and message in done.stderr
    assert done.stderr.startswith("python -m nvmath.jit compile: error: ")
    assert not out.exists()


def test_cli_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "bad.ltoir"
    path.write_bytes(b"not an artifact at all")
    done = _cli("inspect", "--debug", path)
    assert done.returncode == 2 and "Traceback" in done.stderr and "ArtifactFormatError" in done.stderr
    done = _cli("inspect", path, env={"NVMATH_DEBUG": "1"})
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_cli_in_process_errors_return_2(tmp_path, capsys):
    path = tmp_path / "bad.ltoir"
    path.write_bytes(_craft({"symbol": 1}, b""))
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged header: it lacks kind" in err
    assert main(["inspect", str(tmp_path / "missing.ltoir")]) == 2
    assert "missing.ltoir" in capsys.readouterr().err


def test_load_function_leaves_no_module_behind_on_failure(tmp_path):
    from nvmath.jit.aot import load_function

    path = tmp_path / "raises.py"
    path.write_text("x = 1 / 0\n")
    before = set(sys.modules)
    with pytest.raises(ImportError, match=r"ZeroDivisionError") as info:
        load_function(f"{path}:f")
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert set(sys.modules) == before


def test_fresh_data_round_trips():
    rng = np.random.default_rng()
    for size in (0, 1, int(rng.integers(2, 4096))):
        art = _artifact(rng, size)
        loaded = ltoir.loads(ltoir.dumps(art))
        assert _same(loaded, art) and len(loaded) == size
