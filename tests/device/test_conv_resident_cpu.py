"""``benchmarks/fft_conv_device.py --resident N`` without a GPU: the kernel's source differs from
the checked one only in where a signal's memory is (signal % N), and the forms it cannot take
are refused."""

import pytest


@pytest.mark.parametrize("form", ["vec", "vec_cs", "unsigned", "view"])
def test_resident_source_differs_in_the_signal_address_only(bench, form):
    plain = bench.kernel_source(form, 16, 16, 32, 2).splitlines()
    resident = bench.kernel_source(form, 16, 16, 32, 2, resident=1024).splitlines()
    changed = [(a, b) for a, b in zip(plain, resident) if a != b]
    assert len(plain) == len(resident)
    assert changed == [("    base = signal * U(512) + t", "    base = (signal & U(1023)) * U(512) + t")]


@pytest.mark.parametrize("form", ["vec", "view"])
def test_resident_source_runs_in_the_simulator(bench, form):
    # The Python of the kernel, with stand-ins for the FFTs and accessors, on the CPU: signal s
    # lands in the memory of signal s % 4.
    import numpy as np

    src = bench.kernel_source(form, 4, 4, 128, 1, resident=4)

    class Scale:
        value_type = np.complex64  # "view" reads the arrays as the FFT's value type

        def execute(self, td, smem):
            for i in range(4):
                td[i] = td[i] * 2

    class Cuda:
        class local:
            @staticmethod
            def array(n, dtype):
                return np.zeros(n, np.complex64)

        class shared:
            @staticmethod
            def array(n, dtype):
                return None

        class threadIdx:
            x, y = 0, 0

        class blockIdx:
            x = 0

    ns = {
        "cuda": Cuda,
        "types": type("T", (), {"complex64": np.complex64, "uint8": np.uint8}),
        "U": int,
        "fwd": Scale(),
        "inv": Scale(),
        "LD": lambda a, i, k: a[i + k],
        "ST": lambda a, i, k, v: a.__setitem__(i + k, v),
        "LDF": lambda a, i, k: a[i + k],
    }
    exec(src, ns)
    data = np.arange(8 * 512, dtype=np.complex64)
    before = data.copy()
    Cuda.blockIdx.x = 6  # signal 6: its memory is signal 2's
    ns["conv"](data, np.ones(512, np.complex64), 8)
    assert data[2 * 512] == before[2 * 512] * 4
    assert data[6 * 512] == before[6 * 512]


@pytest.mark.parametrize("form", ["vec_pf", "vec_hf", "vec_as", "loop", "unrolled"])
def test_forms_without_a_resident_variant_are_refused(bench, form):
    with pytest.raises(
        ValueError, match=f"resident=64 is supported for the forms unsigned, vec, vec_cs, view, not '{form}'"
    ):
        bench.kernel_source(form, 16, 16, 32, 2, resident=64)


def test_resident_must_be_a_power_of_two(bench):
    with pytest.raises(ValueError, match="resident=96 is not a power of two"):
        bench.kernel_source("vec", 16, 16, 32, 2, resident=96)


@pytest.mark.parametrize("value", ["96", "-4"])
def test_the_command_line_refuses_a_resident_count_that_is_not_a_power_of_two(bench, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--resident", value])
    assert exit_info.value.code == 2
    assert f"--resident {value}: accepted 0 (off) or a power of two" in capsys.readouterr().err
