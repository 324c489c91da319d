"""What every error answer of the HTTP API looks like: in the OpenAPI, and from the router itself.

Every error is `{"code", "message"}`, plus `field` (`invalid_name`), `problems`
(`upload_rejected`) or `regressions` (`gate_refused`): `copilot.errors` makes them. The one
other shape is FastAPI's request validation, `{"detail": [{"type", "loc", "msg"}]}` (also
`copilot.input_guard`'s), so a 422 is either.

`API_ERRORS` are the statuses every route of the API can answer (each router declares them);
a route that can also answer 409 or 502 adds `responses(409)` on its decorator.

`routing_error` answers for the router: a path no route has is 404, a method the path does not
take is 405 with `Allow` listing every method the path takes, both in the same body.
"""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, RootModel
from starlette.exceptions import HTTPException
from starlette.routing import Match

from copilot.characters import shown


class Problem(BaseModel):
    """One bad place of an upload."""

    file: str
    line: int | None = None
    field: str | None = None
    message: str
    message_zh: str | None = Field(None, description="the same problem in plain Chinese, for the merchant")


class Error(BaseModel):
    """The body of every error the copilot answers."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="what kind of error, for programs: not_found, forbidden, upload_rejected, …")
    message: str = Field(description="what went wrong and what to do about it, for people")
    field: str | None = Field(None, description="invalid_name: the request field that holds the bad name")
    problems: list[Problem] | None = Field(None, description="upload_rejected: every bad record; nothing was stored")
    regressions: list[dict[str, Any]] | None = Field(
        None, description="gate_refused: the metrics on which the candidate scored worse, per eval set")


class ValidationIssue(BaseModel):
    model_config = ConfigDict(extra="allow")     # FastAPI adds `input`, `ctx`

    type: str
    loc: list[str | int]
    msg: str


class ValidationFailed(BaseModel):
    """FastAPI's answer to a request that does not fit the operation's parameters or body."""

    detail: list[ValidationIssue]


class InvalidInput(RootModel[Error | ValidationFailed]):
    """A 422: the copilot's `{code, message, ...}` or FastAPI's `{detail: [...]}`."""


WHEN = {
    400: "The request cannot be done as asked (the message says why).",
    401: "No API key, or one that is unknown, revoked or expired.",
    403: "The key's role or merchant may not do this.",
    404: "No such thing, or one that belongs to another merchant.",
    409: "The thing is not in a state that allows this (already done, not finished, refused by the eval gate).",
    422: "Invalid input: `{code, message, field | problems}` from the copilot, or `{detail: [...]}` for a "
         "parameter or body that does not fit the schema. Nothing was stored.",
    429: "Too many failed authentications from this client; retry after `Retry-After` seconds.",
    502: "A service the copilot depends on (the LLM endpoint) failed.",
    503: "The ledger or the vector store is unavailable; retry after `Retry-After` seconds.",
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of these error statuses (for a router or a route)."""
    declared: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": InvalidInput if status == 422 else Error,
                                 "description": WHEN[status]}
        if status in (429, 503):
            entry["headers"] = RETRY_AFTER
        declared[status] = entry
    return declared


API_ERRORS = responses(400, 401, 403, 404, 422, 429, 503)

CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def routing_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's and FastAPI's `HTTPException` (the router's 404 and 405) in the one error body."""
    headers = dict(exc.headers or {})
    path, method = shown(request.url.path), request.method
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        message = f"{method} is not allowed on {path}; it takes {', '.join(allowed)}"
    elif exc.status_code == 404 and exc.detail == "Not Found":
        message = f"no {path} in this API; the paths are listed at /docs"
    else:
        message = str(exc.detail)
    return JSONResponse({"code": CODES.get(exc.status_code, f"http_{exc.status_code}"), "message": message},
                        status_code=exc.status_code, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at the request's path (the router's own 405
    names only the first route that has the path): the app's routes are asked, method by method."""
    scope = {key: value for key, value in request.scope.items() if key not in ("fastapi", "route")}
    routes = request.app.router.routes
    return [method for method in METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)]
