"""How ``numba.cuda.jit`` kernels see an :class:`nvmath.device.Matmul`.

A Matmul captured by a kernel has the Numba type :class:`MatmulType`, which takes no space:
its traits are compile-time constants (``cuda.shared.array(mm.a_dim, dtype=mm.a_value_type)``
works), and ``mm.execute(...)`` / ``mm(...)`` call the cuBLASDx device function through
:func:`nvmath.device.extern_function`, which links the LTO-IR into the kernel. The execution API
follows the arguments: ``(alpha, a, b, beta, c)`` with the leading dimensions of the
description, ``(alpha, a, lda, b, ldb, beta, c, ldc)`` with leading dimensions at run time.
"""

from __future__ import annotations

import numpy as np
from numba.core.errors import TypingError
from numba.cuda import types
from numba.cuda.cudadecl import registry as _typing
from numba.cuda.cudaimpl import registry as _lowering
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.np import numpy_support
from numba.cuda.typing.templates import AttributeTemplate, bound_function, signature

from . import vector_types_numba as _vectors
from .cublasdx import Matmul
from .types import Complex, Vector

__all__ = ["MatmulType"]

_INT_TRAITS = ("a_size", "b_size", "c_size", "max_threads_per_block", "block_size")
_TUPLE_TRAITS = ("a_dim", "b_dim", "c_dim", "leading_dimension", "block_dim", "size", "alignment")
_TYPE_TRAITS = ("a_value_type", "b_value_type", "c_value_type", "value_type", "input_type", "output_type")


class MatmulType(types.Type):
    """The Numba type of one Matmul (Matmuls with the same description share it)."""

    def __init__(self, mm: Matmul):
        self.mm = mm
        super().__init__(name=f"nvmath.device.Matmul({mm._spec.describe()})")


@register_model(MatmulType)
class _NoDataModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [])


@typeof_impl.register(Matmul)
def _typeof_matmul(value, context):
    return MatmulType(value)


@_lowering.lower_constant(MatmulType)
def _matmul_constant(context, builder, ty, value):
    return context.make_helper(builder, ty)._getvalue()


def _numba_type(value):
    """The Numba type of a value type (a face type or a NumPy type)."""
    if isinstance(value, (Complex, Vector)):
        return value._numba_type
    return numpy_support.from_dtype(np.dtype(value))


def _value_types(mm: Matmul) -> tuple:
    return (mm.a_value_type, mm.b_value_type, mm.c_value_type)


def _trait_value(mm: Matmul, attr: str):
    if attr in ("value_type", "input_type"):
        a, b, c = _value_types(mm)
        if not (a == b and (attr == "input_type" or b == c)):
            raise TypingError(
                f"Matmul.{attr} is defined only where the matrices share a value type; use a_value_type..."
            )
        return a
    if attr == "output_type":
        return mm.c_value_type
    if attr == "shared_memory_size":
        return mm.get_shared_storage_size()
    return getattr(mm, attr)


def _trait_type(mm: Matmul, attr: str):
    if attr in _INT_TRAITS or attr == "shared_memory_size":
        return types.IntegerLiteral(int(_trait_value(mm, attr)))
    if attr in _TUPLE_TRAITS:
        value = getattr(mm, attr)
        literals = [types.IntegerLiteral(int(v)) for v in value]
        if hasattr(type(value), "_fields"):
            # LeadingDimension, Alignment, Dim3: named fields (mm.leading_dimension.a) as on the host
            return types.NamedTuple(literals, type(value))
        return types.Tuple(literals)
    if attr in _TYPE_TRAITS:
        return types.NumberClass(_numba_type(_trait_value(mm, attr)))
    return None


@_typing.register_attr
class _MatmulAttributes(AttributeTemplate):
    key = MatmulType

    def generic_resolve(self, typ, attr):
        return _trait_type(typ.mm, attr)


@_lowering.lower_getattr_generic(MatmulType)
def _matmul_attribute(context, builder, typ, value, attr):
    ty = _trait_type(typ.mm, attr)
    if isinstance(ty, types.IntegerLiteral):
        return context.get_constant(types.int64, ty.literal_value)
    if isinstance(ty, types.BaseTuple):  # Tuple, or UniTuple when the values are equal
        return context.make_tuple(builder, ty, [context.get_constant(t, t.literal_value) for t in ty])
    return context.get_dummy_value()  # types (NumberClass) carry no data


def _accepted_elements(mm: Matmul, index: int) -> tuple:
    """The Numba element types of arrays for matrix ``index`` (0: A, 1: B, 2: C): the value
    type, its twin of the same layout (``complex64`` for ``float32x2``), and the storage of
    interleaved pairs (``float16`` for complex half, ``uint16``/``int16`` for bf16)."""
    precision = mm._spec.precision[index]
    if precision == "BF16":
        return (types.uint16, types.int16)
    value = _numba_type(_value_types(mm)[index])
    if mm.data_type == "real":
        return (value,)
    if precision == "F16":
        return (value, types.float16)
    return (value, _vectors.complex_twin(value))


def _check_matrix(mm: Matmul, ty, position: int, name: str, index: int):
    if not isinstance(ty, types.Array):
        raise TypingError(f"Matmul.execute: argument {position} ({name}) is {ty}; a shared-memory array is required")
    accepted = _accepted_elements(mm, index)
    if ty.dtype not in accepted:
        raise TypingError(
            f"Matmul.execute: argument {position} ({name}) is an array of {ty.dtype}; this GEMM "
            f"({mm._spec.short()}) takes arrays of {' or '.join(str(t) for t in accepted)} there"
        )


def _check_scalar(mm: Matmul, ty, position: int, name: str):
    ok = isinstance(ty, (types.Integer, types.Float)) or (isinstance(ty, types.Complex) and mm.data_type == "complex")
    if not ok:
        kind = "a real or complex number" if mm.data_type == "complex" else "a real number"
        raise TypingError(f"Matmul.execute: argument {position} ({name}) is {ty}; {kind} is required")


def _api(mm: Matmul, args) -> str:
    """The execution API that the argument types ask for; TypingError when they fit none."""
    if len(args) == 5:
        names = ("alpha", "a", "b", "beta", "c")
        for position, (ty, name) in enumerate(zip(args, names)):
            if name in ("alpha", "beta"):
                _check_scalar(mm, ty, position, name)
            else:
                _check_matrix(mm, ty, position, name, "abc".index(name))
        return "smem"
    if len(args) == 8:
        names = ("alpha", "a", "lda", "b", "ldb", "beta", "c", "ldc")
        for position, (ty, name) in enumerate(zip(args, names)):
            if name in ("alpha", "beta"):
                _check_scalar(mm, ty, position, name)
            elif name.startswith("ld"):
                if not isinstance(ty, types.Integer):
                    raise TypingError(f"Matmul.execute: argument {position} ({name}) is {ty}; an integer is required")
            else:
                _check_matrix(mm, ty, position, name, "abc".index(name))
        return "smem_dynamic_ld"
    raise TypingError(
        "Matmul.execute takes (alpha, a, b, beta, c) or (alpha, a, lda, b, ldb, beta, c, ldc) with "
        f"shared-memory arrays; got {len(args)} arguments"
    )


def _execute_signature(matmul_type, args, kws):
    if kws:
        raise TypingError(f"Matmul.execute takes no keyword arguments; got {', '.join(kws)}")
    if _tensor_numba.is_tensor_call(args):  # the tensor API (nvmath.device.common)
        return _tensor_numba.execute_signature(matmul_type.mm, args)
    _api(matmul_type.mm, args)
    return signature(types.void, *args)


@_typing.register_attr
class _MatmulMethods(AttributeTemplate):
    # Typed without compiling helper functions (overloads would: numba-cuda compiles those for
    # the current device, so kernels could not be compiled on a machine without a GPU).
    key = MatmulType

    @bound_function("nvmath.device.Matmul.execute")
    def resolve_execute(self, matmul_type, args, kws):
        return _execute_signature(matmul_type, args, kws)

    @bound_function("nvmath.device.Matmul.__call__")
    def resolve___call__(self, matmul_type, args, kws):
        return _execute_signature(matmul_type, args, kws)


def _lower_execute(context, builder, sig, args):
    """``mm.execute(...)``: a call of the cuBLASDx function, through its extern function."""
    mm = sig.args[0].mm
    argtys, values = sig.args[1:], args[1:]
    if _tensor_numba.is_tensor_call(argtys):
        _tensor_numba.lower_execute(context, builder, mm, argtys, values)
        return context.get_dummy_value()
    call = mm._extern(_api(mm, argtys)).call
    # The extern function's intrinsic, typed and generated in place (its typer gives the
    # signature and the code generator; both check lengths and link the LTO-IR).
    call_sig, codegen = call._defn(context.typing_context, *argtys)
    codegen(context, builder, call_sig, values)
    return context.get_dummy_value()


_lowering.lower("nvmath.device.Matmul.execute", MatmulType, types.VarArg(types.Any))(_lower_execute)
_lowering.lower("nvmath.device.Matmul.__call__", MatmulType, types.VarArg(types.Any))(_lower_execute)
# Calling the object itself (``mm(alpha, a, b, beta, c)``, deprecated) is typed through
# __call__ and lowered as a call of its type.
_lowering.lower(MatmulType, MatmulType, types.VarArg(types.Any))(_lower_execute)

# The tensor API's types (layouts, tensors, partitioners) and Matmul methods.
from . import _tensor_numba  # noqa: E402
