"""The words of an outfit answer, in the shopper's language: each outfit's reason and the
notes that say why there are fewer outfits than asked, or none. The draft carries them to
the shopper, so they speak to the shopper; the agent reads them on the outfit cards."""
from __future__ import annotations

import re
from decimal import Decimal

from copilot.outfits.request import Occasion
from copilot.outfits.slots import SLOTS
from copilot.outfits.wardrobe import Piece, is_audience_tag

MATERIALS = ("真丝", "桑蚕丝", "羊绒", "羊毛", "亚麻", "雪纺", "缎面", "牛皮", "羊皮", "麂皮", "棉")
FAMILY_EN = {"冷": "cool", "暖": "warm"}


def reason(anchor: Piece, pieces: list[Piece], occasion: Occasion | None, language: str) -> str:
    """One line: what goes with what, and why (the occasion the pieces are tagged for, else the
    style they share with the anchor; one colour family)."""
    names = [describe(p) for p in pieces]
    suits = bool(occasion and any(p.style & occasion.tags for p in pieces))
    shared = [t for t in sorted(anchor.style)
              if not is_audience_tag(t) and sum(t in p.style for p in pieces) * 2 >= len(pieces)]
    families = {p.colour_family for p in [anchor, *pieces]} - {None}
    family = (families - {"中性"}).pop() if len(families - {"中性"}) == 1 else None
    if language == "en":
        line = f"{describe(anchor)} with {', '.join(names)}"
        if suits:
            line += f", dressed for {occasion.en}"
        elif shared:
            line += f", sharing the {'/'.join(shared[:2])} style"
        if families == {"中性"}:
            line += "; black, white and grey never date"
        elif family:
            line += f"; one {FAMILY_EN.get(family, family)} colour family"
        return line
    listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + "与" + names[-1]
    line = f"{describe(anchor)}配{listed}"
    if suits:
        line += f"，适合{occasion.name}"
    elif shared:
        line += f"，同属{'、'.join(shared[:2])}风格"
    if families == {"中性"}:
        line += "，黑白灰配色经典耐看"
    elif family:
        line += f"，{family}色调统一协调"
    return line


def describe(piece: Piece) -> str:
    """Colour, material and category: "白色纯棉衬衫"."""
    product = piece.product
    colour = re.split(r"[（(/，,、]", product.attributes.get("颜色", ""))[0][:6]
    material_text = product.attributes.get("材质") or product.attributes.get("面料") or ""
    material = next((m for m in MATERIALS if m in material_text and m not in product.category), "")
    if material and material_text.startswith("100%"):
        material = "纯" + material
    return f"{colour}{material}{product.category}"


def sold_out(anchor: Piece, language: str) -> str:
    if language == "en":
        return f"「{anchor.product.title}」 is sold out at the moment; these outfits also suit a similar item in stock"
    return f"「{anchor.product.title}」目前已售罄，以下搭配也适合同类在售款"


def not_apparel(anchor: Piece, language: str) -> str:
    if language == "en":
        return (f"「{anchor.product.title}」 is not something worn, so there are no outfits to suggest; "
                "happy to help with anything else about it")
    return f"「{anchor.product.title}」不是穿搭类商品，暂时没有搭配方案，有其他问题可以随时问我"


def no_anchor(language: str) -> str:
    if language == "en":
        return "Which item would you like to style? Send me its link and I will put outfits together"
    return "您想搭配的是哪一款呢？发一下商品链接，我马上为您搭配"


def missing(slots: list[str], language: str) -> str:
    """What the shopper asked for that nothing in stock goes with."""
    if language == "en":
        return f"nothing in stock goes with it as {', '.join(s.replace('_', ' ') for s in slots)}, so the outfits leave that out"
    return f"店内暂无与之相配的{'、'.join(SLOTS[s].zh for s in slots)}，以下搭配先不含这部分"


def no_shoes(budget: Decimal, language: str) -> str:
    if language == "en":
        return f"shoes do not fit in the {budget} yuan budget beside the rest, so some outfits leave them out"
    return f"{budget}元预算内放不下鞋子，部分搭配先不含鞋"


def shortfall(made: int, count: int, budget: Decimal | None, language: str) -> str:
    if language == "en":
        within = f"within the {budget} yuan budget, " if budget is not None else ""
        if made == 0:
            return f"{within}nothing in stock goes with it well enough to make an outfit; I'll look at other items for you"
        return f"{within}the pieces in stock that go with it make {made} outfit(s), not {count}; none were padded"
    within = f"在{budget}元预算内，" if budget is not None else ""
    if made == 0:
        return f"{within}店里暂时没有在售又相配的单品能组成搭配，我再帮您看看其他款"
    return f"{within}在售且相配的单品只够搭出{made}套（少于{count}套），未用不合适的商品凑数"


def join(notes: list[str], language: str) -> str | None:
    return ("; " if language == "en" else "；").join(notes) or None
