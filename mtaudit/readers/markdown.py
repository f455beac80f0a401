"""News articles written in Markdown (CMS exports, wire copy kept in git)."""
from __future__ import annotations

import re
from pathlib import Path

from mtaudit.core.document import Document, Segment
from mtaudit.readers.base import decode_text, read_bytes
from mtaudit.readers.text import TextReader, paragraph_segments, refuse_long_paragraphs

# Syntax removed from the text detectors see. Each pattern's groups 1.. are the parts deleted; what lies between
# them is kept. Line patterns run with MULTILINE on a paragraph.
_LINE_SYNTAX = [
    re.compile(r"^(?:[ \t]*(?:[-*_][ \t]*){3,}(?:\n|$))", re.MULTILINE),             # horizontal rule (all deleted)
    re.compile(r"(?:^|\n)[ \t]*(?:=+|-+)[ \t]*$", re.MULTILINE),                       # setext underline
]
_PREFIXES = re.compile(r"^(?:[ \t]*>[ \t]?)+|^[ \t]*#{1,6}[ \t]+|^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.MULTILINE)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)
_PAIRED = [
    re.compile(r"(!\[)[^\]\n]*(\]\([^)\n]*\))"),                                        # image: all deleted below
    re.compile(r"(\[)[^\]\n]+(\]\([^)\s]*(?:[ \t]+\"[^\"\n]*\")?\))"),                # [text](url "title")
    re.compile(r"(\[)[^\]\n]+(\]\[[^\]\n]*\])"),                                         # [text][ref]
    re.compile(r"(<)(?:https?://|mailto:)[^>\s]+(>)"),                                  # <https://...>
    re.compile(r"(`+)[^`\n]+?(\1)"),                                                    # `code`
    re.compile(r"(\*\*|__)(?=\S)[^\n]+?(?<=\S)(\1)"),                                   # **strong**
    re.compile(r"(?<![\w*\\])(\*)(?=[^\s*])[^*\n]+?(?<=[^\s*\\])(\*)(?![\w*])"),       # *emphasis*
    re.compile(r"(?<![\w\\])(_)(?=[^\s_])[^_\n]+?(?<=[^\s_\\])(_)(?!\w)"),              # _emphasis_
    re.compile(r"(~~)(?=\S)[^\n]+?(?<=\S)(~~)"),                                        # ~~strike~~
]
_ESCAPE = re.compile(r"(\\)[\\`*_{}\[\]()#+\-.!>~|]")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")


class MarkdownReader(TextReader):
    """A news article in Markdown: paragraphs as for plain text, with heading, quote and list markers, emphasis,
    link targets, images and code ticks removed from the text detectors see (kept in the segment's markup, offsets
    mappable); segment ids are paragraph numbers from 1."""

    name = "markdown"
    extensions = (".md", ".markdown")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        display = display or str(path)
        segments = []
        for paragraph in paragraph_segments(decode_text(read_bytes(path, display), display)):
            segment = markdown_segment(paragraph)
            if segment is not None:
                segment.id = str(len(segments) + 1)
                segments.append(segment)
        refuse_long_paragraphs(segments, display)
        return Document(path=display, segments=segments, format=self.name)


def markdown_segment(paragraph: Segment) -> Segment | None:
    """The paragraph with Markdown syntax removed, its original as markup; None when nothing but syntax remains."""
    markup = paragraph.target
    deleted = bytearray(len(markup))

    def delete(start: int, end: int) -> None:
        deleted[start:end] = b"\x01" * (end - start)

    for pattern in _LINE_SYNTAX:
        for match in pattern.finditer(markup):
            delete(match.start(), match.end())
    for pattern in (_PREFIXES, _CLOSING_HASHES):
        for match in pattern.finditer(markup):
            delete(match.start(), match.end())
    for match in _IMAGE.finditer(markup):  # an image between words leaves one space, not two
        end = match.end()
        if end < len(markup) and markup[end] == " " and (match.start() == 0 or markup[match.start() - 1] == " "):
            end += 1
        delete(match.start(), end)
    for pattern in _PAIRED:
        for match in pattern.finditer(markup):
            if any(deleted[match.start(1):match.end(1)]) or any(deleted[match.start(2):match.end(2)]):
                continue
            delete(match.start(1), match.end(1))
            delete(match.start(2), match.end(2))
    for match in _ESCAPE.finditer(markup):
        if not deleted[match.start()]:
            delete(match.start(1), match.end(1))

    kept = [i for i, flag in enumerate(deleted) if not flag]
    # trim whitespace the removals exposed at either end
    while kept and markup[kept[0]].isspace():
        kept.pop(0)
    while kept and markup[kept[-1]].isspace():
        kept.pop()
    if not kept:
        return None
    text = "".join(markup[i] for i in kept)
    if text == markup:
        return Segment(id=paragraph.id, target=text)
    return Segment(id=paragraph.id, target=text, markup=markup, markup_offsets=kept + [kept[-1] + 1])
