"""The HTTP API in-process (TestClient runs the real lifespan): knowledge, assist, approval, 4xx."""
from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from httpx_sse import connect_sse

from tests.conftest import DEMO

MERCHANT = "qinghe"


@pytest.fixture
def api(settings):
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from server import create_app

    with TestClient(create_app(settings)) as client:
        parts = client.app.state.components
        parts.kb.create_merchant(MERCHANT, name="青禾服饰")
        parts.kb.create_merchant("other-shop")
        ingest_paths(parts.kb, MERCHANT, [DEMO])
        client.keys = {role: new_key(parts.ledger, role=role, merchant=MERCHANT, label=f"t-{role}")
                       for role in ("agent", "merchant", "trainer")}
        client.keys["other-agent"] = new_key(parts.ledger, role="agent", merchant="other-shop",
                                             label="other-agent")
        client.keys["admin"] = new_key(parts.ledger, role="admin", merchant=None, label="root")
        yield client


def auth(client, role: str, **extra) -> dict:
    return {"Authorization": f"Bearer {client.keys[role]}", **extra}


def idem() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def post_message(client, conv: str, text: str, sku: str | None = None) -> dict:
    got = client.post(f"/v1/conversations/{conv}/messages", headers=auth(client, "merchant"),
                      json={"merchant": MERCHANT, "text": text, "sku": sku})
    assert got.status_code == 202, got.text
    return got.json()


def stream_events(client, path: str, role: str = "agent"):
    """The events of an SSE stream as {id, type, body}, keep-alive pings left out (httpx-sse
    yields them as events without data)."""
    with connect_sse(client, "GET", path, headers=auth(client, role)) as source:
        for sse in source.iter_sse():
            if sse.data:
                yield {"id": int(sse.id), "type": sse.event, "body": sse.json()}


def events_until_done(client, conv: str, suggestion_id: str) -> list[dict]:
    """Read the SSE stream until the draft for `suggestion_id` is done."""
    events = []
    for current in stream_events(client, f"/v1/conversations/{conv}/stream"):
        events.append(current)
        if current["body"].get("suggestion_id") == suggestion_id:
            if current["type"] == "draft.done":
                return events
            assert current["body"].get("code") != "assist_failed", current["body"]["message"]
    raise AssertionError("stream ended before draft.done")


def first_product(client) -> dict:
    got = client.get(f"/v1/merchants/{MERCHANT}/catalog", headers=auth(client, "merchant"))
    return next(p for p in got.json()["items"] if "洗涤方式" in p["attributes"])


def test_message_streams_a_grounded_draft_and_approval_delivers_once(api):
    product = first_product(api)
    ids = post_message(api, "c-wash", "这个能机洗吗", sku=product["sku_id"])
    events = events_until_done(api, "c-wash", ids["suggestion_id"])
    types = [e["type"] for e in events]
    assert types[0] == "message" and types.index("escalation") < types.index("sources") < types.index("draft.done")
    assert "draft.delta" in types and [e["id"] for e in events] == sorted(e["id"] for e in events)
    done = events[-1]["body"]
    assert "".join(e["body"]["text"] for e in events if e["type"] == "draft.delta") == done["text"]
    assert product["sku_id"] in done["citations"] and done["grounded"]

    approved = api.post(f"/v1/suggestions/{ids['suggestion_id']}/approve", json={"text": "亲，可以机洗哦~"},
                        headers=auth(api, "agent", **idem()))
    assert approved.status_code == 200 and approved.json()["text"] == "亲，可以机洗哦~"
    parts = api.app.state.components
    for _ in range(100):
        if parts.ledger.local_deliveries(f"{MERCHANT}:c-wash"):
            break
        api.portal.call(lambda: __import__("anyio").sleep(0.05))
    delivered = parts.ledger.local_deliveries(f"{MERCHANT}:c-wash")
    assert [d.text for d in delivered] == ["亲，可以机洗哦~"]
    conversation = api.get("/v1/conversations/c-wash", headers=auth(api, "agent")).json()
    assert conversation["suggestions"][0]["status"] == "approved"


def test_resume_with_last_event_id_replays_only_later_events(api):
    ids = post_message(api, "c-resume", "发什么快递")
    events = events_until_done(api, "c-resume", ids["suggestion_id"])
    cut = events[2]["id"]
    with api.stream("GET", "/v1/conversations/c-resume/stream",
                    headers=auth(api, "agent", **{"Last-Event-ID": str(cut)})) as stream:
        replayed = []
        for line in stream.iter_lines():
            if line.startswith("id:"):
                replayed.append(int(line[3:].strip()))
            if len(replayed) == len(events) - 3:
                break
    assert replayed == [e["id"] for e in events[3:]]


def test_replayed_idempotency_key_returns_the_same_result_and_changes_nothing(api):
    ids = post_message(api, "c-idem", "可以开发票吗")
    events_until_done(api, "c-idem", ids["suggestion_id"])
    key = idem()
    first = api.post(f"/v1/suggestions/{ids['suggestion_id']}/approve", json={}, headers=auth(api, "agent", **key))
    again = api.post(f"/v1/suggestions/{ids['suggestion_id']}/approve", json={}, headers=auth(api, "agent", **key))
    assert first.status_code == again.status_code == 200
    same = ("suggestion_id", "status", "outbox_id", "text")
    assert [first.json()[k] for k in same] == [again.json()[k] for k in same]
    other = api.post(f"/v1/suggestions/{ids['suggestion_id']}/approve", json={}, headers=auth(api, "agent", **idem()))
    assert other.status_code == 409
    assert len(api.app.state.components.ledger.audit_log(target=ids["suggestion_id"])) == 1


def test_newer_message_makes_the_pending_draft_stale(api):
    old = post_message(api, "c-stale", "这个多少钱")
    events_until_done(api, "c-stale", old["suggestion_id"])
    new = post_message(api, "c-stale", "算了 还是问下怎么退货")
    got = api.post(f"/v1/suggestions/{old['suggestion_id']}/approve", json={}, headers=auth(api, "agent", **idem()))
    assert got.status_code == 409 and "stale" in got.json()["message"]
    events_until_done(api, "c-stale", new["suggestion_id"])


@pytest.mark.parametrize("case", ["unknown conversation", "foreign agent", "missing key", "bad key",
                                  "oversized message", "malformed json", "missing idempotency key",
                                  "unknown merchant"])
def test_bad_requests_get_clear_4xx_and_change_nothing(api, case):
    ids = post_message(api, "c-bad", "在吗")
    events_until_done(api, "c-bad", ids["suggestion_id"])
    ledger = api.app.state.components.ledger
    before = (ledger.suggestions(f"{MERCHANT}:c-bad"), ledger.messages(f"{MERCHANT}:c-bad"))
    sid = ids["suggestion_id"]
    request = {
        "unknown conversation": lambda: api.get("/v1/conversations/nope", headers=auth(api, "agent")),
        "foreign agent": lambda: api.post(f"/v1/suggestions/{sid}/approve", json={},
                                          headers=auth(api, "other-agent", **idem())),
        "missing key": lambda: api.post(f"/v1/suggestions/{sid}/approve", json={}, headers=idem()),
        "bad key": lambda: api.post(f"/v1/suggestions/{sid}/approve", json={},
                                    headers={"Authorization": "Bearer ck_nope", **idem()}),
        "oversized message": lambda: api.post("/v1/conversations/c-bad/messages", headers=auth(api, "merchant"),
                                              json={"merchant": MERCHANT, "text": "长" * 5000}),
        "malformed json": lambda: api.post("/v1/conversations/c-bad/messages", content=b"{not json",
                                           headers=auth(api, "merchant", **{"Content-Type": "application/json"})),
        "missing idempotency key": lambda: api.post(f"/v1/suggestions/{sid}/approve", json={},
                                                    headers=auth(api, "agent")),
        "unknown merchant": lambda: api.post("/v1/conversations/c-bad/messages", headers=auth(api, "admin"),
                                             json={"merchant": "nobody", "text": "在吗"}),
    }[case]
    got = request()
    # another merchant's suggestion is answered as if it did not exist
    expected = {"unknown conversation": 404, "foreign agent": 404, "missing key": 401, "bad key": 401,
                "oversized message": 422, "malformed json": 422, "missing idempotency key": 422,
                "unknown merchant": 404}[case]
    assert got.status_code == expected, got.text
    assert got.json()  # a JSON body that says what was wrong
    assert (ledger.suggestions(f"{MERCHANT}:c-bad"), ledger.messages(f"{MERCHANT}:c-bad")) == before


def test_upload_rejection_names_file_line_and_field_and_keeps_old_records(api):
    before = api.get(f"/v1/merchants/{MERCHANT}/catalog", headers=auth(api, "merchant")).json()["total"]
    bad = "sku_id,title,category,price,stock\nNEW-1,新款草帽,帽子,59,10\nNEW-2,新款渔夫帽,帽子,贵,3\n"
    got = api.post(f"/v1/merchants/{MERCHANT}/catalog", headers=auth(api, "merchant"),
                   files={"files": ("hats.csv", bad.encode("gb18030"), "text/csv")})
    assert got.status_code == 422
    problem = got.json()["problems"][0]
    assert (problem["file"], problem["line"], problem["field"]) == ("hats.csv", 3, "price")
    assert problem["message"].startswith("price must be a number")
    assert problem["message_zh"] == "价格必须是数字，例如 1599 或 1599.00（收到 '贵'）"
    after = api.get(f"/v1/merchants/{MERCHANT}/catalog", headers=auth(api, "merchant")).json()["total"]
    assert after == before


def test_merchant_cannot_upload_to_another_merchant_and_search_shows_sources(api):
    got = api.post("/v1/merchants/other-shop/faqs", headers=auth(api, "merchant"),
                   files={"files": ("f.csv", "question,answer\n在吗,在的\n".encode(), "text/csv")})
    assert got.status_code == 403
    found = api.post(f"/v1/merchants/{MERCHANT}/search", headers=auth(api, "trainer"),
                     json={"message": "退货运费谁出"}).json()["sources"]
    assert found and {"id", "kind", "text", "score"} <= set(found[0])
    assert api.get("/docs").status_code == 200


def test_a_draft_cut_short_by_a_stop_is_made_at_the_next_start(settings):
    """The message was stored, the process stopped before its draft: start-up drafts it."""
    from copilot.cli import ingest_paths
    from copilot.components import build
    from server import create_app

    parts = build(settings)
    parts.kb.create_merchant(MERCHANT)
    ingest_paths(parts.kb, MERCHANT, [DEMO])
    parts.ledger.ensure_conversation("c-cut", merchant=MERCHANT, channel="local", shopper="s")
    message = parts.ledger.add_message("c-cut", role="customer", text="包邮吗")
    pending = parts.ledger.create_suggestion("c-cut", message_id=message.id)
    parts.close()
    with TestClient(create_app(settings)) as client:
        ledger = client.app.state.components.ledger
        for _ in range(200):
            if ledger.get_suggestion(pending.id).draft_text:
                break
            client.portal.call(lambda: __import__("anyio").sleep(0.05))
        assert ledger.get_suggestion(pending.id).draft_text
        assert ledger.undrafted_suggestions() == []
