"""CacheKey: a canonical, unambiguous digest of named string components."""

from __future__ import annotations

import pytest

from nvmath.cache import CacheKey


def test_digest_is_pinned():
    # Changing the encoding silently would orphan every entry: bump KEY_SCHEMA instead.
    key = CacheKey("ltoir", {"function": "f", "target": "sm_90"})
    assert key.digest == "a3b7d71eeee8fdde549dea4bb55ec93d955691d6fd55d24f1adc7d4f92de8c91"


def test_component_order_does_not_matter():
    a = CacheKey("ltoir", {"x": "1", "y": "2"})
    b = CacheKey("ltoir", {"y": "2", "x": "1"})
    assert a == b and hash(a) == hash(b) and a.digest == b.digest
    assert list(b.components) == ["x", "y"]


@pytest.mark.parametrize(
    "left, right",
    [
        (("ltoir", {"a": "bc"}), ("ltoir", {"ab": "c"})),  # length prefixes prevent ambiguity
        (("ltoir", {"a": "1"}), ("cubin", {"a": "1"})),  # the tier is part of the key
        (("ltoir", {"a": "1"}), ("ltoir", {"a": "1", "b": ""})),  # an extra empty component
        (("ltoir", {"a": "1"}), ("ltoir", {"a": "2"})),
    ],
)
def test_different_keys_have_different_digests(left, right):
    assert CacheKey(*left).digest != CacheKey(*right).digest
    assert CacheKey(*left) != CacheKey(*right)


def test_components_are_read_only_and_copied():
    source = {"a": "1"}
    key = CacheKey("ltoir", source)
    source["a"] = "2"
    assert key.components["a"] == "1"
    with pytest.raises(TypeError):
        key.components["a"] = "3"


@pytest.mark.parametrize(
    "tier, components, error, match",
    [
        ("LTOIR", {"a": "1"}, ValueError, "tier"),
        ("lto/ir", {"a": "1"}, ValueError, "tier"),
        ("ltoir", {"cc": 90}, TypeError, "component 'cc' must be a str, got int"),
        ("ltoir", {1: "x"}, TypeError, "names must be non-empty strings"),
        ("ltoir", {"": "x"}, ValueError, "names must be non-empty strings"),
        ("ltoir", [("a", "1")], TypeError, "mapping"),
    ],
)
def test_invalid_keys_are_rejected(tier, components, error, match):
    with pytest.raises(error, match=match):
        CacheKey(tier, components)


def test_describe_lists_every_component_and_shortens_long_values():
    key = CacheKey("cubin", {"target": "sm_90a", "ltoir": "x" * 500})
    text = key.describe()
    assert key.digest in text and "target = sm_90a" in text
    assert "ltoir = <500 chars, sha256 " in text and "x" * 100 not in text
    assert "cubin" in repr(key) and key.digest[:16] in repr(key)
