"""News articles saved as HTML pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from mtaudit.core.document import Document, Segment
from mtaudit.readers.base import MAX_SEGMENT_CHARS, Reader, decode_text, read_bytes
from mtaudit.readers.text import refuse_long_paragraphs

# Page furniture and non-text content: never part of the article.
_DROPPED = frozenset({
    "script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "svg", "math", "button", "select",
    "textarea", "object", "embed", "canvas", "video", "audio", "dialog", "head", "title", "menu", "input", "label",
})
# Elements that end one segment and start the next; everything else is inline and flows into the current segment.
_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre", "address", "div", "section",
    "article", "main", "figure", "figcaption", "table", "caption", "tr", "td", "th", "ul", "ol", "dl", "hr",
    "details", "summary", "header", "footer", "body", "html", "center", "fieldset", "legend",
})
_SPACE = re.compile(r"\s+")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Elements that have no end tag in HTML.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_HTML_LANG = re.compile(r"""<html\b[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)


class HtmlReader(Reader):
    """A news article as an HTML page: the headline and paragraphs of its ``<article>`` (the longest, when there are
    several; else ``<main>``, else the body), one segment per block element (heading, paragraph, list item, caption...), ids from 1; scripts, styles,
    navigation, asides, forms and the page's header and footer dropped; inline tags removed and kept in the markup."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        data = read_bytes(path, shown)
        declared = _META_CHARSET.search(data[:4096])
        text = decode_text(data, shown, declared=declared.group(1).decode("ascii") if declared else None)
        del data
        declared_lang = _HTML_LANG.search(text[:8192])
        segments = []
        for i, block in enumerate(article_blocks_with_markup(text), 1):
            segment = Segment(id=str(i), target=block.text)
            if block.markup != block.text:
                segment.markup, segment.markup_offsets = block.markup, block.offsets
            segments.append(segment)
        refuse_long_paragraphs(segments, shown)
        return Document(path=shown, format=self.name, segments=segments,
                        target_lang=declared_lang.group(1) if declared_lang else None)


@dataclass
class Block:
    """A block's text as detectors see it, its inline content as HTML (tags kept, text escaped), and
    ``offsets[i]`` = the offset in ``markup`` where text character ``i`` comes from (``len(text) + 1`` entries)."""

    text: str
    markup: str
    offsets: list[int]


class _Buffer:
    """The block being read: its text characters, the markup span each came from, and the markup itself.

    A block longer than a segment may be is only counted, not mapped: the reader refuses it anyway, and mapping a
    100 MB paragraph character by character would cost gigabytes."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.markup: list[str] = []
        self.length = 0

    def tag(self, markup: str) -> None:
        self.markup.append(markup)
        self.length += len(markup)

    def text(self, content: str, collapse: bool) -> None:
        """A text node: characters escaped into the markup; each run of whitespace becomes one space mapped to the
        run, unless ``collapse`` is off (inside <pre>)."""
        if len(self.chars) > MAX_SEGMENT_CHARS:
            self.chars.append(_SPACE.sub(" ", content) if collapse else content)
            return
        pos = 0
        for run in (_SPACE.finditer(content) if collapse else ()):
            self._plain(content[pos:run.start()])
            self._char(" ", run.group())
            pos = run.end()
        self._plain(content[pos:])

    def line_break(self, markup: str) -> None:
        self._char("\n", markup)

    def _char(self, ch: str, markup: str) -> None:
        self.chars.append(ch)
        self.starts.append(self.length)
        self.tag(markup)
        self.ends.append(self.length)

    def _plain(self, piece: str) -> None:
        if "&" in piece or "<" in piece or ">" in piece:
            for ch in piece:
                self._char(ch, _ESCAPES.get(ch, ch))
            return
        base = self.length
        self.chars.extend(piece)
        self.starts.extend(range(base, base + len(piece)))
        self.ends.extend(range(base + 1, base + len(piece) + 1))
        self.tag(piece)

    def take(self, pre: bool) -> Block | None:
        """The block's text (spaces around line breaks dropped outside <pre>, ends trimmed), or None when empty."""
        chars = self.chars
        if len(self.starts) != len(chars):  # over the segment limit: text only, for the reader to refuse
            text = "".join(chars).strip()
            self.__init__()
            return Block(text, text, []) if text else None
        keep = [True] * len(chars)
        if not pre:  # " *\n *" -> "\n"
            for i, ch in enumerate(chars):
                if ch == "\n":
                    j = i - 1
                    while j >= 0 and chars[j] == " ":
                        keep[j], j = False, j - 1
                    j = i + 1
                    while j < len(chars) and chars[j] == " ":
                        keep[j], j = False, j + 1
        first, last = 0, len(chars) - 1
        while first <= last and (chars[first].isspace() or not keep[first]):
            first += 1
        while last >= first and (chars[last].isspace() or not keep[last]):
            last -= 1
        block = None
        if first <= last:
            kept = [i for i in range(first, last + 1) if keep[i]]
            block = Block("".join(chars[i] for i in kept), "".join(self.markup),
                          [self.starts[i] for i in kept] + [self.ends[last]])
        self.__init__()
        return block


def article_blocks(html: str) -> list[str]:
    """The text of each block element of the article in ``html``, in reading order, whitespace collapsed."""
    return [block.text for block in article_blocks_with_markup(html)]


def article_blocks_with_markup(html: str) -> list[Block]:
    """Each block element of the article in ``html`` with its inline markup and the map from text to markup."""
    tree = LexborHTMLParser(html)
    # pages list teasers and related stories as <article> too: the story is the one with the most text
    articles = [a for a in tree.css("article") if not _in_furniture(a)]
    root = (max(articles, key=lambda a: len(a.text(deep=True))) if articles else None) or tree.css_first("main") \
        or tree.body or tree.root
    if root is None:
        return []
    blocks, has_headline = _walk(root)
    if not has_headline:  # the headline often sits above the <article>, or in a page header
        headline = next((h for h in tree.css("h1") if not _in_furniture(h)), None)
        if headline is not None:
            text = _SPACE.sub(" ", headline.text(separator=" ")).strip()
            if text and (not blocks or blocks[0].text != text):
                walked, _ = _walk(headline)
                # the walk joins text nodes as written; the headline's text joins them with spaces, and where the
                # two differ the headline keeps no markup map
                blocks.insert(0, walked[0] if len(walked) == 1 and walked[0].text == text
                              else Block(text, text, list(range(len(text) + 1))))
    return blocks


def _walk(root) -> tuple[list[Block], bool]:
    """The blocks under ``root`` in reading order, and whether an <h1> was among them."""
    blocks: list[Block] = []
    buffer = _Buffer()
    state = {"pre": 0, "article": 1 if root.tag == "article" else 0}

    def flush() -> None:
        block = buffer.take(pre=bool(state["pre"]))
        if block is not None:
            blocks.append(block)

    # An explicit stack, not recursion: hostile pages nest elements thousands deep.
    stack: list[tuple[bool, object]] = [(False, child) for child in reversed(list(root.iter(include_text=True)))]
    has_headline = root.tag == "h1"
    while stack:
        leaving, node = stack.pop()
        tag = node.tag
        if leaving:
            if tag in _BLOCKS:
                flush()
                if tag == "pre":
                    state["pre"] -= 1
                elif tag == "article":
                    state["article"] -= 1
            else:  # the end of an inline element
                buffer.tag(f"</{tag}>")
            continue
        if tag == "-text":
            buffer.text(node.text_content or "", collapse=not state["pre"])
            continue
        if tag.startswith("-") or tag in _DROPPED:
            continue
        if tag == "footer" or (tag == "header" and not state["article"]):
            continue
        if tag == "br":
            buffer.line_break(_start_tag(node))
            continue
        if tag == "h1":
            has_headline = True
        if tag in _BLOCKS:
            flush()
            if tag == "pre":
                state["pre"] += 1
            elif tag == "article":
                state["article"] += 1
        else:
            buffer.tag(_start_tag(node))
        children = list(node.iter(include_text=True))
        if tag in _BLOCKS or tag not in _VOID:
            stack.append((True, node))
        stack.extend((False, child) for child in reversed(children))
    flush()
    return blocks, has_headline


def _start_tag(node) -> str:
    attributes = "".join(f" {k}" if v is None else f' {k}="{_escape_attribute(v)}"'
                         for k, v in (node.attributes or {}).items())
    return f"<{node.tag}{attributes}>"


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;")


def _in_furniture(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in _DROPPED or parent.tag == "footer":
            return True
        parent = parent.parent
    return False
