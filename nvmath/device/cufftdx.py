"""cuFFTDx FFTs for ``numba.cuda.jit`` kernels (nvmath-python's ``nvmath.device.cufftdx``).

>>> fft = FFT(size=128, precision=np.float32, fft_type="c2c", execution="Block",        # doctest: +SKIP
...           direction="forward", elements_per_thread=8, ffts_per_block=2)
>>> @cuda.jit                                                                           # doctest: +SKIP
... def kernel(data):
...     thread_data = cuda.local.array(shape=(fft.storage_size,), dtype=fft.value_type)
...     shared_mem = cuda.shared.array(shape=(0,), dtype=fft.value_type)  # fft.shared_memory_size
...     ...                                   # load fft.elements_per_thread values, fft.stride apart
...     fft.execute(thread_data, shared_mem)

The FFT object is the face: it checks and names the arguments and holds the traits. The code
comes from :mod:`nvmath.device._cufftdx_engine` (libmathdx, cached); kernels see the object
through :mod:`nvmath.device._cufftdx_numba`. Importing this module imports neither Numba nor
libmathdx; creating an FFT registers its Numba typing.
"""

from __future__ import annotations

__all__ = ["fft", "FFT", "compile_fft_execute"]

import functools
import logging
import operator
import warnings

import numpy as np

from nvmath._internal.options import check_choice
from nvmath.jit.arch import Target, check_target, resolve_target

from . import _cufftdx_engine as _engine
from . import _mathdx_code
from ._precision import mathdx_precision, normalize_precision
from .common_cuda import Code, CodeType, ComputeCapability, Dim3, ISAVersion
from .types import complex32, complex64, complex128, half2, half4

logger = logging.getLogger("nvmath.device")

_FFT_TYPES = ("c2c", "r2c", "c2r")
_EXECUTIONS = ("Block", "Thread")
_DIRECTIONS = ("forward", "inverse")
_COMPLEX_LAYOUTS = ("natural", "packed", "full")
_REAL_MODES = ("normal", "folded")
_EXECUTE_APIS = {"register_memory": "lmem", "shared_memory": "smem"}

# libmathdx value type -> (host-side type, bytes per element)
_VALUE_TYPES = {
    "R_16F": (np.float16, 2),
    "R_16F2": (half2, 4),
    "C_16F": (complex32, 4),
    "C_16F2": (half4, 8),
    "R_32F": (np.float32, 4),
    "C_32F": (complex64, 8),
    "R_64F": (np.float64, 8),
    "C_64F": (complex128, 16),
}


def _positive_int(value, name):
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        value = operator.index(value)
    except TypeError:
        return None
    return value if value > 0 else None


def _knob(value, name):
    if value is None or (isinstance(value, str) and value == "suggested"):
        return value
    checked = _positive_int(value, name)
    if checked is None:
        raise ValueError(f"{name}={value!r} is not supported; accepted: None, 'suggested' or a positive int")
    return checked


def _real_fft_options(value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(
            f"real_fft_options={value!r} is not supported; accepted: None or a dict with keys "
            "'complex_layout' and 'real_mode'"
        )
    unknown = sorted(set(value) - {"complex_layout", "real_mode"})
    if unknown:
        raise ValueError(
            f"real_fft_options: unknown key(s) {', '.join(map(repr, unknown))}; accepted: 'complex_layout', 'real_mode'"
        )
    layout = check_choice(
        value.get("complex_layout", "natural"), _COMPLEX_LAYOUTS, "real_fft_options['complex_layout']"
    )
    mode = check_choice(value.get("real_mode", "normal"), _REAL_MODES, "real_fft_options['real_mode']")
    return (layout, mode)


def _target(sm) -> Target:
    """sm= as a Target; None: the current device's (NoTargetError without one)."""
    if isinstance(sm, ComputeCapability):
        try:
            return Target(int(sm.major), int(sm.minor), sm.arch)
        except (TypeError, ValueError) as e:
            raise ValueError(f"sm={sm!r} is not a compute capability: {e}") from None
    # The toolchain check loads libNVVM and nvJitLink: only when code is generated (cache miss).
    return resolve_target(sm, keyword="sm", check=False)


class _HostOrClass:
    """``FFT.valid``: on the class, the older static form; on an object, the knob listing."""

    def __init__(self, on_class, on_object):
        self._on_class, self._on_object = on_class, on_object
        self.__doc__ = on_object.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self._on_class
        return functools.partial(self._on_object, obj)


def _numba_support():
    """Register the Numba typing of FFT objects (once; Numba is imported here, not at import)."""
    try:
        from . import _cufftdx_numba  # noqa: F401
    except ImportError as e:  # no Numba: FFTs can still be described and their code generated
        logger.debug("numba-cuda is not importable; FFT objects cannot be used in kernels: %s", e)


class FFT:
    """A cuFFTDx FFT for ``numba.cuda.jit`` kernels: its description, traits and device function.

    Parameters
    ----------
    size : int
        The length of the FFT (at least 2).
    precision : numpy type or str
        ``np.float16``, ``np.float32`` or ``np.float64`` (also ``"half"``, ``"single"``,
        ``"double"``).
    fft_type : {"c2c", "r2c", "c2r"}
    execution : {"Block", "Thread"}
        ``"Block"``: the threads of a block compute ``ffts_per_block`` FFTs together (through
        shared memory); ``"Thread"``: each thread computes one FFT in its registers.
    sm : ComputeCapability, tuple, str or int, optional
        The target GPU (``ComputeCapability(9, 0)``, ``(9, 0)``, ``"sm_90"``, ``90``); default the
        current device's.
    direction : {"forward", "inverse"}, optional
        Default ``"inverse"`` for c2r, ``"forward"`` otherwise.
    ffts_per_block : int or "suggested", optional
        Block execution only; default cuFFTDx's (1).
    elements_per_thread : int or "suggested", optional
        Block execution only; default cuFFTDx's.
    real_fft_options : dict, optional
        For r2c and c2r: ``{"complex_layout": "natural" | "packed" | "full",
        "real_mode": "normal" | "folded"}`` (defaults ``"natural"``, ``"normal"``).

    Attributes
    ----------
    value_type, input_type, output_type
        The types of thread data and of the FFT's input and output: :data:`~nvmath.device.types.complex64`,
        :data:`~nvmath.device.types.complex128`, :data:`~nvmath.device.types.half4` (two half
        FFTs at once), ``np.float32``...; usable as ``dtype=`` inside kernels.
    storage_size : int
        Elements of thread data each thread needs.
    stride : int
        Distance between the FFT indices of a thread's consecutive elements.
    elements_per_thread, ffts_per_block : int
    shared_memory_size : int
        Bytes of dynamic shared memory a block needs (Block execution; None for Thread).
    block_dim : Dim3
        The block shape to launch with (Block execution; None for Thread).
    implicit_type_batching : int
        FFTs per value (2 in half precision: one ``half4`` holds two FFTs' values).
    workspace_size : int
        Always 0.

    Notes
    -----
    Inside kernels:

    - ``fft.execute(thread_data, shared_memory)`` (Block) or ``fft.execute(thread_data)``
      (Thread): thread data in registers (a ``cuda.local.array`` of ``storage_size`` values
      of ``value_type``);
    - ``fft.execute(shared_memory)`` (Block): all data in shared memory, ``ffts_per_block``
      FFTs of ``size`` values one after another;
    - ``fft(...)`` is the same as ``fft.execute(...)``; every trait is a compile-time constant.

    Examples
    --------
    >>> FFT(512, "single", "c2c", "Block", sm=(9, 0)).storage_size  # doctest: +SKIP
    16
    """

    def __init__(
        self,
        size,
        precision,
        fft_type,
        execution,
        *,
        sm=None,
        direction=None,
        ffts_per_block=None,
        elements_per_thread=None,
        real_fft_options=None,
    ):
        checked_size = _positive_int(size, "size")
        if checked_size is None or checked_size < 2:
            raise ValueError(f"size={size!r} is not supported; accepted: an int of at least 2")
        precision = normalize_precision(precision)
        fft_type = check_choice(fft_type, _FFT_TYPES, "fft_type")
        execution = check_choice(execution, _EXECUTIONS, "execution")
        if direction is None:
            direction = "inverse" if fft_type == "c2r" else "forward"
        direction = check_choice(direction, _DIRECTIONS, "direction")
        fpb = _knob(ffts_per_block, "ffts_per_block")
        ept = _knob(elements_per_thread, "elements_per_thread")
        if execution == "Thread":
            for name, value in (("ffts_per_block", fpb), ("elements_per_thread", ept)):
                if value is not None:
                    raise _mathdx_code.UnsupportedByLibMathDx(
                        f"{name}={value!r} applies to Block execution only; leave it None for Thread"
                    )
        real_options = _real_fft_options(real_fft_options)
        if fft_type == "c2c" and real_options is not None and real_options[1] == "folded":
            raise ValueError(
                f"real_fft_options={real_fft_options!r}: real_mode='folded' applies to r2c and c2r FFTs; "
                "this one is c2c"
            )
        if fft_type != "c2c" and real_options is not None and real_options[0] == "packed" and checked_size % 2:
            raise ValueError(
                f"real_fft_options['complex_layout']='packed' needs an even size; size={checked_size} is odd "
                "(accepted there: 'natural' or 'full')"
            )
        target = _target(sm)

        self._size, self._precision, self._fft_type, self._execution = checked_size, precision, fft_type, execution
        self._direction, self._target, self._sm_spec = direction, target, sm
        self._real_fft_options = None if real_fft_options is None else dict(real_fft_options)
        self._knobs = (fpb, ept)  # as given: valid() lists values under these constraints
        base = _engine.FFTSpec(
            checked_size,
            mathdx_precision(precision),
            fft_type,
            direction,
            execution,
            target,
            None if fpb == "suggested" else fpb,
            None if ept == "suggested" else ept,
            real_options,
        )
        if "suggested" in (fpb, ept):
            self._check_target()
            if ept == "suggested":
                base = _engine.FFTSpec(**{**base.__dict__, "elements_per_thread": None})
                ept = _engine.suggested(base, "elements_per_thread")
                base = _engine.FFTSpec(**{**base.__dict__, "elements_per_thread": ept})
            if fpb == "suggested":
                fpb = _engine.suggested(base, "ffts_per_block")
                base = _engine.FFTSpec(**{**base.__dict__, "ffts_per_block": fpb})
        self._spec = base
        self._traits, self._ltoir = _engine.generate(base, "lmem", on_miss=self._check_target)
        self._externs: dict = {}
        _numba_support()
        logger.info(
            "cuFFTDx %s: block_dim %s, %d per thread, %s per block, %s bytes of shared memory",
            base.describe(),
            self.block_dim,
            self.elements_per_thread,
            self.ffts_per_block,
            self.shared_memory_size,
        )

    def _check_target(self):
        check_target(self._target, keyword="sm", spec=self._sm_spec)

    # ------------------------------------------------------------------ description
    @property
    def size(self) -> int:
        """The length of the FFT."""
        return self._size

    @property
    def precision(self):
        """The precision, as a NumPy type (``np.float32``...), whichever spelling was given."""
        return self._precision

    @property
    def fft_type(self) -> str:
        """``"c2c"``, ``"r2c"`` or ``"c2r"``."""
        return self._fft_type

    @property
    def direction(self) -> str:
        """``"forward"`` or ``"inverse"``."""
        return self._direction

    @property
    def execution(self) -> str:
        """``"Block"`` or ``"Thread"``."""
        return self._execution

    @property
    def sm(self) -> ComputeCapability:
        """The target the code is generated for, as nvmath-python gives it (``.major``, ``.minor``,
        ``.arch``: ``""`` or ``"a"``; ``str()`` gives ``"9.0"``)."""
        t = self._target
        return ComputeCapability(t.major, t.minor, t.suffix)

    @property
    def real_fft_options(self):
        """The real FFT options as given (a dict), or None."""
        return None if self._real_fft_options is None else dict(self._real_fft_options)

    # ------------------------------------------------------------------ traits
    @property
    def elements_per_thread(self) -> int:
        """Values of one FFT each thread holds."""
        return self._traits["elements_per_thread"]

    @property
    def ffts_per_block(self):
        """FFTs one block computes (Block execution; None for Thread)."""
        return self._traits["ffts_per_block"]

    @property
    def value_type(self):
        """The type of thread data (:data:`~nvmath.device.types.complex64`...).

        In kernels, complex values are its vector type (``float32x2`` for complex64), aligned to
        its size: ``data.view(fft.value_type)[i]`` reads or writes element ``i`` of a global
        complex array as one 8-byte (16 for complex128) access, where ``data[i]`` takes two. The
        array's start must be aligned to that size, as every CuPy, PyTorch or Numba allocation is.
        """
        return _VALUE_TYPES[self._traits["value_type"]][0]

    @property
    def input_type(self):
        """The type of the FFT's input values."""
        return _VALUE_TYPES[self._traits["input_type"]][0]

    @property
    def output_type(self):
        """The type of the FFT's output values."""
        return _VALUE_TYPES[self._traits["output_type"]][0]

    @property
    def storage_size(self) -> int:
        """Elements of thread data (of :attr:`value_type`) each thread needs."""
        return self._traits["storage_size"]

    @property
    def stride(self) -> int:
        """Distance between the FFT indices of a thread's consecutive elements."""
        return self._traits["stride"]

    @property
    def shared_memory_size(self):
        """Bytes of dynamic shared memory a block needs (Block execution; None for Thread)."""
        return self._traits["shared_memory_size"]

    @property
    def block_dim(self):
        """The block shape to launch with, a :class:`~nvmath.device.Dim3` (Block; None for Thread)."""
        dims = self._traits["block_dim"]
        return None if dims is None else Dim3(*dims)

    @property
    def implicit_type_batching(self) -> int:
        """FFTs computed per value (2 in half precision, else 1)."""
        return self._traits["implicit_type_batching"]

    @property
    def workspace_size(self) -> int:
        """Bytes of global workspace: always 0."""
        return self._traits["workspace_size"]

    @property
    def requires_workspace(self) -> bool:
        """Always False (deprecated: workspaces are never needed)."""
        warnings.warn(
            "FFT.requires_workspace is deprecated: no FFT needs a workspace", DeprecationWarning, stacklevel=2
        )
        return False

    @property
    def extensions(self):
        """Not supported (raises :class:`NotImplementedError`)."""
        raise NotImplementedError("FFT.extensions is not supported")

    @property
    def files(self) -> list:
        """Always empty (deprecated: the code is linked automatically)."""
        warnings.warn("FFT.files is deprecated: the code is linked automatically", DeprecationWarning, stacklevel=2)
        return []

    @property
    def symbol(self) -> str:
        """The symbol of the device function (thread data in registers)."""
        return self._traits["symbol"]

    @property
    def ltoir(self) -> bytes:
        """The LTO-IR of the device function (thread data in registers), linked automatically."""
        return self._ltoir

    # ------------------------------------------------------------------ knobs
    @staticmethod
    def _valid_static(size, precision, fft_type, execution, *, sm=None, direction=None, knob="elements_per_thread"):
        """The legal values of one knob (``"elements_per_thread"`` or ``"ffts_per_block"``) for an
        FFT, as a sorted tuple of ints (this project's older form; ``FFT(...).valid(...)`` is
        nvmath-python's)."""
        knob = check_choice(knob, ("elements_per_thread", "ffts_per_block"), "knob")
        precision = normalize_precision(precision)
        fft_type = check_choice(fft_type, _FFT_TYPES, "fft_type")
        execution = check_choice(execution, _EXECUTIONS, "execution")
        direction = check_choice(direction or ("inverse" if fft_type == "c2r" else "forward"), _DIRECTIONS, "direction")
        checked_size = _positive_int(size, "size")
        if checked_size is None or checked_size < 2:
            raise ValueError(f"size={size!r} is not supported; accepted: an int of at least 2")
        target = _target(sm)
        check_target(target, keyword="sm", spec=sm)
        spec = _engine.FFTSpec(checked_size, mathdx_precision(precision), fft_type, direction, execution, target)
        return tuple(sorted({combo[0] for combo in _engine.knob_values(spec, (knob,))}))

    def _valid_object(self, *knobs):
        """The legal combinations of ``knobs`` for this FFT (the knobs given at construction
        constrain them).

        Parameters
        ----------
        *knobs : {"elements_per_thread", "ffts_per_block"}

        Returns
        -------
        list of tuple
            One tuple per combination, one value per knob, in the order given.
        """
        for knob in knobs:
            check_choice(knob, ("elements_per_thread", "ffts_per_block"), "knob")
        if not knobs:
            raise ValueError("valid() needs at least one knob: 'elements_per_thread', 'ffts_per_block'")
        fpb, ept = self._knobs
        # A knob given as "suggested" constrains the listing with the value it resolved to, as
        # nvmath-python's does; one not given leaves it free.
        spec = _engine.FFTSpec(
            **{
                **self._spec.__dict__,
                "ffts_per_block": self.ffts_per_block if fpb == "suggested" else fpb,
                "elements_per_thread": self.elements_per_thread if ept == "suggested" else ept,
            }
        )
        self._check_target()
        return list(_engine.knob_values(spec, tuple(knobs)))

    valid = _HostOrClass(_valid_static, _valid_object)

    # ------------------------------------------------------------------ deprecated helpers
    def definition(self) -> dict:
        """The arguments that describe this FFT, as a dict (deprecated)."""
        warnings.warn("FFT.definition() is deprecated", DeprecationWarning, stacklevel=2)
        return {
            "size": self.size,
            "precision": self.precision,
            "fft_type": self.fft_type,
            "sm": self._sm_spec if self._sm_spec is not None else self._target,
            "execution": self.execution,
            "direction": self.direction,
            "ffts_per_block": self.ffts_per_block,
            "elements_per_thread": self.elements_per_thread,
            "real_fft_options": self.real_fft_options,
        }

    def create(self, **kwargs) -> FFT:
        """A new FFT with some arguments changed (deprecated: use ``functools.partial``)."""
        warnings.warn("FFT.create() is deprecated; use functools.partial(FFT, ...)", DeprecationWarning, stacklevel=2)
        for ignored in ("code_type", "compiler"):
            kwargs.pop(ignored, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            arguments = self.definition()
        if self.execution == "Thread":
            arguments.pop("ffts_per_block"), arguments.pop("elements_per_thread")
        arguments.update(kwargs)
        return FFT(**arguments)

    # ------------------------------------------------------------------ device function
    def execute(self, *args):
        """Compute the FFT, inside a kernel only: ``execute(thread_data, shared_memory)``,
        ``execute(thread_data)`` (Thread) or ``execute(shared_memory)`` (Block, data in shared
        memory). On the host it raises :class:`RuntimeError`."""
        raise RuntimeError("FFT.execute is a device function: call it inside a numba.cuda.jit kernel")

    def __call__(self, *args):
        raise RuntimeError("an FFT is called inside numba.cuda.jit kernels only (as fft.execute(...))")

    def _code(self, api: str) -> tuple[dict, bytes]:
        """Traits and LTO-IR for execution API ``"lmem"`` or ``"smem"``."""
        if api == "lmem":
            return self._traits, self._ltoir
        return _engine.generate(self._spec, api, on_miss=self._check_target)

    def _extern(self, api: str):
        """The :class:`~nvmath.device.ExternFunction` of execution API ``api`` (made once)."""
        fn = self._externs.get(api)
        if fn is None:
            from ._extern import extern_function

            traits, ltoir = self._code(api)
            element = _VALUE_TYPES[traits["value_type"]][1]
            if api == "smem":
                # execute(shared_memory): the block's data in shared memory, in place.
                signature, need = ("void", ["void*"]), {}
            elif self._execution == "Thread":
                signature = ("void", ["void*"])
                need = {0: (traits["storage_size"] * element, "thread_data")}
            else:
                signature = ("void", ["void*", "void*"])
                need = {0: (traits["storage_size"] * element, "thread_data")}
                # numba-cuda sizes a dynamic shared array as the launch's bytes // itemsize:
                # an array of value_type launched with exactly shared_memory_size must pass.
                smem = traits["shared_memory_size"] // element * element
                if smem:
                    need[1] = (smem, "shared_memory")
            fn = extern_function(traits["symbol"], signature, ltoir, min_bytes=need, owner="FFT.execute")
            self._externs[api] = fn
        return fn

    def __nvmath_fingerprint__(self) -> str:
        # The kernel cache's key of a kernel using this FFT: what determines its code.
        return f"cufftdx:{self._spec.describe()}:libmathdx {_mathdx_code.libmathdx_version()}"

    def __repr__(self):
        return f"FFT({self._spec.describe()})"


def _register_device_object():
    # nvmath's kernel cache refuses kernels whose device objects target another GPU.
    from ._object import DeviceObject

    DeviceObject.register(FFT)


_register_device_object()


def compile_fft_execute(fft: FFT, code_type, execute_api: str | None = None) -> tuple[Code, str]:
    """The device function of ``fft`` as LTO-IR for ``code_type``, and its symbol.

    Parameters
    ----------
    fft : FFT
    code_type : CodeType or (kind, compute capability)
        ``CodeType("lto", ComputeCapability(9, 0))``; only ``"lto"`` is supported.
    execute_api : {"register_memory", "shared_memory"}, optional
        Block execution: thread data in registers (default) or all data in shared memory.
        Thread execution takes none.

    Returns
    -------
    (Code, str)
    """
    if not isinstance(fft, FFT):
        raise TypeError(f"fft={fft!r} is not supported; accepted: an nvmath.device.FFT")
    if not isinstance(code_type, tuple) or len(code_type) != 2:
        raise ValueError(f"code_type={code_type!r} is not supported; accepted: a CodeType or a (kind, cc) pair")
    kind, cc = code_type
    check_choice(kind, ("lto",), "code_type.kind")
    cc = cc if isinstance(cc, ComputeCapability) else ComputeCapability(*cc)
    code_type = CodeType(kind, cc)
    if fft.execution == "Thread":
        if execute_api is not None:
            raise ValueError(f"execute_api={execute_api!r} applies to Block execution only; leave it None")
        api = "lmem"
    else:
        api = _EXECUTE_APIS[check_choice(execute_api or "register_memory", tuple(_EXECUTE_APIS), "execute_api")]
    target = _target(cc)
    check_target(target, keyword="code_type.cc", spec=cc)
    spec = _engine.FFTSpec(**{**fft._spec.__dict__, "target": target})
    traits, ltoir = _engine.generate(spec, api)
    return Code(code_type, ISAVersion.from_integer(traits.get("isa", 0)), ltoir), traits["symbol"]


def fft(*, compiler=None, code_type=None, execute_api=None, **kwargs) -> FFT:
    """An :class:`FFT` from keyword arguments (deprecated: create :class:`FFT` directly).

    ``compiler``, ``code_type`` and ``execute_api`` are accepted and ignored (each with a
    ``DeprecationWarning``); the other keywords are :class:`FFT`'s.
    """
    warnings.warn(
        "nvmath.device.fft() is deprecated; create nvmath.device.FFT directly", DeprecationWarning, stacklevel=2
    )
    for name, value in (("compiler", compiler), ("code_type", code_type), ("execute_api", execute_api)):
        if value is not None:
            warnings.warn(f"fft(): {name}= is deprecated and has no effect", DeprecationWarning, stacklevel=2)
    return FFT(**kwargs)
