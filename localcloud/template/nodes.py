"""The AST of ARM template expressions (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Literal:
    """A string or integer literal."""

    value: str | int
    position: int


@dataclass(frozen=True)
class Call:
    """A function call; `name` as written (function names are case-insensitive)."""

    name: str
    args: tuple[Node, ...]
    position: int


@dataclass(frozen=True)
class Member:
    """`target.name`."""

    target: Node
    name: str
    position: int


@dataclass(frozen=True)
class Index:
    """`target[index]` (also `target['name']`)."""

    target: Node
    index: Node
    position: int


Node = Literal | Call | Member | Index
