"""cuFFTDx through libmathdx: descriptors, traits, knobs and LTO-IR of one FFT description.

The face (:mod:`nvmath.device.cufftdx`) checks and names the user's arguments; this module turns
an :class:`FFTSpec` into libmathdx calls. Traits and LTO-IR are cached together, per execution
API (``"lmem"``: thread data in registers; ``"smem"``: data in shared memory), in the process
and in :mod:`nvmath.cache`, so a process that finds them loads neither libmathdx nor NVRTC.
No Numba here.
"""

from __future__ import annotations

import dataclasses
import functools
import logging

from . import _mathdx_code

__all__ = ["FFTSpec", "generate", "suggested", "knob_values", "APIS"]

logger = logging.getLogger("nvmath.device")

#: Execution APIs: thread data in registers (``execute(thread_data, shared_memory)``) or
#: all data in shared memory (``execute(shared_memory)``, Block execution only).
APIS = ("lmem", "smem")


@dataclasses.dataclass(frozen=True)
class FFTSpec:
    """One cuFFTDx FFT, with every value resolved (no ``None`` but the knobs left to cuFFTDx).

    Attributes
    ----------
    size : int
    precision : {"F16", "F32", "F64"}
    fft_type : {"c2c", "r2c", "c2r"}
    direction : {"forward", "inverse"}
    execution : {"Block", "Thread"}
    target : nvmath.jit.arch.Target
    ffts_per_block, elements_per_thread : int or None
        None: cuFFTDx's default.
    real_fft_options : (complex_layout, real_mode) or None
    """

    size: int
    precision: str
    fft_type: str
    direction: str
    execution: str
    target: object
    ffts_per_block: int | None = None
    elements_per_thread: int | None = None
    real_fft_options: tuple | None = None

    def describe(self) -> str:
        """A stable text naming every field (cache keys, fingerprints, messages)."""
        parts = [
            f"size {self.size}",
            self.precision,
            self.fft_type,
            self.direction,
            self.execution,
            self.target.sm,
            f"ffts_per_block {self.ffts_per_block}",
            f"elements_per_thread {self.elements_per_thread}",
        ]
        if self.real_fft_options is not None:
            parts.append("real_fft_options " + "/".join(self.real_fft_options))
        return ", ".join(parts)

    def without_knobs(self) -> FFTSpec:
        return dataclasses.replace(self, ffts_per_block=None, elements_per_thread=None)


def _operators(dx, spec: FFTSpec, api: str) -> list:
    """``(operator, value, name)`` for each operator of ``spec`` (value: an int or a list)."""
    op = dx.CufftdxOperatorType
    ops = [
        (op.SIZE, spec.size, "size"),
        (op.PRECISION, int(dx.CommondxPrecision[spec.precision]), "precision"),
        (op.TYPE, int(dx.CufftdxType[spec.fft_type.upper()]), "fft_type"),
        (op.DIRECTION, int(dx.CufftdxDirection[spec.direction.upper()]), "direction"),
        (op.EXECUTION, int(dx.CommondxExecution[spec.execution.upper()]), "execution"),
        # One int, major * 100 + minor * 10: libmathdx 0.4's cuFFTDx refuses the (SM, modifier)
        # pair; an arch suffix reaches the code's target (finalize_ltoir).
        (op.SM, spec.target.major * 100 + spec.target.minor * 10, "sm"),
        (op.API, int(dx.CufftdxApi.SMEM if api == "smem" else dx.CufftdxApi.LMEM), "execute API"),
    ]
    if spec.real_fft_options is not None:
        layout, mode = spec.real_fft_options
        ops.append(
            (
                op.REAL_FFT_OPTIONS,
                [int(dx.CufftdxComplexLayout[layout.upper()]), int(dx.CufftdxRealMode[mode.upper()])],
                "real_fft_options",
            )
        )
    if spec.ffts_per_block is not None:
        ops.append((op.FFTS_PER_BLOCK, spec.ffts_per_block, "ffts_per_block"))
    if spec.elements_per_thread is not None:
        ops.append((op.ELEMENTS_PER_THREAD, spec.elements_per_thread, "elements_per_thread"))
    return ops


def _descriptor(dx, spec: FFTSpec, api: str):
    """A cuFFTDx descriptor with the operators of ``spec`` (a context manager; destroyed on exit)."""
    return _mathdx_code.descriptor(dx, "cufftdx", "cuFFTDx", _operators(dx, spec, api), f"this FFT ({spec.describe()})")


def _read_traits(dx, handle, spec: FFTSpec) -> dict:
    from nvmath.bindings import _mathdx_fetch as dxf

    tr = dx.CufftdxTraitType
    get = lambda t: int(dx.cufftdxGetTraitInt64(handle, t))
    try:
        if not dx.cufftdxIsSupported(handle):
            raise _mathdx_code.UnsupportedByLibMathDx(
                f"cuFFTDx does not support this FFT ({spec.describe()}); FFT.valid() lists the legal knob values"
            )
        traits = {
            "elements_per_thread": get(tr.ELEMENTS_PER_THREAD),
            "storage_size": get(tr.STORAGE_SIZE),
            "stride": get(tr.STRIDE),
            "implicit_type_batching": get(tr.IMPLICIT_TYPE_BATCHING),
            "workspace_size": 0,
        }
        if spec.execution == "Block":
            traits["ffts_per_block"] = get(tr.FFTS_PER_BLOCK)
            traits["shared_memory_size"] = get(tr.SHARED_MEMORY_SIZE)
            traits["block_dim"] = [int(v) for v in dx.cufftdxGetTraitInt64s(handle, tr.BLOCK_DIM, 3)]
        else:  # a thread FFT has no block-level traits
            traits["ffts_per_block"] = traits["shared_memory_size"] = traits["block_dim"] = None
        for key, trait in (
            ("value_type", tr.VALUE_TYPE),
            ("input_type", tr.INPUT_TYPE),
            ("output_type", tr.OUTPUT_TYPE),
        ):
            value_type = dx.cufftdxGetTraitCommondxDataType(handle, trait)
            traits[key] = getattr(value_type, "name", str(value_type))
        traits["symbol"] = dxf.cufftdx_get_trait_str(handle, tr.SYMBOL_NAME).rstrip("\0")
    except dx.MathDxError as e:
        raise _mathdx_code.UnsupportedByLibMathDx(
            f"cuFFTDx does not support this FFT ({spec.describe()}): {e}; FFT.valid() lists the legal knob values",
            int(e.status),
        ) from None
    return traits


_GENERATED: dict = {}


def generate(spec: FFTSpec, api: str = "lmem", on_miss=None) -> tuple[dict, bytes]:
    """Traits and LTO-IR of ``spec`` with execution API ``api``.

    ``on_miss`` is called before libmathdx is used (a cache miss): the face checks there that
    the toolchain knows the target. Raises :class:`ValueError` if cuFFTDx refuses the FFT.
    """
    if api not in APIS:
        raise ValueError(f"api={api!r} is not supported; accepted: {', '.join(map(repr, APIS))}")
    memo = _GENERATED.get((spec, api))
    if memo is not None:
        return memo
    components = {
        "kind": "cufftdx",
        "descriptor": spec.describe(),
        "api": api,
        "libmathdx": _mathdx_code.libmathdx_version(),
    }
    found = _mathdx_code.cached(components)
    if found is not None:
        logger.debug("cuFFTDx %s (%s): traits and LTO-IR from the cache", spec.describe(), api)
        _GENERATED[(spec, api)] = found
        return found
    if on_miss is not None:
        on_miss()
    from nvmath.bindings import mathdx as dx

    with _descriptor(dx, spec, api) as handle:
        traits = _read_traits(dx, handle, spec)
        info: dict = {}
        try:
            ltoir = _mathdx_code.finalize_ltoir(dx, dx.cufftdxFinalizeCode, handle, spec.target, info)
        except dx.MathDxError as e:
            refused = _mathdx_code.refusal(e, "cuFFTDx", f"this FFT ({spec.describe()})")
            if refused is None:
                raise
            raise ValueError(f"{refused}; FFT.valid() lists the legal knob values") from None
    traits["isa"] = info.get("isa", 0)
    _mathdx_code.store(components, traits, ltoir, kind="cufftdx", symbol=traits["symbol"])
    logger.info("cuFFTDx %s (%s): generated %d bytes of LTO-IR", spec.describe(), api, len(ltoir))
    _GENERATED[(spec, api)] = (traits, ltoir)
    return traits, ltoir


@functools.lru_cache(maxsize=256)
def suggested(spec: FFTSpec, what: str) -> int:
    """cuFFTDx's suggestion for a knob left unset in ``spec``: ``"elements_per_thread"`` (its
    default for the other knobs) or ``"ffts_per_block"`` (``SUGGESTED_FFTS_PER_BLOCK``)."""
    from nvmath.bindings import mathdx as dx

    tr = dx.CufftdxTraitType
    trait = {"elements_per_thread": tr.ELEMENTS_PER_THREAD, "ffts_per_block": tr.SUGGESTED_FFTS_PER_BLOCK}[what]
    with _descriptor(dx, spec, "lmem") as handle:
        try:
            return int(dx.cufftdxGetTraitInt64(handle, trait))
        except dx.MathDxError as e:
            raise _mathdx_code.UnsupportedByLibMathDx(
                f"cuFFTDx has no suggested {what} for this FFT ({spec.describe()}): {e}", int(e.status)
            ) from None


@functools.lru_cache(maxsize=256)
def knob_values(spec: FFTSpec, knobs: tuple) -> list:
    """The legal combinations of ``knobs`` (``"elements_per_thread"``, ``"ffts_per_block"``)
    given the other operators of ``spec``: a list of tuples, one value per knob."""
    from nvmath.bindings import _mathdx_fetch as dxf
    from nvmath.bindings import mathdx as dx

    kinds = [int(dx.CufftdxKnobType[k.upper()]) for k in knobs]
    with _descriptor(dx, spec, "lmem") as handle:
        try:
            return [tuple(int(v) for v in combo) for combo in dxf.cufftdx_get_knobs(handle, kinds)]
        except dx.MathDxError as e:
            raise ValueError(f"cuFFTDx cannot list {', '.join(knobs)} for this FFT ({spec.describe()}): {e}") from None
