"""Recorded Azure answers served to the official SDK clients, without a network.

`RecordedTransport` is an azure-core `HttpTransport`: each request the SDK sends gets the
next recorded answer (JSON files in `recordings/`, each citing the public recording it was
taken from). Underneath it is azure-core's own `RequestsTransport` over a requests adapter
that answers from the recording, so the SDK reads status, headers and body exactly as it
reads a real response. Requests are kept, so tests can say what was asked.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport, RequestsTransport
from requests.adapters import BaseAdapter
from urllib3 import HTTPResponse

RECORDINGS = Path(__file__).parent / "recordings"
SUBSCRIPTION = "5ca082f3-38f2-4bb0-b0a4-c401184ae3a8"  # the recordings' subscription


@dataclass(frozen=True)
class Exchange:
    method: str
    status: int
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    url: str = ""


def recording(name: str) -> list[Exchange]:
    doc = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    assert doc["source"]["repo"] and len(doc["source"]["commit"]) == 40, name
    return [
        Exchange(e["method"], int(e["status"]), e.get("body"), e.get("headers") or {}, e["url"])
        for e in doc["exchanges"]
    ]


class _Answers(BaseAdapter):  # type: ignore[misc]
    def __init__(self, exchanges: Sequence[Exchange], asked: list[tuple[str, str]]) -> None:
        super().__init__()
        self._pending = list(exchanges)
        self._asked = asked

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self._asked.append((str(request.method), str(request.url)))
        assert self._pending, f"no recorded answer left for {request.method} {request.url}"
        exchange = self._pending.pop(0)
        assert exchange.method == request.method, (exchange.method, request.method, request.url)
        data = b"" if exchange.body is None else json.dumps(exchange.body).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **exchange.headers}
        headers["Content-Length"] = str(len(data))
        response = requests.Response()
        response.status_code = exchange.status
        response.headers.update(headers)
        response.raw = HTTPResponse(
            body=io.BytesIO(data), headers=headers, status=exchange.status, preload_content=False
        )
        response.url = str(request.url)
        response.request = request
        response.reason = "recorded"
        return response

    def close(self) -> None:
        return None


class RecordedTransport(HttpTransport):  # type: ignore[misc]
    """An azure-core transport answering from recorded exchanges, in order."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self.asked: list[tuple[str, str]] = []
        session = requests.Session()
        session.mount("https://", _Answers(exchanges, self.asked))
        self._inner = RequestsTransport(session=session, session_owner=False)

    def __enter__(self) -> RecordedTransport:
        self._inner.__enter__()
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def open(self) -> None:
        self._inner.open()

    def close(self) -> None:
        return None

    def send(self, request: Any, **kwargs: Any) -> Any:
        return self._inner.send(request, **kwargs)


class StaticToken:
    """A credential handing out one token (the recordings need none)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("token", 4102444800)


def client_kwargs(transport: RecordedTransport) -> dict[str, Any]:
    return {
        "base_url": "https://management.azure.com",
        "transport": transport,
        "polling_interval": 0,
        "retry_total": 0,
    }


def body_of(exchanges: Sequence[Exchange]) -> Iterator[object]:
    yield from (e.body for e in exchanges)
