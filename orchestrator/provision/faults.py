"""Our errors for what ARM answered (raised by the `arm.py` adapter; no SDK imports here).

Callers decide on these types (`watch.py` retries `Throttled` / `Transient` / an early
`NotFound`); the top-level handler prints any of them as `error:` + `hint:` and exits 1.
"""

from __future__ import annotations

from orchestrator.errors import AzureError


class ArmRequestError(AzureError):
    """ARM refused a request: HTTP status and ARM error code when known."""

    def __init__(self, message: str, *, code: str = "", status: int = 0, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.status = status


class NotFound(ArmRequestError):
    pass


class ResourceGroupMissing(NotFound):
    pass


class Throttled(ArmRequestError):
    """429: wait `retry_after` seconds (0 when the response did not say)."""

    def __init__(self, message: str, *, retry_after: float = 0.0, status: int = 429) -> None:
        super().__init__(message, code="TooManyRequests", status=status)
        self.retry_after = retry_after


class Transient(ArmRequestError):
    """A connection dropped or a 5xx: worth another try."""


class DeploymentActive(ArmRequestError):
    """409 DeploymentActive: a deployment with that name is still running."""


class AuthFailed(ArmRequestError):
    """The credential could not get a token, or ARM refused the token."""


class DeploymentFailedError(AzureError):
    """The deployment ended Failed or Canceled; the lines are the flattened root causes."""

    def __init__(self, message: str, causes: list[str], *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.causes = causes

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        out.extend(f"  {line}" for line in self.causes)
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out
