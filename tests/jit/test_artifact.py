"""nvmath.jit.ltoir: the artifact object and its file format."""

import pickle

import pytest

from nvmath.fft import compile_epilog
from nvmath.jit import ltoir

ARCH = "sm_90"


def epilog(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[0]


@pytest.fixture(scope="module")
def artifact():
    return compile_epilog(epilog, "complex64", "float32", compute_capability=ARCH)


def test_behaves_as_bytes(artifact):
    raw = bytes(artifact)
    assert isinstance(artifact, bytes) and raw == artifact and len(raw) == len(artifact)
    assert type(raw) is bytes and raw[:4] == b"\xedCN\x7f"


def test_save_load_round_trip(artifact, tmp_path):
    path = tmp_path / "epilog.ltoir"
    ltoir.save(artifact, path)
    loaded = ltoir.load(path, compute_capability=ARCH)
    assert bytes(loaded) == bytes(artifact)
    assert loaded.metadata == artifact.metadata
    assert loaded.symbol == artifact.symbol and loaded.kind == "epilog"
    assert not list(tmp_path.glob(".tmp-*"))


def test_pickle_keeps_metadata(artifact):
    copy = pickle.loads(pickle.dumps(artifact))
    assert isinstance(copy, ltoir.LTOIR) and copy.metadata == artifact.metadata and copy == artifact


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: b[:-10], "truncated"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 0x40]), "corrupted"),
        (lambda b: b"XXXXXXXX" + b[8:], "not an nvmath LTO-IR artifact"),
        (lambda b: b[:5], "too short"),
    ],
)
def test_damaged_files_are_refused(artifact, tmp_path, damage, message):
    path = tmp_path / "bad.ltoir"
    path.write_bytes(damage(ltoir.dumps(artifact)))
    with pytest.raises(ltoir.ArtifactFormatError, match=message):
        ltoir.load(path)


def test_producer_newer_than_nvjitlink_is_refused(artifact, tmp_path):
    meta = artifact.metadata
    meta["producers"]["libnvvm"] = "99.1"
    newer = ltoir.LTOIR(bytes(artifact), **meta)
    path = tmp_path / "newer.ltoir"
    ltoir.save(newer, path)
    with pytest.raises(ltoir.IncompatibleArtifactError) as info:
        ltoir.load(path)
    msg = str(info.value)
    assert "CUDA 99.1" in msg and "nvJitLink" in msg and "pip install -U" in msg and "recompile" in msg
    assert ltoir.load(path, check=False).producers["libnvvm"] == "99.1"
    with pytest.raises(ltoir.IncompatibleArtifactError):
        newer.check_compatible(nvjitlink="13.0")


def test_target_the_device_cannot_run_is_refused(artifact, tmp_path):
    path = tmp_path / "a.ltoir"
    ltoir.save(artifact, path)
    with pytest.raises(ltoir.IncompatibleArtifactError, match=r"targets sm_90.*compute capability 8.0.*'sm_80'"):
        ltoir.load(path, compute_capability=(8, 0))
    assert ltoir.load(path, compute_capability="sm_100").symbol == artifact.symbol
    specific = ltoir.LTOIR(bytes(artifact), **dict(artifact.metadata, target="sm_90a"))
    with pytest.raises(ltoir.IncompatibleArtifactError, match="sm_90a"):
        specific.check_compatible("sm_100")
    specific.check_compatible("sm_90")


def test_save_refuses_plain_bytes(tmp_path):
    with pytest.raises(TypeError, match="LTOIR"):
        ltoir.save(b"abc", tmp_path / "x")
