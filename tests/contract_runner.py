"""Running `discord-images-contract` as operators do: the installed command, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COMMAND = Path(sys.executable).parent / "discord-images-contract"
TOKEN = "images_api"
SECOND_TOKEN = "contract-second-account-token"
# Small, so `make test` stays fast; operators run the default.
MAX_EXAMPLES = "8"


def contract_command(base_url: str, *args: str, max_examples: str = MAX_EXAMPLES) -> list[str]:
    return [str(COMMAND), "--base-url", base_url, "--max-examples", max_examples, *args]


def contract_env(second_token: str | None = SECOND_TOKEN) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DISCORD_IMAGES")}
    # Tokens travel in the environment, as the README tells operators to do in CI.
    env["DISCORD_IMAGES_TOKEN"] = TOKEN
    if second_token is not None:
        env["DISCORD_IMAGES_SECOND_TOKEN"] = second_token
    return env


def run_contract(
    base_url: str,
    *args: str,
    second_token: str | None = SECOND_TOKEN,
    max_examples: str = MAX_EXAMPLES,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        contract_command(base_url, *args, max_examples=max_examples),
        env=contract_env(second_token),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def failed_checks(output: str) -> list[str]:
    """The checks the command's summary names as failed."""
    return [line.split()[1] for line in output.splitlines() if line.startswith("FAILED ")]
