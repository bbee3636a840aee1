"""How ``numba.cuda.jit`` kernels see cuBLASDx pipelines (nvmath-python's pipeline API).

- A :class:`~nvmath.device.cublasdx.DevicePipeline` argument has the type
  :class:`DevicePipelineType`: one pointer, to the pipeline's state in device memory (the kernel
  must be made with ``extensions=pipeline_extensions``, which passes that pointer). Its traits
  (``buffer_size``, ``buffer_alignment``...) are compile-time constants.
- ``device_pipeline.get_tile(smem, idx, idy)`` makes a :class:`TilePipelineType` value: a
  pointer to the tile pipeline's thread-local state; ``reset_tile``, ``execute`` and ``_del``
  call libmathdx's functions on it.
- A Matmul made with ``with_pipeline=True`` has the type :class:`PipelinedMatmulType`, whose
  ``suggest_accumulator()`` / ``get_accumulator()`` make a :class:`PipelineAccumulatorType`: a
  pointer to thread-local storage holding cuBLASDx's opaque accumulator and two flags. In
  pipelined mode cuBLASDx builds accumulators from a tile pipeline, so the first
  ``tile_pipeline.execute(accumulator)`` creates (and clears) it; ``get_results()`` finishes the
  accumulation once before reading it. Copies between the accumulator's register fragments and
  global memory (``make_partition_and_copy``, ``partition_and_copy``) go element by element
  through the accumulator's own index map (cuBLASDx refuses the plain register copies of the
  tensor API in pipelined mode).

Every libmathdx function is called through its C++ shim (pointers only), as in
:mod:`nvmath.device._tensor_numba`.
"""

from __future__ import annotations

import functools

from llvmlite import ir
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.cuda import types
from numba.cuda.cudadecl import registry as _typing
from numba.cuda.cudaimpl import registry as _lowering
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.typing.templates import AttributeTemplate, bound_function, signature

from . import _cublasdx_pipeline as _engine
from . import _tensor_engine
from ._cublasdx_numba import MatmulType
from ._cublasdx_pipeline import DevicePipeline, PipelineSpec
from ._cublasdx_tensor import MatmulLayout
from ._tensor_numba import LayoutType, OpaqueTensorType, _call, _data_pointer
from .cublasdx import Matmul

__all__ = [
    "DevicePipelineType",
    "TilePipelineType",
    "PipelinedMatmulType",
    "PipelineAccumulatorType",
    "pipeline_extensions",
]

_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


# ---------------------------------------------------------------------------- device pipeline

_DEVICE_TRAITS = ("buffer_size", "buffer_alignment", "storage_bytes", "storage_alignment")


class DevicePipelineType(types.Type):
    """The Numba type of a device pipeline (pipelines of one description share it)."""

    def __init__(self, pspec: PipelineSpec):
        self.pspec = pspec
        super().__init__(name=f"nvmath.device.DevicePipeline({pspec.describe()})")

    @functools.cached_property
    def traits(self) -> dict:
        return _engine.pipeline_traits(self.pspec)

    def trait(self, attr: str) -> int:
        if attr == "pipeline_depth":
            return self.pspec.depth
        return int(self.traits[attr])


class _PointerModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("ptr", types.voidptr)])


register_model(DevicePipelineType)(_PointerModel)


@typeof_impl.register(DevicePipeline)
def _typeof_device_pipeline(value, context):
    return DevicePipelineType(value._spec)


@_lowering.lower_constant(DevicePipelineType)
def _device_pipeline_constant(context, builder, ty, value):
    # a pipeline captured as a global: its state's address, fixed for the kernel's lifetime
    helper = cgutils.create_struct_proxy(ty)(context, builder)
    helper.ptr = ir.Constant(ir.IntType(64), int(value._address)).inttoptr(_I8P)
    return helper._getvalue()


def _pointer(context, builder, ty, value):
    return cgutils.create_struct_proxy(ty)(context, builder, value).ptr


def _indices(ty, rank: int, what: str) -> int:
    """Check one tile index argument (an int for 2D operands, a pair for 3D); return its length."""
    if rank == 2:
        if not isinstance(ty, types.Integer):
            raise TypingError(f"{what} must be an integer (the tile's index) for 2D operands; got {ty}")
        return 1
    if not (isinstance(ty, types.BaseTuple) and len(ty) == 2 and all(isinstance(t, types.Integer) for t in ty)):
        raise TypingError(
            f"{what} must be a pair of integers (the tile's index, the matrix in the stack) for 3D operands; got {ty}"
        )
    return 2


def _index_pointer(context, builder, ty, value):
    """An ``int*`` to the index (or pair) ``value``."""
    if isinstance(ty, types.Integer):
        return cgutils.alloca_once_value(builder, context.cast(builder, value, ty, types.int32))
    items = [context.cast(builder, builder.extract_value(value, i), ty[i], types.int32) for i in range(len(ty))]
    storage = cgutils.alloca_once(builder, ir.ArrayType(_I32, len(items)))
    for i, item in enumerate(items):
        builder.store(item, cgutils.gep_inbounds(builder, storage, 0, i))
    return builder.bitcast(storage, _I32.as_pointer())


class _DevicePipelineAttributes(AttributeTemplate):
    key = DevicePipelineType

    def generic_resolve(self, typ, attr):
        if attr in (*_DEVICE_TRAITS, "pipeline_depth"):
            return types.IntegerLiteral(typ.trait(attr))
        return None

    @bound_function("nvmath.device.DevicePipeline.get_tile")
    def resolve_get_tile(self, ty, args, kws):
        if kws or len(args) != 3:
            raise TypingError("DevicePipeline.get_tile takes (smem, idx, idy)")
        smem, idx, idy = args
        if not isinstance(smem, types.Array):
            raise TypingError(f"DevicePipeline.get_tile: smem is {smem}; a shared memory array is required")
        _indices(idx, ty.pspec.rank, "DevicePipeline.get_tile: idx")
        _indices(idy, ty.pspec.rank, "DevicePipeline.get_tile: idy")
        return signature(TilePipelineType(ty.pspec), *args)

    @bound_function("nvmath.device.DevicePipeline.reset_tile")
    def resolve_reset_tile(self, ty, args, kws):
        if kws or len(args) != 3:
            raise TypingError("DevicePipeline.reset_tile takes (tile_pipeline, idx, idy)")
        tile, idx, idy = args
        if not isinstance(tile, TilePipelineType) or tile.pspec != ty.pspec:
            raise TypingError(f"DevicePipeline.reset_tile: {tile} is not a tile pipeline of this device pipeline")
        _indices(idx, ty.pspec.rank, "DevicePipeline.reset_tile: idx")
        _indices(idy, ty.pspec.rank, "DevicePipeline.reset_tile: idy")
        return signature(types.void, *args)


_typing.register_attr(_DevicePipelineAttributes)


@_lowering.lower_getattr_generic(DevicePipelineType)
def _device_pipeline_attribute(context, builder, typ, value, attr):
    return context.get_constant(types.int64, typ.trait(attr))


@_lowering.lower("nvmath.device.DevicePipeline.get_tile", DevicePipelineType, types.Array, types.Any, types.Any)
def _lower_get_tile(context, builder, sig, args):
    dp_ty, smem_ty, idx_ty, idy_ty = sig.args
    tile_ty = sig.return_type
    storage = cgutils.alloca_once(builder, ir.ArrayType(ir.IntType(8), max(tile_ty.trait("storage_bytes"), 1)))
    storage.align = max(tile_ty.trait("storage_alignment"), 8)
    tile = builder.bitcast(storage, _I8P)
    fn = _engine.pipeline_function(dp_ty.pspec, "tile_create")
    values = [
        _pointer(context, builder, dp_ty, args[0]),
        tile,
        _data_pointer(context, builder, smem_ty, args[1]),
        _index_pointer(context, builder, idx_ty, args[2]),
        _index_pointer(context, builder, idy_ty, args[3]),
    ]
    _call(context, builder, fn, values)
    helper = cgutils.create_struct_proxy(tile_ty)(context, builder)
    helper.ptr = tile
    return helper._getvalue()


@_lowering.lower("nvmath.device.DevicePipeline.reset_tile", DevicePipelineType, types.Any, types.Any, types.Any)
def _lower_reset_tile(context, builder, sig, args):
    dp_ty, tile_ty, idx_ty, idy_ty = sig.args
    fn = _engine.pipeline_function(dp_ty.pspec, "tile_reset")
    values = [
        _pointer(context, builder, dp_ty, args[0]),
        _pointer(context, builder, tile_ty, args[1]),
        _index_pointer(context, builder, idx_ty, args[2]),
        _index_pointer(context, builder, idy_ty, args[3]),
    ]
    _call(context, builder, fn, values)
    return context.get_dummy_value()


# ---------------------------------------------------------------------------- tile pipeline


class TilePipelineType(types.Type):
    """The Numba type of a block's tile pipeline (a pointer to its thread-local state)."""

    def __init__(self, pspec: PipelineSpec):
        self.pspec = pspec
        super().__init__(name=f"nvmath.device.TilePipeline({pspec.describe()})")

    def trait(self, attr: str) -> int:
        return int(_engine.pipeline_traits(self.pspec)[f"tile_{attr}"])


register_model(TilePipelineType)(_PointerModel)


class _TilePipelineAttributes(AttributeTemplate):
    key = TilePipelineType

    def generic_resolve(self, typ, attr):
        if attr in ("storage_bytes", "storage_alignment"):
            return types.IntegerLiteral(typ.trait(attr))
        return None

    @bound_function("nvmath.device.TilePipeline.execute")
    def resolve_execute(self, ty, args, kws):
        if kws or len(args) != 1 or not isinstance(args[0], PipelineAccumulatorType):
            raise TypingError(
                "TilePipeline.execute takes one accumulator (MM.suggest_accumulator() of a Matmul made "
                f"with with_pipeline=True); got {args}"
            )
        if args[0].mm._spec != ty.pspec.matmul:
            raise TypingError("TilePipeline.execute: the accumulator belongs to another Matmul than the pipeline")
        return signature(types.void, *args)

    @bound_function("nvmath.device.TilePipeline._del")
    def resolve__del(self, ty, args, kws):
        if args or kws:
            raise TypingError("TilePipeline._del takes no arguments")
        return signature(types.void)


_typing.register_attr(_TilePipelineAttributes)


@_lowering.lower_getattr_generic(TilePipelineType)
def _tile_pipeline_attribute(context, builder, typ, value, attr):
    return context.get_constant(types.int64, typ.trait(attr))


@_lowering.lower("nvmath.device.TilePipeline._del", TilePipelineType)
def _lower_tile_del(context, builder, sig, args):
    fn = _engine.pipeline_function(sig.args[0].pspec, "tile_destroy")
    _call(context, builder, fn, [_pointer(context, builder, sig.args[0], args[0])])
    return context.get_dummy_value()


@_lowering.lower("nvmath.device.TilePipeline.execute", TilePipelineType, types.Any)
def _lower_tile_execute(context, builder, sig, args):
    tile_ty, acc_ty = sig.args
    tile = _pointer(context, builder, tile_ty, args[0])
    acc = _pointer(context, builder, acc_ty, args[1])
    created, pending = acc_ty.flags(builder, acc)
    zero = ir.Constant(_I32, 0)
    with builder.if_then(builder.icmp_signed("==", builder.load(created), zero), likely=False):
        suggested = acc_ty.suggested
        _call(context, builder, _engine.pipeline_function(tile_ty.pspec, "accumulator_create", suggested), [tile, acc])
        _call(context, builder, acc_ty.function("clear"), [acc])
        builder.store(ir.Constant(_I32, 1), created)
    _call(context, builder, _engine.pipeline_function(tile_ty.pspec, "execute", acc_ty.suggested), [tile, acc])
    builder.store(ir.Constant(_I32, 1), pending)
    return context.get_dummy_value()


# ---------------------------------------------------------------------------- pipelined Matmul


class PipelinedMatmulType(MatmulType):
    """The Numba type of a Matmul made with ``with_pipeline=True``: a :class:`MatmulType` whose
    accumulators are pipelined ones."""


@register_model(PipelinedMatmulType)
class _NoDataModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [])


# Matmuls made with with_pipeline=True get the pipelined type (the others keep theirs).
_plain_typeof_matmul = typeof_impl.dispatch(Matmul)


@typeof_impl.register(Matmul)
def _typeof_matmul(value, context):
    if value.with_pipeline:
        return PipelinedMatmulType(value)
    return _plain_typeof_matmul(value, context)


class PipelineAccumulatorType(types.Type):
    """The Numba type of a pipelined accumulator: a pointer to thread-local storage holding
    cuBLASDx's opaque accumulator, then two ``int32`` flags (created, results pending)."""

    def __init__(self, mm, suggested: bool):
        self.mm, self.suggested = mm, bool(suggested)
        super().__init__(name=f"nvmath.device.PipelinedAccumulator(suggested={self.suggested}, {mm._spec.describe()})")

    @functools.cached_property
    def _traits(self) -> dict:
        kind = "suggested_accumulator_c" if self.suggested else "accumulator_c"
        return _tensor_engine.tensor_traits(self.mm._spec, kind)

    @property
    def state_bytes(self) -> int:
        return _round_up(max(int(self._traits["storage_bytes"]), 1), 16)

    @property
    def alignment(self) -> int:
        return max(int(self._traits["alignment"]), 16)

    @property
    def fragment_kind(self) -> str:
        return "suggested_rmem_c" if self.suggested else "rmem_c"

    def fragment_type(self, dtype=None) -> OpaqueTensorType:
        return OpaqueTensorType(LayoutType(MatmulLayout(self.mm, self.fragment_kind, dtype)))

    def function(self, name: str):
        return _engine.accumulator_function(self.mm._spec, name, self.suggested)

    def flags(self, builder, ptr):
        """Pointers to the ``created`` and ``pending`` flags of the accumulator at ``ptr``."""
        base = builder.bitcast(builder.gep(ptr, [ir.Constant(ir.IntType(64), self.state_bytes)]), _I32.as_pointer())
        return base, builder.gep(base, [ir.Constant(_I32, 1)])


register_model(PipelineAccumulatorType)(_PointerModel)


def _accumulator_signature(method):
    @bound_function(f"nvmath.device.PipelinedMatmul.{method}")
    def resolve(self, ty, args, kws):
        if args or kws:
            raise TypingError(f"Matmul.{method} takes no arguments")
        return signature(PipelineAccumulatorType(ty.mm, method.startswith("suggest")))

    return resolve


class _PipelinedMatmulAttributes(AttributeTemplate):
    key = PipelinedMatmulType
    resolve_suggest_accumulator = _accumulator_signature("suggest_accumulator")
    resolve_get_accumulator = _accumulator_signature("get_accumulator")

    def _refuse(self, method):
        raise TypingError(
            f"Matmul.{method} is not available with with_pipeline=True: in pipelined mode cuBLASDx "
            "partitions C through the accumulator (MM.suggest_accumulator())"
        )

    @bound_function("nvmath.device.PipelinedMatmul.suggest_partitioner")
    def resolve_suggest_partitioner(self, ty, args, kws):
        self._refuse("suggest_partitioner")

    @bound_function("nvmath.device.PipelinedMatmul.get_partitioner")
    def resolve_get_partitioner(self, ty, args, kws):
        self._refuse("get_partitioner")


_typing.register_attr(_PipelinedMatmulAttributes)


def _lower_make_accumulator(context, builder, sig, args):
    ty = sig.return_type
    storage = cgutils.alloca_once(builder, ir.ArrayType(ir.IntType(8), ty.state_bytes + 8))
    storage.align = ty.alignment
    ptr = builder.bitcast(storage, _I8P)
    created, pending = ty.flags(builder, ptr)
    builder.store(ir.Constant(_I32, 0), created)
    builder.store(ir.Constant(_I32, 0), pending)
    helper = cgutils.create_struct_proxy(ty)(context, builder)
    helper.ptr = ptr
    return helper._getvalue()


for _method in ("suggest_accumulator", "get_accumulator"):
    _lowering.lower(f"nvmath.device.PipelinedMatmul.{_method}", PipelinedMatmulType)(_lower_make_accumulator)


# ---------------------------------------------------------------------------- accumulator methods


def _flag(context, builder, acc_ty, acc, name: str, index=None):
    out = cgutils.alloca_once_value(builder, ir.Constant(_I32, 0))
    values = [acc]
    if index is not None:
        values.append(cgutils.alloca_once_value(builder, index))
    values.append(out)
    _call(context, builder, acc_ty.function(name), values)
    return builder.icmp_signed("!=", builder.load(out), ir.Constant(_I32, 0))


def _new_fragment(context, builder, ty: OpaqueTensorType):
    layout = ty.layout.layout
    storage = cgutils.alloca_once(builder, ir.ArrayType(context.get_data_type(ty.dtype), max(layout.cosize, 1)))
    storage.align = max(layout.alignment, 16)
    helper = cgutils.create_struct_proxy(ty)(context, builder)
    helper.ptr = builder.bitcast(storage, _I8P)
    return helper._getvalue()


def _check_gmem_c(acc_ty, tensor, what: str):
    if not isinstance(tensor, OpaqueTensorType):
        raise TypingError(f"{what} is {tensor}; a tensor (make_tensor) is required")
    layout = tensor.layout.layout
    if layout.memory_space != "g" or layout.tensor_index != 2:
        raise TypingError(f"{what} is {tensor}; a global memory tensor of C (MM.get_layout_gmem_c()) is required")
    if layout.MM._spec != acc_ty.mm._spec:
        raise TypingError(f"{what}: its layout belongs to another Matmul than the accumulator")


def _check_fragment(acc_ty, tensor, what: str):
    if not isinstance(tensor, OpaqueTensorType):
        raise TypingError(f"{what} is {tensor}; a register tensor is required")
    layout = tensor.layout.layout
    if layout.memory_space != "r" or layout.kind != acc_ty.fragment_kind or layout.MM._spec != acc_ty.mm._spec:
        raise TypingError(f"{what} is {tensor}; a register fragment of this accumulator is required")


class _AccumulatorMethods(AttributeTemplate):
    key = PipelineAccumulatorType

    @bound_function("nvmath.device.PipelinedAccumulator.is_thread_active")
    def resolve_is_thread_active(self, ty, args, kws):
        if args or kws:
            raise TypingError("is_thread_active takes no arguments")
        return signature(types.boolean)

    @bound_function("nvmath.device.PipelinedAccumulator.is_predicated")
    def resolve_is_predicated(self, ty, args, kws):
        if args or kws:
            raise TypingError("is_predicated takes no arguments")
        return signature(types.boolean)

    @bound_function("nvmath.device.PipelinedAccumulator.is_index_in_bounds")
    def resolve_is_index_in_bounds(self, ty, args, kws):
        if kws or len(args) != 1 or not isinstance(args[0], types.Integer):
            raise TypingError("is_index_in_bounds takes one integer (a fragment index)")
        return signature(types.boolean, *args)

    @bound_function("nvmath.device.PipelinedAccumulator.map_fragment_index")
    def resolve_map_fragment_index(self, ty, args, kws):
        if kws or len(args) != 1 or not isinstance(args[0], types.Integer):
            raise TypingError("map_fragment_index takes one integer (a fragment index)")
        return signature(types.UniTuple(types.int32, 2), *args)

    @bound_function("nvmath.device.PipelinedAccumulator.get_results")
    def resolve_get_results(self, ty, args, kws):
        if args or kws:
            raise TypingError("get_results takes no arguments")
        return signature(ty.fragment_type())

    @bound_function("nvmath.device.PipelinedAccumulator.clear")
    def resolve_clear(self, ty, args, kws):
        if args or kws:
            raise TypingError("clear takes no arguments")
        return signature(types.void)

    @bound_function("nvmath.device.PipelinedAccumulator.make_empty_fragment")
    def resolve_make_empty_fragment(self, ty, args, kws):
        if args or kws:
            raise TypingError("make_empty_fragment takes no arguments")
        return signature(ty.fragment_type())

    @bound_function("nvmath.device.PipelinedAccumulator.make_accumulator_fragment")
    def resolve_make_accumulator_fragment(self, ty, args, kws):
        # This project's earlier name of make_empty_fragment (nvmath-python's).
        if args or kws:
            raise TypingError("make_accumulator_fragment takes no arguments")
        return signature(ty.fragment_type())

    @bound_function("nvmath.device.PipelinedAccumulator.make_partition_and_copy")
    def resolve_make_partition_and_copy(self, ty, args, kws):
        if kws or len(args) != 1:
            raise TypingError("make_partition_and_copy takes one global memory tensor of C")
        _check_gmem_c(ty, args[0], "make_partition_and_copy: argument 0")
        return signature(ty.fragment_type(args[0].layout.layout.dtype), *args)

    @bound_function("nvmath.device.PipelinedAccumulator.partition_and_copy")
    def resolve_partition_and_copy(self, ty, args, kws):
        if kws or len(args) != 2:
            raise TypingError(
                "partition_and_copy takes (src, dst): a register fragment and a global memory tensor of C"
            )
        src, dst = args
        if isinstance(src, OpaqueTensorType) and src.layout.layout.memory_space == "g":
            _check_gmem_c(ty, src, "partition_and_copy: src")
            _check_fragment(ty, dst, "partition_and_copy: dst")
        else:
            _check_fragment(ty, src, "partition_and_copy: src")
            _check_gmem_c(ty, dst, "partition_and_copy: dst")
        return signature(types.void, *args)


_typing.register_attr(_AccumulatorMethods)


def _accumulator_lowering(name, *argtys):
    return _lowering.lower(f"nvmath.device.PipelinedAccumulator.{name}", PipelineAccumulatorType, *argtys)


@_accumulator_lowering("is_thread_active")
def _lower_is_thread_active(context, builder, sig, args):
    return _flag(context, builder, sig.args[0], _pointer(context, builder, sig.args[0], args[0]), "is_thread_active")


@_accumulator_lowering("is_predicated")
def _lower_is_predicated(context, builder, sig, args):
    return _flag(context, builder, sig.args[0], _pointer(context, builder, sig.args[0], args[0]), "is_predicated")


@_accumulator_lowering("is_index_in_bounds", types.Integer)
def _lower_is_index_in_bounds(context, builder, sig, args):
    index = context.cast(builder, args[1], sig.args[1], types.int32)
    acc = _pointer(context, builder, sig.args[0], args[0])
    return _flag(context, builder, sig.args[0], acc, "is_index_in_bounds", index)


def _map_index(context, builder, acc_ty, acc, index):
    """``(row, col)`` (two i32 values) of fragment element ``index`` (an i32 value)."""
    row = cgutils.alloca_once_value(builder, ir.Constant(_I32, 0))
    col = cgutils.alloca_once_value(builder, ir.Constant(_I32, 0))
    idx = cgutils.alloca_once_value(builder, index)
    _call(context, builder, acc_ty.function("map_idx2crd_partitioner"), [acc, idx, row, col])
    return builder.load(row), builder.load(col)


@_accumulator_lowering("map_fragment_index", types.Integer)
def _lower_map_fragment_index(context, builder, sig, args):
    acc = _pointer(context, builder, sig.args[0], args[0])
    index = context.cast(builder, args[1], sig.args[1], types.int32)
    row, col = _map_index(context, builder, sig.args[0], acc, index)
    return context.make_tuple(builder, sig.return_type, [row, col])


@_accumulator_lowering("clear")
def _lower_clear(context, builder, sig, args):
    acc_ty = sig.args[0]
    acc = _pointer(context, builder, acc_ty, args[0])
    created, pending = acc_ty.flags(builder, acc)
    # an accumulator not yet created is cleared when the first execute creates it
    with builder.if_then(builder.icmp_signed("!=", builder.load(created), ir.Constant(_I32, 0))):
        _call(context, builder, acc_ty.function("clear"), [acc])
    builder.store(ir.Constant(_I32, 0), pending)
    return context.get_dummy_value()


@_accumulator_lowering("make_empty_fragment")
@_accumulator_lowering("make_accumulator_fragment")
def _lower_make_empty_fragment(context, builder, sig, args):
    return _new_fragment(context, builder, sig.return_type)


@_accumulator_lowering("get_results")
def _lower_get_results(context, builder, sig, args):
    acc_ty = sig.args[0]
    acc = _pointer(context, builder, acc_ty, args[0])
    _, pending = acc_ty.flags(builder, acc)
    with builder.if_then(builder.icmp_signed("!=", builder.load(pending), ir.Constant(_I32, 0))):
        _call(context, builder, acc_ty.function("finish_accumulation"), [acc])
        builder.store(ir.Constant(_I32, 0), pending)
    fragment = _new_fragment(context, builder, sig.return_type)
    _call(
        context, builder, acc_ty.function("get_results"), [acc, _pointer(context, builder, sig.return_type, fragment)]
    )
    return fragment


def _element_copy(context, builder, acc_ty, acc, gmem_ty, gmem, frag_ty, frag, to_fragment: bool):
    """Copy between a register fragment and a global tile of C, element by element through the
    accumulator's index map, on active threads and in-bounds elements only."""
    gmem_helper = cgutils.create_struct_proxy(gmem_ty)(context, builder, gmem)
    g_elem = context.get_data_type(gmem_ty.dtype)
    g_base = builder.bitcast(gmem_helper.ptr, g_elem.as_pointer())
    ld = gmem_helper.ld
    row_major = acc_ty.mm.arrangement[2] == "row_major"
    f_elem = context.get_data_type(frag_ty.dtype)
    f_base = builder.bitcast(_pointer(context, builder, frag_ty, frag), f_elem.as_pointer())
    count = int(frag_ty.layout.layout.size)
    i64 = ir.IntType(64)
    with builder.if_then(_flag(context, builder, acc_ty, acc, "is_thread_active")):
        predicated = _flag(context, builder, acc_ty, acc, "is_predicated")
        with cgutils.for_range(builder, ir.Constant(i64, count)) as loop:
            index = builder.trunc(loop.index, _I32)
            in_bounds = cgutils.alloca_once_value(builder, ir.Constant(ir.IntType(1), 1))
            with builder.if_then(predicated):
                builder.store(_flag(context, builder, acc_ty, acc, "is_index_in_bounds", index), in_bounds)
            with builder.if_then(builder.load(in_bounds)):
                row, col = _map_index(context, builder, acc_ty, acc, index)
                row, col = builder.sext(row, i64), builder.sext(col, i64)
                offset = builder.add(builder.mul(row, ld), col) if row_major else builder.add(row, builder.mul(col, ld))
                g_ptr = builder.gep(g_base, [offset])
                f_ptr = builder.gep(f_base, [loop.index])
                if to_fragment:
                    value = context.cast(builder, builder.load(g_ptr), gmem_ty.dtype, frag_ty.dtype)
                    builder.store(value, f_ptr)
                else:
                    value = context.cast(builder, builder.load(f_ptr), frag_ty.dtype, gmem_ty.dtype)
                    builder.store(value, g_ptr)


@_accumulator_lowering("make_partition_and_copy", OpaqueTensorType)
def _lower_make_partition_and_copy(context, builder, sig, args):
    acc_ty, gmem_ty = sig.args
    acc = _pointer(context, builder, acc_ty, args[0])
    fragment = _new_fragment(context, builder, sig.return_type)
    _element_copy(context, builder, acc_ty, acc, gmem_ty, args[1], sig.return_type, fragment, to_fragment=True)
    return fragment


@_accumulator_lowering("partition_and_copy", OpaqueTensorType, OpaqueTensorType)
def _lower_partition_and_copy(context, builder, sig, args):
    acc_ty, src_ty, dst_ty = sig.args
    acc = _pointer(context, builder, acc_ty, args[0])
    if src_ty.layout.layout.memory_space == "g":
        _element_copy(context, builder, acc_ty, acc, src_ty, args[1], dst_ty, args[2], to_fragment=True)
    else:
        _element_copy(context, builder, acc_ty, acc, dst_ty, args[2], src_ty, args[1], to_fragment=False)
    return context.get_dummy_value()


# ---------------------------------------------------------------------------- kernel arguments


class _PipelineExtension:
    """Passes a :class:`DevicePipeline` argument as the address of its state."""

    def prepare_args(self, ty, val, **kwargs):
        if isinstance(val, DevicePipeline):
            # (numba-cuda marshals integers, not raw pointers: the address as a pointer-sized int)
            return types.uintp, int(val._address)
        return ty, val


#: Give as ``numba.cuda.jit(extensions=pipeline_extensions)`` to kernels that take a
#: :class:`~nvmath.device.cublasdx.DevicePipeline` argument.
pipeline_extensions = [_PipelineExtension()]
