"""How ``numba.cuda.jit`` kernels see cuBLASDx tensors, layouts and partitioners.

- A :class:`~nvmath.device._cublasdx_tensor.MatmulLayout` has the Numba type
  :class:`LayoutType`: its traits are compile-time constants; a global-memory layout carries its
  run-time leading dimension (an ``int64``), other layouts carry nothing.
- ``make_tensor(array, layout)`` gives an :class:`OpaqueTensorType` value: the array's data
  pointer (generic address space) and, for global memory, the leading dimension.
- ``copy``, ``copy_fragment``, ``clear``, ``axpby``, ``copy_wait`` and ``MM.execute`` on tensors
  call libmathdx device functions through their C++ shims (see
  :mod:`nvmath.device._tensor_engine`), whose parameters are pointers and ``long long``: no
  struct crosses the Numba/C++ boundary.

Everything is typed with templates and lowered in place (no ``@overload``: numba-cuda compiles
overloads for the current device, and kernels must compile on machines without one).
"""

from __future__ import annotations

import operator

import numpy as np
from llvmlite import ir
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.cuda import LTOIR, types
from numba.cuda.cudadecl import registry as _typing
from numba.cuda.cudaimpl import registry as _lowering
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.typing.templates import AbstractTemplate, AttributeTemplate, bound_function, signature

from . import _extern, _tensor_engine, common
from ._cublasdx_numba import MatmulType
from ._cublasdx_tensor import _KINDS_BY_METHOD, MatmulLayout, Partitioner
from .vector_types_numba import host_type, kernel_type

__all__ = ["LayoutType", "OpaqueTensorType", "PartitionerType", "is_tensor_call", "execute_signature", "lower_execute"]

_LAYOUT_TRAITS = ("size", "cosize", "alignment", "storage_bytes", "uid")


def _plain(layout: MatmulLayout) -> MatmulLayout:
    """``layout`` without its leading dimension (a run-time value, not part of the type)."""
    return MatmulLayout(layout.MM, layout.kind, layout.dtype)


class LayoutType(types.Type):
    """The Numba type of one Matmul layout (kind and element type)."""

    def __init__(self, layout: MatmulLayout, dtype=None):
        self.layout = layout
        self.gmem = layout.memory_space == "g"
        # The element type in kernels: that of the layout's NumPy type (float32x2 for complex64,
        # as the value types), or the array's the tensor was made of (complex64 arrays too).
        self.dtype = kernel_type(layout.dtype) if dtype is None else dtype
        super().__init__(name=f"nvmath.device.Layout({layout.kind}, {self.dtype}, {layout.MM._spec.describe()})")

    def like(self, dtype) -> LayoutType:
        """The same layout holding ``dtype`` (a Numba type); ValueError for types without a NumPy one."""
        return LayoutType(MatmulLayout(self.layout.MM, self.layout.kind, host_type(dtype)), dtype)


@register_model(LayoutType)
class _LayoutModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("ld", types.int64)] if fe_type.gmem else [])


@typeof_impl.register(MatmulLayout)
def _typeof_layout(value, context):
    return LayoutType(_plain(value))


def _make_layout(context, builder, ty: LayoutType, ld):
    layout = cgutils.create_struct_proxy(ty)(context, builder)
    if ty.gmem:
        layout.ld = ld
    return layout._getvalue()


@_lowering.lower_constant(LayoutType)
def _layout_constant(context, builder, ty, value):
    ld = context.get_constant(types.int64, value._ld) if ty.gmem else None
    return _make_layout(context, builder, ty, ld)


@_typing.register_attr
class _LayoutAttributes(AttributeTemplate):
    key = LayoutType

    def generic_resolve(self, typ, attr):
        if attr in _LAYOUT_TRAITS:
            return types.IntegerLiteral(int(getattr(typ.layout, attr)))
        return None


@_lowering.lower_getattr_generic(LayoutType)
def _layout_attribute(context, builder, typ, value, attr):
    return context.get_constant(types.int64, int(getattr(typ.layout, attr)))


class OpaqueTensorType(types.Type):
    """The Numba type of a tensor: a layout type; the value holds the data pointer (and ld)."""

    def __init__(self, layout: LayoutType):
        self.layout = layout
        self.dtype = layout.dtype
        super().__init__(name=f"nvmath.device.OpaqueTensor({layout.name})")


@register_model(OpaqueTensorType)
class _TensorModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        members = [("ptr", types.voidptr)]
        if fe_type.layout.gmem:
            members.append(("ld", types.int64))
        super().__init__(dmm, fe_type, members)


@_typing.register_attr
class _TensorAttributes(AttributeTemplate):
    key = OpaqueTensorType

    def resolve_layout(self, typ):
        return typ.layout


@_lowering.lower_getattr(OpaqueTensorType, "layout")
def _tensor_layout(context, builder, typ, value):
    tensor = cgutils.create_struct_proxy(typ)(context, builder, value)
    return _make_layout(context, builder, typ.layout, tensor.ld if typ.layout.gmem else None)


def _element_pointer(context, builder, typ: OpaqueTensorType, value, index, index_ty):
    tensor = cgutils.create_struct_proxy(typ)(context, builder, value)
    data = builder.bitcast(tensor.ptr, context.get_data_type(typ.dtype).as_pointer())
    return builder.gep(data, [context.cast(builder, index, index_ty, types.intp)])


def _check_indexable(typ):
    if typ.layout.layout.memory_space not in ("r", "s"):
        raise TypingError(f"{typ}: only register and shared memory tensors can be indexed")


@_typing.register_global(operator.getitem)
class _TensorGetItem(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 2 and isinstance(args[0], OpaqueTensorType) and isinstance(args[1], types.Integer):
            _check_indexable(args[0])
            return signature(args[0].dtype, *args)
        return None


@_typing.register_global(operator.setitem)
class _TensorSetItem(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 3 and isinstance(args[0], OpaqueTensorType) and isinstance(args[1], types.Integer):
            _check_indexable(args[0])
            return signature(types.void, args[0], args[1], args[0].dtype)
        return None


@_lowering.lower(operator.getitem, OpaqueTensorType, types.Integer)
def _tensor_getitem(context, builder, sig, args):
    return builder.load(_element_pointer(context, builder, sig.args[0], args[0], args[1], sig.args[1]))


@_lowering.lower(operator.setitem, OpaqueTensorType, types.Integer, types.Any)
def _tensor_setitem(context, builder, sig, args):
    value = context.cast(builder, args[2], sig.args[2], sig.args[0].dtype)
    builder.store(value, _element_pointer(context, builder, sig.args[0], args[0], args[1], sig.args[1]))
    return context.get_dummy_value()


# ---------------------------------------------------------------------------- calls


_LINKABLES: dict = {}
_LAST_TARGET: list = []


class _BatchLTOIR(LTOIR):
    """The LTO-IR of a batch of device functions, finalized when the link first reads it."""

    def __init__(self, batch):
        super().__init__(None, name=f"cublasdx_batch_{id(batch):x}.ltoir")
        self._batch = batch

    @property
    def data(self):
        return self._batch.ltoir()


def _linkable(ltoir):
    """One numba LTOIR object per code (a kernel's library keeps a set of them): ``ltoir`` is
    bytes, or a batch of device functions to be finalized at the link."""
    if isinstance(ltoir, _tensor_engine._PendingFunctions):
        with _tensor_engine._LOCK:
            if ltoir.linkable is None:
                ltoir.linkable = _BatchLTOIR(ltoir)
            return ltoir.linkable
    found = _LINKABLES.get(ltoir)
    if found is None:
        found = _LINKABLES[ltoir] = LTOIR(ltoir, name=f"cublasdx_{len(_LINKABLES)}.ltoir")
    return found


def _call(context, builder, fn: _tensor_engine.DeviceFunction, values: list) -> None:
    """Call ``fn``'s shim with ``values`` (LLVM values, one per C parameter)."""
    i8p, i64 = ir.IntType(8).as_pointer(), ir.IntType(64)
    argtys = [i8p if p == "ptr" else i64 for p in fn.params]
    if len(values) != len(argtys):
        raise AssertionError(f"{fn.symbol}: {len(values)} values for {len(argtys)} parameters")
    callee = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), argtys), fn.symbol)
    for code in fn.ltoirs:
        context.active_code_library.add_linking_file(_linkable(code))
    cast = [builder.bitcast(v, t) if v.type != t else v for v, t in zip(values, argtys)]
    builder.call(callee, cast)


def _tensor_values(context, builder, typ: OpaqueTensorType, value) -> list:
    tensor = cgutils.create_struct_proxy(typ)(context, builder, value)
    return [tensor.ptr, tensor.ld] if typ.layout.gmem else [tensor.ptr]


def _scalar_pointer(context, builder, value, ty, dtype):
    converted = context.cast(builder, value, ty, dtype)
    return builder.bitcast(cgutils.alloca_once_value(builder, converted), ir.IntType(8).as_pointer())


def _tensor_arg(typ: OpaqueTensorType) -> tuple:
    return (typ.layout.layout.kind, typ.layout.layout.like)


def _spec_of(*tensor_types):
    specs = {t.layout.layout.MM._spec for t in tensor_types}
    if len(specs) != 1:
        raise TypingError("the tensors of one call must come from layouts of the same Matmul")
    spec = specs.pop()
    _LAST_TARGET[:] = [spec.target]
    return spec


def _data_pointer(context, builder, aryty, value):
    data = context.make_array(aryty)(context, builder, value).data
    if data.type.addrspace != 0:
        data = builder.addrspacecast(data, ir.PointerType(data.type.pointee), "generic")
    return builder.bitcast(data, ir.IntType(8).as_pointer())


# make_tensor ---------------------------------------------------------------------


@_typing.register_global(common.make_tensor)
class _MakeTensor(AbstractTemplate):
    def generic(self, args, kws):
        if kws or len(args) != 2:
            raise TypingError("make_tensor takes (array, layout)")
        array, layout = args
        if not isinstance(array, types.Array):
            raise TypingError(f"make_tensor: argument 0 (array) is {array}; a device array is required")
        if not isinstance(layout, LayoutType):
            raise TypingError(f"make_tensor: argument 1 (layout) is {layout}; a Matmul layout is required")
        if array.dtype != layout.dtype:
            try:
                layout = layout.like(array.dtype)
            except (NotImplementedError, ValueError) as e:
                raise TypingError(f"make_tensor: arrays of {array.dtype} are not supported: {e}") from None
        return signature(OpaqueTensorType(layout), *args)


class _TensorOwner:
    """What a short array's report names: ``make_tensor`` and the layout (``_extern``'s checks
    name an extern function's owner)."""

    def __init__(self, layout: MatmulLayout):
        self.owner = f"make_tensor({layout.kind} of {layout.MM._spec.short()})"


@_lowering.lower(common.make_tensor, types.Array, LayoutType)
def _make_tensor(context, builder, sig, args):
    layout = sig.return_type.layout.layout
    if layout.memory_space in ("s", "r") and _extern.array_checks_enabled():
        # A shared or register tensor spans the layout's cosize elements of the array (as
        # nvmath-python's examples slice them): a shorter array fails the kernel, naming it. A
        # register array's length is a constant, so its check folds away where it passes.
        # Global-memory tensors are not checked: their span is set by a run-time leading
        # dimension over arrays that may be views of larger ones.
        itemsize = context.get_abi_sizeof(context.get_data_type(sig.args[0].dtype))
        need = int(layout.cosize) * itemsize
        _extern._check_lengths(context, builder, _TensorOwner(layout), [(sig.args[0], args[0], 0, need, "array")])
    tensor = cgutils.create_struct_proxy(sig.return_type)(context, builder)
    tensor.ptr = _data_pointer(context, builder, sig.args[0], args[0])
    if sig.return_type.layout.gmem:
        tensor.ld = cgutils.create_struct_proxy(sig.args[1])(context, builder, args[1]).ld
    return tensor._getvalue()


# make_fragment_like ----------------------------------------------------------------


@_typing.register_global(common.make_fragment_like)
class _MakeFragmentLike(AbstractTemplate):
    def generic(self, args, kws):
        if kws or len(args) != 2:
            raise TypingError("make_fragment_like takes (tensor, dtype)")
        tensor, dtype = args
        if not isinstance(tensor, OpaqueTensorType) or tensor.layout.layout.memory_space != "r":
            raise TypingError(f"make_fragment_like: argument 0 (tensor) is {tensor}; a register tensor is required")
        if not isinstance(dtype, (types.NumberClass, types.DType)):
            raise TypingError(f"make_fragment_like: argument 1 (dtype) is {dtype}; a NumPy type is required")
        try:
            layout = tensor.layout.like(dtype.dtype)
        except (NotImplementedError, ValueError) as e:
            raise TypingError(f"make_fragment_like: fragments of {dtype.dtype} are not supported: {e}") from None
        return signature(OpaqueTensorType(layout), *args)


@_lowering.lower(common.make_fragment_like, OpaqueTensorType, types.Any)
def _make_fragment_like(context, builder, sig, args):
    ty = sig.return_type
    layout = ty.layout.layout
    element = context.get_data_type(ty.dtype)
    storage = cgutils.alloca_once(builder, ir.ArrayType(element, max(layout.cosize, 1)))
    storage.align = max(layout.alignment, 8)
    tensor = cgutils.create_struct_proxy(ty)(context, builder)
    tensor.ptr = builder.bitcast(storage, ir.IntType(8).as_pointer())
    return tensor._getvalue()


# copy / copy_fragment -------------------------------------------------------------------


def _alignment_value(ty, name: str):
    if ty is None or isinstance(ty, (types.NoneType, types.Omitted)):
        return None
    if not isinstance(ty, types.IntegerLiteral):
        raise TypingError(f"{name}: alignment must be a compile-time constant int; got {ty}")
    value = ty.literal_value
    if value not in (1, 2, 4, 8, 16):
        raise TypingError(f"{name}: alignment={value} is not supported; accepted: 1, 2, 4, 8, 16")
    return value


def _copy_args(name: str, args, kws):
    args = list(args)
    if "alignment" in kws:
        args.append(kws.pop("alignment"))
    if kws or len(args) not in (2, 3):
        raise TypingError(f"{name} takes (src, dst, alignment=None)")
    src, dst = args[:2]
    for i, (t, what) in enumerate(((src, "src"), (dst, "dst"))):
        if not isinstance(t, OpaqueTensorType):
            raise TypingError(f"{name}: argument {i} ({what}) is {t}; a tensor (make_tensor) is required")
    alignment = _alignment_value(args[2] if len(args) == 3 else None, name)
    spaces = (src.layout.layout.memory_space, dst.layout.layout.memory_space)
    rmem = "r" in spaces
    if name == "copy" and rmem:
        raise TypingError("copy does not take register tensors; use copy_fragment")
    if name == "copy_fragment" and not rmem:
        raise TypingError("copy_fragment copies to or from a register tensor; use copy between other tensors")
    if alignment is not None and alignment < np.dtype(src.layout.layout.dtype).itemsize:
        raise TypingError(f"{name}: alignment={alignment} is smaller than an element of {src.dtype}")
    return args, alignment


class _CopyTemplate(AbstractTemplate):
    prefer_literal = True
    name = "copy"

    def generic(self, args, kws):
        folded, _ = _copy_args(self.name, args, dict(kws))
        _spec_of(folded[0], folded[1])
        sig = signature(types.void, *folded)
        if not kws:
            return sig
        from numba.core.utils import pysignature

        def stub(src, dst, alignment):
            pass

        # alignment given by keyword: the lowering receives it folded into position 2
        return sig.replace(pysig=pysignature(stub))


@_typing.register_global(common.copy)
class _Copy(_CopyTemplate):
    name = "copy"


@_typing.register_global(common.copy_fragment)
class _CopyFragment(_CopyTemplate):
    name = "copy_fragment"


def _lower_copy(name):
    def lower(context, builder, sig, args):
        src, dst = sig.args[:2]
        alignment = _alignment_value(sig.args[2] if len(sig.args) == 3 else None, name)
        spec = _spec_of(src, dst)
        fn = _tensor_engine.device_function(spec, "copy", (_tensor_arg(src), _tensor_arg(dst)), alignment=alignment)
        values = _tensor_values(context, builder, src, args[0]) + _tensor_values(context, builder, dst, args[1])
        _call(context, builder, fn, values)
        return context.get_dummy_value()

    return lower


_lowering.lower(common.copy, types.VarArg(types.Any))(_lower_copy("copy"))
_lowering.lower(common.copy_fragment, types.VarArg(types.Any))(_lower_copy("copy_fragment"))


# clear / copy_wait / axpby ------------------------------------------------------------


@_typing.register_global(common.clear)
class _Clear(AbstractTemplate):
    def generic(self, args, kws):
        if kws or len(args) != 1 or not isinstance(args[0], OpaqueTensorType):
            raise TypingError(f"clear takes one register tensor; got {args}")
        if args[0].layout.layout.memory_space != "r":
            raise TypingError(f"clear takes a register tensor; got {args[0]}")
        return signature(types.void, *args)


@_lowering.lower(common.clear, OpaqueTensorType)
def _lower_clear(context, builder, sig, args):
    spec = _spec_of(sig.args[0])
    fn = _tensor_engine.device_function(spec, "clear", (_tensor_arg(sig.args[0]),))
    _call(context, builder, fn, _tensor_values(context, builder, sig.args[0], args[0]))
    return context.get_dummy_value()


@_typing.register_global(common.copy_wait)
class _CopyWait(AbstractTemplate):
    def generic(self, args, kws):
        if args or kws:
            raise TypingError("copy_wait takes no arguments")
        return signature(types.void)


def _copy_wait_spec():
    """A one-element GEMM on the target of the last tensor call (copy_wait is the same for
    every GEMM, and libmathdx gives it the same symbol: one spec keeps one definition)."""
    from nvmath.jit.arch import resolve_target

    from ._cublasdx_engine import MatmulSpec

    target = _LAST_TARGET[0] if _LAST_TARGET else resolve_target(None)
    return MatmulSpec((1, 1, 1), ("F32", "F32", "F32"), "real", "Block", target, block_dim=(32, 1, 1))


@_lowering.lower(common.copy_wait)
def _lower_copy_wait(context, builder, sig, args):
    _call(context, builder, _tensor_engine.device_function(_copy_wait_spec(), "copy_wait"), [])
    return context.get_dummy_value()


@_typing.register_global(common.axpby)
class _Axpby(AbstractTemplate):
    def generic(self, args, kws):
        if kws or len(args) != 4:
            raise TypingError("axpby takes (alpha, x, beta, y)")
        alpha, x, beta, y = args
        for i, (t, what) in enumerate(((x, "x"), (y, "y"))):
            if not isinstance(t, OpaqueTensorType) or t.layout.layout.memory_space != "r":
                raise TypingError(f"axpby: {what} (argument {2 * i + 1}) is {t}; a register tensor is required")
        for i, (t, what) in enumerate(((alpha, "alpha"), (beta, "beta"))):
            if not isinstance(t, types.Number):
                raise TypingError(f"axpby: {what} (argument {2 * i}) is {t}; a number is required")
        _spec_of(x, y)
        return signature(types.void, *args)


@_lowering.lower(common.axpby, types.Number, OpaqueTensorType, types.Number, OpaqueTensorType)
def _lower_axpby(context, builder, sig, args):
    alpha_ty, x_ty, beta_ty, y_ty = sig.args
    spec = _spec_of(x_ty, y_ty)
    fn = _tensor_engine.device_function(spec, "axpby", (_tensor_arg(x_ty), _tensor_arg(y_ty)))
    values = [_scalar_pointer(context, builder, args[0], alpha_ty, x_ty.dtype)]
    values += _tensor_values(context, builder, x_ty, args[1])
    values.append(_scalar_pointer(context, builder, args[2], beta_ty, y_ty.dtype))
    values += _tensor_values(context, builder, y_ty, args[3])
    _call(context, builder, fn, values)
    return context.get_dummy_value()


# Matmul methods: layouts, partitioners, execute on tensors ----------------------------------


class PartitionerType(types.Type):
    """The Numba type of a Matmul's partitioner (no data) or accumulator.

    An accumulator is the partitioner plus each thread's register fragment of C (zeroed when
    made): ``MM.execute(a, b, accumulator)`` adds to it, ``get_results()`` copies it out.
    """

    def __init__(self, mm, suggested: bool, accumulator: bool = False):
        self.mm, self.suggested, self.accumulator = mm, suggested, accumulator
        what = "Accumulator" if accumulator else "Partitioner"
        super().__init__(name=f"nvmath.device.{what}(suggested={suggested}, {mm._spec.describe()})")

    @property
    def fragment_kind(self) -> str:
        return "suggested_rmem_c" if self.suggested else "rmem_c"

    @property
    def fragment_type(self) -> OpaqueTensorType:
        return OpaqueTensorType(LayoutType(MatmulLayout(self.mm, self.fragment_kind)))


@register_model(PartitionerType)
class _PartitionerModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("ptr", types.voidptr)] if fe_type.accumulator else [])


def _new_fragment(context, builder, ty: OpaqueTensorType, zero: bool = False):
    """A register tensor of type ``ty`` over fresh thread-local storage."""
    layout = ty.layout.layout
    storage = cgutils.alloca_once(builder, ir.ArrayType(context.get_data_type(ty.dtype), max(layout.cosize, 1)))
    storage.align = max(layout.alignment, 8)
    ptr = builder.bitcast(storage, ir.IntType(8).as_pointer())
    if zero:
        cgutils.memset(builder, ptr, ir.Constant(ir.IntType(64), int(layout.storage_bytes)), 0)
    tensor = cgutils.create_struct_proxy(ty)(context, builder)
    tensor.ptr = ptr
    return tensor._getvalue()


@typeof_impl.register(Partitioner)
def _typeof_partitioner(value, context):
    return PartitionerType(value.MM, value.suggested)


@_lowering.lower_constant(PartitionerType)
def _partitioner_constant(context, builder, ty, value):
    return context.make_helper(builder, ty)._getvalue()


_PARTITIONER_METHODS = ("suggest_partitioner", "get_partitioner", "suggest_accumulator", "get_accumulator")


def _layout_signature(mm, method, args, kws):
    kind = _KINDS_BY_METHOD[method]
    args = list(args) + list(kws.values())
    if len(kws) > 1 or (kws and "leading_dimension" not in kws):
        raise TypingError(f"Matmul.{method} takes only leading_dimension as a keyword")
    gmem = kind.startswith("gmem")
    if len(args) > (1 if gmem else 0):
        raise TypingError(f"Matmul.{method} takes {'(leading_dimension=None)' if gmem else 'no arguments'}")
    if args and not isinstance(args[0], (types.Integer, types.NoneType, types.Omitted)):
        raise TypingError(f"Matmul.{method}: leading_dimension is {args[0]}; an integer is required")
    result = LayoutType(MatmulLayout(mm, kind))
    return signature(result, *args)


def _make_method(method):
    @bound_function(f"nvmath.device.Matmul.{method}")
    def resolve(self, matmul_type, args, kws):
        if method in _PARTITIONER_METHODS:
            if args or kws:
                raise TypingError(f"Matmul.{method} takes no arguments")
            suggested = method.startswith("suggest")
            return signature(PartitionerType(matmul_type.mm, suggested, "accumulator" in method))
        return _layout_signature(matmul_type.mm, method, args, kws)

    return resolve


class _MatmulTensorMethods(AttributeTemplate):
    key = MatmulType


for _method in (*_KINDS_BY_METHOD, *_PARTITIONER_METHODS):
    setattr(_MatmulTensorMethods, f"resolve_{_method}", _make_method(_method))
_typing.register_attr(_MatmulTensorMethods)


def _lower_layout_method(method):
    def lower(context, builder, sig, args):
        ty = sig.return_type
        if isinstance(ty, PartitionerType):
            helper = context.make_helper(builder, ty)
            if ty.accumulator:
                fragment = _new_fragment(context, builder, ty.fragment_type, zero=True)
                helper.ptr = cgutils.create_struct_proxy(ty.fragment_type)(context, builder, fragment).ptr
            return helper._getvalue()
        ld = None
        if ty.gmem:
            if len(sig.args) > 1 and isinstance(sig.args[1], types.Integer):
                ld = context.cast(builder, args[1], sig.args[1], types.int64)
            else:
                ld = context.get_constant(types.int64, ty.layout._ld)
        return _make_layout(context, builder, ty, ld)

    return lower


for _method in (*_KINDS_BY_METHOD, *_PARTITIONER_METHODS):
    _lowering.lower(f"nvmath.device.Matmul.{_method}", MatmulType, types.VarArg(types.Any))(
        _lower_layout_method(_method)
    )


# partitioner methods


def _partitioner_function(ptype: PartitionerType, name: str):
    return _tensor_engine.device_function(ptype.mm._spec, name, ((ptype.fragment_kind, None),))


def _int_flag(context, builder, ptype, name, index=None):
    i32 = ir.IntType(32)
    out = cgutils.alloca_once_value(builder, ir.Constant(i32, 0))
    values = []
    if index is not None:
        values.append(cgutils.alloca_once_value(builder, index))
    values.append(out)
    _call(context, builder, _partitioner_function(ptype, name), values)
    return builder.icmp_signed("!=", builder.load(out), ir.Constant(i32, 0))


class _PartitionerMethods(AttributeTemplate):
    key = PartitionerType

    @bound_function("nvmath.device.Partitioner.is_thread_active")
    def resolve_is_thread_active(self, ty, args, kws):
        return signature(types.boolean)

    @bound_function("nvmath.device.Partitioner.is_predicated")
    def resolve_is_predicated(self, ty, args, kws):
        return signature(types.boolean)

    @bound_function("nvmath.device.Partitioner.is_index_in_bounds")
    def resolve_is_index_in_bounds(self, ty, args, kws):
        if len(args) != 1 or not isinstance(args[0], types.Integer):
            raise TypingError("is_index_in_bounds takes one integer (a fragment index)")
        return signature(types.boolean, *args)

    @bound_function("nvmath.device.Partitioner.map_fragment_index")
    def resolve_map_fragment_index(self, ty, args, kws):
        if len(args) != 1 or not isinstance(args[0], types.Integer):
            raise TypingError("map_fragment_index takes one integer (a fragment index)")
        return signature(types.UniTuple(types.int32, 2), *args)

    @bound_function("nvmath.device.Partitioner.get_results")
    def resolve_get_results(self, ty, args, kws):
        _accumulator_only(ty, "get_results")
        if args or kws:
            raise TypingError("get_results takes no arguments")
        return signature(ty.fragment_type)

    @bound_function("nvmath.device.Partitioner.clear")
    def resolve_clear(self, ty, args, kws):
        _accumulator_only(ty, "clear")
        if args or kws:
            raise TypingError("clear takes no arguments")
        return signature(types.void)

    @bound_function("nvmath.device.Partitioner.partition_and_copy")
    def resolve_partition_and_copy(self, ty, args, kws):
        if kws or len(args) != 2 or not all(isinstance(a, OpaqueTensorType) for a in args):
            raise TypingError("partition_and_copy takes (src, dst): a register and a global memory tensor")
        spaces = {a.layout.layout.memory_space for a in args}
        if spaces != {"r", "g"}:
            raise TypingError(f"partition_and_copy copies between a register and a global memory tensor; got {args}")
        return signature(types.void, *args)

    @bound_function("nvmath.device.Partitioner.make_partition_and_copy")
    def resolve_make_partition_and_copy(self, ty, args, kws):
        if kws or len(args) != 1 or not isinstance(args[0], OpaqueTensorType):
            raise TypingError("make_partition_and_copy takes one global memory tensor of C")
        if args[0].layout.layout.memory_space != "g" or args[0].layout.layout.tensor_index != 2:
            raise TypingError(f"make_partition_and_copy takes a global memory tensor of C; got {args[0]}")
        fragment = ty.fragment_type
        if args[0].dtype != fragment.dtype:
            fragment = OpaqueTensorType(fragment.layout.like(args[0].dtype))
        return signature(fragment, *args)

    @bound_function("nvmath.device.Partitioner.make_empty_fragment")
    def resolve_make_empty_fragment(self, ty, args, kws):
        if args or kws:
            raise TypingError("make_empty_fragment takes no arguments")
        return signature(OpaqueTensorType(LayoutType(MatmulLayout(ty.mm, ty.fragment_kind))))

    @bound_function("nvmath.device.Partitioner.make_accumulator_fragment")
    def resolve_make_accumulator_fragment(self, ty, args, kws):
        # This project's earlier name of make_empty_fragment (nvmath-python's).
        if args or kws:
            raise TypingError("make_accumulator_fragment takes no arguments")
        return signature(OpaqueTensorType(LayoutType(MatmulLayout(ty.mm, ty.fragment_kind))))


_typing.register_attr(_PartitionerMethods)


def _accumulator_only(ty, name):
    if not ty.accumulator:
        raise TypingError(f"{name} is a method of accumulators (MM.suggest_accumulator()), not of partitioners")


def _fragment_of(context, builder, ptype: PartitionerType, value):
    """The register tensor an accumulator holds."""
    tensor = cgutils.create_struct_proxy(ptype.fragment_type)(context, builder)
    tensor.ptr = context.make_helper(builder, ptype, value).ptr
    return tensor._getvalue()


def _copy_fragment_if_active(context, builder, ptype, src_ty, src, dst_ty, dst):
    active = _int_flag(context, builder, ptype, "is_thread_active")
    with builder.if_then(active):
        spec = _spec_of(src_ty, dst_ty)
        fn = _tensor_engine.device_function(spec, "copy", (_tensor_arg(src_ty), _tensor_arg(dst_ty)))
        values = _tensor_values(context, builder, src_ty, src) + _tensor_values(context, builder, dst_ty, dst)
        _call(context, builder, fn, values)


@_lowering.lower("nvmath.device.Partitioner.get_results", PartitionerType)
def _lower_get_results(context, builder, sig, args):
    ty = sig.return_type
    result = _new_fragment(context, builder, ty)
    src = cgutils.create_struct_proxy(ty)(context, builder, _fragment_of(context, builder, sig.args[0], args[0])).ptr
    dst = cgutils.create_struct_proxy(ty)(context, builder, result).ptr
    nbytes = ir.Constant(ir.IntType(64), int(ty.layout.layout.storage_bytes))
    cgutils.raw_memcpy(builder, dst, src, nbytes, 1)
    return result


@_lowering.lower("nvmath.device.Partitioner.clear", PartitionerType)
def _lower_accumulator_clear(context, builder, sig, args):
    ptr = context.make_helper(builder, sig.args[0], args[0]).ptr
    nbytes = int(sig.args[0].fragment_type.layout.layout.storage_bytes)
    cgutils.memset(builder, ptr, ir.Constant(ir.IntType(64), nbytes), 0)
    return context.get_dummy_value()


@_lowering.lower("nvmath.device.Partitioner.partition_and_copy", PartitionerType, OpaqueTensorType, OpaqueTensorType)
def _lower_partition_and_copy(context, builder, sig, args):
    _copy_fragment_if_active(context, builder, sig.args[0], sig.args[1], args[1], sig.args[2], args[2])
    return context.get_dummy_value()


@_lowering.lower("nvmath.device.Partitioner.make_partition_and_copy", PartitionerType, OpaqueTensorType)
def _lower_make_partition_and_copy(context, builder, sig, args):
    fragment = _new_fragment(context, builder, sig.return_type)
    _copy_fragment_if_active(context, builder, sig.args[0], sig.args[1], args[1], sig.return_type, fragment)
    return fragment


@_lowering.lower("nvmath.device.Partitioner.is_thread_active", PartitionerType)
def _lower_is_thread_active(context, builder, sig, args):
    return _int_flag(context, builder, sig.args[0], "is_thread_active")


@_lowering.lower("nvmath.device.Partitioner.is_predicated", PartitionerType)
def _lower_is_predicated(context, builder, sig, args):
    return _int_flag(context, builder, sig.args[0], "is_predicated")


@_lowering.lower("nvmath.device.Partitioner.is_index_in_bounds", PartitionerType, types.Integer)
def _lower_is_index_in_bounds(context, builder, sig, args):
    index = context.cast(builder, args[1], sig.args[1], types.int32)
    return _int_flag(context, builder, sig.args[0], "is_index_in_bounds", index)


@_lowering.lower("nvmath.device.Partitioner.map_fragment_index", PartitionerType, types.Integer)
def _lower_map_fragment_index(context, builder, sig, args):
    i32 = ir.IntType(32)
    index = cgutils.alloca_once_value(builder, context.cast(builder, args[1], sig.args[1], types.int32))
    row = cgutils.alloca_once_value(builder, ir.Constant(i32, 0))
    col = cgutils.alloca_once_value(builder, ir.Constant(i32, 0))
    _call(context, builder, _partitioner_function(sig.args[0], "map_idx2crd_partitioner"), [index, row, col])
    return context.make_tuple(builder, sig.return_type, [builder.load(row), builder.load(col)])


@_lowering.lower("nvmath.device.Partitioner.make_empty_fragment", PartitionerType)
@_lowering.lower("nvmath.device.Partitioner.make_accumulator_fragment", PartitionerType)
def _lower_make_empty_fragment(context, builder, sig, args):
    ty = sig.return_type
    layout = ty.layout.layout
    storage = cgutils.alloca_once(builder, ir.ArrayType(context.get_data_type(ty.dtype), max(layout.cosize, 1)))
    storage.align = max(layout.alignment, 8)
    tensor = cgutils.create_struct_proxy(ty)(context, builder)
    tensor.ptr = builder.bitcast(storage, ir.IntType(8).as_pointer())
    return tensor._getvalue()


# execute on tensors (called by _cublasdx_numba) -------------------------------------------


def is_tensor_call(args) -> bool:
    """Whether ``mm.execute(*args)`` is a tensor-API call."""
    return any(isinstance(a, (OpaqueTensorType, PartitionerType)) for a in args)


def _execute_kind(mm, args) -> str:
    if len(args) == 3:
        a, b, c = args
        if isinstance(c, PartitionerType):
            if not c.accumulator:
                raise TypingError(
                    "Matmul.execute(a, b, c): c is a partitioner; an accumulator or register tensor is needed"
                )
            c = c.fragment_type
        tensors = (a, b, c)
        api = "execute_rmem"
    elif len(args) == 5:
        alpha, a, b, beta, c = args
        for t, what in ((alpha, "alpha"), (beta, "beta")):
            if not isinstance(t, types.Number):
                raise TypingError(f"Matmul.execute: {what} is {t}; a number is required")
        tensors = (a, b, c)
        api = "execute_smem"
    else:
        raise TypingError(
            "Matmul.execute on tensors takes (a, b, c) with c a register tensor, or "
            f"(alpha, a, b, beta, c) with c a shared memory tensor; got {len(args)} arguments"
        )
    for t, what, space in zip(tensors, "abc", ("s", "s", "r" if api == "execute_rmem" else "s")):
        if not isinstance(t, OpaqueTensorType):
            raise TypingError(f"Matmul.execute: {what} is {t}; a tensor (make_tensor) is required")
        if t.layout.layout.memory_space != space:
            where = {"s": "shared", "r": "register"}[space]
            raise TypingError(f"Matmul.execute: {what} is {t}; a {where} memory tensor is required here")
        if t.layout.layout.MM._spec != mm._spec:
            raise TypingError(f"Matmul.execute: {what}'s layout belongs to another Matmul")
    suggested = {t.layout.layout.suggested for t in tensors if t.layout.layout.memory_space == "s"}
    if len(suggested) > 1:
        raise TypingError("Matmul.execute: the shared memory tensors must all have suggested layouts, or none")
    return api


def execute_signature(mm, args):
    """The signature of ``mm.execute(*args)`` on tensors (TypingError when they do not fit)."""
    _execute_kind(mm, args)
    _LAST_TARGET[:] = [mm._spec.target]
    return signature(types.void, *args)


def lower_execute(context, builder, mm, argtys, values) -> None:
    """Lower ``mm.execute`` on tensors (``argtys``/``values`` without the Matmul)."""
    api = _execute_kind(mm, argtys)
    if api == "execute_rmem":
        if isinstance(argtys[2], PartitionerType):  # an accumulator: its register fragment
            values = [*values[:2], _fragment_of(context, builder, argtys[2], values[2])]
            argtys = [*argtys[:2], argtys[2].fragment_type]
        tensors = argtys
        fn = _tensor_engine.device_function(mm._spec, api, tuple(_tensor_arg(t) for t in tensors))
        flat = []
        for t, v in zip(argtys, values):
            flat += _tensor_values(context, builder, t, v)
    else:
        alpha_ty, a_ty, b_ty, beta_ty, c_ty = argtys
        fn = _tensor_engine.device_function(mm._spec, api, tuple(_tensor_arg(t) for t in (a_ty, b_ty, c_ty)))
        flat = [_scalar_pointer(context, builder, values[0], alpha_ty, c_ty.dtype)]
        flat += _tensor_values(context, builder, a_ty, values[1]) + _tensor_values(context, builder, b_ty, values[2])
        flat.append(_scalar_pointer(context, builder, values[3], beta_ty, c_ty.dtype))
        flat += _tensor_values(context, builder, c_ty, values[4])
    _call(context, builder, fn, flat)
