"""Bad input from clients (issue 18, "Input"): lone surrogates and control characters in
any string a client sends are a 422 naming the field, never a 500; uploads in an encoding
that is not UTF-8 or GB18030, or holding control characters, are refused naming file, line
and field with nothing stored; names (merchant ids, eval sets, groups, conversations) follow
one pattern; human labels (小王) may be any language.

Real parts only: the app's real lifespan, real Chroma and SQLite in a temp dir.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.errors import UploadRejected
from knowledge.loaders import parse

SHOP = "shop-a"
CATALOG = "sku_id,title,category,price,stock\nA-1,羊毛西装 藏青,西装,1599,3\nA-2,真丝衬衫 白,衬衫,399,5\n"
EVAL_SET = ('{"id": "q1", "message": "这款西装能机洗吗？", "context": {"sku_id": "A-1"}, '
            '"expect": {"kind": "reply", "sources": ["A-1"]}}\n')
# Shift-JIS bytes read as GB18030 without a decoding error: the probe stored this as mojibake.
JAPANESE = "sku_id,title,category,price,stock\nJP-1,メンズ スーツ ウール 紺,スーツ,19800,3\n"


@pytest.fixture
def api(settings):
    from copilot.auth import new_key
    from server import create_app

    with TestClient(create_app(settings)) as client:
        parts = client.app.state.components
        parts.kb.create_merchant(SHOP, name="甲店")
        client.keys = {role: new_key(parts.ledger, role=role, merchant=SHOP, label=f"t-{role}")
                       for role in ("agent", "merchant", "trainer")}
        client.keys["admin"] = new_key(parts.ledger, role="admin", merchant=None, label="root")
        got = upload(client, "catalog.csv", CATALOG.encode())
        assert got.status_code == 200, got.text
        yield client


def auth(client, role: str, **extra) -> dict:
    return {"Authorization": f"Bearer {client.keys[role]}", **extra}


def upload(client, name: str, data: bytes, kind: str = "catalog"):
    return client.post(f"/v1/merchants/{SHOP}/{kind}", headers=auth(client, "merchant"),
                       files={"files": (name, data, "text/csv")})


def catalog(client) -> list[dict]:
    return client.get(f"/v1/merchants/{SHOP}/catalog", headers=auth(client, "merchant")).json()["items"]


def locations(got) -> list[list]:
    assert got.status_code == 422, got.text
    return [d["loc"] for d in got.json()["detail"]]


# -- strings in JSON, query, path and form fields --------------------------------------------

@pytest.mark.parametrize(("body", "loc"), [
    (b'{"merchant": "shop-a", "text": "\\ud800"}', ["body", "text"]),
    (b'{"merchant": "shop-a", "text": "ok\\udfff"}', ["body", "text"]),
    (b'{"merchant": "shop-a", "text": "\\u0000"}', ["body", "text"]),
    (b'{"merchant": "shop-a", "text": "a\\u0085b"}', ["body", "text"]),       # C1
    (b'{"merchant": "shop-a", "text": "a\\u007fb"}', ["body", "text"]),       # DEL
    (b'{"merchant": "shop-a", "text": "hi", "sku": "A-1\\u0007"}', ["body", "sku"]),
], ids=["high surrogate", "low surrogate", "nul", "c1", "del", "bell in sku"])
def test_a_bad_character_in_a_json_field_is_422_naming_the_field_and_nothing_is_stored(api, body, loc):
    got = api.post("/v1/conversations/c-bad/messages", content=body,
                   headers=auth(api, "merchant", **{"Content-Type": "application/json"}))
    assert loc in locations(got)
    ledger = api.app.state.components.ledger
    assert [c.id for c in ledger.list_conversations(merchant=SHOP)] == []


def test_a_lone_surrogate_deep_in_a_json_body_is_named_by_its_path(api):
    body = (b'{"message": "\xe5\x9c\xa8\xe5\x90\x97", "verdict": "calm", '
            b'"history": [{"role": "customer", "text": "fine"}, {"role": "agent", "text": "x\\ud83d"}]}')
    got = api.post(f"/v1/merchants/{SHOP}/escalation-labels", content=body,
                   headers=auth(api, "trainer", **{"Content-Type": "application/json"}))
    assert ["body", "history", 1, "text"] in locations(got)


def test_free_text_keeps_its_line_breaks_and_tabs(api):
    got = api.post("/v1/conversations/c-ok/messages", headers=auth(api, "merchant"),
                   json={"merchant": SHOP, "text": "在吗\n这款西装\t能机洗吗？\r\n谢谢"})
    assert got.status_code == 202, got.text


@pytest.mark.parametrize(("url", "loc"), [
    ("/v1/conversations?merchant=%ED%A0%80", ["query", "merchant"]),       # a surrogate, UTF-8 encoded
    ("/v1/conversations?merchant=shop-a&status=%00", ["query", "status"]),
    ("/v1/conversations?merchant=shop-a&status=open%0A", ["query", "status"]),
    ("/v1/conversations?merchant=%FF", ["query", "merchant"]),             # not UTF-8 at all
    (f"/v1/merchants/{SHOP}/evalsets/a%00b", ["path", "name"]),
    (f"/v1/merchants/{SHOP}/evalsets/a%ED%A0%80b", ["path", "name"]),
], ids=["surrogate in query", "nul in query", "newline in query", "bad utf-8 in query",
        "nul in path", "surrogate in path"])
def test_a_bad_character_in_a_query_or_path_parameter_is_422_naming_it(api, url, loc):
    assert loc in locations(api.get(url, headers=auth(api, "trainer")))


def test_a_bad_character_in_a_multipart_text_field_is_422_naming_it(api):
    got = api.post(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer"),
                   files={"file": ("set.jsonl", EVAL_SET.encode())}, data={"name": "set\x00"})
    assert ["body", "name"] in locations(got)
    listed = api.get(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer")).json()
    assert listed == []


# -- uploads: encodings, control characters, all or nothing ----------------------------------

def test_nul_in_a_csv_title_is_refused_naming_file_line_and_field_and_keeps_old_records(api):
    before = catalog(api)
    bad = "sku_id,title,category,price,stock\nA-1,羊毛西装 新款,西装,1699,3\nB-1,草\x00帽,帽子,59,10\n"
    got = upload(api, "hats.csv", bad.encode("utf-8"))
    assert got.status_code == 422, got.text
    problems = got.json()["problems"]
    assert ("hats.csv", 3, "title") in [(p["file"], p["line"], p["field"]) for p in problems]
    assert catalog(api) == before


@pytest.mark.parametrize(("name", "data", "line", "field"), [
    ("catalog.csv", "sku_id,title,category,price,stock\nA-9,西装\x1b[31m,西装,9,1\n", 2, "title"),
    ("catalog.jsonl", '{"sku_id": "A-9", "title": "西装", "category": "西装", "price": 9, "stock": 1,'
                      ' "attributes": {"材质": "羊毛\\u0000"}}\n', 1, "attributes.材质"),
    ("catalog.jsonl", '{"sku_id": "A-9", "title": "西\\ud800装", "category": "西装", "price": 9, "stock": 1}\n',
     1, "title"),
    ("faqs.csv", "question,answer\n能开发票吗,可以\u0085的\n", 2, "answer"),
])
def test_control_characters_and_surrogates_in_any_upload_field_are_refused(name, data, line, field):
    kind = "faq" if name.startswith("faq") else "sku"
    with pytest.raises(UploadRejected) as info:
        parse(kind, name, data.encode("utf-8"))
    assert (name, line, field) in [(p.file, p.line, p.field) for p in info.value.problems]


def test_a_lone_surrogate_in_an_uploaded_key_is_a_422_never_a_500(api):
    before = catalog(api)
    line = ('{"sku_id": "A-9", "title": "西装", "category": "西装", "price": 9, "stock": 1, '
            '"attributes": {"\\ud800": "羊毛"}}\n')
    got = api.post(f"/v1/merchants/{SHOP}/catalog", headers=auth(api, "merchant"),
                   files={"files": ("catalog.jsonl", line.encode(), "application/jsonl")})
    assert got.status_code == 422, got.text
    assert [(p["line"], p["field"]) for p in got.json()["problems"]] == [(1, "attributes.\\ud800")]
    assert catalog(api) == before


def test_a_control_character_in_a_policy_body_is_refused_on_its_line():
    text = "---\npolicy_id: returns\ntitle: 退货\n---\n# 退货\n\n七天无理由。\n运费\x00自理。\n"
    with pytest.raises(UploadRejected) as info:
        parse("policy", "returns.md", text.encode("utf-8"))
    assert ("returns.md", 8, "body") in [(p.file, p.line, p.field) for p in info.value.problems]


def test_a_shift_jis_csv_is_refused_with_its_line_and_nothing_is_stored(api):
    before = catalog(api)
    got = upload(api, "japan.csv", JAPANESE.encode("shift_jis"))
    assert got.status_code == 422, got.text
    problem = got.json()["problems"][0]
    assert (problem["file"], problem["line"]) == ("japan.csv", 2)
    assert "Shift-JIS" in problem["message"]
    assert catalog(api) == before


def test_a_shift_jis_slots_file_is_refused_too(api):
    data = "category,slot\nスーツ,one_piece\n".encode("shift_jis")
    got = api.post(f"/v1/merchants/{SHOP}/slots", headers=auth(api, "merchant"),
                   files={"file": ("slots.csv", data, "text/csv")})
    assert got.status_code == 422, got.text
    assert got.json()["problems"][0]["line"] == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_utf8_utf8_bom_and_gb18030_csvs_are_accepted(api, encoding):
    # traditional characters and a stylistic の are Chinese text too, not Japanese
    text = ("sku_id,title,category,price,stock\nA-1,羊毛西装 藏青,西装,1599,3\n"
            "A-3,西裝 羊毛 深灰,西装,1699,2\nA-4,小清新の连衣裙,连衣裙,199,8\n")
    got = upload(api, f"catalog-{encoding}.csv", text.encode(encoding))
    assert got.status_code == 200, got.text
    titles = {p["sku_id"]: p["title"] for p in catalog(api)}
    assert titles["A-3"] == "西裝 羊毛 深灰" and titles["A-4"] == "小清新の连衣裙"


# -- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["..\\..\\pwn", "a/b", "a:b", "..", "a b", "a.b", "名字", "a" * 63])
def test_eval_set_names_that_are_not_names_are_refused(api, name):
    got = api.post(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer"),
                   files={"file": ("set.jsonl", EVAL_SET.encode())}, data={"name": name})
    assert got.status_code == 422, got.text
    listed = api.get(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer")).json()
    assert listed == []


@pytest.mark.parametrize("file_name", ["..\\..\\pwn.jsonl", "a:b.jsonl", "evil name.jsonl"])
def test_an_eval_set_named_by_a_bad_file_name_is_refused(api, file_name):
    got = api.post(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer"),
                   files={"file": (file_name, EVAL_SET.encode())})
    assert got.status_code == 422, got.text
    assert api.get(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer")).json() == []


def test_a_good_eval_set_name_is_kept(api):
    got = api.post(f"/v1/merchants/{SHOP}/evalsets", headers=auth(api, "trainer"),
                   files={"file": ("set.jsonl", EVAL_SET.encode())}, data={"name": "Fashion_v2-final"})
    assert got.status_code == 201, got.text
    assert got.json()["name"] == "Fashion_v2-final"


@pytest.mark.parametrize("merchant", ["a:b", "a/b", "..", "shop a", "店铺", "shop\n", "a" * 63])
def test_merchant_ids_that_are_not_names_are_refused(api, merchant):
    got = api.post("/v1/merchants", headers=auth(api, "admin"), json={"id": merchant, "name": "乙店"})
    assert got.status_code == 422, got.text
    assert merchant not in api.app.state.components.kb.merchants()


def test_merchant_ids_are_refused_by_the_library_too(kb):
    from copilot.errors import CopilotError

    for merchant in ("a:b", "shop\n", "..\\x"):
        with pytest.raises(CopilotError):
            kb.create_merchant(merchant)
    assert kb.merchants() == {}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("groups", {"id": "a:b", "name": "资深组"}, "id"),
    ("groups", {"id": "a.b", "name": "资深组"}, "id"),
    ("agents", {"id": "x/y", "group": "g1"}, "id"),
    ("agents", {"id": " ", "group": "g1"}, "id"),
    ("agents", {"id": "xw", "group": "g:1"}, "group"),
])
def test_routing_group_and_agent_ids_that_are_not_names_are_refused(api, path, body, field):
    got = api.post(f"/v1/merchants/{SHOP}/{path}", headers=auth(api, "merchant"), json=body)
    assert ["body", field] in locations(got)


@pytest.mark.parametrize("conversation", ["a:b", "a%5Cb", "a%20b", "a.b"])
def test_conversation_ids_that_are_not_names_are_refused(api, conversation):
    got = api.post(f"/v1/conversations/{conversation}/messages", headers=auth(api, "merchant"),
                   json={"merchant": SHOP, "text": "在吗"})
    assert ["path", "conversation_id"] in locations(got)
    assert api.app.state.components.ledger.list_conversations(merchant=SHOP) == []


# -- human labels --------------------------------------------------------------------------

def test_a_chinese_agent_label_and_display_names_are_accepted(api):
    from copilot.auth import new_key

    parts = api.app.state.components
    key = new_key(parts.ledger, role="agent", merchant=SHOP, label="小王")
    got = api.get(f"/v1/conversations?merchant={SHOP}", headers={"Authorization": f"Bearer {key}"})
    assert got.status_code == 200, got.text
    group = api.post(f"/v1/merchants/{SHOP}/groups", headers=auth(api, "merchant"),
                     json={"id": "g1", "name": "资深组 · 西装"})
    assert group.status_code == 201, group.text
    agent = api.post(f"/v1/merchants/{SHOP}/agents", headers=auth(api, "merchant"),
                     json={"id": "xiaowang", "name": "小王", "group": "g1"})
    assert agent.status_code == 201, agent.text
    assert agent.json()["name"] == "小王"
    shop = api.post("/v1/merchants", headers=auth(api, "admin"), json={"id": "shop-b", "name": "乙店 Boutique"})
    assert shop.status_code == 201, shop.text


@pytest.mark.parametrize("label", ["小\x00王", "小王\n", "\ud800"])
def test_labels_refuse_control_characters_and_surrogates(api, label):
    from copilot.auth import new_key
    from copilot.errors import CopilotError

    with pytest.raises(CopilotError):
        new_key(api.app.state.components.ledger, role="agent", merchant=SHOP, label=label)


def test_a_display_name_with_a_line_break_is_refused(api):
    got = api.post(f"/v1/merchants/{SHOP}/agents", headers=auth(api, "merchant"),
                   json={"id": "xiaowang", "name": "小王\n", "group": "g1"})
    assert ["body", "name"] in locations(got)
