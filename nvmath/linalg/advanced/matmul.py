"""Matrix multiplication with fused epilogs: the stateful :class:`Matmul` and :func:`matmul`.

Phases: the constructor checks shapes, types and layouts; :meth:`Matmul.plan` chooses
algorithms (cuBLASLt heuristics) and fixes the epilog; :meth:`Matmul.autotune` times the
candidates; :meth:`Matmul.execute` runs as often as needed; :meth:`Matmul.free` releases.
Host operands are copied to a GPU, as in nvmath-python (``options.device_id``, the result copied
back); where no GPU is found (or no CuPy or CUDA PyTorch to hold them there), or with
``execution="cpu"``, they run on the CPU (NumPy).
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.log import get_logger
from nvmath._internal.options import check_execution, check_options
from nvmath._internal.stateful import Stateful
from nvmath._internal.streams import gpu_found, require_cuda
from nvmath._internal.tensor import check_same_operand, wrap_operand
from nvmath._internal.validate import DtypeError, as_int_at_least

from ._options import MatmulOptions, MatmulPlanPreferences, MatmulQuantizationScales
from ._problem import Problem, check_scalar

__all__ = ["Matmul", "matmul"]


class InvalidMatmulState(RuntimeError):
    """An advanced :class:`Matmul` was used after :meth:`Matmul.free` (nvmath-python's
    advanced module has its own class of this name, not exported)."""


class Matmul(Stateful):
    """``D = epilog(alpha * op(A) @ op(B) + beta * C)``, planned once and executed many times.

    Parameters
    ----------
    a, b : numpy.ndarray, cupy.ndarray or torch.Tensor
        Vectors, matrices or batches of matrices (NumPy matmul conventions, batches broadcast).
        Row- and column-major layouts are used as they are, without copies.
    c : array, optional
        Added with weight ``beta`` (default 1 when ``c`` is given); of the result's dtype.
    alpha, beta : number, optional
    qualifiers : numpy.ndarray of matrix_qualifiers_dtype, optional
        Three records (a, b, c); ``is_conjugate`` conjugates a complex ``a`` or ``b``.
    options : MatmulOptions or dict, optional
    execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
        Default: the GPU (for host operands, ``options.device_id``, copied there and back, as
        in nvmath-python); the CPU for host operands where no CUDA GPU is found, or neither
        CuPy nor a CUDA build of PyTorch is installed.
    quantization_scales : dict, optional
        FP8 operands only: ``{"a": .., "b": .., "d": ..}``, the result being
        ``sd * (alpha * (sa * A) @ (sb * B) + beta * C)`` (cuBLASLt's per-tensor FP8 scaling).
        Each is a real number or a one-element float32 array (shape ``()`` or ``(1,)``) of the
        operands' package and device, read at every execution (update it in place to change
        it). ``a`` and ``b`` default to 1. ``d`` applies to, and is required for, FP8 results
        (``options.result_type`` ``"float8_e4m3fn"`` or ``"float8_e5m2"``): values beyond the
        format's largest finite value saturate to it. C (bf16 or fp16 with an FP8 result) is
        not scaled.
    stream : optional
        A CuPy or PyTorch stream or a raw handle; default the package's current stream.
    """

    _freed_error = InvalidMatmulState

    def __init__(
        self,
        a,
        b,
        /,
        c=None,
        *,
        alpha=None,
        beta=None,
        qualifiers=None,
        options=None,
        execution=None,
        quantization_scales=None,
        stream=None,
    ):
        self.options = check_options(options, MatmulOptions, "options")
        self.logger = get_logger(self.options.logger)
        ha, hb = wrap_operand(a, "a"), wrap_operand(b, "b")
        hc = wrap_operand(c, "c") if c is not None else None
        operands = [("a", ha), ("b", hb)] + ([("c", hc)] if hc is not None else [])
        places = {(h.package, h.device_id) for _, h in operands}
        if len(places) > 1:
            described = ", ".join(
                f"{n}: {h.package} on {'the host' if h.is_host else f'GPU {h.device_id}'}" for n, h in operands
            )
            raise ValueError(f"the operands must be of one package and on one device; got {described}")
        execution = check_execution(execution, default=None)
        if execution is None:
            # As nvmath-python: host operands are copied to a GPU (options.device_id) and the
            # result comes back; where no GPU is found they run on the CPU instead.
            execution = ExecutionCUDA()
            why = None
            if ha.is_host and not gpu_found():
                why = "no CUDA GPU was found"
            elif ha.is_host and ha.device_package is None:
                why = f"neither CuPy nor a CUDA build of PyTorch is installed to hold {ha.package} operands on it"
            if why is not None:
                execution = ExecutionCPU()
                self.logger.info("Matmul: %s, so the host operands are multiplied on the CPU", why)
        if isinstance(execution, ExecutionCPU) and not ha.is_host:
            raise ValueError(
                f"execution='cpu' cannot take {ha.package} operands on GPU {ha.device_id}: nvmath "
                "does not copy them implicitly; move them to the host or use execution='cuda'"
            )
        self.execution = execution
        if self.options.inplace and self.options.result_type is not None:
            self.logger.warning(
                "Matmul: options.result_type=%r is ignored: the operation is in place, so the result has c's type",
                self.options.result_type,
            )
        self._problem = Problem(
            ha, hb, hc, alpha, beta, qualifiers, self.options.result_type, inplace=self.options.inplace
        )
        if self.options.result_amax and not self._problem.fp8:
            raise ValueError(
                f"options.result_amax=True applies to FP8 operands only; these are {self._problem.ab_dtype}"
            )
        self._check_block_scaling(ha)
        self._operands = {"a": ha, "b": hb, "c": hc}
        self._scales = self._check_scales(quantization_scales)
        self._planned = False
        self._freed = False
        self._released = False
        self._epilog = None
        self._epilog_inputs = {}
        self._aux = {"dtype": self._problem.aux_dtype, "scale": None, "amax": False}
        if isinstance(execution, ExecutionCUDA):
            if ha.is_host:  # device operands prove their GPU; host ones need one found (once)
                require_cuda(execution.device_id)
            from ._cuda import CudaMatmul

            self._backend = CudaMatmul(self, stream)
        else:
            self._backend = None
            for field in ("compute_type", "scale_type"):
                if getattr(self.options, field) is not None:
                    self.logger.info(
                        "options.%s=%s applies to cuBLASLt: the CPU computes in %s",
                        field,
                        getattr(self.options, field).name,
                        "float32"
                        if self._problem.fp8 or self._problem.ab_dtype in ("float16", "bfloat16")
                        else self._problem.ab_dtype,
                    )
        p = self._problem
        self.logger.info(
            "Matmul %s: (%d x %d) @ (%d x %d), batch %s, %s execution",
            p.ab_dtype,
            p.m,
            p.k,
            p.k,
            p.n,
            p.batch_shape or "none",
            execution.name,
        )

    def _check_block_scaling(self, a):
        """``options.block_scaling`` (MXFP8) needs FP8 operands and a Blackwell GPU: refused here,
        before anything is planned, where either is missing."""
        if not self.options.block_scaling:
            return
        p = self._problem
        if not p.fp8:
            raise ValueError(f"options.block_scaling=True applies to FP8 operands (MXFP8); these are {p.ab_dtype}")
        if isinstance(self.execution, ExecutionCPU):
            raise ValueError(
                "options.block_scaling=True (MXFP8) runs in cuBLASLt on GPUs of compute capability 10.0 or newer "
                "(Blackwell); execution='cpu' does not support it"
            )
        from nvmath.jit import device_target

        device_id = self.execution.device_id
        if device_id is None:
            device_id = self.options.device_id if a.is_host else a.device_id
        cc = device_target(device_id).cc
        if cc < (10, 0):
            raise RuntimeError(
                f"options.block_scaling=True (MXFP8 block scales) needs a GPU of compute capability 10.0 or newer "
                f"(Blackwell); GPU {device_id} has {cc[0]}.{cc[1]}: use per-tensor FP8 scales "
                "(block_scaling=False) there"
            )
        raise NotImplementedError(
            "options.block_scaling=True (MXFP8) is not implemented by nvmath-fusion yet; use per-tensor FP8 "
            "scales (block_scaling=False)"
        )

    def _check_scales(self, scales):
        """``{"a", "b", "d"}`` → a float, or a holder of a one-element float32 array where the
        operands are (read at every execute, so it may change in place); None without FP8."""
        p = self._problem
        scales = _scales_dict(scales)
        if scales is None:
            if p.fp8_result:
                raise ValueError(self._missing_d_scale())
            return {"a": 1.0, "b": 1.0, "d": 1.0} if p.fp8 else None
        if not p.fp8:
            raise ValueError("quantization_scales apply to FP8 operands only; these are " + p.ab_dtype)
        if not isinstance(scales, dict) or not all(isinstance(k, str) for k in scales):
            raise TypeError(f"quantization_scales must be a dict with keys among 'a', 'b', 'd'; got {scales!r}")
        scales = {k: v for k, v in scales.items() if v is not None}  # None: not given
        if "c" in scales:
            raise ValueError(
                f"quantization_scales['c'] is not supported: with FP8 operands, c is "
                f"{p.c_dtype}, which cuBLASLt adds unscaled (it scales FP8 matrices only)"
            )
        unknown = sorted(set(scales) - {"a", "b", "d"})
        if unknown:
            raise TypeError(f"quantization_scales has keys {unknown}; accepted: 'a', 'b', 'd'")
        if "d" in scales and not p.fp8_result:
            raise ValueError(f"quantization_scales['d'] applies to an FP8 result; the result is {p.result_dtype}")
        if p.fp8_result and scales.get("d") is None:
            raise ValueError(self._missing_d_scale())
        out = {"a": 1.0, "b": 1.0, "d": 1.0}
        for k, v in scales.items():
            out[k] = self._check_scale(k, v)
        return out

    def _missing_d_scale(self):
        p = self._problem
        return (
            f"quantization_scales['d'] is required for the FP8 result ({p.result_dtype}): the result is "
            f"quantized as scale_d * (alpha * scale_a * scale_b * a @ b + beta * c); give a float or a "
            f"one-element float32 array (1.0 for none)"
        )

    def _check_scale(self, key, value):
        name = f"quantization_scales[{key!r}]"
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return float(value)
        try:
            h = wrap_operand(value, name)
        except TypeError:
            raise TypeError(
                f"{name}={value!r} is not supported; accepted: a real number, or a float32 array of "
                "one element (shape () or (1,)) where the operands are"
            ) from None
        if h.dtype != "float32" or h.size != 1 or len(h.shape) > 1:
            raise DtypeError(
                f"{name} has dtype {h.dtype} and shape {tuple(h.shape)}; an array scale must be "
                "float32 with one element, of shape () or (1,)"
            )
        return self._wrap_epilog_input(h, name)

    @staticmethod
    def _scale_values(scales):
        """The scales' current values, as floats."""
        from ._cpu import scale_value

        return {k: scale_value(v) for k, v in scales.items()}

    # -- phases ----------------------------------------------------------------------------------
    @property
    def algorithms(self):
        """The candidate algorithms of the last :meth:`plan` (best first after :meth:`autotune`)."""
        self._check_alive()
        return () if self._backend is None else tuple(self._backend.algorithms)

    def plan(self, *, preferences=None, algorithms=None, epilog=None, epilog_inputs=None, stream=None):
        """Choose algorithms and fix the epilog; returns the candidate algorithms.

        Parameters
        ----------
        preferences : MatmulPlanPreferences or dict, optional
        algorithms : sequence, optional
            Algorithms from an earlier plan (of the same problem) to use instead of searching.
        epilog : MatmulEpilog or its name, optional
        epilog_inputs : dict, optional
            ``{"bias": ...}``, ``{"relu_aux": ...}`` or ``{"gelu_aux": ...}`` as the epilog needs;
            on the operands' device, of the result's dtype (``relu_aux``: uint8).
        stream : optional
            Default: the operands' package's current stream at this call, as in nvmath-python
            (host operands: the stream of the constructor, their calls block).
        """
        self._check_alive()
        self._check_operands("plan()")
        preferences = check_options(preferences, MatmulPlanPreferences, "preferences")
        epilog, inputs, aux = self._problem.check_epilog(
            epilog, epilog_inputs, self._wrap_epilog_input, preferences.epilog
        )
        if aux["scale"] is not None:
            aux["scale"] = self._check_scale("aux_quantization_scale", aux["scale"])
        if algorithms is not None:
            algorithms = _as_algorithms(algorithms)
        self._epilog, self._epilog_inputs, self._aux = epilog, inputs, aux
        if self._backend is not None:
            self._backend.plan(preferences, algorithms, epilog, inputs, stream)
        self._planned = True
        return self.algorithms

    def _wrap_epilog_input(self, value, name):
        h = wrap_operand(value, name)
        a = self._operands["a"]
        if (h.package, h.device_id) != (a.package, a.device_id):
            raise ValueError(
                f"{name} is a {h.package} array on {'the host' if h.is_host else f'GPU {h.device_id}'}; "
                f"it must be where the operands are ({a.package}, "
                f"{'host' if a.is_host else f'GPU {a.device_id}'})"
            )
        return h

    def applicable_algorithm_ids(self, limit=8):
        """The ids of cuBLASLt's algorithms that can compute this multiplication's types (its
        compute, scale and data types), at most ``limit`` of them, in no particular order:
        ``cublasLtMatmulAlgoGetIds``. An id says nothing of the tile and other settings that
        :meth:`plan` chooses with them (see :class:`~nvmath.linalg.advanced.Algorithm`).

        Parameters
        ----------
        limit : int
            The most ids wanted, a positive int.

        Raises
        ------
        RuntimeError
            For a multiplication that runs on the CPU (cuBLASLt's algorithms are GPU ones).
        """
        self._check_alive()
        limit = as_int_at_least(limit, 1, "limit", "a positive int")
        if self._backend is None:
            raise RuntimeError(
                "applicable_algorithm_ids(): this Matmul runs on the CPU, and cuBLASLt's algorithms "
                "are GPU ones; give execution='cuda' (or device operands) for them"
            )
        return self._backend.applicable_algorithm_ids(limit)

    def autotune(self, iterations=10, prune=None, release_workspace=False, stream=None):
        """Time each candidate algorithm and order them fastest first (GPU only).

        Parameters
        ----------
        iterations : int
            Timed runs per algorithm (after one warm-up); the L2 cache is flushed between runs.
        prune : int, optional
            Keep only the fastest ``prune`` algorithms.
        release_workspace : bool
            Give the work area back to the memory pool afterwards (the next execution
            allocates it again).
        stream : optional
            Default: the operands' package's current stream at this call, as in nvmath-python
            (host operands: the stream of the constructor, their calls block).
        """
        self._check_planned()
        self._check_operands("autotune()")
        iterations = as_int_at_least(iterations, 1, "iterations", "a positive int")
        if prune is not None:
            prune = as_int_at_least(prune, 1, "prune", "a positive int or None")
        if self._backend is None:
            self.logger.info("autotune: nothing to tune on the CPU")
            return
        self._backend.autotune(iterations, prune, stream, release_workspace=bool(release_workspace))

    def execute(self, *, algorithm=None, release_workspace=False, stream=None):
        """Run the multiplication; returns the result, or ``(result, aux)`` for epilogs with
        auxiliary outputs (``aux`` a dict of arrays).

        Parameters
        ----------
        algorithm : Algorithm, optional
            One of :attr:`algorithms`; default the first (the best after :meth:`autotune`).
        release_workspace : bool
            Give the work area back to the memory pool afterwards.
        stream : optional
            Default: the operands' package's current stream at this call, as in nvmath-python
            (host operands: the stream of the constructor, their calls block).

        Notes
        -----
        A call with no arguments takes a hot path made at planning. On the legacy default
        stream, where a result lands at an address an earlier result had (a caching allocator
        hands the block of a dropped result to the next), the call replays a CUDA graph of the
        same cuBLASLt call, captured the second time that address came: the same kernel, at a
        fraction of the call's CPU cost. ``NVMATH_CALL_GRAPHS=0`` in the environment turns this
        off.
        """
        backend = self._backend
        if backend is not None and algorithm is None and stream is None and not release_workspace:
            # The per-call hot path: the backend keeps it only while the plan stands and the
            # operands are held (it is dropped by release_operands(), free() and a new plan).
            fast = backend._fast
            if fast is not None:
                result = fast()
                if result is not None:
                    return result
        self._check_planned()
        self._check_operands("execute()")
        if self._backend is None:
            return self._execute_cpu()
        return self._backend.execute(algorithm, release_workspace, stream)

    def reset_operands(
        self,
        a=None,
        b=None,
        c=None,
        *,
        alpha=None,
        beta=None,
        quantization_scales=None,
        epilog_inputs=None,
        stream=None,
    ):
        """Use new operands (same package, device, dtype, shape and strides), scalars, FP8
        scales or epilog inputs; nothing changes if any of them is refused.

        Parameters
        ----------
        a, b, c : array, optional
            Replacements, of the same package, device, dtype, shape and strides as the ones
            given to the constructor. With ``options.inplace``, the next result is written into
            the new ``c``; a ``c`` that is not replaced holds the last result.
        alpha, beta : number, optional
        quantization_scales : dict or MatmulQuantizationScales, optional
            New FP8 scales for some of ``"a"``, ``"b"``, ``"d"``; the others are kept.
        epilog_inputs : dict, optional
            New inputs of the planned epilog (all of them).
        stream : optional
            Default: the operands' package's current stream at this call, as in nvmath-python
            (host operands: the stream of the constructor, their calls block).

        Notes
        -----
        After :meth:`release_operands`, ``a``, ``b`` (and ``c``, the epilog inputs and array
        scales, where the problem has them) must all be given again.
        """
        self._check_alive()
        new = {}
        for name, value in (("a", a), ("b", b), ("c", c)):
            if value is None:
                continue
            old = self._operands[name]
            if old is None:
                raise ValueError(f"reset_operands: this Matmul has no {name}; create a new one with {name}")
            h = wrap_operand(value, name)
            check_same_operand(h, old, what=f"reset_operands: the new {name}", owner="Matmul")
            new[name] = h
        inputs = None
        aux_scale = None
        if epilog_inputs is not None:
            if not self._planned:
                raise RuntimeError("reset_operands(epilog_inputs=...) before plan(): the epilog is fixed by plan()")
            preferences = _aux_preferences(self._aux)
            _, inputs, aux = self._problem.check_epilog(
                self._epilog, epilog_inputs, self._wrap_epilog_input, preferences
            )
            if aux["scale"] is not None:
                aux_scale = self._check_scale("aux_quantization_scale", aux["scale"])
        for name, value in (("alpha", alpha), ("beta", beta)):
            if value is not None:
                check_scalar(value, name, self._problem.ab_dtype)
        if beta is not None and beta != 0 and self._operands.get("c") is None:
            raise ValueError(f"reset_operands: beta={beta!r} was given, but this Matmul has no c; create one with c")
        scales = self._check_new_scales(quantization_scales)
        if self._released:
            self._check_complete_after_release(new, inputs, scales)
        self._apply_reset(new, alpha, beta, inputs, aux_scale, scales, stream)

    def _check_new_scales(self, quantization_scales):
        """New FP8 scales (a partial dict), checked; None when none are given."""
        scales = _scales_dict(quantization_scales)
        if scales is None:
            return None
        p = self._problem
        if not p.fp8:
            raise ValueError("quantization_scales apply to FP8 operands only; these are " + p.ab_dtype)
        unknown = sorted(set(scales) - {"a", "b", "d"})
        if unknown:
            raise TypeError(f"quantization_scales has keys {unknown}; accepted: 'a', 'b', 'd'")
        if "d" in scales and not p.fp8_result:
            raise ValueError(f"quantization_scales['d'] applies to an FP8 result; the result is {p.result_dtype}")
        return {k: self._check_scale(k, v) for k, v in scales.items()}

    def _check_complete_after_release(self, new, inputs, scales):
        needed = [n for n in ("a", "b", "c") if self._operands.get(n) is not None and n not in new]
        if self._epilog_inputs and inputs is None:
            needed.append("epilog_inputs")
        arrays = [k for k, v in (self._scales or {}).items() if not isinstance(v, float)]
        if arrays and not (scales and set(arrays) <= set(scales)):
            needed.append(f"quantization_scales {arrays}")
        if needed:
            raise ValueError(
                "reset_operands after release_operands() must give every operand again; missing: " + ", ".join(needed)
            )

    def _apply_reset(self, new, alpha, beta, inputs, aux_scale, scales, stream):
        if self._backend is not None:
            self._backend.reset(new, alpha, beta, inputs, stream, scales=scales, aux_scale=aux_scale)
        self._operands.update(new)
        if alpha is not None:
            self._problem.alpha = alpha
        if beta is not None:
            self._problem.beta = beta
        if inputs is not None:
            self._epilog_inputs = inputs
        if aux_scale is not None:
            self._aux["scale"] = aux_scale
        if scales:
            self._scales.update(scales)
        if self._released and (new or inputs is not None or scales):
            self._released = False
            self.logger.info("Matmul: operands given again after release_operands()")

    def reset_operands_unchecked(
        self,
        *,
        a=None,
        b=None,
        c=None,
        alpha=None,
        beta=None,
        quantization_scales=None,
        epilog_inputs=None,
        stream=None,
    ):
        """:meth:`reset_operands` with fewer checks, for loops where its overhead counts.

        Skipped: the scalar and scale type checks, the epilog input shape checks, and the
        cross-checks between arguments (``beta`` without ``c``...); wrong values then fail in
        NumPy, cuBLASLt or the result. Kept, because skipping them could give a wrong answer
        or touch memory that is not the operand's: each operand's package, device, dtype,
        shape and strides are compared with the planned ones (one comparison per operand).
        After :meth:`release_operands` the first reset takes the checked path.
        """
        if self._released:
            return self.reset_operands(
                a,
                b,
                c,
                alpha=alpha,
                beta=beta,
                quantization_scales=quantization_scales,
                epilog_inputs=epilog_inputs,
                stream=stream,
            )
        self._check_alive()
        new = {}
        for name, value in (("a", a), ("b", b), ("c", c)):
            if value is None:
                continue
            h = wrap_operand(value, name)
            old = self._operands.get(name)
            if old is None:
                raise ValueError(f"reset_operands_unchecked: this Matmul has no {name}; create a new one with {name}")
            if h.layout_key() != old.layout_key():
                # The layout check stays: another layout would read the wrong elements.
                check_same_operand(h, old, what=f"reset_operands_unchecked: the new {name}", owner="Matmul")
            new[name] = h
        inputs = None
        if epilog_inputs is not None:
            inputs = dict(self._epilog_inputs)
            for name, value in epilog_inputs.items():
                if name == "aux_quantization_scale":
                    continue
                h = wrap_operand(value, f"epilog_inputs['{name}']")
                old = self._epilog_inputs.get(name)
                if old is None:
                    raise ValueError(f"reset_operands_unchecked: the planned epilog takes no input {name!r}")
                if h.layout_key() != old.layout_key():
                    check_same_operand(h, old, what=f"epilog_inputs['{name}']", owner="Matmul")
                inputs[name] = h
        aux_scale = None
        if epilog_inputs is not None and epilog_inputs.get("aux_quantization_scale") is not None:
            aux_scale = self._check_scale("aux_quantization_scale", epilog_inputs["aux_quantization_scale"])
        scales = _scales_dict(quantization_scales)
        if scales is not None:
            scales = {k: self._check_scale(k, v) for k, v in scales.items()}
        self._apply_reset(new, alpha, beta, inputs, aux_scale, scales, stream)

    def release_operands(self):
        """Drop every reference this object holds to the user's arrays (operands, epilog
        inputs, array scales; device copies of host operands too), so that their memory can be
        freed while the plan is kept. :meth:`reset_operands` must then give them again before
        the next :meth:`execute` or :meth:`autotune`."""
        self._check_alive()
        holders = [h for h in self._operands.values() if h is not None]
        holders += list(self._epilog_inputs.values())
        holders += [v for v in (self._scales or {}).values() if not isinstance(v, float)]
        if self._aux.get("scale") is not None and not isinstance(self._aux["scale"], float):
            holders.append(self._aux["scale"])
        for h in holders:
            h.tensor = None
        if self._backend is not None:
            self._backend.release_operands()
        self._released = True
        self.logger.info("Matmul: the user's operands were released")

    def _check_operands(self, what):
        if self._released:
            raise RuntimeError(f"{what} after release_operands(): give the operands again with reset_operands() first")

    def _release(self):
        # The plan, its workspace and the cuBLASLt handle (Stateful.free calls this once).
        try:
            if self._backend is not None:
                self._backend.free()
        finally:
            self._operands = {}

    def _check_planned(self):
        self._check_alive()
        if not self._planned:
            raise RuntimeError("execute()/autotune() was called before plan(): call plan() first")

    # -- CPU ---------------------------------------------------------------------------------------
    def _execute_cpu(self):
        from ._cpu import matmul_cpu, quantize, scale_value

        p = self._problem
        ops = self._operands
        scales = self._scale_values(self._scales) if self._scales is not None else None
        d, aux = matmul_cpu(p, ops["a"], ops["b"], ops["c"], self._epilog, self._epilog_inputs, scales)
        if scales is not None:
            if self.options.result_amax:
                # Before the d scale, as cuBLASLt's AMAX_D: what the next scale is computed from.
                aux["result_amax"] = np.abs(d).max() if d.size else np.float32(0)
            if p.fp8_result:
                d = quantize(d, scales["d"], p.result_dtype)
        aux_dtype = self._aux["dtype"]
        if "gelu_aux" in aux and aux_dtype in ("float8_e4m3fn", "float8_e5m2"):
            if self._aux["amax"]:
                aux["gelu_aux_amax"] = np.abs(aux["gelu_aux"]).max() if aux["gelu_aux"].size else np.float32(0)
            aux["gelu_aux"] = quantize(aux["gelu_aux"], scale_value(self._aux["scale"]), aux_dtype)
        package = ops["a"].package
        result = _to_package(d, p.result_dtype, package)
        kinds = {"relu_aux": "uint8", "result_amax": "float32", "gelu_aux_amax": "float32", "gelu_aux": aux_dtype}
        aux = {k: _to_package(v, kinds.get(k, p.result_dtype), package) for k, v in aux.items()}
        if p.inplace:
            c = ops["c"]
            if package == "torch":
                c.tensor.copy_(result)
            else:
                np.copyto(c.tensor, result)
            result = c.tensor
        return (result, aux) if aux else result


def _to_package(array, dtype, package):
    if package == "torch":
        import torch

        from nvmath._internal.tensor import _torch_dtype

        host = np.asarray(array, dtype=np.float32 if dtype in ("bfloat16",) or dtype.startswith("float8") else dtype)
        host = np.ascontiguousarray(host) if host.ndim else host.copy()  # 0-d stays 0-d (amax)
        return torch.from_numpy(host).to(_torch_dtype(dtype))
    from nvmath._internal.tensor import _numpy_dtype

    return np.asarray(array).astype(_numpy_dtype(dtype), copy=False)  # bf16, FP8: ml_dtypes


def _scales_dict(scales):
    """``quantization_scales`` as a dict of the given (not None) scales, or None."""
    if scales is None:
        return None
    if isinstance(scales, MatmulQuantizationScales):
        scales = dataclasses.asdict(scales)
    if not isinstance(scales, dict) or not all(isinstance(k, str) for k in scales):
        raise TypeError(
            f"quantization_scales must be a dict with keys among 'a', 'b', 'd' or a MatmulQuantizationScales; "
            f"got {scales!r}"
        )
    return {k: v for k, v in scales.items() if v is not None}


def _aux_preferences(aux):
    """The epilog preferences that gave ``aux`` (for re-checking epilog inputs)."""
    from ._options import MatmulEpilogPreferences

    fp8 = aux["dtype"] in ("float8_e4m3fn", "float8_e5m2")
    return MatmulEpilogPreferences(aux_type=aux["dtype"] if fp8 else None, aux_amax=aux["amax"])


def _as_algorithms(algorithms):
    """``plan(algorithms=...)``: Algorithm objects (or cuBLASLt heuristic results), as Algorithms."""
    from nvmath.bindings import cublasLt as lt

    from ._algorithm import Algorithm

    try:
        items = list(algorithms)
    except TypeError:
        items = None
    if not items or not all(isinstance(x, (Algorithm, lt.MatmulHeuristicResult)) for x in items):
        raise TypeError(
            f"algorithms={algorithms!r} is not supported; accepted: a non-empty sequence of the Algorithm "
            "objects Matmul.algorithms returned (for the same problem)"
        )
    return [x if isinstance(x, Algorithm) else Algorithm(x) for x in items]


def matmul(
    a,
    b,
    /,
    c=None,
    *,
    alpha=None,
    beta=None,
    epilog=None,
    epilog_inputs=None,
    qualifiers=None,
    options=None,
    preferences=None,
    algorithm=None,
    execution=None,
    quantization_scales=None,
    stream=None,
):
    """``D = epilog(alpha * op(a) @ op(b) + beta * c)`` in one call: cuBLASLt on the GPU, NumPy on
    the CPU.

    Parameters
    ----------
    a, b : numpy.ndarray, cupy.ndarray or torch.Tensor
        Vectors, matrices or batches of matrices, of one package and on one device; NumPy's
        matmul conventions (batch dimensions broadcast). Row- and column-major layouts are used
        as they are, without copies. fp16, bf16, fp32, fp64, complex64, complex128, or FP8
        (``float8_e4m3fn``, ``float8_e5m2``) on GPUs that have it.
    c : array, optional
        Added with weight ``beta``; of the result's dtype, shaped like the result (or one
        matrix for a batch).
    alpha, beta : number, optional
        Default 1 (``beta`` only with ``c``); real for real operands.
    epilog : MatmulEpilog or its name, optional
        Applied to the result in the same kernel: ``RELU``, ``GELU``, ``BIAS``, ``RELU_BIAS``,
        ``GELU_BIAS``, their ``_AUX`` forms, and the gradients ``DRELU``, ``DGELU``,
        ``DRELU_BGRAD``, ``DGELU_BGRAD``, ``BGRADA``, ``BGRADB``.
    epilog_inputs : dict, optional
        What the epilog reads: ``{"bias": ...}``, ``{"relu_aux": ...}`` or ``{"gelu_aux": ...}``,
        on the operands' device.
    qualifiers : numpy.ndarray of matrix_qualifiers_dtype, optional
        Three records (a, b, c); ``is_conjugate`` conjugates a complex ``a`` or ``b``.
    options : MatmulOptions or dict, optional
        ``inplace`` (write the result into ``c`` and return ``c``), ``compute_type``,
        ``scale_type``, ``result_type`` (default: ``c``'s type, else the operands'; FP8
        operands give an FP8 result), ``result_amax``, ``block_scaling``, ``sm_count_target``,
        ``fast_accumulation``, ``device_id``, ``handle``, ``logger``, ``memory_limit``,
        ``blocking``, ``allocator`` (see :class:`MatmulOptions`).
    preferences : MatmulPlanPreferences or dict, optional
        Limits on the algorithms the plan considers (it asks cuBLASLt for one: the call runs
        one, so ``limit`` is 1 whatever is given).
    algorithm : Algorithm, optional
        The algorithm to run, from an earlier plan of the same problem (``Matmul.algorithms``),
        instead of cuBLASLt's heuristic.
    execution : "cuda", "cpu", ExecutionCUDA, ExecutionCPU or dict, optional
        Where the product is computed; default the GPU (host operands copied to
        ``options.device_id`` and back), or the CPU for host operands where no GPU (or no
        CuPy or CUDA PyTorch) is found.
    quantization_scales : dict or MatmulQuantizationScales, optional
        FP8 only: ``{"a": .., "b": .., "d": ..}`` per-tensor scales (numbers or one-element
        float32 arrays on the operands' device); ``d`` is required for an FP8 result.
    stream : optional
        A CuPy or PyTorch stream, an object with ``__cuda_stream__``, or a raw handle; default
        the operands' package's current stream.

    Returns
    -------
    array, or (array, dict)
        The result, of the operands' package and device; with an epilog that has auxiliary
        outputs (``*_AUX``, ``*_BGRAD``, ``BGRAD*``), also a dict of them (``"relu_aux"``,
        ``"gelu_aux"``, ``"drelu_bgrad"``...) and, with ``result_amax``, ``"result_amax"``.

    Raises
    ------
    TypeError
        Operands of different dtypes where the library needs one, scalars of the wrong kind.
    ValueError
        Shapes that do not multiply, operands in different places, options, epilogs or scales
        that do not fit the operands.

    Notes
    -----
    The plan is made for this call and released after it; :class:`Matmul` plans (and
    autotunes) once for many executions.
    """
    with Matmul(
        a,
        b,
        c,
        alpha=alpha,
        beta=beta,
        qualifiers=qualifiers,
        options=options,
        execution=execution,
        quantization_scales=quantization_scales,
        stream=stream,
    ) as mm:
        # One algorithm is all a single call runs: the heuristic is asked for no more (a copy of
        # the caller's preferences is changed, never theirs).
        preferences = copy.copy(check_options(preferences, MatmulPlanPreferences, "preferences"))
        preferences.limit = 1
        algorithms = None if algorithm is None else [algorithm]
        mm.plan(
            preferences=preferences, algorithms=algorithms, epilog=epilog, epilog_inputs=epilog_inputs, stream=stream
        )
        return mm.execute(stream=stream)
