"""Our errors for what Azure answered, and the one translation of SDK exceptions into them.

Every adapter calls `translate` (or `calling`) at its boundary, so callers decide on these
types only (`watch.py` retries `Throttled` / `Transient` / an early `NotFound`, the restart
waits out a `Conflict`); the top-level handler prints any of them as `error:` + `hint:` and
exits 1. ARM error trees in a response are read (`parse`) and flattened once (`errortree`),
both imported when an error is translated, so a run that meets none does not load them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from orchestrator.errors import AzureError

if TYPE_CHECKING:
    from azure.core.exceptions import HttpResponseError

    from orchestrator.azure.errortree import RootCause
    from orchestrator.azure.models import ErrorDetail

SIGN_IN_HINT = (
    "sign in with `az login`, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET "
    "for a service principal"
)
_LINE_COLUMN = re.compile(r"line '?(\d+)'? and column '?(\d+)'?", re.IGNORECASE)


class ArmRequestError(AzureError):
    """Azure refused a request: HTTP status, error code and target when known."""

    def __init__(
        self, message: str, *, code: str = "", status: int = 0, hint: str = "", target: str = ""
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.status = status
        self.target = target

    def as_data(self) -> dict[str, object]:
        extra = {"code": self.code or None, "status": self.status or None}
        return {**super().as_data(), **extra, "target": self.target or None}


class NotFound(ArmRequestError):
    pass


class ResourceGroupMissing(NotFound):
    pass


class Conflict(ArmRequestError):
    """409: another operation holds the resource (or a name is taken)."""


class DeploymentActive(Conflict):
    """409 DeploymentActive: a deployment with that name is still running."""


class Throttled(ArmRequestError):
    """429: wait `retry_after` seconds (0 when the response did not say)."""

    def __init__(self, message: str, *, retry_after: float = 0.0, status: int = 429) -> None:
        super().__init__(message, code="TooManyRequests", status=status)
        self.retry_after = retry_after


class Transient(ArmRequestError):
    """A connection dropped or a 5xx: worth another try."""


class AuthFailed(ArmRequestError):
    """The credential could not get a token, or Azure refused the token or key."""


class DeploymentFailedError(AzureError):
    """A deployment (or its preflight) failed; `causes` are the flattened root causes."""

    def __init__(
        self, message: str, causes: Sequence[RootCause], *, hint: str = "", state: str = "Failed"
    ) -> None:
        super().__init__(message, hint=hint)
        self.causes = tuple(causes)
        self.state = state

    def lines(self) -> list[str]:
        from orchestrator.azure.errortree import render_causes

        out = [f"error: {self.message}"]
        out.extend(f"  {line}" for line in render_causes(self.causes))
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, object]:
        causes = [cause.as_data() for cause in self.causes]
        return {**super().as_data(), "state": self.state, "causes": causes}


class DeploymentCanceled(AzureError):
    """The deployment was canceled (by someone, or by us): not a failure tree."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)

    def as_data(self) -> dict[str, object]:
        return {**super().as_data(), "state": "Canceled"}


# --- the translation ------------------------------------------------------------------------


def retry_after(exc: HttpResponseError) -> float:
    """Seconds the response asks to wait (Retry-After, retry-after-ms, x-ms-retry-after-ms),
    read by azure-core's own retry policy; 0 when it names none."""
    from azure.core.pipeline import PipelineContext, PipelineResponse
    from azure.core.pipeline.policies import RetryPolicy

    response: Any = exc.response
    if response is None:
        return 0.0
    piped: PipelineResponse[Any, Any] = PipelineResponse(
        response.request, response, PipelineContext(None)
    )
    try:
        return float(RetryPolicy().get_retry_after(piped) or 0.0)
    except (ValueError, TypeError):
        return 0.0


def error_tree(exc: HttpResponseError) -> ErrorDetail | None:
    """The response's ARM error tree (None when the body is not one)."""
    from orchestrator.azure.models import ErrorDetail
    from orchestrator.azure.parse import error_from_wire

    response: Any = exc.response
    try:
        doc = response.json() if response is not None else None
    except Exception:  # a body that is not JSON (XML from storage, HTML from a proxy)
        doc = None
    found = error_from_wire(doc) if isinstance(doc, dict) else None
    if found is not None and (found.code or found.message):
        return found
    raw_code = getattr(exc, "error_code", None) or getattr(getattr(exc, "error", None), "code", "")
    code = str(getattr(raw_code, "value", raw_code) or "")  # storage codes are enums
    message = str(getattr(getattr(exc, "error", None), "message", "") or "")
    return ErrorDetail(code, message) if code or message else None


def credential_failure(message: str) -> str:
    """One readable line for a failed sign-in. A credential chain lists every link it tried
    (a tab-indented line each); the last one tried is the one that failed."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    attempts = [line for line in message.splitlines() if line.startswith("\t")]
    chosen = attempts[-1].strip() if attempts else (lines[0] if lines else "no detail")
    return chosen[:400]


def template_position(message: str) -> tuple[int, int] | None:
    """(line, column) named by an ARM template error message, if any."""
    match = _LINE_COLUMN.search(message)
    return (int(match[1]), int(match[2])) if match else None


def translate(exc: Exception, doing: str, endpoint: str) -> AzureError:
    """An SDK / transport / credential exception as one of our errors (raise it `from exc`)."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(exc, ClientAuthenticationError) and exc.status_code is None:
        reason = credential_failure(str(exc.message or exc))
        return AuthFailed(
            f"{doing}: could not get a token: {reason}", code="CredentialFailed", hint=SIGN_IN_HINT
        )
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return Transient(f"{doing}: cannot reach {endpoint} ({type(exc).__name__})")
    if isinstance(exc, HttpResponseError):
        return _from_response(exc, doing)
    if isinstance(exc, OSError):
        return AzureError(f"{doing}: {exc.strerror or exc}")
    return AzureError(f"{doing}: {exc}")


def _from_response(exc: HttpResponseError, doing: str) -> AzureError:
    status = exc.status_code or 0
    wait = retry_after(exc) if status == 429 else 0.0
    return from_status(status, error_tree(exc), str(exc.reason or ""), doing, wait)


def from_answer(status: int, body: bytes, reason: str, doing: str, wait: float = 0.0) -> AzureError:
    """What a plain HTTPS answer of 4xx/5xx says, as one of our errors (the same types and
    wording as an SDK exception's)."""
    import json

    from orchestrator.azure.parse import error_from_wire

    try:
        doc = json.loads(body) if body else None
    except ValueError:  # not JSON (HTML from a proxy)
        doc = None
    found = error_from_wire(doc) if isinstance(doc, dict) else None
    tree = found if found is not None and (found.code or found.message) else None
    return from_status(status, tree, reason, doing, wait)


def retry_after_header(headers: Mapping[str, str]) -> float:
    """Seconds named by retry-after-ms, x-ms-retry-after-ms or Retry-After (seconds or an
    HTTP date), as azure-core reads them; 0 when none (names lower-cased)."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        try:
            return max(0.0, float(headers[name]) / 1000)
        except (KeyError, ValueError):
            continue
    value = headers.get("retry-after", "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - time.time())


def from_status(
    status: int, tree: ErrorDetail | None, reason: str, doing: str, wait: float = 0.0
) -> AzureError:
    from orchestrator.azure.errortree import RootCause, flatten, hint_for

    code = tree.code if tree else ""
    message = (tree.message if tree else "") or reason
    first = message.strip().splitlines()[0] if message.strip() else ""
    text = f"{doing}: {code or status}: {first}" if first else f"{doing}: HTTP {status}"
    hint = hint_for(code, message)
    target = tree.target if tree else ""
    position = template_position(message) if code.lower() == "invalidtemplate" else None
    match status:
        case 429:
            return Throttled(text, retry_after=wait)
        case 404 if code.lower() == "resourcegroupnotfound":
            return ResourceGroupMissing(text, code=code, status=status, hint=hint, target=target)
        case 404:
            return NotFound(text, code=code, status=status, hint=hint, target=target)
        case 401 | 403 if not code or code.lower() == "authenticationfailed":
            return AuthFailed(text, code=code, status=status, hint="the credential was refused")
        case 401:
            return AuthFailed(text, code=code, status=status, hint="the token was refused")
        case 408 | 500 | 502 | 503 | 504:
            return Transient(text, code=code, status=status)
        case 409 if code.lower() == "deploymentactive":
            return DeploymentActive(text, code=code, status=status, hint=hint, target=target)
        case 409:
            return Conflict(text, code=code, status=status, hint=hint, target=target)
    if position is not None:
        line, column = position
        cause = RootCause(code, message, f"template line {line}, column {column}", hint)
        return DeploymentFailedError(f"{doing}: the template is invalid", [cause], hint=hint)
    causes = flatten(tree) if tree is not None and tree.details else []
    if causes:
        return DeploymentFailedError(text, causes, hint=hint)
    return ArmRequestError(text, code=code, status=status, hint=hint, target=target)


@contextmanager
def calling(doing: str, endpoint: str) -> Iterator[None]:
    """Run SDK calls; any SDK exception leaves as our error (`from` the original)."""
    from azure.core.exceptions import AzureError as SdkError

    try:
        yield
    except SdkError as exc:
        raise translate(exc, doing, endpoint) from exc
