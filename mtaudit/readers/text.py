"""Plain-text news articles, and the paragraph splitting and --source pairing other article readers share."""
from __future__ import annotations

import re
from pathlib import Path

from mtaudit.core.document import Document, Segment
from mtaudit.core.errors import InputError
from mtaudit.readers.base import Reader, decode_text, read_bytes, too_long

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")


class TextReader(Reader):
    """A news article as plain text: paragraphs separated by blank lines (or, when the file has no blank line, one
    paragraph per non-empty line); segment ids are paragraph numbers from 1."""

    name = "text"
    extensions = (".txt", ".text")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        display = display or str(path)
        segments = paragraph_segments(decode_text(read_bytes(path, display), display))
        refuse_long_paragraphs(segments, display)
        return Document(path=display, segments=segments, format=self.name)


def refuse_long_paragraphs(segments: list[Segment], path: str) -> None:
    """An article with a paragraph beyond the segment limit is not an article (a dump, a file without line breaks)."""
    for segment in segments:
        problem = too_long(len(segment.target))
        if problem:
            raise InputError(path, f"paragraph {segment.id} is {problem}",
                             hint="separate paragraphs with blank lines, or check this is really an article")


def paragraph_segments(text: str) -> list[Segment]:
    """Split an article into paragraph segments, keeping each paragraph's text exactly (minus surrounding space)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ValueError("text contains NUL characters")
    if _BLANK_LINE.search(text):
        paragraphs = _BLANK_LINE.split(text)
    else:
        paragraphs = text.split("\n")
    segments = []
    for paragraph in paragraphs:
        paragraph = paragraph.strip()
        if paragraph:
            segments.append(Segment(id=str(len(segments) + 1), target=paragraph))
    return segments


def attach_source(doc: Document, source: Document) -> None:
    """Pair an article with its source article paragraph by paragraph."""
    if len(source.segments) != len(doc.segments):
        raise InputError(
            doc.path,
            f"has {len(doc.segments)} paragraphs but its source {source.path} has {len(source.segments)}",
            hint="--source pairs paragraphs one to one; keep the paragraph breaks of the source",
        )
    for segment, src in zip(doc.segments, source.segments):
        segment.source = src.target
