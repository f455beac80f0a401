"""Property checks shared by the test suite (tests/integration/test_fuzz.py) and `make fuzz` (``python -m tools.fuzz``):
any input gives a Document or a clean InputError, and every offset stays inside its text."""
from __future__ import annotations

import os
import tempfile

from mtaudit.pipeline import prepare
from mtaudit.detectors import build_detectors
from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.languages import parse_langs
from mtaudit.readers import READERS


def check_document(doc: Document) -> None:
    """Every sentence indexes its segment's text and every finding its sentence's text."""
    for segment in doc.segments:
        assert isinstance(segment.id, str)
        last = 0
        for sentence in segment.sentences:
            assert last <= sentence.start <= sentence.end <= len(segment.target), (segment.id, sentence)
            last = sentence.end
            for f in sentence.findings:
                assert 0 <= f.start <= f.end <= len(sentence.text), (f, sentence)
        if segment.markup_offsets is not None:
            assert len(segment.markup_offsets) == len(segment.target) + 1


def read_payload(reader_name: str, payload: bytes, detectors=None) -> Document | None:
    """Write ``payload`` to a temporary file of the reader's format, read and audit it; None for a clean refusal."""
    reader = READERS[reader_name]()
    fd, path = tempfile.mkstemp(suffix=reader.extensions[0])
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        try:
            doc = reader.read(path)
        except InputError as exc:
            assert "\n" not in str(exc), "errors are one line"
            return None
        try:
            prepare(doc, detectors if detectors is not None else build_detectors())
        except InputError as exc:  # a language pair mtaudit does not audit (declared or detected): a clean refusal
            assert "\n" not in str(exc), "errors are one line"
            return None
        check_document(doc)
        return doc
    finally:
        os.unlink(path)


def audit_text(paragraphs: list[str], sources: list[str | None] | None = None, detectors=None) -> Document:
    """Run every detector over paragraphs built in memory (with optional sources) and check the offsets."""
    segments = [Segment(id=str(i + 1), target=t, source=(sources[i] if sources else None))
                for i, t in enumerate(paragraphs)]
    # the detectors are under test, not language detection: the text is read as the pair any target defaults to
    doc = prepare(Document(path="fuzz.txt", segments=segments), detectors if detectors is not None else build_detectors(),
                  parse_langs("zh-en"))
    check_document(doc)
    return doc
