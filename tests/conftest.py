from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.built_site import BuiltSite, build
from tests.server_process import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh mock server (its own data folder, seeded) for one test."""
    with ServerProcess(tmp_path / "data") as process:
        yield process


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One mock server for read-mostly tests; tests that upload must clean up after themselves."""
    with ServerProcess(tmp_path_factory.mktemp("shared") / "data") as process:
        yield process


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The reference site, built once per session with `mkdocs build --strict`."""
    return build(tmp_path_factory.mktemp("site") / "site")
