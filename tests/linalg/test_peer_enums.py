"""nvmath-python's enums as its users pass them to MatmulOptions (CPU execution)."""

import numpy as np
import pytest

import nvmath
from nvmath.linalg.advanced import MatmulComputeType, MatmulOptions, matmul


def test_top_level_enums_have_cuda_values():
    # cudaDataType_t and libraryPropertyType_t from CUDA's library_types.h.
    assert (nvmath.CudaDataType.CUDA_R_32F, nvmath.CudaDataType.CUDA_C_64F) == (0, 5)
    assert (nvmath.CudaDataType.CUDA_R_16BF, nvmath.CudaDataType.CUDA_R_8F_E4M3) == (14, 28)
    assert nvmath.LibraryPropertyType.PATCH_LEVEL == 2
    assert nvmath.ComputeType.COMPUTE_32F == 4
    assert {"CudaDataType", "ComputeType", "LibraryPropertyType"} <= set(nvmath.__all__)


def test_matmul_compute_type_is_cublas_compute_type():
    assert MatmulComputeType.COMPUTE_32F_FAST_TF32 == 77 and MatmulComputeType.COMPUTE_64F == 70


def test_options_take_the_peer_enums_and_the_product_is_right():
    rng = np.random.default_rng()
    a, b = rng.standard_normal((7, 5)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32)
    options = MatmulOptions(
        compute_type=MatmulComputeType.COMPUTE_32F_FAST_TF32, scale_type=nvmath.CudaDataType.CUDA_R_32F
    )
    assert options.compute_type == 77 and options.scale_type == 0
    d = matmul(a, b, options=options)
    np.testing.assert_allclose(d, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


def test_a_scale_type_no_matmul_takes_is_refused():
    with pytest.raises(ValueError, match="scale_type"):
        MatmulOptions(scale_type=nvmath.CudaDataType.CUDA_R_8I)
