"""Names and labels: the one rule for every identifier a client chooses.

A *name* becomes a key or part of a file or collection name: merchant ids (the
merchant's Chroma collections are `m-<id>` and `f-<id>`), eval-set names, prompt
tasks, routing group and agent ids, conversation ids. A name is 1-62 ASCII letters,
digits, '-' or '_', starting and ending with a letter or digit: no '.', so no '..';
no '/' or '\\'; no ':' (reserved: a conversation is scoped as `merchant:id`); no
whitespace or control characters. 62 keeps `m-<id>` within the 63 characters of a
Chroma collection name (3-63 on Chroma servers before 1.0; starting and ending with a
letter or digit).

A *label* is what a person reads: an agent's display label (小王), a merchant's or
a group's display name. It may be any language, but one line: no control
characters, no lone surrogates, at most `LABEL_MAX_CHARS`.

An *agent id* is the label of the agent's API key, so any language too (小王), but it is
also one segment of a URL path (`/v1/agents/{agent}/queue`): no '/' or '\\'.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from copilot.characters import problem, shown
from copilot.errors import InvalidName

NAME_MAX_CHARS = 62
NAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,60}[A-Za-z0-9])?$"
NAME_RULE = (f"1-{NAME_MAX_CHARS} ASCII letters, digits, '-' or '_', starting and ending "
             "with a letter or digit (no '.', '/', '\\', ':' or spaces)")
LABEL_MAX_CHARS = 100
_NAME = re.compile(NAME_PATTERN.removeprefix("^").removesuffix("$"))


def is_name(value: object) -> bool:
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(value: str, *, what: str, field: str | None = None) -> str:
    """`value` when it is a name, else `InvalidName` saying `what` it is (e.g. "merchant id")
    and naming the request `field` it came from (`what` when not given)."""
    if not is_name(value):
        raise InvalidName(field or what, f"{what} '{shown(str(value))}' is not a valid name: use {NAME_RULE}")
    return value


def check_label(value: str, *, what: str, field: str | None = None) -> str:
    """`value` when it is a one-line label of any language, else `InvalidName`."""
    wrong = problem(value, free_text=False)
    if wrong is None and len(value) > LABEL_MAX_CHARS:
        wrong = f"is {len(value)} characters long; keep it to {LABEL_MAX_CHARS}"
    if wrong is not None:
        raise InvalidName(field or what, f"{what} {wrong}")
    return value


def _name(value: str) -> str:
    if not is_name(value):
        raise PydanticCustomError("name_invalid", "must be a name: {rule}", {"rule": NAME_RULE})
    return value


def _label(value: str) -> str:
    wrong = problem(value, free_text=False)
    if wrong is not None:
        raise PydanticCustomError("label_invalid", "{problem}", {"problem": wrong})
    return value


# For request models and parameters: `id: Name`, `name: Label = ""`, `conversation_id: Name`.
Name = Annotated[str, AfterValidator(_name),
                 WithJsonSchema({"type": "string", "pattern": NAME_PATTERN, "description": NAME_RULE})]
Label = Annotated[str, Field(max_length=LABEL_MAX_CHARS), AfterValidator(_label)]


def _agent_id(value: str) -> str:
    _label(value)
    if not value.strip() or any(c in value for c in "/\\"):
        raise PydanticCustomError("agent_id_invalid", "an agent id is the agent key's label: any language, "
                                  "not empty, without '/' or '\\'")
    return value


AgentId = Annotated[str, Field(min_length=1, max_length=LABEL_MAX_CHARS), AfterValidator(_agent_id)]
