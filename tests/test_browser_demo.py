"""The demo for a newcomer, in Chromium: the shopper simulator plays when the first agent logs
in and again on the button; on the shopper page a person chats as a shopper with a product
page open, and sees the agent's reply once it is delivered."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.live_server import MERCHANT, browser, login, page, screenshot, start_server  # noqa: F401

SCRIPT = [{"delay_s": 0, "conversation": "demo-a", "sku": "QH-113", "text": "这件针织开衫可以机洗吗？"},
          {"delay_s": 0, "conversation": "demo-b", "sku": None, "text": "几天能发货？"}]


@pytest.fixture(scope="module")
def demo_player_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    script = folder / "shopper.jsonl"
    script.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in SCRIPT), encoding="utf-8")
    server = start_server(folder / "data", demo_merchant=MERCHANT, demo_messages=script, demo_speed=0)
    yield server
    server.stop()


def row(page, conversation: str):
    return page.locator(f"[data-testid=queue-item][data-id='{MERCHANT}:{conversation}']")


def test_the_simulator_plays_at_the_first_agent_login_and_again_on_the_button(demo_player_server, page):
    login(page, demo_player_server, demo_player_server.key("agent", label="新同事"))
    expect(row(page, "demo-a")).to_be_visible()
    expect(row(page, "demo-b")).to_be_visible()
    button = page.locator("[data-testid=demo-play]")
    expect(button).to_have_text("↻ 重新播放演示对话")
    button.click()
    expect(row(page, "demo-a-2")).to_be_visible()
    expect(row(page, "demo-b-2")).to_be_visible()
    page.reload()                                  # a later login does not play it again
    expect(row(page, "demo-b-2")).to_be_visible()
    expect(page.locator("[data-testid=queue-item]")).to_have_count(4)


def test_a_person_chats_as_a_shopper_and_sees_the_reply_once_delivered(demo_player_server, page, browser):
    agent = demo_player_server.key("agent", label="小王")
    shop_context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    try:
        shop = shop_context.new_page()
        login(shop, demo_player_server, demo_player_server.key("agent", label="扮演顾客"), "shop")
        shop.locator("[data-testid=shop-product]").select_option("QH-113")
        expect(shop.locator("[data-testid=product-page]")).to_contain_text("¥")
        shop.locator("[data-testid=shop-name]").fill("李先生")
        shop.locator("[data-testid=shop-input]").fill("这件开衫会起球吗？")
        shop.locator("[data-testid=shop-send]").click()
        expect(shop.locator("[data-testid=shop-customer]")).to_have_text("我这件开衫会起球吗？")

        login(page, demo_player_server, agent)
        item = page.locator("[data-testid=queue-item]").filter(has_text="李先生")
        item.click()
        expect(page.locator("[data-testid=msg-customer]").first).to_contain_text("起球")
        box = page.locator("[data-testid=reply-box]")
        box.fill("李先生您好，这款开衫是羊毛混纺，轻微起球属正常，可以用去球器打理哦")
        page.locator("[data-testid=send-reply]").click()
        reply = shop.locator("[data-testid=shop-agent]")
        expect(reply).to_contain_text("去球器")
        expect(reply).to_have_count(1)
        screenshot(shop, "shopper-page.png")
    finally:
        shop_context.close()
