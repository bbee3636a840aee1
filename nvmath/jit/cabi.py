"""The C types a compiled device function can expose, and how Numba types map onto them.

A consuming library (cuFFT, cuBLASLt, a C++ kernel) calls a device function through a C
prototype. Numba's own C ABI flattens aggregates (a complex argument becomes two scalars) and
gives ``void`` functions a return value, so nvmath describes the prototype explicitly with
:class:`CSignature` and generates a wrapper with exactly that signature around the Numba-ABI
function. This module holds the vocabulary; it imports neither Numba nor llvmlite.
"""

from __future__ import annotations

import dataclasses
import re

__all__ = ["CType", "CSignature", "ctype", "C_TYPES", "check_symbol"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def check_symbol(symbol, *, keyword: str = "symbol") -> str:
    """Return ``symbol`` if it can name an exported C function; else raise.

    Raises
    ------
    TypeError
        If ``symbol`` is not a ``str``.
    ValueError
        If it is not a C identifier (ASCII letters, digits and ``_``, not starting with a digit).
    """
    if not isinstance(symbol, str):
        raise TypeError(f"{keyword}={symbol!r} is not supported; accepted: a str naming a C function")
    if not _IDENTIFIER.match(symbol):
        raise ValueError(
            f"{keyword}={symbol!r} is not a C identifier; accepted: ASCII letters, digits and '_', "
            "not starting with a digit, e.g. 'my_load'"
        )
    return symbol


@dataclasses.dataclass(frozen=True)
class CType:
    """One C type of a device function's prototype.

    Attributes
    ----------
    name : str
        The canonical name: ``"void"``, ``"int32"``, ``"uint64"``, ``"float"``, ``"double"``,
        ``"float2"``, ``"double2"``, ``"void*"`` or ``"<type>*"``.
    kind : str
        ``"void"``, ``"int"``, ``"float"``, ``"complex"`` (a two-member aligned aggregate, as
        CUDA's ``float2``/``double2``) or ``"pointer"``.
    bits : int
        Width of a scalar, or of one member of an aggregate; 64 for pointers, 0 for void.
    signed : bool
        For integers.
    pointee : CType or None
        For typed pointers; ``None`` for ``void*``.
    """

    name: str
    kind: str
    bits: int = 0
    signed: bool = True
    pointee: CType | None = None

    @property
    def c_spelling(self) -> str:
        """How CUDA C++ spells this type, for declarations and messages."""
        return _C_SPELLING.get(self.name, self.name)

    @property
    def alignment(self) -> int:
        """Alignment in bytes, as CUDA C++ lays the type out."""
        if self.kind == "complex":
            return 2 * self.bits // 8
        if self.kind == "pointer":
            return 8
        return max(self.bits // 8, 1)

    @property
    def size(self) -> int:
        """Size in bytes (0 for void)."""
        if self.kind == "void":
            return 0
        return 2 * self.bits // 8 if self.kind == "complex" else self.bits // 8

    def __str__(self) -> str:
        return self.c_spelling


def _scalar(name, kind, bits, signed=True):
    return CType(name, kind, bits, signed)


C_TYPES: dict[str, CType] = {
    "void": CType("void", "void"),
    "void*": CType("void*", "pointer", 64),
    **{f"int{b}": _scalar(f"int{b}", "int", b) for b in (8, 16, 32, 64)},
    **{f"uint{b}": _scalar(f"uint{b}", "int", b, signed=False) for b in (8, 16, 32, 64)},
    "float": _scalar("float", "float", 32),
    "double": _scalar("double", "float", 64),
    "float2": CType("float2", "complex", 32),
    "double2": CType("double2", "complex", 64),
    # CUDA's __half and __nv_bfloat16 are structs: passed by pointer only (by value they are
    # not an LLVM half/bfloat).
    "float16": CType("float16", "half", 16),
    "bfloat16": CType("bfloat16", "half", 16),
    # cuBLASDx's complex<__half> and complex<__nv_bfloat16>: (re, im) pairs, by pointer only.
    "complex_half": CType("complex_half", "half", 32),
    "complex_bfloat16": CType("complex_bfloat16", "half", 32),
}

_ALIASES = {
    "int": "int32",
    "unsigned int": "uint32",
    "unsigned": "uint32",
    "long long": "int64",
    "unsigned long long": "uint64",
    "size_t": "uint64",
    "char": "int8",
    "unsigned char": "uint8",
    "short": "int16",
    "unsigned short": "uint16",
    "float32": "float",
    "float64": "double",
    "complex64": "float2",
    "complex128": "double2",
    "__half": "float16",
    "half": "float16",
    "__nv_bfloat16": "bfloat16",
    "nv_bfloat16": "bfloat16",
}

# Itanium C++ ABI codes of the builtin types this module knows.
_ITANIUM_BUILTIN = {
    "void": "v",
    "int8": "a",
    "uint8": "h",
    "int16": "s",
    "uint16": "t",
    "int32": "i",
    "uint32": "j",
    "int64": "x",
    "uint64": "y",
    "float": "f",
    "double": "d",
}


def _base36(n: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


_C_SPELLING = {
    "float16": "__half",
    "bfloat16": "__nv_bfloat16",
    "complex_half": "complex<__half>",
    "complex_bfloat16": "complex<__nv_bfloat16>",
    "int8": "signed char",
    "uint8": "unsigned char",
    "int16": "short",
    "uint16": "unsigned short",
    "int32": "int",
    "uint32": "unsigned int",
    "int64": "long long",
    "uint64": "unsigned long long",
}


def ctype(spec) -> CType:
    """Parse a C type: a :class:`CType`, a canonical name, a C spelling or ``"T*"``.

    Raises
    ------
    ValueError
        If the name is not one of the supported C types (the message lists them).
    """
    if isinstance(spec, CType):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"a C type must be given as a string or CType, got {spec!r}")
    text = " ".join(spec.replace("*", " * ").split())
    if text.endswith("*"):
        base = text[:-1].strip()
        if base == "void":
            return C_TYPES["void*"]
        pointee = ctype(base)
        return CType(f"{pointee.name}*", "pointer", 64, pointee=pointee)
    name = _ALIASES.get(text, text)
    if name not in C_TYPES:
        accepted = ", ".join(sorted(C_TYPES)) + ", or a pointer 'T*'"
        raise ValueError(f"unsupported C type {spec!r}; supported: {accepted}")
    return C_TYPES[name]


@dataclasses.dataclass(frozen=True)
class CSignature:
    """A device function's C prototype: its return type and parameter types.

    Examples
    --------
    cuFFT's load callback for complex64 data:

    >>> CSignature.parse("float2", ["void*", "unsigned long long", "void*", "void*"])
    CSignature('float2(void*, unsigned long long, void*, void*)')
    """

    return_type: CType
    arg_types: tuple[CType, ...]

    @classmethod
    def parse(cls, return_type, arg_types) -> CSignature:
        """Build a signature from C type specs (see :func:`ctype`)."""
        ret = ctype(return_type)
        args = tuple(ctype(a) for a in arg_types)
        for i, a in enumerate(args):
            if a.kind == "void":
                raise ValueError(f"parameter {i} of a C signature cannot be void")
        for where, t in [("the return type", ret)] + [(f"parameter {i}", a) for i, a in enumerate(args)]:
            if t.kind == "half":
                raise ValueError(
                    f"{where} of a C signature is {t.c_spelling} by value, which is not supported; "
                    f"pass it by pointer ({t.c_spelling}*)"
                )
        return cls(ret, args)

    def declaration(self, symbol: str, *, linkage: str = "C") -> str:
        """A CUDA C++ declaration of ``symbol`` with this prototype, with C linkage (``extern
        "C"``) or, with ``linkage="C++"``, with C++ linkage (a mangled name, as cuFFT declares
        LTO callbacks)."""
        params = ", ".join(a.c_spelling for a in self.arg_types)
        prefix = 'extern "C" ' if linkage == "C" else "extern "
        return f"{prefix}__device__ {self.return_type.c_spelling} {symbol}({params});"

    def cxx_mangled_name(self, symbol: str) -> str:
        """The name C++ gives a free function ``symbol`` of this prototype (Itanium ABI).

        cuFFT declares a user's LTO callback in C++ (no ``extern "C"``), so the linker looks
        for this name: ``_Z8store_cbPvy6float2S_S_`` for
        ``void store_cb(void*, unsigned long long, float2, void*, void*)``.
        """
        substitutions: list[str] = []  # substitutable types (canonical names), in order of appearance

        def encode(ct: CType) -> str:
            # A type seen before is a back-reference to its first appearance (S_, S0_, S1_...).
            if ct.name in substitutions:
                index = substitutions.index(ct.name)
                return "S_" if index == 0 else f"S{_base36(index - 1)}_"
            if ct.kind == "pointer":
                code = "P" + ("v" if ct.pointee is None else encode(ct.pointee))
            elif ct.kind in ("complex", "half"):  # CUDA's float2, __half... are structs: a source name
                code = f"{len(ct.c_spelling)}{ct.c_spelling}"
            else:
                return _ITANIUM_BUILTIN[ct.name]  # builtin types are never substituted
            substitutions.append(ct.name)
            return code

        params = "".join(encode(a) for a in self.arg_types) or "v"
        return f"_Z{len(symbol)}{symbol}{params}"

    def __str__(self) -> str:
        params = ", ".join(a.c_spelling for a in self.arg_types)
        return f"{self.return_type.c_spelling}({params})"

    def __repr__(self) -> str:
        return f"CSignature({str(self)!r})"
