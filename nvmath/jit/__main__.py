"""``python -m nvmath.jit``: compile callbacks ahead of time, and inspect artifacts.

Examples
--------
::

    python -m nvmath.jit compile filters.py:scale --kind epilog --element-type complex64 \\
        --user-info-type float32 --arch sm_90 -o scale.ltoir
    python -m nvmath.jit inspect scale.ltoir
"""

from __future__ import annotations

import argparse
import json
import sys

from nvmath._internal.environment import flag

__all__ = ["main"]

PROG = "python -m nvmath.jit"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", help="on an error, show the traceback (also NVMATH_DEBUG=1 in the environment)"
    )
    parser = argparse.ArgumentParser(prog=PROG, description="Compile Python callbacks to LTO-IR ahead of time.")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", parents=[common], help="compile path/to/file.py:func to an LTO-IR artifact file")
    c.add_argument("function", help="path/to/file.py:func or package.module:func")
    c.add_argument("--kind", required=True, choices=["prolog", "epilog"])
    c.add_argument("--element-type", required=True, choices=["float32", "float64", "complex64", "complex128"])
    c.add_argument("--user-info-type", default=None, help="dtype user_info points to (default: the element type)")
    c.add_argument("--arch", required=True, help="target, e.g. sm_90 or sm_90a")
    c.add_argument("--symbol", default=None, help="exported name, a C identifier (default: unique to the function)")
    c.add_argument("--fastmath", action="store_true")
    c.add_argument("-o", "--output", required=True, help="artifact file to write")
    i = sub.add_parser("inspect", parents=[common], help="print an artifact's metadata as JSON")
    i.add_argument("path")
    return parser


def _debug(args) -> bool:
    return args.debug or flag("NVMATH_DEBUG", False)


def _run(args) -> None:
    if args.command == "compile":
        from .aot import compile_file
        from .arch import resolve_target

        resolve_target(args.arch, keyword="--arch")  # so that a message names the option given
        artifact = compile_file(
            args.function,
            kind=args.kind,
            element_type=args.element_type,
            user_info_type=args.user_info_type,
            compute_capability=args.arch,
            output=args.output,
            symbol=args.symbol,
            fastmath=args.fastmath,
        )
        print(f"wrote {args.output}: {artifact!r}")
        return
    from . import ltoir

    artifact = ltoir.load(args.path, check=False)
    print(json.dumps(dict(artifact.metadata, size=len(artifact), sha256=artifact.sha256), indent=2))


def main(argv=None) -> int:
    """Run the command line; returns the exit status (2 on an error, as argparse does)."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except Exception as e:
        if _debug(args):
            import traceback

            traceback.print_exc()
        # Our errors say what is wrong and what to do; a traceback would only hide that. A
        # compile error keeps its few indented lines (the failing expression, the location).
        message = str(e) or type(e).__name__
        if isinstance(e, OSError) and e.filename is not None:
            message = f"{e.strerror or type(e).__name__}: {e.filename}"
        print(f"{PROG} {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
