"""Users, roles, argon2 passwords, bearer tokens (and the dashboard's cookie on top).

Tokens are random; only their sha256 is stored. Validated tokens are cached in memory for a
short while so a dashboard already logged in keeps receiving alerts while the database is down;
deactivating a user, changing their role or password, and logging out drop that cache at once.

Password guessing is slowed, never turned into a lock-out: after a few failures per address and
per account, each further try must wait (doubling, capped at 30 s), so a stranger typing a
tele-secretary's name cannot keep her out of the dashboard during a shift. Unknown usernames
cost one argon2 verification too (no timing oracle for which names exist).
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
from sqlalchemy import delete, select

from pipeline.service.db import Token, User, UserPractice
from pipeline.service.store import Store, StoreUnavailable


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
    practices: frozenset[str] | None = None
    """Multi-practice deployments: the practices whose calls this user sees; None: all (a
    user given no practice, e.g. a single-practice deployment)."""

    def sees(self, practice_id: str | None) -> bool:
        return self.practices is None or (practice_id is not None
                                          and practice_id in self.practices)


@dataclass(frozen=True)
class IssuedToken:
    token: str
    principal: Principal
    expires_at: float


class UserExists(ValueError):
    pass


class TooManyAttempts(RuntimeError):
    """Too many failed logins recently from this address or for this account: wait."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed logins: retry in {retry_after_s:.0f} s")


class UnknownUser(KeyError):
    pass


MIN_PASSWORD = 12


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: expected at least {MIN_PASSWORD} characters")


class LoginThrottle:
    """Exponential back-off per key (an address, an account) after `free` failures, capped at
    `max_delay_s`. Bounded memory: the least recently failing keys are forgotten first."""

    def __init__(self, free: int = 3, max_delay_s: float = 30.0, max_keys: int = 10000,
                 forget_after_s: float = 900.0, base_delay_s: float = 1.0) -> None:
        from collections import OrderedDict

        self.base_delay_s = base_delay_s
        self.free = free
        self.max_delay_s = max_delay_s
        self.max_keys = max_keys
        self.forget_after_s = forget_after_s
        self._fails: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait_s(self, key: str, now: float, allowance: int = 1) -> float:
        with self._lock:
            entry = self._fails.get(key)
        if entry is None:
            return 0.0
        count, last = entry
        free = self.free * allowance
        if now - last > self.forget_after_s or count < free:
            return 0.0
        delay = min(self.max_delay_s, self.base_delay_s * 2.0 ** (count - free))
        return max(0.0, last + delay - now)

    def failed(self, key: str, now: float) -> None:
        with self._lock:
            count, last = self._fails.pop(key, (0, now))
            if now - last > self.forget_after_s:
                count = 0
            self._fails[key] = (count + 1, now)
            while len(self._fails) > self.max_keys:
                self._fails.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)

    def __len__(self) -> int:
        return len(self._fails)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DUMMY_HASH = _hasher.hash("not a password anyone has: constant-time unknown users")


class Auth:
    def __init__(self, store: Store, token_ttl_s: int, cache_s: float = 300.0, *,
                 throttle: LoginThrottle | None = None) -> None:
        self.store = store
        self.ttl = token_ttl_s
        self._cache: dict[str, tuple[Principal, float, float]] = {}
        self._cache_s = cache_s
        self._lock = threading.Lock()
        self.throttle = throttle or LoginThrottle()

    def add_user(self, username: str, role: Role, password: str, *, actor: str = "cli") -> None:
        if not username or len(username) > 80:
            raise ValueError("username: expected 1 to 80 characters")
        check_password(password)
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

    def login(self, username: str, password: str,
              address: str | None = None) -> IssuedToken | None:
        """A token, or None for wrong credentials; raises `TooManyAttempts` (with the wait)
        while this address or this account is backing off."""
        now = time.time()
        keys = [f"user:{username.lower()}"] + ([f"addr:{address}"] if address else [])
        # An address (a practice's NAT: several staff) gets four times an account's allowance.
        wait = max(self.throttle.wait_s(k, now, allowance=4 if k.startswith("addr:") else 1)
                   for k in keys)
        if wait > 0:
            raise TooManyAttempts(wait)
        with self.store.session() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            ok = False
            try:
                # Same argon2 work whether or not the name exists (no timing oracle).
                ok = _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH,
                                    password)
            except (VerificationError, InvalidHashError):
                ok = False
            if user is None or not user.active:
                ok = False
            if not ok or user is None:
                # Audit failed logins by name only (no password, no IP).
                self.store.log(s, username[:80], "auth.login_failed")
                for key in keys:  # the wait counts from the answer, not from the request
                    self.throttle.failed(key, time.time())
                return None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            token = secrets.token_urlsafe(32)
            now = time.time()
            s.add(Token(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                        expires_at=now + self.ttl))
            self.store.log(s, user.username, "auth.login", role=user.role)
            principal = Principal(user.username, Role(user.role))
        self.throttle.succeeded(keys[0])
        return IssuedToken(token, principal, now + self.ttl)

    def _forget(self, username: str) -> None:
        with self._lock:
            for key in [k for k, v in self._cache.items() if v[0].username == username]:
                del self._cache[key]

    def set_practices(self, username: str, practices: frozenset[str], *, actor: str) -> None:
        """The practices a user belongs to (none: every practice). Audited; applies to the
        user's next request."""
        with self.store.session() as s:
            if s.execute(select(User).where(User.username == username)).scalar() is None:
                raise UnknownUser(username)
            s.execute(delete(UserPractice).where(UserPractice.username == username))
            for practice_id in sorted(practices):
                s.add(UserPractice(username=username, practice_id=practice_id))
            self.store.log(s, actor, "user.practices", None, username=username,
                           practices=sorted(practices))
        with self._lock:
            self._cache.clear()

    def update_user(self, username: str, *, actor: str, role: Role | None = None,
                    active: bool | None = None, password: str | None = None) -> tuple[
                        str, Role, bool]:
        """Change a user's role, activity or password (admin only, audited). Deactivation and
        a new password end the user's sessions at once; a new role applies at once."""
        if password is not None:
            check_password(password)
        with self.store.session() as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None:
                raise UnknownUser(username)
            changes: list[str] = []
            if role is not None and role.value != user.role:
                self.store.log(s, actor, "user.role", None, username=username, old=user.role,
                               new=role.value)
                user.role = role.value
                changes.append("role")
            if active is not None and active != user.active:
                user.active = active
                self.store.log(s, actor, "user.activate" if active else "user.deactivate",
                               None, username=username)
                changes.append("active")
            if password is not None:
                user.password_hash = _hasher.hash(password)
                self.store.log(s, actor, "user.password", None, username=username)
                changes.append("password")
            if "password" in changes or (active is False):
                s.execute(delete(Token).where(Token.user_id == user.id))
            result = (user.username, Role(user.role), bool(user.active))
        self._forget(username)
        return result

    def logout(self, token: str) -> None:
        h = _token_hash(token)
        with self._lock:
            self._cache.pop(h, None)
        with self.store.session() as s:
            row = s.get(Token, h)
            if row is not None:
                s.delete(row)

    def principal(self, token: str) -> Principal | None:
        """The token's user, or None. The database decides (so a deactivation or logout by
        another process applies at once); while it is down, a token validated in the last
        `cache_s` still works (a logged-in dashboard keeps its alerts), others raise
        StoreUnavailable."""
        h = _token_hash(token)
        now = time.time()
        try:
            with self.store.session(read=True) as s:
                row = s.get(Token, h)
                user = s.get(User, row.user_id) if row is not None else None
                if row is None or row.expires_at < now or user is None or not user.active:
                    with self._lock:
                        self._cache.pop(h, None)
                    return None
                memberships = frozenset(s.execute(select(UserPractice.practice_id).where(
                    UserPractice.username == user.username)).scalars())
                principal = Principal(user.username, Role(user.role), memberships or None)
                expires = row.expires_at
        except StoreUnavailable:
            with self._lock:
                cached = self._cache.get(h)
            if cached and cached[1] > now and cached[2] > now:
                return cached[0]
            raise
        with self._lock:
            self._cache.pop(h, None)
            self._cache[h] = (principal, expires, now + self._cache_s)
            while len(self._cache) > 10000:  # bounded: the oldest validations go first
                del self._cache[next(iter(self._cache))]
        return principal
