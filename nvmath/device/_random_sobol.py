"""cuRAND's Sobol' quasi-random generators (``curandStateSobol32_t`` ... ``ScrambledSobol64``),
written in Python that Numba compiles into kernels and that NumPy runs on the host (tests).

cuRANDDx has no Sobol' device functions nvmath uses, and the algorithm is small: a state holds
one dimension's direction vectors ``v[0..B)`` (B = 32 or 64 bits), its index ``i`` and its value
``x``. The value at index ``i`` is the XOR of the ``v[k]`` for the set bits ``k`` of the Gray code
``i ^ (i >> 1)`` (XORed with the scramble constant ``c`` for scrambled Sobol'); going from ``i``
to ``i + 1`` flips one bit of the Gray code, the lowest zero bit of ``i``. These are cuRAND's
definitions (``curand_init``, ``curand``, ``skipahead``), so for the same direction vectors and
scramble constants (:mod:`nvmath.device.random_helpers`) the sequences are cuRAND's.

Every function below is self-contained (no calls between them: Numba compiles each one into
the kernel where it is used, without a device dispatcher). ``one`` is ``1`` of the state's word
type (``numpy.uint32`` or ``numpy.uint64``), so that one body serves both widths.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SOBOL_DTYPES", "sobol_init", "scrambled_sobol_init", "sobol_skipahead", "sobol_next"]


def _dtype(word, bits: int, scrambled: bool):
    fields = [("i", word), ("x", word)]
    if scrambled:
        fields.append(("c", word))
    fields.append(("direction_vectors", word, (bits,)))
    return np.dtype(fields, align=True)


# As cuRAND lays them out (curand_kernel.h): plain Sobol' has no scramble constant.
SOBOL_DTYPES = {
    "sobol32": _dtype(np.uint32, 32, False),
    "scrambled_sobol32": _dtype(np.uint32, 32, True),
    "sobol64": _dtype(np.uint64, 64, False),
    "scrambled_sobol64": _dtype(np.uint64, 64, True),
}
SOBOL_BITS = {"sobol32": 32, "scrambled_sobol32": 32, "sobol64": 64, "scrambled_sobol64": 64}


def sobol_init(vectors, offset, state, one):
    """``curand_init(direction_vectors, offset, &state)`` for plain Sobol'."""
    v = state["direction_vectors"]
    for k in range(v.shape[0]):
        v[k] = vectors[k]
    zero = one ^ one
    # The value at index `offset`: XOR of the vectors of the Gray code's set bits.
    j = zero + offset
    gray = j ^ (j >> one)
    x = zero
    k = 0
    while gray != zero:
        if gray & one:
            x ^= v[k]
        gray >>= one
        k += 1
    state["i"] = j
    state["x"] = x


def scrambled_sobol_init(vectors, scramble_c, offset, state, one):
    """``curand_init(direction_vectors, scramble_c, offset, &state)`` for scrambled Sobol'."""
    v = state["direction_vectors"]
    for k in range(v.shape[0]):
        v[k] = vectors[k]
    zero = one ^ one
    c = zero + scramble_c
    j = zero + offset
    gray = j ^ (j >> one)
    x = c
    k = 0
    while gray != zero:
        if gray & one:
            x ^= v[k]
        gray >>= one
        k += 1
    state["c"] = c
    state["i"] = j
    state["x"] = x


def sobol_skipahead(n, state, one):
    """``skipahead(n, &state)``: move from index ``i`` to ``i + n`` (both kinds of Sobol')."""
    v = state["direction_vectors"]
    i = state["i"]
    j = i + n
    diff = (i ^ (i >> one)) ^ (j ^ (j >> one))
    zero = one ^ one
    x = state["x"]
    k = 0
    while diff != zero:
        if diff & one:
            x ^= v[k]
        diff >>= one
        k += 1
    state["i"] = j
    state["x"] = x


def sobol_next(state, one):
    """``curand(&state)``: the current value; then index ``i + 1``."""
    result = state["x"]
    i = state["i"]
    k = 0
    while i & one:  # the lowest zero bit of i is the Gray code bit that flips
        i >>= one
        k += 1
    state["x"] = result ^ state["direction_vectors"][k]
    state["i"] = state["i"] + one
    return result
