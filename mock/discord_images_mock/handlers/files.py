"""`GET /{name}` and `GET /thumbs/{name}.png`: the uploaded bytes and their thumbnails."""

from __future__ import annotations

import mimetypes
import re

from starlette.responses import FileResponse

from discord_images_mock.errors import FileNotFound
from discord_images_mock.settings import Settings
from discord_images_mock.storage import Store

# Thumbnails are named after generated (or seeded) names only.
_BASE = re.compile(r"^[0-9A-Za-z]{1,64}$")


class FileHandlers:
    OPERATIONS = ("get_file", "get_thumbnail")

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store

    async def get_file(self, name: str) -> FileResponse:
        # Only names the store lists are served, so no path is ever built from a request.
        upload = self.store.by_name(name)
        path = self.store.file_path(upload) if upload else None
        if path is None or not path.is_file():
            raise FileNotFound()
        media_type = mimetypes.guess_type(upload.name if upload else "")[0]
        return FileResponse(path, media_type=media_type or "application/octet-stream")

    async def get_thumbnail(self, name: str) -> FileResponse:
        path = self.store.thumb_path(name) if _BASE.match(name) else None
        if path is None or not path.is_file():
            raise FileNotFound()
        return FileResponse(path, media_type="image/png")
