"""Builds the copilot's parts from settings, once (in FastAPI's lifespan or a CLI command)."""
from __future__ import annotations

from dataclasses import dataclass

from copilot.assist import AssistService
from copilot.channels import LocalChannel, WebhookChannel
from copilot.delivery import OutboxSender
from copilot.demo_player import DemoPlayer
from copilot.drafting import Drafter
from copilot.drafting.composer import Composer
from copilot.fanout import Broadcaster
from copilot.handoff import BriefWriter
from copilot.ledger import Ledger
from copilot.ledger.sqlite import SqliteLedger
from copilot.pipeline import Pipeline
from copilot.ledger.trainer import SqliteTrainerStore
from copilot.prompt_registry import PromptRegistry
from copilot.prompts import PromptLibrary
from copilot.routing import Router
from copilot.sessions import Sessions, secret_for
from copilot.settings import Settings
from copilot.throttle import FailedAuthThrottle
from copilot.trainer_evals import RUNS_DIR, EvalRuns
from knowledge.base import KnowledgeBase
from knowledge.embedders import Embedder, make_embedder
from knowledge.index import VectorIndex, make_client
from knowledge.lexical import terms
from knowledge.retrieval import Retriever
from knowledge.store_guard import StoreGuard


@dataclass
class Components:
    settings: Settings
    embedder: Embedder
    kb: KnowledgeBase
    retriever: Retriever
    ledger: Ledger
    prompts: PromptLibrary
    trainer_store: SqliteTrainerStore
    prompt_registry: PromptRegistry
    eval_runs: EvalRuns
    drafter: Drafter
    pipeline: Pipeline
    broadcaster: Broadcaster
    router: Router
    assist: AssistService
    sender: OutboxSender
    sessions: Sessions
    throttle: FailedAuthThrottle
    demo: DemoPlayer | None = None      # the shopper simulator, when the settings name a demo

    def describe(self) -> dict:
        """What made a run's results (recorded in eval results)."""
        return {"embedder": self.embedder.name, "drafter": self.drafter.name,
                "llm": self.settings.llm_model if self.settings.drafter == "llm" else None,
                "prompts": {t: f"{t}@{max(self.prompts.versions(t))}" for t in self.prompts.tasks()}}

    def warm(self) -> None:
        """Build what the first message would otherwise wait for: jieba's dictionary, each
        merchant's retrieval view and wardrobe; the statements of products that have none
        embedded go on in the background."""
        terms("预热")                                   # loads jieba's dictionary
        for merchant in self.kb.merchants():
            self.retriever.view(merchant)
            self.pipeline.stylist.wardrobe(merchant)
            self.retriever.warm(merchant)

    def close(self) -> None:
        self.ledger.close()
        self.trainer_store.close()


def make_drafter(settings: Settings, prompts: PromptLibrary, composer: Composer) -> Drafter:
    if settings.drafter == "composer":
        return composer
    from copilot.drafting.llm import LLMDrafter

    return LLMDrafter(base_url=settings.llm_base_url, api_key=settings.llm_api_key,
                      model=settings.llm_model, timeout=settings.llm_timeout, prompts=prompts)


def build(settings: Settings) -> Components:
    embedder = make_embedder(settings.embedder)
    guard = StoreGuard(path=settings.data_dir if settings.vector_store == "embedded" else None,
                       min_free_bytes=settings.min_free_mb * 2**20, rest_s=settings.store_rest_s)
    index = VectorIndex(client=make_client(settings), embedder_name=embedder.name, dim=embedder.dim, guard=guard)
    kb = KnowledgeBase(index=index, embedder=embedder)
    retriever = Retriever(kb=kb)
    ledger = SqliteLedger(path=settings.data_dir / "ledger.sqlite3")
    prompts = PromptLibrary.load()
    trainer_store = SqliteTrainerStore(path=settings.data_dir / "ledger.sqlite3")
    prompt_registry = PromptRegistry(library=prompts, store=trainer_store)
    composer = Composer()
    drafter = make_drafter(settings, prompts, composer)
    pipeline = Pipeline(retriever=retriever, drafter=drafter, composer=composer,
                        context_tokens=settings.context_tokens, history_tokens=settings.history_tokens,
                        prompt_registry=prompt_registry, labels=ledger)
    channels = {"local": LocalChannel(ledger)}
    if settings.webhook_url:
        channels["webhook"] = WebhookChannel(url=settings.webhook_url, secret=settings.webhook_secret)
    broadcaster = Broadcaster()
    router = Router(ledger=ledger, kb=kb, broadcaster=broadcaster, brief_writer=BriefWriter(
        base_url=settings.llm_base_url, api_key=settings.llm_api_key, model=settings.llm_model,
        timeout=settings.llm_timeout, prompts=prompts) if settings.drafter == "llm" else None)
    # An approval wakes the sender; the sender announces deliveries through the assist
    # service's `emit` (event log, then live subscribers): the lambda closes the loop.
    assist = AssistService(ledger=ledger, pipeline=pipeline, broadcaster=broadcaster, router=router,
                           on_approved=lambda: sender.wake())
    sender = OutboxSender(ledger=ledger, channels=channels, emit=assist.emit)
    return Components(settings=settings, embedder=embedder, kb=kb, retriever=retriever,
                      ledger=ledger, prompts=prompts, trainer_store=trainer_store,
                      prompt_registry=prompt_registry,
                      eval_runs=EvalRuns(store=trainer_store, runs_dir=settings.data_dir / RUNS_DIR),
                      drafter=drafter, pipeline=pipeline,
                      broadcaster=broadcaster, router=router, assist=assist, sender=sender,
                      sessions=Sessions(secret_for(settings.data_dir, settings.session_secret)),
                      throttle=FailedAuthThrottle(),
                      demo=DemoPlayer(assist=assist, merchant=settings.demo_merchant, path=settings.demo_messages,
                                      speed=settings.demo_speed)
                      if settings.demo_merchant and settings.demo_messages else None)
