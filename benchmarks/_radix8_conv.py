"""A 512-point FFT convolution kernel written from 8-point DFTs, for ``fft_conv_device.py``.

Why it exists: ``nvmath.device.FFT``'s 512-point complex64 FFT (cuFFTDx, 16 elements a thread)
moves its data through shared memory as 32-bit halves, in rounds: the SASS of one FFT, linked for
sm_90 on a machine without a GPU, has 128 ``STS``, 112 ``LDS`` and 16 ``BAR.SYNC`` a thread (its
``shared_memory_size`` holds half of the FFT's data). The convolution is bound by issue and by L1
(see ``docs/device_fft_knobs.md``), so this kernel tries the other extreme: 512 = 8 x 8 x 8,
64 threads an FFT, eight elements a thread, and two exchanges an FFT of whole 8-byte elements,
laid out so that no half-warp has a bank conflict (3 to 4 barriers an FFT).

The algorithm (Cooley-Tukey, with ``n = t + 64 a`` and ``k = k1 + 8 m1 + 64 m2``):

1. thread ``t`` holds ``x[t + 64 a]``, ``a < 8``; an 8-point DFT over ``a`` gives ``A[t, k1]``,
   multiplied by ``W512^(t k1)``;
2. exchange: thread ``u = 8 k1 + c`` gathers ``A[c + 8 d, k1]``, ``d < 8``; an 8-point DFT over
   ``d`` gives ``m1``, multiplied by ``W64^(c m1)``;
3. exchange: thread ``v = 8 k1 + m1`` gathers the ``c < 8``; an 8-point DFT over ``c`` gives
   ``X[k1 + 8 m1 + 64 m2]``.

So thread ``p`` ends with ``X[tr(p) + 64 m2]``, ``tr(p) = p // 8 + 8 (p % 8)`` (its two octal
digits exchanged). The inverse FFT takes that distribution as it is (its logical index of thread
``p`` is ``tr(p)``) and leaves thread ``p`` with ``y[tr(p) + 64 m2]``: a warp's stores then fill
whole 32-byte sectors. :func:`kernel_source` writes the kernel out as straight-line Python on
float32 scalars, so that nothing is left in local memory.

Measured on an H200 (2026-12-05): correct, but slower than cuFFTDx's (0.947 against 0.907 ms;
``docs/device_fft_knobs.md``).
"""

from __future__ import annotations

SIZE = 512
THREADS = 64  # a FFT's threads (blockDim.x)
ROW1 = 72  # exchange 1: smem[k1 * ROW1 + t]; 72 keeps the two k1 of a half-warp 8 banks apart
ROW2 = 65  # exchange 2: smem[c * ROW2 + v]; 65 makes the eight c of a write fall on distinct banks
SMEM = 8 * ROW1  # complex elements of shared memory per FFT (ROW1 >= ROW2 * 8 / 8)


def _cmul(out, a, b):
    """Statements: ``out = a * b`` for pairs of names ``(re, im)``."""
    (ar, ai), (br, bi), (orr, oi) = a, b, out
    return [f"{orr}, {oi} = {ar} * {br} - {ai} * {bi}, {ar} * {bi} + {ai} * {br}"]


def dft8(names, sign):
    """Statements for an in-place 8-point DFT ``X[k] = sum_n x[n] exp(sign 2 pi i n k / 8)`` of the
    eight pairs of float32 names ``names`` (radix-2 decimation in frequency, then two 4-point DFTs)."""
    lines = []
    x = names
    # First butterflies: a_j = x_j + x_{j+4}, b_j = (x_j - x_{j+4}) W8^j.
    for j in range(4):
        (pr, pi), (qr, qi) = x[j], x[j + 4]
        lines.append(f"{pr}, {pi}, {qr}, {qi} = {pr} + {qr}, {pi} + {qi}, {pr} - {qr}, {pi} - {qi}")
    # b_1 *= W8^1 = c (1, sign), b_2 *= sign i, b_3 *= c (-1, sign)  (c = sqrt(1/2))
    r, i = x[5]
    if sign < 0:
        lines.append(f"{r}, {i} = H * ({r} + {i}), H * ({i} - {r})")
    else:
        lines.append(f"{r}, {i} = H * ({r} - {i}), H * ({i} + {r})")
    r, i = x[6]
    lines.append(f"{r}, {i} = {i}, -{r}" if sign < 0 else f"{r}, {i} = -{i}, {r}")
    r, i = x[7]
    if sign < 0:
        lines.append(f"{r}, {i} = H * ({i} - {r}), -H * ({r} + {i})")
    else:
        lines.append(f"{r}, {i} = -H * ({r} + {i}), H * ({r} - {i})")
    # Two 4-point DFTs, of (x0..x3) -> X0, X2, X4, X6 and of (x4..x7) -> X1, X3, X5, X7.
    for group in (x[0:4], x[4:8]):
        (y0r, y0i), (y1r, y1i), (y2r, y2i), (y3r, y3i) = group
        lines.append(f"{y0r}, {y0i}, {y2r}, {y2i} = {y0r} + {y2r}, {y0i} + {y2i}, {y0r} - {y2r}, {y0i} - {y2i}")
        lines.append(f"{y1r}, {y1i}, {y3r}, {y3i} = {y1r} + {y3r}, {y1i} + {y3i}, {y1r} - {y3r}, {y1i} - {y3i}")
        # y3 *= W4^1 = sign i
        lines.append(f"{y3r}, {y3i} = {y3i}, -{y3r}" if sign < 0 else f"{y3r}, {y3i} = -{y3i}, {y3r}")
        lines.append(f"{y0r}, {y0i}, {y1r}, {y1i} = {y0r} + {y1r}, {y0i} + {y1i}, {y0r} - {y1r}, {y0i} - {y1i}")
        lines.append(f"{y2r}, {y2i}, {y3r}, {y3i} = {y2r} + {y3r}, {y2i} + {y3i}, {y2r} - {y3r}, {y2i} - {y3i}")
    # Now x0..x3 hold X0, X4, X2, X6 and x4..x7 hold X1, X5, X3, X7 (in that order).
    return lines


def dft8_order():
    """Where :func:`dft8` leaves ``X[k]``: the index of the pair that holds it, for k = 0..7."""
    return [0, 4, 2, 6, 1, 5, 3, 7]


def _twiddle(held, index, n, sign):
    """Statements: pair ``held[k]`` (k = 1..7) times ``exp(sign 2 pi i index k / n)``; the powers
    are made one from the last as they are used (two pairs live), from one ``sincospi``."""
    lines = [
        f"s1, c1 = SINCOSPI(F32({2.0 * sign / n}) * F32({index}))",
        "wr, wi = c1, s1",
    ]
    for k in range(1, 8):
        if k > 1:
            lines += _cmul(("wr", "wi"), ("wr", "wi"), ("c1", "s1"))
        lines += _cmul(held[k], held[k], ("wr", "wi"))
    return lines


def _exchange(x, order, write_at, read_at):
    """Statements: pair ``x[order[j]]`` stored at ``sm[write_at(j)]``, a barrier, then pair
    ``x[j]`` loaded from ``sm[read_at(j)]`` (j < 8; the indices are expressions)."""
    lines = []
    for j in range(8):
        r, i = x[order[j]]
        lines.append(f"sm[{write_at(j)}] = complex64(complex({r}, {i}))")
    lines.append("cuda.syncthreads()")
    for j in range(8):
        r, i = x[j]
        lines += [f"z = sm[{read_at(j)}]", f"{r}, {i} = z.real, z.imag"]
    return lines


def fft512(sign, logical):
    """Statements for one 512-point FFT of the pairs ``x0r, x0i .. x7r, x7i`` of this thread
    (``p``: its index in the FFT; ``sm``: the FFT's shared memory), logical index ``logical``
    (a name) as described in the module's docstring. Starts with a barrier (the shared memory of
    the previous FFT may still be read)."""
    x = [(f"x{k}r", f"x{k}i") for k in range(8)]
    order = dft8_order()
    held = [x[order[k]] for k in range(8)]
    lines = ["cuda.syncthreads()"]
    lines += dft8(x, sign)
    lines += _twiddle(held, logical, SIZE, sign)
    # A[t, k1] to row k1; thread p = 8 k1 + c gathers A[c + 8 d, k1], d < 8.
    lines += _exchange(x, order, lambda k1: f"{k1 * ROW1} + {logical}", lambda d: f"k1 * {ROW1} + c + {8 * d}")
    lines += dft8(x, sign)
    lines += _twiddle(held, "c", 64, sign)
    lines.append("cuda.syncthreads()")  # every thread has read exchange 1's data
    # Thread p = 8 k1 + c writes (k1, m1, c); thread v gathers its c < 8.
    lines += _exchange(x, order, lambda m1: f"c * {ROW2} + {m1} + 8 * k1", lambda cc: f"{cc * ROW2} + p")
    lines += dft8(x, sign)
    # x[order[m2]] holds X[tr(p) + 64 m2].
    return lines


def kernel_source(fpb: int) -> str:
    """``conv(data, filt, batch)``: ``fpb`` signals a block of (64, fpb) threads; each signal
    FFT'd, multiplied by ``filt`` (already divided by 512) and FFT'd back in place."""
    order = dft8_order()
    body = [
        f"smem = cuda.shared.array(({fpb}, {SMEM}), types.complex64)",
        "p = cuda.threadIdx.x",
        "sm = smem[cuda.threadIdx.y]",
        f"signal = cuda.blockIdx.x * {fpb} + cuda.threadIdx.y",
        "valid = signal < batch",
        f"base = signal * {SIZE}",
        "k1 = p // 8",
        "c = p % 8",
        "tp = k1 + 8 * c",
    ]
    body.append("at = U(base + p)")
    for a in range(8):
        body += [
            f"z = LD(data, at, {64 * a}) if valid else complex64(0)",
            f"x{a}r, x{a}i = z.real, z.imag",
        ]
    body += fft512(-1, "p")
    for m2 in range(8):
        r, i = f"x{order[m2]}r", f"x{order[m2]}i"
        body += [f"f = LD(filt, U(tp), {64 * m2})", *_cmul((r, i), (r, i), ("f.real", "f.imag"))]
    # The inverse's logical index of thread p is tr(p); its inputs go in natural pair order.
    body += _reorder(order)
    body += fft512(+1, "tp")
    body += ["at = U(base + tp)", "if valid:"]
    for m2 in range(8):
        r, i = f"x{order[m2]}r", f"x{order[m2]}i"
        body.append(f"    ST(data, at, {64 * m2}, complex64(complex({r}, {i})))")
    return "def conv(data, filt, batch):\n" + "\n".join("    " + line for line in body) + "\n"


def _reorder(order):
    """Statements that put X[k] (held in pair ``order[k]``) into pair ``k``."""
    src = ", ".join(f"x{order[k]}r, x{order[k]}i" for k in range(8))
    dst = ", ".join(f"x{k}r, x{k}i" for k in range(8))
    return [f"{dst} = {src}"]


def namespace(load=None, store=None):
    """What :func:`kernel_source`'s code refers to. ``load(a, i, k)`` and ``store(a, i, k, v)``:
    element ``i + k`` of a complex64 array (``fft_conv_device.accessors()`` on a GPU: one 8-byte
    access each); by default plain indexing (Numba's CUDA simulator)."""
    import math

    import numpy as np
    from numba import cuda, types

    def plain_load(a, i, k):
        return a[i + k]

    def plain_store(a, i, k, v):
        a[i + k] = v

    if load is None:  # the simulator: Python's own functions

        def sincospi(x):
            return np.float32(math.sin(math.pi * x)), np.float32(math.cos(math.pi * x))

    else:
        from numba.cuda import libdevice

        sincospi = libdevice.sincospif  # exact range reduction (no slow path for large angles)

    return {
        "cuda": cuda,
        "types": types,
        "math": math,
        "complex64": np.complex64,
        "F32": np.float32,
        "U": types.uint64 if load is not None else int,
        "H": np.float32(0.7071067811865476),
        "LD": load or plain_load,
        "ST": store or plain_store,
        "SINCOSPI": sincospi,
    }
