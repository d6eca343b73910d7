"""The one artifact contract: every saved model (the NLU model, the generator adapter, the sequential
model) is a directory with its files and a ``manifest.json`` in one format, read and written only here.

The manifest says what the artifact is (``name`` and ``version`` of its layout), what it was built on
(``base_model``, ``training_data_hash``), which files belong to it, how well it scored (``metrics``), the
component's own configuration (``config``, parsed by the component) and anything else worth keeping
(``details``: the training run, label maps, item ids). It is written last and atomically, so a
half-written directory never loads. Every problem reading it is an :class:`ArtifactError`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.atomic import write_text_atomic

MANIFEST_FILE = "manifest.json"
FORMAT = "shopbot-artifact"
FORMAT_VERSION = 1


class ArtifactError(RuntimeError):
    """An artifact directory is missing, not of the expected kind or version, or incomplete."""


@dataclass(frozen=True)
class ArtifactManifest:
    name: str  # the component: "nlu", "generator", "sequential"
    version: int  # the layout version of that component's files (what its loader understands)
    base_model: str  # what the artifact was trained on top of ("" when trained from scratch)
    files: tuple[str, ...]  # the artifact's files, relative to its directory (the manifest excluded)
    training_data_hash: str = ""  # sha256 of the training examples ("" when not recorded)
    metrics: Mapping[str, float] = field(default_factory=dict)  # held-out figures of the saved model
    config: Mapping[str, Any] = field(default_factory=dict)  # the component's configuration
    details: Mapping[str, Any] = field(default_factory=dict)  # training run, label maps, item ids, ...

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "name": self.name, "version": self.version,
                "base_model": self.base_model, "files": list(self.files),
                "training_data_hash": self.training_data_hash, "metrics": dict(self.metrics),
                "config": dict(self.config), "details": dict(self.details)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "manifest") -> ArtifactManifest:
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ArtifactError(f"{where}: not a {FORMAT} manifest version {FORMAT_VERSION} "
                                f"(format {data.get('format')!r} version {data.get('format_version')!r})")
        try:
            return cls(name=str(data["name"]), version=int(data["version"]), base_model=str(data["base_model"]),
                       files=tuple(str(f) for f in data["files"]),
                       training_data_hash=str(data.get("training_data_hash", "")),
                       metrics={str(k): float(v) for k, v in dict(data.get("metrics", {})).items()},
                       config=dict(data.get("config", {})), details=dict(data.get("details", {})))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{where}: malformed manifest ({exc!r})") from exc


def save_manifest(directory: Path, manifest: ArtifactManifest) -> Path:
    """Write ``manifest.json`` into ``directory`` atomically; call it after the files it lists."""
    directory = Path(directory)
    missing = [f for f in manifest.files if not (directory / f).is_file()]
    if missing:
        raise ArtifactError(f"{directory}: cannot write a manifest for missing files {missing}")
    path = directory / MANIFEST_FILE
    write_text_atomic(path, json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False))
    return path


def load_manifest(directory: Path, name: str, version: int, *, hint: str = "") -> ArtifactManifest:
    """The manifest of the ``name`` artifact in ``directory``, checked against the expected layout
    ``version`` and for its files. ``hint`` (e.g. "run `shopbot train nlu`") ends the missing-model error."""
    directory = Path(directory)
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise ArtifactError(f"no {name} model at {directory} (missing {MANIFEST_FILE})" + (f"; {hint}" if hint else ""))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ArtifactError(f"{path}: expected a JSON object")
    manifest = ArtifactManifest.from_dict(data, str(path))
    if manifest.name != name or manifest.version != version:
        raise ArtifactError(f"{path}: expected a {name!r} artifact version {version}, "
                            f"got {manifest.name!r} version {manifest.version}")
    missing = [f for f in manifest.files if not (directory / f).is_file()]
    if missing:
        raise ArtifactError(f"{directory}: files listed in the manifest are missing: {missing}")
    return manifest


def data_hash(records: Iterable[str]) -> str:
    """sha256 over the training examples, each serialised to one line (order matters)."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(record.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
