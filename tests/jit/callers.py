"""CUDA C++ written from cuFFT's documented callback prototypes, independent of nvmath's
own C type vocabulary, so that a mismatch between the two shows."""

CUFFT_TYPES = {"float32": "float", "float64": "double", "complex64": "float2", "complex128": "double2"}


def _extern(linkage: str) -> str:
    # cuFFT's own wrapper declares a user's callback with C++ linkage ("extern __device__").
    return 'extern "C"' if linkage == "C" else "extern"


def load_prototype(t: str, name: str, linkage: str = "C") -> str:
    return (
        f"{_extern(linkage)} __device__ {t} {name}(void* dataIn, unsigned long long offset, void* callerInfo, "
        "void* sharedPointer)"
    )


def store_prototype(t: str, name: str, linkage: str = "C") -> str:
    return (
        f"{_extern(linkage)} __device__ void {name}(void* dataOut, unsigned long long offset, {t} element, "
        f"void* callerInfo, void* sharedPointer)"
    )


def reference_callbacks(t: str, load: str, store: str) -> str:
    """C++ definitions with cuFFT's prototypes: what their PTX signatures must look like."""
    return f"""
{load_prototype(t, load)} {{ return (({t}*)dataIn)[offset]; }}
{store_prototype(t, store)} {{ (({t}*)dataOut)[offset] = element; }}
"""


def caller_kernel(t: str, load: str | None, store: str | None, name: str = "run", linkage: str = "C") -> str:
    """A kernel that, like cuFFT, loads each element through the load callback and stores it
    through the store callback (either may be None: a plain load/store then), declared with C
    or C++ ``linkage``."""
    decls = []
    if load:
        decls.append(load_prototype(t, load, linkage) + ";")
    if store:
        decls.append(store_prototype(t, store, linkage) + ";")
    get = f"{load}(in, i, load_info, nullptr)" if load else "in[i]"
    put = f"{store}(out, i, v, store_info, nullptr);" if store else "out[i] = v;"
    return (
        "\n".join(decls)
        + f"""
extern "C" __global__ void {name}({t}* in, {t}* out, void* load_info, void* store_info, unsigned long long n) {{
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) {{ {t} v = {get}; {put} }}
}}
"""
    )
