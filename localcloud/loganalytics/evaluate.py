"""Run a parsed query (kql.py) over a workspace's rows (pure: the rows and `now` are given).

A table exists in a workspace only once a row was written to it, as in Log Analytics, where a
query naming a table that never received data fails with `SEM0100 ... Failed to resolve
table or column expression`. Names are case-sensitive, as in KQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from localcloud.loganalytics.kql import (
    BoolOp,
    Call,
    Column,
    Compare,
    Count,
    Literal_,
    Not,
    Order,
    Predicate,
    Project,
    Query,
    Take,
    Top,
    Value,
    Where,
)
from localcloud.loganalytics.kqltokens import KqlError
from localcloud.loganalytics.tables import SCHEMAS

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Result:
    columns: tuple[tuple[str, str], ...]  # (name, Log Analytics type)
    rows: tuple[tuple[Any, ...], ...]


def run(query: Query, tables: Mapping[str, Sequence[Row]], now: datetime) -> Result:
    first = _operator_name(query.operators[0]) if query.operators else None
    if query.table not in SCHEMAS or not tables.get(query.table):
        where = f"'{first}' operator: " if first else ""
        raise KqlError(
            "semantic",
            f"{where}Failed to resolve table or column expression named '{query.table}'",
            query.table_position,
            query.table,
        )
    columns = SCHEMAS[query.table]
    rows: list[Row] = list(tables[query.table])
    for operator in query.operators:
        columns, rows = _apply(operator, columns, rows, now)
    names = [name for name, _ in columns]
    return Result(columns, tuple(tuple(row.get(n) for n in names) for row in rows))


def _operator_name(operator: object) -> str:
    return {
        Where: "where",
        Project: "project",
        Order: "order",
        Take: "take",
        Top: "top",
        Count: "count",
    }[type(operator)]


Columns = tuple[tuple[str, str], ...]


def _apply(
    operator: object, columns: Columns, rows: list[Row], now: datetime
) -> tuple[Columns, list[Row]]:
    known = {name for name, _ in columns}
    match operator:
        case Where(predicate=predicate):
            _check(predicate, known, "where")
            return columns, [r for r in rows if _test(predicate, r, now)]
        case Project(columns=chosen):
            types = dict(columns)
            for _, source in chosen:
                _require(source, known, "project")
            out_columns = tuple((name, types[source.name]) for name, source in chosen)
            return out_columns, [{n: r.get(s.name) for n, s in chosen} for r in rows]
        case Order(keys=keys):
            return columns, _sorted(rows, keys, known, "order")
        case Take(count=count):
            return columns, rows[:count]
        case Top(count=count, keys=keys):
            return columns, _sorted(rows, keys, known, "top")[:count]
        case Count():
            return (("Count", "long"),), [{"Count": len(rows)}]
    raise KqlError("unsupported", f"operator {operator!r} is not supported")


def _require(column: Column, known: set[str], where: str) -> None:
    if column.name not in known:
        raise KqlError(
            "semantic",
            f"'{where}' operator: Failed to resolve column or scalar expression named "
            f"'{column.name}'",
            column.position,
            column.name,
        )


def _check(predicate: Predicate, known: set[str], where: str) -> None:
    match predicate:
        case BoolOp(parts=parts):
            for part in parts:
                _check(part, known, where)
        case Not(inner=inner):
            _check(inner, known, where)
        case Compare(left=left, right=right):
            values = right if isinstance(right, tuple) else (right,)
            for value in (left, *values):
                if isinstance(value, Column):
                    _require(value, known, where)


def _sorted(
    rows: list[Row], keys: tuple[tuple[Column, bool], ...], known: set[str], where: str
) -> list[Row]:
    out = list(rows)
    for column, descending in reversed(keys):
        _require(column, known, where)
        present = [r for r in out if r.get(column.name) is not None]
        missing = [r for r in out if r.get(column.name) is None]
        present.sort(key=_key(column.name), reverse=descending)
        out = present + missing if descending else missing + present
    return out


def _key(name: str) -> Callable[[Row], Any]:
    return lambda row: row[name]


# -- predicates ------------------------------------------------------------------------------
def _test(predicate: Predicate, row: Row, now: datetime) -> bool:
    match predicate:
        case BoolOp(op="and", parts=parts):
            return all(_test(p, row, now) for p in parts)
        case BoolOp(parts=parts):
            return any(_test(p, row, now) for p in parts)
        case Not(inner=inner):
            return not _test(inner, row, now)
        case Compare(op=op, left=left, right=right):
            value = _value(left, row, now)
            if isinstance(right, tuple):
                return _in_list(op, value, [_value(v, row, now) for v in right])
            return _compare(op, value, _value(right, row, now))
    raise KqlError("unsupported", "unsupported predicate")


def _value(value: Value, row: Row, now: datetime) -> Any:
    match value:
        case Column(name=name):
            return row.get(name)
        case Literal_(value=literal):
            return literal
        case Call(name="now"):
            return now
        case Call(name="ago", argument=Literal_(value=timedelta() as span)):
            return now - span
        case Call(name="datetime", argument=Literal_(value=str(text))):
            return parse_datetime(text)
    raise KqlError("semantic", f"cannot evaluate {value!r}")


def parse_datetime(text: str) -> datetime:
    cleaned = text.strip().replace("Z", "+00:00")
    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError as err:
        raise KqlError("syntax", f"'{text}' is not a datetime") from err
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return render_datetime(value)
    return "" if value is None else str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op.lstrip("!").split("_")[0] in ("contains", "has", "startswith", "endswith"):
        return _string_op(op, _text(left), _text(right))
    if op in ("=~", "!~"):
        return (_text(left).lower() == _text(right).lower()) == (op == "=~")
    left, right = _comparable(left, right)
    if left is None or right is None:
        return op == "!=" and left is not right
    match op:
        case "==":
            return bool(left == right)
        case "!=":
            return bool(left != right)
        case "<":
            return bool(left < right)
        case "<=":
            return bool(left <= right)
        case ">":
            return bool(left > right)
        case ">=":
            return bool(left >= right)
    raise KqlError("unsupported", f"the operator '{op}' is not supported")


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, datetime) and isinstance(right, str):
        return left, parse_datetime(right)
    if isinstance(right, datetime) and isinstance(left, str):
        return parse_datetime(left), right
    numeric = (int, float)
    if isinstance(left, numeric) and isinstance(right, numeric):
        return left, right
    if left is not None and right is not None and type(left) is not type(right):
        raise KqlError(
            "semantic",
            f"Cannot compare values of types {_kind(left)} and {_kind(right)}. Try adding "
            "explicit casts",
        )
    return left, right


def _kind(value: Any) -> str:
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "real"
    if isinstance(value, timedelta):
        return "timespan"
    return "string"


def _string_op(op: str, left: str, right: str) -> bool:
    negate = op.startswith("!")
    name = op.lstrip("!")
    if not name.endswith("_cs"):
        left, right = left.lower(), right.lower()
    match name.split("_")[0]:
        case "contains":
            found = right in left
        case "has":
            term = r"(?<![a-z0-9])" + re.escape(right) + r"(?![a-z0-9])"
            found = re.search(term, left, re.IGNORECASE) is not None
        case "startswith":
            found = left.startswith(right)
        case _:
            found = left.endswith(right)
    return bool(found) != negate


def _in_list(op: str, value: Any, options: list[Any]) -> bool:
    if op == "has_any":
        return any(_string_op("has", _text(value), _text(o)) for o in options)
    insensitive = op.endswith("~")
    text = _text(value).lower() if insensitive else value
    wanted = [_text(o).lower() if insensitive else o for o in options]
    return (text in wanted) != op.startswith("!")


def render_datetime(moment: datetime) -> str:
    """`2024-05-07T06:53:56.6355660Z`: seven fraction digits, as Log Analytics answers."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
