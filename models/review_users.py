"""Accounts of the review app: create, look up, authenticate, issue API tokens.

Passwords are hashed with Argon2 (argon2-cffi); an API token is 32 random bytes shown
once, of which only the SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.review_schema import ROLES, UserModel
from pipeline.errors import InputRejected

_HASHER = PasswordHasher()
MIN_PASSWORD_CHARS = 8


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is ``role`` or above (viewer < reviewer < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _row(user: UserModel) -> UserRow:
    return UserRow(user.id, user.name, user.role)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UserModel)) or 0


def add_user(session: Session, name: str, role: str, password: str) -> UserRow:
    """Create an account; the caller commits. InputRejected for a taken name or bad input."""
    name = name.strip()
    if not name or len(name) > 255:
        raise InputRejected("a user name needs 1 to 255 characters")
    if role not in ROLES:
        raise InputRejected(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputRejected(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if session.scalars(select(UserModel).where(UserModel.name == name)).first() is not None:
        raise InputRejected(f"user {name!r} exists already")
    user = UserModel(name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return _row(user)


def authenticate(session: Session, name: str, password: str) -> UserRow | None:
    """The user if the password is right, else None (same answer for unknown names)."""
    user = session.scalars(select(UserModel).where(UserModel.name == name)).first()
    if user is None:
        _HASHER.hash(password)  # spend the same time as a real check
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _row(user)


def user_by_id(session: Session, user_id: int) -> UserRow | None:
    user = session.get(UserModel, user_id)
    return None if user is None else _row(user)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, name: str) -> str:
    """A new API token for ``name`` (replacing any earlier one); the caller commits."""
    user = session.scalars(select(UserModel).where(UserModel.name == name)).first()
    if user is None:
        raise InputRejected(f"no user named {name!r}; create one with `minewatch users add`")
    token = secrets.token_urlsafe(32)
    user.token_hash = _token_digest(token)
    return token


def user_by_token(session: Session, token: str) -> UserRow | None:
    digest = _token_digest(token)
    user = session.scalars(select(UserModel).where(UserModel.token_hash == digest)).first()
    return None if user is None else _row(user)
