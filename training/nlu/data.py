"""The NLU data set: generated utterances for all 19 intents plus (when present) the real Bitext
customer-service utterances mapped to our intents. Fixed seeds; the test split uses held-out
templates and held-out filler values and is never seen by a training step.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.records import ENTITY_TYPES, INTENTS
from retrieval.atomic import write_text_atomic
from training.nlu.fillers import load_fillers
from training.nlu.render import Example, Renderer
from training.nlu.search import search_pieces
from training.nlu.templates import TEMPLATES

log = logging.getLogger(__name__)

BITEXT_FILE = "Bitext_Sample_Customer_Support_Training_Dataset.csv"
# Bitext intent -> ours; intents mapped to None are dropped (no matching intent of ours).
BITEXT_MAP: dict[str, str | None] = {
    "track_order": "order_status", "cancel_order": "cancel_order",
    "get_refund": "refund_status", "track_refund": "refund_status", "check_refund_policy": "refund_status",
    "payment_issue": "payment_issue", "check_payment_methods": "payment_issue",
    "delivery_options": "shipping_info", "delivery_period": "shipping_info",
    "create_account": "account_help", "delete_account": "account_help", "edit_account": "account_help",
    "recover_password": "account_help", "registration_problems": "account_help", "switch_account": "account_help",
    "newsletter_subscription": "account_help", "change_shipping_address": "account_help",
    "set_up_shipping_address": "account_help",
    "complaint": "complaint", "contact_human_agent": "human_agent", "contact_customer_service": "human_agent",
    "change_order": None, "place_order": None, "check_cancellation_fee": None, "review": None,
    "check_invoice": None, "get_invoice": None,
}
# share of examples per intent in the generated set (search and follow-ups need more variety)
INTENT_WEIGHT = {"search_products": 6.0, "refine_results": 2.5, "product_question": 1.8, "add_to_cart": 1.8,
                 "compare": 1.3, "recommend": 1.5, "out_of_scope": 1.5, "return_item": 1.3, "order_status": 1.3}
TEST_TEMPLATE_SHARE = 0.15


def shared_data_dir(repo: Path | None = None) -> Path:
    repo = repo or Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "data"


def _template_held_out(intent: str, template: str) -> bool:
    h = int(hashlib.sha1(f"{intent}|{template}".encode()).hexdigest()[:8], 16)
    return (h % 1000) / 1000 < TEST_TEMPLATE_SHARE


def gibberish(rng: random.Random) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(rng.randint(1, 4)))


def generate(n: int, seed: int, *, split: str = "train") -> list[Example]:
    """``n`` generated examples (about), spread over all intents. ``split`` 'test' uses every template
    (including the held-out ones) and mixes in held-out filler values; 'train'/'dev' never do."""
    rng = random.Random(f"{seed}-{split}")
    test = split == "test"
    renderer = Renderer(load_fillers(), rng, test=test)
    weights = {i: INTENT_WEIGHT.get(i, 1.0) for i in INTENTS}
    total_w = sum(weights.values())
    out: list[Example] = []
    for intent in INTENTS:
        count = max(2, round(n * weights[intent] / total_w))
        templates = TEMPLATES.get(intent, [])
        held = [t for t in templates if _template_held_out(intent, t)]
        usable = templates if test else [t for t in templates if t not in held] or templates
        if test and held:
            usable = held + templates  # the held-out templates are over-represented in test
        for _ in range(count):
            if intent == "search_products":
                pieces = search_pieces(renderer)
            elif intent == "out_of_scope" and rng.random() < 0.15:
                pieces = [(gibberish(rng), None)]
            else:
                pieces = renderer.fill(rng.choice(usable))
            out.append(renderer.finish(pieces, intent))
    rng.shuffle(out)
    return out


# -- Bitext ------------------------------------------------------------------------------------
def _order_span(text: str, value: str) -> tuple[int, int] | None:
    """Re-derive the order-id span: the longest digit/alnum run containing the (zero-stripped) value."""
    for m in re.finditer(r"#?[A-Za-z]*-?\d[\w-]*", text):
        if value.lower() in m.group(0).lower():
            s, e = m.span()
            if text[s] == "#" or text[s].isdigit():
                return s, e
            digits = re.search(r"\d", m.group(0))
            return (s, e) if m.group(0)[:digits.start()].upper() in ("ORD-", "ORD") else (s + digits.start(), e)
    idx = text.lower().find(value.lower())
    return (idx, idx + len(value)) if idx >= 0 else None


def load_bitext(folder: Path) -> list[Example]:
    path = folder / BITEXT_FILE
    if not path.is_file():
        log.info("Bitext data not found at %s; using generated data only", path)
        return []
    out: list[Example] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            intent = BITEXT_MAP.get(row["intent"])
            if intent is None:
                continue
            text = row["instruction"].strip()
            spans: tuple[tuple[int, int, str], ...] = ()
            if row["entity_type"] == "order_id" and row["entity_value"]:
                span = _order_span(text, row["entity_value"].strip())
                if span:
                    spans = ((span[0], span[1], "ORDER_ID"),)
            out.append(Example(text=text, intent=intent, spans=spans, source="bitext"))
    return out


def stratified_split(examples: list[Example], seed: int, dev: float = 0.1, test: float = 0.2) -> dict[str, list[Example]]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_intent[ex.intent].append(ex)
    parts: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        items = sorted(by_intent[intent], key=lambda e: e.text)
        rng.shuffle(items)
        n_test, n_dev = round(len(items) * test), round(len(items) * dev)
        parts["test"] += items[:n_test]
        parts["dev"] += items[n_test:n_test + n_dev]
        parts["train"] += items[n_test + n_dev:]
    return parts


@dataclass(frozen=True)
class NluData:
    train: list[Example]
    dev: list[Example]
    test: list[Example]
    bitext_test: list[Example]


def build_dataset(seed: int = 13, n_train: int = 12000, n_dev: int = 1200, n_test: int = 2000,
                  bitext_dir: Path | None = None) -> NluData:
    """Generated train/dev/test + the Bitext stratified split (its test part kept apart as well)."""
    folder = bitext_dir if bitext_dir is not None else shared_data_dir() / "bitext-cs"
    bitext = stratified_split(load_bitext(folder), seed) if folder.is_dir() else {"train": [], "dev": [], "test": []}
    train = generate(n_train, seed, split="train") + bitext["train"]
    dev = generate(n_dev, seed, split="dev") + bitext["dev"]
    test = generate(n_test, seed, split="test")
    rng = random.Random(seed)
    rng.shuffle(train)
    return NluData(train=train, dev=dev, test=test, bitext_test=bitext["test"])


# -- files -------------------------------------------------------------------------------------
def to_eval_record(ex: Example) -> dict:
    """The JSONL evaluation format: {"text", "intent", "entities": [["TYPE", "surface text"], ...]}."""
    return {"text": ex.text, "intent": ex.intent, "entities": [[t, ex.text[s:e]] for s, e, t in ex.spans]}


def write_jsonl(records: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records))


def check_example(ex: Example) -> None:
    """Raise ValueError when an example is malformed (used by tests and the generator's self-check)."""
    if ex.intent not in INTENTS:
        raise ValueError(f"unknown intent {ex.intent!r}")
    last = 0
    for s, e, t in ex.spans:
        if t not in ENTITY_TYPES or not (last <= s < e <= len(ex.text)):
            raise ValueError(f"bad span {(s, e, t)} in {ex.text!r}")
        if ex.text[s:e] != ex.text[s:e].strip():
            raise ValueError(f"span with surrounding space {(s, e, t)} in {ex.text!r}")
        last = e
