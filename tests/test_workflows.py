"""The GitHub Actions workflows people copy: they parse, and every command they run exists here."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted(
    [*(ROOT / ".github" / "workflows").glob("*.yml"), *(ROOT / "examples").glob("*.yml")]
)
OPERATOR_EXAMPLE = ROOT / "examples" / "contract-tests.yml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SCRIPTS: dict[str, str] = PYPROJECT["project"]["scripts"]


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


def triggers(workflow: dict[str, Any]) -> Any:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    return workflow.get("on", workflow.get(True))


def run_scripts(workflow: dict[str, Any]) -> list[str]:
    return [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]


def commands(script: str) -> list[list[str]]:
    """Each shell command of a `run:` script, as words; `${{ }}` expressions count as words."""
    joined = re.sub(r"\\\n", " ", script)
    result = []
    for line in joined.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part, comments=True)
            if words:
                result.append(words)
    return result


def all_commands() -> list[tuple[str, list[str]]]:
    return [
        (path.name, words)
        for path in WORKFLOWS
        for script in run_scripts(load(path))
        for words in commands(script)
    ]


def readme_commands() -> list[tuple[str, list[str]]]:
    """Commands in the README's shell and YAML snippets: they are copied as much as the files."""
    text = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```(?:sh|bash|shell|console)\n(.*?)```", text, re.S):
        found += [("README.md", words) for words in commands(block)]
    for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S):
        snippet = yaml.safe_load(block)
        if isinstance(snippet, dict) and "jobs" in snippet:
            found += [
                ("README.md", words)
                for script in run_scripts(snippet)
                for words in commands(script)
            ]
    return found


@cache
def help_text(script: str) -> str:
    executable = shutil.which(script, path=str(Path(sys.executable).parent))
    assert executable, f"{script} is not installed in this environment: pip install -e ."
    result = subprocess.run(
        [executable, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"{script} --help failed:\n{result.stderr}"
    return result.stdout


def test_there_are_workflows_to_check() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "docs.yml", OPERATOR_EXAMPLE.name} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_is_well_formed(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("name"), "a workflow needs a name to be found on the Actions page"
    assert triggers(workflow), "no `on:` triggers"
    assert workflow["jobs"], "no jobs"
    for job_name, job in workflow["jobs"].items():
        assert job.get("runs-on"), f"job {job_name}: no runs-on"
        assert job.get("steps"), f"job {job_name}: no steps"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"job {job_name}: {step} needs uses or run"
            if "uses" in step:
                # A moving branch would change what people's copies run under them.
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def test_ci_runs_make_test() -> None:
    words = [words for name, words in all_commands() if name == "ci.yml"]
    assert ["make", "test"] in words


def test_docs_workflow_builds_and_publishes_the_site() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "docs.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    assert workflow["permissions"]["pages"] == "write"
    assert workflow["permissions"]["id-token"] == "write"
    assert ["make", "docs"] in [words for name, words in all_commands() if name == "docs.yml"]
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages"))
    # `make docs` writes the site where mkdocs.yml says; the artifact must be that folder.
    site_dir = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_MkdocsLoader).get(
        "site_dir", "site"
    )
    assert upload["with"]["path"] == site_dir


def test_operator_example_uses_the_secret_and_keeps_the_report() -> None:
    workflow = load(OPERATOR_EXAMPLE)
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    contract = [step for step in steps if "discord-images-contract" in step.get("run", "")]
    assert len(contract) == 1
    (words,) = commands(contract[0]["run"])
    # The token comes from a secret through the environment: never inline, never in argv.
    assert "--token" not in words
    secrets = [name for name, value in contract[0]["env"].items() if "secrets." in str(value)]
    assert secrets, "the contract step takes no secret"
    for name in secrets:
        assert name in help_text("discord-images-contract"), f"the suite does not read {name}"
    report = words[words.index("--junit-xml") + 1]
    upload = next(
        step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["path"] == report
    assert upload["if"] == "always()", "a failing run is the one whose report matters"


def test_make_targets_exist() -> None:
    targets = {
        word
        for _, words in all_commands() + readme_commands()
        if words[0] == "make"
        for word in words[1:]
        if not word.startswith("-") and "=" not in word
    }
    assert "test" in targets
    for target in sorted(targets):
        result = subprocess.run(
            ["make", "--dry-run", target], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"make {target}: {result.stderr.strip()}"
        # A .PHONY name without a rule (or a folder of that name) is "Nothing to be done".
        assert result.stdout.strip() and "Nothing to be done" not in result.stdout, (
            f"make {target} has no rule that runs anything"
        )


def test_commands_are_console_scripts_of_the_project() -> None:
    used = {
        Path(words[0]).name
        for _, words in all_commands() + readme_commands()
        if words[0].startswith(("discord-images-", ".venv/bin/discord-images-"))
    }
    assert "discord-images-contract" in used
    assert used <= set(SCRIPTS), f"not in [project.scripts]: {used - set(SCRIPTS)}"


def test_options_exist_in_the_commands_help() -> None:
    checked = 0
    for name, words in all_commands() + readme_commands():
        script = Path(words[0]).name
        if script not in SCRIPTS:
            continue
        for word in words[1:]:
            if word.startswith("--"):
                option = word.split("=", 1)[0]
                assert re.search(rf"{re.escape(option)}(?![\w-])", help_text(script)), (
                    f"{name}: `{script} {option}` is not in `{script} --help`"
                )
                checked += 1
    assert checked, "no command options found to check"


class _MkdocsLoader(yaml.SafeLoader):
    """mkdocs.yml may use mkdocs' own tags (!ENV, !!python/name:); they do not matter here."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_MkdocsLoader.add_multi_constructor("!", _any_tag)
_MkdocsLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)
