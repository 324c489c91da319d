"""The agent's workspace over HTTP (TestClient runs the real lifespan, the demo merchant):
the queue and the merchant's one stream, replies written by hand, notes, hand-offs with a
brief, resolve and reopen, the context panel, quick replies, waiting limits."""
from __future__ import annotations

import json
import uuid

import anyio
from fastapi.testclient import TestClient

from tests.conftest import DEMO
from tests.test_api import MERCHANT, api, stream_events  # noqa: F401 - fixture: the demo merchant, a key per role
from tests.fake_llm import Behaviour, fake_llm  # noqa: F401



def auth(client, role: str, **extra) -> dict:
    return {"Authorization": f"Bearer {client.keys[role]}", **extra}


def idem() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def say(client, conv: str, text: str, *, shopper: str = "顾客甲", sku: str | None = None) -> dict:
    got = client.post(f"/v1/conversations/{conv}/messages", headers=auth(client, "merchant"),
                      json={"merchant": MERCHANT, "text": text, "sku": sku, "shopper": shopper})
    assert got.status_code == 202, got.text
    return got.json()


def drain(client) -> None:
    """Wait for the drafts under way."""
    client.portal.call(client.app.state.components.assist.drain)


def delivered(client, conv: str) -> list[str]:
    """The replies delivered in a conversation, once the outbox has sent what it holds."""
    parts = client.app.state.components
    for _ in range(100):
        if parts.ledger.local_deliveries(f"{MERCHANT}:{conv}"):
            break
        client.portal.call(anyio.sleep, 0.05)
    return [d.text for d in parts.ledger.local_deliveries(f"{MERCHANT}:{conv}")]


def merchant_events(client, after: int, count: int) -> list[dict]:
    """The first `count` events of the merchant's stream after event `after`."""
    events = []
    for event in stream_events(client, f"/v1/stream?after={after}"):
        events.append(event)
        if len(events) == count:
            break
    return events


def test_the_queue_shows_preview_waiting_and_unanswered_and_puts_the_escalated_first(api):
    say(api, "calm", "这件衬衫有M码吗")
    say(api, "calm", "还有白色吗")
    say(api, "angry", "衣服穿一次就开线了，再不处理我就去12315投诉你们")
    drain(api)
    got = api.get("/v1/queue", headers=auth(api, "agent"))
    assert got.status_code == 200, got.text
    body = got.json()
    rows = {r["id"]: r for r in body["conversations"]}
    assert [r["id"] for r in body["conversations"]][0] == f"{MERCHANT}:angry"
    calm = rows[f"{MERCHANT}:calm"]
    assert calm["last_message"] == "还有白色吗" and calm["last_role"] == "customer"
    assert calm["unanswered"] == 2 and calm["waiting_since"] <= calm["last_at"]
    assert rows[f"{MERCHANT}:angry"]["status"] == "escalated"
    assert body["wait_limits"] == {"amber_s": 60, "red_s": 180}
    assert body["last_event_id"] > 0


def test_one_stream_carries_every_conversations_events_from_where_the_queue_left_off(api):
    say(api, "c1", "你好在吗")
    drain(api)
    after = api.get("/v1/queue", headers=auth(api, "agent")).json()["last_event_id"]
    say(api, "c2", "这件衬衫有M码吗", shopper="顾客乙")
    say(api, "c3", "多久发货", shopper="顾客丙")
    drain(api)
    events = merchant_events(api, after, 2)
    assert [(e["type"], e["body"]["conversation_id"]) for e in events] == [
        ("message", f"{MERCHANT}:c2"), ("message", f"{MERCHANT}:c3")]
    assert events[0]["body"]["shopper"] == "顾客乙"
    assert all(e["id"] > after for e in events)
    other = api.get("/v1/stream", headers=auth(api, "other-agent", **{"Last-Event-ID": "0"}), params={"merchant": MERCHANT})
    assert other.status_code == 403


def test_a_reply_written_by_hand_is_delivered_once_and_recorded_as_the_agents(api):
    say(api, "c1", "你好在吗")
    drain(api)
    key = idem()
    first = api.post(f"/v1/conversations/c1/replies", headers=auth(api, "agent", **key), json={"text": "您好，在的，请问有什么可以帮您？"})
    again = api.post(f"/v1/conversations/c1/replies", headers=auth(api, "agent", **key), json={"text": "您好，在的，请问有什么可以帮您？"})
    assert first.status_code == again.status_code == 201, first.text
    assert first.json()["outbox_id"] == again.json()["outbox_id"]
    assert delivered(api, "c1") == ["您好，在的，请问有什么可以帮您？"]
    parts = api.app.state.components
    assert parts.ledger.get_approval(first.json()["suggestion_id"]).source == "agent"
    row = api.get("/v1/queue", headers=auth(api, "agent")).json()["conversations"][0]
    assert row["unanswered"] == 0 and row["waiting_since"] is None and row["last_role"] == "agent"
    merchant_reply = api.post("/v1/conversations/c1/replies", headers=auth(api, "merchant", **idem()), json={"text": "x"})
    assert merchant_reply.status_code == 403


def test_a_transfer_gives_the_conversation_to_the_colleague_with_a_brief(api):
    merchant = auth(api, "merchant")
    for group, senior in (("front", False), ("senior", True)):
        assert api.post(f"/v1/merchants/{MERCHANT}/groups", headers=merchant,
                        json={"id": group, "name": group, "senior": senior, "default": not senior}).status_code == 201
    assert api.post(f"/v1/merchants/{MERCHANT}/agents", headers=merchant,
                    json={"id": "老李", "name": "老李", "group": "senior", "online": True}).status_code == 201
    say(api, "c1", "这件衬衫有M码吗", sku="QH-101")
    drain(api)
    got = api.post("/v1/conversations/c1/transfer", headers=auth(api, "agent"),
                   json={"group": "senior", "note": "顾客要开发票，我这边没有权限"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["move"]["to_agent"] == "老李"
    brief = body["brief"]
    assert brief["asked"] == ["这件衬衫有M码吗"] and brief["answered"] == []
    assert brief["still_open"][0] == "这件衬衫有M码吗"
    assert brief["note"] == "顾客要开发票，我这边没有权限" and brief["by"] == "t-agent"
    assert any("顾客要开发票" in line for line in brief["lines"])
    conv = api.get("/v1/conversations/c1", headers=merchant).json()
    assert conv["assigned_agent"] == "老李" and conv["status"] == "escalated"
    logged = api.get("/v1/conversations/c1/events", headers=merchant).json()
    assert [e["body"]["brief"]["note"] for e in logged if e["type"] == "handoff"] == ["顾客要开发票，我这边没有权限"]


def test_an_escalated_conversation_carries_a_brief_of_why_and_the_mood(api):
    say(api, "c1", "这件衬衫有M码吗")
    say(api, "c1", "到底有没有人回？？再不理我就去12315投诉你们")
    drain(api)
    logged = api.get("/v1/conversations/c1/events", headers=auth(api, "agent")).json()
    briefs = [e["body"]["brief"] for e in logged if e["type"] == "handoff"]
    assert len(briefs) == 1
    assert briefs[0]["why"] and briefs[0]["mood"][-1]["level"] == 3
    assert [m["text"] for m in briefs[0]["mood"]] == ["这件衬衫有M码吗", "到底有没有人回？？再不理我就去12315投诉你们"]


def test_notes_resolve_reopen_and_the_context_panel(api):
    say(api, "old", "上次买的裤子有点长", shopper="老顾客")
    say(api, "new", "这件衬衫有M码吗", shopper="老顾客", sku="QH-101")
    drain(api)
    note = api.post("/v1/conversations/new/notes", headers=auth(api, "agent"), json={"text": "老顾客，优先处理"})
    assert note.status_code == 201 and note.json()["author"] == "t-agent"
    context = api.get("/v1/conversations/new/context", headers=auth(api, "agent")).json()
    assert [c["id"] for c in context["earlier"]] == [f"{MERCHANT}:old"]
    assert context["products"][0]["sku"] == "QH-101" and "price" in context["products"][0]
    assert [n["text"] for n in context["notes"]] == ["老顾客，优先处理"]
    assert api.post("/v1/conversations/new/resolve", headers=auth(api, "agent")).json()["status"] == "closed"
    assert api.post("/v1/conversations/new/resolve", headers=auth(api, "agent")).status_code == 409
    ids = [r["id"] for r in api.get("/v1/queue", headers=auth(api, "agent")).json()["conversations"]]
    assert f"{MERCHANT}:new" not in ids
    assert api.post("/v1/conversations/new/reopen", headers=auth(api, "agent")).json()["status"] == "open"
    conv = api.get("/v1/conversations/new", headers=auth(api, "agent")).json()
    assert conv["status"] == "open"
    assert not any("老顾客，优先处理" in d["text"] for d in conv["deliveries"])


def test_quick_replies_search_the_faq_answers_and_wait_limits_are_the_merchants(api):
    everything = api.get(f"/v1/merchants/{MERCHANT}/quick-replies", headers=auth(api, "agent")).json()
    assert everything and all(set(r) == {"id", "question", "answer"} for r in everything)
    found = api.get(f"/v1/merchants/{MERCHANT}/quick-replies", params={"q": "发货"}, headers=auth(api, "agent")).json()
    assert found and all("发货" in r["question"] + r["answer"] for r in found[:1])
    assert len(found) < len(everything)
    bad = api.put(f"/v1/merchants/{MERCHANT}/wait-limits", headers=auth(api, "merchant"), json={"amber_s": 90, "red_s": 30})
    assert bad.status_code == 422
    assert api.put(f"/v1/merchants/{MERCHANT}/wait-limits", headers=auth(api, "agent"),
                   json={"amber_s": 30, "red_s": 90}).status_code == 403
    ok = api.put(f"/v1/merchants/{MERCHANT}/wait-limits", headers=auth(api, "merchant"), json={"amber_s": 30, "red_s": 90})
    assert ok.json() == {"amber_s": 30, "red_s": 90}
    assert api.get("/v1/queue", headers=auth(api, "agent")).json()["wait_limits"] == {"amber_s": 30, "red_s": 90}


def test_with_an_llm_the_brief_is_also_written_up_by_the_model_from_the_records(tmp_path, fake_llm):
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from copilot.settings import Settings
    from server import create_app

    written = "顾客王女士询问针织开衫能否机洗，情绪平静，尚未回复。"
    fake_llm.behaviour = Behaviour(respond=lambda body: written if "交接摘要" in json.dumps(body, ensure_ascii=False)
                                   else "亲，这款不可机洗哦")
    settings = Settings(data_dir=tmp_path / "data", _env_file=None, drafter="llm", llm_base_url=fake_llm.base_url)
    with TestClient(create_app(settings)) as client:
        parts = client.app.state.components
        parts.kb.create_merchant(MERCHANT, name="青禾服饰")
        ingest_paths(parts.kb, MERCHANT, [DEMO])
        client.keys = {"merchant": new_key(parts.ledger, role="merchant", merchant=MERCHANT, label="店长")}
        assert client.post(f"/v1/merchants/{MERCHANT}/groups", headers=auth(client, "merchant"),
                           json={"id": "senior", "senior": True}).status_code == 201
        say(client, "c1", "这件针织开衫可以机洗吗", shopper="王女士", sku="QH-113")
        drain(client)
        got = client.post("/v1/conversations/c1/transfer", headers=auth(client, "merchant"), json={"group": "senior"})
        brief = got.json()["brief"]
    assert brief["summary"] == written
    assert brief["lines"] and brief["asked"] == ["这件针织开衫可以机洗吗"]       # the records stay beside it
    asked = [r for r in fake_llm.requests if "交接摘要" in json.dumps(r, ensure_ascii=False)]
    assert asked and "这件针织开衫可以机洗吗" in json.dumps(asked[0], ensure_ascii=False)


def test_the_brief_lists_what_no_draft_could_answer_as_still_open(api):
    say(api, "c1", "你们在杭州有实体店吗", sku="QH-101")
    drain(api)
    parts = api.app.state.components
    gaps = parts.ledger.knowledge_gaps(MERCHANT, conversation_id=f"{MERCHANT}:c1")
    assert gaps, "premise: the draft found no answer and recorded a knowledge gap"
    brief = api.get("/v1/conversations/c1/brief", headers=auth(api, "agent")).json()
    assert set(g.question for g in gaps) <= set(brief["still_open"])
    assert parts.ledger.knowledge_gaps(MERCHANT, conversation_id=f"{MERCHANT}:other") == []
