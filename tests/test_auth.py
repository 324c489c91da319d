"""API keys and role checks, against a real ledger file."""
from __future__ import annotations

import pytest

from copilot.auth import Principal, authenticate, key_hash, new_key, require
from copilot.errors import BadRequest, Forbidden, Unauthorized


def file_bytes(path) -> bytes:
    """Everything SQLite wrote: the main file and its write-ahead log."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_keys_are_stored_hashed_only(ledger, path):
    raw = new_key(ledger, role="agent", merchant="m1", label="ann's laptop")
    assert raw.startswith("ck_") and len(raw) > 30
    stored = file_bytes(path)
    assert key_hash(raw).encode() in stored  # we are looking at the right bytes
    assert raw.encode() not in stored
    assert raw[3:].encode() not in stored
    assert ledger.find_api_key(key_hash(raw)).label == "ann's laptop"


def test_authenticate_returns_the_principal_behind_a_key(ledger):
    raw = new_key(ledger, role="merchant", merchant="m1", label="uploads")
    assert authenticate(ledger, raw) == Principal(role="merchant", merchant="m1", label="uploads")
    assert new_key(ledger, role="agent", merchant="m1", label="other") != raw


@pytest.mark.parametrize("raw", [None, "", "ck_not-a-key"])
def test_missing_or_unknown_keys_are_unauthorized(ledger, raw):
    with pytest.raises(Unauthorized):
        authenticate(ledger, raw)


def test_revoked_keys_are_unauthorized(ledger):
    raw = new_key(ledger, role="agent", merchant="m1", label="ann")
    ledger.revoke_api_key(key_hash(raw)[:16], actor="admin-ann")
    with pytest.raises(Unauthorized, match="revoked"):
        authenticate(ledger, raw)


def test_new_key_checks_role_and_merchant(ledger):
    with pytest.raises(BadRequest, match="unknown role"):
        new_key(ledger, role="owner", merchant="m1", label="x")
    with pytest.raises(BadRequest, match="merchant"):
        new_key(ledger, role="agent", merchant=None, label="x")
    admin = new_key(ledger, role="admin", merchant="ignored", label="root")
    assert authenticate(ledger, admin).merchant is None


def test_require_checks_role_and_merchant():
    agent = Principal(role="agent", merchant="m1", label="ann")
    assert require(agent, roles=("agent",), merchant="m1") is agent
    assert require(agent, roles=("agent", "merchant")) is agent
    with pytest.raises(Forbidden, match="trainer"):
        require(agent, roles=("trainer",), merchant="m1")
    with pytest.raises(Forbidden, match="another merchant"):
        require(agent, roles=("agent",), merchant="m2")


def test_admin_may_do_everything():
    admin = Principal(role="admin", merchant=None, label="root")
    assert require(admin, roles=("trainer",), merchant="m2") is admin
    assert require(admin, roles=(), merchant="m1") is admin
