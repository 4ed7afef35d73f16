"""Toponym recognition and resolution on LGL (Lieberman et al. 2010) and TR-News (Kamalloo & Rafiei 2018).

Both corpora (``<shared>/eval/lgl/lgl.xml``, ``<shared>/eval/tr-news/TR-News.xml``) give each article's
text and its toponyms with character offsets and, for most, a GeoNames entry with coordinates.  Each
article runs through the product's spaCy model (``nlp.pipe``) and :func:`sitroom.stages.places.find_places`;
the source country is read from the outlet's domain when it has a country-code TLD (".ca" -> CA), as the
pipeline would from the article's metadata.

* **Recognition** precision/recall/F1: a predicted span counts when it overlaps a gold toponym (the
  "inexact" matching of Gritta et al. 2019); both corpora annotate demonyms ("Russian", "American") as
  toponyms of their country, so our demonyms count as predictions resolved to the country.
* **Resolution** on the gold toponyms we found (with coordinates): accuracy@161 km and the median
  error.  When our place_id is the gold GeoNames id the error is 0 (the same entity: our country
  centroids come from countryinfo, not GeoNames' own points); ``acc161_raw`` is the plain
  point-to-point figure.
* **End-to-end** accuracy@161 km over *all* gold toponyms with coordinates (missed ones count wrong).

    python -m evaluation.geoparse [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import time
import xml.etree.ElementTree as ET
from pathlib import Path

SETS = {"lgl": ("LGL", "lgl/lgl.xml"), "tr-news": ("TR-News", "tr-news/TR-News.xml")}
BATCH_SIZE = 16
KM = 161.0

#: Published figures on the same corpora: (system, corpus, metric, value, source).  Only figures whose
#: source could be read and checked are entered; see PUBLISHED_TODO for the ones still to transcribe.
PUBLISHED: list[tuple[str, str, str, str, str]] = []
#: Systems the comparison should carry, with where their figures are published.  The offline search
#: tool reached the abstracts but not the result tables, so no number is entered from memory.
PUBLISHED_TODO = [
    ("Mordecai 3", "Halterman 2023, arXiv 2303.13675, results table (LGL, TR-News among its sets)"),
    ("CamCoder", "Gritta, Pilehvar & Collier 2018, ACL, 'Which Melbourne?' (LGL); TR-News in later comparisons"),
    ("population baseline", "the same papers' population heuristic rows"),
]

def source_country(domain: str | None) -> str | None:
    from sitroom.stages.places import source_country_of

    return source_country_of(domain)


def read_corpus(path: Path) -> list[dict]:
    """Articles as {"id", "text", "domain", "gold": [(start, end, phrase, geonameid, lat, lon)]}.
    Gold offsets that do not slice back to their phrase are re-anchored to the nearest occurrence."""
    root = ET.parse(path).getroot()
    out = []
    for art in root.iter("article"):
        text = art.findtext("text") or ""
        gold = []
        for tp in art.iter("toponym"):
            phrase = tp.findtext("phrase") or ""
            try:
                s, e = int(tp.findtext("start")), int(tp.findtext("end"))
            except (TypeError, ValueError):
                continue
            if text[s:e] != phrase and phrase:
                hits = [i for i in range(len(text)) if text.startswith(phrase, i)]
                if not hits:
                    continue
                s = min(hits, key=lambda i: abs(i - s))
                e = s + len(phrase)
            g = tp.find("gaztag")
            gid = lat = lon = None
            if g is not None and g.findtext("lat"):
                gid = g.get("geonameid")
                lat, lon = float(g.findtext("lat")), float(g.findtext("lon"))
            gold.append((s, e, phrase, gid, lat, lon))
        out.append({"id": art.get("docid"), "text": text, "domain": (art.findtext("domain") or "").strip(),
                    "gold": gold})
    return out


def score_corpus(articles: list[dict], nlp) -> dict:
    from sitroom.geo.gazetteer import haversine_km
    from sitroom.stages.places import find_places

    tp_pred = n_pred = 0
    n_gold = found = 0
    errors: list[float] = []
    raw_ok = 0
    e2e_ok = n_geo = 0
    texts = [a["text"] for a in articles]
    for art, doc in zip(articles, nlp.pipe(texts, batch_size=BATCH_SIZE)):
        places, demonyms = find_places(doc, source_country(art["domain"]))
        preds = [(p.start, p.end, p.place_id, p.lat, p.lon) for p in places]
        preds += [(d.start, d.end, d.place_id, d.lat, d.lon) for d in demonyms]
        gold = art["gold"]
        n_pred += len(preds)
        tp_pred += sum(1 for (s, e, *_r) in preds if any(s < ge and gs < e for gs, ge, *_g in gold))
        for gs, ge, _phrase, gid, lat, lon in gold:
            n_gold += 1
            hit = [p for p in preds if p[0] < ge and gs < p[1]]
            if hit:
                found += 1
            if lat is None:
                continue
            n_geo += 1
            if not hit:
                continue
            best = min(hit, key=lambda p: (abs(p[0] - gs) + abs(p[1] - ge)))
            raw = haversine_km(lat, lon, best[3], best[4])
            err = 0.0 if gid and best[2] == gid else raw
            errors.append(err)
            raw_ok += raw <= KM
            if err <= KM:
                e2e_ok += 1
    p = tp_pred / n_pred if n_pred else 0.0
    r = found / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "articles": len(articles), "gold_toponyms": n_gold, "gold_with_coords": n_geo, "predicted": n_pred,
        "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
        "resolved": len(errors),
        "acc161": round(sum(e <= KM for e in errors) / len(errors), 4) if errors else 0.0,
        "acc161_raw": round(raw_ok / len(errors), 4) if errors else 0.0,
        "median_km": round(statistics.median(errors), 1) if errors else None,
        "e2e_acc161": round(e2e_ok / n_geo, 4) if n_geo else 0.0,
    }


def evaluate(shared: Path, limit: int | None = None) -> dict:
    from sitroom.geo import gazetteer
    from sitroom.nlp import load_model

    t0 = time.time()
    gazetteer.load()  # build once, outside the timed scoring
    nlp = load_model()
    result: dict = {"sets": {}, "published": PUBLISHED}
    for key, (label, rel) in SETS.items():
        path = Path(shared) / "eval" / rel
        if not path.exists():
            result["sets"][key] = {"label": label, "missing": str(path)}
            continue
        arts = read_corpus(path)
        if limit:
            arts = arts[:limit]
        t = time.time()
        res = score_corpus(arts, nlp)
        res["label"] = label
        res["seconds"] = round(time.time() - t, 1)
        result["sets"][key] = res
    result["seconds"] = round(time.time() - t0, 1)
    return result


def markdown(result: dict) -> str:
    lines = ["## Places (LGL, TR-News)", "",
             "Toponym recognition (overlap match; demonyms count, as both corpora annotate them), resolution "
             "on the gold toponyms found (error 0 when our id is the gold GeoNames id; *raw* is point to "
             "point), and end-to-end accuracy@161 km over all gold toponyms with coordinates. "
             "`python -m evaluation.geoparse`; method in docs/places.md.", "",
             "| set | articles | gold | P | R | F1 | resolved | acc@161 | acc@161 raw | median km | end-to-end acc@161 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in result.get("sets", {}).items():
        if "missing" in r:
            lines.append(f"| {r['label']} | *missing: {r['missing']}* |||||||||")
            continue
        lines.append(f"| {r['label']} | {r['articles']} | {r['gold_toponyms']} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | {r['f1']:.3f} | {r['resolved']} | {r['acc161']:.3f} | "
                     f"{r['acc161_raw']:.3f} | {r['median_km']} | {r['e2e_acc161']:.3f} |")
    pub = result.get("published") or []
    if not pub:
        lines += ["", "Published figures to set beside these (not yet transcribed: the result tables were not "
                  "reachable offline, and no number is entered from memory):", ""]
        lines += [f"- {system}: {where}" for system, where in PUBLISHED_TODO]
    if pub:
        lines += ["", "Published figures on the same sets (their gazetteer, recognition and matching rules "
                  "differ from ours, so read them as a reference, not a like-for-like ranking):", "",
                  "| system | set | metric | value | source |", "|---|---|---|---|---|"]
        for system, corpus, metric, value, source in pub:
            lines.append(f"| {system} | {corpus} | {metric} | {value} | {source} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    print(markdown(evaluate(args.shared, args.limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
