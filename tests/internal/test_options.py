"""Options, choices and execution spaces."""

import dataclasses
import logging

import pytest

from nvmath._internal.execution import ExecutionCPU, ExecutionCUDA
from nvmath._internal.options import check_choice, check_execution, check_options


@dataclasses.dataclass
class DemoOptions:
    blocking: object = "auto"
    logger: object = None
    scale: float = 1.0

    def __post_init__(self):
        check_choice(self.blocking, (True, "auto"), "DemoOptions.blocking")


def test_check_options_none_gives_defaults():
    o = check_options(None, DemoOptions)
    assert isinstance(o, DemoOptions) and o.blocking == "auto" and o.scale == 1.0


def test_check_options_instance_returned_as_is():
    o = DemoOptions(blocking=True)
    assert check_options(o, DemoOptions) is o


def test_check_options_dict():
    logger = logging.getLogger("x")
    o = check_options({"blocking": True, "logger": logger}, DemoOptions)
    assert o.blocking is True and o.logger is logger and o.scale == 1.0


def test_check_options_unknown_key_lists_fields():
    with pytest.raises(TypeError) as info:
        check_options({"blockign": True}, DemoOptions, "options")
    message = str(info.value)
    assert "'blockign'" in message and "options" in message
    for field in ("blocking", "logger", "scale"):
        assert field in message


def test_check_options_values_checked_by_post_init():
    with pytest.raises(ValueError, match=r"DemoOptions.blocking=False is not supported; accepted: True, 'auto'"):
        check_options({"blocking": False}, DemoOptions)


def test_check_options_wrong_type():
    with pytest.raises(TypeError, match=r"options=\[1\].*DemoOptions object, a dict"):
        check_options([1], DemoOptions, "options")


def test_check_choice():
    assert check_choice("auto", (True, "auto"), "blocking") == "auto"
    assert check_choice(1, (1, 2), "n") == 1
    with pytest.raises(ValueError) as info:
        check_choice("sometimes", (True, "auto"), "options.blocking")
    assert str(info.value) == "options.blocking='sometimes' is not supported; accepted: True, 'auto'"
    with pytest.raises(ValueError):
        check_choice(1, (True, "auto"), "blocking")  # 1 == True, but not a bool
    with pytest.raises(ValueError):
        check_choice(True, (1, 2), "n")
    with pytest.raises(ValueError):
        check_choice([1], (1, 2), "n")  # unhashable, still a clean error


@pytest.mark.parametrize(
    "value, expected",
    [
        ("cuda", ExecutionCUDA()),
        ("CPU", ExecutionCPU()),
        ({"name": "cuda", "device_id": 1}, ExecutionCUDA(device_id=1)),
        ({"name": "cpu", "num_threads": 4}, ExecutionCPU(num_threads=4)),
        ({"name": "cpu"}, ExecutionCPU()),
        (None, ExecutionCUDA()),
    ],
)
def test_check_execution_variants(value, expected):
    got = check_execution(value)
    assert type(got) is type(expected) and got == expected


def test_check_execution_instances_and_default():
    e = ExecutionCUDA(device_id=2)
    assert check_execution(e) is e
    assert check_execution(None, default="cpu") == ExecutionCPU()
    assert check_execution(None, default=None) is None
    assert ExecutionCUDA.name == "cuda" and ExecutionCPU.name == "cpu"


@pytest.mark.parametrize(
    "value, error, pattern",
    [
        ("gpu", ValueError, r"execution='gpu' is not supported; accepted: 'cuda', 'cpu'"),
        ({"device_id": 0}, ValueError, r"'name' key"),
        ({"name": "tpu"}, ValueError, r"name='tpu'"),
        ({"name": "cuda", "num_threads": 2}, TypeError, r"'num_threads'.*accepted fields: device_id"),
        ({"name": "cuda", "device_id": -1}, ValueError, r"ExecutionCUDA.device_id=-1 .*non-negative int"),
        ({"name": "cpu", "num_threads": 0}, ValueError, r"ExecutionCPU.num_threads=0 .*positive int"),
        (3, TypeError, r"execution=3 \(of type int\)"),
        (3, ValueError, r"execution=3 \(of type int\)"),  # nvmath-python's type for it
    ],
)
def test_check_execution_errors(value, error, pattern):
    with pytest.raises(error, match=pattern):
        check_execution(value)


def test_a_dict_without_a_name_is_where_the_operands_live():
    # As nvmath-python: the dict's space defaults to the operands' memory space.
    assert check_execution({"num_threads": 2}, default=None, operand_space="cpu") == ExecutionCPU(num_threads=2)
    assert check_execution({"device_id": 1}, default=None, operand_space="cuda") == ExecutionCUDA(device_id=1)
    assert check_execution({}, default=None, operand_space="cpu") == ExecutionCPU()
    with pytest.raises(TypeError, match="num_threads"):
        check_execution({"num_threads": 2}, default=None, operand_space="cuda")


def test_the_host_apis_take_a_dict_without_a_name():
    import numpy as np

    import nvmath

    rng = np.random.default_rng()
    x = rng.standard_normal((4, 8)) + 1j * rng.standard_normal((4, 8))
    np.testing.assert_allclose(nvmath.fft.fft(x, execution={"num_threads": 2}), np.fft.fftn(x), rtol=1e-10, atol=1e-10)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    np.testing.assert_allclose(nvmath.linalg.matmul(a, b, execution={"num_threads": 1}), a @ b, rtol=1e-12)


def test_execution_validation():
    assert ExecutionCUDA(device_id=3).device_id == 3
    assert ExecutionCPU(num_threads=8).num_threads == 8
    for bad in (True, 1.5, "0"):
        with pytest.raises(ValueError, match="device_id"):
            ExecutionCUDA(device_id=bad)
    with pytest.raises(ValueError, match="num_threads"):
        ExecutionCPU(num_threads=-2)


def test_host_operands_go_to_gpu_0_unless_a_device_is_named():
    assert ExecutionCUDA().host_operand_device == 0
    assert ExecutionCUDA(device_id=3).host_operand_device == 3
