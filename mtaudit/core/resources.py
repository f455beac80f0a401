"""Where the data the program reads at run time lives: inside the installed package, so a wheel works on its own.

``mtaudit/models/`` holds the pinned model list (``models.json``), the model card, the surprisal norms and the risk
models. The repository's top-level ``models/`` is a symbolic link to it, so the two cannot drift.
``MTAUDIT_MODELS_DIR`` points the program at another folder of the same layout (a team's own risk models and norms).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGED_MODELS = Path(__file__).resolve().parent.parent / "models"


def models_dir() -> Path:
    """The folder holding ``models.json``, norms and risk models (``MTAUDIT_MODELS_DIR`` overrides)."""
    env = os.environ.get("MTAUDIT_MODELS_DIR")
    return Path(env) if env else PACKAGED_MODELS
