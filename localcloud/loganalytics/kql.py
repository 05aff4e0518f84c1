"""A small, honest subset of KQL: tokens and a parser to plain data (pure).

    <Table> ( | <operator> )*
    where <predicate>              and / or / not(...) / ( ... ); comparisons ==, !=, =~, !~,
                                   <, <=, >, >=, contains, !contains, has, !has, startswith,
                                   !startswith, endswith, !endswith (and their _cs forms),
                                   in (...), !in (...), in~ (...), has_any (...)
    project <col> [= <col>], ...   (a rename is `new = old`)
    order by | sort by <col> [asc|desc], ...   (desc when not said, as in KQL)
    take <n> | limit <n>
    top <n> by <col> [asc|desc]
    count
Values: columns, 'strings' or "strings", numbers, true / false, ago(<timespan>), now(),
datetime(<text>); timespans like 30s, 5m, 1h, 2d, 100ms.

Anything else is a `KqlError` carrying the kind of error Log Analytics reports (syntax, or
an operator this emulator does not support).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from localcloud.loganalytics.kqltokens import KqlError, Token, timespan, tokenize, unquote


# -- the plain-data query --------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    position: int


@dataclass(frozen=True)
class Literal_:
    value: str | float | bool | timedelta


@dataclass(frozen=True)
class Call:
    name: Literal["ago", "now", "datetime"]
    argument: Literal_ | None


Value = Column | Literal_ | Call


@dataclass(frozen=True)
class Compare:
    op: str  # ==, !=, =~, !~, <, <=, >, >=, contains, !contains, ..., in, !in, in~, has_any
    left: Value
    right: Value | tuple[Value, ...]


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    parts: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    inner: Predicate


Predicate = Compare | BoolOp | Not


@dataclass(frozen=True)
class Where:
    predicate: Predicate


@dataclass(frozen=True)
class Project:
    columns: tuple[tuple[str, Column], ...]  # (output name, source column)


@dataclass(frozen=True)
class Order:
    keys: tuple[tuple[Column, bool], ...]  # (column, descending)


@dataclass(frozen=True)
class Take:
    count: int


@dataclass(frozen=True)
class Count:
    pass


@dataclass(frozen=True)
class Top:
    count: int
    keys: tuple[tuple[Column, bool], ...]


Operator = Where | Project | Order | Take | Top | Count


@dataclass(frozen=True)
class Query:
    table: str
    table_position: int
    operators: tuple[Operator, ...]


STRING_OPS = (
    "contains",
    "contains_cs",
    "has",
    "has_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
)
COMPARE_OPS = ("==", "!=", "=~", "!~", "<", "<=", ">", ">=")
LIST_OPS = ("in", "!in", "in~", "!in~", "has_any")
SUPPORTED = "where, project, order by, sort by, take, limit, top, count"


class Parser:
    def __init__(self, text: str) -> None:
        self._tokens = tokenize(text)
        self._i = 0

    # -- helpers ------------------------------------------------------------------------
    @property
    def _peek(self) -> Token:
        return self._tokens[self._i]

    def _next(self) -> Token:
        token = self._tokens[self._i]
        self._i = min(self._i + 1, len(self._tokens) - 1)
        return token

    def _fail(self, token: Token | None = None) -> KqlError:
        token = token or self._peek
        shown = token.text or "<end of query>"
        return KqlError(
            "syntax",
            f"Query could not be parsed at '{shown}' on line [1,{token.position}]",
            token.position,
            token.text,
        )

    def _word(self, *words: str) -> Token:
        token = self._next()
        if token.text.lower() not in words:
            raise self._fail(token)
        return token

    def _is(self, *words: str) -> bool:
        return self._peek.text.lower() in words and self._peek.kind in ("name", "op")

    # -- grammar ------------------------------------------------------------------------
    def query(self) -> Query:
        table = self._next()
        if table.kind != "name":
            raise self._fail(table)
        operators: list[Operator] = []
        while self._peek.kind != "end":
            if self._next().text != "|":
                raise self._fail(self._tokens[self._i - 1])
            operators.append(self._operator())
        return Query(table.text, table.position, tuple(operators))

    def _operator(self) -> Operator:
        token = self._next()
        match token.text.lower():
            case "where":
                return Where(self._or())
            case "project":
                return Project(self._projection())
            case "order" | "sort":
                self._word("by")
                return Order(self._sort_keys())
            case "take" | "limit":
                return Take(self._count())
            case "top":
                count = self._count()
                self._word("by")
                return Top(count, self._sort_keys())
            case "count":
                return Count()
            case name if token.kind == "name":
                raise KqlError(
                    "unsupported",
                    f"The '{name}' operator is not supported by localcloud's Log Analytics "
                    f"query API (supported: {SUPPORTED}).",
                    token.position,
                    token.text,
                )
        raise self._fail(token)

    def _count(self) -> int:
        token = self._next()
        if token.kind != "number" or "." in token.text:
            raise self._fail(token)
        return int(token.text)

    def _column(self) -> Column:
        token = self._next()
        if token.kind != "name":
            raise self._fail(token)
        return Column(token.text, token.position)

    def _projection(self) -> tuple[tuple[str, Column], ...]:
        out = []
        while True:
            first = self._column()
            if self._peek.text == "=":
                self._next()
                out.append((first.name, self._column()))
            else:
                out.append((first.name, first))
            if self._peek.text != ",":
                return tuple(out)
            self._next()

    def _sort_keys(self) -> tuple[tuple[Column, bool], ...]:
        keys = []
        while True:
            column = self._column()
            descending = True
            if self._is("asc", "desc"):
                descending = self._next().text.lower() == "desc"
            keys.append((column, descending))
            if self._peek.text != ",":
                return tuple(keys)
            self._next()

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._is("or"):
            self._next()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._is("and"):
            self._next()
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def _unary(self) -> Predicate:
        if self._is("not"):
            self._next()
            self._expect("(")
            inner = self._or()
            self._expect(")")
            return Not(inner)
        if self._peek.text == "(":
            self._next()
            inner = self._or()
            self._expect(")")
            return inner
        return self._comparison()

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise self._fail(token)

    def _comparison(self) -> Compare:
        left = self._value()
        token = self._next()
        op = token.text.lower()
        if op in LIST_OPS:
            return Compare(op, left, self._list())
        if op in COMPARE_OPS or op in STRING_OPS or op.lstrip("!") in STRING_OPS:
            return Compare(op, left, self._value())
        if token.kind == "name" or token.text.startswith("!"):
            raise KqlError(
                "unsupported",
                f"The '{token.text}' operator is not supported by localcloud's Log Analytics "
                "query API.",
                token.position,
                token.text,
            )
        raise self._fail(token)

    def _list(self) -> tuple[Value, ...]:
        self._expect("(")
        values = [self._value()]
        while self._peek.text == ",":
            self._next()
            values.append(self._value())
        self._expect(")")
        return tuple(values)

    def _value(self) -> Value:
        token = self._next()
        match token.kind:
            case "string":
                return Literal_(unquote(token.text))
            case "number":
                return Literal_(float(token.text))
            case "timespan":
                return Literal_(timespan(token.text))
            case "datetime":
                inner = token.text[token.text.index("(") + 1 : -1].strip()
                return Call("datetime", Literal_(unquote(inner)))
            case "name" if token.text.lower() in ("true", "false"):
                return Literal_(token.text.lower() == "true")
            case "name" if self._peek.text == "(":
                return self._call(token)
            case "name":
                return Column(token.text, token.position)
        raise self._fail(token)

    def _call(self, token: Token) -> Call:
        name = token.text.lower()
        self._expect("(")
        if name == "now":
            self._expect(")")
            return Call("now", None)
        if name == "ago":
            argument = self._value()
            self._expect(")")
            if not isinstance(argument, Literal_) or not isinstance(argument.value, timedelta):
                raise self._fail(token)
            return Call("ago", argument)
        raise KqlError(
            "unsupported",
            f"The function '{token.text}' is not supported by localcloud's Log Analytics query "
            "API (supported: ago, now, datetime).",
            token.position,
            token.text,
        )


def parse(text: str) -> Query:
    """The query as plain data, or a `KqlError`."""
    return Parser(text).query()
