"""The README tells the truth: the files it names exist in the repository, it points nowhere
outside it, and its two commands are where .ci/run looks for them."""

import pathlib
import re

ROOT = pathlib.Path(__file__).parent.parent
README = (ROOT / "README.md").read_text()


def test_named_files_exist():
    # Backticked paths under the repository's own folders, e.g. `docs/results/h200/`.
    folders = "nvmath|tests|tools|benchmarks|examples|docs|\\.ci"
    named = set(re.findall(rf"`((?:{folders})/[\w./-]*)`", README))
    assert named, "the README names no files: the pattern is stale"
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"the README names files that are not in the repository: {missing}"


def test_points_nowhere_outside_the_repository():
    assert "../" not in README
    assert "ARCHITECTURE.md" not in README
    assert not re.search(r"\bsession \d", README, re.I), "internal words in the README"


def test_the_two_commands_are_there():
    setup_and_run = re.search(r"^ *python3 -m venv .* examples/fft_callback.py$", README, re.M)
    assert setup_and_run is not None
    marker = README.index("<!-- test-command -->")
    test_line = next(line for line in README[marker:].splitlines()[1:] if line.strip().startswith("python3 "))
    assert "pytest" in test_line and "ruff check" in test_line and "ruff format --check" in test_line
