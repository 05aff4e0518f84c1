"""The rules for every value a generated workflow carries (pure).

Each check returns the value or raises InputError naming its source and the rule. The rules
are narrower than GitHub's where GitHub's would let a value change the meaning of the YAML or
of an OIDC subject (`*` globs in a branch filter, `:` in a subject, quotes, newlines): a
value that passes can be written into the workflow and the subject verbatim.
"""

from __future__ import annotations

import re

from orchestrator.errors import InputError

_WORKFLOW = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_BRANCH_CHARS = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_RUNNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+:/=<>!~,\[\]#-]{0,299}")


def check_workflow_name(value: str, source: str) -> str:
    if not _WORKFLOW.fullmatch(value):
        raise InputError(
            f"{source}: {value!r} is not a usable workflow name (1-63 letters, digits, '-' "
            "or '_', starting with a letter or digit; the file is .github/workflows/NAME.yml)"
        )
    return value


def check_environment(value: str, source: str) -> str:
    if not _ENVIRONMENT.fullmatch(value):
        raise InputError(
            f"{source}: {value!r} is not a usable GitHub environment name (1-64 letters, "
            "digits, '.', '-' or '_', starting with a letter or digit)"
        )
    return value


def check_branch(value: str, source: str) -> str:
    """A plain branch name (no glob): git's ref rules on letters, digits, `.`, `_`, `-`, `/`."""
    parts = value.split("/")
    bad = (
        not _BRANCH_CHARS.fullmatch(value)
        or ".." in value
        or value.endswith((".lock", ".", "/"))
        or any(not part or part.startswith(".") for part in parts)
        or value.startswith("-")
    )
    if bad:
        raise InputError(
            f"{source}: {value!r} is not a usable branch name (letters, digits, '.', '_', "
            "'-' and '/'; no '..', no empty or dot-led part, no glob characters)"
        )
    return value


def check_repository(value: str, source: str) -> tuple[str, str]:
    """`OWNER/REPO` as GitHub allows them."""
    owner, sep, repo = value.partition("/")
    if not sep or not _OWNER.fullmatch(owner) or not _REPO.fullmatch(repo) or repo in (".", ".."):
        raise InputError(
            f"{source}: {value!r} is not a GitHub repository (expected OWNER/REPO: an owner of "
            "1-39 letters, digits or single '-', a name of letters, digits, '.', '-', '_')"
        )
    return owner, repo.removesuffix(".git") or repo


def check_relative_dir(value: str, source: str) -> str:
    """A folder inside the repository, `/`-separated ("" for the root)."""
    if value in ("", "."):
        return ""
    parts = value.split("/")
    if any(not _SEGMENT.fullmatch(part) or part in (".", "..") for part in parts):
        raise InputError(
            f"{source}: {value!r} cannot be written as the workflow's working directory "
            "(letters, digits, '.', '-', '_' per folder)"
        )
    return value


def check_requirement(value: str, source: str) -> str:
    """What `pip install` is given in the workflow: a requirement (`name==1.2.3`) or a URL
    (`git+https://github.com/o/r@<sha>`), with no spaces, quotes, `$` or expressions."""
    if not _REQUIREMENT.fullmatch(value):
        raise InputError(
            f"{source}: {value!r} is not a usable pip requirement (one requirement or URL: "
            "letters, digits and . _ @ + : / = < > ! ~ , [ ] # -; no spaces, quotes or '$')"
        )
    return value


def check_runner_label(value: str, source: str) -> str:
    """One runner label (`ubuntu-latest`, `self-hosted`, `gpu-runner`)."""
    if not _RUNNER.fullmatch(value):
        raise InputError(
            f"{source}: {value!r} is not a usable runner label (1-64 letters, digits, '.', "
            "'-' or '_', starting with a letter or digit)"
        )
    return value
