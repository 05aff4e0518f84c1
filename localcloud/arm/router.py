"""Case-insensitive routing for ARM paths (the SDK sends `resourcegroups`, bodies say
`resourceGroups`; Azure accepts both).

Patterns are written with `{name}` placeholders, e.g.
`/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.resources/deployments/{name}`;
literal segments match case-insensitively, placeholders match one non-empty segment
(`{rest*}` matches one or more segments, greedily). The first registered match wins;
fallback routes (`add_fallback`, e.g. the generic resource routes) are tried only after
every regular route, whatever the registration order.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]

_PLACEHOLDER = re.compile(r"\{(\w+)(\*?)\}")


def _compile(pattern: str) -> re.Pattern[str]:
    out = []
    pos = 0
    for m in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        name, star = m.group(1), m.group(2)
        out.append(f"(?P<{name}>.+?)" if star else f"(?P<{name}>[^/]+)")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(out) + "/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler


class ArmRouter:
    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._fallbacks: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, first: bool = False) -> None:
        """Register a route; `first=True` puts it ahead of every route registered so far
        (specific routes such as deployments must win over generic `{rest*}` ones)."""
        route = Route(method.upper(), pattern, _compile(pattern), handler)
        if first:
            self._routes.insert(0, route)
        else:
            self._routes.append(route)

    def add_fallback(self, method: str, pattern: str, handler: Handler) -> None:
        """A route tried only when no regular route matches."""
        self._fallbacks.append(Route(method.upper(), pattern, _compile(pattern), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler and decoded placeholders, or None (the caller answers 404/405)."""
        for route in (*self._routes, *self._fallbacks):
            if route.method != method.upper():
                continue
            m = route.regex.match(path)
            if m:
                return route.handler, {k: unquote(v) for k, v in m.groupdict().items()}
        return None

    def allows_path(self, path: str) -> bool:
        return any(r.regex.match(path) for r in (*self._routes, *self._fallbacks))
