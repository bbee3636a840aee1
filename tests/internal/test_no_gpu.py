"""Without a CUDA GPU or driver, execution='cuda' says so: a RuntimeError that names the cause
and the way out (execution='cpu'), never a bare CUDA error code. The check is made once per
process (a found GPU is remembered), so the GPU path pays nothing for it afterwards."""

import numpy as np
import pytest

import nvmath
from nvmath._internal import streams
from nvmath.linalg.advanced import Matmul, matmul
from tests.conftest import HAS_GPU

no_gpu = pytest.mark.skipif(HAS_GPU, reason="checks the behaviour of a machine without a CUDA GPU")
NO_GPU = r"no usable CUDA GPU or driver was found.*execution='cpu'"


@no_gpu
@pytest.mark.parametrize("execution", ["cuda", {"name": "cuda", "device_id": 0}, nvmath.fft.ExecutionCUDA()])
def test_fft_with_execution_cuda_says_no_gpu_was_found(execution):
    x = np.ones((4, 8), np.complex64)
    with pytest.raises(RuntimeError, match=NO_GPU) as info:
        nvmath.fft.fft(x, execution=execution)
    assert "execution='cuda'" in str(info.value)
    with pytest.raises(RuntimeError, match=NO_GPU):
        nvmath.fft.FFT(x, execution=execution)


@no_gpu
@pytest.mark.parametrize("execution", ["cuda", {"name": "cuda", "device_id": 0}])
def test_matmul_with_execution_cuda_says_no_gpu_was_found(execution):
    a, b = np.ones((3, 4)), np.ones((4, 2))
    with pytest.raises(RuntimeError, match=NO_GPU):
        matmul(a, b, execution=execution)
    with pytest.raises(RuntimeError, match=NO_GPU):
        Matmul(a, b, execution=execution)


@no_gpu
def test_bad_arguments_are_reported_before_the_missing_gpu():
    with pytest.raises(TypeError, match="axes=.*not an int"):
        nvmath.fft.fft(np.ones(4, np.complex64), axes=[0.5], execution="cuda")
    with pytest.raises(ValueError, match="compute_type='bogus'"):
        matmul(np.ones((2, 2)), np.ones((2, 2)), options={"compute_type": "bogus"}, execution="cuda")


def test_check_cuda_names_the_missing_driver_or_device(monkeypatch):
    runtime = pytest.importorskip("cuda.bindings.runtime")
    err = runtime.cudaError_t
    for code in (err.cudaErrorInsufficientDriver, err.cudaErrorNoDevice):
        with pytest.raises(
            RuntimeError, match=rf"no usable CUDA GPU or driver.*cudaGetDevice failed: \w+ \({int(code)}\)"
        ):
            streams.check_cuda((code, None), "cudaGetDevice")
    # Other errors keep their plain form.
    with pytest.raises(RuntimeError, match=r"^cudaMalloc failed: cudaErrorMemoryAllocation \(2\)$"):
        streams.check_cuda((err.cudaErrorMemoryAllocation, None), "cudaMalloc")
    assert streams.check_cuda((err.cudaSuccess, 7), "x") == 7


def test_require_cuda_asks_the_runtime_once(monkeypatch):
    runtime = pytest.importorskip("cuda.bindings.runtime")
    calls = []

    def count():
        calls.append(1)
        return runtime.cudaError_t.cudaSuccess, 2

    monkeypatch.setattr(streams, "_device_count", None)
    monkeypatch.setattr(runtime, "cudaGetDeviceCount", count)
    assert streams.require_cuda() == 2 and streams.require_cuda(1) == 2
    with pytest.raises(ValueError, match=r"device_id=2 is not supported: 2 CUDA GPU\(s\) found; accepted: 0 to 1"):
        streams.require_cuda(2)
    assert len(calls) == 1


def test_require_cuda_with_no_device(monkeypatch):
    runtime = pytest.importorskip("cuda.bindings.runtime")
    monkeypatch.setattr(streams, "_device_count", None)
    monkeypatch.setattr(runtime, "cudaGetDeviceCount", lambda: (runtime.cudaError_t.cudaErrorNoDevice, 0))
    with pytest.raises(RuntimeError, match=r"execution='cuda': no usable CUDA GPU.*cudaErrorNoDevice \(100\)"):
        streams.require_cuda()
    monkeypatch.setattr(runtime, "cudaGetDeviceCount", lambda: (runtime.cudaError_t.cudaSuccess, 0))
    with pytest.raises(RuntimeError, match=r"no usable CUDA GPU.*\(0 GPUs\)"):
        streams.require_cuda()
    assert streams._device_count is None  # a failure is not remembered


@pytest.mark.gpu
def test_a_device_id_beyond_the_gpus_found_is_refused():
    count = streams.require_cuda()
    with pytest.raises(ValueError, match=rf"device_id={count} is not supported: {count} CUDA GPU"):
        nvmath.fft.fft(np.ones(8, np.complex64), execution={"name": "cuda", "device_id": count})
    with pytest.raises(ValueError, match=rf"device_id={count} is not supported"):
        matmul(np.ones((2, 2)), np.ones((2, 2)), execution={"name": "cuda", "device_id": count})


def test_gpu_found_is_false_without_a_device_and_does_not_raise(monkeypatch):
    runtime = pytest.importorskip("cuda.bindings.runtime")
    monkeypatch.setattr(streams, "_device_count", None)
    monkeypatch.setattr(streams, "_gpu_found", None)
    monkeypatch.setattr(runtime, "cudaGetDeviceCount", lambda: (runtime.cudaError_t.cudaErrorNoDevice, 0))
    assert streams.gpu_found() is False
    monkeypatch.setattr(runtime, "cudaGetDeviceCount", lambda: (runtime.cudaError_t.cudaSuccess, 1))
    assert streams.gpu_found() is False  # the answer is kept for the process


@no_gpu
def test_matmul_of_host_operands_runs_on_the_cpu_without_a_gpu():
    """nvmath-python would copy host operands to a GPU; with none, they are multiplied on the CPU."""
    rng = np.random.default_rng()
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 5))
    np.testing.assert_allclose(matmul(a, b), a @ b, rtol=1e-12)
    with Matmul(a, b) as mm:
        assert mm.execution.name == "cpu"
