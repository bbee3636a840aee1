"""The matrix multiplication problem: shapes, batches, types, epilog inputs; checked once.

``D = alpha * op(A) @ op(B) + beta * C`` over NumPy's matmul conventions: the last two axes are
the matrix, the others a batch broadcast between the operands; a 1-D ``a`` is a row vector and
a 1-D ``b`` a column vector, their axis removed from the result (and from ``c``, which has the
result's shape). FP8 operands follow cuBLASLt's FP8 type table: bf16, fp16, fp32 or FP8 results,
with ``D = scale_d * (alpha * scale_a * scale_b * A @ B + beta * C)`` for an FP8 result.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from nvmath._internal.options import check_enum
from nvmath._internal.validate import DtypeError

from ._options import EPILOG_INPUTS, EPILOG_OUTPUTS, MatmulEpilog, matrix_qualifiers_dtype

__all__ = ["Problem", "SUPPORTED_TYPES", "check_scalar", "relu_aux_ld", "gelu_aux_ld"]

#: Operand dtype → default result dtype without c (no promotion: the result is of a's type; with
#: FP8 operands an FP8 result, as nvmath-python gives).
SUPPORTED_TYPES = {
    "float16": "float16",
    "bfloat16": "bfloat16",
    "float32": "float32",
    "float64": "float64",
    "complex64": "complex64",
    "complex128": "complex128",
    "float8_e4m3fn": "float8_e4m3fn",
    "float8_e5m2": "float8_e5m2",
}
FP8 = ("float8_e4m3fn", "float8_e5m2")
#: Result (C and D) types cuBLASLt computes from non-FP8 operands: their own, and fp32 from
#: 16-bit floats (accumulated in fp32 either way).
_RESULT_TYPES = {"float16": ("float16", "float32"), "bfloat16": ("bfloat16", "float32")}
_REAL_EPILOG_TYPES = ("float16", "bfloat16", "float32", "float64", "float8_e4m3fn", "float8_e5m2")
#: The epilogs cuBLASLt runs with an FP8 result (those of the forward pass).
_FP8_RESULT_EPILOGS = (
    MatmulEpilog.RELU,
    MatmulEpilog.RELU_AUX,
    MatmulEpilog.BIAS,
    MatmulEpilog.RELU_BIAS,
    MatmulEpilog.RELU_AUX_BIAS,
    MatmulEpilog.GELU,
    MatmulEpilog.GELU_AUX,
    MatmulEpilog.GELU_BIAS,
    MatmulEpilog.GELU_AUX_BIAS,
)
#: Largest finite value of each FP8 format: results beyond it saturate (cvt.satfinite on the GPU).
FP8_MAX = {"float8_e4m3fn": 448.0, "float8_e5m2": 57344.0}
#: cuBLASLt's FP8 type table (cublasLtMatmul, "FP8" rows): operand types -> result type -> the
#: types C may have. E5M2 x E5M2 is not in the table; an E5M2 result needs an E5M2 operand.
# Operand types of cuBLASLt's block-scaled (Blackwell) kernels, refused with a message that says so.
NARROW_BLOCK_SCALED = {"float4_e2m1fn_x2": "NVFP4, two E2M1 values a byte"}

_FP8_TABLE = {
    ("float8_e4m3fn", "float8_e4m3fn"): {
        "bfloat16": ("bfloat16",),
        "float16": ("float16",),
        "float32": ("float32",),
        # C (and the bias and GELU aux by default) is float16 when not given, as nvmath-python has
        # it: cuBLASLt takes an FP8 GELU aux only beside a float16 C.
        "float8_e4m3fn": ("float16", "bfloat16"),
    },
}
_FP8_TABLE[("float8_e4m3fn", "float8_e5m2")] = _FP8_TABLE[("float8_e5m2", "float8_e4m3fn")] = {
    **_FP8_TABLE[("float8_e4m3fn", "float8_e4m3fn")],
    "float8_e5m2": ("float16", "bfloat16"),
}


def relu_aux_ld(m: int) -> int:
    """cuBLASLt's leading dimension, in bits, of a ReLU bit mask: rows rounded up to 128."""
    return -(-m // 128) * 128


def gelu_aux_ld(m: int) -> int:
    """cuBLASLt's leading dimension, in elements, of a GELU input buffer: rows rounded up to 8."""
    return -(-m // 8) * 8


def check_scalar(value, name, dtype):
    """Refuse an ``alpha``/``beta`` that is not a number (bools included), or is complex for
    real operands (NumPy's complex scalars too): :class:`TypeError` naming it and the operands."""
    if not isinstance(value, (numbers.Number, np.number)) or isinstance(value, (bool, np.bool_)):
        raise DtypeError(f"{name}={value!r} is not supported; accepted: a real or complex number")
    if isinstance(value, (complex, np.complexfloating)) and dtype not in ("complex64", "complex128"):
        raise DtypeError(
            f"{name}={value!r} is complex but the operands are {dtype}; accepted: a real number "
            "(complex scalars need complex operands)"
        )


def _broadcast(shapes, names):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        described = ", ".join(f"{n} batch shape {tuple(s)}" for n, s in zip(names, shapes))
        raise ValueError(f"the batch dimensions do not broadcast: {described}") from None


class Problem:
    """Everything the constructor decides about a matmul; shared by the CPU and GPU paths."""

    def __init__(self, a, b, c, alpha, beta, qualifiers, result_type, inplace=False):
        self.a_vector, self.b_vector = len(a.shape) == 1, len(b.shape) == 1
        for name, h in (("a", a), ("b", b)):
            if len(h.shape) == 0:
                raise ValueError(f"{name} is 0-dimensional; matmul needs vectors or matrices")
        a_shape = (1, *a.shape) if self.a_vector else tuple(a.shape)
        b_shape = (*b.shape, 1) if self.b_vector else tuple(b.shape)
        (m, k), (k2, n) = a_shape[-2:], b_shape[-2:]
        if k != k2:
            raise ValueError(
                f"a has shape {tuple(a.shape)} and b has shape {tuple(b.shape)}: a's last "
                f"dimension ({k}) must equal b's {'only' if self.b_vector else 'second-to-last'} "
                f"dimension ({k2})"
            )
        self.m, self.n, self.k = m, n, k
        self.a_batch, self.b_batch = a_shape[:-2], b_shape[:-2]
        batch_shapes, names = [self.a_batch, self.b_batch], ["a", "b"]

        # Types: no promotion, a and b alike (FP8 may mix its two formats).
        for name, operand in (("a", a), ("b", b)):
            if operand.dtype in NARROW_BLOCK_SCALED:
                raise DtypeError(
                    f"{name} has dtype {operand.dtype} ({NARROW_BLOCK_SCALED[operand.dtype]}): block-scaled FP4 "
                    "matmuls need a GPU of compute capability 10.0 or newer (Blackwell) "
                    f"and are not implemented here yet; supported: {', '.join(SUPPORTED_TYPES)}"
                )
        if a.dtype not in SUPPORTED_TYPES:
            raise DtypeError(f"a has dtype {a.dtype}; supported: {', '.join(SUPPORTED_TYPES)}")
        if a.dtype != b.dtype and not (a.dtype in FP8 and b.dtype in FP8):
            raise DtypeError(
                f"a has dtype {a.dtype} and b has dtype {b.dtype}: matmul does not promote "
                f"types; give both the same dtype (one of {', '.join(SUPPORTED_TYPES)}), or two "
                "FP8 types"
            )
        self.ab_dtype = a.dtype
        self.fp8 = a.dtype in FP8
        self.inplace = inplace
        if inplace:
            if c is None:
                raise ValueError("options.inplace=True needs c: the result is written into it")
            if self.a_vector or self.b_vector:
                raise ValueError(
                    f"options.inplace=True needs matrix operands (a has shape {tuple(a.shape)}, b has shape "
                    f"{tuple(b.shape)}): give the vectors an axis of extent 1"
                )
            result_type = None  # the result is c, of c's type (the caller warns when one was given)
        # The default result type: c's when given and cuBLASLt computes it from these operands
        # (FP8 operands take bf16/fp16/fp32 c; fp16 and bf16 ones an fp32 c), else the
        # operands' own (FP8 operands: an FP8 result in a's format, as cuBLASLt's table allows).
        results = _RESULT_TYPES.get(a.dtype, (a.dtype,))
        wider_c = c is not None and (self.fp8 or c.dtype in results)
        self.result_dtype = result_type or (c.dtype if wider_c else SUPPORTED_TYPES[a.dtype])
        self.fp8_result = self.result_dtype in FP8
        if self.fp8:
            c_types = self._fp8_types(a.dtype, b.dtype, self.result_dtype)
        elif self.result_dtype not in results:
            raise DtypeError(
                f"result_type={self.result_dtype!r} is not supported with {a.dtype} operands; accepted: "
                f"{', '.join(results)} (FP8 operands take others)"
            )
        else:
            c_types = (self.result_dtype,)
        # The type cuBLASLt is told C has; with an FP8 result it is never the result's own type.
        self.c_dtype = c.dtype if c is not None else c_types[0]
        # A bias is of the result's type, except for FP8 kernels: bf16 with an fp32 result, C's type
        # (bf16 or fp16) with an FP8 result.
        self.bias_dtype = (
            self.c_dtype
            if self.fp8_result
            else "bfloat16"
            if self.fp8 and self.result_dtype == "float32"
            else self.result_dtype
        )
        # GELU_AUX's output (and DGELU's input): the result's type, C's for an FP8 result.
        self.aux_dtype = self.c_dtype if self.fp8_result else self.result_dtype

        self.c_shape = None
        self.c_column_broadcast = False  # c of shape (..., m, 1) added to every column
        if c is not None:
            self.c_shape = self._c_shape(a, b, c)
            self.c_column_broadcast = self.c_shape[-1] == 1 and n != 1
            if c.dtype not in c_types:
                if self.fp8_result:
                    raise DtypeError(
                        f"c has dtype {c.dtype}; with FP8 operands {a.dtype} and {b.dtype} and an FP8 "
                        f"result {self.result_dtype}, cuBLASLt takes c of dtype "
                        f"{' or '.join(c_types)} (it is added before the result is quantized)"
                    )
                raise DtypeError(
                    f"c has dtype {c.dtype} but the result is {self.result_dtype}: give c of the "
                    "result's dtype (no promotion)"
                )
            batch_shapes.append(self.c_shape[:-2])
            names.append("c")
        self.batch_shape = _broadcast(batch_shapes, names)
        self.batch = int(np.prod(self.batch_shape, dtype=np.int64)) if self.batch_shape else 1
        if inplace and tuple(c.shape) != (*self.batch_shape, m, n):
            raise ValueError(
                f"options.inplace=True writes the result into c, so c must have the result's full shape "
                f"{(*self.batch_shape, m, n)} (no broadcast along the batch or the columns); c has shape "
                f"{tuple(c.shape)}"
            )

        self.alpha = 1.0 if alpha is None else alpha
        self.beta = (0.0 if c is None else 1.0) if beta is None else beta
        if c is None and beta not in (None, 0, 0.0):
            raise ValueError(f"beta={beta!r} was given without c; give c, or leave beta out")
        for name, value in (("alpha", self.alpha), ("beta", self.beta)):
            check_scalar(value, name, a.dtype)

        self.conj = self._qualifiers(qualifiers, a, b, c)
        self.result_shape = (*self.batch_shape, *(() if self.a_vector else (m,)), *(() if self.b_vector else (n,)))

    @staticmethod
    def _fp8_types(a_dtype, b_dtype, result_dtype):
        """The dtypes c may have for FP8 operands and ``result_dtype``, from cuBLASLt's table."""
        table = _FP8_TABLE.get((a_dtype, b_dtype))
        if table is None:
            pairs = ", ".join(f"{x} x {y}" for x, y in _FP8_TABLE)
            raise DtypeError(
                f"a has dtype {a_dtype} and b has dtype {b_dtype}: cuBLASLt multiplies the FP8 pairs {pairs} only"
            )
        if result_dtype not in table:
            raise DtypeError(
                f"result_type={result_dtype!r} is not supported for FP8 operands {a_dtype} and "
                f"{b_dtype}; accepted: {', '.join(table)}"
            )
        return table[result_dtype]

    def _c_shape(self, a, b, c):
        """c's shape as ``(..., m, n)``: the axis a vector operand drops from the result comes
        back with extent 1, so that c broadcasts like the result (NumPy's ``a @ b + c``)."""
        m, n = self.m, self.n
        own = (*(() if self.a_vector else (m,)), *(() if self.b_vector else (n,)))
        c_shape = tuple(c.shape)
        nb = len(c_shape) - len(own)
        column = len(own) == 2 and nb >= 0 and c_shape[nb:] == (m, 1)  # one column, broadcast over n
        if nb < 0 or (c_shape[nb:] != own and not column):
            what = ("matrices" if len(own) == 2 else "vectors" if own else "scalars") + (
                f" of shape {own}" if own else ""
            )
            dropped = {
                (True, False): " (a 1-D a drops the row axis, as in NumPy)",
                (False, True): " (a 1-D b drops the column axis, as in NumPy)",
                (True, True): " (1-D a and b drop both axes, as in NumPy)",
            }
            dropped = dropped.get((self.a_vector, self.b_vector), "")
            inner = ", ".join(str(x) for x in own)
            raise ValueError(
                f"c has shape {c_shape}, but a {tuple(a.shape)} @ b {tuple(b.shape)} has {what}"
                f"{dropped}: c must be {own}{f' or ({m}, 1)' if len(own) == 2 else ''} or batched "
                f"({'...' + (', ' + inner if inner else ',')})"
            )
        return (*c_shape[:nb], m, 1 if column else n)

    @staticmethod
    def _qualifiers(qualifiers, a, b, c):
        if qualifiers is None:
            return (False, False, False)
        q = np.asarray(qualifiers)
        if q.dtype != matrix_qualifiers_dtype or q.shape != (3,):
            raise DtypeError(
                f"qualifiers must be a NumPy array of 3 records of matrix_qualifiers_dtype "
                f"(for a, b and c), got dtype {q.dtype} and shape {q.shape}"
            )
        conj = tuple(bool(v) for v in q["is_conjugate"])
        for name, h, flag in (("a", a, conj[0]), ("b", b, conj[1]), ("c", c, conj[2])):
            if flag and (h is None or h.dtype not in ("complex64", "complex128")):
                raise ValueError(
                    f"qualifiers ask for the conjugate of {name}, which is "
                    f"{'absent' if h is None else h.dtype}; only complex operands can be conjugated"
                )
        if conj[2]:
            raise ValueError("conjugating c is not supported by cuBLASLt; conjugate it before the call")
        return conj

    # -- epilogs -----------------------------------------------------------------------------------
    def check_epilog(self, epilog, epilog_inputs, wrap, aux_preferences=None):
        """``(epilog, inputs, aux)``: the epilog as a MatmulEpilog, its inputs wrapped and
        checked, and ``aux``, the auxiliary output's ``{"dtype", "scale", "amax"}`` (``scale``
        the raw ``epilog_inputs["aux_quantization_scale"]``, for an FP8 ``aux_type``)."""
        epilog_inputs, aux = self._check_aux(epilog, epilog_inputs, aux_preferences)
        epilog, inputs = self._check_epilog(epilog, epilog_inputs, wrap)
        return epilog, inputs, aux

    def _check_aux(self, epilog, epilog_inputs, preferences):
        given = dict(epilog_inputs) if isinstance(epilog_inputs, Mapping) else epilog_inputs
        scale = given.pop("aux_quantization_scale", None) if isinstance(given, dict) else None
        aux_type = getattr(preferences, "aux_type", None)
        amax = bool(getattr(preferences, "aux_amax", False))
        gelu_aux = epilog is not None and check_enum(epilog, MatmulEpilog, "epilog") in (
            MatmulEpilog.GELU_AUX,
            MatmulEpilog.GELU_AUX_BIAS,
        )
        if aux_type is not None and not gelu_aux:
            raise ValueError(
                f"preferences.epilog.aux_type={aux_type!r} applies to the GELU_AUX and GELU_AUX_BIAS epilogs only; "
                f"the epilog is {epilog!r}"
            )
        fp8_aux = aux_type in FP8
        if fp8_aux and not self.fp8:
            raise DtypeError(
                f"preferences.epilog.aux_type={aux_type!r} (FP8) needs FP8 operands; these are {self.ab_dtype}"
            )
        if aux_type is not None and not fp8_aux and aux_type != self.aux_dtype:
            raise DtypeError(
                f"preferences.epilog.aux_type={aux_type!r} is not supported here; accepted: {self.aux_dtype!r}"
                + (", 'float8_e4m3fn', 'float8_e5m2'" if self.fp8 else "")
            )
        if fp8_aux and scale is None:
            raise ValueError(
                f"epilog_inputs['aux_quantization_scale'] is required with preferences.epilog.aux_type={aux_type!r}: "
                "the auxiliary output is multiplied by it before its rounding to FP8"
            )
        if scale is not None and not fp8_aux:
            raise ValueError(
                "epilog_inputs['aux_quantization_scale'] applies to an FP8 auxiliary output "
                "(preferences.epilog.aux_type 'float8_e4m3fn' or 'float8_e5m2') only"
            )
        if amax and not fp8_aux:
            raise ValueError("preferences.epilog.aux_amax=True applies to an FP8 aux_type only")
        dtype = aux_type or self.aux_dtype
        return given, {"dtype": dtype, "scale": scale, "amax": amax}

    def _check_epilog(self, epilog, epilog_inputs, wrap):
        if epilog_inputs is not None and not isinstance(epilog_inputs, Mapping):
            raise TypeError(
                f"epilog_inputs={epilog_inputs!r} (of type {type(epilog_inputs).__name__}) is not supported; "
                "accepted: a dict of arrays such as {'bias': bias}, or None"
            )
        if epilog is not None:
            epilog = check_enum(epilog, MatmulEpilog, "epilog")
        if epilog is None or epilog is MatmulEpilog.DEFAULT:  # DEFAULT: cuBLASLt's "no epilog"
            if epilog_inputs:
                raise ValueError(f"epilog_inputs {sorted(epilog_inputs)} were given without an epilog")
            return None, {}
        if self.fp8_result and epilog not in _FP8_RESULT_EPILOGS:
            raise DtypeError(
                f"epilog {epilog.name} is not supported with an FP8 result ({self.result_dtype}); accepted: "
                f"{', '.join(e.name for e in _FP8_RESULT_EPILOGS)}, or result_type 'bfloat16' or 'float16'"
            )
        if self.result_dtype not in _REAL_EPILOG_TYPES and epilog not in (MatmulEpilog.BIAS,):
            raise DtypeError(
                f"epilog {epilog.name} is supported for real results "
                f"({', '.join(_REAL_EPILOG_TYPES)}), not {self.result_dtype}"
            )
        needed = EPILOG_INPUTS.get(epilog, ())
        given = dict(epilog_inputs or {})
        missing = [k for k in needed if k not in given]
        extra = [k for k in given if k not in needed]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {missing}")
            if extra:
                parts.append(f"unexpected {extra}")
            raise ValueError(f"epilog {epilog.name} takes epilog_inputs {list(needed) or 'none'}: {'; '.join(parts)}")
        inputs = {}
        for name in needed:
            h = wrap(given[name], f"epilog_inputs['{name}']")
            self._check_epilog_input(epilog, name, h)
            inputs[name] = h
        if (self.a_vector or self.b_vector) and epilog not in (
            MatmulEpilog.RELU,
            MatmulEpilog.GELU,
            MatmulEpilog.BIAS,
            MatmulEpilog.RELU_BIAS,
            MatmulEpilog.GELU_BIAS,
        ):
            raise ValueError(
                f"epilog {epilog.name} needs matrix operands (its auxiliary data has a matrix "
                "layout); reshape the vectors to matrices"
            )
        return epilog, inputs

    def _check_epilog_input(self, epilog, name, h):
        m, n, batch = self.m, self.n, self.batch_shape
        if name == "bias":
            ok_shapes = {(m,), (m, 1), (*batch, m), (*batch, m, 1)}
            if tuple(h.shape) not in ok_shapes:
                raise ValueError(
                    f"epilog_inputs['bias'] has shape {tuple(h.shape)}; epilog {epilog.name} needs "
                    f"one value per row of the result: shape ({m},) or ({m}, 1), or batched "
                    f"{(*batch, m)}"
                )
            if h.dtype != self.bias_dtype:
                whose = (
                    "the result's"
                    if self.bias_dtype == self.result_dtype
                    else f"cuBLASLt's type for FP8 operands with a {self.result_dtype} result,"
                )
                raise DtypeError(f"epilog_inputs['bias'] has dtype {h.dtype}; it must be {whose} {self.bias_dtype}")
        elif name == "relu_aux":
            want = (*batch, relu_aux_ld(m) // 8, n)
            if tuple(h.shape) != want or h.dtype != "uint8":
                raise ValueError(
                    f"epilog_inputs['relu_aux'] has shape {tuple(h.shape)} and dtype {h.dtype}; "
                    f"{epilog.name} needs the uint8 bit mask of shape {want} that a RELU_AUX "
                    "epilog returned"
                )
        elif name == "gelu_aux":
            want = (*batch, m, n)
            if tuple(h.shape) != want or h.dtype != self.aux_dtype:
                raise ValueError(
                    f"epilog_inputs['gelu_aux'] has shape {tuple(h.shape)} and dtype {h.dtype}; "
                    f"{epilog.name} needs shape {want} and dtype {self.aux_dtype}, as a "
                    "GELU_AUX epilog returned"
                )

    @staticmethod
    def outputs(epilog):
        return EPILOG_OUTPUTS.get(epilog, ()) if epilog is not None else ()
