"""How ``numba.cuda.jit`` kernels see an :class:`nvmath.device.FFT`.

An FFT captured by a kernel has the Numba type :class:`FFTType`, which takes no space: every
trait is a compile-time constant (``cuda.local.array(fft.storage_size, dtype=fft.value_type)``
works), and ``fft.execute(...)`` / ``fft(...)`` call the cuFFTDx device function through
:func:`nvmath.device.extern_function`, which links the LTO-IR into the kernel. The execution API
follows the arguments: thread data and shared memory (Block), thread data (Thread), or shared
memory alone (Block: all data in shared memory).
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
from .cufftdx import FFT
from .types import Complex, Vector

__all__ = ["FFTType"]

_INT_TRAITS = (
    "size",
    "storage_size",
    "stride",
    "elements_per_thread",
    "ffts_per_block",
    "shared_memory_size",
    "workspace_size",
    "implicit_type_batching",
)
_TYPE_TRAITS = ("value_type", "input_type", "output_type", "precision")


class FFTType(types.Type):
    """The Numba type of one FFT (FFTs with the same description share it)."""

    def __init__(self, fft: FFT):
        self.fft = fft
        super().__init__(name=f"nvmath.device.FFT({fft._spec.describe()})")


@register_model(FFTType)
class _NoDataModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [])


@typeof_impl.register(FFT)
def _typeof_fft(value, context):
    return FFTType(value)


@_lowering.lower_constant(FFTType)
def _fft_constant(context, builder, ty, value):
    return context.make_helper(builder, ty)._getvalue()


def _numba_type(value):
    """The Numba type of a trait's type (a face type or a NumPy type)."""
    if isinstance(value, (Complex, Vector)):
        return value._numba_type
    return numpy_support.from_dtype(np.dtype(value))


def _trait_type(fft: FFT, attr: str):
    if attr in _INT_TRAITS:
        value = getattr(fft, attr)
        return types.none if value is None else types.IntegerLiteral(int(value))
    if attr in _TYPE_TRAITS:
        return types.NumberClass(_numba_type(getattr(fft, attr)))
    if attr == "block_dim":
        dims = fft.block_dim
        return types.none if dims is None else types.UniTuple(types.int64, 3)
    return None


@_typing.register_attr
class _FFTAttributes(AttributeTemplate):
    key = FFTType

    def generic_resolve(self, typ, attr):
        return _trait_type(typ.fft, attr)


@_lowering.lower_getattr_generic(FFTType)
def _fft_attribute(context, builder, typ, value, attr):
    fft = typ.fft
    ty = _trait_type(fft, attr)
    if isinstance(ty, types.IntegerLiteral):
        return context.get_constant(types.int64, ty.literal_value)
    if isinstance(ty, types.UniTuple):
        return context.make_tuple(builder, ty, [context.get_constant(types.int64, int(d)) for d in fft.block_dim])
    return context.get_dummy_value()  # types (NumberClass) and None carry no data


def _accepted_elements(fft: FFT) -> tuple:
    """The Numba element types thread data may have: the value type, and the type of the same
    layout (complex64 for float32x2...)."""
    value = _numba_type(fft.value_type)
    twin = _vectors.complex_twin(value)
    return (value,) if twin is None else (value, twin)


def _check_array(fft: FFT, ty, index: int, name: str, check_dtype: bool):
    if not isinstance(ty, types.Array):
        raise TypingError(f"FFT.execute: argument {index} ({name}) is {ty}; an array is required")
    accepted = _accepted_elements(fft)
    if check_dtype and ty.dtype not in accepted:
        also = "".join(f" ({t} fits too)" for t in accepted[1:])
        raise TypingError(
            f"FFT.execute: argument {index} ({name}) is an array of {ty.dtype}; this FFT "
            f"({fft._spec.describe()}) takes thread data of its value_type: an array of {accepted[0]} is required{also}"
        )


def _api(fft: FFT, args) -> str:
    """The execution API that the argument types ask for; TypingError when they fit none."""
    if len(args) == 1:
        if fft.execution == "Block":
            _check_array(fft, args[0], 0, "shared_memory", True)
            return "smem"
        _check_array(fft, args[0], 0, "thread_data", True)
        return "lmem"
    if len(args) == 2:
        if fft.execution == "Thread":
            raise TypingError(
                "FFT.execute: a Thread FFT takes thread data only: fft.execute(thread_data), without shared memory"
            )
        _check_array(fft, args[0], 0, "thread_data", True)
        _check_array(fft, args[1], 1, "shared_memory", False)
        return "lmem"
    raise TypingError(
        f"FFT.execute takes (thread_data, shared_memory), (thread_data) or (shared_memory); got {len(args)} arguments"
    )


def _execute_signature(fft_type, args, kws):
    if kws:
        raise TypingError(f"FFT.execute takes no keyword arguments; got {', '.join(kws)}")
    _api(fft_type.fft, args)
    return signature(types.void, *args)


@_typing.register_attr
class _FFTMethods(AttributeTemplate):
    # Typed without compiling helper functions (overloads would: numba-cuda compiles those
    # for the current device, so kernels could not be compiled on a machine without a GPU).
    key = FFTType

    @bound_function("nvmath.device.FFT.execute")
    def resolve_execute(self, fft_type, args, kws):
        return _execute_signature(fft_type, args, kws)

    @bound_function("nvmath.device.FFT.__call__")
    def resolve___call__(self, fft_type, args, kws):
        return _execute_signature(fft_type, args, kws)


def _lower_execute(context, builder, sig, args):
    """``fft.execute(...)``: a call of the cuFFTDx function, through its extern function."""
    fft = sig.args[0].fft
    argtys, values = sig.args[1:], args[1:]
    call = fft._extern(_api(fft, argtys)).call
    # The extern function's intrinsic, typed and generated in place (its typer gives the
    # signature and the code generator; both check and link as for a direct call).
    call_sig, codegen = call._defn(context.typing_context, *argtys)
    codegen(context, builder, call_sig, values)
    return context.get_dummy_value()


_lowering.lower("nvmath.device.FFT.execute", FFTType, types.VarArg(types.Any))(_lower_execute)
_lowering.lower("nvmath.device.FFT.__call__", FFTType, types.VarArg(types.Any))(_lower_execute)
# Calling the object itself (``fft(thread_data, shared_memory)``) is typed through __call__ and
# lowered as a call of its type.
_lowering.lower(FFTType, FFTType, types.VarArg(types.Any))(_lower_execute)
