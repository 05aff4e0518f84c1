"""What a fine-tuning run puts on the file share (pure, apart from seeing which folders exist).

The 2024 templates read the workspace as the share mirrors it: `setup/`, `finetuning/` and
`dataset/` by default (the job runs `./setup/requirements.txt`, `./finetuning/...` and the
dataset path of `setup/project-settings.json` from `/mount`). Phi Silica and Aion runs are
laid out per run: `dataset/` goes to `<run_id>/dataset/` and `<method>.yaml` to
`<run_id>/<method>.yaml` with `<run_id>` filled in (its `finetune_dataset`, `save_dir` and
`compare_file` point at `mount/<run_id>/...`), and the job gets `ARGS` with the same run id.
A `setup/` or `finetuning/` folder next to them is synced to the share's root as for the 2024
templates (the toolkit's Phi Silica projects have none; a workspace may add one, e.g. a
stand-in trainer for localcloud).

Never written or deleted by a run: `models/`, `model-cache/`, `cache/` - what the job wrote
and what inference and later runs read.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from orchestrator.errors import InputError
from orchestrator.finetune.family import FinetuneFiles

DEFAULT_FOLDERS: tuple[str, ...] = ("setup", "finetuning", "dataset")
PER_RUN_FOLDERS: tuple[str, ...] = ("dataset",)
SHARED_FOLDERS: tuple[str, ...] = ("setup", "finetuning")  # at the root for every family
NEVER_SYNCED: tuple[str, ...] = ("models", "model-cache", "cache")
RUN_ID_TOKEN = "<run_id>"
RUN_ID_ALPHABET = string.ascii_lowercase + string.digits
RUN_ID_TOKEN_LENGTH = 6
RUN_ID_EXPECTED = (
    "a run id: 1-64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
)
_RUN_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?\Z")


@dataclass(frozen=True)
class SyncedFolder:
    """A local folder (relative to the workspace) and where it goes on the share."""

    local: str
    remote: str


@dataclass(frozen=True)
class RunFile:
    """A file uploaded with `<run_id>` filled in."""

    local: Path
    remote: str


@dataclass(frozen=True)
class RunLayout:
    run_id: str | None  # None: the 2024 layout, no per-run folder
    folders: tuple[SyncedFolder, ...]
    rendered: tuple[RunFile, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        """The local folders to scan (`deploy.localtree.scan` sources)."""
        return tuple(f.local for f in self.folders)

    @property
    def share_roots(self) -> tuple[str, ...]:
        """The share folders this run writes (nothing outside them is touched)."""
        files = tuple(str(PurePosixPath(f.remote).parent) for f in self.rendered)
        return tuple(dict.fromkeys([*(f.remote for f in self.folders), *files]))

    def remote(self, local_rel: str) -> str:
        """Where a local file (POSIX path relative to the workspace) goes on the share."""
        head, _, rest = local_rel.partition("/")
        for folder in self.folders:
            if folder.local == head:
                return f"{folder.remote}/{rest}" if rest else folder.remote
        raise ValueError(f"{local_rel} is outside the synced folders {self.sources}")


def plan(
    files: FinetuneFiles, run_id: str | None, folders: Sequence[str] | None = None
) -> RunLayout:
    """The layout of one run. The image-entrypoint families need a run id."""
    chosen = tuple(folders) if folders is not None else _default_folders(files)
    for name in chosen:
        _check_folder(name)
    if not files.family.image_entrypoint:
        return RunLayout(run_id, tuple(SyncedFolder(n, n) for n in chosen))
    if run_id is None:
        raise InputError(f"a {files.family.value} run needs a run id (for {RUN_ID_TOKEN})")
    synced = tuple(SyncedFolder(n, f"{run_id}/{n}" if n in PER_RUN_FOLDERS else n) for n in chosen)
    run_file = files.run_file
    rendered = (RunFile(run_file, f"{run_id}/{run_file.name}"),) if run_file else ()
    return RunLayout(run_id, synced, rendered)


def _default_folders(files: FinetuneFiles) -> tuple[str, ...]:
    if not files.family.image_entrypoint:
        return DEFAULT_FOLDERS
    shared = tuple(n for n in SHARED_FOLDERS if _is_dir(files.root / n))
    return (*shared, *PER_RUN_FOLDERS)


def _check_folder(name: str) -> None:
    parts = PurePosixPath(name).parts
    if len(parts) != 1 or name in (".", "..") or "\\" in name:
        raise InputError(f"{name!r}: expected a folder name at the top of the workspace")
    if is_never_synced(name):
        raise InputError(
            f"{name}/: is written by the fine-tuning job and never synced "
            f"({', '.join(n + '/' for n in NEVER_SYNCED)} stay as the job left them)"
        )


def is_never_synced(remote_path: str) -> bool:
    """True for a share path under `models/`, `model-cache/` or `cache/` (any case: Azure
    Files names are case-insensitive)."""
    first = PurePosixPath(remote_path.strip("/")).parts[:1]
    return bool(first) and first[0].lower() in NEVER_SYNCED


def render(text: str, run_id: str) -> str:
    """`<run_id>` filled in (lora.yaml: `finetune_dataset: mount/<run_id>/dataset`)."""
    return text.replace(RUN_ID_TOKEN, run_id)


def substitute(args: Sequence[str], run_id: str) -> tuple[str, ...]:
    return tuple(render(a, run_id) for a in args)


# ---------------------------------------------------------------- run ids


def new_run_id(now: dt.datetime, token: str) -> str:
    """`YYYYMMDD-HHMMSS-<token>` in UTC: sorts by start time, unique by the token."""
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{token}"


def random_token(length: int = RUN_ID_TOKEN_LENGTH) -> str:
    return "".join(secrets.choice(RUN_ID_ALPHABET) for _ in range(length))


def generate_run_id(now: dt.datetime | None = None, token: Callable[[], str] = random_token) -> str:
    return new_run_id(now or dt.datetime.now(dt.timezone.utc), token())


def check_run_id(value: str, source: str) -> str:
    """A run id given by the user (`--run-id`), or InputError (exit 2) naming the source."""
    if _RUN_ID.match(value) and ".." not in value:
        return value
    raise InputError(f"{source}: {value!r} is not a valid run id ({RUN_ID_EXPECTED})")


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False
