"""Loading the packaged SmolLM2-135M-Instruct GGUF (offline) and encoding chat prompts for it."""

from __future__ import annotations

import logging
import os

from assistant.writer.prompt import build_messages
from assistant.records import ReplyFacts

log = logging.getLogger(__name__)


class WriterModelError(RuntimeError):
    """The generator model or its adapter cannot be loaded."""


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def load_tokenizer():
    from transformers import AutoTokenizer

    from retrieval.packaged import smollm2_gguf

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _quiet_transformers()
    folder, name = smollm2_gguf()
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_base_model():
    """SmolLM2-135M-Instruct, dequantised from the Q4_1 GGUF to float32 (eval mode)."""
    import torch
    from transformers import AutoModelForCausalLM

    from retrieval.packaged import smollm2_gguf

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _quiet_transformers()
    folder, name = smollm2_gguf()
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    return model.eval()


def prompt_text(tok, facts: ReplyFacts) -> str:
    """The full chat prompt (system + facts, then the assistant turn opener) as text."""
    return tok.apply_chat_template(build_messages(facts), add_generation_prompt=True, tokenize=False)


def prompt_ids(tok, facts: ReplyFacts) -> list[int]:
    return tok(prompt_text(tok, facts), add_special_tokens=False)["input_ids"]
