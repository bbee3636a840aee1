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
import time

t0 = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402


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
        sys.path.insert(0, os.path.dirname(example))
        sys.argv = [example]
        sys.stdout.flush()
        runpy.run_path(example, run_name="__main__")
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
