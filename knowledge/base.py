"""The merchant knowledge base: merchants, all-or-nothing uploads, records, search.

An upload is parsed and validated whole (any bad record rejects all of it, with
every problem named), then embedded (only entries whose embedded text changed, and only fact texts
(`knowledge.facts`) the merchant has no vector for: re-uploading unchanged records
embeds nothing), and only then written. A
re-uploaded id replaces its record; a policy that now has fewer chunks loses the
extra ones.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Container, Sequence
from dataclasses import dataclass

import numpy as np

from copilot.errors import BadRequest, NotFound
from knowledge import loaders
from knowledge.documents import Entry, entries_for, entry_id
from knowledge.embedders import Embedder
from knowledge.facts import facts_of, ingest_texts, vector_id
from knowledge.index import VectorIndex
from knowledge.records import KINDS, Faq, Kind, Policy, Product, Record, kind_of

SLOT_SETTINGS = "outfit_slots"    # the metadata key of a merchant's slot settings (JSON)
ALLOWED_HOSTS = "allowed_hosts"   # ... and of the hosts its drafts may link to (JSON list)
STATEMENT_BATCH = 64              # product statements embedded and stored at a time

RECORD_TYPES: dict[Kind, type] = {"sku": Product, "policy": Policy, "faq": Faq}


def statement_texts(products: Sequence[Product], known: Container[str] = ()) -> dict[str, str]:
    """The statements of `products` to embed, by vector id, but the `known` ones."""
    return {f.vector_id: f.embed for p in products for f in facts_of("sku", p.id, p.model_dump(mode="json"))
            if f.embed and f.vector_id not in known}


@dataclass(frozen=True)
class IngestReport:
    merchant: str
    kind: Kind
    records: int
    new: int
    replaced: int
    embedded: int
    facts_embedded: int
    removed_chunks: int
    warnings: list[dict] = dataclasses.field(default_factory=list)  # flagged text (file, line, field)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


class KnowledgeBase:
    def __init__(self, *, index: VectorIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._hosts: dict[str, tuple[int, tuple[str, ...]]] = {}   # merchant -> (version, hosts)

    # merchants -------------------------------------------------------------------
    def merchants(self) -> dict[str, str]:
        return self.index.merchants()

    def create_merchant(self, merchant: str, *, name: str = "") -> None:
        self.index.create_merchant(merchant, name=name)

    def require_merchant(self, merchant: str) -> None:
        self.index.collection(merchant)

    # writes ------------------------------------------------------------------------
    def ingest(self, merchant: str, kind: Kind, files: Sequence[tuple[str, bytes]],
               *, progress=None) -> IngestReport:
        self.require_merchant(merchant)
        self.index.guard.before_write()      # a full or failing store: refuse before parsing and embedding
        upload = loaders.parse_many(kind, list(files), allowed_hosts=self.allowed_hosts(merchant))
        report = self.put(merchant, upload.records, progress=progress)
        return dataclasses.replace(report, warnings=[dataclasses.asdict(w) for w in upload.warnings])

    def put(self, merchant: str, records: Sequence[Record], *, progress=None) -> IngestReport:
        """Store validated records of one kind (replacing those with the same id)."""
        kind = _single_kind(records)
        entries = [e for r in records for e in entries_for(r)]
        source_ids = sorted({r.id for r in records})
        stored = self.index.get(merchant, [e.id for e in entries], embeddings=True)
        # SKUs and FAQs are one entry each; only a policy's chunk count can change.
        old = self._entries_of(merchant, kind, source_ids) if kind == "policy" else stored
        vectors, embedded = self._vectors(entries, stored, progress=progress)
        facts_embedded = self._embed_facts(merchant, records)
        new_ids = {e.id for e in entries}
        stale = [e for e in old if e not in new_ids]
        self.index.upsert(merchant, ids=[e.id for e in entries], embeddings=vectors,
                          metadatas=[e.metadata for e in entries],
                          documents=[e.text for e in entries])
        self.index.delete(merchant, stale)
        self.index.bump_version(merchant)
        old_sources = {old[e]["metadata"]["source_id"] for e in old}
        return IngestReport(merchant=merchant, kind=kind, records=len(records),
                            new=len(set(source_ids) - old_sources),
                            replaced=len(set(source_ids) & old_sources),
                            embedded=embedded, facts_embedded=facts_embedded,
                            removed_chunks=len(stale))

    def delete(self, merchant: str, kind: Kind, ids: Sequence[str]) -> int:
        """Delete records by id; unknown ids are a `NotFound` and nothing is deleted."""
        old = self._entries_of(merchant, kind, list(ids))
        found = {row["metadata"]["source_id"] for row in old.values()}
        missing = sorted(set(ids) - found)
        if missing:
            raise NotFound(f"no {kind} with id {', '.join(missing)} for merchant {merchant!r}; "
                           "nothing was deleted")
        self.index.delete(merchant, list(old))
        self.index.bump_version(merchant)
        return len(found)

    # reads ---------------------------------------------------------------------------
    def get(self, merchant: str, kind: Kind, record_id: str) -> Record:
        row = self.index.get(merchant, [entry_id(kind, record_id)]).get(entry_id(kind, record_id))
        if row is None:
            raise NotFound(f"no {kind} with id {record_id!r} for merchant {merchant!r}")
        return record_from(row["metadata"])

    def records(self, merchant: str, kind: Kind) -> list[Record]:
        """Every record of a kind (first chunk of each policy), sorted by id."""
        rows = self.index.where(merchant, {"$and": [{"kind": kind}, {"chunk": 0}]})
        return sorted((record_from(r["metadata"]) for r in rows.values()), key=lambda r: r.id)

    def products(self, merchant: str) -> list[Product]:
        return self.records(merchant, "sku")  # type: ignore[return-value]

    def slot_settings(self, merchant: str) -> dict[str, str]:
        """The merchant's own category -> outfit slot settings (`copilot.outfits.slot_settings`)."""
        return json.loads(self.index.setting(merchant, SLOT_SETTINGS) or "{}")

    def set_slot_settings(self, merchant: str, settings: dict[str, str]) -> None:
        """Replace the merchant's slot settings at once; a new knowledge version, so outfits
        are built with them from the next message."""
        self.require_merchant(merchant)
        self.index.bump_version(merchant, **{SLOT_SETTINGS: json.dumps(settings, ensure_ascii=False)})

    def allowed_hosts(self, merchant: str) -> tuple[str, ...]:
        """The hosts the merchant allows its drafts to link to (besides the platform's;
        `copilot.safety`), read once per knowledge version."""
        version = self.index.version(merchant)
        cached = self._hosts.get(merchant)
        if cached is None or cached[0] != version:
            hosts = tuple(json.loads(self.index.setting(merchant, ALLOWED_HOSTS) or "[]"))
            cached = self._hosts[merchant] = (version, hosts)
        return cached[1]

    def set_allowed_hosts(self, merchant: str, hosts: Sequence[str]) -> None:
        """Replace the merchant's allowed hosts (already normalised) at once."""
        self.require_merchant(merchant)
        self.index.bump_version(merchant, **{ALLOWED_HOSTS: json.dumps(list(hosts))})

    def counts(self, merchant: str) -> dict[str, int]:
        return {k: len(self.index.where(merchant, {"$and": [{"kind": k}, {"chunk": 0}]}))
                for k in KINDS}

    # internals -----------------------------------------------------------------------
    def _entries_of(self, merchant: str, kind: Kind, source_ids: list[str]) -> dict[str, dict]:
        if not source_ids:
            return {}
        return self.index.where(merchant, {"$and": [{"kind": kind},
                                                    {"source_id": {"$in": source_ids}}]})

    def _embed_facts(self, merchant: str, records: Sequence[Record]) -> int:
        """Embed the fact texts of `records` that the merchant has no vector for yet."""
        texts = {vector_id(t): t for r in records
                 for f in facts_of(kind_of(r), r.id, r.model_dump(mode="json")) for t in ingest_texts(f)}
        missing = self.index.missing_fact_vectors(merchant, list(texts))
        if missing:
            self.index.add_fact_vectors(
                merchant, ids=missing, texts=[texts[i] for i in missing],
                embeddings=self.embedder.embed_documents([texts[i] for i in missing]))
        return len(missing)

    def embed_statements(self, merchant: str, products: Sequence[Product] | None = None, *,
                         known: Container[str] = (), progress=None) -> dict[str, np.ndarray]:
        """Embed and store the statements of `products` (default: all the merchant's) that have
        no vector yet (`known` ones are skipped without asking the store); the new vectors by id.
        Ingest leaves them out to stay fast (`knowledge.facts`); the CLI's ingest runs this after
        an upload, a server in the background (`Retriever.warm`)."""
        products = self.products(merchant) if products is None else products
        texts = statement_texts(products, known)
        missing = self.index.missing_fact_vectors(merchant, list(texts))
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(missing), STATEMENT_BATCH):
            ids = missing[start:start + STATEMENT_BATCH]
            embedded = self.embedder.embed_documents([texts[i] for i in ids])
            out.update(zip(ids, embedded))
            self.index.add_fact_vectors(merchant, ids=ids, embeddings=embedded, texts=[texts[i] for i in ids])
            if progress:
                progress(len(ids))
        return out

    def _vectors(self, entries: list[Entry], stored: dict[str, dict], *, progress) -> tuple[np.ndarray, int]:
        vectors = np.zeros((len(entries), self.embedder.dim), dtype=np.float32)
        todo = []
        for i, e in enumerate(entries):
            row = stored.get(e.id)
            if row is not None and row["metadata"].get("embed_hash") == e.embed_hash:
                vectors[i] = row["embedding"]
            else:
                todo.append(i)
        step = 64
        for start in range(0, len(todo), step):
            batch = todo[start:start + step]
            vectors[batch] = self.embedder.embed_documents([entries[i].embed_text for i in batch])
            if progress:
                progress(len(batch))
        for e in entries:
            e.metadata["embed_hash"] = e.embed_hash
        return vectors, len(todo)


def record_from(metadata: dict) -> Record:
    return RECORD_TYPES[metadata["kind"]].model_validate(json.loads(metadata["record"]))


def _single_kind(records: Sequence[Record]) -> Kind:
    kinds = {kind_of(r) for r in records}
    if len(kinds) != 1:
        raise BadRequest("one upload holds records of one kind (catalog, policies or FAQs)")
    return kinds.pop()
