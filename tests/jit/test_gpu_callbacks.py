"""On the GPU: compiled callbacks, linked into a kernel that calls them as cuFFT does, compute
the right values (compared with NumPy on fresh random data)."""

import numpy as np
import pytest

from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import compile_cpp, current_device_target, link
from tests.jit.callers import CUFFT_TYPES, caller_kernel

pytestmark = pytest.mark.gpu

N = 10_007  # not a multiple of the block size
TOL = {"float32": 1e-6, "complex64": 1e-6, "float64": 1e-14, "complex128": 1e-14}


def _random(rng, dtype, n):
    dtype = np.dtype(dtype)
    x = rng.standard_normal(n)
    if dtype.kind == "c":
        x = x + 1j * rng.standard_normal(n)
    return x.astype(dtype)


def _run(artifacts, t, load, store, x, load_info, store_info):
    cp = pytest.importorskip("cupy")
    target = current_device_target()
    cubin = link(
        [*artifacts, compile_cpp(caller_kernel(t, load, store), compute_capability=target)], compute_capability=target
    )
    module = cp.cuda.function.Module()
    module.load(cubin)
    kernel = module.get_function("run")
    d_in = cp.asarray(x)
    d_out = cp.zeros_like(d_in)
    infos = [
        cp.asarray(np.ascontiguousarray(i).view(np.uint8)) if i is not None else cp.zeros(8, np.uint8)
        for i in (load_info, store_info)
    ]
    kernel(((len(x) + 127) // 128,), (128,), (d_in, d_out, infos[0], infos[1], np.uint64(len(x))))
    return cp.asnumpy(d_out)


def assert_close(got, want, element):
    err = np.linalg.norm(got - want) / np.linalg.norm(want)
    assert err <= TOL[element], err


@pytest.mark.parametrize("element", list(CUFFT_TYPES))
def test_prolog_and_epilog_values(element):
    rng = np.random.default_rng()
    real = np.dtype(element).kind == "f"
    info_dtype = np.dtype(element) if real else np.dtype(element).type(0).real.dtype
    x = _random(rng, element, N)
    window = rng.standard_normal(64).astype(info_dtype)
    gain = rng.standard_normal(1).astype(element if real else info_dtype)

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] * user_info[offset % 64]

    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[0] + 1

    load = compile_prolog(prolog, element, info_dtype)
    store = compile_epilog(epilog, element, gain.dtype)
    got = _run([load, store], CUFFT_TYPES[element], load.symbol, store.symbol, x, window, gain)
    want = (x * window[np.arange(N) % 64]) * gain[0] + 1
    assert_close(got, want.astype(element), element)


def test_struct_user_info_on_the_gpu():
    rng = np.random.default_rng()
    dtype = np.dtype([("scale", np.float64), ("count", np.int32), ("shift", np.float32)], align=True)
    params = np.zeros(1, dtype)
    params["scale"], params["count"], params["shift"] = rng.standard_normal(), 7, rng.standard_normal()

    def epilog(data_out, offset, value, user_info, unused):
        p = user_info[0]
        data_out[offset] = value * p.scale + p.count * p.shift

    store = compile_epilog(epilog, "complex128", dtype)
    x = _random(rng, "complex128", N)
    got = _run([store], "double2", None, store.symbol, x, None, params)
    p = params[0]
    want = x * p["scale"] + p["count"] * np.float64(p["shift"])
    assert_close(got, want, "complex128")


def test_loaded_aot_artifact_runs(tmp_path):
    from nvmath.jit import ltoir

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset] - user_info[0]

    target = current_device_target()
    ltoir.save(compile_prolog(prolog, "float32", "float32", compute_capability=target), tmp_path / "p.ltoir")
    load = ltoir.load(tmp_path / "p.ltoir", compute_capability=target)
    rng = np.random.default_rng()
    x = _random(rng, "float32", N)
    bias = rng.standard_normal(1).astype(np.float32)
    got = _run([load], "float", load.symbol, None, x, bias, None)
    assert_close(got, x - bias[0], "float32")
