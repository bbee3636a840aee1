"""Matrix qualifiers: what structure an operand of the generic matmul has.

A qualifier is a record of :data:`matrix_qualifiers_dtype` (a NumPy structured dtype), made by one
of the ``*MatrixQualifier.create()`` class methods; ``matmul`` takes an array of two or three of
them (for ``a``, ``b`` and ``c``). The fields:

============= ====================================================================================
abbreviation  ``"ge"`` general, ``"dg"`` diagonal, ``"sy"`` symmetric, ``"he"`` Hermitian,
              ``"tr"`` triangular (the BLAS names)
conjugate     use the complex conjugate of the operand
uplo          the :class:`FillMode` triangle that holds a symmetric, Hermitian or triangular
              matrix (``LOWER`` or ``UPPER``); ``FULL`` for general and diagonal ones
diag          the :class:`DiagType` of a triangular matrix: ``NON_UNIT`` reads its diagonal, ``UNIT``
              takes ones there
incx          diagonal matrices: ``1`` reads the vector forwards, ``-1`` backwards; ``0`` otherwise
============= ====================================================================================
"""

from __future__ import annotations

import typing

import numpy as np

from nvmath._internal.options import check_bool, check_enum
from nvmath.bindings.cublas import DiagType, FillMode, SideMode

__all__ = [
    "matrix_qualifiers_dtype",
    "MatrixQualifier",
    "GeneralMatrixQualifier",
    "DiagonalMatrixQualifier",
    "SymmetricMatrixQualifier",
    "HermitianMatrixQualifier",
    "TriangularMatrixQualifier",
    "FillMode",
    "DiagType",
    "SideMode",
    "check_qualifiers",
    "describe",
]

#: The record type of a matrix qualifier (see the module's table of fields).
matrix_qualifiers_dtype = np.dtype(
    [
        ("abbreviation", "U2"),
        ("conjugate", np.bool_),
        ("uplo", np.int_),
        ("diag", np.int_),
        ("incx", np.int_),
    ]
)

#: A NumPy array of :data:`matrix_qualifiers_dtype` records (one per operand).
MatrixQualifier: typing.TypeAlias = np.ndarray


class _TwoStructuredOperands(NotImplementedError, ValueError):
    """Both a and b structured: a ValueError here, a NotImplementedError in nvmath-python."""


class _Qualifier:
    """Shared by the qualifier classes: they are namespaces, never instantiated."""

    abbreviation: typing.ClassVar[str] = ""

    def __init__(self):
        raise RuntimeError(
            f"{type(self).__name__} is not instantiated; call {type(self).__name__}.create() for a qualifier"
        )

    @classmethod
    def _record(cls, conjugate=False, uplo=FillMode.FULL, diag=DiagType.NON_UNIT, incx=0) -> np.ndarray:
        conjugate = check_bool(conjugate, "conjugate")
        return np.array((cls.abbreviation, conjugate, int(uplo), int(diag), int(incx)), dtype=matrix_qualifiers_dtype)

    @classmethod
    def is_valid(cls, other) -> bool:
        """Whether every record of ``other`` (an array of :data:`matrix_qualifiers_dtype`) is a
        well-formed qualifier of this class."""
        other = np.asarray(other)
        if other.dtype != matrix_qualifiers_dtype:
            return False
        return bool(np.all(other["abbreviation"] == cls.abbreviation)) and all(
            _problem(record) is None for record in np.atleast_1d(other)
        )

    @classmethod
    def to_string(cls, other) -> str:
        """A readable form of one qualifier record."""
        return describe(other)


class GeneralMatrixQualifier(_Qualifier):
    """Qualifiers of general (unstructured) matrices, the default of every operand.

    Examples
    --------
    >>> import numpy as np
    >>> from nvmath.linalg import GeneralMatrixQualifier, DiagonalMatrixQualifier, matrix_qualifiers_dtype
    >>> q = np.full(2, GeneralMatrixQualifier.create(), dtype=matrix_qualifiers_dtype)
    >>> q[1] = DiagonalMatrixQualifier.create()
    >>> [str(x) for x in q["abbreviation"]]
    ['ge', 'dg']
    """

    abbreviation: typing.ClassVar[str] = "ge"

    @classmethod
    def create(cls, conjugate: bool = False) -> np.ndarray:
        """A 0-d array of :data:`matrix_qualifiers_dtype`: a general matrix.

        Parameters
        ----------
        conjugate : bool
            Use the complex conjugate of the operand (no effect on real operands).
        """
        return cls._record(conjugate)


class DiagonalMatrixQualifier(_Qualifier):
    """Qualifiers of diagonal matrices, given as the 1-D vector of their diagonal."""

    abbreviation: typing.ClassVar[str] = "dg"

    @classmethod
    def create(cls, conjugate: bool = False, incx: int = 1) -> np.ndarray:
        """A 0-d array of :data:`matrix_qualifiers_dtype`: a diagonal matrix.

        Parameters
        ----------
        conjugate : bool
            Use the complex conjugate of the diagonal.
        incx : {1, -1}
            Read the vector forwards (``1``, the default) or backwards (``-1``: the first
            diagonal element is the vector's last).
        """
        if isinstance(incx, bool) or incx not in (1, -1):
            raise ValueError(f"incx={incx!r} is not supported; accepted: 1, -1")
        return cls._record(conjugate, incx=int(incx))


class _SquareQualifier(_Qualifier):
    @classmethod
    def _square(cls, conjugate, uplo, diag=DiagType.NON_UNIT):
        uplo = check_enum(uplo, FillMode, "uplo", members=(FillMode.LOWER, FillMode.UPPER))
        return cls._record(conjugate, uplo=uplo, diag=diag)


class SymmetricMatrixQualifier(_SquareQualifier):
    """Qualifiers of symmetric matrices (``A == A.T``), read from one triangle."""

    abbreviation: typing.ClassVar[str] = "sy"

    @classmethod
    def create(cls, conjugate: bool = False, uplo: FillMode = FillMode.LOWER) -> np.ndarray:
        """A 0-d array of :data:`matrix_qualifiers_dtype`: a symmetric matrix.

        Parameters
        ----------
        conjugate : bool
            Use the complex conjugate of the matrix.
        uplo : FillMode
            ``FillMode.LOWER`` (default) or ``FillMode.UPPER``: the triangle that is read; the
            other one is never touched.
        """
        return cls._square(conjugate, uplo)


class HermitianMatrixQualifier(_SquareQualifier):
    """Qualifiers of Hermitian matrices (``A == A.conj().T``), read from one triangle; the
    imaginary parts of the diagonal are taken as zero."""

    abbreviation: typing.ClassVar[str] = "he"

    @classmethod
    def create(cls, conjugate: bool = False, uplo: FillMode = FillMode.LOWER) -> np.ndarray:
        """A 0-d array of :data:`matrix_qualifiers_dtype`: a Hermitian matrix.

        Parameters
        ----------
        conjugate : bool
            Use the complex conjugate (which is the transpose) of the matrix.
        uplo : FillMode
            ``FillMode.LOWER`` (default) or ``FillMode.UPPER``: the triangle that is read.
        """
        return cls._square(conjugate, uplo)


class TriangularMatrixQualifier(_SquareQualifier):
    """Qualifiers of triangular matrices: the ``uplo`` triangle of the operand, zeros elsewhere."""

    abbreviation: typing.ClassVar[str] = "tr"

    @classmethod
    def create(
        cls, conjugate: bool = False, uplo: FillMode = FillMode.LOWER, diag: DiagType = DiagType.NON_UNIT
    ) -> np.ndarray:
        """A 0-d array of :data:`matrix_qualifiers_dtype`: a triangular matrix.

        Parameters
        ----------
        conjugate : bool
            Use the complex conjugate of the matrix.
        uplo : FillMode
            ``FillMode.LOWER`` (default) or ``FillMode.UPPER``.
        diag : DiagType
            ``DiagType.NON_UNIT`` (default) reads the diagonal; ``DiagType.UNIT`` takes ones
            there (the operand's diagonal is not read).
        """
        diag = check_enum(diag, DiagType, "diag")
        return cls._square(conjugate, uplo, diag)


_CLASSES = {
    c.abbreviation: c
    for c in (
        GeneralMatrixQualifier,
        DiagonalMatrixQualifier,
        SymmetricMatrixQualifier,
        HermitianMatrixQualifier,
        TriangularMatrixQualifier,
    )
}


def _name(enum_cls, value):
    try:
        return enum_cls(int(value)).name
    except ValueError:
        return str(int(value))


def describe(record) -> str:
    """``"tr(uplo=LOWER, diag=UNIT, conjugate=False)"``: one qualifier record, readable."""
    abbreviation = str(record["abbreviation"])
    parts = [f"conjugate={bool(record['conjugate'])}"]
    if abbreviation in ("sy", "he", "tr"):
        parts.insert(0, f"uplo={_name(FillMode, record['uplo'])}")
    if abbreviation == "tr":
        parts.insert(1, f"diag={_name(DiagType, record['diag'])}")
    if abbreviation == "dg":
        parts.insert(0, f"incx={int(record['incx'])}")
    return f"{abbreviation}({', '.join(parts)})"


def _problem(record) -> str | None:
    """What is wrong with one record, or None."""
    abbreviation = str(record["abbreviation"])
    if abbreviation not in _CLASSES:
        return f"abbreviation={abbreviation!r} is not supported; accepted: {', '.join(map(repr, _CLASSES))}"
    uplo, diag, incx = int(record["uplo"]), int(record["diag"]), int(record["incx"])
    if abbreviation in ("ge", "dg"):
        if uplo != FillMode.FULL:
            what = "general" if abbreviation == "ge" else "diagonal"
            return (
                f"uplo={_name(FillMode, uplo)} is not supported for a {what} matrix ('{abbreviation}'); "
                "accepted: FillMode.FULL (a fill mode applies to 'sy', 'he' and 'tr')"
            )
    elif uplo not in (FillMode.LOWER, FillMode.UPPER):
        return (
            f"uplo={_name(FillMode, uplo)} is not supported for '{abbreviation}'; "
            "accepted: FillMode.LOWER, FillMode.UPPER"
        )
    if abbreviation == "tr":
        if diag not in (DiagType.NON_UNIT, DiagType.UNIT):
            return f"diag={diag} is not supported; accepted: DiagType.NON_UNIT, DiagType.UNIT"
    elif diag != DiagType.NON_UNIT:
        return (
            f"diag={_name(DiagType, diag)} is not supported for '{abbreviation}'; accepted: DiagType.NON_UNIT "
            "(a unit diagonal applies to 'tr' only)"
        )
    if abbreviation == "dg":
        if incx not in (1, -1):
            return f"incx={incx} is not supported for a diagonal matrix; accepted: 1, -1"
    elif incx != 0:
        return f"incx={incx} is not supported for '{abbreviation}'; accepted: 0 (incx applies to 'dg' only)"
    return None


def check_qualifiers(qualifiers, num_operands: int) -> np.ndarray:
    """Three checked records (a, b, c) from the user's ``qualifiers`` (None: all general).

    Raises
    ------
    TypeError
        ``qualifiers`` is not an array of :data:`matrix_qualifiers_dtype`.
    ValueError
        Its length does not match the operands, or a record is malformed (named with its field
        and what is accepted).
    """
    result = np.empty(3, dtype=matrix_qualifiers_dtype)
    result[:] = GeneralMatrixQualifier.create()
    if qualifiers is None:
        return result
    if not isinstance(qualifiers, np.ndarray) or qualifiers.dtype != matrix_qualifiers_dtype:
        kind = getattr(qualifiers, "dtype", type(qualifiers).__name__)
        raise TypeError(
            f"qualifiers of {kind} is not supported; accepted: a numpy.ndarray of "
            "nvmath.linalg.matrix_qualifiers_dtype (for example np.full(2, GeneralMatrixQualifier.create(), "
            "dtype=matrix_qualifiers_dtype)), or None"
        )
    if qualifiers.ndim != 1 or len(qualifiers) not in ((2, 3) if num_operands == 2 else (3,)):
        accepted = "2 or 3 (a and b, and c)" if num_operands == 2 else "3 (a, b and c: c is given)"
        raise ValueError(f"qualifiers has shape {qualifiers.shape}; accepted: a 1-D array of {accepted} records")
    result[: len(qualifiers)] = qualifiers
    for name, record in zip("abc", result):
        problem = _problem(record)
        if problem is not None:
            raise ValueError(f"qualifiers[{'abc'.index(name)}] (operand {name}): {problem}")
    if str(result[2]["abbreviation"]) != "ge":
        raise ValueError(
            f"qualifiers[2] (operand c) is {describe(result[2])}; accepted: a general matrix "
            "(GeneralMatrixQualifier.create())"
        )
    if bool(result[2]["conjugate"]):
        raise ValueError("qualifiers[2] (operand c) has conjugate=True; accepted: conjugate=False for c")
    structured = [n for n, r in zip("ab", result[:2]) if str(r["abbreviation"]) != "ge"]
    if len(structured) > 1:
        raise _TwoStructuredOperands(
            f"qualifiers: a is {describe(result[0])} and b is {describe(result[1])}; accepted: at most one of a "
            "and b structured (diagonal, symmetric, Hermitian or triangular), the other general"
        )
    return result
