"""tools/peer_parity.py: its dump runs on this checkout, and its comparison sees differences."""

import json
import pathlib
import subprocess
import sys

import pytest

TOOL = pathlib.Path(__file__).parent.parent / "tools" / "peer_parity.py"


def _run(*args):
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    path = tmp_path_factory.mktemp("parity") / "ours.jsonl"
    # No Matmul or FFT descriptors (each compiles for seconds): the solvers' traits and the host FFTs.
    done = _run(
        "dump",
        str(path),
        *("--matmul", "0", "--fft", "0", "--solver", "40", "--fft-cpu", "80"),
        *("--matmul-cpu", "40", "--fft-stateful", "40", "--fft-arguments", "40", "--matmul-stateful", "40"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return path


def test_the_dump_answers_every_configuration(dump):
    rows = [json.loads(line) for line in dump.read_text().splitlines()[1:]]
    kinds = ["Solver"] * 40 + ["fft_cpu"] * 80
    kinds += ["matmul_cpu"] * 40 + ["fft_stateful"] * 40 + ["fft_arguments"] * 40 + ["matmul_stateful"] * 40
    assert [r["kind"] for r in rows] == kinds
    built = [r for r in rows if "traits" in r]
    refused = [r for r in rows if "raises" in r]
    assert len(built) + len(refused) == len(rows)
    assert any(r["kind"] == "fft_cpu" for r in built) and any(r["kind"] == "fft_cpu" for r in refused)
    for r in refused:  # each refusal carries its kinds, so that a subclass of the peer's type counts as the same
        assert r["raises"] == r["raises_kinds"][0] and "Exception" in r["raises_kinds"]


def test_a_dump_agrees_with_itself(dump, tmp_path):
    out = tmp_path / "same.json"
    done = _run("compare", str(dump), str(dump), "--json", str(out))
    assert done.returncode == 0, done.stdout
    assert json.loads(out.read_text())["differences"] == []


def test_the_comparison_reports_changed_values_and_refusals(dump, tmp_path):
    lines = dump.read_text().splitlines()
    rows = [json.loads(line) for line in lines[1:]]
    fft_built = next(
        i for i, r in enumerate(rows) if r["kind"] == "fft_cpu" and "traits" in r and r["traits"]["values"]
    )
    rows[fft_built]["traits"]["values"][0][0] += 1.0
    solver_built = next(i for i, r in enumerate(rows) if r["kind"] == "Solver" and "traits" in r)
    rows[solver_built] = {**rows[solver_built], "raises": "RuntimeError", "message": "no"}
    del rows[solver_built]["traits"]
    peer = tmp_path / "peer.jsonl"
    peer.write_text("\n".join([lines[0], *map(json.dumps, rows)]) + "\n")
    out = tmp_path / "cmp.json"
    done = _run("compare", str(dump), str(peer), "--json", str(out))
    assert done.returncode == 1
    what = sorted(d["what"] for d in json.loads(out.read_text())["differences"])
    assert what == ["peer refuses", "traits"]
