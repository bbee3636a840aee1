"""benchmarks/cublasdx_examples_perf.py: the figures a child process reports reach the results
(no GPU needed: the child here is a stand-in that prints what an example and the probe would)."""

import gc
import json
import os
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import cublasdx_examples_perf as perf  # noqa: E402

PRINTED = "cuBLASDx average time [ms] =  0.0412\n"


def _stand_in(tmp_path, report: dict, code: int = 0) -> str:
    child = tmp_path / "child.py"
    child.write_text(
        f"import sys\nprint({PRINTED!r}, end='')\nprint('@@child ' + {json.dumps(report)!r})\nsys.exit({code})\n"
    )
    return str(child)


def test_the_probe_figures_join_the_printed_ones(tmp_path, monkeypatch):
    report = {"wall_s": 1.5, "host_launch_us": 38.25, "kernel_alone_us": 12.5}
    monkeypatch.setattr(perf, "CHILD", _stand_in(tmp_path, report))
    got = perf.run_example("example.py", dict(os.environ), str(tmp_path), 60)
    assert "error" not in got, got
    assert got["figures"] == {"time_ms": 0.0412, "host_launch_us": 38.25, "kernel_alone_us": 12.5}
    assert perf.UNITS["kernel_alone_us"] == ("us", "lower")
    assert perf.median_figures([got, got])["kernel_alone_us"] == 12.5


def test_a_probe_that_failed_is_said_and_the_example_still_counts(tmp_path, monkeypatch):
    report = {"wall_s": 1.5, "host_launch_us": 40.0, "probe_error": "CudaAPIError: no sleep"}
    monkeypatch.setattr(perf, "CHILD", _stand_in(tmp_path, report))
    got = perf.run_example("example.py", dict(os.environ), str(tmp_path), 60)
    assert "error" not in got
    assert got["probe_error"] == "CudaAPIError: no sleep"
    assert "kernel_alone_us" not in got["figures"]


def test_only_the_launch_bound_example_is_probed():
    assert set(perf.PROBED) <= set(perf.EXAMPLES)
    assert perf.PROBED == ("cublasdx_fused_gemm_performance",)


def test_paired_ratios_pair_each_of_ours_with_the_peer_of_its_round():
    ours = [
        {"round": 1, "figures": {"time_ms": 0.06}},
        {"round": 2, "figures": {"time_ms": 0.09}},
        {"round": 3, "figures": {"time_ms": 0.05}},
    ]
    # Round 2's peer failed; round 3's peer printed no time: neither pairs.
    peer = [
        {"round": 1, "figures": {"time_ms": 0.05}},
        {"round": 3, "figures": {}},
        {"round": 4, "figures": {"time_ms": 1.0}},
    ]
    assert perf.paired_ratios(ours, peer) == [0.06 / 0.05]
    assert perf.paired_ratios([], peer) == []


def test_the_launch_detail_reaches_the_run(tmp_path, monkeypatch):
    detail = {"launch_mean_us": 51.0, "gc_during_launches": {"0": {"count": 1, "total_us": 90.0}}}
    report = {"wall_s": 1.5, "host_launch_us": 48.0, "launch_detail": detail}
    monkeypatch.setattr(perf, "CHILD", _stand_in(tmp_path, report))
    got = perf.run_example("example.py", dict(os.environ), str(tmp_path), 60)
    assert got["launch_detail"] == detail
    assert "launch_detail" not in got["figures"]  # not a figure: no median, no ratio


def _keep_what_the_probe_patches(monkeypatch):
    """monkeypatch puts back, after the test, all that the probe replaces."""
    from numba.cuda import dispatcher
    from numba.cuda.cudadrv import driver

    for owner, name in (
        (dispatcher._LaunchConfiguration, "__call__"),
        (dispatcher.CUDADispatcher, "configure"),
        (dispatcher._Kernel, "launch"),
        (dispatcher, "launch"),
        (driver.Stream, "synchronize"),
    ):
        monkeypatch.setattr(owner, name, getattr(owner, name))


def test_launch_detail_parts_the_mean_from_the_median_and_counts_collections(monkeypatch):
    pytest.importorskip("numba.cuda")
    import _cublasdx_example_child as child
    from numba.cuda import dispatcher

    _keep_what_the_probe_patches(monkeypatch)
    monkeypatch.delenv("NVMATH_CHILD_FIRST_LAUNCHES", raising=False)
    kernel_launch = dispatcher._Kernel.launch
    callbacks = list(gc.callbacks)
    try:
        times, last = child._probe_launches()
        # Not asked to take the first launches apart: numba-cuda's launch is left alone.
        assert dispatcher._Kernel.launch is kernel_launch
        times.extend([900e-6, 50e-6, 48e-6, 52e-6])  # the first launch is not counted
        gc.collect(0)  # between launches: counted
        times.append(150e-6)
        gc.collect(1)  # after the last launch: not in the loop
        last["configure"].extend([2e-6, 3e-6, 4e-6])
        detail = child._launch_detail(times, last)
    finally:
        gc.callbacks[:] = callbacks
    assert detail["launches"] == 4
    assert detail["launch_us_in_order"] == [50.0, 48.0, 52.0, 150.0]
    assert abs(detail["launch_mean_us"] - 75.0) < 1e-9
    assert detail["launch_max_us"] == 150.0
    assert detail["configure_median_us"] == 3.0
    assert detail["gc_during_launches"]["0"]["count"] >= 1
    assert detail["gc_during_launches"]["0"]["total_us"] > 0
    assert "1" not in detail["gc_during_launches"]


def test_the_first_launches_are_taken_apart(monkeypatch):
    """The probe's wrappers forward to what they wrap and say, for the first launches, where
    each one's time went and what ran between them (stand-ins for numba-cuda's launch path)."""
    pytest.importorskip("numba.cuda")
    import _cublasdx_example_child as child
    from numba.cuda import dispatcher
    from numba.cuda.cudadrv import driver

    _keep_what_the_probe_patches(monkeypatch)
    monkeypatch.setenv("NVMATH_CHILD_FIRST_LAUNCHES", "6")
    calls = []

    def core_launch(*args):
        calls.append(("core", args))

    def kernel_launch(self, args):
        dispatcher.launch("stream", "config", "kernel", *args)  # as numba-cuda's _Kernel.launch does
        return "launched"

    def call(self, *args):
        return dispatcher._Kernel.launch(None, args)

    monkeypatch.setattr(dispatcher, "launch", core_launch)
    monkeypatch.setattr(dispatcher._Kernel, "launch", kernel_launch)
    monkeypatch.setattr(dispatcher._LaunchConfiguration, "__call__", call)
    monkeypatch.setattr(driver.Stream, "synchronize", lambda self: calls.append(("sync",)))
    callbacks = list(gc.callbacks)
    try:
        times, last = child._probe_launches()
        config = object.__new__(dispatcher._LaunchConfiguration)
        stream = object.__new__(driver.Stream)
        assert config(1, 2) == "launched"  # the warm-up
        stream.synchronize()
        for i in range(6 + 2):
            assert config(i) == "launched"
        detail = child._launch_detail(times, last)
    finally:
        gc.callbacks[:] = callbacks
    assert calls[0] == ("core", ("stream", "config", "kernel", 1, 2)) and calls[1] == ("sync",)
    first = detail["first_launches"]
    assert len(first) == 6  # only the first ones are taken apart
    for row in first:
        assert 0 < row["core_launch_us"] <= row["kernel_launch_us"] <= row["launch_us"]
        assert row["minflt"] >= 0 and row["nvcsw"] >= 0 and row["nivcsw"] >= 0
    assert len(detail["gaps_before_us"]) == 6 - 1
    (sync,) = detail["syncs_after_launch"]  # after the warm-up, before the next
    assert sync[0] == 1 and sync[1] > 0 and sync[2]["nvcsw"] >= 0
    assert "Threads" in detail["process_at_first_launch"]
    assert "ctx_flags" in detail["process_at_first_launch"]


def _detail(mean: float, launches: list, gc_us: float) -> dict:
    return {
        "launches": len(launches),
        "launch_mean_us": mean,
        "launch_us_in_order": launches,
        "configure_mean_us": 3.0,
        "gc_during_launches": {"0": {"count": 1, "total_us": gc_us}} if gc_us else {},
    }


def test_launch_summary_takes_medians_over_the_runs():
    runs = [
        {"launch_detail": _detail(52.0, [56.0, 50.0, 50.0], 90.0)},
        {"launch_detail": _detail(49.0, [48.0, 48.0, 51.0], 0.0)},
        {"launch_detail": _detail(60.0, [80.0, 50.0, 50.0], 300.0)},
        {"figures": {}},  # a run without the probe does not count
    ]
    got = perf.launch_summary(runs)
    assert got["runs"] == 3
    assert got["launch_mean_minus_median_us"] == 2.0  # median of 2, 1 and 10
    assert got["configure_mean_us"] == 3.0
    assert got["first_timed_over_median_us"] == 6.0  # median of 6, 0 and 30
    assert got["first_timed_minflt"] is None and got["warmup_sync_us"] is None  # older results lack them
    rows = [r["launch_detail"] for r in runs[:3]]
    for n, d in enumerate(rows):
        d["first_launches"] = [{"minflt": 50}, {"minflt": n, "nvcsw": 1, "nivcsw": n}]
        d["syncs_after_launch"] = [[1, 10.0 * (n + 1), {"minflt": 0, "majflt": 0, "nvcsw": n, "nivcsw": 0}, 3, 3]]
    got = perf.launch_summary(runs)
    assert got["first_timed_minflt"] == 1 and got["first_timed_switches"] == 2
    assert got["warmup_sync_us"] == 20.0 and got["warmup_sync_switches"] == 1
    assert got["gc_collections"] == 1 and got["gc_us"] == 90.0


def _whole_run_argv(tmp_path, out) -> list:
    """Arguments for a whole run of the chained-GEMM example over two rounds: a stand-in
    examples folder and a stand-in nvmath-python install under ``tmp_path``."""
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "cublasdx_fused_gemm_performance.py").write_text("# stand-in\n")
    peer = tmp_path / "peer"
    (peer / "nvmath").mkdir(parents=True)
    (peer / "nvmath" / "__init__.py").write_text("")
    (peer / "nvmath_python-1.0.1.dist-info").mkdir()
    argv = ["--out", str(out), "--rounds", "2", "--budget", "120", "--examples-dir", str(examples)]
    return argv + ["--peer-dir", str(peer), "--site-dir", "", "--only", "cublasdx_fused_gemm_performance"]


def test_a_whole_run_keeps_each_round_s_launch_detail(tmp_path, monkeypatch, capsys):
    report = {"wall_s": 1.0, "host_launch_us": 48.0, "launch_detail": _detail(51.0, [48.0, 48.0, 57.0], 80.0)}
    monkeypatch.setattr(perf, "CHILD", _stand_in(tmp_path, report))
    out = tmp_path / "out"
    argv = _whole_run_argv(tmp_path, out)
    assert perf.main(argv) == 0
    res = json.loads((out / "cublasdx_examples_perf.json").read_text())
    e = res["examples"]["cublasdx_fused_gemm_performance"]
    for who in ("ours", "peer"):
        assert [r["launch_detail"]["launch_mean_us"] for r in e[who]["runs"]] == [51.0, 51.0]
        assert e[who]["launch_summary"]["launch_mean_minus_median_us"] == 3.0
    assert "ours launches: runs 2, launch_mean_minus_median_us 3" in capsys.readouterr().out


def test_variants_of_ours_run_in_the_same_rounds_with_their_own_environment(tmp_path, monkeypatch, capsys):
    # The stand-in prints 0.05 ms where the variant's setting reaches it, 0.04 ms elsewhere.
    child = tmp_path / "child.py"
    child.write_text(
        "import json, os\n"
        "t = 0.05 if os.environ.get('NVMATH_STAND_IN_SLOW') == '1' else 0.04\n"
        "print(f'cuBLASDx average time [ms] =  {t}')\n"
        "print('@@child ' + json.dumps({'wall_s': 1.0, 'cache': os.environ['NVMATH_CACHE_DIR']}))\n"
    )
    monkeypatch.setattr(perf, "CHILD", str(child))
    out = tmp_path / "out"
    argv = _whole_run_argv(tmp_path, out)
    argv += ["--ours-variant", "slow:NVMATH_STAND_IN_SLOW=1", "--ours-variant", "same:NVMATH_STAND_IN_OTHER=x"]
    assert perf.main(argv) == 0
    res = json.loads((out / "cublasdx_examples_perf.json").read_text())
    e = res["examples"]["cublasdx_fused_gemm_performance"]
    assert res["ours_variants"] == {
        "ours:slow": {"NVMATH_STAND_IN_SLOW": "1"},
        "ours:same": {"NVMATH_STAND_IN_OTHER": "x"},
    }
    assert e["paired_ratios_time_ms"] == [1.0, 1.0]
    assert e["ours:slow"]["paired_ratios_time_ms"] == [1.25, 1.25]
    assert e["ours:same"]["paired_ratio_median_time_ms"] == 1.0
    assert [r["round"] for r in e["ours:slow"]["runs"]] == [1, 2]
    printed = capsys.readouterr().out
    assert "ours:slow over the peer, median of 2 within-round ratios" in printed


@pytest.mark.parametrize("texts", [["slow"], [":A=1"], ["a b:A=1"], ["x:A"], ["x:A=1", "x:B=2"]])
def test_variants_that_cannot_be_read_are_refused_naming_them(texts):
    with pytest.raises(ValueError, match="variant"):
        perf.parse_variants(texts)


def test_variants_are_read_in_order():
    assert perf.parse_variants([" a:X=1, Y=two=2 ", "b: "]) == {"ours:a": {"X": "1", "Y": "two=2"}, "ours:b": {}}
    assert perf.parse_variants([]) == {}


def test_cpu_lists_read_as_linux_writes_them():
    assert perf._cpu_list("0-3,8,10-11\n") == {0, 1, 2, 3, 8, 10, 11}
    assert perf._cpu_list("") == set()


def test_the_gpu_s_cpus_come_from_its_pci_device(monkeypatch):
    allowed = os.sched_getaffinity(0)
    local = {min(allowed)}
    seen = []

    def fake_open(path, *args, **kwargs):
        import io

        seen.append(path)
        return io.StringIO(",".join(map(str, sorted(local))))

    monkeypatch.setattr("builtins.open", fake_open)
    # nvidia-smi's 8-digit PCI domain, sysfs's 4-digit one.
    got = perf.gpu_local_cpus("00000000:19:00.0")
    assert seen == ["/sys/bus/pci/devices/0000:19:00.0/local_cpulist"]
    assert got == (local if local != allowed else None)  # all the CPUs: no pinning
    local = set(allowed)
    assert perf.gpu_local_cpus("00000000:19:00.0") is None


def _affinity_child(tmp_path) -> str:
    """A stand-in child that reports the CPUs it may run on (as launch_detail's ``cpus``)."""
    child = tmp_path / "child.py"
    child.write_text(
        "import json, os\n"
        "print('cuBLASDx average time [ms] =  0.04')\n"
        "print('@@child ' + json.dumps({'wall_s': 1.0, 'launch_detail': {'cpus': sorted(os.sched_getaffinity(0))}}))\n"
    )
    return str(child)


def test_a_pinned_child_runs_on_the_cpus_given(tmp_path, monkeypatch):
    monkeypatch.setattr(perf, "CHILD", _affinity_child(tmp_path))
    cpu = min(os.sched_getaffinity(0))
    got = perf.run_example("example.py", dict(os.environ), str(tmp_path), 60, cpus={cpu})
    assert got["launch_detail"]["cpus"] == [cpu], got


def test_pin_takes_a_cpu_list_and_refuses_what_this_process_may_not_use():
    allowed = os.sched_getaffinity(0)
    cpu = min(allowed)
    assert perf.pin_cpus(str(cpu)) == {cpu}
    assert perf.pin_cpus("none") is None
    for bad in ("fast", "", "3-1", str(max(allowed) + 1000)):
        with pytest.raises(ValueError, match="--pin=.*accepted: gpu-local, none"):
            perf.pin_cpus(bad)


def test_a_bad_pin_is_refused_before_anything_runs(tmp_path, capsys):
    with pytest.raises(SystemExit):
        perf.main(["--pin", "fast", "--examples-dir", str(tmp_path / "absent"), "--out", str(tmp_path)])
    assert "--pin='fast' is not supported" in capsys.readouterr().err


def test_a_gap_idles_before_each_timed_process_of_every_contender(tmp_path, monkeypatch):
    report = {"wall_s": 1.0, "host_launch_us": 48.0, "launch_detail": _detail(51.0, [48.0, 48.0, 57.0], 80.0)}
    monkeypatch.setattr(perf, "CHILD", _stand_in(tmp_path, report))
    slept = []
    real_sleep = time.sleep
    monkeypatch.setattr(perf.time, "sleep", lambda s: slept.append(s) if s == 7.5 else real_sleep(s))
    out = tmp_path / "out"
    assert perf.main(_whole_run_argv(tmp_path, out) + ["--gap", "7.5"]) == 0
    res = json.loads((out / "cublasdx_examples_perf.json").read_text())
    assert res["gap_s"] == 7.5
    # Two rounds of two contenders; the warm-ups run without it.
    assert slept == [7.5] * 4


def test_pin_one_runs_each_round_on_one_cpu_the_same_for_every_contender(tmp_path, monkeypatch):
    monkeypatch.setattr(perf, "CHILD", _affinity_child(tmp_path))
    allowed = sorted(os.sched_getaffinity(0))[:2]
    out = tmp_path / "out"
    argv = _whole_run_argv(tmp_path, out) + ["--pin", ",".join(map(str, allowed)), "--pin-one"]
    assert perf.main(argv) == 0
    res = json.loads((out / "cublasdx_examples_perf.json").read_text())
    e = res["examples"]["cublasdx_fused_gemm_performance"]
    expected = [[allowed[0]], [allowed[1 % len(allowed)]]]
    for who in ("ours", "peer"):
        assert [r["cpus"] for r in e[who]["runs"]] == expected
        # And each child ran there.
        assert [r["launch_detail"]["cpus"] for r in e[who]["runs"]] == expected
    assert res["pin_one"] is True


def test_pin_one_without_cpus_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        perf.main(["--pin", "none", "--pin-one", "--examples-dir", str(tmp_path / "absent"), "--out", str(tmp_path)])
    assert "--pin-one needs --pin to name CPUs" in capsys.readouterr().err


@pytest.mark.parametrize("gap", ["-1", "61", "nan"])
def test_a_gap_out_of_range_is_refused_naming_it(tmp_path, capsys, gap):
    with pytest.raises(SystemExit):
        perf.main(["--gap", gap, "--examples-dir", str(tmp_path / "absent"), "--out", str(tmp_path)])
    assert f"--gap={float(gap)} is not supported" in capsys.readouterr().err


def _moded_run(launch_us, time_us, loop_start=None):
    detail = {"python_loop_us": {"start": loop_start, "end": loop_start}} if loop_start else {}
    return {"figures": {"host_launch_us": launch_us, "time_ms": time_us / 1e3}, "launch_detail": detail}


def test_launch_modes_part_each_contender_s_processes_at_the_fastest_launch_times_the_factor():
    ours = [_moded_run(50.0, 55.0, 900.0), _moded_run(52.0, 56.0, 910.0), _moded_run(86.0, 92.0, 1500.0)]
    peer = [_moded_run(51.0, 57.0), _moded_run(64.0, 70.0), _moded_run(66.0, 71.0), {"figures": {}}]
    got = perf.launch_modes({"ours": ours, "peer": peer})
    assert got["slow_above_us"] == perf.SLOW_MODE_FACTOR * 50.0 == 65.0
    assert got["ours"]["fast"]["processes"] == 2 and got["ours"]["slow"]["processes"] == 1
    assert got["peer"]["fast"]["processes"] == 2 and got["peer"]["slow"]["processes"] == 1  # 64 fast, 66 slow
    assert abs(got["ours"]["fast"]["time_ms"] - 0.0555) < 1e-12
    assert got["ours"]["fast"]["python_loop_start_us"] == 905.0 and got["ours"]["slow"]["python_loop_end_us"] == 1500.0
    assert got["peer"]["fast"]["python_loop_start_us"] is None  # older children do not time the loop
    assert abs(got["fast_time_ms_ratio"] - 0.0555 / 0.0635) < 1e-12
    assert perf.launch_modes({"ours": [{"figures": {}}], "peer": []}) == {}


def test_the_child_times_python_and_reads_its_threads_without_cuda():
    import _cublasdx_example_child as child

    assert child.PYTHON_LOOP_AT_START_US > 0 and child.python_loop_us(3) > 0
    threads = child._threads()
    if os.path.isdir("/proc/self/task"):
        assert any(t["tid"] == os.getpid() for t in threads)
        assert all(t["ticks"] >= 0 and t["cpu"] >= 0 and t["name"] for t in threads)
    state = child._process_state()
    assert state["threads"] == [] or state["threads"][0]["tid"] == os.getpid()
    assert isinstance(state["cpu_facts"], dict)


def test_a_settled_child_starts_the_example_only_once_it_is_that_old(monkeypatch):
    import _cublasdx_example_child as child

    monkeypatch.delenv("NVMATH_CHILD_SETTLE_S", raising=False)
    assert child.settle_seconds() == 0.0
    for text, want in (("2.5", 2.5), ("-3", 0.0), ("soon", 0.0)):
        monkeypatch.setenv("NVMATH_CHILD_SETTLE_S", text)
        assert child.settle_seconds() == want
    age = time.perf_counter() - child.t0
    waited = child.settle(age + 0.05)
    assert waited >= 0.04 and time.perf_counter() - child.t0 >= age + 0.05
    assert child.settle(0.0) < 0.01  # already older: no wait


def _examples(paired: bool) -> dict:
    e = {
        "ours": {"median": {"time_ms": 0.104}},
        "peer": {"median": {"time_ms": 0.102}},
        "ratio_ours_over_peer": {"time_ms": 0.104 / 0.102},
    }
    if paired:
        e["paired_ratios_time_ms"] = [0.94, 0.67, 1.37]
        e["paired_ratio_median_time_ms"] = 0.94
    return {"cublasdx_fused_gemm_performance": e, "cublasdx_no_time": {"ratio_ours_over_peer": {}}}


@pytest.mark.parametrize("paired", [True, False])
def test_the_chart_leads_with_the_figure_the_table_leads_with(paired):
    rows = perf.chart_rows(_examples(paired))
    assert len(rows) == 1  # the example without a time has no bar
    label, ratio, ours, peer, is_paired = rows[0]
    assert label == "fused_gemm_performance" and (ours, peer) == (0.104, 0.102) and is_paired is paired
    assert ratio == pytest.approx(0.94 if paired else 0.104 / 0.102)


def test_the_time_axis_is_linear_unless_the_times_span_a_decade():
    # a log axis draws bars from its lower limit: a 2% difference looked like a 20x one
    assert not perf.time_axis_is_log([0.104, 0.102])
    assert perf.time_axis_is_log([0.0004, 0.05, 35.0])
    assert not perf.time_axis_is_log([])


def test_replot_draws_a_written_json_and_runs_nothing(tmp_path, monkeypatch, capsys):
    drawn = []
    monkeypatch.setattr(
        perf, "chart", lambda path, examples, title: drawn.append((path, sorted(examples), title)) or True
    )
    monkeypatch.setattr(perf, "run_example", lambda *a, **k: pytest.fail("--replot ran an example"))
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"peer_version": "1.0.1", "examples": _examples(True)}))
    assert perf.main(["--replot", str(path)]) == 0
    assert drawn == [
        (str(tmp_path / "run.png"), sorted(_examples(True)), "cuBLASDx examples: ours vs nvmath-python 1.0.1")
    ]
    assert f"wrote {tmp_path / 'run.png'}" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["{not json", json.dumps({"rounds": []}), json.dumps([1, 2])])
def test_replot_refuses_what_this_script_did_not_write(tmp_path, capsys, text):
    path = tmp_path / "other.json"
    path.write_text(text)
    with pytest.raises(SystemExit) as e:
        perf.main(["--replot", str(path)])
    assert e.value.code == 2
    assert f"--replot={str(path)!r} is not supported" in capsys.readouterr().err


def test_replot_of_a_missing_file_names_it(tmp_path, capsys):
    with pytest.raises(SystemExit):
        perf.main(["--replot", str(tmp_path / "absent.json")])
    assert "FileNotFoundError" in capsys.readouterr().err


def test_replot_says_when_it_drew_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(perf, "pyplot", lambda: None)  # as where matplotlib is not installed
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"peer_version": "1.0.1", "examples": _examples(False)}))
    assert perf.main(["--replot", str(path)]) == 1
    out = capsys.readouterr()
    assert "wrote" not in out.out and "no chart for" in out.err
    assert not (tmp_path / "run.png").exists()
