"""What a reviewer can say of any sentence in the HTML report, and how the report exports it.

A *judgement* is an MQM error marked on a sentence (a span of its text, the whole of it, or a point where something
is missing; a category; a severity; a rater; optionally a note) or the mark "reviewed, no error". The report keeps
them in the browser and exports them as Google's error-row TSV (``COLUMNS``, one row per error, a ``No-error`` row
for a sentence reviewed clean), the layout ``mtaudit eval --mqm`` and ``mtaudit calibrate`` read
(``mtaudit.evaluation.mqm``). The columns, as the report writes them:

* system ``-``; doc: the document's path as in the JSONL results; doc_id: its 1-based position in the report;
* seg_id: the sentence's 1-based number within its document, counting its sentence records in reading order;
* rater: the reviewer's name; source: the segment's source text (empty without one);
* target: the sentence's text with the span between ``<v>`` and ``</v>`` (empty for an omission at a point);
* category and severity as chosen (``No-error`` twice for a clean sentence).

Fields are never quoted; tabs and line breaks inside a text become spaces.
"""
from __future__ import annotations

from mtaudit.core.document import Category

COLUMNS = ("system", "doc", "doc_id", "seg_id", "rater", "source", "target", "category", "severity")
SYSTEM = "-"
NO_ERROR = "No-error"
NON_TRANSLATION = "Non-translation!"

# The MQM categories a reviewer picks from: those the detectors report (``Category``) and the rest of the typology of
# Google's MQM campaigns, in the order the report lists them (its keys 1-9, 0, then letters follow this order).
CATEGORIES = (
    Category.MISTRANSLATION, Category.OMISSION, Category.ADDITION, Category.UNTRANSLATED,
    Category.GRAMMAR, Category.SPELLING, Category.PUNCTUATION, "Fluency/Register", Category.INCONSISTENCY,
    "Fluency/Character encoding", Category.AWKWARD, "Terminology/Inappropriate for context", Category.TERMINOLOGY,
    Category.LOCALE_NUMBER, Category.LOCALE_DATE, Category.LOCALE_NAME, "Locale convention/Currency format",
    "Locale convention/Time format", "Locale convention/Address format", Category.REPETITION, Category.CREDIT,
    NON_TRANSLATION, "Other", "Source error",
)
# Severities as Google's files spell them; a non-translation is written as Google's campaigns wrote it: the category
# Non-translation! over the whole sentence, severity Major (weighted 25 by the reader).
SEVERITIES = ("Minor", "Major", "Critical")


def review_typology() -> dict:
    """What the report's annotation panel offers, as primitives for its embedded data."""
    return {"columns": list(COLUMNS), "system": SYSTEM, "cats": list(CATEGORIES), "sevs": list(SEVERITIES),
            "none": NO_ERROR, "nontrans": NON_TRANSLATION}
