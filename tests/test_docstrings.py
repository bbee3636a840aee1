"""help() on the stateless functions shows their parameters, not a pointer elsewhere."""

import inspect

import pytest

import nvmath.fft
import nvmath.linalg.advanced


@pytest.mark.parametrize(
    "function",
    [nvmath.fft.fft, nvmath.fft.ifft, nvmath.fft.rfft, nvmath.fft.irfft, nvmath.linalg.advanced.matmul],
    ids=lambda f: f.__name__,
)
def test_every_parameter_is_documented(function):
    doc = inspect.getdoc(function)
    assert "Parameters\n----------" in doc and "Returns\n-------" in doc
    documented = doc.split("Parameters\n----------")[1].split("Returns\n-------")[0]
    for name in inspect.signature(function).parameters:
        # "a, b : ..." and "prolog, epilog : ..." document two names on one line.
        assert any(
            line.split(" : ")[0].replace(" ", "").split(",").count(name)
            for line in documented.splitlines()
            if " : " in line and not line.startswith(" ")
        ), f"{function.__name__}: parameter {name!r} is not documented"
