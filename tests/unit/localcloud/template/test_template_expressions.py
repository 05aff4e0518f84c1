"""The expression parser: AST shapes, escapes and precise errors."""

from __future__ import annotations

import pytest

from localcloud.template import TemplateError, is_expression, parse_expression
from localcloud.template.nodes import Call, Index, Literal, Member


def test_nested_calls_parse_into_call_nodes() -> None:
    node = parse_expression("[concat(parameters('a'), 'b')]")
    assert node == Call("concat", (Call("parameters", (Literal("a", 19),), 8), Literal("b", 25)), 1)


def test_doubled_quote_is_an_escaped_quote() -> None:
    assert parse_expression("['it''s']") == Literal("it's", 1)


def test_negative_integer_literal() -> None:
    node = parse_expression("[add(-1, 2)]")
    assert isinstance(node, Call)
    assert node.args[0] == Literal(-1, 5)


def test_property_and_index_access_chain() -> None:
    node = parse_expression("[reference('x').keys[0]['value'].name]")
    assert isinstance(node, Member) and node.name == "name"
    assert isinstance(node.target, Index) and node.target.index == Literal("value", 24)
    inner = node.target.target
    assert isinstance(inner, Index) and inner.index == Literal(0, 21)
    assert isinstance(inner.target, Member) and inner.target.name == "keys"


def test_whitespace_between_tokens_is_ignored() -> None:
    node = parse_expression("[ concat ( 'a' , 'b' ) ]")
    assert node == Call("concat", (Literal("a", 11), Literal("b", 17)), 2)


def test_true_and_null_are_function_calls() -> None:
    assert parse_expression("[true()]") == Call("true", (), 1)
    assert parse_expression("[null()]") == Call("null", (), 1)


def test_namespaced_user_function_call() -> None:
    assert parse_expression("[my.fn(1)]") == Call("my.fn", (Literal(1, 7),), 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("[x]", True), ("[[x]", False), ("plain", False), ("[x", False), ("x]", False), ("[", False)],
)
def test_is_expression_recognises_bracketed_strings(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[concat('a',]", "expected a function name, string or integer at position 12"),
        ("[concat('a' 'b')]", "expected ',' or ')' at position 12 but found ''b''"),
        ("[concat('a']", "expected ',' or ')' at position 11 but found the end of the expression"),
        ("['abc]", "string literal starting at position 1 is not terminated"),
        ("[foo]", "expected '(' at position 4 but found the end of the expression"),
        ("[a() b()]", "expected the end of the expression at position 5 but found 'b'"),
        ("[a().]", "expected a property name at position 5"),
        ("[a()[0]", "expected ']' at position 6 but found the end of the expression"),
        ("[a(#)]", "the character '#' at position 3 is not expected"),
        ("[12ab()]", "the character 'a' at position 3 is not expected"),
        ("[ ]", "expected a function call at position 1"),
    ],
)
def test_syntax_errors_say_where_and_what_was_expected(text: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_expression(text)
    assert fragment in info.value.message
    assert info.value.code == "InvalidTemplate"


def test_too_deep_nesting_is_a_template_error() -> None:
    text = "[" + "a(" * 200 + ")" * 200 + "]"
    with pytest.raises(TemplateError, match="nesting deeper than"):
        parse_expression(text)
