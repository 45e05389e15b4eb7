"""Board accounts: users with a role, argon2-hashed passwords, sessions and per-user API tokens.

Everything is kept as records in the store (graph/records.py), so the embedded
store and Neo4j behave the same. Roles are ordered: ``viewer`` reads,
``editor`` also edits, ``admin`` also manages users.

Secrets are never stored: passwords as argon2id hashes (argon2-cffi), session ids
and API tokens as their SHA-256. A token or session id is 32 random bytes, so a
fast hash is enough to make a stolen table useless (a slow hash protects guessable
passwords, not random keys) and lets every API call be checked in microseconds.

>>> from danvan.graph.embedded import EmbeddedStore
>>> accounts = Accounts(EmbeddedStore(":memory:"))
>>> accounts.add_user("an", "editor", "mật khẩu dài")["role"]
'editor'
>>> accounts.check_password("an", "mật khẩu dài")["name"], accounts.check_password("an", "sai")
('an', None)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from danvan.errors import ConfigError, NotFoundError
from danvan.graph.store import Store
from danvan.text import nfc

__all__ = ["ROLES", "Accounts", "User", "has_role", "token_hash"]

ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD = 8
TOKEN_PREFIX = "dvt_"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the user does not exist, so a wrong name costs as long as a
# wrong password (no user enumeration through timing).
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    """Who is acting: a name and a role (``source`` says how they were identified)."""

    name: str
    role: str
    source: str = "session"

    def can(self, role: str) -> bool:
        """Whether this user has at least ``role``."""
        return has_role(self.role, role)


def has_role(role: str, needed: str) -> bool:
    """Roles are ordered viewer < editor < admin.

    >>> has_role("admin", "editor"), has_role("viewer", "editor")
    (True, False)
    """
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def token_hash(secret: str) -> str:
    """SHA-256 hex of a session id or API token (see the module docstring for why not argon2)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_name(name: str) -> str:
    name = nfc(name).strip()
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise ConfigError(f"user name {name!r}: 1-64 characters, no spaces")
    return name


class Accounts:
    """Users, sessions and API tokens of one store."""

    def __init__(self, store: Store) -> None:
        self.records = store.records

    # users ----------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> dict[str, Any]:
        """Create a user (or reset an existing one's role and password)."""
        name = _check_name(name)
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"password: at least {MIN_PASSWORD} characters")
        return self.records.put("User", name, {"name": name, "role": role, "disabled": False,
                                               "password_hash": _hasher.hash(password)})

    def get_user(self, name: str) -> dict[str, Any] | None:
        """The user record, or None."""
        return self.records.get("User", nfc(name).strip())

    def users(self) -> list[dict[str, Any]]:
        """Every user, by name, without password hashes."""
        rows = self.records.find("User", limit=10_000)
        return sorted(({k: v for k, v in r.items() if k != "password_hash"} for r in rows),
                      key=lambda r: r["name"])

    def disable(self, name: str) -> None:
        """Disable a user: no sign-in, sessions and tokens refused from now on."""
        user = self.get_user(name)
        if user is None:
            raise NotFoundError(f"no user named {name!r}")
        self.records.put("User", user["key"], {**user, "disabled": True})
        for session in self.records.find("Session", where={"user": user["name"]}, limit=10_000):
            self.records.delete("Session", session["key"])
        for token in self.records.find("ApiToken", where={"user": user["name"]}, limit=10_000):
            self.records.put("ApiToken", token["key"], {**token, "revoked": True})

    def check_password(self, name: str, password: str) -> dict[str, Any] | None:
        """The active user whose password this is, or None (the same work either way)."""
        user = self.get_user(name) if name.strip() else None
        stored = user["password_hash"] if user else _DUMMY_HASH
        try:
            ok = _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None or user.get("disabled"):
            return None
        return user

    # sessions -------------------------------------------------------------------
    def start_session(self, name: str, hours: float) -> tuple[str, str]:
        """A new session for ``name``: (session id for the cookie, its CSRF token)."""
        for old in self.records.find("Session", where={"user": name}, limit=10_000):
            if dt.datetime.fromisoformat(old["expires"]) <= _now():  # expired, never used again
                self.records.delete("Session", old["key"])
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = (_now() + dt.timedelta(hours=hours)).isoformat()
        self.records.put("Session", token_hash(sid), {"user": name, "csrf": csrf,
                                                      "expires": expires})
        return sid, csrf

    def session(self, sid: str) -> tuple[User, str] | None:
        """(user, CSRF token) of a live session; None when unknown, expired or disabled."""
        if not sid:
            return None
        record = self.records.get("Session", token_hash(sid))
        if record is None:
            return None
        if dt.datetime.fromisoformat(record["expires"]) <= _now():
            self.records.delete("Session", record["key"])
            return None
        user = self.get_user(record["user"])
        if user is None or user.get("disabled"):
            return None
        return User(user["name"], user["role"], "session"), record["csrf"]

    def end_session(self, sid: str) -> None:
        """Sign out: the session id is forgotten."""
        if sid:
            self.records.delete("Session", token_hash(sid))

    # API tokens -----------------------------------------------------------------
    def new_token(self, name: str) -> str:
        """A new API token for ``name`` (shown once; only its hash is kept)."""
        user = self.get_user(name)
        if user is None:
            raise NotFoundError(f"no user named {name!r}")
        if user.get("disabled"):
            raise ConfigError(f"user {name!r} is disabled")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.records.put("ApiToken", token_hash(secret), {"user": user["name"], "revoked": False})
        return secret

    def tokens(self, name: str) -> list[dict[str, Any]]:
        """The user's tokens (hash prefix, created, revoked)."""
        return self.records.find("ApiToken", where={"user": name}, limit=10_000)

    def revoke_token(self, key_prefix: str) -> int:
        """Revoke tokens whose stored hash starts with ``key_prefix`` (at least 8 hex digits)."""
        if len(key_prefix) < 8:
            raise ConfigError("give at least 8 characters of the token's id")
        count = 0
        for user in self.users():
            for token in self.tokens(user["name"]):
                if token["key"].startswith(key_prefix) and not token.get("revoked"):
                    self.records.put("ApiToken", token["key"], {**token, "revoked": True})
                    count += 1
        return count

    def user_of_token(self, secret: str) -> User | None:
        """The active user an API token belongs to, or None."""
        record = self.records.get("ApiToken", token_hash(secret)) if secret else None
        if record is None or record.get("revoked"):
            return None
        user = self.get_user(record["user"])
        if user is None or user.get("disabled"):
            return None
        return User(user["name"], user["role"], "token")
