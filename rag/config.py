"""The one typed configuration: environment (CLUSTERQA_*), then clusterqa.toml, then defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# all-MiniLM-L6-v2 reads at most 256 tokens; two of them are [CLS] and [SEP].
MODEL_WINDOW_TOKENS = 256
SPECIAL_TOKENS = 2


class AppConfig(BaseSettings):
    """Settings for ingestion and answering, built once at the entry point and passed down."""

    model_config = SettingsConfigDict(env_prefix="CLUSTERQA_", toml_file="clusterqa.toml", extra="forbid")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of documents to index.")
    index_dir: Path = Field(Path(".clusterqa"), description="Where the embedded index lives.")
    collection: str = Field("clusterqa", description="Chroma collection name.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded.")
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_ssl: bool = False
    chroma_tenant: str = "default_tenant"
    chroma_database: str = "default_database"
    model: str = Field("all-MiniLM-L6-v2", description="Embedding model name.")
    embed_backend: Literal["onnx", "torch"] = Field(
        "onnx", description="onnx: ONNX Runtime export of the model (fast start); torch: sentence-transformers."
    )
    model_cache_dir: Path | None = Field(
        None, description="Where the ONNX export is cached; default $XDG_CACHE_HOME/clusterqa or ~/.cache/clusterqa."
    )
    embed_batch_size: int = Field(8, ge=1, le=4096, description="Measured fastest on CPU (BENCHMARKS.md).")
    chunk_tokens: int = Field(200, ge=32, description="Max tokens of text per chunk.")
    chunk_overlap_tokens: int = Field(32, ge=0)
    upsert_batch_size: int = Field(500, ge=1)
    testset: Path = Field(Path("tests/data/testset.jsonl"), description="Default test set of clusterqa eval.")
    k: int = Field(8, ge=1, le=50, description="Passages retrieved per question.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1")
    llm_model: str | None = Field(None, description="Model name at that endpoint.")
    llm_api_key: str = Field("not-needed", description="API key, if the endpoint wants one.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before falling back to the extractive answer.")
    host: str = Field("127.0.0.1", description="Address the web UI listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web UI.")
    auth: str | None = Field(None, description="Web UI logins: user:password[,user:password...] or a file of them.")
    max_file_mb: float = Field(50.0, gt=0, description="Files larger than this are refused.")
    fetch_max_mb: float = Field(50.0, gt=0, description="clusterqa add: downloads larger than this are refused.")
    fetch_timeout: float = Field(
        30.0, gt=0, description="clusterqa add: seconds one address may take, redirects included."
    )
    allow_private_urls: bool = Field(
        False, description="clusterqa add: fetch addresses on loopback, private and link-local networks too."
    )

    @field_validator("chunk_tokens")
    @classmethod
    def _fits_window(cls, value: int) -> int:
        limit = MODEL_WINDOW_TOKENS - SPECIAL_TOKENS
        if value > limit:
            raise ValueError(f"must be at most {limit}: the model reads {MODEL_WINDOW_TOKENS} tokens")
        return value

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _overlap_smaller(cls, value: int, info: object) -> int:
        data = getattr(info, "data", {})
        if "chunk_tokens" in data and value >= data["chunk_tokens"] // 2:
            raise ValueError("must be less than half of chunk_tokens")
        return value

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_host)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def fetch_max_bytes(self) -> int:
        return int(self.fetch_max_mb * 1024 * 1024)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
