"""Running a kernel that fails its launch on purpose: a device-side assertion ends the CUDA
context, so such a kernel runs in a process of its own."""

import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_failing_script(tmp_path, source: str, env: dict | None = None, args=()) -> str:
    """Run ``source`` (dedented) in a child Python that imports this checkout, with ``env``
    added to the environment and ``args`` on its command line; assert that it fails and return
    what it printed (stdout and stderr)."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(source))
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
    }
    run = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    return out
