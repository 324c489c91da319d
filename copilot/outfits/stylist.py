"""Outfits for a merchant's shopper: the styling question recognised, the anchor found, the
outfits built from the merchant's wardrobe (rebuilt when its knowledge version changes)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from copilot.outfits import wording
from copilot.outfits.building import DEFAULT_COUNT, build_outfits
from copilot.outfits.intent import StylingIntent
from copilot.outfits.request import find_anchor, parse_request, recent_customer_turns
from copilot.outfits.result import OutfitResult
from copilot.outfits.slot_reader import Embed, SlotChoice, category_vector, formal_axis, read_slots, shown_titles
from copilot.outfits.wardrobe import Wardrobe
from copilot.language import language_of
from copilot.turns import Turn


MEANING_TURNS = 2           # the shopper's earlier messages read with this one for what it means


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def suggest_outfits(message: str, history: Sequence[Turn] = (), *, sku_in_view: str | None,
                    wardrobe: Wardrobe, intent: StylingIntent, count: int = DEFAULT_COUNT) -> OutfitResult | None:
    """Outfits for a styling question, or None when the message is not one."""
    if not intent.asks(message, history):
        return None
    anchor = find_anchor(message, history, sku_in_view=sku_in_view, wardrobe=wardrobe)
    if anchor is None:
        return OutfitResult(anchor=None, outfits=(), note=wording.no_anchor(language_of(message)))
    slot_of = {c: choice.slot for c, choice in wardrobe.slots.items()}
    request = parse_request(message, history, categories=sorted(wardrobe.categories), slot_of=slot_of,
                            tags=wardrobe.tags)
    said = [message, message] + [t.text for t in recent_customer_turns(history)[:MEANING_TURNS]]
    request = replace(request, meaning=_unit(np.mean([intent.embed(text) for text in said], axis=0)))
    return build_outfits(wardrobe.piece(anchor.sku_id), wardrobe, request, count=count)


class Stylist:
    """One wardrobe per merchant, its slots read by meaning with the merchant's own settings
    on top, rebuilt when the merchant's knowledge version changes (settings bump it too)."""

    def __init__(self, kb, embed: Embed):
        self.kb = kb
        self.embed = embed
        self.intent = StylingIntent(embed)
        self._cache: dict[str, tuple[int, Wardrobe]] = {}

    def wardrobe(self, merchant: str) -> Wardrobe:
        version = self.kb.index.version(merchant)
        cached = self._cache.get(merchant)
        if cached is None or cached[0] != version:
            products = self.kb.products(merchant)
            slots = read_slots(products, self.embed, settings=self.kb.slot_settings(merchant))
            meanings = {c: category_vector(c, titles, self.embed) for c, titles in shown_titles(products).items()}
            cached = self._cache[merchant] = (version, Wardrobe.of(products, slots, meanings, formal_axis(self.embed)))
        return cached[1]

    def slots(self, merchant: str) -> dict[str, SlotChoice]:
        return self.wardrobe(merchant).slots

    def suggest(self, merchant: str, message: str, history: Sequence[Turn] = (), *,
                sku_in_view: str | None) -> OutfitResult | None:
        return suggest_outfits(message, history, sku_in_view=sku_in_view, wardrobe=self.wardrobe(merchant),
                               intent=self.intent)
