"""Template functions: the reference's test vectors and documented semantics."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tmpl_support import (
    FIXED_NOW,
    GROUP_ID,
    SUBSCRIPTION,
    TENANT,
    FakeResolver,
    ev,
    make_scope,
)

from localcloud.template import TemplateError, arm_guid, unique_string
from localcloud.template.context import Context
from localcloud.template.tree import evaluate_string


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (f"[uniqueString('{GROUP_ID}')]", "js26ofeqkqeve"),
        ("[uniqueString('asd', 'asdf', 'asdf')]", "iizpqit7ih3cc"),
        ("[uniqueString('test')]", "rbgf3xv4ufgzg"),
        ("[uniqueString('hello', 'world')]", "a7wkljktk6wne"),
        ("[guid('asdf')]", "228d27cc-6fdb-5934-b7ac-1efccebade04"),
        ("[format('->{0}<-', 123)]", "->123<-"),
        ("[substring('asdfasf', 3)]", "fasf"),
        ("[padLeft(13, 5)]", "   13"),
        ("[join(createArray('abc', 'def', 'ghi'), '/')]", "abc/def/ghi"),
        (
            '[items(json(\'{"foo": "abc", "bar": 123}\'))]',
            [{"key": "bar", "value": 123}, {"key": "foo", "value": "abc"}],
        ),
        ("[dateTimeAdd(dateTimeFromEpoch(1680224438), 'P1D')]", "2023-04-01T01:00:38Z"),
        ("[uriComponent('UB*8h 0+=_)9h9n')]", "UB%2A8h%200%2B%3D_%299h9n"),
    ],
)
def test_reference_vectors(expression: str, expected: Any) -> None:
    """Values ARM's engine computed (Azure/bicep test snapshots, the ARM function reference's
    examples): uniqueString and guid bit-exact with Azure."""
    assert ev(expression) == expected


def test_unique_string_of_the_resource_group_gives_the_inference_suffix() -> None:
    assert ev("[substring(uniqueString(resourceGroup().id), 0, 5)]") == "js26o"


def test_unique_string_agrees_with_the_terraform_azapi_port_on_a_seven_byte_tail() -> None:
    """The §5 vectors have tails of 0, 3, 4 and 5 bytes; Azure/terraform-provider-azapi's
    unique_string_function_test.go gives one of 63 bytes (7 blocks + 7)."""
    sub = "/subscriptions/00000000-0000-0000-0000-000000000000"
    assert unique_string(sub, "resource-id") == "cwvxuqg24sifi"


def test_unique_string_joins_arguments_with_a_dash() -> None:
    assert unique_string("a", "b") == unique_string("a-b")
    assert arm_guid("a", "b") == arm_guid("a-b")


def test_unique_string_last_character_has_an_even_alphabet_index() -> None:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for text in ("", "x", "12345678", "123456789abcd", "ünïcødé"):
        assert alphabet.index(unique_string(text)[-1]) % 2 == 0


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[string(true())]", "True"),
        ("[string(false())]", "False"),
        ("[format('{0}-{1}', true(), false())]", "True-False"),
        ("[concat('x', true(), 1)]", "xTrue1"),
        (
            '[string(json(\'{"valueA": 10, "valueB": "Example Text"}\'))]',
            '{"valueA":10,"valueB":"Example Text"}',
        ),
        ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
        ("[string(5)]", "5"),
        (
            "[format('Hello, {0}. Formatted number: {1:N0}', 'User', 8175133)]",
            "Hello, User. Formatted number: 8,175,133",
        ),
        ("[format('{{{0}}}', 1)]", "{1}"),
        ("[format('{0,5}|{1,-3}|', 'a', 'b')]", "    a|b  |"),
        ("[format('{0:D4} {0:X} {0:N2}', 255)]", "0255 FF 255.00"),
        ("[format('{0:0.00}', 3)]", "3.00"),
    ],
)
def test_string_rendering_and_format(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def test_format_with_a_bad_index_reports_the_dotnet_message() -> None:
    with pytest.raises(TemplateError) as info:
        ev("[format('{1}', 'a')]")
    assert "Index (zero based) must be greater than or equal to zero" in info.value.message
    assert (
        "Unable to evaluate language function 'format': the format is invalid" in info.value.message
    )


def test_substring_out_of_range_uses_arms_words() -> None:
    with pytest.raises(TemplateError) as info:
        ev("[substring('0123456789', 0, 11)]")
    assert (
        "The index and length parameters must refer to a location within the string. The index "
        "parameter: '0', the length parameter: '11', the length of the string parameter: '10'."
    ) in info.value.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[base64('hi there')]", "aGkgdGhlcmU="),
        ("[base64ToString('aGkgdGhlcmU=')]", "hi there"),
        ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
        ("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
        ("[endsWith('abcdef', 'DEF')]", True),
        ("[startsWith('abcdef', 'AB')]", True),
        ("[indexOf('test', 'T')]", 0),
        ("[lastIndexOf('abcabc', 'b')]", 4),
        ("[indexOf('abc', 'z')]", -1),
        ("[replace('123-123', '-', '')]", "123123"),
        ("[split('a,b;c', createArray(',', ';'))]", ["a", "b", "c"]),
        ("[toLower('AbC')]", "abc"),
        ("[toUpper('AbC')]", "ABC"),
        ("[trim('  x  ')]", "x"),
        ("[padLeft('7', 3, '0')]", "007"),
        ("[uri('http://contoso.org/firstpath', 'myscript.sh')]", "http://contoso.org/myscript.sh"),
        (
            "[uri('http://contoso.org/firstpath/', 'myscript.sh')]",
            "http://contoso.org/firstpath/myscript.sh",
        ),
        ("[uri('http://contoso.org/a/', '/b')]", "http://contoso.org/a/b"),
        ("[uriComponentToString('http%3A%2F%2Fcontoso.com')]", "http://contoso.com"),
        ("[first('abc')]", "a"),
        ("[last('abc')]", "c"),
        ("[skip('abcdef', 2)]", "cdef"),
        ("[take('abcdef', -1)]", ""),
        ("[take('abc', 10)]", "abc"),
        ("[length('abc')]", 3),
        ("[empty('')]", True),
        ("[contains('OneTwo', 'Two')]", True),
        ("[contains('OneTwo', 'two')]", False),
    ],
)
def test_string_functions(expression: str, expected: Any) -> None:
    assert ev(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[array('a')]", ["a"]),
        ("[concat(createArray(1, 2), createArray(3))]", [1, 2, 3]),
        ("[contains(createArray('a', 'b'), 'b')]", True),
        ("[contains(createObject('Key', 1), 'key')]", True),
        ("[createObject('a', 1, 'b', createArray(2))]", {"a": 1, "b": [2]}),
        ("[empty(createArray())]", True),
        ("[empty(json('{}'))]", True),
        ("[first(createArray(1, 2))]", 1),
        ("[last(createArray(1, 2))]", 2),
        ("[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]", [2, 3]),
        ("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]", {"a": 1}),
        ("[union(createArray(1, 2), createArray(2, 3))]", [1, 2, 3]),
        (
            '[union(json(\'{"a": {"x": 1}, "b": 1}\'), json(\'{"a": {"y": 2}}\'))]',
            {"a": {"x": 1, "y": 2}, "b": 1},
        ),
        ("[length(createObject('a', 1))]", 1),
        ("[max(createArray(1, 7, 3))]", 7),
        ("[min(4, 2, 8)]", 2),
        ("[range(5, 3)]", [5, 6, 7]),
        ("[skip(createArray(1, 2, 3), 5)]", []),
        ("[take(createArray(1, 2, 3), 2)]", [1, 2]),
        ("[indexOf(createArray('a', 'b'), 'b')]", 1),
        ("[coalesce(null(), null(), 'x')]", "x"),
        ("[tryGet(createObject('a', createArray(1, 2)), 'a', 1)]", 2),
        ("[tryGet(createObject('a', 1), 'b')]", None),
        (
            "[shallowMerge(createArray(createObject('a', 1), createObject('a', 2, 'b', 3)))]",
            {"a": 2, "b": 3},
        ),
        ("[objectKeys(createObject('a', 1, 'b', 2))]", ["a", "b"]),
        ("[flatten(createArray(createArray(1), createArray(2, 3)))]", [1, 2, 3]),
    ],
)
def test_array_and_object_functions(expression: str, expected: Any) -> None:
    assert ev(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[filter(range(0, 5), lambda('i', greater($i, 2)))]", [3, 4]),
        (
            "[map(createArray('a', 'b'), lambda('x', 'i', concat($x, string($i))))]",
            ["a0", "b1"],
        ),
        (
            "[reduce(range(1, 4), 0, lambda('acc', 'x', add($acc, $x)))]",
            10,
        ),
        (
            "[sort(createArray('b', 'c', 'a'), lambda('x', 'y', less($x, $y)))]",
            ["a", "b", "c"],
        ),
        (
            "[toObject(createArray('a', 'b'), lambda('x', $x), lambda('x', length($x)))]",
            {"a": 1, "b": 1},
        ),
        (
            "[groupBy(createArray('ab', 'ac', 'b'), lambda('x', first($x)))]",
            {"a": ["ab", "ac"], "b": ["b"]},
        ),
        (
            "[mapValues(createObject('a', 1), lambda('v', mul($v, 10)))]",
            {"a": 10},
        ),
    ],
)
def test_lambda_functions(expression: str, expected: Any) -> None:
    """`$x` in the cases stands for `lambdaVariables('x')`."""
    assert ev(re.sub(r"\$(\w+)", r"lambdaVariables('\1')", expression)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[equals(1, 1)]", True),
        ("[equals(1, true())]", False),
        ("[equals(createArray(1, 'a'), createArray(1, 'a'))]", True),
        ("[equals('A', 'a')]", False),
        ("[greater(2, 1)]", True),
        ("[greater('b', 'a')]", True),
        ("[greaterOrEquals(1, 1)]", True),
        ("[less(1, 2)]", True),
        ("[lessOrEquals(3, 2)]", False),
        ("[and(true(), true(), false())]", False),
        ("[or(false(), true())]", True),
        ("[not(false())]", True),
        ("[if(true(), 'yes', 'no')]", "yes"),
        (
            "[if(false(), substring('a', 5), 'only the chosen branch runs')]",
            "only the chosen branch runs",
        ),
        ("[bool('TRUE')]", True),
        ("[bool(0)]", False),
        ("[add(1, 2)]", 3),
        ("[sub(1, 2)]", -1),
        ("[mul(3, 4)]", 12),
        ("[div(-7, 2)]", -3),
        ("[mod(-7, 2)]", -1),
        ("[int('42')]", 42),
        ("[float('1.5')]", 1.5),
        ("[json('null')]", None),
        ("[json('[1, {\"a\": true}]')]", [1, {"a": True}]),
        ("[createObject('Name', 'x').name]", "x"),
        ("[createObject('a', createArray(5, 6))['a'][1]]", 6),
        ("[CONCAT('a', 'b')]", "ab"),
        ("[[literal]", "[literal]"),
    ],
)
def test_comparison_logic_numeric_and_access(expression: str, expected: Any) -> None:
    ctx = Context(make_scope(), {}, "variables")
    assert evaluate_string(expression, ctx, "x") == expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        (
            "[int('asdf')]",
            "The template language function 'int' cannot convert provided value 'asdf' to "
            "integer value.",
        ),
        ("[bool('sdf')]", "The value cannot be converted to the target type."),
        ("[div(1, 0)]", "Attempted to divide by zero."),
        ("[add(9223372036854775807, 1)]", "outside the range of a 64-bit integer"),
        ("[concat('a', createArray(1))]", "either all arrays or all primitive values"),
        ("[length(1)]", "The provided value is of type 'Integer'"),
        ("[createObject('a')]", "even number of parameters"),
        ("[substring('abc')]", "must have between 2 and 3 parameter(s); 1 were given"),
        ("[nope()]", "The template function 'nope' is not valid."),
        (
            "[createObject('a', 1).b]",
            "The language expression property 'b' doesn't exist, available properties are 'a'.",
        ),
        ("[createArray(1)[3]]", "array index '3' is out of bounds"),
        ("[json('{')]", "is not valid JSON"),
        ("[range(0, 100000)]", "the count must be between 0 and 10000"),
        ("[guid(1)]", "expects its parameter 1 to be of type 'String'"),
        ("[greater(1, 'a')]", "expects two integers or two strings"),
        ("[lambdaVariables('zz')]", "The lambda variable 'zz' is not defined here."),
        ("[filter(createArray(1), 'x')]", "expects its parameter 2 to be a lambda expression"),
    ],
)
def test_function_errors_are_template_errors_in_arms_words(expression: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        ev(expression)
    assert fragment in info.value.message


def test_scope_functions_describe_the_deployment_scope() -> None:
    assert ev("[resourceGroup()]") == {
        "id": GROUP_ID,
        "name": "myRg",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "eastus",
        "tags": {},
        "properties": {"provisioningState": "Succeeded"},
    }
    assert ev("[subscription()]") == {
        "id": f"/subscriptions/{SUBSCRIPTION}",
        "subscriptionId": SUBSCRIPTION,
        "tenantId": TENANT,
        "displayName": "Local Subscription",
    }
    assert ev("[tenant().tenantId]") == TENANT
    assert ev("[environment().name]") == "AzureCloud"
    assert ev("[environment().suffixes.storage]") == "core.windows.net"
    assert ev("[deployment().name]") == "main"


def test_deployment_function_has_the_documented_shape() -> None:
    ctx = Context(make_scope(template_hash="1234567890"), {}, "variables", now=FIXED_NOW)
    doc = evaluate_string("[deployment()]", ctx, "x")
    assert doc["name"] == "main"
    assert doc["properties"]["templateHash"] == "1234567890"
    assert doc["properties"]["mode"] == "Incremental"
    assert doc["properties"]["provisioningState"] == "Accepted"
    assert set(doc["properties"]) == {
        "template",
        "templateHash",
        "parameters",
        "mode",
        "provisioningState",
    }
    assert "templateHash" not in ev("[deployment().properties]")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            "[resourceId('Microsoft.Storage/storageAccounts', 'sa')]",
            f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/sa",
        ),
        (
            "[resourceId('Microsoft.Sql/servers/databases', 'srv', 'db')]",
            f"{GROUP_ID}/providers/Microsoft.Sql/servers/srv/databases/db",
        ),
        (
            "[resourceId('otherRg', 'Microsoft.Storage/storageAccounts', 'sa')]",
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa",
        ),
        (
            "[resourceId('sub2', 'rg2', 'Microsoft.Storage/storageAccounts', 'sa')]",
            "/subscriptions/sub2/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/sa",
        ),
        (
            "[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'g')]",
            f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Resources/resourceGroups/g",
        ),
        (
            "[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]",
            "/providers/Microsoft.Management/managementGroups/mg",
        ),
        (
            "[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'lk')]",
            f"{GROUP_ID}/providers/Microsoft.Authorization/locks/lk",
        ),
    ],
)
def test_resource_id_functions(expression: str, expected: str) -> None:
    assert ev(expression) == expected


def test_resource_id_with_the_wrong_number_of_names_fails() -> None:
    with pytest.raises(TemplateError, match="requires '2' resource name argument"):
        ev("[resourceId('Microsoft.Sql/servers/databases', 'srv')]")


def test_reference_and_list_go_through_the_resolver() -> None:
    rid = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/sa"
    resolver = FakeResolver(
        {rid: {"location": "eastus", "properties": {"primaryEndpoints": {"file": "f"}}}},
        {"listKeys": {"keys": [{"value": "k1"}]}},
    )
    assert (
        ev(
            f"[reference('{rid}', '2023-01-01').primaryEndpoints.file]",
            stage="outputs",
            resolver=resolver,
        )
        == "f"
    )
    assert (
        ev(
            f"[reference('{rid}', '2023-01-01', 'Full').location]",
            stage="outputs",
            resolver=resolver,
        )
        == "eastus"
    )
    assert (
        ev(
            f"[listKeys('{rid}', '2023-01-01').keys[0].value]",
            stage="properties",
            resolver=resolver,
        )
        == "k1"
    )
    assert resolver.calls == [
        ("reference", rid, "2023-01-01", False),
        ("reference", rid, "2023-01-01", True),
        ("list", rid, "listKeys", "2023-01-01", None),
    ]


@pytest.mark.parametrize("flag", ["full", "Full", "FULL"])
def test_reference_full_flag_is_case_insensitive(flag: str) -> None:
    rid = f"{GROUP_ID}/providers/Microsoft.Storage/storageAccounts/sa"
    resolver = FakeResolver({rid: {"location": "westus", "properties": {}}})
    expression = f"[reference('{rid}', '2023-01-01', '{flag}').location]"
    assert ev(expression, stage="outputs", resolver=resolver) == "westus"


@pytest.mark.parametrize("expression", ["[reference('/x', '1')]", "[listKeys('/x', '1')]"])
def test_runtime_functions_are_rejected_outside_properties_and_outputs(expression: str) -> None:
    with pytest.raises(TemplateError, match="is not expected at this location"):
        ev(expression, stage="variables", resolver=FakeResolver())


def test_utc_now_and_new_guid_only_in_parameter_defaults() -> None:
    assert ev("[utcNow()]", stage="parameters") == "20240506T070809Z"
    assert ev("[utcNow('yyyy-MM-dd')]", stage="parameters") == "2024-05-06"
    assert ev("[utcNow('u')]", stage="parameters") == "2024-05-06 07:08:09Z"
    assert len(ev("[newGuid()]", stage="parameters")) == 36
    for expression in ("[utcNow()]", "[newGuid()]"):
        with pytest.raises(TemplateError, match="can only be used with parameter default value"):
            ev(expression)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[dateTimeAdd('2020-01-31T00:00:00Z', 'P1M')]", "2020-02-29T00:00:00Z"),
        ("[dateTimeAdd('2020-01-01T00:00:00Z', '-PT1H')]", "2019-12-31T23:00:00Z"),
        ("[dateTimeAdd('2020-01-01T00:00:00Z', 'P1Y', 'yyyy-MM-dd')]", "2021-01-01"),
        ("[dateTimeToEpoch('2023-04-01T01:00:38Z')]", 1680310838),
        ("[dateTimeFromEpoch(0)]", "1970-01-01T00:00:00Z"),
    ],
)
def test_date_functions(expression: str, expected: Any) -> None:
    assert ev(expression) == expected
