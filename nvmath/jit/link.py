"""Linking with nvJitLink: LTO-IR, PTX, cubin and fatbin inputs → a cubin or PTX."""

from __future__ import annotations

import logging

from .arch import resolve_target

__all__ = ["link", "LinkError", "detect_input_kind"]

logger = logging.getLogger("nvmath.jit")

_LTOIR_MAGIC = b"\xedCN\x7f"
_ELF_MAGIC = b"\x7fELF"
_FATBIN_MAGIC = b"\x50\xed\x55\xba"


class LinkError(RuntimeError):
    """nvJitLink failed; the message holds its error log."""


def detect_input_kind(data: bytes) -> str:
    """``"ltoir"``, ``"cubin"``, ``"fatbin"`` or ``"ptx"``, from the first bytes of ``data``."""
    head = bytes(data[:8])
    if head.startswith(_LTOIR_MAGIC):
        return "ltoir"
    if head.startswith(_ELF_MAGIC):
        return "cubin"
    if head.startswith(_FATBIN_MAGIC):
        return "fatbin"
    text = bytes(data[:4096]).lstrip()
    if text.startswith(b"//") or text.startswith(b".version"):
        return "ptx"
    raise ValueError(
        "cannot tell what kind of code this is (expected LTO-IR, PTX, cubin or fatbin); pass it as a (kind, data) pair"
    )


def _log(handle, getter_size, getter) -> str:
    size = getter_size(handle)
    if not size:
        return ""
    buf = bytearray(size)
    getter(handle, buf)
    return bytes(buf).rstrip(b"\x00").decode(errors="replace").strip()


def link(
    inputs,
    *,
    compute_capability=None,
    output: str = "cubin",
    lto: bool | None = None,
    optimization_level: int = 3,
    options=(),
) -> bytes:
    """Link device code with nvJitLink.

    Parameters
    ----------
    inputs : iterable
        Each item raw code (``bytes``, an :class:`~nvmath.jit.ltoir.LTOIR`; its kind is read
        from its first bytes) or a ``(kind, data)`` pair, kind one of ``"ltoir"``, ``"ptx"``,
        ``"cubin"``, ``"fatbin"``.
    compute_capability : optional
        The target; default the current device's (see :func:`nvmath.jit.resolve_target`).
    output : {"cubin", "ptx"}
        PTX output needs link-time optimization (all LTO-IR inputs).
    lto : bool, optional
        Link-time optimization; default on when any input is LTO-IR.
    optimization_level : int
        ``-O`` level of the link; ``0`` keeps callees as separate functions, which shows their
        real ABI in the PTX.
    options : iterable of str
        Further nvJitLink options.

    Returns
    -------
    bytes
        The cubin, or the PTX text encoded as bytes.

    Raises
    ------
    LinkError
        With nvJitLink's error log.
    """
    from cuda.bindings import nvjitlink

    if output not in ("cubin", "ptx"):
        raise ValueError(f"output={output!r} is not supported; use 'cubin' or 'ptx'")
    target = resolve_target(compute_capability)
    items = []
    for i, item in enumerate(inputs):
        if isinstance(item, tuple):
            kind, data = item
        else:
            kind, data = detect_input_kind(item), item
        kind_enum = {
            "ltoir": nvjitlink.InputType.LTOIR,
            "ptx": nvjitlink.InputType.PTX,
            "cubin": nvjitlink.InputType.CUBIN,
            "fatbin": nvjitlink.InputType.FATBIN,
        }.get(kind)
        if kind_enum is None:
            raise ValueError(f"inputs[{i}] has kind {kind!r}; accepted: 'ltoir', 'ptx', 'cubin', 'fatbin'")
        name = getattr(item, "symbol", None) or f"input{i}"
        items.append((kind, kind_enum, bytes(data), name))
    if not items:
        raise ValueError("inputs is empty: nothing to link")
    if lto is None:
        lto = any(kind == "ltoir" for kind, *_ in items)
    if output == "ptx" and not lto:
        raise ValueError("output='ptx' needs link-time optimization (lto=True and LTO-IR inputs)")

    opts = [f"-arch={target.sm}", f"-O{int(optimization_level)}"]
    if lto:
        opts.append("-lto")
    if output == "ptx":
        opts.append("-ptx")
    opts.extend(options)
    handle = nvjitlink.create(len(opts), opts)
    try:
        try:
            for _kind, kind_enum, data, name in items:
                nvjitlink.add_data(handle, kind_enum, data, len(data), name)
            nvjitlink.complete(handle)
        except nvjitlink.nvJitLinkError as e:
            log = _log(handle, nvjitlink.get_error_log_size, nvjitlink.get_error_log)
            raise LinkError(f"nvJitLink failed ({e}) with options {' '.join(opts)}:\n{log}") from None
        info = _log(handle, nvjitlink.get_info_log_size, nvjitlink.get_info_log)
        if info:
            logger.debug("nvJitLink: %s", info)
        if output == "ptx":
            return _log(handle, nvjitlink.get_linked_ptx_size, nvjitlink.get_linked_ptx).encode()
        size = nvjitlink.get_linked_cubin_size(handle)
        buf = bytearray(size)
        nvjitlink.get_linked_cubin(handle, buf)
        return bytes(buf)
    finally:
        nvjitlink.destroy(handle)
