"""The SQLite ledger, on a real file in a temp dir."""
from __future__ import annotations

import sqlite3

import pytest

from copilot.errors import BadRequest, Conflict, Forbidden, NotFound
from copilot.ledger import migrate
from copilot.ledger.sqlite import SqliteLedger

TABLES = ("conversations", "messages", "suggestions", "approvals", "rejections", "outbox",
          "deliveries", "events", "audit", "api_keys")


def counts(path) -> dict[str, int]:
    """Row counts read through a separate connection: what is really in the file."""
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def drafted(ledger, conversation="c1", *, merchant="m1", text="It ships in 48 hours.", channel="local"):
    """A conversation with one customer message and a finished, pending suggestion."""
    ledger.ensure_conversation(conversation, merchant=merchant, channel=channel, shopper="shopper-1")
    message = ledger.add_message(conversation, role="customer", text="When does it ship?", sku_in_view="SKU1")
    suggestion = ledger.create_suggestion(conversation, message_id=message.id)
    return ledger.finish_suggestion(
        suggestion.id, text=text, citations=[{"kind": "policy", "id": "shipping"}],
        flags={"grounded": True}, prompt_id="reply", prompt_version="1", model="offline",
        timings={"total_ms": 12},
    )


def test_migrations_apply_on_a_fresh_file_and_reopening_changes_nothing(path):
    first = SqliteLedger(path=path)
    first.ensure_conversation("c1", merchant="m1", channel="local", shopper="s")
    first.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = conn.execute("SELECT version, name FROM schema_version").fetchall()
    shipped = [(m.version, m.name) for m in migrate.load_migrations()]
    assert versions == shipped and shipped[0] == (1, "init")

    again = SqliteLedger(path=path)
    assert again.get_conversation("c1").merchant == "m1"
    again.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(shipped)
        conn.isolation_level = None
        assert migrate.apply_migrations(conn) == []


def test_a_failing_migration_leaves_the_file_as_it_was(path, monkeypatch):
    shipped = migrate.load_migrations()
    broken = migrate.Migration(shipped[-1].version + 1, "broken", "CREATE TABLE half (a INTEGER);\nSELECT nope FROM missing;\n")
    monkeypatch.setattr(migrate, "load_migrations", lambda: [*shipped, broken])
    with pytest.raises(sqlite3.OperationalError):
        SqliteLedger(path=path)
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 0
    assert "conversations" not in names and "half" not in names


def test_conversations_belong_to_one_merchant(ledger):
    created = ledger.ensure_conversation("c1", merchant="m1", channel="local", shopper="s")
    assert ledger.ensure_conversation("c1", merchant="m1", channel="local", shopper="s") == created
    with pytest.raises(Forbidden, match="another merchant"):
        ledger.ensure_conversation("c1", merchant="m2", channel="local", shopper="s")
    with pytest.raises(NotFound):
        ledger.get_conversation("nope")


def test_list_conversations_filters_by_merchant_status_and_agent(ledger):
    for cid, merchant in [("a", "m1"), ("b", "m1"), ("c", "m2")]:
        ledger.ensure_conversation(cid, merchant=merchant, channel="local", shopper="s")
    ledger.update_conversation("b", status="escalated", assigned_agent="ann", assigned_group="senior")
    assert {c.id for c in ledger.list_conversations(merchant="m1")} == {"a", "b"}
    assert [c.id for c in ledger.list_conversations(merchant="m1", status="escalated")] == ["b"]
    assert [c.id for c in ledger.list_conversations(merchant="m1", agent="ann")] == ["b"]
    assert ledger.get_conversation("b").assigned_group == "senior"
    with pytest.raises(BadRequest):
        ledger.update_conversation("a", status="snoozed")


def test_a_customer_message_makes_pending_suggestions_stale(ledger):
    suggestion = drafted(ledger)
    ledger.add_message("c1", role="agent", text="Let me check.")
    assert ledger.get_suggestion(suggestion.id).status == "pending"
    ledger.add_message("c1", role="customer", text="Hello?")
    assert ledger.get_suggestion(suggestion.id).status == "stale"
    assert [m.seq for m in ledger.messages("c1")] == [1, 2, 3]


def test_a_suggestion_for_an_overtaken_message_is_born_stale(ledger):
    ledger.ensure_conversation("c1", merchant="m1", channel="local", shopper="s")
    first = ledger.add_message("c1", role="customer", text="one")
    ledger.add_message("c1", role="customer", text="two")
    assert ledger.create_suggestion("c1", message_id=first.id).status == "stale"
    with pytest.raises(NotFound):
        ledger.create_suggestion("c1", message_id="m_unknown")


def test_approve_writes_approval_message_outbox_and_audit(ledger, path):
    suggestion = drafted(ledger)
    item = ledger.approve(suggestion.id, agent="ann", final_text="Ships in 2 days.", idempotency_key="k1")

    assert ledger.get_suggestion(suggestion.id).status == "approved"
    approval = ledger.get_approval(suggestion.id)
    assert (approval.agent, approval.final_text, approval.edited, approval.source) == (
        "ann", "Ships in 2 days.", True, "edit")
    assert ledger.messages("c1")[-1].role == "agent"
    assert ledger.messages("c1")[-1].text == "Ships in 2 days."
    assert item.status == "pending" and item.channel == "local" and item.attempts == 0
    assert item.payload == {
        "conversation_id": "c1", "suggestion_id": suggestion.id, "merchant": "m1",
        "shopper": "shopper-1", "text": "Ships in 2 days.", "idempotency_key": item.idempotency_key,
    }
    [entry] = ledger.audit_log(target=suggestion.id)
    assert (entry.actor, entry.action, entry.detail) == ("ann", "suggestion.approve",
                                                         {"outbox_id": item.id, "edited": True, "source": "edit"})
    assert counts(path)["outbox"] == 1


def test_approve_is_all_or_nothing(ledger, path):
    suggestion = drafted(ledger)
    before = counts(path)
    with sqlite3.connect(path) as conn:  # the last write of the transaction will fail
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        ledger.approve(suggestion.id, agent="ann", idempotency_key="k1")
    assert counts(path) == before
    assert ledger.get_suggestion(suggestion.id).status == "pending"

    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER boom")
    assert ledger.approve(suggestion.id, agent="ann", idempotency_key="k1").status == "pending"


def test_a_replayed_approval_returns_the_same_outbox_row_and_writes_nothing(ledger, path):
    suggestion = drafted(ledger)
    item = ledger.approve(suggestion.id, agent="ann", idempotency_key="k1")
    before = counts(path)
    assert ledger.approve(suggestion.id, agent="ann", idempotency_key="k1") == item
    assert counts(path) == before


def test_an_idempotency_key_serves_one_suggestion_only(ledger, path):
    first = drafted(ledger, "c1")
    second = drafted(ledger, "c2")
    ledger.approve(first.id, agent="ann", idempotency_key="k1")
    before = counts(path)
    with pytest.raises(Conflict, match="already used"):
        ledger.approve(second.id, agent="ann", idempotency_key="k1")
    assert counts(path) == before
    assert ledger.get_suggestion(second.id).status == "pending"


def test_only_pending_suggestions_can_be_approved(ledger, path):
    stale = drafted(ledger, "c1")
    ledger.add_message("c1", role="customer", text="and the colour?")
    rejected = drafted(ledger, "c2")
    ledger.reject(rejected.id, agent="ann", reason="wrong size chart", idempotency_key="r1")
    approved = drafted(ledger, "c3")
    ledger.approve(approved.id, agent="ann", idempotency_key="a1")
    before = counts(path)

    with pytest.raises(Conflict, match="stale"):
        ledger.approve(stale.id, agent="ann", idempotency_key="a2")
    with pytest.raises(Conflict, match="rejected"):
        ledger.approve(rejected.id, agent="ann", idempotency_key="a3")
    with pytest.raises(Conflict, match="already approved"):
        ledger.approve(approved.id, agent="bob", idempotency_key="a4")
    with pytest.raises(NotFound):
        ledger.approve("s_unknown", agent="ann", idempotency_key="a5")
    assert counts(path) == before


def test_an_unfinished_draft_needs_the_agents_text(ledger):
    ledger.ensure_conversation("c1", merchant="m1", channel="local", shopper="s")
    message = ledger.add_message("c1", role="customer", text="hi")
    suggestion = ledger.create_suggestion("c1", message_id=message.id)
    with pytest.raises(BadRequest, match="final_text"):
        ledger.approve(suggestion.id, agent="ann", idempotency_key="k1")
    assert ledger.approve(suggestion.id, agent="ann", final_text="Hello!", idempotency_key="k1").text == "Hello!"


def test_reject_and_its_replays(ledger, path):
    suggestion = drafted(ledger, "c1")
    other = drafted(ledger, "c2")
    rejection = ledger.reject(suggestion.id, agent="ann", reason="off topic", idempotency_key="r1")
    assert ledger.get_suggestion(suggestion.id).status == "rejected"
    before = counts(path)
    assert ledger.reject(suggestion.id, agent="ann", reason="off topic", idempotency_key="r1") == rejection
    with pytest.raises(Conflict, match="already used"):
        ledger.reject(other.id, agent="ann", reason="x", idempotency_key="r1")
    with pytest.raises(Conflict, match="rejected"):
        ledger.reject(suggestion.id, agent="ann", reason="again", idempotency_key="r2")
    assert counts(path) == before
    assert ledger.audit_log(target=suggestion.id)[0].detail == {"reason": "off topic"}


def test_events_are_ordered_and_resume_exactly_after_an_id(ledger, path):
    for cid in ("c1", "c2"):
        ledger.ensure_conversation(cid, merchant="m1", channel="local", shopper="s")
    for i in range(4):
        ledger.append_event("c1", "draft.delta", {"i": i})
        ledger.append_event("c2", "draft.delta", {"i": i})
    mine = ledger.events_after("c1", None)
    assert [e.body["i"] for e in mine] == [0, 1, 2, 3]
    assert [e.seq for e in mine] == [1, 2, 3, 4]
    assert [e.id for e in mine] == sorted(e.id for e in mine)
    assert ledger.events_after("c1", mine[1].id) == mine[2:]
    assert ledger.events_after("c1", mine[-1].id) == []
    ledger.close()

    reopened = SqliteLedger(path=path)
    later = reopened.append_event("c1", "draft.done", {"text": "ok"})
    assert reopened.events_after("c1", mine[-1].id) == [later]
    assert later.seq == 5 and later.id > mine[-1].id
    with pytest.raises(NotFound):
        reopened.append_event("nope", "x", {})
    reopened.close()


def test_due_outbox_respects_time_and_sends_one_per_conversation_in_order(ledger):
    first = ledger.approve(drafted(ledger, "c1").id, agent="ann", idempotency_key="a1")
    second = ledger.approve(drafted(ledger, "c1").id, agent="ann", idempotency_key="a2")
    other = ledger.approve(drafted(ledger, "c2").id, agent="ann", idempotency_key="a3")
    now = other.next_attempt_at
    assert [i.id for i in ledger.due_outbox(10, now)] == [first.id, other.id]
    assert ledger.due_outbox(10, first.next_attempt_at - 1) == []

    failed = ledger.mark_failed_attempt(first.id, error="HTTP 500", next_attempt_at=now + 5)
    assert (failed.attempts, failed.last_error, failed.status) == (1, "HTTP 500", "pending")
    assert [i.id for i in ledger.due_outbox(10, now)] == [other.id]  # c1 waits for its first reply
    assert [i.id for i in ledger.due_outbox(10, now + 5)] == [other.id, first.id]  # earliest due first

    assert ledger.mark_delivered(first.id) is True
    assert ledger.mark_delivered(first.id) is False
    assert [i.id for i in ledger.due_outbox(10, now)] == [second.id, other.id]
    gave_up = ledger.mark_failed_attempt(other.id, error="HTTP 500", next_attempt_at=None)
    assert gave_up.status == "failed" and gave_up.next_attempt_at is None
    with pytest.raises(Conflict, match="not pending"):
        ledger.mark_failed_attempt(other.id, error="again", next_attempt_at=now)


def test_a_local_delivery_happens_once(ledger, path):
    item = ledger.approve(drafted(ledger).id, agent="ann", idempotency_key="a1")
    assert ledger.mark_delivered(item.id, local_text=item.text) is True
    with pytest.raises(Conflict, match="already delivered"):
        ledger.mark_delivered(item.id, local_text=item.text)
    [delivery] = ledger.local_deliveries("c1")
    assert (delivery.outbox_id, delivery.text) == (item.id, item.text)
    assert ledger.get_outbox(item.id).status == "delivered"
    assert counts(path)["deliveries"] == 1


def test_audit_log_in_order_and_by_target(ledger):
    ledger.audit("root", "merchant.create", "m1", {"name": "Shop"})
    ledger.audit("root", "key.create", "m2", {})
    ledger.audit("ann", "prompt.publish", "m1", {"version": 2})
    assert [e.action for e in ledger.audit_log()] == ["merchant.create", "key.create", "prompt.publish"]
    assert [e.detail for e in ledger.audit_log(target="m1")] == [{"name": "Shop"}, {"version": 2}]
