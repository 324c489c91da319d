"""How each prompt version fared with agents, from the ledger's own rows.

For every version of a task that drafted for a merchant: how many drafts, how many
agents approved (acceptance rate = approved / decided), how many of those were
edited first (edit rate) and by how much (mean normalised edit distance between the
draft and the text sent: 1 - difflib's SequenceMatcher ratio, 0 = untouched), the
rejection reasons with their counts,
how many of its drafts sit in conversations now escalated,
and the mean seconds from a finished draft to its approval.
"""
from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher
from statistics import fmean

from copilot.ledger.trainer import Outcome

DIGITS = 4


def edit_distance(draft: str, sent: str) -> float:
    """Normalised edit distance in [0, 1]: 0 when the agent sent the draft unchanged."""
    return 1.0 - SequenceMatcher(None, draft, sent, autojunk=False).ratio()


def _mean(values: list[float]) -> float | None:
    return round(fmean(values), DIGITS) if values else None


def summarise_version(rows: list[Outcome]) -> dict:
    approved = [r for r in rows if r.approved_text is not None]
    rejected = [r for r in rows if r.rejection_reason is not None]
    decided = len(approved) + len(rejected)
    edited = [r for r in approved if r.edited]
    waits = [r.approved_at - r.finished_at for r in approved if r.finished_at is not None]
    return {
        "drafts": len(rows),
        "approved": len(approved),
        "rejected": len(rejected),
        "acceptance_rate": round(len(approved) / decided, DIGITS) if decided else None,
        "edit_rate": round(len(edited) / len(approved), DIGITS) if approved else None,
        "mean_edit_distance": _mean([edit_distance(r.draft_text, r.approved_text) for r in approved]),
        "rejection_reasons": dict(Counter(r.rejection_reason for r in rejected).most_common()),
        "escalations": sum(r.conversation_escalated for r in rows),
        "mean_seconds_to_approval": _mean(waits),
    }


def outcomes_by_version(rows: list[Outcome]) -> dict[str, dict]:
    """`summarise_version` per prompt id (e.g. "reply@2"), in version order."""
    grouped: dict[str, list[Outcome]] = {}
    for row in rows:
        grouped.setdefault(row.prompt_id, []).append(row)
    order = sorted(grouped, key=lambda pid: int(pid.partition("@")[2] or 0))
    return {pid: summarise_version(grouped[pid]) for pid in order}
