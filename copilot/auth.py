"""API keys, the principals they stand for, and role checks.

A key is shown once, when it is made; the ledger stores only its SHA-256, so a copy
of the database file gives away no key. A key travels only in the `Authorization`
header (never in a URL, which access logs record); it may expire, and an admin revokes
it by its id (`copilot keys revoke`, `DELETE /v1/keys/{id}`), both audited. Roles: `agent` (drafts: approve, edit,
reject), `merchant` (uploads), `trainer` (prompts, eval sets, evals) are bound to one
merchant; `admin` is bound to none and may do everything.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from copilot.errors import BadRequest, Forbidden, NotFound, Unauthorized
from copilot.ledger import KEY_ID_CHARS, ROLES, Ledger, Role
from copilot.names import check_label

KEY_PREFIX = "ck_"
KEY_BYTES = 24
ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    role: Role
    merchant: str | None
    label: str
    key_hash: str = field(default="", compare=False, repr=False)   # of the key it came with

    @property
    def key_id(self) -> str:
        return self.key_hash[:KEY_ID_CHARS]


def key_hash(raw_key: str) -> str:
    """The stored form of a key: hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def new_key(ledger: Ledger, *, role: str, merchant: str | None, label: str,
            merchants: Collection[str] | None = None, expires_in_days: float | None = None,
            actor: str = "system") -> str:
    """Make a key and return it raw; this is the only time it can be read.

    `merchants`: the merchants that exist (the CLI and HTTP always pass them; a key for any
    other is refused without naming them). `actor`: who made it, for the audit row."""
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role != ADMIN and not merchant:
        raise BadRequest(f"a {role} key belongs to one merchant; pass the merchant id")
    check_label(label, what="key label")          # a person's label, any language (小王); one line
    if role != ADMIN and merchants is not None and merchant not in merchants:
        raise BadRequest(f"no merchant {merchant!r}; create it first (`copilot merchants add`)")
    if expires_in_days is not None and expires_in_days <= 0:
        raise BadRequest("expires_in_days must be more than 0")
    raw = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    expires_at = None if expires_in_days is None else time.time() + expires_in_days * 86400
    ledger.add_api_key(key_hash(raw), role=role, merchant=None if role == ADMIN else merchant, label=label,
                       expires_at=expires_at, actor=actor)
    return raw


def authenticate(ledger: Ledger, raw_key: str | None) -> Principal:
    """The principal behind a raw key; `Unauthorized` if it is missing, unknown, revoked or expired."""
    if not raw_key:
        raise Unauthorized("no API key given; send one as `Authorization: Bearer ck_…`")
    return principal_of(ledger, key_hash(raw_key))


def principal_of(ledger: Ledger, hashed: str) -> Principal:
    """The principal behind a stored key (by hash), if the key is still usable."""
    found = ledger.find_api_key(hashed)
    if found is None or not found.usable(time.time()):
        raise Unauthorized("unknown, revoked or expired API key; ask an admin for a new one")
    return Principal(role=found.role, merchant=found.merchant, label=found.label, key_hash=found.key_hash)


def require_owner(principal: Principal, *, roles: Iterable[str], merchant: str, what: str) -> Principal:
    """Like `require`, for a thing that belongs to `merchant` (a conversation, a suggestion): to
    another merchant's caller it is `NotFound`, exactly like a thing that does not exist."""
    if principal.role != ADMIN and principal.merchant != merchant:
        raise NotFound(f"no {what}")
    return require(principal, roles=roles, merchant=merchant)


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
