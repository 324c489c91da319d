"""HTTP policy: security headers on every answer (a CSP that fits the pages), 405 with Allow for a
method a path does not take and 404 for a path that is not there (no route swallows another's),
and every error the API answers declared in the OpenAPI."""
from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from copilot.routes.web import WEB_DIR
from tests.test_api import MERCHANT, api, auth, events_until_done, post_message  # noqa: F401

SECURITY = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def bare(settings):
    """The app with no merchant and no key: what the router answers before anyone is known."""
    from server import create_app

    with TestClient(create_app(settings)) as client:
        yield client


def csp(response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


# -- security headers --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/web/app.js", "/web/style.css", "/healthz", "/v1/whoami",
                                  "/v1/merchants/qinghe/nothing", "/openapi.json"])
def test_every_answer_carries_the_security_headers(bare, path):
    got = bare.get(path)
    for name, value in SECURITY.items():
        assert got.headers.get(name) == value, (path, name)
    policy = csp(got)
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]


def test_refusals_of_the_input_gate_carry_them_too(bare):
    got = bare.get("/v1/merchants/q%01/catalog")
    assert got.status_code == 422 and got.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in got.headers["content-security-policy"]


def test_the_page_policy_allows_only_the_app_itself():
    from copilot.http_headers import PAGE_POLICY

    policy = {d.split()[0]: d.split()[1:] for d in PAGE_POLICY.split("; ")}
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert [s for s in policy["style-src"] if not s.startswith("'sha256-")] == ["'self'"]
    assert not any("unsafe" in s or s.startswith(("http", "data:", "*")) for v in policy.values() for s in v)


def test_the_pages_need_nothing_the_policy_refuses():
    """No inline script, inline style or handler attribute, nothing from another origin, no eval:
    what `script-src 'self'; style-src 'self'` and `connect-src 'self'` would block."""
    html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script\b[^>]*>", html) == ['<script type="module" src="/web/app.js">']
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", html)
    for path in WEB_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//cdn|\beval\(|new Function\(|@import|url\(", text), path.name
        assert not re.search(r"\.style\.|setAttribute\(\s*[\"']style|cssText", text), path.name


def test_the_eval_report_style_in_the_trainer_page_frame_is_allowed_by_its_hash(bare):
    """The trainer page shows the report in a sandboxed srcdoc frame, which has the page's policy."""
    from evals.report import render_compare

    page = render_compare({"a": {"eval_set": "a", "config": {}}, "b": {"eval_set": "b", "config": {}},
                           "metrics": [], "cases": []})
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in csp(bare.get("/"))["style-src"]
    assert "&#34;" not in style                  # the style is served as written, not HTML-escaped


def test_the_api_docs_load_swagger_ui_from_this_server_not_a_cdn(bare):
    got = bare.get("/docs")
    assert got.status_code == 200
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", got.text)
    assert assets and all(a.startswith("/") for a in assets), assets       # nothing from another host
    for asset in assets:
        assert bare.get(asset).status_code == 200, asset
    policy = csp(got)
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"] and policy["frame-ancestors"] == ["'none'"]
    assert got.headers["x-frame-options"] == "DENY"


def test_the_event_stream_keeps_streaming_with_the_headers(api):
    ids = post_message(api, "c-headers", "这个能机洗吗")
    with api.stream("GET", "/v1/conversations/c-headers/stream", headers=auth(api, "agent")) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in stream.headers["content-security-policy"]
    assert events_until_done(api, "c-headers", ids["suggestion_id"])[-1]["type"] == "draft.done"


# -- 404 and 405 --------------------------------------------------------------------------------

def test_a_method_the_path_does_not_take_is_405_with_every_method_it_does_take(api):
    for headers in ({}, auth(api, "admin")):
        got = api.post(f"/v1/merchants/{MERCHANT}/escalation", headers=headers, json={})
        assert got.status_code == 405, got.text
        assert got.headers["allow"] == "GET, PUT"
        assert got.json()["code"] == "method_not_allowed" and "GET, PUT" in got.json()["message"]


def test_a_path_that_is_not_there_is_404_whatever_the_method(api):
    for method in METHODS:
        got = api.request(method, f"/v1/merchants/{MERCHANT}/nothing", headers=auth(api, "admin"))
        assert got.status_code == 404, (method, got.text)
        assert got.json()["code"] == "not_found"
    got = api.delete(f"/v1/merchants/{MERCHANT}/evalsets/x/y/z", headers=auth(api, "admin"))
    assert got.status_code == 404


def test_the_knowledge_urls_are_the_same_and_no_other_router_is_swallowed(api):
    """`/{merchant}/catalog|policies|faqs` still answer; a kind that is none of them is no route."""
    for kind in ("catalog", "policies", "faqs"):
        assert api.get(f"/v1/merchants/{MERCHANT}/{kind}", headers=auth(api, "agent")).status_code == 200
        assert api.get(f"/v1/merchants/{MERCHANT}/{kind}/nope", headers=auth(api, "agent")).status_code == 404
    assert api.delete(f"/v1/merchants/{MERCHANT}/groups/x", headers=auth(api, "merchant")).status_code == 404
    got = api.delete(f"/v1/merchants/{MERCHANT}/evalsets/x", headers=auth(api, "merchant"))
    assert (got.status_code, got.headers["allow"]) == (405, "GET")


def test_every_path_of_the_api_answers_405_to_the_methods_it_does_not_take(bare):
    paths = bare.get("/openapi.json").json()["paths"]
    templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$"), {m.upper() for m in ops})
                 for t, ops in paths.items()]
    for template, operations in paths.items():
        concrete = re.sub(r"\{[^}]+\}", "1", template)
        taken = set().union(*(methods for pattern, methods in templates if pattern.match(concrete)))
        for method in sorted(set(METHODS) - taken):
            got = bare.request(method, concrete)
            assert got.status_code == 405, (method, concrete, got.status_code, got.text)
            assert set(got.headers["allow"].split(", ")) == taken, (method, concrete)


# -- errors in the OpenAPI ---------------------------------------------------------------------

def test_every_operation_declares_the_errors_it_can_answer(bare):
    spec = bare.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if path == "/healthz":
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "422", "429", "503"):
                assert status in responses, (method, path, status)
                assert list(responses[status]["content"]) == ["application/json"], (method, path, status)
            assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/InvalidInput")
            assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
            for status in ("429", "503"):
                assert "Retry-After" in responses[status]["headers"]
    schemas = spec["components"]["schemas"]
    assert schemas["Error"]["required"] == ["code", "message"]
    assert {"field", "problems", "regressions"} <= schemas["Error"]["properties"].keys()
    assert [b["$ref"].rsplit("/", 1)[1] for b in schemas["InvalidInput"]["anyOf"]] == ["Error", "ValidationFailed"]


@pytest.mark.parametrize("method, path", [
    ("post", "/v1/suggestions/{suggestion_id}/approve"), ("post", "/v1/suggestions/{suggestion_id}/reject"),
    ("post", "/v1/prompts/{task}/versions"), ("post", "/v1/merchants/{merchant}/prompts/{task}/activate"),
    ("post", "/v1/merchants/{merchant}/prompts/{task}/rollback"),
    ("post", "/v1/merchants/{merchant}/prompts/{task}/ab"), ("delete", "/v1/merchants/{merchant}/prompts/{task}/ab"),
    ("get", "/v1/merchants/{merchant}/evalruns/{run_id}/report"),
    ("get", "/v1/merchants/{merchant}/evalruns/{run_id}/results"),
])
def test_routes_that_can_conflict_declare_409(bare, method, path):
    assert "409" in bare.get("/openapi.json").json()["paths"][path][method]["responses"]


def test_non_json_answers_are_declared_as_what_they_are(bare):
    paths = bare.get("/openapi.json").json()["paths"]
    assert list(paths["/v1/conversations/{conversation_id}/stream"]["get"]["responses"]["200"]["content"]) == [
        "text/event-stream"]
    assert list(paths["/v1/merchants/{merchant}/evalruns/{run_id}/report"]["get"]["responses"]["200"]["content"]) == [
        "text/html"]


def test_the_openapi_states_the_character_rule_the_input_gate_enforces(bare):
    spec = bare.get("/openapi.json").json()
    (merchant,) = [p for p in spec["paths"]["/v1/merchants/{merchant}/search"]["post"]["parameters"]
                   if p["name"] == "merchant"]
    pattern = re.compile(merchant["schema"]["pattern"])
    assert pattern.match("青禾-01") and not pattern.match("q\x01") and not pattern.match("a\nb")
    message = spec["components"]["schemas"]["SearchRequest"]["properties"]["message"]
    assert re.match(message["pattern"], "两行\n文字") and not re.match(message["pattern"], "bad\x1b")
