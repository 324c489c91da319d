"""A merchant sees the outfit slot of every category and sets its own (slots.csv over HTTP)."""
from __future__ import annotations

from tests.test_api import MERCHANT, api, auth  # noqa: F401 - the fixture

CSV = "category,slot\n连衣裙,one_piece\n帽子,none\n"


def _slots(api) -> dict:  # noqa: F811
    got = api.get(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "merchant"))
    assert got.status_code == 200, got.text
    return {item["category"]: item for item in got.json()["items"]}


def test_every_category_has_a_slot_read_by_meaning(api):  # noqa: F811
    slots = _slots(api)
    assert slots["连衣裙"]["slot"] == "one_piece" and slots["连衣裙"]["source"] == "read"
    assert slots["运动鞋"]["slot"] == "shoes" and slots["运动鞋"]["slot_zh"] == "鞋"
    assert api.get(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "agent")).status_code == 403


def test_a_merchant_sets_slots_and_takes_a_setting_back(api):  # noqa: F811
    got = api.post(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "merchant"),
                   files={"file": ("slots.csv", CSV.encode("gbk"), "text/csv")})
    assert got.status_code == 200, got.text
    assert got.json()["settings"] == {"连衣裙": "one_piece", "帽子": "none"}
    slots = _slots(api)
    assert slots["帽子"] == slots["帽子"] | {"slot": "none", "source": "merchant", "confidence": 1.0}
    # the next styling question is built with the setting: no hat in any outfit
    wardrobe = api.app.state.components.pipeline.stylist.wardrobe(MERCHANT)
    assert all(p.slot == "none" for p in map(wardrobe.piece, [p.sku_id for p in
               api.app.state.components.kb.products(MERCHANT) if p.category == "帽子"]))
    gone = api.delete(f"/v1/merchants/{MERCHANT}/slots/帽子", headers=auth(api, "merchant"))
    assert gone.status_code == 200 and gone.json()["settings"] == {"连衣裙": "one_piece"}
    assert _slots(api)["帽子"]["source"] == "read"
    assert api.delete(f"/v1/merchants/{MERCHANT}/slots/帽子", headers=auth(api, "merchant")).status_code == 404


def test_a_bad_file_names_line_and_field_and_stores_nothing(api):  # noqa: F811
    api.post(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "merchant"),
             files={"file": ("slots.csv", CSV.encode(), "text/csv")})
    bad = api.post(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "merchant"),
                   files={"file": ("slots.csv", "category,slot\n外套,outer\n围巾,scarf\n".encode(), "text/csv")})
    assert bad.status_code == 422
    (problem,) = bad.json()["problems"]
    assert (problem["file"], problem["line"], problem["field"]) == ("slots.csv", 3, "slot")
    assert "'scarf'" in problem["message"]
    assert api.get(f"/v1/merchants/{MERCHANT}/slots", headers=auth(api, "merchant")).json()["settings"] == {
        "连衣裙": "one_piece", "帽子": "none"}
