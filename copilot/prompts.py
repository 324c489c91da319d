"""Prompt templates as files, validated on load.

A prompt is `prompts/<task>@<version>.md`: YAML front matter, then sections
headed `## system`, `## user` (and `## assistant`, for worked examples) whose text
uses `{variable}` placeholders (`{{` and `}}` for literal braces):

    ---
    id: reply@1
    version: 1
    task: reply
    variables: [store_name, facts, message]
    model: {temperature: 0.3, max_tokens: 400}
    description: what this version changes
    ---
    ## system
    你是{store_name}的客服……
    ## user
    {message}

Loading checks that `id` is the file's name, that the placeholders of the body
are exactly the declared `variables`, and that there is a `user` section.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import frontmatter
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.errors import BadRequest, ConfigError, NotFound

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")

_FILE_NAME = re.compile(r"^(?P<task>[a-z][a-z0-9_]*)@(?P<version>[1-9][0-9]*)\.md$")
_SECTION = re.compile(r"^##[ \t]+(\S.*?)[ \t]*$", re.MULTILINE)


class ModelParams(BaseModel):
    """Sampling parameters the prompt was written for."""

    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, gt=0)
    top_p: float | None = Field(None, gt=0, le=1)


class _FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    version: int = Field(ge=1)
    task: str
    variables: list[str]
    model: ModelParams = ModelParams()
    description: str = ""


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    version: int
    task: str
    variables: tuple[str, ...]
    params: ModelParams
    messages: tuple[tuple[Role, str], ...]
    description: str = ""

    @property
    def system(self) -> str:
        return "\n\n".join(text for role, text in self.messages if role == "system")

    @property
    def user(self) -> str:
        return "\n\n".join(text for role, text in self.messages if role == "user")

    def render(self, **values: object) -> list[tuple[Role, str]]:
        """The messages with every placeholder filled in.

        Every declared variable needs a value (`BadRequest` names the first one
        missing); values for variables this version does not use are ignored, so a
        caller can offer the same values to every version of a task.
        """
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise BadRequest(
                f"prompt {self.id} needs a value for variable {missing[0]!r}"
                f" (missing: {', '.join(missing)})"
            )
        filled = {name: str(values[name]) for name in self.variables}
        return [(role, text.format_map(filled)) for role, text in self.messages]


def load_template(path: Path) -> PromptTemplate:
    """Read and validate one prompt file; any problem is a `ConfigError` naming the file."""
    name = _FILE_NAME.match(path.name)
    if not name:
        raise ConfigError(f"{path}: a prompt file must be named <task>@<version>.md, e.g. reply@1.md")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the prompt file: {err}") from err
    return parse_template(text, where=str(path), task=name["task"], version=int(name["version"]))


def parse_template(text: str, *, where: str, task: str, version: int) -> PromptTemplate:
    """Validate a prompt's text (front matter and sections) as `task@version`.

    Files and versions stored by trainers go through this same check; any problem is
    a `ConfigError` that starts with `where`.
    """
    try:
        post = frontmatter.loads(text)
        meta = _FrontMatter.model_validate(post.metadata)
    except yaml.YAMLError as err:
        raise ConfigError(f"{where}: cannot read the front matter: {err}") from err
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'front matter'}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"{where}: bad front matter: {problems}") from err
    expected_id = f"{task}@{version}"
    if (meta.task, meta.version, meta.id) != (task, version, expected_id):
        raise ConfigError(
            f"{where}: front matter says id={meta.id!r}, task={meta.task!r}, version={meta.version}; "
            f"here they must be id={expected_id!r}, task={task!r}, version={version}"
        )
    messages = _sections(where, post.content)
    _check_placeholders(where, messages, meta.variables)
    return PromptTemplate(
        id=meta.id,
        version=meta.version,
        task=meta.task,
        variables=tuple(meta.variables),
        params=meta.model,
        messages=messages,
        description=meta.description,
    )


def _sections(path: Path | str, body: str) -> tuple[tuple[Role, str], ...]:
    headings = list(_SECTION.finditer(body))
    if not headings or body[: headings[0].start()].strip():
        raise ConfigError(f"{path}: the body must start with a '## system' or '## user' heading")
    messages: list[tuple[Role, str]] = []
    for heading, following in zip(headings, [*headings[1:], None]):
        role = heading.group(1).lower()
        if role not in ROLES:
            raise ConfigError(f"{path}: unknown section '## {heading.group(1)}' (known: {', '.join(ROLES)})")
        text = body[heading.end(): following.start() if following else len(body)].strip()
        if not text:
            raise ConfigError(f"{path}: section '## {role}' is empty")
        messages.append((role, text))
    if "user" not in {role for role, _ in messages}:
        raise ConfigError(f"{path}: there is no '## user' section")
    return tuple(messages)


def _check_placeholders(path: Path | str, messages: tuple[tuple[Role, str], ...], declared: list[str]) -> None:
    used: set[str] = set()
    for role, text in messages:
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
        except ValueError as err:
            raise ConfigError(f"{path}: section '## {role}': {err} (write {{{{ and }}}} for literal braces)") from err
        for field in fields:
            if not field.isidentifier():
                raise ConfigError(f"{path}: section '## {role}': placeholder {{{field}}} must be a plain variable name")
        used.update(fields)
    undeclared = sorted(used - set(declared))
    if undeclared:
        raise ConfigError(
            f"{path}: placeholder {{{undeclared[0]}}} is not declared in `variables` "
            f"(undeclared: {', '.join(undeclared)})"
        )
    unused = sorted(set(declared) - used)
    if unused:
        raise ConfigError(
            f"{path}: variable {unused[0]!r} is declared but no placeholder uses it (unused: {', '.join(unused)})"
        )


class PromptLibrary:
    """Every prompt version of every task, loaded from one directory."""

    def __init__(self, *, templates: list[PromptTemplate]):
        self._by_task: dict[str, dict[int, PromptTemplate]] = {}
        for template in templates:
            self._by_task.setdefault(template.task, {})[template.version] = template

    @classmethod
    def load(cls, directory: Path = PROMPTS_DIR) -> PromptLibrary:
        directory = Path(directory)
        if not directory.is_dir():
            raise ConfigError(f"prompt directory {directory} does not exist")
        return cls(templates=[load_template(path) for path in sorted(directory.glob("*.md"))])

    def tasks(self) -> list[str]:
        return sorted(self._by_task)

    def versions(self, task: str) -> list[int]:
        return sorted(self._by_task.get(task, {}))

    def get(self, task: str, version: int | None = None) -> PromptTemplate:
        """The prompt for `task` at `version`, or its latest version when `version` is None."""
        versions = self._by_task.get(task)
        if not versions:
            raise NotFound(f"no prompt for task {task!r} (known tasks: {', '.join(self.tasks()) or 'none'})")
        chosen = max(versions) if version is None else version
        if chosen not in versions:
            known = ", ".join(str(v) for v in sorted(versions))
            raise NotFound(f"no version {chosen} of prompt {task!r} (known versions: {known})")
        return versions[chosen]
