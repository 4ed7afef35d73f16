"""The application factory and the server entry point (``sitroom serve`` calls ``run_server``)."""

from __future__ import annotations

import logging
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..errors import UsageError
from . import api, apidocs, highlight, pages, reads
from .security import LOOPBACK_NAMES, BodyLimit, SecurityHeaders, is_loopback
from .snapshot import Snapshots, Unavailable

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
log = logging.getLogger("sitroom.web")

NAV = (("/", "Search"), ("/stories", "Stories"), ("/events", "Events"), ("/claims", "Claims"),
       ("/statements", "Statements"), ("/timeline", "Timeline"), ("/map", "Map"), ("/entities", "Entities"))


@dataclass(frozen=True)
class Settings:
    db_path: str
    allow_ingest: bool
    token: str | None
    max_body_bytes: int


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x: "" if x is None else (f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}")
    env.filters["figrange"] = highlight.figure_range
    env.globals["anchor"] = highlight.anchor_id
    env.globals["actor_name"] = highlight.actor_name

    def common(request: Request) -> dict:
        path = request.url.path
        current = next((href for href, _ in NAV[1:] if path.startswith(href)), "/" if path in ("/", "/search") or
                       path.startswith("/documents") else None)
        return {"nav": NAV, "current": current, "status": request.app.state.snapshots.status(),
                "leaflet": (STATIC / "vendor" / "leaflet.js").is_file(), "version": __version__}

    return Jinja2Templates(env=env, context_processors=[common])


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/openapi"))


def create_app(db_path: str, *, allow_ingest: bool = False, token: str | None = None,
               allowed_hosts: Sequence[str] = LOOPBACK_NAMES, max_body_bytes: int = 5_000_000,
               refresh_seconds: float = 2.0) -> FastAPI:
    """The web app over the sitroom database at ``db_path`` (read through snapshots, see
    ``snapshot.py``).  Ingestion over HTTP needs ``allow_ingest`` and a ``token``; ``Host``
    headers must name one of ``allowed_hosts``.  Raises ``StoreError`` when the file is missing
    or not a sitroom database; a file locked by a writer is served (503) once it can be read."""
    if allow_ingest and not token:
        raise UsageError("ingestion over HTTP needs a bearer token")
    snapshots = Snapshots(str(db_path), refresh_seconds=refresh_seconds, warm=reads.warm)
    snapshots.reload()
    app = FastAPI(title="sitroom", version=__version__, docs_url=None, redoc_url=None,
                  description="A sourced, queryable picture of a developing situation, built from news articles. "
                              "Records use the field names of the export (docs/export-schema.md).")
    app.state.snapshots = snapshots
    app.state.settings = Settings(str(db_path), allow_ingest, token, max_body_bytes)
    app.state.templates = _templates()
    app.include_router(api.router)
    app.include_router(apidocs.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC), follow_symlink=False), name="static")
    # Outermost last: headers on every response, then host check, then the body limit.
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    _error_handlers(app)
    return app


def _error_page(request: Request, status: int, title: str, detail: str, headers: dict | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return request.app.state.templates.TemplateResponse(request, "error.html", {"title": title, "detail": detail},
                                                        status_code=status, headers=headers)


def _error_handlers(app: FastAPI) -> None:
    titles = {400: "Bad request", 401: "Not authorised", 403: "Forbidden", 404: "Not found",
              405: "Method not allowed", 413: "Too large", 422: "Invalid request"}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        return _error_page(request, exc.status_code, titles.get(exc.status_code, "Error"), detail,
                           getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return _error_page(request, 422, titles[422], problems)

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> Response:
        return _error_page(request, 503, "Database busy", str(exc), {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return HTMLResponse("<!doctype html><title>Error</title><p>Internal error.</p>", status_code=500)


def run_server(db_path: str, host: str = "127.0.0.1", port: int = 8000, allow_ingest: bool = False,
               token: str | None = None, *, allow_remote: bool = False, log_level: str = "info") -> None:
    """Serve the app with uvicorn until interrupted.  Refuses a non-loopback ``host`` unless
    ``allow_remote`` (then warns: there is no authentication for reading).  With
    ``allow_ingest`` and no ``token``, a random token is made and printed once to stderr."""
    import uvicorn

    if not is_loopback(host):
        if not allow_remote:
            raise UsageError(f"refusing to listen on {host}: the server has no read authentication; "
                             "use 127.0.0.1, or allow it explicitly (--allow-remote)")
        print(f"warning: listening on {host}: anyone who can reach it can read the database", file=sys.stderr)
    if allow_ingest and not token:
        token = secrets.token_urlsafe(32)
        print(f"ingest token (send as 'Authorization: Bearer …'): {token}", file=sys.stderr)
    hosts = list(LOOPBACK_NAMES) + ([host] if host not in LOOPBACK_NAMES else [])
    if not is_loopback(host):
        hosts = ["*"]  # a remote bind is reached under names we cannot know
    app = create_app(db_path, allow_ingest=allow_ingest, token=token, allowed_hosts=hosts)
    print(f"sitroom web app on http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl-C to stop)",
          file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False,
                timeout_keep_alive=5)
