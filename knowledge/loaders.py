"""Merchant uploads to validated records, all or nothing (`FORMATS.md` sections 1-3).

`parse` reads one file, `parse_many` a whole upload; both raise `UploadRejected`
listing every problem (file, line, field) when any record is bad, so nothing of a
bad upload is ever stored. `guess_kind` and `files_in` map paths to kinds for the CLI.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from copilot import safety
from copilot.errors import BadRequest, InputProblem, UploadRejected
from copilot.safety.fields import quotable
from knowledge.policyfiles import policy_rows
from knowledge.records import KINDS, Faq, Kind, Policy, Product, Record
from knowledge.rows import ATTR_PREFIXES, Row, character_problems, csv_rows, jsonl_rows
from knowledge.textfiles import open_text
from knowledge.uploadfiles import (
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SUFFIXES,
    files_in,
    guess_kind,
)

__all__ = ["Upload", "parse", "parse_many", "guess_kind", "files_in", "faq_id_for"]

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
                    f"also in {other} line {other_line}; keep one of them"))
            else:
                first_seen[record.id] = (name, line)
                records.append(record)
    if problems:
        raise UploadRejected(problems)
    return Upload(records, warnings)


def _flagged(name: str, row: Row, record: Record, allowed_hosts: Sequence[str]) -> list[InputProblem]:
    return [InputProblem(name, row.line_of(field.split(".")[0]), field,
                         f"可疑内容（已保存；草稿不会引用，客服会看到提示）：{finding.reason}")
            for field, text in quotable(record.model_dump(mode="json"))
            for finding in safety.scan(text, allowed_hosts)]


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
            f"not {suffix or 'no suffix'}")])
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
        problems.append(InputProblem(name, None, None, "file holds no records"))
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
                                         f"such as 1599 or 1599.00 (got {price!r})"))
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
                                     field, message))
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
                f"{first_line[record.id]}; each id may appear once"))
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
