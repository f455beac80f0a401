"""MQM judgements in TSV -> gold segments and Documents. Two layouts, told apart by the header line:

* **error rows**, Google's TSV as published in google/wmt-mqm-human-evaluation: one row per marked error, or one
  ``No-error`` row for a segment its rater found clean. Columns: system, doc, doc_id, seg_id, rater, source, target,
  category, severity. The target (and, for omissions, the source) carries the marked span between ``<v>`` and
  ``</v>``.
* **segment scores** (``*.scores.tsv``): one row per translated segment with its penalty already computed. Columns:
  system, doc, seg_id, source, target, mqm_penalty, and optionally reference (a human reference translation, kept on
  the gold segment for building training data; never given to the audit, which is reference-free). There are no
  spans and no per-rater rows: a segment "has a Major error" when its penalty reaches a Major error's weight (5).

Fields are never quoted: a ``"`` is text, so files are read with ``csv.QUOTE_NONE``. Every gold segment records its
``dataset`` (the file's name without ``.tsv``), so several files combine into one set without their documents or
items mixing (``combine``).

A segment's gold penalty follows Google's published weighting (the same as their ``mqm_scores`` script): per rater
the sum over its rows of Major 5, Minor 1, Minor ``Fluency/Punctuation`` 0.1, ``Non-translation`` 25, anything else
(``No-error``, ``Neutral``) 0; then the mean over the segment's raters. Like that script, ``Source error`` rows are
weighted by their severity. ``Critical``, which Google's campaigns did not use but the report's reviewers can give
(mtaudit's own severities), weighs 10 as in ``mtaudit.core.document.Severity``.

Each error-row segment also keeps its rows as given (``GoldSegment.judgements``: rater, category, severity, span), so
that a review exported from the HTML report reads back without loss.
"""
from __future__ import annotations

import csv
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mtaudit.core.document import Document, Segment, Severity
from mtaudit.core.errors import InputError

COLUMNS = ("system", "doc", "doc_id", "seg_id", "rater", "source", "target", "category", "severity")
SCORE_COLUMNS = ("system", "doc", "seg_id", "source", "target", "mqm_penalty")
# In a segment-score file, a penalty of at least one Major error's weight counts as "has a Major error" (P@20%).
MAJOR_PENALTY = 5.0
_SPAN = re.compile(r"</?v>")
_NO_ERROR = "no-error"


def row_penalty(category: str, severity: str) -> float:
    """The MQM weight of one annotation row."""
    sev, cat = severity.strip().lower(), category.strip().lower()
    if sev == _NO_ERROR or cat == _NO_ERROR:
        return 0.0
    if cat.rstrip("!") == "non-translation":  # Google spells it "Non-translation!"
        return 25.0
    if sev == "critical":  # not in Google's scheme: mtaudit's own weight, as its critical findings carry
        return Severity.CRITICAL.weight
    if sev == "major":
        return 5.0
    if sev == "minor":
        return 0.1 if cat == "fluency/punctuation" else 1.0
    return 0.0  # Neutral, and severities the scheme does not weigh


def strip_spans(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove ``<v>``/``</v>`` markers; return the plain text and the marked spans in plain-text offsets."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    opened: int | None = None
    cursor = 0
    for match in _SPAN.finditer(marked):
        piece = marked[cursor:match.start()]
        plain.append(piece)
        length += len(piece)
        cursor = match.end()
        if match.group() == "<v>":
            opened = length
        elif opened is not None:
            spans.append((opened, length))
            opened = None
    piece = marked[cursor:]
    plain.append(piece)
    length += len(piece)
    if opened is not None:  # an unclosed marker runs to the end of the text
        spans.append((opened, length))
    return "".join(plain), spans


@dataclass(frozen=True)
class Judgement:
    """One row of an error-row file as its rater gave it; ``span`` is the marked span in target offsets (an empty one
    for an omission at a point), None when the row marks none (``No-error``, or a span marked in the source)."""

    rater: str
    category: str
    severity: str
    span: tuple[int, int] | None


@dataclass
class GoldSegment:
    """One translated segment with what its human raters said about it."""

    system: str
    doc: str
    seg_id: str
    source: str
    target: str
    line: int  # first line of the file that mentions it, for messages
    rater_penalty: dict[str, float] = field(default_factory=dict)
    has_major: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)  # marked error spans in ``target`` offsets
    dataset: str = ""  # the file it came from (name without .tsv): documents and items never mix across files
    reference: str = ""  # a human reference translation, when the file has one (not used by the audit)
    marks_spans: bool = True  # False for segment-score files: no spans were marked, so none can be missed
    judgements: list[Judgement] = field(default_factory=list)  # the error rows as given, in file order

    @property
    def penalty(self) -> float:
        return sum(self.rater_penalty.values()) / len(self.rater_penalty) if self.rater_penalty else 0.0

    @property
    def named_raters(self) -> dict[str, float]:
        """The penalty by rater where the file names its raters; empty for a segment-score file (one mean)."""
        return dict(self.rater_penalty) if self.marks_spans else {}

    @property
    def item(self) -> tuple[str, str, str]:
        """The source segment it translates: the same for every system's translation of it."""
        return self.dataset, self.doc, self.seg_id

    @property
    def document(self) -> tuple[str, str, str]:
        """The translated document it belongs to (one system's translation of one source document)."""
        return self.dataset, self.system, self.doc


@dataclass
class MqmSet:
    """The gold segments of an MQM file, grouped per (system, doc) in file order, segments in seg_id order."""

    path: str
    rows: int
    segments: list[GoldSegment]
    unweighted: Counter  # severities the scheme gives no weight, with their counts (reported, not fatal)
    source_lang: str | None = None
    target_lang: str | None = None
    layout: str = "errors"  # "errors" (Google's rows, with spans) or "scores" (one penalty per segment)

    @property
    def name(self) -> str:
        return dataset_name(self.path)

    def only_systems(self, systems: list[str]) -> "MqmSet":
        """The same set restricted to some systems (for a faster model run); unknown names are an error."""
        known = {g.system for g in self.segments}
        unknown = sorted(set(systems) - known)
        if unknown:
            raise InputError(self.path, f"no system {', '.join(unknown)}", hint=f"systems: {', '.join(sorted(known))}")
        keep = set(systems)
        return MqmSet(path=self.path, rows=self.rows, segments=[g for g in self.segments if g.system in keep],
                      unweighted=self.unweighted, source_lang=self.source_lang, target_lang=self.target_lang,
                      layout=self.layout)

    def documents(self) -> list[tuple[Document, list[GoldSegment]]]:
        """One Document per translated (system, doc), its segments in order with the source attached."""
        groups: dict[tuple[str, str], list[GoldSegment]] = {}
        for gold in self.segments:
            groups.setdefault((gold.system, gold.doc), []).append(gold)
        out = []
        for (system, doc), golds in groups.items():
            segments = [Segment(id=g.seg_id, target=g.target, source=g.source) for g in golds]
            out.append((Document(path=f"{system}/{doc}", segments=segments, format="mqm",
                                 source_lang=self.source_lang, target_lang=self.target_lang), golds))
        return out


# "mqm_ted_zhen.tsv", "mqm_newstest2020_ende.tsv", "wmt21_news_zhen.scores.tsv", "wmt23_news_ende_dev.tsv": the pair
# is a word of the name, run together or hyphenated, followed by nothing but tags such as "scores", "dev", "test"
_PAIR_WORD = re.compile(r"([a-z]{2})-?([a-z]{2})")
_NAME_TAGS = frozenset("scores dev test train valid devtest eval all".split())
# Google's WMT23 exports name each document with its pair: "news_aj-english.33941:en-de".
_PAIR_IN_DOC = re.compile(r":([a-z]{2})-([a-z]{2})$")
# Codes a file name must use for its pair to be trusted ("my_data.tsv" is not Danish to Tatar).
_LANG_CODES = frozenset("ar bn cs de en es et fi fr gu he hi hr is ja kk km ko lt lv pl ps pt ro ru sr sw ta tr uk "
                        "vi xh zh zu it nl".split())


def language_pair(path: str | Path, given: str | None = None, scan: bool = True) -> tuple[str | None, str | None]:
    """(source, target) language codes: from ``given`` ("zh-en"), else from a Google-style file name
    (``mqm_ted_zhen.tsv``, ``mqm_newstest2020_ende.tsv``, ``wmt23_news_ende_dev.tsv``), else (with ``scan``) from
    the file's ``doc`` column when every document names the same pair (``news_aj-english.33941:en-de``), else
    unknown. ``read_mqm`` reads the documents itself and passes ``scan=False``."""
    if given:
        parts = given.lower().replace("_", "-").split("-")
        if len(parts) != 2 or not all(parts):
            from mtaudit.core.errors import UsageError

            raise UsageError(f"--langs {given!r}: give source and target codes as SRC-TGT, e.g. zh-en")
        return parts[0], parts[1]
    name = Path(path).name.lower()
    words = re.split(r"[_.]", name[:-4] if name.endswith(".tsv") else name)
    while len(words) > 1 and words[-1] in _NAME_TAGS:
        words.pop()
    match = _PAIR_WORD.fullmatch(words[-1])
    if match and _known_pair(match.group(1), match.group(2)):
        return match.group(1), match.group(2)
    return _pair_in_doc_column(path) if scan else (None, None)


def _known_pair(source: str, target: str) -> bool:
    return source in _LANG_CODES and target in _LANG_CODES and source != target


def _pair_in_doc_column(path: str | Path) -> tuple[str | None, str | None]:
    """The pair every document of the file names at the end of its ``doc`` value, or (None, None)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = [h.strip().lower() for h in next(reader, [])]
            if "doc" not in header:
                return None, None
            column = header.index("doc")
            return pair_of_documents(row[column] for row in reader if len(row) > column)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None, None  # read_mqm reports what is wrong with the file


def pair_of_documents(docs) -> tuple[str | None, str | None]:
    """The pair every one of ``docs`` (``doc`` values) names at its end, or (None, None) when one names none or
    another pair."""
    found = None
    for doc in docs:
        match = _PAIR_IN_DOC.search(doc.strip().lower())
        pair = (match.group(1), match.group(2)) if match else None
        if pair is None or found is not None and pair != found:
            return None, None
        found = pair
    return found if found and _known_pair(*found) else (None, None)


def dataset_name(path: str | Path) -> str:
    """A file's dataset name: its name without ``.tsv`` (``wmt21_news_zhen.scores.tsv`` -> ``wmt21_news_zhen.scores``)."""
    name = Path(path).name
    return name[:-4] if name.lower().endswith(".tsv") else name


def _seg_order(seg_id: str):
    return (0, int(seg_id), "") if seg_id.isdigit() else (1, 0, seg_id)


def read_mqm(path: str | Path, langs: str | None = None) -> MqmSet:
    """Read an MQM TSV (either layout, told apart by its header) into gold segments. Raises InputError naming the
    line when the file is neither.

    ``langs`` ("zh-en") sets the documents' languages; by default they come from the file name when it has them.
    """
    source_lang, target_lang = language_pair(path, langs, scan=False)
    path = str(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # segments can be long; the default 128 KiB limit is not
    dataset = dataset_name(path)
    by_key: dict[tuple[str, str, str], GoldSegment] = {}
    unweighted: Counter = Counter()
    rows = 0
    layout = "errors"
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None:
                raise InputError(path, "empty file", hint="expected an MQM TSV with a header line")
            header = [h.strip().lower() for h in header]
            if "mqm_penalty" in header:
                layout, expected = "scores", SCORE_COLUMNS
            else:
                expected = COLUMNS
            missing = [c for c in expected if c not in header]
            if missing:
                raise InputError(path, f"no column {', '.join(missing)}", "line 1",
                                 hint="an MQM TSV has either the columns " + ", ".join(COLUMNS)
                                 + " (one row per error) or " + ", ".join(SCORE_COLUMNS) + " (one row per segment)")
            col = {c: header.index(c) for c in header}
            width = len(header)
            for number, row in enumerate(reader, start=2):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    raise InputError(path, f"{len(row)} tab-separated fields, the header has {width}",
                                     f"line {number}", hint="a field holds a tab or the line was cut")
                rows += 1
                get = lambda c: row[col[c]]  # noqa: E731
                target, spans = strip_spans(get("target"))
                source, _ = strip_spans(get("source"))
                key = (get("system"), get("doc"), get("seg_id").strip())
                gold = by_key.get(key)
                if gold is None:
                    gold = by_key[key] = GoldSegment(system=key[0], doc=key[1], seg_id=key[2], source=source,
                                                     target=target, line=number, dataset=dataset,
                                                     reference=get("reference") if "reference" in col else "",
                                                     marks_spans=layout == "errors")
                elif layout == "scores":
                    raise InputError(path, f"segment {key[2]} of {key[0]}/{key[1]} is scored twice "
                                     f"(first on line {gold.line})", f"line {number}")
                elif gold.target != target:
                    raise InputError(path, f"segment {key[2]} of {key[0]}/{key[1]} has a different target text "
                                     f"than on line {gold.line}", f"line {number}")
                if layout == "scores":
                    gold.rater_penalty["mean"] = _penalty(path, number, get("mqm_penalty"))
                    gold.has_major = gold.rater_penalty["mean"] >= MAJOR_PENALTY
                    continue
                category, severity = get("category"), get("severity")
                weight = row_penalty(category, severity)
                sev = severity.strip().lower()
                if sev not in ("critical", "major", "minor", "neutral", _NO_ERROR) and category.strip().lower() != _NO_ERROR:
                    unweighted[severity.strip()] += 1
                rater = get("rater")
                gold.judgements.append(Judgement(rater, category.strip(), severity.strip(), spans[0] if spans else None))
                gold.rater_penalty[rater] = gold.rater_penalty.get(rater, 0.0) + weight
                if sev == "major" or weight >= 5.0:
                    gold.has_major = True
                if sev != _NO_ERROR:
                    gold.spans.extend(s for s in spans if s not in gold.spans)
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if not by_key:
        raise InputError(path, "no annotation rows", hint="expected one row per marked error or No-error, or one "
                         "row per scored segment")
    order = {}
    for key in by_key:
        order.setdefault(key[:2], len(order))
    segments = sorted(by_key.values(), key=lambda g: (order[(g.system, g.doc)], _seg_order(g.seg_id)))
    if target_lang is None:
        source_lang, target_lang = pair_of_documents(doc for _, doc in order)
    return MqmSet(path=path, rows=rows, segments=segments, unweighted=unweighted, source_lang=source_lang,
                  target_lang=target_lang, layout=layout)


def _penalty(path: str, number: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InputError(path, f"mqm_penalty {text!r} is not a penalty", f"line {number}",
                         hint="a penalty is a number >= 0 (0 = no error, higher = worse)")
    return value
