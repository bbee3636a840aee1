import os
import tempfile

import pytest

# Tests never touch the user's own cache: the whole session gets a private one.
_CACHE_DIR = tempfile.mkdtemp(prefix="nvmath-test-cache-")
os.environ.setdefault("NVMATH_CACHE_DIR", _CACHE_DIR)


def _gpu_available() -> bool:
    from nvmath.jit import current_device_target

    return current_device_target() is not None


HAS_GPU = _gpu_available()


def pytest_collection_modifyitems(config, items):
    if HAS_GPU:
        return
    skip = pytest.mark.skip(reason="no CUDA GPU found")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
