"""Eval sets (FORMATS.md section 4): JSONL, one case per line, validated on load."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.characters import flaws_in
from copilot.errors import InputProblem, UploadRejected
from copilot.turns import Turn
from knowledge.loaders import validation_message_zh
from knowledge.rows import flaw_message_zh


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CaseContext(_Model):
    sku_id: str | None = None


class HistoryTurn(_Model):
    role: Literal["customer", "agent"]
    text: str


class Expect(_Model):
    kind: Literal["reply", "outfit", "escalation"]
    sources: list[str] = []
    facts: list[str | list[str]] = []
    must_not: list[str] = []
    escalate: bool | None = None
    outfits: int | None = None
    allowed_categories: list[str] | None = None
    budget: Decimal | None = None     # outfit cases: the most the added items may cost (the shopper's budget)


class EvalCase(_Model):
    id: str = Field(min_length=1)
    message: str = Field(min_length=1)
    context: CaseContext = CaseContext()
    history: list[HistoryTurn] = []
    expect: Expect
    level: int | None = Field(None, ge=0, le=3)   # the mood level a labeller gave (0 calm .. 3 critical)

    @property
    def sku(self) -> str | None:
        return self.context.sku_id

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(Turn(role=t.role, text=t.text) for t in self.history)


def load_cases(path: Path) -> list[EvalCase]:
    """All cases of an eval set file; every bad line is reported, with its line and field."""
    return parse_cases(path.read_text(encoding="utf-8-sig"), source=str(path))


def parse_cases(text: str, *, source: str) -> list[EvalCase]:
    """All cases of an eval set's JSONL text; `UploadRejected` lists every bad line and field."""
    problems: list[InputProblem] = []
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    # split at line feeds only: JSON text may hold U+2028 and other breaks `splitlines` cuts at
    for n, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(InputProblem(source, n, None, f"invalid JSON: {err.msg}",
                                         f"不是有效的 JSON：第 {err.colno} 列附近格式有误；"
                                         "每行必须是一个完整的 JSON 对象"))
            continue
        if flawed := flaws_in(raw):   # a control character or lone surrogate in any field
            problems += [InputProblem(source, n, at.field or None, str(at), flaw_message_zh(at))
                         for at in flawed]
            continue
        try:
            case = EvalCase.model_validate(raw)
        except ValidationError as err:
            problems += [InputProblem(source, n, ".".join(map(str, e["loc"])), e["msg"],
                                      validation_message_zh(e))
                         for e in err.errors()]
            continue
        if case.id in seen:
            problems.append(InputProblem(source, n, "id",
                                         f"duplicate id {case.id!r} (first on line {seen[case.id]})",
                                         f"编号 {case.id!r} 重复：第 {seen[case.id]} 行也有，请只保留一个"))
        seen[case.id] = n
        cases.append(case)
    if not cases and not problems:
        problems.append(InputProblem(source, None, None, "the eval set has no cases",
                                     "评测集里没有任何用例"))
    if problems:
        raise UploadRejected(problems)
    return cases
