"""The one settings object. Built at the entry point (CLI, server, tests) and passed down.

Sources, highest first: constructor arguments, environment (``SHOPBOT_*``, nested with ``__``),
``shopbot.toml`` in the working directory, then the defaults below. No module-level instance exists.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

PACKAGE_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = PACKAGE_DIR / "artifacts"


class RankerWeights(BaseModel):
    """Weights of the blended ranking score (see assistant/ranking)."""

    relevance: float = 1.0
    affinity: float = 0.6
    sequential: float = 0.4
    popularity: float = 0.2
    exploration: float = 0.35
    diversity_lambda: float = 0.7  # MMR trade-off: 1.0 = relevance only
    recency_half_life_days: float = 14.0
    # exploration (assistant/ranking/bandit.py)
    exploration_mode: str = "thompson"  # or "ucb"
    prior_strength: float = 4.0  # pseudo-observations of an item's category prior
    new_item_bonus: float = 4.0  # extra pseudo-successes of a new arrival (the exploration prior)
    new_item_days: float = 30.0  # created within this many days = new arrival
    propensity_draws: int = 32  # Monte-Carlo Thompson draws used to estimate propensities


class SiteConfig(BaseModel):
    """One embedding site of the chat widget."""

    key: str
    origins: list[str] = Field(default_factory=list)


class WidgetLimits(BaseModel):
    """Limits of the chat-widget HTTP API (token buckets: ``burst`` tokens, refilled at ``per_second``)."""

    ip_per_second: float = 20.0
    ip_burst: int = 120
    session_per_second: float = 2.0
    session_burst: int = 30
    max_body_bytes: int = 16_384
    max_text_chars: int = 2_000
    user_token_ttl_s: int = 3_600
    max_sessions: int = 100_000  # sessions remembered by the API (oldest forgotten first)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPBOT_",
        env_nested_delimiter="__",
        toml_file="shopbot.toml",
        extra="ignore",
    )

    data_dir: Path = Path(".shopbot")
    seed: int = 13
    catalog_size: int = 5000
    catalog_file: Path | None = None  # None: <data_dir>/catalog.jsonl (generated)

    # models (None: the packaged / shipped default)
    embedding_model: Path | None = None
    nlu_model_dir: Path = ARTIFACTS_DIR / "nlu"
    generator_adapter_dir: Path = ARTIFACTS_DIR / "generator"
    nlu_confidence_threshold: float = 0.5
    nlu_speed: str = "auto"  # NLU encoder on CPU (assistant/speed.py): "auto" (bf16 where native, else fp32), "fp32", "bf16", "int8"

    # Chroma: embedded at <data_dir>/chroma unless a server URL is given
    chroma_url: str | None = None
    products_collection: str = "products"
    policies_collection: str = "policies"

    # SQL store (interactions, sessions/events, orders); SQLite by default
    database_url: str | None = None  # None: sqlite:///<data_dir>/shop.db

    ranker: RankerWeights = Field(default_factory=RankerWeights)

    # reply writer: "embedded" (SmolLM2 + adapter), "template", or "openai" (LangChain ChatOpenAI at writer_url)
    writer: str = "embedded"
    writer_url: str | None = None
    writer_model: str | None = None
    writer_api_key: str | None = None  # writer="openai" only; local OpenAI-compatible servers need none
    writer_speed: str = "fp32"  # embedded writer: "fp32" or "int8" (dynamic int8 Linear layers)
    generate: bool = True

    # front ends
    host: str = "127.0.0.1"
    port: int = 7860
    sites: list[SiteConfig] = Field(default_factory=lambda: [SiteConfig(key="demo-site-key", origins=["http://127.0.0.1:7860", "http://localhost:7860"])])
    user_token_secret: str = "change-me-in-production"
    widget: WidgetLimits = Field(default_factory=WidgetLimits)

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

    # derived locations -------------------------------------------------------------
    @property
    def catalog_path(self) -> Path:
        return self.catalog_file or self.data_dir / "catalog.jsonl"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'shop.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        """Models built on this machine (not shipped), e.g. the sequential recommender."""
        return self.data_dir / "models"
