"""MkDocs hooks that build the reference from openapi.yaml on every build.

- on_config: the operation pages go in the nav where it says `reference/`, one section per tag,
  and the sidebar footer links come from the spec's info.
- on_files: the operation pages, the raw openapi.yaml and the ShareX uploaders join the site.
- on_page_markdown: `<!-- openapi:NAME -->` markers in hand-written pages become spec blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from discord_images_docs import blocks, reference, sharex
from discord_images_docs.spec import base_url, load, operations
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

NAV_PLACEHOLDER = "reference/"

_spec: dict[str, Any] = {}


def spec_path(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).parent / blocks.SPEC_FILE


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _spec.clear()
    _spec.update(load(spec_path(config)))
    config.site_name = _spec["info"]["title"]
    config.nav = _nav_with_operations(config.nav or [])
    config.extra["toc_footers"] = _toc_footers(config.extra.get("toc_footers", []))
    config.extra["api_base_url"] = base_url(_spec)
    config.extra["api_probe"] = _probe_path()
    return config


def _probe_path() -> str:
    """A GET that needs no token and no parameter: how the site tells the API is beside it."""
    for operation in operations(_spec):
        if operation.method == "get" and not operation.needs_token and "{" not in operation.path:
            return operation.path
    raise ValueError("openapi.yaml has no token-free GET without parameters")


def _nav_with_operations(nav: list[Any]) -> list[Any]:
    sections: dict[str, list[dict[str, str]]] = {}
    for operation in operations(_spec):
        sections.setdefault(operation.tag, []).append({operation.summary: operation.page_uri})
    generated = [{tag: pages} for tag, pages in sections.items()]
    if NAV_PLACEHOLDER not in nav:
        raise ValueError(f"mkdocs.yml: the nav needs a `{NAV_PLACEHOLDER}` entry")
    at = nav.index(NAV_PLACEHOLDER)
    return [*nav[:at], *generated, *nav[at + 1 :]]


def _toc_footers(from_config: list[dict[str, str]]) -> list[dict[str, str]]:
    """The reference's footer links: sign-up and terms from the spec, the site's own links,
    then the contact the docs are powered by."""
    info = _spec["info"]
    links: list[dict[str, str]] = []
    if "externalDocs" in _spec:
        docs = _spec["externalDocs"]
        links.append({"title": docs.get("description", docs["url"]), "url": docs["url"]})
    if "termsOfService" in info:
        links.append({"title": "Terms of Service", "url": info["termsOfService"]})
    links += from_config
    if "contact" in info:
        contact = info["contact"]
        links.append({"title": f"Docs Powered by {contact['name']}", "url": contact["url"]})
    return links


def on_files(files: Files, config: MkDocsConfig) -> Files:
    by_id = {operation.operation_id: operation for operation in operations(_spec)}
    for operation in by_id.values():
        files.append(
            File.generated(
                config, operation.page_uri, content=reference.page(_spec, operation, by_id)
            )
        )
    files.append(File.generated(config, blocks.SPEC_FILE, content=spec_path(config).read_bytes()))
    for path, content in sharex.files(_spec).items():
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return blocks.expand(markdown, blocks.Context(spec=_spec, page_uri=page.file.src_uri))
