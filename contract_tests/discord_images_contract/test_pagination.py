"""Pages of the list: 25 a page, newest first, disjoint, and empty past the end."""

from __future__ import annotations

from discord_images_contract.client import PAGE_SIZE, ApiClient, Exchange, expect
from discord_images_contract.payloads import text_file

# Uploads per request while filling two pages: small requests, in case a server limits files.
BATCH = 9
MAX_PAGES_WALKED = 200


def _ids(api: ApiClient, exchange: Exchange) -> list[int]:
    return [entry.get("id") for entry in api.files_of(exchange)]  # type: ignore[misc]


def _check_order(ids: list[int], exchange: Exchange, page: int) -> None:
    expect(
        all(isinstance(upload_id, int) for upload_id in ids)
        and all(a > b for a, b in zip(ids, ids[1:], strict=False)),
        f"page {page} is not newest first (ids not strictly decreasing): {ids}",
        exchange,
    )


def test_pages_hold_25_newest_first_and_are_disjoint(api: ApiClient, writable: None) -> None:
    names: list[str] = []
    while len(names) < PAGE_SIZE + 1:
        upload = api.upload(*(text_file(f"page-{len(names) + i}") for i in range(BATCH)))
        payload = upload.json()
        expect(
            isinstance(payload, dict) and payload.get("success") is True,
            f"uploading {BATCH} tiny files failed",
            upload,
        )
        names.extend(entry["name"] for entry in payload["files"])
    first, second = api.list_page(0), api.list_page(1)
    unnamed = api.list_page()
    first_ids, second_ids = _ids(api, first), _ids(api, second)
    expect(
        len(first_ids) == PAGE_SIZE,
        f"page 0 has {len(first_ids)} files after {len(names)} uploads; a page holds {PAGE_SIZE}",
        first,
    )
    _check_order(first_ids, first, 0)
    _check_order(second_ids, second, 1)
    expect(
        not set(first_ids) & set(second_ids),
        f"pages 0 and 1 share ids {sorted(set(first_ids) & set(second_ids))}",
        first,
        second,
    )
    expect(
        bool(second_ids) and first_ids[-1] > second_ids[0],
        "page 1 does not continue where page 0 ends (newest first across pages)",
        first,
        second,
    )
    listed_names = [entry.get("name") for entry in api.files_of(first)]
    newest = list(reversed(names))[:PAGE_SIZE]
    expect(
        listed_names == newest,
        "page 0 is not the 25 files just uploaded, newest first",
        first,
    )
    expect(
        _ids(api, unnamed) == first_ids,
        "GET /api/uploads is not the same as GET /api/uploads/0",
        unnamed,
        first,
    )
    second_names = [entry.get("name") for entry in api.files_of(second)]
    expected = names[-(PAGE_SIZE + 1)]
    expect(
        second_names[:1] == [expected],
        f"page 1 should start with {expected}, the 26th newest of the files just uploaded",
        second,
    )


def test_page_past_the_end_is_empty(api: ApiClient) -> None:
    page = 0
    while page < MAX_PAGES_WALKED:
        exchange = api.list_page(page)
        if len(api.files_of(exchange)) < PAGE_SIZE:
            break
        page += 1
    last = page if page < MAX_PAGES_WALKED else 10**6
    # Just past the end and far past it: a server may get either wrong.
    for past_page in (last + 1, last + 2, last + 1000):
        past = api.list_page(past_page)
        files = api.files_of(past)
        expect(
            files == [],
            f"page {past_page} is past the end (page {last} is the last) but has"
            f" {len(files)} files",
            past,
        )
