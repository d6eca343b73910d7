"""NluParser: load the joint model once (through its manifest), parse one utterance or a batch.

Bad input never raises: empty or symbol-only text comes back as a low-confidence ``out_of_scope``
Parse, very long text is truncated (``MAX_CHARS``, then the model's token limit), HTML is parsed as text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import torch

from assistant.artifact import ArtifactError, ArtifactManifest
from assistant.nlu.decode import (
    TRANSITIONS_FILE,
    TagTransitions,
    decode_spans,
    load_transitions,
    to_entities,
    viterbi_tags,
)
from assistant.nlu.model import load_model
from assistant.records import Parse
from assistant.speed import resolve_speed

log = logging.getLogger(__name__)

MAX_CHARS = 1000  # longer input is cut here before tokenising (spans refer to the cut text)
INFER_MAX_TOKENS = 128
TOP_INTENTS = 3
_WORDLIKE = re.compile(r"[^\W_]", re.UNICODE)


@contextmanager
def _threads(n: int | None):
    previous = torch.get_num_threads()
    if not n or n == previous:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class NluParser:
    def __init__(self, model, tokenizer, manifest: ArtifactManifest, *, threshold: float = 0.5):
        self.model, self.tokenizer, self.manifest = model, tokenizer, manifest
        self.threshold = threshold
        self.intents: tuple[str, ...] = model.config.intents
        self.tags: tuple[str, ...] = model.config.tags
        self.max_tokens = max(INFER_MAX_TOKENS, model.config.max_length)
        self.num_threads: int | None = None
        self.transitions: TagTransitions | None = None  # tag-bigram prior for the Viterbi decoding

    @classmethod
    def load(cls, model_dir: Path, *, threshold: float = 0.5, num_threads: int | None = 1,
             speed: str = "auto") -> NluParser:
        """Load from a directory with manifest.json (e.g. ``Settings.nlu_model_dir``); raises
        ``assistant.artifact.ArtifactError`` with a clear message when the directory holds no valid model.

        ``num_threads``: torch intra-op threads used while this model runs (restored afterwards, so the
        reply writer in the same process keeps its own). One thread is the default: for a 6-layer encoder
        on a short utterance more threads barely help on an idle machine and are many times slower on a
        busy shared CPU (measured: p50 ~40 ms with 1 thread vs ~2 s with 2 threads at load average 17).
        None keeps the process setting.

        ``speed`` (``assistant.speed``): ``auto`` (default) runs in bfloat16 where the CPU has native bf16
        (~1.5x faster here at the same held-out accuracy, bench/RESULTS.md), else fp32; ``int8`` is faster
        still but loses accuracy.

        Tags are decoded by a word-level constrained Viterbi (``assistant.nlu.decode.viterbi_tags``), with
        the tag-bigram prior ``tag_transitions.json`` when the manifest lists it."""
        model, tokenizer, manifest = load_model(Path(model_dir), speed=speed)
        log.info("NLU model loaded from %s (%s)", model_dir, resolve_speed(speed))
        parser = cls(model, tokenizer, manifest, threshold=threshold)
        parser.num_threads = num_threads
        if TRANSITIONS_FILE in manifest.files:
            try:
                parser.transitions = load_transitions(Path(model_dir) / TRANSITIONS_FILE, parser.tags)
            except ValueError as exc:
                raise ArtifactError(str(exc)) from None
        return parser

    def parse(self, text: str, *, threshold: float | None = None) -> Parse:
        return self.parse_batch([text], threshold=threshold)[0]

    def parse_batch(self, texts: Sequence[str], *, threshold: float | None = None, batch_size: int = 32) -> list[Parse]:
        limit = self.threshold if threshold is None else threshold
        cleaned = [self._clean(t) for t in texts]
        results: list[Parse | None] = [None] * len(cleaned)
        todo = []
        for i, text in enumerate(cleaned):
            if not _WORDLIKE.search(text):
                results[i] = Parse(text=text, intent="out_of_scope", confidence=0.0, low_confidence=True,
                                   intent_scores=(("out_of_scope", 0.0),))
            else:
                todo.append(i)
        for start in range(0, len(todo), batch_size):
            idx = todo[start:start + batch_size]
            for i, parse in zip(idx, self._run([cleaned[i] for i in idx], limit)):
                results[i] = parse
        return [r for r in results if r is not None]

    @staticmethod
    def _clean(text) -> str:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        return text[:MAX_CHARS]

    @torch.inference_mode()
    def _run(self, texts: list[str], threshold: float) -> list[Parse]:
        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens,
                             return_offsets_mapping=True, return_tensors="pt")
        with _threads(self.num_threads):
            intent_logits, tag_logits = self.model(enc["input_ids"], enc["attention_mask"])
        probs = intent_logits.float().softmax(-1)
        tag_log_probs = tag_logits.float().log_softmax(-1).numpy()
        offsets = enc["offset_mapping"].tolist()
        masks = enc["attention_mask"].tolist()
        out = []
        for row, text in enumerate(texts):
            p = probs[row]
            top = torch.topk(p, k=min(TOP_INTENTS, p.numel()))
            scores = tuple((self.intents[i], round(float(v), 4)) for v, i in zip(top.values.tolist(), top.indices.tolist()))
            n = int(sum(masks[row]))
            row_offsets = [tuple(o) for o in offsets[row][:n]]
            tags = viterbi_tags(self.tags, tag_log_probs[row, :n], row_offsets, text, self.transitions)
            spans = decode_spans(tags, row_offsets, text)
            intent, conf = scores[0]
            unk = sum(i == self.tokenizer.unk_token_id for i in enc["input_ids"][row][:n].tolist())
            garbled = unk * 2 > n - 2 or (len(text) > 40 and not any(c.isspace() for c in text.strip()))
            out.append(Parse(text=text, intent=intent, confidence=conf, entities=to_entities(text, spans),
                             low_confidence=conf < threshold or garbled, intent_scores=scores))
        return out
