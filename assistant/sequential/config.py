"""Configuration of the sequential next-item model (saved in its manifest)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SeqRecConfig:
    """SASRec-style causal transformer over item sequences.

    Items are numbered 1..num_items (0 is padding). With ``num_attributes > 0`` the model is
    content-aware: an item's vector is its own embedding plus the mean of its attribute embeddings,
    so an item with few interactions still gets a meaningful vector from its attributes.
    """

    num_items: int
    hidden: int = 64
    layers: int = 2
    heads: int = 2
    max_len: int = 50
    dropout: float = 0.5
    ff_mult: int = 2
    num_attributes: int = 0
    max_attributes: int = 0  # attributes per item in the padded attribute table

    def __post_init__(self) -> None:
        if self.num_items < 1:
            raise ValueError("num_items must be >= 1")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be divisible by heads ({self.heads})")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SeqRecConfig":
        return cls(**d)
