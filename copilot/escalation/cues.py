"""The escalation assessor: how upset is the shopper, and must a senior agent take over?

`assess(message, history)` returns an `Assessment`: a level (0 calm, 1 dissatisfied,
2 angry, 3 escalation-critical), a score in 0..1, the decision and the reasons in
words an agent understands ("threatens 12315", "3rd time asking about the same issue").

How, without a model: the cue families of `escalation_lexicon` (threats of outside
action, safety incidents, insults, supervisor demands, fraud accusations, repeated
complaints, ultimatums, anger, dissatisfaction) are matched on the raw text; a match
is voided by its family's guards (negated, a calm question about the process,
someone else's words, a worry rather than an incident, aimed at the courier or at
oneself; and, for soft families, a joke, praise nearby or a thank-you). Intensity
(!!, ??, capitals, stretched characters) and the history (the customer chasing the
same matter turn after turn, the agent pasting the same reply, an earlier threat)
add signals. The score is the noisy-OR of one weight per signal; per-merchant
`Thresholds` turn it into a level and the decision.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from copilot import escalation_lexicon as lex
from copilot.errors import ConfigError
from copilot.turns import Turn

LEVEL_NAMES = ("calm", "dissatisfied", "angry", "critical")
DEFAULT_ESCALATE_LEVEL = 3
DEFAULT_LEVEL_CUTOFFS = (0.15, 0.45, 0.75)   # lowest score of levels 1, 2 and 3

INTENSITY_WEIGHT = 0.25      # each of: !!, ??, capitals, stretched characters
CHASE_WEIGHT = 0.5           # the customer raised the same matter REPEAT_TURNS times or more
SAME_REPLY_WEIGHT = 0.3      # the agent sent (nearly) the same reply twice or more
FAILED_HELP_WEIGHT = 0.5     # a supervisor demand after the agent has already replied
SUPERVISOR = "supervisor"    # the cue family whose demand FAILED_HELP_WEIGHT strengthens
CARRY_FACTOR = 0.6           # an earlier angry customer turn's score, carried at this fraction
CARRY_LEVEL = 2              # earlier turns below this level are not carried
REPEAT_TURNS = 3
MIN_COUNT = 3                # "第二次问了" is patience, not a repeated complaint
TOPIC_OVERLAP = 0.3          # bigram overlap of two customer turns on one matter
SAME_REPLY_OVERLAP = 0.8     # bigram overlap of two agent turns that are one canned reply
MIN_TURN_CHARS = 3           # shorter customer turns ("在吗", "hi") are not a matter
WINDOW = 8                   # characters before a match that NEGATION looks at


@dataclass(frozen=True)
class Thresholds:
    """Per-merchant decision thresholds.

    `escalate_level`: escalate when the level is at least this (1..3); a baby-goods
    shop may escalate angry shoppers (2), the default waits for critical ones (3).
    `level_cutoffs`: the lowest score of levels 1, 2 and 3, strictly increasing.
    """

    escalate_level: int = DEFAULT_ESCALATE_LEVEL
    level_cutoffs: tuple[float, float, float] = DEFAULT_LEVEL_CUTOFFS

    def __post_init__(self) -> None:
        cuts = tuple(self.level_cutoffs)
        if not 1 <= self.escalate_level <= 3:
            raise ConfigError(f"escalate_level must be 1, 2 or 3, not {self.escalate_level!r}")
        if len(cuts) != 3 or not 0 < cuts[0] < cuts[1] < cuts[2] <= 1:
            raise ConfigError(f"level_cutoffs must be three increasing scores in (0, 1], "
                              f"not {self.level_cutoffs!r}")

    def level(self, score: float) -> int:
        return sum(score >= cut for cut in self.level_cutoffs)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Assessment:
    level: int               # 0 calm, 1 dissatisfied, 2 angry, 3 escalation-critical
    score: float             # 0..1
    escalate: bool
    reasons: list[str] = field(default_factory=list)   # strongest first

    def to_dict(self) -> dict:
        return {"level": self.level, "label": LEVEL_NAMES[self.level], "score": self.score,
                "escalate": self.escalate, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class _Signal:
    key: str          # one weight per key: a family name, an intensity cue, a history cue
    weight: float
    reason: str


def _compile(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern:
    return re.compile(pattern, flags)


_CUES = tuple((family, _compile(pattern), label)
              for family in lex.FAMILIES for pattern, label in family.cues)
_PRAISE = _compile(lex.PRAISE_CUES)
_JOKE = _compile(lex.JOKE_CUES)
_RESOLUTION = _compile(lex.RESOLUTION_CUES)
_CONTRAST = _compile(lex.CONTRAST)
_CLAUSE_BREAK = _compile(lex.CLAUSE_BREAK)
_NEGATION = _compile(lex.NEGATION_BEFORE)
_HYPOTHETICAL = _compile(lex.HYPOTHETICAL_BEFORE)
_HYPOTHETICAL_AFTER = _compile(lex.HYPOTHETICAL_AFTER)
_INQUIRY = _compile(lex.INQUIRY_CLAUSE)
_THIRD_PARTY = _compile(lex.THIRD_PARTY_BEFORE)
_OTHER_TARGET = _compile(lex.OTHER_TARGET_AFTER)
_CHASE = _compile(lex.CHASE)
_INTENSITY = (
    ("exclaim", _compile(lex.EXCLAIM, 0), "repeated !!"),
    ("question", _compile(lex.QUESTION, 0), "repeated ?? or ?!"),
    ("capitals", _compile(lex.CAPITALS, 0), "writes in capitals"),
    ("stretched", _compile(lex.STRETCHED, 0), "stretched characters"),
)
_TOKENS = _compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_COUNTS = {"three": 3, "third": 3, "four": 4, "fourth": 4, "five": 5, "fifth": 5,
              "six": 6, "sixth": 6}


def assess(message: str, history: Sequence[Turn] = (), *,
           thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Assessment:
    """Judge the latest customer message, given the earlier turns (oldest first)."""
    text = _Text(message)
    signals = text.signals()
    if not text.calm:
        signals += _history_signals(message, history, signals, thresholds)
    best: dict[str, _Signal] = {}
    for signal in signals:
        if signal.key not in best or signal.weight > best[signal.key].weight:
            best[signal.key] = signal
    score = round(1 - math.prod(1 - s.weight for s in best.values()), 3)
    level = thresholds.level(score)
    reasons = list(dict.fromkeys(s.reason for s in sorted(signals, key=lambda s: -s.weight)))
    return Assessment(level=level, score=score, escalate=level >= thresholds.escalate_level,
                      reasons=reasons)


class _Text:
    """One message, split into clauses and contrast segments, with its message-level guards."""

    def __init__(self, text: str):
        self.text = text
        self.clause_starts, self.clause_ends = _spans(_CLAUSE_BREAK, text)
        self.segment_starts, self.segment_ends = _spans(_CONTRAST, text)
        self.praise_at = [m.start() for m in _PRAISE.finditer(text) if not self._negated(m.start())]
        self.joke = bool(_JOKE.search(text))
        self.resolution = bool(_RESOLUTION.search(text))
        self.calm = self.joke or self.resolution or bool(self.praise_at)

    def signals(self) -> list[_Signal]:
        found = []
        for family, regex, label in _CUES:
            for match in regex.finditer(self.text):
                filled = self._label(label, match)
                if filled is not None and not self._voided(family, match):
                    found.append(_Signal(family.name, family.weight,
                                         family.reason.format(label=filled)))
        if not self.calm:
            found += [_Signal(key, INTENSITY_WEIGHT, reason) for key, regex, reason in _INTENSITY
                      if any(_intense(m) for m in regex.finditer(self.text))]
        return found

    @staticmethod
    def _label(label: str, match: re.Match) -> str | None:
        if "n" not in match.re.groupindex:
            return label
        count = _count(match.group("n"))
        if count is not None and count < MIN_COUNT:
            return None
        return label.format(n=count if count is not None else "many")

    def _voided(self, family: lex.CueFamily, match: re.Match) -> bool:
        guards = family.guards
        start, end = match.span()
        clause_start, clause_end = self._clause(start, end)
        before = self.text[clause_start:start]
        clause = self.text[clause_start:clause_end]
        return (
            (lex.JOKE in guards and self.joke)
            or (lex.RESOLUTION in guards and self.resolution)
            or (lex.PRAISE in guards and self._praised(start))
            or (lex.NEGATION in guards and self._negated(start))
            or (lex.INQUIRY in guards and bool(_INQUIRY.search(clause)))
            or (lex.THIRD_PARTY in guards and bool(_THIRD_PARTY.search(before)))
            or (lex.OTHER_TARGET in guards and bool(_OTHER_TARGET.search(self.text[end:clause_end])))
            or (lex.HYPOTHETICAL in guards and _hypothetical(before, clause, self.text[end:]))
        )

    def _clause(self, start: int, end: int) -> tuple[int, int]:
        i = bisect_right(self.clause_ends, start)
        clause_start = self.clause_ends[i - 1] if i else 0
        j = bisect_left(self.clause_starts, end)
        clause_end = self.clause_starts[j] if j < len(self.clause_starts) else len(self.text)
        return clause_start, clause_end

    def _negated(self, start: int) -> bool:
        clause_start, _ = self._clause(start, start)
        return bool(_NEGATION.search(self.text[max(clause_start, start - WINDOW):start]))

    def _praised(self, position: int) -> bool:
        """Praise in the same contrast segment: "气死我了这么好看", not "好看，但是我要投诉"."""
        i = bisect_right(self.segment_ends, position)
        j = bisect_left(self.segment_starts, position)
        lo = self.segment_ends[i - 1] if i else 0
        hi = self.segment_starts[j] if j < len(self.segment_starts) else len(self.text)
        return any(lo <= p < hi for p in self.praise_at)


def _spans(regex: re.Pattern, text: str) -> tuple[list[int], list[int]]:
    matches = list(regex.finditer(text))
    return [m.start() for m in matches], [m.end() for m in matches]


def _hypothetical(before: str, clause: str, after: str) -> bool:
    return bool(_HYPOTHETICAL.search(before) or _HYPOTHETICAL_AFTER.search(after)) or (
        "会" in before and clause.rstrip().endswith(("吗", "?", "？")))


def _intense(match: re.Match) -> bool:
    token = match.group(0)
    if token.isupper():
        return token not in lex.CAPITALS_EXEMPT
    return token[0] not in lex.LAUGH_CHARS


def _count(word: str) -> int | None:
    """3 from "三", "3", "third"; None for vague counts ("几", "many", "八百")."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in _EN_COUNTS:
        return _EN_COUNTS[word]
    if word == "十":
        return 10
    if word.startswith("十") and len(word) == 2 and word[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[word[1]]
    if len(word) == 1 and word in _CN_DIGITS:
        return _CN_DIGITS[word]
    return None


# --- history -------------------------------------------------------------------------

def _history_signals(message: str, history: Sequence[Turn], current: list[_Signal],
                     thresholds: Thresholds) -> list[_Signal]:
    customer = [t.text for t in history if t.role == "customer"]
    agent = [t.text for t in history if t.role == "agent"]
    signals = []
    if agent and any(s.key == SUPERVISOR for s in current):
        signals.append(_Signal("failed_help", FAILED_HELP_WEIGHT, "agent's replies did not help"))
    raised = _times_raised(customer, message)
    if raised >= REPEAT_TURNS:
        signals.append(_Signal("chase", CHASE_WEIGHT,
                               f"{_ordinal(raised)} time asking about the same issue"))
    same = _same_reply_count(agent)
    if same >= 2:
        signals.append(_Signal("same_reply", SAME_REPLY_WEIGHT,
                               f"agent sent the same reply {same} times"))
    earlier = [assess(text, thresholds=thresholds) for text in customer]
    strongest = max(earlier, key=lambda a: a.score, default=None)
    if strongest is not None and strongest.level >= CARRY_LEVEL:
        signals.append(_Signal("earlier", round(strongest.score * CARRY_FACTOR, 3),
                               f"earlier: {strongest.reasons[0]}"))
    return signals


def _times_raised(previous: list[str], message: str) -> int:
    """Customer turns on the matter of the message, counted back while each chases the one before."""
    turns = [t for t in previous if _size(t) >= MIN_TURN_CHARS] + [message]
    count = 1
    for later, before in zip(reversed(turns), reversed(turns[:-1])):
        if not (_CHASE.search(later) or _overlap(_grams(later), _grams(before)) >= TOPIC_OVERLAP):
            break
        count += 1
    return count


def _same_reply_count(replies: list[str]) -> int:
    grams = [_grams(r) for r in replies]
    return max((sum(_overlap(g, other) >= SAME_REPLY_OVERLAP for other in grams) for g in grams),
               default=0)


def _size(text: str) -> int:
    return sum(len(t) for t in _TOKENS.findall(text.lower()))


def _grams(text: str) -> set[str]:
    """Character bigrams of Chinese runs and lower-cased English words."""
    grams = set()
    for token in _TOKENS.findall(text.lower()):
        if token.isascii():
            grams.add(token)
        else:
            grams.update(token[i:i + 2] for i in range(max(1, len(token) - 1)))
    return grams


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
