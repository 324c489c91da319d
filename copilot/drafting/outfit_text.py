"""Outfit suggestions in the store's voice.

The outfit builder's result is read defensively (`getattr`): it has `outfits`, each
with `items` (sku_id, title, price, category), `total` and `reason`, and a `note`.
Prices and totals are left to the outfit cards on the agent's screen: the reply names
the items only, so it carries no number that no cited source holds.
"""
from __future__ import annotations

from typing import Any

from copilot.drafting.composition import Piece
from copilot.drafting.voice import Voice

ORDINALS = "一二三四五六七八九十"


def outfit_pieces(result: Any, *, voice: Voice) -> list[Piece]:
    """The outfits, each its items and reason, then the note; with none, the note alone (why
    there are none: not something worn, which item, nothing that goes)."""
    english = voice.outfit_label.isascii()
    outfits = getattr(result, "outfits", None) or []
    note = (getattr(result, "note", "") or "").strip().rstrip("。.")
    if not outfits:
        return [Piece(voice.outfit_none + note + ("." if english else "。") + voice.closing)]
    pieces = [Piece(voice.outfit_intro + (": " if english else "："))]
    for i, outfit in enumerate(outfits):
        items = [item for item in (getattr(outfit, "items", None) or []) if item]
        names = " + ".join(_short(getattr(item, "title", "") or "") for item in items)
        reason = (getattr(outfit, "reason", "") or "").strip().rstrip("。")
        label = voice.outfit_label.format(n=(i + 1) if english else ORDINALS[i] if i < len(ORDINALS) else i + 1)
        ids = tuple(s for s in (getattr(item, "sku_id", None) for item in items) if s)
        why = (f" ({reason})" if english else f"（{reason}）") if reason else ""
        pieces.append(Piece(f"\n{label}{': ' if english else '：'}{names}{why}{';' if english else '；'}", ids))
    if note:
        note = note[0].upper() + note[1:] if english else note
        pieces.append(Piece("\n" + note + ("." if english else "，")))
    pieces.append(Piece(("\n" if not note else "") + voice.outfit_more + voice.closing))
    return pieces


def _short(title: str) -> str:
    return title.split()[0] if title.split() else title
