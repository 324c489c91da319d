"""A merchant's catalog indexed for outfit building: each product a `Piece` with its slot.

`Wardrobe` is built once per knowledge version: every product becomes a `Piece` (the
product plus what outfits are judged on: slot, gender, audience, seasons, colour
family, style tags), and in-stock pieces are indexed by slot so that building an
outfit scans only the slots it needs.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from copilot.outfits.slot_reader import SlotChoice
from copilot.outfits.slots import SLOTS, regions
from knowledge.records import Product

SEASONS = frozenset("春夏秋冬")
SEASON_KEYS = ("适用季节", "季节", "season")
# "中性" is unisex in 中性款 / 中性风, but a colour in 中性色 (and as a colour-family tag)
UNISEX = re.compile(r"男女|情侣|亲子|unisex|中性(?!色)", re.IGNORECASE)
_GENDER = re.compile(r"(男|女)(?:士|款|式|装|生|童|孩|宝|鞋|包)|\b(men|women)'?s?\b|\b(boys?|girls?)\b",
                     re.IGNORECASE)
_ENGLISH_GENDER = {"men": "男", "women": "女", "boy": "男", "boys": "男", "girl": "女", "girls": "女"}
CHILD = re.compile(r"童|儿童|宝宝|婴|幼|小学|kids?\b|children|toddler|baby", re.IGNORECASE)
COLOUR_FAMILY_TAGS = {"冷色": "冷", "暖色": "暖", "中性": "中性", "中性色": "中性", "黑白灰": "中性"}
# Colour words (tags like 蓝色系 or the 颜色 attribute) and the family they belong to.
COLOUR_WORDS: tuple[tuple[str, str], ...] = (
    ("藏青", "冷"), ("蓝", "冷"), ("绿", "冷"), ("紫", "冷"), ("青", "冷"),
    ("红", "暖"), ("橙", "暖"), ("黄", "暖"), ("棕", "暖"), ("驼", "暖"), ("卡其", "暖"),
    ("咖", "暖"), ("米", "暖"), ("燕麦", "暖"), ("香槟", "暖"), ("焦糖", "暖"), ("大地", "暖"),
    ("粉", "暖"), ("杏", "暖"), ("黑", "中性"), ("白", "中性"), ("灰", "中性"), ("银", "中性"),
)

_AUDIENCE_TAG = re.compile(rf"{_GENDER.pattern}|{UNISEX.pattern}|{CHILD.pattern}|^(男|女)$", re.IGNORECASE)
SHOP_WIDE = 0.5         # a tag on more than this share of a shop's pieces says nothing about one of them
# Without a season attribute, what the garment is made for says it (a down coat is for winter).
SEASON_NAMED = re.compile(r"([春夏秋冬])(?:季|天|款|装)")
WARM_WEAR = re.compile(r"羽绒|棉服|棉衣|加绒|加厚|毛呢|呢子|保暖|雪地|抓绒|down jacket|puffer|fleece", re.IGNORECASE)
COOL_WEAR = re.compile(r"短袖|无袖|凉鞋|凉拖|防晒|冰丝|沙滩|泳|summer|sandal|short[- ]sleeve", re.IGNORECASE)
# Words that name a season without its character (`seasons_in`).
SEASON_WORDS = {"spring": "春", "summer": "夏", "autumn": "秋", "fall": "秋", "winter": "冬", "暑假": "夏", "寒假": "冬"}
# Column codes of a `Shelf`
GENDERS = {None: 0, "男": 1, "女": 2}
COLOURS = {None: 0, "冷": 1, "暖": 2, "中性": 3}
SEASON_INDEX = {s: n for n, s in enumerate("春夏秋冬")}
REGION_INDEX = {r: n for n, r in enumerate(sorted({r for slot in SLOTS.values() for r in slot.regions}))}


def bits(items: Iterable[str], index: Mapping[str, int]) -> int:
    return sum(1 << index[i] for i in set(items) if i in index)


def is_audience_tag(tag: str) -> bool:
    """A tag that says who wears it (女装, 男童, 中性), not a style."""
    return bool(_AUDIENCE_TAG.search(tag))


def is_colour_tag(tag: str) -> bool:
    return tag in COLOUR_FAMILY_TAGS or tag.endswith("色系") or tag in ("浅色", "深色")


def _audience_text(product: Product) -> str:
    return " ".join([product.category, product.title, *(t for t in product.tags if not is_colour_tag(t))])


def gender_of(product: Product) -> str | None:
    """'男', '女', or None for unisex / unknown (which go with both)."""
    text = _audience_text(product)
    if UNISEX.search(text):
        return None
    found = set()
    for match in _GENDER.finditer(text):
        word = match.group(1) or (match.group(2) or match.group(3) or "").lower()
        found.add(_ENGLISH_GENDER.get(word.rstrip("'"), word))
    return found.pop() if len(found) == 1 else None


def is_child(product: Product) -> bool:
    """Made for a child (kids' and baby wear), read from category, title and tags."""
    return bool(CHILD.search(_audience_text(product)))


def seasons_in(text: str, named: re.Pattern, warm: re.Pattern, cool: re.Pattern) -> frozenset[str]:
    """The seasons a text names (a group of `named`: 夏, or a word of SEASON_WORDS), else those
    its `warm` or `cool` words say (秋冬, 春夏); empty when it says none."""
    found = frozenset(SEASON_WORDS.get(word.lower(), word)
                      for m in named.finditer(text) for word in [next(g for g in m.groups() if g)])
    if found:
        return found
    if warm.search(text):
        return frozenset("秋冬")
    if cool.search(text):
        return frozenset("春夏")
    return frozenset()


def seasons_of(product: Product) -> frozenset[str]:
    """The seasons the product is worn in: its season attribute, else the seasons its title
    names (夏季新款), else what it is made for (羽绒 -> 秋冬, 短袖 -> 春夏); all four when
    nothing says, or 四季."""
    value = next((product.attributes[k] for k in SEASON_KEYS if k in product.attributes), "")
    value = re.split(r"[（(]", value, maxsplit=1)[0]
    found = frozenset(ch for ch in value if ch in SEASONS)
    if found or value:
        return found or SEASONS
    return seasons_in(product.category + " " + product.title, SEASON_NAMED, WARM_WEAR, COOL_WEAR) or SEASONS


def colour_family_of(product: Product) -> str | None:
    """冷, 暖 or 中性, from the family tags, else from the colour words; a neutral beside a
    cool or warm colour leaves that colour's family, and cool with warm has none."""
    families = {COLOUR_FAMILY_TAGS[tag] for tag in product.tags if tag in COLOUR_FAMILY_TAGS}
    if not families:
        colour = product.attributes.get("颜色", "") or " ".join(t for t in product.tags if t.endswith("色系"))
        families = {family for word, family in COLOUR_WORDS if word in colour}
    if "冷" in families and "暖" in families:
        return None
    if len(families) > 1:
        families.discard("中性")
    return families.pop() if families else None


@dataclass(frozen=True)
class Piece:
    """A product with what outfits are judged on, computed once."""

    product: Product
    slot: str
    covers: frozenset[str]           # the body regions its slot covers
    gender: str | None
    child: bool
    seasons: frozenset[str]
    colour_family: str | None
    style: frozenset[str]            # tags that are not about colour
    looks: str                       # category, title and colour: what a shopper's dislikes are read against

    @classmethod
    def of(cls, product: Product, slot: str) -> Piece:
        return cls(product=product, slot=slot, covers=regions(slot), gender=gender_of(product), child=is_child(product),
                   seasons=seasons_of(product), colour_family=colour_family_of(product),
                   style=frozenset(t for t in product.tags if not is_colour_tag(t)),
                   looks=" ".join([product.category, product.title, product.attributes.get("颜色", "")]).lower())

    @property
    def sku_id(self) -> str:
        return self.product.sku_id

    def goes_with(self, other: Piece) -> bool:
        """Worn together by one person: same gender (unisex goes with both), both for a child or
        both for an adult, a shared season, and not covering the same place on the body."""
        if self.gender and other.gender and self.gender != other.gender:
            return False
        return self.child == other.child and bool(self.seasons & other.seasons) \
            and not self.covers & other.covers


@dataclass(frozen=True)
class Shelf:
    """The in-stock pieces of one slot as columns, so a question filters and ranks them at once."""

    pieces: list[Piece]
    gender: np.ndarray               # GENDERS codes
    child: np.ndarray                # bool
    seasons: np.ndarray              # SEASON_INDEX bits
    covers: np.ndarray               # REGION_INDEX bits
    colour: np.ndarray               # COLOURS codes
    price: np.ndarray                # float
    category: np.ndarray             # the wardrobe's category codes
    style: np.ndarray                # (pieces, tags) 0/1, the wardrobe's tag columns
    titled: list[str]                # titles, for the occasion named in one

    @classmethod
    def of(cls, pieces: list[Piece], categories: Mapping[str, int], tags: Mapping[str, int]) -> Shelf:
        style = np.zeros((len(pieces), len(tags)), dtype=np.float32)
        for row, piece in enumerate(pieces):
            style[row, [tags[t] for t in piece.style if t in tags]] = 1.0
        return cls(pieces, np.array([GENDERS[p.gender] for p in pieces], dtype=np.int8),
                   np.array([p.child for p in pieces], dtype=bool),
                   np.array([bits(p.seasons, SEASON_INDEX) for p in pieces], dtype=np.int16),
                   np.array([bits(p.covers, REGION_INDEX) for p in pieces], dtype=np.int32),
                   np.array([COLOURS[p.colour_family] for p in pieces], dtype=np.int8),
                   np.array([float(p.product.price) for p in pieces]),
                   np.array([categories[p.product.category] for p in pieces], dtype=np.int32),
                   style, [p.product.title for p in pieces])


class Wardrobe:
    """Every product of one catalog by sku; in-stock pieces by slot, as `Shelf` columns."""

    def __init__(self, pieces: dict[str, Piece], slots: Mapping[str, SlotChoice],
                 meanings: Mapping[str, np.ndarray] | None = None, formal: np.ndarray | None = None):
        self._pieces = pieces
        self.slots = dict(slots)
        self._by_category: dict[str, list[Piece]] = defaultdict(list)
        self.tags = frozenset(t for piece in pieces.values() for t in piece.style)
        counts = Counter(t for piece in pieces.values() for t in piece.style)
        # the tags that tell pieces apart: not the shop's audience, not on most of its pieces
        self.tag_index = {t: n for n, t in enumerate(sorted(
            t for t, n in counts.items() if n <= SHOP_WIDE * len(pieces) and not is_audience_tag(t)))}
        in_stock: dict[str, list[Piece]] = defaultdict(list)
        for piece in pieces.values():
            self._by_category[piece.product.category].append(piece)
            if piece.product.in_stock:
                in_stock[piece.slot].append(piece)
        self.category_index = {c: n for n, c in enumerate(sorted(self._by_category))}
        # each category's meaning (`slot_reader.category_vector`), rows in category_index order
        self.meanings = np.array([meanings[c] for c in self.category_index]) if meanings else None
        # how dressed-up each category is, standardised over the shop's categories (0 unknown)
        self.formality = np.zeros(len(self.category_index))
        if self.meanings is not None and formal is not None and len(self.category_index) > 1:
            raw = self.meanings @ formal
            self.formality = (raw - raw.mean()) / (raw.std() or 1.0)
        self._shelves = {slot: Shelf.of(sorted(found, key=lambda p: p.sku_id), self.category_index, self.tag_index)
                         for slot, found in in_stock.items()}

    @classmethod
    def of(cls, products: Iterable[Product], slots: Mapping[str, SlotChoice],
           meanings: Mapping[str, np.ndarray] | None = None, formal: np.ndarray | None = None) -> Wardrobe:
        """`slots` holds every category's choice (`slot_reader.read_slots`); `meanings` each
        category's vector (`slot_reader.category_vector`) and `formal` the casual-to-formal
        direction (`slot_reader.formal_axis`), without which no category is preferred for
        what the message says or how dressed-up it is."""
        return cls({p.sku_id: Piece.of(p, slots[p.category].slot) for p in products}, slots, meanings, formal)

    def affinity(self, meaning: np.ndarray, anchor_category: str) -> np.ndarray:
        """Per category (category_index order): how near it is to what the shopper said and to
        the anchor's category, in meaning; zeros without category vectors."""
        if self.meanings is None:
            return np.zeros(len(self.category_index))
        return self.meanings @ meaning + self.meanings @ self.meanings[self.category_index[anchor_category]]

    def piece(self, sku_id: str) -> Piece | None:
        return self._pieces.get(sku_id)

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self._by_category)

    def products_in(self, category: str) -> list[Product]:
        """Every product of the category, sold out included (for naming an anchor)."""
        return [piece.product for piece in self._by_category.get(category, [])]

    def shelf(self, slot: str) -> Shelf | None:
        return self._shelves.get(slot)

    def tag_vector(self, tags: Iterable[str]) -> np.ndarray:
        vector = np.zeros(len(self.tag_index), dtype=np.float32)
        vector[[self.tag_index[t] for t in set(tags) if t in self.tag_index]] = 1.0
        return vector

    def categories_of(self, slot: str) -> list[str]:
        return sorted(c for c, choice in self.slots.items() if choice.slot == slot)
