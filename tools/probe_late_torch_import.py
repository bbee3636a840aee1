"""Find what breaks a late ``import torch`` in a process that ran nvmath's device code.

    python tools/probe_late_torch_import.py [--pytest]

Each probe runs in a fresh process: it does one thing (load a library, run a kernel,
generate cuFFTDx code...) and then imports PyTorch. A probe that fails names the culprit.
With ``--pytest`` it also runs each ``tests/device`` file, then a test that imports PyTorch,
in one pytest process per file. At the end of a failing probe the loaded shared libraries that
export C++ standard library symbols are listed (those can interpose PyTorch's).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap

LISTING = textwrap.dedent("""
    def _exporters():
        import subprocess
        seen = []
        for line in open('/proc/self/maps'):
            parts = line.split()
            if len(parts) >= 6 and '.so' in parts[-1] and parts[-1] not in seen:
                seen.append(parts[-1])
        out = []
        for path in seen:
            if 'libstdc++' in path:
                continue
            try:
                syms = subprocess.run(['nm', '-D', '--defined-only', path], capture_output=True, text=True).stdout
            except OSError:
                return ['(no nm)']
            n = sum(1 for s in syms.splitlines() if ' _ZNSt' in s or ' _ZSt' in s or ' _ZNKSt' in s)
            if n:
                out.append(f'{n} {path}')
        return out
""")

PROBES = {
    "nothing": "",
    "numba.cuda kernel": """
        from numba import cuda
        import numpy as np
        @cuda.jit
        def k(x):
            x[cuda.grid(1)] += 1
        d = cuda.to_device(np.zeros(32, np.float32)); k[1, 32](d); cuda.synchronize()
    """,
    "pathfinder nvrtc": "from cuda.pathfinder import load_nvidia_dynamic_lib as L; L('nvrtc')",
    "pathfinder nvJitLink": "from cuda.pathfinder import load_nvidia_dynamic_lib as L; L('nvJitLink')",
    "pathfinder nvvm": "from cuda.pathfinder import load_nvidia_dynamic_lib as L; L('nvvm')",
    "pathfinder curand": "from cuda.pathfinder import load_nvidia_dynamic_lib as L; L('curand')",
    "cupy": "import cupy; (cupy.arange(10) * 2).sum().item()",
    "nvrtc compile": """
        from nvmath.jit import compile_cpp
        compile_cpp('extern "C" __device__ float f(float x) { return x + 1; }', compute_capability='sm_90')
    """,
    "mathdx FFT": "import nvmath.device; nvmath.device.FFT(64, 'single', 'c2c', 'Block')",
    "mathdx Matmul": "import nvmath.device; nvmath.device.Matmul((16, 16, 16), 'single', 'real')",
    "random": "import nvmath.device.random as r; g = r.Philox4_32_10(); g.uniform4",
    "examples/device/monte_carlo_pi.py": "import runpy; runpy.run_path('examples/device/monte_carlo_pi.py', run_name='__main__')",
    "examples/device/gemm.py": "import runpy; runpy.run_path('examples/device/gemm.py', run_name='__main__')",
    "device FFT kernel": """
        import numpy as np
        from numba import cuda, types
        import nvmath.device
        fft = nvmath.device.FFT(64, 'single', 'c2c', 'Block')
        st, ept, stride = fft.storage_size, fft.elements_per_thread, fft.stride
        @nvmath.device.jit
        def k(data):
            td = cuda.local.array(st, dtype=types.complex64)
            sm = cuda.shared.array(0, dtype=types.uint8)
            for i in range(ept):
                td[i] = data[cuda.threadIdx.x + i * stride]
            fft.execute(td, sm)
            for i in range(ept):
                data[cuda.threadIdx.x + i * stride] = td[i]
        d = cuda.to_device(np.ones(64, np.complex64))
        k[1, fft.block_dim, 0, fft.shared_memory_size](d); cuda.synchronize()
    """,
    "cufft plan": """
        import cupy, nvmath.fft
        nvmath.fft.fft(cupy.ones((4, 8), cupy.complex64))
    """,
}


def probe(name: str, code: str) -> bool:
    source = (
        LISTING
        + textwrap.dedent(code)
        + textwrap.dedent("""
        try:
            import torch
            torch.ones(2) + 1
            print('PROBE-OK')
        except BaseException as e:
            print('PROBE-FAIL', type(e).__name__, str(e)[:300])
            print('exporters:', *_exporters(), sep='\\n  ')
    """)
    )
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=300)
    ok = "PROBE-OK" in done.stdout
    print(f"[{'ok  ' if ok else 'FAIL'}] {name} (rc {done.returncode})", flush=True)
    if not ok:
        print(textwrap.indent((done.stdout + done.stderr)[-2500:], "    "), flush=True)
    return ok


def pytest_probes() -> None:
    torch_test = "tests/fft/test_api_errors.py::test_reset_operand_package_mismatch"
    for name in sorted(os.listdir("tests/device")):
        if not name.startswith("test_"):
            continue
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", f"tests/device/{name}", torch_test]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
        print(f"[pytest] tests/device/{name} then a torch test: rc {done.returncode}: {tail[0]}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pytest", action="store_true")
    parser.add_argument("probes", nargs="*")
    args = parser.parse_args()
    for name, code in PROBES.items():
        if not args.probes or name in args.probes:
            probe(name, code)
    if args.pytest:
        pytest_probes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
