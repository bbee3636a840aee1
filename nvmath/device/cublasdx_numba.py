"""nvmath-python's ``nvmath.device.cublasdx_numba``: the Numba typing of :class:`Matmul`
objects and of cuBLASDx pipelines (importing this module imports Numba).

``pipeline_extensions`` goes to ``numba.cuda.jit(extensions=...)`` of kernels that take a
:class:`~nvmath.device.cublasdx.DevicePipeline` argument.
"""

from ._cublasdx_numba import MatmulType
from ._cublasdx_pipeline_numba import DevicePipelineType, TilePipelineType, pipeline_extensions

__all__ = ["MatmulType", "DevicePipelineType", "TilePipelineType", "pipeline_extensions"]
