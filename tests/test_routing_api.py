"""The routing HTTP API in-process (TestClient runs the real lifespan): groups, agents,
online/offline, thresholds, an agent's queue, role checks and 4xx on bad fields."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from copilot.escalation import DEFAULT_THRESHOLDS

SHOP = "yunshang"        # 云裳女装
OTHER = "xiaocha"
MILD = "等了一个礼拜还没到货，太慢了吧！！"


@pytest.fixture
def api(settings):
    from copilot.auth import new_key
    from server import create_app

    with TestClient(create_app(settings)) as client:
        parts = client.app.state.components
        parts.kb.create_merchant(SHOP, name="云裳女装")
        parts.kb.create_merchant(OTHER)
        client.keys = {
            "merchant": new_key(parts.ledger, role="merchant", merchant=SHOP, label="owner"),
            "trainer": new_key(parts.ledger, role="trainer", merchant=SHOP, label="trainer"),
            "mei": new_key(parts.ledger, role="agent", merchant=SHOP, label="mei"),
            "boss": new_key(parts.ledger, role="agent", merchant=SHOP, label="boss"),
            "other-merchant": new_key(parts.ledger, role="merchant", merchant=OTHER, label="o-owner"),
            "other-agent": new_key(parts.ledger, role="agent", merchant=OTHER, label="mei"),
            "admin": new_key(parts.ledger, role="admin", merchant=None, label="root"),
        }
        yield client


def auth(client, who: str) -> dict:
    return {"Authorization": f"Bearer {client.keys[who]}"}


def setup_shop(client) -> None:
    for group in ({"id": "dresses", "name": "连衣裙组", "skills": ["连衣裙", "zh"], "default": True},
                  {"id": "seniors", "name": "资深组", "skills": ["zh", "en"], "senior": True}):
        assert client.post(f"/v1/merchants/{SHOP}/groups", json=group, headers=auth(client, "merchant")).status_code == 201
    for agent in ({"id": "mei", "group": "dresses", "online": True}, {"id": "boss", "group": "seniors"}):
        assert client.post(f"/v1/merchants/{SHOP}/agents", json=agent, headers=auth(client, "merchant")).status_code == 201


def wait_for(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := check()):
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_merchant_manages_groups_and_agents(api):
    setup_shop(api)
    groups = api.get(f"/v1/merchants/{SHOP}/groups", headers=auth(api, "trainer")).json()
    assert [(g["id"], g["senior"], g["default"]) for g in groups] == [("dresses", False, True),
                                                                       ("seniors", True, False)]
    assert groups[0]["skills"] == ["连衣裙", "zh"]
    agents = api.get(f"/v1/merchants/{SHOP}/agents", headers=auth(api, "mei")).json()
    assert {(a["id"], a["group"], a["online"], a["load"]) for a in agents} == {
        ("mei", "dresses", True, 0), ("boss", "seniors", False, 0)}
    # Re-posting an id replaces the group; a new default takes the mark from the old one.
    moved = api.post(f"/v1/merchants/{SHOP}/groups", headers=auth(api, "merchant"),
                     json={"id": "seniors", "name": "资深组", "skills": ["en"], "senior": True, "default": True})
    assert moved.json()["skills"] == ["en"]
    defaults = [g["id"] for g in api.get(f"/v1/merchants/{SHOP}/groups", headers=auth(api, "merchant")).json()
                if g["default"]]
    assert defaults == ["seniors"]


@pytest.mark.parametrize("who, status", [("mei", 403), ("trainer", 403), ("other-merchant", 403), ("admin", 201)])
def test_only_the_merchant_or_an_admin_manages_groups(api, who, status):
    got = api.post(f"/v1/merchants/{SHOP}/groups", json={"id": "g1"}, headers=auth(api, who))
    assert got.status_code == status, got.text


def test_no_key_is_401(api):
    assert api.get(f"/v1/merchants/{SHOP}/groups").status_code == 401


@pytest.mark.parametrize("path, body, field", [
    ("groups", {"id": "has space"}, "id"),
    ("groups", {"id": "g1", "skills": "口红"}, "skills"),
    ("groups", {"id": "g1", "skills": [""]}, "skills"),
    ("groups", {"id": "g1", "senior": "sometimes"}, "senior"),
    ("agents", {"id": "a1"}, "group"),
    ("agents", {"id": "", "group": "dresses"}, "id"),
])
def test_bad_fields_are_422_naming_the_field(api, path, body, field):
    got = api.post(f"/v1/merchants/{SHOP}/{path}", json=body, headers=auth(api, "merchant"))
    assert got.status_code == 422, got.text
    assert field in {str(p) for problem in got.json()["detail"] for p in problem["loc"]}


def test_an_agent_in_an_unknown_group_or_merchant_is_refused_with_what_to_do(api):
    got = api.post(f"/v1/merchants/{SHOP}/agents", json={"id": "a1", "group": "nope"},
                   headers=auth(api, "merchant"))
    assert got.status_code == 400 and got.json()["message"].startswith("group:")
    assert f"POST /v1/merchants/{SHOP}/groups" in got.json()["message"]
    ghost = api.post("/v1/merchants/ghost-shop/groups", json={"id": "g1"}, headers=auth(api, "admin"))
    assert ghost.status_code == 404 and ghost.json()["code"] == "unknown_merchant"


@pytest.mark.parametrize("body, field", [
    ({"escalate_level": 4}, "escalate_level"),
    ({"escalate_level": 0}, "escalate_level"),
    ({}, "escalate_level"),
    ({"escalate_level": 2, "level_cutoffs": [0.5, 0.4, 0.9]}, "level_cutoffs"),
    ({"escalate_level": 2, "level_cutoffs": [0.1, 0.4]}, "level_cutoffs"),
    ({"escalate_level": 2, "level_cutoffs": [0.0, 0.4, 0.9]}, "level_cutoffs"),
])
def test_bad_thresholds_are_422_naming_the_field(api, body, field):
    got = api.put(f"/v1/merchants/{SHOP}/escalation", json=body, headers=auth(api, "merchant"))
    assert got.status_code == 422, got.text
    assert field in {str(p) for problem in got.json()["detail"] for p in problem["loc"]}


def test_thresholds_are_per_merchant_and_set_by_its_merchant_or_an_admin(api):
    url = f"/v1/merchants/{SHOP}/escalation"
    before = api.get(url, headers=auth(api, "mei")).json()
    assert before == {"escalate_level": DEFAULT_THRESHOLDS.escalate_level,
                      "level_cutoffs": list(DEFAULT_THRESHOLDS.level_cutoffs), "custom": False}
    assert api.put(url, json={"escalate_level": 1}, headers=auth(api, "mei")).status_code == 403
    assert api.put(url, json={"escalate_level": 1}, headers=auth(api, "other-merchant")).status_code == 403
    saved = api.put(url, json={"escalate_level": 2, "level_cutoffs": [0.1, 0.3, 0.6]},
                    headers=auth(api, "merchant"))
    assert saved.status_code == 200
    assert api.get(url, headers=auth(api, "trainer")).json() == {
        "escalate_level": 2, "level_cutoffs": [0.1, 0.3, 0.6], "custom": True}
    assert api.put(url, json={"escalate_level": 1}, headers=auth(api, "admin")).json()["escalate_level"] == 1
    other = api.get(f"/v1/merchants/{OTHER}/escalation", headers=auth(api, "other-merchant")).json()
    assert other["custom"] is False


def test_strict_thresholds_escalate_to_a_waiting_senior_who_takes_it_when_online(api, assessor):
    mild = assessor.assess(MILD)
    assert 1 <= mild.level and not mild.escalate          # premise: the defaults would not escalate
    setup_shop(api)
    api.put(f"/v1/merchants/{SHOP}/escalation", json={"escalate_level": mild.level},
            headers=auth(api, "merchant"))
    posted = api.post("/v1/conversations/c-late/messages", headers=auth(api, "merchant"),
                      json={"merchant": SHOP, "text": MILD})
    assert posted.status_code == 202
    conv = wait_for(lambda: (c := api.get("/v1/conversations/c-late", headers=auth(api, "mei")).json())
                    ["status"] == "escalated" and c)
    assert (conv["assigned_group"], conv["assigned_agent"]) == ("seniors", None)   # boss is offline

    # The agent it left sees the move in its queue view; it no longer holds the conversation.
    mei = api.get("/v1/agents/mei/queue", headers=auth(api, "mei")).json()
    assert mei["conversations"] == []
    [escalation, placed] = mei["moves"]
    assert (placed["to_agent"], escalation["from_agent"], escalation["group"]) == ("mei", "mei", "seniors")
    assert escalation["escalated"] and escalation["queued"] and escalation["reasons"] == mild.reasons

    online = api.post(f"/v1/merchants/{SHOP}/agents/boss/online", headers=auth(api, "boss"))
    assert online.status_code == 200 and online.json()["online"] is True
    assert [m["conversation_id"] for m in online.json()["assigned"]] == [f"{SHOP}:c-late"]
    queue = api.get("/v1/agents/boss/queue", headers=auth(api, "boss")).json()
    [item] = queue["conversations"]
    assert (item["conversation_id"], item["escalated"], item["unread"]) == (f"{SHOP}:c-late", True, 1)
    assert queue["moves"][0]["to_agent"] == "boss"

    # The routing events went to the conversation's own stream too.
    events = api.app.state.components.ledger.events_after(f"{SHOP}:c-late", 0)
    routing = [e.body for e in events if e.type == "routing"]
    assert [(r["from_agent"], r["to_agent"]) for r in routing] == [(None, "mei"), ("mei", None), (None, "boss")]


def test_agents_read_their_own_queue_only_and_never_another_merchants(api):
    setup_shop(api)
    assert api.get("/v1/agents/mei/queue", headers=auth(api, "mei")).status_code == 200
    assert api.get("/v1/agents/boss/queue", headers=auth(api, "mei")).status_code == 403
    assert api.get("/v1/agents/boss/queue", headers=auth(api, "merchant")).status_code == 200
    # An agent of another shop with the same label: its own merchant has no such agent...
    assert api.get("/v1/agents/mei/queue", headers=auth(api, "other-agent")).status_code == 404
    # ...and our merchant's queue is not its to read, nor our agents' switch.
    assert api.get(f"/v1/agents/mei/queue?merchant={SHOP}", headers=auth(api, "other-agent")).status_code == 403
    assert api.post(f"/v1/merchants/{SHOP}/agents/mei/offline",
                    headers=auth(api, "other-agent")).status_code == 403
    admin = api.get("/v1/agents/mei/queue", headers=auth(api, "admin"))
    assert admin.status_code == 400 and admin.json()["message"].startswith("merchant:")
    assert api.get(f"/v1/agents/mei/queue?merchant={SHOP}", headers=auth(api, "admin")).status_code == 200


def test_offline_agents_get_nothing_new_and_an_unknown_agent_is_404(api):
    setup_shop(api)
    off = api.post(f"/v1/merchants/{SHOP}/agents/mei/offline", headers=auth(api, "mei"))
    assert off.status_code == 200 and off.json()["online"] is False
    api.post("/v1/conversations/c-night/messages", headers=auth(api, "merchant"),
             json={"merchant": SHOP, "text": "这条连衣裙有M码吗"})
    conv = api.get("/v1/conversations/c-night", headers=auth(api, "merchant")).json()
    assert (conv["assigned_group"], conv["assigned_agent"]) == ("dresses", None)
    back = api.post(f"/v1/merchants/{SHOP}/agents/mei/online", headers=auth(api, "merchant")).json()
    assert [m["conversation_id"] for m in back["assigned"]] == [f"{SHOP}:c-night"] and back["load"] == 1
    missing = api.post(f"/v1/merchants/{SHOP}/agents/nobody/online", headers=auth(api, "merchant"))
    assert missing.status_code == 404 and "POST /v1/merchants" in missing.json()["message"]
