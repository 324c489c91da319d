"""The agent's workspace in a real Chromium against a real server with the demo merchant:
thirty live conversations on one stream, a reply written by hand, quick replies, a note, a
transfer whose brief the receiving agent reads, resolve and reopen."""
from __future__ import annotations

import time

import httpx
from playwright.sync_api import expect

from tests.live_server import MERCHANT, browser, demo_server, login, page, screenshot  # noqa: F401

LIVE = 30
SCREEN = {"width": 1280, "height": 720}      # the screenshots must read well at this size


def post(server, key: str, path: str, body: dict, **headers) -> dict:
    r = httpx.post(f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {key}", **headers})
    assert r.status_code < 300, r.text
    return r.json()


def say(server, key: str, conversation: str, text: str, *, shopper: str = "顾客", sku: str | None = None) -> None:
    post(server, key, f"/v1/conversations/{conversation}/messages",
         {"merchant": MERCHANT, "text": text, "shopper": shopper, "sku": sku})


def row(page, conversation: str):
    return page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:{conversation}']")


def test_thirty_live_conversations_reach_the_queue_on_one_stream_without_polling(demo_server, page):
    merchant = demo_server.key("merchant")
    agent = demo_server.key("agent", label="小王")
    httpx.put(f"{demo_server.url}/v1/merchants/{MERCHANT}/wait-limits", json={"amber_s": 2, "red_s": 4},
              headers={"Authorization": f"Bearer {merchant}"}).raise_for_status()
    requests: list[str] = []
    page.set_viewport_size(SCREEN)
    page.on("request", lambda r: requests.append(r.url))
    login(page, demo_server, agent)
    expect(page.locator("[data-testid=link-state]")).to_have_attribute("data-state", "open")
    expect(page.locator("[data-testid=queue]")).to_have_attribute("data-ready", "1")
    loaded = len(requests)

    shown_after = []
    for n in range(LIVE):
        sent = time.monotonic()
        say(demo_server, merchant, f"live-{n}", f"第{n}号顾客：这件衬衫有M码吗", shopper=f"顾客{n}")
        expect(row(page, f"live-{n}")).to_be_visible()
        shown_after.append(time.monotonic() - sent)
    for n in range(LIVE):
        expect(row(page, f"live-{n}").locator("[data-testid=preview]")).to_contain_text(f"第{n}号顾客")
    say(demo_server, merchant, "live-3", "还有白色吗", shopper="顾客3")
    third = row(page, "live-3")
    expect(third.locator("[data-testid=preview]")).to_have_text("还有白色吗")
    expect(third.locator("[data-testid=unread]")).to_have_text("2")
    expect(page).to_have_title("(31) 智能客服助手")
    expect(third.locator("[data-testid=waiting]")).to_have_attribute("data-level", "red", timeout=20_000)
    screenshot(page, "agent-queue.png")

    later = [u for u in requests[loaded:] if not u.endswith("/favicon.ico")]    # the browser's own
    assert later == [], f"the page asked the server for something while only listening: {later}"
    streams = [u for u in requests if "/v1/stream" in u]
    assert len(streams) == 1 and not any("/conversations/" in u and u.endswith("/stream") for u in requests)
    assert not any(agent in u or "api_key" in u for u in requests), "an API key in a URL"
    print(f"queue row shown after posting: max {max(shown_after):.2f}s, mean {sum(shown_after) / LIVE:.2f}s")


def test_a_reply_by_hand_a_note_and_a_transfer_whose_brief_the_colleague_reads(demo_server, page, browser):
    merchant = demo_server.key("merchant")
    for group, senior in (("front", False), ("senior", True)):
        post(demo_server, merchant, f"/v1/merchants/{MERCHANT}/groups",
             {"id": group, "name": "售前组" if not senior else "资深组", "senior": senior, "default": not senior})
    post(demo_server, merchant, f"/v1/merchants/{MERCHANT}/agents", {"id": "老李", "group": "senior", "online": True})
    wang = demo_server.key("agent", label="小王")
    li = demo_server.key("agent", label="老李")
    requests: list[str] = []
    page.set_viewport_size(SCREEN)
    page.on("request", lambda r: requests.append(r.url))
    login(page, demo_server, wang)
    say(demo_server, merchant, "hand", "你好在吗？这件针织开衫什么时候能发货", shopper="王女士", sku="QH-113")
    row(page, "hand").click()
    expect(page.locator("[data-testid=draft-state]")).to_have_text("待审核")

    # the suggestion into the box (all of it, then only the part the agent selects), then the
    # agent's own words instead
    page.locator("[data-testid=insert-suggestion]").click()
    box = page.locator("[data-testid=reply-box]")
    draft = page.locator("[data-testid=draft-text]").inner_text()
    expect(box).to_have_value(draft)
    box.fill("")
    part = page.evaluate("""() => {
        const text = document.querySelector("[data-testid=draft-text]").firstChild;
        window.getSelection().setBaseAndExtent(text, 2, text, 8);
        return window.getSelection().toString();
    }""")
    assert len(part) == 6 and part in draft
    page.locator("[data-testid=insert-suggestion]").click()
    expect(box).to_have_value(part)
    page.locator("[data-testid=quick-search]").fill("发货")
    quick = page.locator("[data-testid=quick-reply]")
    expect(quick.first).to_be_visible()
    box.fill("")
    quick.first.click()
    answer = box.input_value()
    assert answer, "the quick reply went into the box"
    own = "王女士您好，在的！" + answer
    box.fill(own)
    screenshot(page, "agent-reply-box.png")
    box.press("Control+Enter")
    mine = page.locator("[data-testid=msg-agent]").filter(has_text="王女士您好")
    expect(mine.locator("[data-testid=delivery]")).to_contain_text("已送达", timeout=20_000)
    conv = httpx.get(f"{demo_server.url}/v1/conversations/hand", headers={"Authorization": f"Bearer {wang}"}).json()
    assert [d["text"] for d in conv["deliveries"]] == [own]            # once, the agent's words

    # a note, then the transfer to the senior group with a note for the colleague
    page.locator("[data-testid=note-text]").fill("顾客着急要货，已查过库存")
    page.locator("[data-testid=add-note]").click()
    expect(page.locator(".bubble.note")).to_contain_text("顾客着急要货")
    say(demo_server, merchant, "hand", "能开增值税专用发票吗？", shopper="王女士")
    expect(page.locator("[data-testid=msg-customer]").last).to_contain_text("增值税专用发票")
    page.locator("[data-testid=open-transfer]").click()
    page.locator("[data-testid=transfer-group]").select_option("senior")
    page.locator("[data-testid=transfer-note]").fill("专票我这边开不了，请帮忙处理")
    page.locator("[data-testid=confirm-transfer]").click()
    expect(page.locator("[data-testid=status]")).to_contain_text("已转交给 老李")
    assert not any(wang in u or "api_key" in u for u in requests), "an API key in a URL"

    # the colleague: the conversation in the queue, the brief on top
    other = browser.new_context(viewport=SCREEN, locale="zh-CN")
    try:
        colleague = other.new_page()
        login(colleague, demo_server, li)
        colleague.locator("[data-testid=queue-scope] button[data-scope=mine]").click()
        row(colleague, "hand").click()
        brief = colleague.locator("[data-testid=handoff-brief]")
        expect(brief).to_contain_text("专票我这边开不了")
        expect(brief).to_contain_text("能开增值税专用发票吗")          # still open
        expect(brief).to_contain_text("王女士您好")                   # answered
        expect(brief).to_contain_text("针织开衫")                     # the product, with its price
        expect(colleague.locator("[data-testid=context-products]")).to_contain_text("¥")
        screenshot(colleague, "agent-handoff.png")

        colleague.locator("[data-testid=resolve]").click()
        expect(colleague.locator("[data-testid=conv-status]")).to_have_text("已解决")
        expect(row(colleague, "hand")).to_have_count(0)
        colleague.locator("[data-testid=queue-scope] button[data-scope=closed]").click()
        expect(row(colleague, "hand")).to_be_visible()
        colleague.locator("[data-testid=reopen]").click()
        expect(colleague.locator("[data-testid=conv-status]")).to_have_text("进行中")
    finally:
        other.close()


def test_the_api_docs_render_with_nothing_from_another_host(demo_server, page):
    elsewhere: list[str] = []

    def only_this_server(route):
        if route.request.url.startswith(demo_server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{demo_server.url}/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").filter(has_text="/v1/stream").first).to_be_visible()
    assert elsewhere == []
