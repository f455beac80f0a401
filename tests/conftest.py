import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import SHARED  # noqa: E402


@pytest.fixture
def shared():
    """The read-only reference data beside the repository; tests that use it skip on a user's clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (it exists only in the development workplace)")
    return SHARED


@pytest.fixture(scope="session")
def default_model():
    """The name of the default model, skipping when it has not been pulled (make test pulls it)."""
    from mtaudit.fluency.store import DEFAULT_MODEL, list_models

    ready = {m["name"]: m.get("ready") for m in list_models()}
    if not ready.get(DEFAULT_MODEL):
        pytest.skip(f"model {DEFAULT_MODEL} not pulled: run `mtaudit models pull {DEFAULT_MODEL}`")
    return DEFAULT_MODEL
