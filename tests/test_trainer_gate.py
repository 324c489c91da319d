"""The activation gate over HTTP: a worse prompt version is refused, a better one activated,
against a real server app, real Chroma and SQLite in a temp dir, and a real fake-LLM HTTP server."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.auth import new_key
from tests.conftest import sample
from tests.fake_llm import Behaviour, FakeLLM
from tests.trainer_support import LAZY, THOROUGH, answer, reply_prompt_with, wait_for

MERCHANT = "gadgets"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from copilot.cli import ingest_paths
    from copilot.settings import Settings
    from server import create_app

    knowledge, eval_set = sample("gadgets"), sample("gadgets", "eval.jsonl")
    with FakeLLM(behaviour=Behaviour(respond=answer)) as fake:
        settings = Settings(data_dir=tmp_path_factory.mktemp("gate") / "data", drafter="llm",
                            llm_base_url=fake.base_url, llm_model="fake-model", _env_file=None)
        with TestClient(create_app(settings)) as client:
            parts = client.app.state.components
            parts.kb.create_merchant(MERCHANT)
            ingest_paths(parts.kb, MERCHANT, [knowledge])
            keys = {role: {"Authorization": "Bearer " + new_key(parts.ledger, role=role, merchant=MERCHANT,
                                                                label=f"{role}-1")}
                    for role in ("trainer", "admin", "agent")}
            yield client, keys, eval_set.read_bytes(), fake


def post_version(client, keys, marker: str, description: str) -> int:
    got = client.post("/v1/prompts/reply/versions", headers=keys["trainer"],
                      json={"text": reply_prompt_with(marker, description)})
    assert got.status_code == 201, got.text
    return got.json()["version"]


def test_worse_version_is_refused_and_a_better_one_activated(server):
    client, keys, eval_bytes, fake = server
    no_sets = client.post(f"/v1/merchants/{MERCHANT}/prompts/reply/activate", headers=keys["trainer"],
                          json={"version": 1})
    assert no_sets.status_code == 409 and "no eval set" in no_sets.json()["message"]
    up = client.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=keys["trainer"],
                     files={"file": ("gadgets.jsonl", eval_bytes, "application/jsonl")})
    assert up.status_code == 201 and up.json()["cases"] == 20

    worse = post_version(client, keys, LAZY, "只会说帮您确认")
    better = post_version(client, keys, THOROUGH, "引用前三条事实")
    seen = len(fake.requests)
    refused = client.post(f"/v1/merchants/{MERCHANT}/prompts/reply/activate", headers=keys["trainer"],
                          json={"version": worse})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "gate_refused"
    coverage = next(r for r in body["regressions"] if r["metric"] == "fact_coverage")
    assert coverage["candidate"] < coverage["active"] - 0.02 and coverage["cases"]
    assert "fact_coverage" in body["message"] and coverage["cases"][0] in body["message"]
    # both versions really drafted through the model: the lazy marker reached it
    assert any(LAZY in m["content"] for r in fake.requests[seen:] for m in r["messages"])
    assert client.get(f"/v1/merchants/{MERCHANT}/prompts", headers=keys["trainer"]).json()["reply"][
        "active"] == "reply@2"

    accepted = client.post(f"/v1/merchants/{MERCHANT}/prompts/reply/activate", headers=keys["trainer"],
                           json={"version": better})
    assert accepted.status_code == 200, accepted.text
    gate = accepted.json()["gate"]
    assert accepted.json()["active"] == f"reply@{better}" and gate["regressions"] == []
    summary = gate["eval_sets"][0]
    assert summary["candidate"]["replies"]["fact_coverage"] > summary["active"]["replies"]["fact_coverage"]


def test_override_is_admin_only_and_audited_and_rollback_is_one_call(server):
    client, keys, eval_bytes, _ = server
    client.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=keys["trainer"],
                files={"file": ("gadgets.jsonl", eval_bytes)})
    lazy = post_version(client, keys, LAZY, "再试一次敷衍版本")
    url = f"/v1/merchants/{MERCHANT}/prompts/reply/activate?override=true"
    assert client.post(url, headers=keys["trainer"], json={"version": lazy}).status_code == 403
    before = client.get(f"/v1/merchants/{MERCHANT}/prompts", headers=keys["trainer"]).json()["reply"]["active"]
    forced = client.post(url, headers=keys["admin"], json={"version": lazy})
    assert forced.status_code == 200 and forced.json()["active"] == f"reply@{lazy}"
    audit = client.app.state.components.ledger.audit_log(f"{MERCHANT}/reply")
    entry = audit[-1]
    assert entry.action == "prompt.activate" and entry.actor == "admin-1" and entry.detail["override"] is True
    assert any(r["metric"] == "fact_coverage" for r in entry.detail["regressions"])

    back = client.post(f"/v1/merchants/{MERCHANT}/prompts/reply/rollback", headers=keys["trainer"])
    assert back.status_code == 200 and back.json()["active"] == before
    assert client.app.state.components.ledger.audit_log(f"{MERCHANT}/reply")[-1].action == "prompt.rollback"


def test_bad_prompt_versions_get_422_naming_the_variable(server):
    client, keys, _, _ = server
    text = reply_prompt_with("", "坏版本")
    undeclared = client.post("/v1/prompts/reply/versions", headers=keys["trainer"],
                             json={"text": text.replace("{message}", "{shopper_msg}")})
    assert undeclared.status_code == 422 and "shopper_msg" in undeclared.json()["message"]
    unknown = client.post("/v1/prompts/reply/versions", headers=keys["trainer"], json={
        "system": "你是{store_name}的客服，优惠券：{coupon}", "user": "{message}",
        "variables": ["store_name", "coupon", "message"]})
    assert unknown.status_code == 422 and "'coupon'" in unknown.json()["message"]
    assert client.post("/v1/prompts/reply/versions", headers=keys["agent"],
                       json={"text": text}).status_code == 403
    listed = client.get("/v1/prompts", headers=keys["trainer"]).json()["reply"]
    assert all(v["version"] == n for n, v in enumerate(listed, start=1))  # nothing stored by the failures


def test_eval_sets_upload_errors_and_background_runs(server):
    client, keys, eval_bytes, _ = server
    bad = b'{"id": "x1", "message": "hi", "expect": {"kind": "reply"}}\n{"id": "x2", "expect": {"kind": "nope"}}\n'
    rejected = client.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=keys["trainer"],
                           files={"file": ("bad.jsonl", bad)})
    assert rejected.status_code == 422
    problems = {(p["line"], p["field"]) for p in rejected.json()["problems"]}
    assert (2, "message") in problems and (2, "expect.kind") in problems
    assert "bad" not in [s["name"] for s in client.get(f"/v1/merchants/{MERCHANT}/evalsets",
                                                       headers=keys["trainer"]).json()]

    client.post(f"/v1/merchants/{MERCHANT}/evalsets", headers=keys["trainer"],
                files={"file": ("gadgets.jsonl", eval_bytes)}, data={"name": "small"})
    started = client.post(f"/v1/merchants/{MERCHANT}/evalsets/small/runs", headers=keys["trainer"],
                          json={"prompts": ["reply@1"]})
    assert started.status_code == 202 and started.json()["total"] == 20
    run_id = started.json()["id"]
    url = f"/v1/merchants/{MERCHANT}/evalruns/{run_id}"
    seen_done = set()

    def finished():
        got = client.get(url, headers=keys["trainer"]).json()
        seen_done.add(got["done"])
        return got if got["status"] != "running" else None

    run = wait_for(finished)
    assert run["status"] == "finished" and run["done"] == 20 and run["summary"]["replies"]["cases"] == 20
    assert all(0 <= d <= 20 for d in seen_done)
    results = client.get(url + "/results", headers=keys["trainer"]).json()
    assert results["summary"] == run["summary"] and results["config"]["prompts"]["reply"] == "reply@1"
    report = client.get(url + "/report", headers=keys["trainer"])
    assert report.headers["content-type"].startswith("text/html") and str(
        run["summary"]["replies"]["fact_coverage"]) in report.text
