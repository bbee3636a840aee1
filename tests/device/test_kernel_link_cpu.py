"""How a kernel that nvmath's cache serves is compiled and linked on a miss, without a GPU.

numba-cuda's ``_Kernel`` asks the current device for its target; here the device that an H200
would be stands in for it (``device_functions_compiled_for`` and the code library's target), so
the compile and the link are numba-cuda's own, for sm_90a.
"""

import logging

import pytest

from nvmath.device import _array_check_record, _kernel_link
from nvmath.device.kernel_cache import KernelCache, cubin_symbols, device_functions_compiled_for, entry_names
from tests.device.gemm_kernel import gemm_kernel

CC = (9, 0, "a")


def _need_libmathdx() -> None:
    mathdx = pytest.importorskip("nvmath.bindings.mathdx")
    try:
        mathdx.cublasdxGetVersion()
    except Exception as e:  # libmathdx missing
        pytest.skip(str(e))


@pytest.fixture
def sm90(monkeypatch):
    """numba-cuda's kernel compile for sm_90a, as on an H200, on a machine without a GPU."""
    from numba.cuda.codegen import CUDACodeLibrary

    original = CUDACodeLibrary._ensure_cc
    monkeypatch.setattr(CUDACodeLibrary, "_ensure_cc", lambda self, cc: original(self, cc) if cc else CC)
    with device_functions_compiled_for((9, 0)):
        yield


def _gemm_kernel():
    from numba import cuda

    kernel, sig, _ = gemm_kernel(cuda.jit, sm=(9, 0))
    return kernel, sig


def _code(cubin) -> bytes:
    return cubin.code if hasattr(cubin, "code") else bytes(cubin)


def test_a_cublasdx_kernel_is_linked_without_the_unused_globals(sm90):
    _need_libmathdx()
    kernel, sig = _gemm_kernel()
    compiled, dropped = _kernel_link.compile_kernel(kernel, sig, CC)
    library = compiled._codelibrary
    assert dropped and library._lto
    cubin = _code(library.get_cubin(cc=CC))  # what the launch loads: the link is not redone
    assert len(cubin) < 256 * 1024
    assert entry_names(cubin) == [compiled.entry_name]
    names = {name for name, *_ in cubin_symbols(cubin)}
    assert set(_array_check_record.HOST_SYMBOLS) <= names  # the record the host points at is kept

    # numba-cuda's own compile and link of the same kernel keeps libmathdx's globals: over 1 MB.
    from numba.cuda.dispatcher import _Kernel

    numba_linked = _Kernel(kernel.py_func, sig, **kernel.targetoptions)
    numba_cubin = _code(numba_linked._codelibrary.get_cubin(cc=CC))
    assert len(numba_cubin) > 4 * len(cubin)


def test_a_kernel_compiled_to_ptx_keeps_numba_cudas_link(sm90):
    """PTX among the link's inputs: nvJitLink would not see its uses of the globals."""
    _need_libmathdx()
    kernel, sig = _gemm_kernel()
    # As a dispatcher without nvJitLink, or with debug=True, holds it (numba-cuda 0.30.4 drops
    # the lto= keyword of @cuda.jit(...)).
    kernel.targetoptions["lto"] = False
    compiled, dropped = _kernel_link.compile_kernel(kernel, sig, CC)
    assert not dropped and not compiled._codelibrary._lto
    assert len(entry_names(_code(compiled._codelibrary.get_cubin(cc=CC)))) == 1


class _Library:
    """What link_library reads of a numba-cuda code library; ``get_cubin`` is numba-cuda's link."""

    def __init__(self, setups=(), teardowns=(), files=(), lto=True):
        self._setup_functions, self._teardown_functions = list(setups), list(teardowns)
        self._linking_files, self._lto, self.needs_cudadevrt = set(files), lto, False

    def get_cubin(self, cc):
        return f"numba-cuda's link for {cc}"


def test_code_whose_host_touches_its_globals_keeps_numba_cudas_link():
    """Module callbacks other than the record's, or NRT, may read or write globals: all are kept."""
    from numba.cuda import LTOIR

    record = _array_check_record.setup_module
    for library in (
        _Library(setups=[lambda module: None]),
        _Library(setups=[record], teardowns=[lambda module: None]),
        _Library(setups=[record], files=[LTOIR(b"x", name="nrt.ltoir", nrt=True)]),
        _Library(setups=[record], lto=False),
    ):
        assert _kernel_link.link_library(library, CC) == ("numba-cuda's link for (9, 0, 'a')", False)
    assert _kernel_link._host_touches_globals(_Library(setups=[lambda module: None]))
    assert not _kernel_link._host_touches_globals(_Library(setups=[record], files=[LTOIR(b"x", name="a.ltoir")]))


@pytest.mark.parametrize(
    ("value", "expected"), [("", "nvmath"), ("numba", "numba"), (" NVMATH ", "nvmath"), ("fast", "nvmath")]
)
def test_the_environment_chooses_the_link(monkeypatch, caplog, value, expected):
    monkeypatch.setenv(_kernel_link.ENVIRONMENT_VARIABLE, value)
    with caplog.at_level(logging.WARNING, logger="nvmath.device"):
        assert _kernel_link.kernel_link() == expected
    if value == "fast":
        assert "NVMATH_DEVICE_KERNEL_LINK='fast' is not supported; accepted: nvmath, numba" in caplog.text


def test_the_link_is_part_of_the_key_and_numbas_link_compiles_nothing_here(monkeypatch):
    from numba import cuda, types

    @cuda.jit
    def kernel(out):
        out[0] = 2

    cache = KernelCache(kernel)
    argtypes = (types.float32[::1],)
    assert cache.key(argtypes, CC, "nvmath") != cache.key(argtypes, CC, "numba")
    monkeypatch.setenv(_kernel_link.ENVIRONMENT_VARIABLE, "numba")
    assert cache.key(argtypes, CC) == cache.key(argtypes, CC, "numba")
    # numba-cuda's own path: the miss hands the compile back to the dispatcher.
    assert cache._compile_on_miss(argtypes, CC) is None


def test_debug_kernels_take_numba_cudas_path():
    from numba import cuda, types

    @cuda.jit(debug=True, opt=False)
    def kernel(out):
        out[0] = 2

    assert KernelCache(kernel)._compile_on_miss((types.float32[::1],), CC) is None


def test_this_numba_cuda_has_what_the_link_uses():
    # If a numba-cuda release drops these, misses quietly take numba-cuda's path: revisit.
    assert _kernel_link.supported()


def test_a_miss_compiles_links_and_stores_what_a_later_lookup_loads(sm90, tmp_path, monkeypatch):
    """The whole miss path but the module load (``bind``, which needs a GPU): the kernel numba-cuda
    gets back is the one linked without the unused globals, and the cache holds that cubin."""
    _need_libmathdx()
    from numba.cuda.dispatcher import _Kernel

    from nvmath.cache import configure

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))
    configure()
    try:
        monkeypatch.setattr(_Kernel, "bind", lambda self: None)
        kernel, sig = _gemm_kernel()
        cache = KernelCache(kernel)
        assert cache.load(sig, CC) is None and cache.misses == 1
        compiled = cache._compile_on_miss(sig, CC)
        assert compiled is not None and compiled.entry_name
        linked = _code(compiled._codelibrary.get_cubin(cc=CC))
        assert len(linked) < 256 * 1024

        # Another dispatcher of the same code (another process, as far as the key goes) loads it.
        again, _ = _gemm_kernel()
        loaded = KernelCache(again).load(sig, CC)
        assert loaded is not None and loaded.entry_name == compiled.entry_name
        assert _code(loaded._codelibrary.get_cubin(cc=CC)) == linked
        # A process that keeps numba-cuda's link looks under another key.
        assert KernelCache(again).load(sig, CC, "numba") is None
    finally:
        monkeypatch.delenv("NVMATH_CACHE_DIR")
        configure()


def test_a_kernel_compiled_on_a_miss_counts_as_a_miss_in_numbas_stats():
    """numba-cuda adds a hit for whatever its cache's load_overload returns."""
    from numba import cuda, types

    from nvmath.device.kernel_cache import _count_as_compiled

    @cuda.jit
    def kernel(out):
        out[0] = 2

    sig = (types.float32[::1],)
    _count_as_compiled(kernel, sig)
    kernel._cache_hits[sig] += 1  # what the dispatcher does next
    assert kernel.stats.cache_hits[sig] == 0 and kernel.stats.cache_misses[sig] == 1
