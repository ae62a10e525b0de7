"""Duplicates, blocked extensions and deletion."""

from __future__ import annotations

from pathlib import PurePosixPath

from discord_images_contract.client import ApiClient, expect
from discord_images_contract.payloads import nonce, text_file
from discord_images_contract.rules import blocked_extensions


def test_duplicate_upload_returns_the_original_entry(api: ApiClient, writable: None) -> None:
    filename, content = text_file("duplicate")
    first = api.upload((filename, content))
    second = api.upload(("copy-" + filename, content))
    entries = []
    for exchange in (first, second):
        payload = exchange.json()
        expect(
            isinstance(payload, dict) and payload.get("success") is True,
            "uploading the same small file twice failed",
            exchange,
        )
        entries.append(payload["files"][0])
    original, duplicate = entries
    expect(
        duplicate.get("name") == original.get("name"),
        f"uploading the same bytes again stored a new file {duplicate.get('name')!r} instead of"
        f" returning the original {original.get('name')!r}",
        first,
        second,
    )
    expect(
        duplicate.get("size") == str(len(content)),
        f"a duplicate's size is {duplicate.get('size')!r}; the existing entry is answered with"
        f" the size as a string, {str(len(content))!r}",
        second,
    )
    listing = api.list_page()
    names = [entry.get("name") for entry in api.files_of(listing)]
    expect(
        names.count(original.get("name")) == 1 and names[0] == original.get("name"),
        "after a duplicate upload the list should show the original once, first;"
        f" it starts {names[:3]}",
        listing,
    )


def test_blocked_extensions_are_refused(api: ApiClient, writable: None) -> None:
    accepted = []
    last = None
    for extension in blocked_extensions():
        # Mixed case too: the rule is case-insensitive.
        for variant in {extension, extension.upper()}:
            filename = f"contract{variant}"
            last = api.upload((filename, f"echo {nonce()}\n".encode()))
            payload = last.json()
            message = payload.get("description") if isinstance(payload, dict) else None
            refused = (
                isinstance(payload, dict)
                and payload.get("success") is False
                and isinstance(message, str)
                and "not permitted" in message
            )
            if not refused:
                accepted.append(f"{filename} -> HTTP {last.status} {last.text[:120]}")
    assert last is not None
    expect(
        not accepted,
        "blocked extensions were not refused with success: false:\n  " + "\n  ".join(accepted),
        last,
    )


def test_delete_removes_the_file_from_the_list_and_its_url(api: ApiClient, writable: None) -> None:
    _, entry = api.upload_listed(text_file("delete"), "to delete")
    name = entry["name"]
    deleted = api.delete(entry["id"])
    expect(
        deleted.json() == {"success": True, "failed": []},
        f"deleting {name} (id {entry['id']}) did not answer success: true, failed: []",
        deleted,
    )
    listing = api.list_page()
    names = [item.get("name") for item in api.files_of(listing)]
    expect(name not in names, f"{name} is still listed after it was deleted", deleted, listing)
    served = api.fetch("/" + name)
    expect(
        served.status == 404,
        f"{name} is still served (HTTP {served.status}) after it was deleted",
        deleted,
        served,
    )
    stem = PurePosixPath(name).stem
    thumb = api.fetch(f"/thumbs/{stem}.png")
    expect(thumb.status == 404, f"a thumbnail of deleted {name} is served", thumb)


def test_delete_of_an_unknown_id_is_refused(api: ApiClient) -> None:
    # No upload has id 0, so this is safe on any deployment.
    exchange = api.delete(0)
    payload = exchange.json()
    expect(
        exchange.status == 200
        and isinstance(payload, dict)
        and payload.get("success") is False
        and payload.get("description") == "Could not delete any files.",
        'deleting id 0 should answer success: false, "Could not delete any files."',
        exchange,
    )
