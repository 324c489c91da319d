"""Shared fixtures: real Chroma and a real SQLite ledger in a temp dir, the sample merchants."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
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


class RememberingE5:
    """The real e5 model, loaded once per test process, that embeds a passage once: the suite
    ingests the demo merchant into a fresh store for about a hundred tests, and embedding
    the same passages again is most of what that costs. Vectors are the model's own."""

    def __init__(self) -> None:
        from knowledge.embedders import E5Embedder

        self.inner = E5Embedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.passages: dict[str, np.ndarray] = {}

    def embed_documents(self, texts):
        new = [text for text in dict.fromkeys(texts) if text not in self.passages]
        self.passages.update(zip(new, self.inner.embed_documents(new)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.passages[text] for text in texts])

    def embed_query(self, text):
        return self.inner.embed_query(text)

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)


@pytest.fixture(scope="session")
def embedder():
    return RememberingE5()


@pytest.fixture(scope="session", autouse=True)
def one_e5_model(embedder):
    """Every app a test builds with the default embedder shares the session's e5 model."""
    import copilot.components
    from knowledge.embedders import make_embedder

    def shared(name: str):
        return embedder if name == embedder.name else make_embedder(name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(copilot.components, "make_embedder", shared)
        yield


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
