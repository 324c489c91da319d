"""The FastAPI app: builds the components in lifespan and mounts the routers.

Run it with `copilot serve` (or `uvicorn server:create_app --factory`).
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from copilot.components import build
from copilot.errors import CopilotError
from copilot.http_errors import routing_error
from copilot.http_headers import SecurityHeaders
from copilot.input_guard import RefuseBadText
from copilot.openapi_text import state_text_rule
from copilot.routes import (conversations, demo, escalation_labels, evalsets, keys, knowledge, prompts, routing, safety,
                            slots, web, workspace)
from copilot.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        parts = build(settings)
        await asyncio.to_thread(parts.warm)
        app.state.components = parts
        parts.assist.resume()
        sender = asyncio.create_task(parts.sender.run_forever())
        try:
            yield
        finally:
            sender.cancel()
            if parts.demo:
                await parts.demo.stop()
            await parts.assist.drain()
            await parts.eval_runs.drain()
            parts.close()

    app = FastAPIOffline(title="Customer-service copilot", version="0.1.0", lifespan=lifespan,
                  description="Grounded, streamed reply drafts for e-commerce agents; "
                              "nothing reaches a shopper until an agent approves it.")
    app.add_middleware(RefuseBadText)   # every string a client sends: no control characters, no surrogates
    app.add_middleware(SecurityHeaders)   # outermost: CSP, no framing, no sniffing, no referrer on every answer
    app.add_exception_handler(HTTPException, routing_error)   # the router's 404 and 405 (with Allow), our body
    state_text_rule(app)   # the OpenAPI says what RefuseBadText refuses

    @app.exception_handler(CopilotError)
    async def copilot_error(_: Request, err: CopilotError) -> JSONResponse:
        return JSONResponse(status_code=err.status, content=err.detail(), headers=err.headers())

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict:
        """Liveness: answered on the event loop, touching no store, so it answers while a store
        is held, full or failing (the requests that need it answer 503 with Retry-After)."""
        return {"ok": True}

    app.include_router(routing.router)   # in any order: no route's path takes another's (test_http_policy)
    app.include_router(prompts.router)
    app.include_router(evalsets.router)
    app.include_router(escalation_labels.router)
    app.include_router(slots.router)
    app.include_router(safety.router)
    app.include_router(knowledge.router)
    app.include_router(conversations.router)
    app.include_router(workspace.router)
    app.include_router(demo.router)
    app.include_router(keys.router)
    app.include_router(web.router)
    return app
