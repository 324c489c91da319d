"""Tenancy edges: conversation ids are scoped by merchant (no squatting, and another merchant's
conversation is answered exactly like one that does not exist), and prompt versions belong to
the merchant whose trainer wrote them until an admin shares them."""
from __future__ import annotations

from copilot.auth import new_key
from tests.test_api import MERCHANT, api, auth  # noqa: F401 - the app fixture
from tests.trainer_support import THOROUGH, reply_prompt_with

OTHER = "other-shop"


def post(api, key: str, merchant: str, conv: str, text: str):
    return api.post(f"/v1/conversations/{conv}/messages", headers={"Authorization": f"Bearer {key}"},
                    json={"merchant": merchant, "text": text})


def test_two_merchants_may_use_one_conversation_id_and_neither_sees_the_other(api):
    other_merchant = new_key(api.app.state.components.ledger, role="merchant", merchant=OTHER, label="om")
    mine = post(api, api.keys["merchant"], MERCHANT, "c-1", "这件衬衫能机洗吗")
    theirs = post(api, other_merchant, OTHER, "c-1", "在吗")
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["conversation_id"] == f"{MERCHANT}:c-1" != theirs.json()["conversation_id"]
    # the bare id is the caller's merchant's; the full id names it for anyone allowed
    own = api.get("/v1/conversations/c-1", headers=auth(api, "agent")).json()
    assert own["merchant"] == MERCHANT and own["messages"][0]["text"] == "这件衬衫能机洗吗"
    assert api.get(f"/v1/conversations/{OTHER}:c-1", headers=auth(api, "admin")).json()["merchant"] == OTHER
    # another merchant's conversation is answered exactly like one that does not exist
    foreign = api.get(f"/v1/conversations/{OTHER}:c-1", headers=auth(api, "agent"))
    missing = api.get(f"/v1/conversations/{OTHER}:no-such", headers=auth(api, "agent"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"]
    assert api.get(f"/v1/conversations/{OTHER}:c-1/stream", headers=auth(api, "agent")).status_code == 404
    suggestion = theirs.json()["suggestion_id"]
    refused = api.post(f"/v1/suggestions/{suggestion}/approve", headers=auth(api, "agent", **{"Idempotency-Key": "k" * 10}),
                       json={})
    assert refused.status_code == 404


def test_a_trainers_prompt_version_is_its_merchants_until_an_admin_shares_it(api):
    ledger = api.app.state.components.ledger
    other_trainer = {"Authorization": "Bearer " + new_key(ledger, role="trainer", merchant=OTHER, label="ot")}
    made = api.post("/v1/prompts/reply/versions", headers=auth(api, "trainer"),
                    json={"text": reply_prompt_with(THOROUGH, "本店专用")})
    assert made.status_code == 201 and made.json()["merchant"] == MERCHANT
    version = made.json()["version"]

    def visible(headers) -> set[int]:
        return {v["version"] for v in api.get("/v1/prompts", headers=headers).json()["reply"]}

    assert version in visible(auth(api, "trainer")) and version not in visible(other_trainer)
    assert api.get(f"/v1/prompts/reply/versions/{version}", headers=other_trainer).status_code == 404
    ab = api.post(f"/v1/merchants/{OTHER}/prompts/reply/ab", headers=other_trainer,
                  json={"version": version, "ratio": 0.5})
    assert ab.status_code == 404
    assert api.post(f"/v1/prompts/reply/versions/{version}/share", headers=auth(api, "trainer")).status_code == 403
    assert api.post(f"/v1/prompts/reply/versions/{version}/share", headers=auth(api, "admin")).status_code == 200
    assert version in visible(other_trainer)
    ab = api.post(f"/v1/merchants/{OTHER}/prompts/reply/ab", headers=other_trainer,
                  json={"version": version, "ratio": 0.5})
    assert ab.status_code == 200 and ab.json()["ab"]["b"] == f"reply@{version}"
    audited = [e.action for e in ledger.audit_log(f"reply@{version}")]
    assert audited == ["prompt.create", "prompt.share"]


def test_a_merchant_that_does_not_exist_is_a_404_only_to_who_may_see_it(api):
    for path in ("escalation", "groups", "prompts", "slots", "allowed-hosts", "evalsets"):
        assert api.get(f"/v1/merchants/nobody/{path}", headers=auth(api, "admin")).status_code == 404, path
        # to another merchant's key, a missing merchant and an existing one look the same
        missing = api.get(f"/v1/merchants/nobody/{path}", headers=auth(api, "trainer"))
        existing = api.get(f"/v1/merchants/{OTHER}/{path}", headers=auth(api, "trainer"))
        assert missing.status_code == existing.status_code == 403, path
    assert api.get("/v1/merchants/nobody/groups").status_code == 401
