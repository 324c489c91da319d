"""The lexical side of retrieval: BM25 (bm25s) over Chinese-aware terms.

Terms are jieba's search-mode words plus CJK character bigrams, so that colloquial
and typo-ridden messages ("能机洗不", which jieba cuts as 能机/洗/不) still share
terms ("机洗") with the catalog; Latin words and numbers are lower-cased words.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import bm25s
import jieba

_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?%?")
# Function words that carry no meaning for matching; short on purpose.
STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 哦 嘛 么 是 我 你 他 她 它 我们 你们 这 那 这个 那个 这款 那款 这件 "
    "有 在 和 与 也 都 就 还 又 要 会 能 可以 一下 请问 亲 怎么 什么 多少 一个 不 没 没有 "
    "好 想 给 把 被 让 呃 嗯 哈 哈哈 the a an is are to of and or for in on it this that i you "
    "can do does my me".split()
)


# A bigram with one of these characters is grammar, not content ("的吗", "是纯"): it is left out.
FUNCTION_CHARS = frozenset("的了吗呢啊吧呀哦嘛么是这那个我你他她它们也都就还又在和与很")


@cache
def _jieba_ready() -> bool:
    jieba.setLogLevel(60)
    jieba.initialize()
    return True


def terms(text: str) -> list[str]:
    """The matching terms of a text (document or query)."""
    _jieba_ready()
    text = text.lower()
    out = [w for w in jieba.lcut_for_search(text) if w.strip() and w not in STOPWORDS
           and (_CJK.fullmatch(w) or _WORD.fullmatch(w))]
    for run in _CJK.findall(text):
        out.extend(bigram for bigram in (run[i : i + 2] for i in range(len(run) - 1))
                   if not FUNCTION_CHARS.intersection(bigram))
    return out


class LexicalIndex:
    """BM25 over one merchant's entries; rebuilt whole when the entries change."""

    def __init__(self, *, ids: Sequence[str], term_lists: Sequence[Sequence[str]]) -> None:
        self.ids = list(ids)
        self._position = {entry: i for i, entry in enumerate(self.ids)}
        self._bm25 = bm25s.BM25()
        if self.ids:
            self._bm25.index([list(t) or ["∅"] for t in term_lists], show_progress=False)

    def search(self, query_terms: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(entry id, BM25 score) for the best `k` entries that share a term with the query."""
        if not self.ids or not query_terms:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._bm25.retrieve([list(query_terms)], k=k, show_progress=False,
                                           n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def score_of(self, query_terms: Sequence[str], entry_ids: Sequence[str]) -> dict[str, float]:
        """BM25 scores of given entries (for context entries outside the top k)."""
        if not self.ids or not query_terms:
            return {}
        positions = [self._position[e] for e in entry_ids if e in self._position]
        if not positions:
            return {}
        all_scores = self._bm25.get_scores(list(query_terms))
        return {self.ids[i]: float(all_scores[i]) for i in positions}


def max_normalise(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values(), default=0.0)
    return {k: v / top for k, v in scores.items()} if top > 0 else dict.fromkeys(scores, 0.0)

