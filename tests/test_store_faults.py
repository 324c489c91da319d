"""Faults of the stores, against a real server process: a ledger file another process holds,
and a full disk under the knowledge store. The requests that need the failing store answer 503
with Retry-After; /healthz and the requests that do not need it keep answering; a draft caught
by the fault is finished once the store is back, repeating no event."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from knowledge.store_guard import StoreGuard
from copilot.errors import StoreUnavailable
from tests.fake_llm import Behaviour, FakeLLM
from tests.live_server_proc import ServerProcess
from tests.test_exactly_once import prepared, wait_for  # noqa: F401 - the prepared data dir

MERCHANT = "qinghe"
TIMEOUT = httpx.Timeout(60.0)
HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
sys.stdin.readline()
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def headers(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def post(server, key, conv: str, text: str) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/conversations/{conv}/messages", headers=headers(key), timeout=TIMEOUT,
                      json={"merchant": MERCHANT, "text": text})


class LedgerHolder:
    """Another process that holds the ledger file with an exclusive transaction, on cue."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.holding = False

    def hold(self) -> None:
        self.proc.stdin.write("lock\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "locked"
        self.holding = True

    def release(self) -> None:
        self.proc.stdin.write("release\n")
        self.proc.stdin.flush()
        self.proc.wait(10)
        self.holding = False


def test_a_held_ledger_gives_503_where_needed_while_everything_else_answers_and_the_draft_finishes(prepared):
    data_dir, keys = prepared
    with FakeLLM(behaviour=Behaviour(reply="亲，这款是纯棉的哦[1]~", first_delay=3.0)) as llm:
        env = {"COPILOT_DRAFTER": "llm", "COPILOT_LLM_BASE_URL": llm.base_url, "COPILOT_LLM_MODEL": "fake"}
        server = ServerProcess(data_dir=data_dir, env=env).start()
        holder = LedgerHolder(data_dir / "ledger.sqlite3")
        try:
            caught = post(server, keys["merchant"], "held-1", "这件是什么面料？")
            assert caught.status_code == 202
            holder.hold()            # the draft is waiting for the model: its next write meets the lock
            assert httpx.get(f"{server.url}/healthz", timeout=TIMEOUT).status_code == 200
            search = httpx.post(f"{server.url}/v1/merchants/{MERCHANT}/search", headers=headers(keys["agent"]),
                                json={"message": "面料"}, timeout=TIMEOUT)
            assert search.status_code == 200 and search.json()["sources"]
            refused = post(server, keys["merchant"], "held-2", "在吗")
            assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
            assert refused.json()["code"] == "store_unavailable"
            assert holder.holding    # all of it was answered while the file was held
            time.sleep(4)            # the draft meets the lock, fails and backs off
        finally:
            holder.release()
        try:
            conv = caught.json()["conversation_id"]
            suggestion = caught.json()["suggestion_id"]

            def finished():
                got = httpx.get(f"{server.url}/v1/conversations/{conv}", headers=headers(keys["agent"]), timeout=TIMEOUT)
                return next((s for s in got.json()["suggestions"] if s["id"] == suggestion and s["draft_text"]), None)

            assert "纯棉" in wait_for(finished, timeout=90)["draft_text"]
            assert post(server, keys["merchant"], "held-2", "在吗").status_code == 202
        finally:
            server.stop()
    from copilot.ledger.sqlite import SqliteLedger

    ledger = SqliteLedger(path=data_dir / "ledger.sqlite3")
    types = [e.type for e in ledger.events_after(conv, None) if e.body.get("suggestion_id") == suggestion]
    ledger.close()
    assert types.count("escalation") == types.count("sources") == types.count("draft.done") == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB filesystem of its own (tmpfs), so it can be filled without filling the machine's."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.fail(f"this test mounts a small tmpfs and needs root: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 2**20)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_refuses_uploads_with_503_keeps_the_rest_answering_and_recovers(small_disk):
    from copilot.auth import new_key
    from copilot.cli import ingest_paths
    from copilot.components import build
    from copilot.settings import Settings
    from tests.conftest import DEMO

    parts = build(Settings(data_dir=small_disk, min_free_mb=0, _env_file=None))
    parts.kb.create_merchant(MERCHANT)
    ingest_paths(parts.kb, MERCHANT, [DEMO])
    keys = {role: new_key(parts.ledger, role=role, merchant=MERCHANT, label=role) for role in ("agent", "merchant")}
    parts.close()
    # no free-space floor: the write reaches Chroma and fails there, as on a disk that fills mid-write
    server = ServerProcess(data_dir=small_disk, env={"COPILOT_MIN_FREE_MB": "0", "COPILOT_STORE_REST_S": "5"}).start()
    csv = "sku_id,title,category,price,stock\n" + "".join(
        f"NEW-{i},新款纯棉T恤{i}号 {'很长的描述' * 40},T恤,99,{i}\n" for i in range(400))

    def upload() -> httpx.Response:
        return httpx.post(f"{server.url}/v1/merchants/{MERCHANT}/catalog", headers=headers(keys["merchant"]),
                          files={"files": ("new.csv", csv.encode("utf-8"), "text/csv")}, timeout=TIMEOUT)

    try:
        filler = fill(small_disk)
        first = upload()
        assert first.status_code == 503 and first.json()["code"] == "store_unavailable"
        assert int(first.headers["Retry-After"]) >= 1
        again = upload()         # the store just failed: the write is kept out of it
        assert again.status_code == 503 and "resting" in again.json()["message"]
        assert httpx.get(f"{server.url}/healthz", timeout=TIMEOUT).status_code == 200
        assert httpx.get(f"{server.url}/v1/whoami", headers=headers(keys["agent"]), timeout=TIMEOUT).status_code == 200
        listed = httpx.get(f"{server.url}/v1/merchants/{MERCHANT}/catalog", headers=headers(keys["agent"]), timeout=TIMEOUT)
        assert listed.status_code in (200, 503)
        message = post(server, keys["merchant"], "full-1", "在吗")
        assert message.status_code in (202, 503)
        filler.unlink()
        time.sleep(6)            # the store's rest after the failed write
        assert wait_for(lambda: upload().status_code == 200, timeout=60)
        assert post(server, keys["merchant"], "full-2", "在吗").status_code == 202
    finally:
        server.stop()


def test_the_guard_refuses_writes_on_a_full_disk_and_rests_after_a_failed_write(tmp_path):
    now = [0.0]
    free = shutil.disk_usage(tmp_path).free
    StoreGuard(path=tmp_path, min_free_bytes=free // 2, clock=lambda: now[0]).before_write()
    with pytest.raises(StoreUnavailable, match="full"):
        StoreGuard(path=tmp_path, min_free_bytes=free * 2).before_write()
    guard = StoreGuard(path=None, min_free_bytes=0, rest_s=10, clock=lambda: now[0])
    guard.failed()
    with pytest.raises(StoreUnavailable, match="resting") as resting:
        guard.before_write()
    assert resting.value.retry_after == 11
    now[0] = 10.5
    guard.before_write()
