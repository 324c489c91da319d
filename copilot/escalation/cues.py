"""The lexicon's cues in one message and its conversation: what an agent can read as a reason.

`find(message, history)` returns the `Cue`s that fired: the cue families of
`lexicon` (threats of outside action, safety incidents, insults, supervisor demands,
fraud accusations, repeated complaints, ultimatums, anger, dissatisfaction) matched on
the raw text, each match voided by its family's guards (negated, a calm question about
the process, someone else's words, a worry rather than an incident, aimed at the
courier or at oneself; and, for soft families, a joke, praise nearby or a thank-you);
intensity (!!, ??, capitals, stretched characters); and the history (the customer
chasing the same matter turn after turn, the agent pasting the same reply, a
supervisor demand after the agent has replied, a hard cue in an earlier turn).

Cues are features of the learned scorer (`features`) and the reasons shown to the
agent, in Chinese and English.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from copilot.escalation import lexicon as lex
from copilot.turns import Turn

REPEAT_TURNS = 3
MIN_COUNT = 3                # "第二次问了" is patience, not a repeated complaint
TOPIC_OVERLAP = 0.3          # bigram overlap of two customer turns on one matter
SAME_REPLY_OVERLAP = 0.8     # bigram overlap of two agent turns that are one canned reply
MIN_TURN_CHARS = 3           # shorter customer turns ("在吗", "hi") are not a matter
WINDOW = 8                   # characters before a match that NEGATION looks at
EARLIER_TURNS = 3            # earlier customer turns whose hard cues count
INTENSITY_KEYS = ("exclaim", "question", "capitals", "stretched")
HISTORY_KEYS = ("failed_help", "chase", "same_reply", "earlier_hard")
KEYS = tuple(f.name for f in lex.FAMILIES) + INTENSITY_KEYS + HISTORY_KEYS


@dataclass(frozen=True)
class Cue:
    key: str          # a family name, an intensity cue or a history cue (`KEYS`)
    zh: str           # the reason, for a Chinese-speaking agent
    en: str           # the reason in English
    hard: bool = False


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
    ("exclaim", _compile(lex.EXCLAIM, 0), "连用感叹号", "repeated !!"),
    ("question", _compile(lex.QUESTION, 0), "连用问号", "repeated ?? or ?!"),
    ("capitals", _compile(lex.CAPITALS, 0), "全大写", "writes in capitals"),
    ("stretched", _compile(lex.STRETCHED, 0), "拉长字词", "stretched characters"),
)
_TOKENS = _compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_COUNTS = {"three": 3, "third": 3, "four": 4, "fourth": 4, "five": 5, "fifth": 5,
              "six": 6, "sixth": 6}


def find(message: str, history: Sequence[Turn] = ()) -> list[Cue]:
    """The cues of the latest customer message, given the earlier turns (oldest first)."""
    text = _Text(message)
    cues = text.cues()
    if not text.calm:
        cues += _history_cues(message, history, cues)
    return list({c.zh: c for c in cues}.values())


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

    def cues(self) -> list[Cue]:
        found = []
        for family, regex, label in _CUES:
            for match in regex.finditer(self.text):
                count = _count_of(match)
                if count != 0 and not self._voided(family, match):
                    zh = lex.LABELS_ZH[label].format(n=count or "多")
                    en = label.format(n=count or "many")
                    found.append(Cue(family.name, family.reason_zh.format(label=zh),
                                     family.reason.format(label=en), family.hard))
        if not self.calm:
            found += [Cue(key, zh, en) for key, regex, zh, en in _INTENSITY
                      if any(_intense(m) for m in regex.finditer(self.text))]
        return found

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


def _count_of(match: re.Match) -> int | None:
    """The count a cue names ("第三次": 3); None when it names none or a vague one; 0 when
    it is under `MIN_COUNT` (patience, not a repeated complaint)."""
    if "n" not in match.re.groupindex:
        return None
    count = _count(match.group("n"))
    return 0 if count is not None and count < MIN_COUNT else count


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

def _history_cues(message: str, history: Sequence[Turn], current: list[Cue]) -> list[Cue]:
    customer = [t.text for t in history if t.role == "customer"]
    agent = [t.text for t in history if t.role == "agent"]
    cues = []
    if agent and any(c.key == "supervisor" for c in current):
        cues.append(Cue("failed_help", "客服回复没能解决问题", "agent's replies did not help"))
    raised = _times_raised(customer, message)
    if raised >= REPEAT_TURNS:
        cues.append(Cue("chase", f"第{raised}次追问同一件事", f"{_ordinal(raised)} time asking about the same issue"))
    same = _same_reply_count(agent)
    if same >= 2:
        cues.append(Cue("same_reply", f"客服把同一回复发了{same}次", f"agent sent the same reply {same} times"))
    earlier = next((c for text in customer[-EARLIER_TURNS:] for c in _Text(text).cues() if c.hard), None)
    if earlier is not None:
        cues.append(Cue("earlier_hard", f"之前：{earlier.zh}", f"earlier: {earlier.en}"))
    return cues


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
