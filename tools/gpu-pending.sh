#!/usr/bin/env bash
# The measurements the open issues still wait for, in one device call (about 9 minutes on the
# H200), through tools/gpu-check.sh (which installs the carried wheels and packs the results):
#   - the fast result allocator's GPU test (tests/internal/test_gpu_torch.py);
#   - issue 17, goal 2: the device convolution's vector forms and the prefetching grid-stride
#     forms (vec_pf), device-side array checks on, then the two leading forms with them off;
#   - issue 17, goal 3: bf16 8192^3 matmul against nvmath-python in alternating processes, with
#     PyTorch in the same processes, and Matmul.execute's CPU cost;
#   - issue 17, goal 4: the CPU FFT's parts by threads on the 16-core host.
# Call it with carry [".whl", ".peer-whl"] and a 600 s limit; the results are $OUT/results.tar,
# the logs $OUT/bench.log and $OUT/tests.log.
#   tools/gpu-pending.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/results}
export OUT
conv="ept16_fpb2_vec,ept16_fpb1_vec,ept16_fpb4_vec,ept16_fpb2_vec_pf_grid8,ept16_fpb1_vec_pf_grid16,ept16_fpb2_vec_pf_maxreg80_grid12"
benches=(
  "fft_conv_device.py --rounds 7 --only $conv"
  "NVMATH_DEVICE_ARRAY_CHECKS=0 fft_conv_device.py --rounds 5 --only ept16_fpb2_vec,ept16_fpb1_vec --out $OUT/checks_off"
  "matmul_vs_peer.py --rounds 4 --budget 140"
  "fft_cpu_scaling.py --rounds 15"
)
joined=$(printf '%s;' "${benches[@]}")
NVMATH_TEST_PATHS=tests/internal/test_gpu_torch.py NVMATH_TEST_WORKERS=0 NVMATH_BENCHES="${joined%;}" \
  exec tools/gpu-check.sh
