"""The tensor-API face of :class:`nvmath.device.Matmul`: its layouts, accumulators and
partitioners (host objects; kernels see them through :mod:`nvmath.device._tensor_numba`).

No Numba and no libmathdx at import: a layout's traits come from
:mod:`nvmath.device._tensor_engine` (cached) when first read.
"""

from __future__ import annotations

import functools

import numpy as np

from .common import Layout

__all__ = ["MatmulLayout", "TensorMethods", "Partitioner", "Accumulator"]

_KINDS_BY_METHOD = {
    "get_layout_smem_a": "smem_a",
    "get_layout_smem_b": "smem_b",
    "get_layout_smem_c": "smem_c",
    "suggest_layout_smem_a": "suggested_smem_a",
    "suggest_layout_smem_b": "suggested_smem_b",
    "suggest_layout_smem_c": "suggested_smem_c",
    "suggest_layout_rmem_c": "suggested_rmem_c",
    "get_layout_rmem_c": "rmem_c",
    "get_layout_gmem_a": "gmem_a",
    "get_layout_gmem_b": "gmem_b",
    "get_layout_gmem_c": "gmem_c",
}


def _numpy_type(mm, index: int):
    """The NumPy element type of matrix ``index`` (complex types as NumPy complex)."""
    value = (mm.a_value_type, mm.b_value_type, mm.c_value_type)[index]
    if mm.data_type == "complex":
        return {"F16": None, "F32": np.complex64, "F64": np.complex128}.get(mm._spec.precision[index])
    return value


class MatmulLayout(Layout):
    """A layout of one of a :class:`~nvmath.device.Matmul`'s matrices (see :class:`Layout`).

    Attributes
    ----------
    kind : str
        libmathdx's name: ``"smem_a"``, ``"suggested_rmem_c"``, ``"gmem_c"``...
    memory_space : {"s", "r", "g", ""}
        Shared, register, global; ``""`` for accumulators.
    tensor_index : int
        0 for A, 1 for B, 2 for C.
    leading_dimension : int or None
        Global-memory layouts: the leading dimension given (None: the Matmul's).
    suggested : bool
    """

    def __init__(self, mm, kind: str, dtype=None, leading_dimension=None):
        self._mm = mm
        self.kind = kind
        self.tensor_index = "abc".index(kind[-1])
        natural = _numpy_type(mm, self.tensor_index)
        if natural is None:
            raise NotImplementedError(f"cuBLASDx tensors of {mm.data_type} {mm._spec.precision} are not supported yet")
        self.dtype = np.dtype(dtype if dtype is not None else natural).type
        self._like = None if self.dtype == np.dtype(natural).type else np.dtype(self.dtype).name
        self.suggested = kind.startswith("suggested_")
        self.memory_space = (
            "g" if kind.startswith("gmem") else ("" if "accumulator" in kind else kind.split("_")[-2][0])
        )
        if leading_dimension is not None:
            if self.memory_space != "g":
                raise ValueError(f"leading_dimension={leading_dimension!r} is accepted only for global memory layouts")
            if not isinstance(leading_dimension, (int, np.integer)) or leading_dimension <= 0:
                raise ValueError(f"leading_dimension={leading_dimension!r} is not supported; accepted: a positive int")
            leading_dimension = int(leading_dimension)
        self.leading_dimension = leading_dimension

    @property
    def MM(self):
        """The Matmul this layout belongs to."""
        return self._mm

    @functools.cached_property
    def _traits(self) -> dict:
        from . import _tensor_engine

        like = _tensor_engine.value_type_name(self._like) if self._like else None
        return _tensor_engine.tensor_traits(self._mm._spec, self.kind, like)

    @property
    def like(self):
        """The CommondxValueType name of a layout re-typed by make_fragment_like, or None."""
        from . import _tensor_engine

        return _tensor_engine.value_type_name(self._like) if self._like else None

    @property
    def _ld(self) -> int:
        if self.leading_dimension is not None:
            return self.leading_dimension
        return int(self._mm.leading_dimension[self.tensor_index])

    @property
    def size(self) -> int:
        if self.memory_space == "g":
            rows, cols = (self._mm.a_dim, self._mm.b_dim, self._mm.c_dim)[self.tensor_index]
            return rows * cols
        return int(self._traits["logical_size"])

    @property
    def storage_bytes(self) -> int:
        if self.memory_space == "g":
            return self.cosize * np.dtype(self.dtype).itemsize
        return int(self._traits["storage_bytes"])

    @property
    def cosize(self) -> int:
        if self.memory_space == "g":
            rows, cols = (self._mm.a_dim, self._mm.b_dim, self._mm.c_dim)[self.tensor_index]
            major = self._mm.arrangement[self.tensor_index] == "row_major"
            return self._ld * (rows if major else cols)
        return int(self._traits["storage_bytes"]) // np.dtype(self.dtype).itemsize

    @property
    def alignment(self) -> int:
        return int(self._traits["alignment"])

    @property
    def uid(self) -> int:
        return int(self._traits["uid"])

    def _key(self) -> tuple:
        return (self._mm._spec, self.kind, self._like)

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this layout (as nvmath-python's examples
        # capture MM.get_layout_smem_a()...): its Matmul's and its own description.
        own = f"{self.kind}|{self._like}|{np.dtype(self.dtype).name}|{self.leading_dimension}"
        return f"cublasdx-layout:{own}|{self._mm.__nvmath_fingerprint__()}"

    def __eq__(self, other):
        return isinstance(other, MatmulLayout) and other._key() == self._key() and other._ld == self._ld

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        ld = f", leading_dimension={self.leading_dimension}" if self.leading_dimension is not None else ""
        return f"Layout({self.kind}, {np.dtype(self.dtype).name}{ld}, {self._mm._spec.short()})"


class Partitioner:
    """How the threads of a block share the elements of C in registers (``MM.suggest_partitioner()``).

    In kernels: ``is_thread_active()``, ``is_predicated()``, ``is_index_in_bounds(i)``,
    ``map_fragment_index(i) -> (row, col)``, ``make_empty_fragment()`` (a register tensor of
    the accumulator's layout, uninitialized; ``make_accumulator_fragment()`` is the same).
    """

    def __init__(self, mm, suggested: bool = True):
        self._mm = mm
        self.suggested = bool(suggested)

    @property
    def MM(self):
        """The Matmul of this partitioner."""
        return self._mm

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel capturing this partitioner (or accumulator).
        return f"cublasdx-{type(self).__name__.lower()}:{self.suggested}|{self._mm.__nvmath_fingerprint__()}"

    def _device_only(self, *args, **kwargs):
        raise RuntimeError("Partitioner methods can be called only inside a numba.cuda.jit kernel")

    is_thread_active = is_predicated = is_index_in_bounds = map_fragment_index = _device_only
    make_empty_fragment = make_accumulator_fragment = partition_like_C = _device_only


class Accumulator(Partitioner):
    """A register accumulator of C (``MM.suggest_accumulator()``).

    In kernels: ``get_results()``, ``make_partition_and_copy(gmem_c)``,
    ``partition_and_copy(fragment, gmem_c)``, and the partitioner's methods; on the host
    they raise.
    """

    def _device_only(self, *args, **kwargs):
        raise RuntimeError("Accumulator methods can be called only inside a numba.cuda.jit kernel")

    get_results = partition_and_store = clear = size = axpby = _device_only
    make_partition_and_copy = partition_and_copy = _device_only
    is_thread_active = is_predicated = is_index_in_bounds = map_fragment_index = _device_only
    make_empty_fragment = make_accumulator_fragment = partition_like_C = _device_only


class TensorMethods:
    """Methods of :class:`~nvmath.device.Matmul` for cuBLASDx's tensor API."""

    def _layout(self, method: str, leading_dimension=None) -> MatmulLayout:
        return MatmulLayout(self, _KINDS_BY_METHOD[method], leading_dimension=leading_dimension)

    def get_layout_gmem_a(self, leading_dimension=None) -> MatmulLayout:
        """The layout of A in global memory (``arrangement.a``), leading dimension
        ``leading_dimension`` (default :attr:`leading_dimension`'s)."""
        return self._layout("get_layout_gmem_a", leading_dimension)

    def get_layout_gmem_b(self, leading_dimension=None) -> MatmulLayout:
        """As :meth:`get_layout_gmem_a`, for B."""
        return self._layout("get_layout_gmem_b", leading_dimension)

    def get_layout_gmem_c(self, leading_dimension=None) -> MatmulLayout:
        """As :meth:`get_layout_gmem_a`, for C."""
        return self._layout("get_layout_gmem_c", leading_dimension)

    def get_layout_smem_a(self) -> MatmulLayout:
        """The plain layout of A in shared memory (arrangement and leading dimension)."""
        return self._layout("get_layout_smem_a")

    def get_layout_smem_b(self) -> MatmulLayout:
        """As :meth:`get_layout_smem_a`, for B."""
        return self._layout("get_layout_smem_b")

    def get_layout_smem_c(self) -> MatmulLayout:
        """As :meth:`get_layout_smem_a`, for C."""
        return self._layout("get_layout_smem_c")

    def suggest_layout_smem_a(self) -> MatmulLayout:
        """cuBLASDx's fastest layout of A in shared memory (may be swizzled or padded)."""
        return self._layout("suggest_layout_smem_a")

    def suggest_layout_smem_b(self) -> MatmulLayout:
        """As :meth:`suggest_layout_smem_a`, for B."""
        return self._layout("suggest_layout_smem_b")

    def suggest_layout_smem_c(self) -> MatmulLayout:
        """As :meth:`suggest_layout_smem_a`, for C."""
        return self._layout("suggest_layout_smem_c")

    def suggest_layout_rmem_c(self) -> MatmulLayout:
        """The layout of each thread's part of C in registers, with the suggested partitioning."""
        return self._layout("suggest_layout_rmem_c")

    def get_layout_rmem_c(self) -> MatmulLayout:
        """As :meth:`suggest_layout_rmem_c`, with the partitioning of plain layouts."""
        return self._layout("get_layout_rmem_c")

    def suggest_accumulator(self) -> Accumulator:
        """The register accumulator of C of suggested layouts (use its methods in kernels)."""
        return Accumulator(self, True)

    def get_accumulator(self) -> Accumulator:
        """The register accumulator of C of plain layouts."""
        return Accumulator(self, False)

    def suggest_partitioner(self) -> Partitioner:
        """The partitioner of C of suggested layouts (use its methods in kernels)."""
        return Partitioner(self, True)

    def get_partitioner(self) -> Partitioner:
        """The partitioner of C of plain layouts."""
        return Partitioner(self, False)
