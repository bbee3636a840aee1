"""Fused FFT convolution in one Numba kernel (cuFFTDx) against CuPy's FFT, multiply, IFFT.

    python benchmarks/fft_conv_device.py [--out results] [--variants N] [--only LABEL,...] [--list]

A batch of size-512 complex64 signals (1 GiB): forward FFT, multiply by a filter, inverse
FFT, all in registers and shared memory, against ``cupy.fft.ifft(cupy.fft.fft(x) * f)`` and a
device copy of the array (the bandwidth limit: both read and write it once). cuFFTDx's suggested
knobs and a grid of kernel variants (see ``GRID``), each checked against CuPy, then timed in
alternating rounds (CUDA-event medians after warm-up); the best is reported, with
``fraction_of_copy_bandwidth`` = copy time / its time.

A variant's label says what it is: ``ept{E}_fpb{F}`` (cuFFTDx's elements per thread and FFTs
per block; ``_suggested``: cuFFTDx chose them), then the kernel's form: none (loops over the
elements), ``_unrolled`` (the loops written out), ``_unsigned`` (written out, every global index
an unsigned 64-bit integer, so that Numba emits no negative-index wraparound select per access
and the element offsets fold into the loads' immediates), ``_vec`` (as ``_unsigned``, each
complex64 of the data and the filter one 8-byte ``ld/st.global.v2.f32`` through a Numba intrinsic,
where Numba's indexing makes two 4-byte accesses), ``_vec_cs`` (as ``_vec``, the data's accesses
with PTX's streaming hint ``.cs``), ``_view`` (as ``_vec``, through Numba's own indexing of the
arrays viewed as ``fwd.value_type``: ``data.view(fwd.value_type)``, what kernel authors write);
then ``_maxreg{N}`` (``jit(max_registers=N)``: nvJitLink's
-maxrregcount) or ``_minblocks{M}`` (``jit(launch_bounds=(threads per block, M))``: ptxas fits M
blocks per SM by registers). ``--list`` prints the labels of the variants chosen and exits (no GPU
needed); the JSON adds each variant's registers and local bytes per thread (``kernel_resources``),
compile seconds and share of the copy's bandwidth.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from typing import NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import bar_chart, gpu_time_ms, write

SIZE = 512
FORMS = ("loop", "unrolled", "unsigned", "vec", "vec_cs", "view", "vec_pf", "vec_hf", "vec_as", "radix8")
RESIDENT_FORMS = ("unsigned", "vec", "vec_cs", "view")  # the forms kernel_source(resident=N) takes


class Variant(NamedTuple):
    """One kernel of the grid: cuFFTDx knobs (``ept=0``: suggested), form, register limits."""

    ept: int
    fpb: int
    form: str = "loop"  # one of FORMS
    max_registers: int | None = None
    min_blocks: int | None = None  # launch_bounds=(threads per block, min_blocks)
    # "vec_pf", "vec_hf", "vec_as": blocks per multiprocessor in the grid (0: one block a signal group)
    persistent: int = 0
    checks: bool = True  # False: built with NVMATH_DEVICE_ARRAY_CHECKS=0 (timed in the same rounds)

    def label(self, ept=None, fpb=None) -> str:
        """The label, with the knobs cuFFTDx took (``ept``, ``fpb``) where known."""
        text = f"ept{self.ept if ept is None else ept}_fpb{self.fpb if fpb is None else fpb}"
        if self.ept == 0 and ept is not None:
            text += "_suggested"
        if self.form != "loop":
            text += f"_{self.form}"
        if self.max_registers:
            text += f"_maxreg{self.max_registers}"
        if self.min_blocks:
            text += f"_minblocks{self.min_blocks}"
        if self.persistent:
            text += f"_grid{self.persistent}"
        if not self.checks:
            text += "_nochecks"
        return text


# In order of priority: --variants N runs the first N (default DEFAULT_VARIANTS). First cuFFTDx's
# suggestion (nvmath_suggested_ms) and the best of the earlier grid (ept16_fpb2_unrolled: 64
# registers, 50% occupancy, near issue- and L1-bound on an H200), then what aims at those limits:
# fewer instructions and L1 wavefronts per access (_unsigned, _vec) and more warps per SM (register
# caps, more FFTs per block). At 16 elements per thread a block of F FFTs is F warps; with N
# registers a thread, a warp takes 32 N of the SM's 65536 registers (at most 64 warps and 32
# blocks per SM): N=64 allows 32 warps (50% occupancy), 56: 36, 48: 42, 40: 51.
# ptxas (sm_90a, from CUDA 13.5's nvJitLink) gives, per thread: _unrolled 64 registers; _unsigned
# 56; _vec 64; _vec_maxreg56 12 bytes of spills, _vec_maxreg48 48-80, _vec_maxreg40 356-392
# (_unsigned: 56 and 304-316); ept8 _vec 46 registers, 40 with no spills.
# On the H200 (2026-12-06, docs/results/fft_conv_device_h200.json) cuFFTDx's suggested knobs
# (32, 2) with 8-byte accesses were the fastest, 0.622-0.631 ms (80-83% of the copy's bandwidth):
# one shared-memory exchange an FFT and 21% fewer instructions than 16 elements a thread, whose
# kernel is bound by instruction issue there (0.669 ms with its data in L2). They lead the grid.
GRID = [
    Variant(0, 0),
    Variant(32, 2, "vec"),
    Variant(32, 2, "vec", max_registers=80),
    Variant(32, 4, "vec"),
    # The same kernels as a kernel author writes them: the arrays viewed as the FFT's value type
    # (float32x2, 8-byte aligned), so that Numba's own indexing makes one 8-byte access.
    Variant(32, 2, "view"),
    Variant(32, 2, "view", max_registers=80),
    Variant(16, 2, "vec"),
    Variant(16, 1, "vec"),
    Variant(16, 2, "unrolled"),
    Variant(16, 2, "unsigned"),
    Variant(16, 4, "vec"),
    Variant(16, 4, "vec", max_registers=56),
    Variant(16, 2, "vec", max_registers=48),
    Variant(16, 4, "vec", max_registers=48),
    Variant(16, 2, "vec", max_registers=40),
    Variant(16, 2, "unsigned", max_registers=48),
    Variant(16, 2, "vec", min_blocks=20),
    Variant(16, 2, "vec_cs"),
    Variant(16, 4, "vec", max_registers=40),
    Variant(16, 4, "unsigned", max_registers=48),
    Variant(8, 4, "vec", max_registers=40),
    # Not run by default (each new pair of knobs costs ~6 s of cuFFTDx code generation, each kernel
    # ~3 s of compiling): the rest of the earlier grid, and more of the same.
    # Not cuFFTDx: 8-point DFTs and two exchanges of whole elements an FFT (_radix8_conv.py);
    # on the H200 (2026-12-05) 0.947 ms at best against cuFFTDx (16, 2)'s 0.907 ms: not by default.
    # ptxas (CUDA 13.5's nvJitLink, sm_90) gives it 67 registers; at 56 it spills nothing.
    Variant(8, 2, "radix8"),
    Variant(8, 2, "radix8", max_registers=56),
    Variant(8, 4, "radix8", max_registers=56),
    Variant(8, 1, "radix8", max_registers=56),
    Variant(8, 2, "vec"),
    Variant(16, 8, "vec", max_registers=48),
    Variant(16, 1),
    Variant(16, 2),
    Variant(8, 2),
    Variant(16, 1, "unrolled"),
    Variant(8, 2, "unrolled"),
    Variant(16, 1, "unsigned"),
    Variant(16, 4, "unsigned"),
    Variant(16, 2, "unsigned", max_registers=40),
    Variant(16, 4, "unsigned", max_registers=40),
    Variant(16, 8, "vec", max_registers=40),
    Variant(16, 4, "vec", min_blocks=10),
    Variant(16, 4, "vec_cs", max_registers=56),
    # A grid-stride loop that loads the next signals while it transforms the current ones.
    Variant(16, 2, "vec_pf", persistent=8),
    Variant(16, 1, "vec_pf", persistent=16),
    Variant(16, 2, "vec_pf", max_registers=80, persistent=12),
    Variant(8, 8, "vec", max_registers=40),
    # A grid-stride loop with the thread's filter values loaded once, kept in registers: the
    # filter's 16 loads an FFT leave the L1 (which the kernel is bound by), for 2 * n_ept registers.
    Variant(16, 2, "vec_hf", persistent=8),
    Variant(16, 1, "vec_hf", persistent=16),
    Variant(16, 2, "vec_hf", max_registers=72, persistent=12),
    Variant(16, 2, "vec_hf", max_registers=80, persistent=12),
    # More of 32 elements a thread (its plain forms lead the grid): 512 = 32 x 16 takes one
    # exchange through shared memory an FFT where 16 x 32 takes two, and shared memory is most of
    # the kernel's L1 traffic (2 x 128 four-byte LDS/STS a thread at 16).
    Variant(32, 4, "vec", max_registers=80),
    # Capped at 72 (28 warps a multiprocessor, 54 spill accesses a thread read offline; at 64:
    # 307, left out).
    Variant(32, 2, "vec", max_registers=72),
    # Without the device-side length checks, in the same process and rounds as the kernels with
    # them: timed in a process of their own, after another, they met a hotter GPU.
    Variant(16, 2, "vec", checks=False),
    Variant(32, 2, "vec", checks=False),
    # A grid-stride loop whose next signals travel from global to shared memory by asynchronous
    # copies (cp.async, 16 bytes each, through L2 only) while the current ones are transformed:
    # loads in flight without the registers that "vec_pf" spends on them. Under ncu on an H100
    # (2026-12-05) the plain 16-element form's warps stalled 3.8 cycles an instruction on global
    # memory, its largest stall; 16 blocks (ept16, fpb2) fill an SM's 64-register occupancy.
    Variant(16, 2, "vec_as", persistent=16),
    Variant(16, 1, "vec_as", persistent=32),
    Variant(32, 2, "vec_as", persistent=18),
    Variant(32, 2, "vec_as", max_registers=80, persistent=18),
    Variant(32, 2, "vec_as", max_registers=96, persistent=18),
]
DEFAULT_VARIANTS = 16

_FFTS = {}


def make_ffts(ept, fpb, sm=None):
    """The forward and inverse cuFFTDx descriptions for knobs ``(ept, fpb)`` (``ept=0``: suggested);
    made once per process and knobs (a few seconds each the first time)."""
    import nvmath.device

    key = (ept, fpb, sm)
    if key not in _FFTS:
        kw = {"elements_per_thread": ept, "ffts_per_block": fpb} if ept else {"ffts_per_block": "suggested"}
        if sm is not None:
            kw["sm"] = sm
        fwd = nvmath.device.FFT(SIZE, "single", "c2c", "Block", direction="forward", **kw)
        kw.update(ffts_per_block=fwd.ffts_per_block, elements_per_thread=fwd.elements_per_thread)
        inv = nvmath.device.FFT(SIZE, "single", "c2c", "Block", direction="inverse", **kw)
        _FFTS[key] = fwd, inv
    return _FFTS[key]


def kernel_source(form, storage, n_ept, stride, n_fpb, resident=0) -> str:
    """The Python source of the convolution kernel ``conv(data, filt, batch)`` in ``form``.

    ``resident`` (a power of two, the written-out forms only): signal ``s`` reads and writes
    the memory of signal ``s % resident`` (the kernel's instructions but for one AND), so
    that the data stay in L2 and the time is the kernel's own issue and latency bound, DRAM
    aside: on an H100 it stands for an H200, whose multiprocessors are the same and whose DRAM
    is 1.4x faster (the values are not checked: blocks overwrite each other's signals).

    ``data``: the signals flattened (batch * SIZE,); thread ``t`` of signal ``s`` holds elements
    ``s * SIZE + t + i * stride`` (cuFFTDx's layout; a warp reads 32 consecutive elements)."""
    if resident and form not in RESIDENT_FORMS:
        raise ValueError(f"resident={resident} is supported for the forms {', '.join(RESIDENT_FORMS)}, not {form!r}")
    if form == "loop":
        return "\n".join(
            [
                "def conv(data, filt, batch):",
                f"    thread_data = cuda.local.array({storage}, dtype=types.complex64)",
                "    smem = cuda.shared.array(0, dtype=types.uint8)",
                f"    signal = cuda.blockIdx.x * {n_fpb} + cuda.threadIdx.y",
                "    t = cuda.threadIdx.x",
                "    valid = signal < batch",
                f"    base = signal * {SIZE} + t",
                f"    for i in range({n_ept}):",
                "        if valid:",
                f"            thread_data[i] = data[base + i * {stride}]",
                "    fwd.execute(thread_data, smem)",
                f"    for i in range({n_ept}):",
                f"        thread_data[i] = thread_data[i] * filt[t + i * {stride}]",
                "    inv.execute(thread_data, smem)",
                f"    for i in range({n_ept}):",
                "        if valid:",
                f"            data[base + i * {stride}] = thread_data[i]",
            ]
        )
    if form == "unrolled":
        # The loops written out (as nvmath.fft's fused kernel is made), so that nothing keeps the
        # thread's data out of registers; indices are signed, so each access has a wraparound select.
        return "\n".join(
            [
                "def conv(data, filt, batch):",
                f"    td = cuda.local.array({storage}, types.complex64)",
                "    smem = cuda.shared.array(0, types.uint8)",
                f"    signal = cuda.blockIdx.x * {n_fpb} + cuda.threadIdx.y",
                "    t = cuda.threadIdx.x",
                f"    base = signal * {SIZE} + t",
                "    if signal < batch:",
                *[f"        td[{i}] = data[base + {i * stride}]" for i in range(n_ept)],
                "    fwd.execute(td, smem)",
                *[f"    td[{i}] = td[{i}] * filt[t + {i * stride}]" for i in range(n_ept)],
                "    inv.execute(td, smem)",
                "    if signal < batch:",
                *[f"        data[base + {i * stride}] = td[{i}]" for i in range(n_ept)],
            ]
        )
    if form in ("unsigned", "view"):
        # Written out, with every global index a uint64 (U): Numba adds no "index < 0: index +
        # length" select for an unsigned index, so a load is base pointer + constant offset.
        # (uint64 with a signed operand would type as float64: every constant is cast to U.)
        # "view": the same indexing of the arrays viewed as the value type (float32x2), no
        # intrinsic, one 8-byte access an element as "vec".
        d, f = ("dv", "fv") if form == "view" else ("data", "filt")
        return _unsigned_source(
            storage,
            n_fpb,
            [f"{d}[base + U({i * stride})]" for i in range(n_ept)],
            [f"{f}[t + U({i * stride})]" for i in range(n_ept)],
            [f"{d}[base + U({i * stride})] = td[{i}]" for i in range(n_ept)],
            resident,
            views=form == "view",
        )
    if form == "vec_pf":
        return _prefetch_source(storage, n_ept, stride, n_fpb)
    if form == "vec_hf":
        return _hoisted_filter_source(storage, n_ept, stride, n_fpb)
    if form == "vec_as":
        return _async_staged_source(storage, n_ept, stride, n_fpb)
    if form in ("vec", "vec_cs"):
        # As "unsigned", each element one 8-byte access through the intrinsics of accessors():
        # LD/ST (data; "vec_cs": with the streaming hint) and LDF (the filter, hint-free).
        return _unsigned_source(
            storage,
            n_fpb,
            [f"LD(data, base, {i * stride})" for i in range(n_ept)],
            [f"LDF(filt, t, {i * stride})" for i in range(n_ept)],
            [f"ST(data, base, {i * stride}, td[{i}])" for i in range(n_ept)],
            resident,
        )
    raise ValueError(f"form={form!r}; accepted: {', '.join(FORMS)}")


def _unsigned_source(storage, n_fpb, loads, filters, stores, resident=0, views=False) -> str:
    """A written-out kernel with uint64 indices: ``td[i] = loads[i]``, the forward FFT,
    ``td[i] *= filters[i]``, the inverse FFT, then the ``stores`` statements (``resident``:
    see :func:`kernel_source`; ``views``: ``dv`` and ``fv`` are ``data`` and ``filt`` viewed
    as ``fwd.value_type``)."""
    if resident and resident & (resident - 1):
        raise ValueError(f"resident={resident} is not a power of two; accepted: 0 (off) or a power of two such as 2048")
    where = f"(signal & U({resident - 1}))" if resident else "signal"
    return "\n".join(
        [
            "def conv(data, filt, batch):",
            *(["    dv = data.view(fwd.value_type)", "    fv = filt.view(fwd.value_type)"] if views else []),
            f"    td = cuda.local.array({storage}, types.complex64)",
            "    smem = cuda.shared.array(0, types.uint8)",
            "    t = U(cuda.threadIdx.x)",
            f"    signal = U(cuda.blockIdx.x) * U({n_fpb}) + U(cuda.threadIdx.y)",
            f"    base = {where} * U({SIZE}) + t",
            "    valid = signal < U(batch)",
            "    if valid:",
            *[f"        td[{i}] = {load}" for i, load in enumerate(loads)],
            "    fwd.execute(td, smem)",
            *[f"    td[{i}] = td[{i}] * {scale}" for i, scale in enumerate(filters)],
            "    inv.execute(td, smem)",
            "    if valid:",
            *[f"        {store}" for store in stores],
        ]
    )


def _grid_stride_prelude(storage, n_fpb) -> list:
    """The first lines of a grid-stride kernel over groups of ``n_fpb`` signals: ``td``,
    ``smem``, the thread ``t``, its ``group`` and ``signal``, and their steps."""
    return [
        "def conv(data, filt, batch):",
        f"    td = cuda.local.array({storage}, types.complex64)",
        "    smem = cuda.shared.array(0, types.uint8)",
        "    t = U(cuda.threadIdx.x)",
        "    group = U(cuda.blockIdx.x)",
        "    groups_step = U(cuda.gridDim.x)",
        f"    groups = (U(batch) + U({n_fpb - 1})) // U({n_fpb})",
        f"    signal = group * U({n_fpb}) + U(cuda.threadIdx.y)",
        f"    step = groups_step * U({n_fpb})",
    ]


def _prefetch_source(storage, n_ept, stride, n_fpb) -> str:
    """As "vec", in a grid-stride loop over groups of ``n_fpb`` signals that loads the next
    group's elements into registers (``n0``, ``n1``...) before it transforms the current one, so
    that a warp has loads in flight while it computes (at the cost of 2 * n_ept registers)."""
    loads = [f"n{i} = LD(data, nbase, {i * stride})" for i in range(n_ept)]
    return "\n".join(
        [
            *_grid_stride_prelude(storage, n_fpb),
            f"    nbase = signal * U({SIZE}) + t",
            *[f"    n{i} = Z(0)" for i in range(n_ept)],
            "    if signal < U(batch):",
            *[f"        {load}" for load in loads],
            "    while group < groups:",  # uniform across the block: its barriers stay legal
            "        base = nbase",
            *[f"        td[{i}] = n{i}" for i in range(n_ept)],
            "        nxt = signal + step",
            f"        nbase = nxt * U({SIZE}) + t",
            "        if nxt < U(batch):",
            *[f"            {load}" for load in loads],
            "        fwd.execute(td, smem)",
            *[f"        td[{i}] = td[{i}] * LDF(filt, t, {i * stride})" for i in range(n_ept)],
            "        inv.execute(td, smem)",
            "        if signal < U(batch):",
            *[f"            ST(data, base, {i * stride}, td[{i}])" for i in range(n_ept)],
            "        signal = nxt",
            "        group += groups_step",
        ]
    )


def _hoisted_filter_source(storage, n_ept, stride, n_fpb) -> str:
    """As "vec", in a grid-stride loop over groups of ``n_fpb`` signals, with the thread's
    ``n_ept`` filter values (``f0``, ``f1``...) loaded once before the loop: each FFT then reads
    only its own data from memory."""
    return "\n".join(
        [
            *_grid_stride_prelude(storage, n_fpb),
            *[f"    f{i} = LDF(filt, t, {i * stride})" for i in range(n_ept)],
            "    while group < groups:",  # uniform across the block: its barriers stay legal
            f"        base = signal * U({SIZE}) + t",
            "        if signal < U(batch):",
            *[f"            td[{i}] = LD(data, base, {i * stride})" for i in range(n_ept)],
            "        fwd.execute(td, smem)",
            *[f"        td[{i}] = td[{i}] * f{i}" for i in range(n_ept)],
            "        inv.execute(td, smem)",
            "        if signal < U(batch):",
            *[f"            ST(data, base, {i * stride}, td[{i}])" for i in range(n_ept)],
            "        signal += step",
            "        group += groups_step",
        ]
    )


def staging_offset(fft_shared_bytes: int) -> int:
    """Where "vec_as" stages its signals in the dynamic shared memory, in complex64 elements:
    after cuFFTDx's own ``fft_shared_bytes``, at a 16-byte boundary (cp.async's alignment)."""
    return ((int(fft_shared_bytes) + 15) // 16 * 16) // 8


def staged_shared_bytes(fft_shared_bytes: int, n_fpb: int) -> int:
    """The dynamic shared memory a "vec_as" block takes: cuFFTDx's, then ``n_fpb`` signals."""
    return 8 * (staging_offset(fft_shared_bytes) + n_fpb * SIZE)


def _async_staged_source(storage, n_ept, stride, n_fpb) -> str:
    """As "vec", in a grid-stride loop over groups of ``n_fpb`` signals, each group brought into
    shared memory by asynchronous copies while the block transforms the group before it.

    A group's signals are contiguous in memory: its ``n_fpb * SIZE`` complex64 values go in
    16-byte chunks, thread ``lin`` of the block copying chunks ``lin``, ``lin + threads``...
    (consecutive threads, consecutive addresses). Each round: wait for the group's copies, read
    the thread's elements from the stage into registers, let the whole block pass a barrier (the
    stage is then free), start the next group's copies, transform, store to global memory."""
    threads = (SIZE // n_ept) * n_fpb
    chunks = n_fpb * SIZE // 2  # 16-byte chunks of a group
    per_thread = chunks // threads
    off = "OFF"  # the stage's first element (staging_offset): make() puts the number in its place

    # A thread's chunk k (of per_thread) belongs to the group's signal k // per_signal: a round of
    # copies (2 threads elements) divides a signal's SIZE, so a chunk never straddles two signals.
    if SIZE % (2 * threads):
        raise ValueError(f"vec_as: {threads} threads' copies do not divide a {SIZE}-point signal")
    per_signal = SIZE // (2 * threads)

    def copies(indent, group):
        # Chunk lin + k * threads of the group: elements e0 + 2 k threads on, where e0 is the
        # thread's first; the 2 k threads goes into the copy's addresses as an immediate offset,
        # so that the loop keeps one address a thread, not one a chunk, and one test a signal
        # (of the group's last, which may lie past the batch), not one a chunk.
        pad = " " * indent
        lines = [f"{pad}e0 = {group} * U({n_fpb * SIZE}) + U(2) * lin"]
        lines += [f"{pad}v{f} = {group} * U({n_fpb}) + U({f}) < U(batch)" for f in range(n_fpb)]
        for k in range(per_thread):
            lines += [f"{pad}if v{k // per_signal}:", f"{pad}    CPA(stage, s0, data, e0, {2 * k * threads})"]
        return lines

    return "\n".join(
        [
            "def conv(data, filt, batch):",
            f"    td = cuda.local.array({storage}, types.complex64)",
            "    smem = cuda.shared.array(0, types.uint8)",
            "    stage = cuda.shared.array(0, types.complex64)",  # the same memory, as complex64
            "    t = U(cuda.threadIdx.x)",
            "    y = U(cuda.threadIdx.y)",
            f"    lin = y * U({SIZE // n_ept}) + t",
            "    group = U(cuda.blockIdx.x)",
            "    groups_step = U(cuda.gridDim.x)",
            f"    groups = (U(batch) + U({n_fpb - 1})) // U({n_fpb})",
            f"    s0 = U({off}) + U(2) * lin",
            "    if group < groups:",
            *copies(8, "group"),
            "    CPC()",
            "    while group < groups:",  # uniform across the block: its barriers stay legal
            "        CPW()",
            "        cuda.syncthreads()",
            f"        sbase = U({off}) + y * U({SIZE}) + t",
            *[f"        td[{i}] = LD(stage, sbase, {i * stride})" for i in range(n_ept)],
            "        cuda.syncthreads()",
            "        nxt = group + groups_step",
            "        if nxt < groups:",
            *copies(12, "nxt"),
            "        CPC()",
            "        fwd.execute(td, smem)",
            *[f"        td[{i}] = td[{i}] * LDF(filt, t, {i * stride})" for i in range(n_ept)],
            "        inv.execute(td, smem)",
            f"        signal = group * U({n_fpb}) + y",
            "        if signal < U(batch):",
            f"            base = signal * U({SIZE}) + t",
            *[f"            ST(data, base, {i * stride}, td[{i}])" for i in range(n_ept)],
            "        group = nxt",
        ]
    )


_ASYNC_COPIES = []


def async_copies():
    """Numba intrinsics of PTX's asynchronous global-to-shared copies: ``copy16(dst, i, src, j, k)``
    starts a 16-byte copy of complex64 elements ``src[j + k], src[j + k + 1]`` (global memory) to
    ``dst[i + k], dst[i + k + 1]`` (shared memory; ``i``, ``j`` uint64, ``k`` an integer constant,
    the addresses' immediate offset; both addresses 16-byte aligned),
    cached in L2 only (``cp.async.cg``); ``commit()`` closes the thread's group of copies begun
    since the last; ``wait_all()`` waits for all of the thread's groups (``cp.async.wait_group
    0``), a barrier to the compiler for memory accesses. A thread sees another's copies only after
    both passed a barrier (``cuda.syncthreads()``) following the wait."""
    if _ASYNC_COPIES:
        return _ASYNC_COPIES[0]
    from numba import types
    from numba.cuda.extending import intrinsic

    @intrinsic
    def copy16(typingctx, dst, i, src, j, k):
        for ary, index in ((dst, i), (src, j)):
            if not (isinstance(ary, types.Array) and ary.dtype == types.complex64 and ary.ndim == 1):
                return None
            if not isinstance(index, types.Integer):
                return None
        if not isinstance(k, types.IntegerLiteral):  # Numba types it first as int64: refused
            return None
        return types.void(dst, i, src, j, k), _copy16_codegen

    @intrinsic
    def commit(typingctx):
        return types.void(), _asm_statement_codegen("cp.async.commit_group;")

    @intrinsic
    def wait_all(typingctx):
        return types.void(), _asm_statement_codegen("cp.async.wait_group 0;")

    _ASYNC_COPIES.append((copy16, commit, wait_all))
    return _ASYNC_COPIES[0]


def _copy16_codegen(context, builder, sig, args):
    from llvmlite import ir
    from numba import types

    def pointer(k):
        ary = context.make_array(sig.args[k])(context, builder, args[k])
        index = context.cast(builder, args[k + 1], sig.args[k + 1], types.uint64)
        return builder.ptrtoint(builder.gep(ary.data, [index]), ir.IntType(64))

    dst, src = pointer(0), pointer(2)
    at = 8 * sig.args[4].literal_value  # bytes
    asm = (
        "{ .reg .u64 s64, g; .reg .u32 s; cvta.to.shared.u64 s64, $0; cvt.u32.u64 s, s64; "
        f"cvta.to.global.u64 g, $1; cp.async.cg.shared.global [s+{at}], [g+{at}], 16; }}"
    )
    fn = ir.FunctionType(ir.VoidType(), [ir.IntType(64), ir.IntType(64)])
    builder.call(ir.InlineAsm(fn, asm, "l,l,~{memory}", side_effect=True), [dst, src])
    return context.get_dummy_value()


def _asm_statement_codegen(text):
    def codegen(context, builder, sig, args):
        from llvmlite import ir

        fn = ir.FunctionType(ir.VoidType(), [])
        builder.call(ir.InlineAsm(fn, text, "~{memory}", side_effect=True), [])
        return context.get_dummy_value()

    return codegen


_ACCESSORS = {}


def accessors(hint=""):
    """Numba intrinsics ``(load, store)`` of element ``i + k`` of a complex64 array, ``k`` an integer
    constant: ``load(a, i, k)``, ``store(a, i, k, v)``, each one 8-byte access
    (``ld.global.v2.f32``/``st.global.v2.f32``; Numba's own indexing splits a complex64 into two
    4-byte accesses) at ``a.data + 8 (i + k)``, with no wraparound or bounds check (``i`` is taken as
    unsigned: pass a uint64). ``hint="cs"``: the accesses carry PTX's streaming cache hint
    (``ld.global.cs``, ``st.global.cs``: evict first), ``8 k`` as the address's immediate offset."""
    if hint not in ("", "cs"):
        raise ValueError(f"hint={hint!r}; accepted: '', 'cs'")
    if hint in _ACCESSORS:
        return _ACCESSORS[hint]
    from numba.cuda.extending import intrinsic

    # The code generators capture only functions and the hint (a string), so that nvmath's
    # kernel cache can fingerprint the kernels that call them.
    @intrinsic
    def load(typingctx, ary, index, offset):
        return _access_typing(ary, index, offset, None, hint)

    @intrinsic
    def store(typingctx, ary, index, offset, value):
        return _access_typing(ary, index, offset, value, hint)

    _ACCESSORS[hint] = load, store
    return load, store


def _access_typing(ary, index, offset, value, hint):
    """Typing and code generation of accessors()'s load (``value`` None) and store."""
    from numba import types

    # Numba types a call first with the offset as int64, then as a literal: None refuses.
    if not (
        isinstance(ary, types.Array)
        and ary.dtype == types.complex64
        and ary.ndim == 1
        and isinstance(index, types.Integer)
        and isinstance(offset, types.IntegerLiteral)
    ):
        return None
    if value is None:
        return types.complex64(ary, index, offset), _load_codegen if not hint else _load_codegen_cs
    return types.void(ary, index, offset, value), _store_codegen if not hint else _store_codegen_cs


def _element_pointer(context, builder, sig, args, add_offset):
    """The address of element ``i`` of the array (``add_offset``: of ``i + k``)."""
    from llvmlite import ir
    from numba import types

    ary = context.make_array(sig.args[0])(context, builder, args[0])
    index = context.cast(builder, args[1], sig.args[1], types.uint64)
    if add_offset:
        index = builder.add(index, ir.Constant(index.type, sig.args[2].literal_value))
    return builder.gep(ary.data, [index])


def _load_codegen(context, builder, sig, args):
    from llvmlite import ir
    from numba import types

    ptr = _element_pointer(context, builder, sig, args, True)
    v = builder.load(builder.bitcast(ptr, ir.VectorType(ir.FloatType(), 2).as_pointer()), align=8)
    out = context.make_complex(builder, types.complex64)
    out.real = builder.extract_element(v, ir.Constant(ir.IntType(32), 0))
    out.imag = builder.extract_element(v, ir.Constant(ir.IntType(32), 1))
    return out._getvalue()


def _store_codegen(context, builder, sig, args):
    from llvmlite import ir
    from numba import types

    ptr = _element_pointer(context, builder, sig, args, True)
    z = context.make_complex(
        builder, types.complex64, value=context.cast(builder, args[3], sig.args[3], types.complex64)
    )
    vec2 = ir.VectorType(ir.FloatType(), 2)
    v = builder.insert_element(ir.Constant(vec2, ir.Undefined), z.real, ir.Constant(ir.IntType(32), 0))
    v = builder.insert_element(v, z.imag, ir.Constant(ir.IntType(32), 1))
    builder.store(v, builder.bitcast(ptr, vec2.as_pointer()), align=8)
    return context.get_dummy_value()


def _load_codegen_cs(context, builder, sig, args):
    from llvmlite import ir
    from numba import types

    ptr = _element_pointer(context, builder, sig, args, False)
    f32 = ir.FloatType()
    asm_type = ir.FunctionType(ir.LiteralStructType([f32, f32]), [ptr.type])
    at = f"[$2+{8 * sig.args[2].literal_value}]"
    pair = builder.call(ir.InlineAsm(asm_type, f"ld.global.cs.v2.f32 {{$0, $1}}, {at};", "=f,=f,l"), [ptr])
    out = context.make_complex(builder, types.complex64)
    out.real, out.imag = builder.extract_value(pair, 0), builder.extract_value(pair, 1)
    return out._getvalue()


def _store_codegen_cs(context, builder, sig, args):
    from llvmlite import ir
    from numba import types

    ptr = _element_pointer(context, builder, sig, args, False)
    z = context.make_complex(
        builder, types.complex64, value=context.cast(builder, args[3], sig.args[3], types.complex64)
    )
    f32 = ir.FloatType()
    asm_type = ir.FunctionType(ir.VoidType(), [ptr.type, f32, f32])
    at = f"[$0+{8 * sig.args[2].literal_value}]"
    asm = ir.InlineAsm(asm_type, f"st.global.cs.v2.f32 {at}, {{$1, $2}};", "l,f,f", side_effect=True)
    builder.call(asm, [ptr, z.real, z.imag])
    return context.get_dummy_value()


def make(variant: Variant, sm=None, resident=0):
    """The convolution kernel of ``variant`` (an ``nvmath.device.jit`` dispatcher), its launch
    shape (the forward FFT, or a ``_Shape`` where the kernel takes more shared memory than cuFFTDx:
    ``block_dim``, ``shared_memory_size``), and the knobs cuFFTDx took: ``(conv, shape, ept, fpb)``.
    ``resident``: see :func:`kernel_source`."""
    from numba import cuda, types

    import nvmath.device

    if variant.form == "radix8":
        return _make_radix8(variant)
    fwd, inv = make_ffts(variant.ept, variant.fpb, sm)
    n_ept, n_fpb = int(fwd.elements_per_thread), int(fwd.ffts_per_block)
    src = kernel_source(variant.form, int(fwd.storage_size), n_ept, int(fwd.stride), n_fpb, resident)
    namespace = {"cuda": cuda, "types": types, "U": types.uint64, "Z": types.complex64, "fwd": fwd, "inv": inv}
    if variant.form.startswith("vec"):
        namespace["LD"], namespace["ST"] = accessors("cs" if variant.form == "vec_cs" else "")
        namespace["LDF"] = accessors("")[0]
    shape = fwd
    if variant.form == "vec_as":
        namespace["CPA"], namespace["CPC"], namespace["CPW"] = async_copies()
        src = src.replace("U(OFF)", f"U({staging_offset(fwd.shared_memory_size)})")
        shape = _Shape(tuple(fwd.block_dim), staged_shared_bytes(fwd.shared_memory_size, n_fpb))
    exec(compile(src + "\n", f"<conv {variant.label(n_ept, n_fpb)}>", "exec"), namespace)
    options = {}
    if variant.max_registers:
        options["max_registers"] = variant.max_registers
    if variant.min_blocks:
        bd = fwd.block_dim
        options["launch_bounds"] = (bd[0] * bd[1] * bd[2], variant.min_blocks)
    conv = nvmath.device.jit(**options)(namespace["conv"])
    return conv, shape, n_ept, n_fpb


class _Shape(NamedTuple):
    """What the timing loop reads of a forward FFT: the launch's block and shared memory."""

    block_dim: tuple
    shared_memory_size: int = 0


def _make_radix8(variant: Variant):
    """The radix-8 kernel of ``_radix8_conv`` (eight elements a thread, ``variant.fpb`` signals
    a block of (64, fpb) threads, static shared memory only), as :func:`make` returns it."""
    import _radix8_conv
    from numba import cuda

    if variant.ept != 8:
        raise ValueError(f"the radix8 form has 8 elements a thread, not {variant.ept}")
    load, store = accessors("")
    namespace = _radix8_conv.namespace(load, store)
    src = _radix8_conv.kernel_source(variant.fpb)
    exec(compile(src, f"<conv {variant.label()}>", "exec"), namespace)
    options = {"max_registers": variant.max_registers} if variant.max_registers else {}
    conv = cuda.jit(**options)(namespace["conv"])
    return conv, _Shape((_radix8_conv.THREADS, variant.fpb, 1)), 8, variant.fpb


@contextlib.contextmanager
def _array_checks(on: bool):
    """Kernels compiled inside get device-side array checks or not (read at compile time; the
    kernel cache keys on it)."""
    name = "NVMATH_DEVICE_ARRAY_CHECKS"
    before = os.environ.get(name)
    if not on:
        os.environ[name] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def select(args) -> list:
    """The variants this run takes: the first ``--variants`` of GRID, filtered by ``--only``."""
    chosen = GRID[: args.variants]
    if args.only:
        wanted = {w.strip() for w in args.only.split(",") if w.strip()}
        chosen = [v for v in GRID if v.label() in wanted]
        unknown = wanted - {v.label() for v in chosen}
        if unknown:
            raise SystemExit(f"--only: no variant labelled {sorted(unknown)}; --list shows them")
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--variants", type=int, default=DEFAULT_VARIANTS, help="how many of the grid's variants to run (the first N)"
    )
    parser.add_argument("--only", default="", help="comma-separated labels (as --list prints them) to run instead")
    parser.add_argument("--list", action="store_true", help="print the chosen variants' labels and exit")
    parser.add_argument(
        "--resident",
        type=int,
        default=0,
        help="also time each checked variant with signal s in the memory of signal s %% N (N a power of two; "
        "the data stay in L2): the kernel's bound apart from DRAM",
    )
    args = parser.parse_args(argv)
    if args.resident < 0 or args.resident & (args.resident - 1):
        parser.error(f"--resident {args.resident}: accepted 0 (off) or a power of two such as 2048")
    chosen = select(args)
    if args.list:
        for v in chosen:
            print(v.label())
        return 0

    start = time.perf_counter()
    import cupy as cp
    import numpy as np

    batch = int(args.gib * (1 << 30) / (SIZE * 8))
    rng = np.random.default_rng(0)
    host = np.empty((batch, SIZE), np.complex64)  # drawn in float32: a third of the time of float64
    host.real = rng.standard_normal((batch, SIZE), dtype=np.float32)
    host.imag = rng.standard_normal((batch, SIZE), dtype=np.float32)
    x = cp.asarray(host)
    del host
    filt = (rng.standard_normal(SIZE) + 1j * rng.standard_normal(SIZE)).astype(np.complex64)
    # The kernel's transforms are unnormalized; CuPy's ifft divides by n.
    d_filt = cp.asarray((filt / SIZE).astype(np.complex64))
    want = cp.fft.ifft(cp.fft.fft(x[:64], axis=1) * cp.asarray(filt), axis=1)
    work = x.copy()
    flat = work.reshape(-1)
    properties = cp.cuda.runtime.getDeviceProperties(0)
    sm_count = int(properties["multiProcessorCount"])
    res = {"device": properties["name"].decode(), "batch": batch, "size": SIZE}
    # Each variant: built, launched once, checked against CuPy; the ones that pass are timed.
    variants, passed = {}, []
    res["compile_s"] = {}
    res["kernel_resources"] = {}
    for variant in chosen:
        t0 = time.perf_counter()
        try:
            conv, fwd, e, f = make(variant)
            label = variant.label(e, f)
            groups = (batch + f - 1) // f
            if variant.persistent:  # a grid-stride kernel: as many blocks as stay resident
                groups = min(groups, variant.persistent * sm_count)
            launch = conv[groups, fwd.block_dim, 0, fwd.shared_memory_size]  # legacy stream, as CuPy's
            work[...] = x
            with _array_checks(variant.checks):  # the first launch compiles
                launch(flat, d_filt, batch)
            cp.cuda.runtime.deviceSynchronize()
        except Exception as exc:  # a pair cuFFTDx does not take, or a kernel that fails: reported
            res[f"error_{variant.label()}"] = f"{type(exc).__name__}: {exc}"
            continue
        res["compile_s"][label] = round(time.perf_counter() - t0, 2)
        try:  # what the kernel got: registers and local (spill) bytes per thread
            kernel = next(iter(conv.overloads.values()))
            bd = fwd.block_dim
            res["kernel_resources"][label] = {
                "threads_per_block": bd[0] * bd[1] * bd[2],
                "registers_per_thread": kernel.regs_per_thread,
                "local_bytes_per_thread": kernel.local_mem_per_thread,
                "dynamic_shared_bytes": int(fwd.shared_memory_size),
            }
        except Exception as exc:
            res["kernel_resources"][label] = f"{type(exc).__name__}: {exc}"
        err = float(cp.linalg.norm(work[:64] - want) / cp.linalg.norm(want))
        res[f"rel_error_{label}"] = err
        if err < 1e-4:
            variants[label] = launch
            passed.append((variant, label))
    resident = {}
    if args.resident:
        res["resident_signals"] = args.resident
        for variant, label in passed:
            if variant.form not in RESIDENT_FORMS:
                continue
            try:
                conv, fwd, e, f = make(variant, resident=args.resident)
                launch = conv[(batch + f - 1) // f, fwd.block_dim, 0, fwd.shared_memory_size]
                with _array_checks(variant.checks):
                    launch(flat, d_filt, batch)
                cp.cuda.runtime.deviceSynchronize()
            except Exception as exc:  # reported; the DRAM runs are timed all the same
                res[f"error_{label}_resident"] = f"{type(exc).__name__}: {exc}"
                continue
            resident[f"{label}_resident"] = launch
    if not variants:
        write(args.out, "fft_conv_device", res)
        print("no variant passed its check", file=sys.stderr)
        return 1
    copy_dst = cp.empty_like(x)
    contenders = {"copy": lambda: cp.copyto(copy_dst, x)}
    for label, launch in {**variants, **resident}.items():
        contenders[label] = lambda launch=launch: launch(flat, d_filt, batch)
    f = cp.asarray(filt)
    contenders["cupy_unfused"] = lambda: cp.fft.ifft(cp.fft.fft(x, axis=1) * f, axis=1)
    rounds = {k: [] for k in contenders}
    order = list(contenders)
    for r in range(args.rounds):
        for key in order[r % len(order) :] + order[: r % len(order)]:
            rounds[key].append(gpu_time_ms(contenders[key], warmup=2, repeat=10))
    med = {k: statistics.median(v) for k, v in rounds.items()}
    res["rounds_ms"] = rounds
    res["variants_ms"] = {k: med[k] for k in variants}
    res["variants_fraction_of_copy_bandwidth"] = {k: med["copy"] / med[k] for k in variants}
    if resident:
        # The kernel with its data in L2, over the same kernel from DRAM: how far DRAM holds it.
        res["resident_ms"] = {k: med[k] for k in resident}
        res["resident_over_dram"] = {k: med[k] / med[k[: -len("_resident")]] for k in resident}
    best = min(variants, key=med.get)
    res["best_knobs"] = best
    res["copy_ms"] = med["copy"]
    res["nvmath_fused_ms"] = med[best]
    res["cupy_unfused_ms"] = med["cupy_unfused"]
    res["speedup"] = res["cupy_unfused_ms"] / res["nvmath_fused_ms"]
    res["nvmath_suggested_ms"] = next((med[k] for k in variants if "_suggested" in k), None)
    # Both move the array once in and once out: the copy's time over ours is our share of its bandwidth.
    res["fraction_of_copy_bandwidth"] = med["copy"] / med[best]
    res["rel_error"] = res[f"rel_error_{best}"]
    res["wall_s"] = round(time.perf_counter() - start, 1)  # to fit --variants to a time budget
    write(args.out, "fft_conv_device", res)
    bar_chart(
        os.path.join(args.out, "fft_conv_device.png"),
        f"FFT convolution, {batch} x {SIZE} complex64",
        ["device copy", f"nvmath fused kernel ({best})", "CuPy fft, multiply, ifft"],
        [res["copy_ms"], res["nvmath_fused_ms"], res["cupy_unfused_ms"]],
        "ms",
    )
    for k, v in res.items():
        if k != "rounds_ms":
            print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
