"""The promise check: a draft may not say an action was done that the system did not do."""
from __future__ import annotations

import pytest

from copilot.drafting.promises import check


@pytest.mark.parametrize("draft, claim", [
    ("亲，已经帮您记录，稍后由同事为您确认哦~", "已经帮您记录"),
    ("亲，已为您申请退款，请留意到账~", "已为您申请"),
    ("亲，已经为您安排补发了哦", "已经为您安排补发"),
    ("亲，已经请资深同事跟进处理，请稍等", "已经请资深同事"),
    ("亲，这边已经给您修改好地址了", "这边已经给您修改"),
    ("Hi, I have refunded your order.", "I have refunded"),
    ("Your replacement has been shipped today.", "has been shipped"),
])
def test_a_claimed_action_is_flagged(draft, claim):
    report = check(draft)
    assert not report.ok and any(claim in u or u in claim for u in report.unkept), report.unkept


@pytest.mark.parametrize("draft", [
    "亲，这个问题我跟同事核实后马上回复您哦~",
    "亲，这边马上为您转交资深同事跟进处理，请您稍等哦~",
    "亲，已修改裤长的裤子不支持无理由退换哦~",          # describes the goods, claims nothing
    "亲，仓库签收后48小时内原路退款，1-3个工作日到账哦~",   # a policy, not a claim
    "Hi! I'll check with my colleagues and get back to you shortly.",
])
def test_promises_of_the_future_and_descriptions_pass(draft):
    assert check(draft).ok


def test_an_action_the_system_did_is_not_flagged():
    draft = "亲，已经为您转接资深同事，请稍等~"
    assert not check(draft).ok
    assert check(draft, done={"escalate"}).ok
