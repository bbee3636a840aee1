"""On the GPU: kernels calling LTO-IR device functions run, and a later process loads their
linked cubin from nvmath's cache instead of compiling."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytestmark = pytest.mark.gpu

CHILD = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    from numba import cuda
    import nvmath.device
    from nvmath.jit import compile_cpp, current_device_target

    SRC = 'extern "C" __device__ void saxpy(float* y, const float* x, float a, int i) { y[i] = a * x[i] + y[i]; }'
    saxpy = nvmath.device.extern_function("saxpy", ("void", ["float*", "float*", "float", "int"]),
                                          compile_cpp(SRC + sys.argv[1], compute_capability=current_device_target()))
    @nvmath.device.jit
    def kernel(y, x, a):
        i = cuda.grid(1)
        if i < y.size:
            saxpy.call(y, x, a, i)

    rng = np.random.default_rng()
    x = rng.standard_normal(1000).astype(np.float32)
    y = rng.standard_normal(1000).astype(np.float32)
    dx, dy = cuda.to_device(x), cuda.to_device(y)
    t1 = time.perf_counter()
    kernel[8, 128](dy, dx, np.float32(2.5))
    cuda.synchronize()
    t2 = time.perf_counter()
    # The device computes a fused multiply-add: compare with float64 and an absolute tolerance.
    ok = bool(np.allclose(dy.copy_to_host(), 2.5 * x.astype(np.float64) + y, rtol=1e-6, atol=1e-6))
    print(json.dumps({"ok": ok, "hits": kernel.nvmath_cache.hits, "misses": kernel.nvmath_cache.misses,
                      "first_launch_s": t2 - t1, "total_s": t2 - t0}))
""")


def _run(cache_dir, extra_source=""):
    import os

    env = dict(os.environ, NVMATH_CACHE_DIR=str(cache_dir))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, extra_source], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_cold_then_warm_in_fresh_processes(tmp_path):
    cold = _run(tmp_path)
    assert cold["ok"] and cold["misses"] == 1 and cold["hits"] == 0, cold
    warm = _run(tmp_path)
    assert warm["ok"] and warm["hits"] == 1 and warm["misses"] == 0, warm
    assert warm["first_launch_s"] < cold["first_launch_s"]
    # Different linked code: a different key, so a miss (and still the right values).
    # (A comment would not do: NVRTC makes the same LTO-IR, and the same code is rightly a hit.)
    changed = _run(tmp_path, '\nextern "C" __device__ int nvmath_test_extra(int v) { return v + 7; }')
    assert changed["ok"] and changed["misses"] == 1


def test_in_process_values_and_stream(tmp_path, monkeypatch):
    from numba import cuda

    import nvmath.device
    from nvmath.cache import configure

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))
    configure()

    @nvmath.device.jit
    def add(out, a, b):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = a[i] + b[i]

    rng = np.random.default_rng()
    a, b = rng.standard_normal(300), rng.standard_normal(300)
    out = cuda.device_array(300)
    stream = cuda.stream()
    add[3, 128, stream](out, cuda.to_device(a), cuda.to_device(b))
    stream.synchronize()
    assert np.allclose(out.copy_to_host(), a + b)
    assert add.nvmath_cache.misses == 1


@pytest.mark.parametrize("link", ["nvmath", "numba"])
def test_a_cublasdx_kernel_compiled_on_a_miss(tmp_path, monkeypatch, link):
    """nvmath's link drops libmathdx's unused globals (a cubin of tens of KB, not 1.7 MB); both
    links compute the GEMM. (The record of the array checks, which the link keeps, is read back
    after a failure in test_cublasdx_gpu.py.)"""
    from numba import cuda

    from nvmath.cache import configure

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("NVMATH_DEVICE_KERNEL_LINK", link)
    configure()
    import nvmath.device
    from tests.device.gemm_kernel import gemm_kernel

    kernel, _, mm = gemm_kernel(nvmath.device.jit)
    rng = np.random.default_rng()

    def draw():
        return np.asfortranarray(rng.standard_normal((32, 32)) + 1j * rng.standard_normal((32, 32))).astype(
            np.complex64
        )

    a, b, c = draw(), draw(), draw()
    alpha, beta = 1.5 - 0.5j, 0.25 + 1j
    dc = cuda.to_device(c)
    kernel[1, mm.block_dim, 0, 3 * mm.a_size * 8](alpha, cuda.to_device(a), cuda.to_device(b), beta, dc)
    expected = alpha * (a.astype(np.complex128) @ b.astype(np.complex128)) + beta * c
    assert np.allclose(dc.copy_to_host(), expected, rtol=1e-4, atol=1e-4)
    assert kernel.nvmath_cache.misses == 1
    (compiled,) = kernel.overloads.values()
    image = compiled._codelibrary.get_cubin()
    cubin = image.code if hasattr(image, "code") else bytes(image)
    if link == "nvmath":
        assert len(cubin) < 256 * 1024
    else:
        assert len(cubin) > 1024 * 1024
