"""A generated batch for the HTML report, and the headless Chromium it is opened in: shared by the report's tests
(tests/integration/test_html_report.py) and its benchmark (``python -m bench.bench_html``).

``synthetic_report`` makes a large batch of plausible news sentences, a third of them with findings, as a report object
(no audit runs), for size and speed measurements. The browser is Debian's chromium, driven through Playwright; it is
never downloaded.
"""
from __future__ import annotations

import random
from pathlib import Path

from mtaudit.core.document import Category
from mtaudit.reports.base import build_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The run record the generated reports (and the tests' hand-built ones) start with.
RUN = {"type": "run", "version": "0.1.0", "model": None, "detectors": {"repetition": {"min_phrase_words": 2}},
       "risk_model": "hand-set-v0", "options": {}, "started": "2026-01-31T09:00:00+00:00"}

_SUBJECTS = ["The minister", "Officials in the capital", "The central bank", "A company spokeswoman", "Investors",
             "The opposition leader", "Police", "The court", "Shipping analysts", "The union"]
_VERBS = ["said", "warned", "announced", "denied", "confirmed", "argued", "expected", "reported"]
_OBJECTS = ["that talks would resume next week", "a rise in fuel prices", "plans to cut 300 jobs by March",
            "that the agreement protects farmers", "a review of the port's safety rules",
            "record exports to Europe in the third quarter", "that no decision had been taken",
            "the sale of its stake in the joint venture"]
_TAILS = ["on Tuesday.", "according to a statement.", "in an interview with local media.", "despite the protests.",
          "after a meeting with regional leaders.", "citing people familiar with the matter."]
_KINDS = [(Category.REPETITION, "repetition", "word repeated: {w!r}"),
          (Category.UNTRANSLATED, "untranslated", "untranslated text: {w!r}"),
          (Category.PUNCTUATION, "brackets", "( is never closed: its closing ) is missing"),
          (Category.MISTRANSLATION, "names", "{w!r} is spelled differently earlier in the article"),
          (Category.LOCALE_NUMBER, "numbers", "{w!r} does not match the source figure"),
          (Category.CREDIT, "credits", "the quote is credited to an agency, not a person")]


def synthetic_report(sentences: int = 5000, per_doc: int = 50, seed: int = 7) -> dict:
    """A batch of ``sentences`` plausible news sentences, a third of them with one to three findings."""
    rng = random.Random(seed)
    records = [dict(RUN)]
    n_docs = max(1, sentences // per_doc)
    made = 0
    for d in range(n_docs):
        path = f"batch/{d:04d}-{rng.choice(['economy', 'politics', 'world', 'markets', 'sport'])}.txt"
        count = per_doc if d < n_docs - 1 else sentences - made
        lines, findings, doc_risks = [], 0, []
        for k in range(count):
            text = (f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                    f"{rng.choice(_TAILS)}")
            found = []
            if rng.random() < 0.33:
                words = [(m, len(w)) for m, w in _word_offsets(text)]
                for _ in range(rng.randint(1, 3)):
                    start, length = rng.choice(words)
                    category, detector, message = rng.choice(_KINDS)
                    severity = rng.choice(["minor", "minor", "major", "critical"])
                    found.append({"detector": detector, "category": category, "severity": severity, "start": start,
                                  "end": start + length, "message": message.format(w=text[start:start + length]),
                                  "suggestion": None, "confidence": 0.9})
            risk = round(sum({"minor": 1, "major": 5, "critical": 10}[f["severity"]] for f in found)
                         + rng.random() * 0.5, 4)
            doc_risks.append(risk)
            findings += len(found)
            lines.append({"type": "sentence", "doc": path, "segment": str(k // 5 + 1), "sentence": k % 5,
                          "start": 0, "end": len(text), "text": text, "risk": risk, "fluency": None, "scores": {},
                          "findings": sorted(found, key=lambda f: (f["start"], f["end"])),
                          "source": None, "reference": None})
        made += count
        top = sorted(doc_risks, reverse=True)[:3]
        lines.append({"type": "document", "doc": path, "risk": round(sum(top) / len(top), 4), "sentences": count,
                      "findings": findings, "error": None, "format": "text", "segments": (count + 4) // 5,
                      "scores": {}, "dismissed": 0})
        records.extend(lines)
    return build_report(records)


def _word_offsets(text: str):
    pos = 0
    for word in text.split(" "):
        yield pos, word.rstrip(".,")
        pos += len(word) + 1
