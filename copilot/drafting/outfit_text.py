"""Outfit suggestions in the store's voice.

The outfit builder's result is read defensively (`getattr`): it has `outfits`, each
with `items` (sku_id, title, price, category), `total` and `reason`, and a `note`.
Prices and totals are left to the outfit cards on the agent's screen: the reply names
the items only, so it carries no number that no cited source holds.
"""
from __future__ import annotations

from typing import Any

from copilot.drafting.composition import Piece

ORDINALS = "一二三四五六七八九十"


def outfit_pieces(result: Any, *, intro: str, closing: str) -> list[Piece]:
    pieces = [Piece(intro + "：")]
    for i, outfit in enumerate(getattr(result, "outfits", None) or []):
        items = [item for item in (getattr(outfit, "items", None) or []) if item]
        names = " + ".join(_short(getattr(item, "title", "") or "") for item in items)
        reason = (getattr(outfit, "reason", "") or "").strip().rstrip("。")
        label = ORDINALS[i] if i < len(ORDINALS) else str(i + 1)
        ids = tuple(s for s in (getattr(item, "sku_id", None) for item in items) if s)
        pieces.append(Piece(f"\n方案{label}：{names}" + (f"（{reason}）" if reason else "") + "；",
                            ids))
    note = (getattr(result, "note", "") or "").strip().rstrip("。")
    pieces.append(Piece("\n" + (note + "，" if note else "") + "有喜欢的可以直接告诉我" + closing))
    return pieces


def _short(title: str) -> str:
    return title.split()[0] if title.split() else title
