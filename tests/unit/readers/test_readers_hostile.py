"""Hostile, broken and oddly encoded inputs: each is read correctly or refused with one clear line."""
from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import FIXTURES_DIR, REPO

from mtaudit.pipeline import AuditConfig
from mtaudit.pipeline.stages import load_and_prepare, start_reader
from mtaudit.core.errors import InputError
from mtaudit.readers import base, read_document

HOSTILE = FIXTURES_DIR / "hostile"

_spec = importlib.util.spec_from_file_location("hostile_make", HOSTILE / "make.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


def paragraphs(article: str) -> list[str]:
    return [p.strip() for p in article.split("\n\n") if p.strip()]


@pytest.mark.parametrize("name, article", [
    ("utf8_bom.txt", make.ARTICLE_EN),
    ("utf16le_bom.txt", make.ARTICLE_FR),
    ("utf16be_bom.txt", make.ARTICLE_FR),
    ("utf16le_nobom.txt", make.ARTICLE_FR),
    ("utf16be_nobom.txt", make.ARTICLE_FR),
    ("latin1.txt", make.ARTICLE_FR),
    ("gb18030.txt", make.ARTICLE_ZH),
])
def test_encodings_decode_exactly(name, article):
    assert [s.target for s in read_document(HOSTILE / name).segments] == paragraphs(article)


@pytest.mark.parametrize("name, target", [("utf16.xlf", "Strike – grève"), ("latin1.xlf", "Strike à Genève")])
def test_xml_declared_encodings(name, target):
    assert [s.target for s in read_document(HOSTILE / name).segments] == [target]


def _bytes(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


@pytest.mark.parametrize("name, expected", [
    ("binary.txt", "looks like a binary file, not text (NUL byte at byte 8)"),
    ("binary_controls.txt", "looks like a binary file, not text (control character U+0001 at character 0)"),
    ("truncated_utf8.txt", f"truncated UTF-8 at byte {len(_bytes('truncated_utf8.txt')) - 1}"),
    ("corrupt_utf8.txt", f"invalid UTF-8 at byte {_bytes('corrupt_utf8.txt').index(0xff)}"),
    ("bomb.xlf", "declares XML entities in a <!DOCTYPE>; refused"),
    ("bomb_utf16.xlf", "declares XML entities in a <!DOCTYPE>; refused"),
    ("xxe_file.xlf", "declares XML entities in a <!DOCTYPE>; refused"),
    ("xxe_http.xlf", "declares XML entities in a <!DOCTYPE>; refused"),
    ("xxe_parameter.tmx", "declares XML entities in a <!DOCTYPE>; refused"),
    ("malformed.xlf", ":line 4, column 72: malformed XML: Opening and ending tag mismatch"),
    ("not_xliff.xlf", "not an XLIFF file: the root element is <html>"),
])
def test_broken_files_refused_in_one_line(name, expected):
    path = HOSTILE / name
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path)) and "\n" not in message
    assert time.monotonic() - started < 5, "refusing a hostile file must be quick"


def test_secrets_never_leak_into_segments():
    for name in ("xxe_file.xlf", "bomb.xlf"):
        with pytest.raises(InputError):
            read_document(HOSTILE / name)


def test_entities_declared_after_the_screened_head_are_still_refused(tmp_path):
    # a long comment pushes the DOCTYPE past the byte screen: the parsed document's DTD is checked too
    path = tmp_path / "padded.xlf"
    path.write_text('<?xml version="1.0"?>\n<!--' + "x" * 100_000 + '-->\n<!DOCTYPE xliff [ <!ENTITY a "aaaa"> '
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"> ]>\n<xliff version="1.2" '
                    'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" datatype="x" '
                    'source-language="en"><body><trans-unit id="1"><source>a</source><target>&b;</target>'
                    '</trans-unit></body></file></xliff>', encoding="utf-8")
    with pytest.raises(InputError, match="declares XML entities"):
        read_document(path)


class _Listener:
    """A local TCP port that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("doctype, refused", [
    ('<!DOCTYPE xliff [ <!ENTITY remote SYSTEM "http://127.0.0.1:{port}/e"> ]>', True),
    ('<!DOCTYPE xliff [ <!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p; ]>', True),
    ('<!DOCTYPE xliff SYSTEM "http://127.0.0.1:{port}/xliff.dtd">', False),
])
def test_nothing_is_fetched(tmp_path, doctype, refused):
    listener = _Listener()
    try:
        path = tmp_path / "remote.xlf"
        path.write_text('<?xml version="1.0"?>\n' + doctype.format(port=listener.port) + '\n<xliff version="1.2" '
                        'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" datatype="x" '
                        'source-language="en"><body><trans-unit id="1"><source>a</source><target>Safe.</target>'
                        '</trans-unit></body></file></xliff>', encoding="utf-8")
        if refused:
            with pytest.raises(InputError, match="declares XML entities"):
                read_document(path)
        else:
            assert [s.target for s in read_document(path).segments] == ["Safe."]
        time.sleep(0.3)
        assert listener.connections == 0, "the reader must never open a network connection"
    finally:
        listener.close()


X12 = '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">{}</xliff>'


@pytest.mark.parametrize("name, content, outcome", [
    ("a.xlf", "<xliff/>", "not a usable XLIFF 1.2 file"),
    ("b.xlf", '<xliff version="2.0"/>', "not a usable XLIFF 2.0 file"),
    ("c.xlf", '<?xml version="1.0"?>', "malformed XML"),
    ("d.xlf", "\ufeff", "malformed XML"),
    ("e.xlf", X12.format('<file><body><trans-unit><target>No id, no source.</target></trans-unit></body></file>'),
     [("1", "No id, no source.")]),
    ("f.xlf", X12.format('<file><body><trans-unit id="7"><source>a</source><target><x id="1"/><ph id="2">{0}</ph>'
                         "</target></trans-unit></body></file>"), []),
    ("g.xlf", '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"><file id="f"><unit><segment>'
              "<source>a</source><target>No unit id.</target></segment></unit></file></xliff>", [("1", "No unit id.")]),
    ("h.xlf", '<xliff version="1.1" xmlns="urn:oasis:names:tc:xliff:document:1.1"><file><body><trans-unit id="1">'
              "<source>a</source><target>Version 1.1.</target></trans-unit></body></file></xliff>",
     [("1", "Version 1.1.")]),
    ("i.tmx", "<tmx/>", "holds no language other than the source"),
    ("j.po", 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=KOI8-Q\\n"\n\nmsgid "a"\nmsgstr "b"\n',
     "Unsupported charset: KOI8-Q"),
])
def test_odd_but_wellformed_files(tmp_path, name, content, outcome):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    if isinstance(outcome, str):
        with pytest.raises(InputError, match=re.escape(outcome)):
            read_document(path)
    else:
        assert [(s.id, s.target) for s in read_document(path).segments] == outcome


def test_deeply_nested_xml_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "deep.xlf"
    depth = 100_000
    path.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
                    'datatype="x" source-language="en"><body><trans-unit id="1"><source>a</source><target>'
                    + '<g id="1">' * depth + "deep" + "</g>" * depth + "</target></trans-unit></body></file></xliff>")
    with pytest.raises(InputError, match="malformed XML"):
        read_document(path)


def test_nested_inline_tags_within_limits(tmp_path):
    path = tmp_path / "nested.xlf"
    depth = 200
    path.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a" '
                    'datatype="x" source-language="en"><body><trans-unit id="1"><source>a</source><target>'
                    + '<g id="1">a ' * depth + "deep" + "</g>" * depth + "</target></trans-unit></body></file></xliff>")
    segment = read_document(path).segments[0]
    assert segment.target == "a " * depth + "deep"
    assert segment.markup_span(len(segment.target) - 4, len(segment.target))[0] == segment.markup.index("deep")


def test_deeply_nested_html(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<body>" + "<div><span>" * 20_000 + "Deep text." + "</span></div>" * 20_000 + "</body>")
    assert "Deep text." in [s.target for s in read_document(path).segments]


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        read_document("/nonexistent/folder/story.txt")


def test_directory(tmp_path):
    folder = tmp_path / "story.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        read_document(folder)


def test_symlink_loop(tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    with pytest.raises(InputError, match="cannot be read: Too many levels of symbolic links"):
        read_document(tmp_path / "a.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("Text.")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_document(path)


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 1 << 20)
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (300_000))
    with pytest.raises(InputError, match="over the 1 MiB limit"):
        read_document(path)


def test_empty_file_reported_by_the_pipeline():
    start_reader(AuditConfig(detectors=[]))
    doc = load_and_prepare(str(HOSTILE / "empty.txt"))
    assert "no text found" in doc.error


def test_long_single_line_refused_with_bounded_memory(tmp_path):
    """A 32 MB one-line file is no article: refused in one line, and reading it costs a small multiple of its size."""
    size = 32 << 20
    path = tmp_path / "one_line.txt"
    with path.open("wb") as fh:
        chunk = b"The port reopened after the strike and ships left the harbour on time " * 1000
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    script = ("import resource, sys; from mtaudit.readers import read_document; from mtaudit.core.errors import InputError\n"
              "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              "try:\n    read_document(sys.argv[1])\nexcept InputError as exc:\n    print(exc)\n"
              "print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout.splitlines()
    assert "paragraph 1 is 33,5" in out[0] and "over the 100,000-character limit for one segment" in out[0]
    before_kib, peak_kib = map(int, out[1].split())
    assert (peak_kib - before_kib) * 1024 < 4 * size, f"reading took {(peak_kib - before_kib) >> 10} MiB"


def test_long_record_skipped_rest_read(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "big", "target": "' + "word " * 30_000 + '"}\n{"id": "ok", "target": "Fine."}\n')
    doc = read_document(path)
    assert [s.id for s in doc.segments] == ["ok"]
    assert doc.warnings == ["segment 'big' is 149,999 characters long, over the 100,000-character limit for one "
                            "segment; skipped"]


@pytest.mark.parametrize("data", ["Text with a NUL \x00 inside.".encode("utf-16"), b"Plain\n\nthen \x00 one NUL"])
def test_nul_characters_refused(tmp_path, data):
    path = tmp_path / "nul.txt"
    path.write_bytes(data * 50)
    with pytest.raises(InputError, match="binary file"):
        read_document(path)
