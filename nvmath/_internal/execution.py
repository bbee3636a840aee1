"""Execution spaces of the host APIs: :class:`ExecutionCUDA` and :class:`ExecutionCPU`.

APIs take ``execution=`` as one of these objects, as the strings ``"cuda"`` / ``"cpu"``, or as a
dict with a ``"name"`` key and the fields of the space (``{"name": "cuda", "device_id": 1}``);
:func:`nvmath._internal.options.check_execution` turns all of them into an object.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from .validate import as_int_at_least

__all__ = ["ExecutionCUDA", "ExecutionCPU"]


def _optional_int(owner: str, field: str, value, minimum: int, accepted: str):
    if value is None:
        return None
    return as_int_at_least(value, minimum, f"{owner}.{field}", accepted)


@dataclasses.dataclass
class ExecutionCUDA:
    """Run on a CUDA GPU.

    Attributes
    ----------
    device_id : int or None
        The ordinal of the GPU (a non-negative int). ``None`` (the default) means the device the
        operands are on, and GPU 0 for host operands (as in nvmath-python; not the current
        device: pass the ordinal to use another).
    """

    device_id: int | None = None

    #: The name of this execution space, as accepted by ``execution="cuda"``.
    name: ClassVar[str] = "cuda"

    def __post_init__(self):
        self.device_id = _optional_int(
            "ExecutionCUDA", "device_id", self.device_id, 0, "a non-negative int (a GPU ordinal) or None"
        )

    @property
    def host_operand_device(self) -> int:
        """The GPU host operands are copied to: ``device_id``, or GPU 0 when it is None."""
        return 0 if self.device_id is None else self.device_id


@dataclasses.dataclass
class ExecutionCPU:
    """Run on the host CPU.

    Attributes
    ----------
    num_threads : int or None
        The most CPU threads to use (a positive int). ``None`` (the default): the CPUs this
        process may run on (its affinity). Small problems use fewer, where another thread
        would cost more than it saves (``nvmath.fft``: one ``scipy.fft`` worker per 64K
        elements, one callback thread per 256K).
    """

    num_threads: int | None = None

    #: The name of this execution space, as accepted by ``execution="cpu"``.
    name: ClassVar[str] = "cpu"

    def __post_init__(self):
        self.num_threads = _optional_int("ExecutionCPU", "num_threads", self.num_threads, 1, "a positive int or None")
