"""nvmath.device.FFT on the GPU, written as nvmath-python's users write it (``numba.cuda.jit``
kernels, ``fft.value_type`` thread data), against NumPy: every FFT kind (c2c, r2c, c2r), every
precision (half through the vector types, single, double) and every execution form (Block with
thread data and shared memory, Block with data in shared memory, Thread)."""

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from tests.libraries import needs  # noqa: E402

pytestmark = [needs("libmathdx", mathdx.cufftdxGetVersion), pytest.mark.gpu]

import nvmath.device  # noqa: E402
from nvmath.device import FFT  # noqa: E402

TOL = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}
COMPLEX = {np.float32: np.complex64, np.float64: np.complex128}


def _rel(got, want):
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def _reference(x, fft_type, direction):
    x = np.asarray(x, np.complex128 if fft_type != "c2r" else x.dtype)
    if fft_type == "c2c":
        return np.fft.fft(x, axis=-1) if direction == "forward" else np.fft.ifft(x, axis=-1) * x.shape[-1]
    raise AssertionError(fft_type)


def _complex(rng, shape, precision):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(COMPLEX[precision])


# ----------------------------------------------------------------------------- Block, thread data in registers


@pytest.mark.parametrize("precision", [np.float32, np.float64])
@pytest.mark.parametrize("direction", ["forward", "inverse"])
@pytest.mark.parametrize("size, fpb", [(128, 2), (256, 1), (1000, 1)])
def test_block_c2c_registers(precision, direction, size, fpb):
    from numba import cuda

    fft = FFT(
        fft_type="c2c", size=size, precision=precision, direction=direction, ffts_per_block=fpb, execution="Block"
    )
    batch = 6 * fft.ffts_per_block

    @cuda.jit
    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        fft_id = cuda.blockIdx.x * fft.ffts_per_block + cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            if index < fft.size:
                thread_data[i] = data[fft_id, index]
            index += fft.stride
        fft.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            if index < fft.size:
                data[fft_id, index] = thread_data[i]
            index += fft.stride

    x = _complex(np.random.default_rng(), (batch, size), precision)
    d = cuda.to_device(x)
    kernel[batch // fft.ffts_per_block, fft.block_dim, 0, fft.shared_memory_size](d)
    assert _rel(d.copy_to_host(), _reference(x, "c2c", direction)) < TOL[precision]


def test_block_c2c_called_as_the_object_and_through_nvmath_jit():
    from numba import cuda

    fft = FFT(128, "single", "c2c", "Block", ffts_per_block=2, elements_per_thread=8)
    ifft = FFT(128, "single", "c2c", "Block", direction="inverse", ffts_per_block=2, elements_per_thread=8)

    @nvmath.device.jit
    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        fft_id = cuda.blockIdx.x * fft.ffts_per_block + cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            thread_data[i] = data[fft_id, index]
            index += fft.stride
        fft(thread_data, shared_mem)
        for i in range(fft.elements_per_thread):
            thread_data[i] = thread_data[i] * 2.0  # scale in the frequency domain
        ifft(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            data[fft_id, index] = thread_data[i] / fft.size
            index += fft.stride

    x = _complex(np.random.default_rng(), (8, 128), np.float32)
    d = cuda.to_device(x)
    kernel[4, fft.block_dim, 0, fft.shared_memory_size](d)
    assert _rel(d.copy_to_host(), 2 * x) < 1e-5


# ----------------------------------------------------------------------------- Block, data in shared memory


@pytest.mark.parametrize("precision", [np.float32, np.float64])
@pytest.mark.parametrize("fpb", [1, 2])
def test_block_c2c_shared_memory(precision, fpb):
    from numba import cuda

    fft = FFT(
        fft_type="c2c", size=128, precision=precision, ffts_per_block=fpb, elements_per_thread=8, execution="Block"
    )
    itemsize = np.dtype(COMPLEX[precision]).itemsize
    smem = max(fft.shared_memory_size, fft.ffts_per_block * fft.size * itemsize)
    batch = 4 * fft.ffts_per_block

    @cuda.jit
    def kernel(data):
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        local = cuda.threadIdx.y
        fft_id = cuda.blockIdx.x * fft.ffts_per_block + local
        for index in range(cuda.threadIdx.x, fft.size, fft.stride):
            shared_mem[local * fft.size + index] = data[fft_id, index]
        cuda.syncthreads()
        fft.execute(shared_mem)
        cuda.syncthreads()
        for index in range(cuda.threadIdx.x, fft.size, fft.stride):
            data[fft_id, index] = shared_mem[local * fft.size + index]

    x = _complex(np.random.default_rng(), (batch, 128), precision)
    d = cuda.to_device(x)
    kernel[batch // fft.ffts_per_block, fft.block_dim, 0, smem](d)
    assert _rel(d.copy_to_host(), np.fft.fft(x.astype(np.complex128), axis=-1)) < TOL[precision]


# ----------------------------------------------------------------------------- Block, real FFTs


@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_block_r2c_and_c2r(precision):
    from numba import cuda

    size, fpb = 128, 2
    r2c = FFT(
        fft_type="r2c", size=size, precision=precision, ffts_per_block=fpb, elements_per_thread=8, execution="Block"
    )
    c2r = FFT(
        fft_type="c2r", size=size, precision=precision, ffts_per_block=fpb, elements_per_thread=8, execution="Block"
    )
    real = precision
    half = size // 2 + 1

    @cuda.jit
    def forward(x, y):
        thread_data = cuda.local.array(shape=(r2c.storage_size,), dtype=r2c.value_type)
        thread_data_real = thread_data.view(real)
        shared_mem = cuda.shared.array(shape=(0,), dtype=r2c.value_type)
        fft_id = cuda.blockIdx.x * r2c.ffts_per_block + cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < r2c.size:
                thread_data_real[i] = x[fft_id, index]
            index += r2c.stride
        r2c.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < half:
                y[fft_id, index] = thread_data[i]
            index += r2c.stride

    @cuda.jit
    def inverse(y, x):
        thread_data = cuda.local.array(shape=(c2r.storage_size,), dtype=c2r.value_type)
        thread_data_real = thread_data.view(real)
        shared_mem = cuda.shared.array(shape=(0,), dtype=c2r.value_type)
        fft_id = cuda.blockIdx.x * c2r.ffts_per_block + cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(c2r.elements_per_thread):
            if index < half:
                thread_data[i] = y[fft_id, index]
            index += c2r.stride
        c2r.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(c2r.elements_per_thread):
            if index < c2r.size:
                x[fft_id, index] = thread_data_real[i]
            index += c2r.stride

    batch = 4 * fpb
    x = np.random.default_rng().standard_normal((batch, size)).astype(real)
    y = cuda.device_array((batch, half), COMPLEX[precision])
    forward[batch // fpb, r2c.block_dim, 0, r2c.shared_memory_size](cuda.to_device(x), y)
    want = np.fft.rfft(x.astype(np.float64), axis=-1)
    assert _rel(y.copy_to_host(), want) < TOL[precision]
    back = cuda.device_array((batch, size), real)
    inverse[batch // fpb, c2r.block_dim, 0, c2r.shared_memory_size](
        cuda.to_device(want.astype(COMPLEX[precision])), back
    )
    assert _rel(back.copy_to_host(), x * size) < TOL[precision]


# ----------------------------------------------------------------------------- half precision (two FFTs per value)


def _to_fp16_pairs(z):
    out = np.empty((*z.shape[:-1], 2 * z.shape[-1]), np.float16)
    out[..., 0::2], out[..., 1::2] = z.real, z.imag
    return out


def _from_fp16_pairs(h):
    h = h.astype(np.float32)
    return h[..., 0::2] + 1j * h[..., 1::2]


def _half_block_kernel(fft, pairs_per_block):
    from numba import cuda

    from nvmath.device import float16x4

    @cuda.jit
    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        pair = cuda.blockIdx.x * pairs_per_block + cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            if index < fft.size:
                # (re of FFT 0, re of FFT 1, im of FFT 0, im of FFT 1)
                thread_data[i] = float16x4(
                    data[2 * pair, 2 * index],
                    data[2 * pair + 1, 2 * index],
                    data[2 * pair, 2 * index + 1],
                    data[2 * pair + 1, 2 * index + 1],
                )
            index += fft.stride
        fft.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            if index < fft.size:
                v = thread_data[i]
                data[2 * pair, 2 * index] = v.x
                data[2 * pair + 1, 2 * index] = v.y
                data[2 * pair, 2 * index + 1] = v.z
                data[2 * pair + 1, 2 * index + 1] = v.w
            index += fft.stride

    return kernel


def _half_thread_kernel(fft):
    from numba import cuda

    from nvmath.device import float16x4

    @cuda.jit
    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        pair = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            thread_data[i] = float16x4(
                data[2 * pair, 2 * i],
                data[2 * pair + 1, 2 * i],
                data[2 * pair, 2 * i + 1],
                data[2 * pair + 1, 2 * i + 1],
            )
        fft.execute(thread_data)
        for i in range(fft.elements_per_thread):
            v = thread_data[i]
            data[2 * pair, 2 * i] = v.x
            data[2 * pair + 1, 2 * i] = v.y
            data[2 * pair, 2 * i + 1] = v.z
            data[2 * pair + 1, 2 * i + 1] = v.w

    return kernel


@pytest.mark.parametrize("execution", ["Block", "Thread"])
def test_half_c2c(execution):
    from numba import cuda

    if execution == "Block":
        fft = FFT(
            fft_type="c2c", size=128, precision=np.float16, ffts_per_block=4, elements_per_thread=8, execution="Block"
        )
        pairs_per_block = fft.ffts_per_block // fft.implicit_type_batching
        batch = 3 * fft.ffts_per_block
    else:
        fft = FFT(fft_type="c2c", size=8, precision=np.float16, direction="forward", execution="Thread")
        batch = 64
    assert fft.implicit_type_batching == 2

    z = _complex(np.random.default_rng(), (batch, fft.size), np.float32)
    d = cuda.to_device(_to_fp16_pairs(z))
    if execution == "Block":
        _half_block_kernel(fft, pairs_per_block)[3, fft.block_dim, 0, fft.shared_memory_size](d)
    else:
        _half_thread_kernel(fft)[1, batch // 2](d)
    got = _from_fp16_pairs(d.copy_to_host())
    want = np.fft.fft(_from_fp16_pairs(_to_fp16_pairs(z)).astype(np.complex128), axis=-1)
    assert _rel(got, want) < 1e-2


def test_half_r2c_and_c2r_block():
    from numba import cuda

    from nvmath.device import float16x2, float16x2_type, float16x4

    size = 128
    r2c = FFT(
        fft_type="r2c", size=size, precision=np.float16, ffts_per_block=4, elements_per_thread=8, execution="Block"
    )
    c2r = FFT(
        fft_type="c2r", size=size, precision=np.float16, ffts_per_block=4, elements_per_thread=8, execution="Block"
    )
    half = size // 2 + 1

    @cuda.jit
    def forward(x, y):
        thread_data = cuda.local.array(shape=(r2c.storage_size,), dtype=r2c.value_type)
        thread_data_real = thread_data.view(float16x2_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=r2c.value_type)
        pair = cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < r2c.size:
                thread_data_real[i] = float16x2(x[2 * pair, index], x[2 * pair + 1, index])
            index += r2c.stride
        r2c.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < half:
                v = thread_data[i]
                y[2 * pair, 2 * index] = v.x
                y[2 * pair, 2 * index + 1] = v.z
                y[2 * pair + 1, 2 * index] = v.y
                y[2 * pair + 1, 2 * index + 1] = v.w
            index += r2c.stride

    @cuda.jit
    def inverse(y, x):
        thread_data = cuda.local.array(shape=(c2r.storage_size,), dtype=c2r.value_type)
        thread_data_real = thread_data.view(float16x2_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=c2r.value_type)
        pair = cuda.threadIdx.y
        index = cuda.threadIdx.x
        for i in range(c2r.elements_per_thread):
            if index < half:
                thread_data[i] = float16x4(
                    y[2 * pair, 2 * index],
                    y[2 * pair + 1, 2 * index],
                    y[2 * pair, 2 * index + 1],
                    y[2 * pair + 1, 2 * index + 1],
                )
            index += c2r.stride
        c2r.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(c2r.elements_per_thread):
            if index < c2r.size:
                v = thread_data_real[i]
                x[2 * pair, index] = v.x
                x[2 * pair + 1, index] = v.y
            index += c2r.stride

    x = np.random.default_rng().standard_normal((r2c.ffts_per_block, size)).astype(np.float16)
    y = cuda.device_array((r2c.ffts_per_block, 2 * half), np.float16)
    forward[1, r2c.block_dim, 0, r2c.shared_memory_size](cuda.to_device(x), y)
    want = np.fft.rfft(x.astype(np.float64), axis=-1)
    assert _rel(_from_fp16_pairs(y.copy_to_host()), want) < 1e-2
    spectrum = want / size  # keeps the halves' range small
    back = cuda.device_array((c2r.ffts_per_block, size), np.float16)
    inverse[1, c2r.block_dim, 0, c2r.shared_memory_size](cuda.to_device(_to_fp16_pairs(spectrum)), back)
    assert _rel(back.copy_to_host().astype(np.float64), x.astype(np.float64)) < 1e-2


# ----------------------------------------------------------------------------- Thread


@pytest.mark.parametrize("precision", [np.float32, np.float64])
@pytest.mark.parametrize("direction", ["forward", "inverse"])
def test_thread_c2c(precision, direction):
    from numba import cuda

    fft = FFT(fft_type="c2c", size=16, precision=precision, direction=direction, execution="Thread")

    @cuda.jit
    def kernel(data):
        t = cuda.grid(1)
        if t < data.shape[0]:
            thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
            for i in range(fft.size):
                thread_data[i] = data[t, i]
            fft.execute(thread_data)
            for i in range(fft.size):
                data[t, i] = thread_data[i]

    x = _complex(np.random.default_rng(), (200, 16), precision)
    d = cuda.to_device(x)
    kernel[2, 128](d)
    assert _rel(d.copy_to_host(), _reference(x, "c2c", direction)) < TOL[precision]


@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_thread_r2c_and_c2r(precision):
    from numba import cuda

    size = 32
    r2c = FFT(fft_type="r2c", size=size, precision=precision, execution="Thread")
    c2r = FFT(fft_type="c2r", size=size, precision=precision, execution="Thread")
    storage = max(r2c.storage_size, c2r.storage_size)
    real = precision
    half = size // 2 + 1

    @cuda.jit
    def roundtrip(x, y, z):
        t = cuda.grid(1)
        if t < x.shape[0]:
            thread_data = cuda.local.array(shape=(storage,), dtype=r2c.value_type)
            thread_data_real = thread_data.view(real)
            for i in range(size):
                thread_data_real[i] = x[t, i]
            r2c.execute(thread_data)
            for i in range(half):
                y[t, i] = thread_data[i]
            c2r.execute(thread_data)
            for i in range(size):
                z[t, i] = thread_data_real[i]

    x = np.random.default_rng().standard_normal((100, size)).astype(real)
    y = cuda.device_array((100, half), COMPLEX[precision])
    z = cuda.device_array((100, size), real)
    roundtrip[1, 128](cuda.to_device(x), y, z)
    assert _rel(y.copy_to_host(), np.fft.rfft(x.astype(np.float64), axis=-1)) < TOL[precision]
    assert _rel(z.copy_to_host(), x * size) < TOL[precision]


# ----------------------------------------------------------------------------- suggested knobs, valid()


def test_suggested_and_valid_knobs_compute_right():
    from numba import cuda

    base = FFT(256, np.float32, "c2c", "Block", sm=nvmath.device.current_device_sm())
    choices = base.valid("elements_per_thread", "ffts_per_block")
    assert choices
    for ept, fpb in [choices[0], choices[-1], ("suggested", "suggested")]:
        fft = FFT(256, np.float32, "c2c", "Block", elements_per_thread=ept, ffts_per_block=fpb)

        @cuda.jit
        def kernel(data):
            thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
            shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
            fft_id = cuda.blockIdx.x * fft.ffts_per_block + cuda.threadIdx.y
            index = cuda.threadIdx.x
            for i in range(fft.elements_per_thread):
                if index < fft.size:
                    thread_data[i] = data[fft_id, index]
                index += fft.stride
            fft.execute(thread_data, shared_mem)
            index = cuda.threadIdx.x
            for i in range(fft.elements_per_thread):
                if index < fft.size:
                    data[fft_id, index] = thread_data[i]
                index += fft.stride

        x = _complex(np.random.default_rng(), (2 * fft.ffts_per_block, 256), np.float32)
        d = cuda.to_device(x)
        kernel[2, fft.block_dim, 0, fft.shared_memory_size](d)
        assert _rel(d.copy_to_host(), np.fft.fft(x.astype(np.complex128), axis=-1)) < 1e-5, (ept, fpb)
