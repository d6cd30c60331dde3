"""Jinja2 templates of the package (autoescaped) and the helpers they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")


def safe_url(value: str | None) -> str | None:
    """The URL if it is http(s), else None: links never get other schemes."""
    if not value:
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


TEMPLATES.env.filters["safe_url"] = safe_url
TEMPLATES.env.autoescape = True


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    visitor = context.get("visitor")
    full = {"visitor": visitor, **context}
    return TEMPLATES.TemplateResponse(request, name, full, status_code=status)
