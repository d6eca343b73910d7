"""ReplyWriter: generate -> guard -> repair or regenerate (``max_attempts`` in all) -> else the deterministic template.

Attempts: the first decodes greedily, the next ones sample; the last of 3+ writes about the top product alone
(greedy), which leaves the small model no second product to glue a name or move a price from (``_focused``).

Backends (``Settings.writer``): "embedded" (SmolLM2-135M + the shipped LoRA adapter, the default),
"openai" (LangChain ChatOpenAI at ``writer_url``; any LangChain chat model can be passed directly), and
"template" (no model). Every generated reply goes through the same guard (``guard.py``).

Streaming decision: **stream, then retract**. ``stream(facts)`` yields the first attempt's pieces as the
model writes them (first-token latency is what the user feels), then yields the final ``WrittenReply``.
If the guard rejected the streamed text, the retry runs unstreamed and ``WrittenReply.text`` (the retry or
the template) replaces what was shown; front ends always render ``WrittenReply.text`` / ``Turn.reply`` as
the authoritative reply (see ``assistant/protocol.py``).

Computed answers about the shown list (``ReplyFacts.verbatim``: "which one is lightest?", "are any of them
wireless?") are the notes as written, never generated. Lists the bot must show verbatim (the "Which one do you mean? 1. ...; 2. ..." options, "Your recent
orders: ...") are never paraphrased by the model: ``split_verbatim`` hands the model the note's lead
("Which one do you mean?") and code appends the list from the facts; the guard checks the model's text
(the appended list is the facts' own text).

A rejected attempt is **repaired** before regenerating when a corrected version of the model's own text
passes (``repair.py``): without parenthesised prices the facts do not hold ("the X ($19.99)" for a product
whose price is not listed: the 135M model was trained on priced catalogs), with a misspelt copy of one fact
product's name replaced by that name, without the sentences that hold the failures, or cut to its last
complete sentence (``incomplete``). The repaired text is checked by the full guard; nothing but the facts'
own names is added to it.

Guard failures and fallbacks are counted (``stats``) and logged by failure *kind* and action only,
never the user's text or the reply.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.records import ReplyFacts
from assistant.writer.guard import Guard, GuardResult
from assistant.writer.repair import repair
from assistant.writer.template import template_reply

log = logging.getLogger(__name__)
WRITERS = ("embedded", "openai", "template")
# a note that asks, then lists what to choose from: "Which one do you mean? 1. A; 2. B" / "...? Your recent orders: ..."
_LISTED = re.compile(r"^(?P<lead>[^?]{3,120}\?)\s+(?P<list>(?:1\.\s|[^.?!]{0,40}:\s).+)$", re.S)


def split_verbatim(facts: ReplyFacts) -> tuple[ReplyFacts, str]:
    """(facts for the model, list text to append verbatim): listing notes keep only their lead question."""
    notes, tail = [], []
    for note in facts.notes:
        m = _LISTED.match(note.strip())
        if m:
            notes.append(m.group("lead"))
            tail.append(m.group("list").strip())
        else:
            notes.append(note)
    if not tail:
        return facts, ""
    return replace(facts, notes=tuple(notes)), " ".join(tail)


def _join(text: str, tail: str) -> str:
    return f"{text.rstrip()} {tail}".strip() if tail else text


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

    # bookkeeping ----------------------------------------------------------------------------------
    def _count(self, *keys: str) -> None:
        with self._stats_lock:
            self.stats.update(keys)

    def _verdict(self, text: str, facts: ReplyFacts, tail: str = "") -> GuardResult:
        """The guard's verdict on the model's text; what the verbatim ``tail`` says is not missing from it."""
        result = self.guard.check(text, facts)
        if tail and not result.passed:
            kept = tuple(f for f in result.failures
                         if not (f.startswith("omits_fact:") and f.split(":", 1)[1].strip().lower() in tail.lower()))
            result = GuardResult(not kept, kept)
        return result

    def _checked(self, text: str, facts: ReplyFacts, attempt: int, tail: str = "") -> GuardResult:
        result = self._verdict(text, facts, tail)
        if not result.passed:
            self._count("guard_failures", *(f"guard_failure:{k}" for k in result.kinds))
            log.warning("writer guard rejected attempt %d (action=%s): %s", attempt + 1, facts.action.value,
                        ", ".join(sorted(set(result.kinds))))
        return result

    def _fallback(self, facts: ReplyFacts, attempts: int, failures: list[str]) -> WrittenReply:
        self._count("fallbacks")
        log.warning("writer fell back to the template (action=%s, attempts=%d)", facts.action.value, attempts)
        return WrittenReply(template_reply(facts), True, True, attempts, tuple(failures))

    def _repaired(self, text: str, facts: ReplyFacts, tail: str = "") -> str | None:
        """A repaired version of ``text`` that passes the guard, if any (``repair.py``)."""
        return repair(text, facts, self.guard, lambda candidate: self._verdict(candidate, facts, tail).passed)

    def _focused(self, facts: ReplyFacts, attempt: int) -> tuple[ReplyFacts, int]:
        """(facts, backend attempt) for an attempt: the last of 3+ attempts writes about the top product
        alone, decoded greedily: with one product in its prompt the model has no second name to glue onto
        the first ("... Angry Birds Lunch napkin holder") and no other price to move; the guard still checks
        the reply against all the facts."""
        if attempt < 2 or attempt != self.max_attempts - 1 or len(facts.products) < 2:
            return facts, attempt
        return replace(facts, products=facts.products[:1]), 0

    def _generate(self, facts: ReplyFacts, attempt: int) -> str:
        facts, attempt = self._focused(facts, attempt)
        try:
            return self.backend.generate(facts, attempt)
        except Exception as exc:  # noqa: BLE001 - a model error must not lose the turn
            self._count("backend_errors")
            log.error("writer backend %s failed: %s", self.name, type(exc).__name__)
            return ""

    # API ------------------------------------------------------------------------------------------
    def _accept(self, lead: str, facts: ReplyFacts, tail: str, attempt: int,
                failures: list[str]) -> WrittenReply | None:
        """The model's text (or its repair), with the verbatim ``tail`` appended, when it passes the guard;
        else None (its failure kinds recorded). The tail is the facts' own list, rendered by code."""
        lead = lead.strip()
        result = self._checked(lead, facts, attempt, tail)
        if result.passed:
            return WrittenReply(_join(lead, tail), True, False, attempt + 1, tuple(failures))
        repaired = self._repaired(lead, facts, tail)
        failures.extend(result.kinds)
        if repaired is not None:
            self._count("repaired")
            return WrittenReply(_join(repaired, tail), True, False, attempt + 1, tuple(failures))
        return None

    def write(self, facts: ReplyFacts) -> WrittenReply:
        self._count("replies")
        if facts.verbatim:  # a computed answer: said as written, never paraphrased (not a fallback)
            return WrittenReply(template_reply(facts), True, False, 0)
        if self.backend is None:
            return WrittenReply(template_reply(facts), True, True, 0)
        model_facts, tail = split_verbatim(facts)
        failures: list[str] = []
        for attempt in range(self.max_attempts):
            accepted = self._accept(self._generate(model_facts, attempt), facts, tail, attempt, failures)
            if accepted is not None:
                return accepted
        return self._fallback(facts, self.max_attempts, failures)

    def stream(self, facts: ReplyFacts) -> Iterator[str | WrittenReply]:
        """Pieces of the first attempt as generated, then the final WrittenReply (authoritative text)."""
        self._count("replies")
        if self.backend is None or facts.verbatim:
            text = template_reply(facts)
            yield text
            yield WrittenReply(text, True, self.backend is None and not facts.verbatim, 0)
            return
        model_facts, tail = split_verbatim(facts)
        pieces: list[str] = []
        try:
            for piece in self.backend.stream(model_facts, 0):
                pieces.append(piece)
                yield piece
        except Exception as exc:  # noqa: BLE001
            self._count("backend_errors")
            log.error("writer backend %s failed while streaming: %s", self.name, type(exc).__name__)
        if tail:
            yield " " + tail
        failures: list[str] = []
        accepted = self._accept("".join(pieces), facts, tail, 0, failures)
        if accepted is not None:
            yield accepted
            return
        for attempt in range(1, self.max_attempts):
            accepted = self._accept(self._generate(model_facts, attempt), facts, tail, attempt, failures)
            if accepted is not None:
                yield accepted
                return
        yield self._fallback(facts, self.max_attempts, failures)
