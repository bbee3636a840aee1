"""The CPU path of the generic matmul: NumPy, with each operand's structure applied explicitly.

A symmetric, Hermitian or triangular operand is rebuilt from its ``uplo`` triangle (the other
triangle is never read), a diagonal one multiplies rows or columns; the product is NumPy's
``matmul`` (BLAS) in the operands' type: no type promotion, ``alpha`` and ``beta`` are scalars of
that type. PyTorch CPU tensors are used through NumPy views (no copies) and the result comes back
as a tensor.
"""

from __future__ import annotations

import numpy as np

from nvmath.bindings.cublas import FillMode

__all__ = ["host_array", "structured", "matmul_cpu", "to_package"]


def host_array(h) -> np.ndarray:
    """A NumPy view of a host holder (NumPy array or PyTorch CPU tensor): no copy."""
    t = h.tensor
    if h.package == "torch":
        return t.detach().numpy()
    return np.asarray(t)


def _hermitian_from(x, lower):
    tri = np.tril(x, -1) if lower else np.triu(x, 1)
    diagonal = np.real(np.diagonal(x, axis1=-2, axis2=-1)).astype(x.dtype)
    eye = np.eye(x.shape[-1], dtype=x.dtype)
    return tri + np.conj(np.swapaxes(tri, -1, -2)) + diagonal[..., None, :] * eye


def structured(x: np.ndarray, kind: str, lower: bool, unit: bool, conj: bool, incx: int) -> np.ndarray:
    """The matrix (or, for ``kind == "dg"``, the diagonal vector) an operand stands for.

    Only the ``lower`` (or upper) triangle of a symmetric, Hermitian or triangular ``x`` is read,
    and with ``unit`` not its diagonal either.
    """
    if kind == "dg":
        x = x[::-1] if incx == -1 else x
    elif kind == "sy":
        tri = np.tril(x, -1) if lower else np.triu(x, 1)
        diagonal = np.diagonal(x, axis1=-2, axis2=-1)
        x = tri + np.swapaxes(tri, -1, -2) + diagonal[..., None, :] * np.eye(x.shape[-1], dtype=x.dtype)
    elif kind == "he":
        x = _hermitian_from(x, lower)
    elif kind == "tr":
        if unit:
            tri = np.tril(x, -1) if lower else np.triu(x, 1)
            x = tri + np.eye(x.shape[-1], dtype=x.dtype)
        else:
            x = np.tril(x) if lower else np.triu(x)
    return np.conj(x) if conj else x


def matmul_cpu(problem, a: np.ndarray, b: np.ndarray, c: np.ndarray | None) -> np.ndarray:
    """``alpha * op(a) @ op(b) + beta * c`` as a new NumPy array of the operands' type."""
    p = problem
    q = p.qualifiers
    ops = []
    for i, x in enumerate((a, b)):
        lower = int(q[i]["uplo"]) == FillMode.LOWER
        ops.append(structured(x, p.kinds[i], lower, p.unit_diag and p.structured == i, p.conj[i], p.incx))
    x, y = ops
    if p.kinds[0] == "dg":
        product = x[:, None] * (y if y.ndim > 1 else y[:, None])  # diag(x) @ y scales y's rows
        if y.ndim == 1:
            product = product[:, 0]
    elif p.kinds[1] == "dg":
        product = x * y  # x @ diag(y) scales x's columns (a 1-D x too)
    else:
        product = np.matmul(x, y)
    product = np.asarray(product, dtype=p.dtype)
    result = product if p.alpha == 1 else product * p.alpha
    if c is not None and p.beta != 0:
        result = result + c * p.beta
    return np.asarray(result, dtype=p.dtype)


def to_package(array: np.ndarray, package: str):
    """``array`` (NumPy) as an array of ``package`` (``"numpy"`` or ``"torch"``), without copying."""
    if package == "torch":
        import torch

        return torch.from_numpy(np.ascontiguousarray(array))
    return array
