"""tools/build_head.py: the pinned file's bytes depend on the ids alone, and read back as the scorer reads them."""
from __future__ import annotations

import io
import time

import numpy as np

from tools.build_head import npz_bytes


def test_the_same_ids_give_the_same_bytes_and_read_back():
    kept = np.array([1, 5, 9, 262_000])
    first = npz_bytes(kept, 262_144)
    time.sleep(2.1)  # a zip member stamped with the time would now differ
    assert npz_bytes(kept, 262_144) == first
    assert npz_bytes(np.array([1, 5, 10]), 262_144) != first
    with np.load(io.BytesIO(first), allow_pickle=False) as arrays:
        assert arrays["kept"].dtype == np.int32 and arrays["kept"].tolist() == kept.tolist()
        assert int(arrays["vocab_size"]) == 262_144
