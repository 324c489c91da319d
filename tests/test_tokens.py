"""Token counting, truncation, budgeting and chunking, offline."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from copilot import tokens

POLICY = (
    "# 7天无理由退换货\n\n"
    "亲，本店支持签收后7天内无理由退换货。商品需保持吊牌完好、未经洗涤、不影响二次销售。"
    "西装类商品请保留原包装和防尘袋！定制款、已剪标商品不支持无理由退换。\n\n"
    "退货运费：质量问题由本店承担运费；非质量问题由买家承担寄回运费，本店承担再次发出的运费。"
    "退款将在仓库签收后48小时内原路退回？如超过时间未到账请联系客服。\n"
    "换货请在申请时备注需要更换的尺码和颜色，库存不足时我们会与您沟通。"
)


def test_count_is_positive_and_additive_enough():
    assert tokens.count("") == 0
    one = tokens.count("这款羽绒服可以机洗吗？")
    assert one > 3
    assert tokens.count("这款羽绒服可以机洗吗？" * 4) >= 3 * one


def test_text_with_special_token_markers_is_counted_not_rejected():
    assert tokens.count("<|endoftext|>") > 1


def test_truncate_keeps_a_prefix_within_budget_and_never_splits_a_character():
    text = "亲，羽绒服建议手洗或干洗，不可暴晒。" * 5
    for budget in range(1, 30):
        cut = tokens.truncate(text, budget)
        assert text.startswith(cut)
        assert "\ufffd" not in cut
        assert tokens.count(cut) <= budget
    assert tokens.truncate(text, 10_000) == text
    assert tokens.truncate(text, 0) == ""


def test_fit_counts_the_ranked_prefix_that_fits():
    items = ["一二三四五六七八九十" * 2, "短句。", "短句。"]
    sizes = [tokens.count(i) for i in items]
    assert tokens.fit(items, sum(sizes)) == 3
    assert tokens.fit(items, sum(sizes) - 1) == 2
    assert tokens.fit(items, sizes[0]) == 1
    assert tokens.fit(items, sizes[0] - 1) == 0  # a short later item is not pulled forward
    assert tokens.fit([], 5) == 0


def test_chunk_respects_the_budget_and_prefers_sentence_ends():
    pieces = tokens.chunk(POLICY, max_tokens=60)
    assert len(pieces) > 2
    assert all(tokens.count(p) <= 60 for p in pieces)
    assert all(p.endswith(("。", "！", "？", "退换货")) for p in pieces[:-1])
    # Nothing lost, nothing reordered.
    assert "".join(pieces).replace("\n", "") == POLICY.replace("\n", "")


def test_chunk_overlap_repeats_the_last_sentence():
    pieces = tokens.chunk(POLICY, max_tokens=60, overlap=30)
    plain = tokens.chunk(POLICY, max_tokens=60)
    assert len(pieces) >= len(plain)
    assert all(tokens.count(p) <= 60 for p in pieces)
    repeated = [a for a, b in zip(pieces, pieces[1:]) if b.split("。")[0] in a]
    assert repeated, pieces


def test_chunk_cuts_an_overlong_sentence_between_characters():
    sentence = "这是一个没有任何句号的超长句子" * 20
    pieces = tokens.chunk(sentence, max_tokens=25)
    assert len(pieces) > 3
    assert "".join(pieces) == sentence
    assert all(tokens.count(p) <= 25 and "\ufffd" not in p for p in pieces)


def test_chunk_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_tokens"):
        tokens.chunk("亲", max_tokens=0)
    with pytest.raises(ValueError, match="overlap"):
        tokens.chunk("亲", max_tokens=10, overlap=10)
    assert tokens.chunk("  \n\n ", max_tokens=10) == []


def test_counts_with_an_empty_cache_and_no_network(tmp_path: Path):
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network is off in this test")

        socket.socket.connect = refuse
        socket.create_connection = refuse

        from copilot import tokens
        print(tokens.count("亲，在的"))
        """
    )
    cache_dir = tmp_path / "tiktoken-cache"
    cache_dir.mkdir()
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == tokens.count("亲，在的")
