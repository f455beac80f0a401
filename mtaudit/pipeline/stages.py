"""The stages of an audit before the model: find the files, read each one and prepare it (language pair, sentences,
rule detectors, reference metrics).

A reading process (a worker of the local engine's pool, a Ray task's process, or the driver itself) holds one
``Reader``: the configuration with its detectors and language pair, built once per process (``start_reader``) or lent by
the Auditor that reads in this process (``Auditor.serve_in_this_process``); ``load_and_prepare(path)`` then runs in
that process. Engines decide which processes read; this module never imports an engine.
"""
from __future__ import annotations

import fnmatch
import os
import stat
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, NamedTuple

from mtaudit.core.document import Document
from mtaudit.core.errors import InputError, MtauditError
from mtaudit.detectors import build_detectors
from mtaudit.detectors.base import Detector
from mtaudit.languages import Pair, parse_langs, resolve
from mtaudit.readers import read_document, read_source, supported_extensions
from mtaudit.readers.text import attach_source
from mtaudit.references import score_references
from mtaudit.segmenter import split_segment

if TYPE_CHECKING:
    from mtaudit.pipeline.config import AuditConfig


class Found(NamedTuple):
    """What ``discover`` found: the files to audit; the paths that do not exist, as failed Documents; and what the
    folders held that is not audited: files no reader claims (a count by extension), files ``--include`` or
    ``--exclude`` left out (a count), and files that are not regular files (path and what it is)."""

    files: list[str]
    missing: list[Document]
    unsupported: Counter
    filtered: int
    special: list[tuple[str, str]]


def discover(
    paths: Iterable[str],
    recursive: bool = True,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Found:
    """Expand files and folders into the files to audit, in a stable order.

    Files named explicitly are always audited; files found in folders only when a reader claims their extension,
    they pass ``include``/``exclude`` (globs matched against the path relative to the folder and the file name) and
    they are regular files: a named pipe, a socket or a device would block the reader forever. Symlinked folders are
    not followed, so a symlink loop cannot trap the walk. Paths that do not exist come back as failed Documents so
    they are reported with the rest.
    """
    include, exclude = list(include), list(exclude)
    extensions = supported_extensions()
    files: list[str] = []
    missing: list[Document] = []
    unsupported: Counter = Counter()
    filtered = 0
    special: list[tuple[str, str]] = []
    seen: set[str] = set()

    def wanted(rel: str) -> bool:
        name = os.path.basename(rel)
        if include and not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in include):
            return False
        return not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in exclude)

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for given in paths:
        if os.path.isdir(given):
            for root, dirs, names in os.walk(given, onerror=None, followlinks=False):
                dirs.sort()
                if not recursive:
                    dirs.clear()
                for name in sorted(names):
                    full = os.path.join(root, name)
                    if name.startswith("."):
                        continue
                    if not name.lower().endswith(extensions):
                        unsupported[os.path.splitext(name)[1].lower() or "(no extension)"] += 1
                    elif not wanted(os.path.relpath(full, given)):
                        filtered += 1
                    elif kind := special_kind(full):
                        special.append((full, kind))
                    else:
                        add(full)
        elif os.path.exists(given) or os.path.islink(given):
            add(given)
        else:
            missing.append(Document(path=given, error=f"{given}: no such file or folder"))
    return Found(files, missing, unsupported, filtered, special)


def special_kind(path: str) -> str | None:
    """What ``path`` is when it exists but is not a regular file (after symlinks), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # a broken link, no permission: reading it reports why
        return None
    if stat.S_ISREG(mode):
        return None
    return ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file")


def prepare(doc: Document, detectors: list[Detector], pair: Pair | None = None) -> Document:
    """Decide the language pair (``pair``: the one given with --langs), split sentences, run the detectors and the
    reference metrics on a read Document (no model, no risk yet)."""
    resolve(doc, pair)
    for segment in doc.segments:
        split_segment(segment, doc.target_lang)
    for detector in detectors:
        for sentence, finding in detector.detect(doc):
            sentence.findings.append(finding)
    score_references(doc)
    return doc


@dataclass
class Reader:
    """What a reading process needs to read and prepare a file: the configuration, its detectors and language pair."""

    config: AuditConfig
    detectors: list[Detector]
    pair: Pair | None

    @classmethod
    def of(cls, config: AuditConfig) -> Reader:
        return cls(config, build_detectors(config.detector_names, config.detector_options),
                   parse_langs(config.langs) if config.langs else None)

    def load_and_prepare(self, path: str) -> Document:
        """Read ``path`` and prepare it; a file that cannot be read comes back as a Document with its ``error``."""
        config = self.config
        try:
            doc = read_document(path, config.fmt, display=path)
            if config.source:
                attach_source(doc, read_source(config.source, config.fmt))
            if not doc.segments:
                raise InputError(path, "no text found", hint="the file is empty or holds no translatable text")
            return prepare(doc, self.detectors, self.pair)
        except MtauditError as exc:
            return Document(path=path, error=str(exc))
        except RecursionError:
            return Document(path=path, error=f"{path}: structure nested too deeply to read")
        except Exception as exc:  # a bug must not lose the other 999 files; it is reported, and --debug re-raises
            if config.debug:
                raise
            return Document(path=path, error=f"{path}: internal error {type(exc).__name__}: {exc} "
                                             "(re-run with --debug and report it)")


# This process's Reader: one per process, set where the process starts reading (a pool's initializer, a Ray task).
_PROCESS: dict[str, Reader] = {}


def start_reader(config: AuditConfig) -> None:
    """Make this process a reading process for ``config`` (its detectors built now, once)."""
    _PROCESS["reader"] = Reader.of(config)


def serve(reader: Reader) -> None:
    """Let this process read with ``reader`` (an Auditor lends its detectors instead of a second set being built)."""
    _PROCESS["reader"] = reader


def load_and_prepare(path: str) -> Document:
    """Read and prepare ``path`` with this process's Reader (``start_reader`` or ``serve`` first)."""
    return _PROCESS["reader"].load_and_prepare(path)
