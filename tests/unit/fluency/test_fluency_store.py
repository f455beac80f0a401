"""The model store and the import contract: no model needed."""
from __future__ import annotations

import json

import pytest

from mtaudit.fluency import ModelError, load_scorer, store


def test_registry_lists_both_models_with_pinned_hashes(tmp_path, monkeypatch):
    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    rows = {row["name"]: row for row in store.list_models()}
    assert set(rows) >= {"gemma3-270m", "smollm2-135m"}
    assert store.DEFAULT_MODEL in rows
    for row in rows.values():
        assert row["ready"] is False
        assert row["hashes"] and all(len(h) == 64 for h in row["hashes"].values())
        assert row["path"].startswith(str(tmp_path))
    assert "Gemma" in rows["gemma3-270m"]["licence"] and rows["smollm2-135m"]["licence"] == "Apache-2.0"


def test_importing_the_package_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, mtaudit.fluency, mtaudit.fluency.store, mtaudit.fluency.convert; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_model_names_the_pull_command(tmp_path, monkeypatch):
    monkeypatch.setenv("MTAUDIT_HOME", str(tmp_path))
    with pytest.raises(ModelError, match="mtaudit models pull gemma3-270m"):
        load_scorer("gemma3-270m")


def test_unknown_model_or_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="mtaudit models pull"):
        load_scorer(str(tmp_path / "nowhere"))


def test_pins_cover_every_wheel_and_gguf_part():
    pins = json.loads((store.models_dir() / "models.json").read_text())["models"]
    for name, spec in pins.items():
        assert len(spec["gguf"]["sha256"]) == 64
        for part in spec["gguf"]["parts"]:
            assert 0 <= part["wheel"] < len(spec["wheels"])
        assert (store.models_dir() / f"norms-{name}-en.json").is_file()
