"""nvmath.device.FFT (cuFFTDx through libmathdx): descriptors and traits without a GPU, a
kernel calling it compiled and linked to a cubin without a GPU, values on the GPU."""

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from tests.libraries import needs  # noqa: E402

pytestmark = needs("libmathdx", mathdx.cufftdxGetVersion)  # the "dx" extra

import nvmath.device  # noqa: E402
from nvmath.device import FFT  # noqa: E402


@pytest.fixture(scope="module")
def fft512():
    return FFT(512, "single", "c2c", "Block", sm=(9, 0))


def test_traits(fft512):
    f = fft512
    threads = f.block_dim[0] * f.block_dim[1] * f.block_dim[2]
    assert threads > 0 and f.storage_size >= f.elements_per_thread
    assert threads * f.elements_per_thread >= 512 * f.ffts_per_block
    # nvmath-python's value types: nvmath.device.types.complex64, a float32x2 in kernels
    assert f.value_type == nvmath.device.types.complex64 and f.input_type == nvmath.device.types.complex64
    assert f.value_type._numba_type == nvmath.device.float32x2_type
    assert f.shared_memory_size > 0 and f.symbol.startswith("cufftdx")
    assert bytes(f.ltoir)[:4] == b"\xedCN\x7f"


def test_valid_knobs_and_bad_input():
    ept = FFT.valid(512, "single", "c2c", "Block", sm=(9, 0))
    assert 8 in ept and all(isinstance(v, int) for v in ept)
    with pytest.raises(ValueError, match="precision='quad'.*'single'"):
        FFT(64, "quad", "c2c", "Block", sm=(9, 0))
    with pytest.raises(ValueError, match="fft_type='z2z'"):
        FFT(64, "single", "z2z", "Block", sm=(9, 0))
    with pytest.raises(ValueError, match="size=0"):
        FFT(0, "single", "c2c", "Block", sm=(9, 0))
    with pytest.raises(ValueError, match="does not support"):
        FFT(512, "single", "c2c", "Block", sm=(9, 0), elements_per_thread=3)
    with pytest.raises(ValueError, match="Block execution only"):
        FFT(16, "single", "c2c", "Thread", sm=(9, 0), elements_per_thread=4)


def _block_kernel(fft):
    from numba import cuda, types

    storage, ept, stride, size = fft.storage_size, fft.elements_per_thread, fft.stride, fft.size

    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.complex64)
        smem = cuda.shared.array(0, dtype=types.uint8)
        b = cuda.blockIdx.x
        t = cuda.threadIdx.x
        for i in range(ept):
            j = t + i * stride
            if j < size:
                thread_data[i] = data[b, j]
        fft.execute(thread_data, smem)
        for i in range(ept):
            j = t + i * stride
            if j < size:
                data[b, j] = thread_data[i]

    return kernel


def test_kernel_calling_the_fft_links_to_a_cubin_without_a_gpu(fft512):
    from numba import cuda, types

    from nvmath.jit import link

    kernel = _block_kernel(fft512)
    codes, _ = cuda.compile_all(
        kernel, (types.complex64[:, ::1],), device=False, cc=(9, 0), output="ltoir", abi="numba"
    )
    from tests.device.link_inputs import code_count, link_inputs

    inputs = link_inputs(codes)
    assert code_count(codes) == 2  # the kernel and the cuFFTDx function, attached automatically
    assert link(inputs, compute_capability="sm_90")[:4] == b"\x7fELF"


def test_execute_with_thread_data_of_another_type_is_a_typing_error(fft512):
    from numba import cuda, types
    from numba.core.errors import TypingError

    storage = fft512.storage_size

    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.float32)  # float32x2 or complex64 expected
        smem = cuda.shared.array(0, dtype=types.uint8)
        fft512.execute(thread_data, smem)
        data[0] = thread_data[0]

    with pytest.raises(
        TypingError, match=r"array of float32;.*an array of float32x2 is required \(complex64 fits too\)"
    ):
        cuda.compile_all(kernel, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")


def _ptx_strings(kernel, sig) -> str:
    """The PTX of ``kernel`` and, decoded, the constant strings in it (PTX holds them as bytes)."""
    import re

    from numba import cuda

    ptx = cuda.compile_ptx(kernel, sig, device=False, cc=(9, 0), abi="numba")[0]
    strings = [
        bytes(int(v) for v in body.split(",")).decode(errors="replace")
        for body in re.findall(r"\.b8 \S+\[\d+\] = \{([\d, ]+)\}", ptx)
    ]
    return ptx + "\n".join(strings)


def _short_thread_data_kernel(fft, missing):
    from numba import cuda, types

    storage = fft.storage_size - missing

    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.complex64)
        smem = cuda.shared.array(0, dtype=types.uint8)
        for i in range(storage):
            thread_data[i] = data[i]
        fft.execute(thread_data, smem)
        data[0] = thread_data[0]

    return kernel


def test_array_lengths_are_checked_in_the_kernel_for_free_when_constant(fft512, monkeypatch):
    from numba import types

    monkeypatch.setenv("NVMATH_DEVICE_ARRAY_CHECK_REPORT", "print")  # its messages are strings
    sig = (types.complex64[::1],)
    # thread_data's length is a constant: a long enough one leaves no check behind...
    ok = _ptx_strings(_short_thread_data_kernel(fft512, 0), sig)
    assert "(thread_data) holds" not in ok
    # ...a short one fails the launch, saying what it holds and needs.
    short = _ptx_strings(_short_thread_data_kernel(fft512, 1), sig)
    assert "(thread_data) holds" in short and "__assertfail" in short and "vprintf" in short
    # Dynamic shared memory has a length known at launch only: checked at run time.
    assert "(shared_memory) holds" in ok and "__assertfail" in ok


def test_the_kernel_fingerprint_covers_the_fft(fft512):
    from nvmath.cache import fingerprint_function

    kernel = _block_kernel(fft512)
    assert fingerprint_function(kernel)  # hashable: the FFT carries its own fingerprint
    assert fft512.__nvmath_fingerprint__() != FFT(256, "single", "c2c", "Block", sm=(9, 0)).__nvmath_fingerprint__()


@pytest.mark.gpu
@pytest.mark.parametrize("size", [512, 128, 1000])
def test_block_fft_values_on_the_gpu(size):
    from numba import cuda

    fft = FFT(size, "single", "c2c", "Block")
    kernel = nvmath.device.jit(_block_kernel(fft))
    rng = np.random.default_rng()
    batch = 37
    x = (rng.standard_normal((batch, size)) + 1j * rng.standard_normal((batch, size))).astype(np.complex64)
    d = cuda.to_device(x)
    kernel[batch, fft.block_dim, 0, fft.shared_memory_size](d)
    got = d.copy_to_host()
    want = np.fft.fft(x.astype(np.complex128), axis=1)
    assert np.linalg.norm(got - want) / np.linalg.norm(want) < 1e-5


@pytest.mark.gpu
def test_too_little_shared_memory_fails_the_launch_with_a_message(tmp_path):
    import re

    from tests.device.child import run_failing_script

    out = run_failing_script(
        tmp_path,
        """
        import numpy as np
        from numba import cuda
        import nvmath.device
        from tests.device.test_fft_device import _block_kernel
        fft = nvmath.device.FFT(512, "single", "c2c", "Block")
        kernel = nvmath.device.jit(_block_kernel(fft))
        d = cuda.to_device(np.ones((2, 512), np.complex64))
        kernel[2, fft.block_dim, 0, fft.shared_memory_size // 2](d)
        cuda.synchronize()
        """,
    )
    m = re.search(r"FFT.execute: argument 1 \(shared_memory\) holds (\d+) bytes, but needs at least (\d+)", out)
    assert m and int(m.group(1)) < int(m.group(2)), out


@pytest.mark.gpu
def test_a_kernel_using_an_fft_for_a_newer_device_is_refused_at_launch():
    from numba import cuda, types

    major, minor = cuda.get_current_device().compute_capability
    fft = FFT(64, "single", "c2c", "Thread", sm=(major + 1, 0))
    storage = fft.storage_size

    @nvmath.device.jit
    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.complex64)
        fft.execute(thread_data)
        data[0] = thread_data[0]

    with pytest.raises(
        ValueError,
        match=rf"generated for sm_{major + 1}0, which cannot run on this device "
        rf"\(sm_{major}{minor}\)",
    ):
        kernel[1, 1](cuda.to_device(np.zeros(64, np.complex64)))


@pytest.mark.gpu
def test_thread_fft_values_on_the_gpu():
    from numba import cuda, types

    fft = FFT(16, "double", "c2c", "Thread", direction="inverse")
    storage, size = fft.storage_size, fft.size

    @nvmath.device.jit
    def kernel(data):
        t = cuda.grid(1)
        if t < data.shape[0]:
            thread_data = cuda.local.array(storage, dtype=types.complex128)
            for i in range(size):
                thread_data[i] = data[t, i]
            fft.execute(thread_data)
            for i in range(size):
                data[t, i] = thread_data[i]

    rng = np.random.default_rng()
    x = rng.standard_normal((300, 16)) + 1j * rng.standard_normal((300, 16))
    d = cuda.to_device(x)
    kernel[3, 128](d)
    want = np.fft.ifft(x, axis=1) * 16  # unnormalized
    assert np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want) < 1e-12


@pytest.mark.gpu
def test_block_fft_double_precision_on_the_gpu():
    from numba import cuda, types

    fft = FFT(256, "double", "c2c", "Block", direction="inverse")
    storage, ept, stride, size = fft.storage_size, fft.elements_per_thread, fft.stride, fft.size

    @nvmath.device.jit
    def kernel(data):
        thread_data = cuda.local.array(storage, dtype=types.complex128)
        smem = cuda.shared.array(0, dtype=types.uint8)
        b, t = cuda.blockIdx.x, cuda.threadIdx.x
        for i in range(ept):
            if t + i * stride < size:
                thread_data[i] = data[b, t + i * stride]
        fft.execute(thread_data, smem)
        for i in range(ept):
            if t + i * stride < size:
                data[b, t + i * stride] = thread_data[i]

    rng = np.random.default_rng()
    x = rng.standard_normal((9, 256)) + 1j * rng.standard_normal((9, 256))
    d = cuda.to_device(x)
    kernel[9, fft.block_dim, 0, fft.shared_memory_size](d)
    want = np.fft.ifft(x, axis=1) * 256
    assert np.linalg.norm(d.copy_to_host() - want) / np.linalg.norm(want) < 1e-12


@pytest.mark.gpu
@pytest.mark.parametrize("precision, size", [("single", 16), ("double", 32)])
def test_thread_r2c_and_c2r_on_the_gpu(precision, size):
    # Thread execution keeps a whole FFT in one thread's registers: the N real values packed two
    # to a complex element in, N // 2 + 1 complex values out (and the reverse for C2R).
    from numba import cuda, types

    complex_t = types.complex64 if precision == "single" else types.complex128
    real_np = np.float32 if precision == "single" else np.float64
    tol = 1e-5 if precision == "single" else 1e-12
    r2c = FFT(size, precision, "r2c", "Thread")
    c2r = FFT(size, precision, "c2r", "Thread")
    storage = max(r2c.storage_size, c2r.storage_size)
    half = size // 2

    @nvmath.device.jit
    def forward(x, y):
        t = cuda.grid(1)
        if t < x.shape[0]:
            thread_data = cuda.local.array(storage, dtype=complex_t)
            for j in range(half):
                thread_data[j] = complex(x[t, 2 * j], x[t, 2 * j + 1])
            r2c.execute(thread_data)
            for j in range(half + 1):
                y[t, j] = thread_data[j]

    @nvmath.device.jit
    def inverse(y, x):
        t = cuda.grid(1)
        if t < y.shape[0]:
            thread_data = cuda.local.array(storage, dtype=complex_t)
            for j in range(half + 1):
                thread_data[j] = y[t, j]
            c2r.execute(thread_data)
            for j in range(half):
                x[t, 2 * j] = thread_data[j].real
                x[t, 2 * j + 1] = thread_data[j].imag

    rng = np.random.default_rng()
    x = rng.standard_normal((100, size)).astype(real_np)
    y = cuda.device_array((100, half + 1), np.result_type(real_np, np.complex64))
    forward[1, 128](cuda.to_device(x), y)
    want = np.fft.rfft(x.astype(np.float64), axis=1)
    got = y.copy_to_host()
    assert np.linalg.norm(got - want) / np.linalg.norm(want) < tol
    back = cuda.device_array((100, size), real_np)
    inverse[1, 128](cuda.to_device(want.astype(got.dtype)), back)
    assert np.linalg.norm(back.copy_to_host() - x * size) / np.linalg.norm(x * size) < tol
