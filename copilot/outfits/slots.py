"""Body slots: the place on the body an item fills, whatever a merchant calls its category.

Every rule about what may go together is written over slots, never over category
names: two items conflict when they cover a common body region (two tops; a top
and a dress; two outer layers; a suit's trousers and a skirt). A category's slot
comes from `SlotReader` (by meaning) unless the merchant set it (`slots.csv`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SlotName = Literal["top", "bottom", "one_piece", "suit", "outer", "shoes", "bag", "headwear",
                   "neckwear", "handwear", "belt", "legwear", "gear", "none"]


@dataclass(frozen=True)
class Slot:
    name: SlotName
    zh: str                          # what a Chinese merchant reads
    regions: frozenset[str]          # body regions it covers; overlapping regions conflict
    description: str                 # the help text of the upload format


def _slot(name: SlotName, zh: str, regions: str, description: str) -> Slot:
    return Slot(name, zh, frozenset(regions.split()), description)


SLOTS: dict[str, Slot] = {s.name: s for s in (
    _slot("top", "上装", "torso", "worn on the torso as the base layer: shirts, tees, sweaters, hoodies"),
    _slot("bottom", "下装", "legs", "trousers, jeans, skirts, shorts"),
    _slot("one_piece", "连身装", "torso legs", "covers torso and legs in one: dresses, jumpsuits, full hanfu sets"),
    _slot("suit", "套装", "over legs", "a matched jacket with trousers or a skirt, sold together"),
    _slot("outer", "外搭", "over", "worn over the base layer: coats, jackets, cardigans, capes"),
    _slot("shoes", "鞋", "feet", "shoes, boots, sandals"),
    _slot("bag", "包", "carry", "bags, backpacks, wallets"),
    _slot("headwear", "头饰帽子", "head", "hats, caps, hair accessories, glasses"),
    _slot("neckwear", "颈饰", "neck", "ties, scarves, necklaces, shawls"),
    _slot("handwear", "手饰", "hands", "gloves, watches, bracelets, rings"),
    _slot("belt", "腰带", "waist", "belts"),
    _slot("legwear", "袜子内衣", "under", "socks, tights, innerwear, sports bras"),
    _slot("gear", "随身装备", "gear", "carried items that are not bags: bottles, umbrellas, fans"),
    _slot("none", "非服饰", "", "not worn: never part of an outfit"),
)}
SLOT_NAMES: tuple[str, ...] = tuple(SLOTS)

FINISHING = ("outer", "bag", "neckwear", "headwear", "belt", "handwear")   # one of them tops an outfit off
ACCESSORIES = ("bag", "neckwear", "headwear", "belt", "handwear")         # "配饰": one of them
# (legwear and gear join an outfit only when the shopper asks for them)
BODY = frozenset({"torso", "legs"})                     # what an outfit must cover, with its anchor


def regions(slot: str) -> frozenset[str]:
    return SLOTS[slot].regions


def conflicts(a: str, b: str) -> bool:
    """Two items of these slots cannot be worn together (they cover a common region)."""
    return bool(SLOTS[a].regions & SLOTS[b].regions)


def is_wearable(slot: str) -> bool:
    return slot != "none"
