"""News articles saved as HTML pages."""
from __future__ import annotations

import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from mtaudit.document import Document, Segment
from mtaudit.readers.base import Reader, decode_text, read_bytes
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
_AROUND_BREAK = re.compile(r" *\n *")
_HTML_LANG = re.compile(r"""<html\b[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)


class HtmlReader(Reader):
    """A news article as an HTML page: the headline and paragraphs of its ``<article>`` (the longest, when there are
    several; else ``<main>``, else the body), one segment per block element (heading, paragraph, list item, caption...), ids from 1; scripts, styles,
    navigation, asides, forms and the page's header and footer dropped."""

    name = "html"
    extensions = (".html", ".htm", ".xhtml")

    def read(self, path: str | Path, display: str | None = None) -> Document:
        shown = display or str(path)
        data = read_bytes(path, shown)
        declared = _META_CHARSET.search(data[:4096])
        text = decode_text(data, shown, declared=declared.group(1).decode("ascii") if declared else None)
        del data
        declared_lang = _HTML_LANG.search(text[:8192])
        segments = [Segment(id=str(i), target=b) for i, b in enumerate(article_blocks(text), 1)]
        refuse_long_paragraphs(segments, shown)
        return Document(path=shown, format=self.name, segments=segments,
                        target_lang=declared_lang.group(1) if declared_lang else None)


def article_blocks(html: str) -> list[str]:
    """The text of each block element of the article in ``html``, in reading order, whitespace collapsed."""
    tree = LexborHTMLParser(html)
    # pages list teasers and related stories as <article> too: the story is the one with the most text
    articles = [a for a in tree.css("article") if not _in_furniture(a)]
    root = (max(articles, key=lambda a: len(a.text(deep=True))) if articles else None) or tree.css_first("main") \
        or tree.body or tree.root
    if root is None:
        return []
    blocks: list[str] = []
    buffer: list[str] = []
    state = {"pre": 0, "article": 1 if root.tag == "article" else 0}

    def flush() -> None:
        text = "".join(buffer)
        buffer.clear()
        text = (text if state["pre"] else _AROUND_BREAK.sub("\n", text)).strip()
        if text:
            blocks.append(text)

    # An explicit stack, not recursion: hostile pages nest elements thousands deep.
    stack: list[tuple[bool, object]] = [(False, child) for child in reversed(list(root.iter(include_text=True)))]
    has_headline = root.tag == "h1"
    while stack:
        leaving, node = stack.pop()
        tag = node.tag
        if leaving:
            flush()
            if tag == "pre":
                state["pre"] -= 1
            elif tag == "article":
                state["article"] -= 1
            continue
        if tag == "-text":
            content = node.text_content or ""
            buffer.append(content if state["pre"] else _SPACE.sub(" ", content))
            continue
        if tag.startswith("-") or tag in _DROPPED:
            continue
        if tag == "footer" or (tag == "header" and not state["article"]):
            continue
        if tag == "br":
            buffer.append("\n")
            continue
        if tag == "h1":
            has_headline = True
        if tag in _BLOCKS:
            flush()
            if tag == "pre":
                state["pre"] += 1
            elif tag == "article":
                state["article"] += 1
            stack.append((True, node))
        stack.extend((False, child) for child in reversed(list(node.iter(include_text=True))))
    flush()
    if not has_headline:  # the headline often sits above the <article>, or in a page header
        headline = next((h for h in tree.css("h1") if not _in_furniture(h)), None)
        if headline is not None:
            text = _SPACE.sub(" ", headline.text(separator=" ")).strip()
            if text and (not blocks or blocks[0] != text):
                blocks.insert(0, text)
    return blocks


def _in_furniture(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in _DROPPED or parent.tag == "footer":
            return True
        parent = parent.parent
    return False
