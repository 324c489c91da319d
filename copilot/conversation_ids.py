"""Conversation ids are scoped by merchant.

The id a channel gives a conversation ("c1") is that merchant's own; the copilot stores it
as "merchant:c1", so two merchants' "c1" are two conversations, no merchant can squat
another's id, and a request for another merchant's conversation is answered exactly as
one for a conversation that does not exist. In a path, a bare id means the caller's
merchant's conversation; the full id (what the API answers with) works for every caller.
"""
from __future__ import annotations

SEPARATOR = ":"      # never in a name (`copilot.names`), so the merchant part is unambiguous


def scoped(merchant: str, conversation_id: str) -> str:
    """The stored id of a merchant's conversation."""
    return f"{merchant}{SEPARATOR}{conversation_id}"


def stored_id(path_id: str, merchant: str | None) -> str:
    """The stored id a caller means: a full id as it is, a bare one as its merchant's (an admin,
    who has no merchant, names conversations by their full id)."""
    if SEPARATOR in path_id or merchant is None:
        return path_id
    return scoped(merchant, path_id)


def merchant_of(stored: str) -> str:
    """The merchant of a stored conversation id."""
    return stored.split(SEPARATOR, 1)[0]
