"""nvmath.device's vector types (float16x2, float16x4, float32x2, float64x2) inside kernels:
construction, fields, arithmetic of halves, conversions to and from complex numbers. Compiled
without a GPU; values checked on the GPU."""

import numpy as np
import pytest

pytest.importorskip("numba.cuda")

from nvmath.device import types as dtypes


def _vectors():
    import nvmath.device as d

    return d


def test_types_and_names():
    d = _vectors()
    assert str(d.float16x2_type) == "float16x2" and d.float16x4_type.count == 4
    assert d.float32x2_type.bitwidth == 64 and d.float64x2_type.bitwidth == 128
    assert d.float16x2.__name__ == "float16x2" and "kernels" in d.float16x4.__doc__
    with pytest.raises(RuntimeError, match="inside numba.cuda.jit kernels"):
        d.float32x2(1.0, 2.0)
    # the host-side value types are these Numba types inside kernels
    assert dtypes.half4._numba_type is d.float16x4_type and dtypes.complex32._numba_type is d.float16x2_type
    # as nvmath-python: complex values of the device APIs are float2/double2 in kernels
    assert dtypes.complex64._numba_type is d.float32x2_type
    assert dtypes.complex128._numba_type is d.float64x2_type


def test_data_model_is_aligned_like_cuda_vectors():
    from numba.cuda.descriptor import cuda_target

    d = _vectors()
    ctx = cuda_target.target_context
    for vt, size in ((d.float16x2_type, 4), (d.float16x4_type, 8), (d.float32x2_type, 8), (d.float64x2_type, 16)):
        assert ctx.get_abi_sizeof(ctx.get_data_type(vt)) == size
        assert ctx.get_abi_alignment(ctx.get_data_type(vt)) == size


def _kernel():
    from numba import cuda

    d = _vectors()
    float16x2, float16x4, float32x2, float64x2 = d.float16x2, d.float16x4, d.float32x2, d.float64x2
    f16x4, f16x2 = d.float16x4_type, d.float16x2_type

    def kernel(h, c64, c128, out16):
        # halves: construction from any float, fields, element-wise arithmetic
        a = float16x4(h[0], h[1], h[2], h[3])
        b = float16x4(h[4], h[5], h[6], h[7])
        local = cuda.local.array(shape=(2,), dtype=f16x4)
        local[0] = a + b
        local[1] = a * b - b
        s, p = local[0], local[1]
        out16[0], out16[1], out16[2], out16[3] = s.x, s.y, s.z, s.w
        out16[4], out16[5], out16[6], out16[7] = p.x, p.y, p.z, p.w
        pairs = cuda.local.array(shape=(1,), dtype=f16x2)
        pairs[0] = float16x2(h[0], np.float32(h[1])) * float16x2(h[2], h[3])
        out16[8], out16[9] = pairs[0].x, pairs[0].y
        # pairs convert to and from complex numbers
        z = float32x2(c64[0].real, c64[0].imag)
        c64[1] = z  # float32x2 -> complex64
        c64[2] = z * c64[0]  # complex arithmetic
        c64[3] = float32x2(c64[0])  # from a complex value
        c128[1] = float64x2(c128[0].imag, c128[0].real)
        c128[2] = float32x2(1.5, -2.5)  # widened to complex128
        # arrays of the value type (float32x2): what code written for complex arrays does
        values = cuda.shared.array(shape=(2,), dtype=dtypes.complex64)
        values[0] = c64[0]
        values[1] = values[0] * 2.0 + 1j  # complex arithmetic, stored back as a pair
        c64[4] = values[1]
        c64[5] = complex(values[0].imag, values[0].real)
        c64[6] = values[0].conjugate()
        c128[3] = abs(values[0])

    return kernel


def _signature():
    from numba import types

    return (types.float16[::1], types.complex64[::1], types.complex128[::1], types.float16[::1])


def test_vector_operations_compile_without_a_gpu():
    from numba import cuda

    ptx, _ = cuda.compile_ptx(_kernel(), _signature(), cc=(9, 0))
    assert "f16" in ptx and "mul" in ptx  # halves stored, complex products computed


def test_value_type_arrays_take_one_access_an_element():
    """A shared array of the complex64 value type stores and loads each element with one 8-byte
    access (Numba's complex64 takes two 4-byte ones), as CUDA's float2 does."""
    from numba import cuda, types

    def kernel(src, dst):
        i = cuda.threadIdx.x
        smem = cuda.shared.array(shape=(64,), dtype=dtypes.complex64)
        smem[i] = src[i]
        cuda.syncthreads()
        dst[i] = smem[63 - i].conjugate()

    ptx, _ = cuda.compile_ptx(kernel, (types.complex64[::1], types.complex64[::1]), cc=(9, 0))
    shared = [line.split()[0] for line in ptx.splitlines() if ".shared." in line and line.strip()[:2] in ("st", "ld")]
    assert shared == ["st.shared.v2.f32", "ld.shared.v2.f32"], shared


@pytest.mark.parametrize(
    ("dtype", "vector", "width"), [("complex64", "float32x2_type", "f32"), ("complex128", "float64x2_type", "f64")]
)
def test_global_complex_arrays_viewed_as_vectors_compile_to_one_access_an_element(monkeypatch, dtype, vector, width):
    """The path kernel authors are told to take (``data.view(fft.value_type)``), compiled
    without a GPU: one vector load and store an element, none of two scalars."""
    import types as pytypes

    from numba import cuda, types
    from numba.cuda import dispatcher

    # numba-cuda 0.30 compiles the device function behind ``ndarray.view`` for the current
    # device even under compile_ptx(cc=...): without a GPU, stand one in (the cc is compile_ptx's).
    if not cuda.is_available():
        monkeypatch.setattr(
            dispatcher, "get_current_device", lambda: pytypes.SimpleNamespace(compute_capability=(9, 0))
        )
    vt = getattr(_vectors(), vector)

    def kernel(a, out):
        av, ov = a.view(vt), out.view(vt)
        i = cuda.grid(1)
        if i < out.shape[0]:
            ov[i] = av[i] * av[i] + av[(i + 1) % out.shape[0]]

    arr = getattr(types, dtype)[::1]
    ptx, _ = cuda.compile_ptx(kernel, (arr, arr), cc=(9, 0))
    accesses = [line.split()[0] for line in ptx.splitlines() if ".global." in line and line.strip()[:2] in ("ld", "st")]
    assert accesses and all(a.endswith(f".v2.{width}") for a in accesses), accesses
    assert sum(a.startswith("ld") for a in accesses) == 2 and sum(a.startswith("st") for a in accesses) == 1, accesses


def test_half_arithmetic_does_not_take_over_complex_arithmetic():
    from numba import cuda, types

    _vectors()

    def kernel(c):
        c[0] = c[1] * c[2] + c[3] - c[1]

    ptx, resty = cuda.compile_ptx(kernel, (types.complex64[::1],), cc=(9, 0))
    assert "f16" not in ptx and ("fma.rn.f32" in ptx or "mul.f32" in ptx)


def test_constructor_typing_errors():
    from numba import cuda, types
    from numba.core.errors import TypingError

    d = _vectors()
    float16x4 = d.float16x4

    def kernel(h):
        v = float16x4(h[0], h[1])  # four values needed
        h[0] = v.x

    with pytest.raises(TypingError):
        cuda.compile_ptx(kernel, (types.float16[::1],), cc=(9, 0))


def test_deprecated_make_of_complex_and_vector_types():
    from numba import cuda, types

    d = _vectors()
    for owner, numba_type in (
        (d.complex64, d.float32x2_type),
        (d.complex128, d.float64x2_type),
        (d.half2, d.float16x2_type),
        (d.half4, d.float16x4_type),
    ):
        with pytest.warns(DeprecationWarning, match=f"{owner!r}.make is deprecated.*{numba_type.name}_type.make"):
            make = owner.make
        assert make is numba_type.make
    with pytest.warns(DeprecationWarning):
        make_c64 = d.complex64.make

    def kernel(out, x):
        v = make_c64(x[0], x[1])
        out[0] = v.y
        out[1] = v.x

    ptx, _ = cuda.compile_ptx(kernel, (types.float32[::1], types.float32[::1]), cc=(9, 0))
    assert "st.global.f32" in ptx or "st.global.v2.f32" in ptx


@pytest.mark.gpu
def test_vector_values_on_the_gpu():
    from numba import cuda

    rng = np.random.default_rng()
    h = rng.uniform(0.5, 2.0, 8).astype(np.float16)
    c64 = np.zeros(7, np.complex64)
    c64[0] = complex(*rng.standard_normal(2))
    c128 = np.zeros(4, np.complex128)
    c128[0] = complex(*rng.standard_normal(2))
    out16 = np.zeros(10, np.float16)
    d_h, d_c64, d_c128, d_out = (cuda.to_device(a) for a in (h, c64, c128, out16))
    cuda.jit(_kernel())[1, 1](d_h, d_c64, d_c128, d_out)
    out16, c64, c128 = d_out.copy_to_host(), d_c64.copy_to_host(), d_c128.copy_to_host()
    a, b = h[:4].astype(np.float32), h[4:].astype(np.float32)
    np.testing.assert_allclose(out16[:4], a + b, rtol=2e-3)
    np.testing.assert_allclose(out16[4:8], a * b - b, rtol=5e-3, atol=5e-3)
    np.testing.assert_allclose(out16[8:], [h[0] * h[2], h[1] * h[3]], rtol=2e-3)
    assert c64[1] == c64[0] and c64[3] == c64[0]
    np.testing.assert_allclose(c64[2], c64[0] * c64[0], rtol=1e-6)
    assert c128[1] == complex(c128[0].imag, c128[0].real) and c128[2] == complex(1.5, -2.5)
    z = c64[0]
    np.testing.assert_allclose(c64[4], z * 2 + 1j, rtol=1e-6)
    assert c64[5] == complex(z.imag, z.real) and c64[6] == np.conj(z)
    np.testing.assert_allclose(c128[3], abs(z), rtol=1e-6)


def test_half_pair_arithmetic_is_element_wise_whatever_was_compiled_first():
    # Numba types a call with the first template that takes it, and templates registered after
    # a kernel was compiled come after its own: complex arithmetic must not take float16x2 over
    # where a kernel was compiled before nvmath.device's vector types were imported.
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import numpy as np
        from numba import cuda, types
        def first(x):
            x[0] = x[1] * x[2]
        cuda.compile_ptx(first, (types.complex64[::1],), cc=(9, 0))
        from nvmath.device import float16x2
        def kernel(h):
            p = float16x2(h[0], h[1]) * float16x2(h[2], h[3])
            h[4], h[5] = p.x, p.y
        ptx, _ = cuda.compile_ptx(kernel, (types.float16[::1],), cc=(9, 0))
        print("half-products", ptx.count("_ZmlRK6__half"), "f32-math", ptx.count("mul.f32") + ptx.count("fma.rn.f32"))
        def store(h, c):
            c[0] = float16x2(h[0], h[1])  # into a complex64 array: widened, part by part
        ptx, _ = cuda.compile_ptx(store, (types.float16[::1], types.complex64[::1]), cc=(9, 0))
        print("widened", ptx.count("cvt.f32.f16"))
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert "half-products" in run.stdout, run.stdout + run.stderr
    words = run.stdout.split()
    calls, f32_math = int(words[words.index("half-products") + 1]), int(words[words.index("f32-math") + 1])
    assert calls >= 2 and f32_math == 0, run.stdout
    assert int(words[words.index("widened") + 1]) == 2, run.stdout


def test_half_pairs_load_from_and_store_into_2d_complex_arrays():
    # As nvmath-python's complex-half GEMM example moves complex64 matrices through a complex32
    # (float16x2) shared array: narrowed on the way in, widened on the way out, part by part.
    from numba import cuda, types

    d = _vectors()

    def kernel(a, out):
        smem = cuda.shared.array(shape=(8,), dtype=d.float16x2_type)
        i = cuda.threadIdx.x
        smem[i] = a[i, 0]
        cuda.syncthreads()
        out[i, 1] = smem[7 - i]

    ptx, _ = cuda.compile_ptx(kernel, (types.complex64[:, ::1], types.complex64[:, ::1]), cc=(9, 0))
    assert ptx.count("cvt.rn.f16.f32") == 2 and ptx.count("cvt.f32.f16") == 2, ptx


@pytest.mark.gpu
@pytest.mark.parametrize(
    ("dtype", "vector", "width"), [(np.complex64, "float32x2_type", "f32"), (np.complex128, "float64x2_type", "f64")]
)
def test_global_complex_arrays_viewed_as_vectors_take_one_access_an_element(dtype, vector, width):
    # What kernel authors are told to write (docs/device_fft_knobs.md): a global complex array
    # viewed as the value type is read and written one aligned vector access an element, where
    # Numba's own complex indexing makes two scalar ones; values and arithmetic are unchanged.
    from numba import cuda

    vt = getattr(_vectors(), vector)

    def kernel(a, b, out):
        av, bv, ov = a.view(vt), b.view(vt), out.view(vt)
        i, j = cuda.grid(2)
        if i < out.shape[0] and j < out.shape[1]:
            ov[i, j] = av[i, j] * bv[i, j] + av[i, (j + 1) % out.shape[1]]

    rng = np.random.default_rng()
    shape = (37, 65)
    a, b = ((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype) for _ in range(2))
    d_a, d_b = cuda.to_device(a), cuda.to_device(b)
    d_out = cuda.device_array(shape, dtype)
    jitted = cuda.jit(kernel)
    jitted[(3, 5), (16, 16)](d_a, d_b, d_out)
    expected = a * b + np.roll(a, -1, axis=1)
    np.testing.assert_allclose(d_out.copy_to_host(), expected, rtol=1e-5 if dtype == np.complex64 else 1e-12)
    ptx = next(iter(jitted.inspect_asm().values()))
    assert f"ld.global.v2.{width}" in ptx and f"st.global.v2.{width}" in ptx
    assert f"ld.global.{width} " not in ptx and f"st.global.{width} " not in ptx
