"""The data the program reads at run time lives inside the package, so an installed wheel works on its own."""
from pathlib import Path

import mtaudit
from helpers import REPO
from mtaudit.core.resources import PACKAGED_MODELS, models_dir
from mtaudit.risk import RiskModel



def test_run_time_model_data_ships_inside_the_package():
    assert PACKAGED_MODELS.parent == Path(mtaudit.__file__).resolve().parent
    for name in ("models.json", "risk-default.json", "README.md", "ESTIMATOR.md"):
        assert (PACKAGED_MODELS / name).is_file(), name
    assert list(PACKAGED_MODELS.glob("norms-*.json"))
    assert RiskModel.load().weights
    # the trained estimator's weights, pinned by SHA-256 in models.json
    from mtaudit.fluency.estimator import pinned_estimators
    from mtaudit.fluency.store import sha256_file

    for spec in pinned_estimators("gemma3-270m").values():
        assert sha256_file(PACKAGED_MODELS / spec["file"]) == spec["sha256"]


def test_the_repository_models_folder_is_the_packaged_one():
    """`models/` at the top of the repository is for people; it must be the packaged folder, not a copy that drifts."""
    link = REPO / "models"
    assert link.is_symlink() and link.resolve() == PACKAGED_MODELS


def test_models_dir_override(tmp_path, monkeypatch):
    monkeypatch.setenv("MTAUDIT_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path
