"""CPU-side cost of ``Matmul.execute`` on a 64^3 problem against PyTorch, and of the ways a
result can be allocated from Python, alternating in rounds (the host's clock drifts).

    python benchmarks/matmul_execute_alloc.py [--out results]

Contenders per dtype (fp32, bf16): ``torch.empty_strided(..., dtype=, device=)``,
``prototype.new_empty_strided(...)`` (what nvmath's hot path uses), ``torch.empty_like``,
``Tensor.new_empty``, ``torch.empty(..., dtype=, device=)``, ``Matmul.execute``, the backend's
hot path alone, PyTorch's ``a @ b`` and ``torch.mm``. Each round times every contender over 500
calls, in a rotated order; medians over 11 rounds. Writes OUT/matmul_execute_alloc.json.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import alternating_cpu_cost_us, write


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT", "results"))
    args = parser.parse_args(argv)
    import torch

    from nvmath.linalg.advanced import Matmul

    dev = torch.device("cuda", 0)
    res = {"unit": "microseconds per call", "device": torch.cuda.get_device_name(0)}
    for dt in (torch.float32, torch.bfloat16):
        name = str(dt).split(".")[1]
        sa, sb = torch.randn(64, 64, device=dev, dtype=dt), torch.randn(64, 64, device=dev, dtype=dt)
        prototype = torch.empty(0, device=dev, dtype=dt)
        full = torch.empty((64, 64), device=dev, dtype=dt)
        with Matmul(sa, sb) as mm:
            mm.plan()
            contenders = {
                "empty_strided_kw": lambda dt=dt: torch.empty_strided((64, 64), (64, 1), dtype=dt, device=dev),
                "new_empty_strided": lambda p=prototype: p.new_empty_strided((64, 64), (64, 1)),
                "empty_like": lambda f=full: torch.empty_like(f),
                "new_empty": lambda f=full: f.new_empty((64, 64)),
                "empty_kw": lambda dt=dt: torch.empty((64, 64), dtype=dt, device=dev),
                "ours_execute": mm.execute,
                "ours_fast": mm._backend._fast,
                "torch_a_at_b": lambda sa=sa, sb=sb: sa @ sb,
                "torch_mm": lambda sa=sa, sb=sb: torch.mm(sa, sb),
            }
            res[name] = alternating_cpu_cost_us(contenders, torch.cuda.synchronize, rounds=11, calls=500)
        print(name, {k: round(v, 2) for k, v in res[name]["median"].items()})
    write(args.out, "matmul_execute_alloc", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
