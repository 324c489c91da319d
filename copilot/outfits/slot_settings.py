"""A merchant's own slot settings: the upload file `slots.csv` and its checks.

    category,slot
    汉服套装,one_piece
    鞋服护理,none

One row per category; `slot` is one of `slots.SLOT_NAMES` (the README lists them with
what each holds). A setting wins over the reading by meaning; uploading replaces
the merchant's settings for the categories it names. A bad row rejects the whole file
with its line and field, and nothing is stored.
"""
from __future__ import annotations

from copilot.errors import InputProblem, UploadRejected
from copilot.outfits.slots import SLOT_NAMES
from knowledge.rows import character_problems, csv_rows
from knowledge.textfiles import open_text

FILE_NAME = "slots.csv"
COLUMNS = ("category", "slot")


def parse_slot_settings(name: str, data: bytes) -> dict[str, str]:
    """category -> slot; `UploadRejected` names every bad row's line and field."""
    text = open_text(name, data)
    rows, problems = csv_rows(text, required=COLUMNS)
    problems = list(text.problems) + problems
    settings: dict[str, str] = {}
    for row in rows:
        if bad := character_problems(name, row, physical_lines=True):
            problems.extend(bad)
            continue
        category, slot = row.fields.get("category", ""), row.fields.get("slot", "").lower()
        if not category:
            problems.append(InputProblem(name, row.line, "category", "empty; name the category as the catalog does",
                                         "类目为空；请按商品目录里的写法填写类目"))
        elif len(category) > 100:
            problems.append(InputProblem(name, row.line, "category", "longer than 100 characters",
                                         f"类目名称太长：最多 100 个字符（现有 {len(category)} 个）"))
        elif slot not in SLOT_NAMES:
            problems.append(InputProblem(name, row.line, "slot",
                                         f"{slot or '(empty)'!r} is not a slot; use one of {', '.join(SLOT_NAMES)}",
                                         f"{slot or '（空）'!r} 不是可用的部位；请用 {'、'.join(SLOT_NAMES)} 之一"))
        elif category in settings and settings[category] != slot:
            problems.append(InputProblem(name, row.line, "category", f"{category!r} is set twice",
                                         f"类目 {category!r} 设置了两次，且部位不同；请只保留一行"))
        else:
            settings[category] = slot
    if problems:
        raise UploadRejected(problems)
    return settings
