"""The GPU path of the generic matmul: cuBLAS ``gemm``, ``symm``/``hemm``, ``trmm`` and ``dgmm``.

cuBLAS is column-major. A row-major matrix is the column-major view of its transpose, so the
product is computed in one of two orientations, whichever needs fewer copies (ties: the first):

* transposed: ``D^T = op(b)^T @ op(a)^T``, the result row-major (C order, what NumPy, CuPy and
  PyTorch users get from ``@``);
* direct: ``D = op(a) @ op(b)``, the result column-major (each matrix Fortran-ordered).

In either, each operand's buffer is read as it is (``op`` N, T or C for ``gemm`` and ``trmm``; the
``uplo`` triangle flips with the view for ``symm``, ``hemm`` and ``trmm``). Where cuBLAS cannot
express what an operand needs (a conjugate without a transpose, a general operand of ``symm`` or
``trmm`` in the other memory order, strides BLAS cannot address), that operand is copied, at
every execution, into a dense buffer in the layout cuBLAS needs (logged at plan time).

Batches: ``gemm`` runs as one ``gemmStridedBatched`` when every operand's batch is one stride
(0 when broadcast); otherwise, and always for ``symm``, ``hemm``, ``trmm`` and ``dgmm`` (cuBLAS has
no strided-batched forms of them), as a loop of calls, one per matrix.

``alpha`` and ``beta``: ``gemm``, ``symm`` and ``hemm`` take both (c is first copied into the
result). ``trmm`` takes alpha, ``dgmm`` neither: their ``beta * c`` (and ``dgmm``'s alpha) is one
``geam`` (or ``scal``) over the whole result afterwards.
"""

from __future__ import annotations

import numpy as np

from nvmath._internal import streams as _streams
from nvmath._internal.tensor import contiguous_strides
from nvmath.bindings import cublas
from nvmath.bindings.cublas import DiagType, FillMode, Operation, SideMode

__all__ = ["CudaGeneric"]


def _views(rows, cols, sr, sc):
    """``{transposed: ld}`` for the column-major views a matrix's strides allow: ``False`` reads
    the buffer as the matrix itself, ``True`` as its transpose; ld None when impossible."""
    views = {False: None, True: None}
    if sr == 1 or rows <= 1:
        ld = sc if cols > 1 else max(rows, 1)
        if ld >= max(rows, 1):
            views[False] = ld
    if sc == 1 or cols <= 1:
        ld = sr if rows > 1 else max(cols, 1)
        if ld >= max(cols, 1):
            views[True] = ld
    return views


def _offsets(shape, strides, batch_shape):
    """Element offsets of each matrix of an operand over the broadcast batch (flat, C order)."""
    nb = len(shape) - 2
    own = [(n, s if n != 1 else 0) for n, s in zip(shape[:nb], strides[:nb])]
    full = [(1, 0)] * (len(batch_shape) - nb) + own
    offsets = np.zeros(tuple(batch_shape) or (), dtype=np.int64)
    for axis, ((_, s), total) in enumerate(zip(full, batch_shape)):
        shape_axis = [1] * len(batch_shape)
        shape_axis[axis] = total
        offsets = offsets + (np.arange(total, dtype=np.int64) * s).reshape(shape_axis)
    return offsets.reshape(-1)


def _uniform(offsets):
    """The one stride of an arithmetic sequence of offsets, or None."""
    if len(offsets) <= 1:
        return 0
    steps = np.diff(offsets)
    return int(steps[0]) if np.all(steps == steps[0]) else None


def _flip(uplo):
    return FillMode.UPPER if uplo == FillMode.LOWER else FillMode.LOWER


class _Operand:
    """How one operand enters the cuBLAS call in an orientation: its view, op, and any copy."""

    def __init__(self, name, index, kind):
        self.name, self.index, self.kind = name, index, kind
        self.copy = None  # None, or (order "row"/"col"/"vector", conjugate)
        self.vt = False
        self.ld = 1
        self.op = Operation.N
        self.inc = 1


class CudaGeneric:
    """cuBLAS execution of one generic :class:`~nvmath.linalg.generic.Matmul`."""

    def __init__(self, owner, stream):
        self.owner = owner
        self.p = owner._problem
        self.logger = owner.logger
        self.options = owner.options
        a = owner._operands["a"]
        self.package = a.package
        self.host = a.is_host
        execution_device = owner.execution.device_id
        if not self.host and execution_device not in (None, a.device_id):
            raise ValueError(
                f"the operands are on GPU {a.device_id} but execution.device_id={execution_device}; "
                "nvmath does not copy between GPUs implicitly"
            )
        if self.host:
            self.device_id = owner.execution.host_operand_device  # as nvmath-python: GPU 0 unless named
        else:
            self.device_id = a.device_id
        self.stream = _streams.get_stream(stream, package=self.package, device_id=self.device_id)
        self.dev = {}
        for name, h in owner._operands.items():
            if h is not None:
                self.dev[name] = self._to_device(h, self.stream)
        self.handle = None
        self.plan_ = None

    def _to_device(self, h, stream):
        if not h.is_host:
            return h
        return h.to_device(self.device_id, stream, logger=self.logger, allocator=self.options.allocator)

    def _stream(self, stream):
        if stream is None:
            if self.host:
                return self.stream
            return _streams.get_stream(None, package=self.package, device_id=self.device_id)
        return _streams.get_stream(stream, package=self.package, device_id=self.device_id)

    # -- planning ------------------------------------------------------------------------------

    def _matrix(self, index, h):
        """(rows, cols, row stride, col stride) of operand ``index``'s matrices (vectors promoted)."""
        p = self.p
        if p.vector[index]:
            (s,) = h.strides
            k = h.shape[0]
            return (1, k, 0, s) if index == 0 else (k, 1, s, 0)
        return (*h.shape[-2:], *h.strides[-2:])

    def _orientation(self, swap):
        """The operands' plans for one orientation, and the number of elements copied."""
        p = self.p
        plans, copied = [], 0
        for index, name in enumerate("ab"):
            kind, conj = p.kinds[index], p.conj[index]
            h = self.dev[name]
            o = _Operand(name, index, kind)
            t = swap  # the problem reads this operand transposed in the swapped orientation
            if kind == "dg":
                (s,) = h.strides
                if conj or s <= 0:
                    o.copy = ("vector", conj)
                    s = 1
                o.inc = s * p.incx
                plans.append(o)
                copied += h.size if o.copy else 0
                continue
            views = _views(*self._matrix(index, h))
            general_of_structured = kind == "ge" and p.structured is not None
            if general_of_structured:
                # symm/trmm/dgmm read the general operand with op N only.
                want = {t} if not conj else set()
                copy = None if want and views[t] is not None else ("row" if t else "col", conj)
            elif kind == "he":
                need = t != conj
                want = {need}
                copy = None if views[need] is not None else ("row" if need else "col", False)
            elif kind == "sy":
                want = {vt for vt in (False, True) if views[vt] is not None} if not conj else set()
                copy = None if want else ("row" if t else "col", conj)
            else:  # "ge" in gemm, "tr": op N, T or C; a conjugate needs the view that is transposed
                want = {vt for vt in (False, True) if views[vt] is not None and not (conj and vt == t)}
                copy = None if want else ("col" if t else "row", False)
            if copy is None:
                o.vt = t if t in want else next(iter(sorted(want)))
            else:
                o.copy = copy
                o.vt = copy[0] == "row"
                copied += h.size
            plans.append(o)
        return plans, copied

    def plan(self, stream):
        p = self.p
        with _streams.device_context(self.device_id):
            if self.handle is None:
                self.handle = cublas.cublasCreate()
                cublas.cublasSetPointerMode(self.handle, cublas.PointerMode.HOST)
        swapped, cost_swapped = self._orientation(True)
        direct, cost_direct = self._orientation(False)
        # Fewer copies first; between equals, the result's order nvmath-python gives (the
        # swapped orientation writes a row-major result, the direct one a column-major one).
        self.swap = cost_swapped < cost_direct or (cost_swapped == cost_direct and p.result_order == "row")
        operands = swapped if self.swap else direct
        self.operands = operands
        family = {"ge": "gemm", "sy": "symm", "he": "hemm", "tr": "trmm", "dg": "dgmm"}[
            p.kinds[p.structured] if p.structured is not None else "ge"
        ]
        self.family = family
        for o in operands:
            if o.copy is not None:
                order, conj = o.copy
                self.logger.info(
                    "matmul: operand %s is copied at every execution into a dense %s%s buffer: cuBLAS %s cannot "
                    "read its layout%s as it is",
                    o.name,
                    {"row": "row-major", "col": "column-major", "vector": "contiguous"}[order],
                    " conjugated" if conj else "",
                    family,
                    " with the conjugate" if conj else "",
                )
        self._refresh_layouts()
        self.alpha = np.asarray([p.alpha], dtype=p.dtype)
        self.beta = np.asarray([p.beta], dtype=p.dtype)
        self.one = np.ones(1, dtype=p.dtype)
        m2, n2 = (p.n, p.m) if self.swap else (p.m, p.n)
        self.dims = (m2, n2, p.k)
        loop = family != "gemm" or self._strided is None
        self.logger.info(
            "cuBLAS plan: %s, %s orientation (%s result), %s",
            family,
            "transposed" if self.swap else "direct",
            "row-major" if self.swap else "column-major",
            f"a loop of {p.batch} calls"
            if loop and p.batch > 1
            else "one strided-batched call"
            if p.batch > 1
            else "one call",
        )
        self.plan_ = True

    def _refresh_layouts(self):
        """lds, ops and batch offsets of the operands as they are now (copies: their layout)."""
        p = self.p
        self._offsets = {}
        for o in self.operands:
            h = self.dev[o.name]
            if o.kind == "dg":
                self._offsets[o.name] = np.zeros(p.batch, np.int64)
                continue
            shape, strides = self._layout_of(o, h)
            rows, cols, sr, sc = self._matrix(o.index, _Shape(shape, strides))
            o.ld = _views(rows, cols, sr, sc)[o.vt]
            t = self.swap
            conj = p.conj[o.index] and not (o.copy is not None and o.copy[1])
            if o.kind in ("sy", "he") or (o.kind == "ge" and p.structured is not None):
                o.op = Operation.N
            else:
                o.op = Operation.N if o.vt == t and not conj else (Operation.C if conj else Operation.T)
            if p.vector[o.index]:
                self._offsets[o.name] = np.zeros(p.batch, np.int64)
            else:
                self._offsets[o.name] = _offsets(shape, strides, p.batch_shape)
        m, n = p.m, p.n
        self._result_strides = self._result_layout()
        self._offsets["d"] = _offsets((*p.batch_shape, m, n), self._result_strides, p.batch_shape)
        strides = [_uniform(self._offsets[x]) for x in ("a", "b", "d")]
        self._strided = None if any(s is None for s in strides) else strides

    def _layout_of(self, o, h):
        if o.copy is None or o.kind == "dg":
            return tuple(h.shape), tuple(h.strides)
        return tuple(h.shape), self._copy_strides(h.shape, o.copy[0])

    @staticmethod
    def _copy_strides(shape, order):
        nd = len(shape)
        axes = list(range(nd))
        if order == "col" and nd >= 2:
            axes[-2], axes[-1] = axes[-1], axes[-2]
        return contiguous_strides(shape, axes)

    def _result_layout(self):
        p = self.p
        shape = (*p.batch_shape, p.m, p.n)
        nb = len(p.batch_shape)
        order = list(p.batch_order) + ([nb, nb + 1] if self.swap else [nb + 1, nb])
        return contiguous_strides(shape, order)

    # -- execution -----------------------------------------------------------------------------

    def _prepared(self, o, stream):
        """Operand ``o``'s device holder as cuBLAS reads it: itself, or a fresh copy."""
        h = self.dev[o.name]
        if o.copy is None:
            return h
        order, conj = o.copy
        strides = (1,) if order == "vector" else self._copy_strides(h.shape, order)
        dst = h.empty(h.shape, strides=strides, stream=stream, allocator=self.options.allocator)
        if conj:
            with _streams.stream_context(stream):
                if h.package == "torch":
                    dst.tensor.copy_(h.tensor.conj())
                elif h.package == "cupy":
                    import cupy

                    cupy.conj(h.tensor, out=dst.tensor)
                else:
                    np.conjugate(h.tensor, out=dst.tensor)
        else:
            dst.copy_from(h, stream)
        return dst

    def _result_view(self, d):
        """The result holder without the axes of vector operands (a view)."""
        from nvmath._internal.tensor import wrap_operand

        p = self.p
        if not (p.vector[0] or p.vector[1]):
            return d
        t = d.tensor
        if p.vector[0] and p.vector[1]:
            t = t[..., 0, 0]
        elif p.vector[0]:
            t = t[..., 0, :]
        else:
            t = t[..., 0]
        return wrap_operand(t, "result")

    def execute(self, stream):
        p = self.p
        s = self._stream(stream)
        a = self.dev["a"]
        d = a.empty(
            (*p.batch_shape, p.m, p.n), strides=self._result_strides, stream=s, allocator=self.options.allocator
        )
        d_view = self._result_view(d)
        m2, n2, k = self.dims
        empty = m2 == 0 or n2 == 0 or p.batch == 0
        c = self.dev.get("c")
        use_c = c is not None and p.beta != 0
        if not empty:
            with _streams.device_context(self.device_id):
                cublas.cublasSetStream(self.handle, s.handle)
                prepared = {o.name: self._prepared(o, s) for o in self.operands}
                if self.family in ("gemm", "symm", "hemm"):
                    if use_c:
                        d_view.copy_from(c, s)
                    self._run(prepared, d, self.alpha, self.beta)
                else:
                    self._run(prepared, d, self.alpha, None)
                    self._finish(d, c if use_c else None, s)
        return self._deliver(d_view, s)

    def _scale(self, d, alpha, stream):
        with _streams.device_context(self.device_id):
            cublas.cublasSetStream(self.handle, stream.handle)
            cublas.typed_function("scal", self.p.dtype)(self.handle, d.size, alpha.ctypes.data, d.data_ptr, 1)

    def _finish(self, d, c, stream):
        """trmm and dgmm: ``beta * c`` (and dgmm's alpha) added over the whole dense result."""
        p = self.p
        alpha = self.alpha if self.family == "dgmm" else self.one
        rows = self.dims[0]
        cols = self.dims[1] * p.batch
        if c is None:
            if self.family == "dgmm" and p.alpha != 1:
                self._scale(d, self.alpha, stream)
            return
        scratch = d.empty(d.shape, strides=d.strides, stream=stream, allocator=self.options.allocator)
        self._result_view(scratch).copy_from(c, stream)
        cublas.typed_function("geam", p.dtype)(
            self.handle,
            Operation.N,
            Operation.N,
            rows,
            cols,
            alpha.ctypes.data,
            d.data_ptr,
            rows,
            self.beta.ctypes.data,
            scratch.data_ptr,
            rows,
            d.data_ptr,
            rows,
        )

    def _run(self, prepared, d, alpha, beta):
        p = self.p
        m2, n2, k = self.dims
        item = d.itemsize
        ops = {o.name: o for o in self.operands}
        first, second = ("b", "a") if self.swap else ("a", "b")
        lo, ro = ops[first], ops[second]
        ldd = max(m2, 1)
        fn = cublas.typed_function(self.family, p.dtype)
        off = self._offsets
        ptr = {name: h.data_ptr for name, h in prepared.items()}
        if self.family == "gemm":
            lda = max(lo.ld, 1)
            ldb = max(ro.ld, 1)
            if p.batch > 1 and self._strided is not None:
                strides = dict(zip(("a", "b", "d"), self._strided))
                cublas.typed_function("gemmStridedBatched", p.dtype)(
                    self.handle,
                    lo.op,
                    ro.op,
                    m2,
                    n2,
                    k,
                    alpha.ctypes.data,
                    ptr[first] + int(off[first][0]) * item,
                    lda,
                    strides[first],
                    ptr[second] + int(off[second][0]) * item,
                    ldb,
                    strides[second],
                    beta.ctypes.data,
                    d.data_ptr,
                    ldd,
                    strides["d"],
                    p.batch,
                )
                return
            for j in range(p.batch):
                fn(
                    self.handle,
                    lo.op,
                    ro.op,
                    m2,
                    n2,
                    k,
                    alpha.ctypes.data,
                    ptr[first] + int(off[first][j]) * item,
                    lda,
                    ptr[second] + int(off[second][j]) * item,
                    ldb,
                    beta.ctypes.data,
                    d.data_ptr + int(off["d"][j]) * item,
                    ldd,
                )
            return
        s_name = "ab"[p.structured]
        g_name = "ab"[1 - p.structured]
        so, go = ops[s_name], ops[g_name]
        side = SideMode.LEFT if s_name == first else SideMode.RIGHT
        if self.family == "dgmm":
            x = prepared[s_name]
            (stride,) = x.strides
            n_diag = x.shape[0]
            inc = so.inc
            base = x.data_ptr + (min(0, (n_diag - 1) * stride) if stride < 0 else 0) * item
            for j in range(p.batch):
                fn(
                    self.handle,
                    side,
                    m2,
                    n2,
                    ptr[g_name] + int(off[g_name][j]) * item,
                    max(go.ld, 1),
                    base,
                    inc,
                    d.data_ptr + int(off["d"][j]) * item,
                    ldd,
                )
            return
        uplo = FillMode(p.uplo) if not so.vt else _flip(FillMode(p.uplo))
        for j in range(p.batch):
            s_ptr = ptr[s_name] + int(off[s_name][j]) * item
            g_ptr = ptr[g_name] + int(off[g_name][j]) * item
            d_ptr = d.data_ptr + int(off["d"][j]) * item
            if self.family == "trmm":
                diag = DiagType.UNIT if p.unit_diag else DiagType.NON_UNIT
                fn(
                    self.handle, side, uplo, so.op, diag, m2, n2, alpha.ctypes.data, s_ptr, max(so.ld, 1), g_ptr,
                    max(go.ld, 1), d_ptr, ldd,
                )  # fmt: skip
            else:
                fn(
                    self.handle, side, uplo, m2, n2, alpha.ctypes.data, s_ptr, max(so.ld, 1), g_ptr, max(go.ld, 1),
                    beta.ctypes.data, d_ptr, ldd,
                )  # fmt: skip

    def _deliver(self, d_view, stream):
        """The result as the user gets it: in place into c, or in the operands' package and space."""
        owner = self.owner
        user_c = owner._operands.get("c")
        if self.options.inplace:
            user_c.copy_from(d_view, stream, logger=self.logger)
            if self.options.blocking is True and not user_c.is_host:
                _streams.synchronize(stream)
            return user_c.tensor
        if self.host:
            return d_view.to(owner._operands["a"].package, None, stream, logger=self.logger).tensor
        if self.options.blocking is True:
            _streams.synchronize(stream)
        return d_view.tensor

    def reset(self, new, stream):
        s = self._stream(stream)
        for name, h in new.items():
            if h.is_host and name in self.dev:
                self.dev[name].copy_from(h, s, logger=self.logger)  # into the device copy planned with
            else:
                self.dev[name] = self._to_device(h, s)

    def release(self):
        """Drop the operands and their device copies (reset() gives new ones)."""
        self.dev = {}

    def free(self):
        if self.handle is not None:
            with _streams.device_context(self.device_id):
                cublas.cublasDestroy(self.handle)
            self.handle = None
        self.dev = {}


class _Shape:
    """A stand-in holder with only a shape and strides (for the layout of a planned copy)."""

    def __init__(self, shape, strides):
        self.shape, self.strides = tuple(shape), tuple(strides)
