"""cuFFT load (prolog) and store (epilog) callbacks written in Python, compiled to LTO-IR.

cuFFT calls LTO callbacks through these C prototypes, ``T`` being ``float``, ``double``,
``float2`` or ``double2``::

    T    load (void* data_in,  unsigned long long offset, void* user_info, void* shared);
    void store(void* data_out, unsigned long long offset, T value, void* user_info, void* shared);

The Python functions see typed pointers::

    def prolog(data_in, offset, user_info, unused):          # returns the element to use
        return data_in[offset] * user_info[offset]

    def epilog(data_out, offset, value, user_info, unused):  # stores the result
        data_out[offset] = value * user_info[0]
"""

from __future__ import annotations

import dis
import inspect

from nvmath.jit.cabi import CSignature, ctype
from nvmath.jit.errors import CallbackSignatureError, unknown_field_error
from nvmath.jit.typespec import pointer, type_key

__all__ = [
    "compile_prolog",
    "compile_epilog",
    "CALLBACK_ELEMENT_TYPES",
    "callback_signature",
    "check_callback_signature",
    "reads_user_info",
    "user_info_alignment",
]

#: dtype name → the C type cuFFT passes.
CALLBACK_ELEMENT_TYPES = {"float32": "float", "float64": "double", "complex64": "float2", "complex128": "double2"}

_PARAMS = {
    "prolog": ("data_in", "offset", "user_info", "unused"),
    "epilog": ("data_out", "offset", "value", "user_info", "unused"),
}


def _element_name(element_dtype) -> str:
    import numpy as np

    try:
        name = (
            np.dtype(element_dtype).name
            if not type(element_dtype).__module__.startswith("numba")
            else str(element_dtype)
        )
    except TypeError:
        name = repr(element_dtype)
    if name not in CALLBACK_ELEMENT_TYPES:
        raise ValueError(
            f"element_dtype={element_dtype!r} is not supported by cuFFT callbacks; "
            f"accepted: {', '.join(CALLBACK_ELEMENT_TYPES)}"
        )
    return name


def user_info_alignment(user_info_type) -> int:
    """The alignment in bytes that compiled callbacks assume for ``user_info``.

    That of the C type of its elements (8 for complex64, as CUDA's ``float2``; the size for
    integers); 1, no assumption, for structs. A pointer given as ``user_info`` must be aligned
    so: the plan checks it.
    """
    key = user_info_type if isinstance(user_info_type, str) else type_key(user_info_type)
    try:
        return ctype(key.removeprefix("numba:")).alignment
    except ValueError:  # a struct (or anything with no C scalar type)
        return 1


def callback_signature(kind: str, element_dtype) -> CSignature:
    """cuFFT's C prototype for a ``"prolog"`` (load) or ``"epilog"`` (store) callback."""
    t = CALLBACK_ELEMENT_TYPES[_element_name(element_dtype)]
    if kind == "prolog":
        return CSignature.parse(t, ["void*", "unsigned long long", "void*", "void*"])
    if kind == "epilog":
        return CSignature.parse("void", ["void*", "unsigned long long", t, "void*", "void*"])
    raise ValueError(f"kind={kind!r} is not a callback kind; accepted: 'prolog', 'epilog'")


def expected_signature(kind: str) -> str:
    """How a ``"prolog"`` or ``"epilog"`` is called: ``"epilog(data_out, offset, value, user_info, unused)"``."""
    return f"{kind}({', '.join(_PARAMS[kind])})"


def check_callback_signature(func, kind: str) -> None:
    """Check that ``func`` can be called as a prolog or epilog, before anything compiles it.

    The GPU and the CPU paths call this at plan time, so that both report a wrong parameter
    list alike.

    Raises
    ------
    TypeError
        If ``func`` is not a Python function (or a Numba dispatcher of one).
    CallbackSignatureError
        If it does not take exactly the callback's positional parameters.
    """
    expected = expected_signature(kind)
    target = getattr(func, "py_func", func)
    if not callable(target) or not inspect.isfunction(target):
        raise TypeError(f"the {kind} must be a Python function {expected}, got {type(func).__name__}: {func!r}")
    params = list(inspect.signature(target).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    n = len(_PARAMS[kind])
    if varargs or len(positional) != n or len(params) != len(positional):
        raise CallbackSignatureError(
            f"{kind} {target.__qualname__}{inspect.signature(target)} must take exactly {n} "
            f"positional parameters: {expected}"
        )


def reads_user_info(func, kind: str) -> bool:
    """Whether a callback (with a correct parameter list) uses its ``user_info`` parameter.

    Read from its bytecode: any load of the parameter counts (an inner function capturing
    it too), so the answer errs on the side of "reads".
    """
    code = getattr(getattr(func, "py_func", func), "__code__", None)
    if code is None:
        return True
    name = code.co_varnames[_PARAMS[kind].index("user_info")]
    if name in code.co_cellvars:  # captured by an inner function or lambda
        return True
    for ins in dis.get_instructions(code):
        if ins.opname in _LOCAL_LOADS:
            value = ins.argval
            if value == name or (isinstance(value, tuple) and name in value):  # 3.13: LOAD_FAST_LOAD_FAST
                return True
    return False


def stores_only_at_offset(func) -> bool:
    """Whether an epilog writes ``data_out`` only as ``data_out[offset] = ...`` (its own
    element), with neither parameter reassigned, captured or passed on.

    Read from its bytecode, erring on the side of "no": then the CPU path must not store the
    results into the array it reads the values from, since a store to another element would
    overwrite a value before it is read (on the GPU the values are in registers)."""
    code = getattr(getattr(func, "py_func", func), "__code__", None)
    if code is None:
        return False
    data_out, offset = (code.co_varnames[i] for i in range(2))
    if {data_out, offset} & set(code.co_cellvars):
        return False
    ins = [i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "EXTENDED_ARG", "NOP")]
    for k, i in enumerate(ins):
        if i.opname in ("STORE_FAST", "DELETE_FAST", "STORE_FAST_LOAD_FAST", "STORE_FAST_STORE_FAST"):
            names = i.argval if isinstance(i.argval, tuple) else (i.argval,)
            if data_out in names or offset in names:
                return False
        if i.opname not in _LOCAL_LOADS:
            continue
        names = i.argval if isinstance(i.argval, tuple) else (i.argval,)
        if data_out not in names:
            continue
        following = [x.opname for x in ins[k + 1 : k + 3]]
        if names == (data_out, offset) and following[:1] == ["STORE_SUBSCR"]:  # 3.13's paired load
            continue
        if names == (data_out,) and ins[k + 1 : k + 2] and ins[k + 1].argval == offset:
            if following == [ins[k + 1].opname, "STORE_SUBSCR"] or following[1:] == ["BINARY_SUBSCR"]:
                continue  # data_out[offset] = ..., or a read of data_out[offset]
        if names == (data_out,) and following[1:] == ["BINARY_SUBSCR"]:
            continue  # a read of another element: no store
        return False
    return True


# The opcodes that read a local variable or a cell (3.10 to 3.13).
_LOCAL_LOADS = frozenset(
    {"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "LOAD_FAST_LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE"}
)


def describe_callback(func, kind: str) -> str:
    """``"the epilog scale"``: how messages name a callback."""
    return f"the {kind} {getattr(getattr(func, 'py_func', func), '__qualname__', func)!s}"


def user_info_copy_reason(strides) -> str:
    """Why a ``data`` array is copied: what its layout is, for the log."""
    if any(s < 0 for s in strides):
        layout = "reversed"
    else:
        layout = "not C-contiguous"
    return (
        f"its layout (strides {tuple(strides)} elements) is {layout}, and callbacks index user_info "
        "as one C-contiguous array; the plan keeps a C-contiguous copy taken now, so changes to the "
        "array after plan() are not seen and the callback's writes do not reach it"
    )


def _compile(kind, func, element_dtype, user_info_dtype, compute_capability, symbol, fastmath):
    from nvmath.jit.compiler import compile_device_function  # the compiler's imports: only to compile

    element = _element_name(element_dtype)
    expected = expected_signature(kind)
    check_callback_signature(func, kind)
    if user_info_dtype is None:
        raise TypeError(
            "user_info_dtype must be given: a dtype or Numba type that user_info points "
            "to (a structured dtype or Numba record for a struct)"
        )
    user_info_key = type_key(user_info_dtype)
    csig = callback_signature(kind, element)

    arg_types = [
        pointer(element),
        "uint64",
        *([element] if kind == "epilog" else []),
        pointer(user_info_dtype),
        pointer(),
    ]
    # cuFFT's data arrays are aligned to their element's C type (user_info is checked at plan
    # time), and offsets fit in int64: promises that let the code use vector accesses and
    # unsigned arithmetic.
    try:
        return compile_device_function(
            func,
            arg_types,
            element if kind == "prolog" else None,
            symbol=symbol,
            c_signature=csig,
            compute_capability=compute_capability,
            fastmath=fastmath,
            kind=kind,
            element_type=element,
            user_info_type=user_info_key,
            cxx_alias=True,  # cuFFT declares the callback in C++: it links the mangled name
            aligned={
                0: ctype(CALLBACK_ELEMENT_TYPES[element]).alignment,
                len(arg_types) - 2: user_info_alignment(user_info_dtype),
            },
            max_values={1: 2**63 - 1},  # element offsets: offset % n is then as cheap as offset & (n - 1)
            describe=f"{kind} {getattr(func, '__qualname__', func)!s} (expected {expected}, "
            f"data of {element}, user_info pointing to {user_info_key})",
        )
    except KeyError as e:  # Numba's way of saying that a record has no such field
        error = unknown_field_error(e, func, describe_callback(func, kind), _numpy_dtype(user_info_dtype))
        if error is None:
            raise
        raise error from e


def _numpy_dtype(spec):
    import numpy as np

    try:
        return np.dtype(spec)
    except TypeError:
        return None


def _symbol(name, symbol, representation):
    """The exported name from nvmath-python's ``name`` or this project's ``symbol`` (one, or both
    the same); ``representation`` must be ``"ltoir"``."""
    if representation != "ltoir":
        raise ValueError(f"representation={representation!r} is not supported; accepted: 'ltoir'")
    if name is not None and symbol is not None and name != symbol:
        raise ValueError(f"name={name!r} and symbol={symbol!r} both name the exported symbol; give one of them")
    return symbol if symbol is not None else name


def compile_prolog(
    function,
    element_dtype,
    user_info_dtype,
    *,
    name=None,
    representation="ltoir",
    compute_capability=None,
    symbol=None,
    fastmath=False,
):
    """Compile a cuFFT load callback written in Python to LTO-IR.

    Parameters
    ----------
    function : callable
        ``prolog(data_in, offset, user_info, unused) -> value``: ``data_in`` points to the
        input elements, ``offset`` is the element offset cuFFT is loading, ``user_info`` points
        to ``user_info_dtype`` values, ``unused`` is cuFFT's shared-memory pointer. The result
        is converted to ``element_dtype``.
    element_dtype : {"float32", "float64", "complex64", "complex128"}
        The type of the elements cuFFT loads (the transform's input type).
    user_info_dtype : dtype or Numba type
        What ``user_info`` points to: a scalar dtype, a structured dtype or a Numba record.
    name : str, optional
        The exported name (nvmath-python's keyword; ``symbol`` is the same); default unique to
        the function, types and target.
    representation : {"ltoir"}
        What to compile to: LTO-IR.
    compute_capability : optional
        ``"sm_90"``, ``"90"``, ``(9, 0)``...; default the current device's, else an error.
    symbol : str, optional
        As ``name``.
    fastmath : bool
        Fast-math compilation (see :func:`nvmath.jit.compile_device_function`).

    Returns
    -------
    nvmath.jit.ltoir.LTOIR
        ``bytes(result)`` is the LTO-IR; ``result.symbol`` the name to give cuFFT.
    """
    symbol = _symbol(name, symbol, representation)
    return _compile("prolog", function, element_dtype, user_info_dtype, compute_capability, symbol, fastmath)


def compile_epilog(
    function,
    element_dtype,
    user_info_dtype,
    *,
    name=None,
    representation="ltoir",
    compute_capability=None,
    symbol=None,
    fastmath=False,
):
    """Compile a cuFFT store callback written in Python to LTO-IR.

    Parameters
    ----------
    function : callable
        ``epilog(data_out, offset, value, user_info, unused)``: stores ``value`` (of
        ``element_dtype``, the transform's output type) at ``data_out[offset]``, or anything
        it computes from it; returns nothing.
    element_dtype, user_info_dtype, name, representation, compute_capability, symbol, fastmath :
        As for :func:`compile_prolog`.

    Returns
    -------
    nvmath.jit.ltoir.LTOIR
    """
    symbol = _symbol(name, symbol, representation)
    return _compile("epilog", function, element_dtype, user_info_dtype, compute_capability, symbol, fastmath)
