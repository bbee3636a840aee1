"""One fused kernel for a GPU FFT with a prolog and an epilog: load, cuFFTDx, store.

Where a transform fits (1-D; C2C, R2C or C2R; single or double precision; a size cuFFTDx
computes in one block), :class:`~nvmath.fft.FFT` can run it as one kernel of its own instead
of a cuFFT plan with LTO callbacks (``FFTOptions.fused_kernel``). Each block transforms
``ffts_per_block`` batch rows:

1. load: thread ``x`` of row ``y`` holds the row's elements ``x + i * stride``
   (``stride = size / elements_per_thread``), so each warp reads 32 consecutive elements per
   access where the rows have unit element stride; the prolog, where given, is called for
   each element at its offset. Without a prolog (C2C complex64 over unit-stride rows), the
   "staged" variant reads the rows in 16-byte chunks into shared memory and each thread then
   takes its strided elements from there;
2. the FFT: cuFFTDx's block FFT on the registers (:class:`nvmath.device.FFT`);
3. store: the mirror image, with the epilog called for each element at its offset.

Real transforms use cuFFTDx's default layout of thread data ("natural" complex layout,
"normal" real mode): the real side (the input of R2C, the output of C2R) holds the real
elements ``x + i * stride`` (``i < elements_per_thread``) as reals one after another in the
thread's complex registers (real element ``i`` is the real part of register ``i // 2`` where
``i`` is even, its imaginary part where odd); the complex side holds the ``size // 2 + 1``
complex elements ``x + i * stride`` in register ``i``, as C2C does.

Element ``j`` of batch row ``b`` lies at element offset ``b * dist + j * stride`` of its side
(``Problem.in_dist``/``in_stride``, ``out_dist``/``out_stride``: cuFFT's ``idist``/``istride``
and ``odist``/``ostride``). Rows of another element stride than 1 are read and written element
by element (never staged).

The prolog and epilog are the very LTO-IR that cuFFT would get (compiled by
:func:`~nvmath.fft.callbacks.compile_prolog` / ``compile_epilog``, or given as LTO-IR), with
cuFFT's C prototypes and semantics: the element is ``float``/``double`` on the real side of
R2C and C2R, ``float2``/``double2`` elsewhere; ``offset`` is the element offset in the layout of
:meth:`~nvmath.fft.FFT.get_input_layout` (prolog) or ``get_output_layout`` (epilog),
``user_info`` is the ``data`` pointer, the last argument is null. The kernel declares them
with those prototypes and nvJitLink inlines them. The kernel is a :func:`nvmath.device.jit`
kernel: its linked cubin is kept in :mod:`nvmath.cache` (keyed by the kernel's code, the
cuFFTDx description and the callbacks' LTO-IR), so a later process loads it without
compiling.

Which of cuFFT and this kernel runs is decided by :mod:`nvmath.fft._fused_select`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import math

__all__ = ["Knobs", "Problem", "Callback", "FusedKernel", "unsupported_reason", "candidates", "get_kernel"]

logger = logging.getLogger("nvmath.fft")

_PRECISION = {"complex64": "single", "complex128": "double"}
_MATHDX_PRECISION = {"complex64": "F32", "complex128": "F64"}
_REAL = {"complex64": "float32", "complex128": "float64"}
_ITEMSIZE = {"complex64": 8, "complex128": 16, "float32": 4, "float64": 8}
#: The C type of each element type, as cuFFT's callback prototypes take it.
_C_ELEMENT = {"complex64": "float2", "complex128": "double2", "float32": "float", "float64": "double"}
_FFT_TYPES = ("C2C", "R2C", "C2R")
#: Kernel arguments: source, destination, prolog user_info, epilog user_info, batch, flags
#: (bit 0: staged load, bit 1: staged store; set only where the pointers allow 16-byte chunks).
KERNEL_ARGS = 6
_MAX_THREADS = 1024
#: Dynamic shared memory a block may take on the GPUs the kernel is built for (sm_80 and
#: later allow more than this; 160 KiB leaves room for two blocks on an SM of 228 KiB).
_MAX_SHARED = 160 * 1024
_OPT_IN_SHARED = 48 * 1024
#: Register caps tried for the ~256-thread one-FFT block (see :func:`candidates`).
_REGISTER_CAPS = (64, 48)


@dataclasses.dataclass(frozen=True)
class Knobs:
    """How a fused kernel is shaped.

    Attributes
    ----------
    elements_per_thread, ffts_per_block : int
        cuFFTDx's knobs: each row is transformed by ``size / elements_per_thread`` threads,
        and a block transforms ``ffts_per_block`` rows.
    staged : bool
        Load rows (without a prolog) and store them (without an epilog) in 16-byte chunks
        through shared memory; complex64 only.
    max_registers : int
        Registers a thread may use (the linker's ``-maxrregcount``), so that more blocks fit
        on a multiprocessor; 0 leaves the choice to the compiler.
    """

    elements_per_thread: int
    ffts_per_block: int
    staged: bool = False
    max_registers: int = 0

    def label(self) -> str:
        return (
            f"ept{self.elements_per_thread}_fpb{self.ffts_per_block}"
            + ("_staged" if self.staged else "")
            + (f"_r{self.max_registers}" if self.max_registers else "")
        )

    @classmethod
    def from_label(cls, text: str) -> Knobs:
        """Inverse of :meth:`label` (ValueError for anything else)."""
        parts = str(text).split("_")
        try:
            if not 2 <= len(parts) <= 4 or not parts[0].startswith("ept") or not parts[1].startswith("fpb"):
                raise ValueError
            rest = parts[2:]
            staged = bool(rest) and rest[0] == "staged"
            rest = rest[1:] if staged else rest
            registers = 0
            if rest:
                if len(rest) != 1 or not rest[0].startswith("r") or not rest[0][1:].isdigit():
                    raise ValueError
                registers = int(rest[0][1:])
                if registers <= 0:
                    raise ValueError
            return cls(int(parts[0][3:]), int(parts[1][3:]), staged, registers)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a fused-kernel label such as 'ept16_fpb2_staged' or 'ept16_fpb1_r48'"
            ) from None


class _RowLengths:
    """``in_count``/``out_count`` of a class with ``size`` and ``fft_type``: ``size // 2 + 1``
    on the complex side of a real transform, else ``size``."""

    @property
    def in_count(self) -> int:
        """Elements of one input row."""
        return self.size // 2 + 1 if self.fft_type == "C2R" else self.size

    @property
    def out_count(self) -> int:
        """Elements of one output row."""
        return self.size // 2 + 1 if self.fft_type == "R2C" else self.size


@dataclasses.dataclass(frozen=True)
class Problem(_RowLengths):
    """What a fused kernel is compiled for, besides its knobs and callbacks.

    Attributes
    ----------
    size : int
        The transform length (of the real side for R2C and C2R).
    dtype : {"complex64", "complex128"}
        The precision: the complex type of the transform (the real side of R2C/C2R is
        float32/float64).
    in_dist, out_dist : int
        Elements between the starts of consecutive rows, in the input and in the output.
    direction : {"forward", "inverse"}
    fft_type : {"C2C", "R2C", "C2R"}
    in_stride, out_stride : int
        Elements between consecutive elements of a row, in the input and in the output.
    """

    size: int
    dtype: str
    in_dist: int
    out_dist: int
    direction: str
    fft_type: str = "C2C"
    in_stride: int = 1
    out_stride: int = 1

    @property
    def in_element(self) -> str:
        """The dtype of the input elements (what a prolog returns)."""
        return _REAL[self.dtype] if self.fft_type == "R2C" else self.dtype

    @property
    def out_element(self) -> str:
        """The dtype of the output elements (what an epilog stores)."""
        return _REAL[self.dtype] if self.fft_type == "C2R" else self.dtype

    def unit_stride(self) -> bool:
        return self.in_stride == 1 and self.out_stride == 1

    def describe(self) -> str:
        types = self.dtype if self.fft_type == "C2C" else f"{self.in_element} -> {self.out_element}"
        text = f"{self.direction} {self.fft_type} {types} of size {self.size}"
        text += f", rows {self.in_dist} -> {self.out_dist} apart"
        if not self.unit_stride():
            text += f", elements {self.in_stride} -> {self.out_stride} apart"
        return text


@dataclasses.dataclass(frozen=True)
class Callback:
    """A prolog or epilog as the kernel calls it: LTO-IR exporting ``symbol`` with cuFFT's
    prototype for the element type."""

    kind: str
    symbol: str
    code: bytes

    @property
    def identity(self) -> str:
        """What the kernel depends on: the symbol and a hash of the LTO-IR."""
        return f"{self.kind}:{self.symbol}:{hashlib.sha256(self.code).hexdigest()}"


def unsupported_reason(spec) -> str | None:
    """Why the fused kernel cannot run the transform of ``spec`` (an FFT's plan description),
    or None where it can (cuFFTDx may still refuse the size: :func:`candidates` says)."""
    if spec.fft_type not in _FFT_TYPES:
        return f"it computes C2C, R2C and C2R transforms, not {spec.fft_type}"
    if spec.complex_dtype not in _PRECISION:
        return f"it takes single and double precision (complex64, complex128, float32, float64), not {spec.in_dtype}"
    if len(spec.n) != 1:
        return f"it computes 1-D transforms only, not {len(spec.n)}-D (lengths {spec.n})"
    if spec.in_embed.stride < 1 or spec.out_embed.stride < 1:
        return (
            f"the transformed axis has strides {spec.in_embed.stride} (input) and {spec.out_embed.stride} "
            "(output) elements; it takes positive strides"
        )
    if spec.batch < 1:
        return "the batch is empty"
    return None


def problem_of(spec, direction) -> Problem:
    """The :class:`Problem` of an FFT's plan description in ``direction`` (an FFTDirection)."""
    name = "forward" if int(direction) < 0 else "inverse"
    return Problem(
        spec.n[0],
        spec.complex_dtype,
        spec.in_embed.dist,
        spec.out_embed.dist,
        name,
        spec.fft_type,
        spec.in_embed.stride,
        spec.out_embed.stride,
    )


def _as_target(target):
    """A :class:`~nvmath.jit.arch.Target` from a Target, ``(major, minor)`` or ``"sm_90"``."""
    if hasattr(target, "major"):
        return target
    from nvmath.jit.arch import parse_target

    return parse_target(tuple(target) if isinstance(target, list) else target)


def _fft_spec(problem: Problem, target, knobs: Knobs | None = None):
    from nvmath.device import _cufftdx_engine as engine

    target = _as_target(target)

    return engine.FFTSpec(
        problem.size,
        _MATHDX_PRECISION[problem.dtype],
        problem.fft_type.lower(),
        problem.direction,
        "Block",
        target,
        None if knobs is None else knobs.ffts_per_block,
        None if knobs is None else knobs.elements_per_thread,
    )


def can_stage(problem: Problem, knobs: Knobs, side: str, has_callback: bool) -> bool:
    """Whether the ``side`` ("in" or "out") of a kernel moves rows through shared memory in
    16-byte chunks: staged knobs, C2C complex64 over rows of unit element stride, no callback
    there, and rows of whole chunks."""
    dist = problem.in_dist if side == "in" else problem.out_dist
    return (
        knobs.staged
        and not has_callback
        and problem.fft_type == "C2C"
        and problem.unit_stride()
        and problem.dtype == "complex64"
        and problem.size % 2 == 0
        and dist % 2 == 0
        and knobs.elements_per_thread % 2 == 0
        and problem.size % knobs.elements_per_thread == 0
    )


def candidates(problem: Problem, target, *, has_prolog: bool, has_epilog: bool, limit: int = 3) -> list[Knobs]:
    """The knobs worth timing for ``problem`` on ``target``, best guess first.

    cuFFTDx lists its tuned ``(elements_per_thread, ffts_per_block)`` pairs, best first; the
    first that fits a block (at most 1024 threads and 160 KiB of shared memory) comes first,
    then one-FFT blocks of its width and of the width nearest 256 threads, then the next pairs,
    then the staged variant where a side has no callback (C2C complex64 over unit-stride rows).

    Raises
    ------
    ValueError
        If cuFFTDx has no block FFT of this size and precision for ``target``.
    """
    from nvmath.device import _cufftdx_engine as engine

    pairs = engine.knob_values(_fft_spec(problem, target), ("elements_per_thread", "ffts_per_block"))
    itemsize = _ITEMSIZE[problem.dtype]
    fitting = [
        (e, f)
        for e, f in pairs
        if math.ceil(problem.size / e) * f <= _MAX_THREADS and problem.size * f * itemsize <= _MAX_SHARED
    ]
    if not fitting:
        raise ValueError(f"cuFFTDx has no block FFT for {problem.describe()} that fits a block")
    # Measured on an H200 (4096-point complex64 with an epilog, 2026-12-04): one FFT a block and
    # about 256 threads an FFT beat cuFFTDx's first pair (1.13x a copy against 1.19x), and staging
    # through shared memory lost (1.32x). So: the first pair, then the single-FFT blocks of the
    # ~256-thread width and of the first pair's width, the other pairs, the register-capped and
    # staged variants last.
    first_e = fitting[0][0]
    widths = sorted({e for e, _ in fitting}, key=lambda e: abs(math.ceil(problem.size / e) - 256))
    # The same ~256-thread block with a register cap, last: cuFFT's own 4096-point kernel runs
    # 256 threads at 48 registers (5 blocks a multiprocessor), cuFFTDx's at 56 (4 blocks); capped
    # at 48 it spills and lost (1.23x a copy against 1.13x; 64: 1.14x; H200, 2026-12-04).
    capped = [(widths[0], 1, r) for r in _REGISTER_CAPS if r * math.ceil(problem.size / widths[0]) * 2 <= 65536]
    order = [(*fitting[0], 0), (widths[0], 1, 0), (first_e, 1, 0), *((e, f, 0) for e, f in fitting[1:]), *capped]
    out: list[Knobs] = []
    for e, f, registers in order:
        knobs = Knobs(e, f, max_registers=registers)
        if knobs not in out and math.ceil(problem.size / e) * f <= _MAX_THREADS:
            out.append(knobs)
    staged = Knobs(*fitting[0], staged=True)
    if can_stage(problem, staged, "in", has_prolog) or can_stage(problem, staged, "out", has_epilog):
        out.append(staged)
    return out[: max(1, limit)]


# ---------------------------------------------------------------------------------------------
# Numba intrinsics the kernel calls. Each is made by a factory whose closure holds only
# numbers, strings and bytes, so that nvmath's fingerprint of the kernel (its cache key)
# covers what they generate, the callbacks' LTO-IR included.


def _is_real(dtype: str) -> bool:
    return dtype in ("float32", "float64")


def _scalar(ir, dtype: str):
    return ir.FloatType() if dtype in ("complex64", "float32") else ir.DoubleType()


def _element_vector(ir, dtype: str, count: int):
    return ir.VectorType(_scalar(ir, dtype), 2 * count)


def _vector_pointer(builder, ir, address, index, dtype: str, count: int):
    """``(vector of count elements)*`` at element ``index`` of the array at integer ``address``."""
    base = builder.inttoptr(address, _scalar(ir, dtype).as_pointer())
    first = builder.gep(base, [builder.mul(index, ir.Constant(index.type, 2))])
    return builder.bitcast(first, _element_vector(ir, dtype, count).as_pointer())


def _scalar_pointer(builder, ir, address, index, dtype: str):
    """``float*``/``double*`` at element ``index`` of the real array at integer ``address``."""
    return builder.gep(builder.inttoptr(address, _scalar(ir, dtype).as_pointer()), [index])


def _to_complex(builder, context, nb_type, parts):
    value = context.make_complex(builder, nb_type)
    value.real, value.imag = parts
    return value._getvalue()


def _complex_parts(builder, context, nb_type, value):
    c = context.make_complex(builder, nb_type, value=value)
    return c.real, c.imag


def _numba_type(dtype: str):
    from numba import types

    return {
        "complex64": types.complex64,
        "complex128": types.complex128,
        "float32": types.float32,
        "float64": types.float64,
    }[dtype]


def _as_i64(builder, context, value, ty):
    from numba import types

    return context.cast(builder, value, ty, types.int64)


def _check_count(dtype: str, count: int):
    if count not in (1, 2) or (count != 1 and _is_real(dtype)):
        raise ValueError(f"count={count} for {dtype}: accepted 1 or 2 complex elements, 1 real element")


@functools.cache
def load_intrinsic(dtype: str, count: int):
    """``load(address, index)``: ``count`` consecutive elements (1 or 2; 1 for a real
    ``dtype``) of ``dtype`` from element ``index`` of the array at ``address``, in one vector
    access aligned to its size (one element: the element; two: a 2-tuple)."""
    from numba import types
    from numba.extending import intrinsic

    _check_count(dtype, count)
    align = _ITEMSIZE[dtype] * count

    def fused_load(typingctx, address, index):
        nb = _numba_type(dtype)
        result = nb if count == 1 else types.UniTuple(nb, count)

        def codegen(context, builder, sig, args):
            from llvmlite import ir

            a = _as_i64(builder, context, args[0], sig.args[0])
            i = _as_i64(builder, context, args[1], sig.args[1])
            if _is_real(dtype):
                return builder.load(_scalar_pointer(builder, ir, a, i, dtype), align=align)
            vector = builder.load(_vector_pointer(builder, ir, a, i, dtype, count), align=align)
            values = []
            for k in range(count):
                parts = [builder.extract_element(vector, ir.Constant(ir.IntType(32), 2 * k + j)) for j in range(2)]
                values.append(_to_complex(builder, context, nb, parts))
            return values[0] if count == 1 else context.make_tuple(builder, sig.return_type, values)

        return result(address, index), codegen

    return intrinsic(fused_load)


@functools.cache
def store_intrinsic(dtype: str, count: int):
    """``store(address, index, v0[, v1])``: the mirror of :func:`load_intrinsic`."""
    from numba import types
    from numba.extending import intrinsic

    _check_count(dtype, count)
    align = _ITEMSIZE[dtype] * count

    def codegen_for(nb):
        def codegen(context, builder, sig, args):
            from llvmlite import ir

            a = _as_i64(builder, context, args[0], sig.args[0])
            i = _as_i64(builder, context, args[1], sig.args[1])
            if _is_real(dtype):
                value = context.cast(builder, args[2], sig.args[2], nb)
                builder.store(value, _scalar_pointer(builder, ir, a, i, dtype), align=align)
                return context.get_dummy_value()
            vector = ir.Constant(_element_vector(ir, dtype, count), ir.Undefined)
            for k in range(count):
                value = context.cast(builder, args[2 + k], sig.args[2 + k], nb)
                for j, part in enumerate(_complex_parts(builder, context, nb, value)):
                    vector = builder.insert_element(vector, part, ir.Constant(ir.IntType(32), 2 * k + j))
            builder.store(vector, _vector_pointer(builder, ir, a, i, dtype, count), align=align)
            return context.get_dummy_value()

        return codegen

    if count == 1:

        def fused_store(typingctx, address, index, value):
            return types.void(address, index, value), codegen_for(_numba_type(dtype))

    else:

        def fused_store(typingctx, address, index, v0, v1):
            return types.void(address, index, v0, v1), codegen_for(_numba_type(dtype))

    return intrinsic(fused_store)


@functools.cache
def pack_intrinsic(dtype: str):
    """``pack(a, b)``: the ``dtype`` (complex) value ``a + b j``, the parts converted to its
    precision: two real elements in one register of thread data."""
    from numba.extending import intrinsic

    def fused_pack(typingctx, re, im):
        nb = _numba_type(dtype)
        part = nb.underlying_float

        def codegen(context, builder, sig, args):
            parts = [context.cast(builder, v, t, part) for v, t in zip(args, sig.args)]
            return _to_complex(builder, context, nb, parts)

        return nb(re, im), codegen

    return intrinsic(fused_pack)


def _declare_callback(builder, ir, kind: str, symbol: str, dtype: str):
    """The callback's declaration with cuFFT's C prototype (the element by value: a float or
    double, or a float2/double2 aligned as CUDA's)."""
    from numba.core import cgutils

    from nvmath.jit._numba_backend import _annotate_alignment, _llvm_ctype
    from nvmath.jit.cabi import ctype

    module = builder.module
    element_ct = ctype(_C_ELEMENT[dtype])
    element = _llvm_ctype(module, element_ct)
    void_p, u64 = ir.IntType(8).as_pointer(), ir.IntType(64)
    if kind == "prolog":
        fnty = ir.FunctionType(element, [void_p, u64, void_p, void_p])
    else:
        fnty = ir.FunctionType(ir.VoidType(), [void_p, u64, element, void_p, void_p])
    fn = cgutils.get_or_insert_function(module, fnty, symbol)
    if not _is_real(dtype) and not getattr(fn, "_nvmath_annotated", False):
        _annotate_alignment(module, fn, 0 if kind == "prolog" else 3, element_ct.alignment)
        fn._nvmath_annotated = True
    return fn, element


def _link_callback(context, symbol: str, code: bytes):
    """Attach the callback's LTO-IR to the kernel once, however many calls the kernel makes
    (numba-cuda keeps linking files in a set of objects: a second object would define the
    symbol twice)."""
    from numba.cuda import LTOIR

    library = context.active_code_library
    name = f"{symbol}.ltoir"
    if not any(getattr(item, "name", None) == name for item in getattr(library, "_linking_files", ())):
        library.add_linking_file(LTOIR(code, name=name))


@functools.lru_cache(maxsize=64)
def prolog_intrinsic(symbol: str, code: bytes, dtype: str):
    """``prolog(data_in, offset, user_info)``: the prolog's value (of ``dtype``, the input's
    element type) for element ``offset`` (the addresses as integers; the shared-memory
    argument is null)."""
    from numba.extending import intrinsic

    def fused_prolog(typingctx, data_in, offset, user_info):
        nb = _numba_type(dtype)

        def codegen(context, builder, sig, args):
            from llvmlite import ir

            fn, _ = _declare_callback(builder, ir, "prolog", symbol, dtype)
            void_p = ir.IntType(8).as_pointer()
            data = builder.inttoptr(_as_i64(builder, context, args[0], sig.args[0]), void_p)
            info = builder.inttoptr(_as_i64(builder, context, args[2], sig.args[2]), void_p)
            off = _as_i64(builder, context, args[1], sig.args[1])
            _link_callback(context, symbol, code)
            result = builder.call(fn, [data, off, info, ir.Constant(void_p, None)])
            if _is_real(dtype):
                return result
            parts = [builder.extract_value(result, j) for j in range(2)]
            return _to_complex(builder, context, nb, parts)

        return nb(data_in, offset, user_info), codegen

    return intrinsic(fused_prolog)


@functools.lru_cache(maxsize=64)
def epilog_intrinsic(symbol: str, code: bytes, dtype: str):
    """``epilog(data_out, offset, value, user_info)``: the epilog called for element
    ``offset`` with ``value`` (converted to ``dtype``, the output's element type; the
    shared-memory argument is null)."""
    from numba import types
    from numba.extending import intrinsic

    def fused_epilog(typingctx, data_out, offset, value, user_info):
        nb = _numba_type(dtype)

        def codegen(context, builder, sig, args):
            from llvmlite import ir

            fn, element = _declare_callback(builder, ir, "epilog", symbol, dtype)
            void_p = ir.IntType(8).as_pointer()
            data = builder.inttoptr(_as_i64(builder, context, args[0], sig.args[0]), void_p)
            info = builder.inttoptr(_as_i64(builder, context, args[3], sig.args[3]), void_p)
            off = _as_i64(builder, context, args[1], sig.args[1])
            v = context.cast(builder, args[2], sig.args[2], nb)
            if _is_real(dtype):
                aggregate = v
            else:
                aggregate = ir.Constant(element, ir.Undefined)
                for j, part in enumerate(_complex_parts(builder, context, nb, v)):
                    aggregate = builder.insert_value(aggregate, part, j)
            _link_callback(context, symbol, code)
            builder.call(fn, [data, off, aggregate, info, ir.Constant(void_p, None)])
            return context.get_dummy_value()

        return types.void(data_out, offset, value, user_info), codegen

    return intrinsic(fused_epilog)


# ---------------------------------------------------------------------------------------------
# The kernel's source: generated with every loop unrolled, so that the thread data stays in
# registers (cuFFTDx's execute is inlined by nvJitLink, after Numba has compiled the loops).


@dataclasses.dataclass(frozen=True)
class _Shape(_RowLengths):
    size: int
    ept: int
    stride: int  # threads per row
    fpb: int
    storage: int
    in_dist: int
    out_dist: int
    prolog: bool
    epilog: bool
    stage_in: bool
    stage_out: bool
    fft_type: str = "C2C"
    in_stride: int = 1  # elements between a row's elements
    out_stride: int = 1


def _guarded(shape: _Shape, i: int, count: int | None = None) -> bool:
    """Whether element ``i`` of the last threads can fall beyond the row of ``count`` elements
    (default: the size; sizes that are not a multiple of the elements per thread)."""
    return (shape.stride - 1) + i * shape.stride >= (shape.size if count is None else count)


def _complex_slots(shape: _Shape, count: int) -> range:
    """The registers holding a row of ``count`` complex elements: all ``ept`` for C2C (as
    ever); on the complex side of R2C/C2R, those some thread fills."""
    if shape.fft_type == "C2C":
        return range(shape.ept)
    return range(min(shape.storage, -(-count // shape.stride)))


def _base(dist: int, stride: int, name: str) -> str:
    return f"    {name} = row * {dist} + " + ("tx" if stride == 1 else f"tx * {stride}")


def kernel_source(shape: _Shape) -> str:
    """The Python source of the fused kernel ``fused_fft`` for ``shape``."""
    s, n = shape.stride, shape.size
    si, so = shape.in_stride, shape.out_stride
    lines = [
        "def fused_fft(src, dst, in_info, out_info, batch, flags):",
        f"    td = cuda.local.array({shape.storage}, vtype)",
        "    smem = cuda.shared.array(0, vtype)",
        "    tx = cuda.threadIdx.x",
        "    ty = cuda.threadIdx.y",
        f"    row = cuda.blockIdx.x * {shape.fpb} + ty",
        "    live = row < batch",
        _base(shape.in_dist, si, "ib"),
        _base(shape.out_dist, so, "ob"),
    ]

    def read(i):
        return f"_prolog(src, ib + {i * s * si}, in_info)" if shape.prolog else f"_load(src, ib + {i * s * si})"

    def write(i, value):
        off = f"ob + {i * s * so}"
        return f"_epilog(dst, {off}, {value}, out_info)" if shape.epilog else f"_store(dst, {off}, {value})"

    def direct_load(indent):
        if shape.fft_type == "R2C":
            # Real elements x + i * stride, two to a register (cuFFTDx's real layout); those
            # beyond the row are zero.
            count = shape.ept + shape.ept % 2
            out = [f"{indent}r{i} = rzero" for i in range(count)]
            out.append(f"{indent}if live:")
            for i in range(shape.ept):
                if _guarded(shape, i):
                    out += [f"{indent}    if tx + {i * s} < {n}:", f"{indent}        r{i} = {read(i)}"]
                else:
                    out.append(f"{indent}    r{i} = {read(i)}")
            out += [f"{indent}td[{m}] = _pack(r{2 * m}, r{2 * m + 1})" for m in range(count // 2)]
            return out
        count = shape.in_count
        out = [f"{indent}if live:"]
        for i in _complex_slots(shape, count):
            if _guarded(shape, i, count):
                out += [f"{indent}    if tx + {i * s} < {count}:", f"{indent}        td[{i}] = {read(i)}"]
            else:
                out.append(f"{indent}    td[{i}] = {read(i)}")
        return out

    def direct_store(indent):
        out = [f"{indent}if live:"]
        if shape.fft_type == "C2R":
            elements = [(i, f"td[{i // 2}].{'imag' if i % 2 else 'real'}") for i in range(shape.ept)]
            count = n
        else:
            count = shape.out_count
            elements = [(i, f"td[{i}]") for i in _complex_slots(shape, count)]
        for i, value in elements:
            if _guarded(shape, i, count):
                out += [f"{indent}    if tx + {i * s} < {count}:", f"{indent}        {write(i, value)}"]
            else:
                out.append(f"{indent}    {write(i, value)}")
        return out

    if shape.stage_in:
        lines += [
            "    if flags & 1:",
            "        if live:",
            f"            pb = row * {shape.in_dist} + 2 * tx",
            f"            sb = ty * {n} + 2 * tx",
        ]
        for m in range(shape.ept // 2):
            lines += [
                f"            a{m}, b{m} = _load2(src, pb + {2 * m * s})",
                f"            smem[sb + {2 * m * s}] = a{m}",
                f"            smem[sb + {2 * m * s + 1}] = b{m}",
            ]
        lines += ["        cuda.syncthreads()", f"        sr = ty * {n} + tx"]
        lines += [f"        td[{i}] = smem[sr + {i * s}]" for i in range(shape.ept)]
        lines += ["        cuda.syncthreads()", "    else:"]
        lines += direct_load("        ")
    else:
        lines += direct_load("    ")
    lines.append("    fft.execute(td, smem)")
    if shape.stage_out:
        lines += [
            "    if flags & 2:",
            "        cuda.syncthreads()",
            f"        sw = ty * {n} + tx",
        ]
        lines += [f"        smem[sw + {i * s}] = td[{i}]" for i in range(shape.ept)]
        lines += [
            "        cuda.syncthreads()",
            "        if live:",
            f"            pb = row * {shape.out_dist} + 2 * tx",
            f"            sb = ty * {n} + 2 * tx",
        ]
        for m in range(shape.ept // 2):
            lines.append(
                f"            _store2(dst, pb + {2 * m * s}, smem[sb + {2 * m * s}], smem[sb + {2 * m * s + 1}])"
            )
        lines.append("    else:")
        lines += direct_store("        ")
    else:
        lines += direct_store("    ")
    return "\n".join(lines) + "\n"


class FusedKernel:
    """The fused kernel of one problem, knobs and pair of callbacks, for one target.

    Parameters
    ----------
    problem : Problem
    knobs : Knobs
    prolog, epilog : Callback or None
    target : nvmath.jit.arch.Target or (major, minor)

    Raises
    ------
    ValueError
        If cuFFTDx refuses the problem with these knobs, or the block it asks for does not fit.
    """

    def __init__(self, problem: Problem, knobs: Knobs, prolog: Callback | None, epilog: Callback | None, target):
        from numba import cuda

        from nvmath.device import FFT
        from nvmath.device.kernel_cache import jit

        cc = tuple(getattr(target, "cc", target))
        self.problem, self.knobs, self.target = problem, knobs, cc
        self.fft = FFT(
            problem.size,
            _PRECISION[problem.dtype],
            problem.fft_type.lower(),
            "Block",
            sm=cc,
            direction=problem.direction,
            elements_per_thread=knobs.elements_per_thread,
            ffts_per_block=knobs.ffts_per_block,
        )
        block = tuple(self.fft.block_dim)
        stride, fpb = self.fft.stride, self.fft.ffts_per_block
        if block[0] != stride or block[1] != fpb or block[2] != 1 or stride * fpb > _MAX_THREADS:
            raise ValueError(
                f"cuFFTDx's block for {problem.describe()} with {knobs.label()} is {block}; the fused kernel "
                f"needs ({stride}, {fpb}, 1) with at most {_MAX_THREADS} threads"
            )
        self.shape = _Shape(
            size=problem.size,
            ept=self.fft.elements_per_thread,
            stride=stride,
            fpb=fpb,
            storage=self.fft.storage_size,
            in_dist=problem.in_dist,
            out_dist=problem.out_dist,
            prolog=prolog is not None,
            epilog=epilog is not None,
            stage_in=can_stage(problem, knobs, "in", prolog is not None),
            stage_out=can_stage(problem, knobs, "out", epilog is not None),
            fft_type=problem.fft_type,
            in_stride=problem.in_stride,
            out_stride=problem.out_stride,
        )
        if problem.fft_type != "C2C":
            # The layout the kernel assumes: every real element in a thread's registers, every
            # complex one in a register of its own.
            half = problem.size // 2 + 1
            if stride * self.shape.ept < problem.size or stride * self.shape.storage < half:
                raise ValueError(
                    f"cuFFTDx's thread data for {problem.describe()} with {knobs.label()} ({self.shape.ept} "
                    f"elements, {self.shape.storage} registers a thread, {stride} threads a row) does not "
                    f"hold {problem.size} reals and {half} complex values a row"
                )
        self.block = block
        staging = problem.size * fpb * _ITEMSIZE[problem.dtype] if (self.shape.stage_in or self.shape.stage_out) else 0
        self.shared_memory = max(int(self.fft.shared_memory_size or 0), staging)
        if self.shared_memory > _MAX_SHARED:
            raise ValueError(
                f"the fused kernel for {problem.describe()} with {knobs.label()} needs {self.shared_memory} bytes "
                f"of shared memory; at most {_MAX_SHARED} are used"
            )
        import numpy as np

        namespace = {
            "cuda": cuda,
            "fft": self.fft,
            "vtype": _numba_type(problem.dtype),
            "rzero": np.dtype(_REAL[problem.dtype]).type(0),
            "_load": load_intrinsic(problem.in_element, 1),
            "_store": store_intrinsic(problem.out_element, 1),
            "_load2": load_intrinsic(problem.dtype, 2),
            "_store2": store_intrinsic(problem.dtype, 2),
            "_pack": pack_intrinsic(problem.dtype),
        }
        if prolog is not None:
            namespace["_prolog"] = prolog_intrinsic(prolog.symbol, bytes(prolog.code), problem.in_element)
        if epilog is not None:
            namespace["_epilog"] = epilog_intrinsic(epilog.symbol, bytes(epilog.code), problem.out_element)
        self.source = kernel_source(self.shape)
        exec(compile(self.source, f"<nvmath fused FFT {knobs.label()}>", "exec"), namespace)
        self.dispatcher = jit(namespace["fused_fft"], max_registers=knobs.max_registers or None)
        self._launchers: dict = {}
        self._prepared = False

    @staticmethod
    def signature():
        """The kernel's argument types (all int64: addresses, batch, flags)."""
        from numba import types

        return (types.int64,) * KERNEL_ARGS

    def describe(self) -> str:
        return (
            f"fused cuFFTDx kernel {self.knobs.label()} for {self.problem.describe()}: block {self.block}, "
            f"{self.shared_memory} bytes of shared memory"
            + (", staged load" if self.shape.stage_in else "")
            + (", staged store" if self.shape.stage_out else "")
        )

    def prepare(self):
        """Compile (or load from the cache) for the current device, and let the kernel take its
        shared memory. Needs the device current."""
        if self._prepared:
            return
        kernel = self.dispatcher.compile(self.signature())
        if self.shared_memory > _OPT_IN_SHARED:
            from numba.cuda.cudadrv.driver import binding, driver

            cufunc = kernel._codelibrary.get_cufunc()
            attribute = binding.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
            driver.cuKernelSetAttribute(attribute, self.shared_memory, cufunc.handle, cufunc.device.id)
        self._prepared = True

    def flags(self, src: int, dst: int) -> int:
        """The staging flags for these addresses (chunks need 16-byte aligned rows)."""
        flags = 0
        if self.shape.stage_in and src % 16 == 0:
            flags |= 1
        if self.shape.stage_out and dst % 16 == 0:
            flags |= 2
        return flags

    def launch(self, src: int, dst: int, in_info: int, out_info: int, batch: int, stream_handle: int):
        """Queue the transform of ``batch`` rows from ``src`` to ``dst`` on the stream."""
        launcher = self._launchers.get(stream_handle)
        if launcher is None:
            from numba import cuda

            self.prepare()
            stream = cuda.external_stream(stream_handle) if stream_handle else 0
            launcher = self._launchers[stream_handle] = (self.dispatcher, stream)
        dispatcher, stream = launcher
        grid = (batch + self.shape.fpb - 1) // self.shape.fpb
        dispatcher[grid, self.block, stream, self.shared_memory](
            src, dst, in_info, out_info, batch, self.flags(src, dst)
        )


_KERNELS: dict = {}


def get_kernel(problem: Problem, knobs: Knobs, prolog: Callback | None, epilog: Callback | None, target):
    """The :class:`FusedKernel` of these arguments, made once per process."""
    cc = tuple(getattr(target, "cc", target))
    key = (problem, knobs, None if prolog is None else prolog.identity, None if epilog is None else epilog.identity, cc)
    kernel = _KERNELS.get(key)
    if kernel is None:
        kernel = _KERNELS[key] = FusedKernel(problem, knobs, prolog, epilog, cc)
        logger.debug("built the %s", kernel.describe())
    return kernel
