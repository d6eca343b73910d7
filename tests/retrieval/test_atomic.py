"""The one atomic-write helper (retrieval/atomic.py): files, paths for file-name writers, directories."""

import pytest

from retrieval.atomic import atomic_dir, atomic_path, write_text_atomic


def test_write_text_and_path(tmp_path):
    target = tmp_path / "sub" / "a.json"
    write_text_atomic(target, "one")
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".json"
        tmp.write_text("two")
        assert target.read_text() == "one"  # readers see the old file until the block ends
    assert target.read_text() == "two"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer died")
    assert target.read_text() == "two" and sorted(p.name for p in target.parent.iterdir()) == ["a.json"]


def test_atomic_dir_replaces_or_leaves_alone(tmp_path):
    out = tmp_path / "model"
    with atomic_dir(out) as tmp:
        (tmp / "w").write_text("1")
    with atomic_dir(out) as tmp:
        (tmp / "w").write_text("2")
        assert (out / "w").read_text() == "1"
    assert (out / "w").read_text() == "2"
    with pytest.raises(ValueError), atomic_dir(out) as tmp:
        (tmp / "w").write_text("3")
        raise ValueError("training failed")
    assert (out / "w").read_text() == "2" and [p.name for p in tmp_path.iterdir()] == ["model"]
