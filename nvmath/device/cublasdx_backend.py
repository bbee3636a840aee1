"""nvmath-python's ``nvmath.device.cublasdx_backend`` names that its users import: the same
objects as :mod:`nvmath.device.cublasdx` (the libmathdx calls live in a private module)."""

from .cublasdx import MAX_ALIGNMENT, Alignment, Arrangement, LeadingDimension, Precision, TransposeMode

__all__ = ["MAX_ALIGNMENT", "Alignment", "Arrangement", "LeadingDimension", "Precision", "TransposeMode"]
