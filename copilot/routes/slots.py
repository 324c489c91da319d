"""Outfit slots per merchant: what the copilot reads each category as, and the merchant's
own settings (`slots.csv`, see README "Outfit slots")."""
from __future__ import annotations

from fastapi import APIRouter, File, UploadFile

from copilot.auth import require
from copilot.deps import Caller, KnownMerchant, Parts
from copilot.errors import NotFound
from copilot.http_errors import API_ERRORS
from copilot.outfits.slot_settings import FILE_NAME, parse_slot_settings
from copilot.outfits.slots import SLOTS
from copilot.routes.knowledge import MAX_UPLOAD_BYTES

router = APIRouter(prefix="/v1/merchants", tags=["outfit slots"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

EDITORS = {"merchant", "trainer"}


def _view(parts: Parts, merchant: str) -> dict:
    slots = parts.pipeline.stylist.slots(merchant)
    return {"items": [choice.to_dict() | {"slot_zh": SLOTS[choice.slot].zh} for choice in slots.values()],
            "settings": parts.kb.slot_settings(merchant),
            "slots": [{"name": s.name, "zh": s.zh, "holds": s.description} for s in SLOTS.values()]}


@router.get("/{merchant}/slots")
def list_slots(merchant: str, parts: Parts, caller: Caller) -> dict:
    """Every category's outfit slot (read by meaning, or set by the merchant) and the slots there are."""
    require(caller, roles=EDITORS, merchant=merchant)
    return _view(parts, merchant)


@router.post("/{merchant}/slots")
def upload_slots(merchant: str, parts: Parts, caller: Caller,
                 file: UploadFile = File(description=f"{FILE_NAME}: header category,slot")) -> dict:
    """Set the slots of the categories the file names (others keep theirs); all or nothing."""
    require(caller, roles=EDITORS, merchant=merchant)
    settings = parse_slot_settings(file.filename or FILE_NAME, file.file.read(MAX_UPLOAD_BYTES + 1))
    parts.kb.set_slot_settings(merchant, parts.kb.slot_settings(merchant) | settings)
    return _view(parts, merchant)


@router.delete("/{merchant}/slots/{category}")
def clear_slot(merchant: str, category: str, parts: Parts, caller: Caller) -> dict:
    """Drop the merchant's setting for one category: its slot is read by meaning again."""
    require(caller, roles=EDITORS, merchant=merchant)
    settings = parts.kb.slot_settings(merchant)
    if category not in settings:
        raise NotFound(f"category {category!r} has no slot setting of merchant {merchant!r}")
    del settings[category]
    parts.kb.set_slot_settings(merchant, settings)
    return _view(parts, merchant)
