"""Map command-line settings and a TOML config file onto detector options (keyword arguments).

A config file looks like::

    enable = ["names", "credits", "numbers"]   # optional: which detectors to run (default: all)
    [detectors.names]
    glossary = "terms.csv"
    [detectors.repetition]
    min_phrase_words = 3

and ``--set names.glossary=terms.csv`` sets one option from the command line (it wins over the file).
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from mtaudit.detectors import DETECTORS
from mtaudit.core.errors import UsageError
from mtaudit.core.options import parse_switch


def coerce(detector: str, option: str, raw):
    """Convert a raw value to the type of the option's class default (bool, int, float, str)."""
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
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read config: {exc}") from None
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
