"""nvmath.bindings.mathdx under nvmath-python's names: every name is there; functions with
output parameters fill the caller's buffer (bytearray, NumPy array, list or address) and
refuse one that is too small, read-only or of the wrong type; input arrays take a sequence
or an address; errors are LibMathDxError. No GPU needed."""

import ctypes
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvmath.bindings import mathdx
from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError
from tests.libraries import needs

needs_library = needs("libmathdx (pip install nvidia-libmathdx-cu13)", mathdx._lib.cdll, (LibraryNotFoundError,))

# nvmath-python 1.0.1's nvmath.bindings.mathdx functions.
PEER_FUNCTIONS = """
check_status get_version get_version_ex
commondx_create_code commondx_set_code_option_int64 commondx_set_code_option_int64s
commondx_set_code_option_str commondx_get_code_option_int64 commondx_get_code_options_int64s
commondx_get_code_ltoir_size commondx_get_code_ltoir commondx_get_code_num_ltoirs
commondx_get_code_ltoir_sizes commondx_get_code_ltoirs commondx_destroy_code
commondx_status_to_str commondx_get_code_ptx_size commondx_get_code_ptx
cublasdx_create_descriptor cublasdx_set_option_str cublasdx_set_operator_int64
cublasdx_set_operator_int64s cublasdx_create_tensor cublasdx_create_tensor_strided
cublasdx_make_tensor_like cublasdx_destroy_tensor cublasdx_destroy_pipeline
cublasdx_create_device_pipeline cublasdx_create_tile_pipeline cublasdx_set_tensor_option_int64
cublasdx_finalize_tensors cublasdx_finalize_pipelines cublasdx_finalize
cublasdx_get_tensor_trait_int64 cublasdx_get_pipeline_trait_int64
cublasdx_get_pipeline_trait_int64s cublasdx_get_tensor_trait_str_size
cublasdx_get_pipeline_trait_str_size cublasdx_get_tensor_trait_str
cublasdx_get_pipeline_trait_str cublasdx_create_device_function
cublasdx_destroy_device_function cublasdx_create_device_function_with_pipelines
cublasdx_finalize_device_functions cublasdx_get_device_function_trait_str_size
cublasdx_get_device_function_trait_str cublasdx_get_ltoir_size cublasdx_get_ltoir
cublasdx_get_trait_str_size cublasdx_get_trait_str cublasdx_get_trait_int64
cublasdx_get_trait_int64s cublasdx_operator_type_to_str cublasdx_trait_type_to_str
cublasdx_finalize_code cublasdx_destroy_descriptor cublasdx_get_universal_fatbin_size
cublasdx_get_universal_fatbin cublasdx_finalize_codes
cufftdx_create_descriptor cufftdx_set_option_str cufftdx_get_knob_int64size
cufftdx_get_knob_int64s cufftdx_set_operator_int64 cufftdx_set_operator_int64s
cufftdx_get_ltoir_size cufftdx_get_ltoir cufftdx_get_trait_str_size cufftdx_get_trait_str
cufftdx_get_trait_int64 cufftdx_get_trait_int64s cufftdx_get_trait_commondx_data_type
cufftdx_finalize_code cufftdx_destroy_descriptor cufftdx_operator_type_to_str
cufftdx_trait_type_to_str cufftdx_finalize_codes
cusolverdx_create_descriptor cusolverdx_set_option_str cusolverdx_set_operator_int64
cusolverdx_set_operator_int64s cusolverdx_get_ltoir_size cusolverdx_get_ltoir
cusolverdx_get_universal_fatbin_size cusolverdx_get_universal_fatbin
cusolverdx_get_trait_str_size cusolverdx_get_trait_str cusolverdx_get_trait_int64
cusolverdx_get_trait_int64s cusolverdx_finalize_code cusolverdx_destroy_descriptor
cusolverdx_operator_type_to_str cusolverdx_trait_type_to_str cusolverdx_finalize_codes
curanddx_get_version curanddx_create_descriptor curanddx_set_option_str
curanddx_set_operator_int64 curanddx_set_operator_doubles curanddx_get_trait_str_size
curanddx_get_trait_str curanddx_get_trait_int64 curanddx_finalize_code
curanddx_destroy_descriptor curanddx_operator_type_to_str curanddx_distribution_to_str
curanddx_generator_to_str curanddx_generate_method_to_str curanddx_normal_method_to_str
curanddx_trait_type_to_str curanddx_finalize_codes
""".split()


def test_every_nvmath_python_function_is_here_and_public():
    assert len(PEER_FUNCTIONS) == 111
    missing = [name for name in PEER_FUNCTIONS if not callable(getattr(mathdx, name, None))]
    assert missing == []
    assert set(PEER_FUNCTIONS) <= set(mathdx.__all__)


def test_enum_names_of_nvmath_python():
    assert mathdx.CublasdxTilePipelineType.PIPELINE_DEFAULT == mathdx.CublasdxTilePipelineType.DEFAULT == 0
    assert mathdx.CusolverdxTraitType.SHARED_MEMORY_SIZE == 1
    assert (mathdx.CublasdxFillMode.UPPER, mathdx.CublasdxFillMode.LOWER) == (0, 1)
    flags = mathdx.CufftdxDeviceFunctionType
    assert int(flags.EXECUTE | flags.IS_THREAD_ACTIVE) == 9
    assert mathdx.CommondxFunctionAbi.TILE == 1 and mathdx.CufftdxTransposition.BY_COMPONENT_PADDED == 4


def test_errors_are_libmathdx_errors():
    with pytest.raises(mathdx.LibMathDxError, match="COMMONDX_INVALID_VALUE") as info:
        mathdx.check_status(1)
    assert info.value.status == mathdx.CommondxStatusType.INVALID_VALUE
    assert mathdx.check_status(0) is None
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is mathdx.LibMathDxError and copy.status == 1
    detailed = mathdx.MathDxError("cufftdxGetTraitInt64", 2, "log")
    assert isinstance(detailed, mathdx.LibMathDxError) and detailed.status == 2
    with pytest.raises(TypeError, match="status='1' is not supported; accepted: an int"):
        mathdx.check_status("1")


def _fft():
    """A 32-point C2C block FFT descriptor, made through nvmath-python's names."""
    op = mathdx.CufftdxOperatorType
    h = mathdx.cufftdx_create_descriptor()
    mathdx.cufftdx_set_operator_int64(h, op.API, mathdx.CufftdxApi.LMEM)
    mathdx.cufftdx_set_operator_int64(h, op.EXECUTION, mathdx.CommondxExecution.BLOCK)
    mathdx.cufftdx_set_operator_int64(h, op.SIZE, 32)
    mathdx.cufftdx_set_operator_int64(h, op.TYPE, mathdx.CufftdxType.C2C)
    mathdx.cufftdx_set_operator_int64(h, op.DIRECTION, mathdx.CufftdxDirection.FORWARD)
    mathdx.cufftdx_set_operator_int64(h, op.PRECISION, mathdx.CommondxPrecision.F32)
    mathdx.cufftdx_set_operator_int64(h, op.SM, 900)
    mathdx.cufftdx_set_operator_int64(h, op.ELEMENTS_PER_THREAD, 4)
    mathdx.cufftdx_set_operator_int64(h, op.FFTS_PER_BLOCK, 2)
    return h


@pytest.fixture(scope="module")
def fft():
    h = _fft()
    yield h
    mathdx.cufftdx_destroy_descriptor(h)


@pytest.fixture(scope="module")
def fft_code(fft):
    code = mathdx.commondx_create_code()
    mathdx.commondx_set_code_option_int64(code, mathdx.CommondxOption.TARGET_SM, 900)
    mathdx.cufftdx_finalize_code(code, fft)
    yield code
    mathdx.commondx_destroy_code(code)


@needs_library
def test_trait_string_fills_a_bytearray_an_array_or_an_address(fft):
    trait = mathdx.CufftdxTraitType.SYMBOL_NAME
    size = mathdx.cufftdx_get_trait_str_size(fft, trait)
    expected = mathdx.cufftdxGetTraitStr(fft, trait, size)
    assert expected.startswith("cufftdx_") and size == len(expected) + 1

    name = bytearray(size)
    assert mathdx.cufftdx_get_trait_str(fft, trait, size, name) is None
    assert name[:-1].decode() == expected and name[-1] == 0

    array = np.zeros(size + 7, dtype=np.uint8)
    mathdx.cufftdx_get_trait_str(fft, trait, size, array)
    assert array[:size].tobytes() == expected.encode() + b"\0"

    raw = ctypes.create_string_buffer(size)
    mathdx.cufftdx_get_trait_str(fft, trait, size, ctypes.addressof(raw))
    assert raw.value.decode() == expected


@needs_library
def test_too_small_read_only_or_foreign_buffers_are_refused(fft):
    trait = mathdx.CufftdxTraitType.SYMBOL_NAME
    size = mathdx.cufftdx_get_trait_str_size(fft, trait)
    with pytest.raises(ValueError, match=f"value has {size - 1} bytes; size={size} needs at least {size}"):
        mathdx.cufftdx_get_trait_str(fft, trait, size, bytearray(size - 1))
    with pytest.raises(
        TypeError, match="value=b'.*is not supported; accepted: a writable buffer .this one is read-only."
    ):
        mathdx.cufftdx_get_trait_str(fft, trait, size, bytes(size))
    with pytest.raises(
        TypeError, match="value='xxx.*is not supported; accepted: an int .an address. or a writable buffer"
    ):
        mathdx.cufftdx_get_trait_str(fft, trait, size, "x" * size)
    with pytest.raises(ValueError, match="C-contiguous"):
        mathdx.cufftdx_get_trait_str(fft, trait, size, np.zeros((size, 2), np.uint8)[:, 0])


@needs_library
def test_array_traits_fill_numpy_arrays_lists_and_addresses(fft):
    trait = mathdx.CufftdxTraitType.BLOCK_DIM
    expected = mathdx.cufftdxGetTraitInt64s(fft, trait, 3)
    assert expected == [8, 2, 1]

    by_address = np.zeros(3, dtype=np.int64)
    mathdx.cufftdx_get_trait_int64s(fft, trait, 3, by_address.ctypes.data)
    assert by_address.tolist() == expected

    by_buffer = np.zeros(4, dtype=np.int64)
    mathdx.cufftdx_get_trait_int64s(fft, trait, 3, by_buffer)
    assert by_buffer.tolist() == expected + [0]

    as_list = [-1, -1, -1, -1]
    mathdx.cufftdx_get_trait_int64s(fft, trait, 3, as_list)
    assert as_list == expected + [-1]

    with pytest.raises(TypeError, match="8-byte integers"):
        mathdx.cufftdx_get_trait_int64s(fft, trait, 3, np.zeros(3, dtype=np.int32))
    with pytest.raises(TypeError, match="8-byte integers"):
        mathdx.cufftdx_get_trait_int64s(fft, trait, 3, np.zeros(3, dtype=np.float64))
    with pytest.raises(ValueError, match="needs at least 24"):
        mathdx.cufftdx_get_trait_int64s(fft, trait, 3, np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="array has 2 elements; count=3 needs at least 3"):
        mathdx.cufftdx_get_trait_int64s(fft, trait, 3, [0, 0])
    with pytest.raises(TypeError, match=r"array=\(0, 0, 0\) is not supported; accepted: an int \(an address\), a list"):
        mathdx.cufftdx_get_trait_int64s(fft, trait, 3, (0, 0, 0))


@needs_library
def test_code_ltoir_by_size_query_and_fill(fft_code):
    size = mathdx.commondx_get_code_ltoir_size(fft_code)
    out = bytearray(size)
    mathdx.commondx_get_code_ltoir(fft_code, size, out)
    assert out[:4] == b"\xedCN\x7f" and bytes(out) == mathdx.commondxGetCodeLTOIR(fft_code, size)


@needs_library
def test_code_ltoir_chunks_into_addresses_or_buffers(fft_code):
    count = mathdx.commondx_get_code_num_ltoirs(fft_code)
    assert count >= 1
    sizes = np.zeros(count, dtype=np.int64)
    mathdx.commondx_get_code_ltoir_sizes(fft_code, count, sizes.ctypes.data)
    listed = [0] * count
    mathdx.commondx_get_code_ltoir_sizes(fft_code, count, listed)
    assert listed == sizes.tolist() == mathdx.commondxGetCodeLTOIRSizes(fft_code, count)
    expected = mathdx.commondxGetCodeLTOIRs(fft_code, count)

    arrays = [np.zeros(n, dtype=np.int8) for n in sizes]
    mathdx.commondx_get_code_ltoirs(fft_code, count, [a.ctypes.data for a in arrays])
    assert [a.tobytes() for a in arrays] == expected

    buffers = [bytearray(int(n)) for n in sizes]
    mathdx.commondx_get_code_ltoirs(fft_code, count, buffers)
    assert [bytes(b) for b in buffers] == expected

    pointers = (ctypes.c_void_p * count)(*[a.ctypes.data for a in arrays])
    for a in arrays:
        a[:] = 0
    mathdx.commondx_get_code_ltoirs(fft_code, count, ctypes.addressof(pointers))
    assert [a.tobytes() for a in arrays] == expected

    short = [bytearray(int(n) - 1) for n in sizes]
    with pytest.raises(ValueError, match=r"out\[0\] has"):
        mathdx.commondx_get_code_ltoirs(fft_code, count, short)


@needs_library
def test_input_arrays_take_longer_sequences_and_addresses():
    h = _fft()
    try:
        block_dim = np.array([8, 2, 1, 99], dtype=np.int64)
        op = mathdx.CufftdxOperatorType.BLOCK_DIM
        mathdx.cufftdx_set_operator_int64s(h, op, 3, block_dim.ctypes.data)
        mathdx.cufftdx_set_operator_int64s(h, op, 3, list(block_dim))  # C reads the first 3
        with pytest.raises(ValueError, match="array has 2 elements; count=3 needs at least 3"):
            mathdx.cufftdx_set_operator_int64s(h, op, 3, [8, 2])
        knobs = [mathdx.CufftdxKnobType.ELEMENTS_PER_THREAD, mathdx.CufftdxKnobType.FFTS_PER_BLOCK]
        h2 = _fft()
        try:
            size = mathdx.cufftdx_get_knob_int64size(h2, 2, knobs)
            values = np.zeros(size, dtype=np.int64)
            mathdx.cufftdx_get_knob_int64s(h2, 2, knobs, size, values.ctypes.data)
            assert values.tolist() == mathdx.cufftdxGetKnobInt64s(h2, 2, knobs, size)
        finally:
            mathdx.cufftdx_destroy_descriptor(h2)
    finally:
        mathdx.cufftdx_destroy_descriptor(h)


@needs_library
def test_finalize_codes_takes_several_descriptors(fft):
    code = mathdx.commondx_create_code()
    try:
        mathdx.commondx_set_code_option_int64s(code, mathdx.CommondxOption.TARGET_SM, 1, [900])
        mathdx.cufftdx_finalize_codes(code, 1, [fft])
        assert mathdx.commondx_get_code_ltoir_size(code) > 0
    finally:
        mathdx.commondx_destroy_code(code)


@needs_library
def test_status_errors_are_libmathdx_errors(fft):
    with pytest.raises(mathdx.LibMathDxError) as info:
        mathdx.cufftdx_get_trait_int64(fft, 12345)
    assert info.value.status in (mathdx.CommondxStatusType.INVALID_VALUE, mathdx.CommondxStatusType.INTERNAL_ERROR)


@needs_library
def test_removed_curanddx_doubles_say_so():
    h = mathdx.curanddx_create_descriptor()
    try:
        with pytest.raises(FunctionNotFoundError, match="removed in 0.3.2"):
            mathdx.curanddx_set_operator_doubles(h, mathdx.CuranddxOperatorType.DISTRIBUTION_PARAMETERS, 2, [0.0, 1.0])
    finally:
        mathdx.curanddx_destroy_descriptor(h)


_targets = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).filter(lambda v: v != 0).map(lambda v: ("int", v)),
    st.binary(max_size=8).map(lambda b: ("bytes", b)),
    st.lists(st.integers(-5, 5), max_size=5).map(lambda v: ("list", v)),
    st.sampled_from([np.int8, np.int32, np.uint64, np.float32, np.int64]).flatmap(
        lambda dt: st.integers(0, 6).map(lambda n: ("array", np.zeros(n, dtype=dt)))
    ),
    st.sampled_from([None, 1.5, "abc", (1, 2, 3), object()]).map(lambda v: ("other", v)),
)


@settings(max_examples=150, deadline=None)
@given(target=_targets, count=st.integers(min_value=-2, max_value=6))
def test_output_conversion_refuses_what_it_cannot_fill(target, count):
    # No library call: what a caller passes as an output array is converted, or refused with
    # TypeError/ValueError, never handed to C as a bad pointer. Addresses are trusted as in C
    # and not exercised here (a random address would be written to).
    kind, value = target
    if kind == "int":
        return
    try:
        n, pointer, finish = mathdx._out_array(ctypes.c_longlong, value, count, "array")
    except (TypeError, ValueError):
        return
    assert n == count >= 0
    if kind == "list":
        assert len(value) >= count
    elif kind == "array":
        # 8-byte integers, or raw bytes (as a bytearray would be)
        assert value.dtype.kind in "iu" and value.itemsize in (1, 8) and value.nbytes >= 8 * count
    else:
        pytest.fail(f"{kind} {value!r} was accepted")
    finish()
