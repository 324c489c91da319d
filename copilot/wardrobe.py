"""A merchant's catalog indexed for outfit building, and the default complement map.

`Wardrobe` is built once per catalog version: every product becomes a `Piece`
(the product plus the features outfits are judged on: gender, seasons, colour
family, style tags, device fit), and in-stock pieces are indexed by category and
gender so that building outfits only scans the categories it needs.

The complement map says which categories go with an anchor's category, most
important first. A key is a category (`"大衣"`) or a tag and a category separated
by a space (`"女装 大衣"`); the tagged key wins when the anchor carries the tag.
A merchant passes their own map to `Wardrobe.from_products(complements=...)`;
it replaces the default entry for each key it names.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.records import Product

_SHOES = ["皮鞋", "运动鞋", "靴子", "凉鞋", "帆布鞋", "板鞋", "高跟鞋", "单鞋"]
_BAGS = ["包", "手提包", "斜挎包", "双肩包"]
_TOPS = ["衬衫", "T恤", "毛衣", "针织衫", "卫衣", "POLO衫"]

DEFAULT_COMPLEMENTS: dict[str, list[str]] = {
    # apparel
    "西装": ["衬衫", "领带", "皮鞋", "腰带", "西裤", "袖扣"],
    "女装 西装": ["衬衫", "针织衫", "T恤", "西裤", "半身裙", "连衣裙", "皮鞋", "包"],
    "衬衫": ["西装", "西裤", "牛仔裤", "休闲裤", "领带", "皮鞋", "腰带", "毛衣"],
    "连衣裙": ["针织衫", "外套", "风衣", "大衣", "皮鞋", "运动鞋", "凉鞋", "单鞋", "高跟鞋", "包"],
    "半身裙": ["针织衫", "毛衣", "衬衫", "T恤", "大衣", "外套", "皮鞋", "运动鞋", "靴子", "包"],
    "男装 大衣": ["毛衣", "衬衫", "西装", "西裤", "牛仔裤", "休闲裤", "皮鞋", "靴子", "腰带", "围巾"],
    "大衣": ["毛衣", "针织衫", "衬衫", "连衣裙", "半身裙", "西裤", "皮鞋", "运动鞋", "靴子", "包", "围巾"],
    "羽绒服": ["毛衣", "卫衣", "衬衫", "T恤", "牛仔裤", "休闲裤", "运动鞋", "靴子", "围巾", "帽子"],
    "毛衣": ["大衣", "羽绒服", "牛仔裤", "半身裙", "休闲裤", "西裤", "运动鞋", "皮鞋", "靴子", "包"],
    "针织衫": ["连衣裙", "半身裙", "牛仔裤", "西裤", "皮鞋", "运动鞋", "包"],
    "T恤": ["牛仔裤", "休闲裤", "短裤", "半身裙", "外套", "运动鞋", "帆布鞋", "包"],
    "牛仔裤": _TOPS + ["夹克", "大衣", "羽绒服", "运动鞋", "帆布鞋", "靴子", "腰带"],
    "西裤": ["衬衫", "西装", "毛衣", "针织衫", "皮鞋", "腰带"],
    "皮鞋": ["西装", "衬衫", "西裤", "腰带", "连衣裙", "半身裙", "包"],
    "运动鞋": ["T恤", "卫衣", "针织衫", "毛衣", "衬衫", "连衣裙", "半身裙", "牛仔裤", "休闲裤", "短裤", "包"],
    "包": ["连衣裙", "半身裙", "西裤", "衬衫", "针织衫", "大衣", "风衣", "西装", "皮鞋", "单鞋"],
    "领带": ["衬衫", "西装", "袖扣"],
    "腰带": ["西裤", "牛仔裤", "衬衫", "皮鞋"],
    # digital accessories
    "手机": ["手机壳", "贴膜", "充电器", "数据线", "耳机", "充电宝", "智能手表"],
    "平板": ["保护套", "键盘", "手写笔", "充电器", "数据线", "耳机"],
    "笔记本": ["电脑包", "鼠标", "键盘", "扩展坞", "充电器", "充电宝"],
    "智能手表": ["表带", "充电器", "耳机"],
    "耳机": ["耳机套", "充电宝", "数据线"],
}

# Categories that fill the same place on the body; an outfit holds one piece per slot.
SLOTS: dict[str, str] = {
    **{c: "上衣" for c in _TOPS},
    **{c: "外套" for c in ("大衣", "羽绒服", "风衣", "夹克", "外套", "棉服", "西装")},
    **{c: "下装" for c in ("牛仔裤", "半身裙", "西裤", "休闲裤", "短裤", "运动裤")},
    **{c: "连身" for c in ("连衣裙", "连体裤")},
    **{c: "鞋" for c in _SHOES},
    **{c: "包" for c in _BAGS},
}
# Slots that do not go together in one outfit (a dress replaces a top and a bottom).
SLOT_CONFLICTS: dict[str, frozenset[str]] = {
    "连身": frozenset({"上衣", "下装"}),
    "上衣": frozenset({"连身"}),
    "下装": frozenset({"连身"}),
}
# Categories whose items fit one device model; their titles must name the anchor's model.
DEVICE_SPECIFIC = frozenset({"手机壳", "贴膜", "保护套", "表带", "耳机套", "键盘"})
# Ecosystems an accessory may be tied to, with the words that mark them (lower case).
PLATFORMS: dict[str, re.Pattern] = {
    "apple": re.compile(r"苹果(?![绿红色])|iphone|ipad|lightning|magsafe|\bapple\b"),
}

GENDER_TAGS = {"男装": "男", "女装": "女"}
# "中性" is unisex in 中性款 / 中性风, but a colour in 中性色 (and as a colour-family tag)
UNISEX = re.compile(r"男女|情侣|unisex|中性(?!色)", re.IGNORECASE)
_TITLE_GENDER = re.compile(r"(男|女)(?:士|款|式|装|生)")
SEASONS = frozenset("春夏秋冬")
COLOUR_FAMILY_TAGS = {"冷色": "冷", "暖色": "暖", "中性": "中性", "中性色": "中性"}
# Colour words (tags like 蓝色系 or the 颜色 attribute) and the family they belong to.
COLOUR_WORDS: tuple[tuple[str, str], ...] = (
    ("藏青", "冷"), ("蓝", "冷"), ("绿", "冷"), ("紫", "冷"), ("青", "冷"),
    ("红", "暖"), ("橙", "暖"), ("黄", "暖"), ("棕", "暖"), ("驼", "暖"), ("卡其", "暖"),
    ("咖", "暖"), ("米", "暖"), ("燕麦", "暖"), ("香槟", "暖"), ("焦糖", "暖"), ("大地", "暖"),
    ("粉", "暖"), ("黑", "中性"), ("白", "中性"), ("灰", "中性"), ("银", "中性"),
)
_MODEL_TOKEN = re.compile(r"[a-z]+\d+[a-z]*")
SPEC_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:w|mah|毫安|寸|英寸)", re.IGNORECASE)


def is_colour_tag(tag: str) -> bool:
    return tag in COLOUR_FAMILY_TAGS or tag.endswith("色系") or tag in ("浅色", "深色")


def gender_of(product: Product) -> str | None:
    """'男', '女', or None for unisex / unknown (which go with both)."""
    text = " ".join([product.title, *(t for t in product.tags if not is_colour_tag(t))])
    if UNISEX.search(text):
        return None
    for tag, gender in GENDER_TAGS.items():
        if tag in product.tags:
            return gender
    found = {m.group(1) for m in _TITLE_GENDER.finditer(product.title)}
    return found.pop() if len(found) == 1 else None


def seasons_of(product: Product) -> frozenset[str]:
    """The seasons the product is worn in; all four when unknown or 四季."""
    value = product.attributes.get("适用季节", "")
    value = re.split(r"[（(]", value, maxsplit=1)[0]
    found = frozenset(ch for ch in value if ch in SEASONS)
    return found or SEASONS


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


def colours_clash(a: str | None, b: str | None) -> bool:
    return {a, b} == {"冷", "暖"}


@dataclass(frozen=True)
class Piece:
    """A product with the features outfits are judged on, computed once."""

    product: Product
    gender: str | None
    seasons: frozenset[str]
    colour_family: str | None
    style: frozenset[str]            # tags that are not about colour or gender
    covers: frozenset[str]           # outfit slots it fills (a suit with trousers fills 下装 too)
    models: frozenset[str]           # model tokens in the title ("x20", "n9")
    specs: frozenset[str]            # spec tokens in the title ("67w", "10000mah")
    mentioned_specs: frozenset[str]  # spec tokens anywhere on the product sheet
    platforms: frozenset[str]

    @classmethod
    def of(cls, product: Product) -> "Piece":
        title = product.title.lower()
        marks = (title + " " + " ".join(product.tags)).lower()
        sheet = " ".join([product.title, *product.attributes.values(), product.description])
        return cls(
            product=product,
            gender=gender_of(product),
            seasons=seasons_of(product),
            colour_family=colour_family_of(product),
            style=frozenset(t for t in product.tags if not is_colour_tag(t) and t not in GENDER_TAGS),
            covers=frozenset({SLOTS.get(product.category, product.category)})
            | (frozenset({"下装"}) if "裤" in product.attributes.get("套装组成", "") else frozenset()),
            models=frozenset(_MODEL_TOKEN.findall(title)),
            specs=frozenset(SPEC_TOKEN.findall(title)),
            mentioned_specs=frozenset(SPEC_TOKEN.findall(sheet.lower())),
            platforms=frozenset(p for p, pattern in PLATFORMS.items() if pattern.search(marks)),
        )

    def goes_with(self, other: "Piece") -> bool:
        """Worn together: same gender (unisex goes with both) and a shared season."""
        if self.gender and other.gender and self.gender != other.gender:
            return False
        return bool(self.seasons & other.seasons)

    def clashes_with(self, taken: frozenset[str] | set[str]) -> bool:
        """Fills a slot already taken, or one that cannot go with them (a dress and a skirt)."""
        return any(slot in taken or SLOT_CONFLICTS.get(slot, frozenset()) & taken for slot in self.covers)

    def fits(self, anchor: "Piece") -> bool:
        """Usable with the anchor device: same ecosystem, and the anchor's model for cases and films."""
        if self.platforms - anchor.platforms:
            return False
        if self.product.category in DEVICE_SPECIFIC and self.models:
            return bool(self.models & anchor.models)
        return True


class Wardrobe:
    """Every product of one catalog by sku, in-stock pieces by (category, gender)."""

    def __init__(self, *, pieces: dict[str, Piece], complements: dict[str, list[str]]):
        self._pieces = pieces
        self.complements = complements
        self._in_stock: dict[tuple[str, str | None], list[Piece]] = defaultdict(list)
        self._by_category: dict[str, list[Piece]] = defaultdict(list)
        for piece in pieces.values():
            self._by_category[piece.product.category].append(piece)
            if piece.product.in_stock:
                self._in_stock[(piece.product.category, piece.gender)].append(piece)

    @classmethod
    def from_products(
        cls, products: Iterable[Product], *, complements: dict[str, list[str]] | None = None
    ) -> "Wardrobe":
        merged = {**DEFAULT_COMPLEMENTS, **(complements or {})}
        return cls(pieces={p.sku_id: Piece.of(p) for p in products}, complements=merged)

    def piece(self, sku_id: str) -> Piece | None:
        return self._pieces.get(sku_id)

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self._by_category)

    def products_in(self, category: str) -> list[Product]:
        """Every product of the category, sold out included (for naming an anchor)."""
        return [piece.product for piece in self._by_category.get(category, [])]

    def complements_of(self, piece: Piece) -> list[str]:
        """The complement categories for the anchor, most important first, present in stock."""
        category = piece.product.category
        tags = list(piece.product.tags)
        if piece.gender:
            tags.append(next(t for t, g in GENDER_TAGS.items() if g == piece.gender))
        wanted = next(
            (self.complements[f"{tag} {category}"] for tag in tags if f"{tag} {category}" in self.complements),
            self.complements.get(category, []),
        )
        return [c for c in dict.fromkeys(wanted) if c != category and c in self._by_category]

    def in_stock(self, category: str, gender: str | None) -> Iterable[Piece]:
        """In-stock pieces of the category that a wearer of `gender` can take (unisex always)."""
        genders = (None, "男", "女") if gender is None else (None, gender)
        for g in genders:
            yield from self._in_stock.get((category, g), ())
