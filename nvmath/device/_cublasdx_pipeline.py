"""cuBLASDx pipelines through libmathdx: device pipelines, tile pipelines and pipelined accumulators.

A *device pipeline* describes how tiles of two large global-memory operands (A: ``(M, K)``, B:
``(K, N)``, or stacks of them with a third dimension) are streamed through ``depth`` stages of
shared memory into a tile GEMM (a :class:`~nvmath.device.Matmul` made with
``with_pipeline=True``). Its state (TMA descriptors and the like: ``storage_bytes``) lives in
device memory, written once by a one-thread kernel; kernels receive a pointer to it. A *tile
pipeline* is one block's cursor over the device pipeline (``storage_bytes`` of thread-local
memory); ``execute`` accumulates one tile of C into a *pipelined accumulator*, an opaque
thread-local object that libmathdx creates from the tile pipeline.

libmathdx generates the device functions (``create``, ``destroy``, ``reset``, ``execute``...),
which take pipelines and tensors as one-pointer structs by value; as in
:mod:`nvmath.device._tensor_engine`, each is called through an NVRTC-compiled C++ shim whose
parameters are plain pointers. Traits, LTO-IR and shims are cached (:mod:`nvmath.cache`).
No Numba here; the kernel typing is in :mod:`nvmath.device._cublasdx_pipeline_numba`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import weakref

import numpy as np

from . import _mathdx_code
from .common_cuda import Dim3

__all__ = [
    "PipelineSpec",
    "pipeline_traits",
    "pipeline_function",
    "accumulator_function",
    "host_kernels",
    "link_target",
    "DevicePipeline",
    "TilePipeline",
]

logger = logging.getLogger("nvmath.device")

# Device functions on pipelines: (libmathdx function type, pipelines, accumulator?, C layout).
# Layout codes as in _tensor_engine: "T" a one-pointer struct (pipeline or tensor), "S" a void*,
# "I" an int* input, "O" an int* output.
_PIPELINE_FUNCTIONS = {
    # void create(DP, TP, void* smem, int* idx, int* idy)
    "tile_create": ("CREATE", ("tile",), False, "TTSII"),
    # void destroy(TP)
    "tile_destroy": ("DESTROY", ("tile",), False, "T"),
    # void reset(DP, TP, int* idx, int* idy)
    "tile_reset": ("RESET", ("device", "tile"), False, "TTII"),
    # void execute(TP, ACC)
    "execute": ("EXECUTE", ("tile",), True, "TT"),
    # void create(TP, ACC): placement-new of tile_pipeline.get_accumulator()
    "accumulator_create": ("CREATE", ("tile",), True, "TT"),
}

# Device functions of a pipelined accumulator alone (they depend on the Matmul only).
_ACCUMULATOR_FUNCTIONS = {
    "clear": ("CLEAR", "T"),
    "finish_accumulation": ("FINISH_ACCUMULATION", "T"),
    "destroy": ("DESTROY", "T"),
    "is_thread_active": ("IS_THREAD_ACTIVE", "TO"),
    "is_predicated": ("IS_PREDICATED", "TO"),
    "is_index_in_bounds": ("IS_INDEX_IN_BOUNDS", "TIO"),
    "map_idx2crd_partitioner": ("MAP_IDX2CRD_PARTITIONER", "TIOO"),
    # copy(ACC, RMEM): the accumulator's results into a register fragment
    "get_results": ("COPY", "TT"),
}


@dataclasses.dataclass(frozen=True)
class PipelineSpec:
    """One device pipeline: a pipelined GEMM description and the global operands it streams.

    Attributes
    ----------
    matmul : nvmath.device._cublasdx_engine.MatmulSpec
        With ``with_pipeline=True``.
    depth : int
        Shared-memory stages.
    a, b : (value type, shape, strides)
        ``CommondxValueType`` name (``"R_16F"``), and shape and strides in elements (2 or 3 each).
    """

    matmul: object
    depth: int
    a: tuple
    b: tuple

    @property
    def rank(self) -> int:
        return len(self.a[1])

    def describe(self) -> str:
        def one(op):
            return f"{op[0]} shape {tuple(op[1])} strides {tuple(op[2])}"

        return f"{self.matmul.describe()}; depth {self.depth}; a {one(self.a)}; b {one(self.b)}"

    def short(self) -> str:
        return f"{self.matmul.short()}, depth {self.depth}, a {tuple(self.a[1])}, b {tuple(self.b[1])}"


def _components(what: str, describe: str, **extra) -> dict:
    return {
        "kind": "cublasdx-pipeline",
        "descriptor": describe,
        "what": what,
        "libmathdx": _mathdx_code.libmathdx_version(),
        **extra,
    }


@contextlib.contextmanager
def _handles(dx, pspec: PipelineSpec, tile: bool):
    """``(handle, device pipeline, tile pipeline or None)`` of ``pspec``, finalized; destroyed on exit."""
    from . import _cublasdx_engine

    with _cublasdx_engine._descriptor(dx, pspec.matmul, "tensors") as handle:
        tensors, pipelines = [], []
        try:
            for value_type, shape, strides in (pspec.a, pspec.b):
                tensors.append(
                    dx.cublasdxCreateTensorStrided(
                        int(dx.CublasdxMemorySpace.GMEM),
                        int(dx.CommondxValueType[value_type]),
                        None,
                        len(shape),
                        list(shape),
                        list(strides),
                    )
                )
            device = dx.cublasdxCreateDevicePipeline(
                handle,
                int(dx.CublasdxDevicePipelineType.SUGGESTED),
                pspec.depth,
                # the block computes with the Matmul's block_dim (the accumulator's partitioning)
                int(dx.CublasdxBlockSizeStrategy.FIXED),
                tensors[0],
                tensors[1],
            )
            pipelines.append(device)
            dx.cublasdxFinalizePipelines(1, [device])
            dx.cublasdxFinalizeTensors(len(tensors), tensors)
            tile_pipeline = None
            if tile:
                tile_pipeline = dx.cublasdxCreateTilePipeline(handle, int(dx.CublasdxTilePipelineType.DEFAULT), device)
                pipelines.append(tile_pipeline)
                dx.cublasdxFinalizePipelines(1, [tile_pipeline])
            yield handle, device, tile_pipeline
        finally:
            for p in reversed(pipelines):
                dx.cublasdxDestroyPipeline(p)
            for t in tensors:
                dx.cublasdxDestroyTensor(t)


def _error(dx, pspec: PipelineSpec, error: Exception) -> Exception:
    from . import _cublasdx_engine

    if getattr(error, "status", None) == dx.CommondxStatusType.COMPILATION_ERROR:
        return _cublasdx_engine._codegen_error(dx, pspec.matmul, error)
    return ValueError(f"cuBLASDx does not support this device pipeline ({pspec.describe()}): {error}")


def _read_traits(dx, device, tile) -> dict:
    tr = dx.CublasdxPipelineTrait
    return {
        "storage_bytes": int(dx.cublasdxGetPipelineTraitInt64(device, tr.STORAGE_BYTES)),
        "storage_alignment": int(dx.cublasdxGetPipelineTraitInt64(device, tr.STORAGE_ALIGNMENT_BYTES)),
        "buffer_size": int(dx.cublasdxGetPipelineTraitInt64(device, tr.BUFFER_SIZE)),
        "buffer_alignment": int(dx.cublasdxGetPipelineTraitInt64(device, tr.BUFFER_ALIGNMENT_BYTES)),
        "block_dim": [int(v) for v in dx.cublasdxGetPipelineTraitInt64s(device, tr.BLOCK_DIM, 3)],
        "tile_storage_bytes": int(dx.cublasdxGetPipelineTraitInt64(tile, tr.STORAGE_BYTES)),
        "tile_storage_alignment": int(dx.cublasdxGetPipelineTraitInt64(tile, tr.STORAGE_ALIGNMENT_BYTES)),
    }


_TRAITS: dict = {}


def pipeline_traits(pspec: PipelineSpec) -> dict:
    """Traits of ``pspec``: ``storage_bytes``, ``storage_alignment``, ``buffer_size``,
    ``buffer_alignment``, ``block_dim`` of the device pipeline; ``tile_storage_bytes``,
    ``tile_storage_alignment`` of its tile pipelines (from the process, the cache or libmathdx).

    A pipeline that fits a block's shared memory gets its code generated in the same libmathdx
    session (a kernel will need it, and each session costs tens of seconds)."""
    return _mathdx_code.cached_traits(
        _TRAITS,
        pspec,
        _components("traits", pspec.describe()),
        "tile_storage_bytes",
        lambda: _generate_pipeline_code(pspec, suggested=True, traits_first=True)[0],
    )


# ---------------------------------------------------------------------------- device functions
#
# libmathdx spends seconds on every finalize call, whatever it finalizes: the functions of one
# pipeline (or of one accumulator) are made together, in one session and one finalize, into one
# LTO-IR (a *bundle*), with one NVRTC compile for all their shims.


@dataclasses.dataclass(frozen=True)
class _Bundle:
    """Device functions generated together: ``functions`` (name -> DeviceFunction), all in
    ``ltoir`` and ``shim_ltoir``; ``host``: the (create, destroy) symbols of a device pipeline
    in ``ltoir`` (pipeline bundles with the suggested accumulator), else None."""

    functions: dict
    host: tuple | None
    ltoir: bytes


_BUNDLES: dict = {}


def _bundle_shims(components: dict, target, layouts: dict) -> tuple[dict, bytes]:
    """``({name: {"symbol", "params"}}, ltoir)``: the shims of ``layouts`` (name -> (target
    symbol, layout, kinds)), one namespace each (their structs share names), compiled at once."""
    from nvmath.jit.nvrtc import compile_cpp

    from ._tensor_engine import _shim_source

    tag = hashlib.sha256(json.dumps(components, sort_keys=True).encode()).hexdigest()[:8]
    sources, info = [], {}
    for i, (name, (symbol, layout, kinds)) in enumerate(sorted(layouts.items())):
        shim_symbol = f"nvmath_{symbol}_{tag}"
        source, params = _shim_source(symbol, shim_symbol, layout, tuple(kinds))
        sources.append(f"namespace nvmath_shim_{i} {{\n{source}}}\n")
        info[name] = {"symbol": shim_symbol, "params": list(params)}
    ltoir = compile_cpp("".join(sources), compute_capability=target, output="ltoir", name=f"nvmath_shims_{tag}.cu")
    return info, ltoir


def _load_bundle(components: dict) -> _Bundle | None:
    hit = _mathdx_code.cached(components)
    shim = _mathdx_code.cached({**components, "part": "shim"}) if hit is not None else None
    if hit is None or shim is None:
        return None
    (info, ltoir), (shim_info, shim_ltoir) = hit, shim
    return _make_bundle(info, ltoir, shim_info, shim_ltoir)


def _make_bundle(info: dict, ltoir: bytes, shim_info: dict, shim_ltoir: bytes) -> _Bundle:
    from ._tensor_engine import DeviceFunction

    functions = {
        name: DeviceFunction(s["symbol"], tuple(s["params"]), (ltoir, shim_ltoir)) for name, s in shim_info.items()
    }
    host = tuple(info["host"]) if info.get("host") else None
    return _Bundle(functions, host, ltoir)


def _store_bundle(components: dict, mspec, info: dict, ltoir: bytes, layouts: dict, what: str) -> _Bundle:
    """Compile the shims of a freshly generated bundle, keep both in the cache, return it."""
    shim_info, shim_ltoir = _bundle_shims(components, mspec.target, layouts)
    first = next(iter(info["symbols"].values()))
    _mathdx_code.store(components, info, ltoir, kind="cublasdx", symbol=first)
    _mathdx_code.store({**components, "part": "shim"}, shim_info, shim_ltoir, kind="cublasdx", symbol=first)
    logger.info(
        "cuBLASDx %s: generated %s (%d functions, %d bytes of LTO-IR)",
        what,
        components["what"],
        len(layouts),
        len(ltoir),
    )
    return _make_bundle(info, ltoir, shim_info, shim_ltoir)


def _finalize_functions(dx, functions: list, handle: int, target) -> tuple[list, bytes]:
    """``(symbols, ltoir)`` of libmathdx device functions, all finalized in one call."""
    from nvmath.bindings import _mathdx_fetch as dxf

    symbols = [
        dxf.cublasdx_get_device_function_trait_str(f, dx.CublasdxDeviceFunctionTrait.SYMBOL).rstrip("\0")
        for f in functions
    ]
    ltoir = _mathdx_code.finalize_ltoir(
        dx, lambda code, _h: dx.cublasdxFinalizeDeviceFunctions(code, len(functions), functions), handle, target
    )
    return symbols, ltoir


def _accumulator_kind(suggested: bool) -> str:
    return "suggested_accumulator_c" if suggested else "accumulator_c"


def _fragment_kind(suggested: bool) -> str:
    return "suggested_rmem_c" if suggested else "rmem_c"


def _pipeline_names(suggested: bool) -> list:
    """The pipeline functions of a bundle: all with the suggested accumulator; with the other
    accumulator only those that take one (the rest come from the suggested bundle: one symbol
    must not be defined by two linked LTO-IRs)."""
    return [n for n, entry in _PIPELINE_FUNCTIONS.items() if suggested or entry[2]]


def _generate_pipeline_code(pspec: PipelineSpec, suggested: bool, traits_first: bool = False):
    """``(traits, bundle or None)`` from one libmathdx session. With ``traits_first``, a pipeline
    too deep for shared memory stops after its traits (its code would be of no use)."""
    from . import _cublasdx_engine

    _cublasdx_engine._check_target(pspec.matmul)
    from nvmath.bindings import mathdx as dx

    from .cublasdx import max_shared_memory_per_block

    components = _components("code", pspec.describe(), suggested=str(bool(suggested)))
    names = _pipeline_names(suggested)
    functions, tensors = [], []
    try:
        with _handles(dx, pspec, tile=True) as (handle, device, tile):
            traits = _read_traits(dx, device, tile)
            logger.debug("cuBLASDx pipeline %s: traits %s", pspec.short(), traits)
            if traits_first and traits["buffer_size"] > max_shared_memory_per_block(pspec.matmul.target):
                return traits, None
            try:
                kind = _accumulator_kind(suggested)
                tensors.append(dx.cublasdxCreateTensor(handle, int(dx.CublasdxTensorType[kind.upper()])))
                dx.cublasdxFinalizeTensors(len(tensors), tensors)
                for name in names:
                    ftype, uses, with_accumulator, _ = _PIPELINE_FUNCTIONS[name]
                    pipelines = [{"device": device, "tile": tile}[u] for u in uses]
                    args = tensors if with_accumulator else []
                    ftype = int(dx.CublasdxDeviceFunctionType[ftype])
                    functions.append(
                        dx.cublasdxCreateDeviceFunctionWithPipelines(
                            handle, ftype, len(args), args, len(pipelines), pipelines
                        )
                    )
                if suggested:  # the host kernels' create and destroy
                    for ftype in ("CREATE", "DESTROY"):
                        functions.append(
                            dx.cublasdxCreateDeviceFunctionWithPipelines(
                                handle, int(dx.CublasdxDeviceFunctionType[ftype]), 0, [], 1, [device]
                            )
                        )
                symbols, ltoir = _finalize_functions(dx, functions, handle, pspec.matmul.target)
            finally:
                for f in functions:
                    dx.cublasdxDestroyDeviceFunction(f)
                for t in tensors:
                    dx.cublasdxDestroyTensor(t)
    except dx.MathDxError as e:
        raise _error(dx, pspec, e) from None
    info = {"symbols": dict(zip(names, symbols)), "host": symbols[len(names) :] or None}
    layouts = {}
    for name, symbol in info["symbols"].items():
        layout = _PIPELINE_FUNCTIONS[name][3]
        layouts[name] = (symbol, layout, ("pipeline",) * layout.count("T"))
    bundle = _store_bundle(components, pspec.matmul, info, ltoir, layouts, pspec.short())
    _BUNDLES[(pspec, bool(suggested))] = bundle
    return traits, bundle


def _pipeline_bundle(pspec: PipelineSpec, suggested: bool = True) -> _Bundle:
    key = (pspec, bool(suggested))
    found = _BUNDLES.get(key)
    if found is None:
        found = _load_bundle(_components("code", pspec.describe(), suggested=str(bool(suggested))))
        if found is None:
            _, found = _generate_pipeline_code(pspec, suggested)
        _BUNDLES[key] = found
    return found


def pipeline_function(pspec: PipelineSpec, name: str, suggested: bool = True):
    """The device function ``name`` of ``pspec`` (a key of ``_PIPELINE_FUNCTIONS``; those on
    accumulators use the suggested accumulator unless ``suggested`` is False)."""
    if name not in _PIPELINE_FUNCTIONS:
        raise ValueError(f"name={name!r} is not supported; accepted: {', '.join(_PIPELINE_FUNCTIONS)}")
    suggested = bool(suggested) if _PIPELINE_FUNCTIONS[name][2] else True
    return _pipeline_bundle(pspec, suggested).functions[name]


def _accumulator_bundle(mspec, suggested: bool) -> _Bundle:
    key = ("accumulator", mspec, bool(suggested))
    found = _BUNDLES.get(key)
    if found is not None:
        return found
    components = _components("accumulator code", mspec.describe(), suggested=str(bool(suggested)))
    found = _load_bundle(components)
    if found is None:
        found = _generate_accumulator_code(mspec, suggested, components)
    _BUNDLES[key] = found
    return found


def _generate_accumulator_code(mspec, suggested: bool, components: dict) -> _Bundle:
    from . import _cublasdx_engine

    _cublasdx_engine._check_target(mspec)
    from nvmath.bindings import mathdx as dx

    accumulator, fragment = _accumulator_kind(suggested), _fragment_kind(suggested)
    names = list(_ACCUMULATOR_FUNCTIONS)
    with _cublasdx_engine._descriptor(dx, mspec, "tensors") as handle:
        tensors, functions = {}, []
        try:
            for kind in (accumulator, fragment):
                tensors[kind] = dx.cublasdxCreateTensor(handle, int(dx.CublasdxTensorType[kind.upper()]))
            dx.cublasdxFinalizeTensors(len(tensors), list(tensors.values()))
            for name in names:
                args = [tensors[accumulator]] + ([tensors[fragment]] if name == "get_results" else [])
                ftype = _ACCUMULATOR_FUNCTIONS[name][0]
                functions.append(
                    dx.cublasdxCreateDeviceFunction(handle, int(dx.CublasdxDeviceFunctionType[ftype]), len(args), args)
                )
            symbols, ltoir = _finalize_functions(dx, functions, handle, mspec.target)
        except dx.MathDxError as e:
            raise _cublasdx_engine._codegen_error(dx, mspec, e) from None
        finally:
            for f in functions:
                dx.cublasdxDestroyDeviceFunction(f)
            for t in tensors.values():
                dx.cublasdxDestroyTensor(t)
    info = {"symbols": dict(zip(names, symbols)), "host": None}
    layouts = {}
    for name, symbol in info["symbols"].items():
        kinds = [accumulator] + ([fragment] if name == "get_results" else [])
        layouts[name] = (symbol, _ACCUMULATOR_FUNCTIONS[name][1], tuple(kinds))
    return _store_bundle(components, mspec, info, ltoir, layouts, mspec.short())


def accumulator_function(mspec, name: str, suggested: bool = True):
    """The device function ``name`` (a key of ``_ACCUMULATOR_FUNCTIONS``) on the pipelined
    accumulator of GEMM ``mspec`` (``suggest_accumulator()``, or ``get_accumulator()`` when
    ``suggested`` is False)."""
    if name not in _ACCUMULATOR_FUNCTIONS:
        raise ValueError(f"name={name!r} is not supported; accepted: {', '.join(_ACCUMULATOR_FUNCTIONS)}")
    return _accumulator_bundle(mspec, suggested).functions[name]


# ---------------------------------------------------------------------------- host kernels


def link_target(target):
    """The target to link pipelined code for: the architecture-specific one from compute
    capability 9.0 on (``sm_90a``), as numba-cuda links kernels: cuBLASDx's pipelines use
    instructions (``tensormap.replace``...) that only those targets have."""
    return target.kernel_target()


_KERNELS: dict = {}


def host_kernels(pspec: PipelineSpec) -> tuple[bytes, str, str]:
    """``(cubin, init, destroy)``: a cubin with two one-thread kernels and their names:
    ``init(void* storage, const void* a, const void* b)`` writes the device pipeline's state into
    ``storage`` (``storage_bytes`` of device memory); ``destroy(void* storage)`` releases it."""
    found = _KERNELS.get(pspec)
    if found is not None:
        return found
    bundle = _pipeline_bundle(pspec)
    create_symbol, destroy_symbol = bundle.host
    ltoir = bundle.ltoir
    tag = hashlib.sha256(json.dumps(_components("host kernels", pspec.describe())).encode()).hexdigest()[:8]
    init, destroy = f"nvmath_device_pipeline_init_{tag}", f"nvmath_device_pipeline_destroy_{tag}"
    source = "\n".join(
        [
            "struct nvmath_handle { void* ptr; };",
            f'extern "C" __device__ void {create_symbol}(nvmath_handle, nvmath_handle, nvmath_handle);',
            f'extern "C" __device__ void {destroy_symbol}(nvmath_handle);',
            f'extern "C" __global__ void {init}(void* storage, void* a, void* b) {{',
            f"    {create_symbol}(nvmath_handle{{storage}}, nvmath_handle{{a}}, nvmath_handle{{b}});",
            "}",
            f'extern "C" __global__ void {destroy}(void* storage) {{',
            f"    {destroy_symbol}(nvmath_handle{{storage}});",
            "}",
            "",
        ]
    )
    from nvmath.jit import link
    from nvmath.jit.nvrtc import compile_cpp

    target = pspec.matmul.target
    kernels = compile_cpp(source, compute_capability=target, output="ltoir", name=f"{init}.cu")
    # The host touches no global of this module: dropping those no device code uses takes the
    # cubin from 4.2 MB (libmathdx's unused tables and tag constants) to 7.6 KB, the same SASS.
    cubin = link(
        [("ltoir", ltoir), ("ltoir", kernels)],
        compute_capability=link_target(target),
        options=("-optimize-unused-variables",),
    )
    found = _KERNELS[pspec] = (cubin, init, destroy)
    return found


# ---------------------------------------------------------------------------- host objects


def _operand(array, name: str) -> dict:
    """Pointer, dtype, shape and strides (in elements) of a device array."""
    interface = getattr(array, "__cuda_array_interface__", None)
    if interface is None:
        raise TypeError(
            f"{name} must be a device array (Numba device array, CuPy or PyTorch CUDA tensor: "
            f"an object with __cuda_array_interface__); got {type(array).__name__}"
        )
    dtype = np.dtype(interface["typestr"])
    shape = tuple(int(s) for s in interface["shape"])
    strides = interface.get("strides")
    if strides is None:  # C-contiguous
        strides, step = [], dtype.itemsize
        for extent in reversed(shape):
            strides.insert(0, step)
            step *= max(extent, 1)
    elements = []
    for s in strides:
        if s % dtype.itemsize or s <= 0:
            raise ValueError(
                f"{name}.strides={tuple(strides)} are not supported: strides must be positive multiples "
                f"of the element size ({dtype.itemsize} bytes)"
            )
        elements.append(int(s) // dtype.itemsize)
    pointer = int(interface["data"][0])
    return {"pointer": pointer, "dtype": dtype, "shape": shape, "strides": tuple(elements)}


def _check_operands(mm, a: dict, b: dict) -> None:
    m, n, k = mm.size
    for op, name, expected in ((a, "a", mm.a_value_type), (b, "b", mm.b_value_type)):
        try:
            wanted = np.dtype(expected)
        except TypeError:
            raise NotImplementedError(
                f"device pipelines of {mm.data_type} {mm.precision} matrices are not supported"
            ) from None
        if op["dtype"] != wanted:
            raise TypeError(f"{name} has dtype {op['dtype']}; this Matmul needs {wanted} (its {name}_value_type)")
        if len(op["shape"]) not in (2, 3):
            raise ValueError(
                f"{name}.shape={op['shape']} is not supported: accepted a matrix (2 dimensions) "
                "or a stack of matrices (3 dimensions)"
            )
    if len(a["shape"]) != len(b["shape"]):
        raise ValueError(
            f"a and b must have the same number of dimensions; got a.shape={a['shape']}, b.shape={b['shape']}"
        )
    big_m, big_k = a["shape"][:2]
    big_kb, big_n = b["shape"][:2]
    if big_k != big_kb:
        raise ValueError(
            f"a.shape={a['shape']} and b.shape={b['shape']} do not agree: a has {big_k} columns, b {big_kb} rows"
        )
    for extent, tile, what in (
        (big_m, m, "rows of a (M)"),
        (big_n, n, "columns of b (N)"),
        (big_k, k, "columns of a (K)"),
    ):
        if extent % tile:
            raise ValueError(
                f"the {what}, {extent}, are not a multiple of the tile's {tile} (Matmul size={mm.size}): "
                "pad the operands or choose another tile size"
            )


class DevicePipeline:
    """How tiles of two device matrices are streamed through shared memory into a pipelined
    tile GEMM (``Matmul.suggest_device_pipeline(pipeline_depth, a, b)``).

    Parameters
    ----------
    mm : Matmul
        The tile GEMM, made with ``with_pipeline=True``.
    pipeline_depth : int
        Shared-memory stages (at least 1, at most the number of tiles along K, and as many as
        fit in a block's shared memory).
    a, b : device arrays
        ``(M, K)`` and ``(K, N)`` matrices (or ``(M, K, p)`` and ``(K, N, q)`` stacks) of the
        Matmul's ``a_value_type`` and ``b_value_type``, any strides (a layout that matches the
        Matmul's ``arrangement`` is streamed with the copy engine, TMA, where the target has it),
        with ``M``, ``N``, ``K`` multiples of the tile's ``m``, ``n``, ``k``. They must stay
        alive, at the same address, while kernels use the pipeline.

    Attributes
    ----------
    buffer_size, buffer_alignment : int
        The dynamic shared memory a kernel needs (bytes) and its alignment.
    storage_bytes, storage_alignment : int
        The pipeline's state in device memory.
    block_dim : Dim3
        The block to launch.
    pipeline_depth : int
    mm : Matmul

    Notes
    -----
    Pass the object to a ``numba.cuda.jit(extensions=pipeline_extensions)`` kernel; there,
    ``device_pipeline.get_tile(smem, idx, idy)`` gives the block's :class:`TilePipeline` and
    ``device_pipeline.reset_tile(tile_pipeline, idx, idy)`` moves it to another tile (with 3D
    operands, ``idx`` and ``idy`` are pairs: the tile and the matrix of the stack).
    """

    def __init__(self, mm, pipeline_depth: int, a, b):
        from nvmath.device.cublasdx import max_shared_memory_per_block

        from ._tensor_engine import value_type_name

        if not getattr(mm, "with_pipeline", False):
            raise ValueError("device pipelines need a Matmul made with with_pipeline=True")
        if isinstance(pipeline_depth, bool) or not isinstance(pipeline_depth, (int, np.integer)):
            raise TypeError(f"pipeline_depth={pipeline_depth!r} is not supported; accepted: a positive int")
        pipeline_depth = int(pipeline_depth)
        ops = _operand(a, "a"), _operand(b, "b")
        _check_operands(mm, *ops)
        k_stages = ops[0]["shape"][1] // mm.size[2]
        if not 1 <= pipeline_depth <= k_stages:
            raise ValueError(
                f"pipeline_depth={pipeline_depth} is not supported: accepted 1 to {k_stages} "
                f"(the tiles along K: {ops[0]['shape'][1]} // {mm.size[2]})"
            )
        self.mm = mm
        self.pipeline_depth = pipeline_depth
        self.a, self.b = a, b  # the pipeline's state points into them: keep them alive
        self._pointers = (ops[0]["pointer"], ops[1]["pointer"])
        self._spec = PipelineSpec(
            mm._spec,
            pipeline_depth,
            *((value_type_name(op["dtype"].name), op["shape"], op["strides"]) for op in ops),
        )
        traits = pipeline_traits(self._spec)
        limit = max_shared_memory_per_block(mm._spec.target)
        if traits["buffer_size"] > limit:
            raise ValueError(
                f"pipeline_depth={pipeline_depth} needs {traits['buffer_size']} bytes of shared memory, but a block "
                f"on {mm._spec.target} has at most {limit}: choose a smaller depth"
            )
        self._traits = traits
        self._storage = None
        self._initialize()

    @property
    def a_strides(self) -> tuple:
        """The strides of ``a`` in elements."""
        return tuple(self._spec.a[2])

    @property
    def b_strides(self) -> tuple:
        """The strides of ``b`` in elements."""
        return tuple(self._spec.b[2])

    @property
    def buffer_size(self) -> int:
        return int(self._traits["buffer_size"])

    @property
    def buffer_alignment(self) -> int:
        return int(self._traits["buffer_alignment"])

    @property
    def storage_bytes(self) -> int:
        return int(self._traits["storage_bytes"])

    @property
    def storage_alignment(self) -> int:
        return int(self._traits["storage_alignment"])

    @property
    def block_dim(self) -> Dim3:
        return Dim3(*self._traits["block_dim"])

    @property
    def _address(self) -> int:
        """The device address of the pipeline's state (what kernels receive)."""
        return int(self._storage.handle)

    def _initialize(self) -> None:
        from cuda.core import Device, LaunchConfig, ObjectCode, launch

        cubin, init, destroy = host_kernels(self._spec)
        device = Device()
        device.set_current()
        module = ObjectCode.from_cubin(cubin)
        stream = device.default_stream
        storage = device.allocate(max(self.storage_bytes, 1), stream=stream)  # cuda.core wants the stream named
        address = int(storage.handle)
        launch(stream, LaunchConfig(grid=1, block=1), module.get_kernel(init), address, *self._pointers)
        stream.sync()
        self._storage = storage
        self._finalizer = weakref.finalize(self, _release, device, module, destroy, storage)
        logger.debug("cuBLASDx device pipeline %s: state at %#x", self._spec.short(), int(storage.handle))

    def get_tile(self, smem, blockIdx_x, blockIdx_y) -> TilePipeline:
        """The tile pipeline of C's tile ``(blockIdx_x, blockIdx_y)`` over shared memory ``smem``
        (kernels only)."""
        raise RuntimeError("DevicePipeline.get_tile can be called inside numba.cuda.jit kernels only")

    def reset_tile(self, tile_pipeline, idx, idy) -> None:
        """Move ``tile_pipeline`` to tile ``(idx, idy)`` (kernels only)."""
        raise RuntimeError("DevicePipeline.reset_tile can be called inside numba.cuda.jit kernels only")

    def __repr__(self):
        return f"DevicePipeline({self._spec.short()})"


def _release(device, module, destroy: str, storage) -> None:
    """Run the pipeline's destroy kernel, then free its state (a finalizer: never raises)."""
    try:
        from cuda.core import LaunchConfig, launch

        device.set_current()
        stream = device.default_stream
        launch(stream, LaunchConfig(grid=1, block=1), module.get_kernel(destroy), int(storage.handle))
        stream.sync()
        storage.close(stream)
    except Exception as e:  # interpreter shutdown, a lost context...
        logger.debug("cuBLASDx device pipeline: releasing its state failed: %s", e)


class TilePipeline:
    """One block's cursor over a :class:`DevicePipeline` (``device_pipeline.get_tile(...)`` in
    kernels): ``tile_pipeline.execute(accumulator)`` adds the block's tile of ``A @ B`` to an
    accumulator (``MM.suggest_accumulator()``); ``tile_pipeline._del()`` releases it.

    Attributes
    ----------
    device_pipeline : DevicePipeline
    storage_bytes, storage_alignment : int
        Its thread-local state.
    """

    def __init__(self, device_pipeline: DevicePipeline):
        self.device_pipeline = device_pipeline

    @property
    def storage_bytes(self) -> int:
        return int(self.device_pipeline._traits["tile_storage_bytes"])

    @property
    def storage_alignment(self) -> int:
        return int(self.device_pipeline._traits["tile_storage_alignment"])

    def execute(self, accumulator) -> None:
        """Accumulate the tile into ``accumulator`` (kernels only)."""
        raise RuntimeError("TilePipeline.execute can be called inside numba.cuda.jit kernels only")

    def _del(self) -> None:
        """Release the tile pipeline (kernels only)."""
        raise RuntimeError("TilePipeline._del can be called inside numba.cuda.jit kernels only")
