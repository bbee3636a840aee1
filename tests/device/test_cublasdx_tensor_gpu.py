"""cuBLASDx's tensor API on the GPU against NumPy: global -> shared copies, execute into register
tensors, copy_fragment and axpby, as nvmath-python's tensor examples write them."""

import numpy as np
import pytest

mathdx = pytest.importorskip("nvmath.bindings.mathdx")

from nvmath.device import Matmul  # noqa: E402
from nvmath.device.common import axpby, clear, copy, copy_fragment, copy_wait, make_tensor  # noqa: E402
from tests.libraries import needs  # noqa: E402

needs_library = needs("libmathdx", mathdx.cublasdxGetVersion)
pytestmark = [pytest.mark.gpu, needs_library]

TOL = {np.float32: 1e-5, np.float64: 1e-12}


@pytest.mark.parametrize(
    "precision, data_type, arrangement",
    [
        (np.float32, "real", ("row_major", "col_major", "col_major")),
        (np.float64, "real", ("col_major", "row_major", "row_major")),
        (np.float32, "complex", ("row_major", "col_major", "col_major")),
        (np.float64, "complex", ("col_major", "col_major", "row_major")),
    ],
)
def test_tensor_gemm_matches_numpy(precision, data_type, arrangement):
    from numba import cuda

    rng = np.random.default_rng()
    mm = Matmul((32, 16, 24), precision, data_type, arrangement=arrangement, execution="Block", block_size=128)
    a_layout, b_layout, c_layout = mm.suggest_layout_smem_a(), mm.suggest_layout_smem_b(), mm.suggest_layout_rmem_c()
    dtype = {("real", np.float32): np.float32, ("real", np.float64): np.float64}.get(
        (data_type, precision), np.complex64 if precision is np.float32 else np.complex128
    )

    @cuda.jit
    def f(alpha, a, b, beta, c, output):
        smem = cuda.shared.array(shape=(0,), dtype=dtype, alignment=16)
        sa, smem = smem[: a_layout.cosize], smem[a_layout.cosize :]
        sb = smem[: b_layout.cosize]
        acc_buf = cuda.local.array(shape=(c_layout.cosize,), dtype=dtype)
        c_buf = cuda.local.array(shape=(c_layout.cosize,), dtype=dtype)
        ta, tb = make_tensor(sa, a_layout), make_tensor(sb, b_layout)
        acc, rc = make_tensor(acc_buf, c_layout), make_tensor(c_buf, c_layout)
        copy(make_tensor(a, mm.get_layout_gmem_a()), ta)
        copy(make_tensor(b, mm.get_layout_gmem_b()), tb)
        clear(acc)
        copy_wait()
        mm.execute(ta, tb, acc)
        copy_fragment(make_tensor(c, mm.get_layout_gmem_c()), rc)
        axpby(alpha, acc, beta, rc)
        copy_fragment(rc, make_tensor(output, mm.get_layout_gmem_c()))

    def rand(shape, major):
        x = rng.standard_normal(shape)
        if data_type == "complex":
            x = x + 1j * rng.standard_normal(shape)
        return np.asarray(x.astype(dtype), order="C" if major == "row_major" else "F")

    a, b, c = rand(mm.a_dim, arrangement[0]), rand(mm.b_dim, arrangement[1]), rand(mm.c_dim, arrangement[2])
    alpha, beta = 1.5, -0.75
    out = cuda.to_device(np.empty_like(c))
    smem = mm.get_shared_storage_size_ab(a_layout, b_layout)
    f[1, mm.block_dim, 0, smem](alpha, cuda.to_device(a), cuda.to_device(b), beta, cuda.to_device(c), out)
    cuda.synchronize()
    ref = alpha * (a.astype(np.complex128 if data_type == "complex" else np.float64) @ b) + beta * c
    got = out.copy_to_host()
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < TOL[precision]


@pytest.mark.parametrize("suggested", [True, False])
def test_accumulator_with_wider_c_matches_numpy(suggested):
    """An accumulator, its results widened to float64 and combined with a float64 C."""
    from numba import cuda

    from nvmath.device.common import make_fragment_like

    rng = np.random.default_rng()
    arrangement = ("col_major", "row_major", "row_major")
    mm = Matmul((64, 32, 32), (np.float16, np.float16, np.float32), "real", arrangement=arrangement, block_size=128)
    a_layout, b_layout = mm.suggest_layout_smem_a(), mm.suggest_layout_smem_b()
    if not suggested:
        a_layout, b_layout = mm.get_layout_smem_a(), mm.get_layout_smem_b()
    alpha, beta = 2.0, -0.5

    @cuda.jit
    def f(a, b, c):
        smem = cuda.shared.array(shape=(0,), dtype=np.float16, alignment=16)
        sa, smem = smem[: a_layout.cosize], smem[a_layout.cosize :]
        sb = smem[: b_layout.cosize]
        ta, tb = make_tensor(sa, a_layout), make_tensor(sb, b_layout)
        copy(make_tensor(a, mm.get_layout_gmem_a()), ta)
        copy(make_tensor(b, mm.get_layout_gmem_b()), tb)
        copy_wait()
        gmem_c = make_tensor(c, mm.get_layout_gmem_c())
        accumulator = mm.suggest_accumulator() if suggested else mm.get_accumulator()
        mm.execute(ta, tb, accumulator)
        results = accumulator.get_results()
        wide = make_fragment_like(results, np.float64)
        for i in range(results.layout.cosize):
            wide[i] = np.float64(results[i])
        c_frag = accumulator.make_partition_and_copy(gmem_c)
        axpby(alpha, wide, beta, c_frag)
        accumulator.partition_and_copy(c_frag, gmem_c)

    a = np.asfortranarray(rng.standard_normal(mm.a_dim).astype(np.float16))
    b = np.ascontiguousarray(rng.standard_normal(mm.b_dim).astype(np.float16))
    c = rng.standard_normal(mm.c_dim)
    c_d = cuda.to_device(c)
    f[1, mm.block_dim, 0, mm.get_shared_storage_size_ab(a_layout, b_layout)](cuda.to_device(a), cuda.to_device(b), c_d)
    cuda.synchronize()
    ref = alpha * (a.astype(np.float64) @ b.astype(np.float64)) + beta * c
    assert np.linalg.norm(c_d.copy_to_host() - ref) / np.linalg.norm(ref) < 1e-5


def test_empty_fragment_round_trip_through_registers():
    """make_empty_fragment() (nvmath-python's name): C into a register fragment, doubled there,
    stored back, against NumPy."""
    from numba import cuda

    mm = Matmul((32, 32, 16), np.float32, "real", arrangement=("row_major", "col_major", "col_major"), block_size=128)
    c_size = mm.suggest_layout_rmem_c().size

    @cuda.jit
    def f(c, out):
        accumulator = mm.suggest_accumulator()
        frag = accumulator.make_empty_fragment()
        accumulator.partition_and_copy(make_tensor(c, mm.get_layout_gmem_c()), frag)
        for i in range(c_size):
            frag[i] = frag[i] * np.float32(2)
        accumulator.partition_and_copy(frag, make_tensor(out, mm.get_layout_gmem_c()))

    c = np.asfortranarray(np.random.default_rng().standard_normal((32, 32)).astype(np.float32))
    d_c, d_out = cuda.to_device(c), cuda.to_device(np.asfortranarray(np.zeros_like(c)))
    f[1, mm.block_dim](d_c, d_out)
    np.testing.assert_array_equal(d_out.copy_to_host(), 2 * c)


def test_a_shared_array_short_of_its_layout_fails_the_launch_naming_it(tmp_path):
    # A shared tensor made of one element fewer than its layout's cosize: the launch fails with
    # a device-side assertion whose report names make_tensor, the layout and the byte counts;
    # the same kernel with the whole slice runs.
    import re

    from tests.device.child import run_failing_script

    out = run_failing_script(
        tmp_path,
        """
        import numpy as np
        from numba import cuda
        from nvmath.device import Matmul
        from nvmath.device.common import make_tensor
        mm = Matmul(size=(16, 16, 16), precision=np.float32, data_type="real",
                    arrangement=("col_major",) * 3, execution="Block", block_size=64)
        layout = mm.suggest_layout_smem_a()
        cosize = layout.cosize

        @cuda.jit
        def kernel(n, out):
            smem = cuda.shared.array(shape=(0,), dtype=np.float32, alignment=16)
            make_tensor(smem[:n], layout)
            out[0] = 1.0

        out = cuda.to_device(np.zeros(1, np.float32))
        kernel[1, mm.block_dim, 0, cosize * 4](cosize, out)
        cuda.synchronize()
        assert out.copy_to_host()[0] == 1.0
        print("the whole slice ran", flush=True)
        kernel[1, mm.block_dim, 0, cosize * 4](cosize - 1, out)
        cuda.synchronize()
        """,
    )
    assert "the whole slice ran" in out, out
    m = re.search(
        r"make_tensor\(suggested_smem_a of [^)]*\): argument 0 \(array\) holds (\d+) bytes, but needs at least (\d+)",
        out,
    )
    assert m and int(m.group(2)) - int(m.group(1)) == 4, out
