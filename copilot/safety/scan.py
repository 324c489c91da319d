"""`scan`: the findings of one text."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from copilot.safety import rules
from copilot.safety.hosts import PLATFORM_HOSTS, allowed, hosts_in

Kind = Literal["link", "credentials", "off_platform", "instruction"]

REASONS: dict[str, str] = {
    "link": "含未获允许的链接：{detail}",
    "credentials": "索要密码、卡号、验证码或付款码：“{detail}”",
    "off_platform": "引导顾客到平台外联系或付款：“{detail}”",
    "instruction": "含想改变助手行为的指令样文字：“{detail}”",
}
EXCERPT_CHARS = 24
SCAN_CACHE = 65_536        # facts and sources repeat across messages: each is scanned once

_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff\ufe0f]+")
_PLUS = re.compile(r"[➕✚十](?=[\u4e00-\u9fffa-z])")   # "➕薇", "✚v": 加
# Marks put inside words to dodge filters: "加*微*信", "v.x", "w-x", "Ｖ·Ｘ".
_INSIDE_WORD = re.compile(r"(?<=[\w\u4e00-\u9fff])[*·•_~.\-|/\\]+(?=[\w\u4e00-\u9fff])")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_SYMBOLS = frozenset({"So", "Sk", "Cf"})     # emoji and other symbols people pad words with
_CN_DIGIT = str.maketrans("零〇一二三四五六七八九幺壹贰叁肆伍陆柒捌玖", "001234567891123456789")
_CN_DIGIT_RUN = re.compile(r"[零〇一二三四五六七八九幺壹贰叁肆伍陆柒捌玖]{7,}")


@dataclass(frozen=True)
class Finding:
    kind: Kind
    excerpt: str        # the words that matched (folded), short
    reason: str         # for the agent's screen, in Chinese

    def to_dict(self) -> dict:
        return {"kind": self.kind, "excerpt": self.excerpt, "reason": self.reason}


def scan(text: str, allowed_hosts: Iterable[str] = PLATFORM_HOSTS) -> list[Finding]:
    """Everything in `text` a draft must not pass on silently: one finding per host linked
    to that is not one of `allowed_hosts` (or their subdomains), one per other kind. Cached:
    the facts and sources of a merchant are read again with every message."""
    return list(_scan(text, tuple(sorted(set(allowed_hosts) | PLATFORM_HOSTS))))


def flagged(text: str, allowed_hosts: Iterable[str] = ()) -> bool:
    """Whether `scan` finds anything in `text`."""
    return bool(scan(text, allowed_hosts))


@lru_cache(maxsize=SCAN_CACHE)
def _scan(text: str, hosts: tuple[str, ...]) -> tuple[Finding, ...]:
    if not text:
        return ()
    folded = unicodedata.normalize("NFKC", text).casefold()
    found = [_finding("link", h) for h in hosts_in(folded) if not allowed(h, hosts)]
    views = {"zh": squeeze(folded), "en": spaced(folded)}
    for kind, patterns in (("credentials", (("zh", rules.CREDENTIALS_ZH), ("en", rules.CREDENTIALS_EN))),
                           ("off_platform", (("zh", rules.OFF_PLATFORM_ZH), ("en", rules.OFF_PLATFORM_EN))),
                           ("instruction", (("zh", rules.INSTRUCTION_ZH), ("en", rules.INSTRUCTION_EN)))):
        match = next((m for view, group in patterns for p in group for m in p.finditer(views[view])
                      if kind == "instruction" or not _warning(views[view], m)), None)
        if match is None and kind == "off_platform":
            match = next((m for p in rules.OFF_PLATFORM_ZH_ALWAYS for m in p.finditer(views["zh"])), None)
        if match is not None:
            found.append(_finding(kind, match.group()))
    return tuple(dict.fromkeys(found))


def spaced(folded: str) -> str:
    """The text English rules match on (with word boundaries): dodging marks inside words
    and emoji gone, runs of spaces as one."""
    text = "".join(c for c in folded if unicodedata.category(c) not in _SYMBOLS)
    return _SPACES.sub(" ", _INSIDE_WORD.sub("", text))


def squeeze(folded: str) -> str:
    """The text Chinese rules match on: no spaces, emoji or dodging marks inside words,
    Chinese digit runs as digits ("一三八…" -> "138…")."""
    text = _INVISIBLE.sub("", folded)
    text = _PLUS.sub("加", text)
    text = "".join(c for c in text if unicodedata.category(c) not in _SYMBOLS)
    text = _INSIDE_WORD.sub("", text)
    return _CN_DIGIT_RUN.sub(lambda m: m.group().translate(_CN_DIGIT), text)


def _warning(text: str, match: re.Match) -> bool:
    """A warning to the shopper ("请勿…", "客服不会索要…", "谨防诈骗", "never share…"), not a request:
    a negation in the match's clause before (or in) it, or a scam warning in its sentence."""
    clause_start = max((m.end() for m in rules.CLAUSE_END.finditer(text, 0, match.start())), default=0)
    before = text[clause_start:match.start()]
    sentence_start = max((m.end() for m in rules.SENTENCE_END.finditer(text, 0, match.start())), default=0)
    sentence_end = rules.SENTENCE_END.search(text, match.end())
    sentence = text[sentence_start:sentence_end.start() if sentence_end else len(text)]
    return bool(rules.NEGATION.search(before + match.group()) or rules.NEGATION_RIGHT_BEFORE.search(before)
                or rules.WARNING.search(sentence))


def _finding(kind: Kind, matched: str) -> Finding:
    excerpt = matched[:EXCERPT_CHARS]
    return Finding(kind=kind, excerpt=excerpt, reason=REASONS[kind].format(detail=excerpt))
