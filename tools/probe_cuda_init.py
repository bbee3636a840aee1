"""What CUDA initialization costs in a fresh process (diagnostic).

python tools/probe_cuda_init.py {driver-first|runtime-first}
"""

import sys
import time

t = time.perf_counter()
from cuda.bindings import driver, runtime  # noqa: E402

marks = [("import cuda.bindings", time.perf_counter() - t)]


def step(name, fn):
    t = time.perf_counter()
    fn()
    marks.append((name, time.perf_counter() - t))


if sys.argv[1] == "driver-first":
    step("cuInit", lambda: driver.cuInit(0))
    step(
        "cuDeviceGetAttribute",
        lambda: driver.cuDeviceGetAttribute(driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0),
    )
step("cudaGetDevice", runtime.cudaGetDevice)
step(
    "cudaDeviceGetAttribute",
    lambda: runtime.cudaDeviceGetAttribute(runtime.cudaDeviceAttr.cudaDevAttrComputeCapabilityMajor, 0),
)
step("cuDevicePrimaryCtxRetain", lambda: driver.cuDevicePrimaryCtxRetain(0))
print(sys.argv[1], ", ".join(f"{n} {s * 1e3:.1f} ms" for n, s in marks))
