"""An upload followed by a list: the new file comes first and everything about it is right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pytest

from discord_images_contract.client import ApiClient, Exchange, expect
from discord_images_contract.payloads import PNG_SIGNATURE, png_file, text_file
from discord_images_contract.rules import date_problem, image_extensions, size_problem


@dataclass
class Uploaded:
    filename: str
    content: bytes
    upload: Exchange
    listing: Exchange
    name: str
    entry: dict[str, Any] | None


def upload_and_list(api: ApiClient, filename: str, content: bytes) -> Uploaded:
    upload = api.upload((filename, content))
    payload = upload.json()
    expect(
        isinstance(payload, dict) and payload.get("success") is True,
        f"uploading a {len(content)}-byte {PurePosixPath(filename).suffix} file failed",
        upload,
    )
    files = payload.get("files")
    expect(
        isinstance(files, list) and len(files) == 1 and isinstance(files[0], dict),
        "an upload of one file did not answer with exactly one entry in `files`",
        upload,
    )
    name = files[0].get("name")
    expect(isinstance(name, str) and name != "", "the uploaded file has no `name`", upload)
    listing = api.list_page()
    listed = api.files_of(listing)
    entry = listed[0] if listed else None
    if entry is not None and entry.get("name") == name and isinstance(entry.get("id"), int):
        api.ledger.record_id(name, entry["id"])
    return Uploaded(filename, content, upload, listing, name, entry)


@pytest.fixture(scope="module")
def text_upload(api: ApiClient, writable: None) -> Uploaded:
    return upload_and_list(api, *text_file("text"))


@pytest.fixture(scope="module")
def image_upload(api: ApiClient, writable: None) -> Uploaded:
    return upload_and_list(api, *png_file("image"))


@pytest.fixture(params=["text", "image"])
def uploaded(request: pytest.FixtureRequest) -> Uploaded:
    return request.getfixturevalue(f"{request.param}_upload")


def test_upload_answers_with_the_new_file(uploaded: Uploaded) -> None:
    entry = uploaded.upload.json()["files"][0]
    size = entry.get("size")
    expect(
        isinstance(size, int) and not isinstance(size, bool) and size == len(uploaded.content),
        f"the upload answer's size is {size!r}, not the {len(uploaded.content)} bytes sent"
        " (a new file's size is a number)",
        uploaded.upload,
    )
    suffix = PurePosixPath(uploaded.filename).suffix
    expect(
        uploaded.name.endswith(suffix) and "/" not in uploaded.name,
        f"the stored name {uploaded.name!r} does not keep the extension {suffix!r}",
        uploaded.upload,
    )
    url = entry.get("url")
    expect(
        isinstance(url, str) and url.endswith("/" + uploaded.name),
        f"the upload answer's url {url!r} is not <domain>/{uploaded.name}",
        uploaded.upload,
    )


def test_new_upload_is_listed_first(uploaded: Uploaded) -> None:
    listed = uploaded.entry.get("name") if uploaded.entry else None
    expect(
        listed == uploaded.name,
        f"right after uploading {uploaded.name!r}, the list starts with {listed!r} instead",
        uploaded.upload,
        uploaded.listing,
    )


def _entry(uploaded: Uploaded) -> dict[str, Any]:
    test_new_upload_is_listed_first(uploaded)
    assert uploaded.entry is not None
    return uploaded.entry


def test_listed_size_matches_the_bytes(uploaded: Uploaded) -> None:
    problem = size_problem(_entry(uploaded).get("size"), len(uploaded.content))
    expect(problem is None, f"{uploaded.name}: {problem}", uploaded.listing)


def test_listed_date_renders_the_timestamp(uploaded: Uploaded) -> None:
    entry = _entry(uploaded)
    problem = date_problem(entry.get("date"), entry.get("timestamp"))
    expect(problem is None, f"{uploaded.name}: {problem}", uploaded.listing)


def test_listed_fields_describe_the_file(uploaded: Uploaded) -> None:
    entry = _entry(uploaded)
    suffix = PurePosixPath(uploaded.filename).suffix.lower()
    expect(
        entry.get("extname") == suffix,
        f"{uploaded.name}: extname is {entry.get('extname')!r}, expected {suffix!r}",
        uploaded.listing,
    )
    file_url = entry.get("file")
    expect(
        isinstance(file_url, str) and file_url.endswith("/" + uploaded.name),
        f"{uploaded.name}: `file` is {file_url!r}, not <domain>/{uploaded.name}",
        uploaded.listing,
    )


def test_file_serves_the_uploaded_bytes(api: ApiClient, uploaded: Uploaded) -> None:
    served = api.fetch("/" + uploaded.name)
    expect(
        served.status == 200 and served.response.content == uploaded.content,
        f"GET /{uploaded.name} did not serve the {len(uploaded.content)} bytes uploaded"
        f" (HTTP {served.status}, {len(served.response.content)} bytes)",
        uploaded.upload,
        served,
    )


def test_thumbnail_exactly_for_images(api: ApiClient, uploaded: Uploaded) -> None:
    entry = _entry(uploaded)
    suffix = PurePosixPath(uploaded.filename).suffix.lower()
    stem = PurePosixPath(uploaded.name).stem
    if suffix not in image_extensions():
        expect(
            "thumb" not in entry,
            f"{uploaded.name} is not an image but is listed with a thumb {entry.get('thumb')!r}",
            uploaded.listing,
        )
        return
    thumb = entry.get("thumb")
    expect(
        isinstance(thumb, str) and thumb.endswith(f"/thumbs/{stem}.png"),
        f"the image {uploaded.name} is listed with thumb {thumb!r}, not <domain>/thumbs/{stem}.png",
        uploaded.listing,
    )
    served = api.fetch_eventually(f"/thumbs/{stem}.png")
    expect(
        served.status == 200 and served.response.content.startswith(PNG_SIGNATURE),
        f"the thumbnail of {uploaded.name} is not served as a PNG (HTTP {served.status})",
        served,
    )


def test_several_files_in_one_request_come_back_in_order(api: ApiClient, writable: None) -> None:
    sent = [text_file("first"), png_file("second"), text_file("third")]
    upload = api.upload(*sent)
    payload = upload.json()
    files = payload.get("files") if isinstance(payload, dict) else None
    expect(
        isinstance(files, list) and len(files) == len(sent),
        f"an upload of {len(sent)} files did not answer with {len(sent)} entries",
        upload,
    )
    assert isinstance(files, list)
    for position, ((filename, content), entry) in enumerate(zip(sent, files, strict=True)):
        name = entry.get("name") if isinstance(entry, dict) else None
        suffix = PurePosixPath(filename).suffix
        expect(
            isinstance(name, str) and name.endswith(suffix) and entry.get("size") == len(content),
            f"entry {position} of the answer is {entry!r}; the file sent in that position was a"
            f" {len(content)}-byte {suffix} file",
            upload,
        )
        served = api.fetch(f"/{name}")
        expect(
            served.response.content == content,
            f"entry {position} ({name}) does not serve the bytes sent in position {position}",
            upload,
            served,
        )
