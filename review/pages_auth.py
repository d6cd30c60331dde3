"""Sign in, sign out, and the one-time link that creates the first admin."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from models.review_users import UserRow, add_user, authenticate, count_users
from review.auth import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    DbSession,
    Visitor,
    check_csrf,
    session_cookie,
)
from review.auth import visitor as signed_in
from review.errors import ApiError
from review.templating import render

router = APIRouter(include_in_schema=False)


def _local_target(target: str | None) -> str:
    """Only same-site paths are followed after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/events"


def _signed_in(request: Request, user: UserRow, target: str) -> Response:
    response = RedirectResponse(_local_target(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(request, user),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/events") -> Response:
    return render(request, "login.html", {"next": _local_target(next), "failed": False})


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/events",
) -> Response:
    user = authenticate(session, name, password)
    if user is None:
        context = {"next": _local_target(next), "failed": True}
        return render(request, "login.html", context, status=401)
    return _signed_in(request, user, next)


@router.post("/logout")
def logout(
    found: Annotated[Visitor, Depends(signed_in)], csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(found, csrf)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _check_setup(request: Request, session: Session, token: str) -> None:
    expected = request.app.state.setup_token
    if not expected or count_users(session) > 0:
        raise ApiError(404, "setup is done", "sign in, or ask an admin for an account")
    if not hmac.compare_digest(expected, token):
        raise ApiError(403, "wrong setup link", "use the link `minewatch serve` printed")


@router.get("/setup")
def setup_form(request: Request, session: DbSession, token: str = "") -> Response:
    _check_setup(request, session, token)
    return render(request, "setup.html", {"token": token})


@router.post("/setup")
def setup(
    request: Request,
    session: DbSession,
    token: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    _check_setup(request, session, token)
    user = add_user(session, name, "admin", password)
    session.commit()
    request.app.state.setup_token = None
    return _signed_in(request, user, "/events")
