"""The Python environment of a sandbox: a virtual environment per (app, container, image)
under `<state>/runtime/venvs/`, made from the host's base interpreter.

- `python -m venv --without-pip` (a tenth of a second), then pip unpacked from the wheel the
  interpreter bundles for `ensurepip` plus its `pip`/`pip3` launchers (`ensurepip` itself
  takes seconds). An interpreter without `ensurepip` (Debian without python3-venv) gives an
  environment without pip.
- `.localcloud-ready` marks a finished environment; a half-made one is made again.
- `_localcloud_sandbox.pth` makes every `pip install` in it print one console line naming
  the environment, so a user sees where packages go.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

READY = ".localcloud-ready"
NOTICE_MODULE = "_localcloud_sandbox"
VENV_TIMEOUT_S = 120

_NOTICE = '''"""localcloud: one console line when pip installs into this sandbox's environment."""
import os
import sys


def _announce():
    if os.environ.get("LOCALCLOUD_PIP_ANNOUNCED"):
        return
    argv = list(getattr(sys, "orig_argv", None) or sys.argv)
    names = [os.path.basename(a) for a in argv[1:3]]
    pip = names == ["-m", "pip"] or (names[:1] and names[0].rstrip("0123456789.") == "pip")
    if pip and "install" in argv:
        os.environ["LOCALCLOUD_PIP_ANNOUNCED"] = "1"
        sys.stderr.write(
            "[localcloud] pip install: packages go to this app's own Python environment "
            + sys.prefix + " (kept for its next replicas; the host is not changed)\\n"
        )
        sys.stderr.flush()


_announce()
'''

_LAUNCHER = """#!{python}
import sys
from pip._internal.cli.main import main
if __name__ == "__main__":
    sys.exit(main())
"""

_WHERE_IS_ENSUREPIP = "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))"

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def bundled_pip_wheel(python: Path) -> Path | None:
    """The pip wheel `python` bundles for ensurepip (None when it has none)."""
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", _WHERE_IS_ENSUREPIP],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    wheels = sorted(Path(done.stdout.strip(), "_bundled").glob("pip-*.whl"))
    return wheels[-1] if wheels else None


def ensure_venv(venv: Path, python: Path, pip_wheel: Path | None) -> str:
    """Make `venv` ready (once; concurrent callers wait); "" when ready, else why not."""
    with _lock(venv):
        if (venv / READY).exists():
            return ""
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        problem = _create(venv, python)
        if problem:
            shutil.rmtree(venv, ignore_errors=True)
            return problem
        site = _site_packages(venv)
        if site is None:
            return f"the environment {venv} has no site-packages folder"
        if pip_wheel is not None:
            _install_pip(venv, site, pip_wheel)
        (site / f"{NOTICE_MODULE}.py").write_text(_NOTICE)
        (site / f"{NOTICE_MODULE}.pth").write_text(f"import {NOTICE_MODULE}\n")
        (venv / READY).write_text("")
        return ""


def _lock(venv: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(venv, threading.Lock())


def _create(venv: Path, python: Path) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    try:
        done = subprocess.run(
            [str(python), "-m", "venv", "--without-pip", str(venv)],
            capture_output=True,
            text=True,
            timeout=VENV_TIMEOUT_S,
            env=clean,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        return f"cannot create a Python environment with {python}: {err}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return f"cannot create a Python environment with {python}: {last}"
    return ""


def _site_packages(venv: Path) -> Path | None:
    found = sorted(venv.glob("lib/python*/site-packages"))
    return found[0] if found else None


def _install_pip(venv: Path, site: Path, wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    python = venv / "bin" / "python"
    for name in ("pip", "pip3"):
        launcher = venv / "bin" / name
        launcher.write_text(_LAUNCHER.format(python=python))
        launcher.chmod(0o755)
