"""Fixtures shared by the assistant tests: the shipped NLU model, loaded once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def real_parser():
    """The shipped fine-tuned NLU model (skips cleanly when it is not there)."""
    from assistant.nlu.parser import NluParser
    from assistant.settings import Settings

    settings = Settings()
    if not (settings.nlu_model_dir / "manifest.json").is_file():
        pytest.skip(f"no shipped NLU model at {settings.nlu_model_dir}")
    return NluParser.load(settings.nlu_model_dir, threshold=settings.nlu_confidence_threshold,
                           speed=settings.nlu_speed)
