"""Round trips over generated input: the expression parser, string()/format() and json(),
and value positions in JSON text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localcloud.template import parse_expression, value_position
from localcloud.template.functions_logic import json_
from localcloud.template.functions_string import format_, string
from localcloud.template.nodes import Call, Index, Literal, Member, Node

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_IDENT = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,8}", fullmatch=True)


def _leaf() -> st.SearchStrategy[Node]:
    strings = st.text(max_size=12).map(lambda s: Literal(s, 0))
    ints = st.integers(-(10**12), 10**12).map(lambda i: Literal(i, 0))
    calls = st.builds(lambda n: Call(n, (), 0), _IDENT)
    return st.one_of(strings, ints, calls)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    name = st.one_of(_IDENT, st.builds(lambda a, b: f"{a}.{b}", _IDENT, _IDENT))
    call = st.builds(lambda n, a: Call(n, tuple(a), 0), name, st.lists(children, max_size=3))
    member = st.builds(lambda t, n: Member(t, n, 0), children, _IDENT)
    index = st.builds(lambda t, i: Index(t, i, 0), children, children)
    return st.one_of(call, member, index)


NODES = st.recursive(_leaf(), _extend, max_leaves=10)


def unparse(node: Node) -> str:
    if isinstance(node, Literal):
        text = node.value
        return "'" + text.replace("'", "''") + "'" if isinstance(text, str) else str(text)
    if isinstance(node, Call):
        return f"{node.name}({', '.join(unparse(arg) for arg in node.args)})"
    if isinstance(node, Member):
        return f"{unparse(node.target)}.{node.name}"
    return f"{unparse(node.target)}[{unparse(node.index)}]"


def shape(node: Node) -> Any:
    """The node without positions."""
    if isinstance(node, Literal):
        return ("lit", type(node.value).__name__, node.value)
    if isinstance(node, Call):
        return ("call", node.name, tuple(shape(arg) for arg in node.args))
    if isinstance(node, Member):
        return ("member", shape(node.target), node.name)
    return ("index", shape(node.target), shape(node.index))


@SETTINGS
@given(NODES, st.sampled_from(["", " ", "  \n"]))
def test_the_parser_reads_back_what_unparse_writes(node: Node, space: str) -> None:
    assert shape(parse_expression(f"[{space}{unparse(node)}{space}]")) == shape(node)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=10))
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
CONTAINERS = st.one_of(
    st.lists(JSON, max_size=4), st.dictionaries(st.text(max_size=6), JSON, max_size=4)
)


@SETTINGS
@given(CONTAINERS)
def test_json_reads_back_string_of_objects_and_arrays(value: Any) -> None:
    assert json_(string(value)) == value


@SETTINGS
@given(CONTAINERS)
def test_json_reads_back_the_single_quoted_text_format_prints(value: Any) -> None:
    assert json_(format_("{0}", value)) == value


@SETTINGS
@given(st.text(max_size=20))
def test_string_of_a_string_is_the_string_itself(text: str) -> None:
    assert string(text) == text


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(["a", "A", "b", "it's", 'q"', "x\\y"]), JSON, max_size=4),
    st.sampled_from([None, 2, 4]),
)
def test_value_position_points_at_the_token_of_every_value(
    doc: dict[str, Any], indent: int | None
) -> None:
    text = json.dumps(doc, indent=indent)
    lines = text.split("\n")
    for path, value in _paths(doc):
        position = value_position(text, list(path))
        assert position is not None, path
        line, column = position
        text_of = json.dumps(value)
        # Json.NET's position: a container's opening bracket, a scalar's last character
        expected = text_of[0] if text_of[0] in "[{" else text_of[-1]
        assert lines[line - 1][column - 1] == expected, path
