"""A real HTTP server that speaks the OpenAI chat-completions protocol, for tests.

`FakeLLM` listens on 127.0.0.1 on a free port in a background thread and answers
`POST /v1/chat/completions`, streaming (`"stream": true`, SSE `data:` lines ending
with `data: [DONE]`, chunked transfer encoding) or not. What it does is set per test
through `fake.behaviour` (a `Behaviour`): the reply and the size of its pieces,
delays, an HTTP error status (with `Retry-After` for 429), or a stream cut off
mid-way. Every request body it received is kept in `fake.requests`.

Use the `fake_llm` fixture by importing it into a test module:

    from tests.fake_llm import fake_llm  # noqa: F401
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

DEFAULT_REPLY = "亲，在的，有什么可以帮您？"
MODEL = "fake-model"
POLL_INTERVAL = 0.02  # seconds; how quickly stop() returns


@dataclass
class Behaviour:
    reply: str = DEFAULT_REPLY
    piece: int = 3                      # characters per streamed delta
    first_delay: float = 0.0            # seconds after the headers, before the first delta
    delay: float = 0.0                  # seconds between deltas
    status: int = 200                   # anything else answers with an OpenAI-style error body
    retry_after: int | None = None      # sent as Retry-After with an error status
    cut_after: int | None = None        # close the connection after this many deltas
    finish: bool = True                 # False: end the stream cleanly but without finish_reason and [DONE]
    respond: Callable[[dict], str] | None = None  # the reply computed from the request body, instead of `reply`


@dataclass
class FakeLLM:
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name="fake-llm", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    request_queue_size = 512            # benchmarks open hundreds of streams at once


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FakeLLM

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        self.owner.requests.append(body)
        behaviour = self.owner.behaviour
        if behaviour.respond is not None:
            behaviour = replace(behaviour, reply=behaviour.respond(body))
        if behaviour.status != 200:
            headers = {"Retry-After": str(behaviour.retry_after)} if behaviour.retry_after is not None else {}
            message = "Rate limit reached, slow down" if behaviour.status == 429 else "The server had an error"
            self._json(behaviour.status, {"error": {"message": message, "type": "fake_error"}}, headers)
        elif body.get("stream"):
            self._stream(behaviour)
        else:
            time.sleep(behaviour.first_delay)
            self._json(200, _completion(behaviour.reply))

    def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, behaviour: Behaviour) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        time.sleep(behaviour.first_delay)
        pieces = [behaviour.reply[i: i + behaviour.piece] for i in range(0, len(behaviour.reply), behaviour.piece)]
        self._event(_chunk({"role": "assistant", "content": ""}))
        for n, piece in enumerate(pieces):
            if n and behaviour.delay:
                time.sleep(behaviour.delay)
            if behaviour.cut_after is not None and n == behaviour.cut_after:
                self.close_connection = True
                self.wfile.flush()
                # Mid-body, without the terminating chunk: the client sees a broken stream.
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._event(_chunk({"content": piece}))
        if behaviour.finish:
            self._event(_chunk({}, finish_reason="stop"))
            self._send(b"data: [DONE]\n\n")
        self._send(b"")  # the terminating zero-length chunk

    def _event(self, payload: dict) -> None:
        self._send(f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode())

    def _send(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _chunk(delta: dict, finish_reason: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _completion(reply: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@pytest.fixture
def fake_llm():
    """A started `FakeLLM`, stopped after the test."""
    with FakeLLM() as fake:
        yield fake
