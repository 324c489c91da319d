"""The demo's shopper simulator: whether it is offered, and playing (or replaying) it."""
from __future__ import annotations

from fastapi import APIRouter

from copilot.auth import require
from copilot.deps import Caller, Parts
from copilot.errors import NotFound
from copilot.http_errors import API_ERRORS, responses

router = APIRouter(prefix="/v1/demo", tags=["demo"], responses=API_ERRORS)
PLAYERS = {"agent", "merchant"}


def _player(parts, caller):
    if parts.demo is None:
        raise NotFound("this server offers no demo conversations (`copilot demo` starts one that does)")
    return require(caller, roles=PLAYERS, merchant=parts.demo.merchant) and parts.demo


@router.get("")
def demo_status(parts: Parts, caller: Caller) -> dict:
    """The simulator: its merchant, whether it is playing, how many runs and messages so far."""
    return _player(parts, caller).status()


@router.post("/play", status_code=202, responses=responses(409))
async def play(parts: Parts, caller: Caller, once: bool = False) -> dict:
    """Play the demo's shopper messages into new conversations at a human pace; `once=true`
    plays only if they have never played (the agent screen asks so when an agent logs in)."""
    return _player(parts, caller).play(once=once)
