"""What the composer produces: the reply as streamed pieces, and the sources it used."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    text: str                       # one streamed clause, in the store's voice
    sources: tuple[str, ...] = ()   # ids of the sources it quotes or names


@dataclass(frozen=True)
class Composition:
    text: str
    citations: list[str]            # ids of the sources actually used, in order of use
    pieces: tuple[Piece, ...]
    answered: bool                  # False when the knowledge base had no answer
    unanswered: tuple[str, ...] = ()  # the parts of the question nothing answered (knowledge gaps)

    @classmethod
    def of(cls, pieces: list[Piece], *, answered: bool, unanswered: tuple[str, ...] = ()) -> Composition:
        citations = list(dict.fromkeys(s for p in pieces for s in p.sources))
        return cls("".join(p.text for p in pieces), citations, tuple(pieces), answered, unanswered)
