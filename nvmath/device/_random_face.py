"""The Numba side of nvmath-python's spelling of :mod:`nvmath.device.random`.

:func:`register` makes the module-level host stubs (``random.init``, ``random.uniform4``...)
callable in kernels: each is typed as an intrinsic that looks at its state argument's type and
calls the engine for it. For Philox4_32_10, XORWOW and MRG32k3a states that is cuRAND's
definitions (uniforms, Box-Muller normals with the second value cached in the state, Philox's
one-word-at-a-time ``curand``), written here over the raw words of the cuRANDDx generators of
``random.py``, so that the sequences are cuRAND's for a seed; for Sobol' states, the functions
of ``_random_sobol.py``. Both are Python compiled into the kernel with
``context.compile_internal``. Vectors of values come back as numba-cuda vector types
(``float32x4``: ``.x .y .z .w``), as nvmath-python returns them.
"""

from __future__ import annotations

import math
import threading

__all__ = ["register"]

_lock = threading.Lock()
_registered = False

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
    from numba.extending import intrinsic

    from . import _random_sobol as sobol
    from . import random

    sobol_types = {from_dtype(d): kind for kind, d in sobol.SOBOL_DTYPES.items()}
    words = {32: types.uint32, 64: types.uint64}

    def kind_of(fname, ty):
        if isinstance(ty, types.Record):
            if ty in sobol_types:
                return sobol_types[ty]
            names = list(ty.fields)
            if names[0].startswith("curand_") and names[0].endswith("_state") and "boxmuller_flag" in names:
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

    # -- cuRAND's definitions over the cuRANDDx generators (Philox4_32_10, XORWOW, MRG32k3a) --
    generator_call = _generator_calls(pack, check_integer, check_number)

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
        if fname == "init" and len(args) != 4:
            raise TypingError(f"nvmath.device.random.init for {kind} states takes (seed, subsequence, offset, state)")
        return generator_call(fname, kind, args)

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


# ================================================================================================
# cuRAND's definitions for Philox4_32_10, XORWOW and MRG32k3a states.
#
# The generator itself is cuRANDDx's (its raw 32-bit output is cuRAND's ``curand``); what cuRAND
# builds on it is written here, in Python that Numba compiles into the kernel:
#
# - ``curand_uniform``: ``x * 2**-32 + 2**-33`` in float32 (MRG32k3a: its integer output
#   ``p`` in [1, m1] times ``1/(m1+1)``); doubles from two 32-bit words (53 bits).
# - single normals and log-normals use Box-Muller on two uniforms and keep the second value in
#   the state (``boxmuller_flag`` / ``boxmuller_extra``, and the ``_double`` pair), handing it
#   out on the next call, as cuRAND's state does; pairs and quadruples use no cache.
# - Philox4_32_10 makes 128 bits at a time: the state keeps the current block (``output``) and
#   the index of its next word (``STATE``), so that single 32-bit values, and blocks that start
#   in the middle of one, follow cuRAND's ``curand``/``curand4`` exactly (offsets of ``init``
#   and ``skipahead`` count 32-bit values).
#
# The face's state record starts with the cuRANDDx state (offset 0), followed by these fields.
# ================================================================================================

# cuRAND's constants (curand_globals.h, curand_kernel.h), as their C types round them.
_INV32 = 2.3283064e-10  # float
_TWO_PI = 6.2831855  # float
_INV53 = 1.1102230246251565e-16
_INV32_DOUBLE = 2.3283064365386963e-10
_MRG_NORM = 2.3283065498378288e-10
_MRG_BITS_NORM = 1.000000048662
_FLAG_NORMAL, _FLAG_LOG_NORMAL = 1, 2

_CACHE_FIELDS = [
    ("boxmuller_flag", "i4"),
    ("boxmuller_flag_double", "i4"),
    ("boxmuller_extra", "f4"),
    ("boxmuller_extra_double", "f8"),
]
_PHILOX_FIELDS = [("STATE", "u4"), ("output", "u4", (4,)), ("seed", "u8"), ("subsequence", "u8"), ("block", "u8")]


def face_state_dtype(rng):
    """The record of one face state of generator ``rng``: its cuRANDDx state, then cuRAND's
    Box-Muller cache (and, for Philox4_32_10, the current block and where it stands)."""
    import numpy as np

    engine_field = rng.state_dtype.names[0]
    fields = [(engine_field, np.uint8, (int(rng.state_size),)), *_CACHE_FIELDS]
    if rng.name == "philox4_32_10":
        fields += _PHILOX_FIELDS
    packed = np.dtype(fields, align=True)
    align = max(int(rng.state_alignment), packed.alignment, 8)
    itemsize = -(-packed.itemsize // align) * align  # consecutive states stay aligned
    return np.dtype(
        {
            "names": list(packed.names),
            "formats": [packed.fields[n][0] for n in packed.names],
            "offsets": [packed.fields[n][1] for n in packed.names],
            "itemsize": itemsize,
        },
        align=True,
    )


def mrg_integer_of_bits(b):
    """MRG32k3a's combined value ``p`` (an integer in [1, m1], as a float) from cuRAND's
    ``curand`` of it, ``b = (unsigned)(p * MRG32K3A_BITS_NORM)``: the map is one-to-one (the
    factor exceeds 1), so ``p`` is the integer next to ``b / MRG32K3A_BITS_NORM`` that maps to
    ``b``. Plain Python: NumPy runs it in tests, Numba compiles it into kernels."""
    p = math.floor(b / _MRG_BITS_NORM)
    if math.floor(p * _MRG_BITS_NORM) < b:
        p += 1.0
    if math.floor(p * _MRG_BITS_NORM) < b:
        p += 1.0
    return p


class _Definition:
    """One face function: its device function, parameter names and types, result type."""

    __slots__ = ("function", "parameters", "parameter_type", "output", "count")

    def __init__(self, function, output, count=1, parameters=(), parameter_type=None):
        self.function, self.output, self.count = function, output, count
        self.parameters, self.parameter_type = parameters, parameter_type


_definitions_cache: dict = {}


def _definitions(kind: str, rng) -> dict:
    """``{face name: _Definition}`` for the states of generator ``rng`` (one per generator)."""
    key = (kind, id(rng))
    found = _definitions_cache.get(key)
    if found is None or found[0] is not rng:
        found = _definitions_cache[key] = (rng, _make_definitions(kind, rng))
    return found[1]


def _make_definitions(kind: str, rng) -> dict:
    import math

    import numpy as np
    from numba.cuda import libdevice, types
    from numba.cuda.np.numpy_support import from_dtype
    from numba.extending import intrinsic

    engine_type = from_dtype(rng.state_dtype)
    S = from_dtype(face_state_dtype(rng))
    u32, u64t, f32t, f64t, void = types.uint32, types.uint64, types.float32, types.float64, types.void
    F2, F4, D2, U4 = (types.UniTuple(t, n) for t, n in ((f32t, 2), (f32t, 4), (f64t, 2), (u32, 4)))

    def device(sig):
        """Compile a Python function with signature ``sig`` into its callers (an intrinsic
        whose body ``compile_internal`` compiles: no device dispatcher, so no GPU is needed)."""

        def wrap(pyfunc):
            def codegen(context, builder, signature, args):
                result = context.compile_internal(builder, pyfunc, sig, args)
                return context.get_dummy_value() if sig.return_type == void else result

            arity = len(sig.args)
            typers = {
                1: lambda typingctx, a: (sig, codegen),
                2: lambda typingctx, a, b: (sig, codegen),
                3: lambda typingctx, a, b, c: (sig, codegen),
                4: lambda typingctx, a, b, c, d: (sig, codegen),
            }
            typer = typers[arity]
            typer.__name__ = typer.__qualname__ = pyfunc.__name__
            return intrinsic(typer)

        return wrap

    @intrinsic
    def engine(typingctx, state):
        """The cuRANDDx state at the start of a face state record (same address)."""

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(engine_type))

        return engine_type(state), codegen

    f32, f64, u64 = np.float32, np.float64, np.uint64
    inv32 = f32(_INV32)
    half32 = f32(inv32 / f32(2))
    inv32_2pi = f32(inv32 * f32(_TWO_PI))
    half32_2pi = f32(inv32_2pi / f32(2))
    two_pi = f32(_TWO_PI)
    minus_two = f32(-2.0)
    shift21 = u64(21)

    # -- cuRAND's conversions of 32-bit words ------------------------------------------------------
    @device(f32t(u32))
    def uniform_of(x):  # _curand_uniform
        return f32(x) * inv32 + half32

    @device(f64t(u32))
    def uniform_double_of(x):  # _curand_uniform_double (one word)
        return f64(x) * _INV32_DOUBLE + _INV32_DOUBLE

    @device(f64t(u32, u32))
    def uniform_double_hq(x, y):  # _curand_uniform_double_hq (53 bits of two words)
        z = u64(x) ^ (u64(y) << shift21)
        return f64(z) * _INV53 + _INV53 / 2.0

    @device(F2(u32, u32))
    def box_muller(x, y):  # _curand_box_muller
        u = f32(x) * inv32 + half32
        v = f32(y) * inv32_2pi + half32_2pi
        s = libdevice.fsqrt_rn(minus_two * libdevice.logf(u))
        sn, cs = libdevice.fast_sincosf(v)  # __sincosf, as cuRAND on the device
        return sn * s, cs * s

    @device(D2(u32, u32, u32, u32))
    def box_muller_double(x0, x1, y0, y1):  # _curand_box_muller_double
        u = f64(u64(x0) ^ (u64(x1) << shift21)) * _INV53 + _INV53 / 2.0
        v = f64(u64(y0) ^ (u64(y1) << shift21)) * (_INV53 * 2.0) + _INV53
        s = math.sqrt(-2.0 * libdevice.log(u))
        sn, cs = libdevice.sincospi(v)
        return sn * s, cs * s

    @device(F2(f32t, f32t))
    def box_muller_uniforms(x, y):  # curand_box_muller_mrg, from two float uniforms
        s = libdevice.fsqrt_rn(minus_two * libdevice.logf(x))
        sn, cs = libdevice.fast_sincosf(y * two_pi)
        return sn * s, cs * s

    @device(D2(f64t, f64t))
    def box_muller_uniforms_double(x, y):  # curand_box_muller_mrg_double
        s = math.sqrt(-2.0 * libdevice.log(x))
        sn, cs = libdevice.sincospi(y * 2.0)
        return sn * s, cs * s

    # -- the generator's words -----------------------------------------------------------------
    if kind == "philox4_32_10":
        bits4, rng_init, rng_skip = rng.bits4, rng.init, rng.skipahead

        @device(U4(S))
        def refill(state):  # the next block into ``output``; cuRANDDx's state is one block ahead
            w = bits4(engine(state))
            out = state["output"]
            out[0], out[1], out[2], out[3] = w[0], w[1], w[2], w[3]
            state["block"] += u64(1)
            return w

        @device(u32(S))
        def next32(state):  # curand(curandStatePhilox4_32_10_t*)
            k = state["STATE"]
            result = state["output"][k]
            k += 1
            if k == 4:
                refill(state)
                k = 0
            state["STATE"] = k
            return result

        @device(U4(S))
        def next128(state):  # curand4(curandStatePhilox4_32_10_t*): the next four words
            out = state["output"]
            t0, t1, t2, t3 = out[0], out[1], out[2], out[3]
            w = refill(state)
            k = state["STATE"]
            if k == 1:
                return (t1, t2, t3, w[0])
            if k == 2:
                return (t2, t3, w[0], w[1])
            if k == 3:
                return (t3, w[0], w[1], w[2])
            return (t0, t1, t2, t3)

        @device(void(u64t, u64t, u64t, S))
        def init(seed, subsequence, offset, state):
            state["seed"], state["subsequence"] = seed, subsequence
            state["block"] = offset >> u64(2)
            rng_init(seed, subsequence, offset >> u64(2), engine(state))
            w = bits4(engine(state))
            out = state["output"]
            out[0], out[1], out[2], out[3] = w[0], w[1], w[2], w[3]
            state["STATE"] = np.uint32(offset & u64(3))
            state["boxmuller_flag"] = 0
            state["boxmuller_flag_double"] = 0
            state["boxmuller_extra"] = f32(0)
            state["boxmuller_extra_double"] = 0.0

        @device(void(u64t, S))
        def skipahead(n, state):  # cuRAND's: words within the block, then whole blocks
            k = u64(state["STATE"]) + (n & u64(3))
            blocks = n >> u64(2)
            if k > u64(3):
                blocks += u64(1)
                k -= u64(4)
            state["STATE"] = np.uint32(k)
            if blocks > u64(0):
                if blocks > u64(1):
                    rng_skip(blocks - u64(1), engine(state))
                state["block"] += blocks - u64(1)
                refill(state)

        @device(void(u64t, S))
        def skipahead_sequence(n, state):  # same word of the same block, n subsequences on
            state["subsequence"] += n
            rng_init(state["seed"], state["subsequence"], state["block"], engine(state))
            w = bits4(engine(state))
            out = state["output"]
            out[0], out[1], out[2], out[3] = w[0], w[1], w[2], w[3]

    else:
        bits, rng_init = rng.bits, rng.init

        @device(u32(S))
        def next32(state):  # curand(state)
            return bits(engine(state))

        @device(void(u64t, u64t, u64t, S))
        def init(seed, subsequence, offset, state):
            rng_init(seed, subsequence, offset, engine(state))
            state["boxmuller_flag"] = 0
            state["boxmuller_flag_double"] = 0
            state["boxmuller_extra"] = f32(0)
            state["boxmuller_extra_double"] = 0.0

        def engine_skip(method):
            @device(void(u64t, S))
            def skip(n, state):
                method(n, engine(state))

            return skip

        skipahead = engine_skip(rng.skipahead)
        skipahead_sequence = engine_skip(rng.skipahead_sequence)

    defs = {
        "init": _Definition(init, "void", parameters=("seed", "subsequence", "offset"), parameter_type=types.uint64),
        "skipahead": _Definition(skipahead, "void", parameters=("n",), parameter_type=types.uint64),
        "skipahead_sequence": _Definition(skipahead_sequence, "void", parameters=("n",), parameter_type=types.uint64),
        "rand": _Definition(next32, "uint32"),
    }
    if kind == "mrg32k3a":
        defs["skipahead_subsequence"] = _Definition(
            engine_skip(rng.skipahead_subsequence), "void", parameters=("n",), parameter_type=types.uint64
        )

    # -- uniforms and the pairs Box-Muller starts from ------------------------------------------
    if kind == "mrg32k3a":
        integer_of = device(f64t(f64t))(mrg_integer_of_bits)

        @device(f64t(S))
        def mrg_integer(state):  # curand_MRG32k3a
            return integer_of(f64(bits(engine(state))))

        @device(f32t(S))
        def uniform(state):
            return f32(mrg_integer(state) * _MRG_NORM)

        @device(f64t(S))
        def uniform_double(state):
            return mrg_integer(state) * _MRG_NORM

        @device(F2(S))
        def pair(state):  # curand_box_muller_mrg
            x = f32(mrg_integer(state) * _MRG_NORM)
            y = f32(mrg_integer(state) * _MRG_NORM)
            return box_muller_uniforms(x, y)

        @device(D2(S))
        def pair_double(state):  # curand_box_muller_mrg_double
            x = mrg_integer(state) * _MRG_NORM
            y = mrg_integer(state) * _MRG_NORM
            return box_muller_uniforms_double(x, y)

    else:

        @device(f32t(S))
        def uniform(state):
            return uniform_of(next32(state))

        if kind == "philox4_32_10":

            @device(f64t(S))
            def uniform_double(state):  # one word, as cuRAND's Philox curand_uniform_double
                return uniform_double_of(next32(state))

            @device(D2(S))
            def pair_double(state):  # one curand4
                w = next128(state)
                return box_muller_double(w[0], w[1], w[2], w[3])

        else:

            @device(f64t(S))
            def uniform_double(state):
                x = next32(state)
                y = next32(state)
                return uniform_double_hq(x, y)

            @device(D2(S))
            def pair_double(state):
                x0 = next32(state)
                x1 = next32(state)
                y0 = next32(state)
                y1 = next32(state)
                return box_muller_double(x0, x1, y0, y1)

        @device(F2(S))
        def pair(state):  # curand_box_muller
            x = next32(state)
            y = next32(state)
            return box_muller(x, y)

    # -- single normals and log-normals: the second value waits in the state ---------------------
    @device(f32t(S))
    def normal(state):
        if state["boxmuller_flag"] != _FLAG_NORMAL:
            a, b = pair(state)
            state["boxmuller_extra"] = b
            state["boxmuller_flag"] = _FLAG_NORMAL
            return a
        state["boxmuller_flag"] = 0
        return state["boxmuller_extra"]

    @device(f64t(S))
    def normal_double(state):
        if state["boxmuller_flag_double"] != _FLAG_NORMAL:
            a, b = pair_double(state)
            state["boxmuller_extra_double"] = b
            state["boxmuller_flag_double"] = _FLAG_NORMAL
            return a
        state["boxmuller_flag_double"] = 0
        return state["boxmuller_extra_double"]

    @device(f32t(S, f32t, f32t))
    def log_normal(state, mean, stddev):
        if state["boxmuller_flag"] != _FLAG_LOG_NORMAL:
            a, b = pair(state)
            state["boxmuller_extra"] = libdevice.expf(mean + stddev * b)
            state["boxmuller_flag"] = _FLAG_LOG_NORMAL
            return libdevice.expf(mean + stddev * a)
        state["boxmuller_flag"] = 0
        return state["boxmuller_extra"]

    @device(f64t(S, f64t, f64t))
    def log_normal_double(state, mean, stddev):
        if state["boxmuller_flag_double"] != _FLAG_LOG_NORMAL:
            a, b = pair_double(state)
            state["boxmuller_extra_double"] = libdevice.exp(mean + stddev * b)
            state["boxmuller_flag_double"] = _FLAG_LOG_NORMAL
            return libdevice.exp(mean + stddev * a)
        state["boxmuller_flag_double"] = 0
        return state["boxmuller_extra_double"]

    @device(F2(S, f32t, f32t))
    def log_normal2(state, mean, stddev):
        a, b = pair(state)
        return libdevice.expf(mean + stddev * a), libdevice.expf(mean + stddev * b)

    @device(D2(S, f64t, f64t))
    def log_normal2_double(state, mean, stddev):
        a, b = pair_double(state)
        return libdevice.exp(mean + stddev * a), libdevice.exp(mean + stddev * b)

    log = ("mean", "stddev")
    defs.update(
        uniform=_Definition(uniform, "float32"),
        uniform_double=_Definition(uniform_double, "float64"),
        normal=_Definition(normal, "float32"),
        normal_double=_Definition(normal_double, "float64"),
        normal2=_Definition(pair, "float32", 2),
        normal2_double=_Definition(pair_double, "float64", 2),
        log_normal=_Definition(log_normal, "float32", 1, log, types.float32),
        log_normal_double=_Definition(log_normal_double, "float64", 1, log, types.float64),
        log_normal2=_Definition(log_normal2, "float32", 2, log, types.float32),
        log_normal2_double=_Definition(log_normal2_double, "float64", 2, log, types.float64),
    )

    if kind == "philox4_32_10":

        @device(F4(S))
        def uniform4(state):
            w = next128(state)
            return uniform_of(w[0]), uniform_of(w[1]), uniform_of(w[2]), uniform_of(w[3])

        @device(D2(S))
        def uniform2_double(state):
            w = next128(state)
            return uniform_double_hq(w[0], w[1]), uniform_double_hq(w[2], w[3])

        @device(F4(S))
        def normal4(state):  # curand_box_muller4
            w = next128(state)
            a, b = box_muller(w[0], w[1])
            c, d = box_muller(w[2], w[3])
            return a, b, c, d

        @device(F4(S, f32t, f32t))
        def log_normal4(state, mean, stddev):
            w = next128(state)
            a, b = box_muller(w[0], w[1])
            c, d = box_muller(w[2], w[3])
            return (
                libdevice.expf(mean + stddev * a),
                libdevice.expf(mean + stddev * b),
                libdevice.expf(mean + stddev * c),
                libdevice.expf(mean + stddev * d),
            )

        defs.update(
            rand4=_Definition(next128, "uint32", 4),
            uniform4=_Definition(uniform4, "float32", 4),
            uniform2_double=_Definition(uniform2_double, "float64", 2),
            normal4=_Definition(normal4, "float32", 4),
            log_normal4=_Definition(log_normal4, "float32", 4, log, types.float32),
        )
    else:
        poisson_engine = rng.poisson

        @device(u32(S, f64t))
        def poisson(state, lambda_):  # cuRANDDx's Poisson (not cuRAND's algorithm)
            return poisson_engine(engine(state), lambda_)

        defs["poisson"] = _Definition(poisson, "uint32", 1, ("Lambda",), types.float64)
    return defs


def _generator_calls(pack, check_integer, check_number):
    """The typer of the face functions on Philox4_32_10, XORWOW and MRG32k3a states."""
    from numba.core.errors import TypingError
    from numba.cuda import types
    from numba.cuda.vector_types import vector_types

    from . import random

    def call(fname, kind, args):
        defs = _definitions(kind, random._face_generator(kind))
        d = defs.get(fname)
        if d is None:
            why = (
                "skipahead_subsequence: only MRG32k3a states have it (use skipahead_sequence)"
                if fname == "skipahead_subsequence"
                else f"{fname} is not available for {kind} states"
            )
            raise TypingError(f"nvmath.device.random.{why}; they have: {', '.join(sorted(defs))}")
        with_state_last = fname == "init" or fname.startswith("skipahead")
        params = args[:-1] if with_state_last else args[1:]
        if len(params) != len(d.parameters):
            shape = (*d.parameters, "state") if with_state_last else ("state", *d.parameters)
            raise TypingError(f"nvmath.device.random.{fname} takes ({', '.join(shape)}); got {len(args)} arguments")
        check = check_integer if with_state_last else check_number
        for what, ty in zip(d.parameters, params):
            check(fname, what, ty)
        state_type = args[-1] if with_state_last else args[0]
        inner_args = [d.parameter_type] * len(params)
        inner_args = [*inner_args, state_type] if with_state_last else [state_type, *inner_args]
        value = getattr(types, d.output) if d.output != "void" else types.void
        inner_return = value if d.count == 1 else types.UniTuple(value, d.count)
        outer_return = value if d.count == 1 else vector_types[_VECTOR_NAMES[(d.output, d.count)]]
        inner = inner_return(*inner_args)
        function = d.function
        body = {
            1: lambda a: function(a),
            2: lambda a, b: function(a, b),
            3: lambda a, b, c: function(a, b, c),
            4: lambda a, b, c, e: function(a, b, c, e),
        }[len(args)]

        def codegen(context, builder, signature, values):
            cast = [context.cast(builder, v, t, w) for v, t, w in zip(values, signature.args, inner.args)]
            result = context.compile_internal(builder, body, inner, cast)
            if d.output == "void":
                return context.get_dummy_value()
            if d.count == 1:
                return result
            return pack(context, builder, result, inner_return, outer_return)

        return outer_return(*args), codegen

    return call
