"""Whether suggested outfits are valid, as the eval sets judge them (FORMATS.md §4).

Valid: the number of outfits asked for; every item known and in stock, in the
allowed categories when given, never the anchor itself nor its category, no
item twice in one outfit; no two outfits identical or differing in only one
non-main piece; every item of the anchor's gender and of each other's
(unisex goes with both).
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from copilot.outfits import OutfitResult, outfits_differ
from copilot.wardrobe import gender_of
from knowledge.records import Product


def check_outfits(
    result_or_lists: OutfitResult | Sequence[Sequence[str]],
    *,
    anchor: Product,
    catalog: dict[str, Product],
    count: int,
    allowed_categories: list[str] | None,
) -> list[str]:
    """The violations, in English, one per problem; [] means valid.

    `result_or_lists` is an `OutfitResult` or each outfit as the sku ids it adds
    to the anchor, main piece first (the eval results format).
    """
    outfits = result_or_lists.sku_lists() if isinstance(result_or_lists, OutfitResult) else [
        list(skus) for skus in result_or_lists
    ]
    problems = []
    if len(outfits) != count:
        problems.append(f"expected {count} outfits, got {len(outfits)}")
    for n, skus in enumerate(outfits, start=1):
        problems += [f"outfit {n}: {p}" for p in _outfit_problems(skus, anchor, catalog, allowed_categories)]
    for (i, a), (j, b) in combinations(enumerate(outfits, start=1), 2):
        if not outfits_differ(a, b):
            problems.append(f"outfits {i} and {j} are the same or differ in one non-main item only")
    return problems


def _outfit_problems(skus: list[str], anchor: Product, catalog: dict[str, Product],
                     allowed: list[str] | None) -> list[str]:
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
    return problems
