"""Property-based checks: arbitrary text through every reader and the segmenter never crashes and keeps offsets exact.

Kept small for `make test`; a long fuzz run sets MTAUDIT_FUZZ_EXAMPLES (examples per property).
"""
from __future__ import annotations

import csv
import io
import json
import os
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtaudit.core.errors import InputError
from mtaudit.readers import READERS, read_document
from mtaudit.readers.base import decode_text
from mtaudit.segmenter import split_spans, split_segment

FUZZ = settings(max_examples=int(os.environ.get("MTAUDIT_FUZZ_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text a translation can hold: any Unicode except surrogates, with news punctuation and spaces made frequent.
news_text = st.lists(
    st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(list(" .,;:!?\"'“”‘’«»()[]-–—\n\t…。！？、") + ["Mr.", "U.S.", " ", " ", "Word", "Tuesday"]),
    ),
    max_size=120,
).map("".join)
xml_text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
                   max_size=80)


def check_document(doc):
    ids = [s.id for s in doc.segments]
    assert len(set(ids)) == len(ids)
    for segment in doc.segments:
        assert segment.target
        if segment.markup_offsets is not None:
            assert len(segment.markup_offsets) == len(segment.target) + 1
            assert all(0 <= a < b <= len(segment.markup) for a, b in zip(segment.markup_offsets,
                                                                           segment.markup_offsets[1:]))
        split_segment(segment)
        for sentence in segment.sentences:
            assert 0 <= sentence.start < sentence.end <= len(segment.target)
            assert sentence.text == segment.target[sentence.start:sentence.end]


@FUZZ
@given(text=news_text)
def test_segmenter_offsets(text):
    previous = 0
    for start, end in split_spans(text):
        assert previous <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous = end


@FUZZ
@given(text=st.text(max_size=200).filter(lambda t: "\ufeff" not in t[:1]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_decode_round_trip_or_clear_error(text, encoding):
    try:
        assert decode_text(text.encode(encoding, errors="surrogatepass"), "f.txt") == text
    except InputError as exc:  # control-heavy text is refused as binary, in one line
        assert "\n" not in str(exc)
    except UnicodeEncodeError:
        pass


@FUZZ
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_every_reader(tmp_path, data):
    for name, reader in READERS.items():
        path = tmp_path / f"input{reader.extensions[0]}"
        path.write_bytes(data)
        try:
            check_document(read_document(path))
        except InputError as exc:
            assert "\n" not in str(exc), name


@FUZZ
@given(rows=st.lists(st.tuples(news_text, news_text), min_size=1, max_size=6))
def test_jsonl_and_tables(tmp_path, rows):
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps({"source": s, "target": t}) for s, t in rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["source", "target"])
    writer.writerows(rows)
    (tmp_path / "a.csv").write_text(buffer.getvalue())
    for name in ("a.jsonl", "a.csv"):
        try:
            check_document(read_document(tmp_path / name))
        except InputError as exc:
            assert "\n" not in str(exc)


inline = st.recursive(
    xml_text.map(escape),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map("".join),
        inner.map(lambda s: f'<g id="1">{s}</g>'),
        inner.map(lambda s: f'<mrk mtype="term">{s}</mrk>'),
        st.just('<x id="2"/>'),
        xml_text.map(lambda s: f'<ph id="3">{escape(s)}</ph>'),
        xml_text.map(lambda s: f'<bpt id="4">{escape(s)}</bpt>'),
    ),
    max_leaves=8,
)


@FUZZ
@given(target=inline)
def test_xliff_inline_markup_maps_back(tmp_path, target):
    path = tmp_path / "f.xlf"
    path.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
                    'datatype="x" source-language="en"><body><trans-unit id="1"><source>s</source>'
                    f'<target>{target}</target></trans-unit></body></file></xliff>', encoding="utf-8")
    try:
        doc = read_document(path)
    except InputError as exc:  # characters XML 1.0 forbids
        assert "malformed XML" in str(exc)
        return
    check_document(doc)
    for segment in doc.segments:
        if segment.markup is None:
            continue
        for i, ch in enumerate(segment.target):
            rep = segment.markup[segment.markup_offsets[i]:]
            assert rep.startswith(ch) or rep.startswith(escape(ch))


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_reader_survives_an_empty_file(tmp_path, name):
    path = tmp_path / f"empty{READERS[name].extensions[0]}"
    path.write_bytes(b"")
    try:
        doc = read_document(path)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert doc.segments == []


markdownish = st.lists(st.one_of(news_text, st.sampled_from(
    ["# ", "## ", "> ", "- ", "1. ", "*", "**", "_", "__", "`", "[", "](", ")", "![", "\\", "~~", "\n", "\n\n", "<https://x.example>", "===\n"])),
    max_size=30).map("".join)


@FUZZ
@given(text=markdownish)
def test_markdown_offsets(tmp_path, text):
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    try:
        doc = read_document(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    check_document(doc)
    for segment in doc.segments:
        if segment.markup is not None:
            assert all(segment.markup[segment.markup_offsets[i]] == ch for i, ch in enumerate(segment.target))
