"""Compare what this project answers with what nvmath-python answers, on the CPU.

Three families of seeded configurations, each answered without a GPU:

- the device APIs' traits (``Matmul``, ``FFT`` and the cuSOLVERDx classes: dimensions, sizes,
  leading dimensions, block dimensions, shared memory, strides...), which come from libmathdx's
  descriptors;
- the host FFTs (``fft``, ``ifft``, ``rfft``, ``irfft`` with ``execution="cpu"``) over NumPy
  operands of every layout: the result's type, shape, strides, values, and whether it shares
  the operand's memory;
- the generic matmul (``nvmath.linalg.matmul`` with ``execution="cpu"``): shapes (batched,
  broadcast, vectors), layouts, ``c``, ``alpha``, ``beta`` and matrix qualifiers, answered
  the same way. nvmath-python runs the host operations through MKL (``pip install mkl``).

One interpreter builds the configurations and writes what each answers (or the type of the
exception it raises) as JSON lines; ``compare`` reads two such files, one written with this
checkout's ``nvmath`` on the path, one with nvmath-python's. The two share the import name, so
each side runs in its own interpreter (nvmath-python 1.0.1's wheel is for CPython 3.12)::

    python tools/peer_parity.py dump ours.jsonl                 # this checkout on sys.path
    /path/to/py312-with-nvmath-python/python tools/peer_parity.py dump peer.jsonl
    python tools/peer_parity.py compare ours.jsonl peer.jsonl --json out.json

Exception messages are not compared (this project's say more); their types are, and so is
whether a configuration is refused at all. Values are compared within the precision's tolerance.

Differences that remain by design (2026-12-08, nvmath-python 1.0.1):

- nvmath-python refuses, this project answers: layouts FFTW, cuFFT or BLAS cannot address (copied
  once here, logged), negative strides, C2R executed twice without a new operand (a private copy
  here), ``reset_operand(None)`` (a release here), ``fft_type`` in lower case, two structured
  matmul operands and triangular ones on the CPU (NotImplementedError there; the former here
  too).
- this project refuses at construction what nvmath-python refuses later or not at all: Matmul
  with Thread execution (every trait fails there), shapes that overflow shared memory, leading
  dimensions below the matrix, knobs libmathdx refuses, ``ffts_per_block`` or
  ``elements_per_thread`` with Thread execution, ``conj_transposed`` for real data, bool axes.
- refusal types: libmathdx's refusals are ValueErrors here (LibMathDxError, RuntimeError there).
- nvmath-python 1.0.1 changed after v0.9.0 (whose API this project follows): ``get_key()``
  before ``plan()`` and ``reset_operands()`` without operands now raise there.
- an nvmath-python bug: after a refused ``reset_operands(a=...)`` (strides that do not match),
  its generic ``Matmul`` computes with data other than its operands'.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time

import numpy as np

# What each class answers without arguments: attributes, and methods called with none.
_MATMUL_TRAITS = (
    "a_dim b_dim c_dim a_size b_size c_size leading_dimension block_dim block_size "
    "max_threads_per_block alignment arrangement precision data_type size sm execution "
    "static_block_dim transpose_mode function a_value_type b_value_type c_value_type "
    "with_pipeline enable_input_streaming get_shared_storage_size get_shared_storage_size_ab"
).split()
_FFT_TRAITS = (
    "block_dim direction elements_per_thread execution fft_type ffts_per_block "
    "implicit_type_batching input_type output_type precision real_fft_options "
    "shared_memory_size size sm storage_size stride value_type "
    "valid:elements_per_thread,ffts_per_block valid:elements_per_thread"
).split()
_SOLVER_TRAITS = (
    "a_arrangement b_arrangement arrangement batches_per_block block_dim block_size data_type "
    "diag execution fill_mode function info_type ipiv_type job k lda ldb leading_dimensions m n "
    "precision side size sm tau_type transpose_mode value_type workspace_size a_shape a_size "
    "a_strides b_shape b_size b_strides c_shape c_size c_strides info_shape info_strides "
    "ipiv_shape ipiv_size ipiv_strides tau_shape tau_size tau_strides bx_size bx_strides x_shape"
).split()

_ARRANGEMENTS = ("row_major", "col_major")
_MISSING = "<missing>"


def _plain(value, depth=0):
    """``value`` as JSON: tuples and named tuples as lists, types by name."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in sorted(value.items())}
    if hasattr(value, "real_dtype") and hasattr(value, "dtype"):  # nvmath.device.types.Complex
        return f"Complex({np.dtype(value.dtype)})"
    if hasattr(value, "major") and hasattr(value, "minor"):  # ComputeCapability
        return [value.major, value.minor]
    # A numba type (value_type and friends): its name is what kernels see.
    return str(value)


def _answer(obj, name):
    # "method:a,b" calls obj.method("a", "b") (FFT.valid's knobs, say); its answer is listed.
    method, _, args = name.partition(":")
    if args:
        try:
            return _plain(list(getattr(obj, method)(*args.split(","))))
        except AttributeError:
            return _MISSING
        except Exception as e:
            return f"<raises {type(e).__name__}>"
    try:
        value = getattr(obj, name)
    except AttributeError:
        return _MISSING
    except Exception as e:  # a trait the configuration does not have
        return f"<raises {type(e).__name__}>"
    if callable(value) and not isinstance(value, type):
        try:
            value = value()
        except TypeError:
            return "<needs arguments>"
        except Exception as e:
            return f"<raises {type(e).__name__}>"
    return _plain(value)


# ------------------------------------------------------------------ configurations


def _matmul_configs(rng: random.Random, count: int):
    sizes = [
        (8, 8, 8),
        (16, 32, 8),
        (32, 32, 32),
        (64, 64, 64),
        (128, 128, 32),
        (33, 17, 5),
        (256, 256, 256),
        (1, 1, 1),
    ]
    precisions = [
        "float16",
        "float32",
        "float64",
        ("float16", "float16", "float32"),
        ("int8", "int8", "int32"),
        ("float32", "float32", "float64"),
    ]
    for _ in range(count):
        cfg = {
            "size": rng.choice(sizes),
            "precision": rng.choice(precisions),
            "data_type": rng.choice(["real", "real", "complex"]),
            "sm": rng.choice([80, 86, 90, 90, 90, 100, 120]),
            "execution": rng.choice(["Block", "Block", "Block", "Thread"]),
        }
        if rng.random() < 0.9:  # nvmath-python asks for one (or a transpose_mode)
            cfg["arrangement"] = tuple(rng.choice(_ARRANGEMENTS) for _ in range(3))
        pick = rng.random()
        if pick < 0.5:
            cfg["block_size"] = rng.choice([32, 64, 96, 128, 256, 512, 1024, 2048])
        elif pick < 0.7:
            cfg["block_dim"] = rng.choice([(128, 1, 1), (32, 4, 1), (16, 8, 2), (2048, 1, 1), "suggested"])
        pick = rng.random()
        if pick < 0.2:
            cfg["leading_dimension"] = "suggested"
        elif pick < 0.35:
            m, n, k = cfg["size"]
            cfg["leading_dimension"] = (m + rng.choice([0, 4, -1]), k + rng.choice([0, 8]), m + rng.choice([0, 1]))
        pick = rng.random()
        if pick < 0.15:
            cfg["alignment"] = "max"
        elif pick < 0.25:
            cfg["alignment"] = rng.choice([(8, 8, 8), (16, 16, 16), (2, 4, 8)])
        if rng.random() < 0.2:
            cfg["static_block_dim"] = True
        yield cfg


def _fft_configs(rng: random.Random, count: int):
    sizes = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 3, 5, 7, 12, 100, 127, 243, 1000, 0, 65536]
    for _ in range(count):
        cfg = {
            "size": rng.choice(sizes),
            "precision": rng.choice(["float16", "float32", "float32", "float64"]),
            "fft_type": rng.choice(["c2c", "c2c", "r2c", "c2r", "r2r"]),
            "execution": rng.choice(["Block", "Block", "Thread"]),
            "sm": rng.choice([80, 90, 90, 100]),
        }
        if cfg["fft_type"] == "c2c" or rng.random() < 0.2:
            cfg["direction"] = rng.choice(["forward", "inverse", "inverse", "sideways"])
        if rng.random() < 0.5:
            cfg["ffts_per_block"] = rng.choice([1, 2, 4, 3, "suggested"])
        if rng.random() < 0.5:
            cfg["elements_per_thread"] = rng.choice([2, 4, 8, 16, "suggested"])
        if cfg["fft_type"] != "c2c" and rng.random() < 0.4:
            cfg["real_fft_options"] = rng.choice(
                [
                    {"complex_layout": "natural", "real_mode": "normal"},
                    {"complex_layout": "packed", "real_mode": "normal"},
                    {"complex_layout": "full", "real_mode": "normal"},
                    {"complex_layout": "natural", "real_mode": "folded"},
                ]
            )
        yield cfg


_SOLVER_CLASSES = {
    "CholeskySolver": {"fill_mode": ["lower", "upper", None]},
    "LUSolver": {"transpose_mode": ["non_transposed", "transposed"]},
    "LUPivotSolver": {"transpose_mode": ["non_transposed", "transposed", "conj_transposed"]},
    "QRFactorize": {},
    "QRMultiply": {"side": ["left", "right"], "transpose_mode": ["non_transposed", "conj_transposed"]},
    "LeastSquaresSolver": {"transpose_mode": ["non_transposed", "conj_transposed"]},
    "TriangularSolver": {
        "side": ["left", "right"],
        "fill_mode": ["lower", "upper"],
        "diag": ["unit", "non_unit"],
        "transpose_mode": ["non_transposed", "transposed"],
    },
}


def _solver_configs(rng: random.Random, count: int):
    sizes = [(8,), (16, 16), (32, 32, 1), (32, 16), (16, 32), (64, 64, 8), (33, 33, 3), (128, 128), (1, 1, 1)]
    for _ in range(count):
        cls = rng.choice(sorted(_SOLVER_CLASSES))
        cfg = {
            "class": cls,
            "size": rng.choice(sizes),
            "precision": rng.choice(["float32", "float64", "float64"]),
            "execution": rng.choice(["Block", "Block", "Block", "Thread"]),
            "sm": rng.choice([80, 90, 90, 100]),
        }
        for key, values in _SOLVER_CLASSES[cls].items():
            cfg[key] = rng.choice(values)
        if rng.random() < 0.5:
            cfg["data_type"] = rng.choice(["real", "complex"])
        if rng.random() < 0.6:
            if cls == "QRFactorize":
                cfg["arrangement"] = rng.choice(_ARRANGEMENTS)
            else:
                cfg["arrangement"] = (rng.choice(_ARRANGEMENTS), rng.choice(_ARRANGEMENTS))
        if rng.random() < 0.5:
            cfg["batches_per_block"] = rng.choice([1, 2, 4, "suggested"])
        if rng.random() < 0.5:
            cfg["block_dim"] = rng.choice([(64, 1, 1), (256, 1, 1), (32, 2, 1), "suggested"])
        if rng.random() < 0.25:
            m = cfg["size"][0]
            if cls == "QRFactorize":
                cfg["leading_dimension"] = m + rng.choice([0, 1, -1])
            else:
                cfg["leading_dimensions"] = (m + rng.choice([0, 1, -1]), m + rng.choice([0, 3]))
        yield cfg


_FFT_FUNCTIONS = ("fft", "ifft", "rfft", "irfft")
_FFT_DTYPES = ("float32", "float64", "complex64", "complex128", "float16", "int32")


def _fft_cpu_configs(rng: random.Random, count: int):
    extents = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 33]
    for _ in range(count):
        function = rng.choice(_FFT_FUNCTIONS)
        real_in = function == "rfft"
        dtypes = ["float32", "float64"] if real_in else ["complex64", "complex128"]
        ndim = rng.choice([1, 1, 2, 2, 3, 4])
        cfg = {
            "function": function,
            "dtype": rng.choice(dtypes * 6 + list(_FFT_DTYPES)),
            "shape": [rng.choice(extents) for _ in range(ndim)],
            "layout": rng.choice(["C", "C", "F", "permuted", "stepped", "reversed"]),
        }
        pick = rng.random()
        if pick < 0.45:
            k = rng.randint(1, min(ndim, 3))
            axes = rng.sample(range(ndim), k)
            if rng.random() < 0.5:
                axes.sort()
            if rng.random() < 0.2:
                axes = [a - ndim for a in axes]
            cfg["axes"] = axes
        elif pick < 0.5:
            cfg["axes"] = rng.choice([[ndim], [0, 0], [], [-ndim - 1]])
        options = {}
        if rng.random() < 0.3:
            options["inplace"] = True
        if rng.random() < 0.4:
            options["result_layout"] = rng.choice(["natural", "optimized"])
        if function == "irfft" and rng.random() < 0.5:
            options["last_axis_parity"] = rng.choice(["even", "odd"])
        if options:
            cfg["options"] = options
        if function in ("fft", "ifft") and rng.random() < 0.15:
            cfg["direction"] = rng.choice(["forward", "inverse", "sideways"])
        yield cfg


def _fft_axes(cfg):
    """The axes the FFT runs over, or None where the configuration names bad ones."""
    ndim = len(cfg["shape"])
    axes = cfg.get("axes", list(range(ndim)))
    if not axes or any(not -ndim <= a < ndim for a in axes) or len({a % ndim for a in axes}) != len(axes):
        return None
    return [a % ndim for a in axes]


def _values(cfg, gen):
    """Fresh random values in C order; an inverse real FFT's are a real signal's half spectrum.

    A complex-to-real FFT of arbitrary complex data is not defined (libraries treat the parts a
    real signal's spectrum would repeat differently), so irfft gets a spectrum it can invert.
    """
    dtype = np.dtype(cfg["dtype"])
    shape = tuple(cfg["shape"])
    axes = _fft_axes(cfg) if cfg["function"] == "irfft" else None
    if axes and dtype.kind == "c":
        last = axes[-1]
        odd = cfg.get("options", {}).get("last_axis_parity") == "odd"
        n = 2 * (shape[last] - 1) + (1 if odd else 0)
        if n >= 1:
            signal = gen.standard_normal(shape[:last] + (n,) + shape[last + 1 :])
            return np.fft.rfftn(signal, axes=axes).astype(dtype)
    if dtype.kind == "c":
        return (gen.standard_normal(shape) + 1j * gen.standard_normal(shape)).astype(dtype)
    if dtype.kind == "i":
        return gen.integers(-9, 9, shape).astype(dtype)
    return gen.standard_normal(shape).astype(dtype)


def _operand(cfg, seed, values=None):
    """A NumPy operand of the configuration's layout (and type and shape), with fresh random values."""
    if values is None:
        values = _values(cfg, np.random.default_rng(seed))
    layout = cfg["layout"]
    if layout == "F":
        return np.asfortranarray(values)
    if layout == "permuted":  # the axes laid out in a shuffled order
        order = list(range(values.ndim))
        random.Random(seed).shuffle(order)
        return np.ascontiguousarray(values.transpose(order)).transpose(np.argsort(order))
    if layout == "stepped":  # every other element of the last extent
        parent = np.zeros(values.shape[:-1] + (2 * values.shape[-1],), values.dtype)
        parent[..., ::2] = values
        return parent[..., ::2]
    if layout == "reversed":  # a negative stride
        return np.ascontiguousarray(values[..., ::-1])[..., ::-1]
    return values


def _run_fft_cpu(cfg, seed):
    import nvmath

    a = _operand(cfg, seed)
    before = a.copy()
    kw = {"execution": "cpu"}
    if "axes" in cfg:
        kw["axes"] = cfg["axes"]
    if "options" in cfg:
        kw["options"] = dict(cfg["options"])
    if "direction" in cfg:
        kw["direction"] = cfg["direction"]
    r = getattr(nvmath.fft, cfg["function"])(a, **kw)
    return _result_answer(r, [a], before)


def _result_answer(r, operands, before=None):
    """What a host operation returned: its type, layout and values, and what it did to its operands."""
    a = operands[0]
    answer = {
        "type": type(r).__name__,
        "dtype": str(r.dtype),
        "shape": list(r.shape),
        # An extent-1 axis's stride is never used to address an element.
        "strides": [s // r.itemsize if n > 1 else None for s, n in zip(r.strides, r.shape, strict=True)],
        "is_operand": [r is x for x in operands],
        "shares_memory": [x is not None and bool(np.shares_memory(r, x)) for x in operands],
    }
    if before is not None:
        answer["operand_changed"] = not np.array_equal(a, before)
    flat = np.asarray(r, dtype=np.complex128).ravel(order="C")
    answer["values"] = [[v.real, v.imag] for v in flat[:4096]]
    return answer


_QUALIFIERS = ("general", "symmetric", "hermitian", "triangular", "diagonal")


def _matmul_cpu_configs(rng: random.Random, count: int):
    extents = [1, 2, 3, 5, 8, 16, 17]
    for _ in range(count):
        m, n, k = (rng.choice(extents) for _ in range(3))
        batch = rng.choice([[], [], [2], [3, 2]])
        a_shape = batch + [m, k]
        b_shape = (batch if rng.random() < 0.7 else []) + [k, n]
        if rng.random() < 0.1:
            a_shape = [k]  # a vector
        elif rng.random() < 0.1:
            b_shape = [k]
        if rng.random() < 0.05:
            b_shape = b_shape[:-2] + [k + 1, n]  # a mismatch
        cfg = {
            "dtype": rng.choice(["float32", "float64", "complex64", "complex128"] * 4 + ["float16", "int32"]),
            "a": {"shape": a_shape, "layout": rng.choice(["C", "C", "F", "stepped", "reversed"])},
            "b": {"shape": b_shape, "layout": rng.choice(["C", "C", "F", "stepped", "reversed"])},
        }
        if rng.random() < 0.3:
            out = list(batch) + ([m] if len(a_shape) > 1 else []) + ([n] if len(b_shape) > 1 else [])
            cfg["c"] = {"shape": out, "layout": rng.choice(["C", "F"])}
            cfg["beta"] = rng.choice([0.5, 1.0, None])
        if rng.random() < 0.3:
            cfg["alpha"] = rng.choice([2.0, -0.5])
        if rng.random() < 0.35:
            cfg["qualifiers"] = [rng.choice(_QUALIFIERS), rng.choice(["general", "general", *_QUALIFIERS])]
            cfg["uplo"] = rng.choice(["lower", "upper"])
        yield cfg


def _qualifier(linalg, kind, uplo):
    fill = linalg.FillMode.LOWER if uplo == "lower" else linalg.FillMode.UPPER
    if kind == "general":
        return linalg.GeneralMatrixQualifier.create()
    if kind == "diagonal":
        return linalg.DiagonalMatrixQualifier.create()
    cls = {
        "symmetric": linalg.SymmetricMatrixQualifier,
        "hermitian": linalg.HermitianMatrixQualifier,
        "triangular": linalg.TriangularMatrixQualifier,
    }[kind]
    return cls.create(uplo=fill)


def _run_matmul_cpu(cfg, seed):
    import nvmath

    linalg = nvmath.linalg
    gen = np.random.default_rng(seed)

    def operand(spec):
        values = _values({"function": "matmul", "dtype": cfg["dtype"], "shape": spec["shape"]}, gen)
        return _operand({"layout": spec["layout"]}, seed, values)

    a, b = operand(cfg["a"]), operand(cfg["b"])
    kw = {"execution": "cpu"}
    if "c" in cfg:
        kw["c"] = operand(cfg["c"])
        kw["beta"] = cfg["beta"]
    if "alpha" in cfg:
        kw["alpha"] = cfg["alpha"]
    if "qualifiers" in cfg:
        q = np.full((2,), linalg.GeneralMatrixQualifier.create(), dtype=linalg.matrix_qualifiers_dtype)
        for i, kind in enumerate(cfg["qualifiers"]):
            q[i] = _qualifier(linalg, kind, cfg["uplo"])
        kw["qualifiers"] = q
    r = linalg.matmul(a, b, **kw)
    return _result_answer(r, [a, b, kw.get("c")])


_FFT_STEPS = (
    "plan",
    "execute",
    "execute:forward",
    "execute:inverse",
    "reset:same",
    "reset:shape",
    "reset:dtype",
    "reset:layout",
    "reset:none",
    "release_operand",
    "get_key",
    "free",
)


def _life(rng: random.Random, choices, reset: str) -> list[str]:
    """Mostly the orderly life of a plan (plan, execute, then 1-5 steps, maybe a reset and an
    execute); sometimes steps out of order from the start."""
    steps = ["plan", "execute"] if rng.random() < 0.8 else []
    steps += [rng.choice(choices) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.5:
        steps += [reset, "execute"]
    return steps


def _refused(e: Exception) -> dict:
    return {"raises": type(e).__name__, "raises_kinds": [c.__name__ for c in type(e).__mro__]}


def _fft_stateful_configs(rng: random.Random, count: int):
    for cfg in _fft_cpu_configs(rng, count):
        cfg.pop("direction", None)
        cfg["dtype"] = rng.choice(["complex64", "complex128"] if cfg["function"] != "rfft" else ["float32", "float64"])
        if cfg["function"] == "irfft":
            cfg.setdefault("options", {})["fft_type"] = "C2R"
        cfg["steps"] = _life(rng, _FFT_STEPS, "reset:same")
        yield cfg


def _run_fft_stateful(cfg, seed):
    """A plan's life, step by step: what each step answers (results summarized) or raises."""
    import nvmath

    gen = np.random.default_rng(seed)
    base = {k: cfg[k] for k in ("function", "dtype", "shape", "layout", "axes", "options") if k in cfg}

    def operand(**change):
        spec = {**base, **change}
        return _operand(spec, seed, _values(spec, gen))

    a = operand()
    kw = {"execution": "cpu"}
    if "axes" in cfg:
        kw["axes"] = cfg["axes"]
    if "options" in cfg:
        kw["options"] = dict(cfg["options"])
    plan = nvmath.fft.FFT(a, **kw)
    answers, previous = [], None
    for step in cfg["steps"]:
        try:
            name, _, arg = step.partition(":")
            if name == "execute":
                r = plan.execute(direction=arg or None)
                answer = _result_answer(r, [a])
                answer["is_previous_result"] = r is previous
                answer.pop("type")
                previous = r
            elif name == "reset":
                if arg == "none":
                    plan.reset_operand(None)
                    answer = "ok"
                else:
                    change = {
                        "same": {},
                        "shape": {"shape": [n + 1 for n in base["shape"]]},
                        "dtype": {
                            "dtype": {
                                "complex64": "complex128",
                                "complex128": "complex64",
                                "float32": "float64",
                                "float64": "float32",
                            }[base["dtype"]]
                        },
                        "layout": {"layout": "F" if base["layout"] != "F" else "C"},
                    }[arg]
                    new = operand(**change)
                    plan.reset_operand(new)
                    a = new
                    answer = "ok"
            elif name == "get_key":
                answer = "ok" if plan.get_key() is not None else "none"
            else:
                getattr(plan, name)()
                answer = "ok"
        except Exception as e:
            answer = _refused(e)
        answers.append(answer)
    plan.free()
    return {"steps": answers}


# Arguments, good and bad, for the host FFT's options, execution and axes (as Python literals,
# evaluated with nvmath in scope so that both sides build the same objects).
_FFT_ARGUMENTS = {
    "options": [
        "None",
        "{}",
        "nvmath.fft.FFTOptions(inplace=False)",
        "{'inplace': False}",
        "{'inplace': 'yes'}",
        "{'inplace': 1}",
        "{'result_layout': 'natural'}",
        "{'result_layout': 'sideways'}",
        "{'last_axis_parity': 'odd'}",
        "{'last_axis_parity': 3}",
        "{'fft_type': 'C2C'}",
        "{'fft_type': 'c2c'}",
        "{'fft_type': 'R2R'}",
        "{'no_such_option': 1}",
        "{'blocking': True}",
        "{'blocking': 'auto'}",
        "{'blocking': False}",
        "nvmath.fft.FFTOptions(result_layout='natural')",
        "'natural'",
        "[('inplace', False)]",
    ],
    "execution": [
        "'cpu'",
        "{'name': 'cpu'}",
        "nvmath.fft.ExecutionCPU()",
        "'CPU'",
        "'gpu'",
        "{'name': 'cpu', 'num_threads': 2}",
        "{'name': 'cpu', 'num_threads': 0}",
        "{'name': 'cpu', 'num_threads': -1}",
        "{'name': 'cpu', 'num_threads': 1.5}",
        "{'num_threads': 2}",
        "{'name': 'cpu', 'threads': 2}",
        "nvmath.fft.ExecutionCPU(num_threads=3)",
        "3",
    ],
    "axes": ["None", "[-1]", "(0,)", "[0]", "[0.0]", "['0']", "[True]", "[0, 0]", "[]", "[5]", "0", "range(1)"],
}


def _fft_arguments_configs(rng: random.Random, count: int):
    # One argument drawn from all its values, the others good (the first 3 of each list are),
    # so that a refusal is that argument's and not the order the checks run in.
    for _ in range(count):
        varied = rng.choice(sorted(_FFT_ARGUMENTS))
        yield {
            "function": rng.choice(_FFT_FUNCTIONS),
            "shape": rng.choice([[8], [4, 6], [3, 4, 6]]),
            **{name: rng.choice(values if name == varied else values[:3]) for name, values in _FFT_ARGUMENTS.items()},
        }


def _run_fft_arguments(cfg, seed):
    import nvmath

    function = cfg["function"]
    dtype = "float64" if function == "rfft" else "complex128"
    spec = {"function": function, "dtype": dtype, "shape": cfg["shape"], "layout": "C"}
    if function == "irfft":
        spec["axes"] = list(range(len(cfg["shape"])))
    a = _operand(spec, seed)
    kw = {name: eval(cfg[name], {"nvmath": nvmath}) for name in _FFT_ARGUMENTS}  # our own literals
    r = getattr(nvmath.fft, function)(a, **kw)
    return _result_answer(r, [a])


_MATMUL_STEPS = (
    "plan",
    "execute",
    "reset:a",
    "reset:b",
    "reset:c",
    "reset:ab",
    "reset:a_shape",
    "reset:a_dtype",
    "reset:a_layout",
    "reset:alpha",
    "reset:beta",
    "reset:none",
    "release_operands",
    "free",
)


def _matmul_stateful_configs(rng: random.Random, count: int):
    for cfg in _matmul_cpu_configs(rng, count):
        cfg["dtype"] = rng.choice(["float32", "float64", "complex64", "complex128"])
        cfg["steps"] = _life(rng, _MATMUL_STEPS, "reset:ab")
        yield cfg


def _run_matmul_stateful(cfg, seed):
    """A generic Matmul's life, step by step (CPU execution)."""
    import nvmath

    linalg = nvmath.linalg
    gen = np.random.default_rng(seed)

    def operand(spec, **change):
        spec = {**spec, **change}
        dtype = change.get("dtype", cfg["dtype"])
        values = _values({"function": "matmul", "dtype": dtype, "shape": spec["shape"]}, gen)
        return _operand({"layout": spec["layout"]}, seed, values)

    ops = {"a": operand(cfg["a"]), "b": operand(cfg["b"])}
    kw = {"execution": "cpu"}
    if "c" in cfg:
        ops["c"] = operand(cfg["c"])
        kw["c"] = ops["c"]
        kw["beta"] = cfg["beta"]
    if "alpha" in cfg:
        kw["alpha"] = cfg["alpha"]
    if "qualifiers" in cfg:
        q = np.full((2,), linalg.GeneralMatrixQualifier.create(), dtype=linalg.matrix_qualifiers_dtype)
        for i, kind in enumerate(cfg["qualifiers"]):
            q[i] = _qualifier(linalg, kind, cfg["uplo"])
        kw["qualifiers"] = q
    mm = linalg.Matmul(ops["a"], ops["b"], **kw)
    answers = []
    for step in cfg["steps"]:
        try:
            name, _, arg = step.partition(":")
            if name == "execute":
                answer = _result_answer(mm.execute(), [ops["a"], ops["b"], ops.get("c")])
                answer.pop("type")
            elif name == "reset":
                new = {
                    "a": {"a": operand(cfg["a"])},
                    "b": {"b": operand(cfg["b"])},
                    "c": {"c": operand(cfg["c"])} if "c" in cfg else {"c": operand(cfg["a"])},
                    "ab": {"a": operand(cfg["a"]), "b": operand(cfg["b"])},
                    "a_shape": {"a": operand(cfg["a"], shape=[n + 1 for n in cfg["a"]["shape"]])},
                    "a_dtype": {
                        "a": operand(cfg["a"], dtype="complex128" if cfg["dtype"] != "complex128" else "float64")
                    },
                    "a_layout": {"a": operand(cfg["a"], layout="F" if cfg["a"]["layout"] != "F" else "C")},
                    "alpha": {"alpha": 3.0},
                    "beta": {"beta": 0.25},
                    "none": {},
                }[arg]
                mm.reset_operands(**new)
                ops.update({k: v for k, v in new.items() if k in "abc"})
                answer = "ok"
            else:
                getattr(mm, name)()
                answer = "ok"
        except Exception as e:
            answer = _refused(e)
        answers.append(answer)
    mm.free()
    return {"steps": answers}


_HELPER_CALLS = (
    "create_mxfp8_scale",
    "invert_mxfp8_scale",
    "apply_mxfp8_scale",
    "to_block_scale",
    "expand_block_scale",
    "get_block_scale_offset",
    "quantize_to_fp4",
    "unpack_fp4",
)


def _helpers_configs(rng: random.Random, count: int):
    for _ in range(count):
        yield {
            "call": rng.choice(_HELPER_CALLS),
            "shape": [rng.choice([128, 256, 64, 130]), rng.choice([32, 64, 128, 16, 48])],
            "batch": rng.choice([[], [], [2]]),
            "format": rng.choice(["MXFP8", "NVFP4"]),
            "axis": rng.choice([-1, -2, None]),
            "exponent": rng.choice([-3, 0, 2, "tensor"]),
            "output_dtype": rng.choice(["smallest", "float32", "bfloat16"]),
        }


def _run_helpers(cfg, seed):
    """nvmath.linalg.advanced.helpers.matmul on CPU tensors (PyTorch)."""
    import torch

    import nvmath.linalg.advanced.helpers.matmul as helpers

    torch.manual_seed(seed)
    shape = (*cfg["batch"], *cfg["shape"])
    x = torch.randn(shape) * 4
    call, axis, fmt = cfg["call"], cfg["axis"], cfg["format"]
    out_dtype = cfg["output_dtype"] if cfg["output_dtype"] == "smallest" else getattr(torch, cfg["output_dtype"])
    if call == "create_mxfp8_scale":
        exponent = cfg["exponent"]
        if exponent == "tensor":
            exponent = torch.randint(-4, 4, (x.numel() // 32,), dtype=torch.int32)
        r = helpers.create_mxfp8_scale(x, exponent)
    elif call == "invert_mxfp8_scale":
        r = helpers.invert_mxfp8_scale(helpers.create_mxfp8_scale(x, 1))
    elif call == "apply_mxfp8_scale":
        r = helpers.apply_mxfp8_scale(x.to(torch.float8_e4m3fn), helpers.create_mxfp8_scale(x, -1), out_dtype)
    elif call == "to_block_scale":
        block = 32 if fmt == "MXFP8" else 16
        scale_shape = list(shape)
        scale_shape[-1 if axis in (-1, None) else -2] //= block
        dtype = torch.float8_e8m0fnu if fmt == "MXFP8" else torch.float8_e4m3fn
        scales = (torch.rand(scale_shape) * 4 + 0.25).to(dtype)
        r = helpers.to_block_scale(scales, shape, fmt, axis=axis)
    elif call == "expand_block_scale":
        r0 = helpers.create_mxfp8_scale(x, 1) if fmt == "MXFP8" else None
        if r0 is None:
            n = x.numel() // 16
            r0 = (torch.rand(n) * 4 + 0.25).to(torch.float8_e4m3fn)
        r = helpers.expand_block_scale(r0, shape, fmt, axis=axis, output_dtype=out_dtype, device="cpu")
    elif call == "get_block_scale_offset":
        index = tuple(torch.randint(0, n, (5,)) for n in shape)
        r = helpers.get_block_scale_offset(index, shape, fmt, axis=axis)
    elif call == "quantize_to_fp4":
        r = helpers.quantize_to_fp4(x, -1 if axis is None else axis)
    else:  # unpack_fp4
        ax = -1 if axis is None else axis
        r = helpers.unpack_fp4(helpers.quantize_to_fp4(x, ax), ax)
    if not isinstance(r, torch.Tensor):
        return {"type": type(r).__name__, "value": _plain(r)}
    values = r.view(torch.uint8) if r.dtype.itemsize == 1 and not r.dtype.is_floating_point else r
    flat = values.reshape(-1)[:4096]
    if (
        flat.dtype in (torch.float8_e4m3fn, torch.float8_e5m2, torch.float8_e8m0fnu)
        or str(flat.dtype) == "torch.float4_e2m1fn_x2"
    ):
        flat = flat.view(torch.uint8)
    return {
        "type": "Tensor",
        "dtype": str(r.dtype),
        "shape": list(r.shape),
        "values": [[float(v), 0.0] for v in flat.to(torch.float64)],
    }


def _numpy_type(name):
    return tuple(getattr(np, n) for n in name) if isinstance(name, tuple) else getattr(np, name)


def _build(kind, cfg):
    import nvmath.device as device

    kw = dict(cfg)
    kw["precision"] = _numpy_type(kw["precision"])
    if kind == "Matmul":
        if kw.get("alignment") == "max":
            kw["alignment"] = device.cublasdx.MAX_ALIGNMENT
        return device.Matmul(**kw)
    if kind == "FFT":
        return device.FFT(**kw)
    cls = getattr(device, kw.pop("class"))
    return cls(**kw)


def _without_driver():
    """Let nvmath-python's cuSOLVERDx classes build where no driver is installed.

    They ask NVRTC's version through ``cuda.core``, which loads the driver first; NVRTC answers
    without one.
    """
    try:
        import nvmath.device.cusolverdx as solvers
    except ImportError:
        return
    if hasattr(solvers, "get_nvrtc_version"):
        from cuda.bindings import nvrtc

        _, major, minor = nvrtc.nvrtcVersion()
        solvers.get_nvrtc_version = lambda: (major, minor, 0)


def dump(path: str, counts: dict[str, int], seed: int) -> None:
    # One generator each, so that changing one count leaves the other kinds' configurations as they were.
    plans = [
        ("Matmul", _matmul_configs(random.Random(seed), counts["Matmul"]), _MATMUL_TRAITS),
        ("FFT", _fft_configs(random.Random(seed + 1), counts["FFT"]), _FFT_TRAITS),
        ("Solver", _solver_configs(random.Random(seed + 2), counts["Solver"]), _SOLVER_TRAITS),
        ("fft_cpu", _fft_cpu_configs(random.Random(seed + 3), counts["fft_cpu"]), None),
        ("matmul_cpu", _matmul_cpu_configs(random.Random(seed + 4), counts["matmul_cpu"]), None),
        ("fft_stateful", _fft_stateful_configs(random.Random(seed + 5), counts["fft_stateful"]), None),
        ("fft_arguments", _fft_arguments_configs(random.Random(seed + 6), counts["fft_arguments"]), None),
        ("matmul_stateful", _matmul_stateful_configs(random.Random(seed + 7), counts["matmul_stateful"]), None),
        ("helpers", _helpers_configs(random.Random(seed + 8), counts["helpers"]), None),
    ]
    runners = {
        "fft_cpu": _run_fft_cpu,
        "matmul_cpu": _run_matmul_cpu,
        "fft_stateful": _run_fft_stateful,
        "fft_arguments": _run_fft_arguments,
        "matmul_stateful": _run_matmul_stateful,
        "helpers": _run_helpers,
    }
    import nvmath

    _without_driver()

    where = nvmath.__file__
    start = time.perf_counter()
    with open(path, "w") as out:
        out.write(json.dumps({"nvmath": where, "seed": seed, "counts": counts}) + "\n")
        for kind, configs, traits in plans:
            for i, cfg in enumerate(configs):
                row = {"kind": kind, "i": i, "config": _plain(cfg)}
                try:
                    if kind in runners:
                        answer = runners[kind](cfg, seed + i)
                    else:
                        obj = _build(kind, cfg)
                except Exception as e:
                    row["raises"] = type(e).__name__
                    row["raises_kinds"] = [c.__name__ for c in type(e).__mro__]
                    row["message"] = str(e)[:300]
                else:
                    row["traits"] = answer if kind in runners else {name: _answer(obj, name) for name in traits}
                out.write(json.dumps(row) + "\n")
                out.flush()
    print(f"{path}: {sum(counts.values())} configurations with {where} in {time.perf_counter() - start:.1f} s")


# ------------------------------------------------------------------ comparison


def _values_agree(ours, peer, dtype) -> bool:
    """Values within the precision's tolerance (relative to the largest magnitude)."""
    o = np.asarray(ours, dtype=np.float64)
    p = np.asarray(peer, dtype=np.float64)
    if o.shape != p.shape:
        return False
    if o.size == 0:
        return True
    tol = {"float16": 1e-2, "complex32": 1e-2, "float32": 1e-4, "complex64": 1e-4}.get(dtype, 1e-10)
    scale = max(np.abs(p).max(), 1.0)
    return bool(np.abs(o - p).max() <= tol * scale)


def _traits_differing(kind, ours, peer):
    out = {}
    for name, value in peer.items():
        if value == _MISSING:
            continue
        mine = ours.get(name)
        if name == "values":
            if not _values_agree(mine, value, peer.get("dtype")):
                out[name] = {"ours": str(mine)[:200], "peer": str(value)[:200]}
        elif name == "steps":
            for i, (o, p) in enumerate(zip(mine or [], value, strict=False)):
                if isinstance(p, dict) and "raises" in p:
                    same = isinstance(o, dict) and p["raises"] in o.get("raises_kinds", [])
                elif isinstance(p, dict):
                    same = isinstance(o, dict) and "raises" not in o and not _traits_differing(kind, o, p)
                else:
                    same = o == p
                if not same:
                    out[f"step {i}"] = {"ours": str(o)[:300], "peer": str(p)[:300]}
                    break
        elif mine != value:
            out[name] = {"ours": mine, "peer": value}
    return out


def _rows(path):
    with open(path) as f:
        head = json.loads(f.readline())
        return head, {(r["kind"], r["i"]): r for r in map(json.loads, f)}


def compare(ours_path: str, peer_path: str, json_path: str | None, show: int) -> int:
    ours_head, ours = _rows(ours_path)
    peer_head, peer = _rows(peer_path)
    tally = collections.Counter()
    diffs = []
    for key, p in sorted(peer.items()):
        o = ours.get(key)
        if o is None or o["config"] != p["config"]:
            tally["config mismatch (different seed or count)"] += 1
            continue
        kind = key[0]
        note = {"key": key, "config": p["config"]}
        if "raises" in p and "raises" in o:
            # The same kind when this project's exception is also of the peer's type.
            same = p["raises"] in o.get("raises_kinds", [o["raises"]])
            tally[f"{kind}: both refuse" + ("" if same else " (other type)")] += 1
            if not same:
                diffs.append({**note, "what": "refusal type", "ours": o["raises"], "peer": p["raises"]})
        elif "raises" in p:
            tally[f"{kind}: only the peer refuses"] += 1
            diffs.append({**note, "what": "peer refuses", "peer": p["raises"], "peer_message": p["message"]})
        elif "raises" in o:
            tally[f"{kind}: only ours refuses"] += 1
            diffs.append({**note, "what": "ours refuses", "ours": o["raises"], "ours_message": o["message"]})
        else:
            differing = _traits_differing(kind, o["traits"], p["traits"])
            tally[f"{kind}: both build" + (", traits differ" if differing else ", traits agree")] += 1
            if differing:
                diffs.append({**note, "what": "traits", "traits": differing})
    for line in sorted(tally.items()):
        print(f"{line[1]:5d}  {line[0]}")
    for d in diffs[:show]:
        print(json.dumps(d, default=str)[:600])
    if len(diffs) > show:
        print(f"... {len(diffs) - show} more differences")
    if json_path:
        with open(json_path, "w") as f:
            json.dump(
                {"ours": ours_head, "peer": peer_head, "tally": dict(tally), "differences": diffs},
                f,
                indent=1,
                default=str,
            )
    return 1 if diffs else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write what each configuration answers")
    d.add_argument("path")
    d.add_argument("--matmul", type=int, default=80, help="Matmul configurations (each may take seconds)")
    d.add_argument("--fft", type=int, default=120, help="FFT configurations")
    d.add_argument("--solver", type=int, default=300, help="cuSOLVERDx configurations")
    d.add_argument("--fft-cpu", type=int, default=600, help="host FFT configurations (execution='cpu')")
    d.add_argument("--matmul-cpu", type=int, default=400, help="generic matmul configurations (execution='cpu')")
    d.add_argument("--fft-stateful", type=int, default=300, help="FFT plans' lives, step by step (execution='cpu')")
    d.add_argument("--fft-arguments", type=int, default=600, help="host FFT options, execution and axes, good and bad")
    d.add_argument("--matmul-stateful", type=int, default=300, help="generic Matmul objects' lives (execution='cpu')")
    d.add_argument("--helpers", type=int, default=0, help="linalg.advanced.helpers.matmul on CPU tensors (needs torch)")
    d.add_argument("--seed", type=int, default=2026)
    c = sub.add_parser("compare", help="compare two dumps")
    c.add_argument("ours")
    c.add_argument("peer")
    c.add_argument("--json")
    c.add_argument("--show", type=int, default=40)
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(
            args.path,
            {
                "Matmul": args.matmul,
                "FFT": args.fft,
                "Solver": args.solver,
                "fft_cpu": args.fft_cpu,
                "matmul_cpu": args.matmul_cpu,
                "fft_stateful": args.fft_stateful,
                "fft_arguments": args.fft_arguments,
                "matmul_stateful": args.matmul_stateful,
                "helpers": args.helpers,
            },
            args.seed,
        )
        return 0
    return compare(args.ours, args.peer, args.json, args.show)


if __name__ == "__main__":
    sys.exit(main())
