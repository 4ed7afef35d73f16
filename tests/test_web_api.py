"""The web app through FastAPI's TestClient, against a real database ingested from examples/
plus one hostile article: pages show the facts, the API returns export-shaped records with
pagination, bad input gets 404/422 (never 500), and the safety measures hold."""

from __future__ import annotations

import json
import re
from html import unescape
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from sitroom.errors import UsageError
from sitroom.pipeline import ingest
from sitroom.settings import Config
from sitroom.store.database import Store
from sitroom.store.export import build_export, export_schema
from sitroom.web import create_app, run_server
from sitroom.web.highlight import Fact, segments

from conftest import EXAMPLE_ARTICLES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
WEB = ROOT / "src" / "sitroom" / "web"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
HOSTILE = {"title": f"Border talks {SCRIPT} {IMG}", "source": "Evil Wire <b>bold</b>", "published": "2024-03-30",
           "url": "javascript:window.__pwned=3",
           "text": f"BRUSSELS (Evil Wire) - Ingrid Maassen said on Monday that {SCRIPT} about 300 fighters crossed "
                   f"into Iraq. {IMG}\n\n\"We are watching the border,\" Maassen told reporters in Brussels."}
LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("web")
    (folder / "hostile.jsonl").write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    db = str(folder / "web.duckdb")
    report = ingest([str(EXAMPLES), str(folder / "hostile.jsonl")], Config.load(db=db))
    assert report.new == EXAMPLE_ARTICLES + 1 and not report.rejected
    return db


@pytest.fixture(scope="module")
def client(db_path) -> TestClient:
    return TestClient(create_app(db_path), base_url=LOCAL)


@pytest.fixture(scope="module")
def exported(db_path) -> dict:
    with Store(db_path, read_only=True) as store:
        return build_export(store)


def _one(client: TestClient, url: str) -> dict:
    items = client.get(url).json()["items"]
    assert items, url
    return items[0]


def _all(client: TestClient, url: str) -> list[dict]:
    out, offset = [], 0
    while True:
        body = client.get(f"{url}{'&' if '?' in url else '?'}limit=100&offset={offset}").json()
        out += body["items"]
        offset += 100
        if offset >= body["total"]:
            return out


def e(text: str) -> str:
    """``text`` as autoescaped HTML shows it."""
    return str(escape(text))


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda x: json.dumps(x, sort_keys=True, default=str))


def _nested_sorted(record: dict) -> dict:
    """The record with its lists of objects sorted (the export leaves ties in any order)."""
    return {k: _sorted(v) if isinstance(v, list) and v and isinstance(v[0], dict) else v for k, v in record.items()}


# -- pages ---------------------------------------------------------------------------------------
def test_every_page_renders_with_its_facts(client):
    atlas = _one(client, "/api/search?source=Atlas+Wire")
    maassen = _one(client, "/api/entities?q=Maassen")
    top_place = _one(client, "/api/places")
    story = _one(client, "/api/stories")
    statement = _one(client, f"/api/statements?speaker={maassen['id']}")
    expected = {
        "/": ["Search articles", e(atlas["title"]), f"{EXAMPLE_ARTICLES + 1} articles"],
        "/search?q=fighters": ["contain every word", "<mark>"],
        f"/search?entity={maassen['id']}": ["entity: <a", "Ingrid Maassen"],
        f"/documents/{atlas['id']}": [e(atlas["title"]), 'class="hl hl-fig"', "about 5,000", 'id="fig-', 'id="dat-',
                                      'id="quo-', 'id="pla-', 'id="ent-', "Nawfal al-Zubaidi", 'href="/places/'],
        "/entities": ["Ingrid Maassen", "Europol"],
        f"/entities/{maassen['id']}": ["Ingrid Maassen", "EU counter-terrorism coordinator", "Statements", "Articles"],
        f"/places/{top_place['id']}": [e(top_place["name"]), f"/places/{top_place['id']}/map.svg", 'data-map="place"'],
        "/map": ["/map.svg", 'data-map="world"', e(top_place["name"])],
        "/stories": [e(story["title"])],
        f"/stories/{story['id']}": [e(story["title"]), "Timeline", "Articles"],
        "/claims": ["sources disagree", "#fig-", "foreign fighters"],
        "/statements": [e(statement["text"][:40]), "#quo-"],
        "/timeline": ["2024-03-04", "statement", "figure"],
        "/docs": ["/api/search", "/api/documents/{doc_id}", "Document", "/openapi.json"],
    }
    for url, needles in expected.items():
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        for needle in needles:
            assert needle in r.text, (url, needle)


def test_document_page_anchors_every_fact_and_keeps_the_text(client):
    atlas = _one(client, "/api/search?source=Atlas+Wire")
    doc = client.get(f"/api/documents/{atlas['id']}").json()
    html = client.get(f"/documents/{atlas['id']}").text
    for kind, facts in (("ent", doc["entities"]), ("pla", doc["places"]), ("dat", doc["dates"]),
                        ("quo", doc["quotes"]), ("fig", doc["figures"])):
        assert facts, kind
        for f in facts:
            assert f'id="{kind}-{f["start"]}"' in html
    body = re.search(r'<div class="text" lang="en">(.*?)</div>', html, re.S).group(1)
    assert unescape(re.sub(r"<[^>]+>", "", body)) == doc["text"]  # highlighting adds markup, never changes the text


def test_entity_link_in_a_document_redirects_to_the_canonical_entity(client, db_path):
    with Store(db_path, read_only=True) as store:
        row = store.query("SELECT entity_id, canonical_id FROM entity_links WHERE entity_id <> canonical_id LIMIT 1")
    if not row:
        pytest.skip("no linked per-article entity in this database")
    r = client.get(f"/entities/{row[0]['entity_id']}", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"/entities/{row[0]['canonical_id']}"
    assert client.get(f"/api/entities/{row[0]['entity_id']}").json()["id"] == row[0]["canonical_id"]


# -- API: contract, pagination, filters --------------------------------------------------------
def test_api_records_are_the_export_records(client, exported):
    schema = export_schema()
    sections = schema["properties"]
    for d in exported["documents"]:
        got = client.get(f"/api/documents/{d['id']}").json()
        jsonschema.validate(got, sections["documents"]["items"])
        for key, value in d.items():
            assert (_sorted(got[key]) if isinstance(value, list) else got[key]) == \
                (_sorted(value) if isinstance(value, list) else value), (d["id"], key)
    for name in ("entities", "places", "statements", "claims", "stories"):
        got = _all(client, f"/api/{name}")
        for item in got:
            jsonschema.validate(item, sections[name]["items"])
        assert [_nested_sorted(x) for x in got] == [_nested_sorted(x) for x in exported[name]], name


def test_pagination_is_consistent(client):
    ten = client.get("/api/entities?limit=10").json()
    first, second = (client.get(f"/api/entities?limit=5&offset={o}").json() for o in (0, 5))
    assert ten["total"] == first["total"] == second["total"] > 10
    assert first["items"] + second["items"] == ten["items"]
    assert (first["limit"], first["offset"], second["offset"]) == (5, 0, 5)
    beyond = client.get(f"/api/entities?offset={ten['total'] + 3}").json()
    assert beyond["items"] == [] and beyond["total"] == ten["total"]
    everything = _all(client, "/api/search?q=")
    assert len({d["id"] for d in everything}) == len(everything) == EXAMPLE_ARTICLES + 1


def test_search_words_and_filters(client):
    hits = _all(client, "/api/search?q=fighters")
    assert 0 < len(hits) < EXAMPLE_ARTICLES + 1 and all(h["score"] is not None for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    for h in hits:
        text = client.get(f"/api/documents/{h['id']}").json()["text"] + (h["title"] or "")
        assert "fighter" in text.lower()
    both = _all(client, "/api/search?q=fighters+Mechelen")
    assert both and {h["id"] for h in both} <= {h["id"] for h in hits}  # every word required
    by_source = _all(client, "/api/search?source=The+River+Courier")
    assert [h["source"] for h in by_source] == ["The River Courier"]
    dated = _all(client, "/api/search?date_from=2024-03-10&date_to=2024-03-15")
    assert dated and all("2024-03-10" <= h["published"][:10] <= "2024-03-15" for h in dated)
    maassen = _one(client, "/api/entities?q=Maassen")
    about = _all(client, "/api/search?entity=Ingrid+Maassen")
    assert len(about) == maassen["document_count"]
    for h in about:
        doc = client.get(f"/api/documents/{h['id']}").json()
        assert maassen["id"] in {e["entity_id"] for e in doc["entities"]}
    place = _one(client, "/api/places")
    assert {h["id"] for h in _all(client, f"/api/search?place={place['id']}")} == set(place["document_ids"])
    assert client.get("/api/search?entity=Nobody+Atall").json() == {"total": 0, "limit": 20, "offset": 0, "items": []}


def test_lists_filter(client):
    disagree = _all(client, "/api/claims?disagree=true")
    assert disagree and not any(c["agree"] for c in disagree)
    fighters = _all(client, "/api/claims?subject=fighters")
    assert fighters and all("fighters" in c["subject"] for c in fighters)
    maassen = _one(client, "/api/entities?q=Maassen")
    said = _all(client, f"/api/statements?speaker={maassen['id']}")
    assert said and all(s["speaker_entity_id"] == maassen["id"] for s in said)
    people = _all(client, "/api/entities?label=PERSON")
    assert people and all(e["label"] == "PERSON" for e in people)
    timeline = client.get("/api/timeline?since=2024-03-10&kind=statement&limit=100").json()
    assert timeline["items"] and all(i["date"] >= "2024-03-10" and i["kind"] == "statement" for i in timeline["items"])
    story = _one(client, "/api/stories")
    assert client.get(f"/api/stories/{story['id']}").json() == story
    geo = client.get("/api/map").json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["properties"]["mention_count"] >= 1
    basemap = client.get("/api/basemap").json()
    assert len(basemap["features"]) > 150


def test_unknown_ids_are_404(client):
    for url in ("/api/documents/0000000000000000", "/api/entities/Enope", "/api/places/nowhere",
                "/api/stories/Snope"):
        r = client.get(url)
        assert r.status_code == 404 and r.json()["detail"].startswith("no "), url
    r = client.get("/api/documents/..%2F..%2Fetc%2Fpasswd")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    for url in ("/documents/0000000000000000", "/entities/Enope", "/places/nowhere", "/stories/Snope",
                "/places/nowhere/map.svg", "/no-such-page"):
        r = client.get(url)
        assert r.status_code == 404 and "Not found" in r.text, url


def test_bad_parameters_are_422_never_500(client):
    for url in ("/api/search?limit=0", "/api/search?limit=101", "/api/search?offset=-1", "/api/search?date_from=soon",
                "/api/search?q=" + "x" * 501, "/api/timeline?since=yesterday", "/api/timeline?kind=rumour",
                "/api/claims?min_figures=0", "/api/entities?limit=abc", "/documents/x?hl=1-",
                "/search?date_from=03/04/2024", "/timeline?since=abc", "/claims?offset=-5"):
        r = client.get(url)
        assert r.status_code == 422, url
        if url.startswith("/api/"):
            assert isinstance(r.json()["detail"], list)
        else:
            assert "Invalid request" in r.text
    weird = ["\x00", "'; DROP TABLE documents; --", "%", "_", "\\", "ü" * 100, '"', "(", "*", "a OR b", "NOT",
             "\u202e", "🙂", "<script>"]
    for q in weird:
        for url in ("/api/search", "/search", "/api/entities", "/api/claims", "/statements", "/entities"):
            params = {"subject" if "claims" in url else "q": q}
            assert client.get(url, params=params).status_code == 200, (url, q)
    for hl in ("0-999999999", "50-10", "999999-9999999"):
        atlas = _one(client, "/api/search?limit=1")
        assert client.get(f"/documents/{atlas['id']}?hl={hl}").status_code == 200


def test_openapi_describes_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/search", "/api/documents/{doc_id}", "/api/entities", "/api/entities/{entity_id}", "/api/places",
            "/api/places/{place_id}", "/api/statements", "/api/claims", "/api/stories", "/api/stories/{story_id}",
            "/api/timeline", "/api/basemap", "/api/map", "/api/ingest", "/api/events", "/api/events/{event_id}",
            "/api/events/map"} <= paths
    assert not any(p.startswith(("/documents", "/static")) for p in paths)  # pages are not API
    doc = spec["components"]["schemas"]["Document"]["properties"]
    assert {"id", "title", "source", "published", "text", "story_id", "entities", "places", "dates", "quotes",
            "figures"} <= set(doc)
    assert "404" in spec["paths"]["/api/documents/{doc_id}"]["get"]["responses"]


def test_static_svg_maps_work_without_javascript(client):
    places = client.get("/api/map").json()["features"]
    world = client.get("/map.svg")
    assert world.headers["content-type"].startswith("image/svg+xml")
    assert world.text.startswith("<svg") and world.text.count("<circle") == len(places) > 0
    assert world.text.count("<path") > 150  # country outlines
    here = client.get(f"/places/{places[0]['id']}/map.svg").text
    assert here.count('fill="#c2410c"') == 1  # the place itself, the others in grey
    assert '<img src="/map.svg"' in client.get("/map").text


# -- safety ----------------------------------------------------------------------------------------
def test_security_headers_on_every_response(client):
    atlas = _one(client, "/api/search?limit=1")
    for url in ("/", f"/documents/{atlas['id']}", "/api/search", "/static/app.css", "/no-such-page", "/map.svg",
                "/api/search?limit=0"):
        h = client.get(url).headers
        csp = h["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_style_or_handlers(client):
    atlas = _one(client, "/api/search?limit=1")
    hostile = _one(client, "/api/search?q=pwned")
    for url in ("/", "/search?q=pwned", f"/documents/{atlas['id']}", f"/documents/{hostile['id']}", "/claims",
                "/statements", "/timeline", "/map", "/stories", "/entities", "/docs", "/events"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert not re.search(r"<[a-z][^>]*\sstyle=", html, re.I), url
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html, re.I), url
    for path in WEB.joinpath("templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text) and "Markup" not in text, path.name


def test_hostile_article_is_shown_as_text(client):
    hits = client.get("/api/search?q=pwned").json()["items"]
    assert [h["title"] for h in hits] == [HOSTILE["title"]]
    doc_id = hits[0]["id"]
    assert client.get(f"/api/documents/{doc_id}").json()["text"] == HOSTILE["text"]
    for url in (f"/documents/{doc_id}", "/search?q=pwned", f"/documents/{doc_id}?hl=0-20"):
        html = client.get(url).text
        assert "window.__pwned" in html
        assert "<script>window.__pwned" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html, url
        assert "&lt;b&gt;bold&lt;/b&gt;" in html or url.startswith("/search"), url
    assert 'href="javascript:' not in client.get(f"/documents/{doc_id}").text


def test_ingest_is_disabled_by_default(client):
    r = client.post("/api/ingest", content=b"Some article text.", headers={"Authorization": "Bearer anything"})
    assert r.status_code == 403


def test_ingest_needs_the_token_and_then_serves_the_new_article(db_path, tmp_path):
    copy = str(tmp_path / "copy.duckdb")
    shutil.copy(db_path, copy)
    with pytest.raises(UsageError):
        create_app(copy, allow_ingest=True)
    c = TestClient(create_app(copy, allow_ingest=True, token="s3cret-token", max_body_bytes=20_000), base_url=LOCAL)
    article = json.dumps({"title": "Mechelen council meets", "source": "Test Wire", "published": "2024-04-01",
                          "text": "MECHELEN - The city council of Mechelen met on Monday to discuss returning "
                                  "fighters, the mayor's office said."}).encode()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"},
                    {"Authorization": "Bearer s3cret-tokenX"}):
        r = c.post("/api/ingest", content=article, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    good = {"Authorization": "Bearer s3cret-token", "Content-Type": "application/x-ndjson"}
    assert c.post("/api/ingest", content=b"x" * 20_001, headers=good).status_code == 413
    assert c.post("/api/ingest", content=b"  ", headers=good).status_code == 400
    r = c.post("/api/ingest", content=article, headers=good)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["new"] == 1 and not body["rejected"] and len(body["document_ids"]) == 1
    doc = c.get(f"/api/documents/{body['document_ids'][0]}").json()  # served at once: the snapshot was reloaded
    assert doc["title"] == "Mechelen council meets"


def test_path_traversal_reaches_no_file(client):
    for url in ("/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
                "/static/..%2f..%2f..%2fpyproject.toml", "/static/%2e%2e%2f%2e%2e%2fapp.py",
                "/static//etc/passwd", "/static/vendor/../../app.py", "/documents/..%2f..%2fetc%2fpasswd",
                "/places/..%2F..%2Fetc%2Fpasswd/map.svg"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "[project]" not in r.text and "root:" not in r.text and "create_app" not in r.text


def test_foreign_host_headers_are_refused(client):
    assert client.get("/api/search", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/search", headers={"Host": "localhost:8000"}).status_code == 200


def test_run_server_refuses_a_public_address(db_path):
    with pytest.raises(UsageError, match="refusing"):
        run_server(db_path, host="0.0.0.0", port=1)


# -- concurrency: serving while another process writes ----------------------------------------------
# A writer that commits one document (to the WAL) and keeps the file locked for a while.
_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("INSERT INTO documents (id, title, text, word_count, ingested_at) "
            "VALUES ('feedfacefeedface', 'Written while serving', 'Written while serving.', 3, now())")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold_lock(path: str, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, path, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _wait_for(check, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_keeps_serving_while_a_writer_holds_the_file(db_path, tmp_path):
    copy = str(tmp_path / "busy.duckdb")
    shutil.copy(db_path, copy)
    c = TestClient(create_app(copy, refresh_seconds=0.0), base_url=LOCAL)
    before = c.get("/api/search?limit=1").json()["total"]
    writer = _hold_lock(copy, 1.5)
    try:
        for _ in range(10):
            assert c.get("/api/search?limit=1").json()["total"] == before  # the snapshot answers
        assert _wait_for(lambda: c.get("/api/status").json()["writer_busy"])
        assert "is writing the database" in c.get("/").text
    finally:
        assert writer.wait(timeout=20) == 0
    assert _wait_for(lambda: c.get("/api/search?limit=1").json()["total"] == before + 1)
    assert c.get("/api/documents/feedfacefeedface").json()["title"] == "Written while serving"
    assert c.get("/api/status").json()["writer_busy"] is False


def test_a_locked_file_is_503_until_it_can_be_read(db_path, tmp_path):
    copy = str(tmp_path / "locked.duckdb")
    shutil.copy(db_path, copy)
    writer = _hold_lock(copy, 1.0)
    try:
        c = TestClient(create_app(copy, refresh_seconds=0.0), base_url=LOCAL)
        r = c.get("/api/search")
        assert r.status_code == 503 and r.headers["retry-after"] and "being written" in r.json()["detail"]
        page = c.get("/")
        assert page.status_code == 503 and "Database busy" in page.text
    finally:
        assert writer.wait(timeout=20) == 0
    assert _wait_for(lambda: c.get("/api/search").status_code == 200)


def test_missing_database_is_a_clear_error(tmp_path):
    from sitroom.errors import StoreError

    with pytest.raises(StoreError, match="does not exist"):
        create_app(str(tmp_path / "nothing.duckdb"))


# -- highlighting ----------------------------------------------------------------------------------
def test_overlapping_facts_become_flat_segments():
    text = "Officials said about 5,000 fighters fled Hajin."
    facts = [Fact("quo", 0, 47, "quote", css="hl-quote"), Fact("fig", 15, 26, "figure", css="hl-fig"),
             Fact("pla", 41, 46, "place", "/places/1", "hl-place"), Fact("ent", 41, 46, "entity", "/entities/E", "hl-ent"),
             Fact("dat", 30, 99, "outside the text"), Fact("ent", 5, 5, "empty")]
    segs = segments(text, facts)
    assert "".join(s.text for s in segs) == text
    by_text = {s.text: s for s in segs}
    assert by_text["about 5,000"].css == "hl-fig hl-quote" and by_text["about 5,000"].anchors == ("fig-15",)
    hajin = by_text["Hajin"]
    assert hajin.href == "/places/1" and hajin.anchors == ("pla-41", "ent-41")
    assert hajin.title.splitlines() == ["place", "entity", "quote"]
    assert [a for s in segs for a in s.anchors] == ["quo-0", "fig-15", "pla-41", "ent-41"]


def test_bm25_scores_are_duckdbs(db_path):
    """fulltext.BM25 gives match_bm25's scores, and ignores stop words and numbers in the query."""
    from sitroom.web.fulltext import BM25
    from sitroom.web.snapshot import load_snapshot

    snap = load_snapshot(db_path)
    assert snap.fts
    with snap.reader() as r:
        for q in ("fighters", "fighters border", "Europol spokesperson", "Mechelen mayor families"):
            ours = r.query(f"SELECT id, round(score, 9) AS s FROM ({BM25}) ORDER BY s DESC, id", [q])
            theirs = r.query("SELECT id, round(s, 9) AS s FROM (SELECT id, fts_main_documents.match_bm25(id, ?, "
                             "conjunctive := 1) AS s FROM documents) WHERE s IS NOT NULL ORDER BY s DESC, id", [q])
            assert ours and ours == theirs, q
        plain = r.query(f"SELECT id, score FROM ({BM25}) ORDER BY score DESC, id", ["fighters border"])
        assert r.query(f"SELECT id, score FROM ({BM25}) ORDER BY score DESC, id",
                       ["the 5,000 fighters at the border?"]) == plain


def test_timeline_is_the_cli_timeline(client, db_path):
    from sitroom.store.queries import timeline

    story = _one(client, "/api/stories")
    with Store(db_path, read_only=True) as store:
        whole, of_story = timeline(store, limit=10**9), timeline(store, story=story["id"], limit=10**9)
    assert _all(client, "/api/timeline") == json.loads(json.dumps(whole))
    assert _all(client, f"/api/timeline?story={story['id']}") == json.loads(json.dumps(of_story))
    assert client.get("/api/timeline?story=Snope").json()["total"] == 0


# -- events ----------------------------------------------------------------------------------------
def _disputed_event(client: TestClient) -> dict:
    """The Tal Afar checkpoint attack (examples/README.md): reports say nine and at least 12 dead."""
    found = [e for e in _all(client, "/api/events?disagree=true") if e["dead"] and e["dead"]["low"] == 9]
    assert found, "the disputed Tal Afar toll is not one event"
    return found[0]


def test_events_api_gives_the_export_records_paged_and_filtered(client, exported):
    everything = _all(client, "/api/events")
    extensions = {"lat", "lon", "day", "last_day", "mentions"}
    assert len(everything) == len(exported["events"]) > 10
    assert [{k: v for k, v in e.items() if k not in extensions} for e in everything] == exported["events"]
    first, second = (client.get(f"/api/events?limit=7&offset={o}").json() for o in (0, 7))
    assert first["total"] == second["total"] == len(everything)
    assert first["items"] + second["items"] == everything[:14]
    texts = {d["id"]: d["text"] for d in exported["documents"]}
    for e in everything:
        assert [m["id"] for m in e["mentions"]] == e["report_ids"] and len(e["mentions"]) == e["reports"]
        for m in e["mentions"]:
            text = texts[m["document_id"]]
            assert text[m["start"]:m["end"]] == m["text"] and m["event_id"] == e["id"]
            assert text[m["sentence_start"]:m["sentence_end"]] == m["sentence"]
    tal_afar = _disputed_event(client)
    assert tal_afar["dead"] == {"low": 9.0, "high": 12.0} and tal_afar["sources"] >= 2 and not tal_afar["agree"]
    assert client.get(f"/api/events/{tal_afar['id']}").json() == tal_afar
    assert client.get("/api/events/Vnope").status_code == 404

    def ids(url: str) -> set[str]:
        return {e["id"] for e in _all(client, url)}

    assaults = _all(client, "/api/events?type=ASSAULT")
    assert assaults and all(e["plover_type"] == "ASSAULT" for e in assaults)
    assert ids("/api/events?acled=Battles") == {e["id"] for e in everything if e["acled_event_type"] == "Battles"}
    iraq = _all(client, "/api/events?country=iq")
    assert iraq and all(e["country_code"] == "IQ" for e in iraq) and tal_afar["id"] in {e["id"] for e in iraq}
    assert ids(f"/api/events?place_id={tal_afar['place_id']}") == \
        {e["id"] for e in everything if e["place_id"] == tal_afar["place_id"]}
    later = _all(client, "/api/events?since=2024-03-17")
    assert later and all(e["last_day"] >= "2024-03-17" for e in later)
    assert ids("/api/events?since=2024-03-17") < ids("/api/events?since=2024-03")
    repeated = _all(client, "/api/events?min_reports=2")
    assert repeated and all(e["reports"] >= 2 for e in repeated)
    linked = next(e for e in everything if e["source_actor"] and e["source_actor"]["entity_id"])
    by_actor = _all(client, f"/api/events?actor={linked['source_actor']['entity_id']}")
    assert linked["id"] in {e["id"] for e in by_actor}
    assert ids(f"/api/events?actor={linked['source_actor']['name'].replace(' ', '+')}") == {e["id"] for e in by_actor}
    assert all(linked["source_actor"]["entity_id"] in {(e["source_actor"] or {}).get("entity_id"),
                                                       (e["target_actor"] or {}).get("entity_id")} for e in by_actor)
    story = _one(client, "/api/stories")
    assert ids(f"/api/events?story={story['id']}") == \
        {e["id"] for e in everything if set(e["document_ids"]) & set(story["document_ids"])}
    for url in ("/api/events?type=ASSULT", "/api/events?country=IRQ", "/api/events?since=soon",
                "/api/events?min_reports=0", "/api/events?limit=101", "/api/events/map?limit=0"):
        assert client.get(url).status_code == 422, url
    assert client.get("/api/events?since=2024-13").json()["total"] == 0
    located = client.get("/api/events/map?country=IQ").json()
    assert located["type"] == "FeatureCollection" and located["total"] == len(located["features"]) > 0
    assert {f["id"] for f in located["features"]} == {e["id"] for e in iraq if e["lat"] is not None}
    assert all(f["properties"]["kind"] == "event" for f in located["features"])


def exported_documents(client: TestClient) -> list[dict]:
    return [client.get(f"/api/documents/{d['id']}").json() for d in _all(client, "/api/search?q=")]


def test_events_page_map_and_document_highlights(client):
    tal_afar = _disputed_event(client)
    html = client.get("/events").text
    assert 'aria-current="page">Events' in html and 'data-map="events"' in html
    assert html.count('<li class="card event') == 20 and "reports disagree" in html
    one = client.get(f"/events?id={tal_afar['id']}").text
    assert one.count('<li class="card event') == 1 and 'class="card event disagree"' in one
    assert "<strong>9–12</strong> dead" in one and f'href="/places/{tal_afar["place_id"]}"' in one
    for m in tal_afar["mentions"]:
        assert f'href="/documents/{m["document_id"]}#evt-{m["start"]}"' in one
        assert f'<mark class="trigger">{e(m["text"])}</mark>' in one
    if tal_afar["target_actor"]:
        assert e(tal_afar["target_actor"]["name"]) in one
    filtered = client.get("/events?type=PROTEST&country=IQ").text
    assert "ASSAULT /" not in filtered.split('<p class="count">')[1] and "PROTEST" in filtered
    assert client.get("/events?type=RUMOUR").status_code == 422
    assert "Nothing matches" in client.get("/events?place=Atlantis").text
    svg = client.get("/events/map.svg?country=IQ").text
    assert svg.count('fill="#be123c"') == client.get("/api/events/map?country=IQ").json()["total"]
    # In its article every mention is highlighted; a mention that is not asserted is marked as such.
    doc = client.get(f"/api/documents/{tal_afar['document_id']}").json()
    page = client.get(f"/documents/{doc['id']}").text
    assert doc["events"] and all(f'id="evt-{x["start"]}"' in page for x in doc["events"])
    assert f'href="/events?id={tal_afar["id"]}"' in page
    unreal = [(d["id"], x) for d in exported_documents(client) for x in d["events"] if x["factuality"] != "asserted"]
    assert unreal
    doc_id, x = unreal[0]
    page = client.get(f"/documents/{doc_id}").text
    assert re.search(rf'class="hl hl-event ev-{x["factuality"]}[^"]*"[^>]*data-f="[^"]*evt-{x["start"]}', page)
    assert f'<span class="badge fact-{x["factuality"]}">' in page and x["event_id"] is None
    assert "/api/events" in client.get("/docs").text and "EventReport" in client.get("/docs").text
