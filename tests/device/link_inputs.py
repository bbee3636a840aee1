"""What ``numba.cuda.compile_all(..., output="ltoir")`` returns, as ``nvmath.jit.link`` takes it."""

#: The array checks' record definitions, linked into every kernel whose checks report to it.
RECORD = "nvmath_array_check_record.ltoir"


def link_inputs(codes) -> list:
    """The kernel's LTO-IR and the code it links, as ``nvmath.jit.link`` takes them."""
    return [c if isinstance(c, (bytes, bytearray)) else ("ltoir", bytes(c.data)) for c in codes]


def code_count(codes) -> int:
    """How many of ``codes`` are the kernel and the libraries' code (the record not counted)."""
    return sum(getattr(c, "name", None) != RECORD for c in codes)
