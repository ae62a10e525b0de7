"""What the suite is pointed at: read from environment variables, which the CLI fills in.

Environment variables (rather than pytest options) carry the target so that tokens never appear
on a command line or in a process list, and so that every pytest worker process sees the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV_BASE_URL = "DISCORD_IMAGES_BASE_URL"
ENV_TOKEN = "DISCORD_IMAGES_TOKEN"
ENV_SECOND_TOKEN = "DISCORD_IMAGES_SECOND_TOKEN"
ENV_READ_ONLY = "DISCORD_IMAGES_READ_ONLY"
ENV_STRICT = "DISCORD_IMAGES_STRICT"
ENV_MAX_EXAMPLES = "DISCORD_IMAGES_MAX_EXAMPLES"
ENV_LEDGER = "DISCORD_IMAGES_CONTRACT_LEDGER"
ENV_TIMEOUT = "DISCORD_IMAGES_TIMEOUT"

DEFAULT_MAX_EXAMPLES = 25
DEFAULT_TIMEOUT = 30.0
TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class Target:
    base_url: str
    token: str
    second_token: str | None
    read_only: bool
    strict: bool
    max_examples: int
    timeout: float
    ledger_path: str | None

    @classmethod
    def from_env(cls) -> Target:
        base_url = os.environ.get(ENV_BASE_URL, "").strip().rstrip("/")
        token = os.environ.get(ENV_TOKEN, "")
        if not base_url or not token:
            raise RuntimeError(
                f"set {ENV_BASE_URL} and {ENV_TOKEN} (or run discord-images-contract --help)"
            )
        return cls(
            base_url=base_url,
            token=token,
            second_token=os.environ.get(ENV_SECOND_TOKEN) or None,
            read_only=env_flag(ENV_READ_ONLY),
            strict=env_flag(ENV_STRICT),
            max_examples=int(os.environ.get(ENV_MAX_EXAMPLES) or DEFAULT_MAX_EXAMPLES),
            timeout=float(os.environ.get(ENV_TIMEOUT) or DEFAULT_TIMEOUT),
            ledger_path=os.environ.get(ENV_LEDGER) or None,
        )

    def secrets(self) -> list[str]:
        return [secret for secret in (self.token, self.second_token) if secret]
