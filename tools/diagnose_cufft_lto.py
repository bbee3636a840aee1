"""Diagnose cuFFT LTO callbacks on this machine: which libraries load, and whether a plan with
an LTO-IR store callback can be made, under a few loading conditions (each a fresh process).

    python tools/diagnose_cufft_lto.py
"""

import json
import os
import subprocess
import sys

CHILD = r"""
import ctypes, json, os, sys
mode = sys.argv[1]
out = {"mode": mode}
from cuda.pathfinder import load_nvidia_dynamic_lib
if mode == "preload-same-dir":
    d = os.path.dirname(load_nvidia_dynamic_lib("cufft").abs_path)
    for name in sorted(os.listdir(d)):
        if name.startswith(("libnvJitLink.so", "libnvrtc.so", "libnvrtc-builtins")) and name.count(".so.") and not name.endswith(".alt"):
            try:
                ctypes.CDLL(os.path.join(d, name), mode=ctypes.RTLD_GLOBAL); out.setdefault("preloaded", []).append(name)
            except OSError as e:
                out.setdefault("preload_errors", []).append(f"{name}: {e}")
if mode == "pathfinder-first":
    for lib in ("nvJitLink", "nvrtc"):
        out[lib] = load_nvidia_dynamic_lib(lib).abs_path
from nvmath.bindings import cufft
from nvmath.jit import compile_cpp, current_device_target
import cupy as cp
out["cufft_version"] = cufft.cufftGetVersion()
src = '__device__ void store_cb(void* out, unsigned long long off, float2 v, void* info, void* sh) { ((float2*)out)[off] = make_float2(2*v.x, 2*v.y); }'
if mode == "compute-arch":
    cc = current_device_target()
    lto = compile_cpp(src, compute_capability=cc, output="ltoir", options=["-arch=compute_%d%d" % cc.cc])
else:
    lto = compile_cpp(src, compute_capability=current_device_target(), output="ltoir")
x = cp.ones((4, 64), cp.complex64); y = cp.empty_like(x)
plan = cufft.cufftCreate()
try:
    info = cp.zeros(4, cp.float32)
    cufft.cufftXtSetJITCallback(plan, "store_cb", lto, cufft.XtCallbackType.ST_COMPLEX,
                                info.data.ptr if mode == "caller-info" else 0)
    if mode == "plan1d-no-autoalloc":
        cufft.cufftSetAutoAllocation(plan, 0)
    cufft.cufftMakePlanMany64(plan, 1, [64], None, 1, 64, None, 1, 64, cufft.Type.C2C, 4)
    cufft.cufftXtExec(plan, x.data.ptr, y.data.ptr, -1)
    cp.cuda.runtime.deviceSynchronize()
    out["result"] = "ok" if abs(float(y[0, 0].real) - 128.0) < 1e-3 else f"wrong value {y[0,0]}"
except Exception as e:
    out["result"] = f"{type(e).__name__}: {e}"
maps = open("/proc/self/maps").read().splitlines()
out["loaded"] = sorted({l.split()[-1] for l in maps if any(k in l for k in ("cufft", "nvJitLink", "nvrtc", "libcuda.so"))})
print(json.dumps(out))
"""


def main():
    info = {"python": sys.executable, "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH", "")}
    for d in ("/usr/local/cuda/lib64",):
        if os.path.isdir(d):
            info[d] = sorted(n for n in os.listdir(d) if n.startswith(("libcufft.", "libnvJitLink", "libnvrtc")))
    print(json.dumps(info, indent=1))
    home = "/tmp/nvmath-diag-home"
    os.makedirs(home, exist_ok=True)
    variants = {
        "plain": {},
        "preload-same-dir": {},
        "ld-path": {"LD_LIBRARY_PATH": "/usr/local/cuda/lib64:" + os.environ.get("LD_LIBRARY_PATH", "")},
        "fresh-home": {"HOME": home, "XDG_CACHE_HOME": home + "/cache"},
        "logging": {"CUFFT_LOG_LEVEL": "5", "CUFFT_LOG_MASK": "31", "NVJITLINK_LOG": "1", "CUDA_LOG_LEVEL": "5"},
        "caller-info": {},
        "compute-arch": {},
        "plan1d-no-autoalloc": {},
        "eager": {"CUDA_MODULE_LOADING": "EAGER", "CUDA_CACHE_DISABLE": "1"},
    }
    for mode, extra in variants.items():
        env = dict(os.environ, **extra)
        done = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, env=env, timeout=300)
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        try:
            rec = json.loads(line)
            rec.pop("loaded", None) if mode != "plain" else None
            line = json.dumps(rec)
        except ValueError:
            pass
        print(mode, "->", line or "(no output)")
        if done.stderr.strip():
            print("  stderr:", done.stderr.strip()[-1500:].replace("\n", "\n  "))


if __name__ == "__main__":
    main()
