"""README.md's sample output, kept generated: ``python -m tools.readme_output`` (``make readme-output``) runs the
command the README names, with the default model, and writes its table between the README's markers;
``--check`` says whether the README still shows what the command prints (tests/integration/test_readme.py checks it
after every change with ``same_table``).

The table is printed at ``COLUMNS`` columns whatever the terminal, so it reads the same in the README as in a
maintainer's shell. Model scores depend on the CPU (bf16 or float32 arithmetic), so ``same_table`` compares the
rows, their documents, segments, sentences and findings exactly and the numbers (risks, the estimator's part,
odd-phrasing strengths, the findings count) within a tolerance.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
COMMAND = ("audit", "samples/", "--top", "4")
COLUMNS = 140
BEGIN = "<!-- sample output: written by make readme-output (tools/readme_output.py); edits here are overwritten -->"
END = "<!-- end of sample output -->"
# how far a model score, and the number of findings, may move between CPUs (bf16 or float32) and still be the README's
TOLERANCE = 0.3
FINDINGS = 3


def render() -> str:
    """The table `mtaudit audit samples/ --top 4` prints today, from the repository root, without trailing blanks."""
    env = {**os.environ, "COLUMNS": str(COLUMNS), "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("LINES", None)
    result = subprocess.run([sys.executable, "-m", "mtaudit", *COMMAND], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=1800)
    if result.returncode != 0:
        raise SystemExit(f"mtaudit {' '.join(COMMAND)} failed ({result.returncode}):\n{result.stderr}")
    return "\n".join(line.rstrip() for line in result.stdout.strip("\n").splitlines())


def shown(readme: str) -> str:
    """The table the README shows (the fenced block between the markers)."""
    try:
        inside = readme.split(BEGIN, 1)[1].split(END, 1)[0]
    except IndexError:
        raise SystemExit(f"{README}: the markers of the sample output are missing ({BEGIN} ... {END})") from None
    return inside.strip().removeprefix("```").removesuffix("```").strip("\n")


def replaced(readme: str, table: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    return f"{head}{BEGIN}\n```\n{table}\n```\n{END}{rest.split(END, 1)[1]}"


_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def rows(table: str) -> tuple[str, list[list[str]]]:
    """The title and each row's cells, every cell's wrapped lines joined (the document column folds mid-word, the
    others wrap between words), so that two tables of different column widths compare alike."""
    lines = table.splitlines()
    title = lines[0].strip()
    out: list[list[str]] = []
    cells: list[list[str]] = []
    for line in lines[1:]:
        if line.startswith("│"):
            parts = [p.strip() for p in line.split("│")[1:-1]]
            cells = cells or [[] for _ in parts]
            for column, part in zip(cells, parts):
                if part:
                    column.append(part)
        elif line.startswith(("├", "└")) and cells:
            out.append(["".join(c) if i == 2 else " ".join(c) for i, c in enumerate(cells)])
            cells = []
    return title, out


def same_table(expected: str, actual: str) -> list[str]:
    """What differs between two renderings of the table beyond the model's CPU-dependent numbers (empty: the same).

    Exact: the counts of sentences and documents, and each row's rank, document, segment, sentence and findings
    text. Within ``TOLERANCE``: the risk and the numbers inside the findings (the estimator's part, odd-phrasing
    strengths). Within ``FINDINGS``: the number of findings (odd-phrasing findings near their threshold come and go
    with the arithmetic)."""
    problems = []
    (title_a, rows_a), (title_b, rows_b) = rows(expected), rows(actual)
    counts_a, counts_b = [int(n) for n in _NUMBER.findall(title_a)], [int(n) for n in _NUMBER.findall(title_b)]
    if _NUMBER.sub("#", title_a) != _NUMBER.sub("#", title_b) or counts_a[:3] != counts_b[:3] or \
            abs(counts_a[3] - counts_b[3]) > FINDINGS:
        problems.append(f"title: {title_a!r} in the README, {title_b!r} now")
    if len(rows_a) != len(rows_b):
        problems.append(f"{len(rows_a)} rows in the README, {len(rows_b)} now")
    for a, b in zip(rows_a, rows_b):
        exact = ([a[0], a[2], a[3], a[4], _NUMBER.sub("#", a[5])] != [b[0], b[2], b[3], b[4], _NUMBER.sub("#", b[5])])
        numbers_a = [float(n) for n in _NUMBER.findall(a[1] + " " + a[5])]
        numbers_b = [float(n) for n in _NUMBER.findall(b[1] + " " + b[5])]
        if exact or len(numbers_a) != len(numbers_b) or \
                any(abs(x - y) > TOLERANCE for x, y in zip(numbers_a, numbers_b)):
            problems.append(f"row {a[0]}: {a} in the README, {b} now")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether README.md is up to date")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    table = render()
    if args.check:
        problems = same_table(shown(readme), table)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    README.write_text(replaced(readme, table), encoding="utf-8")
    print(f"{README}: sample output rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
