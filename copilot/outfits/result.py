"""What outfit building answers: the anchor, the outfits (each its added items, totals and
a reason), and a note for whatever is short."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal

from knowledge.records import Product

MIN_DIFFERENT = 2       # pieces two outfits must differ in when their main piece is the same


@dataclass(frozen=True)
class OutfitItem:
    sku_id: str
    title: str
    price: Decimal
    category: str

    @classmethod
    def of(cls, product: Product) -> OutfitItem:
        return cls(sku_id=product.sku_id, title=product.title, price=product.price, category=product.category)

    def to_dict(self) -> dict:
        return {**asdict(self), "price": float(self.price)}


@dataclass(frozen=True)
class Outfit:
    items: tuple[OutfitItem, ...]      # the added pieces, main piece first
    total: Decimal                     # anchor + items
    added_total: Decimal               # items only; what a stated budget caps
    reason: str                        # one line in the shopper's language

    @property
    def sku_ids(self) -> list[str]:
        return [item.sku_id for item in self.items]


@dataclass(frozen=True)
class OutfitResult:
    anchor: OutfitItem | None
    outfits: tuple[Outfit, ...]
    note: str | None                   # why fewer than asked, or why none, in the shopper's language

    def to_dict(self) -> dict:
        return {
            "anchor": self.anchor.to_dict() if self.anchor else None,
            "outfits": [{"items": [item.to_dict() for item in outfit.items], "total": float(outfit.total),
                         "added_total": float(outfit.added_total), "reason": outfit.reason}
                        for outfit in self.outfits],
            "note": self.note,
        }

    def sku_lists(self) -> list[list[str]]:
        """Each outfit as the sku ids it adds to the anchor (the eval results format)."""
        return [outfit.sku_ids for outfit in self.outfits]


def outfits_differ(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two outfits (sku ids, main piece first) differ in their main piece (neither main is
    part of the other outfit) or in at least two pieces."""
    if set(a) == set(b):
        return False
    if a[0] not in b and b[0] not in a:
        return True
    return max(len(set(a) - set(b)), len(set(b) - set(a))) >= MIN_DIFFERENT
