"""Whether a shopper asks for styling, by meaning, in Chinese or English.

The shipped `styling_intent` classifier (`classifier.py`, fitted on
`examples/styling.jsonl`) reads the message. A follow-up ("再来一套", "cheaper ones?")
(or a message half as sure as a styling question: "有没有休闲一点的") is a styling question
when one of the shopper's recent messages was.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.outfits.classifier import TextClassifier, shipped
from copilot.outfits.request import recent_customer_turns
from copilot.outfits.slot_reader import Embed
from copilot.turns import Turn

FOLLOW_UP_FLOOR = 0.5       # a message half as likely as a styling one is a follow-up after one
FOLLOW_UP_TURNS = 2          # how many of the shopper's earlier messages a follow-up looks back at
FOLLOW_UP = re.compile(
    r"(换|再来|再给|再搭|还有|别的|其他|另外|多来).{0,4}(套|款|搭|组|个|身)|便宜(点|一点|些)|太贵|预算|"
    r"more (options|ideas|outfits)|another|cheaper|other (options|ones)",
    re.IGNORECASE,
)


class StylingIntent:
    def __init__(self, embed: Embed, classifier: TextClassifier | None = None):
        self.embed = embed
        self.classifier = classifier or shipped("styling_intent")
        self._styling = self.classifier.classes.index("styling")
        # P(styling) from which a message is a styling question: chosen out of fold at training
        self.cutoff = float(self.classifier.meta["cutoff"])

    def probability(self, text: str) -> float:
        return float(self.classifier.probabilities(self.embed(text), text)[self._styling])

    def asks(self, message: str, history: Sequence[Turn] = ()) -> bool:
        """A styling question, or a follow-up to one of the shopper's last messages."""
        p = self.probability(message)
        if p >= self.cutoff:
            return True
        if not (FOLLOW_UP.search(message) or p >= FOLLOW_UP_FLOOR * self.cutoff):
            return False
        return any(self.probability(t.text) >= self.cutoff for t in recent_customer_turns(history)[:FOLLOW_UP_TURNS])
