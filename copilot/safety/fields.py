"""Which fields of a knowledge record a draft could quote, and so the safety check reads."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

NOT_QUOTED = frozenset({"image_url", "embed_hash"})   # addresses and bookkeeping, never shown


def quotable(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, text) for every string a draft could quote: top-level strings, attribute
    values as `attributes.KEY`, list items (tags) as `tags`."""
    for field, value in record.items():
        if field in NOT_QUOTED:
            continue
        if isinstance(value, str):
            yield field, value
        elif isinstance(value, Mapping):
            yield from ((f"{field}.{key}", str(v)) for key, v in value.items())
        elif isinstance(value, list):
            yield from ((field, str(v)) for v in value)
