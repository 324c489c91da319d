"""Eval sets over HTTP (AI trainers): upload, list, run in the background, progress, results."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from copilot.auth import require
from copilot.deps import Caller, KnownMerchant, Parts
from copilot.errors import NotFound
from copilot.http_errors import API_ERRORS, responses
from copilot.names import Name
from copilot.trainer_evals import MAX_EVAL_SET_BYTES, upload_eval_set
from evals.cases import parse_cases

router = APIRouter(prefix="/v1/merchants/{merchant}", tags=["evals"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

TRAINERS = {"trainer"}


class RunRequest(BaseModel):
    prompts: list[str] = Field([], description="TASK@VERSION to draft with instead of the active ones")


@router.post("/evalsets", status_code=201)
def upload(merchant: str, parts: Parts, caller: Caller,
           file: UploadFile = File(description="JSONL, one case per line (FORMATS.md section 4)"),
           name: Annotated[Name | None, Form(description="defaults to the file name without .jsonl")] = None
           ) -> dict:
    """All-or-nothing: 422 lists every bad line and field; an existing set of that name is replaced."""
    require(caller, roles=TRAINERS, merchant=merchant)
    name = name or (file.filename or "evalset").removesuffix(".jsonl")    # checked as a name below
    stored = upload_eval_set(parts.trainer_store, merchant=merchant, name=name,
                             raw=file.file.read(MAX_EVAL_SET_BYTES + 1), author=caller.label)
    return {"merchant": merchant, "name": stored.name, "cases": stored.cases}


@router.get("/evalsets")
def list_sets(merchant: str, parts: Parts, caller: Caller) -> list[dict]:
    require(caller, roles=TRAINERS, merchant=merchant)
    return [{"name": s.name, "cases": s.cases, "author": s.author, "created_at": s.created_at}
            for s in parts.trainer_store.eval_sets(merchant)]


@router.get("/evalsets/{name}")
def get_set(merchant: str, name: str, parts: Parts, caller: Caller) -> dict:
    """The eval set's cases, as uploaded (the trainer page labels their escalation from them)."""
    require(caller, roles=TRAINERS, merchant=merchant)
    stored = parts.trainer_store.get_eval_set(merchant, name)
    cases = parse_cases(stored.body, source=name)
    return {"name": stored.name, "author": stored.author, "created_at": stored.created_at,
            "cases": [{"id": c.id, "message": c.message, "history": [t.model_dump() for t in c.history],
                       "sku": c.sku, "expect": c.expect.model_dump(exclude_defaults=True)} for c in cases]}


@router.post("/evalsets/{name}/runs", status_code=202)
async def start_run(merchant: str, name: str, parts: Parts, caller: Caller,
                    body: RunRequest | None = None) -> dict:
    """Start a run in the background; poll GET .../evalruns/{id} for progress."""
    require(caller, roles=TRAINERS, merchant=merchant)
    chosen = {t.task: t for t in (parts.prompt_registry.resolve(ref, merchant=merchant)
                                  for ref in (body or RunRequest()).prompts)}
    run = parts.eval_runs.start(parts, merchant=merchant, name=name, prompts=chosen, author=caller.label)
    return _view(run)


@router.get("/evalruns/{run_id}")
def get_run(merchant: str, run_id: str, parts: Parts, caller: Caller) -> dict:
    require(caller, roles=TRAINERS, merchant=merchant)
    return _view(_own_run(parts, merchant, run_id))


@router.get("/evalruns/{run_id}/results", responses=responses(409))
def results(merchant: str, run_id: str, parts: Parts, caller: Caller) -> FileResponse:
    require(caller, roles=TRAINERS, merchant=merchant)
    _own_run(parts, merchant, run_id)
    return FileResponse(parts.eval_runs.finished_file(run_id, ".json"), media_type="application/json")


@router.get("/evalruns/{run_id}/report", response_class=Response, responses={
    200: {"description": "The run's report page", "content": {"text/html": {"schema": {"type": "string"}}}},
    **responses(409)})
def report(merchant: str, run_id: str, parts: Parts, caller: Caller) -> FileResponse:
    require(caller, roles=TRAINERS, merchant=merchant)
    _own_run(parts, merchant, run_id)
    return FileResponse(parts.eval_runs.finished_file(run_id, ".html"), media_type="text/html")


def _own_run(parts, merchant: str, run_id: str):
    run = parts.trainer_store.get_run(run_id)
    if run.merchant != merchant:
        raise NotFound(f"merchant {merchant!r} has no eval run {run_id!r}")
    return run


def _view(run) -> dict:
    return {"id": run.id, "merchant": run.merchant, "eval_set": run.eval_set, "prompts": run.prompts,
            "status": run.status, "done": run.done, "total": run.total, "summary": run.summary,
            "error": run.error, "created_at": run.created_at, "finished_at": run.finished_at}
