"""ReplyWriter: generate -> guard -> regenerate once -> else the deterministic template.

Backends (``Settings.writer``): "embedded" (SmolLM2-135M + the shipped LoRA adapter, the default),
"openai" (LangChain ChatOpenAI at ``writer_url``; any LangChain chat model can be passed directly), and
"template" (no model). Every generated reply goes through the same guard (``guard.py``).

Streaming decision: **stream, then retract**. ``stream(facts)`` yields the first attempt's pieces as the
model writes them (first-token latency is what the user feels), then yields the final ``WrittenReply``.
If the guard rejected the streamed text, the retry runs unstreamed and ``WrittenReply.text`` (the retry or
the template) replaces what was shown; front ends always render ``WrittenReply.text`` / ``Turn.reply`` as
the authoritative reply (see ``assistant/protocol.py``).

Guard failures and fallbacks are counted (``stats``) and logged by failure *kind* and action only,
never the user's text or the reply.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from assistant.records import ReplyFacts
from assistant.writer.guard import Guard, GuardResult
from assistant.writer.template import template_reply

log = logging.getLogger(__name__)
WRITERS = ("embedded", "openai", "template")


@dataclass(frozen=True)
class WrittenReply:
    text: str
    guard_passed: bool  # the shown text is a generated reply that passed the guard (template: True)
    fallback: bool  # the text is the deterministic template
    attempts: int  # generations tried (0 for template-only)
    failures: tuple[str, ...] = ()  # guard failure kinds of the rejected attempts


class ReplyBackend(Protocol):
    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str: ...

    def stream(self, facts: ReplyFacts, attempt: int = 0) -> Iterator[str]: ...


class ReplyWriter:
    def __init__(self, backend: ReplyBackend | None = None, guard: Guard | None = None, *, max_attempts: int = 2,
                 name: str = "embedded"):
        self.backend, self.guard, self.max_attempts, self.name = backend, guard or Guard(), max_attempts, name
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "ReplyWriter":
        from assistant.writer.factory import writer_from_settings

        return writer_from_settings(settings)

    # bookkeeping ----------------------------------------------------------------------------------
    def _count(self, *keys: str) -> None:
        with self._stats_lock:
            self.stats.update(keys)

    def _checked(self, text: str, facts: ReplyFacts, attempt: int) -> GuardResult:
        result = self.guard.check(text, facts)
        if not result.passed:
            self._count("guard_failures", *(f"guard_failure:{k}" for k in result.kinds))
            log.warning("writer guard rejected attempt %d (action=%s): %s", attempt + 1, facts.action.value,
                        ", ".join(sorted(set(result.kinds))))
        return result

    def _fallback(self, facts: ReplyFacts, attempts: int, failures: list[str]) -> WrittenReply:
        self._count("fallbacks")
        log.warning("writer fell back to the template (action=%s, attempts=%d)", facts.action.value, attempts)
        return WrittenReply(template_reply(facts), True, True, attempts, tuple(failures))

    def _generate(self, facts: ReplyFacts, attempt: int) -> str:
        try:
            return self.backend.generate(facts, attempt)
        except Exception as exc:  # noqa: BLE001 - a model error must not lose the turn
            self._count("backend_errors")
            log.error("writer backend %s failed: %s", self.name, type(exc).__name__)
            return ""

    # API ------------------------------------------------------------------------------------------
    def write(self, facts: ReplyFacts) -> WrittenReply:
        self._count("replies")
        if self.backend is None:
            return WrittenReply(template_reply(facts), True, True, 0)
        failures: list[str] = []
        for attempt in range(self.max_attempts):
            text = self._generate(facts, attempt)
            result = self._checked(text, facts, attempt)
            if result.passed:
                return WrittenReply(text, True, False, attempt + 1, tuple(failures))
            failures.extend(result.kinds)
        return self._fallback(facts, self.max_attempts, failures)

    def stream(self, facts: ReplyFacts) -> Iterator[str | WrittenReply]:
        """Pieces of the first attempt as generated, then the final WrittenReply (authoritative text)."""
        self._count("replies")
        if self.backend is None:
            text = template_reply(facts)
            yield text
            yield WrittenReply(text, True, True, 0)
            return
        pieces: list[str] = []
        try:
            for piece in self.backend.stream(facts, 0):
                pieces.append(piece)
                yield piece
        except Exception as exc:  # noqa: BLE001
            self._count("backend_errors")
            log.error("writer backend %s failed while streaming: %s", self.name, type(exc).__name__)
        text = "".join(pieces).strip()
        result = self._checked(text, facts, 0)
        if result.passed:
            yield WrittenReply(text, True, False, 1)
            return
        failures = list(result.kinds)
        for attempt in range(1, self.max_attempts):
            text = self._generate(facts, attempt)
            retry = self._checked(text, facts, attempt)
            if retry.passed:
                yield WrittenReply(text, True, False, attempt + 1, tuple(failures))
                return
            failures.extend(retry.kinds)
        yield self._fallback(facts, self.max_attempts, failures)
