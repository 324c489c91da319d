"""The language a shopper writes in: what routing and the drafter's frame both go by."""
from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
DEFAULT_LANGUAGE: Language = "zh"

_LATIN_WORD = re.compile(r"[A-Za-z]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def language_of(text: str) -> Language:
    """`en` when the message has more Latin words than Chinese characters (a character
    carries about a word: "iPhone 15 有货吗" is Chinese, "Does the 口红 come in red?" is
    English); otherwise `zh`."""
    return "en" if len(_LATIN_WORD.findall(text)) > len(_HAN.findall(text)) else DEFAULT_LANGUAGE
