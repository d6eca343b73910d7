"""How far training recipes take PRODUCT_TYPE exact-span F1 on real queries (QueryNER), same run.

    python -m bench.nlu_recipes [--recipes lora3-mixed,lora6-mixed,lora6-queryner,full-queryner] [--threads 1]

Each recipe trains the joint NLU from the packaged MiniLM (seed 13) and is scored, with the shipped
decoder (word-level Viterbi + the tag-transition prior), on the held-back slice of QueryNER *train*
(the 10% ``shopbot train nlu`` keeps for early stopping: what a recipe may be chosen on) and on QueryNER
*dev* (reported only). The shipped model is the baseline in the same run, and the average of the
recipes' tag log-probabilities (an ensemble no single artifact ships) shows what combining them buys.

``full-*`` recipes train every encoder weight (not only LoRA adapters); they are scored in process and
never saved, since a full copy of the encoder is not a small artifact. Writes bench/out/nlu_recipes.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from assistant.metrics import span_scores
from assistant.nlu.decode import decode_spans, to_entities, viterbi_tags
from assistant.nlu.model import NluConfig, bio_tags, create_model
from assistant.nlu.parser import NluParser
from assistant.records import Parse
from retrieval.atomic import write_text_atomic
from training.nlu.cli import _mix
from training.nlu.data import build_dataset, shared_data_dir
from training.nlu.dataset import token_tags
from training.nlu.queryner import (
    CORE_TYPES,
    SLOT_MAP,
    QueryNerRow,
    _only,
    _predicted_bio,
    map_span,
    mapped_bio,
    raw_spans,
    read_rows,
    split_rows,
    to_example,
    training_split,
)
from training.nlu.render import Example
from training.nlu.train import TrainConfig, train
from training.nlu.transitions import count_transitions

log = logging.getLogger("bench.nlu_recipes")
OUT = Path(__file__).resolve().parent / "out" / "nlu_recipes.json"
SEED = 13


@dataclass(frozen=True)
class Recipe:
    name: str
    data: str  # "mixed" (generated + Bitext + QueryNER train, as `shopbot train nlu`), "queryner", or
    # "queryner-raw": QueryNER's own 17 slot types, mapped onto shopbot's types only after decoding
    lora_layers: int = 3
    lora_r: int = 16
    full: bool = False  # every encoder weight trained
    lr: float = 2e-3
    epochs: int = 6


RECIPES = {r.name: r for r in (
    Recipe("lora3-mixed", "mixed"),  # the shipped recipe
    Recipe("lora6-mixed", "mixed", lora_layers=6),
    Recipe("lora6-queryner", "queryner", lora_layers=6, epochs=5),
    Recipe("lora6-r64-queryner", "queryner", lora_layers=6, lora_r=64, lr=1e-3, epochs=10),
    Recipe("full-queryner", "queryner", lora_layers=6, full=True, lr=1e-4, epochs=10),
    Recipe("full-mixed", "mixed", lora_layers=6, full=True, lr=1e-4, epochs=5),
    Recipe("lora6-raw-slots", "queryner-raw", lora_layers=6),
)}
RAW_SLOTS = tuple(sorted(SLOT_MAP))


def held_back_rows(folder: Path) -> list[QueryNerRow]:
    """The QueryNER train rows `shopbot train nlu` holds back."""
    return split_rows(read_rows(folder / "train.jsonl"), SEED)[1]


def _token_starts(tokens: list[str]) -> list[int]:
    starts, pos = [], 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    return starts


def raw_example(row: QueryNerRow) -> Example:
    """A QueryNER row as a training example with its own slot types (no mapping)."""
    starts = _token_starts(row.tokens)
    spans = tuple((starts[a], starts[b - 1] + len(row.tokens[b - 1]), slot) for a, b, slot in raw_spans(row.labels))
    return Example(text=" ".join(row.tokens), intent="search_products", spans=spans, source="queryner")


def _raw_split() -> tuple[list[Example], list[Example]]:
    kept, held = split_rows(read_rows(shared_data_dir() / "queryner" / "train.jsonl"), SEED)
    return [raw_example(r) for r in kept], [raw_example(r) for r in held]


def _fully_trainable(config: NluConfig):
    """A fresh model whose every encoder weight (and head) trains; its LoRA adapters stay at zero."""
    model, tokenizer = create_model(config)
    for name, p in model.named_parameters():
        p.requires_grad_("lora_" not in name)
    return model, tokenizer


def train_recipe(recipe: Recipe, threads: int):
    """(model, tokenizer) trained by ``recipe``."""
    real = training_split(shared_data_dir() / "queryner", SEED)
    if recipe.data == "queryner-raw":
        train_ex, dev_ex = _raw_split()
    elif recipe.data == "mixed":
        data = build_dataset(seed=SEED, n_train=12000, n_dev=1200, n_test=2000, bitext_dir=shared_data_dir() / "bitext-cs")
        train_ex, dev_ex = _mix(data.train, real.train, SEED), data.dev + real.dev
    else:
        train_ex, dev_ex = real.train, real.dev
    cfg = TrainConfig(seed=SEED, epochs=recipe.epochs, lr=recipe.lr, threads=threads, progress=False,
                      eval_every=220, patience=100 if recipe.data == "queryner" else 4)
    model_cfg = NluConfig(lora_layers=recipe.lora_layers, lora_r=recipe.lora_r,
                          **({"tags": bio_tags(RAW_SLOTS)} if recipe.data == "queryner-raw" else {}))
    model, _ = train(train_ex, dev_ex, None, cfg, model_cfg, create=_fully_trainable if recipe.full else create_model)
    model.eval()
    _, tokenizer = create_model(model_cfg)
    return model, tokenizer, train_ex


@torch.inference_mode()
def tag_log_probs(model, tokenizer, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    out = []
    for i in range(0, len(texts), 64):
        enc = tokenizer(texts[i:i + 64], padding=True, truncation=True, max_length=128,
                        return_offsets_mapping=True, return_tensors="pt")
        _, logits = model(enc["input_ids"], enc["attention_mask"])
        lp = logits.float().log_softmax(-1).numpy()
        for r in range(lp.shape[0]):
            n = int(enc["attention_mask"][r].sum())
            out.append((lp[r, :n], [tuple(o) for o in enc["offset_mapping"][r][:n].tolist()]))
    return out


def gold_log_probs(rows: list[QueryNerRow], tags: tuple[str, ...], tokenizer, *, raw: bool = False, empty: bool = False):
    """Log-probs that put all weight on each token's gold tag (all "O" when ``empty``): fed through
    :func:`score`, they measure what the decoder and scorer themselves lose."""
    out = []
    for row in rows:
        ex = raw_example(row) if raw else to_example(row.tokens, row.labels)
        enc = tokenizer(ex.text, return_offsets_mapping=True)
        offsets = [tuple(o) for o in enc["offset_mapping"]]
        lp = np.full((len(offsets), len(tags)), -20.0)
        for i, tag in enumerate(token_tags(offsets, ex.spans)):
            lp[i, tags.index("O" if empty or tag is None else tag)] = 0.0
        out.append((lp, offsets))
    return out


def _mapped_after_decoding(tokens: list[str], spans: list[tuple[int, int, str]]) -> list[str]:
    """Whitespace-token BIO of decoded raw-slot character spans, each mapped as QueryNER gold is."""
    starts, out = _token_starts(tokens), ["O"] * len(tokens)
    for s, e, slot in spans:
        a = max(i for i, st in enumerate(starts) if st <= s)
        mapped = map_span(tokens, a, max(i for i, st in enumerate(starts) if st < e) + 1, slot)
        if mapped is not None:
            out[mapped.start:mapped.end] = [f"B-{mapped.type}"] + [f"I-{mapped.type}"] * (mapped.end - mapped.start - 1)
    return out


def decoded_bio(rows: list[QueryNerRow], lps, tags, transitions) -> list[list[str]]:
    """Whitespace-token BIO (shopbot types) of the decoded log-probs, as `shopbot eval nlu --queryner` reads
    a parse (raw-slot models: their spans mapped onto shopbot's types after decoding)."""
    pred = []
    for row, (lp, offsets) in zip(rows, lps):
        text = " ".join(row.tokens)
        spans = decode_spans(viterbi_tags(tags, lp, offsets, text, transitions), offsets, text)
        if "B-core_product_type" in tags:
            pred.append(_mapped_after_decoding(row.tokens, spans))
            continue
        parse = Parse(text=text, intent="search_products", confidence=1.0, entities=to_entities(text, spans))
        pred.append(_predicted_bio(row.tokens, parse))
    return pred


def score(rows: list[QueryNerRow], lps, tags, transitions) -> dict[str, float]:
    """PRODUCT_TYPE and core-four micro exact-span F1 of the decoded log-probs, as `shopbot eval nlu --queryner`."""
    pred = decoded_bio(rows, lps, tags, transitions)
    gold = [mapped_bio(r.tokens, r.labels) for r in rows]
    every, core = span_scores(gold, pred), span_scores(_only(gold, CORE_TYPES), _only(pred, CORE_TYPES))
    return {"PRODUCT_TYPE": round(every.per_type["PRODUCT_TYPE"]["f1-score"], 4), "core_micro": round(core.f1, 4)}


def run(recipes: list[Recipe], threads: int, shipped: Path) -> dict:
    folder = shared_data_dir() / "queryner"
    sets = {"held_back_train": held_back_rows(folder), "dev": read_rows(folder / "dev.jsonl")}
    base = NluParser.load(shipped, speed="fp32")
    results, all_lps = {}, {name: [] for name in sets}
    entries = [("shipped", base.model, base.tokenizer, base.transitions)]
    for recipe in recipes:
        log.info("training %s", recipe.name)
        model, tokenizer, train_ex = train_recipe(recipe, threads)
        prior = count_transitions(train_ex, tokenizer, model.config.tags)
        entries.append((recipe.name, model, tokenizer, prior))
    for name, model, tokenizer, prior in entries:
        results[name] = {}
        for set_name, rows in sets.items():
            lps = tag_log_probs(model, tokenizer, [" ".join(r.tokens) for r in rows])
            if model.config.tags == base.tags:  # a raw-slot model has other tags: not averaged in
                all_lps[set_name].append(lps)
            results[name][set_name] = score(rows, lps, model.config.tags, prior)
        log.info("%s: %s", name, results[name])
    results["gold tags (decoder ceiling)"] = {
        set_name: score(rows, gold_log_probs(rows, base.tags, base.tokenizer), base.tags, None)
        for set_name, rows in sets.items()}
    if len(all_lps["dev"]) < 2:
        return results
    results["ensemble (mean log-probs)"] = {
        set_name: score(rows, [(np.mean([lps[i][0] for lps in all_lps[set_name]], 0), all_lps[set_name][0][i][1])
                               for i in range(len(rows))], base.tags, base.transitions)
        for set_name, rows in sets.items()}
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipes", default="lora3-mixed,lora6-mixed,lora6-queryner,full-queryner",
                    help=f"comma-separated, from: {', '.join(RECIPES)}")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parents[1] / "assistant" / "artifacts" / "nlu",
                    help="the shipped model (baseline)")
    ap.add_argument("--out", type=Path, default=OUT, help=f"JSON of the figures (default {OUT})")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    names = [r for r in args.recipes.split(",") if r]  # "" = only the shipped model and the decoder's ceiling
    unknown = [r for r in names if r not in RECIPES]
    if unknown:
        ap.error(f"unknown recipe(s) {unknown}; choose from {', '.join(RECIPES)}")
    if not (shared_data_dir() / "queryner" / "dev.jsonl").is_file():
        ap.error(f"QueryNER not found at {shared_data_dir() / 'queryner'}")
    results = run([RECIPES[r] for r in names], args.threads, args.model)
    write_text_atomic(args.out, json.dumps(results, indent=2))
    print("| recipe | held-back train slice PT / core-4 | QueryNER dev PT / core-4 |\n|---|---|---|")
    for name, r in results.items():
        h, d = r["held_back_train"], r["dev"]
        print(f"| {name} | {h['PRODUCT_TYPE']:.3f} / {h['core_micro']:.3f} | {d['PRODUCT_TYPE']:.3f} / {d['core_micro']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
