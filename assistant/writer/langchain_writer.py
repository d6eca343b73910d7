"""The swappable path: any LangChain chat model writes the reply from the same prompt facts.

``LangChainGenerator(chat_model)`` has the same ``generate(facts, attempt)`` / ``stream(facts, attempt)``
interface as the embedded generator, so ``ReplyWriter`` applies the same guard and fallback to it.
``openai_chat_model(settings)`` builds ``ChatOpenAI`` for an OpenAI-compatible server (vLLM, Ollama, ...)
at ``settings.writer_url``.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.records import ReplyFacts
from assistant.writer.base_model import WriterModelError
from assistant.writer.prompt import build_messages


def to_langchain_messages(facts: ReplyFacts):
    from langchain_core.messages import HumanMessage, SystemMessage

    system, user = build_messages(facts)
    return [SystemMessage(content=system["content"]), HumanMessage(content=user["content"])]


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


class LangChainGenerator:
    """Wraps a ``langchain_core`` BaseChatModel. Attempt 0 uses the model as configured; a retry binds a
    higher temperature when the model supports it (so the regeneration can differ)."""

    def __init__(self, chat_model, retry_temperature: float = 0.7):
        self.chat_model = chat_model
        self.retry_temperature = retry_temperature

    def _model(self, attempt: int):
        if attempt == 0:
            return self.chat_model
        try:
            return self.chat_model.bind(temperature=self.retry_temperature)
        except Exception:  # noqa: BLE001 - models without a temperature parameter retry as they are
            return self.chat_model

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        return _text(self._model(attempt).invoke(to_langchain_messages(facts)).content).strip()

    def stream(self, facts: ReplyFacts, attempt: int = 0) -> Iterator[str]:
        for chunk in self._model(attempt).stream(to_langchain_messages(facts)):
            piece = _text(chunk.content)
            if piece:
                yield piece


def openai_chat_model(settings):
    """ChatOpenAI against an OpenAI-compatible endpoint (``writer_url``/``writer_model``/``writer_api_key``)."""
    if not settings.writer_url or not settings.writer_model:
        raise WriterModelError("writer='openai' needs writer_url and writer_model in settings "
                               "(e.g. SHOPBOT_WRITER_URL=http://127.0.0.1:11434/v1 SHOPBOT_WRITER_MODEL=llama3.2)")
    from langchain_openai import ChatOpenAI

    api_key = getattr(settings, "writer_api_key", None) or "not-needed"
    return ChatOpenAI(base_url=settings.writer_url, model=settings.writer_model, api_key=api_key, temperature=0.0,
                      max_tokens=120, timeout=30, max_retries=1)
