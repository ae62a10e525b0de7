"""`discord-images-mock`: the command that starts the reference server.

Every option can also come from an environment variable named DISCORD_IMAGES_MOCK_<OPTION>
(`--data-dir` is DISCORD_IMAGES_MOCK_DATA_DIR; `--token` takes several, separated by commas).
"""

from __future__ import annotations

import argparse
import errno
import importlib.metadata
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import uvicorn

from discord_images_mock.settings import (
    REFERENCE_TOKEN,
    Settings,
    parse_size,
    settings_to_environment,
)

PROG = "discord-images-mock"
DIST = "discord-images-kit"
# MOCK_ keeps the server's variables apart from the contract suite's (DISCORD_IMAGES_TOKEN is
# the token the suite tests with, not an account for the mock to create).
ENV_PREFIX = "DISCORD_IMAGES_MOCK_"
_TRUE = {"1", "true", "yes", "on"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: the message says which option is wrong.
        self.exit(2, f"{PROG}: error: {message} (see {PROG} --help)\n")


def _env(option: str) -> str | None:
    return os.environ.get(ENV_PREFIX + option.upper().replace("-", "_"))


def _flag(option: str) -> bool:
    value = _env(option)
    return value is not None and value.strip().lower() in _TRUE


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _name_length(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise ValueError(text)
    return value


def _size(text: str) -> str:
    if parse_size(text) < 1:
        raise ValueError(text)
    return text


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(text) from exc
    return text


_port.__name__ = "port"
_positive.__name__ = "positive number"
_name_length.__name__ = "name length (1 to 64)"
_size.__name__ = "size"
_timezone.__name__ = "time zone"


def default_site_dir() -> Path:
    packaged = Path(__file__).resolve().parent / "site"
    return packaged if packaged.is_dir() else Path("site")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="The Discord Images API reference server: a stateful mock with real files.",
        epilog=f"Every option also reads {ENV_PREFIX}<OPTION> (e.g. {ENV_PREFIX}PORT).",
    )

    parser.add_argument(
        "--version", action="version", version=f"{PROG} {importlib.metadata.version(DIST)}"
    )

    def option(name: str, default: Any, **kwargs: Any) -> None:
        env = _env(name)
        parser.add_argument(f"--{name}", default=env if env is not None else default, **kwargs)

    option("host", "127.0.0.1", metavar="H", help="address to listen on (default 127.0.0.1)")
    option("port", "8000", type=_port, metavar="P", help="port to listen on (default 8000)")
    option("data-dir", "data", type=Path, metavar="DIR", help="where the store lives (./data)")
    option(
        "public-url",
        None,
        metavar="URL",
        help="what file and thumb URLs start with (default: where it listens)",
    )
    env_tokens = [t.strip() for t in (_env("token") or "").split(",") if t.strip()]
    parser.add_argument(
        "--token",
        action="append",
        default=None,
        metavar="T",
        help=f"add an account with this token, beside {REFERENCE_TOKEN} (repeatable)",
    )
    parser.set_defaults(env_tokens=env_tokens)
    option("name-length", "5", type=_name_length, metavar="N", help="random name length (5)")
    option("max-size", "512MB", type=_size, metavar="SIZE", help="largest file (512MB)")
    parser.add_argument(
        "--public",
        action="store_true",
        default=_flag("public"),
        help="accept uploads without a token (the real server's private: false)",
    )
    option("timezone", "America/New_York", type=_timezone, metavar="TZ", help="for `date`")
    parser.add_argument(
        "--fresh",
        action="store_true",
        default=_flag("fresh"),
        help="start from a freshly seeded store, discarding the data folder's uploads",
    )
    option("site-dir", None, type=Path, metavar="DIR", help="built site served at /docs/")
    parser.add_argument(
        "--validate-responses",
        action="store_true",
        default=_flag("validate-responses"),
        help="check every answer against openapi.yaml (on in the tests)",
    )
    option("workers", "1", type=_positive, metavar="N", help="server processes (default 1)")
    return parser


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Values from the environment arrive as strings; argparse only converts typed defaults.
    try:
        port = _port(str(args.port))
        workers = _positive(str(args.workers))
        name_length = _name_length(str(args.name_length))
        max_size = _size(str(args.max_size))
        timezone = _timezone(str(args.timezone))
    except ValueError as exc:
        parser.error(f"invalid value from the environment: {exc}")
    return Settings(
        data_dir=Path(args.data_dir),
        host=args.host,
        port=port,
        public_url=args.public_url,
        tokens=args.token if args.token is not None else args.env_tokens,
        name_length=name_length,
        max_size=max_size,
        public=args.public,
        timezone=timezone,
        fresh=args.fresh,
        validate_responses=args.validate_responses,
        site_dir=Path(args.site_dir) if args.site_dir else default_site_dir(),
        workers=workers,
    )


def _check_port_free(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (choose another with --port)"
            return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    from discord_images_mock.app import create_app
    from discord_images_mock.http_limits import BoundedHeadProtocol
    from discord_images_mock.storage import Store, StoreError

    problem = _check_port_free(settings.host, settings.port)
    if problem:
        print(f"{PROG}: error: {problem}", file=sys.stderr)
        return 1
    try:
        if settings.workers > 1:
            Store(settings).prepare()
            app: Any = "discord_images_mock.app:create_app_from_environment"
            os.environ.update(settings_to_environment(settings))
        else:
            app = create_app(settings)
    except StoreError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1

    listening = f"http://{settings.host}:{settings.port}"
    print(f"Discord Images mock server on {listening} (files at {settings.base_url}/)")
    example = f"curl -H 'token: {REFERENCE_TOKEN}' {listening}/api/uploads"
    print(f"Use the token {REFERENCE_TOKEN}: {example}")
    if settings.tokens:
        print(f"Plus {len(settings.tokens)} account(s) from --token.")
    if settings.site_dir is not None and (settings.site_dir / "index.html").is_file():
        print(f"Reference site: {listening}/docs/")
    print(f"Swagger UI: {listening}/api/ui/  Data: {settings.data_dir.resolve()}", flush=True)
    uvicorn.run(
        app,
        factory=settings.workers > 1,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        http=BoundedHeadProtocol,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=3,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
