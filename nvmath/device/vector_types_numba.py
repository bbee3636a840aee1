"""Vector types of halves, floats and doubles for ``numba.cuda.jit`` kernels (nvmath-python's
``nvmath.device.vector_types_numba``).

``float16x2(x, y)``, ``float16x4(x, y, z, w)``, ``float32x2(x, y)`` and ``float64x2(x, y)`` build
values inside kernels; ``v.x``, ``v.y`` (``v.z``, ``v.w``) read their elements; the ``*_type``
objects are the Numba types (``cuda.local.array(n, dtype=float16x4_type)``,
``array.view(float16x2_type)``). They are laid out as CUDA's ``__half2``, ``float2`` and
``double2`` (aligned to their size), which is what the cuFFTDx functions take.

- Halves (``float16x2``, ``float16x4``): ``+``, ``-`` and ``*`` element by element, as CUDA's
  ``__half2`` operators.
- Pairs (``float16x2``, ``float32x2``, ``float64x2``) convert to and from Numba's complex types,
  both ways, implicitly: ``complex_array[i] = float32x2(a, b)`` stores ``a + bj``, and arithmetic
  on a ``float32x2`` or ``float64x2`` is complex arithmetic.

Importing this module imports Numba and registers the types.
"""

from __future__ import annotations

__all__ = [
    "float16x2",
    "float16x4",
    "float32x2",
    "float64x2",
    "float16x2_type",
    "float16x4_type",
    "float32x2_type",
    "float64x2_type",
]

import operator

import numpy as np
from llvmlite import ir
from numba.cuda import types
from numba.cuda.cudadecl import registry as _typing
from numba.cuda.cudaimpl import registry as _lowering
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.typeconv import Conversion
from numba.cuda.typing.templates import AbstractTemplate, AttributeTemplate, bound_function, signature

from . import types as _faces

_FIELDS = ("x", "y", "z", "w")
_PARTS = ("real", "imag")


class VectorType(types.Number):
    """The Numba type of a vector of ``count`` values of ``dtype`` (``float16``, ``float32``,
    ``float64``), laid out as one aligned CUDA vector."""

    def __init__(self, dtype, count: int, make):
        self.dtype = dtype
        self.count = count
        self.bitwidth = dtype.bitwidth * count
        self.make = make
        super().__init__(name=f"float{dtype.bitwidth}x{count}")

    @property
    def key(self):
        return (self.dtype, self.count)

    def can_convert_from(self, typingctx, other):
        # complex -> pair: exact at the same width, else a (possibly lossy) conversion
        if self.count == 2 and isinstance(other, types.Complex):
            if other.bitwidth == self.bitwidth:
                return Conversion.exact
            return Conversion.safe if other.bitwidth < self.bitwidth else Conversion.unsafe
        # real -> pair of float32/float64 (imaginary part 0), as real -> complex
        if self.count == 2 and self.dtype != types.float16 and isinstance(other, (types.Float, types.Integer)):
            return Conversion.safe if getattr(other, "bitwidth", 64) <= self.dtype.bitwidth else Conversion.unsafe
        return None

    def can_convert_to(self, typingctx, other):
        # Not for halves: their arithmetic is element-wise (__half2's), and Numba takes the first
        # template that types a call, so a conversion would let complex arithmetic, registered
        # before these types where a kernel was compiled first, take float16x2 * float16x2 over.
        if self.count == 2 and self.dtype != types.float16 and isinstance(other, types.Complex):
            if other.bitwidth == self.bitwidth:
                return Conversion.exact
            return Conversion.safe if other.bitwidth > self.bitwidth else Conversion.unsafe
        return None


@register_model(VectorType)
class _VectorModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()  # i16 for halves in numba-cuda
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.count))


def _element(builder, value, i):
    return builder.extract_element(value, ir.Constant(ir.IntType(32), i))


def _pack(context, builder, vt, values):
    packed = ir.Constant(context.get_value_type(vt), ir.Undefined)
    for i, v in enumerate(values):
        packed = builder.insert_element(packed, v, ir.Constant(ir.IntType(32), i))
    return packed


def _add_to_number_domain(vt):
    """numba-cuda allocates local and shared arrays of the types of its number domain only."""
    import sys

    for name in ("numba.cuda.types", "numba.core.types"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "number_domain"):
            module.number_domain = module.number_domain | frozenset([vt])


def _make_vector(dtype, count: int):
    """The user-facing constructor and the Numba type of one vector type."""
    name = f"float{dtype.bitwidth}x{count}"

    def make(*values):
        raise RuntimeError(f"{name}(...) builds a value inside numba.cuda.jit kernels only")

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (
        f"{name}({', '.join(_FIELDS[:count])}): a vector of {count} float{dtype.bitwidth} values, "
        "inside ``numba.cuda.jit`` kernels"
        + (" (also ``" + name + "(z)`` from a complex ``z``)." if count == 2 else ".")
    )
    vt = VectorType(dtype, count, make)
    _add_to_number_domain(vt)
    scalar_args = (types.Float, types.Integer)

    # ---- construction
    class _Construct(AbstractTemplate):
        key = make

        def generic(self, args, kws):
            if kws:
                return None
            if len(args) == count and all(isinstance(a, scalar_args) for a in args):
                return signature(vt, *args)
            if count == 2 and len(args) == 1 and isinstance(args[0], types.Complex):
                return signature(vt, *args)
            return None

    _typing.register_global(make, types.Function(_Construct))

    def construct(context, builder, sig, args):
        if len(args) == 1:  # from a complex value
            return context.cast(builder, args[0], sig.args[0], vt)
        values = [context.cast(builder, a, t, dtype) for a, t in zip(args, sig.args)]
        return _pack(context, builder, vt, values)

    _lowering.lower(make, types.VarArg(types.Any))(construct)

    # ---- fields
    @_typing.register_attr
    class _Fields(AttributeTemplate):
        key = vt

        def generic_resolve(self, typ, attr):
            if attr in _FIELDS[:count] or (attr in _PARTS and count == 2 and dtype != types.float16):
                return dtype
            return None

        if count == 2 and dtype != types.float16:

            @bound_function(f"{name}.conjugate")
            def resolve_conjugate(self, typ, args, kws):
                return None if args or kws else signature(complex_twin(typ))  # typed after _TWINS exists

    for i, field in enumerate(_FIELDS[:count]):
        _lowering.lower_getattr(vt, field)(lambda context, builder, typ, value, i=i: _element(builder, value, i))
    if count == 2 and dtype != types.float16:
        # As Numba's complex types: code written for complex arrays reads pairs unchanged.
        for i, part in enumerate(_PARTS):
            _lowering.lower_getattr(vt, part)(lambda context, builder, typ, value, i=i: _element(builder, value, i))

        @_lowering.lower(f"{name}.conjugate", vt)
        def _conjugate(context, builder, sig, args):
            complex_type = sig.return_type
            z = context.make_complex(builder, complex_type, value=context.cast(builder, args[0], vt, complex_type))
            # -0.0 - x rather than fneg, which NVVM's IR dialect lacks
            z.imag = builder.fsub(ir.Constant(z.imag.type, -0.0), z.imag)
            return z._getvalue()

    # ---- complex conversions (pairs)
    if count == 2:

        @_lowering.lower_cast(types.Complex, vt)
        def _from_complex(context, builder, fromty, toty, value):
            z = context.make_complex(builder, fromty, value=value)
            parts = [context.cast(builder, p, fromty.underlying_float, dtype) for p in (z.real, z.imag)]
            return _pack(context, builder, toty, parts)

        if dtype != types.float16:

            @_lowering.lower_cast(types.Float, vt)
            @_lowering.lower_cast(types.Integer, vt)
            def _from_real(context, builder, fromty, toty, value):
                parts = [context.cast(builder, value, fromty, dtype), context.get_constant(dtype, 0.0)]
                return _pack(context, builder, toty, parts)

        @_lowering.lower_cast(vt, types.Complex)
        def _to_complex(context, builder, fromty, toty, value):
            z = context.make_complex(builder, toty)
            z.real, z.imag = (
                context.cast(builder, _element(builder, value, i), dtype, toty.underlying_float) for i in range(2)
            )
            return z._getvalue()

    if count == 2 and dtype == types.float16:
        # A half pair stored into a complex array (nvmath-python's complex-half GEMM examples
        # store their complex32 results into complex64 arrays): a setitem of its own, as the
        # pair does not convert to complex implicitly (see VectorType.can_convert_to).
        @_typing.register_global(operator.setitem)
        class _StoreIntoComplex(AbstractTemplate):
            key = operator.setitem

            def generic(self, args, kws):
                if kws or len(args) != 3 or args[2] != vt:
                    return None
                array, index, _ = args
                if not (isinstance(array, types.Buffer) and isinstance(array.dtype, types.Complex)):
                    return None
                # the array's own setitem, typed for a value of its element type; the lowering
                # casts the pair to it
                found = self.context.resolve_setitem(array, index, array.dtype)
                return None if found is None else signature(types.none, *found.args)

    # ---- element-wise arithmetic of halves (__half2 operators)
    if dtype == types.float16:
        for op in (operator.add, operator.sub, operator.mul):

            @_typing.register_global(op)
            class _Arith(AbstractTemplate):
                # Exact operands only: a template that converted would take complex arithmetic over.
                key = op

                def generic(self, args, kws):
                    if not kws and len(args) == 2 and args[0] == vt and args[1] == vt:
                        return signature(vt, vt, vt)
                    return None

            def arith(context, builder, sig, args, op=op):
                scalar = context.get_function(op, signature(dtype, dtype, dtype))
                a, b = args
                return _pack(
                    context,
                    builder,
                    vt,
                    [scalar(builder, (_element(builder, a, i), _element(builder, b, i))) for i in range(count)],
                )

            _lowering.lower(op, vt, vt)(arith)

    return make, vt


float16x2, float16x2_type = _make_vector(types.float16, 2)
float16x4, float16x4_type = _make_vector(types.float16, 4)
float32x2, float32x2_type = _make_vector(types.float32, 2)
float64x2, float64x2_type = _make_vector(types.float64, 2)


_TWINS = {
    types.complex64: float32x2_type,
    types.complex128: float64x2_type,
    float32x2_type: types.complex64,
    float64x2_type: types.complex128,
}


def complex_twin(ty):
    """The Numba type laid out as ``ty`` that the device APIs take in its place: ``float32x2``
    for ``complex64`` and back (``float64x2``, ``complex128``); None for other types."""
    return _TWINS.get(ty)


def kernel_type(host):
    """The Numba type of values of NumPy type ``host`` inside kernels, as the device APIs' value
    types give it: ``float32x2``/``float64x2`` for ``complex64``/``complex128`` (one aligned
    8/16-byte access each, as nvmath-python's), Numba's own type for the others."""
    from numba.cuda.np import numpy_support

    dtype = np.dtype(host)
    if dtype.kind == "c":
        return {8: float32x2_type, 16: float64x2_type}[dtype.itemsize]
    return numpy_support.from_dtype(dtype)


def host_type(ty):
    """The NumPy type of Numba type ``ty`` (``numpy.complex64`` for ``float32x2``...); ValueError
    for types without one."""
    from numba.cuda.np import numpy_support

    twin = _TWINS.get(ty)
    if isinstance(ty, VectorType) and twin is not None:
        ty = twin
    try:
        return numpy_support.as_dtype(ty).type
    except NotImplementedError:
        raise ValueError(f"{ty} has no NumPy type") from None


# The host-side value types (nvmath.device.types) are dtypes inside kernels.
@typeof_impl.register(_faces.Complex)
def _typeof_complex(value, context):
    return types.NumberClass(value._numba_type)


@typeof_impl.register(_faces.Vector)
def _typeof_vector(value, context):
    return types.NumberClass(value._numba_type)
