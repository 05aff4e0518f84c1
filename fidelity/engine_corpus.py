"""The template engine over the Bicep repository's compiled corpus and real-engine expectations.

    python fidelity/engine_corpus.py [--bicep DIR] [--json OUT]

DIR is a checkout of github.com/Azure/bicep (or its bare git directory); without it the
repository is cloned shallowly into a temporary folder. For every compiled template under
`src/Bicep.Core.Samples/Files/baselines/*/` and `.../user_submitted/` (`main.json` and, since
localcloud's engine reads `languageVersion: "2.0"`, `main.symbolicnames.json`) it checks:

- every expression parses;
- every function called is known to the engine;
- for resource-group templates, parameters and variables evaluate, every resource instance is
  planned and its body evaluates, and every output that needs no live resource evaluates -
  the compiler's output is a template ARM accepts, so a rejection here is a difference;
- nothing crashes (any exception other than `TemplateError` is a crash).

Then it runs the real-engine expectations of `tests/fidelity/engine/expectations/` (values
the Bicep repository's tests state, computed by ARM's engine) and checks that each one's cited
test still states its expected values at the pinned commit.

Prints a summary (the figures in docs/fidelity.md) and exits 1 on a crash, a parse failure, an
unknown function or a failed expectation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fidelity" / "engine"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_cases import BICEP_COMMIT, citation_problems, load_expectations, run_case  # noqa: E402
from engine_checks import CorpusReport, check_template  # noqa: E402

BICEP_URL = "https://github.com/Azure/bicep"
# Functions the corpus calls that the engine does not serve, and why; one that is unknown and
# not listed, or listed and no longer unknown, fails the run.
NOT_SERVED = {
    "extensions": "extensibility (non-Azure resource types) is not served",
    "managementGroup": "called by management-group-scope templates only; localcloud deploys "
    "to resource groups",
    "providers": "deprecated; needs the resource provider catalogue",
}
SAMPLES = "src/Bicep.Core.Samples/Files"
TESTS = "src/Bicep.Core.IntegrationTests"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bicep", type=Path, help="checkout or git dir of Azure/bicep")
    parser.add_argument("--json", type=Path, help="write the full report here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="engine-corpus-") as tmp:
        tree = _tree(args.bicep, Path(tmp))
        commit = _commit(tree, args.bicep)
        report = CorpusReport()
        for path in _templates(tree):
            check_template(report, str(path.relative_to(tree)), _load(path))
        expectations = _expectations(tree)
    summary = report.summary()
    summary["bicep_commit"] = commit
    summary["expectations"] = expectations
    _judge_functions(summary["functions"])
    print(_render(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    failed = (
        summary["crashes"]
        + summary["expressions"]["unparsed"]
        + len(summary["functions"]["unexpected"])
        + len(summary["functions"]["stale"])
        + expectations["failed"]
        + len(expectations["citation_problems"])
    )
    return 1 if failed else 0


def _judge_functions(functions: dict[str, Any]) -> None:
    """Unknown functions against NOT_SERVED: unexpected ones and stale entries fail."""
    unknown = set(functions["unknown"])
    functions["not_served"] = NOT_SERVED
    functions["unexpected"] = sorted(unknown - set(NOT_SERVED))
    functions["stale"] = sorted(set(NOT_SERVED) - unknown)


def _tree(given: Path | None, tmp: Path) -> Path:
    """A work tree holding `src/Bicep.Core.Samples` and the integration tests."""
    if given is None:
        target = tmp / "bicep"
        print(f"cloning {BICEP_URL} (shallow) ...", file=sys.stderr)
        subprocess.run(["git", "clone", "-q", "--depth", "1", BICEP_URL, str(target)], check=True)
        return target
    if (given / "src").is_dir():
        return given
    # A bare git directory: export the parts we read.
    target = tmp / "bicep"
    target.mkdir()
    archive = subprocess.run(
        [
            "git",
            "--git-dir",
            str(given),
            "archive",
            "HEAD",
            SAMPLES,
            "src/Bicep.Core.IntegrationTests",
        ],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _commit(tree: Path, given: Path | None) -> str:
    git_dir = ["--git-dir", str(given)] if given and not (given / "src").is_dir() else []
    cwd = None if git_dir else tree
    result = subprocess.run(
        ["git", *git_dir, "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def _templates(tree: Path) -> Iterator[Path]:
    samples = tree / SAMPLES
    for folder in ("baselines", "user_submitted"):
        for path in sorted((samples / folder).rglob("*.json")):
            if path.name in ("main.json", "main.symbolicnames.json"):
                yield path


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _expectations(tree: Path) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    failures: list[str] = []
    problems: list[str] = []
    for source, case in load_expectations():
        outcome = run_case(case)
        counts[outcome.status] += 1
        if outcome.status == "failed":
            failures.append(f"{source['path']} {case['name']}: {outcome.detail}")
        test_file = tree / source["path"]
        if test_file.is_file():
            problems.extend(citation_problems(source, case, test_file.read_text("utf-8-sig")))
        elif source["repo"] == "Azure/bicep":
            problems.append(f"{source['path']}: not in the checkout")
    return {
        "passed": counts["passed"],
        "failed": counts["failed"],
        "known_differences": counts["known"],
        "failures": failures,
        "citation_problems": problems,
        "pinned_commit": BICEP_COMMIT,
    }


def _render(summary: dict[str, Any]) -> str:
    expr, funcs, ev = summary["expressions"], summary["functions"], summary["evaluation"]
    exp = summary["expectations"]
    lines = [
        f"Azure/bicep {summary['bicep_commit']}",
        f"templates: {summary['templates']} ({summary['resource_group_templates']} at "
        "resource-group scope)",
        f"expressions: {expr['total']} parsed {expr['parsed']} unparsed {expr['unparsed']}",
        f"functions: {funcs['distinct']} distinct, unknown: {', '.join(funcs['unknown']) or '-'}"
        f" (unexpected: {', '.join(funcs['unexpected']) or '-'}; listed as not served but known:"
        f" {', '.join(funcs['stale']) or '-'})",
        f"templates prepared: {ev['prepared']} rejected: {ev['rejected']} rejected on a made-up "
        f"parameter value: {ev['rejected_by_sample']} (extensibility, not evaluated: "
        f"{ev['extensible']})",
        f"resource bodies: evaluated {ev['bodies']} need live resources {ev['bodies_live']} "
        f"rejected {ev['bodies_rejected']}",
        f"outputs: evaluated {ev['outputs']} need live resources {ev['outputs_live']} rejected "
        f"{ev['outputs_rejected']}",
        f"nested deployments prepared: {ev['nested']} rejected {ev['nested_rejected']}",
        f"crashes: {summary['crashes']}",
        f"expectations: passed {exp['passed']} failed {exp['failed']} known differences "
        f"{exp['known_differences']} citation problems {len(exp['citation_problems'])}",
    ]
    for title, items in (
        ("unparsed", summary["unparsed"]),
        ("rejected", summary["rejections"]),
        ("crashes", summary["crash_list"]),
        ("failed expectations", exp["failures"]),
        ("citation problems", exp["citation_problems"]),
    ):
        if items:
            lines.append(f"-- {title} --")
            lines.extend(f"  {item}" for item in items[:60])
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
