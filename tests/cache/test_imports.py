"""The cache's hit path stays light: no Numba, CuPy or PyTorch."""

from __future__ import annotations

from .conftest import run_python, subprocess_env

HEAVY = ("numba", "numba_cuda", "llvmlite", "cupy", "torch")


def test_import_loads_no_heavy_package():
    out = run_python(
        f"import sys, nvmath.cache\nprint([m for m in {HEAVY!r} if m in sys.modules])\n",
        env=subprocess_env(),
    )
    assert out.strip() == "[]"


def test_fingerprint_and_hit_load_no_heavy_package(tmp_path):
    code = (
        "import sys, math\n"
        "from nvmath.cache import CacheKey, fingerprint_function, get_cache\n"
        "SCALE = 2.0\n"
        "def helper(x): return math.sin(x) * SCALE\n"
        "def cb(x): return helper(x) + abs(x)\n"
        "key = CacheKey('ltoir', {'function': fingerprint_function(cb)})\n"
        "if sys.argv[-1] == 'put': get_cache().put(key, b'artifact')\n"
        "print(get_cache().get(key))\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    env = subprocess_env(NVMATH_CACHE_DIR=str(tmp_path / "cache"))
    first = run_python(code.replace("sys.argv[-1] == 'put'", "True"), env=env).splitlines()
    second = run_python(code, env=env).splitlines()
    assert first == second == ["b'artifact'", "[]"]
