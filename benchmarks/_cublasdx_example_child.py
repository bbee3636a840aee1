# Child process of benchmarks/cublasdx_examples_perf.py: runs one of nvmath-python's device
# examples, unmodified, as its own __main__, after checking which `nvmath` it will import.
#
#     NVMATH_EXPECT_DIR=DIR python3 _cublasdx_example_child.py EXAMPLE.py
#
# It is copied into an empty temporary folder and run from there, with PYTHONPATH naming either
# this checkout or nvmath-python (the peer); the example's folder goes first on sys.path, as if
# the example itself had been started, so that its `common*.py` helpers import. The example's own
# output (the figures the parent parses) goes to stdout unchanged; the last line of stdout is one
# JSON object prefixed with "@@child ". Nothing here imports this project's code by name.
#
# With NVMATH_CHILD_LAUNCH_PROBE=1 the report also says where an example's time goes when its
# figure is a mean over host launches (the chained-GEMM example: one block, 100 launches):
# host_launch_us, the median host time of one `kernel[...](*args)` after the first, and
# kernel_alone_us, the GPU time of the last launched kernel with the same arguments, timed
# back to back behind a sleeping kernel (so that the host's launch cost is not counted);
# launch_detail, the launches' spread, the configurations' cost and the garbage collections
# from the first launch to the last (NVMATH_CHILD_GC_FREEZE=1: gc.freeze() before the first launch, to
# tell whether collections part the mean from the median), and, with NVMATH_CHILD_FIRST_LAUNCHES=N,
# the first N launches taken apart (numba-cuda's launch, cuda.core's launch; the CPU, page faults
# and context switches around each; the stream synchronizations between them; the context's flags,
# the threads, the process's age). Every probed process also times a fixed pure-Python loop
# before anything imports CUDA and again after the example (python_loop_us), and reads its
# threads' CPUs and CPU times and its CPU's hyperthread siblings and clock: the chained-GEMM
# example's processes draw a fast or a slow launch mode for life (about 50 or 85 us a launch on
# the H200), and these tell whether the slowness is the CPU's before CUDA is touched. With
# NVMATH_CHILD_SETTLE_S=S the example starts only once the process is S seconds old (the CPU
# kept busy until then), as nvmath-python's processes are after compiling; with
# NVMATH_CHILD_IDLE_S=S it first sleeps S seconds, idle, and starts its clock after.
import os
import time


def idle_seconds() -> float:
    """NVMATH_CHILD_IDLE_S: how long (seconds) the process sleeps, idle, before anything else
    (its clock, t0, starts after it); 0, the default, for none. The counterpart of
    NVMATH_CHILD_SETTLE_S: a quiet gap after the previous process's exit, with the process kept
    young, tells the system's noise after a process ends from the process's own age."""
    try:
        return max(0.0, float(os.environ.get("NVMATH_CHILD_IDLE_S", "0")))
    except ValueError:
        return 0.0


IDLED_S = idle_seconds()
if IDLED_S:
    time.sleep(IDLED_S)
t0 = time.perf_counter()


def python_loop_us(repeats: int = 7) -> float:
    """The median time of a fixed pure-Python loop (20,000 additions), in microseconds: how
    fast this process's CPU runs the interpreter, with no CUDA involved."""
    best = []
    for _ in range(repeats):
        start = time.perf_counter()
        total = 0
        for i in range(20000):
            total += i
        best.append((time.perf_counter() - start) * 1e6)
    best.sort()
    return best[len(best) // 2]


PYTHON_LOOP_AT_START_US = python_loop_us()


def settle_seconds() -> float:
    """NVMATH_CHILD_SETTLE_S: how old (seconds) the process must be before the example starts;
    0, the default, for no wait. A diagnosis: nvmath-python's processes compile for 15-20 s
    before their first launch, this project's load their kernels in 2-3 s; a process made to
    wait as long tells whether its age, not its code, draws the slow launches."""
    try:
        return max(0.0, float(os.environ.get("NVMATH_CHILD_SETTLE_S", "0")))
    except ValueError:
        return 0.0


def settle(seconds: float) -> float:
    """Keep the CPU busy with interpreter work (as a compiling process does) until the process
    is ``seconds`` old; returns how long it waited."""
    start = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        python_loop_us(1)
    return time.perf_counter() - start


import json  # noqa: E402
import runpy  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402


def _probe_launches():
    """Times every Numba kernel launch of this process (host side); returns the list of times
    and a dict that will hold the last launch's configuration and arguments, the times of the
    ``kernel[...]`` configurations and the garbage collections that ran after the first launch."""
    import gc

    from numba.cuda import dispatcher

    times, last = [], {"configure": [], "gc": [], "first": [], "syncs": []}
    launch = dispatcher._LaunchConfiguration.__call__
    configure = dispatcher.CUDADispatcher.configure
    kernel_launch = dispatcher._Kernel.launch
    first_n = first_launches_taken_apart()
    core_launch = dispatcher.launch  # cuda.core's launch, as numba-cuda's _Kernel.launch calls it
    stream_sync = driver_module().Stream.synchronize
    started, parts = {}, {}

    def on_gc(phase, info):
        # Only collections after the first launch: those that can fall inside a timed loop.
        if not times:
            return
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            # With the launches done so far: those after the last launch are not in the loop.
            last["gc"].append((info["generation"], time.perf_counter() - started.pop("t"), len(times)))

    def timed(self, *args):
        if not times:
            last["gc_count_at_first_launch"] = list(gc.get_count())
            last["process_at_first_launch"] = _process_state()
            if os.environ.get("NVMATH_CHILD_GC_FREEZE") == "1":
                # Diagnosis: no collection traverses what the process built before its launches.
                gc.collect()
                gc.freeze()
        detailed = len(times) < first_n
        if detailed:
            parts.clear()
            before = _thread_usage()
            if times:
                last["gap_us"] = last.get("gap_us", []) + [(time.perf_counter() - last["end"]) * 1e6]
        t = time.perf_counter()
        try:
            return launch(self, *args)
        finally:
            end = time.perf_counter()
            times.append(end - t)
            last["config"], last["args"], last["end"] = self, args, end
            if detailed:
                after = _thread_usage()
                row = {"launch_us": (end - t) * 1e6, **{k: after[k] - before[k] for k in before if k != "cpu"}}
                row.update(parts, cpu_before=before["cpu"], cpu_after=after["cpu"])
                last["first"].append(row)

    def timed_kernel_launch(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return kernel_launch(self, *args, **kwargs)
        finally:
            parts["kernel_launch_us"] = (time.perf_counter() - t) * 1e6

    def timed_core_launch(*args, **kwargs):
        t = time.perf_counter()
        try:
            return core_launch(*args, **kwargs)
        finally:
            parts["core_launch_us"] = (time.perf_counter() - t) * 1e6

    def timed_sync(self, *args, **kwargs):
        # Whether the wait slept (voluntary switches) or moved the thread to another CPU.
        before = _thread_usage() if 0 < len(times) < first_n else None
        t = time.perf_counter()
        try:
            return stream_sync(self, *args, **kwargs)
        finally:
            if before is not None:
                us = (time.perf_counter() - t) * 1e6
                after = _thread_usage()
                moved = {k: after[k] - before[k] for k in before if k != "cpu"}
                last["syncs"].append((len(times), us, moved, before["cpu"], after["cpu"]))

    def timed_configure(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return configure(self, *args, **kwargs)
        finally:
            if times:
                last["configure"].append(time.perf_counter() - t)

    gc.callbacks.append(on_gc)
    dispatcher._LaunchConfiguration.__call__ = timed
    dispatcher.CUDADispatcher.configure = timed_configure
    if first_n:
        # Only then: the extra wrappers and their readings would add to the example's own figure.
        dispatcher._Kernel.launch = timed_kernel_launch
        dispatcher.launch = timed_core_launch
        driver_module().Stream.synchronize = timed_sync
    return times, last


def first_launches_taken_apart() -> int:
    """How many launches, the example's warm-up first, the probe takes apart
    (NVMATH_CHILD_FIRST_LAUNCHES; 0, the default, for none: its readings cost microseconds
    inside the example's timed loop)."""
    try:
        return max(0, int(os.environ.get("NVMATH_CHILD_FIRST_LAUNCHES", "0")))
    except ValueError:
        return 0


def driver_module():
    from numba.cuda.cudadrv import driver

    return driver


def _thread_usage() -> dict:
    """This thread's page faults and context switches so far, and the CPU it runs on."""
    import resource

    u = resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF))
    return {
        "minflt": u.ru_minflt,
        "majflt": u.ru_majflt,
        "nvcsw": u.ru_nvcsw,
        "nivcsw": u.ru_nivcsw,
        "cpu": _current_cpu(),
    }


_LIBC = []


def _current_cpu():
    try:
        if not _LIBC:
            import ctypes

            _LIBC.append(ctypes.CDLL(None))
        return _LIBC[0].sched_getcpu()
    except (OSError, AttributeError):
        return None


def _numa_counters() -> dict:
    """The system's NUMA-balancing counters (/proc/vmstat): hinting faults are minor faults that
    the kernel's scanner causes on pages a process touches, more often in a young process."""
    counters = {}
    try:
        with open("/proc/vmstat") as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key in ("numa_hint_faults", "numa_pte_updates", "numa_pages_migrated"):
                    counters[key] = int(value)
    except (OSError, ValueError):
        pass
    return counters


def _numa_node(cpu):
    """The NUMA node of ``cpu`` (Linux sysfs), or None."""
    import glob

    if cpu is None:
        return None
    nodes = glob.glob(f"/sys/devices/system/cpu/cpu{int(cpu)}/node[0-9]*")
    return int(os.path.basename(nodes[0])[4:]) if nodes else None


def _threads() -> list:
    """Every thread of this process: its name, the CPU it last ran on, and the CPU time it has
    used (user and system, in clock ticks), from /proc/self/task; empty where unreadable."""
    rows = []
    try:
        tids = sorted(os.listdir("/proc/self/task"), key=int)
    except OSError:
        return rows
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The name is in parentheses and may hold spaces; the fields after it are positional.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        rows.append({"tid": int(tid), "name": name, "cpu": int(fields[36]), "ticks": int(fields[11]) + int(fields[12])})
    return rows


def _cpu_facts(cpu) -> dict:
    """The hyperthread siblings and the current clock (kHz) of ``cpu``, where sysfs has them."""
    facts = {}
    if cpu is None:
        return facts
    for key, path in (
        ("siblings", f"/sys/devices/system/cpu/cpu{int(cpu)}/topology/thread_siblings_list"),
        ("khz", f"/sys/devices/system/cpu/cpu{int(cpu)}/cpufreq/scaling_cur_freq"),
    ):
        try:
            with open(path) as f:
                facts[key] = f.read().strip()
        except OSError:
            pass
    return facts


def _process_state() -> dict:
    """What may differ between two processes at their first launch: threads, resident memory,
    the CUDA context's flags (its synchronization mode), the CPU and its NUMA node, the CPUs
    the process may run on."""
    cpu = _current_cpu()
    state = {"process_age_s": time.perf_counter() - t0, "cpu": cpu, "numa_node": _numa_node(cpu), **_numa_counters()}
    state.update(cpu_facts=_cpu_facts(cpu), threads=_threads())
    try:
        state["affinity"] = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    try:
        with open("/proc/sys/kernel/numa_balancing") as f:
            state["numa_balancing"] = f.read().strip()
    except OSError:
        pass
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("Threads", "VmRSS", "VmHWM", "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                    state[key] = value.strip()
    except OSError:
        pass
    try:
        from cuda.bindings import driver as cu

        err, flags = cu.cuCtxGetFlags()
        state["ctx_flags"] = int(flags) if err == cu.CUresult.CUDA_SUCCESS else f"error {int(err)}"
    except Exception as e:  # a diagnosis: say why there is no figure
        state["ctx_flags"] = f"{type(e).__name__}: {e}"[:200]
    return state


def _launch_detail(times, last) -> dict:
    """The spread of the launches after the first (host microseconds), of their configurations,
    and the garbage collections between the first launch and the end of the last: where a mean
    over launches can part from their median."""
    after = sorted(times[1:])
    us = [t * 1e6 for t in after]
    cfg = sorted(t * 1e6 for t in last["configure"])
    gcs = {}
    for generation, seconds, launches_done in last["gc"]:
        if launches_done >= len(times):
            continue
        n, total = gcs.get(str(generation), (0, 0.0))
        gcs[str(generation)] = (n + 1, total + seconds * 1e6)
    return {
        "launches": len(us),
        "launch_mean_us": sum(us) / len(us),
        "launch_p90_us": us[int(0.9 * (len(us) - 1))],
        "launch_max_us": us[-1],
        "configure_median_us": cfg[len(cfg) // 2] if cfg else None,
        "configure_mean_us": sum(cfg) / len(cfg) if cfg else None,
        "gc_during_launches": {g: {"count": n, "total_us": t} for g, (n, t) in sorted(gcs.items())},
        "gc_count_at_first_launch": last.get("gc_count_at_first_launch"),
        "gc_frozen": os.environ.get("NVMATH_CHILD_GC_FREEZE") == "1",
        # In launch order, to show a period (a collection, an arena of the allocator) if any.
        "launch_us_in_order": [round(t * 1e6, 1) for t in times[1:]],
        "configure_us_in_order": [round(t * 1e6, 2) for t in last["configure"]],
        # The warm-up (index 0) and the first timed launches, taken apart.
        "first_launches": last.get("first", []),
        "gaps_before_us": last.get("gap_us", []),
        "syncs_after_launch": last.get("syncs", []),
        "process_at_first_launch": last.get("process_at_first_launch"),
        "numa_counters_after": _numa_counters(),
        "cpu_at_end": _current_cpu(),
        "numa_node_at_end": _numa_node(_current_cpu()),
        "cpu_facts_at_end": _cpu_facts(_current_cpu()),
        # Read right after the last launch, before the kernel-alone probe: with the threads at
        # the first launch, each thread's CPU time over the example's launches.
        "threads_at_end": last.get("threads_at_end", []),
        "python_loop_us": {"start": PYTHON_LOOP_AT_START_US, "end": last.get("python_loop_at_end_us")},
    }


def _kernel_alone_us(config, args, count: int = 100) -> float:
    """GPU microseconds a launch of ``config``'s kernel takes when launches queue back to back:
    ``count`` launches enqueued behind a kernel that sleeps long enough to cover their host
    cost, between two events."""
    from numba import cuda

    @cuda.jit
    def sleep(rounds):
        for _ in range(rounds):
            cuda.nanosleep(1000000)

    stream = cuda.stream()
    kernel = config.dispatcher[config.griddim, config.blockdim, stream, config.sharedmem]
    kernel(*args)  # loads the kernel on this stream's context
    sleep[1, 1, stream](1)
    stream.synchronize()
    start, stop = cuda.event(), cuda.event()
    host = time.perf_counter()
    for _ in range(3):
        kernel(*args)
    per_launch = (time.perf_counter() - host) / 3
    stream.synchronize()
    # The sleep covers the host's enqueueing of the timed launches twice over (nanosleep's
    # granularity is coarse: about 1 ms a round).
    sleep[1, 1, stream](max(2, int(2 * count * per_launch * 1e3) + 2))
    start.record(stream)
    for _ in range(count):
        kernel(*args)
    stop.record(stream)
    stream.synchronize()
    return cuda.event_elapsed_time(start, stop) * 1e3 / count


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: NVMATH_EXPECT_DIR=DIR python3 _cublasdx_example_child.py EXAMPLE.py", file=sys.stderr)
        return 2
    example = os.path.abspath(sys.argv[1])
    report = {"example": os.path.basename(example)}
    status = 0
    try:
        import nvmath

        path = os.path.realpath(nvmath.__file__)
        report["nvmath_file"] = path
        report["nvmath_version"] = str(getattr(nvmath, "__version__", "?"))
        expect = os.environ.get("NVMATH_EXPECT_DIR")
        if expect and not path.startswith(os.path.realpath(expect) + os.sep):
            raise RuntimeError(f"imported nvmath from {path}, not from {os.path.realpath(expect)}")
        report["import_s"] = time.perf_counter() - t0
        probe = _probe_launches() if os.environ.get("NVMATH_CHILD_LAUNCH_PROBE") == "1" else None
        settled = settle(settle_seconds()) if settle_seconds() else None
        sys.path.insert(0, os.path.dirname(example))
        sys.argv = [example]
        sys.stdout.flush()
        runpy.run_path(example, run_name="__main__")
        if probe is not None and len(probe[0]) > 1:
            times, last = probe
            last["threads_at_end"] = _threads()
            last["python_loop_at_end_us"] = python_loop_us()
            report["host_launch_us"] = sorted(times[1:])[len(times[1:]) // 2] * 1e6
            report["launch_detail"] = _launch_detail(times, last)
            report["launch_detail"]["settled_s"] = settled
            report["launch_detail"]["idled_s"] = IDLED_S or None
            try:
                report["kernel_alone_us"] = _kernel_alone_us(last["config"], last["args"])
            except Exception as e:  # the example's own verdict stands; the probe says why it has no figure
                report["probe_error"] = f"{type(e).__name__}: {e}"[-500:]
    except SystemExit as e:  # an example that calls sys.exit(): its code is the verdict
        if e.code not in (None, 0):
            status = 1
            report["error"] = f"SystemExit: {e.code}"
    except BaseException as e:  # reported to the parent; the traceback goes to stderr
        traceback.print_exc()
        status = 1
        report["error"] = f"{type(e).__name__}: {e}"[-1500:]
    report["wall_s"] = time.perf_counter() - t0
    sys.stdout.flush()
    print("@@child " + json.dumps(report), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
