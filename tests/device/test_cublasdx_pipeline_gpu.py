"""cuBLASDx pipelines on a GPU: pipelined GEMMs (``C = alpha * A @ B + beta * C`` over a grid of
tiles, as the seed's pipeline examples compute them) against NumPy in float64."""

import numpy as np
import pytest

pytestmark = pytest.mark.gpu

cuda = pytest.importorskip("numba.cuda")
if not cuda.is_available():
    pytest.skip("needs a CUDA GPU", allow_module_level=True)

from nvmath.device import Matmul, axpby  # noqa: E402
from nvmath.device.common import make_tensor  # noqa: E402
from nvmath.device.cublasdx import MAX_ALIGNMENT, DevicePipeline  # noqa: E402
from nvmath.device.cublasdx_numba import pipeline_extensions  # noqa: E402

# tile (m, n, k), block size, precision, relative L2 tolerance
CASES = {
    "fp16": ((128, 128, 32), 128, (np.float16, np.float16, np.float32), 1e-4),
    "fp32": ((64, 64, 32), 128, (np.float32, np.float32, np.float32), 1e-5),
    "fp64": ((32, 32, 16), 64, (np.float64, np.float64, np.float64), 1e-12),
}
# (each new problem shape makes libmathdx generate its pipeline code: a few, small ones)
SHAPES = [(256, 384, 256)]


def _matmul(tile, block_size, precision, arrangement):
    return Matmul(
        size=tile,
        precision=precision,
        data_type="real",
        arrangement=arrangement,
        alignment=MAX_ALIGNMENT,
        execution="Block",
        block_size=block_size,
        with_pipeline=True,
        enable_input_streaming=True,
    )


def _random(shape, dtype, order, rng):
    return np.asarray(rng.uniform(-1, 1, size=shape), dtype=dtype, order=order)


def _set_max_dynamic_shared_memory(kernel, nbytes, args):
    if nbytes <= 48 * 1024:
        return
    from cuda.bindings import driver
    from numba.cuda.typing import typeof as cuda_typeof

    compiled = kernel.compile(tuple(cuda_typeof.typeof(a) for a in args))
    handle = compiled.library.get_cufunc().handle
    handle = getattr(handle, "value", handle)
    (err,) = driver.cuFuncSetAttribute(
        driver.CUfunction(int(handle)),
        driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
        nbytes,
    )
    assert err == driver.CUresult.CUDA_SUCCESS, err


class _View:
    """A strided view of a device array, by ``__cuda_array_interface__`` (what device pipelines
    read), for layouts numba's device arrays cannot express."""

    def __init__(self, base, shape, strides):
        interface = dict(base.__cuda_array_interface__)
        itemsize = np.dtype(base.dtype).itemsize
        interface.update(shape=tuple(shape), strides=tuple(s * itemsize for s in strides))
        self._base = base
        self.__cuda_array_interface__ = interface


def _relative_error(result, reference):
    return np.linalg.norm(result - reference) / np.linalg.norm(reference)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("case", sorted(CASES))
def test_pipelined_gemm(case, shape):
    tile, block_size, precision, tolerance = CASES[case]
    tile_m, tile_n, tile_k = tile
    m, n, k = shape
    arrangement = ("row_major", "col_major", "row_major")
    mm = _matmul(tile, block_size, precision, arrangement)
    rng = np.random.default_rng(7)
    a = _random((m, k), mm.a_value_type, "C", rng)
    b = _random((k, n), mm.b_value_type, "F", rng)
    c = _random((m, n), mm.c_value_type, "C", rng)
    alpha, beta = 1.5, -0.5

    @cuda.jit(extensions=pipeline_extensions, launch_bounds=[mm.block_size, 1])
    def kernel(alpha, beta, c, device_pipeline: DevicePipeline):
        smem = cuda.shared.array(shape=(0,), dtype=np.byte, alignment=device_pipeline.buffer_alignment)
        bx, by = cuda.blockIdx.x, cuda.blockIdx.y
        gmem_c = make_tensor(
            c[bx * tile_m : (bx + 1) * tile_m, by * tile_n : (by + 1) * tile_n], mm.get_layout_gmem_c(n)
        )
        tile_pipeline = device_pipeline.get_tile(smem, bx, by)
        accumulator = mm.suggest_accumulator()
        tile_pipeline.execute(accumulator)
        if accumulator.is_thread_active():
            d_frag = accumulator.make_partition_and_copy(gmem_c)
            axpby(alpha, accumulator.get_results(), beta, d_frag)
            accumulator.partition_and_copy(d_frag, gmem_c)
        tile_pipeline._del()

    a_d, b_d, c_d = cuda.to_device(a), cuda.to_device(b), cuda.to_device(c)
    depth = min(2, k // tile_k)
    pipeline = mm.suggest_device_pipeline(depth, a_d, b_d)
    assert pipeline.pipeline_depth == depth and pipeline.block_dim == mm.block_dim
    args = (alpha, beta, c_d, pipeline)
    _set_max_dynamic_shared_memory(kernel, pipeline.buffer_size, args)
    kernel[(m // tile_m, n // tile_n, 1), pipeline.block_dim, 0, pipeline.buffer_size](*args)
    cuda.synchronize()

    wide = np.float64
    reference = alpha * (a.astype(wide) @ b.astype(wide)) + beta * c.astype(wide)
    error = _relative_error(c_d.copy_to_host().astype(wide), reference)
    assert error < tolerance, (case, shape, error)


def test_stacked_operands_and_reset_tile():
    """As cublasdx_simple_gemm_pipeline_api_3d.py: C = alpha * sum_ij A_i @ B_j + beta * C,
    moving one tile pipeline over a stack of two A and two B matrices."""
    tile = (128, 128, 32)
    tile_m, tile_n, tile_k = tile
    m, n, k, steps = 256, 256, 256, 2
    mm = _matmul(tile, 128, (np.float16, np.float16, np.float32), ("col_major", "row_major", "row_major"))
    rng = np.random.default_rng(3)
    a = _random((m, k, steps), np.float16, "F", rng)
    b = np.moveaxis(_random((steps, k, n), np.float16, "C", rng), 0, -1)
    c = _random((m, n), np.float32, "C", rng)
    alpha, beta = 2.0, 3.0

    @cuda.jit(extensions=pipeline_extensions, launch_bounds=[mm.block_size, 1])
    def kernel(alpha, beta, c, device_pipeline):
        smem = cuda.shared.array(shape=(0,), dtype=np.byte, alignment=device_pipeline.buffer_alignment)
        bx, by = cuda.blockIdx.x, cuda.blockIdx.y
        gmem_c = make_tensor(
            c[bx * tile_m : (bx + 1) * tile_m, by * tile_n : (by + 1) * tile_n], mm.get_layout_gmem_c(n)
        )
        tile_pipeline = device_pipeline.get_tile(smem, (bx, np.int32(0)), (by, np.int32(0)))
        accumulator = mm.suggest_accumulator()
        tile_pipeline.execute(accumulator)
        for step in range(1, 4):
            device_pipeline.reset_tile(tile_pipeline, (bx, np.int32(step % 2)), (by, np.int32(step // 2)))
            tile_pipeline.execute(accumulator)
        if accumulator.is_thread_active():
            d_frag = accumulator.make_partition_and_copy(gmem_c)
            axpby(alpha, accumulator.get_results(), beta, d_frag)
            accumulator.partition_and_copy(d_frag, gmem_c)
        tile_pipeline._del()

    b_stack = cuda.to_device(np.ascontiguousarray(np.moveaxis(b, -1, 0)))  # (steps, k, n), C order
    a_d, c_d = cuda.to_device(a), cuda.to_device(c)
    b_d = _View(b_stack, (k, n, steps), (n, 1, k * n))  # b's layout
    pipeline = mm.suggest_device_pipeline(2, a_d, b_d)
    assert pipeline.a_strides == (1, m, m * k) and pipeline.b_strides == (n, 1, k * n)
    kernel[(m // tile_m, n // tile_n, 1), pipeline.block_dim, 0, pipeline.buffer_size](alpha, beta, c_d, pipeline)
    cuda.synchronize()

    wide = np.float64
    total = sum(a[:, :, i].astype(wide) @ b[:, :, j].astype(wide) for i in range(steps) for j in range(steps))
    reference = alpha * total + beta * c.astype(wide)
    assert _relative_error(c_d.copy_to_host().astype(wide), reference) < 1e-4


def test_pipeline_state_is_released():
    import gc
    import weakref

    mm = _matmul((64, 64, 32), 128, (np.float32, np.float32, np.float32), ("row_major", "col_major", "row_major"))
    a = cuda.to_device(np.ones((64, 64), np.float32))
    b = cuda.to_device(np.ones((64, 64), np.float32, order="F"))
    pipeline = mm.suggest_device_pipeline(1, a, b)
    finalizer = pipeline._finalizer
    ref = weakref.ref(pipeline)
    del pipeline
    gc.collect()
    assert ref() is None and not finalizer.alive
