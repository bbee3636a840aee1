"""Host helpers of the Sobol' device generators (nvmath-python's ``random_helpers``): cuRAND's
direction vectors and scramble constants, as read-only NumPy arrays.

>>> vectors = get_direction_vectors64(DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6, 3)  # doctest: +SKIP
>>> vectors.shape                                                                                      # doctest: +SKIP
(3, 64)

They read host cuRAND's tables (``nvidia-curand``, the ``cu13`` extra), loaded on first call.
"""

from nvmath.bindings.curand import (
    DirectionVectorSet,
    get_direction_vectors32,
    get_direction_vectors64,
    get_scramble_constants32,
    get_scramble_constants64,
)

__all__ = [
    "DirectionVectorSet",
    "get_direction_vectors32",
    "get_scramble_constants32",
    "get_direction_vectors64",
    "get_scramble_constants64",
]
