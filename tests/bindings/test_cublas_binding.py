"""nvmath.bindings.cublas: enums and argument checks on any machine; the symbols and the version
where the library is installed; a DGEMM and a STRMM against NumPy on a GPU."""

import ctypes

import numpy as np
import pytest

from nvmath.bindings import cublas
from nvmath.bindings._loader import LibraryNotFoundError
from tests.libraries import needs

needs_library = needs("cuBLAS", cublas._lib.cdll, (LibraryNotFoundError,))


def test_enum_values_match_the_header():
    assert [(m.name, m.value) for m in cublas.FillMode] == [("LOWER", 0), ("UPPER", 1), ("FULL", 2)]
    assert [(m.name, m.value) for m in cublas.DiagType] == [("NON_UNIT", 0), ("UNIT", 1)]
    assert [(m.name, m.value) for m in cublas.SideMode] == [("LEFT", 0), ("RIGHT", 1)]
    assert (cublas.Operation.N, cublas.Operation.T, cublas.Operation.C) == (0, 1, 2)
    assert cublas.PointerMode.HOST == 0 and cublas.Status.NOT_SUPPORTED == 15
    assert cublas.ComputeType.COMPUTE_64F == 70


def test_typed_functions_table():
    names = set(cublas.TYPED_FUNCTIONS)
    for family in ("gemm", "gemmStridedBatched", "symm", "trmm", "dgmm", "geam", "scal"):
        for letter in "SDCZ":
            assert f"cublas{letter}{family}" in names
    assert "cublasChemm" in names and "cublasShemm" not in names
    assert cublas.TYPED_FUNCTIONS["cublasDgemm"] == ("cublasDgemm_v2", "gemm")
    assert cublas.TYPED_FUNCTIONS["cublasZdgmm"] == ("cublasZdgmm", "dgmm")
    assert cublas.typed_function("trmm", "complex64") is cublas.cublasCtrmm
    with pytest.raises(ValueError, match="hemm"):
        cublas.typed_function("hemm", "float32")
    with pytest.raises(ValueError, match="float16"):
        cublas.typed_function("gemm", "float16")


def test_arguments_are_checked_before_the_library_is_needed():
    with pytest.raises(TypeError, match="14 arguments"):
        cublas.cublasDgemm(1, 0)
    with pytest.raises(TypeError, match="alpha"):
        cublas.cublasDgemm(1, 0, 0, 2, 2, 2, 1.0, 0, 2, 0, 2, 0, 0, 2)
    with pytest.raises(ValueError, match="32-bit"):
        cublas.cublasDscal(1, 2**31, ctypes.c_double(1), 0, 1)
    with pytest.raises(TypeError, match="handle"):
        cublas.cublasSetStream("h", 0)


def test_error_message_names_function_and_status():
    e = cublas.cuBLASError("cublasSgemm_v2", 7)
    assert "cublasSgemm_v2" in str(e) and "INVALID_VALUE" in str(e) and e.status == cublas.Status.INVALID_VALUE


@needs_library
def test_symbols_and_version():
    for symbol, _ in cublas.TYPED_FUNCTIONS.values():
        assert cublas._lib.has(symbol), symbol
    for symbol in ("cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSetPointerMode_v2"):
        assert cublas._lib.has(symbol), symbol
    assert cublas.cublasGetProperty(cublas.LibraryProperty.MAJOR_VERSION) >= 12
    assert cublas.cublasGetStatusName(7) == "CUBLAS_STATUS_INVALID_VALUE"


@pytest.mark.gpu
def test_dgemm_and_strmm_against_numpy():
    cp = pytest.importorskip("cupy")
    rng = np.random.default_rng()
    m, n, k = 5, 4, 3
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    da, db = cp.asarray(a, order="F"), cp.asarray(b, order="F")
    dc = cp.zeros((m, n), order="F")
    h = cublas.cublasCreate()
    try:
        cublas.cublasSetStream(h, cp.cuda.get_current_stream().ptr)
        one, zero = ctypes.c_double(1), ctypes.c_double(0)
        cublas.cublasDgemm(h, 0, 0, m, n, k, one, da.data.ptr, m, db.data.ptr, k, zero, dc.data.ptr, m)
        assert np.allclose(cp.asnumpy(dc), a @ b, rtol=1e-12)
        t = rng.standard_normal((n, n)).astype(np.float32)
        g = rng.standard_normal((m, n)).astype(np.float32)
        dt, dg = cp.asarray(t, order="F"), cp.asarray(g, order="F")
        out = cp.zeros((m, n), np.float32, order="F")
        cublas.cublasStrmm(
            h, cublas.SideMode.RIGHT, cublas.FillMode.UPPER, 0, cublas.DiagType.NON_UNIT, m, n, ctypes.c_float(2),
            dt.data.ptr, n, dg.data.ptr, m, out.data.ptr, m,
        )  # fmt: skip
        want = 2 * g.astype(np.float64) @ np.triu(t)
        assert np.linalg.norm(cp.asnumpy(out) - want) / np.linalg.norm(want) < 1e-5
    finally:
        cublas.cublasDestroy(h)
