"""Write ``nvmath/bindings/_cublas_prototypes.py`` from the cuBLAS C headers.

Usage::

    python tools/gen_cublas_prototypes.py [INCLUDE_DIR] [--output PATH] [--check]

``INCLUDE_DIR`` holds ``cublas_api.h`` and ``cublas_v2.h`` (the ``nvidia-cublas`` 13.x wheel puts
them in ``site-packages/nvidia/cu13/include``, which is the default). ``--check`` compares instead
of writing and exits 1 on a difference.

What it reads:

* every ``cublasStatus_t CUBLASWINAPI cublasX(...);`` prototype of ``cublas_api.h`` (the C++-only
  inline wrappers at its end are skipped: they are not exported symbols);
* the ``#define cublasSgemm cublasSgemm_v2`` lines of ``cublas_v2.h``, which say under which
  public name a ``_v2`` symbol is known;
* the ``typedef enum { ... } name;`` blocks of ``cublas_api.h``.

What it writes is one line per function: the Python name nvmath-python gives it, the exported
symbol, an optional ``-> result`` and the arguments as ``name:kind`` (the kind codes are listed
in the generated file's docstring). The naming, the choice of returned outputs and the pointer
roles are decided here, by the rules below, so that the binding module only reads the table.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "nvmath" / "bindings" / "_cublas_prototypes.py"

# -- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prototype:
    """One C function: its return type, exported symbol and ``(type, name)`` parameters."""

    restype: str
    symbol: str
    params: tuple[tuple[str, str], ...]


def _strip_comments(text: str) -> str:
    """The C text without comments and preprocessor lines."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)


_PROTOTYPE = re.compile(r"([A-Za-z_][\w\s\*]*?)\s+CUBLASWINAPI\s+(cublas\w+)\s*\(([^)]*)\)\s*;")
_PARAM = re.compile(r"^(?P<type>.*?)\s*\b(?P<name>\w+)\s*(?P<array>\[\s*\])?$")


def parse_prototypes(api_text: str) -> list[Prototype]:
    """The exported functions of ``cublas_api.h``, in header order."""
    text = _strip_comments(api_text)
    found = []
    for match in _PROTOTYPE.finditer(text):
        restype = " ".join(match.group(1).split())
        params = []
        for raw in match.group(3).split(","):
            raw = " ".join(raw.split())
            if raw in ("", "void"):
                continue
            param = _PARAM.match(raw)
            if param is None:
                raise ValueError(f"{match.group(2)}: cannot read the parameter {raw!r}")
            ctype = param.group("type").replace(" *", "*")
            params.append((ctype + (" []" if param.group("array") else ""), param.group("name")))
        found.append(Prototype(restype, match.group(2), tuple(params)))
    return found


def parse_aliases(v2_text: str) -> dict[str, str]:
    """``{exported symbol: public name}`` from ``cublas_v2.h``'s ``#define`` lines."""
    pairs = re.findall(r"^\s*#\s*define\s+(cublas\w+)\s+(cublas\w+)\s*$", v2_text, flags=re.M)
    return {symbol: public for public, symbol in pairs}


def parse_enums(api_text: str) -> dict[str, list[tuple[str, int]]]:
    """``{C enum type: [(member, value), ...]}`` for the ``typedef enum`` blocks of the header."""
    enums = {}
    for body, name in re.findall(r"typedef\s+enum\s*\{(.*?)\}\s*(\w+)\s*;", _strip_comments(api_text), flags=re.S):
        members = []
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            member, _, value = (part.strip() for part in item.partition("="))
            if not value:
                raise ValueError(f"{name}.{member}: members without an explicit value are not expected")
            members.append((member, int(value, 0)))
        enums[name] = members
    return enums


# -- naming -------------------------------------------------------------------------------------

#: Where nvmath-python 1.0.1 names a function otherwise than the rule of python_name() says
#: (its ``_64`` twin is ``nrm2ex_64``, by the rule).
NAME_EXCEPTIONS = {"cublasNrm2Ex": "nrm2_ex"}


def snake_case(name: str) -> str:
    """``strideA`` -> ``stride_a``, ``Aarray`` -> ``aarray``, ``devInfoArray`` -> ``dev_info_array``;
    a capital after a digit starts no new word (``d1Type`` -> ``d1type``), as in nvmath-python."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def public_name(symbol: str, aliases: dict[str, str]) -> str:
    """The name C code calls ``symbol`` by (``cublasSgemm_v2`` -> ``cublasSgemm``)."""
    return aliases.get(symbol, symbol)


def python_name(public: str) -> str:
    """nvmath-python's name: ``cublasSgemm`` -> ``sgemm``, ``cublasGemmStridedBatchedEx_64`` ->
    ``gemm_strided_batched_ex_64``."""
    if public in NAME_EXCEPTIONS:
        return NAME_EXCEPTIONS[public]
    return snake_case(public.removeprefix("cublas"))


# -- which functions, and the kind of each argument ---------------------------------------------

#: Parameter types that make a function unbound, as nvmath-python leaves it unbound: half and
#: bfloat16 element types (hgemm, the mixed-precision gemv batches) and the logger callbacks.
SKIPPED_TYPES = ("__half", "__nv_bfloat16", "cublasLogCallback")
#: Functions that report no status (cublasXerbla is cuBLAS's internal error printer).
SKIPPED_RESTYPES = ("void",)

#: C enum types of other CUDA headers (library_types.h) that cuBLAS takes by value.
FOREIGN_ENUMS = {
    "cudaDataType",
    "cudaDataType_t",
    "libraryPropertyType",
    "cudaEmulationStrategy",
    "cudaEmulationMantissaControl",
    "cudaEmulationSpecialValuesSupport",
}

_SCALARS = {"int": "i", "int64_t": "l", "long long int": "l", "long long": "l", "size_t": "z"}
_HOST_ARRAYS = {"const int []": "I", "const int64_t []": "L", "const float []": "F", "const double []": "D"}
#: Always read or written through the handle's pointer mode (host or device memory).
_SCALAR_POINTERS = {"alpha", "beta", "result"}


def _is_rotation(public: str) -> bool:
    """rot, rotg, rotm, rotmg (any type letters, Ex or not): their scalar arguments (c, s, the
    rotg inputs, param, d1...) are pointers read or written through the pointer mode."""
    return re.fullmatch(r"cublas([SDCZ][sd]?)?[Rr]ot(g|m|mg)?(Ex)?(_64)?", public) is not None


def _host_pointers(public: str, params) -> set[str]:
    """Pointer parameters that are host memory whatever the pointer mode."""
    stem = public.removeprefix("cublas").removesuffix("_64").removesuffix("Async")
    pointers = [name for ctype, name in params if ctype.endswith("*")]
    if stem in ("SetVector", "SetMatrix"):
        return {pointers[0]}  # the source
    if stem in ("GetVector", "GetMatrix"):
        return {pointers[-1]}  # the destination
    if re.fullmatch(r"[SDCZ](gels|getrs)Batched", stem):
        return {"info"}  # one status for the whole call, written to the host
    if "GroupedBatched" in stem:
        return {"alpha_array", "beta_array"}
    return set()


def _returned(public: str, params) -> bool:
    """Whether the last parameter is an output the Python function returns: for cublasCreate and
    the getters of a single value (``cublasGetX(handle, T* value)``), as nvmath-python does."""
    if not params or not (public == "cublasCreate" or public.startswith("cublasGet")):
        return False
    ctype = params[-1][0]
    return (
        ctype.endswith("*") and not ctype.startswith("const") and ctype.rstrip("*") not in ("void", "float", "double")
    )


def kind(ctype: str, name: str, *, enums, rotation: bool, host: set[str]) -> str:
    """The kind code of one parameter (see the generated module's docstring)."""
    if ctype == "cublasHandle_t":
        return "h"
    if ctype == "cudaStream_t":
        return "t"
    if ctype in enums or ctype in FOREIGN_ENUMS:
        return "e"
    if ctype in _SCALARS:
        return _SCALARS[ctype]
    if ctype in _HOST_ARRAYS:
        return _HOST_ARRAYS[ctype]
    if ctype == "const cublasOperation_t []":
        return "E"
    if ctype == "const char*":
        return "c"
    if ctype.endswith("*") or ctype.endswith("[]"):
        if name in host:
            return "m"
        if name in _SCALAR_POINTERS or (rotation and name not in ("x", "y")):
            return "s"
        return "p"
    raise ValueError(f"no kind for the C type {ctype!r} (parameter {name})")


def output_kind(ctype: str) -> str:
    """``>i`` for an int or enum the function writes, ``>p`` for a handle, stream or pointer."""
    target = ctype[:-1]
    if target.endswith("*") or target in ("cublasHandle_t", "cudaStream_t"):
        return ">p"
    return ">i"


_RESULTS = {"cublasStatus_t": "", "const char*": "str", "size_t": "size_t"}


def rows(prototypes, aliases, enums) -> tuple[list[str], list[str]]:
    """The table's function lines, and the C names of the functions left out (with why)."""
    lines, skipped = [], []
    for proto in prototypes:
        public = public_name(proto.symbol, aliases)
        if public.removesuffix("_64") != proto.symbol.removesuffix("_64").replace("_v2", ""):
            raise ValueError(f"{proto.symbol}: public name {public} is not the symbol without _v2")
        types = " ".join(ctype for ctype, _ in proto.params)
        if any(t in types for t in SKIPPED_TYPES) or proto.restype in SKIPPED_RESTYPES:
            skipped.append(public)
            continue
        if proto.restype not in _RESULTS:
            raise ValueError(f"{proto.symbol}: unexpected return type {proto.restype!r}")
        host = _host_pointers(public, [(t, snake_case(n)) for t, n in proto.params])
        rotation = _is_rotation(public)
        args = []
        for position, (ctype, cname) in enumerate(proto.params):
            name = snake_case(cname)
            if position == len(proto.params) - 1 and _returned(public, proto.params):
                args.append(f"{name}:{output_kind(ctype)}")
            else:
                args.append(f"{name}:{kind(ctype, name, enums=enums, rotation=rotation, host=host)}")
        result = f" -> {_RESULTS[proto.restype]}" if _RESULTS[proto.restype] else ""
        lines.append(f"{python_name(public)} {proto.symbol}{result}: {' '.join(args)}".rstrip())
    return lines, skipped


# -- output -------------------------------------------------------------------------------------

_HEADER = '''\
"""The cuBLAS C API as a table, read by :mod:`nvmath.bindings.cublas` (generated: do not edit).

Written by ``tools/gen_cublas_prototypes.py`` from the headers of cuBLAS {version}
(``cublas_api.h``, ``cublas_v2.h``); rerun it to update.

``FUNCTIONS``: one line per C function, ``python_name symbol[ -> result]: argument:kind ...``,
with the arguments in C order under nvmath-python's names. ``symbol`` is what the library
exports (``cublasSgemm_v2`` for the ``cublasSgemm`` of ``cublas_v2.h``). Without ``-> result``
the function returns a ``cublasStatus_t``; ``-> str`` is a ``const char*``, ``-> size_t`` a
``size_t``. Kinds:

* ``h`` cublasHandle_t, ``t`` cudaStream_t (pointer-sized ints)
* ``e`` an enum (32-bit), ``i`` int, ``l`` int64_t or long long, ``z`` size_t
* ``p`` address of device memory, ``m`` address of host memory, ``s`` address of a scalar in
  host or device memory as the handle's pointer mode says (``alpha``, ``beta``, ``result``...)
* ``I`` ``L`` ``F`` ``D`` ``E``: host arrays of int, int64_t, float, double, cublasOperation_t
* ``c`` a C string
* ``>i`` ``>p``: the last parameter, an int (or enum) or a pointer the function writes; the
  Python function returns it instead of taking it

Left out, as nvmath-python leaves them out (half or bfloat16 arguments, logger callbacks,
functions without a status)::

    {skipped}

``ENUMS``: ``C type member=value ...`` for each ``typedef enum`` of ``cublas_api.h``.
"""

VERSION = "{version}"

FUNCTIONS = (
'''


def render(lines: list[str], skipped: list[str], enums, version: str) -> str:
    """The module's text: ruff-formatted as written (one string per line)."""
    skipped_text = _wrap(", ".join(skipped), width=92).replace("\n", "\n    ")
    out = [_HEADER.format(version=version, skipped=skipped_text)]
    out += [f'    "{line}",\n' for line in lines]
    out.append(")\n\nENUMS = (\n")
    for name, members in enums.items():
        out.append(f'    "{name} {" ".join(f"{m}={v}" for m, v in members)}",\n')
    out.append(")\n")
    return "".join(out)


def _wrap(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters."""
    wrapped, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            wrapped.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(wrapped + [line])


def header_version(api_text: str) -> str:
    """``major.minor.patch`` from the ``CUBLAS_VER_*`` macros."""
    parts = [re.search(rf"#define\s+CUBLAS_VER_{p}\s+(\d+)", api_text) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(p.group(1) if p else "?" for p in parts)


def generate(include_dir: Path) -> str:
    """The table's text for the headers in ``include_dir``."""
    api = (include_dir / "cublas_api.h").read_text()
    v2 = (include_dir / "cublas_v2.h").read_text()
    enums = parse_enums(api)
    lines, skipped = rows(parse_prototypes(api), parse_aliases(v2), enums)
    return render(lines, skipped, enums, header_version(api))


def default_include_dir() -> Path | None:
    """``nvidia/cu13/include`` of an installed ``nvidia-cublas`` wheel, if any."""
    for entry in sys.path:
        candidate = Path(entry or ".") / "nvidia" / "cu13" / "include"
        if (candidate / "cublas_api.h").is_file():
            return candidate
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("include_dir", nargs="?", type=Path, help="folder of cublas_api.h and cublas_v2.h")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    args = parser.parse_args(argv)
    include_dir = args.include_dir or default_include_dir()
    if include_dir is None:
        parser.error("no cuBLAS headers found: pass the folder of cublas_api.h (pip download nvidia-cublas)")
    text = generate(include_dir)
    if args.check:
        same = args.output.is_file() and args.output.read_text() == text
        print(f"{args.output}: {'up to date' if same else 'differs from the headers'}")
        return 0 if same else 1
    args.output.write_text(text)
    print(f"wrote {args.output} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
