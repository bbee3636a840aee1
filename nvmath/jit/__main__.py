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

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nvmath.jit", description="Compile Python callbacks to LTO-IR ahead of time."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile path/to/file.py:func to an LTO-IR artifact file")
    c.add_argument("function", help="path/to/file.py:func or package.module:func")
    c.add_argument("--kind", required=True, choices=["prolog", "epilog"])
    c.add_argument("--element-type", required=True, choices=["float32", "float64", "complex64", "complex128"])
    c.add_argument("--user-info-type", default=None, help="dtype user_info points to (default: the element type)")
    c.add_argument("--arch", required=True, help="target, e.g. sm_90 or sm_90a")
    c.add_argument("--symbol", default=None, help="exported name (default: unique to the function)")
    c.add_argument("--fastmath", action="store_true")
    c.add_argument("-o", "--output", required=True, help="artifact file to write")
    i = sub.add_parser("inspect", help="print an artifact's metadata as JSON")
    i.add_argument("path")
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "compile":
        from .aot import compile_file

        try:
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
        except (ValueError, TypeError, OSError, ImportError, AttributeError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"wrote {args.output}: {artifact!r}")
        return 0
    from . import ltoir

    try:
        artifact = ltoir.load(args.path, check=False)
    except (OSError, ltoir.ArtifactFormatError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(dict(artifact.metadata, size=len(artifact), sha256=artifact.sha256), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
