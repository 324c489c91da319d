"""Merchants and their knowledge: upload (multipart), list, get, delete, search, knowledge gaps."""
from __future__ import annotations

import dataclasses
from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field

from copilot.deps import Caller, KB, KnownMerchant, Parts
from copilot.auth import require
from copilot.http_errors import API_ERRORS
from copilot.names import Label, Name
from knowledge.records import Kind

router = APIRouter(prefix="/v1/merchants", tags=["knowledge"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

KIND_OF: dict[str, Kind] = {"catalog": "sku", "policies": "policy", "faqs": "faq"}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class NewMerchant(BaseModel):
    id: Name
    name: Label = Field("", description="the display name, any language (青禾服饰)")


class SearchRequest(BaseModel):
    message: str = Field(min_length=1, max_length=2000)
    sku: str | None = None
    k: int = Field(8, ge=1, le=50)


@router.post("", status_code=201)
def create_merchant(body: NewMerchant, kb: KB, caller: Caller) -> dict:
    require(caller, roles={"admin"})
    kb.create_merchant(body.id, name=body.name)
    return {"id": body.id, "name": body.name or body.id}


@router.get("")
def list_merchants(kb: KB, caller: Caller) -> list[dict]:
    merchants = kb.merchants()
    visible = merchants if caller.role == "admin" else {
        m: n for m, n in merchants.items() if m == caller.merchant}
    return [{"id": m, "name": n} for m, n in sorted(visible.items())]


@router.post("/{merchant}/search")
def search(merchant: str, body: SearchRequest, parts: Parts, caller: Caller) -> dict:
    """What retrieval returns for a message (for AI trainers debugging answers)."""
    require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
    sources = parts.retriever.search(merchant, body.message, sku=body.sku, k=body.k)
    return {"sources": [s.model_dump(mode="json") for s in sources]}


@router.get("/{merchant}/knowledge-gaps")
def knowledge_gaps(merchant: str, parts: Parts, caller: Caller, limit: int = 200) -> dict:
    """Shopper questions a draft found no answer to in this merchant's knowledge, newest first:
    what to add to the catalog, policies or FAQs."""
    require(caller, roles={"merchant", "trainer"}, merchant=merchant)
    return {"items": [dataclasses.asdict(g) for g in parts.ledger.knowledge_gaps(merchant, limit=limit)]}


def _kind_routes(path: str, kind: Kind) -> None:
    """The routes of one kind of record, at its own path (`/{merchant}/catalog`, `/policies`,
    `/faqs`): a `/{merchant}/{kind}` route would take every other router's `/{merchant}/groups`
    (422 for a method that should be 405, and an order the routers must be included in)."""

    @router.post(f"/{{merchant}}/{path}", summary=f"Upload {path}")
    def upload(merchant: str, parts: Parts, caller: Caller,
               files: list[UploadFile] = File(description=f"one or more {path} files")) -> dict:
        """All-or-nothing: any bad record rejects the whole upload (422 lists every problem).
        The products' statements are embedded in the background after it (`Retriever.warm`)."""
        require(caller, roles={"merchant", "trainer"}, merchant=merchant)
        payload = [(f.filename or "upload", f.file.read(MAX_UPLOAD_BYTES + 1)) for f in files]
        report = parts.kb.ingest(merchant, kind, payload).to_dict()
        if kind == "sku":
            parts.retriever.warm(merchant)
        return report

    @router.get(f"/{{merchant}}/{path}", summary=f"List {path}")
    def list_records(merchant: str, kb: KB, caller: Caller, offset: int = 0, limit: int = 100) -> dict:
        require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
        records = kb.records(merchant, kind)
        return {"total": len(records),
                "items": [r.model_dump(mode="json") for r in records[offset:offset + limit]]}

    @router.get(f"/{{merchant}}/{path}/{{record_id}}", summary=f"Get one of {path}")
    def get_record(merchant: str, record_id: str, kb: KB, caller: Caller) -> dict:
        require(caller, roles={"merchant", "trainer", "agent"}, merchant=merchant)
        return kb.get(merchant, kind, record_id).model_dump(mode="json")

    @router.delete(f"/{{merchant}}/{path}/{{record_id}}", summary=f"Delete one of {path}")
    def delete_record(merchant: str, record_id: str, kb: KB, caller: Caller) -> dict:
        require(caller, roles={"merchant"}, merchant=merchant)
        return {"deleted": kb.delete(merchant, kind, [record_id])}


for _path, _kind in KIND_OF.items():
    _kind_routes(_path, _kind)
