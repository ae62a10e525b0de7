"""What one server instance is configured with: the command line's options as a dataclass."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

REFERENCE_TOKEN = "images_api"
"""The documentation's token: user 89, owner of the seeded uploads. It always exists."""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKMGT]?B?)\s*$")
_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "M": 1000**2, "MB": 1000**2}
_UNITS |= {"G": 1000**3, "GB": 1000**3, "T": 1000**4, "TB": 1000**4}


def parse_size(text: str) -> int:
    """Bytes in a size such as `512MB` (SI units, as the real server's config reads them)."""
    match = _SIZE.match(text)
    unit = match.group(2).upper() if match else ""
    if not match or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (expected e.g. 512MB, 10kB or 2048)")
    return int(float(match.group(1)) * _UNITS[unit])


@dataclass
class Settings:
    """Everything `create_app` needs. Defaults are the command line's defaults."""

    data_dir: Path = field(default_factory=lambda: Path("data"))
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """What `file`/`thumb` URLs start with; None means where the server listens."""
    tokens: list[str] = field(default_factory=list)
    """Extra accounts, one per token, beside `images_api`."""
    name_length: int = 5
    max_size: str = "512MB"
    public: bool = False
    """Accept uploads without a token, like the real server's `private: false`."""
    timezone: str = "America/New_York"
    fresh: bool = False
    """Start from a freshly seeded store, discarding what the data folder held."""
    validate_responses: bool = False
    site_dir: Path | None = None
    """A built mkdocs site served at /docs/ when the folder exists."""
    workers: int = 1

    @property
    def max_bytes(self) -> int:
        return parse_size(self.max_size)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def thumbs_dir(self) -> Path:
        return self.data_dir / "thumbs"

    @property
    def database(self) -> Path:
        return self.data_dir / "discord-images.sqlite3"


SETTINGS_VARIABLE = "DISCORD_IMAGES_SETTINGS_JSON"
"""How the command line hands its settings to worker processes."""


def settings_to_environment(settings: Settings) -> dict[str, str]:
    values = {
        key: str(value) if isinstance(value, Path) else value
        for key, value in asdict(settings).items()
    }
    return {SETTINGS_VARIABLE: json.dumps(values)}


def settings_from_environment() -> Settings:
    values = json.loads(os.environ[SETTINGS_VARIABLE])
    for key in ("data_dir", "site_dir"):
        if values[key] is not None:
            values[key] = Path(values[key])
    return Settings(**values)
