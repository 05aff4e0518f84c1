"""ARM list pages: `{"value": [...], "nextLink": "...&$skiptoken=..."}`.

A list answers one page; `nextLink` (present only when more follows) repeats the request with
a `$skiptoken`. Azure's pages may come back empty with a `nextLink` (its recorded skiptoken
pages do); the admin settings `page_size` and `empty_pages` make localcloud page the same way
so clients are tested against it: with `empty_pages`, every page is preceded by an empty one.
The skiptoken is `<offset>` for a page and `e<offset>` for the empty page before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from aiohttp import web

from localcloud.arm.responses import json_response, query_value

if TYPE_CHECKING:
    from localcloud.cloud import Settings


@dataclass(frozen=True)
class PageRequest:
    offset: int
    empty: bool  # this request is the empty page before the one at `offset`


def parse_token(token: str | None, empty_pages: bool) -> PageRequest:
    """Where a page starts (pure); no token is the first page."""
    if token is None:
        return PageRequest(0, empty_pages)
    empty = token.startswith("e")
    digits = token[1:] if empty else token
    return PageRequest(int(digits) if digits.isdigit() else 0, empty)


def page_of(
    items: Sequence[Any], start: PageRequest, size: int, empty_pages: bool
) -> tuple[list[Any], str | None]:
    """The items of one page and the skiptoken of the next (None: last page) (pure)."""
    if start.empty:
        return [], str(start.offset)
    end = start.offset + size
    chosen = list(items[start.offset : end])
    if end >= len(items):
        return chosen, None
    return chosen, (f"e{end}" if empty_pages else str(end))


def next_link(base_url: str, request: web.Request, token: str) -> str:
    params = {k: v for k, v in request.query.items() if k.lower() != "$skiptoken"}
    params["$skiptoken"] = token
    return f"{base_url}{request.path}?{urlencode(params, quote_via=quote, safe='$')}"


def page_response(
    base_url: str,
    request: web.Request,
    items: Sequence[Any],
    settings: Settings,
    *,
    default_size: int = 1000,
    extra: Mapping[str, Any] | None = None,
) -> web.Response:
    """The page of `items` this request asks for, as ARM shapes a list answer."""
    size = settings.page_size or default_size
    empty_pages = settings.empty_pages
    start = parse_token(query_value(request, "$skiptoken"), empty_pages)
    chosen, token = page_of(items, start, size, empty_pages)
    doc: dict[str, Any] = {"value": chosen, **(extra or {})}
    if token is not None:
        doc["nextLink"] = next_link(base_url, request, token)
    return json_response(doc)
