"""nvmath.device.FFT as nvmath-python's users write it, without a GPU: names and aliases,
keywords and their spellings, traits, knobs, errors, and kernels of every execution form
compiled and linked to a cubin (not launched)."""

import logging
import subprocess
import sys
import warnings

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from tests.conftest import HAS_GPU  # noqa: E402
from tests.libraries import needs  # noqa: E402

pytestmark = needs("libmathdx", mathdx.cufftdxGetVersion)

import nvmath.device  # noqa: E402
from nvmath.device import FFT, ComputeCapability, Dim3  # noqa: E402
from nvmath.device import types as dtypes  # noqa: E402

SM = (9, 0)


def _link(kernel, sig):
    """Compile ``kernel`` for sm_90 and link it with the LTO-IR it calls; the number of inputs."""
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, sig, device=False, cc=SM, output="ltoir", abi="numba")
    from tests.device.link_inputs import code_count, link_inputs

    assert link(link_inputs(codes), compute_capability="sm_90")[:4] == b"\x7fELF"
    return code_count(codes)


# ----------------------------------------------------------------------------- names


def test_old_and_peer_names_are_the_same_objects():
    import nvmath.device.cufftdx as cufftdx
    import nvmath.device.fft as old

    assert old.FFT is cufftdx.FFT is nvmath.device.FFT
    assert old.compile_fft_execute is cufftdx.compile_fft_execute is nvmath.device.compile_fft_execute
    assert nvmath.device.common_cuda.Dim3 is Dim3 and nvmath.device.types.complex64 is nvmath.device.complex64
    from nvmath.device.common_cuda import current_device_sm

    assert current_device_sm is nvmath.device.current_device_sm


def test_the_old_module_is_also_the_deprecated_fft_function():
    with pytest.warns(DeprecationWarning, match="nvmath.device.fft"):
        fft = nvmath.device.fft(size=64, precision=np.float32, fft_type="c2c", execution="Thread", sm=SM)
    assert isinstance(fft, FFT) and fft.size == 64
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nvmath.device.cufftdx.fft(size=64, precision="single", fft_type="c2c", execution="Thread", sm=SM, code_type=1)
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any("fft() is deprecated" in m for m in messages) and any("code_type=" in m for m in messages)


def test_import_does_not_load_numba_and_vector_types_load_on_use():
    code = (
        "import sys, nvmath.device; assert 'numba' not in sys.modules, 'numba at import';"
        "from nvmath.device import float16x4, float32x2_type; assert 'numba' in sys.modules;"
        "print(float32x2_type)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "float32x2"
    with pytest.raises(AttributeError, match="float8x2"):
        nvmath.device.float8x2  # noqa: B018


# ----------------------------------------------------------------------------- keywords


@pytest.mark.parametrize("spelling", [np.float32, np.dtype(np.float32), "single", "float32"])
def test_precision_spellings_name_the_same_fft(spelling):
    fft = FFT(256, spelling, "c2c", "Block", sm=SM)
    ref = FFT(256, np.float32, "c2c", "Block", sm=SM)
    assert fft.precision is np.float32
    assert (fft.storage_size, fft.block_dim, fft.symbol) == (ref.storage_size, ref.block_dim, ref.symbol)
    assert fft.__nvmath_fingerprint__() == ref.__nvmath_fingerprint__()


def test_keywords_as_the_peer_examples_pass_them():
    fft = FFT(
        fft_type="c2c",
        size=128,
        precision=np.float32,
        direction="forward",
        elements_per_thread=8,
        ffts_per_block=2,
        execution="Block",
        sm=ComputeCapability(9, 0),
    )
    assert (fft.size, fft.elements_per_thread, fft.ffts_per_block) == (128, 8, 2)
    assert fft.block_dim == Dim3(16, 2, 1) == (16, 2, 1) and fft.block_dim.x == 16
    assert fft.stride == 16 and fft.storage_size >= 8
    assert fft.value_type is dtypes.complex64 and fft.input_type is dtypes.complex64
    assert fft.implicit_type_batching == 1 and fft.workspace_size == 0
    assert fft.shared_memory_size >= 0 and fft.direction == "forward" and fft.execution == "Block"


@pytest.mark.parametrize("sm", [(9, 0), "sm_90", 90, ComputeCapability(9, 0), "9.0"])
def test_sm_spellings(sm):
    fft = FFT(64, "single", "c2c", "Thread", sm=sm)
    assert (fft.sm.major, fft.sm.minor) == (9, 0)


def test_arch_specific_compute_capability_is_kept():
    fft = FFT(64, "single", "c2c", "Thread", sm=ComputeCapability(9, 0, "a"))
    # a ComputeCapability, as nvmath-python's (and Matmul's, the solvers')
    assert fft.sm == ComputeCapability(9, 0, "a") and str(fft.sm) == "9.0a"
    assert FFT(64, "single", "c2c", "Thread", sm="sm_90").sm == ComputeCapability(9, 0)


def test_defaults_of_direction():
    assert FFT(64, "single", "r2c", "Thread", sm=SM).direction == "forward"
    assert FFT(64, "single", "c2r", "Thread", sm=SM).direction == "inverse"
    assert FFT(64, "single", "c2c", "Thread", sm=SM).direction == "forward"


# ----------------------------------------------------------------------------- traits


def test_half_precision_values_hold_two_ffts():
    fft = FFT(128, np.float16, "c2c", "Block", ffts_per_block=4, elements_per_thread=8, sm=SM)
    assert fft.value_type is dtypes.half4 and fft.implicit_type_batching == 2
    assert fft.ffts_per_block % fft.implicit_type_batching == 0
    assert fft.block_dim.y * fft.implicit_type_batching == fft.ffts_per_block
    r2c = FFT(128, "half", "r2c", "Block", ffts_per_block=4, elements_per_thread=8, sm=SM)
    assert r2c.input_type is dtypes.half2 and r2c.output_type is dtypes.half4


@pytest.mark.parametrize(
    "precision, real, complex_", [(np.float32, np.float32, "complex64"), ("double", np.float64, "complex128")]
)
def test_real_ffts_types(precision, real, complex_):
    r2c = FFT(64, precision, "r2c", "Block", sm=SM)
    c2r = FFT(64, precision, "c2r", "Block", sm=SM)
    assert r2c.input_type is real and r2c.output_type is getattr(dtypes, complex_)
    assert c2r.input_type is getattr(dtypes, complex_) and c2r.output_type is real
    assert r2c.value_type is c2r.value_type is getattr(dtypes, complex_)


def test_thread_ffts_have_no_block_traits():
    fft = FFT(8, np.float64, "c2c", "Thread", sm=SM)
    assert fft.block_dim is None and fft.shared_memory_size is None and fft.ffts_per_block is None
    assert fft.elements_per_thread == 8 and fft.storage_size >= 8 and fft.value_type is dtypes.complex128


def test_packed_folded_real_options():
    base = {"size": 64, "precision": np.float32, "ffts_per_block": 2, "elements_per_thread": 4, "execution": "Block"}
    options = {"complex_layout": "packed", "real_mode": "folded"}
    r2c = FFT(fft_type="r2c", real_fft_options=options, sm=SM, **base)
    c2r = FFT(fft_type="c2r", real_fft_options=options, sm=SM, **base)
    natural = FFT(fft_type="r2c", sm=SM, **base)
    assert r2c.real_fft_options == options
    assert (r2c.storage_size, r2c.stride, r2c.block_dim) == (2, 16, (16, 2, 1))
    assert (c2r.storage_size, c2r.stride, c2r.block_dim) == (2, 16, (16, 2, 1))
    assert r2c.symbol != natural.symbol


def test_suggested_knobs_are_resolved_to_ints():
    fft = FFT(256, np.float32, "c2c", "Block", ffts_per_block="suggested", elements_per_thread="suggested", sm=SM)
    assert isinstance(fft.ffts_per_block, int) and fft.ffts_per_block >= 1
    assert isinstance(fft.elements_per_thread, int) and fft.elements_per_thread >= 1


def test_valid_on_an_object_lists_combinations_and_on_the_class_values():
    fft = FFT(256, np.float32, "c2c", "Block", direction="forward", sm=SM)
    pairs = fft.valid("elements_per_thread", "ffts_per_block")
    assert pairs and all(len(p) == 2 for p in pairs)
    ept, fpb = pairs[-1]
    chosen = FFT(256, np.float32, "c2c", "Block", elements_per_thread=ept, ffts_per_block=fpb, sm=SM)
    assert (chosen.elements_per_thread, chosen.ffts_per_block) == (ept, fpb)
    singles = fft.valid("elements_per_thread")
    assert all(len(v) == 1 for v in singles)
    assert tuple(sorted({v[0] for v in singles})) == FFT.valid(256, "single", "c2c", "Block", sm=SM)
    # knobs given at construction constrain the listing
    constrained = FFT(256, np.float32, "c2c", "Block", elements_per_thread=8, sm=SM).valid("elements_per_thread")
    assert constrained == [(8,)]
    # and so does a knob given as "suggested", with the value it resolved to (as nvmath-python)
    suggested = FFT(256, np.float32, "c2c", "Block", elements_per_thread="suggested", sm=SM)
    assert len(singles) > 1 and suggested.valid("elements_per_thread") == [(suggested.elements_per_thread,)]
    with pytest.raises(ValueError, match="knob='size'"):
        fft.valid("size")


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"size": 0}, ValueError, "size=0"),
        ({"size": 1}, ValueError, "size=1 is not supported; accepted: an int of at least 2"),
        ({"size": 2.5}, ValueError, "size=2.5"),
        ({"precision": np.int32}, ValueError, "precision=.*int32.*numpy.float32.*'single'"),
        ({"precision": "quad"}, ValueError, "precision='quad'"),
        ({"fft_type": "z2z"}, ValueError, "fft_type='z2z'.*'c2c'"),
        ({"execution": "Warp"}, ValueError, "execution='Warp'.*'Block'"),
        ({"direction": "backward"}, ValueError, "direction='backward'.*'inverse'"),
        ({"ffts_per_block": -1}, ValueError, "ffts_per_block=-1"),
        ({"elements_per_thread": "many"}, ValueError, "elements_per_thread='many'"),
        ({"elements_per_thread": 3}, ValueError, "does not support"),
        ({"real_fft_options": {"layout": "packed"}}, ValueError, "unknown key.*'layout'"),
        ({"real_fft_options": {"complex_layout": "odd", "real_mode": "normal"}}, ValueError, "complex_layout.*'odd'"),
        ({"real_fft_options": "packed"}, TypeError, "real_fft_options='packed'"),
        (
            {"size": 7, "fft_type": "c2r", "real_fft_options": {"complex_layout": "packed"}},
            ValueError,
            "'packed' needs an even size; size=7",
        ),
        ({"real_fft_options": {"real_mode": "folded"}}, ValueError, "real_mode='folded' applies to r2c and c2r"),
        ({"size": 4096, "execution": "Thread"}, ValueError, r"does not support this FFT \(size 4096.*Thread"),
        ({"sm": "gpu9"}, ValueError, "sm='gpu9'"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"size": 64, "precision": np.float32, "fft_type": "c2c", "execution": "Block", "sm": SM, **kwargs}
    with pytest.raises(error, match=match):
        FFT(**args)


def test_what_cufftdx_refuses_only_when_it_compiles_is_a_value_error_with_its_reason(caplog):
    # Every operator and trait query accepts 64 FFTs of 512 threads a block; compiling the code
    # fails on cuFFTDx's static_assert. The error says why, without the compiler's log.
    with caplog.at_level(logging.DEBUG, logger="nvmath.device._mathdx_code"):
        with pytest.raises(ValueError) as info:
            FFT(2048, np.float64, "c2c", "Block", ffts_per_block=64, elements_per_thread=4, sm=SM)
    message = str(info.value)
    assert message.startswith("cuFFTDx does not support this FFT (size 2048, F64, c2c, forward, Block, sm_90")
    assert "ffts_per_block 64, elements_per_thread 4" in message
    assert "Too many threads requested" in message
    assert "static_assert" not in message and ".hpp" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert any("compiler's log" in r.getMessage() and "check_and_get_trait" in r.getMessage() for r in caplog.records)


def test_refusal_reads_the_static_assertions_of_a_compile_log_once_each():
    from nvmath.bindings.mathdx import MathDxError
    from nvmath.device import _mathdx_code

    log = (
        'a.hpp(20): error: static assertion failed with "Size must be > 1"\n'
        '   static_assert(Value > 1, "Size must be > 1");\n'
        'b.hpp(7): error: static assertion failed with "Say \\"no\\" twice"\n'
        'a.hpp(20): error: static assertion failed with "Size must be > 1"\n'
    )
    refused = _mathdx_code.refusal(MathDxError("cufftdxFinalizeCode", 3, log), "cuFFTDx", "this FFT (x)")
    assert isinstance(refused, ValueError)
    assert str(refused) == 'cuFFTDx does not support this FFT (x): Size must be > 1; Say \\"no\\" twice'
    # Other failures (no static assertion: NVRTC missing a header, say) are not refusals.
    assert _mathdx_code.refusal(MathDxError("cufftdxFinalizeCode", 3, "x.cu(1): error: boom"), "cuFFTDx", "y") is None
    assert _mathdx_code.refusal(MathDxError("cufftdxFinalizeCode", 3), "cuFFTDx", "y") is None
    assert _mathdx_code.refusal(RuntimeError("no detail"), "cuFFTDx", "y") is None


def test_knobs_of_thread_ffts_are_refused():
    with pytest.raises(ValueError, match="ffts_per_block=2 applies to Block execution only"):
        FFT(16, np.float32, "c2c", "Thread", ffts_per_block=2, sm=SM)


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present")
def test_current_device_sm_without_a_gpu():
    from nvmath.jit.arch import NoTargetError

    with pytest.raises(NoTargetError, match="sm="):
        nvmath.device.current_device_sm()
    with pytest.raises(ValueError, match="code_type"):
        nvmath.device.current_device_lto()


def test_host_calls_of_device_functions_raise():
    fft = FFT(16, np.float32, "c2c", "Thread", sm=SM)
    with pytest.raises(RuntimeError, match="numba.cuda.jit"):
        fft.execute(np.zeros(16, np.complex64))
    with pytest.raises(RuntimeError, match="numba.cuda.jit"):
        fft(np.zeros(16, np.complex64))
    with pytest.raises(NotImplementedError):
        fft.extensions  # noqa: B018


def test_deprecated_members_warn():
    fft = FFT(16, np.float32, "c2c", "Thread", sm=SM)
    with pytest.warns(DeprecationWarning):
        assert fft.requires_workspace is False
    with pytest.warns(DeprecationWarning):
        assert fft.files == []
    with pytest.warns(DeprecationWarning):
        assert fft.definition()["size"] == 16
    with pytest.warns(DeprecationWarning):
        other = fft.create(size=32)
    assert other.size == 32 and other.precision is np.float32 and other.execution == "Thread"


# ----------------------------------------------------------------------------- compile_fft_execute


def test_compile_fft_execute_gives_lto_ir_and_symbol_per_api():
    from nvmath.device import CodeType, compile_fft_execute

    fft = FFT(128, np.float32, "c2c", "Block", ffts_per_block=2, sm=SM)
    code, symbol = compile_fft_execute(fft, CodeType("lto", ComputeCapability(9, 0)))
    assert code.data[:4] == b"\xedCN\x7f" and symbol == fft.symbol
    assert code.code_type.cc == ComputeCapability(9, 0) and code.isa_version.major >= 12
    smem, smem_symbol = compile_fft_execute(fft, ("lto", (9, 0)), execute_api="shared_memory")
    assert smem_symbol != symbol and smem.data[:4] == b"\xedCN\x7f"
    with pytest.raises(ValueError, match="execute_api='global'"):
        compile_fft_execute(fft, ("lto", (9, 0)), execute_api="global")
    with pytest.raises(ValueError, match="code_type.kind='ptx'"):
        compile_fft_execute(fft, ("ptx", (9, 0)))
    thread = FFT(16, np.float32, "c2c", "Thread", sm=SM)
    with pytest.raises(ValueError, match="Block execution only"):
        compile_fft_execute(thread, ("lto", (9, 0)), execute_api="shared_memory")


# ----------------------------------------------------------------------------- common_cuda, types


def test_common_cuda_values():
    from nvmath.device.common_cuda import ISAVersion

    cc = ComputeCapability(9, 0, "a")
    assert cc.integer == 900 and str(cc) == "9.0a" and cc == (9, 0, "a")
    assert Dim3(4) == (4, 1, 1) and Dim3(4, 2).y == 2
    assert ISAVersion.from_integer(12080) == (12, 8)
    assert nvmath.device.MAX_SUPPORTED_CC >= ComputeCapability(9, 0)


def test_host_dtypes_of_value_types_warn_about_alignment():
    with pytest.warns(UserWarning, match="aligned"):
        assert dtypes.complex64.dtype == np.complex64
    with pytest.warns(UserWarning, match="aligned"):
        assert dtypes.half4.dtype == dtypes.np_float16x4 and dtypes.np_float16x4.itemsize == 8
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dtypes.complex128.real_dtype is np.float64 and dtypes.half2.size == 2
    with pytest.raises(ValueError, match="size=3"):
        dtypes.Vector(np.float16, 3)
    with pytest.raises(ValueError, match="real_dtype"):
        dtypes.Vector(np.float32, 2)
    assert dtypes.Complex(np.float32) == dtypes.complex64 and dtypes.complex64 != dtypes.complex128


# ----------------------------------------------------------------------------- kernels (compiled, not run)


def test_block_kernel_with_thread_data_and_shared_memory_links():
    from numba import cuda, types

    fft = FFT(
        fft_type="c2c",
        size=128,
        precision=np.float32,
        elements_per_thread=8,
        ffts_per_block=2,
        execution="Block",
        sm=SM,
    )

    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            thread_data[i] = data[cuda.threadIdx.y, index]
            index += fft.stride
        fft.execute(thread_data, shared_mem)
        for i in range(fft.elements_per_thread):
            thread_data[i] = thread_data[i] / fft.size  # complex arithmetic on value_type
        fft(thread_data, shared_mem)  # the object itself is callable in kernels
        index = cuda.threadIdx.x
        for i in range(fft.elements_per_thread):
            data[cuda.threadIdx.y, index] = thread_data[i]
            index += fft.stride

    assert _link(kernel, (types.complex64[:, ::1],)) == 2  # the kernel and one cuFFTDx function


def test_block_kernel_with_data_in_shared_memory_links():
    from numba import cuda, types

    fft = FFT(128, np.float32, "c2c", "Block", elements_per_thread=8, ffts_per_block=2, sm=SM)

    def kernel(data):
        shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
        for index in range(cuda.threadIdx.x, fft.size, fft.block_dim[0]):
            shared_mem[cuda.threadIdx.y * fft.size + index] = data[cuda.threadIdx.y, index]
        cuda.syncthreads()
        fft(shared_mem)
        cuda.syncthreads()
        for index in range(cuda.threadIdx.x, fft.size, fft.block_dim[0]):
            data[cuda.threadIdx.y, index] = shared_mem[cuda.threadIdx.y * fft.size + index]

    assert _link(kernel, (types.complex64[:, ::1],)) == 2


@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_thread_kernel_links(precision):
    from numba import cuda, types

    fft = FFT(fft_type="c2c", size=8, precision=precision, direction="inverse", execution="Thread", sm=SM)
    value = types.complex64 if precision is np.float32 else types.complex128

    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        for i in range(fft.size):
            thread_data[i] = data[cuda.threadIdx.x, i]
        fft.execute(thread_data)
        for i in range(fft.size):
            data[cuda.threadIdx.x, i] = thread_data[i]

    assert _link(kernel, (value[:, ::1],)) == 2


@pytest.mark.parametrize("execution", ["Block", "Thread"])
def test_half_precision_kernel_through_vector_types_links(execution):
    from numba import cuda, types

    from nvmath.device import float16x4

    knobs = {"ffts_per_block": 4, "elements_per_thread": 8} if execution == "Block" else {}
    size = 128 if execution == "Block" else 8
    fft = FFT(fft_type="c2c", size=size, precision=np.float16, execution=execution, sm=SM, **knobs)

    def kernel(data):
        thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
        pair = cuda.threadIdx.y if execution == "Block" else cuda.threadIdx.x
        index = cuda.threadIdx.x if execution == "Block" else 0
        step = fft.stride if execution == "Block" else 1
        for i in range(fft.elements_per_thread):
            thread_data[i] = float16x4(
                data[2 * pair, 2 * index],
                data[2 * pair + 1, 2 * index],
                data[2 * pair, 2 * index + 1],
                data[2 * pair + 1, 2 * index + 1],
            )
            index += step
        if execution == "Block":
            shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)
            fft.execute(thread_data, shared_mem)
        else:
            fft.execute(thread_data)
        v = thread_data[0]
        data[2 * pair, 0] = v.x
        data[2 * pair + 1, 0] = v.y
        data[2 * pair, 1] = v.z
        data[2 * pair + 1, 1] = v.w

    assert _link(kernel, (types.float16[:, ::1],)) == 2


def test_real_fft_kernels_link():
    from numba import cuda, types

    r2c = FFT(fft_type="r2c", size=64, precision=np.float32, execution="Block", sm=SM)
    c2r = FFT(fft_type="c2r", size=64, precision=np.float32, execution="Block", sm=SM)
    storage = max(r2c.storage_size, c2r.storage_size)

    def kernel(x, y):
        thread_data = cuda.local.array(shape=(storage,), dtype=r2c.value_type)
        shared_mem = cuda.shared.array(shape=(0,), dtype=r2c.value_type)
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < r2c.size // 2:
                thread_data[i] = complex(x[0, 2 * index], x[0, 2 * index + 1])
            index += r2c.stride
        r2c.execute(thread_data, shared_mem)
        index = cuda.threadIdx.x
        for i in range(r2c.elements_per_thread):
            if index < r2c.size // 2 + 1:
                y[0, index] = thread_data[i]
            index += r2c.stride
        c2r.execute(thread_data, shared_mem)

    assert _link(kernel, (types.float32[:, ::1], types.complex64[:, ::1])) == 3


def test_traits_are_compile_time_constants_in_kernels():
    from numba import cuda, types

    fft = FFT(256, np.float64, "c2c", "Block", ffts_per_block=2, sm=SM)

    def kernel(out):
        local = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)  # needs a constant
        local[0] = 1.0
        out[0] = fft.storage_size
        out[1] = fft.stride
        out[2] = fft.block_dim[1]
        out[3] = fft.size + fft.elements_per_thread + fft.implicit_type_batching
        out[4] = fft.shared_memory_size
        out[5] = local[0].real

    ptx, _ = cuda.compile_ptx(kernel, (types.int64[::1],), cc=SM)
    # The constants appear in the PTX as immediates.
    for value in (fft.stride, fft.shared_memory_size):
        assert str(value) in ptx


@pytest.mark.parametrize(
    "body, match",
    [
        ("thread_data_f32", r"array of float32;.*an array of float32x2 is required \(complex64 fits too\)"),
        ("three_arguments", r"takes \(thread_data, shared_memory\), \(thread_data\) or \(shared_memory\); got 3"),
        ("thread_with_smem", r"Thread FFT takes thread data only"),
        ("not_an_array", r"argument 0 \(thread_data\) is float64; an array is required"),
    ],
)
def test_execute_misuse_is_a_clear_typing_error(body, match):
    from numba import cuda, types
    from numba.core.errors import TypingError

    block = FFT(64, np.float32, "c2c", "Block", sm=SM)
    thread = FFT(8, np.float32, "c2c", "Thread", sm=SM)

    def thread_data_f32(data):
        t = cuda.local.array(shape=(block.storage_size,), dtype=np.float32)
        s = cuda.shared.array(shape=(0,), dtype=np.uint8)
        block.execute(t, s)
        data[0] = t[0]

    def three_arguments(data):
        t = cuda.local.array(shape=(block.storage_size,), dtype=block.value_type)
        s = cuda.shared.array(shape=(0,), dtype=np.uint8)
        block.execute(t, s, s)
        data[0] = t[0].real

    def thread_with_smem(data):
        t = cuda.local.array(shape=(thread.storage_size,), dtype=thread.value_type)
        s = cuda.shared.array(shape=(0,), dtype=np.uint8)
        thread.execute(t, s)
        data[0] = t[0].real

    def not_an_array(data):
        thread.execute(data[0])

    kernel = {f.__name__: f for f in (thread_data_f32, three_arguments, thread_with_smem, not_an_array)}[body]
    with pytest.raises(TypingError, match=match):
        cuda.compile_all(kernel, (types.float64[::1],), device=False, cc=SM, output="ltoir", abi="numba")
