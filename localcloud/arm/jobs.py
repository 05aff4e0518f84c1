"""ARM's asynchronous job results: `202 + Location: {base}/subscriptions/{sub}/operationresults/
{token}` for what-if and deployment deletion. Polling the Location answers 202 while the job
runs, then the job's final status and body (Azure/azure-rest-api-specs, the deployments
example `PostDeploymentWhatIfOnResourceGroup.json`)."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from localcloud.arm.errors import ArmError
from localcloud.arm.responses import api_version, empty_response, json_response

MAX_JOBS = 2000
RETRY_AFTER = "1"


@dataclass(frozen=True)
class JobResult:
    status: int
    body: Any = None  # None: no body (204)


def job_token(kind: str, location: str) -> str:
    doc = {"jobId": f"{kind}--{uuid.uuid4()}", "jobLocation": location}
    raw = json.dumps(doc, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Jobs:
    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._results: OrderedDict[str, JobResult | None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def location(self, subscription: str, token: str, version: str) -> str:
        return f"{self._base_url}/subscriptions/{subscription}/operationresults/{token}" + (
            f"?api-version={version}"
        )

    def finished(self, kind: str, location: str, result: JobResult) -> str:
        token = job_token(kind, location)
        self._remember(token, result)
        return token

    def start(self, kind: str, location: str, work: Callable[[], JobResult]) -> str:
        """Run `work` on the event loop after this request is answered; the token polls it."""
        token = job_token(kind, location)
        self._remember(token, None)

        async def run() -> None:
            await asyncio.sleep(0)
            try:
                result = work()
            except ArmError as e:
                result = JobResult(200, {"status": "Failed", "error": e.detail.to_json()})
            self._results[token] = result

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return token

    def knows(self, token: str) -> bool:
        return token in self._results

    def respond(self, request: web.Request, subscription: str, token: str) -> web.Response:
        if token not in self._results:
            raise ArmError(
                404, "OperationNotFound", f"The operation result '{token}' could not be found."
            )
        result = self._results[token]
        if result is None:
            headers = {
                "Location": self.location(subscription, token, api_version(request) or ""),
                "Retry-After": RETRY_AFTER,
            }
            return empty_response(202, headers)
        if result.body is None:
            return empty_response(result.status)
        return json_response(result.body, result.status)

    def _remember(self, token: str, result: JobResult | None) -> None:
        self._results[token] = result
        while len(self._results) > MAX_JOBS:
            self._results.popitem(last=False)


def accepted(location: str) -> web.Response:
    return empty_response(202, {"Location": location, "Retry-After": RETRY_AFTER})


def what_if_result(correlation: str, changes: list[dict[str, Any]]) -> JobResult:
    return JobResult(
        200,
        {"status": "Succeeded", "properties": {"correlationId": correlation, "changes": changes}},
    )


def failed_result(error: Mapping[str, Any]) -> JobResult:
    return JobResult(200, {"status": "Failed", "error": dict(error)})
