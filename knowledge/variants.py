"""The variant a shopper names by a spec: "有32cm的吗" asked on the 28cm pan means its 32cm sibling.

A message that names a size, capacity, weight or power (`quantities.VARIANT_UNITS`) the
product in view does not have, held by another product whose title is close to the one in
view's (the same series in another size), names that product. Retrieval ranks it first
and drafting answers about it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from knowledge.quantities import VARIANT_UNITS, Quantity, quantities

SIBLING_SIMILARITY = 0.5      # share of title characters two variants of one product have in common
_TITLE_CHARS = re.compile(r"[\u3400-\u9fffa-z0-9]")


def spec_quantities(record: Mapping) -> frozenset[Quantity]:
    """The quantities a product's title and attributes hold."""
    texts = [str(record.get("title") or ""), *(str(v) for v in (record.get("attributes") or {}).values())]
    return frozenset(q for t in texts for q in quantities(t))


def named_variant(message: str, viewed: str, titles: Mapping[str, str],
                  specs: Mapping[str, frozenset[Quantity]]) -> str | None:
    """The id of the product the message names by a spec the viewed one lacks, if any: of
    those holding it, the one whose title is closest to the viewed one's (`SIBLING_SIMILARITY`
    at least). `titles` and `specs` are by product id."""
    if viewed not in specs:
        return None
    named = {q for q in quantities(message) if q[1] in VARIANT_UNITS} - specs[viewed]
    if not named:
        return None
    close = [(similarity(titles[viewed], titles[p]), p) for p in _holding(named, specs) if p != viewed]
    best = max(close, default=None)
    return best[1] if best and best[0] >= SIBLING_SIMILARITY else None


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of two titles' characters."""
    a, b = set(_TITLE_CHARS.findall(first.lower())), set(_TITLE_CHARS.findall(second.lower()))
    return len(a & b) / len(a | b) if a | b else 0.0


def _holding(named: set[Quantity], specs: Mapping[str, frozenset[Quantity]]) -> Iterable[str]:
    return (p for p, held in sorted(specs.items()) if named & held)
