"""The one exception tree of the copilot.

Every error the library raises on purpose is a `CopilotError`; the HTTP layer maps
`status` to the response code and `detail()` to the body, the CLI prints `str(err)`.
Messages say what went wrong and what to do about it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


class CopilotError(Exception):
    status = 500
    code = "internal_error"

    def detail(self) -> dict:
        return {"code": self.code, "message": str(self)}

    def headers(self) -> dict[str, str]:
        """Response headers the error needs (Retry-After for 429 and 503)."""
        retry_after = getattr(self, "retry_after", None)
        return {"Retry-After": str(retry_after)} if retry_after else {}


class ConfigError(CopilotError):
    """Settings that cannot work; raised at start-up."""

    code = "config_error"


class NotFound(CopilotError):
    status = 404
    code = "not_found"


class UnknownMerchant(NotFound):
    code = "unknown_merchant"

    def __init__(self, merchant: str):
        super().__init__(   # never lists the merchants there are: that is other tenants' business
            f"unknown merchant {merchant!r}; create it first with "
            f"`copilot merchants add {merchant}` or POST /v1/merchants"
        )
        self.merchant = merchant


class BadRequest(CopilotError):
    status = 400
    code = "bad_request"


class InvalidName(CopilotError):
    """A name or label a client chose that breaks the rules of `copilot.names`; nothing was stored."""

    status = 422
    code = "invalid_name"

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field

    def detail(self) -> dict:
        return {"code": self.code, "message": str(self), "field": self.field}


class Conflict(CopilotError):
    status = 409
    code = "conflict"


class Unauthorized(CopilotError):
    status = 401
    code = "unauthorized"


class Forbidden(CopilotError):
    status = 403
    code = "forbidden"


class TooManyRequests(CopilotError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class StoreUnavailable(CopilotError):
    """The ledger or the vector store failed, timed out or is full: try again later."""

    status = 503
    code = "store_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class UpstreamError(CopilotError):
    """A dependency (LLM endpoint, Chroma server, webhook) failed."""

    status = 502
    code = "upstream_error"


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with one place of an uploaded file: `message` in English (API and CLI
    users), `message_zh` the same problem in plain Chinese for the merchant and trainer pages."""

    file: str
    line: int | None
    field: str | None
    message: str
    message_zh: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.message}"


class UploadRejected(CopilotError):
    """An upload with at least one bad record; nothing of it was stored."""

    status = 422
    code = "upload_rejected"

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"upload rejected, nothing stored: {len(problems)} problem(s)\n{lines}"
        )

    def detail(self) -> dict:
        return {
            "code": self.code,
            "message": f"upload rejected, nothing stored: {len(self.problems)} problem(s)",
            "problems": [asdict(p) for p in self.problems],
        }


class InvalidPrompt(CopilotError):
    """A prompt version a trainer sent that does not validate; nothing was stored."""

    status = 422
    code = "invalid_prompt"


class GateRefused(Conflict):
    """A prompt version that scored worse than the active one on the merchant's eval sets."""

    code = "gate_refused"

    def __init__(self, message: str, regressions: list[dict]):
        super().__init__(message)
        self.regressions = regressions

    def detail(self) -> dict:
        return {"code": self.code, "message": str(self), "regressions": self.regressions}
