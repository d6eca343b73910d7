"""The one settings object. Built at the entry point (CLI, server, tests) and passed down.

Sources, highest first: constructor arguments, environment (``SHOPBOT_*``, nested with ``__``),
``shopbot.toml`` in the working directory, then the defaults below. No module-level instance exists.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

PACKAGE_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = PACKAGE_DIR / "artifacts"
DEFAULT_USER_TOKEN_SECRET = "change-me-in-production"  # refused by `shopbot serve` on a public address
DEMO_SITE_KEY = "demo-site-key"  # the built-in demo site (demo.html); refused on a public address


class RankerWeights(BaseModel):
    """Weights of the blended ranking score (see assistant/ranking)."""

    relevance: float = 1.0
    affinity: float = 0.6
    sequential: float = 0.4
    popularity: float = 0.2
    exploration: float = 0.35
    diversity_lambda: float = 0.7  # MMR trade-off: 1.0 = relevance only
    # when the shopper searched in words: gentler, so the blend never buries what was asked for
    # (ESCI dev, chat level: 0.35 / 0.7 shows nDCG 0.56 < plain dense 0.59; 0.1 / 0.9 shows 0.67 < the hybrid search
    # it starts from, 0.69, at the same cut-off; 0.1 / 1.0 shows 0.69 over 3 seeds; bench/RESULTS.md)
    search_exploration: float = 0.1
    search_diversity_lambda: float = 1.0
    recency_half_life_days: float = 14.0
    # exploration (assistant/ranking/bandit.py)
    exploration_mode: str = "thompson"  # or "ucb"
    prior_strength: float = 4.0  # pseudo-observations of an item's category prior
    new_item_bonus: float = 4.0  # extra pseudo-successes of a new arrival (the exploration prior)
    new_item_days: float = 30.0  # created within this many days = new arrival
    propensity_draws: int = 32  # Monte-Carlo Thompson draws used to estimate propensities


class SearchTuning(BaseModel):
    """How a chat search turns the shopper's words and entities into results (assistant/dialogue/finder.py,
    retrieval/hybrid.py); defaults measured on the ESCI dev queries (bench/RESULTS.md)."""

    model_config = {"frozen": True}

    dense_weight: float = Field(0.6, ge=0.0, le=1.0)  # hybrid fusion: 1.0 = dense only, 0.0 = BM25 only
    pool: int = Field(60, ge=5, le=1000)  # products retrieved per request before constraints and ranking
    clean_share: float = Field(0.8, ge=0.0, le=1.0)  # an attribute filters only if this share of the pool states it
    type_share: float = Field(0.5, ge=0.0, le=1.0)  # a named type filters only if this share of the top 10 has it
    boost: float = Field(0.03, ge=0.0)  # added per soft constraint a product meets
    penalty: float = Field(0.1, ge=0.0)  # subtracted per quantity a title contradicts ("4 person" for "2 person")
    negation_weight: float = Field(0.1, ge=0.0)  # per negated word a title is free of (+) or names (-)


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
    # product/query embedder (retrieval/embeddings.py): "auto" (bf16 + 128-token cap where bf16 is native, else
    # "fp32-capped"), "fp32" (the reference: float32, the model's 256-token cap), "bf16", "fp32-capped"
    index_speed: str = "auto"

    # Chroma: embedded at <data_dir>/chroma unless a server URL is given
    chroma_url: str | None = None
    products_collection: str = "products"
    policies_collection: str = "policies"

    # SQL store (interactions, sessions/events, orders); SQLite by default
    database_url: str | None = None  # None: sqlite:///<data_dir>/shop.db

    ranker: RankerWeights = Field(default_factory=RankerWeights)
    search: SearchTuning = Field(default_factory=SearchTuning)

    # reply writer: "embedded" (SmolLM2 + adapter), "template", or "openai" (LangChain ChatOpenAI at writer_url)
    writer: str = "embedded"
    writer_url: str | None = None
    writer_model: str | None = None
    writer_api_key: str | None = None  # writer="openai" only; local OpenAI-compatible servers need none
    writer_speed: str = "auto"  # embedded writer (assistant/speed.py): "auto" (bf16 where native, else fp32), "fp32", "bf16", "int8"
    # generations tried per reply, each checked by the guard, before the template reply (bench/RESULTS.md:
    # 3 measured on the ESCI dev queries; the first is greedy, later ones sampled with a fixed seed each)
    writer_attempts: int = Field(default=3, ge=1, le=5)
    # torch intra-op threads per serving process (0: torch's default, one per core). 1 measured faster on this
    # 2-core CPU for every stage (bench/RESULTS.md "Turn speed"): turns run concurrently and small matmuls
    # gain nothing from a second thread that waits at every op.
    torch_threads: int = Field(default=1, ge=0, le=64)
    generate: bool = True

    # front ends
    host: str = "127.0.0.1"
    port: int = 7860
    sites: list[SiteConfig] = Field(default_factory=lambda: [SiteConfig(key=DEMO_SITE_KEY, origins=["http://127.0.0.1:7860", "http://localhost:7860"])])
    user_token_secret: str = DEFAULT_USER_TOKEN_SECRET
    widget: WidgetLimits = Field(default_factory=WidgetLimits)

    # security (README "Security"; `shopbot keys` makes the secrets)
    demo_mode: bool | None = None  # customer picker + default-secret tokens; None: on only when `host` is loopback
    admin_user: str = "admin"
    admin_password_hash: str | None = None  # bcrypt hash; None: no Review / Analytics tabs are mounted
    trusted_proxies: list[str] = Field(default_factory=list)  # CIDRs whose X-Forwarded-For is believed

    # bounded per-process caches (assistant/sessions.py, assistant/ranking/policy.py): evicted entries are
    # rebuilt from the event log / interaction store, so the bounds never break a live conversation
    max_cached_sessions: int = Field(default=10_000, ge=1)
    max_cached_profiles: int = Field(default=10_000, ge=1)
    # POST /v1/admin/forget (ui/api/routes/admin.py) needs "Authorization: Bearer <admin_token>"; None = disabled
    admin_token: str | None = None

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

    # derived ----------------------------------------------------------------------
    @property
    def demo_enabled(self) -> bool:
        """Demo mode: explicit ``demo_mode``, else on exactly when serving on a loopback address."""
        return self.demo_mode if self.demo_mode is not None else is_loopback(self.host)

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


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"; anything else (0.0.0.0, "", a name) counts as public."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
