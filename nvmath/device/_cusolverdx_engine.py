"""cuSOLVERDx through libmathdx: validation, descriptors, traits, LTO-IR and the universal fatbin.

One :class:`SolverSpec` describes one cuSOLVERDx function completely (every default resolved).
Its traits (symbol, block dimensions, suggestions, workspace) are cheap to read (about 0.1 s);
its LTO-IR takes a second or more, so it is generated only when a kernel calls the function.
Both are kept in :mod:`nvmath.cache`: a hit loads neither libmathdx nor NVRTC.

No Numba here (the faces import this module); :mod:`nvmath.device._cusolverdx_numba` does the
kernel side.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np

from nvmath._internal.options import check_choice

from . import _mathdx_code

__all__ = [
    "FUNCTIONS",
    "SolverSpec",
    "validate",
    "default_leading_dimensions",
    "operand_shapes",
    "traits",
    "suggested",
    "generate",
    "prototype",
    "universal_fatbin",
]


class UnsupportedSolverConfiguration(ValueError, RuntimeError):
    """A combination of arguments cuSOLVERDx does not take: a ValueError here, and the
    RuntimeError nvmath-python raises when libmathdx refuses to compile it."""


logger = logging.getLogger("nvmath.device")

#: The functions and what they compute.
FUNCTIONS = {
    "potrf": "Cholesky factorization",
    "potrs": "solve after a Cholesky factorization",
    "posv": "Cholesky factorization and solve",
    "getrf_no_pivot": "LU factorization without pivoting",
    "getrs_no_pivot": "solve after an LU factorization without pivoting",
    "gesv_no_pivot": "LU factorization without pivoting and solve",
    "getrf_partial_pivot": "LU factorization with partial pivoting",
    "getrs_partial_pivot": "solve after an LU factorization with partial pivoting",
    "gesv_partial_pivot": "LU factorization with partial pivoting and solve",
    "geqrf": "QR factorization",
    "unmqr": "multiplication by Q of a QR factorization",
    "ungqr": "Q of a QR factorization, formed",
    "gelqf": "LQ factorization",
    "unmlq": "multiplication by Q of an LQ factorization",
    "unglq": "Q of an LQ factorization, formed",
    "trsm": "triangular solve with several right-hand sides",
    "gels": "least squares (over- or underdetermined)",
    "gtsv_no_pivot": "tridiagonal solve without pivoting",
    "heev": "eigenvalues (and vectors) of a Hermitian matrix",
}
PRECISIONS = (np.float32, np.float64)
DATA_TYPES = ("real", "complex")
EXECUTIONS = ("Block",)
ARRANGEMENTS = ("col_major", "row_major")
TRANSPOSE_MODES = ("non_transposed", "transposed", "conj_transposed")
FILL_MODES = ("lower", "upper")
SIDES = ("left", "right")
DIAGS = ("unit", "non_unit")
JOBS = {"heev": ("no_vectors", "overwrite_vectors")}
APIS = ("compiled_leading_dim", "runtime_leading_dim")

# Which functions take (and need) each optional operator.
TAKES_TRANSPOSE = frozenset(
    {"getrs_no_pivot", "gesv_no_pivot", "getrs_partial_pivot", "gesv_partial_pivot", "unmqr", "unmlq", "gels", "trsm"}
    | {"getrf_no_pivot", "getrf_partial_pivot", "geqrf", "gelqf"}  # these: non_transposed only
)
NON_TRANSPOSED_ONLY = frozenset({"getrf_no_pivot", "getrf_partial_pivot", "geqrf", "gelqf"})
NEEDS_SIDE = frozenset({"unmqr", "unmlq", "trsm"})
NEEDS_FILL_MODE = frozenset({"potrf", "potrs", "posv", "trsm", "heev"})
NEEDS_DIAG = frozenset({"trsm"})
NEEDS_JOB = frozenset(JOBS)

# The device function's parameters, in the C order of the SMEM_DYNAMIC_LD prototype
# (libcusolverdx.h, cusolverdxFunction_t); the SMEM prototype drops the leading dimensions.
# "v": value_type*, "r": precision_type*, "i": int*, "u": const unsigned* (a leading dimension).
_PARAMETERS = {
    "potrf": (("a", "v"), ("lda", "u"), ("info", "i")),
    "getrf_no_pivot": (("a", "v"), ("lda", "u"), ("info", "i")),
    "getrf_partial_pivot": (("a", "v"), ("lda", "u"), ("ipiv", "i"), ("info", "i")),
    "potrs": (("a", "v"), ("lda", "u"), ("b", "v"), ("ldb", "u")),
    "getrs_no_pivot": (("a", "v"), ("lda", "u"), ("b", "v"), ("ldb", "u")),
    "trsm": (("a", "v"), ("lda", "u"), ("b", "v"), ("ldb", "u")),
    "getrs_partial_pivot": (("a", "v"), ("lda", "u"), ("ipiv", "i"), ("b", "v"), ("ldb", "u")),
    "posv": (("a", "v"), ("lda", "u"), ("b", "v"), ("ldb", "u"), ("info", "i")),
    "gesv_no_pivot": (("a", "v"), ("lda", "u"), ("b", "v"), ("ldb", "u"), ("info", "i")),
    "gesv_partial_pivot": (("a", "v"), ("lda", "u"), ("ipiv", "i"), ("b", "v"), ("ldb", "u"), ("info", "i")),
    "geqrf": (("a", "v"), ("lda", "u"), ("tau", "v")),
    "gelqf": (("a", "v"), ("lda", "u"), ("tau", "v")),
    "ungqr": (("a", "v"), ("lda", "u"), ("tau", "v")),
    "unglq": (("a", "v"), ("lda", "u"), ("tau", "v")),
    "unmqr": (("a", "v"), ("lda", "u"), ("tau", "v"), ("c", "v"), ("ldc", "u")),
    "unmlq": (("a", "v"), ("lda", "u"), ("tau", "v"), ("c", "v"), ("ldc", "u")),
    "gels": (("a", "v"), ("lda", "u"), ("tau", "v"), ("b", "v"), ("ldb", "u")),
    "gtsv_no_pivot": (("dl", "v"), ("d", "v"), ("du", "v"), ("b", "v"), ("ldb", "u"), ("info", "i")),
    "heev": (("a", "v"), ("lda", "u"), ("lambda_", "r"), ("workspace", "v"), ("info", "i")),
}


@dataclasses.dataclass(frozen=True)
class SolverSpec:
    """A cuSOLVERDx function, every knob resolved (``block_dim`` None: cuSOLVERDx's default)."""

    function: str
    size: tuple
    precision: type
    data_type: str
    execution: str
    target: object  # nvmath.jit.arch.Target
    arrangement: tuple
    leading_dimensions: tuple
    batches_per_block: int | None
    block_dim: tuple | None = None
    transpose_mode: str | None = None
    side: str | None = None
    diag: str | None = None
    fill_mode: str | None = None
    job: str | None = None

    def describe(self) -> str:
        m, n, k = self.size
        parts = [
            self.function,
            f"{m}x{n}x{k}",
            f"{self.data_type} {np.dtype(self.precision).name}",
            f"arrangement={','.join(self.arrangement)}",
            f"ld={','.join(map(str, self.leading_dimensions))}",
            f"batches_per_block={self.batches_per_block}",
        ]
        for name in ("transpose_mode", "side", "diag", "fill_mode", "job", "block_dim"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value if isinstance(value, str) else ','.join(map(str, value))}")
        parts.append(f"{self.execution} {self.target}")
        return " ".join(parts)


def _positive_ints(value, name, lengths, what):
    ok = isinstance(value, (tuple, list)) and len(value) in lengths
    ok = ok and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in value)
    if not ok:
        raise ValueError(f"{name}={value!r} is not supported; accepted: {what}")
    return tuple(int(v) for v in value)


def validate(
    function,
    size,
    precision,
    execution,
    arrangement,
    transpose_mode,
    side,
    diag,
    fill_mode,
    batches_per_block,
    data_type,
    leading_dimensions,
    block_dim,
    job,
) -> dict:
    """Check every argument of a :class:`~nvmath.device.Solver` and return them normalized
    (``size`` and ``block_dim`` as 3-tuples, ``arrangement`` as a 2-tuple; "suggested" kept).

    Raises :class:`ValueError` naming the argument, its value and what is accepted.
    """
    from ._precision import normalize_precision

    check_choice(function, tuple(FUNCTIONS), "function")
    size = _positive_ints(size, "size", (1, 2, 3), "(M,), (M, N) or (M, N, K) of positive ints")
    if len(size) == 1:
        size = (size[0], size[0], 1)
    elif len(size) == 2:
        size = (*size, 1)
    precision = normalize_precision(precision, "precision", allowed=PRECISIONS)
    check_choice(execution, EXECUTIONS, "execution")
    data_type = "real" if data_type is None else check_choice(data_type, DATA_TYPES, "data_type")
    if arrangement is not None:
        if isinstance(arrangement, str) or not isinstance(arrangement, (tuple, list)) or len(arrangement) not in (1, 2):
            raise ValueError(
                f"arrangement={arrangement!r} is not supported; accepted: a sequence of 1 or 2 of "
                + ", ".join(map(repr, ARRANGEMENTS))
            )
        for i, value in enumerate(arrangement):
            check_choice(value, ARRANGEMENTS, f"arrangement[{i}]")
        arrangement = tuple(arrangement) if len(arrangement) == 2 else (arrangement[0], "col_major")
    else:
        arrangement = ("col_major", "col_major")
    for name, value, accepted, takers in (
        ("transpose_mode", transpose_mode, TRANSPOSE_MODES, TAKES_TRANSPOSE),
        ("side", side, SIDES, NEEDS_SIDE),
        ("diag", diag, DIAGS, NEEDS_DIAG),
        ("fill_mode", fill_mode, FILL_MODES, NEEDS_FILL_MODE),
        ("job", job, tuple(v for j in JOBS.values() for v in j), NEEDS_JOB),
    ):
        if value is None:
            if name != "transpose_mode" and function in takers:
                raise ValueError(
                    f"{name} is required for function={function!r}; accepted: " + ", ".join(map(repr, accepted))
                )
            continue
        check_choice(value, accepted, name)
        if function not in takers:
            raise ValueError(
                f"{name}={value!r} is not supported for function={function!r}; only these functions take it: "
                + ", ".join(map(repr, sorted(takers)))
            )
    if transpose_mode is not None and function in NON_TRANSPOSED_ONLY and transpose_mode != "non_transposed":
        raise ValueError(
            f"transpose_mode={transpose_mode!r} is not supported for function={function!r}; accepted: 'non_transposed'"
        )
    if transpose_mode == "conj_transposed" and data_type == "real":
        raise UnsupportedSolverConfiguration(
            "transpose_mode='conj_transposed' is not supported for data_type='real'; accepted: "
            "'non_transposed', 'transposed'"
        )
    if job is not None and job not in JOBS[function]:
        raise ValueError(
            f"job={job!r} is not supported for function={function!r}; accepted: " + ", ".join(map(repr, JOBS[function]))
        )
    if batches_per_block is not None and batches_per_block != "suggested":
        if not isinstance(batches_per_block, (int, np.integer)) or isinstance(batches_per_block, bool):
            raise ValueError(
                f"batches_per_block={batches_per_block!r} is not supported; accepted: a positive int or 'suggested'"
            )
        if batches_per_block < 1:
            raise ValueError(
                f"batches_per_block={batches_per_block!r} is not supported; accepted: a positive int or 'suggested'"
            )
        batches_per_block = int(batches_per_block)
    if leading_dimensions is not None:
        leading_dimensions = _positive_ints(leading_dimensions, "leading_dimensions", (1, 2), "(lda,) or (lda, ldb)")
    if block_dim is not None and block_dim != "suggested":
        block_dim = _positive_ints(block_dim, "block_dim", (1, 2, 3), "1 to 3 positive ints, or 'suggested'")
        block_dim = (*block_dim, 1, 1)[:3]
    m, n, k = size
    if function in ("potrf", "potrs", "posv") and m != n:
        raise UnsupportedSolverConfiguration(
            f"size={size!r} is not supported for function={function!r}: A must be square (M == N)"
        )
    if function in ("getrs_no_pivot", "gesv_no_pivot", "getrs_partial_pivot", "gesv_partial_pivot") and m != n:
        raise UnsupportedSolverConfiguration(
            f"size={size!r} is not supported for function={function!r}: A must be square (M == N)"
        )
    if function == "unmqr" or function == "unmlq":
        limit = m if side == "left" else n
        if k > limit:
            raise ValueError(
                f"size={size!r} is not supported for function={function!r} with side={side!r}: "
                f"K (the number of reflections) must be at most {'M' if side == 'left' else 'N'} = {limit}"
            )
    return dict(
        function=function,
        size=size,
        precision=precision,
        execution=execution,
        arrangement=arrangement,
        transpose_mode=transpose_mode,
        side=side,
        diag=diag,
        fill_mode=fill_mode,
        batches_per_block=batches_per_block,
        data_type=data_type,
        leading_dimensions=leading_dimensions,
        block_dim=block_dim,
        job=job,
    )


def operand_shapes(function, size, side=None) -> dict:
    """``{"a": (rows, cols), "b": (rows, cols)}``: the matrices ``function`` reads in shared
    memory, per batch (``"b"`` is C for unmqr/unmlq, the B/X buffer for gels)."""
    m, n, k = size
    if function == "trsm":
        d = m if side == "left" else n
        return {"a": (d, d), "b": (m, n)}
    if function == "unmqr":
        return {"a": (m if side == "left" else n, k), "b": (m, n)}
    if function == "unmlq":
        return {"a": (k, m if side == "left" else n), "b": (m, n)}
    if function == "gels":
        return {"a": (m, n), "b": (max(m, n), k)}
    if function == "gtsv_no_pivot":
        return {"b": (n, k)}
    if function in ("geqrf", "gelqf", "ungqr", "unglq", "heev", "potrf", "getrf_no_pivot", "getrf_partial_pivot"):
        return {"a": (m, n)}
    return {"a": (m, n), "b": (n, k)}


def _min_ld(shape, arrangement):
    rows, cols = shape
    return rows if arrangement == "col_major" else cols


#: Factorizations whose B lives in the solve that follows them (potrs, getrs): their ``ldb``
#: trait is that B's (``N x K``), so that a kernel can size B from the factorizing Solver.
FACTORIZE_ONLY = frozenset({"potrf", "getrf_no_pivot", "getrf_partial_pivot"})


def default_leading_dimensions(function, size, arrangement, side=None) -> tuple:
    """The smallest leading dimensions of A and B (0 where the function has no such matrix; for
    the factorizations in :data:`FACTORIZE_ONLY`, B is the ``N x K`` of their solve)."""
    shapes = operand_shapes(function, size, side)
    if function in FACTORIZE_ONLY:
        shapes = {**shapes, "b": (size[1], size[2])}
    return tuple(_min_ld(shapes[x], arr) if x in shapes else 0 for x, arr in zip(("a", "b"), arrangement))


def resolve_leading_dimensions(function, size, arrangement, side, given) -> tuple:
    """``given`` (None, (lda,) or (lda, ldb)) completed with the defaults and checked."""
    default = default_leading_dimensions(function, size, arrangement, side)
    if given is None:
        return default
    lds = tuple(given) + default[len(given) :]
    shapes = operand_shapes(function, size, side)
    for i, (x, arr) in enumerate(zip(("a", "b"), arrangement)):
        if x in shapes and i < len(given) and lds[i] < default[i]:
            rows, cols = shapes[x]
            raise UnsupportedSolverConfiguration(
                f"leading_dimensions={tuple(given)!r} is not supported for function={function!r}: "
                f"ld{x} must be at least {default[i]} for the {rows}x{cols} {x.upper()} in {arr} arrangement"
            )
    return lds


# ---------------------------------------------------------------- descriptors and traits


def _descriptor(dx, spec: SolverSpec, api: str):
    """A libmathdx descriptor for ``spec`` (the caller destroys it)."""
    from nvmath.bindings import _mathdx_fetch as dxf

    op = dx.CusolverdxOperatorType
    h = dx.cusolverdxCreateDescriptor()
    try:
        dx.cusolverdxSetOperatorInt64(h, op.FUNCTION, dx.CusolverdxFunction[spec.function.upper()])
        dxf.cusolverdx_set_operator_int64s(h, op.SIZE, list(spec.size))
        dx.cusolverdxSetOperatorInt64(
            h, op.PRECISION, dx.CommondxPrecision[{np.float32: "F32", np.float64: "F64"}[spec.precision]]
        )
        dx.cusolverdxSetOperatorInt64(h, op.TYPE, dx.CusolverdxType[spec.data_type.upper()])
        dx.cusolverdxSetOperatorInt64(h, op.EXECUTION, dx.CommondxExecution.BLOCK)
        # One int: libmathdx 0.4's cuSOLVERDx refuses the (SM, modifier) pair.
        dx.cusolverdxSetOperatorInt64(h, op.SM, spec.target.major * 100 + spec.target.minor * 10)
        dx.cusolverdxSetOperatorInt64(
            h, op.API, dx.CusolverdxApi.SMEM if api == "compiled_leading_dim" else dx.CusolverdxApi.SMEM_DYNAMIC_LD
        )
        dxf.cusolverdx_set_operator_int64s(
            h, op.ARRANGEMENT, [dx.CusolverdxArrangement[a.upper()] for a in spec.arrangement]
        )
        shapes = operand_shapes(spec.function, spec.size, spec.side)
        lds = [ld for x, ld in zip(("a", "b"), spec.leading_dimensions) if x in shapes]
        if "a" not in shapes:  # gtsv: (unused lda, ldb)
            lds = [0, *lds]
        dxf.cusolverdx_set_operator_int64s(h, op.LEADING_DIMENSION, lds)
        if spec.batches_per_block is not None:
            dx.cusolverdxSetOperatorInt64(h, op.BATCHES_PER_BLOCK, spec.batches_per_block)
        if spec.block_dim is not None:
            dxf.cusolverdx_set_operator_int64s(h, op.BLOCK_DIM, list(spec.block_dim))
        for name, enum in (
            ("transpose_mode", dx.CusolverdxTransposeMode),
            ("side", dx.CusolverdxSide),
            ("diag", dx.CusolverdxDiag),
            ("fill_mode", dx.CusolverdxFillMode),
            ("job", dx.CusolverdxJob),
        ):
            value = getattr(spec, name)
            if value is not None:
                dx.cusolverdxSetOperatorInt64(h, getattr(op, name.upper()), enum[value.upper()])
    except dx.MathDxError as e:
        dx.cusolverdxDestroyDescriptor(h)
        raise UnsupportedSolverConfiguration(f"cuSOLVERDx does not support {spec.describe()}: {e}") from None
    except BaseException:
        dx.cusolverdxDestroyDescriptor(h)
        raise
    return h


def _components(spec: SolverSpec, api: str) -> dict:
    return {
        "kind": "cusolverdx",
        "descriptor": spec.describe(),
        "api": api,
        "libmathdx": _mathdx_code.libmathdx_version(),
    }


_TRAITS: dict = {}
_GENERATED: dict = {}


def traits(spec: SolverSpec) -> dict:
    """``{"symbol", "block_dim", "suggested_block_dim", "suggested_batches_per_block",
    "workspace_size"}`` of ``spec`` (memory, then disk cache, then libmathdx).

    Raises :class:`ValueError` if cuSOLVERDx refuses the description.
    """
    return _mathdx_code.cached_traits(
        _TRAITS,
        spec,
        {**_components(spec, "compiled_leading_dim"), "what": "cusolverdx-traits"},
        "workspace_size",
        lambda: _compute_traits(spec),
    )


def _compute_traits(spec: SolverSpec) -> dict:
    from nvmath.bindings import _mathdx_fetch as dxf
    from nvmath.bindings import mathdx as dx

    tr = dx.CusolverdxTraitType
    h = _descriptor(dx, spec, "compiled_leading_dim")
    try:
        found = {
            "symbol": dxf.cusolverdx_get_trait_str(h, tr.SYMBOL_NAME).rstrip("\0"),
            "block_dim": [int(v) for v in dx.cusolverdxGetTraitInt64s(h, tr.BLOCK_DIM, 3)],
            "suggested_block_dim": [int(v) for v in dx.cusolverdxGetTraitInt64s(h, tr.SUGGESTED_BLOCK_DIM, 3)],
            "suggested_batches_per_block": int(dx.cusolverdxGetTraitInt64(h, tr.SUGGESTED_BATCHES_PER_BLOCK)),
            "workspace_size": int(dx.cusolverdxGetTraitInt64(h, tr.WORKSPACE_SIZE)),
        }
    except dx.MathDxError as e:
        raise UnsupportedSolverConfiguration(
            f"cuSOLVERDx does not support {spec.describe()} (an incompatible combination of arguments): {e}"
        ) from None
    finally:
        dx.cusolverdxDestroyDescriptor(h)
    return found


def suggested(spec: SolverSpec) -> dict:
    """The traits of ``spec`` with ``batches_per_block`` and ``block_dim`` left to cuSOLVERDx."""
    return traits(dataclasses.replace(spec, batches_per_block=None, block_dim=None))


def generate(spec: SolverSpec, api: str) -> tuple[dict, bytes]:
    """Traits (``symbol``, ``isa``) and LTO-IR of ``spec`` with leading dimensions fixed at
    compile time (``"compiled_leading_dim"``) or passed at run time (``"runtime_leading_dim"``)."""
    from nvmath.bindings import _mathdx_fetch as dxf

    check_choice(api, APIS, "execution_api")
    memo = _GENERATED.get((spec, api))
    if memo is not None:
        return memo
    components = _components(spec, api)
    found = _mathdx_code.cached(components)
    if found is not None:
        logger.debug("cuSOLVERDx %s (%s): traits and LTO-IR from the cache", spec.describe(), api)
        _GENERATED[(spec, api)] = found
        return found
    from nvmath.bindings import mathdx as dx

    h = _descriptor(dx, spec, api)
    try:
        info: dict = {}
        try:
            symbol = dxf.cusolverdx_get_trait_str(h, dx.CusolverdxTraitType.SYMBOL_NAME).rstrip("\0")
            ltoir = _mathdx_code.finalize_ltoir(dx, dx.cusolverdxFinalizeCode, h, spec.target, info)
        except dx.MathDxError as e:
            refused = _mathdx_code.refusal(e, "cuSOLVERDx", spec.describe())
            if refused is not None:
                raise refused from None
            raise RuntimeError(
                f"libmathdx could not generate the cuSOLVERDx code of {spec.describe()} ({api}): {e}"
            ) from None
    finally:
        dx.cusolverdxDestroyDescriptor(h)
    found_traits = {"symbol": symbol, "isa": info.get("isa", 0)}
    _mathdx_code.store(components, found_traits, ltoir, kind="cusolverdx", symbol=symbol)
    logger.info("cuSOLVERDx %s (%s): generated %d bytes of LTO-IR", spec.describe(), api, len(ltoir))
    _GENERATED[(spec, api)] = (found_traits, ltoir)
    return found_traits, ltoir


def prototype(spec: SolverSpec, api: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The device function's parameter names and C types, in C order, for ``api``."""
    value = {
        ("real", np.float32): "float",
        ("real", np.float64): "double",
        ("complex", np.float32): "float2",
        ("complex", np.float64): "double2",
    }[(spec.data_type, spec.precision)]
    real = "float" if spec.precision == np.float32 else "double"
    c = {"v": f"{value}*", "r": f"{real}*", "i": "int32*", "u": "uint32*"}
    params = _PARAMETERS[spec.function]
    if api == "compiled_leading_dim":
        params = tuple(p for p in params if p[1] != "u")
    return tuple(p[0] for p in params), tuple(c[p[1]] for p in params)


_FATBIN: list = []


def universal_fatbin() -> bytes:
    """cuSOLVERDx's universal fatbin, which every kernel calling a cuSOLVERDx function links."""
    from nvmath.bindings import _mathdx_fetch as dxf

    if _FATBIN:
        return _FATBIN[0]
    from nvmath import cache as _cache

    key = _cache.CacheKey(
        "fatbin", {"kind": "cusolverdx-universal-fatbin", "libmathdx": _mathdx_code.libmathdx_version()}
    )
    store = _cache.get_cache()
    data = store.get(key)
    if data is None or data[:4] != b"\x50\xed\x55\xba":
        from nvmath.bindings import mathdx as dx

        h = dx.cusolverdxCreateDescriptor()
        try:
            data = bytes(dxf.cusolverdx_get_universal_fatbin(h))
        finally:
            dx.cusolverdxDestroyDescriptor(h)
        store.put(key, data, meta={"kind": "cusolverdx-universal-fatbin"})
    _FATBIN.append(bytes(data))
    return _FATBIN[0]
