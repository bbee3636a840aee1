"""Plain ``numba.cuda.jit`` kernels that call nvmath's device functions, warm across processes.

Without a GPU: why numba-cuda cannot cache them itself, which kernels the opt-in hook adopts,
its version guard and switch, the cache keys, and a kernel compiled and linked for sm_90a in one
process (``precompile``) that a second process's plain dispatcher loads without compiling.
On the GPU: values, and a warm first launch in a fresh process.
"""

import json
import logging
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import nvmath.device
from nvmath.device import _plain_kernels, extern_function
from nvmath.device.kernel_cache import KernelCache, entry_names, precompile
from nvmath.jit import compile_cpp

ROOT = Path(__file__).resolve().parents[2]
SAXPY = 'extern "C" __device__ void saxpy(float* y, const float* x, float a, int i) { y[i] = a * x[i] + y[i]; }'


@pytest.fixture(scope="module")
def saxpy():
    return extern_function(
        "saxpy", ("void", ["float*", "float*", "float", "int"]), compile_cpp(SAXPY, compute_capability="sm_90")
    )


def _need_libmathdx(version_function: str) -> None:
    """Skip the test where libmathdx (or the part that ``version_function`` asks) is missing."""
    mathdx = pytest.importorskip("nvmath.bindings.mathdx")
    try:
        getattr(mathdx, version_function)()
    except Exception as e:  # libmathdx missing
        pytest.skip(str(e))


@pytest.fixture
def hook_off():
    """The hook off before and after the test, whatever the test did."""
    _plain_kernels.disable_plain_kernel_cache()
    yield
    _plain_kernels.disable_plain_kernel_cache()


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    from nvmath.cache import configure

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))
    configure()
    yield tmp_path
    monkeypatch.delenv("NVMATH_CACHE_DIR")
    configure()


# --- the premise: numba-cuda refuses to pickle a code library that links code ---------------------


def test_numba_cuda_cannot_pickle_a_library_linking_in_memory_ltoir(saxpy):
    # If a numba-cuda release lifts this, cache=True could work for these kernels: revisit the hook.
    from numba.cuda import LTOIR
    from numba.cuda.codegen import CUDACodeLibrary

    library = CUDACodeLibrary(None, "k", entry_name="k")
    library.add_linking_file(LTOIR(saxpy.ltoir, name="saxpy.ltoir"))
    library.finalize()
    with pytest.raises(RuntimeError, match="Cannot pickle CUDACodeLibrary with linking files"):
        pickle.dumps(library)


# --- which kernels link external code -------------------------------------------------------------


def test_links_external_code(saxpy):
    from numba import cuda

    links = _plain_kernels.links_external_code

    @cuda.jit
    def direct(y, x):
        saxpy.call(y, x, 2.0, 0)

    call = saxpy.call

    @cuda.jit
    def through_the_intrinsic(y, x):
        call(y, x, 2.0, 0)

    @cuda.jit(device=True)
    def helper(y, x):
        saxpy.call(y, x, 2.0, 0)

    @cuda.jit
    def through_a_device_function(y, x):
        helper(y, x)

    def make(fn):
        @cuda.jit
        def closure(y, x):
            fn.call(y, x, 2.0, 0)

        return closure

    @cuda.jit
    def plain(y, x):
        y[0] = x[0] + 1.0

    @cuda.jit(link=[str(ROOT / "README.md")])
    def with_link(y, x):
        y[0] = x[0]

    @cuda.jit
    def reads_the_package(y):
        y[0] = nvmath.device.random is not None

    assert links(direct) and links(through_the_intrinsic) and links(through_a_device_function)
    assert links(make(saxpy)) and links(with_link) and links(reads_the_package)
    assert not links(plain)


# --- the switch ----------------------------------------------------------------------------------


def test_enable_and_disable_patch_and_restore_the_dispatcher(hook_off):
    from numba.cuda.dispatcher import CUDADispatcher

    original = CUDADispatcher.compile
    assert not _plain_kernels.plain_kernel_cache_enabled()
    _plain_kernels.enable_plain_kernel_cache()
    _plain_kernels.enable_plain_kernel_cache()  # idempotent: one wrapper
    assert _plain_kernels.plain_kernel_cache_enabled()
    assert CUDADispatcher.compile is not original
    assert CUDADispatcher.compile.__wrapped__ is original
    _plain_kernels.disable_plain_kernel_cache()
    assert CUDADispatcher.compile is original and not _plain_kernels.plain_kernel_cache_enabled()


def test_an_untested_numba_cuda_is_refused_and_nothing_changes(hook_off, monkeypatch):
    from numba.cuda.dispatcher import CUDADispatcher

    original = CUDADispatcher.compile
    monkeypatch.setattr(_plain_kernels, "_numba_cuda_release", lambda: (0, 99))
    with pytest.raises(RuntimeError, match=r"numba-cuda \(0, 99\) is not supported; accepted: numba-cuda 0\.30"):
        _plain_kernels.enable_plain_kernel_cache()
    assert CUDADispatcher.compile is original and not _plain_kernels.plain_kernel_cache_enabled()


@pytest.mark.parametrize(("value", "enabled"), [("1", True), ("on", True), ("0", False), ("", False), ("maybe", False)])
def test_environment_variable(hook_off, monkeypatch, caplog, value, enabled):
    monkeypatch.setenv("NVMATH_PLAIN_KERNEL_CACHE", value)
    with caplog.at_level(logging.WARNING, logger="nvmath.device"):
        _plain_kernels.enable_from_environment()
    assert _plain_kernels.plain_kernel_cache_enabled() is enabled
    if value == "maybe":
        assert "NVMATH_PLAIN_KERNEL_CACHE='maybe' is not supported; accepted: 1 or 0" in caplog.text


def test_which_dispatchers_are_adopted(saxpy, hook_off):
    from numba import cuda
    from numba.cuda.dispatcher import CUDACache

    def body(y, x):
        saxpy.call(y, x, 2.0, 0)

    def other(y, x):
        y[0] = x[0]

    plain = cuda.jit(body)
    assert _plain_kernels._adopt(plain) and isinstance(plain._cache, KernelCache) and plain.nvmath_cache is plain._cache
    disk = cuda.jit(cache=True)(body)
    assert isinstance(disk._cache, CUDACache)
    assert _plain_kernels._adopt(disk) and isinstance(disk._cache, KernelCache)  # numba's cannot store it
    untouched = cuda.jit(other)
    assert not _plain_kernels._adopt(untouched) and not isinstance(untouched._cache, KernelCache)
    device = cuda.jit(device=True)(body)
    assert not _plain_kernels._adopt(device)
    ours = nvmath.device.jit(body)
    before = ours._cache
    assert not _plain_kernels._adopt(ours) and ours._cache is before


# --- keys -------------------------------------------------------------------------------------------


def test_link_files_are_keyed_by_content_not_path(tmp_path, saxpy, private_cache):
    from numba import cuda, types

    a, b, c = tmp_path / "a.ltoir", tmp_path / "b.ltoir", tmp_path / "c.ltoir"
    a.write_bytes(saxpy.ltoir)
    b.write_bytes(saxpy.ltoir)
    c.write_bytes(saxpy.ltoir + b"\0")

    def body(y):
        y[0] = 1.0

    def key(path):
        return KernelCache(cuda.jit(link=[str(path)])(body)).key((types.float32[::1],), (9, 0, "a"))

    assert key(a) == key(b)  # a new temporary file with the same code: still a hit
    assert key(a) != key(c)


class _Extension:
    def prepare_args(self, ty, val, stream, retr):
        return ty, val


def test_extensions_do_not_make_keys_differ_between_processes(private_cache):
    from numba import cuda, types

    def body(y):
        y[0] = 1.0

    first = KernelCache(cuda.jit(extensions=[_Extension()])(body)).key((types.float32[::1],), (9, 0, "a"))
    second = KernelCache(cuda.jit(extensions=[_Extension()])(body)).key((types.float32[::1],), (9, 0, "a"))
    none = KernelCache(cuda.jit(body)).key((types.float32[::1],), (9, 0, "a"))
    assert first == second and first != none


def test_a_rebuilt_kernel_keeps_the_dispatchers_extensions():
    from numba import types

    from nvmath.device.kernel_cache import _rebuild

    meta = {
        "entry_name": "_Z1k",
        "cooperative": False,
        "cc": [9, 0, "a"],
        "lineinfo": False,
        "shared_memory_carveout": None,
        "launch_config_sensitive": False,
        "container": "bytes",
    }
    ext = _Extension()
    kernel = _rebuild(meta, b"\x7fELF", (types.float32[::1],), (9, 0, "a"), extensions=[ext])
    assert kernel.extensions == [ext]


def test_entry_names_reads_the_kernels_of_a_cubin():
    with pytest.raises(ValueError, match="not a 64-bit little-endian ELF cubin"):
        entry_names(b"\xedCN\x7f" + bytes(100))


# --- precompile, then a plain dispatcher loads it in another process ------------------------------

_CHILD = textwrap.dedent("""
    import json, logging, sys, time
    t0 = time.perf_counter()
    from numba import cuda, types
    import nvmath.device
    from nvmath.device import kernel_cache, _plain_kernels
    from nvmath.jit import compile_cpp

    MODE, KIND = sys.argv[1], sys.argv[2]
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("nvmath.device").addHandler(handler)
    logging.getLogger("nvmath.device").setLevel(logging.INFO)

    if KIND == "fft":
        fft = nvmath.device.FFT(64, "single", "c2c", "Block", sm=(9, 0))
        storage, ept, stride = fft.storage_size, fft.elements_per_thread, fft.stride

        def body(data):
            thread_data = cuda.local.array(storage, dtype=types.complex64)
            smem = cuda.shared.array(0, dtype=types.uint8)
            for i in range(ept):
                thread_data[i] = data[cuda.blockIdx.x, cuda.threadIdx.x + i * stride]
            fft.execute(thread_data, smem)
            for i in range(ept):
                data[cuda.blockIdx.x, cuda.threadIdx.x + i * stride] = thread_data[i]

        sig = (types.complex64[:, ::1],)
    elif KIND == "cublasdx":
        # The chained-GEMM example's form: a device helper, the shared array typed by a
        # captured complex value type.
        import numpy as np
        mm = nvmath.device.Matmul(size=(32, 32, 32), precision=np.float32, data_type="complex",
                                  arrangement=("col_major",) * 3, execution="Block", block_size=128, sm=(9, 0))
        a_size, value_type, a_dim, lda = mm.a_size, mm.a_value_type, mm.a_dim, mm.leading_dimension.a

        @cuda.jit(device=True, forceinline=True)
        def load_to_shared(matrix, smem, dim, ld):
            for index in range(cuda.threadIdx.x, dim[0] * dim[1], cuda.blockDim.x):
                smem[(index // dim[1]) * ld + index % dim[1]] = matrix[index % dim[1], index // dim[1]]

        def body(alpha, a, beta, out):
            smem = cuda.shared.array(shape=(0,), dtype=value_type)
            load_to_shared(a, smem, a_dim, lda)
            cuda.syncthreads()
            mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[2 * a_size:])

        arr = types.Array(types.complex64, 2, "F")
        sig = (types.complex128, arr, types.complex128, arr)
    else:
        SRC = 'extern "C" __device__ void saxpy(float* y, const float* x, float a, int i) { y[i] = a * x[i] + y[i]; }'
        saxpy = nvmath.device.extern_function(
            "saxpy", ("void", ["float*", "float*", "float", "int"]), compile_cpp(SRC, compute_capability="sm_90"))
        SCALE = float(sys.argv[3])

        def body(y, x):
            i = cuda.grid(1)
            if i < y.size:
                saxpy.call(y, x, SCALE, i)

        sig = (types.float32[::1], types.float32[::1])

    kernel = cuda.jit(body)  # plain numba.cuda.jit, as nvmath-python's examples write it
    result = {}
    if MODE == "precompile":
        result = kernel_cache.precompile(kernel, sig, (9, 0))
    else:
        # The test machine has no GPU: the device an H200 would be (the only stand-in in this test).
        kernel_cache.KernelCache._target = staticmethod(lambda: (9, 0, "a"))
        import numba.cuda.dispatcher

        def no_compile(self, *args, **kwargs):  # _Kernel() compiles; _Kernel._rebuild() does not call it
            raise AssertionError("numba compiled the kernel")

        numba.cuda.dispatcher._Kernel.__init__ = no_compile
        _plain_kernels.enable_plain_kernel_cache()
        t1 = time.perf_counter()
        try:
            compiled = kernel.compile(sig)
            result["entry_name"] = compiled.entry_name
        except AssertionError as e:
            result["error"] = str(e)
        result["compile_s"] = time.perf_counter() - t1
        result["nvmath_hits"] = kernel.nvmath_cache.hits
        result["nvmath_misses"] = kernel.nvmath_cache.misses
        result["numba_cache_hits"] = sum(kernel.stats.cache_hits.values())
    result["log"] = records
    print(json.dumps(result))
""")


def _child_env(cache_dir, **extra):
    env = dict(os.environ, NVMATH_CACHE_DIR=str(cache_dir), **extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _child(cache_dir, *args):
    env = _child_env(cache_dir)
    env.pop("NVMATH_PLAIN_KERNEL_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_precompiled_plain_kernel_loads_in_a_fresh_process_without_compiling(tmp_path):
    stored = _child(tmp_path, "precompile", "saxpy", "2.5")
    assert stored["target"] == "sm_90a" and stored["entry_name"].startswith("_Z") and stored["cubin_bytes"] > 0
    warm = _child(tmp_path, "load", "saxpy", "2.5")
    assert "error" not in warm, warm
    assert warm["entry_name"] == stored["entry_name"]
    assert warm["nvmath_hits"] == 1 and warm["nvmath_misses"] == 0 and warm["numba_cache_hits"] == 1
    assert any("loaded from the cache" in line for line in warm["log"]), warm["log"]
    assert any("nvmath's kernel cache replaces" in line for line in warm["log"]), warm["log"]
    # Another captured value is another kernel: a miss, so numba compiles (here: refused).
    other = _child(tmp_path, "load", "saxpy", "3.5")
    assert other["nvmath_misses"] == 1 and other["error"] == "numba compiled the kernel"


def test_precompiled_plain_fft_kernel_loads_in_a_fresh_process(tmp_path):
    _need_libmathdx("cufftdxGetVersion")
    stored = _child(tmp_path, "precompile", "fft")
    # libmathdx's unused globals dropped at the link: 18 KB here, 1.8 MB with them.
    assert stored["cubin_bytes"] < 256 * 1024, stored
    warm = _child(tmp_path, "load", "fft")
    assert "error" not in warm, warm
    assert warm["entry_name"] == stored["entry_name"] and warm["nvmath_hits"] == 1
    assert warm["compile_s"] < 1.0  # a lookup and a rebuild, no typing, NVVM or nvJitLink


def test_precompile_compiles_the_device_functions_a_kernel_calls_for_its_target(private_cache):
    # nvmath-python's examples call numba.cuda.jit(device=True) helpers; numba-cuda compiles
    # those for the current device, which, without a GPU, it cannot ask for.
    from numba import cuda, types

    from nvmath.jit import current_device_target

    @cuda.jit(device=True)
    def twice(x, i):
        return x[i] * 2

    @nvmath.device.jit
    def kernel(x):
        i = cuda.grid(1)
        if i < x.size:
            x[i] = twice(x, i)

    device = current_device_target()
    targets = [cc for cc in ((10, 0), (8, 0)) if device is None or (device.major, device.minor) != cc]
    # A newer target, then an older one: each kernel links device code of its own target (the
    # older kernel could not link the newer target's LTO-IR).
    for cc in targets:
        stored = precompile(kernel, (types.float32[::1],), cc)
        assert stored["target"] == f"sm_{cc[0]}{cc[1]}{'a' if cc >= (9, 0) else ''}" and stored["cubin_bytes"] > 0
    assert not twice.overloads  # what was compiled for those targets is not kept for this process's device


def test_a_cublasdx_kernel_written_as_nvmath_pythons_examples_precompiles(private_cache):
    """The chained-GEMM example's form: a device helper that loads shared memory, and the shared
    array typed by ``MM.a_value_type`` (a complex value type), both captured by the kernel."""
    _need_libmathdx("cublasdxGetVersion")
    from numba import cuda, types

    from nvmath.device import Matmul

    mm = Matmul(
        size=(32, 32, 32),
        precision=np.float32,
        data_type="complex",
        arrangement=("col_major",) * 3,
        execution="Block",
        block_size=128,
        sm=(9, 0),
    )
    a_size, value_type, a_dim, lda = mm.a_size, mm.a_value_type, mm.a_dim, mm.leading_dimension.a

    @cuda.jit(device=True, forceinline=True)
    def load_to_shared(matrix, smem, dim, ld):
        for index in range(cuda.threadIdx.x, dim[0] * dim[1], cuda.blockDim.x):
            smem[(index // dim[1]) * ld + index % dim[1]] = matrix[index % dim[1], index // dim[1]]

    @cuda.jit
    def kernel(alpha, a, beta, out):
        smem = cuda.shared.array(shape=(0,), dtype=value_type)
        load_to_shared(a, smem, a_dim, lda)
        cuda.syncthreads()
        mm.execute(alpha, smem[0:], smem[a_size:], beta, smem[2 * a_size :])
        cuda.syncthreads()
        load_to_shared(out, smem, a_dim, lda)

    arr = types.Array(types.complex64, 2, "F")
    stored = precompile(kernel, (types.complex128, arr, types.complex128, arr), (9, 0))
    assert stored["target"] == "sm_90a" and 0 < stored["cubin_bytes"] < 256 * 1024


def test_unused_globals_are_dropped_only_where_the_host_touches_none_but_the_record():
    from numba.cuda import LTOIR

    from nvmath.device import _array_check_record
    from nvmath.device.kernel_cache import unused_globals_link_options

    keep = "-variables-used=__nvmath_array_check_record,__nvmath_array_check_claim"
    record = LTOIR(b"x", name="record.ltoir", setup_callback=_array_check_record.setup_module)
    plain = LTOIR(b"x", name="library.ltoir")
    assert unused_globals_link_options([b"kernel", plain, record, "/some/file.ptx"]) == (keep,)
    assert unused_globals_link_options([]) == (keep,)
    # Code whose module callbacks are not the record's may have globals the host sets or reads.
    assert unused_globals_link_options([b"kernel", LTOIR(b"x", setup_callback=lambda m: None)]) == ()
    assert unused_globals_link_options([plain, LTOIR(b"x", teardown_callback=lambda m: None)]) == ()
    assert unused_globals_link_options([record, LTOIR(b"x", nrt=True)]) == ()


def test_a_precompiled_kernel_written_as_nvmath_pythons_examples_loads_in_a_fresh_process(tmp_path):
    # A device helper (compiled for the target) and a captured value type (keyed by its
    # description): the fresh process loads the cubin, it compiles nothing.
    _need_libmathdx("cublasdxGetVersion")
    stored = _child(tmp_path, "precompile", "cublasdx")
    warm = _child(tmp_path, "load", "cublasdx")
    assert "error" not in warm, warm
    assert warm["entry_name"] == stored["entry_name"] and warm["nvmath_hits"] == 1 and warm["nvmath_misses"] == 0


def test_precompile_refuses_what_it_cannot_cache(saxpy):
    from numba import cuda, types

    def body(y, x):
        saxpy.call(y, x, 2.0, 0)

    sig = (types.float32[::1], types.float32[::1])
    with pytest.raises(TypeError, match="is a device function; accepted: a kernel"):
        precompile(cuda.jit(device=True)(body), sig, (9, 0))
    with pytest.raises(ValueError, match="has debug=True"):
        precompile(cuda.jit(debug=True, opt=False)(body), sig, (9, 0))
    with pytest.raises(TypeError, match="is not supported; accepted: a numba.cuda.jit or nvmath.device.jit kernel"):
        precompile(body, sig, (9, 0))


# --- on the GPU ---------------------------------------------------------------------------------------

_GPU_CHILD = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    from numba import cuda, types
    import nvmath.device

    fft = nvmath.device.FFT(512, "single", "c2c", "Block")
    storage, ept, stride = fft.storage_size, fft.elements_per_thread, fft.stride

    @cuda.jit(cache=sys.argv[1] == "cache")
    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.complex64)
        smem = cuda.shared.array(0, dtype=types.uint8)
        b = cuda.blockIdx.x
        t = cuda.threadIdx.x
        for i in range(ept):
            thread_data[i] = data[b, t + i * stride]
        fft.execute(thread_data, smem)
        for i in range(ept):
            data[b, t + i * stride] = thread_data[i]

    rng = np.random.default_rng()
    x = (rng.standard_normal((40, 512)) + 1j * rng.standard_normal((40, 512))).astype(np.complex64)
    d = cuda.to_device(x)
    t1 = time.perf_counter()
    kernel[40, fft.block_dim, 0, fft.shared_memory_size](d)
    cuda.synchronize()
    t2 = time.perf_counter()
    want = np.fft.fft(x.astype(np.complex128), axis=1)
    error = float(np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want))
    cache = getattr(kernel, "nvmath_cache", None)
    print(json.dumps({"error": error, "hits": cache.hits if cache else None, "misses": cache.misses if cache else None,
                      "first_launch_s": t2 - t1, "total_s": t2 - t0}))
""")


def _gpu_child(tmp_path, hook: bool, decorator: str = "plain"):
    # A script file, not -c: numba-cuda's cache=True needs the kernel's source file.
    script = tmp_path / "plain_kernel_child.py"
    script.write_text(_GPU_CHILD)
    env = _child_env(tmp_path / "nvmath-cache", NVMATH_PLAIN_KERNEL_CACHE="1" if hook else "0")
    done = subprocess.run(
        [sys.executable, str(script), decorator], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.gpu
def test_plain_kernel_calling_the_fft_gives_right_values_without_the_hook(tmp_path):
    run = _gpu_child(tmp_path, hook=False)
    assert run["error"] < 1e-5 and run["hits"] is None  # numba-cuda compiled it, nvmath did not cache it


@pytest.mark.gpu
def test_plain_kernel_starts_warm_in_a_fresh_process_with_the_hook(tmp_path):
    cold = _gpu_child(tmp_path, hook=True)
    assert cold["error"] < 1e-5 and cold["hits"] == 0 and cold["misses"] == 1, cold
    warm = _gpu_child(tmp_path, hook=True)
    assert warm["error"] < 1e-5 and warm["hits"] == 1 and warm["misses"] == 0, warm
    assert warm["first_launch_s"] < cold["first_launch_s"]
    # The goal on an H200: the whole process to the first result within about a second.
    print(f"plain numba.cuda.jit + hook: cold {cold['total_s']:.2f} s, warm {warm['total_s']:.2f} s")


@pytest.mark.gpu
def test_cache_true_plain_kernel_works_with_the_hook(tmp_path):
    # numba-cuda's own disk cache cannot store a kernel that links LTO-IR; with the hook, nvmath's does.
    cold = _gpu_child(tmp_path, hook=True, decorator="cache")
    warm = _gpu_child(tmp_path, hook=True, decorator="cache")
    assert cold["error"] < 1e-5 and warm["error"] < 1e-5
    assert cold["misses"] == 1 and warm["hits"] == 1, (cold, warm)


@pytest.mark.gpu
def test_in_process_plain_kernel_with_the_hook(hook_off, private_cache):
    from numba import cuda

    from nvmath.jit import current_device_target

    fn = extern_function(
        "saxpy",
        ("void", ["float*", "float*", "float", "int"]),
        compile_cpp(SAXPY, compute_capability=current_device_target()),
    )
    _plain_kernels.enable_plain_kernel_cache()

    @cuda.jit
    def kernel(y, x, a):
        i = cuda.grid(1)
        if i < y.size:
            fn.call(y, x, a, i)

    rng = np.random.default_rng()
    x = rng.standard_normal(1000).astype(np.float32)
    y = rng.standard_normal(1000).astype(np.float32)
    dy = cuda.to_device(y)
    kernel[8, 128](dy, cuda.to_device(x), np.float32(1.5))
    assert np.allclose(dy.copy_to_host(), 1.5 * x.astype(np.float64) + y, rtol=1e-6, atol=1e-6)
    assert kernel.nvmath_cache.misses == 1


@pytest.mark.parametrize(("value", "enabled"), [("1", True), (None, False)])
def test_the_environment_variable_turns_the_hook_on_at_import(value, enabled):
    env = dict(os.environ)
    env.pop("NVMATH_PLAIN_KERNEL_CACHE", None)
    if value is not None:
        env["NVMATH_PLAIN_KERNEL_CACHE"] = value
    code = (
        "import sys, nvmath.device\n"
        "from nvmath.device import _plain_kernels\n"
        "print(_plain_kernels.plain_kernel_cache_enabled(), 'numba.cuda.dispatcher' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    on, numba_loaded = done.stdout.split()
    assert on == str(enabled)
    if enabled:
        assert numba_loaded == "True"
