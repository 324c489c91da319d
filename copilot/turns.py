"""A turn of a conversation, as the assessor, the drafters and the eval sets see it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["customer", "agent"]


@dataclass(frozen=True)
class Turn:
    role: Role
    text: str
