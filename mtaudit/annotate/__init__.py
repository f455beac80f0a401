"""Findings back where translators work: annotated copies of the CAT-tool files of a run (``audit --annotate``).

For every XLIFF (1.2, 2.0, sdlxliff, mqxliff), PO and TMX input, a copy under the output folder, at the input's path
relative to the folder argument it was found in (a file named directly: its name), in which each flagged unit carries
its findings as notes, its risk and, where the format has one, a review state. Copies are written from the scored
Documents (``Segment.unit`` says which unit a segment came from) and the input file's own bytes, parsed with
translate-toolkit as the readers parse them: the notes are spliced into those bytes, so a copy differs from its input
by the notes and review states alone; inputs are never written to. Other formats have no place for notes and are
counted, to be named once per run.

One module per format family, registered in ``ANNOTATORS`` by reader name.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Iterable

from mtaudit.annotate.base import Annotator, unit_notes
from mtaudit.annotate.po import PoAnnotator
from mtaudit.annotate.tmx import TmxAnnotator
from mtaudit.annotate.xliff import XliffAnnotator
from mtaudit.core.document import Document
from mtaudit.core.errors import MtauditError, UsageError
from mtaudit.core.outputs import refuse_overwriting_inputs, write_atomic
from mtaudit.readers.base import read_bytes

ANNOTATORS: dict[str, type[Annotator]] = {
    "xliff": XliffAnnotator,
    "sdlxliff": XliffAnnotator,
    "mqxliff": XliffAnnotator,
    "po": PoAnnotator,
    "tmx": TmxAnnotator,
}


def copy_paths(files: Iterable[str], given: Iterable[str], outdir: str | Path) -> dict[str, Path]:
    """Where each input's annotated copy goes: ``outdir`` / its path relative to the folder argument it was found
    in, or / its name when it was named directly. Two inputs that would share a copy, or a copy that would land on an
    input, are a UsageError."""
    outdir = Path(outdir)
    folders = [os.path.join(g, "") for g in given if os.path.isdir(g)]
    out: dict[str, Path] = {}
    owner: dict[str, str] = {}
    for path in files:
        folder = next((f for f in folders if path.startswith(f)), None)
        relative = os.path.relpath(path, folder) if folder else os.path.basename(path)
        copy = outdir / relative
        key = os.path.normcase(os.path.abspath(copy))
        if key in owner:
            raise UsageError(f"--annotate: {owner[key]} and {path} would both be copied to {copy}; annotate them in "
                             "separate runs or give their common folder instead")
        owner[key] = path
        out[path] = copy
    refuse_overwriting_inputs(out.values(), files)
    return out


class AnnotatedCopies:
    """Writes the annotated copy of each audited Document as it finishes (``write``) and remembers the inputs of
    formats that cannot be annotated (``skipped``)."""

    def __init__(self, copies: dict[str, Path], mark_fuzzy: bool = False):
        self.copies = copies
        self.annotators = {name: cls(mark_fuzzy=mark_fuzzy) for name, cls in ANNOTATORS.items()}
        self.skipped: Counter = Counter()
        self.written = 0

    def write(self, doc: Document) -> str | None:
        """Write ``doc``'s annotated copy; returns a one-line problem instead when it cannot be written."""
        if doc.error or doc.path not in self.copies:
            return None
        annotator = self.annotators.get(doc.format)
        if annotator is None:
            self.skipped[doc.format or "unknown"] += 1
            return None
        target = self.copies[doc.path]
        try:
            data = read_bytes(doc.path)
            write_atomic(target, annotator.annotate(data, unit_notes(doc), doc.path))
        except MtauditError as exc:
            return str(exc)
        except OSError as exc:
            return f"{target}: cannot write the annotated copy: {exc.strerror or exc}"
        self.written += 1
        return None

    def notice(self) -> str | None:
        """The once-per-run line about inputs that were not annotated."""
        if not self.skipped:
            return None
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.skipped.items()))
        total = sum(self.skipped.values())
        return (f"--annotate: {total} input{'s' if total != 1 else ''} not annotated ({kinds}): only XLIFF, "
                "sdlxliff, mqxliff, PO and TMX files have a place for notes")
