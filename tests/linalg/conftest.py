import pytest

from nvmath._internal import streams


@pytest.fixture(autouse=True)
def host_operands_on_the_cpu(request, monkeypatch):
    """Tests without the ``gpu`` marker cover the CPU path of host operands, which
    ``nvmath.linalg.advanced`` takes where no GPU is found (as on CI): on a GPU host they are
    made to see none, so that they test the same thing there. GPU tests see the real answer."""
    if "gpu" not in request.keywords:
        monkeypatch.setattr(streams, "_gpu_found", False)
