"""The three kinds of merchant knowledge, as validated records, and what retrieval returns.

Field rules follow `FORMATS.md`; loaders turn pydantic's validation errors into
`InputProblem`s that name file, line and field.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["sku", "policy", "faq"]
KINDS: tuple[Kind, ...] = ("sku", "policy", "faq")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Product(_Record):
    sku_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=500)
    category: str = Field(min_length=1, max_length=100)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    stock: int = Field(ge=0, strict=True)
    attributes: dict[str, str] = {}
    tags: list[str] = []
    description: str = ""
    image_url: str = ""

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        return [t.strip() for t in tags if t.strip()]

    @field_validator("attributes")
    @classmethod
    def _clean_attributes(cls, attrs: dict[str, str]) -> dict[str, str]:
        return {k.strip(): v.strip() for k, v in attrs.items() if k.strip() and v.strip()}

    @property
    def id(self) -> str:
        return self.sku_id

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class Policy(_Record):
    policy_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)
    applies_to: list[str] = []

    @property
    def id(self) -> str:
        return self.policy_id


class Faq(_Record):
    faq_id: str = Field(pattern=ID_PATTERN)
    question: str = Field(min_length=1, max_length=1000)
    answer: str = Field(min_length=1, max_length=4000)
    tags: list[str] = []

    @property
    def id(self) -> str:
        return self.faq_id


Record = Product | Policy | Faq
RECORD_KIND: dict[type, Kind] = {Product: "sku", Policy: "policy", Faq: "faq"}


def kind_of(record: Record) -> Kind:
    return RECORD_KIND[type(record)]


class Source(BaseModel):
    """One distinct source that retrieval found: a SKU, a policy or an FAQ."""

    id: str
    kind: Kind
    title: str
    text: str = Field(description="the passage that matched (a policy chunk, the FAQ, the SKU sheet)")
    score: float
    record: dict = Field(default_factory=dict, description="the stored record, for drafting")
