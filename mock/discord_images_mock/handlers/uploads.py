"""`GET /api/uploads[/{page}]`, `POST /api/upload` and `POST /api/upload/delete`."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from connexion import request
from starlette.responses import Response

from discord_images_mock.errors import NoFiles, NoIdGiven, NothingDeleted
from discord_images_mock.formats import is_image, local_date, pretty_size
from discord_images_mock.settings import Settings
from discord_images_mock.storage import StagedFile, Store, Upload
from discord_images_mock.thumbnails import make_thumbnail
from discord_images_mock.upload_stream import STAGED_SCOPE_KEY

MAX_CACHED_PAGES = 512


class UploadHandlers:
    OPERATIONS = ("list_uploads", "list_uploads_page", "upload_files", "delete_upload")

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.base_url = settings.base_url
        self.timezone = ZoneInfo(settings.timezone)
        # One thumbnail at a time: decoding can take ~100 MB, and small files that decode
        # big, sent together, would otherwise multiply that (8 made 2 GB).
        self.thumbnailer = anyio.CapacityLimiter(1)
        self._cached_pages: OrderedDict[tuple[int | None, int], bytes] = OrderedDict()
        self._cached_version: tuple[int, int] | None = None

    async def list_uploads(self, user: int | None) -> Response:
        return self._page(user, 0)

    async def list_uploads_page(self, page: int, user: int | None) -> Response:
        return self._page(user, page)

    def _page(self, userid: int | None, page: int) -> Response:
        # Pages are cached as the bytes sent, until the store changes (in any process).
        version = self.store.version()
        if version != self._cached_version:
            self._cached_pages.clear()
            self._cached_version = version
        key = (userid, page)
        body = self._cached_pages.get(key)
        if body is None:
            files = [self._listed(upload) for upload in self.store.page(userid, page)]
            body = json.dumps({"success": True, "files": files}).encode()
            self._cached_pages[key] = body
            if len(self._cached_pages) > MAX_CACHED_PAGES:
                self._cached_pages.popitem(last=False)
        return Response(body, media_type="application/json")

    def _listed(self, upload: Upload) -> dict[str, Any]:
        # Keys in the real server's order; `thumb` only for images.
        entry: dict[str, Any] = {
            "id": upload.id,
            "albumid": upload.albumid,
            "timestamp": upload.timestamp,
            "name": upload.name,
            "userid": upload.userid,
            "size": pretty_size(upload.size),
            "file": f"{self.base_url}/{upload.name}",
            "date": local_date(upload.timestamp, self.timezone),
            "album": "",
            "extname": upload.extname,
        }
        if is_image(upload.extname):
            entry["thumb"] = f"{self.base_url}/thumbs/{upload.base}.png"
        return entry

    async def upload_files(self, user: int | None) -> dict[str, Any]:
        staged: list[StagedFile] = request.scope.get(STAGED_SCOPE_KEY) or []
        try:
            if not staged:
                raise NoFiles()
            answered = []
            for item in staged:
                upload, is_new = self.store.commit(user, item)
                if is_new and is_image(upload.extname):
                    await anyio.to_thread.run_sync(
                        make_thumbnail,
                        self.store.file_path(upload),
                        self.store.thumb_path(upload.base),
                        limiter=self.thumbnailer,
                    )
                answered.append(
                    {
                        "name": upload.name,
                        # The real server answers a duplicate's size as a string.
                        "size": upload.size if is_new else str(upload.size),
                        "url": f"{self.base_url}/{upload.name}",
                    }
                )
            return {"success": True, "files": answered}
        finally:
            for item in staged:
                item.path.unlink(missing_ok=True)

    async def delete_upload(self, body: dict[str, Any], user: int | None) -> dict[str, Any]:
        upload_id = body.get("id")
        if upload_id is None:
            raise NoIdGiven()
        if self.store.delete(user, upload_id) is None:
            raise NothingDeleted()
        return {"success": True, "failed": []}
