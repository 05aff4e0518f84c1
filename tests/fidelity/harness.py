"""Replays golden exchanges (fid_exchange.py) against a running localcloud over HTTPS and
returns every divergence from the recorded Azure answer (fid_compare.py).

    replayer = Replayer(handle)                 # a tests/localcloud_fixture.py handle
    divergences = replayer.run(exchange)

For each exchange the replayer fills the placeholders with fresh values, creates the
resource group `{group}` (unless `flow.group` is false), applies `flow.settings` through the
admin API, runs the setup steps, sends the request and compares status, headers and body,
then follows the flow. Afterwards it resets the admin settings and deletes the group.

Placeholders: `{subscription}`, `{tenant}`, `{endpoint}` (https://127.0.0.1:PORT),
`{location}` (eastus unless `flow.values` says otherwise), and fresh names `{group}`,
`{account}`, `{account2}` (storage-account style), `{name}`, `{name2}`, `{env}`, `{share}`;
`flow.values` may set any of them, and setup steps add more through `capture`.

A step (setup, request, `flow.after[].request`):
    method, path (placeholders; a full URL is used as is), query {}, headers {},
    body (JSON; a string is sent as UTF-8 text), auth: "bearer" (default) | "none" |
    "sharedkey" (Shared Key for `{account}` with the key in `{key}`, e.g. captured from
    listKeys) | "bearer:<scope>" (a token for another audience, e.g. Log Analytics).
  Setup steps also take: expect (status or list; default any 2xx), wait: "lro" (follow
    Azure-AsyncOperation / Location / provisioningState to a terminal state),
    until: {"path": "body.properties.x", "in": [...]} (repeat the request until it holds),
    capture: {"placeholder": "body.a.b[0].c" | "header.Name"} (headers from the first answer,
    body values from the last one when waiting).

Flow (all optional; polls and pages re-send the request's `x-ms-*` headers, as clients do):
    values    {placeholder: value}        fixed values for this exchange
    group     false                       do not create `{group}`
    settings  {...}                       POSTed to /_localcloud/settings first
    poll      {"via": "Azure-AsyncOperation" | "Location", "running"?: answer,
               "final": answer, "timeout"?: s}
              follows the polling header of the answer until a terminal state; every
              non-terminal poll is compared with `running` (`poll.running.`), the terminal
              one with `final` (`poll.final.`)
    pages     {"item": template, "min_pages"?: n, "empty_page"?: true}
              follows `nextLink` from the answer; each page is `{value, nextLink?}`, every
              item matches `item` (`pages.`)
    after     [{"request": step, "response": answer, "capture"?: {...}}]
              further exchanges compared in order (`after[i].`)
An answer is {"status", "headers"?, "body"?}; a missing `body` is not compared, `null`
means an empty body.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import requests
from fid_compare import Divergence, compare_body, compare_headers, compare_status
from fid_exchange import Exchange
from fid_patterns import fill

TERMINAL = ("succeeded", "failed", "canceled", "cancelled")
GROUP_API = "2021-04-01"
_INDEX = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Cloud(Protocol):
    """What the replayer needs of a localcloud handle (tests/localcloud_fixture.py)."""

    @property
    def endpoint(self) -> str: ...
    @property
    def ca_file(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def subscription_id(self) -> str: ...

    def token(self, scope: str = ...) -> str: ...

    def admin(self, method: str, path: str, json: Any = None) -> requests.Response: ...


class ReplayError(AssertionError):
    """The exchange could not be replayed (a setup step failed, a poll never ended)."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any
    url: str


def fresh_values(cloud: Cloud) -> dict[str, str]:
    tag = uuid.uuid4().hex
    return {
        "subscription": cloud.subscription_id,
        "tenant": cloud.tenant_id,
        "endpoint": cloud.endpoint,
        "location": "eastus",
        "group": f"fid-{tag[:10]}",
        "account": f"fid{tag[:12]}",
        "account2": f"fid{tag[12:24]}",
        "name": f"fid{tag[:8]}",
        "name2": f"fid{tag[8:16]}",
        "env": f"fidenv{tag[:8]}",
        "share": f"fidshare{tag[:8]}",
    }


def lookup(path: str, answer: Answer) -> Any:
    """`body.a.b[0].c` or `header.Name` of an answer (KeyError when absent)."""
    head, _, rest = path.partition(".")
    if head == "header":
        for key, header in answer.headers.items():
            if key.lower() == rest.lower():
                return header
        raise KeyError(path)
    if head != "body":
        raise KeyError(path)
    value: Any = answer.body
    for m in _INDEX.finditer(rest):
        value = value[int(m.group(2))] if m.group(2) is not None else value[m.group(1)]
    return value


def xml_to_json(text: str) -> Any:
    """An XML document as JSON: attributes as `@name`, repeated children as arrays, the
    text of an element without children or attributes as a string."""
    root = ET.fromstring(text)
    return {root.tag: _element(root)}


def _element(el: ET.Element) -> Any:
    children = list(el)
    if not children and not el.attrib:
        return el.text or ""
    out: dict[str, Any] = {f"@{k}": v for k, v in el.attrib.items()}
    for child in children:
        value = _element(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    if el.text and el.text.strip():
        out["#text"] = el.text
    return out


def parse_body(response: requests.Response) -> Any:
    raw = response.content
    if not raw:
        return None
    kind = response.headers.get("Content-Type", "").lower()
    text = raw.decode("utf-8", errors="replace")
    if "xml" in kind:
        try:
            return xml_to_json(text)
        except ET.ParseError:
            return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def shared_key(method: str, url: str, headers: dict[str, str], account: str, key: str) -> str:
    """The `Authorization` value for Shared Key (File service, version 2009-09-19 and later)."""
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    length = lowered.get("content-length", "")
    standard = [
        lowered.get("content-encoding", ""),
        lowered.get("content-language", ""),
        "" if length == "0" else length,
        lowered.get("content-md5", ""),
        lowered.get("content-type", ""),
        "",
        *(lowered.get(h, "") for h in ("if-modified-since", "if-match", "if-none-match")),
        *(lowered.get(h, "") for h in ("if-unmodified-since", "range")),
    ]
    ms = "".join(f"{k}:{lowered[k]}\n" for k in sorted(lowered) if k.startswith("x-ms-"))
    parts = urlsplit(url)
    params: dict[str, list[str]] = {}
    for pair in filter(None, parts.query.split("&")):
        name, _, value = pair.partition("=")
        params.setdefault(unquote(name).lower(), []).append(unquote(value))
    query = "".join(f"\n{n}:{','.join(sorted(params[n]))}" for n in sorted(params))
    text = "\n".join([method.upper(), *standard]) + "\n" + ms + f"/{account}{parts.path}{query}"
    digest = hmac.new(base64.b64decode(key), text.encode(), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(digest).decode()}"


class Replayer:
    def __init__(self, cloud: Cloud, *, poll_interval: float = 0.1) -> None:
        self.cloud = cloud
        self.poll_interval = poll_interval

    # -- one exchange ----------------------------------------------------------------------
    def run(self, exchange: Exchange) -> list[Divergence]:
        flow = exchange.flow
        values = fresh_values(self.cloud) | {k: str(v) for k, v in flow.get("values", {}).items()}
        if flow.get("settings"):
            self._admin("POST", "settings", flow["settings"])
        try:
            if flow.get("group", True):
                self._create_group(values)
            for i, step in enumerate(exchange.setup):
                self._setup(i, step, values)
            answer = self.send(exchange.request, values)
            out = self.compare(exchange.response, answer, values, "")
            follow = _ms_headers(exchange.request)
            if "poll" in flow:
                out += self.poll(flow["poll"], answer, values, follow)
            if "pages" in flow:
                out += self.pages(flow["pages"], answer, values, follow)
            for i, step in enumerate(flow.get("after", ())):
                later = self.send(step["request"], values)
                out += self.compare(step["response"], later, values, f"after[{i}].")
                self._capture(step.get("capture", {}), later, values)
            return out
        finally:
            if flow.get("settings"):
                self._admin("POST", "reset")
            if flow.get("group", True):
                self._delete_group(values)

    def compare(
        self, expected: Mapping[str, Any], answer: Answer, values: Mapping[str, str], prefix: str
    ) -> list[Divergence]:
        out = compare_status(expected["status"], answer.status, prefix + "status")
        out += compare_headers(
            expected.get("headers", {}), answer.headers, values, prefix + "header."
        )
        if "body" in expected:
            want = expected["body"]
            if want is None:
                if answer.body not in (None, ""):
                    out.append(
                        Divergence(prefix + "body", "an empty body", repr(answer.body)[:160])
                    )
            else:
                out += compare_body(want, answer.body, values, prefix + "body")
        return out

    # -- HTTP ------------------------------------------------------------------------------
    def send(self, step: Mapping[str, Any], values: Mapping[str, str]) -> Answer:
        target = fill(str(step["path"]), values)
        url = target if target.startswith("https://") else self.cloud.endpoint + target
        query = {k: fill(str(v), values) for k, v in (step.get("query") or {}).items()}
        headers = {k: fill(str(v), values) for k, v in (step.get("headers") or {}).items()}
        data: bytes | None = None
        if "body" in step and step["body"] is not None:
            body = step["body"]
            if isinstance(body, str):
                data = fill(body, values).encode()
            else:
                data = json.dumps(_fill_json(body, values)).encode()
                headers.setdefault("Content-Type", "application/json")
        prepared = requests.Request(
            str(step["method"]), url, params=query, headers=headers, data=data
        ).prepare()
        self._authorize(prepared, step.get("auth", "bearer"), values)
        with requests.Session() as session:
            response = session.send(
                prepared, verify=self.cloud.ca_file, timeout=60, allow_redirects=False
            )
        return Answer(
            response.status_code, dict(response.headers), parse_body(response), str(prepared.url)
        )

    def _authorize(
        self, prepared: requests.PreparedRequest, auth: str, values: Mapping[str, str]
    ) -> None:
        if auth == "bearer":
            prepared.headers["Authorization"] = f"Bearer {self.cloud.token()}"
        elif auth.startswith("bearer:"):
            prepared.headers["Authorization"] = f"Bearer {self.cloud.token(auth[7:])}"
        elif auth == "sharedkey":
            prepared.headers.setdefault("x-ms-date", formatdate(usegmt=True))
            prepared.headers.setdefault("x-ms-version", "2025-05-05")
            headers = {k: str(v) for k, v in prepared.headers.items()}
            prepared.headers["Authorization"] = shared_key(
                str(prepared.method), str(prepared.url), headers, values["account"], values["key"]
            )
        elif auth != "none":
            raise ReplayError(f"unknown auth '{auth}'")

    def _admin(self, method: str, path: str, body: Any = None) -> None:
        response = self.cloud.admin(method, path, json=body)
        if response.status_code >= 300:
            raise ReplayError(f"admin {method} {path}: {response.status_code} {response.text}")

    # -- setup -----------------------------------------------------------------------------
    def _create_group(self, values: dict[str, str]) -> None:
        self._setup(
            -1,
            {
                "method": "PUT",
                "path": "/subscriptions/{subscription}/resourcegroups/{group}",
                "query": {"api-version": GROUP_API},
                "body": {"location": "{location}"},
            },
            values,
        )

    def _delete_group(self, values: Mapping[str, str]) -> None:
        step = {
            "method": "DELETE",
            "path": "/subscriptions/{subscription}/resourcegroups/{group}",
            "query": {"api-version": GROUP_API},
        }
        with contextlib.suppress(requests.RequestException):
            self.send(step, values)

    def _setup(self, index: int, step: Mapping[str, Any], values: dict[str, str]) -> None:
        answer = self.send(step, values)
        until = step.get("until")
        deadline = time.monotonic() + float(step.get("timeout", 60))
        while until is not None and not _holds(until, answer):
            if time.monotonic() > deadline:
                raise ReplayError(f"setup[{index}]: {until} never held; last: {answer.body!r}")
            time.sleep(self.poll_interval)
            answer = self.send(step, values)
        expected = step.get("expect")
        allowed = [expected] if isinstance(expected, int) else expected
        if (allowed and answer.status not in allowed) or (not allowed and answer.status >= 300):
            raise ReplayError(
                f"setup[{index}] {step['method']} {answer.url}: {answer.status} {answer.body!r}"
            )
        capture = step.get("capture", {})
        self._capture({k: v for k, v in capture.items() if v.startswith("header.")}, answer, values)
        if step.get("wait") == "lro":
            answer = self._finish(answer, step, values, deadline)
        self._capture({k: v for k, v in capture.items() if v.startswith("body.")}, answer, values)

    def _capture(self, capture: Mapping[str, str], answer: Answer, values: dict[str, str]) -> None:
        for name, path in capture.items():
            try:
                values[name] = str(lookup(path, answer))
            except (KeyError, IndexError, TypeError) as e:
                raise ReplayError(f"capture {name} = {path}: not in {answer.body!r}") from e

    def _finish(
        self, answer: Answer, step: Mapping[str, Any], values: Mapping[str, str], deadline: float
    ) -> Answer:
        """Follow a setup step's long-running operation to its end; the resource's answer."""
        headers = {k.lower(): v for k, v in answer.headers.items()}
        via = headers.get("azure-asyncoperation") or (
            headers.get("location") if answer.status == 202 else None
        )
        if via:
            final = self._poll_until_done(via, values, deadline)[-1]
            if step["method"] != "PUT":
                return final
        elif step["method"] != "PUT":
            return answer
        while _state(answer) not in TERMINAL:
            if time.monotonic() > deadline:
                raise ReplayError(f"{answer.url} never finished: {answer.body!r}")
            time.sleep(self.poll_interval)
            answer = self.send({"method": "GET", "path": answer.url}, values)
        return answer

    # -- flows -----------------------------------------------------------------------------
    def _poll_until_done(
        self,
        url: str,
        values: Mapping[str, str],
        deadline: float,
        headers: Mapping[str, str] | None = None,
    ) -> list[Answer]:
        polls: list[Answer] = []
        while True:
            answer = self.send({"method": "GET", "path": url, "headers": headers or {}}, values)
            polls.append(answer)
            if _poll_done(answer):
                return polls
            if time.monotonic() > deadline:
                raise ReplayError(f"polling {url} never ended: {answer.status} {answer.body!r}")
            time.sleep(self.poll_interval)

    def poll(
        self,
        spec: Mapping[str, Any],
        first: Answer,
        values: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> list[Divergence]:
        via = str(spec.get("via", "Azure-AsyncOperation"))
        url = next((v for k, v in first.headers.items() if k.lower() == via.lower()), None)
        if url is None:
            return [Divergence("poll", f"a {via} header to poll", "none")]
        deadline = time.monotonic() + float(spec.get("timeout", 60))
        polls = self._poll_until_done(url, values, deadline, headers)
        out: list[Divergence] = []
        if "running" in spec:
            for answer in polls[:-1]:
                out += self.compare(spec["running"], answer, values, "poll.running.")
        out += self.compare(spec["final"], polls[-1], values, "poll.final.")
        return _unique(out)

    def pages(
        self,
        spec: Mapping[str, Any],
        first: Answer,
        values: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> list[Divergence]:
        out: list[Divergence] = []
        answers = [first]
        while isinstance(answers[-1].body, dict) and answers[-1].body.get("nextLink"):
            if len(answers) > 50:
                return [Divergence("pages", "at most 50 pages", "more")]
            link = answers[-1].body["nextLink"]
            answers.append(self.send({"method": "GET", "path": link, "headers": headers}, values))
        template = {"value": ["<each>", spec["item"]], "nextLink": "<optional>"}
        empty = 0
        for i, answer in enumerate(answers):
            out += compare_status(200, answer.status, f"pages[{i}].status")
            value = answer.body.get("value") if isinstance(answer.body, dict) else None
            if value == [] and isinstance(answer.body, dict):
                empty += 1
                out += compare_body(
                    {"value": [], "nextLink": "<optional>"}, answer.body, values, f"pages[{i}]"
                )
            else:
                out += compare_body(template, answer.body, values, f"pages[{i}]")
        if len(answers) < int(spec.get("min_pages", 1)):
            out.append(Divergence("pages.count", f">= {spec['min_pages']}", str(len(answers))))
        if spec.get("empty_page") and not empty:
            out.append(Divergence("pages.empty", "an empty page with a nextLink", "none"))
        return _unique(out)


def _ms_headers(step: Mapping[str, Any]) -> dict[str, str]:
    """The `x-ms-*` headers of a request, which clients send again on every poll and page."""
    return {k: v for k, v in (step.get("headers") or {}).items() if k.lower().startswith("x-ms-")}


def _fill_json(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, list):
        return [_fill_json(v, values) for v in value]
    if isinstance(value, dict):
        return {fill(k, values): _fill_json(v, values) for k, v in value.items()}
    return value


def _state(answer: Answer) -> str:
    body: dict[str, Any] = answer.body if isinstance(answer.body, dict) else {}
    props = body.get("properties")
    if not isinstance(props, dict):
        props = {}
    return str(props.get("provisioningState") or body.get("status") or "").lower()


def _poll_done(answer: Answer) -> bool:
    if answer.status == 202:
        return False
    if answer.status >= 300:
        return True
    body = answer.body if isinstance(answer.body, dict) else {}
    status = body.get("status")
    return not isinstance(status, str) or status.lower() in TERMINAL


def _holds(until: Mapping[str, Any], answer: Answer) -> bool:
    try:
        value = lookup(str(until["path"]), answer)
    except (KeyError, IndexError, TypeError):
        return False
    return value in until["in"]


def _unique(divergences: list[Divergence]) -> list[Divergence]:
    seen: set[str] = set()
    out = []
    for d in divergences:
        if d.where not in seen:
            seen.add(d.where)
            out.append(d)
    return out
