"""A/B tests of prompt versions: stable assignment, the split ratio, and outcome figures
computed from ledger rows written through the real approve/reject calls."""
from __future__ import annotations

from difflib import SequenceMatcher

import pytest
from fastapi.testclient import TestClient

from copilot.auth import new_key
from copilot.prompt_registry import bucket
from tests.conftest import sample
from tests.fake_llm import Behaviour, FakeLLM
from tests.trainer_support import THOROUGH, answer, reply_prompt_with, wait_for

MERCHANT = "gadgets"
QUESTION = "盒子里带充电头吗"


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.8])
def test_assignment_is_stable_and_within_two_percent_of_the_ratio(ratio):
    ids = [f"conv-{n}" for n in range(10_000)]
    share = sum(bucket("reply", c) < ratio for c in ids) / len(ids)
    assert abs(share - ratio) <= 0.02
    assert [bucket("reply", c) for c in ids[:50]] == [bucket("reply", c) for c in ids[:50]]
    assert all(0.0 <= bucket("reply", c) < 1.0 for c in ids)


def test_tasks_split_independently():
    ids = [f"c{n}" for n in range(2000)]
    same = sum((bucket("reply", c) < 0.5) == (bucket("escalation_reply", c) < 0.5) for c in ids) / len(ids)
    assert 0.45 < same < 0.55


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from copilot.cli import ingest_paths
    from copilot.settings import Settings
    from server import create_app

    with FakeLLM(behaviour=Behaviour(respond=answer)) as fake:
        settings = Settings(data_dir=tmp_path_factory.mktemp("ab") / "data", drafter="llm",
                            llm_base_url=fake.base_url, llm_model="fake-model", _env_file=None)
        with TestClient(create_app(settings)) as client:
            parts = client.app.state.components
            parts.kb.create_merchant(MERCHANT)
            ingest_paths(parts.kb, MERCHANT, [sample("gadgets")])
            keys = {role: {"Authorization": "Bearer " + new_key(parts.ledger, role=role, merchant=MERCHANT,
                                                                label=f"{role}-1")}
                    for role in ("trainer", "agent")}
            yield client, keys


def draft_for(client, keys, conversation: str) -> dict:
    got = client.post(f"/v1/conversations/{conversation}/messages", headers=keys["agent"],
                      json={"merchant": MERCHANT, "text": QUESTION, "sku": "GD-3003"})
    assert got.status_code == 202, got.text
    sid = got.json()["suggestion_id"]
    ledger = client.app.state.components.ledger
    return {"id": sid, "suggestion": wait_for(lambda: (s := ledger.get_suggestion(sid)).draft_text and s)}


def test_outcomes_per_version_from_real_approvals_and_rejections(server):
    client, keys = server
    made = client.post("/v1/prompts/reply/versions", headers=keys["trainer"],
                       json={"text": reply_prompt_with(THOROUGH, "完整引用第一条事实")})
    b = made.json()["version"]
    started = client.post(f"/v1/merchants/{MERCHANT}/prompts/reply/ab", headers=keys["trainer"],
                          json={"version": b, "ratio": 0.5})
    assert started.status_code == 200 and started.json()["ab"] == {"a": "reply@2", "b": f"reply@{b}",
                                                                    "ratio": 0.5}
    expected: dict[str, dict] = {"reply@2": [], f"reply@{b}": []}
    for n in range(12):
        conv = f"ab-{n}"
        arm = f"reply@{b}" if bucket("reply", f"{MERCHANT}:{conv}") < 0.5 else "reply@2"   # ids are scoped
        drafted = draft_for(client, keys, conv)
        suggestion = drafted["suggestion"]
        assert suggestion.prompt_id == arm  # the arm the hash names is the version that drafted
        action = ("edit", "approve", "reject")[n % 3]
        key = {"Idempotency-Key": f"key-{conv}-{action}"}
        if action == "reject":
            reason = "答非所问" if n % 2 else "语气生硬"
            r = client.post(f"/v1/suggestions/{drafted['id']}/reject", headers=keys["agent"] | key,
                            json={"reason": reason})
            expected[arm].append(("reject", reason, None))
        else:
            text = suggestion.draft_text + "，有问题随时找我哦" if action == "edit" else None
            r = client.post(f"/v1/suggestions/{drafted['id']}/approve", headers=keys["agent"] | key,
                            json={"text": text})
            expected[arm].append((action, None, None if text is None else
                                  1 - SequenceMatcher(None, suggestion.draft_text, text, autojunk=False).ratio()))
        assert r.status_code == 200, r.text
    # the same conversation keeps its arm on its next message
    again = draft_for(client, keys, "ab-0")["suggestion"]
    assert again.prompt_id == (f"reply@{b}" if bucket("reply", f"{MERCHANT}:ab-0") < 0.5 else "reply@2")

    got = client.get(f"/v1/merchants/{MERCHANT}/prompts/reply/ab", headers=keys["trainer"]).json()
    versions = got["versions"]
    assert set(versions) == {arm for arm, rows in expected.items() if rows}
    for arm, rows in expected.items():
        if not rows:
            continue
        figures = versions[arm]
        approved = [r for r in rows if r[0] != "reject"]
        edits = [r[2] for r in rows if r[0] == "edit"]
        assert figures["approved"] == len(approved) and figures["rejected"] == len(rows) - len(approved)
        assert figures["acceptance_rate"] == pytest.approx(len(approved) / len(rows), abs=1e-4)
        if approved:
            assert figures["edit_rate"] == pytest.approx(len(edits) / len(approved), abs=1e-4)
            mean_edit = sum(edits) / len(approved)   # untouched approvals count as distance 0
            assert figures["mean_edit_distance"] == pytest.approx(mean_edit, abs=1e-4)
            assert figures["mean_seconds_to_approval"] >= 0
        reasons = [r[1] for r in rows if r[0] == "reject"]
        assert figures["rejection_reasons"] == {x: reasons.count(x) for x in set(reasons)}
        assert figures["escalations"] == 0
    stopped = client.delete(f"/v1/merchants/{MERCHANT}/prompts/reply/ab", headers=keys["trainer"])
    assert stopped.status_code == 200 and stopped.json()["ab"] is None
