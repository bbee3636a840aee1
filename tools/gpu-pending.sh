#!/usr/bin/env bash
# What the open issues still wait for on the GPU host, as three device calls (each under the
# 10-minute limit), through tools/gpu-check.sh (which installs the carried wheels and packs the
# results in $OUT/results.tar; logs in $OUT/bench.log and $OUT/tests.log):
# Device time is 30 minutes a session and a machine's start may take up to 9 of them
# (2026-12-05, second session: an H100 start counted 540 s): run measure, then suite1, then dx
# and suite2 as time allows. suite2 ran on an H100 on 2026-12-05 (2076 passed, 2 failed: a
# stream-order bug in Matmul's general execute path and a C2R fuzz case, both fixed since);
# dx ran one round there (the cold machine's warm-up compiles took the budget).
# Third session of 2026-12-05, no H200 to be had: measure ran on an H100 (its figures in
# docs/results/h100/), and suite1 in two calls (tests/jit + tests/cache: 362 passed;
# tests/device: about 98% passed, no failure, when the call's time ran out). Fourth session:
# still no H200; a call for one ran measure on an H100 (87 GPU tests passed, the tensor API
# with a kernel's device functions finalized together among them; figures in docs/results/h100/).
# Sixth session (2026-12-05): two calls for nvidia-h200 got H100s: measure (88 GPU tests passed),
# dx, suite1 (789 passed) and suite2 (2120 passed), then probe's H100 branch (matmul against
# nvmath-python with interleaved autotuning, the convolution's forms under ncu); a third call's
# machine stopped answering and took the rest of the budget.
# Seventh session (2026-12-05): probe ran on an H100 (the staged convolution forms, vec_as,
# slower than the plain ones; Matmul against nvmath-python with the same candidates), then the
# advanced-matmul examples and dx there. What the issues still need: on an H200, probe's figures
# for docs/results/fft_conv_device_h200.json and docs/results/matmul_gpu_h200.json. probe runs
# suite1 instead where the card is not an H200 (that session on H100s: suite2 2125 passed,
# suite1 past 98% with no failure when its call's 320 s ran out; six calls for nvidia-h200, no
# H200). Pass needs_h200 only if H100 figures will not do. Eighth session (2026-12-05): a call
# for nvidia-h200 got an H100 again; probe's suite1 ran whole there (797 passed, 11 skipped, 373
# s), and lu (docs/results/h100/cusolverdx_lu_shapes/). ceiling: the convolution's forms with
# their data in L2, where an H200 will not come. 2026-12-06: after six failed starts an H200
# came: h200min (the convolution at 82.9% of the copy, bf16 matmul above PyTorch), probe
# (matmul against nvmath-python, ncu) and dx (cut at 420 s; its rounds are in the log). Left for
# an H200: rest (issue 17's goals 1 and 4 on this checkout), dx within its budget. Second
# session of 2026-12-06: calls for nvidia-h200 got H100s twice (rest's figures there, then
# suite1 809 passed and suite2 2127 passed; view), and no machine six times. Third session of
# 2026-12-06: every call for nvidia-h200 got an H100 (starts of about 30 s): dx with the chained
# GEMMs alone over 15 and 13 rounds on two H100s (DX_ONLY, DX_ROUNDS; ours over nvmath-python
# within a round: median 0.990x and 1.030x, pooled 1.012x; host launch 1.000x), this
# checkout's cuBLASDx and cuSOLVERDx examples (34 of 35 pass; fp64 emulation needs cuda.coop,
# absent on the host) and two probes of the launch cost's modes. Fourth session of
# 2026-12-06: calls for nvidia-h200 got H100s again; two more probes of the launch cost (not the
# hash seed, ASLR, the stream, nvmath's import; docs/results/h100/launch_cost_probes_20261206.json).
# Fifth session of 2026-12-06: of 20 calls for nvidia-h200, 12 got H100s (27-85 s a start) and
# 8 no machine (90-180 s each); no H200.
# Sixth session of 2026-12-06: of 15 calls for nvidia-h200, 2 got H100s (26 s a start) and 13 no
# machine (90-181 s each); no H200. The second H100 ran dx (DX_BUDGET=150, 7 rounds: within-round
# 1.012x, host launch 0.999x, kernel alone 1.005x; docs/results/h100/cublasdx_fused_gemm_paired_c.json).
# Seventh session of 2026-12-06: of 14 calls for nvidia-h200, 4 got H100s (29-87 s a start) and
# 10 no machine (90-180 s each); no H200.
# Eighth session of 2026-12-06: of 11 calls for nvidia-h200, none got a machine (90-180 s each;
# two refusals offered nvidia-h100-x1 instead, not taken; a twelfth was refused (cost 90 s), 277 s of
# budget being too little to start one); no H200.
# First session of 2026-12-07 (begun 2026-12-06 22:44): 17 calls (9 for nvidia-h200, 8 for
# nvidia-h100-x1). One got a machine, taken back before it answered (270 s); 11 got none (90-181 s
# each); 4 were refused during a hold (15 s each); the last was refused with 299 s left (still 90 s).
# After a failed start a call for nvidia-h200 asks for an H200 only. The within-round gap of the chained GEMMs is host-side: over the 35 H100 rounds on
# file, each process's mean over its launches (the example's figure) exceeds the median launch by
# 3.8-4.8 us for ours against 2.9-3.4 us for nvmath-python, while the median launches match and
# the kernels hide behind them. launchdiag (any card) says where: the launches in order, the
# configurations, the garbage collections in the timed loop, then the same with gc.freeze().
# Second session of 2026-12-07: 17 calls (10 naming nvidia-h100-x1, 4 nvidia-h200, 3 no kind). One H100 ran launchdiag
# (238 s; docs/results/h100/cublasdx_fused_gemm_launchdiag_a*.json): no garbage collection in any loop; the
# gap is the first timed launch, right after the warm-up's stream.synchronize(): 173 us over the
# median in ours against 68 us in nvmath-python (medians of 7 processes each; its configuration 5.3
# against 3.0 us), the other 99 launches alike. The rest: 11 starts failed (71-181 s each), 4 refused
# during holds (15 s each), the last refused with 247 s left (15 s). Read offline since (sm_90 cubins of the example's kernel, linked here):
# with its device-side array checks, ours alone has a 24-byte stack frame, the vprintf and __assertfail
# system calls and a constant bank 3; with NVMATH_DEVICE_ARRAY_CHECKS=0 it is laid out as nvmath-python's.
# Next: launchdiag again (any card, about 300 s: DX_BUDGET=200 by default): the first launches taken
# apart, for ours, ours:assert, ours:trap, ours:nochecks and nvmath-python in the same rounds; the
# variant that loses the excess says what the checks' report must not do.
# Third session of 2026-12-07: 14 calls; 3 ran (an H100, then an H200 twice, warm), 7 starts failed
# (90-181 s each), 4 refused during holds (15 s each). The H100 ran launchdiag with each report
# (docs/results/h100/cublasdx_fused_gemm_report_modes.json): print and assert keep the first timed
# launch's excess (97 and 301 us over the median; warm-up sync 48-49 us), trap and no checks lose it
# (40 and 37 us; sync 32 us, nvmath-python's 40 and 32): the system calls are the cost. The default
# report became record (no system call). An H200 then passed the GPU tests of the reports and of the
# kernel cache, and ran dx twice (4 + 5 rounds, docs/results/h200/cublasdx_fused_gemm_record_*.json):
# first timed launch 38 and 57 us against 41 and 39, kernel alone 10.18 against 10.36 us, but
# within-round medians 1.013x and 1.419x: each process's launches sat at 54-63 or 91-109 us for its
# life, in both projects. The benchmark now pins every process to the GPU's local CPUs (--pin).
# Fourth session of 2026-12-07: 8 calls (5 naming nvidia-h200, 2 nvidia-h100-x1, 1 no kind); 2 ran,
# both on H100s (the call for an H100 was taken back before it answered, 361 s; 4 starts failed,
# 90-180 s each). The hosts have one NUMA node and 16 CPUs, all the GPU's (gpu-local pins
# nothing), so --pin now takes a CPU list: with every process on CPUs 2-5 the GPU tests of the
# record report passed (31) and dx gave within-round medians 0.996x (12 rounds) and 0.982x (10
# rounds; pooled 0.984x, 13 of 22 rounds at or below 1; docs/results/h100/cublasdx_fused_gemm_pinned*.json);
# one process in 22 of each project still drew the slow launch mode, on a CPU where others ran fast.
# Fifth session of 2026-12-07: 4 calls, all on H100s (2 named nvidia-h200). Chained GEMMs pinned
# to CPUs 2-5: within-round median 0.871x (14 rounds) and 0.949x (12 rounds); this time 5-6 of
# 14 processes of each project drew the slow launch mode, pinned or not. GPU tests (gpu-check
# tests, cut at 400 s at 97%): 2913 passed, 20 skipped, 0 failed. Peer examples, ours: every
# examples/device one but fp64 emulation (cuda.coop) and scrambled Sobol (cffi) passes.
# Sixth session of 2026-12-07: 7 calls of mine (6 naming nvidia-h200, 1 nvidia-h100-x1): 3 found no
# machine (90-181 s each), 1 got one taken back before it answered (300 s), 2 were refused during
# holds and the last with 407 s left; helpers' calls took the rest, one of them on an H100 (the
# snake_case cuBLAS binding's GPU tests with tests/linalg/test_generic_gpu.py: 648 passed). No H200.
# Seventh session of 2026-12-07: an H200 came on the second call and ran dx twice (15 and 16
# rounds pinned to CPUs 2-5: within-round medians 1.049x and 1.038x; in the fast launch mode
# 0.997x; docs/results/h200/cublasdx_fused_gemm_pinned_a.json, _b.json) and the bindings' GPU
# tests (1314 passed, 3 failed: curandCreatePoissonDistribution's argument order, fixed; two
# tests that assumed the host's cuRAND and cuBLASLt 13.1 answered as this machine's). The child
# now times a pure-Python loop before CUDA and reads its threads (launch_modes in the JSON).
# Read offline after: besides whole slow-mode processes, launches come in bursts 20-40 us slow
# (10-35 in a row); counting both, ours was hit in 24 of the 40 H200 processes on file and
# nvmath-python in 14; ours launches 2-3 s after it starts, nvmath-python after 15-20 s of
# compiling. Next, on any card: tools/gpu-pending.sh settled (ours made to wait as long).
# Session begun 2026-12-07 15:21: 14 calls (7 naming nvidia-h200, 7 nvidia-h100-x1); 2 ran, both
# on H100s; 9 found no machine (90-181 s each), 2 were refused during holds, the last with 247 s left. The first H100 ran gapped with
# --pin-one (docs/results/h100/cublasdx_fused_gemm_gapped_pin_one.json: 0.616x over 6 rounds, not
# a figure for the issue: one CPU makes a process start 3 threads, not 9, and launch at 65 us in
# the fast mode). The child's pure-Python loop ran at about 735 us or 1,200-1,500 us in the same
# processes: the launch modes are the CPU's speed of the moment. Its curand tests crashed the
# interpreter: libcurand 10.4.0 (the wheels' cuRAND there) segfaults on curandGeneratePoissonMethod
# with a host generator and METHOD_3RD (draws only with DEVICE_API; a device generator draws with
# DEVICE_API and 3RD; every other method INTERNAL_ERROR), found by a probe of each method in a
# process of its own on the second H100. The binding now refuses that pair (ValueError, CPU-tested;
# not yet run on a GPU). Next, on an H200: gapped (issue 16's figure with 10 s idle before every
# process; DX_BUDGET=420, call timeout 560), and tests/bindings/test_curand_peer_names.py.
# Session begun 2026-12-07 17:48: 12 calls (10 naming nvidia-h200, 2 nvidia-h100-x1); 9 found no
# machine (two 180-181 s, seven 90 s), the 2 for an H100 were refused during holds (15 s each), and
# the ninth call for an H200 got an H100: gapped without --pin-one (7 rounds; within-round 0.983x, host
# launch 0.977x, kernel alone 0.995x, fast mode 0.942x; the slow mode took 4 of ours' 7 processes
# and 5 of nvmath-python's; docs/results/h100/cublasdx_fused_gemm_gapped.json), then
# tests/bindings/test_curand_peer_names.py on the GPU: 62 passed (the METHOD_3RD refusal holds).
# The tenth, with 451 s left, found no machine (180 s). Next, on an H200: gapped.
# Session begun 2026-12-07 20:46: loans paused until its last 50 minutes, then 12 calls (7 naming
# nvidia-h200, 5 nvidia-h100-x1): 9 failed starts (about 90 s each), 3 refusals (15 s). On the CPU:
# nvmath's own links (precompile, the pipelines' host kernels) now drop the device globals that
# no code uses (libmathdx's: a precompiled kernel 1.76-1.80 MB -> 18-67 KB, the host kernels
# 4.2 MB -> 7.6 KB, the same SASS read offline), keeping the array checks' record; precompile
# compiles a kernel's cuda.jit(device=True) helpers for its target (numba-cuda asked the device),
# and kernels capturing layouts, partitioners or value types are cached across processes (they
# had no fingerprint). CPU suite: 2319 passed, 1115 skipped (1822 s). Next, on any card: modload (the GPU tests of a precompiled kernel's record and of the pipelines, and what
# the globals cost a module's load: tools/probe_module_load.py). Then, on an H200: gapped.
# Session begun 2026-12-07 23:58: 14 calls, 2 ran (both on H100s); 8 failed starts (90-181 s
# each), 3 refusals while a kind was held back (15 s), 1 refusal for too little time left. Seven
# calls failed or were refused (H200 and H100 alike) before an H100 came: modload (56 GPU tests passed; the probe: the chained-GEMM kernel's 1.74 MB
# cubin 48.4 ms to load and get, 35.0 ms to unload, the 48 KB one without libmathdx's unused
# globals 0.41 / 0.04 ms; docs/results/h100/module_load.json). So a cache miss now links that
# way (nvmath/device/_kernel_link.py), and linkcheck on a second H100: 63 GPU tests passed
# (docs/results/h100/logs_20261208/). Two more calls naming nvidia-h200 found no machine (180 s
# each). Next, on an H200: gapped (DX_VARIANTS="--ours-variant hook:NVMATH_PLAIN_KERNEL_CACHE=1"
# adds ours with the small module); on any card: NVMATH_BENCHES="kernel_warm.py --runs 3"
# tools/gpu-check.sh bench (a warm first launch with the new link) and LINKCHECK_EXAMPLES=1
# tools/gpu-pending.sh linkcheck (nvmath-python's device examples on this checkout).
# Session begun 2026-12-08 02:49: loans paused until 04:41, then 14 calls found no machine (9
# failed starts naming nvidia-h200, 5 refusals while a kind was held back, 15 s each). On the
# CPU, nvmath-python 1.0.1 (its wheel, with MKL) beside this checkout in tools/peer_parity.py:
# traits of the device APIs, host FFTs, generic matmuls and stateful plans compared over seeded
# configurations (docs/results/cpu-2core/peer_parity.json). Fixed from it: axes=None on a 4-D
# FFT operand (refused, as there), a natural C2R result's layout, the generic matmul's result
# layout, error types, execution dicts without a name. Next, on any card: parity (their GPU tests).
# Left for an H200:
#   DX_ONLY=cublasdx_fused_gemm_performance DX_ROUNDS=20 DX_BUDGET=360 tools/gpu-pending.sh dx
#                                  (issue 16's last point: ours at least as fast as nvmath-python
#                                  on an H200; a round takes about 20 s, the warm-ups 36 s)
#                                  (call timeout >= 420 s: the installs come before the budget)
#   tools/gpu-pending.sh probe     (carry .whl and .peer-whl; 4-6 minutes)
#   tools/gpu-pending.sh measure   (the default; carry .whl and .peer-whl, about 9 minutes)
#     - the GPU tests of cuBLASDx's tensor API, the graph replay of Matmul's hot path and the
#       layout fuzzing (all passed on an H100, 2026-12-05), with make_tensor's check in the kernel
#       (test_a_shared_array_short_of_its_layout_fails_the_launch_naming_it: passed on an H100,
#       2026-12-05, sixth session);
#     - (ran on the H100 on 2026-12-05, passed since:) the GPU tests of the host-to-CuPy copies and of stream-ordered user allocators
#       (tests/internal/test_gpu_cupy.py; test_numpy_round_trip_through_cupy failed on
#       2026-12-05 for want of a synchronize in the test, fixed since), the cuBLASLt tests
#       (host operands now go to the GPU by default, as in nvmath-python; calls without a
#       stream run on the current one) and the layout fuzzing (a C2R case fixed 2026-12-05);
#     - issue 17, goal 2: the device convolution's vector forms, the prefetching grid-stride
#       forms (vec_pf) and the grid-stride forms with the filter kept in registers (vec_hf: 94
#       registers, 78 capped at 80 with no spill, by offline SASS), and 32 elements a thread
#       (one exchange through shared memory an FFT where 16 take two: 128 four-byte LDS and STS
#       a thread for 32 elements against 128 for 16; 93 registers, 78 capped at 80; capped at
#       72: spills), device-side array checks on, and two of them without the checks
#       (_nochecks), in the same rounds;
#     - issue 17, goal 3: bf16 8192^3 matmul against PyTorch (matmul_gpu.py) and against
#       nvmath-python in alternating processes, and Matmul.execute's CPU cost, now with the
#       hot path replaying CUDA graphs of its cuBLASLt call on the default stream (the new GPU
#       tests of that are in tests/linalg/test_matmul_gpu.py);
#     - issue 17, goal 4: benchmarks/fft_cpu.py on the 16-core host, after a pass thread's
#       share became 256K elements (its parts by threads, fft_cpu_scaling.py, ran on the H100
#       host on 2026-12-05: docs/results/h100/fft_cpu_scaling.json).
#   tools/gpu-pending.sh suite     the whole test suite on 12 xdist workers (carry .whl with
#                                  pytest-xdist and execnet); suite1 and suite2: its two halves,
#                                  a call each (the whole took over 600 s on an H100)
#   tools/gpu-pending.sh launchdiag  issue 16: where the chained-GEMM example's host time goes,
#                                  ours and nvmath-python's (launch_summary in the log, each
#                                  round's launch_detail in the JSON), plain then with the
#                                  collector frozen ($OUT/frozen); DX_BUDGET, DX_FROZEN_BUDGET
#   tools/gpu-pending.sh dx        issue 16: two of nvmath-python's cuBLASDx performance examples
#                                  (the two others settled, see below), this checkout against it
#                                  in alternating processes (carry .whl, .peer-whl, .peer-examples)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/results}
export OUT
case "${1:-measure}" in
  measure)
    conv="ept16_fpb2_vec,ept16_fpb1_vec,ept16_fpb2_vec_pf_grid8,ept16_fpb2_vec_hf_grid8,ept16_fpb2_vec_hf_maxreg80_grid12,ept32_fpb2_vec,ept32_fpb4_vec,ept32_fpb2_vec_maxreg80,ept32_fpb4_vec_maxreg80,ept32_fpb2_vec_maxreg72,ept16_fpb2_vec_nochecks,ept32_fpb2_vec_nochecks"
    benches=(
      "fft_conv_device.py --rounds 5 --only $conv"
      "matmul_gpu.py"
      "matmul_vs_peer.py --rounds 4 --budget 120"
      "fft_cpu.py --rounds 10"
    )
    joined=$(printf '%s;' "${benches[@]}")
    NVMATH_TEST_PATHS="tests/device/test_cublasdx_tensor_gpu.py tests/linalg/test_matmul_gpu.py tests/fft/test_fuzz_layouts.py" NVMATH_TEST_WORKERS=0 NVMATH_BENCHES="${joined%;}" \
      exec tools/gpu-check.sh
    ;;
  probe)
    # One call whatever card comes (a call for nvidia-h200 may get an H100). On an H200: Matmul's
    # GPU tests, then issue 17's figures (the convolution's forms, bf16 matmul against PyTorch
    # and against nvmath-python in alternating processes, the two plain forms under Nsight
    # Compute). On another card: suite1 (tests/device, jit, cache).
    export NVMATH_TEST_PATHS="tests/linalg/test_matmul_gpu.py tests/linalg/test_matmul_peer_api_gpu.py" NVMATH_TEST_WORKERS=0
    if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
      # The staged forms lost to the plain ones on an H100 (2026-12-05, seventh session:
      # docs/results/h100/fft_conv_device_async.json); one of them stays for the H200's view.
      conv="ept16_fpb2_vec,ept16_fpb1_vec,ept32_fpb2_vec,ept32_fpb4_vec,ept32_fpb2_vec_maxreg80,ept16_fpb2_vec_nochecks,ept32_fpb2_vec_nochecks,ept16_fpb2_vec_as_grid16"
      NVMATH_BENCHES="fft_conv_device.py --rounds 5 --resident 2048 --only $conv;matmul_gpu.py;matmul_vs_peer.py --rounds 4 --budget 100;fft_conv_profile.py --only ept16_fpb2_vec,ept32_fpb2_vec" \
        exec tools/gpu-check.sh
    fi
    # Not an H200: half of the suite instead (suite2 passed on an H100 in the seventh session).
    unset NVMATH_TEST_PATHS NVMATH_TEST_WORKERS
    exec "$0" suite1
    ;;
  h200min)
    # What a short budget can still get from an H200 (about 150 s after the machine's start):
    # the convolution's plain forms at 16 and 32 elements a thread (each also with its data in
    # L2), the grid-stride one that keeps the filter in registers, and bf16 matmul against
    # PyTorch, no tests (ran on 2026-12-06: 89 s). On another card it does nothing.
    if ! nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
      echo "not an H200: nothing to do"; exit 0
    fi
    NVMATH_BENCHES="fft_conv_device.py --rounds 5 --resident 2048 --only ept16_fpb2_vec,ept32_fpb2_vec,ept32_fpb4_vec,ept32_fpb2_vec_maxreg80,ept16_fpb2_vec_hf_grid8;matmul_gpu.py" \
      exec tools/gpu-check.sh bench
    ;;
  rest)
    # Issue 17, what is left after 2026-12-06 (the convolution, 82.9% of the copy, and bf16
    # matmul above PyTorch and nvmath-python were measured on an H200 that day): goal 1's fused
    # FFT with the README's epilog, default options, on this checkout (1.145x a copy on
    # 2026-12-04), and goal 4's CPU FFT with an epilog on the H200's 16-core host (measured there
    # before a pass thread took 256K elements; after it, on an H100's host only). About 3 minutes.
    # fft_fused.json goes to docs/results/fft_gpu_h200.json (its rounds_ratio_fused_over_copy is
    # goal 1's figure), fft_cpu.json to docs/results/h200/. On another card it does nothing.
    if ! nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
      echo "not an H200: nothing to do"; exit 0
    fi
    NVMATH_BENCHES="fft_fused.py --rounds 5;fft_cpu.py --rounds 30" exec tools/gpu-check.sh bench
    ;;
  view)
    # The path kernel authors are told to take (docs/device_fft_knobs.md): global complex arrays
    # viewed as the FFT's value type, data.view(fft.value_type), beside the benchmark's
    # intrinsics, in the same rounds, and the GPU test of the views; on an H200, then rest's
    # figures (issue 17's goals 1 and 4). About 2 minutes, 4 on an H200.
    NVMATH_TEST_PATHS="tests/device/test_vector_types.py" NVMATH_TEST_WORKERS=0 tools/gpu-check.sh tests
    benches="fft_conv_device.py --rounds 5 --only ept32_fpb2_vec,ept32_fpb2_view,ept32_fpb2_vec_maxreg80,ept32_fpb2_view_maxreg80"
    if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
      benches="$benches;fft_fused.py --rounds 5;fft_cpu.py --rounds 30"
    fi
    NVMATH_BENCHES="$benches" exec tools/gpu-check.sh bench
    ;;
  ceiling)
    # Issue 17, goal 2, where no H200 comes: the convolution's forms with every signal's memory
    # that of signal s % 2048 (8 MiB, held in L2), beside the same kernels over DRAM. The time
    # with the data in L2 is the kernel's issue and latency bound, which an H100's
    # multiprocessors share with an H200's; on the H200 (1.4x the H100's DRAM bandwidth) the
    # 16-element form ran at 0.707 ms, 73% of its copy (2026-12-04). About 2 minutes.
    conv="ept16_fpb2_vec,ept16_fpb1_vec,ept32_fpb2_vec,ept32_fpb4_vec,ept32_fpb2_vec_maxreg80,ept16_fpb2_vec_nochecks,ept32_fpb2_vec_nochecks"
    NVMATH_BENCHES="fft_conv_device.py --rounds 7 --resident 2048 --only $conv" exec tools/gpu-check.sh bench
    ;;
  lu)
    # Issue 16: batched 32x32 LU with partial pivoting took 2-4x torch.linalg's time for this
    # project and nvmath-python alike at cuSOLVERDx's suggestion (one problem, 32 threads a
    # block; H200, 2026-12-05, docs/results/h200/cusolverdx_batched.json). Other block shapes,
    # this checkout and PyTorch only, one round each (about 2 minutes; carry .whl).
    common="cusolverdx_batched.py --kinds lu_pivot --ops factor,factor_solve --precisions float32,float64 --batches 100000 --rounds 1 --no-peer"
    benches="$common --out $OUT/lu_suggested"
    for shape in "--block-dim 64" "--block-dim 128" "--bpb 2" "--bpb 4" "--bpb 8"; do
      benches="$benches;$common $shape --out $OUT/lu_${shape//[- ]/}"
    done
    NVMATH_BENCHES="$benches" exec tools/gpu-check.sh bench
    ;;
  suite)
    exec tools/gpu-check.sh tests
    ;;
  suite1)
    # The whole suite no longer fits one call on an H100 (2026-12-05: 96% done at 600 s, 12
    # workers, cold cache): its compile-heavy half, then the rest (suite2).
    NVMATH_TEST_PATHS="tests/device tests/jit tests/cache" exec tools/gpu-check.sh tests
    ;;
  suite2)
    NVMATH_TEST_PATHS="tests/bindings tests/fft tests/internal tests/linalg tests/test_docstrings.py tests/test_examples.py tests/test_import.py tests/test_readme.py" \
      exec tools/gpu-check.sh tests
    ;;
  dx)
    # Each of nvmath-python's processes compiles its kernels anew (35-147 s an example on a
    # cold H100, 2026-12-05): all four examples fit one round a call. The tensor-API and
    # single-GEMM kernels are nvmath-python's instruction for instruction and the device GEMM
    # was 0.97-0.98x; the chained GEMMs (checks on by default) and the single GEMM get the rounds.
    # The budget (DX_BUDGET, seconds) must end before the call does: on 2026-12-06 a call cut at
    # 420 s with a 520-s budget lost the JSON (its rounds are in the log).
    # DX_ONLY and DX_ROUNDS narrow it: the chained GEMMs alone fit about 13 rounds in 360 s (a
    # round: 3 s ours, 22 s nvmath-python, which compiles in every process).
    # DX_VARIANTS adds contenders in the same rounds (--ours-variant NAME:VAR=VALUE,...).
    # DX_PIN: the CPUs of every process (gpu-local, none or a list). The hosts' 16 CPUs are all
    # the GPU's (one NUMA node), where gpu-local pins nothing: four fixed CPUs by default.
    NVMATH_BENCHES="cublasdx_examples_perf.py --rounds ${DX_ROUNDS:-7} --budget ${DX_BUDGET:-360} --pin ${DX_PIN:-2-5} --only ${DX_ONLY:-cublasdx_fused_gemm_performance,cublasdx_single_gemm_performance} ${DX_VARIANTS:-}" \
      exec tools/gpu-check.sh bench
    ;;
  settled)
    # Issue 16 (any card): this project's chained-GEMM processes launch 2-3 s after they start,
    # nvmath-python's after 15-20 s of compiling, and on the H200 (2026-12-07) ours drew the slow
    # launch mode (median launch over 65 us) or bursts of it (10 or more launches 15 us over
    # the median) in 24 of 40 processes against 14 of 40. ours:settled waits,
    # busy, until it is 18 s old before running the example: if it draws them as nvmath-python
    # does, the process's age is the cause. Each process also times a pure-Python loop before
    # CUDA (launch_modes in the JSON and the log). ours:idle first sleeps 15 s, idle, and starts
    # young after that quiet gap: if it fares as ours:settled does, the noise follows the previous
    # process's exit, not the process's age. About 60 s a round: DX_BUDGET=360 gives 6.
    variants="--ours-variant settled:NVMATH_CHILD_SETTLE_S=18 --ours-variant idle:NVMATH_CHILD_IDLE_S=15"
    NVMATH_BENCHES="cublasdx_examples_perf.py --rounds 20 --budget ${DX_BUDGET:-360} --pin ${DX_PIN:-2-5} --only cublasdx_fused_gemm_performance $variants" \
      tools/gpu-check.sh bench
    grep -h "launch modes\|time, paired\|time, fast mode" "$OUT/bench.log"
    ;;
  gapped)
    # Issue 16's figure with the machine idle DX_GAP seconds (10) before every timed process,
    # ours and nvmath-python's alike: on the H200 (2026-12-07) the slow launches came in spells
    # that span processes, and ours, launching 2-3 s after the previous process exits, met them
    # in 24 of 40 processes against nvmath-python's 14 (it compiles for 15-20 s first). About
    # 45 s a round: DX_BUDGET=420 gives 8 (call timeout >= 540 s). DX_PIN_ONE=--pin-one runs each
    # round on one CPU of 2-5 for both (in the H200's runs a process kept its CPU for life); on an
    # H100 (2026-12-07) a process on one CPU started 3 threads, not 9, and launched at 65 us in
    # the fast mode (50 us on four), so it is off by default.
    # DX_VARIANTS adds contenders, e.g. "--ours-variant hook:NVMATH_PLAIN_KERNEL_CACHE=1" (ours with
    # the example's plain kernel served by nvmath's cache: its 48 KB module, not numba-cuda's 1.7 MB).
    NVMATH_BENCHES="cublasdx_examples_perf.py --rounds 20 --budget ${DX_BUDGET:-420} --gap ${DX_GAP:-10} --pin ${DX_PIN:-2-5} ${DX_PIN_ONE:-} ${DX_VARIANTS:-} --only cublasdx_fused_gemm_performance" \
      tools/gpu-check.sh bench
    grep -h "launch modes\|time, paired\|time, fast mode\|within-round" "$OUT/bench.log"
    # Then (about 20 s) the cuRAND binding's GPU tests: METHOD_3RD with a host generator, which
    # crashed libcurand 10.4.0 on an H100 host, is now refused before the call.
    NVMATH_TEST_PATHS="tests/bindings/test_curand_peer_names.py" NVMATH_TEST_WORKERS=0 tools/gpu-check.sh tests | tail -3
    ;;
  launchdiag)
    # On any card: the launch-bound gap is host-side (see the header), so an H100 answers it.
    # The warm-up and the first five timed launches taken apart (the first timed one carried the
    # gap), for ours, for ours with its device-side array checks reporting otherwise or off, and
    # for nvmath-python, in the same rounds. With the checks as they are (print), ours' cubin
    # alone has a 24-byte stack frame, the vprintf and __assertfail system calls and a constant
    # bank 3 (read offline, sm_90); assert: no frame, __assertfail only; trap: no system call;
    # nochecks: laid out as nvmath-python's. Which of them keep the first timed launch's excess?
    variants="--ours-variant nochecks:NVMATH_DEVICE_ARRAY_CHECKS=0 --ours-variant assert:NVMATH_DEVICE_ARRAY_CHECK_REPORT=assert"
    variants="$variants --ours-variant trap:NVMATH_DEVICE_ARRAY_CHECK_REPORT=trap"
    NVMATH_CHILD_FIRST_LAUNCHES=6 \
      NVMATH_BENCHES="cublasdx_examples_perf.py --rounds 20 --budget ${DX_BUDGET:-200} --only cublasdx_fused_gemm_performance ${DX_VARIANTS-$variants}" \
      tools/gpu-check.sh bench
    # gc.freeze() before the loop (2026-12-07: no collection fell in the loop, frozen or not): off
    # unless DX_FROZEN_BUDGET is set.
    if [ "${DX_FROZEN_BUDGET:-0}" -gt 0 ]; then
      mkdir -p "$OUT/frozen"
      OUT="$OUT/frozen" NVMATH_CHILD_GC_FREEZE=1 \
        NVMATH_BENCHES="cublasdx_examples_perf.py --rounds 20 --budget $DX_FROZEN_BUDGET --only cublasdx_fused_gemm_performance" \
        tools/gpu-check.sh bench
    fi
    grep -h "launches:\|time, paired\|time_ms" "$OUT/bench.log" "$OUT"/frozen/bench.log 2>/dev/null
    ;;
  tensor)
    # The cuBLASDx tensor API on the GPU, where no H200 comes for measure: its GPU tests and
    # nvmath-python's tensor-API examples, this checkout only (carry .whl and .peer-examples).
    # Since 2026-12-05 (fourth session) a kernel's device functions are finalized together at
    # the link (CPU tests link them; not yet run on a GPU).
    NVMATH_TEST_PATHS="tests/device/test_cublasdx_tensor_gpu.py tests/device/test_cublasdx_pipeline_gpu.py" \
      tools/gpu-check.sh tests
    ex=examples/device
    MODES=ours AREAS="$ex/cublasdx_simple_gemm_tensor_fp32.py $ex/cublasdx_simple_gemm_accumulator_fp32.py $ex/cublasdx_simple_partition.py $ex/cublasdx_simple_gemm_make_tensor_like.py $ex/cublasdx_single_gemm_tensor_performance.py $ex/cublasdx_simple_gemm_pipeline_api.py" \
      bash .peer-examples/run.sh
    ;;
  modload)
    # Any card, about 3-4 minutes (carry .whl): nvmath's links now drop the device globals no code
    # uses (2026-12-07, CPU-checked: same SASS, the record's globals kept). The GPU tests of a
    # precompiled kernel's record and of the pipelines' host kernels, then what the dropped
    # globals cost a module's load (numba-cuda's link, nvJitLink with and without them).
    NVMATH_TEST_PATHS="tests/device/test_cublasdx_gpu.py tests/device/test_cublasdx_pipeline_gpu.py tests/device/test_plain_kernel_warm.py" \
      tools/gpu-check.sh tests
    PYTHONPATH=/tmp/site:$PWD LD_LIBRARY_PATH=/tmp/site/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
      python3 tools/probe_module_load.py --rounds 40 --out "$OUT/module_load.json" --chart "$OUT/module_load.png" | grep -v '^   *[0-9]' | head -40
    ;;
  linkcheck)
    # Any card, about 4 minutes (carry .whl): since 2026-12-08 a cache miss links the kernel
    # without libmathdx's unused globals (nvmath/device/_kernel_link.py). The GPU tests of the
    # kernel cache, of the array checks' record (a compiled kernel's: test_cublasdx_gpu.py) and of
    # the plain-kernel hook, then nvmath-python's cuBLASDx examples on this checkout (peer
    # examples carried) when LINKCHECK_EXAMPLES=1.
    NVMATH_TEST_PATHS="tests/device/test_kernel_cache_gpu.py tests/device/test_cublasdx_gpu.py tests/device/test_plain_kernel_warm.py tests/device/test_cublasdx_tensor_gpu.py" \
      tools/gpu-check.sh tests
    if [ "${LINKCHECK_EXAMPLES:-0}" = 1 ]; then
      MODES=ours AREAS="examples/device" bash .peer-examples/run.sh 2>&1 | tail -n 12
    fi
    ;;
  parity)
    # Any card, about 4 minutes (carry .whl; .peer-examples for the examples): what the CPU-side
    # comparison with nvmath-python changed in GPU paths on 2026-12-08 (tools/peer_parity.py): the
    # generic matmul's cuBLAS orientation between equal-cost ones now follows nvmath-python's
    # result layout (c's order, else row-major only when a and b are; the batch in a's order), and
    # a C2R FFT's private input copy is laid out in the operand's axis order for a "natural"
    # result. Their GPU tests, then nvmath-python's fft and linalg/generic examples on this checkout.
    NVMATH_TEST_PATHS="tests/linalg/test_generic_gpu.py tests/fft/test_fft_gpu.py tests/fft/test_fuzz_layouts.py tests/fft/test_api_errors.py" \
      tools/gpu-check.sh tests
    if [ -d .peer-examples ]; then
      MODES=ours AREAS="examples/fft examples/linalg/generic" bash .peer-examples/run.sh 2>&1 | tail -n 12
    fi
    ;;
  *)
    echo "usage: tools/gpu-pending.sh [measure|probe|h200min|rest|view|ceiling|lu|suite|suite1|suite2|dx|launchdiag|tensor|modload|linkcheck|parity]" >&2
    exit 2
    ;;
esac
