"""Which subsystem answers a path, and where the state directory is."""

from __future__ import annotations

from pathlib import Path

from localcloud.config import new_secret, resolve_state_dir
from localcloud.dispatch import Area, classify


def _owns(segment: str) -> bool:
    return segment == "mystorage"


def test_paths_are_classified_by_prefix() -> None:
    cases = {
        "/_localcloud/requests": Area.ADMIN,
        "/subscriptions/s/resourcegroups": Area.ARM,
        "/SUBSCRIPTIONS": Area.ARM,
        "/providers/Microsoft.Resources/calculateTemplateHash": Area.ARM,
        "/tenants": Area.ARM,
        "/metadata/endpoints": Area.METADATA,
        "/t1/oauth2/v2.0/token": Area.ENTRA,
        "/common/discovery/instance": Area.ENTRA,
        "/logstream/x": Area.LOGSTREAM,
        "/mystorage/share/dir/file": Area.FILES,
        "/unknown/thing": Area.UNKNOWN,
        "/": Area.UNKNOWN,
    }
    for path, area in cases.items():
        assert classify(path, "t1", _owns) is area, path


def test_state_dir_option_beats_environment_beats_home() -> None:
    env = {"LOCALCLOUD_STATE_DIR": "/tmp/from-env"}
    assert resolve_state_dir("/tmp/opt", env) == Path("/tmp/opt")
    assert resolve_state_dir(None, env) == Path("/tmp/from-env")
    assert resolve_state_dir(None, {}) == Path("~/.localcloud").expanduser().resolve()


def test_generated_secrets_never_start_with_a_dash() -> None:
    secrets = [new_secret() for _ in range(300)]
    assert not any(s.startswith("-") for s in secrets)
    assert len(set(secrets)) == 300 and all(len(s) >= 40 for s in secrets)
