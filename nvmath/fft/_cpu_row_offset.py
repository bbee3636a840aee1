"""The ``offset`` that a row-by-row CPU pass gives a callback: ``row * length + column``, with the
row length compiled in, which a callback uses as it would use a uint64.

Why: a filter written ``user_info[offset % m]`` (``m`` the row length) indexes the column, but
LLVM does not fold ``(row * m + column) % m`` to ``column`` (it has no such rule, measured with
LLVM 22), and where ``m`` is not a power of two (an R2C result's rows of ``n // 2 + 1``) every
element pays a 64-bit division and a gather from user_info, which keep the loop scalar. Here
``offset % length`` and ``offset // length`` are the column and the row themselves, so the
loads of user_info are contiguous and the loop vectorizes: (512, 2049) complex64 on one thread
of the 2-core host, 0.34 ms a pass against 1.85 ms, NumPy's ``y *= w`` 0.35 ms.

Every other use converts the offset to the uint64 it stands for and types as that uint64 does
(the operators delegate to the uint64 signature), so results are those of the plain offset.
A callback that uses the offset in a way these rules do not type is compiled again with the
plain uint64 (see :func:`nvmath.fft._cpu_compile.compile_pass`).
"""

from __future__ import annotations

import operator

from numba.core import cgutils, types
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.extending import intrinsic, lower_builtin, lower_cast, models, register_model

__all__ = ["RowOffset", "row_offset"]


class RowOffset(types.Type):
    """The uint64 ``row * length + column`` (``0 <= column < length``), kept as its two parts."""

    def __init__(self, length: int):
        self.length = int(length)
        super().__init__(f"row_offset({self.length})")

    @property
    def key(self):
        return self.length

    # No implicit conversion (can_convert_to): Numba takes the first template that accepts an
    # operation's arguments, and the integer ones, given a conversion, take ``offset % m``
    # before the shortcut below can. An operation no template here types fails to compile
    # and the pass is compiled with the plain uint64.

    def unify(self, typingctx, other):
        if isinstance(other, RowOffset):
            return self if other == self else types.uint64
        return typingctx.unify_pairs(types.uint64, other)


@register_model(RowOffset)
class _RowOffsetModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("row", types.int64), ("column", types.int64)])


@intrinsic
def row_offset(typingctx, row, column, offset_type):
    """The offset of ``column`` in ``row`` (int64 both), of the RowOffset type given."""
    target = offset_type.instance_type

    def codegen(context, builder, sig, args):
        value = cgutils.create_struct_proxy(target)(context, builder)
        value.row = args[0]
        value.column = args[1]
        return value._getvalue()

    return target(types.int64, types.int64, offset_type), codegen


def _parts(context, builder, offset_type, value):
    proxy = cgutils.create_struct_proxy(offset_type)(context, builder, value=value)
    return proxy.row, proxy.column


def _as_uint64(context, builder, offset_type, value):
    row, column = _parts(context, builder, offset_type, value)
    # Both below 2**62 (the passes mask them so), hence no wrap: nuw/nsw let LLVM see an
    # affine sequence of offsets.
    scaled = builder.mul(row, row.type(offset_type.length), flags=["nuw", "nsw"])
    return builder.add(scaled, column, flags=["nuw", "nsw"])


@lower_cast(RowOffset, types.Number)
@lower_cast(RowOffset, types.Boolean)
def _cast(context, builder, fromty, toty, value):
    return context.cast(builder, _as_uint64(context, builder, fromty, value), types.uint64, toty)


def _as_on_uint64(context, op, args, kws):
    """The signature of ``op`` on ``args`` with each RowOffset a uint64 (None: no RowOffset
    among them, or no signature)."""
    if kws or not any(isinstance(a, RowOffset) for a in args):
        return None
    return context.resolve_function_type(op, tuple(types.uint64 if isinstance(a, RowOffset) else a for a in args), {})


def _delegate(op):
    """Type ``op`` on a RowOffset as on the uint64 it stands for; the lowering converts it."""

    @infer_global(op)
    class _AsUint64(AbstractTemplate):
        def generic(self, args, kws):
            sig = _as_on_uint64(self.context, op, args, kws)
            return None if sig is None else signature(sig.return_type, *sig.args)


def _shortcut(op, part):
    """``offset % length`` (part "column") or ``offset // length`` ("row") without dividing;
    any other divisor, and any other operand order, as the uint64 does."""

    @infer_global(op)
    class _Shortcut(AbstractTemplate):
        def generic(self, args, kws):
            sig = _as_on_uint64(self.context, op, args, kws)
            if sig is None:
                return None
            if isinstance(args[0], RowOffset) and isinstance(args[1], types.Integer):
                return signature(sig.return_type, args[0], sig.args[1])  # lowered below
            return signature(sig.return_type, *sig.args)

    @lower_builtin(op, RowOffset, types.Integer)
    def _lower(context, builder, sig, args):
        offset_type, divisor_type = sig.args
        plain = context.typing_context.resolve_function_type(op, (types.uint64, divisor_type), {})
        divisor = args[1]
        length = offset_type.length
        fits = length < 2 ** (divisor_type.bitwidth - (1 if divisor_type.signed else 0))
        result_type = context.get_value_type(sig.return_type)
        is_length = builder.icmp_unsigned("==", divisor, divisor.type(length)) if fits else cgutils.false_bit
        with builder.if_else(is_length, likely=True) as (shortcut, general):
            with shortcut:
                value = _parts(context, builder, offset_type, args[0])[0 if part == "row" else 1]
                quick = context.cast(builder, value, types.int64, sig.return_type)
                quick_block = builder.basic_block
            with general:
                converted = context.cast(builder, args[0], offset_type, plain.args[0])
                divisor_arg = context.cast(builder, divisor, divisor_type, plain.args[1])
                slow = context.get_function(op, plain)(builder, [converted, divisor_arg])
                slow = context.cast(builder, slow, plain.return_type, sig.return_type)
                slow_block = builder.basic_block
        merged = builder.phi(result_type)
        merged.add_incoming(quick, quick_block)
        merged.add_incoming(slow, slow_block)
        return merged


_shortcut(operator.mod, "column")
_shortcut(operator.floordiv, "row")
for _op in (
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.pow,
    operator.and_,
    operator.or_,
    operator.xor,
    operator.lshift,
    operator.rshift,
    operator.eq,
    operator.ne,
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
    operator.neg,
    operator.pos,
    operator.invert,
    operator.iadd,
    operator.isub,
    operator.imul,
    operator.imod,
    operator.ifloordiv,
    operator.itruediv,
    operator.iand,
    operator.ior,
    operator.ixor,
    operator.ilshift,
    operator.irshift,
    divmod,
    int,
    float,
    bool,
    abs,
):
    _delegate(_op)


def _index_signature(ptr, idx):
    return isinstance(ptr, types.CPointer) and isinstance(idx, RowOffset)


@infer_global(operator.getitem)
class _GetItemPointer(AbstractTemplate):
    # ``data_in[offset]``: Numba's pointer templates take integers only.
    def generic(self, args, kws):
        if not kws and len(args) == 2 and _index_signature(*args):
            return signature(args[0].dtype, args[0], types.uintp)


@infer_global(operator.setitem)
class _SetItemPointer(AbstractTemplate):
    # ``data_out[offset] = value``.
    def generic(self, args, kws):
        if not kws and len(args) == 3 and _index_signature(args[0], args[1]):
            return signature(types.none, args[0], types.uintp, args[0].dtype)
