"""`discord-images-contract`: checks that a Discord Images deployment meets the API contract."""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import shutil
import signal
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any, NoReturn, TextIO

import pytest
import requests

from discord_images_contract import options
from discord_images_contract.client import ApiClient, cleanup
from discord_images_contract.interruption import Interruption
from discord_images_contract.ledger import Ledger
from discord_images_contract.session import GuardedSession

PROG = "discord-images-contract"
PACKAGE_DIR = Path(__file__).resolve().parent

DESCRIPTION = """\
Checks that a Discord Images deployment meets the API contract (openapi.yaml): every
operation is fuzzed with Schemathesis (status codes, content types, response shapes, no
server errors, auth enforced, invalid input refused), then the domain rules are checked
(an upload is listed first with the right size, date and bytes; duplicates, blocked
extensions, pagination, deletion, and isolation between two accounts).

Every file the run uploads is tiny, unique, and deleted at the end, also when a check fails
or the run is interrupted. Delete requests are only ever sent for files this run uploaded.
"""

EPILOG = f"""\
environment variables (used when the option is not given; keep tokens there, not on the
command line, so they stay out of CI logs):
  {options.ENV_BASE_URL}, {options.ENV_TOKEN}, {options.ENV_SECOND_TOKEN},
  {options.ENV_READ_ONLY}=1, {options.ENV_STRICT}=1, {options.ENV_MAX_EXAMPLES}

exit status: 0 the contract holds; 1 a check failed (or an upload could not be cleaned
up); 2 bad usage or the target is unreachable; 130 interrupted.

example (CI):
  export {options.ENV_TOKEN}="$SECRET_FROM_YOUR_CI"
  discord-images-contract --base-url https://images.example.com --junit-xml contract.xml
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: the message says which option is wrong.
        self.exit(2, f"{PROG}: error: {message} (see {PROG} --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = _Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {importlib.metadata.version('discord-images-kit')}",
    )
    parser.add_argument(
        "--base-url",
        default=env.get(options.ENV_BASE_URL),
        help="the deployment to check, e.g. https://images.example.com",
    )
    parser.add_argument(
        "--token", default=env.get(options.ENV_TOKEN), help="an account's API token"
    )
    parser.add_argument(
        "--second-token",
        default=env.get(options.ENV_SECOND_TOKEN),
        help="a second account's token, for the isolation checks (skipped without it)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=options.env_flag(options.ENV_READ_ONLY),
        help="run only checks that change nothing on the target (no uploads, no deletes)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        default=options.env_flag(options.ENV_STRICT),
        help="also fail on HTTP-hygiene findings (bad input answered 200 instead of 4xx,"
        " unknown methods not answered 405); by default they are only reported",
    )
    parser.add_argument(
        "--max-examples",
        type=int,
        default=int(env.get(options.ENV_MAX_EXAMPLES) or options.DEFAULT_MAX_EXAMPLES),
        help="generated requests per operation and phase (default: %(default)s)",
    )
    parser.add_argument(
        "--junit-xml", metavar="FILE", help="write a JUnit XML report for CI to FILE"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="accepted for compatibility; the checks always run one after another, because"
        " the domain checks need to know which upload is the newest (a whole run against"
        " a local server takes seconds)",
    )
    parser.add_argument(
        "-k",
        dest="select",
        metavar="EXPRESSION",
        help="run only the checks whose names match (pytest -k syntax), e.g. -k auth",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=options.DEFAULT_TIMEOUT,
        help="seconds to wait for each response (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if not args.base_url:
        parser.error(f"--base-url (or {options.ENV_BASE_URL}) is required")
    if not args.token:
        parser.error(f"--token (or {options.ENV_TOKEN}) is required")
    if not args.base_url.startswith(("http://", "https://")):
        parser.error(f"--base-url must start with http:// or https://, got {args.base_url!r}")
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1:
        print(f"{PROG}: --workers {args.workers}: the checks run sequentially", file=sys.stderr)
    args.base_url = args.base_url.rstrip("/")
    return args


class RedactingStream(io.TextIOBase):
    """Stdout with every token replaced, whatever writes to it."""

    def __init__(self, stream: TextIO, secrets: list[str]) -> None:
        self.stream = stream
        self.secrets = [secret for secret in secrets if secret]

    def write(self, text: str) -> int:
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        self.stream.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def reachable(base_url: str, timeout: float) -> str | None:
    """Why the target cannot be tested, or None."""
    try:
        response = requests.get(f"{base_url}/api/check", timeout=min(timeout, 10))
    except requests.RequestException as exc:
        reason = type(exc).__name__
        return f"cannot reach {base_url} ({reason}); is the URL right and the server up?"
    if response.status_code != 200:
        return f"{base_url}/api/check answered HTTP {response.status_code}; is this the API?"
    return None


def token_refused(base_url: str, token: str, option: str, timeout: float) -> str | None:
    """Why the deployment does not take this token, or None: saves a run of 401 failures."""
    try:
        response = requests.get(
            f"{base_url}/api/uploads/0", headers={"token": token}, timeout=min(timeout, 10)
        )
    except requests.RequestException as exc:
        return f"cannot reach {base_url} ({type(exc).__name__})"
    if response.status_code == 401:
        return f"{base_url} does not accept the {option} (HTTP 401: {response.text[:80]})"
    return None


def as_shell(text: str) -> str:
    """Schemathesis masks the token in its curl lines; name the variable that holds it instead."""
    return text.replace("-H 'token: [Filtered]'", f'-H "token: ${options.ENV_TOKEN}"')


def shorten(text: str, width: int = 400) -> str:
    return "\n".join(
        line if len(line) <= width else line[:width] + " [...]" for line in text.splitlines()
    )


class Summary:
    """Collects failures and HTTP-hygiene findings and prints them readably at the end."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.failures: list[tuple[str, str]] = []
        self.hygiene: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            # One example per operation and finding, whichever test met it first.
            known = {finding.splitlines()[0] for finding in self.hygiene}
            if key == "hygiene" and value.splitlines()[0] not in known:
                self.hygiene.append(value)
        if report.failed:
            messages = [value for key, value in report.user_properties if key == "failure"]
            text = messages[0] if messages else str(report.longrepr)
            check = report.nodeid.split("::")[-1]
            if report.when != "call":
                check += f" ({report.when})"
            self.failures.append((check, text))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        write = terminalreporter.write_line
        if self.hygiene:
            terminalreporter.section("HTTP-hygiene findings (not failures; --strict fails them)")
            for finding in self.hygiene:
                write(shorten(as_shell(finding)))
        if self.failures:
            terminalreporter.section("contract failures", red=True)
            for check, text in self.failures:
                write(f"FAILED {check}", red=True, bold=True)
                write(textwrap.indent(as_shell(text).strip(), "  "))
                write("")


def final_cleanup(args: argparse.Namespace, ledger_path: Path) -> list[str]:
    """Deletes what the run's ledger still lists (a worker may have died before its cleanup)."""
    ledger = Ledger(ledger_path)
    if not ledger.names():
        return []
    session = GuardedSession(ledger, timeout=args.timeout)
    try:
        _, left = cleanup(ApiClient(args.base_url, args.token, session))
    except Exception:  # whatever broke, the operator needs the names
        left = sorted(ledger.names())
    finally:
        session.close()
    return left


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = reachable(args.base_url, args.timeout)
    for token, option in ((args.token, "--token"), (args.second_token, "--second-token")):
        if problem is None and token:
            problem = token_refused(args.base_url, token, option, args.timeout)
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="discord-images-contract-"))
    ledger_path = workdir / "uploads.ledger"
    os.environ.update(
        {
            options.ENV_BASE_URL: args.base_url,
            options.ENV_TOKEN: args.token,
            options.ENV_READ_ONLY: "1" if args.read_only else "",
            options.ENV_STRICT: "1" if args.strict else "",
            options.ENV_MAX_EXAMPLES: str(args.max_examples),
            options.ENV_TIMEOUT: str(args.timeout),
            options.ENV_LEDGER: str(ledger_path),
            # Whatever still wants Hypothesis' folder gets a temporary one, not the package's.
            "HYPOTHESIS_STORAGE_DIRECTORY": str(workdir / "hypothesis"),
        }
    )
    if args.second_token:
        os.environ[options.ENV_SECOND_TOKEN] = args.second_token
    else:
        os.environ.pop(options.ENV_SECOND_TOKEN, None)
    # CI cancels jobs with SIGTERM: turn it into Ctrl-C so cleanup still runs (and make
    # Ctrl-C work even when the parent started this process with SIGINT ignored).
    signal.signal(signal.SIGTERM, Interruption.handle)
    signal.signal(signal.SIGINT, Interruption.handle)
    secrets = [args.token, args.second_token or ""]
    original_stdout = sys.stdout
    sys.stdout = RedactingStream(original_stdout, secrets)  # type: ignore[assignment]
    summary = Summary(args.strict)
    pytest_args = [
        str(PACKAGE_DIR),
        "-c",
        os.devnull,
        "--rootdir",
        str(PACKAGE_DIR),
        "-p",
        "no:cacheprovider",
        # The checks raise their own messages; rewriting the asserts of every module
        # Schemathesis and Hypothesis import would add seconds to each run.
        "--assert=plain",
        "-v",
        "--tb=no",
        "-rs",
        "-o",
        "console_output_style=count",
    ]
    if args.junit_xml:
        args.junit_xml = str(Path(args.junit_xml).resolve())
        pytest_args += ["--junit-xml", args.junit_xml, "-o", "junit_suite_name=contract"]
    if args.select:
        pytest_args += ["-k", args.select]
    cwd = Path.cwd()
    try:
        # From the package folder, reports name checks as `test_auth.py::...`.
        os.chdir(PACKAGE_DIR)
        try:
            code = pytest.main(pytest_args, plugins=[summary])
        except Exception:
            # pytest can fail while it reports an interruption that landed deep inside
            # Hypothesis; the run was interrupted all the same, and the cleanup below runs.
            if not Interruption.received:
                raise
            code = pytest.ExitCode.INTERRUPTED
        signal.signal(signal.SIGTERM, Interruption.record)
        signal.signal(signal.SIGINT, Interruption.record)
        left = final_cleanup(args, ledger_path)
    finally:
        os.chdir(cwd)
        sys.stdout.flush()
        sys.stdout = original_stdout
        shutil.rmtree(workdir, ignore_errors=True)
    if args.junit_xml and Path(args.junit_xml).is_file():
        report = Path(args.junit_xml)
        text = report.read_text(encoding="utf-8")
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[token]")
        report.write_text(text, encoding="utf-8")
    if left:
        print(
            f"{PROG}: these uploads of this run are still on the target: " + ", ".join(left),
            file=sys.stderr,
        )
    if code == pytest.ExitCode.INTERRUPTED or Interruption.received:
        return 130
    if code in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED) and not left:
        return 0 if code == pytest.ExitCode.OK else 2
    return 1 if code == pytest.ExitCode.TESTS_FAILED or left else 2


if __name__ == "__main__":
    sys.exit(main())
