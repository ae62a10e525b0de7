"""The built site in a real browser (Debian's Chromium, headless), served by the mock at /docs/.

Screenshots land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, sync_playwright

from tests.built_site import ROOT, SERVERS, BuiltSite
from tests.server_process import ServerProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
UPLOAD_PAGE = "/docs/reference/uploads/upload-files/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="no Chromium binary (.ci/run installs Debian's chromium)"
)


@pytest.fixture(scope="module")
def docs_server(
    built_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("browser") / "data"
    with ServerProcess(data, args=["--site-dir", str(built_site.path)]) as process:
        yield process


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 900},
        )
        context.set_default_timeout(10_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    tab = browser_context.new_page()
    yield tab
    tab.close()


def selected_languages(page: Page) -> list[str]:
    """The label of the checked tab in every tab set on the page."""
    return page.eval_on_selector_all(
        ".tabbed-set",
        """sets => sets.map(set => {
            const checked = set.querySelector(':scope > input:checked');
            return set.querySelector(`label[for="${checked.id}"]`).innerText.trim();
        })""",
    )


def test_javascript_tab_switches_every_sample_and_persists(
    docs_server: ServerProcess, page: Page
) -> None:
    page.goto(docs_server.base_url + "/docs/mock-server/")
    before = selected_languages(page)
    assert len(before) >= 2 and set(before) == {"Shell"}

    page.locator(".tabbed-labels label", has_text="JavaScript").first.click()
    assert set(selected_languages(page)) == {"JavaScript"}
    assert page.locator("code", has_text="fetch(").first.is_visible()

    page.reload()
    assert set(selected_languages(page)) == {"JavaScript"}
    page.goto(docs_server.base_url + UPLOAD_PAGE)
    assert set(selected_languages(page)) == {"JavaScript"}
    page.screenshot(path=str(ARTIFACTS / "site-javascript-tab.png"))

    page.locator(".tabbed-labels label", has_text="Shell").first.click()
    assert set(selected_languages(page)) == {"Shell"}


def test_search_finds_the_upload_operation(docs_server: ServerProcess, page: Page) -> None:
    page.goto(docs_server.base_url + "/docs/")
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").press_sequentially("upload", delay=20)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = results.evaluate_all("links => links.map(link => link.href)")
    pages = [href.split("#")[0].split("?")[0] for href in hrefs]
    assert any(href.endswith(UPLOAD_PAGE) for href in pages), pages
    page.screenshot(path=str(ARTIFACTS / "site-search.png"))


def boxes(page: Page) -> dict[str, dict[str, float]]:
    return page.evaluate(
        """() => {
            const box = el => { const r = el.getBoundingClientRect();
                return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, width: r.width}; };
            const article = document.querySelector('article.md-content__inner');
            return {
                prose: box(article.querySelector(':scope > p')),
                code: box(article.querySelector(':scope > .api-code')),
                title: box(article.querySelector(':scope > h1')),
                document: {x: 0, y: 0, right: document.documentElement.scrollWidth,
                           bottom: 0, width: document.documentElement.scrollWidth},
            };
        }"""
    )


def code_background(page: Page) -> list[int]:
    color = page.eval_on_selector(
        "article > .api-code", "el => getComputedStyle(el).backgroundColor"
    )
    return [int(part) for part in color[color.index("(") + 1 : -1].split(",")[:3]]


def test_wide_screen_puts_code_in_a_dark_column_right_of_the_prose(
    docs_server: ServerProcess, page: Page
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(docs_server.base_url + UPLOAD_PAGE)
    found = boxes(page)
    prose, code = found["prose"], found["code"]
    assert code["x"] >= prose["right"], found
    assert code["y"] < prose["bottom"], "the samples sit beside the prose, not below it"
    assert code["width"] > 400
    assert max(code_background(page)) < 90, "the code column is dark"
    page.screenshot(path=str(ARTIFACTS / "site-1440.png"))


def test_phone_shows_one_column(docs_server: ServerProcess, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(docs_server.base_url + UPLOAD_PAGE)
    found = boxes(page)
    prose, code, title = found["prose"], found["code"], found["title"]
    assert code["y"] >= title["bottom"] and prose["y"] >= code["bottom"], found
    assert abs(code["x"] - prose["x"]) < 40 and code["width"] > 300
    assert found["document"]["width"] <= 390, "nothing pushes the page sideways"
    page.screenshot(path=str(ARTIFACTS / "site-390.png"))


def test_samples_served_beside_the_api_work_when_pasted(
    docs_server: ServerProcess, page: Page, tmp_path: Path
) -> None:
    """As `make serve` shows them: the page aims its samples at the server that serves it, and
    the text a reader copies runs as is, with no substitution by the test."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(docs_server.base_url + UPLOAD_PAGE)
    page.wait_for_selector(f"html[data-api-origin='{docs_server.base_url}']")
    assert page.locator(".api-origin-note").is_visible()
    codes = page.eval_on_selector_all(
        "article > .api-code .tabbed-set",
        """sets => sets.flatMap(set => [...set.querySelectorAll('.tabbed-block code')]
            .map(code => code.textContent))""",
    )
    assert len(codes) == 2 and all(docs_server.base_url in code for code in codes)
    Image.new("RGB", (20, 20), (250, 20, 90)).save(tmp_path / "image.jpg", "JPEG")
    (tmp_path / "example.js").write_text(codes[1])
    for command in (["bash", "-c", codes[0]], ["node", "example.js"]):
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=30)
        body = json.loads(result.stdout)
        assert result.returncode == 0 and body["success"] is True, result
        assert body["files"][0]["url"].startswith(docs_server.base_url)


def test_served_site_keeps_naming_production_outside_samples(
    docs_server: ServerProcess, page: Page
) -> None:
    page.goto(docs_server.base_url + "/docs/")
    page.wait_for_selector("html[data-api-probed]")
    servers = page.locator("article table").first.inner_text()
    assert SERVERS[0] in servers and docs_server.base_url not in servers
