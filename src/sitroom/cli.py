"""The ``sitroom`` command line.  It only parses arguments, calls the library and prints.

Errors print one line (``error: ...``) with no traceback; exit codes: 2 usage, 1 failure or
some inputs rejected, 0 otherwise.
"""

from __future__ import annotations

import sys
import time
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .errors import SitroomError, UsageError
from .settings import Config

app = typer.Typer(
    name="sitroom",
    help="Turn a pile of news articles into a sourced, queryable picture of a situation, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DB_OPTION = typer.Option(None, "--db", help="DuckDB file (default: sitroom.duckdb, or $SITROOM_DB).")


def _fail(exc: SitroomError) -> typer.Exit:
    err.print(f"[bold red]error[/]: {exc}", markup=True, soft_wrap=True)
    return typer.Exit(exc.exit_code)


def _version(value: bool) -> None:
    if value:
        out.print(f"sitroom {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """sitroom: a sourced knowledge base of a developing situation, built from news articles."""


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files or folders (.txt, .html, .jsonl; folders recursively); - for stdin."),
    db: Optional[str] = DB_OPTION,
    force: bool = typer.Option(False, "--force", help="Re-process articles that are already stored."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="Articles per spaCy batch and per transaction (default 64)."),
    n_process: Optional[int] = typer.Option(None, "--n-process", help="spaCy worker processes (default 1)."),
    max_article_bytes: Optional[int] = typer.Option(None, "--max-article-bytes", help="Reject inputs larger than this (default 10,000,000)."),
    alias_file: Optional[str] = typer.Option(None, "--alias-file", help="Extra alias file (TSV), see docs/aliases.md."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; only the summary."),
    no_link: bool = typer.Option(False, "--no-link", help="Skip the cross-document pass (run `sitroom link` later)."),
    dask: Optional[str] = typer.Option(None, "--dask", metavar="ADDRESS",
                                       help="Parse on Dask: local:N (N worker processes on 127.0.0.1) or tcp://SCHEDULER:8786."),
    shards: Optional[str] = typer.Option(None, "--shards", help="With --dask: folder for the workers' Parquet shards "
                                         "(default DB.shards; must be shared with remote workers)."),
    keep_shards: bool = typer.Option(False, "--keep-shards",
                                     help="With --dask: keep the shard sets after merging them (for `sitroom merge` elsewhere)."),
) -> None:
    """Read articles, extract facts with offsets, store them (idempotent), then link them across documents."""
    from .pipeline import ingest as run_ingest
    from .read import count_inputs

    try:
        cfg = Config.load(db=db, batch_size=batch_size, n_process=n_process,
                          max_article_bytes=max_article_bytes, alias_file=alias_file)
        total = count_inputs(paths)
        started = time.perf_counter()
        progress = Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>7} docs/s"), TextColumn("ETA"), TimeRemainingColumn(),
            console=err, disable=quiet or not err.is_terminal and not _force_progress(), transient=False,
        )
        with progress:
            task = progress.add_task("ingest", total=total or None, rate="-")

            def on_event(kind: str, payload: object) -> None:
                if kind == "linking":
                    progress.update(task, description="link")
                    if not quiet:
                        progress.console.print(f"cross-document pass: {payload}", markup=False)
                    return
                done = progress.tasks[0].completed + 1
                elapsed = max(time.perf_counter() - started, 1e-6)
                progress.update(task, advance=1, rate=f"{done / elapsed:.1f}")
                if kind == "unchanged" and not quiet:
                    progress.console.print(f"unchanged: {payload.path} (already stored)", markup=False)
                elif kind == "rejected":
                    progress.console.print(f"rejected: {payload.path}: {payload.reason}", markup=False)

            stdin = sys.stdin.buffer if "-" in paths else None
            if dask:
                from pathlib import Path

                from .distributed import ingest_dask

                report = ingest_dask(paths, cfg, dask, Path(shards) if shards else None, force=force,
                                     on_event=on_event, link=not no_link, stdin=stdin, keep_shards=keep_shards)
            else:
                report = run_ingest(paths, cfg, force=force, stdin=stdin, on_event=on_event, link=not no_link)
        elapsed = time.perf_counter() - started
        summary = (f"{report.new} new, {report.unchanged} unchanged, "
                   f"{report.duplicate_paths} duplicate (stored once, path recorded), "
                   f"{len(report.rejected)} rejected")
        if report.new:
            summary += f" · {report.words:,} words in {elapsed:.1f}s ({report.new / elapsed:.1f} docs/s)"
        out.print(f"{summary} → {cfg.db}")
        for message in report.messages:
            out.print(message, markup=False)
        if report.links:
            out.print(_link_summary(report.links))
        if report.new == 0 and report.unchanged and not report.rejected:
            out.print("nothing to do: every article is already stored (use --force to re-process)")
        raise typer.Exit(report.exit_code)
    except SitroomError as exc:
        raise _fail(exc)


def _link_summary(links: dict) -> str:
    return (f"linked: {links['entities']:,} entities, {links['statements']:,} statements, "
            f"{links['claims']:,} claims, {links['stories']:,} stories, {links['duplicates']:,} near-duplicates "
            f"({links['seconds']:.1f}s)")


def _force_progress() -> bool:
    import os

    return os.environ.get("SITROOM_PROGRESS") == "1"


@app.command()
def export(
    db: Optional[str] = DB_OPTION,
    format: str = typer.Option("json", "--format", "-f", help="json (the export contract), jsonl, csv, parquet, geojson (places and events), acled (CSV) or plover (JSON)."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Output file (json, jsonl, geojson, acled, plover; default stdout) or folder (csv, parquet)."),
) -> None:
    """Write the knowledge base for other tools (format in docs/export-schema.md)."""
    from .store.database import Store
    from .store.export import write_export

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            what = write_export(store, format, output, sys.stdout)
        if output not in (None, "-"):
            err.print(f"exported {what} → {output}")
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def stats(db: Optional[str] = DB_OPTION) -> None:
    """Counts of documents and facts, sources, date range, top entities and rejections."""
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            counts = store.counts()
            table = Table(title=f"sitroom · {cfg.db}", show_header=True)
            table.add_column("table")
            table.add_column("rows", justify="right")
            for name, n in counts.items():
                table.add_row(name, f"{n:,}")
            out.print(table)
            span = store.query("SELECT min(published) AS first, max(published) AS last, "
                               "count(*) FILTER (WHERE published IS NULL) AS undated FROM documents")[0]
            out.print(f"published: {span['first'] or '-'} … {span['last'] or '-'} ({span['undated']} undated)")
            sources = store.query("SELECT coalesce(source, '(unknown)') AS source, count(*) AS n FROM documents "
                                  "GROUP BY ALL ORDER BY n DESC, source LIMIT 10")
            out.print("sources: " + ", ".join(f"{s['source']} ({s['n']})" for s in sources))
            top = store.query(
                "SELECT e.name, e.label, count(DISTINCT m.document_id) AS docs, count(*) AS mentions "
                "FROM mentions m LEFT JOIN entity_links l ON l.entity_id = m.entity_id "
                "JOIN entities e ON e.id = coalesce(l.canonical_id, m.entity_id) WHERE e.label IN ('PERSON','ORG') "
                "GROUP BY ALL ORDER BY docs DESC, mentions DESC, e.name LIMIT 10")
            ent = Table(title="top actors", show_header=True)
            for col in ("name", "label", "documents", "mentions"):
                ent.add_column(col)
            for r in top:
                ent.add_row(r["name"], r["label"], str(r["docs"]), str(r["mentions"]))
            out.print(ent)
            recent = store.query("SELECT id, published, source, title FROM documents "
                                 "ORDER BY published DESC NULLS LAST, id LIMIT 10")
            docs = Table(title="latest documents (open one with `sitroom doc ID`)", show_header=True)
            for col in ("id", "published", "source", "title"):
                docs.add_column(col, overflow="fold")
            for r in recent:
                docs.add_row(r["id"][:8], r["published"] or "-", r["source"] or "-", r["title"] or "(no title)")
            out.print(docs)
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def rejections(db: Optional[str] = DB_OPTION) -> None:
    """Inputs that could not be read, and why."""
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = store.query("SELECT path, code, reason, rejected_at FROM rejections ORDER BY rejected_at, path")
        table = Table(show_header=True)
        for col in ("path", "code", "reason", "when"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["path"], r["code"], r["reason"], str(r["rejected_at"])[:19])
        out.print(table if rows else "no rejections")
    except SitroomError as exc:
        raise _fail(exc)


FACT_STYLES = {"PERSON": "bold cyan", "ORG": "bold magenta", "GPE": "bold green", "LOC": "green",
               "NORP": "yellow", "date": "underline blue"}


@app.command()
def doc(
    doc_id: str = typer.Argument(..., metavar="ID", help="Document id (a unique prefix is enough)."),
    db: Optional[str] = DB_OPTION,
) -> None:
    """Show one article with its facts highlighted, then the facts as tables."""
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            found = store.query("SELECT * FROM documents WHERE id LIKE ? || '%' ORDER BY id LIMIT 2", [doc_id])
            if not found:
                raise SitroomError(f"no document with id {doc_id!r} (see `sitroom export --format jsonl`)")
            if len(found) > 1:
                raise UsageError(f"id prefix {doc_id!r} is ambiguous: give more characters")
            d = found[0]
            paths = [r["path"] for r in store.query("SELECT path FROM document_paths WHERE document_id = ?", [d["id"]])]
            mentions = store.query('SELECT m.start, m."end", m.text, m.label, e.name FROM mentions m '
                                   "JOIN entities e ON e.id = m.entity_id WHERE document_id = ? ORDER BY start", [d["id"]])
            dates = store.query('SELECT start, "end", text, value FROM dates WHERE document_id = ? ORDER BY start', [d["id"]])
            roles = store.query("SELECT e.name, r.role FROM entity_roles r JOIN entities e ON e.id = r.entity_id "
                                "WHERE r.document_id = ? ORDER BY r.start", [d["id"]])
        out.rule(d["title"] or "(no title)")
        out.print(f"id {d['id']} · source {d['source'] or '-'} · author {d['author'] or '-'} · "
                  f"published {d['published'] or '-'}")
        for p in paths:
            out.print(f"path {p}", markup=False)
        body = Text(d["text"])
        for m in mentions:
            body.stylize(FACT_STYLES.get(m["label"], "bold"), m["start"], m["end"])
        for x in dates:
            body.stylize(FACT_STYLES["date"], x["start"], x["end"])
        out.print(body)
        ent = Table(title="entity mentions", show_header=True)
        for col in ("text", "label", "entity", "span"):
            ent.add_column(col)
        for m in mentions:
            ent.add_row(m["text"], m["label"], m["name"], f"{m['start']}-{m['end']}")
        out.print(ent)
        if roles:
            out.print("roles: " + "; ".join(f"{r['name']}: {r['role']}" for r in roles))
        dt = Table(title="dates", show_header=True)
        for col in ("text", "value", "span"):
            dt.add_column(col)
        for x in dates:
            dt.add_row(x["text"], x["value"] or "(no anchor)", f"{x['start']}-{x['end']}")
        out.print(dt)
    except SitroomError as exc:
        raise _fail(exc)


def _source_cell(r: dict) -> str:
    return f"{r['source'] or r['document_id'][:8]}\n{r['published'] or 'undated'}"


def _evidence(sentence: str, fact: str) -> Text:
    """The sentence with the fact in bold: what the reader checks the parse against."""
    t = Text(sentence)
    at = sentence.find(" ".join(fact.split()))
    if at >= 0:
        t.stylize("bold yellow", at, at + len(" ".join(fact.split())))
    return t


def _fmt_num(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


@app.command()
def figures(
    db: Optional[str] = DB_OPTION,
    subject: Optional[str] = typer.Option(None, "--subject", "-s", help="Only figures whose counted subject contains WORD."),
    limit: int = typer.Option(500, "--limit", help="At most this many rows."),
) -> None:
    """Numeric figures: value or range, unit, qualifier, what is counted, with article and sentence."""
    from .store import queries
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = queries.figures(store, subject, limit)
        table = Table(show_header=True, show_lines=True)
        for col in ("low–high", "unit", "subject", "qualifier", "kind", "source", "sentence"):
            table.add_column(col, overflow="fold", ratio=4 if col == "sentence" else None)
        for r in rows:
            rng = _fmt_num(r["low"]) if r["low"] == r["high"] else f"{_fmt_num(r['low'])}–{_fmt_num(r['high'])}"
            table.add_row(rng, r["unit"] or "", r["subject"] or "", r["qualifier"] or "", r["kind"],
                          _source_cell(r), _evidence(r["sentence"], r["text"]))
        out.print(table if rows else "no figures" + (f" with subject {subject!r}" if subject else ""))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def quotes(
    db: Optional[str] = DB_OPTION,
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Only quotes whose speaker name contains NAME."),
    limit: int = typer.Option(500, "--limit", help="At most this many rows."),
) -> None:
    """Attributed quotations: speaker, cue, outlet, direct or reported, with article and sentence."""
    from .store import queries
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = queries.quotes(store, speaker, limit)
        table = Table(show_header=True, show_lines=True)
        for col in ("speaker", "cue", "outlet", "kind", "source", "quote"):
            table.add_column(col, overflow="fold", ratio=4 if col == "quote" else None)
        for r in rows:
            table.add_row(r["speaker"] or "(unattributed)", r["cue"] or "", r["outlet"] or "",
                          "direct" if r["direct"] else "reported", _source_cell(r), r["text"])
        out.print(table if rows else "no quotes" + (f" by {speaker!r}" if speaker else ""))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def places(
    db: Optional[str] = DB_OPTION,
    country: Optional[str] = typer.Option(None, "--country", "-c", help="Only places in this ISO country code (e.g. SY)."),
    limit: int = typer.Option(100, "--limit", help="At most this many places."),
) -> None:
    """Resolved places with coordinates, country, feature type and how often articles mention them."""
    from .store.database import Store
    from .store.export import place_records

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = place_records(store)
        if country:
            rows = [r for r in rows if (r["country_code"] or "").upper() == country.upper()]
        table = Table(show_header=True)
        for col in ("place", "country", "feature", "lat", "lon", "mentions", "documents", "id"):
            table.add_column(col, overflow="fold")
        for r in rows[:limit]:
            table.add_row(r["name"], r["country_code"] or "", r["feature"],
                          f"{r['lat']:.3f}" if r["lat"] is not None else "", f"{r['lon']:.3f}" if r["lon"] is not None else "",
                          str(r["mention_count"]), str(len(r["document_ids"])), r["id"])
        out.print(table if rows else "no places" + (f" in {country.upper()}" if country else ""))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def merge(
    folders: list[str] = typer.Argument(..., metavar="SHARDS...", help="Shard folders written by Dask workers."),
    db: Optional[str] = DB_OPTION,
    remove: bool = typer.Option(False, "--remove", help="Delete each shard set once it is stored."),
    no_link: bool = typer.Option(False, "--no-link", help="Skip the cross-document pass."),
) -> None:
    """Load Parquet shards written by Dask workers into the database (idempotent), then link."""
    from pathlib import Path

    from .distributed import merge as run_merge

    try:
        cfg = Config.load(db=db)
        report = run_merge([Path(f) for f in folders], cfg, keep=not remove, link=not no_link)
        out.print(f"merged {report.sets} shard sets, {report.documents} documents → {cfg.db}")
        for folder in report.skipped:
            out.print(f"skipped {folder}: not a complete shard set (still being written?)", markup=False)
        if report.links:
            out.print(_link_summary(report.links))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def link(db: Optional[str] = DB_OPTION) -> None:
    """Re-run the cross-document pass: entities, statements, claims, stories (ingest runs it for you)."""
    from .link.run import link as run_link
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, create=False) as store:
            result = run_link(store, progress=lambda step: err.print(step, markup=False))
        out.print(_link_summary(result))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def entities(
    db: Optional[str] = DB_OPTION,
    name: Optional[str] = typer.Option(None, "--name", help="Only entities whose name or alias contains NAME."),
    label: Optional[str] = typer.Option(None, "--label", help="Only this spaCy label (PERSON, ORG, GPE, NORP, …)."),
    limit: int = typer.Option(50, "--limit", help="At most this many entities."),
) -> None:
    """Actors across documents: canonical name, the other names they went by, roles, article count."""
    from .store.database import Store
    from .store.export import entity_records

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = entity_records(store)
        if label:
            rows = [r for r in rows if r["label"] == label.upper()]
        if name:
            needle = name.lower()
            rows = [r for r in rows if needle in r["name"].lower() or any(needle in a.lower() for a in r["aliases"])]
        table = Table(show_header=True)
        for col in ("entity", "label", "documents", "also called", "roles", "id"):
            table.add_column(col, overflow="fold")
        for r in rows[:limit]:
            roles = sorted({x["role"] for x in r["roles"]})
            table.add_row(r["name"], r["label"], str(r["document_count"]), ", ".join(r["aliases"][:8]),
                          "; ".join(roles[:4]), r["id"])
        out.print(table if rows else "no entities")
    except SitroomError as exc:
        raise _fail(exc)


def _range(low: float | None, high: float | None, unit: str | None = None) -> str:
    text = _fmt_num(low) if low == high else f"{_fmt_num(low)}–{_fmt_num(high)}"
    return f"{text} {unit}" if unit and unit != "%" else text + ("%" if unit == "%" else "")


@app.command()
def claims(
    db: Optional[str] = DB_OPTION,
    subject: Optional[str] = typer.Option(None, "--subject", "-s", help="Only claims whose subject contains WORD."),
    story: Optional[str] = typer.Option(None, "--story", help="Only claims reported in this story (id or prefix)."),
    all_claims: bool = typer.Option(False, "--all", help="Include claims made by a single figure."),
    limit: int = typer.Option(50, "--limit", help="At most this many claims."),
) -> None:
    """Figures that estimate the same quantity across articles, widest disagreement first."""
    from .store import queries
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = queries.claims(store, subject, story, limit, min_figures=1 if all_claims else 2)
        if not rows:
            out.print("no claims reported by more than one figure (use --all to list single figures)"
                      if not all_claims else "no claims")
            return
        for c in rows:
            verdict = "[green]sources agree[/]" if c["agree"] else "[bold red]sources disagree[/]"
            out.print(f"[bold]{c['subject'] or '(unspecified)'}[/]: {_range(c['low'], c['high'], c['unit'])} · "
                      f"{len(c['figures'])} figures from {c['sources']} sources · {verdict} · claim {c['id']}")
            table = Table(show_header=True, show_lines=True)
            for col in ("figure", "source", "sentence"):
                table.add_column(col, overflow="fold", ratio=4 if col == "sentence" else None)
            for f in c["figures"]:
                figure = f["text"]
                normalised = _range(f["low"], f["high"], c["unit"])
                if normalised.replace(",", "") not in figure.replace(",", ""):
                    figure += f"\n= {normalised}"
                table.add_row(figure, _source_cell(f), _evidence(f["sentence"], f["text"]))
            out.print(table)
    except SitroomError as exc:
        raise _fail(exc)


MAGNITUDE_LABELS = {"dead": "dead", "injured": "injured", "arrested": "arrested", "size": "crowd"}
FACTUALITY_STYLES = {"negated": "bold red", "hypothetical": "bold yellow", "future": "bold blue"}


def _event_heading(r: dict) -> Text:
    date = r["date"] if r["date"] and r["date"][:1].isdigit() else (f"~{r['day']}" if r["day"] else "undated")
    if r["date_end"] and r["date_end"] != r["date"] and r["date_end"][:1].isdigit():
        date += f" … {r['date_end']}"
    t = Text(date, style="bold")
    t.append(" · ")
    t.append(r["plover_type"] + (f"/{r['plover_mode']}" if r["plover_mode"] else ""), style="bold cyan")
    if r["acled_sub_event_type"]:
        t.append(f" · {r['acled_event_type']}: {r['acled_sub_event_type']}")
    if r["factuality"] != "asserted":
        t.append(f" · {r['factuality'].upper()}", style=FACTUALITY_STYLES.get(r["factuality"], "bold"))
    t.append(f" · {r['id']}", style="dim")
    return t


def _event_facts(r: dict) -> Text:
    parts: list[Text] = []
    if r["source"] or r["target"]:
        parts.append(Text(f"{r['source'] or '?'} → {r['target'] or '?'}"))
    if r["place_name"] or r["country_code"]:
        parts.append(Text((r["place_name"] or "") + (f" ({r['country_code']})" if r["country_code"] else "")))
    for kind, (low, high) in r["magnitudes"].items():
        disputed = r["disputed"].get(kind, False)
        parts.append(Text(f"{_range(low, high)} {MAGNITUDE_LABELS[kind]}" + (" ≠" if disputed else ""),
                          style="bold red" if disputed else "bold"))
    parts.append(Text(f"{r['reports']} report{'s' if r['reports'] != 1 else ''} from {r['sources']} "
                      f"source{'s' if r['sources'] != 1 else ''}"))
    t = Text("  ")
    for i, part in enumerate(parts):
        if i:
            t.append(" · ")
        t.append_text(part)
    return t


def _event_report(rep: dict) -> Text:
    t = Text(f"  {rep['source'] or rep['document_id'][:8]}, {rep['published'] or 'undated'}: ", style="dim")
    sentence = Text(rep["sentence"])
    sentence.stylize("bold yellow", rep["trigger_start"], rep["trigger_end"])
    t.append_text(sentence)
    return t


@app.command()
def events(
    db: Optional[str] = DB_OPTION,
    type_: Optional[str] = typer.Option(None, "--type", "-t", help="Only this PLOVER type (ASSAULT, PROTEST, …) or ACLED event/sub-event type (Battles, Arrests, …); case-insensitive."),
    actor: Optional[str] = typer.Option(None, "--actor", help="Only events whose source or target (a cross-document entity, any of its names) contains NAME."),
    place: Optional[str] = typer.Option(None, "--place", help="Only events at a place whose name (or the words articles used for it) contains NAME."),
    country: Optional[str] = typer.Option(None, "--country", "-c", help="Only events in this country (ISO code such as IQ or IRQ, or a name)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only events dated on or after this ISO date."),
    all_events: bool = typer.Option(False, "--all", help="Also list negated, hypothetical and future mentions (flagged; they belong to no event)."),
    limit: int = typer.Option(50, "--limit", help="At most this many events."),
) -> None:
    """Events across articles, newest first: who did what to whom, where, when and how many, with the range each count has across reports."""
    from .store.database import Store
    from .store.events import list_events

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = list_events(store, type_, actor, place, country, since, limit, include_unreal=all_events)
            linked = store.query("SELECT count(*) AS n FROM events")[0]["n"] > 0
        if not rows:
            out.print("no events" + ("" if linked else " (run `sitroom link` to group event mentions)"))
            return
        for r in rows:
            out.print(_event_heading(r))
            out.print(_event_facts(r))
            if r["report"]:
                out.print(_event_report(r["report"]))
        if any(r["disputed"].get(k) for r in rows for k in r["magnitudes"]):
            out.print("≠ reports give different numbers (range across reports shown; ACLED's conservative count "
                      "is the lowest)")
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def statements(
    db: Optional[str] = DB_OPTION,
    speaker: Optional[str] = typer.Option(None, "--speaker", help="Only statements whose speaker contains NAME."),
    all_statements: bool = typer.Option(False, "--all", help="Include statements carried by one article only."),
    limit: int = typer.Option(50, "--limit", help="At most this many statements."),
) -> None:
    """The same words by the same speaker across articles: who, which outlets, when, how many articles."""
    from .store import queries
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = queries.statements(store, speaker, limit, min_articles=1 if all_statements else 2)
        if not rows:
            out.print("no statement carried by more than one article (use --all to list every quote)"
                      if not all_statements else "no statements")
            return
        for s in rows:
            flags = f" · [bold red]{', '.join(s['flags'])}[/]" if s["flags"] else ""
            docs = {q["document_id"] for q in s["quotes"]}
            out.print(f"[bold]{s['speaker'] or '(unattributed)'}[/] in {len(docs)} articles{flags} · statement {s['id']}")
            out.print(Text(f"“{s['text']}”", style="italic"))
            table = Table(show_header=True)
            for col in ("source", "published", "outlet named", "title"):
                table.add_column(col, overflow="fold")
            for q in {q["document_id"]: q for q in reversed(s["quotes"])}.values():  # one row per article
                table.add_row(q["source"] or q["document_id"][:8], q["published"] or "undated", q["outlet"] or "",
                              q["title"] or "")
            out.print(table)
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def stories(
    db: Optional[str] = DB_OPTION,
    limit: int = typer.Option(50, "--limit", help="At most this many stories."),
) -> None:
    """Articles grouped into stories (one developing situation each), largest first."""
    from .store.database import Store
    from .store.export import story_records

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = story_records(store)
        table = Table(show_header=True)
        for col in ("story", "articles", "first", "last", "id"):
            table.add_column(col, overflow="fold")
        for r in rows[:limit]:
            table.add_row(r["title"], str(len(r["document_ids"])), r["first_published"] or "-",
                          r["last_published"] or "-", r["id"])
        out.print(table if rows else "no stories (run `sitroom link`)")
    except SitroomError as exc:
        raise _fail(exc)


TIMELINE_STYLES = {"event": "bold", "statement": "italic cyan", "figure": "yellow"}


@app.command()
def timeline(
    db: Optional[str] = DB_OPTION,
    story: Optional[str] = typer.Option(None, "--story", help="Only this story (id or prefix; see `sitroom stories`)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only items dated on or after this ISO date."),
    limit: int = typer.Option(500, "--limit", help="At most this many items."),
) -> None:
    """Dated events, statements and figures in order, each with its source."""
    from .store import queries
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            rows = queries.timeline(store, story, since, limit)
        table = Table(show_header=True, show_lines=True)
        for col in ("date", "kind", "what", "sources"):
            table.add_column(col, overflow="fold", ratio=4 if col == "what" else None)
        for r in rows:
            what = Text(f"{r['speaker'] or '(unattributed)'}: “{r['text']}”") if r["kind"] == "statement" \
                else _evidence(r["text"], r["fact"])
            what.stylize(TIMELINE_STYLES[r["kind"]])
            sources = ", ".join(dict.fromkeys(s["source"] or s["document_id"][:8] for s in r["sources"]))
            table.add_row(r["date"], r["kind"], what, sources)
        out.print(table if rows else "no dated items" + (f" in story {story}" if story else ""))
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def brief(
    out_path: str = typer.Option(..., "-o", "--out", help="Write the briefing here: .html (self-contained) or .md."),
    db: Optional[str] = DB_OPTION,
    story: Optional[str] = typer.Option(None, "--story", help="Only this story (id or unique prefix; see `sitroom stories`)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only articles published on or after this ISO date."),
    top: int = typer.Option(10, "--top", help="How many stories, actors, statements and claims to show."),
) -> None:
    """Write a sourced situation briefing: self-contained HTML (opens offline) or Markdown."""
    from pathlib import Path

    from .brief import write_brief
    from .store.database import Store

    try:
        cfg = Config.load(db=db)
        with Store(cfg.db, read_only=True) as store:
            s = write_brief(store, Path(out_path), story=story, since=since, top=top)
        out.print(f"wrote {s['path']} ({s['bytes']:,} bytes): {s['articles']} articles, {s['statements']} statements, "
                  f"{s['claims']} claims, {s['sources']} cited sentences · {s['scope']}")
        if s["format"] == "html":
            out.print(f"open it in a browser (no network needed): file://{Path(out_path).resolve()}")
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def serve(
    db: Optional[str] = DB_OPTION,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback only unless --allow-remote)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    allow_ingest: bool = typer.Option(False, "--allow-ingest", help="Accept POST /api/ingest (bearer token required)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="SITROOM_INGEST_TOKEN",
                                        help="Bearer token for --allow-ingest (default: a random one, printed at start)."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a non-loopback --host (reading needs no authentication)."),
) -> None:
    """Serve the web app and JSON API: search, documents with highlighted facts, entities, places and map, stories, claims, statements, timeline."""
    from .web import run_server

    try:
        cfg = Config.load(db=db)
        run_server(cfg.db, host=host, port=port, allow_ingest=allow_ingest, token=token, allow_remote=allow_remote)
    except SitroomError as exc:
        raise _fail(exc)


@app.command()
def settings() -> None:
    """List every setting with its default, environment variable and help."""
    from .settings import SETTINGS

    table = Table(show_header=True)
    for col in ("setting", "env", "default", "help"):
        table.add_column(col, overflow="fold")
    for s in SETTINGS:
        table.add_row(s.name, f"SITROOM_{s.name.upper()}", str(s.default), s.help)
    out.print(table)


if __name__ == "__main__":
    app()
