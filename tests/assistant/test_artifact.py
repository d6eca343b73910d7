"""The one artifact contract (assistant/artifact.py): round trip, and a clear ArtifactError for every
way a directory can be wrong. The shipped artifacts load through it."""

import json

import pytest

from assistant.artifact import MANIFEST_FILE, ArtifactError, ArtifactManifest, data_hash, load_manifest, save_manifest
from assistant.settings import ARTIFACTS_DIR


def _manifest(**kw) -> ArtifactManifest:
    return ArtifactManifest(**{"name": "demo", "version": 3, "base_model": "base", "files": ("w.bin",),
                               "training_data_hash": data_hash(["a", "b"]), "metrics": {"f1": 0.5},
                               "config": {"r": 8, "targets": ["q"]}, "details": {"note": "x"}, **kw})


def test_round_trip(tmp_path):
    (tmp_path / "w.bin").write_bytes(b"\0")
    save_manifest(tmp_path, _manifest())
    assert load_manifest(tmp_path, "demo", 3) == _manifest()
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["format"] == "shopbot-artifact"


def test_data_hash_depends_on_content_and_order():
    assert data_hash(["a", "b"]) != data_hash(["b", "a"]) != data_hash(["a"])
    assert data_hash(["a", "b"]) == data_hash(iter(["a", "b"])) and len(data_hash([])) == 64


def test_errors(tmp_path):
    with pytest.raises(ArtifactError, match="no demo model .*; run it"):
        load_manifest(tmp_path, "demo", 3, hint="run it")
    with pytest.raises(ArtifactError, match="missing files"):
        save_manifest(tmp_path, _manifest())
    (tmp_path / "w.bin").write_bytes(b"\0")
    save_manifest(tmp_path, _manifest())
    with pytest.raises(ArtifactError, match="expected a 'other' artifact version 3, got 'demo'"):
        load_manifest(tmp_path, "other", 3)
    with pytest.raises(ArtifactError, match="version 4, got 'demo' version 3"):
        load_manifest(tmp_path, "demo", 4)
    (tmp_path / "w.bin").unlink()
    with pytest.raises(ArtifactError, match="files listed in the manifest are missing"):
        load_manifest(tmp_path, "demo", 3)
    for text, match in [("{", "not valid JSON"), ("[]", "JSON object"), ('{"type": "sasrec"}', "not a shopbot-artifact"),
                        ('{"format": "shopbot-artifact", "format_version": 1, "name": "demo"}', "malformed")]:
        (tmp_path / MANIFEST_FILE).write_text(text)
        with pytest.raises(ArtifactError, match=match):
            load_manifest(tmp_path, "demo", 3)


@pytest.mark.parametrize("name,version", [("nlu", 2), ("generator", 1)])
def test_shipped_artifacts_use_the_contract(name, version):
    manifest = load_manifest(ARTIFACTS_DIR / name, name, version)
    assert manifest.base_model and manifest.files and manifest.metrics
