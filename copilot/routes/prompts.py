"""Prompt versions (AI trainers), each merchant's active version, the activation gate,
rollback, and A/B tests with their outcome figures."""
from __future__ import annotations

from dataclasses import asdict

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from copilot.ab_outcomes import outcomes_by_version
from copilot.auth import ADMIN, require
from copilot.deps import Caller, KnownMerchant, Parts
from copilot.errors import Forbidden
from copilot.http_errors import API_ERRORS, responses
from copilot.prompts import ModelParams
from copilot.trainer_evals import gate, refusal

router = APIRouter(prefix="/v1", tags=["prompts"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

TRAINERS = {"trainer"}
MAX_PROMPT_CHARS = 20_000


class NewVersion(BaseModel):
    """Either `text` (a whole prompt file: front matter, `## system`, `## user`) or the fields."""

    text: str | None = Field(None, max_length=MAX_PROMPT_CHARS,
                             description="front matter may leave out id, task and version")
    system: str | None = Field(None, max_length=MAX_PROMPT_CHARS)
    user: str | None = Field(None, max_length=MAX_PROMPT_CHARS)
    variables: list[str] | None = None
    model: ModelParams = ModelParams()
    description: str = ""
    merchant: str | None = Field(None, description="admins only: the merchant the version is for; "
                                 "omitted, it is shared with every merchant")

    @model_validator(mode="after")
    def _one_form(self) -> NewVersion:
        if (self.text is None) == (self.user is None):
            raise ValueError("send either `text` (the whole prompt) or `user` (with `system`, `variables`)")
        if self.text is None and self.variables is None:
            raise ValueError("`variables` is required with `user`: list every {placeholder} used")
        return self

    def as_text(self) -> str:
        if self.text is not None:
            return self.text
        meta = {"variables": self.variables, "model": self.model.model_dump(exclude_none=True),
                "description": self.description}
        sections = ([f"## system\n{self.system}"] if self.system else []) + [f"## user\n{self.user}"]
        return f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n" + "\n\n".join(sections)


class Activation(BaseModel):
    version: int = Field(ge=1)


class ABTest(BaseModel):
    version: int = Field(ge=1, description="the B version")
    ratio: float = Field(gt=0, lt=1, description="share of conversations drafted with the B version")


@router.get("/prompts")
def list_prompts(parts: Parts, caller: Caller) -> dict:
    """The versions the caller's merchant may use: shipped, shared and its own (an admin sees all)."""
    require(caller, roles=TRAINERS | {"merchant"})
    return {task: parts.prompt_registry.versions(task, merchant=caller.merchant)
            for task in parts.prompt_registry.tasks()}


@router.get("/prompts/{task}/versions/{version}")
def get_version(task: str, version: int, parts: Parts, caller: Caller) -> dict:
    require(caller, roles=TRAINERS | {"merchant"})
    template = parts.prompt_registry.get(task, version, merchant=caller.merchant)
    return {"id": template.id, "task": task, "version": version, "variables": list(template.variables),
            "model": template.params.model_dump(exclude_none=True), "description": template.description,
            "messages": [{"role": role, "text": text} for role, text in template.messages]}


@router.post("/prompts/{task}/versions", status_code=201, responses=responses(409))
def create_version(task: str, body: NewVersion, parts: Parts, caller: Caller) -> dict:
    """Store the next version of `task`, validated like a prompt file (422 names the problem). A
    trainer's version belongs to its merchant; an admin's is shared unless it names a merchant."""
    require(caller, roles=TRAINERS)
    if body.merchant is not None and caller.role != ADMIN:
        raise Forbidden("only an admin chooses a version's merchant; a trainer's versions are its merchant's")
    owner = caller.merchant if caller.role != ADMIN else body.merchant
    if owner is not None:
        parts.kb.require_merchant(owner)
    template = parts.prompt_registry.create(task, body.as_text(), author=caller.label, merchant=owner)
    return {"id": template.id, "task": task, "version": template.version, "author": caller.label,
            "merchant": owner}


@router.post("/prompts/{task}/versions/{version}/share")
def share_version(task: str, version: int, parts: Parts, caller: Caller) -> dict:
    """Publish a merchant's version to every merchant (admins only; audited)."""
    require(caller, roles={ADMIN})
    parts.prompt_registry.share(task, version, actor=caller.label)
    return {"id": f"{task}@{version}", "merchant": None}


@router.get("/merchants/{merchant}/prompts")
def merchant_prompts(merchant: str, parts: Parts, caller: Caller) -> dict:
    require(caller, roles=TRAINERS | {"merchant"}, merchant=merchant)
    registry = parts.prompt_registry
    return {task: _config(parts, merchant, task) for task in registry.library.tasks()}


@router.post("/merchants/{merchant}/prompts/{task}/activate", responses=responses(409))
async def activate(merchant: str, task: str, body: Activation, parts: Parts, caller: Caller,
                   override: bool = False) -> dict:
    """Run the merchant's eval sets with the candidate and the active version; 409 if it is worse.

    `?override=true` (admin only) activates anyway; the override and what it overrode are audited.
    """
    require(caller, roles=TRAINERS, merchant=merchant)
    if override and caller.role != ADMIN:
        raise Forbidden(f"only an admin may override the eval gate; key {caller.label!r} is a {caller.role} key")
    registry = parts.prompt_registry
    candidate = registry.get(task, body.version, merchant=merchant)
    margin = parts.settings.gate_margin
    report = None if override and not parts.trainer_store.eval_sets(merchant) else await gate(
        parts, merchant=merchant, task=task, candidate=candidate, margin=margin)
    if report and report["regressions"] and not override:
        raise refusal(report, margin)
    detail = {"override": override, "regressions": report["regressions"] if report else None,
              "eval_sets": [s["name"] for s in report["eval_sets"]] if report else []}
    registry.activate(merchant, task, body.version, actor=caller.label, detail=detail)
    return {**_config(parts, merchant, task), "gate": report, "override": override}


@router.post("/merchants/{merchant}/prompts/{task}/rollback", responses=responses(409))
def rollback(merchant: str, task: str, parts: Parts, caller: Caller) -> dict:
    """Back to the version active before the last activation."""
    require(caller, roles=TRAINERS, merchant=merchant)
    parts.prompt_registry.rollback(merchant, task, actor=caller.label)
    return _config(parts, merchant, task)


@router.post("/merchants/{merchant}/prompts/{task}/ab", responses=responses(409))
def start_ab(merchant: str, task: str, body: ABTest, parts: Parts, caller: Caller) -> dict:
    require(caller, roles=TRAINERS, merchant=merchant)
    parts.prompt_registry.start_ab(merchant, task, body.version, body.ratio, actor=caller.label)
    return _config(parts, merchant, task)


@router.delete("/merchants/{merchant}/prompts/{task}/ab", responses=responses(409))
def stop_ab(merchant: str, task: str, parts: Parts, caller: Caller) -> dict:
    require(caller, roles=TRAINERS, merchant=merchant)
    parts.prompt_registry.stop_ab(merchant, task, actor=caller.label)
    return _config(parts, merchant, task)


@router.get("/merchants/{merchant}/prompts/{task}/ab")
def ab_outcomes(merchant: str, task: str, parts: Parts, caller: Caller) -> dict:
    """Outcomes per version from the ledger: acceptance, edits, rejection reasons, escalations, wait."""
    require(caller, roles=TRAINERS | {"merchant"}, merchant=merchant)
    return {**_config(parts, merchant, task),
            "versions": outcomes_by_version(parts.trainer_store.outcomes(merchant, task))}


def _config(parts, merchant: str, task: str) -> dict:
    registry = parts.prompt_registry
    row = registry.config(merchant, task)
    active = registry.active(merchant, task)
    return {"merchant": merchant, "task": task, "active": active.id, "version": active.version,
            "ab": None if row is None or row.ab_version is None else
            {"a": active.id, "b": f"{task}@{row.ab_version}", "ratio": row.ab_ratio},
            "previous": None if row is None or row.previous_version is None else f"{task}@{row.previous_version}",
            "updated": None if row is None else {k: v for k, v in asdict(row).items()
                                                 if k in ("updated_by", "updated_at")}}
