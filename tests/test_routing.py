"""Routing: groups by skill and language, least-loaded agents, queues, escalation to seniors,
per-merchant thresholds. Real SQLite ledger and real Chroma in a temp dir; own shops and
sentences (a cosmetics-and-suits shop, a tea shop)."""
from __future__ import annotations

import json

import pytest

from copilot.escalation import DEFAULT_THRESHOLDS, Thresholds
from copilot.language import language_of
from copilot.routing import choose_group

SHOP = "lanfang"       # 兰芳美妆西服
OTHER = "chayuan"      # a tea shop with its own agents

CATALOG = [
    {"sku_id": "LF-LIP-07", "title": "丝绒雾面口红 07 枫叶红", "category": "口红", "price": 129, "stock": 40},
    {"sku_id": "LF-SUIT-2", "title": "羊毛混纺修身西装外套", "category": "西装", "price": 899, "stock": 12},
]
CALM_ZH = "请问这支口红是什么色号，显白吗？"
ANGRY_ZH = "你们再不退款我就去12315投诉！！"


def _catalog_bytes() -> bytes:
    return "\n".join(json.dumps(p, ensure_ascii=False) for p in CATALOG).encode("utf-8")


@pytest.fixture
def shop(parts):
    """The shop: beauty (口红), suits (西装), English desk (en), general (default), seniors."""
    parts.kb.create_merchant(SHOP)
    parts.kb.ingest(SHOP, "sku", [("catalog.jsonl", _catalog_bytes())])
    ledger = parts.ledger
    ledger.put_group(SHOP, id="beauty", name="美妆组", skills=["口红", "眼影"], senior=False, default=False)
    ledger.put_group(SHOP, id="suits", name="西装组", skills=["西装", "衬衫"], senior=False, default=False)
    ledger.put_group(SHOP, id="intl", name="英文组", skills=["en"], senior=False, default=False)
    ledger.put_group(SHOP, id="general", name="综合组", skills=[], senior=False, default=True)
    ledger.put_group(SHOP, id="seniors", name="资深组", skills=["zh", "en"], senior=True, default=False)
    return parts


def _agents(parts, merchant, *specs):
    for agent_id, group, online in specs:
        parts.ledger.put_agent(merchant, id=agent_id, name=agent_id, group=group, online=online)


async def _say(parts, conversation, text, *, merchant=SHOP, sku=None):
    got = await parts.assist.receive(conversation, merchant=merchant, channel="local", shopper="买家",
                               text=text, sku=sku)
    await parts.assist.drain()
    return got


def _events(parts, conversation, type_):
    return [e.body for e in parts.ledger.events_after(conversation, 0) if e.type == type_]


# language -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, language", [
    ("这件西装可以干洗吗？", "zh"),
    ("iPhone 15 有货吗", "zh"),                        # a brand name does not make it English
    ("Can I return the 口红 if the colour is wrong?", "en"),
    ("WHERE IS MY PARCEL", "en"),
    ("😊😊", "zh"),                                    # nothing to judge: the default language
])
def test_language_is_english_when_latin_words_outnumber_chinese_characters(text, language):
    assert language_of(text) == language


# choosing a group ------------------------------------------------------------------------

async def test_a_lipstick_question_goes_to_the_beauty_group(shop):
    _agents(shop, SHOP, ("mei", "beauty", True), ("gen", "general", True))
    await _say(shop, "c-lip", CALM_ZH)
    conv = shop.ledger.get_conversation("c-lip")
    assert (conv.assigned_group, conv.assigned_agent, conv.status) == ("beauty", "mei", "open")
    [routing] = _events(shop, "c-lip", "routing")
    assert routing["to_agent"] == "mei" and routing["from_agent"] is None
    assert any("口红" in r for r in routing["reasons"])


async def test_the_category_of_the_sku_in_view_picks_the_group(shop):
    _agents(shop, SHOP, ("xi", "suits", True), ("gen", "general", True))
    await _say(shop, "c-sku", "这件能机洗吗？", sku="LF-SUIT-2")
    assert shop.ledger.get_conversation("c-sku").assigned_group == "suits"
    [routing] = _events(shop, "c-sku", "routing")
    assert "浏览商品的类目：西装" in routing["reasons"]


async def test_an_unknown_sku_and_no_category_fall_back_to_the_default_group(shop):
    _agents(shop, SHOP, ("gen", "general", True))
    await _say(shop, "c-plain", "在吗？什么时候发货", sku="NO-SUCH-SKU")
    assert shop.ledger.get_conversation("c-plain").assigned_group == "general"


async def test_an_english_message_goes_to_the_english_group(shop):
    _agents(shop, SHOP, ("amy", "intl", True), ("mei", "beauty", True))
    await _say(shop, "c-en", "Hi, does this lipstick come in a darker red?")
    await _say(shop, "c-zh", CALM_ZH)
    assert shop.ledger.get_conversation("c-en").assigned_group == "intl"
    assert shop.ledger.get_conversation("c-zh").assigned_group == "beauty"


def test_language_outranks_category_and_category_outranks_default(shop):
    groups = {g.id: g for g in shop.ledger.groups(SHOP)}
    everyday = [g for g in groups.values() if not g.senior]
    # An English lipstick question: the English desk speaks it, the beauty group does not.
    assert choose_group(everyday, text="Is the 口红 long-lasting and waterproof?",
                        sku_category=None).group.id == "intl"
    # A Chinese eye-shadow question: the beauty group over the default one.
    assert choose_group(everyday, text="眼影盘有几个颜色", sku_category=None).group.id == "beauty"
    assert choose_group(everyday, text="你好", sku_category=None).group.id == "general"
    assert choose_group([], text="你好", sku_category=None) is None


async def test_a_placed_conversation_stays_where_it_is_on_later_messages(shop):
    _agents(shop, SHOP, ("mei", "beauty", True), ("xi", "suits", True))
    await _say(shop, "c-stay", CALM_ZH)
    await _say(shop, "c-stay", "那西装有没有藏青色？")
    conv = shop.ledger.get_conversation("c-stay")
    assert (conv.assigned_group, conv.assigned_agent) == ("beauty", "mei")
    assert len(_events(shop, "c-stay", "routing")) == 1


# choosing an agent ----------------------------------------------------------------------

async def test_the_online_agent_with_fewest_open_conversations_gets_the_next_one(shop):
    _agents(shop, SHOP, ("mei", "beauty", True), ("lan", "beauty", True), ("off", "beauty", False))
    for n in range(3):
        await _say(shop, f"c-load-{n}", CALM_ZH)
    loads = {a.id: a.load for a in shop.ledger.agents(SHOP, group="beauty")}
    assert sorted(loads.values()) == [0, 1, 2] and loads["off"] == 0
    busier = max(loads, key=loads.get)
    # Closing the busier agent's conversations makes it the least loaded.
    for conv in shop.ledger.list_conversations(merchant=SHOP, agent=busier):
        shop.ledger.update_conversation(conv.id, status="closed")
    await _say(shop, "c-load-next", CALM_ZH)
    assert shop.ledger.get_conversation("c-load-next").assigned_agent == busier


async def test_equal_loads_go_to_the_agent_idle_longest(shop):
    _agents(shop, SHOP, ("zz-never", "beauty", True), ("aa-busy", "beauty", True))
    await _say(shop, "c-idle-1", CALM_ZH)
    first = shop.ledger.get_conversation("c-idle-1").assigned_agent
    assert first == "aa-busy"          # neither was ever assigned one: by id
    shop.ledger.update_conversation("c-idle-1", status="closed")
    await _say(shop, "c-idle-2", CALM_ZH)
    # Both hold nothing open now; the one that never had a conversation waited longest.
    assert shop.ledger.get_conversation("c-idle-2").assigned_agent == "zz-never"


# nobody online -------------------------------------------------------------------------

async def test_without_an_online_agent_the_conversation_waits_and_goes_to_the_first_one_online(shop):
    _agents(shop, SHOP, ("mei", "beauty", False), ("xi", "suits", True))
    await _say(shop, "c-wait-1", CALM_ZH)
    await _say(shop, "c-wait-2", "口红会沾杯吗")
    for conv_id in ("c-wait-1", "c-wait-2"):
        conv = shop.ledger.get_conversation(conv_id)
        assert (conv.assigned_group, conv.assigned_agent, conv.status) == ("beauty", None, "open")
        assert _events(shop, conv_id, "routing")[0]["queued"] is True
        assert [m.text for m in shop.ledger.messages(conv_id)]             # the message is kept
    assert shop.ledger.queued(SHOP, "beauty") == ["c-wait-1", "c-wait-2"]

    agent, moves = shop.router.set_online(SHOP, "mei", True, actor="mei")
    assert [m.conversation_id for m in moves] == ["c-wait-1", "c-wait-2"]
    assert agent.online and agent.load == 2
    assert shop.ledger.queued(SHOP, "beauty") == []
    last = _events(shop, "c-wait-1", "routing")[-1]
    assert last["to_agent"] == "mei" and "坐席 mei 上线" in last["reasons"]
    assert shop.ledger.get_conversation("c-wait-2").assigned_agent == "mei"


async def test_going_offline_stops_new_assignments(shop):
    _agents(shop, SHOP, ("mei", "beauty", True), ("lan", "beauty", True))
    shop.router.set_online(SHOP, "mei", False, actor="mei")
    for n in range(2):
        await _say(shop, f"c-off-{n}", CALM_ZH)
    assert {shop.ledger.get_conversation(f"c-off-{n}").assigned_agent for n in range(2)} == {"lan"}


# escalation ----------------------------------------------------------------------------

async def test_escalation_moves_the_conversation_to_a_senior_with_its_reasons(shop, assessor):
    _agents(shop, SHOP, ("mei", "beauty", True), ("boss", "seniors", True))
    await _say(shop, "c-angry", CALM_ZH)
    await _say(shop, "c-angry", ANGRY_ZH)
    conv = shop.ledger.get_conversation("c-angry")
    assert (conv.assigned_group, conv.assigned_agent, conv.status) == ("seniors", "boss", "escalated")

    expected = assessor.assess(ANGRY_ZH, thresholds=DEFAULT_THRESHOLDS).reasons
    first, second = _events(shop, "c-angry", "routing")
    assert first["to_agent"] == "mei"
    assert (second["from_agent"], second["to_agent"], second["group"]) == ("mei", "boss", "seniors")
    assert second["escalated"] is True and second["reasons"] == expected and expected
    [audit] = [a for a in shop.ledger.audit_log("c-angry") if a.action == "conversation.escalate"]
    assert audit.detail["reasons"] == expected and audit.detail["to_agent"] == "boss"

    # Both agents see the move; only the senior holds the conversation now.
    for agent in ("mei", "boss"):
        assert second["move_id"] in [m.id for m in shop.ledger.moves(SHOP, agent=agent, limit=5)]
    assert shop.ledger.agent_queue(SHOP, "mei") == []
    [item] = shop.ledger.agent_queue(SHOP, "boss")
    assert item.escalated and item.unread == 2 and item.last_message == ANGRY_ZH

    # A further angry message does not move it again.
    await _say(shop, "c-angry", "骗子！！我要叫你们主管来")
    assert len(_events(shop, "c-angry", "routing")) == 2


async def test_an_escalation_with_no_senior_online_waits_on_the_senior_group(shop):
    _agents(shop, SHOP, ("mei", "beauty", True), ("boss", "seniors", False))
    await _say(shop, "c-esc-wait", ANGRY_ZH + "口红是假货")
    conv = shop.ledger.get_conversation("c-esc-wait")
    assert (conv.assigned_group, conv.assigned_agent, conv.status) == ("seniors", None, "escalated")
    _, moves = shop.router.set_online(SHOP, "boss", True, actor="boss")
    assert [m.conversation_id for m in moves] == ["c-esc-wait"]
    conv = shop.ledger.get_conversation("c-esc-wait")
    assert (conv.assigned_agent, conv.status) == ("boss", "escalated")


async def test_without_a_senior_group_escalation_keeps_the_agent_and_audits_why(parts):
    parts.kb.create_merchant(OTHER)
    parts.ledger.put_group(OTHER, id="tea", name="茶叶组", skills=["绿茶"], senior=False, default=True)
    _agents(parts, OTHER, ("cha", "tea", True))
    await _say(parts, "c-no-senior", "你们卖的茶叶发霉了，我要去12315投诉！！", merchant=OTHER)
    conv = parts.ledger.get_conversation("c-no-senior")
    assert (conv.assigned_agent, conv.status) == ("cha", "escalated")
    [audit] = [a for a in parts.ledger.audit_log("c-no-senior") if a.action == "conversation.escalate"]
    assert audit.detail["reasons"] and "no senior group" in audit.detail["note"]


# merchants are apart --------------------------------------------------------------------

async def test_an_agent_of_another_merchant_never_receives_a_conversation(shop):
    # The other shop has groups named and skilled like ours, seniors included, all online and idle.
    shop.kb.create_merchant(OTHER)
    for group, senior in (("beauty", False), ("seniors", True)):
        shop.ledger.put_group(OTHER, id=group, name=group, skills=["口红"], senior=senior, default=True)
    _agents(shop, OTHER, ("stranger", "beauty", True), ("stranger-boss", "seniors", True))
    _agents(shop, SHOP, ("mei", "beauty", False), ("boss", "seniors", False))

    await _say(shop, "c-ours-1", CALM_ZH)
    await _say(shop, "c-ours-2", ANGRY_ZH)
    for conv_id in ("c-ours-1", "c-ours-2"):
        assert shop.ledger.get_conversation(conv_id).assigned_agent is None
    for stranger in ("stranger", "stranger-boss"):
        assert shop.ledger.get_agent(OTHER, stranger).load == 0
        assert shop.ledger.agent_queue(OTHER, stranger) == []
        assert shop.ledger.moves(OTHER, agent=stranger, limit=5) == []
    # Our agents coming online take our conversations; the strangers still have none.
    shop.router.set_online(SHOP, "mei", True, actor="mei")
    shop.router.set_online(SHOP, "boss", True, actor="boss")
    assert shop.ledger.get_conversation("c-ours-1").assigned_agent == "mei"
    assert shop.ledger.get_conversation("c-ours-2").assigned_agent == "boss"
    assert all(shop.ledger.get_agent(OTHER, s).load == 0 for s in ("stranger", "stranger-boss"))


# thresholds per merchant ---------------------------------------------------------------

MILD = "怎么还没发货啊，太慢了吧！！"


async def test_thresholds_per_merchant_change_the_decision(shop, assessor):
    mild = assessor.assess(MILD)
    assert 1 <= mild.level < DEFAULT_THRESHOLDS.escalate_level and not mild.escalate   # premise
    shop.kb.create_merchant(OTHER)
    _agents(shop, SHOP, ("gen", "general", True), ("boss", "seniors", True))

    await _say(shop, "c-default", MILD)
    [decision] = _events(shop, "c-default", "escalation")
    assert decision["escalate"] is False
    assert shop.ledger.get_conversation("c-default").status == "open"

    shop.ledger.set_thresholds(SHOP, Thresholds(escalate_level=mild.level), actor="owner")
    await _say(shop, "c-strict", MILD)
    [decision] = _events(shop, "c-strict", "escalation")
    assert decision["escalate"] is True
    conv = shop.ledger.get_conversation("c-strict")
    assert (conv.status, conv.assigned_agent) == ("escalated", "boss")

    # Lower cutoffs raise the level instead; the other merchant keeps the defaults.
    shop.ledger.set_thresholds(SHOP, Thresholds(level_cutoffs=(0.05, 0.1, mild.score)), actor="owner")
    assert shop.router.thresholds(SHOP).level(mild.score) == 3
    await _say(shop, "c-cutoffs", MILD)
    assert _events(shop, "c-cutoffs", "escalation")[0]["level"] == 3
    assert shop.router.thresholds(OTHER) == DEFAULT_THRESHOLDS
    assert [a.action for a in shop.ledger.audit_log(SHOP)].count("escalation.thresholds") == 2


def test_thresholds_survive_a_restart(settings, shop):
    shop.ledger.set_thresholds(SHOP, Thresholds(escalate_level=2, level_cutoffs=(0.2, 0.5, 0.9)), actor="o")
    from copilot.ledger.sqlite import SqliteLedger

    reopened = SqliteLedger(path=settings.data_dir / "ledger.sqlite3")
    try:
        assert reopened.get_thresholds(SHOP) == Thresholds(escalate_level=2, level_cutoffs=(0.2, 0.5, 0.9))
        assert reopened.get_thresholds(OTHER) is None
    finally:
        reopened.close()


# the agent's queue ---------------------------------------------------------------------

async def test_unread_counts_customer_messages_after_the_last_agent_reply(shop):
    _agents(shop, SHOP, ("mei", "beauty", True))
    await _say(shop, "c-unread", CALM_ZH)
    got = await _say(shop, "c-unread", "还有别的色号吗")
    assert shop.ledger.agent_queue(SHOP, "mei")[0].unread == 2
    shop.ledger.approve(got.suggestion.id, agent="mei", final_text="亲，还有豆沙色哦",
                        idempotency_key="approve-unread-1")
    [item] = shop.ledger.agent_queue(SHOP, "mei")
    assert item.unread == 0 and item.last_message == "亲，还有豆沙色哦" and not item.escalated
    await _say(shop, "c-unread", "好的，谢谢")
    assert shop.ledger.agent_queue(SHOP, "mei")[0].unread == 1
