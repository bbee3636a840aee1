"""nvmath.bindings.mathdx: enums and prototypes against the installed headers, errors and
argument conversion on any machine; with libmathdx (no GPU needed): versions, a cuFFTDx
512-point block FFT and a cuBLASDx 32x32x32 GEMM (traits, LTO-IR, linked with a C++ kernel
that calls the generated function), and errors naming the function."""

import ctypes
import pathlib
import pickle
import re
import subprocess
import sys

import pytest

from nvmath.bindings import _mathdx_fetch as mathdx_fetch
from nvmath.bindings import mathdx
from nvmath.bindings._loader import LibraryNotFoundError, NvidiaLibrary
from tests.libraries import library_error, needs

LTOIR_MAGIC = b"\xedCN\x7f"
FATBIN_MAGIC = b"\x50\xed\x55\xba"
HEADERS = [
    "libmathdx.h",
    "libcommondx.h",
    "libcufftdx.h",
    "libcublasdx.h",
    "libcuranddx.h",
    "libcusolverdx.h",
    "libnvcompdx.h",
]


_LIBRARY_ERROR = library_error(mathdx._lib.cdll, (LibraryNotFoundError,))
needs_library = needs("libmathdx (pip install nvidia-libmathdx-cu13)", mathdx._lib.cdll, (LibraryNotFoundError,))


def _include_dir():
    """The installed wheel's include folder (nvidia/cu13/include), or None."""
    candidates = []
    if _LIBRARY_ERROR is None and mathdx._lib.path:
        candidates.append(pathlib.Path(mathdx._lib.path).parent.parent / "include")
    candidates += [pathlib.Path(p) / "nvidia" / "cu13" / "include" for p in sys.path if p]
    for folder in candidates:
        if (folder / "libmathdx.h").is_file():
            return folder
    return None


INCLUDE = _include_dir()
needs_headers = pytest.mark.skipif(INCLUDE is None, reason="the libmathdx headers are not installed")


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _header_enums():
    """{C typedef name: {constant: value}} from the installed headers."""
    enums = {}
    for header in HEADERS:
        text = _strip_comments((INCLUDE / header).read_text())
        for m in re.finditer(r"typedef\s+enum\s+\w+\s*\{(.*?)\}\s*(\w+)\s*;", text, re.S):
            body, name = m.groups()
            items = {}
            for part in filter(None, (p.strip() for p in body.split(","))):
                key, value = (s.strip() for s in part.split("="))
                shift = re.fullmatch(r"(\d+)\s*<<\s*(\d+)", value)
                items[key] = int(shift[1]) << int(shift[2]) if shift else int(value, 0)
            enums[name] = items
    return enums


def _header_functions():
    """{C name: (return type, [argument declarations])} from the installed headers."""
    functions = {}
    for header in HEADERS:
        text = _strip_comments((INCLUDE / header).read_text())
        for m in re.finditer(
            r"LIBMATHDX_API\s+([\w\s*]+?)\s+LIBMATHDX_CALL\s+(\w+)\s*\((.*?)\)\s*"
            r"LIBMATHDX_API_NOEXCEPT",
            text,
            re.S,
        ):
            restype, name, args = m.groups()
            args = [" ".join(a.split()) for a in args.split(",") if a.strip()]
            functions[name] = (" ".join(restype.split()), args)
    return functions


# -- enums -----------------------------------------------------------------------------------


def test_enum_values_checked_table():
    # Checked by hand against the libmathdx 0.4.1 headers and the 0.4.2 additions.
    assert {s.name: s.value for s in mathdx.CommondxStatusType} == {
        "SUCCESS": 0,
        "INVALID_VALUE": 1,
        "INTERNAL_ERROR": 2,
        "COMPILATION_ERROR": 3,
        "CUFFT_ERROR": 4,
        "FILE_ERROR": 5,
    }
    V = mathdx.CommondxValueType
    assert (V.R_32F, V.C_32F, V.R_64F, V.C_64F, V.R_16F, V.C_64UI) == (12, 13, 14, 15, 7, 31)
    assert len(mathdx.CommondxValueType) == 32
    assert (
        mathdx.CommondxPrecision.F16,
        mathdx.CommondxPrecision.F32,
        mathdx.CommondxPrecision.F64,
        mathdx.CommondxPrecision.UI64,
    ) == (3, 5, 6, 14)
    assert [o.name for o in mathdx.CommondxOption] == [
        "SYMBOL_NAME",
        "TARGET_SM",
        "CODE_CONTAINER",
        "CODE_ISA",
        "EXTRA_NVRTC_ARGS",
        "TARGET_CODE",
    ]
    assert list(mathdx.CommondxOption) == list(range(6))
    assert [(c.name, c.value) for c in mathdx.CommondxCodeContainer] == [("LTOIR", 0), ("FATBIN", 1), ("PTX", 2)]
    assert [(c.name, c.value) for c in mathdx.CommondxCodeType] == [("LTO", 0), ("PTX", 1)]
    assert [(e.name, e.value) for e in mathdx.CommondxExecution] == [("THREAD", 0), ("BLOCK", 1), ("WARP", 2)]
    assert (mathdx.CufftdxApi.LMEM, mathdx.CufftdxApi.SMEM) == (0, 1)
    assert (mathdx.CufftdxType.C2C, mathdx.CufftdxType.R2C, mathdx.CufftdxType.C2R) == (0, 1, 2)
    assert (mathdx.CufftdxDirection.FORWARD, mathdx.CufftdxDirection.INVERSE) == (0, 1)
    assert {o.name: o.value for o in mathdx.CufftdxOperatorType} == {
        "SIZE": 0,
        "DIRECTION": 1,
        "TYPE": 2,
        "PRECISION": 3,
        "SM": 4,
        "EXECUTION": 5,
        "FFTS_PER_BLOCK": 6,
        "ELEMENTS_PER_THREAD": 7,
        "BLOCK_DIM": 8,
        "REAL_FFT_OPTIONS": 9,
        "API": 10,
        "CODE_TYPE": 11,
        "FUNCTION_ABI": 12,  # 12-16: libmathdx 0.4.2
        "THREAD_LINEARIZATION": 13,
        "TRANSPOSITION": 14,
        "THREAD_LAYOUT": 15,
        "DEVICE_FUNCTION": 16,
    }
    assert {t.name: t.value for t in mathdx.CufftdxTraitType} == {
        "VALUE_TYPE": 0,
        "INPUT_TYPE": 1,
        "OUTPUT_TYPE": 2,
        "IMPLICIT_TYPE_BATCHING": 3,
        "ELEMENTS_PER_THREAD": 4,
        "STORAGE_SIZE": 5,
        "STRIDE": 6,
        "BLOCK_DIM": 7,
        "SHARED_MEMORY_SIZE": 8,
        "FFTS_PER_BLOCK": 9,
        "SYMBOL_NAME": 10,
        "INPUT_LENGTH": 11,
        "OUTPUT_LENGTH": 12,
        "INPUT_ELEMENTS_PER_THREAD": 13,
        "OUTPUT_ELEMENTS_PER_THREAD": 14,
        "SUGGESTED_FFTS_PER_BLOCK": 15,
        "SYMBOL_EXECUTE_NAME": 16,  # 16-19: libmathdx 0.4.2
        "SYMBOL_FFT_ID_NAME": 17,
        "SYMBOL_BATCH_ID_NAME": 18,
        "SYMBOL_IS_THREAD_ACTIVE_NAME": 19,
    }
    assert [(k.name, k.value) for k in mathdx.CufftdxKnobType] == [
        ("ELEMENTS_PER_THREAD", 0),
        ("FFTS_PER_BLOCK", 1),
        ("TRANSPOSITION", 2),
    ]
    assert {o.name: o.value for o in mathdx.CublasdxOperatorType} == {
        "FUNCTION": 0,
        "SIZE": 1,
        "TYPE": 2,
        "PRECISION": 3,
        "SM": 4,
        "EXECUTION": 5,
        "BLOCK_DIM": 6,
        "LEADING_DIMENSION": 7,
        "TRANSPOSE_MODE": 8,
        "API": 9,
        "ARRANGEMENT": 10,
        "ALIGNMENT": 11,
        "STATIC_BLOCK_DIM": 12,
        "ENABLE_INPUT_STREAMING": 13,
        "WITH_PIPELINE": 14,
        "SIDE": 15,  # 15-17: libmathdx 0.4.2 (TRSM)
        "FILL_MODE": 16,
        "DIAG": 17,
    }
    assert {t.name: t.value for t in mathdx.CublasdxTraitType} == {
        "VALUE_TYPE": 0,
        "SIZE": 1,
        "BLOCK_SIZE": 2,
        "BLOCK_DIM": 3,
        "LEADING_DIMENSION": 4,
        "SYMBOL_NAME": 5,
        "ARRANGEMENT": 6,
        "ALIGNMENT": 7,
        "SUGGESTED_LEADING_DIMENSION": 8,
        "SUGGESTED_BLOCK_DIM": 9,
        "MAX_THREADS_PER_BLOCK": 10,
    }
    assert [(a.name, a.value) for a in mathdx.CublasdxApi] == [("SMEM", 0), ("SMEM_DYNAMIC_LD", 1), ("TENSORS", 2)]
    assert (mathdx.CublasdxArrangement.COL_MAJOR, mathdx.CublasdxArrangement.ROW_MAJOR) == (0, 1)
    assert mathdx.CublasdxFunction.MM == 0 and mathdx.CublasdxDeviceFunctionTrait.SYMBOL == 1
    # Gaps and bit flags are kept as in the headers.
    assert [t.value for t in mathdx.CublasdxTensorTrait] == [0, 1, 2, 4, 5, 6]
    legacy = mathdx._NOT_IN_HEADERS[mathdx.CusolverdxTraitType]
    assert [t.value for t in mathdx.CusolverdxTraitType if t.name not in legacy] == [2, 3, 5, 6, 12]
    flags = mathdx.CuranddxDeviceFunctionType
    assert [f.value for f in flags] == [2, 4, 8, 16, 32, 64]
    assert int(flags.GENERATE | flags.INIT_STATE) == 6
    assert (mathdx.LIBMATHDX_RUNTIME, mathdx.LIBMATHDX_NONE) == (-(2**63), -(2**63))


def _python_enums():
    """{C typedef name: the binding's class} for every enum the binding declares."""
    return {cls.__name__[0].lower() + cls.__name__[1:]: cls for cls in mathdx._C_PREFIX}


@needs_headers
def test_enums_match_the_installed_headers():
    # Patch releases add enums and constants (0.4.1 -> 0.4.2: 12 enums, 30 constants); what the
    # binding declares must exist in the installed headers with the same values, except the
    # members kept only for nvmath-python's names.
    header = _header_enums()
    for c_name, cls in _python_enums().items():
        assert c_name in header, f"{c_name} is declared but not in the installed headers"
        prefix = mathdx._C_PREFIX[cls]
        legacy = mathdx._NOT_IN_HEADERS.get(cls, set())
        ours = {prefix + m.name: m.value for m in cls if m.name not in legacy}
        assert not any(prefix + name in header[c_name] for name in legacy), c_name
        assert {k: header[c_name].get(k) for k in ours} == ours, c_name
        assert cls.__name__ in mathdx.__all__


_CTYPES = {
    "int*": "_int_p",
    "size_t*": "_size_p",
    "void*": "c_void_p",
    "void**": "_void_pp",
    "char*": "c_char_p",
    "char**": "_str_p",
    "size_t": "c_size_t",
    "int": "c_int",
    "long long int": "_ll",
    "long long int*": "_ll_p",
}


def _expected_ctype(declaration, handles):
    """The ctypes name a C argument declaration must be declared with."""
    words = declaration.replace("*", " * ").replace("const ", "").split()
    if words[-1] != "*":
        words = words[:-1]  # the parameter name
    base = " ".join(w for w in words if w != "*")
    stars = "*" * words.count("*")
    if base in handles:
        base = "long long int"  # every handle is a long long int
    elif base not in {"int", "size_t", "long long int", "void", "char"}:
        base = "int"  # the other named types are enums
    return _CTYPES[f"{base}{stars}"]


@needs_headers
def test_prototypes_match_the_installed_headers():
    # Every declared function is in the installed headers with the same prototype; newer
    # headers may have more (bound when the code needs them).
    functions = _header_functions()
    declared = mathdx._lib._prototypes
    assert set(declared) <= set(functions), sorted(set(declared) - set(functions))
    handles = {
        "commondxCode",
        "cufftdxDescriptor",
        "cublasdxDescriptor",
        "cublasdxTensor",
        "cublasdxDeviceFunction",
        "cublasdxPipeline",
        "curanddxDescriptor",
        "cusolverdxDescriptor",
        "nvcompdxDescriptor",
    }
    names = {
        value: key
        for key, value in vars(mathdx).items()
        if key in {"_ll", "_ll_p", "_int_p", "_size_p", "_str_p", "_void_pp"}
    }
    names.update(
        {ctypes.c_int: "c_int", ctypes.c_size_t: "c_size_t", ctypes.c_void_p: "c_void_p", ctypes.c_char_p: "c_char_p"}
    )
    for c_name, (got_restype, got_args) in declared.items():
        restype, args = functions[c_name]
        if restype == "const char*":
            assert got_restype is ctypes.c_char_p and c_name in mathdx._UNCHECKED, c_name
        else:
            assert restype == "commondxStatusType" and got_restype is ctypes.c_int, c_name
            assert c_name not in mathdx._UNCHECKED
        expected = [_expected_ctype(a, handles) for a in args]
        assert [names[t] for t in got_args] == expected, c_name
        # Each C function has a Python function of the same name.
        assert callable(getattr(mathdx, c_name)) and c_name in mathdx.__all__


# -- import, errors, argument conversion -----------------------------------------------------


def test_import_loads_no_library_and_no_heavy_package():
    code = (
        "import sys, nvmath.bindings.mathdx as m\n"
        "heavy = [x for x in ('numba', 'cupy', 'torch', 'cuda.pathfinder')\n"
        "         if x in sys.modules]\n"
        "maps = open('/proc/self/maps').read() if sys.platform.startswith('linux') else ''\n"
        "print(','.join(heavy), m._lib.loaded, 'libmathdx' in maps, 'libnvrtc' in maps)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"], out.stdout


@needs_library
def test_libmathdx_symbols_stay_out_of_the_global_scope():
    # libmathdx 0.4 exports the libstdc++ it links statically: loaded globally, PyTorch imported
    # afterwards bound to it and aborted ("free(): invalid pointer").
    import ctypes

    mathdx.mathdxGetVersionEx()
    process = ctypes.CDLL(None)
    with pytest.raises(AttributeError):
        process.mathdxGetVersionEx  # noqa: B018 - the lookup is the test
    code = (
        "import nvmath.bindings.mathdx as m; m.mathdxGetVersionEx()\n"
        "import nvmath.fft._cpu_compile\n"
        "import torch; print('ok')"
    )
    try:
        import importlib.util

        has_torch = importlib.util.find_spec("torch") is not None
    except ValueError:
        has_torch = False
    if has_torch:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_error_message_status_and_function():
    err = mathdx.MathDxError("cufftdxSetOperatorInt64", 1)
    assert str(err) == "cufftdxSetOperatorInt64 failed: COMMONDX_INVALID_VALUE (1)"
    assert err.status is mathdx.CommondxStatusType.INVALID_VALUE
    assert err.function == "cufftdxSetOperatorInt64" and err.detail is None
    unknown = mathdx.MathDxError("cufftdxFinalizeCode", 42)
    assert str(unknown) == "cufftdxFinalizeCode failed: unknown commondxStatusType (42)"
    assert unknown.status == 42 and not isinstance(unknown.status, mathdx.CommondxStatusType)


def test_error_detail_is_appended_truncated_and_pickled():
    err = mathdx.MathDxError("cublasdxFinalizeCode", 3, "x.cu(1): error: boom")
    assert str(err) == ("cublasdxFinalizeCode failed: COMMONDX_COMPILATION_ERROR (3)\nx.cu(1): error: boom")
    again = pickle.loads(pickle.dumps(err))
    assert (again.function, again.status, again.detail, str(again)) == (err.function, err.status, err.detail, str(err))
    long = mathdx.MathDxError("f", 3, "y" * (mathdx._MAX_DETAIL_IN_MESSAGE + 10))
    assert len(long.detail) == mathdx._MAX_DETAIL_IN_MESSAGE + 10
    total = mathdx._MAX_DETAIL_IN_MESSAGE + 10
    assert str(long).endswith(f"({total} characters in all: see .detail)")


def test_check_passes_success_and_strings(monkeypatch):
    monkeypatch.setattr(mathdx, "_last_error_detail", lambda status: None)
    assert mathdx._check("cufftdxCreateDescriptor", 0) == 0
    assert mathdx._check("cufftdxApiToStr", b"LMEM") == b"LMEM"  # *ToStr: not a status
    with pytest.raises(
        mathdx.MathDxError,
        match=r"^commondxCreateCode failed: "
        r"COMMONDX_INTERNAL_ERROR \(2\)$",
    ):
        mathdx._check("commondxCreateCode", 2)


def test_array_conversion():
    count, arr = mathdx._int64_array((32, 64, 2**40), 3, "array")
    assert count == 3 and arr._type_ is ctypes.c_longlong and list(arr) == [32, 64, 2**40]
    assert mathdx._int64_array([], 0, "array") == (0, None)
    with pytest.raises(ValueError, match="array has 2 elements; count=3 needs at least 3"):
        mathdx._int64_array([1, 2], 3, "array")
    with pytest.raises(TypeError, match=r"array\[1\]=2.5 is not supported; accepted: an int"):
        mathdx._int64_array([1, 2.5], 2, "array")
    with pytest.raises(TypeError, match="sequence of ints"):
        mathdx._int64_array(b"ab", 2, "array")
    count, strs = mathdx._str_array(["-DA=1", b"-O3"], 2, "values")
    assert count == 2 and [strs[0], strs[1]] == [b"-DA=1", b"-O3"]
    with pytest.raises(TypeError, match="not a single string"):
        mathdx._str_array("-O3", 3, "values")
    with pytest.raises(ValueError, match="NUL"):
        mathdx._encode("a\0b", "value")
    with pytest.raises(TypeError, match="handle=1.0 is not supported; accepted: an int"):
        mathdx._integer(1.0, "handle")
    with pytest.raises(TypeError, match="handle=True is not supported; accepted: an int"):
        mathdx._integer(True, "handle")


def test_calls_name_the_package_when_the_library_is_missing(monkeypatch):
    bogus = NvidiaLibrary(
        "nvmath-test-no-mathdx",
        display_name="libmathdx",
        package="nvidia-libmathdx-cu13",
        extra="dx",
        check=mathdx._check,
    )
    for name, (restype, argtypes) in mathdx._lib._prototypes.items():
        bogus.declare(name, restype, argtypes)
    monkeypatch.setattr(mathdx, "_lib", bogus)
    with pytest.raises(
        LibraryNotFoundError, match=r"libmathdx.*pip install nvidia-libmathdx-cu13.*nvmath-fusion\[dx\]"
    ):
        mathdx.mathdxGetVersion()
    with pytest.raises(LibraryNotFoundError) as info:
        mathdx.cufftdxCreateDescriptor()
    assert info.value.package == "nvidia-libmathdx-cu13"


# -- with the library (no GPU needed) --------------------------------------------------------


@needs_library
def test_versions():
    major, minor, patch = mathdx.mathdxGetVersionEx()
    assert (major, minor) == (0, 4)
    assert mathdx.mathdxGetVersion() == 1000 * major + 100 * minor + patch
    assert mathdx._lib.version_text() == f"{major}.{minor}.{patch}"
    assert re.fullmatch(r"[0-9a-f]{40}", mathdx.mathdxGetCommit())
    assert mathdx.mathdxGetPackageVersion()[0] >= 25  # calver year
    assert mathdx.cufftdxGetVersion()[:2] >= (1, 7)
    assert mathdx.cublasdxGetVersion()[:2] >= (0, 6)
    assert all(
        isinstance(v, int)
        for f in (mathdx.curanddxGetVersion, mathdx.cusolverdxGetVersion, mathdx.nvcompdxGetVersion)
        for v in f()
    )
    assert "mathdx" in mathdx._lib.path


@needs_library
def test_to_str_functions():
    assert "invalid" in mathdx.commondxStatusToStr(mathdx.CommondxStatusType.INVALID_VALUE).lower()
    assert mathdx.commondxStatusToStr(0) != mathdx.commondxStatusToStr(3)
    for fn, enum_cls in [
        (mathdx.cufftdxTraitTypeToStr, mathdx.CufftdxTraitType),
        (mathdx.cublasdxOperatorTypeToStr, mathdx.CublasdxOperatorType),
        (mathdx.commondxValueTypeToStr, mathdx.CommondxValueType),
    ]:
        texts = [fn(member) for member in enum_cls]
        assert all(texts) and len(set(texts)) == len(texts)


# The FFT of the tests: 512-point complex-to-complex float32 forward, block execution, LMEM
# API (data in registers, shared memory as scratch), for SM 9.0.
FFT_OPERATORS = [
    (mathdx.CufftdxOperatorType.SIZE, 512),
    (mathdx.CufftdxOperatorType.DIRECTION, mathdx.CufftdxDirection.FORWARD),
    (mathdx.CufftdxOperatorType.TYPE, mathdx.CufftdxType.C2C),
    (mathdx.CufftdxOperatorType.PRECISION, mathdx.CommondxPrecision.F32),
    (mathdx.CufftdxOperatorType.EXECUTION, mathdx.CommondxExecution.BLOCK),
    (mathdx.CufftdxOperatorType.API, mathdx.CufftdxApi.LMEM),
    (mathdx.CufftdxOperatorType.SM, 900),
]


def _fft_descriptor(**changes):
    ops = {op.name: value for op, value in FFT_OPERATORS}
    ops.update(changes)
    handle = mathdx.cufftdxCreateDescriptor()
    for name, value in ops.items():
        mathdx.cufftdxSetOperatorInt64(handle, mathdx.CufftdxOperatorType[name], value)
    return handle


@pytest.fixture(scope="module")
def fft():
    handle = _fft_descriptor()
    yield handle
    mathdx.cufftdxDestroyDescriptor(handle)


@pytest.fixture(scope="module")
def fft_code(fft):
    code = mathdx.commondxCreateCode()
    mathdx.commondxSetCodeOptionInt64(code, mathdx.CommondxOption.TARGET_SM, 900)
    mathdx.cufftdxFinalizeCode(code, fft)
    yield code
    mathdx.commondxDestroyCode(code)


@needs_library
def test_fft_traits(fft):
    T = mathdx.CufftdxTraitType
    assert mathdx.cufftdxIsSupported(fft) != 0
    block_dim = mathdx_fetch.cufftdx_get_trait_int64s(fft, T.BLOCK_DIM, 3)
    threads = block_dim[0] * block_dim[1] * block_dim[2]
    assert threads > 0 and all(d >= 1 for d in block_dim)
    ept = mathdx.cufftdxGetTraitInt64(fft, T.ELEMENTS_PER_THREAD)
    storage = mathdx.cufftdxGetTraitInt64(fft, T.STORAGE_SIZE)
    stride = mathdx.cufftdxGetTraitInt64(fft, T.STRIDE)
    ffts = mathdx.cufftdxGetTraitInt64(fft, T.FFTS_PER_BLOCK)
    assert ffts == 1 and ept * stride == 512 and storage >= ept
    assert storage * threads >= 512 * ffts
    shared = mathdx.cufftdxGetTraitInt64(fft, T.SHARED_MEMORY_SIZE)
    assert shared > 0 and shared % 8 == 0  # bytes, of complex float32 values
    assert mathdx.cufftdxGetTraitInt64(fft, T.INPUT_LENGTH) == 512
    assert mathdx.cufftdxGetTraitInt64(fft, T.OUTPUT_LENGTH) == 512
    assert mathdx.cufftdxGetTraitInt64(fft, T.SUGGESTED_FFTS_PER_BLOCK) >= 1
    for trait in (T.VALUE_TYPE, T.INPUT_TYPE, T.OUTPUT_TYPE):
        assert mathdx.cufftdxGetTraitCommondxDataType(fft, trait) is mathdx.CommondxValueType.C_32F
    symbol = mathdx_fetch.cufftdx_get_trait_str(fft, T.SYMBOL_NAME)
    assert re.fullmatch(r"[A-Za-z_]\w*", symbol)
    assert mathdx.cufftdxGetTraitStrSize(fft, T.SYMBOL_NAME) == len(symbol) + 1


@needs_library
def test_fft_symbol_is_a_function_of_the_operators(fft):
    symbol = mathdx_fetch.cufftdx_get_trait_str(fft, mathdx.CufftdxTraitType.SYMBOL_NAME)
    same, other = _fft_descriptor(), _fft_descriptor(SIZE=256)
    try:
        assert mathdx_fetch.cufftdx_get_trait_str(same, mathdx.CufftdxTraitType.SYMBOL_NAME) == symbol
        assert mathdx_fetch.cufftdx_get_trait_str(other, mathdx.CufftdxTraitType.SYMBOL_NAME) != symbol
    finally:
        mathdx.cufftdxDestroyDescriptor(same)
        mathdx.cufftdxDestroyDescriptor(other)


@needs_library
def test_fft_knobs(fft):
    K, T = mathdx.CufftdxKnobType, mathdx.CufftdxTraitType
    ept_sets = mathdx_fetch.cufftdx_get_knobs(fft, [K.ELEMENTS_PER_THREAD])
    assert ept_sets and all(len(s) == 1 for s in ept_sets)
    assert (mathdx.cufftdxGetTraitInt64(fft, T.ELEMENTS_PER_THREAD),) in ept_sets
    pairs = mathdx_fetch.cufftdx_get_knobs(fft, [K.ELEMENTS_PER_THREAD, K.FFTS_PER_BLOCK])
    # Each pair's elements per thread is one of the suggested ones (0.4.1 gives one pair per
    # value, 0.4.2 several).
    assert pairs and all(len(p) == 2 and p[1] >= 1 for p in pairs)
    assert {p[0] for p in pairs} <= {e for (e,) in ept_sets}
    # The raw pair: the size is the number of values, which come set after set.
    size = mathdx.cufftdxGetKnobInt64Size(fft, 2, [K.ELEMENTS_PER_THREAD, K.FFTS_PER_BLOCK])
    flat = mathdx.cufftdxGetKnobInt64s(fft, 2, [K.ELEMENTS_PER_THREAD, K.FFTS_PER_BLOCK], size)
    assert size == 2 * len(pairs) and [tuple(flat[i : i + 2]) for i in range(0, size, 2)] == pairs
    # Another suggested elements-per-thread changes the block shape accordingly.
    default = mathdx.cufftdxGetTraitInt64(fft, T.ELEMENTS_PER_THREAD)
    ept = next(e for (e,) in ept_sets if e != default)
    other = _fft_descriptor(ELEMENTS_PER_THREAD=ept)
    try:
        assert mathdx.cufftdxGetTraitInt64(other, T.ELEMENTS_PER_THREAD) == ept
        assert mathdx_fetch.cufftdx_get_trait_int64s(other, T.BLOCK_DIM, 3)[0] == 512 // ept
    finally:
        mathdx.cufftdxDestroyDescriptor(other)


@needs_library
def test_invalid_fft_values_raise_errors_naming_the_function():
    handle = mathdx.cufftdxCreateDescriptor()
    try:
        with pytest.raises(mathdx.MathDxError) as info:
            mathdx.cufftdxSetOperatorInt64(handle, mathdx.CufftdxOperatorType.SIZE, 0)
        assert info.value.function == "cufftdxSetOperatorInt64"
        assert info.value.status is mathdx.CommondxStatusType.INVALID_VALUE
        assert str(info.value) == "cufftdxSetOperatorInt64 failed: COMMONDX_INVALID_VALUE (1)"
        with pytest.raises(ValueError, match="count=3"):  # refused before the call
            mathdx.cufftdxSetOperatorInt64s(handle, mathdx.CufftdxOperatorType.BLOCK_DIM, 3, [64, 1])
    finally:
        mathdx.cufftdxDestroyDescriptor(handle)
    # 3 elements per thread do not divide 512: accepted when set, unsupported when used.
    unsupported = _fft_descriptor(ELEMENTS_PER_THREAD=3)
    try:
        assert mathdx.cufftdxIsSupported(unsupported) == 0
        with pytest.raises(mathdx.MathDxError) as info:
            mathdx.cufftdxGetTraitInt64(unsupported, mathdx.CufftdxTraitType.BLOCK_DIM)
        assert info.value.function == "cufftdxGetTraitInt64"
        assert info.value.status != mathdx.CommondxStatusType.SUCCESS
    finally:
        mathdx.cufftdxDestroyDescriptor(unsupported)
    with pytest.raises(mathdx.MathDxError, match="^cufftdxDestroyDescriptor failed"):
        mathdx.cufftdxDestroyDescriptor(12345)


@needs_library
def test_fft_code_is_ltoir(fft_code):
    ltoir = mathdx_fetch.commondx_get_code_ltoir(fft_code)
    # LTO-IR, not a fatbin: the default container.
    assert ltoir.startswith(LTOIR_MAGIC) and not ltoir.startswith(FATBIN_MAGIC)
    assert len(ltoir) == mathdx.commondxGetCodeLTOIRSize(fft_code) > 1000
    assert mathdx.commondxGetCodeNumLTOIRs(fft_code) == 1
    assert mathdx_fetch.commondx_get_code_ltoirs(fft_code) == [ltoir]
    assert (
        mathdx.commondxGetCodeOptionInt64(fft_code, mathdx.CommondxOption.CODE_CONTAINER)
        == mathdx.CommondxCodeContainer.LTOIR
    )
    isa = mathdx.commondxGetCodeOptionInt64(fft_code, mathdx.CommondxOption.CODE_ISA)
    assert isa >= 12000  # 13050 with NVRTC 13.5
    assert mathdx.commondxGetCodeOptionsInt64s(fft_code, mathdx.CommondxOption.CODE_ISA, 1) == [isa]


FFT_CALLER = r"""
struct __align__(8) complex_f32 { float x, y; };
extern "C" __device__ void SYMBOL(complex_f32* rmem, void* smem);
extern "C" __global__ void __launch_bounds__(THREADS) fft_512(complex_f32* data) {
    extern __shared__ __align__(16) unsigned char smem[];
    complex_f32 thread_data[STORAGE];
    for (int i = 0; i < EPT; ++i) thread_data[i] = data[threadIdx.x + i * STRIDE];
    SYMBOL(thread_data, smem);
    for (int i = 0; i < EPT; ++i) data[threadIdx.x + i * STRIDE] = thread_data[i];
}
"""


@needs_library
def test_fft_ltoir_links_with_a_cpp_kernel_that_calls_it(fft, fft_code):
    from nvmath.jit import compile_cpp, link

    T = mathdx.CufftdxTraitType
    symbol = mathdx_fetch.cufftdx_get_trait_str(fft, T.SYMBOL_NAME)
    source = FFT_CALLER
    for key, value in {
        "SYMBOL": symbol,
        "THREADS": mathdx_fetch.cufftdx_get_trait_int64s(fft, T.BLOCK_DIM, 3)[0],
        "STORAGE": mathdx.cufftdxGetTraitInt64(fft, T.STORAGE_SIZE),
        "EPT": mathdx.cufftdxGetTraitInt64(fft, T.ELEMENTS_PER_THREAD),
        "STRIDE": mathdx.cufftdxGetTraitInt64(fft, T.STRIDE),
    }.items():
        source = source.replace(key, str(value))
    caller = compile_cpp(source, compute_capability="sm_90", output="ltoir")
    ltoir = mathdx_fetch.commondx_get_code_ltoir(fft_code)
    cubin = link([caller, ltoir], compute_capability="sm_90")
    assert cubin.startswith(b"\x7fELF") and b"fft_512" in cubin
    # At -O0 the generated function stays a .func: its parameters are two 64-bit pointers.
    ptx = link([caller, ltoir], compute_capability="sm_90", output="ptx", optimization_level=0).decode()
    func = re.search(rf"\.func\s+{symbol}\((.*?)\)", ptx, re.S)
    assert func, "the generated function is not in the linked PTX"
    assert re.findall(r"\.param\s+\.(\w+)", func.group(1)) == ["b64", "b64"]
    assert re.search(r"\.entry\s+fft_512", ptx)


# The GEMM of the tests: C = alpha A B + beta C, 32x32x32, float32 real, block, shared memory
# API, for SM 9.0.
GEMM_OPERATORS = [
    (mathdx.CublasdxOperatorType.FUNCTION, mathdx.CublasdxFunction.MM),
    (mathdx.CublasdxOperatorType.SIZE, [32, 32, 32]),
    (mathdx.CublasdxOperatorType.TYPE, mathdx.CublasdxType.REAL),
    (mathdx.CublasdxOperatorType.PRECISION, [mathdx.CommondxPrecision.F32] * 3),
    (mathdx.CublasdxOperatorType.EXECUTION, mathdx.CommondxExecution.BLOCK),
    (mathdx.CublasdxOperatorType.API, mathdx.CublasdxApi.SMEM),
    (mathdx.CublasdxOperatorType.SM, 900),
]


def _gemm_descriptor():
    handle = mathdx.cublasdxCreateDescriptor()
    for op, value in GEMM_OPERATORS:
        if isinstance(value, list):
            mathdx_fetch.cublasdx_set_operator_int64s(handle, op, value)
        else:
            mathdx.cublasdxSetOperatorInt64(handle, op, value)
    return handle


def _nvrtc_version():
    try:
        from cuda.bindings import nvrtc

        _, major, minor = nvrtc.nvrtcVersion()
        return f"{major}.{minor}"
    except Exception:
        return "unknown"


@pytest.fixture(scope="module")
def gemm():
    """The GEMM descriptor, its first trait read (which compiles it)."""
    handle = _gemm_descriptor()
    try:
        mathdx.cublasdxGetTraitInt64(handle, mathdx.CublasdxTraitType.MAX_THREADS_PER_BLOCK)
    except mathdx.MathDxError as exc:
        mathdx.cublasdxDestroyDescriptor(handle)
        if exc.status == mathdx.CommondxStatusType.COMPILATION_ERROR and "structured_bindings.h" in (exc.detail or ""):
            pytest.xfail(
                f"libmathdx 0.4.1 (built with CUDA 13.0) cannot compile cuBLASDx with "
                f"NVRTC {_nvrtc_version()}: CuTe includes a CCCL header that NVRTC 13.5 "
                f"no longer has (works with nvidia-cuda-nvrtc 13.0)"
            )
        raise
    yield handle
    mathdx.cublasdxDestroyDescriptor(handle)


@needs_library
def test_gemm_operators_and_invalid_values():
    handle = _gemm_descriptor()  # setting operators compiles nothing
    try:
        with pytest.raises(mathdx.MathDxError) as info:
            mathdx_fetch.cublasdx_set_operator_int64s(handle, mathdx.CublasdxOperatorType.SIZE, [0, 32, 32])
        assert (info.value.function, info.value.status) == (
            "cublasdxSetOperatorInt64s",
            mathdx.CommondxStatusType.INVALID_VALUE,
        )
        with pytest.raises(mathdx.MathDxError, match="^cublasdxSetOperatorInt64 failed"):
            mathdx.cublasdxSetOperatorInt64(handle, mathdx.CublasdxOperatorType.API, 7)
    finally:
        mathdx.cublasdxDestroyDescriptor(handle)


@needs_library
def test_gemm_traits(gemm):
    T = mathdx.CublasdxTraitType
    block_dim = mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.BLOCK_DIM, 3)
    threads = block_dim[0] * block_dim[1] * block_dim[2]
    assert threads > 0
    assert mathdx.cublasdxGetTraitInt64(gemm, T.MAX_THREADS_PER_BLOCK) == threads
    assert mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.SIZE, 3) == [32, 32, 32]
    lda, ldb, ldc = mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.LEADING_DIMENSION, 3)
    assert min(lda, ldb, ldc) >= 32
    suggested = mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.SUGGESTED_LEADING_DIMENSION, 3)
    assert all(ld >= 32 for ld in suggested)
    # cuBLASDx's default arrangement: A row-major, B and C column-major.
    assert mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.ARRANGEMENT, 3) == [
        mathdx.CublasdxArrangement.ROW_MAJOR,
        mathdx.CublasdxArrangement.COL_MAJOR,
        mathdx.CublasdxArrangement.COL_MAJOR,
    ]
    assert all(a >= 4 for a in mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.ALIGNMENT, 3))
    assert mathdx.cublasdxGetTraitCommondxDataTypes(gemm, T.VALUE_TYPE, 3) == [mathdx.CommondxValueType.R_32F] * 3
    symbol = mathdx_fetch.cublasdx_get_trait_str(gemm, T.SYMBOL_NAME)
    assert re.fullmatch(r"[A-Za-z_]\w*", symbol)


GEMM_CALLER = r"""
extern "C" __device__ void SYMBOL(float* alpha, float* a, float* b, float* beta, float* c);
extern "C" __global__ void __launch_bounds__(THREADS)
gemm_32(const float* A, const float* B, float* C) {
    __shared__ __align__(16) float a[LDA * 32], b[LDB * 32], c[LDC * 32];
    for (int i = threadIdx.x; i < LDA * 32; i += THREADS) a[i] = A[i];
    for (int i = threadIdx.x; i < LDB * 32; i += THREADS) b[i] = B[i];
    for (int i = threadIdx.x; i < LDC * 32; i += THREADS) c[i] = 0.f;
    __syncthreads();
    float alpha = 1.f, beta = 0.f;
    SYMBOL(&alpha, a, b, &beta, c);
    __syncthreads();
    for (int i = threadIdx.x; i < LDC * 32; i += THREADS) C[i] = c[i];
}
"""


@needs_library
def test_gemm_ltoir_links_with_a_cpp_kernel_that_calls_it(gemm):
    from nvmath.jit import compile_cpp, link

    T = mathdx.CublasdxTraitType
    code = mathdx.commondxCreateCode()
    try:
        mathdx.commondxSetCodeOptionInt64(code, mathdx.CommondxOption.TARGET_SM, 900)
        mathdx.cublasdxFinalizeCode(code, gemm)
        ltoir = mathdx_fetch.commondx_get_code_ltoir(code)
    finally:
        mathdx.commondxDestroyCode(code)
    assert ltoir.startswith(LTOIR_MAGIC)
    lda, ldb, ldc = mathdx_fetch.cublasdx_get_trait_int64s(gemm, T.LEADING_DIMENSION, 3)
    source = GEMM_CALLER
    for key, value in {
        "SYMBOL": mathdx_fetch.cublasdx_get_trait_str(gemm, T.SYMBOL_NAME),
        "THREADS": mathdx.cublasdxGetTraitInt64(gemm, T.MAX_THREADS_PER_BLOCK),
        "LDA": lda,
        "LDB": ldb,
        "LDC": ldc,
    }.items():
        source = source.replace(key, str(value))
    caller = compile_cpp(source, compute_capability="sm_90", output="ltoir")
    cubin = link([caller, ltoir], compute_capability="sm_90")
    assert cubin.startswith(b"\x7fELF") and b"gemm_32" in cubin


@needs_library
def test_compilation_error_carries_the_nvrtc_log():
    # cuSOLVERDx's Cholesky needs a fill mode: its code fails a static_assert.
    O = mathdx.CusolverdxOperatorType
    handle = mathdx.cusolverdxCreateDescriptor()
    code = mathdx.commondxCreateCode()
    try:
        mathdx_fetch.cusolverdx_set_operator_int64s(handle, O.SIZE, [32, 32])
        for op, value in [
            (O.TYPE, mathdx.CusolverdxType.REAL),
            (O.PRECISION, mathdx.CommondxPrecision.F32),
            (O.SM, 900),
            (O.EXECUTION, mathdx.CommondxExecution.BLOCK),
            (O.API, mathdx.CusolverdxApi.SMEM),
            (O.FUNCTION, mathdx.CusolverdxFunction.POTRF),
        ]:
            mathdx.cusolverdxSetOperatorInt64(handle, op, value)
        mathdx.commondxSetCodeOptionInt64(code, mathdx.CommondxOption.TARGET_SM, 900)
        with pytest.raises(mathdx.MathDxError) as info:
            mathdx.cusolverdxFinalizeCode(code, handle)
    finally:
        mathdx.commondxDestroyCode(code)
        mathdx.cusolverdxDestroyDescriptor(handle)
    err = info.value
    last = mathdx_fetch.commondx_get_last_error()
    if err.status is mathdx.CommondxStatusType.INVALID_VALUE:
        # libmathdx 0.4.2 checks the operators before compiling: no NVRTC log to carry.
        assert err.function == "cusolverdxFinalizeCode" and err.detail is None
        assert str(err) == "cusolverdxFinalizeCode failed: COMMONDX_INVALID_VALUE (1)"
        # The thread's last error is sticky: it may still hold an earlier test's compilation
        # error, which must not have been attached to this one (detail is None above).
        assert last is None or not last[1].strip() or last[0] is mathdx.CommondxStatusType.COMPILATION_ERROR
        return
    # 0.4.0 and 0.4.1 compile it; the static_assert's message comes back in the error.
    assert (err.function, err.status) == ("cusolverdxFinalizeCode", mathdx.CommondxStatusType.COMPILATION_ERROR)
    assert "requires a fill mode" in err.detail
    assert str(err).startswith("cusolverdxFinalizeCode failed: COMMONDX_COMPILATION_ERROR (3)\n")
    assert "requires a fill mode" in str(err)
    assert last[0] is mathdx.CommondxStatusType.COMPILATION_ERROR and last[1].strip() == err.detail


@needs_library
def test_curanddx_traits_and_code():
    O, T = mathdx.CuranddxOperatorType, mathdx.CuranddxTraitType
    F = mathdx.CuranddxDeviceFunctionType
    functions = F.GENERATE | F.INIT_STATE
    handle = mathdx.curanddxCreateDescriptor()
    code = mathdx.commondxCreateCode()
    try:
        for op, value in [
            (O.GENERATOR, mathdx.CuranddxGenerator.PHILOX4_32),
            (O.SM, 900),
            (O.EXECUTION, mathdx.CommondxExecution.THREAD),
            (O.DISTRIBUTION, mathdx.CuranddxDistribution.UNIFORM),
            (O.OUTPUT_TYPE, mathdx.CommondxValueType.R_32F),
            (O.GENERATE_METHOD, mathdx.CuranddxGenerateMethod.QUAD),
            (O.DEVICE_FUNCTIONS, functions),
        ]:
            mathdx.curanddxSetOperatorInt64(handle, op, value)
        assert mathdx.curanddxGetTraitInt64(handle, T.STATE_SIZE) > 0
        alignment = mathdx.curanddxGetTraitInt64(handle, T.STATE_ALIGNMENT)
        assert alignment > 0 and alignment & (alignment - 1) == 0
        generate = mathdx_fetch.curanddx_get_trait_str(handle, T.SYMBOL_GENERATE_NAME)
        init = mathdx_fetch.curanddx_get_trait_str(handle, T.SYMBOL_INIT_STATE_NAME)
        assert generate and init and generate != init
        mathdx.commondxSetCodeOptionInt64(code, mathdx.CommondxOption.TARGET_SM, 900)
        mathdx.curanddxFinalizeCode(code, handle)
        ltoir = mathdx_fetch.commondx_get_code_ltoir(code)
        assert ltoir.startswith(LTOIR_MAGIC) and len(ltoir) > 1000
    finally:
        mathdx.commondxDestroyCode(code)
        mathdx.curanddxDestroyDescriptor(handle)
