"""NumPy references of cuRAND's device generators, written from their published definitions.

- Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the
  Random123 known-answer vectors check it), with cuRAND's counter layout: ``curand_init(seed,
  subsequence, offset)`` keys with the seed's two halves, puts the subsequence in the counter's
  upper 64 bits and ``offset // 4`` in its lower 64 bits; the stream is the 4-word blocks in order.
- XORWOW (Marsaglia 2003) with cuRAND's seeding (the documented salt and multipliers) and its
  subsequences of 2**67 values (a jump by a power of the GF(2) transition matrix).
- cuRAND's float conversion: ``x * 2**-32 + 2**-33``, in (0, 1].
"""

from __future__ import annotations

import numpy as np

M32 = np.uint64(0xFFFFFFFF)


def philox4x32_10(ctr: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Philox4x32-10 of counters ``ctr`` (N, 4) uint32 under keys ``key`` (N, 2) -> (N, 4) uint32."""
    c = [ctr[:, i].astype(np.uint64) for i in range(4)]
    k0, k1 = key[:, 0].astype(np.uint64), key[:, 1].astype(np.uint64)
    for r in range(10):
        if r:
            k0, k1 = (k0 + np.uint64(0x9E3779B9)) & M32, (k1 + np.uint64(0xBB67AE85)) & M32
        p0 = np.uint64(0xD2511F53) * c[0]
        p1 = np.uint64(0xCD9E8D57) * c[2]
        c = [((p1 >> np.uint64(32)) ^ c[1] ^ k0) & M32, p1 & M32, ((p0 >> np.uint64(32)) ^ c[3] ^ k1) & M32, p0 & M32]
    return np.stack(c, axis=1).astype(np.uint32)


def philox_stream(seed: int, subsequence: int, offset: int, count: int) -> np.ndarray:
    """The ``count`` 32-bit values cuRAND's Philox state ``curand_init(seed, subsequence, offset)``
    yields, in order."""
    first, last = offset // 4, (offset + count + 3) // 4
    blocks = np.arange(first, last, dtype=np.uint64)
    ctr = np.zeros((blocks.size, 4), np.uint32)
    ctr[:, 0], ctr[:, 1] = blocks & M32, blocks >> np.uint64(32)
    ctr[:, 2], ctr[:, 3] = subsequence & 0xFFFFFFFF, subsequence >> 32
    key = np.tile(np.array([seed & 0xFFFFFFFF, seed >> 32], np.uint32), (blocks.size, 1))
    words = philox4x32_10(ctr, key).reshape(-1)
    start = offset - 4 * first
    return words[start : start + count]


def _xorwow_step(v):
    t = v[0] ^ (v[0] >> np.uint32(2))
    return [v[1], v[2], v[3], v[4], (v[4] ^ (v[4] << np.uint32(4))) ^ (t ^ (t << np.uint32(1)))]


def _bits(v) -> np.ndarray:
    return np.array([(int(v[k // 32]) >> (k % 32)) & 1 for k in range(160)], np.int64)


def _words(bits) -> list:
    return [np.uint32(sum(int(bits[32 * j + i]) << i for i in range(32))) for j in range(5)]


_JUMP = None


def _xorwow_jump_matrix() -> np.ndarray:
    """The GF(2) matrix advancing XORWOW's 160-bit xorshift part by 2**67 steps."""
    global _JUMP
    if _JUMP is None:
        m = np.zeros((160, 160), np.int64)
        for k in range(160):
            unit = [np.uint32(0)] * 5
            unit[k // 32] = np.uint32(1 << (k % 32))
            m[:, k] = _bits(_xorwow_step(unit))
        for _ in range(67):
            m = (m @ m) % 2
        _JUMP = m
    return _JUMP


def xorwow_stream(seed: int, subsequence: int, offset: int, count: int) -> np.ndarray:
    """The ``count`` 32-bit values of cuRAND's XORWOW after ``curand_init(seed, subsequence, offset)``
    (``offset`` stepped one by one: keep it small)."""
    with np.errstate(over="ignore"):
        s0 = np.uint32(seed & 0xFFFFFFFF) ^ np.uint32(0xAAD26B49)
        s1 = np.uint32(seed >> 32) ^ np.uint32(0xF7DCEFDD)
        t0, t1 = np.uint32(1099087573) * s0, np.uint32(2591861531) * s1
        d = np.uint32(6615241) + t1 + t0
        v = [
            np.uint32(123456789) + t0,
            np.uint32(362436069) ^ t0,
            np.uint32(521288629) + t1,
            np.uint32(88675123) ^ t1,
            np.uint32(5783321) + t0,
        ]
        for _ in range(subsequence):  # d advances by 362437 * 2**67 = 0 (mod 2**32)
            v = _words(_xorwow_jump_matrix() @ _bits(v) % 2)
        out = []
        for i in range(offset + count):
            v = _xorwow_step(v)
            d = d + np.uint32(362437)
            if i >= offset:
                out.append(v[4] + d)
    return np.array(out, np.uint32)


def curand_uniform(bits: np.ndarray) -> np.ndarray:
    """cuRAND's uint32 -> float conversion (in (0, 1])."""
    return (bits.astype(np.float64) * 2.0**-32 + 2.0**-33).astype(np.float32)
