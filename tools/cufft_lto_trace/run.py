"""Trace what cuFFT does with NVRTC and nvJitLink while it makes a plan with an LTO callback.

    python tools/cufft_lto_trace/run.py [--out DIR]

cuFFT compiles parts of a callback plan with NVRTC and links them with nvJitLink, both opened by
soname at run time; when that fails it only says CUFFT_INTERNAL_ERROR. This copies the loaded
libcufft.so.12 into a scratch folder beside logging stand-ins for libnvrtc.so.13 and
libnvJitLink.so.13 (shim.c, built with gcc), which forward every call to the real libraries and
print the statuses, options and the libraries' own logs. The plan is made in a child process that
loads neither library itself (a loaded soname would be reused instead of the stand-in): the
callback's LTO-IR is compiled here first and handed over in a file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

CHILD = r"""
import ctypes, sys
import numpy as np
from cuda.bindings import runtime as rt
from nvmath.bindings import cufft

path, lto_path = sys.argv[1], sys.argv[2]
cufft._lib._cdll, cufft._lib._path = ctypes.CDLL(path), path
cufft._lib._functions.clear()
lto = open(lto_path, "rb").read()
print("cuFFT", cufft.cufftGetVersion(), "from", path, flush=True)
n, batch = 64, 4
x = (np.arange(n * batch) % 7 + 1j).astype(np.complex64)
err, dx = rt.cudaMalloc(x.nbytes); err, dy = rt.cudaMalloc(x.nbytes)
rt.cudaMemcpy(dx, x.ctypes.data, x.nbytes, rt.cudaMemcpyKind.cudaMemcpyHostToDevice)
plan = cufft.cufftCreate()
try:
    cufft.cufftXtSetJITCallback(plan, "store_cb", lto, cufft.XtCallbackType.ST_COMPLEX, 0)
    cufft.cufftMakePlanMany64(plan, 1, [n], None, 1, n, None, 1, n, cufft.Type.C2C, batch)
    cufft.cufftXtExec(plan, dx, dy, -1)
    rt.cudaDeviceSynchronize()
    y = np.empty_like(x)
    rt.cudaMemcpy(y.ctypes.data, dy, y.nbytes, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost)
    want = 2 * np.fft.fft(x.reshape(batch, n), axis=1).ravel()
    print("RESULT", "ok" if np.allclose(y, want, rtol=1e-4, atol=1e-3) else "wrong values", flush=True)
except Exception as e:
    print("RESULT", type(e).__name__, e, flush=True)
"""

CALLBACK = (
    "__device__ void store_cb(void* out, unsigned long long off, float2 v, void* info, void* sh)"
    " { ((float2*)out)[off] = make_float2(2 * v.x, 2 * v.y); }"
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "."))
    args = parser.parse_args(argv)
    from cuda.pathfinder import load_nvidia_dynamic_lib

    from nvmath.jit import compile_cpp, current_device_target

    real = {name: load_nvidia_dynamic_lib(name).abs_path for name in ("cufft", "nvrtc", "nvJitLink")}
    work = tempfile.mkdtemp(prefix="cufft-lto-trace-")
    dump = os.path.join(work, "dump")
    os.makedirs(dump)
    shutil.copy(real["cufft"], os.path.join(work, "libcufft.so.12"))
    shim = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim.c")
    import ctypes

    jitlink = ctypes.CDLL(real["nvJitLink"])
    versions = [f"-DHAS_13_{minor}" for minor in range(6) if hasattr(jitlink, f"__nvJitLinkCreate_13_{minor}")]
    for role, soname, flags in (("NVRTC", "libnvrtc.so.13", []), ("NVJITLINK", "libnvJitLink.so.13", versions)):
        subprocess.run(
            ["gcc", "-shared", "-fPIC", f"-DROLE_{role}", *flags, shim, "-o", os.path.join(work, soname), "-ldl"],
            check=True,
        )
    lto_path = os.path.join(work, "store_cb.ltoir")
    with open(lto_path, "wb") as f:
        f.write(bytes(compile_cpp(CALLBACK, compute_capability=current_device_target() or "sm_90", output="ltoir")))
    env = dict(
        os.environ,
        NVMATH_REAL_NVRTC=real["nvrtc"],
        NVMATH_REAL_NVJITLINK=real["nvJitLink"],
        NVMATH_TRACE_DUMP_DIR=dump,
        CUFFT_LTO_ENTRY_DUMP_FILENAME=os.path.join(dump, "lto_entry"),
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, os.path.join(work, "libcufft.so.12"), lto_path],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    report = (
        f"real libraries: {real}\nchild exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n"
        f"{done.stderr[-20000:]}\n--- dumped: {sorted(os.listdir(dump))}\n"
    )
    print(report)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cufft_lto_trace.txt"), "w") as f:
        f.write(report)
    if os.listdir(dump):
        shutil.make_archive(os.path.join(args.out, "cufft_lto_dump"), "gztar", dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
