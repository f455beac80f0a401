"""``mtaudit calibrate``: risk weights learnt from human MQM penalties, with held-out figures."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from mtaudit.cli.common import err, fail, progress_bar, sayer, write_json
from mtaudit.cli.options import MQM_HELP, DebugOpt, FeaturesCacheOpt, QuietOpt, mqm_audit_options
from mtaudit.core.errors import MtauditError, UsageError


@mqm_audit_options
def calibrate(
    mqm: List[Path] = typer.Option(..., "--mqm", help=MQM_HELP + " Each file's documents are held out in turn "
                                   "(--folds folds per file) while the model trains on everything else."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the fitted risk model JSON (use it with "
                                "`mtaudit audit --risk-model FILE`)."),
    name: Optional[str] = typer.Option(None, "--name", help="Name recorded in the model file (default: the file's "
                                       "stem)."),
    folds: int = typer.Option(5, "--folds", min=2, help="Validation folds of documents per MQM file (a file with "
                              "fewer documents holds out one document at a time)."),
    base: Optional[str] = typer.Option(None, "--base", metavar="default|FILE", help="Recalibrate a team's model: "
                                       "start from this risk model (default: the language pair's shipped one; or a "
                                       "risk-model JSON) and shrink toward its weights, ridge toward the base with "
                                       "its strength chosen by cross-validation over documents (the base kept when "
                                       "the data does not beat it). Each rater's penalties are first multiplied by "
                                       "one severity scale (the base model's mean risk over the rater's mean penalty "
                                       "on the segments they judged), so a strict reviewer does not dominate. "
                                       "Refuses to write a model that does worse held out than the base."),
    alpha: Optional[float] = typer.Option(None, "--alpha", min=0.0, help="With --base: a fixed shrinkage strength "
                                          "toward the base (standardised units, of the order of the number of "
                                          "segments to weigh the base like the data) instead of the one chosen by "
                                          "cross-validation from 1 to 10,000 and inf (the base kept)."),
    force: bool = typer.Option(False, "--force", help="With --base: write the model even when it does worse held "
                               "out than the base model."),
    scale_raters: bool = typer.Option(False, "--scale-raters/--raw-penalties", help="Without --base: learn each "
                                      "segment's penalty with every rater's penalties put on its file's scale first "
                                      "(times the file's mean penalty per judgement over the rater's, from the "
                                      "training documents only, smoothed with 20 judgements), or the raw mean "
                                      "penalty. Raters differ in severity by large factors; where one rater judges "
                                      "each segment, scaling keeps a strict rater's segments from looking like bad "
                                      "translations. Files that name no raters are unchanged, and the held-out "
                                      "figures are always against the raw mean penalty. (--base always scales, "
                                      "by the base model's risk.)"),
    features_cache: FeaturesCacheOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    **audit,
):
    """Learn the risk weights from human MQM penalties; reports held-out (leave-one-document-out) figures only."""
    import shlex

    from mtaudit.core.outputs import refuse_overwriting_inputs
    from mtaudit.evaluation.calibrate import calibrate as fit_calibration
    from mtaudit.evaluation.datasets import audit_mqm_files
    from mtaudit.evaluation.tables import acceptance, folds_table, weights_table

    command = "mtaudit " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["calibrate"] \
        else "mtaudit calibrate " + " ".join(f"--mqm {m}" for m in mqm) + f" -o {output}"
    try:
        refuse_overwriting_inputs([output, features_cache], [str(m) for m in mqm])
        if base is not None:
            from mtaudit.evaluation.recalibrate import base_model

            if audit.get("adequacy"):
                raise UsageError("--adequacy with --base: a recalibration keeps the base model's variants as they "
                                 "are; fit afresh (without --base) to get a reverse variant of your own")

            prior = base_model(base, mqm, audit["langs"])  # a bad --base fails before the long audit
        audited = audit_mqm_files(mqm, **audit, reverse_everywhere=True, debug=debug, features_cache=features_cache,
                                  say=sayer(quiet, keep=()), progress=progress_bar(quiet))
        if base is not None:
            return _recalibrate(audited, prior, mqm, output, name, folds, alpha, force, command, quiet, debug)
        fit, validation = fit_calibration(audited, [str(m) for m in mqm], command, name=name or output.stem,
                                          folds=folds, raters=scale_raters)
    except MtauditError as exc:
        fail(exc, debug)
    if not quiet:  # the held-out figures come first, then the file is written
        console = Console()
        m = fit.model
        console.print(weights_table(m.weights, fit.standardised, fit.spread, m.impute, m.bias, fit.priors))
        if not validation["datasets"]:
            err.print(f"[yellow]warning[/yellow]: {validation['note']}")
        for dataset, result in validation["datasets"].items():
            console.print(folds_table(result, dataset))
            ok, line = acceptance(result["pooled"])
            console.print(("[green]" if ok else "[yellow]") + f"{dataset}: " + line)
            for variant, pooled in (validation.get("variants") or {}).items():
                if pooled.get(dataset):
                    model_fig, length_fig = pooled[dataset]["mtaudit"], pooled[dataset]["length"]
                    console.print(f"{dataset}: variant {variant}, held out: tau in doc {_num(model_fig['tau_doc'])} vs "
                                  f"length {_num(length_fig['tau_doc'])}, tau in item {_num(model_fig['tau_item'])}, "
                                  f"P@20% {_num(model_fig['p_at_20'])} vs {_num(length_fig['p_at_20'])}")
    write_json(output, fit.model.to_dict(), debug)
    if not quiet:
        err.print(f"risk model written to {output}")


def _num(value: float | None) -> str:
    """A figure to three decimals; "-" where there is none (tau within items of a file without several systems)."""
    return "-" if value is None else f"{value:.3f}"


def _recalibrate(audited, prior, mqm, output: Path, name, folds: int, alpha: float | None, force: bool, command: str,
                 quiet: bool, debug: bool):
    """``--base``: refit the base model on the team's judgements, print the held-out comparison, write or refuse."""

    from mtaudit.evaluation.recalibrate import ALPHAS, recalibrate
    from mtaudit.evaluation.tables import rater_table, team_table, weights_table

    team = recalibrate(audited, prior, [str(m) for m in mqm], command, name=name or output.stem, folds=folds,
                       alphas=ALPHAS if alpha is None else (alpha,))
    validation = team.validation
    if not quiet:
        console = Console()
        m = team.fit.model
        if m.weights and team.fit.standardised:
            console.print(weights_table(m.weights, team.fit.standardised, team.fit.spread, m.impute, m.bias,
                                        team.fit.priors))
        console.print(rater_table(team.scales))
        if validation["datasets"]:
            console.print(team_table(validation))
        part = "the main model" if team.key is None else f"its {team.key} variant"
        chosen = "inf (the base kept)" if validation["alpha"] == "inf" else f"{validation['alpha']:g}"
        console.print(f"base {prior.name} ({part} scores these segments); shrinkage toward it, alpha chosen by "
                      f"cross-validation over documents: {chosen}; alpha per part of the model (inf: kept as the "
                      "base's): " + ", ".join(f"{k} {v}" for k, v in validation["refitted"].items()))
    if validation.get("no_gain") and not quiet:
        err.print("[yellow]note[/yellow]: held out, the refit ranks no better than the base, so the model written "
                  "scores these segments as the base does (judge more sentences to move it)")
    if validation.get("kept_base") and not quiet:
        err.print("[yellow]note[/yellow]: cross-validation on all documents kept the base's weights (alpha inf), so "
                  "the model written scores these segments as the base does; the held-out team row measured the "
                  "refit, which would have been worse: " + "; ".join(validation["kept_base"]))
    if team.refused and not force:
        err.print(f"[red]refused[/red]: the recalibrated model does worse held out than {prior.name}: "
                  + "; ".join(team.worse) + f". {output} not written (--force writes it anyway; or judge more "
                  "sentences)")
        raise typer.Exit(1)
    if team.refused:
        err.print("[yellow]warning[/yellow]: written although it does worse held out (--force): "
                  + "; ".join(team.worse))
    write_json(output, team.model.to_dict(), debug)
    if not quiet:
        err.print(f"risk model written to {output} (use it with `mtaudit audit --risk-model {output}`)")
