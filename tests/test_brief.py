"""The briefing (sitroom.brief): content, sourcing, scope filters, safety, on real ingested stores."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitroom.brief import amount, build_brief, evidence, render_brief, write_brief, _md_escape
from sitroom.errors import NotFound, UsageError
from sitroom.pipeline import ingest
from sitroom.settings import Config
from sitroom.store.database import Store
from sitroom.store.export import statement_records, story_records

from conftest import EXAMPLE_ARTICLES, EXAMPLES

HOSTILE_TITLE = "<script>alert('title')</script> Mayor <img src=x onerror=alert(1)> warns"
HOSTILE_TEXT = (
    "BRUSSELS, March 12 - Mayor Pieter Vanlaere said on Tuesday that about 300 <script>alert('text')</script> "
    "families in Mechelen were still waiting for news from Syria.\n\n"
    "\"We want names <img src=x onerror=alert(2)> and numbers now,\" Vanlaere told reporters in Brussels.")


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("brief") / "examples.duckdb")
    report = ingest([str(EXAMPLES)], Config.load(db=path))
    assert report.new == EXAMPLE_ARTICLES
    return path


@pytest.fixture(scope="module")
def store(examples_db):
    with Store(examples_db, read_only=True) as s:
        yield s


@pytest.fixture(scope="module")
def whole(store):
    brief = build_brief(store)
    html, md = render_brief(store)
    return brief, html, md


class Page(HTMLParser):
    """Tags, attributes, ids and visible text of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}

    @property
    def hrefs(self) -> list[str]:
        return [a["href"] for _, a in self.tags if "href" in a]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def test_writes_html_and_markdown_by_suffix(store, tmp_path):
    html = write_brief(store, tmp_path / "brief.html")
    md = write_brief(store, tmp_path / "brief.md")
    assert html["format"] == "html" and md["format"] == "md"
    assert (tmp_path / "brief.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "brief.md").read_text(encoding="utf-8").startswith("# Situation briefing")
    assert html["articles"] == EXAMPLE_ARTICLES and html["sources"] > 20
    with pytest.raises(UsageError):
        write_brief(store, tmp_path / "brief.pdf")


def test_top_story_actors_and_statement_with_article_count(store, whole):
    brief, html, md = whole
    top = story_records(store)[0]
    assert brief.stories[0].title == top["title"] and brief.stories[0].articles == len(top["document_ids"])
    text = Page(html).plain
    assert top["title"] in text and top["title"] in md.replace("\\", "")
    assert {"Ingrid Maassen", "Nawfal al-Zubaidi"} <= {a.name for a in brief.actors}
    maassen = next(a for a in brief.actors if a.name == "Ingrid Maassen")
    assert any("counter-terrorism coordinator" in role for role, _ in maassen.roles)
    record = next(s for s in statement_records(store) if s["speaker"] == "Ingrid Maassen")
    carried = len({q["document_id"] for q in record["quotes"]})
    assert carried >= 3
    shown = next(s for s in brief.statements if s.speaker == "Ingrid Maassen" and s.text == record["text"])
    assert shown.articles == carried and len(shown.carriers) == carried
    assert re.search(rf"Ingrid Maassen · carried by {carried} articles", text)
    assert f"**Ingrid Maassen** · carried by **{carried} articles**" in md


def test_disagreeing_claim_shows_low_high_and_each_sourced_figure(whole):
    brief, html, md = whole
    fighters = next(c for c in brief.claims if "fighters" in c.subject and not c.agree)
    low, high = fighters.range.split("–")
    assert float(low.replace(",", "")) < float(high.replace(",", ""))
    assert len({f.source for f in fighters.figures}) >= 3
    rows = re.findall(r'<tr class="disagree">(.*?)</tr>', html, re.S)
    assert any(fighters.range in r and r.count('class="ref"') == len(fighters.figures) for r in rows)
    assert brief.claims[0].agree is False  # disagreements lead the table
    assert f"**{fighters.range}**" in md and "**DISAGREE**" in md


def test_map_is_inline_svg_with_circles_over_country_outlines(whole):
    brief, html, _ = whole
    figure = re.search(r'<figure class="map">(.*?)</figure>', html, re.S).group(1)
    assert figure.count("<circle") == len(brief.map.circles) >= 5
    assert figure.count("<path d=") >= 10
    names = {c["place"].name for c in brief.map.circles}
    assert {"Iraq", "Syria", "Brussels"} <= names
    radius = {c["place"].name: c["r"] for c in brief.map.circles}
    assert radius["Iraq"] > radius["Brussels"]  # sized by mentions
    assert all(0 <= c["x"] <= brief.map.width and 0 <= c["y"] <= brief.map.height for c in brief.map.circles)


def test_timeline_chart_and_list(whole):
    brief, html, md = whole
    chart = re.search(r'<figure class="chart">(.*?)</figure>', html, re.S).group(1)
    assert chart.count("<circle") == len(brief.chart.dots) > 5
    dates = [d for d, _ in brief.timeline]
    assert dates == sorted(dates) and "2024-03-12" in dates
    assert brief.timeline_total >= sum(len(e) for _, e in brief.timeline)
    assert '<dt id="tl-2024-03-12">12 Mar 2024</dt>' in html and "**12 Mar 2024**" in md


def test_every_link_resolves_and_every_source_is_cited(whole):
    brief, html, md = whole
    page = Page(html)
    hrefs = page.hrefs
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert {h[1:] for h in hrefs} <= page.ids
    sources = {i for i in page.ids if i.startswith("src-")}
    assert sources == {h[1:] for h in hrefs if h.startswith("#src-")} == {s.ref.anchor for s in brief.sources}
    used = set(re.findall(r"\[\^(\d+)\](?!:)", md))
    defined = set(re.findall(r"^\[\^(\d+)\]:", md, re.M))
    assert used == defined and defined <= {str(s.ref.n) for s in brief.sources}
    assert len(defined) > 0.6 * len(brief.sources)


def test_source_sentences_highlight_the_cited_fact(store, whole):
    brief, _, _ = whole
    texts = {r["id"]: r["text"] for r in store.query("SELECT id, text FROM documents")}
    for s in brief.sources:
        sentence = s.before + s.fact + s.after
        assert sentence and " ".join(texts[s.document_id][s.start:s.end].split()) == s.fact
        assert s.title and s.source and s.published


def test_html_is_self_contained_and_print_ready(whole):
    _, html, _ = whole
    page = Page(html)
    assert not any(tag in ("script", "img", "link", "iframe", "object", "embed") for tag, _ in page.tags)
    assert not any("src" in attrs for _, attrs in page.tags)
    assert "url(" not in html and "@import" not in html
    without_urls = re.sub(r'<span class="url">[^<]*</span>', "", html)
    assert "http://" not in without_urls and "https://" not in without_urls
    assert "https://example.org/atlas-wire/" in html  # shown as text, never fetched
    assert "default-src 'none'" in html
    assert "@media print" in html and "size: A4" in html


def test_story_filter_narrows_to_one_story(store, whole):
    brief_all = whole[0]
    top, other = story_records(store)[0], story_records(store)[-1]
    brief = build_brief(store, story=top["id"][:6])
    assert set(brief.scope.documents) == set(top["document_ids"]) < set(brief_all.scope.documents)
    assert [s.id for s in brief.stories] == [top["id"]]
    assert brief.scope.title.endswith(top["title"])
    assert {s.document_id for s in brief.sources} <= set(top["document_ids"])
    assert other["title"] not in Page(render_brief(store, story=top["id"])[0]).plain
    with pytest.raises(NotFound):
        build_brief(store, story="Snope")
    with pytest.raises(UsageError):
        build_brief(store, story="S")  # a prefix of every story


def test_since_filter_keeps_later_articles_and_items(store, whole):
    brief = build_brief(store, since="2024-03-15")
    docs = brief.scope.documents
    assert 0 < len(docs) < len(whole[0].scope.documents)
    assert all(d["published"] >= "2024-03-15" for d in docs.values())
    assert {s.document_id for s in brief.sources} <= set(docs)
    assert all(value >= "2024-03-15" for value, _ in brief.timeline)
    maassen = [s for s in brief.statements if s.speaker == "Ingrid Maassen"]
    assert maassen and all(s.first >= "2024-03-15" for s in maassen)
    with pytest.raises(UsageError):
        build_brief(store, since="last week")


def test_hostile_article_text_is_escaped_everywhere(tmp_path):
    path = tmp_path / "hostile.jsonl"
    lines = [{"title": HOSTILE_TITLE, "text": HOSTILE_TEXT, "published": "2024-03-12",
              "source": "Evil <b onmouseover=alert(3)>Wire</b>", "url": "javascript:alert(4)"},
             {"title": HOSTILE_TITLE + " again", "text": HOSTILE_TEXT.replace("Tuesday", "Tuesday evening"),
              "published": "2024-03-13", "source": "Other <i>Wire</i>"}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    db = str(tmp_path / "hostile.duckdb")
    assert ingest([str(path)], Config.load(db=db)).new == 2
    with Store(db, read_only=True) as s:
        html, md = render_brief(s)
    page = Page(html)
    assert not any(tag in ("script", "img", "b", "i") for tag, _ in page.tags)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert all(h.startswith("#") for h in page.hrefs)
    assert "&lt;script&gt;" in html and "onerror=alert(2)" in html  # shown as text, not dropped
    assert "<script" not in md.lower() and "<img" not in md and "<b " not in md
    assert "&lt;script&gt;" in md
    assert "javascript:alert(4)" in Page(html).plain  # the address as text only


def test_empty_database_gives_a_short_clear_briefing(tmp_path):
    with Store(tmp_path / "empty.duckdb") as s:
        html = write_brief(s, tmp_path / "brief.html")
        md = write_brief(s, tmp_path / "brief.md")
    assert html["articles"] == 0 and md["sources"] == 0
    text = Page((tmp_path / "brief.html").read_text(encoding="utf-8")).plain
    assert "holds no articles yet" in text and "sitroom ingest" in text
    assert "holds no articles yet" in (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert html["bytes"] < 20_000


def test_evidence_splits_the_sentence_around_the_fact():
    text = "First sentence here. Iraq said about  5,000 fighters fled. Last one.\nNext paragraph."
    start = text.index("about")
    assert evidence(text, start, start + len("about  5,000")) == ("Iraq said ", "about 5,000", " fighters fled.")
    start = text.index("Last")
    assert evidence(text, start, start + 4) == ("", "Last", " one.")
    assert evidence(text, 0, 0) == ("", "", "First sentence here.")


def test_amount_and_markdown_escaping():
    assert amount(3000, 7500, None) == "3,000–7,500"
    assert amount(12e6, 12e6, "EUR") == "€12 million"
    assert amount(13e6, 18e6, "EUR") == "€13–18 million"
    assert amount(20, 20, "%") == "20%"
    escaped = _md_escape("a | b <script>*x*</script> [link](y)")
    assert "<" not in escaped and r"\|" in escaped and r"\*x\*" in escaped and r"\[link\]" in escaped
    assert unescape(escaped.replace("\\", "")) == "a | b <script>*x*</script> [link](y)"


def test_events_section_cites_each_report_and_flags_the_disputed_toll(store, whole):
    brief, html, md = whole
    assert brief.events and brief.events_total >= len(brief.events)
    days = [e.day for e in brief.events]
    assert days == sorted(days)  # listed in date order
    tal_afar = next(e for e in brief.events if e.place == "Tall ‘Afar" and not e.agree)
    dead = next(c for c in tal_afar.counts if c.label == "dead")
    assert dead.range == "9–12" and not dead.agree and tal_afar.sources >= 2
    sources = {s.ref.n: s for s in brief.sources}
    said = {sources[f.ref.n].fact for f in dead.figures}
    assert {"Nine", "at least 12"} <= said  # each report's figure cited to its sentence
    assert all(sources[r.n].fact for _, r in tal_afar.refs)  # the triggers ("attacked", "stormed")
    section = re.search(r'<section id="events">(.*?)</section>', html, re.S).group(1)
    row = re.search(rf'<tr id="ev-{tal_afar.id}" class="disagree">(.*?)</tr>', section, re.S).group(1)
    assert "9–12" in row and "⚑" in row and row.count('class="ref"') == len(tal_afar.refs) + len(dead.figures)
    assert section.count("<tr id=\"ev-") == len(brief.events)
    md_section = md.split("## Events")[1].split("## Key actors")[0]
    assert "9–12 dead **⚑ DISAGREE**" in md_section and md_section.count("\n| ") == len(brief.events) + 1
    # On the map: one diamond per place with events; on the timeline: a lane and listed items.
    figure = re.search(r'<figure class="map">(.*?)</figure>', html, re.S).group(1)
    assert figure.count('class="event"') == len(brief.map.events) >= 3
    assert any(m["event"] is tal_afar and m["event"].href == f"#ev-{tal_afar.id}" for m in brief.map.events)
    lanes = {lane["kind"]: lane["count"] for lane in brief.chart.lanes}
    assert lanes["event"] == brief.events_total and lanes["date"] > 0
    listed = [e for _, entries in brief.timeline for e in entries if e.kind == "event"]
    assert any("9–12 dead" in e.fact and "reports disagree" in e.fact for e in listed)
    assert "**Most reported event" not in md and "Most reported event:" in md


def test_events_in_a_narrower_scope_count_only_its_reports(store, whole):
    brief = build_brief(store, since="2024-03-18")
    docs = brief.scope.documents
    for e in brief.events:
        assert all(doc in docs for _, doc, _, _ in e.triggers) and e.reports == len(e.triggers)
    disputed = next(e for e in whole[0].events if e.place == "Tall ‘Afar" and not e.agree)
    tal_afar = next(e for e in brief.events if e.id == disputed.id)
    assert tal_afar.reports < disputed.reports
    assert tal_afar.counts[0].range == "9" and tal_afar.agree  # the 17 March report with "at least 12" is out
