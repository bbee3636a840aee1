"""Numba side of the CPU prologs and epilogs: one pass over the data, compiled to machine code
with a C entry point. Imported only to compile (a cache miss); running a pass needs no Numba.

The pass (C prototype; ``data``: the array the callback indexes, ``values``: what the prolog
fills or the epilog stores)::

    int64 pass(void* data, void* values, void* info, int64 info_len, int64* shape,
               int64* strides, int64 ndim, int64 dense, int64 base, int64 start, int64 stop,
               int64* bad_index)

calls the callback for the elements ``[start, stop)`` (C order) and returns 0; 1 when the
callback indexed ``user_info`` out of ``[0, info_len)`` (in a pass that records it, the first
such index in ``*bad_index``; such reads give zeros and such writes are dropped, so nothing
outside the array is touched); -2 when it raised. The callback sees ``user_info`` as it does
on the GPU, a pointer indexed ``user_info[i]`` (records by field), here with that bounds check.
"""

from __future__ import annotations

import itertools
import operator

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.core import errors as numba_errors
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import cpu_target
from numba.core.typing.templates import AbstractTemplate, AttributeTemplate, infer_getattr, infer_global, signature
from numba.extending import (
    intrinsic,
    lower_builtin,
    lower_getattr_generic,
    lower_setattr_generic,
    models,
    register_model,
)
from numba.np.numpy_support import from_dtype

from nvmath.jit.errors import CompileError, condense_numba_error, describe_location, unknown_field_error

from ._cpu_callbacks import describe_dtype
from ._cpu_row_offset import RowOffset, row_offset
from .callbacks import describe_callback, expected_signature

__all__ = ["compile_pass", "CompiledPass", "PASS_ARG_TYPES"]

_I64 = types.int64
_P64 = types.CPointer(types.int64)
#: The pass's parameters, as Numba types (see the module docstring).
PASS_ARG_TYPES = (types.voidptr, types.voidptr, types.voidptr, _I64, _P64, _P64, _I64, _I64, _I64, _I64, _I64, _P64)

# Offsets are below 2**63: masking says so to LLVM (a no-op on the value), so that Python's
# floor modulo of the uint64 offset compiles to unsigned arithmetic, as on the GPU.
_OFFSET_MASK = 2**63 - 1
# Dense passes count from the first offset, both below 2**62: LLVM sees offsets that are one
# affine sequence (addresses it strength-reduces, and vectorizes where the callback allows) and
# still non-negative (their sum is below 2**63), where a mask on every offset hid the sequence
# (measured: the epilog ``value * user_info[offset % 4096]`` pass 10% faster).
_DENSE_MASK = 2**62 - 1


class BoundedPointer(types.Type):
    """``user_info`` on the CPU: a pointer with the length of the array behind it, indexed
    like a pointer (``p[i]``, ``p[i] = v``, a record by reference) with a bounds check.

    ``record``: an index outside records itself (the first one) in the pass's error slot, a
    branch that keeps the pass's loop scalar; otherwise it only sets a flag (an OR reduction)
    and the loads are masked, which LLVM vectorizes: the pass that runs, with a recording
    pass run again only to name the bad index (see :mod:`nvmath.fft._cpu_callbacks`)."""

    def __init__(self, dtype, record=True, read_only_records=False):
        self.dtype = dtype
        self.record = bool(record)
        # Records read through a ReadOnlyRecord (masked field loads), where the pass only flags
        # a bad index: see ReadOnlyRecord.
        self.read_only_records = (
            bool(read_only_records)
            and not self.record
            and isinstance(dtype, types.Record)
            and dtype.size in ReadOnlyRecord.SIZES
        )
        flags = ("" if record else ", flag") + (", read-only records" if self.read_only_records else "")
        super().__init__(f"user_info({dtype}{flags})")

    @property
    def key(self):
        return self.dtype, self.record, self.read_only_records


@register_model(BoundedPointer)
class _BoundedPointerModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        # err points to two int64: a flag and the first bad index (locals of the pass, which
        # LLVM keeps in registers once the callback is inlined).
        members = [("ptr", types.CPointer(fe_type.dtype)), ("len", _I64), ("err", _P64)]
        super().__init__(dmm, fe_type, members)


_INDEX_TYPES = (types.Integer, RowOffset)


def _index_type(index):
    """The index type a BoundedPointer's lowering takes: a RowOffset converts to its uint64."""
    return types.uint64 if isinstance(index, RowOffset) else index


class ReadOnlyRecord(types.Type):
    """``user_info[i]`` of small records in a pass that only flags a bad index: the record's
    bytes, loaded whole as one integer with a masked load (zeros where the index is out), its
    fields then taken out of the integer. LLVM vectorizes the contiguous loads, where a
    reference to the record (a select between its address and a zeroed local) kept them
    scalar, and masked loads of each field became gathers (records are strided by field).
    Its fields can be read (``r.gain``, ``r["gain"]``), not written, and it cannot be passed
    on: a callback that does more with it does not type, and the pass is compiled with record
    references instead (see :func:`compile_pass`). Records of 1, 2, 4 or 8 bytes."""

    #: Record sizes (bytes) read whole, as one integer.
    SIZES = (1, 2, 4, 8)

    def __init__(self, record):
        self.record = record
        self.bits = types.Integer.from_bitwidth(8 * record.size, signed=False)
        super().__init__(f"read_only({record})")

    @property
    def key(self):
        return self.record


@register_model(ReadOnlyRecord)
class _ReadOnlyRecordModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("bits", fe_type.bits)])


def _scalar_field(record, name):
    """The type of field ``name`` of ``record`` where it is a scalar or complex, else None."""
    if not isinstance(name, str) or name not in record.fields:
        return None
    field = record.typeof(name)
    return field if isinstance(field, (types.Integer, types.Float, types.Complex, types.Boolean)) else None


@infer_getattr
class _ReadOnlyRecordAttributes(AttributeTemplate):
    key = ReadOnlyRecord

    def generic_resolve(self, typ, attr):
        return _scalar_field(typ.record, attr)


@infer_global(operator.getitem)
class _ReadOnlyRecordGetItem(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 2 and isinstance(args[0], ReadOnlyRecord) and isinstance(args[1], types.StringLiteral):
            field = _scalar_field(args[0].record, args[1].literal_value)
            if field is not None:
                return signature(field, *args)


def _record_field(context, builder, typ, value, name):
    """Field ``name`` out of the record's bytes (little-endian: byte ``k`` is bits 8k..8k+7)."""
    field = typ.record.typeof(name)
    bits = cgutils.create_struct_proxy(typ)(context, builder, value=value).bits
    offset = typ.record.offset(name)
    llty = context.get_data_type(field)
    parts = list(llty.elements) if isinstance(llty, ir.LiteralStructType) else [llty]
    values = []
    for part in parts:
        width = part.width if isinstance(part, ir.IntType) else (32 if isinstance(part, ir.FloatType) else 64)
        piece = builder.trunc(builder.lshr(bits, bits.type(8 * offset)), ir.IntType(width))
        values.append(piece if isinstance(part, ir.IntType) else builder.bitcast(piece, part))
        offset += width // 8
    if isinstance(llty, ir.LiteralStructType):
        data = ir.Constant(llty, ir.Undefined)
        for k, v in enumerate(values):
            data = builder.insert_value(data, v, k)
    else:
        data = values[0]
    return context.data_model_manager[field].from_data(builder, data)


@lower_getattr_generic(ReadOnlyRecord)
def _read_only_getattr(context, builder, typ, value, attr):
    return _record_field(context, builder, typ, value, attr)


@lower_builtin(operator.getitem, ReadOnlyRecord, types.StringLiteral)
def _read_only_getitem(context, builder, sig, args):
    return _record_field(context, builder, sig.args[0], args[0], sig.args[1].literal_value)


@lower_setattr_generic(ReadOnlyRecord)
def _read_only_setattr(context, builder, sig, args, attr):
    # Numba types a store to any attribute that it can read: refused here, when lowering, so
    # that compile_pass compiles the pass with record references instead.
    raise numba_errors.UnsupportedError(f"the record's field {attr!r} is written: records are read-only here")


@infer_global(operator.getitem)
class _GetItem(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 2 and isinstance(args[0], BoundedPointer) and isinstance(args[1], _INDEX_TYPES):
            view = args[0]
            element = ReadOnlyRecord(view.dtype) if view.read_only_records else view.dtype
            return signature(element, view, _index_type(args[1]))


@infer_global(operator.setitem)
class _SetItem(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 3 and isinstance(args[0], BoundedPointer) and isinstance(args[1], _INDEX_TYPES):
            return signature(types.none, args[0], _index_type(args[1]), args[0].dtype)


def _check(context, builder, view_type, view, index_type, index):
    """``(idx, ok)``: the index as int64 and whether it is inside user_info; an index outside
    is recorded (the first one) or flagged, as ``view_type.record`` says."""
    idx = context.cast(builder, index, index_type, _I64)
    ok = builder.icmp_unsigned("<", idx, view.len)  # negative indices are huge unsigned ones
    if view_type.record:
        with builder.if_then(builder.not_(ok), likely=False):
            first = builder.icmp_signed("==", builder.load(view.err), idx.type(0))
            with builder.if_then(first):
                builder.store(idx.type(1), view.err)
                builder.store(idx, cgutils.gep(builder, view.err, 1))
    else:  # no branch: an OR reduction, which leaves the loop vectorizable
        flag = builder.load(view.err)
        builder.store(builder.or_(flag, builder.zext(builder.not_(ok), flag.type)), view.err)
    return idx, ok


def _element_pointer(context, builder, view_type, index_type, value, index):
    """The address of element ``index``, or of a zeroed local when it is out of bounds."""
    view = cgutils.create_struct_proxy(view_type)(context, builder, value=value)
    idx, ok = _check(context, builder, view_type, view, index_type, index)
    scratch = cgutils.alloca_once(builder, context.data_model_manager[view_type.dtype].get_data_type(), zfill=True)
    # A select, not a branch: LLVM keeps the loop simple (measured: no cost for scalars).
    inside = builder.gep(view.ptr, [builder.select(ok, idx, idx.type(0))])
    return builder.select(ok, inside, scratch)


_SCALAR_IR = (ir.IntType, ir.FloatType, ir.DoubleType)


def _masked_load(context, builder, address, dtype, ok, align=None):
    """The ``dtype`` value at ``address`` where ``ok``, else zero, as a load in a branch of its
    own: LLVM's vectorizer makes it a masked vector load (contiguous where the addresses are).
    A pair of floats (complex64) is loaded as one int64, so that the value crossing the branch
    is a scalar (a masked load of a pair of fields vectorized much worse: measured 1.8x the
    time). ``align``: the alignment the address is known to have (None: the type's). None for
    types other than scalars and complex."""
    llty = context.get_data_type(dtype)
    if isinstance(llty, _SCALAR_IR):
        fields = [llty]
    elif isinstance(llty, ir.LiteralStructType) and all(isinstance(t, _SCALAR_IR) for t in llty.elements):
        fields = list(llty.elements)
    else:
        return None
    pair_of_floats = len(fields) == 2 and all(isinstance(f, ir.FloatType) for f in fields)
    inside = builder.bitcast(address, llty.as_pointer())
    before = builder.basic_block
    with builder.if_then(ok, likely=True):
        then = builder.basic_block
        if pair_of_floats:
            # align 4: NumPy guarantees complex64 no more than its floats' alignment.
            loaded = [builder.load(builder.bitcast(inside, ir.IntType(64).as_pointer()), align=align or 4)]
        elif len(fields) == 1:
            loaded = [builder.load(inside, align=align)]
        else:
            loaded = [
                builder.load(cgutils.gep_inbounds(builder, inside, 0, k), align=align) for k in range(len(fields))
            ]
    merged = []
    for value in loaded:
        phi = builder.phi(value.type)
        phi.add_incoming(value, then)
        phi.add_incoming(value.type(0), before)
        merged.append(phi)
    if pair_of_floats:
        bits = merged[0]
        merged = [
            builder.bitcast(builder.trunc(builder.lshr(bits, bits.type(32 * k)), ir.IntType(32)), fields[k])
            for k in range(2)
        ]
    if len(fields) == 1:
        return merged[0]
    result = ir.Constant(llty, ir.Undefined)
    for k, part in enumerate(merged):
        result = builder.insert_value(result, part, k)
    return result


@lower_builtin(operator.getitem, BoundedPointer, types.Integer)
def _getitem(context, builder, sig, args):
    view_type = sig.args[0]
    if view_type.read_only_records:
        view = cgutils.create_struct_proxy(view_type)(context, builder, value=args[0])
        idx, ok = _check(context, builder, view_type, view, sig.args[1], args[1])
        record = cgutils.create_struct_proxy(sig.return_type)(context, builder)
        alignment = np.dtype(view_type.dtype.dtype).alignment if view_type.dtype.aligned else 1
        record.bits = _masked_load(context, builder, builder.gep(view.ptr, [idx]), sig.return_type.bits, ok, alignment)
        return record._getvalue()
    if not view_type.record and not isinstance(view_type.dtype, types.Record):
        view = cgutils.create_struct_proxy(view_type)(context, builder, value=args[0])
        idx, ok = _check(context, builder, view_type, view, sig.args[1], args[1])
        data = _masked_load(context, builder, builder.gep(view.ptr, [idx]), view_type.dtype, ok)
        if data is not None:
            return context.data_model_manager[view_type.dtype].from_data(builder, data)
    ptr = _element_pointer(context, builder, view_type, sig.args[1], args[0], args[1])
    if isinstance(view_type.dtype, types.Record):
        return ptr  # a record is a reference to its data, as for arrays of records
    return context.unpack_value(builder, view_type.dtype, ptr)


@lower_builtin(operator.setitem, BoundedPointer, types.Integer, types.Any)
def _setitem(context, builder, sig, args):
    view_type = sig.args[0]
    ptr = _element_pointer(context, builder, view_type, sig.args[1], args[0], args[1])
    context.pack_value(builder, view_type.dtype, args[2], ptr)
    return context.get_dummy_value()


@intrinsic
def _typed(typingctx, address, pointer_type):
    """A ``void*`` as a typed pointer."""
    target = pointer_type.instance_type

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(target))

    return target(address, pointer_type), codegen


@intrinsic
def _null(typingctx):
    """The ``unused`` argument: cuFFT's shared memory pointer on the GPU, NULL here."""

    def codegen(context, builder, sig, args):
        return context.get_constant_null(types.voidptr)

    return types.voidptr(), codegen


@intrinsic
def _same_address(typingctx, a, b):
    """Whether two ``void*`` are the same address."""

    def codegen(context, builder, sig, args):
        return builder.icmp_unsigned("==", builder.ptrtoint(args[0], _INTPTR), builder.ptrtoint(args[1], _INTPTR))

    return types.boolean(a, b), codegen


_INTPTR = ir.IntType(64)


@intrinsic
def _error_slot(typingctx):
    """Two zeroed int64 locals: the out-of-bounds flag and the first bad index."""

    def codegen(context, builder, sig, args):
        slots = cgutils.alloca_once(builder, ir.ArrayType(ir.IntType(64), 2), zfill=True)
        return builder.bitcast(slots, ir.IntType(64).as_pointer())

    return _P64(), codegen


#: Elements of the epilog's local copy of its values (see _make_epilog_pass).
_SEGMENT = 1024


@intrinsic
def _segment_buffer(typingctx, pointer_type):
    """A local array of ``_SEGMENT`` elements, as a typed pointer."""
    target = pointer_type.instance_type

    def codegen(context, builder, sig, args):
        element = context.get_data_type(target.dtype)
        slots = cgutils.alloca_once(builder, ir.ArrayType(element, _SEGMENT))
        return builder.bitcast(slots, element.as_pointer())

    return target(pointer_type), codegen


@intrinsic
def _user_info(typingctx, address, length, err, view_type):
    """user_info as the callback sees it: a BoundedPointer (or, unchecked, a plain pointer)."""
    target = view_type.instance_type

    def codegen(context, builder, sig, args):
        if isinstance(target, types.CPointer):
            return builder.bitcast(args[0], context.get_value_type(target))
        view = cgutils.create_struct_proxy(target)(context, builder)
        view.ptr = builder.bitcast(args[0], context.get_value_type(types.CPointer(target.dtype)))
        view.len = args[1]
        view.err = args[2]
        return view._getvalue()

    return target(address, length, err, view_type), codegen


_record_pointers: set = set()


def _support_record_pointer(ptr_type):
    # For unchecked passes: as on the GPU (see nvmath.jit._numba_backend), p[i] on a record
    # pointer must give a reference to the record, which Numba's CPointer lowering does not.
    if not isinstance(ptr_type.dtype, types.Record) or ptr_type in _record_pointers:
        return

    @lower_builtin(operator.getitem, ptr_type, types.Integer)
    def _getitem(context, builder, sig, args):
        return builder.gep(args[0], [args[1]])

    _record_pointers.add(ptr_type)
    cpu_target.target_context.refresh()


@njit(inline="always")
def _offset(index, shape, strides, ndim):
    """The offset, in the layout ``strides``, of the element at C-order position ``index``."""
    rest = index
    off = 0
    for d in range(ndim - 1, -1, -1):
        q = rest // shape[d]
        off += (rest - q * shape[d]) * strides[d]
        rest = q
    return off


def _row_offset_maker(rows, row_offsets):
    """``at(r, j)``: the offset a row pass gives the callback for column ``j`` of row ``r``, a
    RowOffset (see :mod:`nvmath.fft._cpu_row_offset`) or, ``row_offsets`` false, the uint64."""
    if row_offsets:
        offset_type = RowOffset(rows)

        @njit(inline="always")
        def at(r, j):
            return row_offset(r, j, offset_type)

    else:

        @njit(inline="always")
        def at(r, j):
            return np.uint64(r * rows + j)

    return at


def _make_prolog_pass(user, elem_ptr, view_type, row_length, row_offsets=True):
    rows = row_length or 1  # a compile-time constant; 0: no row loop (see _make_epilog_pass)
    at = _row_offset_maker(rows, row_offsets)

    def run(data_addr, out_addr, info_addr, info_len, shape, strides, ndim, dense, base, start, stop, bad):
        data = _typed(data_addr, elem_ptr)
        out = _typed(out_addr, elem_ptr)
        err = _error_slot()
        info = _user_info(info_addr, info_len, err, view_type)
        unused = _null()
        if row_length and dense and base == 0 and start % rows == 0 and stop % rows == 0:
            for r in range((start // rows) & _DENSE_MASK, (stop // rows) & _DENSE_MASK):
                row = r * rows
                for j in range(rows):
                    out[row + j] = user(data, at(r, j), info, unused)
        elif dense:
            first = (base + start) & _DENSE_MASK
            for k in range(max(stop - start, 0) & _DENSE_MASK):
                out[start + k] = user(data, np.uint64(first + k), info, unused)
        else:
            for i in range(start, stop):
                off = base + _offset(i, shape, strides, ndim)
                out[i] = user(data, np.uint64(off & _OFFSET_MASK), info, unused)
        if err[0]:
            bad[0] = err[1]
            return 1
        return 0

    return run


def _make_epilog_pass(user, elem_ptr, view_type, row_length, row_offsets=True):
    # Dense passes over whole rows go row by row, the row length a compile-time constant: an
    # offset is then ``r * row_length + j``, whose low bits LLVM knows, so that an index such
    # as ``offset % 4096`` folds to ``j`` and the loads of user_info become contiguous. Each
    # segment of a row is first copied to a local buffer: the callback then reads values that
    # LLVM knows it does not write (in place, they are the data it writes), and the loop
    # vectorizes. Measured ((256, 4096) complex64, epilog ``value * user_info[offset % 4096]``,
    # complex64 user_info, one thread, in place, 2-core host): 0.76 ms a pass against 1.12 ms
    # for the flat loop that records a bad index (NumPy's ``y *= w`` 0.69 ms); without the
    # buffer the row loop was no faster than the flat one. In place (values and data at one
    # address, the common case) the values are read through ``data`` itself instead, which
    # needs no copy: 0.34 ms against 0.53 ms with the buffer, NumPy 0.38 ms (same host, later).
    # The offset is a RowOffset, so that ``offset % row_length`` is the column on rows of any
    # length (see nvmath.fft._cpu_row_offset), not only where known bits fold it.
    rows = row_length or 1
    at = _row_offset_maker(rows, row_offsets)

    def run(data_addr, values_addr, info_addr, info_len, shape, strides, ndim, dense, base, start, stop, bad):
        data = _typed(data_addr, elem_ptr)
        values = _typed(values_addr, elem_ptr)
        err = _error_slot()
        info = _user_info(info_addr, info_len, err, view_type)
        unused = _null()
        whole_rows = row_length and dense and base == 0 and start % rows == 0 and stop % rows == 0
        if whole_rows and _same_address(data_addr, values_addr):
            # In place: the values are read through the pointer the callback writes, so that
            # LLVM sees each store land on the element its iteration read and vectorizes
            # without the segment copy below.
            for r in range((start // rows) & _DENSE_MASK, (stop // rows) & _DENSE_MASK):
                row = r * rows
                for j in range(rows):
                    user(data, at(r, j), data[row + j], info, unused)
        elif whole_rows:
            local = _segment_buffer(elem_ptr)
            for r in range((start // rows) & _DENSE_MASK, (stop // rows) & _DENSE_MASK):
                row = r * rows
                for s in range(0, rows, _SEGMENT):
                    n = min(_SEGMENT, rows - s)
                    for j in range(n):
                        local[j] = values[row + s + j]
                    for j in range(n):
                        user(data, at(r, s + j), local[j], info, unused)
        elif dense:
            first = (base + start) & _DENSE_MASK
            for k in range(max(stop - start, 0) & _DENSE_MASK):
                user(data, np.uint64(first + k), values[start + k], info, unused)
        else:
            for i in range(start, stop):
                off = base + _offset(i, shape, strides, ndim)
                user(data, np.uint64(off & _OFFSET_MASK), values[i], info, unused)
        if err[0]:
            bad[0] = err[1]
            return 1
        return 0

    return run


class CompiledPass:
    """A compiled pass: its entry point in this process, and what it takes to load it in another.

    Attributes
    ----------
    address : int
        The entry point (valid while this object lives).
    symbol : str
        Its name in ``object_code``.
    object_code : bytes
        The relocatable object (ELF on Linux) holding the pass and everything it calls.
    plain_offsets : str or None
        Why a row-by-row pass gives the callback plain uint64 offsets rather than RowOffsets
        (the error that typing the callback with a RowOffset gave); None where it does not.
    record_references : str or None
        Why a pass that only flags a bad index gives the callback references to user_info's
        records rather than ReadOnlyRecords (the error that typing it with them gave); None
        where it does not.
    """

    def __init__(self, address, symbol, object_code, library):
        self.address = address
        self.symbol = symbol
        self.object_code = object_code
        self.plain_offsets = None
        self.record_references = None
        self._library = library  # owns the code


_serial = itertools.count()


def compile_pass(
    kind: str,
    func,
    element: str,
    info_dtype: np.dtype,
    symbol: str | None = None,
    *,
    bounds_check: bool = True,
    record_bad_index: bool = True,
    row_length: int | None = None,
) -> CompiledPass:
    """Compile the ``kind`` pass of ``func`` for ``element`` data and ``info_dtype`` user_info.

    ``row_length`` (the dense layout's last extent), when given, is compiled in: dense calls
    whose ``[start, stop)`` are whole rows (and ``base`` 0) then loop row by row, which lets
    LLVM simplify offset arithmetic (the results are the same for any value).

    ``record_bad_index=False`` makes the check only flag an index outside user_info (the
    pass returns 1 with ``*bad_index`` untouched): the loop then vectorizes; a pass compiled
    with ``True`` run again names the index. ``bounds_check=False`` gives the callback a
    plain pointer, as on the GPU: only for measuring what the check costs
    (benchmarks/fft_cpu_callback_warm.py).

    Raises
    ------
    CompileError
        Where Numba cannot compile the callback for these types (the message is condensed
        and names the callback; Numba's error is the ``__cause__``).
    """
    py = getattr(func, "py_func", func)
    what = describe_callback(func, kind)
    symbol = symbol or f"nvmath_cpu_{kind}_{next(_serial)}"
    elem_ptr = types.CPointer(from_dtype(np.dtype(element)))
    info_type = from_dtype(np.dtype(info_dtype))
    if not bounds_check:
        _support_record_pointer(types.CPointer(info_type))
    maker = _make_prolog_pass if kind == "prolog" else _make_epilog_pass

    def jit(row_offsets, read_only_records):
        if bounds_check:
            view_type = BoundedPointer(info_type, record_bad_index, read_only_records)
        else:
            view_type = types.CPointer(info_type)
        user = njit(py, inline="always")
        # numpy's error model, as on the GPU: no exception for a division by zero.
        return njit(PASS_ARG_TYPES, no_cpython_wrapper=True, error_model="numpy", nogil=True)(
            maker(user, elem_ptr, view_type, int(row_length or 0), row_offsets)
        )

    # The fast forms first (RowOffset offsets, read-only records); where the callback does
    # something with its offset or records that they do not type, the plain forms (their
    # error, where the callback does not compile at all, is the one raised).
    read_only = (
        bounds_check
        and not record_bad_index
        and isinstance(info_type, types.Record)
        and info_type.size in ReadOnlyRecord.SIZES
    )
    attempts = [
        (r, o) for r in ((True, False) if row_length else (False,)) for o in ((True, False) if read_only else (False,))
    ]
    why_not = {}
    try:
        for k, (row_offsets, read_only_records) in enumerate(attempts):
            try:
                run = jit(row_offsets, read_only_records)
                break
            except (numba_errors.NumbaError, KeyError, NotImplementedError) as e:
                if k == len(attempts) - 1:
                    raise
                reason = condense_numba_error(e) if isinstance(e, numba_errors.NumbaError) else repr(e)
                if row_offsets:
                    why_not.setdefault("plain_offsets", reason)
                if read_only_records:
                    why_not.setdefault("record_references", reason)
    except numba_errors.NumbaError as e:
        details = condense_numba_error(e)
        if 'File "' not in details and describe_location(py):
            details += f"\n  in the function defined at {describe_location(py)}"
        raise CompileError(
            f"cannot compile {what} (expected {expected_signature(kind)}, data of {element}, user_info of "
            f"{describe_dtype(info_dtype)}) for the CPU:\n  {details}"
        ) from e
    except KeyError as e:  # Numba's way of saying that a record has no such field
        error = unknown_field_error(e, py, what, np.dtype(info_dtype))
        if error is None:
            raise
        raise error from e
    compiled = _entry_point(run.overloads[PASS_ARG_TYPES], symbol)
    if row_length and not row_offsets:
        compiled.plain_offsets = why_not.get("plain_offsets")
    if read_only and not read_only_records:
        compiled.record_references = why_not.get("record_references")
    return compiled


def _entry_point(cres, symbol: str) -> CompiledPass:
    """A C function ``symbol`` around the Numba-ABI pass, compiled with it into one object."""
    context = cpu_target.target_context
    module = context.create_module(f"nvmath_{symbol}")
    i64 = ir.IntType(64)
    fn = ir.Function(module, ir.FunctionType(i64, [context.get_value_type(t) for t in PASS_ARG_TYPES]), symbol)
    call_conv = context.call_conv
    inner = ir.Function(module, call_conv.get_function_type(_I64, PASS_ARG_TYPES), cres.fndesc.mangled_name)
    builder = ir.IRBuilder(fn.append_basic_block("entry"))
    status, result = call_conv.call_function(builder, inner, _I64, PASS_ARG_TYPES, list(fn.args))
    builder.ret(builder.select(status.is_ok, result, i64(-2)))
    with global_compiler_lock:
        library = context.codegen().create_library(f"nvmath_{symbol}")
        library.enable_object_caching()
        library.add_ir_module(module)
        library.add_linking_library(cres.library)
        library.finalize()
        address = library.get_pointer_to_function(symbol)
        object_code = bytes(library._get_compiled_object())
    return CompiledPass(address, symbol, object_code, library)
