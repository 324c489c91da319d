"""Each of a merchant's categories given a body slot by meaning, unless the merchant set it.

A category is read from its name and a few of its product titles: the shipped
`slot_reader` classifier (e5 meaning + character n-grams, `classifier.py`) gives each
text P(slot), and the category's reading is their mean. The merchant's own mapping
(`slots.csv`, `POST /v1/merchants/{m}/slots`) wins over the reading.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from copilot.outfits.classifier import TextClassifier, shipped
from knowledge.records import Product

TITLES_PER_CATEGORY = 4
READINGS_KEPT = 20_000      # readings kept per process (a catalog reads each category once a version)

Embed = Callable[[str], np.ndarray]


@dataclass(frozen=True)
class SlotChoice:
    category: str
    slot: str
    confidence: float                         # the reading's probability; 1.0 when the merchant set it
    source: Literal["read", "merchant"]

    def to_dict(self) -> dict:
        return {"category": self.category, "slot": self.slot, "confidence": round(self.confidence, 3),
                "source": self.source}


def read_slots(products: Iterable[Product], embed: Embed, *, settings: Mapping[str, str] = {},
               classifier: TextClassifier | None = None) -> dict[str, SlotChoice]:
    """category -> its slot, for every category of `products`."""
    classifier = classifier or shipped("slot_reader")
    choices = {}
    for category, titles in shown_titles(products).items():
        if category in settings:
            choices[category] = SlotChoice(category, settings[category], 1.0, "merchant")
            continue
        choices[category] = read_one(category, titles, embed, classifier)
    return choices


def shown_titles(products: Iterable[Product]) -> dict[str, list[str]]:
    """category -> the titles it is read by: a few, in-stock first, in a stable order."""
    items: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        items[product.category].append(product)
    return {category: [p.title for p in sorted(found, key=lambda p: (not p.in_stock, p.sku_id))[:TITLES_PER_CATEGORY]]
            for category, found in sorted(items.items())}


# The dressed-up/dressed-down direction of meaning, from two short descriptions.
FORMAL = "正装 礼服 商务正式场合 西装 衬衫 西裤 皮鞋 公文包 formal business wear"
CASUAL = "休闲 运动 日常随意 卫衣 T恤 运动裤 运动鞋 双肩包 casual sportswear"


def formal_axis(embed: Embed) -> np.ndarray:
    """Unit vector from casual to formal in e5 space: a category's projection on it says how
    dressed-up it is."""
    axis = embed(FORMAL) - embed(CASUAL)
    return axis / (np.linalg.norm(axis) or 1.0)


def category_vector(category: str, titles: list[str], embed: Embed) -> np.ndarray:
    """What a category means: the mean of its name's and titles' e5 vectors, unit length."""
    mean = np.mean([embed(text) for text in [category, *titles]], axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


_READ: dict[tuple, SlotChoice] = {}     # readings are the classifier's and the texts' alone


def read_one(category: str, titles: list[str], embed: Embed, classifier: TextClassifier) -> SlotChoice:
    key = (id(classifier), category, tuple(titles))
    if key not in _READ:
        if len(_READ) >= READINGS_KEPT:
            _READ.clear()
        _READ[key] = _read(category, titles, embed, classifier)
    return _READ[key]


def _read(category: str, titles: list[str], embed: Embed, classifier: TextClassifier) -> SlotChoice:
    mean = np.mean([classifier.probabilities(embed(text), text) for text in [category, *titles]], axis=0)
    best = int(np.argmax(mean))
    return SlotChoice(category, classifier.classes[best], float(mean[best]), "read")
