"""One-off conversion of artifacts saved before ``assistant.artifact`` (their own manifest formats,
``"type": "shopbot-joint-nlu" | "shopbot-generator-lora" | "sasrec"``) into the one artifact manifest.

No retraining: the generator and sequential weights are untouched; the NLU weights get peft's LoRA key
names (``...query.lora_A`` -> ``...query.lora_A.default.weight``, same tensors). Directories already in
the new format are left alone.

    python -m training.convert_manifests assistant/artifacts/nlu assistant/artifacts/generator \
        .shopbot/models/sequential
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from assistant.artifact import MANIFEST_FILE, ArtifactManifest, save_manifest
from assistant.nlu import model as nlu
from assistant.sequential import store as sequential
from assistant.writer import adapter as generator
from retrieval.atomic import write_bytes_atomic

log = logging.getLogger(__name__)


def peft_key(key: str) -> str:
    """The peft name of a hand-written LoRALinear parameter (other keys unchanged)."""
    for part in ("lora_A", "lora_B"):
        if key.endswith("." + part):
            return f"{key}.default.weight"
    return key


def _convert_nlu(folder: Path, old: dict) -> ArtifactManifest:
    from safetensors.torch import load_file, save

    weights = folder / old["weights"]
    state = load_file(str(weights))
    write_bytes_atomic(folder / nlu.WEIGHTS_FILE, save({peft_key(k): v.contiguous() for k, v in state.items()}))
    training = old.get("training", {})
    metrics = {k: training[k] for k in ("dev_intent_accuracy", "dev_tag_f1", "best_dev") if k in training}
    details = {k: v for k, v in old.items() if k not in ("type", "version", "base_model", "weights", "config",
                                                         "label2id", "id2label")}
    return ArtifactManifest(name=nlu.ARTIFACT_NAME, version=nlu.ARTIFACT_VERSION, base_model=old["base_model"],
                            files=(nlu.WEIGHTS_FILE,), metrics=metrics, config=old["config"], details=details)


def _convert_generator(folder: Path, old: dict) -> ArtifactManifest:
    curve = old.get("train", {}).get("loss_curve", [])
    details = {k: v for k, v in old.items() if k not in ("type", "version", "base_model", "config")}
    return ArtifactManifest(name=generator.ARTIFACT_NAME, version=generator.ARTIFACT_VERSION,
                            base_model=old["base_model"], files=generator.ADAPTER_FILES,
                            metrics={"train_loss_last": curve[-1][1]} if curve else {},
                            config=old["config"], details=details)


def _convert_sequential(folder: Path, old: dict) -> ArtifactManifest:
    meta = dict(old.get("meta", {}))
    best = [h for h in meta.get("history", []) if h.get("epoch") == meta.get("best_epoch")]
    metrics = {k: float(v) for k, v in (best[0] if best else {}).items() if k not in ("epoch", "seconds")}
    return ArtifactManifest(name=sequential.ARTIFACT_NAME, version=sequential.ARTIFACT_VERSION, base_model="",
                            files=(sequential.WEIGHTS,), metrics=metrics, config=old["config"],
                            details={**meta, "item_ids": old["item_ids"]})


CONVERTERS = {"shopbot-joint-nlu": _convert_nlu, "shopbot-generator-lora": _convert_generator,
              "sasrec": _convert_sequential}


def convert(folder: Path) -> bool:
    """Rewrite ``folder``'s manifest in the new format; False when it already is (or is not ours)."""
    old = json.loads((Path(folder) / MANIFEST_FILE).read_text(encoding="utf-8"))
    converter = CONVERTERS.get(old.get("type"))
    if converter is None or old.get("version") != 1:
        log.info("%s: not an old-format manifest; left alone", folder)
        return False
    save_manifest(Path(folder), converter(Path(folder), old))
    log.info("%s: converted (%s)", folder, old["type"])
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for folder in args.folders:
        convert(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
