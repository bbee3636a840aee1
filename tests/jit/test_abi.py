"""The compiled callbacks have cuFFT's C prototypes exactly: proven by linking them with C++."""

import re

import pytest

from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import compile_cpp, link
from tests.jit.callers import CUFFT_TYPES, caller_kernel, reference_callbacks

ARCH = "sm_90"
ELEMENTS = list(CUFFT_TYPES)


def _func_signature(ptx: str, name: str) -> str:
    """The PTX `.func` header of `name`, with the name itself and whitespace normalized."""
    m = re.search(r"\.func\s*(\([^)]*\))?\s*" + re.escape(name) + r"\s*\(([^)]*)\)", ptx)
    assert m, f"{name} is not a separate .func in the PTX"
    ret = (m.group(1) or "").replace("func_retval0", "R")
    params = m.group(2).replace(name, "P")
    return " ".join(f"{ret} ({params})".split())


def prolog(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[0]


def epilog(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0]


@pytest.fixture(scope="module")
def compiled():
    return {
        e: (
            compile_prolog(prolog, e, e, compute_capability=ARCH),
            compile_epilog(epilog, e, e, compute_capability=ARCH),
        )
        for e in ELEMENTS
    }


@pytest.mark.parametrize("element", ELEMENTS)
def test_signature_matches_cpp_at_O0(compiled, element):
    load, store = compiled[element]
    t = CUFFT_TYPES[element]
    caller = compile_cpp(caller_kernel(t, load.symbol, store.symbol), compute_capability=ARCH)
    ptx = link([load, store, caller], compute_capability=ARCH, output="ptx", optimization_level=0).decode()

    # The same prototypes implemented in C++: their PTX headers are the reference.
    ref = compile_cpp(
        reference_callbacks(t, "ref_load", "ref_store") + caller_kernel(t, "ref_load", "ref_store"),
        compute_capability=ARCH,
    )
    ref_ptx = link([ref], compute_capability=ARCH, output="ptx", optimization_level=0).decode()

    assert _func_signature(ptx, load.symbol) == _func_signature(ref_ptx, "ref_load")
    assert _func_signature(ptx, store.symbol) == _func_signature(ref_ptx, "ref_store")
    # A store callback returns nothing; a complex value is one aligned aggregate.
    assert "func_retval0" not in re.search(r"\.func\s*" + store.symbol, ptx).group(0)
    if t in ("float2", "double2"):
        align = 8 if t == "float2" else 16
        assert f".param .align {align} .b8 func_retval0[{align}]" in ptx
        assert re.search(rf"\.param \.align {align} \.b8 {store.symbol}_param_2\[{align}\]", ptx)


@pytest.mark.parametrize("element", ELEMENTS)
def test_callbacks_inline_into_the_caller_at_O3(compiled, element):
    # Matching IR types let LTO inline the callbacks; a mismatch leaves an indirect call.
    load, store = compiled[element]
    caller = compile_cpp(caller_kernel(CUFFT_TYPES[element], load.symbol, store.symbol), compute_capability=ARCH)
    ptx = link([load, store, caller], compute_capability=ARCH, output="ptx").decode()
    assert "call" not in ptx and "prototype" not in ptx


@pytest.mark.parametrize("element", ELEMENTS)
def test_callbacks_link_where_declared_in_cpp_as_cufft_does(compiled, element):
    # cuFFT's generated wrapper declares the callback without extern "C", so nvJitLink looks
    # for the C++ mangled name (_Z8store_cbPvy6float2S_S_...): the artifacts export it too.
    load, store = compiled[element]
    caller = compile_cpp(
        caller_kernel(CUFFT_TYPES[element], load.symbol, store.symbol, linkage="C++"), compute_capability=ARCH
    )
    ptx = link([load, store, caller], compute_capability=ARCH, output="ptx").decode()
    assert "call" not in ptx and "prototype" not in ptx  # found and inlined
    assert link([load, store, caller], compute_capability=ARCH)[:4] == b"\x7fELF"


def test_prolog_and_epilog_from_one_module_link_together(compiled):
    # Numba's helper functions must not clash when cuFFT links several callbacks.
    load, store = compiled["complex64"]
    load2 = compile_prolog(prolog, "complex64", "float32", compute_capability=ARCH)
    caller = compile_cpp(caller_kernel("float2", load.symbol, store.symbol), compute_capability=ARCH)
    cubin = link([load, store, load2, caller], compute_capability=ARCH)
    assert cubin[:4] == b"\x7fELF"


def test_artifact_metadata(compiled):
    load, store = compiled["complex64"]
    assert isinstance(load, bytes) and bytes(load)[:4] == b"\xedCN\x7f"
    assert load.kind == "prolog" and store.kind == "epilog"
    assert load.target == ARCH and load.element_type == "complex64" and load.user_info_type == "complex64"
    assert load.c_signature == "float2(void*, unsigned long long, void*, void*)"
    assert store.c_signature == "void(void*, unsigned long long, float2, void*, void*)"
    for name in ("numba-cuda", "libnvvm", "nvmath"):
        assert load.producers[name]
    assert load.symbol != store.symbol


def test_cxx_mangled_names_follow_the_itanium_abi():
    from nvmath.jit.cabi import CSignature

    store = CSignature.parse("void", ["void*", "unsigned long long", "float2", "void*", "void*"])
    assert store.cxx_mangled_name("store_cb") == "_Z8store_cbPvy6float2S_S_"  # what cuFFT's wrapper links
    load = CSignature.parse("double2", ["void*", "unsigned long long", "void*", "void*"])
    assert load.cxx_mangled_name("load_cb") == "_Z7load_cbPvyS_S_"
    assert CSignature.parse("void", ["float*", "float*", "float", "int"]).cxx_mangled_name("saxpy") == "_Z5saxpyPfS_fi"
    assert CSignature.parse("int", []).cxx_mangled_name("f") == "_Z1fv"


def test_half_is_accepted_through_pointers_only():
    from nvmath.jit.cabi import CSignature, ctype

    assert ctype("__half*").pointee.c_spelling == "__half"
    with pytest.raises(ValueError, match=r"parameter 1 of a C signature is __half by value.*__half\*"):
        CSignature.parse("void", ["float*", "__half"])
    assert ctype("__nv_bfloat16*").pointee.name == "bfloat16"
    with pytest.raises(ValueError, match=r"return type of a C signature is __nv_bfloat16 by value"):
        CSignature.parse("__nv_bfloat16", [])
    # Both are structs in CUDA C++: source names, substituted when repeated.
    sig = CSignature.parse("void", ["__half*", "__nv_bfloat16*", "__half*"])
    assert sig.cxx_mangled_name("f") == "_Z1fP6__halfP13__nv_bfloat16S0_"


@pytest.mark.parametrize("element", ["complex64", "complex128"])
def test_complex_callbacks_load_and_store_whole_elements(compiled, element):
    # cuFFT's arrays are aligned to float2/double2: each element is one vector access, not two.
    load, store = compiled[element]
    caller = compile_cpp(caller_kernel(CUFFT_TYPES[element], load.symbol, store.symbol), compute_capability=ARCH)
    ptx = link([load, store, caller], compute_capability=ARCH, output="ptx").decode()
    scalar = "f32" if element == "complex64" else "f64"
    assert re.search(rf"\bst(\.global)?\.v2\.{scalar}", ptx), ptx
    assert not re.search(rf"\bst(\.global)?\.{scalar}\b", ptx), ptx


def test_user_info_alignment_follows_the_c_type():
    from nvmath.fft.callbacks import user_info_alignment

    assert user_info_alignment("complex64") == 8 and user_info_alignment("complex128") == 16
    assert user_info_alignment("float32") == 4 and user_info_alignment("uint16") == 2
    assert user_info_alignment("numba:complex64") == 8
    import numpy as np

    assert user_info_alignment(np.dtype([("a", np.float32), ("b", np.int8)])) == 1  # structs: no assumption


def test_offset_modulo_a_power_of_two_is_one_and():
    # Offsets fit in int64, so Python's floor modulo of the unsigned offset needs no sign fix-up.
    def by_column(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 4096]

    store = compile_epilog(by_column, "complex64", "complex64", compute_capability=ARCH)
    caller = compile_cpp(caller_kernel("float2", None, store.symbol), compute_capability=ARCH)
    ptx = link([store, caller], compute_capability=ARCH, output="ptx").decode()
    assert "selp" not in ptx and "shr.s64" not in ptx, ptx
    assert re.search(r"and\.b64\s+%rd\d+, %rd\d+, 32760;", ptx), ptx  # (offset % 4096) * 8


def test_fastmath_reaches_the_ltoir():
    # numba-cuda's fastmath is NVVM options only, lost when cuFFT links the LTO-IR: the flags are
    # put on the instructions. A complex times a real then drops the multiplies by the zero
    # imaginary part; without fastmath IEEE semantics keep them.
    def by_column(data_out, offset, value, user_info, unused):
        data_out[offset] = value * user_info[offset % 64]

    def multiplies(fastmath):
        store = compile_epilog(by_column, "complex64", "float32", compute_capability=ARCH, fastmath=fastmath)
        caller = compile_cpp(caller_kernel("float2", None, store.symbol), compute_capability=ARCH)
        ptx = link([store, caller], compute_capability=ARCH, output="ptx").decode()
        return len(re.findall(r"\b(mul|fma\.rn)\.f32", ptx))

    assert multiplies(True) == 2
    assert multiplies(False) == 4
