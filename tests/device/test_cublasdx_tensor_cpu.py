"""cuBLASDx's tensor API without a GPU: layouts and their traits, the C++ shims around libmathdx's
device functions, typing errors, and kernels that use tensors compiled and linked into cubins."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")
mathdx_fetch = pytest.importorskip("nvmath.bindings._mathdx_fetch")

from nvmath.device import common  # noqa: E402
from nvmath.device._tensor_engine import _shim_source, value_type_name  # noqa: E402
from nvmath.device.common_cuda import ComputeCapability  # noqa: E402
from nvmath.device.cublasdx import Matmul  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cublasdxGetVersion)

ARR = ("row_major", "col_major", "col_major")


def _mm(size=(32, 32, 32), precision=np.float32, data_type="real", **kwargs):
    kwargs.setdefault("sm", ComputeCapability(9, 0))
    kwargs.setdefault("arrangement", ARR)
    kwargs.setdefault("block_size", 128)
    try:
        return Matmul(size, precision, data_type, **kwargs)
    except RuntimeError as e:
        pytest.xfail(str(e).splitlines()[0])


def test_importing_common_imports_neither_numba_nor_libmathdx():
    code = (
        "import sys, nvmath.device.common, nvmath.device._cublasdx_tensor\n"
        "bad = [m for m in ('numba', 'numba.cuda') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["make_tensor", "make_fragment_like", "axpby", "copy", "copy_fragment", "clear"])
def test_host_calls_fail_clearly(name):
    fn = getattr(common, name)
    nargs = fn.__code__.co_argcount - len(fn.__defaults__ or ())
    with pytest.raises(RuntimeError, match="kernel"):
        fn(*([None] * nargs))
    with pytest.raises(RuntimeError, match="kernel"):
        common.copy_wait()
    with pytest.raises(RuntimeError):
        common.Layout()


def test_value_type_names():
    assert value_type_name("float64") == "R_64F"
    assert value_type_name("complex64") == "C_32F"
    with pytest.raises(ValueError, match="dtype='bool'"):
        value_type_name("bool")


def test_shim_passes_tensors_as_pointers_and_leading_dimensions():
    source, params = _shim_source("target", "shim", "STTST", ("gmem_a", "suggested_smem_b", "rmem_c"))
    assert params == ("ptr", "ptr", "i64", "ptr", "ptr", "ptr")
    assert "long long strides[1]" in source
    assert 'extern "C" __device__ void shim(void* p0, void* p1, long long ld1, void* p2, void* p3, void* p4)' in source
    assert "target(p0, nvmath_tensor_1{p1, {ld1}}, nvmath_tensor_2{p2}, p3, nvmath_tensor_4{p4})" in source


@needs_library
def test_layout_traits():
    mm = _mm()
    m, n, k = mm.size
    a = mm.suggest_layout_smem_a()
    assert a.size == m * k and a.cosize >= a.size and a.alignment >= 4 and a.dtype is np.float32
    assert a.storage_bytes == a.cosize * 4
    assert mm.get_layout_smem_b().cosize >= k * n
    rmem = mm.suggest_layout_rmem_c()
    # every thread holds its share of C
    assert rmem.size * mm.block_size >= m * n and rmem.cosize >= rmem.size
    gmem = mm.get_layout_gmem_a()
    assert gmem.memory_space == "g" and gmem.size == m * k
    assert mm.get_layout_gmem_a(64).cosize == 64 * m  # A row-major: m rows of 64
    assert mm.get_layout_gmem_c(40).cosize == 40 * n  # C column-major: n columns of 40
    assert mm.get_shared_storage_size_ab(a, mm.suggest_layout_smem_b()) >= (m * k + k * n) * 4


@needs_library
@pytest.mark.parametrize("bad", [0, -3, 2.5, "x"])
def test_bad_leading_dimension(bad):
    mm = _mm()
    with pytest.raises(ValueError, match="leading_dimension"):
        mm.get_layout_gmem_b(bad)


@needs_library
def test_typing_errors_name_the_problem():
    from numba import cuda, types
    from numba.core.errors import TypingError

    mm = _mm()
    c_layout = mm.suggest_layout_rmem_c()

    def copy_to_registers(a):
        buf = cuda.local.array(shape=(c_layout.cosize,), dtype=np.float32)
        common.copy(common.make_tensor(a, mm.get_layout_gmem_c()), common.make_tensor(buf, c_layout))

    def bad_alignment(a):
        smem = cuda.shared.array(shape=(0,), dtype=np.float32)
        common.copy(common.make_tensor(a, mm.get_layout_gmem_a()), common.make_tensor(smem, mm.get_layout_smem_a()), 3)

    sig = (types.float32[:, ::1],)
    with pytest.raises(TypingError, match="copy_fragment"):
        cuda.compile_all(copy_to_registers, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    with pytest.raises(TypingError, match="alignment=3"):
        cuda.compile_all(bad_alignment, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")


@needs_library
def test_tensor_kernel_links():
    """As cublasdx_simple_gemm_tensor_fp32.py and cublasdx_simple_partition.py: every tensor
    function, run-time leading dimensions, a partitioner and register indexing."""
    from numba import cuda, types

    from nvmath.jit import link

    mm = _mm()
    a_layout, b_layout, c_layout = mm.suggest_layout_smem_a(), mm.suggest_layout_smem_b(), mm.suggest_layout_rmem_c()

    def f(alpha, a, b, beta, c, output):
        smem = cuda.shared.array(shape=(0,), dtype=np.float32, alignment=16)
        sa, smem = smem[: a_layout.cosize], smem[a_layout.cosize :]
        sb = smem[: b_layout.cosize]
        rbuf = cuda.local.array(shape=(c_layout.cosize,), dtype=mm.c_value_type)
        ga = common.make_tensor(a, mm.get_layout_gmem_a())
        gb = common.make_tensor(b, mm.get_layout_gmem_b(32))
        gc = common.make_tensor(c, mm.get_layout_gmem_c())
        go = common.make_tensor(output, mm.get_layout_gmem_c())
        ta, tb = common.make_tensor(sa, a_layout), common.make_tensor(sb, b_layout)
        rc = common.make_tensor(rbuf, c_layout)
        common.copy(ga, ta)
        common.copy(gb, tb, alignment=16)
        common.clear(rc)
        common.copy_wait()
        mm.execute(ta, tb, rc)
        r2 = common.make_fragment_like(rc, np.float32)
        common.copy_fragment(gc, r2)
        common.axpby(alpha, rc, beta, r2)
        part = mm.suggest_partitioner()
        if part.is_thread_active():
            for i in range(c_layout.size):
                if (not part.is_predicated()) or part.is_index_in_bounds(i):
                    x, y = part.map_fragment_index(i)
                    r2[i] = r2[i] + (x - x) + (y - y)
        common.copy_fragment(r2, go)

    sig = (types.float32, types.float32[:, ::1], types.float32[::1, :], types.float32)
    sig += (types.float32[::1, :], types.float32[::1, :])
    codes, _ = cuda.compile_all(f, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    assert len(inputs) > 2  # the kernel, libmathdx's functions and their shims
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


@needs_library
def test_accumulator_kernel_links():
    """As cublasdx_simple_gemm_accumulator_fp32.py and cublasdx_simple_gemm_make_tensor_like.py:
    an accumulator, its results, a partitioned copy of C in another precision."""
    from numba import cuda, types

    from nvmath.jit import link

    mm = _mm((32, 32, 16), (np.float16, np.float16, np.float32), arrangement=("col_major", "row_major", "row_major"))
    a_layout, b_layout = mm.suggest_layout_smem_a(), mm.suggest_layout_smem_b()

    def f(alpha, a, b, beta, c):
        smem = cuda.shared.array(shape=(0,), dtype=np.float16, alignment=16)
        sa, smem = smem[: a_layout.cosize], smem[a_layout.cosize :]
        sb = smem[: b_layout.cosize]
        ta, tb = common.make_tensor(sa, a_layout), common.make_tensor(sb, b_layout)
        common.copy(common.make_tensor(a, mm.get_layout_gmem_a()), ta)
        common.copy(common.make_tensor(b, mm.get_layout_gmem_b()), tb)
        common.copy_wait()
        gmem_c = common.make_tensor(c, mm.get_layout_gmem_c())  # float64: a layout "like" C's
        accumulator = mm.suggest_accumulator()
        c_frag = accumulator.make_partition_and_copy(gmem_c)
        mm.execute(ta, tb, accumulator)
        results = accumulator.get_results()
        wide = common.make_fragment_like(results, np.float64)
        for i in range(results.layout.cosize):
            wide[i] = np.float64(results[i])
        common.axpby(alpha, wide, beta, c_frag)
        accumulator.partition_and_copy(c_frag, gmem_c)

    sig = (types.float64, types.float16[::1, :], types.float16[:, ::1], types.float64, types.float64[:, ::1])
    codes, _ = cuda.compile_all(f, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


@needs_library
def test_empty_fragments_of_partitioners_and_accumulators_link():
    """nvmath-python's make_empty_fragment() (and this project's earlier name for it): a
    register tensor of the accumulator's layout, here filled from C, scaled, and stored."""
    from numba import cuda, types

    from nvmath.jit import link

    mm = _mm((32, 32, 16))
    c_size = mm.suggest_layout_rmem_c().size

    def f(c, out):
        gmem_c = common.make_tensor(c, mm.get_layout_gmem_c())
        gmem_out = common.make_tensor(out, mm.get_layout_gmem_c())
        partitioner = mm.suggest_partitioner()
        accumulator = mm.suggest_accumulator()
        frag = partitioner.make_empty_fragment()
        same = accumulator.make_empty_fragment()
        older = accumulator.make_accumulator_fragment()
        accumulator.partition_and_copy(gmem_c, frag)
        for i in range(c_size):
            same[i] = frag[i] * np.float32(2)
            older[i] = same[i]
        partitioner.partition_and_copy(older, gmem_out)

    sig = (types.float32[::1, :], types.float32[::1, :])
    codes, _ = cuda.compile_all(f, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"
    with pytest.raises(RuntimeError, match="only inside a numba.cuda.jit kernel"):
        mm.suggest_accumulator().make_empty_fragment()


@needs_library
def test_tensors_are_finalized_once_per_description_and_each_alone_where_all_kinds_fail(monkeypatch):
    """A description's tensors are finalized in one libmathdx call for all kinds, once per
    process; where that call fails (a kind the description lacks), each tensor asked for is
    finalized on its own, with the same traits."""
    from nvmath.device import _tensor_engine as engine

    spec = _mm((16, 16, 16))._spec
    real_finalize = mathdx.cublasdxFinalizeTensors
    counts = []

    def finalize(count, tensors):
        counts.append(count)
        if fail_all_kinds and count == len(engine.TENSOR_KINDS):
            raise mathdx.MathDxError("cublasdxFinalizeTensors", 1, "as if a kind were missing")
        return real_finalize(count, tensors)

    monkeypatch.setattr(mathdx, "cublasdxFinalizeTensors", finalize)
    wanted = [("smem_a", None), ("gmem_c", None), ("suggested_rmem_c", value_type_name("float64"))]
    traits = {}
    for fail_all_kinds in (False, True):
        monkeypatch.setattr(engine, "_TENSOR_SETS", {})
        counts.clear()
        traits[fail_all_kinds] = [engine._compute_tensor_traits(spec, kind, like) for kind, like in wanted]
        again = [engine._compute_tensor_traits(spec, kind, like) for kind, like in wanted]
        assert again == traits[fail_all_kinds]
        if fail_all_kinds:  # the failed try, then each kind and the retyped one on its own
            assert counts == [len(engine.TENSOR_KINDS), 1, 1, 1, 1]
        else:  # every kind at once, then the retyped tensor: nothing more the second time
            assert counts == [len(engine.TENSOR_KINDS), 1]
    for a, b in zip(traits[False], traits[True]):
        assert {k: v for k, v in a.items() if k != "uid"} == {k: v for k, v in b.items() if k != "uid"}
    retyped = traits[False][2]
    assert retyped["logical_size"] > 0 and retyped["storage_bytes"] >= 8 * retyped["logical_size"]  # float64


def _fresh_engine(monkeypatch, store: dict):
    """The tensor engine as a new process finds it, with ``store`` (components -> (traits,
    LTO-IR)) for nvmath's cache."""
    import json

    from nvmath.device import _mathdx_code
    from nvmath.device import _tensor_engine as engine

    for name in ("_FUNCS", "_SYMBOL_CODE", "_OPEN_BATCHES"):
        monkeypatch.setattr(engine, name, {})
    monkeypatch.setattr(_mathdx_code, "cached", lambda components: store.get(json.dumps(components, sort_keys=True)))

    def keep(components, traits, ltoir, **meta):
        store[json.dumps(components, sort_keys=True)] = (json.loads(json.dumps(traits)), bytes(ltoir))

    monkeypatch.setattr(_mathdx_code, "store", keep)
    return engine


_BATCH = (
    ("clear", (("rmem_c", None),)),
    ("copy", (("gmem_a", None), ("smem_a", None))),
    ("axpby", (("rmem_c", None), ("rmem_c", None))),
)


@needs_library
def test_the_device_functions_of_a_kernel_are_finalized_together_at_the_link(monkeypatch):
    """Device functions asked for one by one are finalized in one libmathdx call when the link
    first reads their code; a later process takes them from the cache, and a function whose
    entry is gone is never defined twice in one link."""
    spec = _mm((16, 16, 16))._spec
    calls = []
    real = mathdx.cublasdxFinalizeDeviceFunctions

    def finalize(code, count, functions):
        calls.append(count)
        return real(code, count, functions)

    monkeypatch.setattr(mathdx, "cublasdxFinalizeDeviceFunctions", finalize)
    store: dict = {}
    engine = _fresh_engine(monkeypatch, store)
    made = [engine.device_function(spec, name, tensors) for name, tensors in _BATCH]
    batch = made[0].ltoirs[0]
    assert isinstance(batch, engine._PendingFunctions) and not batch.finalized and calls == []
    assert all(f.ltoirs[0] is batch for f in made) and len({f.symbol for f in made}) == 3
    ltoir = batch.ltoir()
    assert calls == [3] and batch.ltoir() is ltoir and calls == [3]  # once, for all three
    later = engine.device_function(spec, "copy_wait")  # after the link: a batch of its own
    assert later.ltoirs[0] is not batch
    assert later.ltoirs[0].ltoir() and calls == [3, 1]
    entries = [traits for traits, code in store.values() if code == ltoir]
    assert len(entries) == 3 and all(len(t["batch"]) == 3 for t in entries)

    # A new process: everything from the cache, nothing finalized.
    engine = _fresh_engine(monkeypatch, dict(store))
    again = [engine.device_function(spec, name, tensors) for name, tensors in _BATCH]
    assert [f.symbol for f in again] == [f.symbol for f in made] and calls == [3, 1]
    assert all(f.ltoirs[0] == ltoir for f in again)

    # The cache lost clear's entry. Asked for after the others, clear is the code they brought
    # (it defines clear); asked for first, clear is made anew and the others join its batch.
    key = json.dumps(
        engine._components(spec, "function", function="clear", tensors=json.dumps(_BATCH[0][1]), alignment="None"),
        sort_keys=True,
    )
    assert key in store
    partial = {k: v for k, v in store.items() if k != key}
    engine = _fresh_engine(monkeypatch, dict(partial))
    order = [_BATCH[1], _BATCH[2], _BATCH[0]]
    codes = [engine.device_function(spec, name, tensors).ltoirs[0] for name, tensors in order]
    assert codes == [ltoir] * 3 and calls == [3, 1]
    engine = _fresh_engine(monkeypatch, dict(partial))
    codes = [engine.device_function(spec, name, tensors).ltoirs[0] for name, tensors in _BATCH]
    assert all(c is codes[0] for c in codes) and isinstance(codes[0], engine._PendingFunctions)
    assert codes[0].ltoir() and calls == [3, 1, 3]


@needs_library
def test_a_batch_that_fails_names_the_function_and_keeps_nothing(monkeypatch):
    spec = _mm((16, 16, 16))._spec
    engine = _fresh_engine(monkeypatch, {})
    made = [engine.device_function(spec, name, tensors) for name, tensors in _BATCH]
    real = mathdx.cublasdxFinalizeDeviceFunctions
    symbol = made[1].symbol

    def finalize(code, count, functions):
        trait = mathdx.CublasdxDeviceFunctionTrait.SYMBOL
        names = [mathdx_fetch.cublasdx_get_device_function_trait_str(f, trait).rstrip("\0") for f in functions]
        if count > 1 or any(name in symbol for name in names):  # all together, or copy alone
            raise mathdx.MathDxError("cublasdxFinalizeDeviceFunctions", 1, "as if the code did not compile")
        return real(code, count, functions)

    monkeypatch.setattr(mathdx, "cublasdxFinalizeDeviceFunctions", finalize)
    batch = made[0].ltoirs[0]
    for _ in range(2):  # the same error each time the link reads the code
        with pytest.raises(ValueError, match=r"copy on \(\('gmem_a', None\), \('smem_a', None\)\)"):
            batch.ltoir()
    assert engine._FUNCS == {} and engine._SYMBOL_CODE == {} and engine._OPEN_BATCHES == {}
    monkeypatch.setattr(mathdx, "cublasdxFinalizeDeviceFunctions", real)
    fresh = engine.device_function(spec, *_BATCH[0])
    assert fresh.ltoirs[0] is not batch and fresh.ltoirs[0].ltoir()


def _make_tensor_ptx(monkeypatch, checks: str, smem_short: int | None, rmem_short: int | None) -> str:
    """The PTX of a kernel making a shared tensor (``smem_short`` elements too few, or none made
    with None) and a register tensor (the same with ``rmem_short``) of a 16^3 float32 GEMM."""
    from numba import cuda, types

    from nvmath.jit import link

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", checks)
    mm = _mm((16, 16, 16))
    a_layout, c_layout = mm.suggest_layout_smem_a(), mm.suggest_layout_rmem_c()
    n_smem = a_layout.cosize - (smem_short or 0)
    n_rmem = c_layout.cosize - (rmem_short or 0)
    make_smem, make_rmem = smem_short is not None, rmem_short is not None

    def f(out):
        if make_smem:
            smem = cuda.shared.array(shape=(0,), dtype=np.float32, alignment=16)
            common.make_tensor(smem[:n_smem], a_layout)
        if make_rmem:
            r = common.make_tensor(cuda.local.array(shape=(n_rmem,), dtype=np.float32), c_layout)
            r[0] = out[0]
            out[1] = r[0]

    codes, _ = cuda.compile_all(f, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    ptx = link(inputs, compute_capability="sm_90", output="ptx").decode()
    entry = ptx[ptx.index(".entry") :]
    return entry[: entry.index("\n}")]


_REPORT = re.compile(r"call\.uni\s*(?:\(\w*\),\s*)?\S*__nvmath_short_array_")


@needs_library
def test_make_tensor_checks_that_a_shared_or_register_array_holds_the_layout(monkeypatch):
    """A shared array's length is known at run time: its tensor is checked, once; a register
    array of the layout's cosize needs no check (it folds away), a shorter one always fails."""
    assert len(_REPORT.findall(_make_tensor_ptx(monkeypatch, "1", 0, None))) == 1
    assert len(_REPORT.findall(_make_tensor_ptx(monkeypatch, "1", None, 0))) == 0
    short = _make_tensor_ptx(monkeypatch, "1", None, 1)
    assert len(_REPORT.findall(short)) == 1 and "@%p" not in short.split("__nvmath_short_array_")[0][-200:]
    assert len(_REPORT.findall(_make_tensor_ptx(monkeypatch, "0", 0, 1))) == 0


def _ptx_strings(ptx: str) -> bytes:
    """The bytes of the PTX's constant byte arrays (its strings), one after another."""
    arrays = re.findall(r"\.b8\s+\S+\[\d+\]\s*=\s*\{([^}]*)\}", ptx)
    return b"\n".join(bytes(int(v) for v in a.split(",")) for a in arrays)


@needs_library
@pytest.mark.parametrize("report", ["record", "print"])
def test_a_short_tensor_array_is_reported_by_argument_and_layout(monkeypatch, report):
    """The report names make_tensor, the layout and the argument, and fails the kernel."""
    from numba import cuda, types

    from nvmath.jit import link

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECKS", "1")
    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", report)
    mm = _mm((16, 16, 16))
    layout = mm.suggest_layout_smem_a()

    def f(n):
        smem = cuda.shared.array(shape=(0,), dtype=np.float32, alignment=16)
        common.make_tensor(smem[:n], layout)

    codes, _ = cuda.compile_all(f, (types.int64,), device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    ptx = link(inputs, compute_capability="sm_90", output="ptx").decode()
    need = layout.cosize * 4
    text = f"make_tensor(suggested_smem_a of {mm._spec.short()}): argument 0 (array) holds %lld bytes, but needs at least {need}"
    if report == "record":
        # Written to the host record as 64-bit immediates, with no string in the module.
        words = b"".join(
            int(v).to_bytes(8, "little", signed=True) for v in re.findall(r"mov\.u64\s+%rd\d+, (-?\d+);", ptx)
        )
        assert text.encode() + b"\0" in words, words
        assert "vprintf" not in ptx and "__assertfail" not in ptx and "trap;" in ptx
        return
    strings = _ptx_strings(ptx)
    assert text.encode() in strings, strings
    assert b"an array (array) is too short for make_tensor(suggested_smem_a" in strings


def _fingerprint_of_capture(obj) -> str:
    from nvmath.cache.fingerprint import fingerprint_function

    namespace = {"CAPTURED": obj}
    exec("def kernel(x):\n    return CAPTURED\n", namespace)
    return fingerprint_function(namespace["kernel"])


@needs_library
def test_kernels_capturing_layouts_partitioners_and_value_types_can_be_cached():
    """nvmath-python's tensor-API examples capture layouts, partitioners, accumulators and
    value types in their kernels: the kernel cache keys each by its description (before, such a
    kernel was never cached across processes)."""
    import nvmath.device

    mm = _mm(data_type="complex", block_size=128)
    captured = [
        mm.get_layout_smem_a(),
        mm.suggest_layout_smem_a(),
        mm.get_layout_gmem_c(),
        mm.get_layout_gmem_c(64),
        mm.suggest_partitioner(),
        mm.suggest_accumulator(),
        mm.get_accumulator(),
        mm.a_value_type,
        nvmath.device.complex128,
        nvmath.device.half2,
        nvmath.device.half4,
    ]
    prints = [_fingerprint_of_capture(obj) for obj in captured]
    assert len(set(prints)) == len(prints)  # another description, another key
    again = _mm(data_type="complex", block_size=128)  # the same description, new objects
    assert _fingerprint_of_capture(again.get_layout_smem_a()) == prints[0]
    assert _fingerprint_of_capture(again.suggest_partitioner()) == prints[4]
    other = _mm(data_type="complex", block_size=256)
    assert _fingerprint_of_capture(other.get_layout_smem_a()) != prints[0]
    assert _fingerprint_of_capture(other.suggest_partitioner()) != prints[4]
