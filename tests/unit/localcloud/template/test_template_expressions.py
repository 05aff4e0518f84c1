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
    ("text", "message"),
    [
        (
            "[concat('a',]",
            "Unable to parse language expression 'concat('a',': expected token 'Identifier' and "
            "actual 'EndOfData'.",
        ),
        (
            "[concat('a' 'b')]",
            "Unable to parse language expression 'concat('a' 'b')': expected token "
            "'RightParenthesis' and actual 'String'.",
        ),
        (
            "[concat('a']",
            "Unable to parse language expression 'concat('a'': expected token 'RightParenthesis' "
            "and actual 'EndOfData'.",
        ),
        (
            "['abc]",
            "The language expression ''abc' is not valid: the string literal starting at "
            "position '1' is not terminated.",
        ),
        (
            "[foo]",
            "Unable to parse language expression 'foo': expected token 'LeftParenthesis' and "
            "actual 'EndOfData'.",
        ),
        (
            "[a() b()]",
            "Unable to parse language expression 'a() b()': expected token 'EndOfData' and "
            "actual 'Identifier'.",
        ),
        (
            "[a().]",
            "Unable to parse language expression 'a().': expected token 'Identifier' and actual "
            "'EndOfData'.",
        ),
        (
            "[a()[0]",
            "Unable to parse language expression 'a()[0': expected token 'RightSquareBracket' "
            "and actual 'EndOfData'.",
        ),
        (
            "[a(#)]",
            "The language expression 'a(#)' is not valid: the string character '#' at position "
            "'3' is not expected.",
        ),
        (
            "[12ab()]",
            "The language expression '12ab()' is not valid: the string character 'a' at "
            "position '3' is not expected.",
        ),
        (
            "[ ]",
            "Unable to parse language expression ' ': expected token 'Identifier' and actual "
            "'EndOfData'.",
        ),
        (
            "[concat([[x]])]",
            "Unable to parse language expression 'concat([[x]])': expected token 'Identifier' "
            "and actual 'LeftSquareBracket'.",
        ),
    ],
)
def test_syntax_errors_read_as_arms(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_expression(text)
    assert info.value.message == message
    assert info.value.code == "InvalidTemplate"


def test_too_deep_nesting_is_a_template_error() -> None:
    text = "[" + "a(" * 200 + ")" * 200 + "]"
    with pytest.raises(TemplateError, match="nesting deeper than"):
        parse_expression(text)
