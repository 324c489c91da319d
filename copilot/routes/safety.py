"""The hosts a merchant's drafts may link to (`copilot.safety`): links to any other host,
in a draft or in the knowledge it stands on, are flagged for the agent."""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from copilot.auth import require
from copilot.deps import Caller, KnownMerchant, Parts
from copilot.errors import BadRequest
from copilot.http_errors import API_ERRORS
from copilot.safety import PLATFORM_HOSTS, normalise_hosts

router = APIRouter(prefix="/v1/merchants", tags=["safety"], responses=API_ERRORS,
                   dependencies=[KnownMerchant])

MAX_HOSTS = 50


class AllowedHosts(BaseModel):
    hosts: list[str] = Field(max_length=MAX_HOSTS, description="host names, e.g. shop.example.com; "
                             "their subdomains are allowed too")


def _view(parts: Parts, merchant: str) -> dict:
    return {"hosts": list(parts.kb.allowed_hosts(merchant)), "platform": sorted(PLATFORM_HOSTS)}


@router.get("/{merchant}/allowed-hosts")
def get_allowed_hosts(merchant: str, parts: Parts, caller: Caller) -> dict:
    """The merchant's allowed hosts, and the platform's (always allowed)."""
    require(caller, roles={"merchant", "trainer"}, merchant=merchant)
    return _view(parts, merchant)


@router.put("/{merchant}/allowed-hosts")
def put_allowed_hosts(merchant: str, body: AllowedHosts, parts: Parts, caller: Caller) -> dict:
    """Replace the merchant's allowed hosts; drafts are checked against them from the next message."""
    require(caller, roles={"merchant"}, merchant=merchant)
    try:
        hosts = normalise_hosts(body.hosts)
    except ValueError as err:
        raise BadRequest(f"hosts: {err}") from err
    parts.kb.set_allowed_hosts(merchant, hosts)
    parts.ledger.audit(caller.label, "allowed_hosts.set", merchant, {"hosts": hosts})
    return _view(parts, merchant)
