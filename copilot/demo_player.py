"""The demo's shopper simulator, inside the server: it plays a file of shopper messages
(`copilot.simulator` format) into one merchant's conversations at a human pace, when the first
agent logs in or when someone presses the button, and again on every replay (each run in
conversations of its own: `demo-c1`, then `demo-c1-2`, ...).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from copilot.assist import AssistService
from copilot.conversation_ids import scoped
from copilot.errors import Conflict
from copilot.simulator import ShopperLine, read_lines

log = logging.getLogger(__name__)
SHOPPER = "顾客"


@dataclass
class DemoPlayer:
    assist: AssistService
    merchant: str
    path: Path
    speed: float = 1.0
    runs: int = 0
    sent: int = 0
    total: int = 0
    _task: asyncio.Task | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def status(self) -> dict:
        return {"merchant": self.merchant, "running": self.running, "runs": self.runs,
                "sent": self.sent, "total": self.total}

    def play(self, *, once: bool = False) -> dict:
        """Start a run (call it on the event loop). `once`: only if none has run yet (the first
        agent's login); a run already under way is a `Conflict`."""
        if once and self.runs:
            return self.status()
        if self.running:
            raise Conflict("the demo conversations are still playing; replay them when they are done")
        lines = read_lines(self.path)
        self.runs += 1
        self.sent, self.total = 0, len(lines)
        self._task = asyncio.get_running_loop().create_task(self._run(lines, self.runs))
        return self.status()

    async def _run(self, lines: list[ShopperLine], run: int) -> None:
        for line in lines:
            if self.speed > 0 and line.delay_s > 0:
                await asyncio.sleep(line.delay_s / self.speed)
            conversation = line.conversation if run == 1 else f"{line.conversation}-{run}"
            try:
                await self.assist.receive(scoped(self.merchant, conversation), merchant=self.merchant,
                                          channel="local", shopper=line.shopper or SHOPPER, text=line.text,
                                          sku=line.sku)
            except Exception:  # noqa: BLE001 - one failed message does not end the demo
                log.exception("demo message to %s failed", conversation)
            self.sent += 1

    async def stop(self) -> None:
        if self.running:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
