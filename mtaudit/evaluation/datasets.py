"""The MQM files of one ``eval`` or ``calibrate`` run, audited (or read back from the features cache) into one
``AuditedSet`` that keeps each file's segments apart as a dataset, and the risk model of their language pair.

With a features cache, a file's audit stored there with the same file, systems, detectors, model and code is reused,
and a fresh audit is added there (the cache holds one entry per MQM file): one model run serves many eval and
calibrate runs. What the user should see goes to ``say(kind, text)`` (``warning`` or ``info``), the progress over a
file's documents to ``progress(total)``, as in ``mtaudit.app.run``.
"""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Callable, ContextManager

from mtaudit.core.errors import ModelError, UsageError
from mtaudit.evaluation.calibrate import file_sha256
from mtaudit.evaluation.features import AuditedSet, audit_mqm, cache_key, load_audited, save_audited
from mtaudit.evaluation.mqm import MqmSet, language_pair, read_mqm
from mtaudit.pipeline import AuditConfig
from mtaudit.pipeline.config import check_adequacy, model_name, split_list
from mtaudit.risk import RiskModel


def _silent(kind: str, text: str) -> None:
    pass


def _no_progress(total: int) -> ContextManager[Callable[..., None]]:
    return nullcontext(lambda sentences=0, failed=False: None)


def audit_mqm_files(mqms: list[Path], langs: str | None = None, detectors: str | None = None, no_model: bool = False,
                    model: str | None = None, device: str | None = None, risk_model: Path | None = None,
                    debug: bool = False, systems: str | None = None, features_cache: Path | None = None,
                    adequacy: bool = False, reverse_everywhere: bool = False,
                    say: Callable[[str, str], None] = _silent,
                    progress: Callable[[int], ContextManager] = _no_progress) -> AuditedSet:
    """Read MQM files and audit each; ``systems``: only these comma-separated systems (whole documents kept);
    ``adequacy``: with the reverse pass (``audit --adequacy``: where the risk model weighs it; on every document with
    ``reverse_everywhere``, as ``calibrate`` needs)."""
    check_adequacy(adequacy, no_model)
    sets = [read_mqm(mqm, langs) for mqm in mqms]
    wanted = split_list(systems)
    if wanted:
        known = {g.system for s in sets for g in s.segments}
        unknown = sorted(set(wanted) - known)
        if unknown:
            raise UsageError(f"--systems: no system {', '.join(unknown)} in {', '.join(map(str, mqms))}; "
                             f"systems: {', '.join(sorted(known))}")
        sets = [s.only_systems(sorted(set(wanted) & {g.system for g in s.segments})) for s in sets]
    names = [s.name for s in sets]
    if len(set(names)) < len(names):
        raise UsageError("--mqm: two files with the same name; their documents would mix (rename one)")
    parts = []
    for mqm, mqm_set in zip(mqms, sets):
        if mqm_set.unweighted:
            say("warning", f"{mqm}: severities the MQM scheme gives no weight (counted 0): "
                + ", ".join(f"{k} x{v}" for k, v in mqm_set.unweighted.items()))
        config = AuditConfig(detectors=split_list(detectors), model=model_name(no_model, model), device=device,
                             risk_model=str(risk_model) if risk_model else None, debug=debug, adequacy=adequacy,
                             reverse_everywhere=reverse_everywhere,
                             langs=f"{mqm_set.source_lang}-{mqm_set.target_lang}" if mqm_set.target_lang else None)
        parts.append(_audit_one(mqm, mqm_set, config, wanted, features_cache, say, progress))
    try:
        return AuditedSet.combine(parts)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _audit_one(mqm: Path, mqm_set: MqmSet, config: AuditConfig, systems: list[str] | None,
               features_cache: Path | None, say: Callable[[str, str], None],
               progress: Callable[[int], ContextManager]) -> AuditedSet:
    key = None
    if features_cache is not None:
        key = cache_key(file_sha256(str(mqm)), systems, config)
        cached = load_audited(features_cache, key)
        if cached is not None:
            say("info", f"{mqm}: {len(cached.gold)} segments, features read from {features_cache} "
                f"(model: {cached.model or 'none'})")
            return cached
    try:
        with progress(len({(g.system, g.doc) for g in mqm_set.segments})) as advance:
            audited = audit_mqm(mqm_set, config, progress=lambda n: [advance() for _ in range(n)])
    except ModelError as exc:
        raise UsageError(str(exc)) from None
    if key is not None:
        try:
            save_audited(features_cache, audited, key)
        except OSError as exc:
            raise UsageError(f"{features_cache}: cannot write the features cache: {exc.strerror or exc}") from None
    docs = len({(g.system, g.doc) for g in audited.gold})
    pair = f"{mqm_set.source_lang or '?'}->{mqm_set.target_lang or '?'}"
    say("info", f"{mqm}: {mqm_set.rows} rows, {len(audited.gold)} segments in {docs} documents ({pair}); "
        f"audit {audited.seconds['audit']:.1f} s (model load {audited.seconds['load']:.1f} s), "
        f"model: {config.model or 'none'}")
    return audited


def pair_risk_model(mqms: list[Path], langs: str | None) -> RiskModel:
    """The risk model of the MQM files' language pair (from --langs or their names); one pair per eval run."""
    found = {pair for pair in (language_pair(m, langs) for m in mqms) if pair[1]}  # files naming no pair: any
    if not found:
        return RiskModel.load()
    if len(found) > 1:
        raise UsageError("--mqm files of different language pairs ("
                         + ", ".join(f"{s}-{t}" for s, t in sorted(found, key=str)) + "): evaluate one pair at a time "
                         "or give --risk-model")
    return RiskModel.for_pair(*found.pop())


def in_sample(risk: RiskModel, mqms: list[Path]) -> list[Path]:
    """The MQM files the risk model was fitted on (its figures on them are in-sample and flatter it)."""
    trained = risk.trained_on or {}
    fitted_on = {f["sha256"] for f in trained.get("files", [])} | ({trained["sha256"]} if "sha256" in trained
                                                                    else set())
    return [path for path in mqms if fitted_on and file_sha256(str(path)) in fitted_on]
