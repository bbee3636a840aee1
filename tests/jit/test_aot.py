"""Ahead-of-time compilation: python -m nvmath.jit compile, on a machine without a GPU."""

import json
import subprocess
import sys
import textwrap

import pytest

from nvmath.jit import compile_file, ltoir
from nvmath.jit.__main__ import main

SOURCE = textwrap.dedent("""
    GAIN = 2.0

    def scale(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 16] * GAIN

    def shift(data_in, offset, user_info, unused):
        return data_in[offset] + user_info[0]
""")


@pytest.fixture()
def source(tmp_path):
    path = tmp_path / "filters.py"
    path.write_text(SOURCE)
    return path


def test_cli_compile_in_a_fresh_process(source, tmp_path):
    out = tmp_path / "scale.ltoir"
    cmd = [
        sys.executable,
        "-m",
        "nvmath.jit",
        "compile",
        f"{source}:scale",
        "--kind",
        "epilog",
        "--element-type",
        "complex64",
        "--user-info-type",
        "float32",
        "--arch",
        "sm_90",
        "-o",
        str(out),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    art = ltoir.load(out)
    assert art.kind == "epilog" and art.element_type == "complex64" and art.user_info_type == "float32"
    assert art.target == "sm_90" and art.symbol in done.stdout

    shown = subprocess.run(
        [sys.executable, "-m", "nvmath.jit", "inspect", str(out)], capture_output=True, text=True, timeout=120
    )
    meta = json.loads(shown.stdout)
    assert meta["symbol"] == art.symbol and meta["size"] == len(art)


def test_compile_file_function(source, tmp_path):
    art = compile_file(
        f"{source}:shift",
        kind="prolog",
        element_type="float64",
        compute_capability="sm_90",
        output=tmp_path / "shift.ltoir",
        symbol="shift_load",
    )
    assert art.symbol == "shift_load" and art.user_info_type == "float64"
    assert ltoir.load(tmp_path / "shift.ltoir") == art


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["compile", "nofile.py:f", "--kind", "epilog", "--element-type", "complex64", "--arch", "sm_90", "-o", "x"],
            "no such file",
        ),
        (
            [
                "compile",
                "SOURCE:missing",
                "--kind",
                "epilog",
                "--element-type",
                "complex64",
                "--arch",
                "sm_90",
                "-o",
                "x",
            ],
            "no function 'missing'",
        ),
        (
            ["compile", "SOURCE", "--kind", "epilog", "--element-type", "complex64", "--arch", "sm_90", "-o", "x"],
            "path/to/file.py:function",
        ),
        (
            ["compile", "SOURCE:scale", "--kind", "epilog", "--element-type", "complex64", "--arch", "gpu", "-o", "x"],
            "compute capability",
        ),
    ],
)
def test_cli_errors(source, capsys, args, message):
    args = [a.replace("SOURCE", str(source)) for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_rejects_unknown_kind(source):
    with pytest.raises(SystemExit):
        main(
            [
                "compile",
                f"{source}:scale",
                "--kind",
                "load",
                "--element-type",
                "complex64",
                "--arch",
                "sm_90",
                "-o",
                "x",
            ]
        )
