"""Shared test helpers: build small documents and run one detector on them."""
from __future__ import annotations

from pathlib import Path

from mtaudit.pipeline import prepare
from mtaudit.detectors.base import Detector
from mtaudit.core.document import Document, Finding, Segment

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_8ae66457043ced03.txt"
SAMPLES = REPO / "samples"
FIXTURES_DIR = REPO / "tests" / "fixtures"


def make_doc(paragraphs: str | list[str], sources: list[str | None] | None = None,
             references: list[str | None] | None = None, path: str = "test.txt", target_lang: str = "en",
             source_lang: str | None = None) -> Document:
    """A Document of one segment per paragraph (a string is split on blank lines), sentences split, nothing detected.

    The target is English unless ``target_lang`` says otherwise (as a file's metadata would); the source language,
    when not given, is detected as in an audit."""
    if isinstance(paragraphs, str):
        paragraphs = [p.strip() for p in paragraphs.split("\n\n") if p.strip()]
    segments = []
    for i, text in enumerate(paragraphs):
        segments.append(Segment(
            id=str(i + 1), target=text,
            source=sources[i] if sources else None,
            reference=references[i] if references else None))
    return prepare(Document(path=path, segments=segments, format="text", target_lang=target_lang,
                            source_lang=source_lang), [])


def findings(detector: Detector, paragraphs, sources=None, target_lang: str = "en") -> list[Finding]:
    """Findings of one detector on a document built from ``paragraphs``; checks every offset is valid."""
    doc = make_doc(paragraphs, sources, target_lang=target_lang)
    out = []
    for sentence, finding in detector.detect(doc):
        assert 0 <= finding.start <= finding.end <= len(sentence.text), finding
        out.append(finding)
    return out


def flags(detector: Detector, paragraphs, sources=None, target_lang: str = "en") -> bool:
    return bool(findings(detector, paragraphs, sources, target_lang))


def passes(detector: Detector, paragraphs, sources=None, target_lang: str = "en") -> bool:
    return not findings(detector, paragraphs, sources, target_lang)


def flagged_findings(detector: Detector, paragraphs, sources=None,
                     target_lang: str = "en") -> list[tuple[str, Finding]]:
    """Each finding of one detector with the exact text of its span; checks every offset is valid."""
    doc = make_doc(paragraphs, sources, target_lang=target_lang)
    out = []
    for sentence, finding in detector.detect(doc):
        assert 0 <= finding.start <= finding.end <= len(sentence.text), finding
        out.append((sentence.text[finding.start:finding.end], finding))
    return out


def flagged_text(detector: Detector, paragraphs, sources=None, target_lang: str = "en") -> list[str]:
    """The exact text of every flagged span, for asserting *what* was flagged."""
    return [text for text, _ in flagged_findings(detector, paragraphs, sources, target_lang)]


def assert_one_mistranslated_name(detector: Detector, paragraphs, sources, span: str, suggestion: str | None):
    """``detector`` flags exactly ``span`` as a major mistranslated name, suggesting ``suggestion``, with a
    confidence that is neither certain nor a coin toss below even."""
    found = flagged_findings(detector, paragraphs, sources)
    assert [t for t, _ in found] == [span], found
    finding = found[0][1]
    assert finding.suggestion == suggestion and finding.category == "Accuracy/Mistranslation"
    assert finding.severity.value == "major" and 0.5 <= finding.confidence <= 0.8


def kill_after_documents(proc, partial: Path, count: int, timeout: float = 180) -> int:
    """SIGKILL ``proc`` (an `mtaudit audit --jsonl` run) once its ``.partial`` file holds ``count`` complete
    documents, or when ``timeout`` runs out; returns how many it held then."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if partial.exists() and partial.read_text().count('"type":"document"') >= count:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    return partial.read_text().count('"type":"document"') if partial.exists() else 0
