"""Size query and fetch in one call, over :mod:`nvmath.bindings.mathdx` (internal).

libmathdx returns strings, code and arrays in two steps: ask for the size, then fill a buffer
of that size. These helpers do both and return Python objects; they choose nothing. They are
this package's own conveniences: the public module keeps nvmath-python's names, whose
functions fill a caller's buffer.
"""

from __future__ import annotations

import ctypes
from ctypes import c_size_t

from . import mathdx as _dx


def commondx_get_code_ltoir(code: int) -> bytes:
    """The code's LTO-IR (:func:`commondxGetCodeLTOIRSize` + :func:`commondxGetCodeLTOIR`).

    It starts with the LTO-IR magic ``b"\\xedCN\\x7f"`` with the default code container.
    """
    return _dx.commondxGetCodeLTOIR(code, _dx.commondxGetCodeLTOIRSize(code))


def commondx_get_code_ltoirs(code: int) -> list[bytes]:
    """All the code's LTO-IR chunks (:func:`commondxGetCodeNumLTOIRs` +
    :func:`commondxGetCodeLTOIRs`)."""
    return _dx.commondxGetCodeLTOIRs(code, _dx.commondxGetCodeNumLTOIRs(code))


def commondx_get_code_ptx(code: int) -> str:
    """The code's PTX (:func:`commondxGetCodePTXSize` + :func:`commondxGetCodePTX`)."""
    return _dx.commondxGetCodePTX(code, _dx.commondxGetCodePTXSize(code))


def commondx_get_last_error() -> tuple[_dx.CommondxStatusType | int, str] | None:
    """``(code, text)`` of this thread's last recorded libmathdx error, or None when there is
    none (raises nothing)."""
    size = c_size_t()
    if _dx._raw("commondxGetLastErrorStrSize")(ctypes.byref(size)) != _dx.CommondxStatusType.SUCCESS:
        return None
    return _dx.commondxGetLastErrorStr(size.value)


def commondx_set_code_option_int64s(code: int, option: int, values) -> None:
    """:func:`commondxSetCodeOptionInt64s` with ``count = len(values)``."""
    values = list(values)
    _dx.commondxSetCodeOptionInt64s(code, option, len(values), values)


def commondx_set_code_option_strs(code: int, option: int, values) -> None:
    """:func:`commondxSetCodeOptionStrs` with ``count = len(values)``."""
    values = list(values)
    _dx.commondxSetCodeOptionStrs(code, option, len(values), values)


def cufftdx_set_operator_int64s(handle: int, op: int, values) -> None:
    """:func:`cufftdxSetOperatorInt64s` with ``count = len(values)``."""
    values = list(values)
    _dx.cufftdxSetOperatorInt64s(handle, op, len(values), values)


def cufftdx_set_option_strs(handle: int, opt: int, values) -> None:
    """:func:`cufftdxSetOptionStrs` with ``count = len(values)``."""
    values = list(values)
    _dx.cufftdxSetOptionStrs(handle, opt, len(values), values)


def cufftdx_get_trait_str(handle: int, trait: int) -> str:
    """A C-string trait (:func:`cufftdxGetTraitStrSize` + :func:`cufftdxGetTraitStr`)."""
    return _dx.cufftdxGetTraitStr(handle, trait, _dx.cufftdxGetTraitStrSize(handle, trait))


def cufftdx_get_trait_int64s(handle: int, trait: int, count: int) -> list[int]:
    """An array trait of ``count`` values (:func:`cufftdxGetTraitInt64s`)."""
    return _dx.cufftdxGetTraitInt64s(handle, trait, count)


def cufftdx_get_knobs(handle: int, knobs) -> list[tuple[int, ...]]:
    """The supported value sets of ``knobs`` (:class:`CufftdxKnobType` s), one tuple of
    ``len(knobs)`` values per set (:func:`cufftdxGetKnobInt64Size` +
    :func:`cufftdxGetKnobInt64s`)."""
    knobs = list(knobs)
    n = len(knobs)
    if n == 0:
        return []
    size = _dx.cufftdxGetKnobInt64Size(handle, n, knobs)
    values = _dx.cufftdxGetKnobInt64s(handle, n, knobs, size)
    return [tuple(values[i : i + n]) for i in range(0, size - size % n, n)]


def cufftdx_get_ltoir(handle: int) -> bytes:
    """The descriptor's LTO-IR (:func:`cufftdxGetLTOIRSize` + :func:`cufftdxGetLTOIR`)."""
    return _dx.cufftdxGetLTOIR(handle, _dx.cufftdxGetLTOIRSize(handle))


def cublasdx_set_operator_int64s(handle: int, op: int, values) -> None:
    """:func:`cublasdxSetOperatorInt64s` with ``count = len(values)``."""
    values = list(values)
    _dx.cublasdxSetOperatorInt64s(handle, op, len(values), values)


def cublasdx_set_option_strs(handle: int, option: int, values) -> None:
    """:func:`cublasdxSetOptionStrs` with ``count = len(values)``."""
    values = list(values)
    _dx.cublasdxSetOptionStrs(handle, option, len(values), values)


def cublasdx_get_trait_str(handle: int, trait: int) -> str:
    """A C-string trait (:func:`cublasdxGetTraitStrSize` + :func:`cublasdxGetTraitStr`)."""
    return _dx.cublasdxGetTraitStr(handle, trait, _dx.cublasdxGetTraitStrSize(handle, trait))


def cublasdx_get_trait_int64s(handle: int, trait: int, count: int) -> list[int]:
    """An array trait of ``count`` values (:func:`cublasdxGetTraitInt64s`)."""
    return _dx.cublasdxGetTraitInt64s(handle, trait, count)


def cublasdx_get_ltoir(handle: int) -> bytes:
    """The descriptor's LTO-IR (:func:`cublasdxGetLTOIRSize` + :func:`cublasdxGetLTOIR`)."""
    return _dx.cublasdxGetLTOIR(handle, _dx.cublasdxGetLTOIRSize(handle))


def cublasdx_get_tensor_trait_str(tensor: int, trait: int) -> str:
    """A C-string tensor trait (size query + :func:`cublasdxGetTensorTraitStr`)."""
    return _dx.cublasdxGetTensorTraitStr(tensor, trait, _dx.cublasdxGetTensorTraitStrSize(tensor, trait))


def cublasdx_get_pipeline_trait_str(pipeline: int, trait: int) -> str:
    """A C-string pipeline trait (size query + :func:`cublasdxGetPipelineTraitStr`)."""
    return _dx.cublasdxGetPipelineTraitStr(pipeline, trait, _dx.cublasdxGetPipelineTraitStrSize(pipeline, trait))


def cublasdx_get_device_function_trait_str(device_function: int, trait: int) -> str:
    """A C-string device function trait (size query +
    :func:`cublasdxGetDeviceFunctionTraitStr`)."""
    return _dx.cublasdxGetDeviceFunctionTraitStr(
        device_function, trait, _dx.cublasdxGetDeviceFunctionTraitStrSize(device_function, trait)
    )


def curanddx_get_trait_str(handle: int, trait: int) -> str:
    """A C-string trait (:func:`curanddxGetTraitStrSize` + :func:`curanddxGetTraitStr`)."""
    return _dx.curanddxGetTraitStr(handle, trait, _dx.curanddxGetTraitStrSize(handle, trait))


def cusolverdx_set_operator_int64s(handle: int, op: int, values) -> None:
    """:func:`cusolverdxSetOperatorInt64s` with ``count = len(values)``."""
    values = list(values)
    _dx.cusolverdxSetOperatorInt64s(handle, op, len(values), values)


def cusolverdx_get_trait_str(handle: int, trait: int) -> str:
    """A C-string trait (:func:`cusolverdxGetTraitStrSize` + :func:`cusolverdxGetTraitStr`)."""
    return _dx.cusolverdxGetTraitStr(handle, trait, _dx.cusolverdxGetTraitStrSize(handle, trait))


def cusolverdx_get_ltoir(handle: int) -> bytes:
    """The descriptor's LTO-IR (:func:`cusolverdxGetLTOIRSize` + :func:`cusolverdxGetLTOIR`)."""
    return _dx.cusolverdxGetLTOIR(handle, _dx.cusolverdxGetLTOIRSize(handle))


def cusolverdx_get_universal_fatbin(handle: int) -> bytes:
    """cuSOLVERDx's universal fatbin (size query + :func:`cusolverdxGetUniversalFATBIN`)."""
    return _dx.cusolverdxGetUniversalFATBIN(handle, _dx.cusolverdxGetUniversalFATBINSize(handle))


def nvcompdx_set_operator_int64s(handle: int, op: int, values) -> None:
    """:func:`nvcompdxSetOperatorInt64s` with ``count = len(values)``."""
    values = list(values)
    _dx.nvcompdxSetOperatorInt64s(handle, op, len(values), values)


def nvcompdx_get_trait_str(handle: int, trait: int) -> str:
    """A C-string trait (:func:`nvcompdxGetTraitStrSize` + :func:`nvcompdxGetTraitStr`)."""
    return _dx.nvcompdxGetTraitStr(handle, trait, _dx.nvcompdxGetTraitStrSize(handle, trait))


def nvcompdx_get_ltoir(handle: int) -> bytes:
    """The descriptor's LTO-IR (:func:`nvcompdxGetLTOIRSize` + :func:`nvcompdxGetLTOIR`)."""
    return _dx.nvcompdxGetLTOIR(handle, _dx.nvcompdxGetLTOIRSize(handle))


def nvcompdx_get_universal_fatbin(handle: int) -> bytes:
    """nvCOMPDx's universal fatbin (size query + :func:`nvcompdxGetUniversalFATBIN`)."""
    return _dx.nvcompdxGetUniversalFATBIN(handle, _dx.nvcompdxGetUniversalFATBINSize(handle))
