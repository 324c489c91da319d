"""Merchant uploads to validated records, all or nothing (`FORMATS.md` sections 1-3).

`parse` reads one file, `parse_many` a whole upload; both raise `UploadRejected`
listing every problem (file, line, field) when any record is bad, so nothing of a
bad upload is ever stored. `guess_kind` and `files_in` map paths to kinds for the CLI.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from copilot import safety
from copilot.errors import BadRequest, InputProblem, UploadRejected
from copilot.safety.fields import quotable
from knowledge.policyfiles import policy_rows
from knowledge.records import ID_PATTERN, KINDS, Faq, Kind, Policy, Product, Record
from knowledge.rows import ATTR_PREFIXES, Row, character_problems, csv_rows, jsonl_rows
from knowledge.textfiles import open_text
from knowledge.uploadfiles import (
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SUFFIXES,
    files_in,
    guess_kind,
)

__all__ = ["Upload", "parse", "parse_many", "guess_kind", "files_in", "faq_id_for",
           "validation_message_zh"]

REQUIRED_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "sku": ("sku_id", "title", "category", "price", "stock"),
    "faq": ("question", "answer"),
}
MODELS: dict[Kind, type[BaseModel]] = {"sku": Product, "policy": Policy, "faq": Faq}
ID_FIELDS: dict[Kind, str] = {"sku": "sku_id", "policy": "policy_id", "faq": "faq_id"}
TAG_SEPARATOR = "|"
FAQ_ID_PREFIX = "faq-"
FAQ_ID_HEX_CHARS = 12
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
_MESSAGES = {
    "missing": "required field is missing or empty",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be 1-128 ASCII letters, digits or _ . : - "
                               "starting with a letter or digit",
}
_INPUT_SHOWN_CHARS = 60
KIND_ZH: dict[Kind, str] = {"sku": "商品", "policy": "政策", "faq": "常见问题"}
_ID_RULE_ZH = "编号只能用 1-128 个英文字母、数字或 _ . : -，并以字母或数字开头"
_NOT_A_NUMBER_ZH = "必须是数字，例如 1599 或 1599.00"
_NOT_A_WHOLE_NUMBER_ZH = "必须是整数，例如 12"


def _too_short_zh(ctx: dict, got: str) -> str:
    least = ctx.get("min_length", 1)
    return "不能为空" if least == 1 else f"至少要有 {least} 个字符"


def _pattern_zh(ctx: dict, got: str) -> str:
    return _ID_RULE_ZH + got if ctx.get("pattern") == ID_PATTERN else f"格式不对{got}"


# pydantic's error type -> (the problem's context values, what was received) -> Chinese
_MESSAGES_ZH = {
    "missing": lambda ctx, got: "缺少必填字段，或该字段为空",
    "string_too_short": _too_short_zh,
    "string_too_long": lambda ctx, got: f"太长了：最多 {ctx.get('max_length')} 个字符{got}",
    "string_pattern_mismatch": _pattern_zh,
    "greater_than_equal": lambda ctx, got: f"不能小于 {ctx.get('ge')}{got}",
    "greater_than": lambda ctx, got: f"必须大于 {ctx.get('gt')}{got}",
    "less_than_equal": lambda ctx, got: f"不能大于 {ctx.get('le')}{got}",
    "less_than": lambda ctx, got: f"必须小于 {ctx.get('lt')}{got}",
    "int_type": lambda ctx, got: _NOT_A_WHOLE_NUMBER_ZH + got,
    "int_parsing": lambda ctx, got: _NOT_A_WHOLE_NUMBER_ZH + got,
    "int_from_float": lambda ctx, got: _NOT_A_WHOLE_NUMBER_ZH + got,
    "decimal_parsing": lambda ctx, got: _NOT_A_NUMBER_ZH + got,
    "decimal_type": lambda ctx, got: _NOT_A_NUMBER_ZH + got,
    "float_parsing": lambda ctx, got: _NOT_A_NUMBER_ZH + got,
    "float_type": lambda ctx, got: _NOT_A_NUMBER_ZH + got,
    "decimal_max_digits": lambda ctx, got: f"数字太长：最多 {ctx.get('max_digits')} 位数字{got}",
    "decimal_max_places": lambda ctx, got: f"小数最多 {ctx.get('decimal_places')} 位{got}",
    "dict_type": lambda ctx, got: f"必须是“名称: 内容”的对象，例如 {{\"产地\": \"杭州\"}}{got}",
    "model_type": lambda ctx, got: f"必须是 JSON 对象 {{...}}{got}",
    "list_type": lambda ctx, got: f"必须是列表，例如 [\"送礼\", \"新品\"]{got}",
    "string_type": lambda ctx, got: f"必须是文字（JSON 里用双引号括起来）{got}",
    "bool_parsing": lambda ctx, got: f"必须是 true 或 false{got}",
    "bool_type": lambda ctx, got: f"必须是 true 或 false{got}",
    "literal_error": lambda ctx, got: "只能是 " + re.sub(r", | or ", "、", str(ctx.get("expected", "")))
                                      + f" 之一{got}",
}


def _shown_zh(value: Any) -> str:
    """A received value as a merchant wrote it: text quoted, numbers plain, JSON for the rest."""
    if isinstance(value, str):
        shown = repr(value)
    elif isinstance(value, bool) or value is None:
        shown = json.dumps(value)
    elif isinstance(value, (int, float, Decimal)):
        shown = str(value)
    else:
        shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown[:_INPUT_SHOWN_CHARS] + "..." if len(shown) > _INPUT_SHOWN_CHARS else shown


def validation_message_zh(detail: dict) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in plain Chinese, with the
    value received (except for a missing field, which has none)."""
    value = detail.get("input")
    if detail["type"] == "missing":
        got = ""
    elif detail["type"] == "string_too_long" and isinstance(value, str):
        got = f"（现有 {len(value)} 个字符）"
    else:
        got = f"（收到 {_shown_zh(value)}）"
    known = _MESSAGES_ZH.get(detail["type"])
    return known(detail.get("ctx") or {}, got) if known else f"填写有误{got}"


def parse(kind: Kind, name: str, data: bytes) -> list[Record]:
    """Validated records of one uploaded file named `name` holding `kind` knowledge."""
    return [record for _, record in _parse(kind, name, data)]


@dataclass(frozen=True)
class Upload:
    records: list[Record]
    warnings: list[InputProblem]   # text the safety check flags: stored, never quoted, shown flagged


def parse_many(kind: Kind, files: list[tuple[str, bytes]], *,
               allowed_hosts: Sequence[str] = ()) -> Upload:
    """Validated records of a whole upload; an id may appear only once across its files. Text the
    safety check flags (`copilot.safety`; links to hosts other than `allowed_hosts`, requests
    for passwords, ...) is a warning naming file, line and field, not a refusal."""
    if not files:
        raise BadRequest(f"no files to load; give at least one {kind} file")
    problems: list[InputProblem] = []
    warnings: list[InputProblem] = []
    first_seen: dict[str, tuple[str, int]] = {}
    records: list[Record] = []
    for name, data in files:
        try:
            parsed = _parse(kind, name, data)
        except UploadRejected as rejected:
            problems.extend(rejected.problems)
            continue
        for row, record in parsed:
            line = row.line_of(ID_FIELDS[kind])
            warnings += _flagged(name, row, record, allowed_hosts)
            if record.id in first_seen:
                other, other_line = first_seen[record.id]
                problems.append(InputProblem(
                    name, line, ID_FIELDS[kind], f"duplicate {ID_FIELDS[kind]} {record.id!r}: "
                    f"also in {other} line {other_line}; keep one of them",
                    f"编号 {record.id!r} 重复：{other} 第 {other_line} 行也有，请只保留一个"))
            else:
                first_seen[record.id] = (name, line)
                records.append(record)
    if problems:
        raise UploadRejected(problems)
    return Upload(records, warnings)


def _flagged(name: str, row: Row, record: Record, allowed_hosts: Sequence[str]) -> list[InputProblem]:
    flagged = []
    for field, text in quotable(record.model_dump(mode="json")):
        for finding in safety.scan(text, allowed_hosts):
            message = f"可疑内容（已保存；草稿不会引用，客服会看到提示）：{finding.reason}"   # Chinese in both
            flagged.append(InputProblem(name, row.line_of(field.split(".")[0]), field, message, message))
    return flagged


def faq_id_for(question: str) -> str:
    """The stable id of an FAQ without one: the same question always gets the same id.

    Width, case, spaces and punctuation do not count, so `有色差吗？` and
    `有色差吗 ?` are one question.
    """
    folded = unicodedata.normalize("NFKC", question).casefold()
    key = "".join(c for c in folded if c.isalnum()) or folded.strip()
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()
    return FAQ_ID_PREFIX + digest[:FAQ_ID_HEX_CHARS]


def _parse(kind: Kind, name: str, data: bytes) -> list[tuple[Row, Record]]:
    if kind not in KINDS:
        raise BadRequest(f"unknown knowledge kind {kind!r}; use one of {', '.join(KINDS)}")
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES[kind]:
        raise UploadRejected([InputProblem(
            name, None, None, f"a {kind} file must end in {' or '.join(SUFFIXES[kind])}, "
            f"not {suffix or 'no suffix'}",
            f"{KIND_ZH[kind]}文件的扩展名必须是 {' 或 '.join(SUFFIXES[kind])}，"
            f"而不是 {suffix or '（没有扩展名）'}")])
    tf = open_text(name, data)
    if suffix in JSONL_SUFFIXES:
        rows, problems = jsonl_rows(tf)
    elif suffix in MARKDOWN_SUFFIXES:
        rows, problems = policy_rows(tf)
    else:
        rows, problems = csv_rows(tf, required=REQUIRED_COLUMNS[kind])
    problems = [*tf.problems, *problems]
    parsed: list[tuple[Row, Record]] = []
    for row in rows:
        if bad := character_problems(name, row, physical_lines=suffix not in JSONL_SUFFIXES):
            problems.extend(bad)   # refused as it is: validating would echo the bad strings
            continue
        fields, field_problems = _prepare(kind, name, row, from_csv=suffix == ".csv")
        try:
            parsed.append((row, MODELS[kind].model_validate(fields)))
        except ValidationError as error:
            field_problems.extend(_validation_problems(name, row, error))
        problems.extend(field_problems)
    problems.extend(_duplicate_problems(kind, name, parsed))
    if not rows and not problems:
        problems.append(InputProblem(name, None, None, "file holds no records", "文件里没有任何记录"))
    if problems:
        raise UploadRejected(_one_per_field(kind, problems))
    return parsed


def _prepare(kind: Kind, name: str, row: Row, *,
             from_csv: bool) -> tuple[dict[str, Any], list[InputProblem]]:
    """Raw fields to model input: null is absent, tag cells split, CSV text typed."""
    fields = {key: value for key, value in row.fields.items() if value is not None}
    problems: list[InputProblem] = []
    if isinstance(fields.get("tags"), str):
        fields["tags"] = fields["tags"].split(TAG_SEPARATOR)
    if kind == "faq" and not fields.get("faq_id") and isinstance(fields.get("question"), str):
        fields["faq_id"] = faq_id_for(fields["question"])
    if kind == "sku" and from_csv:
        attr = ATTR_PREFIXES[0]
        fields["attributes"] = {key[len(attr):]: fields.pop(key)
                                for key in list(fields) if key.startswith(attr)}
        if "stock" in fields and _WHOLE_NUMBER.fullmatch(fields["stock"]):
            fields["stock"] = int(fields["stock"])
        price = fields.get("price")
        if price is not None and not _PLAIN_NUMBER.fullmatch(price):
            problems.append(InputProblem(name, row.line, "price", "price must be a number "
                                         f"such as 1599 or 1599.00 (got {price!r})",
                                         f"价格{_NOT_A_NUMBER_ZH}（收到 {price!r}）"))
    return fields, problems


def _validation_problems(name: str, row: Row, error: ValidationError) -> list[InputProblem]:
    problems = []
    for detail in error.errors():
        loc = detail["loc"]
        field = ".".join(str(part) for part in loc) or None
        message = _MESSAGES.get(detail["type"])
        if message is None:
            shown = repr(detail["input"])
            if len(shown) > _INPUT_SHOWN_CHARS:
                shown = shown[:_INPUT_SHOWN_CHARS] + "..."
            message = f"{detail['msg']} (got {shown})"
        problems.append(InputProblem(name, row.line_of(str(loc[0]) if loc else None),
                                     field, message, validation_message_zh(detail)))
    return problems


def _duplicate_problems(kind: Kind, name: str,
                        parsed: Iterable[tuple[Row, Record]]) -> list[InputProblem]:
    id_field = ID_FIELDS[kind]
    first_line: dict[str, int] = {}
    problems = []
    for row, record in parsed:
        line = row.line_of(id_field)
        if record.id in first_line:
            problems.append(InputProblem(
                name, line, id_field, f"duplicate {id_field} {record.id!r}: also on line "
                f"{first_line[record.id]}; each id may appear once",
                f"编号 {record.id!r} 重复：第 {first_line[record.id]} 行也有，请只保留一个"))
        else:
            first_line[record.id] = line
    return problems


def _one_per_field(kind: Kind, problems: list[InputProblem]) -> list[InputProblem]:
    """The first problem of each (line, field), in line then field order; file-wide first."""
    seen: set[tuple[int | None, str | None]] = set()
    kept = []
    for problem in problems:
        if problem.field is None or (problem.line, problem.field) not in seen:
            seen.add((problem.line, problem.field))
            kept.append(problem)
    order = list(MODELS[kind].model_fields)

    def position(problem: InputProblem) -> tuple[int, int]:
        top = (problem.field or "").split(".")[0]
        return (-1 if problem.line is None else problem.line,
                order.index(top) if top in order else -1)

    return sorted(kept, key=position)
