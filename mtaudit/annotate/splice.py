"""Edits spliced into a file's own bytes, so an annotated copy differs from its input by the inserted notes and
review states alone.

Serialising a parsed tree rewrites what the parser normalised: character references become characters (memoQ's
``val="&#x9;"`` tab placeholder turns into a tab that any XML parser reads as a space), ``<target></target>`` becomes
``<target/>``, attributes and namespace declarations are reordered, the line break after a comment before the root
disappears. So the annotators parse files only to learn what they hold, and ``Splice`` writes the copy: the input's
text with insertions, deletions and replacements at character offsets, every untouched stretch copied from the input's
bytes. ``tags`` finds where each XML element's start and end tags and attribute values lie.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from lxml import etree

from mtaudit.annotate.base import changed
from mtaudit.core.errors import InputError

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Characters XML 1.0 cannot hold, even as references; a note never needs them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Splice:
    """A file's text and the edits to make in it. Offsets index ``text`` (the bytes after any byte-order mark,
    decoded); ``copy()`` gives the edited bytes, in which every stretch between edits is the input's own bytes."""

    def __init__(self, data: bytes, codec: str, path: str, errors: str = "xmlcharrefreplace"):
        self.path = path
        self.codec = codec
        self.errors = errors  # for inserted text the encoding cannot hold
        self.bom = next((bom for bom, name in _BOMS if data.startswith(bom) and codecs.lookup(name).name
                         == codecs.lookup(codec).name), b"")
        self.body = data[len(self.bom):]
        try:
            self.text = self.body.decode(codec)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(path, f"cannot be decoded as {codec} to annotate it ({exc})",
                             hint="re-export it as UTF-8") from None
        self._edits: list[tuple[int, int, int, str]] = []

    @property
    def newline(self) -> str:
        """The file's line break: CRLF when its first line ends so, else LF."""
        end = self.text.find("\n")
        return "\r\n" if end > 0 and self.text[end - 1] == "\r" else "\n"

    def insert(self, offset: int, text: str) -> None:
        self._edits.append((offset, offset, len(self._edits), text))

    def delete(self, start: int, end: int) -> None:
        self._edits.append((start, end, len(self._edits), ""))

    def replace(self, start: int, end: int, text: str) -> None:
        self._edits.append((start, end, len(self._edits), text))

    def copy(self) -> bytes:
        """The input's bytes with the edits made. Insertions at one offset keep the order they were made in and come
        before a deletion that starts there; edits never overlap."""
        pieces = [self.bom]
        original = []  # the input cut at the edits, each stretch encoded apart: together they must be the input
        position = 0
        for start, end, _, text in sorted(self._edits):
            if start < position:
                raise AssertionError(f"overlapping edits at {start} in {self.path}")
            kept = self.text[position:start].encode(self.codec)
            original += [kept, self.text[start:end].encode(self.codec)]
            pieces += [kept, text.encode(self.codec, self.errors)]
            position = end
        original.append(self.text[position:].encode(self.codec))
        pieces.append(original[-1])
        if b"".join(original) != self.body:  # a stateful encoding: stretches encoded apart are not the file's bytes
            raise InputError(self.path, f"cannot be annotated in its encoding ({self.codec}) without changing it",
                             hint="re-export it as UTF-8")
        return b"".join(pieces)


def xml_splice(data: bytes, root, path: str) -> Splice:
    """A ``Splice`` of an XML file in the encoding its parse found (``root``: the parsed document's root)."""
    declared = root.getroottree().docinfo.encoding or "utf-8"
    codec = next((name for bom, name in _BOMS if data.startswith(bom)), declared)
    if codecs.lookup(codec).name == "utf-16":  # no byte-order mark: the byte order shows in the first character
        codec = "utf-16-be" if data[:1] == b"\0" else "utf-16-le"
    try:
        codecs.lookup(codec)
    except LookupError:
        raise InputError(path, f"declares an encoding Python does not know ({declared}); no annotated copy written",
                         hint="re-export it as UTF-8") from None
    return Splice(data, codec, path)


def escape(text: str, attribute: bool = False) -> str:
    """``text`` as XML character data (or, with ``attribute``, a double-quoted attribute value)."""
    text = _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;") \
        if attribute else text.replace("\r", "&#13;")


# ---- where the elements are --------------------------------------------------------------------------------------
@dataclass
class Tag:
    """Where one element lies in the text: ``start``..``open_end`` its start tag, ``close_start``..``end`` its end
    tag (an empty-element tag: both spans are the one tag); ``values`` the span of each attribute's value (between
    the quotes) by the name written; ``attributes_end`` where a new attribute goes."""

    name: str
    start: int
    open_end: int
    attributes_end: int
    empty: bool
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    close_start: int = -1
    end: int = -1

    @property
    def prefix(self) -> str:
        """``"xlf:"`` for ``<xlf:trans-unit>``, ``""`` without a prefix."""
        return self.name[: self.name.index(":") + 1] if ":" in self.name else ""


_START_TAG = re.compile(r"""<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)(\s*)(/?)>""")
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_END_TAG = re.compile(r"</([^\s>]+)\s*>")
_SKIPPED = {"<!--": "-->", "<![CDATA[": "]]>", "<?": "?>"}


def tags(text: str) -> list[Tag]:
    """Every element of the XML document ``text``, in document order (the order of ``root.iter()``). The document
    is one an XML parser accepted: a literal ``<`` starts markup everywhere but in comments, CDATA sections,
    processing instructions and the DOCTYPE, which are stepped over; attribute values may hold ``>``."""
    found: list[Tag] = []
    open_tags: list[Tag] = []
    position = text.find("<")
    while position >= 0:
        skipped = next((end for opening, end in _SKIPPED.items() if text.startswith(opening, position)), None)
        if skipped is not None:
            position = text.index(skipped, position) + len(skipped)
        elif text.startswith("<!", position):
            position = _doctype_end(text, position)
        elif text.startswith("</", position):
            match = _END_TAG.match(text, position)
            tag = open_tags.pop()
            if match is None or match.group(1) != tag.name:
                raise ValueError(f"end tag at {position} does not close <{tag.name}>")
            tag.close_start, tag.end = position, match.end()
            position = match.end()
        else:
            match = _START_TAG.match(text, position)
            if match is None:
                raise ValueError(f"no start tag at {position}")
            empty = bool(match.group(4))
            tag = Tag(match.group(1), position, match.end(), match.end(2), empty)
            for attribute in _ATTRIBUTE.finditer(text, match.start(2), match.end(2)):
                group = 2 if attribute.group(2) is not None else 3
                tag.values[attribute.group(1)] = (attribute.start(group), attribute.end(group))
            if empty:
                tag.close_start, tag.end = position, match.end()
            else:
                open_tags.append(tag)
            found.append(tag)
            position = match.end()
        position = text.find("<", position)
    return found


def _doctype_end(text: str, position: int) -> int:
    """The offset after a ``<!DOCTYPE ...>`` whose internal subset may hold quoted strings, comments and ``>``."""
    depth = 0
    i = position + 2
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = text.index(char, i + 1)
        elif text.startswith("<!--", i):
            i = text.index("-->", i) + 2
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ">" and depth == 0:
            return i + 1
        i += 1
    raise ValueError("unterminated DOCTYPE")


class Located:
    """The parsed elements of an XML document and where each lies in its text: ``tag(element)``."""

    def __init__(self, root, splice: Splice):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        try:
            found = tags(splice.text)
        except (ValueError, IndexError):
            found = []
        if len(found) != len(elements) or any(_local(t.name) != etree.QName(e).localname
                                               for t, e in zip(found, elements)):
            raise InputError(splice.path, "its markup could not be followed to place the notes; no annotated copy "
                                          "written", hint="re-export it from the translation tool")
        self._tags = dict(zip(elements, found))
        self.splice = splice

    def tag(self, element) -> Tag:
        return self._tags[element]

    def leading_space(self, element) -> tuple[int, str]:
        """(offset, text) of the whitespace just before ``element`` when only whitespace separates it from the
        markup before it (its indentation); (its start, "") when it follows text."""
        text = self.splice.text
        start = self._tags[element].start
        begin = start
        while begin > 0 and text[begin - 1] in " \t\r\n":
            begin -= 1
        if begin > 0 and text[begin - 1] != ">":
            return start, ""
        return begin, text[begin:start]

    def remove(self, element) -> None:
        """Splice ``element`` out with its indentation, so what followed it keeps its own."""
        begin, _ = self.leading_space(element)
        self.splice.delete(begin, self._tags[element].end)

    def set_attribute(self, element, name: str, value: str) -> None:
        """Give ``element`` the attribute ``name`` (as written) = ``value``: its value replaced where it has one, else
        added after its last attribute."""
        tag = self._tags[element]
        if name in tag.values:
            start, end = tag.values[name]
            if self.splice.text[start:end] != value:
                self.splice.replace(start, end, escape(value, attribute=True))
        else:
            self.splice.insert(tag.attributes_end, f' {name}="{escape(value, attribute=True)}"')


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def element_text(prefix: str, name: str, attributes: dict[str, str], text: str) -> str:
    """``<prefix:name a="..">text</prefix:name>``, escaped."""
    written = "".join(f' {key}="{escape(value, attribute=True)}"' for key, value in attributes.items())
    return f"<{prefix}{name}{written}>{escape(text)}</{prefix}{name}>"


def locate_units(store, data: bytes, units: dict, path: str, holds) -> tuple[list, Located]:
    """An XML store's unit elements, each checked to still be the unit its notes were written for (``holds(element,
    notes)``; else the file changed since the audit), and the store's tree located in ``data``."""
    elements = [unit.xmlelement for unit in store.units]
    for index, notes in units.items():
        if index >= len(elements) or not holds(elements[index], notes):
            raise changed(path)
    root = store.document.getroot()
    return elements, Located(root, xml_splice(data, root, path))

