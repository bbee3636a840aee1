"""nvmath.device.random (cuRANDDx through libmathdx): generators, traits and kernels linked to a
cubin without a GPU; on the GPU, the exact sequences of cuRAND's Philox4_32_10 and XORWOW (NumPy
references written from their definitions), moments of every distribution, and skip-ahead."""

import math

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from tests.device.curand_reference import (  # noqa: E402
    curand_uniform,
    philox4x32_10,
    philox_stream,
    xorwow_stream,
)
from tests.libraries import needs  # noqa: E402

pytestmark = needs("libmathdx", mathdx.curanddxGetVersion)  # the "dx" extra

import nvmath.device  # noqa: E402
from nvmath.device import random  # noqa: E402


def _compile_to_cubin(kernel, argtypes):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, argtypes, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    return inputs, link(inputs, compute_capability="sm_90")


def _array_of(dtype, ndim=1):
    from numba import types
    from numba.cuda.np.numpy_support import from_dtype

    return types.Array(from_dtype(dtype), ndim, "C")


# -- the references themselves ------------------------------------------------------------------


def test_philox_reference_matches_random123_known_answers():
    vectors = [  # (counter, key, result) from the Random123 distribution's known-answer tests
        ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
        ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
        (
            [0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
            [0xA4093822, 0x299F31D0],
            [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1],
        ),
    ]
    for ctr, key, want in vectors:
        got = philox4x32_10(np.array([ctr], np.uint32), np.array([key], np.uint32))[0]
        assert [int(v) for v in got] == want
    # The stream is the blocks in order: an offset lands inside a block.
    assert np.array_equal(philox_stream(7, 2, 6, 5), philox_stream(7, 2, 0, 11)[6:])


def test_xorwow_reference_subsequence_jump_is_2_to_the_67_steps():
    # The jump matrix squared 67 times is 2**67 single steps; check its construction on a power
    # small enough to step: the same code with 3 squarings equals 8 steps.
    from tests.device import curand_reference as ref

    m = np.zeros((160, 160), np.int64)
    for k in range(160):
        unit = [np.uint32(0)] * 5
        unit[k // 32] = np.uint32(1 << (k % 32))
        m[:, k] = ref._bits(ref._xorwow_step(unit))
    for _ in range(3):
        m = (m @ m) % 2
    v = [np.uint32(x) for x in (123456789, 362436069, 521288629, 88675123, 5783321)]
    stepped = v
    for _ in range(8):
        stepped = ref._xorwow_step(stepped)
    assert ref._words(m @ ref._bits(v) % 2) == stepped


# -- descriptors, traits, kernels without a GPU -------------------------------------------------


@pytest.fixture(scope="module")
def philox():
    return random.Philox4_32_10(sm=(9, 0))


@pytest.fixture(scope="module")
def xorwow():
    return random.XORWOW(sm=(9, 0))


def test_generators_and_their_traits(philox, xorwow):
    assert (philox.state_size, philox.state_alignment) == (32, 16)
    assert philox.state_dtype.itemsize == 32
    assert "uniform4" in philox.methods and "uniform" not in philox.methods
    assert xorwow.state_dtype.itemsize == xorwow.state_size == 48
    assert "poisson" in xorwow.methods and "uniform4" not in xorwow.methods
    assert philox.__nvmath_fingerprint__() != xorwow.__nvmath_fingerprint__()
    assert philox.__nvmath_fingerprint__() != random.Philox4_32_10(sm=(8, 0)).__nvmath_fingerprint__()
    assert "Philox4_32_10" in repr(philox)


def test_bad_generator_arguments():
    with pytest.raises(ValueError, match="name='mt19937'.*philox4_32_10"):
        random.Generator("mt19937", sm=(9, 0))
    with pytest.raises(ValueError, match="sm"):
        random.XORWOW(sm="sm_ninety")


def test_a_kernel_drawing_from_philox_links_to_a_cubin_without_a_gpu(philox):
    from numba import cuda, types

    def kernel(out, seed):
        i = cuda.grid(1)
        state = philox.local_state()
        philox.init(seed, i, 0, state)
        philox.skipahead(8, state)
        philox.skipahead_sequence(1, state)
        a, b, c, d = philox.uniform4(state)
        x, y = philox.normal2_double(state)
        out[i] = a + b + c + d + x + y

    inputs, cubin = _compile_to_cubin(kernel, (types.float64[::1], types.uint64))
    assert cubin[:4] == b"\x7fELF"
    assert len(inputs) == 3  # the kernel, and the two cuRANDDx codes attached automatically


def test_a_kernel_with_states_in_device_memory_links_without_a_gpu(xorwow):
    from numba import cuda, types

    def kernel(states, out):
        i = cuda.grid(1)
        xorwow.init(1234, i, 0, states[i])
        out[i] = xorwow.uniform(states[i]) + xorwow.log_normal(states[i], 0.0, 0.5) + xorwow.poisson(states[i], 4.0)

    _, cubin = _compile_to_cubin(kernel, (_array_of(xorwow.state_dtype), types.float32[::1]))
    assert cubin[:4] == b"\x7fELF"


def test_mrg32k3a_has_cuRANDs_three_skips_and_pcg_links():
    from numba import cuda, types

    mrg = random.MRG32k3a(sm=(9, 0))
    pcg = random.PCG(sm=(9, 0))

    def kernel(out):
        i = cuda.grid(1)
        s = mrg.local_state()
        mrg.init(1, i, 0, s)
        mrg.skipahead(3, s)
        mrg.skipahead_subsequence(1, s)
        mrg.skipahead_sequence(1, s)
        t = pcg.local_state()
        pcg.init(1, i, 0, t)
        pcg.skipahead_sequence(2, t)
        out[i] = mrg.uniform(s) + pcg.uniform(t)

    _, cubin = _compile_to_cubin(kernel, (types.float32[::1],))
    assert cubin[:4] == b"\x7fELF"
    assert not hasattr(pcg, "skipahead_subsequence")


def test_kernel_typing_errors_name_the_problem(philox, xorwow):
    from numba import cuda, types
    from numba.core.errors import TypingError

    def missing(out):
        s = philox.local_state()
        out[0] = philox.uniform(s)

    def wrong_state(out):
        s = xorwow.local_state()
        a, b, c, d = philox.uniform4(s)
        out[0] = a

    def missing_parameter(out):
        s = xorwow.local_state()
        out[0] = xorwow.log_normal(s, 0.0)

    def float_seed(out):
        s = xorwow.local_state()
        xorwow.init(1.5, 0, 0, s)

    cases = [
        (missing, "has no uniform.*uniform4"),
        (wrong_state, "pass a Philox4_32_10 state"),
        (missing_parameter, r"log_normal takes \(state, mean, stddev\)"),
        (float_seed, "seed is float64"),
    ]
    for kernel, message in cases:
        with pytest.raises(TypingError, match=message):
            cuda.compile_all(kernel, (types.float32[::1],), device=False, cc=(9, 0), output="ltoir", abi="numba")


def test_code_and_traits_come_from_the_cache_in_a_new_process(tmp_path):
    import os
    import subprocess
    import sys
    import time

    env = dict(os.environ, NVMATH_CACHE_DIR=str(tmp_path))
    code = (
        "import time; t = time.perf_counter(); from nvmath.device import random; "
        "g = random.XORWOW(sm=(9, 0)); print(time.perf_counter() - t, g.state_size)"
    )
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        runs.append((time.perf_counter() - start, out.stdout.split()))
    assert runs[0][1][1] == runs[1][1][1] == "48"
    # The first process asks libmathdx (it compiles to answer traits); the second reads the cache.
    assert float(runs[1][1][0]) < 0.5 * float(runs[0][1][0])


# -- on the GPU ---------------------------------------------------------------------------------


def _run(kernel, *args, threads=256, blocks=None):
    from numba import cuda

    n = args[0].shape[0]
    blocks = blocks or (n + threads - 1) // threads
    kernel[blocks, threads](*args)
    cuda.synchronize()


@pytest.mark.gpu
def test_philox_bits4_are_curands_philox_stream():
    from numba import cuda

    rng = random.Philox4_32_10()
    draws = 6

    @nvmath.device.jit
    def kernel(out, seed, offset):
        i = cuda.grid(1)
        if i < out.shape[0]:
            state = rng.local_state()
            rng.init(seed, i, offset[i], state)
            for j in range(draws):
                a, b, c, d = rng.bits4(state)
                out[i, 4 * j], out[i, 4 * j + 1], out[i, 4 * j + 2], out[i, 4 * j + 3] = a, b, c, d

    gen = np.random.default_rng()
    n = 300
    seed = int(gen.integers(0, 2**63))
    off = gen.integers(0, 2**40, n, dtype=np.uint64)
    off[:3] = [0, 1, 2]
    out = cuda.device_array((n, 4 * draws), np.uint32)
    _run(kernel, out, np.uint64(seed), cuda.to_device(off))
    got = out.copy_to_host()
    for i in range(n):  # Philox offsets count 4-value blocks: cuRAND's offset 4 * off
        assert np.array_equal(got[i], philox_stream(seed, i, 4 * int(off[i]), 4 * draws)), f"thread {i}"


@pytest.mark.gpu
def test_philox_uniform4_is_curands_conversion_of_the_same_bits():
    from numba import cuda

    rng = random.Philox4_32_10()

    @nvmath.device.jit
    def kernel(out, seed):
        i = cuda.grid(1)
        if i < out.shape[0]:
            state = rng.local_state()
            rng.init(seed, i, 0, state)
            for j in range(out.shape[1] // 4):
                a, b, c, d = rng.uniform4(state)
                out[i, 4 * j], out[i, 4 * j + 1], out[i, 4 * j + 2], out[i, 4 * j + 3] = a, b, c, d

    seed = int(np.random.default_rng().integers(0, 2**63))
    out = cuda.device_array((64, 16), np.float32)
    _run(kernel, out, np.uint64(seed), threads=64)
    got = out.copy_to_host()
    want = np.stack([curand_uniform(philox_stream(seed, i, 0, 16)) for i in range(64)])
    assert np.all((got > 0) & (got <= 1))
    # cuRAND maps x to x * 2**-32 + 2**-33; a generator may round differently by an ulp.
    assert np.max(np.abs(got.astype(np.float64) - want)) <= 2**-23


@pytest.mark.gpu
def test_xorwow_bits_are_curands_xorwow_across_subsequences_and_offsets():
    from numba import cuda

    rng = random.XORWOW()

    @nvmath.device.jit
    def kernel(out, seed, subsequence, offset):
        i = cuda.grid(1)
        if i < out.shape[0]:
            state = rng.local_state()
            rng.init(seed, subsequence[i], offset[i], state)
            for j in range(out.shape[1]):
                out[i, j] = rng.bits(state)

    gen = np.random.default_rng()
    seed = int(gen.integers(0, 2**63))
    sub = np.array([0, 0, 1, 2, 1, 0], np.uint64)
    off = np.array([0, 5, 0, 3, 17, 100], np.uint64)
    out = cuda.device_array((sub.size, 8), np.uint32)
    _run(kernel, out, np.uint64(seed), cuda.to_device(sub), cuda.to_device(off), threads=32)
    got = out.copy_to_host()
    for i in range(sub.size):
        assert np.array_equal(got[i], xorwow_stream(seed, int(sub[i]), int(off[i]), 8)), f"thread {i}"


def _sampler(rng, fname, count, params):
    """A kernel writing ``out.shape[1]`` values of ``rng.<fname>(state, *params)`` per thread."""
    from numba import cuda

    fn = getattr(rng, fname)
    p0, p1 = (list(params) + [None, None])[:2]
    if len(params) == 0:

        def draw(state):
            return fn(state)
    elif len(params) == 1:

        def draw(state):
            return fn(state, p0)
    else:

        def draw(state):
            return fn(state, p0, p1)

    draw = cuda.jit(device=True)(draw)

    @cuda.jit
    def kernel(out, seed):
        i = cuda.grid(1)
        if i < out.shape[0]:
            state = rng.local_state()
            rng.init(seed, i, 0, state)
            for j in range(out.shape[1] // count):
                v = draw(state)
                if count == 1:
                    out[i, j] = v
                else:
                    for k in range(count):
                        out[i, count * j + k] = v[k]

    return kernel


# (generator, function, values a call, parameters, output dtype, mean, variance)
_LN_MEAN, _LN_VAR = math.exp(0.125), (math.exp(0.25) - 1) * math.exp(0.25)
_MOMENT_CASES = [
    ("Philox4_32_10", "uniform4", 4, (), np.float32, 0.5, 1 / 12),
    ("Philox4_32_10", "normal4", 4, (), np.float32, 0.0, 1.0),
    ("Philox4_32_10", "normal2_double", 2, (), np.float64, 0.0, 1.0),
    ("Philox4_32_10", "log_normal4", 4, (0.0, 0.5), np.float32, _LN_MEAN, _LN_VAR),
    ("XORWOW", "uniform", 1, (), np.float32, 0.5, 1 / 12),
    ("XORWOW", "normal", 1, (), np.float32, 0.0, 1.0),
    ("XORWOW", "normal2", 2, (), np.float32, 0.0, 1.0),
    ("XORWOW", "uniform_double", 1, (), np.float64, 0.5, 1 / 12),
    ("XORWOW", "poisson", 1, (4.0,), np.uint32, 4.0, 4.0),
    ("MRG32k3a", "uniform", 1, (), np.float32, 0.5, 1 / 12),
    ("MRG32k3a", "normal_double", 1, (), np.float64, 0.0, 1.0),
    ("PCG", "uniform", 1, (), np.float32, 0.5, 1 / 12),
    ("PCG", "normal", 1, (), np.float32, 0.0, 1.0),
]


@pytest.mark.gpu
@pytest.mark.parametrize(
    "gen_name, fname, count, params, dtype, mean, var", _MOMENT_CASES, ids=[f"{c[0]}-{c[1]}" for c in _MOMENT_CASES]
)
def test_moments_of_each_distribution(gen_name, fname, count, params, dtype, mean, var):
    from numba import cuda

    rng = getattr(random, gen_name)()
    kernel = _sampler(rng, fname, count, params)
    threads, per_thread = 1024, 1024
    out = cuda.device_array((threads, per_thread), dtype)
    _run(kernel, out, np.uint64(np.random.default_rng().integers(0, 2**63)))
    x = out.copy_to_host().astype(np.float64).ravel()
    n = x.size
    assert np.all(np.isfinite(x))
    # Tolerances: 6 standard errors of the sample mean and variance.
    assert abs(x.mean() - mean) < 6 * math.sqrt(var / n), (x.mean(), mean)
    fourth = np.mean((x - mean) ** 4)
    assert abs(x.var() - var) < 6 * math.sqrt(max(fourth - var * var, 1e-12) / n), (x.var(), var)
    if fname.startswith("uniform"):
        assert x.min() > 0 and x.max() <= 1
    # Neighbours in a thread's stream are uncorrelated.
    pairs = out.copy_to_host().astype(np.float64)
    corr = np.corrcoef(pairs[:, :-1].ravel(), pairs[:, 1:].ravel())[0, 1]
    assert abs(corr) < 6 / math.sqrt(n)


@pytest.mark.gpu
@pytest.mark.parametrize("gen_name", ["Philox4_32_10", "XORWOW", "MRG32k3a", "PCG"])
def test_skipahead_offset_and_subsequences_agree_with_the_stream(gen_name):
    from numba import cuda

    rng = getattr(random, gen_name)()
    fname, count = ("uniform4", 4) if gen_name == "Philox4_32_10" else ("uniform", 1)
    draw = getattr(rng, fname)
    skip_sub = rng.skipahead_subsequence if gen_name == "MRG32k3a" else rng.skipahead_sequence

    @cuda.jit
    def kernel(out, mode, k):
        # Row 0: the stream of subsequence 0; row 1: skipahead(k); row 2: init with offset k;
        # row 3: subsequence 1 by init; row 4: subsequence 1 by skipping.
        state = rng.local_state()
        if mode == 2:
            rng.init(99, 0, k, state)
        elif mode == 3:
            rng.init(99, 1, 0, state)
        else:
            rng.init(99, 0, 0, state)
        if mode == 1:
            rng.skipahead(k, state)
        if mode == 4:
            skip_sub(1, state)
        for j in range(out.shape[1] // count):
            v = draw(state)
            if count == 1:
                out[mode, j] = v
            else:
                for t in range(count):
                    out[mode, count * j + t] = v[t]

    k = 2 if count == 4 else 8  # calls: Philox's offsets count 4-value blocks
    skipped = k * count
    out = cuda.device_array((5, 32), np.float32)
    for mode in range(5):
        kernel[1, 1](out, mode, k)
    rows = out.copy_to_host()
    assert np.array_equal(rows[1][: 32 - skipped], rows[0][skipped:])
    assert np.array_equal(rows[2][: 32 - skipped], rows[0][skipped:])
    assert np.array_equal(rows[1], rows[2])
    assert np.array_equal(rows[3], rows[4])
    assert not np.array_equal(rows[3], rows[0])


@pytest.mark.gpu
def test_states_in_device_memory_continue_across_launches():
    from numba import cuda

    rng = random.XORWOW()

    @nvmath.device.jit
    def init(states, seed):
        i = cuda.grid(1)
        if i < states.shape[0]:
            rng.init(seed, i, 0, states[i])

    @nvmath.device.jit
    def draw(states, out, column):
        i = cuda.grid(1)
        if i < states.shape[0]:
            out[i, column] = rng.bits(states[i])

    @nvmath.device.jit
    def local(out, seed):
        i = cuda.grid(1)
        if i < out.shape[0]:
            state = rng.local_state()
            rng.init(seed, i, 0, state)
            for j in range(out.shape[1]):
                out[i, j] = rng.bits(state)

    n = 500
    states = rng.states(n)
    seed = np.uint64(np.random.default_rng().integers(0, 2**63))
    init[(n + 127) // 128, 128](states, seed)
    across = cuda.device_array((n, 4), np.uint32)
    for column in range(4):
        draw[(n + 127) // 128, 128](states, across, column)
    within = cuda.device_array((n, 4), np.uint32)
    local[(n + 127) // 128, 128](within, seed)
    assert np.array_equal(across.copy_to_host(), within.copy_to_host())
    assert np.array_equal(within.copy_to_host()[3], xorwow_stream(int(seed), 3, 0, 4))
