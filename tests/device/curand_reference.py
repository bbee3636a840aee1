"""NumPy references of cuRAND's device generators, written from their published definitions.

- Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the
  Random123 known-answer vectors check it), with cuRAND's counter layout: ``curand_init(seed,
  subsequence, offset)`` keys with the seed's two halves, puts the subsequence in the counter's
  upper 64 bits and ``offset // 4`` in its lower 64 bits; the stream is the 4-word blocks in order.
- XORWOW (Marsaglia 2003) with cuRAND's seeding (the documented salt and multipliers) and its
  subsequences of 2**67 values (a jump by a power of the GF(2) transition matrix).
- MRG32k3a (L'Ecuyer 1999) with cuRAND's seeding, its subsequences of 2**76 values and its
  integer output ``p`` in [1, m1]; cuRAND's ``curand`` of it is ``(unsigned)(p * 1.000000048662)``.
- cuRAND's conversions and distributions on top of the raw words (:class:`CurandState`):
  uniforms, Box-Muller normals with the second value cached in the state, log-normals.
- cuRAND's float conversion: ``x * 2**-32 + 2**-33``, in (0, 1].
"""

from __future__ import annotations

import math

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


def _xorwow_words(seed: int, subsequence: int, offset: int):
    """cuRAND's XORWOW words after ``curand_init(seed, subsequence, offset)``, one by one
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
        i = 0
        while True:
            v = _xorwow_step(v)
            d = d + np.uint32(362437)
            if i >= offset:
                yield v[4] + d
            i += 1


def xorwow_stream(seed: int, subsequence: int, offset: int, count: int) -> np.ndarray:
    """The ``count`` 32-bit values of cuRAND's XORWOW after ``curand_init(seed, subsequence, offset)``
    (``offset`` stepped one by one: keep it small)."""
    words = _xorwow_words(seed, subsequence, offset)
    return np.array([next(words) for _ in range(count)], np.uint32)


def curand_uniform(bits: np.ndarray) -> np.ndarray:
    """cuRAND's uint32 -> float conversion (in (0, 1])."""
    return (bits.astype(np.float64) * 2.0**-32 + 2.0**-33).astype(np.float32)


# -- MRG32k3a -------------------------------------------------------------------------------------

MRG_M1, MRG_M2 = 4294967087, 4294944443
_MRG_A1 = [[0, 1, 0], [0, 0, 1], [MRG_M1 - 810728, 1403580, 0]]
_MRG_A2 = [[0, 1, 0], [0, 0, 1], [MRG_M2 - 1370589, 0, 527612]]


def _matmul(a, b, m):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) % m for j in range(3)] for i in range(3)]


def mrg_matrix_power(a, n: int, m: int):
    """``a**n`` modulo ``m`` (3x3 matrices of Python ints)."""
    result = [[int(i == j) for j in range(3)] for i in range(3)]
    while n:
        if n & 1:
            result = _matmul(result, a, m)
        a = _matmul(a, a, m)
        n >>= 1
    return result


def _apply(a, v, m):
    return [sum(a[i][k] * v[k] for k in range(3)) % m for i in range(3)]


class MRG32k3a:
    """cuRAND's MRG32k3a state after ``curand_init(seed, subsequence, offset)``; :meth:`next`
    is ``curand_MRG32k3a``: the integer ``p`` in [1, m1]."""

    def __init__(self, seed: int, subsequence: int = 0, offset: int = 0):
        s1, s2 = [12345] * 3, [12345] * 3
        if seed:
            x1 = (seed & 0xFFFFFFFF) ^ 0x55555555
            x2 = ((seed >> 32) ^ 0xAAAAAAAA) & 0xFFFFFFFF
            s1 = [x1 * 12345 % MRG_M1, x2 * 12345 % MRG_M1, x1 * 12345 % MRG_M1]
            s2 = [x2 * 12345 % MRG_M2, x1 * 12345 % MRG_M2, x2 * 12345 % MRG_M2]
        self.s1, self.s2 = s1, s2
        self.skipahead(subsequence << 76)
        self.skipahead(offset)

    def skipahead(self, n: int):
        self.s1 = _apply(mrg_matrix_power(_MRG_A1, n, MRG_M1), self.s1, MRG_M1)
        self.s2 = _apply(mrg_matrix_power(_MRG_A2, n, MRG_M2), self.s2, MRG_M2)

    def next(self) -> int:
        self.s1 = _apply(_MRG_A1, self.s1, MRG_M1)
        self.s2 = _apply(_MRG_A2, self.s2, MRG_M2)
        p1, p2 = self.s1[2], self.s2[2]
        return p1 - p2 if p1 > p2 else p1 - p2 + MRG_M1


# -- cuRAND's distributions on the raw words --------------------------------------------------------

F32 = np.float32
INV32 = F32(2.3283064e-10)  # CURAND_2POW32_INV, as a float
HALF32 = F32(INV32 / F32(2))
INV32_2PI = F32(INV32 * F32(6.2831855))
HALF32_2PI = F32(INV32_2PI / F32(2))
INV53 = 1.1102230246251565e-16
MRG_NORM = 2.3283065498378288e-10
MRG_BITS_NORM = 1.000000048662


def sinpi_cospi(v: float):
    """sin(pi v), cos(pi v) for v in (0, 2], accurate to an ulp also near their zeros (the
    reduction by multiples of 1/2 is exact)."""
    k = round(2.0 * v)
    r = v - k / 2.0  # |r| <= 1/4, exact
    s, c = math.sin(math.pi * r), math.cos(math.pi * r)
    for _ in range(k % 4):  # a quarter turn each: (s, c) -> (c, -s)
        s, c = c, -s
    return s, c


def box_muller(x: int, y: int):
    """``_curand_box_muller``: two float32 normals from two words."""
    u = F32(F32(x) * INV32) + HALF32
    v = F32(F32(y) * INV32_2PI) + HALF32_2PI
    return _box_muller_float(u, v)


def _box_muller_float(u, v):
    s = np.sqrt(F32(-2.0) * np.log(F32(u)))
    return F32(F32(math.sin(float(v))) * s), F32(F32(math.cos(float(v))) * s)


def box_muller_double(x0: int, x1: int, y0: int, y1: int):
    """``_curand_box_muller_double``: two float64 normals from four words."""
    u = float(x0 ^ (x1 << 21)) * INV53 + INV53 / 2.0
    v = float(y0 ^ (y1 << 21)) * (INV53 * 2.0) + INV53
    s = math.sqrt(-2.0 * math.log(u))
    sn, cs = sinpi_cospi(v)
    return sn * s, cs * s


def uniform_double_hq(x: int, y: int) -> float:
    return float(x ^ (y << 21)) * INV53 + INV53 / 2.0


class CurandState:
    """One cuRAND device state (``kind``: "xorwow", "mrg32k3a", "philox4_32_10") after
    ``curand_init(seed, subsequence, offset)``, with cuRAND's definitions of each draw (the
    Box-Muller cache included). Floats are NumPy float32 / Python floats."""

    def __init__(self, kind: str, seed: int, subsequence: int = 0, offset: int = 0):
        self.kind, self.seed = kind, seed
        self.flag = self.flag_double = 0
        self.extra, self.extra_double = F32(0), 0.0
        if kind == "xorwow":
            self._words = _xorwow_words(seed, subsequence, offset)
        elif kind == "mrg32k3a":
            self._mrg = MRG32k3a(seed, subsequence, offset)
        elif kind == "philox4_32_10":
            self._subsequence, self._position = subsequence, offset
        else:
            raise ValueError(f"kind={kind!r} is not supported; accepted: xorwow, mrg32k3a, philox4_32_10")

    # raw values
    def rand(self) -> int:
        if self.kind == "mrg32k3a":
            return min(int(float(self._mrg.next()) * MRG_BITS_NORM), 0xFFFFFFFF)
        if self.kind == "philox4_32_10":
            word = int(philox_stream(self.seed, self._subsequence, self._position, 1)[0])
            self._position += 1
            return word
        return int(next(self._words))

    def rand4(self):
        return tuple(self.rand() for _ in range(4))

    def skipahead(self, n: int):
        if self.kind == "mrg32k3a":
            self._mrg.skipahead(n)
        elif self.kind == "philox4_32_10":
            self._position += n
        else:
            for _ in range(n):
                next(self._words)

    def skipahead_sequence(self, n: int):
        if self.kind != "philox4_32_10":
            raise NotImplementedError("skipahead_sequence: Philox4_32_10 only in this reference")
        self._subsequence += n

    # uniforms
    def _mrg_uniform_double(self) -> float:
        return float(self._mrg.next()) * MRG_NORM

    def uniform(self):
        if self.kind == "mrg32k3a":
            return F32(self._mrg_uniform_double())
        return F32(F32(F32(self.rand()) * INV32) + HALF32)

    def uniform_double(self) -> float:
        if self.kind == "mrg32k3a":
            return self._mrg_uniform_double()
        if self.kind == "philox4_32_10":
            return float(self.rand()) * 2.3283064365386963e-10 + 2.3283064365386963e-10
        x = self.rand()
        return uniform_double_hq(x, self.rand())

    def uniform4(self):
        return tuple(F32(F32(F32(w) * INV32) + HALF32) for w in self.rand4())

    def uniform2_double(self):
        w = self.rand4()
        return uniform_double_hq(w[0], w[1]), uniform_double_hq(w[2], w[3])

    # normals
    def normal2(self):
        if self.kind == "mrg32k3a":
            x = F32(self._mrg_uniform_double())
            y = F32(F32(self._mrg_uniform_double()) * F32(6.2831855))
            return _box_muller_float(x, y)
        x = self.rand()
        return box_muller(x, self.rand())

    def normal2_double(self):
        if self.kind == "mrg32k3a":
            x = self._mrg_uniform_double()
            y = self._mrg_uniform_double() * 2.0
            s = math.sqrt(-2.0 * math.log(x))
            sn, cs = sinpi_cospi(y)
            return sn * s, cs * s
        return box_muller_double(*self.rand4())

    def normal4(self):
        w = self.rand4()
        return (*box_muller(w[0], w[1]), *box_muller(w[2], w[3]))

    def _cached(self, double: bool, flag: int, pair, transform):
        attr_flag, attr_extra = ("flag_double", "extra_double") if double else ("flag", "extra")
        if getattr(self, attr_flag) != flag:
            a, b = pair()
            setattr(self, attr_extra, transform(b))
            setattr(self, attr_flag, flag)
            return transform(a)
        setattr(self, attr_flag, 0)
        return getattr(self, attr_extra)

    def normal(self):
        return self._cached(False, 1, self.normal2, lambda z: z)

    def normal_double(self):
        return self._cached(True, 1, self.normal2_double, lambda z: z)

    def log_normal(self, mean, stddev):
        mean, stddev = F32(mean), F32(stddev)
        return self._cached(False, 2, self.normal2, lambda z: np.exp(mean + stddev * z))

    def log_normal_double(self, mean, stddev):
        return self._cached(True, 2, self.normal2_double, lambda z: math.exp(mean + stddev * z))

    def log_normal2(self, mean, stddev):
        mean, stddev = F32(mean), F32(stddev)
        return tuple(np.exp(mean + stddev * z) for z in self.normal2())

    def log_normal2_double(self, mean, stddev):
        return tuple(math.exp(mean + stddev * z) for z in self.normal2_double())

    def log_normal4(self, mean, stddev):
        mean, stddev = F32(mean), F32(stddev)
        return tuple(np.exp(mean + stddev * z) for z in self.normal4())
