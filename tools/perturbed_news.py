"""Documents from plain text, and held-out news sentences with perturbed twins: shared by the model tests
(tests/unit/fluency/) and the fluency probes (``python -m tools.probes.fluency_checks``, ``tools.probes.odd_phrasing``).
The news lines come from ../shared (the development data)."""
from __future__ import annotations

import random
import re
from pathlib import Path

from mtaudit.core.document import Document, Segment, Sentence

SHARED = Path(__file__).parents[1] / ".." / "shared"
NEWS = SHARED / "data" / "news-en" / "newstest-2008-2021.en.txt"
NEWS_BY_LANG = {"en": NEWS, "de": SHARED / "data" / "news-de" / "newstest-2009-2021.de.txt"}
SEED = SHARED / "seed" / "000_8ae66457043ced03.txt"

FUNCTION_WORDS = {
    "the", "a", "an", "of", "to", "in", "on", "for", "is", "was", "that", "and", "with", "by", "at", "from", "as",
    "be", "are", "were", "has", "have", "had", "it", "its", "their", "his", "her", "will", "would", "not",
}
_BOUNDARY = re.compile(r"(?<=[.!?”\"])\s+(?=[“\"A-Z])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """A plain sentence splitter for test documents (the real readers use pysbd)."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def document(paragraphs: list[str], sources: list[str | None] | None = None, path: str = "test",
             split: bool = True, target_lang: str = "en") -> Document:
    segments = []
    for i, text in enumerate(paragraphs):
        seg = Segment(id=str(i), target=text, source=sources[i] if sources else None)
        spans = split_sentences(text) if split else [(0, len(text))]
        seg.sentences = [Sentence(seg, k, a, b) for k, (a, b) in enumerate(spans)]
        segments.append(seg)
    return Document(path=path, segments=segments, source_lang="en" if target_lang != "en" else "zh",
                    target_lang=target_lang)


def held_out_lines(n: int, seed: int = 7, lang: str = "en") -> list[tuple[str, str]]:
    """(previous line, line) pairs from the tail of the language's news (news-en, news-de) that the norms never saw:
    10-35 words, prose."""
    lines = NEWS_BY_LANG[lang].read_text(encoding="utf-8").splitlines()
    tail = list(range(len(lines) - 10_000 + 1, len(lines)))
    rng = random.Random(seed)
    rng.shuffle(tail)
    out = []
    for i in tail:
        words = lines[i].split()
        if 10 <= len(words) <= 35 and lines[i][:1].isupper() and " ' s " not in lines[i] and lines[i - 1].strip():
            out.append((lines[i - 1].strip(), lines[i].strip()))
            if len(out) == n:
                break
    return out


def shuffled(text: str, rng: random.Random) -> str:
    words = text.split()
    perm = words[:]
    while perm == words:
        rng.shuffle(perm)
    return " ".join(perm)


def swapped(text: str, rng: random.Random) -> str:
    words = text.split()
    choices = [i for i in range(len(words) - 1) if words[i].lower() != words[i + 1].lower()]
    i = rng.choice(choices)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def swapped_span(line: str, bad: str) -> tuple[int, int]:
    """The characters of the two swapped words in ``bad``, the ``swapped`` version of ``line``."""
    words, moved = line.split(), bad.split()
    i = next(i for i in range(len(words)) if words[i] != moved[i])
    lo = len(" ".join(moved[:i])) + (1 if i else 0)
    return lo, lo + len(moved[i]) + 1 + len(moved[i + 1])


def dropped(text: str, rng: random.Random) -> str | None:
    words = text.split()
    choices = [i for i, w in enumerate(words) if w.lower() in FUNCTION_WORDS]
    if not choices:
        return None
    i = rng.choice(choices)
    return " ".join(words[:i] + words[i + 1 :])


PERTURBATIONS = {"shuffled": shuffled, "swapped": swapped, "dropped": dropped}


def perturbed_pairs(n: int, seed: int = 7, lang: str = "en") -> dict[str, list[tuple[str, str, str]]]:
    """For each perturbation: (context, clean, perturbed) triples (``dropped`` drops English function words only)."""
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, str, str]]] = {k: [] for k in PERTURBATIONS}
    for prev, line in held_out_lines(n, seed, lang):
        for name, perturb in PERTURBATIONS.items():
            bad = perturb(line, rng)
            if bad and bad != line:
                out[name].append((prev, line, bad))
    return out


def pair_documents(triples: list[tuple[str, str, str]]) -> list[tuple[Document, Document]]:
    """Each clean/perturbed sentence as the second sentence of a two-sentence document after its context."""
    return [(document([prev, clean], split=False), document([prev, bad], split=False)) for prev, clean, bad in triples]
