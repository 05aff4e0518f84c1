from __future__ import annotations

import re

from localcloud.providers.containerapps.appshape import (
    live_status,
    split_secrets,
    template_suffix,
)
from localcloud.providers.containerapps.environments import default_domain, split_log_key


def test_live_status_without_revisions_changes_nothing() -> None:
    assert live_status([]) == {}


def test_live_status_picks_the_newest_ready_revision() -> None:
    revisions = [
        {"name": "a--1", "createdTime": "2026-01-01", "runningState": "Running", "active": True},
        {"name": "a--2", "createdTime": "2026-01-02", "runningState": "Processing", "active": True},
    ]
    assert live_status(revisions) == {"latestReadyRevisionName": "a--1", "runningStatus": "Running"}


def test_live_status_of_stopped_revisions_is_stopped() -> None:
    revisions = [{"name": "a--1", "runningState": "Stopped", "active": True}]
    assert live_status(revisions) == {"runningStatus": "Stopped"}


def test_live_status_leaves_failed_revisions_to_the_stored_status() -> None:
    revisions = [{"name": "a--1", "runningState": "Failed", "healthState": "Unhealthy"}]
    assert live_status(revisions) == {}


def test_split_secrets_redacts_values_and_keeps_key_vault_references() -> None:
    props = {
        "configuration": {
            "secrets": [
                {"name": "a", "value": "1"},
                {"name": "kv", "keyVaultUrl": "https://v/secrets/x", "identity": "system"},
            ]
        }
    }
    redacted, full = split_secrets(props, [])
    assert redacted["configuration"]["secrets"] == [
        {"name": "a"},
        {"name": "kv", "keyVaultUrl": "https://v/secrets/x", "identity": "system"},
    ]
    assert full[0] == {"name": "a", "value": "1"}


def test_split_secrets_without_secrets_is_a_no_op() -> None:
    assert split_secrets({"template": {}}, [{"name": "old", "value": "x"}]) == (
        {"template": {}},
        [],
    )


def test_template_suffix_is_stable_and_follows_the_template() -> None:
    one = {"template": {"containers": [{"name": "a", "image": "x"}]}}
    two = {"template": {"containers": [{"image": "x", "name": "a"}]}}
    other = {"template": {"containers": [{"name": "a", "image": "y"}]}}
    assert template_suffix(one) == template_suffix(two) != template_suffix(other)
    assert len(template_suffix(one)) == 7


def test_default_domain_looks_like_azures() -> None:
    domain = default_domain("/subscriptions/s/resourceGroups/rg/providers/x/y/env", "East US")
    assert re.fullmatch(r"[a-z]+-[0-9a-f]{8}\.eastus\.localcloud\.internal", domain)


def test_split_log_key_removes_only_the_shared_key() -> None:
    props = {
        "appLogsConfiguration": {
            "destination": "log-analytics",
            "logAnalyticsConfiguration": {"customerId": "c", "sharedKey": "k"},
        }
    }
    clean, key = split_log_key(props)
    assert key == "k"
    assert clean["appLogsConfiguration"] == {
        "destination": "log-analytics",
        "logAnalyticsConfiguration": {"customerId": "c"},
    }
