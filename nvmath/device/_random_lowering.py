"""The Numba side of :mod:`nvmath.device.random`: typing and lowering of the generator functions.

Every function is a Numba intrinsic that calls a cuRANDDx device function with its C prototype
(all arguments by pointer: ``init(u64* seed, u64* subsequence, u64* offset, void* state)``,
``generate(void* state, T* out, P* params)``, ``skip(void* state, u64* n)``) and attaches the
LTO-IR that defines it to the kernel's code library. Outputs and parameters live in allocas in
the entry block, aligned to 16 bytes because cuRANDDx writes vectors with ``st.v2``/``st.v4``.
"""

from __future__ import annotations

from .random import _METHODS


def make_functions(rng) -> dict:
    """The device functions of generator ``rng``, by attribute name."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.core.errors import TypingError
    from numba.cuda.np.numpy_support import from_dtype
    from numba.extending import intrinsic

    i8p = ir.IntType(8).as_pointer()
    state_field = rng.state_dtype.names[0]
    state_type = from_dtype(rng.state_dtype)
    size, alignment = int(rng.state_size), int(rng.state_alignment)
    gen_name = type(rng).__name__

    def check_state(fname, ty):
        if not (isinstance(ty, types.Record) and ty.size == size and state_field in ty.fields):
            raise TypingError(
                f"{gen_name}.{fname}: the state argument is {ty}; pass a {gen_name} state "
                f"(rng.local_state(), or an element of rng.states(n))"
            )

    def check_number(fname, what, ty):
        if not isinstance(ty, (types.Integer, types.Float, types.Boolean)):
            raise TypingError(f"{gen_name}.{fname}: {what} is {ty}; a number is required")

    def entry_alloca(builder, lty, align=16):
        with builder.goto_entry_block():
            ptr = builder.alloca(lty)
        ptr.align = align
        return ptr

    def by_address(context, builder, value, ty, to):
        ptr = entry_alloca(builder, context.get_data_type(to), 8)
        builder.store(context.cast(builder, value, ty, to), ptr)
        return builder.bitcast(ptr, i8p)

    def call(context, builder, code, function, args):
        linkable, symbols = code
        fnty = ir.FunctionType(ir.VoidType(), [i8p] * len(args))
        callee = cgutils.get_or_insert_function(builder.module, fnty, symbols[function])
        context.active_code_library.add_linking_file(linkable)
        builder.call(callee, args)

    def state_pointer(builder, value):
        return builder.bitcast(value, i8p)

    functions = {}

    # -- local_state() -------------------------------------------------------------------------
    @intrinsic
    def local_state(typingctx):
        def codegen(context, builder, signature, args):
            ptr = entry_alloca(builder, ir.ArrayType(ir.IntType(8), size), max(alignment, 16))
            return builder.bitcast(ptr, context.get_value_type(state_type))

        return state_type(), codegen

    functions["local_state"] = local_state

    # -- init(seed, subsequence, offset, state) --------------------------------------------------
    @intrinsic
    def init(typingctx, seed, subsequence, offset, state):
        for what, ty in (("seed", seed), ("subsequence", subsequence), ("offset", offset)):
            if not isinstance(ty, (types.Integer, types.Boolean)):
                raise TypingError(f"{gen_name}.init: {what} is {ty}; an integer is required")
        check_state("init", state)

        def codegen(context, builder, signature, args):
            u64 = [by_address(context, builder, v, t, types.uint64) for v, t in zip(args[:3], signature.args[:3])]
            call(context, builder, rng._state_code, "init", [*u64, state_pointer(builder, args[3])])
            return context.get_dummy_value()

        return types.void(seed, subsequence, offset, state), codegen

    functions["init"] = init

    # -- skipahead(n, state) and friends ----------------------------------------------------------
    def make_skip(fname, function):
        @intrinsic
        def skip(typingctx, n, state):
            if not isinstance(n, (types.Integer, types.Boolean)):
                raise TypingError(f"{gen_name}.{fname}: n is {n}; an integer is required")
            check_state(fname, state)

            def codegen(context, builder, signature, args):
                count = by_address(context, builder, args[0], signature.args[0], types.uint64)
                call(context, builder, rng._state_code, function, [state_pointer(builder, args[1]), count])
                return context.get_dummy_value()

            return types.void(n, state), codegen

        return skip

    functions["skipahead"] = make_skip("skipahead", "skip_offset")
    if rng.name == "mrg32k3a":  # cuRAND's names: a sequence is 2**127 values, a subsequence 2**76
        functions["skipahead_sequence"] = make_skip("skipahead_sequence", "skip_sequence")
        functions["skipahead_subsequence"] = make_skip("skipahead_subsequence", "skip_subsequence")
    else:
        functions["skipahead_sequence"] = make_skip("skipahead_sequence", "skip_subsequence")

    # -- distributions -----------------------------------------------------------------------------
    def make_generate(fname, method):
        value_type = getattr(types, method.output)
        param_type = (
            types.float64
            if method.distribution == "POISSON"
            else (value_type if method.output != "uint32" else types.float32)
        )
        return_type = value_type if method.count == 1 else types.UniTuple(value_type, method.count)
        nparams = len(method.parameters)

        def typer(state, params):
            check_state(fname, state)
            given = [p for p in params if p is not None]
            if len(given) != nparams:
                wanted = ", ".join(("state", *method.parameters))
                raise TypingError(f"{gen_name}.{fname} takes ({wanted}); got {len(given) + 1} arguments")
            for what, ty in zip(method.parameters, given):
                check_number(fname, what, ty)

            def codegen(context, builder, signature, args):
                code = rng._code_for(fname)
                lvalue = context.get_data_type(value_type)
                out = entry_alloca(builder, ir.ArrayType(lvalue, method.count))
                lparam = context.get_data_type(param_type)
                params = entry_alloca(builder, ir.ArrayType(lparam, 2))
                if nparams:
                    values = [context.cast(builder, v, t, param_type) for v, t in zip(args[1:], signature.args[1:])]
                else:
                    values = [context.get_constant(param_type, v) for v in method.defaults]
                for i, v in enumerate(values):
                    builder.store(v, cgutils.gep_inbounds(builder, params, 0, i))
                call(
                    context,
                    builder,
                    code,
                    "generate",
                    [state_pointer(builder, args[0]), builder.bitcast(out, i8p), builder.bitcast(params, i8p)],
                )
                results = [builder.load(cgutils.gep_inbounds(builder, out, 0, i)) for i in range(method.count)]
                if method.count == 1:
                    return results[0]
                return context.make_tuple(builder, signature.return_type, results)

            return return_type(state, *given), codegen

        if nparams == 0:

            def generate(typingctx, state):
                return typer(state, ())
        elif nparams == 1:

            def generate(typingctx, state, p0=None):
                return typer(state, (p0,))
        else:

            def generate(typingctx, state, p0=None, p1=None):
                return typer(state, (p0, p1))

        generate.__name__ = generate.__qualname__ = fname
        return intrinsic(generate)

    def make_missing(fname):
        have = ", ".join(rng.methods)
        why = (
            "Philox4_32_10 makes 128 bits a call: it has the 4-value (and 2-value double) functions"
            if rng.name == "philox4_32_10"
            else f"{gen_name} makes one value a call"
        )

        def missing(typingctx, state, p0=None, p1=None):
            raise TypingError(f"{gen_name} has no {fname} ({why}); it has: {have}")

        missing.__name__ = missing.__qualname__ = fname
        return intrinsic(missing)

    for fname, method in _METHODS.items():
        functions[fname] = make_generate(fname, method) if fname in rng.methods else make_missing(fname)
    return functions
