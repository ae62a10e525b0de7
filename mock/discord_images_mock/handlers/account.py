"""`GET /api/check` and `POST /api/tokens/verify`."""

from __future__ import annotations

from typing import Any

from discord_images_mock.auth import authenticate
from discord_images_mock.formats import check_size_label
from discord_images_mock.settings import Settings
from discord_images_mock.storage import Store


class AccountHandlers:
    OPERATIONS = ("check", "verify_token")

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.check_body = {
            "private": not settings.public,
            "maxFileSize": check_size_label(settings.max_bytes),
            "chunkedUploads": False,
        }

    async def check(self) -> dict[str, Any]:
        return self.check_body

    async def verify_token(self, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("token")
        user = authenticate(self.store, token if isinstance(token, str) else None)
        return {"success": True, "username": user.username}
