#!/usr/bin/env bash
# Run the whole test suite (GPU tests included) and the benchmarks on the GPU host, in one go.
# Logs and JSON results go to $OUT (default: ./results). On the offline host, carry the wheels
# it lacks in .whl (../shared/gpu-host/fetch-wheels.sh .whl) and they are installed first.
# nvmath-python (the peer benchmarks compare with; same import name) comes in .peer-whl and goes
# to /tmp/peer, apart: benchmarks/peer_nvmath_python.py runs it in processes of its own.
#   tools/gpu-check.sh            # tests + benchmarks
#   tools/gpu-check.sh tests      # tests only
#   tools/gpu-check.sh bench      # benchmarks only
#   NVMATH_TEST_GROUPS="tests/device|tests/fft tests/jit" tools/gpu-check.sh   # groups at once
# The whole suite no longer fits one 10-minute device call in one pytest process (2026-12-04,
# H200, five groups at once: the cuBLASDx GPU tests, whose compiles and links dominate, and
# tests/fft did not finish in 580 s). With pytest-xdist carried in .whl
# (../shared/gpu-host/fetch-wheels.sh .whl pytest-xdist execnet), the tests are spread over
# NVMATH_TEST_WORKERS processes (default 12; 0: one process) sharing one cache.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/results}
mkdir -p "$OUT"
what=${1:-all}

if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  # A machine kept warm between device calls keeps /tmp: the same wheels are not installed twice.
  wheels=$(cd .whl && stat -c "%n %s" -- *.whl | md5sum)
  if [ "$(cat /tmp/site/.nvmath-wheels 2>/dev/null)" != "$wheels" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl || exit 1
    # pip installs bytecode with a package (--no-compile above only saves time here): without it
    # every fresh process compiles numpy from source, about 0.3 s of each first kernel launch.
    python3 -m compileall -q -j 0 /tmp/site >/dev/null 2>&1
    echo "$wheels" > /tmp/site/.nvmath-wheels
  fi
  export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
  export LD_LIBRARY_PATH=/tmp/site/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
  export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
# The same for this checkout and the host's cuda-python packages (some lack bytecode there).
# shellcheck disable=SC2046
python3 -m compileall -q -j 0 nvmath $(python3 -c "import cuda; print(' '.join(cuda.__path__))") >/dev/null 2>&1
if [ -d .peer-whl ] && ls .peer-whl/*.whl >/dev/null 2>&1; then
  peer=$(cd .peer-whl && stat -c "%n %s" -- *.whl | md5sum)
  if [ "$(cat /tmp/peer/.nvmath-wheels 2>/dev/null)" != "$peer" ]; then
    if python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/peer .peer-whl/*.whl; then
      python3 -m compileall -q -j 0 /tmp/peer >/dev/null 2>&1
      echo "$peer" > /tmp/peer/.nvmath-wheels
    else
      echo "nvmath-python (peer) did not install: its benchmark will skip" >&2
    fi
  fi
fi
export PYTHONUNBUFFERED=1
# Never the user's own cache: the suite and benchmarks get a fresh one.
export NVMATH_CACHE_DIR=$(mktemp -d /tmp/nvmath-cache-XXXXXX)

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  env | grep '^PYTHON' | sort
  python3 -c "import numba_cuda, numba, numpy, cuda.bindings; print('numba', numba.__version__, 'numba-cuda', numba_cuda.__version__, 'numpy', numpy.__version__, 'cuda-bindings', cuda.bindings.__version__)"
  python3 -c "from nvmath.jit.versions import libnvvm_release, nvjitlink_version; print('libNVVM', libnvvm_release(), 'nvJitLink', nvjitlink_version())"
} > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"

status=0
python3 tools/diagnose_cufft_lto.py >> "$OUT/device.txt" 2>&1; tail -n 6 "$OUT/device.txt"

if [ "$what" = all ] || [ "$what" = tests ]; then
  workers=()
  if [ "${NVMATH_TEST_WORKERS:-12}" != 0 ] && python3 -c "import xdist" 2>/dev/null; then
    workers=(-n "${NVMATH_TEST_WORKERS:-12}")
  fi
  if [ -n "${NVMATH_TEST_GROUPS:-}" ]; then
    # Groups of paths separated by '|', each in a pytest process of its own, all at once (each
    # with its own cache), so that the whole suite and the benchmarks fit one device call.
    IFS='|' read -ra groups <<< "$NVMATH_TEST_GROUPS"
    pids=()
    for i in "${!groups[@]}"; do
      # shellcheck disable=SC2086
      NVMATH_CACHE_DIR=$(mktemp -d /tmp/nvmath-cache-XXXXXX) \
        python3 -m pytest ${groups[$i]} -q -p no:cacheprovider > "$OUT/tests.$i.log" 2>&1 &
      pids+=($!)
    done
    for i in "${!pids[@]}"; do
      wait "${pids[$i]}" || status=1
      { echo "== group $i: ${groups[$i]}"; tail -n 1 "$OUT/tests.$i.log"; } | tee -a "$OUT/tests.log"
    done
  else
    # shellcheck disable=SC2086
    python3 -m pytest ${NVMATH_TEST_PATHS:-tests} -q -p no:cacheprovider --durations=25 "${workers[@]}" 2>&1 | tee "$OUT/tests.log"
    status=${PIPESTATUS[0]}
  fi
fi
if [ "$what" = all ] || [ "$what" = bench ]; then
  arch=$(python3 -c "from nvmath.jit import current_device_target as t; print(t() or 'sm_90')")
  : > "$OUT/bench.log"
  # NVMATH_BENCHES runs a subset: scripts with their arguments, separated by ';', each
  # optionally after VAR=value settings for it alone; an --out among the arguments wins over $OUT
  # (NVMATH_BENCHES="fft_gpu.py;kernel_warm.py --runs 3;NVMATH_DEVICE_ARRAY_CHECKS=0 fft_conv_device.py --out $OUT/off").
  if [ -n "${NVMATH_BENCHES:-}" ]; then
    IFS=';' read -ra benches <<< "$NVMATH_BENCHES"
  else
    benches=("compile_time.py --arch $arch" fft_gpu.py fft_cpu.py fft_cpu_scaling.py matmul_gpu.py "kernel_warm.py --runs 3" fft_conv_device.py
             gemm_batched_device.py execute_overhead.py matmul_execute_alloc.py fft_fused.py
             matmul_vs_peer.py peer_nvmath_python.py)  # last: it reads the others' JSON for its ratios
  fi
  for bench in "${benches[@]}"; do
    read -ra words <<< "$bench"
    settings=()
    while [ "${#words[@]}" -gt 1 ] && [[ ${words[0]} == [A-Za-z_]*=* ]]; do
      settings+=("${words[0]}")
      words=("${words[@]:1}")
    done
    env "${settings[@]}" python3 "benchmarks/${words[0]}" --out "$OUT" "${words[@]:1}" 2>&1 | tee -a "$OUT/bench.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  done
  # The device tool brings back at most 8 files: results and charts travel as one archive.
  (cd "$OUT" && { files=$(find . -name '*.json' -o -name '*.png'); [ -n "$files" ] && tar -cf results.tar $files && rm -f $files; })
fi
exit $status
