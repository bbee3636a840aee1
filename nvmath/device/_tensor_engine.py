"""cuBLASDx's tensor API through libmathdx: opaque tensor traits and device functions.

A cuBLASDx tensor is a pointer (plus, for global-memory tensors, a run-time leading dimension)
whose layout is known only to the generated C++: libmathdx names the layout (``SMEM_A``,
``SUGGESTED_RMEM_C``, ``GMEM_C``...), reports its size, storage and alignment, and generates
device functions (copy, clear, axpby, execute...) that take such tensors by value.

Passing C structs by value between Numba and C++ is an ABI trap, so every libmathdx function is
called through a small C++ shim, compiled by NVRTC, whose parameters are plain pointers and
64-bit integers (a tensor is ``void* ptr`` and, for global memory, ``long long ld``) and which
builds the structs and calls the libmathdx symbol. libmathdx's code for the functions a kernel
asks for is finalized in one call when the kernel links. Both pieces of LTO-IR are cached (see
:mod:`nvmath.device._mathdx_code`), as are the traits. No Numba here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import threading

from . import _cublasdx_engine, _mathdx_code

__all__ = ["TENSOR_KINDS", "tensor_traits", "DeviceFunction", "device_function", "value_type_name"]

logger = logging.getLogger("nvmath.device")

#: The tensor kinds (layouts) of a Matmul, as libmathdx names them (``CublasdxTensorType``).
TENSOR_KINDS = (
    "smem_a",
    "smem_b",
    "smem_c",
    "suggested_smem_a",
    "suggested_smem_b",
    "suggested_smem_c",
    "suggested_rmem_c",
    "gmem_a",
    "gmem_b",
    "gmem_c",
    "suggested_accumulator_c",
    "rmem_c",
    "accumulator_c",
)

# libmathdx's memory spaces (``cublasdxMemorySpace``), by value.
_MEMORY_SPACES = {0: "r", 1: "s", 2: "g", 3: "any"}

# NumPy type names -> ``CommondxValueType`` names (real; complex "C_" twins).
_VALUE_TYPES = {
    "float16": "R_16F",
    "float32": "R_32F",
    "float64": "R_64F",
    "complex64": "C_32F",
    "complex128": "C_64F",
    "int8": "R_8I",
    "int16": "R_16I",
    "int32": "R_32I",
    "int64": "R_64I",
    "uint8": "R_8UI",
    "uint16": "R_16UI",
    "uint32": "R_32UI",
    "uint64": "R_64UI",
}


def value_type_name(dtype_name: str) -> str:
    """The ``CommondxValueType`` name of a NumPy type name (``"float64"`` -> ``"R_64F"``)."""
    try:
        return _VALUE_TYPES[dtype_name]
    except KeyError:
        raise ValueError(
            f"dtype={dtype_name!r} is not supported for cuBLASDx tensors; accepted: {', '.join(_VALUE_TYPES)}"
        ) from None


def _is_gmem(kind: str) -> bool:
    return kind.startswith("gmem_")


def _components(spec, what: str, **extra) -> dict:
    return {
        "kind": "cublasdx-tensor",
        "descriptor": spec.describe(),
        "what": what,
        "libmathdx": _mathdx_code.libmathdx_version(),
        **extra,
    }


_TRAITS: dict = {}


class _FinalizedTensors:
    """The finalized tensors of one description, on one descriptor kept for the process.

    libmathdx finalizes tensors by compiling code with NVRTC: about 3.3 s a call on the 2-core
    host, whether the call finalizes one tensor or all thirteen kinds of a description (6.3 s).
    A kernel of the tensor API asks for a dozen tensors, most of them several times (its
    traits, each device function's arguments). Made on one descriptor, once each, and all of
    a description's kinds in the first call, the cold compile and link of two such kernels of
    the tests (nvmath-python's accumulator and tensor examples) took 75 and 56 s instead of
    110 and 105 s, a tensor made afresh for each use (2-core host, libmathdx 0.4). Most of
    the rest was libmathdx finalizing each device function (4-5.5 s each), now deferred to the
    link and done in one call a kernel (:class:`_PendingFunctions`).
    """

    def __init__(self, dx, spec):
        self._stack = contextlib.ExitStack()
        self.handle = self._stack.enter_context(_cublasdx_engine._descriptor(dx, spec, "tensors"))
        self.spec = spec
        self._tensors: dict = {}  # (kind, like) -> finalized tensor
        self._all_kinds_tried = False

    def get(self, dx, wanted) -> list:
        """The finalized tensors of ``wanted`` (``(kind, like)`` pairs), made as needed."""
        if not self._all_kinds_tried and any((kind, None) not in self._tensors for kind, _ in wanted):
            self._all_kinds_tried = True
            try:
                self._finalize(dx, {(kind, None): None for kind in TENSOR_KINDS})
            except dx.MathDxError as e:  # a kind this description lacks: each as it is asked for
                logger.debug("cuBLASDx %s: not all tensor kinds at once (%s)", self.spec.short(), e)
        self._finalize(dx, {(kind, None): None for kind, _ in wanted if (kind, None) not in self._tensors})
        likes = [(kind, like) for kind, like in wanted if like is not None and (kind, like) not in self._tensors]
        self._finalize(dx, {(kind, like): self._tensors[kind, None] for kind, like in likes})
        return [self._tensors[kind, like] for kind, like in wanted]

    def _finalize(self, dx, tensors: dict) -> None:
        """Make and finalize ``tensors`` (``(kind, like)`` -> the finalized tensor a ``like``
        one is made from, None for a kind's own), in one libmathdx call; all or none kept."""
        if not tensors:
            return
        made = []
        try:
            for (kind, like), source in tensors.items():
                if like is None:
                    made.append(dx.cublasdxCreateTensor(self.handle, int(dx.CublasdxTensorType[kind.upper()])))
                else:
                    made.append(dx.cublasdxMakeTensorLike(source, int(dx.CommondxValueType[like])))
            dx.cublasdxFinalizeTensors(len(made), made)
        except BaseException:
            for t in made:
                dx.cublasdxDestroyTensor(t)
            raise
        self._tensors.update(zip(tensors, made))


_TENSOR_SETS: dict = {}
# libmathdx's descriptors and tensors are not for concurrent use: one thread at a time here.
_LOCK = threading.RLock()


def _finalized_tensors(dx, spec) -> _FinalizedTensors:
    found = _TENSOR_SETS.get(spec)
    if found is None:
        found = _TENSOR_SETS[spec] = _FinalizedTensors(dx, spec)
    return found


def _read_tensor(dx, tensor) -> dict:
    from nvmath.bindings import _mathdx_fetch as dxf

    tr = dx.CublasdxTensorTrait
    return {
        "storage_bytes": int(dx.cublasdxGetTensorTraitInt64(tensor, tr.STORAGE_BYTES)),
        "alignment": int(dx.cublasdxGetTensorTraitInt64(tensor, tr.ALIGNMENT_BYTES)),
        "uid": int(dx.cublasdxGetTensorTraitInt64(tensor, tr.UID)),
        "logical_size": int(dx.cublasdxGetTensorTraitInt64(tensor, tr.LOGICAL_SIZE)),
        "memory_space": _MEMORY_SPACES.get(int(dx.cublasdxGetTensorTraitInt64(tensor, tr.MEMORY_SPACE)), "any"),
        "opaque_name": dxf.cublasdx_get_tensor_trait_str(tensor, tr.OPAQUE_NAME).rstrip("\0"),
    }


def tensor_traits(spec, kind: str, like: str | None = None) -> dict:
    """Traits of tensor ``kind`` of ``spec`` (``storage_bytes``, ``alignment``, ``uid``,
    ``logical_size``, ``memory_space`` in ``"r"``/``"s"``/``"g"``/``"any"``, ``opaque_name``);
    with ``like`` (a ``CommondxValueType`` name), of the same layout holding that type."""
    if kind not in TENSOR_KINDS:
        raise ValueError(f"kind={kind!r} is not supported; accepted: {', '.join(TENSOR_KINDS)}")
    return _mathdx_code.cached_traits(
        _TRAITS,
        (spec, kind, like),
        _components(spec, "tensor", tensor=kind, like=str(like)),
        "storage_bytes",
        lambda: _compute_tensor_traits(spec, kind, like),
    )


def _compute_tensor_traits(spec, kind: str, like: str | None) -> dict:
    _cublasdx_engine._check_target(spec)
    from nvmath.bindings import mathdx as dx

    with _LOCK:
        try:
            (tensor,) = _finalized_tensors(dx, spec).get(dx, [(kind, like)])
        except dx.MathDxError as e:
            raise _cublasdx_engine._codegen_error(dx, spec, e) from None
        result = _read_tensor(dx, tensor)
    logger.debug("cuBLASDx %s: tensor %s%s traits %s", spec.short(), kind, f" like {like}" if like else "", result)
    return result


# ---------------------------------------------------------------------------- device functions

#: Device functions of the tensor API and their argument lists: "T" a tensor, "S" a scalar
#: (``void*``), "I" an ``int*`` input, "O" an ``int*`` output.
_FUNCTIONS = {
    "execute_rmem": ("EXECUTE", "TTT"),
    "execute_smem": ("EXECUTE", "STTST"),
    "copy": ("COPY", "TT"),
    "copy_wait": ("COPY_WAIT", ""),
    "clear": ("CLEAR", "T"),
    "axpby": ("AXPBY", "STST"),
    "map_idx2crd_partitioner": ("MAP_IDX2CRD_PARTITIONER", "IOO"),
    "is_thread_active": ("IS_THREAD_ACTIVE", "O"),
    "is_predicated": ("IS_PREDICATED", "O"),
    "is_index_in_bounds": ("IS_INDEX_IN_BOUNDS", "IO"),
}


@dataclasses.dataclass(frozen=True)
class DeviceFunction:
    """A tensor-API device function, ready to call from a kernel.

    Attributes
    ----------
    symbol : str
        The shim's symbol: ``void symbol(...)`` whose parameters are ``void*`` (a tensor's
        pointer, a scalar's address), ``long long`` (a global-memory tensor's leading
        dimension) and ``int*``, in that order per argument.
    params : tuple of str
        ``"ptr"`` or ``"i64"``, one per C parameter of the shim.
    ltoirs : tuple
        The libmathdx code (LTO-IR bytes, or the :class:`_PendingFunctions` batch that will
        finalize it at the link) and the shim's LTO-IR, both to link.
    """

    symbol: str
    params: tuple
    ltoirs: tuple


_FUNCS: dict = {}
# symbol -> the code that defines it in this process (LTO-IR bytes, or a _PendingFunctions not
# yet finalized): a symbol defined by two linked LTO-IRs fails the link ("multiply defined").
_SYMBOL_CODE: dict = {}
# spec -> the batch that new device functions of that description join until it is finalized.
_OPEN_BATCHES: dict = {}


class _PendingFunctions:
    """Device functions of one description, made but not yet finalized: the code a kernel
    links for them, finalized the first time the link reads it, all in one libmathdx call.

    Each finalize is an NVRTC compile of cuBLASDx: 4.2 s for one function, 5.5 s for four
    together, against 16.9 s one by one (2-core host, libmathdx 0.4). A tensor-API kernel asks
    for its functions one call at a time as Numba lowers it, then links: deferred to the link,
    they compile together. The LTO-IR defines every function of the batch, so each symbol is
    registered to it (one definition a link) and every function's cache entry holds it, with
    the batch's symbols."""

    def __init__(self, spec):
        self.spec = spec
        self.members: list = []  # (function handle, symbol, components, memo key, name, tensors)
        self._ltoir: bytes | None = None
        self._error: BaseException | None = None
        self.linkable = None  # the numba object a kernel links (made by the Numba layer)

    @property
    def finalized(self) -> bool:
        return self._ltoir is not None

    def ltoir(self) -> bytes:
        """The batch's LTO-IR, finalized at the first call (later joiners go to a new batch)."""
        with _LOCK:
            if self._ltoir is None and self._error is None:
                self._finalize()
            if self._error is not None:
                raise self._error
            return self._ltoir

    def _finalize(self) -> None:
        from nvmath.bindings import mathdx as dx

        if _OPEN_BATCHES.get(self.spec) is self:
            del _OPEN_BATCHES[self.spec]
        handles = [m[0] for m in self.members]
        handle = _finalized_tensors(dx, self.spec).handle
        try:
            try:
                ltoir = _finalize_functions(dx, handles, handle, self.spec.target)
            except dx.MathDxError as e:
                self._error = self._culprit(dx, handle, e)
                # Nothing of the batch is kept: a later kernel makes its functions anew.
                for _function, symbol, _, memo_key, *_ in self.members:
                    _FUNCS.pop(memo_key, None)
                    if _SYMBOL_CODE.get(symbol) is self:
                        del _SYMBOL_CODE[symbol]
                return
        finally:
            for function in handles:
                dx.cublasdxDestroyDeviceFunction(function)
        self._ltoir = ltoir
        symbols = [m[1] for m in self.members]
        for _, symbol, components, *_ in self.members:
            _mathdx_code.store(components, {"symbol": symbol, "batch": symbols}, ltoir, kind="cublasdx", symbol=symbol)
            _SYMBOL_CODE[symbol] = ltoir
        logger.info(
            "cuBLASDx %s: generated %d device functions in one batch (%d bytes of LTO-IR): %s",
            self.spec.short(),
            len(self.members),
            len(ltoir),
            ", ".join(f"{m[4]} on {m[5]}" for m in self.members),
        )

    def _culprit(self, dx, handle, error) -> BaseException:
        """The error to report for a failed batch: that of its first function that fails to
        finalize alone, named, else the batch's own."""
        if len(self.members) > 1:
            for function, _, _, _, name, tensors in self.members:
                try:
                    _finalize_functions(dx, [function], handle, self.spec.target)
                except dx.MathDxError as e:
                    return _naming(_cublasdx_engine._codegen_error(dx, self.spec, e), f"{name} on {tensors}")
        what = ", ".join(f"{m[4]} on {m[5]}" for m in self.members)
        return _naming(_cublasdx_engine._codegen_error(dx, self.spec, error), what)


def _naming(error: Exception, what: str) -> Exception:
    """``error`` (a ValueError or RuntimeError) with the device functions it is about named."""
    return type(error)(f"{error} (the device functions: {what})")


def _finalize_functions(dx, functions: list, handle: int, target) -> bytes:
    return _mathdx_code.finalize_ltoir(
        dx, lambda code, _h: dx.cublasdxFinalizeDeviceFunctions(code, len(functions), functions), handle, target
    )


def _linked_code(info: dict, ltoir: bytes):
    """What a kernel links for a cached LTO-IR (``info``: its cache entry's traits): the bytes,
    or the batch of this process that made them; None where another code of this process
    defines one of its symbols (linked together, the two would define it twice)."""
    result = ltoir
    for symbol in info.get("batch") or [info["symbol"]]:
        code = _SYMBOL_CODE.get(symbol)
        if code is None:
            continue
        if isinstance(code, _PendingFunctions):
            if not code.finalized or code.ltoir() != ltoir:
                return None
            result = code
        elif code != ltoir:
            return None
    return result


def _shim_source(target_symbol: str, shim_symbol: str, layout: str, tensors: tuple) -> tuple[str, tuple]:
    """C++ calling ``target_symbol`` (by-value tensor structs) from ``shim_symbol`` (scalars)."""
    structs, decl, params, call, kinds = [], [], [], [], []
    t = 0
    for i, code in enumerate(layout):
        if code == "T":
            kind = tensors[t]
            t += 1
            name = f"nvmath_tensor_{i}"
            if _is_gmem(kind):
                structs.append(f"struct {name} {{ void* ptr; long long strides[1]; }};")
                params += [f"void* p{i}", f"long long ld{i}"]
                kinds += ["ptr", "i64"]
                call.append(f"{name}{{p{i}, {{ld{i}}}}}")
            else:
                structs.append(f"struct {name} {{ void* ptr; }};")
                params.append(f"void* p{i}")
                kinds.append("ptr")
                call.append(f"{name}{{p{i}}}")
            decl.append(name)
        else:
            decl.append("void*" if code == "S" else "int*")
            params.append(f"{'void' if code == 'S' else 'int'}* p{i}")
            kinds.append("ptr")
            call.append(f"p{i}")
    source = "\n".join(
        [
            *structs,
            f'extern "C" __device__ void {target_symbol}({", ".join(decl)});',
            f'extern "C" __device__ void {shim_symbol}({", ".join(params)}) {{',
            f"    {target_symbol}({', '.join(call)});",
            "}",
            "",
        ]
    )
    return source, tuple(kinds)


def device_function(spec, name: str, tensors: tuple = (), *, alignment: int | None = None) -> DeviceFunction:
    """The device function ``name`` (a key of ``_FUNCTIONS``) of ``spec`` on ``tensors``: a
    tuple of ``(kind, like)`` pairs (``like``: a ``CommondxValueType`` name or None).
    ``alignment``: the copy alignment in bytes (``copy`` only)."""
    from nvmath.bindings import _mathdx_fetch as dxf

    if name not in _FUNCTIONS:
        raise ValueError(f"name={name!r} is not supported; accepted: {', '.join(_FUNCTIONS)}")
    tensors = tuple((k, like) for k, like in tensors)
    memo_key = (spec, name, tensors, alignment)
    memo = _FUNCS.get(memo_key)
    if memo is not None:
        return memo
    ftype, layout = _FUNCTIONS[name]
    # Partitioner functions are made from a tensor that their C prototype does not take.
    if layout.count("T") not in (0, len(tensors)):
        raise ValueError(f"{name} takes {layout.count('T')} tensors; got {len(tensors)}")
    components = _components(spec, "function", function=name, tensors=json.dumps(tensors), alignment=str(alignment))
    shim_components = {**components, "part": "shim"}
    with _LOCK:
        found = _mathdx_code.cached(components)
        code = _linked_code(*found) if found is not None else None
        shim = _mathdx_code.cached(shim_components) if code is not None else None
        if shim is not None:
            info, _ = found
            shim_info, shim_ltoir = shim
            for symbol in info.get("batch") or [info["symbol"]]:
                _SYMBOL_CODE.setdefault(symbol, code)
            result = DeviceFunction(shim_info["symbol"], tuple(shim_info["params"]), (code, shim_ltoir))
            _FUNCS[memo_key] = result
            return result
        _cublasdx_engine._check_target(spec)
        from nvmath.bindings import mathdx as dx

        function = None
        try:
            finalized = _finalized_tensors(dx, spec)
            handle, arguments = finalized.handle, finalized.get(dx, list(tensors))
            function = dx.cublasdxCreateDeviceFunction(
                handle, int(dx.CublasdxDeviceFunctionType[ftype]), len(arguments), arguments
            )
            if alignment is not None:
                dx.cublasdxSetDeviceFunctionOptionInt64(
                    function, int(dx.CublasdxDeviceFunctionOption.COPY_ALIGNMENT), int(alignment)
                )
            symbol = dxf.cublasdx_get_device_function_trait_str(function, dx.CublasdxDeviceFunctionTrait.SYMBOL)
            symbol = symbol.rstrip("\0")
        except dx.MathDxError as e:
            if function is not None:
                dx.cublasdxDestroyDeviceFunction(function)
            raise _cublasdx_engine._codegen_error(dx, spec, e) from None
        code = _SYMBOL_CODE.get(symbol)
        if code is not None:  # defined by code this process has (another batch, the cache)
            dx.cublasdxDestroyDeviceFunction(function)
        else:
            code = _OPEN_BATCHES.get(spec)
            if code is None:
                code = _OPEN_BATCHES[spec] = _PendingFunctions(spec)
            code.members.append((function, symbol, components, memo_key, name, tensors))
            _SYMBOL_CODE[symbol] = code
        shim_symbol = "nvmath_" + symbol + "_" + hashlib.sha256(json.dumps(components).encode()).hexdigest()[:8]
        source, params = _shim_source(symbol, shim_symbol, layout, tuple(k for k, _ in tensors))
        from nvmath.jit.nvrtc import compile_cpp

        shim_ltoir = compile_cpp(source, compute_capability=spec.target, output="ltoir", name=f"{shim_symbol}.cu")
        _mathdx_code.store(
            shim_components,
            {"symbol": shim_symbol, "params": list(params)},
            shim_ltoir,
            kind="cublasdx",
            symbol=shim_symbol,
        )
        logger.debug("cuBLASDx %s: %s on %s is %s (finalized at the link)", spec.short(), name, tensors, symbol)
        result = DeviceFunction(shim_symbol, params, (code, shim_ltoir))
        _FUNCS[memo_key] = result
        return result
