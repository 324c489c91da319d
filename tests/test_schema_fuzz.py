"""Schemathesis against the real app (real Chroma and SQLite in a temp dir, the demo merchant
loaded), once with an admin key and once with an agent key: no server error but an honest 503,
and every answer declared in the OpenAPI (status, content type, body schema, headers).

The event stream is left out: it never ends. Bounded and derandomized, so the suite stays fast
and a failure repeats. The schema comes from an app that is never started (`openapi()` needs no
lifespan); the requests go to the module's app. Two things of Schemathesis 4 with pytest 9 are
worked around: `schemathesis.pytest.from_fixture` sets `Node._nodeid`, which pytest 9 dropped, and
the plugin ends an ASGI app's lifespan after every test, so `OneLifespan` keeps the app's
running for the module (starting it takes seconds: the embedder, the indexes).
"""
from __future__ import annotations

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import get_client

from copilot.settings import Settings
from server import create_app
from tests.conftest import DEMO

MERCHANT = "qinghe"
EXAMPLES = 12
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
# Most path merchants are real ones, so requests get past "unknown merchant" into the routes.
CONFIG = SchemathesisConfig.from_dict({
    "dictionaries": {"merchants": {"values": [MERCHANT, "other-shop"]}},
    "parameters": {"path.merchant": {"dictionary": "merchants", "probability": 0.7}},
})

schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi(), config=CONFIG).exclude(
    path_regex=r"/stream$")


def honest_503(ctx, response, case):
    """5xx is a bug, except 503 with Retry-After (a store that is down, said so)."""
    if response.status_code >= 500 and not (response.status_code == 503 and "Retry-After" in response.headers):
        raise AssertionError(f"server error {response.status_code}: {response.text[:300]}")


# Every answer declared (status, content type, body, headers); input that breaks the schema refused;
# a method a path does not take is 405 with Allow; a route that needs a key refuses one without it.
# Not `positive_data_acceptance`: a schema-valid upload of random bytes is no catalog, and 422 (declared)
# is the honest answer to it; nor `not_a_server_error`, which `honest_503` replaces.
CHECKS = [honest_503, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance, checks.negative_data_rejection,
          checks.missing_required_header, checks.unsupported_method, checks.allow_header_conformance,
          checks.ignored_auth]


class OneLifespan:
    """The app, with its lifespan started at the first `lifespan.startup` Schemathesis sends and
    ended only by `close()`; its event loop is the one every request runs in."""

    def __init__(self, app) -> None:
        self.app = app
        self.state = app.state
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        await receive()                                     # lifespan.startup
        if self._task is None:
            self._loop, self._stop, started = asyncio.get_running_loop(), asyncio.Event(), asyncio.Event()
            self._task = asyncio.create_task(self._run(started))
            await started.wait()
        await send({"type": "lifespan.startup.complete"})
        await receive()                                     # lifespan.shutdown: the app's goes on
        await send({"type": "lifespan.shutdown.complete"})

    async def _run(self, started: asyncio.Event) -> None:
        async with self.app.router.lifespan_context(self.app):
            started.set()
            await self._stop.wait()

    def close(self) -> None:
        if self._task is not None:
            async def stop() -> None:
                self._stop.set()
                await self._task
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app, started, with the demo merchant, another merchant, and an admin's and an agent's key."""
    from copilot.auth import new_key
    from copilot.cli import ingest_paths

    app = OneLifespan(create_app(Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data", _env_file=None)))
    with get_client(app):
        pass                                                # starts it
    parts = app.state.components
    parts.kb.create_merchant(MERCHANT, name="青禾服饰")
    parts.kb.create_merchant("other-shop")
    ingest_paths(parts.kb, MERCHANT, [DEMO])
    app.keys = {"admin": new_key(parts.ledger, role="admin", merchant=None, label="fuzz-admin"),
                "agent": new_key(parts.ledger, role="agent", merchant=MERCHANT, label="fuzz-agent")}
    yield app
    app.close()


def call_as(role: str, case, app) -> None:
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {app.keys[role]}"}, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_answer_to_an_admin_is_declared(case, served):
    call_as("admin", case, served)


@schema.parametrize()
@FUZZ
def test_every_answer_to_an_agent_is_declared(case, served):
    call_as("agent", case, served)
