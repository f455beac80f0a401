"""Model registry (placeholder until the model work lands): names, licences, cache and pulling."""
from __future__ import annotations

DEFAULT_MODEL = "gemma3-270m"


def list_models() -> list[dict]:
    return []


def pull_model(name, progress=None):
    from mtaudit.fluency import ModelError

    raise ModelError(f"model {name!r}: pulling is not implemented yet")
