"""One exception root for the tool, and the single place that maps errors to exit codes.

Exit codes: 0 success, 1 a failure (Azure refused, deployment failed, ...), 2 bad input
(validation, usage), 3 an unexpected error (a bug: details go to a log file), 130 Ctrl-C,
141 the reader of our output went away (a broken pipe, as in `| head`).
Commands may also return other documented codes in their result (for example `plan
--exit-code`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program killed by it


@dataclass(frozen=True)
class Problem:
    """One problem in the user's input: `FILE: JSON.PATH: what is wrong (what is expected)`.

    A problem found before there is a JSON document (a syntax error, an unreadable file) has
    no path; its `file` then carries the position (`FILE:LINE:COLUMN`) when there is one.
    """

    file: str
    path: str
    message: str
    expected: str = ""

    def __str__(self) -> str:
        tail = f" ({self.expected})" if self.expected else ""
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}{tail}" if self.message else f"{where}{tail}"


class FatalError(Exception):
    """The root of every error the tool reports to the user (never with a traceback)."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, object]:
        """The error as the `error` member of a `--json` document."""
        return {"kind": type(self).__name__, "message": self.message, "hint": self.hint or None}


class InputError(FatalError):
    """Bad input from the user: a file, an option, a value. Exit 2."""

    exit_code = EXIT_INVALID


class ValidationFailed(InputError):
    """Several problems found at once; each is printed on its own line."""

    def __init__(self, problems: Sequence[Problem], *, hint: str = "") -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found", hint=hint)
        self.problems = tuple(problems)

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        out.append(f"error: {self.message}")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, object]:
        problems = [
            {"file": p.file, "path": p.path, "message": p.message, "expected": p.expected or None}
            for p in self.problems
        ]
        return {**super().as_data(), "problems": problems}


class AzureError(FatalError):
    """Azure (or localcloud) refused or failed a request. Exit 1."""


class Interrupted(FatalError):
    """The user pressed Ctrl-C; the message says what was left behind."""

    exit_code = EXIT_INTERRUPTED


def _write_crash_log(exc: BaseException) -> Path:
    import datetime as _dt  # a crash is rare: these are imported when one happens
    import tempfile
    import traceback

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    fd, name = tempfile.mkstemp(prefix=f"orchestrator-crash-{stamp}-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return Path(name)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        return


def _json_document(command: str, code: int, error: dict[str, object], out: TextIO) -> None:
    """With --json, a failure is still one JSON document on stdout."""
    doc = {"command": command, "exit_code": code, "error": error}
    with contextlib.suppress(OSError, ValueError):
        out.write(json.dumps(doc, indent=2, default=str) + "\n")
        out.flush()


def _say(
    err: TextIO, lines: Sequence[str], records: Sequence[dict[str, object]], as_json: bool
) -> None:
    """The failure on stderr: its lines, or with --json its NDJSON records (stderr stays pure
    NDJSON)."""
    with contextlib.suppress(OSError, ValueError):
        if as_json:
            for record in records:
                err.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
        else:
            for line in lines:
                err.write(line + "\n")
        err.flush()


def _records(exc: FatalError) -> list[dict[str, object]]:
    problems = exc.problems if isinstance(exc, ValidationFailed) else ()
    records: list[dict[str, object]] = [
        {
            "event": "problem",
            "file": p.file,
            "path": p.path,
            "message": p.message,
            "expected": p.expected or None,
        }
        for p in problems
    ]
    records.append({"event": "error", **exc.as_data()})
    return records


@contextlib.contextmanager
def error_handler(
    stderr: TextIO | None = None, *, json_command: str = "", stdout: TextIO | None = None
) -> Iterator[list[int]]:
    """Map exceptions to exit codes. Yields a one-element list that receives the exit code.

    `json_command` (the command's name, under --json) writes the error as NDJSON records on
    stderr and as a JSON document on `stdout`, so a script reading stdout always gets one
    document and stderr stays NDJSON.
    """
    err = stderr if stderr is not None else sys.stderr
    out = stdout or sys.stdout
    as_json = bool(json_command)
    code = [EXIT_OK]
    error: dict[str, object] | None = None
    try:
        yield code
    except FatalError as exc:
        _say(err, exc.lines(), _records(exc), as_json)
        code[0], error = exc.exit_code, exc.as_data()
    except KeyboardInterrupt:
        error = {"kind": "Interrupted", "message": "interrupted", "hint": None}
        _say(err, ["interrupted"], [{"event": "error", **error}], as_json)
        code[0] = EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`): nothing more to say, no crash log
        code[0] = EXIT_BROKEN_PIPE
        return
    except Exception as exc:
        log = _write_crash_log(exc)
        message = f"unexpected {type(exc).__name__}: {exc}"
        hint = f"this is a bug; the details are in {log}"
        error = {"kind": "Bug", "message": message, "hint": hint}
        _say(err, [f"error: {message}", f"hint: {hint}"], [{"event": "error", **error}], as_json)
        code[0] = EXIT_BUG
    if as_json and error is not None:
        _json_document(json_command, code[0], error, out)
