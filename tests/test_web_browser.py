"""The web app in a real browser: Debian's chromium driven by Playwright against uvicorn on
127.0.0.1.  Search → document → entity → map works by clicking; a hostile article runs nothing;
no page logs an error or a CSP violation.  Screenshots of every page go to a temporary folder,
or to docs/screenshots/ with SITROOM_SCREENSHOTS=1 (``make screenshots``)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)

import uvicorn  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from sitroom.pipeline import ingest  # noqa: E402
from sitroom.settings import Config  # noqa: E402
from sitroom.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
HOSTILE = {"title": f"Border talks {SCRIPT} {IMG}", "source": "Evil Wire <b>bold</b>", "published": "2024-03-30",
           "url": "javascript:window.__pwned=3",
           "text": f"BRUSSELS (Evil Wire) - Ingrid Maassen said on Monday that {SCRIPT} about 300 fighters crossed "
                   f"into Iraq. {IMG}\n\n\"We are watching the border,\" Maassen told reporters in Brussels."}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    if os.environ.get("SITROOM_SCREENSHOTS"):
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def _serve(db: str) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(db), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[dict[str, str]]:
    """Two apps on loopback: the examples (screenshots), and one hostile article alone."""
    folder = tmp_path_factory.mktemp("browser")
    (folder / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    dbs = {"examples": str(folder / "examples.duckdb"), "hostile": str(folder / "hostile.duckdb")}
    ingest([str(EXAMPLES)], Config.load(db=dbs["examples"]))
    ingest([str(folder / "hostile.jsonl")], Config.load(db=dbs["hostile"]))
    running = {name: _serve(db) for name, db in dbs.items()}
    yield {name: url for name, (_, _, url) in running.items()}
    for server, thread, _ in running.values():
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(servers) -> str:
    return servers["examples"]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    pg = context.new_page()
    pg.problems = []  # console errors, CSP violations, uncaught exceptions, dialogs
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


def _shot(page: Page, folder: Path, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}.png"))


def test_search_document_entity_map_by_clicking(page, base_url, shots):
    page.goto(base_url + "/")
    _shot(page, shots, "search")
    page.fill("form.filters input[name=q]", "fighters Maassen")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/search?**")
    assert "contain every word" in page.inner_text("p.count")
    _shot(page, shots, "search-results")
    first = page.locator("ol.hits h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/documents/**")
    assert page.inner_text("h1") == title
    assert page.locator(".text .hl-fig").count() > 0 and page.locator(".text .hl-quote").count() > 0
    assert page.locator(".text .hl-ent").first.get_attribute("title")  # hover details
    page.locator(".facts a[href^='#fig-']").first.click()
    # The jumped-to figure is outlined (by the hashchange handler, which runs after the click returns).
    page.locator(".text .hl.flash").first.wait_for(state="attached", timeout=10_000)
    _shot(page, shots, "document")
    page.locator(".facts a[href^='/entities/']", has_text="Ingrid Maassen").first.click()
    page.wait_for_url("**/entities/**")
    assert page.inner_text("h1") == "Ingrid Maassen"
    assert "EU counter-terrorism coordinator" in page.inner_text("main")
    _shot(page, shots, "entity")
    assert (ROOT / "src/sitroom/web/static/vendor/leaflet.js").is_file(), \
        "Leaflet is not vendored: run `python -m sitroom.web.vendor` (part of `make install`)"
    page.click("nav a:has-text('Map')")
    page.wait_for_url("**/map")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length > 150")  # countries
    markers = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    assert markers.count() == page.locator("table.data tbody tr").count()  # one circle per place
    assert page.locator("figure.map img").is_hidden()  # the static map gave way to Leaflet
    _shot(page, shots, "map")
    markers.first.dispatch_event("click")
    page.wait_for_url("**/places/**")
    page.wait_for_selector(".leaflet-container")
    assert page.locator("ul.doclist li").count() > 0
    _shot(page, shots, "place")
    assert page.problems == []


def test_hostile_article_shows_its_markup_as_text_and_runs_nothing(page, servers, shots):
    page.goto(servers["hostile"] + "/search?q=pwned")
    link = page.locator("ol.hits h2 a")
    assert link.count() == 1 and link.inner_text() == HOSTILE["title"]
    link.click()
    page.wait_for_url("**/documents/**")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1") == HOSTILE["title"]
    assert SCRIPT in page.inner_text(".text") and IMG in page.inner_text(".text")
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("a[href^='javascript:']").count() == 0
    _shot(page, shots, "hostile-article")
    assert page.problems == []


@pytest.mark.parametrize("path,name,needle", [
    ("/stories", "stories", "Stories"),
    ("/claims", "claims", "sources disagree"),
    ("/claims?disagree=true", "claims-disagree", "sources disagree"),
    ("/statements", "statements", "carried"),
    ("/timeline", "timeline", "Timeline"),
    ("/entities", "entities", "Ingrid Maassen"),
    ("/docs", "api-docs", "/api/search"),
])
def test_other_pages_render_cleanly(page, base_url, shots, path, name, needle):
    page.goto(base_url + path)
    assert needle in page.inner_text("main")
    _shot(page, shots, name)
    if name == "stories":
        page.locator("ul.cards h2 a").first.click()
        page.wait_for_url("**/stories/**")
        assert page.locator("ol.timeline li").count() > 0
        _shot(page, shots, "story")
    assert page.problems == []


def test_events_page_map_layer_popup_and_filters(page, base_url, shots):
    """The Events page: a marker per located event (places layer off, switchable), a popup per
    marker leading to the event, filters narrowing list and map alike; the world map has both."""
    page.goto(base_url + "/")
    page.click("nav a:has-text('Events')")
    page.wait_for_url("**/events")
    located = page.request.get(base_url + "/api/events/map").json()["total"]
    assert located > 5
    page.wait_for_selector(".leaflet-container")
    expect(page.locator(".leaflet-marker-pane .event-marker")).to_have_count(located)
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == 0  # places layer off
    toggles = page.locator(".leaflet-control-layers-overlays label")
    assert toggles.count() == 2 and toggles.nth(0).inner_text().strip() == "Places"
    page.locator(".leaflet-marker-pane .event-marker").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .event-popup")
    popup.wait_for()
    assert "report" in popup.inner_text()
    href = popup.locator("a").get_attribute("href")
    assert href.startswith("/events?id=V")
    page.goto(base_url + href)
    assert page.locator("li.card.event").count() == 1
    assert page.locator("li.card.event mark.trigger").count() >= 1
    page.go_back()
    expect(page.locator(".leaflet-marker-pane .event-marker")).to_have_count(located)
    toggles.nth(0).locator("input").check()
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").nth(5).wait_for(state="attached")
    page.select_option("form.filters select[name=type]", "ASSAULT")
    page.select_option("form.filters select[name=country]", "IQ")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/events?**type=ASSAULT**")
    iraq = page.request.get(base_url + "/api/events/map?type=ASSAULT&country=IQ").json()["total"]
    expect(page.locator(".leaflet-marker-pane .event-marker")).to_have_count(iraq)
    kinds = page.locator("li.card.event .badge.ptype").all_inner_texts()
    assert kinds and all(k.startswith("ASSAULT") for k in kinds)
    assert page.locator("li.card.event.disagree").count() >= 1  # the disputed Tal Afar toll
    page.select_option("form.filters select[name=type]", "")
    page.select_option("form.filters select[name=acled]", "Battles")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/events?**acled=Battles**")
    battles = page.request.get(base_url + "/api/events/map?acled=Battles&country=IQ").json()["total"]
    expect(page.locator(".leaflet-marker-pane .event-marker")).to_have_count(battles)
    assert page.locator("li.card.event").first.get_attribute("class") == "card event disagree"  # newest first
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.wait_for_timeout(300)
    _shot(page, shots, "events")
    page.goto(base_url + "/map")
    expect(page.locator(".leaflet-marker-pane .event-marker")).to_have_count(located)
    # and the places: their layer is fetched on its own, so wait for it rather than count at once
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").nth(5).wait_for(state="attached")
    assert page.problems == []
