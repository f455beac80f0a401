"""The self-contained HTML review report, rendered from the plain report object with Jinja2 (autoescaping on).

The page is one file a reviewer can receive by e-mail: the stylesheet and script are inlined from ``templates/``
and allowed by hash in a Content-Security-Policy that forbids every network request. The overview (signature,
counts, charts, documents table, failed files) is rendered by Jinja; the review queue and the document view are
rendered by the script from the sentences embedded once as JSON, so 5,000 sentences cost one copy of their text.

Embedded data (``<script type="application/json" id="mtaudit-data">``), version 1::

    {"v": 1, "run": <run record>, "summary": {...},
     "docs": [{"path", "risk", "sentences", "findings", "error", "format", "segments", "dismissed", "warnings",
               "langs"}],
     "bands": [0, 1.5, 5],   # risk colour bands
     "sevs": ["critical", "major", "minor"], "cats": [category, ...], "dets": [detector, ...],
     "segs": [{segment id: [source, reference]}, ...]   # per document, only segments that have either
     "review": {"columns", "system", "cats", "sevs", "none", "nontrans"}   # what a reviewer can mark on any
                                                                          # sentence (mtaudit.review.judgements)
     "rows": [[doc index, segment id, sentence index, text, risk, sentence sha256 or "", findings, glued,
               estimator, segment risk], ...]}   # estimator: the trained estimator's part of the risk, or null;
                                                 # segment risk: the sum of its sentences' risks, only where the
                                                 # segment (a paragraph) has two or more sentences, else null

    finding: [start, end, severity index, category index, detector index, message, suggestion, confidence, occurrence,
              decision, note]   # decision ("dismiss", "confirm" or null) and note: only where --decisions gave one

The page also keeps a reviewer's *judgements* (an MQM error marked on any sentence, or "reviewed, no error") in local
storage and exports them as Google's MQM error-row TSV; ``review`` is what it offers and the columns it writes
(``mtaudit.review.judgements``, where the export's columns are described). A sentence's seg_id there is its 1-based
place among its document's rows, which is why the rows must stay in reading order.

Rows are in reading order; ``glued`` is 1 when a sentence starts right where the previous one ended (no space to put
back between them in the document view). A sentence's findings include those a reviewer dismissed (the records'
``dismissed``), so that the page can show them and undo the dismissal; they count in the occurrences of the others,
as the decisions file counts them. The sentence hash is only given to sentences with findings. Finding
offsets are UTF-16 code units (what JavaScript strings index), converted here from the records' code-point offsets
so a sentence with an emoji or a rare CJK character still highlights the right span.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mtaudit.review.identity import occurrences, sentence_sha256
from mtaudit.review.judgements import review_typology
from mtaudit.core.outputs import write_atomic

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITIES = ("critical", "major", "minor")
# Risk colour bands on the MQM penalty scale risk approximates: above 0, a minor error (1) or so, a major one (5) up.
RISK_BANDS = (0.0, 1.5, 5.0)
DATA_VERSION = 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["json_script"] = json_for_script
    env.filters["risk"] = lambda v: "–" if v is None else f"{float(v):.2f}"
    env.filters["risk_band"] = risk_band
    env.filters["pair"] = pair_label
    env.filters["thousands"] = lambda v: f"{int(v):,}"
    return env


def json_for_script(value) -> Markup:
    """JSON safe to embed in a <script> element: no sequence in article text can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # a lone surrogate (from a "\ud800" escape in a JSON input) cannot be written as UTF-8; as an escape it can
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return Markup(text)


def risk_band(value) -> str:
    value = _finite(value)
    if value <= RISK_BANDS[0]:
        return "r0"
    return "r1" if value < RISK_BANDS[1] else "r2" if value < RISK_BANDS[2] else "r3"


def _inline_asset(name: str, closing: str) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    # the asset is inserted raw; it must not be able to end its own element early or change how it is parsed
    for bad in (closing, "<!--"):
        if bad in text.lower():
            raise ValueError(f"templates/{name} contains {bad}, which would break the inline element")
    return text


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _utf16_offsets(text: str, offsets: list[int]) -> list[int]:
    if all(ord(c) < 0x10000 for c in text):
        return offsets
    # surrogatepass: a lone surrogate (broken input) is still one UTF-16 unit, as the browser counts it
    return [len(text[:i].encode("utf-16-le", "surrogatepass")) // 2 for i in offsets]


def _finite(value, default=0.0) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _json_safe(value):
    """The value with non-finite floats as None: JSON has no NaN, and one in a run option must not break the page."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def page_data(report: dict) -> dict:
    """The compact data the page's script renders from (see the module docstring)."""
    categories: dict[str, int] = {}
    detectors: dict[str, int] = {}
    docs, segs, rows = [], [], []
    for d_index, doc in enumerate(report["documents"]):
        docs.append({
            "path": doc["doc"], "risk": _finite(doc.get("risk")), "sentences": len(doc["sentences"]),
            "findings": doc.get("findings", 0), "error": doc.get("error"), "format": doc.get("format", ""),
            "segments": doc.get("segments", 0), "dismissed": doc.get("dismissed", 0),
            "warnings": list(doc.get("warnings") or []), "langs": pair_label(doc),
        })
        seg_texts: dict[str, list] = {}
        previous = None
        per_segment = Counter(str(s["segment"]) for s in doc["sentences"])
        for s in doc["sentences"]:
            segment = str(s["segment"])
            if s.get("source") or s.get("reference"):
                seg_texts.setdefault(segment, [s.get("source"), s.get("reference")])
            text = s["text"]
            found = sorted(s["findings"] + s.get("dismissed", []), key=lambda f: (f["start"], f["end"]))
            occ = occurrences(text, found)
            out = []
            for f, n in zip(found, occ):
                start, end = _utf16_offsets(text, [f["start"], f["end"]])
                out.append([
                    start, end, SEVERITIES.index(f["severity"]),
                    categories.setdefault(f["category"], len(categories)),
                    detectors.setdefault(f["detector"], len(detectors)),
                    f["message"], f.get("suggestion") or None, round(_finite(f.get("confidence"), 1.0), 3), n,
                ])
                if f.get("decision") or f.get("note"):
                    out[-1] += [f.get("decision"), f.get("note")]
            # 1 when the sentence follows the previous one with no space between (the splitter cut inside a word)
            glued = int(previous is not None and previous["segment"] == s["segment"]
                        and s.get("start") is not None and previous.get("end") == s["start"])
            previous = s
            estimator = s.get("estimator")
            segment_risk = s.get("segment_risk") if per_segment[segment] > 1 else None
            rows.append([d_index, segment, s["sentence"], text, _finite(s.get("risk")),
                         sentence_sha256(text) if out else "", out, glued,
                         None if estimator is None else round(_finite(estimator), 4),
                         None if segment_risk is None else _finite(segment_risk)])
        segs.append(seg_texts)
    return {"v": DATA_VERSION, "run": _json_safe(report["run"]), "summary": report["summary"], "docs": docs,
            "bands": list(RISK_BANDS), "sevs": list(SEVERITIES), "cats": list(categories), "dets": list(detectors),
            "segs": segs, "rows": rows, "review": review_typology()}


def _nice_step(span: float, bins: int) -> float:
    raw = span / bins
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def risk_histogram(report: dict, bins: int = 12) -> dict:
    """Sentence counts per risk band for the overview chart; sentences at risk 0 are counted apart."""
    risks = [_finite(s.get("risk")) for d in report["documents"] for s in d["sentences"]]
    positive = [r for r in risks if r > 0]
    if not positive:
        return {"zero": len(risks), "bins": [], "max": 0}
    step = _nice_step(max(positive), bins)
    count = max(1, math.ceil(max(positive) / step))
    counts = [0] * count
    for r in positive:
        counts[min(count - 1, math.ceil(r / step) - 1)] += 1
    out = [{"lo": round(i * step, 6), "hi": round((i + 1) * step, 6), "count": c} for i, c in enumerate(counts)]
    return {"zero": len(risks) - len(positive), "bins": out, "max": max(counts)}


def category_chart(report: dict) -> dict:
    """Findings per MQM category, split by severity, most frequent category first."""
    table: dict[str, dict[str, int]] = {}
    for d in report["documents"]:
        for s in d["sentences"]:
            for f in s["findings"]:
                row = table.setdefault(f["category"], {sev: 0 for sev in SEVERITIES})
                row[f["severity"]] = row.get(f["severity"], 0) + 1
    rows = [{"category": c, "label": _short_category(c), "counts": v, "total": sum(v.values())}
            for c, v in table.items()]
    rows.sort(key=lambda r: (-r["total"], r["category"]))
    return {"rows": rows, "max": max((r["total"] for r in rows), default=0)}


def _short_category(category: str, width: int = 36) -> str:
    """A chart label: the MQM path without its leading parts when it is too long ("…/Mistranslation/Attribution")."""
    parts = category.split("/")
    label = category
    while len(label) > width and len(parts) > 1:
        parts = parts[1:]
        label = "…/" + "/".join(parts)
    return label if len(label) <= width else label[:width - 1] + "…"


def pair_label(doc: dict) -> str:
    """A document's language pair as the report shows it: "en→de", or "en without source" for an article audited
    without its source (its source language is unknown; the target's default pair chose its risk model)."""
    if not doc.get("target_lang"):
        return ""
    if not doc.get("source_lang"):
        return f"{doc['target_lang']} without source"
    return f"{doc['source_lang']}→{doc['target_lang']}"


@lru_cache(maxsize=1)
def _risk_model_pairs() -> dict[str, str]:
    """The risk models mtaudit ships, by name, each with the language pair it was fitted for
    ({"zhen-gemma3-estimator": "zh→en", ...}): the report names a model by its pair, its name only on hover."""
    from mtaudit.core.errors import UsageError
    from mtaudit.core.resources import models_dir
    from mtaudit.languages import pairs
    from mtaudit.risk import RiskModel

    out: dict[str, str] = {}
    for pair in pairs().values():
        if pair.generic:
            continue
        try:
            out.setdefault(RiskModel.load(models_dir() / pair.risk_model).name, f"{pair.source}→{pair.target}")
        except UsageError:  # a damaged installation: the report then shows the model's name
            continue
    return out


def risk_model_lines(report: dict) -> list[dict]:
    """The risk models that scored the documents, as the overview names them: the pair each was fitted for (or its
    name, for a model mtaudit does not ship), its name, and how many documents it scored; most documents first."""
    known = _risk_model_pairs()
    counts = _count(d["risk_model"] for d in report["documents"] if d.get("risk_model") and not d.get("error"))
    return [{"label": f"{known[name]} model" if name in known else name, "name": name, "documents": n}
            for name, n in counts.items()]


def render_html(report: dict) -> str:
    css = _inline_asset("report.css", "</style")
    js = _inline_asset("report.js", "</script")
    csp = ("default-src 'none'; "
           f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    run = report["run"]
    doc_table = [{**d, "index": i, "sentences": len(d["sentences"])}
                 for i, d in enumerate(report["documents"]) if not d.get("error")]
    doc_table.sort(key=lambda d: -_finite(d.get("risk")))
    page = _environment().get_template("report.html.j2").render(
        report=report, run=run, doc_table=doc_table, summary=report["summary"], documents=report["documents"],
        failed=[d for d in report["documents"] if d.get("error")],
        warned=[d for d in report["documents"] if d.get("warnings") and not d.get("error")],
        histogram=risk_histogram(report), categories=category_chart(report),
        data=page_data(report), css=Markup(css), js=Markup(js), csp=csp,
        sentences_with_findings=sum(1 for d in report["documents"] for s in d["sentences"] if s["findings"]),
        # what the queue opens on: the sentences with findings, dismissed ones included (shown, to be undone)
        queue_sentences=sum(1 for d in report["documents"] for s in d["sentences"]
                            if s["findings"] or s.get("dismissed")),
        language_pairs=_count(pair_label(d) for d in report["documents"] if not d.get("error") and pair_label(d)),
        risk_models=[] if (run.get("options") or {}).get("risk_model") else risk_model_lines(report),
    )
    # lone surrogates in text Jinja rendered (a document name, an error) become U+FFFD so the page can be saved
    return _SURROGATE.sub("\ufffd", page)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def write_html(report: dict, path: str | Path) -> None:
    write_atomic(path, render_html(report))
