"""Build the ReplyWriter that Settings asks for (``writer`` = embedded | openai | template)."""

from __future__ import annotations

import logging

from assistant.artifact import ArtifactError
from assistant.writer.base_model import WriterModelError
from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig
from assistant.writer.guard import Guard
from assistant.writer.writer import WRITERS, ReplyWriter
from retrieval.catalog.io import load_catalog
from retrieval.catalog.vocab import all_brands
from retrieval.packaged import ModelNotInstalled

log = logging.getLogger(__name__)


def catalog_names(settings) -> tuple[list[str], list[str]]:
    """(titles, brands) of the built catalog (when its file exists) and every brand of the vocabulary."""
    titles: list[str] = []
    brands = list(all_brands())
    path = settings.catalog_path
    if path.is_file():
        try:
            products = load_catalog(path)
            titles = [p.title for p in products]
            brands = sorted(set(brands) | {p.brand for p in products})
        except Exception as exc:  # noqa: BLE001 - a bad catalog file must not stop the writer
            log.warning("could not read catalog titles for the guard: %s", type(exc).__name__)
    return titles, brands


def guard_from_settings(settings) -> Guard:
    """The guard for the built catalog: its titles, display names, brands (with the vocabulary's) and
    product-type nouns (``Guard.for_catalog``); shape-only detection (vocabulary brands) when there is no
    readable catalog file."""
    path = settings.catalog_path
    if path.is_file():
        try:
            return Guard.for_catalog(load_catalog(path), extra_brands=all_brands())
        except Exception as exc:  # noqa: BLE001 - a bad catalog file must not stop the writer
            log.warning("could not read the catalog for the guard: %s", type(exc).__name__)
    return Guard(*catalog_names(settings))


def writer_from_settings(settings):
    kind = settings.writer
    if kind not in WRITERS:
        raise WriterModelError(f"unknown writer {kind!r}; expected one of {', '.join(WRITERS)}")
    guard = guard_from_settings(settings)
    if kind == "template":
        return ReplyWriter(None, guard, name="template")
    if kind == "openai":
        from assistant.writer.langchain_writer import LangChainGenerator, openai_chat_model

        return ReplyWriter(LangChainGenerator(openai_chat_model(settings)), guard, name="openai",
                           max_attempts=settings.writer_attempts)
    speed = settings.writer_speed
    try:
        backend = EmbeddedGenerator.load(settings.generator_adapter_dir, GenerationConfig(speed=speed),
                                         models_dir=settings.models_dir)
    except (ArtifactError, WriterModelError, ModelNotInstalled) as exc:
        # the assistant keeps answering (template replies); the log says why and how to fix it
        log.error("embedded writer unavailable, using template replies: %s", exc)
        return ReplyWriter(None, guard, name="template")
    return ReplyWriter(backend, guard, name="embedded", max_attempts=settings.writer_attempts)
