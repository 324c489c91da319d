"""The Chroma side of the knowledge store: one collection per merchant.

Tenancy is physical: each merchant's entries live in their own collection
(`m-<merchant>`), so no query can reach another merchant's records and no
query pays for a `where` filter over a shared collection. The collection's
metadata names the merchant, its display name, the embedder that made its
vectors and a version counter that every write bumps (caches key on it).
The stored entry metadata holds the whole record as JSON, so Chroma is the one
store of merchant knowledge (list, get and re-index read it back). Its failures are
`StoreUnavailable`, and a full disk or a write that just failed keeps writes out
(`knowledge.store_guard`).
"""
from __future__ import annotations

import time
from collections.abc import Sequence

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from copilot.errors import ConfigError, UnknownMerchant, UpstreamError
from copilot.names import check_label, check_name
from copilot.settings import Settings
from knowledge.store_guard import STORE_ERRORS, StoreGuard, guarded_read, guarded_write, read_failure

COLLECTION_PREFIX = "m-"
FACTS_PREFIX = "f-"            # a merchant's fact vectors (knowledge.facts), by text hash
READ_BATCH = 5000
VERSION_TTL_S = 1.0


def make_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.vector_store == "server":
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        except Exception as err:  # noqa: BLE001 - any connection failure
            raise UpstreamError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}: "
                f"{err}. Start it with `chroma run --port {settings.chroma_port}` or set "
                "COPILOT_VECTOR_STORE=embedded") from err
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.data_dir / "chroma"), settings=chroma_settings)


class VectorIndex:
    def __init__(self, *, client: chromadb.ClientAPI, embedder_name: str, dim: int,
                 guard: StoreGuard | None = None) -> None:
        """`guard`: when writes are refused (`knowledge.store_guard`); by default, never before trying."""
        self.guard = guard or StoreGuard(path=None, min_free_bytes=0)
        self._client = client
        self._embedder_name = embedder_name
        self._dim = dim
        self._handles: dict[str, object] = {}
        self._fact_handles: dict[str, object] = {}
        self._versions: dict[str, tuple[float, int]] = {}

    # merchants ---------------------------------------------------------------
    @guarded_read
    def merchants(self) -> dict[str, str]:
        """merchant id -> display name."""
        out = {}
        for col in self._client.list_collections():
            if col.name.startswith(COLLECTION_PREFIX):
                meta = col.metadata or {}
                out[col.name[len(COLLECTION_PREFIX):]] = meta.get("name", "")
        return out

    @guarded_write
    def create_merchant(self, merchant: str, *, name: str = "") -> None:
        check_name(merchant, what="merchant id")     # also the collection names m-<id>, f-<id>
        check_label(name, what="merchant name")
        self._client.get_or_create_collection(
            COLLECTION_PREFIX + merchant, embedding_function=None,
            metadata={"name": name or merchant, "embedder": self._embedder_name,
                      "dim": self._dim, "version": 0, "hnsw:space": "cosine"})

    def collection(self, merchant: str):
        """The merchant's collection handle (cached; its metadata may be stale, see `version`)."""
        handle = self._handles.get(merchant)
        return handle if handle is not None else self._fetch(merchant)

    def _fetch(self, merchant: str):
        try:
            col = self._client.get_collection(COLLECTION_PREFIX + merchant, embedding_function=None)
        except (NotFoundError, ValueError):   # chroma raises one or the other by version
            raise UnknownMerchant(merchant) from None
        except STORE_ERRORS as err:
            raise read_failure(err) from err
        made_by = (col.metadata or {}).get("embedder")
        if made_by != self._embedder_name:
            raise ConfigError(
                f"merchant {merchant!r} was indexed with embedder {made_by!r} but the copilot "
                f"runs {self._embedder_name!r}; set COPILOT_EMBEDDER={made_by} or re-ingest "
                "the merchant's files into a fresh data dir")
        self._handles[merchant] = col
        return col

    def version(self, merchant: str) -> int:
        """The merchant's knowledge version: exact after a write through this index, and at
        most `VERSION_TTL_S` old after a write by another process (a CLI ingest, say)."""
        now = time.monotonic()
        cached = self._versions.get(merchant)
        if cached is None or now - cached[0] > VERSION_TTL_S:
            version = int((self._fetch(merchant).metadata or {}).get("version", 0))
            cached = self._versions[merchant] = (now, version)
        return cached[1]

    @guarded_write
    def bump_version(self, merchant: str, **settings: str) -> None:
        """A new knowledge version; `settings` (string values) are stored with it, in the same write."""
        col = self._fetch(merchant)
        meta = dict(col.metadata or {})
        meta.pop("hnsw:space", None)  # immutable after creation; chroma refuses to "modify" it
        meta["version"] = int(meta.get("version", 0)) + 1
        col.modify(metadata=meta | settings)
        self._versions.pop(merchant, None)

    @guarded_read
    def setting(self, merchant: str, key: str) -> str | None:
        """A merchant setting stored by `bump_version` (read fresh: settings are rare and small)."""
        return (self._fetch(merchant).metadata or {}).get(key)

    # entries -------------------------------------------------------------------
    @guarded_read
    def get(self, merchant: str, ids: Sequence[str], *, embeddings: bool = False) -> dict[str, dict]:
        """entry id -> {"metadata", "document"[, "embedding"]} for the ids that exist."""
        if not ids:
            return {}
        include = ["metadatas", "documents"] + (["embeddings"] if embeddings else [])
        col = self.collection(merchant)
        out = {}
        for start in range(0, len(ids), READ_BATCH):
            got = col.get(ids=list(ids[start:start + READ_BATCH]), include=include)
            for i, entry in enumerate(got["ids"]):
                row = {"metadata": got["metadatas"][i], "document": got["documents"][i]}
                if embeddings:
                    row["embedding"] = got["embeddings"][i]
                out[entry] = row
        return out

    @guarded_read
    def where(self, merchant: str, where: dict) -> dict[str, dict]:
        got = self.collection(merchant).get(where=where, include=["metadatas", "documents"])
        return {e: {"metadata": m, "document": d}
                for e, m, d in zip(got["ids"], got["metadatas"], got["documents"])}

    @guarded_read
    def all_metadata(self, merchant: str) -> tuple[list[str], list[dict]]:
        col = self.collection(merchant)
        ids: list[str] = []
        metas: list[dict] = []
        for offset in range(0, col.count(), READ_BATCH):
            got = col.get(include=["metadatas"], limit=READ_BATCH, offset=offset)
            ids += got["ids"]
            metas += got["metadatas"]
        return ids, metas

    @guarded_write
    def upsert(self, merchant: str, *, ids: list[str], embeddings: np.ndarray,
               metadatas: list[dict], documents: list[str]) -> None:
        col = self.collection(merchant)
        step = self._client.get_max_batch_size()
        for i in range(0, len(ids), step):
            col.upsert(ids=ids[i:i + step], embeddings=embeddings[i:i + step],
                       metadatas=metadatas[i:i + step], documents=documents[i:i + step])

    @guarded_write
    def delete(self, merchant: str, ids: Sequence[str]) -> None:
        if ids:
            self.collection(merchant).delete(ids=list(ids))

    # fact vectors ------------------------------------------------------------------
    def _facts(self, merchant: str):
        handle = self._fact_handles.get(merchant)
        if handle is None:
            self.collection(merchant)   # the merchant must exist
            handle = self._fact_handles[merchant] = self._client.get_or_create_collection(
                FACTS_PREFIX + merchant, embedding_function=None, metadata={"hnsw:space": "cosine"})
        return handle

    @guarded_read
    def missing_fact_vectors(self, merchant: str, ids: Sequence[str]) -> list[str]:
        """Those of `ids` that have no stored fact vector yet."""
        if not ids:
            return []
        col = self._facts(merchant)
        have: set[str] = set()
        for start in range(0, len(ids), READ_BATCH):
            have |= set(col.get(ids=list(ids[start:start + READ_BATCH]), include=[])["ids"])
        return [i for i in ids if i not in have]

    @guarded_write
    def add_fact_vectors(self, merchant: str, *, ids: list[str], embeddings: np.ndarray,
                         texts: list[str]) -> None:
        col = self._facts(merchant)
        step = self._client.get_max_batch_size()
        for i in range(0, len(ids), step):
            col.upsert(ids=ids[i:i + step], embeddings=embeddings[i:i + step],
                       documents=texts[i:i + step])

    @guarded_read
    def fact_vectors(self, merchant: str) -> dict[str, np.ndarray]:
        """Every fact vector of the merchant, by id."""
        col = self._facts(merchant)
        out: dict[str, np.ndarray] = {}
        for offset in range(0, col.count(), READ_BATCH):
            got = col.get(include=["embeddings"], limit=READ_BATCH, offset=offset)
            out.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return out

    @guarded_read
    def nearest(self, merchant: str, vector: np.ndarray, *, k: int) -> list[str]:
        """Entry ids of the `k` nearest entries, nearest first."""
        return self.collection(merchant).query(query_embeddings=[vector], n_results=k,
                                               include=[])["ids"][0]
