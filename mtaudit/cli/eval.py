"""``mtaudit eval``: the review order against human MQM judgements, beside length and random baselines."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from mtaudit.cli.common import err, fail, progress_bar, sayer, write_json
from mtaudit.cli.options import MQM_HELP, DebugOpt, FeaturesCacheOpt, QuietOpt, mqm_audit_options
from mtaudit.core.errors import MtauditError


@mqm_audit_options
def eval_(
    mqm: List[Path] = typer.Option(..., "--mqm", help=MQM_HELP),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the figures as a JSON object to FILE."),
    risk_model: Optional[Path] = typer.Option(None, "--risk-model", help="Risk weights JSON to evaluate instead of "
                                              "the language pair's model shipped in the package."),
    results: Optional[Path] = typer.Argument(None, metavar="RESULTS.jsonl", help="An earlier run's --jsonl "
                                             "results: measure the order it gave against the team's MQM export "
                                             "(--mqm, the report's export: doc = the results' doc, seg_id = the "
                                             "sentence's number in it) without auditing again; unjudged sentences "
                                             "are left out and counted."),
    features_cache: FeaturesCacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    **audit,
):
    """Measure the review order against human MQM judgements, next to length and random baselines."""
    import time

    if results is not None:
        return _earlier_run(results, mqm, json_out, risk_model, quiet, debug, audit)

    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.evaluation.datasets import audit_mqm_files, in_sample, pair_risk_model
    from mtaudit.evaluation.evaluate import evaluate
    from mtaudit.evaluation.tables import detector_table, scorer_table
    from mtaudit.risk import RiskModel

    started = time.perf_counter()
    try:
        refuse_overwriting_inputs([json_out, features_cache], [str(m) for m in mqm])
        audited = audit_mqm_files(mqm, **audit, risk_model=risk_model, debug=debug, features_cache=features_cache,
                                  say=sayer(quiet, keep=()), progress=progress_bar(quiet))
        risk = RiskModel.load(risk_model) if risk_model else pair_risk_model(mqm, audit["langs"])
        result = evaluate(audited, risk)
    except MtauditError as exc:
        fail(exc, debug)
    write_json(json_out, result, debug)
    if not quiet:
        console = Console()
        for name, part in result["datasets"].items():
            console.print(scorer_table(part["scorers"], f"{part['segments']} segments of {name}, "
                                       f"risk model {risk.name}"))
        if any(gold.marks_spans for gold in audited.gold):
            console.print(detector_table(result["detectors"]))
        else:
            err.print("no detector table: these MQM files give a score per segment and mark no error spans, so there "
                      "is nothing to match the detectors' findings against (a file of marked errors, e.g. "
                      "mqm_ted_zhen.tsv, gets one)")
        for path in in_sample(risk, mqm):
            err.print(f"[yellow]note[/yellow]: risk model {risk.name} was fitted on {path}, so its mtaudit "
                      "row is in-sample and flatters it; `mtaudit calibrate` reports held-out figures")
        err.print(f"eval took {time.perf_counter() - started:.1f} s")


def _earlier_run(results: Path, mqm: List[Path], json_out: Optional[Path], risk_model: Optional[Path], quiet: bool,
                 debug: bool, audit: dict):
    """``eval --mqm EXPORT RESULTS``: the earlier run's own order against the team's judgements."""
    from mtaudit.core.errors import UsageError
    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.evaluation.results import evaluate_results
    from mtaudit.evaluation.tables import detector_table, scorer_table

    try:
        given = [f"--{k.replace('_', '-')}" for k, v in audit.items() if v] + (["--risk-model"] if risk_model else [])
        if given:
            raise UsageError(f"{', '.join(given)}: with RESULTS.jsonl nothing is audited or scored again (the run's "
                             "recorded risk is measured); leave them out")
        refuse_overwriting_inputs([json_out], [str(results), *map(str, mqm)])
        report = evaluate_results(results, mqm)
    except MtauditError as exc:
        fail(exc, debug)
    write_json(json_out, report, debug)
    if not quiet:
        console = Console()
        if report["judged"]:
            console.print(scorer_table(report["scorers"], f"{report['judged']} judged sentences of {results} "
                                       f"(risk model {', '.join(report['risk_models']) or 'unknown'}; raters "
                                       f"{', '.join(report['raters'])})"))
            console.print(detector_table(report["detectors"]))
    err.print(f"{report['judged']} of {report['sentences']} sentences judged; {report['unjudged']} unjudged, left "
              "out of the figures" + (f"; {report['not_in_results']} judged sentences are not in {results} (e.g. "
                                      + ", ".join(report["not_in_results_examples"]) + ")"
                                      if report["not_in_results"] else ""))
    if not report["judged"]:
        err.print("[yellow]warning[/yellow]: no sentence of the results is judged in the export: is it the export "
                  "of this run?")
