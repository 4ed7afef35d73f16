"""Events through their readers: `sitroom events` and every export format, on a real ingest of the
three Tal Afar example articles (one attack reported by two outlets with different tolls, the
arrest of six suspects, a protest dispersed with tear gas and a minister's condemnation)."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.store.events import ACLED_COLUMNS, date_span, day_of
from sitroom.store.export import export_schema

from conftest import EXAMPLES

ARTICLES = sorted((EXAMPLES / "txt").glob("2024-03-1[789]_*tal-afar*.txt"))


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    assert len(ARTICLES) == 3, ARTICLES
    path = str(tmp_path_factory.mktemp("events") / "events.duckdb")
    result = invoke("ingest", *map(str, ARTICLES), "--db", path, "-q")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def exported(db) -> dict:
    result = invoke("export", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _attack(records: list[dict], low_key, high_key) -> dict:
    """The checkpoint attack: the event whose death toll runs from nine to twelve."""
    found = [r for r in records if low_key(r) == 9 and high_key(r) == 12]
    assert len(found) == 1, [r.get("id") for r in records]
    return found[0]


def test_the_events_command_lists_events_with_ranges_and_evidence(db):
    result = invoke("events", "--db", db)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "9–12 dead ≠" in out and "reports give different numbers" in out
    assert "Tall ‘Afar (IQ)" in out and "6 arrested" in out
    assert "from 2 sources" in out and "The Tigris Dispatch, 2024-03-17:" in out
    assert "Protest with intervention" in out
    dates = [line.split(" ")[0].lstrip("~") for line in result.stdout.splitlines() if line[:1] in "2~"]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_type_actor_place_country_and_since_filter(db):
    arrests = " ".join(invoke("events", "--db", db, "--type", "arrest").stdout.split())
    assert "6 arrested" in arrests and "ASSAULT" not in arrests and "PROTEST" not in arrests
    battles = " ".join(invoke("events", "--db", db, "--type", "BATTLES").stdout.split())
    assert "9–12 dead" in battles and "Arrests" not in battles
    protests = invoke("events", "--db", db, "--type", "protest").stdout
    assert "Protest with intervention" in protests and "COERCE" not in protests
    minister = " ".join(invoke("events", "--db", db, "--actor", "annelies verhoeven").stdout.split())
    assert "DISAPPROVE" in minister and "condemned" in minister and "ASSAULT" not in minister
    assert invoke("events", "--db", db, "--actor", "Nobody Atall").stdout.strip() == "no events"
    at = " ".join(invoke("events", "--db", db, "--place", "Tal Afar", "--type", "assault").stdout.split())
    assert "9–12 dead" in at
    iraq = invoke("events", "--db", db, "--country", "IRQ").stdout
    assert "(IQ)" in iraq and "(BE)" not in iraq
    later = " ".join(invoke("events", "--db", db, "--since", "2024-03-17").stdout.split())
    assert "9–12 dead" not in later and "6 arrested" in later and "Protest with intervention" in later
    assert invoke("events", "--db", db, "--since", "2030-01-01").stdout.strip() == "no events"


def test_all_adds_unreal_mentions_flagged(db, exported):
    unreal = [e for d in exported["documents"] for e in d["events"] if e["factuality"] != "asserted"]
    listed = invoke("events", "--db", db, "--all", "--limit", "500").stdout
    for e in unreal:
        assert e["id"] in " ".join(listed.split()).replace(" ", "") or e["id"] in listed
        assert e["factuality"].upper() in listed
    assert all(e["event_id"] is None for e in unreal)


def test_json_export_carries_both_views_of_events(exported):
    jsonschema.validate(exported, export_schema())
    by_doc = {d["id"]: d for d in exported["documents"]}
    mentions = {}
    for d in exported["documents"]:
        text = d["text"]
        assert d["events"], d["title"]
        for e in d["events"]:
            assert text[e["start"]:e["end"]] == e["text"]
            assert e["sentence_start"] <= e["start"] < e["end"] <= e["sentence_end"]
            for side in ("source_actor", "target_actor"):
                a = e[side]
                if a and a["start"] is not None:
                    assert text[a["start"]:a["end"]] == a["text"]
            for kind in ("dead", "injured", "arrested", "size"):
                if e[kind]:
                    assert text[e[kind]["start"]:e[kind]["end"]] == e[kind]["text"]
            assert (e["event_id"] is None) == (e["factuality"] != "asserted")
            mentions[e["id"]] = e
    events = exported["events"]
    assert sorted(e["id"] for e in events) == sorted({m["event_id"] for m in mentions.values() if m["event_id"]})
    for ev in events:
        assert all(mentions[r]["event_id"] == ev["id"] for r in ev["report_ids"])
        first = mentions[ev["report_ids"][0]]
        assert (ev["document_id"], ev["start"], ev["end"]) == (first["id"].split(":")[0], first["start"], first["end"])
        assert by_doc[ev["document_id"]]["text"][ev["start"]:ev["end"]] == ev["text"]
    attack = _attack(events, lambda e: (e["dead"] or {}).get("low"), lambda e: (e["dead"] or {}).get("high"))
    assert attack["plover_type"] == "ASSAULT" and attack["agree"] is False and attack["sources"] >= 2
    assert attack["country_code"] == "IQ" and len(attack["document_ids"]) >= 2
    arrest = [e for e in events if e["arrested"] and e["arrested"]["low"] == 6]
    assert len(arrest) == 1 and arrest[0]["acled_sub_event_type"] == "Arrests" and arrest[0]["agree"]


def test_jsonl_csv_and_parquet_carry_the_events(db, exported, tmp_path):
    lines = invoke("export", "--db", db, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x)["events"] for x in lines] == [d["events"] for d in exported["documents"]]
    n_mentions = sum(len(d["events"]) for d in exported["documents"])
    for fmt in ("csv", "parquet"):
        folder = tmp_path / fmt
        assert invoke("export", "--db", db, "--format", fmt, "-o", str(folder)).exit_code == 0
    with open(tmp_path / "csv" / "events.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(exported["events"]) and {"dead_low", "dead_high", "agree", "reports"} <= set(rows[0])
    import duckdb

    got = duckdb.sql(f"SELECT count(*), count(event_id) FROM '{tmp_path / 'parquet' / 'event_mentions.parquet'}'")
    total, linked = got.fetchone()
    assert total == n_mentions and linked == sum(len(e["report_ids"]) for e in exported["events"])


def test_geojson_has_places_and_events(db, exported):
    fc = json.loads(invoke("export", "--db", db, "--format", "geojson").stdout)
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert kinds == {"place", "event"}
    events = [f for f in fc["features"] if f["properties"]["kind"] == "event"]
    assert {f["id"] for f in events} <= {e["id"] for e in exported["events"]}
    attack = _attack(events, lambda f: f["properties"]["dead_low"], lambda f: f["properties"]["dead_high"])
    lon, lat = attack["geometry"]["coordinates"]
    assert 42 < lon < 43 and 36 < lat < 37  # Tal Afar
    assert attack["properties"]["agree"] is False and attack["properties"]["reports"] >= 2


def test_acled_csv_uses_acled_columns_and_the_conservative_toll(db, exported, tmp_path):
    out = tmp_path / "acled.csv"
    result = invoke("export", "--db", db, "--format", "acled", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == ACLED_COLUMNS
    assert all(r["event_type"] and r["sub_event_type"] for r in rows)  # only what ACLED codes
    assert len(rows) == sum(1 for e in exported["events"] if e["acled_event_type"])
    attack_id = _attack(exported["events"], lambda e: (e["dead"] or {}).get("low"),
                        lambda e: (e["dead"] or {}).get("high"))["id"]
    a = next(r for r in rows if r["event_id_cnty"] == attack_id)
    assert a["fatalities"] == "9" and a["event_type"] in ("Battles", "Violence against civilians")
    assert (a["event_date"], a["year"], a["time_precision"]) == ("2024-03-16", "2024", "1")
    assert (a["country"], a["iso"], a["admin1"]) == ("Iraq", "368", "Ninawa")
    assert "Afar" in a["location"] and a["geo_precision"] == "1" and float(a["latitude"]) > 36
    assert "The Tigris Dispatch" in a["source"] and "Crescent Wire" in a["source"]
    assert "checkpoint" in a["notes"]
    protest = [r for r in rows if r["sub_event_type"] == "Protest with intervention"]
    assert protest and protest[0]["actor1"].startswith("Protesters") and protest[0]["fatalities"] == "0"


def test_plover_records(db, exported):
    records = json.loads(invoke("export", "--db", db, "--format", "plover").stdout)
    assert sorted(r["id"] for r in records) == sorted(e["id"] for e in exported["events"])
    for r in records:
        assert {"id", "date", "actor", "recipient", "event", "mode", "context", "event_loc", "text", "text_info",
                "size", "cite_info"} <= set(r)
        assert isinstance(r["actor"], list) and isinstance(r["context"], list)
        assert r["quad_code"] in (1, 2, 3, 4)
    attack = _attack(records, lambda r: (r["size"]["ranges"].get("dead") or [None])[0],
                     lambda r: (r["size"]["ranges"].get("dead") or [None, None])[1])
    assert attack["event"] == "ASSAULT" and attack["size"]["dead"] == 9 and attack["date"] == "2024-03-16"
    assert attack["event_loc"]["geonameid"] == 90393 and attack["event_loc"]["cc3"] == "IRQ"
    assert attack["cite_info"]["publication"] == "The Tigris Dispatch" and "checkpoint" in attack["text"]
    doc = {d["id"]: d["text"] for d in exported["documents"]}[attack["text_info"]["document_id"]]
    assert doc[attack["text_info"]["start"]:attack["text_info"]["end"]] == attack["event_text"][0]


def test_date_spans():
    assert date_span("2024-03-16") == ("2024-03-16", "2024-03-16", "day")
    assert date_span("2024-02") == ("2024-02-01", "2024-02-29", "month")
    assert date_span("2024-W11") == ("2024-03-11", "2024-03-17", "week")
    assert date_span("2024-W11-WE")[:2] == ("2024-03-16", "2024-03-17")
    assert date_span("2015") == ("2015-01-01", "2015-12-31", "year")
    assert date_span("PRESENT_REF", "2024-03-18") == ("2024-03-18", "2024-03-18", "week")
    assert day_of("P3Y") == (None, None) and day_of("2024-13") == (None, None)
