"""Toponym recognition and resolution on web news we never tuned on: a transcribed subset of GeoWebNews
(Gritta, Pilehvar & Collier 2019, "A Pragmatic Guide to Geoparsing Evaluation").

The articles live outside the repository, in ``<shared>/../eval-extra/geowebnews/*.json`` (README there:
source repository, paths, commit).  Each has the web page's text and its toponyms with offsets, GeoWebNews
type, and either a GeoNames id or the annotators' own coordinates.

* **Which gold counts.**  Every named toponym type the annotators give (Literal, Mixed, Metonymic,
  Literal_Modifier, Non_Literal_Modifier, Embedded_Literal, Embedded_Non_Lit, Coercion, Demonym).  The
  common-noun types (Literal_Expression "the city", Non_Lit_Expression "residents") and Non_Toponym /
  Homonym spans carry no coordinates and were not transcribed: no named-entity geoparser is meant to
  find them.  Recognition recall is over all transcribed toponyms; resolution and end-to-end over those
  with a point: the annotators' coordinates, else the point of the GeoNames id when our gazetteer holds
  that id (countries, cities).  Ids it lacks (oceans, first- and second-level divisions, which our
  gazetteer keys by its own ids) leave the toponym out of the resolution figures: *with point* says how
  many remain.  So resolution here leans towards places our gazetteer knows; read it with recall.
* **Scoring** as :mod:`evaluation.geoparse`: a prediction (place or demonym) counts when it overlaps a gold
  span; acc@161 km on the gold found; end to end over all gold with a point (missed ones count wrong);
  error 0 when our place_id is the gold GeoNames id.
* **Split.**  By the SHA-1 of the article text: first hex digit even = *tuning* (errors may be read
  there, ``--errors``), odd = *held out* (only its totals are ever printed).

    python -m evaluation.geowebnews [--shared ../shared] [--errors]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from evaluation.geoparse import part_of

KM = 161.0
BATCH_SIZE = 8


def folder(shared: Path) -> Path:
    return Path(shared).resolve().parent / "eval-extra" / "geowebnews"


def read_articles(path: Path) -> list[dict]:
    """Articles with gold points filled in (annotators' coordinates, else the GeoNames id's point)."""
    from sitroom.geo import gazetteer

    gaz = gazetteer.load()
    out = []
    for f in sorted(path.glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        for t in d["toponyms"]:
            if t.get("lat") is None and t.get("geonames_id"):
                e = gaz.by_id(t["geonames_id"])
                if e is not None:
                    t["lat"], t["lon"] = e.lat, e.lon
        d["part"] = part_of(d["text"])
        out.append(d)
    return out


def _empty() -> dict:
    return {"gold": 0, "found": 0, "geo": 0, "resolved": 0, "ok": 0, "errors": []}


def score(articles: list[dict], nlp, misses: list | None = None) -> dict:
    """Totals and per-type counts for ``articles``; ``misses`` (a list) collects the tuning errors."""
    from sitroom.geo.gazetteer import haversine_km
    from sitroom.stages.places import find_places, source_country_of

    tot, by_type = _empty(), defaultdict(_empty)
    n_pred = tp_pred = 0
    for art, doc in zip(articles, nlp.pipe([a["text"] for a in articles], batch_size=BATCH_SIZE)):
        places, demonyms = find_places(doc, source_country_of(art.get("url")))
        preds = [(p.start, p.end, p.place_id, p.lat, p.lon, p.name) for p in places]
        preds += [(d.start, d.end, d.place_id, d.lat, d.lon, d.name) for d in demonyms]
        gold = art["toponyms"]
        n_pred += len(preds)
        tp_pred += sum(1 for s, e, *_ in preds if any(s < g["end"] and g["start"] < e for g in gold))
        for g in gold:
            for c in (tot, by_type[g["type"]]):
                c["gold"] += 1
            hit = [p for p in preds if p[0] < g["end"] and g["start"] < p[1]]
            if hit:
                for c in (tot, by_type[g["type"]]):
                    c["found"] += 1
            elif misses is not None:
                misses.append(("missed", g["type"], g["name"]))
            if g.get("lat") is None:
                continue
            for c in (tot, by_type[g["type"]]):
                c["geo"] += 1
            if not hit:
                continue
            best = min(hit, key=lambda p: abs(p[0] - g["start"]) + abs(p[1] - g["end"]))
            err = 0.0 if g.get("geonames_id") and best[2] == g["geonames_id"] else \
                haversine_km(g["lat"], g["lon"], best[3], best[4])
            for c in (tot, by_type[g["type"]]):
                c["resolved"] += 1
                c["ok"] += err <= KM
                c["errors"].append(err)
            if err > KM and misses is not None:
                misses.append(("wrong", g["type"], f"{g['name']} -> {best[5]} ({err:.0f} km)"))

    def summary(c: dict) -> dict:
        return {"gold": c["gold"], "with_point": c["geo"],
                "recall": round(c["found"] / c["gold"], 4) if c["gold"] else 0.0,
                "acc161": round(c["ok"] / c["resolved"], 4) if c["resolved"] else 0.0,
                "median_km": round(statistics.median(c["errors"]), 1) if c["errors"] else None,
                "e2e_acc161": round(c["ok"] / c["geo"], 4) if c["geo"] else 0.0}

    res = summary(tot)
    res.update({"articles": len(articles), "predicted": n_pred,
                "precision": round(tp_pred / n_pred, 4) if n_pred else 0.0,
                "by_type": {k: summary(v) for k, v in sorted(by_type.items())}})
    return res


def evaluate(shared: Path, limit: int | None = None) -> dict:
    from sitroom.nlp import load_model

    path = folder(shared)
    if not path.is_dir() or not any(path.glob("*.json")):
        return {"missing": f"{path} (the transcribed GeoWebNews subset; evaluation-only, outside the repository)"}
    t0 = time.time()
    arts = read_articles(path)
    if limit:
        arts = arts[:limit]
    nlp = load_model()
    parts = {p: score([a for a in arts if a["part"] == p], nlp) for p in ("tuning", "held-out")}
    parts["all"] = score(arts, nlp)
    return {"parts": parts, "seconds": round(time.time() - t0, 1)}


def markdown(result: dict) -> str:
    lines = ["## Places on unseen web news (GeoWebNews subset)", ""]
    if "missing" in result:
        return "\n".join(lines + [f"*Skipped: {result['missing']} is absent.*", ""])
    lines += ["Transcribed GeoWebNews articles (`python -m evaluation.geowebnews`; gold types and the split in "
              "the module docstring). *held-out*: never looked at for errors or tuning. Recognition by overlap "
              "(demonyms count: GeoWebNews annotates national adjectives as toponyms of their country); "
              "acc@161 on the gold found with a point; end to end over all gold with a point.", "",
              "| part | articles | gold | with point | P | R | acc@161 | median km | end-to-end acc@161 |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, r in result["parts"].items():
        lines.append(f"| {name} | {r['articles']} | {r['gold']} | {r['with_point']} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | {r['acc161']:.3f} | {r['median_km']} | {r['e2e_acc161']:.3f} |")
    lines += ["", "Per GeoWebNews type (all articles):", "",
              "| type | gold | with point | R | acc@161 | end-to-end |", "|---|---|---|---|---|---|"]
    for t, r in result["parts"]["all"]["by_type"].items():
        lines.append(f"| {t} | {r['gold']} | {r['with_point']} | {r['recall']:.3f} | {r['acc161']:.3f} | "
                     f"{r['e2e_acc161']:.3f} |")
    return "\n".join(lines) + "\n"


def errors(shared: Path) -> str:
    """Misses and wrong readings on the *tuning* part only (the held-out part is never listed)."""
    from sitroom.nlp import load_model

    arts = [a for a in read_articles(folder(shared)) if a["part"] == "tuning"]
    misses: list = []
    score(arts, load_model(), misses)
    c = Counter(misses)
    return "\n".join(f"{kind}\t{typ}\t{what}\t{n}" for (kind, typ, what), n in c.most_common())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--errors", action="store_true", help="tuning-part misses instead of the report")
    args = ap.parse_args(argv)
    print(errors(args.shared) if args.errors else markdown(evaluate(args.shared)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
