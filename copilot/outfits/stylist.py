"""Outfits for a merchant's shopper: the styling question recognised, the anchor found, the
outfits built from the merchant's wardrobe (rebuilt when its knowledge version changes)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from knowledge.records import Product


MEANING_TURNS = 2           # the shopper's earlier messages read with this one for what it means


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def build_wardrobe(products: Sequence[Product], embed: Embed, settings: Mapping[str, str] = {}) -> Wardrobe:
    """A catalog's wardrobe: every category's slot read (the merchant's `settings` first), its
    meaning, and the casual-to-formal direction."""
    slots = read_slots(products, embed, settings=settings)
    meanings = {c: category_vector(c, titles, embed) for c, titles in shown_titles(products).items()}
    return Wardrobe.of(products, slots, meanings, formal_axis(embed))


def suggest_outfits(message: str, history: Sequence[Turn] = (), *, sku_in_view: str | None,
                    wardrobe: Wardrobe, intent: StylingIntent, count: int = DEFAULT_COUNT) -> OutfitResult | None:
    """Outfits for a styling question, or None when the message is not one."""
    if not intent.asks(message, history):
        return None
    return outfits_for(message, history, sku_in_view=sku_in_view, wardrobe=wardrobe, embed=intent.embed,
                       count=count)


def outfits_for(message: str, history: Sequence[Turn] = (), *, sku_in_view: str | None, wardrobe: Wardrobe,
                embed: Embed, count: int = DEFAULT_COUNT) -> OutfitResult:
    """Outfits for a message taken as a styling question."""
    anchor = find_anchor(message, history, sku_in_view=sku_in_view, wardrobe=wardrobe)
    if anchor is None:
        return OutfitResult(anchor=None, outfits=(), note=wording.no_anchor(language_of(message)))
    slot_of = {c: choice.slot for c, choice in wardrobe.slots.items()}
    request = parse_request(message, history, categories=sorted(wardrobe.categories), slot_of=slot_of,
                            tags=wardrobe.tags)
    said = [message, message] + [t.text for t in recent_customer_turns(history)[:MEANING_TURNS]]
    request = replace(request, meaning=_unit(np.mean([embed(text) for text in said], axis=0)))
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
            wardrobe = build_wardrobe(self.kb.products(merchant), self.embed, self.kb.slot_settings(merchant))
            cached = self._cache[merchant] = (version, wardrobe)
        return cached[1]

    def slots(self, merchant: str) -> dict[str, SlotChoice]:
        return self.wardrobe(merchant).slots

    def asks(self, message: str, history: Sequence[Turn] = ()) -> bool:
        """A styling question (a dot product or two: the message's vector is cached)."""
        return self.intent.asks(message, history)

    def outfits(self, merchant: str, message: str, history: Sequence[Turn] = (), *,
                sku_in_view: str | None) -> OutfitResult:
        """Outfits for a styling question; may rebuild the merchant's wardrobe (about a second
        at 10k SKUs after a knowledge change), so the pipeline calls it off the event loop."""
        return outfits_for(message, history, sku_in_view=sku_in_view, wardrobe=self.wardrobe(merchant),
                           embed=self.embed)
