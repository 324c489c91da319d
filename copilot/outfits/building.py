"""Outfits built around an anchor item from what the merchant has in stock, by slot.

An outfit dresses the body with its anchor: what the anchor leaves uncovered of torso
and legs is filled by a *form* (a one-piece, or a top and a bottom), then shoes when the
store sells shoes that fit; an outfit of a single added piece is topped off with one
finishing piece (an outer layer, a bag, a scarf...) that shares a style or the occasion.
When the shopper names what they want ("配双鞋和包", "里面穿什么"), the outfit holds just
that. No two pieces cover one body region, so there is never a second top, a top over a
dress, or two outer layers.

Hard rules: in stock, the anchor's gender (or the wearer the shopper names, for a unisex
anchor) and age group, a shared season (with the anchor, each other, the stated occasion
and the season the shopper says), nothing the shopper said they do not want, and the
budget, which caps the *added* items' total. Soft rules rank candidates: the stated
occasion's tags (only those pieces, when a slot has enough), a title that says what the
shopper would like, the category's meaning near what the shopper said and the anchor's
category, how dressed-up the category is against the occasion's dress (or the anchor's),
telling style tags shared with the anchor, colour families that do not clash, and
variety. Outfits differ in their main piece or in two pieces; fewer than asked come with
a note that says why, never padding.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from copilot.outfits import wording
from copilot.outfits.request import Occasion, StylingRequest
from copilot.outfits.result import Outfit, OutfitItem, OutfitResult, outfits_differ
from copilot.outfits.slots import ACCESSORIES, BODY, FINISHING, SLOTS, conflicts, is_wearable, regions
from copilot.outfits.wardrobe import COLOURS, GENDERS, REGION_INDEX, SEASON_INDEX, Piece, Wardrobe, bits

DEFAULT_COUNT = 3
FULL = 2                # pieces added to the anchor from which an outfit needs no finishing piece
POOL_SIZE = 8           # best candidates kept per slot
CHEAP_EXTRA = 3         # cheapest candidates also kept per slot when there is a budget
OCCASION_WEIGHT = 3.0
FORMALITY_WEIGHT = 3.0  # per standard deviation of a category's formality, towards the target
WISH_WEIGHT = 6.0       # a piece whose title says what the shopper would like
AFFINITY_WEIGHT = 2.0   # per standard deviation of category affinity within a slot
OCCASION_FIRST = 3      # a slot with this many pieces for the stated occasion offers only those
STYLE_WEIGHT = 1.0
MAX_STYLE = 3           # shared style tags counted, at most
COLOUR_MATCH = 0.5
COLOUR_CLASH = 1.0      # a stated occasion outweighs a cool/warm mix
REUSE_PENALTY = 2.0     # per earlier outfit that already used the piece
FINISH_REUSE = 1.0      # per earlier outfit finished with a piece of the same slot
FINISH_FLOOR = STYLE_WEIGHT   # a finishing piece shares a style or the occasion with the anchor
ATTEMPTS = 6            # main pieces tried per outfit wanted

# Ways to dress what the anchor leaves of torso and legs, by what is left.
FORMS: dict[frozenset[str], tuple[tuple[str, ...], ...]] = {
    BODY: (("one_piece",), ("top", "bottom")),
    frozenset({"torso"}): (("top",),),
    frozenset({"legs"}): (("bottom",),),
    frozenset(): ((),),
}


@dataclass(frozen=True)
class _Plan:
    needs: tuple[str, ...]          # one piece of each slot, the main piece first
    finish: tuple[str, ...] = ()    # slots one finishing piece may come from, when there is room


def build_outfits(anchor: Piece, wardrobe: Wardrobe, request: StylingRequest, *,
                  count: int = DEFAULT_COUNT) -> OutfitResult:
    """Up to `count` outfits around `anchor`; `request.budget` caps the added items' total."""
    language = request.language
    notes = [wording.sold_out(anchor, language)] if not anchor.product.in_stock else []
    if not is_wearable(anchor.slot):
        return OutfitResult(OutfitItem.of(anchor.product), (), wording.not_apparel(anchor, language))
    occasion = request.occasion
    affinity = wardrobe.affinity(request.meaning, anchor.product.category) if request.meaning is not None \
        else np.zeros(len(wardrobe.category_index))
    pools = {slot: _pool(slot, anchor, wardrobe, request, affinity) for slot in SLOTS if is_wearable(slot)}
    missing = [s for s in request.wanted_slots if s in pools and not pools[s] and _beside(anchor, s)]
    if missing:             # asked for, but nothing in stock goes: the rest, and say so
        notes.append(wording.missing(missing, language))
    plans = [p for p in _plans(anchor, request, pools) if all(pools[s] for s in p.needs)]
    plans.sort(key=lambda p: -_nearness(p, pools, wardrobe, affinity))
    chosen = _compose(anchor, plans, pools, request.budget, count) if plans else []
    if len(chosen) < count and request.budget is not None and "shoes" not in request.wanted_slots:
        # shoes the budget cannot hold: the rest of the outfit, and say so
        bare = [_Plan(tuple(s for s in p.needs if s != "shoes"), p.finish) for p in plans if "shoes" in p.needs]
        bare = [p for p in bare if p.needs]
        more = _compose(anchor, bare, pools, request.budget, count, chosen) if bare else chosen
        if len(more) > len(chosen):
            notes.append(wording.no_shoes(request.budget, language))
            chosen = more
    outfits = tuple(_outfit(anchor, pieces, occasion, language) for pieces in chosen)
    if len(outfits) < count:
        notes.append(wording.shortfall(len(outfits), count, request.budget, language))
    return OutfitResult(OutfitItem.of(anchor.product), outfits, wording.join(notes, language))


def _plans(anchor: Piece, request: StylingRequest, pools: dict[str, list]) -> list[_Plan]:
    """The outfit shapes to try, in turn: a form that dresses the body, shoes, a finishing
    piece; or what the shopper asked for ("base": the garments that dress the body)."""
    covered = anchor.covers
    forms = [f for f in FORMS[BODY - covered] if not any(regions(s) & covered for s in f)]
    shoes = ("shoes",) if anchor.slot != "shoes" and pools["shoes"] else ()
    wanted = [s for s in request.wanted_slots if s in ("base", "accessory") or _beside(anchor, s)]
    if not wanted:
        return [_Plan(f + shoes, FINISHING) for f in forms if f or shoes] or [_Plan((), FINISHING)]
    finish = ACCESSORIES if "accessory" in wanted else ()     # "加点配饰": one of them
    extra = tuple(s for s in wanted if s not in ("base", "accessory") and pools[s])
    if "base" not in wanted:
        return [_Plan(extra, finish)] if extra or finish else []
    fitting = [f for f in forms if not any(conflicts(s, e) for s in f for e in extra if s != e)]
    return [_Plan(tuple(dict.fromkeys(f + extra)), finish) for f in fitting] or [_Plan(extra, finish)]


def _beside(anchor: Piece, slot: str) -> bool:
    """A piece of `slot` can be worn with the anchor: not its slot, nowhere it covers."""
    return slot != anchor.slot and not regions(slot) & anchor.covers


def _pool(slot: str, anchor: Piece, wardrobe: Wardrobe, request: StylingRequest,
          affinity: np.ndarray) -> list[tuple[float, Piece]]:
    """The best in-stock candidates of one slot for this anchor and request, with their scores;
    `affinity` ranks the slot's categories by meaning (a hiking question's boots before its
    basketball shoes), standardised within the slot."""
    shelf = wardrobe.shelf(slot)
    if shelf is None:
        return []
    occasion, budget = request.occasion, request.budget
    keep = ((shelf.category != wardrobe.category_index[anchor.product.category]) & (shelf.child == anchor.child)
            & (shelf.seasons & bits(anchor.seasons, SEASON_INDEX) != 0)
            & (shelf.covers & bits(anchor.covers, REGION_INDEX) == 0))
    wearer = anchor.gender or request.wearer      # the shopper's word counts for a unisex anchor
    if wearer:
        keep &= (shelf.gender == 0) | (shelf.gender == GENDERS[wearer])
    if occasion:
        keep &= shelf.seasons & bits(occasion.seasons, SEASON_INDEX) != 0
    keep &= shelf.seasons & bits(request.seasons, SEASON_INDEX) != 0
    if budget is not None:
        keep &= shelf.price <= float(budget)
    named = [wardrobe.category_index[c] for c in request.wanted_categories
             if c in wardrobe.category_index and wardrobe.slots[c].slot == slot]
    if named:
        keep &= np.isin(shelf.category, named)
    rows = np.flatnonzero(keep)
    if request.avoid:
        rows = np.array([r for r in rows if not any(w in shelf.pieces[r].looks for w in request.avoid)], dtype=int)
    if not len(rows):
        return []
    style = shelf.style[rows]
    suits = style @ wardrobe.tag_vector(request.tags | (occasion.tags if occasion else frozenset())) > 0
    if occasion:
        suits |= np.array([occasion.name in shelf.titled[r] for r in rows])
    scores = (STYLE_WEIGHT * np.minimum(MAX_STYLE, style @ wardrobe.tag_vector(anchor.style))
              + OCCASION_WEIGHT * suits
              + _colour_score(shelf.colour[rows], COLOURS[anchor.colour_family])
              + AFFINITY_WEIGHT * _standardised(affinity, shelf.category)[rows]
              + FORMALITY_WEIGHT * _dress_target(anchor, wardrobe, request) * wardrobe.formality[shelf.category[rows]])
    if request.wishes:      # what the shopper would like, said in the product's own words
        scores = scores + WISH_WEIGHT * np.array([any(w in shelf.pieces[r].looks for w in request.wishes)
                                                  for r in rows])
    if suits.sum() >= OCCASION_FIRST and budget is None:   # enough made for the occasion: only those
        # (under a budget the cheaper pieces stay: the occasion still ranks first)
        rows, scores = rows[suits], scores[suits]
    prices = shelf.price[rows]
    order = np.lexsort((rows, prices, -scores))[:POOL_SIZE]
    best = [(float(scores[i]), shelf.pieces[rows[i]]) for i in order]
    if budget is not None:
        kept = {piece.sku_id for _, piece in best}
        cheap = np.lexsort((-scores, prices))[:CHEAP_EXTRA + POOL_SIZE]
        best += [(float(scores[i]), shelf.pieces[rows[i]]) for i in cheap
                 if shelf.pieces[rows[i]].sku_id not in kept][:CHEAP_EXTRA]
    return best


def _dress_target(anchor: Piece, wardrobe: Wardrobe, request: StylingRequest) -> float:
    """How dressed-up the pieces should be: as the shopper says, else as the occasion asks, else
    like the anchor (-1..1)."""
    if request.dress:
        return float(request.dress)
    if request.occasion and request.occasion.formality:
        return float(request.occasion.formality)
    return float(np.clip(wardrobe.formality[wardrobe.category_index[anchor.product.category]], -1, 1))


def _standardised(affinity: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Each piece's category affinity as a z-score among the slot's categories (0 for one)."""
    present = np.unique(categories)
    values = affinity[present]
    spread = values.std()
    z = np.zeros(len(affinity))
    if spread > 0:
        z[present] = (values - values.mean()) / spread
    return z[categories]


def _colour_score(a, b):
    """COLOURS codes, arrays or single: a cool/warm mix costs, two known families that do not
    clash gain."""
    a, b = np.asarray(a), np.asarray(b)
    clash = ((a == 1) & (b == 2)) | ((a == 2) & (b == 1))
    return np.where(clash, -COLOUR_CLASH, np.where((a != 0) & (b != 0), COLOUR_MATCH, 0.0))


def _compose(anchor: Piece, plans: list[_Plan], pools: dict[str, list[tuple[float, Piece]]],
             budget: Decimal | None, count: int, chosen: list[list[Piece]] | None = None) -> list[list[Piece]]:
    """Main pieces in order (`_mains`); keep the outfits that differ from those kept (`chosen`:
    kept already)."""
    chosen = list(chosen or [])
    used: Counter[str] = Counter(p.sku_id for c in chosen for p in c)
    finished: Counter[str] = Counter()
    mains = _mains(plans, pools)
    for plan, main in mains[: max(count * ATTEMPTS, len(plans))]:
        pieces = _fill(anchor, plan, main, pools, used, finished, budget)
        if pieces is None:
            continue
        skus = [p.sku_id for p in pieces]
        if all(outfits_differ(skus, [p.sku_id for p in c]) for c in chosen):
            chosen.append(pieces)
            used.update(skus)
            finished.update(p.slot for p in pieces[len(plan.needs):])
            if len(chosen) == count:
                break
    return chosen


def _nearness(plan: _Plan, pools: dict[str, list[tuple[float, Piece]]], wardrobe: Wardrobe,
              affinity: np.ndarray) -> float:
    """How near the plan's main piece is, at best, to what the shopper said and the anchor
    (raw affinity, comparable across slots: trousers and a top for the office, not a gown)."""
    if not plan.needs:
        return 0.0
    return max(affinity[wardrobe.category_index[p.product.category]] for _, p in pools[plan.needs[0]])


def _mains(plans: list[_Plan], pools: dict[str, list[tuple[float, Piece]]]) -> list[tuple[_Plan, Piece | None]]:
    """(plan, main piece) pairs: every candidate of the nearest plan, then the next plan's."""
    if all(not p.needs for p in plans):
        return [(plans[0], None)] * (1 + sum(len(pools[s]) for s in plans[0].finish))
    return [(plan, piece) for plan in plans if plan.needs for _, piece in pools[plan.needs[0]]]


def _fill(anchor: Piece, plan: _Plan, main: Piece | None, pools: dict[str, list[tuple[float, Piece]]],
          used: Counter[str], finished: Counter[str], budget: Decimal | None) -> list[Piece] | None:
    """The plan's pieces around `main`, best first under the budget, or None when one is missing."""
    pieces = [main] if main is not None else []
    needs = list(plan.needs[1:] if main is not None else plan.needs)
    spent = sum((p.product.price for p in pieces), Decimal(0))
    for n, slot in enumerate(needs):
        reserve = sum((min(p.product.price for _, p in pools[s]) for s in needs[n + 1:]), Decimal(0))
        best = _best(pools[slot], [anchor, *pieces], used, budget, spent + reserve)
        if best is None:
            return None
        pieces.append(best)
        spent += best.product.price
    if budget is not None and spent > budget:
        return None
    if plan.finish and len(pieces) < FULL:
        # topping an outfit off takes a reason (a shared style, the occasion); asked for, not
        floor = FINISH_FLOOR if plan.needs else -np.inf
        options = [(score - FINISH_REUSE * finished[slot], piece) for slot in plan.finish
                   for score, piece in pools[slot] if score >= floor]
        best = _best(options, [anchor, *pieces], used, budget, spent)
        if best is not None:
            pieces.append(best)
    return pieces or None


def _best(options: Sequence[tuple[float, Piece]], worn: list[Piece], used: Counter[str],
          budget: Decimal | None, spent: Decimal) -> Piece | None:
    fitting = [
        (score + sum(float(_colour_score(COLOURS[p.colour_family], COLOURS[other.colour_family]))
                      for other in worn[1:]) - REUSE_PENALTY * used[p.sku_id], p)
        for score, p in options
        if all(p.goes_with(other) and p.sku_id != other.sku_id for other in worn)
        and (budget is None or spent + p.product.price <= budget)
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda o: (o[0], -o[1].product.price, o[1].sku_id))[1]


def _outfit(anchor: Piece, pieces: list[Piece], occasion: Occasion | None, language: str) -> Outfit:
    added = sum((p.product.price for p in pieces), Decimal(0))
    return Outfit(items=tuple(OutfitItem.of(p.product) for p in pieces),
                  total=anchor.product.price + added, added_total=added,
                  reason=wording.reason(anchor, pieces, occasion, language))
