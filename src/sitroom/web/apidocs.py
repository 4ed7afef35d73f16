"""``/docs``: the OpenAPI document rendered as a plain HTML reference.

FastAPI's own /docs page loads Swagger UI from a CDN and initialises it with an inline script;
offline and under our Content-Security-Policy it would show nothing.  This page needs neither:
it is built on the server from the same ``app.openapi()`` that ``/openapi.json`` serves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def type_of(schema: dict[str, Any]) -> str:
    """A short readable type: ``string``, ``integer ≥ 1 ≤ 100``, ``array of Entity``, ``string | null``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(type_of(s) for s in schema[key])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    limits = [f"{sym} {schema[k]}" for k, sym in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "length ≤"))
              if k in schema]
    if "pattern" in schema:
        limits.append(f"matching {schema['pattern']}")
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    return " ".join([kind, *limits])


def operations(spec: dict) -> list[dict]:
    out = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {})
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": type_of(p.get("schema", {})),
                                "description": p.get("description") or p.get("schema", {}).get("description", "")}
                               for p in op.get("parameters", [])],
                "body": ", ".join(body.get("content", {})) if body else "",
                "responses": [{"status": code, "description": r.get("description", ""),
                               "type": type_of(next(iter(r.get("content", {}).values()), {}).get("schema", {}))
                               if r.get("content") else ""}
                              for code, r in sorted(op.get("responses", {}).items())],
            })
    return out


def schemas(spec: dict) -> list[dict]:
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        out.append({"name": name, "description": schema.get("description", ""),
                    "fields": [{"name": k, "type": type_of(v), "required": k in required,
                                "description": v.get("description", "")}
                               for k, v in schema.get("properties", {}).items()]})
    return out


@router.get("/docs", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    return request.app.state.templates.TemplateResponse(
        request, "apidocs.html", {"info": spec.get("info", {}), "openapi": spec.get("openapi", ""),
                                   "operations": operations(spec), "schemas": schemas(spec)})
