"""The README's table of contract checks names every check the suite has."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "contract_tests" / "discord_images_contract"


def check_names() -> set[str]:
    names = set()
    for module in PACKAGE.glob("test_*.py"):
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def test_readme_explains_every_check() -> None:
    section = (ROOT / "README.md").read_text().split("## Contract tests for operators", 1)[1]
    names = check_names()
    assert "test_schemathesis_stateful_links" in names
    missing = sorted(name for name in names if f"`{name}" not in section)
    assert not missing, f"not in the README's table of checks: {missing}"
