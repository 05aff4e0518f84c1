"""jsonio: every way a JSON file can be bad is one `FILE[:LINE:COL]: what (expected)` line;
writes are atomic, keep key order and end with a newline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator import jsonio
from orchestrator.errors import Problem


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", "f.json:1:1: file is empty (expected a JSON document)"),
        ('{"a": 1,}', "f.json:1:9: Expecting property name enclosed in double quotes"),
        ('{"a": 1}\n{"b": 2}', "f.json:2:1: Extra data"),
        (
            '{"a": 1, "a": 2}',
            'f.json:1:10: key "a" appears twice in one object '
            "(strict JSON: each key once, no NaN or Infinity)",
        ),
        ('{"a": NaN}', "f.json:1:7: NaN is not a JSON value (strict JSON: each key once, no NaN"),
        ("[-Infinity]", "f.json:1:2: -Infinity is not a JSON value"),
        ('{"a":\n  1e400}', "f.json:2:3: 1e400 is too large a number"),
        ("[" * 100_000 + "]" * 100_000, "f.json: JSON nested too deeply"),
    ],
    ids=[
        "empty",
        "trailing-comma",
        "two-documents",
        "duplicate",
        "nan",
        "infinity",
        "huge",
        "deep",
    ],
)
def test_parse_errors_are_one_line_with_the_position(text: str, line: str) -> None:
    with pytest.raises(jsonio.JsonFileError) as caught:
        jsonio.parse_json(text, "f.json")
    assert str(caught.value.problem()).startswith(line)
    assert caught.value.message == str(caught.value.problem())
    assert "\n" not in caught.value.message


def test_a_problem_without_a_path_prints_file_and_message() -> None:
    assert str(Problem("f.json:3:4", "", "Expecting value")) == "f.json:3:4: Expecting value"
    assert str(Problem("f.json", "a.b", "is null", "a string")) == "f.json: a.b: is null (a string)"


def test_bom_is_skipped_and_bad_utf8_is_located(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert jsonio.load_json(good) == {"a": 1}
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{\n  "a": "\xc3"\n}')
    with pytest.raises(jsonio.JsonFileError) as caught:
        jsonio.load_json(bad, "bad.json")
    assert caught.value.message == (
        "bad.json:2:9: byte 0xc3 is not valid UTF-8 (expected a UTF-8 text file)"
    )


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(" " * 11)
    with pytest.raises(jsonio.JsonFileError) as caught:
        jsonio.read_text(path, "big.json", limit=10)
    assert (
        caught.value.message == "big.json: file is 11 bytes (expected at most 10, the Azure limit)"
    )


def test_atomic_write_keeps_order_mode_and_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{}")
    path.chmod(0o600)
    jsonio.write_json_atomic(path, {"b": 1, "a": [1, 2], "é": None})
    assert (
        path.read_text()
        == json.dumps({"b": 1, "a": [1, 2], "é": None}, indent=2, ensure_ascii=False) + "\n"
    )
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temp file left behind


def test_an_atomic_write_never_overwrites_a_file_that_holds_its_temporary_name(
    tmp_path: Path,
) -> None:
    """A fresh process numbers its temporary files from 0: the first name is taken."""
    import subprocess
    import sys

    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from orchestrator import jsonio\n"
        "folder = Path(sys.argv[1])\n"
        "(folder / f'.c.json.{os.getpid()}.0.tmp').write_text('not ours')\n"
        "jsonio.write_json_atomic(folder / 'c.json', {'a': 1})\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True)
    assert json.loads((tmp_path / "c.json").read_text()) == {"a": 1}
    [taken] = [p for p in tmp_path.iterdir() if p.name != "c.json"]
    assert taken.read_text() == "not ours"


def test_nesting_is_limited_so_that_every_walker_can_recurse() -> None:
    assert jsonio.parse_json("[" * 100 + "]" * 100, "f.json") is not None
    with pytest.raises(jsonio.JsonFileError) as caught:
        jsonio.parse_json("[" * 101 + "]" * 101, "f.json")
    assert caught.value.message == "f.json: JSON nested too deeply (expected at most 100 levels)"
    assert jsonio.depth({"a": [1, {"b": []}], "c": 2}) == 4
    assert jsonio.depth("x") == 0
