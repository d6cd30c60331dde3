"""One error shape for the API, ``{"error": {"code", "message", "hint"}}``, and one
handler that turns every 4xx/5xx into it (or into the error page for HTML routes)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.errors import InputRejected, MinewatchError

LOG = logging.getLogger("review")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    hint: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """An error answered with ``status`` and the one error shape."""

    def __init__(self, status: int, message: str, hint: str | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint
        self.code = code or _CODES.get(status, "error")


class LoginRequired(Exception):
    """A page needs a signed-in user: redirect to the login form."""


def _as_api_error(exc: Exception) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid value')}" if where else "invalid request"
        return ApiError(422, message, "check the parameter against /api/v1/openapi.json")
    if isinstance(exc, InputRejected):
        return ApiError(400, str(exc), exc.hint)
    if isinstance(exc, StarletteHTTPException):
        return ApiError(exc.status_code, str(exc.detail))
    if isinstance(exc, MinewatchError):
        LOG.error("%s", exc)
        return ApiError(500, "the store failed to answer", "retry; the server log has the cause")
    LOG.exception("unexpected error", exc_info=exc)
    return ApiError(500, "unexpected server error", "the server log has the traceback")


def error_body(error: ApiError) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": error.code, "message": error.message, "hint": error.hint}}


async def handle_error(request: Request, exc: Exception) -> Response:
    """The one error handler: JSON for the API, the error page for HTML routes."""
    if isinstance(exc, LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
    error = _as_api_error(exc)
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(error), status_code=error.status)
    from review.templating import render  # the templates need the app's settings

    return render(request, "error.html", {"error": error}, status=error.status)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def install_error_handlers(app: FastAPI) -> None:
    for kind in (
        ApiError,
        LoginRequired,
        RequestValidationError,
        StarletteHTTPException,
        InputRejected,
        MinewatchError,
        Exception,
    ):
        app.add_exception_handler(kind, handle_error)
