"""End to end through the CLI: ingest, idempotence, bad input, export contract."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from typer.testing import CliRunner

from sitroom.cli import app
from sitroom.store.database import Store
from sitroom.store.export import export_schema

from conftest import EXAMPLES

runner = CliRunner()


def invoke(*args: str, input: bytes | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def export(db: str) -> dict:
    result = invoke("export", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_spans_slice(data: dict) -> None:
    for d in data["documents"]:
        for kind in ("entities", "places", "dates", "quotes", "figures"):
            for span in d[kind]:
                assert d["text"][span["start"]:span["end"]] == span["text"], (kind, span)
    texts = {d["id"]: d["text"] for d in data["documents"]}
    for e in data["entities"]:
        for r in e["roles"]:
            assert texts[r["document_id"]][r["start"]:r["end"]] == r["text"]


def test_seeds_ingest_export_and_reingest(seeds, db):
    result = invoke("ingest", str(seeds), "--db", db, "-q")
    assert result.exit_code == 0, result.output
    assert "5 new" in result.stdout
    data = export(db)
    jsonschema.validate(data, export_schema())
    assert len(data["documents"]) == 5
    assert_spans_slice(data)
    by_name = {d["path"].rsplit("/", 1)[-1][:3]: d for d in data["documents"]}
    assert by_name["000"]["published"] == "2016-10-19"
    assert by_name["004"]["published"] == "2021-06-28"
    assert by_name["004"]["author"] == "Tilmann Kleinjung"
    assert by_name["003"]["source"] == "Daily Star"
    # Entities: within-document resolution and roles.
    ents = {e["name"]: e for e in data["entities"]}
    assert "Gilles de Kerchove" in ents and "De Kerchove" in ents["Gilles de Kerchove"]["aliases"]
    assert ents["Julian King"]["document_count"] == 2
    assert any(r["role"] == "mayor of Vilvoorde" for r in ents["Hans Bonte"]["roles"])
    assert {"ISIS", "Islamic State of Iraq and the Levant"} <= set(ents["Islamic State"]["aliases"])
    # Dates anchored on the publication date.
    dates = {(x["text"], x["value"]) for x in by_name["000"]["dates"]}
    assert ("Tuesday", "2016-10-18") in dates
    # A second ingest adds nothing and says so.
    again = invoke("ingest", str(seeds), "--db", db, "-q")
    assert again.exit_code == 0
    assert "0 new, 5 unchanged" in again.stdout
    assert export(db) == data


def test_same_article_under_two_paths_is_stored_once(seeds, tmp_path, db):
    src = sorted(seeds.glob("*.txt"))[3]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(src, tmp_path / "a" / "one.txt")
    shutil.copy(src, tmp_path / "b" / "copy.txt")
    result = invoke("ingest", str(tmp_path / "a"), str(tmp_path / "b"), "--db", db, "-q")
    assert result.exit_code == 0
    data = export(db)
    assert len(data["documents"]) == 1
    assert sorted(p.rsplit("/", 1)[-1] for p in data["documents"][0]["paths"]) == ["copy.txt", "one.txt"]
    forced = invoke("ingest", str(tmp_path / "a"), "--db", db, "--force", "-q")
    assert "1 new" in forced.stdout
    assert export(db) == data


def test_bad_inputs_are_rejected_and_the_rest_stored(tmp_path, db):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Mayor warns of returnees\n\nThe mayor of Mechelen said on Monday "
                                     "that 12 residents had come back.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "latin1.txt").write_bytes("Caf\xe9 owners in Li\xe8ge\n\nThe caf\xe9 closed early.\n".encode("latin-1"))
    (folder / "notitle.txt").write_text("Only one line of text here, with no title above it at all and no "
                                        "other structure in the file.\n", encoding="utf-8")
    result = invoke("ingest", str(folder), "--db", db, "-q")
    assert result.exit_code == 1
    assert "rejected" in result.output
    with Store(db, read_only=True) as store:
        rej = {r["path"].rsplit("/", 1)[-1]: r for r in store.query("SELECT * FROM rejections")}
        docs = store.query("SELECT title, text, repairs FROM documents ORDER BY title")
    assert set(rej) == {"empty.txt", "image.txt"}
    assert all("\n" not in r["reason"] for r in rej.values())
    titles = {d["title"] for d in docs}
    assert "Mayor warns of returnees" in titles
    latin = next(d for d in docs if "café" in d["text"])
    assert "encoding" in latin["repairs"]
    listing = invoke("rejections", "--db", db)
    assert "image.txt" in listing.stdout


def test_stdin_ingest(db):
    text = "Europol warns of returnees\n\nEuropol said on Friday that hundreds of fighters had returned.\n"
    result = invoke("ingest", "-", "--db", db, "-q", input=text.encode())
    assert result.exit_code == 0, result.output
    data = export(db)
    assert data["documents"][0]["title"] == "Europol warns of returnees"


def test_examples_ingest_and_validate(db):
    if not any(EXAMPLES.rglob("*.txt")):
        pytest.fail("examples/ has no articles")
    result = invoke("ingest", str(EXAMPLES), "--db", db, "-q")
    assert result.exit_code == 0, result.output
    data = export(db)
    jsonschema.validate(data, export_schema())
    assert len(data["documents"]) >= 8
    assert_spans_slice(data)
    assert all(d["published"] for d in data["documents"])


def test_errors_are_one_line_with_exit_codes(tmp_path):
    missing = invoke("export", "--db", str(tmp_path / "nope.duckdb"))
    assert missing.exit_code == 1
    assert missing.output.strip().count("\n") == 0 and "does not exist" in missing.output
    usage = runner.invoke(app, ["export", "--format"])
    assert usage.exit_code == 2
    bad_format = invoke("export", "--db", str(tmp_path / "nope.duckdb"), "--format", "xml")
    assert bad_format.exit_code in (1, 2)
    bad_setting = invoke("ingest", str(tmp_path), "--db", str(tmp_path / "x.duckdb"), "--batch-size", "0")
    assert bad_setting.exit_code == 2 and "batch_size" in bad_setting.output


def test_csv_and_parquet_exports(seeds, db, tmp_path):
    invoke("ingest", str(seeds), "--db", db, "-q")
    for fmt in ("csv", "parquet"):
        out = tmp_path / fmt
        result = invoke("export", "--db", db, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.output
        assert (out / f"mentions.{fmt}").stat().st_size > 0
    import duckdb

    n = duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'parquet' / 'documents.parquet'}'").fetchone()[0]
    assert n == 5


def test_doc_and_stats_commands(seeds, db):
    invoke("ingest", str(seeds), "--db", db, "-q")
    doc_id = export(db)["documents"][0]["id"]
    shown = invoke("doc", doc_id[:8], "--db", db)
    assert shown.exit_code == 0 and "entity mentions" in shown.stdout
    stats = invoke("stats", "--db", db)
    assert stats.exit_code == 0 and "documents" in stats.stdout
    unknown = invoke("doc", "ffffffffffff", "--db", db)
    assert unknown.exit_code == 1


def test_places_are_resolved_exported_and_listed(seeds, db, tmp_path):
    invoke("ingest", str(seeds), "--db", db, "-q")
    data = export(db)
    ids = {p["name"]: p for p in data["places"]}
    assert ids["Mosul"]["country_code"] == "IQ"
    assert any("Raqq" in p["name"] and p["country_code"] == "SY" for p in data["places"])
    assert not any(p["name"] in ("West", "Western") for p in data["places"])
    geo = tmp_path / "places.geojson"
    assert invoke("export", "--db", db, "--format", "geojson", "-o", str(geo)).exit_code == 0
    fc = json.loads(geo.read_text())
    assert fc["type"] == "FeatureCollection" and fc["features"]
    assert all(-180 <= f["geometry"]["coordinates"][0] <= 180 for f in fc["features"])
    listed = invoke("places", "--db", db, "--country", "SY")
    assert listed.exit_code == 0 and "Syria" in listed.stdout
