"""Agents and trainers teach the escalation assessor, per merchant: the ledger's labels, the
agent's and the trainer's endpoints, on a real SQLite file and a real app (TestClient runs the
real lifespan, the real pipeline and its shipped escalation head)."""
from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
from fastapi.testclient import TestClient

from copilot.errors import BadRequest, NotFound
from tests.conftest import DEMO
from tests.test_ledger import drafted

MERCHANT = "qinghe"
OTHER = "other-shop"
# Each below 0.9 cosine (feedback.NEAR) from the others, so a label of one does not move another.
CALM = "这条牛仔裤有几个颜色？"                       # a product question: calm
THREAT = "这件羽绒服钻毛钻得满身都是，必须退一赔三，不然我找媒体曝光"   # demands and a threat: escalates
INVOICE = "可以开发票吗"                               # calm
SOCKS = "袜子是纯棉的吗"                               # calm
PENDING = "发什么快递呀"                               # marked "calm" by the role and input tests
PRAISE = "你们家衣服挺好看的"                          # labelled "calm" by the trainers' role tests


def label_counts(path) -> tuple[int, int]:
    """(labels, audit rows) read through a separate connection: what is really in the file."""
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT COUNT(*) FROM escalation_labels").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])


# the ledger

def test_a_label_and_its_audit_row_are_written_together_and_listed_oldest_first(ledger, path):
    suggestion = drafted(ledger)
    first = ledger.add_escalation_label("m1", message="When does it ship?", level=3, verdict="escalate",
                                        source="agent", actor="ann", suggestion_id=suggestion.id)
    second = ledger.add_escalation_label("m1", message="好的谢谢", level=0, verdict="calm",
                                         source="trainer", actor="tom")
    ledger.add_escalation_label("m2", message="在吗", level=1, verdict="calm", source="trainer", actor="tom")

    assert ledger.escalation_labels("m1") == [first, second]
    assert (first.merchant, first.level, first.verdict, first.source, first.actor, first.suggestion_id) == (
        "m1", 3, "escalate", "agent", "ann", suggestion.id)
    assert second.suggestion_id is None and second.created_at >= first.created_at
    assert [label.message for label in ledger.escalation_labels("m2")] == ["在吗"]
    assert ledger.escalation_labels("nobody") == []
    entry = ledger.audit_log(target=f"m1/escalation-labels/{first.id}")[0]
    assert (entry.actor, entry.action, entry.detail) == (
        "ann", "escalation.label",
        {"verdict": "escalate", "level": 3, "source": "agent", "suggestion_id": suggestion.id})
    assert label_counts(path) == (3, 3)


def test_a_label_whose_audit_row_fails_is_not_stored(ledger, path):
    before = label_counts(path)
    with sqlite3.connect(path) as conn:  # the last write of the transaction will fail
        conn.execute("CREATE TRIGGER boom BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    with pytest.raises(sqlite3.IntegrityError, match="disk on fire"):
        ledger.add_escalation_label("m1", message="在吗", level=0, verdict="calm", source="trainer", actor="tom")
    assert label_counts(path) == before and ledger.escalation_labels("m1") == []


@pytest.mark.parametrize("field, change", [
    ("verdict", {"verdict": "maybe"}), ("source", {"source": "shopper"}), ("level", {"level": 4}),
    ("message", {"message": "  "}), ("suggestion_id", {"suggestion_id": "s_other"}),
])
def test_a_bad_label_names_its_field_and_writes_nothing(ledger, path, field, change):
    other = drafted(ledger, "c-other", merchant="m2")
    change = {"suggestion_id": other.id} if field == "suggestion_id" else change
    before = label_counts(path)
    with pytest.raises(BadRequest, match=f"^{field}:"):
        ledger.add_escalation_label("m1", **{"message": "在吗", "level": 0, "verdict": "calm",
                                             "source": "trainer", "actor": "tom", **change})
    with pytest.raises(NotFound, match="s_unknown"):
        ledger.add_escalation_label("m1", message="在吗", level=0, verdict="calm", source="agent",
                                    actor="ann", suggestion_id="s_unknown")
    assert label_counts(path) == before


# the API

@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from copilot.settings import Settings
    from server import create_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("teach") / "data", _env_file=None)
    with TestClient(create_app(settings)) as client:
        parts = client.app.state.components
        parts.kb.create_merchant(MERCHANT, name="青禾服饰")
        parts.kb.create_merchant(OTHER)
        ingest_paths(parts.kb, MERCHANT, [DEMO])
        client.keys = {role: new_key(parts.ledger, role=role, merchant=MERCHANT, label=f"t-{role}")
                       for role in ("agent", "merchant", "trainer")}
        client.keys["other-agent"] = new_key(parts.ledger, role="agent", merchant=OTHER, label="other-agent")
        client.keys["other-trainer"] = new_key(parts.ledger, role="trainer", merchant=OTHER, label="other-t")
        client.keys["admin"] = new_key(parts.ledger, role="admin", merchant=None, label="root")
        yield client


def auth(client, role: str) -> dict:
    return {"Authorization": f"Bearer {client.keys[role]}"}


def shopper_says(client, text: str) -> tuple[str, dict]:
    """A shopper message in a new conversation of MERCHANT: its suggestion id and the escalation
    assessment the pipeline gave it (the `escalation` event on its stream)."""
    conv = f"c-{uuid.uuid4().hex[:8]}"
    got = client.post(f"/v1/conversations/{conv}/messages", headers=auth(client, "merchant"),
                      json={"merchant": MERCHANT, "text": text})
    assert got.status_code == 202, got.text
    suggestion = got.json()["suggestion_id"]
    parts = client.app.state.components
    for _ in range(400):
        events = [e for e in parts.ledger.events_after(got.json()["conversation_id"], None) if e.body.get("suggestion_id") == suggestion]
        assert not [e for e in events if e.type == "error" and e.body.get("code") == "assist_failed"], events
        if any(e.type == "draft.done" for e in events):
            return suggestion, next(e.body for e in events if e.type == "escalation")
        client.portal.call(lambda: __import__("anyio").sleep(0.05))
    raise AssertionError(f"no draft for {text!r}")


def assessed(client, merchant: str, text: str):
    from copilot.pipeline import AssistRequest

    parts = client.app.state.components
    return parts.pipeline.assess(AssistRequest(merchant=merchant, message=text,
                                               thresholds=parts.router.thresholds(merchant)))


def test_should_have_escalated_makes_the_next_such_message_escalate_on_this_merchant_only(api):
    suggestion, before = shopper_says(api, CALM)
    assert (before["level"], before["escalate"]) == (0, False)

    got = api.post(f"/v1/suggestions/{suggestion}/escalation-feedback", json={"verdict": "escalate"},
                   headers=auth(api, "agent"))
    assert got.status_code == 201, got.text
    label, now = got.json()["label"], got.json()["assessment"]
    assert (label["verdict"], label["level"], label["source"], label["actor"], label["suggestion_id"]) == (
        "escalate", 3, "agent", "t-agent", suggestion)
    assert (now["level"], now["label_zh"], now["escalate"]) == (3, "需升级", True)
    assert any(CALM in r for r in now["reasons"])       # the shop's label is the reason

    _, next_time = shopper_says(api, CALM)              # the next shopper who writes it
    assert (next_time["level"], next_time["escalate"]) == (3, True)
    other = assessed(api, OTHER, CALM)                  # another merchant's shoppers: as before
    assert (other.level, other.escalate) == (0, False)

    parts = api.app.state.components
    [stored] = [x for x in parts.ledger.escalation_labels(MERCHANT) if x.suggestion_id == suggestion]
    assert parts.ledger.audit_log(target=f"{MERCHANT}/escalation-labels/{stored.id}")[0].actor == "t-agent"
    events = parts.ledger.events_after(parts.ledger.get_suggestion(suggestion).conversation_id, None)
    marked = [e.body for e in events if e.type == "escalation.label"]
    assert marked and marked[0]["suggestion_id"] == suggestion and marked[0]["assessment"]["escalate"]


def test_a_false_alarm_stops_the_next_such_message_escalating(api):
    suggestion, before = shopper_says(api, THREAT)
    assert (before["level"], before["escalate"]) == (3, True)
    got = api.post(f"/v1/suggestions/{suggestion}/escalation-feedback", json={"verdict": "calm"},
                   headers=auth(api, "agent"))
    assert got.status_code == 201, got.text
    assert got.json()["label"]["level"] == 2            # just under the escalation level
    assert (got.json()["assessment"]["level"], got.json()["assessment"]["escalate"]) == (2, False)
    _, next_time = shopper_says(api, THREAT)
    assert (next_time["level"], next_time["escalate"]) == (2, False)
    assert assessed(api, OTHER, THREAT).escalate


def test_labels_follow_the_merchants_thresholds(api):
    """A merchant that escalates angry shoppers (level 2): "should have escalated" teaches level 2."""
    put = api.put(f"/v1/merchants/{MERCHANT}/escalation", json={"escalate_level": 2},
                  headers=auth(api, "merchant"))
    assert put.status_code == 200, put.text
    try:
        suggestion, before = shopper_says(api, INVOICE)
        assert not before["escalate"]
        got = api.post(f"/v1/suggestions/{suggestion}/escalation-feedback", json={"verdict": "escalate"},
                       headers=auth(api, "agent")).json()
        assert got["label"]["level"] == 2
        assert (got["assessment"]["level"], got["assessment"]["label_zh"], got["assessment"]["escalate"]) == (
            2, "愤怒", True)
    finally:
        api.put(f"/v1/merchants/{MERCHANT}/escalation", json={"escalate_level": 3}, headers=auth(api, "merchant"))
    assert not assessed(api, MERCHANT, INVOICE).escalate   # back at level 3, an angry message waits


def test_a_trainer_labels_a_message_and_lists_the_merchants_labels(api):
    assert not assessed(api, MERCHANT, SOCKS).escalate
    history = [{"role": "customer", "text": "在吗"}, {"role": "agent", "text": "在的亲"}]
    got = api.post(f"/v1/merchants/{MERCHANT}/escalation-labels", headers=auth(api, "trainer"),
                   json={"message": SOCKS, "history": history, "verdict": "escalate"})
    assert got.status_code == 201, got.text
    assert got.json()["label"]["source"] == "trainer" and got.json()["label"]["suggestion_id"] is None
    assert (got.json()["assessment"]["level"], got.json()["assessment"]["escalate"]) == (3, True)
    assert assessed(api, MERCHANT, SOCKS).escalate
    assert not assessed(api, OTHER, SOCKS).escalate

    listed = api.get(f"/v1/merchants/{MERCHANT}/escalation-labels", headers=auth(api, "merchant"))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert items[0]["message"] == SOCKS                 # newest first
    assert {"actor", "source", "verdict", "level", "level_zh", "created_at"} <= set(items[0])
    assert (items[0]["actor"], items[0]["verdict"], items[0]["level_zh"]) == ("t-trainer", "escalate", "需升级")
    assert [i["created_at"] for i in items] == sorted((i["created_at"] for i in items), reverse=True)
    other = api.get(f"/v1/merchants/{OTHER}/escalation-labels", headers=auth(api, "other-trainer"))
    assert other.json() == {"items": []}


def test_the_eval_sets_cases_are_served_for_labelling(api):
    body = ('{"id": "e1", "message": "五天了还没发货！！", "history": [{"role": "customer", "text": "在吗"}],'
            ' "expect": {"kind": "escalation", "escalate": true}}\n'
            '{"id": "r1", "message": "可以机洗吗", "expect": {"kind": "reply", "facts": ["手洗"]}}\n')
    up = api.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=auth(api, "trainer"),
                  files={"file": ("teach.jsonl", body.encode(), "application/json")})
    assert up.status_code == 201, up.text
    got = api.get(f"/v1/merchants/{MERCHANT}/evalsets/teach", headers=auth(api, "trainer")).json()
    assert [c["id"] for c in got["cases"]] == ["e1", "r1"]
    assert got["cases"][0]["expect"]["escalate"] is True and "escalate" not in got["cases"][1]["expect"]
    assert got["cases"][0]["history"] == [{"role": "customer", "text": "在吗"}]
    assert api.get(f"/v1/merchants/{MERCHANT}/evalsets/nope", headers=auth(api, "trainer")).status_code == 404
    assert api.get(f"/v1/merchants/{MERCHANT}/evalsets/teach", headers=auth(api, "agent")).status_code == 403


@pytest.fixture(scope="module")
def pending(api):
    """A suggestion of MERCHANT to mark (nobody marks it in the role and input tests)."""
    return shopper_says(api, PENDING)[0]


@pytest.mark.parametrize("role, allowed", [("agent", True), ("admin", True), ("merchant", False),
                                           ("trainer", False), ("other-agent", False)])
def test_who_may_mark_a_suggestion(api, pending, role, allowed):
    parts = api.app.state.components
    before = len(parts.ledger.escalation_labels(MERCHANT))
    got = api.post(f"/v1/suggestions/{pending}/escalation-feedback", json={"verdict": "calm"},
                   headers=auth(api, role))
    # another merchant's suggestion is a 404, exactly like one that does not exist
    assert got.status_code == (201 if allowed else 404 if role == "other-agent" else 403), got.text
    assert len(parts.ledger.escalation_labels(MERCHANT)) == before + allowed


@pytest.mark.parametrize("role, post, get", [("trainer", 201, 200), ("admin", 201, 200), ("merchant", 403, 200),
                                             ("agent", 403, 403), ("other-trainer", 403, 403)])
def test_who_may_label_and_list_a_merchants_messages(api, role, post, get):
    got = api.post(f"/v1/merchants/{MERCHANT}/escalation-labels", headers=auth(api, role),
                   json={"message": PRAISE, "verdict": "calm"})
    assert got.status_code == post, got.text
    if post == 201:
        assert (got.json()["label"]["actor"], got.json()["label"]["source"]) == (
            {"trainer": "t-trainer", "admin": "root"}[role], "trainer")
    assert api.get(f"/v1/merchants/{MERCHANT}/escalation-labels", headers=auth(api, role)).status_code == get


@pytest.mark.parametrize("case, status, names", [
    ("unknown verdict", 422, "verdict"), ("missing verdict", 422, "verdict"),
    ("empty message", 422, "message"), ("blank message", 422, "message"),
    ("bad history role", 422, "history"), ("unknown suggestion", 404, "s_nope"),
    ("unknown merchant", 404, "nobody"), ("agent verdict", 422, "verdict"),
])
def test_bad_input_names_the_field_and_writes_nothing(api, pending, case, status, names):
    parts = api.app.state.components
    before = (parts.ledger.escalation_labels(MERCHANT), len(parts.ledger.audit_log()))
    labels = f"/v1/merchants/{MERCHANT}/escalation-labels"
    got = {
        "unknown verdict": lambda: api.post(labels, headers=auth(api, "trainer"),
                                            json={"message": "在吗", "verdict": "angry"}),
        "missing verdict": lambda: api.post(labels, headers=auth(api, "trainer"), json={"message": "在吗"}),
        "empty message": lambda: api.post(labels, headers=auth(api, "trainer"),
                                          json={"message": "", "verdict": "calm"}),
        "blank message": lambda: api.post(labels, headers=auth(api, "trainer"),
                                          json={"message": "   ", "verdict": "calm"}),
        "bad history role": lambda: api.post(labels, headers=auth(api, "trainer"), json={
            "message": "在吗", "verdict": "calm", "history": [{"role": "shopper", "text": "hi"}]}),
        "unknown suggestion": lambda: api.post("/v1/suggestions/s_nope/escalation-feedback",
                                               headers=auth(api, "agent"), json={"verdict": "calm"}),
        "unknown merchant": lambda: api.post("/v1/merchants/nobody/escalation-labels", headers=auth(api, "admin"),
                                             json={"message": "在吗", "verdict": "calm"}),
        "agent verdict": lambda: api.post(f"/v1/suggestions/{pending}/escalation-feedback",
                                          headers=auth(api, "agent"), json={"verdict": "升级"}),
    }[case]()
    assert got.status_code == status, got.text
    assert names in got.text                            # the field (or the id) that was wrong is named
    assert (parts.ledger.escalation_labels(MERCHANT), len(parts.ledger.audit_log())) == before


def test_an_eval_run_shows_what_a_trainer_taught(api):
    """A trainer's mark changes the merchant's next eval run; the report gives precision and
    recall per level and per score cutoff."""
    scarf = "羊毛围巾可以手洗吗，会不会缩水"
    body = "\n".join(json.dumps(case, ensure_ascii=False) for case in [
        {"id": "t1", "message": scarf, "level": 3, "expect": {"kind": "escalation", "escalate": True}},
        {"id": "t2", "message": "请问今天下单什么时候发货", "level": 0,
         "expect": {"kind": "escalation", "escalate": False}}]) + "\n"
    up = api.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=auth(api, "trainer"),
                  files={"file": ("taught.jsonl", body.encode(), "application/json")})
    assert up.status_code == 201, up.text

    def run() -> dict:
        started = api.post(f"/v1/merchants/{MERCHANT}/evalsets/taught/runs", headers=auth(api, "trainer"), json={})
        assert started.status_code == 202, started.text
        url = f"/v1/merchants/{MERCHANT}/evalruns/{started.json()['id']}"
        for _ in range(600):
            got = api.get(url, headers=auth(api, "trainer")).json()
            if got["status"] != "running":
                assert got["status"] == "finished", got
                return {"summary": got["summary"], "report": api.get(url + "/report", headers=auth(api, "trainer")).text}
            api.portal.call(lambda: __import__("anyio").sleep(0.05))
        raise AssertionError("the eval run did not finish")

    before = run()["summary"]["escalation"]
    assert (before["recall"], before["misses"]) == (0.0, 1)
    marked = api.post(f"/v1/merchants/{MERCHANT}/escalation-labels", headers=auth(api, "trainer"),
                      json={"message": scarf, "verdict": "escalate"})
    assert marked.status_code == 201, marked.text
    after = run()
    escalation = after["summary"]["escalation"]
    assert (escalation["precision"], escalation["recall"]) == (1.0, 1.0)
    assert [row["level"] for row in escalation["by_level"]] == [1, 2, 3]
    assert escalation["by_level"][2]["recall"] == 1.0
    assert len(escalation["by_cutoff"]) == 9
    assert 'id="escalation-levels"' in after["report"] and 'id="escalation-cutoffs"' in after["report"]
