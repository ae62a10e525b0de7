"""The kit as people get it: built, installed into a fresh venv, run away from the checkout.

`python -m build` makes the sdist and, from it, the wheel, as a user's pip does from an sdist.
The wheel goes into a new venv (not editable); both commands then run from an empty folder, so
anything they find only in the repository (the spec, the site, seed files) fails here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import yaml

from tests.server_process import START_TIMEOUT, free_port, wait_for_api

ROOT = Path(__file__).resolve().parent.parent
VERSION: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
TOKEN = "images_api"
SECOND_TOKEN = "wheel-test-second-account"
MOCK = "discord-images-mock"
CONTRACT = "discord-images-contract"


def run(
    command: list[str | Path],
    timeout: float = 300,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )
    return result.stdout


@dataclass
class Kit:
    wheel: Path
    sdist: Path
    venv: Path
    home: Path

    def command(self, name: str) -> Path:
        return self.venv / "bin" / name

    @property
    def env(self) -> dict[str, str]:
        """The user's environment: nothing from this checkout or its venv, HOME kept apart."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
            and not key.startswith("DISCORD_IMAGES_")
        }
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), env.get("PATH", "")])
        env["HOME"] = str(self.home)
        return env

    def run(
        self, name: str, *args: str, cwd: Path, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.command(name)), *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    base = tmp_path_factory.mktemp("kit")
    dist = base / "dist"
    # What `python -m build` does, sdist first: the wheel is built from the unpacked sdist in an
    # isolated environment, so a file the sdist lacks (mkdocs.yml, docs/, openapi.yaml) or a
    # build requirement the site hook lacks fails here. The sdist step needs only hatchling,
    # which this venv has: no second isolated environment for it.
    run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", dist, ROOT])
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(base / "unpacked", filter="data")
    (unpacked,) = (base / "unpacked").iterdir()
    run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, unpacked], timeout=600)
    (wheel,) = dist.glob("*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    # This venv's pip installs into the new one: same result as the new venv's own pip,
    # without bootstrapping a second pip first.
    run(
        [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", wheel],
        timeout=600,
    )
    home = base / "home"
    home.mkdir()
    return Kit(wheel=wheel, sdist=sdist, venv=venv, home=home)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run the commands in, as a user would after `pip install`."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@dataclass
class RunningMock:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        self.stop()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def installed_mock(kit: Kit, workdir: Path) -> Iterator[RunningMock]:
    """The installed mock started from an empty folder with a port and a second account."""
    port = free_port()
    log = workdir.parent / "mock.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(kit.command(MOCK)), "--port", str(port), "--token", SECOND_TOKEN],
            cwd=workdir,
            env=kit.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    mock = RunningMock(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_ready(mock)
        yield mock
    finally:
        mock.stop()


def wait_until_ready(mock: RunningMock) -> None:
    problem = wait_for_api(mock.process, mock.base_url)
    if problem:
        pytest.fail(f"the installed mock {problem}:\n{mock.output()}")


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    """A non-zero exit whose reason is one line of stderr naming the culprit; no traceback."""
    everything = result.stdout + result.stderr
    assert result.returncode != 0, f"exited 0:\n{everything}"
    assert "Traceback" not in everything, everything
    lines = [line for line in result.stderr.splitlines() if needle in line]
    assert len(lines) == 1, f"expected one stderr line naming {needle!r}:\n{result.stderr}"


def test_sdist_carries_what_the_wheel_build_needs(kit: Kit) -> None:
    with tarfile.open(kit.sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
    assert {"openapi.yaml", "mkdocs.yml", "hatch_build.py", "pyproject.toml"} <= names
    assert any(name.startswith("docs/") for name in names)


def test_wheel_carries_the_spec_and_the_site_as_package_data(kit: Kit) -> None:
    with zipfile.ZipFile(kit.wheel) as archive:
        names = set(archive.namelist())
        spec = archive.read("discord_images_mock/openapi.yaml")
    # The root file is the one source: the wheel holds it byte for byte, nothing else copies it.
    assert spec == (ROOT / "openapi.yaml").read_bytes()
    # The site publishes the spec too; any copy the build makes is the same bytes.
    with zipfile.ZipFile(kit.wheel) as archive:
        copies = [name for name in names if name.endswith("openapi.yaml")]
        assert all(archive.read(name) == spec for name in copies), copies
    assert "discord_images_mock/site/index.html" in names
    assert "discord_images_mock/site/404.html" in names
    assert not any(
        name.startswith(("tests/", "docs/", "mock/", "contract_tests/")) for name in names
    )


def test_commands_import_from_the_venv_not_the_checkout(kit: Kit, workdir: Path) -> None:
    code = (
        "import discord_images_mock as m, discord_images_contract as c, importlib.metadata as md;"
        "print(m.__file__); print(c.__file__); print(md.version('discord-images-kit'))"
    )
    mock_file, contract_file, version = run(
        [kit.venv / "bin" / "python", "-c", code], cwd=workdir, env=kit.env
    ).split()
    assert Path(mock_file).is_relative_to(kit.venv)
    assert Path(contract_file).is_relative_to(kit.venv)
    assert version == VERSION


@pytest.mark.parametrize("name", [MOCK, CONTRACT])
def test_help_and_version(kit: Kit, workdir: Path, name: str) -> None:
    shown = kit.run(name, "--help", cwd=workdir)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage:"), shown.stdout
    expected = ["--port", "--data-dir"] if name == MOCK else ["--base-url", "--token"]
    for option in [*expected, "--version"]:
        assert option in shown.stdout, f"{name} --help does not mention {option}"
    version = kit.run(name, "--version", cwd=workdir)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"{name} {VERSION}"


@pytest.mark.parametrize("name", [MOCK, CONTRACT])
def test_a_wrong_option_is_one_line(kit: Kit, workdir: Path, name: str) -> None:
    result = kit.run(name, "--no-such-option", cwd=workdir)
    assert_one_line_error(result, "--no-such-option")


def test_contract_against_an_unreachable_url_is_one_line(kit: Kit, workdir: Path) -> None:
    port = str(free_port())
    result = kit.run(
        CONTRACT, "--base-url", f"http://127.0.0.1:{port}", "--token", TOKEN, cwd=workdir
    )
    assert_one_line_error(result, port)


def test_mock_on_a_port_in_use_is_one_line(kit: Kit, workdir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = kit.run(MOCK, "--port", port, cwd=workdir, timeout=START_TIMEOUT)
    assert_one_line_error(result, port)


def test_mock_with_an_unwritable_data_folder_is_one_line(kit: Kit, workdir: Path) -> None:
    # A file where a folder should be: unwritable even for root, who ignores permission bits.
    (workdir / "blocker").write_text("not a folder\n")
    result = kit.run(
        MOCK,
        "--port",
        str(free_port()),
        "--data-dir",
        "blocker/data",
        cwd=workdir,
        timeout=START_TIMEOUT,
    )
    assert_one_line_error(result, "blocker")


def test_installed_mock_serves_spec_seed_and_site(kit: Kit, installed_mock: RunningMock) -> None:
    with httpx.Client(base_url=installed_mock.base_url, timeout=10) as client:
        served = client.get("/openapi.json")
        assert served.status_code == 200, served.text
        spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
        assert served.json()["paths"].keys() == spec["paths"].keys()

        uploads = client.get("/api/uploads", headers={"token": TOKEN})
        assert uploads.status_code == 200, uploads.text
        files = uploads.json()["files"]
        assert files, "the seeded example uploads are missing"
        for upload in files:
            body = httpx.get(upload["file"], timeout=10)
            assert body.status_code == 200, upload
            assert int(body.headers["content-length"]) > 0
            if "thumb" in upload:
                thumb = httpx.get(upload["thumb"], timeout=10)
                assert thumb.status_code == 200, upload
                assert thumb.content.startswith(b"\x89PNG"), upload

        page = client.get("/docs/")
        assert page.status_code == 200
        with zipfile.ZipFile(kit.wheel) as archive:
            assert page.content == archive.read("discord_images_mock/site/index.html")


def test_installed_contract_suite_passes_against_the_installed_mock(
    kit: Kit, installed_mock: RunningMock, workdir: Path
) -> None:
    report = workdir / "contract-report.xml"
    result = kit.run(
        CONTRACT,
        "--base-url",
        installed_mock.base_url,
        "--token",
        TOKEN,
        "--second-token",
        SECOND_TOKEN,
        "--junit-xml",
        report.name,
        cwd=workdir,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    suites = ElementTree.parse(report).getroot()
    counts = {key: 0 for key in ("tests", "failures", "errors")}
    for suite in suites.iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    assert counts["tests"] > 0 and counts["failures"] == counts["errors"] == 0, counts
