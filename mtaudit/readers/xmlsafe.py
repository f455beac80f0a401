"""Hardened XML parsing for the bilingual formats, and the inline-markup walker that turns a target element into
plain text plus a map back to its markup.

XLIFF, TMX and their dialects never need a DTD. A file declaring entities is refused before any parser sees it
(entity-expansion bombs, external entities that would read local files or fetch URLs); the parser itself also runs
with entity resolution, DTD loading and network access off and libxml2's size limits on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from mtaudit.core.errors import InputError

_DOCTYPE_SCAN_BYTES = 1 << 16


def _encodings_of(data: bytes) -> str:
    """The head of ``data`` as text, whatever the byte order, for a cheap structural scan."""
    head = data[: _DOCTYPE_SCAN_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 3 and (head[1] == 0 or head[0] == 0)):
        codec = "utf-16-be" if head.startswith(b"\xfe\xff") or head[0] == 0 else "utf-16-le"
        return head.decode(codec, errors="ignore")
    return head.decode("latin-1")


_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)


def screen(data: bytes, path: str) -> None:
    """Refuse files that declare XML entities: translation files never need them, and they are how entity-expansion
    bombs and external-entity reads work."""
    head = _encodings_of(data)
    doctype = _DOCTYPE.search(head)
    if doctype and _ENTITY.search(head, doctype.start()):
        line = head.count("\n", 0, doctype.start()) + 1
        raise InputError(path, "declares XML entities in a <!DOCTYPE>; refused because entities can expand "
                               "without bound or read other files", position=f"line {line}",
                         hint="remove the DOCTYPE; XLIFF, TMX and their dialects do not use one")


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_pis=False, strip_cdata=False)


def parse(data: bytes, path: str) -> etree._Element:
    """Screen and parse ``data``; malformed XML raises InputError with the line and column."""
    screen(data, path)
    try:
        root = etree.fromstring(data, parser=parser())
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, path) from None
    if root is None:
        raise InputError(path, "no XML root element", hint="the file is empty or not XML")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:  # the byte screen missed it (odd encoding)
        raise InputError(path, "declares XML entities in a <!DOCTYPE>; refused because entities can expand without "
                               "bound or read other files", hint="remove the DOCTYPE")
    return root


def parse_document(data: bytes, path: str, root_tag: str, kind: str) -> etree._Element:
    """``parse``, then check the root element is ``root_tag`` (``kind`` names the format in the error)."""
    root = parse(data, path)
    if local(root.tag) != root_tag:
        raise InputError(path, f"not {kind} file: the root element is <{local(root.tag)}>",
                         hint="use --format to choose the right reader")
    return root


def syntax_error(exc: etree.XMLSyntaxError, path: str) -> InputError:
    line, column = exc.position if exc.position else (None, None)
    message = (exc.msg or str(exc)).split(", line ")[0]
    return InputError(path, f"malformed XML: {message}", position=f"line {line}, column {column}" if line else None,
                      hint="fix the file or re-export it from the translation tool")


def local(tag) -> str:
    """``{namespace}name`` -> ``name``; comments and processing instructions -> ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# Inline elements whose content is native code (an HTML tag, a placeholder), never text a reader would see. The
# content of every other inline element (<g>, <mrk>, <pc>, <hi>) is text.
CODE_ELEMENTS = frozenset({"bpt", "ept", "ph", "it", "ut", "x", "bx", "ex", "sc", "ec", "sm", "em", "cp"})


@dataclass
class Flattened:
    """An element's content as plain text, its markup, and ``offsets[i]`` = markup offset of plain character i."""

    text: str
    markup: str
    offsets: list[int]

    @property
    def has_tags(self) -> bool:
        return len(self.markup) != len(self.text) or self.markup != self.text


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def _qname(element, name: str) -> str:
    if "}" not in name:
        return name
    ns, loc = name[1:].split("}", 1)
    if ns == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{loc}"
    for prefix, uri in (element.nsmap or {}).items():
        if uri == ns and prefix:
            return f"{prefix}:{loc}"
    return loc


def _start_tag(element, empty: bool) -> str:
    attrs = "".join(f' {_qname(element, k)}="{_escape(v, True)}"' for k, v in element.attrib.items())
    return f"<{_qname(element, element.tag)}{attrs}{'/>' if empty else '>'}"


def flatten(element, skip: frozenset[str] = frozenset()) -> Flattened:
    """Plain text of ``element``'s content with inline tags removed, and where each character sits in its markup.

    The markup is the content re-serialised (same elements, attributes and text; namespace declarations left out),
    so ``markup[offsets[i]]`` begins the representation of ``text[i]`` (the character itself or its ``&amp;``-style
    escape) and ``offsets[len(text)]`` is the end of the last character's representation. Elements whose local name
    is in ``skip`` are left out of both text and markup (e.g. a nested segment handled separately).
    """
    markup: list[str] = []
    chars: list[str] = []
    offsets: list[int] = []
    pos = 0

    def emit_markup(s: str) -> None:
        nonlocal pos
        markup.append(s)
        pos += len(s)

    def emit_text(s: str) -> None:
        nonlocal pos
        chars.append(s)
        if "&" not in s and "<" not in s and ">" not in s:  # the usual case: one character, one markup character
            offsets.extend(range(pos, pos + len(s)))
            markup.append(s)
            pos += len(s)
            return
        for ch in s:
            rep = _escape(ch)
            offsets.append(pos)
            markup.append(rep)
            pos += len(rep)

    # An explicit stack, not recursion: hostile files nest inline tags deeply.
    if element.text:
        emit_text(element.text)
    stack: list = [("children", element, 0)]
    while stack:
        kind, node, index = stack.pop()
        if kind == "tail":
            if node.tail:
                emit_text(node.tail)
            continue
        if kind == "close":
            emit_markup(f"</{_qname(node, node.tag)}>")
            stack.append(("tail", node, 0))
            continue
        if index >= len(node):
            continue
        child = node[index]
        stack.append(("children", node, index + 1))
        name = local(child.tag)
        if not isinstance(child.tag, str):  # comment or processing instruction: markup only
            emit_markup(etree.tostring(child, with_tail=False, encoding="unicode"))
            stack.append(("tail", child, 0))
        elif name in skip:
            stack.append(("tail", child, 0))
        elif name in CODE_ELEMENTS:
            if len(child) == 0 and not child.text:
                emit_markup(_start_tag(child, empty=True))
            else:
                inner = etree.tostring(child, with_tail=False, encoding="unicode")
                emit_markup(_start_tag(child, empty=False) + _inner_markup(inner) + f"</{_qname(child, child.tag)}>")
            stack.append(("tail", child, 0))
        else:
            if len(child) == 0 and not child.text:
                emit_markup(_start_tag(child, empty=True))
                stack.append(("tail", child, 0))
            else:
                emit_markup(_start_tag(child, empty=False))
                if child.text:
                    emit_text(child.text)
                stack.append(("close", child, 0))
                stack.append(("children", child, 0))
    text = "".join(chars)
    offsets.append(offsets[-1] + len(_escape(text[-1])) if text else pos)
    return Flattened(text, "".join(markup), offsets)


def _inner_markup(serialised: str) -> str:
    """The content between an element's start and end tag in lxml's serialisation of it."""
    start = serialised.find(">") + 1
    end = serialised.rfind("</")
    return serialised[start:end] if 0 < start <= end else ""


def trimmed(flat: Flattened) -> Flattened:
    """Drop leading and trailing whitespace from the plain text, keeping the map consistent."""
    text = flat.text
    lead = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if lead == 0 and end == len(text):
        return flat
    if end <= lead:
        return Flattened("", flat.markup, [flat.offsets[lead] if lead < len(flat.offsets) else 0])
    offsets = flat.offsets[lead:end]
    last = flat.offsets[end - 1] + len(_escape(text[end - 1]))
    return Flattened(text[lead:end], flat.markup, offsets + [last])
