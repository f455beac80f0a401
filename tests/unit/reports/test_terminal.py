"""The ranked table in the terminal, as `mtaudit audit` prints it (real processes, 140 columns)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MTAUDIT = Path(sys.executable).with_name("mtaudit")  # the console script a user runs


def table(*args) -> str:
    result = subprocess.run([str(MTAUDIT), "audit", *map(str, args), "--no-model"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "COLUMNS": "140", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_title_counts_in_words_that_agree_with_their_numbers(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("The talks in 北京 ended without an agreement.", encoding="utf-8")
    assert "Top 1 sentence to review (1 sentence in 1 document, 1 finding)" in table(one)
    two = tmp_path / "two.txt"
    two.write_text("The talks in 北京 ended.\n\nThe ministry in 上海 agreed.", encoding="utf-8")
    assert "Top 3 sentences to review (3 sentences in 2 documents, 3 findings)" in table(one, two)


LONG_CONTEXT = "newsroom/article/body/paragraph-with-a-long-context-name"


def test_a_po_entry_is_shown_by_its_number_not_its_whole_context_and_msgid(tmp_path):
    """msgctxt::msgid as the segment id took the columns of the sentence and its findings (they wrapped a few
    characters a line)."""
    po = tmp_path / "news.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: de\\n"\n\n'
                  'msgid "Read the full story"\nmsgstr "Lesen Sie die ganze Geschichte"\n\n'
                  f'msgctxt "{LONG_CONTEXT}"\n'
                  'msgid "The unions welcomed the investment in the rail network on Monday."\n'
                  'msgstr "Die Gewerkschaften begrüßten am Montag die Investition in das 北京 Schienennetz."\n',
                  encoding="utf-8")
    shown = table(po, "--top", "1")
    row = next(line for line in shown.splitlines() if line.startswith("│ 1 "))
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[3] == "2 · 1"  # the second entry, its first sentence
    assert LONG_CONTEXT not in shown
    assert cells[4].startswith("Die Gewerkschaften begrüßten am Montag")  # the sentence keeps a readable column
