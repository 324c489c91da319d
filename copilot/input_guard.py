"""The one gate every request passes: no bad characters in any string a client sends.

`RefuseBadText` is a pure ASGI middleware, so every route (and every route added
later) gets it for free. Before the app sees a request it reads the path parameters,
the query parameters and the body (JSON at any depth, including object keys;
URL-encoded and multipart form fields, and the file names of multipart files) and
answers 422 when a string is not UTF-8 or holds what `copilot.characters` refuses.
Free text (JSON string values, form field values) may hold tab and line breaks;
parameters, keys and file names may not. The body is FastAPI's usual
`{"detail": [{"type", "loc", "msg"}]}`, `loc` naming the field (`["body", "history",
1, "text"]`, `["query", "merchant"]`, `["path", "name"]`).

File contents are not read here: each upload format checks its own records and
names file, line and field (`knowledge.loaders`, `evals.cases`).

The body is kept while it is checked (in memory up to `MEMORY_BYTES`, then in a
temporary file) and handed to the app unchanged afterwards.
"""
from __future__ import annotations

import json
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import unquote_to_bytes

import anyio.to_thread
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copilot.characters import Flaw, flaw, flaws_in, shown

MEMORY_BYTES = 1024 * 1024        # a body over this is kept in a temporary file while checked
REPLAY_BYTES = 64 * 1024          # the size of the pieces the app then receives it in
MAX_FIELD_BYTES = 1024 * 1024     # a form field over this is left to the app's own limit
MAX_ERRORS = 20
Problem = dict[str, Any]


class RefuseBadText:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = _path_problems(scope) + _pairs_problems(scope.get("query_string", b""), "query",
                                                           free_text=False)
        check = None if problems else _body_check(scope)
        body = None
        try:
            if check is not None:
                body = _Body()
                if not await body.read(receive, check):
                    return                      # the client went away before sending it all
                problems = check.problems()
            if problems:
                await _refuse(problems[:MAX_ERRORS], send)
                return
            await self.app(scope, receive if body is None else body.replay(receive), send)
        finally:
            if body is not None:
                body.close()


# -- what a string may be ----------------------------------------------------------------------

def _type(found: Flaw) -> str:
    return "string_surrogate" if found.surrogate else "string_control_character"


def _problem(loc: list, text: str, *, free_text: bool, what: str = "") -> Problem | None:
    found = flaw(text, free_text=free_text)
    if found is None:
        return None
    return {"type": _type(found), "loc": loc, "msg": f"{what}{found}"}


def _decoded(loc: list, data: bytes, *, free_text: bool, what: str = "") -> tuple[str, Problem | None]:
    """`data` as text, and what is wrong with it (not UTF-8, a bad character) or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.decode("utf-8", "replace"), {
            "type": "string_unicode", "loc": loc,
            "msg": f"{what}is not UTF-8 text: byte 0x{data[error.start]:02x} at byte {error.start + 1} "
                   "cannot be decoded; send UTF-8"}
    return text, _problem(loc, text, free_text=free_text, what=what)


# -- path and query ----------------------------------------------------------------------------

def _path_problems(scope: Scope) -> list[Problem]:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        root = scope.get("root_path", "").encode("ascii", "replace")
        segments = [unquote_to_bytes(s) for s in raw.removeprefix(root).split(b"/")]
    else:
        segments = [s.encode("utf-8", "surrogatepass") for s in scope.get("path", "").split("/")]
    found = []
    for index, data in enumerate(segments):
        _, problem = _decoded([], data, free_text=False)
        if problem is not None:
            found.append((index, problem))
    if not found:
        return []
    names = _path_param_names(scope, [d.decode("utf-8", "replace") for d in segments])
    return [{**problem, "loc": ["path", names[index]] if index in names else ["path"]}
            for index, problem in found]


def _path_param_names(scope: Scope, segments: list[str]) -> dict[int, str]:
    """Which path parameter each segment is, by the first route template (in the app's
    OpenAPI paths, which keep the routing order) the path fits, preferring one of the
    request's method; {} when none fits."""
    try:
        paths = scope["app"].openapi().get("paths", {})
    except Exception:  # noqa: BLE001 - no schema, no names: the problem is still reported
        return {}
    method = str(scope.get("method", "")).lower()
    fitting = [(methods, names) for template, methods in paths.items()
               if (names := _fit(template, segments)) is not None]
    fitting.sort(key=lambda fit: method not in fit[0])      # stable: routing order otherwise
    return fitting[0][1] if fitting else {}


def _fit(template: str, segments: list[str]) -> dict[int, str] | None:
    """segment index -> parameter name when `segments` fit the route template, else None."""
    parts = template.split("/")
    names: dict[int, str] = {}
    for index, part in enumerate(parts):
        if part.startswith("{") and part.endswith("}"):
            name, _, convertor = part[1:-1].partition(":")
            if convertor == "path":
                names.update({i: name for i in range(index, len(segments))})
                return names
            if index >= len(segments) or not segments[index]:
                return None
            names[index] = name
        elif index >= len(segments) or segments[index] != part:
            return None
    return names if len(parts) == len(segments) else None


def _pairs_problems(raw: bytes, place: str, *, free_text: bool) -> list[Problem]:
    """Problems of `a=1&b=2` (a query string, a URL-encoded form)."""
    problems = []
    for pair in raw.split(b"&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition(b"=")
        key_bytes = unquote_to_bytes(raw_key.replace(b"+", b" "))
        key, problem = _decoded([place], key_bytes, free_text=False, what="the parameter name ")
        loc = [place, shown(key)]
        if problem is not None:
            problems.append({**problem, "loc": loc})
        value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        _, problem = _decoded(loc, value, free_text=free_text)
        if problem is not None:
            problems.append(problem)
    return problems


# -- bodies ------------------------------------------------------------------------------------

def _body_check(scope: Scope):
    """The check of this request's body, by its content type; None when there is none to check."""
    headers = dict(scope.get("headers") or ())
    content_type = headers.get(b"content-type")
    if content_type is None:
        has_body = b"content-length" in headers or b"transfer-encoding" in headers
        return _JsonCheck(declared=False) if has_body else None
    mime, options = parse_options_header(content_type)
    if mime == b"application/json" or (mime.startswith(b"application/") and mime.endswith(b"+json")):
        return _JsonCheck()
    if mime == b"application/x-www-form-urlencoded":
        return _FormCheck()
    if mime == b"multipart/form-data" and options.get(b"boundary"):
        return _MultipartCheck(options[b"boundary"])
    return None


class _JsonCheck:
    """Every string of a JSON body, at any depth, and every object key."""

    def __init__(self, *, declared: bool = True) -> None:
        self._data = bytearray()
        self._declared = declared       # the content type says JSON (else only a body that is JSON)

    def feed(self, chunk: bytes) -> None:
        self._data += chunk

    def problems(self) -> list[Problem]:
        if not self._data.strip():
            return []
        try:
            text = self._data.decode("utf-8")
        except UnicodeDecodeError:
            if not self._declared:
                return []
            _, problem = _decoded(["body"], bytes(self._data), free_text=True, what="the body ")
            return [problem] if problem else []
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return []                           # the app answers malformed JSON itself
        return _json_problems(value)


def _json_problems(value: Any) -> list[Problem]:
    return [{"type": _type(at.flaw),
             "loc": ["body", *(shown(p) if isinstance(p, str) else p for p in at.path)], "msg": str(at)}
            for at in flaws_in(value)[:MAX_ERRORS]]


class _FormCheck:
    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk

    def problems(self) -> list[Problem]:
        return _pairs_problems(bytes(self._data), "body", free_text=True)


class _MultipartCheck:
    """Text fields (free text), field names and file names of a multipart body; not file contents."""

    def __init__(self, boundary: bytes) -> None:
        self._problems: list[Problem] = []
        self._broken = False
        self._header = (b"", b"")
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._data = bytearray()
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end})

    def feed(self, chunk: bytes) -> None:
        if not self._broken:
            try:
                self._parser.write(chunk)
            except FormParserError:
                self._broken = True             # the app answers a malformed form itself

    def problems(self) -> list[Problem]:
        if not self._broken:
            try:
                self._parser.finalize()
            except FormParserError:
                pass
        return self._problems

    def _begin(self) -> None:
        self._disposition, self._name, self._is_file, self._data = b"", "", False, bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0] + data[start:end], self._header[1])

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header = (self._header[0], self._header[1] + data[start:end])

    def _header_end(self) -> None:
        if self._header[0].lower() == b"content-disposition":
            self._disposition = self._header[1]
        self._header = (b"", b"")

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name, problem = _decoded(["body"], options.get(b"name", b""), free_text=False,
                                 what="the field name ")
        self._name = shown(name)
        if problem is not None:
            self._problems.append({**problem, "loc": ["body", self._name]})
        self._is_file = b"filename" in options
        if self._is_file:
            _, problem = _decoded(["body", self._name], options[b"filename"], free_text=False,
                                  what="the file name ")
            if problem is not None:
                self._problems.append(problem)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._is_file and len(self._data) <= MAX_FIELD_BYTES:
            self._data += data[start:end]

    def _part_end(self) -> None:
        if not self._is_file:
            _, problem = _decoded(["body", self._name], bytes(self._data), free_text=True)
            if problem is not None:
                self._problems.append(problem)


class _Body:
    """The request body as received, kept for the app while it is checked."""

    def __init__(self) -> None:
        self._file = SpooledTemporaryFile(max_size=MEMORY_BYTES)
        self._size = 0

    async def read(self, receive: Receive, check) -> bool:
        """Read the whole body, feeding `check`; False when the client disconnected first."""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return False
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if chunk:
                check.feed(chunk)
                await self._io(self._file.write, chunk)
                self._size += len(chunk)
        return True

    def replay(self, receive: Receive) -> Receive:
        """A `receive` that gives the app the body as it came, then whatever the client sends next."""
        self._file.seek(0)
        sent = False

        async def replayed() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            chunk = await self._io(self._file.read, REPLAY_BYTES)
            sent = self._file.tell() >= self._size
            return {"type": "http.request", "body": chunk, "more_body": not sent}

        return replayed

    async def _io(self, call, arg):
        if self._size > MEMORY_BYTES:           # on disk by now: keep the event loop free
            return await anyio.to_thread.run_sync(call, arg)
        return call(arg)

    def close(self) -> None:
        self._file.close()


async def _refuse(problems: list[Problem], send: Send) -> None:
    body = json.dumps({"detail": problems}).encode("ascii")   # ASCII: \u escapes, never a bad byte
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})
