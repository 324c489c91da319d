"""API keys, the principals they stand for, and role checks.

A key is shown once, when it is made; the ledger stores only its SHA-256, so a copy
of the database file gives away no key. Roles: `agent` (drafts: approve, edit,
reject), `merchant` (uploads), `trainer` (prompts, eval sets, evals) are bound to one
merchant; `admin` is bound to none and may do everything.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from copilot.errors import BadRequest, Forbidden, Unauthorized
from copilot.ledger import ROLES, Ledger, Role

KEY_PREFIX = "ck_"
KEY_BYTES = 24
ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    role: Role
    merchant: str | None
    label: str


def key_hash(raw_key: str) -> str:
    """The stored form of a key: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_key(ledger: Ledger, *, role: str, merchant: str | None, label: str) -> str:
    """Make a key and return it raw; this is the only time it can be read."""
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role != ADMIN and not merchant:
        raise BadRequest(f"a {role} key belongs to one merchant; pass the merchant id")
    raw = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    ledger.add_api_key(key_hash(raw), role=role, merchant=None if role == ADMIN else merchant, label=label)
    return raw


def authenticate(ledger: Ledger, raw_key: str | None) -> Principal:
    """The principal behind a raw key; `Unauthorized` if it is missing, unknown or revoked."""
    if not raw_key:
        raise Unauthorized("no API key given; send one as `Authorization: Bearer ck_…`")
    found = ledger.find_api_key(key_hash(raw_key))
    if found is None or found.revoked:
        raise Unauthorized("unknown or revoked API key; ask an admin for a new one")
    return Principal(role=found.role, merchant=found.merchant, label=found.label)


def require(principal: Principal, *, roles: Iterable[str], merchant: str | None = None) -> Principal:
    """Let the principal through, or raise `Forbidden`.

    The role must be one of `roles`, and when `merchant` is given it must be the
    principal's own; an admin passes every check.
    """
    if principal.role == ADMIN:
        return principal
    allowed = sorted(roles)
    if principal.role not in allowed:
        raise Forbidden(
            f"this needs the role {' or '.join(allowed)}; key {principal.label!r} is a {principal.role} key"
        )
    if merchant is not None and principal.merchant != merchant:
        raise Forbidden(
            f"key {principal.label!r} belongs to another merchant than {merchant!r}; use that merchant's key"
        )
    return principal
