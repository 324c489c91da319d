"""Outfits built around an anchor item, only from what the merchant has in stock.

`build_outfits` takes the anchor's complement categories (the wardrobe's map,
narrowed to what the shopper asked for), groups them into slots (one top, one
pair of shoes...), keeps the best in-stock candidates per slot and composes up
to `count` outfits that differ meaningfully: each pair differs in its main
piece or in at least two pieces.

Hard rules: in stock, never the anchor's own category, same gender as the
anchor and each other (unisex goes with both), a shared season (with the
anchor, each other and the stated occasion), device fit for accessories, and
the budget. The budget caps the *added* items' total (`Outfit.added_total`),
not the anchor's price. Soft rules rank candidates: the stated occasion's tags,
style tags shared with the anchor, and colour families that do not clash.

A sold-out anchor still gets outfits (the agent can offer a similar item in
stock with them); the note says it is sold out.
"""
from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal

from copilot.styling import Occasion, StylingRequest, find_anchor, is_styling_question, occasion_named, parse_request
from copilot.turns import Turn
from copilot.wardrobe import SLOT_CONFLICTS, SLOTS, SPEC_TOKEN, Piece, Wardrobe, colours_clash
from knowledge.records import Product

__all__ = ["Outfit", "OutfitItem", "OutfitResult", "Wardrobe", "build_outfits", "outfits_differ", "suggest_outfits"]

DEFAULT_COUNT = 3
MAX_ITEMS = 4           # pieces added to the anchor, at most
MIN_ITEMS = 3           # when the shopper named categories, outfits are completed up to this
POOL_SIZE = 6           # best candidates kept per slot
CHEAP_EXTRA = 2         # cheapest candidates also kept per slot when there is a budget
OCCASION_WEIGHT = 3.0
STYLE_WEIGHT = 1.0
SPEC_WEIGHT = 1.0       # per spec of the piece ("67W") that the anchor's sheet mentions
COLOUR_MATCH = 0.5
COLOUR_CLASH = 1.0     # a stated occasion outweighs a cool/warm mix
REUSE_PENALTY = 2.0     # per earlier outfit that already used the piece
MIN_DIFFERENT = 2       # pieces two outfits must differ in when their main piece is the same
MATERIALS = ("真丝", "桑蚕丝", "羊绒", "羊毛", "亚麻", "雪纺", "缎面", "牛皮", "羊皮", "麂皮", "硅胶", "棉")


@dataclass(frozen=True)
class OutfitItem:
    sku_id: str
    title: str
    price: Decimal
    category: str

    @classmethod
    def of(cls, product: Product) -> "OutfitItem":
        return cls(sku_id=product.sku_id, title=product.title, price=product.price, category=product.category)


@dataclass(frozen=True)
class Outfit:
    items: tuple[OutfitItem, ...]      # the added pieces, main piece first
    total: Decimal                     # anchor + items
    added_total: Decimal               # items only; what a stated budget caps
    reason: str                        # one line of Chinese, from the pieces' attributes and tags

    @property
    def sku_ids(self) -> list[str]:
        return [item.sku_id for item in self.items]


@dataclass(frozen=True)
class OutfitResult:
    anchor: OutfitItem | None
    outfits: tuple[Outfit, ...]
    note: str | None                   # why fewer than asked, or why none, for the agent

    def to_dict(self) -> dict:
        return {
            "anchor": _item_dict(self.anchor) if self.anchor else None,
            "outfits": [
                {
                    "items": [_item_dict(item) for item in outfit.items],
                    "total": float(outfit.total),
                    "added_total": float(outfit.added_total),
                    "reason": outfit.reason,
                }
                for outfit in self.outfits
            ],
            "note": self.note,
        }

    def sku_lists(self) -> list[list[str]]:
        """Each outfit as the sku ids it adds to the anchor (the eval results format)."""
        return [outfit.sku_ids for outfit in self.outfits]


def _item_dict(item: OutfitItem) -> dict:
    return {**asdict(item), "price": float(item.price)}


def outfits_differ(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two outfits (sku ids, main piece first) differ in their main piece (neither main is
    part of the other outfit) or in at least two pieces."""
    if set(a) == set(b):
        return False
    if a[0] not in b and b[0] not in a:
        return True
    return max(len(set(a) - set(b)), len(set(b) - set(a))) >= MIN_DIFFERENT


def suggest_outfits(
    message: str,
    history: Sequence[Turn] = (),
    *,
    sku_in_view: str | None,
    wardrobe: Wardrobe,
    count: int = DEFAULT_COUNT,
) -> OutfitResult | None:
    """Outfits for a styling question, or None when the message is not one."""
    if not is_styling_question(message, history):
        return None
    anchor = find_anchor(message, history, sku_in_view=sku_in_view, catalog=wardrobe)
    if anchor is None:
        return OutfitResult(anchor=None, outfits=(), note="没能确定要搭配的是哪件商品，请先和顾客确认款式或发送商品链接")
    request = parse_request(message, history, known_categories=wardrobe.categories)
    return build_outfits(anchor, wardrobe, request, count=count)


@dataclass(frozen=True)
class _Slot:
    name: str
    categories: tuple[str, ...]
    wanted: bool


def build_outfits(anchor: Product, wardrobe: Wardrobe, request: StylingRequest, *, count: int = DEFAULT_COUNT) -> OutfitResult:
    """Up to `count` outfits around `anchor`; `request.budget` caps the added items' total."""
    piece = wardrobe.piece(anchor.sku_id) or Piece.of(anchor)
    occasion = occasion_named(request.occasion) if request.occasion else None
    notes = [f"「{anchor.title}」目前已售罄，以下搭配可配合同类在售款一起推荐"] if not anchor.in_stock else []
    slots = _slots(piece, wardrobe, request)
    if not slots:
        notes.append(f"店内暂无适合与「{anchor.category}」搭配的品类，建议人工为顾客推荐")
        return OutfitResult(anchor=OutfitItem.of(anchor), outfits=(), note="；".join(notes))
    pools = {slot.name: _pool(slot, piece, wardrobe, occasion, request.budget) for slot in slots}
    chosen = _compose(slots, pools, request.budget, count)
    outfits = tuple(_outfit(piece, pieces, occasion) for pieces in chosen)
    if len(outfits) < count:
        notes.append(_shortfall(len(outfits), count, request.budget))
    return OutfitResult(anchor=OutfitItem.of(anchor), outfits=outfits, note="；".join(notes) or None)


def _slots(anchor: Piece, wardrobe: Wardrobe, request: StylingRequest) -> list[_Slot]:
    """Complement categories grouped by slot; the categories the shopper asked for come first."""
    complements = wardrobe.complements_of(anchor)
    wanted = {c for c in complements if c in request.wanted_categories}
    grouped: dict[tuple[bool, str], list[str]] = {}
    for category in sorted(complements, key=lambda c: c not in wanted):
        grouped.setdefault((category in wanted, SLOTS.get(category, category)), []).append(category)
    return [_Slot(name, tuple(cats), is_wanted) for (is_wanted, name), cats in grouped.items()]


def _pool(slot: _Slot, anchor: Piece, wardrobe: Wardrobe, occasion: Occasion | None,
          budget: Decimal | None) -> list[tuple[float, Piece]]:
    scored = []
    for category in slot.categories:
        for piece in wardrobe.in_stock(category, anchor.gender):
            product = piece.product
            if product.sku_id == anchor.product.sku_id or not piece.goes_with(anchor) or not piece.fits(anchor):
                continue
            if occasion and not piece.seasons & occasion.seasons:
                continue
            if budget is not None and product.price > budget:
                continue
            scored.append((_score(piece, anchor, occasion), piece))
    best = heapq.nsmallest(POOL_SIZE, scored, key=lambda s: (-s[0], s[1].product.price, s[1].product.sku_id))
    if budget is not None:
        kept = {piece.product.sku_id for _, piece in best}
        cheap = heapq.nsmallest(CHEAP_EXTRA, scored, key=lambda s: (s[1].product.price, -s[0]))
        best += [s for s in cheap if s[1].product.sku_id not in kept]
    return best


def _score(piece: Piece, anchor: Piece, occasion: Occasion | None) -> float:
    score = STYLE_WEIGHT * len(piece.style & anchor.style) + SPEC_WEIGHT * len(piece.specs & anchor.mentioned_specs)
    if occasion and piece.style & occasion.tags:
        score += OCCASION_WEIGHT
    return score + _colour_score(piece, anchor)


def _colour_score(a: Piece, b: Piece) -> float:
    if colours_clash(a.colour_family, b.colour_family):
        return -COLOUR_CLASH
    if a.colour_family and b.colour_family:
        return COLOUR_MATCH
    return 0.0


def _compose(slots: list[_Slot], pools: dict[str, list[tuple[float, Piece]]],
             budget: Decimal | None, count: int) -> list[list[Piece]]:
    """Candidates as the main piece in turn; keep the outfits that differ from those kept."""
    target = MIN_ITEMS if any(s.wanted for s in slots) else MAX_ITEMS
    chosen: list[list[Piece]] = []
    used: Counter[str] = Counter()
    for main in _mains(slots, pools):
        pieces = _fill(main, slots, pools, used, budget, target)
        skus = [p.product.sku_id for p in pieces]
        if all(outfits_differ(skus, [p.product.sku_id for p in c]) for c in chosen):
            chosen.append(pieces)
            used.update(skus)
            if len(chosen) == count:
                break
    return chosen


def _mains(slots: list[_Slot], pools: dict[str, list[tuple[float, Piece]]]) -> list[Piece]:
    """Main pieces to try: the first slot and its alternatives (a dress or a skirt) taking
    turns rank by rank, then every other candidate."""
    first = slots[0].name
    bases = [s.name for s in slots if s.name == first or s.name in SLOT_CONFLICTS.get(first, ())]
    depth = max(len(pools[name]) for name in bases)
    ordered = [pools[name][rank][1] for rank in range(depth) for name in bases if rank < len(pools[name])]
    ordered += [piece for s in slots if s.name not in bases for _, piece in pools[s.name]]
    return ordered


def _fill(main: Piece, slots: list[_Slot], pools: dict[str, list[tuple[float, Piece]]],
          used: Counter[str], budget: Decimal | None, target: int) -> list[Piece]:
    pieces, taken = [main], set(main.covers)
    spent = main.product.price
    for slot in slots:
        if slot.name in taken or len(pieces) >= MAX_ITEMS or (not slot.wanted and len(pieces) >= target):
            continue
        options = [
            (score + sum(_colour_score(p, other) for other in pieces) - REUSE_PENALTY * used[p.product.sku_id], p)
            for score, p in pools[slot.name]
            if not p.clashes_with(taken)
            and all(p.goes_with(other) for other in pieces)
            and (budget is None or spent + p.product.price <= budget)
        ]
        if options:
            _, best = max(options, key=lambda o: (o[0], -o[1].product.price))
            pieces.append(best)
            taken |= best.covers
            spent += best.product.price
    return pieces


def _outfit(anchor: Piece, pieces: list[Piece], occasion: Occasion | None) -> Outfit:
    added = sum((p.product.price for p in pieces), Decimal(0))
    return Outfit(
        items=tuple(OutfitItem.of(p.product) for p in pieces),
        total=anchor.product.price + added,
        added_total=added,
        reason=_reason(anchor, pieces, occasion),
    )


def _reason(anchor: Piece, pieces: list[Piece], occasion: Occasion | None) -> str:
    names = [_describe(p) for p in pieces]
    listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + "与" + names[-1]
    line = f"{_describe(anchor)}配{listed}"
    if occasion and any(p.style & occasion.tags for p in pieces):
        line += f"，适合{occasion.name}场合"
    else:
        shared = [t for t in sorted(anchor.style) if sum(t in p.style for p in pieces) * 2 >= len(pieces)]
        if shared:
            line += f"，同属{'、'.join(shared[:2])}风格"
    families = {p.colour_family for p in [anchor, *pieces]} - {None}
    if families == {"中性"}:
        line += "，黑白灰配色经典耐看"
    elif len(families - {"中性"}) == 1:
        line += f"，{(families - {'中性'}).pop()}色调统一协调"
    return line


def _describe(piece: Piece) -> str:
    """Colour, material or spec, and category: "白色纯棉衬衫", "67W充电器"."""
    product = piece.product
    colour = re.split(r"[（(/，,]", product.attributes.get("颜色", ""))[0][:6]
    material_text = product.attributes.get("材质") or product.attributes.get("鞋面材质") or ""
    material = next((m for m in MATERIALS if m in material_text and m not in product.category), "")
    if material and material_text.startswith("100%"):
        material = "纯" + material
    spec = "" if colour or material else next(iter(SPEC_TOKEN.findall(product.title)), "")
    return f"{colour}{material}{spec}{product.category}"


def _shortfall(made: int, count: int, budget: Decimal | None) -> str:
    within = f"在{budget}元预算内，" if budget is not None else ""
    if made == 0:
        return f"{within}暂无在售且相配的单品可以组成搭配，建议人工推荐"
    return f"{within}在售且相配的单品只够搭出{made}套（少于{count}套），未用不合适的商品凑数"
