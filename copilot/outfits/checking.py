"""Whether suggested outfits are valid, as the eval sets judge them (FORMATS.md §4), and by
the slot rules when the categories' slots are given.

Valid: the number of outfits asked for; every item known and in stock, in the allowed
categories when given, never the anchor itself nor its category, no item twice in one
outfit; no two outfits identical or differing in only one non-main piece; every item of
the anchor's gender and of each other's (unisex goes with both). With `slots`
(category -> slot): no two pieces, anchor included, cover one body region. With
`budget`: the added items cost at most that.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import combinations

from copilot.outfits.result import OutfitResult, outfits_differ
from copilot.outfits.slots import SLOTS, conflicts
from copilot.outfits.wardrobe import gender_of
from knowledge.records import Product


def check_outfits(
    result_or_lists: OutfitResult | Sequence[Sequence[str]],
    *,
    anchor: Product,
    catalog: Mapping[str, Product],
    count: int,
    allowed_categories: list[str] | None,
    slots: Mapping[str, str] | None = None,
    budget: Decimal | None = None,
) -> list[str]:
    """The violations, in English, one per problem; [] means valid.

    `result_or_lists` is an `OutfitResult` or each outfit as the sku ids it adds to the
    anchor, main piece first (the eval results format).
    """
    outfits = result_or_lists.sku_lists() if isinstance(result_or_lists, OutfitResult) else [
        list(skus) for skus in result_or_lists
    ]
    problems = []
    if len(outfits) != count:
        problems.append(f"expected {count} outfits, got {len(outfits)}")
    for n, skus in enumerate(outfits, start=1):
        problems += [f"outfit {n}: {p}"
                     for p in _outfit_problems(skus, anchor, catalog, allowed_categories, slots, budget)]
    for (i, a), (j, b) in combinations(enumerate(outfits, start=1), 2):
        if not outfits_differ(a, b):
            problems.append(f"outfits {i} and {j} are the same or differ in one non-main item only")
    return problems


def _outfit_problems(skus: list[str], anchor: Product, catalog: Mapping[str, Product],
                     allowed: list[str] | None, slots: Mapping[str, str] | None,
                     budget: Decimal | None) -> list[str]:
    if not skus:
        return ["no items"]
    problems = [f"{sku} appears twice" for sku in sorted({s for s in skus if skus.count(s) > 1})]
    items = []
    for sku in skus:
        product = catalog.get(sku)
        if product is None:
            problems.append(f"{sku} is not in the catalog")
            continue
        items.append(product)
        if sku == anchor.sku_id:
            problems.append(f"{sku} is the anchor itself")
        if not product.in_stock:
            problems.append(f"{sku} is sold out")
        if product.category == anchor.category:
            problems.append(f"{sku} repeats the anchor's category {product.category}")
        if allowed is not None and product.category not in allowed:
            problems.append(f"{sku} has category {product.category}, not one of {allowed}")
    genders = {g for g in map(gender_of, [anchor, *items]) if g}
    if len(genders) > 1:
        problems.append(f"mixes genders {sorted(genders)}")
    if slots is not None:
        worn = [(p.sku_id, slots.get(p.category)) for p in [anchor, *items]]
        for (a, slot_a), (b, slot_b) in combinations(worn, 2):
            if slot_a in SLOTS and slot_b in SLOTS and conflicts(slot_a, slot_b):
                problems.append(f"{a} ({slot_a}) and {b} ({slot_b}) cover the same part of the body")
    if budget is not None and (spent := sum((p.price for p in items), Decimal(0))) > budget:
        problems.append(f"the added items cost {spent}, over the budget of {budget}")
    return problems
