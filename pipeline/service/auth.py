"""Users, roles, argon2 passwords, bearer tokens (and the dashboard's cookie on top).

Tokens are random; only their sha256 is stored. Validated tokens are cached in memory for a
short while so a dashboard already logged in keeps receiving alerts while the database is down.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from pipeline.service.db import Token, User
from pipeline.service.store import Store


class Role(StrEnum):
    TELE_SECRETARY = "tele_secretary"
    PHYSICIAN = "physician"
    DATA_ANALYST = "data_analyst"
    ADMIN = "admin"


CLINICAL = (Role.TELE_SECRETARY, Role.PHYSICIAN, Role.ADMIN)
"""Roles that see callers' details and act on calls."""
ANALYSTS = (Role.DATA_ANALYST, Role.ADMIN)
ALL_ROLES = tuple(Role)

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role


@dataclass(frozen=True)
class IssuedToken:
    token: str
    principal: Principal
    expires_at: float


class UserExists(ValueError):
    pass


class TooManyAttempts(RuntimeError):
    """Too many failed logins for this username recently (password guessing)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    def __init__(self, store: Store, token_ttl_s: int, cache_s: float = 300.0) -> None:
        self.store = store
        self.ttl = token_ttl_s
        self._cache: dict[str, tuple[Principal, float, float]] = {}
        self._cache_s = cache_s
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}
        self.max_failures = 5
        self.failure_window_s = 300.0

    def add_user(self, username: str, role: Role, password: str, *, actor: str = "cli") -> None:
        if not username or len(username) > 80:
            raise ValueError("username: expected 1 to 80 characters")
        if len(password) < 8:
            raise ValueError("password: expected at least 8 characters")
        hashed = _hasher.hash(password)
        with self.store.session() as s:
            if s.execute(select(User.id).where(User.username == username)).first():
                raise UserExists(f"user {username!r} already exists")
            s.add(User(username=username, role=role.value, password_hash=hashed,
                       created_at=time.time(), active=True))
            self.store.log(s, actor, "user.add", None, username=username, role=role.value)

    def list_users(self) -> list[tuple[str, Role, bool]]:
        with self.store.session(read=True) as s:
            rows = s.execute(select(User).order_by(User.username)).scalars().all()
            return [(u.username, Role(u.role), u.active) for u in rows]

    def login(self, username: str, password: str) -> IssuedToken | None:
        """A token, or None for wrong credentials; raises `TooManyAttempts` after
        `max_failures` failures for the username within `failure_window_s`."""
        now = time.time()
        with self._lock:
            recent = [t for t in self._failures.get(username, [])
                      if now - t < self.failure_window_s]
            self._failures[username] = recent
            if len(recent) >= self.max_failures:
                raise TooManyAttempts(f"too many failed logins; retry in "
                                      f"{int(self.failure_window_s - (now - recent[0])) + 1}s")
        with self.store.session() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            ok = False
            if user is not None and user.active:
                try:
                    ok = _hasher.verify(user.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
            if not ok or user is None:
                # Audit failed logins by name only (no password, no IP).
                self.store.log(s, username[:80], "auth.login_failed")
                with self._lock:
                    self._failures.setdefault(username, []).append(now)
                return None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            token = secrets.token_urlsafe(32)
            now = time.time()
            s.add(Token(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                        expires_at=now + self.ttl))
            self.store.log(s, user.username, "auth.login", role=user.role)
            principal = Principal(user.username, Role(user.role))
        return IssuedToken(token, principal, now + self.ttl)

    def logout(self, token: str) -> None:
        h = _token_hash(token)
        with self._lock:
            self._cache.pop(h, None)
        with self.store.session() as s:
            row = s.get(Token, h)
            if row is not None:
                s.delete(row)

    def principal(self, token: str) -> Principal | None:
        """The token's user, or None. Raises StoreUnavailable if the database is down and the
        token is not in the recent cache."""
        h = _token_hash(token)
        now = time.time()
        with self._lock:
            cached = self._cache.get(h)
        if cached and cached[1] > now and cached[2] > now:
            return cached[0]
        with self.store.session(read=True) as s:
            row = s.get(Token, h)
            if row is None or row.expires_at < now:
                return None
            user = s.get(User, row.user_id)
            if user is None or not user.active:
                return None
            principal = Principal(user.username, Role(user.role))
            expires = row.expires_at
        with self._lock:
            self._cache[h] = (principal, expires, now + self._cache_s)
        return principal
