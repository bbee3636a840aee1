"""Calling LTO-IR device functions from ``numba.cuda.jit`` kernels, with an exact C prototype.

:func:`extern_function` returns an object whose ``call`` a kernel calls like a function
(``saxpy.call(y, x, a, i)``). Lowering declares the
symbol with the exact C prototype (pointers, integers, floats; ``void`` returns nothing) and
attaches the LTO-IR to the kernel's code library, so nvJitLink links it in and the user passes
no ``link=``. Array arguments are passed as pointers to their first element.
"""

from __future__ import annotations

import hashlib
import logging

from nvmath._internal.environment import choice, flag
from nvmath.jit.cabi import CSignature

from ._object import DeviceObject

__all__ = ["extern_function", "ExternFunction"]

_POINTEE_TYPES: dict = {}


class ExternFunction(DeviceObject):
    """A device function defined in LTO-IR, callable from Numba kernels as ``fn.call(...)``.

    Kernels capture the object itself (module-like, as :class:`~nvmath.device.FFT`), so that
    nvmath's kernel cache can key them on the symbol, the prototype and the LTO-IR.

    Attributes
    ----------
    symbol : str
    c_signature : CSignature
    ltoir : bytes
    call : device function
        The Numba intrinsic that calls ``symbol``.
    """

    def __init__(self, symbol: str, c_signature: CSignature, ltoir: bytes, min_bytes=None, owner=None):
        for ct in (*c_signature.arg_types, c_signature.return_type):
            if ct.kind == "complex":
                raise TypeError(
                    f"{symbol}: by-value complex C types are not supported for calls from kernels (pass a pointer)"
                )
        ltoir = bytes(ltoir)
        # What a kernel calling this function depends on: the symbol, its prototype, the code.
        self.min_bytes = dict(sorted((min_bytes or {}).items()))
        self.owner = owner or symbol
        fingerprint = (
            f"extern:{symbol}:{c_signature}:{hashlib.sha256(ltoir).hexdigest()}:{sorted(self.min_bytes.items())}"
        )
        super().__init__(f"nvmath.device.extern[{symbol}]", fingerprint)
        self.symbol, self.c_signature, self.ltoir = symbol, c_signature, ltoir
        self.call = _make_intrinsic(self)

    def __repr__(self):
        return f"ExternFunction({self.symbol!r}, {self.c_signature}, {len(self.ltoir)} bytes of LTO-IR)"

    @property
    def intrinsic(self):
        """The same as :attr:`call`."""
        return self.call


def extern_function(symbol: str, c_signature, ltoir, *, min_bytes=None, owner=None) -> ExternFunction:
    """Wrap LTO-IR exporting ``symbol`` with C prototype ``c_signature`` for use in kernels.

    Parameters
    ----------
    symbol : str
    c_signature : CSignature or (return, [args])
        In C type names (``"void"``, ``"float*"``, ``"int"``...).
    ltoir : bytes or nvmath.jit.ltoir.LTOIR
    min_bytes : dict, optional
        ``{parameter index: (bytes, name)}``: an array passed there must span at least that
        many bytes. Checked in the kernel (free where the array's length is a compile-time
        constant, as for ``cuda.local.array``); a shorter array prints what it holds and what
        is needed, then fails the launch with a device-side assertion.
    owner : str, optional
        How messages name the function (``"FFT.execute"``...).

    Examples
    --------
    >>> scale = extern_function("scale", ("void", ["float*", "int", "float"]), ltoir)  # doctest: +SKIP
    >>> @nvmath.device.jit                                                            # doctest: +SKIP
    ... def kernel(x):
    ...     scale.call(x, x.size, 2.0)
    """
    csig = c_signature if isinstance(c_signature, CSignature) else CSignature.parse(*c_signature)
    return ExternFunction(symbol, csig, ltoir, min_bytes, owner)


def _llvm_type(module, ct):
    from llvmlite import ir

    from nvmath.jit._numba_backend import _llvm_ctype

    # Pointers in the generic address space, untyped, as C++ declares them.
    return ir.IntType(8).as_pointer() if ct.kind == "pointer" else _llvm_ctype(module, ct)


def _pointee_types():
    """C pointee type → the Numba types of arrays accepted for it (the first one: the type a
    number passed by address is converted to). numba-cuda has no arrays of bfloat16: its bits
    live in 16-bit integer arrays."""
    from numba import types

    from . import vector_types_numba as _vectors

    return {
        "float16": (types.float16,),
        "bfloat16": (types.uint16, types.int16),
        # complex half and bf16: interleaved (re, im) in arrays of twice the length
        "complex_half": (types.float16,),
        "complex_bfloat16": (types.uint16, types.int16),
        "float": (types.float32,),
        "double": (types.float64,),
        # complex: Numba's type, or the vector type of the same layout (the value types' in kernels)
        "float2": (types.complex64, _vectors.float32x2_type),
        "double2": (types.complex128, _vectors.float64x2_type),
        "int32": (types.int32,),
        "int64": (types.int64,),
        "uint32": (types.uint32,),
        "uint64": (types.uint64,),
    }


def array_dtype(c_name: str):
    """The Numba type of the arrays a kernel passes for C pointee type ``c_name`` (for bf16 and
    complex half/bf16, the storage type: ``uint16``, ``float16`` in (re, im) pairs)."""
    global _POINTEE_TYPES
    if not _POINTEE_TYPES:
        _POINTEE_TYPES = _pointee_types()
    return _POINTEE_TYPES[c_name][0]


def _bfloat16_bits(builder, context, value, ty):
    """``value`` (a Numba number of type ``ty``) rounded to bfloat16 (to nearest, ties to even),
    as its 16-bit pattern."""
    from llvmlite import ir
    from numba import types

    i32 = ir.IntType(32)
    bits = builder.bitcast(context.cast(builder, value, ty, types.float32), i32)
    is_nan = builder.fcmp_unordered("uno", builder.bitcast(bits, ir.FloatType()), builder.bitcast(bits, ir.FloatType()))
    odd = builder.and_(builder.lshr(bits, ir.Constant(i32, 16)), ir.Constant(i32, 1))
    rounded = builder.lshr(builder.add(bits, builder.add(ir.Constant(i32, 0x7FFF), odd)), ir.Constant(i32, 16))
    result = builder.select(is_nan, ir.Constant(i32, 0x7FC0), rounded)
    return builder.trunc(result, ir.IntType(16))


def array_checks_enabled() -> bool:
    """Whether kernels compiled from now on check the arrays they pass to device functions.

    On unless the environment variable ``NVMATH_DEVICE_ARRAY_CHECKS`` is ``0`` (or ``false``,
    ``no``, ``off``): a kernel whose arrays are known to be long enough may drop the check's
    few uniform instructions per call (1.6% of a one-block, two-GEMM kernel on an H200;
    nothing where the lengths are compile-time constants). Read when a kernel is compiled; the
    kernel cache keys on it. Another value keeps the checks, with a warning."""
    return flag("NVMATH_DEVICE_ARRAY_CHECKS", True, logger=logging.getLogger("nvmath.device"), what="the checks")


#: How a failed array-length check reports (``NVMATH_DEVICE_ARRAY_CHECK_REPORT``, read when a
#: kernel is compiled): ``"record"`` (the default) writes the short argument's message into
#: mapped host memory, then traps (no system call: see :mod:`._array_check_record`; the host
#: reads it with :func:`nvmath.device.array_check_failure` and logs it at exit); ``"print"``
#: prints each short argument's size, then asserts; ``"assert"`` asserts once a short argument,
#: the message naming it and the bytes it needs (no ``vprintf``, so no stack frame); ``"trap"``
#: only stops the kernel (no message). A kernel with ``vprintf`` or ``__assertfail`` anywhere
#: costs more at each synchronization and the launch after it (about 75 us on an H100).
ARRAY_CHECK_REPORTS = ("record", "print", "assert", "trap")


def array_check_report() -> str:
    """The report a failed array-length check makes in kernels compiled from now on: one of
    :data:`ARRAY_CHECK_REPORTS`, ``"record"`` unless ``NVMATH_DEVICE_ARRAY_CHECK_REPORT`` names
    another (an unknown value keeps ``"record"``, with a warning). The kernel cache keys on it."""
    return choice(
        "NVMATH_DEVICE_ARRAY_CHECK_REPORT",
        ARRAY_CHECK_REPORTS,
        "record",
        logger=logging.getLogger("nvmath.device"),
        what="the checks record their message",
    )


def _check_lengths(context, builder, fn, arrays):
    """Fail the kernel, saying which argument is short, if any of ``arrays`` (a list of
    ``(numba type, value, index, bytes needed, name)``) spans fewer bytes than needed.

    One compare per array and one branch per call: the counts are compared in elements (no
    multiply), and the report is a function of its own, never inlined, so that its stack
    buffer and calls cost the kernel nothing where the check passes (inline, they took a stack
    frame zeroed on entry and ~40 instructions a warp in a two-GEMM kernel of nvmath-python's
    examples)."""
    from llvmlite import ir

    i64 = ir.IntType(64)
    counts, wanted, short = [], [], None
    for ty, value, index, need, name in arrays:
        itemsize = context.get_abi_sizeof(context.get_data_type(ty.dtype))
        count = context.make_array(ty)(context, builder, value).nitems
        want = -(-need // itemsize)  # fewer elements than this span fewer than ``need`` bytes
        below = builder.icmp_signed("<", count, ir.Constant(i64, want))
        short = below if short is None else builder.or_(short, below)
        counts.append(count)
        wanted.append((itemsize, index, need, name))
    mode = array_check_report()
    report = _short_array_report(context, builder.module, fn, wanted, mode)
    if mode == "record":
        from . import _array_check_record

        # The record's globals and the module set-up callback that points them at host memory:
        # once a library (numba-cuda keeps its files in a set, but appends a file's callback at
        # every add, which would set the module up once a check site).
        library, definitions = context.active_code_library, _array_check_record.definitions()
        if definitions not in getattr(library, "_linking_files", ()):
            library.add_linking_file(definitions)
    with builder.if_then(short, likely=False):
        builder.call(report, counts)
        # The report never returns. Said so (noreturn, unreachable), nothing is live across the
        # call; as a returning call, LLVM duplicated the code after it into both paths: the
        # device convolution kernel took 80 registers and 2688 SASS instructions, against 64
        # and 1704 now (1664 without the checks; sm_90, read offline).
        builder.unreachable()


def _short_array_report(context, module, fn, wanted, mode):
    """The function ``void report(i64 count, ...)`` of ``module`` that, given the element
    counts of the arrays described by ``wanted`` (``(itemsize, index, bytes needed, name)``
    each), reports the short one(s) as ``mode`` (one of :data:`ARRAY_CHECK_REPORTS`) says and
    fails the launch: made once per description and mode."""
    from llvmlite import ir
    from numba.core import cgutils

    from ._array_check_record import record_text

    # The printed message is the one the record holds.
    texts = [f"nvmath.device: {record_text(fn.owner, index, name, need).decode()}\n" for _, index, need, name in wanted]
    names = ", ".join(name for *_, name in wanted)
    message = f"an array ({names}) is too short for {fn.owner}"
    # Without vprintf, one assertion a short argument, its message naming it and what it needs.
    asserts = [
        f"an array is too short for {fn.owner}: argument {index} ({name}) needs at least {need} bytes"
        for _, index, need, name in wanted
    ]
    symbol = "__nvmath_short_array_" + hashlib.sha1((mode + "".join(texts) + message).encode()).hexdigest()[:16]
    if symbol in module.globals:
        return module.globals[symbol]
    i64, i8p = ir.IntType(64), ir.IntType(8).as_pointer()
    report = ir.Function(module, ir.FunctionType(ir.VoidType(), [i64] * len(wanted)), symbol)
    report.linkage = "internal"
    report.attributes.add("noinline")
    report.attributes.add("cold")
    report.attributes.add("noreturn")
    builder = ir.IRBuilder(report.append_basic_block("entry"))
    if mode == "record":
        _write_record(builder, report, wanted, fn.owner)
        return report
    if mode == "print":
        vprintf = cgutils.get_or_insert_function(module, ir.FunctionType(ir.IntType(32), [i8p, i8p]), "vprintf")
        for count, text, (itemsize, _, need, _) in zip(report.args, texts, wanted):
            nbytes = builder.mul(count, ir.Constant(i64, itemsize))
            with builder.if_then(builder.icmp_signed("<", nbytes, ir.Constant(i64, need))):
                args = cgutils.alloca_once_value(builder, nbytes)
                builder.call(
                    vprintf, [context.insert_string_const_addrspace(builder, text), builder.bitcast(args, i8p)]
                )
    if mode != "trap":
        # CUDA's assert(): the launch fails with cudaErrorAssert ("device-side assert triggered").
        fail = cgutils.get_or_insert_function(
            module, ir.FunctionType(ir.VoidType(), [i8p, i8p, ir.IntType(32), i8p, i64]), "__assertfail"
        )
        where = context.insert_string_const_addrspace(builder, "nvmath.device")

        def assert_fails(text):
            msg = context.insert_string_const_addrspace(builder, text)
            builder.call(fail, [msg, where, ir.Constant(ir.IntType(32), 0), where, ir.Constant(i64, 1)])

        if mode == "print":
            assert_fails(message)
        else:
            for count, text, (itemsize, _, need, _) in zip(report.args, asserts, wanted):
                nbytes = builder.mul(count, ir.Constant(i64, itemsize))
                with builder.if_then(builder.icmp_signed("<", nbytes, ir.Constant(i64, need))):
                    assert_fails(text)
    builder.call(cgutils.get_or_insert_function(module, ir.FunctionType(ir.VoidType(), []), "llvm.trap"), [])
    builder.unreachable()
    return report


def _write_record(builder, report, wanted, owner):
    """The body of the ``"record"`` report: the first failing thread writes the first short
    argument's message into the host record (see :mod:`._array_check_record`), fences at
    system scope and marks it complete; the others wait for that, a bounded while; all trap."""
    from llvmlite import ir

    from . import _array_check_record as rec

    module = builder.module
    i32, i64 = ir.IntType(32), ir.IntType(64)
    i64p = i64.as_pointer()

    def extern_global(ty, name):
        if name in module.globals:
            return module.globals[name]
        gv = ir.GlobalVariable(module, ty, name, addrspace=1)
        gv.linkage = "external"
        return gv

    record_gv = extern_global(i64p, rec.RECORD_SYMBOL)
    claim_gv = extern_global(i32, rec.CLAIM_SYMBOL)

    def asm(text, constraint, args, ret=None):
        fnty = ir.FunctionType(ret or ir.VoidType(), [a.type for a in args])
        return builder.call(ir.InlineAsm(fnty, text, constraint, side_effect=True), args)

    def fence_system():
        asm("membar.sys;", "~{memory}", [])

    fn = report
    record = builder.load(record_gv)
    blocks = {name: fn.append_basic_block(name) for name in ("claim", "write", "wait", "stop")}
    builder.cbranch(builder.icmp_unsigned("==", record, ir.Constant(i64p, None)), blocks["stop"], blocks["claim"])

    builder.position_at_end(blocks["claim"])
    claimed = builder.cmpxchg(claim_gv, ir.Constant(i32, 0), ir.Constant(i32, 1), "monotonic", "monotonic")
    builder.cbranch(builder.extract_value(claimed, 1), blocks["write"], blocks["wait"])

    # The first short argument (the report runs only where one is).
    builder.position_at_end(blocks["write"])
    first = ir.Constant(i32, len(wanted) - 1)
    held = []
    for k in reversed(range(len(wanted))):
        itemsize, _, need, _ = wanted[k]
        nbytes = builder.mul(report.args[k], ir.Constant(i64, itemsize))
        held.append(nbytes)
        first = builder.select(builder.icmp_signed("<", nbytes, ir.Constant(i64, need)), ir.Constant(i32, k), first)
    held.reverse()
    written = fn.append_basic_block("written")
    switch = builder.switch(first, written)
    for k, (_, index, need, name) in enumerate(wanted):
        case = fn.append_basic_block(f"arg{k}")
        switch.add_case(ir.Constant(i32, k), case)
        builder.position_at_end(case)
        builder.store(held[k], builder.gep(record, [ir.Constant(i64, 1)]))
        text = rec.record_text(owner, index, name, need) + b"\0"
        text += b"\0" * (-len(text) % 8)
        for j in range(0, len(text), 8):
            word = int.from_bytes(text[j : j + 8], "little")
            word -= (1 << 64) if word >= (1 << 63) else 0
            slot = builder.gep(record, [ir.Constant(i64, rec.TEXT_OFFSET // 8 + j // 8)])
            builder.store(ir.Constant(i64, word), slot)
        builder.branch(written)
    builder.position_at_end(written)
    fence_system()  # the message before its state, as the host sees them
    state = builder.bitcast(record, i32.as_pointer())
    asm("st.volatile.u32 [$0], $1;", "l,r,~{memory}", [builder.ptrtoint(state, i64), ir.Constant(i32, rec.COMPLETE)])
    fence_system()
    claim = builder.ptrtoint(builder.addrspacecast(claim_gv, i32.as_pointer()), i64)
    asm("st.volatile.u32 [$0], $1;", "l,r,~{memory}", [claim, ir.Constant(i32, rec.COMPLETE)])
    builder.branch(blocks["stop"])

    # The others: until the message is complete (a trap elsewhere may stop the grid first).
    builder.position_at_end(blocks["wait"])
    entry_of_wait = builder.block
    loop = fn.append_basic_block("wait_loop")
    builder.branch(loop)
    builder.position_at_end(loop)
    count = builder.phi(i32)
    count.add_incoming(ir.Constant(i32, 0), entry_of_wait)
    claim = builder.ptrtoint(builder.addrspacecast(claim_gv, i32.as_pointer()), i64)
    seen = asm("ld.volatile.u32 $0, [$1];", "=r,l,~{memory}", [claim], ret=i32)
    nxt = builder.add(count, ir.Constant(i32, 1))
    count.add_incoming(nxt, loop)
    done = builder.or_(
        builder.icmp_unsigned("==", seen, ir.Constant(i32, rec.COMPLETE)),
        builder.icmp_unsigned(">=", nxt, ir.Constant(i32, rec.WAIT_LIMIT)),
    )
    builder.cbranch(done, blocks["stop"], loop)

    builder.position_at_end(blocks["stop"])
    from numba.core import cgutils

    builder.call(cgutils.get_or_insert_function(module, ir.FunctionType(ir.VoidType(), []), "llvm.trap"), [])
    builder.unreachable()


def _complex_half(builder, context, value, ty):
    """``value`` (a Numba number) as cuBLASDx's complex<__half>: two halves, (re, im), packed in
    one 32-bit word (its size and alignment), as a ``float16x2`` is."""
    from llvmlite import ir
    from numba import types

    wide = context.cast(builder, value, ty, types.complex128)
    pair = ir.Constant(ir.VectorType(ir.IntType(16), 2), ir.Undefined)
    for i in range(2):
        # Numba's own float64 -> float16 conversion, so that the kernel's code is the one a
        # float16x2(alpha) would give (ptxas schedules the GEMM's epilogue after it).
        half = context.cast(builder, builder.extract_value(wide, i), types.float64, types.float16)
        if half.type != ir.IntType(16):
            half = builder.bitcast(half, ir.IntType(16))
        pair = builder.insert_element(pair, half, ir.Constant(ir.IntType(32), i))
    return builder.bitcast(pair, ir.IntType(32))


def _make_intrinsic(fn: ExternFunction):
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.core.errors import TypingError
    from numba.cuda import LTOIR
    from numba.extending import intrinsic

    array_dtype("float")  # fills _POINTEE_TYPES (Numba imported now, not at import)
    csig = fn.c_signature
    linkable = LTOIR(fn.ltoir, name=f"{fn.symbol}.ltoir")
    ret_type = {"void": types.void, "int": None, "float": None}.get(csig.return_type.kind)
    if csig.return_type.kind == "int":
        ret_type = getattr(types, f"{'int' if csig.return_type.signed else 'uint'}{csig.return_type.bits}")
    elif csig.return_type.kind == "float":
        ret_type = types.float32 if csig.return_type.bits == 32 else types.float64
    elif csig.return_type.kind == "pointer":
        ret_type = types.voidptr

    def check(i, ty, ct):
        if ct.kind == "pointer":
            ok = isinstance(ty, (types.Array, types.CPointer, types.RawPointer))
            # A number for a typed pointer is passed by address (cuBLASDx's alpha and beta).
            ok = ok or (ct.pointee is not None and isinstance(ty, types.Number))
            if ok and ct.pointee is not None and isinstance(ty, types.Array):
                want = _POINTEE_TYPES[ct.pointee.name]
                if ty.dtype not in want:
                    required = " or ".join(str(t) for t in want)
                    raise TypingError(
                        f"{fn.symbol}: argument {i} is an array of {ty.dtype}; the C prototype "
                        f"{csig} takes {ct} there: an array of {required} is required"
                    )
        elif ct.kind == "int":
            ok = isinstance(ty, (types.Integer, types.Boolean))
        else:
            ok = isinstance(ty, (types.Float, types.Integer))
        if not ok:
            raise TypingError(f"{fn.symbol}: argument {i} is {ty}, which cannot be passed as C type {ct}")

    def typer(typingctx, *args):
        if len(args) != len(csig.arg_types):
            raise TypingError(
                f"{fn.symbol} (C prototype {csig}) takes {len(csig.arg_types)} arguments, got {len(args)}"
            )
        for i, (ty, ct) in enumerate(zip(args, csig.arg_types)):
            check(i, ty, ct)
        sig = ret_type(*args)

        def codegen(context, builder, signature, llargs):
            fnty = ir.FunctionType(
                _llvm_type(builder.module, csig.return_type), [_llvm_type(builder.module, ct) for ct in csig.arg_types]
            )
            callee = cgutils.get_or_insert_function(builder.module, fnty, fn.symbol)
            values = []
            arrays = [
                (signature.args[index], llargs[index], index, need, name)
                for index, (need, name) in fn.min_bytes.items()
                if isinstance(signature.args[index], types.Array)
            ]
            if arrays and array_checks_enabled():
                _check_lengths(context, builder, fn, arrays)
            for ty, value, ct, lty in zip(signature.args, llargs, csig.arg_types, fnty.args):
                if isinstance(ty, types.Array):
                    value = context.make_array(ty)(context, builder, value).data
                elif ct.kind == "pointer" and isinstance(ty, types.Number):
                    if ct.pointee.name == "bfloat16":
                        converted = _bfloat16_bits(builder, context, value, ty)
                    elif ct.pointee.name == "complex_half":
                        converted = _complex_half(builder, context, value, ty)
                    else:
                        converted = context.cast(builder, value, ty, _POINTEE_TYPES[ct.pointee.name][0])
                    value = cgutils.alloca_once_value(builder, converted)
                if ct.kind == "pointer":
                    values.append(builder.bitcast(value, lty) if value.type != lty else value)
                elif ct.kind == "int":
                    values.append(
                        context.cast(builder, value, ty, getattr(types, f"{'int' if ct.signed else 'uint'}{ct.bits}"))
                    )
                else:
                    values.append(context.cast(builder, value, ty, types.float32 if ct.bits == 32 else types.float64))
            context.active_code_library.add_linking_file(linkable)
            result = builder.call(callee, values)
            return context.get_dummy_value() if csig.return_type.kind == "void" else result

        return sig, codegen

    # Numba intrinsics take a fixed parameter list: one per C parameter, each defaulting to None
    # so that a call with too few arguments reaches the typer and its clear message.
    n = len(csig.arg_types)
    params = ", ".join(f"a{i}=None" for i in range(n))
    passed = ", ".join(f"a{i}" for i in range(n))
    namespace = {"typer": typer}
    exec(
        f"def extern_call(typingctx{', ' if n else ''}{params}):\n"
        f"    return typer(typingctx, *[a for a in ({passed}{',' if n == 1 else ''}) if a is not None])\n",
        namespace,
    )
    extern_call = namespace["extern_call"]
    extern_call.__name__ = extern_call.__qualname__ = fn.symbol if fn.symbol.isidentifier() else "extern_call"
    call = intrinsic(extern_call)
    # Marks the intrinsic as linking LTO-IR, for a kernel that captures ``fn.call`` itself.
    call.nvmath_function = fn
    return call
