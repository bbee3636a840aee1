"""The GPU side of :class:`~nvmath.linalg.advanced.Matmul`: cuBLASLt descriptors, heuristics,
autotuning and execution.

cuBLASLt is column-major. A row-major operand is the transpose of a column-major one, so
``A`` and ``B`` of either layout are described without copies (``op = T``). The result is
written column-major when the epilog has per-row data (a bias, auxiliary outputs); otherwise
the whole product is transposed (``D^T = op(B)^T op(A)^T``) so that the result is row-major,
as NumPy, CuPy and PyTorch users expect.
"""

from __future__ import annotations

import ctypes
import random
import statistics

import numpy as np

from nvmath._internal import streams as _streams
from nvmath._internal.graphs import LEGACY_STREAM, CallGraphs
from nvmath._internal.tensor import c_strides, contiguous_strides, fast_result_allocator
from nvmath.bindings import cublasLt as lt
from nvmath.memory import allocate_workspace

from ._algorithm import Algorithm
from ._options import SCALE_TYPES, memory_limit_bytes
from ._options import MatmulEpilog as E
from ._problem import gelu_aux_ld, relu_aux_ld

__all__ = ["CudaMatmul"]

_DATA = {
    "float16": lt.DataType.R_16F,
    "bfloat16": lt.DataType.R_16BF,
    "float32": lt.DataType.R_32F,
    "float64": lt.DataType.R_64F,
    "complex64": lt.DataType.C_32F,
    "complex128": lt.DataType.C_64F,
    "float8_e4m3fn": lt.DataType.R_8F_E4M3,
    "float8_e5m2": lt.DataType.R_8F_E5M2,
}
# Operand type → (compute type, scale type); fp16/bf16/FP8 accumulate in fp32, as cuBLAS does.
_COMPUTE = {
    "float16": (lt.ComputeType.COMPUTE_32F, "float32"),
    "bfloat16": (lt.ComputeType.COMPUTE_32F, "float32"),
    "float32": (lt.ComputeType.COMPUTE_32F, "float32"),
    "float64": (lt.ComputeType.COMPUTE_64F, "float64"),
    "complex64": (lt.ComputeType.COMPUTE_32F, "complex64"),
    "complex128": (lt.ComputeType.COMPUTE_64F, "complex128"),
    "float8_e4m3fn": (lt.ComputeType.COMPUTE_32F, "float32"),
    "float8_e5m2": (lt.ComputeType.COMPUTE_32F, "float32"),
}
_SCALE_DATA = {kind: data for data, kind in SCALE_TYPES.items()}
_FP8 = ("float8_e4m3fn", "float8_e5m2")


#: Where an output pointer must be set before the algorithm search: 256-byte aligned, never read.
_PLACEHOLDER_POINTER = 256


def _aux_ld(m, dtype):
    """The leading dimension of a GELU auxiliary matrix: rows rounded up to 8 elements, to 16
    for one-byte (FP8) elements (cuBLASLt wants 16-byte aligned columns there)."""
    return -(-m // 16) * 16 if dtype in _FP8 else gelu_aux_ld(m)


_COMPLEX = ("complex64", "complex128")


def _compute_and_scale(ab_dtype, compute_type, scale_type):
    """The compute type and the scale type's NumPy name: the options' (checked by MatmulOptions),
    else the defaults of the operand type; a scale type that goes with the compute type when only
    that is given (cuBLASLt's table: 16F with R_16F, 64F with R_64F/C_64F, 32F with R_32F/C_32F)."""
    compute, scale = _COMPUTE[ab_dtype]
    if compute_type is not None:
        compute = compute_type
        if scale_type is None:
            name = compute.name
            width = "16" if name.startswith("COMPUTE_16F") else "64" if name.startswith("COMPUTE_64F") else "32"
            if ab_dtype in _COMPLEX:
                scale = {"64": "complex128"}.get(width, "complex64")
            else:
                scale = {"16": "float16", "64": "float64"}.get(width, "float32")
    if scale_type is not None:
        scale = SCALE_TYPES[scale_type]
    return compute, scale


# Epilogs that keep the product untransposed (per-row bias, auxiliary matrices or vectors).
_COLUMN_MAJOR_EPILOGS = {
    E.BIAS,
    E.RELU_BIAS,
    E.RELU_AUX,
    E.RELU_AUX_BIAS,
    E.GELU_BIAS,
    E.GELU_AUX,
    E.GELU_AUX_BIAS,
    E.DRELU,
    E.DRELU_BGRAD,
    E.DGELU,
    E.DGELU_BGRAD,
    E.BGRADA,
    E.BGRADB,
}
# Bytes added to an epilog plan's workspace (nvmath-python does the same: some cuBLASLt epilog
# kernels were seen to touch a few bytes past the size their algorithm reports).
_EPILOG_WORKSPACE_SLACK = 16


def brief(algorithm) -> str:
    """An algorithm in a log line: its id and the configuration that tells candidates apart."""
    try:
        return (
            f"id {algorithm.algorithm_id} tile {algorithm.tile} cluster {algorithm.cluster_shape} "
            f"split_k {algorithm.split_k}"
        )
    except Exception:  # an attribute this cuBLASLt does not report: the whole description
        return repr(algorithm)


class _Described:
    """Algorithms in a log line, described only if the line is written (each description reads
    cuBLASLt attributes: no cost on a plan whose logger drops INFO)."""

    __slots__ = ("algorithms",)

    def __init__(self, algorithms):
        self.algorithms = algorithms

    def __str__(self):
        return "; ".join(brief(a) for a in self.algorithms)


def autotune_schedule(count: int, iterations: int, seed: int = 0) -> list[list[int]]:
    """The order in which :meth:`autotune` times ``count`` algorithms: ``iterations`` rounds,
    each every algorithm once, in a new shuffled order.

    Timing one algorithm's runs back to back lets the GPU's clock drift (it slows as it warms)
    rank the algorithms by when they ran; interleaved rounds in shuffled orders, as nvmath-python
    does, spread the drift over all of them. The seed keeps a plan's tuning reproducible.
    """
    rng = random.Random(seed)
    rounds = []
    for _ in range(iterations):
        order = list(range(count))
        rng.shuffle(order)
        rounds.append(order)
    return rounds


def _scalar(value, kind):
    """A host buffer holding ``value`` in the scale type (cuBLASLt reads alpha/beta from it)."""
    return np.asarray(value, dtype=kind).reshape(1).copy()


def _matrix(shape, strides, name):
    """``(rows, cols, ld, transposed)`` of a 2-D logical matrix in column-major terms, or None
    when its strides are not those of a (possibly transposed) column-major matrix."""
    r, c = shape
    sr, sc = strides
    if (sr == 1 or r == 1) and sc >= max(r, 1):
        return r, c, max(sc, 1), False
    if (sc == 1 or c == 1) and sr >= max(c, 1):
        return c, r, max(sr, 1), True
    return None


def _oriented(shape, strides, transposed):
    """``(rows, cols, ld)`` of a 2-D logical matrix described column-major in the wanted
    orientation (``transposed``: the matrix is read as its row-major transpose), or None when
    its strides do not allow it. An axis of extent 1 takes any stride, so a vector-shaped
    ``c`` fits either orientation."""
    (r, c), (sr, sc) = shape, strides
    if transposed:
        r, c, sr, sc = c, r, sc, sr
    if (r > 1 and sr != 1) or (c > 1 and sc < max(r, 1)):
        return None
    return r, c, sc if c > 1 else max(r, 1)


def _batch_stride(shape, strides, batch_shape):
    """One stride across the batch (0 when broadcast), or None when the batch axes do not
    collapse into one."""
    nb = len(shape) - 2
    own = list(zip(shape[:nb], strides[:nb]))
    full = [(1, 0)] * (len(batch_shape) - nb) + own
    axes = [(n, s if n != 1 else 0) for n, s in full]
    if all(s == 0 for _, s in axes):
        return 0
    # The batch axes must chain: each stride is the next one's times its extent.
    live = [(n, s) for (n, s), total in zip(axes, batch_shape) if total != 1]
    if any(s == 0 for _, s in live):
        return None  # broadcast along some batch axes only
    for (_, s_out), (n_in, s_in) in zip(live, live[1:]):
        if s_out != s_in * n_in:
            return None
    return live[-1][1] if live else 0


def _partial_broadcast(name, shape, batch_shape):
    batch = tuple(batch_shape)
    return (
        f"{name} has batch shape {tuple(shape[:-2])}, which broadcasts against the batch {batch} along some "
        f"axes only: cuBLASLt takes one stride across a batch; broadcast {name} to the full batch (or give it no "
        "batch axes) first"
    )


class CudaMatmul:
    """cuBLASLt execution of one :class:`~nvmath.linalg.advanced.Matmul`."""

    def __init__(self, owner, stream):
        self.owner = owner
        self.p = owner._problem
        self.logger = owner.logger
        self.options = owner.options
        ops = owner._operands
        a = ops["a"]
        self.package = a.package
        self.host = a.is_host
        self.device_id = (
            (owner.execution.device_id if owner.execution.device_id is not None else self.options.device_id)
            if self.host
            else a.device_id
        )
        if not self.host and owner.execution.device_id not in (None, a.device_id):
            raise ValueError(
                f"the operands are on GPU {a.device_id} but execution.device_id="
                f"{owner.execution.device_id}; nvmath does not copy between GPUs implicitly"
            )
        self.stream = _streams.get_stream(stream, package=self.package, device_id=self.device_id)
        if self.p.fp8:
            from nvmath.jit import device_target

            cc = device_target(self.device_id).cc
            if cc < (8, 9):
                what = f"FP8 operands ({self.p.ab_dtype}) and the {self.p.result_dtype} result"
                raise RuntimeError(
                    f"FP8 matmul needs compute capability 8.9 or newer (Ada, Hopper) for {what}; GPU "
                    f"{self.device_id} has {cc[0]}.{cc[1]}: use bf16/fp16 operands there, or "
                    "execution='cpu' for host operands"
                )
        self.dev = {k: self._to_device(h) for k, h in ops.items() if h is not None}
        self.handle = self.options.handle  # the user's handle is never destroyed here
        self._own_handle = self.handle is None
        self.algorithms = []
        self._descs = []
        self.workspace = None
        self.worksize = 0
        self._fast = None
        self._inputs = {}
        self._copied = set()  # operands planned from a copy: reset_operands copies into it again
        self._host_scales = []  # (host scale, its device buffer), copied at every execute
        self._aux_fp8 = False  # an FP8 GELU auxiliary output (scale, optional amax)
        self._tuning = False  # autotune() runs: an in-place result is not copied back to the user's c
        self.direct = False

    def _stream(self, stream):
        """The stream of a call: the one given, else (as in nvmath-python) the operands'
        package's current stream, asked at each call; host operands keep the object's stream
        (their calls block)."""
        if stream is None:
            if self.host:
                return self.stream
            return _streams.get_stream(None, package=self.package, device_id=self.device_id)
        return _streams.get_stream(stream, package=self.package, device_id=self.device_id)

    def _to_device(self, h):
        if not h.is_host:
            return h
        return h.to_device(self.device_id, self.stream, logger=self.logger, allocator=self.options.allocator)

    # -- descriptors -------------------------------------------------------------------------------
    def _layout(self, dtype, rows, cols, ld, batch_stride):
        desc = lt.cublasLtMatrixLayoutCreate(_DATA[dtype], rows, cols, ld)
        self._descs.append(("layout", desc))
        if self.p.batch > 1:
            lt.matrix_layout_set(desc, lt.MatrixLayoutAttribute.BATCH_COUNT, self.p.batch)
            lt.matrix_layout_set(desc, lt.MatrixLayoutAttribute.STRIDED_BATCH_OFFSET, batch_stride)
        return desc

    def _operand_matrix(self, name, h, want_columns=False, copied=False):
        """Column-major description of operand ``name`` (copied once, logged, when impossible
        or when ``want_columns`` asks for a column-major, untransposed operand)."""
        p = self.p
        shape, strides = tuple(h.shape), tuple(h.strides)
        if name == "a" and p.a_vector:
            shape, strides = (1, shape[0]), (strides[0] * shape[0] or 1, strides[0])
        if name == "b" and p.b_vector:
            shape, strides = (shape[0], 1), (strides[0], strides[0] * shape[0] or 1)
        matrix = _matrix(shape[-2:], strides[-2:], name)
        bstride = _batch_stride(shape, strides, p.batch_shape)
        fp8_b_needs_cols = p.fp8 and name == "b" and matrix is not None and matrix[3]
        fp8_a_needs_rows = p.fp8 and name == "a" and matrix is not None and not matrix[3]
        needs_cols = want_columns and matrix is not None and matrix[3]
        if bstride is None and copied:  # a dense copy did not help: the batch broadcasts partly
            raise ValueError(_partial_broadcast(name, shape, p.batch_shape))
        if not copied and (matrix is None or bstride is None or fp8_b_needs_cols or fp8_a_needs_rows or needs_cols):
            order = list(range(len(shape)))
            # A dense copy: row-major for a (FP8 wants A transposed), column-major otherwise.
            if name == "a" and not want_columns:
                new_strides = c_strides(h.shape)
            else:
                order = (
                    list(range(len(h.shape) - 2)) + [len(h.shape) - 1, len(h.shape) - 2] if len(h.shape) >= 2 else [0]
                )
                new_strides = contiguous_strides(h.shape, order)
            copy = h.empty(h.shape, strides=new_strides, stream=self.stream, allocator=self.options.allocator)
            copy.copy_from(h, self.stream, logger=self.logger)
            self.logger.info(
                "matmul: %s with shape %s and strides %s copied once to strides %s (a layout "
                "cuBLASLt cannot address%s)",
                name,
                tuple(h.shape),
                tuple(h.strides),
                new_strides,
                ", FP8 needs A row-major and B column-major" if p.fp8 else "",
            )
            self.dev[name] = copy
            self._copied.add(name)
            return self._operand_matrix(name, copy, want_columns, copied=True)
        return matrix, bstride

    def plan(self, preferences, algorithms, epilog, inputs, stream):
        p = self.p
        # The plan's stream also orders the copies it makes (layouts, scales), as the operands'
        # later copies: it becomes the object's stream.
        s = self.stream = self._stream(stream)
        self.release_plan()
        with _streams.device_context(self.device_id):
            if self.handle is None:
                self.handle = lt.cublasLtCreate()
            # cuBLASLt computes BGRADA only for an untransposed (column-major) A.
            am, a_bs = self._operand_matrix("a", self.dev["a"], want_columns=epilog == E.BGRADA)
            bm, b_bs = self._operand_matrix("b", self.dev["b"])
            self.swap = epilog not in _COLUMN_MAJOR_EPILOGS and not p.fp8 and not p.c_column_broadcast
            self.direct = False  # in place with D = c itself (else: D computed apart, then copied into c)
            if p.inplace:
                self.swap, self.direct = self._inplace_orientation(epilog)
            compute, scale = _compute_and_scale(p.ab_dtype, self.options.compute_type, self.options.scale_type)
            self.scale_kind = scale
            desc = lt.cublasLtMatmulDescCreate(compute, _SCALE_DATA[scale])
            self._descs.append(("desc", desc))
            # Column-major problem: D (m x n) = op(A) (m x k) @ op(B) (k x n); swapped: D^T = op(B)^T op(A)^T.
            first, second = ((bm, b_bs, "b"), (am, a_bs, "a")) if self.swap else ((am, a_bs, "a"), (bm, b_bs, "b"))
            trans = []
            layouts = []
            for (rows, cols, ld, transposed), bstride, name in (first, second):
                # In the swapped problem each operand enters transposed once more.
                t = transposed != self.swap
                trans.append(t)
                layouts.append(self._layout(self.dev[name].dtype, rows, cols, ld, bstride))
            conj_first, conj_second = (p.conj[1], p.conj[0]) if self.swap else (p.conj[0], p.conj[1])
            ops_ = []
            for t, cj in zip(trans, (conj_first, conj_second)):
                if cj and not t:
                    raise ValueError(
                        "conjugating an operand needs it in row-major (transposed) layout for "
                        "cuBLASLt; pass a row-major copy, or conjugate it before the call"
                    )
                ops_.append(lt.Operation.C if cj else lt.Operation.T if t else lt.Operation.N)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.TRANSA, int(ops_[0]))
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.TRANSB, int(ops_[1]))
            m, n = (p.n, p.m) if self.swap else (p.m, p.n)
            self.d_strides = self._result_strides()
            if self.direct:  # D is c: one layout for both (cuBLASLt's in-place form)
                d_layout = c_layout = self._c_layout()
                self.d_strides = tuple(self.dev["c"].strides)
            else:
                d_layout = self._layout(p.result_dtype, m, n, m, m * n)
                c_layout = d_layout
                if "c" in self.dev and not p.c_column_broadcast:
                    c_layout = self._c_layout()
                elif p.c_dtype != p.result_dtype:
                    # FP8 D: C has a type of its own from cuBLASLt's table (a broadcast c is expanded
                    # into a buffer of this layout; without c it is never read: beta is 0).
                    c_layout = self._layout(p.c_dtype, m, n, m, m * n)
            if self.options.sm_count_target:
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.SM_COUNT_TARGET, self.options.sm_count_target)
            if self.options.fast_accumulation and p.fp8:
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.FAST_ACCUM, 1)
            self._epilog_setup(desc, epilog, inputs)
            if p.fp8:
                self._fp8_setup(desc, s)
            pref = lt.cublasLtMatmulPreferenceCreate()
            self._descs.append(("pref", pref))
            self.worksize_limit = self._workspace_limit()
            lt.matmul_preference_set(pref, lt.MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES, self.worksize_limit)
            if preferences.reduction_scheme_mask is not None:
                lt.matmul_preference_set(
                    pref, lt.MatmulPreferenceAttribute.REDUCTION_SCHEME_MASK, preferences.reduction_scheme_mask
                )
            if preferences.max_waves_count:
                lt.matmul_preference_set(
                    pref, lt.MatmulPreferenceAttribute.MAX_WAVES_COUNT, float(preferences.max_waves_count)
                )
            if preferences.numerical_impl_mask is not None:
                lt.matmul_preference_set(pref, lt.MatmulPreferenceAttribute.IMPL_MASK, preferences.numerical_impl_mask)
            self.desc, self.layouts = desc, (layouts[0], layouts[1], c_layout, d_layout)
            if algorithms is not None:
                self.algorithms = list(algorithms)
            else:
                results = lt.cublasLtMatmulAlgoGetHeuristic(self.handle, desc, *self.layouts, pref, preferences.limit)
                if not results:
                    raise ValueError(
                        f"cuBLASLt has no algorithm for this problem ({p.ab_dtype}, epilog "
                        f"{epilog.name if epilog else 'none'}, {m}x{n}x{p.k}, batch {p.batch})"
                    )
                self.algorithms = [Algorithm(r) for r in results]
        self.epilog = epilog
        self.logger.info(
            "cuBLASLt plan: %s, %s, %d candidate algorithms, workspace up to %d bytes; the heuristic's order: %s",
            "transposed (row-major result)" if self.swap else "column-major result",
            epilog.name if epilog else "no epilog",
            len(self.algorithms),
            self.worksize_limit,
            _Described(self.algorithms),
        )
        self._alpha = _scalar(p.alpha, self.scale_kind)
        self._beta = _scalar(p.beta, self.scale_kind)
        self._ensure_workspace(s)
        with _streams.device_context(self.device_id):
            for name, h in self._inputs.items():  # inputs stay until reset_operands changes them
                attr = (
                    lt.MatmulDescAttribute.BIAS_POINTER
                    if name == "bias"
                    else lt.MatmulDescAttribute.EPILOGUE_AUX_POINTER
                )
                lt.matmul_desc_set(self.desc, attr, h.data_ptr)
        self._set_fast(self._prepare_fast())

    def _prepare_fast(self):
        """For the common case (device operands, no auxiliary outputs, no vectors, the package's
        own pool, current stream and device) a function that runs one multiplication with the
        least Python work: the arguments checked at plan time are passed as they are."""
        p = self.p
        if (
            self.host
            or self.p.inplace
            or self.p.c_column_broadcast
            or self._aux_fp8
            or self.aux_specs
            or p.a_vector
            or p.b_vector
            or self.options.allocator is not None
            or (p.fp8 and self.options.result_amax)
            or self._host_scales
            or self._c_in_place()
        ):
            return None
        shape, strides, device_id = (*p.batch_shape, p.m, p.n), self.d_strides, self.device_id
        # Hot path: the arguments were validated at plan time; the algorithm goes by address.
        raw = lt._lib.unchecked_addresses("cublasLtMatmul")
        first, second = (self.dev["b"], self.dev["a"]) if self.swap else (self.dev["a"], self.dev["b"])
        c_ptr = self._c_ptr(None)  # None: D's own pointer, known per call
        best = self.algorithms[0]
        algo = ctypes.addressof(best.algo)
        fixed = (
            self.handle,
            self.desc,
            self._alpha.ctypes.data,
            first.data_ptr,
            self.layouts[0],
            second.data_ptr,
            self.layouts[1],
            self._beta.ctypes.data,
        )
        c_layout, d_layout = self.layouts[2], self.layouts[3]
        worksize = self.worksize
        blocking = self.options.blocking is True
        output = fast_result_allocator(self.package, device_id, shape, p.result_dtype, strides)
        if output is None:
            return None

        # On the default stream, the call again at a result address seen before replays a CUDA
        # graph of it (nvmath._internal.graphs): all it reads besides D and the workspace is
        # fixed for this function's life (a new one is made, and this one closed, on any change).
        graphs = CallGraphs("cublasLtMatmul", self.logger)

        def run():
            workspace = self.workspace
            if (workspace is None and worksize) or best.modified or self.worksize != worksize:
                return None  # the general path allocates the workspace, or checks the changed algorithm
            made = output()
            if made is None:
                return None
            stream, result, d_ptr = made
            ws_ptr = None if workspace is None else workspace.ptr
            on_default = stream == LEGACY_STREAM and graphs.enabled
            if not (on_default and graphs.replay((d_ptr, ws_ptr))):
                c_arg = d_ptr if c_ptr is None else c_ptr
                status = raw(*fixed, c_arg, c_layout, d_ptr, d_layout, algo, ws_ptr, worksize, stream)
                if status:
                    lt._lib.check("cublasLtMatmul", status)
                if on_default:
                    graphs.note(
                        (d_ptr, ws_ptr),
                        lambda s: raw(*fixed, c_arg, c_layout, d_ptr, d_layout, algo, ws_ptr, worksize, s),
                    )
            if blocking:
                _streams.synchronize(_streams.get_stream(stream, package=self.package, device_id=device_id))
            return result

        run.graphs, run.close = graphs, graphs.close
        return run

    def _set_fast(self, fast) -> None:
        """Replace the hot path (closing the old one's CUDA graphs)."""
        old, self._fast = self._fast, fast
        if old is not None:
            old.close()

    def applicable_algorithm_ids(self, limit: int) -> list[int]:
        """``cublasLtMatmulAlgoGetIds`` for this problem's types (A and B as cuBLASLt sees them:
        exchanged where the plan swaps them)."""
        p = self.p
        compute, scale = _compute_and_scale(p.ab_dtype, self.options.compute_type, self.options.scale_type)
        first, second = ("b", "a") if getattr(self, "swap", False) else ("a", "b")
        with _streams.device_context(self.device_id):
            if self.handle is None:
                self.handle = lt.cublasLtCreate()
            return lt.cublasLtMatmulAlgoGetIds(
                self.handle,
                compute,
                _SCALE_DATA[scale],
                _DATA[self.dev[first].dtype],
                _DATA[self.dev[second].dtype],
                _DATA[p.c_dtype],
                _DATA[p.result_dtype],
                limit,
            )

    def _workspace_limit(self):
        limit = self.options.memory_limit
        if isinstance(limit, str) or (isinstance(limit, float) and limit <= 1):
            from cuda.bindings import runtime

            err, free, total = runtime.cudaMemGetInfo()
            limit = memory_limit_bytes(limit, total)
        # The heuristic's limit is options.memory_limit itself, as in nvmath-python: a lower cap
        # changed its candidates (2026-12-05, H100: bf16 8192^3 lost a split-K candidate and
        # the smaller tiles nvmath-python's autotuning chose).
        return int(limit)

    def _ensure_workspace(self, stream):
        size = max((getattr(a, "workspace_size", 0) for a in self.algorithms), default=0)
        if size and self.epilog is not None:
            size += _EPILOG_WORKSPACE_SLACK
        if self.workspace is not None and size > self.worksize:  # a changed algorithm needs more
            self.workspace.free()
            self.workspace = None
        if self.workspace is None and size:
            self.workspace = allocate_workspace(
                size, package=self.package, device_id=self.device_id, stream=stream, allocator=self.options.allocator
            )
            self.worksize = size

    def _inplace_orientation(self, epilog):
        """``(swap, direct)`` for ``options.inplace``: D is c itself (``direct``) when c's layout is
        one cuBLASLt can write in an orientation the problem allows (row-major c: the transposed
        problem; column-major c: the plain one); else D is computed apart and copied into c."""
        p = self.p
        c = self.dev["c"]
        strides = tuple(c.strides)
        default = epilog not in _COLUMN_MAJOR_EPILOGS and not p.fp8
        if _batch_stride(p.c_shape, strides, p.batch_shape) is None:
            return default, False
        if default and _oriented(p.c_shape[-2:], strides[-2:], True) is not None:
            return True, True
        if _oriented(p.c_shape[-2:], strides[-2:], False) is not None:
            return False, True
        self.logger.info(
            "matmul: c (strides %s) is not a layout cuBLASLt writes here: the result is computed apart and "
            "copied into c",
            strides,
        )
        return default, False

    def _expanded_c(self, stream):
        """A c of shape (..., m, 1) broadcast to the result's shape and layout, in c's type (cuBLASLt
        reads C with a leading dimension, never a column stride of 0)."""
        p = self.p
        buf = self._allocate(self.dev["a"], (*p.batch_shape, p.m, p.n), p.c_dtype, self.d_strides, stream)
        self._copy_c(buf, stream, 1.0)
        return buf

    def _c_layout(self, copied=False):
        """C's layout in the result's orientation (cuBLASLt has no transpose for C); c is
        copied once, logged, when its strides do not allow it."""
        p = self.p
        c = self.dev["c"]
        strides = self._c_strides(c)
        matrix = _oriented(p.c_shape[-2:], strides[-2:], self.swap)
        bstride = _batch_stride(p.c_shape, strides, p.batch_shape)
        if matrix is None or bstride is None:
            if copied:  # a dense copy of the same shape did not help: only the batch can be at fault
                raise ValueError(_partial_broadcast("c", p.c_shape, p.batch_shape))
            # Dense, batch outermost; a matrix c row-major when the result is, else column-major.
            nb = len(p.c_shape) - 2
            own = list(range(nb, len(c.shape)))
            if len(own) == 2 and not self.swap:
                own.reverse()
            new_strides = contiguous_strides(c.shape, list(range(nb)) + own)
            copy = c.empty(c.shape, strides=new_strides, stream=self.stream, allocator=self.options.allocator)
            copy.copy_from(c, self.stream, logger=self.logger)
            self.logger.info(
                "matmul: c with shape %s and strides %s copied once to strides %s (the result's layout, %s-major)",
                tuple(c.shape),
                tuple(c.strides),
                new_strides,
                "row" if self.swap else "column",
            )
            self.dev["c"] = copy
            self._copied.add("c")
            return self._c_layout(copied=True)
        rows, cols, ld = matrix
        return self._layout(p.c_dtype, rows, cols, ld, bstride)

    def _c_strides(self, c):
        """c's strides on ``p.c_shape``: an axis that a vector operand drops has extent 1 there,
        and stride 0."""
        p = self.p
        strides = list(c.strides)
        if p.a_vector:
            strides.insert(len(p.c_shape) - 2, 0)
        if p.b_vector:
            strides.append(0)
        return tuple(strides)

    def _c_ptr(self, d_ptr):
        """The C pointer of a call: c, else D itself (beta is 0), except for an FP8 D, whose C
        has another type: cuBLASLt takes neither NULL nor D there, and reads nothing."""
        if "c" in self.dev:
            return self.dev["c"].data_ptr
        if self.p.c_dtype != self.p.result_dtype:
            return self.dev["a"].data_ptr
        return d_ptr

    def _c_in_place(self):
        """Whether the product vanishes (alpha 0, or k 0) with beta 1 and a c: then cuBLASLt takes
        BLAS's quick return, which assumes C is D, and leaves a separate D unwritten (seen on the
        H200 with cuBLASLt 13.1, for products with m or n of 1 among others). :meth:`execute`
        then runs in place (C is D) on ``c / 2`` with beta 2: the same D, with no quick return
        (which would also skip an epilog), at the cost of one copy of c."""
        if "c" not in self.dev or self.p.fp8 or self.p.inplace or self.p.c_column_broadcast:
            return False
        return (self.p.k == 0 or not np.any(self._alpha)) and bool(np.all(self._beta == 1))

    def _copy_c(self, d, stream, scale):
        """``scale * c`` (broadcast over the batch, vector axes restored) into D, on ``stream``."""
        p = self.p
        c = self.dev["c"].tensor
        with _streams.stream_context(stream):
            if self.dev["c"].package == "torch":
                d.tensor.copy_(c.reshape(p.c_shape).expand(d.tensor.shape)).mul_(scale)
            else:
                import cupy

                cupy.multiply(cupy.broadcast_to(c.reshape(p.c_shape), d.tensor.shape), scale, out=d.tensor)

    def _result_strides(self):
        p = self.p
        shape = (*p.batch_shape, p.m, p.n)
        nb = len(p.batch_shape)
        order = list(range(nb)) + ([nb, nb + 1] if self.swap else [nb + 1, nb])
        return contiguous_strides(shape, order)

    def _epilog_setup(self, desc, epilog, inputs):
        p = self.p
        self.aux_specs = {}
        self._aux_fp8 = False
        self._fp8 = {}
        self._inputs = dict(inputs)
        if epilog is None:
            return
        lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE, int(epilog))
        if "bias" in inputs:
            bias = inputs["bias"]
            batched = len(bias.shape) > (2 if bias.shape[-1:] == (1,) and len(bias.shape) > 1 else 1)
            if batched:
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.BIAS_BATCH_STRIDE, p.m)
            if bias.dtype != p.result_dtype:
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.BIAS_DATA_TYPE, int(_DATA[bias.dtype]))
        if epilog in (E.RELU_AUX, E.RELU_AUX_BIAS, E.DRELU, E.DRELU_BGRAD):
            ld = relu_aux_ld(p.m)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_LD, ld)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE, ld * p.n)
            if epilog in (E.RELU_AUX, E.RELU_AUX_BIAS):
                self.aux_specs["relu_aux"] = (
                    (*p.batch_shape, ld // 8, p.n),
                    "uint8",
                    contiguous_strides(
                        (*p.batch_shape, ld // 8, p.n),
                        list(range(len(p.batch_shape))) + [len(p.batch_shape) + 1, len(p.batch_shape)],
                    ),
                )
        if epilog in (E.GELU_AUX, E.GELU_AUX_BIAS, E.DGELU, E.DGELU_BGRAD):
            aux_dtype = self.owner._aux["dtype"]
            self._aux_fp8 = aux_dtype in _FP8
            ld = _aux_ld(p.m, aux_dtype)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_LD, ld)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE, ld * p.n)
            # cuBLASLt's own default is D's type, C's when D is FP8: an FP8 aux beside an FP8 D must
            # be named, or cuBLASLt takes it for C's type and finds no algorithm.
            if aux_dtype != (p.c_dtype if p.fp8_result else p.result_dtype):
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_DATA_TYPE, int(_DATA[aux_dtype]))
            if self._aux_fp8:
                self._set_aux_scale(self.owner._aux["scale"], self.stream, desc)
            if epilog in (E.GELU_AUX, E.GELU_AUX_BIAS):
                # The search checks that an output buffer is named: an aligned placeholder until
                # execute points it at the real one (cuBLASLt refuses an FP8 aux without it).
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_POINTER, _PLACEHOLDER_POINTER)
                nb = len(p.batch_shape)
                full = (*p.batch_shape, ld, p.n)
                self.aux_specs["gelu_aux"] = (
                    full,
                    aux_dtype,
                    contiguous_strides(full, list(range(nb)) + [nb + 1, nb]),
                )
        for name, h in list(self._inputs.items()):
            self._inputs[name] = self._aux_input_layout(name, h)
        for name, length in (("drelu_bgrad", p.m), ("dgelu_bgrad", p.m), ("bgrada", p.m), ("bgradb", p.n)):
            if name in self.owner._problem.outputs(epilog):
                self.aux_specs[name] = ((*p.batch_shape, length), p.result_dtype, None)
                if p.batch > 1:
                    lt.matmul_desc_set(desc, lt.MatmulDescAttribute.BIAS_BATCH_STRIDE, length)

    def _aux_input_layout(self, name, h):
        """An auxiliary input in the layout cuBLASLt reads (copied once, logged, if not)."""
        p = self.p
        nb = len(p.batch_shape)
        if name == "relu_aux":
            ld, dtype = relu_aux_ld(p.m) // 8, "uint8"
        elif name == "gelu_aux":
            ld, dtype = _aux_ld(p.m, p.aux_dtype), p.aux_dtype
        else:
            return self._to_device(h)
        full = (*p.batch_shape, ld, p.n)
        want = contiguous_strides(full, list(range(nb)) + [nb + 1, nb])
        if tuple(h.strides[-2:]) == want[-2:] and tuple(h.strides[:-2]) == want[:-2] and not h.is_host:
            return h
        buf = self.dev["a"].empty(full, dtype, strides=want, stream=self.stream)
        view = _rows(buf, h.shape[-2]) if name == "gelu_aux" else buf
        view.copy_from(h, self.stream, logger=self.logger)
        self.logger.info("matmul: epilog input %s copied once to cuBLASLt's layout (leading dimension %d)", name, ld)
        self._keep = getattr(self, "_keep", []) + [buf]
        return buf

    def _scale_buffer(self, value, stream):
        """A device float32 scalar cuBLASLt reads a scale from: a number copied once, a host array
        copied at every execute (so that in-place changes count), the user's device array as is."""
        if isinstance(value, float):
            buf = self.dev["a"].empty((1,), "float32", stream=stream)
            buf.copy_from(np.asarray([value], np.float32), stream)
        elif value.is_host:
            buf = self.dev["a"].empty(tuple(value.shape), "float32", stream=stream)
            buf.copy_from(value, stream)
            self._host_scales.append((value, buf))
        else:
            buf = value
        return buf

    def _fp8_setup(self, desc, stream, scales=None):
        """The per-tensor scales (device float32 scalars, as cuBLASLt reads them) and, for an
        FP8 result with ``result_amax``, a placeholder AMAX_D pointer: the algorithm search
        must see amax requested (each execute points it at a fresh buffer)."""
        p = self.p
        scales = self.owner._scales if scales is None else scales
        attrs = {
            "a": lt.MatmulDescAttribute.A_SCALE_POINTER,
            "b": lt.MatmulDescAttribute.B_SCALE_POINTER,
            "d": lt.MatmulDescAttribute.D_SCALE_POINTER,
        }
        self._fp8 = {k: v for k, v in getattr(self, "_fp8", {}).items() if k in ("aux_scale", "aux_amax")}
        self._host_scales = [(h, b) for h, b in self._host_scales if b is self._fp8.get("aux_scale")]
        with _streams.device_context(self.device_id):
            for key in ("a", "b", "d") if p.fp8_result else ("a", "b"):
                self._fp8[key] = buf = self._scale_buffer(scales[key], stream)
                lt.matmul_desc_set(desc, attrs[key], buf.data_ptr)
            if p.fp8_result and self.options.result_amax:
                self._fp8["amax"] = self.dev["a"].empty((1,), "float32", stream=stream)
                lt.matmul_desc_set(desc, lt.MatmulDescAttribute.AMAX_D_POINTER, self._fp8["amax"].data_ptr)

    def _set_aux_scale(self, value, stream, desc=None):
        """The FP8 GELU auxiliary output's scale (its amax pointer is set at each execute)."""
        desc = self.desc if desc is None else desc
        self._fp8 = getattr(self, "_fp8", {})
        old = self._fp8.get("aux_scale")
        self._host_scales = [(h, b) for h, b in self._host_scales if b is not old]
        with _streams.device_context(self.device_id):
            self._fp8["aux_scale"] = buf = self._scale_buffer(value, stream)
            lt.matmul_desc_set(desc, lt.MatmulDescAttribute.EPILOGUE_AUX_SCALE_POINTER, buf.data_ptr)

    # -- execution -----------------------------------------------------------------------------------
    def _allocate(self, like, shape, dtype, strides, stream):
        return like.empty(shape, dtype, strides=strides, stream=stream, allocator=self.options.allocator)

    def execute(self, algorithm, release_workspace, stream):
        if algorithm is None and stream is None and not release_workspace and self._fast is not None:
            result = self._fast()
            if result is not None:
                return result
        p = self.p
        s = self._stream(stream)
        chosen = self._algorithm(algorithm)
        a, b = self.dev["a"], self.dev["b"]
        if self.direct:
            d = self.dev["c"]
        else:
            d = self._allocate(a, (*p.batch_shape, p.m, p.n), p.result_dtype, self.d_strides, s)
        aux = {}
        with _streams.device_context(self.device_id):
            if chosen.modified:
                self._check_algorithm(chosen)
            algo = chosen.algo
            for name, (shape, dtype, strides) in self.aux_specs.items():
                aux[name] = self._allocate(a, shape, dtype, strides, s)
                ptr_attr = (
                    lt.MatmulDescAttribute.BIAS_POINTER
                    if name.endswith(("bgrad", "bgrada", "bgradb"))
                    else lt.MatmulDescAttribute.EPILOGUE_AUX_POINTER
                )
                lt.matmul_desc_set(self.desc, ptr_attr, aux[name].data_ptr)
            self._ensure_workspace(s)
            for host, buf in self._host_scales:
                buf.copy_from(host, s)
            if p.fp8_result and self.options.result_amax:
                # cuBLASLt's own amax of D before the d scale; zeroed first, whether it overwrites or maxes in.
                aux["result_amax"] = self._zeroed_scalar(a, s)
                lt.matmul_desc_set(self.desc, lt.MatmulDescAttribute.AMAX_D_POINTER, aux["result_amax"].data_ptr)
            if self._aux_fp8 and self.owner._aux["amax"] and "gelu_aux" in self.aux_specs:
                aux["gelu_aux_amax"] = self._zeroed_scalar(a, s)
                lt.matmul_desc_set(
                    self.desc, lt.MatmulDescAttribute.EPILOGUE_AUX_AMAX_POINTER, aux["gelu_aux_amax"].data_ptr
                )
            first, second = (b, a) if self.swap else (a, b)
            c_ptr, c_layout, beta = self._c_ptr(d.data_ptr), self.layouts[2], self._beta
            if p.c_column_broadcast:
                expanded = self._expanded_c(s)  # kept alive until the call is queued
                c_ptr = expanded.data_ptr
            elif self._c_in_place():
                # D = 0 * A @ B + 2 * (c / 2): exact (powers of 2; subnormals aside), and beta is not 1.
                self._copy_c(d, s, 0.5)
                c_ptr, c_layout, beta = d.data_ptr, self.layouts[3], self._beta * 2
            lt.cublasLtMatmul(
                self.handle,
                self.desc,
                self._alpha.ctypes.data,
                first.data_ptr,
                self.layouts[0],
                second.data_ptr,
                self.layouts[1],
                beta.ctypes.data,
                c_ptr,
                c_layout,
                d.data_ptr,
                self.layouts[3],
                algo,
                self.workspace.ptr if self.workspace else 0,
                self.worksize,
                s.handle,
            )
        if release_workspace and self.workspace is not None:
            self.workspace.free()
            self.workspace = None
        if self._tuning:
            return None
        if "gelu_aux_amax" in aux:
            aux["gelu_aux_amax"] = _wrap(aux["gelu_aux_amax"].tensor.reshape(()))
        if "result_amax" in aux:
            aux["result_amax"] = _wrap(aux["result_amax"].tensor.reshape(()))
        elif p.fp8 and self.options.result_amax:
            # cuBLASLt reports amax only for FP8 results: here one reduction, on the same stream.
            with _streams.stream_context(s):
                aux["result_amax"] = _wrap(
                    abs(d.tensor).max().float() if self.package == "torch" else abs(d.tensor).max().astype("float32")
                )
        result = d
        if p.a_vector or p.b_vector:
            result = _squeeze_vectors(d, p)
        for name in ("gelu_aux",):
            if name in aux:
                aux[name] = _rows(aux[name], p.m)
        if p.inplace:
            out = self._into_c(d, s)
            if self.host:
                aux = {k: v.to(self.owner._operands["a"].package, None, s).tensor for k, v in aux.items()}
            else:
                if self.options.blocking is True:
                    _streams.synchronize(s)
                aux = {k: v.tensor for k, v in aux.items()}
        elif self.host:
            out = result.to(self.owner._operands["a"].package, None, s, logger=self.logger).tensor
            aux = {k: v.to(self.owner._operands["a"].package, None, s).tensor for k, v in aux.items()}
        else:
            if self.options.blocking is True:
                _streams.synchronize(s)
            out = result.tensor
            aux = {k: v.tensor for k, v in aux.items()}
        return (out, aux) if aux else out

    def _algorithm(self, algorithm):
        """The Algorithm to run: the plan's first, or the one given (one of :attr:`algorithms`)."""
        if algorithm is None:
            return self.algorithms[0]
        if isinstance(algorithm, Algorithm):
            return algorithm
        if isinstance(algorithm, lt.MatmulHeuristicResult):
            return Algorithm(algorithm)
        raise TypeError(
            f"algorithm={algorithm!r} is not supported; accepted: one of Matmul.algorithms (an Algorithm), or None"
        )

    def _check_algorithm(self, algorithm):
        """cuBLASLt's check of a hand-changed algorithm (it raises if the configuration does not
        fit this problem), and the workspace the new configuration needs."""
        found = lt.cublasLtMatmulAlgoCheck(self.handle, self.desc, *self.layouts, algorithm.algo)
        size = found.workspaceSize
        if size > self.worksize_limit:
            raise ValueError(
                f"the changed algorithm ({algorithm!r}) needs {size} bytes of workspace; "
                f"options.memory_limit allows {self.worksize_limit}"
            )
        algorithm._mark_checked(size)
        self.logger.info("cuBLASLt accepted the changed algorithm %r (workspace %d bytes)", algorithm, size)
        self._ensure_workspace(self.stream)
        self._set_fast(self._prepare_fast())

    def _zeroed_scalar(self, like, stream):
        from cuda.bindings import runtime

        buf = self._allocate(like, (1,), "float32", None, stream)
        runtime.cudaMemsetAsync(buf.data_ptr, 0, 4, stream.handle)
        return buf

    def _into_c(self, d, stream):
        """``options.inplace``: the result ``d`` into the user's c (and into the device copy of c
        that the next execute reads); returns the user's c."""
        user_c = self.owner._operands["c"]
        if d is not self.dev["c"]:
            self.dev["c"].copy_from(d, stream, logger=self.logger)
        if self.dev["c"] is not user_c:
            user_c.copy_from(self.dev["c"], stream, logger=self.logger)
        return user_c.tensor

    def autotune(self, iterations, prune, stream, release_workspace=False):
        if len(self.algorithms) == 1:  # nothing to order (nvmath-python skips it too)
            self.logger.info("autotune: skipped, the plan has one algorithm (%s)", brief(self.algorithms[0]))
            if release_workspace and self.workspace is not None:
                self.workspace.free()
                self.workspace = None
            return
        from cuda.bindings import runtime

        s = self._stream(stream)
        err, l2 = runtime.cudaDeviceGetAttribute(runtime.cudaDeviceAttr.cudaDevAttrL2CacheSize, self.device_id)
        flush = self.dev["a"].empty((max(int(l2), 1) * 2,), "uint8", stream=s)
        start, stop = runtime.cudaEventCreate()[1], runtime.cudaEventCreate()[1]
        saved_c = self.dev.get("c") if self.p.inplace else None
        if saved_c is not None:  # the timed runs write into a scratch copy of c, never into c
            scratch = saved_c.empty(saved_c.shape, strides=saved_c.strides, stream=s)
            scratch.copy_from(saved_c, s)
            self.dev["c"] = scratch
        self._tuning = True
        times = [[] for _ in self.algorithms]
        try:
            for algo in self.algorithms:  # one warm-up run each (module loads, first-touch costs)
                self.execute(algo, False, s)
            for order in autotune_schedule(len(self.algorithms), iterations):
                for i in order:
                    runtime.cudaMemsetAsync(flush.data_ptr, 0, flush.size, s.handle)
                    runtime.cudaEventRecord(start, s.handle)
                    self.execute(self.algorithms[i], False, s)
                    runtime.cudaEventRecord(stop, s.handle)
                    runtime.cudaEventSynchronize(stop)
                    times[i].append(runtime.cudaEventElapsedTime(start, stop)[1])
        finally:
            self._tuning = False
            if saved_c is not None:
                self.dev["c"] = saved_c
            runtime.cudaEventDestroy(start)
            runtime.cudaEventDestroy(stop)
        # Ties keep the heuristic's order (sorted() is stable).
        timings = [(statistics.median(t), algo) for t, algo in zip(times, self.algorithms, strict=True)]
        timings.sort(key=lambda t: t[0])
        self.algorithms = [a for _, a in timings[:prune]] if prune else [a for _, a in timings]
        self.logger.info(
            "autotune (median of %d runs an algorithm, the algorithms interleaved in a new order each round), "
            "fastest first: %s",
            iterations,
            "; ".join(f"{brief(a)}: {t:.4f} ms" for t, a in timings),
        )
        if release_workspace and self.workspace is not None:  # stream-ordered, as in execute()
            self.workspace.free()
            self.workspace = None
        self._set_fast(self._prepare_fast())

    def reset(self, new, alpha, beta, inputs, stream, scales=None, aux_scale=None):
        s = self.stream = self._stream(stream)  # it orders the copies made here (epilog inputs too)
        for name, h in new.items():
            if h.is_host or name in self._copied:  # into the device copy (in the layout cuBLASLt was given)
                self.dev[name].copy_from(h, s, logger=self.logger)
            else:
                self.dev[name] = h
        if alpha is not None:
            self._alpha = _scalar(alpha, self.scale_kind)
        if beta is not None:
            self._beta = _scalar(beta, self.scale_kind)
        if inputs is not None:
            self._inputs = {name: self._aux_input_layout(name, h) for name, h in inputs.items()}
            with _streams.device_context(self.device_id):
                for name, h in self._inputs.items():
                    attr = (
                        lt.MatmulDescAttribute.BIAS_POINTER
                        if name == "bias"
                        else lt.MatmulDescAttribute.EPILOGUE_AUX_POINTER
                    )
                    lt.matmul_desc_set(self.desc, attr, h.data_ptr)
        if getattr(self, "desc", None) is not None and (scales or aux_scale is not None):
            merged = dict(self.owner._scales)
            merged.update(scales or {})
            with _streams.device_context(self.device_id):
                if scales:
                    self._fp8_setup(self.desc, s, merged)
                if aux_scale is not None:
                    self._set_aux_scale(aux_scale, s)
        self._set_fast(self._prepare_fast() if getattr(self, "desc", None) is not None else None)

    def release_operands(self):
        """Forget the user's arrays: the fast path (which holds their addresses) goes; the holders
        this object shares with :class:`Matmul` were emptied by it. Device copies of host operands
        are this object's own buffers and stay, to be refilled by the next reset."""
        self._set_fast(None)
        self._host_scales = [(h, b) for h, b in self._host_scales if h.tensor is not None]

    def free(self):
        """Release the plan's descriptors and workspace, and the cuBLASLt handle."""
        self.release_plan()
        if self.handle is not None and self._own_handle:
            with _streams.device_context(self.device_id):
                lt.cublasLtDestroy(self.handle)
        self.handle = None

    def release_plan(self):
        self._set_fast(None)  # it holds the descriptors destroyed here
        with _streams.device_context(self.device_id):
            for kind, desc in reversed(self._descs):
                {
                    "layout": lt.cublasLtMatrixLayoutDestroy,
                    "desc": lt.cublasLtMatmulDescDestroy,
                    "pref": lt.cublasLtMatmulPreferenceDestroy,
                }[kind](desc)
            self._descs = []
            if self.workspace is not None:
                self.workspace.free()
                self.workspace = None


def _wrap(t):
    from nvmath._internal.tensor import wrap_operand

    return wrap_operand(t, "aux")


def _rows(h, m):
    """The first ``m`` rows of a padded auxiliary matrix, as a holder of the same package."""
    from nvmath._internal.tensor import wrap_operand

    t = h.tensor
    return wrap_operand(t[..., :m, :], "aux")


def _squeeze_vectors(d, p):
    from nvmath._internal.tensor import wrap_operand

    t = d.tensor
    if p.a_vector:
        t = t[..., 0, :]
    if p.b_vector:
        t = t[..., 0]
    return wrap_operand(t, "result")
