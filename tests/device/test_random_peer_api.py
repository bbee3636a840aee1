"""nvmath-python's spelling of nvmath.device.random: ``Compile``, ``States*`` arrays and the
module-level functions that dispatch on the state's type; the Sobol' generators against host
cuRAND's (CPU: the Python definitions, run by NumPy; GPU: the kernels); the curand binding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

import nvmath.device  # noqa: E402
from nvmath.bindings import curand  # noqa: E402
from nvmath.device import _random_sobol as sobol  # noqa: E402
from nvmath.device import random  # noqa: E402
from tests.device import curand_reference as ref  # noqa: E402
from tests.device.curand_reference import CurandState, philox_stream, xorwow_stream  # noqa: E402
from tests.libraries import library_error, needs  # noqa: E402

needs_mathdx = needs("libmathdx", mathdx.curanddxGetVersion)
needs_curand = needs("cuRAND", curand.curandGetVersion)
HAS_CURAND = library_error(curand.curandGetVersion) is None


@pytest.fixture(scope="module")
def compiled():
    return random.Compile(cc=(9, 0))


def _state_array(kind):
    from numba import types
    from numba.cuda.np.numpy_support import from_dtype

    return types.Array(from_dtype(random._face_state_dtype(kind)), 1, "C")


def _cubin(kernel, argtypes):
    from numba import cuda

    from nvmath.jit import link

    codes, _ = cuda.compile_all(kernel, argtypes, device=False, cc=(9, 0), output="ltoir", abi="numba")
    inputs = [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]
    return link(inputs, compute_capability="sm_90")


# -- the face's objects (no GPU, no Numba needed for most) ----------------------------------------


def test_peer_names_exist_and_stubs_refuse_host_calls():
    for name in ("Compile", "init", "rand", "rand4", "uniform4", "normal", "skipahead", "StatesScrambledSobol64"):
        assert name in random.__all__ and getattr(random, name).__doc__
    assert random.random_helpers.DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6 == 104
    with pytest.raises(RuntimeError, match="uniform4 is a device function"):
        random.uniform4(None)


def test_compile_gives_files_and_extension_for_numba_jit(compiled):
    assert compiled.files == [] and len(compiled.extension) == 1
    assert compiled.cc.sm == "sm_90"
    handler = compiled.extension[0]
    assert handler.prepare_args("ty", 3) == ("ty", 3)
    with pytest.raises(ValueError, match="cc"):
        random.Compile(cc="not an arch")


def test_states_validate_n():
    with pytest.raises(ValueError, match="n"):
        random.StatesXORWOW(0)


def test_sobol_state_layouts_are_curands():
    assert sobol.SOBOL_DTYPES["sobol32"].names == ("i", "x", "direction_vectors")
    assert sobol.SOBOL_DTYPES["scrambled_sobol64"].names == ("i", "x", "c", "direction_vectors")
    assert sobol.SOBOL_DTYPES["scrambled_sobol64"].itemsize == 3 * 8 + 64 * 8


# -- kernels compiled and linked without a GPU -----------------------------------------------------


@needs_mathdx
def test_philox_and_xorwow_kernels_as_in_the_peer_examples_link(compiled):
    from numba import cuda, types

    def philox_kernel(states, out):
        i = cuda.grid(1)
        random.init(1234, i, 0, states[i])
        v = random.uniform4(states[i])
        w = random.normal4(states[i])
        r = random.rand4(states[i])
        random.skipahead(8, states[i])
        random.skipahead_sequence(1, states[i])
        out[i] = v.x + v.y + v.z + v.w + w.x + r.w

    def xorwow_kernel(states, out):
        i = cuda.grid(1)
        random.init(1234, i, 0, states[i])
        p = random.normal2(states[i])
        out[i] = random.uniform_double(states[i]) + random.normal(states[i]) + p.y
        out[i] += (
            random.log_normal_double(states[i], 0.5, 2.0) + random.poisson(states[i], 3.0) + random.rand(states[i])
        )

    def mrg_kernel(states, out):
        i = cuda.grid(1)
        random.init(7, i, 3, states[i])
        random.skipahead_subsequence(2, states[i])
        out[i] = random.uniform(states[i])

    assert _cubin(philox_kernel, (_state_array("philox4_32_10"), types.float64[::1]))[:4] == b"\x7fELF"
    assert _cubin(xorwow_kernel, (_state_array("xorwow"), types.float64[::1]))[:4] == b"\x7fELF"
    assert _cubin(mrg_kernel, (_state_array("mrg32k3a"), types.float32[::1]))[:4] == b"\x7fELF"


@pytest.mark.parametrize("kind", ["sobol32", "scrambled_sobol32", "sobol64", "scrambled_sobol64"])
def test_sobol_kernels_with_cffi_pointers_link(compiled, kind):
    cffi = pytest.importorskip("cffi")
    from numba import cuda, types

    ffi = cffi.FFI()
    word = types.uint32 if kind.endswith("32") else types.uint64
    if kind.startswith("scrambled"):

        def setup(vectors, constants, states):
            i = cuda.grid(1)
            random.init(ffi.from_buffer(vectors[i:]), constants[i], 1234, states[i])
    else:

        def setup(vectors, constants, states):
            i = cuda.grid(1)
            random.init(ffi.from_buffer(vectors[i:]), 1234, states[i])

    def draw(states, out):
        i = cuda.grid(1)
        random.skipahead(3, states[i])
        out[i] = random.uniform_double(states[i]) + random.uniform(states[i]) + random.normal(states[i])
        out[i] += random.normal_double(states[i]) + random.log_normal(states[i], 0.0, 1.0) + random.rand(states[i])

    assert _cubin(setup, (word[:, ::1], word[::1], _state_array(kind)))[:4] == b"\x7fELF"
    assert _cubin(draw, (_state_array(kind), types.float64[::1]))[:4] == b"\x7fELF"


@needs_mathdx
def test_typing_errors_name_the_state_and_what_it_has(compiled):
    from numba import types
    from numba.core.errors import TypingError

    def xorwow_uniform4(states, out):
        v = random.uniform4(states[0])
        out[0] = v.x

    with pytest.raises(TypingError, match="uniform4 is not available for xorwow.*uniform_double"):
        _cubin(xorwow_uniform4, (_state_array("xorwow"), types.float32[::1]))

    def not_a_state(out):
        out[0] = random.uniform(out[0])

    with pytest.raises(TypingError, match="state argument is float32"):
        _cubin(not_a_state, (types.float32[::1],))

    def sobol_wrong_init(vectors, states):
        random.init(vectors, 7, 0, states[0])

    with pytest.raises(TypingError, match=r"sobol64 states takes \(direction_vectors, offset, state\)"):
        _cubin(sobol_wrong_init, (types.uint64[::1], _state_array("sobol64")))

    def philox_subsequence(states):
        random.skipahead_subsequence(1, states[0])

    with pytest.raises(TypingError, match="only MRG32k3a"):
        _cubin(philox_subsequence, (_state_array("philox4_32_10"),))


# -- Sobol': the Python definitions against host cuRAND --------------------------------------------


def _sobol_reference(vectors, c, offset, count):
    """Value at index i: XOR of the vectors of the set bits of gray(i), XOR c (NumPy)."""
    out = []
    for i in range(offset, offset + count):
        g, x, k = i ^ (i >> 1), int(c), 0
        while g:
            if g & 1:
                x ^= int(vectors[k])
            g >>= 1
            k += 1
        out.append(x)
    return np.array(out, dtype=vectors.dtype)


def _run_python_sobol(kind, vectors, c, offset, count):
    dtype = sobol.SOBOL_DTYPES[kind]
    one = dtype["i"].type(1)
    state = np.zeros(1, dtype)[0]
    if kind.startswith("scrambled"):
        sobol.scrambled_sobol_init(vectors, one.dtype.type(c), one.dtype.type(offset), state, one)
    else:
        sobol.sobol_init(vectors, one.dtype.type(offset), state, one)
    return np.array([sobol.sobol_next(state, one) for _ in range(count)], dtype=one.dtype)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["sobol32", "scrambled_sobol32", "sobol64", "scrambled_sobol64"]),
    st.integers(0, 2**20),
    st.integers(0, 2**12),
    st.integers(1, 40),
    st.integers(0, 2**31),
)
def test_python_sobol_init_next_and_skipahead_match_the_definition(kind, offset, skip, count, seed):
    bits = sobol.SOBOL_BITS[kind]
    word = np.uint32 if bits == 32 else np.uint64
    gen = np.random.default_rng(seed)
    vectors = gen.integers(0, 2**bits, bits, dtype=word)
    c = int(gen.integers(0, 2**bits, dtype=word)) if kind.startswith("scrambled") else 0
    got = _run_python_sobol(kind, vectors, c, offset, count)
    assert np.array_equal(got, _sobol_reference(vectors, c, offset, count))
    # skipahead(skip) after init(offset) is init(offset + skip)
    one = word(1)
    state = np.zeros(1, sobol.SOBOL_DTYPES[kind])[0]
    if c:
        sobol.scrambled_sobol_init(vectors, word(c), word(offset), state, one)
    else:
        sobol.sobol_init(vectors, word(offset), state, one)
    sobol.sobol_skipahead(word(skip), state, one)
    assert int(state["x"]) == int(_sobol_reference(vectors, c, offset + skip, 1)[0])


def _host_curand(rng_type, dimensions, count, long_long=False, uniform_double=False):
    g = curand.curandCreateGeneratorHost(rng_type)
    try:
        curand.curandSetQuasiRandomGeneratorDimensions(g, dimensions)
        dtype = np.float64 if uniform_double else (np.uint64 if long_long else np.uint32)
        out = np.empty(dimensions * count, dtype)
        fn = (
            curand.curandGenerateUniformDouble
            if uniform_double
            else (curand.curandGenerateLongLong if long_long else curand.curandGenerate)
        )
        fn(g, out.ctypes.data, out.size)
    finally:
        curand.curandDestroyGenerator(g)
    return out.reshape(dimensions, count)  # the host API writes dimension after dimension


@needs_curand
@pytest.mark.parametrize(
    "kind, rng_type, vector_set",
    [
        ("sobol32", curand.RngType.QUASI_SOBOL32, curand.DirectionVectorSet.DIRECTION_VECTORS_32_JOEKUO6),
        (
            "scrambled_sobol32",
            curand.RngType.QUASI_SCRAMBLED_SOBOL32,
            curand.DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_32_JOEKUO6,
        ),
        ("sobol64", curand.RngType.QUASI_SOBOL64, curand.DirectionVectorSet.DIRECTION_VECTORS_64_JOEKUO6),
        (
            "scrambled_sobol64",
            curand.RngType.QUASI_SCRAMBLED_SOBOL64,
            curand.DirectionVectorSet.SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6,
        ),
    ],
)
def test_python_sobol_is_host_curands_sequence(kind, rng_type, vector_set):
    bits = sobol.SOBOL_BITS[kind]
    dims, count = 5, 100
    if bits == 32:
        vectors = random.random_helpers.get_direction_vectors32(vector_set, dims)
        constants = random.random_helpers.get_scramble_constants32(dims)
    else:
        vectors = random.random_helpers.get_direction_vectors64(vector_set, dims)
        constants = random.random_helpers.get_scramble_constants64(dims)
    want = _host_curand(rng_type, dims, count, long_long=bits == 64)
    for d in range(dims):
        c = int(constants[d]) if kind.startswith("scrambled") else 0
        assert np.array_equal(_run_python_sobol(kind, vectors[d], c, 0, count), want[d]), f"dimension {d}"


@needs_curand
def test_helpers_return_read_only_tables_and_check_arguments():
    sets = random.random_helpers.DirectionVectorSet
    v = random.random_helpers.get_direction_vectors64(sets.DIRECTION_VECTORS_64_JOEKUO6, 7)
    assert v.shape == (7, 64) and v.dtype == np.uint64 and not v.flags.writeable
    # Dimension 0 of Sobol' is the van der Corput sequence: vector k is bit 63 - k.
    assert np.array_equal(v[0], np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64))
    assert random.random_helpers.get_scramble_constants32(3).shape == (3,)
    with pytest.raises(ValueError, match="size=20001"):
        random.random_helpers.get_scramble_constants64(20001)
    with pytest.raises(ValueError, match="set_=.*DIRECTION_VECTORS_32_JOEKUO6"):
        random.random_helpers.get_direction_vectors32(sets.DIRECTION_VECTORS_64_JOEKUO6, 2)
    with pytest.raises(curand.cuRANDError, match="CURAND_STATUS_"):
        curand.curandSetPseudoRandomGeneratorSeed(0, 1)


# -- GPU -------------------------------------------------------------------------------------------


def _launch(kernel, n, *args, threads=64):
    from numba import cuda

    kernel[(n + threads - 1) // threads, threads](*args)
    cuda.synchronize()


@pytest.mark.gpu
@needs_mathdx
def test_gpu_philox_rand4_follows_curands_offsets_in_32_bit_values():
    from numba import cuda

    compiled = random.Compile()
    draws, n = 5, 128

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def kernel(states, offsets, out):
        i = cuda.grid(1)
        if i < out.shape[0]:
            random.init(np.uint64(98765), i, offsets[i], states[i])
            for j in range(draws):
                v = random.rand4(states[i])
                out[i, 4 * j], out[i, 4 * j + 1], out[i, 4 * j + 2], out[i, 4 * j + 3] = v.x, v.y, v.z, v.w

    offsets = 4 * np.random.default_rng().integers(0, 2**30, n, dtype=np.uint64)
    out = cuda.device_array((n, 4 * draws), np.uint32)
    _launch(kernel, n, random.StatesPhilox4_32_10(n), cuda.to_device(offsets), out)
    got = out.copy_to_host()
    for i in range(n):
        assert np.array_equal(got[i], philox_stream(98765, i, int(offsets[i]), 4 * draws)), f"thread {i}"


@pytest.mark.gpu
@needs_mathdx
def test_gpu_xorwow_rand_is_curands_and_states_persist_across_launches():
    from numba import cuda

    compiled = random.Compile()
    n, draws = 96, 7
    seed = int(np.random.default_rng().integers(0, 2**63))

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def setup(states):
        i = cuda.grid(1)
        if i < states.shape[0]:
            random.init(np.uint64(seed), i, 5, states[i])

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def draw(states, out, column):
        i = cuda.grid(1)
        if i < states.shape[0]:
            for j in range(draws):
                out[i, column + j] = random.rand(states[i])

    states = random.StatesXORWOW(n)
    out = cuda.device_array((n, 2 * draws), np.uint32)
    _launch(setup, n, states)
    _launch(draw, n, states, out, 0)
    _launch(draw, n, states, out, draws)
    got = out.copy_to_host()
    for i in range(0, n, 7):
        assert np.array_equal(got[i], xorwow_stream(seed, i, 5, 2 * draws)), f"thread {i}"


@pytest.mark.gpu
@needs_curand
@pytest.mark.parametrize("scrambled", [False, True])
def test_gpu_sobol64_uniform_double_is_host_curands(scrambled):
    cffi = pytest.importorskip("cffi")
    from numba import cuda

    ffi = cffi.FFI()
    compiled = random.Compile()
    sets = random.random_helpers.DirectionVectorSet
    dims, count = 64, 200
    vector_set = sets.SCRAMBLED_DIRECTION_VECTORS_64_JOEKUO6 if scrambled else sets.DIRECTION_VECTORS_64_JOEKUO6
    vectors = cuda.to_device(random.random_helpers.get_direction_vectors64(vector_set, dims))
    constants = cuda.to_device(random.random_helpers.get_scramble_constants64(dims))

    if scrambled:
        states = random.StatesScrambledSobol64(dims)

        @cuda.jit(link=compiled.files, extensions=compiled.extension)
        def setup(vectors, constants, states):
            d = cuda.grid(1)
            if d < states.shape[0]:
                random.init(ffi.from_buffer(vectors[d:]), constants[d], 0, states[d])
    else:
        states = random.StatesSobol64(dims)

        @cuda.jit(link=compiled.files, extensions=compiled.extension)
        def setup(vectors, constants, states):
            d = cuda.grid(1)
            if d < states.shape[0]:
                random.init(ffi.from_buffer(vectors[d:]), 0, states[d])

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def draw(states, out):
        d = cuda.grid(1)
        if d < states.shape[0]:
            for j in range(out.shape[1]):
                out[d, j] = random.uniform_double(states[d])

    out = cuda.device_array((dims, count), np.float64)
    _launch(setup, dims, vectors, constants, states)
    _launch(draw, dims, states, out)
    rng_type = curand.RngType.QUASI_SCRAMBLED_SOBOL64 if scrambled else curand.RngType.QUASI_SOBOL64
    want = _host_curand(rng_type, dims, count, uniform_double=True)
    np.testing.assert_array_equal(out.copy_to_host(), want)


@pytest.mark.gpu
@needs_mathdx
def test_gpu_normal4_and_normal_moments():
    from numba import cuda

    compiled = random.Compile()
    n, draws = 4096, 64

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def kernel(philox, xorwow, out):
        i = cuda.grid(1)
        if i < out.shape[0]:
            random.init(1234, i, 0, philox[i])
            random.init(1234, i, 0, xorwow[i])
            for j in range(0, draws, 4):
                v = random.normal4(philox[i])
                out[i, j], out[i, j + 1], out[i, j + 2], out[i, j + 3] = v.x, v.y, v.z, v.w
                out[i, draws + j] = random.normal(xorwow[i])
                out[i, draws + j + 1] = random.normal(xorwow[i])
                p = random.normal2(xorwow[i])
                out[i, draws + j + 2], out[i, draws + j + 3] = p.x, p.y

    out = cuda.device_array((n, 2 * draws), np.float32)
    _launch(kernel, n, random.StatesPhilox4_32_10(n), random.StatesXORWOW(n), out)
    got = out.copy_to_host().astype(np.float64)
    for half in (got[:, :draws], got[:, draws:]):
        assert abs(half.mean()) < 5e-3 and abs(half.var() - 1) < 1e-2


# -- cuRAND's definitions over the generators: the reference, the state records, the kernels ------


def test_mrg32k3a_reference_subsequence_jump_is_lecuyers():
    # A1**(2**76) and A2**(2**76): the published constants of L'Ecuyer's RngStreams (A1p76, A2p76).
    a1 = ref.mrg_matrix_power(ref._MRG_A1, 2**76, ref.MRG_M1)
    a2 = ref.mrg_matrix_power(ref._MRG_A2, 2**76, ref.MRG_M2)
    assert a1[0] == [82758667, 1871391091, 4127413238] and a1[2] == [3672091415, 3528743235, 69195019]
    assert a2[0] == [1511326704, 3759209742, 1610795712]
    # skipahead(n) is n steps
    seed = int(np.random.default_rng().integers(1, 2**63))
    a, b = ref.MRG32k3a(seed, 0, 0), ref.MRG32k3a(seed, 0, 37)
    for _ in range(37):
        a.next()
    assert [a.next() for _ in range(5)] == [b.next() for _ in range(5)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(1, 5000), st.integers(1, ref.MRG_M1), st.integers(ref.MRG_M1 - 5000, ref.MRG_M1 - 1)))
def test_mrg_integer_is_recovered_from_curands_32_bits(p):
    from nvmath.device._random_face import mrg_integer_of_bits

    b = int(float(p) * ref.MRG_BITS_NORM)  # curand(curandStateMRG32k3a_t*)
    assert mrg_integer_of_bits(float(b)) == p


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-12, 2.0))
def test_reference_sinpi_cospi(v):
    s, c = ref.sinpi_cospi(v)
    assert abs(s - np.sin(np.pi * v)) < 1e-15 and abs(c - np.cos(np.pi * v)) < 1e-15


@pytest.mark.parametrize("kind", ["xorwow", "mrg32k3a", "philox4_32_10"])
def test_reference_single_normals_are_the_pairs_cached(kind):
    seed = int(np.random.default_rng().integers(0, 2**64, dtype=np.uint64))
    a, b = CurandState(kind, seed, 3, 5), CurandState(kind, seed, 3, 5)
    pairs = [b.normal2() for _ in range(3)]
    singles = [a.normal() for _ in range(6)]
    assert singles == [z for p in pairs for z in p]
    pairs = [b.normal2_double() for _ in range(2)]
    assert [a.normal_double() for _ in range(4)] == [z for p in pairs for z in p]
    z = b.normal2()
    got = [a.log_normal(0.25, 0.5), a.log_normal(0.25, 0.5)]
    np.testing.assert_allclose(got, np.exp(np.float32(0.25) + np.float32(0.5) * np.array(z)), rtol=1e-6)
    assert all(0.0 < a.uniform() <= 1.0 for _ in range(20)) and all(0.0 < a.uniform_double() <= 1.0 for _ in range(20))
    values = np.array([a.normal_double() for _ in range(4000)])
    assert abs(values.mean()) < 0.08 and abs(values.std() - 1.0) < 0.05


def test_reference_philox_words_follow_offsets_and_blocks():
    seed = int(np.random.default_rng().integers(0, 2**64, dtype=np.uint64))
    s = CurandState("philox4_32_10", seed, 2, 7)
    words = [s.rand()] + list(s.rand4()) + [s.rand()]
    assert words == philox_stream(seed, 2, 7, 6).tolist()
    s.skipahead(9)
    assert s.rand() == int(philox_stream(seed, 2, 7 + 6 + 9, 1)[0])


@pytest.mark.parametrize("kind", ["xorwow", "mrg32k3a", "philox4_32_10"])
def test_face_state_records_keep_curands_cache_after_the_engine(kind, compiled):
    # compiled: the face's target (sm_90), which a machine without a GPU cannot give.
    rng = random._face_generator(kind)
    dtype = random._face_state_dtype(kind)
    assert dtype.names[0] == rng.state_dtype.names[0] and dtype.fields[dtype.names[0]][1] == 0
    for name in ("boxmuller_flag", "boxmuller_flag_double", "boxmuller_extra", "boxmuller_extra_double"):
        assert name in dtype.names
    assert dtype.itemsize % max(int(rng.state_alignment), 8) == 0
    assert ("output" in dtype.names) == (kind == "philox4_32_10")


@needs_mathdx
def test_all_single_value_kernels_link(compiled):
    from numba import cuda, types

    def scalar_kernel(states, f, d, u):
        i = cuda.grid(1)
        random.init(np.uint64(99), i, 3, states[i])
        f[0] = random.normal(states[i])
        d[0] = random.normal_double(states[i])
        f[1] = random.uniform(states[i])
        d[1] = random.uniform_double(states[i])
        f[2] = random.log_normal(states[i], 0.5, 0.25)
        d[2] = random.log_normal_double(states[i], 0.5, 0.25)
        p = random.normal2(states[i])
        q = random.log_normal2_double(states[i], 0.0, 1.0)
        f[3], d[3] = p.y, q.x
        u[0] = random.rand(states[i])

    def philox_kernel(states, f, d, u):
        i = cuda.grid(1)
        random.init(np.uint64(99), i, 3, states[i])
        u[0] = random.rand(states[i])
        v = random.rand4(states[i])
        w = random.log_normal4(states[i], 0.0, 1.0)
        x = random.uniform2_double(states[i])
        random.skipahead(5, states[i])
        random.skipahead_sequence(1, states[i])
        f[0], d[0], u[1] = w.z, x.y, v.w

    def mrg_kernel(states, f, d, u):
        i = cuda.grid(1)
        random.init(np.uint64(99), i, 3, states[i])
        random.skipahead_subsequence(2, states[i])
        random.skipahead_sequence(1, states[i])
        f[0] = random.normal(states[i])

    args = (types.float32[::1], types.float64[::1], types.uint32[::1])
    for kind in ("xorwow", "mrg32k3a", "philox4_32_10"):
        assert _cubin(scalar_kernel, (_state_array(kind), *args))[:4] == b"\x7fELF", kind
    assert _cubin(philox_kernel, (_state_array("philox4_32_10"), *args))[:4] == b"\x7fELF"
    assert _cubin(mrg_kernel, (_state_array("mrg32k3a"), *args))[:4] == b"\x7fELF"


@needs_mathdx
def test_single_value_typing_errors(compiled):
    from numba import types
    from numba.core.errors import TypingError

    def philox_poisson(states, out):
        out[0] = random.poisson(states[0], 2.0)

    with pytest.raises(TypingError, match="poisson is not available for philox4_32_10.*uniform2_double"):
        _cubin(philox_poisson, (_state_array("philox4_32_10"), types.uint32[::1]))

    def log_normal_no_stddev(states, out):
        out[0] = random.log_normal(states[0], 1.0)

    with pytest.raises(TypingError, match=r"log_normal takes \(state, mean, stddev\)"):
        _cubin(log_normal_no_stddev, (_state_array("xorwow"), types.float32[::1]))

    def generator_state(states, out):
        out[0] = random.normal(states[0])

    from numba.cuda.np.numpy_support import from_dtype

    engine = types.Array(from_dtype(random._face_generator("xorwow").state_dtype), 1, "C")
    with pytest.raises(TypingError, match="States\\* array"):
        _cubin(generator_state, (engine, types.float32[::1]))


# The float32 functions use __sincosf on the device as cuRAND does (absolute error up to 2**-20.5,
# times the radius sqrt(-2 log u) <= 6.7) and may fuse multiply-adds: an absolute term as well.
F32_TOL = {"rtol": 2e-6, "atol": 8e-6}
F64_TOL = {"rtol": 1e-14, "atol": 1e-15}
_MEAN, _STDDEV = 0.25, 0.5


def _draw_script(s):
    """What the ``draw`` kernel below calls, in order, on the reference state ``s``:
    (float32 values, float64 values, uint32 values)."""
    f, d, u = [], [], []
    f += [s.normal() for _ in range(3)]  # odd: the third leaves a value in the state
    d += [s.normal_double() for _ in range(3)]
    f.append(s.uniform())
    d.append(s.uniform_double())
    f += [s.log_normal(_MEAN, _STDDEV) for _ in range(3)]
    d.append(s.log_normal_double(_MEAN, _STDDEV))
    f += list(s.normal2())
    d += list(s.normal2_double())
    f += list(s.log_normal2(-_MEAN, _STDDEV))
    d += list(s.log_normal2_double(-_MEAN, _STDDEV))
    u.append(s.rand())
    f.append(s.normal())  # after a log-normal's cached value: a fresh pair, one kept
    return f, d, u


def _draw_kernel(compiled):
    from numba import cuda

    mean, stddev = np.float32(_MEAN), np.float32(_STDDEV)

    @cuda.jit(link=compiled.files, extensions=compiled.extension)
    def draw(states, f, d, u):
        i = cuda.grid(1)
        if i < states.shape[0]:
            s = states[i]
            f[i, 0] = random.normal(s)
            f[i, 1] = random.normal(s)
            f[i, 2] = random.normal(s)
            d[i, 0] = random.normal_double(s)
            d[i, 1] = random.normal_double(s)
            d[i, 2] = random.normal_double(s)
            f[i, 3] = random.uniform(s)
            d[i, 3] = random.uniform_double(s)
            f[i, 4] = random.log_normal(s, mean, stddev)
            f[i, 5] = random.log_normal(s, mean, stddev)
            f[i, 6] = random.log_normal(s, mean, stddev)
            d[i, 4] = random.log_normal_double(s, np.float64(_MEAN), np.float64(_STDDEV))
            p = random.normal2(s)
            f[i, 7], f[i, 8] = p.x, p.y
            q = random.normal2_double(s)
            d[i, 5], d[i, 6] = q.x, q.y
            r = random.log_normal2(s, -mean, stddev)
            f[i, 9], f[i, 10] = r.x, r.y
            t = random.log_normal2_double(s, -np.float64(_MEAN), np.float64(_STDDEV))
            d[i, 7], d[i, 8] = t.x, t.y
            u[i, 0] = random.rand(s)
            f[i, 11] = random.normal(s)

    return draw


def _setup_kernel(compiled, kind):
    from numba import cuda

    if kind == "philox4_32_10":

        @cuda.jit(link=compiled.files, extensions=compiled.extension)
        def setup(seed, offsets, states, f, d, u):
            i = cuda.grid(1)
            if i < states.shape[0]:
                s = states[i]
                random.init(seed, i, offsets[i], s)
                u[i, 0] = random.rand(s)  # the block is now entered in the middle
                v = random.rand4(s)
                u[i, 1], u[i, 2], u[i, 3], u[i, 4] = v.x, v.y, v.z, v.w
                w = random.uniform4(s)
                f[i, 0], f[i, 1], f[i, 2], f[i, 3] = w.x, w.y, w.z, w.w
                x = random.normal4(s)
                f[i, 4], f[i, 5], f[i, 6], f[i, 7] = x.x, x.y, x.z, x.w
                y = random.uniform2_double(s)
                d[i, 0], d[i, 1] = y.x, y.y
                random.skipahead(np.uint64(5), s)
                random.skipahead_sequence(np.uint64(1), s)
                f[i, 8] = random.uniform(s)
                d[i, 2] = random.uniform_double(s)

    elif kind == "mrg32k3a":

        @cuda.jit(link=compiled.files, extensions=compiled.extension)
        def setup(seed, offsets, states, f, d, u):
            i = cuda.grid(1)
            if i < states.shape[0]:
                s = states[i]
                random.init(seed, i, offsets[i], s)
                u[i, 0] = random.rand(s)
                random.skipahead(np.uint64(7), s)
                random.skipahead_subsequence(np.uint64(1), s)
                f[i, 8] = random.uniform(s)
                d[i, 2] = random.uniform_double(s)

    else:

        @cuda.jit(link=compiled.files, extensions=compiled.extension)
        def setup(seed, offsets, states, f, d, u):
            i = cuda.grid(1)
            if i < states.shape[0]:
                s = states[i]
                random.init(seed, i, offsets[i], s)
                u[i, 0] = random.rand(s)
                random.skipahead(np.uint64(9), s)
                f[i, 8] = random.uniform(s)
                d[i, 2] = random.uniform_double(s)

    return setup


def _setup_script(kind, s):
    f, d, u = [0.0] * 9, [0.0] * 3, [0] * 5  # what the setup kernel leaves where it draws nothing
    u[0] = s.rand()
    if kind == "philox4_32_10":
        u[1:5] = s.rand4()
        f[0:4] = s.uniform4()
        f[4:8] = s.normal4()
        d[0:2] = s.uniform2_double()
        s.skipahead(5)
        s.skipahead_sequence(1)
    elif kind == "mrg32k3a":
        s.skipahead(7)
        s.skipahead(1 << 76)  # skipahead_subsequence(1)
    else:
        s.skipahead(9)
    f[8] = s.uniform()
    d[2] = s.uniform_double()
    return f, d, u


@pytest.mark.gpu
@needs_mathdx
@pytest.mark.parametrize(
    "kind",
    ["xorwow", "mrg32k3a", "philox4_32_10"],
)
def test_gpu_single_values_are_curands_sequences(kind):
    """init, then a setup kernel, then the same draws in two launches (the state, its block and
    its cached Box-Muller value carried across launches), against cuRAND's definitions."""
    from numba import cuda

    compiled = random.Compile()
    gen = np.random.default_rng()
    n, launches = 64, 2
    seed = np.uint64(gen.integers(0, 2**63))
    high = {"xorwow": 20, "mrg32k3a": 2**40, "philox4_32_10": 2**40}[kind]
    offsets = gen.integers(0, high, n, dtype=np.uint64)
    states = {"xorwow": random.StatesXORWOW, "mrg32k3a": random.StatesMRG32k3a}.get(kind, random.StatesPhilox4_32_10)(n)

    sf, sd, su = (cuda.to_device(np.zeros((n, k), t)) for k, t in ((9, np.float32), (3, np.float64), (5, np.uint32)))
    _launch(_setup_kernel(compiled, kind), n, seed, cuda.to_device(offsets), states, sf, sd, su)
    draw = _draw_kernel(compiled)
    got = []
    for _ in range(launches):
        f, d, u = (cuda.to_device(np.zeros((n, k), t)) for k, t in ((12, np.float32), (9, np.float64), (1, np.uint32)))
        _launch(draw, n, states, f, d, u)
        got.append((f.copy_to_host(), d.copy_to_host(), u.copy_to_host()))
    sf, sd, su = sf.copy_to_host(), sd.copy_to_host(), su.copy_to_host()

    threads = range(0, n, 9) if kind == "xorwow" else range(n)  # XORWOW's reference jumps slowly
    for i in threads:
        s = CurandState(kind, int(seed), i, int(offsets[i]))
        f, d, u = _setup_script(kind, s)
        where = f"{kind}, thread {i}, setup"
        assert su[i].tolist() == u, where
        np.testing.assert_allclose(sf[i], np.array(f, np.float32), **F32_TOL, err_msg=where)
        np.testing.assert_allclose(sd[i], np.array(d), **F64_TOL, err_msg=where)
        for launch, (gf, gd, gu) in enumerate(got):
            f, d, u = _draw_script(s)
            where = f"{kind}, thread {i}, launch {launch}"
            assert gu[i].tolist() == u, where
            np.testing.assert_allclose(gf[i, :4], np.array(f[:4], np.float32), **F32_TOL, err_msg=where)
            np.testing.assert_allclose(gf[i, 7:9], np.array(f[7:9], np.float32), **F32_TOL, err_msg=where)
            np.testing.assert_allclose(gf[i, 11], np.float32(f[11]), **F32_TOL, err_msg=where)
            # log-normals: exp scales the normal's absolute error by the value
            np.testing.assert_allclose(gf[i, 4:7], np.array(f[4:7], np.float32), rtol=1e-5, err_msg=where)
            np.testing.assert_allclose(gf[i, 9:11], np.array(f[9:11], np.float32), rtol=1e-5, err_msg=where)
            np.testing.assert_allclose(gd[i], np.array(d), **F64_TOL, err_msg=where)


def test_device_package_still_exports_random():
    assert nvmath.device.random is random
