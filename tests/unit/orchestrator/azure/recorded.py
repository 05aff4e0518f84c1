"""Recorded Azure answers served to the official SDK clients, without a network.

`RecordedTransport` is an azure-core `HttpTransport`: each request the SDK sends gets the
next recorded answer of its method (JSON files in `recordings/`, each citing the public
recording it was taken from). Underneath it is azure-core's own `RequestsTransport` over a
requests adapter that answers from the recording, so the SDK reads status, headers and body
exactly as it reads a real response. The same queue answers the plain ARM client
(`orchestrator.azure.arm`) through `RecordedTransport.request`, the method
`transport.Transport` offers. Requests are kept, so tests can say what was asked.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport, RequestsTransport
from requests.adapters import BaseAdapter
from urllib3 import HTTPResponse

from orchestrator.azure.arm import Arm
from orchestrator.azure.transport import Response

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
        self._lock = threading.Lock()

    def next(self, method: str, url: str) -> tuple[Exchange, bytes, dict[str, str]]:
        """The first pending answer of the request's method: requests an adapter sends at
        once from several threads (a GET beside a POST) each get their own, while those of
        one method keep the recorded order."""
        with self._lock:
            self._asked.append((method, url))
            found = next((e for e in self._pending if e.method == method), None)
            assert found is not None, f"no recorded answer left for {method} {url}"
            self._pending.remove(found)
        exchange = found
        data = b"" if exchange.body is None else json.dumps(exchange.body).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **exchange.headers}
        headers["Content-Length"] = str(len(data))
        return exchange, data, headers

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        exchange, data, headers = self.next(str(request.method), str(request.url))
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
    """An azure-core transport answering from recorded exchanges, in order per method."""

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        self.asked: list[tuple[str, str]] = []
        self._answers = _Answers(exchanges, self.asked)
        session = requests.Session()
        session.mount("https://", self._answers)
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

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None = None, body: object = None
    ) -> Response:
        """The next answer, as `transport.Transport.request` returns it."""
        _exchange, data, found = self._answers.next(method, url)
        names = {k.lower(): v for k, v in found.items()}
        return Response(_exchange.status, "recorded", names, data)


def recorded_arm(transport: RecordedTransport) -> Arm:
    """The plain ARM client of the recordings' subscription, answered by `transport`."""
    return Arm(
        "https://management.azure.com",
        SUBSCRIPTION,
        cast(Any, StaticToken()),
        "https://management.azure.com/.default",
        cast(Any, transport),
        backoff=0,
        sleep=lambda _seconds: None,
    )


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
