"""Bad callbacks get short, specific errors that name the callback and the expected signature."""

import numpy as np
import pytest

from nvmath.fft import compile_epilog, compile_prolog
from nvmath.jit import CallbackSignatureError, CompileError, NoTargetError, compile_device_function, pointer

ARCH = "sm_90"


def test_wrong_number_of_parameters():
    def prolog(data_in, offset, user_info):
        return data_in[offset]

    with pytest.raises(CallbackSignatureError) as info:
        compile_prolog(prolog, "complex64", "float32", compute_capability=ARCH)
    msg = str(info.value)
    assert "prolog" in msg and "(data_in, offset, user_info)" in msg
    assert "prolog(data_in, offset, user_info, unused)" in msg and "exactly 4" in msg


def test_epilog_with_varargs_is_rejected():
    def epilog(*args):
        pass

    with pytest.raises(CallbackSignatureError, match=r"epilog\(data_out, offset, value, user_info, unused\)"):
        compile_epilog(epilog, "float32", "float32", compute_capability=ARCH)


@pytest.mark.parametrize("bad", ["int32", "float16", np.dtype("complex256") if hasattr(np, "complex256") else "bool"])
def test_unsupported_element_type(bad):
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    with pytest.raises(ValueError) as info:
        compile_epilog(epilog, bad, "float32", compute_capability=ARCH)
    msg = str(info.value)
    assert "element_dtype" in msg and "float32, float64, complex64, complex128" in msg


def test_typing_error_inside_the_callback_is_condensed():
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value + "not a number"

    with pytest.raises(CompileError) as info:
        compile_epilog(epilog, "complex64", "float32", compute_capability=ARCH)
    msg = str(info.value)
    assert "epilog" in msg and "test_typing_error_inside_the_callback_is_condensed" in msg
    assert "expected epilog(data_out, offset, value, user_info, unused)" in msg
    assert "complex64" in msg and "line" in msg
    assert len(msg.splitlines()) <= 14, msg
    assert info.value.__cause__ is not None  # Numba's full error stays available


def test_returning_the_wrong_thing_from_a_prolog():
    def prolog(data_in, offset, user_info, unused):
        return (1, 2)

    with pytest.raises(CompileError, match="prolog"):
        compile_prolog(prolog, "float64", "float64", compute_capability=ARCH)


@pytest.mark.parametrize("not_a_function", [42, "prolog", np.sin, None])
def test_non_function(not_a_function):
    with pytest.raises(TypeError) as info:
        compile_prolog(not_a_function, "complex64", "float32", compute_capability=ARCH)
    assert "prolog" in str(info.value) and "function" in str(info.value)


def test_user_info_dtype_required():
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    with pytest.raises(TypeError, match="user_info_dtype"):
        compile_prolog(prolog, "complex64", None, compute_capability=ARCH)


def test_bad_compute_capability():
    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    with pytest.raises(ValueError, match="compute_capability='gpu9'.*sm_90"):
        compile_prolog(prolog, "complex64", "float32", compute_capability="gpu9")


def test_no_device_and_no_compute_capability_is_an_error():
    from tests.conftest import HAS_GPU

    if HAS_GPU:
        pytest.skip("a GPU is present: its compute capability is used")

    def prolog(data_in, offset, user_info, unused):
        return data_in[offset]

    with pytest.raises(NoTargetError, match="pass one explicitly"):
        compile_prolog(prolog, "complex64", "float32")


def test_incompatible_c_type():
    def f(x):
        return x

    with pytest.raises(TypeError, match="parameter 0: Numba type float32 cannot be passed as C type double"):
        compile_device_function(
            f, ["float32"], "float32", c_signature=("float", ["double"]), compute_capability=ARCH, cache=False
        )
    with pytest.raises(ValueError, match="unsupported C type 'quad'"):
        compile_device_function(f, ["float32"], "float32", c_signature=("float", ["quad"]), compute_capability=ARCH)
    with pytest.raises(ValueError, match="1 parameters but arg_types has 2"):
        compile_device_function(
            f, ["float32", pointer()], "float32", c_signature=("float", ["float"]), compute_capability=ARCH
        )
