"""cuBLASDx through libmathdx: descriptors, traits and LTO-IR of one block GEMM description.

The face (:mod:`nvmath.device.cublasdx`) checks and names the user's arguments; this module turns
a :class:`MatmulSpec` into libmathdx calls. Traits (no code) and LTO-IR (per execution API:
``"smem"``, shared-memory arrays with the leading dimensions of the description;
``"smem_dynamic_ld"``, leading dimensions given at run time) are cached in the process and in
:mod:`nvmath.cache`, so a process that finds them loads neither libmathdx nor NVRTC. No Numba here.
"""

from __future__ import annotations

import dataclasses
import logging

from . import _mathdx_code

__all__ = ["MatmulSpec", "traits", "generate", "APIS"]

logger = logging.getLogger("nvmath.device")

#: Execution APIs of ``Matmul.execute`` with shared-memory arrays.
APIS = ("smem", "smem_dynamic_ld")


@dataclasses.dataclass(frozen=True)
class MatmulSpec:
    """One cuBLASDx GEMM, with every argument checked and spelled as libmathdx names it.

    Attributes
    ----------
    size : (m, n, k)
    precision : (a, b, c)
        ``CommondxPrecision`` member names (``"F32"``, ``"BF16"``, ``"I8"``...).
    data_type : {"real", "complex"}
    execution : {"Block"}
    target : nvmath.jit.arch.Target
    arrangement : (a, b, c) of {"row_major", "col_major"}, or None (cuBLASDx's default)
    transpose_mode : (a, b) of {"non_transposed", "transposed", "conj_transposed"}, or None
    alignment, leading_dimension, block_dim : three ints each, or None (cuBLASDx's default)
    static_block_dim : bool
    with_pipeline, enable_input_streaming : bool
        The operators of cuBLASDx's pipelined API (their tensor API then needs pipelines).
    """

    size: tuple
    precision: tuple
    data_type: str
    execution: str
    target: object
    arrangement: tuple | None = None
    transpose_mode: tuple | None = None
    alignment: tuple | None = None
    leading_dimension: tuple | None = None
    block_dim: tuple | None = None
    static_block_dim: bool = False
    with_pipeline: bool = False
    enable_input_streaming: bool = False

    def describe(self) -> str:
        """A stable text naming every field (cache keys, fingerprints, messages)."""
        m, n, k = self.size
        parts = [
            f"{m}x{n}x{k}",
            self.data_type,
            "/".join(self.precision),
            self.execution,
            self.target.sm,
            f"arrangement {'/'.join(self.arrangement) if self.arrangement else None}",
            f"transpose_mode {'/'.join(self.transpose_mode) if self.transpose_mode else None}",
            f"alignment {self.alignment}",
            f"leading_dimension {self.leading_dimension}",
            f"block_dim {self.block_dim}",
            f"static_block_dim {self.static_block_dim}",
        ]
        # Named only when set: descriptions (and cache keys) of other GEMMs stay as they were.
        if self.with_pipeline:
            parts.append("with_pipeline")
        if self.enable_input_streaming:
            parts.append("enable_input_streaming")
        return ", ".join(parts)

    def short(self) -> str:
        m, n, k = self.size
        return f"{m}x{n}x{k} {self.data_type} {'/'.join(self.precision)}, {self.target.sm}"


def _operators(dx, spec: MatmulSpec, api: str) -> list:
    """``(operator, value, name)`` for each operator of ``spec`` (value: an int or a list)."""
    op = dx.CublasdxOperatorType
    ops = [
        (op.FUNCTION, int(dx.CublasdxFunction.MM), "function"),
        (op.SIZE, list(spec.size), "size"),
        (op.TYPE, int(dx.CublasdxType[spec.data_type.upper()]), "data_type"),
        (op.PRECISION, [int(dx.CommondxPrecision[p]) for p in spec.precision], "precision"),
        (op.EXECUTION, int(dx.CommondxExecution[spec.execution.upper()]), "execution"),
        (op.API, int(dx.CublasdxApi[api.upper()]), "execute API"),
        # cuBLASDx takes the (SM, modifier) pair: sm_90a code for an sm_90a kernel.
        (op.SM, _mathdx_code.target_sm(dx, spec.target), "sm"),
    ]
    if spec.block_dim is not None:
        ops.append((op.BLOCK_DIM, list(spec.block_dim), "block_dim"))
    if spec.static_block_dim:
        ops.append((op.STATIC_BLOCK_DIM, 1, "static_block_dim"))
    if spec.with_pipeline:
        ops.append((op.WITH_PIPELINE, 1, "with_pipeline"))
    if spec.enable_input_streaming:
        ops.append((op.ENABLE_INPUT_STREAMING, 1, "enable_input_streaming"))
    if spec.leading_dimension is not None and api in ("smem", "tensors"):
        ops.append((op.LEADING_DIMENSION, list(spec.leading_dimension), "leading_dimension"))
    if spec.transpose_mode is not None:
        ops.append(
            (
                op.TRANSPOSE_MODE,
                [int(dx.CublasdxTransposeMode[t.upper()]) for t in spec.transpose_mode],
                "transpose_mode",
            )
        )
    if spec.arrangement is not None:
        ops.append((op.ARRANGEMENT, [int(dx.CublasdxArrangement[a.upper()]) for a in spec.arrangement], "arrangement"))
    if spec.alignment is not None:
        ops.append((op.ALIGNMENT, list(spec.alignment), "alignment"))
    return ops


def _descriptor(dx, spec: MatmulSpec, api: str):
    """A cuBLASDx descriptor with the operators of ``spec`` (a context manager; destroyed on exit)."""
    return _mathdx_code.descriptor(
        dx, "cublasdx", "cuBLASDx", _operators(dx, spec, api), f"this GEMM ({spec.describe()})"
    )


def _codegen_error(dx, spec: MatmulSpec, error: Exception) -> Exception:
    refused = _mathdx_code.refusal(error, "cuBLASDx", f"this GEMM ({spec.describe()})")
    if refused is not None:
        return refused
    if getattr(error, "status", None) == dx.CommondxStatusType.COMPILATION_ERROR:
        from cuda.bindings import nvrtc

        _, major, minor = nvrtc.nvrtcVersion()
        return RuntimeError(
            f"libmathdx could not generate the cuBLASDx code for {spec.short()} with NVRTC {major}.{minor}: "
            f"{error}. libmathdx 0.4 compiles cuBLASDx with the NVRTC of CUDA 13.0 only "
            "(pip install 'nvidia-cuda-nvrtc==13.0.*')"
        )
    return _mathdx_code.UnsupportedByLibMathDx(
        f"cuBLASDx does not support this GEMM ({spec.describe()}): {error}", int(getattr(error, "status", 1))
    )


def _read_traits(dx, handle, spec: MatmulSpec) -> dict:
    from nvmath.bindings import _mathdx_fetch as dxf

    tr = dx.CublasdxTraitType

    def ints(trait, n=3):
        return [int(v) for v in dxf.cublasdx_get_trait_int64s(handle, trait, n)]

    try:
        arrangement = ints(tr.ARRANGEMENT)
        value_types = dx.cublasdxGetTraitCommondxDataTypes(handle, tr.VALUE_TYPE, 3)
        return {
            "block_dim": ints(tr.BLOCK_DIM),
            "suggested_block_dim": ints(tr.SUGGESTED_BLOCK_DIM),
            "max_threads_per_block": int(dx.cublasdxGetTraitInt64(handle, tr.MAX_THREADS_PER_BLOCK)),
            "leading_dimension": ints(tr.LEADING_DIMENSION),
            "suggested_leading_dimension": ints(tr.SUGGESTED_LEADING_DIMENSION),
            "alignment": ints(tr.ALIGNMENT),
            "arrangement": [dx.CublasdxArrangement(a).name.lower() for a in arrangement],
            "value_types": [getattr(v, "name", str(v)) for v in value_types],
        }
    except dx.MathDxError as e:
        raise _codegen_error(dx, spec, e) from None


_TRAITS: dict = {}
_GENERATED: dict = {}


def _components(spec: MatmulSpec, api: str) -> dict:
    return {
        "kind": "cublasdx",
        "descriptor": spec.describe(),
        "api": api,
        "libmathdx": _mathdx_code.libmathdx_version(),
    }


def _check_target(spec: MatmulSpec) -> None:
    # On a miss only (a hit loads no toolchain): a target libNVVM or nvJitLink cannot build for
    # is refused naming it, before libmathdx's NVRTC fails with a less helpful message.
    from nvmath.jit.arch import check_target

    check_target(spec.target, keyword="sm", spec=spec.target.sm)


def traits(spec: MatmulSpec) -> dict:
    """The traits of ``spec`` (block_dim, leading_dimension, alignment, arrangement, value
    types, suggestions), from the process, the cache or libmathdx (no code generated)."""
    return _mathdx_code.cached_traits(
        _TRAITS, spec, _components(spec, "traits"), "value_types", lambda: _compute_traits(spec)
    )


def _compute_traits(spec: MatmulSpec) -> dict:
    _check_target(spec)
    from nvmath.bindings import mathdx as dx

    with _descriptor(dx, spec, "smem") as handle:
        result = _read_traits(dx, handle, spec)
    logger.debug("cuBLASDx %s: traits %s", spec.short(), result)
    return result


def generate(spec: MatmulSpec, api: str = "smem") -> tuple[str, bytes]:
    """The symbol and LTO-IR of ``spec``'s device function with execution API ``api``.

    ``"smem"``: ``void f(TC* alpha, TA* a, TB* b, TC* beta, TC* c)``;
    ``"smem_dynamic_ld"``: ``void f(TC* alpha, TA* a, unsigned* lda, TB* b, unsigned* ldb,
    TC* beta, TC* c, unsigned* ldc)``.
    """
    from nvmath.bindings import _mathdx_fetch as dxf

    if api not in APIS:
        raise ValueError(f"api={api!r} is not supported; accepted: {', '.join(map(repr, APIS))}")
    memo = _GENERATED.get((spec, api))
    if memo is not None:
        return memo
    components = _components(spec, api)
    found = _mathdx_code.cached(components)
    if found is not None:
        info, ltoir = found
        logger.debug("cuBLASDx %s (%s): LTO-IR from the cache", spec.short(), api)
        _GENERATED[(spec, api)] = (info["symbol"], ltoir)
        return info["symbol"], ltoir
    _check_target(spec)
    from nvmath.bindings import mathdx as dx

    with _descriptor(dx, spec, api) as handle:
        try:
            symbol = dxf.cublasdx_get_trait_str(handle, dx.CublasdxTraitType.SYMBOL_NAME).rstrip("\0")
            ltoir = _mathdx_code.finalize_ltoir(dx, dx.cublasdxFinalizeCode, handle, spec.target)
        except dx.MathDxError as e:
            raise _codegen_error(dx, spec, e) from None
    _mathdx_code.store(components, {"symbol": symbol}, ltoir, kind="cublasdx", symbol=symbol)
    logger.info("cuBLASDx %s (%s): generated %d bytes of LTO-IR", spec.short(), api, len(ltoir))
    _GENERATED[(spec, api)] = (symbol, ltoir)
    return symbol, ltoir
