"""cuBLASDx pipelines without a GPU: argument checks, pipeline traits, the host kernels that
build a device pipeline, and pipelined kernels (as the seed's examples write them) compiled and
linked into sm_90a cubins."""

import subprocess
import sys

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from nvmath.device import axpby  # noqa: E402
from nvmath.device.common import make_tensor  # noqa: E402
from nvmath.device.common_cuda import ComputeCapability  # noqa: E402
from nvmath.device.cublasdx import MAX_ALIGNMENT, DevicePipeline, Matmul, TilePipeline  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cublasdxGetVersion)

TILE = (128, 128, 32)


class FakeDeviceArray:
    """An object with ``__cuda_array_interface__`` (no memory behind it): enough for the checks
    a device pipeline makes before it touches the GPU."""

    def __init__(self, shape, dtype, order="C"):
        host = np.empty(shape, dtype=dtype, order=order)
        self.shape, self.dtype = host.shape, host.dtype
        self.__cuda_array_interface__ = {
            "shape": host.shape,
            "typestr": host.dtype.str,
            "strides": host.strides,
            "data": (0, False),
            "version": 3,
        }


def _mm(with_pipeline=True, **kwargs):
    kwargs.setdefault("sm", ComputeCapability(9, 0))
    try:
        return Matmul(
            TILE,
            (np.float16, np.float16, np.float32),
            "real",
            arrangement=("row_major", "col_major", "row_major"),
            alignment=MAX_ALIGNMENT,
            block_size=128,
            with_pipeline=with_pipeline,
            enable_input_streaming=with_pipeline,
            **kwargs,
        )
    except RuntimeError as e:
        pytest.xfail(str(e).splitlines()[0])


def _pspec(mm, m=1024, n=1024, k=1024, depth=2, stacks=None):
    from nvmath.device._cublasdx_pipeline import PipelineSpec

    if stacks is None:
        return PipelineSpec(mm._spec, depth, ("R_16F", (m, k), (k, 1)), ("R_16F", (k, n), (1, k)))
    p, q = stacks
    return PipelineSpec(mm._spec, depth, ("R_16F", (m, k, p), (k, 1, m * k)), ("R_16F", (k, n, q), (1, k, k * n)))


def test_importing_the_face_imports_no_numba():
    code = (
        "import sys, nvmath.device.cublasdx, nvmath.device._cublasdx_pipeline\n"
        "bad = [m for m in ('numba', 'numba.cuda') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_names():
    import nvmath.device.cublasdx as face
    from nvmath.device import cublasdx_numba

    assert face.DevicePipeline is DevicePipeline and face.TilePipeline is TilePipeline
    assert {"DevicePipeline", "TilePipeline"} <= set(face.__all__)
    assert isinstance(cublasdx_numba.pipeline_extensions, list) and cublasdx_numba.pipeline_extensions
    assert callable(Matmul.suggest_device_pipeline)


def test_descriptions_of_plain_gemms_are_unchanged():
    plain, pipelined = _mm(with_pipeline=False), _mm()
    assert "pipeline" not in plain._spec.describe()
    assert pipelined._spec.describe().endswith("with_pipeline, enable_input_streaming")
    assert pipelined.with_pipeline and pipelined.enable_input_streaming


def test_host_methods_fail_clearly():
    tile = TilePipeline.__new__(TilePipeline)
    with pytest.raises(RuntimeError, match="kernels only"):
        tile.execute(None)
    with pytest.raises(RuntimeError, match="kernels only"):
        tile._del()
    with pytest.raises(RuntimeError, match="kernels only"):
        DevicePipeline.get_tile(None, None, 0, 0)
    with pytest.raises(RuntimeError, match="kernels only"):
        DevicePipeline.reset_tile(None, None, 0, 0)


def test_bad_arguments_are_refused_before_any_gpu_work():
    mm = _mm()
    a, b = FakeDeviceArray((1024, 1024), np.float16), FakeDeviceArray((1024, 1024), np.float16, order="F")
    with pytest.raises(ValueError, match="with_pipeline=True"):
        _mm(with_pipeline=False).suggest_device_pipeline(2, a, b)
    for depth in (0, -1, 33):
        with pytest.raises(ValueError, match=f"pipeline_depth={depth} .*accepted 1 to 32"):
            mm.suggest_device_pipeline(depth, a, b)
    for depth in (2.0, "2", True):
        with pytest.raises(TypeError, match="pipeline_depth="):
            mm.suggest_device_pipeline(depth, a, b)
    with pytest.raises(TypeError, match="a has dtype float32; this Matmul needs float16"):
        mm.suggest_device_pipeline(2, FakeDeviceArray((1024, 1024), np.float32), b)
    with pytest.raises(TypeError, match="b must be a device array"):
        mm.suggest_device_pipeline(2, a, np.zeros((1024, 1024), np.float16))
    with pytest.raises(ValueError, match=r"rows of a \(M\), 1000, are not a multiple of the tile's 128"):
        mm.suggest_device_pipeline(2, FakeDeviceArray((1000, 1024), np.float16), b)
    with pytest.raises(ValueError, match=r"columns of a \(K\), 1040, are not a multiple of the tile's 32"):
        mm.suggest_device_pipeline(
            2, FakeDeviceArray((1024, 1040), np.float16), FakeDeviceArray((1040, 1024), np.float16, order="F")
        )
    with pytest.raises(ValueError, match="do not agree"):
        mm.suggest_device_pipeline(2, a, FakeDeviceArray((512, 1024), np.float16))
    with pytest.raises(ValueError, match="a.shape=.* is not supported"):
        mm.suggest_device_pipeline(2, FakeDeviceArray((1024,), np.float16), b)
    with pytest.raises(ValueError, match="same number of dimensions"):
        mm.suggest_device_pipeline(2, FakeDeviceArray((1024, 1024, 2), np.float16), b)


@needs_library
def test_a_pipeline_deeper_than_shared_memory_is_refused():
    mm = _mm()
    a, b = FakeDeviceArray((1024, 1024), np.float16), FakeDeviceArray((1024, 1024), np.float16, order="F")
    with pytest.raises(ValueError, match="pipeline_depth=16 needs .* bytes of shared memory, but a block"):
        mm.suggest_device_pipeline(16, a, b)


@needs_library
def test_pipeline_traits():
    from nvmath.device._cublasdx_pipeline import pipeline_traits

    m, n, k = TILE
    # (depth 2 is the pipeline the kernels below use; depth 16 does not fit shared memory, so
    # it costs a traits query only, no code generation)
    for depth in (2, 16):
        traits = pipeline_traits(_pspec(_mm(), depth=depth))
        # each stage holds a tile of A and one of B (fp16)
        assert traits["buffer_size"] >= depth * (m * k + k * n) * 2
        assert traits["buffer_size"] < (depth + 1) * (m * k + k * n) * 2
        for name in ("buffer_alignment", "storage_alignment", "tile_storage_alignment"):
            assert traits[name] > 0 and traits[name] & (traits[name] - 1) == 0, name
        assert traits["storage_bytes"] > 0 and traits["tile_storage_bytes"] > 0
        assert traits["block_dim"] == [128, 1, 1]


@needs_library
def test_host_kernels_link():
    from nvmath.device._cublasdx_pipeline import host_kernels

    cubin, init, destroy = host_kernels(_pspec(_mm()))
    assert cubin[:4] == b"\x7fELF"
    assert init.encode() in cubin and destroy.encode() in cubin
    # libmathdx's globals that no device code uses are dropped (4.2 MB with them, 7.6 KB without).
    assert len(cubin) < 64 * 1024


def _compile_and_link(kernel, sig):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    assert len(inputs) > 5  # the kernel, libmathdx's functions and their shims
    # numba-cuda links for sm_90a on a compute capability 9.0 device, as the pipelines need
    return link(inputs, compute_capability="sm_90a")


@needs_library
def test_pipelined_kernel_links():
    """The kernel of cublasdx_simple_gemm_pipeline_api.py."""
    from numba import cuda, types

    from nvmath.device.cublasdx_numba import DevicePipelineType

    mm = _mm()
    tile_m, tile_n, _ = TILE
    n = 1024

    def kernel(alpha, beta, c, device_pipeline):
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

    sig = (types.float64, types.float64, types.float32[:, ::1], DevicePipelineType(_pspec(mm)))
    assert _compile_and_link(kernel, sig)[:4] == b"\x7fELF"


@needs_library
def test_pipelined_kernel_with_stacks_and_reset_links():
    """The kernel of cublasdx_simple_gemm_pipeline_api_3d.py: 3D operands, reset_tile, several
    executes into one accumulator, its index map."""
    from numba import cuda, types

    from nvmath.device.cublasdx_numba import DevicePipelineType

    mm = _mm()
    tile_m, tile_n, _ = TILE
    n = 512

    def kernel(alpha, beta, c, device_pipeline, out):
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
        results = accumulator.get_results()
        if accumulator.is_thread_active() and not accumulator.is_predicated():
            i, j = accumulator.map_fragment_index(0)
            out[0] = results[0] + i + j + (1 if accumulator.is_index_in_bounds(0) else 0)
        d_frag = accumulator.make_partition_and_copy(gmem_c)
        axpby(alpha, results, beta, d_frag)
        accumulator.partition_and_copy(d_frag, gmem_c)
        tile_pipeline._del()

    pspec = _pspec(mm, m=512, n=n, k=512, stacks=(2, 2))
    sig = (types.float64, types.float64, types.float32[:, ::1], DevicePipelineType(pspec), types.float32[::1])
    assert _compile_and_link(kernel, sig)[:4] == b"\x7fELF"


def test_typing_errors_name_the_problem():
    from numba import cuda
    from numba.core.errors import TypingError

    from nvmath.device._cublasdx_pipeline_numba import DevicePipelineType

    mm = _mm()
    plain = _mm(with_pipeline=False)
    pspec = _pspec(mm)

    def pairs_on_2d(device_pipeline):
        smem = cuda.shared.array(shape=(0,), dtype=np.byte)
        device_pipeline.get_tile(smem, (0, 0), (0, 0))

    def plain_accumulator(device_pipeline):
        smem = cuda.shared.array(shape=(0,), dtype=np.byte)
        tile = device_pipeline.get_tile(smem, 0, 0)
        tile.execute(plain.suggest_accumulator())

    def partitioner(device_pipeline):
        mm.suggest_partitioner()

    sig = (DevicePipelineType(pspec),)
    for kernel, message in (
        (pairs_on_2d, "must be an integer"),
        (plain_accumulator, "takes one accumulator"),
        (partitioner, "not available with with_pipeline=True"),
    ):
        with pytest.raises(TypingError, match=message):
            cuda.compile_all(kernel, sig, device=False, cc=(9, 0), output="ltoir", abi="numba")


def test_a_pipeline_argument_is_passed_as_its_address():
    """numba-cuda's launcher marshals what the extension gives (a pointer-sized integer)."""
    import ctypes
    import types as pytypes

    from numba.cuda.dispatcher import _Kernel

    from nvmath.device.cublasdx_numba import pipeline_extensions

    pipeline = DevicePipeline.__new__(DevicePipeline)
    pipeline._storage = pytypes.SimpleNamespace(handle=0x7F0012345600)
    kernelargs = []
    launcher = pytypes.SimpleNamespace(extensions=pipeline_extensions)
    _Kernel._prepare_args(launcher, None, pipeline, None, [], kernelargs)
    assert len(kernelargs) == 1 and isinstance(kernelargs[0], ctypes.c_uint64)
    assert kernelargs[0].value == 0x7F0012345600
