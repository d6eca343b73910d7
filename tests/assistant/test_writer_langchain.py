"""Swapping a LangChain fake chat model in through ReplyWriter: same prompt, same guard, same fallback."""

from __future__ import annotations

import logging

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.records import Action, ReplyFacts
from assistant.writer.base_model import WriterModelError
from assistant.writer.factory import writer_from_settings
from assistant.writer.guard import Guard
from assistant.writer.langchain_writer import LangChainGenerator, to_langchain_messages
from assistant.writer.template import template_reply
from assistant.writer.writer import ReplyWriter, WrittenReply
from retrieval.product import Product

SHOE = Product(id="P1", title="Stridewell TrailRunner 3 Running Shoes", description="d", category="footwear",
               product_type="running shoes", brand="Stridewell", price=79.99)
FACTS = ReplyFacts("search_products", Action.SEARCH, "running shoes", products=(SHOE,), notes=("Here are 1 running shoes.",))
GOOD = "Sure! Have a look at the Stridewell TrailRunner 3 Running Shoes ($79.99)."
BAD_PRICE = "The Stridewell TrailRunner 3 Running Shoes are only $9.99 today!"
BAD_PRODUCT = "Try the Stridewell TrailRunner 3 Running Shoes or the Stridewell CloudGlide 9."


class RecordingFake(FakeListChatModel):
    """FakeListChatModel that remembers the messages it was given."""

    seen: list = []

    def invoke(self, input, *args, **kwargs):  # noqa: A002 - LangChain's signature
        self.seen.append(input)
        return super().invoke(input, *args, **kwargs)


def writer_for(responses: list[str]) -> ReplyWriter:
    return ReplyWriter(LangChainGenerator(FakeListChatModel(responses=responses)), Guard(), name="fake")


def test_good_reply_passes_on_first_attempt():
    out = writer_for([GOOD]).write(FACTS)
    assert out == WrittenReply(GOOD, True, False, 1, ())


def test_bad_reply_is_regenerated_once():
    writer = writer_for([BAD_PRICE, GOOD])
    out = writer.write(FACTS)
    assert out.text == GOOD and out.attempts == 2 and not out.fallback and out.failures == ("price",)
    assert writer.stats["guard_failures"] == 1 and writer.stats["fallbacks"] == 0


def test_two_bad_replies_fall_back_to_the_template(caplog):
    writer = writer_for([BAD_PRICE, BAD_PRODUCT])
    with caplog.at_level(logging.WARNING, logger="assistant.writer.writer"):
        out = writer.write(FACTS)
    assert out.fallback and out.text == template_reply(FACTS) and out.attempts == 2
    assert set(out.failures) == {"price", "unknown_product"}
    assert writer.stats["fallbacks"] == 1 and writer.stats["guard_failures"] == 2
    assert "fell back" in caplog.text and "running shoes" not in caplog.text  # kinds logged, not user text


def test_the_chat_model_gets_the_same_prompt_facts():
    fake = RecordingFake(responses=[GOOD])
    ReplyWriter(LangChainGenerator(fake), Guard()).write(FACTS)
    system, human = fake.seen[-1]
    assert system.content == to_langchain_messages(FACTS)[0].content
    assert "Stridewell TrailRunner 3 Running Shoes | $79.99" in human.content


def test_stream_yields_pieces_then_the_final_reply():
    fake = GenericFakeChatModel(messages=iter([AIMessage(content=GOOD)]))
    items = list(ReplyWriter(LangChainGenerator(fake), Guard()).stream(FACTS))
    pieces, final = items[:-1], items[-1]
    assert len(pieces) > 1 and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == GOOD and isinstance(final, WrittenReply) and final.guard_passed and not final.fallback


def test_stream_then_retract_when_the_guard_fails():
    fake = GenericFakeChatModel(messages=iter([AIMessage(content=BAD_PRICE), AIMessage(content=BAD_PRODUCT)]))
    items = list(ReplyWriter(LangChainGenerator(fake), Guard()).stream(FACTS))
    assert "".join(i for i in items if isinstance(i, str)) == BAD_PRICE  # what was streamed...
    final = items[-1]
    assert final.fallback and final.text == template_reply(FACTS)  # ...is replaced by the authoritative text


def test_backend_error_falls_back_instead_of_raising():
    class Broken:
        def generate(self, facts, attempt=0):
            raise ConnectionError("server down")

        def stream(self, facts, attempt=0):
            raise ConnectionError("server down")
            yield ""  # pragma: no cover

    writer = ReplyWriter(Broken(), Guard())
    assert writer.write(FACTS).fallback
    assert list(writer.stream(FACTS))[-1].fallback


def test_template_writer_from_settings(settings):
    writer = writer_from_settings(settings.model_copy(update={"writer": "template"}))
    out = writer.write(FACTS)
    assert out.fallback and out.attempts == 0 and out.text == template_reply(FACTS)


def test_openai_writer_needs_a_url(settings):
    with pytest.raises(WriterModelError, match="writer_url"):
        writer_from_settings(settings.model_copy(update={"writer": "openai"}))


def test_openai_writer_builds_a_chat_openai(settings):
    s = settings.model_copy(update={"writer": "openai", "writer_url": "http://127.0.0.1:9/v1", "writer_model": "m"})
    writer = writer_from_settings(s)
    assert type(writer.backend.chat_model).__name__ == "ChatOpenAI" and writer.name == "openai"
    out = writer.write(FACTS)  # nothing listens on port 9: a clean fallback, no exception
    assert out.fallback and out.text == template_reply(FACTS)


def test_missing_adapter_degrades_to_template_replies(settings, tmp_path, caplog):
    s = settings.model_copy(update={"writer": "embedded", "generator_adapter_dir": tmp_path / "nothing"})
    with caplog.at_level(logging.ERROR):
        writer = writer_from_settings(s)
    assert writer.backend is None and "shopbot train generator" in caplog.text
    assert writer.write(FACTS).fallback
