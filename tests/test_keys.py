"""Keys only in the Authorization header, the pages' session cookie for the event stream,
revocation and expiry (CLI and HTTP, audited), throttled guessing, keys only for merchants
that exist, and errors that never list other merchants."""
from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from copilot.auth import key_hash, new_key
from copilot.errors import BadRequest, TooManyRequests
from copilot.throttle import FailedAuthThrottle
from tests.test_api import MERCHANT, api, auth, post_message  # noqa: F401 - the app fixture


def test_a_key_is_taken_only_from_the_authorization_header(api):
    key = api.keys["agent"]
    assert api.get("/v1/whoami", headers=auth(api, "agent")).status_code == 200
    assert api.get(f"/v1/whoami?api_key={key}").status_code == 401
    assert api.get("/v1/whoami", headers={"X-API-Key": key}).status_code == 401
    sent = post_message(api, "c-header", "在吗")
    assert api.get(f"/v1/conversations/{sent['conversation_id']}/stream?api_key={key}").status_code == 401


def test_the_page_trades_its_key_for_an_httponly_cookie_that_opens_only_the_stream(api):
    sent = post_message(api, "c-cookie", "在吗")
    got = api.post("/v1/session", headers=auth(api, "agent"))
    assert got.status_code == 200
    cookie = got.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/v1/" in cookie
    assert api.keys["agent"] not in cookie
    with api.stream("GET", f"/v1/conversations/{sent['conversation_id']}/stream") as stream:
        assert stream.status_code == 200
        assert any(line.startswith("event: message") for line in _lines(stream, 3))
    # the cookie is no key: it opens nothing that changes or lists anything
    assert api.get("/v1/whoami").status_code == 401
    assert api.get("/v1/conversations").status_code == 401
    forged = api.cookies.get("copilot_session")[:-2] + "xx"
    api.cookies.clear()
    assert api.get(f"/v1/conversations/{sent['conversation_id']}/stream",
                   cookies={"copilot_session": forged}).status_code == 401


def test_revoking_a_key_ends_it_and_its_sessions_at_once_and_is_audited(api):
    sent = post_message(api, "c-revoke", "在吗")
    raw = api.post("/v1/keys", headers=auth(api, "admin"),
                   json={"role": "agent", "merchant": MERCHANT, "label": "小王"}).json()["key"]
    assert api.post("/v1/session", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    listed = {k["label"]: k for k in api.get("/v1/keys", headers=auth(api, "admin")).json()}
    assert "key_hash" not in listed["小王"] and listed["小王"]["revoked"] is False
    revoked = api.delete(f"/v1/keys/{listed['小王']['id']}", headers=auth(api, "admin"))
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert api.get("/v1/whoami", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert api.get(f"/v1/conversations/{sent['conversation_id']}/stream").status_code == 401
    actions = [(e.action, e.actor) for e in api.app.state.components.ledger.audit_log(f"api_key:{listed['小王']['id']}")]
    assert actions == [("api_key.add", "root"), ("api_key.revoke", "root")]
    assert api.delete(f"/v1/keys/{listed['小王']['id']}", headers=auth(api, "agent")).status_code == 403


def test_an_expired_key_is_refused(ledger):
    from copilot.auth import authenticate
    from copilot.errors import Unauthorized

    raw = new_key(ledger, role="agent", merchant="m1", label="temp", expires_in_days=1)
    assert authenticate(ledger, raw).label == "temp"
    with ledger._write() as db:   # a day later
        db.execute("UPDATE api_keys SET expires_at = ? WHERE key_hash = ?", (time.time() - 1, key_hash(raw)))
    with pytest.raises(Unauthorized, match="expired"):
        authenticate(ledger, raw)


def test_keys_are_made_only_for_merchants_that_exist_and_errors_never_list_them(api):
    got = api.post("/v1/keys", headers=auth(api, "admin"), json={"role": "agent", "merchant": "nobody", "label": "x"})
    assert got.status_code == 400 and "nobody" in got.json()["message"]
    assert "other-shop" not in got.text and MERCHANT not in got.text
    missing = api.post("/v1/merchants/nobody/search", headers=auth(api, "admin"), json={"message": "hi"})
    assert missing.status_code == 404 and "other-shop" not in missing.text and MERCHANT not in missing.text
    with pytest.raises(BadRequest, match="no merchant"):
        new_key(api.app.state.components.ledger, role="agent", merchant="nobody", label="x", merchants={"a"})


def test_failed_guesses_are_throttled_per_client_with_retry_after(api):
    for _ in range(api.app.state.components.throttle.limit):
        assert api.get("/v1/whoami", headers={"Authorization": "Bearer ck_guess"}).status_code == 401
    refused = api.get("/v1/whoami", headers={"Authorization": "Bearer ck_guess"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # even the right key waits: the client is guessing
    assert api.get("/v1/whoami", headers=auth(api, "agent")).status_code == 429


def test_the_throttle_forgets_failures_outside_its_window():
    now = [0.0]
    throttle = FailedAuthThrottle(limit=2, window_s=10, clock=lambda: now[0])
    throttle.failed("a")
    throttle.failed("a")
    with pytest.raises(TooManyRequests):
        throttle.check("a")
    throttle.check("b")
    now[0] = 10.5
    throttle.check("a")


def test_the_cli_makes_lists_and_revokes_keys(settings, monkeypatch):
    from copilot.cli import app

    monkeypatch.setenv("COPILOT_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    assert runner.invoke(app, ["merchants", "add", "shop-a"]).exit_code == 0
    refused = runner.invoke(app, ["keys", "add", "--role", "agent", "--merchant", "shop-b"])
    assert refused.exit_code == 2 and "shop-b" in refused.output and "shop-a" not in refused.output
    made = runner.invoke(app, ["keys", "add", "--role", "agent", "--merchant", "shop-a", "--label", "小李",
                               "--expires-days", "30"])
    assert made.exit_code == 0 and made.output.strip().startswith("ck_")
    listed = runner.invoke(app, ["keys", "list"]).output
    key_id = next(line.split()[0] for line in listed.splitlines() if "小李" in line)
    assert "active" in listed and made.output.strip() not in listed
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).output


def _lines(stream, events: int) -> list[str]:
    out = []
    for line in stream.iter_lines():
        out.append(line)
        if sum(1 for x in out if x.startswith("event:")) >= events:
            break
    return out
