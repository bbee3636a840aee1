"""The generic matrix multiplication: the stateful :class:`Matmul` and :func:`matmul`.

``alpha * op(a) @ op(b) + beta * c``, where each operand's qualifier says what structure it has
(general, diagonal, symmetric, Hermitian, triangular) and whether it is conjugated. On the GPU it
runs on cuBLAS (``gemm``, ``symm``, ``hemm``, ``trmm``, ``dgmm``); on the CPU on NumPy with the
structure applied explicitly. Phases: the constructor checks operands and qualifiers; ``plan()``
picks the cuBLAS function and the layouts; ``execute()`` runs as often as needed;
``reset_operands()`` binds new operands; ``free()`` (or leaving a ``with`` block) releases.
"""

from __future__ import annotations

import dataclasses
import logging

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.log import get_logger, timed
from nvmath._internal.options import (
    check_allocator,
    check_blocking,
    check_bool,
    check_execution,
    check_logger,
    check_options,
)
from nvmath._internal.stateful import Stateful
from nvmath._internal.streams import require_cuda
from nvmath._internal.tensor import check_same_operand, wrap_operand
from nvmath.bindings.cublas import DiagType, FillMode, SideMode

from ._problem import Problem, scalar
from ._qualifiers import check_qualifiers

__all__ = [
    "Matmul",
    "matmul",
    "MatmulOptions",
    "InvalidMatmulState",
    "ExecutionCUDA",
    "ExecutionCPU",
    "FillMode",
    "DiagType",
    "SideMode",
]


class InvalidMatmulState(RuntimeError):
    """A :class:`Matmul` was used after :meth:`Matmul.free`."""


@dataclasses.dataclass
class MatmulOptions:
    """Options of the generic matrix multiplication (a dict of these fields is accepted too).

    Attributes
    ----------
    allocator : nvmath.memory.BaseCUDAMemoryManager or BaseCUDAMemoryManagerAsync, optional
        Where device memory for results and copies comes from; default the operand package's
        pool (CuPy's, or PyTorch's for PyTorch operands).
    blocking : True or "auto"
        ``"auto"`` (default): return at once for GPU operands (the work is queued on the
        stream); ``True``: wait for it. Host operands always block.
    logger : logging.Logger, optional
        Default: the ``"nvmath"`` logger.
    inplace : bool
        Write the result into ``c`` (which must be given) and return ``c``. Default False.
    """

    allocator: object = None
    blocking: object = "auto"
    logger: logging.Logger | None = None
    inplace: bool = False

    def __post_init__(self):
        check_allocator(self.allocator)
        check_blocking(self.blocking)
        check_logger(self.logger)
        self.inplace = check_bool(self.inplace, "inplace")


def _unwrap_torch_conj(obj):
    """A PyTorch tensor with its lazy conjugate bit set, as the memory it views (bit cleared)
    and True; anything else as it is and False."""
    if type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "is_conj") and obj.is_conj():
        return obj.conj(), True
    return obj, False


class _Layout:
    """What a released operand leaves behind: the layout its replacement must have."""

    def __init__(self, h):
        self.name, self.package, self.device_id, self.dtype = h.name, h.package, h.device_id, h.dtype
        self.shape, self.strides, self.is_host = h.shape, h.strides, h.is_host


def _where(h) -> str:
    return "the host" if h.is_host else f"GPU {h.device_id}"


class Matmul(Stateful):
    """``alpha * op(a) @ op(b) + beta * c`` with structured operands, planned once and executed
    many times.

    Parameters
    ----------
    a, b : numpy.ndarray, cupy.ndarray or torch.Tensor
        Matrices or batches of matrices (NumPy's matmul conventions: batch dimensions broadcast);
        a 1-D general ``a`` is a row vector and a 1-D general ``b`` a column vector. A diagonal
        operand is the 1-D vector of its diagonal. float32, float64, complex64 or complex128, all
        operands of one type (the result's). Row- and column-major layouts are read as they are.
    c : array, optional
        Added with weight ``beta`` (which is then required); of the result's shape exactly.
    alpha : number, optional
        Default 1; real for real operands.
    beta : number, optional
        Required with ``c``; ignored (with a warning) without it.
    qualifiers : numpy.ndarray of matrix_qualifiers_dtype, optional
        Two or three records (a, b and c) made by ``GeneralMatrixQualifier.create()``,
        ``DiagonalMatrixQualifier.create()``, ``SymmetricMatrixQualifier.create()``,
        ``HermitianMatrixQualifier.create()`` or ``TriangularMatrixQualifier.create()``; at most
        one of a and b structured; c general. Default: all general. A PyTorch tensor with its
        lazy conjugate bit set counts as conjugated.
    options : MatmulOptions or dict, optional
    execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
        Where the product is computed; default where the operands are.
    stream : optional
        A CuPy or PyTorch stream or a raw handle; default the operand package's current stream.

    Examples
    --------
    >>> import numpy as np
    >>> import nvmath
    >>> a, b = np.random.rand(4, 3), np.random.rand(3, 5)
    >>> with nvmath.linalg.Matmul(a, b) as mm:
    ...     mm.plan()
    ...     r = mm.execute()
    >>> bool(np.allclose(r, a @ b))
    True
    """

    def __init__(
        self,
        a,
        b,
        /,
        c=None,
        *,
        alpha=None,
        beta=None,
        qualifiers=None,
        options=None,
        execution=None,
        stream=None,
    ):
        self.options = check_options(options, MatmulOptions, "options")
        self.logger = get_logger(self.options.logger)
        if c is None and self.options.inplace:
            raise ValueError("options.inplace=True needs operand c (the result is written into it); c was not given")
        raw = {"a": a, "b": b, "c": c}
        lazy = {}
        for name in "abc":
            if raw[name] is not None:
                raw[name], lazy[name] = _unwrap_torch_conj(raw[name])
        holders = {name: wrap_operand(value, name) if value is not None else None for name, value in raw.items()}
        present = [(n, h) for n, h in holders.items() if h is not None]
        if len({(h.package, h.device_id) for _, h in present}) > 1:
            described = ", ".join(f"{n}: {h.package} on {_where(h)}" for n, h in present)
            raise ValueError(f"the operands must be of one package and on one device; got {described}")
        if lazy.get("c"):
            raise ValueError("operand c has its lazy conjugate bit set; accepted: a c that is not conjugated")
        num_operands = 3 if c is not None else 2
        qualifiers = check_qualifiers(qualifiers, num_operands)
        for i, name in enumerate("ab"):
            if lazy.get(name):
                qualifiers[i]["conjugate"] = not bool(qualifiers[i]["conjugate"])
        self._lazy = {n: lazy.get(n, False) for n in "abc"}
        ha = holders["a"]
        execution = check_execution(execution, default=None, operand_space="cpu" if ha.is_host else "cuda")
        if execution is None:
            execution = ExecutionCPU() if ha.is_host else ExecutionCUDA()
        if isinstance(execution, ExecutionCPU) and not ha.is_host:
            raise ValueError(
                f"execution='cpu' cannot take {ha.package} operands on GPU {ha.device_id}: nvmath does not copy "
                "them implicitly; move them to the host or use execution='cuda'"
            )
        self.execution = execution
        self._problem = Problem(ha, holders["b"], holders["c"], alpha, beta, qualifiers, self.logger)
        self._operands = holders
        self._released = False
        self._planned = False
        self._freed = False
        self._backend = None
        if isinstance(execution, ExecutionCUDA):
            if ha.is_host:
                require_cuda(execution.device_id)
            from ._cuda import CudaGeneric

            self._backend = CudaGeneric(self, stream)
        elif execution.num_threads is not None:
            self.logger.info(
                "ExecutionCPU.num_threads=%d: the CPU path runs on NumPy's BLAS with its own thread count",
                execution.num_threads,
            )
        self.logger.info("Matmul (generic): %s, %s execution", self._problem.describe(), execution.name)
        if self.options.inplace:
            self.logger.info("The result will be written into operand c (inplace).")

    # -- state checks ---------------------------------------------------------------------------

    def _check_alive(self):
        if self._freed:
            raise InvalidMatmulState("The Matmul object cannot be used after its resources are freed (free())")

    def _check_operands(self):
        if self._released:
            raise ValueError(
                "the operands have been released (release_operands()); give new ones with reset_operands() first"
            )

    # -- phases -------------------------------------------------------------------------------

    def plan(self, *, stream=None):
        """Choose the BLAS function (gemm, symm, hemm, trmm or dgmm) and the layouts.

        Parameters
        ----------
        stream : optional
            Accepted for symmetry with :meth:`execute`; planning queues no work.
        """
        self._check_alive()
        with timed(self.logger, "planning", level=logging.INFO):
            if self._backend is not None:
                self._backend.plan(stream)
            else:
                kind = self._problem.structured
                self.logger.info(
                    "CPU plan: NumPy matmul%s",
                    f" with the {self._problem.kinds[kind]} structure of operand {'ab'[kind]} applied"
                    if kind is not None
                    else "",
                )
        self._planned = True

    def execute(self, *, stream=None):
        """Run the multiplication.

        Parameters
        ----------
        stream : optional
            The stream to run on (GPU); default the operand package's current stream.

        Returns
        -------
        array
            The result, of the operands' package and memory space (``c`` itself with
            ``options.inplace``).
        """
        self._check_alive()
        if not self._planned:
            raise RuntimeError("execute() was called before plan(): call plan() first")
        self._check_operands()
        if self._backend is not None:
            return self._backend.execute(stream)
        return self._execute_cpu()

    def _execute_cpu(self):
        from ._cpu import host_array, matmul_cpu, to_package

        ops = self._operands
        c = ops["c"]
        result = matmul_cpu(
            self._problem, host_array(ops["a"]), host_array(ops["b"]), host_array(c) if c is not None else None
        )
        if self.options.inplace:
            host_array(c)[...] = result
            return c.tensor
        strides = self._problem.result_strides()
        if result.ndim and tuple(s // result.itemsize for s in result.strides) != strides:
            laid_out = ops["a"].empty(self._problem.result_shape, strides=strides)
            host_array(laid_out)[...] = result
            return laid_out.tensor
        return to_package(result, ops["a"].package)

    def reset_operands(self, *, a=None, b=None, c=None, alpha=None, beta=None, stream=None):
        """Bind new operands (of the same package, device, dtype, shape and strides) or scalars;
        nothing changes if any of them is refused.

        Parameters
        ----------
        a, b, c : array, optional
            Operands omitted keep their current values (all are required after
            :meth:`release_operands`).
        alpha, beta : number, optional
        stream : optional
        """
        self._check_alive()
        p = self._problem
        if c is not None and not p.has_c:
            raise ValueError("this Matmul was created without c, so c cannot be reset; create one with c")
        if self._released:
            missing = [n for n, v in (("a", a), ("b", b), ("c", c if p.has_c else 0)) if v is None]
            if missing:
                raise ValueError(
                    f"after release_operands(), reset_operands() needs every operand; missing: {', '.join(missing)}"
                )
        new = {}
        for name, value in (("a", a), ("b", b), ("c", c)):
            if value is None:
                continue
            value, lazy = _unwrap_torch_conj(value)
            if lazy != self._lazy[name]:
                raise ValueError(
                    f"reset_operands: the new {name} has its lazy conjugate bit {'set' if lazy else 'clear'}, unlike "
                    "the operand this Matmul was created with"
                )
            h = wrap_operand(value, name)
            old = self._operands[name]
            check_same_operand(h, old, what=f"reset_operands: the new {name}", owner="Matmul")
            new[name] = h
        new_alpha = scalar(alpha, "alpha", p.dtype) if alpha is not None else None
        new_beta = None
        if beta is not None:
            if not p.has_c:
                self.logger.warning("Matmul: the beta value %r is ignored since operand c is not given.", beta)
            else:
                new_beta = scalar(beta, "beta", p.dtype)
        if self._backend is not None and new:
            self._backend.reset(new, stream)
        self._operands.update(new)
        if new_alpha is not None:
            p.alpha = new_alpha
        if new_beta is not None:
            p.beta = new_beta
        if self._backend is not None and self._planned:
            import numpy as np

            self._backend.alpha = np.asarray([p.alpha], dtype=p.dtype)
            self._backend.beta = np.asarray([p.beta], dtype=p.dtype)
        self._released = False
        if new:
            self.logger.info("Operands %s have been reset.", ", ".join(new))

    def release_operands(self):
        """Drop this object's references to the operands (and their device copies); give new
        ones with :meth:`reset_operands` before the next :meth:`execute`."""
        self._check_alive()
        self._operands = {n: _Layout(h) if h is not None else None for n, h in self._operands.items()}
        if self._backend is not None:
            self._backend.release()
        self._released = True
        self.logger.info("The user-provided operands have been released.")

    def _release(self):
        try:
            if self._backend is not None:
                self._backend.free()
        finally:
            self._operands = {}
            self.logger.info("The Matmul object's resources have been released.")

    def __repr__(self):
        state = "freed" if self._freed else ("planned" if self._planned else "specified")
        return f"<nvmath.linalg.Matmul {self._problem.describe()}, {self.execution.name}, {state}>"

    @property
    def qualifiers(self):
        """The three qualifier records (a, b, c) in use (a copy)."""
        return self._problem.qualifiers.copy()


def matmul(
    a,
    b,
    /,
    c=None,
    *,
    alpha=None,
    beta=None,
    qualifiers=None,
    options=None,
    execution=None,
    stream=None,
):
    """``alpha * op(a) @ op(b) + beta * c`` in one call, the operands' structure given by
    qualifiers: cuBLAS on the GPU, NumPy on the CPU.

    Parameters
    ----------
    a, b : numpy.ndarray, cupy.ndarray or torch.Tensor
        Matrices or batches of matrices, of one package and on one device (NumPy's matmul
        conventions; a diagonal operand is the 1-D vector of its diagonal). float32, float64,
        complex64 or complex128, all of one type.
    c : array, optional
        Added with weight ``beta`` (then required); of the result's shape.
    alpha : number, optional
        Default 1.
    beta : number, optional
        Required with ``c``.
    qualifiers : numpy.ndarray of matrix_qualifiers_dtype, optional
        One record per operand (a, b and optionally c), e.g.
        ``q = np.full(2, GeneralMatrixQualifier.create(), dtype=matrix_qualifiers_dtype)`` then
        ``q[1] = TriangularMatrixQualifier.create(uplo=FillMode.LOWER)``.
    options : MatmulOptions or dict, optional
        ``allocator``, ``blocking``, ``logger``, ``inplace``.
    execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
        Default: where the operands are.
    stream : optional
        A CuPy or PyTorch stream or a raw handle; default the package's current stream.

    Returns
    -------
    array
        The result, in the operands' package and memory space (``c`` with ``options.inplace``).

    Raises
    ------
    ValueError
        Unsupported or mixed dtypes, shapes that do not multiply, qualifiers that do not fit
        their operand (a triangular qualifier on a non-square matrix, a fill mode on a general
        one...), a missing ``beta``, operands in different places.
    TypeError
        Operands that are not arrays, qualifiers that are not an array of
        ``matrix_qualifiers_dtype``.
    """
    with Matmul(
        a,
        b,
        c,
        alpha=alpha,
        beta=beta,
        qualifiers=qualifiers,
        options=options,
        execution=execution,
        stream=stream,
    ) as mm:
        mm.plan(stream=stream)
        return mm.execute(stream=stream)
