"""nvmath.bindings.cufft under nvmath-python 1.0.1's names: every name is there and public,
with nvmath-python's argument names; the new enums hold the CUDA 13 header values;
``check_status`` and ``cuFFTError(status)``; array arguments take a sequence of ints or an
address and refuse anything else before C is called; a function the loaded cuFFT lacks raises
FunctionNotFoundError. On a GPU: plans made through these names agree with NumPy."""

import ctypes
import ctypes.util
import inspect
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvmath.bindings import cufft
from nvmath.bindings._loader import FunctionNotFoundError, LibraryNotFoundError, NvidiaLibrary
from tests.libraries import needs

needs_library = needs("cuFFT", cufft._lib.cdll, (LibraryNotFoundError,))

# nvmath-python 1.0.1's nvmath.bindings.cufft functions and their arguments, in order.
PEER_FUNCTIONS = {
    "check_status": "status",
    "create": "",
    "destroy": "plan",
    "estimate1d": "nx type batch",
    "estimate2d": "nx ny type",
    "estimate3d": "nx ny nz type",
    "estimate_many": "rank n inembed istride idist onembed ostride odist type batch",
    "exec_c2c": "plan idata odata direction",
    "exec_c2r": "plan idata odata",
    "exec_d2z": "plan idata odata",
    "exec_r2c": "plan idata odata",
    "exec_z2d": "plan idata odata",
    "exec_z2z": "plan idata odata direction",
    "get_plan_property_int64": "plan property",
    "get_property": "type",
    "get_size": "handle",
    "get_size1d": "handle nx type batch",
    "get_size2d": "handle nx ny type",
    "get_size3d": "handle nx ny nz type",
    "get_size_many": "handle rank n inembed istride idist onembed ostride odist type batch",
    "get_size_many64": "plan rank n inembed istride idist onembed ostride odist type batch",
    "get_version": "",
    "make_plan1d": "plan nx type batch",
    "make_plan2d": "plan nx ny type",
    "make_plan3d": "plan nx ny nz type",
    "make_plan_many": "plan rank n inembed istride idist onembed ostride odist type batch",
    "make_plan_many64": "plan rank n inembed istride idist onembed ostride odist type batch",
    "plan1d": "plan nx type batch",
    "plan2d": "plan nx ny type",
    "plan3d": "plan nx ny nz type",
    "plan_many": "plan rank n inembed istride idist onembed ostride odist type batch",
    "reset_plan_property": "plan property",
    "set_auto_allocation": "plan auto_allocate",
    "set_plan_property_int64": "plan property input_value_int",
    "set_stream": "plan stream",
    "set_work_area": "plan work_area",
    "xt_clear_callback": "plan cb_type",
    "xt_exec": "plan input output direction",
    "xt_exec_descriptor": "plan input output direction",
    "xt_exec_descriptor_c2c": "plan input output direction",
    "xt_exec_descriptor_c2r": "plan input output",
    "xt_exec_descriptor_d2z": "plan input output",
    "xt_exec_descriptor_r2c": "plan input output",
    "xt_exec_descriptor_z2d": "plan input output",
    "xt_exec_descriptor_z2z": "plan input output direction",
    "xt_free": "descriptor",
    "xt_get_size_many": (
        "plan rank n inembed istride idist inputtype onembed ostride odist outputtype batch executiontype"
    ),
    "xt_make_plan_many": (
        "plan rank n inembed istride idist inputtype onembed ostride odist outputtype batch executiontype"
    ),
    "xt_malloc": "plan format",
    "xt_memcpy": "plan dst_pointer src_pointer type",
    "xt_query_plan": "plan query_struct query_type",
    "xt_set_callback_shared_size": "plan cb_type shared_size",
    "xt_set_gpus": "handle n_gpus which_gpus",
    "xt_set_jit_callback": (
        "plan lto_callback_symbol_name lto_callback_fatbin lto_callback_fatbin_size type caller_info"
    ),
    "xt_set_subformat_default": "plan subformat_forward subformat_inverse",
    "xt_set_work_area": "plan work_area",
    "xt_set_work_area_policy": "plan policy work_size",
}
# Its classes (the enums with their members) and error.
PEER_CLASSES = {
    "Compatibility": "FFTW_PADDING",
    "LibFormat": "CUFFT UNDEFINED",
    "Property": "MAX_NUM_HOST_THREADS PATIENT_JIT",
    "Result": (
        "ALLOC_FAILED EXEC_FAILED INCOMPLETE_PARAMETER_LIST INTERNAL_ERROR INVALID_DEVICE INVALID_PLAN "
        "INVALID_SIZE INVALID_TYPE INVALID_VALUE LICENSE_ERROR MISSING_DEPENDENCY NOT_IMPLEMENTED "
        "NOT_SUPPORTED NO_WORKSPACE NVJITLINK_FAILURE NVRTC_FAILURE NVSHMEM_FAILURE PARSE_ERROR "
        "SETUP_FAILED SUCCESS UNALIGNED_DATA"
    ),
    "Type": "C2C C2R D2Z R2C Z2D Z2Z",
    "XtCallbackType": (
        "LD_COMPLEX LD_COMPLEX_DOUBLE LD_REAL LD_REAL_DOUBLE ST_COMPLEX ST_COMPLEX_DOUBLE ST_REAL ST_REAL_DOUBLE "
        "UNDEFINED"
    ),
    "XtCopyType": "DEVICE_TO_DEVICE DEVICE_TO_HOST HOST_TO_DEVICE UNDEFINED",
    "XtQueryType": "QUERY_1D_FACTORS QUERY_UNDEFINED",
    "XtSubFormat": (
        "FORMAT_1D_INPUT_SHUFFLED FORMAT_DISTRIBUTED_INPUT FORMAT_DISTRIBUTED_OUTPUT FORMAT_INPLACE "
        "FORMAT_INPLACE_SHUFFLED FORMAT_INPUT FORMAT_OUTPUT FORMAT_UNDEFINED"
    ),
    "XtWorkAreaPolicy": "MINIMAL PERFORMANCE USER",
    "cuFFTError": None,
}


def test_every_nvmath_python_name_is_here_and_public():
    assert len(PEER_FUNCTIONS) == 57 and len(PEER_CLASSES) == 11
    missing = [name for name in [*PEER_FUNCTIONS, *PEER_CLASSES] if not hasattr(cufft, name)]
    assert missing == []
    assert set(PEER_FUNCTIONS) | set(PEER_CLASSES) <= set(cufft.__all__)
    assert len(cufft.__all__) == len(set(cufft.__all__))
    for name in PEER_FUNCTIONS:
        assert callable(getattr(cufft, name)) and getattr(cufft, name).__doc__, name


@pytest.mark.parametrize("name", sorted(PEER_FUNCTIONS))
def test_argument_names_and_order_are_nvmath_pythons(name):
    assert list(inspect.signature(getattr(cufft, name)).parameters) == PEER_FUNCTIONS[name].split()


def test_enum_members_are_nvmath_pythons():
    for name, members in PEER_CLASSES.items():
        if members is not None:
            assert set(members.split()) <= set(getattr(cufft, name).__members__), name


def test_same_functions_where_the_c_face_agrees():
    # Same arguments, names and result: one function object under both names.
    pairs = {
        "create": "cufftCreate",
        "destroy": "cufftDestroy",
        "make_plan_many": "cufftMakePlanMany",
        "make_plan_many64": "cufftMakePlanMany64",
        "get_size_many": "cufftGetSizeMany",
        "estimate1d": "cufftEstimate1d",
        "exec_c2c": "cufftExecC2C",
        "xt_exec_descriptor_z2d": "cufftXtExecDescriptorZ2D",
        "xt_malloc": "cufftXtMalloc",
        "xt_free": "cufftXtFree",
        "get_plan_property_int64": "cufftGetPlanPropertyInt64",
    }
    for peer, c_name in pairs.items():
        assert getattr(cufft, peer) is getattr(cufft, c_name), peer
    # Other argument names: a wrapper.
    assert cufft.set_work_area is not cufft.cufftSetWorkArea


# -- enums (values from the CUDA 13 cufft.h, cufftXt.h and cudalibxt.h) ---------------------


def test_new_enum_values():
    def values(e):
        return {m.name: m.value for m in e}

    assert values(cufft.Compatibility) == {"FFTW_PADDING": 0x01}
    assert values(cufft.LibFormat) == {"CUFFT": 0x0, "UNDEFINED": 0x1}
    assert values(cufft.XtSubFormat) == {
        "FORMAT_INPUT": 0x00,
        "FORMAT_OUTPUT": 0x01,
        "FORMAT_INPLACE": 0x02,
        "FORMAT_INPLACE_SHUFFLED": 0x03,
        "FORMAT_1D_INPUT_SHUFFLED": 0x04,
        "FORMAT_DISTRIBUTED_INPUT": 0x05,
        "FORMAT_DISTRIBUTED_OUTPUT": 0x06,
        "FORMAT_UNDEFINED": 0x07,
    }
    assert values(cufft.XtCopyType) == {
        "HOST_TO_DEVICE": 0x00,
        "DEVICE_TO_HOST": 0x01,
        "DEVICE_TO_DEVICE": 0x02,
        "UNDEFINED": 0x03,
    }
    assert values(cufft.XtQueryType) == {"QUERY_1D_FACTORS": 0x00, "QUERY_UNDEFINED": 0x01}
    assert values(cufft.XtWorkAreaPolicy) == {"MINIMAL": 0, "USER": 1, "PERFORMANCE": 2}


def test_property_answers_to_both_spellings():
    p = cufft.Property
    assert p.PATIENT_JIT is p.INT64_PATIENT_JIT and p.PATIENT_JIT == 0x1
    assert p.MAX_NUM_HOST_THREADS is p.INT64_MAX_NUM_HOST_THREADS and p.MAX_NUM_HOST_THREADS == 0x2
    assert (p.BLUESTEIN_ONLY, p.DISABLE_FMA) == (0x3, 0x4)
    assert len(p) == 4  # aliases add no members


def test_query_struct_is_the_headers_96_bytes():
    # cufftXt1dFactors: ten long long, then four int.
    assert ctypes.sizeof(cufft._Xt1dFactors) == 96
    assert cufft._Xt1dFactors.stringShift.offset == 80


# -- check_status and the error --------------------------------------------------------------


def test_check_status():
    assert cufft.check_status(0) is None
    assert cufft.check_status(np.int32(0)) is None
    with pytest.raises(cufft.cuFFTError) as info:
        cufft.check_status(cufft.Result.INVALID_SIZE)
    err = info.value
    assert err.status is cufft.Result.INVALID_SIZE and err.function is None
    assert str(err) == "CUFFT_INVALID_SIZE (8)"
    with pytest.raises(cufft.cuFFTError) as info:
        cufft.check_status(99)
    assert info.value.status == 99 and str(info.value) == "unknown cufftResult (99)"
    for bad in ("1", 1.0, None):
        with pytest.raises(TypeError, match=r"status=.* is not supported; accepted: an int"):
            cufft.check_status(bad)


def test_error_made_as_nvmath_python_makes_it():
    err = cufft.cuFFTError(6)
    assert isinstance(err, Exception) and err.status is cufft.Result.EXEC_FAILED
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cufft.cuFFTError and copy.status == 6 and copy.function is None
    assert str(copy) == str(err)
    # This module's own form is unchanged.
    named = pickle.loads(pickle.dumps(cufft.cuFFTError("cufftXtExec", 6)))
    assert (named.function, named.status) == ("cufftXtExec", 6)
    with pytest.raises(TypeError, match="cuFFTError takes"):
        cufft.cuFFTError()


# -- array arguments -------------------------------------------------------------------------


def test_arrays_from_sequences_addresses_and_none():
    arr = cufft._array(ctypes.c_int, np.array([4, 8], dtype=np.int32), 2, "n")
    assert list(arr) == [4, 8] and arr._type_ is ctypes.c_int
    assert list(cufft._array(ctypes.c_int, (np.int64(3),), 1, "n")) == [3]
    assert cufft._array(ctypes.c_int, None, 2, "inembed") is None
    assert cufft._array(ctypes.c_int, 0, 2, "inembed") is None  # a NULL address
    # An address: the caller's array, read in place.
    keep = (ctypes.c_longlong * 2)(16, 32)
    ptr = cufft._int64_array(ctypes.addressof(keep), 2, "n")
    assert ctypes.cast(ptr, ctypes.c_void_p).value == ctypes.addressof(keep) and ptr[1] == 32
    pointers = cufft._array(ctypes.c_void_p, [0x1000, None, 0], None, "caller_info")
    assert [pointers[0], pointers[1], pointers[2]] == [0x1000, None, None]
    assert cufft._array(ctypes.c_void_p, [], None, "caller_info") is None


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (None, TypeError, r"n is required: a sequence of ints \(rank=2 of them\)"),
        (0, ValueError, r"n=0 is a NULL address, but n is required"),
        (-8, ValueError, r"n=-8 is not an address"),
        (2**64, ValueError, r"n=18446744073709551616 is not an address"),
        (True, TypeError, r"n=True is not supported; accepted: a sequence of ints"),
        ("16", TypeError, r"n='16' is not supported"),
        (b"\x10\x10", TypeError, r"n=b'\\x10\\x10' is not supported"),
        (2.0, TypeError, r"n=2.0 is not supported"),
        ({1: 2, 3: 4}, TypeError, r"n=\{1: 2, 3: 4\} is not supported"),
        ({16, 32}, TypeError, r"is not supported"),
        (np.array(7, dtype=np.int32), TypeError, r"n=array\(7, dtype=int32\) is not supported"),
        ([16], ValueError, r"n has 1 elements; rank=2 needs 2 \(got \[16\]\)"),
        ([16, 32, 64], ValueError, r"n has 3 elements; rank=2 needs 2"),
        ([16, 2.5], TypeError, r"n\[1\]=2.5 is not an int; n accepts a sequence of ints"),
        ([16, None], TypeError, r"n\[1\]=None is not an int"),
        ([True, 4], TypeError, r"n\[0\]=True is not an int"),
        ([16, 2**31], ValueError, r"n\[1\]=2147483648 does not fit a C int"),
        (np.array([[1, 2]]), ValueError, r"n has 1 elements"),
        (np.array([1.0, 2.0]), TypeError, r"n\[0\]=.*is not an int"),
    ],
)
def test_bad_arrays_are_refused_naming_the_parameter(value, error, message):
    with pytest.raises(error, match=message):
        cufft._array(ctypes.c_int, value, 2, "n", nullable=False)


def test_whichgpus_counts_in_ngpus():
    with pytest.raises(ValueError, match=r"which_gpus has 1 elements; n_gpus=2 needs 2"):
        cufft.xt_set_gpus(1, 2, [0])
    with pytest.raises(ValueError, match=r"n_gpus=-1 is not supported"):
        cufft.xt_set_gpus(1, -1, [0])


def test_handle_address_of_plan_functions_is_checked():
    for bad, error in ((None, TypeError), (0, ValueError), (-1, ValueError), (1.5, TypeError), (False, TypeError)):
        with pytest.raises(error, match=r"plan=.*accepted: the int address of a cufftHandle"):
            cufft.plan1d(bad, 64, cufft.Type.C2C, 1)
    with pytest.raises(ValueError, match="rank=1 needs 1"):
        cufft.plan_many(0x1000, 1, [8, 8], None, 1, 8, None, 1, 8, cufft.Type.C2C, 1)


def test_query_struct_and_fatbin_buffers_are_checked():
    with pytest.raises(ValueError, match=r"query_struct holds 8 bytes; accepted: .* at least 96 bytes"):
        cufft.xt_query_plan(1, bytearray(8), cufft.XtQueryType.QUERY_1D_FACTORS)
    with pytest.raises(TypeError, match=r"query_struct is a read-only bytes"):
        cufft.xt_query_plan(1, bytes(96), cufft.XtQueryType.QUERY_1D_FACTORS)
    with pytest.raises(TypeError, match=r"query_struct='x' is not supported"):
        cufft.xt_query_plan(1, "x", cufft.XtQueryType.QUERY_1D_FACTORS)
    cb = cufft.XtCallbackType.ST_COMPLEX
    with pytest.raises(ValueError, match=r"lto_callback_fatbin holds 2 bytes, fewer than lto_callback_fatbin_size=3"):
        cufft.xt_set_jit_callback(1, 0, b"ab", 3, cb, None)
    with pytest.raises(TypeError, match=r"lto_callback_fatbin='ab' is not supported"):
        cufft.xt_set_jit_callback(1, 0, "ab", 2, cb, None)
    with pytest.raises(TypeError, match=r"lto_callback_symbol_name=1.5 is not supported"):
        cufft.xt_set_jit_callback(1, 1.5, b"ab", 2, cb, None)
    with pytest.raises(TypeError, match=r"caller_info\[0\]='p' is not an int"):
        cufft.xt_set_jit_callback(1, 0, b"ab", 2, cb, ["p"])


def test_pointers_refuse_bools():
    with pytest.raises(TypeError, match=r"idata=.* is not supported; accepted: an int address"):
        cufft._pointer(True, "idata")


# Anything at all, for the fuzz: ints of every size, floats, strings, bytes, containers.
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=3),
    st.binary(max_size=3),
)
_ELEMENTS = st.one_of(
    st.integers(min_value=-(2**33), max_value=2**33), st.integers(min_value=0, max_value=4096), _SCALARS
)
_ANYTHING = st.one_of(
    _SCALARS,
    st.lists(_ELEMENTS, max_size=4),
    st.lists(_ELEMENTS, max_size=4).map(tuple),
    st.lists(st.integers(min_value=1, max_value=1 << 20), min_size=1, max_size=4).map(
        lambda v: np.array(v, dtype=np.int32)
    ),
    st.dictionaries(st.integers(), st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(values=_ANYTHING, rank=st.integers(min_value=1, max_value=3), nullable=st.booleans())
def test_fuzz_int_arrays(values, rank, nullable):
    """A C int array is built exactly as given, or the argument is refused with TypeError or
    ValueError naming it; nothing else."""
    try:
        out = cufft._array(ctypes.c_int, values, rank, "inembed", nullable=nullable)
    except (TypeError, ValueError) as exc:
        assert "inembed" in str(exc)
        return
    is_int = isinstance(values, (int, np.integer)) and not isinstance(values, bool)
    if values is None or (is_int and values == 0):
        assert nullable and out is None
    elif is_int:
        assert 0 < values < 2**64
        assert ctypes.cast(out, ctypes.c_void_p).value == values
    else:
        items = list(values)
        assert len(items) == rank
        assert all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items)
        assert all(-(2**31) <= v < 2**31 for v in items)
        assert list(out) == [int(v) for v in items]


# -- a function the loaded cuFFT lacks -------------------------------------------------------


@pytest.fixture
def cufft_without_functions(monkeypatch):
    """The module's library object swapped for one over libm, which exports none of cuFFT's
    functions: every call gets as far as resolving its C function."""
    libm = ctypes.util.find_library("m")
    if libm is None:
        pytest.skip("no libm to stand in for cuFFT")
    lib = NvidiaLibrary("cufft", display_name="cuFFT", package="nvidia-cufft", check=cufft._check)
    lib._prototypes = dict(cufft._lib._prototypes)
    lib._cdll, lib._path = ctypes.CDLL(libm), libm
    monkeypatch.setattr(cufft, "_lib", lib)
    monkeypatch.setattr(cufft, "cufftGetVersion", lambda: 12500)
    return lib


C2C = int(cufft.Type.C2C)
C32 = int(cufft.DataType.C_32F)
# Each name, called with acceptable arguments, and the C function it must reach.
_CALLS = {
    "create": ((), "cufftCreate"),
    "destroy": ((7,), "cufftDestroy"),
    "estimate1d": ((64, C2C, 1), "cufftEstimate1d"),
    "estimate2d": ((8, 8, C2C), "cufftEstimate2d"),
    "estimate3d": ((4, 4, 4, C2C), "cufftEstimate3d"),
    "estimate_many": ((1, [64], None, 1, 64, None, 1, 64, C2C, 2), "cufftEstimateMany"),
    "exec_c2c": ((7, 0x1000, 0x2000, -1), "cufftExecC2C"),
    "exec_c2r": ((7, 0x1000, 0x2000), "cufftExecC2R"),
    "exec_d2z": ((7, 0x1000, 0x2000), "cufftExecD2Z"),
    "exec_r2c": ((7, 0x1000, 0x2000), "cufftExecR2C"),
    "exec_z2d": ((7, 0x1000, 0x2000), "cufftExecZ2D"),
    "exec_z2z": ((7, 0x1000, 0x2000, 1), "cufftExecZ2Z"),
    "get_plan_property_int64": ((7, 1), "cufftGetPlanPropertyInt64"),
    "get_property": ((0,), "cufftGetProperty"),
    "get_size": ((7,), "cufftGetSize"),
    "get_size1d": ((7, 64, C2C, 1), "cufftGetSize1d"),
    "get_size2d": ((7, 8, 8, C2C), "cufftGetSize2d"),
    "get_size3d": ((7, 4, 4, 4, C2C), "cufftGetSize3d"),
    "get_size_many": ((7, 2, [8, 8], [8, 8], 1, 64, 0, 1, 64, C2C, 1), "cufftGetSizeMany"),
    "get_size_many64": ((7, 1, [64], None, 1, 64, None, 1, 64, C2C, 1), "cufftGetSizeMany64"),
    "get_version": ((), "cufftGetVersion"),
    "make_plan1d": ((7, 64, C2C, 1), "cufftMakePlan1d"),
    "make_plan2d": ((7, 8, 8, C2C), "cufftMakePlan2d"),
    "make_plan3d": ((7, 4, 4, 4, C2C), "cufftMakePlan3d"),
    "make_plan_many": ((7, 1, (64,), None, 1, 64, None, 1, 64, C2C, 1), "cufftMakePlanMany"),
    "make_plan_many64": ((7, 1, [64], None, 1, 64, None, 1, 64, C2C, 1), "cufftMakePlanMany64"),
    "plan1d": ((0x1000, 64, C2C, 1), "cufftPlan1d"),
    "plan2d": ((0x1000, 8, 8, C2C), "cufftPlan2d"),
    "plan3d": ((0x1000, 4, 4, 4, C2C), "cufftPlan3d"),
    "plan_many": ((0x1000, 1, [64], None, 1, 64, None, 1, 64, C2C, 1), "cufftPlanMany"),
    "reset_plan_property": ((7, 1), "cufftResetPlanProperty"),
    "set_auto_allocation": ((7, 0), "cufftSetAutoAllocation"),
    "set_plan_property_int64": ((7, 1, 1), "cufftSetPlanPropertyInt64"),
    "set_stream": ((7, 0), "cufftSetStream"),
    "set_work_area": ((7, 0x1000), "cufftSetWorkArea"),
    "xt_clear_callback": ((7, 4), "cufftXtClearCallback"),
    "xt_exec": ((7, 0x1000, 0x2000, -1), "cufftXtExec"),
    "xt_exec_descriptor": ((7, 0x1000, 0x2000, -1), "cufftXtExecDescriptor"),
    "xt_exec_descriptor_c2c": ((7, 0x1000, 0x2000, -1), "cufftXtExecDescriptorC2C"),
    "xt_exec_descriptor_c2r": ((7, 0x1000, 0x2000), "cufftXtExecDescriptorC2R"),
    "xt_exec_descriptor_d2z": ((7, 0x1000, 0x2000), "cufftXtExecDescriptorD2Z"),
    "xt_exec_descriptor_r2c": ((7, 0x1000, 0x2000), "cufftXtExecDescriptorR2C"),
    "xt_exec_descriptor_z2d": ((7, 0x1000, 0x2000), "cufftXtExecDescriptorZ2D"),
    "xt_exec_descriptor_z2z": ((7, 0x1000, 0x2000, 1), "cufftXtExecDescriptorZ2Z"),
    "xt_free": ((0x1000,), "cufftXtFree"),
    "xt_get_size_many": ((7, 1, [64], None, 1, 64, C32, None, 1, 64, C32, 1, C32), "cufftXtGetSizeMany"),
    "xt_make_plan_many": ((7, 1, [64], None, 1, 64, C32, None, 1, 64, C32, 1, C32), "cufftXtMakePlanMany"),
    "xt_malloc": ((7, 0), "cufftXtMalloc"),
    "xt_memcpy": ((7, 0x1000, 0x2000, 0), "cufftXtMemcpy"),
    "xt_query_plan": ((7, bytearray(96), 0), "cufftXtQueryPlan"),
    "xt_set_callback_shared_size": ((7, 4, 256), "cufftXtSetCallbackSharedSize"),
    "xt_set_gpus": ((7, 2, [0, 1]), "cufftXtSetGPUs"),
    "xt_set_jit_callback": ((7, 0, b"lto", 3, 4, [0x1000]), "cufftXtSetJITCallback"),
    "xt_set_subformat_default": ((7, 0, 1), "cufftXtSetSubformatDefault"),
    "xt_set_work_area": ((7, [0x1000, 0x2000]), "cufftXtSetWorkArea"),
    "xt_set_work_area_policy": ((7, 0, 0), "cufftXtSetWorkAreaPolicy"),
}


def test_every_library_function_has_a_call_below():
    assert set(_CALLS) == set(PEER_FUNCTIONS) - {"check_status"}


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_missing_function_raises_function_not_found(cufft_without_functions, name):
    args, c_name = _CALLS[name]
    with pytest.raises(FunctionNotFoundError) as info:
        getattr(cufft, name)(*args)
    assert info.value.function == c_name
    assert c_name in str(info.value) and "pip install nvidia-cufft" in str(info.value)
    assert isinstance(info.value, NotImplementedError)


# -- what reaches C (a recording stand-in for the C function) --------------------------------


def test_jit_callback_arguments_reach_c_and_are_kept(monkeypatch):
    seen = []

    def record(*args):
        seen.append(args)

    monkeypatch.setattr(cufft, "_jit_callback_function", lambda: record)
    name = ctypes.create_string_buffer(b"my_store")
    plan = 424242
    try:
        cufft.xt_set_jit_callback(plan, ctypes.addressof(name), bytearray(b"LTO!"), 4, 4, [0x1000, 0x2000])
        (p, sym, data, size, cb, info), *_ = seen
        assert (p, size, cb) == (plan, 4, 4)
        assert sym.value == b"my_store" and data == b"LTO!"
        assert [info[0], info[1]] == [0x1000, 0x2000]
        assert cufft._keepalive[plan][-1] is info
        # NULL name (cuFFT takes the LTO-IR's only function), the LTO-IR by address, no caller_info.
        blob = ctypes.create_string_buffer(b"xyz", 3)
        cufft.xt_set_jit_callback(plan, 0, ctypes.addressof(blob), 3, 0, 0)
        assert seen[1][1:3] == (None, ctypes.addressof(blob)) and seen[1][5] is None
        # caller_info as the address of the caller's pointer array.
        arr = (ctypes.c_void_p * 1)(0x3000)
        cufft.xt_set_jit_callback(plan, "name", b"abc", 3, 0, ctypes.addressof(arr))
        assert seen[2][1] == b"name" and seen[2][5][0] == 0x3000
    finally:
        cufft._keepalive.pop(plan, None)


# -- on a GPU --------------------------------------------------------------------------------


def gpu(test):
    """A GPU test, which also needs the library."""
    return pytest.mark.gpu(needs_library(test))


@pytest.fixture
def plan():
    handle = cufft.create()
    yield handle
    cufft.destroy(handle)


def _rel_err(got, want):
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def _complex(rng, shape, dtype=np.complex64):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@gpu
def test_plan_many_into_an_address_and_exec_c2c(cp):
    rng = np.random.default_rng()
    batch, n = 6, 192
    x = _complex(rng, (batch, n))
    handle = ctypes.c_int(-1)
    cufft.plan_many(ctypes.addressof(handle), 1, [n], None, 1, n, None, 1, n, cufft.Type.C2C, batch)
    try:
        assert handle.value >= 0
        d_x = cp.asarray(x)
        d_y = cp.empty_like(d_x)
        cufft.exec_c2c(handle.value, d_x.data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
        assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x, axis=-1)) <= 1e-5
    finally:
        cufft.destroy(handle.value)


@gpu
def test_plan1d_2d_3d(cp):
    rng = np.random.default_rng()
    handle = ctypes.c_int(-1)
    # 1-D R2C, batched.
    x = rng.standard_normal((4, 100)).astype(np.float32)
    cufft.plan1d(ctypes.addressof(handle), 100, cufft.Type.R2C, 4)
    d_y = cp.empty((4, 51), dtype=cp.complex64)
    cufft.exec_r2c(handle.value, cp.asarray(x).data.ptr, d_y.data.ptr)
    cufft.destroy(handle.value)
    assert _rel_err(cp.asnumpy(d_y), np.fft.rfft(x, axis=-1)) <= 1e-5
    # 2-D Z2Z in place.
    z = _complex(rng, (24, 40), np.complex128)
    cufft.plan2d(ctypes.addressof(handle), 24, 40, cufft.Type.Z2Z)
    d_z = cp.asarray(z)
    cufft.exec_z2z(handle.value, d_z.data.ptr, d_z.data.ptr, cufft.Direction.FORWARD)
    cufft.destroy(handle.value)
    assert _rel_err(cp.asnumpy(d_z), np.fft.fft2(z)) <= 1e-12
    # 3-D C2C inverse (cuFFT does not normalize).
    w = _complex(rng, (8, 12, 16))
    cufft.plan3d(ctypes.addressof(handle), 8, 12, 16, cufft.Type.C2C)
    d_w = cp.asarray(w)
    d_v = cp.empty_like(d_w)
    cufft.exec_c2c(handle.value, d_w.data.ptr, d_v.data.ptr, cufft.Direction.INVERSE)
    cufft.destroy(handle.value)
    assert _rel_err(cp.asnumpy(d_v), np.fft.ifftn(w) * w.size) <= 1e-5


@gpu
def test_make_plan_1d_2d_3d_sizes_and_c2r(cp):
    rng = np.random.default_rng()
    for make, get_size, estimate, dims, extra in (
        (cufft.make_plan1d, cufft.get_size1d, cufft.estimate1d, (250,), (3,)),
        (cufft.make_plan2d, cufft.get_size2d, cufft.estimate2d, (12, 250), ()),
        (cufft.make_plan3d, cufft.get_size3d, cufft.estimate3d, (6, 10, 250), ()),
    ):
        args = (*dims, cufft.Type.C2R, *extra)
        assert estimate(*args) >= 0
        handle = cufft.create()
        try:
            needed = get_size(handle, *args)
            work = make(handle, *args)
            assert needed >= 0 and work == cufft.get_size(handle=handle)
            shape = (*extra, *dims)
            half = (*shape[:-1], dims[-1] // 2 + 1)
            want = rng.standard_normal(shape)
            x = np.fft.rfftn(want, axes=tuple(range(len(extra), len(shape)))).astype(np.complex64)
            assert x.shape == half
            d_y = cp.empty(shape, dtype=cp.float32)
            cufft.exec_c2r(handle, cp.asarray(x).data.ptr, d_y.data.ptr)
            got = cp.asnumpy(d_y) / np.prod(dims)
            assert _rel_err(got, want) <= 1e-5, dims
        finally:
            cufft.destroy(handle)


@gpu
def test_make_plan_many_with_addresses_and_strides(cp, plan):
    # Every other element of each row, rows 2 * n apart; arrays given by address.
    rng = np.random.default_rng()
    batch, n = 5, 64
    x = _complex(rng, (batch, 2 * n))
    dims = np.array([n], dtype=np.int32)
    embed = np.array([2 * n], dtype=np.int32)
    layout = (dims.ctypes.data, embed.ctypes.data, 2, 2 * n, dims.ctypes.data, 1, n, cufft.Type.C2C, batch)
    needed = cufft.get_size_many(plan, 1, *layout)
    work = cufft.make_plan_many(plan, 1, *layout)
    assert needed >= 0 and work == cufft.get_size(plan)
    d_y = cp.empty((batch, n), dtype=cp.complex64)
    cufft.exec_c2c(plan, cp.asarray(x).data.ptr, d_y.data.ptr, cufft.Direction.FORWARD)
    assert _rel_err(cp.asnumpy(d_y), np.fft.fft(x[:, ::2], axis=-1)) <= 1e-5


@gpu
def test_make_plan_many64_and_exec_z2d_with_a_work_area(cp, plan):
    rng = np.random.default_rng()
    batch, n = 3, 4099  # a prime length: a work area is needed
    want = rng.standard_normal((batch, n))
    x = np.fft.rfft(want, axis=-1)
    dims = np.array([n], dtype=np.int64)
    cufft.set_auto_allocation(plan, auto_allocate=0)
    needed = cufft.get_size_many64(plan, 1, dims.ctypes.data, None, 1, n // 2 + 1, None, 1, n, cufft.Type.Z2D, batch)
    work = cufft.make_plan_many64(plan, 1, [n], None, 1, n // 2 + 1, None, 1, n, cufft.Type.Z2D, batch)
    assert needed >= 0 and work > 0
    area = cp.empty(work, dtype=cp.uint8)
    cufft.set_work_area(plan, work_area=area.data.ptr)
    d_y = cp.empty((batch, n), dtype=cp.float64)
    cufft.exec_z2d(plan, cp.asarray(x).data.ptr, d_y.data.ptr)
    assert _rel_err(cp.asnumpy(d_y) / n, want) <= 1e-10


@gpu
def test_plan_properties_by_keyword(plan):
    prop = cufft.Property.PATIENT_JIT
    cufft.set_plan_property_int64(plan=plan, property=prop, input_value_int=1)
    assert cufft.get_plan_property_int64(plan, prop) == 1
    cufft.reset_plan_property(plan, prop)
    assert cufft.get_plan_property_int64(plan, prop) == 0


@gpu
def test_estimate_many_and_version():
    assert cufft.estimate_many(2, [16, 16], None, 1, 256, None, 1, 256, cufft.Type.C2C, 4) >= 0
    version = cufft.get_version()
    assert version == sum(cufft.get_property(p) * s for p, s in zip(cufft.LibraryProperty, (1000, 100, 1)))


@gpu
def test_xt_descriptor_round_trip_on_one_gpu(plan):
    # A one-GPU descriptor: host -> descriptor, transform in place, descriptor -> host.
    rng = np.random.default_rng()
    n = 1 << 12
    x = _complex(rng, n)
    cufft.make_plan1d(plan, n, cufft.Type.C2C, 1)
    y = np.empty_like(x)
    try:
        desc = cufft.xt_malloc(plan, cufft.XtSubFormat.FORMAT_INPLACE)
        try:
            assert desc != 0
            cufft.xt_memcpy(plan, desc, x.ctypes.data, cufft.XtCopyType.HOST_TO_DEVICE)
            cufft.xt_exec_descriptor_c2c(plan, desc, desc, cufft.Direction.FORWARD)
            cufft.xt_memcpy(plan, y.ctypes.data, desc, cufft.XtCopyType.DEVICE_TO_HOST)
        finally:
            cufft.xt_free(desc)
    except cufft.cuFFTError as exc:
        # Descriptors are meant for plans over several GPUs; a cuFFT may refuse one-GPU plans.
        pytest.skip(f"cuFFT refuses descriptors of a one-GPU plan here: {exc}")
    assert _rel_err(y, np.fft.fft(x)) <= 1e-5
