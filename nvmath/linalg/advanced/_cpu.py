"""Matrix multiplication with epilogs on the CPU (NumPy): the reference semantics of every
epilog, with auxiliary data in the same layouts as cuBLASLt's so that the two paths mix."""

from __future__ import annotations

import math

import numpy as np

from ._options import MatmulEpilog as E
from ._problem import FP8_MAX, relu_aux_ld

__all__ = ["matmul_cpu", "gelu", "gelu_grad", "pack_relu_mask", "unpack_relu_mask", "quantize", "scale_value"]

_HALF = ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")
_S = math.sqrt(2.0 / math.pi)


def gelu(x):
    """GELU, tanh approximation (as cuBLASLt computes it)."""
    return 0.5 * x * (1.0 + np.tanh(_S * (x + 0.044715 * x**3)))


def gelu_grad(x):
    """Derivative of :func:`gelu`."""
    t = np.tanh(_S * (x + 0.044715 * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _S * (1.0 + 3 * 0.044715 * x * x)


def pack_relu_mask(positive: np.ndarray) -> np.ndarray:
    """``(..., m, n)`` booleans → cuBLASLt's ReLU bit mask: uint8 ``(..., ld // 8, n)``, each
    column's bits contiguous (column-major), bit ``i % 8`` of byte ``i // 8`` for row ``i``."""
    *batch, m, n = positive.shape
    ld = relu_aux_ld(m)
    bits = np.zeros((*batch, n, ld), np.bool_)
    bits[..., :m] = np.swapaxes(positive, -1, -2)
    return np.swapaxes(np.packbits(bits, axis=-1, bitorder="little"), -1, -2)


def unpack_relu_mask(mask: np.ndarray, m: int) -> np.ndarray:
    """Inverse of :func:`pack_relu_mask`: ``(..., m, n)`` booleans."""
    bits = np.unpackbits(np.swapaxes(mask, -1, -2), axis=-1, bitorder="little")
    return np.swapaxes(bits[..., :m], -1, -2).astype(np.bool_)


def scale_value(scale) -> float:
    """A quantization scale's current value: a number, or a holder of a one-element host array."""
    if isinstance(scale, float):
        return scale
    t = scale.tensor
    if scale.package == "torch":
        return float(t.detach().reshape(-1)[0].item())
    return float(np.asarray(t).reshape(-1)[0])


def quantize(d, scale_d, dtype):
    """An FP8 result before its cast: ``scale_d * d`` in float32, saturated to the largest
    finite value of ``dtype`` (GPUs convert to FP8 with ``satfinite``: no overflow to NaN or
    infinity); the cast to ``dtype`` then rounds to nearest even."""
    x = np.asarray(d, np.float32) * np.float32(scale_d)
    return np.clip(x, -FP8_MAX[dtype], FP8_MAX[dtype])


def _host_array(h, compute):
    """A holder's values as a NumPy array of the compute type (half types widen to float32)."""
    t = h.tensor
    if h.package == "torch":
        t = t.detach()
        if h.dtype in _HALF:
            t = t.float()
        t = t.numpy()
    return np.asarray(t).astype(compute, copy=False)


def matmul_cpu(problem, a, b, c, epilog, inputs, scales=None):
    """``(result, aux)`` as NumPy arrays of the compute type (aux: name → array); ``scales``
    (floats) dequantize FP8 ``a`` and ``b``. An FP8 result's ``d`` scale is applied by the
    caller (:func:`quantize`), after any amax is taken."""
    p = problem
    compute = np.float32 if p.ab_dtype in _HALF else np.dtype(p.ab_dtype)
    A = _host_array(a, compute)
    B = _host_array(b, compute)
    if scales is not None:
        A, B = A * np.float32(scales["a"]), B * np.float32(scales["b"])
    if p.a_vector:
        A = A[None, :]
    if p.b_vector:
        B = B[:, None]
    if p.conj[0]:
        A = A.conj()
    if p.conj[1]:
        B = B.conj()
    D = p.alpha * np.matmul(A, B)
    if c is not None:
        C = _host_array(c, compute).reshape(p.c_shape)
        D = D + p.beta * C
    D = np.broadcast_to(D, (*p.batch_shape, p.m, p.n)).copy() if D.shape[:-2] != p.batch_shape else D
    aux = {}
    if epilog is not None:
        if "bias" in inputs:
            bias = _host_array(inputs["bias"], compute)
            bias = bias.reshape(*bias.shape[: bias.ndim - (2 if bias.shape[-1:] == (1,) and bias.ndim > 1 else 1)], p.m)
            D = D + bias[..., :, None]
        if epilog in (E.RELU, E.RELU_BIAS, E.RELU_AUX, E.RELU_AUX_BIAS):
            if epilog in (E.RELU_AUX, E.RELU_AUX_BIAS):
                aux["relu_aux"] = pack_relu_mask(D > 0)
            D = np.maximum(D, 0)
        elif epilog in (E.GELU, E.GELU_BIAS, E.GELU_AUX, E.GELU_AUX_BIAS):
            if epilog in (E.GELU_AUX, E.GELU_AUX_BIAS):
                aux["gelu_aux"] = D.copy()
            D = gelu(D)
        elif epilog in (E.DRELU, E.DRELU_BGRAD):
            D = D * unpack_relu_mask(
                np.asarray(
                    inputs["relu_aux"].tensor
                    if inputs["relu_aux"].package != "torch"
                    else inputs["relu_aux"].tensor.numpy()
                ),
                p.m,
            )
            if epilog == E.DRELU_BGRAD:
                aux["drelu_bgrad"] = D.sum(axis=-1)
        elif epilog in (E.DGELU, E.DGELU_BGRAD):
            D = D * gelu_grad(_host_array(inputs["gelu_aux"], compute))
            if epilog == E.DGELU_BGRAD:
                aux["dgelu_bgrad"] = D.sum(axis=-1)
        elif epilog == E.BGRADA:
            aux["bgrada"] = np.broadcast_to(A, (*p.batch_shape, p.m, p.k)).sum(axis=-1)
        elif epilog == E.BGRADB:
            aux["bgradb"] = np.broadcast_to(B, (*p.batch_shape, p.k, p.n)).sum(axis=-2)
    if p.a_vector:
        D = D[..., 0, :]
    if p.b_vector:
        D = D[..., 0]
    return D, aux
