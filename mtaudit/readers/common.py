"""Small helpers shared by several readers."""
from __future__ import annotations

from mtaudit.core.document import Document, Segment
from mtaudit.core.text import plural  # noqa: F401  (the readers' warnings count with it)
from mtaudit.readers import base


def add_segment(doc: Document, seen: dict[str, int], segment: Segment) -> None:
    """Append ``segment`` keeping ids unique: a repeated id gets ``#2``, ``#3``... and a warning.

    A segment over the length limit is skipped with a warning: one runaway unit must not sink the file.
    """
    problem = base.too_long(len(segment.target))
    if problem:
        doc.warnings.append(f"segment {segment.id!r} is {problem}; skipped")
        return
    if segment.id in seen:
        seen[segment.id] += 1
        new_id = f"{segment.id}#{seen[segment.id]}"
        doc.warnings.append(f"segment id {segment.id!r} occurs more than once; this one is reported as {new_id!r}")
        segment.id = new_id
    seen.setdefault(segment.id, 1)
    doc.segments.append(segment)
