"""Who is asking: signed session cookies for pages, bearer tokens for the API, CSRF
tokens for every form post, and the role a write needs (reviewer)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from models.review_users import UserRow, user_by_id, user_by_token
from review.errors import ApiError, LoginRequired

SESSION_COOKIE = "mw_session"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Visitor:
    """The signed-in user of a page request and the CSRF token of their session."""

    user: UserRow
    csrf: str


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt="minewatch-session")


def session_cookie(request: Request, user: UserRow) -> str:
    return _signer(request).dumps({"uid": user.id, "csrf": secrets.token_urlsafe(24)})


def db(request: Request) -> Iterator[Session]:
    """A session of the app's database for one request; routes commit their writes."""
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(db)]


def _from_cookie(request: Request, session: Session) -> Visitor | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = _signer(request).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    user = user_by_id(session, data["uid"])
    return None if user is None else Visitor(user, str(data.get("csrf", "")))


def optional_visitor(request: Request, session: DbSession) -> Visitor | None:
    return _from_cookie(request, session)


def visitor(request: Request, session: DbSession) -> Visitor:
    """The signed-in user of a page; anyone else is sent to the login form."""
    found = _from_cookie(request, session)
    if found is None:
        raise LoginRequired()
    return found


PageVisitor = Annotated[Visitor, Depends(visitor)]


def check_csrf(found: Visitor, token: str | None) -> None:
    if not token or not hmac.compare_digest(found.csrf, token):
        raise ApiError(403, "the form's CSRF token is missing or stale", "reload the page")


def reviewer(found: Visitor) -> UserRow:
    if not found.user.can("reviewer"):
        raise ApiError(403, "this needs the reviewer role", "ask an admin for the reviewer role")
    return found.user


def api_user(request: Request, session: DbSession) -> UserRow:
    """The API caller: a bearer token; a page session is accepted for reads only."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = user_by_token(session, token.strip())
        if user is None:
            raise ApiError(401, "unknown API token", "create one with `minewatch users token NAME`")
        return user
    if request.method == "GET":
        found = _from_cookie(request, session)
        if found is not None:
            return found.user
    raise ApiError(401, "missing bearer token", "send Authorization: Bearer <token>")


def api_reviewer(user: Annotated[UserRow, Depends(api_user)]) -> UserRow:
    if not user.can("reviewer"):
        raise ApiError(403, "this needs the reviewer role", "ask an admin for the reviewer role")
    return user
