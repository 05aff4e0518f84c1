"""Only `orchestrator/azure/` imports the Azure SDK (`azure.*`, azure-cli-core included):
plain imports, from-imports and importlib strings are all looked for, in the syntax tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "orchestrator"
BOUNDARY = PACKAGE / "azure"
IMPORTERS = frozenset({"import_module", "__import__"})


def _is_azure(name: str) -> bool:
    return name == "azure" or name.startswith("azure.")


def azure_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of `azure` in `source`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_azure(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_azure(node.module):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) else None
            if name in IMPORTERS and isinstance(literal, str) and _is_azure(literal):
                found.append((node.lineno, literal))
    return found


def outside_boundary() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if BOUNDARY not in p.parents]


def test_no_module_outside_the_azure_package_imports_the_sdk() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {module}"
        for path in outside_boundary()
        for line, module in azure_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_boundary_package_is_where_the_sdk_is_imported() -> None:
    inside = [p for p in BOUNDARY.rglob("*.py") if azure_imports(p.read_text(encoding="utf-8"))]
    assert len(inside) >= 5 and len(outside_boundary()) > 40


@pytest.mark.parametrize(
    "source",
    [
        "import azure.identity",
        "import os, azure",
        "from azure.core.exceptions import HttpResponseError",
        "from azure import identity",
        "def f():\n    from azure.cli.core import get_default_cli",
        "import importlib\nimportlib.import_module('azure.storage.fileshare')",
        "from importlib import import_module\nimport_module('azure')",
        "__import__('azure.mgmt.storage')",
    ],
)
def test_every_form_of_import_is_found(source: str) -> None:
    assert azure_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "from orchestrator.azure.models import AppView",
        "from orchestrator import azure",
        "from .azure import x",
        "import azurelike",
        "print('azure.identity')",
    ],
)
def test_our_own_azure_package_and_lookalikes_are_not_flagged(source: str) -> None:
    assert azure_imports(source) == []
