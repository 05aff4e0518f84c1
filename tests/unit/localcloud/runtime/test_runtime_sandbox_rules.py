"""Sandbox decisions (pure): PATH without virtual environments, the sandbox's environment,
one Python environment per app/container/image, the namespace command line, the notes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from localcloud.runtime.bwrap import RootEntry, bwrap_argv
from localcloud.runtime.launch import launch_notes
from localcloud.runtime.sandbox import (
    SandboxConfig,
    app_venv_prefix,
    clean_path,
    namespace_argv,
    pythons_under_tmp,
    sandbox_dirs,
    sandbox_environment,
    venv_key,
)

STATE = Path("/state")
CONFIG = SandboxConfig(
    isolation="namespace",
    state_dir=STATE,
    venv_root=STATE / "runtime" / "venvs",
    python=Path("/usr/bin/python3"),
    pip_wheel=None,
    unshare=("--user", "--map-root-user", "--mount"),
)
DIRS = sandbox_dirs(CONFIG, STATE / "runtime" / "replicas" / "r1", "k1")


def test_virtual_environments_and_relative_entries_leave_the_path() -> None:
    venvs = {"/home/user/project/.venv/bin"}
    path = "/home/user/project/.venv/bin:relative:/usr/local/bin:/usr/bin:/usr/bin:"
    assert clean_path(path, venvs.__contains__) == "/usr/local/bin:/usr/bin"


def test_an_empty_path_falls_back_to_the_system_folders() -> None:
    assert "/usr/bin" in clean_path("/x/.venv/bin", lambda _: True)


def test_the_sandbox_environment_has_its_own_home_tmp_and_python_first() -> None:
    env = sandbox_environment(
        {"PATH": "/venv/bin:/usr/bin", "HOME": "/root", "LANG": "C"},
        DIRS,
        {"/venv/bin"}.__contains__,
    )
    assert env["HOME"] == str(DIRS.home) and env["TMPDIR"] == env["TMP"] == str(DIRS.tmp)
    assert env["VIRTUAL_ENV"] == str(STATE / "runtime" / "venvs" / "k1")
    assert env["PATH"] == f"{STATE}/runtime/venvs/k1/bin:/usr/bin"
    assert env["PYTHONNOUSERSITE"] == "1" and env["LANG"] == "C"


def test_one_environment_per_app_container_and_image() -> None:
    app = "/subscriptions/s/resourcegroups/rg/providers/microsoft.app/containerapps/a"
    key = venv_key(app, "main", "img:1")
    assert key == venv_key(app.upper(), "MAIN", "img:1")  # ids and names ignore case
    assert key != venv_key(app, "main", "img:2")
    assert key != venv_key(app + "b", "main", "img:1")
    assert key.startswith(app_venv_prefix(app))


def test_without_an_interpreter_there_is_no_environment() -> None:
    bare = SandboxConfig("none", STATE, STATE / "v", None, None, reason="test")
    dirs = sandbox_dirs(bare, STATE / "r", "k")
    assert dirs.venv is None
    assert "VIRTUAL_ENV" not in sandbox_environment({"PATH": "/usr/bin"}, dirs)


def test_the_namespace_command_gives_back_only_the_replica_venv_and_shares() -> None:
    share = STATE / "files" / "acct" / "share"
    argv = namespace_argv(CONFIG, ("python3", "app.py"), DIRS, [share], [(share, "/mount")])
    assert argv[:4] == ("unshare", "--user", "--map-root-user", "--mount")
    script_args = list(argv[argv.index("localcloud-sandbox") + 1 :])
    assert script_args[:4] == [
        str(DIRS.replica / "root"),
        str(STATE),
        str(DIRS.work),
        str(DIRS.tmp),
    ]
    assert script_args[4] == "0"  # no host Python under /tmp to keep visible
    given = script_args[6 : 6 + int(script_args[5])]
    assert given == [str(DIRS.replica), str(DIRS.venv), str(share)]
    rest = script_args[6 + len(given) :]
    assert rest[:3] == ["1", str(share), "/mount"]
    assert "--bounding-set=-all" in rest and rest[-2:] == ["python3", "app.py"]


def test_the_notes_name_the_image_and_the_isolation() -> None:
    notes = launch_notes("docker.io/pytorch/pytorch:2.4.0", CONFIG, DIRS)
    assert "image 'docker.io/pytorch/pytorch:2.4.0' is not pulled" in notes[0]
    assert "read-only host" in notes[1] and str(DIRS.venv) in notes[1]
    weak = SandboxConfig("none", STATE, STATE / "v", None, None, reason="unshare not found")
    assert "unshare not found" in launch_notes("", weak, sandbox_dirs(weak, STATE, ""))[1]
    assert "no image is set" in launch_notes("", None, None)[0]


def test_the_bwrap_command_mirrors_the_namespace_view() -> None:
    entries = (
        RootEntry("bin", "symlink", "usr/bin"),
        RootEntry("dev", "dir"),
        RootEntry("proc", "dir"),
        RootEntry("tmp", "dir"),
        RootEntry("usr", "dir"),
    )
    config = dataclasses.replace(
        CONFIG, tool="bwrap", bwrap_options=("--cap-drop", "ALL"), root_entries=entries
    )
    share = STATE / "files" / "acct" / "share"
    argv = namespace_argv(config, ("python3", "app.py"), DIRS, [share], [(share, "/mount")])
    text = " ".join(argv)
    assert argv[0] == "bwrap" and "--die-with-parent" in argv
    assert "--symlink usr/bin /bin" in text and "--ro-bind /usr /usr" in text
    assert "--dev-bind /dev /dev" in text and "--ro-bind /tmp" not in text
    assert f"--bind {DIRS.tmp} /tmp --tmpfs {STATE}" in text
    assert f"--bind-try {DIRS.replica} {DIRS.replica}" in text
    assert text.index(f"--remount-ro {STATE}") > text.index(f"--bind-try {share}")
    assert f"--bind {share} /mount" in text and "--cap-drop ALL" in text
    assert argv[-4:] == (str(DIRS.work), "--", "python3", "app.py")


def test_a_host_python_under_tmp_stays_visible_read_only(tmp_path: Path) -> None:
    fake_tmp = tmp_path / "tmp"
    venv = fake_tmp / "project" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    kept = pythons_under_tmp(venv / "bin" / "python", fake_tmp)
    assert venv.resolve() in kept
    assert pythons_under_tmp(Path("/usr/bin/python3"), fake_tmp) == ()
    config = dataclasses.replace(CONFIG, keep_readonly=kept)
    argv = namespace_argv(config, ("python3", "app.py"), DIRS, [], [])
    script_args = list(argv[argv.index("localcloud-sandbox") + 1 :])
    assert script_args[4 : 5 + len(kept)] == [str(len(kept)), *map(str, kept)]
    bw = bwrap_argv((), (), STATE, DIRS.tmp, DIRS.work, [], [], ("true",), kept)
    at = bw.index("/tmp")
    assert bw[at + 1 : at + 4] == ("--ro-bind-try", str(kept[0]), str(kept[0]))
