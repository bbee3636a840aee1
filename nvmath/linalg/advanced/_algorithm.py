"""One cuBLASLt algorithm of a plan, to inspect and to configure by hand (``Matmul.algorithms``).

An :class:`Algorithm` wraps a ``cublasLtMatmulHeuristicResult_t``. Its properties read and write
the algorithm's configuration attributes (``cublasLtMatmulAlgoConfig*Attribute``); its
:attr:`~Algorithm.capabilities` read the capability attributes. Tiles, stages and cluster shapes
are given as tuples (``(128, 64)``, ``(64, "AUTO")``, ``(2, 1, 1)``) or the strings
``"UNDEFINED"``/``"AUTO"``, as nvmath-python spells them. A changed algorithm is checked by
cuBLASLt (``cublasLtMatmulAlgoCheck``) before its next execution, which also sizes the workspace
it needs.
"""

from __future__ import annotations

import numbers
import re

from nvmath.bindings import cublasLt as lt

from ._options import AlgorithmCapabilities

__all__ = ["Algorithm"]

_SHAPE_RE = re.compile(r"^(?:TILE|STAGES|SHAPE)_(?:(?P<dims>\d+(?:x(?:\d+|AUTO))+)|(?P<word>UNDEFINED|AUTO))$")


def _shape_tables(enum_cls):
    """``member -> shape`` and ``shape -> member`` for an enum whose names spell shapes."""
    to_shape, to_member = {}, {}
    for member in enum_cls:
        found = _SHAPE_RE.match(member.name)
        if found is None:
            continue
        if found.group("word"):
            shape = found.group("word")
        else:
            shape = tuple(int(p) if p.isdigit() else p for p in found.group("dims").split("x"))
        to_shape[member] = shape
        to_member[shape] = member
    return to_shape, to_member


_TILE_SHAPE, _TILE_MEMBER = _shape_tables(lt.MatmulTile)
_STAGES_SHAPE, _STAGES_MEMBER = _shape_tables(lt.MatmulStages)
_CLUSTER_SHAPE, _CLUSTER_MEMBER = _shape_tables(lt.ClusterShape)

_C = lt.MatmulAlgoConfigAttribute


def _as_shape(value, table, name, example):
    key = tuple(value) if isinstance(value, (list, tuple)) else value
    if isinstance(key, str):
        key = key.upper()
    if key in table:
        return table[key]
    raise ValueError(
        f"{name}={value!r} is not supported; accepted: a shape such as {example} that cuBLASLt names "
        f"(see the algorithm's capabilities), or {', '.join(repr(k) for k in table if isinstance(k, str))}"
    )


class Algorithm:
    """A cuBLASLt algorithm from :meth:`Matmul.plan`: its capabilities, and its configuration
    (tile, stages, split-K...) to read or change for manual tuning.

    Not constructed by users: :attr:`Matmul.algorithms` returns them; they can be pickled and
    given back to :meth:`Matmul.plan` (``algorithms=``) for the same problem.
    """

    def __init__(self, algorithm: lt.MatmulHeuristicResult) -> None:
        if not isinstance(algorithm, lt.MatmulHeuristicResult):
            raise TypeError(
                f"Algorithm wraps a cublasLt.MatmulHeuristicResult, got {type(algorithm).__name__}; "
                "algorithms come from Matmul.plan()"
            )
        self.algorithm = algorithm
        self._checked = bytes(algorithm.algo)  # the configuration cuBLASLt last validated

    # -- what the executor needs -----------------------------------------------------------------
    @property
    def algo(self) -> lt.MatmulAlgo:
        """The ``cublasLtMatmulAlgo_t`` (changed in place by the setters)."""
        return self.algorithm.algo

    @property
    def workspace_size(self) -> int:
        """The workspace, in bytes, the algorithm needs (as last checked)."""
        return self.algorithm.workspaceSize

    @property
    def modified(self) -> bool:
        """Whether the configuration changed since cuBLASLt last checked it."""
        return bytes(self.algorithm.algo) != self._checked

    def _mark_checked(self, workspace_size: int) -> None:
        self.algorithm.workspaceSize = workspace_size
        self._checked = bytes(self.algorithm.algo)

    def _get(self, attr):
        return lt.matmul_algo_config_get(self.algorithm.algo, attr)

    def _set(self, attr, value):
        lt.matmul_algo_config_set(self.algorithm.algo, attr, value)

    # -- capabilities --------------------------------------------------------------------------------
    @property
    def capabilities(self) -> AlgorithmCapabilities:
        """What the algorithm supports (an :class:`AlgorithmCapabilities`); capabilities this
        cuBLASLt does not report are None."""
        values = {}
        for attr in lt.MatmulAlgoCapAttribute:
            try:
                value = lt.matmul_algo_cap_get(self.algorithm.algo, attr)
            except lt.cuBLASLtError:
                continue
            if attr == lt.MatmulAlgoCapAttribute.TILE_IDS:
                value = tuple(_TILE_SHAPE.get(_member(lt.MatmulTile, v), v) for v in value)
            elif attr == lt.MatmulAlgoCapAttribute.STAGES_IDS:
                value = tuple(_STAGES_SHAPE.get(_member(lt.MatmulStages, v), v) for v in value)
            values[attr.name.lower()] = value
        return AlgorithmCapabilities(**values)

    # -- configuration -------------------------------------------------------------------------------
    @property
    def algorithm_id(self) -> int:
        """The algorithm's ID (``ALGO_CONFIG_ID``; read-only)."""
        return int(self._get(_C.ID))

    @property
    def tile(self):
        """The tile, such as ``(128, 64)`` (``ALGO_CONFIG_TILE_ID``); one of
        ``capabilities.tile_ids`` (or ``"UNDEFINED"``)."""
        value = self._get(_C.TILE_ID)
        return _TILE_SHAPE.get(_member(lt.MatmulTile, value), value)

    @tile.setter
    def tile(self, tile) -> None:
        self._set(_C.TILE_ID, int(_as_shape(tile, _TILE_MEMBER, "tile", "(128, 64)")))

    @property
    def stages(self):
        """The stages, such as ``(64, 3)`` or ``(64, "AUTO")`` (``ALGO_CONFIG_STAGES_ID``); one
        of ``capabilities.stages_ids`` (or ``"UNDEFINED"``)."""
        value = self._get(_C.STAGES_ID)
        return _STAGES_SHAPE.get(_member(lt.MatmulStages, value), value)

    @stages.setter
    def stages(self, stages) -> None:
        self._set(_C.STAGES_ID, int(_as_shape(stages, _STAGES_MEMBER, "stages", "(64, 3)")))

    @property
    def split_k(self) -> int:
        """The number of split-K steps (``ALGO_CONFIG_SPLITK_NUM``; 0 or 1: no split); settable
        where ``capabilities.splitk_support`` is 1."""
        return int(self._get(_C.SPLITK_NUM))

    @split_k.setter
    def split_k(self, number: int) -> None:
        self._set(_C.SPLITK_NUM, _int_at_least(number, 0, "split_k"))

    @property
    def reduction_scheme(self) -> int:
        """The split-K reduction scheme (a :class:`MatmulReductionScheme` value,
        ``ALGO_CONFIG_REDUCTION_SCHEME``); within ``capabilities.reduction_scheme_mask``."""
        return self._get(_C.REDUCTION_SCHEME)

    @reduction_scheme.setter
    def reduction_scheme(self, scheme_id: int) -> None:
        self._set(_C.REDUCTION_SCHEME, _int_at_least(scheme_id, 0, "reduction_scheme"))

    @property
    def cta_swizzling(self) -> bool:
        """CTA swizzling (``ALGO_CONFIG_CTA_SWIZZLING``); settable where
        ``capabilities.cta_swizzling_support`` is 1."""
        return bool(self._get(_C.CTA_SWIZZLING))

    @cta_swizzling.setter
    def cta_swizzling(self, flag: bool) -> None:
        if not isinstance(flag, (bool, numbers.Integral)):
            raise ValueError(f"cta_swizzling={flag!r} is not supported; accepted: True, False")
        self._set(_C.CTA_SWIZZLING, int(bool(flag)))

    @property
    def custom_option(self) -> int:
        """The custom option (``ALGO_CONFIG_CUSTOM_OPTION``); below
        ``capabilities.custom_option_max``."""
        return int(self._get(_C.CUSTOM_OPTION))

    @custom_option.setter
    def custom_option(self, value: int) -> None:
        self._set(_C.CUSTOM_OPTION, _int_at_least(value, 0, "custom_option"))

    @property
    def inner_shape(self) -> int:
        """The MMA inner shape (a :class:`MatmulInnerShape` value, ``ALGO_CONFIG_INNER_SHAPE_ID``)."""
        return self._get(_C.INNER_SHAPE_ID)

    @inner_shape.setter
    def inner_shape(self, shape: int) -> None:
        self._set(_C.INNER_SHAPE_ID, _int_at_least(shape, 0, "inner_shape"))

    @property
    def cluster_shape(self):
        """The thread block cluster shape, such as ``(2, 1, 1)``, or ``"AUTO"``
        (``ALGO_CONFIG_CLUSTER_SHAPE_ID``)."""
        value = self._get(_C.CLUSTER_SHAPE_ID)
        return _CLUSTER_SHAPE.get(_member(lt.ClusterShape, value), value)

    @cluster_shape.setter
    def cluster_shape(self, shape) -> None:
        self._set(_C.CLUSTER_SHAPE_ID, int(_as_shape(shape, _CLUSTER_MEMBER, "cluster_shape", "(2, 1, 1)")))

    def __repr__(self):
        try:
            described = f"id={self.algorithm_id}, tile={self.tile}, stages={self.stages}, split_k={self.split_k}"
        except Exception:  # no cuBLASLt here: the bytes still identify it
            described = bytes(self.algorithm.algo).hex()
        return f"Algorithm({described}, workspace_size={self.workspace_size})"

    def __eq__(self, other):
        return isinstance(other, Algorithm) and bytes(self.algorithm) == bytes(other.algorithm)

    def __hash__(self):
        return hash(bytes(self.algorithm))

    def __getstate__(self):
        return {"result": bytes(self.algorithm), "checked": self._checked}

    def __setstate__(self, state):
        self.algorithm = lt.MatmulHeuristicResult.from_buffer_copy(state["result"])
        self._checked = state["checked"]


def _member(enum_cls, value):
    try:
        return enum_cls(int(value))
    except ValueError:
        return None


def _int_at_least(value, low, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name}={value!r} is not supported; accepted: an int >= {low}")
    return int(value)
