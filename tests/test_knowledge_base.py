"""The knowledge store on real Chroma: all-or-nothing uploads, replace, delete, tenancy."""
from __future__ import annotations

import json

import pytest

from copilot.errors import NotFound, UnknownMerchant, UploadRejected

SKU = {"sku_id": "TEA-01", "title": "明前龙井 特级 250克 礼盒装", "category": "绿茶", "price": 368,
       "stock": 12, "attributes": {"产地": "杭州西湖", "保质期": "18个月", "冲泡水温": "80℃左右"},
       "tags": ["送礼", "春茶"]}


def jsonl(*rows: dict) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def snapshot(kb, merchant: str) -> dict:
    ids, metas = kb.index.all_metadata(merchant)
    return dict(sorted(zip(ids, (m["record"] for m in metas))))


@pytest.fixture
def tea(kb):
    kb.create_merchant("tea-shop", name="山间茶舍")
    kb.ingest("tea-shop", "sku", [("catalog.jsonl", jsonl(
        SKU, SKU | {"sku_id": "TEA-02", "title": "正山小种 红茶 罐装 100克", "category": "红茶",
                    "price": 128, "stock": 0, "attributes": {"冲泡水温": "95℃"}}))])
    kb.ingest("tea-shop", "policy", [("returns.md", (
        "---\npolicy_id: returns\ntitle: 退换货\n---\n# 退换货\n\n食品类商品拆封后不支持无理由退货；"
        "未拆封商品签收后7天内可退，寄回运费买家承担。\n").encode())])
    kb.ingest("tea-shop", "faq", [("faqs.csv", (
        "question,answer,tags,faq_id\n茶叶怎么保存,亲，请密封后放冰箱冷藏，避光防潮哦~,保存,F1\n").encode())])
    return kb


def test_ingest_reports_and_reads_back(tea):
    assert tea.counts("tea-shop") == {"sku": 2, "policy": 1, "faq": 1}
    product = tea.get("tea-shop", "sku", "TEA-01")
    assert product.attributes["产地"] == "杭州西湖" and str(product.price) == "368"
    assert [r.id for r in tea.records("tea-shop", "sku")] == ["TEA-01", "TEA-02"]


def test_reupload_unchanged_embeds_nothing_and_changed_title_reembeds(tea):
    again = tea.ingest("tea-shop", "sku", [("c.jsonl", jsonl(SKU))])
    assert (again.replaced, again.new, again.embedded) == (1, 0, 0)
    restocked = tea.ingest("tea-shop", "sku", [("c.jsonl", jsonl(SKU | {"stock": 0}))])
    assert restocked.embedded == 0 and tea.get("tea-shop", "sku", "TEA-01").stock == 0
    renamed = tea.ingest("tea-shop", "sku", [("c.jsonl", jsonl(SKU | {"title": "明前龙井 一级"}))])
    assert renamed.embedded == 1 and tea.get("tea-shop", "sku", "TEA-01").title == "明前龙井 一级"


def test_shorter_policy_drops_its_old_chunks(tea):
    long_body = "\n\n".join(f"第{i}条：未拆封的茶叶可以在签收后七天内申请退货，需保证包装完好。" * 3
                            for i in range(1, 30))
    first = tea.ingest("tea-shop", "policy", [("p.jsonl", jsonl(
        {"policy_id": "returns", "title": "退换货", "body": long_body}))])
    assert first.embedded > 2
    second = tea.ingest("tea-shop", "policy", [("p.jsonl", jsonl(
        {"policy_id": "returns", "title": "退换货", "body": "拆封后不退。"}))])
    assert second.removed_chunks == first.embedded - 1
    chunks = [e for e in snapshot(tea, "tea-shop") if e.startswith("policy:returns#")]
    assert chunks == ["policy:returns#0"]


def test_delete_removes_and_unknown_id_changes_nothing(tea):
    before = snapshot(tea, "tea-shop")
    with pytest.raises(NotFound):
        tea.delete("tea-shop", "sku", ["TEA-01", "NOPE-9"])
    assert snapshot(tea, "tea-shop") == before
    assert tea.delete("tea-shop", "sku", ["TEA-02"]) == 1
    with pytest.raises(NotFound):
        tea.get("tea-shop", "sku", "TEA-02")


BAD_UPLOADS = {
    "wrong encoding": ("sku", "c.csv", b"sku_id,title,category,price,stock\nA-1,\xff\xfe\xfa\xfb,x,1,1\n"),
    "missing column": ("sku", "c.csv", "sku_id,title,price,stock\nA-1,绿茶,10,1\n".encode()),
    "bad price": ("sku", "c.jsonl", jsonl(SKU | {"sku_id": "A-1", "price": "很贵"})),
    "negative price": ("sku", "c.jsonl", jsonl(SKU | {"sku_id": "A-1", "price": -3})),
    "duplicate id": ("sku", "c.jsonl", jsonl(SKU | {"sku_id": "A-1"}, SKU | {"sku_id": "A-1"})),
    "empty file": ("sku", "c.jsonl", b""),
    "huge line": ("sku", "c.jsonl", jsonl(SKU | {"sku_id": "A-1", "description": "长" * 600_000})),
    "invalid front matter": ("policy", "p.md", "---\ntitle: [未闭合\n---\n# 标题\n正文\n".encode()),
    "faq without answer": ("faq", "f.csv", "question,answer\n怎么保存,\n".encode()),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_bad_upload_is_rejected_whole_and_stored_data_is_unchanged(tea, case):
    kind, name, data = BAD_UPLOADS[case]
    good = jsonl(SKU | {"sku_id": "NEW-1"}) if kind == "sku" else None
    files = [(name, data)] + ([("good.jsonl", good)] if good else [])
    before = snapshot(tea, "tea-shop")
    with pytest.raises(UploadRejected) as err:
        tea.ingest("tea-shop", kind, files)
    assert err.value.problems and all(p.file == name for p in err.value.problems)
    assert snapshot(tea, "tea-shop") == before


def test_unknown_merchant_is_refused_and_nothing_is_created(tea):
    with pytest.raises(UnknownMerchant, match="no-such-shop") as refused:
        tea.ingest("no-such-shop", "sku", [("c.jsonl", jsonl(SKU))])
    assert "tea-shop" not in str(refused.value)     # never lists the merchants there are
    assert list(tea.merchants()) == ["tea-shop"]


def test_merchants_never_see_each_others_records(tea, retriever):
    tea.create_merchant("rival-shop")
    tea.ingest("rival-shop", "sku", [("c.jsonl", jsonl(SKU | {"sku_id": "RIVAL-1",
                                                              "title": "明前龙井 特级 礼盒"}))])
    for message in ["龙井礼盒多少钱", "明前龙井 特级 250克 礼盒装", "茶叶怎么保存"]:
        assert all(not s.id.startswith("RIVAL") for s in retriever.search("tea-shop", message))
        assert {s.id for s in retriever.search("rival-shop", message)} <= {"RIVAL-1"}
    assert retriever.search("rival-shop", "看看", sku="TEA-01") != []
    assert all(s.id != "TEA-01" for s in retriever.search("rival-shop", "看看", sku="TEA-01"))
