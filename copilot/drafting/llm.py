"""A drafter backed by any OpenAI-compatible chat endpoint, through LangChain `ChatOpenAI`.

The reply prompt (or, for conversations that must go to a senior agent, the
escalation prompt) is rendered with the numbered sources, the history and the
message (both already fitted to their token budgets by the caller), then streamed.
Sources, history and message go in as delimited data (`<资料 n>`, `<对话记录>`,
`<顾客消息>`, their own angle brackets made full-width so they cannot end a block); the
prompts say that nothing inside is an instruction, and the pipeline's safety check reads
what the model wrote. Every failure of the endpoint is an `UpstreamError`
that says what happened: a timeout, a refused connection, an HTTP status, a rate
limit, or a stream that stopped before the model finished.

`request.escalation` is read by duck typing: an object whose `escalate` is true
or whose `level` is at least `CRITICAL_LEVEL` selects the escalation prompt; its
`level` and `reasons` (strings) are passed to the prompt as a note on the
shopper's mood.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence

import httpx
import openai
from langchain_openai import ChatOpenAI

from copilot.drafting import DraftRequest
from copilot.errors import ConfigError, NotFound, UpstreamError
from copilot.prompts import PromptLibrary, PromptTemplate
from copilot.turns import Turn
from knowledge.records import Source

REPLY_TASK = "reply"
ESCALATION_TASK = "escalation_reply"
CRITICAL_LEVEL = 3
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 0
# What the drafter offers every prompt; a prompt may use any of them and no other.
VARIABLES = frozenset({"store_name", "facts", "history", "message", "escalation_note"})

SPEAKERS = {"customer": "顾客", "agent": "客服"}
NO_FACTS = "（没有找到相关事实）"
NO_HISTORY = "（无）"
CALM = "无"


class LLMDrafter:
    """Drafts replies with a chat model; see the module docstring."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        prompts: PromptLibrary,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        versions: Mapping[str, int] | None = None,
    ):
        """`versions` pins a prompt version per task (e.g. `{"reply": 1}`); the rest use the latest."""
        self.name = f"llm:{model}"
        self.base_url = base_url
        self.timeout = timeout
        pinned = versions or {}
        try:
            self._prompts = {task: prompts.get(task, pinned.get(task)) for task in (REPLY_TASK, ESCALATION_TASK)}
        except NotFound as err:
            raise ConfigError(f"the LLM drafter cannot start: {err}") from err
        for template in self._prompts.values():
            unknown = sorted(set(template.variables) - VARIABLES)
            if unknown:
                raise ConfigError(
                    f"the LLM drafter cannot fill variable(s) {', '.join(unknown)} of prompt {template.id}; "
                    f"it offers: {', '.join(sorted(VARIABLES))}"
                )
        self._llm = ChatOpenAI(
            base_url=base_url,
            api_key=api_key,
            model=model,
            timeout=timeout,
            max_retries=max_retries,
            stream_chunk_timeout=timeout,
            streaming=True,
        )

    def prompt_for(self, request: DraftRequest) -> PromptTemplate:
        """The prompt that drafts `request` (the request's own for the task, else the drafter's);
        its `id` (e.g. "reply@1") is what to record."""
        task = ESCALATION_TASK if _is_critical(request.escalation) else REPLY_TASK
        return request.prompts.get(task) or self._prompts[task]

    def messages_for(self, request: DraftRequest) -> list[tuple[str, str]]:
        """The chat messages sent to the model for `request`."""
        return self.prompt_for(request).render(
            store_name=request.extra.get("store_name", request.merchant),
            facts=format_facts(request.sources),
            history=format_history(request.history),
            message=format_message(request.message),
            escalation_note=format_escalation(request.escalation),
        )

    async def draft(self, request: DraftRequest) -> AsyncIterator[str]:
        prompt = self.prompt_for(request)
        params = prompt.params.model_dump(exclude_none=True)
        started = finished = False
        try:
            async for chunk in self._llm.astream(self.messages_for(request), **params):
                started = True
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                if chunk.text:
                    yield chunk.text
        except Exception as err:
            upstream = self._translate(err, started=started)
            if upstream is None:
                raise
            raise upstream from err
        if not finished:
            raise UpstreamError(f"LLM stream cut off at {self.base_url}: it ended before the model finished")

    def _translate(self, err: Exception, *, started: bool) -> UpstreamError | None:
        """The endpoint's failure as an `UpstreamError`; None for errors that are not the endpoint's.

        `started`: whether the stream had begun, which makes a lost connection a cut-off stream.
        """
        where = self.base_url
        if isinstance(err, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
            return UpstreamError(f"LLM timed out after {self.timeout:g}s at {where}")
        if isinstance(err, openai.RateLimitError):
            retry = err.response.headers.get("retry-after")
            hint = f", retry after {retry}s" if retry else ""
            return UpstreamError(f"LLM rate-limited (429) at {where}{hint}: {_said(err)}")
        if isinstance(err, openai.APIStatusError):
            return UpstreamError(f"LLM returned HTTP {err.status_code} at {where}: {_said(err)}")
        if isinstance(err, (openai.APIConnectionError, httpx.HTTPError)):
            cause = _root(err)
            if started:
                return UpstreamError(f"LLM stream cut off at {where}: the connection broke mid-reply ({cause})")
            return UpstreamError(f"cannot reach the LLM at {where}: {cause}")
        if isinstance(err, openai.APIError):
            return UpstreamError(f"LLM failed at {where}: {err.message}")
        return None


def _said(err: openai.APIStatusError) -> str:
    """What the endpoint said, from its error body when it sent one."""
    body = err.body
    return str(body["message"]) if isinstance(body, dict) and body.get("message") else err.message


def _root(err: BaseException) -> BaseException:
    """The innermost cause (e.g. httpx's "connection refused" under the SDK's "Connection error.")."""
    while err.__cause__ is not None:
        err = err.__cause__
    return err


def format_facts(sources: Sequence[Source]) -> str:
    """The sources as numbered facts, in rank order: each `[n] title` then the passage inside
    `<资料 n>…</资料>`, data for the model to read, never instructions."""
    if not sources:
        return NO_FACTS
    return "\n\n".join(f"<资料 {n}>\n[{n}] {data(s.title)}\n{data(s.text)}\n</资料 {n}>"
                        for n, s in enumerate(sources, start=1))


def format_history(history: Sequence[Turn]) -> str:
    """The turns, oldest first, one line each, named by speaker, inside `<对话记录>`."""
    if not history:
        return NO_HISTORY
    lines = "\n".join(f"{SPEAKERS[turn.role]}：{data(turn.text)}" for turn in history)
    return f"<对话记录>\n{lines}\n</对话记录>"


def format_message(message: str) -> str:
    """The shopper's message inside `<顾客消息>`: what they wrote, never instructions."""
    return f"<顾客消息>\n{data(message)}\n</顾客消息>"


def data(text: str) -> str:
    """Text from a shopper or the knowledge, unable to close or open a delimiter: its angle
    brackets become full-width."""
    return text.replace("<", "＜").replace(">", "＞")


def format_escalation(assessment: object) -> str:
    level = getattr(assessment, "level", 0) or 0
    if not level and not getattr(assessment, "escalate", False):
        return CALM
    reasons = "；".join(getattr(assessment, "reasons", ()) or ())
    note = f"情绪等级 {level}/{CRITICAL_LEVEL}"
    return f"{note}（{reasons}）" if reasons else note


def _is_critical(assessment: object) -> bool:
    return bool(getattr(assessment, "escalate", False)) or (getattr(assessment, "level", 0) or 0) >= CRITICAL_LEVEL
