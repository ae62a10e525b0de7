"""A small client for the domain checks: each call remembers how to reproduce it with curl."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from discord_images_contract.curl import curl_line, token_env_for
from discord_images_contract.ledger import Ledger
from discord_images_contract.session import GuardedSession, UnsafeRequest

PAGE_SIZE = 25
# Walking a large account page by page would be slow; uploads of this run are on the first pages.
MAX_PAGES_WALKED = 200


class ContractViolation(AssertionError):
    """A rule of the contract is broken; the message says which and how to reproduce it."""


@dataclass
class Exchange:
    curl: str
    status: int
    text: str
    response: requests.Response

    def json(self) -> Any:
        try:
            return self.response.json()
        except ValueError:
            return None

    def describe(self) -> str:
        text = self.text if len(self.text) <= 600 else self.text[:600] + "..."
        return f"  {self.curl}\n  -> HTTP {self.status}: {text}"


def violation(message: str, *exchanges: Exchange) -> ContractViolation:
    lines = [message]
    if exchanges:
        lines.append("Reproduce with:")
        lines.extend(exchange.describe() for exchange in exchanges)
    return ContractViolation("\n".join(lines))


def expect(condition: bool, message: str, *exchanges: Exchange) -> None:
    if not condition:
        raise violation(message, *exchanges)


class ApiClient:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        session: GuardedSession,
        *,
        which: str = "first",
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.session = session
        self.which = which

    @property
    def ledger(self) -> Ledger:
        return self.session.ledger

    def with_token(self, token: str | None, which: str) -> ApiClient:
        return ApiClient(self.base_url, token, self.session, which=which)

    def _headers(self) -> dict[str, str]:
        return {"token": self.token} if self.token is not None else {}

    def _curl_token(self) -> str | None:
        if self.token is None:
            return None
        return token_env_for(self.which) if self.which in {"first", "second"} else None

    def _exchange(self, response: requests.Response, curl: str) -> Exchange:
        if self.token is not None and self.which not in {"first", "second"}:
            # A deliberately wrong token is shown as sent: it is not a secret.
            curl = curl.replace("curl -sS", f"curl -sS -H 'token: {self.token}'", 1)
        return Exchange(
            curl=curl, status=response.status_code, text=response.text, response=response
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        files: Sequence[tuple[str, str, bytes]] = (),
        authenticated: bool = True,
    ) -> Exchange:
        url = self.base_url + path
        headers = self._headers() if authenticated else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if json_body is not None:
            kwargs["json"] = json_body
        if files:
            kwargs["files"] = [(field, (name, content)) for field, name, content in files]
        response = self.session.request(method, url, **kwargs)
        curl = curl_line(
            method,
            url,
            json_body=json_body,
            files=files,
            token_env=self._curl_token() if authenticated else None,
        )
        return self._exchange(response, curl)

    def check(self) -> Exchange:
        return self.request("GET", "/api/check", authenticated=False)

    def upload(self, *files: tuple[str, bytes], field: str = "files[]") -> Exchange:
        return self.request(
            "POST", "/api/upload", files=[(field, name, content) for name, content in files]
        )

    def list_page(self, page: int | None = None) -> Exchange:
        return self.request("GET", "/api/uploads" if page is None else f"/api/uploads/{page}")

    def delete(self, upload_id: int) -> Exchange:
        exchange = self.request("POST", "/api/upload/delete", json_body={"id": upload_id})
        payload = exchange.json()
        if isinstance(payload, dict) and payload.get("success") is True:
            self.ledger.deleted(upload_id)
        return exchange

    def fetch(self, path: str) -> Exchange:
        return self.request("GET", path, authenticated=False)

    def fetch_eventually(self, path: str, seconds: float = 5.0) -> Exchange:
        """Thumbnails may be written just after the upload answers."""
        deadline = time.monotonic() + seconds
        exchange = self.fetch(path)
        while exchange.status != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            exchange = self.fetch(path)
        return exchange

    def files_of(self, exchange: Exchange) -> list[dict[str, Any]]:
        payload = exchange.json()
        expect(
            isinstance(payload, dict) and payload.get("success") is True,
            "the list of uploads did not answer with success: true",
            exchange,
        )
        files = payload.get("files")
        expect(isinstance(files, list), "the list of uploads has no `files` array", exchange)
        return [entry for entry in files if isinstance(entry, dict)]

    def upload_listed(
        self, file: tuple[str, bytes], purpose: str
    ) -> tuple[Exchange, dict[str, Any]]:
        """Uploads one file and returns the answer and the file's listed entry, or fails the
        check saying what the upload was `purpose` of."""
        upload = self.upload(file)
        payload = upload.json()
        expect(
            isinstance(payload, dict) and payload.get("success") is True,
            f"uploading a file {purpose} failed",
            upload,
        )
        name = payload["files"][0]["name"]
        entry = self.find(name)
        expect(entry is not None, f"{name} was uploaded {purpose} but is not listed", upload)
        assert entry is not None
        return upload, entry

    def find(self, name: str, pages: int = 2) -> dict[str, Any] | None:
        """The listed entry with this name, learning its id for cleanup."""
        for page in range(pages):
            files = self.files_of(self.list_page(page))
            for entry in files:
                if entry.get("name") == name:
                    if isinstance(entry.get("id"), int):
                        self.ledger.record_id(name, entry["id"])
                    return entry
            if len(files) < PAGE_SIZE:
                return None
        return None


def cleanup(client: ApiClient) -> tuple[list[str], list[str]]:
    """Deletes every file this run created: (deleted names, names that could not be deleted).

    A name the list does not show cannot be deleted through the API; it is reported as left.
    """
    wanted = client.ledger.names()
    deleted: list[str] = []
    if not wanted:
        return deleted, []
    found: dict[str, int] = {}
    seen: set[object] = set()
    for page in range(MAX_PAGES_WALKED):
        try:
            files = client.files_of(client.list_page(page))
        except (ContractViolation, requests.RequestException):
            break
        fresh = [entry for entry in files if entry.get("id") not in seen]
        if not fresh:
            # The end, or a server that repeats pages; short pages do not prove the end.
            break
        for entry in fresh:
            name, upload_id = entry.get("name"), entry.get("id")
            seen.add(upload_id)
            if name in wanted and isinstance(upload_id, int):
                found[name] = upload_id
        if len(found) == len(wanted):
            break
    for name, upload_id in found.items():
        client.ledger.record_id(name, upload_id)
        try:
            exchange = client.delete(upload_id)
        except (requests.RequestException, UnsafeRequest):
            continue
        payload = exchange.json()
        if isinstance(payload, dict) and payload.get("success") is True:
            deleted.append(name)
    left = sorted(client.ledger.names())
    return deleted, left
