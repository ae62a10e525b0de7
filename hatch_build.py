"""Build hook: the wheel carries the reference site, built from this tree at build time.

The site is generated (never committed), so the wheel build runs `mkdocs build` into a temporary
folder and maps it into the package as `discord_images_mock/site/`, where the installed mock
serves it at /docs/. Editable installs skip it: a checkout builds the site with `make docs`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SITE_IN_PACKAGE = "discord_images_mock/site"


class SiteBuildHook(BuildHookInterface):
    PLUGIN_NAME = "reference-site"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        config = Path(self.root) / "mkdocs.yml"
        if not config.is_file():
            raise RuntimeError(
                f"cannot build the reference site: {config.name} is missing from {self.root} "
                "(an sdist must ship mkdocs.yml, docs/ and openapi.yaml)"
            )
        self._tmp = tempfile.mkdtemp(prefix="discord-images-site-")
        site = Path(self._tmp) / "site"
        self.app.display_info(f"Building the reference site into {SITE_IN_PACKAGE}/")
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--quiet"]
            + ["--config-file", str(config), "--site-dir", str(site)],
            cwd=self.root,
            # Material's end-of-life notice is noise in every wheel build.
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not (site / "index.html").is_file():
            self.finalize(version, build_data, "")
            hint = ""
            if "No module named mkdocs" in result.stderr:
                hint = " (the build environment needs [build-system] requires from pyproject.toml)"
            raise RuntimeError(
                f"mkdocs build failed, and the wheel needs the reference site{hint}:\n"
                + result.stdout
                + result.stderr
            )
        build_data["force_include"][str(site)] = SITE_IN_PACKAGE

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
            self._tmp = None
