"""Rows of a tabular upload (JSONL or CSV), each with the line it came from.

Readers only split a file into field dictionaries and report what makes a line
unreadable; turning fields into records is the loaders' job.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from copilot.characters import LINE_BREAKS, FlawAt, flaws_in
from copilot.errors import InputProblem
from knowledge.textfiles import TextFile

ATTR_PREFIXES = ("attr:", "attr：")  # the full-width colon is what a Chinese IME types
JSON_TYPES_ZH = {"list": "列表 [...]", "str": "字符串", "int": "整数", "Decimal": "数字", "float": "数字",
                 "bool": "true/false", "NoneType": "null"}
_CONTROL_NAMES_ZH = {0x00: "空字符 NUL", 0x09: "制表符", 0x0A: "换行符", 0x0D: "回车符",
                     0x1B: "转义符 ESC", 0x7F: "删除符 DEL"}


@dataclass(frozen=True)
class Row:
    """One record's raw fields and the 1-based line it starts on."""

    line: int
    fields: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str | None) -> int:
        """The line of one field (front matter keys have their own), else the record's."""
        return self.field_lines.get(name or "", self.line)


def jsonl_rows(tf: TextFile) -> tuple[list[Row], list[InputProblem]]:
    """One JSON object per line; blank lines are skipped; numbers keep their exact value."""
    rows: list[Row] = []
    problems: list[InputProblem] = []
    for number, line in tf.lines():
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_float=Decimal, parse_constant=_no_constant)
        except ValueError as error:
            if isinstance(error, json.JSONDecodeError):
                detail = f"{error.msg} at column {error.colno}"
                detail_zh = f"第 {error.colno} 列附近格式有误"
            else:
                detail = str(error)
                detail_zh = (f"{error.constant} 不是价格或库存能用的数字"
                             if isinstance(error, _Constant) else "数字或格式有误")
            problems.append(InputProblem(tf.name, number, None, f"invalid JSON: {detail}; "
                                         "each line must be one complete JSON object",
                                         f"不是有效的 JSON：{detail_zh}；每行必须是一个完整的 JSON 对象"))
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__
            problems.append(InputProblem(tf.name, number, None, "each line must be a JSON "
                                         f"object {{...}}, not a {kind}",
                                         f"每行必须是一个 JSON 对象 {{...}}，不能是"
                                         f"{JSON_TYPES_ZH.get(kind, '其他类型的值')}"))
            continue
        rows.append(Row(number, value))
    return rows, problems


class _Constant(ValueError):
    def __init__(self, constant: str):
        super().__init__(f"{constant} is not a number a price or stock can hold")
        self.constant = constant


def _no_constant(name: str) -> None:
    raise _Constant(name)


def csv_rows(tf: TextFile, *, required: tuple[str, ...]) -> tuple[list[Row], list[InputProblem]]:
    """Rows of a CSV file with a header; empty cells are left out of a row's fields.

    Column names are trimmed and lower-cased, except the NAME of `attr:NAME`
    columns, which is kept as written (and `attr：` is read as `attr:`).
    """
    reader = csv.reader(io.StringIO(tf.text, newline=""))
    header: list[str] = []
    for cells in reader:
        if any(c.strip() for c in cells):
            header = [column_name(c) for c in cells]
            break
    header_line = reader.line_num
    problems = _header_problems(tf.name, header_line, header, required)
    if problems:
        return [], problems
    rows: list[Row] = []
    previous = reader.line_num
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(InputProblem(
                    tf.name, line, None, f"row has {len(cells)} cells but the header has "
                    f"{len(header)} columns; put cells holding commas in double quotes",
                    f"这一行有 {len(cells)} 个单元格，但表头只有 {len(header)} 列；"
                    "含逗号的单元格请用英文双引号括起来"))
                continue
            fields = {name: cell.strip() for name, cell in zip(header, cells)
                      if name and cell.strip()}
            rows.append(Row(line, fields))
    except csv.Error as error:
        problems.append(InputProblem(tf.name, previous + 1, None, f"unreadable CSV: {error}",
                                     "CSV 格式有误，从这一行起无法读取；请检查双引号是否成对"
                                     "（少一个引号会把后面的内容都读进同一个单元格）"))
    return rows, problems


def column_name(cell: str) -> str:
    name = cell.strip()
    for prefix in ATTR_PREFIXES:
        if name.lower().startswith(prefix):
            return ATTR_PREFIXES[0] + name[len(prefix):].strip()
    return name.lower()


def _header_problems(name: str, line: int, header: list[str],
                     required: tuple[str, ...]) -> list[InputProblem]:
    if not header:
        return [InputProblem(name, None, None, "file has no header row and no records",
                             "文件没有表头行，也没有任何记录")]
    problems = [
        InputProblem(name, line, column, f"header lacks the required column {column!r}; "
                     f"the header must name {', '.join(required)}",
                     f"缺少必填字段：表头没有 {column!r} 列；表头必须包含 {'、'.join(required)}")
        for column in required if column not in header
    ]
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            problems.append(InputProblem(name, line, column,
                                         f"column {column!r} appears twice in the header",
                                         f"表头里 {column!r} 列出现了两次，请只保留一列"))
        seen.add(column)
        if column == ATTR_PREFIXES[0]:
            problems.append(InputProblem(name, line, column, "an attribute column needs a "
                                         "name after 'attr:', e.g. attr:材质",
                                         "属性列要在 'attr:' 后写上属性名，例如 attr:材质"))
    return problems


def character_problems(name: str, row: Row, *, physical_lines: bool) -> list[InputProblem]:
    """A problem for each field of `row` holding a control character or a lone surrogate
    (`copilot.characters`; cells may hold tab and line breaks, column names may not).

    With `physical_lines` (CSV, Markdown) a field's line breaks are lines of the file, so
    the problem names the line the character is on; a JSONL record is one line.
    """
    problems = []
    for at in flaws_in(row.fields):
        line = row.line_of(str(at.path[0]))
        value = row.fields.get(at.path[0]) if len(at.path) == 1 and not at.in_key else None
        if physical_lines and isinstance(value, str):
            line += value[:at.flaw.index].count("\n")
        problems.append(InputProblem(name, line, at.field, str(at), flaw_message_zh(at)))
    return problems


def flaw_message_zh(at: FlawAt) -> str:
    """`str(at)` in plain Chinese: which character may not be there, where, and what to do."""
    code = ord(at.flaw.char)
    if at.flaw.surrogate:
        what, advice = f"无效字符 U+{code:04X}（半个 UTF-16 代理对）", "请改成正常的文字"
    else:
        name = _CONTROL_NAMES_ZH.get(code)
        what = f"控制字符 U+{code:04X}" + (f"（{name}）" if name else "")
        advice = "这里只能写一行，请删除它" if at.flaw.char in LINE_BREAKS else "请删除它"
    return f"{'字段名' if at.in_key else ''}第 {at.flaw.index + 1} 个字符是{what}；{advice}"
