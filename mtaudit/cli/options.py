"""How the commands declare and show their options: the help's names for what an option takes (``Command``,
``Group``), the options several commands share, and the decorator that gives eval and calibrate theirs."""
from __future__ import annotations

import inspect
from pathlib import Path, PurePath
from typing import Annotated, Optional, get_args, get_origin

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


# How the help names what an option takes. Left alone, typer (0.2x) prints Python types: "<bool>" after every flag,
# "<list[str]>", "<int range> [x>=0]", "{paths}..." in the usage line. Every command and group is built with these
# classes (mtaudit.cli builds the app), so the help says FILE, N, the option's own name, or the metavar its help text
# uses (typer.Option(metavar="RISK")), and a flag shows nothing after its name.
def _takes(option: TyperOption) -> str:
    """What an option without a metavar takes: FILE for a path, N for a count, else its long name in capitals."""
    kind = getattr(getattr(option, "type_descriptor", None), "annotation", None)
    if get_origin(kind) is list:
        kind = get_args(kind)[0]
    if isinstance(kind, type) and issubclass(kind, PurePath):
        return "FILE"
    if kind is int:
        return "N"
    long = [o for o in option.opts if o.startswith("--")]
    return (long[0][2:] if long else option.name or "value").upper()


class _Option(TyperOption):
    def display_type_rich(self, ctx):
        return None if self.is_flag else self.metavar or _takes(self)

    def _get_number_range_help_str(self):
        return None  # the help says what a value means; a value out of range is an error that names the range


class _Argument(TyperArgument):
    @property
    def display_name_raw(self) -> str:
        return self.metavar or self.name.upper()

    def display_type_rich(self, ctx):
        return None

    def get_usage_pieces(self, ctx) -> list[str]:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return [name if self.required else f"[{name}]"]


_PLAIN = {TyperOption: _Option, TyperArgument: _Argument}


class _PlainParams:
    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            # typer creates its own parameter classes (and click the --help option) with no way to pass another;
            # the subclasses add no state, only how the help shows a parameter
            param.__class__ = _PLAIN.get(type(param), type(param))
        return params


class Command(_PlainParams, TyperCommand):
    """A command whose help names what its options take in words, not Python types."""


class Group(_PlainParams, TyperGroup):
    """A group of commands whose help names what its options take in words, not Python types."""


# --device of `audit` and `watch`.
DEVICE = typer.Option(None, "--device", help="Torch device for the model (default: cuda when present, else cpu).",
                      rich_help_panel="Model and risk")

# Options shared by `eval` and `calibrate`, which audit MQM files the same way.
MQM_HELP = ("Human MQM judgements as TSV, repeatable (the datasets combine, kept apart by file): Google's error rows "
            "(system, doc, doc_id, seg_id, rater, source, target, category, severity) or segment scores (system, "
            "doc, seg_id, source, target, mqm_penalty[, reference]); the layout is read from the header.")
LangsOpt = Annotated[Optional[str], typer.Option("--langs", help="Source and target language as SRC-TGT, e.g. zh-en "
                                                 "(default: from a Google-style file name such as mqm_ted_zhen.tsv or "
                                                 "wmt23_news_ende_dev.tsv, else from document names that end in "
                                                 "the pair, news_x.1:en-de).",
                                                 metavar="SRC-TGT")]
DetectorsOpt = Annotated[Optional[str], typer.Option("--detectors", help="Comma-separated detectors to run "
                                                     "(default: all).")]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Skip the transformer fluency model: rule detectors "
                                          "only.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", help="Model to score fluency with (default: the default "
                                                 "model).")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="Torch device for the model.")]
SystemsOpt = Annotated[Optional[str], typer.Option("--systems", help="Only these comma-separated systems of the MQM "
                                                   "file (whole documents kept; for a faster model run).")]
FeaturesCacheOpt = Annotated[Optional[Path], typer.Option(
    "--features-cache", help="Keep the audit's per-segment features in FILE and reuse them on the next run with the "
    "same MQM file, --systems, detectors, model and mtaudit code (anything else re-audits and overwrites FILE): "
    "one model run then serves many eval/calibrate runs. With several --mqm files, FILE keeps one entry per file.")]
AdequacyOpt = Annotated[bool, typer.Option("--adequacy", help="Also run the reverse pass, as `audit --adequacy` does "
                                          "(the source scored given each translation); the features cache keeps "
                                          "it apart from a run without, and calibrate fits its signals into a "
                                          "`reverse` variant only.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No tables, warnings only.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]

# How eval and calibrate audit the MQM files: the options both take, listed after each one's first two options.
MQM_AUDIT_OPTIONS = (("langs", LangsOpt, None), ("detectors", DetectorsOpt, None), ("no_model", NoModelOpt, False),
                     ("model", ModelOpt, None), ("device", DeviceOpt, None), ("systems", SystemsOpt, None),
                     ("adequacy", AdequacyOpt, False))


def mqm_audit_options(command):
    """Give ``command``, which takes them as ``**audit``, the options of MQM_AUDIT_OPTIONS after its first two (the
    MQM files and where the result goes), so that eval and calibrate take and list them alike."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.kind is not p.VAR_KEYWORD]
    shared = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=option)
              for name, option, default in MQM_AUDIT_OPTIONS]
    command.__signature__ = inspect.Signature(own[:2] + shared + own[2:])
    return command
