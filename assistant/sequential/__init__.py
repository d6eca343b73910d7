"""SASRec-style next-item model used at run time: config, model, manifest load/save, scorer."""

from assistant.sequential.config import SeqRecConfig
from assistant.sequential.model import SASRec
from assistant.sequential.store import load_model, save_model

__all__ = ["SeqRecConfig", "SASRec", "load_model", "save_model"]
