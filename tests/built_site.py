"""The reference site as `mkdocs build --strict` makes it, and what tests read from its HTML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from tests.html_tree import Element, parse_file

ROOT = Path(__file__).resolve().parent.parent
SERVERS = [
    server["url"] for server in yaml.safe_load((ROOT / "openapi.yaml").read_text())["servers"]
]
# The key the reference prints; the mock's reference account (the owner of the seeded uploads
# the samples name) answers to the same key.
DOC_TOKEN = "images_api"
MOCK_TOKEN = "images_api"


def substituted(text: str, base_url: str) -> str:
    """A sample or uploader aimed at a test server: only the host and the key change."""
    for server in SERVERS:
        text = text.replace(server, base_url)
    return text.replace(DOC_TOKEN, MOCK_TOKEN)


@dataclass(frozen=True)
class Sample:
    page: str
    operation: str
    language: str
    code: str


@dataclass
class BuiltSite:
    path: Path
    log: str

    @cached_property
    def pages(self) -> dict[str, Element]:
        """Every HTML page, by its path relative to the site (`errors/index.html`)."""
        return {
            str(path.relative_to(self.path)): parse_file(path)
            for path in sorted(self.path.rglob("*.html"))
        }

    @cached_property
    def samples(self) -> list[Sample]:
        found: list[Sample] = []
        for name, page in self.pages.items():
            for block in page.by_class("api-code"):
                operation = block.attrs.get("data-operation")
                tab_sets = block.by_class("tabbed-set")
                if not operation or not tab_sets:
                    continue
                labels = [
                    label.text().strip()
                    for label in tab_sets[0]
                    .by_class("tabbed-labels")[0]
                    .find_all(lambda element: element.tag == "label")
                ]
                codes = [
                    tab.find_all(lambda element: element.tag == "code")[0].text()
                    for tab in tab_sets[0].by_class("tabbed-block")
                ]
                found += [
                    Sample(name, operation, label, code)
                    for label, code in zip(labels, codes, strict=True)
                ]
        return found

    def _headline(self, operation: str) -> list[Element]:
        """What the dark column shows first after an operation's samples (the examples under
        it are folded away in `details`)."""
        for page in self.pages.values():
            for block in page.by_class("api-response"):
                if block.attrs.get("data-operation") == operation:
                    return [c for c in block.children if isinstance(c, Element)]
        return []

    def example_response(self, operation: str) -> Any | None:
        """The JSON the reference shows beside an operation's samples, if it shows any."""
        for element in self._headline(operation):
            if "language-json" in element.classes:
                return json.loads(element.text())
        return None

    def download_name(self, operation: str) -> str | None:
        """The file name the reference says an operation's samples save the response to."""
        for element in self._headline(operation):
            if element.tag == "blockquote":
                codes = element.find_all(lambda e: e.tag == "code")
                return codes[0].text() if codes else None
        return None


def build(site_dir: Path) -> BuiltSite:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed ({result.returncode}):\n{log}")
    return BuiltSite(site_dir, log)
