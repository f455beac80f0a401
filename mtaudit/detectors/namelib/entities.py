"""Curated tables of established English names (``data/entities/*.tsv``): media, exchanges and regulators, party and
state organs, courts and ministries, universities, companies, Hong Kong, Macau and Taiwan places, and people whose
English names are not pinyin. One file per kind, one row per entity with the source of its forms; a row wins over
the CC-CEDICT lexicon for its key (``zh_lexicon.lexicon`` merges them), and a team's glossary wins over both.

To add an entity, add a row to the file of its kind: ``key<TAB>forms, preferred first, |-separated<TAB>source``.
A new kind is a new file named in ``KINDS``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

ENTITIES_DIR = "data/entities"
# file -> the lexicon kind of its rows
KINDS = {
    "media.tsv": "org", "exchanges.tsv": "org", "organs.tsv": "org", "courts_ministries.tsv": "org",
    "universities.tsv": "org", "companies.tsv": "org", "landmarks.tsv": "place", "people.tsv": "person",
}


@dataclass(frozen=True)
class CuratedEntity:
    """One row of a curated table."""

    key: str                  # simplified Chinese: "中新网"
    kind: str                 # "org", "place" or "person"
    forms: tuple[str, ...]    # English forms, preferred first: ("China News Service", "Chinanews.com", ...)
    source: str               # where the forms come from: "own: chinanews.com.cn"
    table: str                # the file: "media.tsv"


def parse(text: str, table: str, kind: str) -> dict[str, CuratedEntity]:
    """The rows of one table (comments and blank lines skipped); a malformed row raises ValueError naming it."""
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not cells[0].strip() or not cells[1].strip():
            raise ValueError(f"{table}, line {n}: expected key<TAB>forms<TAB>source, got {line!r}")
        key, forms, source = (c.strip() for c in cells)
        out[key] = CuratedEntity(key, kind, tuple(f.strip() for f in forms.split("|") if f.strip()), source, table)
    return out


@lru_cache(maxsize=1)
def curated() -> dict[str, CuratedEntity]:
    """Every curated row, by key (a key in two tables: the later table in ``KINDS`` wins)."""
    folder = resources.files("mtaudit.detectors").joinpath(ENTITIES_DIR)
    out: dict[str, CuratedEntity] = {}
    for table, kind in KINDS.items():
        path = folder.joinpath(table)
        if path.is_file():
            out.update(parse(path.read_text(encoding="utf-8"), table, kind))
    return out
