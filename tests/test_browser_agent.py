"""The agent screen in a real Chromium against a real server with the demo merchant."""
from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

from tests.live_server import MERCHANT, browser, demo_server, login, page, screenshot, send_messages  # noqa: F401

WASHING = "你好，这件针织开衫可以放洗衣机洗吗？平时要怎么洗才不变形？"
STYLING = "这条碎花裙子周末约会穿，怎么搭好看？"
ANGRY = ("我都下单五天了还没发货！！你们说72小时内发货是骗人的吧？今天不给我解决我就打12315投诉，"
         "再给你们一个差评！")


def conversation(server, key, conversation_id):
    r = httpx.get(f"{server.url}/v1/conversations/{conversation_id}", headers={"Authorization": f"Bearer {key}"})
    r.raise_for_status()
    return r.json()


def wait_until(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def open_conversation(page, conversation_id):
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:{conversation_id}']").click()
    expect(page.locator(".conv-title")).to_contain_text(conversation_id)


def test_message_streams_in_agent_edits_approves_and_sees_delivery(demo_server, page, tmp_path):
    agent = demo_server.key("agent", label="小青")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-wash", "sku": "QH-113", "text": WASHING}], tmp_path)

    item = page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-wash']")
    expect(item).to_be_visible()                       # the queue hears it on the agent's stream
    expect(item).to_have_attribute("data-unread", "1")
    open_conversation(page, "b-wash")
    expect(item).to_have_attribute("data-unread", "0")
    expect(page.locator("[data-testid=msg-customer]")).to_contain_text("针织开衫")

    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")
    done = conversation(demo_server, agent, "b-wash")["suggestions"][-1]
    draft = page.locator("[data-testid=draft-text]")
    assert draft.inner_text() == done["draft_text"]
    expect(draft).to_contain_text("不可机洗")
    expect(page.locator("[data-testid=grounding]")).to_contain_text("数字均有来源")

    # cited sources: the SKU opens with its attributes
    cited = page.locator("[data-testid=source][data-id='QH-113']")
    expect(cited).to_contain_text("已引用")
    cited.click()
    expect(page.locator("[data-testid=sku-attributes]")).to_contain_text("洗涤方式")
    expect(page.locator("[data-testid=sku-attributes]")).to_contain_text("不可悬挂晾晒")
    screenshot(page, "agent-screen.png")

    # E edits, Ctrl+Enter approves the edited text
    page.locator("body").press("e")
    box = page.locator("[data-testid=edit-text]")
    expect(box).to_have_value(done["draft_text"])
    edited = "亲，这款针织开衫不可机洗哦，请30℃以下冷水手洗、平铺阴干~"
    box.fill(edited)
    box.press("Control+Enter")

    agent_bubble = page.locator("[data-testid=msg-agent]")
    expect(agent_bubble).to_contain_text(edited)
    expect(agent_bubble.locator("[data-testid=delivery]")).to_contain_text("已送达", timeout=20_000)
    expect(page.locator("[data-testid=draft-state]")).to_have_text("已批准")
    expect(page.locator("[data-testid=approve]")).to_have_count(0)

    conv = conversation(demo_server, agent, "b-wash")
    assert [d["text"] for d in conv["deliveries"]] == [edited]     # exactly once, the edited text
    assert conv["suggestions"][-1]["status"] == "approved"


def test_reject_with_reason_by_keyboard(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-reject", "sku": None,
                                        "text": "衣服收到了但是不太喜欢，已经试穿过了，还能退吗？"}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-reject']").wait_for()
    open_conversation(page, "b-reject")
    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")
    page.locator("body").press("r")
    reason = page.locator("[data-testid=reject-reason]")
    reason.fill("需要先确认订单是否剪了吊牌")
    reason.press("Enter")
    expect(page.locator("[data-testid=draft-state]")).to_have_text("已拒绝")
    conv = conversation(demo_server, agent, "b-reject")
    assert conv["suggestions"][-1]["status"] == "rejected"
    assert conv["deliveries"] == []


def test_angry_message_raises_the_banner_with_reasons(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-angry", "sku": None, "text": ANGRY}], tmp_path)
    item = page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-angry']")
    expect(item).to_have_attribute("data-status", "escalated")
    expect(item).to_contain_text("升级")
    open_conversation(page, "b-angry")
    banner = page.locator("[data-testid=escalation-banner]")
    expect(banner).to_contain_text("需升级处理")
    expect(banner).to_contain_text("威胁打12315")          # reasons in the message's language
    screenshot(page, "agent-escalation.png")


def test_calm_message_shows_no_banner(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-calm", "sku": "QH-121",
                                        "text": "这条牛仔裤有几个颜色？"}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-calm']").wait_for()
    open_conversation(page, "b-calm")
    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")
    expect(page.locator("[data-testid=escalation-banner]")).to_have_count(0)


def test_styling_question_shows_three_outfit_cards(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-style", "sku": "QH-101", "text": STYLING}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-style']").wait_for()
    open_conversation(page, "b-style")
    cards = page.locator("[data-testid=outfit-card]")
    expect(cards).to_have_count(3)
    catalog = {p.sku_id: p for p in demo_server.parts.kb.products(MERCHANT)}
    for card in cards.all():
        titles = card.locator(".item-title").all_inner_texts()
        assert titles, "an outfit card lists its items"
        for title in titles:
            product = next(p for p in catalog.values() if p.title == title)
            assert product.stock > 0
            expect(card).to_contain_text(f"¥{int(product.price)}")
        # the total counts the anchor, so the card lists it too
        expect(card.locator(".anchor-title")).to_contain_text("本品 · ")
    expect(cards.first).to_contain_text(re.compile(r"合计 ¥\d+"))
    screenshot(page, "agent-outfits.png")


def test_j_and_k_move_between_conversations(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    send_messages(demo_server, agent, [
        {"delay_s": 0, "conversation": "b-nav-1", "sku": None, "text": "什么时候发货？"},
        {"delay_s": 0, "conversation": "b-nav-2", "sku": None, "text": "可以开发票吗？"}], tmp_path)
    for cid in ("b-nav-1", "b-nav-2"):                 # drafts done: the queue order is settled
        wait_until(lambda cid=cid: conversation(demo_server, agent, cid)["suggestions"][-1]["draft_text"])
    listed = httpx.get(f"{demo_server.url}/v1/conversations?merchant={MERCHANT}", headers={"Authorization": f"Bearer {agent}"}).json()
    login(page, demo_server, agent)
    expect(page.locator("[data-testid=queue-item]")).to_have_count(len(listed))
    ids = page.locator("[data-testid=queue-item]").evaluate_all("els => els.map(e => e.dataset.id)")
    assert ids[0] in {c["id"] for c in listed if c["status"] == "escalated"} or not any(
        c["status"] == "escalated" for c in listed)      # escalated conversations come first
    page.locator("body").press("j")
    expect(page.locator(".conv-title")).to_have_attribute("data-id", ids[0])
    # Each move is checked against the order shown at the moment of the key press: the queue
    # refreshes in the background, so an order read earlier may be stale.
    # A refresh may land between reading the order and the key press: the move is right when it
    # goes to the neighbour in the order shown before the press or in the one shown after it.
    def order() -> list[str]:
        return page.locator("[data-testid=queue-item]").evaluate_all("els => els.map(e => e.dataset.id)")

    for key, step in (("j", 1), ("k", -1)):
        before = order()
        current = page.locator(".conv-title").get_attribute("data-id")
        page.locator("body").press(key)
        after = order()
        neighbours = {o[o.index(current) + step] for o in (before, after)
                      if current in o and 0 <= o.index(current) + step < len(o)}
        assert neighbours
        expect(page.locator(".conv-title")).to_have_attribute(
            "data-id", re.compile("|".join(re.escape(n) for n in sorted(neighbours))))


# Messages whose e5 vectors are under feedback.NEAR (0.9) from every other message of this module,
# so what the agent teaches here changes no other test's assessment.
HATS = "帽子有儿童款吗"                                                   # a product question: calm
DOWN_JACKET = "这件羽绒服钻毛钻得满身都是，必须退一赔三，不然我找媒体曝光"   # demands and a threat: escalated


def test_should_have_escalated_is_recorded_and_escalates_the_next_such_message(demo_server, page, tmp_path):
    agent = demo_server.key("agent", label="小青")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-mark-up", "sku": None, "text": HATS}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-mark-up']").wait_for()
    open_conversation(page, "b-mark-up")
    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")
    expect(page.locator("[data-testid=calm-banner]")).to_contain_text("情绪：平静")
    expect(page.locator("[data-testid=escalation-banner]")).to_have_count(0)

    page.locator("[data-testid=mark-escalate]").click()
    result = page.locator("[data-testid=mark-result]")
    expect(result).to_contain_text("已记录：本店相似消息今后判为需升级，会升级处理")
    expect(result).to_contain_text("小青")
    expect(page.locator("[data-testid=mark-escalate]")).to_be_disabled()
    expect(page.locator("[data-testid=mark-calm]")).to_be_disabled()
    [label] = [x for x in demo_server.parts.ledger.escalation_labels(MERCHANT) if x.message == HATS]
    assert (label.verdict, label.level, label.source, label.actor) == ("escalate", 3, "agent", "小青")
    screenshot(page, "agent-escalation-mark.png")

    # the next shopper who writes it is escalated, the shop's label among the reasons
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-mark-up-2", "sku": None, "text": HATS}], tmp_path)
    item = page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-mark-up-2']")
    expect(item).to_have_attribute("data-status", "escalated")
    open_conversation(page, "b-mark-up-2")
    banner = page.locator("[data-testid=escalation-banner]")
    expect(banner).to_contain_text("需升级处理")
    expect(banner.locator("li")).to_contain_text([HATS])
    expect(banner.locator("[data-testid=mark-escalate]")).to_be_enabled()     # a new message, not marked yet

    # the mark is on the conversation's stream: it is still shown after the page is reloaded
    page.reload()
    page.wait_for_selector("#nav a")
    open_conversation(page, "b-mark-up")
    expect(page.locator("[data-testid=mark-result]")).to_contain_text("判为需升级")
    expect(page.locator("[data-testid=mark-escalate]")).to_be_disabled()


def test_a_false_alarm_is_recorded_and_the_message_no_longer_escalates(demo_server, page, tmp_path):
    agent = demo_server.key("agent")
    login(page, demo_server, agent)
    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-mark-calm", "sku": None, "text": DOWN_JACKET}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-mark-calm']").wait_for()
    open_conversation(page, "b-mark-calm")
    banner = page.locator("[data-testid=escalation-banner]")
    expect(banner).to_contain_text("需升级处理")

    banner.locator("[data-testid=mark-calm]").click()
    expect(page.locator("[data-testid=mark-result]")).to_contain_text("已记录：本店相似消息今后判为愤怒，不会升级")
    expect(page.locator("[data-testid=mark-calm]")).to_be_disabled()
    expect(page.locator("[data-testid=mark-escalate]")).to_be_disabled()

    send_messages(demo_server, agent, [{"delay_s": 0, "conversation": "b-mark-calm-2", "sku": None, "text": DOWN_JACKET}], tmp_path)
    page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:b-mark-calm-2']").wait_for()
    open_conversation(page, "b-mark-calm-2")
    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")
    expect(page.locator("[data-testid=mood-banner]")).to_contain_text(DOWN_JACKET[:10])   # the shop's label, a reason
    expect(page.locator("[data-testid=escalation-banner]")).to_have_count(0)
    assert conversation(demo_server, agent, "b-mark-calm-2")["status"] != "escalated"
