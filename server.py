"""The FastAPI app: builds the components in lifespan and mounts the routers.

Run it with `copilot serve` (or `uvicorn server:create_app --factory`).
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from copilot.components import build
from copilot.errors import CopilotError
from copilot.routes import conversations, escalation_labels, evalsets, knowledge, prompts, routing, safety, slots, web
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
            await parts.assist.drain()
            await parts.eval_runs.drain()
            parts.close()

    app = FastAPI(title="Customer-service copilot", version="0.1.0", lifespan=lifespan,
                  description="Grounded, streamed reply drafts for e-commerce agents; "
                              "nothing reaches a shopper until an agent approves it.")

    @app.exception_handler(CopilotError)
    async def copilot_error(_: Request, err: CopilotError) -> JSONResponse:
        return JSONResponse(status_code=err.status, content=err.detail())

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"ok": True}

    app.include_router(routing.router)   # before knowledge: its /{merchant}/{kind} would shadow /groups
    app.include_router(prompts.router)   # before knowledge, for the same reason
    app.include_router(evalsets.router)
    app.include_router(escalation_labels.router)   # before knowledge, for the same reason
    app.include_router(slots.router)               # before knowledge, for the same reason
    app.include_router(safety.router)              # before knowledge, for the same reason
    app.include_router(knowledge.router)
    app.include_router(conversations.router)
    app.include_router(web.router)
    return app
