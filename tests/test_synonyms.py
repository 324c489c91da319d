"""Shopper words -> the store's words, for retrieval and fact selection: Chinese and English."""
from __future__ import annotations

from knowledge.synonyms import expand


def test_a_shoppers_chinese_word_brings_the_stores_word():
    assert "发货" in expand("啥时候发走啊")
    assert "维修" in expand("用了三天就坏了")


def test_an_english_question_brings_the_chinese_words_the_store_writes():
    glossed = expand("Do you ship to Tibet? Any extra fee?")
    assert {"发货", "西藏", "偏远地区", "运费"} <= set(glossed)
    assert "退货" in expand("Can I return it if it's unopened?") and "未拆封" in expand("it's unopened")


def test_english_words_match_whole_words_and_plurals():
    assert expand("two batteries please") == expand("two battery please") == ["电池"]
    assert expand("I feel the coffee is great") == []      # no "fee" inside "feel" or "coffee"
