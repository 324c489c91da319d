"""A real copilot server on 127.0.0.1 (uvicorn in a thread, temp data dir) and a real
Chromium (Playwright) for the browser tests.

    from tests.live_server import browser, demo_server, page  # noqa: F401

`demo_server` is the app with the demo merchant 青禾服饰 (`demo/merchant`) ingested as
`qinghe`; `LiveServer.key(role)` makes an API key; `login(page, server, key)` opens the
web UI and logs in.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo" / "merchant"
MERCHANT = "qinghe"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "docs" / "screenshots"
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`server.create_app(settings)` served by uvicorn in a background thread."""

    def __init__(self, settings) -> None:
        from server import create_app

        self.app = create_app(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"live-server-{self.port}", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        return self

    @property
    def parts(self):
        return self.app.state.components

    def key(self, role: str, merchant: str | None = MERCHANT, label: str | None = None) -> str:
        from copilot.auth import new_key

        return new_key(self.parts.ledger, role=role, merchant=merchant, label=label or f"{role}-test")

    def add_demo_merchant(self, merchant: str = MERCHANT) -> None:
        from copilot.cli import ingest_paths

        self.parts.kb.create_merchant(merchant, name="青禾服饰")
        ingest_paths(self.parts.kb, merchant, [DEMO])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(10)


class CuttableProxy:
    """A TCP proxy in front of a live server whose open connections the test can cut,
    as a dropped network would: the browser sees its streams end mid-way and reconnects."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections: set[socket.socket] = set()
        self.cuts = 0
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, name="cuttable-proxy", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.connections.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def cut(self) -> int:
        """Drop every open connection at once; returns how many sockets were cut."""
        with self.lock:
            victims = list(self.connections)
        for sock in victims:
            self._close(sock)
        self.cuts += 1
        return len(victims)

    def stop(self) -> None:
        self.closed = True
        self.listener.close()
        self.cut()


def start_server(data_dir: Path, **settings) -> LiveServer:
    from copilot.settings import Settings

    server = LiveServer(Settings(data_dir=data_dir, _env_file=None, **settings)).start()
    server.add_demo_merchant()
    return server


def send_messages(server: LiveServer, key: str, lines: list[dict], tmp_dir: Path, speed: float = 0) -> list[dict]:
    """Play shopper messages through `copilot.simulator.simulate` (in its own thread and loop,
    away from Playwright's)."""
    from copilot.simulator import simulate

    path = tmp_dir / f"shopper-{time.monotonic_ns()}.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    out: dict = {}

    def run() -> None:
        try:
            out["answers"] = asyncio.run(simulate(base_url=server.url, api_key=key, merchant=MERCHANT,
                                                  messages_path=path, speed=speed))
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = err

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    if "error" in out:
        raise out["error"]
    return out["answers"]


def login(page, server, key: str, page_name: str = "") -> None:
    """Open the web UI at `server.url` (a `LiveServer` or a `CuttableProxy`) and log in."""
    page.goto(f"{server.url}/#/{page_name}" if page_name else server.url)
    page.fill("#api-key", key)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav a")


def screenshot(page, name: str) -> Path:
    """The page as a PNG: into docs/screenshots when asked (`COPILOT_SCREENSHOTS=1`, `make
    screenshots`), else into a temporary folder, so a test run leaves tracked files alone."""
    folder = SCREENSHOTS if os.environ.get("COPILOT_SCREENSHOTS") else Path(tempfile.gettempdir()) / "copilot-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("live") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Module-scoped, and stopped at the module's end: while
    Playwright's sync API runs, its event loop counts as running in this thread, and the
    asyncio tests of later modules could not start theirs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()
