"""The Numba side of nvmath-python's spelling of :mod:`nvmath.device.random`.

:func:`register` makes the module-level host stubs (``random.init``, ``random.uniform4``...)
callable in kernels: each is typed as an intrinsic that looks at its state argument's type and
calls the engine for it, the cuRANDDx generator functions (Philox4_32_10, XORWOW, MRG32k3a,
through the generator objects of ``random.py``) or the Sobol' functions of ``_random_sobol.py``
(compiled into the kernel with ``context.compile_internal``). Vectors of values come back as
numba-cuda vector types (``float32x4``: ``.x .y .z .w``), as nvmath-python returns them.
"""

from __future__ import annotations

import threading

__all__ = ["register"]

_lock = threading.Lock()
_registered = False

_SCALARS = {"rand": "bits", "rand4": "bits4"}  # face name -> generator method, where they differ
_VECTOR_NAMES = {("uint32", 4): "uint32x4", ("float32", 4): "float32x4", ("float32", 2): "float32x2"}
_VECTOR_NAMES[("float64", 2)] = "float64x2"


def register() -> None:
    """Type the ``nvmath.device.random`` stubs and ``States*`` arrays for numba-cuda (once)."""
    global _registered
    with _lock:
        if _registered:
            return
        from numba.cuda import types
        from numba.cuda.cudadecl import register_global
        from numba.cuda.descriptor import cuda_target
        from numba.cuda.np.numpy_support import from_dtype
        from numba.cuda.typing.typeof import typeof_impl

        from . import random

        @typeof_impl.register(random._States)
        def _typeof_states(value, context):
            return types.Array(from_dtype(value.dtype), 1, "C")

        typing = cuda_target.typing_context
        intrinsics = _make_intrinsics()
        typing.refresh()  # the new intrinsics' own registrations
        for name, intrinsic in intrinsics.items():
            register_global(getattr(random, name), typing.resolve_value_type(intrinsic))
        _registered = True


def _make_intrinsics() -> dict:
    import math

    import numpy as np
    from numba.core import cgutils
    from numba.core.errors import TypingError
    from numba.cuda import libdevice, types
    from numba.cuda.np.numpy_support import from_dtype
    from numba.cuda.vector_types import vector_types
    from numba.extending import intrinsic

    from . import _random_sobol as sobol
    from . import random
    from .random import _METHODS

    sobol_types = {from_dtype(d): kind for kind, d in sobol.SOBOL_DTYPES.items()}
    words = {32: types.uint32, 64: types.uint64}

    def kind_of(fname, ty):
        if isinstance(ty, types.Record):
            if ty in sobol_types:
                return sobol_types[ty]
            names = list(ty.fields)
            if len(names) == 1 and names[0].startswith("curand_") and names[0].endswith("_state"):
                return names[0][len("curand_") : -len("_state")]
        raise TypingError(
            f"nvmath.device.random.{fname}: the state argument is {ty}; pass an element of a "
            "States* array (states[i], e.g. of random.StatesPhilox4_32_10(n))"
        )

    def check_integer(fname, what, ty):
        if not isinstance(ty, (types.Integer, types.Boolean)):
            raise TypingError(f"nvmath.device.random.{fname}: {what} is {ty}; an integer is required")

    def check_number(fname, what, ty):
        if not isinstance(ty, (types.Integer, types.Float, types.Boolean)):
            raise TypingError(f"nvmath.device.random.{fname}: {what} is {ty}; a number is required")

    def pack(context, builder, value, tuple_type, vector_type):
        vec = cgutils.create_struct_proxy(vector_type)(context, builder)
        for k, attr in enumerate(vector_type.attr_names):
            setattr(vec, attr, builder.extract_value(value, k))
        return vec._getvalue()

    # -- cuRANDDx generators (Philox4_32_10, XORWOW, MRG32k3a) ---------------------------------
    def generator_init(kind, args):
        seed, subsequence, offset, state = args
        for what, ty in (("seed", seed), ("subsequence", subsequence), ("offset", offset)):
            check_integer("init", what, ty)
        rng_init = random._face_generator(kind).init
        if kind == "philox4_32_10":  # cuRAND's offset counts 32-bit values; cuRANDDx's 128-bit blocks

            def impl(seed, subsequence, offset, state):
                rng_init(seed, subsequence, (np.uint64(offset) + np.uint64(3)) >> np.uint64(2), state)
        else:

            def impl(seed, subsequence, offset, state):
                rng_init(seed, subsequence, offset, state)

        return types.void(*args), impl

    def generator_skip(fname, kind, args):
        n, state = args
        check_integer(fname, "n", n)
        rng = random._face_generator(kind)
        if fname == "skipahead_subsequence" and kind != "mrg32k3a":
            raise TypingError(
                "nvmath.device.random.skipahead_subsequence: only MRG32k3a states have it "
                f"(got a {kind} state; use skipahead_sequence)"
            )
        rng_skip = getattr(rng, fname)
        if fname == "skipahead" and kind == "philox4_32_10":

            def impl(n, state):
                rng_skip((np.uint64(n) + np.uint64(3)) >> np.uint64(2), state)
        else:

            def impl(n, state):
                rng_skip(n, state)

        return types.void(*args), impl

    def generator_sample(fname, kind, args):
        method = _SCALARS.get(fname, fname)
        rng = random._face_generator(kind)
        if method not in rng.methods:
            have = sorted(
                {k for k, v in _SCALARS.items() if v in rng.methods} | set(rng.methods) - set(_SCALARS.values())
            )
            raise TypingError(
                f"nvmath.device.random.{fname} is not available for {kind} states (cuRANDDx); "
                f"they have: {', '.join(have)}"
            )
        m = _METHODS[method]
        params = args[1:]
        if len(params) != len(m.parameters):
            wanted = ", ".join(("state", *m.parameters))
            raise TypingError(f"nvmath.device.random.{fname} takes ({wanted}); got {len(args)} arguments")
        for what, ty in zip(m.parameters, params):
            check_number(fname, what, ty)
        fn = getattr(rng, method)
        impl = {0: lambda s: fn(s), 1: lambda s, a: fn(s, a), 2: lambda s, a, b: fn(s, a, b)}[len(params)]
        value = getattr(types, m.output)
        if m.count == 1:
            return value(*args), impl, None
        return vector_types[_VECTOR_NAMES[(m.output, m.count)]](*args), impl, types.UniTuple(value, m.count)

    # -- Sobol' --------------------------------------------------------------------------------
    def u32_uniform(x):
        return np.float32(x) * np.float32(2.0**-32) + np.float32(2.0**-33)

    def u32_uniform_double(x):
        return np.float64(x) * 2.0**-32 + 2.0**-33

    def u64_uniform_double(x):
        return np.float64(x >> np.uint64(11)) * 2.0**-53 + 2.0**-54

    def u32_normal(x):
        s = np.float32(-1.4142135)  # the normal quantile is -sqrt(2) erfcinv(2p)
        if x > np.uint32(0x80000000):  # mirrored, for precision in the upper tail
            x = np.uint32(0xFFFFFFFF) - x
            s = -s
        p = np.float32(x) * np.float32(2.0**-32) + np.float32(2.0**-33)
        return s * libdevice.erfcinvf(np.float32(2.0) * p)

    def u32_normal_double(x):
        s = -1.4142135623730951
        if x > np.uint32(0x80000000):
            x = np.uint32(0xFFFFFFFF) - x
            s = -s
        p = np.float64(x) * 2.0**-32 + 2.0**-33
        return s * libdevice.erfcinv(2.0 * p)

    def u64_normal_double(x):
        s = -1.4142135623730951
        x = x >> np.uint64(11)
        if x > np.uint64(0x10000000000000):
            x = np.uint64(0x1FFFFFFFFFFFFF) - x
            s = -s
        p = np.float64(x) * 2.0**-53 + 2.0**-54
        return s * libdevice.erfcinv(2.0 * p)

    def high32(x):
        return np.uint32(x >> np.uint64(32))

    def log_normal(z, mean, stddev):
        return math.exp(mean + stddev * z)

    def sobol_conversions(fname, bits):
        """The chain of functions from the raw word to ``fname``'s value, with their types."""
        f32, f64, word = types.float32, types.float64, words[bits]
        to32 = [(high32, types.uint32)] if bits == 64 else []
        table = {
            "rand": [],
            "uniform": [*to32, (u32_uniform, f32)],
            "uniform_double": [(u32_uniform_double if bits == 32 else u64_uniform_double, f64)],
            "normal": [*to32, (u32_normal, f32)],
            "normal_double": [(u32_normal_double if bits == 32 else u64_normal_double, f64)],
        }
        table["log_normal"] = table["normal"]
        table["log_normal_double"] = table["normal_double"]
        if fname not in table:
            raise TypingError(
                f"nvmath.device.random.{fname} is not available for Sobol' states; they have: "
                "rand, uniform, uniform_double, normal, normal_double, log_normal, log_normal_double"
            )
        return word, table[fname]

    def sobol_call(fname, kind, args):
        bits = sobol.SOBOL_BITS[kind]
        word = words[bits]
        state = args[-1] if fname in ("init", "skipahead") else args[0]
        if fname == "init":
            scrambled = kind.startswith("scrambled")
            wanted = 4 if scrambled else 3
            if len(args) != wanted:
                shape = (
                    "direction_vectors, scramble_constant, offset, state"
                    if scrambled
                    else "direction_vectors, offset, state"
                )
                raise TypingError(
                    f"nvmath.device.random.init for {kind} states takes ({shape}); got {len(args)} arguments"
                )
            vectors = args[0]
            if not (isinstance(vectors, (types.CPointer, types.Array)) and isinstance(vectors.dtype, types.Integer)):
                raise TypingError(
                    f"nvmath.device.random.init: direction_vectors is {vectors}; pass a pointer "
                    "(cffi.FFI().from_buffer(vectors[d:])) or an array of integers"
                )
            for what, ty in zip(("scramble_constant", "offset") if scrambled else ("offset",), args[1:-1]):
                check_integer("init", what, ty)
            python = sobol.scrambled_sobol_init if scrambled else sobol.sobol_init
            inner = types.void(vectors, *([word] * (len(args) - 2)), state, word)

            def codegen(context, builder, signature, values):
                cast = [context.cast(builder, v, t, word) for v, t in zip(values[1:-1], signature.args[1:-1])]
                one = context.get_constant(word, 1)
                context.compile_internal(builder, python, inner, [values[0], *cast, values[-1], one])
                return context.get_dummy_value()

            return types.void(*args), codegen
        if fname == "skipahead":
            check_integer(fname, "n", args[0])

            def codegen(context, builder, signature, values):
                n = context.cast(builder, values[0], signature.args[0], word)
                one = context.get_constant(word, 1)
                context.compile_internal(
                    builder, sobol.sobol_skipahead, types.void(word, state, word), [n, values[1], one]
                )
                return context.get_dummy_value()

            return types.void(*args), codegen
        if fname.startswith("skipahead"):
            raise TypingError(f"nvmath.device.random.{fname} is not available for Sobol' states; use skipahead")
        word, chain = sobol_conversions(fname, bits)
        logn = fname.startswith("log_normal")
        if len(args) != (3 if logn else 1):
            wanted = "state, mean, stddev" if logn else "state"
            raise TypingError(f"nvmath.device.random.{fname} takes ({wanted}); got {len(args)} arguments")
        for what, ty in zip(("mean", "stddev"), args[1:]):
            check_number(fname, what, ty)
        result = chain[-1][1] if chain else word

        def codegen(context, builder, signature, values):
            one = context.get_constant(word, 1)
            value = context.compile_internal(builder, sobol.sobol_next, word(state, word), [values[0], one])
            ty = word
            for fn, out in chain:
                value = context.compile_internal(builder, fn, out(ty), [value])
                ty = out
            if logn:
                mean, stddev = (context.cast(builder, v, t, result) for v, t in zip(values[1:], signature.args[1:]))
                value = context.compile_internal(
                    builder, log_normal, result(result, result, result), [value, mean, stddev]
                )
            return value

        return result(*args), codegen

    # -- one intrinsic per name ----------------------------------------------------------------
    def typer(fname, args):
        state = args[-1] if fname == "init" or fname.startswith("skipahead") else (args[0] if args else None)
        if fname == "init" and len(args) not in (3, 4):
            raise TypingError(f"nvmath.device.random.init takes 3 or 4 arguments (..., state); got {len(args)}")
        kind = kind_of(fname, state)
        if kind in sobol.SOBOL_DTYPES:
            return sobol_call(fname, kind, args)
        if fname == "init":
            if len(args) != 4:
                raise TypingError(
                    f"nvmath.device.random.init for {kind} states takes (seed, subsequence, offset, state)"
                )
            sig, impl = generator_init(kind, args)
            tuple_type = None
        elif fname.startswith("skipahead"):
            sig, impl = generator_skip(fname, kind, args)
            tuple_type = None
        else:
            sig, impl, tuple_type = generator_sample(fname, kind, args)

        def codegen(context, builder, signature, values):
            if tuple_type is None:
                result = context.compile_internal(builder, impl, signature.return_type(*signature.args), values)
                return result if signature.return_type != types.void else context.get_dummy_value()
            value = context.compile_internal(builder, impl, tuple_type(*signature.args), values)
            return pack(context, builder, value, tuple_type, signature.return_type)

        return sig, codegen

    def make(fname):
        def generic(typingctx, a0, a1=None, a2=None, a3=None):
            given = tuple(a for a in (a0, a1, a2, a3) if a is not None)
            sig, codegen = typer(fname, given)
            missing = 4 - len(given)
            if not missing:
                return sig, codegen

            def trimmed(context, builder, signature, values):  # drop the Omitted arguments
                inner = signature.return_type(*signature.args[: len(given)])
                return codegen(context, builder, inner, values[: len(given)])

            return sig.return_type(*given, *([types.Omitted(None)] * missing)), trimmed

        generic.__name__ = generic.__qualname__ = fname
        return intrinsic(generic)

    return {name: make(name) for name in random._FACE_FUNCTIONS}
