"""Which prompt drafts for whom: shipped files, versions made by trainers, and each
merchant's active version per task (with an optional A/B split).

Versions are numbered per task across both places: files in `prompts/` are the
shipped ones, `POST /v1/prompts/{task}/versions` stores the next number in the
ledger, validated exactly like a file (`copilot.prompts.parse_template`) and against
the variables the LLM drafter can fill. A merchant without an active row drafts
with the task's latest shipped file (what `LLMDrafter` uses by default).

A/B: a conversation belongs to arm B when `bucket(task, conversation_id) < ratio`;
the bucket is the first 8 bytes of sha256("task:conversation_id") as a fraction of
2**64, so a conversation keeps its arm for its whole life and tasks split
independently.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

import frontmatter
import yaml

from copilot.drafting.llm import VARIABLES
from copilot.errors import BadRequest, ConfigError, Conflict, InvalidPrompt, NotFound
from copilot.ledger.trainer import ActivePrompt, PromptVersion, SqliteTrainerStore
from copilot.names import check_name
from copilot.prompts import PromptLibrary, PromptTemplate, parse_template

SHIPPED = "shipped"
HASH_BYTES = 8


def bucket(task: str, conversation_id: str) -> float:
    """A stable number in [0, 1) for a conversation (see the module docstring)."""
    digest = hashlib.sha256(f"{task}:{conversation_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:HASH_BYTES], "big") / 2 ** (8 * HASH_BYTES)


def with_identity(text: str, *, task: str, version: int) -> str:
    """The prompt text with `id`, `task` and `version` filled into its front matter when absent.

    Values a trainer did give are kept, so a wrong one fails validation by name.
    """
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as err:
        raise InvalidPrompt(f"prompt {task}@{version}: cannot read the front matter: {err}") from err
    post.metadata.setdefault("id", f"{task}@{version}")
    post.metadata.setdefault("task", task)
    post.metadata.setdefault("version", version)
    return frontmatter.dumps(post)


class PromptRegistry:
    def __init__(self, *, library: PromptLibrary, store: SqliteTrainerStore,
                 offered: frozenset[str] = VARIABLES):
        self.library = library
        self.store = store
        self.offered = offered
        self._parsed: dict[tuple[str, int], PromptTemplate] = {}

    # versions

    def tasks(self) -> list[str]:
        return sorted(set(self.library.tasks()) | {v.task for v in self.store.prompt_versions()})

    def versions(self, task: str, *, merchant: str | None = None) -> list[dict]:
        """The versions of `task` a merchant may see (shipped, shared and its own; every version
        when `merchant` is None): number, id, author, owner, description."""
        listed = [{"version": v, "id": f"{task}@{v}", "author": SHIPPED, "created_at": None, "merchant": None,
                   "description": self.library.get(task, v).description} for v in self.library.versions(task)]
        for stored in self._stored(task, merchant).values():
            listed.append({"version": stored.version, "id": f"{task}@{stored.version}",
                           "author": stored.author, "created_at": stored.created_at, "merchant": stored.merchant,
                           "description": self.get(task, stored.version).description})
        return sorted(listed, key=lambda v: v["version"])

    def get(self, task: str, version: int, *, merchant: str | None = None) -> PromptTemplate:
        """A version of `task`; with `merchant`, only one that merchant may use (shipped, shared or
        its own): another merchant's version is as unknown as one that does not exist."""
        if version in self.library.versions(task):
            return self.library.get(task, version)
        key = (task, version)
        if key not in self._parsed or merchant is not None:
            stored = self._stored(task, merchant).get(version)
            if stored is None:
                known = ", ".join(str(v["version"]) for v in self.versions(task, merchant=merchant)) or "none"
                raise NotFound(f"no version {version} of prompt {task!r} (known versions: {known})")
            if key not in self._parsed:
                self._parsed[key] = parse_template(stored.body, where=f"prompt {task}@{version}",
                                                   task=task, version=version)
        return self._parsed[key]

    def resolve(self, ref: str, *, merchant: str | None = None) -> PromptTemplate:
        """A prompt named `task@version` (e.g. from `copilot eval --prompt reply@2`) that `merchant` may use."""
        task, _, version = ref.partition("@")
        if not task or not version.isdigit():
            raise BadRequest(f"prompt {ref!r}: name a prompt as TASK@VERSION, e.g. reply@2")
        return self.get(task, int(version), merchant=merchant)

    def _stored(self, task: str, merchant: str | None) -> dict[int, PromptVersion]:
        return {v.version: v for v in self.store.prompt_versions(task)
                if merchant is None or v.merchant in (None, merchant)}

    def share(self, task: str, version: int, *, actor: str) -> None:
        """Publish a merchant's version to every merchant (an admin's decision, audited)."""
        self.store.share_prompt_version(task=task, version=version, actor=actor)

    def create(self, task: str, text: str, *, author: str, merchant: str | None) -> PromptTemplate:
        """Validate `text` as the next version of `task` and store it as `merchant`'s (None: shared);
        `InvalidPrompt` names the problem."""
        check_name(task, what="prompt task")      # a prompt id is TASK@VERSION; TASK is a name
        if task not in self.library.tasks():
            raise NotFound(f"no prompt task {task!r} (known tasks: {', '.join(self.library.tasks())})")
        version = max(v["version"] for v in self.versions(task)) + 1   # numbered across merchants
        where = f"prompt {task}@{version}"
        body = with_identity(text, task=task, version=version)
        try:
            template = parse_template(body, where=where, task=task, version=version)
        except ConfigError as err:
            raise InvalidPrompt(str(err)) from err
        unknown = sorted(set(template.variables) - self.offered)
        if unknown:
            raise InvalidPrompt(f"{where}: unknown variable {unknown[0]!r}: the drafter can fill only "
                                f"{', '.join(sorted(self.offered))}")
        self.store.add_prompt_version(task=task, version=version, body=body, author=author, merchant=merchant)
        self._parsed[(task, version)] = template
        return template

    # what drafts for a merchant

    def default(self, task: str) -> PromptTemplate:
        return self.library.get(task)

    def config(self, merchant: str, task: str) -> ActivePrompt | None:
        return self.store.active_prompt(merchant, task)

    def active(self, merchant: str, task: str) -> PromptTemplate:
        row = self.config(merchant, task)
        return self.default(task) if row is None else self.get(task, row.version)

    def choose(self, merchant: str, task: str, conversation_id: str | None) -> PromptTemplate:
        """The prompt that drafts for this conversation: the active version or its A/B arm."""
        return self._pick(self.config(merchant, task), task, conversation_id) or self.default(task)

    def choices(self, merchant: str, conversation_id: str | None) -> dict[str, PromptTemplate]:
        """The prompt per task for this conversation, for every task the merchant configured."""
        return {row.task: self._pick(row, row.task, conversation_id)
                for row in self.store.active_prompts(merchant)}

    def _pick(self, row: ActivePrompt | None, task: str, conversation_id: str | None) -> PromptTemplate | None:
        if row is None:
            return None
        if row.ab_version is not None and conversation_id is not None \
                and bucket(task, conversation_id) < (row.ab_ratio or 0.0):
            return self.get(task, row.ab_version)
        return self.get(task, row.version)

    # changes (each audited by the store)

    def activate(self, merchant: str, task: str, version: int, *, actor: str,
                 detail: Mapping | None = None) -> ActivePrompt:
        """Make `version` the only version drafting `task` for `merchant` (ends any A/B test)."""
        self.get(task, version, merchant=merchant)
        current = self.active(merchant, task).version
        return self.store.set_active(merchant=merchant, task=task, version=version, previous_version=current,
                                     ab_version=None, ab_ratio=None, actor=actor, action="prompt.activate",
                                     detail={"version": version, "previous": current, **(detail or {})})

    def rollback(self, merchant: str, task: str, *, actor: str) -> ActivePrompt:
        """Back to the version active before the last activation (which becomes the one to roll back to)."""
        row = self.config(merchant, task)
        if row is None or row.previous_version is None:
            raise Conflict(f"merchant {merchant!r} has nothing to roll back to for {task!r}: "
                           f"it drafts with the shipped {self.default(task).id}")
        return self.store.set_active(merchant=merchant, task=task, version=row.previous_version,
                                     previous_version=row.version, ab_version=None, ab_ratio=None,
                                     actor=actor, action="prompt.rollback",
                                     detail={"version": row.previous_version, "from": row.version})

    def start_ab(self, merchant: str, task: str, version: int, ratio: float, *, actor: str) -> ActivePrompt:
        """Send `ratio` of the conversations to `version` (arm B); the rest keep the active one (arm A)."""
        if not 0.0 < ratio < 1.0:
            raise BadRequest(f"ratio must be between 0 and 1 (exclusive), got {ratio}")
        self.get(task, version, merchant=merchant)
        row = self.config(merchant, task)
        active = self.active(merchant, task).version
        if version == active:
            raise Conflict(f"{task}@{version} is already active for {merchant!r}; A/B-test another version")
        return self.store.set_active(merchant=merchant, task=task, version=active,
                                     previous_version=row.previous_version if row else None,
                                     ab_version=version, ab_ratio=ratio, actor=actor, action="prompt.ab.start",
                                     detail={"a": active, "b": version, "ratio": ratio})

    def stop_ab(self, merchant: str, task: str, *, actor: str) -> ActivePrompt:
        row = self.config(merchant, task)
        if row is None or row.ab_version is None:
            raise Conflict(f"no A/B test of {task!r} is running for {merchant!r}")
        return self.store.set_active(merchant=merchant, task=task, version=row.version,
                                     previous_version=row.previous_version, ab_version=None, ab_ratio=None,
                                     actor=actor, action="prompt.ab.stop", detail={"b": row.ab_version})
