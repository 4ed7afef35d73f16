"""The web app: server-rendered pages and a JSON API over one sitroom database (``sitroom serve``).

``create_app(db_path, allow_ingest=False, token=None)`` builds the FastAPI app;
``run_server(db_path, host="127.0.0.1", port=8000, allow_ingest=False, token=None)`` serves it.

Modules: ``snapshot`` (how the app reads a file an ingest may be writing: in-memory snapshots,
the design note is there), ``reads`` (paged queries returning export-shaped records),
``fulltext`` (BM25 search), ``highlight`` (facts as highlighted spans), ``api`` (JSON under
/api), ``pages`` (HTML),
``apidocs`` (/docs), ``mapsvg`` (static maps), ``security`` (headers, limits, tokens),
``vendor`` (copies Leaflet from the npm package into static/vendor)."""

from .app import create_app, run_server

__all__ = ["create_app", "run_server"]
