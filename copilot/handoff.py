"""The hand-off brief: what whoever takes a conversation over needs, read from what the ledger
holds (extractive: every line is a message, an assessment or a catalog field, nothing
invented).

- why: the escalation reasons of the latest escalated assessment, or the colleague's note;
- mood: the assessed level of each shopper message, in order;
- asked / answered: the shopper's messages and the replies that were sent;
- still open: the shopper's messages after the last reply, and the questions a draft found
  no answer to (the conversation's knowledge gaps);
- products: every SKU the shopper viewed or a draft cited, with price and stock.

With an LLM configured, `BriefWriter` also has the model write these lines up as a few
sentences (`summary`, prompt `handoff`); when it fails or takes too long, the brief is the
extractive lines alone.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace

from copilot.errors import NotFound
from copilot.ledger import Ledger
from copilot.prompts import PromptLibrary
from knowledge.base import KnowledgeBase

log = logging.getLogger(__name__)
HANDOFF_TASK = "handoff"

MAX_LINES = 8          # of each list: the latest ones
MAX_CHARS = 120        # of each quoted message


@dataclass(frozen=True)
class Brief:
    conversation_id: str
    shopper: str
    why: list[str]
    mood: list[dict]
    asked: list[str]
    answered: list[str]
    still_open: list[str]
    products: list[dict]
    note: str | None = None
    by: str | None = None
    lines: list[str] = field(default_factory=list)
    summary: str | None = None        # the lines written up by the LLM, when one is configured

    def to_dict(self) -> dict:
        return asdict(self)


class BriefWriter:
    """Has an OpenAI-compatible chat model write a brief's lines up as a few sentences."""

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float, prompts: PromptLibrary) -> None:
        from langchain_openai import ChatOpenAI

        self._prompt = prompts.get(HANDOFF_TASK)
        self._llm = ChatOpenAI(base_url=base_url, api_key=api_key, model=model, timeout=timeout, max_retries=0,
                               **self._prompt.params.model_dump(exclude_none=True))

    def write(self, made: Brief) -> Brief:
        from copilot.drafting.llm import data

        try:
            answer = self._llm.invoke(self._prompt.render(brief=data("\n".join(made.lines))))
        except Exception as err:  # noqa: BLE001 - the extractive brief stands on its own
            log.warning("the hand-off summary of %s was not written: %s", made.conversation_id, err)
            return made
        return replace(made, summary=str(answer.content).strip() or None)


def brief(ledger: Ledger, kb: KnowledgeBase, conversation_id: str, *, note: str | None = None,
          by: str | None = None, writer: BriefWriter | None = None) -> Brief:
    conv = ledger.get_conversation(conversation_id)
    messages = ledger.messages(conversation_id)
    events = ledger.events_after(conversation_id, None)
    assessed = {e.body.get("suggestion_id"): e.body for e in events if e.type == "escalation"}
    suggestions = ledger.suggestions(conversation_id)
    by_message = {s.message_id: assessed.get(s.id) for s in suggestions if s.id in assessed}
    mood = [{"text": _quote(m.text), "level": a["level"], "label_zh": a["label_zh"]}
            for m in messages if m.role == "customer" and (a := by_message.get(m.id))]
    escalated = [a for a in assessed.values() if a.get("escalate")]
    why = list(escalated[-1]["reasons"]) if escalated else []
    last_reply = max((m.seq for m in messages if m.role == "agent"), default=0)
    gaps = [g.question for g in reversed(ledger.knowledge_gaps(conv.merchant, conversation_id=conversation_id))]
    made = Brief(
        conversation_id=conversation_id, shopper=conv.shopper, why=why, mood=mood[-MAX_LINES:],
        asked=[_quote(m.text) for m in messages if m.role == "customer"][-MAX_LINES:],
        answered=[_quote(m.text) for m in messages if m.role == "agent"][-MAX_LINES:],
        still_open=list(dict.fromkeys(
            [_quote(m.text) for m in messages if m.role == "customer" and m.seq > last_reply]
            + [_quote(q) for q in gaps]))[-MAX_LINES:],
        products=_products(kb, conv.merchant, _skus(messages, suggestions, events)),
        note=note, by=by)
    made = replace(made, lines=_lines(made))
    return writer.write(made) if writer else made


def products(ledger: Ledger, kb: KnowledgeBase, conversation_id: str) -> list[dict]:
    """Every SKU the shopper viewed or a draft cited in the conversation, with price and stock."""
    merchant = ledger.get_conversation(conversation_id).merchant
    return _products(kb, merchant, _skus(ledger.messages(conversation_id), ledger.suggestions(conversation_id),
                                         ledger.events_after(conversation_id, None)))


def _skus(messages, suggestions, events) -> list[str]:
    viewed = [m.sku_in_view for m in messages if m.sku_in_view]
    kinds = {src["id"]: src["kind"] for e in events if e.type == "sources" for src in e.body.get("sources", [])}
    cited = [sid for s in suggestions for sid in s.citations if kinds.get(sid) == "sku"]
    return list(dict.fromkeys(viewed + cited))


def _products(kb: KnowledgeBase, merchant: str, skus: list[str]) -> list[dict]:
    found = []
    for sku in skus[:MAX_LINES]:
        try:
            product = kb.get(merchant, "sku", sku)
        except NotFound:
            continue
        found.append({"sku": sku, "title": product.title, "price": str(product.price), "stock": product.stock})
    return found


def _quote(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _lines(b: Brief) -> list[str]:
    """The brief as the lines a colleague reads (Chinese: the agents' language)."""
    lines = []
    if b.note:
        lines.append(f"转交备注（{b.by or '同事'}）：{b.note}")
    if b.why:
        lines.append("升级原因：" + "；".join(b.why))
    if b.mood:
        lines.append("情绪变化：" + " → ".join(m["label_zh"] for m in b.mood))
    if b.asked:
        lines.append("顾客问了：" + " / ".join(b.asked))
    lines.append("已回复：" + (" / ".join(b.answered) if b.answered else "尚未回复"))
    if b.still_open:
        lines.append("待处理：" + " / ".join(b.still_open))
    if b.products:
        lines.append("涉及商品：" + "；".join(
            f"{p['title']}（{p['sku']}，¥{p['price']}，{'有货 ' + str(p['stock']) + ' 件' if p['stock'] else '缺货'}）"
            for p in b.products))
    return lines
