"""Tokenizer and recursive-descent parser for ARM template expressions.

A JSON string is an expression when it starts with `[` and ends with `]`; a string starting
with `[[` is the literal text with the first bracket removed. Grammar (positions in nodes and
errors are 0-based offsets into the whole JSON string, the opening `[` being 0):

    expression := primary ( "." IDENT | "[" expression "]" )*
    primary    := STRING | INT | IDENT ( "." IDENT )? "(" [ expression ( "," expression )* ] ")"

Errors read as ARM's do, naming tokens the way its parser does: "Unable to parse language
expression 'concat('a'': expected token 'RightParenthesis' and actual 'EndOfData'." and, for
a character no token starts with, "The language expression '...' is not valid: the string
character '{' at position '4' is not expected." (both quoted in public ARM error reports, e.g.
Azure/azure-cli#14373, mspnp/microservices-reference-implementation#217,
Azure/azure-api-management-devops-resource-kit#561).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from localcloud.template.errors import TemplateError
from localcloud.template.nodes import Call, Index, Literal, Member, Node

MAX_DEPTH = 64

# ARM's names for the tokens, as its parse errors show them.
_PUNCTUATION = {
    "(": "LeftParenthesis",
    ")": "RightParenthesis",
    "[": "LeftSquareBracket",
    "]": "RightSquareBracket",
    ",": "Comma",
    ".": "Dot",
}
_KINDS = {"string": "String", "int": "Integer", "ident": "Identifier", "end": "EndOfData"}


@dataclass(frozen=True)
class Token:
    kind: str  # "punct", "string", "int", "ident", "end"
    text: str
    value: str | int
    position: int

    def describe(self) -> str:
        """ARM's name for this token's type."""
        return _PUNCTUATION[self.text] if self.kind == "punct" else _KINDS[self.kind]


def is_expression(text: str) -> bool:
    """True when a JSON string is a template language expression."""
    return len(text) >= 2 and text[0] == "[" and text[-1] == "]" and not text.startswith("[[")


def unescape_literal(text: str) -> str:
    """The literal value of a non-expression JSON string (`[[x]` -> `[x]`)."""
    return text[1:] if text.startswith("[[") else text


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Node:
    """Parse a full `[...]` expression string into its AST."""
    if not is_expression(text):
        raise TemplateError(f"The string '{text}' is not a template language expression.")
    parser = _Parser(text, tokenize(text, 1, len(text) - 1))
    node = parser.expression(0)
    parser.expect_end()
    return node


def tokenize(text: str, start: int, stop: int) -> list[Token]:
    """Split `text[start:stop]` into tokens; positions are offsets into `text`."""
    tokens: list[Token] = []
    i = start
    while i < stop:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in _PUNCTUATION:
            tokens.append(Token("punct", char, char, i))
            i += 1
        elif char == "'":
            i = _read_string(text, i, stop, tokens)
        elif _digit(char) or (char == "-" and i + 1 < stop and _digit(text[i + 1])):
            i = _read_int(text, i, stop, tokens)
        elif char.isalpha() or char == "_" or char == "$":
            i = _read_ident(text, i, stop, tokens)
        else:
            raise _unexpected(text, char, i)
    tokens.append(Token("end", "", "", stop))
    return tokens


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def _read_string(text: str, i: int, stop: int, tokens: list[Token]) -> int:
    start = i
    parts: list[str] = []
    i += 1
    while i < stop:
        if text[i] == "'":
            if i + 1 < stop and text[i + 1] == "'":
                parts.append("'")
                i += 2
                continue
            tokens.append(Token("string", text[start : i + 1], "".join(parts), start))
            return i + 1
        parts.append(text[i])
        i += 1
    raise TemplateError(
        f"The language expression '{text[1:-1]}' is not valid: the string literal starting at "
        f"position '{start}' is not terminated."
    )


def _read_int(text: str, i: int, stop: int, tokens: list[Token]) -> int:
    start = i
    i += 1
    while i < stop and _digit(text[i]):
        i += 1
    if i < stop and (text[i].isalpha() or text[i] == "_"):
        raise _unexpected(text, text[i], i)
    literal = text[start:i]
    tokens.append(Token("int", literal, int(literal), start))
    return i


def _read_ident(text: str, i: int, stop: int, tokens: list[Token]) -> int:
    start = i
    while i < stop and (text[i].isalnum() or text[i] in "_$"):
        i += 1
    tokens.append(Token("ident", text[start:i], text[start:i], start))
    return i


def _unexpected(text: str, char: str, position: int) -> TemplateError:
    return TemplateError(
        f"The language expression '{text[1:-1]}' is not valid: the string character '{char}' "
        f"at position '{position}' is not expected."
    )


def _error(text: str, expected: str, actual: Token) -> TemplateError:
    return TemplateError(
        f"Unable to parse language expression '{text[1:-1]}': expected token '{expected}' and "
        f"actual '{actual.describe()}'."
    )


class _Parser:
    def __init__(self, text: str, tokens: list[Token]):
        self._text = text
        self._tokens = tokens
        self._pos = 0

    def _peek(self) -> Token:
        return self._tokens[self._pos]

    def _next(self) -> Token:
        token = self._tokens[self._pos]
        if token.kind != "end":
            self._pos += 1
        return token

    def _fail(self, expected: str) -> TemplateError:
        return _error(self._text, expected, self._peek())

    def _accept(self, punct: str) -> bool:
        token = self._peek()
        if token.kind == "punct" and token.text == punct:
            self._pos += 1
            return True
        return False

    def _expect(self, punct: str) -> None:
        if not self._accept(punct):
            raise self._fail(_PUNCTUATION[punct])

    def expect_end(self) -> None:
        if self._peek().kind != "end":
            raise self._fail("EndOfData")

    def expression(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            token = self._peek()
            raise TemplateError(
                f"Unable to parse language expression '{self._text}': nesting deeper than "
                f"{MAX_DEPTH} levels at position {token.position}."
            )
        node = self._primary(depth)
        while True:
            token = self._peek()
            if self._accept("."):
                name = self._next()
                if name.kind != "ident":
                    raise _error(self._text, "Identifier", name)
                node = Member(node, str(name.value), token.position)
            elif self._accept("["):
                index = self.expression(depth + 1)
                self._expect("]")
                node = Index(node, index, token.position)
            else:
                return node

    def _primary(self, depth: int) -> Node:
        token = self._next()
        if token.kind in ("string", "int"):
            return Literal(token.value, token.position)
        if token.kind != "ident":
            self._pos -= token.kind != "end"
            raise self._fail("Identifier")
        name = str(token.value)
        if self._peek().text == "." and self._is_namespaced_call():
            self._pos += 1
            name = f"{name}.{self._next().value}"
        self._expect("(")
        return Call(name, self._arguments(depth), token.position)

    def _is_namespaced_call(self) -> bool:
        """`ns.fn(`: a user-defined function in a namespace."""
        following = self._tokens[self._pos + 1 : self._pos + 3]
        return [t.kind for t in following] == ["ident", "punct"] and following[1].text == "("

    def _arguments(self, depth: int) -> tuple[Node, ...]:
        args: list[Node] = []
        if self._accept(")"):
            return ()
        while True:
            args.append(self.expression(depth + 1))
            if self._accept(")"):
                return tuple(args)
            if not self._accept(","):
                raise self._fail("RightParenthesis")
