from __future__ import annotations

from localcloud.arm.templatehash import minified, template_hash


def test_hash_is_a_decimal_string_stable_across_key_order_and_whitespace() -> None:
    a = {"resources": [], "parameters": {"x": {"type": "string"}}, "$schema": "s"}
    b = {"$schema": "s", "parameters": {"x": {"type": "string"}}, "resources": []}
    assert template_hash(a) == template_hash(b)
    assert template_hash(a).isdigit()
    assert int(template_hash(a)) < 2**64


def test_hash_changes_with_any_value() -> None:
    assert template_hash({"a": 1}) != template_hash({"a": 2})


def test_bicep_generator_hash_is_echoed() -> None:
    template = {
        "metadata": {"_generator": {"name": "bicep", "templateHash": "12469713909369135714"}}
    }
    assert template_hash(template) == "12469713909369135714"


def test_minified_template_is_compact_upper_case_json() -> None:
    assert minified({"$schema": "abc", "n": [1, 2]}) == '{"$SCHEMA":"ABC","N":[1,2]}'
