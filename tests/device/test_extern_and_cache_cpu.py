"""nvmath.device without a GPU: kernels calling LTO-IR functions compile and link to a cubin;
the kernel cache's keys and payloads."""

import re

import numpy as np
import pytest

from nvmath.device import extern_function
from nvmath.device.kernel_cache import decode_kernel, encode_kernel
from nvmath.jit import compile_cpp, link
from nvmath.jit.arch import Target

ARCH = "sm_90"
SAXPY = 'extern "C" __device__ void saxpy(float* y, const float* x, float a, int i) { y[i] = a * x[i] + y[i]; }'


@pytest.fixture(scope="module")
def saxpy():
    return extern_function(
        "saxpy", ("void", ["float*", "float*", "float", "int"]), compile_cpp(SAXPY, compute_capability=ARCH)
    )


def test_kernel_calling_an_extern_function_links_to_a_cubin(saxpy):
    from numba import cuda, types

    def kernel(y, x, a):
        i = cuda.grid(1)
        if i < y.size:
            saxpy.call(y, x, a, i)

    sig = (types.float32[::1], types.float32[::1], types.float32)
    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    # The extern LTO-IR came along without any link= argument.
    assert any(getattr(c, "data", None) is not None and bytes(c.data) == saxpy.ltoir for c in codes[1:])
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    ptx = link(inputs, compute_capability=ARCH, output="ptx").decode()
    assert ".entry" in ptx and "fma.rn.f32" in ptx
    assert not re.search(r"^\s*call(\.uni)?\s", ptx, re.M)  # inlined through LTO
    cubin = link(inputs, compute_capability=ARCH)
    assert cubin[:4] == b"\x7fELF"
    # The kernel cache finds the kernel's entry point in the cubin: the .entry of the PTX.
    from nvmath.device.kernel_cache import entry_names

    assert entry_names(cubin) == re.findall(r"\.entry\s+(\S+)\(", ptx)


def test_wrong_arguments_are_typing_errors(saxpy):
    from numba import cuda, types
    from numba.core.errors import TypingError

    def kernel(y):
        saxpy.call(y, y, 1.0)

    with pytest.raises(TypingError, match="saxpy.*takes 4 arguments, got 3"):
        cuda.compile_all(kernel, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")


def test_complex_by_value_is_refused():
    with pytest.raises(TypeError, match="by-value complex"):
        extern_function("f", ("float2", ["float2*"]), b"")


def _checked_ptx(saxpy, monkeypatch, checks):
    """The PTX of a kernel passing two arrays to a function that needs 64 and 32 bytes."""
    from numba import cuda, types

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", checks)
    fn = extern_function(
        "saxpy", saxpy.c_signature, saxpy.ltoir, min_bytes={0: (64, "y"), 1: (32, "x")}, owner="Saxpy.call"
    )

    def kernel(y, x, a):
        fn.call(y, x, a, 0)
        fn.call(x, y, a, 1)

    sig = (types.float32[::1], types.float32[::1], types.float32)
    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    return link(inputs, compute_capability=ARCH, output="ptx").decode()


def test_array_lengths_are_checked_with_one_branch_per_call(saxpy, monkeypatch):
    ptx = _checked_ptx(saxpy, monkeypatch, "1")
    # One out-of-line report per call site's description, printing each short argument.
    reports = set(re.findall(r"\.func\s+(?:\([^)]*\)\s*)?(\S*__nvmath_short_array_\w+)\(", ptx))
    assert len(reports) == 1, reports
    assert "Saxpy.call: argument 0 (y)" not in ptx  # strings are bytes in PTX: check the arrays
    entry = ptx[ptx.index(".entry") :]
    entry = entry[: entry.index("\n}")]
    # Compared in elements against ceil(bytes / 4): 16 for y and 8 for x at the first call, then
    # 16 for x at the second (the report never returns, so y >= 16 is known there and its
    # check against 8 is gone); one conditional branch per call.
    needs = []
    for op, bound in re.findall(r"setp\.(lt|le|gt|ge)\.s64\s+%p\d+, %rd\d+, (\d+);", entry):
        needs.append(int(bound) + (1 if op in ("le", "gt") else 0))  # the count needed to pass
    assert sorted(needs) == [8, 16, 16], entry
    assert len(re.findall(r"@%p\d+ bra", entry)) == 2, entry
    assert len(re.findall(r"call\.uni\s*(?:\(\w*\),\s*)?\S*__nvmath_short_array_", entry)) == 2, entry


def test_array_checks_can_be_switched_off(saxpy, monkeypatch):
    from nvmath.device._extern import array_checks_enabled

    ptx = _checked_ptx(saxpy, monkeypatch, "0")
    assert not array_checks_enabled()
    assert "__nvmath_short_array_" not in ptx and "__assertfail" not in ptx
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", "yes")
    assert array_checks_enabled()


@pytest.mark.parametrize(
    "report, calls, absent",
    [
        ("record", (), ("vprintf", "__assertfail")),
        ("print", ("vprintf", "__assertfail"), ()),
        ("assert", ("__assertfail",), ("vprintf",)),
        ("trap", (), ("vprintf", "__assertfail")),
    ],
)
def test_the_check_s_report_is_what_was_asked(saxpy, monkeypatch, report, calls, absent):
    """record: the message written to host memory, no system call; print: each short
    argument's size, then an assertion; assert: an assertion whose message names the arguments
    and their needs (no vprintf: no stack frame); trap: no system call, no message."""
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", report)
    ptx = _checked_ptx(saxpy, monkeypatch, "1")
    for name in calls:
        assert re.search(rf"call\.uni\s*(?:\(\w*\),\s*)?{name}\b", ptx), (report, name)
    for name in absent:
        assert not re.search(rf"call\.uni\s*(?:\(\w*\),\s*)?{name}\b", ptx), (report, name)
    assert "trap;" in ptx
    assert ("__local_depot" in ptx) == (report == "print")  # only vprintf's arguments take a frame


def test_the_assert_report_names_the_arguments_and_their_needs(saxpy, monkeypatch):
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "assert")
    ptx = _checked_ptx(saxpy, monkeypatch, "1")
    # PTX spells strings as bytes: decode every .global/.const byte array and look for the text.
    texts = [
        bytes(int(b) for b in body.split(",")).decode("latin-1")
        for body in re.findall(r"\.b8 \S+\[\d+\] = \{([\d, ]+)\}", ptx)
    ]
    # One assertion a short argument, naming it alone.
    for wanted in (
        "Saxpy.call: argument 0 (y) needs at least 64 bytes",
        "Saxpy.call: argument 1 (x) needs at least 32 bytes",
    ):
        assert any(t.rstrip("\0").endswith(wanted) for t in texts), (wanted, texts)


def _record_words(ptx: str, report_name: str) -> bytes:
    """The 64-bit immediates the report function ``report_name`` stores, in order, as bytes."""
    body = ptx[ptx.rindex(f".func {report_name}") :]  # the definition, after any declaration
    body = body[: body.index("\n}")]
    return b"".join(int(v).to_bytes(8, "little", signed=True) for v in re.findall(r"mov\.u64\s+%rd\d+, (-?\d+);", body))


def test_the_record_report_writes_each_argument_s_message_and_links_its_globals(saxpy, monkeypatch):
    from nvmath.device import _array_check_record as rec

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "record")
    ptx = _checked_ptx(saxpy, monkeypatch, "1")
    (name,) = set(re.findall(r"\.func\s+(?:\([^)]*\)\s*)?(\S*__nvmath_short_array_\w+)\(", ptx))
    words = _record_words(ptx, name)
    for index, arg, need in ((0, "y", 64), (1, "x", 32)):
        assert rec.record_text("Saxpy.call", index, arg, need) + b"\0" in words, words
    # Claimed in device memory, fenced at system scope before its state says complete.
    assert "atom.global.cas.b32" in ptx and ptx.count("membar.sys;") == 2
    assert f".visible .global .align 8 .u64 {rec.RECORD_SYMBOL}" in ptx


def test_the_record_s_globals_are_in_the_cubin_for_the_host_to_find(saxpy, monkeypatch):
    import struct

    from numba import cuda, types

    from nvmath.device import _array_check_record as rec

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "record")
    fn = extern_function("saxpy", saxpy.c_signature, saxpy.ltoir, min_bytes={0: (64, "y")}, owner="Saxpy.call")

    def kernel(y, x, a):
        fn.call(y, x, a, 0)

    sig = (types.float32[::1], types.float32[::1], types.float32)
    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    # The definitions come along, once, carrying the module set-up callback.
    assert sum(getattr(c, "setup_callback", None) is rec.setup_module for c in codes[1:]) == 1
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    data = link(inputs, compute_capability=ARCH)
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    objects = set()
    for _, kind, _, _, offset, size, link_index, _, _, entsize in sections:
        if kind == 2:  # SHT_SYMTAB
            strtab = sections[link_index][4]
            for j in range(size // entsize):
                st_name, st_info = struct.unpack_from("<IB", data, offset + j * entsize)
                if st_info == 0x11:  # STB_GLOBAL, STT_OBJECT
                    start = strtab + st_name
                    objects.add(data[start : data.index(b"\0", start)].decode())
    assert {rec.RECORD_SYMBOL, rec.CLAIM_SYMBOL} <= objects, objects


def test_a_record_reads_back_as_its_message():
    import struct

    from nvmath.device import _array_check_record as rec

    text = rec.record_text("Matmul.execute", 4, "c", 8192)
    raw = bytearray(rec.RECORD_BYTES)
    raw[rec.TEXT_OFFSET : rec.TEXT_OFFSET + len(text)] = text
    struct.pack_into("<IIq", raw, 0, 1, 0, 8188)
    assert rec.format_record(bytes(raw)) is None  # not complete: nothing to say
    struct.pack_into("<I", raw, 0, rec.COMPLETE)
    assert rec.format_record(bytes(raw)) == (
        "nvmath.device: Matmul.execute: argument 4 (c) holds 8188 bytes, but needs at least 8192"
    )
    # A long name is cut to what the record holds, never past it.
    assert len(rec.record_text("x" * 1000, 0, "a", 1)) == rec.TEXT_LIMIT


def test_no_record_before_any_kernel_ran():
    import nvmath.device

    assert nvmath.device.array_check_failure() is None


def test_an_unknown_check_report_keeps_record_with_a_warning(monkeypatch, caplog):
    from nvmath.device._extern import array_check_report

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "loud")
    with caplog.at_level("WARNING", logger="nvmath.device"):
        assert array_check_report() == "record"
    assert (
        "NVMATH_DEVICE_ARRAY_CHECK_REPORT='loud' is not supported; accepted: record, print, assert, trap" in caplog.text
    )
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", " Trap ")
    assert array_check_report() == "trap"


def test_an_unknown_array_checks_value_keeps_them_with_a_warning(monkeypatch, caplog):
    from nvmath.device._extern import array_checks_enabled

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", "of")
    with caplog.at_level("WARNING", logger="nvmath.device"):
        assert array_checks_enabled()
    assert "NVMATH_DEVICE_ARRAY_CHECKS='of' is not supported; accepted: 1 or 0" in caplog.text


def test_fingerprint_depends_on_the_code(saxpy):
    from nvmath.cache import fingerprint_function

    other = extern_function("saxpy", saxpy.c_signature, saxpy.ltoir + b"\0")
    assert saxpy.__nvmath_fingerprint__() != other.__nvmath_fingerprint__()

    def make(fn):
        def kernel(y):
            fn.call(y, y, 1.0, 0)

        return kernel

    # A kernel capturing an extern function is hashable, and its key follows the code it links.
    assert fingerprint_function(make(saxpy)) == fingerprint_function(make(saxpy))
    assert fingerprint_function(make(saxpy)) != fingerprint_function(make(other))


def test_payload_round_trip():
    meta = {"entry_name": "k", "cooperative": False, "cc": [9, 0, "a"]}
    m, cubin = decode_kernel(encode_kernel(meta, b"\x7fELFdata"))
    assert m == meta and cubin == b"\x7fELFdata"
    with pytest.raises(ValueError, match="not a kernel cache payload"):
        decode_kernel(b"XXXXXXXXXXXXXXXX")


def test_kernel_keys(tmp_path, monkeypatch):
    from numba import types

    import nvmath.device

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))
    from nvmath.cache import configure

    configure()

    @nvmath.device.jit
    def k(x):
        x[0] = 1

    @nvmath.device.jit(fastmath=True)
    def k_fast(x):
        x[0] = 1

    cache = k.nvmath_cache
    base = cache.key((types.float32[::1],), (9, 0, "a"))
    assert base == cache.key((types.float32[::1],), (9, 0, "a"))
    assert base != cache.key((types.float64[::1],), (9, 0, "a"))
    assert base != cache.key((types.float32[::1],), (9, 0, ""))
    assert base != k_fast.nvmath_cache.key((types.float32[::1],), (9, 0, "a"))
    # Kernels compiled without the array checks are other code.
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", "0")
    assert base != cache.key((types.float32[::1],), (9, 0, "a"))
    # So are kernels whose failed checks report otherwise.
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", "1")
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "trap")
    assert base != cache.key((types.float32[::1],), (9, 0, "a"))
    with pytest.raises(TypeError, match="remove cache="):
        nvmath.device.jit(cache=True)


def test_unhashable_kernel_is_not_cached(tmp_path):
    from numba import types

    import nvmath.device

    class Opaque:
        pass

    thing = Opaque()

    @nvmath.device.jit
    def k(x):
        x[0] = thing

    assert k.nvmath_cache.key((types.float32[::1],), (9, 0, "a")) is None


@pytest.mark.parametrize("container", ["bytes", "cuda.core"])
def test_rebuild_from_a_cached_cubin_without_compiling(container):
    from numba import types

    from nvmath.device.kernel_cache import _rebuild

    meta = {
        "entry_name": "_Z6kernel",
        "cooperative": False,
        "cc": [9, 0, "a"],
        "lineinfo": False,
        "shared_memory_carveout": None,
        "launch_config_sensitive": False,
        "container": container,
    }
    argtypes = (types.float32[::1], types.int64)
    kernel = _rebuild(meta, b"\x7fELF-cubin", argtypes, (9, 0, "a"))
    assert kernel.entry_name == "_Z6kernel" and tuple(kernel.signature.args) == argtypes
    assert kernel._codelibrary._setup_functions == []
    # A kernel with the array checks' record gets its module set-up callback back.
    from nvmath.device._array_check_record import setup_module

    recorded = _rebuild({**meta, "array_check_record": True}, b"\x7fELF-cubin", argtypes, (9, 0, "a"))
    assert recorded._codelibrary._setup_functions == [setup_module]
    image = kernel._codelibrary.get_cubin(cc=(9, 0, "a"))
    assert (image.code if hasattr(image, "code") else image) == b"\x7fELF-cubin"
    with pytest.raises(ValueError, match="entry is for"):
        _rebuild(meta, b"x", argtypes, (8, 0, ""))


def test_a_kernel_capturing_code_for_another_target_is_refused_clearly():
    pytest.importorskip("nvmath.bindings.mathdx")
    from nvmath.device import FFT
    from nvmath.device.kernel_cache import check_device_objects

    try:
        fft = FFT(64, "single", "c2c", "Thread", sm=(10, 0))
    except Exception as e:  # libmathdx missing
        pytest.skip(str(e))

    def kernel(data):
        fft.execute(data)

    with pytest.raises(
        ValueError,
        match=r"generated for sm_100, which cannot run on this device \(sm_90\).*"
        r"sm=\(9, 0\)",
    ):
        check_device_objects(kernel, (9, 0))
    check_device_objects(kernel, (10, 0))  # the same device: accepted
    check_device_objects(kernel, (12, 0))  # portable code runs on newer devices


def test_a_kernel_capturing_a_matmul_is_checked_by_its_compute_capability():
    """Matmul.sm is a ComputeCapability with the arch modifier (sm_90a runs on 9.0 only)."""
    pytest.importorskip("nvmath.bindings.mathdx")
    from nvmath.device import Matmul
    from nvmath.device.kernel_cache import check_device_objects

    mm = Matmul(size=(16, 16, 16), precision=np.float32, data_type="real", execution="Block", sm=(9, 0))
    arch_specific = Matmul(size=(16, 16, 16), precision=np.float32, data_type="real", execution="Block", sm="sm_90a")
    assert str(mm.sm) == "9.0" and str(arch_specific.sm) == "9.0a"

    def kernel(a):
        mm.execute(1.0, a, a, 0.0, a)

    def kernel_a(a):
        arch_specific.execute(1.0, a, a, 0.0, a)

    check_device_objects(kernel, (9, 0))
    check_device_objects(kernel, (10, 0))  # portable code runs on newer devices
    check_device_objects(kernel_a, (9, 0))
    with pytest.raises(ValueError, match=r"generated for sm_90a, which cannot run on this device \(sm_100\)"):
        check_device_objects(kernel_a, (10, 0))
    with pytest.raises(ValueError, match=r"generated for sm_90, which cannot run on this device \(sm_80\)"):
        check_device_objects(kernel, (8, 0))


def test_libmathdx_code_is_optimized_before_lto_and_keyed_by_how():
    # libmathdx's NVRTC gets -gen-opt-lto: without it the library's LTO-IR reaches the kernel's
    # link unoptimized, and loop-invariant work of cuBLASDx stays in a kernel's loops.
    from types import SimpleNamespace

    from nvmath.device import _mathdx_code

    calls = []

    class FakeDx:
        CommondxOption = SimpleNamespace(TARGET_SM=1, EXTRA_NVRTC_ARGS=2, CODE_ISA=3)
        CommondxArchModifier = SimpleNamespace(ARCH_SPECIFIC=1, FAMILY_SPECIFIC=2)
        MathDxError = RuntimeError

        def commondxCreateCode(self):
            return 7

        def commondxSetCodeOptionInt64s(self, code, option, count, values):
            assert count == len(values)
            calls.append(("ints", option, list(values)))

        def commondxSetCodeOptionStrs(self, code, option, count, values):
            calls.append(("strs", option, count, list(values)))

        def commondxGetCodeOptionInt64(self, code, option):
            return 12080

        def commondxGetCodeLTOIRSize(self, code):
            return 5

        def commondxGetCodeLTOIR(self, code, size):
            return b"ltoir"[:size]

        def commondxDestroyCode(self, code):
            calls.append(("destroy", code))

    info = {}
    out = _mathdx_code.finalize_ltoir(
        FakeDx(), lambda code, handle: calls.append(("finalize", handle)), 5, Target(9, 0), info
    )
    assert out == b"ltoir" and info == {"isa": 12080}
    assert ("ints", 1, [900]) in calls
    assert ("strs", 2, 1, ["-gen-opt-lto"]) in calls
    assert calls.index(("strs", 2, 1, ["-gen-opt-lto"])) < calls.index(("finalize", 5))
    assert calls[-1] == ("destroy", 7)
    # The options are part of the LTO-IR's cache key (old unoptimized LTO-IR is not reused).
    key = _mathdx_code._ltoir_key({"descriptor": "x"})
    assert "-gen-opt-lto" in str(key.components.values())


def test_libmathdx_target_sm_carries_the_arch_modifier():
    # sm_90a code is built for sm_90a: libmathdx takes the suffix as a second value.
    from nvmath.bindings import mathdx as dx
    from nvmath.device import _mathdx_code

    assert _mathdx_code.target_sm(dx, Target(8, 0)) == [800]
    assert _mathdx_code.target_sm(dx, Target(9, 0, "a")) == [900, int(dx.CommondxArchModifier.ARCH_SPECIFIC)]
    assert _mathdx_code.target_sm(dx, Target(10, 0, "f")) == [1000, int(dx.CommondxArchModifier.FAMILY_SPECIFIC)]
    assert Target(9, 0).kernel_target() == Target(9, 0, "a")
    assert Target(8, 6).kernel_target() == Target(8, 6)
    assert Target(10, 0, "f").kernel_target() == Target(10, 0, "f")
