"""Loaders: every sample file loads, encodings agree, and every bad input is named by file, line, field."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from copilot.errors import BadRequest, UploadRejected
from knowledge.loaders import faq_id_for, files_in, guess_kind, parse, parse_many
from knowledge.records import Faq, Policy, Product
from knowledge.textfiles import MAX_FILE_BYTES, MAX_LINE_BYTES

SAMPLES = Path("/work/shared/samples")
FIXTURES = Path(__file__).parent / "data" / "loaders"
MERCHANTS = sorted(p for p in SAMPLES.iterdir() if p.is_dir())
CSV_HEADER = "sku_id,title,category,price,stock,tags,attr:产地\n"
GOOD_ROW = "TEA-101,白毫银针 散装,白茶,158,12,送礼,福建福鼎\n"


def rejected(kind, name, data: bytes | str) -> list:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(UploadRejected) as info:
        parse(kind, name, raw)
    return info.value.problems


def where(problems) -> list[tuple]:
    return [(p.file, p.line, p.field) for p in problems]


def sample_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


# -- every sample file, counts and ids read from the files themselves ---------------------

SAMPLE_FILES = [(k, p) for m in MERCHANTS for k, p in files_in([m])] + [
    ("sku", p) for p in SAMPLES.glob("*/catalog.csv")]


@pytest.mark.parametrize(("kind", "path"), SAMPLE_FILES, ids=lambda v: str(v)[-40:])
def test_every_sample_file_loads_with_its_own_ids(kind, path):
    records = parse(kind, path.name, path.read_bytes())
    text = sample_text(path)
    if path.suffix == ".jsonl":
        expected = [json.loads(line) for line in text.splitlines() if line.strip()]
    elif path.suffix == ".csv":
        expected = list(csv.DictReader(io.StringIO(text, newline="")))
    else:
        head = yaml.safe_load(text.split("---")[1]) if text.startswith("---") else None
        expected = [{"policy_id": (head or {}).get("policy_id", path.stem)}]
    id_field = {"sku": "sku_id", "policy": "policy_id", "faq": "faq_id"}[kind]
    assert [r.id for r in records] == [e[id_field] for e in expected]


@pytest.mark.parametrize("merchant", MERCHANTS, ids=lambda p: p.name)
def test_merchant_folder_expands_to_its_knowledge_files(merchant):
    found = files_in([merchant])
    paths = {p for _, p in found}
    assert merchant / "eval.jsonl" not in paths
    assert {p for k, p in found if k == "policy"} == set((merchant / "policies").glob("*.md"))
    catalogs = [p for k, p in found if k == "sku"]
    preferred = merchant / "catalog.jsonl"
    assert catalogs == [preferred if preferred.exists() else merchant / "catalog.csv"]
    assert [p.name for k, p in found if k == "faq"] == ["faqs.csv"]


def test_sample_catalog_csv_in_gbk_equals_its_jsonl():
    both = [p for p in MERCHANTS if (p / "catalog.csv").exists() and (p / "catalog.jsonl").exists()]
    assert both, "a sample merchant ships its catalog in both formats"
    for merchant in both:
        from_csv = parse("sku", "catalog.csv", (merchant / "catalog.csv").read_bytes())
        from_jsonl = parse("sku", "catalog.jsonl", (merchant / "catalog.jsonl").read_bytes())
        assert from_csv == from_jsonl


def test_sample_policies_follow_front_matter_or_file_name_and_heading():
    for path in SAMPLES.glob("*/policies/*.md"):
        (policy,) = parse("policy", path.name, path.read_bytes())
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            head = yaml.safe_load(text.split("---")[1])
            assert (policy.policy_id, policy.title) == (head["policy_id"], head["title"])
            assert policy.applies_to == (head.get("applies_to") or [])
        else:
            first_heading = next(l for l in text.splitlines() if l.startswith("#"))
            assert policy.policy_id == path.stem
            assert policy.title == first_heading.lstrip("#").strip()
            assert policy.applies_to == []


# -- formats and encodings on our own data ------------------------------------------------

def test_csv_in_utf8_bom_gbk_and_crlf_gives_identical_records():
    text = (FIXTURES / "catalog.csv").read_text(encoding="utf-8")
    variants = {
        "utf-8": text.encode("utf-8"),
        "utf-8 with BOM": text.encode("utf-8-sig"),
        "gbk": text.encode("gbk"),
        "gb18030 + crlf": text.replace("\n", "\r\n").encode("gb18030"),
    }
    loaded = {name: parse("sku", "catalog.csv", data) for name, data in variants.items()}
    assert len({json.dumps([r.model_dump(mode="json") for r in v]) for v in loaded.values()}) == 1
    assert loaded["gbk"] == parse("sku", "catalog.jsonl", (FIXTURES / "catalog.jsonl").read_bytes())


def test_csv_cells_become_typed_fields():
    first, second, third = parse("sku", "catalog.csv", (FIXTURES / "catalog.csv").read_bytes())
    assert first.price == Decimal("268.00") and isinstance(first.price, Decimal)
    assert (second.stock, second.in_stock) == (0, False)
    assert "净含量" not in second.attributes and second.attributes["产地"] == "福建武夷山"
    assert second.image_url == "" and '"七泡有余香"' in second.description
    assert third.title == "手工粗陶茶杯 4只装, 日式" and third.tags == ["日式", "简约"]
    assert "保质期" not in third.attributes


def test_attr_columns_accept_full_width_colon_and_any_case():
    data = "SKU_ID,Title,Category,Price,Stock,ATTR：产地\nTEA-9,茶饼,普洱,99.5,3,云南\n"
    (product,) = parse("sku", "饼茶.csv", data.encode("gbk"))
    assert product.attributes == {"产地": "云南"} and product.price == Decimal("99.5")


def test_jsonl_prices_keep_exact_decimals():
    line = '{"sku_id": "T-1", "title": "茶", "category": "绿茶", "price": 0.10, "stock": 1}'
    (product,) = parse("sku", "c.jsonl", line.encode())
    assert product.price == Decimal("0.10") and isinstance(product.price, Decimal)


def test_faqs_without_ids_get_stable_ids_from_their_question():
    faqs = parse("faq", "faqs.csv", (FIXTURES / "faqs.csv").read_bytes())
    assert [f.faq_id for f in faqs] == [faq_id_for(f.question) for f in faqs]
    again = parse("faq", "faqs.csv", (FIXTURES / "faqs.csv").read_bytes())
    assert [f.faq_id for f in again] == [f.faq_id for f in faqs]
    assert len({f.faq_id for f in faqs}) == len(faqs)
    assert faqs[0].tags == ["售后", "保存"]
    empty_cell = "question,answer,tags,faq_id\n可以开发票吗,可以的,,\n"
    (faq,) = parse("faq", "f.csv", empty_cell.encode())
    assert faq.faq_id == faqs[1].faq_id


def test_faq_id_ignores_width_case_spaces_and_punctuation():
    assert faq_id_for("有色差吗？") == faq_id_for(" 有色差吗 ?")
    assert faq_id_for("Wi-Fi 能连吗") == faq_id_for("ＷＩＦＩ能连吗！")
    assert faq_id_for("能退吗") != faq_id_for("能换吗")


def test_faq_jsonl_keeps_given_ids_and_splits_tag_text():
    given, derived = parse("faq", "faqs.jsonl", (FIXTURES / "faqs.jsonl").read_bytes())
    assert given.faq_id == "tea-faq-01" and given.tags == ["送礼", "包装"]
    assert derived.faq_id == faq_id_for(derived.question) and derived.tags == ["物流", "时效"]


def test_policies_from_markdown_and_jsonl():
    wrap, storage = (parse("policy", p.name, p.read_bytes())[0]
                     for p in sorted((FIXTURES / "policies").glob("*.md")))
    assert (wrap.policy_id, wrap.title, wrap.applies_to) == ("gift-wrap", "礼盒包装说明", ["绿茶", "乌龙茶"])
    assert (storage.policy_id, storage.title, storage.applies_to) == ("storage", "茶叶保存", [])
    assert "岩茶常温密封" in storage.body
    tasting, refund = parse("policy", "policies.jsonl", (FIXTURES / "policies.jsonl").read_bytes())
    assert tasting.applies_to == ["绿茶"] and refund.applies_to == []


def test_records_are_of_the_kind_asked_for():
    for kind, cls, path in [("sku", Product, "catalog.jsonl"), ("faq", Faq, "faqs.csv"),
                            ("policy", Policy, "policies.jsonl")]:
        assert all(isinstance(r, cls) for r in parse(kind, path, (FIXTURES / path).read_bytes()))


# -- encodings and sizes -------------------------------------------------------------------

def test_bytes_neither_utf8_nor_gb18030_name_their_line():
    data = (CSV_HEADER + GOOD_ROW).encode("utf-8") + b"TEA-102,\xff\xfe,\xff,1,1,,\n"
    assert where(rejected("sku", "c.csv", data)) == [("c.csv", 3, None)]


def test_damaged_utf8_is_not_misread_as_gbk():
    data = (CSV_HEADER + GOOD_ROW + GOOD_ROW.replace("101", "102")).encode("utf-8")
    broken = data[:-12] + b"\xe4\x00" + data[-10:]  # a cut character on line 3
    (problem,) = rejected("sku", "c.csv", broken)
    assert (problem.line, problem.field) == (3, None) and "UTF-8" in problem.message


def test_utf16_is_refused_with_advice():
    (problem,) = rejected("sku", "c.csv", (CSV_HEADER + GOOD_ROW).encode("utf-16"))
    assert problem.file == "c.csv" and "UTF-16" in problem.message


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n"])
def test_empty_file(data):
    (problem,) = rejected("sku", "c.jsonl", data)
    assert problem.file == "c.jsonl" and "empty" in problem.message


def test_csv_with_only_a_header_holds_no_records():
    (problem,) = rejected("faq", "f.csv", "question,answer\n")
    assert "no records" in problem.message


def test_file_over_the_size_limit_is_refused_unread():
    (problem,) = rejected("sku", "big.jsonl", b"{" * (MAX_FILE_BYTES + 1))
    assert (problem.file, problem.line) == ("big.jsonl", None) and "MiB" in problem.message


def test_huge_line_is_refused_without_parsing_and_others_still_checked():
    good = '{"sku_id": "T-1", "title": "茶", "category": "绿茶", "price": 1, "stock": 1}'
    huge = '{"sku_id": "' + "x" * MAX_LINE_BYTES  # not JSON: parsing it would add a problem
    bad = '{"sku_id": "T-3", "title": "茶", "category": "绿茶", "price": 1, "stock": -1}'
    problems = rejected("sku", "c.jsonl", "\n".join([good, huge, bad]))
    assert where(problems) == [("c.jsonl", 2, None), ("c.jsonl", 3, "stock")]
    assert "MiB" in problems[0].message


# -- CSV structure -----------------------------------------------------------------------------

def test_missing_required_columns_are_each_named_on_the_header_line():
    problems = rejected("sku", "c.csv", "sku_id,title,category\nTEA-1,茶,绿茶\n")
    assert where(problems) == [("c.csv", 1, "price"), ("c.csv", 1, "stock")]


def test_duplicate_column_in_header():
    problems = rejected("faq", "f.csv", "question,answer,answer\n问,答,答\n")
    assert where(problems) == [("f.csv", 1, "answer")]


def test_rows_with_more_cells_than_the_header():
    shifted = "TEA-2,茶,绿茶,1,599,1,,\n"  # an unquoted thousands separator, empty tail
    data = CSV_HEADER + "TEA-1,茶,绿茶,1,1,,杭州,多余\n" + GOOD_ROW + shifted
    problems = rejected("sku", "c.csv", data)
    assert where(problems) == [("c.csv", 2, None), ("c.csv", 4, None)]
    assert "8 cells" in problems[0].message


def test_several_bad_rows_are_all_reported_on_their_physical_lines():
    data = (CSV_HEADER
            + 'TEA-1,"两行的\n标题",绿茶,1,1,,杭州\n'  # lines 2-3, fine
            + "TEA-2,,绿茶,abc,1,,杭州\n"              # line 4: title and price
            + GOOD_ROW                                  # line 5
            + "\n"                                      # line 6 blank
            + "TEA-3,茶,绿茶,5,3.5,,杭州\n")           # line 7: stock
    problems = rejected("sku", "c.csv", data)
    assert where(problems) == [("c.csv", 4, "title"), ("c.csv", 4, "price"), ("c.csv", 7, "stock")]


# -- field rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("price", ["abc", "-5", "12.345", "1e3", "￥99", '"1,599"'])
def test_bad_csv_price(price):
    problems = rejected("sku", "c.csv", CSV_HEADER + GOOD_ROW + f"TEA-2,茶,绿茶,{price},1,,\n")
    assert where(problems) == [("c.csv", 3, "price")]


@pytest.mark.parametrize("price", ['"abc"', "-1", "1.999", "true", "null", "NaN"])
def test_bad_jsonl_price(price):
    line = '{"sku_id": "T-1", "title": "茶", "category": "绿茶", "price": %s, "stock": 1}' % price
    problems = rejected("sku", "c.jsonl", "\n" + line)
    expected_field = None if price == "NaN" else "price"  # NaN is not JSON at all
    assert where(problems) == [("c.jsonl", 2, expected_field)]


@pytest.mark.parametrize("price", ["1599", "1599.00", " 12.5 "])
def test_csv_prices_as_text(price):
    (product,) = parse("sku", "c.csv", (CSV_HEADER + f"TEA-1,茶,绿茶,{price},1,,\n").encode())
    assert product.price == Decimal(price.strip())


@pytest.mark.parametrize("stock", ["-1", "3.5", "abc", "二"])
def test_bad_csv_stock(stock):
    problems = rejected("sku", "c.csv", CSV_HEADER + f"TEA-2,茶,绿茶,9,{stock},,\n")
    assert where(problems) == [("c.csv", 2, "stock")]


@pytest.mark.parametrize("stock", ["3.5", "3.0", '"3"', "-2", "true"])
def test_bad_jsonl_stock(stock):
    line = '{"sku_id": "T-1", "title": "茶", "category": "绿茶", "price": 1, "stock": %s}' % stock
    assert where(rejected("sku", "c.jsonl", line)) == [("c.jsonl", 1, "stock")]


def test_missing_and_empty_required_fields_in_jsonl():
    lines = ['{"sku_id": "T-1", "title": "茶", "price": 1, "stock": 1}',
             '{"sku_id": "T-2", "title": "  ", "category": "绿茶", "price": 1, "stock": 1}',
             '{"question": "能退吗", "answer": ""}']
    assert where(rejected("sku", "c.jsonl", "\n".join(lines[:2]))) == [
        ("c.jsonl", 1, "category"), ("c.jsonl", 2, "title")]
    assert where(rejected("faq", "f.jsonl", lines[2])) == [("f.jsonl", 1, "answer")]


def test_attributes_must_map_strings_to_strings():
    base = '{"sku_id": "T-%d", "title": "茶", "category": "绿茶", "price": 1, "stock": 1, "attributes": %s}'
    data = "\n".join([base % (1, '{"净含量": 250, "产地": "杭州"}'), base % (2, '["杭州"]'),
                      base % (3, '{"产地": ["杭州", "龙井村"]}')])
    assert where(rejected("sku", "c.jsonl", data)) == [
        ("c.jsonl", 1, "attributes.净含量"), ("c.jsonl", 2, "attributes"),
        ("c.jsonl", 3, "attributes.产地")]


def test_bad_id_is_explained():
    (problem,) = rejected("sku", "c.csv", CSV_HEADER + "龙井-1,茶,绿茶,1,1,,\n")
    assert (problem.line, problem.field) == (2, "sku_id") and "ASCII" in problem.message


def test_duplicate_id_in_one_file_names_both_lines():
    data = CSV_HEADER + GOOD_ROW + GOOD_ROW.replace("TEA-101", "TEA-102") + GOOD_ROW
    (problem,) = rejected("sku", "c.csv", data)
    assert (problem.line, problem.field) == (4, "sku_id") and "line 2" in problem.message


def test_same_question_twice_is_a_duplicate_faq():
    (problem,) = rejected("faq", "f.csv", "question,answer\n能退吗？,能\n能退吗,可以\n")
    assert (problem.line, problem.field) == (3, "faq_id") and "line 2" in problem.message


def test_duplicate_id_across_files_of_one_upload():
    first = (CSV_HEADER + GOOD_ROW).encode()
    second = ('\n{"sku_id": "TEA-101", "title": "另一款", "category": "白茶", '
              '"price": 1, "stock": 1}\n').encode()
    with pytest.raises(UploadRejected) as info:
        parse_many("sku", [("a.csv", first), ("b.jsonl", second)])
    (problem,) = info.value.problems
    assert where([problem]) == [("b.jsonl", 2, "sku_id")] and "a.csv line 2" in problem.message


def test_parse_many_reports_problems_of_every_file_and_returns_all_records():
    good = [(p.name, p.read_bytes()) for p in (FIXTURES / "policies").glob("*.md")]
    assert {r.id for r in parse_many("policy", good).records} == {"gift-wrap", "storage"}
    bad = [("a.md", "无标题的正文".encode()), ("b.jsonl", b"{oops")] + good
    with pytest.raises(UploadRejected) as info:
        parse_many("policy", bad)
    assert where(info.value.problems) == [("a.md", 1, "title"), ("b.jsonl", 1, None)]


def test_invalid_json_line_and_non_object_line():
    data = '\n\n{"sku_id": "T-1",\n["T-2"]\n'
    problems = rejected("sku", "c.jsonl", data)
    assert where(problems) == [("c.jsonl", 3, None), ("c.jsonl", 4, None)]
    assert "invalid JSON" in problems[0].message and "list" in problems[1].message


# -- policies ------------------------------------------------------------------------------

def test_invalid_front_matter_yaml_names_its_line():
    text = "---\npolicy_id: gift\ntitle: 包装: 说明\napplies_to: []\n---\n正文\n"
    (problem,) = rejected("policy", "gift.md", text)
    assert (problem.file, problem.line) == ("gift.md", 3) and "YAML" in problem.message


@pytest.mark.parametrize("text", ["---\npolicy_id: a\ntitle: 无结尾\n正文\n", "---\n- 列表\n---\n# 标题\n正文"])
def test_unclosed_or_non_mapping_front_matter(text):
    (problem,) = rejected("policy", "a.md", text)
    assert problem.line == 1 and "front matter" in problem.message


def test_front_matter_field_problems_point_at_their_key_line():
    text = "---\npolicy_id: gift\ntitle: 包装\napplies_to: 绿茶\n---\n正文\n"
    assert where(rejected("policy", "gift.md", text)) == [("gift.md", 4, "applies_to")]


def test_policy_without_any_title():
    (problem,) = rejected("policy", "returns.md", "---\npolicy_id: returns\n---\n七天无理由退货。\n")
    assert (problem.line, problem.field) == (1, "title") and "heading" in problem.message


def test_policy_id_from_a_file_name_that_is_not_an_id():
    (problem,) = rejected("policy", "policies/退货.md", "# 退货\n七天无理由。\n")
    assert problem.field == "policy_id" and "policy_id:" in problem.message


def test_policy_with_empty_body():
    assert where(rejected("policy", "a.md", "---\npolicy_id: a\ntitle: 空\n---\n")) == [
        ("a.md", 1, "body")]


# -- kinds and files -------------------------------------------------------------------------

def test_wrong_suffix_for_kind_and_unknown_kind():
    (problem,) = rejected("faq", "faqs.md", "# 问答")
    assert problem.file == "faqs.md" and ".csv" in problem.message
    with pytest.raises(BadRequest, match="sku, policy, faq"):
        parse("video", "a.jsonl", b"{}")
    with pytest.raises(BadRequest):
        parse_many("sku", [])


@pytest.mark.parametrize(("path", "kind"), [
    ("shop/catalog.csv", "sku"), ("shop/Products-2024.jsonl", "sku"), ("shop/faqs.jsonl", "faq"),
    ("shop/FAQ.csv", "faq"), ("shop/policies/returns.md", "policy"), ("notes.md", "policy"),
    ("shop/policies/all.jsonl", "policy"), ("shop/policies.jsonl", "policy"),
    ("shop/商品.csv", "sku")])
def test_guess_kind(path, kind):
    assert guess_kind(Path(path)) == kind


@pytest.mark.parametrize("path", ["shop/catalog.xlsx", "shop/orders.csv", "shop/faqs.md", "shop/eval.jsonl"])
def test_guess_kind_refuses_files_it_cannot_place(path):
    with pytest.raises(BadRequest) as info:
        guess_kind(Path(path))
    assert path in str(info.value)


def test_unknown_file_names_what_is_understood():
    with pytest.raises(BadRequest, match="catalog.jsonl or catalog.csv"):
        guess_kind(Path("shop/订单.csv"))


def test_files_in_folder_prefers_jsonl_and_skips_eval(tmp_path):
    for name in ["catalog.csv", "catalog.jsonl", "faqs.csv", "eval.jsonl", "README.txt"]:
        (tmp_path / name).write_text("x")
    (tmp_path / "policies").mkdir()
    for name in ["b.md", "a.md", ".DS_Store"]:
        (tmp_path / "policies" / name).write_text("x")
    found = files_in([tmp_path])
    assert [(k, p.relative_to(tmp_path).as_posix()) for k, p in found] == [
        ("sku", "catalog.jsonl"), ("faq", "faqs.csv"), ("policy", "policies/a.md"),
        ("policy", "policies/b.md")]
    assert files_in([tmp_path / "policies"]) == found[2:]
    assert files_in([tmp_path / "faqs.csv"]) == [("faq", tmp_path / "faqs.csv")]


def test_files_in_refuses_missing_paths_empty_folders_and_strange_policy_files(tmp_path):
    with pytest.raises(BadRequest, match="does not exist"):
        files_in([tmp_path / "nope"])
    with pytest.raises(BadRequest, match="no knowledge files"):
        files_in([tmp_path])
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "退货.docx").write_text("x")
    with pytest.raises(BadRequest, match="退货.docx"):
        files_in([tmp_path])


# -- problems in Chinese for the merchant page ------------------------------------------------

SHOE_HEADER = "sku_id,title,category,price,stock,attr:鞋码\n"
SHOE_ROW = "SHOE-7,轻便跑步鞋,运动鞋,{price},20,42\n"


def chinese(text: str | None) -> bool:
    return bool(text) and any("\u4e00" <= c <= "\u9fff" for c in text)


def test_bad_price_row_is_explained_in_chinese_on_the_same_field():
    (problem,) = rejected("sku", "shoes.csv", SHOE_HEADER + SHOE_ROW.format(price="二百九"))
    assert (problem.line, problem.field) == (2, "price")
    assert chinese(problem.message_zh) and "价格" in problem.message_zh and "'二百九'" in problem.message_zh
    assert problem.message.startswith("price must be a number")        # the English stays for API users


def test_duplicate_id_is_explained_in_chinese_on_the_same_field():
    data = SHOE_HEADER + SHOE_ROW.format(price="299") + "SHOE-8,帆布鞋,休闲鞋,89,5,40\n" \
        + SHOE_ROW.format(price="259")
    (problem,) = rejected("sku", "shoes.csv", data)
    assert (problem.line, problem.field) == (4, "sku_id")
    assert chinese(problem.message_zh) and "'SHOE-7'" in problem.message_zh and "第 2 行" in problem.message_zh
    with pytest.raises(UploadRejected) as info:
        parse_many("sku", [("a.csv", (SHOE_HEADER + SHOE_ROW.format(price="299")).encode()),
                           ("b.csv", (SHOE_HEADER + SHOE_ROW.format(price="199")).encode())])
    (across,) = info.value.problems
    assert (across.file, across.field) == ("b.csv", "sku_id")
    assert chinese(across.message_zh) and "a.csv 第 2 行" in across.message_zh


def test_missing_required_column_is_explained_in_chinese_on_the_same_field():
    (problem,) = rejected("faq", "faq.csv", "question,备注\n鞋子偏码吗,\n")
    assert (problem.line, problem.field) == (1, "answer")
    assert chinese(problem.message_zh) and "缺少" in problem.message_zh and "'answer'" in problem.message_zh


def test_utf16_file_is_explained_in_chinese():
    (problem,) = rejected("sku", "shoes.csv", (SHOE_HEADER + SHOE_ROW.format(price="299")).encode("utf-16"))
    assert (problem.file, problem.line, problem.field) == ("shoes.csv", 1, None)
    assert problem.message_zh == "文件是 UTF-16 编码，请另存为 UTF-8（或 GBK）后重新上传"


@pytest.mark.parametrize(("kind", "name", "data", "words"), [
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": -3, "stock": 1}',
     ["不能小于 0", "-3"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": 9.999, "stock": 1}',
     ["小数最多 2 位", "9.999"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": 1, "stock": 2.5}',
     ["整数", "2.5"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "price": 1, "stock": 2}', ["缺少必填字段"]),
    ("sku", "s.jsonl", '{"sku_id": "鞋-1", "title": "鞋", "category": "鞋", "price": 1, "stock": 2}',
     ["编号只能用", "'鞋-1'"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": 1, "stock": 2, '
     '"attributes": {"鞋码": 42}}', ["文字", "42"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": 1, "stock": 2, '
     '"tags": 7}', ["列表", "收到 7"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "' + "鞋" * 101
     + '", "price": 1, "stock": 2}', ["最多 100 个字符", "现有 101 个"]),
    ("sku", "s.jsonl", '{"sku_id": "S-1", "title": "鞋", "category": "鞋", "price": 1, "stock": 2,}',
     ["不是有效的 JSON"]),
    ("sku", "s.jsonl", '["S-1", "鞋"]', ["列表"]),
    ("sku", "s.txt", "S-1", ["扩展名"]),
    ("faq", "f.csv", "question,answer\n", ["没有任何记录"]),
    ("faq", "f.csv", "question,answer,attr:\n鞋子偏码吗,不偏码,x\n", ["属性名"]),
    ("faq", "f.csv", "question,answer\n鞋子偏码吗,不偏\x00码\n", ["控制字符 U+0000", "删除"]),
    ("policy", "退换.md", "退换货须知正文", ["policy_id", "标题"]),
    ("policy", "shoes.md", "---\ntitle: [未闭合\n---\n正文", ["YAML"]),
    ("policy", "shoes.md", "", ["空"]),
])
def test_every_problem_has_a_chinese_message(kind, name, data, words):
    problems = rejected(kind, name, data)
    assert problems and all(chinese(p.message_zh) for p in problems), [p.message_zh for p in problems]
    said = " ".join(p.message_zh for p in problems)
    assert all(w in said for w in words), said


def test_eval_set_problems_are_explained_in_chinese():
    from evals.cases import parse_cases

    text = ('{"id": "s-1", "message": "鞋子偏码吗", "expect": {"kind": "回复"}}\n'
            '{"id": "s-2", "message": "", "expect": {"kind": "reply"}, "level": 5}\n'
            '{"id": "s-3", "message": "在吗", "expect": {"kind": "reply"}}\n'
            '{"id": "s-3", "message": "在吗", "expect": {"kind": "reply"}}\n{"id": ')
    with pytest.raises(UploadRejected) as info:
        parse_cases(text, source="shoes-set")
    problems = info.value.problems
    assert where(problems) == [("shoes-set", 1, "expect.kind"), ("shoes-set", 2, "message"),
                               ("shoes-set", 2, "level"), ("shoes-set", 4, "id"), ("shoes-set", 5, None)]
    assert all(chinese(p.message_zh) for p in problems), [p.message_zh for p in problems]
    assert "'reply'、'outfit'、'escalation'" in problems[0].message_zh and "不能为空" in problems[1].message_zh
    assert "不能大于 3" in problems[2].message_zh and "第 3 行也有" in problems[3].message_zh
