"""A second account never sees, nor deletes, the first account's files."""

from __future__ import annotations

from discord_images_contract.client import ApiClient, expect
from discord_images_contract.payloads import text_file


def test_second_token_lists_none_of_the_first_tokens_files(
    api: ApiClient, second_api: ApiClient
) -> None:
    first, second = api.list_page(), second_api.list_page()
    first_ids = {entry.get("id") for entry in api.files_of(first)}
    second_ids = {entry.get("id") for entry in second_api.files_of(second)}
    shared = first_ids & second_ids
    expect(not shared, f"both accounts list the uploads {sorted(shared)}", first, second)


def test_second_token_never_sees_a_new_upload(
    api: ApiClient, second_api: ApiClient, writable: None
) -> None:
    _, entry = api.upload_listed(text_file("isolation"), "with the first token")
    name = entry["name"]
    listing = second_api.list_page()
    names = [item.get("name") for item in second_api.files_of(listing)]
    expect(name not in names, f"the second account lists the first account's {name}", listing)
    attempt = second_api.delete(entry["id"])
    payload = attempt.json()
    expect(
        isinstance(payload, dict) and payload.get("success") is False,
        f"the second account could delete the first account's {name} (id {entry['id']})",
        attempt,
    )
    expect(
        api.find(name) is not None,
        f"{name} vanished after the second account tried to delete it",
        attempt,
    )
