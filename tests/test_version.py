"""The version lives in pyproject.toml only; the changelog and the installed metadata follow it."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
PACKAGES = [
    ROOT / "mock" / "discord_images_mock",
    ROOT / "contract_tests" / "discord_images_contract",
]


def test_version_is_semantic() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION


def test_changelog_has_an_entry_for_this_version() -> None:
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[0] == "Unreleased", "new changes go under `## Unreleased` first"
    release = re.fullmatch(r"(\d+\.\d+\.\d+) - \d{4}-\d{2}-\d{2}", headings[1])
    assert release, f"not `## X.Y.Z - YYYY-MM-DD`: {headings[1]!r}"
    assert release.group(1) == VERSION, "bump the changelog and pyproject.toml together"


def test_no_module_restates_the_version() -> None:
    literal = re.compile(rf"""["']{re.escape(VERSION)}["']""")
    restating = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in package.rglob("*.py")
        if literal.search(path.read_text())
    ]
    assert not restating, f"read importlib.metadata instead: {restating}"


def test_installed_metadata_matches() -> None:
    assert importlib.metadata.version("discord-images-kit") == VERSION
