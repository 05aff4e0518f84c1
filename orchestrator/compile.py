"""Turn the workspace's template into ARM JSON.

Order of preference for a `.bicep` file:
1. a Bicep CLI - `$BICEP`, `bicep` on PATH, the az CLI's copy (`$AZURE_CONFIG_DIR/bin/bicep`,
   else `~/.azure/bin/bicep`), `~/.wais/bin/bicep` (and the AI Toolkit's
   `~/.wais/bin/bicep/v*/bicep`), else `az bicep` - with the result cached under
   `<workspace>/.orchestrator/compiled/<sha256 of source>-<compiler version>.json`;
2. with no compiler, the sibling `.json` when its recorded `metadata.orchestrator.sourceSha256`
   equals the `.bicep`'s SHA-256 (line endings normalised to LF);
3. otherwise the caller's `BicepInstaller` (`orchestrator.bicep.offer`) may install the pinned,
   checksum-verified Bicep CLI into the az CLI's folder - asking first on a terminal - and the
   template is compiled with it;
4. otherwise an InputError saying how to install Bicep or pass `--template FILE.json`.
A `.json` template is used as given once it looks like an ARM deploymentTemplate.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from orchestrator import jsonio
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace

INSTALL_HINT = (
    "install the Bicep CLI (`orchestrator bicep install`, `az bicep install`, or "
    "https://aka.ms/bicep-install), or pass an ARM template with `--template FILE.json`"
)
OBTAINED_CACHE = "cache"
OBTAINED_CHECKED_IN = "checked-in JSON (source hash matches)"
OBTAINED_GIVEN = "ARM JSON given"
_VERSION = re.compile(r"(\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    def __call__(self, argv: Sequence[str]) -> RunResult: ...


class BicepInstaller(Protocol):
    """Installs a Bicep CLI when no compiler is found and the checked-in JSON cannot serve."""

    def offer(self, reason: str) -> Path | None:
        """The installed CLI's path, or None when nothing was installed."""
        ...

    def hint(self) -> str:
        """What the user can do when nothing was installed."""
        ...


Which = Callable[[str], "str | None"]


def subprocess_runner(argv: Sequence[str]) -> RunResult:
    """Run a compiler; OS errors become InputError."""
    import subprocess

    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(f"cannot run {argv[0]}: {exc}", hint=INSTALL_HINT) from exc
    return RunResult(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Compiler:
    """How to call a Bicep CLI: `bicep ...` or `az bicep ...`."""

    argv: tuple[str, ...]  # ("/path/bicep",) or ("/path/az", "bicep")

    @property
    def via_az(self) -> bool:
        return len(self.argv) > 1

    def version_argv(self) -> list[str]:
        return [*self.argv, "version" if self.via_az else "--version"]

    def build_argv(self, source: Path) -> list[str]:
        if self.via_az:
            return [*self.argv, "build", "--file", str(source), "--stdout"]
        return [*self.argv, "build", str(source), "--stdout"]


@dataclass(frozen=True)
class CompiledTemplate:
    template: Mapping[str, Any]
    source: str  # the template path as shown to the user
    obtained: str  # "bicep 0.26.170" | "cache" | "checked-in JSON (source hash matches)" | ...
    source_sha256: str = ""  # of the .bicep ("" for a JSON template)


def source_sha256(path: Path) -> str:
    """SHA-256 of a Bicep file with CRLF normalised to LF (a Windows checkout hashes the same)."""
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def path_which(env: Mapping[str, str]) -> Which:
    """`shutil.which` over the PATH of `env` (the invocation's environment, not os.environ)."""
    search = env.get("PATH")
    return lambda name: shutil.which(name, path=search)


def find_compiler(env: Mapping[str, str], which: Which | None = None) -> Compiler | None:
    """The first Bicep CLI found (see the module docstring), or None."""
    which = which or path_which(env)
    explicit = env.get("BICEP", "").strip()
    if explicit:
        return Compiler((explicit,))
    on_path = which("bicep")
    if on_path:
        return Compiler((on_path,))
    home = Path(env.get("HOME") or Path.home())
    for candidate in _home_candidates(home, env):
        if _is_file(candidate) and os.access(candidate, os.X_OK):
            return Compiler((str(candidate),))
    az = which("az")
    return Compiler((az, "bicep")) if az else None


def _home_candidates(home: Path, env: Mapping[str, str]) -> list[Path]:
    az_bin = Path(env["AZURE_CONFIG_DIR"]) / "bin" if env.get("AZURE_CONFIG_DIR") else None
    az_dir = az_bin or home / ".azure" / "bin"
    fixed = [az_dir / "bicep", az_dir / "bicep.exe", home / ".wais" / "bin" / "bicep"]
    try:
        versions = sorted((home / ".wais" / "bin" / "bicep").glob("v*/bicep"), reverse=True)
    except OSError:  # a home folder that cannot be searched holds no compiler we can run
        versions = []
    return [*fixed, *versions]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # no permission to look: not a compiler we can run
        return False


def compiler_version(compiler: Compiler, runner: Runner) -> str:
    done = runner(compiler.version_argv())
    match = _VERSION.search(done.stdout + done.stderr)
    if done.returncode != 0 or match is None:
        raise InputError(
            f"{' '.join(compiler.argv)}: cannot tell its version (exit {done.returncode})",
            hint=INSTALL_HINT,
        )
    return match.group(1)


def compile_template(
    workspace: Workspace,
    template_path: Path | None,
    env: Mapping[str, str],
    runner: Runner = subprocess_runner,
    which: Which | None = None,
    installer: BicepInstaller | None = None,
) -> CompiledTemplate:
    """The ARM JSON of the workspace's template (default: infra/provision/inference.bicep)."""
    path = template_path if template_path is not None else workspace.bicep
    shown = workspace.shown(path)
    if path.suffix.lower() == ".json":
        return CompiledTemplate(_load_arm_template(path, shown), shown, OBTAINED_GIVEN)
    digest = _source_digest(path, shown)
    compiler = find_compiler(env, which)
    version = _usable_version(compiler, runner)
    if compiler is None or version is None:
        stale = _checked_in(path, shown, digest, workspace)
        if isinstance(stale, CompiledTemplate):
            return stale
        compiler = _install(stale, installer)
        version = compiler_version(compiler, runner)
    cache = workspace.state_dir / "compiled" / f"{digest}-{version}.json"
    cached = _read_cache(cache)
    if cached is not None:
        return CompiledTemplate(cached, shown, OBTAINED_CACHE, digest)
    template = _build(compiler, path, shown, runner)
    _write_cache(workspace, cache, template)
    return CompiledTemplate(template, shown, f"bicep {version}", digest)


def _source_digest(path: Path, shown: str) -> str:
    """`source_sha256` of the template; an unreadable file is an InputError saying why."""
    expected = "expected a .bicep or ARM .json template"
    try:
        if path.is_dir():
            raise InputError(f"{shown}: is a directory ({expected})")
        return source_sha256(path)
    except FileNotFoundError:
        raise InputError(f"{shown}: file not found ({expected})") from None
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror
        raise InputError(f"{shown}: cannot read ({reason})") from None


def _write_cache(workspace: Workspace, cache: Path, template: Mapping[str, Any]) -> None:
    """Best effort: a workspace we cannot write to still compiles, only without a cache."""
    try:
        workspace.ensure_state_dir()
        jsonio.write_json_atomic(cache, template)
    except OSError:
        return


def _usable_version(compiler: Compiler | None, runner: Runner) -> str | None:
    """The compiler's version; None when `az` has no working Bicep (then the checked-in JSON
    may serve). A Bicep CLI that was named or found but fails is an error."""
    if compiler is None:
        return None
    try:
        return compiler_version(compiler, runner)
    except InputError:
        if compiler.via_az:
            return None
        raise


def _build(compiler: Compiler, path: Path, shown: str, runner: Runner) -> dict[str, Any]:
    done = runner(compiler.build_argv(path))
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [
            f"exit status {done.returncode}"
        ]
        raise InputError(f"{shown}: bicep build failed:\n  " + "\n  ".join(lines))
    template = jsonio.parse_json(done.stdout, f"{shown} (compiled)")
    _check_arm_shape(template, f"{shown} (compiled)")
    return dict(template)


def _read_cache(cache: Path) -> dict[str, Any] | None:
    if not cache.is_file():
        return None
    try:
        data = jsonio.load_json(cache)
    except InputError:
        return None  # a damaged cache entry is rebuilt
    return dict(data) if isinstance(data, dict) and "resources" in data else None


def _checked_in(
    path: Path, shown: str, digest: str, workspace: Workspace
) -> CompiledTemplate | str:
    """The checked-in JSON when it was compiled from this source; else why it cannot serve."""
    sibling = path.with_suffix(".json")
    sibling_shown = workspace.shown(sibling)
    if not sibling.is_file():
        return f"{shown}: no Bicep CLI found and no {sibling_shown}"
    template = _load_arm_template(sibling, sibling_shown)
    recorded = recorded_source_sha256(template)
    if recorded != digest:
        return (
            f"{sibling_shown} was not compiled from the current {shown} "
            f"(recorded source SHA-256 {recorded or 'missing'}, actual {digest}) "
            "and no Bicep CLI was found to compile it"
        )
    return CompiledTemplate(template, shown, OBTAINED_CHECKED_IN, digest)


def _install(reason: str, installer: BicepInstaller | None) -> Compiler:
    """A freshly installed Bicep CLI, or the InputError that says how to get one."""
    if installer is None:
        raise InputError(reason, hint=INSTALL_HINT)
    installed = installer.offer(reason)
    if installed is None:
        raise InputError(reason, hint=installer.hint())
    return Compiler((str(installed),))


def recorded_source_sha256(template: Mapping[str, Any]) -> str:
    """`metadata.orchestrator.sourceSha256` of a checked-in compiled template ("" if absent)."""
    metadata = template.get("metadata")
    ours = metadata.get("orchestrator") if isinstance(metadata, Mapping) else None
    value = ours.get("sourceSha256") if isinstance(ours, Mapping) else None
    return value if isinstance(value, str) else ""


def _load_arm_template(path: Path, shown: str) -> dict[str, Any]:
    template = jsonio.load_json(path, shown)
    _check_arm_shape(template, shown)
    return dict(template)


def _check_arm_shape(template: Any, shown: str) -> None:
    schema = template.get("$schema") if isinstance(template, dict) else None
    if not isinstance(schema, str) or "deploymentTemplate.json" not in schema:
        raise InputError(
            f"{shown}: $schema: not an ARM deployment template "
            "(expected $schema ending in deploymentTemplate.json#)"
        )
    if not isinstance(template.get("resources"), (list, dict)):
        raise InputError(f"{shown}: resources: is missing (expected an array of resources)")
