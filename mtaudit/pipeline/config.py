"""What an audit computes (``AuditConfig``) and how a command's options and a TOML config file map onto it.

A config file looks like::

    enable = ["names", "credits", "numbers"]   # optional: which detectors to run (default: all)
    risk_model = "team-risk.json"               # optional: the team's calibrated model (relative to this file)
    [detectors.names]
    glossary = "terms.csv"
    [detectors.repetition]
    min_phrase_words = 3

and ``--set names.glossary=terms.csv`` sets one option from the command line (it wins over the file). ``audit_config``
assembles the configuration of every command that audits (``audit``, ``watch``, ``eval``, ``calibrate``) in one place.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mtaudit.core.errors import UsageError
from mtaudit.core.options import parse_switch
from mtaudit.detectors import DETECTORS
from mtaudit.readers import check_format


@dataclass
class AuditConfig:
    """Everything that decides what an audit computes; recorded in the run signature."""

    detectors: list[str] | None = None
    detector_options: dict[str, dict] = field(default_factory=dict)
    model: str | None = None
    device: str | None = None
    fmt: str | None = None
    source: str | None = None
    workers: int = 1
    risk_model: str | None = None
    langs: str | None = None  # --langs SRC-TGT for every document; None: from each file's metadata or its text
    debug: bool = False
    decisions: str | None = None  # a reviewer's decisions file: dismissed findings are removed before scoring
    # --fast: where a segment has its source, score only the source-conditioned pass (about half the model's time);
    # those sentences get no target-only scores and no odd-phrasing findings, and a slightly weaker ranking
    fast: bool = False
    # --adequacy: where a segment has its source, also run the reverse pass (the source scored given the
    # translation, ``LMScorer._score_reverse``): a better order among translations of one sentence, ~1.7x the model time
    adequacy: bool = False
    # with adequacy: the reverse pass on every document with a source, not only where the risk model weighs it
    # (``calibrate --adequacy``, which fits a variant of its own)
    reverse_everywhere: bool = False
    # what runs the model's forward on the CPU: "torch" (eager) or "openvino" (mtaudit.fluency.openvino_runtime)
    runtime: str = "torch"

    @property
    def detector_names(self) -> list[str]:
        return list(self.detectors) if self.detectors else list(DETECTORS)

    def run_options(self, **extra) -> dict:
        """What the run record says this audit was asked to do (``options``), with a command's own ``extra``."""
        return {"detectors": self.detector_names, "model": self.model, "format": self.fmt, "langs": self.langs,
                "risk_model": self.risk_model, "decisions": self.decisions, "fast": self.fast,
                "adequacy": self.adequacy, "runtime": self.runtime, **extra}


def audit_config(detectors: str | None = None, config_file: str | Path | None = None, settings: list[str] = (),
                 glossary: str | Path | None = None, no_model: bool = False, model: str | None = None,
                 runtime: str = "torch", source: str | Path | None = None, risk_model: str | Path | None = None,
                 decisions: str | Path | None = None, **fields) -> AuditConfig:
    """The configuration of a command's options: the runtime and the format checked; the detectors of
    ``detectors`` (a comma-separated list), else those a config file enables, else all; their options from the config file, then
    ``settings`` (``--set``), then ``glossary``; the model named (the default one unless ``no_model``); paths as
    text. ``fields`` are the other AuditConfig fields, as they are."""
    check_runtime(runtime)
    if fields.get("fmt"):
        check_format(fields["fmt"])
    check_adequacy(fields.get("adequacy", False), no_model, fields.get("fast", False))
    chosen, options = detector_settings(config_file, list(settings), glossary)
    return AuditConfig(detectors=split_list(detectors) or chosen, detector_options=options,
                       model=model_name(no_model, model), runtime=runtime, source=_text(source),
                       risk_model=_text(risk_model) or config_risk_model(config_file), decisions=_text(decisions),
                       **fields)


def check_adequacy(adequacy: bool, no_model: bool, fast: bool = False) -> None:
    """--adequacy adds the reverse pass to the default two: refused without the model or with --fast."""
    if adequacy and (no_model or fast):
        raise UsageError("--adequacy adds a model pass to the default two: it needs the model and cannot go with "
                         + ("--no-model" if no_model else "--fast (which drops one)"))


def _read_config(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config: {exc}") from None


def config_risk_model(config_file: str | Path | None) -> str | None:
    """The config file's ``risk_model = "FILE"`` (a team's calibrated model, set once), relative to the config
    file's folder; ``--risk-model`` wins over it."""
    if not config_file:
        return None
    path = Path(config_file)
    value = _read_config(path).get("risk_model")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{path}: `risk_model` must be the path of a risk-model JSON, e.g. risk_model = "
                         "\"team-risk.json\"")
    model = Path(value).expanduser()
    model = model if model.is_absolute() else path.parent / model
    if not model.is_file():
        raise UsageError(f"{path}: risk_model {value!r}: no file {model} (a path is relative to the config file)")
    return str(model)


def _text(path: str | Path | None) -> str | None:
    return str(path) if path else None


def split_list(value: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when empty)."""
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def check_runtime(runtime: str) -> None:
    from mtaudit.fluency import RUNTIMES

    if runtime not in RUNTIMES:
        raise UsageError(f"--runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")


def model_name(no_model: bool, model: str | None) -> str | None:
    """The model an audit scores with: none with --no-model, else --model or the default model."""
    if no_model:
        return None
    from mtaudit.fluency.store import DEFAULT_MODEL

    return model or DEFAULT_MODEL


def detector_settings(config_file: str | Path | None, settings: list[str], glossary: str | Path | None):
    """The detectors chosen and their options: --config, then --set, then --glossary."""
    chosen, options = detector_options(config_file, settings)
    if glossary:
        if "names" not in DETECTORS:
            raise UsageError("--glossary needs the names detector, which this build lacks")
        options.setdefault("names", {})["glossary"] = str(glossary)
        if "names_src" in DETECTORS:  # the team's forms win over the shipped tables of established names
            options.setdefault("names_src", {})["glossary"] = str(glossary)
    return chosen, options


def coerce(detector: str, option: str, raw):
    """Convert a raw value to the type of the option's class default (bool, int, float, str)."""
    if detector == "fluency":  # listed by `mtaudit detectors`, but the model's findings are not a rule detector's
        raise UsageError(f"fluency.{option}: the language model's findings take no detector options; --model, --fast, "
                         "--runtime and --no-model choose how the model runs")
    if detector not in DETECTORS:
        raise UsageError(f"unknown detector {detector!r} in a setting; `mtaudit detectors` lists them")
    cls = DETECTORS[detector]
    if option not in cls.options:
        known = ", ".join(cls.options) or "none"
        raise UsageError(f"detector {detector!r} has no option {option!r} (its options: {known})")
    default = getattr(cls, option, None)
    if not isinstance(raw, str) or isinstance(default, str) or default is None:
        return raw
    try:
        if isinstance(default, bool):
            return parse_switch(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise UsageError(f"{detector}.{option}: {raw!r} is not a valid {type(default).__name__}") from None
    return raw


def detector_options(config_file: str | Path | None, settings: list[str]) -> tuple[list[str] | None, dict[str, dict]]:
    """The detectors a config file selects (None: not set) and the options for each, with ``settings`` applied last."""
    chosen: list[str] | None = None
    options: dict[str, dict] = {}
    if config_file:
        path = Path(config_file)
        data = _read_config(path)
        section = data.get("detectors", {})
        if not isinstance(section, dict):
            raise UsageError(f"{path}: `detectors` must be a table of [detectors.NAME] sections")
        for name, opts in section.items():
            if not isinstance(opts, dict):
                raise UsageError(f"{path}: [detectors.{name}] must be a table of options")
            for key, value in opts.items():
                options.setdefault(name, {})[key] = coerce(name, key, value)
        if "enable" in data:
            if not isinstance(data["enable"], list):
                raise UsageError(f"{path}: `enable` must be a list of detector names")
            chosen = [str(n) for n in data["enable"]]
    for item in settings:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise UsageError(f"--set {item!r}: write DETECTOR.OPTION=VALUE, e.g. --set repetition.min_phrase_words=3")
        key, value = item.split("=", 1)
        name, option = key.split(".", 1)
        options.setdefault(name.strip(), {})[option.strip()] = coerce(name.strip(), option.strip(), value.strip())
    return chosen, options
