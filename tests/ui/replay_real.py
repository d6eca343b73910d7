"""Factory for the replay tests with the real Assistant (``Assistant.from_settings``). While the shipped NLU
artifact is missing it swaps in the dialogue tests' deterministic parser so the rest of the real pipeline
(Chroma retrieval, ranking, order store, policies, template writer) is still exercised."""

from __future__ import annotations

import logging
from unittest.mock import patch

log = logging.getLogger(__name__)


def nlu_shipped(settings) -> bool:
    return (settings.nlu_model_dir / "manifest.json").is_file()


def build(settings, generate: bool = True):
    from assistant.assistant import Assistant

    if nlu_shipped(settings):
        return Assistant.from_settings(settings, generate=generate)
    from assistant.nlu.parser import NluParser
    from tests.assistant.standin_parser import StandinParser

    log.warning("NLU artifact missing at %s: replaying with the stand-in parser", settings.nlu_model_dir)
    with patch.object(NluParser, "load", classmethod(lambda cls, *a, **k: StandinParser())):
        return Assistant.from_settings(settings, generate=generate)
