"""cuBLASDx block matrix multiplications for ``numba.cuda.jit`` kernels (nvmath-python's
``nvmath.device.cublasdx``).

:class:`Matmul` describes ``C = alpha * A @ B + beta * C`` computed by the threads of a block on
matrices in shared memory; its traits (dimensions, leading dimensions, value types, block
dimensions, shared storage sizes) are plain values on the host and compile-time constants in
kernels, where ``mm.execute(alpha, a, b, beta, c)`` (or, with run-time leading dimensions,
``mm.execute(alpha, a, lda, b, ldb, beta, c, ldc)``) calls the cuBLASDx device function that
libmathdx generates (cached, see :mod:`nvmath.cache`).

Importing this module imports neither Numba nor libmathdx: the Numba typing lives in
:mod:`nvmath.device._cublasdx_numba`, the libmathdx calls in :mod:`nvmath.device._cublasdx_engine`.
"""

from __future__ import annotations

import functools
import itertools
import logging
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from nvmath.jit.arch import Target, resolve_target

from . import _mathdx_code
from ._cublasdx_pipeline import DevicePipeline, TilePipeline
from ._cublasdx_tensor import Accumulator, TensorMethods
from .common_cuda import ComputeCapability, Dim3
from .types import complex32, complex64, complex128

__all__ = [
    "Matmul",
    "matmul",
    "SharedStorageCalc",
    "TransposeMode",
    "Arrangement",
    "Precision",
    "LeadingDimension",
    "Alignment",
    "MAX_ALIGNMENT",
    "max_shared_memory_per_block",
    "DevicePipeline",
    "TilePipeline",
    "Accumulator",
]

logger = logging.getLogger("nvmath.device")


class TransposeMode(NamedTuple):
    """The transpose modes of A and B (deprecated in cuBLASDx: use :class:`Arrangement`).

    Attributes
    ----------
    a, b : {"non_transposed", "transposed", "conj_transposed"}
    """

    a: str
    b: str


class Arrangement(NamedTuple):
    """How A, B and C are stored.

    Attributes
    ----------
    a, b, c : {"row_major", "col_major"}
    """

    a: str
    b: str
    c: str


class Precision(NamedTuple):
    """The precisions of A, B and C (NumPy types; ``"bfloat16"`` for bfloat16).

    Attributes
    ----------
    a, b, c
    """

    a: object
    b: object
    c: object


class LeadingDimension(NamedTuple):
    """The leading dimensions of A, B and C, in elements.

    Attributes
    ----------
    a, b, c : int
    """

    a: int
    b: int
    c: int


class Alignment(NamedTuple):
    """The alignments of A, B and C in shared memory, in bytes.

    Attributes
    ----------
    a, b, c : int
    """

    a: int
    b: int
    c: int


#: The largest alignment (bytes) cuBLASDx accepts for each matrix.
MAX_ALIGNMENT = Alignment(16, 16, 16)

# Dynamic shared memory one block may use, by compute capability (CUDA programming guide,
# "Technical specifications per compute capability"); 48 KiB elsewhere.
_MAX_SHARED_PER_BLOCK = {
    (7, 0): 96 * 1024,
    (7, 2): 96 * 1024,
    (7, 5): 64 * 1024,
    (8, 0): 163 * 1024,
    (8, 6): 99 * 1024,
    (8, 7): 163 * 1024,
    (8, 9): 99 * 1024,
    (9, 0): 227 * 1024,
    (10, 0): 227 * 1024,
    (10, 3): 227 * 1024,
    (12, 0): 99 * 1024,
}


def max_shared_memory_per_block(target) -> int:
    """Bytes of shared memory one block can use on ``target`` (anything with ``major`` and
    ``minor``: a :class:`nvmath.jit.Target`, a :class:`ComputeCapability`)."""
    return _MAX_SHARED_PER_BLOCK.get((int(target.major), int(target.minor)), 48 * 1024)


# ---------------------------------------------------------------------------- precisions

# Precision spellings: NumPy types (nvmath-python's) and names (this project's older ones).
_NP_PRECISIONS = {
    np.float16: "F16",
    np.float32: "F32",
    np.float64: "F64",
    np.int8: "I8",
    np.int16: "I16",
    np.int32: "I32",
    np.int64: "I64",
    np.uint8: "UI8",
    np.uint16: "UI16",
    np.uint32: "UI32",
    np.uint64: "UI64",
}
_NAMED_PRECISIONS = {
    "half": "F16",
    "float16": "F16",
    "single": "F32",
    "float32": "F32",
    "double": "F64",
    "float64": "F64",
    "bfloat16": "BF16",
}
_PRECISION_TYPES = {v: k for k, v in _NP_PRECISIONS.items()}
_PRECISION_TYPES["BF16"] = "bfloat16"
_ITEM_BYTES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I8": 1, "UI8": 1, "I16": 2, "UI16": 2}
_ITEM_BYTES.update({"I32": 4, "UI32": 4, "I64": 8, "UI64": 8})
_ACCEPTED_PRECISIONS = (
    "numpy.float16, numpy.float32, numpy.float64, numpy.int8 ... numpy.uint64, "
    "'half', 'single', 'double', 'bfloat16', or a tuple of three of these (A, B, C)"
)


def _one_precision(value, name: str) -> str:
    if isinstance(value, str):
        found = _NAMED_PRECISIONS.get(value.strip().lower())
    elif isinstance(value, np.dtype):
        found = _NP_PRECISIONS.get(value.type)
    elif isinstance(value, type):
        found = _NP_PRECISIONS.get(value)
    else:
        found = None
    if found is None:
        raise ValueError(f"{name}={value!r} is not supported; accepted: {_ACCEPTED_PRECISIONS}")
    return found


def _precisions(precision) -> tuple:
    """``precision`` as three ``CommondxPrecision`` names. A single ``"bfloat16"`` (this
    project's older spelling) is bf16 A and B with a float C."""
    if isinstance(precision, Sequence) and not isinstance(precision, str):
        if len(precision) != 3:
            raise ValueError(f"precision={precision!r} is not supported; accepted: {_ACCEPTED_PRECISIONS}")
        return tuple(_one_precision(p, f"precision.{m}") for p, m in zip(precision, "abc"))
    one = _one_precision(precision, "precision")
    return ("BF16", "BF16", "F32") if one == "BF16" else (one,) * 3


def _value_type(precision: str, data_type: str):
    """The host value type of a matrix: a NumPy type or a :class:`~nvmath.device.types.Complex`.
    bf16 has no NumPy type: its bit patterns are ``uint16`` (complex bf16: interleaved pairs)."""
    if precision == "BF16":
        return np.uint16
    if data_type == "real":
        return _PRECISION_TYPES[precision]
    return {"F16": complex32, "F32": complex64, "F64": complex128}[precision]


def _c_type(precision: str, data_type: str) -> str:
    """The C name (for :func:`nvmath.device.extern_function`) of one value of a matrix."""
    real = {"F16": "float16", "BF16": "bfloat16", "F32": "float", "F64": "double"}
    if data_type == "complex":
        return {"F16": "complex_half", "BF16": "complex_bfloat16", "F32": "float2", "F64": "double2"}[precision]
    if precision in real:
        return real[precision]
    return precision.lower().replace("ui", "uint").replace("i", "int")


# ---------------------------------------------------------------------------- helpers


def _positive_ints(value, n: int, name: str, what: str) -> tuple:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != n
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        raise ValueError(f"{name}={value!r} is not supported; accepted: {what}")
    return tuple(int(v) for v in value)


def _strings(value, n: int, name: str, accepted: tuple) -> tuple:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != n:
        raise ValueError(
            f"{name}={value!r} is not supported; accepted: a {n}-tuple of {', '.join(map(repr, accepted))}"
        )
    for v, m in zip(value, "abc"):
        if v not in accepted:
            raise ValueError(f"{name}.{m}={v!r} is not supported; accepted: {', '.join(map(repr, accepted))}")
    return tuple(value)


def _target(sm) -> Target:
    if isinstance(sm, ComputeCapability):
        return Target(int(sm.major), int(sm.minor), sm.arch)
    if sm is None:
        # The current device's, architecture-specific from 9.0 on (sm_90a) as nvmath-python's
        # default and as numba-cuda links the kernel: the library's code is then built for the
        # same target as the kernel it is inlined into.
        return resolve_target(None, keyword="sm", check=False).kernel_target()
    return resolve_target(sm, keyword="sm", check=False)


def _deprecated(message: str):
    warnings.warn(message, DeprecationWarning, stacklevel=3)


def _numba_support():
    """Register the Numba typing of Matmul objects (once; Numba is imported here, not at import)."""
    try:
        from . import (
            _cublasdx_numba,  # noqa: F401
            _cublasdx_pipeline_numba,  # noqa: F401
        )
    except ImportError as e:  # no Numba: GEMMs can still be described and their code generated
        logger.debug("numba-cuda is not importable; Matmul objects cannot be used in kernels: %s", e)


class SharedStorageCalc:
    """Adds up the shared memory of matrices placed one after the other, each aligned.

    Examples
    --------
    >>> calc = SharedStorageCalc()
    >>> calc.add(16, 4, 100)  # 100 floats aligned on 16 bytes
    >>> calc.add(8, 40)  # then 40 bytes aligned on 8
    >>> calc.get()
    440
    """

    def __init__(self):
        self._memory = 0

    def add(self, *args) -> None:
        """``add(alignment, size_bytes)``, ``add(alignment, element_size, count)`` or
        ``add(alignment, element_size, layout)`` (a layout's ``cosize`` elements).

        Raises
        ------
        ValueError
            For another number of arguments, or sizes and alignments that are not positive.
        """
        if len(args) == 2:
            alignment, nbytes = args
        elif len(args) == 3:
            alignment, item, count = args
            count = getattr(count, "cosize", count)
            if int(item) <= 0 or int(count) <= 0:
                raise ValueError(f"element size {item!r} and count {count!r} must be positive")
            nbytes = int(item) * int(count)
        else:
            raise ValueError(
                f"SharedStorageCalc.add takes (alignment, size_bytes) or (alignment, element_size, count); "
                f"got {len(args)} arguments"
            )
        if int(alignment) <= 0 or int(nbytes) <= 0:
            raise ValueError(f"alignment={alignment!r} and size={nbytes!r} must be positive")
        alignment = int(alignment)
        self._memory = -(-self._memory // alignment) * alignment + int(nbytes)

    def get(self) -> int:
        """The bytes added so far, with the alignment padding between them."""
        return self._memory


class Matmul(TensorMethods):
    """A cuBLASDx block matrix multiplication ``C = alpha * A @ B + beta * C``: its description,
    traits and device function.

    Parameters
    ----------
    size : (m, n, k)
        A is m x k, B is k x n, C is m x n.
    precision : NumPy type, str or a tuple of three
        The precision of A, B and C: ``np.float16``, ``np.float32``, ``np.float64`` or an
        integer type; one for all three or one each (``(np.float16, np.float16, np.float32)``).
        This project's names ``"half"``, ``"single"``, ``"double"`` are accepted too, and
        ``"bfloat16"`` (bf16 A and B with a float C: bf16 values are ``uint16`` bit patterns,
        complex bf16 interleaved (re, im) pairs).
    data_type : {"real", "complex"}
    sm : ComputeCapability, optional
        The target; default the current device's, architecture-specific from compute
        capability 9.0 on (``sm_90a``, as numba-cuda links kernels); an error without a device.
    block_size : int, optional
        Threads of a one-dimensional block. Not with ``block_dim``.
    block_dim : Dim3 or (x, y, z) or "suggested", optional
        The block cuBLASDx computes with; default cuBLASDx's choice for the problem.
    leading_dimension : (lda, ldb, ldc) or "suggested", optional
        Default: the smallest for the arrangement; ``"suggested"``: cuBLASDx's padded ones.
    transpose_mode : (a, b), optional
        Deprecated (use ``arrangement``): ``"non_transposed"``, ``"transposed"`` or
        ``"conj_transposed"``; A and B are then column-major arrays of ``a_dim``, ``b_dim``.
    arrangement : (a, b, c) of {"row_major", "col_major"}, optional
        Default cuBLASDx's: A row-major, B and C column-major.
    alignment : (a, b, c), optional
        Alignments of A, B and C in shared memory, in bytes: multiples of the element size, at
        most :data:`MAX_ALIGNMENT`.
    function : {"MM"}
    static_block_dim : bool
        Promise that kernels launch with exactly ``block_dim``.
    execution : {"Block"}
    with_pipeline, enable_input_streaming : bool
        Operators of the pipelined tensor API (default False).

    Attributes
    ----------
    a_dim, b_dim, c_dim : (rows, cols)
    a_size, b_size, c_size : int
        Elements each matrix spans with its leading dimension.
    a_value_type, b_value_type, c_value_type
        NumPy types or :class:`~nvmath.device.types.Complex` (``complex32`` is
        ``float16x2`` in kernels); ``uint16`` for bf16.
    leading_dimension : LeadingDimension
    block_dim : Dim3
    block_size, max_threads_per_block : int
    arrangement : Arrangement
        The arrangement cuBLASDx uses (its default where none was given).
    alignment : Alignment

    Notes
    -----
    In a kernel, ``mm.execute(alpha, a, b, beta, c)`` takes shared-memory arrays (any shape;
    their data is used as laid out by ``arrangement`` and ``leading_dimension``) of the value
    types (complex: also ``float32x2``/``float64x2`` arrays, and complex half as interleaved
    ``float16`` pairs), and numbers ``alpha`` and ``beta`` (converted to C's type).
    ``mm.execute(alpha, a, lda, b, ldb, beta, c, ldc)`` takes the leading dimensions at run
    time. ``mm(...)`` is the deprecated spelling of ``mm.execute(...)``.

    Examples
    --------
    >>> mm = Matmul((32, 16, 64), np.float32, "real", sm=(9, 0),
    ...             arrangement=("row_major", "col_major", "col_major"), block_size=128)  # doctest: +SKIP
    >>> mm.a_dim, mm.get_shared_storage_size()  # doctest: +SKIP
    ((32, 64), 14336)
    """

    def __init__(
        self,
        size,
        precision,
        data_type,
        *,
        sm=None,
        block_size=None,
        block_dim=None,
        leading_dimension=None,
        transpose_mode=None,
        arrangement=None,
        alignment=None,
        function="MM",
        static_block_dim=False,
        execution="Block",
        with_pipeline: bool = False,
        enable_input_streaming: bool = False,
    ):
        from ._cublasdx_engine import MatmulSpec

        size = _positive_ints(size, 3, "size", "(m, n, k) of positive ints")
        precisions = _precisions(precision)
        if data_type not in ("real", "complex"):
            raise ValueError(f"data_type={data_type!r} is not supported; accepted: 'real', 'complex'")
        if data_type == "complex" and any(p not in ("F16", "BF16", "F32", "F64") for p in precisions):
            raise ValueError(f"precision={precision!r} with data_type='complex' is not supported: use floating types")
        if function != "MM":
            raise ValueError(f"function={function!r} is not supported; accepted: 'MM'")
        if execution != "Block":
            # nvmath-python builds a Thread GEMM whose every trait libmathdx then refuses.
            raise _mathdx_code.UnsupportedByLibMathDx(f"execution={execution!r} is not supported; accepted: 'Block'")
        for name, flag in (
            ("static_block_dim", static_block_dim),
            ("with_pipeline", with_pipeline),
            ("enable_input_streaming", enable_input_streaming),
        ):
            if not isinstance(flag, (bool, np.bool_)):
                raise ValueError(f"{name}={flag!r} is not supported; accepted: True, False")
        if block_size is not None and block_dim is not None:
            raise ValueError(
                f"give block_size or block_dim, not both (block_size={block_size!r}, block_dim={block_dim!r})"
            )
        if block_size is not None:
            block_dim = "suggested" if block_size == "suggested" else (block_size, 1, 1)
        if block_dim is not None and block_dim != "suggested":
            block_dim = _positive_ints(block_dim, 3, "block_dim", "(x, y, z) of positive ints, a Dim3 or 'suggested'")
            if block_dim[0] * block_dim[1] * block_dim[2] > 1024:
                raise ValueError(f"block_dim={block_dim!r} is not supported: a block has at most 1024 threads")
        if leading_dimension is not None and leading_dimension != "suggested":
            leading_dimension = _positive_ints(
                leading_dimension, 3, "leading_dimension", "(lda, ldb, ldc) of positive ints or 'suggested'"
            )
        if transpose_mode is not None:
            warnings.warn(
                "transpose_mode is deprecated (as in cuBLASDx); use arrangement", DeprecationWarning, stacklevel=2
            )
            transpose_mode = TransposeMode(
                *_strings(transpose_mode, 2, "transpose_mode", ("non_transposed", "transposed", "conj_transposed"))
            )
            if arrangement is not None:
                raise ValueError("give arrangement or transpose_mode, not both")
        if arrangement is not None:
            arrangement = Arrangement(*_strings(arrangement, 3, "arrangement", ("row_major", "col_major")))
        if alignment is not None:
            alignment = _positive_ints(alignment, 3, "alignment", "(a, b, c) of positive ints (bytes)")
            for a, p, m in zip(alignment, precisions, "abc"):
                item = _ITEM_BYTES[p] * (2 if data_type == "complex" else 1)
                if a > MAX_ALIGNMENT[0] or a % item:
                    raise ValueError(
                        f"alignment.{m}={a} is not supported; accepted: a multiple of the element size ({item} bytes) "
                        f"up to {MAX_ALIGNMENT[0]}"
                    )
        target = _target(sm)

        m, n, k = size
        a_item, b_item = (_ITEM_BYTES[p] * (2 if data_type == "complex" else 1) for p in precisions[:2])
        # A and B live in shared memory whatever the API: refuse what no block of the target holds.
        needed = m * k * a_item + k * n * b_item
        limit = max_shared_memory_per_block(target)
        if needed > limit:
            raise ValueError(
                f"size={size!r} needs {needed} bytes of shared memory for A and B ({data_type}, "
                f"{'/'.join(precisions)}), but a block on {target} has at most {limit}: "
                "choose a smaller size (and loop over tiles in the kernel)"
            )

        spec = MatmulSpec(
            size=size,
            precision=precisions,
            data_type=data_type,
            execution=execution,
            target=target,
            arrangement=tuple(arrangement) if arrangement is not None else None,
            transpose_mode=tuple(transpose_mode) if transpose_mode is not None else None,
            alignment=alignment,
            leading_dimension=None if leading_dimension == "suggested" else leading_dimension,
            block_dim=None if block_dim == "suggested" else block_dim,
            static_block_dim=bool(static_block_dim),
            with_pipeline=bool(with_pipeline),
            enable_input_streaming=bool(enable_input_streaming),
        )
        self._spec = spec
        self._transpose_mode = transpose_mode
        self._given_arrangement = arrangement
        self._precision_arg = precision
        self._with_pipeline = bool(with_pipeline)
        self._enable_input_streaming = bool(enable_input_streaming)
        # "suggested": resolved now from the traits of the description without the knob.
        if leading_dimension == "suggested" or block_dim == "suggested":
            from . import _cublasdx_engine

            base = _cublasdx_engine.traits(spec)
            import dataclasses

            spec = dataclasses.replace(
                spec,
                leading_dimension=tuple(base["suggested_leading_dimension"])
                if leading_dimension == "suggested"
                else spec.leading_dimension,
                block_dim=tuple(base["suggested_block_dim"]) if block_dim == "suggested" else spec.block_dim,
            )
            self._spec = spec
        # Read the traits now: an unsupported description fails here, not in a kernel.
        _ = self._traits
        _numba_support()

    # ------------------------------------------------------------------ traits
    @functools.cached_property
    def _traits(self) -> dict:
        from . import _cublasdx_engine

        return _cublasdx_engine.traits(self._spec)

    @property
    def size(self) -> tuple:
        """``(m, n, k)``."""
        return self._spec.size

    @property
    def precision(self) -> Precision:
        """The precisions of A, B and C (NumPy types; ``"bfloat16"``)."""
        return Precision(*(_PRECISION_TYPES[p] for p in self._spec.precision))

    @property
    def data_type(self) -> str:
        """``"real"`` or ``"complex"``."""
        return self._spec.data_type

    @property
    def execution(self) -> str:
        """``"Block"``."""
        return self._spec.execution

    @property
    def function(self) -> str:
        """``"MM"``."""
        return "MM"

    @property
    def sm(self) -> ComputeCapability:
        """The target compute capability."""
        t = self._spec.target
        return ComputeCapability(t.major, t.minor, t.suffix)

    @property
    def transpose_mode(self):
        """The transpose modes given (deprecated; None when ``arrangement`` is used)."""
        _deprecated("transpose_mode is deprecated (as in cuBLASDx); use arrangement")
        return self._transpose_mode

    @property
    def arrangement(self) -> Arrangement:
        """The arrangements of A, B and C cuBLASDx uses."""
        if self._given_arrangement is not None:
            return self._given_arrangement
        return Arrangement(*self._traits["arrangement"])

    @property
    def alignment(self) -> Alignment:
        """The alignments (bytes) of A, B and C in shared memory."""
        return Alignment(*self._traits["alignment"])

    @property
    def block_dim(self) -> Dim3:
        """The block cuBLASDx computes with."""
        return Dim3(*self._traits["block_dim"])

    @property
    def block_size(self) -> int:
        """Threads of :attr:`block_dim`."""
        x, y, z = self.block_dim
        return x * y * z

    @property
    def max_threads_per_block(self) -> int:
        """Threads of :attr:`block_dim` (the ``__launch_bounds__`` of kernels calling execute)."""
        return self.block_size

    @property
    def static_block_dim(self) -> bool:
        return self._spec.static_block_dim

    @property
    def with_pipeline(self) -> bool:
        return self._with_pipeline

    @property
    def enable_input_streaming(self) -> bool:
        return self._enable_input_streaming

    @property
    def leading_dimension(self) -> LeadingDimension:
        """The leading dimensions of A, B and C (elements)."""
        return LeadingDimension(*self._traits["leading_dimension"])

    @property
    def suggested_leading_dimension(self) -> LeadingDimension:
        """cuBLASDx's suggested (padded) leading dimensions."""
        return LeadingDimension(*self._traits["suggested_leading_dimension"])

    @property
    def a_value_type(self):
        return _value_type(self._spec.precision[0], self.data_type)

    @property
    def b_value_type(self):
        return _value_type(self._spec.precision[1], self.data_type)

    @property
    def c_value_type(self):
        return _value_type(self._spec.precision[2], self.data_type)

    @property
    def value_type(self):
        """The value type of A, B and C where they share one (deprecated: use ``{a,b,c}_value_type``)."""
        _deprecated("value_type is deprecated; use a_value_type, b_value_type, c_value_type")
        if not self.a_value_type == self.b_value_type == self.c_value_type:
            raise RuntimeError("value_type is defined only where A, B and C have the same value type")
        return self.a_value_type

    @property
    def input_type(self):
        """The value type of A and B (deprecated)."""
        _deprecated("input_type is deprecated; use a_value_type and b_value_type")
        if self.a_value_type != self.b_value_type:
            raise RuntimeError("input_type is defined only where A and B have the same value type")
        return self.a_value_type

    @property
    def output_type(self):
        """The value type of C (deprecated)."""
        _deprecated("output_type is deprecated; use c_value_type")
        return self.c_value_type

    @property
    def a_dim(self) -> tuple:
        m, _, k = self.size
        t = self._transpose_mode
        return (k, m) if t is not None and t.a != "non_transposed" else (m, k)

    @property
    def b_dim(self) -> tuple:
        _, n, k = self.size
        t = self._transpose_mode
        return (n, k) if t is not None and t.b != "non_transposed" else (k, n)

    @property
    def c_dim(self) -> tuple:
        m, n, _ = self.size
        return (m, n)

    def _sizes(self, ld) -> tuple:
        """Elements A, B and C span with leading dimensions ``ld``."""
        dims = (self.a_dim, self.b_dim, self.c_dim)
        if self._transpose_mode is not None:  # column-major arrays of a_dim, b_dim, c_dim
            return tuple(int(x) * d[1] for x, d in zip(ld, dims))
        return tuple(int(x) * (d[1] if arr == "col_major" else d[0]) for x, d, arr in zip(ld, dims, self.arrangement))

    @property
    def a_size(self) -> int:
        return self._sizes(self.leading_dimension)[0]

    @property
    def b_size(self) -> int:
        return self._sizes(self.leading_dimension)[1]

    @property
    def c_size(self) -> int:
        return self._sizes(self.leading_dimension)[2]

    def _item_bytes(self) -> tuple:
        mul = 2 if self.data_type == "complex" else 1
        return tuple(_ITEM_BYTES[p] * mul for p in self._spec.precision)

    def _storage(self, args, with_c: bool, name: str) -> int:
        n = 3 if with_c else 2
        if len(args) == 0:
            sizes = self._sizes(self.leading_dimension)
        elif len(args) == n and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            sizes = self._sizes((*args, 1)[:3] if n == 2 else args)
        elif len(args) == n and all(hasattr(a, "cosize") for a in args):
            sizes = tuple(int(a.cosize) for a in args)
        else:
            raise ValueError(
                f"{name}() takes no arguments, or {n} leading dimensions (ints), or {n} layouts; got {args!r}"
            )
        calc = SharedStorageCalc()
        for align, item, count in zip(self.alignment[:n], self._item_bytes()[:n], sizes[:n]):
            calc.add(align, item, count)
        return calc.get()

    def get_shared_storage_size(self, *args) -> int:
        """Bytes of shared memory for A, B and C one after the other, each aligned.

        ``get_shared_storage_size()`` with :attr:`leading_dimension`;
        ``get_shared_storage_size(lda, ldb, ldc)``; or with three layouts (their ``cosize``).
        """
        return self._storage(args, True, "get_shared_storage_size")

    def get_shared_storage_size_ab(self, *args) -> int:
        """As :meth:`get_shared_storage_size`, for A and B only (C in registers)."""
        return self._storage(args, False, "get_shared_storage_size_ab")

    @property
    def shared_memory_size(self) -> int:
        """Deprecated: :meth:`get_shared_storage_size`."""
        _deprecated("shared_memory_size is deprecated; use get_shared_storage_size()")
        return self.get_shared_storage_size()

    # ------------------------------------------------------------------ code
    def _extern(self, api: str):
        """The :class:`~nvmath.device.ExternFunction` of the device function for ``api``."""
        found = self.__dict__.setdefault("_externs", {}).get(api)
        if found is not None:
            return found
        from . import _cublasdx_engine
        from ._extern import extern_function

        symbol, ltoir = _cublasdx_engine.generate(self._spec, api)
        c_alpha = f"{_c_type(self._spec.precision[2], self.data_type)}*"
        if api == "smem":
            # void f(TC* alpha, TA* a, TB* b, TC* beta, TC* c); array element types are checked
            # by the Numba typing (several storage types fit one C type).
            proto = ("void", [c_alpha, "void*", "void*", c_alpha, "void*"])
            nbytes = [s * b for s, b in zip(self._sizes(self.leading_dimension), self._item_bytes())]
            min_bytes = {1: (nbytes[0], "a"), 2: (nbytes[1], "b"), 4: (nbytes[2], "c")}
        else:
            proto = ("void", [c_alpha, "void*", "unsigned*", "void*", "unsigned*", c_alpha, "void*", "unsigned*"])
            min_bytes = None
        found = extern_function(symbol, proto, ltoir, min_bytes=min_bytes, owner="Matmul.execute")
        self._externs[api] = found
        return found

    @property
    def symbol(self) -> str:
        """The symbol of the shared-memory device function."""
        return self._extern("smem").symbol

    @property
    def ltoir(self) -> bytes:
        """The LTO-IR of the shared-memory device function (linked into kernels automatically)."""
        return self._extern("smem").ltoir

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this object: its full description.
        return f"cublasdx:{self._spec.describe()}"

    def _describe(self) -> str:
        return self._spec.short()

    def __repr__(self):
        return f"Matmul({self._spec.describe()})"

    # ------------------------------------------------------------------ nvmath-python extras
    def valid(self, *knobs):
        """The legal values of ``knobs`` (only ``"block_dim"``: cuBLASDx's suggestion), as an
        iterator of tuples."""
        values = []
        for knob in knobs:
            if knob != "block_dim":
                raise ValueError(f"knob={knob!r} is not supported; accepted: 'block_dim'")
            values.append([Dim3(*self._traits["suggested_block_dim"])])
        return itertools.product(*values)

    def definition(self) -> dict:
        """The arguments describing this GEMM (deprecated)."""
        _deprecated("definition is deprecated")
        return {
            "size": self.size,
            "precision": self._precision_arg,
            "data_type": self.data_type,
            "sm": self.sm,
            "block_dim": self.block_dim,
            "leading_dimension": self.leading_dimension,
            "transpose_mode": self._transpose_mode,
            "arrangement": self._given_arrangement,
            "alignment": self._spec.alignment,
            "function": "MM",
            "execution": self.execution,
            "static_block_dim": self.static_block_dim,
        }

    def create(self, code_type=None, compiler=None, execute_api=None, tensor_types=None, **kwargs):
        """A copy with ``kwargs`` changed (deprecated: use :func:`functools.partial`)."""
        _deprecated("create is deprecated; use functools.partial")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            args = self.definition()
        args.update(kwargs)
        return Matmul(**args)

    @property
    def files(self) -> list:
        """Deprecated: always empty (code is linked automatically)."""
        _deprecated("files is deprecated and no longer needed")
        return []

    @property
    def codes(self) -> list:
        """Deprecated: always empty (code is linked automatically)."""
        _deprecated("codes is deprecated and no longer needed")
        return []

    def suggest_device_pipeline(self, pipeline_depth: int, a, b) -> DevicePipeline:
        """A :class:`DevicePipeline` that streams tiles of the device arrays ``a`` and ``b``
        (a ``(M, K)`` and a ``(K, N)`` matrix, or stacks of them with a third dimension) through
        ``pipeline_depth`` shared-memory stages for this tile GEMM.

        Needs ``with_pipeline=True``; ``M``, ``N`` and ``K`` must be multiples of the tile's
        ``m``, ``n`` and ``k``. See :class:`DevicePipeline`.
        """
        return DevicePipeline(self, pipeline_depth, a, b)

    def execute(self, *args):
        """``C = alpha * A @ B + beta * C``, inside a ``numba.cuda.jit`` kernel only."""
        raise RuntimeError("Matmul.execute can be called inside numba.cuda.jit kernels only")

    def __call__(self, *args):
        """Deprecated spelling of :meth:`execute` (inside kernels only)."""
        raise RuntimeError("Matmul(...) can be called inside numba.cuda.jit kernels only (use execute)")


def matmul(
    *, compiler=None, code_type=None, execute_api=None, tensor_types=None, global_memory_alignment=None, **kwargs
):
    """A :class:`Matmul` (deprecated: construct :class:`Matmul` directly; the other arguments
    are no longer needed and are ignored)."""
    warnings.warn("matmul() is deprecated; use Matmul(...)", DeprecationWarning, stacklevel=2)
    return Matmul(**kwargs)


def _register_device_object():
    # Checks of "a device object with a target" (the kernel cache) cover Matmul objects.
    from ._object import DeviceObject

    DeviceObject.register(Matmul)


_register_device_object()
