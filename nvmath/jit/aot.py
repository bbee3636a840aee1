"""Ahead-of-time compilation: ``path/to/file.py:func`` → an LTO-IR artifact file, no GPU needed."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys

__all__ = ["compile_file", "load_function", "KINDS"]

KINDS = ("prolog", "epilog")


def _describe(e: BaseException) -> str:
    if isinstance(e, SyntaxError) and e.lineno is not None:
        return f"SyntaxError: {e.msg} (line {e.lineno})"
    return f"{type(e).__name__}: {e}"


def load_function(spec: str):
    """Import ``path/to/file.py:func`` or ``package.module:func`` and return the function.

    Raises
    ------
    ValueError
        If ``spec`` has no ``:func`` part.
    FileNotFoundError, ImportError, AttributeError
        If the file, module or function does not exist (the message names which); running
        the file raising an exception is an ImportError too, with that exception as cause.
    """
    path, sep, name = spec.rpartition(":")
    if not sep or not path or not name:
        raise ValueError(f"{spec!r} must be 'path/to/file.py:function' or 'package.module:function'")
    if path.endswith(".py") or os.sep in path:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no such file: {path!r}")
        digest = hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:12]
        mod_name = f"_nvmath_aot_{os.path.splitext(os.path.basename(path))[0]}_{digest}"
        module_spec = importlib.util.spec_from_file_location(mod_name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[mod_name] = module  # so that functions it defines can be fingerprinted
        try:
            module_spec.loader.exec_module(module)
        except Exception as e:
            del sys.modules[mod_name]  # a failed import leaves nothing behind
            raise ImportError(f"importing {path!r} failed: {_describe(e)}") from e
    else:
        try:
            module = importlib.import_module(path)
        except ImportError:
            raise
        except Exception as e:
            raise ImportError(f"importing {path!r} failed: {_describe(e)}") from e
    obj = module
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError(f"{path!r} has no function {name!r}") from None
    return obj


def compile_file(
    spec: str,
    *,
    kind: str,
    element_type,
    user_info_type=None,
    compute_capability,
    output=None,
    symbol: str | None = None,
    fastmath: bool = False,
):
    """Compile a cuFFT callback defined in a file, ahead of time.

    Parameters
    ----------
    spec : str
        ``path/to/file.py:func`` or ``package.module:func``.
    kind : {"prolog", "epilog"}
    element_type : str or dtype
        ``float32``, ``float64``, ``complex64`` or ``complex128``.
    user_info_type : optional
        What ``user_info`` points to; default the element type.
    compute_capability :
        The target, e.g. ``"sm_90"``. Required: the machine compiling may have no GPU.
    output : path, optional
        Where to save the artifact (see :func:`nvmath.jit.ltoir.save`).
    symbol : str, optional
    fastmath : bool

    Returns
    -------
    nvmath.jit.ltoir.LTOIR
    """
    from nvmath.fft.callbacks import compile_epilog, compile_prolog

    from . import ltoir

    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not supported; accepted: {', '.join(KINDS)}")
    if compute_capability is None:
        raise ValueError("compute_capability is required for ahead-of-time compilation, e.g. 'sm_90'")
    func = load_function(spec)
    compiler = compile_prolog if kind == "prolog" else compile_epilog
    artifact = compiler(
        func,
        element_type,
        element_type if user_info_type is None else user_info_type,
        compute_capability=compute_capability,
        symbol=symbol,
        fastmath=fastmath,
    )
    if output is not None:
        ltoir.save(artifact, output)
    return artifact
