"""`mtaudit watch` as a user runs it (a real process): the line it prints for each file."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

MTAUDIT = Path(sys.executable).with_name("mtaudit")  # the console script a user runs


def test_each_file_is_counted_in_words_that_agree_with_their_numbers(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "one.txt").write_text("The talks in 北京 ended without an agreement.", encoding="utf-8")
    result = subprocess.run([str(MTAUDIT), "watch", str(inbox), "--out", str(tmp_path / "out"), "--once",
                             "--no-model", "--poll", "0.1"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert re.search(r"^one\.txt: 1 sentence, 1 finding, top risk \d+\.\d\d, ", result.stderr, re.M), result.stderr
    assert "stopped: 1 file audited" in result.stderr
