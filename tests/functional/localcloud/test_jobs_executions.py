"""Job executions that really run, through ContainerAppsAPIClient against `localcloud serve`:
the command runs with env, secrets and the share at /mount; failures, the deadline, retries,
stop on both paths, the queue, the override trap, the log stream and Log Analytics."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from azure.mgmt.resource.resources import ResourceManagementClient
from jobs_helpers import JobStack, build_stack, wait_for
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = [pytest.mark.functional, pytest.mark.slow]

WRITER = (
    'echo "greeting=$GREETING"; '
    'printf "%s" "$API_KEY" > /mount/secret-$CONTAINER_APP_JOB_EXECUTION_NAME.txt'
)
FLAKY = (
    "m=/mount/flaky-$CONTAINER_APP_JOB_EXECUTION_NAME; "
    'if [ -f "$m" ]; then echo second; exit 0; fi; touch "$m"; echo first; exit 1'
)
TICKER = "for i in 1 2 3 4 5 6; do echo tick $i $(date +%s.%N); sleep 0.4; done"


@pytest.fixture(scope="module")
def stack(localcloud: LocalCloudHandle) -> Iterator[JobStack]:
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("jobs")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    built = build_stack(localcloud, group)
    built.create_job("writer", WRITER)
    built.create_job("flaky", FLAKY, replicaRetryLimit=2)
    built.create_job("sleeper", "echo sleeping; sleep 30", replicaTimeout=2)
    built.create_job("napper", "echo napping; sleep 30")
    built.create_job("ticker", TICKER)
    built.create_job(
        "pair",
        "echo $CONTAINER_APP_REPLICA_NAME; sleep 1",
        manualTriggerConfig={"parallelism": 2, "replicaCompletionCount": 3},
    )
    try:
        yield built
    finally:
        localcloud.admin("POST", "reset")
        if localcloud.running:
            resources.resource_groups.begin_delete(group, polling=False)


def test_an_execution_runs_the_command_with_env_secrets_and_the_share(stack: JobStack) -> None:
    name = stack.start("writer")
    assert name.startswith("writer-") and len(name) == len("writer-") + 7
    done = stack.finished("writer", name)
    assert done.status == "Succeeded"
    assert done.start_time is not None and done.end_time is not None
    assert stack.read(f"secret-{name}.txt") == "s3cret-value"
    listed = {e.name: e.status for e in stack.aca.jobs_executions.list(stack.group, "writer")}
    assert listed[name] == "Succeeded"


def test_a_failing_command_ends_failed(stack: JobStack) -> None:
    template = {"containers": [{"name": "writer", "image": "busybox", "command": ["false"]}]}
    assert stack.finished("writer", stack.start("writer", template)).status == "Failed"


def test_the_replica_timeout_fails_the_execution(stack: JobStack) -> None:
    started = time.monotonic()
    assert stack.finished("sleeper", stack.start("sleeper")).status == "Failed"
    assert time.monotonic() - started < 15


def test_a_failed_replica_is_retried_within_the_retry_limit(stack: JobStack) -> None:
    name = stack.start("flaky")
    assert stack.finished("flaky", name).status == "Succeeded"
    replicas = stack.arm("GET", stack.job_path("flaky") + f"/executions/{name}/replicas").json()
    assert len(replicas["value"]) == 2


def test_stop_on_both_paths_ends_stopped(stack: JobStack) -> None:
    first = stack.start("napper")
    wait_for(lambda: stack.execution("napper", first).status == "Running")
    stack.aca.jobs.begin_stop_execution(
        stack.group, "napper", first, polling_interval=0.05
    ).result()
    assert stack.finished("napper", first, timeout=20).status == "Stopped"
    second = stack.start("napper")
    wait_for(lambda: stack.execution("napper", second).status == "Running")
    legacy = stack.arm("POST", stack.job_path("napper") + f"/stop/{second}")
    assert legacy.status_code == 200 and legacy.json()["name"] == second
    assert stack.finished("napper", second, timeout=20).status == "Stopped"


def test_a_queued_execution_has_no_replica_and_no_log_stream_yet(stack: JobStack) -> None:
    stack.lc.admin("POST", "executions", json={"queue_seconds": 3}).raise_for_status()
    try:
        name = stack.start("writer")
    finally:
        stack.lc.admin("POST", "executions", json={"queue_seconds": 0}).raise_for_status()
    assert stack.execution("writer", name).status == "Processing"
    path = stack.job_path("writer") + f"/executions/{name}/replicas"
    assert stack.arm("GET", path).json()["value"] == []
    token = stack.arm("POST", stack.job_path("writer") + "/getAuthToken").json()
    stream = requests.get(
        f"{stack.lc.endpoint}/logstream/subscriptions/{stack.lc.subscription_id}/resourceGroups/"
        f"{stack.group}/jobs/writer/executions/{name}/replicas/{name}-bcdfg/containers/writer"
        "/logstream",
        headers={"Authorization": f"Bearer {token['properties']['token']}"},
        verify=stack.lc.ca_file,
        timeout=30,
    )
    assert stream.status_code == 404
    assert stack.finished("writer", name).status == "Succeeded"


def test_an_override_replaces_env_but_keeps_the_volume(stack: JobStack) -> None:
    command = 'printf "[%s]" "$GREETING" > /mount/override-$CONTAINER_APP_JOB_EXECUTION_NAME.txt'
    template = {
        "containers": [
            {"name": "writer", "image": "busybox", "command": ["/bin/sh", "-c", command]}
        ]
    }
    name = stack.start("writer", template)
    assert stack.finished("writer", name).status == "Succeeded"
    assert stack.read(f"override-{name}.txt") == "[]"
    shown = stack.execution("writer", name).template.containers[0]
    assert shown.command == ["/bin/sh", "-c", command] and not shown.env


def test_log_stream_lines_arrive_within_a_second_and_reach_log_analytics(
    stack: JobStack,
) -> None:
    name = stack.start("ticker")
    path = stack.job_path("ticker") + f"/executions/{name}/replicas"
    replica = wait_for(lambda: stack.arm("GET", path).json()["value"])[0]
    endpoint = replica["properties"]["containers"][0]["logStreamEndpoint"]
    token = stack.arm("POST", stack.job_path("ticker") + "/getAuthToken").json()
    lags = []
    with requests.get(
        endpoint,
        params={"follow": "true", "tailLines": "300"},
        headers={"Authorization": f"Bearer {token['properties']['token']}"},
        verify=stack.lc.ca_file,
        stream=True,
        timeout=30,
    ) as stream:
        assert stream.status_code == 200
        for raw in stream.iter_lines():
            stamp, _, text = raw.decode().partition(" ")
            assert stamp.endswith("Z")
            if text.startswith("tick"):
                lags.append(time.time() - float(text.split()[2]))
    assert len(lags) == 6
    assert max(lags[1:]) < 1.0, lags
    assert stack.finished("ticker", name).status == "Succeeded"
    again = requests.get(
        endpoint,
        params={"follow": "true", "tailLines": "300"},
        headers={"Authorization": f"Bearer {token['properties']['token']}"},
        verify=stack.lc.ca_file,
        timeout=10,
    )
    assert sum(" tick " in f" {line}" for line in again.text.splitlines()) == 6
    kql = (
        f"ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith '{name}' "
        "| order by time_t desc | project time_t, Log_s"
    )
    answer = stack.query(kql)
    assert answer.status_code == 200, answer.text
    table = answer.json()["tables"][0]
    assert [c["name"] for c in table["columns"]] == ["time_t", "Log_s"]
    assert [row[1].split()[1] for row in table["rows"] if row[1].startswith("tick")] == [
        "6",
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    system = stack.query(
        f"ContainerAppSystemLogs_CL | where ExecutionName_s == '{name}' | project Reason_s"
    )
    assert ["ContainerStarted"] in system.json()["tables"][0]["rows"]


def test_log_analytics_refuses_what_it_does_not_support(stack: JobStack) -> None:
    answer = stack.query("ContainerAppConsoleLogs_CL | summarize count() by Log_s")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "BadArgumentError"


def test_parallel_replicas_run_until_the_completion_count(stack: JobStack) -> None:
    name = stack.start("pair")
    path = stack.job_path("pair") + f"/executions/{name}/replicas"

    def running() -> int:
        states = [r["properties"]["runningState"] for r in stack.arm("GET", path).json()["value"]]
        return states.count("Running")

    assert wait_for(lambda: running() == 2)
    assert stack.finished("pair", name).status == "Succeeded"
    replicas = stack.arm("GET", path).json()["value"]
    assert len(replicas) == 3 and len({r["name"] for r in replicas}) == 3
