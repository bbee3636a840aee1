"""Numba → LTO-IR with an exact C prototype. The only module of nvmath.jit that imports Numba.

The user's function is compiled with Numba's own calling convention; a small LLVM wrapper
with the requested C prototype converts each argument (pointer casts, aggregates to Numba's
complex values), calls it, and converts the result back. Complex values cross the boundary as
one aggregate aligned like CUDA's ``float2``/``double2``, and a ``void`` prototype returns
nothing, so the wrapper matches C++ callers exactly and LTO can inline it into them.
"""

from __future__ import annotations

import logging

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import errors as numba_errors
from numba.cuda.compiler import compile_cuda
from numba.cuda.core import errors as numba_cuda_errors
from numba.cuda.descriptor import cuda_target

from .cabi import CSignature, CType
from .errors import CompileError, condense_numba_error, describe_location
from .typespec import VOID, Pointer

__all__ = ["as_numba_type", "compile_ltoir"]

logger = logging.getLogger("nvmath.jit")

_I32 = ir.IntType(32)


def as_numba_type(spec):
    """A Numba type from a Numba type, a NumPy dtype (structured dtypes become records), a
    dtype name such as ``"complex64"``, :func:`~nvmath.jit.pointer` or ``"void"``."""
    if isinstance(spec, types.Type):
        return spec
    if spec is None or spec == VOID:
        return types.void
    if isinstance(spec, Pointer):
        return types.voidptr if spec.pointee is None else types.CPointer(as_numba_type(spec.pointee))
    from numba.np.numpy_support import from_dtype

    try:
        dtype = np.dtype(spec)
    except TypeError as e:
        raise TypeError(f"{spec!r} is neither a Numba type nor a NumPy dtype") from e
    return from_dtype(dtype)


_RECORD_POINTER_FIXES: set = set()


def _support_record_pointer_indexing(nb_type):
    """Make ``p[i]`` work for ``p`` a pointer to a record (a struct ``user_info``).

    numba-cuda 0.30 lowers ``CPointer(Record)[i]`` by loading the record's bytes, while a
    record value is a reference to its data, so field access then fails while lowering. A
    lowering registered for the exact pointer type is more specific than the generic one and
    returns the element's address instead.
    """
    if not (isinstance(nb_type, types.CPointer) and isinstance(nb_type.dtype, types.Record)):
        return
    if nb_type in _RECORD_POINTER_FIXES:
        return
    import operator

    from numba.cuda.extending import lower_builtin

    @lower_builtin(operator.getitem, nb_type, types.Integer)
    def _getitem_record_pointer(context, builder, sig, args):
        base, index = args
        return builder.gep(base, [index])

    _RECORD_POINTER_FIXES.add(nb_type)
    cuda_target.target_context.refresh()


_ALIGNED_POINTER_CLASS = None


def aligned_pointer(dtype, align: int):
    """A Numba pointer type to ``dtype`` whose loads and stores (``p[i]``, ``p[i] = v``) carry
    ``align`` bytes of alignment, so that NVPTX emits one vector access for a complex element
    (``ld/st.v2``) instead of one access per half. Behaves as ``types.CPointer`` otherwise."""
    global _ALIGNED_POINTER_CLASS
    if _ALIGNED_POINTER_CLASS is None:
        _ALIGNED_POINTER_CLASS = _define_aligned_pointer()
    return _ALIGNED_POINTER_CLASS(dtype, align)


def _define_aligned_pointer():
    import operator

    from numba.core.datamodel.models import PointerModel
    from numba.cuda.extending import lower_builtin, register_model

    class AlignedPointer(types.CPointer):
        def __init__(self, dtype, align):
            self.align = align
            super().__init__(dtype)
            self.name = f"{dtype}*align{align}"

        @property
        def key(self):
            return self.dtype, self.addrspace, self.align

    register_model(AlignedPointer)(PointerModel)

    @lower_builtin(operator.getitem, AlignedPointer, types.Integer)
    def _getitem(context, builder, sig, args):
        base, index = args
        return builder.load(builder.gep(base, [index]), align=sig.args[0].align)

    @lower_builtin(operator.setitem, AlignedPointer, types.Integer, types.Any)
    def _setitem(context, builder, sig, args):
        base, index, value = args
        value = context.cast(builder, value, sig.args[2], sig.args[0].dtype)
        builder.store(value, builder.gep(base, [index]), align=sig.args[0].align)

    cuda_target.target_context.refresh()
    return AlignedPointer


def _llvm_ctype(module: ir.Module, ct: CType):
    if ct.kind == "void":
        return ir.VoidType()
    if ct.kind == "int":
        return ir.IntType(ct.bits)
    if ct.kind == "float":
        return ir.FloatType() if ct.bits == 32 else ir.DoubleType()
    if ct.kind == "half":  # only ever a pointee: the bits are what matters
        return ir.HalfType() if ct.name == "float16" else ir.IntType(ct.bits)
    if ct.kind == "complex":
        # An identified struct: LTO merges it with the caller's float2/double2, so a call
        # from C++ needs no cast and can be inlined (a literal struct type would not merge).
        scalar = ir.FloatType() if ct.bits == 32 else ir.DoubleType()
        struct = module.context.get_identified_type(f"struct.{ct.name}")
        if struct.is_opaque:
            struct.set_body(scalar, scalar)
        return struct
    if ct.pointee is None or ct.pointee.kind == "void":
        return ir.IntType(8).as_pointer()
    return _llvm_ctype(module, ct.pointee).as_pointer()


def _check_compatible(index, nb_type, ct: CType):
    """Whether a Numba-level type can be passed through C type ``ct`` without conversion."""
    where = "return value" if index is None else f"parameter {index}"
    ok = False
    if ct.kind == "pointer":
        ok = isinstance(nb_type, (types.CPointer, types.RawPointer))
    elif ct.kind == "int":
        ok = isinstance(nb_type, types.Integer) and nb_type.bitwidth == ct.bits
    elif ct.kind == "float":
        ok = isinstance(nb_type, types.Float) and nb_type.bitwidth == ct.bits
    elif ct.kind == "complex":
        ok = isinstance(nb_type, types.Complex) and nb_type.bitwidth == 2 * ct.bits
    elif ct.kind == "void":
        ok = nb_type in (types.void, types.none)
    if not ok:
        raise TypeError(f"{where}: Numba type {nb_type} cannot be passed as C type {ct}")


def _c_to_numba(builder, value, nb_type, ct: CType, context):
    target = context.get_value_type(nb_type)
    if ct.kind == "pointer":
        return builder.bitcast(value, target)
    if ct.kind == "complex":
        out = ir.Constant(target, ir.Undefined)
        for i in range(2):
            out = builder.insert_value(out, builder.extract_value(value, i), i)
        return out
    return value


def _numba_to_c(builder, value, llvm_ctype, ct: CType):
    if ct.kind == "pointer":
        return builder.bitcast(value, llvm_ctype)
    if ct.kind == "complex":
        out = ir.Constant(llvm_ctype, ir.Undefined)
        for i in range(2):
            out = builder.insert_value(out, builder.extract_value(value, i), i)
        return out
    return value


def _annotate_alignment(module, fn, index, align):
    # NVPTX reads parameter/return alignment from the "align" annotation: (index << 16) | align,
    # index 0 being the return value. This gives float2 its 8-byte alignment, as in C++.
    md = module.add_metadata([fn, ir.MetaDataString(module, "align"), ir.Constant(_I32, (index << 16) | align)])
    module.add_named_metadata("nvvm.annotations", md)


def _build_wrapper(context, cres, csig: CSignature, symbol: str, aliases=(), max_values=None):
    module = context.create_module(f"nvmath_wrapper_{symbol}")
    arg_ctypes = [_llvm_ctype(module, ct) for ct in csig.arg_types]
    ret_ctype = _llvm_ctype(module, csig.return_type)
    fn = ir.Function(module, ir.FunctionType(ret_ctype, arg_ctypes), symbol)
    fn.linkage = "external"

    call_conv = cres.fndesc.call_conv
    nb_args = cres.signature.args
    nb_ret = cres.signature.return_type
    inner_type = call_conv.get_function_type(nb_ret, nb_args)
    inner = ir.Function(module, inner_type, cres.fndesc.mangled_name)

    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    values = list(fn.args)
    for index, bound in (max_values or {}).items():
        # A no-op mask for values within the bound; it tells LLVM the top bits are zero, so
        # Numba's signed (Python) arithmetic on an unsigned offset folds: offset % 4096 is one and.
        values[index] = builder.and_(values[index], ir.Constant(values[index].type, bound))
    args = [_c_to_numba(builder, v, t, ct, context) for v, t, ct in zip(values, nb_args, csig.arg_types)]
    # Numba-ABI functions report exceptions through a status code; device callbacks cannot
    # raise, and the compile uses the NumPy error model, so the status is not inspected.
    _status, result = call_conv.call_function(builder, inner, nb_ret, nb_args, args)
    if csig.return_type.kind == "void":
        builder.ret_void()
    else:
        builder.ret(_numba_to_c(builder, result, ret_ctype, csig.return_type))

    exported = [fn]
    for alias in aliases:
        # The same function under another name (a C++ mangled one): a call LTO inlines away.
        other = ir.Function(module, fn.function_type, alias)
        other.linkage = "external"
        b = ir.IRBuilder(other.append_basic_block("entry"))
        result = b.call(fn, other.args)
        b.ret_void() if csig.return_type.kind == "void" else b.ret(result)
        exported.append(other)
    for f in exported:
        if csig.return_type.kind == "complex":
            _annotate_alignment(module, f, 0, csig.return_type.alignment)
        for i, ct in enumerate(csig.arg_types, start=1):
            if ct.kind == "complex":
                _annotate_alignment(module, f, i, ct.alignment)
    return module


def compile_ltoir(
    func,
    arg_types,
    return_type,
    csig: CSignature,
    symbol: str,
    target,
    *,
    fastmath: bool = False,
    describe: str | None = None,
    aliases=(),
    aligned=None,
    max_values=None,
) -> bytes:
    """Compile ``func`` to LTO-IR whose exported ``symbol`` has the C prototype ``csig``.

    Parameters
    ----------
    func : callable
        The Python function; it sees arguments of the Numba types ``arg_types``.
    arg_types : sequence of Numba types
    return_type : Numba type
        ``types.void`` for a function that returns nothing.
    csig : CSignature
        The exact C prototype the caller uses; each C type must be compatible with the
        corresponding Numba type (pointers with pointers, same-width numbers).
    symbol : str
        The exported name.
    target : Target
    describe : str, optional
        How to name the function and its expected signature in error messages.
    aliases : sequence of str
        Further names under which the function is exported.
    aligned : dict, optional
        ``{parameter index: bytes}``: pointer parameters the caller promises are aligned so
        (the generated code may then use vector loads and stores through them).
    max_values : dict, optional
        ``{parameter index: bound}``: integer parameters the caller promises never exceed
        ``bound``, a power of two minus one.
    """
    if len(arg_types) != len(csig.arg_types):
        raise ValueError(f"{len(arg_types)} Numba argument types for a C prototype of {len(csig.arg_types)}")
    for i, (t, ct) in enumerate(zip(arg_types, csig.arg_types)):
        _check_compatible(i, t, ct)
    for index, align in (aligned or {}).items():
        if not (0 <= index < len(arg_types)) or csig.arg_types[index].kind != "pointer":
            raise ValueError(f"aligned={aligned!r}: parameter {index} is not a pointer parameter")
        if align < 1 or align & (align - 1):
            raise ValueError(f"aligned={aligned!r}: {align} is not a power of two")
    for index, bound in (max_values or {}).items():
        if not (0 <= index < len(arg_types)) or csig.arg_types[index].kind != "int":
            raise ValueError(f"max_values={max_values!r}: parameter {index} is not an integer parameter")
        if bound < 1 or (bound + 1) & bound or bound.bit_length() > csig.arg_types[index].bits:
            raise ValueError(
                f"max_values={max_values!r}: {bound} is not a power of two minus one that fits {csig.arg_types[index]}"
            )
    _check_compatible(None, return_type, csig.return_type)

    arg_types = list(arg_types)
    for index, align in (aligned or {}).items():
        t = arg_types[index]
        if isinstance(t, types.CPointer) and not isinstance(t.dtype, types.Record) and align > 1:
            arg_types[index] = aligned_pointer(t.dtype, align)
    for t in arg_types:
        _support_record_pointer_indexing(t)
    cc = target.cc + ((target.suffix,) if target.suffix else ())
    nvvm_options = {"opt": 3, "fastmath": fastmath}
    try:
        cres = compile_cuda(
            func, return_type, tuple(arg_types), fastmath=fastmath, nvvm_options=nvvm_options, cc=cc, lto=True
        )
    except (numba_errors.NumbaError, numba_cuda_errors.NumbaError) as e:
        name = describe or getattr(func, "__qualname__", repr(func))
        details = condense_numba_error(e)
        if 'File "' not in details and describe_location(func):
            details += f"\n  in the function defined at {describe_location(func)}"
        raise CompileError(f"cannot compile {name}:\n  {details}") from e

    if fastmath:
        # numba-cuda's fastmath sets NVVM options only, which a later LTO link (cuFFT's) does
        # not see: put LLVM's fast-math flags on the instructions themselves, as Numba's CPU
        # target does, so that they survive into the LTO-IR.
        from numba.core.cpu import FastMathOptions
        from numba.core.fastmathpass import rewrite_module

        # Only the function's own module: linked libraries may be shared with other compiles.
        rewrite_module(cres.library.modules[0], FastMathOptions(True))
    context = cuda_target.target_context
    library = context.codegen().create_library(f"nvmath_{symbol}")
    library.add_ir_module(_build_wrapper(context, cres, csig, symbol, aliases, max_values))
    library.add_linking_library(cres.library)
    library.finalize()
    logger.debug("lowered %s to LLVM IR; generating LTO-IR for %s", symbol, target)
    return bytes(library.get_ltoir(cc=cc))
