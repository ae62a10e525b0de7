"""The built reference site covers openapi.yaml, and the hand-written pages never restate it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.built_site import ROOT, BuiltSite
from tests.html_tree import Element
from tests.openapi_walk import FIXTURES, SPEC_PATH, deref, load_spec, operations

SPEC = load_spec()
OPERATIONS = {op["operationId"]: (path, method, op) for path, method, op in operations(SPEC)}
HAND_WRITTEN = sorted((ROOT / "docs" / "pages").rglob("*.md"))
PRODUCTION = SPEC["servers"][0]["url"]


def plain(markdown: str) -> str:
    """Markdown as the reader sees it: no code ticks, emphasis or link targets; one space."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = text.replace("`", "").replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def page_text(page: Element) -> str:
    return re.sub(r"\s+", " ", page.text())


def operation_page(site: BuiltSite, operation_id: str) -> Element:
    path, method, _ = OPERATIONS[operation_id]
    request_line = f"{method.upper()} {PRODUCTION}{path}"
    found = [
        page
        for page in site.pages.values()
        if any(code.text() == request_line for code in page.find_all(lambda e: e.tag == "code"))
    ]
    assert len(found) == 1, f"{len(found)} pages show `{request_line}`"
    return found[0]


def table_after(page: Element, first_header: str) -> list[list[str]]:
    for table in page.find_all(lambda element: element.tag == "table"):
        headers = [th.text().strip() for th in table.find_all(lambda e: e.tag == "th")]
        if headers and headers[0] == first_header:
            return [
                [
                    re.sub(r"\s+", " ", td.text()).strip()
                    for td in row.find_all(lambda e: e.tag == "td")
                ]
                for row in table.find_all(lambda e: e.tag == "tr")
                if row.find_all(lambda e: e.tag == "td")
            ]
    raise AssertionError(f"no table headed {first_header!r}")


def json_blocks(page: Element) -> list[Any]:
    return [json.loads(block.text()) for block in page.by_class("language-json")]


def test_build_is_strict_and_clean(built_site: BuiltSite) -> None:
    assert "WARNING" not in built_site.log
    assert (built_site.path / "index.html").is_file()
    assert (built_site.path / "search" / "search_index.json").is_file()


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_operation_is_documented(built_site: BuiltSite, operation_id: str) -> None:
    path, method, raw = OPERATIONS[operation_id]
    op = deref(SPEC, raw)
    page = operation_page(built_site, operation_id)
    text = page_text(page)

    assert page.find_all(lambda e: e.tag == "h1")[0].text().strip().rstrip("¶") == op["summary"]
    assert plain(op["description"]) in text
    for parameter in op.get("parameters", []):
        names = [row[0] for row in table_after(page, "Name")]
        assert parameter["name"] in names
    body = op.get("requestBody", {}).get("content", {})
    for media_type, media in body.items():
        assert f"Content type {media_type}" in text
        for name in media["schema"].get("properties", {}):
            assert name in text

    rows = {row[0]: row for row in table_after(page, "Status")}
    assert set(rows) == set(op["responses"]), "the responses table lists every status"
    shown = json_blocks(page)
    for status, response in op["responses"].items():
        assert plain(response["description"]) in rows[status][2]
        for media in response.get("content", {}).values():
            for example in media.get("examples", {}).values():
                assert example["value"] in shown, f"{status} example {example['summary']!r}"
                assert plain(example["summary"]) in text

    languages = [s.language for s in built_site.samples if s.operation == operation_id]
    assert {"Shell", "JavaScript"} <= set(languages)
    auth = "No token needed" if raw.get("security") == [] else "Authentication"
    titles = [t.text().strip() for t in page.by_class("admonition-title")]
    assert auth in titles


def test_response_schemas_list_every_property(built_site: BuiltSite) -> None:
    """Each named response schema gets a section whose table names all its properties."""
    for operation_id, (_, _, raw) in OPERATIONS.items():
        page = operation_page(built_site, operation_id)
        headings = {h.text().strip().rstrip("¶"): h for h in page.find_all(lambda e: e.tag == "h3")}
        for ref in re.findall(r"#/components/schemas/(\w+)", json.dumps(raw["responses"])):
            assert ref in headings, f"{operation_id}: no section for {ref}"
            schema = SPEC["components"]["schemas"][ref]
            for name in schema.get("properties", {}):
                assert f"`{name}`" in _markdown_like(page), f"{operation_id}: {ref}.{name}"
    responses = json.dumps([raw["responses"] for _, _, raw in OPERATIONS.values()])
    for ref in re.findall(r"#/components/responses/(\w+)", responses):
        body = SPEC["components"]["responses"][ref]["content"]["application/json"]["schema"]
        assert "$ref" in body  # so the section check above saw it through the response


def _markdown_like(page: Element) -> str:
    """Code elements written back with ticks, so `name` finds a property, not a word."""
    return " ".join(f"`{code.text()}`" for code in page.find_all(lambda e: e.tag == "code"))


def test_every_status_and_message_is_on_the_errors_page(built_site: BuiltSite) -> None:
    page = built_site.pages["errors/index.html"]
    statuses = {row[0] for row in table_after(page, "Status")}
    messages: set[str] = set()
    for _, _, raw in OPERATIONS.values():
        op = deref(SPEC, raw)
        assert set(op["responses"]) <= statuses
        for response in op["responses"].values():
            for media in response.get("content", {}).values():
                for example in media.get("examples", {}).values():
                    if isinstance(example["value"], dict) and "description" in example["value"]:
                        messages.add(example["value"]["description"])
    text = page_text(page)
    assert messages and all(message in text for message in messages)


def test_reference_texts_and_links(built_site: BuiltSite) -> None:
    """The seed's footer links, asides as admonitions, and no mis-decoded characters."""
    seed = (FIXTURES / "seed-api-reference.md").read_text(encoding="utf-8")
    footers = re.findall(r"<a href='([^']+)'>([^<]+)</a>", seed.split("toc_footers:")[1])
    assert len(footers) == 4
    for name, page in built_site.pages.items():
        links = [
            (a.attrs["href"], a.text().strip())
            for a in page.by_class("toc-footer")[0].iter()
            if a.tag == "a"
        ]
        assert links == footers, name
        assert "â€" not in page.text(), name

    auth = built_site.pages["authentication/index.html"]
    note = auth.by_class("note")[0].text()
    assert "images_api" in note and "personal API key" in note
    success = plain(auth.by_class("success")[0].text())
    assert success == "Remember — a happy user is an authenticated user!"


def test_raw_spec_and_sharex_files_are_downloadable(built_site: BuiltSite) -> None:
    assert (built_site.path / "openapi.yaml").read_bytes() == SPEC_PATH.read_bytes()
    intro = built_site.pages["index.html"]
    hrefs = [a.attrs.get("href", "") for a in intro.iter() if a.tag == "a"]
    assert "openapi.yaml" in hrefs
    sharex = built_site.pages["sharex/index.html"]
    linked = [
        a.attrs["href"]
        for a in sharex.iter()
        if a.tag == "a" and ".sxcu" in a.attrs.get("href", "")
    ]
    assert len(linked) == len(SPEC["servers"])
    for href in linked:
        uploader = json.loads((built_site.path / "sharex" / href).read_text())
        assert uploader["RequestURL"].startswith(tuple(s["url"] for s in SPEC["servers"]))


def spec_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in spec_strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in spec_strings(value)]
    return [node] if isinstance(node, str) else []


def shingles(text: str, size: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"[\w'.:/-]+", plain(text).lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def spec_atoms() -> set[str]:
    """Values a page could only have copied from the spec: paths, URLs, example strings."""
    atoms = set(SPEC["paths"]) | {server["url"] for server in SPEC["servers"]}
    for text in spec_strings(_examples(SPEC)):
        if len(text.strip()) >= 5:
            atoms.add(text.strip())
    return {atom for atom in atoms if atom != "/"}


def _examples(node: Any) -> list[Any]:
    if isinstance(node, dict):
        found = [node["value"]] if "value" in node and "summary" in node else []
        found += [node["example"]] if "example" in node else []
        return found + [value for child in node.values() for value in _examples(child)]
    if isinstance(node, list):
        return [value for child in node for value in _examples(child)]
    return []


@pytest.mark.parametrize("page", HAND_WRITTEN, ids=lambda path: path.name)
def test_hand_written_pages_do_not_restate_the_spec(page: Path) -> None:
    """Anything the spec says reaches a page through an `<!-- openapi:... -->` block."""
    text = page.read_text(encoding="utf-8")
    copied = shingles(text) & set().union(*(shingles(s) for s in spec_strings(SPEC)))
    assert not copied, f"{page.name} repeats the spec: {[' '.join(c) for c in copied]}"
    lowered = text.lower()
    atoms = [atom for atom in spec_atoms() if atom.lower() in lowered]
    assert not atoms, f"{page.name} copies values from the spec: {atoms}"


def test_the_restating_check_can_fail() -> None:
    """A page pasting a spec sentence or path is caught by the same two checks."""
    sentence = SPEC["paths"]["/api/uploads/{page}"]["get"]["description"]
    spec_shingles = set().union(*(shingles(s) for s in spec_strings(SPEC)))
    assert shingles("Intro. " + sentence) & spec_shingles
    assert "/api/upload" in spec_atoms()
