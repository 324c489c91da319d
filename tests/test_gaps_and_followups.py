"""Over HTTP: unanswered questions become knowledge gaps a merchant can list, and messages sent
while a draft is pending are answered together, the older draft marked stale with the reason."""
from __future__ import annotations

from copilot.assist import SUPERSEDED
from tests.test_api import MERCHANT, api, auth, events_until_done, post_message  # noqa: F401 - fixture

NO_ANSWER = "你们有线下门店吗"


def test_an_unanswered_question_is_a_knowledge_gap_the_merchant_can_list(api):  # noqa: F811
    ids = post_message(api, "c-gap", NO_ANSWER, sku="QH-101")
    done = events_until_done(api, "c-gap", ids["suggestion_id"])[-1]["body"]
    assert done["unanswered"] == [NO_ANSWER] and "核实" in done["text"]

    got = api.get(f"/v1/merchants/{MERCHANT}/knowledge-gaps", headers=auth(api, "merchant"))
    assert got.status_code == 200
    (gap,) = got.json()["items"]
    assert (gap["question"], gap["sku"], gap["conversation_id"], gap["suggestion_id"]) == \
        (NO_ANSWER, "QH-101", f"{MERCHANT}:c-gap", ids["suggestion_id"])
    assert api.get(f"/v1/merchants/{MERCHANT}/knowledge-gaps", headers=auth(api, "agent")).status_code == 403
    assert api.get("/v1/merchants/other-shop/knowledge-gaps", headers=auth(api, "merchant")).status_code == 403


def test_an_answered_question_or_a_greeting_is_no_gap(api):  # noqa: F811
    for conv, text in (("c-answered", "这个能机洗吗"), ("c-hello", "你好 在吗")):
        ids = post_message(api, conv, text, sku="QH-101")
        done = events_until_done(api, conv, ids["suggestion_id"])[-1]["body"]
        assert done["unanswered"] == [], done["text"]
    assert api.app.state.components.ledger.knowledge_gaps(MERCHANT) == []


def test_a_message_sent_while_a_draft_is_pending_is_answered_with_it(api):  # noqa: F811
    first = post_message(api, "c-split", "这条裙子能机洗吗", sku="QH-101")
    events_until_done(api, "c-split", first["suggestion_id"])
    second = post_message(api, "c-split", "还有 裙长多少", sku="QH-101")
    events = events_until_done(api, "c-split", second["suggestion_id"])
    stale = [e["body"] for e in events if e["type"] == "suggestion.status" and e["body"]["status"] == "stale"]
    assert stale == [{"suggestion_id": first["suggestion_id"], "status": "stale",
                      "replaced_by": second["suggestion_id"], "reason": SUPERSEDED}]
    done = events[-1]["body"]
    assert "手洗" in done["text"] and "112cm" in done["text"]     # both messages answered
    statuses = {s.id: s.status for s in api.app.state.components.ledger.suggestions(first["conversation_id"])}
    assert statuses == {first["suggestion_id"]: "stale", second["suggestion_id"]: "pending"}
