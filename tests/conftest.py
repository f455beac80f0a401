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
