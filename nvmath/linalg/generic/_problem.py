"""The generic matmul problem, checked once: ``alpha * op(a) @ op(b) + beta * c`` with ``op`` the
structure each operand's qualifier gives it; shared by the CPU and GPU paths.

Shapes follow NumPy's matmul: the last two axes are the matrix and the others a batch that
broadcasts between ``a`` and ``b``; a 1-D general ``a`` is a row vector and a 1-D general ``b`` a
column vector, their axis removed from the result. A diagonal operand is the 1-D vector of its
diagonal (no batch). ``c`` has exactly the result's shape (no broadcasting).
"""

from __future__ import annotations

import numbers

import numpy as np

from nvmath._internal.tensor import contiguous_strides

from ._qualifiers import describe

__all__ = ["Problem", "SUPPORTED_TYPES", "matrix_order", "scalar"]

#: The operand types the generic matmul takes (all operands of one type, which the result has).
SUPPORTED_TYPES = ("float32", "float64", "complex64", "complex128")


def scalar(value, name: str, dtype: str):
    """``value`` as a NumPy scalar of ``dtype``; :class:`ValueError` naming it otherwise (a complex
    number for real operands, a bool, anything that is not a number)."""
    ok = isinstance(value, (numbers.Number, np.number)) and not isinstance(value, (bool, np.bool_))
    if ok and np.iscomplexobj(value) and dtype not in ("complex64", "complex128") and np.imag(value) != 0:
        ok = False
    if not ok:
        accepted = "a real or complex number" if dtype.startswith("complex") else "a real number"
        raise ValueError(f"{name}={value!r} is not supported for {dtype} operands; accepted: {accepted}")
    return np.asarray(np.real(value) if not dtype.startswith("complex") else value).astype(dtype)[()]


def matrix_order(shape, strides) -> str | None:
    """``"row"`` or ``"col"``: the order nvmath-python reads a matrix in (its last two axes).

    A vector is ``"col"``. A matrix is read as it is when one of its strides is 0 or 1, else
    with the strides of its extent-1 axes taken as 0; it is ``"col"`` when its columns lie
    apart by at least a column's span, else ``"row"`` when its rows do; ``None`` where neither
    (a layout nvmath-python refuses, which this project copies).
    """
    if len(shape) < 2:
        return "col"
    rows, cols = shape[-2:]
    s0, s1 = strides[-2:]
    if not {s0, s1} & {0, 1}:
        if not {rows, cols} & {0, 1}:
            return None
        s0, s1 = (0 if rows in (0, 1) else s0), (0 if cols in (0, 1) else s1)
    if rows * s0 <= s1:
        return "col"
    if cols * s1 <= s0:
        return "row"
    return None


class Problem:
    """Shapes, batch, types, qualifiers and scalars of one generic matmul.

    Attributes
    ----------
    m, n, k : int
        ``op(a)`` is m x k, ``op(b)`` k x n (after vector promotion).
    kinds : (str, str)
        The qualifier abbreviation of a and b (``"ge"``, ``"dg"``, ``"sy"``, ``"he"``, ``"tr"``).
    structured : int or None
        0 or 1: the operand that is not general, if any.
    batch_shape : tuple
        The broadcast batch of a and b; the result is ``(*batch_shape, m, n)`` less the axes of
        vector operands (``result_shape``).
    """

    def __init__(self, a, b, c, alpha, beta, qualifiers, logger):
        self.dtype = a.dtype
        for name, h in (("a", a), ("b", b), ("c", c)):
            if h is not None and h.dtype not in SUPPORTED_TYPES:
                raise ValueError(
                    f"The dtype of operand {name} ({h.dtype}) is not supported; accepted: {', '.join(SUPPORTED_TYPES)}"
                )
        if b.dtype != a.dtype or (c is not None and c.dtype != a.dtype):
            raise ValueError(
                f"Unsupported combination of dtypes: a ({a.dtype}), b ({b.dtype}) and c "
                f"({c.dtype if c is not None else None}) must all have the same dtype (no type promotion)"
            )
        self.is_complex = self.dtype.startswith("complex")
        self.qualifiers = qualifiers
        self.kinds = (str(qualifiers[0]["abbreviation"]), str(qualifiers[1]["abbreviation"]))
        if not self.is_complex:
            # The conjugate of a real matrix is itself; a real Hermitian matrix is symmetric.
            self.kinds = tuple("sy" if k == "he" else k for k in self.kinds)
        self.conj = tuple(bool(q["conjugate"]) and self.is_complex for q in qualifiers[:2])
        self.structured = next((i for i, k in enumerate(self.kinds) if k != "ge"), None)
        self.uplo = int(qualifiers[self.structured]["uplo"]) if self.structured is not None else None
        self.unit_diag = (
            self.structured is not None
            and self.kinds[self.structured] == "tr"
            and int(qualifiers[self.structured]["diag"]) == 1
        )
        self.incx = int(qualifiers[self.structured]["incx"]) if self.structured is not None else 0

        shapes = []
        self.vector = [False, False]
        for i, (name, h) in enumerate((("a", a), ("b", b))):
            shape = tuple(h.shape)
            kind = self.kinds[i]
            if len(shape) == 0:
                raise ValueError(f"operand {name} is 0-dimensional; accepted: vectors, matrices or batches of matrices")
            if kind == "dg":
                if len(shape) != 1:
                    raise ValueError(
                        f"operand {name} has shape {shape} but its qualifier is {describe(qualifiers[i])}: a diagonal "
                        "matrix is given as the 1-D vector of its diagonal (no batch); accepted: a 1-D operand"
                    )
                shape = (shape[0], shape[0])
            elif kind in ("sy", "he", "tr"):
                if len(shape) < 2 or shape[-1] != shape[-2]:
                    raise ValueError(
                        f"operand {name} has shape {shape} but its qualifier is {describe(qualifiers[i])}, which needs "
                        "a square matrix (or a batch of them); accepted: shape (..., n, n)"
                    )
            elif len(shape) == 1:
                self.vector[i] = True
                shape = (1, shape[0]) if i == 0 else (shape[0], 1)
            shapes.append(shape)
        (m, k), (k2, n) = shapes[0][-2:], shapes[1][-2:]
        if k != k2:
            raise ValueError(
                f"operand a has shape {tuple(a.shape)} and b has shape {tuple(b.shape)}: the inner dimensions "
                f"({k} and {k2}) must be equal"
            )
        self.m, self.n, self.k = m, n, k
        self.shapes = tuple(shapes)
        try:
            self.batch_shape = tuple(np.broadcast_shapes(shapes[0][:-2], shapes[1][:-2]))
        except ValueError:
            raise ValueError(
                f"the batch dimensions of a {shapes[0][:-2]} and b {shapes[1][:-2]} do not broadcast"
            ) from None
        self.batch = int(np.prod(self.batch_shape)) if self.batch_shape else 1
        self.result_shape = (
            *self.batch_shape,
            *(() if self.vector[0] else (m,)),
            *(() if self.vector[1] else (n,)),
        )
        if c is not None and tuple(c.shape) != self.result_shape:
            raise ValueError(
                f"operand c has shape {tuple(c.shape)}; accepted: the result's shape {self.result_shape} "
                "(c is not broadcast)"
            )
        self.has_c = c is not None
        # The result's matrices are laid out as nvmath-python lays them out: as c's if c is
        # given, else row-major when a and b both are, else column-major.
        if c is not None and len(self.result_shape) - len(self.batch_shape) == 2:
            self.result_order = matrix_order(tuple(c.shape), tuple(c.strides)) or "col"
        else:
            both_rows = all(matrix_order(tuple(h.shape), tuple(h.strides)) == "row" for h in (a, b))
            self.result_order = "row" if both_rows else "col"
        # Its batch axes in the order a's lie in memory (else b's, else C order), as nvmath-python's.
        nb = len(self.batch_shape)
        self.batch_order = list(range(nb))
        for h in (a, b):
            if len(h.shape) == nb + 2 and nb:
                strides = tuple(h.strides)[:nb]
                innermost_first = sorted(range(nb), key=lambda i: (strides[i], i))
                self.batch_order = innermost_first[::-1]
                break
        if c is not None and beta is None:
            raise ValueError("A value for beta must be provided if operand c is provided.")
        if c is None and beta is not None:
            logger.warning("Matmul: the beta value %r is ignored since operand c is not given.", beta)
        self.alpha = scalar(1 if alpha is None else alpha, "alpha", self.dtype)
        self.beta = scalar(beta if (beta is not None and c is not None) else 0, "beta", self.dtype)

    def describe(self) -> str:
        q = self.qualifiers
        return (
            f"{self.dtype} ({self.m} x {self.k}) @ ({self.k} x {self.n}), batch {self.batch_shape or 'none'}; "
            f"a {describe(q[0])}, b {describe(q[1])}{', with c' if self.has_c else ''}"
        )

    def result_strides(self) -> tuple:
        """The result's strides (elements): the batch outermost in ``batch_order``, each matrix
        in ``result_order`` (the axes of a result of vectors in C order)."""
        shape = self.result_shape
        nb = len(self.batch_shape)
        inner = list(range(nb, len(shape)))
        if self.result_order == "col" and len(inner) == 2:
            inner.reverse()
        return contiguous_strides(shape, [*self.batch_order, *inner])

    def full_matrix_shape(self, index: int) -> tuple:
        """The logical (batched) matrix shape of a (0) or b (1)."""
        return self.shapes[index]
