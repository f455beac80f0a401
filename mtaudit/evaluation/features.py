"""Audit an MQM set and turn each segment's sentences into one feature row.

MQM gold is per segment and a segment may hold several sentences, so sentence features (``risk.sentence_features``)
are aggregated to the segment:

- counts add up: ``findings_*``, ``detector_*`` and any ``*_sum``, ``*_tokens`` or ``*_words`` score (``length_words``
  among them);
- ``log_length`` is recomputed from the segment's word count;
- a ``X_mean`` score with ``X_sum`` and ``X_tokens`` (or ``X_words``) beside it becomes the weighted mean
  ``sum / tokens``;
- ``*_max`` and ``*_min`` scores (e.g. the model's ``lm_word_z_max``) keep the segment's extreme;
- every other feature (``fluency``, reference scores, ...) is the mean over the sentences that have it.

A one-sentence segment keeps its sentence's features unchanged, so a risk model fitted on segments applies to the
sentences ``mtaudit audit`` scores. Whatever features the run produced are used: detectors added to ``DETECTORS`` and
model scores appear as new columns without changes here.
"""
from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from mtaudit.pipeline import AuditConfig, Auditor
from mtaudit.core.document import Segment
from mtaudit.evaluation.mqm import GoldSegment, MqmSet
from mtaudit.core.resources import models_dir
from mtaudit.risk import sentence_features

_SUMMED_PREFIXES = ("findings_", "detector_")
_SUMMED_SUFFIXES = ("_sum", "_tokens", "_words")


def is_count(name: str) -> bool:
    return name.startswith(_SUMMED_PREFIXES) or name.endswith(_SUMMED_SUFFIXES)


def combine_rows(rows: list[dict[str, float]]) -> dict[str, float]:
    """Sentence feature rows as one row, by the module docstring's rules (``log_length`` left to the caller)."""
    feats: dict[str, float] = {}
    seen: dict[str, list[float]] = {}
    for row in rows:
        for name, value in row.items():
            seen.setdefault(name, []).append(value)
    for name, values in seen.items():
        if is_count(name):
            feats[name] = float(sum(values))
        elif name.endswith("_max"):
            feats[name] = max(values)
        elif name.endswith("_min"):
            feats[name] = min(values)
        elif name != "log_length":
            feats[name] = sum(values) / len(values)
    for name in list(feats):
        if name.endswith("_mean"):
            stem = name[: -len("_mean")]
            tokens = feats.get(stem + "_tokens") or feats.get(stem + "_words")
            if stem + "_sum" in feats and tokens:
                feats[name] = feats[stem + "_sum"] / tokens
    return feats


def segment_features(segment: Segment, rows: list[dict[str, float]] | None = None) -> dict[str, float]:
    """One feature row for a segment from its sentences' features (see the module docstring for the rules);
    ``rows``: those features when the caller has them already."""
    rows = [sentence_features(s) for s in segment.sentences] if rows is None else rows
    feats = combine_rows(rows)
    words = float(sum(r.get("length_words", 0.0) for r in rows)) if rows else float(len(segment.target.split()))
    feats.setdefault("findings_minor", 0.0)
    feats.setdefault("findings_major", 0.0)
    feats.setdefault("findings_critical", 0.0)
    feats["length_words"] = words
    feats["log_length"] = math.log1p(words)
    return feats


@dataclass
class AuditedSet:
    """Gold segments aligned with their audited segments and feature rows, plus how long each stage took."""

    gold: list[GoldSegment]
    segments: list[Segment]  # empty when the set was read back from a features cache
    features: list[dict[str, float]]
    detectors: list[str]
    model: str | None
    seconds: dict[str, float] = field(default_factory=dict)
    # per segment, each finding as (detector, start, end) in segment-target offsets: what eval's detector table needs
    findings: list[list[tuple[str, int, int]]] = field(default_factory=list)
    # per segment, its sentences' feature rows (``risk.sentence_features``): a segment's risk is the sum of its
    # sentences' (``risk.segment_risk``); empty for a set made without them (then ``features`` stands in)
    sentences: list[list[dict[str, float]]] = field(default_factory=list)

    def sentence_rows(self, index: list[int] | None = None, transform: Callable[[dict], dict] | None = None
                      ) -> tuple[list[dict[str, float]], list[int]]:
        """The sentence rows of the segments ``index`` (default all), flattened, and for each the position of its
        segment in ``index``: what ``calibrate.fit_risk_model(..., groups=)`` fits. A segment without sentence rows
        (no sentence of it was split, or the set has none) stands for itself with its segment row."""
        index = range(len(self.gold)) if index is None else index
        rows, groups = [], []
        for position, i in enumerate(index):
            own = self.segment_rows(i, transform)
            rows += own
            groups += [position] * len(own)
        return rows, groups

    def segment_rows(self, i: int, transform: Callable[[dict], dict] | None = None) -> list[dict[str, float]]:
        """The rows whose risks add up to segment ``i``'s: its sentences', else its own; each changed by
        ``transform`` when given."""
        rows = self.sentences[i] if self.sentences and self.sentences[i] else [self.features[i]]
        return [transform(row) for row in rows] if transform else rows

    @property
    def datasets(self) -> list[str]:
        """The MQM files it holds (``GoldSegment.dataset``), in order."""
        return list(dict.fromkeys(g.dataset for g in self.gold))

    @classmethod
    def combine(cls, parts: list["AuditedSet"]) -> "AuditedSet":
        """Several MQM files' audits as one set (same detectors and model); their segments stay apart by dataset."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        for part in parts[1:]:
            if part.detectors != first.detectors or part.model != first.model:
                raise ValueError("MQM sets audited with different detectors or models cannot be combined")
        seconds: dict[str, float] = {}
        for part in parts:
            for stage, value in part.seconds.items():
                seconds[stage] = round(seconds.get(stage, 0.0) + value, 2)
        # a part read back from a features cache has no Segments: then the combined set has none either
        segments = [s for p in parts for s in p.segments] if all(p.segments for p in parts) else []
        sentences = [r for p in parts for r in p.sentences] if all(p.sentences for p in parts) else []
        return cls(gold=[g for p in parts for g in p.gold], segments=segments,
                   features=[f for p in parts for f in p.features], detectors=first.detectors, model=first.model,
                   seconds=seconds, findings=[f for p in parts for f in p.findings], sentences=sentences)


# Documents audited per call, so a long model run can report progress; large enough to fill the model's batches.
CHUNK_SEGMENTS = 1024


def audit_mqm(mqm: MqmSet, config: AuditConfig, scorer_factory=None,
              progress: Callable[[int], None] | None = None) -> AuditedSet:
    """Audit every (system, doc) of ``mqm`` as one Document and align segments with their gold.

    ``progress(n)`` is called after each chunk with the number of documents it finished.
    """
    started = time.perf_counter()
    auditor = Auditor(config, scorer_factory=scorer_factory)
    loaded = time.perf_counter()
    pairs = mqm.documents()
    docs = []
    chunk: list = []
    for doc, _ in pairs + [(None, None)]:
        if doc is not None:
            chunk.append(doc)
        if chunk and (doc is None or sum(len(d.segments) for d in chunk) >= CHUNK_SEGMENTS):
            docs.extend(auditor.audit_documents(chunk))
            if progress:
                progress(len(chunk))
            chunk = []
    audited = time.perf_counter()
    gold: list[GoldSegment] = []
    segments: list[Segment] = []
    for doc, (_, golds) in zip(docs, pairs):
        if doc.error:  # in-memory documents do not fail to read; a failure here is a bug worth seeing
            raise RuntimeError(f"{doc.path}: {doc.error}")
        gold.extend(golds)
        segments.extend(doc.segments)
    sentences = [[sentence_features(sentence) for sentence in s.sentences] for s in segments]
    features = [segment_features(s, rows) for s, rows in zip(segments, sentences)]
    findings = [[(f.detector, sentence.start + f.start, sentence.start + f.end)
                 for sentence in s.sentences for f in sentence.findings] for s in segments]
    done = time.perf_counter()
    return AuditedSet(
        gold=gold, segments=segments, features=features, detectors=[d.name for d in auditor.detectors],
        model=config.model, findings=findings, sentences=sentences,
        seconds={"load": round(loaded - started, 2), "audit": round(audited - loaded, 2),
                 "features": round(done - audited, 2)},
    )


# ---- the features cache: one model run over an MQM file serves any number of eval/calibrate runs -------------------
CACHE_FORMAT = 4  # 4: each segment's sentence rows


# What decides a segment's features: the document model, segmentation, detectors and their data, the model scorer,
# the feature rules and the MQM reader; plus the model pins and surprisal norms in mtaudit/models/. Report and CLI code is
# left out, so editing those does not throw a long model run away.
FEATURE_CODE = ("core", "segmenter.py", "pipeline", "risk.py", "references.py", "detectors", "fluency",
                "languages", "evaluation/features.py", "evaluation/mqm.py")


def code_fingerprint() -> str:
    """SHA-256 over the code and data that decide the features (``FEATURE_CODE``, model pins, norms): a cache made
    before any of them changed is not reused."""
    package = Path(__file__).resolve().parents[1]
    files: list[Path] = []
    for name in FEATURE_CODE:
        path = package / name
        files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
    models = models_dir()
    if models.is_dir():
        files += sorted(p for p in models.glob("*.json") if p.name == "models.json" or p.name.startswith("norms"))
    digest = hashlib.sha256()
    for path in files:
        digest.update((str(path.relative_to(package)) if path.is_relative_to(package) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(mqm_sha256: str, systems: list[str] | None, config: AuditConfig) -> dict:
    """What an audit of an MQM file depends on; a cache is reused only when every entry matches. JSON-normalised
    (tuples become lists), so that it compares equal to the key read back from a cache file."""
    key = {"format": CACHE_FORMAT, "mqm_sha256": mqm_sha256, "systems": sorted(systems) if systems else None,
           "detectors": config.detector_names, "detector_options": config.detector_options, "model": config.model,
           "langs": config.langs, "code": code_fingerprint()}
    if config.adequacy:  # a key without it stays what it was for caches made before the option existed
        key["adequacy"] = "everywhere" if config.reverse_everywhere else True
    return json.loads(json.dumps(key))


def save_audited(path: Path, audited: AuditedSet, key: dict) -> None:
    """Store ``audited`` in the cache file ``path`` under ``key``, beside the entries of other MQM files; an older
    entry for the same file (a stale key) is replaced, so the cache holds one entry per file."""
    from mtaudit.core.outputs import write_atomic

    entries = [e for e in _read_entries(path) if e["key"].get("mqm_sha256") != key["mqm_sha256"]]
    entries.append({"key": key, "detectors": audited.detectors, "model": audited.model, "seconds": audited.seconds,
                    "gold": [asdict(g) for g in audited.gold], "features": audited.features,
                    "findings": audited.findings, "sentences": audited.sentences})
    write_atomic(path, json.dumps({"format": CACHE_FORMAT, "entries": entries}, ensure_ascii=False) + "\n")


def _read_entries(path: Path) -> list[dict]:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(payload, dict) or payload.get("format") != CACHE_FORMAT:
        return []
    entries = payload.get("entries")
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("key"), dict)] \
        if isinstance(entries, list) else []


def load_audited(path: Path, key: dict) -> AuditedSet | None:
    """The cached audit in ``path`` made with ``key``; None when absent, unreadable or made otherwise."""
    for entry in _read_entries(path):
        if entry["key"] == key:
            return _audited_of(entry)
    return None


def load_cached_sets(path: Path) -> list[AuditedSet]:
    """Every audit a features cache holds, whatever its key, in the file's order (for research scripts that read
    caches other runs made; the file is parsed once). Unreadable entries are left out."""
    return [audited for audited in map(_audited_of, _read_entries(path)) if audited is not None]


def _audited_of(entry: dict) -> AuditedSet | None:
    """A cache entry as the AuditedSet it stores; None when it is malformed."""
    try:
        gold = []
        for g in entry["gold"]:
            g["spans"] = [tuple(span) for span in g["spans"]]
            gold.append(GoldSegment(**g))
        return AuditedSet(gold=gold, segments=[], features=entry["features"], detectors=entry["detectors"],
                          model=entry["model"], seconds=entry.get("seconds", {}),
                          findings=[[tuple(f) for f in row] for row in entry["findings"]],
                          sentences=entry.get("sentences", []))
    except (KeyError, TypeError, ValueError):
        return None
