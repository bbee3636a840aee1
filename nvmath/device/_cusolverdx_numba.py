"""How ``numba.cuda.jit`` kernels see the cuSOLVERDx objects of :mod:`nvmath.device.cusolverdx`.

A :class:`~nvmath.device.Solver` or a face (:class:`~nvmath.device.CholeskySolver`...) captured
by a kernel has the Numba type :class:`SolverObjectType`, which takes no space: its int, tuple
and type traits are compile-time constants; ``a_strides(lda=...)`` and the other layout methods
are computed in place; the device methods (``execute``, ``factorize``, ``solve``, ``multiply``)
call the cuSOLVERDx function through :func:`nvmath.device.extern_function` (which links its
LTO-IR), and link cuSOLVERDx's universal fatbin. Leading dimensions given as keywords select the
runtime-leading-dimension variant of the function.

Everything is typed by templates, never by helper functions compiled with ``@overload`` (those
are compiled for the current device, so kernels could not be compiled without a GPU).
"""

from __future__ import annotations

import inspect

import numpy as np
from llvmlite import ir
from numba.core.errors import TypingError
from numba.cuda import types
from numba.cuda.cudadecl import registry as _typing
from numba.cuda.cudaimpl import registry as _lowering
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model, typeof_impl
from numba.cuda.np import numpy_support
from numba.cuda.typing.templates import AttributeTemplate, bound_function, signature

from . import _cusolverdx_engine as _engine
from ._extern import extern_function
from .cusolverdx import Solver, _Face
from .types import Complex

__all__ = ["SolverObjectType"]

_NONE = (None, types.none, types.Omitted(None))
_LAYOUT_METHODS = {
    # method: (shape attribute or None for the B/X buffer, leading dimension keyword, default ld, arrangement)
    "a_strides": ("a_shape", "lda", "lda", "a_arrangement"),
    "b_strides": ("b_shape", "ldb", "ldb", "b_arrangement"),
    "c_strides": ("c_shape", "ldc", "ldb", "b_arrangement"),
    "bx_strides": (None, "ldb", "ldb", "b_arrangement"),
}
_DEVICE_METHODS = ("execute", "factorize", "solve", "multiply")
_SIZE_METHODS = ("a_size", "b_size", "c_size", "bx_size")
_METHOD_NAMES = frozenset((*_LAYOUT_METHODS, *_DEVICE_METHODS, *_SIZE_METHODS))


class SolverObjectType(types.Type):
    """The Numba type of one solver object (objects with the same description share it)."""

    def __init__(self, obj):
        self.obj = obj
        super().__init__(name=f"nvmath.device.{obj.__nvmath_fingerprint__()}")


@register_model(SolverObjectType)
class _NoDataModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [])


@typeof_impl.register(Solver)
@typeof_impl.register(_Face)
def _typeof_solver(value, context):
    return SolverObjectType(value)


@_lowering.lower_constant(SolverObjectType)
def _solver_constant(context, builder, ty, value):
    return context.make_helper(builder, ty)._getvalue()


# ------------------------------------------------------------------ traits


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _trait_type(obj, attr):
    if attr.startswith("_") or attr in _METHOD_NAMES:
        return None
    try:
        value = getattr(obj, attr)
    except (AttributeError, ValueError, RuntimeError):
        return None
    if _is_int(value):
        return types.IntegerLiteral(int(value))
    if isinstance(value, tuple) and value and all(_is_int(v) for v in value):
        return types.UniTuple(types.int64, len(value))
    if isinstance(value, Complex):
        return types.NumberClass(value._numba_type)
    if isinstance(value, type) and issubclass(value, np.generic):
        return types.NumberClass(numpy_support.from_dtype(np.dtype(value)))
    return None


@_lowering.lower_getattr_generic(SolverObjectType)
def _solver_attribute(context, builder, typ, value, attr):
    ty = _trait_type(typ.obj, attr)
    if isinstance(ty, types.IntegerLiteral):
        return context.get_constant(types.int64, ty.literal_value)
    if isinstance(ty, types.UniTuple):
        values = [context.get_constant(types.int64, int(v)) for v in getattr(typ.obj, attr)]
        return context.make_tuple(builder, ty, values)
    return context.get_dummy_value()  # types (NumberClass) carry no data


# ------------------------------------------------------------------ typing of methods


def _fold(name, params, args, kws):
    """``args``/``kws`` folded onto ``params`` (names; those after the arrays default to None)."""
    if len(args) > len(params):
        raise TypingError(f"{name} takes at most {len(params)} arguments ({', '.join(params)}); got {len(args)}")
    folded = list(args) + [None] * (len(params) - len(args))
    for key, value in kws.items():
        if key not in params:
            raise TypingError(f"{name} got an unexpected keyword argument {key!r}; accepted: {', '.join(params)}")
        i = params.index(key)
        if i < len(args):
            raise TypingError(f"{name} got multiple values for argument {key!r}")
        folded[i] = value
    return folded


def _pysig(params, required):
    return inspect.Signature(
        [
            inspect.Parameter(
                p,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=inspect.Parameter.empty if i < required else None,
            )
            for i, p in enumerate(params)
        ]
    )


def _layout_signature(obj, method, args, kws):
    _, ld_name, _, _ = _LAYOUT_METHODS.get(method.replace("_size", "_strides"))
    if args:
        raise TypingError(f"{type(obj).__name__}.{method} takes its leading dimension as a keyword: {ld_name}=")
    folded = _fold(f"{type(obj).__name__}.{method}", (ld_name,), (), kws)
    ld = folded[0]
    if ld not in _NONE and not isinstance(ld, types.Integer):
        raise TypingError(f"{type(obj).__name__}.{method}: {ld_name} is {ld}; an integer is required")
    ret = types.int64 if method.endswith("_size") else types.UniTuple(types.int64, 3)
    sig = signature(ret, types.none if ld in _NONE else ld)
    sig = sig.replace(pysig=_pysig((ld_name,), 0))
    return sig


def _method_solver(obj, method):
    """The Solver that runs ``method`` of ``obj``; TypingError if there is none."""
    if method == "execute":
        if not isinstance(obj, Solver):
            raise TypingError(
                f"{type(obj).__name__} has no device method execute; use {', '.join(obj._DEVICE_METHODS)}"
            )
        return obj
    attr = getattr(obj, "_DEVICE_METHODS", {}).get(method)
    if attr is None:
        raise TypingError(f"{type(obj).__name__} has no device method {method}")
    solver = getattr(obj, attr)
    if solver is None:
        raise TypingError(
            f"{type(obj).__name__}.{method} is not available: it needs a square A (size={obj.size!r} has M != N)"
        )
    return solver


def _expected(solver, ctype):
    """The Numba array dtypes accepted for a C pointer type."""
    from ._extern import _pointee_types

    return _pointee_types()[ctype.rstrip("*")]


def _device_signature(obj, method, args, kws):
    solver = _method_solver(obj, method)
    owner = f"{type(obj).__name__}.{method}"
    spec = solver._spec
    names_rt, ctypes_rt = _engine.prototype(spec, "runtime_leading_dim")
    names_ct, _ = _engine.prototype(spec, "compiled_leading_dim")
    lds = tuple(n for n, c in zip(names_rt, ctypes_rt) if c == "uint32*")
    if method == "execute":
        # C order, leading dimensions (if any) as integers in their places.
        if kws:
            raise TypingError(f"{owner} takes positional arguments only (C order: {', '.join(names_rt)})")
        if len(args) == len(names_ct):
            api, names = "compiled_leading_dim", names_ct
        elif len(args) == len(names_rt) and lds:
            api, names = "runtime_leading_dim", names_rt
        else:
            accepted = f"({', '.join(names_ct)})" + (f" or ({', '.join(names_rt)})" if lds else "")
            raise TypingError(f"{owner} takes {accepted}; got {len(args)} arguments")
        folded, pysig = list(args), None
    else:
        params = names_ct + lds
        folded = _fold(owner, params, args, kws)
        given = [n for n, t in zip(params[len(names_ct) :], folded[len(names_ct) :]) if t not in _NONE]
        if given and len(given) != len(lds):
            missing = [n for n in lds if n not in given]
            raise TypingError(
                f"{owner}: runtime leading dimensions are given together or not at all: "
                f"{', '.join(given)} given, {', '.join(missing)} missing"
            )
        for i, n in enumerate(names_ct):
            if folded[i] in _NONE:
                raise TypingError(f"{owner}: missing argument {n!r} ({', '.join(params)})")
        api = "runtime_leading_dim" if given else "compiled_leading_dim"
        pysig = _pysig(params, len(names_ct))
        names = params
    _, ctypes = _engine.prototype(spec, api)
    by_name = dict(zip(names, folded))
    c_names = _engine.prototype(spec, api)[0]
    for n, c in zip(c_names, ctypes):
        ty = by_name[n]
        if c == "uint32*":
            if not isinstance(ty, types.Integer):
                raise TypingError(f"{owner}: {n} is {ty}; an integer is required")
        else:
            want = _expected(solver, c)
            if not isinstance(ty, types.Array) or ty.dtype not in want:
                raise TypingError(
                    f"{owner}: {n} is {ty}; an array of {' or '.join(map(str, want))} is required "
                    f"(C type {c}; {solver.data_type} {np.dtype(solver.precision).name})"
                )
    arg_types = [types.none if t in _NONE else t for t in folded]
    sig = signature(types.void, *arg_types)
    if pysig is not None:
        sig = sig.replace(pysig=pysig)
    return sig


def _make_method(method):
    key = f"nvmath.device.cusolverdx.{method}"

    @bound_function(key)
    def resolve(self, ty, args, kws):
        if method in _DEVICE_METHODS:
            return _device_signature(ty.obj, method, args, kws)
        if not hasattr(ty.obj, method):
            raise TypingError(f"{type(ty.obj).__name__} has no method {method}")
        return _layout_signature(ty.obj, method, args, kws)

    resolve.__name__ = f"resolve_{method}"
    return key, resolve


_METHOD_KEYS = {}
_template_attrs = {"key": SolverObjectType}
for _m in (*_DEVICE_METHODS, *_LAYOUT_METHODS, *_SIZE_METHODS):
    _METHOD_KEYS[_m], _template_attrs[f"resolve_{_m}"] = _make_method(_m)


def _generic_resolve(self, typ, attr):
    return _trait_type(typ.obj, attr)


_template_attrs["generic_resolve"] = _generic_resolve
_typing.register_attr(type("_SolverAttributes", (AttributeTemplate,), _template_attrs))


# ------------------------------------------------------------------ lowering


def _lower_layout(method):
    def impl(context, builder, sig, args):
        obj = sig.args[0].obj
        shape_attr, _, default_ld, arr_attr = _LAYOUT_METHODS[method.replace("_size", "_strides")]
        shape = (max(obj.m, obj.n), obj.k) if shape_attr is None else getattr(obj, shape_attr)[1:]
        rows, cols = shape
        i64 = ir.IntType(64)
        ld_ty = sig.args[1]
        if ld_ty in _NONE:
            ld = ir.Constant(i64, int(getattr(obj, default_ld)))
        else:
            ld = context.cast(builder, args[1], ld_ty, types.int64)
        col = getattr(obj, arr_attr) == "col_major"
        first = builder.mul(ld, ir.Constant(i64, cols if col else rows))
        if method.endswith("_size"):
            return builder.mul(first, ir.Constant(i64, int(obj.batches_per_block)))
        one = ir.Constant(i64, 1)
        items = (first, one, ld) if col else (first, ld, one)
        return context.make_tuple(builder, sig.return_type, list(items))

    return impl


_EXTERNS: dict = {}
_FATBIN: list = []  # one object, so that a kernel calling several functions links it once


def _extern(solver, api, owner):
    """The extern function of ``solver``'s device function for ``api`` (generated on first use)."""
    key = (solver._spec, api)
    fn = _EXTERNS.get(key)
    if fn is None:
        traits, ltoir = _engine.generate(solver._spec, api)
        _, ctypes = _engine.prototype(solver._spec, api)
        fn = extern_function(traits["symbol"], ("void", list(ctypes)), ltoir, owner=owner)
        _EXTERNS[key] = fn
    return fn


def _lower_device(method):
    def impl(context, builder, sig, args):
        from numba.cuda import Fatbin

        obj = sig.args[0].obj
        solver = _method_solver(obj, method)
        argtys, values = list(sig.args[1:]), list(args[1:])
        spec = solver._spec
        names_ct, _ = _engine.prototype(spec, "compiled_leading_dim")
        names_rt, _ = _engine.prototype(spec, "runtime_leading_dim")
        if method == "execute":
            api = "compiled_leading_dim" if len(argtys) == len(names_ct) else "runtime_leading_dim"
            c_types, c_values = argtys, values
        else:
            lds = tuple(n for n in names_rt if n not in names_ct)
            params = names_ct + lds
            runtime = any(t not in _NONE for t in argtys[len(names_ct) :])
            api = "runtime_leading_dim" if runtime else "compiled_leading_dim"
            order = names_rt if runtime else names_ct
            pos = {n: i for i, n in enumerate(params)}
            c_types = [argtys[pos[n]] for n in order]
            c_values = [values[pos[n]] for n in order]
        fn = _extern(solver, api, f"{type(obj).__name__}.{method}")
        call_sig, codegen = fn.call._defn(context.typing_context, *c_types)
        codegen(context, builder, call_sig, c_values)
        if not _FATBIN:
            _FATBIN.append(Fatbin(_engine.universal_fatbin(), name="cusolverdx_universal.fatbin"))
        context.active_code_library.add_linking_file(_FATBIN[0])
        return context.get_dummy_value()

    return impl


for _m, _key in _METHOD_KEYS.items():
    _impl = _lower_device(_m) if _m in _DEVICE_METHODS else _lower_layout(_m)
    _lowering.lower(_key, SolverObjectType, types.VarArg(types.Any))(_impl)
