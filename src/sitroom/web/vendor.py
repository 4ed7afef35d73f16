"""Install the web app's front-end libraries from the npm registry into ``static/vendor/``.

    python -m sitroom.web.vendor           # npm ci (lock-verified) in a temporary folder, copy dist files
    python -m sitroom.web.vendor --check   # exit 1 unless the vendored files match package-lock.json

Third-party code is not committed: ``package.json`` and ``package-lock.json`` (next to this
file) pin Leaflet and its sha512, ``npm ci --ignore-scripts`` fetches and verifies it, and only
``leaflet/dist/{leaflet.js,leaflet.css,images/}`` plus its licence are copied.  Without these
files the app still works: maps stay static SVG images."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
VENDOR = HERE / "static" / "vendor"
FILES = ("leaflet.js", "leaflet.css")


def locked_version() -> str:
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/leaflet"]["version"]


def installed_version() -> str | None:
    stamp = VENDOR / "VERSION"
    return stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else None


def install() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found: install Node.js and npm, or run without maps (static SVG fallback)")
    with tempfile.TemporaryDirectory(prefix="sitroom-vendor-") as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(HERE / name, Path(tmp) / name)
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=tmp,
                       check=True)
        package = Path(tmp) / "node_modules" / "leaflet"
        dist = package / "dist"
        staging = Path(tmp) / "vendor"
        staging.mkdir()
        for name in FILES:
            shutil.copy2(dist / name, staging / name)
        shutil.copytree(dist / "images", staging / "images")
        shutil.copy2(package / "LICENSE", staging / "LICENSE-leaflet")
        (staging / "VERSION").write_text(f"leaflet {locked_version()}\n", encoding="utf-8")
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        shutil.copytree(staging, VENDOR)
    return VENDOR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitroom.web.vendor", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the vendored files are current")
    args = parser.parse_args(argv)
    wanted = f"leaflet {locked_version()}"
    current = installed_version() == wanted and all((VENDOR / f).is_file() for f in FILES)
    if args.check:
        print(f"{VENDOR}: {'up to date' if current else 'missing or outdated'} ({wanted})")
        return 0 if current else 1
    if current:
        print(f"{VENDOR}: {wanted} already installed")
        return 0
    install()
    print(f"{VENDOR}: installed {wanted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
