"""provision on a real terminal (a pty): the Ctrl-C question is asked on a still screen (the
live table stopped, the typed answer echoed), and declining `--preview` is a normal end."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    cli_env,
    config_text,
    interruptible,
    list_deployments,
    make_workspace,
    orchestrator_argv,
    reset,
    set_settings,
    wait_until_done,
)

pytestmark = [pytest.mark.functional, pytest.mark.slow]

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LIVE_REDRAW = ("\x1b[2K", "\x1b[?25l")  # erase a line, hide the cursor: a live display drawing


class Terminal:
    """The CLI on a pseudo-terminal of its own (stdin, stdout and stderr; its controlling
    terminal, so a typed Ctrl-C is a SIGINT from the line discipline, as in a shell)."""

    def __init__(self, workspace: Path, lc: LocalCloudHandle, *args: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x00\x28\x00\x78\x00\x00\x00\x00")  # 40x120
        env = cli_env(lc, TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            orchestrator_argv(*args),
            cwd=workspace,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=self._child,
        )
        os.close(slave)
        self.master = master
        self.screen = ""

    @staticmethod
    def _child() -> None:
        """The terminal becomes the child's controlling terminal; Ctrl-C interrupts it."""
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        interruptible()

    def read_until(self, needle: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.screen:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"{needle!r} never appeared; screen:\n{self.screen}")
        return self.screen

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self, timeout: float = 60.0) -> int:
        """The exit code, once the CLI has exited and its output is read; a CLI still
        running at the deadline is killed and the test fails with its screen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass
        try:
            code = self.proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the CLI did not exit; screen:\n{self.screen}") from None
        finally:
            os.close(self.master)
        return code

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], min(timeout, 1.0))
        if not ready:
            return self.proc.poll() is None
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.screen += chunk.decode(errors="replace")
        return bool(chunk)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def slow_lc(localcloud: LocalCloudHandle) -> Iterator[LocalCloudHandle]:
    set_settings(localcloud, {"provisioning_seconds": {"*": 1.5}})
    try:
        yield localcloud
    finally:
        reset(localcloud)


def test_ctrl_c_asks_on_a_still_screen_and_the_answer_is_echoed(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    term = Terminal(workspace, slow_lc, "provision", "-g", fresh_group)
    term.read_until("deployment: Running")  # the live table is drawing
    time.sleep(0.5)
    term.type("\x03")
    question = "running or cancel it?"
    term.read_until(question)
    time.sleep(1.0)  # a live table refreshes 4 times a second: it would have redrawn by now
    after_question = term.screen.split(question, 1)[1]
    assert not any(code in after_question for code in LIVE_REDRAW), repr(after_question)
    term.type("cancel\r")
    code = term.finish()
    shown = ANSI.sub("", term.screen)
    assert code == 130, shown
    assert re.search(r"running or cancel it\? \(leave, cancel\) \[leave\]: cancel", shown)
    name = re.search(r"canceled deployment (\S+);", shown)
    assert name is not None, shown
    assert wait_until_done(slow_lc, fresh_group, name.group(1)) == "Canceled"


def test_a_second_ctrl_c_at_the_question_leaves_the_deployment_running(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    term = Terminal(workspace, slow_lc, "provision", "-g", fresh_group)
    term.read_until("deployment: Running")
    term.type("\x03")
    term.read_until("running or cancel it?")
    term.type("\x03")
    code = term.finish()
    shown = ANSI.sub("", term.screen)
    assert code == 130, shown
    left = re.search(r"deployment (\S+) left running in ", shown)
    assert left is not None, shown
    assert "orchestrator attach" in shown
    assert "Traceback" not in shown
    assert wait_until_done(slow_lc, fresh_group, left.group(1)) == "Succeeded"


def test_declining_the_preview_deploys_nothing_and_exits_0(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    before = config_text(workspace)
    term = Terminal(workspace, localcloud, "provision", "-g", fresh_group, "--preview")
    term.read_until("deploy these changes?")
    term.type("no\r")
    code = term.finish()
    shown = ANSI.sub("", term.screen)
    assert code == 0, shown
    assert "nothing deployed: the plan was declined" in shown
    assert list_deployments(localcloud, fresh_group) == []
    assert config_text(workspace) == before
