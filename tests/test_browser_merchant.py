"""The merchant page in a real Chromium: upload, rejected rows by file/line/field, browse,
delete, search; and each role sees only its own pages."""
from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.live_server import MERCHANT, browser, demo_server, login, page, screenshot  # noqa: F401

GOOD_ROWS = [
    "sku_id,title,category,price,stock,tags,attr:材质,attr:洗涤方式",
    "QH-901,女士真丝衬衫 长袖,衬衫,399,12,通勤|约会,桑蚕丝100%,仅限干洗",
    "QH-902,男士亚麻短裤,短裤,159,30,休闲|度假,亚麻55% 棉45%,30℃以下手洗",
]
BAD_ROW = "QH-903,女士羊绒围巾,围巾,三百九,8,冬季,羊绒100%,干洗"     # price is not a number


def gbk_csv(path, rows):
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    return path


def records(server, key, kind):
    r = httpx.get(f"{server.url}/v1/merchants/{MERCHANT}/{kind}?limit=500", headers={"Authorization": f"Bearer {key}"})
    r.raise_for_status()
    return r.json()


def test_gbk_csv_with_one_bad_row_shows_that_rows_error_and_stores_nothing(demo_server, page, tmp_path):
    merchant = demo_server.key("merchant")
    before = records(demo_server, merchant, "catalog")["total"]
    login(page, demo_server, merchant)
    expect(page.locator("#nav a")).to_have_text(["商家知识库", "顾客模拟"])
    expect(page.locator("[data-testid=record-total]")).to_have_text(f"共 {before} 条")

    bad = gbk_csv(tmp_path / "新品目录.csv", [*GOOD_ROWS, BAD_ROW])
    page.select_option("[data-testid=upload-kind]", "catalog")
    page.set_input_files("[data-testid=upload-files]", str(bad))
    page.click("[data-testid=upload]")

    problems = page.locator("[data-testid=problem]")
    expect(problems).to_have_count(1)
    cells = problems.first.locator("td")
    expect(cells.nth(0)).to_have_text("新品目录.csv")
    expect(cells.nth(1)).to_have_text("4")                 # header is line 1; the bad row is line 4
    expect(cells.nth(2)).to_have_text("price")
    expect(page.locator("[data-testid=upload-result]")).to_contain_text("未入库")
    screenshot(page, "merchant-page.png")
    assert records(demo_server, merchant, "catalog")["total"] == before   # all or nothing

    # fixed file: both rows go in, in GBK, with their Chinese attributes intact
    page.set_input_files("[data-testid=upload-files]", str(gbk_csv(tmp_path / "新品目录.csv", GOOD_ROWS)))
    page.click("[data-testid=upload]")
    expect(page.locator("[data-testid=upload-ok]")).to_contain_text("已导入 2 条")
    expect(page.locator("[data-testid=record-total]")).to_have_text(f"共 {before + 2} 条")
    row = page.locator("[data-testid=record][data-id='QH-901']")
    expect(row).to_contain_text("女士真丝衬衫 长袖")
    expect(row).to_contain_text("¥399")

    # delete takes two clicks
    row.locator("[data-testid=delete]").click()
    expect(row.locator("[data-testid=delete]")).to_have_text("确认删除？")
    row.locator("[data-testid=delete]").click()
    expect(page.locator("[data-testid=record][data-id='QH-901']")).to_have_count(0)
    expect(page.locator("[data-testid=record-total]")).to_have_text(f"共 {before + 1} 条")
    ids = {r["sku_id"] for r in records(demo_server, merchant, "catalog")["items"]}
    assert "QH-901" not in ids and "QH-902" in ids


def test_policies_tab_and_search(demo_server, page):
    merchant = demo_server.key("merchant")
    login(page, demo_server, merchant)
    page.click("[data-testid=tab-policies]")
    expect(page.locator("[data-testid=record]")).to_have_count(len(records(demo_server, merchant, "policies")["items"]))
    page.fill("[data-testid=search-text]", "针织开衫可以机洗吗")
    page.fill("[data-testid=search-sku]", "QH-113")
    page.click("[data-testid=search]")
    expect(page.locator("[data-testid=hit]").first).to_contain_text("QH-113")


def test_each_role_sees_only_its_pages(demo_server, page):
    expected = {"agent": ["坐席工作台", "顾客模拟"], "merchant": ["商家知识库", "顾客模拟"], "trainer": ["训练师评测"],
                "admin": ["坐席工作台", "商家知识库", "训练师评测", "顾客模拟"]}
    for role, pages in expected.items():
        key = demo_server.key(role, merchant=None if role == "admin" else MERCHANT)
        login(page, demo_server, key)
        expect(page.locator("#nav a")).to_have_text(pages)
        page.click("#logout")
        expect(page.locator("#login")).to_be_visible()
    agent = demo_server.key("agent")
    login(page, demo_server, agent, "merchant")                # an agent typing the merchant page's address
    expect(page.locator(".denied")).to_contain_text("无权访问")
    expect(page.locator("[data-testid=upload]")).to_have_count(0)


def test_unknown_key_is_refused(demo_server, page):
    page.goto(demo_server.url)
    page.fill("#api-key", "ck_not-a-key")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("密钥无效")
    expect(page.locator("#nav a")).to_have_count(0)


def test_outfit_slots_are_shown_and_a_merchant_sets_one_and_takes_it_back(demo_server, page):
    merchant = demo_server.key("merchant")
    login(page, demo_server, merchant)
    row = page.locator("[data-testid=slot-row][data-category='帽子']")
    expect(row).to_have_attribute("data-slot", "headwear")
    expect(row.locator("[data-testid=slot-source]")).to_contain_text("自动识别")
    row.locator("[data-testid=slot-pick]").select_option("none")
    expect(row).to_have_attribute("data-slot", "none")
    expect(row.locator("[data-testid=slot-source]")).to_have_text("商家设置")
    got = httpx.get(f"{demo_server.url}/v1/merchants/{MERCHANT}/slots", headers={"Authorization": f"Bearer {merchant}"}).json()
    assert got["settings"] == {"帽子": "none"}
    page.locator("[data-testid=slots-status]").scroll_into_view_if_needed()
    screenshot(page, "merchant-slots.png")
    row.locator("[data-testid=slot-reset]").click()
    expect(row).to_have_attribute("data-slot", "headwear")
    expect(row.locator("[data-testid=slot-source]")).to_contain_text("自动识别")
    got = httpx.get(f"{demo_server.url}/v1/merchants/{MERCHANT}/slots", headers={"Authorization": f"Bearer {merchant}"}).json()
    assert got["settings"] == {}
