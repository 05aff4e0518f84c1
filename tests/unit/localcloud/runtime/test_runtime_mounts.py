"""Volume mounts: resolution through the environment storage, and the two presentations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from localcloud.runtime.launch import namespace_fits
from localcloud.runtime.mounts import (
    ResolvedMount,
    mount_env,
    namespace_argv,
    resolve_mounts,
    rewrite_paths,
    storage_key,
)
from localcloud.runtime.spec import ContainerSpec, Volume, VolumeMount

ENV = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env"


def container(*mounts: VolumeMount) -> ContainerSpec:
    return ContainerSpec("c", "img", ("bash",), (), (), (), mounts)


def storages(docs: dict[str, dict[str, Any]]) -> Any:
    return lambda key: docs.get(key)


def share(account: str, name: str) -> Path:
    return Path("/shares") / account / name


def scratch(volume: str) -> Path:
    return Path("/scratch") / volume


def test_azure_file_volume_resolves_to_the_share_folder() -> None:
    docs = {
        storage_key(ENV, "Store1"): {
            "properties": {"azureFile": {"accountName": "acct", "shareName": "models"}}
        }
    }
    mounts, errors = resolve_mounts(
        container(VolumeMount("modelsvolume", "/mount")),
        [Volume("modelsvolume", "AzureFile", "Store1")],
        ENV,
        storages(docs),
        share,
        scratch,
    )
    assert errors == ()
    assert mounts == (ResolvedMount("modelsvolume", "/mount", Path("/shares/acct/models")),)


def test_missing_volume_or_storage_is_reported_not_raised() -> None:
    mounts, errors = resolve_mounts(
        container(VolumeMount("nope", "/a"), VolumeMount("v", "/b")),
        [Volume("v", "AzureFile", "absent")],
        ENV,
        storages({}),
        share,
        scratch,
    )
    assert mounts == ()
    assert [e.volume for e in errors] == ["nope", "v"]
    assert "absent" in errors[1].message


def test_empty_dir_volume_uses_the_replica_scratch_folder() -> None:
    mounts, _ = resolve_mounts(
        container(VolumeMount("tmp", "/cache", sub_path="x")),
        [Volume("tmp", "EmptyDir", "")],
        ENV,
        storages({}),
        share,
        scratch,
    )
    assert mounts == (ResolvedMount("tmp", "/cache", Path("/scratch/tmp/x")),)


def test_rewrite_replaces_whole_path_prefixes_only() -> None:
    mounts = [ResolvedMount("v", "/mount", Path("/data/share"))]
    argv = rewrite_paths(["-c", "cd /mount; python3 /mount/app.py; ls /mountain /x/mount"], mounts)
    assert argv == ("-c", "cd /data/share; python3 /data/share/app.py; ls /mountain /x/mount")


def test_mount_env_names_each_volume_where_it_is_visible() -> None:
    mounts = [ResolvedMount("share-volume", "/mount", Path("/data/share"))]
    assert mount_env(mounts, rewrite=False) == {"LOCALCLOUD_MOUNT_SHARE_VOLUME": "/mount"}
    assert mount_env(mounts, rewrite=True) == {"LOCALCLOUD_MOUNT_SHARE_VOLUME": "/data/share"}


def test_namespace_argv_wraps_the_command_with_unshare_and_mount_pairs() -> None:
    mounts = [ResolvedMount("v", "/mount", Path("/data/share"))]
    argv = namespace_argv(["/bin/bash", "-c", "cd /mount"], mounts, Path("/r"), Path("/w"))
    assert argv[:4] == ("unshare", "--mount", "--propagation", "private")
    assert argv[-8:] == ("/r", "/w", "1", "/data/share", "/mount", "/bin/bash", "-c", "cd /mount")


def test_namespace_fits_only_when_no_host_directory_would_be_created() -> None:
    host = {"/tmp", "/srv", "/srv/data"}
    exists = host.__contains__
    assert namespace_fits("/mount", exists)  # new top-level: lives on the tmpfs root
    assert namespace_fits("/srv/data", exists)  # already there: bind over it
    assert not namespace_fits("/tmp/new", exists)  # would mkdir inside the host's /tmp
