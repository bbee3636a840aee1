"""Deterministic fingerprints of Python functions, for cache keys.

:func:`fingerprint_function` hashes everything that decides what Numba compiles from a function:

* the code object: bytecode, constants (nested code objects of inner functions, lambdas and
  comprehensions included), names, argument counts, flags, exception table;
* the values the code reads when it is compiled: referenced globals (builtins by name), closure
  cells, default and keyword-only default arguments;
* the functions it calls, transitively and cycle-safe: plain Python functions, Numba dispatchers
  (by their ``py_func`` and ``targetoptions``), Numba intrinsics (by their definition), and the
  attributes of user modules that the code reads (``othermod.helper``).

Functions and objects of libraries whose version belongs in the key anyway (Numba, numba-cuda,
llvmlite, NumPy, the standard library) are hashed by their qualified name instead of their code.

The result is the same in every process and under any ``PYTHONHASHSEED``: nothing here uses
:func:`hash`, :func:`id` (except as a within-call memo key) or set iteration order. What cannot be
hashed that way (an object whose identity is its address, a device array, ...) raises
:class:`UnhashableCapture`, whose message names the variable, so the caller can skip the cache and
say why.

Objects of other types can take part by defining ``__nvmath_fingerprint__(self) -> str | bytes``,
which must return the same value for objects that compile the same.

Cost: the code-derived part is computed once per code object; the values are hashed on every call
(they may have changed). A small callback takes a few microseconds on a warm call. Large captured
arrays are hashed in full on every call.

Limitations: classes are hashed by qualified name, not by the code of their methods; Numba
extensions registered by user code with ``@overload`` or ``@lower`` are not reachable from the
function's code. Changing either does not change the fingerprint.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import os
import struct
import sys
import types
import weakref

__all__ = ["FINGERPRINT_SCHEMA", "LIBRARY_PACKAGES", "UnhashableCapture", "fingerprint_function"]

#: Version of the fingerprint encoding; changing it changes every fingerprint.
FINGERPRINT_SCHEMA = 1

#: Top-level packages hashed by qualified name: their versions are part of the cache key.
LIBRARY_PACKAGES = frozenset({"numba", "numba_cuda", "llvmlite", "numpy"})


class UnhashableCapture(Exception):
    """A function captures something that cannot be hashed deterministically.

    The caller should compile without the cache and log :attr:`reason`.

    Parameters
    ----------
    reason : str
        What could not be hashed: the variable, the function that reads it, and its type.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Reject(Exception):
    """A value cannot be hashed; ``path`` grows (innermost first) as the error bubbles up."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail
        self.path: list[str] = []


_U64 = struct.Struct(">Q").pack
_F64 = struct.Struct(">d").pack  # bit-exact: -0.0 and 0.0 differ, NaN keeps its payload
_C128 = struct.Struct(">dd").pack
_CACHE_TAG = (sys.implementation.cache_tag or sys.implementation.name).encode()

# Opcodes that read a name from co_names as a global or as an attribute (3.10 to 3.13).
_GLOBAL_OPS = frozenset(
    {
        "LOAD_GLOBAL",
        "STORE_GLOBAL",
        "DELETE_GLOBAL",
        "LOAD_NAME",
        "STORE_NAME",
        "DELETE_NAME",
        "LOAD_FROM_DICT_OR_GLOBALS",
    }
)
_ATTR_OPS = frozenset({"LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR", "DELETE_ATTR", "IMPORT_FROM", "LOAD_SUPER_ATTR"})


def _text(out: list, tag: bytes, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    out.append(tag + _U64(len(data)) + data)


@functools.cache
def _is_library(module_name: str) -> bool:
    top = module_name.partition(".")[0]
    return top in LIBRARY_PACKAGES or top in sys.stdlib_module_names


def _qualname(obj) -> str:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    return f"{module}.{name}" if module else str(name)


# --------------------------------------------------------------------------------------------
# The static part: derived from a code object alone, computed once per code object.


class _CodeInfo:
    __slots__ = ("digest", "global_names", "attr_names", "ref")

    def __init__(self, digest: bytes, global_names: tuple, attr_names: tuple):
        self.digest = digest
        self.global_names = global_names
        self.attr_names = attr_names
        self.ref = None


# Keyed by id() (cheaper than hashing a code object); a weakref callback drops dead entries.
_code_infos: dict[int, _CodeInfo] = {}


def _forget(key: int, ref: weakref.ref) -> None:
    info = _code_infos.get(key)
    if info is not None and info.ref is ref:
        del _code_infos[key]


def _code_info(code: types.CodeType) -> _CodeInfo:
    key = id(code)
    info = _code_infos.get(key)
    if info is not None and info.ref() is code:
        return info
    info = _analyse_code(code)
    info.ref = weakref.ref(code, functools.partial(_forget, key))
    _code_infos[key] = info
    return info


def _analyse_code(code: types.CodeType) -> _CodeInfo:
    import dis  # only on the first sight of a code object

    global_names: set[str] = set()
    attr_names: set[str] = set()
    for instruction in dis.get_instructions(code):
        if instruction.opname in _GLOBAL_OPS:
            global_names.add(instruction.argval)
        elif instruction.opname in _ATTR_OPS:
            attr_names.add(instruction.argval)
    # A name read by an opcode not listed above is treated as a global: hashing too much only
    # costs a cache miss, hashing too little returns a stale artifact.
    global_names.update(set(code.co_names) - global_names - attr_names)

    # Line numbers and the file name are left out: they do not change the generated code
    # (a producer that embeds debug line info should add them to its key).
    out = [
        b"code",
        _CACHE_TAG,
        _U64(code.co_argcount),
        _U64(code.co_posonlyargcount),
        _U64(code.co_kwonlyargcount),
        _U64(code.co_nlocals),
        _U64(code.co_flags),
    ]
    _text(out, b"n", code.co_name)
    out.append(b"c" + _U64(len(code.co_code)) + code.co_code)
    exception_table = getattr(code, "co_exceptiontable", b"")
    out.append(b"x" + _U64(len(exception_table)) + exception_table)
    for names in (code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars):
        _value(None, names, out)
    out.append(b"k" + _U64(len(code.co_consts)))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            nested = _code_info(const)
            out.append(b"K" + nested.digest)
            global_names.update(nested.global_names)
            attr_names.update(nested.attr_names)
        else:
            _value(None, const, out)
    digest = hashlib.sha256(b"".join(out)).digest()
    return _CodeInfo(digest, tuple(sorted(global_names)), tuple(sorted(attr_names)))


# --------------------------------------------------------------------------------------------
# The dynamic part: values read by the code, hashed on every call.


class _Fingerprinter:
    """State of one fingerprint_function() call: memo, cycle guards, current attribute names."""

    __slots__ = ("memo", "active", "attr_names", "containers", "modules")

    def __init__(self):
        self.memo: dict[int, bytes] = {}
        self.active: set[int] = set()
        self.attr_names: tuple = ()
        self.containers: set[int] = set()
        self.modules: set[int] = set()

    def function(self, func: types.FunctionType) -> bytes:
        key = id(func)
        digest = self.memo.get(key)
        if digest is not None:
            return digest
        module = func.__module__
        if isinstance(module, str) and _is_library(module):
            digest = hashlib.sha256(f"libfunc\0{module}\0{func.__qualname__}".encode()).digest()
            self.memo[key] = digest
            return digest
        code = func.__code__
        info = _code_info(code)
        if key in self.active:
            # Recursion: refer to the function in progress by its code alone.
            return hashlib.sha256(b"cycle" + info.digest).digest()

        out = [b"F", info.digest]
        saved = self.attr_names, self.modules
        self.attr_names, self.modules = info.attr_names, set()
        self.active.add(key)
        try:
            globals_ = func.__globals__
            builtins_ = func.__builtins__
            if isinstance(builtins_, types.ModuleType):
                builtins_ = vars(builtins_)
            for name in info.global_names:
                if name in globals_:
                    _text(out, b"G", name)
                    self.capture(globals_[name], out, "global", name, func)
                elif name in builtins_:
                    _text(out, b"B", name)  # builtins by name
                else:
                    _text(out, b"U", name)
            closure = func.__closure__
            if closure:
                for name, cell in zip(code.co_freevars, closure):
                    try:
                        value = cell.cell_contents
                    except ValueError:  # a cell not assigned yet
                        _text(out, b"E", name)
                        continue
                    _text(out, b"C", name)
                    self.capture(value, out, "closure variable", name, func)
            defaults = func.__defaults__
            if defaults:
                names = code.co_varnames[code.co_argcount - len(defaults) : code.co_argcount]
                for name, value in zip(names, defaults):
                    _text(out, b"D", name)
                    self.capture(value, out, "default of argument", name, func)
            kwdefaults = func.__kwdefaults__
            if kwdefaults:
                for name in sorted(kwdefaults):
                    _text(out, b"W", name)
                    self.capture(kwdefaults[name], out, "default of argument", name, func)
        finally:
            self.active.discard(key)
            self.attr_names, self.modules = saved
        digest = hashlib.sha256(b"".join(out)).digest()
        self.memo[key] = digest
        return digest

    def capture(self, value, out: list, kind: str, name: str, func) -> None:
        """Hash one variable read by *func*, turning a rejection into a message that names it."""
        try:
            _value(self, value, out)
        except _Reject as error:
            where = "".join(reversed(error.path))
            raise UnhashableCapture(f"{kind} {name!r}{where} of function {_qualname(func)!r} {error.detail}") from None
        except UnhashableCapture as error:
            raise UnhashableCapture(
                f"{error.reason}; reached through {kind} {name!r} of function {_qualname(func)!r}"
            ) from None


def _value(fp: _Fingerprinter | None, obj, out: list) -> None:
    handler = _HANDLERS.get(type(obj))
    if handler is not None:
        handler(fp, obj, out)
    else:
        _other(fp, obj, out)


# Handlers of exact types. Every encoding starts with a distinct tag byte and is length-prefixed
# where its length varies, so concatenations are unambiguous.


def _h_none(fp, obj, out):
    out.append(b"0")


def _h_ellipsis(fp, obj, out):
    out.append(b".")


def _h_bool(fp, obj, out):
    out.append(b"?1" if obj else b"?0")


def _h_int(fp, obj, out):
    data = obj.to_bytes((obj.bit_length() + 8) // 8, "big", signed=True)
    out.append(b"i" + _U64(len(data)) + data)


def _h_float(fp, obj, out):
    out.append(b"f" + _F64(obj))


def _h_complex(fp, obj, out):
    out.append(b"j" + _C128(obj.real, obj.imag))


def _h_str(fp, obj, out):
    _text(out, b"s", obj)


def _h_bytes(fp, obj, out):
    out.append(b"b" + _U64(len(obj)) + bytes(obj))


def _h_bytearray(fp, obj, out):
    out.append(b"y" + _U64(len(obj)) + bytes(obj))


def _enter(fp, obj) -> None:
    if fp is not None:
        if id(obj) in fp.containers:
            raise _Reject(f"is a {type(obj).__name__} that contains itself")
        fp.containers.add(id(obj))


def _leave(fp, obj) -> None:
    if fp is not None:
        fp.containers.discard(id(obj))


def _sequence(tag: bytes):
    def handler(fp, obj, out):
        _enter(fp, obj)
        out.append(tag + _U64(len(obj)))
        for index, item in enumerate(obj):
            try:
                _value(fp, item, out)
            except _Reject as error:
                error.path.append(f"[{index}]")
                raise
        _leave(fp, obj)

    return handler


def _unordered(tag: bytes):
    # Sets hash the sorted encodings of their elements: never the iteration order.
    def handler(fp, obj, out):
        _enter(fp, obj)
        encoded = []
        for item in obj:
            sub: list = []
            _value(fp, item, sub)
            encoded.append(b"".join(sub))
        encoded.sort()
        out.append(tag + _U64(len(encoded)))
        out.extend(encoded)
        _leave(fp, obj)

    return handler


def _h_dict(fp, obj, out):
    _enter(fp, obj)
    pairs = []
    for key, item in obj.items():
        key_out: list = []
        _value(fp, key, key_out)
        item_out: list = []
        try:
            _value(fp, item, item_out)
        except _Reject as error:
            error.path.append(f"[{key!r}]")
            raise
        pairs.append((b"".join(key_out), b"".join(item_out)))
    pairs.sort()
    out.append(b"{" + _U64(len(pairs)))
    for key_bytes, item_bytes in pairs:
        out.append(key_bytes)
        out.append(item_bytes)
    _leave(fp, obj)


def _h_range(fp, obj, out):
    out.append(b"r")
    for part in (obj.start, obj.stop, obj.step):
        _h_int(fp, part, out)


def _h_slice(fp, obj, out):
    out.append(b":")
    for part in (obj.start, obj.stop, obj.step):
        _value(fp, part, out)


def _h_code(fp, obj, out):
    out.append(b"K" + _code_info(obj).digest)


def _h_type(fp, obj, out):
    # Classes by qualified name: their methods are not hashed.
    _text(out, b"t", f"{obj.__module__}\0{obj.__qualname__}")


def _h_function(fp, obj, out):
    if fp is None:
        raise _Reject("is a function, which cannot appear here")
    out.append(b"L" + fp.function(obj))


def _h_method(fp, obj, out):
    _h_function(fp, obj.__func__, out)
    try:
        _value(fp, obj.__self__, out)
    except _Reject as error:
        error.path.append(".__self__")
        raise


def _h_partial(fp, obj, out):
    out.append(b"p")
    _value(fp, obj.func, out)
    _value(fp, obj.args, out)
    _value(fp, obj.keywords, out)


def _h_builtin(fp, obj, out):
    owner = obj.__self__
    if owner is None or isinstance(owner, (types.ModuleType, type)):
        module = getattr(obj, "__module__", None) or getattr(owner, "__name__", "")
        _text(out, b"B", f"{module}\0{obj.__qualname__}")
    else:  # a method bound to an object, such as random.random: that object is state
        _text(out, b"M", obj.__qualname__)
        try:
            _value(fp, owner, out)
        except _Reject as error:
            error.path.append(".__self__")
            raise


def _h_module(fp, obj, out):
    name = obj.__name__
    _text(out, b"m", name)
    if fp is None or _is_library(name) or id(obj) in fp.modules:
        return
    # A user module: hash the attributes the code reads from it (othermod.helper), so that a
    # callee defined in another module is covered.
    namespace = obj.__dict__
    fp.modules.add(id(obj))
    for attr in fp.attr_names:
        if attr in namespace:
            _text(out, b"a", attr)
            try:
                _value(fp, namespace[attr], out)
            except _Reject as error:
                error.path.append(f".{attr}")
                raise


_HANDLERS = {
    type(None): _h_none,
    type(Ellipsis): _h_ellipsis,
    bool: _h_bool,
    int: _h_int,
    float: _h_float,
    complex: _h_complex,
    str: _h_str,
    bytes: _h_bytes,
    bytearray: _h_bytearray,
    tuple: _sequence(b"("),
    list: _sequence(b"["),
    dict: _h_dict,
    frozenset: _unordered(b"z"),
    set: _unordered(b"S"),
    range: _h_range,
    slice: _h_slice,
    types.CodeType: _h_code,
    type: _h_type,
    types.FunctionType: _h_function,
    types.MethodType: _h_method,
    types.BuiltinFunctionType: _h_builtin,
    types.ModuleType: _h_module,
    functools.partial: _h_partial,
}

# Subclasses of these (namedtuples, IntFlag-free int subclasses, ...) are hashed like their base.
_BUILTIN_BASES = (tuple, list, dict, frozenset, set, int, float, complex, str, bytes)

_numba_type_classes: dict[type, bool] = {}


def _is_numba_type(cls: type) -> bool:
    known = _numba_type_classes.get(cls)
    if known is None:
        known = any(
            base.__name__ == "Type"
            and base.__module__.startswith("numba")
            and base.__module__.endswith("types.abstract")
            for base in cls.__mro__
        )
        _numba_type_classes[cls] = known
    return known


def _other(fp, obj, out) -> None:
    """Hash an object of a type without an exact handler, or reject it."""
    cls = type(obj)

    method = getattr(cls, "__nvmath_fingerprint__", None)
    if method is not None:
        result = method(obj)
        if isinstance(result, str):
            result = result.encode("utf-8", "surrogatepass")
        if not isinstance(result, bytes):
            raise _Reject(
                f"is a {_qualname(cls)} whose __nvmath_fingerprint__() returned "
                f"{type(result).__name__}, expected str or bytes"
            )
        _text(out, b"P", _qualname(cls))
        out.append(_U64(len(result)) + result)
        return

    if hasattr(cls, "__cuda_array_interface__"):
        raise _Reject(
            f"is a device array ({_qualname(cls)}); its contents live on the GPU and cannot be "
            "hashed: pass it as an argument instead of capturing it"
        )

    if isinstance(obj, enum.Enum):
        _text(out, b"e", f"{_qualname(cls)}\0{obj.name}")
        _value(fp, obj.value, out)
        return

    np = sys.modules.get("numpy")  # only if someone imported it: never import it here
    if np is not None:
        if isinstance(obj, np.ndarray):
            _ndarray(np, obj, out)
            return
        if isinstance(obj, np.generic):
            _dtype(np, obj.dtype, out)
            data = obj.tobytes()
            out.append(b"g" + _U64(len(data)) + data)
            return
        if isinstance(obj, np.dtype):
            _dtype(np, obj, out)
            return
        if isinstance(obj, np.ufunc):
            _text(out, b"u", obj.__name__)
            return

    if isinstance(obj, type):  # a class with a metaclass
        _h_type(fp, obj, out)
        return

    for base in _BUILTIN_BASES:
        if isinstance(obj, base):
            if getattr(obj, "__dict__", None):
                raise _Reject(f"is a {_qualname(cls)} with instance attributes, which are not hashed")
            _text(out, b"X", _qualname(cls))
            _HANDLERS[base](fp, obj, out)
            return

    if fp is not None:
        # Numba dispatchers: @cuda.jit, @njit, ...
        py_func = _attribute(obj, "py_func")
        if isinstance(py_func, types.FunctionType):
            _text(out, b"d", _qualname(cls))
            out.append(fp.function(py_func))
            options = _attribute(obj, "targetoptions")
            if isinstance(options, dict):
                _target_options(fp, options, out)
            return
        # Numba intrinsics (@intrinsic): the definition holds the code generator.
        definition = _attribute(obj, "_defn")
        if isinstance(definition, types.FunctionType):
            _text(out, b"I", _qualname(cls))
            out.append(fp.function(definition))
            return

    if _is_numba_type(cls):
        name = str(obj)
        if " at 0x" in name:
            raise _Reject(f"is a Numba type whose name contains an address ({name})")
        _text(out, b"N", f"{_qualname(cls)}\0{name}")
        return

    reference = _library_reference(obj)
    if reference is not None:
        _text(out, b"R", reference)
        return

    # Module stand-ins of libraries (numba's redirected subpackages such as ``numba.types``):
    # hashed by name, as modules are; the library's version is part of every key.
    name = getattr(obj, "__name__", None)
    if isinstance(name, str) and _is_library(cls.__module__) and _is_library(name):
        _text(out, b"m", name)
        return

    text = object.__repr__(obj) if cls.__repr__ is object.__repr__ else _safe_repr(obj)
    if " at 0x" in text:
        why = f"its identity is its address ({text})"
    else:
        why = "its type is not one the cache knows how to hash"
    raise _Reject(
        f"is a {_qualname(cls)} object, which has no deterministic hash: {why}. Pass it as an "
        "argument, capture a number, string, tuple or NumPy array instead, or give its class a "
        "__nvmath_fingerprint__() method"
    )


def _attribute(obj, name: str):
    try:
        return getattr(obj, name, None)
    except Exception:  # a property or __getattr__ that fails is no attribute
        return None


def _safe_repr(obj) -> str:
    try:
        text = repr(obj)
    except Exception:
        return "<unrepresentable>"
    return text if len(text) <= 80 else text[:77] + "..."


def _library_reference(obj) -> str | None:
    """The import path of a named object of a library, if it resolves back to *obj*."""
    owner = getattr(obj, "__objclass__", None)  # method descriptors such as str.upper
    module = getattr(owner if owner is not None else obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or not _is_library(module):
        return None
    target = sys.modules.get(module)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return f"{module}\0{qualname}" if target is obj else None


def _dtype(np, dtype, out) -> None:
    text = dtype.str
    if dtype.fields is not None:
        text += f"|{dtype.descr!r}|{dtype.isalignedstruct}"
    _text(out, b"T", text)


def _ndarray(np, array, out) -> None:
    if array.dtype.hasobject:
        raise _Reject("is a NumPy array of Python objects, whose bytes are addresses")
    _text(out, b"A", _qualname(type(array)))
    _dtype(np, array.dtype, out)
    out.append(b"h" + _U64(array.ndim) + b"".join(_U64(n) for n in array.shape))
    contiguous = np.ascontiguousarray(array)
    out.append(hashlib.sha256(contiguous.reshape(-1).view(np.uint8)).digest())


def _target_options(fp, options: dict, out) -> None:
    out.append(b"o" + _U64(len(options)))
    for name in sorted(options):
        _text(out, b"s", name)
        value = options[name]
        try:
            if name == "link" and isinstance(value, (list, tuple)):
                out.append(b"[" + _U64(len(value)))
                for item in value:
                    _link_item(fp, item, out)
            else:
                _value(fp, value, out)
        except _Reject as error:
            error.path.append(f".targetoptions[{name!r}]")
            raise


def _link_item(fp, item, out) -> None:
    # Files linked into a kernel: by path plus size and modification time (a cheap stat);
    # in-memory code objects (numba.cuda.LTOIR, ...) by their bytes.
    if isinstance(item, (str, os.PathLike)):
        path = os.fspath(item)
        try:
            st = os.stat(path)
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        _text(out, b"l", f"{path}\0{stamp}")
        return
    data = _attribute(item, "data")
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        _text(out, b"l", f"{_qualname(type(item))}\0{_attribute(item, 'name')}\0{_attribute(item, 'nrt')}")
        out.append(hashlib.sha256(data).digest())
        return
    _value(fp, item, out)


def fingerprint_function(func) -> str:
    """Return a deterministic fingerprint of a Python function and everything it reads.

    Parameters
    ----------
    func : function or Numba dispatcher
        A plain Python function, or an object with a ``py_func`` attribute holding one (such as
        the result of ``numba.cuda.jit``), whose ``targetoptions`` are then hashed too.

    Returns
    -------
    str
        A SHA-256 hex digest, equal across processes and ``PYTHONHASHSEED`` values as long as
        the code, the captured values and the called functions are unchanged.

    Raises
    ------
    UnhashableCapture
        If the function, or a function it calls, reads a value that cannot be hashed
        deterministically. The message names the variable, the function and the type.
    TypeError
        If *func* is neither a function nor a dispatcher-like object.

    Notes
    -----
    Numba is never imported: dispatchers, intrinsics and Numba types are recognized by their
    attributes and class names.

    Examples
    --------
    >>> def scale(x):
    ...     return 2 * x
    >>> len(fingerprint_function(scale))
    64
    """
    fp = _Fingerprinter()
    try:
        if isinstance(func, types.FunctionType):
            digest = fp.function(func)
        elif isinstance(_attribute(func, "py_func"), types.FunctionType):
            out: list = []
            _other(fp, func, out)
            digest = hashlib.sha256(b"".join(out)).digest()
        else:
            raise TypeError(
                "fingerprint_function expects a Python function or a Numba dispatcher (an object "
                f"whose py_func is a function), got {type(func).__module__}.{type(func).__qualname__}"
            )
    except _Reject as error:
        where = "".join(reversed(error.path))
        raise UnhashableCapture(f"{_qualname(func)!r}{where} {error.detail}") from None
    except RecursionError:
        raise UnhashableCapture(f"{_qualname(func)!r} captures values nested too deeply to hash") from None
    prefix = b"nvmath.fingerprint" + _U64(FINGERPRINT_SCHEMA)
    return hashlib.sha256(prefix + digest).hexdigest()
